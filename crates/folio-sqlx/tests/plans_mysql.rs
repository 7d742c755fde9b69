//! Plans on MariaDB: a deep keyset page, and a deep page read from a bookmark
//! (a seek and an OFFSET under 1,000), is an index range entered at the boundary,
//! with no filesort of the rows after it, that reads about a page of rows — for
//! every ordering shape of the shop's products.
//!
//! One 200,000-row `products` table (folio-testing's data set: 1,000 distinct
//! prices, about 10% NULL ratings, tied timestamps; the indexes of
//! `sql/schema.mysql.sql`, then `ANALYZE TABLE`) is loaded once per test binary
//! into a database of folio-testing's throwaway `mariadbd` (or of
//! `FOLIO_TEST_MYSQL_URL`'s server). Without MariaDB the tests skip loudly, and
//! fail under `CI` / `FOLIO_REQUIRE_MYSQL`.
//!
//! Each page is rendered through the public API (`KeysetQuery::new(&spec, seek,
//! 10)`, `.skip(990)` for a bookmark page, `.render(&folio::MySql, &select)`), run
//! through sqlx with its binds, and must equal the same slice of a plain `ORDER BY
//! … LIMIT … OFFSET` (written here, not by folio). Its plan is then read from
//! MariaDB's `ANALYZE FORMAT=JSON`, which runs the statement and reports what each
//! table access really read: `r_rows` rows per loop, `r_loops` loops. Rows examined
//! are asserted from those, not from the plan's `rows`: that is the optimizer's
//! estimate of the whole index range without the `LIMIT` (about 90,000 for the
//! price range after the 150,000th row), so it cannot show a `LIMIT` stopping the
//! range after a page.
//!
//! Every access to `products` must be an index access (`range`, `ref`, `eq_ref`:
//! never `ALL` or a full `index` scan), one of them a `range` or `ref` of the
//! expected index; no filesort may read `products` itself. Where the SQL has a
//! merge (a nullable first key's two arms under a skip) or a bounded sort (mixed
//! directions), a filesort of that bounded set is allowed, and the rows examined
//! bound it.
//!
//! MySQL 8 is not tested here (it cannot be installed on this machine): its JSON
//! plans differ (`rows_examined_per_scan`, `ordering_operation.using_filesort`, no
//! `ANALYZE FORMAT=JSON`), so against a MySQL `FOLIO_TEST_MYSQL_URL` these tests
//! check the rows only and say so.

use std::sync::OnceLock;

use chrono::{DateTime, Utc};
use folio::{
    Edges, Filter, KeysetQuery, MySql, Nulls, Order, Orderings, Seek, Select, SortSpec, Value,
};
use folio_testing::MySqlTestDb;
use serde_json::Value as Json;
use sqlx::mysql::{MySqlArguments, MySqlRow};
use sqlx::{MySqlPool, Row as _};

const ROWS: u64 = 200_000;
const DEPTH: usize = 150_000;
const LIMIT: u64 = 10;
const SKIP: u64 = 990;

static DB: OnceLock<Option<MySqlTestDb>> = OnceLock::new();

/// A pool of this test's own on the shared products database (loaded on first
/// use), or `None` when MariaDB is not available (the harness said so loudly).
async fn products() -> Option<MySqlPool> {
    let db = DB.get_or_init(|| {
        folio_testing::block_on(|| async {
            let db = folio_testing::mysql().await?;
            let pool = db.pool().await;
            let started = std::time::Instant::now();
            folio_testing::load_products(&pool, ROWS).await;
            eprintln!(
                "plans_mysql: {ROWS} products loaded, indexed and analyzed in {:?}",
                started.elapsed()
            );
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

type Query<'q> = sqlx::query::Query<'q, sqlx::MySql, MySqlArguments>;

/// Binds folio's values in order; a timestamp (microseconds) binds as a UTC
/// DATETIME (sqlx sets the session's time zone to UTC).
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

/// A reference `ORDER BY` over the alias `r`, written here: NULLs last by an
/// `IS NULL` term (MySQL puts NULLs first in ascending order).
fn order_by(spec: &SortSpec) -> String {
    spec.keys()
        .iter()
        .map(|k| {
            let dir = if k.order() == Order::Asc {
                "ASC"
            } else {
                "DESC"
            };
            let column = format!("r.`{}`", k.column());
            match (k.is_nullable(), k.nulls()) {
                (false, _) => format!("{column} {dir}"),
                (true, Nulls::Last) => format!("{column} IS NULL ASC, {column} {dir}"),
                (true, Nulls::First) => format!("{column} IS NULL DESC, {column} {dir}"),
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The key values of a row, typed as a cursor would carry them.
fn key_values(spec: &SortSpec, row: &MySqlRow) -> Vec<Value> {
    spec.keys()
        .iter()
        .map(|k| match k.column() {
            "id" | "price_cents" | "rank" => Value::Int(row.get(k.column())),
            "rating" => Value::from(row.get::<Option<f64>, _>("rating")),
            "created_at" => {
                Value::Timestamp(row.get::<DateTime<Utc>, _>("created_at").timestamp_micros())
            }
            "name" | "category" => Value::Text(row.get(k.column())),
            other => panic!("no column {other}"),
        })
        .collect()
}

async fn fetch(pool: &MySqlPool, sql: &str, binds: &[Value]) -> Vec<MySqlRow> {
    bind_all(sqlx::query(sqlx::AssertSqlSafe(sql.to_owned())), binds)
        .fetch_all(pool)
        .await
        .unwrap_or_else(|e| panic!("{e}\n{sql}"))
}

/// `count` rows of `select` in `spec`'s order from row `offset` on (0-based), by a
/// plain `ORDER BY … LIMIT … OFFSET`.
async fn reference(
    pool: &MySqlPool,
    select: &Select,
    spec: &SortSpec,
    offset: usize,
    count: u64,
) -> Vec<MySqlRow> {
    let base = select.to_sql(&MySql).unwrap();
    let sql = format!(
        "SELECT * FROM ({}) AS r ORDER BY {} LIMIT {count} OFFSET {offset}",
        base.sql,
        order_by(spec)
    );
    fetch(pool, &sql, &base.binds).await
}

fn ids(rows: &[MySqlRow]) -> Vec<i64> {
    rows.iter().map(|r| r.get("id")).collect()
}

/// Runs a keyset statement and arranges its rows: the page's rows in order, and
/// its edges.
async fn run_page(
    pool: &MySqlPool,
    spec: &SortSpec,
    st: &folio::KeysetStatement,
) -> (Vec<MySqlRow>, Edges) {
    let rows = fetch(pool, &st.statement.sql, &st.statement.binds).await;
    let mut keyed: Vec<(Vec<Value>, MySqlRow)> = rows
        .into_iter()
        .map(|r| (key_values(spec, &r), r))
        .collect();
    let edges = st.arrange(&mut keyed, |(k, _)| k.as_slice());
    (keyed.into_iter().map(|(_, r)| r).collect(), edges)
}

/// One step of a MariaDB JSON plan: a table access or a filesort.
#[derive(Debug)]
enum Step {
    Table {
        depth: usize,
        name: String,
        access: String,
        key: Option<String>,
        parts: Vec<String>,
        estimate: f64,
        rows: f64,
        loops: f64,
    },
    Filesort {
        depth: usize,
        key: String,
        /// The table the filesort reads directly, if it reads one (not a
        /// temporary table).
        reads: Option<String>,
    },
}

impl std::fmt::Display for Step {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Step::Table {
                depth,
                name,
                access,
                key,
                parts,
                estimate,
                rows,
                loops,
            } => write!(
                f,
                "{}{name} {access} {} {parts:?} rows(estimate) {estimate} r_rows {rows} × r_loops {loops}",
                "  ".repeat(*depth),
                key.as_deref().unwrap_or("-"),
            ),
            Step::Filesort { depth, key, reads } => write!(
                f,
                "{}filesort [{key}] of {}",
                "  ".repeat(*depth),
                reads.as_deref().unwrap_or("a temporary table")
            ),
        }
    }
}

fn number(v: &Json) -> f64 {
    v.as_f64()
        .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
        .unwrap_or(0.0)
}

fn flatten(node: &Json, depth: usize, out: &mut Vec<Step>) {
    match node {
        Json::Object(map) => {
            for (key, value) in map {
                match key.as_str() {
                    "table" if value.is_object() => {
                        let text = |k: &str| value.get(k).and_then(Json::as_str).map(str::to_owned);
                        out.push(Step::Table {
                            depth,
                            name: text("table_name").unwrap_or_default(),
                            access: text("access_type").unwrap_or_default(),
                            key: text("key"),
                            parts: value
                                .get("used_key_parts")
                                .and_then(Json::as_array)
                                .into_iter()
                                .flatten()
                                .filter_map(|p| p.as_str().map(str::to_owned))
                                .collect(),
                            estimate: number(&value["rows"]),
                            rows: number(&value["r_rows"]),
                            loops: number(&value["r_loops"]),
                        });
                        flatten(value, depth + 1, out);
                    }
                    "filesort" if value.is_object() => {
                        out.push(Step::Filesort {
                            depth,
                            key: value
                                .get("sort_key")
                                .and_then(Json::as_str)
                                .unwrap_or_default()
                                .to_owned(),
                            reads: value
                                .get("table")
                                .and_then(|t| t.get("table_name"))
                                .and_then(Json::as_str)
                                .map(str::to_owned),
                        });
                        flatten(value, depth + 1, out);
                    }
                    _ => flatten(value, depth + 1, out),
                }
            }
        }
        Json::Array(items) => {
            for item in items {
                flatten(item, depth, out);
            }
        }
        _ => {}
    }
}

fn summary(plan: &[Step]) -> String {
    plan.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

/// `ANALYZE FORMAT=JSON` of `sql` with its binds (MariaDB runs it and reports what
/// each access read), flattened; `None` on a server that is not MariaDB.
async fn analyze(pool: &MySqlPool, sql: &str, binds: &[Value]) -> Option<Vec<Step>> {
    let version: String = sqlx::query_scalar("SELECT VERSION()")
        .fetch_one(pool)
        .await
        .unwrap();
    if !version.contains("MariaDB") {
        eprintln!(
            "=== plans_mysql: {version} is not MariaDB: ANALYZE FORMAT=JSON is MariaDB's; \
             the rows were checked, the plan was not ==="
        );
        return None;
    }
    let analyze = format!("ANALYZE FORMAT=JSON {sql}");
    let row = bind_all(sqlx::query(sqlx::AssertSqlSafe(analyze.clone())), binds)
        .fetch_one(pool)
        .await
        .unwrap_or_else(|e| panic!("{e}\n{analyze}"));
    let text: String = row.try_get_unchecked(0).unwrap();
    let json: Json = serde_json::from_str(&text).unwrap();
    let mut plan = Vec::new();
    flatten(&json, 0, &mut plan);
    Some(plan)
}

/// What a statement may do beyond reading index ranges.
#[derive(Debug, Clone, Copy)]
enum Shape {
    /// One index range in the ordering's order: no filesort at all.
    Range,
    /// A nullable first key: two arms, each an index range in order; under a skip
    /// they are merged by a filesort of their narrow rows (at most 2 × (skip +
    /// page + 1)) and the page's rows read by primary key.
    TwoArms,
    /// An order no index gives (mixed directions): the page's first-key values,
    /// then their rows by index lookups, sorted. Rows examined at most `rows`.
    Bounded { rows: f64 },
}

/// Checks a plan: index accesses only, the expected index entered by a `range` or
/// a `ref`, no filesort of `products` itself (a filesort of a bounded temporary set
/// where `shape` allows one), and no more rows of `products` examined (`r_rows` ×
/// `r_loops`) than the shape reads: the page (`skip` + `LIMIT` + 1 rows) once per
/// arm, and the page's rows by primary key after a merge; a bounded sort's own
/// bound. Returns the rows examined.
fn assert_plan(plan: &[Step], index: &str, shape: Shape, skip: u64, sql: &str) -> f64 {
    let shown = summary(plan);
    let mut examined = 0.0;
    let mut entered = false;
    let mut sorts = 0;
    for step in plan {
        match step {
            Step::Table {
                name,
                access,
                key,
                rows,
                loops,
                ..
            } if name == "products" => {
                assert!(
                    matches!(access.as_str(), "range" | "ref" | "eq_ref"),
                    "`products` read by `{access}`, not an index range or lookup:\n{shown}\n{sql}"
                );
                entered |=
                    key.as_deref() == Some(index) && matches!(access.as_str(), "range" | "ref");
                examined += rows * loops;
            }
            Step::Table { .. } => {}
            Step::Filesort { reads, .. } => {
                assert_ne!(
                    reads.as_deref(),
                    Some("products"),
                    "a filesort of `products` itself:\n{shown}\n{sql}"
                );
                sorts += 1;
            }
        }
    }
    assert!(entered, "no `range` or `ref` of {index}:\n{shown}\n{sql}");
    let page = (skip + LIMIT + 1) as f64;
    let bound = match shape {
        Shape::Range => {
            assert_eq!(sorts, 0, "a filesort:\n{shown}\n{sql}");
            page
        }
        Shape::TwoArms if skip == 0 => {
            assert_eq!(sorts, 0, "a filesort:\n{shown}\n{sql}");
            2.0 * page
        }
        // the arms, then the page's rows by primary key
        Shape::TwoArms => 2.0 * page + (LIMIT + 1) as f64,
        Shape::Bounded { rows } => rows,
    };
    assert!(
        examined <= bound,
        "{examined} rows of products examined, more than {bound}:\n{shown}\n{sql}"
    );
    examined
}

/// The page after (and, without a skip, the page before) the row at `depth` of
/// `select` in `ordering`: the reference's rows, an index-served plan.
async fn check(
    ordering: &str,
    select: &Select,
    depth: usize,
    skip: u64,
    index: &str,
    shape: Shape,
) {
    let Some(pool) = products().await else { return };
    let spec = orderings().parse(ordering).unwrap();
    let limit = LIMIT as usize;
    // The LIMIT + 1 rows before the boundary, the boundary, and the rows after it
    // that the page reads (skipped ones included), and one more.
    let start = depth - limit - 1;
    let window = reference(&pool, select, &spec, start, 2 * LIMIT + skip + 3).await;
    let boundary = key_values(&spec, &window[limit + 1]);
    let after: Vec<i64> = ids(&window[limit + 2 + skip as usize..])
        .into_iter()
        .take(limit)
        .collect();
    let before = ids(&window[1..=limit]);

    let mut seeks = vec![Seek::After(boundary.clone())];
    if skip == 0 {
        seeks.push(Seek::Before(boundary.clone()));
    }
    for seek in seeks {
        let backward = seek.is_backward();
        let st = KeysetQuery::new(&spec, seek, LIMIT)
            .skip(skip)
            .render(&MySql, select)
            .unwrap();
        let sql = &st.statement.sql;
        let (rows, edges) = run_page(&pool, &spec, &st).await;
        let (want, direction) = if backward {
            (&before, "before")
        } else {
            (&after, "after")
        };
        assert_eq!(
            &ids(&rows),
            want,
            "{ordering} {direction} {boundary:?}\n{sql}"
        );
        assert!(edges.has_next && edges.has_previous, "{sql}");

        let Some(plan) = analyze(&pool, sql, &st.statement.binds).await else {
            continue;
        };
        let bound = match shape {
            Shape::Bounded { .. } if backward => Shape::Bounded {
                rows: bounded_sort_rows(&pool, &spec, &window[limit + 1], &window[..=limit]).await,
            },
            other => other,
        };
        let examined = assert_plan(&plan, index, bound, skip, sql);
        println!(
            "MariaDB {ordering} {}{direction} row {depth}{}: {examined:.0} rows of products examined\n{}",
            select_label(select),
            if skip > 0 { format!(" + skip {skip}") } else { String::new() },
            summary(&plan)
        );
    }
}

fn select_label(select: &Select) -> String {
    let sql = select.to_sql(&MySql).unwrap();
    if sql.binds.is_empty() {
        String::new()
    } else {
        format!("where {:?} ", sql.binds)
    }
}

/// What a bounded sort of a `price,…` ordering may read for a page read from
/// `boundary` whose rows (the skipped ones, the page and its extra row) are `rows`:
/// the first-key range of `boundary`'s ties and the rows (at most the page's rows
/// past the ties) that find the page's first-key values, then every row whose
/// first key lies between the boundary's and the last row's (the lookups).
async fn bounded_sort_rows(
    pool: &MySqlPool,
    spec: &SortSpec,
    boundary: &MySqlRow,
    rows: &[MySqlRow],
) -> f64 {
    let lead = spec.keys()[0].column();
    let value = |r: &MySqlRow| -> i64 { r.get(lead) };
    let first = value(boundary);
    let (lo, hi) = rows
        .iter()
        .map(value)
        .fold((first, first), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let count = |sql: String| async move {
        sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql))
            .fetch_one(pool)
            .await
            .unwrap()
    };
    let between = count(format!(
        "SELECT COUNT(*) FROM products WHERE `{lead}` BETWEEN {lo} AND {hi}"
    ))
    .await;
    let ties = count(format!(
        "SELECT COUNT(*) FROM products WHERE `{lead}` = {first}"
    ))
    .await;
    (between + ties) as f64 + rows.len() as f64
}

fn all_products() -> Select {
    Select::from("products")
}

fn books() -> Select {
    Select::from("products").filter(Filter::eq("category", "books"))
}

// --- keyset pages, 150,000 rows deep ---

#[tokio::test]
async fn keyset_id() {
    check("id", &all_products(), DEPTH, 0, "PRIMARY", Shape::Range).await;
}

#[tokio::test]
async fn keyset_created_at_desc() {
    check(
        "-created_at",
        &all_products(),
        DEPTH,
        0,
        "products_created_at_id",
        Shape::Range,
    )
    .await;
}

#[tokio::test]
async fn keyset_price() {
    check(
        "price",
        &all_products(),
        DEPTH,
        0,
        "products_price_id",
        Shape::Range,
    )
    .await;
}

/// Two arms, `rating >= ? AND (…)` and `rating IS NULL`, each a range of
/// products_rating_id in its own order (the NULL arm's range is `rating IS NULL`,
/// read in id order), joined by UNION ALL and arranged in Rust: no filesort.
#[tokio::test]
async fn keyset_rating() {
    check(
        "rating",
        &all_products(),
        DEPTH,
        0,
        "products_rating_id",
        Shape::TwoArms,
    )
    .await;
}

#[tokio::test]
async fn keyset_rating_desc() {
    check(
        "-rating",
        &all_products(),
        DEPTH,
        0,
        "products_rating_id",
        Shape::TwoArms,
    )
    .await;
}

/// 190,000 rows deep the boundary's rating is NULL: forward, only NULLs remain, one
/// arm `rating IS NULL AND id > ?`, a range of products_rating_id on both parts.
/// Backward, the NULLs before it and then every value: two arms.
#[tokio::test]
async fn keyset_rating_null_boundary() {
    check(
        "rating",
        &all_products(),
        190_000,
        0,
        "products_rating_id",
        Shape::TwoArms,
    )
    .await;
}

#[tokio::test]
async fn keyset_rating_desc_null_boundary() {
    check(
        "-rating",
        &all_products(),
        190_000,
        0,
        "products_rating_id",
        Shape::TwoArms,
    )
    .await;
}

/// The user's filter and folio's bound meet in one index: (category, price_cents, id).
#[tokio::test]
async fn keyset_price_in_a_category() {
    check(
        "price",
        &books(),
        7_500,
        0,
        "products_category_price",
        Shape::Range,
    )
    .await;
}

/// (category, id).
#[tokio::test]
async fn keyset_id_in_a_category() {
    check(
        "id",
        &books(),
        7_500,
        0,
        "products_category_id",
        Shape::Range,
    )
    .await;
}

/// `price,-created_at,-id` is an order no index of the shop gives, and MariaDB has
/// no incremental sort: the plain expanded form (`price_cents >= ? AND (…) ORDER BY
/// price_cents, created_at DESC, id DESC LIMIT 11`) was a range of
/// products_price_id from the boundary to the end and a filesort of all of it
/// (50,186 rows read 150,000 rows deep). folio's MySQL dialect bounds the sort:
/// the page's prices from a range of products_price_id, then their rows by `ref`
/// lookups of products_price_id, sorted: the boundary's ties and the price groups
/// the page reaches (about 200 rows each here), whatever the depth.
#[tokio::test]
async fn keyset_mixed_directions() {
    let Some(pool) = products().await else { return };
    let spec = orderings().parse("price,-created_at").unwrap();
    let rows = reference(&pool, &all_products(), &spec, DEPTH, LIMIT + 2).await;
    let bound = bounded_sort_rows(&pool, &spec, &rows[0], &rows[1..]).await;
    check(
        "price,-created_at",
        &all_products(),
        DEPTH,
        0,
        "products_price_id",
        Shape::Bounded { rows: bound },
    )
    .await;
}

/// A boundary in the middle of its price group: the first-key range reads the
/// group's rows before it too (they fail the seek's condition), then the lookups.
#[tokio::test]
async fn keyset_mixed_directions_inside_a_price_group() {
    let Some(pool) = products().await else { return };
    let spec = orderings().parse("price,-created_at").unwrap();
    let depth = DEPTH + 100;
    let rows = reference(&pool, &all_products(), &spec, depth, LIMIT + 2).await;
    let price = |r: &MySqlRow| -> i64 { r.get("price_cents") };
    assert!(
        rows.iter().all(|r| price(r) == price(&rows[0])),
        "the page lies inside the boundary's price group"
    );
    let bound = bounded_sort_rows(&pool, &spec, &rows[0], &rows[1..]).await;
    check(
        "price,-created_at",
        &all_products(),
        depth,
        0,
        "products_price_id",
        Shape::Bounded { rows: bound },
    )
    .await;
}

// --- bookmark pages: a seek 150,000 rows deep, then OFFSET 990 ---

#[tokio::test]
async fn bookmark_id() {
    check("id", &all_products(), DEPTH, SKIP, "PRIMARY", Shape::Range).await;
}

#[tokio::test]
async fn bookmark_created_at_desc() {
    check(
        "-created_at",
        &all_products(),
        DEPTH,
        SKIP,
        "products_created_at_id",
        Shape::Range,
    )
    .await;
}

#[tokio::test]
async fn bookmark_price() {
    check(
        "price",
        &all_products(),
        DEPTH,
        SKIP,
        "products_price_id",
        Shape::Range,
    )
    .await;
}

/// The two arms read the key columns of at most 1,001 rows each (covering
/// products_rating_id), a filesort merges those 2,002 narrow rows, and the page's
/// 11 rows are read by primary key.
#[tokio::test]
async fn bookmark_rating() {
    check(
        "rating",
        &all_products(),
        DEPTH,
        SKIP,
        "products_rating_id",
        Shape::TwoArms,
    )
    .await;
}

#[tokio::test]
async fn bookmark_rating_desc() {
    check(
        "-rating",
        &all_products(),
        DEPTH,
        SKIP,
        "products_rating_id",
        Shape::TwoArms,
    )
    .await;
}

#[tokio::test]
async fn bookmark_price_in_a_category() {
    check(
        "price",
        &books(),
        7_500,
        SKIP,
        "products_category_price",
        Shape::Range,
    )
    .await;
}

#[tokio::test]
async fn bookmark_id_in_a_category() {
    check(
        "id",
        &books(),
        7_500,
        SKIP,
        "products_category_id",
        Shape::Range,
    )
    .await;
}

#[tokio::test]
async fn bookmark_mixed_directions() {
    let Some(pool) = products().await else { return };
    let spec = orderings().parse("price,-created_at").unwrap();
    let rows = reference(&pool, &all_products(), &spec, DEPTH, SKIP + LIMIT + 2).await;
    let bound = bounded_sort_rows(&pool, &spec, &rows[0], &rows[1..]).await;
    check(
        "price,-created_at",
        &all_products(),
        DEPTH,
        SKIP,
        "products_price_id",
        Shape::Bounded { rows: bound },
    )
    .await;
}

// --- the collation promise ---

/// Names that differ only in case, accents or trailing spaces, which
/// `utf8mb4_general_ci` holds equal ('abc' = 'ABC' = 'ábc' = 'abc '), each several
/// times: ties on purpose, broken by id.
const NAMES: [&str; 16] = [
    "abc", "ABC", "Abc", "ábc", "àbC", "abc ", "abd", "ABD", "ab", "AB", "abcd", "b", "B", "a",
    "á", "ss",
];

/// Walking the keyset pages of `name` (and `-name`, and the mixed `name,-rank`)
/// over a `utf8mb4_general_ci` column returns every row exactly once, in the
/// database's own order, forward from the first page and backward from the last:
/// folio compares text only in SQL (and tells a multi-arm page's rows apart by
/// equality and NULL tests made by the database), never in Rust.
#[tokio::test]
async fn keyset_walks_follow_the_collation() {
    let Some(db) = folio_testing::mysql().await else {
        return;
    };
    let pool = db.pool().await;
    for sql in [
        "CREATE TABLE words (id BIGINT NOT NULL PRIMARY KEY, name VARCHAR(20) NOT NULL, \
         `rank` BIGINT NOT NULL)",
        "CREATE INDEX words_name_id ON words (name, id)",
    ] {
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(&pool)
            .await
            .unwrap();
    }
    let collation: String = sqlx::query_scalar(
        "SELECT CONVERT(COLLATION_NAME USING utf8mb4) FROM information_schema.COLUMNS \
         WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'words' AND COLUMN_NAME = 'name'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(collation, "utf8mb4_general_ci");
    // 64 rows: every name four times, ids interleaved so that equal names are not
    // neighbours by id
    let mut id = 0_i64;
    for round in 0..4 {
        for name in NAMES {
            id += 1;
            sqlx::query("INSERT INTO words VALUES (?, ?, ?)")
                .bind(id)
                .bind(name)
                .bind((id * 7 + round) % 5)
                .execute(&pool)
                .await
                .unwrap();
        }
    }
    let ties: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM words WHERE name = 'ABC'")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(
        ties, 24,
        "'abc', 'ABC', 'Abc', 'ábc', 'àbC', 'abc ' are one value"
    );

    let orderings = Orderings::new("id", "id")
        .field("name", "name")
        .field("rank", "rank");
    let select = Select::from("words");
    let mut walked = 0;
    for ordering in ["name", "-name", "name,-rank", "-name,rank"] {
        let spec = orderings.parse(ordering).unwrap();
        let all = ids(&reference(&pool, &select, &spec, 0, 1_000).await);
        for size in [3, 5] {
            // forward from the first page
            let mut got = Vec::new();
            let mut seek = Seek::First;
            loop {
                let st = KeysetQuery::new(&spec, seek, size)
                    .render(&MySql, &select)
                    .unwrap();
                let (rows, edges) = run_page(&pool, &spec, &st).await;
                got.extend(ids(&rows));
                walked += 1;
                if !edges.has_next {
                    break;
                }
                seek = Seek::After(key_values(&spec, rows.last().unwrap()));
            }
            assert_eq!(got, all, "{ordering} forward, pages of {size}");
            // backward from the last page
            let mut got = Vec::new();
            let mut seek = Seek::Last;
            loop {
                let st = KeysetQuery::new(&spec, seek, size)
                    .render(&MySql, &select)
                    .unwrap();
                let (rows, edges) = run_page(&pool, &spec, &st).await;
                let mut page = ids(&rows);
                page.extend(got);
                got = page;
                walked += 1;
                if !edges.has_previous {
                    break;
                }
                seek = Seek::Before(key_values(&spec, rows.first().unwrap()));
            }
            assert_eq!(got, all, "{ordering} backward, pages of {size}");
        }
        let mut sorted = all.clone();
        sorted.sort_unstable();
        assert_eq!(
            sorted,
            (1..=64).collect::<Vec<i64>>(),
            "{ordering}: every row once"
        );
    }
    assert!(walked > 100);
}
