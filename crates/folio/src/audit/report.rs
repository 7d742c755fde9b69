//! The report of an index audit, and the assertions a test makes of it.

use std::fmt::{self, Write as _};

/// What an index audit found for one combination of ordering and filters.
///
/// ```
/// let e = folio::AuditEntry { case: "ordering=name".into(), served: false, ..Default::default() };
/// assert_eq!(e.case, "ordering=name");
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AuditEntry {
    /// The request, as a query string without values (`ordering=-name&category`).
    pub case: String,
    /// Whether an index gives the order: neither the deep keyset page nor the deep
    /// bookmark page sorts the filtered set.
    pub served: bool,
    /// The pages whose plan sorts the filtered set (`keyset`, `bookmark`).
    pub sorted: Vec<String>,
    /// The index the keyset page walks (`(table scan)` for none).
    pub index: Option<String>,
    /// The filter columns tested row by row while walking (not in the index range):
    /// a served walk that reads past the rows it skips.
    pub filtered: Vec<String>,
    /// The planner's estimate of the rows the walk yields (the rows sorted, when
    /// it sorts); `None` where the planner gives none (SQLite).
    pub rows: Option<f64>,
    /// For an unserved case, the index that would serve it.
    pub suggestion: Option<String>,
    /// The two plans, as the planner gave them.
    pub plan: String,
}

/// The index audit of one endpoint on one database: an [`AuditEntry`] per
/// combination. Its `Display` is a table (Markdown).
///
/// ```
/// use folio::{AuditEntry, AuditReport};
/// let report = AuditReport {
///     endpoint: "products".into(),
///     backend: "sqlite".into(),
///     entries: vec![
///         AuditEntry { case: "ordering=id".into(), served: true, ..Default::default() },
///         AuditEntry { case: "ordering=name".into(), served: false, ..Default::default() },
///     ],
///     left_out: 0,
/// };
/// assert!(!report.is_served());
/// report.assert_served_except(&["ordering=name"]);
/// assert!(report.to_string().contains("| ordering=name | **no** |"));
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AuditReport {
    /// The endpoint's resource name.
    pub endpoint: String,
    /// The database it ran on.
    pub backend: String,
    /// One entry per combination.
    pub entries: Vec<AuditEntry>,
    /// Combinations not audited (over the audit's bound).
    pub left_out: usize,
}

impl AuditReport {
    /// The combinations no index serves.
    ///
    /// ```
    /// assert_eq!(folio::AuditReport::default().unserved().count(), 0);
    /// ```
    pub fn unserved(&self) -> impl Iterator<Item = &AuditEntry> {
        self.entries.iter().filter(|e| !e.served)
    }

    /// Whether an index serves every combination.
    ///
    /// ```
    /// assert!(folio::AuditReport::default().is_served());
    /// ```
    pub fn is_served(&self) -> bool {
        self.unserved().next().is_none()
    }

    /// Panics, printing the report and each unserved combination's plans and
    /// suggested index, when a combination is not served.
    ///
    /// ```should_panic
    /// let report = folio::AuditReport {
    ///     entries: vec![folio::AuditEntry { case: "ordering=name".into(), ..Default::default() }],
    ///     ..Default::default()
    /// };
    /// report.assert_served();
    /// ```
    #[track_caller]
    pub fn assert_served(&self) {
        self.assert_served_except(&[]);
    }

    /// As [`AuditReport::assert_served`], except for the combinations in `allowed`
    /// (their [`AuditEntry::case`], as the report prints it): the ones accepted as
    /// slow. An allowed combination that is served is fine.
    ///
    /// ```
    /// let report = folio::AuditReport {
    ///     entries: vec![folio::AuditEntry { case: "ordering=name".into(), ..Default::default() }],
    ///     ..Default::default()
    /// };
    /// report.assert_served_except(&["ordering=name"]);
    /// ```
    #[track_caller]
    pub fn assert_served_except(&self, allowed: &[&str]) {
        let failing: Vec<&AuditEntry> = self
            .unserved()
            .filter(|e| !allowed.contains(&e.case.as_str()))
            .collect();
        if failing.is_empty() {
            return;
        }
        let mut detail = String::new();
        for e in &failing {
            let _ = write!(
                detail,
                "\n{}: {}\n{}\n",
                e.case,
                e.suggestion.as_deref().unwrap_or("(no suggestion)"),
                e.plan
            );
        }
        panic!(
            "{} of {} combinations of `{}` on {} are not served by an index:\n\n{self}\n{detail}",
            failing.len(),
            self.entries.len(),
            self.endpoint,
            self.backend,
        );
    }
}

impl fmt::Display for AuditReport {
    /// A Markdown table: one row per combination.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let unserved = self.unserved().count();
        writeln!(
            f,
            "index audit of `{}` on {}: {} combinations, {} served, {} not served{}",
            self.endpoint,
            self.backend,
            self.entries.len(),
            self.entries.len() - unserved,
            unserved,
            if self.left_out > 0 {
                format!(", {} left out (over the bound)", self.left_out)
            } else {
                String::new()
            }
        )?;
        writeln!(f)?;
        writeln!(
            f,
            "| combination | served | index | filtered while walking | rows (planner) | suggested index |"
        )?;
        writeln!(f, "| --- | --- | --- | --- | --- | --- |")?;
        for e in &self.entries {
            let served = if e.served { "yes" } else { "**no**" };
            writeln!(
                f,
                "| {} | {} | {} | {} | {} | {} |",
                e.case,
                served,
                e.index.as_deref().unwrap_or("-"),
                if e.filtered.is_empty() {
                    "-".to_owned()
                } else {
                    e.filtered.join(", ")
                },
                e.rows.map_or("-".to_owned(), |r| format!("{r:.0}")),
                e.suggestion.as_deref().unwrap_or("-"),
            )?;
        }
        Ok(())
    }
}
