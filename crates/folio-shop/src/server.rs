//! The HTTP application: the API routes, `/healthz`, the statement budget and timing
//! middleware, request logging, a request timeout and the shared state.

use std::time::{Duration, Instant};

use axum::{
    extract::Request,
    http::{header::HeaderName, StatusCode},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::get,
    Router,
};
use tower_http::timeout::TimeoutLayer;

use crate::backend::ShopBackend;
use crate::state::AppState;

/// The default request timeout (`--request-timeout-secs`).
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// The application with the default request timeout.
pub fn router<B: ShopBackend>(state: AppState<B>) -> Router {
    router_with_timeout(state, DEFAULT_REQUEST_TIMEOUT)
}

/// The application: `crate::api::routes()`, `GET /healthz`, the statement budget and
/// timing middleware (`X-Statement-Count`, `Server-Timing`), one log line per request
/// and a request timeout (408 after `timeout`).
pub fn router_with_timeout<B: ShopBackend>(state: AppState<B>, timeout: Duration) -> Router {
    crate::api::routes::<B>()
        .merge(crate::web::routes::<B>())
        .route("/healthz", get(healthz))
        .layer(middleware::from_fn(folio_axum::statement_budget))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            timeout,
        ))
        .layer(middleware::from_fn(log_request))
        .with_state(state)
}

/// `GET /healthz`: liveness.
async fn healthz() -> impl IntoResponse {
    (StatusCode::OK, "ok\n")
}

/// Logs one line per request (method, path and query, status, statements,
/// milliseconds) at `debug` under the target `folio_shop::request`, and at `warn`
/// when the server failed (a 5xx status). At the default level (`info`) a
/// successful request costs no log write: `RUST_LOG=info,folio_shop::request=debug`
/// logs every request.
async fn log_request(req: Request, next: Next) -> Response {
    if !tracing::enabled!(target: "folio_shop::request", tracing::Level::WARN) {
        return next.run(req).await;
    }
    let started = Instant::now();
    let method = req.method().clone();
    let target = req
        .uri()
        .path_and_query()
        .map_or_else(|| req.uri().path().to_owned(), ToString::to_string);
    let response = next.run(req).await;
    let status = response.status();
    let every = tracing::enabled!(target: "folio_shop::request", tracing::Level::DEBUG);
    if !every && !status.is_server_error() {
        return response;
    }
    let statements = response
        .headers()
        .get(HeaderName::from_static(folio_axum::STATEMENT_COUNT_HEADER))
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-");
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    let status = status.as_u16();
    if status >= 500 {
        tracing::warn!(
            target: "folio_shop::request",
            "{method} {target} {status} statements={statements} {ms:.1}ms"
        );
    } else {
        tracing::debug!(
            target: "folio_shop::request",
            "{method} {target} {status} statements={statements} {ms:.1}ms"
        );
    }
    response
}
