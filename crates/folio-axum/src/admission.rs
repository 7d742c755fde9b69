//! Admission: how many requests run their handlers at once, and how long the others
//! wait their turn.

use std::sync::Arc;
use std::time::Duration;

use axum::{
    extract::{Request, State},
    middleware::Next,
    response::{IntoResponse, Response},
};
use tokio::sync::Semaphore;

use crate::Problem;

/// A gate before the handlers: at most `permits` requests run their handlers at
/// once; the others wait in arrival order for at most `wait`, then answer
/// [`Problem::busy`] (503 with `Retry-After`). Apply it with [`admit`].
///
/// Why: a database pool of a few connections behind a thousand client
/// connections queues a thousand handlers on the pool, each with its state
/// allocated (the handler's future, the statement, the pool's wait). Behind the
/// gate a waiting request holds only itself, and turns come strictly first come,
/// first served, so every wait is about the queue's length over the throughput,
/// not a lottery whose losers pass the pool's time limit. Size it to keep the
/// pool busy (a small multiple of its connections) and give the wait the pool's:
/// a request then waits at most twice that in all.
///
/// The permit is held until the handler returns its response: a streamed body
/// (an export) is not counted while it streams.
///
/// ```
/// use std::time::Duration;
/// let gate = folio_axum::Admission::new(16, Duration::from_millis(500));
/// assert_eq!(gate.permits(), 16);
/// assert_eq!(gate.wait(), Duration::from_millis(500));
/// assert_eq!(folio_axum::Admission::new(0, Duration::ZERO).permits(), 1);
/// ```
#[derive(Debug, Clone)]
pub struct Admission {
    slots: Arc<Semaphore>,
    permits: usize,
    wait: Duration,
}

impl Admission {
    /// A gate of `permits` handlers at once (at least 1), each other request
    /// waiting at most `wait`.
    #[must_use]
    pub fn new(permits: usize, wait: Duration) -> Self {
        let permits = permits.max(1);
        Admission {
            slots: Arc::new(Semaphore::new(permits)),
            permits,
            wait,
        }
    }

    /// How many handlers run at once at most.
    #[must_use]
    pub fn permits(&self) -> usize {
        self.permits
    }

    /// How long a request waits for its turn at most.
    #[must_use]
    pub fn wait(&self) -> Duration {
        self.wait
    }
}

/// Middleware: runs the request's handler once [`Admission`] gives it a turn;
/// answers [`Problem::busy`] when none comes within the gate's wait.
///
/// ```
/// use std::time::Duration;
/// use axum::{middleware, routing::get, Router};
/// use folio_axum::Admission;
/// use tower::ServiceExt;
///
/// # #[tokio::main(flavor = "current_thread", start_paused = true)]
/// # async fn main() {
/// // One handler at a time; a second request waits 50 ms at most.
/// let gate = Admission::new(1, Duration::from_millis(50));
/// let app: Router = Router::new()
///     .route("/slow", get(|| async { tokio::time::sleep(Duration::from_secs(1)).await; "done" }))
///     .route("/fast", get(|| async { "ok" }))
///     .layer(middleware::from_fn_with_state(gate, folio_axum::admit));
/// let get = |uri: &str| http::Request::get(uri).body(axum::body::Body::empty()).unwrap();
///
/// let slow = tokio::spawn(app.clone().oneshot(get("/slow")));
/// tokio::time::sleep(Duration::from_millis(20)).await;
/// let refused = app.clone().oneshot(get("/fast")).await.unwrap();
/// assert_eq!(refused.status(), 503);
/// assert_eq!(refused.headers()["retry-after"], "1");
/// assert_eq!(slow.await.unwrap().unwrap().status(), 200);
/// // The slot is free again.
/// assert_eq!(app.oneshot(get("/fast")).await.unwrap().status(), 200);
/// # }
/// ```
pub async fn admit(State(gate): State<Admission>, req: Request, next: Next) -> Response {
    let turn = tokio::time::timeout(gate.wait, Arc::clone(&gate.slots).acquire_owned()).await;
    if let Ok(Ok(permit)) = turn {
        let response = next.run(req).await;
        drop(permit);
        response
    } else {
        tracing::debug!(
            permits = gate.permits,
            "folio-axum: no handler slot within the admission wait"
        );
        Problem::busy().into_response()
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use axum::{middleware, routing::get, Router};
    use tower::ServiceExt;

    use super::{admit, Admission};

    fn get_req(uri: &str) -> http::Request<axum::body::Body> {
        http::Request::get(uri)
            .body(axum::body::Body::empty())
            .unwrap()
    }

    /// Turns come in arrival order: with one slot held, requests queued one after
    /// another run in that order when it frees. (Paused time: each request reaches
    /// the gate before the next is sent, however busy the machine.)
    #[tokio::test(start_paused = true)]
    async fn waiting_requests_run_first_come_first_served() {
        let order = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let seen = order.clone();
        let gate = Admission::new(1, Duration::from_secs(5));
        let app: Router = Router::new()
            .route(
                "/{n}",
                get(move |axum::extract::Path(n): axum::extract::Path<u32>| {
                    let seen = seen.clone();
                    async move {
                        seen.lock().unwrap().push(n);
                        tokio::time::sleep(Duration::from_millis(if n == 0 { 100 } else { 1 }))
                            .await;
                        "ok"
                    }
                }),
            )
            .layer(middleware::from_fn_with_state(gate, admit));
        let mut tasks = Vec::new();
        for n in 0..6 {
            tasks.push(tokio::spawn(app.clone().oneshot(get_req(&format!("/{n}")))));
            // Each request reaches the gate before the next is sent.
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        for t in tasks {
            assert_eq!(t.await.unwrap().unwrap().status(), 200);
        }
        assert_eq!(*order.lock().unwrap(), vec![0, 1, 2, 3, 4, 5]);
    }

    /// A refused request is a problem document, and refusing holds no slot.
    #[tokio::test(start_paused = true)]
    async fn a_refused_request_answers_busy() {
        let gate = Admission::new(1, Duration::from_millis(10));
        let held = std::sync::Arc::clone(&gate.slots)
            .acquire_owned()
            .await
            .unwrap();
        let app: Router = Router::new()
            .route("/", get(|| async { "ok" }))
            .layer(middleware::from_fn_with_state(gate.clone(), admit));
        let r = app.clone().oneshot(get_req("/")).await.unwrap();
        assert_eq!(r.status(), 503);
        assert_eq!(r.headers()["content-type"], "application/problem+json");
        let body = axum::body::to_bytes(r.into_body(), 1 << 16).await.unwrap();
        let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(body["detail"], "The server is busy; try again shortly.");
        drop(held);
        assert_eq!(gate.slots.available_permits(), 1);
        assert_eq!(app.oneshot(get_req("/")).await.unwrap().status(), 200);
    }
}
