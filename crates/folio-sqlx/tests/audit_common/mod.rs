//! The index audit on a live database, written once for every backend: a table of
//! 200,000 items in 20 categories, indexed on `(category, id)` only. Ordering by
//! `name` within a category is then a sort of the category's rows; the audit must
//! say so and suggest `(category, name, id)`, and once that index exists, call the
//! combination served.
#![allow(dead_code, unreachable_pub, clippy::missing_panics_doc)]

use folio::{CursorCodec, Endpoint, FilterParam, IndexAudit, Orderings, Select, Statement};
use folio_sqlx::{Backend, Db};

/// The known-unserved combination.
pub const UNSERVED: &str = "ordering=name&category";
/// The index the audit must suggest for it.
pub const SUGGESTED: &str = "CREATE INDEX items_category_name_id ON items (category, name, id);";

fn endpoint() -> Endpoint {
    Endpoint::builder("items", CursorCodec::new(b"audit test key"))
        .orderings(Orderings::new("id", "id").field("name", "name"))
        .filter(FilterParam::eq("category"))
        .filter(FilterParam::ge("min_price").column("price").int())
        .build()
}

async fn run<B: Backend>(db: &Db<B>, sql: &str) {
    db.execute(&Statement::new(sql))
        .await
        .unwrap_or_else(|e| panic!("{e:?}\n{sql}"));
}

/// `setup` creates and fills `items` (`id`, `category`, `name`, `price`) and
/// analyzes it; its only index besides the primary key is `(category, id)`.
pub async fn unserved_then_served<B: Backend>(db: Db<B>, setup: &[&str]) {
    for sql in setup {
        run(&db, sql).await;
    }
    let audit = IndexAudit::new(&endpoint(), Select::from("items"));
    let report = db.audit(&audit).await.unwrap();
    println!("{report}");
    let entry = |report: &folio::AuditReport, case: &str| {
        report
            .entries
            .iter()
            .find(|e| e.case == case)
            .unwrap_or_else(|| panic!("no {case} in\n{report}"))
            .clone()
    };
    let before = entry(&report, UNSERVED);
    assert!(!before.served, "{report}\n{}", before.plan);
    assert_eq!(before.suggestion.as_deref(), Some(SUGGESTED), "{report}");
    // The category's own index walks in id order: no sort, nothing to suggest.
    let by_id = entry(&report, "ordering=id&category");
    assert!(by_id.served, "{report}\n{}", by_id.plan);
    assert_eq!(by_id.suggestion, None);
    let failed = std::panic::catch_unwind(|| report.assert_served_except(&["ordering=name"]));
    assert!(failed.is_err(), "{report}");

    run(&db, SUGGESTED).await;
    let report = db.audit(&audit).await.unwrap();
    println!("{report}");
    let after = entry(&report, UNSERVED);
    assert!(after.served, "{report}\n{}", after.plan);
    assert_eq!(
        after.index.as_deref(),
        Some("items_category_name_id"),
        "{report}"
    );
    assert_eq!(after.suggestion, None);
    // The price bound is tested row by row on that walk.
    let bounded = entry(&report, "ordering=name&category&min_price");
    assert!(bounded.served, "{report}\n{}", bounded.plan);
    assert_eq!(bounded.filtered, ["price"], "{report}\n{}", bounded.plan);
}
