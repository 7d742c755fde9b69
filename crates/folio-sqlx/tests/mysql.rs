//! The shared suite on MariaDB (or MySQL): a fresh database per test from
//! folio-testing (on `FOLIO_TEST_MYSQL_URL`'s server, else a throwaway `mariadbd`;
//! skipped loudly when there is none, a failure under `CI` / `FOLIO_REQUIRE_MYSQL`).
//! The databases are `utf8mb4_general_ci`: text compares case-insensitively.

mod common;

use folio::{Orderings, Select, Statement};
use futures::TryStreamExt;

all_tests!(common::mysql().await);
limits_tests!(|settings| {
    let test_db = folio_testing::mysql().await?;
    let db = folio_sqlx::Db::<folio_sqlx::MySql>::connect_with(test_db.url(), settings)
        .await
        .expect("a pool on the test database");
    let guard: common::Guard = Some(Box::new(test_db));
    Some((db, guard))
});

/// A sort key of a type a cursor cannot carry (`DATE`) is a Decode error, not a
/// panic.
#[tokio::test]
async fn date_sort_key_is_a_decode_error() {
    let Some((db, _guard)) = common::mysql().await else {
        return;
    };
    let select = Select::sql(
        "SELECT 1 AS id, DATE '2024-01-01' AS day UNION ALL SELECT 2, DATE '2024-01-02' \
         UNION ALL SELECT 3, DATE '2024-01-03'",
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

/// `DATETIME(6)` keys go into cursors as microseconds (UTC) and come back as binds:
/// rows one microsecond apart, and ties, are walked in order.
#[tokio::test]
async fn datetime_keys_round_trip() {
    let Some((db, _guard)) = common::mysql().await else {
        return;
    };
    for sql in [
        "CREATE TABLE events (id BIGINT PRIMARY KEY, at DATETIME(6) NOT NULL, stamp TIMESTAMP(6) NULL)",
        "INSERT INTO events SELECT s.i, CAST('2024-01-01 00:00:00.000001' AS DATETIME(6)) + INTERVAL (s.i % 4) MICROSECOND, \
         CAST('2024-03-01 12:00:00.5' AS DATETIME(6)) + INTERVAL (s.i % 3) SECOND \
         FROM (SELECT a.d + 10 * b.d + 1 AS i FROM \
         (SELECT 0 AS d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 \
          UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9) AS a CROSS JOIN \
         (SELECT 0 AS d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4) AS b) AS s",
        "CREATE INDEX events_at ON events (at, id)",
    ] {
        db.execute(&Statement {
            sql: sql.into(),
            binds: vec![],
        })
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e:?}"));
    }
    let orderings = Orderings::new("id", "id")
        .field("at", "at")
        .field("stamp", "stamp");
    let select = Select::from("events").columns(["id", "at", "stamp"]);
    let got: Vec<(i64,)> = db
        .stream::<(i64,)>(select.clone(), orderings.parse("-at").unwrap(), 3)
        .try_collect()
        .await
        .unwrap();
    let mut want: Vec<i64> = (1..=50).collect();
    want.sort_by_key(|i| (std::cmp::Reverse(i % 4), std::cmp::Reverse(*i)));
    assert_eq!(got.into_iter().map(|r| r.0).collect::<Vec<_>>(), want);
    // TIMESTAMP columns alike
    let got: Vec<(i64,)> = db
        .stream::<(i64,)>(select, orderings.parse("stamp").unwrap(), 4)
        .try_collect()
        .await
        .unwrap();
    let mut want: Vec<i64> = (1..=50).collect();
    want.sort_by_key(|i| (i % 3, *i));
    assert_eq!(got.into_iter().map(|r| r.0).collect::<Vec<_>>(), want);
}

/// Text parent keys under the database's case-insensitive collation: the first
/// children of each parent are the rows the database itself holds equal to it
/// (`WHERE owner = ?`), whatever the spelling given ('abc', 'ABC', 'Abc' are one
/// key under `utf8mb4_general_ci`), each spelling given getting its own entry.
#[tokio::test]
async fn children_of_text_parents_match_under_the_collation() {
    let Some((db, _guard)) = common::mysql().await else {
        return;
    };
    for sql in [
        "CREATE TABLE tags (id BIGINT PRIMARY KEY, owner VARCHAR(20) NOT NULL)",
        "INSERT INTO tags VALUES (1, 'abc'), (2, 'ABC'), (3, 'abc'), (4, 'xyz'), (5, 'Abc'), \
         (6, 'XYZ'), (7, 'other')",
        "CREATE INDEX tags_owner ON tags (owner, id)",
    ] {
        db.execute(&Statement::new(sql))
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e:?}"));
    }
    #[derive(sqlx::FromRow, Debug, PartialEq)]
    struct Tag {
        id: i64,
        owner: String,
    }
    let spec = folio::SortSpec::by_unique("id", "id");
    let parents: Vec<folio::Value> = ["ABC", "abc", "Xyz", "none", "ABC"]
        .into_iter()
        .map(folio::Value::from)
        .collect();
    for per_parent in [1u64, 2, 5] {
        let got = db
            .children::<Tag>(&Select::from("tags"), "owner", &spec, &parents, per_parent)
            .await
            .unwrap();
        // one entry per parent as given (the repeated 'ABC' once)
        let given: Vec<&folio::Value> = got.iter().map(|c| &c.parent).collect();
        assert_eq!(given, parents[..4].iter().collect::<Vec<_>>());
        for c in &got {
            // what the database holds equal to this parent, in the ordering
            let folio::Value::Text(owner) = &c.parent else {
                panic!("a text parent")
            };
            let want: Vec<i64> =
                sqlx::query_scalar::<_, i64>("SELECT id FROM tags WHERE owner = ? ORDER BY id")
                    .bind(owner)
                    .fetch_all(db.pool().sqlx())
                    .await
                    .unwrap();
            let ids: Vec<i64> = c.items.iter().map(|t| t.id).collect();
            let k = (per_parent as usize).min(want.len());
            assert_eq!(ids, want[..k], "parent {owner}, {per_parent} per parent");
            assert_eq!(c.has_more, want.len() > k, "parent {owner}, {per_parent}");
            assert_eq!(
                c.last_keys,
                ids.last().map(|id| vec![folio::Value::Int(*id)]),
                "parent {owner}"
            );
        }
        // the collation is what the test says it is: 'ABC' and 'abc' both hold 4 rows
        assert_eq!(got[0].items.first().map(|t| t.owner.as_str()), Some("abc"));
    }
}

/// Under 32 tasks at once, a pool of 4 runs every statement on the same 4 server
/// connections.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_busy_pool_keeps_its_connections() {
    let Some(test_db) = folio_testing::mysql().await else {
        return;
    };
    common::a_busy_pool_keeps_its_connections::<folio_sqlx::MySql>(
        test_db.url(),
        "SELECT CAST(CONNECTION_ID() AS SIGNED)",
    )
    .await;
}
