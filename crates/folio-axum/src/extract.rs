//! Extractors: the raw query string, the request's absolute URL, and parsing a
//! [`folio::PageRequest`] with a problem for a rejection.

use axum::extract::{FromRef, FromRequestParts};
use http::{header, request::Parts, HeaderMap};

use crate::Problem;

/// The raw query string of the request (`""` when there is none), checked to be
/// well formed: every `%` starts a two-digit hex escape and the decoded text is UTF-8.
///
/// A malformed query string is rejected with a 400 [`Problem`] about the parameter
/// concerned, never a 500. The string itself is kept as the client sent it, so links
/// can keep every other parameter exactly.
///
/// ```
/// use axum::{routing::get, Router};
/// use folio_axum::RawQueryString;
///
/// async fn handler(RawQueryString(q): RawQueryString) -> String {
///     q
/// }
/// let app: Router = Router::new().route("/", get(handler));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawQueryString(pub String);

impl RawQueryString {
    /// Checks a raw query string: percent escapes complete and the decoded names
    /// and values UTF-8.
    ///
    /// ```
    /// use folio_axum::RawQueryString;
    /// assert!(RawQueryString::parse("page=2&category=Home%20%26%20Garden").is_ok());
    /// assert_eq!(RawQueryString::parse("page=%zz").unwrap_err().status, 400);
    /// assert_eq!(RawQueryString::parse("name=%ff").unwrap_err().status, 400);
    /// ```
    pub fn parse(raw: &str) -> Result<RawQueryString, Problem> {
        for pair in raw.split('&').filter(|p| !p.is_empty()) {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            let name_text = decode(name).map_err(|reason| {
                Problem::bad_request(&String::from_utf8_lossy(name.as_bytes()), reason)
            })?;
            decode(value).map_err(|reason| Problem::bad_request(&name_text, reason))?;
        }
        Ok(RawQueryString(raw.to_owned()))
    }
}

/// Percent-decodes one component of a query string (`+` is a space), refusing
/// incomplete escapes and bytes that are not UTF-8.
fn decode(component: &str) -> Result<String, &'static str> {
    let bytes = component.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let ok = bytes.len() > i + 2
                && bytes[i + 1].is_ascii_hexdigit()
                && bytes[i + 2].is_ascii_hexdigit();
            if !ok {
                return Err("malformed percent-encoding in the query string");
            }
            i += 3;
        } else {
            i += 1;
        }
    }
    let spaced = component.replace('+', " ");
    percent_encoding::percent_decode_str(&spaced)
        .decode_utf8()
        .map(std::borrow::Cow::into_owned)
        .map_err(|_| "the query string does not decode to UTF-8")
}

impl<S: Send + Sync> FromRequestParts<S> for RawQueryString {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        RawQueryString::parse(parts.uri.query().unwrap_or(""))
    }
}

/// Parses a page request from a raw query string under `policy`; a bad parameter is
/// a 400 [`Problem`].
///
/// ```
/// let policy = folio::Policy::new();
/// let req = folio_axum::page_request("per_page=5", &policy).unwrap();
/// assert_eq!(req.size, 5);
/// let problem = folio_axum::page_request("per_page=five", &policy).unwrap_err();
/// assert_eq!(problem.status, 400);
/// assert_eq!(problem.invalid_params[0].name, "per_page");
/// ```
pub fn page_request(raw: &str, policy: &folio::Policy) -> Result<folio::PageRequest, Problem> {
    folio::PageRequest::from_query(raw, policy).map_err(Problem::from)
}

/// Whether [`RequestUrl`] honours `X-Forwarded-Proto` and `X-Forwarded-Host`.
///
/// Trust them only behind a reverse proxy that sets (and strips) them: otherwise any
/// client can make the server print links to a host of its choosing. The extractor
/// reads the setting from the request extensions first (say
/// `.layer(axum::Extension(TrustForwarded(true)))`), then from the router state via
/// [`FromRef`]. With a `()` state and no extension, forwarded headers are ignored.
///
/// ```
/// use axum::extract::FromRef;
/// use folio_axum::TrustForwarded;
///
/// #[derive(Clone)]
/// struct AppState { behind_proxy: bool }
/// impl FromRef<AppState> for TrustForwarded {
///     fn from_ref(s: &AppState) -> Self { TrustForwarded(s.behind_proxy) }
/// }
/// assert_eq!(TrustForwarded::from_ref(&()), TrustForwarded(false));
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct TrustForwarded(pub bool);

impl FromRef<()> for TrustForwarded {
    fn from_ref((): &()) -> Self {
        TrustForwarded(false)
    }
}

/// The absolute URL of the request: `base` is `scheme://host/path` (no query) and
/// `query` the raw query string, both as the client sent them.
///
/// The host comes from the `Host` header (or the URI's authority, HTTP/2), the scheme
/// from the URI or `http`. `X-Forwarded-Proto` and `X-Forwarded-Host` are used only
/// when [`TrustForwarded`] says so. A request without a usable host, or with a host
/// holding characters no host has, is a 400 [`Problem`]; a malformed query string
/// too (as [`RawQueryString`]).
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
        let query = RawQueryString::parse(parts.uri.query().unwrap_or(""))?.0;
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

impl<S> FromRequestParts<S> for RequestUrl
where
    S: Send + Sync,
    TrustForwarded: FromRef<S>,
{
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let trust = parts
            .extensions
            .get::<TrustForwarded>()
            .copied()
            .unwrap_or_else(|| TrustForwarded::from_ref(state));
        RequestUrl::from_parts(parts, trust.0)
    }
}
