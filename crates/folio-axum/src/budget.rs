//! The statement budget and timing middleware.

use std::time::Instant;

use axum::{extract::Request, middleware::Next, response::Response};
use folio_sqlx::StatementCounter;
use http::{HeaderName, HeaderValue};

/// The `X-Statement-Count` header name: the SQL statements the request ran.
pub const STATEMENT_COUNT_HEADER: &str = "x-statement-count";

/// The `Server-Timing` header name.
pub const SERVER_TIMING_HEADER: &str = "server-timing";

/// Middleware counting the SQL statements and the database time of each request.
///
/// It puts a fresh [`StatementCounter`] into the request extensions; a handler takes
/// it with `Extension<StatementCounter>` and runs its queries on
/// `db.counted(&counter)`. After the handler, every response gets
/// `X-Statement-Count: <n>` and `Server-Timing: db;dur=<ms>, total;dur=<ms>`, so a
/// query budget can be asserted from outside and seen in a browser's developer tools.
///
/// ```
/// use axum::{middleware, routing::get, Extension, Router};
/// use folio_sqlx::StatementCounter;
///
/// async fn handler(Extension(counter): Extension<StatementCounter>) -> String {
///     format!("{} statements so far", counter.get())
/// }
/// let app: Router = Router::new()
///     .route("/", get(handler))
///     .layer(middleware::from_fn(folio_axum::statement_budget));
/// ```
pub async fn statement_budget(mut req: Request, next: Next) -> Response {
    let started = Instant::now();
    let counter = StatementCounter::new();
    req.extensions_mut().insert(counter.clone());
    let mut response = next.run(req).await;
    let total = started.elapsed();
    let headers = response.headers_mut();
    headers.insert(
        HeaderName::from_static(STATEMENT_COUNT_HEADER),
        HeaderValue::from(counter.get()),
    );
    let timing = format!(
        "db;dur={:.3}, total;dur={:.3}",
        counter.db_time().as_secs_f64() * 1000.0,
        total.as_secs_f64() * 1000.0
    );
    if let Ok(value) = HeaderValue::from_str(&timing) {
        headers.insert(HeaderName::from_static(SERVER_TIMING_HEADER), value);
    }
    response
}
