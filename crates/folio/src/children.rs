//! Batched relation loading: the first k children of every parent in one statement.

use crate::statement::{Base, Writer};
use crate::{Dialect, Result, Select, SortSpec, Statement, Value};

/// The name of the row-number column [`ChildrenQuery`] adds to each child row.
pub(crate) const ROW_NUMBER_COLUMN: &str = "folio_rn";
/// The name of the parent-position column of text parent keys (see
/// [`ChildrenQuery::PARENT_INDEX_COLUMN`]).
const PARENT_INDEX: &str = "folio_parent";

/// The first `per_parent` children of each of a page of parents, in one statement
/// per chunk of parents: `ROW_NUMBER() OVER (PARTITION BY <fk> ORDER BY …)`.
///
/// Each child row carries an extra column `folio_rn`, its rank (1-based); the
/// statement fetches `per_parent + 1` rows per parent, so a row numbered
/// `per_parent + 1` means that parent has more children than were embedded.
/// Rows come back ordered by parent key, then row number.
///
/// Text parent keys are matched as the database compares them, under the column's
/// collation: under a case-insensitive one (MySQL's and MariaDB's `utf8mb4_*_ci`,
/// SQLite's `NOCASE`) 'abc', 'ABC' and 'Abc' are one key, and the database ranks
/// the children of all its spellings together. So when any parent is text, each
/// child row is joined to every parent the database holds equal to its key and
/// carries that parent's position in `parents` as an extra column,
/// [`ChildrenQuery::PARENT_INDEX_COLUMN`]; rows are numbered per position and come
/// back ordered by it. The caller matches rows back by that position, never by
/// comparing key bytes (which would drop a child stored as 'abc' for the parent
/// 'ABC', or rank two spellings' children as one parent's). Such a statement binds
/// each parent twice, so a chunk holds half as many parents.
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
    /// The column giving, for text parent keys, the position in `parents` of the
    /// parent a child row belongs to (a row equal to several given spellings comes
    /// once for each); absent when no parent is text.
    ///
    /// ```
    /// use folio::{ChildrenQuery, Select, SortSpec, Sqlite, Value};
    /// let spec = SortSpec::by_unique("id", "id");
    /// let parents = [Value::from("abc"), Value::from("ABC")];
    /// let st = ChildrenQuery::new(&spec, "owner", &parents, 2)
    ///     .render(&Sqlite, &Select::from("tags")).unwrap();
    /// assert!(st[0].sql.contains(ChildrenQuery::PARENT_INDEX_COLUMN));
    /// assert_eq!(st[0].binds.len(), 4);
    /// ```
    pub const PARENT_INDEX_COLUMN: &'static str = PARENT_INDEX;

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
        let by_position = self.parents.iter().any(|p| matches!(p, Value::Text(_)));
        let room = if by_position { (room / 2).max(1) } else { room };
        let chunk = self.max_parents.map_or(room, |m| m.min(room));
        Ok(self
            .parents
            .chunks(chunk)
            .enumerate()
            .map(|(i, parents)| {
                if by_position {
                    self.render_chunk_by_position(dialect, base, parents, i * chunk)
                } else {
                    self.render_chunk(dialect, base, parents)
                }
            })
            .collect())
    }

    /// Rows joined to the positions of the parents equal to their key (as the
    /// database compares them), numbered and ordered per position.
    fn render_chunk_by_position(
        &self,
        dialect: &dyn Dialect,
        base: &Base,
        parents: &[Value],
        first: usize,
    ) -> Statement {
        let mut w = Writer::new(dialect, base);
        w.push("SELECT * FROM (SELECT q.*, p.")
            .push(PARENT_INDEX)
            .push(", ROW_NUMBER() OVER (PARTITION BY p.")
            .push(PARENT_INDEX);
        w.order_by("q", self.spec.keys());
        w.push(") AS ").push(ROW_NUMBER_COLUMN).push(" FROM ");
        w.base(base, "q");
        w.push(" JOIN (");
        for i in 0..parents.len() {
            if i > 0 {
                w.push(" UNION ALL ");
            }
            w.push("SELECT ").push(&(first + i).to_string());
            if i == 0 {
                w.push(" AS ").push(PARENT_INDEX);
            }
        }
        w.push(") AS p ON ");
        for (i, p) in parents.iter().enumerate() {
            if i > 0 {
                w.push(" OR ");
            }
            w.push("(p.")
                .push(PARENT_INDEX)
                .push(" = ")
                .push(&(first + i).to_string())
                .push(" AND ")
                .column("q", self.parent_column)
                .push(" = ");
            w.bind(p.clone()).push(")");
        }
        self.close_chunk(&mut w, parents, true);
        w.finish()
    }

    /// ` WHERE q.<fk> IN (…)) AS w WHERE w.folio_rn <= k + 1 ORDER BY w.<fk or
    /// position>, w.folio_rn`
    fn close_chunk(&self, w: &mut Writer<'_>, parents: &[Value], by_position: bool) {
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
        w.push(" ORDER BY ");
        if by_position {
            w.push("w.").push(PARENT_INDEX);
        } else {
            w.column("w", self.parent_column);
        }
        w.push(", w.").push(ROW_NUMBER_COLUMN);
    }

    fn render_chunk(&self, dialect: &dyn Dialect, base: &Base, parents: &[Value]) -> Statement {
        let mut w = Writer::new(dialect, base);
        w.push("SELECT * FROM (SELECT q.*, ROW_NUMBER() OVER (PARTITION BY ")
            .column("q", self.parent_column);
        w.order_by("q", self.spec.keys());
        w.push(") AS ").push(ROW_NUMBER_COLUMN).push(" FROM ");
        w.base(base, "q");
        self.close_chunk(&mut w, parents, false);
        w.finish()
    }
}
