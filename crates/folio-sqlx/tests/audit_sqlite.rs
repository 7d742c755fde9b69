//! The index audit on SQLite, through sqlx and through rusqlite.

mod audit_common;

use folio_sqlx::{Db, RusqlitePool};

const SETUP: [&str; 4] = [
    "CREATE TABLE items (id INTEGER PRIMARY KEY, category TEXT NOT NULL, name TEXT NOT NULL, price INTEGER NOT NULL)",
    "INSERT INTO items (id, category, name, price) \
     WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200000) \
     SELECT i, 'c' || (i % 20), printf('n%07d', (i * 7919) % 200000), (i * 31) % 1000 FROM n",
    "CREATE INDEX items_category_id ON items (category, id)",
    "ANALYZE",
];

#[tokio::test]
async fn sqlx_sqlite_reports_an_unserved_combination_then_serves_it() {
    let db = Db::<folio_sqlx::Sqlite>::new(folio_testing::sqlite_memory().await);
    audit_common::unserved_then_served(db, &SETUP).await;
}

#[tokio::test]
async fn rusqlite_reports_an_unserved_combination_then_serves_it() {
    let db = Db::<folio_sqlx::Rusqlite>::new(RusqlitePool::memory().unwrap());
    audit_common::unserved_then_served(db, &SETUP).await;
}
