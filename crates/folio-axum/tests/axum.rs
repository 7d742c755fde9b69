//! folio-axum through real axum routers (tower's `oneshot`).

use axum::{
    body::{to_bytes, Body},
    extract::Request,
    http::StatusCode,
    middleware,
    response::{IntoResponse, Response},
    routing::get,
    Extension, Router,
};
use folio::{ErrorKind, Page, Total, TotalRelation, Window};
use folio_axum::{page_request, PageResponse, Problem, RawQueryString, RequestUrl, TrustForwarded};
use folio_sqlx::StatementCounter;
use serde_json::{json, Value as Json};
use tower::ServiceExt;

async fn body_json(response: Response) -> Json {
    let bytes = to_bytes(response.into_body(), 1 << 20).await.unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

fn header<'a>(response: &'a Response, name: &str) -> Option<&'a str> {
    response.headers().get(name).map(|v| v.to_str().unwrap())
}

const KINDS: [ErrorKind; 9] = [
    ErrorKind::InvalidParameter,
    ErrorKind::ConflictingModes,
    ErrorKind::UnknownOrdering,
    ErrorKind::UnknownField,
    ErrorKind::MalformedCursor,
    ErrorKind::BadCursorSignature,
    ErrorKind::UnknownCursorVersion,
    ErrorKind::CursorMismatch,
    ErrorKind::Internal,
];

#[tokio::test]
async fn every_folio_kind_becomes_a_problem_document() {
    for kind in KINDS {
        let error = folio::Error::new(kind, Some("cursor"), "the reason");
        let response = Problem::from(error).into_response();
        assert_eq!(response.status().as_u16(), kind.http_status(), "{kind:?}");
        assert_eq!(
            header(&response, "content-type"),
            Some("application/problem+json")
        );
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
                body["invalid_params"],
                json!([{"name": "cursor", "reason": "the reason"}])
            );
            assert!(body["type"]
                .as_str()
                .unwrap()
                .starts_with("urn:folio:problem:"));
            assert!(body["detail"].as_str().unwrap().contains("the reason"));
        }
    }
}

#[tokio::test]
async fn sqlx_errors_hide_the_database() {
    let request = folio_sqlx::Error::from(folio::Error::invalid("page", "must be positive"));
    let p = Problem::from(request);
    assert_eq!(p.status, 400);
    assert_eq!(p.invalid_params[0].name, "page");

    let db = folio_sqlx::Db::connect("sqlite::memory:").await.unwrap();
    let statement = folio::Statement {
        sql: "SELECT secret_column FROM nowhere".into(),
        binds: vec![],
    };
    let err = db.fetch_all::<(i64,)>(&statement).await.unwrap_err();
    let response = Problem::from(err).into_response();
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let body = body_json(response).await;
    let text = body.to_string();
    assert!(
        !text.contains("secret_column") && !text.contains("nowhere"),
        "{text}"
    );
    assert_eq!(body["status"], 500);
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

async fn echo_query(RawQueryString(raw): RawQueryString) -> Result<String, Problem> {
    let request = page_request(&raw, &folio::Policy::new())?;
    Ok(format!("{raw}|{}", request.size))
}

#[tokio::test]
async fn raw_query_extractor_rejects_malformed_queries_with_400() {
    let app: Router = Router::new().route("/", get(echo_query));
    for uri in ["/?page=%", "/?per_page=%4", "/?name=%ff%fe", "/?%zz=1"] {
        let response = app
            .clone()
            .oneshot(Request::get(uri).body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{uri}");
        assert_eq!(
            header(&response, "content-type"),
            Some("application/problem+json"),
            "{uri}"
        );
        let body = body_json(response).await;
        assert_eq!(body["status"], 400);
        assert_eq!(body["invalid_params"].as_array().unwrap().len(), 1);
    }
    // A bad value is a folio problem naming the parameter.
    let response = app
        .clone()
        .oneshot(Request::get("/?per_page=abc").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        body_json(response).await["invalid_params"][0]["name"],
        "per_page"
    );
    // A good one passes through untouched.
    let response = app
        .oneshot(
            Request::get("/?category=Home%20%26%20Garden&per_page=7")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let bytes = to_bytes(response.into_body(), 1024).await.unwrap();
    assert_eq!(&bytes[..], b"category=Home%20%26%20Garden&per_page=7|7");
}

async fn show_url(url: RequestUrl) -> String {
    url.to_string()
}

fn forwarded_request() -> Request {
    Request::get("/api/products?page=2")
        .header("host", "shop.example:8000")
        .header("x-forwarded-proto", "https")
        .header("x-forwarded-host", "public.example, proxy.internal")
        .body(Body::empty())
        .unwrap()
}

async fn text(response: Response) -> String {
    let bytes = to_bytes(response.into_body(), 1 << 16).await.unwrap();
    String::from_utf8(bytes.to_vec()).unwrap()
}

#[tokio::test]
async fn request_url_uses_host_and_ignores_forwarded_headers_by_default() {
    let app: Router = Router::new().route("/api/products", get(show_url));
    let response = app.oneshot(forwarded_request()).await.unwrap();
    assert_eq!(
        text(response).await,
        "http://shop.example:8000/api/products?page=2"
    );
}

#[tokio::test]
async fn request_url_honours_forwarded_headers_when_trusted() {
    // Through an extension…
    let app: Router = Router::new()
        .route("/api/products", get(show_url))
        .layer(Extension(TrustForwarded(true)));
    let response = app.oneshot(forwarded_request()).await.unwrap();
    assert_eq!(
        text(response).await,
        "https://public.example/api/products?page=2"
    );

    // …or through the state.
    #[derive(Clone)]
    struct State {
        trust: bool,
    }
    impl axum::extract::FromRef<State> for TrustForwarded {
        fn from_ref(s: &State) -> Self {
            TrustForwarded(s.trust)
        }
    }
    for (trust, expected) in [
        (true, "https://public.example/api/products?page=2"),
        (false, "http://shop.example:8000/api/products?page=2"),
    ] {
        let app: Router = Router::new()
            .route("/api/products", get(show_url))
            .with_state(State { trust });
        let response = app.oneshot(forwarded_request()).await.unwrap();
        assert_eq!(text(response).await, expected);
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
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let response = app
        .oneshot(Request::get("/").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
}

fn sample_page() -> Page<Json> {
    Page {
        items: vec![json!({"id": 3}), json!({"id": 4})],
        has_next: true,
        has_previous: true,
        total: Some(Total {
            value: 9,
            relation: TotalRelation::Eq,
        }),
        window: Window::Page { number: 2, size: 2 },
        next_cursor: None,
        previous_cursor: None,
        item_cursors: Vec::new(),
    }
}

#[tokio::test]
async fn page_response_sets_body_link_and_total_count() {
    let response = PageResponse::new(
        sample_page(),
        folio::Envelope::Drf,
        RequestUrl::new(
            "http://shop.example/api/products",
            "category=Books&page=2&per_page=2",
        ),
        folio::ParamNames::seed(),
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
    assert!(body["next"].as_str().unwrap().contains("page=3"), "{body}");
}

#[tokio::test]
async fn page_response_sends_the_envelope_media_type() {
    let response = PageResponse::new(
        sample_page(),
        folio::Envelope::jsonapi("products"),
        RequestUrl::new("http://shop.example/api/products", "page[number]=2"),
        folio::ParamNames::jsonapi(),
    )
    .into_response();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        header(&response, "content-type"),
        Some("application/vnd.api+json")
    );
    let body = body_json(response).await;
    assert_eq!(body["data"][0]["type"], "products");
    assert_eq!(body["data"][0]["id"], "3");
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
        folio::Envelope::Drf,
        RequestUrl::new("http://shop.example/api/products", "page=2&per_page=2"),
        folio::ParamNames::seed(),
    )
    .into_response();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(header(&response, "x-total-count"), None);
    let link = header(&response, "link").unwrap_or_default();
    assert!(!link.contains("rel=\"last\""), "{link}");
}

async fn two_statements(Extension(counter): Extension<StatementCounter>) -> &'static str {
    let db = folio_sqlx::Db::connect("sqlite::memory:").await.unwrap();
    let db = db.counted(&counter);
    let one = folio::Statement {
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
    let response = app
        .clone()
        .oneshot(Request::get("/").body(Body::empty()).unwrap())
        .await
        .unwrap();
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
    let response = app
        .clone()
        .oneshot(Request::get("/none").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(header(&response, "x-statement-count"), Some("0"));
    assert!(header(&response, "server-timing").is_some());
    let response = app
        .oneshot(Request::get("/missing").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(header(&response, "x-statement-count"), Some("0"));
}
