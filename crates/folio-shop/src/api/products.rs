//! `GET /api/products` and `GET /api/products/{id}`.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use folio::{BaseQuery, FieldSet, Fields, Fingerprint, Nulls, Orderings, Policy, SortSpec};
use folio_axum::{Problem, RequestUrl};

use super::models::{Product, PRODUCT_DEFERRED, PRODUCT_FIELDS};
use super::params::{count_strategy, path_id, QueryParams};
use super::{ShopDb, SqlBuilder};
use crate::state::AppState;

/// The light columns every product query selects.
const LIGHT_COLUMNS: &str = "id, name, category, price_cents, rating, created_at";

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

/// The filters of the product list and export, validated.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProductFilters {
    /// `category`: exact match.
    pub category: Option<String>,
    /// `min_price`: inclusive lower bound, in cents.
    pub min_price: Option<i64>,
    /// `max_price`: inclusive upper bound, in cents.
    pub max_price: Option<i64>,
}

impl ProductFilters {
    /// Reads the filters from the query parameters (a non-integer or negative
    /// price is a 400 naming the parameter).
    pub fn from_params(params: &QueryParams) -> Result<Self, folio::Error> {
        Ok(ProductFilters {
            category: params.get("category")?.map(str::to_owned),
            min_price: params.int("min_price", 0, i64::MAX)?,
            max_price: params.int("max_price", 0, i64::MAX)?,
        })
    }

    /// The base query: the light columns (and `description` when `with_description`),
    /// filtered, for `dialect`. Returns whether any filter applies.
    pub fn base(
        &self,
        dialect: &'static dyn folio::Dialect,
        with_description: bool,
    ) -> (BaseQuery, bool) {
        let select = if with_description {
            format!("SELECT {LIGHT_COLUMNS}, description FROM products")
        } else {
            format!("SELECT {LIGHT_COLUMNS} FROM products")
        };
        let mut b = SqlBuilder::new(dialect, &select);
        if let Some(c) = &self.category {
            b = b.and("category", "=", c.as_str());
        }
        if let Some(p) = self.min_price {
            b = b.and("price_cents", ">=", p);
        }
        if let Some(p) = self.max_price {
            b = b.and("price_cents", "<=", p);
        }
        let filtered = b.is_filtered();
        (b.base(), filtered)
    }

    /// The fingerprint a cursor of the list is bound to: the endpoint, the ordering
    /// and these filters.
    pub fn fingerprint(&self, spec: &SortSpec) -> Fingerprint {
        let mut f = Fingerprint::builder("/api/products").ordering(spec);
        if let Some(c) = &self.category {
            f = f.filter("category", c);
        }
        if let Some(p) = self.min_price {
            f = f.filter("min_price", &p.to_string());
        }
        if let Some(p) = self.max_price {
            f = f.filter("max_price", &p.to_string());
        }
        f.finish()
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

/// The validated parameters shared by the list and the export.
pub(crate) struct ProductQuery {
    pub(crate) spec: SortSpec,
    pub(crate) fields: FieldSet,
    pub(crate) filters: ProductFilters,
}

impl ProductQuery {
    pub(crate) fn from_params(params: &QueryParams) -> Result<Self, folio::Error> {
        Ok(ProductQuery {
            spec: orderings().parse(params.get("ordering")?.unwrap_or(""))?,
            fields: fields().parse(params.get("fields")?)?,
            filters: ProductFilters::from_params(params)?,
        })
    }
}

/// Lists products, in any pagination mode.
#[utoipa::path(
    get,
    path = "/api/products",
    tag = "products",
    params(super::openapi::PageParams, super::openapi::ProductListParams),
    responses(
        (status = 200, description = "A page of products (seed envelope shown; `--envelope` selects DRF, JSON:API or Relay bodies)", body = super::openapi::ProductPage,
            headers(
                ("Link" = String, description = "RFC 8288 first/prev/next/last links"),
                ("X-Total-Count" = u64, description = "The total, when counted exactly"),
                ("X-Statement-Count" = u32, description = "SQL statements the request ran"),
            )),
        (status = 400, description = "Bad parameter", body = super::openapi::ProblemDoc, content_type = "application/problem+json"),
    )
)]
pub async fn list_products(
    State(state): State<AppState>,
    ShopDb(db): ShopDb,
    url: RequestUrl,
) -> Result<Response, Problem> {
    let params = QueryParams::parse(&url.query);
    let names = state.envelope.names();
    let request = folio_axum::page_request(&url.query, &Policy::new().names(names.clone()))?;
    let q = ProductQuery::from_params(&params)?;
    let count = count_strategy(&params, state.count, state.count_cap)?;
    let (base, filtered) = q
        .filters
        .base(db.dialect(), q.fields.contains("description"));
    let fingerprint = q.filters.fingerprint(&q.spec);
    let mut query = state
        .page_query(&base, &q.spec, &request, count)
        .cursors(&state.codec, &fingerprint);
    if !filtered {
        query = query.table("products");
    }
    let page = query.fetch::<Product>(&db).await?;
    let keep_id = state.envelope == crate::state::EnvelopeKind::JsonApi;
    let fields = &q.fields;
    let page = page.map(|product| Projected {
        product,
        fields,
        keep_id,
    });
    let envelope = state.envelope.envelope("products", "total", "products");
    Ok(folio_axum::PageResponse::new(page, envelope, url, names).into_response())
}

/// One product, with its description.
#[utoipa::path(
    get,
    path = "/api/products/{id}",
    tag = "products",
    params(("id" = i64, Path, description = "The product id", minimum = 1)),
    responses(
        (status = 200, description = "The product, description included", body = Product),
        (status = 400, description = "The id is not a positive integer", body = super::openapi::ProblemDoc, content_type = "application/problem+json"),
        (status = 404, description = "No such product", body = super::openapi::ProblemDoc, content_type = "application/problem+json"),
    )
)]
pub async fn get_product(
    ShopDb(db): ShopDb,
    Path(id): Path<String>,
) -> Result<Json<Product>, Problem> {
    let id = path_id(&id)?;
    let st = SqlBuilder::new(
        db.dialect(),
        &format!("SELECT {LIGHT_COLUMNS}, description FROM products"),
    )
    .and("id", "=", id)
    .statement();
    db.fetch_optional::<Product>(&st)
        .await?
        .map(Json)
        .ok_or_else(|| Problem::not_found(format!("no product with id {id}")))
}
