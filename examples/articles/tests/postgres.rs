//! The articles API against a real PostgreSQL: a fresh database per test from
//! folio-testing (on `FOLIO_TEST_PG_URL`'s server, else a throwaway cluster). Without
//! PostgreSQL the tests skip with a loud message, and fail under `CI` or
//! `FOLIO_REQUIRE_PG`.
//!
//! Every request goes through the app's router (tower's `oneshot`), as a client
//! would send it.

use std::collections::BTreeSet;

use axum::{
    body::{to_bytes, Body},
    http::{Request, StatusCode},
    response::Response,
    Router,
};
use chrono::{DateTime, Utc};
use folio::{CursorCodec, KeysetQuery, Postgres as PgDialect, Seek, Select, Statement, Value};
use folio_sqlx::{Db, Postgres};
use folio_testing::PgTestDb;
use serde_json::{json, Value as Json};
use sqlx::postgres::PgPoolOptions;
use tower::ServiceExt;

const HOST: &str = "http://articles.example";

/// The test's rows: 47 articles by three authors, published in pairs that share
/// their instant (ties broken by `id`), every fourth unscored, scores tied in
/// places, tags of zero, one and two elements.
const ROWS: &str = "\
INSERT INTO articles (author_id, published_at, title, tags, score)
SELECT 1 + i % 3,
       timestamptz '2024-03-01 00:00:00+00' + (i / 2) * interval '1 hour',
       'Article ' || i,
       CASE i % 3 WHEN 0 THEN ARRAY[]::text[] WHEN 1 THEN ARRAY['rust'] ELSE ARRAY['rust', 'sql'] END,
       CASE WHEN i % 4 = 0 THEN NULL ELSE (i * 7 % 10)::float8 / 2 END
FROM generate_series(1, 47) AS i
";

/// A row as the database holds it, to compute the expected orders from.
#[derive(Debug, Clone, sqlx::FromRow)]
struct Row {
    id: i64,
    author_id: i64,
    published_at: DateTime<Utc>,
    score: Option<f64>,
}

/// A fresh database with the app's schema and the test rows, the app on it, and
/// the rows as stored. `None` (after a loud message) without PostgreSQL.
async fn setup() -> Option<(PgTestDb, Router, Vec<Row>)> {
    let test_db = folio_testing::postgres().await?;
    let pool = test_db.pool().await;
    sqlx::raw_sql(folio_example_articles::SCHEMA)
        .execute(&pool)
        .await
        .unwrap();
    sqlx::raw_sql(ROWS).execute(&pool).await.unwrap();
    let rows: Vec<Row> =
        sqlx::query_as("SELECT id, author_id, published_at, score FROM articles ORDER BY id")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(rows.len(), 47);
    let endpoint =
        folio_example_articles::endpoint(CursorCodec::new(b"the test key, 32 bytes or more.."));
    let app = folio_example_articles::router(Db::new(pool), endpoint);
    Some((test_db, app, rows))
}

async fn get(app: &Router, uri: &str) -> Response {
    let request = Request::get(uri)
        .header("host", "articles.example")
        .body(Body::empty())
        .unwrap();
    app.clone().oneshot(request).await.unwrap()
}

async fn json_of(response: Response) -> Json {
    let bytes = to_bytes(response.into_body(), 1 << 20).await.unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

/// GETs `uri`, asserting a 200 page of one statement; returns the body.
async fn page(app: &Router, uri: &str) -> Json {
    let response = get(app, uri).await;
    assert_eq!(response.status(), StatusCode::OK, "{uri}");
    assert_eq!(
        response.headers()["x-statement-count"],
        "1",
        "a cursor page is one statement: {uri}"
    );
    json_of(response).await
}

/// The path and query of a link the app made.
fn local(link: &Json) -> String {
    link.as_str()
        .unwrap()
        .strip_prefix(HOST)
        .unwrap_or_else(|| panic!("a link off {HOST}: {link}"))
        .to_owned()
}

/// Follows `next` from `uri` to the end; returns every article, in order.
async fn walk(app: &Router, uri: &str) -> Vec<Json> {
    let mut items = Vec::new();
    let mut uri = uri.to_owned();
    for _ in 0..100 {
        let body = page(app, &uri).await;
        items.extend(body["articles"].as_array().unwrap().iter().cloned());
        if body["next"].is_null() {
            return items;
        }
        uri = local(&body["next"]);
    }
    panic!("the walk from {uri} did not end");
}

fn ids(items: &[Json]) -> Vec<i64> {
    items.iter().map(|a| a["id"].as_i64().unwrap()).collect()
}

/// Asserts `uri` is a 400 problem document naming `param` with `type`; returns it.
async fn assert_problem(app: &Router, uri: &str, param: &str, slug: &str) -> Json {
    let response = get(app, uri).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{uri}");
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json",
        "{uri}"
    );
    let body = json_of(response).await;
    assert_eq!(
        body["type"],
        format!("urn:folio:problem:{slug}"),
        "{uri}: {body}"
    );
    assert_eq!(body["status"], 400);
    assert_eq!(body["invalid_params"][0]["name"], param, "{uri}: {body}");
    body
}

fn newest_first(rows: &[Row]) -> Vec<i64> {
    let mut rows = rows.to_vec();
    rows.sort_by_key(|r| std::cmp::Reverse((r.published_at, r.id)));
    rows.iter().map(|r| r.id).collect()
}

/// By score (descending when `desc`), then by id in the same direction; NULL
/// scores last either way.
fn by_score(rows: &[Row], desc: bool) -> Vec<i64> {
    let (mut scored, mut unscored): (Vec<Row>, Vec<Row>) =
        rows.iter().cloned().partition(|r| r.score.is_some());
    scored.sort_by(|a, b| {
        let order = a
            .score
            .unwrap()
            .total_cmp(&b.score.unwrap())
            .then(a.id.cmp(&b.id));
        if desc {
            order.reverse()
        } else {
            order
        }
    });
    unscored.sort_by_key(|r| if desc { -r.id } else { r.id });
    scored.iter().chain(&unscored).map(|r| r.id).collect()
}

#[tokio::test]
async fn a_cursor_walk_newest_first_returns_every_row_once() {
    let Some((_db, app, rows)) = setup().await else {
        return;
    };
    let items = walk(&app, "/articles?per_page=5").await;
    let got = ids(&items);
    assert_eq!(got, newest_first(&rows));
    assert_eq!(got.iter().collect::<BTreeSet<_>>().len(), rows.len());

    // The first page: newest first, no count, links to the next page only.
    let body = page(&app, "/articles?per_page=5").await;
    assert_eq!(body["per_page"], 5);
    assert_eq!(body["total"], Json::Null);
    assert_eq!(body["previous"], Json::Null);
    assert!(local(&body["next"]).starts_with("/articles?per_page=5&cursor="));
}

#[tokio::test]
async fn an_empty_ordering_is_newest_first() {
    let Some((_db, app, rows)) = setup().await else {
        return;
    };
    let items = walk(&app, "/articles?ordering=&per_page=7").await;
    assert_eq!(ids(&items), newest_first(&rows));
    let items = walk(&app, "/articles?ordering=-published_at&per_page=7").await;
    assert_eq!(ids(&items), newest_first(&rows));
}

#[tokio::test]
async fn score_walks_put_null_scores_last_both_ways() {
    let Some((_db, app, rows)) = setup().await else {
        return;
    };
    for (ordering, desc) in [("score", false), ("-score", true)] {
        let items = walk(&app, &format!("/articles?ordering={ordering}&per_page=4")).await;
        assert_eq!(ids(&items), by_score(&rows, desc), "{ordering}");
        let scores: Vec<&Json> = items.iter().map(|a| &a["score"]).collect();
        let first_null = scores.iter().position(|s| s.is_null()).unwrap();
        assert!(
            scores[first_null..].iter().all(|s| s.is_null()),
            "{ordering}: {scores:?}"
        );
        assert_eq!(
            first_null,
            rows.iter().filter(|r| r.score.is_some()).count()
        );
    }
}

#[tokio::test]
async fn author_id_filters() {
    let Some((_db, app, rows)) = setup().await else {
        return;
    };
    let by_one: Vec<Row> = rows.iter().filter(|r| r.author_id == 1).cloned().collect();
    let items = walk(&app, "/articles?author_id=1&per_page=4").await;
    assert!(items.iter().all(|a| a["author_id"] == 1), "{items:?}");
    assert_eq!(ids(&items), newest_first(&by_one));
    // Under another ordering too; the links keep the filter.
    let items = walk(&app, "/articles?author_id=1&ordering=-score&per_page=4").await;
    assert_eq!(ids(&items), by_score(&by_one, true));
    let body = page(&app, "/articles?author_id=1&per_page=4").await;
    assert!(local(&body["next"]).contains("author_id=1"));
    // An author with no articles: an empty page.
    let body = page(&app, "/articles?author_id=99").await;
    assert_eq!(body["articles"], json!([]));
    assert_eq!(body["next"], Json::Null);
}

#[tokio::test]
async fn a_cursor_replayed_under_another_author_is_refused() {
    let Some((_db, app, _rows)) = setup().await else {
        return;
    };
    let body = page(&app, "/articles?author_id=1&per_page=3").await;
    let next = local(&body["next"]);
    assert!(next.contains("author_id=1&"), "{next}");
    assert_eq!(get(&app, &next).await.status(), StatusCode::OK);

    let replayed = next.replace("author_id=1", "author_id=2");
    assert_problem(&app, &replayed, "cursor", "cursor-mismatch").await;
    // Without the filter, or under another ordering: refused too.
    let unfiltered = next.replace("author_id=1&", "");
    assert_problem(&app, &unfiltered, "cursor", "cursor-mismatch").await;
    let reordered = format!("{next}&ordering=score");
    assert_problem(&app, &reordered, "cursor", "cursor-mismatch").await;
    // A cursor tampered with: refused.
    let tampered = format!("{next}x");
    let response = get(&app, &tampered).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn other_pagination_modes_are_400_problems() {
    let Some((_db, app, _rows)) = setup().await else {
        return;
    };
    for (uri, param) in [
        ("/articles?page=2", "page"),
        ("/articles?offset=10", "offset"),
        ("/articles?limit=5", "limit"),
        ("/articles?author_id=1&page=1", "page"),
    ] {
        assert_problem(&app, uri, param, "mode-not-allowed").await;
    }
}

#[tokio::test]
async fn a_bad_author_id_is_a_400_problem() {
    let Some((_db, app, _rows)) = setup().await else {
        return;
    };
    for uri in [
        "/articles?author_id=abc",
        "/articles?author_id=",
        "/articles?author_id=1.5",
        "/articles?author_id=%zz",
    ] {
        let body = assert_problem(&app, uri, "author_id", "invalid-parameter").await;
        assert!(
            body["detail"].as_str().unwrap().starts_with("author_id: "),
            "{body}"
        );
    }
    assert_problem(
        &app,
        "/articles?ordering=title",
        "ordering",
        "unknown-ordering",
    )
    .await;
    assert_problem(&app, "/articles?count=exact", "count", "invalid-parameter").await;
}

#[tokio::test]
async fn tags_are_json_arrays_and_times_rfc_3339() {
    let Some((_db, app, rows)) = setup().await else {
        return;
    };
    let items = walk(&app, "/articles?per_page=50").await;
    assert_eq!(items.len(), rows.len());
    let mut shapes = BTreeSet::new();
    for item in &items {
        let tags = item["tags"].as_array().unwrap_or_else(|| panic!("{item}"));
        let expected = match item["title"].as_str().unwrap()["Article ".len()..]
            .parse::<i64>()
            .unwrap()
            % 3
        {
            0 => json!([]),
            1 => json!(["rust"]),
            _ => json!(["rust", "sql"]),
        };
        assert_eq!(item["tags"], expected, "{item}");
        shapes.insert(tags.len());
        let at = item["published_at"].as_str().unwrap();
        assert!(DateTime::parse_from_rfc3339(at).is_ok(), "{at}");
    }
    assert_eq!(shapes, BTreeSet::from([0, 1, 2]));
}

#[tokio::test]
async fn a_capped_count_is_the_one_count_a_client_may_ask_for() {
    let Some((_db, app, rows)) = setup().await else {
        return;
    };
    let response = get(&app, "/articles?per_page=5&count=capped").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["x-statement-count"], "2");
    assert_eq!(response.headers()["x-total-count"], rows.len().to_string());
    let body = json_of(response).await;
    assert_eq!(body["total"], rows.len());
    assert_eq!(body["total_relation"], "eq");
}

/// Every ordering, filtered by author or not, first page or past a boundary (a
/// scored one and an unscored one for `score`), can be read from an index in the
/// ordering's order with every condition an index condition: no `Seq Scan`, no
/// `Sort`, no `Filter` (rows read to be thrown away). On 50,000 analyzed rows by
/// 100 authors, a fifth of them unscored, from `EXPLAIN` with the real binds.
#[tokio::test]
async fn indexes_serve_every_ordering() {
    let Some(test_db) = folio_testing::postgres().await else {
        return;
    };
    // Sorts, sequential and bitmap scans priced out: a plan still has them when no
    // index reads the rows in order.
    let options = test_db.connect_options().options([
        ("enable_sort", "off"),
        ("enable_seqscan", "off"),
        ("enable_bitmapscan", "off"),
    ]);
    let pool = PgPoolOptions::new().connect_with(options).await.unwrap();
    sqlx::raw_sql(folio_example_articles::SCHEMA)
        .execute(&pool)
        .await
        .unwrap();
    sqlx::raw_sql(
        "INSERT INTO articles (author_id, published_at, title, tags, score) \
         SELECT 1 + i / 5 % 100, timestamptz '2020-01-01 00:00:00+00' + i * interval '1 minute', \
                'Article ' || i, ARRAY['t' || i % 7], \
                CASE WHEN i % 5 = 0 THEN NULL ELSE (i * 7919 % 1000)::float8 / 10 END \
         FROM generate_series(1, 50000) AS i; \
         ANALYZE articles;",
    )
    .execute(&pool)
    .await
    .unwrap();
    let db = Db::<Postgres>::new(pool);
    let endpoint = folio_example_articles::endpoint(CursorCodec::new(b"k"));
    // 2020-01-18T08:00:00Z, within the data.
    let at = Value::Timestamp(1_579_334_400_000_000);
    let id = Value::Int(25_000);
    for ordering in [
        "-published_at",
        "published_at",
        "score",
        "-score",
        "id",
        "-id",
    ] {
        for filter in ["", "&author_id=42"] {
            let listing = endpoint
                .parse("/articles", &format!("ordering={ordering}{filter}"))
                .unwrap();
            let select = listing.apply(Select::from("articles"));
            let boundaries: Vec<Vec<Value>> = match ordering.trim_start_matches('-') {
                "published_at" => vec![vec![at.clone(), id.clone()]],
                "score" => vec![
                    vec![Value::Float(50.5), id.clone()],
                    vec![Value::Null, id.clone()],
                ],
                _ => vec![vec![id.clone()]],
            };
            let seeks = std::iter::once(Seek::First).chain(boundaries.into_iter().map(Seek::After));
            for seek in seeks {
                let page = KeysetQuery::new(&listing.sort, seek.clone(), 20)
                    .render(&PgDialect, &select)
                    .unwrap();
                let explain = Statement {
                    sql: format!("EXPLAIN (COSTS OFF) {}", page.statement.sql),
                    binds: page.statement.binds.clone(),
                };
                let plan: Vec<(String,)> = db.fetch_all(&explain).await.unwrap();
                let plan: Vec<String> = plan.into_iter().map(|(line,)| line).collect();
                let plan = plan.join("\n");
                let context = format!(
                    "ordering={ordering}{filter} {seek:?}\n{}\n{plan}",
                    page.statement.sql
                );
                assert!(plan.contains("Index"), "{context}");
                assert!(
                    !plan.contains("Seq Scan") && !plan.contains("Sort"),
                    "{context}"
                );
                assert!(!plan.contains("Filter:"), "{context}");
            }
        }
    }
}
