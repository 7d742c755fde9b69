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
///
/// Values compare (and hash) by type and content, floats by their bits: so `Value`
/// is `Eq` and `Hash` (a key of a map), `NaN` equals itself and `0.0` is not `-0.0`.
///
/// ```
/// use folio::Value;
/// assert_eq!(Value::Float(f64::NAN), Value::Float(f64::NAN));
/// assert_ne!(Value::Int(1), Value::Float(1.0));
/// let set: std::collections::HashSet<Value> = [Value::Int(1), Value::Int(1)].into();
/// assert_eq!(set.len(), 1);
/// ```
#[derive(Debug, Clone)]
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

impl PartialEq for Value {
    fn eq(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::Null, Value::Null) => true,
            (Value::Int(a), Value::Int(b)) | (Value::Timestamp(a), Value::Timestamp(b)) => a == b,
            (Value::Float(a), Value::Float(b)) => a.to_bits() == b.to_bits(),
            (Value::Text(a), Value::Text(b)) => a == b,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Bytes(a), Value::Bytes(b)) => a == b,
            _ => false,
        }
    }
}

impl Eq for Value {}

impl std::hash::Hash for Value {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        let mut bytes = Vec::new();
        self.canonical(&mut bytes);
        state.write(&bytes);
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

impl Value {
    /// Appends the value's canonical bytes: a type tag and a fixed encoding of the
    /// payload (what fingerprints bind: two values have the same bytes exactly when
    /// they are the same value of the same type, a float by its bits).
    pub(crate) fn canonical(&self, out: &mut Vec<u8>) {
        match self {
            Value::Null => out.push(0),
            Value::Int(n) => {
                out.push(1);
                out.extend(n.to_le_bytes());
            }
            Value::Float(f) => {
                out.push(2);
                out.extend(f.to_bits().to_le_bytes());
            }
            Value::Text(s) => {
                out.push(3);
                canonical_str(out, s);
            }
            Value::Timestamp(t) => {
                out.push(4);
                out.extend(t.to_le_bytes());
            }
            Value::Bool(b) => {
                out.push(5);
                out.push(u8::from(*b));
            }
            Value::Bytes(b) => {
                out.push(6);
                out.extend((b.len() as u64).to_le_bytes());
                out.extend_from_slice(b);
            }
        }
    }
}

/// Appends `s` length-prefixed (so that no two sequences of strings share bytes).
pub(crate) fn canonical_str(out: &mut Vec<u8>, s: &str) {
    out.extend((s.len() as u64).to_le_bytes());
    out.extend_from_slice(s.as_bytes());
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
