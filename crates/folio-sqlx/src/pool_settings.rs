//! How a pool is opened: its connections, how long a statement waits for one, and
//! how long a statement may run.

use std::time::Duration;

/// A pooled connection idle this long is pinged before a request gets it (one
/// round trip); one used more recently is handed out as it is. sqlx pings every
/// connection on every acquire by default, which doubled the round trips of a
/// page under load; a connection that broke since its last use fails its
/// statement as the database being unavailable (503), and is dropped.
#[cfg(any(feature = "sqlite", feature = "postgres", feature = "mysql"))]
pub(crate) const PING_AFTER_IDLE: Duration = Duration::from_secs(1);

/// The connections a pool opens and the two time limits of its statements.
///
/// - `connections`: the most connections the pool holds.
/// - `acquire_timeout`: how long a statement waits for a connection. Past it, the
///   statement fails with [`crate::ErrorKind::Busy`] when every connection is in
///   use, and with [`crate::ErrorKind::Unavailable`] when the pool could have opened
///   one but the database did not answer: so a database that is down answers
///   within this time, not after a long wait.
/// - `statement_timeout`: the longest a statement may run, enforced by the
///   database where it can be (PostgreSQL `statement_timeout`, MariaDB
///   `max_statement_time`, MySQL `max_execution_time` for `SELECT`s) and by the
///   progress handler on [`crate::Rusqlite`]; past it the statement stops with
///   [`crate::ErrorKind::Timeout`]. `None`: no limit. sqlx's SQLite backend
///   ([`crate::Sqlite`]) cannot stop a running statement: there it is no limit.
///
/// ```
/// use std::time::Duration;
/// use folio_sqlx::PoolSettings;
/// let settings = PoolSettings::default().statement_timeout(Some(Duration::from_secs(2)));
/// assert_eq!(settings.statement_timeout, Some(Duration::from_secs(2)));
/// assert_eq!(settings.acquire_timeout, folio_sqlx::DEFAULT_ACQUIRE_TIMEOUT);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolSettings {
    /// The most connections the pool holds (at least 1).
    pub connections: u32,
    /// How long a statement waits for a connection.
    pub acquire_timeout: Duration,
    /// The longest a statement may run (`None`: no limit).
    pub statement_timeout: Option<Duration>,
}

/// The default [`PoolSettings::acquire_timeout`]: half a second.
pub const DEFAULT_ACQUIRE_TIMEOUT: Duration = Duration::from_millis(500);

/// The default [`PoolSettings::statement_timeout`]: five seconds.
pub const DEFAULT_STATEMENT_TIMEOUT: Duration = Duration::from_secs(5);

impl Default for PoolSettings {
    /// One connection per core (at least 2), a [`DEFAULT_ACQUIRE_TIMEOUT`] wait
    /// and a [`DEFAULT_STATEMENT_TIMEOUT`] limit.
    ///
    /// ```
    /// let s = folio_sqlx::PoolSettings::default();
    /// assert!(s.connections >= 2);
    /// assert_eq!(s.statement_timeout, Some(folio_sqlx::DEFAULT_STATEMENT_TIMEOUT));
    /// ```
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get() as u32);
        PoolSettings {
            connections: cores.max(2),
            acquire_timeout: DEFAULT_ACQUIRE_TIMEOUT,
            statement_timeout: Some(DEFAULT_STATEMENT_TIMEOUT),
        }
    }
}

impl PoolSettings {
    /// These settings with `connections` connections (at least 1).
    ///
    /// ```
    /// assert_eq!(folio_sqlx::PoolSettings::default().connections(0).connections, 1);
    /// ```
    #[must_use]
    pub fn connections(mut self, connections: u32) -> Self {
        self.connections = connections.max(1);
        self
    }

    /// These settings with a wait of `timeout` for a connection.
    ///
    /// ```
    /// use std::time::Duration;
    /// let s = folio_sqlx::PoolSettings::default().acquire_timeout(Duration::from_secs(2));
    /// assert_eq!(s.acquire_timeout, Duration::from_secs(2));
    /// ```
    #[must_use]
    pub fn acquire_timeout(mut self, timeout: Duration) -> Self {
        self.acquire_timeout = timeout;
        self
    }

    /// These settings with statements limited to `timeout` (`None`: no limit).
    ///
    /// ```
    /// assert_eq!(folio_sqlx::PoolSettings::default().statement_timeout(None).statement_timeout, None);
    /// ```
    #[must_use]
    pub fn statement_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.statement_timeout = timeout;
        self
    }

    /// sqlx's pool options for these settings: at most `connections` connections
    /// (at least 1), a wait of `acquire_timeout` for one, and a ping only for a
    /// connection idle [`PING_AFTER_IDLE`] or longer.
    #[cfg(any(feature = "sqlite", feature = "postgres", feature = "mysql"))]
    pub(crate) fn sqlx_pool<DB: sqlx::Database>(&self) -> sqlx::pool::PoolOptions<DB> {
        sqlx::pool::PoolOptions::new()
            .max_connections(self.connections.max(1))
            .acquire_timeout(self.acquire_timeout)
            .test_before_acquire(false)
            .before_acquire(|conn, meta| {
                Box::pin(async move {
                    if meta.idle_for >= PING_AFTER_IDLE {
                        sqlx::Connection::ping(conn).await?;
                    }
                    Ok(true)
                })
            })
    }

    /// The statement timeout in whole milliseconds, at least 1 (what the databases
    /// take), `None` for no limit.
    #[cfg(any(feature = "postgres", feature = "mysql"))]
    pub(crate) fn statement_timeout_ms(&self) -> Option<u64> {
        self.statement_timeout
            .map(|t| u64::try_from(t.as_millis()).unwrap_or(u64::MAX).max(1))
    }
}
