//! What the shop needs of a backend beyond folio's: its schema, how to open it
//! for serving, how to find its tables and how to seed it in bulk.

use std::future::Future;
use std::str::FromStr;
use std::time::Duration;

use folio::{Select, Statement};
use folio_sqlx::{Backend, Db, Decodes, MySql, PoolSettings, Postgres, Rusqlite, RusqlitePool};
use sqlx::mysql::{MySqlConnectOptions, MySqlPoolOptions};
use sqlx::postgres::PgPoolOptions;

use crate::api::models::{Order, Product, User};
use crate::seed::{SeedOptions, SeedReport};

/// An error of the server's setup, shown to the operator.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The shop's tables.
pub const TABLES: [&str; 3] = ["products", "users", "orders"];

/// The schema of one backend, split where the indexes start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Schema {
    /// The CREATE TABLE statements.
    pub tables: &'static str,
    /// The CREATE INDEX statements (run after a bulk load).
    pub indexes: &'static str,
}

impl Schema {
    /// Splits a schema file at its `-- indexes` line.
    pub fn split(sql: &'static str) -> Schema {
        let mut offset = 0;
        for line in sql.split_inclusive('\n') {
            if line.trim_end() == "-- indexes" {
                return Schema {
                    tables: &sql[..offset],
                    indexes: &sql[offset..],
                };
            }
            offset += line.len();
        }
        Schema {
            tables: sql,
            indexes: "",
        }
    }

    /// The statements of one part, one at a time (for backends that run one
    /// statement per call). Comment lines go first: one may hold a `;`.
    pub fn statements(part: &str) -> impl Iterator<Item = String> + '_ {
        let code = part
            .lines()
            .filter(|l| !l.trim_start().starts_with("--"))
            .collect::<Vec<_>>()
            .join("\n");
        code.split(';')
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .into_iter()
    }
}

/// A database opened for the shop: the pool that seeds it, and (SQLite) the file
/// a pool of more connections serves afterwards.
#[derive(Debug)]
pub struct Opened<B: Backend> {
    /// The pool seeding writes through (SQLite: one connection).
    pub writer: B::Pool,
    /// The SQLite file a read pool opens after seeding (`None`: the writer pool
    /// serves).
    pub read: Option<std::path::PathBuf>,
}

/// A backend the shop runs on: folio's [`Backend`] whose rows decode into the
/// shop's types, and the shop's own setup per backend.
pub trait ShopBackend:
    Backend + Decodes<Product> + Decodes<User> + Decodes<Order> + Decodes<(i64,)>
{
    /// The schema: `sql/schema.<backend>.sql`.
    fn schema() -> Schema;

    /// A query that returns a row when the table named by its one `?` exists in the
    /// database the connection uses.
    const TABLE_EXISTS: &'static str;

    /// Opens `url` for the shop (pool sizes, timeouts, SQLite's WAL).
    fn open(url: &str) -> impl Future<Output = Result<Opened<Self>, BoxError>> + Send;

    /// Seeds the empty database: tables, rows in bulk, indexes, statistics.
    fn seed(
        db: &Db<Self>,
        options: &SeedOptions,
    ) -> impl Future<Output = Result<SeedReport, folio_sqlx::Error>> + Send;

    /// The connections a serving pool opens unless told otherwise.
    fn default_connections() -> u32 {
        pool_size() * 4
    }

    /// The pool the server reads through once seeding is done, opened anew on
    /// `url` with `settings` (the seeding pool has no statement time limit).
    fn serve_pool(
        opened: Opened<Self>,
        url: &str,
        settings: PoolSettings,
    ) -> impl Future<Output = Result<Self::Pool, BoxError>> + Send {
        let url = url.to_owned();
        async move {
            Db::<Self>::new(opened.writer).close().await;
            Ok(Self::connect_with(&url, settings).await?)
        }
    }
}

/// The number of connections of a read pool: the cores, at least 2.
pub fn pool_size() -> u32 {
    std::thread::available_parallelism()
        .map_or(2, |n| n.get() as u32)
        .max(2)
}

/// Which of the shop's tables a database holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TableState {
    /// All of them: serve the database as it is.
    Complete,
    /// None: an empty database, to be created and seeded.
    Empty,
    /// Some but not all (the missing ones).
    Partial(Vec<&'static str>),
}

/// Which of the shop's tables exist in `db`.
pub async fn tables<B: ShopBackend>(db: &Db<B>) -> Result<TableState, folio_sqlx::Error> {
    let mut present = Vec::new();
    for table in TABLES {
        let found = db
            .find::<(i64,)>(&Select::sql(B::TABLE_EXISTS).bind(table))
            .await?;
        if found.is_some() {
            present.push(table);
        }
    }
    Ok(match present.len() {
        0 => TableState::Empty,
        n if n == TABLES.len() => TableState::Complete,
        _ => TableState::Partial(
            TABLES
                .into_iter()
                .filter(|t| !present.contains(t))
                .collect(),
        ),
    })
}

/// Runs `sql` (statements separated by `;`) one statement at a time.
pub(crate) async fn run_script<B: Backend>(db: &Db<B>, sql: &str) -> Result<(), folio_sqlx::Error> {
    for statement in Schema::statements(sql) {
        db.execute(&Statement {
            sql: statement,
            binds: Vec::new(),
        })
        .await?;
    }
    Ok(())
}

const SQLITE_SQL: &str = include_str!("../../../sql/schema.sqlite.sql");
const POSTGRES_SQL: &str = include_str!("../../../sql/schema.postgres.sql");
const MYSQL_SQL: &str = include_str!("../../../sql/schema.mysql.sql");

impl ShopBackend for Rusqlite {
    fn schema() -> Schema {
        Schema::split(SQLITE_SQL)
    }

    const TABLE_EXISTS: &'static str =
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?";

    /// A file (created if absent, WAL, a busy timeout): a single connection for
    /// seeding, and a read pool of [`pool_size`] connections opened after it. An
    /// in-memory database keeps its one connection.
    fn open(url: &str) -> impl Future<Output = Result<Opened<Self>, BoxError>> + Send {
        let url = url.to_owned();
        async move {
            let path = sqlite_path(&url);
            let writer = match &path {
                Some(path) => {
                    let path = path.clone();
                    tokio::task::spawn_blocking(move || RusqlitePool::open(path, 1)).await??
                }
                None => RusqlitePool::memory()?,
            };
            Ok(Opened { writer, read: path })
        }
    }

    fn seed(
        db: &Db<Self>,
        options: &SeedOptions,
    ) -> impl Future<Output = Result<SeedReport, folio_sqlx::Error>> + Send {
        crate::seed::seed_by_inserts(
            db,
            Self::schema(),
            options,
            crate::seed::BulkScript {
                before: "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; \
                         PRAGMA cache_size = -262144; PRAGMA temp_store = MEMORY; \
                         PRAGMA foreign_keys = OFF; BEGIN",
                after_rows: "COMMIT",
                analyze: "ANALYZE",
                after: "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                        PRAGMA foreign_keys = ON",
            },
        )
    }

    /// One per core and one more: the costly statements (at most one fewer than the
    /// connections by default) never hold every connection, so a cheap page always
    /// finds one.
    fn default_connections() -> u32 {
        pool_size() + 1
    }

    async fn serve_pool(
        opened: Opened<Self>,
        _url: &str,
        settings: PoolSettings,
    ) -> Result<RusqlitePool, BoxError> {
        let Some(path) = opened.read else {
            return Ok(opened.writer);
        };
        drop(opened.writer);
        Ok(tokio::task::spawn_blocking(move || RusqlitePool::open_with(path, settings)).await??)
    }
}

/// The file of a `sqlite:` URL (`sqlite://shop.db`, `sqlite:shop.db`, options after
/// `?` dropped), `None` for an in-memory database.
fn sqlite_path(url: &str) -> Option<std::path::PathBuf> {
    let rest = url.strip_prefix("sqlite:").unwrap_or(url);
    let rest = rest.strip_prefix("//").unwrap_or(rest);
    let path = rest.split('?').next().unwrap_or_default();
    (!path.is_empty() && path != ":memory:" && !url.contains("mode=memory"))
        .then(|| std::path::PathBuf::from(path))
}

impl ShopBackend for Postgres {
    fn schema() -> Schema {
        Schema::split(POSTGRES_SQL)
    }

    const TABLE_EXISTS: &'static str = "SELECT 1::BIGINT FROM information_schema.tables \
         WHERE table_schema = current_schema() AND table_name = ?";

    fn open(url: &str) -> impl Future<Output = Result<Opened<Self>, BoxError>> + Send {
        let url = url.to_owned();
        async move {
            let writer = PgPoolOptions::new()
                .max_connections(pool_size() * 4)
                .acquire_timeout(Duration::from_secs(10))
                .connect(&url)
                .await?;
            Ok(Opened {
                writer: writer.into(),
                read: None,
            })
        }
    }

    fn seed(
        db: &Db<Self>,
        options: &SeedOptions,
    ) -> impl Future<Output = Result<SeedReport, folio_sqlx::Error>> + Send {
        crate::seed::seed_postgres(db.clone(), Self::schema(), *options)
    }
}

impl ShopBackend for MySql {
    fn schema() -> Schema {
        Schema::split(MYSQL_SQL)
    }

    const TABLE_EXISTS: &'static str = "SELECT 1 FROM information_schema.tables \
         WHERE table_schema = DATABASE() AND table_name = ?";

    fn open(url: &str) -> impl Future<Output = Result<Opened<Self>, BoxError>> + Send {
        let url = url.to_owned();
        async move {
            let options = MySqlConnectOptions::from_str(&url)?;
            let writer = MySqlPoolOptions::new()
                .max_connections(pool_size() * 4)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(options)
                .await?;
            Ok(Opened {
                writer: writer.into(),
                read: None,
            })
        }
    }

    fn seed(
        db: &Db<Self>,
        options: &SeedOptions,
    ) -> impl Future<Output = Result<SeedReport, folio_sqlx::Error>> + Send {
        crate::seed::seed_by_inserts(
            db,
            Self::schema(),
            options,
            crate::seed::BulkScript {
                // Autocommitted multi-row INSERTs over the pool: no session setting
                // would hold across its connections.
                before: "",
                after_rows: "",
                analyze: "ANALYZE TABLE products, users, orders",
                after: "",
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemas_split_at_indexes() {
        for schema in [Rusqlite::schema(), Postgres::schema(), MySql::schema()] {
            assert!(schema.tables.contains("CREATE TABLE products"));
            assert!(!schema.tables.lines().any(|l| l.starts_with("CREATE INDEX")));
            assert!(schema.indexes.contains("CREATE INDEX products_price_id"));
            assert_eq!(Schema::statements(schema.indexes).count(), 14);
            assert_eq!(Schema::statements(schema.tables).count(), 3);
            // No comment text around a statement (a `;` in a comment once split one).
            for statement in
                Schema::statements(schema.tables).chain(Schema::statements(schema.indexes))
            {
                assert!(statement.starts_with("CREATE "), "{statement}");
            }
        }
    }
}
