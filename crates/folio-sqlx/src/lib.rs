//! # folio-sqlx
//!
//! Runs what [`folio`] renders through sqlx 0.8, on SQLite and PostgreSQL: pages in
//! every mode ([`PageQuery`]), the count strategies of SPEC §2.4 ([`CountStrategy`],
//! [`CountCache`]), bookmarks that make deep page numbers a seek ([`Bookmarks`]),
//! batched children ([`load_children`]) and keyset streams ([`stream`]). Backend differences live in folio's [`folio::Dialect`]; this crate
//! only binds values, reads key columns and picks the statistics a backend has.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), folio_sqlx::Error> {
//! use folio::{BaseQuery, Mode, PageRequest, SortSpec, Statement};
//! use folio_sqlx::{CountStrategy, Db, PageQuery, StatementCounter};
//!
//! let db = Db::connect("sqlite::memory:").await?;
//! db.execute(&Statement { sql: "CREATE TABLE t (id INTEGER PRIMARY KEY)".into(), binds: vec![] }).await?;
//! db.execute(&Statement { sql: "INSERT INTO t VALUES (1), (2), (3)".into(), binds: vec![] }).await?;
//!
//! let counter = StatementCounter::new();
//! let request = PageRequest { mode: Mode::Offset(0), size: 2 };
//! let (base, spec) = (BaseQuery::new("SELECT id FROM t"), SortSpec::by_unique("id", "id"));
//! let page = PageQuery::new(&base, &spec, &request)
//!     .count(CountStrategy::Exact)
//!     .fetch::<(i64,)>(&db.counted(&counter))
//!     .await?;
//! assert_eq!(page.items, [(1,), (2,)]);
//! assert!(page.has_next);
//! assert_eq!(page.total, Some(folio::Total::exact(3)));
//! assert_eq!(counter.get(), 2); // the page and the count
//! # Ok(()) }
//! ```
//!
//! ## Statements per page request (SPEC §3.4)
//!
//! Every page is ONE statement (`limit + 1` rows: the extra row decides `has_next`),
//! plus at most one count:
//!
//! | strategy | SQLite | PostgreSQL |
//! | --- | --- | --- |
//! | `none` | 0 | 0 |
//! | `exact` | 1 `COUNT(*)` | 1 `COUNT(*)` (concurrent with the page) |
//! | `cached` | 0 on a hit, else 1 | 0 on a hit, else 1 |
//! | `capped(n)` | 1, reads ≤ n+1 rows | 1, reads ≤ n+1 rows |
//! | `estimate`, `.table(t)` | 1: `sqlite_stat1`, with `COUNT(*)` in the same statement below 1,000 | 1: `pg_class`, with `COUNT(*)` in the same statement below 1,000 |
//! | `estimate`, filtered | 1: count capped at the auto threshold (no planner estimate) | 1: `EXPLAIN (FORMAT JSON)` rows |
//! | `auto`, `.table(t)` | 1: `sqlite_stat1`, `COUNT(*)` in the same statement under the threshold | 1: `pg_class`, `COUNT(*)` in the same statement under the threshold |
//! | `auto`, filtered | 1: count capped at the threshold (`eq` under it, `gte` at it) | same as SQLite |
//!
//! Exceptions, all within two statements: the count is skipped when the page shows
//! the total (an offset page that ends the collection and is not past its end, or a
//! keyset page with nothing on either side); `page=last` counts first (exactly, or
//! through the cache) and then reads the page; a page past the end under `none`
//! counts exactly so the envelope can point `previous` at the last page. One case
//! goes over: a SQLite database that was never `ANALYZE`d has no `sqlite_stat1`, and
//! a table estimate then falls back to an exact count (a second count statement).
//! Run `ANALYZE` after seeding.
//!
//! Why a capped count for filtered `auto`: an estimate of a filtered query needs
//! `EXPLAIN`, and "exact when the estimate is small" would then be a second count
//! statement. Capping at the threshold answers exactly in one statement whenever the
//! estimate rule would have counted, and says "threshold or more" (`gte`) otherwise.
//! On PostgreSQL the scalar `COUNT(*)` sub-select of the table estimate is an init
//! plan that runs only when its branch is taken; SQLite likewise runs it lazily.
//!
//! [`Bookmarks`] add none: a deep page read from a bookmark is still one statement,
//! and the walk that takes a query's bookmarks runs in the background, outside the
//! request's count.
//!
//! [`load_children`] adds exactly one statement per chunk of parents (one for any
//! realistic page); [`stream`] runs one statement per chunk.
//!
//! ## Values
//!
//! Binds: [`folio::Value`] `Int` → `i64`, `Float` → `f64`, `Text` → text, `Bool`,
//! `Bytes`, `Null` → an `i64` NULL; `Timestamp` → `TIMESTAMPTZ` on PostgreSQL and,
//! on SQLite, RFC 3339 text with microseconds and `Z` (the shop schema's form).
//! Key columns are read by their runtime type: SQLite `INTEGER`/`REAL`/`TEXT`/`BLOB`
//! (timestamps stored as text stay text); PostgreSQL `INT2/4/8`, `FLOAT4/8`,
//! `TEXT`/`VARCHAR`/`BPCHAR`/`NAME`, `BOOL`, `BYTEA`, `TIMESTAMPTZ`/`TIMESTAMP`
//! (microseconds; `TIMESTAMP` taken as UTC). Any other type in a sort key (`DATE`,
//! `NUMERIC`…) is an [`ErrorKind::Decode`] error: cast it in the base query.

mod bookmarks;
mod cache;
mod children;
mod count;
mod db;
mod error;
mod keys;
mod page;
mod stream;

pub use bookmarks::{Bookmarks, DEFAULT_BOOKMARK_STRIDE};
pub use children::{load_children, Children};
pub use count::{
    CountCache, CountStrategy, DEFAULT_AUTO_THRESHOLD, DEFAULT_COUNT_CAP, ESTIMATE_EXACT_BELOW,
};
pub use db::{Backend, Db, StatementCounter};
pub use error::{Error, ErrorKind, Result};
pub use page::{PageQuery, DEFAULT_DEFERRED_JOIN_FROM};
pub use stream::stream;

/// The sqlx this crate is built on (derive `sqlx::FromRow` for your rows with it).
pub use sqlx;
