//! The shop schema and its deterministic data set, generated in SQL.
//!
//! Every column is a function of the row's id (documented on [`load_shop`]), so
//! SQLite, PostgreSQL and MySQL/MariaDB hold the same rows and tests can compute
//! expectations.

use std::fmt::Write as _;
use std::future::Future;

use sqlx::{MySqlPool, PgPool, SqlitePool};

/// The shop schema for SQLite (`sql/schema.sqlite.sql`): tables, then a line
/// `-- indexes`, then the indexes (see [`split_schema`]).
pub const SQLITE_SCHEMA: &str = include_str!("../../../sql/schema.sqlite.sql");

/// The shop schema for PostgreSQL (`sql/schema.postgres.sql`), laid out as
/// [`SQLITE_SCHEMA`].
pub const POSTGRES_SCHEMA: &str = include_str!("../../../sql/schema.postgres.sql");

/// The shop schema for MySQL 8 and MariaDB (`sql/schema.mysql.sql`), laid out as
/// [`SQLITE_SCHEMA`].
pub const MYSQL_SCHEMA: &str = include_str!("../../../sql/schema.mysql.sql");

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

/// A database the shop loaders fill: a [`SqlitePool`], a [`PgPool`] or a
/// [`MySqlPool`] (MySQL 8 or MariaDB). The loaders take `&impl ShopDb`, so they are
/// called with a reference to any of the three pools.
///
/// What differs between the backends — the schema file, how a timestamp, a
/// concatenation and the series of ids are spelled, and what runs after the load —
/// is this trait's, implemented once per pool type; the loaders are written once.
/// It is sealed: the three pools are its only implementations.
pub trait ShopDb: backend::Backend {}

impl<T: backend::Backend> ShopDb for T {}

mod backend {
    use std::fmt::Write as _;

    use super::{
        Future, MySqlPool, PgPool, SqlitePool, MYSQL_SCHEMA, POSTGRES_SCHEMA, SQLITE_SCHEMA,
    };

    /// The backend's part of the shop loaders (see [`super::ShopDb`]).
    pub trait Backend: Sync {
        /// The schema file.
        const SCHEMA: &'static str;

        /// Runs one or more statements (no binds).
        fn execute(&self, sql: &str) -> impl Future<Output = Result<(), sqlx::Error>> + Send;

        /// A SQL expression of the backend's timestamp type for `micros`, an integer
        /// expression of microseconds since the Unix epoch (UTC).
        fn timestamp(micros: &str) -> String;

        /// The integers `1..=n` as column `i`: `(with, from)`, where `with` (a `WITH`
        /// clause, or nothing) goes right before the `SELECT` that reads `from` (a
        /// table expression named `g`).
        fn series(n: u64) -> (String, String);

        /// `parts` (SQL expressions) concatenated as text.
        fn concat(parts: &[&str]) -> String {
            parts.join(" || ")
        }

        /// The statements that create the schema's indexes (its part after
        /// `-- indexes`), as the backend builds them fastest over loaded rows.
        fn indexes(section: &str) -> String {
            section.to_owned()
        }

        /// What runs once the indexes exist: the planner's statistics, and whatever
        /// else the backend needs to serve the loaded rows as a live database would.
        fn finish(&self) -> impl Future<Output = ()> + Send;
    }

    /// SQLite: timestamps are RFC 3339 text with microseconds and `Z`; the series a
    /// recursive CTE.
    impl Backend for SqlitePool {
        const SCHEMA: &'static str = SQLITE_SCHEMA;

        async fn execute(&self, sql: &str) -> Result<(), sqlx::Error> {
            sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
                .execute(self)
                .await
                .map(drop)
        }

        fn timestamp(micros: &str) -> String {
            format!(
                "(strftime('%Y-%m-%dT%H:%M:%S', ({micros}) / 1000000, 'unixepoch') \
                 || printf('.%06dZ', ({micros}) % 1000000))"
            )
        }

        fn series(n: u64) -> (String, String) {
            (
                format!(
                    "WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < {n}) "
                ),
                "g".to_owned(),
            )
        }

        async fn finish(&self) {
            super::run(self, "ANALYZE").await;
        }
    }

    /// PostgreSQL: TIMESTAMPTZ; the series `generate_series`.
    impl Backend for PgPool {
        const SCHEMA: &'static str = POSTGRES_SCHEMA;

        async fn execute(&self, sql: &str) -> Result<(), sqlx::Error> {
            sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
                .execute(self)
                .await
                .map(drop)
        }

        fn timestamp(micros: &str) -> String {
            format!(
                "(TIMESTAMPTZ '1970-01-01 00:00:00+00' \
                 + (({micros}) / 1000000) * INTERVAL '1 second' \
                 + (({micros}) % 1000000) * INTERVAL '1 microsecond')"
            )
        }

        fn series(n: u64) -> (String, String) {
            (
                String::new(),
                format!("generate_series(1::BIGINT, {n}) AS g(i)"),
            )
        }

        /// Moves the identity sequences past the loaded ids, then `VACUUM (ANALYZE)`
        /// until every page is all-visible (index-only scans need it).
        async fn finish(&self) {
            for table in ["products", "users", "orders"] {
                super::run(
                    self,
                    &format!(
                        "SELECT setval(pg_get_serial_sequence('{table}', 'id'), m) \
                         FROM (SELECT max(id) AS m FROM {table}) AS t WHERE m IS NOT NULL"
                    ),
                )
                .await;
            }
            // VACUUM refuses to run inside a transaction block, which a
            // multi-statement simple query is: one statement per call.
            super::run(self, "VACUUM (ANALYZE)").await;
            // VACUUM marks a page all-visible only when no snapshot in the
            // database may still miss its rows; a concurrent transaction can
            // prevent that. Index-only scans need it: vacuum again until every
            // page is.
            for _ in 0..50 {
                let done: Option<bool> = sqlx::query_scalar(
                    "SELECT bool_and(relallvisible >= relpages) FROM pg_class \
                     WHERE relname IN ('products', 'users', 'orders') AND relkind = 'r'",
                )
                .fetch_one(self)
                .await
                .unwrap_or(Some(true));
                if done != Some(false) {
                    break;
                }
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                super::run(self, "VACUUM (ANALYZE)").await;
            }
        }
    }

    /// The base of the MySQL series: a recursive CTE of 0..100, crossed with itself
    /// as often as `n` needs (so 100 recursions at most, under MySQL 8's
    /// `cte_max_recursion_depth` and MariaDB's `max_recursive_iterations`, 1,000 by
    /// default on both, whatever `n`: no session setting).
    const DIGITS: u64 = 100;

    /// MySQL 8 and MariaDB: `DATETIME(6)` in UTC, `CONCAT`; the series a cross join
    /// of a 100-row recursive CTE.
    impl Backend for MySqlPool {
        const SCHEMA: &'static str = MYSQL_SCHEMA;

        async fn execute(&self, sql: &str) -> Result<(), sqlx::Error> {
            sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
                .execute(self)
                .await
                .map(drop)
        }

        fn timestamp(micros: &str) -> String {
            format!("(TIMESTAMP '1970-01-01 00:00:00' + INTERVAL ({micros}) MICROSECOND)")
        }

        /// `i = 1 + d0 + 100 * d1 + 10000 * d2 …`, one factor per base-100 digit of
        /// `n - 1`, the last one cut at `n - 1`'s leading digit, then `i <= n`.
        fn series(n: u64) -> (String, String) {
            let last = n.saturating_sub(1);
            let mut factors = 1;
            let mut scale = 1;
            while last / scale >= DIGITS {
                scale *= DIGITS;
                factors += 1;
            }
            let mut sum = String::from("1");
            let mut from = Vec::new();
            let mut place = 1;
            for f in 0..factors {
                let _ = write!(sum, " + {place} * d{f}.i");
                from.push(format!("d AS d{f}"));
                place *= DIGITS;
            }
            let from = from.join(" CROSS JOIN ");
            (
                format!(
                    "WITH RECURSIVE d(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM d WHERE i < {}) ",
                    DIGITS - 1
                ),
                format!(
                    "(SELECT s.i FROM (SELECT {sum} AS i FROM {from} WHERE d{}.i <= {}) AS s \
                     WHERE s.i <= {n}) AS g",
                    factors - 1,
                    last / scale
                ),
            )
        }

        fn concat(parts: &[&str]) -> String {
            format!("CONCAT({})", parts.join(", "))
        }

        /// One `ALTER TABLE … ADD INDEX …, ADD INDEX …` per table: InnoDB then reads
        /// the table once for all its indexes, not once per `CREATE INDEX` (about a
        /// second less for 200,000 products). A line other than `CREATE INDEX <name>
        /// ON <table> (<columns>);` is kept as it is.
        fn indexes(section: &str) -> String {
            let mut tables: Vec<(&str, Vec<String>)> = Vec::new();
            let mut other = String::new();
            for line in section.lines() {
                let parsed = line
                    .trim()
                    .strip_prefix("CREATE INDEX ")
                    .and_then(|rest| rest.strip_suffix(';'))
                    .and_then(|rest| {
                        let (name, rest) = rest.split_once(" ON ")?;
                        let (table, columns) = rest.trim().split_once(' ')?;
                        Some((name.trim(), table, columns.trim()))
                    });
                if let Some((name, table, columns)) = parsed {
                    let add = format!("ADD INDEX {name} {columns}");
                    match tables.iter_mut().find(|(t, _)| *t == table) {
                        Some((_, adds)) => adds.push(add),
                        None => tables.push((table, vec![add])),
                    }
                } else {
                    other.push_str(line);
                    other.push('\n');
                }
            }
            for (table, adds) in tables {
                let _ = writeln!(other, "ALTER TABLE {table} {};", adds.join(", "));
            }
            other
        }

        async fn finish(&self) {
            super::run(self, "ANALYZE TABLE products, users, orders").await;
        }
    }
}

/// Runs one or more statements (no binds), panicking with the SQL on error.
async fn run<D: ShopDb + ?Sized>(db: &D, sql: &str) {
    if let Err(e) = db.execute(sql).await {
        panic!("folio-testing: shop loader failed: {e}\n--- SQL ---\n{sql}");
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
pub async fn create_schema<D: ShopDb>(db: &D) {
    run(db, D::SCHEMA).await;
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
pub async fn load_products(db: &impl ShopDb, rows: u64) {
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
pub async fn load_users_orders(db: &impl ShopDb, users: u64, orders_per_user: u64) {
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
/// per table), then creates the indexes and collects the planner's statistics:
/// `ANALYZE` on SQLite; on PostgreSQL `VACUUM (ANALYZE)` (so that the visibility map
/// allows index-only scans), after moving the identity sequences past the loaded
/// ids; `ANALYZE TABLE` on MySQL and MariaDB.
///
/// The rows are functions of their id `i` (1-based, no gaps), the same on SQLite,
/// PostgreSQL and MySQL/MariaDB:
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
/// SQLite timestamps are TEXT (`2024-01-01T00:01:01.234567Z`), PostgreSQL's
/// TIMESTAMPTZ, MySQL's `DATETIME(6)` in UTC.
///
/// The ids are made in SQL: a recursive CTE on SQLite, `generate_series` on
/// PostgreSQL; on MySQL and MariaDB a recursive CTE of 0 to 99 crossed with itself
/// (`1 + d0 + 100 × d1 + 10,000 × d2`), which stays under both servers' default
/// recursion limits (MySQL 8's `cte_max_recursion_depth` and MariaDB's
/// `max_recursive_iterations` are 1,000) with no session setting, so it runs as is
/// on a pool.
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
pub async fn load_shop<D: ShopDb>(db: &D, shop: Shop) {
    let (tables, indexes) = split_schema(D::SCHEMA);
    run(db, tables).await;
    if shop.products > 0 {
        run(db, &products_sql::<D>(shop.products)).await;
    }
    if shop.users > 0 {
        run(db, &users_sql::<D>(shop.users)).await;
        if shop.orders_per_user > 0 {
            run(db, &orders_sql::<D>(shop.orders_per_user)).await;
        }
    }
    run(db, &D::indexes(indexes)).await;
    db.finish().await;
}

fn case_of(expr: &str, values: &[&str]) -> String {
    let mut sql = format!("CASE {expr}");
    for (i, v) in values.iter().enumerate() {
        let _ = write!(sql, " WHEN {i} THEN '{v}'");
    }
    sql.push_str(" END");
    sql
}

fn products_sql<D: ShopDb>(rows: u64) -> String {
    let (with, from) = D::series(rows);
    let h = "(i * 2654435761 % 4294967291)";
    let r = "((i * 69069 + 1) % 1000033)";
    let step = "(i - 1 - CASE WHEN i % 7 = 0 THEN 1 ELSE 0 END)";
    let created_at = D::timestamp(&format!("{PRODUCTS_EPOCH_MICROS} + {step} * 61234567"));
    let category = case_of(&format!("{h} % 20"), &CATEGORIES);
    let filler = "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod \
                  tempor incididunt ut labore et dolore magna aliqua. "
        .repeat(4);
    let filler = format!("' | {}'", &filler[..470]);
    let name = D::concat(&["'Product '", "i"]);
    let description = D::concat(&["'Product '", "i", &filler]);
    format!(
        "INSERT INTO products (id, name, category, price_cents, rating, created_at, description) \
         {with}SELECT i, \
                {name}, \
                {category}, \
                99 + 100 * ((i * 40503 + 7) % 1000003 % 1000), \
                CASE WHEN {r} % 10 = 0 THEN NULL ELSE (10 + {r} % 41) / 10.0 END, \
                {created_at}, \
                {description} \
         FROM {from}"
    )
}

fn users_sql<D: ShopDb>(users: u64) -> String {
    let (with, from) = D::series(users);
    let created_at = D::timestamp(&format!(
        "{USERS_EPOCH_MICROS} + i * 600000000 + i * 7919 % 1000000"
    ));
    let name = D::concat(&["'User '", "i"]);
    let email = D::concat(&["'user'", "i", "'@example.com'"]);
    format!(
        "INSERT INTO users (id, name, email, created_at) \
         {with}SELECT i, {name}, {email}, {created_at} FROM {from}"
    )
}

fn orders_sql<D: ShopDb>(per_user: u64) -> String {
    let modulus = 2 * per_user + 1;
    let (with, from) = D::series(2 * per_user);
    let status = case_of("o.id % 5", &STATUSES);
    // 2023-06-01T00:00:00Z
    let created_at = D::timestamp("1685577600000000 + o.id * 17000000");
    format!(
        "INSERT INTO orders (id, user_id, status, total_cents, created_at) \
         {with}SELECT o.id, o.user_id, {status}, 500 + o.id * 7919 % 99500, {created_at} \
         FROM (SELECT ROW_NUMBER() OVER (ORDER BY g.i, u.id) AS id, u.id AS user_id \
               FROM {from} JOIN users AS u ON u.id % {modulus} >= g.i) AS o"
    )
}

#[cfg(test)]
mod tests {
    use super::backend::Backend;
    use super::*;

    #[test]
    fn mysql_builds_the_indexes_of_a_table_in_one_statement() {
        let (_, indexes) = split_schema(MYSQL_SCHEMA);
        let sql = MySqlPool::indexes(indexes);
        assert!(sql.contains(
            "ALTER TABLE products ADD INDEX products_created_at_id (created_at, id), \
             ADD INDEX products_price_id (price_cents, id), ADD INDEX products_rating_id (rating, id), \
             ADD INDEX products_category_id (category, id), \
             ADD INDEX products_category_price (category, price_cents, id), \
             ADD INDEX products_name_id (name, id), \
             ADD INDEX products_category_name_id (category, name, id), \
             ADD INDEX products_category_rating_id (category, rating, id), \
             ADD INDEX products_category_created_at_id (category, created_at, id);\n"
        ), "{sql}");
        assert!(
            sql.contains(
                "ALTER TABLE orders ADD INDEX orders_user_created_id (user_id, created_at, id), \
             ADD INDEX orders_user_id_id (user_id, id), \
             ADD INDEX orders_user_total_id (user_id, total_cents, id);\n"
            ),
            "{sql}"
        );
        assert!(
            sql.contains(
                "ALTER TABLE users ADD INDEX users_created_at_id (created_at, id), \
             ADD INDEX users_name_id (name, id);\n"
            ),
            "{sql}"
        );
        assert!(!sql.contains("CREATE INDEX"), "{sql}");
        // the other backends run the section as it is
        assert_eq!(SqlitePool::indexes(indexes), indexes);
    }

    #[test]
    fn the_mysql_series_has_one_factor_per_base_100_digit() {
        let (with, from) = MySqlPool::series(200_000);
        assert!(with.starts_with(
            "WITH RECURSIVE d(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM d WHERE i < 99) "
        ));
        assert_eq!(
            from,
            "(SELECT s.i FROM (SELECT 1 + 1 * d0.i + 100 * d1.i + 10000 * d2.i AS i \
             FROM d AS d0 CROSS JOIN d AS d1 CROSS JOIN d AS d2 WHERE d2.i <= 19) AS s \
             WHERE s.i <= 200000) AS g"
        );
        let (_, from) = MySqlPool::series(100);
        assert!(
            from.contains("(SELECT 1 + 1 * d0.i AS i FROM d AS d0 WHERE d0.i <= 99)"),
            "{from}"
        );
        let (_, from) = MySqlPool::series(101);
        assert!(
            from.contains("FROM d AS d0 CROSS JOIN d AS d1 WHERE d1.i <= 1)"),
            "{from}"
        );
    }
}
