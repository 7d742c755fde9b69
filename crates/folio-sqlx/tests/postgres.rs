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
