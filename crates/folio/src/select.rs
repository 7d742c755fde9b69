//! The query a page is cut from, written once for every backend.

use crate::statement::{Base, Writer};
use crate::value::canonical_str;
use crate::{Dialect, Filter, Result, Statement, Value};

/// Where the rows come from.
#[derive(Debug, Clone, PartialEq)]
enum Source {
    /// A table (or view), quoted as an identifier.
    Table(String),
    /// A SELECT in SQL with portable `?` placeholders, and its binds.
    Sql { text: String, binds: Vec<Value> },
}

/// The query a page is cut from: a table or a SQL text, the columns to read, and the
/// filters. folio wraps it (keyset predicate, `ORDER BY`, `LIMIT n + 1`, counts),
/// so it holds no ordering or limit of its own.
///
/// Everything is portable: the table and the columns are quoted as each backend
/// quotes identifiers, filters are typed ([`Filter`]), and a SQL text uses `?` for
/// its placeholders, numbered `$1…` on PostgreSQL. No value is ever spliced into
/// the SQL.
///
/// A cursor is bound to the select's source and filters (with their values): a
/// cursor taken under `author_id = 1` is refused under `author_id = 2`. The columns
/// are not bound, so a client may change `fields` between pages.
///
/// ```
/// use folio::{Filter, Postgres, Select, Sqlite, MySql};
/// let s = Select::from("articles")
///     .columns(["id", "title", "published_at"])
///     .filter(Filter::eq("author_id", 7));
/// assert_eq!(
///     s.to_sql(&Postgres).unwrap().sql,
///     r#"SELECT "id", "title", "published_at" FROM "articles" WHERE "author_id" = $1"#
/// );
/// assert_eq!(
///     s.to_sql(&MySql).unwrap().sql,
///     "SELECT `id`, `title`, `published_at` FROM `articles` WHERE `author_id` = ?"
/// );
///
/// // A SQL text of your own (joins, expressions), still with portable placeholders.
/// let s = Select::sql("SELECT a.id, u.name AS author FROM articles a JOIN users u ON u.id = a.author_id WHERE u.active = ?")
///     .bind(true)
///     .filter(Filter::eq("author", "Ada"));
/// assert_eq!(
///     s.to_sql(&Postgres).unwrap().sql,
///     "SELECT * FROM (SELECT a.id, u.name AS author FROM articles a JOIN users u ON u.id = a.author_id \
///      WHERE u.active = $1) AS f WHERE \"author\" = $2"
/// );
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Select {
    source: Source,
    columns: Vec<String>,
    filters: Vec<Filter>,
}

impl Select {
    /// Every column of `table` (a table or a view; `schema.table` is quoted part by
    /// part).
    ///
    /// ```
    /// assert_eq!(folio::Select::from("shop.products").to_sql(&folio::Sqlite).unwrap().sql, r#"SELECT * FROM "shop"."products""#);
    /// ```
    pub fn from(table: &str) -> Select {
        Select {
            source: Source::Table(table.to_owned()),
            columns: Vec::new(),
            filters: Vec::new(),
        }
    }

    /// A SELECT of your own, in SQL with portable `?` placeholders (add their values
    /// with [`Select::bind`]; `??` is a literal `?`). It must not end in `ORDER BY` or
    /// `LIMIT`: folio adds them. Filters and columns given afterwards apply to its
    /// output columns.
    ///
    /// ```
    /// let s = folio::Select::sql("SELECT * FROM t WHERE a = ? AND b = ?").bind(1).bind("x");
    /// assert_eq!(s.to_sql(&folio::Postgres).unwrap().sql, "SELECT * FROM t WHERE a = $1 AND b = $2");
    /// ```
    pub fn sql(text: &str) -> Select {
        Select {
            source: Source::Sql {
                text: text.to_owned(),
                binds: Vec::new(),
            },
            columns: Vec::new(),
            filters: Vec::new(),
        }
    }

    /// Adds the value of the SQL text's next `?` (a no-op on a [`Select::from`]
    /// select, which has no text).
    ///
    /// ```
    /// let s = folio::Select::sql("SELECT * FROM t WHERE a = ?").bind(5);
    /// assert_eq!(s.to_sql(&folio::Sqlite).unwrap().binds, [folio::Value::Int(5)]);
    /// ```
    pub fn bind(mut self, value: impl Into<Value>) -> Select {
        if let Source::Sql { binds, .. } = &mut self.source {
            binds.push(value.into());
        }
        self
    }

    /// Reads only `columns` (default: every column). The ordering's columns and the
    /// unique key must be among them.
    ///
    /// ```
    /// let s = folio::Select::from("t").columns(["id", "name"]);
    /// assert_eq!(s.to_sql(&folio::Sqlite).unwrap().sql, r#"SELECT "id", "name" FROM "t""#);
    /// ```
    pub fn columns<C: AsRef<str>>(mut self, columns: impl IntoIterator<Item = C>) -> Select {
        self.columns = columns.into_iter().map(|c| c.as_ref().to_owned()).collect();
        self
    }

    /// Adds one column to read.
    ///
    /// ```
    /// let s = folio::Select::from("t").columns(["id"]).column("description");
    /// assert_eq!(s.to_sql(&folio::Sqlite).unwrap().sql, r#"SELECT "id", "description" FROM "t""#);
    /// ```
    pub fn column(mut self, column: &str) -> Select {
        self.columns.push(column.to_owned());
        self
    }

    /// Keeps only the rows `filter` matches (filters add up with `AND`). `None` adds
    /// nothing, so an optional query parameter reads in one line.
    ///
    /// ```
    /// use folio::{Filter, Select};
    /// let author: Option<i64> = None;
    /// let s = Select::from("t").filter(author.map(|a| Filter::eq("author_id", a)));
    /// assert_eq!(s.to_sql(&folio::Sqlite).unwrap().sql, r#"SELECT * FROM "t""#);
    /// ```
    pub fn filter(mut self, filter: impl Into<Option<Filter>>) -> Select {
        if let Some(f) = filter.into() {
            self.filters.push(f);
        }
        self
    }

    /// The filters, in the order given.
    ///
    /// ```
    /// let s = folio::Select::from("t").filter(folio::Filter::eq("a", 1));
    /// assert_eq!(s.filters().len(), 1);
    /// ```
    pub fn filters(&self) -> &[Filter] {
        &self.filters
    }

    /// The table of a [`Select::from`] select (`None` for a SQL text).
    ///
    /// ```
    /// assert_eq!(folio::Select::from("t").table(), Some("t"));
    /// assert_eq!(folio::Select::sql("SELECT 1").table(), None);
    /// ```
    pub fn table(&self) -> Option<&str> {
        match &self.source {
            Source::Table(t) => Some(t),
            Source::Sql { .. } => None,
        }
    }

    /// Whether this reads a whole table: a [`Select::from`] with no filter, whose row
    /// count the table's statistics estimate.
    ///
    /// ```
    /// use folio::{Filter, Select};
    /// assert!(Select::from("t").is_whole_table());
    /// assert!(!Select::from("t").filter(Filter::eq("a", 1)).is_whole_table());
    /// ```
    pub fn is_whole_table(&self) -> bool {
        self.table().is_some() && self.filters.is_empty()
    }

    /// The select as SQL for `dialect`, placeholders numbered from 1.
    ///
    /// Fails with [`crate::ErrorKind::Internal`] when a SQL text's `?` and its binds
    /// do not pair up.
    ///
    /// ```
    /// let e = folio::Select::sql("SELECT * FROM t WHERE a = ?").to_sql(&folio::Sqlite).unwrap_err();
    /// assert_eq!(e.kind(), folio::ErrorKind::Internal);
    /// ```
    pub fn to_sql(&self, dialect: &dyn Dialect) -> Result<Statement> {
        let base = self.base(dialect)?;
        Ok(Statement {
            sql: base.sql,
            binds: base.binds,
        })
    }

    /// The select rendered as the base of folio's statements.
    pub(crate) fn base(&self, dialect: &dyn Dialect) -> Result<Base> {
        let mut w = Writer::plain(dialect);
        let columns = |w: &mut Writer<'_>| {
            if self.columns.is_empty() {
                w.push("*");
            }
            for (i, c) in self.columns.iter().enumerate() {
                if i > 0 {
                    w.push(", ");
                }
                w.quote_column(c);
            }
        };
        match &self.source {
            Source::Table(table) => {
                w.push("SELECT ");
                columns(&mut w);
                w.push(" FROM ").quote_column(table);
            }
            Source::Sql { text, binds } => {
                if self.columns.is_empty() && self.filters.is_empty() {
                    w.portable(text, binds)?;
                } else {
                    w.push("SELECT ");
                    columns(&mut w);
                    w.push(" FROM (");
                    w.portable(text, binds)?;
                    w.push(") AS f");
                }
            }
        }
        for (i, f) in self.filters.iter().enumerate() {
            w.push(if i == 0 { " WHERE " } else { " AND " });
            f.write(&mut w, true)?;
        }
        Ok(w.finish_base())
    }

    /// The select's canonical bytes: its source (with its binds) and every filter
    /// with its typed values, not its columns. Two selects have the same bytes
    /// exactly when they are built alike to read the same rows: a cursor is bound to
    /// them, and a cache of row positions (bookmarks) keys on them.
    ///
    /// ```
    /// use folio::{Filter, Select};
    /// let a = Select::from("t").filter(Filter::eq("a", 1));
    /// assert_eq!(a.canonical_bytes(), a.clone().columns(["id"]).canonical_bytes());
    /// assert_ne!(a.canonical_bytes(), Select::from("t").canonical_bytes());
    /// ```
    pub fn canonical_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(64);
        self.canonical(&mut out);
        out
    }

    /// Appends the select's canonical bytes (see [`Select::canonical_bytes`]).
    pub(crate) fn canonical(&self, out: &mut Vec<u8>) {
        match &self.source {
            Source::Table(t) => {
                out.push(1);
                canonical_str(out, t);
            }
            Source::Sql { text, binds } => {
                out.push(2);
                canonical_str(out, text);
                out.extend((binds.len() as u64).to_le_bytes());
                for v in binds {
                    v.canonical(out);
                }
            }
        }
        out.extend((self.filters.len() as u64).to_le_bytes());
        for f in &self.filters {
            f.canonical(out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Postgres, Sqlite};

    fn canonical(s: &Select) -> Vec<u8> {
        let mut out = Vec::new();
        s.canonical(&mut out);
        out
    }

    #[test]
    fn filters_and_between_parentheses() {
        let s = Select::from("p")
            .filter(Filter::eq("a", 1).or(Filter::eq("b", 2)))
            .filter(Filter::eq("c", 3).and(Filter::eq("d", 4)));
        assert_eq!(
            s.to_sql(&Postgres).unwrap().sql,
            r#"SELECT * FROM "p" WHERE ("a" = $1 OR "b" = $2) AND ("c" = $3 AND "d" = $4)"#
        );
    }

    #[test]
    fn canonical_bytes_bind_source_and_filters_not_columns() {
        let base = Select::from("articles").filter(Filter::eq("author_id", 1));
        assert_eq!(
            canonical(&base),
            canonical(&base.clone().columns(["id", "title"]))
        );
        assert_ne!(
            canonical(&base),
            canonical(&Select::from("articles").filter(Filter::eq("author_id", 2)))
        );
        assert_ne!(canonical(&base), canonical(&Select::from("articles")));
        assert_ne!(
            canonical(&Select::sql("SELECT * FROM t WHERE a = ?").bind(1)),
            canonical(&Select::sql("SELECT * FROM t WHERE a = ?").bind(2))
        );
    }

    #[test]
    fn a_sql_text_passes_through_unless_shaped() {
        let s = Select::sql("SELECT * FROM t");
        assert_eq!(s.to_sql(&Sqlite).unwrap().sql, "SELECT * FROM t");
        let s = Select::sql("SELECT * FROM t").columns(["a"]);
        assert_eq!(
            s.to_sql(&Sqlite).unwrap().sql,
            r#"SELECT "a" FROM (SELECT * FROM t) AS f"#
        );
    }
}
