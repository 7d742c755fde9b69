//! The resources the API serves: row types read from SQLite, PostgreSQL and
//! MySQL/MariaDB alike, serialized with the keys the API documents (`price`,
//! `total` in cents; timestamps as RFC 3339 UTC).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize, Serializer};
use utoipa::ToSchema;

/// Renders a timestamp as RFC 3339 in UTC with microseconds and a `Z`
/// (`2024-05-01T12:34:56.123456Z`), the same on both backends.
pub fn rfc3339(at: &DateTime<Utc>) -> String {
    folio_sqlx::rfc3339_micros(at)
}

#[allow(clippy::trivially_copy_pass_by_ref)] // serde's `serialize_with` passes a reference
fn serialize_ts<S: Serializer>(at: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&rfc3339(at))
}

/// A product as the list, the detail and the export return it.
///
/// `created_at` decodes from SQLite's RFC 3339 TEXT (serde, through
/// [`folio_sqlx::sqlite_datetime`]) and from PostgreSQL's TIMESTAMPTZ and
/// MySQL's DATETIME (sqlx's chrono support). `description` is
/// selected only when asked for; a row without the column leaves it `None`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow, ToSchema)]
#[schema(description = "A product as the list, the detail and the export return it.")]
pub struct Product {
    /// The product id.
    pub id: i64,
    /// The product name.
    pub name: String,
    /// One of about 20 categories.
    pub category: String,
    /// The price in cents.
    #[sqlx(rename = "price_cents")]
    #[serde(alias = "price_cents")]
    pub price: i64,
    /// The average rating; null when the product has none.
    pub rating: Option<f64>,
    /// When the product was added (RFC 3339, UTC, microseconds).
    #[serde(
        serialize_with = "serialize_ts",
        deserialize_with = "folio_sqlx::sqlite_datetime"
    )]
    #[schema(value_type = String, format = DateTime, example = "2024-05-01T12:34:56.123456Z")]
    pub created_at: DateTime<Utc>,
    /// The long description (about 500 bytes): returned only when `fields`
    /// names it, and always by the detail endpoint.
    #[sqlx(default)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// The product keys a client may name in `fields`, in output order.
pub const PRODUCT_FIELDS: &[&str] = &["id", "name", "category", "price", "rating", "created_at"];
/// The product keys returned only on request.
pub const PRODUCT_DEFERRED: &[&str] = &["description"];

/// A user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow, ToSchema)]
pub struct User {
    /// The user id.
    pub id: i64,
    /// The user's name.
    pub name: String,
    /// The user's e-mail address (unique).
    pub email: String,
    /// When the user signed up (RFC 3339, UTC, microseconds).
    #[serde(
        serialize_with = "serialize_ts",
        deserialize_with = "folio_sqlx::sqlite_datetime"
    )]
    #[schema(value_type = String, format = DateTime, example = "2024-05-01T12:34:56.123456Z")]
    pub created_at: DateTime<Utc>,
}

/// An order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow, ToSchema)]
pub struct Order {
    /// The order id.
    pub id: i64,
    /// The user who placed it.
    pub user_id: i64,
    /// One of `pending`, `paid`, `shipped`, `delivered`, `cancelled`.
    #[schema(example = "paid")]
    pub status: String,
    /// The order total in cents.
    #[sqlx(rename = "total_cents")]
    #[serde(alias = "total_cents")]
    pub total: i64,
    /// When the order was placed (RFC 3339, UTC, microseconds).
    #[serde(
        serialize_with = "serialize_ts",
        deserialize_with = "folio_sqlx::sqlite_datetime"
    )]
    #[schema(value_type = String, format = DateTime, example = "2024-05-01T12:34:56.123456Z")]
    pub created_at: DateTime<Utc>,
}

/// The order statuses, the only values the `status` filter accepts.
pub const ORDER_STATUSES: &[&str] = &["pending", "paid", "shipped", "delivered", "cancelled"];

/// A user as the list returns it: the user, and with `expand=orders` the first
/// orders and the link to the rest. (Documented as `UserItem` by
/// `openapi::UserItemDoc`.)
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UserItem {
    /// The user.
    #[serde(flatten)]
    pub user: User,
    /// Present only with `expand=orders`.
    #[serde(flatten)]
    pub expanded: Option<ExpandedOrders>,
}

/// The embedded orders of a user (`expand=orders`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ExpandedOrders {
    /// The user's first `orders_per_user` orders, ordered by id.
    pub orders: Vec<Order>,
    /// The absolute link to the rest of the user's orders in cursor mode, or
    /// null when there are no more.
    pub orders_next: Option<String>,
}

/// One user, with the link to their orders (which are not loaded).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct UserDetail {
    /// The user.
    #[serde(flatten)]
    pub user: User,
    /// The absolute URL of the user's orders.
    pub orders_url: String,
}
