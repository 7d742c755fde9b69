//! Typed SQL values: bind parameters and the key values of a boundary row.

use std::fmt;

/// A typed SQL value.
///
/// `Value` is what folio binds into the SQL it renders (the user's own binds and
/// the keyset boundary) and what a cursor carries for each sort column of its
/// boundary row. Timestamps are microseconds since the Unix epoch, UTC.
///
/// ```
/// use folio::Value;
/// assert_eq!(Value::from(42_i64), Value::Int(42));
/// assert_eq!(Value::from("books"), Value::Text("books".into()));
/// assert_eq!(Value::from(None::<f64>), Value::Null);
/// assert!(Value::Null.is_null());
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// SQL NULL.
    Null,
    /// A 64-bit signed integer.
    Int(i64),
    /// A 64-bit float.
    Float(f64),
    /// UTF-8 text.
    Text(String),
    /// A point in time: microseconds since 1970-01-01T00:00:00Z.
    Timestamp(i64),
    /// A boolean.
    Bool(bool),
    /// Raw bytes.
    Bytes(Vec<u8>),
}

impl Value {
    /// Whether this is SQL NULL.
    ///
    /// ```
    /// assert!(folio::Value::Null.is_null());
    /// assert!(!folio::Value::Int(0).is_null());
    /// ```
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// The name of the value's type, as used in error messages.
    ///
    /// ```
    /// assert_eq!(folio::Value::Timestamp(0).type_name(), "timestamp");
    /// ```
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Int(_) => "integer",
            Value::Float(_) => "float",
            Value::Text(_) => "text",
            Value::Timestamp(_) => "timestamp",
            Value::Bool(_) => "bool",
            Value::Bytes(_) => "bytes",
        }
    }
}

impl fmt::Display for Value {
    /// Displays the value as a SQL literal would read (for logs and docs; folio
    /// never splices values into SQL, it binds them).
    ///
    /// ```
    /// assert_eq!(folio::Value::from("it's").to_string(), "'it''s'");
    /// assert_eq!(folio::Value::Null.to_string(), "NULL");
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => f.write_str("NULL"),
            Value::Int(v) | Value::Timestamp(v) => write!(f, "{v}"),
            Value::Float(v) => write!(f, "{v}"),
            Value::Text(s) => write!(f, "'{}'", s.replace('\'', "''")),
            Value::Bool(b) => f.write_str(if *b { "TRUE" } else { "FALSE" }),
            Value::Bytes(b) => {
                f.write_str("X'")?;
                for byte in b {
                    write!(f, "{byte:02X}")?;
                }
                f.write_str("'")
            }
        }
    }
}

macro_rules! from_int {
    ($($t:ty),*) => {$(
        impl From<$t> for Value {
            fn from(v: $t) -> Self { Value::Int(i64::from(v)) }
        }
    )*};
}
from_int!(i8, i16, i32, i64, u8, u16, u32);

impl From<f64> for Value {
    fn from(v: f64) -> Self {
        Value::Float(v)
    }
}
impl From<f32> for Value {
    fn from(v: f32) -> Self {
        Value::Float(f64::from(v))
    }
}
impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Value::Bool(v)
    }
}
impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Text(v)
    }
}
impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Text(v.to_owned())
    }
}
impl From<Vec<u8>> for Value {
    fn from(v: Vec<u8>) -> Self {
        Value::Bytes(v)
    }
}
impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        v.map_or(Value::Null, Into::into)
    }
}
