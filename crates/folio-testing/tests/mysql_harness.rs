//! Tests of the MariaDB harness: fresh databases, their collation, their removal.

use sqlx::{Connection as _, MySqlConnection, MySqlPool};

#[tokio::test]
async fn a_database_is_created_and_answers() {
    let Some(db) = folio_testing::mysql().await else {
        return;
    };
    assert!(db.name().starts_with("folio_test_"), "{}", db.name());
    let pool = db.pool().await;
    let version: String = sqlx::query_scalar("SELECT VERSION()")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(
        version.starts_with(|c: char| c.is_ascii_digit()),
        "{version}"
    );
    let current: Option<String> = sqlx::query_scalar("SELECT DATABASE()")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(current.as_deref(), Some(db.name()));
    let tables: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(tables, 0);
}

#[tokio::test]
async fn the_url_and_the_options_work_with_sqlx() {
    let Some(db) = folio_testing::mysql().await else {
        return;
    };
    let mut conn = MySqlConnection::connect(db.url()).await.unwrap();
    let two: i64 = sqlx::query_scalar("SELECT 1 + 1")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(two, 2);
    conn.close().await.unwrap();
    let mut conn = MySqlConnection::connect_with(&db.connect_options())
        .await
        .unwrap();
    let current: Option<String> = sqlx::query_scalar("SELECT DATABASE()")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(current.as_deref(), Some(db.name()));
    conn.close().await.unwrap();
}

#[tokio::test]
async fn text_compares_case_insensitively() {
    let Some(db) = folio_testing::mysql().await else {
        return;
    };
    let pool = db.pool().await;
    sqlx::query("CREATE TABLE words (id INT PRIMARY KEY, word VARCHAR(50) CHARACTER SET utf8mb4)")
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query("INSERT INTO words VALUES (1, 'abc'), (2, 'abd')")
        .execute(&pool)
        .await
        .unwrap();
    let collation: String = sqlx::query_scalar(
        "SELECT CONVERT(COLLATION_NAME USING utf8mb4) FROM information_schema.COLUMNS \
         WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'words' AND COLUMN_NAME = 'word'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(collation, "utf8mb4_general_ci");
    let ids: Vec<i32> = sqlx::query_scalar("SELECT id FROM words WHERE word = 'ABC'")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(ids, [1]);
    let equal: i64 = sqlx::query_scalar("SELECT word = 'ABC' FROM words WHERE id = 1")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(equal, 1);
}

#[tokio::test]
async fn two_databases_are_distinct() {
    let Some(a) = folio_testing::mysql().await else {
        return;
    };
    let Some(b) = folio_testing::mysql().await else {
        return;
    };
    assert_ne!(a.name(), b.name());
    assert_ne!(a.url(), b.url());
    let (pa, pb) = (a.pool().await, b.pool().await);
    sqlx::query("CREATE TABLE only_in_a (x INT)")
        .execute(&pa)
        .await
        .unwrap();
    let in_b = |pool: MySqlPool| async move {
        sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM information_schema.TABLES \
             WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'only_in_a'",
        )
        .fetch_one(&pool)
        .await
        .unwrap()
    };
    assert_eq!(in_b(pa).await, 1);
    assert_eq!(in_b(pb).await, 0);
}

#[tokio::test]
async fn a_database_is_dropped_after_drop() {
    let Some(db) = folio_testing::mysql().await else {
        return;
    };
    let name = db.name().to_owned();
    // an open pool, even in a transaction, does not keep it alive
    let pool = db.pool().await;
    sqlx::query("CREATE TABLE t (x INT)")
        .execute(&pool)
        .await
        .unwrap();
    let mut tx = pool.begin().await.unwrap();
    sqlx::query("INSERT INTO t VALUES (1)")
        .execute(&mut *tx)
        .await
        .unwrap();
    let Some(witness) = folio_testing::mysql().await else {
        return;
    };
    let wpool = witness.pool().await;
    let databases = |pool: MySqlPool| async move {
        sqlx::query_scalar::<_, String>("SHOW DATABASES")
            .fetch_all(&pool)
            .await
            .unwrap()
    };
    assert!(databases(wpool.clone()).await.contains(&name));
    drop(db);
    let after = databases(wpool).await;
    assert!(!after.contains(&name), "{name} is still in {after:?}");
    assert!(after.iter().any(|d| d == witness.name()));
    drop(tx);
}

#[tokio::test]
async fn databases_on_a_shared_server_name_their_process() {
    let Some(db) = folio_testing::mysql().await else {
        return;
    };
    if std::env::var_os("FOLIO_TEST_MYSQL_URL").is_some_and(|u| !u.is_empty()) {
        // folio_test_<host tag>_<pid>_<n>
        let parts: Vec<&str> = db.name().split('_').collect();
        assert_eq!(parts.len(), 5, "{}", db.name());
        assert_eq!(parts[2].len(), 6, "{}", db.name());
        assert_eq!(parts[3], std::process::id().to_string());
    } else {
        assert!(db.url().contains("?socket=/tmp/folio-my-"), "{}", db.url());
    }
}

/// The shop data set on MariaDB: the same rows as on SQLite (every column, with
/// timestamps formatted alike), the indexes of `sql/schema.mysql.sql`, statistics
/// collected, and `AUTO_INCREMENT` past the loaded ids.
#[tokio::test]
async fn the_shop_loads_identically_on_mariadb() {
    let Some(db) = folio_testing::mysql().await else {
        return;
    };
    let my = db.pool().await;
    let shop = folio_testing::Shop {
        products: 10_000,
        users: 200,
        orders_per_user: 3,
    };
    folio_testing::load_shop(&my, shop).await;
    let lite = folio_testing::sqlite_memory().await;
    folio_testing::load_shop(&lite, shop).await;

    type Product = (i64, String, String, i64, Option<f64>, String, String);
    let my_products: Vec<Product> = sqlx::query_as(
        "SELECT id, name, category, price_cents, rating, \
         DATE_FORMAT(created_at, '%Y-%m-%dT%H:%i:%s.%fZ'), description FROM products ORDER BY id",
    )
    .fetch_all(&my)
    .await
    .unwrap();
    let lite_products: Vec<Product> = sqlx::query_as(
        "SELECT id, name, category, price_cents, rating, created_at, description \
         FROM products ORDER BY id",
    )
    .fetch_all(&lite)
    .await
    .unwrap();
    assert_eq!(my_products.len(), 10_000);
    assert!(my_products == lite_products, "the products differ");

    type User = (i64, String, String, String);
    let users = "SELECT id, name, email, created_at FROM users ORDER BY id";
    let my_users: Vec<User> = sqlx::query_as(
        "SELECT id, name, email, DATE_FORMAT(created_at, '%Y-%m-%dT%H:%i:%s.%fZ') \
         FROM users ORDER BY id",
    )
    .fetch_all(&my)
    .await
    .unwrap();
    let lite_users: Vec<User> = sqlx::query_as(users).fetch_all(&lite).await.unwrap();
    assert_eq!(my_users, lite_users);

    type Order = (i64, i64, String, i64, String);
    let my_orders: Vec<Order> = sqlx::query_as(
        "SELECT id, user_id, status, total_cents, \
         DATE_FORMAT(created_at, '%Y-%m-%dT%H:%i:%s.%fZ') FROM orders ORDER BY id",
    )
    .fetch_all(&my)
    .await
    .unwrap();
    let lite_orders: Vec<Order> = sqlx::query_as(
        "SELECT id, user_id, status, total_cents, created_at FROM orders ORDER BY id",
    )
    .fetch_all(&lite)
    .await
    .unwrap();
    assert_eq!(my_orders.len(), 598);
    assert_eq!(my_orders, lite_orders);

    let indexes: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT CONVERT(INDEX_NAME USING utf8mb4) FROM information_schema.STATISTICS \
         WHERE TABLE_SCHEMA = DATABASE() AND INDEX_NAME LIKE '%\\_id' AND INDEX_NAME <> 'PRIMARY' \
         OR TABLE_SCHEMA = DATABASE() AND INDEX_NAME = 'products_category_price' ORDER BY 1",
    )
    .fetch_all(&my)
    .await
    .unwrap();
    assert_eq!(
        indexes,
        [
            "orders_user_created_id",
            "orders_user_id_id",
            "orders_user_total_id",
            "products_category_created_at_id",
            "products_category_id",
            "products_category_name_id",
            "products_category_price",
            "products_category_rating_id",
            "products_created_at_id",
            "products_name_id",
            "products_price_id",
            "products_rating_id",
            "users_created_at_id",
            "users_name_id"
        ]
    );
    // ANALYZE TABLE ran: InnoDB's persistent statistics know the rows (a sampled
    // estimate)
    let analyzed: i64 = sqlx::query_scalar(
        "SELECT CAST(n_rows AS SIGNED) FROM mysql.innodb_table_stats \
         WHERE database_name = DATABASE() AND table_name = 'products'",
    )
    .fetch_one(&my)
    .await
    .unwrap();
    assert!((8_000..=12_000).contains(&analyzed), "{analyzed}");
    let inserted = sqlx::query(
        "INSERT INTO products (name, category, price_cents, created_at, description) \
         VALUES ('x', 'books', 1, NOW(6), '')",
    )
    .execute(&my)
    .await
    .unwrap();
    assert_eq!(inserted.last_insert_id(), 10_001);
}

/// 200,000 products load in seconds (the plan tests load that many once per binary).
#[tokio::test]
async fn two_hundred_thousand_products_load_in_seconds() {
    let Some(db) = folio_testing::mysql().await else {
        return;
    };
    let pool = db.pool().await;
    let started = std::time::Instant::now();
    folio_testing::load_products(&pool, 200_000).await;
    let took = started.elapsed();
    eprintln!("MariaDB: 200,000 products loaded, indexed and analyzed in {took:?}");
    let (rows, max_id): (i64, i64) =
        sqlx::query_as("SELECT COUNT(*), CAST(MAX(id) AS SIGNED) FROM products")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!((rows, max_id), (200_000, 200_000));
    assert!(took < std::time::Duration::from_secs(30), "{took:?}");
}
