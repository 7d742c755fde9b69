//! The bundled SQLite is built for a server: no process-wide page-cache lock
//! (`SQLITE_ENABLE_MEMORY_MANAGEMENT`) and no memory statistics, as
//! `.cargo/config.toml` asks. Losing that setting serialises every SQLite query
//! of folio-shop (docs/benchmarks.md), so it is pinned here.

#[tokio::test]
async fn bundled_sqlite_serves_connections_concurrently() {
    let db = folio_sqlx::Db::<folio_sqlx::Sqlite>::connect("sqlite::memory:")
        .await
        .unwrap();
    let st = folio::Statement {
        sql: "PRAGMA compile_options".into(),
        binds: vec![],
    };
    let options: Vec<(String,)> = db.fetch_all(&st).await.unwrap();
    let options: Vec<&str> = options.iter().map(|(o,)| o.as_str()).collect();
    assert!(
        !options.contains(&"ENABLE_MEMORY_MANAGEMENT"),
        "SQLite built with ENABLE_MEMORY_MANAGEMENT (LIBSQLITE3_FLAGS not applied): {options:?}"
    );
    assert!(
        options.contains(&"DEFAULT_MEMSTATUS=0"),
        "SQLite keeps memory statistics (LIBSQLITE3_FLAGS not applied): {options:?}"
    );
}
