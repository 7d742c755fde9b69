//! The one trait that holds what differs between the databases sqlx speaks to.

use folio::{Dialect, Statement, Value};
use futures::future::BoxFuture;
use sqlx::pool::PoolOptions;
use sqlx::FromRow;

use crate::Result;

/// A database folio runs on: an sqlx [`sqlx::Database`] with folio's
/// [`Dialect`] for it, and the few things that differ between backends — how a
/// [`folio::Value`] is bound, how a column is read back as one, how a statement is
/// run. Every other part of this crate (pages, counts, bookmarks, children,
/// streams) is written once, generic over it.
///
/// Implemented for [`sqlx::Sqlite`], [`sqlx::Postgres`] and [`sqlx::MySql`] (each
/// behind the cargo feature of its name); re-exported as [`crate::Sqlite`],
/// [`crate::Postgres`] and [`crate::MySql`].
///
/// ```
/// use folio_sqlx::{Backend, Postgres, Sqlite};
/// assert_eq!(Sqlite::dialect().name(), "sqlite");
/// assert!(Postgres::dialect().numbered_placeholders());
/// ```
pub trait Backend: sqlx::Database {
    /// folio's dialect for this backend: what the core renders SQL with.
    fn dialect() -> &'static dyn Dialect;

    /// Whether a page and its count may run at once on two connections (a server
    /// backend); SQLite runs them one after the other.
    const CONCURRENT: bool;

    /// Opens a pool on `url` with sqlx's defaults ([`crate::Db::connect`]).
    fn connect(url: &str) -> BoxFuture<'_, Result<sqlx::Pool<Self>, sqlx::Error>> {
        Box::pin(PoolOptions::<Self>::new().connect(url))
    }

    /// The value of `column` in `row`, typed by what the database returned (the
    /// key columns of an ordering, a child's parent column, a count). A type folio
    /// cannot carry in a cursor is an [`crate::ErrorKind::Decode`] error.
    fn value(row: &Self::Row, column: &str) -> Result<Value>;

    /// The value of the column at `index` (as [`Backend::value`]).
    fn value_at(row: &Self::Row, index: usize) -> Result<Value>;

    /// Runs `statement` on `conn` and returns its rows.
    fn fetch_all<'c>(
        conn: &'c mut Self::Connection,
        statement: &'c Statement,
    ) -> BoxFuture<'c, Result<Vec<Self::Row>, sqlx::Error>>;

    /// Runs `statement` on `conn` for its effect; returns the rows affected.
    fn execute<'c>(
        conn: &'c mut Self::Connection,
        statement: &'c Statement,
    ) -> BoxFuture<'c, Result<u64, sqlx::Error>>;
}

/// A backend whose rows decode into `T`: every `T: sqlx::FromRow` of the backend's
/// row type (`#[derive(sqlx::FromRow)]`). Every function of this crate that maps
/// rows asks for `B: Decodes<T>`, so a row type decodes on its own backend only: a
/// PostgreSQL-only column (`text[]`, `jsonb`, `uuid`) works on a PostgreSQL
/// endpoint. An application generic over the backend can name the rows it needs
/// once, as supertraits:
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
    fn decode(row: &Self::Row) -> Result<T, sqlx::Error>;
}

impl<B: Backend, T> Decodes<T> for B
where
    T: for<'r> FromRow<'r, B::Row>,
{
    fn decode(row: &Self::Row) -> Result<T, sqlx::Error> {
        T::from_row(row)
    }
}

/// Implements the statement-running methods of [`Backend`] for a backend whose
/// `arguments(&[Value])` builds its sqlx arguments: they are the same text for
/// every backend, over each one's concrete connection type.
macro_rules! run_statements {
    () => {
        fn fetch_all<'c>(
            conn: &'c mut Self::Connection,
            statement: &'c folio::Statement,
        ) -> futures::future::BoxFuture<'c, Result<Vec<Self::Row>, sqlx::Error>> {
            Box::pin(async move {
                let args = arguments(&statement.binds)?;
                // folio's SQL quotes every identifier and binds every value.
                sqlx::query_with(sqlx::AssertSqlSafe(statement.sql.as_str()), args)
                    .fetch_all(conn)
                    .await
            })
        }

        fn execute<'c>(
            conn: &'c mut Self::Connection,
            statement: &'c folio::Statement,
        ) -> futures::future::BoxFuture<'c, Result<u64, sqlx::Error>> {
            Box::pin(async move {
                let args = arguments(&statement.binds)?;
                // folio's SQL quotes every identifier and binds every value.
                sqlx::query_with(sqlx::AssertSqlSafe(statement.sql.as_str()), args)
                    .execute(conn)
                    .await
                    .map(|done| done.rows_affected())
            })
        }
    };
}
pub(crate) use run_statements;

/// Adds `value` to `args`, a bind that cannot fail for the plain types folio binds
/// (an error would be sqlx refusing its own encoding: reported as a database error).
pub(crate) fn add<'q, A, T>(args: &mut A, value: T) -> Result<(), sqlx::Error>
where
    A: sqlx::Arguments,
    T: sqlx::Encode<'q, A::Database> + sqlx::Type<A::Database> + 'q,
{
    args.add(value).map_err(sqlx::Error::Encode)
}
