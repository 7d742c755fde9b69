//! Test support shared by folio's crates: real databases for tests, and the shop
//! data set loaded fast and deterministically.
//!
//! - [`postgres`]: a fresh, empty PostgreSQL database per call. With
//!   `FOLIO_TEST_PG_URL` set, databases are created on that server; otherwise one
//!   throwaway cluster is started per test binary (see [`postgres`] for how it is
//!   started and torn down). Without PostgreSQL the call returns `None` after a loud
//!   message on stderr, and panics instead when `CI` or `FOLIO_REQUIRE_PG` is set.
//! - [`mysql`]: the same for MariaDB (or MySQL): a fresh, empty database per call
//!   (`utf8mb4`, case-insensitive `utf8mb4_general_ci`), on the server named by
//!   `FOLIO_TEST_MYSQL_URL`, else on one throwaway `mariadbd` per test binary,
//!   started from the installed binaries. Without MariaDB it returns `None` after a
//!   loud message, and panics instead when `CI` or `FOLIO_REQUIRE_MYSQL` is set.
//! - [`sqlite_memory`] and [`sqlite_file`]: SQLite databases.
//! - [`load_products`], [`load_users_orders`], [`load_shop`]: the shop schema (the
//!   repository's `sql/schema.*.sql`) filled with deterministic rows in one SQL
//!   statement per table, indexed after the load, then analyzed; on a SQLite, a
//!   PostgreSQL or a MySQL/MariaDB pool alike (any [`ShopDb`]), with the same rows.
//! - [`block_on`]: runs a future on a private runtime, for one-time setup shared
//!   by the tests of a binary (each `#[tokio::test]` has its own runtime, so a
//!   pool must never be kept in a static; a [`PgTestDb`], a [`MySqlTestDb`] or a
//!   [`SqliteTestDb`] can).
//!
//! A PostgreSQL test reads:
//!
//! ```no_run
//! #[tokio::test]
//! async fn pages_on_postgres() {
//!     let Some(db) = folio_testing::postgres().await else { return };
//!     let pool = db.pool().await;
//!     folio_testing::load_products(&pool, 1_000).await;
//!     // …
//! }
//! ```

mod mysql;
mod pg;
mod server;
mod shop;
mod sqlite;

pub use mysql::{mysql, MySqlTestDb};
pub use pg::{postgres, PgCluster, PgTestDb};
pub use shop::{
    create_schema, load_products, load_shop, load_users_orders, orders_of_user, split_schema, Shop,
    ShopDb, CATEGORIES, MYSQL_SCHEMA, POSTGRES_SCHEMA, SQLITE_SCHEMA,
};
pub use sqlite::{sqlite_file, sqlite_memory, SqliteTestDb};

/// Runs the future that `make` returns to completion on a fresh current-thread
/// runtime in a scoped thread, and returns its output. (The future is made on that
/// thread, so it need not be `Send`.) Safe to call from inside another runtime (a
/// `#[tokio::test]`), which `Runtime::block_on` is not.
///
/// Use it for setup done once per test binary behind a `std::sync::OnceLock`: the
/// runtime (and any pool made on it) is gone when the call returns, so keep only
/// runtime-independent things (a [`PgTestDb`], a [`SqliteTestDb`], a URL).
///
/// ```
/// assert_eq!(folio_testing::block_on(|| async { 40 + 2 }), 42);
/// ```
///
/// ```no_run
/// use std::sync::OnceLock;
/// use folio_testing::PgTestDb;
///
/// static PRODUCTS: OnceLock<Option<PgTestDb>> = OnceLock::new();
///
/// fn products_db() -> Option<&'static PgTestDb> {
///     PRODUCTS
///         .get_or_init(|| {
///             folio_testing::block_on(|| async {
///                 let db = folio_testing::postgres().await?;
///                 folio_testing::load_products(&db.pool().await, 200_000).await;
///                 Some(db)
///             })
///         })
///         .as_ref()
/// }
/// ```
pub fn block_on<M, F>(make: M) -> F::Output
where
    M: FnOnce() -> F + Send,
    F: std::future::Future,
    F::Output: Send,
{
    std::thread::scope(|scope| {
        let worker = scope.spawn(|| {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("folio-testing: cannot build a tokio runtime")
                .block_on(make())
        });
        match worker.join() {
            Ok(output) => output,
            Err(panic) => std::panic::resume_unwind(panic),
        }
    })
}
