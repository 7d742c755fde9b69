//! `GET /api/products/export`: every matching product as NDJSON, streamed in keyset
//! chunks (memory bounded by one chunk, whatever the table size).

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use folio_axum::{ListRequest, Problem};
use futures::StreamExt;
use http::{header, HeaderValue, StatusCode};

use super::models::Product;
use super::products::{select, Projected};
use crate::backend::ShopBackend;
use crate::state::AppState;

/// The rows read per statement of an export.
pub const EXPORT_CHUNK: u64 = 500;

/// The media type of the export.
pub const NDJSON: &str = "application/x-ndjson";

/// Every product matching the filters, one JSON object per line, in the ordering
/// (the list's parameters: its filters, `ordering` and `fields`).
///
/// The first chunk is read before the response starts, so a failing query is a
/// problem document rather than a truncated body.
pub async fn export_products<B: ShopBackend>(
    State(app): State<AppState<B>>,
    list: ListRequest,
) -> Result<Response, Problem> {
    let endpoint = &app.api.products;
    let listing = list.parse(endpoint)?;
    let select = listing.apply(select(listing.wants("description")));
    let rows = list
        .db(&app.db)
        .stream::<Product>(select, listing.sort.clone(), EXPORT_CHUNK);
    let mut rows = Box::pin(rows.peekable());
    if let Some(Err(_)) = rows.as_mut().peek().await {
        if let Some(Err(e)) = rows.next().await {
            return Err(e.into());
        }
    }
    let fields = listing.fields.unwrap_or_default();
    let lines = rows.map(move |row| match row {
        Ok(p) => {
            let item = Projected {
                product: p,
                fields: &fields,
                keep_id: false,
            };
            let mut line = serde_json::to_vec(&item).unwrap_or_default();
            line.push(b'\n');
            Ok(Bytes::from(line))
        }
        Err(e) => {
            tracing::error!(target: "folio_shop::export", "export failed mid-stream: {e}");
            Err(std::io::Error::other(e.to_string()))
        }
    });
    let mut response = (StatusCode::OK, Body::from_stream(lines)).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(NDJSON));
    Ok(response)
}
