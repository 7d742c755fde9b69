//! The integration suite, written once: every test body takes a [`Db`] and a table
//! prefix, and `sqlite.rs` / `postgres.rs` instantiate it per backend.
#![allow(
    dead_code,
    unreachable_pub,
    clippy::missing_panics_doc,
    clippy::single_match_else
)]

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use folio::{
    BaseQuery, CountQuery, CursorCodec, CursorPosition, Fingerprint, Mode, Nulls, Order, Orderings,
    Page, PageNumber, PageRequest, SortSpec, Statement, Total, TotalRelation, Value, Window,
};
use folio_sqlx::{
    load_children, Bookmarks, CountCache, CountStrategy, Db, ErrorKind, PageQuery, StatementCounter,
};
use futures::TryStreamExt;

/// Instantiates the suite for a backend: `suite!(expr returning Option<Db>; test, …)`.
#[macro_export]
macro_rules! suite {
    ($db:expr; $($name:ident),* $(,)?) => {$(
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $name() {
            if let Some((db, _guard)) = $db {
                common::$name(db, stringify!($name)).await;
                drop(_guard);
            }
        }
    )*};
}

/// Every test of the shared suite, for `suite!`.
#[macro_export]
macro_rules! all_tests {
    ($db:expr) => {
        $crate::suite!($db;
            page_and_offset_modes_match_reference,
            cursor_walks_match_reference,
            filters_keep_user_binds_first,
            last_and_past_the_end_pages,
            deep_offset_deferred_join_matches_plain,
            bookmark_pages_match_the_reference,
            deleted_boundary_row_cursor_continues,
            bad_cursors_are_request_errors,
            offset_skips_and_repeats_under_writes_cursor_does_not,
            cursor_walk_under_concurrent_writes,
            statement_budget,
            exact_and_capped_counts,
            estimates_on_an_analyzed_200k_table,
            cached_count_hit_runs_no_statement,
            load_children_one_statement,
            stream_walks_everything_in_chunks,
        );
    };
}

/// Keeps a test database alive (a PostgreSQL test database is dropped with it).
pub type Guard = Option<folio_testing::PgTestDb>;

/// A SQLite in-memory database of its own (folio-testing's single-connection pool).
pub async fn sqlite() -> Option<(Db, Guard)> {
    Some((Db::from(folio_testing::sqlite_memory().await), None))
}

/// A fresh PostgreSQL database from folio-testing (on `FOLIO_TEST_PG_URL`'s server
/// when set, else a throwaway cluster); None, after its loud skip message, when there
/// is no PostgreSQL.
pub async fn postgres() -> Option<(Db, Guard)> {
    let db = folio_testing::postgres().await?;
    let pool = db.pool().await;
    Some((Db::from(pool), Some(db)))
}

#[derive(sqlx::FromRow, Debug, Clone, PartialEq)]
pub struct Product {
    pub id: i64,
    pub category: String,
    pub price_cents: i64,
    pub rating: Option<f64>,
}

pub fn is_pg(db: &Db) -> bool {
    db.postgres().is_some()
}

/// The n-th placeholder of the backend.
pub fn ph(db: &Db, n: usize) -> String {
    if is_pg(db) {
        format!("${n}")
    } else {
        "?".to_owned()
    }
}

pub async fn exec(db: &Db, sql: &str) {
    db.execute(&Statement {
        sql: sql.to_owned(),
        binds: vec![],
    })
    .await
    .unwrap_or_else(|e| panic!("{sql}: {e:?}"));
}

/// Creates `table` with `n` deterministic products: 7 categories, 50 prices (many
/// ties), every 5th rating NULL, 100 distinct timestamps.
pub async fn products(db: &Db, table: &str, n: u64) {
    exec(db, &format!("DROP TABLE IF EXISTS {table}")).await;
    if is_pg(db) {
        exec(
            db,
            &format!(
                "CREATE TABLE {table} (id BIGINT PRIMARY KEY, name TEXT NOT NULL, category TEXT NOT NULL, \
                 price_cents BIGINT NOT NULL, rating DOUBLE PRECISION, created_at TIMESTAMPTZ NOT NULL)"
            ),
        )
        .await;
        exec(
            db,
            &format!(
                "INSERT INTO {table} SELECT i, 'p' || i, 'c' || (i % 7), (i * 37) % 50, \
                 CASE WHEN i % 5 = 0 THEN NULL ELSE ((i * 13) % 9) / 2.0 END, \
                 timestamptz '2024-01-01 00:00:00+00' + ((i * 17) % 100) * interval '1 second' \
                 FROM generate_series(1, {n}) AS i"
            ),
        )
        .await;
    } else {
        exec(
            db,
            &format!(
                "CREATE TABLE {table} (id INTEGER PRIMARY KEY, name TEXT NOT NULL, category TEXT NOT NULL, \
                 price_cents INTEGER NOT NULL, rating REAL, created_at TEXT NOT NULL)"
            ),
        )
        .await;
        exec(
            db,
            &format!(
                "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < {n}) \
                 INSERT INTO {table} SELECT i, 'p' || i, 'c' || (i % 7), (i * 37) % 50, \
                 CASE WHEN i % 5 = 0 THEN NULL ELSE ((i * 13) % 9) / 2.0 END, \
                 strftime('%Y-%m-%dT%H:%M:%S', 1704067200 + (i * 17) % 100, 'unixepoch') || '.000000Z' \
                 FROM s"
            ),
        )
        .await;
    }
    for (name, cols) in [
        ("price", "price_cents, id"),
        ("created", "created_at, id"),
        ("rating", "rating, id"),
        ("cat", "category, price_cents, id"),
    ] {
        exec(
            db,
            &format!("CREATE INDEX {table}_{name} ON {table} ({cols})"),
        )
        .await;
    }
}

/// Inserts a product with this id and price (category c0, rating 1.0).
pub async fn insert_product(db: &Db, table: &str, id: i64, price: i64) {
    let ts = if is_pg(db) {
        "timestamptz '2024-01-01 00:00:00+00'"
    } else {
        "'2024-01-01T00:00:00.000000Z'"
    };
    let sql = format!(
        "INSERT INTO {table} (id, name, category, price_cents, rating, created_at) VALUES ({}, 'new', 'c0', {}, 1.0, {ts})",
        ph(db, 1),
        ph(db, 2)
    );
    db.execute(&Statement {
        sql,
        binds: vec![Value::Int(id), Value::Int(price)],
    })
    .await
    .unwrap();
}

pub async fn delete_product(db: &Db, table: &str, id: i64) {
    db.execute(&Statement {
        sql: format!("DELETE FROM {table} WHERE id = {}", ph(db, 1)),
        binds: vec![Value::Int(id)],
    })
    .await
    .unwrap();
}

pub fn orderings() -> Orderings {
    Orderings::new("id", "id")
        .field("price", "price_cents")
        .field("created_at", "created_at")
        .field("category", "category")
        .nullable_field("rating", "rating", Nulls::Last)
}

/// Asc, desc, mixed, nullable (leading and not), multi-key.
pub const ORDERINGS: &[&str] = &[
    "id",
    "-id",
    "price",
    "-price",
    "price,-created_at",
    "-created_at,price",
    "category,-price",
    "rating",
    "-rating",
    "rating,-price",
    "price,rating",
];

pub fn base(table: &str) -> BaseQuery {
    BaseQuery::new(format!(
        "SELECT id, name, category, price_cents, rating, created_at FROM {table}"
    ))
}

/// `category = c AND price_cents >= min`: user binds that must stay first.
pub fn filtered(db: &Db, table: &str, category: &str, min_price: i64) -> BaseQuery {
    BaseQuery::new(format!(
        "SELECT id, name, category, price_cents, rating, created_at FROM {table} WHERE category = {} AND price_cents >= {}",
        ph(db, 1),
        ph(db, 2)
    ))
    .bind(category)
    .bind(min_price)
}

/// The ids of `base` in `spec`'s order, by a plain ORDER BY: the reference.
pub async fn reference(db: &Db, base: &BaseQuery, spec: &SortSpec) -> Vec<i64> {
    let terms: Vec<String> = spec
        .keys()
        .iter()
        .map(|k| {
            let dir = if k.order() == Order::Asc {
                "ASC"
            } else {
                "DESC"
            };
            let nulls = match (k.is_nullable(), k.nulls()) {
                (false, _) => "",
                (true, Nulls::First) => " NULLS FIRST",
                (true, Nulls::Last) => " NULLS LAST",
            };
            format!("q.{} {dir}{nulls}", k.column())
        })
        .collect();
    let st = Statement {
        sql: format!(
            "SELECT q.id FROM ({}) AS q ORDER BY {}",
            base.sql(),
            terms.join(", ")
        ),
        binds: base.binds().to_vec(),
    };
    db.fetch_all::<(i64,)>(&st)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.0)
        .collect()
}

pub fn ids(page: &Page<Product>) -> Vec<i64> {
    page.items.iter().map(|p| p.id).collect()
}

pub struct Cursors {
    pub codec: CursorCodec,
    pub fingerprint: Fingerprint,
}

pub fn cursors(spec: &SortSpec, filters: &[(&str, &str)]) -> Cursors {
    let mut b = Fingerprint::builder("/api/products").ordering(spec);
    for (k, v) in filters {
        b = b.filter(k, v);
    }
    Cursors {
        codec: CursorCodec::new(b"folio-sqlx test key"),
        fingerprint: b.finish(),
    }
}

pub async fn fetch(
    db: &Db,
    base: &BaseQuery,
    spec: &SortSpec,
    mode: Mode,
    size: u64,
    count: CountStrategy,
    c: Option<&Cursors>,
) -> folio_sqlx::Result<Page<Product>> {
    let request = PageRequest { mode, size };
    let mut q = PageQuery::new(base, spec, &request).count(count);
    if let Some(c) = c {
        q = q.cursors(&c.codec, &c.fingerprint);
    }
    q.fetch::<Product>(db).await
}

pub async fn walk_pages(db: &Db, base: &BaseQuery, spec: &SortSpec, size: u64) -> Vec<i64> {
    let mut out = Vec::new();
    for n in 1.. {
        let page = fetch(
            db,
            base,
            spec,
            Mode::Page(PageNumber::Nth(n)),
            size,
            CountStrategy::None,
            None,
        )
        .await
        .unwrap();
        assert_eq!(page.has_previous, n > 1);
        out.extend(ids(&page));
        if !page.has_next {
            break;
        }
        assert_eq!(page.items.len() as u64, size);
    }
    out
}

pub async fn walk_offset(
    db: &Db,
    base: &BaseQuery,
    spec: &SortSpec,
    size: u64,
    deferred_from: u64,
) -> Vec<i64> {
    let mut out = Vec::new();
    let mut offset = 0;
    loop {
        let request = PageRequest {
            mode: Mode::Offset(offset),
            size,
        };
        let page = PageQuery::new(base, spec, &request)
            .deferred_join_from(deferred_from)
            .fetch::<Product>(db)
            .await
            .unwrap();
        out.extend(ids(&page));
        if !page.has_next {
            break;
        }
        offset += size;
    }
    out
}

pub async fn walk_forward(
    db: &Db,
    base: &BaseQuery,
    spec: &SortSpec,
    size: u64,
    c: &Cursors,
) -> Vec<i64> {
    let mut out = Vec::new();
    let mut position = CursorPosition::First;
    let mut first = true;
    loop {
        let page = fetch(
            db,
            base,
            spec,
            Mode::Cursor(position),
            size,
            CountStrategy::None,
            Some(c),
        )
        .await
        .unwrap();
        assert_eq!(
            page.has_previous, !first,
            "has_previous on the side not fetched"
        );
        assert_eq!(page.item_cursors.len(), page.items.len());
        first = false;
        out.extend(ids(&page));
        match page.next_cursor {
            Some(t) => {
                assert!(page.has_next);
                position = CursorPosition::Token(t);
            }
            None => {
                assert!(!page.has_next);
                break;
            }
        }
    }
    out
}

pub async fn walk_backward(
    db: &Db,
    base: &BaseQuery,
    spec: &SortSpec,
    size: u64,
    c: &Cursors,
) -> Vec<i64> {
    let mut pages: Vec<Vec<i64>> = Vec::new();
    let mut position = CursorPosition::Last;
    loop {
        let page = fetch(
            db,
            base,
            spec,
            Mode::Cursor(position),
            size,
            CountStrategy::None,
            Some(c),
        )
        .await
        .unwrap();
        pages.push(ids(&page));
        match page.previous_cursor {
            Some(t) => {
                assert!(page.has_previous);
                position = CursorPosition::Token(t);
            }
            None => {
                assert!(!page.has_previous);
                break;
            }
        }
    }
    pages.into_iter().rev().flatten().collect()
}

// ---------------------------------------------------------------------------------
// The tests.

pub async fn page_and_offset_modes_match_reference(db: Db, t: &str) {
    products(&db, t, 103).await;
    let base = base(t);
    for raw in ORDERINGS {
        let spec = orderings().parse(raw).unwrap();
        let want = reference(&db, &base, &spec).await;
        assert_eq!(want.len(), 103);
        assert_eq!(walk_pages(&db, &base, &spec, 7).await, want, "pages {raw}");
        assert_eq!(
            walk_offset(&db, &base, &spec, 10, u64::MAX).await,
            want,
            "offset plain {raw}"
        );
        assert_eq!(
            walk_offset(&db, &base, &spec, 10, 0).await,
            want,
            "offset deferred {raw}"
        );
    }
    // the page shows its window and, counted, the exact total
    let spec = orderings().parse("price").unwrap();
    let page = fetch(
        &db,
        &base,
        &spec,
        Mode::Page(PageNumber::Nth(3)),
        10,
        CountStrategy::Exact,
        None,
    )
    .await
    .unwrap();
    assert_eq!(
        page.window,
        Window::Page {
            number: 3,
            size: 10
        }
    );
    assert_eq!(page.total, Some(Total::exact(103)));
    assert_eq!(page.pages(), Some(11));
    assert!(page.next_cursor.is_none() && page.item_cursors.is_empty());
}

pub async fn cursor_walks_match_reference(db: Db, t: &str) {
    products(&db, t, 103).await;
    let base = base(t);
    for raw in ORDERINGS {
        let spec = orderings().parse(raw).unwrap();
        let c = cursors(&spec, &[]);
        let want = reference(&db, &base, &spec).await;
        for size in [1, 10, 103, 200] {
            assert_eq!(
                walk_forward(&db, &base, &spec, size, &c).await,
                want,
                "forward {raw} size {size}"
            );
        }
        assert_eq!(
            walk_backward(&db, &base, &spec, 10, &c).await,
            want,
            "backward {raw}"
        );
        // After/Before positions (JSON:API style) with a token of either direction
        let first = fetch(
            &db,
            &base,
            &spec,
            Mode::Cursor(CursorPosition::First),
            5,
            CountStrategy::None,
            Some(&c),
        )
        .await
        .unwrap();
        let token = first.item_cursors[2].clone();
        let after = fetch(
            &db,
            &base,
            &spec,
            Mode::Cursor(CursorPosition::After(token.clone())),
            5,
            CountStrategy::None,
            Some(&c),
        )
        .await
        .unwrap();
        assert_eq!(ids(&after), want[3..8], "after {raw}");
        let before = fetch(
            &db,
            &base,
            &spec,
            Mode::Cursor(CursorPosition::Before(token)),
            5,
            CountStrategy::None,
            Some(&c),
        )
        .await
        .unwrap();
        assert_eq!(ids(&before), want[0..2], "before {raw}");
        assert!(!before.has_previous && before.has_next);
    }
}

pub async fn filters_keep_user_binds_first(db: Db, t: &str) {
    products(&db, t, 400).await;
    let base = filtered(&db, t, "c3", 20);
    for raw in ["price,-created_at", "rating", "-rating,price", "-id"] {
        let spec = orderings().parse(raw).unwrap();
        let want = reference(&db, &base, &spec).await;
        assert!(want.len() > 20 && want.len() < 57, "{}", want.len());
        assert_eq!(walk_pages(&db, &base, &spec, 6).await, want, "pages {raw}");
        assert_eq!(
            walk_offset(&db, &base, &spec, 6, 0).await,
            want,
            "deferred {raw}"
        );
        let c = cursors(&spec, &[("category", "c3"), ("min_price", "20")]);
        assert_eq!(
            walk_forward(&db, &base, &spec, 6, &c).await,
            want,
            "forward {raw}"
        );
        assert_eq!(
            walk_backward(&db, &base, &spec, 6, &c).await,
            want,
            "backward {raw}"
        );
        let page = fetch(
            &db,
            &base,
            &spec,
            Mode::Page(PageNumber::Nth(1)),
            6,
            CountStrategy::Exact,
            None,
        )
        .await
        .unwrap();
        assert_eq!(page.total, Some(Total::exact(want.len() as u64)));
        assert!(page
            .items
            .iter()
            .all(|p| p.category == "c3" && p.price_cents >= 20));
    }
}

pub async fn last_and_past_the_end_pages(db: Db, t: &str) {
    products(&db, t, 103).await;
    let base = base(t);
    let spec = orderings().parse("-price").unwrap();
    let want = reference(&db, &base, &spec).await;

    let counter = StatementCounter::new();
    let cdb = db.counted(&counter);
    let last = fetch(
        &cdb,
        &base,
        &spec,
        Mode::Page(PageNumber::Last),
        10,
        CountStrategy::None,
        None,
    )
    .await
    .unwrap();
    assert_eq!(ids(&last), want[100..]);
    assert_eq!(
        last.window,
        Window::Page {
            number: 11,
            size: 10
        }
    );
    assert_eq!(last.total, Some(Total::exact(103)));
    assert!(last.has_previous && !last.has_next);
    assert_eq!(counter.get(), 2, "count, then the page");

    // exactly divisible: the last page is full
    let last = fetch(
        &db,
        &base,
        &spec,
        Mode::Page(PageNumber::Last),
        103,
        CountStrategy::None,
        None,
    )
    .await
    .unwrap();
    assert_eq!(last.items.len(), 103);
    assert_eq!(
        last.window,
        Window::Page {
            number: 1,
            size: 103
        }
    );

    // past the end, no count asked: a count runs so `previous` can name the last page
    let counter = StatementCounter::new();
    let cdb = db.counted(&counter);
    let past = fetch(
        &cdb,
        &base,
        &spec,
        Mode::Page(PageNumber::Nth(40)),
        10,
        CountStrategy::None,
        None,
    )
    .await
    .unwrap();
    assert!(past.items.is_empty() && past.has_previous && !past.has_next);
    assert_eq!(
        past.window,
        Window::Page {
            number: 40,
            size: 10
        }
    );
    assert_eq!(past.total, Some(Total::exact(103)));
    assert_eq!(past.pages(), Some(11));
    assert_eq!(counter.get(), 2);

    // with a count strategy, still two statements
    let counter = StatementCounter::new();
    let past = fetch(
        &db.counted(&counter),
        &base,
        &spec,
        Mode::Offset(500),
        10,
        CountStrategy::Capped(50),
        None,
    )
    .await
    .unwrap();
    assert!(past.items.is_empty());
    assert_eq!(
        past.total,
        Some(Total {
            value: 50,
            relation: TotalRelation::Gte
        })
    );
    assert_eq!(counter.get(), 2);

    // the page that ends the collection shows the total: no count statement
    let counter = StatementCounter::new();
    let end = fetch(
        &db.counted(&counter),
        &base,
        &spec,
        Mode::Offset(95),
        10,
        CountStrategy::Exact,
        None,
    )
    .await
    .unwrap();
    assert_eq!(ids(&end), want[95..]);
    assert_eq!(end.total, Some(Total::exact(103)));
    assert!(counter.get() <= 2);

    // an empty collection: page 1 and last are the same empty page, total 0
    exec(&db, &format!("DELETE FROM {t}")).await;
    for mode in [Mode::Page(PageNumber::Nth(1)), Mode::Page(PageNumber::Last)] {
        let page = fetch(&db, &base, &spec, mode, 10, CountStrategy::None, None)
            .await
            .unwrap();
        assert!(page.items.is_empty() && !page.has_next && !page.has_previous);
        assert_eq!(page.total, Some(Total::exact(0)));
        assert_eq!(page.pages(), Some(0));
    }
}

pub async fn deep_offset_deferred_join_matches_plain(db: Db, t: &str) {
    products(&db, t, 5_000).await;
    for base in [base(t), filtered(&db, t, "c2", 10)] {
        for raw in ["id", "-price", "price,-created_at", "rating"] {
            let spec = orderings().parse(raw).unwrap();
            let want = reference(&db, &base, &spec).await;
            for offset in [0_u64, 7, 500, 690, 4_990] {
                let mut got = Vec::new();
                for from in [u64::MAX, 0] {
                    let request = PageRequest {
                        mode: Mode::Offset(offset),
                        size: 10,
                    };
                    let page = PageQuery::new(&base, &spec, &request)
                        .deferred_join_from(from)
                        .fetch::<Product>(&db)
                        .await
                        .unwrap();
                    let lo = (offset as usize).min(want.len());
                    let hi = (lo + 10).min(want.len());
                    assert_eq!(
                        ids(&page),
                        want[lo..hi],
                        "{raw} offset {offset} from {from}"
                    );
                    assert_eq!(page.has_next, hi < want.len());
                    got.push(page.items);
                }
                assert_eq!(got[0], got[1]);
            }
        }
    }
}

/// Pages read from bookmarks (every ordering shape, filtered and not) are the
/// reference's slices; the first deep page starts taking them in the background
/// and stays within one statement; past the end is empty.
pub async fn bookmark_pages_match_the_reference(db: Db, t: &str) {
    products(&db, t, 2_000).await;
    let bookmarks = Bookmarks::new(64, std::time::Duration::from_secs(90), 64);
    for base in [base(t), filtered(&db, t, "c2", 10)] {
        for raw in ORDERINGS {
            let spec = orderings().parse(raw).unwrap();
            let want = reference(&db, &base, &spec).await;
            let page_at = |offset: u64| {
                let request = PageRequest {
                    mode: Mode::Offset(offset),
                    size: 10,
                };
                let (base, spec, bookmarks, db) = (&base, &spec, &bookmarks, &db);
                async move {
                    let counter = StatementCounter::new();
                    let page = PageQuery::new(base, spec, &request)
                        .bookmarks(bookmarks)
                        .fetch::<Product>(&db.counted(&counter))
                        .await
                        .unwrap();
                    (page, counter.get())
                }
            };
            // The first deep page: by OFFSET, one statement; the bookmarks are
            // being taken meanwhile.
            let held = bookmarks.len();
            let (page, statements) = page_at(100).await;
            assert_eq!(
                ids(&page),
                want[100.min(want.len())..110.min(want.len())],
                "{raw}"
            );
            assert!(statements <= 2, "{raw}: {statements} statements");
            for _ in 0..500 {
                if bookmarks.len() > held {
                    break;
                }
                tokio::time::sleep(std::time::Duration::from_millis(10)).await;
            }
            assert_eq!(bookmarks.len(), held + 1, "{raw}: bookmarks taken");
            let n = want.len() as u64;
            for offset in [
                64,
                65,
                127,
                128,
                500,
                639,
                1_000,
                n.saturating_sub(10),
                n.saturating_sub(3),
                n,
                n + 70,
            ] {
                let (page, statements) = page_at(offset).await;
                let lo = (offset as usize).min(want.len());
                let hi = (lo + 10).min(want.len());
                assert_eq!(ids(&page), want[lo..hi], "{raw} offset {offset}");
                assert_eq!(page.has_next, hi < want.len(), "{raw} offset {offset}");
                assert!(page.has_previous, "{raw} offset {offset}");
                if lo < want.len() {
                    assert_eq!(statements, 1, "{raw} offset {offset}: the page alone");
                }
            }
        }
    }

    // The pages come from the bookmarks, as taken: rows deleted before a page
    // since then do not shift it (an OFFSET would), until the bookmarks are
    // cleared or expire.
    let spec = orderings().parse("price").unwrap();
    let before = reference(&db, &base(t), &spec).await;
    for id in &before[..5] {
        delete_product(&db, t, *id).await;
    }
    let after = reference(&db, &base(t), &spec).await;
    let request = PageRequest {
        mode: Mode::Offset(500),
        size: 10,
    };
    let all = base(t);
    let query = PageQuery::new(&all, &spec, &request).bookmarks(&bookmarks);
    let page = query.fetch::<Product>(&db).await.unwrap();
    assert_eq!(
        ids(&page),
        before[500..510],
        "from the bookmark taken before the deletes"
    );
    assert_ne!(ids(&page), after[500..510]);
    bookmarks.clear();
    let page = query.fetch::<Product>(&db).await.unwrap();
    assert_eq!(
        ids(&page),
        after[500..510],
        "cleared: by OFFSET, as the table is now"
    );
}

pub async fn deleted_boundary_row_cursor_continues(db: Db, t: &str) {
    products(&db, t, 103).await;
    let base = base(t);
    for raw in ["price,-created_at", "rating", "-id"] {
        products(&db, t, 103).await;
        let spec = orderings().parse(raw).unwrap();
        let c = cursors(&spec, &[]);
        let want = reference(&db, &base, &spec).await;
        let first = fetch(
            &db,
            &base,
            &spec,
            Mode::Cursor(CursorPosition::First),
            10,
            CountStrategy::None,
            Some(&c),
        )
        .await
        .unwrap();
        let next = first.next_cursor.clone().unwrap();
        // delete the boundary row (last of page 1) and the row after it
        delete_product(&db, t, want[9]).await;
        delete_product(&db, t, want[10]).await;
        let page = fetch(
            &db,
            &base,
            &spec,
            Mode::Cursor(CursorPosition::Token(next)),
            10,
            CountStrategy::None,
            Some(&c),
        )
        .await
        .unwrap();
        assert_eq!(ids(&page), want[11..21], "{raw}");
        // and backwards from page 2 to the start
        let prev = page.previous_cursor.clone().unwrap();
        let back = fetch(
            &db,
            &base,
            &spec,
            Mode::Cursor(CursorPosition::Token(prev)),
            10,
            CountStrategy::None,
            Some(&c),
        )
        .await
        .unwrap();
        assert_eq!(ids(&back), want[0..9], "{raw} back");
        assert!(!back.has_previous);
    }
}

pub async fn bad_cursors_are_request_errors(db: Db, t: &str) {
    products(&db, t, 30).await;
    let base = base(t);
    let spec = orderings().parse("price").unwrap();
    let c = cursors(&spec, &[("category", "c1")]);
    let page = fetch(
        &db,
        &base,
        &spec,
        Mode::Cursor(CursorPosition::First),
        5,
        CountStrategy::None,
        Some(&c),
    )
    .await
    .unwrap();
    let token = page.next_cursor.unwrap();

    let expect = |r: folio_sqlx::Result<Page<Product>>, kinds: &[folio::ErrorKind]| {
        let e = r.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Request);
        assert_eq!(e.http_status(), 400);
        let f = e.as_folio().unwrap();
        assert!(kinds.contains(&f.kind()), "{:?}", f.kind());
        assert!(f.param().is_some());
    };
    // tampered: one character changed
    let mut bytes = token.clone().into_bytes();
    let mid = bytes.len() / 2;
    bytes[mid] = if bytes[mid] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(bytes).unwrap();
    expect(
        fetch(
            &db,
            &base,
            &spec,
            Mode::Cursor(CursorPosition::Token(tampered)),
            5,
            CountStrategy::None,
            Some(&c),
        )
        .await,
        &[
            folio::ErrorKind::BadCursorSignature,
            folio::ErrorKind::MalformedCursor,
        ],
    );
    // garbage
    expect(
        fetch(
            &db,
            &base,
            &spec,
            Mode::Cursor(CursorPosition::Token("%%%".into())),
            5,
            CountStrategy::None,
            Some(&c),
        )
        .await,
        &[folio::ErrorKind::MalformedCursor],
    );
    // replayed with another filter, another ordering
    let other_filter = cursors(&spec, &[("category", "c2")]);
    expect(
        fetch(
            &db,
            &base,
            &spec,
            Mode::Cursor(CursorPosition::Token(token.clone())),
            5,
            CountStrategy::None,
            Some(&other_filter),
        )
        .await,
        &[folio::ErrorKind::CursorMismatch],
    );
    let other_spec = orderings().parse("-price").unwrap();
    let other_ordering = cursors(&other_spec, &[("category", "c1")]);
    expect(
        fetch(
            &db,
            &base,
            &other_spec,
            Mode::Cursor(CursorPosition::Token(token)),
            5,
            CountStrategy::None,
            Some(&other_ordering),
        )
        .await,
        &[folio::ErrorKind::CursorMismatch],
    );
    // cursor mode without a codec is the caller's bug: 500
    let e = fetch(
        &db,
        &base,
        &spec,
        Mode::Cursor(CursorPosition::First),
        5,
        CountStrategy::None,
        None,
    )
    .await
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Request);
    assert_eq!(e.as_folio().unwrap().kind(), folio::ErrorKind::Internal);
    assert_eq!(e.http_status(), 500);
}

/// Deterministic writes between page fetches: rows deleted behind the reader and rows
/// inserted ahead of its start. OFFSET skips rows (deletes shift them back over the
/// offset) and repeats rows (inserts at the front shift seen rows forward); the
/// keyset walk sees every row that existed throughout exactly once.
pub async fn offset_skips_and_repeats_under_writes_cursor_does_not(db: Db, t: &str) {
    let spec = orderings().parse("price").unwrap();
    let base = base(t);
    let size = 10_u64;

    for use_cursor in [false, true] {
        products(&db, t, 200).await;
        let initial = reference(&db, &base, &spec).await;
        let c = use_cursor.then(|| cursors(&spec, &[]));
        let mut seen: Vec<i64> = Vec::new();
        let mut deleted: HashSet<i64> = HashSet::new();
        let mut offset = 0;
        let mut position = CursorPosition::First;
        let mut round = 0_i64;
        loop {
            let mode = if use_cursor {
                Mode::Cursor(position.clone())
            } else {
                Mode::Offset(offset)
            };
            let page = fetch(
                &db,
                &base,
                &spec,
                mode,
                size,
                CountStrategy::None,
                c.as_ref(),
            )
            .await
            .unwrap();
            seen.extend(ids(&page));
            if !page.has_next {
                break;
            }
            offset += size;
            if let Some(next) = page.next_cursor.clone() {
                position = CursorPosition::Token(next);
            }
            // writes between pages: odd rounds delete 3 rows already read, even rounds
            // insert 2 rows at the very front (price -1 sorts first)
            round += 1;
            if round % 2 == 1 {
                for id in seen
                    .iter()
                    .filter(|id| !deleted.contains(id))
                    .take(3)
                    .copied()
                    .collect::<Vec<_>>()
                {
                    delete_product(&db, t, id).await;
                    deleted.insert(id);
                }
            } else {
                insert_product(&db, t, 10_000 + round * 2, -1).await;
                insert_product(&db, t, 10_001 + round * 2, -1).await;
            }
        }
        let mut counts: HashMap<i64, usize> = HashMap::new();
        for id in &seen {
            *counts.entry(*id).or_default() += 1;
        }
        let stable: Vec<i64> = initial
            .iter()
            .filter(|id| !deleted.contains(id))
            .copied()
            .collect();
        let missing = stable.iter().filter(|id| !counts.contains_key(id)).count();
        let repeated = counts.values().filter(|&&n| n > 1).count();
        if use_cursor {
            assert_eq!(missing, 0, "keyset walk skipped rows");
            assert_eq!(repeated, 0, "keyset walk repeated rows");
            let in_order: Vec<i64> = seen
                .iter()
                .filter(|id| initial.contains(id))
                .copied()
                .collect();
            assert_eq!(in_order, initial, "keyset walk keeps the ordering");
        } else {
            // documented: OFFSET under writes loses and duplicates rows
            assert!(missing > 0, "offset walk was expected to skip rows");
            assert!(repeated > 0, "offset walk was expected to repeat rows");
        }
    }
}

pub async fn cursor_walk_under_concurrent_writes(db: Db, t: &str) {
    products(&db, t, 600).await;
    let base = base(t);
    for raw in ["id", "price,-created_at", "rating"] {
        products(&db, t, 600).await;
        let spec = orderings().parse(raw).unwrap();
        let initial = reference(&db, &base, &spec).await;
        // the writer inserts new rows and deletes rows whose id % 10 == 3
        let volatile: HashSet<i64> = initial.iter().copied().filter(|id| id % 10 == 3).collect();
        let writer = {
            let (db, t) = (db.clone(), t.to_owned());
            let mut volatile: Vec<i64> = volatile.iter().copied().collect();
            volatile.sort_unstable();
            tokio::spawn(async move {
                for (i, id) in volatile.into_iter().enumerate() {
                    delete_product(&db, &t, id).await;
                    insert_product(&db, &t, 100_000 + i as i64, (i as i64 * 7) % 50).await;
                    tokio::task::yield_now().await;
                }
            })
        };
        let c = cursors(&spec, &[]);
        let mut seen = Vec::new();
        let mut position = CursorPosition::First;
        loop {
            let page = fetch(
                &db,
                &base,
                &spec,
                Mode::Cursor(position),
                7,
                CountStrategy::None,
                Some(&c),
            )
            .await
            .unwrap();
            seen.extend(ids(&page));
            tokio::task::yield_now().await;
            match page.next_cursor {
                Some(next) => position = CursorPosition::Token(next),
                None => break,
            }
        }
        writer.await.unwrap();
        let mut unique = HashSet::new();
        for id in &seen {
            assert!(unique.insert(*id), "{raw}: row {id} seen twice");
        }
        let stable: Vec<i64> = initial
            .iter()
            .filter(|id| !volatile.contains(id))
            .copied()
            .collect();
        let stable_seen: Vec<i64> = seen
            .iter()
            .filter(|id| stable.contains(id))
            .copied()
            .collect();
        assert_eq!(
            stable_seen, stable,
            "{raw}: every stable row exactly once, in order"
        );
    }
}

pub async fn statement_budget(db: Db, t: &str) {
    products(&db, t, 103).await;
    let base = base(t);
    let spec = orderings().parse("rating,-price").unwrap();
    let c = cursors(&spec, &[]);
    let first = fetch(
        &db,
        &base,
        &spec,
        Mode::Cursor(CursorPosition::First),
        10,
        CountStrategy::None,
        Some(&c),
    )
    .await
    .unwrap();
    let token = first.next_cursor.unwrap();

    let count_with = |strategy: CountStrategy, mode: Mode| {
        let (db, base, spec, c) = (&db, &base, &spec, &c);
        async move {
            let counter = StatementCounter::new();
            let page = fetch(
                &db.counted(&counter),
                base,
                spec,
                mode,
                10,
                strategy,
                Some(c),
            )
            .await
            .unwrap();
            (counter.get(), page)
        }
    };
    let (n, page) = count_with(
        CountStrategy::None,
        Mode::Cursor(CursorPosition::Token(token.clone())),
    )
    .await;
    assert_eq!(n, 1, "cursor page, count=none");
    assert!(page.total.is_none());
    for strategy in [
        CountStrategy::Exact,
        CountStrategy::Cached,
        CountStrategy::Capped(20),
        CountStrategy::Estimate,
        CountStrategy::Auto,
    ] {
        let (n, page) =
            count_with(strategy, Mode::Cursor(CursorPosition::Token(token.clone()))).await;
        assert_eq!(n, 2, "cursor page, count={strategy:?}");
        assert!(page.total.is_some());
        for mode in [
            Mode::Page(PageNumber::Nth(2)),
            Mode::Offset(30),
            Mode::Cursor(CursorPosition::Last),
        ] {
            let (n, _) = count_with(strategy, mode.clone()).await;
            assert!(n <= 2, "{mode:?} count={strategy:?}: {n}");
        }
    }

    // load_children: one statement whatever the number of parents
    let parents: Vec<Value> = (0..7).map(|i| Value::from(format!("c{i}"))).collect();
    let spec = orderings().parse("-price").unwrap();
    for k in [1, 3, 7] {
        let counter = StatementCounter::new();
        let children = load_children::<Product>(
            &db.counted(&counter),
            &base,
            "category",
            &spec,
            &parents[..k],
            3,
        )
        .await
        .unwrap();
        assert_eq!(children.len(), k);
        assert_eq!(counter.get(), 1);
    }
    let many: Vec<Value> = (1..=2_000).map(Value::Int).collect();
    let counter = StatementCounter::new();
    let children = load_children::<Product>(&db.counted(&counter), &base, "id", &spec, &many, 1)
        .await
        .unwrap();
    assert_eq!(children.iter().filter(|c| !c.items.is_empty()).count(), 103);
    assert_eq!(counter.get(), 1);
}

pub async fn exact_and_capped_counts(db: Db, t: &str) {
    products(&db, t, 103).await;
    let base = base(t);
    let spec = orderings().parse("id").unwrap();
    let total = |strategy| {
        let (db, base, spec) = (&db, &base, &spec);
        async move {
            fetch(db, base, spec, Mode::Offset(0), 5, strategy, None)
                .await
                .unwrap()
                .total
                .unwrap()
        }
    };
    assert_eq!(total(CountStrategy::Exact).await, Total::exact(103));
    assert_eq!(
        total(CountStrategy::Capped(50)).await,
        Total {
            value: 50,
            relation: TotalRelation::Gte
        }
    );
    assert_eq!(
        total(CountStrategy::Capped(102)).await,
        Total {
            value: 102,
            relation: TotalRelation::Gte
        }
    );
    assert_eq!(total(CountStrategy::Capped(103)).await, Total::exact(103));
    assert_eq!(
        total(CountStrategy::Capped(10_000)).await,
        Total::exact(103)
    );
    // the capped statement never reads past N + 1 rows
    let st = CountQuery::capped(50).render(db.dialect(), &base);
    assert_eq!(db.fetch_all::<(i64,)>(&st).await.unwrap(), [(51,)]);
    // filtered: user binds kept
    let f = filtered(&db, t, "c1", 0);
    let want = reference(&db, &f, &spec).await.len() as u64;
    let page = fetch(
        &db,
        &f,
        &spec,
        Mode::Offset(0),
        5,
        CountStrategy::Exact,
        None,
    )
    .await
    .unwrap();
    assert_eq!(page.total, Some(Total::exact(want)));
    let page = fetch(
        &db,
        &f,
        &spec,
        Mode::Offset(0),
        5,
        CountStrategy::Capped(3),
        None,
    )
    .await
    .unwrap();
    assert_eq!(
        page.total,
        Some(Total {
            value: 3,
            relation: TotalRelation::Gte
        })
    );
    // parsing
    assert_eq!(
        "capped".parse::<CountStrategy>().unwrap(),
        CountStrategy::Capped(10_000)
    );
    assert!("lots".parse::<CountStrategy>().is_err());
}

async fn counted_total(
    db: &Db,
    base: &BaseQuery,
    strategy: CountStrategy,
    table: Option<&str>,
    threshold: Option<u64>,
) -> (Total, usize) {
    let spec = SortSpec::by_unique("id", "id");
    let request = PageRequest {
        mode: Mode::Offset(0),
        size: 10,
    };
    let counter = StatementCounter::new();
    let mut q = PageQuery::new(base, &spec, &request).count(strategy);
    if let Some(table) = table {
        q = q.table(table);
    }
    if let Some(th) = threshold {
        q = q.auto_threshold(th);
    }
    let page = q.fetch::<Product>(&db.counted(&counter)).await.unwrap();
    (page.total.unwrap(), counter.get())
}

pub async fn estimates_on_an_analyzed_200k_table(db: Db, t: &str) {
    // never analyzed: the table estimate falls back to an exact count
    products(&db, t, 300).await;
    let (total, _) = counted_total(&db, &base(t), CountStrategy::Estimate, Some(t), None).await;
    assert_eq!(total, Total::exact(300));

    let n = 200_000_u64;
    products(&db, t, n).await;
    exec(&db, &format!("ANALYZE {t}")).await;
    let base = base(t);
    let near = |v: u64, truth: u64| (v as f64 - truth as f64).abs() <= truth as f64 * 0.2;

    let (total, stmts) = counted_total(&db, &base, CountStrategy::Estimate, Some(t), None).await;
    assert_eq!(total.relation, TotalRelation::Approx);
    assert!(
        near(total.value, n),
        "table estimate {} vs {n}",
        total.value
    );
    assert_eq!(stmts, 2);

    let (total, stmts) = counted_total(&db, &base, CountStrategy::Auto, Some(t), None).await;
    assert_eq!(
        total.relation,
        TotalRelation::Approx,
        "200k is over the auto threshold"
    );
    assert!(near(total.value, n));
    assert_eq!(stmts, 2);

    let (total, stmts) =
        counted_total(&db, &base, CountStrategy::Auto, Some(t), Some(1_000_000)).await;
    assert_eq!(
        total,
        Total::exact(n),
        "under the threshold auto counts exactly"
    );
    assert_eq!(stmts, 2, "in the same statement");

    // filtered
    let f = filtered(&db, t, "c1", 0);
    let truth = reference(&db, &f, &SortSpec::by_unique("id", "id"))
        .await
        .len() as u64;
    let (total, stmts) = counted_total(&db, &f, CountStrategy::Estimate, None, None).await;
    assert_eq!(stmts, 2);
    if is_pg(&db) {
        assert_eq!(total.relation, TotalRelation::Approx);
        assert!(
            near(total.value, truth),
            "planner estimate {} vs {truth}",
            total.value
        );
    } else {
        assert_eq!(
            total,
            Total::exact(truth),
            "SQLite: capped at the auto threshold"
        );
    }
    let (total, stmts) = counted_total(&db, &f, CountStrategy::Auto, None, None).await;
    assert_eq!(total, Total::exact(truth));
    assert_eq!(stmts, 2);
    let (total, _) = counted_total(&db, &f, CountStrategy::Auto, None, Some(1_000)).await;
    assert_eq!(
        total,
        Total {
            value: 1_000,
            relation: TotalRelation::Gte
        }
    );
}

pub async fn cached_count_hit_runs_no_statement(db: Db, t: &str) {
    products(&db, t, 103).await;
    let base = filtered(&db, t, "c4", 0);
    let spec = orderings().parse("price").unwrap();
    let cache = CountCache::new(Duration::from_millis(300), 8);
    let run = |cache: &CountCache, base: &BaseQuery| {
        let (db, spec, cache, base) = (db.clone(), spec.clone(), cache.clone(), base.clone());
        async move {
            let counter = StatementCounter::new();
            let request = PageRequest {
                mode: Mode::Page(PageNumber::Nth(1)),
                size: 5,
            };
            let page = PageQuery::new(&base, &spec, &request)
                .count(CountStrategy::Cached)
                .cache(&cache)
                .fetch::<Product>(&db.counted(&counter))
                .await
                .unwrap();
            (page.total.unwrap(), counter.get())
        }
    };
    let (first, n) = run(&cache, &base).await;
    assert_eq!(n, 2, "miss: page + count");
    let (second, n) = run(&cache, &base).await;
    assert_eq!(n, 1, "hit: the page only");
    assert_eq!(first, second);
    assert!(first.is_exact());
    // other filters are another key
    let other = filtered(&db, t, "c5", 0);
    let (_, n) = run(&cache, &other).await;
    assert_eq!(n, 2);
    assert_eq!(cache.len(), 2);
    // the TTL expires
    tokio::time::sleep(Duration::from_millis(350)).await;
    let (_, n) = run(&cache, &base).await;
    assert_eq!(n, 2, "expired: counted again");
}

#[derive(sqlx::FromRow, Debug, Clone, PartialEq)]
pub struct ShopOrder {
    pub id: i64,
    pub user_id: i64,
    pub status: String,
}

pub async fn load_children_one_statement(db: Db, t: &str) {
    let orders = format!("{t}_orders");
    exec(&db, &format!("DROP TABLE IF EXISTS {orders}")).await;
    exec(
        &db,
        &format!("CREATE TABLE {orders} (id BIGINT PRIMARY KEY, user_id BIGINT NOT NULL, status TEXT NOT NULL)"),
    )
    .await;
    // user u has u % 6 orders; ids interleaved across users
    let mut id = 0;
    for round in 0..6 {
        for user in 1..=40_i64 {
            if user % 6 > round {
                id += 1;
                let status = if id % 3 == 0 { "paid" } else { "pending" };
                exec(
                    &db,
                    &format!("INSERT INTO {orders} VALUES ({id}, {user}, '{status}')"),
                )
                .await;
            }
        }
    }
    let base = BaseQuery::new(format!("SELECT id, user_id, status FROM {orders}"));
    let spec = Orderings::new("id", "id").parse("-id").unwrap();
    let parents: Vec<Value> = (1..=40)
        .rev()
        .map(Value::Int)
        .chain([Value::Int(99)])
        .collect();
    let counter = StatementCounter::new();
    let children =
        load_children::<ShopOrder>(&db.counted(&counter), &base, "user_id", &spec, &parents, 3)
            .await
            .unwrap();
    assert_eq!(counter.get(), 1);
    assert_eq!(children.len(), 41);
    for (p, c) in parents.iter().zip(&children) {
        assert_eq!(&c.parent, p);
        let Value::Int(user) = p else { unreachable!() };
        let all = db
            .fetch_all::<(i64,)>(&Statement {
                sql: format!("SELECT id FROM {orders} WHERE user_id = {user} ORDER BY id DESC"),
                binds: vec![],
            })
            .await
            .unwrap();
        let want: Vec<i64> = all.iter().take(3).map(|r| r.0).collect();
        assert_eq!(
            c.items.iter().map(|o| o.id).collect::<Vec<_>>(),
            want,
            "user {user}"
        );
        assert!(c.items.iter().all(|o| o.user_id == *user));
        assert_eq!(c.has_more, all.len() > 3, "user {user}");
        assert_eq!(c.last_keys, want.last().map(|id| vec![Value::Int(*id)]));
    }
    // with the children's own filter (a bind) and a duplicate parent
    let paid = BaseQuery::new(format!(
        "SELECT id, user_id, status FROM {orders} WHERE status = {}",
        ph(&db, 1)
    ))
    .bind("paid");
    let children = load_children::<ShopOrder>(
        &db,
        &paid,
        "user_id",
        &spec,
        &[Value::Int(5), Value::Int(5), Value::Int(11)],
        1,
    )
    .await
    .unwrap();
    assert_eq!(children.len(), 2);
    assert!(children
        .iter()
        .flat_map(|c| &c.items)
        .all(|o| o.status == "paid"));
    // no parents: no statement
    let counter = StatementCounter::new();
    assert!(
        load_children::<ShopOrder>(&db.counted(&counter), &base, "user_id", &spec, &[], 3)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(counter.get(), 0);
}

pub async fn stream_walks_everything_in_chunks(db: Db, t: &str) {
    products(&db, t, 1_000).await;
    let base = base(t);
    for raw in ["id", "rating,-price", "-created_at,price"] {
        let spec = orderings().parse(raw).unwrap();
        let want = reference(&db, &base, &spec).await;
        let counter = StatementCounter::new();
        let got: Vec<Product> = folio_sqlx::stream(&db.counted(&counter), &base, &spec, 64)
            .try_collect()
            .await
            .unwrap();
        assert_eq!(got.iter().map(|p| p.id).collect::<Vec<_>>(), want, "{raw}");
        assert_eq!(counter.get(), 16, "{raw}: ceil(1000 / 64) chunks");
    }
    let f = filtered(&db, t, "c6", 25);
    let spec = orderings().parse("price").unwrap();
    let want = reference(&db, &f, &spec).await;
    let got: Vec<Product> = folio_sqlx::stream(&db, &f, &spec, 10)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(got.iter().map(|p| p.id).collect::<Vec<_>>(), want);
}
