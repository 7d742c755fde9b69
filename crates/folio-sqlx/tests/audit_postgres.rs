//! The index audit on PostgreSQL (folio-testing's throwaway cluster or
//! `FOLIO_TEST_PG_URL`; skipped loudly without PostgreSQL, a failure under `CI` /
//! `FOLIO_REQUIRE_PG`).

mod audit_common;

#[tokio::test]
async fn postgres_reports_an_unserved_combination_then_serves_it() {
    let Some(test_db) = folio_testing::postgres().await else {
        return;
    };
    let db = folio_sqlx::Db::<folio_sqlx::Postgres>::new(test_db.pool().await);
    audit_common::unserved_then_served(
        db,
        &[
            "CREATE TABLE items (id BIGINT PRIMARY KEY, category TEXT NOT NULL, name TEXT NOT NULL, price BIGINT NOT NULL)",
            "INSERT INTO items SELECT i, 'c' || (i % 20), 'n' || lpad(((i * 7919) % 200000)::text, 7, '0'), (i * 31) % 1000 \
             FROM generate_series(1, 200000) AS i",
            "CREATE INDEX items_category_id ON items (category, id)",
            "ANALYZE items",
        ],
    )
    .await;
}
