//! PostgreSQL: binds and column values.

use folio::Value;
use sqlx::postgres::{PgArguments, PgRow};
use sqlx::{Row, TypeInfo, ValueRef};

use crate::backend::{add, sqlx_backend};
use crate::{Error, Result};

fn arguments(binds: &[Value]) -> Result<PgArguments, sqlx::Error> {
    let mut args = PgArguments::default();
    for v in binds {
        match v {
            Value::Null => add(&mut args, None::<i64>)?,
            Value::Int(i) => add(&mut args, *i)?,
            Value::Float(f) => add(&mut args, *f)?,
            Value::Text(s) => add(&mut args, s.clone())?,
            Value::Timestamp(t) => match chrono::DateTime::from_timestamp_micros(*t) {
                Some(ts) => add(&mut args, ts)?,
                None => add(&mut args, None::<chrono::DateTime<chrono::Utc>>)?,
            },
            Value::Bool(b) => add(&mut args, *b)?,
            Value::Bytes(b) => add(&mut args, b.clone())?,
        }
    }
    Ok(args)
}

/// A value read by the column's type: `INT2/4/8`, `FLOAT4/8`, `TEXT`, `VARCHAR`,
/// `BPCHAR`, `NAME`, `BOOL`, `BYTEA`, `TIMESTAMPTZ`, `TIMESTAMP` (taken as UTC),
/// `JSON`/`JSONB` (as text).
fn value_of(
    row: &PgRow,
    index: impl sqlx::ColumnIndex<PgRow> + Copy + std::fmt::Display,
) -> Result<Value> {
    let raw = row.try_get_raw(index)?;
    if raw.is_null() {
        return Ok(Value::Null);
    }
    let type_name = raw.type_info().name().to_owned();
    Ok(match type_name.as_str() {
        "INT2" => Value::Int(i64::from(row.try_get::<i16, _>(index)?)),
        "INT4" => Value::Int(i64::from(row.try_get::<i32, _>(index)?)),
        "INT8" => Value::Int(row.try_get::<i64, _>(index)?),
        "FLOAT4" => Value::Float(f64::from(row.try_get::<f32, _>(index)?)),
        "FLOAT8" => Value::Float(row.try_get::<f64, _>(index)?),
        "TEXT" | "VARCHAR" | "BPCHAR" | "NAME" => Value::Text(row.try_get::<String, _>(index)?),
        // The text of a `json` value is its binary form; `jsonb` has a version byte.
        "JSON" => Value::Text(row.try_get_unchecked::<String, _>(index)?),
        "BOOL" => Value::Bool(row.try_get::<bool, _>(index)?),
        "BYTEA" => Value::Bytes(row.try_get::<Vec<u8>, _>(index)?),
        "TIMESTAMPTZ" => Value::Timestamp(
            row.try_get::<chrono::DateTime<chrono::Utc>, _>(index)?
                .timestamp_micros(),
        ),
        "TIMESTAMP" => Value::Timestamp(
            row.try_get::<chrono::NaiveDateTime, _>(index)?
                .and_utc()
                .timestamp_micros(),
        ),
        other => return Err(Error::decode(&index.to_string(), other)),
    })
}

async fn connect(url: &str) -> Result<sqlx::PgPool, sqlx::Error> {
    sqlx::pool::PoolOptions::new().connect(url).await
}

sqlx_backend!(sqlx::Postgres, folio::Postgres, concurrent: true);
