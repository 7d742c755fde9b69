//! The shared suite on SQLite through folio's own executor (`Rusqlite`, an
//! in-memory database per test).

mod common;

all_tests!(common::rusqlite());
limits_tests!(|settings| {
    let pool = folio_sqlx::Db::<folio_sqlx::Rusqlite>::connect_with("sqlite::memory:", settings)
        .await
        .expect("an in-memory SQLite database");
    Some((pool, None::<Box<dyn std::any::Any + Send>>))
});
