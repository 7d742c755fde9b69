//! # folio-axum
//!
//! [axum](https://docs.rs/axum) integration of [folio]: what a paginated endpoint needs
//! around the core and [folio_sqlx].
//!
//! - [`Problem`]: RFC 9457 `application/problem+json` errors, from [`folio::Error`] and
//!   [`folio_sqlx::Error`] (bad input is a 400 naming the parameter; database
//!   failures a generic 500, logged, with no SQL in the body).
//! - [`RawQueryString`] and [`page_request`]: the query string as sent, malformed
//!   ones refused with a 400 problem; a [`folio::PageRequest`] parsed from it.
//! - [`RequestUrl`]: the absolute URL links are built on, honouring
//!   `X-Forwarded-*` only when [`TrustForwarded`] says so.
//! - [`PageResponse`]: a page in an envelope with `Link` and `X-Total-Count`.
//! - [`statement_budget`]: middleware putting a [`folio_sqlx::StatementCounter`] in
//!   each request and answering `X-Statement-Count` and `Server-Timing`.
//!
//! ```no_run
//! use axum::{extract::{FromRef, State}, middleware, routing::get, Extension, Router};
//! use folio_axum::{page_request, PageResponse, Problem, RawQueryString, RequestUrl, TrustForwarded};
//! use folio_sqlx::StatementCounter;
//!
//! #[derive(Clone)]
//! struct AppState {
//!     db: folio_sqlx::Db,
//!     behind_proxy: bool,
//! }
//! impl FromRef<AppState> for TrustForwarded {
//!     fn from_ref(s: &AppState) -> Self {
//!         TrustForwarded(s.behind_proxy)
//!     }
//! }
//!
//! # fn fetch(_: &folio_sqlx::Db, _: &folio::PageRequest) -> folio::Page<serde_json::Value> { unimplemented!() }
//! async fn products(
//!     State(state): State<AppState>,
//!     Extension(counter): Extension<StatementCounter>,
//!     RawQueryString(raw): RawQueryString,
//!     url: RequestUrl,
//! ) -> Result<PageResponse<serde_json::Value>, Problem> {
//!     let request = page_request(&raw, &folio::Policy::new())?;
//!     let db = state.db.counted(&counter);
//!     // … fetch the page with folio_sqlx::PageQuery on `db` …
//!     let page = fetch(&db, &request);
//!     Ok(PageResponse::new(page, folio::Envelope::Drf, url, folio::ParamNames::drf()))
//! }
//!
//! # async fn run(db: folio_sqlx::Db) {
//! let app: Router = Router::new()
//!     .route("/api/products", get(products))
//!     .layer(middleware::from_fn(folio_axum::statement_budget))
//!     .with_state(AppState { db, behind_proxy: false });
//! # }
//! //! ```

mod budget;
mod extract;
mod problem;
mod response;

pub use budget::{statement_budget, SERVER_TIMING_HEADER, STATEMENT_COUNT_HEADER};
pub use extract::{page_request, RawQueryString, RequestUrl, TrustForwarded};
pub use problem::{InvalidParam, Problem, PROBLEM_CONTENT_TYPE};
pub use response::{PageResponse, TOTAL_COUNT_HEADER};
