//! What the crate's caches (counts, bookmarks) share: keys made of a query and its
//! binds, and room made in a map bounded in size whose entries expire.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::time::{Duration, Instant};

use folio::Value;

/// A cache key of `sql` with its `binds`.
pub(crate) fn query_key(sql: &str, binds: &[Value]) -> String {
    let mut key = sql.to_owned();
    for b in binds {
        let _ = write!(key, "\u{0}{b:?}");
    }
    key
}

/// Before `key` is inserted into `map`, which holds at most `capacity` entries:
/// when it is full and `key` is new, drops the entries older than `ttl` (by
/// `taken`), then, if still full, the oldest.
pub(crate) fn make_room<V>(
    map: &mut HashMap<String, V>,
    key: &str,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_tell_binds_apart() {
        assert_ne!(
            query_key("SELECT ?", &[Value::Int(1)]),
            query_key("SELECT ?", &[Value::from("1")])
        );
        assert_eq!(query_key("SELECT 1", &[]), "SELECT 1");
    }

    #[test]
    fn room_goes_to_the_expired_then_the_oldest() {
        let now = Instant::now();
        let old = now.checked_sub(Duration::from_secs(10)).unwrap();
        let mut map: HashMap<String, Instant> =
            [("a".to_owned(), old), ("b".to_owned(), now)].into();
        // not full, or a key already held: nothing goes
        make_room(&mut map, "c", 3, Duration::from_secs(5), |t| *t);
        make_room(&mut map, "a", 2, Duration::from_secs(5), |t| *t);
        assert_eq!(map.len(), 2);
        // full: the expired entry goes
        make_room(&mut map, "c", 2, Duration::from_secs(5), |t| *t);
        assert_eq!(map.keys().collect::<Vec<_>>(), ["b"]);
        // full of fresh entries: the oldest goes
        map.insert(
            "c".to_owned(),
            now.checked_sub(Duration::from_secs(1)).unwrap(),
        );
        make_room(&mut map, "d", 2, Duration::from_secs(60), |t| *t);
        assert_eq!(map.keys().collect::<Vec<_>>(), ["b"]);
    }
}
