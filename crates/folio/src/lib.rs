//! # folio
//!
//! Pagination for web APIs that stays fast at any depth and any table size.
//!
//! This crate is the core: it parses and validates page requests, sort
//! specifications and sparse fieldsets, signs and verifies opaque cursors, renders
//! the SQL of a page around *your own* query for SQLite, PostgreSQL or MySQL, and
//! renders the page in the envelope your clients expect, with links that keep
//! every other query parameter. It performs no I/O and depends on no database or
//! web crate: `folio-sqlx` runs the SQL, `folio-axum` speaks HTTP.
//!
//! ## Which mode when
//!
//! | mode | request | cost of page *n* | use it for |
//! | --- | --- | --- | --- |
//! | cursor (keyset) | `?cursor=<token>` | flat: one index range, whatever the depth | feeds, infinite scroll, exports, APIs of large tables (Stripe, Relay) |
//! | page number | `?page=7&per_page=20` | grows with depth (OFFSET); a deferred join keeps deep pages on the index; with bookmarks (`folio-sqlx`), a seek to a known key and a walk of under 1,000 rows | UIs with numbered pages and "jump to page" |
//! | limit/offset | `?limit=20&offset=140` | as page number | clients that already speak limit/offset (DRF's LimitOffsetPagination) |
//!
//! Counts are a separate choice (`exact`, `estimate`, `capped`, `none`; see
//! `folio-sqlx`): no mode needs a count to link to its next page, because every
//! page is fetched with one extra row.
//!
//! ## A keyset page, start to finish
//!
//! ```
//! use folio::{Select, KeysetQuery, Orderings, Postgres, Seek, Sqlite, Value};
//!
//! // The orderings a client may ask for; `id` is the unique tiebreaker.
//! let orderings = Orderings::new("id", "id")
//!     .field("price", "price_cents")
//!     .field("created_at", "created_at");
//! let spec = orderings.parse("-price").unwrap(); // -price,-id
//!
//! // Your query, with your filters and binds.
//! let base = Select::sql("SELECT id, name, price_cents FROM products WHERE category = ?")
//!     .bind("books");
//!
//! // The page after the row (price 1999, id 42): an index range, never an OFFSET.
//! // PostgreSQL numbers its placeholders after the user's.
//! let seek = Seek::After(vec![Value::Int(1999), Value::Int(42)]);
//! let base = Select::sql("SELECT id, name, price_cents FROM products WHERE category = ?")
//!     .bind("books");
//! let page = KeysetQuery::new(&spec, seek.clone(), 20).render(&Postgres, &base).unwrap();
//! assert_eq!(
//!     page.statement.sql,
//!     "SELECT * FROM (SELECT id, name, price_cents FROM products WHERE category = $1) AS q \
//!      WHERE (q.\"price_cents\", q.\"id\") < ($2, $3) \
//!      ORDER BY q.\"price_cents\" DESC, q.\"id\" DESC LIMIT 21"
//! );
//! assert_eq!(page.statement.binds, [Value::from("books"), Value::Int(1999), Value::Int(42)]);
//!
//! // SQLite gets the same page as two index seeks: the rows tied with the boundary
//! // on price, then the rows below that price.
//! let base = Select::sql("SELECT id, name, price_cents FROM products WHERE category = ?")
//!     .bind("books");
//! let page = KeysetQuery::new(&spec, seek, 20).render(&Sqlite, &base).unwrap();
//! assert!(page.statement.sql.contains("WHERE q.\"price_cents\" = ? AND q.\"id\" < ?"));
//! assert!(page.statement.sql.contains("UNION ALL"));
//! ```
//!
//! ## The SQL shapes
//!
//! - All keys in one direction: a row-value comparison `(a, b) > (?, ?)`; on SQLite,
//!   whose row-value seek stops at the first column when the last is the rowid, one
//!   `UNION ALL` arm per key instead (`a = ? AND b > ?`, then `a > ?`).
//! - Mixed directions: `a >= ? AND (a > ? OR (a = ? AND b < ?))`, the redundant bound
//!   on the leading key letting the index be entered at the boundary.
//! - A nullable leading key: its non-NULL and NULL parts are two index ranges
//!   joined by `UNION ALL`, each with its own `ORDER BY … LIMIT`; NULLs sort
//!   [`Nulls::Last`] by default, in both directions, on every backend.
//! - The unique key is appended to every ordering, with the direction of the last key.
//!
//! See [`KeysetQuery`], [`OffsetQuery`] (with [`OffsetForm::DeferredJoin`] for deep
//! offsets), [`CountQuery`] and [`ChildrenQuery`] (the first *k* children of many
//! parents in one statement).

mod children;
mod count;
mod count_strategy;
mod cursor;
mod dialect;
mod elided;
mod endpoint;
mod envelope;
mod error;
mod fields;
mod filter;
mod filter_param;
mod keyset;
mod links;
mod offset;
mod page;
mod query;
mod request;
mod select;
mod sort;
mod statement;
mod value;

pub use children::ChildrenQuery;
pub use count::{CountQuery, EstimateQuery, EstimateStatement};
pub use count_strategy::CountStrategy;
pub use cursor::{Cursor, CursorCodec, Direction, Fingerprint, FingerprintBuilder};
pub use dialect::{Dialect, MySql, Postgres, Sqlite};
pub use elided::{elided_page_range, PageItem};
pub use endpoint::{
    Endpoint, EndpointBuilder, Listing, DEFAULT_AUTO_THRESHOLD, DEFAULT_COUNT_CAP,
    DEFAULT_DEFERRED_JOIN_FROM,
};
pub use envelope::{Envelope, Resource};
pub use error::{Error, ErrorKind, Result};
pub use fields::{FieldSet, Fields};
pub use filter::{CompareOp, Filter};
pub use filter_param::{FilterOp, FilterParam, ParamKind};
pub use keyset::{Edges, KeysetQuery, KeysetStatement, Seek};
pub use links::{link_header, total_count_header, LinkBuilder, PageLinks};
pub use offset::{OffsetForm, OffsetQuery};
pub use page::{Page, Total, TotalRelation, Window};
pub use query::QueryString;
pub use request::{
    CursorPosition, DefaultMode, Mode, Modes, Oversize, PageNumber, PageRequest, ParamNames, Policy,
};
pub use select::Select;
pub use sort::{Nulls, Order, Orderings, SortKey, SortSpec};
pub use statement::Statement;
pub use value::Value;
