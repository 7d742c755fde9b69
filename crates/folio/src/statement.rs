//! Statements and the writer that renders them for a dialect.

use crate::{Dialect, Result, Value};

/// A [`crate::Select`] rendered for one dialect: its SQL, placeholders numbered from
/// 1, and its binds in order. What the statements folio writes wrap.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Base {
    pub(crate) sql: String,
    pub(crate) binds: Vec<Value>,
}

/// A rendered statement: SQL text and the values to bind, in order.
///
/// ```
/// use folio::{CountQuery, Select, Sqlite};
/// let st = CountQuery::exact().render(&Sqlite, &Select::from("t")).unwrap();
/// assert_eq!(st.sql, r#"SELECT COUNT(*) FROM (SELECT * FROM "t") AS q"#);
/// assert!(st.binds.is_empty());
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    /// The SQL text.
    pub sql: String,
    /// The binds, in the order the backend takes them.
    pub binds: Vec<Value>,
}

impl Statement {
    /// A statement of `sql` in the backend's own placeholders (`?`, `$1`), with no
    /// binds yet. For SQL written once for every backend, use [`crate::Select::sql`]
    /// and [`crate::Select::to_sql`], whose `?` are numbered as each backend wants.
    ///
    /// ```
    /// let st = folio::Statement::new("CREATE TABLE t (id INTEGER PRIMARY KEY)");
    /// assert!(st.binds.is_empty());
    /// let st = folio::Statement::new("INSERT INTO t VALUES (?)").bind(7);
    /// assert_eq!(st.binds, [folio::Value::Int(7)]);
    /// ```
    pub fn new(sql: impl Into<String>) -> Self {
        Statement {
            sql: sql.into(),
            binds: Vec::new(),
        }
    }

    /// Adds the value of the next placeholder.
    ///
    /// ```
    /// assert_eq!(folio::Statement::new("SELECT ?").bind("x").binds.len(), 1);
    /// ```
    #[must_use]
    pub fn bind(mut self, value: impl Into<Value>) -> Self {
        self.binds.push(value.into());
        self
    }
}

/// Writes a statement: tracks binds and placeholder numbers for a dialect.
pub(crate) struct Writer<'a> {
    pub(crate) dialect: &'a dyn Dialect,
    pub(crate) sql: String,
    pub(crate) binds: Vec<Value>,
}

impl<'a> Writer<'a> {
    /// A writer of a statement that wraps nothing.
    pub(crate) fn plain(dialect: &'a dyn Dialect) -> Self {
        Writer {
            dialect,
            sql: String::with_capacity(128),
            binds: Vec::new(),
        }
    }

    /// A writer for statements around `base`. With numbered placeholders the
    /// base's binds take `$1…$k` once, however often the base is written.
    pub(crate) fn new(dialect: &'a dyn Dialect, base: &Base) -> Self {
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
    pub(crate) fn base(&mut self, base: &Base, alias: &str) -> &mut Self {
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
        base: &Base,
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

    /// A column name as the dialect quotes identifiers, each dotted part on its own
    /// (`"a"."b"`).
    pub(crate) fn quote_column(&mut self, column: &str) -> &mut Self {
        for (i, part) in column.split('.').enumerate() {
            if i > 0 {
                self.sql.push('.');
            }
            self.dialect.quote_ident(part, &mut self.sql);
        }
        self
    }

    /// Writes `text`, a SQL fragment with portable placeholders: each `?` takes the
    /// next of `binds`, `??` is a literal `?`, and quotes, comments and PostgreSQL
    /// dollar quotes are copied untouched. Fails when the placeholders and the binds
    /// do not pair up.
    pub(crate) fn portable(&mut self, text: &str, binds: &[Value]) -> Result<&mut Self> {
        let bytes = text.as_bytes();
        let mut used = 0;
        let mut i = 0;
        let mut copied = 0;
        while i < bytes.len() {
            let skip_to = match bytes[i] {
                q @ (b'\'' | b'"' | b'`') => bytes[i + 1..]
                    .iter()
                    .position(|&b| b == q)
                    .map_or(bytes.len(), |p| i + 1 + p + 1),
                b'-' if bytes.get(i + 1) == Some(&b'-') => bytes[i..]
                    .iter()
                    .position(|&b| b == b'\n')
                    .map_or(bytes.len(), |p| i + p),
                b'/' if bytes.get(i + 1) == Some(&b'*') => text[i + 2..]
                    .find("*/")
                    .map_or(bytes.len(), |p| i + 2 + p + 2),
                b'$' => dollar_quote_end(text, i).unwrap_or(i + 1),
                b'?' => {
                    self.sql.push_str(&text[copied..i]);
                    if bytes.get(i + 1) == Some(&b'?') {
                        self.sql.push('?');
                        i += 2;
                    } else {
                        let Some(v) = binds.get(used) else {
                            return Err(crate::filter::bind_count_error(
                                text,
                                count_placeholders(text),
                                binds.len(),
                            ));
                        };
                        used += 1;
                        self.bind(v.clone());
                        i += 1;
                    }
                    copied = i;
                    continue;
                }
                _ => i + 1,
            };
            i = skip_to;
        }
        self.sql.push_str(&text[copied..]);
        if used != binds.len() {
            return Err(crate::filter::bind_count_error(text, used, binds.len()));
        }
        Ok(self)
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
        self.order_terms(alias, keys)
    }

    /// ` ORDER BY <lead> <order>, <keys…>`: `lead` in `order` with no NULL placement
    /// (the arm of a nullable key's NULL rows, where every row holds NULL in it:
    /// written so that the order is the index's own, see
    /// [`crate::Dialect::null_arm_orders_by_lead`]).
    pub(crate) fn order_by_led(
        &mut self,
        alias: &str,
        lead: &str,
        order: crate::Order,
        keys: &[crate::SortKey],
    ) -> &mut Self {
        self.sql.push_str(" ORDER BY ");
        let col = self.quoted(alias, lead);
        self.dialect.order_term(&col, order, None, &mut self.sql);
        if !keys.is_empty() {
            self.sql.push_str(", ");
        }
        self.order_terms(alias, keys)
    }

    fn order_terms(&mut self, alias: &str, keys: &[crate::SortKey]) -> &mut Self {
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

    /// The rendered statement as the base of others.
    pub(crate) fn finish_base(self) -> Base {
        Base {
            sql: self.sql,
            binds: self.binds,
        }
    }

    pub(crate) fn finish(self) -> Statement {
        Statement {
            sql: self.sql,
            binds: self.binds,
        }
    }
}

/// The end of a PostgreSQL dollar-quoted string starting at `start` (`$$…$$` or
/// `$tag$…$tag$`), or `None` when the `$` opens none (`$1`, a lone `$`).
fn dollar_quote_end(text: &str, start: usize) -> Option<usize> {
    let rest = &text[start + 1..];
    let tag_len = rest.find('$')?;
    let tag = &rest[..tag_len];
    let valid = tag
        .chars()
        .enumerate()
        .all(|(i, c)| c == '_' || c.is_ascii_alphabetic() || (i > 0 && c.is_ascii_digit()));
    if !valid {
        return None;
    }
    let delimiter = &text[start..start + tag_len + 2];
    let body = start + delimiter.len();
    Some(
        text[body..]
            .find(delimiter)
            .map_or(text.len(), |p| body + p + delimiter.len()),
    )
}

/// The `?` placeholders of a portable text (for an error message).
fn count_placeholders(text: &str) -> usize {
    let mut w = Writer::plain(&crate::Sqlite);
    let many = vec![Value::Null; text.len()];
    // A text has at most one placeholder per byte: bind as many NULLs as that and
    // count how many were taken.
    match w.portable(text, &many) {
        Ok(_) | Err(_) => w.binds.len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn portable(d: &dyn Dialect, text: &str, n: usize) -> Result<String> {
        let mut w = Writer::plain(d);
        let binds: Vec<Value> = (0..n).map(|i| Value::Int(i as i64)).collect();
        w.portable(text, &binds)?;
        Ok(w.sql)
    }

    #[test]
    fn placeholders_outside_quotes_and_comments_only() {
        let text = "a = ? AND b = '?' AND \"c?\" = ? -- why?\n AND d ?? ? /* ? */ AND e = $$?$$ AND f = $t$ ? $t$ AND g = $1";
        assert_eq!(
            portable(&crate::Postgres, text, 3).unwrap(),
            "a = $1 AND b = '?' AND \"c?\" = $2 -- why?\n AND d ? $3 /* ? */ AND e = $$?$$ AND f = $t$ ? $t$ AND g = $1"
        );
        assert_eq!(
            portable(&crate::Sqlite, "x IN (?, ?)", 2).unwrap(),
            "x IN (?, ?)"
        );
    }

    #[test]
    fn a_mismatch_is_an_internal_error() {
        for (text, n) in [("a = ?", 0), ("a = ?", 2), ("a = '?'", 1)] {
            let e = portable(&crate::Sqlite, text, n).unwrap_err();
            assert_eq!(e.kind(), crate::ErrorKind::Internal, "{text}");
        }
        let e = portable(&crate::Sqlite, "a = ? AND b = ?", 1).unwrap_err();
        assert!(e.reason().contains("2 `?` placeholders but 1 binds"), "{e}");
    }

    #[test]
    fn unterminated_quotes_do_not_panic() {
        for text in ["'", "\"", "`", "/*", "--", "$$", "$a$", "$", "?'"] {
            let _ = portable(&crate::Postgres, text, 1);
        }
    }
}
