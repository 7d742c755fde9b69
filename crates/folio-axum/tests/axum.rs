//! folio-axum through real axum routers (tower's `oneshot`).

use std::sync::Arc;

use axum::{
    body::{to_bytes, Body},
    extract::{Request, State},
    http::StatusCode,
    middleware,
    response::{IntoResponse, Response},
    routing::get,
    Extension, Router,
};
use folio::{
    CountStrategy, CursorCodec, Endpoint, Envelope, ErrorKind, FilterParam, Modes, Orderings, Page,
    Select, Statement, Total, TotalRelation, Window,
};
use folio_axum::{Filters, ListRequest, PageResponse, Problem, RequestUrl, TrustForwarded};
use folio_sqlx::{Db, Sqlite, StatementCounter};
use serde_json::{json, Value as Json};
use tower::ServiceExt;

async fn body_json(response: Response) -> Json {
    let bytes = to_bytes(response.into_body(), 1 << 20).await.unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

async fn text(response: Response) -> String {
    let bytes = to_bytes(response.into_body(), 1 << 16).await.unwrap();
    String::from_utf8(bytes.to_vec()).unwrap()
}

fn header<'a>(response: &'a Response, name: &str) -> Option<&'a str> {
    response.headers().get(name).map(|v| v.to_str().unwrap())
}

/// A GET of `uri` with a `Host` header (every extractor of a URL needs one).
fn get_req(uri: &str) -> Request {
    Request::get(uri)
        .header("host", "blog.example")
        .body(Body::empty())
        .unwrap()
}

/// Runs `uri` through `app`.
async fn call(app: &Router, uri: &str) -> Response {
    app.clone().oneshot(get_req(uri)).await.unwrap()
}

/// Asserts `response` is a 400 problem document naming `param`; returns its body.
async fn assert_bad_param(response: Response, param: &str) -> Json {
    assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{param}");
    assert_eq!(
        header(&response, "content-type"),
        Some("application/problem+json"),
        "{param}"
    );
    let body = body_json(response).await;
    assert_eq!(body["status"], 400, "{body}");
    assert_eq!(body["invalid_params"][0]["name"], param, "{body}");
    body
}

// ---------------------------------------------------------------------------
// Problems

/// Every kind of [`folio::ErrorKind`] (the enum is `non_exhaustive`: a kind added
/// later belongs here).
const KINDS: [ErrorKind; 11] = [
    ErrorKind::InvalidParameter,
    ErrorKind::ConflictingModes,
    ErrorKind::UnknownOrdering,
    ErrorKind::UnknownField,
    ErrorKind::MalformedCursor,
    ErrorKind::BadCursorSignature,
    ErrorKind::UnknownCursorVersion,
    ErrorKind::CursorMismatch,
    ErrorKind::CursorExpired,
    ErrorKind::ModeNotAllowed,
    ErrorKind::Internal,
];

#[tokio::test]
async fn every_folio_kind_becomes_a_problem_document() {
    for kind in KINDS {
        let error = folio::Error::new(kind, Some("cursor"), "the reason");
        // Straight from folio, and wrapped by folio-sqlx: the same document.
        for problem in [
            Problem::from(error.clone()),
            Problem::from(folio_sqlx::Error::from(error.clone())),
        ] {
            let response = problem.into_response();
            assert_eq!(response.status().as_u16(), kind.http_status(), "{kind:?}");
            assert_eq!(
                header(&response, "content-type"),
                Some("application/problem+json")
            );
            assert_eq!(header(&response, "retry-after"), None, "{kind:?}");
            let body = body_json(response).await;
            assert_eq!(body["status"], kind.http_status(), "{kind:?}");
            for key in ["type", "title", "status", "detail", "invalid_params"] {
                assert!(body.get(key).is_some(), "{kind:?} lacks {key}: {body}");
            }
            if kind == ErrorKind::Internal {
                // Misuse of the library is the server's bug: a generic body.
                assert_eq!(body["title"], "Internal Server Error");
                assert!(!body.to_string().contains("the reason"));
                assert_eq!(body["invalid_params"], json!([]));
            } else {
                assert_eq!(body["title"], kind.title());
                assert_eq!(
                    body["type"],
                    format!("urn:folio:problem:{}", kind.slug()),
                    "{kind:?}"
                );
                assert_eq!(
                    body["invalid_params"],
                    json!([{"name": "cursor", "reason": "the reason"}])
                );
                assert!(body["detail"].as_str().unwrap().contains("the reason"));
            }
        }
    }
}

#[tokio::test]
async fn sqlx_errors_hide_the_database() {
    let request = folio_sqlx::Error::from(folio::Error::invalid("page", "must be positive"));
    let p = Problem::from(request);
    assert_eq!(p.status, 400);
    assert_eq!(p.invalid_params[0].name, "page");

    let db = Db::<Sqlite>::connect("sqlite::memory:").await.unwrap();
    let statement = Statement {
        sql: "SELECT secret_column FROM nowhere".into(),
        binds: vec![],
    };
    let err = db.fetch_all::<(i64,)>(&statement).await.unwrap_err();
    let response = Problem::from(err).into_response();
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(header(&response, "retry-after"), None);
    let body = body_json(response).await;
    let text = body.to_string();
    assert!(
        !text.contains("secret_column") && !text.contains("nowhere"),
        "{text}"
    );
    assert_eq!(body["status"], 500);
    assert_eq!(body["invalid_params"], json!([]));
}

#[tokio::test]
async fn not_found_and_bad_request() {
    let response = Problem::not_found("no product 7").into_response();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let body = body_json(response).await;
    assert_eq!(body["detail"], "no product 7");
    assert_eq!(body["type"], "about:blank");

    let body = body_json(Problem::bad_request("id", "must be an integer").into_response()).await;
    assert_eq!(body["status"], 400);
    assert_eq!(body["invalid_params"][0]["name"], "id");
}

// ---------------------------------------------------------------------------
// A list endpoint on SQLite: ListRequest::fetch end to end

#[derive(Debug, serde::Serialize, sqlx::FromRow)]
struct Note {
    id: i64,
    team: i64,
}

#[derive(Clone)]
struct App {
    db: Db<Sqlite>,
    notes: Arc<Endpoint>,
}

/// The whole handler of a paginated list.
async fn notes(State(app): State<App>, list: ListRequest) -> Result<PageResponse<Note>, Problem> {
    list.fetch(&app.notes, &app.db, Select::from("notes")).await
}

/// What the extractor saw: the path, the URL, whether a counter came with it.
async fn describe(list: ListRequest) -> String {
    format!(
        "{} {} {}",
        list.path(),
        list.url(),
        list.counter().is_some()
    )
}

/// A database of 25 notes (`id` 1..=25, `team` = id % 2).
async fn notes_db() -> Db<Sqlite> {
    let db = Db::<Sqlite>::connect("sqlite::memory:").await.unwrap();
    for sql in [
        "CREATE TABLE notes (id INTEGER PRIMARY KEY, team INTEGER NOT NULL)",
        "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 25) \
         INSERT INTO notes SELECT i, i % 2 FROM s",
    ] {
        db.execute(&Statement {
            sql: sql.into(),
            binds: vec![],
        })
        .await
        .unwrap();
    }
    db
}

/// A cursor-only endpoint of notes, newest (highest id) first, filtered by `team`,
/// with no count (a cursor page is then one statement).
fn notes_endpoint() -> Endpoint {
    Endpoint::builder(
        "notes",
        CursorCodec::new(b"a test key of at least 32 bytes."),
    )
    .orderings(Orderings::new("id", "id").default_ordering("-id"))
    .filter(FilterParam::eq("team").int())
    .modes(Modes::CURSOR)
    .count(CountStrategy::None)
    .build()
}

/// `/api/notes` and `/api/teams/{team}/notes` (the same list, its path telling
/// them apart), nested under `/api`.
fn notes_app(db: Db<Sqlite>) -> Router {
    let api = Router::new()
        .route("/notes", get(notes))
        .route("/teams/{team}/notes", get(notes))
        .route("/describe", get(describe));
    Router::new()
        .nest("/api", api)
        .route("/describe", get(describe))
        .with_state(App {
            db,
            notes: Arc::new(notes_endpoint()),
        })
}

fn ids(body: &Json) -> Vec<i64> {
    body["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_i64().unwrap())
        .collect()
}

/// The path and query of an absolute link of the test host.
fn local(link: &Json) -> String {
    link.as_str()
        .unwrap()
        .strip_prefix("http://blog.example")
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn list_request_under_nest_uses_the_original_uri() {
    let app = notes_app(notes_db().await);
    let response = call(&app, "/api/describe?x=1").await;
    assert_eq!(
        text(response).await,
        "/api/describe http://blog.example/api/describe?x=1 false"
    );
    let response = call(&app, "/describe").await;
    assert_eq!(
        text(response).await,
        "/describe http://blog.example/describe false"
    );

    // Links keep the prefix the client asked with, and the cursors they carry work
    // on that path.
    let response = call(&app, "/api/notes?per_page=10&team=1").await;
    assert_eq!(response.status(), StatusCode::OK);
    let body = body_json(response).await;
    assert_eq!(ids(&body), [25, 23, 21, 19, 17, 15, 13, 11, 9, 7]);
    let next = local(&body["next"]);
    assert!(
        next.starts_with("/api/notes?per_page=10&team=1&cursor="),
        "{next}"
    );
    let body = body_json(call(&app, &next).await).await;
    assert_eq!(ids(&body), [5, 3, 1]);
    assert_eq!(body["next"], Json::Null);
}

#[tokio::test]
async fn list_request_binds_cursors_to_the_path_and_the_filters() {
    let app = notes_app(notes_db().await);
    let body = body_json(call(&app, "/api/teams/1/notes?per_page=5&team=1").await).await;
    let next = local(&body["next"]);
    assert!(next.starts_with("/api/teams/1/notes?"), "{next}");
    assert_eq!(call(&app, &next).await.status(), StatusCode::OK);

    // The same query on another path (another path parameter): refused.
    let elsewhere = next.replace("/teams/1/", "/teams/2/");
    let body = assert_bad_param(call(&app, &elsewhere).await, "cursor").await;
    assert_eq!(body["type"], "urn:folio:problem:cursor-mismatch");

    // The same path with another filter value: refused.
    let other_team = next.replace("team=1", "team=0");
    let body = assert_bad_param(call(&app, &other_team).await, "cursor").await;
    assert_eq!(body["type"], "urn:folio:problem:cursor-mismatch");
}

#[tokio::test]
async fn list_request_answers_bad_input_with_problems() {
    let app = notes_app(notes_db().await);
    for (uri, param, slug) in [
        ("/api/notes?page=2", "page", "mode-not-allowed"),
        ("/api/notes?offset=10", "offset", "mode-not-allowed"),
        ("/api/notes?team=abc", "team", "invalid-parameter"),
        ("/api/notes?ordering=team", "ordering", "unknown-ordering"),
        ("/api/notes?cursor=garbage", "cursor", "malformed-cursor"),
    ] {
        let body = assert_bad_param(call(&app, uri).await, param).await;
        assert_eq!(body["type"], format!("urn:folio:problem:{slug}"), "{uri}");
    }
}

#[tokio::test]
async fn list_request_counts_into_the_middlewares_counter() {
    let app = notes_app(notes_db().await).layer(middleware::from_fn(folio_axum::statement_budget));
    let response = call(&app, "/describe").await;
    assert_eq!(
        text(response).await,
        "/describe http://blog.example/describe true"
    );
    let response = call(&app, "/api/notes?per_page=3").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(header(&response, "x-statement-count"), Some("1"));
    // With an exact count: the page and the count.
    let response = call(&app, "/api/notes?per_page=3&count=exact").await;
    assert_eq!(header(&response, "x-statement-count"), Some("2"));
    assert_eq!(header(&response, "x-total-count"), Some("25"));
    // Refused before any statement runs.
    let response = call(&app, "/api/notes?page=2").await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(header(&response, "x-statement-count"), Some("0"));
}

#[tokio::test]
async fn an_unavailable_database_is_a_503_with_retry_after() {
    let db = notes_db().await;
    db.pool().close().await;
    let app = notes_app(db);
    let response = call(&app, "/api/notes").await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(header(&response, "retry-after"), Some("1"));
    assert_eq!(
        header(&response, "content-type"),
        Some("application/problem+json")
    );
    let body = body_json(response).await;
    assert_eq!(body["status"], 503);
    assert_eq!(
        body["detail"],
        "The database is unavailable; try again shortly."
    );
    assert_eq!(body["invalid_params"], json!([]));
}

// ---------------------------------------------------------------------------
// Malformed query strings

async fn echo_query(
    State(endpoint): State<Arc<Endpoint>>,
    list: ListRequest,
) -> Result<String, Problem> {
    let listing = list.parse(&endpoint)?;
    Ok(format!("{}|{}", list.url().query, listing.request.size))
}

#[tokio::test]
async fn malformed_query_strings_are_400_problems() {
    let endpoint = Endpoint::builder("t", CursorCodec::new(b"k")).build();
    let app: Router = Router::new()
        .route("/", get(echo_query))
        .with_state(Arc::new(endpoint));
    for (uri, param) in [
        ("/?page=%", "page"),
        ("/?per_page=%4", "per_page"),
        ("/?name=%ff%fe", "name"),
        ("/?a=1&b=%zz", "b"),
    ] {
        let body = assert_bad_param(call(&app, uri).await, param).await;
        assert_eq!(body["invalid_params"].as_array().unwrap().len(), 1, "{uri}");
    }
    // A bad value is a folio problem naming the parameter.
    assert_bad_param(call(&app, "/?per_page=abc").await, "per_page").await;
    // A name that does not decode names no parameter anyone reads: kept as sent.
    let response = call(&app, "/?%zz=1").await;
    assert_eq!(text(response).await, "%zz=1|10");
    // A good one passes through untouched.
    let response = call(&app, "/?category=Home%20%26%20Garden&per_page=7").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        text(response).await,
        "category=Home%20%26%20Garden&per_page=7|7"
    );
}

// ---------------------------------------------------------------------------
// Filters<T>

#[derive(Debug, serde::Deserialize)]
struct Search {
    q: Option<String>,
    min_score: Option<u32>,
    draft: Option<bool>,
}

async fn search(Filters(s): Filters<Search>) -> String {
    format!("{:?} {:?} {:?}", s.q, s.min_score, s.draft)
}

#[tokio::test]
async fn filters_answer_a_bad_value_with_a_problem_naming_it() {
    let app: Router = Router::new().route("/search", get(search));
    for (uri, param) in [
        ("/search?q=rust&min_score=many", "min_score"),
        ("/search?min_score=-1", "min_score"),
        ("/search?draft=perhaps&q=x", "draft"),
        // A value that does not decode at all.
        ("/search?q=%ff", "q"),
    ] {
        let body = assert_bad_param(call(&app, uri).await, param).await;
        assert_eq!(body["invalid_params"].as_array().unwrap().len(), 1, "{uri}");
        assert!(
            body["detail"].as_str().unwrap().starts_with(param),
            "{body}"
        );
    }
}

#[tokio::test]
async fn filters_take_the_last_value_and_ignore_unknown_parameters() {
    let app: Router = Router::new().route("/search", get(search));
    let response = call(&app, "/search?q=a&min_score=1&q=b&min_score=2").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(text(response).await, r#"Some("b") Some(2) None"#);

    // A bad first value is overridden by a good last one…
    let response = call(&app, "/search?min_score=x&min_score=3").await;
    assert_eq!(text(response).await, "None Some(3) None");
    // …and a good first one does not save a bad last one.
    let response = call(&app, "/search?min_score=3&min_score=x").await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);

    // Pagination parameters and anything else `Search` does not name: ignored.
    let response = call(
        &app,
        "/search?cursor=abc&per_page=5&ordering=-id&utm_source=x&draft=true",
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(text(response).await, "None None Some(true)");

    // Percent-encoded values decode.
    let response = call(&app, "/search?q=Home%20%26%20Garden").await;
    assert_eq!(text(response).await, r#"Some("Home & Garden") None None"#);
}

// ---------------------------------------------------------------------------
// RequestUrl and forwarded headers

async fn show_url(url: RequestUrl) -> String {
    url.to_string()
}

fn forwarded_request(uri: &str) -> Request {
    Request::get(uri)
        .header("host", "shop.example:8000")
        .header("x-forwarded-proto", "https")
        .header("x-forwarded-host", "public.example, proxy.internal")
        .body(Body::empty())
        .unwrap()
}

const DIRECT: &str = "http://shop.example:8000/api/products?page=2";
const FORWARDED: &str = "https://public.example/api/products?page=2";

#[tokio::test]
async fn request_url_uses_host_and_ignores_forwarded_headers_by_default() {
    let app: Router = Router::new().route("/api/products", get(show_url));
    let response = app
        .oneshot(forwarded_request("/api/products?page=2"))
        .await
        .unwrap();
    assert_eq!(text(response).await, DIRECT);
}

#[tokio::test]
async fn request_url_honours_forwarded_headers_only_under_the_trust_layer() {
    for (trust, expected) in [(true, FORWARDED), (false, DIRECT)] {
        let app: Router = Router::new()
            .route("/api/products", get(show_url))
            .layer(Extension(TrustForwarded(trust)));
        let response = app
            .oneshot(forwarded_request("/api/products?page=2"))
            .await
            .unwrap();
        assert_eq!(text(response).await, expected, "{trust}");
    }

    // Trust lives in the request's extensions, nowhere else: a state holding
    // `TrustForwarded(true)` does not turn it on.
    let app: Router = Router::new()
        .route("/api/products", get(show_url))
        .with_state(TrustForwarded(true));
    let response = app
        .oneshot(forwarded_request("/api/products?page=2"))
        .await
        .unwrap();
    assert_eq!(text(response).await, DIRECT);
}

#[tokio::test]
async fn list_links_follow_the_trusted_forwarded_origin() {
    for (trust, origin) in [
        (true, "https://public.example"),
        (false, "http://shop.example:8000"),
    ] {
        let app = notes_app(notes_db().await).layer(Extension(TrustForwarded(trust)));
        let response = app
            .oneshot(forwarded_request("/api/notes?per_page=2"))
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let link = header(&response, "link").unwrap().to_owned();
        assert!(link.contains(&format!("<{origin}/api/notes?")), "{link}");
        let body = body_json(response).await;
        let next = body["next"].as_str().unwrap();
        assert!(
            next.starts_with(&format!("{origin}/api/notes?per_page=2&cursor=")),
            "{next}"
        );
    }
}

#[tokio::test]
async fn request_url_refuses_a_bad_host() {
    let app: Router = Router::new().route("/", get(show_url));
    let response = app
        .clone()
        .oneshot(
            Request::get("/")
                .header("host", "a b<script>")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_bad_param(response, "Host").await;
    let response = app
        .oneshot(Request::get("/").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_bad_param(response, "Host").await;
}

// ---------------------------------------------------------------------------
// PageResponse

fn sample_page() -> Page<Json> {
    Page {
        items: vec![json!({"id": 3}), json!({"id": 4})],
        has_next: true,
        has_previous: true,
        total: Some(Total::exact(9)),
        window: Window::Page { number: 2, size: 2 },
        next_cursor: None,
        previous_cursor: None,
        item_cursors: Vec::new(),
    }
}

fn products(envelope: Envelope) -> Endpoint {
    Endpoint::builder("products", CursorCodec::new(b"k"))
        .envelope(envelope)
        .build()
}

#[tokio::test]
async fn page_response_sets_body_link_and_total_count() {
    let response = PageResponse::new(
        sample_page(),
        &products(Envelope::Drf),
        RequestUrl::new(
            "http://shop.example/api/products",
            "category=Books&page=2&page_size=2",
        ),
    )
    .into_response();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(header(&response, "content-type"), Some("application/json"));
    assert_eq!(header(&response, "x-total-count"), Some("9"));
    let link = header(&response, "link").unwrap().to_owned();
    assert!(link.contains("rel=\"next\""), "{link}");
    assert!(link.contains("rel=\"prev\""), "{link}");
    assert!(link.contains("rel=\"last\""), "{link}");
    assert!(link.contains("category=Books"), "{link}");
    let body = body_json(response).await;
    assert_eq!(body["count"], 9);
    assert_eq!(body["results"], json!([{"id": 3}, {"id": 4}]));
    assert_eq!(
        body["next"],
        "http://shop.example/api/products?category=Books&page=3&page_size=2"
    );
}

#[tokio::test]
async fn page_response_sends_the_envelope_media_type() {
    for envelope in Envelope::ALL {
        let response = PageResponse::new(
            sample_page(),
            &products(envelope),
            RequestUrl::new("http://shop.example/api/products", ""),
        )
        .into_response();
        assert_eq!(response.status(), StatusCode::OK, "{envelope:?}");
        assert_eq!(
            header(&response, "content-type"),
            Some(envelope.content_type()),
            "{envelope:?}"
        );
    }
    let response = PageResponse::new(
        sample_page(),
        &products(Envelope::JsonApi),
        RequestUrl::new("http://shop.example/api/products", "page[number]=2"),
    )
    .into_response();
    assert_eq!(
        header(&response, "content-type"),
        Some("application/vnd.api+json")
    );
    let body = body_json(response).await;
    assert_eq!(body["data"][0]["type"], "products");
    assert_eq!(body["data"][0]["id"], "3");
    // JSON:API's parameter names in the links.
    let next = body["links"]["next"].as_str().unwrap();
    assert!(
        next.contains("page%5Bnumber%5D=3") || next.contains("page[number]=3"),
        "{next}"
    );
}

#[tokio::test]
async fn page_response_without_exact_total_has_no_total_count() {
    let mut page = sample_page();
    page.total = Some(Total {
        value: 10_000,
        relation: TotalRelation::Gte,
    });
    let response = PageResponse::new(
        page,
        &products(Envelope::Drf),
        RequestUrl::new("http://shop.example/api/products", "page=2&page_size=2"),
    )
    .into_response();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(header(&response, "x-total-count"), None);
    let link = header(&response, "link").unwrap_or_default();
    assert!(!link.contains("rel=\"last\""), "{link}");
}

#[tokio::test]
async fn page_response_map_keeps_links_and_envelope() {
    let response = PageResponse::new(
        sample_page(),
        &products(Envelope::Seed),
        RequestUrl::new("http://shop.example/api/products", "page=2&per_page=2"),
    )
    .map(|item| json!({"id": item["id"], "seen": true}));
    assert_eq!(
        response.links().next.as_deref(),
        Some("http://shop.example/api/products?page=3&per_page=2")
    );
    let body = body_json(response.into_response()).await;
    assert_eq!(body["products"][0], json!({"id": 3, "seen": true}));
    assert_eq!(body["total"], 9);
}

// ---------------------------------------------------------------------------
// The statement budget middleware

async fn two_statements(Extension(counter): Extension<StatementCounter>) -> &'static str {
    let db = Db::<Sqlite>::connect("sqlite::memory:").await.unwrap();
    let db = db.counted(&counter);
    let one = Statement {
        sql: "SELECT 1".into(),
        binds: vec![],
    };
    db.fetch_all::<(i64,)>(&one).await.unwrap();
    db.fetch_all::<(i64,)>(&one).await.unwrap();
    // Time spent in the database as the handler saw it: spent for real, so that the
    // request's total is at least as long.
    tokio::time::sleep(std::time::Duration::from_millis(3)).await;
    counter.record(std::time::Duration::from_millis(3));
    "ok"
}

#[tokio::test]
async fn budget_middleware_sets_statement_count_and_server_timing() {
    let app: Router = Router::new()
        .route("/", get(two_statements))
        .route("/none", get(|| async { "none" }))
        .layer(middleware::from_fn(folio_axum::statement_budget));
    let response = call(&app, "/").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(header(&response, "x-statement-count"), Some("2"));
    let timing = header(&response, "server-timing").unwrap().to_owned();
    assert!(timing.starts_with("db;dur="), "{timing}");
    assert!(timing.contains(", total;dur="), "{timing}");
    let db_ms: f64 = timing["db;dur=".len()..timing.find(',').unwrap()]
        .parse()
        .unwrap();
    let total_ms: f64 = timing[timing.find("total;dur=").unwrap() + 10..]
        .parse()
        .unwrap();
    assert!(db_ms >= 3.0 && total_ms >= db_ms, "{timing}");

    // Every response gets them, errors and statement-free ones included.
    let response = call(&app, "/none").await;
    assert_eq!(header(&response, "x-statement-count"), Some("0"));
    assert!(header(&response, "server-timing").is_some());
    let response = call(&app, "/missing").await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(header(&response, "x-statement-count"), Some("0"));
}
