//! A page as an HTTP response: the envelope body, `Link` and `X-Total-Count`.

use axum::response::{IntoResponse, Response};
use http::{header, HeaderName, HeaderValue, StatusCode};
use serde::Serialize;

use crate::{Problem, RequestUrl};

/// The `X-Total-Count` header name.
pub const TOTAL_COUNT_HEADER: &str = "x-total-count";

/// A page rendered for the client: the body in the endpoint's envelope
/// ([`folio::Envelope::to_vec`]) with links built from the request URL (every other
/// query parameter kept as the client sent it), an RFC 8288 `Link` header and
/// `X-Total-Count` when the total is exact; `Content-Type` as the envelope says
/// (`application/json`, or `application/vnd.api+json` for JSON:API).
///
/// ```
/// use folio::{CursorCodec, Endpoint, Envelope, Page, Window};
/// use folio_axum::{PageResponse, RequestUrl};
/// let endpoint = Endpoint::builder("products", CursorCodec::new(b"k")).envelope(Envelope::Drf).build();
/// let page = Page {
///     items: vec![1, 2], has_next: true, has_previous: false, total: None,
///     window: Window::Page { number: 1, size: 2 },
///     next_cursor: None, previous_cursor: None, item_cursors: vec![],
/// };
/// let response = PageResponse::new(page, &endpoint, RequestUrl::new("http://shop.example/api/products", "page_size=2"));
/// assert_eq!(response.links().next.as_deref(), Some("http://shop.example/api/products?page_size=2&page=2"));
/// ```
#[derive(Debug, Clone)]
pub struct PageResponse<T> {
    /// The page.
    pub page: folio::Page<T>,
    /// The body's shape.
    pub envelope: folio::Envelope,
    /// The collection's names in the body.
    pub resource: folio::Resource,
    /// The request's URL, the base of every link.
    pub url: RequestUrl,
    /// The pagination parameter names the links set.
    pub names: folio::ParamNames,
}

impl<T: Serialize> PageResponse<T> {
    /// The response of `endpoint` with `page` to the request at `url`.
    pub fn new(page: folio::Page<T>, endpoint: &folio::Endpoint, url: RequestUrl) -> Self {
        PageResponse {
            page,
            envelope: endpoint.envelope(),
            resource: endpoint.resource().clone(),
            url,
            names: endpoint.policy().names.clone(),
        }
    }

    /// The same response with every item mapped (say to a projection of the
    /// fields asked for).
    ///
    /// ```
    /// use folio::{CursorCodec, Endpoint, Page, Window};
    /// let e = Endpoint::builder("n", CursorCodec::new(b"k")).build();
    /// let page = Page { items: vec![1, 2], has_next: false, has_previous: false, total: None,
    ///     window: Window::Page { number: 1, size: 2 }, next_cursor: None, previous_cursor: None, item_cursors: vec![] };
    /// let r = folio_axum::PageResponse::new(page, &e, folio_axum::RequestUrl::new("http://x/n", "")).map(|i| i * 10);
    /// assert_eq!(r.page.items, [10, 20]);
    /// ```
    pub fn map<U: Serialize>(self, f: impl FnMut(T) -> U) -> PageResponse<U> {
        PageResponse {
            page: self.page.map(f),
            envelope: self.envelope,
            resource: self.resource,
            url: self.url,
            names: self.names,
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
        let body = match self.envelope.to_vec(&self.resource, &self.page, &links) {
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
