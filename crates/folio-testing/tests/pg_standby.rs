//! The PostgreSQL harness's hot standby: a streaming replica of a throwaway
//! cluster that replays its writes, refuses its own, and keeps answering reads
//! while the primary is down.

use sqlx::{Connection as _, PgConnection};

async fn connect(url: &str) -> PgConnection {
    PgConnection::connect(url)
        .await
        .unwrap_or_else(|e| panic!("cannot connect to {url}: {e}"))
}

async fn rows(url: &str) -> i64 {
    let mut conn = connect(url).await;
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM t")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    n
}

async fn insert(url: &str, n: i64) {
    let mut conn = connect(url).await;
    sqlx::query("INSERT INTO t SELECT generate_series(1, $1)")
        .bind(n)
        .execute(&mut conn)
        .await
        .unwrap();
}

#[tokio::test]
async fn a_standby_replays_refuses_writes_and_outlives_its_primary() {
    let Some(mut primary) = folio_testing::PgCluster::start() else {
        return;
    };
    let mut standby = primary.start_standby();
    let mut conn = connect(&primary.url()).await;
    sqlx::raw_sql("CREATE TABLE t (id BIGINT)")
        .execute(&mut conn)
        .await
        .unwrap();
    drop(conn);
    insert(&primary.url(), 100).await;
    primary.caught_up(&standby).await;
    assert_eq!(rows(&standby.url()).await, 100);

    let mut on_standby = connect(&standby.url()).await;
    let (recovering,): (bool,) = sqlx::query_as("SELECT pg_is_in_recovery()")
        .fetch_one(&mut on_standby)
        .await
        .unwrap();
    assert!(recovering);
    let refused = sqlx::query("INSERT INTO t VALUES (1)")
        .execute(&mut on_standby)
        .await
        .unwrap_err();
    let code = refused
        .as_database_error()
        .and_then(sqlx::error::DatabaseError::code);
    assert_eq!(code.as_deref(), Some("25006"), "{refused}");
    drop(on_standby);

    // The primary down: the standby still answers reads.
    primary.stop();
    assert_eq!(rows(&standby.url()).await, 100);
    assert!(PgConnection::connect(&primary.url()).await.is_err());

    // Back, it streams again; the standby stopped and started catches up.
    primary.restart();
    insert(&primary.url(), 20).await;
    primary.caught_up(&standby).await;
    assert_eq!(rows(&standby.url()).await, 120);
    standby.stop();
    assert!(PgConnection::connect(&standby.url()).await.is_err());
    insert(&primary.url(), 5).await;
    standby.restart();
    primary.caught_up(&standby).await;
    assert_eq!(rows(&standby.url()).await, 125);
}
