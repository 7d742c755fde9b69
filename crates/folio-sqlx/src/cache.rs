//! What pages remember between requests: exact counts ([`CountCache`]), and the
//! bounded, expiring maps both it and the bookmarks keep.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use folio::{EstimateQuery, Select, Statement, Total, Value};

/// The key of a remembered total: the count statement (its SQL and typed binds),
/// or an estimate of a select (the estimate asked and the select's canonical
/// bytes: known without rendering the estimate's SQL, which a hit then skips).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum TotalKey {
    Statement { sql: String, binds: Vec<Value> },
    Estimate(EstimateQuery, Vec<u8>),
}

impl From<&Statement> for TotalKey {
    fn from(st: &Statement) -> Self {
        TotalKey::Statement {
            sql: st.sql.clone(),
            binds: st.binds.clone(),
        }
    }
}

impl TotalKey {
    /// The key of `query`'s estimate of `select` (the dialect is the cache's
    /// database's, one per cache).
    pub(crate) fn estimate(query: EstimateQuery, select: &Select) -> Self {
        TotalKey::Estimate(query, select.canonical_bytes())
    }
}

/// Before `key` is inserted into `map`, which holds at most `capacity` entries:
/// when it is full and `key` is new, drops the entries older than `ttl` (by
/// `taken`), then, if still full, the oldest.
pub(crate) fn make_room<K: Hash + Eq + Clone, V>(
    map: &mut HashMap<K, V>,
    key: &K,
    capacity: usize,
    ttl: Duration,
    taken: impl Fn(&V) -> Instant,
) {
    if map.len() < capacity || map.contains_key(key) {
        return;
    }
    map.retain(|_, v| taken(v).elapsed() < ttl);
    if map.len() >= capacity {
        if let Some(oldest) = map
            .iter()
            .min_by_key(|(_, v)| taken(v))
            .map(|(k, _)| k.clone())
        {
            map.remove(&oldest);
        }
    }
}

/// Locks a mutex whose data stays consistent if a holder panicked.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A thread-safe cache of totals, keyed by the statement that counted or estimated
/// them (SQL and typed binds, so by query and filters), each entry kept for a TTL
/// (a zero TTL keeps nothing); at most `capacity` entries (expired ones go first,
/// then the oldest). Cheap to clone: clones share the entries. Each [`crate::Db`]
/// has two, shared by its clones: exact counts (`count=cached`,
/// [`crate::Db::count_cache`]) and estimated totals ([`crate::Db::estimate_cache`]).
/// They are per process: another server instance keeps its own.
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
    inner: Arc<Mutex<HashMap<TotalKey, (Instant, Total)>>>,
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

    /// How long an entry is kept.
    ///
    /// ```
    /// use std::time::Duration;
    /// assert_eq!(folio_sqlx::CountCache::default().ttl(), Duration::from_secs(60));
    /// ```
    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    /// The entries held (expired ones included until they are evicted).
    ///
    /// ```
    /// assert_eq!(folio_sqlx::CountCache::default().len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        lock(&self.inner).len()
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
        lock(&self.inner).clear();
    }

    pub(crate) fn get(&self, key: &TotalKey) -> Option<Total> {
        let mut map = lock(&self.inner);
        match map.get(key) {
            Some((at, total)) if at.elapsed() < self.ttl => Some(*total),
            Some(_) => {
                map.remove(key);
                None
            }
            None => None,
        }
    }

    pub(crate) fn insert(&self, key: TotalKey, total: Total) {
        if self.ttl.is_zero() {
            return;
        }
        let mut map = lock(&self.inner);
        make_room(&mut map, &key, self.capacity, self.ttl, |(at, _)| *at);
        map.insert(key, (Instant::now(), total));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_tell_binds_apart() {
        let key = |binds: Vec<Value>| {
            TotalKey::from(&Statement {
                sql: "SELECT ?".into(),
                binds,
            })
        };
        assert_ne!(key(vec![Value::Int(1)]), key(vec![Value::from("1")]));
        assert_eq!(key(vec![Value::Int(1)]), key(vec![Value::Int(1)]));
    }

    #[test]
    fn estimate_keys_tell_queries_and_selects_apart() {
        use folio::Filter;
        let t = Select::from("t");
        let books = Select::from("t").filter(Filter::eq("category", "books"));
        let key = TotalKey::estimate;
        assert_eq!(
            key(EstimateQuery::table(10), &t),
            key(EstimateQuery::table(10), &t.clone().columns(["id"]))
        );
        assert_ne!(
            key(EstimateQuery::table(10), &t),
            key(EstimateQuery::table(1_000), &t)
        );
        assert_ne!(
            key(EstimateQuery::table(10), &t),
            key(EstimateQuery::planner(), &t)
        );
        assert_ne!(
            key(EstimateQuery::planner(), &t),
            key(EstimateQuery::planner(), &books)
        );
    }

    #[test]
    fn room_goes_to_the_expired_then_the_oldest() {
        let now = Instant::now();
        let old = now.checked_sub(Duration::from_secs(10)).unwrap();
        let k = |s: &str| s.to_owned();
        let mut map: HashMap<String, Instant> = [(k("a"), old), (k("b"), now)].into();
        // not full, or a key already held: nothing goes
        make_room(&mut map, &k("c"), 3, Duration::from_secs(5), |t| *t);
        make_room(&mut map, &k("a"), 2, Duration::from_secs(5), |t| *t);
        assert_eq!(map.len(), 2);
        // full: the expired entry goes
        make_room(&mut map, &k("c"), 2, Duration::from_secs(5), |t| *t);
        assert_eq!(map.keys().collect::<Vec<_>>(), ["b"]);
        // full of fresh entries: the oldest goes
        map.insert(k("c"), now.checked_sub(Duration::from_secs(1)).unwrap());
        make_room(&mut map, &k("d"), 2, Duration::from_secs(60), |t| *t);
        assert_eq!(map.keys().collect::<Vec<_>>(), ["b"]);
    }
}
