//! Filters written once for every backend: typed operators on quoted columns, values
//! always bound, placeholders numbered as each backend wants.

use crate::statement::Writer;
use crate::value::canonical_str;
use crate::{Dialect, Error, Result, Value};

/// A comparison operator of a [`Filter`].
///
/// ```
/// assert_eq!(folio::CompareOp::Ge.sql(), ">=");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CompareOp {
    /// `=`
    Eq,
    /// `<>`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

impl CompareOp {
    /// The SQL operator.
    ///
    /// ```
    /// assert_eq!(folio::CompareOp::Ne.sql(), "<>");
    /// ```
    pub fn sql(self) -> &'static str {
        match self {
            CompareOp::Eq => "=",
            CompareOp::Ne => "<>",
            CompareOp::Lt => "<",
            CompareOp::Le => "<=",
            CompareOp::Gt => ">",
            CompareOp::Ge => ">=",
        }
    }
}

/// A condition on the rows of a [`crate::Select`]: built from typed operators on
/// columns (quoted as the backend quotes identifiers) and values (always bound, never
/// spliced into the SQL), combined with [`Filter::and`] and [`Filter::or`].
///
/// The same filter renders for SQLite (`?`), PostgreSQL (`$1`, `$2`…) and MySQL
/// (`?`, backtick identifiers). A filter on a `NULL` value means `IS NULL`
/// ([`Filter::eq`]) or `IS NOT NULL` ([`Filter::ne`]), as a user would mean it.
///
/// ```
/// use folio::{Filter, Postgres, Sqlite};
/// let f = Filter::eq("author_id", 7).and(Filter::ge("published_at", "2024-01-01"));
/// assert_eq!(f.to_sql(&Postgres).unwrap().sql, r#""author_id" = $1 AND "published_at" >= $2"#);
/// assert_eq!(f.to_sql(&Sqlite).unwrap().sql, r#""author_id" = ? AND "published_at" >= ?"#);
/// assert_eq!(f.to_sql(&Sqlite).unwrap().binds, [folio::Value::Int(7), "2024-01-01".into()]);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Filter(Node);

#[derive(Debug, Clone, PartialEq)]
enum Node {
    Compare {
        column: String,
        op: CompareOp,
        value: Value,
    },
    Between {
        column: String,
        low: Value,
        high: Value,
    },
    In {
        column: String,
        values: Vec<Value>,
    },
    Null {
        column: String,
        negated: bool,
    },
    And(Vec<Filter>),
    Or(Vec<Filter>),
    Not(Box<Filter>),
    Sql {
        text: String,
        binds: Vec<Value>,
    },
}

impl Filter {
    fn compare(column: &str, op: CompareOp, value: impl Into<Value>) -> Filter {
        Filter(Node::Compare {
            column: column.to_owned(),
            op,
            value: value.into(),
        })
    }

    /// `column = value`; `column IS NULL` when the value is `NULL`.
    ///
    /// ```
    /// use folio::{Filter, Sqlite};
    /// assert_eq!(Filter::eq("a", 1).to_sql(&Sqlite).unwrap().sql, r#""a" = ?"#);
    /// assert_eq!(Filter::eq("a", None::<i64>).to_sql(&Sqlite).unwrap().sql, r#""a" IS NULL"#);
    /// ```
    pub fn eq(column: &str, value: impl Into<Value>) -> Filter {
        Filter::compare(column, CompareOp::Eq, value)
    }

    /// `column <> value`; `column IS NOT NULL` when the value is `NULL`.
    ///
    /// ```
    /// use folio::{Filter, MySql};
    /// assert_eq!(Filter::ne("status", "cancelled").to_sql(&MySql).unwrap().sql, "`status` <> ?");
    /// ```
    pub fn ne(column: &str, value: impl Into<Value>) -> Filter {
        Filter::compare(column, CompareOp::Ne, value)
    }

    /// `column < value`.
    ///
    /// ```
    /// assert_eq!(folio::Filter::lt("a", 1).to_sql(&folio::Postgres).unwrap().sql, r#""a" < $1"#);
    /// ```
    pub fn lt(column: &str, value: impl Into<Value>) -> Filter {
        Filter::compare(column, CompareOp::Lt, value)
    }

    /// `column <= value`.
    ///
    /// ```
    /// assert_eq!(folio::Filter::le("a", 1).to_sql(&folio::Postgres).unwrap().sql, r#""a" <= $1"#);
    /// ```
    pub fn le(column: &str, value: impl Into<Value>) -> Filter {
        Filter::compare(column, CompareOp::Le, value)
    }

    /// `column > value`.
    ///
    /// ```
    /// assert_eq!(folio::Filter::gt("a", 1).to_sql(&folio::Postgres).unwrap().sql, r#""a" > $1"#);
    /// ```
    pub fn gt(column: &str, value: impl Into<Value>) -> Filter {
        Filter::compare(column, CompareOp::Gt, value)
    }

    /// `column >= value`.
    ///
    /// ```
    /// assert_eq!(folio::Filter::ge("a", 1).to_sql(&folio::Postgres).unwrap().sql, r#""a" >= $1"#);
    /// ```
    pub fn ge(column: &str, value: impl Into<Value>) -> Filter {
        Filter::compare(column, CompareOp::Ge, value)
    }

    /// A comparison by operator: `column <op> value`.
    ///
    /// ```
    /// use folio::{CompareOp, Filter};
    /// assert_eq!(Filter::cmp("a", CompareOp::Gt, 1), Filter::gt("a", 1));
    /// ```
    pub fn cmp(column: &str, op: CompareOp, value: impl Into<Value>) -> Filter {
        Filter::compare(column, op, value)
    }

    /// `column BETWEEN low AND high` (both bounds inclusive).
    ///
    /// ```
    /// let f = folio::Filter::between("price_cents", 100, 500);
    /// assert_eq!(f.to_sql(&folio::Postgres).unwrap().sql, r#""price_cents" BETWEEN $1 AND $2"#);
    /// ```
    pub fn between(column: &str, low: impl Into<Value>, high: impl Into<Value>) -> Filter {
        Filter(Node::Between {
            column: column.to_owned(),
            low: low.into(),
            high: high.into(),
        })
    }

    /// `column IN (v1, v2, …)`; an empty list matches no row (`1 = 0`).
    ///
    /// ```
    /// use folio::{Filter, Postgres, Sqlite};
    /// let f = Filter::is_in("status", ["paid", "shipped"]);
    /// assert_eq!(f.to_sql(&Postgres).unwrap().sql, r#""status" IN ($1, $2)"#);
    /// assert_eq!(Filter::is_in("status", Vec::<&str>::new()).to_sql(&Sqlite).unwrap().sql, "1 = 0");
    /// ```
    pub fn is_in<V: Into<Value>>(column: &str, values: impl IntoIterator<Item = V>) -> Filter {
        Filter(Node::In {
            column: column.to_owned(),
            values: values.into_iter().map(Into::into).collect(),
        })
    }

    /// `column IS NULL`.
    ///
    /// ```
    /// assert_eq!(folio::Filter::is_null("rating").to_sql(&folio::Sqlite).unwrap().sql, r#""rating" IS NULL"#);
    /// ```
    pub fn is_null(column: &str) -> Filter {
        Filter(Node::Null {
            column: column.to_owned(),
            negated: false,
        })
    }

    /// `column IS NOT NULL`.
    ///
    /// ```
    /// assert_eq!(folio::Filter::is_not_null("rating").to_sql(&folio::Sqlite).unwrap().sql, r#""rating" IS NOT NULL"#);
    /// ```
    pub fn is_not_null(column: &str) -> Filter {
        Filter(Node::Null {
            column: column.to_owned(),
            negated: true,
        })
    }

    /// A condition in SQL with portable placeholders: each `?` takes the next of
    /// `binds` and is written as the backend numbers it (`$n` on PostgreSQL); `??` is
    /// a literal `?` (PostgreSQL's JSON operators). `?` inside quotes and comments is
    /// left alone. The text is yours: write identifiers and operators, never values.
    ///
    /// ```
    /// use folio::{Filter, Postgres, Value};
    /// let f = Filter::sql("lower(title) LIKE ? AND tags ?? ?", [Value::from("%rust%"), "news".into()]);
    /// assert_eq!(f.to_sql(&Postgres).unwrap().sql, "(lower(title) LIKE $1 AND tags ? $2)");
    /// ```
    pub fn sql(text: &str, binds: impl IntoIterator<Item = Value>) -> Filter {
        Filter(Node::Sql {
            text: text.to_owned(),
            binds: binds.into_iter().collect(),
        })
    }

    /// Both this and `other` (`a AND b`).
    ///
    /// ```
    /// use folio::Filter;
    /// let f = Filter::eq("a", 1).and(Filter::eq("b", 2)).and(Filter::eq("c", 3));
    /// assert_eq!(f.to_sql(&folio::Sqlite).unwrap().sql, r#""a" = ? AND "b" = ? AND "c" = ?"#);
    /// ```
    pub fn and(self, other: Filter) -> Filter {
        match self.0 {
            Node::And(mut all) => {
                all.push(other);
                Filter(Node::And(all))
            }
            node => Filter(Node::And(vec![Filter(node), other])),
        }
    }

    /// This or `other` (`(a OR b)`).
    ///
    /// ```
    /// use folio::Filter;
    /// let f = Filter::eq("a", 1).or(Filter::is_null("a")).and(Filter::eq("b", 2));
    /// assert_eq!(f.to_sql(&folio::Sqlite).unwrap().sql, r#"("a" = ? OR "a" IS NULL) AND "b" = ?"#);
    /// ```
    pub fn or(self, other: Filter) -> Filter {
        match self.0 {
            Node::Or(mut any) => {
                any.push(other);
                Filter(Node::Or(any))
            }
            node => Filter(Node::Or(vec![Filter(node), other])),
        }
    }

    /// Every row this filter does not match (`NOT (…)`).
    ///
    /// ```
    /// let f = folio::Filter::not(folio::Filter::eq("a", 1));
    /// assert_eq!(f.to_sql(&folio::Sqlite).unwrap().sql, r#"NOT ("a" = ?)"#);
    /// ```
    #[allow(clippy::should_implement_trait)] // `!filter` would read worse in a query
    pub fn not(filter: Filter) -> Filter {
        Filter(Node::Not(Box::new(filter)))
    }

    /// The filter as SQL for `dialect`, placeholders numbered from 1 (a WHERE clause's
    /// body, without `WHERE`).
    ///
    /// Fails with [`crate::ErrorKind::Internal`] when a [`Filter::sql`] text has more
    /// or fewer `?` than binds.
    ///
    /// ```
    /// let e = folio::Filter::sql("a = ?", []).to_sql(&folio::Sqlite).unwrap_err();
    /// assert_eq!(e.kind(), folio::ErrorKind::Internal);
    /// ```
    pub fn to_sql(&self, dialect: &dyn Dialect) -> Result<crate::Statement> {
        let mut w = Writer::plain(dialect);
        self.write(&mut w, false)?;
        Ok(w.finish())
    }

    /// The columns this filter compares with a value by equality (`=` or `IN`) in every
    /// row it matches: the columns an index should lead with. `OR`, `NOT` and SQL
    /// texts contribute none.
    ///
    /// ```
    /// use folio::Filter;
    /// let f = Filter::eq("category", "books").and(Filter::ge("price_cents", 100));
    /// assert_eq!(f.equality_columns(), ["category"]);
    /// ```
    pub fn equality_columns(&self) -> Vec<&str> {
        let mut out = Vec::new();
        self.collect_columns(&mut out, true);
        out
    }

    /// The columns this filter bounds by a range (`<`, `<=`, `>`, `>=`, `BETWEEN`) in
    /// every row it matches.
    ///
    /// ```
    /// use folio::Filter;
    /// let f = Filter::eq("category", "books").and(Filter::ge("price_cents", 100));
    /// assert_eq!(f.range_columns(), ["price_cents"]);
    /// ```
    pub fn range_columns(&self) -> Vec<&str> {
        let mut out = Vec::new();
        self.collect_columns(&mut out, false);
        out
    }

    fn collect_columns<'a>(&'a self, out: &mut Vec<&'a str>, equality: bool) {
        match &self.0 {
            Node::Compare { column, op, value } => {
                let is_eq = *op == CompareOp::Eq && !value.is_null();
                let is_range = matches!(
                    op,
                    CompareOp::Lt | CompareOp::Le | CompareOp::Gt | CompareOp::Ge
                );
                if (equality && is_eq) || (!equality && is_range) {
                    out.push(column);
                }
            }
            Node::Between { column, .. } if !equality => out.push(column),
            Node::In { column, values } if equality && !values.is_empty() => out.push(column),
            Node::And(all) => {
                for f in all {
                    f.collect_columns(out, equality);
                }
            }
            _ => {}
        }
    }

    /// Writes the filter; `nested` wraps an `AND` in parentheses (inside an `OR`).
    pub(crate) fn write(&self, w: &mut Writer<'_>, nested: bool) -> Result<()> {
        match &self.0 {
            Node::Compare { column, op, value } => {
                w.quote_column(column);
                match (op, value.is_null()) {
                    (CompareOp::Eq, true) => {
                        w.push(" IS NULL");
                    }
                    (CompareOp::Ne, true) => {
                        w.push(" IS NOT NULL");
                    }
                    _ => {
                        w.push(" ");
                        w.push(op.sql());
                        w.push(" ");
                        w.bind(value.clone());
                    }
                }
            }
            Node::Between { column, low, high } => {
                w.quote_column(column);
                w.push(" BETWEEN ");
                w.bind(low.clone());
                w.push(" AND ");
                w.bind(high.clone());
            }
            Node::In { column, values } => {
                if values.is_empty() {
                    w.push("1 = 0");
                    return Ok(());
                }
                w.quote_column(column);
                w.push(" IN (");
                for (i, v) in values.iter().enumerate() {
                    if i > 0 {
                        w.push(", ");
                    }
                    w.bind(v.clone());
                }
                w.push(")");
            }
            Node::Null { column, negated } => {
                w.quote_column(column);
                w.push(if *negated { " IS NOT NULL" } else { " IS NULL" });
            }
            Node::And(all) => {
                if nested {
                    w.push("(");
                }
                for (i, f) in all.iter().enumerate() {
                    if i > 0 {
                        w.push(" AND ");
                    }
                    f.write(w, true)?;
                }
                if nested {
                    w.push(")");
                }
            }
            Node::Or(any) => {
                w.push("(");
                for (i, f) in any.iter().enumerate() {
                    if i > 0 {
                        w.push(" OR ");
                    }
                    f.write(w, true)?;
                }
                w.push(")");
            }
            Node::Not(inner) => {
                w.push("NOT (");
                inner.write(w, false)?;
                w.push(")");
            }
            Node::Sql { text, binds } => {
                w.push("(");
                w.portable(text, binds)?;
                w.push(")");
            }
        }
        Ok(())
    }

    /// Appends the filter's canonical bytes (what a cursor's fingerprint binds): the
    /// structure, the columns and the typed values.
    pub(crate) fn canonical(&self, out: &mut Vec<u8>) {
        match &self.0 {
            Node::Compare { column, op, value } => {
                out.push(1);
                canonical_str(out, column);
                out.push(*op as u8);
                value.canonical(out);
            }
            Node::Between { column, low, high } => {
                out.push(2);
                canonical_str(out, column);
                low.canonical(out);
                high.canonical(out);
            }
            Node::In { column, values } => {
                out.push(3);
                canonical_str(out, column);
                out.extend((values.len() as u64).to_le_bytes());
                for v in values {
                    v.canonical(out);
                }
            }
            Node::Null { column, negated } => {
                out.push(4);
                canonical_str(out, column);
                out.push(u8::from(*negated));
            }
            Node::And(all) | Node::Or(all) => {
                out.push(if matches!(self.0, Node::And(_)) { 5 } else { 6 });
                out.extend((all.len() as u64).to_le_bytes());
                for f in all {
                    f.canonical(out);
                }
            }
            Node::Not(inner) => {
                out.push(7);
                inner.canonical(out);
            }
            Node::Sql { text, binds } => {
                out.push(8);
                canonical_str(out, text);
                out.extend((binds.len() as u64).to_le_bytes());
                for v in binds {
                    v.canonical(out);
                }
            }
        }
    }
}

/// A filter from a portable-SQL text whose `?` count does not match its binds.
pub(crate) fn bind_count_error(text: &str, placeholders: usize, binds: usize) -> Error {
    let shown: String = text.chars().take(80).collect();
    Error::internal(format!(
        "the SQL `{shown}` has {placeholders} `?` placeholders but {binds} binds"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{MySql, Postgres, Sqlite};

    #[test]
    fn every_backend_quotes_and_numbers_its_own_way() {
        let f = Filter::eq("a.b", "x")
            .and(Filter::is_in("c", [1, 2]))
            .and(Filter::between("d", 1, 9).or(Filter::is_null("d")));
        assert_eq!(
            f.to_sql(&Postgres).unwrap().sql,
            r#""a"."b" = $1 AND "c" IN ($2, $3) AND ("d" BETWEEN $4 AND $5 OR "d" IS NULL)"#
        );
        assert_eq!(
            f.to_sql(&MySql).unwrap().sql,
            "`a`.`b` = ? AND `c` IN (?, ?) AND (`d` BETWEEN ? AND ? OR `d` IS NULL)"
        );
        assert_eq!(f.to_sql(&Sqlite).unwrap().binds.len(), 5);
    }

    #[test]
    fn identifiers_cannot_escape_their_quotes() {
        let f = Filter::eq("x\" OR 1=1 --", 1);
        assert_eq!(f.to_sql(&Sqlite).unwrap().sql, r#""x"" OR 1=1 --" = ?"#);
        let f = Filter::eq("x` OR 1=1", 1);
        assert_eq!(f.to_sql(&MySql).unwrap().sql, "`x`` OR 1=1` = ?");
    }

    #[test]
    fn nested_ands_inside_ors_get_parentheses() {
        let f = Filter::eq("a", 1)
            .and(Filter::eq("b", 2))
            .or(Filter::eq("c", 3));
        assert_eq!(
            f.to_sql(&Sqlite).unwrap().sql,
            r#"(("a" = ? AND "b" = ?) OR "c" = ?)"#
        );
    }

    #[test]
    fn canonical_bytes_tell_values_and_types_apart() {
        let bytes = |f: &Filter| {
            let mut out = Vec::new();
            f.canonical(&mut out);
            out
        };
        assert_ne!(bytes(&Filter::eq("a", 1)), bytes(&Filter::eq("a", 2)));
        assert_ne!(bytes(&Filter::eq("a", 1)), bytes(&Filter::eq("a", "1")));
        assert_ne!(bytes(&Filter::eq("a", 1)), bytes(&Filter::ge("a", 1)));
        assert_ne!(bytes(&Filter::eq("ab", "c")), bytes(&Filter::eq("a", "bc")));
        assert_eq!(bytes(&Filter::eq("a", 1)), bytes(&Filter::eq("a", 1)));
    }
}
