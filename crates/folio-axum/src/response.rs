//! A page as an HTTP response: the envelope body, `Link` and `X-Total-Count`.

use axum::response::{IntoResponse, Response};
use http::{header, HeaderName, HeaderValue, StatusCode};
use serde::Serialize;

use crate::{Problem, RequestUrl};

/// The `X-Total-Count` header name.
pub const TOTAL_COUNT_HEADER: &str = "x-total-count";

/// A page rendered for the client: the body in `envelope`'s shape
/// ([`folio::Envelope::to_vec`]) with links built from the request URL (every other
/// query parameter kept as the client sent it), an RFC 8288 `Link` header and
/// `X-Total-Count` when the total is exact; `Content-Type` as the envelope says
/// (`application/json`, or `application/vnd.api+json` for JSON:API).
///
/// ```no_run
/// use folio_axum::{PageResponse, RequestUrl};
/// # fn page() -> folio::Page<serde_json::Value> { unimplemented!() }
/// let response = PageResponse::new(
///     page(),
///     folio::Envelope::Drf,
///     RequestUrl::new("http://shop.example/api/products", "page=2"),
///     folio::ParamNames::drf(),
/// );
/// ```
#[derive(Debug, Clone)]
pub struct PageResponse<T> {
    /// The page.
    pub page: folio::Page<T>,
    /// The body's shape.
    pub envelope: folio::Envelope,
    /// The request's URL, the base of every link.
    pub url: RequestUrl,
    /// The pagination parameter names the links set.
    pub names: folio::ParamNames,
}

impl<T: Serialize> PageResponse<T> {
    /// A response for `page`.
    pub fn new(
        page: folio::Page<T>,
        envelope: folio::Envelope,
        url: RequestUrl,
        names: folio::ParamNames,
    ) -> Self {
        PageResponse {
            page,
            envelope,
            url,
            names,
        }
    }

    /// The navigation links of the page.
    pub fn links(&self) -> folio::PageLinks {
        folio::LinkBuilder::new(&self.url.base, &self.url.query, &self.names).links(&self.page)
    }
}

impl<T: Serialize> IntoResponse for PageResponse<T> {
    fn into_response(self) -> Response {
        let links = self.links();
        let body = match self.envelope.to_vec(&self.page, &links) {
            Ok(body) => body,
            Err(e) => {
                tracing::error!(error = %e, "a page could not be serialized");
                return Problem::internal().into_response();
            }
        };
        let mut response = (StatusCode::OK, body).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(self.envelope.content_type()),
        );
        if let Some(link) = folio::link_header(&links) {
            if let Ok(value) = HeaderValue::from_str(&link) {
                headers.insert(header::LINK, value);
            }
        }
        if let Some(total) = folio::total_count_header(&self.page) {
            if let Ok(value) = HeaderValue::from_str(&total) {
                headers.insert(HeaderName::from_static(TOTAL_COUNT_HEADER), value);
            }
        }
        response
    }
}
