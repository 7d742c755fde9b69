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
