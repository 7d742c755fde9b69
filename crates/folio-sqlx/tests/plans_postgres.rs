//! Plans on PostgreSQL: a deep keyset page is an index scan entered at the
//! boundary (an `Index Cond` on the ordering's index), with no `Seq Scan` and no
//! `Sort` / `Incremental Sort`, for every ordering of the shop's products.
//!
//! One 200,000-row `products` table (folio-testing's data set) is loaded once per
//! test binary into a database of folio-testing's throwaway cluster (or of
//! `FOLIO_TEST_PG_URL`'s server), then `VACUUM (ANALYZE)`d; `enable_seqscan` stays
//! on. Without PostgreSQL the tests skip loudly (and fail under `CI` /
//! `FOLIO_REQUIRE_PG`). Plans come from `EXPLAIN (FORMAT JSON)` with the real binds.

use std::sync::OnceLock;

use chrono::{DateTime, Utc};
use folio::{
    Filter, KeysetQuery, Nulls, OffsetForm, OffsetQuery, Order, Orderings, Postgres, Seek, Select,
    SortSpec, Value,
};
use folio_testing::PgTestDb;
use serde_json::Value as Json;
use sqlx::postgres::{PgArguments, PgRow};
use sqlx::{PgPool, Row as _};

const ROWS: u64 = 200_000;
const DEPTH: usize = 150_000;
const LIMIT: u64 = 20;

static DB: OnceLock<Option<PgTestDb>> = OnceLock::new();

/// A pool of this test's own on the shared products database (loaded on first
/// use), or `None` when PostgreSQL is not available (the harness said so loudly).
async fn products() -> Option<PgPool> {
    let db = DB.get_or_init(|| {
        folio_testing::block_on(|| async {
            let db = folio_testing::postgres().await?;
            let pool = db.pool().await;
            folio_testing::load_products(&pool, ROWS).await;
            pool.close().await;
            Some(db)
        })
    });
    Some(db.as_ref()?.pool().await)
}

fn orderings() -> Orderings {
    Orderings::new("id", "id")
        .field("name", "name")
        .field("price", "price_cents")
        .nullable_field("rating", "rating", Nulls::Last)
        .field("created_at", "created_at")
}

type Query<'q> = sqlx::query::Query<'q, sqlx::Postgres, PgArguments>;

/// Binds folio's values in order; a timestamp (microseconds) binds as TIMESTAMPTZ.
fn bind_all<'q>(mut query: Query<'q>, binds: &'q [Value]) -> Query<'q> {
    for value in binds {
        query = match value {
            Value::Null => query.bind(None::<i64>),
            Value::Int(v) => query.bind(*v),
            Value::Float(v) => query.bind(*v),
            Value::Text(v) => query.bind(v.as_str()),
            Value::Timestamp(micros) => query
                .bind(DateTime::<Utc>::from_timestamp_micros(*micros).expect("timestamp in range")),
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
fn key_values(spec: &SortSpec, row: &PgRow) -> Vec<Value> {
    spec.keys()
        .iter()
        .map(|k| match k.column() {
            "id" | "price_cents" => Value::Int(row.get(k.column())),
            "rating" => Value::from(row.get::<Option<f64>, _>("rating")),
            "created_at" => {
                Value::Timestamp(row.get::<DateTime<Utc>, _>("created_at").timestamp_micros())
            }
            "name" | "category" => Value::Text(row.get(k.column())),
            other => panic!("no column {other}"),
        })
        .collect()
}

async fn ids(pool: &PgPool, sql: &str, binds: &[Value]) -> Vec<i64> {
    bind_all(sqlx::query(sqlx::AssertSqlSafe(sql)), binds)
        .fetch_all(pool)
        .await
        .unwrap_or_else(|e| panic!("{e}\n{sql}"))
        .iter()
        .map(|r| r.get("id"))
        .collect()
}

/// One plan node, flattened.
#[derive(Debug)]
struct Node {
    depth: usize,
    kind: String,
    index: Option<String>,
    cond: Option<String>,
    filter: Option<String>,
    heap_fetches: Option<i64>,
}

impl std::fmt::Display for Node {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.kind)?;
        if let Some(i) = &self.index {
            write!(f, " {i}")?;
        }
        if let Some(c) = &self.cond {
            write!(f, " [{c}]")?;
        }
        if let Some(c) = &self.filter {
            write!(f, " filter [{c}]")?;
        }
        if let Some(h) = self.heap_fetches {
            write!(f, " heap fetches {h}")?;
        }
        Ok(())
    }
}

fn flatten(plan: &Json, depth: usize, out: &mut Vec<Node>) {
    let text = |k: &str| plan.get(k).and_then(Json::as_str).map(str::to_owned);
    let mut kind = text("Node Type").unwrap_or_default();
    if text("Scan Direction").as_deref() == Some("Backward") {
        kind.push_str(" Backward");
    }
    out.push(Node {
        depth,
        kind,
        index: text("Index Name"),
        cond: text("Index Cond"),
        filter: text("Filter"),
        heap_fetches: plan.get("Heap Fetches").and_then(Json::as_i64),
    });
    for child in plan
        .get("Plans")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
    {
        flatten(child, depth + 1, out);
    }
}

fn summary(plan: &[Node]) -> String {
    plan.iter()
        .map(|n| format!("{}{n}", "  ".repeat(n.depth)))
        .collect::<Vec<_>>()
        .join("\n")
}

/// `EXPLAIN (<options>, FORMAT JSON)` of `sql` with its binds, flattened.
async fn explain(pool: &PgPool, options: &str, sql: &str, binds: &[Value]) -> Vec<Node> {
    let explain = format!("EXPLAIN ({options}FORMAT JSON) {sql}");
    let row = bind_all(sqlx::query(sqlx::AssertSqlSafe(&*explain)), binds)
        .fetch_one(pool)
        .await
        .unwrap_or_else(|e| panic!("{e}\n{explain}"));
    // The column is `json`, whose binary form is its text; sqlx's String decoder
    // does not list `json` as compatible without the `json` feature.
    let text: String = row.try_get_unchecked(0).unwrap();
    let json: Json = serde_json::from_str(&text).unwrap();
    let mut nodes = Vec::new();
    flatten(&json[0]["Plan"], 0, &mut nodes);
    nodes
}

fn is_scan(n: &Node) -> bool {
    n.kind.contains("Scan") && n.kind != "Subquery Scan"
}

/// No sequential scan, no sort, every scan an index scan; and a scan with an
/// `Index Cond` containing each of `expect` (the boundary's index range: an index
/// name, or "" for any index, and a piece of the condition).
fn assert_index_scans_only(plan: &[Node], expect: &[(&str, &str)], sql: &str) {
    let shown = summary(plan);
    for n in plan {
        assert!(
            !matches!(n.kind.as_str(), "Sort" | "Incremental Sort")
                && !n.kind.starts_with("Seq Scan"),
            "`{}` in the plan:\n{shown}\n{sql}",
            n.kind
        );
        assert!(
            !is_scan(n)
                || n.kind.starts_with("Index Scan")
                || n.kind.starts_with("Index Only Scan"),
            "not an index scan: `{n}`\n{shown}\n{sql}"
        );
    }
    for (index, cond) in expect {
        assert!(
            plan.iter()
                .any(|n| (index.is_empty() || n.index.as_deref() == Some(index))
                    && n.cond.as_deref().is_some_and(|c| c.contains(cond))),
            "no index scan of {index} with an Index Cond containing `{cond}`:\n{shown}\n{sql}"
        );
    }
}

/// One ordering, one base query: the page after and the page before the row at
/// `depth` must be right, and each plan index scans only; the page after must
/// show the `expect`ed Index Conds.
async fn check_keyset(ordering: &SortSpec, base: &Select, depth: usize, expect: &[(&str, &str)]) {
    let Some(pool) = products().await else { return };
    let order = order_by(ordering);
    // One reference read: the LIMIT rows before the boundary (and one more, to know
    // there are rows before them), the boundary row at `depth`, and the LIMIT + 1
    // rows after it.
    let limit = LIMIT as usize;
    let start = depth - limit - 1;
    let base_sql = base.to_sql(&Postgres).unwrap();
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
            .render(&Postgres, base)
            .unwrap();
        let sql = &st.statement.sql;
        let binds = &st.statement.binds;

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

        let plan = explain(&pool, "", sql, binds).await;
        let direction = if backward { "before" } else { "after" };
        println!(
            "PostgreSQL {ordering} {direction} {boundary:?}:\n{}",
            summary(&plan)
        );
        assert_index_scans_only(&plan, if backward { &[] } else { expect }, sql);
    }
}

fn all_products() -> Select {
    Select::from("products")
}

#[tokio::test]
async fn keyset_id() {
    let spec = orderings().parse("id").unwrap();
    check_keyset(&spec, &all_products(), DEPTH, &[("products_pkey", "id >")]).await;
}

#[tokio::test]
async fn keyset_id_desc() {
    let spec = orderings().parse("-id").unwrap();
    check_keyset(&spec, &all_products(), DEPTH, &[("products_pkey", "id <")]).await;
}

#[tokio::test]
async fn keyset_created_at() {
    let spec = orderings().parse("created_at").unwrap();
    check_keyset(
        &spec,
        &all_products(),
        DEPTH,
        &[("products_created_at_id", "ROW(created_at, id) > ROW(")],
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
        &[("products_created_at_id", "ROW(created_at, id) < ROW(")],
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
        &[("products_price_id", "ROW(price_cents, id) > ROW(")],
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
        &[("products_price_id", "ROW(price_cents, id) < ROW(")],
    )
    .await;
}

/// A nullable first key: two arms (values after the boundary, then the NULLs).
/// The boundary's arm is a range of products_rating_id. The NULL arm (`rating IS
/// NULL ORDER BY id LIMIT 21`, no bound) is, as observed, planned as an Index Scan
/// of products_pkey with `Filter: (rating IS NULL)`: with 10% NULLs the planner
/// expects about 210 entries read for 21 rows, which it prices below a
/// products_rating_id range. That is an index scan with a filter, allowed: no Seq
/// Scan, no Sort, and its cost does not grow with depth.
#[tokio::test]
async fn keyset_rating() {
    let spec = orderings().parse("rating").unwrap();
    check_keyset(
        &spec,
        &all_products(),
        DEPTH,
        &[("products_rating_id", "ROW(rating, id) > ROW(")],
    )
    .await;
}

/// 190,000 rows deep the boundary's rating is NULL: one arm, `rating IS NULL AND
/// id > ?`. Observed: PostgreSQL enters products_pkey at the boundary (`Index Cond:
/// id > …`) and filters `rating IS NULL` (NULLs are spread evenly over ids, so
/// about 10 entries per row), rather than the (rating IS NULL, id) range of
/// products_rating_id; both are entered at the boundary, so either is accepted:
/// an Index Cond on id, no Seq Scan, no Sort.
#[tokio::test]
async fn keyset_rating_null_boundary() {
    let spec = orderings().parse("rating").unwrap();
    check_keyset(&spec, &all_products(), 190_000, &[("", "(id >")]).await;
}

#[tokio::test]
async fn keyset_rating_desc() {
    let spec = orderings().parse("-rating").unwrap();
    check_keyset(
        &spec,
        &all_products(),
        DEPTH,
        &[("products_rating_id", "ROW(rating, id) < ROW(")],
    )
    .await;
}

#[tokio::test]
async fn keyset_rating_desc_null_boundary() {
    let spec = orderings().parse("-rating").unwrap();
    check_keyset(&spec, &all_products(), 190_000, &[("", "(id <")]).await;
}

/// The user's filter and folio's bound meet in one index: (category, price_cents, id).
#[tokio::test]
async fn keyset_price_in_a_category() {
    let spec = orderings().parse("price").unwrap();
    let base = Select::from("products").filter(Filter::eq("category", "books"));
    check_keyset(
        &spec,
        &base,
        7_500,
        &[("products_category_price", "ROW(price_cents, id) > ROW(")],
    )
    .await;
}

/// Mixed directions cannot be served by an (a, b) index without a sort; the
/// redundant leading bound lets PostgreSQL enter products_price_id at the
/// boundary's price (an Index Cond on price_cents), with an Incremental Sort of
/// each price group above it, instead of a Seq Scan or an index walk from the start.
#[tokio::test]
async fn mixed_directions_enter_the_index_at_the_boundary() {
    let Some(pool) = products().await else { return };
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
        .render(&Postgres, &base)
        .unwrap();
    let sql = &st.statement.sql;
    assert!(
        sql.contains("WHERE q.\"price_cents\" >= $1 AND (q.\"price_cents\" > $2 OR (q.\"price_cents\" = $3 AND"),
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

    let plan = explain(&pool, "", sql, &st.statement.binds).await;
    println!("PostgreSQL {spec} after:\n{}", summary(&plan));
    let shown = summary(&plan);
    assert!(
        !plan.iter().any(|n| n.kind.starts_with("Seq Scan")),
        "a Seq Scan:\n{shown}\n{sql}"
    );
    assert!(
        plan.iter().any(|n| n.kind.starts_with("Index")
            && n.cond
                .as_deref()
                .is_some_and(|c| c.contains("price_cents >="))),
        "no index range on price_cents:\n{shown}\n{sql}"
    );
}

/// OFFSET 150,000 as a deferred join: the key query is an Index Only Scan of the
/// ordering's index with no heap fetches (the table was vacuumed), and only the
/// page's rows are read from the table, by primary key.
async fn check_deferred_join(ordering: &str, index: &str) {
    let Some(pool) = products().await else { return };
    let spec = orderings().parse(ordering).unwrap();
    let base = all_products();
    let st = OffsetQuery::new(&spec, DEPTH as u64, LIMIT)
        .form(OffsetForm::DeferredJoin)
        .render(&Postgres, &base)
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

    let plan = explain(&pool, "ANALYZE, ", &st.sql, &st.binds).await;
    let shown = summary(&plan);
    println!("PostgreSQL {spec} deferred join:\n{shown}");
    assert!(
        plan.iter().any(|n| n.kind.starts_with("Index Only Scan")
            && n.index.as_deref() == Some(index)
            && n.heap_fetches == Some(0)),
        "the key query is not an index-only scan of {index} without heap fetches:\n{shown}\n{}",
        st.sql
    );
    assert!(
        plan.iter().any(
            |n| n.kind.starts_with("Index Scan") && n.index.as_deref() == Some("products_pkey")
        ),
        "the page's rows are not read by primary key:\n{shown}"
    );
    assert!(
        !plan.iter().any(|n| n.kind.starts_with("Seq Scan")),
        "{shown}"
    );

    // The plain form at that depth is never index-only: it reads 150,021 full rows,
    // through the ordering's index (an Index Scan, one heap visit per skipped
    // entry) or, where the planner prices that higher, a Seq Scan and a sort.
    let plain = OffsetQuery::new(&spec, DEPTH as u64, LIMIT)
        .render(&Postgres, &base)
        .unwrap();
    let plan = explain(&pool, "", &plain.sql, &plain.binds).await;
    let shown = summary(&plan);
    println!("PostgreSQL {spec} plain offset:\n{shown}");
    assert!(
        !plan.iter().any(|n| n.kind.starts_with("Index Only Scan")),
        "{shown}"
    );
}

#[tokio::test]
async fn deferred_join_created_at_is_index_only() {
    check_deferred_join("created_at", "products_created_at_id").await;
}

#[tokio::test]
async fn deferred_join_price_is_index_only() {
    check_deferred_join("price", "products_price_id").await;
}

/// A page read from a bookmark (`folio_sqlx::Bookmarks`): a seek after the row at
/// `DEPTH` and an OFFSET of 990 rows from it. It must be the reference's rows and
/// index scans only, entered at the bookmark (the OFFSET walks the index from
/// there, never from the start). A nullable first key keeps its two arms, which
/// read key columns only (an Index Only Scan where an index covers them) and are
/// merged before the OFFSET; the only sorts allowed are the NULL arm's for the
/// merge (at most 1,011 narrow rows) and the page's own order (21 rows).
async fn check_bookmark_page(ordering: &str, expect: (&str, &str)) {
    let Some(pool) = products().await else { return };
    let spec = orderings().parse(ordering).unwrap();
    let base = all_products();
    let order = order_by(&spec);
    let skip = 990_u64;
    let reference = bind_all(
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT * FROM products ORDER BY {order} LIMIT {} OFFSET {}",
            skip + LIMIT + 2,
            DEPTH
        ))),
        &[],
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    let bookmark = key_values(&spec, &reference[0]);
    let want: Vec<i64> = reference[1 + skip as usize..]
        .iter()
        .take(LIMIT as usize)
        .map(|r| r.get("id"))
        .collect();
    let st = KeysetQuery::new(&spec, Seek::After(bookmark), LIMIT)
        .skip(skip)
        .render(&Postgres, &base)
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

    let plan = explain(&pool, "", sql, binds).await;
    println!("PostgreSQL bookmark page {ordering}:\n{}", summary(&plan));
    let merged = sql.contains("UNION ALL");
    let (sorts, rest): (Vec<Node>, Vec<Node>) = plan
        .into_iter()
        .partition(|n| matches!(n.kind.as_str(), "Sort" | "Incremental Sort"));
    assert!(
        sorts.len() <= 2 * usize::from(merged),
        "{}\n{sql}",
        summary(&sorts)
    );
    assert_index_scans_only(&rest, &[expect], sql);
}

#[tokio::test]
async fn bookmark_page_id() {
    check_bookmark_page("id", ("products_pkey", "(id >")).await;
}

#[tokio::test]
async fn bookmark_page_created_at_desc() {
    check_bookmark_page(
        "-created_at",
        ("products_created_at_id", "ROW(created_at, id) < ROW("),
    )
    .await;
}

#[tokio::test]
async fn bookmark_page_price() {
    check_bookmark_page(
        "price",
        ("products_price_id", "ROW(price_cents, id) > ROW("),
    )
    .await;
}

#[tokio::test]
async fn bookmark_page_rating() {
    check_bookmark_page("rating", ("products_rating_id", "ROW(rating, id) > ROW(")).await;
}
