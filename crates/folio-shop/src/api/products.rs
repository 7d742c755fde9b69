//! `GET /api/products` and `GET /api/products/{id}`.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use folio::{
    Endpoint, EndpointBuilder, Envelope, FieldSet, Fields, Filter, FilterParam, Nulls, Orderings,
    Select,
};
use folio_axum::{ListRequest, Problem, RequestCounter};

use super::models::{Product, PRODUCT_DEFERRED, PRODUCT_FIELDS};
use super::params::path_id;
use crate::backend::ShopBackend;
use crate::state::{AppState, Settings};

/// The light columns every product query reads.
const LIGHT_COLUMNS: [&str; 6] = [
    "id",
    "name",
    "category",
    "price_cents",
    "rating",
    "created_at",
];

/// The orderings a client may ask for on products.
pub fn orderings() -> Orderings {
    Orderings::new("id", "id")
        .field("name", "name")
        .field("price", "price_cents")
        .nullable_field("rating", "rating", Nulls::Last)
        .field("created_at", "created_at")
}

/// The product fields a client may name in `fields` (`description` only on request).
pub fn fields() -> Fields {
    Fields::new(PRODUCT_FIELDS).deferred(PRODUCT_DEFERRED)
}

/// The product list (and its export): orderings, field sets, and the filters
/// `category`, `min_price` and `max_price` (inclusive, in cents).
pub fn endpoint(settings: &Settings) -> Endpoint {
    builder(settings).build()
}

/// The product list's endpoint before it is built (to change a setting of it, as
/// the benchmarks do).
pub fn builder(settings: &Settings) -> EndpointBuilder {
    Endpoint::builder("products", settings.codec.clone())
        .envelope(settings.envelope)
        .orderings(orderings())
        .fields(fields())
        .filter(FilterParam::eq("category").describe("Exact category."))
        .filter(
            FilterParam::ge("min_price")
                .column("price_cents")
                .int_range(0, i64::MAX)
                .describe("Lowest price in cents (inclusive)."),
        )
        .filter(
            FilterParam::le("max_price")
                .column("price_cents")
                .int_range(0, i64::MAX)
                .describe("Highest price in cents (inclusive)."),
        )
        .count(settings.count)
        .count_cap(settings.count_cap)
}

/// The products: the light columns, and `description` when `with_description`.
pub fn select(with_description: bool) -> Select {
    let select = Select::from("products").columns(LIGHT_COLUMNS);
    if with_description {
        select.column("description")
    } else {
        select
    }
}

/// A product reduced to the fields of a field set, written in the whitelist's order
/// (`id` first as well when `keep_id`: JSON:API items must carry it). It serializes
/// straight from the row: no intermediate JSON value per item.
pub struct Projected<'a> {
    /// The row.
    pub product: Product,
    /// The fields to write.
    pub fields: &'a FieldSet,
    /// Write `id` even when the field set leaves it out.
    pub keep_id: bool,
}

impl serde::Serialize for Projected<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let p = &self.product;
        let mut map = s.serialize_map(None)?;
        if self.keep_id && !self.fields.contains("id") {
            map.serialize_entry("id", &p.id)?;
        }
        for name in self.fields.iter() {
            match name {
                "id" => map.serialize_entry("id", &p.id)?,
                "name" => map.serialize_entry("name", &p.name)?,
                "category" => map.serialize_entry("category", &p.category)?,
                "price" => map.serialize_entry("price", &p.price)?,
                "rating" => map.serialize_entry("rating", &p.rating)?,
                "created_at" => {
                    map.serialize_entry("created_at", &super::models::rfc3339(&p.created_at))?;
                }
                "description" => map.serialize_entry("description", &p.description)?,
                _ => {}
            }
        }
        map.end()
    }
}

/// Lists products, in any pagination mode.
pub async fn list_products<B: ShopBackend>(
    State(app): State<AppState<B>>,
    list: ListRequest,
) -> Result<Response, Problem> {
    let endpoint = &app.api.products;
    let listing = list.parse(endpoint)?;
    let select = select(listing.wants("description"));
    let response = list
        .fetch_listing::<B, Product>(endpoint, &app.db, &listing, select)
        .await?;
    let fields = listing.fields.clone().unwrap_or_default();
    let keep_id = app.api.envelope == Envelope::JsonApi;
    Ok(response
        .map(|product| Projected {
            product,
            fields: &fields,
            keep_id,
        })
        .into_response())
}

/// One product, with its description.
pub async fn get_product<B: ShopBackend>(
    State(app): State<AppState<B>>,
    counter: RequestCounter,
    Path(id): Path<String>,
) -> Result<Json<Product>, Problem> {
    let id = path_id(&id)?;
    counter
        .db(&app.db)
        .find::<Product>(&select(true).filter(Filter::eq("id", id)))
        .await?
        .map(Json)
        .ok_or_else(|| Problem::not_found(format!("no product with id {id}")))
}
