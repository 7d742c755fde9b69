//! # folio
//!
//! Pagination for web APIs that stays fast at any depth and any table size.
//!
//! Declare a paginated list once, as an [`Endpoint`]: the orderings a client may ask
//! for and the default one, the filters it reads from the query string, the field
//! sets, the modes it offers, the page sizes, the count strategy and the cursor
//! keys. Each request is then [`Endpoint::parse`]d into a [`Listing`] (bad input is
//! an [`Error`] naming the parameter) and cut from your [`Select`] — a table or your
//! own SQL, with filters written once for every backend. `folio-sqlx` runs it on
//! SQLite, PostgreSQL or MySQL/MariaDB; `folio-axum` answers it over HTTP.
//!
//! ```
//! use folio::{CursorCodec, Endpoint, Filter, FilterParam, Modes, Nulls, Orderings, Postgres, Select};
//!
//! let articles = Endpoint::builder("articles", CursorCodec::new(b"a key of 32 bytes or more......."))
//!     .orderings(
//!         Orderings::new("id", "id")
//!             .field("published_at", "published_at")
//!             .nullable_field("score", "score", Nulls::Last)
//!             .default_ordering("-published_at"),
//!     )
//!     .filter(FilterParam::eq("author_id").int())
//!     .modes(Modes::CURSOR)
//!     .build();
//!
//! let listing = articles.parse("/articles", "author_id=7&per_page=20").unwrap();
//! let select = listing.apply(Select::from("articles").filter(Filter::eq("published", true)));
//! assert_eq!(
//!     select.to_sql(&Postgres).unwrap().sql,
//!     r#"SELECT * FROM "articles" WHERE "published" = $1 AND "author_id" = $2"#
//! );
//!
//! // A cursor is bound to the endpoint, the path, the ordering and the select's
//! // filters with their values: replayed under `author_id=8`, it is refused.
//! let fp = |l: &folio::Listing| articles.fingerprint(l.path(), &l.sort, &l.apply(Select::from("articles")));
//! let other = articles.parse("/articles", "author_id=8").unwrap();
//! assert_ne!(fp(&listing), fp(&other));
//!
//! // What the endpoint does not offer is a 400 naming the parameter.
//! let e = articles.parse("/articles", "page=9999").unwrap_err();
//! assert_eq!((e.kind(), e.param(), e.kind().http_status()), (folio::ErrorKind::ModeNotAllowed, Some("page"), 400));
//! ```
//!
//! This crate performs no I/O and depends on no database or web crate.
//!
//! ## Which mode when
//!
//! | mode | request | cost of page *n* | use it for |
//! | --- | --- | --- | --- |
//! | cursor (keyset) | `?cursor=<token>` | flat: one index range, whatever the depth | feeds, infinite scroll, exports, APIs of large tables (Stripe, Relay) |
//! | page number | `?page=7&per_page=20` | grows with depth (OFFSET); a deferred join keeps deep pages on the index; with bookmarks (`folio-sqlx`), a seek to a known key and a walk of under 1,000 rows | UIs with numbered pages and "jump to page" |
//! | limit/offset | `?limit=20&offset=140` | as page number | clients that already speak limit/offset (DRF's LimitOffsetPagination) |
//!
//! Counts are a separate choice ([`CountStrategy`]: `exact`, `cached`, `estimate`,
//! `capped`, `auto`, `none`): no mode needs a count to link to its next page,
//! because every page is fetched with one extra row.
//!
//! ## A keyset page's SQL, for SQLite and PostgreSQL
//!
//! ```
//! use folio::{Filter, KeysetQuery, Orderings, Postgres, Seek, Select, Sqlite, Value};
//!
//! // The orderings a client may ask for; `id` is the unique tiebreaker.
//! let orderings = Orderings::new("id", "id")
//!     .field("price", "price_cents")
//!     .field("created_at", "created_at");
//! let spec = orderings.parse("-price").unwrap(); // -price,-id
//!
//! // Your query, with your filters: written once, for every backend.
//! let select = Select::from("products")
//!     .columns(["id", "name", "price_cents"])
//!     .filter(Filter::eq("category", "books"));
//!
//! // The page after the row (price 1999, id 42): an index range, never an OFFSET.
//! let seek = Seek::After(vec![Value::Int(1999), Value::Int(42)]);
//! let page = KeysetQuery::new(&spec, seek.clone(), 20).render(&Postgres, &select).unwrap();
//! assert_eq!(
//!     page.statement.sql,
//!     r#"SELECT * FROM (SELECT "id", "name", "price_cents" FROM "products" WHERE "category" = $1) AS q WHERE (q."price_cents", q."id") < ($2, $3) ORDER BY q."price_cents" DESC, q."id" DESC LIMIT 21"#
//! );
//! assert_eq!(page.statement.binds, [Value::from("books"), Value::Int(1999), Value::Int(42)]);
//!
//! // SQLite gets the same page as two index seeks: the rows tied with the boundary
//! // on price, then the rows below that price.
//! let page = KeysetQuery::new(&spec, seek, 20).render(&Sqlite, &select).unwrap();
//! assert!(page.statement.sql.contains(r#"WHERE q."price_cents" = ? AND q."id" < ?"#));
//! assert!(page.statement.sql.contains("UNION ALL"));
//! ```
//!
//! ## The SQL shapes
//!
//! - All keys in one direction: a row-value comparison `(a, b) > (?, ?)`; on SQLite,
//!   whose row-value seek stops at the first column when the last is the rowid, one
//!   `UNION ALL` arm per key instead (`a = ? AND b > ?`, then `a > ?`).
//! - Mixed directions, or a backend whose planner does not use an index for a row
//!   value (MySQL, MariaDB): `a >= ? AND (a > ? OR (a = ? AND b < ?))`, the
//!   redundant bound on the leading key letting the index be entered at the boundary.
//! - A nullable leading key: its non-NULL and NULL parts are two index ranges
//!   joined by `UNION ALL`, each with its own `ORDER BY … LIMIT`; NULLs sort
//!   [`Nulls::Last`] by default, in both directions, on every backend.
//! - The unique key is appended to every ordering, with the direction of the last key.
//!
//! See [`KeysetQuery`], [`OffsetQuery`] (with [`OffsetForm::DeferredJoin`] for deep
//! offsets), [`CountQuery`], [`EstimateQuery`] and [`ChildrenQuery`] (the first *k*
//! children of many parents in one statement). One trait holds every difference
//! between backends: [`Dialect`].

mod audit;
mod children;
mod count;
mod count_strategy;
mod cursor;
mod dialect;
mod distributed_dialects;
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

pub use audit::{
    AuditCase, AuditEntry, AuditReport, AuditSample, AuditStatements, IndexAudit, PlanReading,
    SampleQuery, SampleRole, TableAccess, DEFAULT_AUDIT_BOOKMARK_SKIP, DEFAULT_AUDIT_MAX_CASES,
    DEFAULT_AUDIT_MAX_FILTERS,
};
pub use children::ChildrenQuery;
pub use count::{CountQuery, EstimateQuery, EstimateStatement};
pub use count_strategy::CountStrategy;
pub use cursor::{Cursor, CursorCodec, Direction, Fingerprint, FingerprintBuilder};
pub use dialect::{Dialect, MySql, Postgres, Sqlite};
pub use distributed_dialects::{CockroachDb, YugabyteDb};
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
