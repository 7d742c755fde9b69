//! Extractors: the request's absolute URL, and whether to trust forwarded headers.

use axum::extract::FromRequestParts;
use http::{header, request::Parts, HeaderMap};

use crate::Problem;

/// Whether [`RequestUrl`] (and so every link) honours `X-Forwarded-Proto` and
/// `X-Forwarded-Host`. Off unless a layer says so:
///
/// ```
/// use axum::{routing::get, Extension, Router};
/// use folio_axum::TrustForwarded;
/// let app: Router = Router::new()
///     .route("/", get(|| async { "ok" }))
///     // behind a reverse proxy that sets (and strips) the forwarded headers
///     .layer(Extension(TrustForwarded(true)));
/// ```
///
/// Trust them only behind such a proxy: otherwise any client can make the server
/// print links to a host of its choosing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct TrustForwarded(pub bool);

/// The absolute URL of the request: `base` is `scheme://host/path` (no query) and
/// `query` the raw query string, both as the client sent them.
///
/// The host comes from the `Host` header (or the URI's authority, HTTP/2), the scheme
/// from the URI or `http`. `X-Forwarded-Proto` and `X-Forwarded-Host` are used only
/// when [`TrustForwarded`] says so. A request without a usable host, or with a host
/// holding characters no host has, is a 400 [`Problem`]; a malformed query string
/// too (a value that does not decode).
///
/// ```
/// use folio_axum::RequestUrl;
/// let url = RequestUrl::new("http://shop.example/api/products", "page=2");
/// assert_eq!(url.base, "http://shop.example/api/products");
/// assert_eq!(url.query, "page=2");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestUrl {
    /// `scheme://host/path`, without the query.
    pub base: String,
    /// The raw query string (`""` when there is none).
    pub query: String,
}

impl RequestUrl {
    /// A URL from its parts.
    ///
    /// ```
    /// let url = folio_axum::RequestUrl::new("https://a.example/x", "");
    /// assert_eq!(url.to_string(), "https://a.example/x");
    /// ```
    pub fn new(base: impl Into<String>, query: impl Into<String>) -> Self {
        RequestUrl {
            base: base.into(),
            query: query.into(),
        }
    }

    /// The URL of a request from its parts, trusting forwarded headers or not.
    ///
    /// ```
    /// let req = http::Request::get("/api/users?page=2")
    ///     .header("host", "shop.example:8000")
    ///     .header("x-forwarded-host", "evil.example")
    ///     .body(())
    ///     .unwrap();
    /// let (parts, ()) = req.into_parts();
    /// let url = folio_axum::RequestUrl::from_parts(&parts, false).unwrap();
    /// assert_eq!(url.base, "http://shop.example:8000/api/users");
    /// assert_eq!(url.query, "page=2");
    /// ```
    pub fn from_parts(parts: &Parts, trust_forwarded: bool) -> Result<RequestUrl, Problem> {
        let forwarded = |name: &str| -> Option<String> {
            if !trust_forwarded {
                return None;
            }
            first_value(&parts.headers, name)
        };
        let scheme = forwarded("x-forwarded-proto")
            .map(|s| s.to_ascii_lowercase())
            .filter(|s| s == "http" || s == "https")
            .or_else(|| parts.uri.scheme_str().map(str::to_owned))
            .unwrap_or_else(|| "http".to_owned());
        let host = forwarded("x-forwarded-host")
            .or_else(|| {
                parts
                    .headers
                    .get(header::HOST)
                    .and_then(|v| v.to_str().ok())
                    .map(|s| s.trim().to_owned())
            })
            .or_else(|| parts.uri.authority().map(|a| a.as_str().to_owned()))
            .filter(|h| !h.is_empty())
            .ok_or_else(|| Problem::bad_request("Host", "the request names no host"))?;
        if !host.bytes().all(is_host_byte) {
            return Err(Problem::bad_request("Host", "not a valid host"));
        }
        let query = checked_query(parts.uri.query().unwrap_or(""))?;
        Ok(RequestUrl {
            base: format!("{scheme}://{host}{}", parts.uri.path()),
            query,
        })
    }
}

/// The first value of a comma-separated header, trimmed.
fn first_value(headers: &HeaderMap, name: &str) -> Option<String> {
    let value = headers.get(name)?.to_str().ok()?;
    let first = value.split(',').next()?.trim();
    (!first.is_empty()).then(|| first.to_owned())
}

/// Bytes a host (name, IPv4, bracketed IPv6, port) may hold.
fn is_host_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b':' | b'[' | b']' | b'%')
}

impl std::fmt::Display for RequestUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.query.is_empty() {
            f.write_str(&self.base)
        } else {
            write!(f, "{}?{}", self.base, self.query)
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for RequestUrl {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let trust = parts
            .extensions
            .get::<TrustForwarded>()
            .copied()
            .unwrap_or_default();
        RequestUrl::from_parts(parts, trust.0)
    }
}

/// The raw query string, checked to be well formed: every value decodes (a `%`
/// starts a two-digit hex escape, and the text is UTF-8). A bad value is a 400
/// [`Problem`] about its parameter, never a 500. The string itself is kept as the
/// client sent it, so links can keep every other parameter exactly.
fn checked_query(raw: &str) -> Result<String, Problem> {
    let query = folio::QueryString::parse(raw);
    for name in query.names() {
        query.get(name)?;
    }
    Ok(raw.to_owned())
}
