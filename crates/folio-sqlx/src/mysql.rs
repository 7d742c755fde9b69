//! MySQL and MariaDB: binds and column values.

use std::str::FromStr;

use folio::Value;
use sqlx::mysql::{MySqlArguments, MySqlRow};
use sqlx::{Row, TypeInfo, ValueRef};

use crate::backend::{add, sqlx_backend};
use crate::{Error, Result};

fn arguments(binds: &[Value]) -> Result<MySqlArguments, sqlx::Error> {
    let mut args = MySqlArguments::default();
    for v in binds {
        match v {
            Value::Null => add(&mut args, None::<i64>)?,
            Value::Int(i) => add(&mut args, *i)?,
            Value::Float(f) => add(&mut args, *f)?,
            Value::Text(s) => add(&mut args, s.clone())?,
            // sqlx sets the session's time zone to UTC: a DATETIME holds UTC.
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

/// A value read by the column's type: the integer types (an unsigned `BIGINT`
/// above `i64::MAX` cannot be carried), `FLOAT`, `DOUBLE`, the text types, the binary
/// types, `DATETIME` and `TIMESTAMP` (UTC), `JSON` (as text).
fn value_of(
    row: &MySqlRow,
    index: impl sqlx::ColumnIndex<MySqlRow> + Copy + std::fmt::Display,
) -> Result<Value> {
    let raw = row.try_get_raw(index)?;
    if raw.is_null() {
        return Ok(Value::Null);
    }
    let type_name = raw.type_info().name().to_owned();
    Ok(match type_name.as_str() {
        "BOOLEAN" | "TINYINT" | "SMALLINT" | "MEDIUMINT" | "INT" | "BIGINT" => {
            Value::Int(row.try_get_unchecked::<i64, _>(index)?)
        }
        "TINYINT UNSIGNED" | "SMALLINT UNSIGNED" | "MEDIUMINT UNSIGNED" | "INT UNSIGNED"
        | "BIGINT UNSIGNED" => {
            let n = row.try_get_unchecked::<u64, _>(index)?;
            Value::Int(i64::try_from(n).map_err(|_| Error::decode(&index.to_string(), &type_name))?)
        }
        "FLOAT" => Value::Float(f64::from(row.try_get::<f32, _>(index)?)),
        "DOUBLE" => Value::Float(row.try_get::<f64, _>(index)?),
        "CHAR" | "VARCHAR" | "TINYTEXT" | "TEXT" | "MEDIUMTEXT" | "LONGTEXT" | "ENUM" | "JSON" => {
            Value::Text(row.try_get_unchecked::<String, _>(index)?)
        }
        "BINARY" | "VARBINARY" | "TINYBLOB" | "BLOB" | "MEDIUMBLOB" | "LONGBLOB" => {
            Value::Bytes(row.try_get_unchecked::<Vec<u8>, _>(index)?)
        }
        "DATETIME" | "TIMESTAMP" => Value::Timestamp(
            row.try_get::<chrono::DateTime<chrono::Utc>, _>(index)?
                .timestamp_micros(),
        ),
        other => return Err(Error::decode(&index.to_string(), other)),
    })
}

/// A pool whose connections limit their statements as the server can: MariaDB's
/// `max_statement_time` (every statement), MySQL's `max_execution_time` (`SELECT`s
/// only), set once per connection when it opens; and the connection options.
fn pool_options(
    url: &str,
    settings: crate::PoolSettings,
) -> Result<
    (
        sqlx::pool::PoolOptions<sqlx::MySql>,
        sqlx::mysql::MySqlConnectOptions,
    ),
    sqlx::Error,
> {
    let options = sqlx::mysql::MySqlConnectOptions::from_str(url)?;
    let mut pool = settings.sqlx_pool();
    if let Some(ms) = settings.statement_timeout_ms() {
        pool = pool.after_connect(move |conn, _| {
            Box::pin(async move {
                let (version,): (String,) = sqlx::query_as("SELECT VERSION()")
                    .fetch_one(&mut *conn)
                    .await?;
                let set = if version.contains("MariaDB") {
                    format!("SET SESSION max_statement_time = {}", ms as f64 / 1000.0)
                } else {
                    format!("SET SESSION max_execution_time = {ms}")
                };
                // A number folio formats: nothing of the caller's in the SQL.
                sqlx::raw_sql(sqlx::AssertSqlSafe(set))
                    .execute(&mut *conn)
                    .await?;
                Ok(())
            })
        });
    }
    Ok((pool, options))
}

/// The id of `conn` on the server (what `KILL QUERY` takes).
async fn connection_id(conn: &mut sqlx::MySqlConnection) -> Result<Option<i64>, sqlx::Error> {
    let (id,): (u64,) = sqlx::query_as("SELECT CONNECTION_ID()")
        .fetch_one(conn)
        .await?;
    Ok(i64::try_from(id).ok())
}

/// Stops the statement connection `id` runs.
fn cancel(pool: sqlx::MySqlPool, id: i64) -> futures::future::BoxFuture<'static, ()> {
    Box::pin(async move {
        // An integer folio read from the server: nothing of the caller's in the SQL.
        // On a connection of its own: the pool may have none to spare.
        let sent = async {
            let mut conn = sqlx::ConnectOptions::connect(&*pool.connect_options()).await?;
            sqlx::raw_sql(sqlx::AssertSqlSafe(format!("KILL QUERY {id}")))
                .execute(&mut conn)
                .await?;
            sqlx::Connection::close(conn).await
        }
        .await;
        if let Err(e) = sent {
            tracing::warn!(error = %e, id, "folio-sqlx: cancelling a statement failed");
        }
    })
}

sqlx_backend!(sqlx::MySql, folio::MySql, concurrent: true);
