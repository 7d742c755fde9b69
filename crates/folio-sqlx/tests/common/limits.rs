//! The limits suite, written once: statement timeouts, cancellation of abandoned
//! statements, costly-statement slots, a saturated pool and the count budget, on
//! every backend that can stop a statement (`rusqlite.rs`, `postgres.rs`,
//! `mysql.rs` instantiate it with `limits_tests!`).

use std::time::{Duration, Instant};

use folio::{Statement, Total, TotalRelation};
use folio_sqlx::{Db, ErrorKind, Limits, PoolSettings};

use super::{backend, ok, products, Guard, TestBackend};

/// Instantiates the limits suite: `limits_tests!(|settings| expr returning
/// Option<(Db<B>, Guard)>)`, the database opened with those pool settings.
#[macro_export]
macro_rules! limits_tests {
    (|$settings:ident| $open:expr) => {
        mod limits {
            use super::common;
            use folio_sqlx::PoolSettings;

            $crate::limits_tests!(@each |$settings| $open;
                statement_timeout_stops_a_long_statement,
                an_abandoned_costly_statement_is_stopped,
                a_saturated_pool_answers_busy,
                count_budget_caps_exact_counts,
            );
        }
    };
    (@each |$settings:ident| $open:expr; $($name:ident),* $(,)?) => {$(
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $name() {
            let open = |$settings: PoolSettings| async move { $open };
            common::limits::$name(open).await;
        }
    )*};
}

/// A statement that runs until stopped (far past any test's patience).
pub fn endless<B: TestBackend>() -> Statement {
    Statement::new(match backend::<B>() {
        "postgres" => "SELECT 1::BIGINT FROM pg_sleep(600)",
        // Not SLEEP: MariaDB answers an interrupted SLEEP with a row, not an error.
        "mysql" => {
            "SELECT CAST(SUM(a.seq * b.seq % 7) AS SIGNED) \
             FROM seq_1_to_1000000 a, seq_1_to_1000000 b"
        }
        _ => {
            "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s) SELECT COUNT(*) FROM s"
        }
    })
}

/// `SELECT 1` as a BIGINT.
fn select_one<B: TestBackend>() -> Statement {
    Statement::new(if backend::<B>() == "postgres" {
        "SELECT 1::BIGINT"
    } else {
        "SELECT 1"
    })
}

/// How many statements of `endless` the server runs now (server backends).
async fn running<B: TestBackend>(db: &Db<B>) -> i64 {
    let sql = match backend::<B>() {
        "postgres" => {
            "SELECT COUNT(*) FROM pg_stat_activity WHERE state = 'active' \
             AND query LIKE '%pg_sleep(600)%' AND pid <> pg_backend_pid() \
             AND datname = current_database()"
        }
        "mysql" => {
            "SELECT COUNT(*) FROM information_schema.PROCESSLIST \
             WHERE INFO LIKE '%seq_1_to_1000000 b%' AND ID <> CONNECTION_ID() \
             AND DB = DATABASE()"
        }
        other => panic!("no activity view on {other}"),
    };
    db.fetch_all::<(i64,)>(&Statement::new(sql)).await.unwrap()[0].0
}

/// Waits until `running` is `n` (a few seconds at most: the statements run for
/// minutes, so a miss is a failure, not a slow machine).
async fn until_running<B: TestBackend>(db: &Db<B>, n: i64) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let now = running(db).await;
        if now == n {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{now} statements running, not {n}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn is_server<B: TestBackend>() -> bool {
    backend::<B>() != "sqlite"
}

/// Past the pool's statement timeout a statement stops with a Timeout error (a
/// 503), and its connection serves the next statement.
pub async fn statement_timeout_stops_a_long_statement<B, O, F>(open: O)
where
    B: TestBackend,
    O: Fn(PoolSettings) -> F,
    F: std::future::Future<Output = Option<(Db<B>, Guard)>>,
{
    let settings = PoolSettings::default()
        .connections(1)
        .statement_timeout(Some(Duration::from_millis(300)));
    let Some((db, _guard)) = open(settings).await else {
        return;
    };
    let err = db.fetch_all::<(i64,)>(&endless::<B>()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err:?}");
    assert_eq!(err.http_status(), 503);
    let one = db.fetch_all::<(i64,)>(&select_one::<B>()).await.unwrap();
    assert_eq!(one, [(1,)]);
}

/// A costly statement whose future is dropped (the request timed out, its client
/// went away) stops on the database: nothing is left running, and the connection
/// serves again.
pub async fn an_abandoned_costly_statement_is_stopped<B, O, F>(open: O)
where
    B: TestBackend,
    O: Fn(PoolSettings) -> F,
    F: std::future::Future<Output = Option<(Db<B>, Guard)>>,
{
    // No statement timeout: only the cancel can stop it. One connection for the
    // statement on SQLite; two on a server (the cancel needs one).
    let settings = PoolSettings::default()
        .connections(if is_server::<B>() { 3 } else { 1 })
        .statement_timeout(None)
        .acquire_timeout(Duration::from_secs(10));
    let Some((db, _guard)) = open(settings).await else {
        return;
    };
    let task = {
        let db = db.clone();
        tokio::spawn(async move { db.fetch_all_costly::<(i64,)>(&endless::<B>()).await })
    };
    if is_server::<B>() {
        until_running(&db, 1).await;
    } else {
        // On SQLite: let it start and move to a blocking thread.
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    task.abort();
    assert!(task.await.unwrap_err().is_cancelled());
    if is_server::<B>() {
        until_running(&db, 0).await;
    }
    // The one connection (SQLite) is back: the endless statement no longer holds it.
    let one = db.fetch_all::<(i64,)>(&select_one::<B>()).await.unwrap();
    assert_eq!(one, [(1,)]);
}

/// Every connection in use past the pool's wait: Busy (a 503), not a long queue;
/// and the costly slots refuse a third costly statement at once while cheap ones
/// still run.
pub async fn a_saturated_pool_answers_busy<B, O, F>(open: O)
where
    B: TestBackend,
    O: Fn(PoolSettings) -> F,
    F: std::future::Future<Output = Option<(Db<B>, Guard)>>,
{
    if !is_server::<B>() {
        return a_saturated_sqlite_pool_answers_busy(open).await;
    }
    // The costly statements stop when cancelled; the plain one at the timeout.
    let settings = PoolSettings::default()
        .connections(3)
        .statement_timeout(Some(Duration::from_secs(5)))
        .acquire_timeout(Duration::from_millis(300));
    let Some((db, _guard)) = open(settings).await else {
        return;
    };
    let db = db.with_limits(Limits::default().costly_statements(Some(2)));
    let spawn = || {
        let db = db.clone();
        tokio::spawn(async move { db.fetch_all_costly::<(i64,)>(&endless::<B>()).await })
    };
    let held = [spawn(), spawn()];
    until_running(&db, 2).await;
    // Both costly slots taken: a third costly statement is refused at once.
    let err = db
        .fetch_all_costly::<(i64,)>(&select_one::<B>())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Busy);
    // A cheap statement runs on the third connection.
    let one = db.fetch_all::<(i64,)>(&select_one::<B>()).await.unwrap();
    assert_eq!(one, [(1,)]);
    // Take the third connection too: the pool is saturated, a statement waits the
    // pool's 300 ms, then fails Busy (not Unavailable: the database is up).
    let third = {
        let db = db.clone();
        tokio::spawn(async move { db.fetch_all::<(i64,)>(&endless::<B>()).await })
    };
    // (The activity view needs a connection too: poll until a statement finds
    // none.)
    let deadline = Instant::now() + Duration::from_secs(20);
    let err = loop {
        match db.fetch_all::<(i64,)>(&select_one::<B>()).await {
            Err(e) => break e,
            Ok(_) => assert!(
                Instant::now() < deadline,
                "the third statement never started"
            ),
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(err.kind(), ErrorKind::Busy, "{err:?}");
    assert_eq!(err.http_status(), 503);
    for task in held {
        task.abort();
    }
    third.abort();
    // The cancelled costly ones stop at once; the plain one at its time limit.
    until_running(&db, 1).await;
}

async fn a_saturated_sqlite_pool_answers_busy<B, O, F>(open: O)
where
    B: TestBackend,
    O: Fn(PoolSettings) -> F,
    F: std::future::Future<Output = Option<(Db<B>, Guard)>>,
{
    let settings = PoolSettings::default()
        .connections(1)
        .statement_timeout(Some(Duration::from_secs(5)))
        .acquire_timeout(Duration::from_millis(300));
    let Some((db, _guard)) = open(settings).await else {
        return;
    };
    let task = {
        let db = db.clone();
        tokio::spawn(async move { db.fetch_all::<(i64,)>(&endless::<B>()).await })
    };
    tokio::time::sleep(Duration::from_millis(100)).await;
    let err = db
        .fetch_all::<(i64,)>(&select_one::<B>())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Busy, "{err:?}");
    task.abort();
}

/// `count=exact` past the count budget answers the budget with `gte`; within it,
/// the exact total; `page=last` still finds the last page.
pub async fn count_budget_caps_exact_counts<B, O, F>(open: O)
where
    B: TestBackend,
    O: Fn(PoolSettings) -> F,
    F: std::future::Future<Output = Option<(Db<B>, Guard)>>,
{
    let Some((db, _guard)) = open(PoolSettings::default()).await else {
        return;
    };
    products(&db, "budget", 120).await;
    let endpoint = super::endpoint().build();
    let select = super::base("budget");
    let budgeted = db
        .clone()
        .with_limits(Limits::default().count_budget(Some(50)));
    for strategy in ["exact", "cached"] {
        let page = ok(
            &budgeted,
            &endpoint,
            &select,
            &format!("per_page=10&count={strategy}"),
        )
        .await;
        assert_eq!(
            page.total,
            Some(Total {
                value: 50,
                relation: TotalRelation::Gte
            }),
            "{strategy}"
        );
    }
    let unbounded = ok(&db, &endpoint, &select, "per_page=10&count=exact&page=2").await;
    assert_eq!(unbounded.total, Some(Total::exact(120)));
    let within = db
        .clone()
        .with_limits(Limits::default().count_budget(Some(500)));
    let page = ok(
        &within,
        &endpoint,
        &select,
        "per_page=10&count=exact&page=2",
    )
    .await;
    assert_eq!(page.total, Some(Total::exact(120)));
    let last = ok(
        &budgeted,
        &endpoint,
        &select,
        "per_page=10&count=exact&page=last",
    )
    .await;
    assert_eq!(super::ids(&last), (111..=120).collect::<Vec<_>>());
}
