//! SQLite: binds, column values and the pool of `sqlite::memory:`.

use std::str::FromStr;

use folio::Value;
use sqlx::pool::PoolOptions;
use sqlx::sqlite::{SqliteArguments, SqliteConnectOptions, SqliteRow};
use sqlx::{Row, TypeInfo, ValueRef};

use crate::backend::{add, sqlx_backend};
use crate::{Error, Result};

fn arguments(binds: &[Value]) -> Result<SqliteArguments, sqlx::Error> {
    let mut args = SqliteArguments::default();
    for v in binds {
        match v {
            Value::Null => add(&mut args, None::<i64>)?,
            Value::Int(i) => add(&mut args, *i)?,
            Value::Float(f) => add(&mut args, *f)?,
            Value::Text(s) => add(&mut args, s.clone())?,
            Value::Timestamp(t) => match crate::timestamp::sqlite_text(*t) {
                Some(s) => add(&mut args, s)?,
                None => add(&mut args, *t)?,
            },
            Value::Bool(b) => add(&mut args, *b)?,
            Value::Bytes(b) => add(&mut args, b.clone())?,
        }
    }
    Ok(args)
}

/// A value read by its storage class (not the declared column type): `INTEGER`,
/// `REAL`, `TEXT` (timestamps stored as text stay text), `BLOB`.
fn value_of(
    row: &SqliteRow,
    index: impl sqlx::ColumnIndex<SqliteRow> + Copy + std::fmt::Display,
) -> Result<Value> {
    let raw = row.try_get_raw(index)?;
    if raw.is_null() {
        return Ok(Value::Null);
    }
    let type_name = raw.type_info().name().to_owned();
    Ok(match type_name.as_str() {
        "INTEGER" | "BOOLEAN" => Value::Int(row.try_get_unchecked::<i64, _>(index)?),
        "REAL" => Value::Float(row.try_get_unchecked::<f64, _>(index)?),
        "TEXT" => Value::Text(row.try_get_unchecked::<String, _>(index)?),
        "BLOB" => Value::Bytes(row.try_get_unchecked::<Vec<u8>, _>(index)?),
        other => return Err(Error::decode(&index.to_string(), other)),
    })
}

/// A file is created when missing; `sqlite::memory:` gets a single connection that
/// is never closed, so every statement sees one database. sqlx cannot stop a
/// running SQLite statement: the statement timeout is not applied here (use
/// [`crate::Rusqlite`] for one).
fn pool_options(
    url: &str,
    settings: crate::PoolSettings,
) -> Result<(PoolOptions<sqlx::Sqlite>, SqliteConnectOptions), sqlx::Error> {
    let options = SqliteConnectOptions::from_str(url)?.create_if_missing(true);
    let pool = if url.contains(":memory:") || url.contains("mode=memory") {
        settings
            .connections(1)
            .sqlx_pool()
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
    } else {
        settings.sqlx_pool()
    };
    Ok((pool, options))
}

/// SQLite has no connection to cancel from elsewhere (a statement of this backend
/// runs to its end).
#[allow(clippy::unused_async)]
async fn connection_id(_conn: &mut sqlx::SqliteConnection) -> Result<Option<i64>, sqlx::Error> {
    Ok(None)
}

fn cancel(_pool: sqlx::SqlitePool, _id: i64) -> futures::future::BoxFuture<'static, ()> {
    Box::pin(async {})
}

sqlx_backend!(sqlx::Sqlite, folio::Sqlite, concurrent: false);
