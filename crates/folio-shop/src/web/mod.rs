//! The browsable page (`GET /`) and the docs page (`GET /docs`), served entirely by
//! this binary: no front-end build step and no CDN, so both work offline.
//!
//! Design: `GET /` is rendered on the server from the JSON API itself. The handler
//! reads its own query string (`query::PageState`), sends the matching
//! `/api/products` (or `/api/users`) request to the API router in-process
//! (`internal::call`) and renders the answer with maud (`render`). So the
//! numbered pages, the column orderings and the category filter are plain links and
//! a GET form: they live in the URL, can be bookmarked and shared, and the browser's
//! back and forward buttons just work, with or without JavaScript. A value the API
//! rejects (`?page=abc`) comes back as a problem, which the page turns into a
//! friendly message (status 400) instead of showing the raw `problem+json`.
//!
//! A small script (`assets/app.js`) adds the dynamic parts, talking to the public
//! JSON API as any client would: infinite scroll (cursor mode: it follows each
//! page's `next` link as the reader nears the bottom), a user's orders loaded on
//! demand from `/api/users/{id}/orders` with "load more", and each list's
//! "last request" line from the `X-Statement-Count` and `Server-Timing` headers.
//!
//! `GET /docs` is Swagger UI from the `utoipa-swagger-ui` crate's vendored bundle
//! (compiled into the binary) pointed at `/openapi.json`.

use std::sync::{Arc, OnceLock};

use axum::extract::{Path, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use crate::backend::ShopBackend;
use crate::state::AppState;

pub(crate) mod internal;
pub(crate) mod query;
pub(crate) mod render;

use query::{PageState, Tab};
use render::Site;

/// The page's stylesheet.
const APP_CSS: &str = include_str!("../../assets/app.css");
/// The page's script.
const APP_JS: &str = include_str!("../../assets/app.js");
/// Starts Swagger UI on the docs page.
const DOCS_JS: &str = include_str!("../../assets/docs.js");
/// The icon.
const FAVICON: &str = include_str!("../../assets/favicon.svg");

/// The routes of the browsable page, its assets and the docs page (merged into the
/// application by [`crate::server::router`]):
///
/// - `GET /`: the products (`?tab=users`: the users); see the module docs.
/// - `GET /assets/{file}`: `app.css`, `app.js`, `docs.js`, `favicon.svg`.
/// - `GET /docs` (and `/docs/`): the docs page; `GET /docs/{file}`: Swagger UI's files.
/// - `GET /ui/api/{*path}`: the API in the seed envelope, for the page's script when
///   the server speaks another envelope (`--envelope drf|jsonapi|relay`).
pub fn routes<B: ShopBackend>() -> Router<AppState<B>> {
    Router::new()
        .route("/", get(index::<B>))
        .route("/assets/{file}", get(asset))
        .route("/docs", get(docs::<B>))
        .route("/docs/", get(docs::<B>))
        .route("/docs/{*file}", get(swagger_file))
        .route("/ui/api/{*path}", get(seed_api::<B>))
}

/// A short hash of the assets: their URLs change whenever their content does.
fn asset_version() -> &'static str {
    static VERSION: OnceLock<String> = OnceLock::new();
    VERSION.get_or_init(|| {
        // FNV-1a, 64 bits.
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in [APP_CSS, APP_JS, DOCS_JS, FAVICON]
            .iter()
            .flat_map(|s| s.bytes())
        {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        format!("{:08x}", h >> 32)
    })
}

/// Where the page's script finds the API.
fn site<B: ShopBackend>(state: &AppState<B>) -> Site<'static> {
    Site {
        api_base: if state.api.envelope == folio::Envelope::Seed {
            "/api"
        } else {
            "/ui/api"
        },
        asset_version: asset_version(),
    }
}

/// An HTML response that is never cached (it shows live data).
fn page(status: StatusCode, markup: maud::Markup) -> Response {
    let mut response = (status, Html(markup.into_string())).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// `GET /`: the browsable page.
async fn index<B: ShopBackend>(State(state): State<AppState<B>>, request: Request) -> Response {
    let (parts, _) = request.into_parts();
    let state_of_page = PageState::parse(parts.uri.query().unwrap_or(""));
    let site = site(&state);
    match state_of_page.tab {
        Tab::Products => {
            let api = state_of_page.products_api();
            let reply = internal::call(&state, &parts, &api).await;
            let status = if reply.status.is_success() {
                StatusCode::OK
            } else {
                reply.status
            };
            page(status, render::products(site, &state_of_page, &api, &reply))
        }
        Tab::Users => {
            let api = format!("/api/users?cursor=&per_page={}", render::USERS_PER_PAGE);
            let reply = internal::call(&state, &parts, &api).await;
            let status = if reply.status.is_success() {
                StatusCode::OK
            } else {
                reply.status
            };
            page(status, render::users(site, &api, &reply))
        }
    }
}

/// `GET /docs`: the interactive docs page.
async fn docs<B: ShopBackend>(State(state): State<AppState<B>>) -> Response {
    page(StatusCode::OK, render::docs(site(&state)))
}

/// `GET /assets/{file}`: the page's own assets, compiled into the binary.
async fn asset(Path(file): Path<String>, headers: HeaderMap) -> Response {
    let (body, content_type) = match file.as_str() {
        "app.css" => (APP_CSS, "text/css; charset=utf-8"),
        "app.js" => (APP_JS, "text/javascript; charset=utf-8"),
        "docs.js" => (DOCS_JS, "text/javascript; charset=utf-8"),
        "favicon.svg" => (FAVICON, "image/svg+xml"),
        _ => return (StatusCode::NOT_FOUND, "no such asset\n").into_response(),
    };
    let etag = format!("\"{}\"", asset_version());
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag));
    let mut response = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        ([(header::CONTENT_TYPE, content_type)], body).into_response()
    };
    let h = response.headers_mut();
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    response
}

/// Swagger UI's configuration (only used by its own `swagger-initializer.js`; the
/// docs page starts Swagger UI itself, from `assets/docs.js`).
fn swagger_config() -> Arc<utoipa_swagger_ui::Config<'static>> {
    static CONFIG: OnceLock<Arc<utoipa_swagger_ui::Config<'static>>> = OnceLock::new();
    CONFIG
        .get_or_init(|| Arc::new(utoipa_swagger_ui::Config::new(["/openapi.json"])))
        .clone()
}

/// `GET /docs/{file}`: a file of the vendored Swagger UI bundle.
async fn swagger_file(Path(file): Path<String>) -> Response {
    match utoipa_swagger_ui::serve(&file, swagger_config()) {
        Ok(Some(f)) => {
            let content_type = HeaderValue::from_str(&f.content_type)
                .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream"));
            let mut response = f.bytes.into_owned().into_response();
            let h = response.headers_mut();
            h.insert(header::CONTENT_TYPE, content_type);
            h.insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=86400"),
            );
            response
        }
        Ok(None) => (StatusCode::NOT_FOUND, "no such file\n").into_response(),
        Err(e) => {
            tracing::error!("swagger ui: {e}");
            (StatusCode::INTERNAL_SERVER_ERROR, "swagger ui failed\n").into_response()
        }
    }
}

/// `GET /ui/api/{*path}`: `GET /api/{path}` in the seed envelope.
async fn seed_api<B: ShopBackend>(State(state): State<AppState<B>>, request: Request) -> Response {
    let (parts, _) = request.into_parts();
    let rest = parts.uri.path().strip_prefix("/ui").unwrap_or("/api");
    let target = match parts.uri.query() {
        Some(q) => format!("{rest}?{q}"),
        None => rest.to_owned(),
    };
    internal::call(&state, &parts, &target)
        .await
        .into_response()
}
