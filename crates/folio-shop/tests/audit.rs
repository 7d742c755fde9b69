//! The shop passes its own index audit: on a database seeded by the shop itself
//! (50,000 products, 20,000 users with 5 orders each: enough rows for each planner
//! to prefer an index walk to a sort wherever an index gives the order), every
//! combination of ordering and filters of every list is served by an index of the
//! shop's schema (`sql/schema.<backend>.sql`). PostgreSQL and MariaDB come from
//! folio-testing (skipped loudly without them, a failure under `CI` /
//! `FOLIO_REQUIRE_PG` / `FOLIO_REQUIRE_MYSQL`).

use folio_shop::backend::ShopBackend;
use folio_shop::seed::{DemoSize, SeedOptions};
use folio_shop::state::{Api, Settings};
use folio_sqlx::{Db, MySql, Postgres, Rusqlite};

const SIZE: DemoSize = DemoSize {
    products: 50_000,
    users: 20_000,
    orders_per_user: 5,
};

/// Seeds `url` with the shop's schema and data, then audits every list.
async fn audit<B: ShopBackend>(url: &str) -> Vec<folio::AuditReport> {
    let options = SeedOptions {
        size: SIZE,
        seed: folio_shop::seed::DEFAULT_SEED,
        quiet: true,
    };
    folio_shop::db::seed::<B>(url, &options).await.unwrap();
    let opened = B::open(url).await.unwrap();
    let db = Db::<B>::new(opened.writer.clone());
    let api = Api::new(&Settings::new(folio::CursorCodec::new(b"audit test")));
    let reports = folio_shop::audit::run(&db, &api).await.unwrap();
    db.close().await;
    assert_eq!(
        reports
            .iter()
            .map(|r| r.endpoint.as_str())
            .collect::<Vec<_>>(),
        ["products", "users", "orders"]
    );
    for report in &reports {
        println!("{report}");
        for entry in report.unserved() {
            println!("{}:\n{}\n", entry.case, entry.plan);
        }
        assert_eq!(report.left_out, 0);
    }
    reports
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_serves_every_combination() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("shop.db").display());
    for report in audit::<Rusqlite>(&url).await {
        report.assert_served();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_serves_every_combination() {
    let Some(test_db) = folio_testing::postgres().await else {
        return;
    };
    for report in audit::<Postgres>(test_db.url()).await {
        report.assert_served();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mysql_serves_every_combination() {
    let Some(test_db) = folio_testing::mysql().await else {
        return;
    };
    for report in audit::<MySql>(test_db.url()).await {
        report.assert_served();
    }
}
