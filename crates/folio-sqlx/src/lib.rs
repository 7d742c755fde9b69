//! folio-sqlx (in progress).
