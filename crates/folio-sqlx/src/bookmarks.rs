//! Bookmarks: the key of every `stride`-th row of an ordering, so that a deep page
//! number seeks to a known key and skips only the rows after it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use folio::{KeysetQuery, Seek, Select, SortSpec, Value};
use tokio::runtime::Handle;

use crate::cache::{lock, make_room};
use crate::page::arrange_rows;
use crate::{Backend, Db, Result};

/// The rows between two bookmarks unless [`Bookmarks::with_stride`] says otherwise.
pub const DEFAULT_BOOKMARK_STRIDE: u64 = 1_000;

/// Bookmarks of deep page numbers: for each (query, filters, ordering), the key
/// values of every `stride`-th row, so that page 50,000 is read as "after the
/// bookmark at row 499,000, skip 990 rows" — an index seek and a short walk —
/// instead of an OFFSET that reads the 499,990 rows before it.
///
/// Give them to a database with [`Db::with_bookmarks`]; every endpoint that allows
/// them ([`folio::EndpointBuilder::bookmarks`], the default) then uses them.
/// Taking the bookmarks of a query walks it once (one statement per `stride` rows,
/// each reading `stride` rows of the ordering's index, on one held connection). A
/// page never waits for that walk: the first deep page of a query is read by its
/// OFFSET form while its bookmarks are taken in the background — a task spawned on
/// the tokio runtime given to [`Bookmarks::new`], one walk at a time, outside the
/// page's statement count — and the pages after it seek from them.
///
/// **What a page number means with bookmarks.** Each key is where its row was when
/// the bookmarks were taken. Rows inserted or deleted before a page since then
/// shift that page by as many rows (an OFFSET would count them). After the TTL the
/// bookmarks are taken again in the background, and serve until the new ones are
/// in (so deep pages never fall back to OFFSET once a query has bookmarks); a
/// deleted bookmark row does not matter (the seek is "after this key"). Clear them
/// after a bulk write: the next deep page is then read by OFFSET while the bookmarks
/// are taken again. Keyset cursors have no such drift: they are the mode for
/// changing data. Bookmarks are per process: another server instance takes its own.
///
/// Thread-safe, bounded (at most `capacity` queries; expired ones go first, then the
/// oldest), cheap to clone (clones share the entries).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), folio_sqlx::Error> {
/// use folio::{CursorCodec, Endpoint, Select, SortSpec, Statement};
/// use folio_sqlx::{Bookmarks, Db, Sqlite, StatementCounter};
///
/// let bookmarks = Bookmarks::new(tokio::runtime::Handle::current()).with_stride(100);
/// let db = Db::<Sqlite>::connect("sqlite::memory:").await?.with_bookmarks(bookmarks.clone());
/// db.execute(&Statement { sql: "CREATE TABLE t (id INTEGER PRIMARY KEY)".into(), binds: vec![] }).await?;
/// db.execute(&Statement {
///     sql: "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 250) \
///           INSERT INTO t SELECT i FROM s".into(),
///     binds: vec![],
/// }).await?;
///
/// // every 100th row: rows 100 and 200
/// let spec = SortSpec::by_unique("id", "id");
/// assert_eq!(bookmarks.take(&db, &Select::from("t"), &spec).await?, 2);
///
/// // page 22 of 10 rows starts at offset 210: after the bookmark at row 200, skip 10
/// let endpoint = Endpoint::builder("t", CursorCodec::new(b"key")).count(folio::CountStrategy::None).build();
/// let listing = endpoint.parse("/t", "page=22").unwrap();
/// let counter = StatementCounter::new();
/// let page = db.counted(&counter).page::<(i64,)>(&endpoint, &listing, Select::from("t")).await?;
/// assert_eq!(page.items, (211..=220).map(|i| (i,)).collect::<Vec<_>>());
/// assert!(page.has_next && page.has_previous);
/// assert_eq!(counter.get(), 1);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Bookmarks {
    inner: Arc<Mutex<State>>,
    runtime: Handle,
    stride: u64,
    ttl: Duration,
    capacity: usize,
}

/// What a query's bookmarks are kept under: the backend, the select's source and
/// filters, and the ordering.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key {
    backend: &'static str,
    select: Vec<u8>,
    spec: SortSpec,
}

#[derive(Debug, Default)]
struct State {
    entries: HashMap<Key, Entry>,
    /// The query whose bookmarks are being taken in the background, if any.
    taking: Option<Key>,
}

#[derive(Debug)]
struct Entry {
    taken: Instant,
    /// Key `j` is the key of row `(j + 1) * stride` (1-based) of the ordering.
    keys: Arc<[Vec<Value>]>,
}

/// Where a page at some offset starts, by the bookmarks.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct BookmarkSeek {
    /// The bookmark's key values: the page is after this row…
    pub(crate) after: Vec<Value>,
    /// …and this many rows further.
    pub(crate) skip: u64,
}

impl Bookmarks {
    /// Bookmarks every 1,000th row, kept 60 seconds, for at most 64 queries, taken in
    /// the background on `runtime` (`tokio::runtime::Handle::current()` in a server).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let b = folio_sqlx::Bookmarks::new(tokio::runtime::Handle::current());
    /// assert_eq!((b.stride(), b.ttl().as_secs(), b.capacity()), (1_000, 60, 64));
    /// # }
    /// ```
    pub fn new(runtime: Handle) -> Self {
        Bookmarks {
            inner: Arc::new(Mutex::new(State::default())),
            runtime,
            stride: DEFAULT_BOOKMARK_STRIDE,
            ttl: Duration::from_secs(60),
            capacity: 64,
        }
    }

    /// A bookmark every `stride` rows (at least 2).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let b = folio_sqlx::Bookmarks::new(tokio::runtime::Handle::current()).with_stride(250);
    /// assert_eq!(b.stride(), 250);
    /// # }
    /// ```
    #[must_use]
    pub fn with_stride(mut self, stride: u64) -> Self {
        self.stride = stride.max(2);
        self
    }

    /// How long a query's bookmarks are fresh.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let b = folio_sqlx::Bookmarks::new(tokio::runtime::Handle::current()).with_ttl(std::time::Duration::from_secs(5));
    /// assert_eq!(b.ttl().as_secs(), 5);
    /// # }
    /// ```
    #[must_use]
    pub fn with_ttl(mut self, ttl: Duration) -> Self {
        self.ttl = ttl;
        self
    }

    /// The most queries whose bookmarks are kept (at least 1).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let b = folio_sqlx::Bookmarks::new(tokio::runtime::Handle::current()).with_capacity(8);
    /// assert_eq!(b.capacity(), 8);
    /// # }
    /// ```
    #[must_use]
    pub fn with_capacity(mut self, capacity: usize) -> Self {
        self.capacity = capacity.max(1);
        self
    }

    /// The rows between two bookmarks: pages at offsets below it are read by
    /// their OFFSET form, and a page from a bookmark skips fewer rows than this.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// assert_eq!(folio_sqlx::Bookmarks::new(tokio::runtime::Handle::current()).stride(), folio_sqlx::DEFAULT_BOOKMARK_STRIDE);
    /// # }
    /// ```
    pub fn stride(&self) -> u64 {
        self.stride
    }

    /// How long a query's bookmarks are fresh: the first deep page after it starts
    /// taking them again (in the background; the old ones serve meanwhile).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// assert_eq!(folio_sqlx::Bookmarks::new(tokio::runtime::Handle::current()).ttl(), std::time::Duration::from_secs(60));
    /// # }
    /// ```
    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    /// The most queries whose bookmarks are kept.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// assert_eq!(folio_sqlx::Bookmarks::new(tokio::runtime::Handle::current()).capacity(), 64);
    /// # }
    /// ```
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// The queries whose bookmarks are held (expired ones included until evicted).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// assert_eq!(folio_sqlx::Bookmarks::new(tokio::runtime::Handle::current()).len(), 0);
    /// # }
    /// ```
    pub fn len(&self) -> usize {
        lock(&self.inner).entries.len()
    }

    /// Whether no query's bookmarks are held.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// assert!(folio_sqlx::Bookmarks::new(tokio::runtime::Handle::current()).is_empty());
    /// # }
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Forgets every bookmark (say after a bulk write); they are taken again by the
    /// next deep page.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let b = folio_sqlx::Bookmarks::new(tokio::runtime::Handle::current());
    /// b.clear();
    /// assert!(b.is_empty());
    /// # }
    /// ```
    pub fn clear(&self) {
        lock(&self.inner).entries.clear();
    }

    /// Takes the bookmarks of `select` in `spec`'s ordering now, on `db` (one
    /// statement per `stride` rows on one connection of the pool, counted if `db`
    /// counts), replacing any held, and returns how many there are. A server may call
    /// it at start for the orderings it serves; pages otherwise take them in the
    /// background when first needed.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), folio_sqlx::Error> {
    /// use folio::{Select, SortSpec};
    /// let db = folio_sqlx::Db::<folio_sqlx::Sqlite>::connect("sqlite::memory:").await?;
    /// let select = Select::sql("SELECT 1 AS id UNION ALL SELECT 2 UNION ALL SELECT 3");
    /// let bookmarks = folio_sqlx::Bookmarks::new(tokio::runtime::Handle::current()).with_stride(2);
    /// // three rows, every second one: a single bookmark, at id 2
    /// assert_eq!(bookmarks.take(&db, &select, &SortSpec::by_unique("id", "id")).await?, 1);
    /// assert_eq!(bookmarks.len(), 1);
    /// # Ok(()) }
    /// ```
    pub async fn take<B: Backend>(
        &self,
        db: &Db<B>,
        select: &Select,
        spec: &SortSpec,
    ) -> Result<usize> {
        let keys = walk(db, select, spec, self.stride).await?;
        let n = keys.len();
        self.insert(&mut lock(&self.inner), key::<B>(select, spec), keys);
        Ok(n)
    }

    /// Where the page at `offset` starts by the bookmarks of (`select`, `spec`), or
    /// `None` when it should be read by its OFFSET form: the offset is under one
    /// stride, or the query's bookmarks are not held yet (then they start being
    /// taken in the background, on an uncounted clone of `db`, unless another
    /// query's are being taken).
    pub(crate) fn seek<B: Backend>(
        &self,
        db: &Db<B>,
        select: &Select,
        spec: &SortSpec,
        offset: u64,
    ) -> Option<BookmarkSeek> {
        if offset < self.stride {
            return None;
        }
        let key = key::<B>(select, spec);
        let keys = {
            let mut state = lock(&self.inner);
            let held = state.entries.get(&key).map(|e| {
                let fresh = e.taken.elapsed() < self.ttl;
                (Arc::clone(&e.keys), fresh)
            });
            // Missing or expired: taken (again) in the background, if no walk runs.
            // Expired bookmarks serve until their replacement is in.
            if held.as_ref().map_or(true, |(_, fresh)| !fresh) && state.taking.is_none() {
                state.taking = Some(key.clone());
                drop(state);
                self.take_in_background(db, select, spec, key);
            }
            held.map(|(keys, _)| keys)
        }?;
        // Bookmark j holds row (j + 1) * stride; the page after it starts there.
        let j = offset / self.stride;
        let held = keys.len() as u64;
        if held == 0 {
            // fewer rows than one stride: the offset form reads little
            return None;
        }
        let (index, start) = if j <= held {
            (j - 1, j * self.stride)
        } else {
            // Past the last bookmark: at most a stride of rows follows it (more if
            // rows were added since), so skip from it.
            (held - 1, held * self.stride)
        };
        let index = usize::try_from(index).ok()?;
        Some(BookmarkSeek {
            after: keys[index].clone(),
            skip: offset - start,
        })
    }

    fn take_in_background<B: Backend>(
        &self,
        db: &Db<B>,
        select: &Select,
        spec: &SortSpec,
        key: Key,
    ) {
        let (this, db, select, spec) = (self.clone(), db.uncounted(), select.clone(), spec.clone());
        self.runtime.spawn(async move {
            let taken = walk(&db, &select, &spec, this.stride).await;
            let mut state = lock(&this.inner);
            // Released with the insert, under one lock: whoever sees no walk
            // running also sees its bookmarks.
            state.taking = None;
            match taken {
                Ok(keys) => {
                    tracing::debug!(bookmarks = keys.len(), "bookmarks taken");
                    this.insert(&mut state, key, keys);
                }
                Err(e) => {
                    tracing::warn!(error = %e, "taking bookmarks failed; deep pages use OFFSET");
                }
            }
        });
    }

    fn insert(&self, state: &mut State, key: Key, keys: Vec<Vec<Value>>) {
        let entries = &mut state.entries;
        make_room(entries, &key, self.capacity, self.ttl, |e| e.taken);
        entries.insert(
            key,
            Entry {
                taken: Instant::now(),
                keys: keys.into(),
            },
        );
    }
}

fn key<B: Backend>(select: &Select, spec: &SortSpec) -> Key {
    Key {
        backend: B::dialect().name(),
        select: select.canonical_bytes(),
        spec: spec.clone(),
    }
}

/// Walks `select` in `spec`'s order, one statement per bookmark: the row `stride`
/// rows after the previous bookmark (a keyset seek and an OFFSET of `stride - 1`).
/// The statements run on one connection held for the walk: under load, a walk
/// that queued for the pool once per statement would take minutes.
async fn walk<B: Backend>(
    db: &Db<B>,
    select: &Select,
    spec: &SortSpec,
    stride: u64,
) -> Result<Vec<Vec<Value>>> {
    let mut session = db.session().await?;
    let mut keys: Vec<Vec<Value>> = Vec::new();
    loop {
        let seek = keys.last().map_or(Seek::First, |k| Seek::After(k.clone()));
        let ks = KeysetQuery::new(spec, seek, 1)
            .skip(stride - 1)
            .render(B::dialect(), select)?;
        let rows = session.fetch_rows(&ks.statement).await?;
        match arrange_rows::<B>(&ks, rows, spec, false)?.first_keys {
            Some(k) => keys.push(k),
            None => return Ok(keys),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use folio::Statement;

    async fn table(rows: u32) -> Db<sqlx::Sqlite> {
        let db = Db::<sqlx::Sqlite>::connect("sqlite::memory:")
            .await
            .unwrap();
        let sql = format!(
            "CREATE TABLE t (id INTEGER PRIMARY KEY, a INTEGER NOT NULL, r REAL);
             WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < {rows})
             INSERT INTO t SELECT i, i % 7, CASE WHEN i % 3 = 0 THEN NULL ELSE i % 5 END FROM s"
        );
        db.execute(&Statement { sql, binds: vec![] }).await.unwrap();
        db
    }

    #[tokio::test]
    async fn bookmarks_are_every_stride_th_row() {
        let db = table(95).await;
        let base = Select::sql("SELECT * FROM t");
        let spec = SortSpec::by_unique("id", "id");
        let keys = walk(&db, &base, &spec, 10).await.unwrap();
        let ids: Vec<Vec<Value>> = (1..=9).map(|j| vec![Value::Int(j * 10)]).collect();
        assert_eq!(keys, ids);
        // exactly a multiple: the last row is a bookmark, and the walk stops after it
        let keys = walk(
            &db,
            &Select::sql("SELECT * FROM t WHERE id <= 90"),
            &spec,
            10,
        )
        .await
        .unwrap();
        assert_eq!(keys.len(), 9);
        assert!(walk(
            &db,
            &Select::sql("SELECT * FROM t WHERE id < 10"),
            &spec,
            10
        )
        .await
        .unwrap()
        .is_empty());
    }

    #[tokio::test]
    async fn a_seek_lands_where_the_offset_does() {
        let db = table(95).await;
        let base = Select::sql("SELECT * FROM t");
        let spec = SortSpec::by_unique("id", "id");
        let bookmarks = Bookmarks::new(Handle::current())
            .with_stride(10)
            .with_capacity(4);
        // nothing held: the offset form, and the bookmarks start being taken
        assert_eq!(bookmarks.seek(&db, &base, &spec, 55), None);
        for _ in 0..200 {
            if !bookmarks.is_empty() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        assert_eq!(bookmarks.len(), 1, "taken in the background");
        assert_eq!(bookmarks.seek(&db, &base, &spec, 9), None, "under a stride");
        let at = |offset| bookmarks.seek(&db, &base, &spec, offset).unwrap();
        // offset 55 is row 56: after row 50, skip 5
        assert_eq!(
            at(55),
            BookmarkSeek {
                after: vec![Value::Int(50)],
                skip: 5
            }
        );
        assert_eq!(
            at(10),
            BookmarkSeek {
                after: vec![Value::Int(10)],
                skip: 0
            }
        );
        assert_eq!(
            at(90),
            BookmarkSeek {
                after: vec![Value::Int(90)],
                skip: 0
            }
        );
        // past the last bookmark (row 90): skip from it
        assert_eq!(
            at(120),
            BookmarkSeek {
                after: vec![Value::Int(90)],
                skip: 30
            }
        );
        // another ordering is another entry
        let by_a = folio::Orderings::new("id", "id")
            .field("a", "a")
            .parse("-a")
            .unwrap();
        assert_eq!(bookmarks.seek(&db, &base, &by_a, 55), None);
    }

    #[tokio::test]
    async fn entries_expire_and_stay_bounded() {
        let db = table(30).await;
        let spec = SortSpec::by_unique("id", "id");
        let bookmarks = Bookmarks::new(Handle::current())
            .with_stride(10)
            .with_ttl(Duration::from_millis(0))
            .with_capacity(2);
        for filter in 0..4 {
            let base = Select::sql("SELECT * FROM t WHERE a <> ?").bind(filter);
            bookmarks.take(&db, &base, &spec).await.unwrap();
            assert!(bookmarks.len() <= 2);
        }
        // expired: still used, and taken again in the background
        let base = Select::sql("SELECT * FROM t WHERE a <> ?").bind(3);
        let newest = || {
            let state = lock(&bookmarks.inner);
            state.entries.values().map(|e| e.taken).max().unwrap()
        };
        let before = newest();
        assert!(bookmarks.seek(&db, &base, &spec, 15).is_some());
        assert!(lock(&bookmarks.inner).taking.is_some(), "a walk started");
        for _ in 0..200 {
            if lock(&bookmarks.inner).taking.is_none() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        assert!(newest() > before, "taken again");
        bookmarks.clear();
        assert!(bookmarks.is_empty());
    }
}
