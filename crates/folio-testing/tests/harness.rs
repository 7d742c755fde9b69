//! Tests of the harness itself: PostgreSQL databases, SQLite pools, the shop loaders.

use sqlx::{Connection as _, PgConnection, PgPool, Row as _, SqlitePool};

#[tokio::test]
async fn two_databases_are_distinct() {
    let Some(a) = folio_testing::postgres().await else {
        return;
    };
    let Some(b) = folio_testing::postgres().await else {
        return;
    };
    assert_ne!(a.name(), b.name());
    assert_ne!(a.url(), b.url());
    let (pa, pb) = (a.pool().await, b.pool().await);
    for (db, pool) in [(&a, &pa), (&b, &pb)] {
        let current: String = sqlx::query_scalar("SELECT current_database()::TEXT")
            .fetch_one(pool)
            .await
            .unwrap();
        assert_eq!(current, db.name());
    }
    sqlx::query("CREATE TABLE only_in_a (x INT)")
        .execute(&pa)
        .await
        .unwrap();
    let in_b: Option<String> = sqlx::query_scalar("SELECT to_regclass('only_in_a')::TEXT")
        .fetch_one(&pb)
        .await
        .unwrap();
    assert_eq!(in_b, None);
}

#[tokio::test]
async fn a_database_is_dropped_after_drop() {
    let Some(db) = folio_testing::postgres().await else {
        return;
    };
    let name = db.name().to_owned();
    // an open pool does not keep it alive
    let pool = db.pool().await;
    sqlx::query("SELECT 1").execute(&pool).await.unwrap();
    let Some(witness) = folio_testing::postgres().await else {
        return;
    };
    let wpool = witness.pool().await;
    let exists = |pool: PgPool, name: String| async move {
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM pg_database WHERE datname = $1")
            .bind(name)
            .fetch_one(&pool)
            .await
            .unwrap()
    };
    assert_eq!(exists(wpool.clone(), name.clone()).await, 1);
    drop(db);
    assert_eq!(exists(wpool, name).await, 0);
}

#[tokio::test]
async fn the_url_works_with_sqlx() {
    let Some(db) = folio_testing::postgres().await else {
        return;
    };
    let mut conn = PgConnection::connect(db.url()).await.unwrap();
    let two: i32 = sqlx::query_scalar("SELECT 1 + 1")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(two, 2);
    conn.close().await.unwrap();
    let pool = PgPool::connect(db.url()).await.unwrap();
    let version: i32 = sqlx::query_scalar("SELECT current_setting('server_version_num')::INT")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(version >= 100_000, "{version}");
}

#[test]
fn block_on_works_inside_and_outside_a_runtime() {
    assert_eq!(folio_testing::block_on(|| async { 7 }), 7);
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    rt.block_on(async { assert_eq!(folio_testing::block_on(|| async { 8 }), 8) });
}

#[tokio::test]
async fn a_memory_database_lives_as_long_as_its_pool() {
    let pool = folio_testing::sqlite_memory().await;
    sqlx::query("CREATE TABLE t (x INT)")
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query("INSERT INTO t VALUES (1)")
        .execute(&pool)
        .await
        .unwrap();
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM t")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(n, 1);
}

#[tokio::test]
async fn a_file_database_is_shared_by_pools() {
    let db = folio_testing::sqlite_file();
    let p1 = db.pool().await;
    sqlx::query("CREATE TABLE t (x INT)")
        .execute(&p1)
        .await
        .unwrap();
    let p2 = db.pool().await;
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM t")
        .fetch_one(&p2)
        .await
        .unwrap();
    assert_eq!(n, 0);
    assert!(db.path().exists());
}

const SHOP: folio_testing::Shop = folio_testing::Shop {
    products: 10_000,
    users: 200,
    orders_per_user: 3,
};

async fn sqlite_i64(pool: &SqlitePool, sql: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .fetch_one(pool)
        .await
        .unwrap()
}

async fn pg_i64(pool: &PgPool, sql: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .fetch_one(pool)
        .await
        .unwrap()
}

const CHECKS: [(&str, i64, i64); 7] = [
    ("SELECT count(*) FROM products", 10_000, 10_000),
    (
        "SELECT count(*) FROM products WHERE rating IS NULL",
        900,
        1_100,
    ),
    ("SELECT count(DISTINCT category) FROM products", 20, 20),
    (
        "SELECT count(DISTINCT price_cents) FROM products",
        1_000,
        1_000,
    ),
    (
        "SELECT CAST(min(length(description)) AS BIGINT) FROM products",
        480,
        520,
    ),
    ("SELECT count(*) FROM users", 200, 200),
    // users 1..=200, user u has u % 7 orders
    ("SELECT count(*) FROM orders", 598, 598),
];

#[tokio::test]
async fn the_shop_loads_on_sqlite() {
    let pool = folio_testing::sqlite_memory().await;
    folio_testing::load_shop(&pool, SHOP).await;
    for (sql, lo, hi) in CHECKS {
        let v = sqlite_i64(&pool, sql).await;
        assert!((lo..=hi).contains(&v), "{sql}: {v}");
    }
    let ties = sqlite_i64(
        &pool,
        "SELECT count(*) FROM products a JOIN products b ON b.id = a.id + 1 AND b.created_at = a.created_at",
    )
    .await;
    assert_eq!(ties, 10_000 / 7);
    let decreasing = sqlite_i64(
        &pool,
        "SELECT count(*) FROM products a JOIN products b ON b.id = a.id + 1 AND b.created_at < a.created_at",
    )
    .await;
    assert_eq!(decreasing, 0);
    for user in [1_u64, 6, 7, 200] {
        let n = sqlx::query_scalar::<_, i64>("SELECT count(*) FROM orders WHERE user_id = ?")
            .bind(user as i64)
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(
            n as u64,
            folio_testing::orders_of_user(user, 3),
            "user {user}"
        );
    }
    let indexes = sqlite_i64(
        &pool,
        "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%'",
    )
    .await;
    assert_eq!(indexes, 14);
    let analyzed = sqlite_i64(&pool, "SELECT count(*) FROM sqlite_stat1").await;
    assert!(analyzed >= 7);
    let first: String = sqlx::query_scalar("SELECT created_at FROM products WHERE id = 2")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(first, "2024-01-01T00:01:01.234567Z");
}

#[tokio::test]
async fn the_shop_loads_identically_on_postgres() {
    let Some(db) = folio_testing::postgres().await else {
        return;
    };
    let pg = db.pool().await;
    folio_testing::load_shop(&pg, SHOP).await;
    for (sql, lo, hi) in CHECKS {
        let v = pg_i64(&pg, sql).await;
        assert!((lo..=hi).contains(&v), "{sql}: {v}");
    }
    // every row equals SQLite's
    let lite = folio_testing::sqlite_memory().await;
    folio_testing::load_shop(&lite, SHOP).await;
    let pg_rows = sqlx::query(
        "SELECT id, name, category, price_cents, rating, \
         to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') AS created_at, \
         description FROM products ORDER BY id",
    )
    .fetch_all(&pg)
    .await
    .unwrap();
    let lite_rows = sqlx::query(
        "SELECT id, name, category, price_cents, rating, created_at, description FROM products ORDER BY id",
    )
    .fetch_all(&lite)
    .await
    .unwrap();
    assert_eq!(pg_rows.len(), lite_rows.len());
    for (p, l) in pg_rows.iter().zip(&lite_rows) {
        let pg_row: (i64, String, String, i64, Option<f64>, String, String) = (
            p.get(0),
            p.get(1),
            p.get(2),
            p.get(3),
            p.get(4),
            p.get(5),
            p.get(6),
        );
        let lite_row: (i64, String, String, i64, Option<f64>, String, String) = (
            l.get(0),
            l.get(1),
            l.get(2),
            l.get(3),
            l.get(4),
            l.get(5),
            l.get(6),
        );
        assert_eq!(pg_row, lite_row);
    }
    let pg_orders: Vec<(i64, i64, String, i64)> =
        sqlx::query_as("SELECT id, user_id, status, total_cents FROM orders ORDER BY id")
            .fetch_all(&pg)
            .await
            .unwrap();
    let lite_orders: Vec<(i64, i64, String, i64)> =
        sqlx::query_as("SELECT id, user_id, status, total_cents FROM orders ORDER BY id")
            .fetch_all(&lite)
            .await
            .unwrap();
    assert_eq!(pg_orders, lite_orders);
    // identity sequences moved past the loaded ids; tables vacuumed and analyzed
    let next: i64 = sqlx::query_scalar(
        "INSERT INTO products (name, category, price_cents, created_at, description) \
         VALUES ('x', 'books', 1, now(), '') RETURNING id",
    )
    .fetch_one(&pg)
    .await
    .unwrap();
    assert_eq!(next, 10_001);
    let all_visible: i64 =
        sqlx::query_scalar("SELECT relallvisible::BIGINT FROM pg_class WHERE relname = 'products'")
            .fetch_one(&pg)
            .await
            .unwrap();
    assert!(all_visible > 0);
}
