//! PostgreSQL: binds and column values.

use std::str::FromStr;

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

/// A pool whose connections start with `statement_timeout` set (a startup
/// parameter: no statement spent on it), and the connection options.
fn pool_options(
    url: &str,
    settings: crate::PoolSettings,
) -> Result<
    (
        sqlx::pool::PoolOptions<sqlx::Postgres>,
        sqlx::postgres::PgConnectOptions,
    ),
    sqlx::Error,
> {
    let mut options = sqlx::postgres::PgConnectOptions::from_str(url)?;
    if let Some(ms) = settings.statement_timeout_ms() {
        options = options.options([("statement_timeout", ms.to_string())]);
    }
    Ok((settings.sqlx_pool(), options))
}

/// The server process of `conn` (what `pg_cancel_backend` takes).
async fn connection_id(conn: &mut sqlx::PgConnection) -> Result<Option<i64>, sqlx::Error> {
    let (pid,): (i32,) = sqlx::query_as("SELECT pg_backend_pid()")
        .fetch_one(conn)
        .await?;
    Ok(Some(i64::from(pid)))
}

/// Cancels the statement the server process `pid` runs.
fn cancel(pool: sqlx::PgPool, pid: i64) -> futures::future::BoxFuture<'static, ()> {
    Box::pin(async move {
        // On a connection of its own: the pool may have none to spare.
        let sent = async {
            let mut conn = sqlx::ConnectOptions::connect(&*pool.connect_options()).await?;
            sqlx::query("SELECT pg_cancel_backend($1::INT)")
                .bind(pid)
                .execute(&mut conn)
                .await?;
            sqlx::Connection::close(conn).await
        }
        .await;
        if let Err(e) = sent {
            tracing::warn!(error = %e, pid, "folio-sqlx: cancelling a statement failed");
        }
    })
}

sqlx_backend!(sqlx::Postgres, folio::Postgres, concurrent: true);
