//! A row of [`crate::Rusqlite`] read by serde: a struct from its columns by name, a
//! tuple from its columns in order.

use folio::Value;
use serde::de::{self, DeserializeSeed, IntoDeserializer, MapAccess, SeqAccess, Visitor};

/// Why a row does not deserialize.
#[derive(Debug)]
pub(crate) struct RowError(String);

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for RowError {}

impl de::Error for RowError {
    fn custom<T: std::fmt::Display>(msg: T) -> Self {
        RowError(msg.to_string())
    }
}

/// A whole row: a map of its columns (a struct), or a sequence (a tuple).
pub(crate) struct RowDeserializer<'a> {
    names: &'a [String],
    values: &'a [Value],
}

impl<'a> RowDeserializer<'a> {
    pub(crate) fn new(names: &'a [String], values: &'a [Value]) -> Self {
        RowDeserializer { names, values }
    }
}

impl<'de> de::Deserializer<'de> for RowDeserializer<'de> {
    type Error = RowError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, RowError> {
        self.deserialize_map(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, RowError> {
        visitor.visit_map(Columns {
            names: self.names,
            values: self.values,
            at: 0,
        })
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, RowError> {
        self.deserialize_map(visitor)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, RowError> {
        visitor.visit_seq(Values {
            values: self.values,
            at: 0,
        })
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, RowError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, RowError> {
        self.deserialize_seq(visitor)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct enum identifier ignored_any
    }
}

/// The columns of a row, as a map from name to value.
struct Columns<'a> {
    names: &'a [String],
    values: &'a [Value],
    at: usize,
}

impl<'de> MapAccess<'de> for Columns<'de> {
    type Error = RowError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, RowError> {
        match self.names.get(self.at) {
            Some(name) => seed
                .deserialize(name.as_str().into_deserializer())
                .map(Some),
            None => Ok(None),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, RowError> {
        let value = self
            .values
            .get(self.at)
            .ok_or_else(|| RowError("a column without a value".to_owned()))?;
        let name = &self.names[self.at];
        self.at += 1;
        seed.deserialize(ValueDeserializer(value))
            .map_err(|e| RowError(format!("column `{name}`: {e}")))
    }
}

/// The values of a row, in column order.
struct Values<'a> {
    values: &'a [Value],
    at: usize,
}

impl<'de> SeqAccess<'de> for Values<'de> {
    type Error = RowError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, RowError> {
        match self.values.get(self.at) {
            Some(value) => {
                self.at += 1;
                seed.deserialize(ValueDeserializer(value)).map(Some)
            }
            None => Ok(None),
        }
    }
}

/// One value, read as the type asked for where SQLite's storage classes allow it (an
/// integer as a float or a boolean).
struct ValueDeserializer<'a>(&'a Value);

impl<'de> de::Deserializer<'de> for ValueDeserializer<'de> {
    type Error = RowError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, RowError> {
        match self.0 {
            Value::Null => visitor.visit_unit(),
            Value::Int(n) | Value::Timestamp(n) => visitor.visit_i64(*n),
            Value::Float(f) => visitor.visit_f64(*f),
            Value::Text(s) => visitor.visit_borrowed_str(s),
            Value::Bool(b) => visitor.visit_bool(*b),
            Value::Bytes(b) => visitor.visit_borrowed_bytes(b),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, RowError> {
        match self.0 {
            Value::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, RowError> {
        match self.0 {
            Value::Int(n) => visitor.visit_f64(*n as f64),
            _ => self.deserialize_any(visitor),
        }
    }

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, RowError> {
        self.deserialize_f64(visitor)
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, RowError> {
        match self.0 {
            Value::Int(n) => visitor.visit_bool(*n != 0),
            _ => self.deserialize_any(visitor),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, RowError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, RowError> {
        match self.0 {
            Value::Text(s) => visitor.visit_enum(s.as_str().into_deserializer()),
            _ => self.deserialize_any(visitor),
        }
    }

    serde::forward_to_deserialize_any! {
        i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 char str string
        bytes byte_buf unit unit_struct seq tuple tuple_struct map struct identifier ignored_any
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize, PartialEq)]
    struct Product {
        id: i64,
        #[serde(alias = "price_cents")]
        price: i64,
        rating: Option<f64>,
        in_stock: bool,
        created_at: chrono::DateTime<chrono::Utc>,
        #[serde(default)]
        description: Option<String>,
    }

    fn row(pairs: &[(&str, Value)]) -> (Vec<String>, Vec<Value>) {
        pairs
            .iter()
            .map(|(n, v)| ((*n).to_owned(), v.clone()))
            .unzip()
    }

    #[test]
    fn a_struct_by_column_names() {
        let (names, values) = row(&[
            ("id", Value::Int(7)),
            ("price_cents", Value::Int(1999)),
            ("rating", Value::Int(4)),
            ("in_stock", Value::Int(1)),
            ("created_at", Value::from("2024-05-01T12:34:56.123456Z")),
            ("extra", Value::Null),
        ]);
        let p = Product::deserialize(RowDeserializer::new(&names, &values)).unwrap();
        assert_eq!(p.id, 7);
        assert_eq!(p.price, 1999);
        assert_eq!(p.rating, Some(4.0));
        assert!(p.in_stock);
        assert_eq!(p.created_at.timestamp_subsec_micros(), 123_456);
        assert_eq!(p.description, None);
    }

    #[test]
    fn a_tuple_by_position_and_errors_name_the_column() {
        let (names, values) = row(&[("a", Value::Int(1)), ("b", Value::from("x"))]);
        let t = <(i64, String)>::deserialize(RowDeserializer::new(&names, &values)).unwrap();
        assert_eq!(t, (1, "x".to_owned()));
        let (names, values) = row(&[("id", Value::from("seven"))]);
        let e = <std::collections::HashMap<String, i64>>::deserialize(RowDeserializer::new(
            &names, &values,
        ))
        .unwrap_err();
        assert!(e.to_string().starts_with("column `id`"), "{e}");
    }
}
