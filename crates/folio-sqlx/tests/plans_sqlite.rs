//! Plans on SQLite: a deep keyset page is an index search, never a full scan
//! or a temporary sort, for every ordering of the shop's products.
//!
//! One 200,000-row `products` table (folio-testing's data set: 1,000 distinct prices,
//! about 10% NULL ratings, tied timestamps) is loaded once per test binary into a
//! temporary file; each test opens its own pool on it. For each ordering, the
//! boundary is a real row about 150,000 rows deep; the page after it and the page
//! before it must equal a plain `ORDER BY … LIMIT … OFFSET` reference, and
//! `EXPLAIN QUERY PLAN` must show only `SEARCH products USING [COVERING] INDEX …` or
//! `… INTEGER PRIMARY KEY`: no `SCAN products`, no `USE TEMP B-TREE`.
//!
//! Observed, and asserted as observed: SQLite uses only the FIRST column of a
//! row-value comparison `(price_cents, id) > (?, ?)` as the index range
//! (`products_price_id (price_cents>?)`), because `id` is the INTEGER PRIMARY KEY
//! (the rowid alias) and SQLite's row-value range matching (`whereRangeVectorLen`)
//! does not map an index's rowid-alias column. The index is still entered at the
//! boundary's value (no depth-dependent cost), but the boundary's tie group is
//! walked (about 200 index entries per price here, about 4,400 per rating value):
//! see the lead's report. A two-arm rendering (`a = ? AND id > ?` UNION ALL
//! `a > ?`) would seek on both columns.

use std::sync::OnceLock;

use folio::{
    Filter, KeysetQuery, Nulls, OffsetForm, OffsetQuery, Order, Orderings, Seek, Select, SortSpec,
    Sqlite, Value,
};
use folio_testing::SqliteTestDb;
use sqlx::sqlite::{SqliteArguments, SqliteRow};
use sqlx::{Row as _, SqlitePool};

const ROWS: u64 = 200_000;
const DEPTH: usize = 150_000;
const LIMIT: u64 = 20;

static DB: OnceLock<SqliteTestDb> = OnceLock::new();

/// The shared products database (loaded on first use) and a pool of this test's own.
async fn products() -> SqlitePool {
    let db = DB.get_or_init(|| {
        let db = folio_testing::sqlite_file();
        folio_testing::block_on(|| async {
            let pool = db.pool().await;
            folio_testing::load_products(&pool, ROWS).await;
            pool.close().await;
        });
        db
    });
    db.pool().await
}

fn orderings() -> Orderings {
    Orderings::new("id", "id")
        .field("name", "name")
        .field("price", "price_cents")
        .nullable_field("rating", "rating", Nulls::Last)
        .field("created_at", "created_at")
}

type Query<'q> = sqlx::query::Query<'q, sqlx::Sqlite, SqliteArguments>;

/// Binds folio's values in order. SQLite has no timestamp type: the shop stores
/// RFC 3339 text, so a timestamp boundary is bound as text by the caller already.
fn bind_all<'q>(mut query: Query<'q>, binds: &'q [Value]) -> Query<'q> {
    for value in binds {
        query = match value {
            Value::Null => query.bind(None::<i64>),
            Value::Int(v) | Value::Timestamp(v) => query.bind(*v),
            Value::Float(v) => query.bind(*v),
            Value::Text(v) => query.bind(v.as_str()),
            Value::Bool(v) => query.bind(*v),
            Value::Bytes(v) => query.bind(v.as_slice()),
        };
    }
    query
}

/// `ORDER BY` text for a reference query, NULL placement explicit.
fn order_by(spec: &SortSpec) -> String {
    spec.keys()
        .iter()
        .map(|k| {
            let dir = if k.order() == Order::Asc {
                "ASC"
            } else {
                "DESC"
            };
            match (k.is_nullable(), k.nulls()) {
                (false, _) => format!("{} {dir}", k.column()),
                (true, Nulls::First) => format!("{} {dir} NULLS FIRST", k.column()),
                (true, Nulls::Last) => format!("{} {dir} NULLS LAST", k.column()),
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The key values of a row, typed as a cursor would carry them.
fn key_values(spec: &SortSpec, row: &SqliteRow) -> Vec<Value> {
    spec.keys()
        .iter()
        .map(|k| match k.column() {
            "id" | "price_cents" => Value::Int(row.get(k.column())),
            "rating" => Value::from(row.get::<Option<f64>, _>("rating")),
            "created_at" | "name" | "category" => Value::Text(row.get(k.column())),
            other => panic!("no column {other}"),
        })
        .collect()
}

async fn ids(pool: &SqlitePool, sql: &str, binds: &[Value]) -> Vec<i64> {
    bind_all(sqlx::query(sqlx::AssertSqlSafe(sql)), binds)
        .fetch_all(pool)
        .await
        .unwrap_or_else(|e| panic!("{e}\n{sql}"))
        .iter()
        .map(|r| r.get("id"))
        .collect()
}

async fn explain(pool: &SqlitePool, sql: &str, binds: &[Value]) -> Vec<String> {
    let explain = format!("EXPLAIN QUERY PLAN {sql}");
    bind_all(sqlx::query(sqlx::AssertSqlSafe(&*explain)), binds)
        .fetch_all(pool)
        .await
        .unwrap_or_else(|e| panic!("{e}\n{explain}"))
        .iter()
        .map(|r| r.get::<String, _>("detail"))
        .collect()
}

/// Every access to `products` is an index search; nothing is sorted.
fn assert_index_search_only(plan: &[String], sql: &str) {
    for line in plan {
        let search = line.starts_with("SEARCH products USING INDEX ")
            || line.starts_with("SEARCH products USING COVERING INDEX ")
            || line.starts_with("SEARCH products USING INTEGER PRIMARY KEY ");
        assert!(
            !line.contains("products") || search,
            "not an index search: `{line}`\nplan: {plan:#?}\nsql: {sql}"
        );
        assert!(
            !line.contains("TEMP B-TREE"),
            "a temporary sort: `{line}`\nplan: {plan:#?}\nsql: {sql}"
        );
    }
}

/// One ordering, one base query: the page after and the page before the row at
/// `depth` must be right, and each plan an index search with `expect` (an index
/// and its range constraint) on the boundary's side.
async fn check_keyset(ordering: &SortSpec, base: &Select, depth: usize, expect: &[&str]) {
    let pool = products().await;
    let order = order_by(ordering);
    // One reference read: the LIMIT rows before the boundary (and one more, to know
    // there are rows before them), the boundary row at `depth`, and the LIMIT + 1
    // rows after it.
    let limit = LIMIT as usize;
    let start = depth - limit - 1;
    let base_sql = base.to_sql(&Sqlite).unwrap();
    let window = bind_all(
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT * FROM ({}) AS r ORDER BY {order} LIMIT {} OFFSET {start}",
            base_sql.sql,
            2 * limit + 3
        ))),
        &base_sql.binds,
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    let boundary = key_values(ordering, &window[limit + 1]);
    let window: Vec<i64> = window.iter().map(|r| r.get("id")).collect();
    let after = &window[limit + 2..window.len().min(2 * limit + 2)];
    let before = &window[1..=limit];

    for seek in [
        Seek::After(boundary.clone()),
        Seek::Before(boundary.clone()),
    ] {
        let backward = seek.is_backward();
        let st = KeysetQuery::new(ordering, seek, LIMIT)
            .render(&Sqlite, base)
            .unwrap();
        let sql = &st.statement.sql;
        let binds = &st.statement.binds;

        // the rows
        let rows = bind_all(sqlx::query(sqlx::AssertSqlSafe(sql.clone())), binds)
            .fetch_all(&pool)
            .await
            .unwrap_or_else(|e| panic!("{e}\n{sql}"));
        let mut keyed: Vec<_> = rows
            .into_iter()
            .map(|r| (key_values(ordering, &r), r))
            .collect();
        let page = st.arrange(&mut keyed, |(k, _)| k.as_slice());
        let got: Vec<i64> = keyed.iter().map(|(_, r)| r.get("id")).collect();
        let want = if backward {
            assert!(page.has_previous, "{sql}");
            assert!(page.has_next);
            before
        } else {
            assert_eq!(page.has_next, window.len() > 2 * limit + 2, "{sql}");
            assert!(page.has_previous);
            after
        };
        assert_eq!(got, want, "{ordering} from {boundary:?}\n{sql}");

        // the plan
        let plan = explain(&pool, sql, binds).await;
        assert_index_search_only(&plan, sql);
        let direction = if backward { "before" } else { "after" };
        println!(
            "SQLite {ordering} {direction} {boundary:?}: {}",
            plan.join(" | ")
        );
        if !backward {
            for needle in expect {
                assert!(
                    plan.iter().any(|l| l.contains(needle)),
                    "expected `{needle}` in the plan: {plan:#?}\n{sql}"
                );
            }
        }
    }
}

fn all_products() -> Select {
    Select::from("products")
}

#[tokio::test]
async fn keyset_id() {
    let spec = orderings().parse("id").unwrap();
    check_keyset(
        &spec,
        &all_products(),
        DEPTH,
        &["INTEGER PRIMARY KEY (rowid>?)"],
    )
    .await;
}

#[tokio::test]
async fn keyset_id_desc() {
    let spec = orderings().parse("-id").unwrap();
    check_keyset(
        &spec,
        &all_products(),
        DEPTH,
        &["INTEGER PRIMARY KEY (rowid<?)"],
    )
    .await;
}

#[tokio::test]
async fn keyset_created_at() {
    let spec = orderings().parse("created_at").unwrap();
    check_keyset(
        &spec,
        &all_products(),
        DEPTH,
        &["SEARCH products USING INDEX products_created_at_id (created_at>?)"],
    )
    .await;
}

#[tokio::test]
async fn keyset_created_at_desc() {
    let spec = orderings().parse("-created_at").unwrap();
    check_keyset(
        &spec,
        &all_products(),
        DEPTH,
        &["SEARCH products USING INDEX products_created_at_id (created_at<?)"],
    )
    .await;
}

#[tokio::test]
async fn keyset_price() {
    let spec = orderings().parse("price").unwrap();
    check_keyset(
        &spec,
        &all_products(),
        DEPTH,
        &["SEARCH products USING INDEX products_price_id (price_cents>?)"],
    )
    .await;
}

#[tokio::test]
async fn keyset_price_desc() {
    let spec = orderings().parse("-price").unwrap();
    check_keyset(
        &spec,
        &all_products(),
        DEPTH,
        &["SEARCH products USING INDEX products_price_id (price_cents<?)"],
    )
    .await;
}

/// A nullable first key: the value arm and the NULL arm are each an index range.
#[tokio::test]
async fn keyset_rating() {
    let spec = orderings().parse("rating").unwrap();
    check_keyset(
        &spec,
        &all_products(),
        DEPTH,
        &[
            "SEARCH products USING INDEX products_rating_id (rating>?)",
            "SEARCH products USING INDEX products_rating_id (rating=?)",
        ],
    )
    .await;
}

/// 190,000 rows deep the boundary row's rating is NULL (NULLs last, 10% of rows).
#[tokio::test]
async fn keyset_rating_null_boundary() {
    let spec = orderings().parse("rating").unwrap();
    check_keyset(
        &spec,
        &all_products(),
        190_000,
        &["SEARCH products USING INDEX products_rating_id (rating=? AND id>?)"],
    )
    .await;
}

#[tokio::test]
async fn keyset_rating_desc() {
    let spec = orderings().parse("-rating").unwrap();
    check_keyset(
        &spec,
        &all_products(),
        DEPTH,
        &[
            "SEARCH products USING INDEX products_rating_id (rating<?)",
            "SEARCH products USING INDEX products_rating_id (rating=?)",
        ],
    )
    .await;
}

#[tokio::test]
async fn keyset_rating_desc_null_boundary() {
    let spec = orderings().parse("-rating").unwrap();
    check_keyset(
        &spec,
        &all_products(),
        190_000,
        &["SEARCH products USING INDEX products_rating_id (rating=? AND id<?)"],
    )
    .await;
}

/// The user's own filter and folio's bound meet in one index: (category, price_cents, id).
#[tokio::test]
async fn keyset_price_in_a_category() {
    let spec = orderings().parse("price").unwrap();
    let base = Select::from("products").filter(Filter::eq("category", "books"));
    check_keyset(
        &spec,
        &base,
        7_500,
        &["SEARCH products USING INDEX products_category_price (category=? AND price_cents>?)"],
    )
    .await;
}

/// Mixed directions cannot be served by an (a, b) index in one pass. Observed
/// (SQLite 3.4x with sqlite_stat1): the planner enters products_category_price by
/// skip-scan on the redundant leading bound, `SEARCH products USING INDEX
/// products_category_price (ANY(category) AND price_cents>?)`, then sorts what it
/// read (`USE TEMP B-TREE FOR ORDER BY`, a top-N sort): the cost is the rows after
/// the boundary, not the rows before it. Without the redundant bound it would
/// `SCAN products` from the start. So this asserts a SEARCH with a range on
/// price_cents and no `SCAN products`; a sort is expected here.
#[tokio::test]
async fn mixed_directions_enter_the_index_at_the_boundary() {
    let pool = products().await;
    let spec = orderings().parse("price,-created_at").unwrap();
    assert_eq!(spec.to_string(), "price,-created_at,-id");
    let base = all_products();
    let order = order_by(&spec);
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT * FROM products ORDER BY {order} LIMIT 1 OFFSET {DEPTH}"
    )))
    .fetch_one(&pool)
    .await
    .unwrap();
    let boundary = key_values(&spec, &row);
    let st = KeysetQuery::new(&spec, Seek::After(boundary), LIMIT)
        .render(&Sqlite, &base)
        .unwrap();
    let sql = &st.statement.sql;
    assert!(
        sql.contains(
            "WHERE q.\"price_cents\" >= ? AND (q.\"price_cents\" > ? OR (q.\"price_cents\" = ? AND"
        ),
        "no redundant leading bound: {sql}"
    );
    let mut rows = bind_all(
        sqlx::query(sqlx::AssertSqlSafe(sql.clone())),
        &st.statement.binds,
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    st.arrange(&mut rows, |_| &[]);
    let got: Vec<i64> = rows.iter().map(|r| r.get("id")).collect();
    let want = ids(
        &pool,
        &format!(
            "SELECT id FROM products ORDER BY {order} LIMIT {LIMIT} OFFSET {}",
            DEPTH + 1
        ),
        &[],
    )
    .await;
    assert_eq!(got, want);

    let plan = explain(&pool, sql, &st.statement.binds).await;
    println!("SQLite {spec} after: {}", plan.join(" | "));
    assert!(
        plan.iter().any(|l| l.starts_with("SEARCH products USING ")
            && (l.contains(" price_cents>?)") || l.contains("(price_cents>?)"))),
        "no index range on price_cents: {plan:#?}\n{sql}"
    );
    assert!(
        !plan.iter().any(|l| l.starts_with("SCAN products")),
        "a full scan: {plan:#?}"
    );
}

/// OFFSET 150,000 as a deferred join: the offset is walked in the ordering's
/// covering index (the key query reads no table row), and only the page's rows are
/// read from the table, by primary key.
async fn check_deferred_join(ordering: &str, index: &str) {
    let pool = products().await;
    let spec = orderings().parse(ordering).unwrap();
    let base = all_products();
    let st = OffsetQuery::new(&spec, DEPTH as u64, LIMIT)
        .form(OffsetForm::DeferredJoin)
        .render(&Sqlite, &base)
        .unwrap();
    let got = ids(&pool, &st.sql, &st.binds).await;
    let want = ids(
        &pool,
        &format!(
            "SELECT id FROM products ORDER BY {} LIMIT {} OFFSET {DEPTH}",
            order_by(&spec),
            LIMIT + 1
        ),
        &[],
    )
    .await;
    assert_eq!(got, want, "{}", st.sql);

    let plan = explain(&pool, &st.sql, &st.binds).await;
    println!("SQLite {spec} deferred join: {}", plan.join(" | "));
    assert!(
        plan.iter()
            .any(|l| l == &format!("SCAN products USING COVERING INDEX {index}")),
        "the key query does not walk the covering index {index}: {plan:#?}\n{}",
        st.sql
    );
    assert!(
        plan.iter()
            .any(|l| l.starts_with("SEARCH products USING INTEGER PRIMARY KEY (rowid=?)")),
        "the page's rows are not read by primary key: {plan:#?}"
    );
    for line in &plan {
        assert!(
            !line.starts_with("SCAN products") || line.contains("COVERING INDEX"),
            "a table walk: `{line}` in {plan:#?}"
        );
    }

    // The plain form walks the same index, but not a covering one: each of the
    // 150,000 skipped entries is looked up in the table.
    let plain = OffsetQuery::new(&spec, DEPTH as u64, LIMIT)
        .render(&Sqlite, &base)
        .unwrap();
    let plan = explain(&pool, &plain.sql, &plain.binds).await;
    println!("SQLite {spec} plain offset: {}", plan.join(" | "));
    assert_eq!(plan, [format!("SCAN products USING INDEX {index}")]);
}

#[tokio::test]
async fn deferred_join_created_at_walks_a_covering_index() {
    check_deferred_join("created_at", "products_created_at_id").await;
}

#[tokio::test]
async fn deferred_join_price_walks_a_covering_index() {
    check_deferred_join("price", "products_price_id").await;
}

/// A page read from a bookmark (`folio_sqlx::Bookmarks`): a seek after the row at
/// `DEPTH` and an OFFSET of 990 rows from it. It must be the reference's rows and
/// an index search: the OFFSET walks the index from the bookmark, never from the
/// start. A nullable first key keeps its two arms, each a covering index search of
/// key columns, merged before the OFFSET; the page's rows are then read by rowid.
/// The only temporary sorts allowed: the merge (at most 2 × 1,001 narrow rows) and
/// the page's own order (21 rows).
async fn check_bookmark_page(ordering: &str, expect: &str) {
    check_bookmark_read(ordering, DEPTH, 990, LIMIT, expect).await;
}

/// A page of `limit` rows read `skip` rows after the row at `depth`.
async fn check_bookmark_read(ordering: &str, depth: usize, skip: u64, limit: u64, expect: &str) {
    let pool = products().await;
    let spec = orderings().parse(ordering).unwrap();
    let base = all_products();
    let order = order_by(&spec);
    let reference = bind_all(
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT * FROM products ORDER BY {order} LIMIT {} OFFSET {}",
            skip + limit + 2,
            depth
        ))),
        &[],
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    let bookmark = key_values(&spec, &reference[0]);
    let want: Vec<i64> = reference[1 + skip as usize..]
        .iter()
        .take(limit as usize)
        .map(|r| r.get("id"))
        .collect();
    let st = KeysetQuery::new(&spec, Seek::After(bookmark), limit)
        .skip(skip)
        .render(&Sqlite, &base)
        .unwrap();
    let (sql, binds) = (&st.statement.sql, &st.statement.binds);
    let rows = bind_all(sqlx::query(sqlx::AssertSqlSafe(sql.clone())), binds)
        .fetch_all(&pool)
        .await
        .unwrap_or_else(|e| panic!("{e}\n{sql}"));
    let mut rows = rows;
    let page = st.arrange(&mut rows, |_| &[]);
    let got: Vec<i64> = rows.iter().map(|r| r.get("id")).collect();
    assert_eq!(got, want, "{ordering}\n{sql}");
    assert!(page.has_next && page.has_previous);

    let plan = explain(&pool, sql, binds).await;
    println!("SQLite bookmark page {ordering}: {}", plan.join(" | "));
    let merged = st.statement.sql.contains("UNION ALL");
    let (sorts, rest): (Vec<String>, Vec<String>) = plan
        .iter()
        .cloned()
        .partition(|l| l == "USE TEMP B-TREE FOR ORDER BY");
    // the merge and the page's order when there are two arms, none for one arm
    let sorts_allowed = if merged { 2 } else { 0 };
    assert_eq!(sorts.len(), sorts_allowed, "{plan:#?}\n{sql}");
    if merged {
        assert!(
            plan.iter().any(|l| l.contains("USING COVERING INDEX")),
            "the arms read key columns from a covering index: {plan:#?}"
        );
    }
    assert_index_search_only(&rest, sql);
    assert!(
        plan.iter().any(|l| l.contains(expect)),
        "expected `{expect}` in the plan: {plan:#?}\n{sql}"
    );
}

#[tokio::test]
async fn bookmark_page_id() {
    check_bookmark_page("id", "INTEGER PRIMARY KEY (rowid>?)").await;
}

#[tokio::test]
async fn bookmark_page_created_at_desc() {
    check_bookmark_page("-created_at", "products_created_at_id (created_at<?)").await;
}

#[tokio::test]
async fn bookmark_page_price() {
    check_bookmark_page("price", "products_price_id (price_cents>?)").await;
}

#[tokio::test]
async fn bookmark_page_rating() {
    check_bookmark_page("rating", "products_rating_id (rating>?)").await;
}

/// One step of taking bookmarks (`LIMIT 1 OFFSET 999` after the previous one), near
/// the start of the price order. Written as a row value `(price_cents, id) > (?, ?)`,
/// SQLite with `sqlite_stat1`/`stat4` statistics planned this as a skip-scan of
/// `products_category_price` plus a sort; the expanded form is an index range.
#[tokio::test]
async fn bookmark_walk_step_after_a_low_price() {
    check_bookmark_read("price", 999, 999, 1, "products_price_id (price_cents>?)").await;
    check_bookmark_read("price", 10_999, 999, 1, "products_price_id (price_cents>?)").await;
}
