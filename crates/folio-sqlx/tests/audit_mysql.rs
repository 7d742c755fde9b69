//! The index audit on MariaDB or MySQL (folio-testing's throwaway server or
//! `FOLIO_TEST_MYSQL_URL`; skipped loudly without one, a failure under `CI` /
//! `FOLIO_REQUIRE_MYSQL`).

mod audit_common;

#[tokio::test]
async fn mysql_reports_an_unserved_combination_then_serves_it() {
    let Some(test_db) = folio_testing::mysql().await else {
        return;
    };
    let db = folio_sqlx::Db::<folio_sqlx::MySql>::new(test_db.pool().await);
    audit_common::unserved_then_served(
        db,
        &[
            "CREATE TABLE items (id BIGINT NOT NULL PRIMARY KEY, category VARCHAR(16) NOT NULL, name VARCHAR(16) NOT NULL, price BIGINT NOT NULL)",
            "INSERT INTO items \
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000) \
             SELECT i, CONCAT('c', i % 20), CONCAT('n', LPAD((i * 7919) % 20000, 7, '0')), (i * 31) % 1000 FROM n",
            "CREATE INDEX items_category_id ON items (category, id)",
            "ANALYZE TABLE items",
        ],
    )
    .await;
}
