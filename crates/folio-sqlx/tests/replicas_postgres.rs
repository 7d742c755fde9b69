//! Read replicas on a real PostgreSQL streaming replica: a throwaway primary and
//! its hot standby (folio-testing), stopped and started under a `Db` that reads
//! from the standby and writes to the primary. Every page row says where it was
//! read (`pg_is_in_recovery()`: true on the standby).

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use folio::{CountStrategy, CursorCodec, Endpoint, Orderings, Select, Statement, Total};
use folio_sqlx::{Db, ErrorKind, PoolSettings, Postgres, Replicas};
use folio_testing::PgCluster;

/// A primary holding `products` rows, its standby caught up, and a `Db` writing
/// to the one and reading from the other.
async fn primary_and_standby(products: u64) -> Option<(PgCluster, PgCluster, Db<Postgres>)> {
    let primary = PgCluster::start()?;
    let standby = primary.start_standby();
    let pool = sqlx::PgPool::connect(&primary.url()).await.unwrap();
    folio_testing::load_shop(
        &pool,
        folio_testing::Shop {
            products,
            users: 20,
            orders_per_user: 3,
        },
    )
    .await;
    pool.close().await;
    primary.caught_up(&standby).await;
    let settings = PoolSettings::default().connections(4);
    let replicas = Replicas::<Postgres>::connect(&[standby.url()], settings)
        .await
        .unwrap();
    let db = Db::<Postgres>::connect_with(&primary.url(), settings)
        .await
        .unwrap()
        .with_replicas(replicas);
    Some((primary, standby, db))
}

fn endpoint() -> Endpoint {
    Endpoint::builder(
        "products",
        CursorCodec::new(b"replica test key, not a real one"),
    )
    .orderings(Orderings::new("id", "id").field("price", "price_cents"))
    .page_size(10, 1_000)
    .count(CountStrategy::None)
    .build()
}

/// Each row: its id, its price, and whether the server that read it is a standby.
fn products() -> Select {
    Select::sql("SELECT id, price_cents, pg_is_in_recovery() AS on_standby FROM products")
}

type Row = (i64, i64, bool);

/// Whether the server a read of `db` reaches is a standby.
async fn reads_on_standby(db: &Db<Postgres>) -> bool {
    db.find::<(bool,)>(&Select::sql("SELECT pg_is_in_recovery()"))
        .await
        .unwrap()
        .unwrap()
        .0
}

async fn ids(db: &Db<Postgres>) -> BTreeSet<i64> {
    db.primary()
        .select::<(i64,)>(&Select::sql("SELECT id FROM products"))
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.0)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_walk_on_the_standby_while_the_primary_is_written_holds_every_lasting_row_once() {
    let Some((_primary, _standby, db)) = primary_and_standby(2_000).await else {
        return;
    };
    assert!(reads_on_standby(&db).await);
    assert!(!reads_on_standby(&db.primary()).await);
    let before = ids(&db).await;
    let endpoint = endpoint();
    let mut deleted = BTreeSet::new();
    let mut seen: BTreeMap<i64, u32> = BTreeMap::new();
    let mut cursor = String::new();
    let mut page_no: i64 = 0;
    loop {
        let listing = endpoint
            .parse(
                "/products",
                &format!("ordering=-price&per_page=37&cursor={cursor}"),
            )
            .unwrap();
        let page = db
            .page::<Row>(&endpoint, &listing, products())
            .await
            .unwrap();
        for (id, _, on_standby) in &page.items {
            assert!(on_standby, "row {id} was read on the primary");
            *seen.entry(*id).or_default() += 1;
        }
        // Writes between pages, on the primary: new rows at every price, rows
        // deleted ahead of and behind the walk, names changed.
        page_no += 1;
        db.execute(
            &Statement::new(
                "INSERT INTO products (name, category, price_cents, rating, created_at, description) \
                 SELECT 'new', 'Books', (g * 7919 + $1 * 104729) % 100000, NULL, now(), '' \
                 FROM generate_series(1, 5) AS g",
            )
            .bind(page_no),
        )
        .await
        .unwrap();
        let gone: Vec<i64> = [page_no * 13 % 2_000 + 1, page_no * 29 % 2_000 + 1]
            .into_iter()
            .filter(|id| before.contains(id))
            .collect();
        for id in &gone {
            let n = db
                .execute(&Statement::new("DELETE FROM products WHERE id = $1").bind(*id))
                .await
                .unwrap();
            if n == 1 {
                deleted.insert(*id);
            }
        }
        db.execute(
            &Statement::new("UPDATE products SET name = name || '!' WHERE id % 50 = $1")
                .bind(page_no % 50),
        )
        .await
        .unwrap();
        match page.next_cursor {
            Some(next) => cursor = next,
            None => break,
        }
    }
    assert!(page_no > 50, "{page_no} pages");
    assert!(!deleted.is_empty());
    let twice: Vec<_> = seen.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "rows read twice: {twice:?}");
    let missing: Vec<_> = before
        .difference(&deleted)
        .filter(|id| !seen.contains_key(id))
        .collect();
    assert!(
        missing.is_empty(),
        "rows that lasted but were not read: {missing:?}"
    );
    assert_eq!(db.replicas().unwrap().up(), [true]);
    db.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_primary_stopped_the_standby_answers_pages_counts_and_lookups() {
    let Some((mut primary, _standby, db)) = primary_and_standby(300).await else {
        return;
    };
    primary.stop();
    let endpoint = endpoint();
    let listing = endpoint
        .parse("/products", "cursor=&per_page=50&count=exact")
        .unwrap();
    let first = db
        .page::<Row>(&endpoint, &listing, products())
        .await
        .unwrap();
    assert_eq!(first.total, Some(Total::exact(300)));
    assert!(first.items.iter().all(|r| r.2));
    let listing = endpoint
        .parse(
            "/products",
            &format!("per_page=50&cursor={}", first.next_cursor.unwrap()),
        )
        .unwrap();
    let second = db
        .page::<Row>(&endpoint, &listing, products())
        .await
        .unwrap();
    assert_eq!(second.items.first().map(|r| r.0), Some(51));
    let orders = db
        .select::<(i64,)>(&Select::sql(
            "SELECT id FROM orders WHERE user_id = 4 ORDER BY id",
        ))
        .await
        .unwrap();
    assert_eq!(orders.len() as u64, folio_testing::orders_of_user(4, 3));
    // A write has nowhere to go.
    let err = db
        .execute(&Statement::new("DELETE FROM products WHERE id = 1"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unavailable);
    assert_eq!(db.replicas().unwrap().up(), [true]);
    db.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_standby_stopped_the_primary_serves_and_the_standby_is_taken_back() {
    let Some((_primary, mut standby, db)) = primary_and_standby(300).await else {
        return;
    };
    assert!(reads_on_standby(&db).await);
    standby.stop();
    // The read that finds the standby gone still answers, from the primary, and
    // within the replica's wait for a connection.
    let started = Instant::now();
    assert!(!reads_on_standby(&db).await);
    let took = started.elapsed();
    eprintln!("standby down: the first read answered from the primary in {took:?}");
    assert!(took < Duration::from_secs(1), "{took:?}");
    assert_eq!(db.replicas().unwrap().up(), [false]);
    // The next reads skip it.
    for _ in 0..5 {
        assert!(!reads_on_standby(&db).await);
    }
    standby.restart();
    let back = Instant::now();
    while db.replicas().unwrap().up() != [true] {
        assert!(back.elapsed() < Duration::from_secs(10), "not taken back");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(reads_on_standby(&db).await);
    db.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_sent_as_a_read_runs_on_the_primary() {
    let Some((primary, standby, db)) = primary_and_standby(10).await else {
        return;
    };
    let (id,) = db
        .fetch_optional::<(i64,)>(&Statement::new(
            "INSERT INTO users (name, email, created_at) VALUES ('r', 'r@x', now()) RETURNING id",
        ))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(id, 21);
    assert_eq!(db.replicas().unwrap().up(), [true]);
    primary.caught_up(&standby).await;
    let found = db
        .find::<(String,)>(&Select::sql("SELECT email FROM users WHERE id = 21"))
        .await
        .unwrap();
    assert_eq!(found, Some(("r@x".into(),)));
    db.close().await;
}
