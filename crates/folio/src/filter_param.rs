//! Filters an endpoint reads from its own query parameters: declared once (name,
//! column, operator, value type), parsed and refused with a 400 naming the
//! parameter, turned into a [`Filter`].

use crate::{CompareOp, Error, Filter, Result, Value};

/// What a declared filter parameter does to its column.
///
/// ```
/// assert!(folio::FilterOp::Ge.is_range());
/// assert!(folio::FilterOp::In.is_equality());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FilterOp {
    /// `column = value`.
    Eq,
    /// `column <> value`.
    Ne,
    /// `column < value`.
    Lt,
    /// `column <= value`.
    Le,
    /// `column > value`.
    Gt,
    /// `column >= value`.
    Ge,
    /// `column IN (…)`: the parameter holds comma-separated values.
    In,
    /// `column IS NULL` when the parameter is `true`, `IS NOT NULL` when `false`.
    IsNull,
}

impl FilterOp {
    /// Whether rows match by equality with a value (`=`, `IN`): an index serves it
    /// as a prefix.
    ///
    /// ```
    /// assert!(folio::FilterOp::Eq.is_equality());
    /// assert!(!folio::FilterOp::Ne.is_equality());
    /// ```
    pub fn is_equality(self) -> bool {
        matches!(self, FilterOp::Eq | FilterOp::In)
    }

    /// Whether rows match by a range of values (`<`, `<=`, `>`, `>=`).
    ///
    /// ```
    /// assert!(folio::FilterOp::Lt.is_range());
    /// assert!(!folio::FilterOp::Eq.is_range());
    /// ```
    pub fn is_range(self) -> bool {
        matches!(
            self,
            FilterOp::Lt | FilterOp::Le | FilterOp::Gt | FilterOp::Ge
        )
    }

    fn compare(self) -> Option<CompareOp> {
        Some(match self {
            FilterOp::Eq => CompareOp::Eq,
            FilterOp::Ne => CompareOp::Ne,
            FilterOp::Lt => CompareOp::Lt,
            FilterOp::Le => CompareOp::Le,
            FilterOp::Gt => CompareOp::Gt,
            FilterOp::Ge => CompareOp::Ge,
            FilterOp::In | FilterOp::IsNull => return None,
        })
    }
}

/// The type of a declared filter parameter's value.
///
/// ```
/// let k = folio::ParamKind::Int { min: 0, max: 100 };
/// assert_ne!(k, folio::ParamKind::Text);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ParamKind {
    /// Any text (an empty value is the empty text).
    Text,
    /// An integer within `min..=max`.
    Int {
        /// The smallest value accepted.
        min: i64,
        /// The largest value accepted.
        max: i64,
    },
    /// A finite number.
    Float,
    /// `true` or `false` (also `1` or `0`).
    Bool,
    /// One of these texts.
    OneOf(Vec<String>),
}

/// A filter an endpoint reads from a query parameter: `?author_id=7` becomes
/// `"author_id" = 7`, `?min_price=100` becomes `"price_cents" >= 100`.
///
/// Declared once, on the [`crate::Endpoint`]: the endpoint parses it from every
/// request, refuses a bad value with a 400 naming the parameter, adds the filter to
/// the page's [`crate::Select`], and so binds cursors to its value. The declaration is
/// also what an index audit and an OpenAPI document read.
///
/// ```
/// use folio::{FilterParam, Postgres};
/// let p = FilterParam::ge("min_price").column("price_cents").int_range(0, i64::MAX);
/// let f = p.parse("100").unwrap();
/// assert_eq!(f.to_sql(&Postgres).unwrap().sql, r#""price_cents" >= $1"#);
/// let e = p.parse("cheap").unwrap_err();
/// assert_eq!((e.param(), e.reason()), (Some("min_price"), "must be an integer from 0 to 9223372036854775807"));
///
/// let status = FilterParam::is_in("status").one_of(&["paid", "shipped", "delivered"]);
/// assert_eq!(status.parse("paid,shipped").unwrap().to_sql(&Postgres).unwrap().sql, r#""status" IN ($1, $2)"#);
/// assert!(status.parse("lost").is_err());
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct FilterParam {
    name: String,
    column: String,
    op: FilterOp,
    kind: ParamKind,
    description: Option<String>,
}

impl FilterParam {
    /// A parameter `name` filtering the column of the same name with `op`, its value
    /// any text (see [`FilterParam::int`] and the other value types).
    ///
    /// ```
    /// use folio::{FilterOp, FilterParam};
    /// let p = FilterParam::new("tag", FilterOp::Eq);
    /// assert_eq!((p.name(), p.column_name(), p.op()), ("tag", "tag", FilterOp::Eq));
    /// ```
    pub fn new(name: &str, op: FilterOp) -> Self {
        FilterParam {
            name: name.to_owned(),
            column: name.to_owned(),
            op,
            kind: if op == FilterOp::IsNull {
                ParamKind::Bool
            } else {
                ParamKind::Text
            },
            description: None,
        }
    }

    /// `name=v` keeps the rows whose column equals `v`.
    ///
    /// ```
    /// assert_eq!(folio::FilterParam::eq("category").op(), folio::FilterOp::Eq);
    /// ```
    pub fn eq(name: &str) -> Self {
        FilterParam::new(name, FilterOp::Eq)
    }

    /// `name=v` keeps the rows whose column differs from `v`.
    ///
    /// ```
    /// assert_eq!(folio::FilterParam::ne("status").op(), folio::FilterOp::Ne);
    /// ```
    pub fn ne(name: &str) -> Self {
        FilterParam::new(name, FilterOp::Ne)
    }

    /// `name=v` keeps the rows whose column is below `v`.
    ///
    /// ```
    /// assert_eq!(folio::FilterParam::lt("before").op(), folio::FilterOp::Lt);
    /// ```
    pub fn lt(name: &str) -> Self {
        FilterParam::new(name, FilterOp::Lt)
    }

    /// `name=v` keeps the rows whose column is at most `v` (an inclusive upper bound).
    ///
    /// ```
    /// assert_eq!(folio::FilterParam::le("max_price").op(), folio::FilterOp::Le);
    /// ```
    pub fn le(name: &str) -> Self {
        FilterParam::new(name, FilterOp::Le)
    }

    /// `name=v` keeps the rows whose column is above `v`.
    ///
    /// ```
    /// assert_eq!(folio::FilterParam::gt("after").op(), folio::FilterOp::Gt);
    /// ```
    pub fn gt(name: &str) -> Self {
        FilterParam::new(name, FilterOp::Gt)
    }

    /// `name=v` keeps the rows whose column is at least `v` (an inclusive lower bound).
    ///
    /// ```
    /// assert_eq!(folio::FilterParam::ge("min_price").op(), folio::FilterOp::Ge);
    /// ```
    pub fn ge(name: &str) -> Self {
        FilterParam::new(name, FilterOp::Ge)
    }

    /// `name=a,b,c` keeps the rows whose column is one of the values.
    ///
    /// ```
    /// assert_eq!(folio::FilterParam::is_in("status").op(), folio::FilterOp::In);
    /// ```
    pub fn is_in(name: &str) -> Self {
        FilterParam::new(name, FilterOp::In)
    }

    /// `name=true` keeps the rows whose column is NULL, `name=false` the others.
    ///
    /// ```
    /// use folio::{FilterParam, Sqlite};
    /// let p = FilterParam::is_null("unrated").column("rating");
    /// assert_eq!(p.parse("true").unwrap().to_sql(&Sqlite).unwrap().sql, r#""rating" IS NULL"#);
    /// assert_eq!(p.parse("0").unwrap().to_sql(&Sqlite).unwrap().sql, r#""rating" IS NOT NULL"#);
    /// ```
    pub fn is_null(name: &str) -> Self {
        FilterParam::new(name, FilterOp::IsNull)
    }

    /// Filters `column` (of the select's output) instead of the column named like
    /// the parameter.
    ///
    /// ```
    /// assert_eq!(folio::FilterParam::le("max_price").column("price_cents").column_name(), "price_cents");
    /// ```
    pub fn column(mut self, column: &str) -> Self {
        column.clone_into(&mut self.column);
        self
    }

    /// The value is an integer (any `i64`).
    ///
    /// ```
    /// assert!(folio::FilterParam::eq("author_id").int().parse("x").is_err());
    /// ```
    pub fn int(self) -> Self {
        self.int_range(i64::MIN, i64::MAX)
    }

    /// The value is an integer within `min..=max`.
    ///
    /// ```
    /// let p = folio::FilterParam::eq("author_id").int_range(1, i64::MAX);
    /// assert!(p.parse("0").is_err() && p.parse("1").is_ok());
    /// ```
    pub fn int_range(mut self, min: i64, max: i64) -> Self {
        self.kind = ParamKind::Int { min, max };
        self
    }

    /// The value is a finite number.
    ///
    /// ```
    /// let p = folio::FilterParam::ge("min_rating").column("rating").float();
    /// assert!(p.parse("4.5").is_ok() && p.parse("NaN").is_err());
    /// ```
    pub fn float(mut self) -> Self {
        self.kind = ParamKind::Float;
        self
    }

    /// The value is `true` or `false` (`1` or `0`).
    ///
    /// ```
    /// let p = folio::FilterParam::eq("in_stock").bool();
    /// assert_eq!(p.parse("1").unwrap(), folio::Filter::eq("in_stock", true));
    /// ```
    pub fn bool(mut self) -> Self {
        self.kind = ParamKind::Bool;
        self
    }

    /// The value is one of `values`.
    ///
    /// ```
    /// let p = folio::FilterParam::eq("status").one_of(&["paid", "shipped"]);
    /// assert_eq!(p.parse("lost").unwrap_err().reason(), "must be one of: paid, shipped");
    /// ```
    pub fn one_of(mut self, values: &[&str]) -> Self {
        self.kind = ParamKind::OneOf(values.iter().map(|&v| v.to_owned()).collect());
        self
    }

    /// A sentence for the API's documentation.
    ///
    /// ```
    /// let p = folio::FilterParam::eq("category").describe("Exact category.");
    /// assert_eq!(p.description(), Some("Exact category."));
    /// ```
    pub fn describe(mut self, description: &str) -> Self {
        self.description = Some(description.to_owned());
        self
    }

    /// The query parameter's name.
    ///
    /// ```
    /// assert_eq!(folio::FilterParam::eq("category").name(), "category");
    /// ```
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The column filtered.
    ///
    /// ```
    /// assert_eq!(folio::FilterParam::eq("category").column_name(), "category");
    /// ```
    pub fn column_name(&self) -> &str {
        &self.column
    }

    /// The operator.
    ///
    /// ```
    /// assert_eq!(folio::FilterParam::is_null("x").op(), folio::FilterOp::IsNull);
    /// ```
    pub fn op(&self) -> FilterOp {
        self.op
    }

    /// The value's type.
    ///
    /// ```
    /// assert_eq!(folio::FilterParam::is_null("x").kind(), &folio::ParamKind::Bool);
    /// ```
    pub fn kind(&self) -> &ParamKind {
        &self.kind
    }

    /// The sentence given with [`FilterParam::describe`].
    ///
    /// ```
    /// assert_eq!(folio::FilterParam::eq("x").description(), None);
    /// ```
    pub fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }

    /// The filter a request's value of the parameter asks for; a value of the wrong
    /// type is an [`crate::ErrorKind::InvalidParameter`] error naming the parameter.
    ///
    /// ```
    /// let p = folio::FilterParam::eq("author_id").int();
    /// assert_eq!(p.parse("7").unwrap(), folio::Filter::eq("author_id", 7));
    /// assert_eq!(p.parse("abc").unwrap_err().param(), Some("author_id"));
    /// ```
    pub fn parse(&self, raw: &str) -> Result<Filter> {
        match self.op {
            FilterOp::In => {
                let values = raw
                    .split(',')
                    .map(|v| self.value(v))
                    .collect::<Result<Vec<_>>>()?;
                Ok(Filter::is_in(&self.column, values))
            }
            FilterOp::IsNull => match parse_bool(raw) {
                Some(true) => Ok(Filter::is_null(&self.column)),
                Some(false) => Ok(Filter::is_not_null(&self.column)),
                None => Err(Error::invalid(&self.name, "must be `true` or `false`")),
            },
            op => {
                let compare = op.compare().expect("every other operator compares");
                Ok(Filter::cmp(&self.column, compare, self.value(raw)?))
            }
        }
    }

    /// One value of the parameter, typed.
    fn value(&self, raw: &str) -> Result<Value> {
        match &self.kind {
            ParamKind::Text => Ok(Value::from(raw)),
            ParamKind::Int { min, max } => raw
                .trim()
                .parse::<i64>()
                .ok()
                .filter(|v| (min..=max).contains(&v))
                .map(Value::Int)
                .ok_or_else(|| {
                    Error::invalid(
                        &self.name,
                        format!("must be an integer from {min} to {max}"),
                    )
                }),
            ParamKind::Float => raw
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|f| f.is_finite())
                .map(Value::Float)
                .ok_or_else(|| Error::invalid(&self.name, "must be a number")),
            ParamKind::Bool => parse_bool(raw)
                .map(Value::Bool)
                .ok_or_else(|| Error::invalid(&self.name, "must be `true` or `false`")),
            ParamKind::OneOf(values) => {
                if values.iter().any(|v| v == raw) {
                    Ok(Value::from(raw))
                } else {
                    Err(Error::invalid(
                        &self.name,
                        format!("must be one of: {}", values.join(", ")),
                    ))
                }
            }
        }
    }
}

fn parse_bool(raw: &str) -> Option<bool> {
    match raw.trim() {
        "true" | "1" => Some(true),
        "false" | "0" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operator_makes_its_filter() {
        let cases = [
            (FilterParam::eq("a").int(), Filter::eq("a", 1)),
            (FilterParam::ne("a").int(), Filter::ne("a", 1)),
            (FilterParam::lt("a").int(), Filter::lt("a", 1)),
            (FilterParam::le("a").int(), Filter::le("a", 1)),
            (FilterParam::gt("a").int(), Filter::gt("a", 1)),
            (FilterParam::ge("a").int(), Filter::ge("a", 1)),
            (FilterParam::is_in("a").int(), Filter::is_in("a", [1])),
        ];
        for (param, filter) in cases {
            assert_eq!(param.parse("1").unwrap(), filter, "{param:?}");
        }
    }

    #[test]
    fn bad_values_name_the_parameter() {
        let p = FilterParam::is_in("ids").column("id").int_range(1, 100);
        assert_eq!(p.parse("1,2").unwrap(), Filter::is_in("id", [1, 2]));
        for bad in ["", "1,", "1,x", "0", "101", "1.5"] {
            let e = p.parse(bad).unwrap_err();
            assert_eq!(e.param(), Some("ids"), "{bad}");
        }
        assert!(FilterParam::eq("r").float().parse("inf").is_err());
        assert!(FilterParam::is_null("n").parse("maybe").is_err());
    }

    #[test]
    fn text_takes_any_value_even_empty() {
        assert_eq!(
            FilterParam::eq("category").parse("").unwrap(),
            Filter::eq("category", "")
        );
    }
}
