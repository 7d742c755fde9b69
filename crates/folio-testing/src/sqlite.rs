//! SQLite databases for tests.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions};
use sqlx::SqlitePool;

/// An empty in-memory SQLite database behind a pool of exactly one connection.
///
/// Every connection to `sqlite::memory:` opens a database of its own, so the pool
/// holds one connection and never lets it go (no idle timeout, no maximum lifetime):
/// the database lives as long as the pool. The flip side: a test cannot hold two
/// connections of this pool at once (the second `acquire` waits for the first).
/// Use [`sqlite_file`] for concurrent readers and writers, or for a database shared
/// by the tests of a binary.
///
/// ```no_run
/// # async fn f() {
/// let pool = folio_testing::sqlite_memory().await;
/// folio_testing::load_products(&pool, 1_000).await;
/// # }
/// ```
pub async fn sqlite_memory() -> SqlitePool {
    let options = SqliteConnectOptions::from_str("sqlite::memory:")
        .expect("folio-testing: in-memory SQLite options");
    SqlitePoolOptions::new()
        .max_connections(1)
        .min_connections(1)
        .idle_timeout(None)
        .max_lifetime(None)
        .connect_with(options)
        .await
        .expect("folio-testing: cannot open an in-memory SQLite database")
}

/// A SQLite database in a file of its own temporary directory, removed on drop.
///
/// It holds no pool, so it can be shared (in a static) by tests that each run on
/// their own runtime: each opens its own pool with [`SqliteTestDb::pool`].
#[derive(Debug)]
pub struct SqliteTestDb {
    dir: tempfile::TempDir,
    path: PathBuf,
}

/// A new, empty file database (created on first connection) in a fresh temporary
/// directory.
///
/// ```
/// let db = folio_testing::sqlite_file();
/// assert!(db.url().starts_with("sqlite://"));
/// assert!(!db.path().exists()); // created on first connection
/// ```
pub fn sqlite_file() -> SqliteTestDb {
    let dir = tempfile::Builder::new()
        .prefix("folio-sqlite-")
        .tempdir()
        .expect("folio-testing: cannot create a temporary directory");
    let path = dir.path().join("folio.db");
    SqliteTestDb { dir, path }
}

impl SqliteTestDb {
    /// The database file.
    ///
    /// ```
    /// assert!(folio_testing::sqlite_file().path().ends_with("folio.db"));
    /// ```
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A sqlx URL of the database.
    ///
    /// ```
    /// assert!(folio_testing::sqlite_file().url().ends_with("/folio.db"));
    /// ```
    pub fn url(&self) -> String {
        format!("sqlite://{}", self.path.display())
    }

    /// Connection options: create the file if missing, WAL journal, foreign keys on.
    ///
    /// ```
    /// let _ = folio_testing::sqlite_file().connect_options();
    /// ```
    pub fn connect_options(&self) -> SqliteConnectOptions {
        SqliteConnectOptions::new()
            .filename(&self.path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .foreign_keys(true)
    }

    /// A new pool (up to 4 connections) on the database, on the caller's runtime.
    ///
    /// ```no_run
    /// # async fn f() {
    /// let db = folio_testing::sqlite_file();
    /// let pool = db.pool().await;
    /// # }
    /// ```
    pub async fn pool(&self) -> SqlitePool {
        SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(self.connect_options())
            .await
            .unwrap_or_else(|e| {
                panic!(
                    "folio-testing: cannot open SQLite database {}: {e}",
                    self.dir.path().display()
                )
            })
    }
}
