//! # folio-axum
//!
//! [axum](https://docs.rs/axum) integration of [folio]: a paginated endpoint is one
//! [`folio::Endpoint`], one extractor and one call.
//!
//! ```
//! use std::sync::Arc;
//! use axum::{extract::State, middleware, routing::get, Router};
//! use folio::{CursorCodec, Endpoint, FilterParam, Modes, Orderings, Select};
//! use folio_axum::{ListRequest, PageResponse, Problem};
//! use folio_sqlx::{Db, Sqlite};
//!
//! #[derive(serde::Serialize, sqlx::FromRow)]
//! struct Article { id: i64, author_id: i64, title: String }
//!
//! #[derive(Clone)]
//! struct App { db: Db<Sqlite>, articles: Arc<Endpoint> }
//!
//! // The handler: newest first, filtered by `?author_id=`, cursor pages only
//! // (all of it declared on the endpoint below).
//! async fn articles(State(app): State<App>, list: ListRequest) -> Result<PageResponse<Article>, Problem> {
//!     list.fetch(&app.articles, &app.db, Select::from("articles")).await
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let db = Db::<Sqlite>::connect("sqlite::memory:").await?;
//! # db.execute(&folio::Statement { sql: "CREATE TABLE articles (id INTEGER PRIMARY KEY, author_id INTEGER NOT NULL, title TEXT NOT NULL)".into(), binds: vec![] }).await?;
//! # db.execute(&folio::Statement { sql: "INSERT INTO articles (author_id, title) VALUES (1, 'a'), (2, 'b'), (1, 'c')".into(), binds: vec![] }).await?;
//! let endpoint = Endpoint::builder("articles", CursorCodec::new(b"a key of 32 bytes or more......."))
//!     .orderings(Orderings::new("id", "id").default_ordering("-id"))
//!     .filter(FilterParam::eq("author_id").int())
//!     .modes(Modes::CURSOR)
//!     .build();
//! let app = Router::new()
//!     .route("/articles", get(articles))
//!     .layer(middleware::from_fn(folio_axum::statement_budget))
//!     .with_state(App { db, articles: Arc::new(endpoint) });
//!
//! # use tower::ServiceExt;
//! # let get = |uri: &str| http::Request::get(uri).header("host", "blog.example").body(axum::body::Body::empty()).unwrap();
//! let response = app.clone().oneshot(get("/articles?author_id=1")).await?;
//! assert_eq!(response.status(), 200);
//! assert_eq!(response.headers()["x-statement-count"], "1");
//! # let body: serde_json::Value = serde_json::from_slice(&axum::body::to_bytes(response.into_body(), 1 << 16).await?)?;
//! # assert_eq!(body["articles"][0]["title"], "c");
//!
//! // A page number on this cursor-only endpoint, a bad filter value: 400 problems.
//! let response = app.clone().oneshot(get("/articles?page=9999")).await?;
//! assert_eq!(response.status(), 400);
//! assert_eq!(response.headers()["content-type"], "application/problem+json");
//! let response = app.oneshot(get("/articles?author_id=abc")).await?;
//! assert_eq!(response.status(), 400);
//! # Ok(()) }
//! ```
//!
//! - [`ListRequest`]: the request's URL, path and statement counter, and
//!   [`ListRequest::fetch`]: parse, page, answer.
//! - [`PageResponse`]: a page in the endpoint's envelope with `Link` and
//!   `X-Total-Count`.
//! - [`Problem`]: RFC 9457 `application/problem+json` errors, from [`folio::Error`]
//!   and [`folio_sqlx::Error`] (bad input is a 400 naming the parameter; an
//!   unreachable database a 503 with `Retry-After`; other failures a generic 500,
//!   logged, with no SQL in the body).
//! - [`Filters`]: the application's own query parameters, typed, bad values
//!   answered as problems.
//! - [`RequestUrl`]: the absolute URL links are built on, honouring
//!   `X-Forwarded-*` only under a [`TrustForwarded`] layer.
//! - [`statement_budget`]: middleware putting a [`folio_sqlx::StatementCounter`] in
//!   each request and answering `X-Statement-Count` and `Server-Timing`;
//!   [`RequestCounter`] counts a handler's other statements into it.
//! - [`Admission`] and [`admit`]: middleware bounding the handlers that run at
//!   once, the others waiting their turn first come, first served, for a bounded
//!   time (then a 503 with `Retry-After`).

mod admission;
mod budget;
mod counter;
mod extract;
mod filters;
mod list;
#[cfg(feature = "openapi")]
pub mod openapi;
mod problem;
mod response;

pub use admission::{admit, Admission};
pub use budget::{statement_budget, SERVER_TIMING_HEADER, STATEMENT_COUNT_HEADER};
pub use counter::RequestCounter;
pub use extract::{RequestUrl, TrustForwarded};
pub use filters::Filters;
pub use list::ListRequest;
pub use problem::{InvalidParam, Problem, PROBLEM_CONTENT_TYPE};
pub use response::{PageResponse, TOTAL_COUNT_HEADER};
