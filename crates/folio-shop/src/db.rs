//! Opening the database: SQLite (a file, created if absent, WAL) or PostgreSQL; the
//! schema check; the first-start demo seeding.

use std::str::FromStr;
use std::time::Duration;

use sqlx::{
    postgres::PgPoolOptions,
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
    PgPool, SqlitePool,
};

use crate::seed::{DemoSize, SeedOptions, SeedReport};

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

const SQLITE_SQL: &str = include_str!("../../../sql/schema.sqlite.sql");
const POSTGRES_SQL: &str = include_str!("../../../sql/schema.postgres.sql");

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

    /// SQLite's schema (`sql/schema.sqlite.sql`).
    pub fn sqlite() -> Schema {
        Schema::split(SQLITE_SQL)
    }

    /// PostgreSQL's schema (`sql/schema.postgres.sql`).
    pub fn postgres() -> Schema {
        Schema::split(POSTGRES_SQL)
    }
}

/// An open database, before it is handed to the server.
#[derive(Debug, Clone)]
pub enum Target {
    /// SQLite: a single-connection writer pool (seeding); the read pool is opened by
    /// [`Target::into_db`].
    Sqlite {
        /// The connect options (file, WAL, busy timeout, synchronous=NORMAL).
        options: Box<SqliteConnectOptions>,
        /// One connection, for writing.
        writer: SqlitePool,
        /// An in-memory database: one connection serves everything.
        memory: bool,
    },
    /// PostgreSQL: a pool.
    Postgres(PgPool),
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

/// The number of connections of the read pool: the cores, at least 2.
fn pool_size() -> u32 {
    std::thread::available_parallelism()
        .map_or(2, |n| n.get() as u32)
        .max(2)
}

/// Opens `url`: `sqlite:…` (the file is created if absent) or `postgres://…`.
pub async fn open(url: &str) -> Result<Target, BoxError> {
    if url.starts_with("sqlite:") {
        let memory = url.contains(":memory:") || url.contains("mode=memory");
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(if memory {
                SqliteJournalMode::Memory
            } else {
                SqliteJournalMode::Wal
            })
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(5))
            .foreign_keys(true);
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(u32::from(memory))
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with(options.clone())
            .await?;
        Ok(Target::Sqlite {
            options: Box::new(options),
            writer,
            memory,
        })
    } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
        let pool = PgPoolOptions::new()
            .max_connections(pool_size() * 4)
            .acquire_timeout(Duration::from_secs(10))
            .connect(url)
            .await?;
        Ok(Target::Postgres(pool))
    } else {
        Err(format!("unsupported database URL `{url}`: use sqlite://FILE or postgres://…").into())
    }
}

impl Target {
    /// Which of the shop's tables exist.
    pub async fn tables(&self) -> Result<TableState, sqlx::Error> {
        let mut present = Vec::new();
        for table in TABLES {
            let found: Option<(i64,)> = match self {
                Target::Sqlite { writer, .. } => {
                    sqlx::query_as("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?")
                        .bind(table)
                        .fetch_optional(writer)
                        .await?
                }
                Target::Postgres(pool) => {
                    sqlx::query_as(
                        "SELECT 1::BIGINT FROM information_schema.tables \
                         WHERE table_schema = current_schema() AND table_name = $1",
                    )
                    .bind(table)
                    .fetch_optional(pool)
                    .await?
                }
            };
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

    /// Seeds the (empty) database.
    pub async fn seed(&self, options: &SeedOptions) -> Result<SeedReport, sqlx::Error> {
        match self {
            Target::Sqlite { writer, .. } => {
                crate::seed::seed_sqlite(writer, &Schema::sqlite(), options).await
            }
            Target::Postgres(pool) => {
                crate::seed::seed_postgres(pool, &Schema::postgres(), options).await
            }
        }
    }

    /// The database the server reads: SQLite's writer is closed and a read pool of
    /// [`pool_size`] connections opened (an in-memory database keeps its one
    /// connection).
    pub async fn into_db(self) -> Result<folio_sqlx::Db, sqlx::Error> {
        match self {
            Target::Sqlite {
                options,
                writer,
                memory,
            } => {
                if memory {
                    return Ok(folio_sqlx::Db::from(writer));
                }
                writer.close().await;
                let read = SqlitePoolOptions::new()
                    .max_connections(pool_size())
                    .connect_with(*options)
                    .await?;
                Ok(folio_sqlx::Db::from(read))
            }
            Target::Postgres(pool) => Ok(folio_sqlx::Db::from(pool)),
        }
    }

    /// Closes the pools.
    pub async fn close(self) {
        match self {
            Target::Sqlite { writer, .. } => writer.close().await,
            Target::Postgres(pool) => pool.close().await,
        }
    }
}

/// Prints a seeding summary to stderr.
pub fn print_report(report: &SeedReport) {
    let [products, users, orders] = report.rows;
    eprintln!(
        "seeded {products} products, {users} users, {orders} orders in {:.1}s \
         (load {:.1}s, indexes {:.1}s, analyze {:.1}s)",
        report.total().as_secs_f64(),
        report.load.as_secs_f64(),
        report.indexes.as_secs_f64(),
        report.analyze.as_secs_f64()
    );
}

/// Opens `url` for serving: a database holding the shop's tables is served as it is
/// (no reseeding, no schema change); an empty one gets the schema and the demo data
/// set (with progress); one holding only some of the tables is refused.
///
/// Returns the database and whether it was seeded now.
pub async fn prepare(url: &str) -> Result<(folio_sqlx::Db, bool), BoxError> {
    let target = open(url).await?;
    let seeded = match target.tables().await? {
        TableState::Complete => false,
        TableState::Partial(missing) => {
            target.close().await;
            return Err(format!(
                "the database holds some of the shop's tables but not {}; \
                 use an empty database or a complete one",
                missing.join(", ")
            )
            .into());
        }
        TableState::Empty => {
            let size = DemoSize::DEMO;
            eprintln!(
                "empty database: creating the schema and seeding the demo data set \
                 ({} products, {} users, {} orders)…",
                size.products,
                size.users,
                size.orders()
            );
            let report = target
                .seed(&SeedOptions {
                    size,
                    seed: crate::seed::DEFAULT_SEED,
                    quiet: false,
                })
                .await?;
            print_report(&report);
            true
        }
    };
    Ok((target.into_db().await?, seeded))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemas_split_at_indexes() {
        for schema in [Schema::sqlite(), Schema::postgres()] {
            assert!(schema.tables.contains("CREATE TABLE products"));
            assert!(!schema.tables.lines().any(|l| l.starts_with("CREATE INDEX")));
            assert!(schema.indexes.contains("CREATE INDEX products_price_id"));
        }
    }

    #[tokio::test]
    async fn memory_database_is_created_seeded_and_then_served_as_is() {
        let target = open("sqlite::memory:").await.unwrap();
        assert_eq!(target.tables().await.unwrap(), TableState::Empty);
        let options = SeedOptions {
            size: DemoSize {
                products: 1234,
                users: 50,
                orders_per_user: 3,
            },
            seed: 1,
            quiet: true,
        };
        let report = target.seed(&options).await.unwrap();
        assert_eq!(report.rows, [1234, 50, 150]);
        assert_eq!(target.tables().await.unwrap(), TableState::Complete);
        let Target::Sqlite { writer, .. } = &target else {
            unreachable!()
        };
        let (n, nulls): (i64, i64) =
            sqlx::query_as("SELECT count(*), sum(rating IS NULL) FROM products")
                .fetch_one(writer)
                .await
                .unwrap();
        assert_eq!(n, 1234);
        assert!(nulls > 50 && nulls < 250);
        let (indexes,): (i64,) = sqlx::query_as(
            "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL",
        )
        .fetch_one(writer)
        .await
        .unwrap();
        assert_eq!(indexes, 7);
    }

    #[tokio::test]
    async fn postgres_is_seeded_with_copy_and_then_served_as_is() {
        let Some(pg) = folio_testing::postgres().await else {
            eprintln!("no PostgreSQL: skipped");
            return;
        };
        let target = open(pg.url()).await.unwrap();
        assert_eq!(target.tables().await.unwrap(), TableState::Empty);
        let options = SeedOptions {
            size: DemoSize {
                products: 3000,
                users: 40,
                orders_per_user: 5,
            },
            seed: 9,
            quiet: true,
        };
        let report = target.seed(&options).await.unwrap();
        assert_eq!(report.rows, [3000, 40, 200]);
        assert_eq!(target.tables().await.unwrap(), TableState::Complete);
        let Target::Postgres(pool) = &target else {
            unreachable!()
        };
        // The same rows as on SQLite: compare a product with the generator's.
        let first = crate::seed::Products::new(9, 3000).nth(41).unwrap();
        let (name, price, rating, created): (String, i64, Option<f64>, String) = sqlx::query_as(
            "SELECT name, price_cents, rating, \
             to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') \
             FROM products WHERE id = 42",
        )
        .fetch_one(pool)
        .await
        .unwrap();
        assert_eq!(
            (name, price, rating, created),
            (
                first.name,
                first.price_cents,
                first.rating,
                first.created_at
            )
        );
        // Identity sequences continue after the loaded ids.
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO users (name, email, created_at) VALUES ('n', 'n@x', now()) RETURNING id",
        )
        .fetch_one(pool)
        .await
        .unwrap();
        assert_eq!(id, 41);
        let (indexes,): (i64,) = sqlx::query_as(
            "SELECT count(*) FROM pg_indexes WHERE schemaname = current_schema() \
             AND indexname IN ('products_price_id', 'orders_user_created_id')",
        )
        .fetch_one(pool)
        .await
        .unwrap();
        assert_eq!(indexes, 2);
        target.close().await;
    }
}
