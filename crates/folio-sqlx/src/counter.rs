//! Counting the statements (and the database time) of a request.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;

/// Counts the SQL statements run through a [`crate::Db`] made by [`crate::Db::counted`].
///
/// Cheap to clone: clones share one counter. A server makes one per request and
/// reports it (`X-Statement-Count`).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), folio_sqlx::Error> {
/// use folio_sqlx::{Db, Sqlite, StatementCounter};
/// let db = Db::<Sqlite>::connect("sqlite::memory:").await?;
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

    pub(crate) fn bump(&self) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }

    /// Adds `elapsed` to the time spent in statements (the `db` of `Server-Timing`).
    /// A counted [`crate::Db`] records every statement it runs; statements that run
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
