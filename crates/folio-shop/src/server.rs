//! The HTTP application: the API routes, `/healthz` and `/readyz`, the statement
//! budget and timing middleware, request logging, a request timeout and the shared
//! state; and the accept loop that serves it with a header read timeout.

use std::time::{Duration, Instant};

use axum::{
    extract::{Request, State},
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

/// The application with the default request timeout and no admission gate.
pub fn router<B: ShopBackend>(state: AppState<B>) -> Router {
    router_with_timeout(state, DEFAULT_REQUEST_TIMEOUT, None)
}

/// The application: `crate::api::routes()` and the web page (behind `admission`
/// when given: see [`folio_axum::Admission`]), `GET /healthz`, `GET /readyz`
/// (never gated: they answer while the API is saturated), the statement budget
/// and timing middleware (`X-Statement-Count`, `Server-Timing`), one log line per
/// request and a request timeout (408 after `timeout`).
pub fn router_with_timeout<B: ShopBackend>(
    state: AppState<B>,
    timeout: Duration,
    admission: Option<folio_axum::Admission>,
) -> Router {
    let mut routes = crate::api::routes::<B>().merge(crate::web::routes::<B>());
    if let Some(gate) = admission {
        routes = routes.layer(middleware::from_fn_with_state(gate, folio_axum::admit));
    }
    routes
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz::<B>))
        .layer(middleware::from_fn(folio_axum::statement_budget))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            timeout,
        ))
        .layer(middleware::from_fn(log_request))
        .with_state(state)
}

/// `GET /healthz`: liveness (the process answers; says nothing of the database).
async fn healthz() -> impl IntoResponse {
    (StatusCode::OK, "ok\n")
}

/// How long `/readyz` waits for the database.
const READY_WAIT: Duration = Duration::from_secs(1);

/// `GET /readyz`: readiness. 200 when the database answers a one-row read of the
/// products table within a second; else the 503 problem a request would get
/// (unavailable, busy), with `Retry-After`.
async fn readyz<B: ShopBackend>(State(state): State<AppState<B>>) -> Response {
    let probe = folio::Select::sql("SELECT COUNT(*) FROM products WHERE id = 0");
    match tokio::time::timeout(READY_WAIT, state.db.find::<(i64,)>(&probe)).await {
        Ok(Ok(_)) => (StatusCode::OK, "ready\n").into_response(),
        Ok(Err(e)) => folio_axum::Problem::from(e).into_response(),
        Err(_) => folio_axum::Problem::unavailable().into_response(),
    }
}

/// Serves `app` on `listener` until `shutdown` resolves, then lets the requests
/// in flight finish. HTTP/1.1; a connection whose request headers have not all
/// arrived `header_timeout` after it opened (or after its previous response) is
/// closed: a slow client holds a socket for that long at most, and never a
/// database connection (handlers run once the headers are in).
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Router,
    header_timeout: Duration,
    shutdown: impl std::future::Future<Output = ()> + Send,
) -> std::io::Result<()> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    use hyper_util::service::TowerToHyperService;

    let (closing, closed) = tokio::sync::watch::channel(());
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, _) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors and the like: wait, do not spin.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let service = TowerToHyperService::new(app.clone());
        let mut closed = closed.clone();
        tokio::spawn(async move {
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder
                .timer(TokioTimer::new())
                .header_read_timeout(header_timeout);
            let conn = builder.serve_connection(TokioIo::new(stream), service);
            let mut conn = std::pin::pin!(conn);
            tokio::select! {
                _ = conn.as_mut() => {}
                _ = closed.changed() => {
                    conn.as_mut().graceful_shutdown();
                    let _ = conn.await;
                }
            }
        });
    }
    drop(closed);
    // Tell every connection to finish its request in flight, and wait for them.
    closing.send_replace(());
    closing.closed().await;
    Ok(())
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
