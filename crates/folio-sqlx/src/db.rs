//! The database handle: a SQLite or PostgreSQL pool, optionally counting statements.

use std::str::FromStr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;

use folio::{Statement, Value};
use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgArguments, PgPool, PgPoolOptions, PgRow};
use sqlx::query::Query;
use sqlx::sqlite::{
    SqliteArguments, SqliteConnectOptions, SqlitePool, SqlitePoolOptions, SqliteRow,
};
use sqlx::{FromRow, Postgres, Sqlite};

use crate::Result;

/// Counts the SQL statements run through a [`Db`] made by [`Db::counted`].
///
/// Cheap to clone: clones share one counter. A server makes one per request and
/// reports it (`X-Statement-Count`).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), folio_sqlx::Error> {
/// use folio_sqlx::{Db, StatementCounter};
/// let db = Db::connect("sqlite::memory:").await?;
/// let counter = StatementCounter::new();
/// let counted = db.counted(&counter);
/// counted.fetch_all::<(i64,)>(&folio::Statement { sql: "SELECT 1".into(), binds: vec![] }).await?;
/// db.fetch_all::<(i64,)>(&folio::Statement { sql: "SELECT 2".into(), binds: vec![] }).await?;
/// assert_eq!(counter.get(), 1);
/// // the counted statement's run time was recorded too (the `db` of `Server-Timing`)
/// assert!(counter.db_time() > std::time::Duration::ZERO);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Default)]
pub struct StatementCounter(Arc<AtomicUsize>, Arc<AtomicU64>);

impl StatementCounter {
    /// A counter at zero.
    ///
    /// ```
    /// assert_eq!(folio_sqlx::StatementCounter::new().get(), 0);
    /// ```
    pub fn new() -> Self {
        StatementCounter::default()
    }

    /// The statements counted so far.
    ///
    /// ```
    /// let c = folio_sqlx::StatementCounter::new();
    /// assert_eq!(c.clone().get(), c.get());
    /// ```
    pub fn get(&self) -> usize {
        self.0.load(Ordering::Relaxed)
    }

    fn bump(&self) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }

    /// Adds `elapsed` to the time spent in statements (the `db` of `Server-Timing`).
    /// A counted [`Db`] records every statement it runs; statements that run
    /// concurrently (a PostgreSQL page and its count) add up.
    ///
    /// ```
    /// use std::time::Duration;
    /// let c = folio_sqlx::StatementCounter::new();
    /// c.record(Duration::from_micros(1500));
    /// c.clone().record(Duration::from_micros(500));
    /// assert_eq!(c.db_time(), Duration::from_millis(2));
    /// ```
    pub fn record(&self, elapsed: std::time::Duration) {
        let micros = u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX);
        self.1.fetch_add(micros, Ordering::Relaxed);
    }

    /// The time recorded with [`StatementCounter::record`] so far.
    ///
    /// ```
    /// assert_eq!(folio_sqlx::StatementCounter::new().db_time(), std::time::Duration::ZERO);
    /// ```
    pub fn db_time(&self) -> std::time::Duration {
        std::time::Duration::from_micros(self.1.load(Ordering::Relaxed))
    }
}

/// The pool behind a [`Db`].
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), folio_sqlx::Error> {
/// let db = folio_sqlx::Db::connect("sqlite::memory:").await?;
/// assert!(matches!(db.backend(), folio_sqlx::Backend::Sqlite(_)));
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub enum Backend {
    /// A SQLite pool.
    Sqlite(SqlitePool),
    /// A PostgreSQL pool.
    Postgres(PgPool),
}

/// A database folio runs its statements on: a SQLite or PostgreSQL pool (cheap to
/// clone), and optionally a [`StatementCounter`] that every statement run through
/// it increments.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), folio_sqlx::Error> {
/// use folio_sqlx::Db;
/// let db = Db::connect("sqlite::memory:").await?;
/// assert_eq!(db.dialect().name(), "sqlite");
/// let pool = sqlx::SqlitePool::connect("sqlite::memory:").await?;
/// let db = Db::from(pool);
/// assert!(db.sqlite().is_some() && db.postgres().is_none());
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Db {
    backend: Backend,
    counter: Option<StatementCounter>,
}

impl From<SqlitePool> for Db {
    fn from(pool: SqlitePool) -> Self {
        Db {
            backend: Backend::Sqlite(pool),
            counter: None,
        }
    }
}

impl From<PgPool> for Db {
    fn from(pool: PgPool) -> Self {
        Db {
            backend: Backend::Postgres(pool),
            counter: None,
        }
    }
}

impl Db {
    /// Connects to `url`: `sqlite:…` (the file is created if missing; `sqlite::memory:`
    /// gets a single connection that is never closed, so every statement sees one
    /// database) or `postgres://…` / `postgresql://…`.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// assert!(folio_sqlx::Db::connect("sqlite::memory:").await.is_ok());
    /// let err = folio_sqlx::Db::connect("mysql://nope").await.unwrap_err();
    /// assert_eq!(err.kind(), folio_sqlx::ErrorKind::Database);
    /// # }
    /// ```
    pub async fn connect(url: &str) -> Result<Db> {
        if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)?.create_if_missing(true);
            let memory = url.contains(":memory:") || url.contains("mode=memory");
            let pool = if memory {
                SqlitePoolOptions::new()
                    .max_connections(1)
                    .min_connections(1)
                    .idle_timeout(None)
                    .max_lifetime(None)
                    .connect_with(options)
                    .await?
            } else {
                SqlitePoolOptions::new().connect_with(options).await?
            };
            Ok(Db::from(pool))
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Db::from(PgPoolOptions::new().connect(url).await?))
        } else {
            Err(
                sqlx::Error::Configuration("folio-sqlx speaks sqlite: and postgres:// URLs".into())
                    .into(),
            )
        }
    }

    /// The pool.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), folio_sqlx::Error> {
    /// let db = folio_sqlx::Db::connect("sqlite::memory:").await?;
    /// let folio_sqlx::Backend::Sqlite(pool) = db.backend() else { unreachable!() };
    /// assert_eq!(pool.size(), 1);
    /// # Ok(()) }
    /// ```
    pub fn backend(&self) -> &Backend {
        &self.backend
    }

    /// The SQLite pool, if this is SQLite.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), folio_sqlx::Error> {
    /// assert!(folio_sqlx::Db::connect("sqlite::memory:").await?.sqlite().is_some());
    /// # Ok(()) }
    /// ```
    pub fn sqlite(&self) -> Option<&SqlitePool> {
        match &self.backend {
            Backend::Sqlite(p) => Some(p),
            Backend::Postgres(_) => None,
        }
    }

    /// The PostgreSQL pool, if this is PostgreSQL.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), folio_sqlx::Error> {
    /// assert!(folio_sqlx::Db::connect("sqlite::memory:").await?.postgres().is_none());
    /// # Ok(()) }
    /// ```
    pub fn postgres(&self) -> Option<&PgPool> {
        match &self.backend {
            Backend::Postgres(p) => Some(p),
            Backend::Sqlite(_) => None,
        }
    }

    /// folio's dialect for this backend (what the core renders SQL with).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), folio_sqlx::Error> {
    /// let db = folio_sqlx::Db::connect("sqlite::memory:").await?;
    /// assert!(!db.dialect().numbered_placeholders());
    /// # Ok(()) }
    /// ```
    pub fn dialect(&self) -> &'static dyn folio::Dialect {
        match self.backend {
            Backend::Sqlite(_) => &folio::Sqlite,
            Backend::Postgres(_) => &folio::Postgres,
        }
    }

    /// A clone of this handle (same pool) that counts nothing: for work a request
    /// starts but does not wait for (bookmarks taken in the background).
    pub(crate) fn uncounted(&self) -> Db {
        Db {
            backend: self.backend.clone(),
            counter: None,
        }
    }

    /// A clone of this handle (same pool) that adds every statement it runs to
    /// `counter`.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), folio_sqlx::Error> {
    /// let counter = folio_sqlx::StatementCounter::new();
    /// let db = folio_sqlx::Db::connect("sqlite::memory:").await?.counted(&counter);
    /// db.execute(&folio::Statement { sql: "CREATE TABLE t (id INTEGER)".into(), binds: vec![] }).await?;
    /// assert_eq!(counter.get(), 1);
    /// # Ok(()) }
    /// ```
    pub fn counted(&self, counter: &StatementCounter) -> Db {
        Db {
            backend: self.backend.clone(),
            counter: Some(counter.clone()),
        }
    }

    /// Whether this handle counts statements.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), folio_sqlx::Error> {
    /// let db = folio_sqlx::Db::connect("sqlite::memory:").await?;
    /// assert!(!db.is_counted());
    /// assert!(db.counted(&folio_sqlx::StatementCounter::new()).is_counted());
    /// # Ok(()) }
    /// ```
    pub fn is_counted(&self) -> bool {
        self.counter.is_some()
    }

    /// Runs `statement` and maps every row to `T` (counted).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), folio_sqlx::Error> {
    /// let db = folio_sqlx::Db::connect("sqlite::memory:").await?;
    /// let st = folio::Statement { sql: "SELECT ? + 1".into(), binds: vec![folio::Value::Int(41)] };
    /// assert_eq!(db.fetch_all::<(i64,)>(&st).await?, [(42,)]);
    /// # Ok(()) }
    /// ```
    pub async fn fetch_all<T>(&self, statement: &Statement) -> Result<Vec<T>>
    where
        T: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin,
    {
        match self.fetch_rows(statement).await? {
            Rows::Sqlite(rows) => Ok(rows.iter().map(T::from_row).collect::<Result<_, _>>()?),
            Rows::Postgres(rows) => Ok(rows.iter().map(T::from_row).collect::<Result<_, _>>()?),
        }
    }

    /// Runs `statement` and maps its first row, if any, to `T` (counted).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), folio_sqlx::Error> {
    /// let db = folio_sqlx::Db::connect("sqlite::memory:").await?;
    /// let st = folio::Statement { sql: "SELECT 1 WHERE 1 = 0".into(), binds: vec![] };
    /// assert_eq!(db.fetch_optional::<(i64,)>(&st).await?, None);
    /// # Ok(()) }
    /// ```
    pub async fn fetch_optional<T>(&self, statement: &Statement) -> Result<Option<T>>
    where
        T: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin,
    {
        let _timer = self.count_one(statement);
        let sql = statement.sql.as_str();
        Ok(match &self.backend {
            Backend::Sqlite(pool) => match sqlite_query(sql, &statement.binds)
                .fetch_optional(pool)
                .await
            {
                Ok(row) => row.as_ref().map(T::from_row).transpose()?,
                Err(e) => return Err(logged(e, statement)),
            },
            Backend::Postgres(pool) => {
                match pg_query(sql, &statement.binds).fetch_optional(pool).await {
                    Ok(row) => row.as_ref().map(T::from_row).transpose()?,
                    Err(e) => return Err(logged(e, statement)),
                }
            }
        })
    }

    /// Runs `statement` for its effect; returns the rows affected (counted).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), folio_sqlx::Error> {
    /// let db = folio_sqlx::Db::connect("sqlite::memory:").await?;
    /// db.execute(&folio::Statement { sql: "CREATE TABLE t (a INTEGER)".into(), binds: vec![] }).await?;
    /// let st = folio::Statement { sql: "INSERT INTO t VALUES (?), (?)".into(), binds: vec![1.into(), 2.into()] };
    /// assert_eq!(db.execute(&st).await?, 2);
    /// # Ok(()) }
    /// ```
    pub async fn execute(&self, statement: &Statement) -> Result<u64> {
        let _timer = self.count_one(statement);
        let sql = statement.sql.as_str();
        let done = match &self.backend {
            Backend::Sqlite(pool) => sqlite_query(sql, &statement.binds)
                .execute(pool)
                .await
                .map(|r| r.rows_affected()),
            Backend::Postgres(pool) => pg_query(sql, &statement.binds)
                .execute(pool)
                .await
                .map(|r| r.rows_affected()),
        };
        done.map_err(|e| logged(e, statement))
    }

    /// Runs `statement` on a connection of the pool and returns its rows (counted;
    /// the time includes the wait for the connection).
    pub(crate) async fn fetch_rows(&self, statement: &Statement) -> Result<Rows> {
        let _timer = self.count_one(statement);
        let rows = async { self.acquire().await?.fetch_rows(statement).await };
        rows.await.map_err(|e| logged(e, statement))
    }

    /// Holds one connection of the pool for a run of statements (a bookmark walk),
    /// so that they do not queue for the pool one by one behind busy requests.
    pub(crate) async fn session(&self) -> Result<Session<'_>> {
        Ok(Session {
            db: self,
            conn: self.acquire().await?,
        })
    }

    async fn acquire(&self) -> Result<Conn, sqlx::Error> {
        Ok(match &self.backend {
            Backend::Sqlite(pool) => Conn::Sqlite(pool.acquire().await?),
            Backend::Postgres(pool) => Conn::Postgres(pool.acquire().await?),
        })
    }

    /// Counts one statement; the returned guard adds the time until it is dropped
    /// (the statement's run) to the counter's database time.
    fn count_one(&self, statement: &Statement) -> StatementTimer<'_> {
        tracing::debug!(sql = %statement.sql, binds = statement.binds.len(), "folio-sqlx: statement");
        if let Some(c) = &self.counter {
            c.bump();
        }
        StatementTimer {
            counter: self.counter.as_ref(),
            started: std::time::Instant::now(),
        }
    }
}

/// Records the time a statement ran into a [`StatementCounter`] when dropped.
struct StatementTimer<'a> {
    counter: Option<&'a StatementCounter>,
    started: std::time::Instant,
}

impl Drop for StatementTimer<'_> {
    fn drop(&mut self) {
        if let Some(c) = self.counter {
            c.record(self.started.elapsed());
        }
    }
}

fn logged(e: sqlx::Error, statement: &Statement) -> crate::Error {
    tracing::warn!(error = %e, sql = %statement.sql, "folio-sqlx: statement failed");
    e.into()
}

/// One connection of a [`Db`]'s pool, held for a run of statements (counted like
/// the [`Db`]'s own).
pub(crate) struct Session<'a> {
    db: &'a Db,
    conn: Conn,
}

impl Session<'_> {
    /// Runs `statement` on the held connection and returns its rows.
    pub(crate) async fn fetch_rows(&mut self, statement: &Statement) -> Result<Rows> {
        let _timer = self.db.count_one(statement);
        self.conn
            .fetch_rows(statement)
            .await
            .map_err(|e| logged(e, statement))
    }
}

/// A connection taken from a [`Db`]'s pool (back to the pool when dropped).
enum Conn {
    Sqlite(PoolConnection<Sqlite>),
    Postgres(PoolConnection<Postgres>),
}

impl Conn {
    /// Runs `statement` and returns its rows: the one place a statement's rows are
    /// fetched, for [`Db::fetch_rows`] and [`Session::fetch_rows`].
    async fn fetch_rows(&mut self, statement: &Statement) -> Result<Rows, sqlx::Error> {
        let sql = statement.sql.as_str();
        match self {
            Conn::Sqlite(conn) => sqlite_query(sql, &statement.binds)
                .fetch_all(&mut **conn)
                .await
                .map(Rows::Sqlite),
            Conn::Postgres(conn) => pg_query(sql, &statement.binds)
                .fetch_all(&mut **conn)
                .await
                .map(Rows::Postgres),
        }
    }
}

/// Rows of one statement, per backend.
pub(crate) enum Rows {
    Sqlite(Vec<SqliteRow>),
    Postgres(Vec<PgRow>),
}

/// The SQLite text form of a timestamp: RFC 3339 UTC with microseconds and `Z`
/// (text order is time order), as the shop schema stores it.
pub(crate) fn sqlite_timestamp(micros: i64) -> Option<String> {
    chrono::DateTime::from_timestamp_micros(micros)
        .map(|t| t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string())
}

pub(crate) fn sqlite_query<'q>(
    sql: &'q str,
    binds: &[Value],
) -> Query<'q, Sqlite, SqliteArguments> {
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    for v in binds {
        q = match v {
            Value::Null => q.bind(None::<i64>),
            Value::Int(i) => q.bind(*i),
            Value::Float(f) => q.bind(*f),
            Value::Text(s) => q.bind(s.clone()),
            Value::Timestamp(t) => match sqlite_timestamp(*t) {
                Some(s) => q.bind(s),
                None => q.bind(*t),
            },
            Value::Bool(b) => q.bind(*b),
            Value::Bytes(b) => q.bind(b.clone()),
        };
    }
    q
}

pub(crate) fn pg_query<'q>(sql: &'q str, binds: &[Value]) -> Query<'q, Postgres, PgArguments> {
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    for v in binds {
        q = match v {
            Value::Null => q.bind(None::<i64>),
            Value::Int(i) => q.bind(*i),
            Value::Float(f) => q.bind(*f),
            Value::Text(s) => q.bind(s.clone()),
            Value::Timestamp(t) => match chrono::DateTime::from_timestamp_micros(*t) {
                Some(ts) => q.bind(ts),
                None => q.bind(None::<chrono::DateTime<chrono::Utc>>),
            },
            Value::Bool(b) => q.bind(*b),
            Value::Bytes(b) => q.bind(b.clone()),
        };
    }
    q
}
