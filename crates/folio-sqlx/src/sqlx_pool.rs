//! sqlx's pool with the connections of the last second kept in front of it: what
//! folio's sqlx backends run their statements on.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use sqlx::pool::PoolConnection;
use tokio::sync::Notify;

use crate::pool_settings::PING_AFTER_IDLE;

/// A connection back from a statement that ran to its end is kept in front of
/// sqlx's pool this long; one older goes back to sqlx's pool, which pings it and
/// applies its idle and lifetime limits.
const KEEP_WARM: Duration = PING_AFTER_IDLE;

/// However busy the pool, a connection goes back through sqlx's pool (its ping,
/// its idle timeout and its lifetime limit) once it has been kept this long.
const RETURN_THROUGH_SQLX_AFTER: Duration = Duration::from_secs(60);

/// A pool of a sqlx backend ([`crate::Sqlite`], [`crate::Postgres`],
/// [`crate::MySql`]): sqlx's [`sqlx::Pool`], with the connections whose last
/// statement ended less than a second ago kept in front of it.
///
/// sqlx pings every connection as it goes back to its pool (a round trip on a
/// server backend, on a task of its own), which doubled the round trips of a page
/// under load. A connection whose statement ran to its end is known to be idle and
/// in a clean state, so folio keeps it and hands it to the next statement as it
/// is. A connection that ended in an error, or whose statement was abandoned (its
/// request timed out, its client went away), goes back to sqlx's pool, pinged
/// there as before; so does one kept longer than a second without use, and one
/// kept for a minute in all, so sqlx's idle and lifetime limits still apply. A
/// statement waiting for a connection takes the first one back, kept by folio or
/// given back to sqlx's pool.
///
/// Made from a [`sqlx::Pool`] (`From`), so a pool the application opened itself
/// serves folio as it is:
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), folio_sqlx::Error> {
/// use folio_sqlx::{Db, Sqlite, SqlxPool};
/// let pool = sqlx::SqlitePool::connect("sqlite::memory:").await?;
/// let db = Db::<Sqlite>::new(SqlxPool::from(pool));
/// assert_eq!(db.pool().sqlx().size(), 1);
/// db.close().await;
/// # Ok(())
/// # }
/// ```
pub struct SqlxPool<DB: sqlx::Database> {
    pool: sqlx::Pool<DB>,
    warm: Arc<Warm<DB>>,
}

/// The connections kept in front of sqlx's pool.
struct Warm<DB: sqlx::Database> {
    state: Mutex<WarmState<DB>>,
    /// Woken when a connection is kept: a statement waiting for one takes it.
    kept: Notify,
}

struct WarmState<DB: sqlx::Database> {
    /// Last kept last: the connection a statement takes is the one used most recently.
    idle: Vec<Kept<DB>>,
    /// Set by [`SqlxPool::close`]: nothing is kept any more.
    closed: bool,
    /// A task waits for a connection of sqlx's pool ([`SqlxPool::pull_from_sqlx`]).
    pulling: bool,
    /// Statements waiting while every connection is taken.
    waiting: usize,
}

struct Kept<DB: sqlx::Database> {
    conn: PoolConnection<DB>,
    /// When its last statement ended.
    at: Instant,
    /// When it came out of sqlx's pool.
    since: Instant,
}

/// A statement waiting while every connection is taken ([`SqlxPool::pull_from_sqlx`]).
struct Waiting<DB: sqlx::Database>(Arc<Warm<DB>>);

impl<DB: sqlx::Database> Drop for Waiting<DB> {
    fn drop(&mut self) {
        self.0.state().waiting -= 1;
    }
}

impl<DB: sqlx::Database> Warm<DB> {
    /// Keeps `conn`, fresh from sqlx's pool, for the next statement.
    fn keep(warm: Arc<Self>, conn: PoolConnection<DB>) {
        let since = Instant::now();
        Lease {
            conn: Some(conn),
            since,
            warm,
        }
        .done();
    }

    fn state(&self) -> MutexGuard<'_, WarmState<DB>> {
        // Nothing panics while holding the lock; a poisoned state is still whole.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The connection used most recently, if its statement ended under a second
    /// ago; the older ones (all of them, when the newest is too old) go back to
    /// sqlx's pool.
    fn take(&self) -> Option<Kept<DB>> {
        let mut state = self.state();
        let newest = state.idle.pop()?;
        if newest.at.elapsed() < KEEP_WARM {
            return Some(newest);
        }
        let stale = std::mem::take(&mut state.idle);
        drop(state);
        drop(newest);
        drop(stale);
        None
    }
}

impl<DB: sqlx::Database> SqlxPool<DB> {
    /// sqlx's pool underneath: for statements the application runs with sqlx
    /// itself. Close the pool through [`SqlxPool::close`] (or
    /// [`crate::Db::close`]): sqlx's own `close` waits for the connections folio
    /// keeps, which only folio's `close` gives back.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), folio_sqlx::Error> {
    /// use folio_sqlx::{Db, Sqlite};
    /// let db = Db::<Sqlite>::connect("sqlite::memory:").await?;
    /// let (one,): (i64,) = sqlx::query_as("SELECT 1").fetch_one(db.pool().sqlx()).await?;
    /// assert_eq!(one, 1);
    /// db.close().await;
    /// # Ok(())
    /// # }
    /// ```
    pub fn sqlx(&self) -> &sqlx::Pool<DB> {
        &self.pool
    }

    /// How many connections are kept in front of sqlx's pool now, idle.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), folio_sqlx::Error> {
    /// use folio::Statement;
    /// use folio_sqlx::{Db, Sqlite};
    /// let db = Db::<Sqlite>::connect("sqlite::memory:").await?;
    /// assert_eq!(db.pool().kept(), 0);
    /// db.execute(&Statement::new("SELECT 1")).await?;
    /// assert_eq!(db.pool().kept(), 1);
    /// db.close().await;
    /// assert_eq!(db.pool().kept(), 0);
    /// # Ok(())
    /// # }
    /// ```
    pub fn kept(&self) -> usize {
        self.warm.state().idle.len()
    }

    /// Closes the pool: the kept connections go back to sqlx's pool, which closes
    /// every connection once it is back from its statement; no new statement starts.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), folio_sqlx::Error> {
    /// let db = folio_sqlx::Db::<folio_sqlx::Sqlite>::connect("sqlite::memory:").await?;
    /// db.pool().close().await;
    /// assert!(db.pool().sqlx().is_closed());
    /// # Ok(())
    /// # }
    /// ```
    pub async fn close(&self) {
        let kept = {
            let mut state = self.warm.state();
            state.closed = true;
            std::mem::take(&mut state.idle)
        };
        drop(kept);
        self.pool.close().await;
    }

    /// Whether every connection the pool may hold is open and taken: by a
    /// statement, or kept by folio for the next one (a kept connection goes to a
    /// waiting statement at once, so a wait that ran out while one was kept still
    /// ran out because the database was busy, not unreachable).
    pub(crate) fn saturated(&self) -> bool {
        self.pool.num_idle() == 0 && self.pool.size() >= self.pool.options().get_max_connections()
    }

    /// A connection: the one kept most recently, else one of sqlx's pool, waiting
    /// for either for at most the pool's acquire timeout.
    pub(crate) async fn acquire(&self) -> Result<Lease<DB>, sqlx::Error> {
        if let Some(lease) = self.take_kept() {
            return Ok(lease);
        }
        let wait = self.pool.options().get_acquire_timeout();
        tokio::time::timeout(wait, self.wait_for_one())
            .await
            .unwrap_or(Err(sqlx::Error::PoolTimedOut))
    }

    async fn wait_for_one(&self) -> Result<Lease<DB>, sqlx::Error> {
        loop {
            // The wake-up is dropped (and so passed on to the next statement
            // waiting) before any other wait: one never polled again would hold a
            // kept connection's wake-up for nobody.
            let from_sqlx = {
                let kept = self.warm.kept.notified();
                tokio::pin!(kept);
                // Registered before looking, so a connection kept in between wakes it.
                kept.as_mut().enable();
                if let Some(lease) = self.take_kept() {
                    return Ok(lease);
                }
                if self.saturated() {
                    // Every connection is taken: the first one back, kept by folio
                    // or given back to sqlx's pool (and pulled from it), is the next
                    // waiter's.
                    let _waiting = self.pull_from_sqlx();
                    kept.await;
                    false
                } else {
                    // sqlx has a connection idle or room to open one.
                    true
                }
            };
            if from_sqlx {
                return self.take_from_sqlx_or_kept().await;
            }
        }
    }

    /// sqlx's pool has a connection idle or room to open one: sqlx hands it over
    /// on a task of its own, raced with a kept connection. sqlx's `acquire` is
    /// never dropped half way (it may be pinging a connection or opening one,
    /// which dropping it would close or throw away): if a kept connection comes
    /// first, the one sqlx brings is kept for the next statement.
    async fn take_from_sqlx_or_kept(&self) -> Result<Lease<DB>, sqlx::Error> {
        let mut from_sqlx = tokio::spawn(self.pool.acquire());
        loop {
            let kept = self.warm.kept.notified();
            tokio::pin!(kept);
            kept.as_mut().enable();
            if let Some(lease) = self.take_kept() {
                let warm = Arc::clone(&self.warm);
                tokio::spawn(async move {
                    if let Ok(Ok(conn)) = from_sqlx.await {
                        Warm::keep(warm, conn);
                    }
                });
                return Ok(lease);
            }
            tokio::select! {
                joined = &mut from_sqlx => {
                    let conn = joined.unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()))?;
                    // A connection kept meanwhile may have woken this statement:
                    // the wake-up goes on to the next one waiting.
                    if self.kept() > 0 {
                        self.warm.kept.notify_one();
                    }
                    return Ok(self.lease(conn, Instant::now()));
                }
                () = &mut kept => {}
            }
        }
    }

    /// While every connection is taken, one task (at most) waits for one to come
    /// back to sqlx's pool (a statement that failed or was abandoned, the
    /// minute's return) and keeps it, as long as statements wait. When its wait
    /// runs out, they look again (and one of them starts the next). The statement
    /// counts as waiting until the guard returned is dropped.
    fn pull_from_sqlx(&self) -> Waiting<DB> {
        let start = {
            let mut state = self.warm.state();
            state.waiting += 1;
            let start = !state.pulling && !state.closed;
            state.pulling |= start;
            start
        };
        if start {
            let pool = self.pool.clone();
            let warm = Arc::clone(&self.warm);
            tokio::spawn(async move {
                loop {
                    let conn = pool.acquire().await;
                    let again = {
                        let mut state = warm.state();
                        let again = conn.is_ok() && state.waiting > 0 && !state.closed;
                        state.pulling = again;
                        again
                    };
                    match conn {
                        Ok(conn) => Warm::keep(Arc::clone(&warm), conn),
                        Err(_) => warm.kept.notify_waiters(),
                    }
                    if !again {
                        break;
                    }
                }
            });
        }
        Waiting(Arc::clone(&self.warm))
    }

    /// The kept connection used most recently, as a lease ([`Warm::take`]).
    fn take_kept(&self) -> Option<Lease<DB>> {
        let kept = self.warm.take()?;
        Some(self.lease(kept.conn, kept.since))
    }

    fn lease(&self, conn: PoolConnection<DB>, since: Instant) -> Lease<DB> {
        Lease {
            conn: Some(conn),
            since,
            warm: Arc::clone(&self.warm),
        }
    }
}

impl<DB: sqlx::Database> From<sqlx::Pool<DB>> for SqlxPool<DB> {
    fn from(pool: sqlx::Pool<DB>) -> Self {
        SqlxPool {
            pool,
            warm: Arc::new(Warm {
                state: Mutex::new(WarmState {
                    idle: Vec::new(),
                    closed: false,
                    pulling: false,
                    waiting: 0,
                }),
                kept: Notify::new(),
            }),
        }
    }
}

impl<DB: sqlx::Database> Clone for SqlxPool<DB> {
    fn clone(&self) -> Self {
        SqlxPool {
            pool: self.pool.clone(),
            warm: Arc::clone(&self.warm),
        }
    }
}

impl<DB: sqlx::Database> std::fmt::Debug for SqlxPool<DB> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqlxPool")
            .field("pool", &self.pool)
            .field("kept", &self.kept())
            .finish_non_exhaustive()
    }
}

/// A connection taken for one statement. [`Lease::done`] keeps it for the next
/// statement; dropped without it (an error, an abandoned statement), the
/// connection goes back to sqlx's pool, which pings it.
pub(crate) struct Lease<DB: sqlx::Database> {
    conn: Option<PoolConnection<DB>>,
    since: Instant,
    warm: Arc<Warm<DB>>,
}

impl<DB: sqlx::Database> Lease<DB> {
    /// The connection.
    pub(crate) fn connection(&mut self) -> &mut DB::Connection {
        self.conn
            .as_mut()
            .expect("a lease holds its connection until done")
    }

    /// The statement ran to its end: the connection is kept for the next one,
    /// unless the pool is closed or the connection has been kept a minute.
    pub(crate) fn done(mut self) {
        let Some(conn) = self.conn.take() else { return };
        let now = Instant::now();
        if now.duration_since(self.since) >= RETURN_THROUGH_SQLX_AFTER {
            return;
        }
        let mut state = self.warm.state();
        if state.closed {
            return;
        }
        state.idle.push(Kept {
            conn,
            at: now,
            since: self.since,
        });
        drop(state);
        self.warm.kept.notify_one();
    }

    /// The connection itself, for a session: it goes back to sqlx's pool when
    /// dropped.
    pub(crate) fn into_inner(mut self) -> PoolConnection<DB> {
        self.conn
            .take()
            .expect("a lease holds its connection until done")
    }
}

#[cfg(all(test, feature = "sqlite"))]
mod tests {
    use super::*;

    async fn pool(connections: u32) -> SqlxPool<sqlx::Sqlite> {
        let options = sqlx::sqlite::SqlitePoolOptions::new()
            .max_connections(connections)
            .acquire_timeout(Duration::from_millis(300));
        SqlxPool::from(options.connect("sqlite::memory:").await.unwrap())
    }

    #[tokio::test]
    async fn a_connection_done_is_kept_and_taken_again() {
        let pool = pool(2).await;
        let mut lease = pool.acquire().await.unwrap();
        // A temporary table: only the connection that made it sees it.
        sqlx::query("CREATE TEMP TABLE mine (x)")
            .execute(lease.connection())
            .await
            .unwrap();
        lease.done();
        assert_eq!(pool.kept(), 1);
        let mut again = pool.acquire().await.unwrap();
        assert_eq!(pool.kept(), 0);
        sqlx::query("SELECT x FROM mine")
            .fetch_all(again.connection())
            .await
            .expect("the same connection");
        again.done();
    }

    #[tokio::test]
    async fn a_connection_dropped_without_done_goes_back_to_sqlx() {
        let pool = pool(2).await;
        let lease = pool.acquire().await.unwrap();
        drop(lease);
        assert_eq!(pool.kept(), 0);
        // sqlx's pool takes it back on a task of its own.
        for _ in 0..100 {
            if pool.sqlx().num_idle() == 1 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        assert_eq!(pool.sqlx().num_idle(), 1);
    }

    #[tokio::test]
    async fn a_statement_waiting_for_a_connection_gets_the_one_kept() {
        let pool = pool(1).await;
        let lease = pool.acquire().await.unwrap();
        assert!(pool.saturated());
        let waiting = tokio::spawn({
            let pool = pool.clone();
            async move { pool.acquire().await.map(Lease::done) }
        });
        tokio::time::sleep(Duration::from_millis(20)).await;
        lease.done();
        waiting.await.unwrap().unwrap();
        assert_eq!(pool.kept(), 1);
    }

    #[tokio::test]
    async fn a_kept_connection_counts_as_taken() {
        let pool = pool(1).await;
        pool.acquire().await.unwrap().done();
        assert_eq!(pool.kept(), 1);
        assert!(pool.saturated(), "its one connection is open and kept");
        let roomy = self::pool(2).await;
        roomy.acquire().await.unwrap().done();
        assert!(!roomy.saturated(), "room for a second connection");
    }

    /// Connections that go back through sqlx's pool (an error, an abandoned
    /// statement, the minute's return) while others are kept: a statement waiting
    /// for one must take whichever comes first, never wait in sqlx's queue alone
    /// while the kept ones go round without it.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn no_statement_waits_in_vain_while_connections_go_round() {
        let pool = pool(2).await;
        let tasks: Vec<_> = (0..16)
            .map(|task| {
                let pool = pool.clone();
                tokio::spawn(async move {
                    for i in 0..2_000 {
                        let mut lease = pool.acquire().await?;
                        sqlx::query("SELECT 1").execute(lease.connection()).await?;
                        if task == 0 && i % 200 == 100 {
                            drop(lease);
                        } else {
                            lease.done();
                        }
                        tokio::task::yield_now().await;
                    }
                    Ok::<_, sqlx::Error>(())
                })
            })
            .collect();
        for task in tasks {
            task.await
                .unwrap()
                .expect("every statement gets a connection in time");
        }
    }

    /// sqlx's `acquire` pings a connection before handing it over (its default);
    /// dropped during that ping, it closes the connection. The one connection of
    /// an in-memory database is the database: it must survive connections going
    /// back through sqlx while statements wait for one.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlx_is_never_cut_off_while_it_hands_a_connection_over() {
        let options = sqlx::sqlite::SqlitePoolOptions::new()
            .max_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .acquire_timeout(Duration::from_secs(5));
        let pool = SqlxPool::from(options.connect("sqlite::memory:").await.unwrap());
        sqlx::query("CREATE TABLE t (x)")
            .execute(pool.sqlx())
            .await
            .unwrap();
        let tasks: Vec<_> = (0..8)
            .map(|task| {
                let pool = pool.clone();
                tokio::spawn(async move {
                    for i in 0..300 {
                        let mut lease = pool.acquire().await?;
                        sqlx::query("SELECT COUNT(*) FROM t")
                            .fetch_one(lease.connection())
                            .await?;
                        if (task + i) % 7 == 0 {
                            drop(lease);
                        } else {
                            lease.done();
                        }
                    }
                    Ok::<_, sqlx::Error>(())
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap().expect("the table is still there");
        }
    }

    #[tokio::test]
    async fn waiting_in_vain_times_out() {
        let pool = pool(1).await;
        let lease = pool.acquire().await.unwrap();
        let started = Instant::now();
        let err = pool.acquire().await.err().unwrap();
        assert!(matches!(err, sqlx::Error::PoolTimedOut), "{err}");
        assert!(started.elapsed() >= Duration::from_millis(300));
        lease.done();
    }

    #[tokio::test]
    async fn a_connection_kept_over_a_second_goes_back_to_sqlx() {
        let pool = pool(2).await;
        pool.acquire().await.unwrap().done();
        assert_eq!(pool.kept(), 1);
        {
            let mut state = pool.warm.state();
            state.idle[0].at -= KEEP_WARM;
        }
        let lease = pool.acquire().await.unwrap();
        assert_eq!(pool.kept(), 0);
        lease.done();
    }

    #[tokio::test]
    async fn a_connection_kept_a_minute_in_all_goes_back_to_sqlx() {
        let pool = pool(2).await;
        let mut lease = pool.acquire().await.unwrap();
        lease.since -= RETURN_THROUGH_SQLX_AFTER;
        lease.done();
        assert_eq!(pool.kept(), 0);
    }

    #[tokio::test]
    async fn close_gives_the_kept_connections_back_and_keeps_none_after() {
        let pool = pool(2).await;
        let a = pool.acquire().await.unwrap();
        let b = pool.acquire().await.unwrap();
        a.done();
        assert_eq!(pool.kept(), 1);
        let closing = tokio::spawn({
            let pool = pool.clone();
            async move { pool.close().await }
        });
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert_eq!(pool.kept(), 0);
        // A statement that ends after the close gives its connection back too.
        b.done();
        tokio::time::timeout(Duration::from_secs(5), closing)
            .await
            .expect("close ends once every connection is back")
            .unwrap();
        assert_eq!(pool.kept(), 0);
    }
}
