//! Batched relation loading: the first k children of every parent in one statement.

use crate::statement::{Base, Writer};
use crate::{Dialect, Result, Select, SortSpec, Statement, Value};

/// The name of the row-number column [`ChildrenQuery`] adds to each child row.
pub(crate) const ROW_NUMBER_COLUMN: &str = "folio_rn";

/// The first `per_parent` children of each of a page of parents, in one statement
/// per chunk of parents: `ROW_NUMBER() OVER (PARTITION BY <fk> ORDER BY …)`.
///
/// Each child row carries an extra column `folio_rn`, its rank (1-based); the
/// statement fetches `per_parent + 1` rows per parent, so a row numbered
/// `per_parent + 1` means that parent has more children than were embedded.
/// Rows come back ordered by parent key, then row number.
///
/// ```
/// use folio::{Select, ChildrenQuery, Postgres, SortSpec, Sqlite, Value};
/// let spec = SortSpec::by_unique("id", "id");
/// let base = Select::sql("SELECT * FROM orders");
/// let parents = [Value::Int(1), Value::Int(2)];
/// let st = ChildrenQuery::new(&spec, "user_id", &parents, 3).render(&Sqlite, &base).unwrap();
/// assert_eq!(st.len(), 1);
/// assert_eq!(
///     st[0].sql,
///     "SELECT * FROM (SELECT q.*, ROW_NUMBER() OVER (PARTITION BY q.\"user_id\" ORDER BY q.\"id\" ASC) AS folio_rn \
///      FROM (SELECT * FROM orders) AS q WHERE q.\"user_id\" IN (?, ?)) AS w \
///      WHERE w.folio_rn <= 4 ORDER BY w.\"user_id\", w.folio_rn"
/// );
/// let st = ChildrenQuery::new(&spec, "user_id", &parents, 3).render(&Postgres, &base).unwrap();
/// assert!(st[0].sql.contains("IN ($1, $2)"));
/// ```
#[derive(Debug, Clone)]
pub struct ChildrenQuery<'a> {
    spec: &'a SortSpec,
    parent_column: &'a str,
    parents: &'a [Value],
    per_parent: u64,
    max_parents: Option<usize>,
}

impl<'a> ChildrenQuery<'a> {
    /// Children of `parents` (values of the child's `parent_column`), `per_parent`
    /// each, in `spec`'s ordering.
    ///
    /// ```
    /// let spec = folio::SortSpec::by_unique("id", "id");
    /// let q = folio::ChildrenQuery::new(&spec, "user_id", &[], 3);
    /// assert!(q.render(&folio::Sqlite, &folio::Select::sql("SELECT * FROM orders")).unwrap().is_empty());
    /// ```
    pub fn new(
        spec: &'a SortSpec,
        parent_column: &'a str,
        parents: &'a [Value],
        per_parent: u64,
    ) -> Self {
        ChildrenQuery {
            spec,
            parent_column,
            parents,
            per_parent,
            max_parents: None,
        }
    }

    /// Caps the parents per statement below the dialect's bind limit (for tests
    /// and for backends configured with a lower limit).
    ///
    /// ```
    /// let spec = folio::SortSpec::by_unique("id", "id");
    /// let parents: Vec<folio::Value> = (1..=5).map(folio::Value::Int).collect();
    /// let st = folio::ChildrenQuery::new(&spec, "user_id", &parents, 2)
    ///     .max_parents_per_statement(2)
    ///     .render(&folio::Sqlite, &folio::Select::sql("SELECT * FROM orders")).unwrap();
    /// assert_eq!(st.len(), 3);
    /// ```
    pub fn max_parents_per_statement(mut self, max: usize) -> Self {
        self.max_parents = Some(max.max(1));
        self
    }

    /// Renders one statement per chunk of parents; each chunk stays under the
    /// dialect's bind limit together with the base query's own binds.
    /// No parents, no statements.
    ///
    /// ```
    /// let spec = folio::SortSpec::by_unique("id", "id");
    /// let parents: Vec<folio::Value> = (0..70_000).map(folio::Value::Int).collect();
    /// let st = folio::ChildrenQuery::new(&spec, "user_id", &parents, 3)
    ///     .render(&folio::Postgres, &folio::Select::sql("SELECT * FROM orders")).unwrap();
    /// assert_eq!(st.len(), 2);
    /// assert!(st.iter().all(|s| s.binds.len() <= 65_535));
    /// ```
    pub fn render(&self, dialect: &dyn Dialect, select: &Select) -> Result<Vec<Statement>> {
        let base = &select.base(dialect)?;
        let room = dialect.max_binds().saturating_sub(base.binds.len()).max(1);
        let chunk = self.max_parents.map_or(room, |m| m.min(room));
        Ok(self
            .parents
            .chunks(chunk)
            .map(|parents| self.render_chunk(dialect, base, parents))
            .collect())
    }

    fn render_chunk(&self, dialect: &dyn Dialect, base: &Base, parents: &[Value]) -> Statement {
        let mut w = Writer::new(dialect, base);
        w.push("SELECT * FROM (SELECT q.*, ROW_NUMBER() OVER (PARTITION BY ")
            .column("q", self.parent_column);
        w.order_by("q", self.spec.keys());
        w.push(") AS ").push(ROW_NUMBER_COLUMN).push(" FROM ");
        w.base(base, "q");
        w.push(" WHERE ")
            .column("q", self.parent_column)
            .push(" IN (");
        for (i, p) in parents.iter().enumerate() {
            if i > 0 {
                w.push(", ");
            }
            w.bind(p.clone());
        }
        w.push(")) AS w WHERE w.")
            .push(ROW_NUMBER_COLUMN)
            .push(" <= ")
            .push(&self.per_parent.saturating_add(1).to_string());
        w.push(" ORDER BY ").column("w", self.parent_column);
        w.push(", w.").push(ROW_NUMBER_COLUMN);
        w.finish()
    }
}
