//! The shop schema and its deterministic data set, generated in SQL.
//!
//! Every column is a function of the row's id (documented on [`load_shop`]), so
//! SQLite and PostgreSQL hold the same rows and tests can compute expectations.

use std::fmt::Write as _;

use sqlx::{PgPool, SqlitePool};

/// The shop schema for SQLite (`sql/schema.sqlite.sql`): tables, then a line
/// `-- indexes`, then the indexes (see [`split_schema`]).
pub const SQLITE_SCHEMA: &str = include_str!("../../../sql/schema.sqlite.sql");

/// The shop schema for PostgreSQL (`sql/schema.postgres.sql`), laid out as
/// [`SQLITE_SCHEMA`].
pub const POSTGRES_SCHEMA: &str = include_str!("../../../sql/schema.postgres.sql");

/// The 20 product categories; product `i` is in `CATEGORIES[h(i) % 20]` (see [`load_shop`]).
pub const CATEGORIES: [&str; 20] = [
    "books",
    "music",
    "movies",
    "games",
    "electronics",
    "computers",
    "phones",
    "cameras",
    "home",
    "kitchen",
    "garden",
    "tools",
    "toys",
    "baby",
    "beauty",
    "health",
    "sports",
    "outdoors",
    "fashion",
    "grocery",
];

const STATUSES: [&str; 5] = ["pending", "paid", "shipped", "delivered", "cancelled"];

/// 2024-01-01T00:00:00Z in microseconds: the first product's `created_at`.
const PRODUCTS_EPOCH_MICROS: i64 = 1_704_067_200_000_000;
/// 2023-01-01T00:00:00Z in microseconds: the users' time origin.
const USERS_EPOCH_MICROS: i64 = 1_672_531_200_000_000;

/// Splits a schema file at its `-- indexes` line: `(tables, indexes)`.
///
/// ```
/// let (tables, indexes) = folio_testing::split_schema(folio_testing::SQLITE_SCHEMA);
/// assert!(tables.contains("CREATE TABLE products") && !tables.contains("CREATE INDEX products"));
/// assert!(indexes.contains("CREATE INDEX products_price_id") && !indexes.contains("CREATE TABLE products"));
/// ```
pub fn split_schema(schema: &str) -> (&str, &str) {
    let mut at = 0;
    for line in schema.split_inclusive('\n') {
        if line.trim_end() == "-- indexes" {
            return (&schema[..at], &schema[at..]);
        }
        at += line.len();
    }
    (schema, "")
}

/// A database the shop loaders fill: a SQLite or a PostgreSQL pool.
///
/// The loaders take `impl Into<ShopDb>`, so they are called with `&SqlitePool` or
/// `&PgPool` directly.
#[derive(Debug, Clone, Copy)]
pub enum ShopDb<'a> {
    /// A SQLite database.
    Sqlite(&'a SqlitePool),
    /// A PostgreSQL database.
    Postgres(&'a PgPool),
}

impl<'a> From<&'a SqlitePool> for ShopDb<'a> {
    fn from(pool: &'a SqlitePool) -> Self {
        ShopDb::Sqlite(pool)
    }
}

impl<'a> From<&'a PgPool> for ShopDb<'a> {
    fn from(pool: &'a PgPool) -> Self {
        ShopDb::Postgres(pool)
    }
}

impl ShopDb<'_> {
    fn is_postgres(self) -> bool {
        matches!(self, ShopDb::Postgres(_))
    }

    fn schema(self) -> &'static str {
        if self.is_postgres() {
            POSTGRES_SCHEMA
        } else {
            SQLITE_SCHEMA
        }
    }

    /// Runs one or more statements (no binds), panicking with the SQL on error.
    async fn run(self, sql: &str) {
        let result = match self {
            ShopDb::Sqlite(pool) => sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
                .execute(pool)
                .await
                .map(drop),
            ShopDb::Postgres(pool) => sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
                .execute(pool)
                .await
                .map(drop),
        };
        if let Err(e) = result {
            panic!("folio-testing: shop loader failed: {e}\n--- SQL ---\n{sql}");
        }
    }

    /// A SQL expression of type TEXT (SQLite, RFC 3339 with microseconds and `Z`)
    /// or TIMESTAMPTZ (PostgreSQL) for `micros`, an integer expression of
    /// microseconds since the Unix epoch.
    fn timestamp(self, micros: &str) -> String {
        if self.is_postgres() {
            format!(
                "(TIMESTAMPTZ '1970-01-01 00:00:00+00' \
                 + (({micros}) / 1000000) * INTERVAL '1 second' \
                 + (({micros}) % 1000000) * INTERVAL '1 microsecond')"
            )
        } else {
            format!(
                "(strftime('%Y-%m-%dT%H:%M:%S', ({micros}) / 1000000, 'unixepoch') \
                 || printf('.%06dZ', ({micros}) % 1000000))"
            )
        }
    }

    /// `FROM` clause of the integers `1..=n` as column `i` (a recursive CTE on
    /// SQLite, `generate_series` on PostgreSQL): `(with_prefix, from_item)`.
    fn series(self, n: u64) -> (String, String) {
        if self.is_postgres() {
            (
                String::new(),
                format!("generate_series(1::BIGINT, {n}) AS g(i)"),
            )
        } else {
            (
                format!(
                    "WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < {n}) "
                ),
                "g".to_owned(),
            )
        }
    }
}

/// The size of a shop data set.
///
/// ```
/// let shop = folio_testing::Shop { products: 1_000, ..Default::default() };
/// assert_eq!((shop.users, shop.orders_per_user), (0, 0));
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Shop {
    /// Rows of `products`.
    pub products: u64,
    /// Rows of `users`.
    pub users: u64,
    /// The mean number of orders per user (see [`orders_of_user`]).
    pub orders_per_user: u64,
}

/// How many orders user `user_id` has in a data set loaded with `orders_per_user`
/// = `k`: `user_id % (2k + 1)`, so between 0 and 2k, about k on average, and every
/// user id that is a multiple of 2k + 1 has none.
///
/// ```
/// assert_eq!(folio_testing::orders_of_user(1, 3), 1);
/// assert_eq!(folio_testing::orders_of_user(6, 3), 6);
/// assert_eq!(folio_testing::orders_of_user(7, 3), 0);
/// assert_eq!(folio_testing::orders_of_user(5, 0), 0);
/// ```
pub fn orders_of_user(user_id: u64, orders_per_user: u64) -> u64 {
    user_id % (2 * orders_per_user + 1)
}

/// Creates the whole shop schema (tables and indexes), empty.
///
/// ```no_run
/// # async fn f() {
/// let pool = folio_testing::sqlite_memory().await;
/// folio_testing::create_schema(&pool).await;
/// # }
/// ```
pub async fn create_schema<'a>(db: impl Into<ShopDb<'a>>) {
    let db = db.into();
    db.run(db.schema()).await;
}

/// Creates the shop schema in an empty database and fills `products` with `rows`
/// rows (see [`load_shop`] for the data), then indexes and analyzes it.
///
/// ```no_run
/// # async fn f() {
/// let pool = folio_testing::sqlite_memory().await;
/// folio_testing::load_products(&pool, 10_000).await;
/// # }
/// ```
pub async fn load_products<'a>(db: impl Into<ShopDb<'a>>, rows: u64) {
    load_shop(
        db,
        Shop {
            products: rows,
            ..Shop::default()
        },
    )
    .await;
}

/// Creates the shop schema in an empty database and fills `users` with `users`
/// rows and `orders` with about `orders_per_user` orders per user (exactly
/// [`orders_of_user`]), then indexes and analyzes them.
///
/// ```no_run
/// # async fn f() {
/// let Some(db) = folio_testing::postgres().await else { return };
/// folio_testing::load_users_orders(&db.pool().await, 1_000, 5).await;
/// # }
/// ```
pub async fn load_users_orders<'a>(db: impl Into<ShopDb<'a>>, users: u64, orders_per_user: u64) {
    load_shop(
        db,
        Shop {
            users,
            orders_per_user,
            ..Shop::default()
        },
    )
    .await;
}

/// Creates the shop schema in an empty database, fills it in SQL (one statement
/// per table), then creates the indexes, runs `ANALYZE` and, on PostgreSQL,
/// `VACUUM` (so that the visibility map allows index-only scans) and moves the
/// identity sequences past the loaded ids.
///
/// The rows are functions of their id `i` (1-based, no gaps), the same on SQLite
/// and PostgreSQL:
///
/// - products: with `h = i * 2654435761 % 4294967291`,
///   `name` = `Product <i>`; `category` = `CATEGORIES[h % 20]`;
///   `price_cents` = `99 + 100 * ((i * 40503 + 7) % 1000003 % 1000)` (1,000
///   distinct prices, so many ties); with `r = (i * 69069 + 1) % 1000033`,
///   `rating` = NULL when `r % 10 = 0` (about 10%), else `(10 + r % 41) / 10.0`
///   (1.0 to 5.0); `created_at` = 2024-01-01T00:00:00Z + `k` × 61.234567 s with
///   `k = i - 1`, minus one more step when `i % 7 = 0` (so every 7th row ties with
///   the one before it; times never decrease with id); `description` = about 500
///   bytes.
/// - users: `name` = `User <i>`, `email` = `user<i>@example.com`, `created_at` =
///   2023-01-01T00:00:00Z + `i` × 600 s + `(i × 7919 % 1000000)` µs.
/// - orders: user `u` has [`orders_of_user`]`(u, k)` orders; ids are numbered by
///   (sequence number within the user, user id), so a user's orders are spread over
///   the whole id range; `status` = `["pending", "paid", "shipped", "delivered",
///   "cancelled"][id % 5]`, `total_cents` = `500 + id × 7919 % 99500`, `created_at`
///   = 2023-06-01T00:00:00Z + `id` × 17 s (increasing with id).
///
/// SQLite timestamps are TEXT (`2024-01-01T00:01:01.234567Z`), PostgreSQL's TIMESTAMPTZ.
///
/// # Panics
/// When a statement fails (say, the tables already exist), with the SQL.
///
/// ```no_run
/// # async fn f() {
/// use folio_testing::Shop;
/// let pool = folio_testing::sqlite_memory().await;
/// folio_testing::load_shop(&pool, Shop { products: 1_000, users: 100, orders_per_user: 3 }).await;
/// # }
/// ```
pub async fn load_shop<'a>(db: impl Into<ShopDb<'a>>, shop: Shop) {
    let db = db.into();
    let (tables, indexes) = split_schema(db.schema());
    db.run(tables).await;
    if shop.products > 0 {
        db.run(&products_sql(db, shop.products)).await;
    }
    if shop.users > 0 {
        db.run(&users_sql(db, shop.users)).await;
        if shop.orders_per_user > 0 {
            db.run(&orders_sql(db, shop.orders_per_user)).await;
        }
    }
    db.run(indexes).await;
    if db.is_postgres() {
        for table in ["products", "users", "orders"] {
            db.run(&format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), m) \
                 FROM (SELECT max(id) AS m FROM {table}) AS t WHERE m IS NOT NULL"
            ))
            .await;
        }
        // VACUUM refuses to run inside a transaction block, which a multi-statement
        // simple query is: one statement per call.
        db.run("VACUUM (ANALYZE)").await;
        if let ShopDb::Postgres(pool) = db {
            // VACUUM marks a page all-visible only when no snapshot in the database
            // may still miss its rows; a concurrent transaction can prevent that.
            // Index-only scans need it: vacuum again until every page is.
            for _ in 0..50 {
                let done: Option<bool> = sqlx::query_scalar(
                    "SELECT bool_and(relallvisible >= relpages) FROM pg_class \
                     WHERE relname IN ('products', 'users', 'orders') AND relkind = 'r'",
                )
                .fetch_one(pool)
                .await
                .unwrap_or(Some(true));
                if done != Some(false) {
                    break;
                }
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                db.run("VACUUM (ANALYZE)").await;
            }
        }
    } else {
        db.run("ANALYZE").await;
    }
}

fn case_of(expr: &str, values: &[&str]) -> String {
    let mut sql = format!("CASE {expr}");
    for (i, v) in values.iter().enumerate() {
        let _ = write!(sql, " WHEN {i} THEN '{v}'");
    }
    sql.push_str(" END");
    sql
}

fn products_sql(db: ShopDb<'_>, rows: u64) -> String {
    let (with, from) = db.series(rows);
    let h = "(i * 2654435761 % 4294967291)";
    let r = "((i * 69069 + 1) % 1000033)";
    let step = "(i - 1 - CASE WHEN i % 7 = 0 THEN 1 ELSE 0 END)";
    let created_at = db.timestamp(&format!("{PRODUCTS_EPOCH_MICROS} + {step} * 61234567"));
    let category = case_of(&format!("{h} % 20"), &CATEGORIES);
    let filler = "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod \
                  tempor incididunt ut labore et dolore magna aliqua. "
        .repeat(4);
    let filler = &filler[..470];
    format!(
        "{with}INSERT INTO products (id, name, category, price_cents, rating, created_at, description) \
         SELECT i, \
                'Product ' || i, \
                {category}, \
                99 + 100 * ((i * 40503 + 7) % 1000003 % 1000), \
                CASE WHEN {r} % 10 = 0 THEN NULL ELSE (10 + {r} % 41) / 10.0 END, \
                {created_at}, \
                'Product ' || i || ' | {filler}' \
         FROM {from}"
    )
}

fn users_sql(db: ShopDb<'_>, users: u64) -> String {
    let (with, from) = db.series(users);
    let created_at = db.timestamp(&format!(
        "{USERS_EPOCH_MICROS} + i * 600000000 + i * 7919 % 1000000"
    ));
    format!(
        "{with}INSERT INTO users (id, name, email, created_at) \
         SELECT i, 'User ' || i, 'user' || i || '@example.com', {created_at} FROM {from}"
    )
}

fn orders_sql(db: ShopDb<'_>, per_user: u64) -> String {
    let modulus = 2 * per_user + 1;
    let (with, from) = db.series(2 * per_user);
    let status = case_of("o.id % 5", &STATUSES);
    // 2023-06-01T00:00:00Z
    let created_at = db.timestamp("1685577600000000 + o.id * 17000000");
    format!(
        "{with}INSERT INTO orders (id, user_id, status, total_cents, created_at) \
         SELECT o.id, o.user_id, {status}, 500 + o.id * 7919 % 99500, {created_at} \
         FROM (SELECT ROW_NUMBER() OVER (ORDER BY g.i, u.id) AS id, u.id AS user_id \
               FROM {from} JOIN users AS u ON u.id % {modulus} >= g.i) AS o"
    )
}
