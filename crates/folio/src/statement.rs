//! The user's base query and the statements folio renders around it.

use crate::{Dialect, Value};

/// The user's own query: SQL text and its binds, without ORDER BY or LIMIT.
///
/// folio wraps it as a subquery (`SELECT * FROM (<sql>) AS q …`), so the user
/// keeps writing their own SELECT, joins and filters. On PostgreSQL the SQL
/// numbers its placeholders `$1…$k`; folio numbers its own after them.
///
/// ```
/// use folio::{BaseQuery, Value};
/// let q = BaseQuery::new("SELECT * FROM products WHERE category = ?").bind("books");
/// assert_eq!(q.sql(), "SELECT * FROM products WHERE category = ?");
/// assert_eq!(q.binds(), &[Value::Text("books".into())]);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct BaseQuery {
    sql: String,
    binds: Vec<Value>,
}

impl BaseQuery {
    /// A base query with no binds.
    ///
    /// ```
    /// assert!(folio::BaseQuery::new("SELECT * FROM users").binds().is_empty());
    /// ```
    pub fn new(sql: impl Into<String>) -> Self {
        BaseQuery {
            sql: sql.into(),
            binds: Vec::new(),
        }
    }

    /// Adds a bind for the query's next placeholder.
    ///
    /// ```
    /// let q = folio::BaseQuery::new("SELECT * FROM t WHERE a = $1 AND b = $2").bind(1).bind("x");
    /// assert_eq!(q.binds().len(), 2);
    /// ```
    pub fn bind(mut self, value: impl Into<Value>) -> Self {
        self.binds.push(value.into());
        self
    }

    /// The SQL text.
    ///
    /// ```
    /// assert_eq!(folio::BaseQuery::new("SELECT 1").sql(), "SELECT 1");
    /// ```
    pub fn sql(&self) -> &str {
        &self.sql
    }

    /// The binds, in placeholder order.
    ///
    /// ```
    /// assert_eq!(folio::BaseQuery::new("SELECT ?").bind(true).binds(), &[folio::Value::Bool(true)]);
    /// ```
    pub fn binds(&self) -> &[Value] {
        &self.binds
    }
}

/// A rendered statement: SQL text and the values to bind, in order.
///
/// ```
/// use folio::{BaseQuery, CountQuery, Sqlite};
/// let st = CountQuery::exact().render(&Sqlite, &BaseQuery::new("SELECT * FROM t"));
/// assert_eq!(st.sql, "SELECT COUNT(*) FROM (SELECT * FROM t) AS q");
/// assert!(st.binds.is_empty());
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    /// The SQL text.
    pub sql: String,
    /// The binds, in the order the backend takes them.
    pub binds: Vec<Value>,
}

/// Writes a statement: tracks binds and placeholder numbers for a dialect.
pub(crate) struct Writer<'a> {
    pub(crate) dialect: &'a dyn Dialect,
    pub(crate) sql: String,
    pub(crate) binds: Vec<Value>,
}

impl<'a> Writer<'a> {
    /// A writer for statements around `base`. With numbered placeholders the
    /// base's binds take `$1…$k` once, however often the base is written.
    pub(crate) fn new(dialect: &'a dyn Dialect, base: &BaseQuery) -> Self {
        let binds = if dialect.numbered_placeholders() {
            base.binds.clone()
        } else {
            Vec::new()
        };
        Writer {
            dialect,
            sql: String::with_capacity(base.sql.len() * 2 + 128),
            binds,
        }
    }

    pub(crate) fn push(&mut self, sql: &str) -> &mut Self {
        self.sql.push_str(sql);
        self
    }

    /// `(<base sql>) AS <alias>`
    pub(crate) fn base(&mut self, base: &BaseQuery, alias: &str) -> &mut Self {
        self.sql.push('(');
        self.sql.push_str(&base.sql);
        self.sql.push_str(") AS ");
        self.sql.push_str(alias);
        if !self.dialect.numbered_placeholders() {
            self.binds.extend(base.binds.iter().cloned());
        }
        self
    }

    /// Opens a deferred join: `SELECT q.* FROM (<base>) AS q JOIN (SELECT
    /// <inner>."<unique>" FROM `; the caller writes the inner query, which selects
    /// the page's unique keys under the alias `inner`, then calls
    /// [`Writer::close_deferred_join`].
    pub(crate) fn open_deferred_join(
        &mut self,
        base: &BaseQuery,
        inner: &str,
        unique: &str,
    ) -> &mut Self {
        self.push("SELECT q.* FROM ").base(base, "q");
        self.push(" JOIN (SELECT ")
            .column(inner, unique)
            .push(" FROM ")
    }

    /// Closes a deferred join: `) AS d ON q."<unique>" = d."<unique>" ORDER BY …`,
    /// the page's full rows in `keys`' order.
    pub(crate) fn close_deferred_join(
        &mut self,
        unique: &str,
        keys: &[crate::SortKey],
    ) -> &mut Self {
        self.push(") AS d ON ").column("q", unique).push(" = ");
        self.column("d", unique);
        self.order_by("q", keys)
    }

    pub(crate) fn bind(&mut self, value: Value) -> &mut Self {
        self.binds.push(value);
        let n = self.binds.len();
        self.dialect.placeholder(n, &mut self.sql);
        self
    }

    /// `alias."column"`
    pub(crate) fn column(&mut self, alias: &str, column: &str) -> &mut Self {
        self.sql.push_str(alias);
        self.sql.push('.');
        self.dialect.quote_ident(column, &mut self.sql);
        self
    }

    pub(crate) fn quoted(&self, alias: &str, column: &str) -> String {
        let mut s = String::with_capacity(alias.len() + column.len() + 3);
        s.push_str(alias);
        s.push('.');
        self.dialect.quote_ident(column, &mut s);
        s
    }

    /// ` ORDER BY` over `keys` as they read in the traversal.
    pub(crate) fn order_by(&mut self, alias: &str, keys: &[crate::SortKey]) -> &mut Self {
        self.sql.push_str(" ORDER BY ");
        for (i, k) in keys.iter().enumerate() {
            if i > 0 {
                self.sql.push_str(", ");
            }
            let col = self.quoted(alias, k.column());
            let nulls = k.is_nullable().then(|| k.nulls());
            self.dialect
                .order_term(&col, k.order(), nulls, &mut self.sql);
        }
        self
    }

    pub(crate) fn finish(self) -> Statement {
        Statement {
            sql: self.sql,
            binds: self.binds,
        }
    }
}
