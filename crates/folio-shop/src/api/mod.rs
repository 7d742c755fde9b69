//! The shop's HTTP API: products, users and their orders, in every pagination mode
//! folio offers, with the OpenAPI document built from the same endpoints.
//!
//! Every list is a [`folio::Endpoint`] (its orderings, field sets, filters, modes
//! and counts, declared once in its module) answered by
//! [`folio_axum::ListRequest`]; no handler writes OFFSET, LIMIT, COUNT or a
//! placeholder. Bad input is a 400 `application/problem+json` naming the parameter
//! ([`folio_axum::Problem`]).

use axum::routing::get;
use axum::Router;

use crate::backend::ShopBackend;
use crate::state::AppState;

pub mod export;
pub mod models;
pub mod openapi;
pub mod orders;
pub mod params;
pub mod products;
pub mod users;

/// The API routes (merged into the application by [`crate::server::router`]).
pub fn routes<B: ShopBackend>() -> Router<AppState<B>> {
    Router::new()
        .route("/api/products", get(products::list_products::<B>))
        .route("/api/products/export", get(export::export_products::<B>))
        .route("/api/products/{id}", get(products::get_product::<B>))
        .route("/api/users", get(users::list_users::<B>))
        .route("/api/users/{id}", get(users::get_user::<B>))
        .route("/api/users/{id}/orders", get(orders::list_orders::<B>))
        .route("/openapi.json", get(openapi::openapi_json::<B>))
}
