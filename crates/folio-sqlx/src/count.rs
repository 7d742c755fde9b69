//! Count strategies (SPEC §2.4) and the cache of exact counts.

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use folio::{BaseQuery, CountQuery, Statement, Total, TotalRelation, Value};
use sqlx::Row as _;

use crate::cache::{make_room, query_key};
use crate::db::{Backend, Rows};
use crate::{Db, Result};

/// The cap of [`CountStrategy::Capped`] when parsed from `capped` (SPEC §3.3a).
pub const DEFAULT_COUNT_CAP: u64 = 10_000;

/// [`CountStrategy::Auto`] counts exactly when the estimate is below this (SPEC §3.3a).
pub const DEFAULT_AUTO_THRESHOLD: u64 = 100_000;

/// [`CountStrategy::Estimate`] counts exactly when the table estimate is below this:
/// small tables are cheap to count and their statistics are the least reliable.
pub const ESTIMATE_EXACT_BELOW: u64 = 1_000;

/// How a page's total is obtained. Each strategy runs at most ONE statement
/// (see the crate docs for the table per backend), so a page request stays within
/// two statements.
///
/// | strategy | relation | statement |
/// | --- | --- | --- |
/// | `None` | no total | none |
/// | `Exact` | `eq` | `COUNT(*)` of the base query |
/// | `Cached` | `eq` | none on a cache hit, else `COUNT(*)` |
/// | `Capped(n)` | `eq`, or `gte` with total `n` | counts at most `n + 1` rows |
/// | `Estimate` | `approx` (`eq` when small) | table statistics, or the planner's rows |
/// | `Auto` | `eq` under the threshold, else `approx`/`gte` | one statement |
///
/// ```
/// use folio_sqlx::CountStrategy;
/// assert_eq!("capped".parse::<CountStrategy>().unwrap(), CountStrategy::Capped(10_000));
/// assert_eq!("auto".parse::<CountStrategy>().unwrap(), CountStrategy::Auto);
/// let e = "most".parse::<CountStrategy>().unwrap_err();
/// assert_eq!(e.param(), Some("count"));
/// assert_eq!(e.kind().http_status(), 400);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CountStrategy {
    /// No count: `has_next` comes from the extra row.
    None,
    /// `COUNT(*)` of the filtered query.
    Exact,
    /// Exact, kept per (query, binds) in a [`CountCache`] for its TTL. Without a
    /// cache given to the page query, the same as `Exact`.
    Cached,
    /// Planner statistics: PostgreSQL `reltuples` for a declared plain table scan,
    /// `EXPLAIN` rows for anything else; SQLite `sqlite_stat1` (after `ANALYZE`) for
    /// a declared table. Exact below [`ESTIMATE_EXACT_BELOW`] or without statistics.
    /// SQLite has no planner estimate for a filtered query: it gets a count capped
    /// at the auto threshold (`eq` below it, `gte` at it).
    Estimate,
    /// The server's default: exact when the estimate is under the threshold
    /// ([`DEFAULT_AUTO_THRESHOLD`]), else the estimate. For a filtered query (no
    /// declared table) a count capped at the threshold: `eq` below, `gte` at it.
    Auto,
    /// Count at most `n + 1` rows; past `n` the total is `n` with relation `gte`.
    Capped(u64),
}

impl CountStrategy {
    /// Parses a client's `count` value, with `cap` for `capped`.
    ///
    /// ```
    /// use folio_sqlx::CountStrategy;
    /// assert_eq!(CountStrategy::parse_with_cap("capped", 500).unwrap(), CountStrategy::Capped(500));
    /// assert_eq!(CountStrategy::parse_with_cap("none", 500).unwrap(), CountStrategy::None);
    /// ```
    pub fn parse_with_cap(s: &str, cap: u64) -> Result<Self, folio::Error> {
        Ok(match s.trim() {
            "none" => CountStrategy::None,
            "exact" => CountStrategy::Exact,
            "cached" => CountStrategy::Cached,
            "estimate" => CountStrategy::Estimate,
            "auto" => CountStrategy::Auto,
            "capped" => CountStrategy::Capped(cap),
            other => {
                let shown: String = other.chars().take(32).collect();
                return Err(folio::Error::invalid(
                    "count",
                    format!("unknown count strategy `{shown}`; allowed: none, exact, cached, estimate, capped, auto"),
                ));
            }
        })
    }

    /// The strategy's name as a client writes it.
    ///
    /// ```
    /// assert_eq!(folio_sqlx::CountStrategy::Capped(3).name(), "capped");
    /// ```
    pub fn name(&self) -> &'static str {
        match self {
            CountStrategy::None => "none",
            CountStrategy::Exact => "exact",
            CountStrategy::Cached => "cached",
            CountStrategy::Estimate => "estimate",
            CountStrategy::Auto => "auto",
            CountStrategy::Capped(_) => "capped",
        }
    }
}

impl FromStr for CountStrategy {
    type Err = folio::Error;

    fn from_str(s: &str) -> Result<Self, folio::Error> {
        CountStrategy::parse_with_cap(s, DEFAULT_COUNT_CAP)
    }
}

/// A thread-safe cache of exact counts, keyed by the count statement (SQL and
/// binds, so by query and filters), each entry kept for a TTL; at most `capacity`
/// entries (expired ones go first, then the oldest). Cheap to clone: clones share
/// the entries.
///
/// ```
/// use std::time::Duration;
/// let cache = folio_sqlx::CountCache::new(Duration::from_secs(30), 1_000);
/// assert!(cache.is_empty());
/// let shared = cache.clone();
/// assert_eq!(shared.len(), 0);
/// ```
#[derive(Debug, Clone)]
pub struct CountCache {
    inner: Arc<Mutex<HashMap<String, (Instant, Total)>>>,
    ttl: Duration,
    capacity: usize,
}

impl Default for CountCache {
    /// A cache of 10,000 entries kept 60 seconds.
    fn default() -> Self {
        CountCache::new(Duration::from_secs(60), 10_000)
    }
}

impl CountCache {
    /// A cache keeping each count for `ttl`, at most `capacity` counts.
    ///
    /// ```
    /// let cache = folio_sqlx::CountCache::new(std::time::Duration::from_secs(5), 2);
    /// assert_eq!(cache.capacity(), 2);
    /// ```
    pub fn new(ttl: Duration, capacity: usize) -> Self {
        CountCache {
            inner: Arc::new(Mutex::new(HashMap::new())),
            ttl,
            capacity: capacity.max(1),
        }
    }

    /// The most entries kept.
    ///
    /// ```
    /// assert_eq!(folio_sqlx::CountCache::default().capacity(), 10_000);
    /// ```
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// The entries held (expired ones included until they are evicted).
    ///
    /// ```
    /// assert_eq!(folio_sqlx::CountCache::default().len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether no entry is held.
    ///
    /// ```
    /// assert!(folio_sqlx::CountCache::default().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Forgets every entry (say after a bulk write).
    ///
    /// ```
    /// let cache = folio_sqlx::CountCache::default();
    /// cache.clear();
    /// assert!(cache.is_empty());
    /// ```
    pub fn clear(&self) {
        self.lock().clear();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, (Instant, Total)>> {
        // A panic while holding the lock leaves a map that is still consistent.
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub(crate) fn get(&self, key: &str) -> Option<Total> {
        let mut map = self.lock();
        match map.get(key) {
            Some((at, total)) if at.elapsed() < self.ttl => Some(*total),
            Some(_) => {
                map.remove(key);
                None
            }
            None => None,
        }
    }

    pub(crate) fn insert(&self, key: String, total: Total) {
        let mut map = self.lock();
        make_room(&mut map, &key, self.capacity, self.ttl, |(at, _)| *at);
        map.insert(key, (Instant::now(), total));
    }
}

/// The cache key of a statement: its SQL and its binds.
fn cache_key(st: &Statement) -> String {
    query_key(&st.sql, &st.binds)
}

/// What a count needs besides the database and the base query.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CountOptions<'a> {
    pub(crate) strategy: CountStrategy,
    pub(crate) cache: Option<&'a CountCache>,
    pub(crate) table: Option<&'a str>,
    pub(crate) auto_threshold: u64,
}

/// Runs the count `options.strategy` asks for: at most one statement (SQLite's
/// table estimate adds an exact count when the database was never analyzed).
pub(crate) async fn count(
    db: &Db,
    base: &BaseQuery,
    options: CountOptions<'_>,
) -> Result<Option<Total>> {
    let total = match options.strategy {
        CountStrategy::None => return Ok(None),
        CountStrategy::Exact => exact(db, base).await?,
        CountStrategy::Cached => {
            let Some(cache) = options.cache else {
                return Ok(Some(exact(db, base).await?));
            };
            let key = cache_key(&CountQuery::exact().render(db.dialect(), base));
            if let Some(total) = cache.get(&key) {
                return Ok(Some(total));
            }
            let total = exact(db, base).await?;
            cache.insert(key, total);
            total
        }
        CountStrategy::Capped(cap) => capped(db, base, cap).await?,
        CountStrategy::Estimate => match (options.table, db.backend()) {
            (Some(table), _) => table_estimate(db, base, table, ESTIMATE_EXACT_BELOW).await?,
            (None, Backend::Postgres(_)) => planner_estimate(db, base).await?,
            (None, Backend::Sqlite(_)) => capped(db, base, options.auto_threshold).await?,
        },
        CountStrategy::Auto => match options.table {
            Some(table) => table_estimate(db, base, table, options.auto_threshold).await?,
            None => capped(db, base, options.auto_threshold).await?,
        },
    };
    Ok(Some(total))
}

pub(crate) async fn exact(db: &Db, base: &BaseQuery) -> Result<Total> {
    let st = CountQuery::exact().render(db.dialect(), base);
    let (n,) = one::<(i64,)>(db, &st).await?;
    Ok(Total::exact(non_negative(n)))
}

async fn capped(db: &Db, base: &BaseQuery, cap: u64) -> Result<Total> {
    let st = CountQuery::capped(cap).render(db.dialect(), base);
    let (n,) = one::<(i64,)>(db, &st).await?;
    let n = non_negative(n);
    Ok(if n > cap {
        Total {
            value: cap,
            relation: TotalRelation::Gte,
        }
    } else {
        Total::exact(n)
    })
}

/// One statement: the table's statistics, and `COUNT(*)` of the base query in the
/// same statement when the estimate is missing or below `exact_below` (the scalar
/// subquery is evaluated only in the branch that needs it).
async fn table_estimate(db: &Db, base: &BaseQuery, table: &str, exact_below: u64) -> Result<Total> {
    let mut binds = base.binds().to_vec();
    binds.push(Value::from(table));
    let estimate = match db.backend() {
        Backend::Postgres(_) => format!(
            "(SELECT CASE WHEN c.reltuples < 0 THEN NULL \
             WHEN c.relpages > 0 THEN c.reltuples / c.relpages * \
             (pg_relation_size(c.oid) / current_setting('block_size')::float8) \
             ELSE c.reltuples END FROM pg_class c WHERE c.oid = to_regclass(${}))::bigint",
            binds.len()
        ),
        // The first number of a row of sqlite_stat1 is the rows of the index (or of
        // the table, for the index-less row); partial indexes hold fewer: take the max.
        Backend::Sqlite(_) => {
            "(SELECT MAX(CAST(substr(stat, 1, instr(stat || ' ', ' ') - 1) AS INTEGER)) \
             FROM sqlite_stat1 WHERE tbl = ?)"
                .to_owned()
        }
    };
    let small = format!("e.n IS NULL OR e.n < {exact_below}");
    let sql = format!(
        "SELECT CASE WHEN {small} THEN (SELECT COUNT(*) FROM ({}) AS q) ELSE e.n END AS n, \
         ({small}) AS exact FROM (SELECT {estimate} AS n) AS e",
        base.sql()
    );
    let st = Statement { sql, binds };
    match one::<(i64, bool)>(db, &st).await {
        Ok((n, true)) => Ok(Total::exact(non_negative(n))),
        Ok((n, false)) => Ok(Total {
            value: non_negative(n),
            relation: TotalRelation::Approx,
        }),
        Err(e) if no_stat_table(&e) => {
            tracing::info!("folio-sqlx: sqlite_stat1 is missing (run ANALYZE); counting exactly");
            exact(db, base).await
        }
        Err(e) => Err(e),
    }
}

fn no_stat_table(e: &crate::Error) -> bool {
    match e.as_database() {
        Some(sqlx::Error::Database(d)) => d.message().contains("no such table: sqlite_stat1"),
        _ => false,
    }
}

/// PostgreSQL's planner estimate of the base query's rows (`EXPLAIN (FORMAT JSON)`).
async fn planner_estimate(db: &Db, base: &BaseQuery) -> Result<Total> {
    let st = Statement {
        sql: format!("EXPLAIN (FORMAT JSON) {}", base.sql()),
        binds: base.binds().to_vec(),
    };
    let plan = match db.fetch_rows(&st).await? {
        Rows::Postgres(rows) => match rows.first() {
            // The plan is `json`, whose binary form is its text.
            Some(row) => row.try_get_unchecked::<String, _>(0)?,
            None => String::new(),
        },
        Rows::Sqlite(_) => String::new(),
    };
    let rows = serde_json::from_str::<serde_json::Value>(&plan)
        .ok()
        .and_then(|v| v[0]["Plan"]["Plan Rows"].as_f64())
        .ok_or_else(|| {
            tracing::warn!(plan = %plan, "folio-sqlx: no row estimate in the plan");
            crate::Error::from(sqlx::Error::Protocol("EXPLAIN gave no row estimate".into()))
        })?;
    Ok(Total {
        value: rows.max(0.0).round() as u64,
        relation: TotalRelation::Approx,
    })
}

async fn one<T>(db: &Db, st: &Statement) -> Result<T>
where
    T: for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>
        + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>
        + Send
        + Unpin,
{
    db.fetch_optional::<T>(st)
        .await?
        .ok_or_else(|| sqlx::Error::RowNotFound.into())
}

fn non_negative(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}
