//! The shared suite on PostgreSQL: a fresh database per test from folio-testing
//! (on `FOLIO_TEST_PG_URL`'s server, else a throwaway cluster; skipped loudly when
//! there is no PostgreSQL, a failure under `CI` / `FOLIO_REQUIRE_PG`).

mod common;

use folio::{Orderings, Select};
use futures::TryStreamExt;

all_tests!(common::postgres().await);
limits_tests!(|settings| {
    let test_db = folio_testing::postgres().await?;
    let db = folio_sqlx::Db::<folio_sqlx::Postgres>::connect_with(test_db.url(), settings)
        .await
        .expect("a pool on the test database");
    let guard: common::Guard = Some(Box::new(test_db));
    Some((db, guard))
});

/// A sort key of a type a cursor cannot carry is a Decode error, not a panic.
#[tokio::test]
async fn date_sort_key_is_a_decode_error() {
    let Some((db, _guard)) = common::postgres().await else {
        return;
    };
    let select = Select::sql(
        "SELECT i AS id, (date '2024-01-01' + i) AS day FROM generate_series(1, 5) AS i",
    );
    let spec = Orderings::new("id", "id")
        .field("day", "day")
        .parse("day")
        .unwrap();
    let err = db
        .stream::<(i64,)>(select, spec, 2)
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), folio_sqlx::ErrorKind::Decode);
    assert_eq!(err.http_status(), 500);
    assert_eq!(err.decode_detail(), Some(("day", "DATE")));
}

/// TIMESTAMPTZ keys go into cursors as microseconds and come back as binds.
#[tokio::test]
async fn timestamptz_keys_round_trip() {
    let Some((db, _guard)) = common::postgres().await else {
        return;
    };
    let select = Select::sql(
        "SELECT i::bigint AS id, timestamptz '2024-01-01 00:00:00.000001+00' + (i % 4) * interval '1 microsecond' AS at \
         FROM generate_series(1, 50) AS i",
    );
    let spec = Orderings::new("id", "id")
        .field("at", "at")
        .parse("-at")
        .unwrap();
    let got: Vec<(i64,)> = db
        .stream::<(i64,)>(select, spec, 3)
        .try_collect()
        .await
        .unwrap();
    let mut want: Vec<i64> = (1..=50).collect();
    want.sort_by_key(|i| (std::cmp::Reverse(i % 4), std::cmp::Reverse(*i)));
    assert_eq!(got.into_iter().map(|r| r.0).collect::<Vec<_>>(), want);
}

/// A pooled connection used within the last second goes to the next statement
/// without a ping: if the server ended it meanwhile, that statement fails as
/// "unavailable" (503) and the pool opens a new connection for the one after. A
/// connection idle longer is pinged first and replaced when the ping fails, so the
/// statement after a pause succeeds.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recently_used_connection_is_not_pinged_an_idle_one_is() {
    use folio::Statement;
    use folio_sqlx::{Db, ErrorKind, PoolSettings, Postgres};

    let Some(test_db) = folio_testing::postgres().await else {
        return;
    };
    let db = Db::<Postgres>::connect_with(test_db.url(), PoolSettings::default().connections(1))
        .await
        .expect("a one-connection pool");
    let other = Db::<Postgres>::connect(test_db.url())
        .await
        .expect("a second pool");
    let backend = Statement::new("SELECT pg_backend_pid()");
    let end = |pid: i32| Statement::new(format!("SELECT pg_terminate_backend({pid})"));
    let terminated = |pid: i32| {
        Statement::new(format!(
            "SELECT count(*) FROM pg_stat_activity WHERE pid = {pid}"
        ))
    };

    // Used just now, then ended by the server: the next statement hears it.
    let (first,): (i32,) = db.fetch_all(&backend).await.unwrap()[0];
    other.execute(&end(first)).await.unwrap();
    for _ in 0..100 {
        let gone: Vec<(i64,)> = other.fetch_all(&terminated(first)).await.unwrap();
        if gone[0].0 == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let err = db.fetch_all::<(i32,)>(&backend).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unavailable, "{err}");
    assert_eq!(err.http_status(), 503);
    let (second,): (i32,) = db.fetch_all(&backend).await.unwrap()[0];
    assert_ne!(second, first, "a new connection after the broken one");

    // Idle past the ping threshold, then ended: the ping finds it, the statement runs
    // on a new connection.
    other.execute(&end(second)).await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(1_500)).await;
    let (third,): (i32,) = db.fetch_all(&backend).await.unwrap()[0];
    assert_ne!(third, second);
}

/// Under 32 tasks at once, a pool of 4 runs every statement on the same 4 server
/// processes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_busy_pool_keeps_its_connections() {
    let Some(test_db) = folio_testing::postgres().await else {
        return;
    };
    common::a_busy_pool_keeps_its_connections::<folio_sqlx::Postgres>(
        test_db.url(),
        "SELECT pg_backend_pid()::BIGINT",
    )
    .await;
}
