//! The one error type of the core, with a small kind enum mapped to HTTP statuses.

use std::fmt;

/// What went wrong, in categories a caller can act on.
///
/// Every kind maps to one HTTP status in [`ErrorKind::http_status`]; the web
/// adapters use that mapping and no other.
///
/// ```
/// use folio::ErrorKind;
/// assert_eq!(ErrorKind::InvalidParameter.http_status(), 400);
/// assert_eq!(ErrorKind::Internal.http_status(), 500);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A query parameter is not a valid value: not an integer, out of range, zero.
    InvalidParameter,
    /// Parameters of two pagination modes were given together (say `page` and `cursor`).
    ConflictingModes,
    /// An ordering names a field that is not on the whitelist.
    UnknownOrdering,
    /// A field set names a field that is not on the whitelist.
    UnknownField,
    /// A cursor token that is not a token folio made: bad encoding, truncated, garbage.
    MalformedCursor,
    /// A cursor whose signature does not verify under the server key (tampered or forged).
    BadCursorSignature,
    /// A well-formed cursor of a version this build does not read.
    UnknownCursorVersion,
    /// A genuine cursor replayed with another ordering, other filters or another endpoint.
    CursorMismatch,
    /// A genuine cursor older than the endpoint's maximum cursor age.
    CursorExpired,
    /// A parameter of a pagination mode the endpoint does not offer (say `page` on a
    /// cursor-only endpoint).
    ModeNotAllowed,
    /// The caller used the library wrongly (say a boundary with the wrong number of
    /// values); a bug in the calling code, never the client's fault.
    Internal,
}

impl ErrorKind {
    /// The HTTP status this kind of error is answered with.
    ///
    /// ```
    /// assert_eq!(folio::ErrorKind::CursorMismatch.http_status(), 400);
    /// ```
    pub fn http_status(self) -> u16 {
        match self {
            ErrorKind::InvalidParameter
            | ErrorKind::ConflictingModes
            | ErrorKind::UnknownOrdering
            | ErrorKind::UnknownField
            | ErrorKind::MalformedCursor
            | ErrorKind::BadCursorSignature
            | ErrorKind::UnknownCursorVersion
            | ErrorKind::CursorMismatch
            | ErrorKind::CursorExpired
            | ErrorKind::ModeNotAllowed => 400,
            ErrorKind::Internal => 500,
        }
    }

    /// A stable, URL-safe name of the kind (`invalid-parameter`, `cursor-mismatch`…):
    /// the last part of a problem document's `type` (`urn:folio:problem:<slug>`).
    ///
    /// ```
    /// assert_eq!(folio::ErrorKind::CursorExpired.slug(), "cursor-expired");
    /// ```
    pub fn slug(self) -> &'static str {
        match self {
            ErrorKind::InvalidParameter => "invalid-parameter",
            ErrorKind::ConflictingModes => "conflicting-modes",
            ErrorKind::UnknownOrdering => "unknown-ordering",
            ErrorKind::UnknownField => "unknown-field",
            ErrorKind::MalformedCursor => "malformed-cursor",
            ErrorKind::BadCursorSignature => "bad-cursor-signature",
            ErrorKind::UnknownCursorVersion => "unknown-cursor-version",
            ErrorKind::CursorMismatch => "cursor-mismatch",
            ErrorKind::CursorExpired => "cursor-expired",
            ErrorKind::ModeNotAllowed => "mode-not-allowed",
            ErrorKind::Internal => "internal",
        }
    }

    /// A short human title for the kind (the `title` of a problem document).
    ///
    /// ```
    /// assert_eq!(folio::ErrorKind::UnknownOrdering.title(), "Unknown ordering");
    /// ```
    pub fn title(self) -> &'static str {
        match self {
            ErrorKind::InvalidParameter => "Invalid parameter",
            ErrorKind::ConflictingModes => "Conflicting pagination parameters",
            ErrorKind::UnknownOrdering => "Unknown ordering",
            ErrorKind::UnknownField => "Unknown field",
            ErrorKind::MalformedCursor => "Malformed cursor",
            ErrorKind::BadCursorSignature => "Invalid cursor signature",
            ErrorKind::UnknownCursorVersion => "Unknown cursor version",
            ErrorKind::CursorMismatch => "Cursor does not match this request",
            ErrorKind::CursorExpired => "Cursor expired",
            ErrorKind::ModeNotAllowed => "Pagination mode not offered",
            ErrorKind::Internal => "Internal error",
        }
    }
}

/// A folio error: its kind, the parameter it concerns (if any) and the reason.
///
/// ```
/// use folio::{Error, ErrorKind};
/// let e = Error::invalid("page", "must be a positive integer");
/// assert_eq!(e.kind(), ErrorKind::InvalidParameter);
/// assert_eq!(e.param(), Some("page"));
/// assert_eq!(e.to_string(), "page: must be a positive integer");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    param: Option<String>,
    reason: String,
}

impl Error {
    /// An error of `kind` about parameter `param`.
    ///
    /// ```
    /// let e = folio::Error::new(folio::ErrorKind::UnknownField, Some("fields"), "unknown field `sku`");
    /// assert_eq!(e.reason(), "unknown field `sku`");
    /// ```
    pub fn new(kind: ErrorKind, param: Option<&str>, reason: impl Into<String>) -> Self {
        Error {
            kind,
            param: param.map(str::to_owned),
            reason: reason.into(),
        }
    }

    /// An [`ErrorKind::InvalidParameter`] error about `param`.
    ///
    /// ```
    /// assert_eq!(folio::Error::invalid("offset", "must not be negative").param(), Some("offset"));
    /// ```
    pub fn invalid(param: &str, reason: impl Into<String>) -> Self {
        Error::new(ErrorKind::InvalidParameter, Some(param), reason)
    }

    /// An [`ErrorKind::Internal`] error: the library was used wrongly.
    ///
    /// ```
    /// assert_eq!(folio::Error::internal("boom").kind().http_status(), 500);
    /// ```
    pub fn internal(reason: impl Into<String>) -> Self {
        Error::new(ErrorKind::Internal, None, reason)
    }

    /// The same error, about another parameter name (used when one value is read
    /// under several names, as cursors are under `cursor`, `page[after]`…).
    ///
    /// ```
    /// let e = folio::Error::invalid("cursor", "bad").with_param("page[after]");
    /// assert_eq!(e.param(), Some("page[after]"));
    /// ```
    pub fn with_param(mut self, param: &str) -> Self {
        self.param = Some(param.to_owned());
        self
    }

    /// The kind of error.
    ///
    /// ```
    /// assert_eq!(folio::Error::invalid("p", "r").kind(), folio::ErrorKind::InvalidParameter);
    /// ```
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The query parameter the error is about, if any.
    ///
    /// ```
    /// assert_eq!(folio::Error::internal("x").param(), None);
    /// ```
    pub fn param(&self) -> Option<&str> {
        self.param.as_deref()
    }

    /// Why the input was refused, in words a client can act on.
    ///
    /// ```
    /// assert_eq!(folio::Error::invalid("p", "too big").reason(), "too big");
    /// ```
    pub fn reason(&self) -> &str {
        &self.reason
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.param {
            Some(p) => write!(f, "{p}: {}", self.reason),
            None => f.write_str(&self.reason),
        }
    }
}

impl std::error::Error for Error {}

/// The result type of the core.
pub type Result<T, E = Error> = std::result::Result<T, E>;
