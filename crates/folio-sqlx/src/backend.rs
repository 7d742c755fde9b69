//! The one trait that holds what differs between the databases folio runs on.

use folio::{Dialect, Statement, Value};
use futures::future::BoxFuture;

use crate::{PoolSettings, Result};

/// A database folio runs on: folio's [`Dialect`] for it, and the few things that
/// differ between drivers — how a pool is opened, how a statement runs, how a
/// column is read back as a [`folio::Value`]. Every other part of this crate
/// (pages, counts, bookmarks, children, streams) is written once, generic over it.
///
/// Implemented for [`crate::Sqlite`], [`crate::Postgres`] and [`crate::MySql`]
/// (sqlx's database types, each behind the cargo feature of its name) and for
/// [`crate::Rusqlite`] (SQLite called on the caller's thread, the `rusqlite`
/// feature).
///
/// ```
/// use folio_sqlx::{Backend, Postgres, Sqlite};
/// assert_eq!(Sqlite::dialect().name(), "sqlite");
/// assert!(Postgres::dialect().numbered_placeholders());
/// ```
pub trait Backend: Sized + Send + Sync + 'static {
    /// A pool of connections (cheap to clone: clones share the connections).
    type Pool: Clone + Send + Sync + std::fmt::Debug + 'static;
    /// A row a statement returns.
    type Row: Send + 'static;
    /// One connection held for a run of statements.
    type Session: Send;

    /// folio's dialect for this backend: what the core renders SQL with.
    fn dialect() -> &'static dyn Dialect;

    /// Whether a page and its count may run at once on two connections (a server
    /// backend); SQLite runs them one after the other.
    const CONCURRENT: bool;

    /// Opens a pool on `url` with the backend's defaults ([`crate::Db::connect`]):
    /// [`PoolSettings::default`], except that an in-memory SQLite database gets one
    /// connection.
    fn connect(url: &str) -> BoxFuture<'_, Result<Self::Pool>> {
        Self::connect_with(url, PoolSettings::default())
    }

    /// Opens a pool on `url` with `settings`: its connections, the wait for one,
    /// and the time limit of every statement (set on each connection as it opens).
    fn connect_with(url: &str, settings: PoolSettings) -> BoxFuture<'_, Result<Self::Pool>>;

    /// Opens a pool on `url` with `settings` as [`Backend::connect_with`] does, but
    /// without connecting yet: a server that is down now fails the statements that
    /// need it, not the opening (what a read replica wants, [`crate::Replicas`]). A
    /// malformed URL still fails here. By default (a backend without lazy pools,
    /// [`crate::Rusqlite`]) the same as [`Backend::connect_with`].
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// use folio_sqlx::{Backend, PoolSettings, Postgres};
    /// // Nothing listens there: the pool opens all the same.
    /// let url = "postgres://nobody@127.0.0.1:1/none";
    /// assert!(Postgres::connect_lazy_with(url, PoolSettings::default()).await.is_ok());
    /// assert!(Postgres::connect_lazy_with("postgres://[bad", PoolSettings::default()).await.is_err());
    /// # }
    /// ```
    fn connect_lazy_with(url: &str, settings: PoolSettings) -> BoxFuture<'_, Result<Self::Pool>> {
        Self::connect_with(url, settings)
    }

    /// Whether every connection `pool` may hold is open and in use: a statement
    /// that waited for a connection in vain then failed because the database is
    /// busy ([`crate::ErrorKind::Busy`]), not unreachable.
    fn saturated(pool: &Self::Pool) -> bool;

    /// Runs `statement` as [`Backend::fetch_all`] does, and when the returned future
    /// is dropped before it ends (the request timed out, its client went away),
    /// stops the statement on the database instead of letting it run on: a
    /// PostgreSQL cancel (`pg_cancel_backend`), a MySQL `KILL QUERY`, a SQLite
    /// interrupt. It costs one more round trip on a server backend (the
    /// connection's id): folio runs its costly statements through it.
    fn fetch_all_cancellable<'a>(
        pool: &'a Self::Pool,
        statement: &'a Statement,
    ) -> BoxFuture<'a, Result<Vec<Self::Row>>> {
        Self::fetch_all(pool, statement)
    }

    /// Runs `statement` on a connection of `pool` and returns its rows.
    fn fetch_all<'a>(
        pool: &'a Self::Pool,
        statement: &'a Statement,
    ) -> BoxFuture<'a, Result<Vec<Self::Row>>>;

    /// Runs `statement` on a connection of `pool` for its effect; returns the rows
    /// affected.
    fn execute<'a>(pool: &'a Self::Pool, statement: &'a Statement) -> BoxFuture<'a, Result<u64>>;

    /// Closes `pool`: its connections are closed once they are back from their
    /// statements, and no new statement starts on it.
    fn close(pool: &Self::Pool) -> BoxFuture<'_, ()>;

    /// Takes one connection of `pool`, held until the session is dropped.
    fn session(pool: &Self::Pool) -> BoxFuture<'_, Result<Self::Session>>;

    /// Runs `statement` on the session's connection and returns its rows.
    fn session_fetch_all<'a>(
        session: &'a mut Self::Session,
        statement: &'a Statement,
    ) -> BoxFuture<'a, Result<Vec<Self::Row>>>;

    /// The number of columns of `row`.
    fn width(row: &Self::Row) -> usize;

    /// The value of `column` in `row`, typed by what the database returned (the
    /// key columns of an ordering, a child's parent column, a count). A type folio
    /// cannot carry in a cursor is an [`crate::ErrorKind::Decode`] error.
    fn value(row: &Self::Row, column: &str) -> Result<Value>;

    /// The value of the column at `index` (as [`Backend::value`]).
    fn value_at(row: &Self::Row, index: usize) -> Result<Value>;
}

/// A backend whose rows decode into `T`. Every function of this crate that maps
/// rows asks for `B: Decodes<T>`, so a row type decodes on its own backend only: a
/// PostgreSQL-only column (`text[]`, `jsonb`, `uuid`) works on a PostgreSQL
/// endpoint.
///
/// - On a backend run through sqlx ([`crate::Sqlite`], [`crate::Postgres`],
///   [`crate::MySql`]): every `T: sqlx::FromRow` of its row type
///   (`#[derive(sqlx::FromRow)]`).
/// - On [`crate::Rusqlite`]: every `T: serde::Deserialize` (`#[derive(Deserialize)]`),
///   its fields named like the columns (or given the column's name with
///   `#[serde(alias = "…")]`).
///
/// An application generic over the backend can name the rows it needs once, as
/// supertraits:
///
/// ```
/// use folio_sqlx::{Backend, Decodes};
///
/// #[derive(sqlx::FromRow)]
/// struct Product { id: i64, name: String }
///
/// /// The backends this application runs on: their rows decode into its types.
/// trait AppBackend: Backend + Decodes<Product> {}
/// impl<B: Backend + Decodes<Product>> AppBackend for B {}
///
/// fn works_on<B: AppBackend>() {}
/// works_on::<folio_sqlx::Sqlite>();
/// works_on::<folio_sqlx::Postgres>();
/// ```
pub trait Decodes<T>: Backend {
    /// Maps one row.
    fn decode(row: &Self::Row) -> Result<T>;
}

/// A backend run through sqlx: its rows are sqlx's, and they decode into every
/// `T: sqlx::FromRow` of them. Implemented for [`crate::Sqlite`],
/// [`crate::Postgres`] and [`crate::MySql`]; sealed.
pub trait SqlxBackend:
    sqlx::Database + Backend<Row = <Self as sqlx::Database>::Row> + sealed::Sealed
{
}

pub(crate) mod sealed {
    /// Only this crate's backends are [`super::SqlxBackend`]s.
    pub trait Sealed {}
}

impl<B, T> Decodes<T> for B
where
    B: SqlxBackend,
    T: for<'r> sqlx::FromRow<'r, <B as sqlx::Database>::Row>,
{
    fn decode(row: &Self::Row) -> Result<T> {
        Ok(T::from_row(row)?)
    }
}

/// Implements [`Backend`] for a database run through sqlx: the pool is sqlx's (in a
/// [`crate::SqlxPool`]), the rows are sqlx's, and each statement runs on a
/// connection of the pool, kept for the next statement when it ran to its end. The backend
/// module supplies `arguments(&[Value])` (its binds), `value_of(row, index)` (a
/// column read back) and its dialect.
#[cfg(any(feature = "sqlite", feature = "postgres", feature = "mysql"))]
macro_rules! sqlx_backend {
    ($db:ty, $dialect:expr, concurrent: $concurrent:expr) => {
        impl crate::backend::sealed::Sealed for $db {}
        impl crate::backend::SqlxBackend for $db {}

        impl crate::Backend for $db {
            type Pool = crate::SqlxPool<$db>;
            type Row = <$db as sqlx::Database>::Row;
            type Session = sqlx::pool::PoolConnection<$db>;

            fn dialect() -> &'static dyn folio::Dialect {
                &$dialect
            }

            const CONCURRENT: bool = $concurrent;

            fn connect_with(
                url: &str,
                settings: crate::PoolSettings,
            ) -> futures::future::BoxFuture<'_, crate::Result<Self::Pool>> {
                Box::pin(async move {
                    let (pool, options) = pool_options(url, settings)?;
                    Ok(pool.connect_with(options).await?.into())
                })
            }

            fn connect_lazy_with(
                url: &str,
                settings: crate::PoolSettings,
            ) -> futures::future::BoxFuture<'_, crate::Result<Self::Pool>> {
                Box::pin(async move {
                    let (pool, options) = pool_options(url, settings)?;
                    Ok(pool.connect_lazy_with(options).into())
                })
            }

            fn saturated(pool: &Self::Pool) -> bool {
                pool.saturated()
            }

            fn fetch_all_cancellable<'a>(
                pool: &'a Self::Pool,
                statement: &'a folio::Statement,
            ) -> futures::future::BoxFuture<'a, crate::Result<Vec<Self::Row>>> {
                Box::pin(async move {
                    let args = arguments(&statement.binds)?;
                    let mut conn = pool.acquire().await?;
                    let Some(id) = connection_id(conn.connection()).await? else {
                        let rows =
                            sqlx::query_with(sqlx::AssertSqlSafe(statement.sql.as_str()), args)
                                .fetch_all(conn.connection())
                                .await?;
                        conn.done();
                        return Ok(rows);
                    };
                    let mut guard = crate::backend::CancelOnDrop {
                        armed: true,
                        cancel: Some((pool.sqlx().clone(), id)),
                        run: cancel,
                    };
                    // folio's SQL quotes every identifier and binds every value.
                    let rows = sqlx::query_with(sqlx::AssertSqlSafe(statement.sql.as_str()), args)
                        .fetch_all(conn.connection())
                        .await;
                    guard.armed = false;
                    let rows = rows?;
                    conn.done();
                    Ok(rows)
                })
            }

            fn fetch_all<'a>(
                pool: &'a Self::Pool,
                statement: &'a folio::Statement,
            ) -> futures::future::BoxFuture<'a, crate::Result<Vec<Self::Row>>> {
                Box::pin(async move {
                    let args = arguments(&statement.binds)?;
                    let mut conn = pool.acquire().await?;
                    // folio's SQL quotes every identifier and binds every value.
                    let rows = sqlx::query_with(sqlx::AssertSqlSafe(statement.sql.as_str()), args)
                        .fetch_all(conn.connection())
                        .await?;
                    conn.done();
                    Ok(rows)
                })
            }

            fn execute<'a>(
                pool: &'a Self::Pool,
                statement: &'a folio::Statement,
            ) -> futures::future::BoxFuture<'a, crate::Result<u64>> {
                Box::pin(async move {
                    let args = arguments(&statement.binds)?;
                    let mut conn = pool.acquire().await?;
                    // folio's SQL quotes every identifier and binds every value.
                    let done = sqlx::query_with(sqlx::AssertSqlSafe(statement.sql.as_str()), args)
                        .execute(conn.connection())
                        .await?;
                    conn.done();
                    Ok(done.rows_affected())
                })
            }

            fn close(pool: &Self::Pool) -> futures::future::BoxFuture<'_, ()> {
                Box::pin(pool.close())
            }

            fn session(
                pool: &Self::Pool,
            ) -> futures::future::BoxFuture<'_, crate::Result<Self::Session>> {
                Box::pin(async move { Ok(pool.acquire().await?.into_inner()) })
            }

            fn session_fetch_all<'a>(
                session: &'a mut Self::Session,
                statement: &'a folio::Statement,
            ) -> futures::future::BoxFuture<'a, crate::Result<Vec<Self::Row>>> {
                Box::pin(async move {
                    let args = arguments(&statement.binds)?;
                    // folio's SQL quotes every identifier and binds every value.
                    Ok(
                        sqlx::query_with(sqlx::AssertSqlSafe(statement.sql.as_str()), args)
                            .fetch_all(&mut **session)
                            .await?,
                    )
                })
            }

            fn width(row: &Self::Row) -> usize {
                sqlx::Row::len(row)
            }

            fn value(row: &Self::Row, column: &str) -> crate::Result<folio::Value> {
                value_of(row, column)
            }

            fn value_at(row: &Self::Row, index: usize) -> crate::Result<folio::Value> {
                value_of(row, index)
            }
        }
    };
}
#[cfg(any(feature = "sqlite", feature = "postgres", feature = "mysql"))]
pub(crate) use sqlx_backend;

/// Stops a statement on the database when dropped while armed: the future that ran
/// it was dropped mid-statement. The cancel runs on another connection of the pool,
/// on a task of its own.
#[cfg(any(feature = "sqlite", feature = "postgres", feature = "mysql"))]
pub(crate) struct CancelOnDrop<P: Send + 'static> {
    pub(crate) armed: bool,
    /// The pool and the id of the connection running the statement.
    pub(crate) cancel: Option<(P, i64)>,
    pub(crate) run: fn(P, i64) -> BoxFuture<'static, ()>,
}

#[cfg(any(feature = "sqlite", feature = "postgres", feature = "mysql"))]
impl<P: Send + 'static> Drop for CancelOnDrop<P> {
    fn drop(&mut self) {
        if !self.armed {
            return;
        }
        if let (Some((pool, id)), Ok(runtime)) =
            (self.cancel.take(), tokio::runtime::Handle::try_current())
        {
            tracing::debug!(
                connection = id,
                "folio-sqlx: cancelling an abandoned statement"
            );
            runtime.spawn((self.run)(pool, id));
        }
    }
}

/// Adds `value` to `args`, a bind that cannot fail for the plain types folio binds
/// (an error would be sqlx refusing its own encoding: reported as a database error).
#[cfg(any(feature = "sqlite", feature = "postgres", feature = "mysql"))]
pub(crate) fn add<'q, A, T>(args: &mut A, value: T) -> Result<(), sqlx::Error>
where
    A: sqlx::Arguments,
    T: sqlx::Encode<'q, A::Database> + sqlx::Type<A::Database> + 'q,
{
    args.add(value).map_err(sqlx::Error::Encode)
}
