//! The page call: one page of any mode, with its total per the count strategy.

use folio::{
    BaseQuery, Cursor, CursorCodec, CursorPosition, Fingerprint, KeysetQuery, KeysetStatement,
    Mode, OffsetForm, OffsetQuery, Page, PageNumber, PageRequest, Seek, SortSpec, Total, Value,
    Window,
};
use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;
use sqlx::FromRow;

use crate::count::{self, CountOptions, DEFAULT_AUTO_THRESHOLD};
use crate::db::{Backend, Rows};
use crate::keys::KeyRow;
use crate::{Bookmarks, CountCache, CountStrategy, Db, Result};

/// Offsets at or past this are read with [`OffsetForm::DeferredJoin`] unless
/// [`PageQuery::deferred_join_from`] says otherwise.
pub const DEFAULT_DEFERRED_JOIN_FROM: u64 = 1_000;

/// One page of the user's query in any mode: builds the page statement, runs it
/// (and the count the strategy asks for), and assembles a [`Page`].
///
/// Statements: the page, plus at most one count (none with [`CountStrategy::None`],
/// none on a cache hit, none when the page itself shows the total: a last page read
/// from a known offset, or a keyset page with nothing on either side). On
/// PostgreSQL the page and the count run concurrently. `page=last` counts first
/// (exactly, or through the cache with `Cached`); a page past the end with no count
/// strategy runs an exact count so that `previous` can point at the last page.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), folio_sqlx::Error> {
/// use folio::{BaseQuery, Mode, PageNumber, PageRequest, SortSpec, Statement, TotalRelation};
/// use folio_sqlx::{CountStrategy, Db, PageQuery};
///
/// let db = Db::connect("sqlite::memory:").await?;
/// db.execute(&Statement { sql: "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL)".into(), binds: vec![] }).await?;
/// db.execute(&Statement {
///     sql: "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 25) \
///           INSERT INTO t SELECT i, 'n' || i FROM s".into(),
///     binds: vec![],
/// }).await?;
///
/// #[derive(sqlx::FromRow)]
/// struct Row { id: i64, name: String }
///
/// let base = BaseQuery::new("SELECT id, name FROM t WHERE id > ?").bind(5);
/// let spec = SortSpec::by_unique("id", "id");
/// let request = PageRequest { mode: Mode::Page(PageNumber::Nth(2)), size: 10 };
/// let page = PageQuery::new(&base, &spec, &request)
///     .count(CountStrategy::Exact)
///     .fetch::<Row>(&db)
///     .await?;
/// assert_eq!(page.items.iter().map(|r| r.id).collect::<Vec<_>>(), (16..=25).collect::<Vec<_>>());
/// assert_eq!(page.items[0].name, "n16");
/// assert!(page.has_previous && !page.has_next);
/// let total = page.total.unwrap();
/// assert_eq!((total.value, total.relation), (20, TotalRelation::Eq));
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct PageQuery<'a> {
    base: &'a BaseQuery,
    spec: &'a SortSpec,
    request: &'a PageRequest,
    count: CountStrategy,
    cache: Option<&'a CountCache>,
    cursors: Option<(&'a CursorCodec, &'a Fingerprint)>,
    deferred_join_from: u64,
    bookmarks: Option<&'a Bookmarks>,
    table: Option<&'a str>,
    auto_threshold: u64,
}

impl<'a> PageQuery<'a> {
    /// The page `request` asks for, of `base` in `spec`'s ordering. No count unless
    /// [`PageQuery::count`] asks for one.
    ///
    /// ```
    /// use folio::{BaseQuery, Mode, PageRequest, SortSpec};
    /// let (base, spec) = (BaseQuery::new("SELECT * FROM t"), SortSpec::by_unique("id", "id"));
    /// let request = PageRequest { mode: Mode::Offset(0), size: 10 };
    /// let _query = folio_sqlx::PageQuery::new(&base, &spec, &request);
    /// ```
    pub fn new(base: &'a BaseQuery, spec: &'a SortSpec, request: &'a PageRequest) -> Self {
        PageQuery {
            base,
            spec,
            request,
            count: CountStrategy::None,
            cache: None,
            cursors: None,
            deferred_join_from: DEFAULT_DEFERRED_JOIN_FROM,
            bookmarks: None,
            table: None,
            auto_threshold: DEFAULT_AUTO_THRESHOLD,
        }
    }

    /// How to obtain the total (default [`CountStrategy::None`]).
    ///
    /// ```
    /// use folio::{BaseQuery, Mode, PageRequest, SortSpec};
    /// let (base, spec) = (BaseQuery::new("SELECT * FROM t"), SortSpec::by_unique("id", "id"));
    /// let request = PageRequest { mode: Mode::Offset(0), size: 10 };
    /// let _query = folio_sqlx::PageQuery::new(&base, &spec, &request).count(folio_sqlx::CountStrategy::Capped(500));
    /// ```
    pub fn count(mut self, strategy: CountStrategy) -> Self {
        self.count = strategy;
        self
    }

    /// The cache [`CountStrategy::Cached`] keeps its counts in.
    ///
    /// ```
    /// use folio::{BaseQuery, Mode, PageRequest, SortSpec};
    /// let (base, spec) = (BaseQuery::new("SELECT * FROM t"), SortSpec::by_unique("id", "id"));
    /// let request = PageRequest { mode: Mode::Offset(0), size: 10 };
    /// let cache = folio_sqlx::CountCache::default();
    /// let _query = folio_sqlx::PageQuery::new(&base, &spec, &request)
    ///     .count(folio_sqlx::CountStrategy::Cached)
    ///     .cache(&cache);
    /// ```
    pub fn cache(mut self, cache: &'a CountCache) -> Self {
        self.cache = Some(cache);
        self
    }

    /// The codec and fingerprint of cursor mode: decoding the request's token and
    /// making the page's tokens. Required in cursor mode (without it, cursor mode
    /// is an [`folio::ErrorKind::Internal`] error).
    ///
    /// ```
    /// use folio::{BaseQuery, CursorCodec, Fingerprint, Mode, PageRequest, SortSpec};
    /// let (base, spec) = (BaseQuery::new("SELECT * FROM t"), SortSpec::by_unique("id", "id"));
    /// let request = PageRequest { mode: Mode::Offset(0), size: 10 };
    /// let codec = CursorCodec::new(b"server key");
    /// let fingerprint = Fingerprint::builder("/api/t").ordering(&spec).finish();
    /// let _query = folio_sqlx::PageQuery::new(&base, &spec, &request).cursors(&codec, &fingerprint);
    /// ```
    pub fn cursors(mut self, codec: &'a CursorCodec, fingerprint: &'a Fingerprint) -> Self {
        self.cursors = Some((codec, fingerprint));
        self
    }

    /// Offsets at or past `offset` are read as a deferred join (the offset walked
    /// over the ordering's index, full rows read only for the page). Default
    /// [`DEFAULT_DEFERRED_JOIN_FROM`]; `u64::MAX` never uses it, 0 always does.
    ///
    /// ```
    /// use folio::{BaseQuery, Mode, PageRequest, SortSpec};
    /// let (base, spec) = (BaseQuery::new("SELECT * FROM t"), SortSpec::by_unique("id", "id"));
    /// let request = PageRequest { mode: Mode::Offset(50_000), size: 10 };
    /// let _query = folio_sqlx::PageQuery::new(&base, &spec, &request).deferred_join_from(u64::MAX);
    /// ```
    pub fn deferred_join_from(mut self, offset: u64) -> Self {
        self.deferred_join_from = offset;
        self
    }

    /// Reads page-number and limit/offset pages at offsets of a stride or more from
    /// `bookmarks`: a keyset seek to the bookmark before the page and an OFFSET of
    /// less than a stride from it, instead of an OFFSET over every row before the
    /// page. Until the query's bookmarks are held (they are taken in the background
    /// the first time one is needed), pages are read by their OFFSET form. See
    /// [`Bookmarks`] for what a page number then means under writes.
    ///
    /// ```
    /// use folio::{BaseQuery, Mode, PageRequest, SortSpec};
    /// let (base, spec) = (BaseQuery::new("SELECT * FROM t"), SortSpec::by_unique("id", "id"));
    /// let request = PageRequest { mode: Mode::Offset(500_000), size: 10 };
    /// let bookmarks = folio_sqlx::Bookmarks::default();
    /// let _query = folio_sqlx::PageQuery::new(&base, &spec, &request).bookmarks(&bookmarks);
    /// ```
    pub fn bookmarks(mut self, bookmarks: &'a Bookmarks) -> Self {
        self.bookmarks = Some(bookmarks);
        self
    }

    /// Declares that the base query is a plain, unfiltered scan of `table`, so that
    /// estimates can read the table's statistics (PostgreSQL `pg_class`, SQLite
    /// `sqlite_stat1`). Do not declare it for a filtered query: the estimate would
    /// be the table's size.
    ///
    /// ```
    /// use folio::{BaseQuery, Mode, PageRequest, SortSpec};
    /// let (base, spec) = (BaseQuery::new("SELECT * FROM products"), SortSpec::by_unique("id", "id"));
    /// let request = PageRequest { mode: Mode::Offset(0), size: 10 };
    /// let _query = folio_sqlx::PageQuery::new(&base, &spec, &request)
    ///     .count(folio_sqlx::CountStrategy::Auto)
    ///     .table("products");
    /// ```
    pub fn table(mut self, table: &'a str) -> Self {
        self.table = Some(table);
        self
    }

    /// [`CountStrategy::Auto`] counts exactly under this estimate, and caps filtered
    /// counts at it (default [`DEFAULT_AUTO_THRESHOLD`]).
    ///
    /// ```
    /// use folio::{BaseQuery, Mode, PageRequest, SortSpec};
    /// let (base, spec) = (BaseQuery::new("SELECT * FROM t"), SortSpec::by_unique("id", "id"));
    /// let request = PageRequest { mode: Mode::Offset(0), size: 10 };
    /// let _query = folio_sqlx::PageQuery::new(&base, &spec, &request).auto_threshold(50_000);
    /// ```
    pub fn auto_threshold(mut self, threshold: u64) -> Self {
        self.auto_threshold = threshold;
        self
    }

    fn count_options(&self, strategy: CountStrategy) -> CountOptions<'a> {
        CountOptions {
            strategy,
            cache: self.cache,
            table: self.table,
            auto_threshold: self.auto_threshold,
        }
    }

    /// Runs the page (and its count) on `db` and maps the rows to `T`
    /// (`#[derive(sqlx::FromRow)]`; extra columns are ignored).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), folio_sqlx::Error> {
    /// use folio::{BaseQuery, Mode, PageNumber, PageRequest, SortSpec};
    /// let db = folio_sqlx::Db::connect("sqlite::memory:").await?;
    /// let base = BaseQuery::new("SELECT 1 AS id UNION ALL SELECT 2 UNION ALL SELECT 3");
    /// let spec = SortSpec::by_unique("id", "id");
    /// // the last page needs a total: one count, then the page
    /// let request = PageRequest { mode: Mode::Page(PageNumber::Last), size: 2 };
    /// let page = folio_sqlx::PageQuery::new(&base, &spec, &request).fetch::<(i64,)>(&db).await?;
    /// assert_eq!(page.items, [(3,)]);
    /// assert_eq!(page.window, folio::Window::Page { number: 2, size: 2 });
    /// assert_eq!(page.total, Some(folio::Total::exact(3)));
    /// # Ok(()) }
    /// ```
    pub async fn fetch<T>(&self, db: &Db) -> Result<Page<T>>
    where
        T: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin,
    {
        let size = self.request.size.max(1);
        match &self.request.mode {
            Mode::Page(PageNumber::Nth(n)) => {
                let number = (*n).max(1);
                let window = Window::Page { number, size };
                self.offset_page(db, (number - 1).saturating_mul(size), size, window, None)
                    .await
            }
            Mode::Page(PageNumber::Last) => {
                // The last page needs the exact total first.
                let strategy = if self.count == CountStrategy::Cached {
                    CountStrategy::Cached
                } else {
                    CountStrategy::Exact
                };
                let total = count::count(db, self.base, self.count_options(strategy))
                    .await?
                    .unwrap_or(Total::exact(0));
                let number = total.value.div_ceil(size).max(1);
                let window = Window::Page { number, size };
                self.offset_page(
                    db,
                    (number - 1).saturating_mul(size),
                    size,
                    window,
                    Some(total),
                )
                .await
            }
            Mode::Offset(offset) => {
                let window = Window::Offset {
                    offset: *offset,
                    limit: size,
                };
                self.offset_page(db, *offset, size, window, None).await
            }
            Mode::Cursor(position) => self.cursor_page(db, position, size).await,
        }
    }

    async fn offset_page<T>(
        &self,
        db: &Db,
        offset: u64,
        size: u64,
        window: Window,
        known: Option<Total>,
    ) -> Result<Page<T>>
    where
        T: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin,
    {
        let bookmark = self
            .bookmarks
            .and_then(|b| b.seek(db, self.base, self.spec, offset));
        let (items, has_next, counted) = if let Some(bookmark) = bookmark {
            let ks = KeysetQuery::new(self.spec, Seek::After(bookmark.after), size)
                .skip(bookmark.skip)
                .render(db.dialect(), self.base)?;
            let (rows, counted) = self
                .rows_and_count(db, &ks.statement, known.is_none())
                .await?;
            let page: KeyedPage<T> = keyed_page(&ks, &rows, self.spec)?;
            (page.items, page.has_next, counted)
        } else {
            let form = if offset >= self.deferred_join_from {
                OffsetForm::DeferredJoin
            } else {
                OffsetForm::Plain
            };
            let st = OffsetQuery::new(self.spec, offset, size)
                .form(form)
                .render(db.dialect(), self.base);
            let (rows, counted) = self.rows_and_count(db, &st, known.is_none()).await?;
            let mut items: Vec<T> = map_rows(&rows)?;
            let limit = usize::try_from(size).unwrap_or(usize::MAX);
            let has_next = items.len() > limit;
            items.truncate(limit);
            (items, has_next, counted)
        };
        let has_previous = offset > 0;

        // The page shows the total when it ends the collection at a known offset.
        let shown = (!has_next && (!items.is_empty() || offset == 0))
            .then(|| Total::exact(offset + items.len() as u64));
        let total = match (known, shown, counted) {
            (Some(t), _, _) | (None, Some(t), _) | (None, None, Some(t)) => Some(t),
            (None, None, None) if self.count != CountStrategy::None => {
                count::count(db, self.base, self.count_options(self.count)).await?
            }
            // Past the end with no count asked for: count, so that `previous` can
            // point at the last page.
            (None, None, None) if items.is_empty() => Some(count::exact(db, self.base).await?),
            (None, None, None) => None,
        };
        Ok(Page {
            items,
            has_next,
            has_previous,
            total,
            window,
            next_cursor: None,
            previous_cursor: None,
            item_cursors: Vec::new(),
        })
    }

    async fn cursor_page<T>(&self, db: &Db, position: &CursorPosition, size: u64) -> Result<Page<T>>
    where
        T: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin,
    {
        let Some((codec, fingerprint)) = self.cursors else {
            return Err(folio::Error::internal(
                "cursor mode needs PageQuery::cursors(codec, fingerprint)",
            )
            .into());
        };
        let decode = |token: &str| {
            codec.decode(token, fingerprint).map_err(|e| {
                if e.param().is_none() {
                    e.with_param("cursor")
                } else {
                    e
                }
            })
        };
        let seek = match position {
            CursorPosition::First => Seek::First,
            CursorPosition::Last => Seek::Last,
            CursorPosition::Token(t) => decode(t)?.seek(),
            CursorPosition::After(t) => Seek::After(decode(t)?.values),
            CursorPosition::Before(t) => Seek::Before(decode(t)?.values),
        };
        let ks = KeysetQuery::new(self.spec, seek, size).render(db.dialect(), self.base)?;
        let (rows, counted) = self.rows_and_count(db, &ks.statement, true).await?;
        let page: KeyedPage<T> = keyed_page(&ks, &rows, self.spec)?;

        let shown =
            (!page.has_next && !page.has_previous).then(|| Total::exact(page.items.len() as u64));
        let total = match (shown, counted) {
            (Some(t), _) | (None, Some(t)) => Some(t),
            (None, None) => count::count(db, self.base, self.count_options(self.count)).await?,
        };
        let token = |c: Cursor| codec.encode(&c, fingerprint);
        let next_cursor = page
            .keys
            .last()
            .filter(|_| page.has_next)
            .map(|k| token(Cursor::after(k.clone())));
        let previous_cursor = page
            .keys
            .first()
            .filter(|_| page.has_previous)
            .map(|k| token(Cursor::before(k.clone())));
        let item_cursors = page
            .keys
            .iter()
            .map(|k| token(Cursor::after(k.clone())))
            .collect();
        Ok(Page {
            items: page.items,
            has_next: page.has_next,
            has_previous: page.has_previous,
            total,
            window: Window::Cursor { size },
            next_cursor,
            previous_cursor,
            item_cursors,
        })
    }

    /// Runs the page statement and, on PostgreSQL when a count is wanted and not
    /// yet known, the count concurrently. Elsewhere the count is left to the
    /// caller, which may find the page already shows the total.
    async fn rows_and_count(
        &self,
        db: &Db,
        st: &folio::Statement,
        count_wanted: bool,
    ) -> Result<(Rows, Option<Total>)> {
        let concurrent = count_wanted
            && self.count != CountStrategy::None
            && matches!(db.backend(), Backend::Postgres(_));
        if concurrent {
            let (rows, total) = tokio::try_join!(
                db.fetch_rows(st),
                count::count(db, self.base, self.count_options(self.count))
            )?;
            Ok((rows, total))
        } else {
            Ok((db.fetch_rows(st).await?, None))
        }
    }
}

/// The rows of a keyset page, arranged, mapped, with each row's key values.
pub(crate) struct KeyedPage<T> {
    pub(crate) items: Vec<T>,
    pub(crate) keys: Vec<Vec<Value>>,
    pub(crate) has_next: bool,
    pub(crate) has_previous: bool,
}

pub(crate) fn keyed_page<T>(
    ks: &KeysetStatement,
    rows: &Rows,
    spec: &SortSpec,
) -> Result<KeyedPage<T>>
where
    T: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow>,
{
    match rows {
        Rows::Sqlite(rows) => keyed_rows(ks, rows, spec),
        Rows::Postgres(rows) => keyed_rows(ks, rows, spec),
    }
}

fn keyed_rows<R, T>(ks: &KeysetStatement, rows: &[R], spec: &SortSpec) -> Result<KeyedPage<T>>
where
    R: KeyRow,
    T: for<'r> FromRow<'r, R>,
{
    // Keys are read once per row, before the row is mapped.
    let keyed = rows
        .iter()
        .map(|r| Ok((r.keys(spec)?, r)))
        .collect::<Result<Vec<_>>>()?;
    let arranged = ks.arrange(keyed, |(k, _)| k.as_slice());
    let mut items = Vec::with_capacity(arranged.rows.len());
    let mut keys = Vec::with_capacity(arranged.rows.len());
    for (k, row) in arranged.rows {
        items.push(T::from_row(row)?);
        keys.push(k);
    }
    Ok(KeyedPage {
        items,
        keys,
        has_next: arranged.has_next,
        has_previous: arranged.has_previous,
    })
}

fn map_rows<T>(rows: &Rows) -> Result<Vec<T>>
where
    T: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow>,
{
    Ok(match rows {
        Rows::Sqlite(rows) => rows.iter().map(T::from_row).collect::<Result<_, _>>()?,
        Rows::Postgres(rows) => rows.iter().map(T::from_row).collect::<Result<_, _>>()?,
    })
}
