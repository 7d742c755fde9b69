//! OFFSET pagination, plain and as a deferred join for deep offsets.

use crate::statement::Writer;
use crate::{Dialect, Result, Select, SortSpec, Statement};

/// How an OFFSET page is read.
///
/// ```
/// assert_eq!(folio::OffsetForm::default(), folio::OffsetForm::Plain);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OffsetForm {
    /// `ORDER BY … LIMIT n OFFSET m` over the full rows.
    #[default]
    Plain,
    /// The offset is walked over the key columns only (an index-only scan of the
    /// ordering's index), and only the page's rows are then read in full, joined
    /// back by the unique key.
    DeferredJoin,
}

/// An OFFSET page query: `limit` rows from `offset` (fetching one more, to know
/// whether a next page exists).
///
/// ```
/// use folio::{Select, OffsetForm, OffsetQuery, Orderings, Postgres, Sqlite};
/// let spec = Orderings::new("id", "id").field("created_at", "created_at").parse("-created_at").unwrap();
/// let base = Select::sql("SELECT * FROM products");
/// let st = OffsetQuery::new(&spec, 1000, 10).render(&Sqlite, &base).unwrap();
/// assert_eq!(
///     st.sql,
///     "SELECT * FROM (SELECT * FROM products) AS q \
///      ORDER BY q.\"created_at\" DESC, q.\"id\" DESC LIMIT 11 OFFSET 1000"
/// );
/// let st = OffsetQuery::new(&spec, 1000, 10).form(OffsetForm::DeferredJoin).render(&Postgres, &base).unwrap();
/// assert_eq!(
///     st.sql,
///     "SELECT q.* FROM (SELECT * FROM products) AS q \
///      JOIN (SELECT k.\"id\" FROM (SELECT * FROM products) AS k \
///      ORDER BY k.\"created_at\" DESC, k.\"id\" DESC LIMIT 11 OFFSET 1000) AS d \
///      ON q.\"id\" = d.\"id\" \
///      ORDER BY q.\"created_at\" DESC, q.\"id\" DESC"
/// );
/// ```
#[derive(Debug, Clone)]
pub struct OffsetQuery<'a> {
    spec: &'a SortSpec,
    offset: u64,
    limit: u64,
    form: OffsetForm,
}

impl<'a> OffsetQuery<'a> {
    /// `limit` rows of `spec`'s ordering after skipping `offset`.
    ///
    /// ```
    /// let spec = folio::SortSpec::by_unique("id", "id");
    /// let st = folio::OffsetQuery::new(&spec, 0, 3).render(&folio::Sqlite, &folio::Select::sql("SELECT * FROM t")).unwrap();
    /// assert!(st.sql.ends_with("LIMIT 4 OFFSET 0"));
    /// ```
    pub fn new(spec: &'a SortSpec, offset: u64, limit: u64) -> Self {
        OffsetQuery {
            spec,
            offset,
            limit,
            form: OffsetForm::Plain,
        }
    }

    /// Chooses the plain or the deferred-join form.
    ///
    /// ```
    /// let spec = folio::SortSpec::by_unique("id", "id");
    /// let q = folio::OffsetQuery::new(&spec, 5, 5).form(folio::OffsetForm::DeferredJoin);
    /// assert!(q.render(&folio::Sqlite, &folio::Select::sql("SELECT * FROM t")).unwrap().sql.contains(" JOIN "));
    /// ```
    pub fn form(mut self, form: OffsetForm) -> Self {
        self.form = form;
        self
    }

    /// Renders the query for `dialect` around `base`. The statement returns at most
    /// `limit + 1` rows in the ordering's order; the extra row means "has next".
    ///
    /// ```
    /// let spec = folio::SortSpec::by_unique("id", "id");
    /// let base = folio::Select::sql("SELECT * FROM t WHERE a = ?").bind(1);
    /// let st = folio::OffsetQuery::new(&spec, 20, 10)
    ///     .form(folio::OffsetForm::DeferredJoin)
    ///     .render(&folio::Sqlite, &base).unwrap();
    /// // SQLite's `?` are positional: the base's binds are repeated for its second copy
    /// assert_eq!(st.binds.len(), 2);
    /// ```
    pub fn render(&self, dialect: &dyn Dialect, select: &Select) -> Result<Statement> {
        let base = &select.base(dialect)?;
        let keys = self.spec.keys();
        let fetch = self.limit.saturating_add(1);
        let mut w = Writer::new(dialect, base);
        match self.form {
            OffsetForm::Plain => {
                w.push("SELECT * FROM ").base(base, "q");
                w.order_by("q", keys);
                w.push(" LIMIT ").push(&fetch.to_string());
                w.push(" OFFSET ").push(&self.offset.to_string());
            }
            OffsetForm::DeferredJoin => {
                let unique = self.spec.unique().column();
                w.open_deferred_join(base, "k", unique);
                w.base(base, "k");
                w.order_by("k", keys);
                w.push(" LIMIT ").push(&fetch.to_string());
                w.push(" OFFSET ").push(&self.offset.to_string());
                w.close_deferred_join(unique, keys);
            }
        }
        Ok(w.finish())
    }
}
