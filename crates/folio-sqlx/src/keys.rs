//! Reading a row's sort key values into [`folio::Value`]s by the column's runtime type.

use folio::{SortSpec, Value};
use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, TypeInfo, ValueRef};

use crate::{Error, Result};

/// A row whose columns folio can read as [`Value`]s.
pub(crate) trait KeyRow: Row {
    /// The value of column `column`, typed by what the database returned.
    fn value(&self, column: &str) -> Result<Value>;

    /// The key values of `spec`, in key order.
    fn keys(&self, spec: &SortSpec) -> Result<Vec<Value>> {
        spec.keys().iter().map(|k| self.value(k.column())).collect()
    }
}

impl KeyRow for SqliteRow {
    fn value(&self, column: &str) -> Result<Value> {
        let raw = self.try_get_raw(column)?;
        if raw.is_null() {
            return Ok(Value::Null);
        }
        // The runtime storage class of the value (not the declared column type).
        let type_name = raw.type_info().name().to_owned();
        Ok(match type_name.as_str() {
            "INTEGER" | "BOOLEAN" => Value::Int(self.try_get_unchecked::<i64, _>(column)?),
            "REAL" => Value::Float(self.try_get_unchecked::<f64, _>(column)?),
            "TEXT" => Value::Text(self.try_get_unchecked::<String, _>(column)?),
            "BLOB" => Value::Bytes(self.try_get_unchecked::<Vec<u8>, _>(column)?),
            other => return Err(Error::decode(column, other)),
        })
    }
}

impl KeyRow for PgRow {
    fn value(&self, column: &str) -> Result<Value> {
        let raw = self.try_get_raw(column)?;
        if raw.is_null() {
            return Ok(Value::Null);
        }
        let type_name = raw.type_info().name().to_owned();
        Ok(match type_name.as_str() {
            "INT2" => Value::Int(i64::from(self.try_get::<i16, _>(column)?)),
            "INT4" => Value::Int(i64::from(self.try_get::<i32, _>(column)?)),
            "INT8" => Value::Int(self.try_get::<i64, _>(column)?),
            "FLOAT4" => Value::Float(f64::from(self.try_get::<f32, _>(column)?)),
            "FLOAT8" => Value::Float(self.try_get::<f64, _>(column)?),
            "TEXT" | "VARCHAR" | "BPCHAR" | "NAME" => {
                Value::Text(self.try_get::<String, _>(column)?)
            }
            "BOOL" => Value::Bool(self.try_get::<bool, _>(column)?),
            "BYTEA" => Value::Bytes(self.try_get::<Vec<u8>, _>(column)?),
            "TIMESTAMPTZ" => Value::Timestamp(
                self.try_get::<chrono::DateTime<chrono::Utc>, _>(column)?
                    .timestamp_micros(),
            ),
            "TIMESTAMP" => Value::Timestamp(
                self.try_get::<chrono::NaiveDateTime, _>(column)?
                    .and_utc()
                    .timestamp_micros(),
            ),
            other => return Err(Error::decode(column, other)),
        })
    }
}
