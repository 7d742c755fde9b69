//! folio-axum (in progress).
