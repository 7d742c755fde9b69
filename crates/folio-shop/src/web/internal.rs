//! Calls of the JSON API from inside the server, for the server-rendered page.
//!
//! The page does not repeat the API's queries: it sends the API router a request
//! (the same routes, extractors, validation and pagination as a client gets) and
//! renders the JSON it answers. The call always speaks the seed envelope, whatever
//! `--envelope` the server runs with, and counts its statements into the outer
//! request's counter, so the page's own `X-Statement-Count` is true as well.

use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{header, request::Parts, Request, StatusCode};
use axum::response::{IntoResponse, Response};
use folio_sqlx::StatementCounter;
use tower::ServiceExt as _;

use crate::backend::ShopBackend;
use crate::state::AppState;

/// The largest API body the page reads (a page holds at most 100 items).
const BODY_LIMIT: usize = 8 * 1024 * 1024;

/// What one API call cost: shown under each list, as the browser shows it for the
/// calls its script makes (from `X-Statement-Count` and `Server-Timing`).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Stats {
    /// SQL statements the call ran.
    pub(crate) statements: usize,
    /// Time spent in the database.
    pub(crate) db: Duration,
    /// Time the whole call took.
    pub(crate) total: Duration,
}

/// An API answer: its status, its raw body and what it cost.
#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) status: StatusCode,
    pub(crate) content_type: Option<axum::http::HeaderValue>,
    pub(crate) body: axum::body::Bytes,
    pub(crate) stats: Stats,
}

impl Reply {
    /// The body as JSON (`Null` when it is not JSON).
    pub(crate) fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or(serde_json::Value::Null)
    }

    /// The answer as a response (for the script's API in another envelope).
    pub(crate) fn into_response(self) -> Response {
        let mut response = (self.status, self.body).into_response();
        if let Some(ct) = self.content_type {
            response.headers_mut().insert(header::CONTENT_TYPE, ct);
        }
        response
    }
}

/// Sends `GET path_and_query` (an `/api/…` path) to the API routes on behalf of
/// the request `outer`.
pub(crate) async fn call<B: ShopBackend>(
    state: &AppState<B>,
    outer: &Parts,
    path_and_query: &str,
) -> Reply {
    let app = crate::api::routes::<B>().with_state(state.in_seed_envelope());

    let mut request = Request::get(path_and_query);
    for name in [
        header::HOST.as_str(),
        "x-forwarded-host",
        "x-forwarded-proto",
    ] {
        if let Some(value) = outer.headers.get(name) {
            request = request.header(name, value.clone());
        }
    }
    let Ok(mut request) = request.body(Body::empty()) else {
        return failure(StatusCode::BAD_REQUEST, Stats::default());
    };
    if !outer.headers.contains_key(header::HOST) {
        // An HTTP/2 request names its host in the URI, not in a header.
        if let Some(Ok(value)) = outer.uri.authority().map(|a| a.as_str().parse()) {
            request.headers_mut().insert(header::HOST, value);
        }
    }
    let counter = outer
        .extensions
        .get::<StatementCounter>()
        .cloned()
        .unwrap_or_default();
    request.extensions_mut().insert(counter.clone());
    if let Some(trust) = outer.extensions.get::<folio_axum::TrustForwarded>() {
        request.extensions_mut().insert(*trust);
    }

    let (statements, db) = (counter.get(), counter.db_time());
    let started = Instant::now();
    let response = match app.oneshot(request).await {
        Ok(response) => response,
        Err(never) => match never {},
    };
    let (parts, body) = response.into_parts();
    let body = axum::body::to_bytes(body, BODY_LIMIT).await;
    let stats = Stats {
        statements: counter.get().saturating_sub(statements),
        db: counter.db_time().saturating_sub(db),
        total: started.elapsed(),
    };
    match body {
        Ok(body) => Reply {
            status: parts.status,
            content_type: parts.headers.get(header::CONTENT_TYPE).cloned(),
            body,
            stats,
        },
        Err(_) => failure(StatusCode::INTERNAL_SERVER_ERROR, stats),
    }
}

/// An answer the API did not give (the call itself failed).
fn failure(status: StatusCode, stats: Stats) -> Reply {
    Reply {
        status,
        content_type: None,
        body: axum::body::Bytes::new(),
        stats,
    }
}
