//! One page of an endpoint, in any mode, with its total per the count strategy.

use folio::{
    Cursor, CursorPosition, Endpoint, KeysetQuery, KeysetStatement, Listing, Mode, OffsetForm,
    OffsetQuery, Page, PageNumber, Seek, Select, SortSpec, Statement, Total, Value, Window,
};

use crate::count::{self, CountSettings};
use crate::keys::keys;
use crate::{Backend, Db, Decodes, Result};

impl<B: Backend> Db<B> {
    /// The page `listing` asks of `endpoint`, cut from `select` (with the listing's
    /// filters added), its rows mapped to `T`.
    ///
    /// Statements: the page, plus at most one count (none with `count=none`, none
    /// on a cache hit, none when the page itself shows the total: a last page read
    /// from a known offset, or a keyset page with nothing on either side). On a
    /// server backend the page and the count run at once. `page=last` counts first
    /// (exactly, or through the cache with `cached`); a page past the end with no
    /// count strategy runs an exact count so that `previous` can point at the last
    /// page. Deep page numbers seek from the database's [`crate::Bookmarks`] when it
    /// has them and the endpoint allows them.
    ///
    /// Cursors are decoded and made with the endpoint's codec, bound to
    /// [`Endpoint::fingerprint`]: a cursor replayed with other filters, another
    /// ordering or on another path is a 400.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), folio_sqlx::Error> {
    /// use folio::{CursorCodec, Endpoint, FilterParam, Modes, Select, Statement};
    /// use folio_sqlx::{Db, Sqlite};
    ///
    /// let db = Db::<Sqlite>::connect("sqlite::memory:").await?;
    /// db.execute(&Statement { sql: "CREATE TABLE t (id INTEGER PRIMARY KEY, team INTEGER NOT NULL)".into(), binds: vec![] }).await?;
    /// db.execute(&Statement {
    ///     sql: "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 25) \
    ///           INSERT INTO t SELECT i, i % 2 FROM s".into(),
    ///     binds: vec![],
    /// }).await?;
    ///
    /// #[derive(sqlx::FromRow)]
    /// struct Row { id: i64 }
    ///
    /// let endpoint = Endpoint::builder("t", CursorCodec::new(b"a server key"))
    ///     .filter(FilterParam::eq("team").int())
    ///     .modes(Modes::CURSOR)
    ///     .build();
    /// let listing = endpoint.parse("/t", "team=1&per_page=5").unwrap();
    /// let page = db.page::<Row>(&endpoint, &listing, Select::from("t")).await?;
    /// assert_eq!(page.items.iter().map(|r| r.id).collect::<Vec<_>>(), [1, 3, 5, 7, 9]);
    /// assert!(page.has_next);
    ///
    /// // the next page, by its cursor
    /// let next = format!("team=1&per_page=5&cursor={}", page.next_cursor.unwrap());
    /// let listing = endpoint.parse("/t", &next).unwrap();
    /// let page = db.page::<Row>(&endpoint, &listing, Select::from("t")).await?;
    /// assert_eq!(page.items[0].id, 11);
    ///
    /// // the same cursor under another filter value is refused
    /// let replay = next.replace("team=1", "team=0");
    /// let listing = endpoint.parse("/t", &replay).unwrap();
    /// let e = db.page::<Row>(&endpoint, &listing, Select::from("t")).await.err().unwrap();
    /// assert_eq!(e.as_folio().unwrap().kind(), folio::ErrorKind::CursorMismatch);
    /// # Ok(()) }
    /// ```
    pub async fn page<T>(
        &self,
        endpoint: &Endpoint,
        listing: &Listing,
        select: Select,
    ) -> Result<Page<T>>
    where
        B: Decodes<T>,
        T: Send,
    {
        let run = PageRun {
            db: self,
            endpoint,
            listing,
            select: listing.apply(select),
        };
        run.fetch().await
    }
}

/// One page request in flight.
struct PageRun<'a, B: Backend> {
    db: &'a Db<B>,
    endpoint: &'a Endpoint,
    listing: &'a Listing,
    select: Select,
}

impl<B: Backend> PageRun<'_, B> {
    fn spec(&self) -> &SortSpec {
        &self.listing.sort
    }

    fn settings(&self) -> CountSettings {
        CountSettings {
            cap: self.endpoint.count_cap(),
            auto_threshold: self.endpoint.auto_threshold(),
        }
    }

    async fn count(&self, strategy: folio::CountStrategy) -> Result<Option<Total>> {
        count::count(self.db, &self.select, strategy, self.settings()).await
    }

    async fn fetch<T>(&self) -> Result<Page<T>>
    where
        B: Decodes<T>,
        T: Send,
    {
        // An exact count is a costly statement: with every costly slot taken, the
        // request is refused before its page statement runs (a storm of
        // `count=exact` requests costs the database nothing past its slots).
        if self.listing.count == folio::CountStrategy::Exact && self.db.costly_saturated() {
            tracing::debug!(
                "folio-sqlx: count=exact refused before its page: every costly slot is taken"
            );
            return Err(crate::Error::busy());
        }
        let size = self.listing.request.size.max(1);
        match &self.listing.request.mode {
            Mode::Page(PageNumber::Nth(n)) => {
                let number = (*n).max(1);
                let window = Window::Page { number, size };
                self.offset_page(
                    number.saturating_sub(1).saturating_mul(size),
                    size,
                    window,
                    None,
                )
                .await
            }
            Mode::Page(PageNumber::Last) => {
                // The last page needs the exact total first.
                let total = if self.listing.count == folio::CountStrategy::Cached {
                    count::cached_exact(self.db, &self.select).await?
                } else {
                    count::exact(self.db, &self.select).await?
                };
                let number = total.value.div_ceil(size).max(1);
                let window = Window::Page { number, size };
                self.offset_page((number - 1).saturating_mul(size), size, window, Some(total))
                    .await
            }
            Mode::Offset(offset) => {
                let window = Window::Offset {
                    offset: *offset,
                    limit: size,
                };
                self.offset_page(*offset, size, window, None).await
            }
            Mode::Cursor(position) => self.cursor_page(position, size).await,
        }
    }

    async fn offset_page<T>(
        &self,
        offset: u64,
        size: u64,
        window: Window,
        known: Option<Total>,
    ) -> Result<Page<T>>
    where
        B: Decodes<T>,
        T: Send,
    {
        let bookmark = self
            .db
            .bookmarks()
            .filter(|_| self.endpoint.bookmarks())
            .and_then(|b| b.seek(self.db, &self.select, self.spec(), offset));
        // A bookmark's seek and skip; else, where no index gives the OFFSET's order
        // in one statement, the keyset form from the first row (each arm an index
        // range, merged before the skip); else the OFFSET.
        let keyset = match bookmark {
            Some(b) => Some((Seek::After(b.after), b.skip, false)),
            None if offset_order_unindexed(B::dialect(), self.spec()) => Some((
                Seek::First,
                offset,
                offset >= self.db.limits().costly_offset,
            )),
            None => None,
        };
        let (items, has_next, counted) = if let Some((seek, skip, costly)) = keyset {
            let ks = KeysetQuery::new(self.spec(), seek, size)
                .skip(skip)
                .render(B::dialect(), &self.select)?;
            let (rows, counted) = self
                .rows_and_count(&ks.statement, known.is_none(), costly)
                .await?;
            let page: KeyedPage<T> = keyed_page::<B, T>(&ks, rows, self.spec(), false)?;
            (page.rows, page.has_next, counted)
        } else {
            let form = if offset >= self.endpoint.deferred_join_from() {
                OffsetForm::DeferredJoin
            } else {
                OffsetForm::Plain
            };
            let st = OffsetQuery::new(self.spec(), offset, size)
                .form(form)
                .render(B::dialect(), &self.select)?;
            // A deep OFFSET no bookmark serves reads every row it skips: costly.
            let costly = offset >= self.db.limits().costly_offset;
            let (rows, counted) = self.rows_and_count(&st, known.is_none(), costly).await?;
            let limit = usize::try_from(size).unwrap_or(usize::MAX);
            let has_next = rows.len() > limit;
            let items = rows
                .iter()
                .take(limit)
                .map(B::decode)
                .collect::<Result<Vec<T>, _>>()?;
            (items, has_next, counted)
        };
        let has_previous = offset > 0;

        // The page shows the total when it ends the collection at a known offset.
        let shown = (!has_next && (!items.is_empty() || offset == 0))
            .then(|| Total::exact(offset + items.len() as u64));
        let strategy = self.listing.count;
        let total = match (known, shown, counted) {
            (Some(t), _, _) | (None, Some(t), _) | (None, None, Some(t)) => Some(t),
            (None, None, None) if strategy != folio::CountStrategy::None => {
                self.count(strategy).await?
            }
            // Past the end with no count asked for: count, so that `previous` can
            // point at the last page.
            (None, None, None) if items.is_empty() => {
                Some(count::exact(self.db, &self.select).await?)
            }
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

    async fn cursor_page<T>(&self, position: &CursorPosition, size: u64) -> Result<Page<T>>
    where
        B: Decodes<T>,
        T: Send,
    {
        let codec = self.endpoint.codec();
        let fingerprint = self
            .endpoint
            .fingerprint(self.listing.path(), self.spec(), &self.select);
        // A refusal names the parameter the token came in.
        let names = &self.endpoint.policy().names;
        let decode = |token: &str, name: Option<&str>| {
            codec
                .decode(token, &fingerprint)
                .map_err(|e| e.with_param(name.unwrap_or("cursor")))
        };
        let seek = match position {
            CursorPosition::First => Seek::First,
            CursorPosition::Last => Seek::Last,
            CursorPosition::Token(t) => decode(t, names.cursor.as_deref())?.seek(),
            CursorPosition::After(t) => Seek::After(decode(t, names.after.as_deref())?.values),
            CursorPosition::Before(t) => Seek::Before(decode(t, names.before.as_deref())?.values),
        };
        let ks = KeysetQuery::new(self.spec(), seek, size).render(B::dialect(), &self.select)?;
        let (rows, counted) = self.rows_and_count(&ks.statement, true, false).await?;
        let item_cursors = self.endpoint.envelope().item_cursors();
        let page: KeyedPage<T> = keyed_page::<B, T>(&ks, rows, self.spec(), item_cursors)?;

        let shown =
            (!page.has_next && !page.has_previous).then(|| Total::exact(page.rows.len() as u64));
        let total = match (shown, counted) {
            (Some(t), _) | (None, Some(t)) => Some(t),
            (None, None) => self.count(self.listing.count).await?,
        };
        let token = |c: Cursor| codec.encode(&c, &fingerprint);
        let next_cursor = page
            .last_keys
            .filter(|_| page.has_next)
            .map(|k| token(Cursor::after(k)));
        let previous_cursor = page
            .first_keys
            .filter(|_| page.has_previous)
            .map(|k| token(Cursor::before(k)));
        let item_cursors = page
            .item_keys
            .into_iter()
            .map(|k| token(Cursor::after(k)))
            .collect();
        Ok(Page {
            items: page.rows,
            has_next: page.has_next,
            has_previous: page.has_previous,
            total,
            window: Window::Cursor { size },
            next_cursor,
            previous_cursor,
            item_cursors,
        })
    }

    /// Runs the page statement (in a costly slot when `costly`) and, on a server
    /// backend when a count is wanted and not yet known, the count at once.
    /// Elsewhere the count is left to the caller, which may find the page already
    /// shows the total.
    async fn rows_and_count(
        &self,
        st: &Statement,
        count_wanted: bool,
        costly: bool,
    ) -> Result<(Vec<B::Row>, Option<Total>)> {
        let rows = async {
            if costly {
                self.db.fetch_costly(st).await
            } else {
                self.db.fetch_rows(st).await
            }
        };
        let concurrent =
            count_wanted && self.listing.count != folio::CountStrategy::None && B::CONCURRENT;
        if concurrent {
            let (rows, total) = tokio::try_join!(rows, self.count(self.listing.count))?;
            Ok((rows, total))
        } else {
            Ok((rows.await?, None))
        }
    }
}

/// Whether an OFFSET page in `spec`'s order is a sort of the whole filtered set on
/// `dialect`: a nullable first key where the NULL placement is an expression and no
/// incremental sort takes its place (MySQL, MariaDB: `rating IS NULL ASC, rating
/// ASC, id ASC`). The keyset form serves that order by two index ranges instead.
fn offset_order_unindexed(dialect: &dyn folio::Dialect, spec: &SortSpec) -> bool {
    !dialect.incremental_sort() && spec.keys().first().is_some_and(folio::SortKey::is_nullable)
}

/// The rows of a keyset page, arranged, with the key values a page needs: the
/// first and last rows' (for its cursors), every row's when asked.
pub(crate) struct KeyedRows<R> {
    pub(crate) rows: Vec<R>,
    pub(crate) first_keys: Option<Vec<Value>>,
    pub(crate) last_keys: Option<Vec<Value>>,
    pub(crate) item_keys: Vec<Vec<Value>>,
    pub(crate) has_next: bool,
    pub(crate) has_previous: bool,
}

/// The rows of a keyset page, arranged and mapped to `T`, with their keys.
pub(crate) type KeyedPage<T> = KeyedRows<T>;

/// Arranges the rows of `ks`. Key values are read for every row only when the
/// statement has several arms (to arrange them) or when `every_key` asks (a cursor
/// per item); otherwise for the edge rows alone.
pub(crate) fn arrange_rows<B: Backend>(
    ks: &KeysetStatement,
    rows: Vec<B::Row>,
    spec: &SortSpec,
    every_key: bool,
) -> Result<KeyedRows<B::Row>> {
    let (rows, edges, item_keys) = if ks.arms() > 1 || every_key {
        let mut keyed = rows
            .into_iter()
            .map(|r| Ok((keys::<B>(&r, spec)?, r)))
            .collect::<Result<Vec<_>>>()?;
        let edges = ks.arrange(&mut keyed, |(k, _)| k.as_slice());
        let (item_keys, rows): (Vec<_>, Vec<_>) = keyed.into_iter().unzip();
        (rows, edges, item_keys)
    } else {
        let mut rows = rows;
        let edges = ks.arrange(&mut rows, |_| &[]);
        (rows, edges, Vec::new())
    };
    let edge_keys = |row: Option<&B::Row>, known: Option<&Vec<Value>>| match (known, row) {
        (Some(k), _) => Ok(Some(k.clone())),
        (None, Some(r)) => keys::<B>(r, spec).map(Some),
        (None, None) => Ok(None),
    };
    let first_keys = edge_keys(rows.first(), item_keys.first())?;
    let last_keys = edge_keys(rows.last(), item_keys.last())?;
    Ok(KeyedRows {
        rows,
        first_keys,
        last_keys,
        item_keys: if every_key { item_keys } else { Vec::new() },
        has_next: edges.has_next,
        has_previous: edges.has_previous,
    })
}

/// [`arrange_rows`], then every row mapped to `T`.
pub(crate) fn keyed_page<B, T>(
    ks: &KeysetStatement,
    rows: Vec<B::Row>,
    spec: &SortSpec,
    every_key: bool,
) -> Result<KeyedPage<T>>
where
    B: Decodes<T>,
{
    let arranged = arrange_rows::<B>(ks, rows, spec, every_key)?;
    Ok(KeyedRows {
        rows: arranged
            .rows
            .iter()
            .map(B::decode)
            .collect::<Result<Vec<T>, _>>()?,
        first_keys: arranged.first_keys,
        last_keys: arranged.last_keys,
        item_keys: arranged.item_keys,
        has_next: arranged.has_next,
        has_previous: arranged.has_previous,
    })
}

#[cfg(test)]
mod tests {
    use folio::{MySql, Nulls, Order, Postgres, SortKey, SortSpec, Sqlite};

    use super::offset_order_unindexed;

    /// With every costly slot taken, a page asking `count=exact` is refused Busy
    /// before it runs any statement; once a slot frees, the same request counts.
    #[cfg(feature = "rusqlite")]
    #[tokio::test]
    async fn an_exact_count_is_refused_before_its_page_when_every_slot_is_taken() {
        use folio::{CountStrategy, CursorCodec, Endpoint, Select, Statement, Total};

        use crate::{Db, ErrorKind, Limits, Rusqlite, RusqlitePool, StatementCounter};

        #[derive(serde::Deserialize)]
        struct Row {
            id: i64,
        }
        let db = Db::<Rusqlite>::new(RusqlitePool::memory().unwrap())
            .with_limits(Limits::default().costly_statements(Some(2)));
        for sql in [
            "CREATE TABLE t (id INTEGER PRIMARY KEY)",
            "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 30) \
             INSERT INTO t SELECT i FROM s",
        ] {
            db.execute(&Statement::new(sql)).await.unwrap();
        }
        let endpoint = Endpoint::builder("t", CursorCodec::new(b"k"))
            .client_counts(&[CountStrategy::None, CountStrategy::Exact])
            .build();
        let listing = endpoint.parse("/t", "per_page=5&count=exact").unwrap();
        let ids = |items: &[Row]| items.iter().map(|r| r.id).collect::<Vec<_>>();

        let slots = [
            db.take_costly_slot().unwrap(),
            db.take_costly_slot().unwrap(),
        ];
        let counter = StatementCounter::new();
        let err = db
            .counted(&counter)
            .page::<Row>(&endpoint, &listing, Select::from("t"))
            .await
            .err()
            .expect("refused");
        assert_eq!(err.kind(), ErrorKind::Busy);
        assert_eq!(counter.get(), 0, "refused before any statement");
        // A page without a count is served meanwhile.
        let cheap = endpoint.parse("/t", "per_page=5&count=none").unwrap();
        let page = db
            .page::<Row>(&endpoint, &cheap, Select::from("t"))
            .await
            .unwrap();
        assert_eq!(ids(&page.items), [1, 2, 3, 4, 5]);

        drop(slots);
        let page = db
            .page::<Row>(&endpoint, &listing, Select::from("t"))
            .await
            .unwrap();
        assert_eq!(page.total, Some(Total::exact(30)));
        assert_eq!(ids(&page.items), [1, 2, 3, 4, 5]);
    }

    fn spec(lead: SortKey) -> SortSpec {
        SortSpec::new(vec![lead], SortKey::new("id", "id", Order::Asc))
    }

    #[test]
    fn a_nullable_lead_on_mysql_reads_offset_pages_by_keyset() {
        let rating = || SortKey::new("rating", "rating", Order::Asc).nullable(Nulls::Last);
        assert!(offset_order_unindexed(&MySql, &spec(rating())));
        assert!(offset_order_unindexed(
            &MySql,
            &spec(SortKey::new("rating", "rating", Order::Desc).nullable(Nulls::First))
        ));
        // PostgreSQL and SQLite read the OFFSET's order from the index itself.
        assert!(!offset_order_unindexed(&Postgres, &spec(rating())));
        assert!(!offset_order_unindexed(&Sqlite, &spec(rating())));
        // A NOT NULL lead needs no NULL placement: the OFFSET is an index range.
        assert!(!offset_order_unindexed(
            &MySql,
            &spec(SortKey::new("price", "price", Order::Asc))
        ));
    }
}
