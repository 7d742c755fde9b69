//! The OpenAPI 3 document, generated from the handlers' annotations and the
//! models' derives (`GET /openapi.json`).
//!
//! The page schemas describe the default (seed) envelope; a server started with
//! `--envelope drf|jsonapi|relay` answers DRF, JSON:API or Relay bodies and reads
//! DRF's or JSON:API's parameter names instead (see the API description).

#![allow(dead_code)] // the documentation-only types are read by the derives alone

use axum::Json;
use serde::Serialize;
use utoipa::{IntoParams, OpenApi, ToSchema};

use super::models::{ExpandedOrders, Order, Product, User, UserDetail};

/// An RFC 9457 problem document (`application/problem+json`).
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Problem)]
pub struct ProblemDoc {
    /// A URI naming the problem type (`urn:folio:problem:<kind>`, or `about:blank`).
    #[serde(rename = "type")]
    pub type_uri: String,
    /// A short summary of the problem type.
    pub title: String,
    /// The HTTP status.
    pub status: u16,
    /// What went wrong with this request.
    pub detail: String,
    /// The parameters at fault.
    pub invalid_params: Vec<InvalidParamDoc>,
}

/// One parameter a request got wrong.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = InvalidParam)]
pub struct InvalidParamDoc {
    /// The parameter.
    pub name: String,
    /// Why its value was refused.
    pub reason: String,
}

/// How exact a total is.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum TotalRelation {
    /// Exactly this many.
    Eq,
    /// At least this many (a capped count).
    Gte,
    /// About this many (a planner estimate).
    Approx,
}

/// Pagination parameters (seed names; DRF reads `page_size` for `per_page`,
/// JSON:API `page[number]`, `page[size]`, `page[limit]`, `page[offset]`,
/// `page[after]`, `page[before]`). Parameters of two modes together are a 400.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Page number, 1-based, or `last` (page-number mode, the default).
    #[param(example = "2")]
    pub page: Option<String>,
    /// Page size in page-number and cursor modes (1–100, default 10; larger values are clamped).
    #[param(minimum = 1)]
    pub per_page: Option<u64>,
    /// Page size in limit/offset mode (1–100, default 10; larger values are clamped).
    #[param(minimum = 1)]
    pub limit: Option<u64>,
    /// Rows skipped (limit/offset mode).
    #[param(minimum = 0)]
    pub offset: Option<u64>,
    /// A cursor token from a previous response (cursor mode); empty for the first
    /// page, `last` for the last page.
    pub cursor: Option<String>,
    /// Count strategy: `exact`, `estimate`, `capped` (up to 10,000) or `none`;
    /// default the server's `--count`.
    #[param(inline, value_type = Option<CountParam>)]
    pub count: Option<String>,
}

/// The count strategies a client may ask for.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum CountParam {
    /// `COUNT(*)` of the filtered query.
    Exact,
    /// Planner statistics (exact when small).
    Estimate,
    /// Count up to the cap; past it `total_relation` is `gte`.
    Capped,
    /// No count.
    None,
}

/// Filters, ordering and fields of the product list and export.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProductListParams {
    /// Exact category.
    pub category: Option<String>,
    /// Lowest price in cents (inclusive).
    #[param(minimum = 0)]
    pub min_price: Option<i64>,
    /// Highest price in cents (inclusive).
    #[param(minimum = 0)]
    pub max_price: Option<i64>,
    /// Comma-separated orderings from `id`, `name`, `price`, `rating` (NULLs last),
    /// `created_at`, `-` for descending; `id` is appended as the tiebreaker.
    #[param(example = "-price,name")]
    pub ordering: Option<String>,
    /// Comma-separated item keys to return, from `id`, `name`, `category`, `price`,
    /// `rating`, `created_at`, `description` (`description` only when named).
    #[param(example = "id,name,description")]
    pub fields: Option<String>,
}

/// Ordering and expansion of the user list.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserListParams {
    /// Comma-separated orderings from `id`, `name`, `created_at`, `-` for descending.
    pub ordering: Option<String>,
    /// `orders` embeds each user's first orders (one more statement per page).
    #[param(inline, value_type = Option<ExpandParam>)]
    pub expand: Option<String>,
    /// Orders embedded per user with `expand=orders` (1–20, default 3; larger values are clamped).
    #[param(minimum = 1)]
    pub orders_per_user: Option<u64>,
}

/// What `expand` may name.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ExpandParam {
    /// The user's orders.
    Orders,
}

/// Ordering and filter of a user's orders.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OrderListParams {
    /// Comma-separated orderings from `id`, `created_at`, `total`, `-` for descending.
    pub ordering: Option<String>,
    /// Only orders with this status.
    #[param(inline, value_type = Option<OrderStatus>)]
    pub status: Option<String>,
}

/// An order's status.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum OrderStatus {
    /// Placed, not paid.
    Pending,
    /// Paid.
    Paid,
    /// Shipped.
    Shipped,
    /// Delivered.
    Delivered,
    /// Cancelled.
    Cancelled,
}

/// A page of products in the seed envelope.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProductPage {
    /// The products (the keys named by `fields`).
    pub products: Vec<Product>,
    /// The total, per the count strategy (null without a count).
    pub total: Option<u64>,
    /// How exact `total` is.
    pub total_relation: Option<TotalRelation>,
    /// `ceil(total / per_page)` (null without a count).
    pub pages: Option<u64>,
    /// The page number (page-number mode; past the end, the page asked for).
    pub current_page: Option<u64>,
    /// The effective page size (page-number and cursor modes).
    pub per_page: Option<u64>,
    /// Rows skipped (limit/offset mode).
    pub offset: Option<u64>,
    /// The effective limit (limit/offset mode).
    pub limit: Option<u64>,
    /// The absolute URL of the next page, or null.
    pub next: Option<String>,
    /// The absolute URL of the previous page, or null.
    pub previous: Option<String>,
}

/// A user in the list: the user's keys, plus `orders` and `orders_next` with
/// `expand=orders`.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = UserItem)]
pub struct UserItemDoc {
    /// The user.
    #[serde(flatten)]
    pub user: User,
    /// With `expand=orders`: the user's first `orders_per_user` orders, by id.
    pub orders: Option<Vec<Order>>,
    /// With `expand=orders`: the absolute link to the rest of the user's orders
    /// (cursor mode), or null when there are no more.
    pub orders_next: Option<String>,
}

/// A page of users in the seed envelope.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserPage {
    /// The users (with `orders` and `orders_next` under `expand=orders`).
    pub users: Vec<UserItemDoc>,
    /// The total, per the count strategy (null without a count).
    pub total: Option<u64>,
    /// How exact `total` is.
    pub total_relation: Option<TotalRelation>,
    /// `ceil(total / per_page)` (null without a count).
    pub pages: Option<u64>,
    /// The page number (page-number mode; past the end, the page asked for).
    pub current_page: Option<u64>,
    /// The effective page size (page-number and cursor modes).
    pub per_page: Option<u64>,
    /// Rows skipped (limit/offset mode).
    pub offset: Option<u64>,
    /// The effective limit (limit/offset mode).
    pub limit: Option<u64>,
    /// The absolute URL of the next page, or null.
    pub next: Option<String>,
    /// The absolute URL of the previous page, or null.
    pub previous: Option<String>,
}

/// A page of a user's orders in the seed envelope.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrderPage {
    /// The orders.
    pub orders: Vec<Order>,
    /// The user's order count, per the count strategy (null without a count).
    pub total_orders: Option<u64>,
    /// How exact `total_orders` is.
    pub total_relation: Option<TotalRelation>,
    /// `ceil(total_orders / per_page)` (null without a count).
    pub pages: Option<u64>,
    /// The page number (page-number mode; past the end, the page asked for).
    pub current_page: Option<u64>,
    /// The effective page size (page-number and cursor modes).
    pub per_page: Option<u64>,
    /// Rows skipped (limit/offset mode).
    pub offset: Option<u64>,
    /// The effective limit (limit/offset mode).
    pub limit: Option<u64>,
    /// The absolute URL of the next page, or null.
    pub next: Option<String>,
    /// The absolute URL of the previous page, or null.
    pub previous: Option<String>,
}

/// The OpenAPI document of the shop API.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "folio-shop",
        description = "The reference API of folio: products, users and their orders, paginated by page number, limit/offset or signed keyset cursors. Every response carries `X-Statement-Count` and `Server-Timing`. Page bodies are shown in the default seed envelope; `--envelope drf|jsonapi|relay` switches the body shape and the parameter names.",
        license(name = "MIT OR Apache-2.0"),
    ),
    paths(
        super::products::list_products,
        super::products::get_product,
        super::export::export_products,
        super::users::list_users,
        super::users::get_user,
        super::orders::list_orders,
        openapi_json,
    ),
    components(schemas(
        Product, User, Order, UserItemDoc, UserDetail, ExpandedOrders,
        ProductPage, UserPage, OrderPage, ProblemDoc, InvalidParamDoc, TotalRelation,
        CountParam, ExpandParam, OrderStatus,
    )),
    tags(
        (name = "products", description = "The product catalogue"),
        (name = "users", description = "Users and their lazily loaded orders"),
        (name = "meta", description = "This document"),
    )
)]
pub struct ApiDoc;

/// The OpenAPI document.
pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

/// This OpenAPI 3 document.
#[utoipa::path(
    get,
    path = "/openapi.json",
    tag = "meta",
    responses((status = 200, description = "The OpenAPI 3 document", content_type = "application/json", body = Object))
)]
pub async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    Json(document())
}
