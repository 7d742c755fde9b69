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
             SELECT i, CONCAT('c', i % 20), CONCAT('n', LPAD((i * 7919) % 200000, 7, '0')), (i * 31) % 1000 \
             FROM (SELECT a.d + 10 * b.d + 100 * c.d + 1000 * e.d + 10000 * f.d + 1 AS i \
                   FROM (SELECT 0 AS d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 \
                         UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9) AS a, \
                        (SELECT 0 AS d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 \
                         UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9) AS b, \
                        (SELECT 0 AS d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 \
                         UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9) AS c, \
                        (SELECT 0 AS d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 \
                         UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9) AS e, \
                        (SELECT 0 AS d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 \
                         UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9 \
                         UNION ALL SELECT 10 UNION ALL SELECT 11 UNION ALL SELECT 12 UNION ALL SELECT 13 UNION ALL SELECT 14 \
                         UNION ALL SELECT 15 UNION ALL SELECT 16 UNION ALL SELECT 17 UNION ALL SELECT 18 UNION ALL SELECT 19) AS f) AS n",
            "CREATE INDEX items_category_id ON items (category, id)",
            "ANALYZE TABLE items",
        ],
    )
    .await;
}
