//! SQLite through rusqlite: statements run on the caller's thread, with no hand-off
//! to a connection thread, and move to a blocking thread only when they turn out
//! to be long.

use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Instant;

use folio::{Statement, Value};
use futures::future::BoxFuture;
use rusqlite::config::DbConfig;
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::backend::Backend;
use crate::{Error, PoolSettings, Result};

/// SQLite called directly through rusqlite (the `rusqlite` feature): the fastest
/// way folio runs on SQLite.
///
/// sqlx runs each SQLite connection on a thread of its own and hands every
/// statement and every row across a channel: about 0.1 ms a statement, five times
/// what SQLite spends on a keyset page. This backend runs a statement on the
/// calling task's thread instead, with a budget of SQLite virtual-machine steps
/// (about 50,000, a fraction of a millisecond): a page, a point lookup or an
/// estimate finishes within it. A statement that runs past the budget (an exact
/// count, a deep OFFSET) is stopped, and run again from the start on tokio's
/// blocking pool, so a long statement never holds an async worker. Writes
/// (`execute`) always run on the blocking pool.
///
/// Each connection keeps 128 prepared statements and runs with SQLite's query
/// planner stability guarantee (`SQLITE_DBCONFIG_ENABLE_QPSG`): a statement's plan
/// does not depend on the values bound to it. Otherwise, on a database analyzed
/// into `sqlite_stat4` (which `ANALYZE` writes in the SQLite compiled in), each run
/// of a statement whose parameters bound an indexed column (every keyset page,
/// every filter) would plan it again, and the kept statement would save nothing.
///
/// Rows decode into `T: serde::Deserialize` (see [`crate::Decodes`]), their fields
/// named like the columns.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), folio_sqlx::Error> {
/// use folio_sqlx::{Db, Rusqlite};
///
/// let db = Db::<Rusqlite>::connect("sqlite::memory:").await?;
/// db.execute(&folio::Statement::new("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)")).await?;
/// db.execute(&folio::Statement::new("INSERT INTO t VALUES (1, 'a'), (2, 'b')")).await?;
///
/// #[derive(serde::Deserialize, Debug, PartialEq)]
/// struct Row { id: i64, name: String }
/// let rows = db.select::<Row>(&folio::Select::from("t").filter(folio::Filter::ge("id", 2))).await?;
/// assert_eq!(rows, [Row { id: 2, name: "b".into() }]);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy)]
pub enum Rusqlite {}

/// A row of [`Rusqlite`]: the statement's column names and the row's values.
#[derive(Debug, Clone, PartialEq)]
pub struct ValueRow {
    names: Arc<[String]>,
    values: Vec<Value>,
}

impl ValueRow {
    /// The column names.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), folio_sqlx::Error> {
    /// use folio_sqlx::{Backend, Rusqlite};
    /// let pool = Rusqlite::connect("sqlite::memory:").await?;
    /// let rows = Rusqlite::fetch_all(&pool, &folio::Statement::new("SELECT 1 AS a, 'x' AS b")).await?;
    /// assert_eq!(rows[0].names(), ["a", "b"]);
    /// assert_eq!(rows[0].values(), [folio::Value::Int(1), folio::Value::from("x")]);
    /// # Ok(()) }
    /// ```
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The values, in column order.
    pub fn values(&self) -> &[Value] {
        &self.values
    }
}

/// VM steps between two calls of the progress handler.
const STEPS_PER_TICK: i32 = 1_000;
/// Ticks a statement may run on the caller's thread before it moves to a blocking
/// thread (50,000 VM steps).
const INLINE_TICKS: i64 = 50;

/// A pool of rusqlite connections to one SQLite database.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), folio_sqlx::Error> {
/// let dir = std::env::temp_dir().join(format!("folio-doc-{}.db", std::process::id()));
/// let pool = folio_sqlx::RusqlitePool::open(&dir, 2)?;
/// assert_eq!(pool.size(), 2);
/// # drop(pool); let _ = std::fs::remove_file(&dir);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct RusqlitePool {
    inner: Arc<Inner>,
}

struct Inner {
    idle: Mutex<Vec<Conn>>,
    permits: Arc<Semaphore>,
    size: usize,
    settings: PoolSettings,
}

impl std::fmt::Debug for RusqlitePool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RusqlitePool")
            .field("size", &self.inner.size)
            .finish_non_exhaustive()
    }
}

/// A connection, the step budget and the deadline its progress handler enforces.
struct Conn {
    db: Connection,
    limits: Arc<StepLimits>,
}

/// What the progress handler of a connection stops a statement at: a number of
/// ticks left on the caller's thread, and a deadline.
struct StepLimits {
    ticks: AtomicI64,
    /// Microseconds after [`epoch`] past which the statement stops; 0: none.
    deadline: AtomicU64,
}

/// The instant deadlines count from.
fn epoch() -> Instant {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    *EPOCH.get_or_init(Instant::now)
}

fn micros_since_epoch(at: Instant) -> u64 {
    u64::try_from(at.saturating_duration_since(epoch()).as_micros()).unwrap_or(u64::MAX)
}

impl StepLimits {
    /// Whether the statement must stop now (the progress handler's answer).
    fn stop(&self) -> bool {
        if self.ticks.fetch_sub(1, Ordering::Relaxed) <= 1 {
            return true;
        }
        let deadline = self.deadline.load(Ordering::Relaxed);
        deadline != 0 && micros_since_epoch(Instant::now()) >= deadline
    }

    /// Starts a statement: `ticks` on this thread, stopping at `deadline`.
    fn start(&self, ticks: i64, deadline: Option<Instant>) {
        self.ticks.store(ticks, Ordering::Relaxed);
        self.deadline.store(
            deadline.map_or(0, |d| micros_since_epoch(d).max(1)),
            Ordering::Relaxed,
        );
    }

    fn out_of_ticks(&self) -> bool {
        self.ticks.load(Ordering::Relaxed) <= 1
    }

    fn past_deadline(&self) -> bool {
        let deadline = self.deadline.load(Ordering::Relaxed);
        deadline != 0 && micros_since_epoch(Instant::now()) >= deadline
    }
}

impl Conn {
    fn new(db: Connection) -> Result<Conn> {
        let limits = Arc::new(StepLimits {
            ticks: AtomicI64::new(i64::MAX),
            deadline: AtomicU64::new(0),
        });
        let handler = Arc::clone(&limits);
        db.progress_handler(STEPS_PER_TICK, Some(move || handler.stop()))?;
        // One plan per statement whatever is bound (why: the docs of `Rusqlite`).
        db.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
        db.set_prepared_statement_cache_capacity(128);
        Ok(Conn { db, limits })
    }
}

impl RusqlitePool {
    /// A pool of `connections` connections (at least 1) to the SQLite file at `path`,
    /// created if missing: WAL journal, `synchronous = NORMAL`, foreign keys on, a
    /// 5-second busy timeout, no statement time limit.
    pub fn open(path: impl AsRef<std::path::Path>, connections: usize) -> Result<Self> {
        let settings = PoolSettings {
            connections: u32::try_from(connections).unwrap_or(u32::MAX),
            acquire_timeout: std::time::Duration::from_secs(5),
            statement_timeout: None,
        };
        RusqlitePool::open_with(path, settings)
    }

    /// A pool on the SQLite file at `path` (created if missing) under `settings`:
    /// its connections, the wait for one (which is also SQLite's busy timeout: a
    /// file locked by another process answers [`crate::ErrorKind::Unavailable`]
    /// after it, not later), and the time limit of a statement, enforced by the
    /// progress handler ([`crate::ErrorKind::Timeout`]).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), folio_sqlx::Error> {
    /// use std::time::Duration;
    /// let path = std::env::temp_dir().join(format!("folio-doc-with-{}.db", std::process::id()));
    /// let settings = folio_sqlx::PoolSettings::default().connections(3);
    /// let pool = folio_sqlx::RusqlitePool::open_with(&path, settings)?;
    /// assert_eq!(pool.size(), 3);
    /// # drop(pool); let _ = std::fs::remove_file(&path);
    /// # Ok(()) }
    /// ```
    pub fn open_with(path: impl AsRef<std::path::Path>, settings: PoolSettings) -> Result<Self> {
        let path = path.as_ref();
        let mut conns = Vec::new();
        for i in 0..settings.connections.max(1) {
            let db = Connection::open_with_flags(
                path,
                OpenFlags::SQLITE_OPEN_READ_WRITE
                    | OpenFlags::SQLITE_OPEN_CREATE
                    | OpenFlags::SQLITE_OPEN_URI
                    | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )?;
            db.busy_timeout(settings.acquire_timeout)?;
            if i == 0 {
                db.pragma_update(None, "journal_mode", "WAL")?;
            }
            db.execute_batch("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;")?;
            conns.push(Conn::new(db)?);
        }
        Ok(RusqlitePool::of(conns, settings))
    }

    /// An in-memory database on one connection (every statement sees the same
    /// database, and waits its turn for it up to 5 seconds, as in [`Self::open`]:
    /// with one connection, a background bookmark walk holds it for a while), with
    /// no statement time limit.
    ///
    /// ```
    /// assert_eq!(folio_sqlx::RusqlitePool::memory().unwrap().size(), 1);
    /// ```
    pub fn memory() -> Result<Self> {
        RusqlitePool::memory_with(PoolSettings {
            connections: 1,
            acquire_timeout: std::time::Duration::from_secs(5),
            statement_timeout: None,
        })
    }

    fn memory_with(settings: PoolSettings) -> Result<Self> {
        let db = Connection::open_in_memory()?;
        db.execute_batch("PRAGMA foreign_keys = ON;")?;
        Ok(RusqlitePool::of(
            vec![Conn::new(db)?],
            settings.connections(1),
        ))
    }

    fn of(conns: Vec<Conn>, settings: PoolSettings) -> Self {
        let size = conns.len();
        RusqlitePool {
            inner: Arc::new(Inner {
                idle: Mutex::new(conns),
                permits: Arc::new(Semaphore::new(size)),
                size,
                settings,
            }),
        }
    }

    /// The number of connections.
    pub fn size(&self) -> usize {
        self.inner.size
    }

    /// Waits for a connection, at most the pool's acquire timeout
    /// ([`crate::ErrorKind::Busy`] past it).
    async fn acquire(&self) -> Result<Lease> {
        let wait = Arc::clone(&self.inner.permits).acquire_owned();
        let permit = tokio::time::timeout(self.inner.settings.acquire_timeout, wait)
            .await
            .map_err(|_| Error::busy())?
            .map_err(|_| Error::unexpected("the SQLite pool is closed"))?;
        let conn = crate::cache::lock(&self.inner.idle).pop();
        let conn = conn.ok_or_else(|| Error::unexpected("a pool permit without a connection"))?;
        Ok(Lease {
            pool: Arc::clone(&self.inner),
            conn: Some(conn),
            permit: Some(permit),
        })
    }
}

/// A connection taken from the pool, back in it when dropped.
pub struct Lease {
    pool: Arc<Inner>,
    conn: Option<Conn>,
    permit: Option<OwnedSemaphorePermit>,
}

impl std::fmt::Debug for Lease {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Lease")
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            // The permit is released after the connection is back (a closed pool
            // keeps no connection).
            if !self.pool.permits.is_closed() {
                crate::cache::lock(&self.pool.idle).push(conn);
            }
        }
        drop(self.permit.take());
    }
}

/// Interrupts a connection's statement when dropped while armed: the request
/// waiting for it went away.
struct InterruptOnDrop {
    handle: Option<rusqlite::InterruptHandle>,
}

impl Drop for InterruptOnDrop {
    fn drop(&mut self) {
        if let Some(handle) = self.handle.take() {
            tracing::debug!("folio-sqlx: interrupting an abandoned SQLite statement");
            handle.interrupt();
        }
    }
}

impl Lease {
    fn deadline(&self) -> Option<Instant> {
        self.pool
            .settings
            .statement_timeout
            .map(|t| Instant::now() + t)
    }

    /// Runs `statement`: on this thread within the step budget, else again from the
    /// start on a blocking thread; stopped at the pool's statement timeout.
    async fn fetch_all(&mut self, statement: &Statement) -> Result<Vec<ValueRow>> {
        let deadline = self.deadline();
        let conn = self
            .conn
            .as_ref()
            .ok_or_else(|| Error::unexpected("a lease without a connection"))?;
        conn.limits.start(INLINE_TICKS, deadline);
        match query(&conn.db, statement) {
            Err(e) if interrupted(&e) && conn.limits.past_deadline() => Err(Error::timeout()),
            Err(e) if interrupted(&e) && conn.limits.out_of_ticks() => {
                tracing::trace!(sql = %statement.sql, "folio-sqlx: a long SQLite statement moves to a blocking thread");
                self.blocking(statement.clone(), deadline, |conn, st| query(&conn.db, &st))
                    .await
            }
            other => other,
        }
    }

    /// Runs `work` with the connection on tokio's blocking pool, with no step budget
    /// but the `deadline`. If this future is dropped first, the statement is
    /// interrupted and the connection goes back to the pool when it stops.
    async fn blocking<T: Send + 'static>(
        &mut self,
        statement: Statement,
        deadline: Option<Instant>,
        work: fn(&Conn, Statement) -> Result<T>,
    ) -> Result<T> {
        let conn = self
            .conn
            .take()
            .ok_or_else(|| Error::unexpected("a lease without a connection"))?;
        let mut interrupt = InterruptOnDrop {
            handle: Some(conn.db.get_interrupt_handle()),
        };
        // The lease travels with the connection: dropped on the blocking thread if
        // nobody waits for it any more, it puts the connection back.
        let lease = Lease {
            pool: Arc::clone(&self.pool),
            conn: Some(conn),
            permit: self.permit.take(),
        };
        let joined = tokio::task::spawn_blocking(move || {
            let lease = lease;
            let result = match lease.conn.as_ref() {
                Some(conn) => {
                    conn.limits.start(i64::MAX, deadline);
                    match work(conn, statement) {
                        Err(e) if interrupted(&e) && conn.limits.past_deadline() => {
                            Err(Error::timeout())
                        }
                        other => other,
                    }
                }
                None => Err(Error::unexpected("a lease without a connection")),
            };
            (lease, result)
        })
        .await;
        interrupt.handle = None;
        match joined {
            Ok((mut lease, result)) => {
                self.conn = lease.conn.take();
                self.permit = lease.permit.take();
                result
            }
            // The connection is lost with the task (a panic in SQLite's binding):
            // the pool runs one connection short.
            Err(_) => Err(Error::unexpected("a SQLite statement's thread failed")),
        }
    }
}

fn interrupted(e: &Error) -> bool {
    matches!(
        std::error::Error::source(e).and_then(|s| s.downcast_ref::<rusqlite::Error>()),
        Some(rusqlite::Error::SqliteFailure(f, _)) if f.code == rusqlite::ErrorCode::OperationInterrupted
    )
}

/// Binds `binds` and runs `statement`, reading every row.
fn query(db: &Connection, statement: &Statement) -> Result<Vec<ValueRow>> {
    forget_pages_if_unreadable(db, query_rows(db, statement))
}

/// A connection that found its file unreadable (overwritten, damaged) keeps the
/// pages it read in its cache, and would go on failing after the file is
/// restored: it drops them, so that its next statement reads the file again.
fn forget_pages_if_unreadable<T>(db: &Connection, result: Result<T>) -> Result<T> {
    if result
        .as_ref()
        .is_err_and(|e| e.kind() == crate::ErrorKind::Unavailable)
    {
        let _ = db.execute_batch("PRAGMA shrink_memory");
    }
    result
}

fn query_rows(db: &Connection, statement: &Statement) -> Result<Vec<ValueRow>> {
    let mut stmt = db.prepare_cached(&statement.sql)?;
    let names: Arc<[String]> = stmt.column_names().into_iter().map(str::to_owned).collect();
    bind(&mut stmt, &statement.binds)?;
    let mut rows = stmt.raw_query();
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let values = (0..names.len())
            .map(|i| Ok(value_of(row.get_ref(i)?)))
            .collect::<Result<Vec<_>>>()?;
        out.push(ValueRow {
            names: Arc::clone(&names),
            values,
        });
    }
    Ok(out)
}

/// Binds and runs `statement` for its effect, to its end: rows it returns (a
/// `PRAGMA journal_mode = WAL`, an `INSERT … RETURNING`) are stepped through and
/// dropped. The count is SQLite's changes of this statement.
fn execute(db: &Connection, statement: &Statement) -> Result<u64> {
    forget_pages_if_unreadable(db, execute_rows(db, statement))
}

fn execute_rows(db: &Connection, statement: &Statement) -> Result<u64> {
    let mut stmt = db.prepare_cached(&statement.sql)?;
    bind(&mut stmt, &statement.binds)?;
    let mut rows = stmt.raw_query();
    while rows.next()?.is_some() {}
    Ok(db.changes())
}

fn bind(stmt: &mut rusqlite::CachedStatement<'_>, binds: &[Value]) -> Result<()> {
    for (i, v) in binds.iter().enumerate() {
        let at = i + 1;
        match v {
            Value::Null => stmt.raw_bind_parameter(at, rusqlite::types::Null)?,
            Value::Int(n) => stmt.raw_bind_parameter(at, n)?,
            Value::Float(f) => stmt.raw_bind_parameter(at, f)?,
            Value::Text(s) => stmt.raw_bind_parameter(at, s.as_str())?,
            Value::Timestamp(t) => match crate::timestamp::sqlite_text(*t) {
                Some(s) => stmt.raw_bind_parameter(at, s)?,
                None => stmt.raw_bind_parameter(at, t)?,
            },
            Value::Bool(b) => stmt.raw_bind_parameter(at, b)?,
            Value::Bytes(b) => stmt.raw_bind_parameter(at, b.as_slice())?,
        }
    }
    Ok(())
}

/// A value by its storage class (timestamps stored as text stay text).
fn value_of(v: ValueRef<'_>) -> Value {
    match v {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(n) => Value::Int(n),
        ValueRef::Real(f) => Value::Float(f),
        // SQLite's text is UTF-8 unless written as bytes: check it, and replace
        // what is not (from_utf8_lossy's scan costs more than the check).
        ValueRef::Text(t) => Value::Text(match std::str::from_utf8(t) {
            Ok(s) => s.to_owned(),
            Err(_) => String::from_utf8_lossy(t).into_owned(),
        }),
        ValueRef::Blob(b) => Value::Bytes(b.to_vec()),
    }
}

/// The path of a `sqlite:` URL (`sqlite://shop.db`, `sqlite:shop.db`, with any
/// `?…` options dropped), or `None` for an in-memory database.
fn path_of(url: &str) -> Option<String> {
    let rest = url.strip_prefix("sqlite:").unwrap_or(url);
    let rest = rest.strip_prefix("//").unwrap_or(rest);
    let path = rest.split('?').next().unwrap_or_default();
    (!path.is_empty() && path != ":memory:" && !url.contains("mode=memory"))
        .then(|| path.to_owned())
}

impl Backend for Rusqlite {
    type Pool = RusqlitePool;
    type Row = ValueRow;
    type Session = Lease;

    fn dialect() -> &'static dyn folio::Dialect {
        &folio::Sqlite
    }

    const CONCURRENT: bool = false;

    /// A file (created if missing) on `settings.connections` connections; an
    /// in-memory database on one connection.
    fn connect_with(url: &str, settings: PoolSettings) -> BoxFuture<'_, Result<RusqlitePool>> {
        Box::pin(async move {
            match path_of(url) {
                Some(path) => {
                    tokio::task::spawn_blocking(move || RusqlitePool::open_with(path, settings))
                        .await
                        .map_err(|_| Error::unexpected("opening SQLite failed"))?
                }
                None => RusqlitePool::memory_with(settings),
            }
        })
    }

    /// Never: a wait for a connection that runs out is already
    /// [`crate::ErrorKind::Busy`] (the pool opens no connection on demand).
    fn saturated(_pool: &RusqlitePool) -> bool {
        false
    }

    fn fetch_all<'a>(
        pool: &'a RusqlitePool,
        statement: &'a Statement,
    ) -> BoxFuture<'a, Result<Vec<ValueRow>>> {
        Box::pin(async move { pool.acquire().await?.fetch_all(statement).await })
    }

    fn execute<'a>(pool: &'a RusqlitePool, statement: &'a Statement) -> BoxFuture<'a, Result<u64>> {
        Box::pin(async move {
            let mut lease = pool.acquire().await?;
            let deadline = lease.deadline();
            lease
                .blocking(statement.clone(), deadline, |conn, st| {
                    execute(&conn.db, &st)
                })
                .await
        })
    }

    /// Closes the pool: its idle connections now, the others when their statements
    /// end; a statement asked of it afterwards is refused.
    fn close(pool: &RusqlitePool) -> BoxFuture<'_, ()> {
        pool.inner.permits.close();
        crate::cache::lock(&pool.inner.idle).clear();
        Box::pin(async {})
    }

    fn session(pool: &RusqlitePool) -> BoxFuture<'_, Result<Lease>> {
        Box::pin(pool.acquire())
    }

    fn session_fetch_all<'a>(
        session: &'a mut Lease,
        statement: &'a Statement,
    ) -> BoxFuture<'a, Result<Vec<ValueRow>>> {
        Box::pin(session.fetch_all(statement))
    }

    fn width(row: &ValueRow) -> usize {
        row.values.len()
    }

    fn value(row: &ValueRow, column: &str) -> Result<Value> {
        row.names
            .iter()
            .position(|n| n == column)
            .map(|i| row.values[i].clone())
            .ok_or_else(|| Error::row(format!("no column `{column}`")))
    }

    fn value_at(row: &ValueRow, index: usize) -> Result<Value> {
        row.values
            .get(index)
            .cloned()
            .ok_or_else(|| Error::row(format!("no column {index}")))
    }
}

impl<T: serde::de::DeserializeOwned> crate::Decodes<T> for Rusqlite {
    fn decode(row: &ValueRow) -> Result<T> {
        T::deserialize(crate::row_de::RowDeserializer::new(&row.names, &row.values))
            .map_err(|e| Error::row(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_of_urls() {
        assert_eq!(path_of("sqlite://shop.db").as_deref(), Some("shop.db"));
        assert_eq!(path_of("sqlite:///tmp/x.db").as_deref(), Some("/tmp/x.db"));
        assert_eq!(
            path_of("sqlite:shop.db?mode=rwc").as_deref(),
            Some("shop.db")
        );
        assert_eq!(path_of("sqlite::memory:"), None);
        assert_eq!(path_of("sqlite://file.db?mode=memory"), None);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_long_statement_moves_to_a_blocking_thread_and_finishes() {
        let pool = RusqlitePool::memory().unwrap();
        // A statement of millions of VM steps: far past the inline budget.
        let st = Statement::new(
            "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 300000) \
             SELECT COUNT(*) FROM s",
        );
        let rows = Rusqlite::fetch_all(&pool, &st).await.unwrap();
        assert_eq!(rows[0].values(), [Value::Int(300_000)]);
        // and the connection is back, with its budget reset for the next statement
        let rows = Rusqlite::fetch_all(&pool, &Statement::new("SELECT 1"))
            .await
            .unwrap();
        assert_eq!(rows[0].values(), [Value::Int(1)]);
    }

    #[tokio::test]
    async fn execute_runs_statements_that_return_rows_to_their_end() {
        let pool = RusqlitePool::memory().unwrap();
        let run = |sql: &'static str| {
            let pool = pool.clone();
            async move { Rusqlite::execute(&pool, &Statement::new(sql)).await }
        };
        run("CREATE TABLE t (id INTEGER PRIMARY KEY)")
            .await
            .unwrap();
        // rows back from a PRAGMA and from RETURNING: stepped through, not an error
        run("PRAGMA journal_mode = WAL").await.unwrap();
        assert_eq!(
            run("INSERT INTO t VALUES (1), (2), (3) RETURNING id")
                .await
                .unwrap(),
            3
        );
        let rows = Rusqlite::fetch_all(&pool, &Statement::new("SELECT COUNT(*) FROM t"))
            .await
            .unwrap();
        assert_eq!(rows[0].values(), [Value::Int(3)]);
    }

    /// A keyset statement runs on the plan it was prepared with, whatever values
    /// are bound: on a database with `sqlite_stat4` it is not planned again on each
    /// run (SQLite's re-prepare counter stays 0), so the statement cache works.
    #[tokio::test]
    async fn a_cached_statement_is_not_planned_again_for_new_bound_values() {
        let pool = RusqlitePool::memory().unwrap();
        let setup = "CREATE TABLE t (id INTEGER PRIMARY KEY, k INTEGER NOT NULL); \
             CREATE INDEX t_k ON t (k, id); \
             WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 5000) \
             INSERT INTO t SELECT i, i % 7 FROM s; \
             ANALYZE";
        for sql in setup.split("; ") {
            Rusqlite::execute(&pool, &Statement::new(sql))
                .await
                .unwrap();
        }
        let stat4 =
            Rusqlite::fetch_all(&pool, &Statement::new("SELECT COUNT(*) FROM sqlite_stat4"))
                .await
                .unwrap();
        assert_ne!(
            stat4[0].values(),
            [Value::Int(0)],
            "ANALYZE wrote no sqlite_stat4"
        );
        let sql = "SELECT id FROM t WHERE k >= ? AND (k > ? OR (k = ? AND id > ?)) \
                   ORDER BY k, id LIMIT 11";
        for after in [(0, 7), (3, 1003), (6, 4004), (2, 2)] {
            let st = Statement::new(sql)
                .bind(after.0)
                .bind(after.0)
                .bind(after.0)
                .bind(after.1);
            let rows = Rusqlite::fetch_all(&pool, &st).await.unwrap();
            assert_eq!(rows.len(), 11);
        }
        let lease = pool.acquire().await.unwrap();
        let conn = lease.conn.as_ref().unwrap();
        let stmt = conn.db.prepare_cached(sql).unwrap();
        assert_eq!(stmt.get_status(rusqlite::StatementStatus::RePrepare), 0);
    }
}
