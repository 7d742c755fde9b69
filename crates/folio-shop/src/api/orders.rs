//! `GET /api/users/{id}/orders`: a user's orders, a lazily loaded sub-collection.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use folio::{Orderings, Policy, Statement};
use folio_axum::{Problem, RequestUrl};

use super::models::{Order, ORDER_STATUSES};
use super::params::{count_strategy, path_id, QueryParams};
use super::{orders_fingerprint, ShopDb, SqlBuilder};
use crate::state::AppState;

/// The page size of a user's orders when none is given.
pub const DEFAULT_ORDERS_PAGE_SIZE: u64 = 5;

/// The columns of an order (the base of the list and of `expand=orders`).
pub(crate) const ORDER_SELECT: &str =
    "SELECT id, user_id, status, total_cents, created_at FROM orders";

/// The orderings a client may ask for on orders.
pub fn orderings() -> Orderings {
    Orderings::new("id", "id")
        .field("created_at", "created_at")
        .field("total", "total_cents")
}

/// A user's orders, in any pagination mode; filter `status`.
///
/// Whether the user exists is checked only when the page comes back empty, so a
/// non-empty page runs the page (and its count) and nothing else.
#[utoipa::path(
    get,
    path = "/api/users/{id}/orders",
    tag = "users",
    params(
        ("id" = i64, Path, description = "The user id", minimum = 1),
        super::openapi::PageParams,
        super::openapi::OrderListParams,
    ),
    responses(
        (status = 200, description = "A page of the user's orders (seed envelope shown; default `per_page` 5)", body = super::openapi::OrderPage),
        (status = 400, description = "Bad parameter", body = super::openapi::ProblemDoc, content_type = "application/problem+json"),
        (status = 404, description = "No such user", body = super::openapi::ProblemDoc, content_type = "application/problem+json"),
    )
)]
pub async fn list_orders(
    State(state): State<AppState>,
    ShopDb(db): ShopDb,
    url: RequestUrl,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let user_id = path_id(&id)?;
    let params = QueryParams::parse(&url.query);
    let names = state.envelope.names();
    let policy = Policy::new()
        .default_size(DEFAULT_ORDERS_PAGE_SIZE)
        .names(names.clone());
    let request = folio_axum::page_request(&url.query, &policy)?;
    let spec = orderings().parse(params.get("ordering")?.unwrap_or(""))?;
    let status = params.one_of("status", ORDER_STATUSES)?;
    let count = count_strategy(&params, state.count, state.count_cap)?;

    let mut b = SqlBuilder::new(db.dialect(), ORDER_SELECT).and("user_id", "=", user_id);
    if let Some(s) = status {
        b = b.and("status", "=", s);
    }
    let base = b.base();
    let fingerprint = orders_fingerprint(user_id, &spec, status);
    let page = state
        .page_query(&base, &spec, &request, count)
        .cursors(&state.codec, &fingerprint)
        .fetch::<Order>(&db)
        .await?;
    if page.items.is_empty() && !user_exists(&db, user_id).await? {
        return Err(Problem::not_found(format!("no user with id {user_id}")));
    }
    let envelope = state.envelope.envelope("orders", "total_orders", "orders");
    Ok(folio_axum::PageResponse::new(page, envelope, url, names).into_response())
}

/// Whether user `id` exists (one statement).
async fn user_exists(db: &folio_sqlx::Db, id: i64) -> Result<bool, folio_sqlx::Error> {
    let st: Statement = SqlBuilder::new(db.dialect(), "SELECT id FROM users")
        .and("id", "=", id)
        .statement();
    Ok(db.fetch_optional::<(i64,)>(&st).await?.is_some())
}
