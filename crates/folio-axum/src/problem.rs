//! RFC 9457 problem documents (`application/problem+json`).

use axum::response::{IntoResponse, Response};
use http::{header, HeaderValue, StatusCode};
use serde::Serialize;

/// The media type of a problem document.
pub const PROBLEM_CONTENT_TYPE: &str = "application/problem+json";

/// One parameter a request got wrong: `{"name": "page", "reason": "must be a positive integer"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InvalidParam {
    /// The query parameter (or path parameter) concerned.
    pub name: String,
    /// Why its value was refused.
    pub reason: String,
}

/// An RFC 9457 problem document, answered as `application/problem+json`:
/// `{"type", "title", "status", "detail", "invalid_params": [{"name", "reason"}]}`.
///
/// Build one from a [`folio::Error`] or a [`folio_sqlx::Error`] (`?` in a handler
/// returning `Result<_, Problem>` does it), or with [`Problem::not_found`] and
/// [`Problem::bad_request`]. Database and internal failures become a generic 500
/// whose body names neither SQL nor the database's message; the detail is logged.
///
/// ```
/// use folio_axum::Problem;
/// let p = Problem::from(folio::Error::invalid("per_page", "must be an integer"));
/// assert_eq!(p.status, 400);
/// assert_eq!(p.title, "Invalid parameter");
/// assert_eq!(p.invalid_params[0].name, "per_page");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema),
    schema(description = "An RFC 9457 problem document, answered as `application/problem+json`.")
)]
pub struct Problem {
    /// A URI naming the problem type (`urn:folio:problem:<kind>`; `about:blank` for
    /// plain HTTP problems such as 404).
    #[serde(rename = "type")]
    pub type_uri: String,
    /// A short human summary of the problem type.
    pub title: String,
    /// The HTTP status.
    pub status: u16,
    /// What went wrong with this request.
    pub detail: String,
    /// The parameters at fault (empty when none).
    pub invalid_params: Vec<InvalidParam>,
    /// Seconds after which the client may retry (`Retry-After`), for a 503.
    #[serde(skip)]
    pub retry_after: Option<u32>,
}

/// Where a problem comes from; [`status_of`] maps every cause to its status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cause {
    /// A folio error of this kind.
    Folio(folio::ErrorKind),
    /// The database cannot be reached.
    DatabaseUnavailable,
    /// The database is up but has no room now (every connection or costly slot
    /// taken).
    Busy,
    /// A statement ran past its time limit.
    StatementTimeout,
    /// Any other database or internal failure.
    Internal,
    /// The resource does not exist.
    NotFound,
    /// A bad request outside folio's parameters (say a path parameter).
    BadRequest,
}

/// The one place where a cause becomes an HTTP status. folio's kinds keep the
/// status folio gives them ([`folio::ErrorKind::http_status`]).
fn status_of(cause: Cause) -> StatusCode {
    match cause {
        Cause::Folio(kind) => {
            StatusCode::from_u16(kind.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
        }
        Cause::DatabaseUnavailable | Cause::Busy | Cause::StatementTimeout => {
            StatusCode::SERVICE_UNAVAILABLE
        }
        Cause::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        Cause::NotFound => StatusCode::NOT_FOUND,
        Cause::BadRequest => StatusCode::BAD_REQUEST,
    }
}

impl Problem {
    fn plain(cause: Cause, detail: impl Into<String>) -> Self {
        let status = status_of(cause);
        Problem {
            type_uri: "about:blank".to_owned(),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail: detail.into(),
            invalid_params: Vec::new(),
            retry_after: None,
        }
    }

    /// A 404: the resource does not exist.
    ///
    /// ```
    /// let p = folio_axum::Problem::not_found("no product with id 7");
    /// assert_eq!((p.status, p.title.as_str()), (404, "Not Found"));
    /// assert!(p.invalid_params.is_empty());
    /// ```
    pub fn not_found(detail: impl Into<String>) -> Self {
        Problem::plain(Cause::NotFound, detail)
    }

    /// A 400 about parameter `name`.
    ///
    /// ```
    /// let p = folio_axum::Problem::bad_request("id", "must be an integer");
    /// assert_eq!(p.status, 400);
    /// assert_eq!(p.detail, "id: must be an integer");
    /// assert_eq!(p.invalid_params[0].reason, "must be an integer");
    /// ```
    pub fn bad_request(name: &str, reason: impl Into<String>) -> Self {
        let reason = reason.into();
        Problem {
            detail: format!("{name}: {reason}"),
            invalid_params: vec![InvalidParam {
                name: name.to_owned(),
                reason,
            }],
            ..Problem::plain(Cause::BadRequest, String::new())
        }
    }

    /// A generic 500 whose body says nothing about the cause.
    ///
    /// ```
    /// let p = folio_axum::Problem::internal();
    /// assert_eq!(p.status, 500);
    /// assert_eq!(p.detail, "The server could not answer this request.");
    /// ```
    pub fn internal() -> Self {
        Problem::plain(Cause::Internal, "The server could not answer this request.")
    }

    /// A 503: the database cannot be reached; the client may retry after a second
    /// (`Retry-After: 1`).
    ///
    /// ```
    /// let p = folio_axum::Problem::unavailable();
    /// assert_eq!((p.status, p.retry_after), (503, Some(1)));
    /// assert_eq!(p.detail, "The database is unavailable; try again shortly.");
    /// ```
    pub fn unavailable() -> Self {
        Problem::retry(
            Cause::DatabaseUnavailable,
            "The database is unavailable; try again shortly.",
        )
    }

    /// A 503: the database is up but has no room for this request now (every
    /// connection stayed busy past the pool's wait, or too many costly requests run
    /// at once); the client may retry after a second.
    ///
    /// ```
    /// let p = folio_axum::Problem::busy();
    /// assert_eq!((p.status, p.retry_after), (503, Some(1)));
    /// assert_eq!(p.detail, "The server is busy; try again shortly.");
    /// ```
    pub fn busy() -> Self {
        Problem::retry(Cause::Busy, "The server is busy; try again shortly.")
    }

    /// A 503: the request's statement ran past the server's time limit and was
    /// stopped; the client may retry after a second (or ask for less: no exact
    /// count, a narrower filter).
    ///
    /// ```
    /// let p = folio_axum::Problem::statement_timeout();
    /// assert_eq!((p.status, p.retry_after), (503, Some(1)));
    /// assert!(p.detail.starts_with("The query took too long"));
    /// ```
    pub fn statement_timeout() -> Self {
        Problem::retry(
            Cause::StatementTimeout,
            "The query took too long and was stopped; try again, or ask for less.",
        )
    }

    /// A 503 of `cause` with `Retry-After: 1`.
    fn retry(cause: Cause, detail: &str) -> Self {
        Problem {
            retry_after: Some(1),
            ..Problem::plain(cause, detail)
        }
    }

    /// The status as an [`http::StatusCode`].
    ///
    /// ```
    /// assert_eq!(folio_axum::Problem::not_found("x").status_code(), http::StatusCode::NOT_FOUND);
    /// ```
    pub fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

impl From<folio::Error> for Problem {
    fn from(e: folio::Error) -> Self {
        Problem::from(&e)
    }
}

impl From<&folio::Error> for Problem {
    fn from(e: &folio::Error) -> Self {
        let kind = e.kind();
        let status = status_of(Cause::Folio(kind));
        if status.is_server_error() {
            // Misuse of the library: a bug on the server, not the client's business.
            tracing::error!(error = %e, "folio error answered with a 500");
            return Problem::internal();
        }
        Problem {
            type_uri: format!("urn:folio:problem:{}", kind.slug()),
            title: kind.title().to_owned(),
            status: status.as_u16(),
            detail: e.to_string(),
            invalid_params: e
                .param()
                .map(|name| InvalidParam {
                    name: name.to_owned(),
                    reason: e.reason().to_owned(),
                })
                .into_iter()
                .collect(),
            retry_after: None,
        }
    }
}

impl From<folio_sqlx::Error> for Problem {
    fn from(e: folio_sqlx::Error) -> Self {
        if let Some(folio_error) = e.as_folio() {
            return Problem::from(folio_error);
        }
        // The detail (SQL, the database's message) goes to the log, never to the
        // client. A full pool or a timeout is load, not a fault: a warning.
        match e.kind() {
            folio_sqlx::ErrorKind::Busy | folio_sqlx::ErrorKind::Timeout => {
                tracing::warn!(error = %e, "database busy");
            }
            _ => tracing::error!(error = ?e, kind = ?e.kind(), "database error"),
        }
        match e.kind() {
            folio_sqlx::ErrorKind::Unavailable => Problem::unavailable(),
            folio_sqlx::ErrorKind::Busy => Problem::busy(),
            folio_sqlx::ErrorKind::Timeout => Problem::statement_timeout(),
            _ => Problem::internal(),
        }
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.status, self.title, self.detail)
    }
}

impl std::error::Error for Problem {}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = self.status_code();
        let body = serde_json::to_vec(&self).unwrap_or_else(|_| b"{}".to_vec());
        let mut response = (
            status,
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static(PROBLEM_CONTENT_TYPE),
            )],
            body,
        )
            .into_response();
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}
