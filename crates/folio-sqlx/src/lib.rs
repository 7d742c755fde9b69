//! # folio-sqlx
//!
//! Runs [`folio`]'s pagination through sqlx on SQLite, PostgreSQL and
//! MySQL/MariaDB: a page of an [`folio::Endpoint`] in any mode ([`Db::page`]),
//! the count strategies ([`folio::CountStrategy`], [`CountCache`]), bookmarks that
//! make deep page numbers a seek ([`Bookmarks`]), batched children
//! ([`Db::children`]) and keyset streams ([`Db::stream`]).
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), folio_sqlx::Error> {
//! use folio::{CountStrategy, CursorCodec, Endpoint, Select, Statement};
//! use folio_sqlx::{Db, Sqlite, StatementCounter};
//!
//! let db = Db::<Sqlite>::connect("sqlite::memory:").await?;
//! db.execute(&Statement { sql: "CREATE TABLE t (id INTEGER PRIMARY KEY)".into(), binds: vec![] }).await?;
//! db.execute(&Statement { sql: "INSERT INTO t VALUES (1), (2), (3)".into(), binds: vec![] }).await?;
//!
//! let endpoint = Endpoint::builder("t", CursorCodec::new(b"server key")).build();
//! let listing = endpoint.parse("/t", "limit=2&count=exact").unwrap();
//! let counter = StatementCounter::new();
//! let page = db.counted(&counter).page::<(i64,)>(&endpoint, &listing, Select::from("t")).await?;
//! assert_eq!(page.items, [(1,), (2,)]);
//! assert!(page.has_next);
//! assert_eq!(page.total, Some(folio::Total::exact(3)));
//! assert_eq!(counter.get(), 2); // the page and the count
//! # Ok(()) }
//! ```
//!
//! ## One code path over a small backend trait
//!
//! [`Db`] is generic over a [`Backend`]: [`Sqlite`], [`Postgres`] and [`MySql`]
//! (sqlx's database types, each behind the cargo feature of its name, all on by
//! default). What differs between them is in the trait (how a value is bound, how a
//! column is read back, whether a page and its count may run at once) and in folio's
//! [`folio::Dialect`] (the SQL); everything else is written once. A row type decodes
//! on its own backend only ([`Decodes`]), so a PostgreSQL-only column works on a
//! PostgreSQL endpoint.
//!
//! On SQLite, `Rusqlite` (the `rusqlite` feature) is the faster executor: it runs
//! statements on the caller's thread and keeps SQLite's plan of a statement
//! whatever is bound to it. sqlx's [`Sqlite`] cannot turn on that guarantee, so on
//! a database with `sqlite_stat4` statistics it plans every keyset page and every
//! filtered statement again on each run.
//!
//! The sqlx backends run on a [`SqlxPool`]: sqlx's pool, made from the one the
//! application opened ([`Db::new`] takes it as it is), with the connections whose
//! statement ran to its end in the last second kept in front of it, so a busy server
//! skips the ping sqlx sends as a connection goes back to its pool.
//!
//! ## Read replicas
//!
//! [`Db::with_replicas`] gives a database read [`Replicas`]: every read (pages,
//! counts, children, streams, bookmark walks) goes to them in turn, writes
//! ([`Db::execute`]) to the primary, and a read no replica can answer to the
//! primary; a replica that cannot be reached is skipped until it answers again.
//! [`Db::primary`] reads from the primary (what was just written).
//!
//! ## Statements per page request
//!
//! Every page is ONE statement (`limit + 1` rows: the extra row decides `has_next`),
//! plus at most one count:
//!
//! | strategy | SQLite | PostgreSQL | MySQL, MariaDB |
//! | --- | --- | --- | --- |
//! | `none` | 0 | 0 | 0 |
//! | `exact` | 1 `COUNT(*)` | 1 `COUNT(*)` (at once with the page) | as PostgreSQL |
//! | `cached` | 0 on a hit, else 1 | 0 on a hit, else 1 | 0 on a hit, else 1 |
//! | `capped` | 1, reads ≤ cap + 1 rows | 1, reads ≤ cap + 1 rows | 1, reads ≤ cap + 1 rows |
//! | `estimate`, whole table | 1: `sqlite_stat1`, `COUNT(*)` in the same statement below 1,000 | 1: `pg_class` | 1: `information_schema.TABLES` |
//! | `estimate`, filtered | 1: count capped at the auto threshold (no planner estimate) | 1: `EXPLAIN (FORMAT JSON)` rows | 1: `EXPLAIN FORMAT=JSON` rows |
//! | `auto`, whole table | 1: `sqlite_stat1`, `COUNT(*)` in the same statement under the threshold | as SQLite, from `pg_class` | as SQLite, from `information_schema.TABLES` |
//! | `auto`, filtered | 1: count capped at the threshold (`eq` under it, `gte` at it) | same | same |
//!
//! Exceptions, all within two statements: the count is skipped when the page shows
//! the total (an offset page that ends the collection and is not past its end, or a
//! keyset page with nothing on either side); `page=last` counts first (exactly, or
//! through the cache) and then reads the page; a page past the end under `none`
//! counts exactly so the envelope can point `previous` at the last page. One case
//! goes over: a SQLite database that was never `ANALYZE`d has no `sqlite_stat1`; a
//! table estimate then fails to read it and counts exactly (two count statements,
//! until the table exists). Run `ANALYZE` after loading data.
//!
//! How exact each estimate is: SQLite's `sqlite_stat1` holds the row counts of the
//! last `ANALYZE`; PostgreSQL's `reltuples` those of the last `ANALYZE` or
//! autovacuum, scaled to the table's current size; MySQL's `TABLE_ROWS` is InnoDB's
//! sampled estimate (often 10–40% off), cached by MySQL 8 for
//! `information_schema_stats_expiry` seconds (a day by default); the planners' row
//! estimates of a filtered query come from their column statistics. Every estimate
//! is answered with `total_relation: approx`.
//!
//! [`Bookmarks`] add none: a deep page read from a bookmark is still one statement,
//! and the walk that takes a query's bookmarks runs in the background, outside the
//! request's count. [`Db::children`] adds exactly one statement per chunk of
//! parents (one for any realistic page); [`Db::stream`] runs one statement per
//! chunk.
//!
//! ## Index audit
//!
//! [`Db::audit`] asks this database's planner whether an index serves every
//! combination of ordering and filters a [`folio::IndexAudit`] describes, and names the
//! index to create for each one that sorts instead; the report's
//! [`folio::AuditReport::assert_served`] fails a test with it:
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), folio_sqlx::Error> {
//! use folio::{CursorCodec, Endpoint, FilterParam, IndexAudit, Orderings, Select, Statement};
//! let db = folio_sqlx::Db::<folio_sqlx::Sqlite>::connect("sqlite::memory:").await?;
//! for sql in [
//!     "CREATE TABLE t (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, name TEXT NOT NULL)",
//!     "INSERT INTO t (kind, name) VALUES ('a', 'x'), ('b', 'y')",
//!     "CREATE INDEX t_kind_name_id ON t (kind, name, id)",
//!     "CREATE INDEX t_name_id ON t (name, id)",
//!     "CREATE INDEX t_kind_id ON t (kind, id)",
//! ] {
//!     db.execute(&Statement::new(sql)).await?;
//! }
//! let endpoint = Endpoint::builder("t", CursorCodec::new(b"key"))
//!     .orderings(Orderings::new("id", "id").field("name", "name"))
//!     .filter(FilterParam::eq("kind"))
//!     .build();
//! db.audit(&IndexAudit::new(&endpoint, Select::from("t"))).await?.assert_served();
//! # Ok(()) }
//! ```
//!
//! ## Values
//!
//! Binds: [`folio::Value`] `Int` → `i64`, `Float` → `f64`, `Text` → text, `Bool`,
//! `Bytes`, `Null` → an `i64` NULL; `Timestamp` → `TIMESTAMPTZ` on PostgreSQL, a
//! UTC `DATETIME` on MySQL, and on SQLite RFC 3339 text with microseconds and `Z`.
//! Key columns are read by their runtime type: SQLite `INTEGER`/`REAL`/`TEXT`/`BLOB`
//! (timestamps stored as text stay text); PostgreSQL `INT2/4/8`, `FLOAT4/8`,
//! `TEXT`/`VARCHAR`/`BPCHAR`/`NAME`, `BOOL`, `BYTEA`, `TIMESTAMPTZ`/`TIMESTAMP`
//! (microseconds; `TIMESTAMP` taken as UTC); MySQL the integer types, `FLOAT`,
//! `DOUBLE`, the text and binary types, `DATETIME`/`TIMESTAMP`. Any other type in a
//! sort key (`DATE`, `NUMERIC`…) is an [`ErrorKind::Decode`] error: cast it in the
//! select.

mod audit;
mod backend;
mod bookmarks;
mod cache;
mod children;
mod count;
mod counter;
mod db;
mod error;
mod keys;
mod limits;
#[cfg(feature = "mysql")]
mod mysql;
mod page;
mod pool_settings;
#[cfg(feature = "postgres")]
mod postgres;
mod replicas;
#[cfg(feature = "rusqlite")]
mod row_de;
#[cfg(feature = "rusqlite")]
mod rusqlite;
#[cfg(feature = "sqlite")]
mod sqlite;
#[cfg(feature = "rusqlite")]
mod sqlite_datetime;
#[cfg(any(feature = "sqlite", feature = "postgres", feature = "mysql"))]
mod sqlx_pool;
mod stream;
mod timestamp;

pub use backend::{Backend, Decodes, SqlxBackend};
pub use bookmarks::{Bookmarks, DEFAULT_BOOKMARK_STRIDE};
pub use cache::CountCache;
pub use children::Children;
pub use count::ESTIMATE_EXACT_BELOW;
pub use counter::StatementCounter;
pub use db::{Db, ESTIMATE_TTL};
pub use error::{Error, ErrorKind, Result};
pub use limits::{Limits, DEFAULT_COSTLY_OFFSET};
pub use pool_settings::{PoolSettings, DEFAULT_ACQUIRE_TIMEOUT, DEFAULT_STATEMENT_TIMEOUT};
pub use replicas::{Replicas, REPLICA_ACQUIRE_TIMEOUT, REPLICA_RECHECK};
#[cfg(feature = "rusqlite")]
pub use rusqlite::{Lease, Rusqlite, RusqlitePool, ValueRow};
#[cfg(feature = "rusqlite")]
pub use sqlite_datetime::sqlite_datetime;
#[cfg(any(feature = "sqlite", feature = "postgres", feature = "mysql"))]
pub use sqlx_pool::SqlxPool;
pub use timestamp::rfc3339_micros;

/// MySQL and MariaDB (sqlx's database type).
#[cfg(feature = "mysql")]
pub use sqlx::MySql;
/// PostgreSQL (sqlx's database type).
#[cfg(feature = "postgres")]
pub use sqlx::Postgres;
/// SQLite (sqlx's database type).
#[cfg(feature = "sqlite")]
pub use sqlx::Sqlite;
