//! `GET /api/users/{id}/orders`: a user's orders, a lazily loaded sub-collection.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use folio::{Endpoint, Filter, FilterParam, Orderings, Select};
use folio_axum::{ListRequest, Problem};

use super::models::{Order, ORDER_STATUSES};
use super::params::path_id;
use crate::backend::ShopBackend;
use crate::state::{AppState, Settings};

/// The page size of a user's orders when none is given.
pub const DEFAULT_ORDERS_PAGE_SIZE: u64 = 5;

/// The columns of an order.
const ORDER_COLUMNS: [&str; 5] = ["id", "user_id", "status", "total_cents", "created_at"];

/// The orderings a client may ask for on orders.
pub fn orderings() -> Orderings {
    Orderings::new("id", "id")
        .field("created_at", "created_at")
        .field("total", "total_cents")
}

/// A user's orders: the article's `total_orders`, 5 a page, filter `status`.
pub fn endpoint(settings: &Settings) -> Endpoint {
    Endpoint::builder("orders", settings.codec.clone())
        .envelope(settings.envelope)
        .total_key("total_orders")
        .orderings(orderings())
        .filter(
            FilterParam::eq("status")
                .one_of(ORDER_STATUSES)
                .describe("Only orders with this status."),
        )
        .page_size(DEFAULT_ORDERS_PAGE_SIZE, 100)
        .count(settings.count)
        .count_cap(settings.count_cap)
        .build()
}

/// Every order.
pub fn select() -> Select {
    Select::from("orders").columns(ORDER_COLUMNS)
}

/// The orders of user `user_id`: the select every page of the user's orders is cut
/// from (and so what their cursors are bound to, with the path).
pub fn of_user(user_id: i64) -> Select {
    select().filter(Filter::eq("user_id", user_id))
}

/// The path of a user's orders.
pub fn path(user_id: i64) -> String {
    format!("/api/users/{user_id}/orders")
}

/// A user's orders, in any pagination mode; filter `status`.
///
/// Whether the user exists is checked only when the page comes back empty, so a
/// non-empty page runs the page (and its count) and nothing else.
pub async fn list_orders<B: ShopBackend>(
    State(app): State<AppState<B>>,
    list: ListRequest,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let user_id = path_id(&id)?;
    let endpoint = &app.api.orders;
    let listing = list.parse(endpoint)?;
    let db = list.db(&app.db);
    let page = db
        .page::<Order>(endpoint, &listing, of_user(user_id))
        .await?;
    if page.items.is_empty() && !super::users::exists(&db, user_id).await? {
        return Err(Problem::not_found(format!("no user with id {user_id}")));
    }
    Ok(list.respond(endpoint, page).into_response())
}
