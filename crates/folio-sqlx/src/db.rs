//! The database handle: a pool of one backend, what the pages of its endpoints
//! remember (counts, bookmarks), and an optional statement counter.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

use folio::{Select, Statement};

use futures::future::BoxFuture;

use crate::error::ReplicaFailure;
use crate::limits::CostlySlots;
use crate::{
    Backend, Bookmarks, CountCache, Decodes, Limits, PoolSettings, Replicas, Result,
    StatementCounter,
};

/// A database folio runs its statements on: a pool of backend `B` (SQLite,
/// PostgreSQL or MySQL/MariaDB), cheap to clone.
///
/// Besides the pool it holds what pages remember between requests, shared by its
/// clones: the cache of exact counts ([`CountCache`], for `count=cached`) and,
/// when given, the [`Bookmarks`] of deep page numbers. A clone made by
/// [`Db::counted`] also counts the statements it runs. With read [`Replicas`]
/// ([`Db::with_replicas`]) it reads from them and writes to its own pool, the
/// primary.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), folio_sqlx::Error> {
/// use folio::{Filter, Select};
/// use folio_sqlx::{Db, Sqlite};
///
/// let db = Db::<Sqlite>::connect("sqlite::memory:").await?;
/// db.execute(&folio::Statement { sql: "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)".into(), binds: vec![] }).await?;
/// db.execute(&folio::Statement { sql: "INSERT INTO t VALUES (1, 'a'), (2, 'b')".into(), binds: vec![] }).await?;
///
/// #[derive(sqlx::FromRow, Debug, PartialEq)]
/// struct Row { id: i64, name: String }
/// let row = db.find::<Row>(&Select::from("t").filter(Filter::eq("id", 2))).await?;
/// assert_eq!(row, Some(Row { id: 2, name: "b".into() }));
/// assert_eq!(db.dialect().name(), "sqlite");
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct Db<B: Backend> {
    pool: B::Pool,
    /// Where reads go when given ([`Db::with_replicas`]); `None`: the primary.
    replicas: Option<Replicas<B>>,
    counter: Option<StatementCounter>,
    shared: Arc<Shared>,
}

/// What every clone of a [`Db`] shares besides the pool.
#[derive(Debug)]
struct Shared {
    counts: CountCache,
    estimates: CountCache,
    bookmarks: Option<Bookmarks>,
    /// Whether the statistics the table estimate reads were seen to exist (they
    /// are not dropped once made; until seen, each estimate checks).
    statistics_seen: AtomicBool,
    /// What a request may cost ([`Db::with_limits`]).
    limits: Limits,
    /// The slots of costly statements under `limits`.
    costly: CostlySlots,
}

impl Default for Shared {
    fn default() -> Self {
        Shared {
            counts: CountCache::default(),
            estimates: CountCache::new(ESTIMATE_TTL, 10_000),
            bookmarks: None,
            statistics_seen: AtomicBool::new(false),
            limits: Limits::default(),
            costly: CostlySlots::new(&Limits::default()),
        }
    }
}

/// How long an estimated total is kept by default ([`Db::estimate_cache`]).
pub const ESTIMATE_TTL: std::time::Duration = std::time::Duration::from_secs(10);

impl<B: Backend> Clone for Db<B> {
    fn clone(&self) -> Self {
        Db {
            pool: self.pool.clone(),
            replicas: self.replicas.clone(),
            counter: self.counter.clone(),
            shared: Arc::clone(&self.shared),
        }
    }
}

impl<B: Backend> Db<B> {
    /// A database on `pool`, with an empty count cache (60 s, 10,000 counts) and no
    /// bookmarks. The backend is named (`Db::<Sqlite>`), as one pool type could
    /// serve more than one backend. A sqlx backend takes sqlx's own pool (made
    /// into a [`crate::SqlxPool`]).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), folio_sqlx::Error> {
    /// use folio_sqlx::{Db, Sqlite};
    /// let pool = sqlx::SqlitePool::connect("sqlite::memory:").await?;
    /// let db = Db::<Sqlite>::new(pool);
    /// assert!(db.bookmarks().is_none());
    /// # Ok(()) }
    /// ```
    pub fn new(pool: impl Into<B::Pool>) -> Self {
        Db {
            pool: pool.into(),
            replicas: None,
            counter: None,
            shared: Arc::new(Shared::default()),
        }
    }

    /// Opens a pool on `url` (a SQLite file is created if missing; `sqlite::memory:`
    /// gets a single connection that is never closed, so every statement sees one
    /// database).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// use folio_sqlx::{Db, Sqlite};
    /// assert!(Db::<Sqlite>::connect("sqlite::memory:").await.is_ok());
    /// let err = Db::<Sqlite>::connect("postgres://nope").await.unwrap_err();
    /// assert_eq!(err.kind(), folio_sqlx::ErrorKind::Database);
    /// # }
    /// ```
    pub async fn connect(url: &str) -> Result<Self> {
        Ok(Db::new(B::connect(url).await?))
    }

    /// Opens a pool on `url` with `settings` (connections, the wait for one, the
    /// time limit of every statement).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), folio_sqlx::Error> {
    /// use std::time::Duration;
    /// use folio_sqlx::{Db, PoolSettings, Rusqlite};
    /// let settings = PoolSettings::default().statement_timeout(Some(Duration::from_millis(50)));
    /// let db = Db::<Rusqlite>::connect_with("sqlite::memory:", settings).await?;
    /// let endless = folio::Statement::new(
    ///     "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s) SELECT COUNT(*) FROM s",
    /// );
    /// let err = db.fetch_all::<(i64,)>(&endless).await.unwrap_err();
    /// assert_eq!(err.kind(), folio_sqlx::ErrorKind::Timeout);
    /// # Ok(()) }
    /// ```
    pub async fn connect_with(url: &str, settings: PoolSettings) -> Result<Self> {
        Ok(Db::new(B::connect_with(url, settings).await?))
    }

    /// The same database with `bookmarks` for the deep page numbers of its
    /// endpoints (see [`Bookmarks`]).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), folio_sqlx::Error> {
    /// use folio_sqlx::{Bookmarks, Db, Sqlite};
    /// let db = Db::<Sqlite>::connect("sqlite::memory:").await?
    ///     .with_bookmarks(Bookmarks::new(tokio::runtime::Handle::current()));
    /// assert_eq!(db.bookmarks().unwrap().stride(), 1_000);
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn with_bookmarks(self, bookmarks: Bookmarks) -> Self {
        self.rebuild(|shared| shared.bookmarks = Some(bookmarks))
    }

    /// The same database keeping exact counts in `cache`.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), folio_sqlx::Error> {
    /// use std::time::Duration;
    /// use folio_sqlx::{CountCache, Db, Sqlite};
    /// let db = Db::<Sqlite>::connect("sqlite::memory:").await?
    ///     .with_count_cache(CountCache::new(Duration::from_secs(5), 100));
    /// assert_eq!(db.count_cache().capacity(), 100);
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn with_count_cache(self, cache: CountCache) -> Self {
        self.rebuild(|shared| shared.counts = cache)
    }

    /// The same database keeping estimated totals in `cache` (by default 10
    /// seconds, [`ESTIMATE_TTL`]; a zero TTL asks the statistics on every page).
    ///
    /// An estimate reads planner statistics, which change when the table is
    /// analyzed, not with each request: keeping it briefly saves a statement on
    /// every page that shows an estimated total (a whole table's under
    /// `count=auto`, `count=estimate`). Only estimates are kept; a total that
    /// came out exact (a small table counted) is asked again each time.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), folio_sqlx::Error> {
    /// use std::time::Duration;
    /// use folio_sqlx::{CountCache, Db, Sqlite};
    /// let db = Db::<Sqlite>::connect("sqlite::memory:").await?
    ///     .with_estimate_cache(CountCache::new(Duration::ZERO, 1));
    /// assert_eq!(db.estimate_cache().ttl(), Duration::ZERO);
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn with_estimate_cache(self, cache: CountCache) -> Self {
        self.rebuild(|shared| shared.estimates = cache)
    }

    /// The same database under `limits`: a budget for exact counts and a limit on
    /// costly statements at once (see [`Limits`]).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), folio_sqlx::Error> {
    /// use folio_sqlx::{Db, Limits, Sqlite};
    /// let db = Db::<Sqlite>::connect("sqlite::memory:").await?
    ///     .with_limits(Limits::default().count_budget(Some(1_000)));
    /// assert_eq!(db.limits().count_budget, Some(1_000));
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn with_limits(self, limits: Limits) -> Self {
        self.rebuild(|shared| {
            shared.costly = CostlySlots::new(&limits);
            shared.limits = limits;
        })
    }

    /// The limits on what a request may cost ([`Db::with_limits`]).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), folio_sqlx::Error> {
    /// let db = folio_sqlx::Db::<folio_sqlx::Sqlite>::connect("sqlite::memory:").await?;
    /// assert_eq!(*db.limits(), folio_sqlx::Limits::default());
    /// # Ok(()) }
    /// ```
    pub fn limits(&self) -> &Limits {
        &self.shared.limits
    }

    fn rebuild(self, change: impl FnOnce(&mut Shared)) -> Self {
        let mut shared = Shared {
            counts: self.shared.counts.clone(),
            estimates: self.shared.estimates.clone(),
            bookmarks: self.shared.bookmarks.clone(),
            statistics_seen: AtomicBool::new(self.shared.statistics_seen.load(Ordering::Relaxed)),
            limits: self.shared.limits,
            costly: self.shared.costly.clone(),
        };
        change(&mut shared);
        Db {
            pool: self.pool,
            replicas: self.replicas,
            counter: self.counter,
            shared: Arc::new(shared),
        }
    }

    /// The same database reading from `replicas` (see [`Replicas`]): pages,
    /// counts, children, streams, bookmark walks and the reads of
    /// [`Db::fetch_all`], [`Db::find`]… go to them in turn, [`Db::execute`] to this
    /// database's pool (the primary), and a read no replica can answer to the
    /// primary. Empty `replicas`: every read goes to the primary.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), folio_sqlx::Error> {
    /// use folio_sqlx::{Db, PoolSettings, Postgres, Replicas};
    /// # let primary = sqlx::postgres::PgPoolOptions::new().connect_lazy("postgres://app@primary/shop")?;
    /// let replicas = Replicas::<Postgres>::connect(&["postgres://app@replica/shop"], PoolSettings::default()).await?;
    /// let db = Db::<Postgres>::new(primary).with_replicas(replicas);
    /// assert_eq!(db.replicas().map(Replicas::len), Some(1));
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn with_replicas(mut self, replicas: Replicas<B>) -> Self {
        self.replicas = (!replicas.is_empty()).then_some(replicas);
        self
    }

    /// The read replicas, if given ([`Db::with_replicas`]).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), folio_sqlx::Error> {
    /// let db = folio_sqlx::Db::<folio_sqlx::Sqlite>::connect("sqlite::memory:").await?;
    /// assert!(db.replicas().is_none());
    /// # Ok(()) }
    /// ```
    pub fn replicas(&self) -> Option<&Replicas<B>> {
        self.replicas.as_ref()
    }

    /// A clone of this handle (same pool, caches, bookmarks, counter) whose reads
    /// go to the primary too: to read what was just written (a replica may lag),
    /// or to run a statement that writes and returns rows (`INSERT … RETURNING`
    /// through [`Db::fetch_all`]; sent to a replica, it would be refused as a
    /// write and run again on the primary, a round trip lost).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), folio_sqlx::Error> {
    /// let db = folio_sqlx::Db::<folio_sqlx::Sqlite>::connect("sqlite::memory:").await?;
    /// assert!(db.primary().replicas().is_none());
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn primary(&self) -> Self {
        Db {
            pool: self.pool.clone(),
            replicas: None,
            counter: self.counter.clone(),
            shared: Arc::clone(&self.shared),
        }
    }

    /// The pool (the primary's, when there are replicas).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), folio_sqlx::Error> {
    /// let db = folio_sqlx::Db::<folio_sqlx::Sqlite>::connect("sqlite::memory:").await?;
    /// assert_eq!(db.pool().sqlx().size(), 1);
    /// # Ok(()) }
    /// ```
    pub fn pool(&self) -> &B::Pool {
        &self.pool
    }

    /// Closes the pool and the replicas' (shared by every clone): no statement
    /// starts on them after.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), folio_sqlx::Error> {
    /// let db = folio_sqlx::Db::<folio_sqlx::Sqlite>::connect("sqlite::memory:").await?;
    /// db.close().await;
    /// assert!(db.find::<(i64,)>(&folio::Select::sql("SELECT 1")).await.is_err());
    /// # Ok(()) }
    /// ```
    pub async fn close(&self) {
        if let Some(replicas) = &self.replicas {
            replicas.close().await;
        }
        B::close(&self.pool).await;
    }

    /// folio's dialect for this backend (what the core renders SQL with).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), folio_sqlx::Error> {
    /// let db = folio_sqlx::Db::<folio_sqlx::Sqlite>::connect("sqlite::memory:").await?;
    /// assert!(!db.dialect().numbered_placeholders());
    /// # Ok(()) }
    /// ```
    pub fn dialect(&self) -> &'static dyn folio::Dialect {
        B::dialect()
    }

    /// The cache of exact counts (`count=cached`), shared by every clone.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), folio_sqlx::Error> {
    /// let db = folio_sqlx::Db::<folio_sqlx::Sqlite>::connect("sqlite::memory:").await?;
    /// assert!(db.count_cache().is_empty());
    /// # Ok(()) }
    /// ```
    pub fn count_cache(&self) -> &CountCache {
        &self.shared.counts
    }

    /// The cache of estimated totals, shared by every clone
    /// ([`Db::with_estimate_cache`]).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), folio_sqlx::Error> {
    /// let db = folio_sqlx::Db::<folio_sqlx::Sqlite>::connect("sqlite::memory:").await?;
    /// assert_eq!(db.estimate_cache().ttl(), folio_sqlx::ESTIMATE_TTL);
    /// # Ok(()) }
    /// ```
    pub fn estimate_cache(&self) -> &CountCache {
        &self.shared.estimates
    }

    /// The bookmarks of deep page numbers, if given ([`Db::with_bookmarks`]).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), folio_sqlx::Error> {
    /// let db = folio_sqlx::Db::<folio_sqlx::Sqlite>::connect("sqlite::memory:").await?;
    /// assert!(db.bookmarks().is_none());
    /// # Ok(()) }
    /// ```
    pub fn bookmarks(&self) -> Option<&Bookmarks> {
        self.shared.bookmarks.as_ref()
    }

    /// A clone of this handle (same pool, caches and bookmarks) that adds every
    /// statement it runs, and its time, to `counter`.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), folio_sqlx::Error> {
    /// let counter = folio_sqlx::StatementCounter::new();
    /// let db = folio_sqlx::Db::<folio_sqlx::Sqlite>::connect("sqlite::memory:").await?.counted(&counter);
    /// db.execute(&folio::Statement { sql: "CREATE TABLE t (id INTEGER)".into(), binds: vec![] }).await?;
    /// assert_eq!(counter.get(), 1);
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn counted(&self, counter: &StatementCounter) -> Self {
        Db {
            pool: self.pool.clone(),
            replicas: self.replicas.clone(),
            counter: Some(counter.clone()),
            shared: Arc::clone(&self.shared),
        }
    }

    /// The counter this handle counts into, if any.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), folio_sqlx::Error> {
    /// let db = folio_sqlx::Db::<folio_sqlx::Sqlite>::connect("sqlite::memory:").await?;
    /// assert!(db.counter().is_none());
    /// assert!(db.counted(&folio_sqlx::StatementCounter::new()).counter().is_some());
    /// # Ok(()) }
    /// ```
    pub fn counter(&self) -> Option<&StatementCounter> {
        self.counter.as_ref()
    }

    /// A clone that counts nothing: for work a request starts but does not wait for
    /// (bookmarks taken in the background).
    pub(crate) fn uncounted(&self) -> Self {
        Db {
            pool: self.pool.clone(),
            replicas: self.replicas.clone(),
            counter: None,
            shared: Arc::clone(&self.shared),
        }
    }

    /// Whether the table statistics were seen to exist; marks them seen when `seen`.
    pub(crate) fn statistics_seen(&self, seen: bool) -> bool {
        if seen {
            self.shared.statistics_seen.store(true, Ordering::Relaxed);
        }
        self.shared.statistics_seen.load(Ordering::Relaxed)
    }

    /// Runs `statement` and maps every row to `T` (counted).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), folio_sqlx::Error> {
    /// let db = folio_sqlx::Db::<folio_sqlx::Sqlite>::connect("sqlite::memory:").await?;
    /// let st = folio::Statement { sql: "SELECT ? + 1".into(), binds: vec![folio::Value::Int(41)] };
    /// assert_eq!(db.fetch_all::<(i64,)>(&st).await?, [(42,)]);
    /// # Ok(()) }
    /// ```
    pub async fn fetch_all<T>(&self, statement: &Statement) -> Result<Vec<T>>
    where
        B: Decodes<T>,
    {
        let rows = self.fetch_rows(statement).await?;
        rows.iter().map(B::decode).collect()
    }

    /// Runs `statement` and maps its first row, if any, to `T` (counted).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), folio_sqlx::Error> {
    /// let db = folio_sqlx::Db::<folio_sqlx::Sqlite>::connect("sqlite::memory:").await?;
    /// let st = folio::Statement { sql: "SELECT 1 WHERE 1 = 0".into(), binds: vec![] };
    /// assert_eq!(db.fetch_optional::<(i64,)>(&st).await?, None);
    /// # Ok(()) }
    /// ```
    pub async fn fetch_optional<T>(&self, statement: &Statement) -> Result<Option<T>>
    where
        B: Decodes<T>,
    {
        let rows = self.fetch_rows(statement).await?;
        rows.first().map(B::decode).transpose()
    }

    /// Every row of `select`, mapped to `T` (counted).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), folio_sqlx::Error> {
    /// let db = folio_sqlx::Db::<folio_sqlx::Sqlite>::connect("sqlite::memory:").await?;
    /// let rows = db.select::<(i64,)>(&folio::Select::sql("SELECT ? UNION ALL SELECT ?").bind(1).bind(2)).await?;
    /// assert_eq!(rows, [(1,), (2,)]);
    /// # Ok(()) }
    /// ```
    pub async fn select<T>(&self, select: &Select) -> Result<Vec<T>>
    where
        B: Decodes<T>,
    {
        self.fetch_all(&select.to_sql(B::dialect())?).await
    }

    /// The first row of `select`, if any, mapped to `T` (counted): a detail
    /// endpoint's lookup.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), folio_sqlx::Error> {
    /// let db = folio_sqlx::Db::<folio_sqlx::Sqlite>::connect("sqlite::memory:").await?;
    /// let none = db.find::<(i64,)>(&folio::Select::sql("SELECT 1 WHERE 1 = 0")).await?;
    /// assert_eq!(none, None);
    /// # Ok(()) }
    /// ```
    pub async fn find<T>(&self, select: &Select) -> Result<Option<T>>
    where
        B: Decodes<T>,
    {
        self.fetch_optional(&select.to_sql(B::dialect())?).await
    }

    /// Runs `statement` for its effect; returns the rows affected (counted).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), folio_sqlx::Error> {
    /// let db = folio_sqlx::Db::<folio_sqlx::Sqlite>::connect("sqlite::memory:").await?;
    /// db.execute(&folio::Statement { sql: "CREATE TABLE t (a INTEGER)".into(), binds: vec![] }).await?;
    /// let st = folio::Statement { sql: "INSERT INTO t VALUES (?), (?)".into(), binds: vec![1.into(), 2.into()] };
    /// assert_eq!(db.execute(&st).await?, 2);
    /// # Ok(()) }
    /// ```
    pub async fn execute(&self, statement: &Statement) -> Result<u64> {
        let _timer = self.count_one(statement);
        B::execute(&self.pool, statement)
            .await
            .map_err(|e| Self::failed(e, Some(statement), &self.pool))
    }

    /// Runs `statement` on a connection of the pool and returns its rows (counted;
    /// the time includes the wait for the connection).
    pub(crate) async fn fetch_rows(&self, statement: &Statement) -> Result<Vec<B::Row>> {
        self.read(Some(statement), |pool| {
            Box::pin(async move {
                let _timer = self.count_one(statement);
                B::fetch_all(pool, statement).await
            })
        })
        .await
    }

    /// Runs a read `run` on a pool: on the replicas in turn when there are any,
    /// on the next one when one is down, on the primary when none can answer it
    /// (see [`Replicas`]).
    async fn read<'a, T>(
        &'a self,
        statement: Option<&Statement>,
        run: impl Fn(&'a B::Pool) -> BoxFuture<'a, Result<T>>,
    ) -> Result<T> {
        if let Some(replicas) = &self.replicas {
            for (index, pool) in replicas.in_turn() {
                let e = match run(pool).await {
                    Ok(done) => return Ok(done),
                    Err(e) => e,
                };
                let busy = e.is_pool_timeout() && B::saturated(pool);
                match e.on_replica() {
                    ReplicaFailure::Down if !busy => replicas.mark_down(index, &e),
                    ReplicaFailure::NotHere => {
                        tracing::debug!(
                            error = ?std::error::Error::source(&e),
                            "folio-sqlx: a replica refused a read; running it on the primary"
                        );
                        break;
                    }
                    _ => return Err(Self::failed(e, statement, pool)),
                }
            }
        }
        run(&self.pool)
            .await
            .map_err(|e| Self::failed(e, statement, &self.pool))
    }

    /// Runs `statement`, a costly one (a report, an export), and maps every row to
    /// `T` (counted): as folio runs its exact counts and deep OFFSET reads, in one of
    /// the slots [`Limits::costly_statements`] allows ([`crate::ErrorKind::Busy`] at
    /// once when none is free), and stopped on the database when the returned
    /// future is dropped before it ends (a request that timed out or whose client
    /// went away).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), folio_sqlx::Error> {
    /// let db = folio_sqlx::Db::<folio_sqlx::Sqlite>::connect("sqlite::memory:").await?;
    /// let st = folio::Statement::new("SELECT 6 * 7");
    /// assert_eq!(db.fetch_all_costly::<(i64,)>(&st).await?, [(42,)]);
    /// # Ok(()) }
    /// ```
    pub async fn fetch_all_costly<T>(&self, statement: &Statement) -> Result<Vec<T>>
    where
        B: Decodes<T>,
    {
        let rows = self.fetch_costly(statement).await?;
        rows.iter().map(B::decode).collect()
    }

    /// Runs a costly `statement` (an exact count, a deep OFFSET read) in one of the
    /// slots [`Limits::costly_statements`] allows, failing at once with
    /// [`crate::ErrorKind::Busy`] when none is free; the statement is stopped on the
    /// database if the request is dropped before it ends.
    pub(crate) async fn fetch_costly(&self, statement: &Statement) -> Result<Vec<B::Row>> {
        let _slot = self.shared.costly.take()?;
        self.read(Some(statement), |pool| {
            Box::pin(async move {
                let _timer = self.count_one(statement);
                B::fetch_all_cancellable(pool, statement).await
            })
        })
        .await
    }

    /// Whether every costly-statement slot is taken now.
    pub(crate) fn costly_saturated(&self) -> bool {
        self.shared.costly.saturated()
    }

    /// A costly-statement slot, held until dropped (tests that fill the slots).
    #[cfg(test)]
    pub(crate) fn take_costly_slot(&self) -> Result<Option<tokio::sync::OwnedSemaphorePermit>> {
        self.shared.costly.take()
    }

    /// Logs a failed statement; a wait for a connection that ran out while every
    /// connection was in use is [`crate::ErrorKind::Busy`], not an unreachable
    /// database.
    fn failed(e: crate::Error, statement: Option<&Statement>, pool: &B::Pool) -> crate::Error {
        let e = match statement {
            Some(statement) => logged(e, statement),
            None => e,
        };
        if e.is_pool_timeout() && B::saturated(pool) {
            return crate::Error::busy();
        }
        e
    }

    /// Holds one connection of the pool for a run of statements (a bookmark walk),
    /// so that they do not queue for the pool one by one behind busy requests.
    pub(crate) async fn session(&self) -> Result<Session<'_, B>> {
        Ok(Session {
            db: self,
            conn: self.read(None, |pool| B::session(pool)).await?,
        })
    }

    /// Counts one statement; the returned guard adds the time until it is dropped
    /// (the statement's run) to the counter's database time.
    fn count_one(&self, statement: &Statement) -> StatementTimer<'_> {
        tracing::trace!(sql = %statement.sql, binds = statement.binds.len(), "folio-sqlx: statement");
        if let Some(c) = &self.counter {
            c.bump();
        }
        StatementTimer {
            counter: self.counter.as_ref(),
            started: Instant::now(),
        }
    }
}

/// Records the time a statement ran into a [`StatementCounter`] when dropped.
struct StatementTimer<'a> {
    counter: Option<&'a StatementCounter>,
    started: Instant,
}

impl Drop for StatementTimer<'_> {
    fn drop(&mut self) {
        if let Some(c) = self.counter {
            c.record(self.started.elapsed());
        }
    }
}

fn logged(e: crate::Error, statement: &Statement) -> crate::Error {
    if let Some(cause) = std::error::Error::source(&e) {
        tracing::warn!(error = %cause, sql = %statement.sql, "folio-sqlx: statement failed");
    }
    e
}

/// One connection of a [`Db`]'s pool, held for a run of statements (counted like
/// the [`Db`]'s own).
pub(crate) struct Session<'a, B: Backend> {
    db: &'a Db<B>,
    conn: B::Session,
}

impl<B: Backend> Session<'_, B> {
    /// Runs `statement` on the held connection and returns its rows.
    pub(crate) async fn fetch_rows(&mut self, statement: &Statement) -> Result<Vec<B::Row>> {
        let _timer = self.db.count_one(statement);
        B::session_fetch_all(&mut self.conn, statement)
            .await
            .map_err(|e| Db::<B>::failed(e, Some(statement), &self.db.pool))
    }
}
