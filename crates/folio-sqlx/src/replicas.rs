//! Read replicas: the pools a [`crate::Db`] sends its reads to, in turn, and
//! which of them are taken as up.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use folio::Statement;

use crate::{Backend, PoolSettings, Result};

/// How often a replica marked down is asked again (`SELECT 1`) by default; the
/// first answer takes it back ([`Replicas::recheck_every`]).
pub const REPLICA_RECHECK: Duration = Duration::from_millis(250);

/// The longest a statement waits for a connection of a replica opened by
/// [`Replicas::connect`] (a shorter [`PoolSettings::acquire_timeout`] is kept): a
/// replica that does not answer is marked down, and the statement run elsewhere,
/// within this time.
pub const REPLICA_ACQUIRE_TIMEOUT: Duration = Duration::from_millis(250);

/// The read replicas of a [`crate::Db`] ([`crate::Db::with_replicas`]): pools
/// of servers that hold a copy of the primary's data (PostgreSQL hot standbys,
/// MySQL/MariaDB replicas), cheap to clone (clones share the pools and the marks).
///
/// A `Db` with replicas sends every read — pages, counts and estimates, children,
/// streams, bookmark walks, and the application's own `fetch_all`, `find`,
/// `select` — to one replica, each statement to the next in turn (round robin);
/// [`crate::Db::execute`] goes to the primary. A replica whose statement fails
/// because it cannot be reached (no connection within the pool's wait, a
/// connection lost, a server shutting down) is marked down and the statement runs
/// again on the next replica, and on the primary when none is left: the request
/// still succeeds, and later ones skip the replica at once. A task asks a replica
/// marked down again every [`Replicas::recheck_every`] ([`REPLICA_RECHECK`]) and
/// takes it back at its first answer. A statement a replica refuses as a write
/// (read-only) or cancels on a conflict with recovery runs again on the primary,
/// without marking the replica.
///
/// A replica is not checked for lag: a read may see data a little older than the
/// primary's (keyset cursors stay exact under it: a page continues after a key,
/// whatever copy answers). Read what was just written from
/// [`crate::Db::primary`].
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), folio_sqlx::Error> {
/// use folio_sqlx::{Db, Replicas, Sqlite};
/// // A primary and a "replica" (two SQLite files standing in for servers).
/// let dir = std::env::temp_dir().join(format!("folio-replicas-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// let url = |name: &str| format!("sqlite://{}", dir.join(name).display());
/// let primary = Db::<Sqlite>::connect(&url("primary.db")).await?;
/// let replica = Db::<Sqlite>::connect(&url("replica.db")).await?;
/// let create = folio::Statement::new("CREATE TABLE IF NOT EXISTS t (site TEXT)");
/// for (db, site) in [(&primary, "primary"), (&replica, "replica")] {
///     db.execute(&create).await?;
///     db.execute(&folio::Statement::new("DELETE FROM t")).await?;
///     db.execute(&folio::Statement::new("INSERT INTO t VALUES (?)").bind(site)).await?;
/// }
/// let db = primary.with_replicas(Replicas::new([replica.pool().clone()]));
/// let site = folio::Select::sql("SELECT site FROM t");
/// assert_eq!(db.find::<(String,)>(&site).await?, Some(("replica".into(),)));
/// assert_eq!(db.primary().find::<(String,)>(&site).await?, Some(("primary".into(),)));
/// assert_eq!(db.replicas().unwrap().up(), [true]);
/// # db.close().await;
/// # std::fs::remove_dir_all(&dir).unwrap();
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct Replicas<B: Backend> {
    shared: Arc<Shared<B>>,
}

#[derive(Debug)]
struct Shared<B: Backend> {
    replicas: Vec<Replica<B>>,
    /// The turn: the replica the next read starts from.
    next: AtomicUsize,
    recheck: Duration,
    /// Set when the pools are closed: the rechecks stop.
    closed: AtomicBool,
}

#[derive(Debug)]
struct Replica<B: Backend> {
    pool: B::Pool,
    down: AtomicBool,
}

impl<B: Backend> Clone for Replicas<B> {
    fn clone(&self) -> Self {
        Replicas {
            shared: Arc::clone(&self.shared),
        }
    }
}

impl<B: Backend> Replicas<B> {
    /// Replicas on `pools`, all taken as up, rechecked every [`REPLICA_RECHECK`]
    /// once marked down. Give their pools a short wait for a connection
    /// ([`PoolSettings::acquire_timeout`]): it is how long a replica that stopped
    /// answering delays the read that finds out.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), folio_sqlx::Error> {
    /// let pool = sqlx::SqlitePool::connect("sqlite::memory:").await?;
    /// let replicas = folio_sqlx::Replicas::<folio_sqlx::Sqlite>::new([pool]);
    /// assert_eq!(replicas.len(), 1);
    /// # Ok(()) }
    /// ```
    pub fn new(pools: impl IntoIterator<Item = impl Into<B::Pool>>) -> Self {
        Self::build(pools, REPLICA_RECHECK)
    }

    fn build(pools: impl IntoIterator<Item = impl Into<B::Pool>>, recheck: Duration) -> Self {
        Replicas {
            shared: Arc::new(Shared {
                replicas: pools
                    .into_iter()
                    .map(|pool| Replica {
                        pool: pool.into(),
                        down: AtomicBool::new(false),
                    })
                    .collect(),
                next: AtomicUsize::new(0),
                recheck,
                closed: AtomicBool::new(false),
            }),
        }
    }

    /// Opens a pool on each of `urls` with `settings`, its wait for a connection at
    /// most [`REPLICA_ACQUIRE_TIMEOUT`], without connecting yet
    /// ([`Backend::connect_lazy_with`]): a replica that is down when the
    /// application starts is found out by the first read, then skipped until it
    /// answers. A malformed URL fails here.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), folio_sqlx::Error> {
    /// use folio_sqlx::{PoolSettings, Postgres, Replicas};
    /// let urls = ["postgres://app@replica-1/shop", "postgres://app@replica-2/shop"];
    /// let replicas = Replicas::<Postgres>::connect(&urls, PoolSettings::default()).await?;
    /// assert_eq!(replicas.len(), 2);
    /// # Ok(()) }
    /// ```
    pub async fn connect(urls: &[impl AsRef<str>], settings: PoolSettings) -> Result<Self> {
        let settings =
            settings.acquire_timeout(settings.acquire_timeout.min(REPLICA_ACQUIRE_TIMEOUT));
        let mut pools = Vec::with_capacity(urls.len());
        for url in urls {
            pools.push(B::connect_lazy_with(url.as_ref(), settings).await?);
        }
        Ok(Self::new(pools))
    }

    /// These replicas, a replica marked down asked again every `every` (at least
    /// 10 ms).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), folio_sqlx::Error> {
    /// use std::time::Duration;
    /// let pool = sqlx::SqlitePool::connect("sqlite::memory:").await?;
    /// let replicas = folio_sqlx::Replicas::<folio_sqlx::Sqlite>::new([pool])
    ///     .recheck_every(Duration::from_secs(1));
    /// assert_eq!(replicas.recheck(), Duration::from_secs(1));
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn recheck_every(self, every: Duration) -> Self {
        let pools: Vec<B::Pool> = self
            .shared
            .replicas
            .iter()
            .map(|r| r.pool.clone())
            .collect();
        Self::build(pools, every.max(Duration::from_millis(10)))
    }

    /// How often a replica marked down is asked again.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), folio_sqlx::Error> {
    /// let pool = sqlx::SqlitePool::connect("sqlite::memory:").await?;
    /// let replicas = folio_sqlx::Replicas::<folio_sqlx::Sqlite>::new([pool]);
    /// assert_eq!(replicas.recheck(), folio_sqlx::REPLICA_RECHECK);
    /// # Ok(()) }
    /// ```
    pub fn recheck(&self) -> Duration {
        self.shared.recheck
    }

    /// The number of replicas.
    ///
    /// ```
    /// let none = folio_sqlx::Replicas::<folio_sqlx::Sqlite>::new(Vec::<sqlx::SqlitePool>::new());
    /// assert_eq!(none.len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        self.shared.replicas.len()
    }

    /// Whether there is no replica (every read then goes to the primary).
    ///
    /// ```
    /// let none: [sqlx::SqlitePool; 0] = [];
    /// assert!(folio_sqlx::Replicas::<folio_sqlx::Sqlite>::new(none).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.shared.replicas.is_empty()
    }

    /// Which replicas are taken as up, in the order given: `false` for one marked
    /// down and not yet answering again.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), folio_sqlx::Error> {
    /// let a = sqlx::SqlitePool::connect("sqlite::memory:").await?;
    /// let b = sqlx::SqlitePool::connect("sqlite::memory:").await?;
    /// let replicas = folio_sqlx::Replicas::<folio_sqlx::Sqlite>::new([a, b]);
    /// assert_eq!(replicas.up(), [true, true]);
    /// # Ok(()) }
    /// ```
    pub fn up(&self) -> Vec<bool> {
        self.shared
            .replicas
            .iter()
            .map(|r| !r.down.load(Ordering::Relaxed))
            .collect()
    }

    /// The replicas taken as up, as (index, pool), starting from the one whose turn
    /// it is (each call moves the turn on by one).
    pub(crate) fn in_turn(&self) -> impl Iterator<Item = (usize, &B::Pool)> + '_ {
        let n = self.shared.replicas.len();
        let start = if n == 0 {
            0
        } else {
            self.shared.next.fetch_add(1, Ordering::Relaxed) % n
        };
        (0..n)
            .map(move |i| (start + i) % n)
            .filter(|&i| !self.shared.replicas[i].down.load(Ordering::Relaxed))
            .map(|i| (i, &self.shared.replicas[i].pool))
    }

    /// Marks replica `index` down, and (when it was up, on a tokio runtime)
    /// starts the task that asks it again until it answers.
    pub(crate) fn mark_down(&self, index: usize, cause: &crate::Error) {
        let replica = &self.shared.replicas[index];
        if replica.down.swap(true, Ordering::Relaxed) {
            return;
        }
        tracing::warn!(
            replica = index,
            error = %cause,
            detail = ?std::error::Error::source(cause).map(ToString::to_string),
            "folio-sqlx: read replica marked down; reads go to the others or the primary"
        );
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            // No runtime to ask it again from: take it back at the next read.
            replica.down.store(false, Ordering::Relaxed);
            return;
        };
        let shared = Arc::clone(&self.shared);
        runtime.spawn(async move {
            let probe = Statement::new("SELECT 1");
            loop {
                tokio::time::sleep(shared.recheck).await;
                if shared.closed.load(Ordering::Relaxed) {
                    return;
                }
                let replica = &shared.replicas[index];
                if B::fetch_all(&replica.pool, &probe).await.is_ok() {
                    replica.down.store(false, Ordering::Relaxed);
                    tracing::info!(replica = index, "folio-sqlx: read replica back");
                    return;
                }
            }
        });
    }

    /// Closes every replica's pool; the rechecks stop.
    pub(crate) async fn close(&self) {
        self.shared.closed.store(true, Ordering::Relaxed);
        for replica in &self.shared.replicas {
            B::close(&replica.pool).await;
        }
    }
}
