//! Faults, served over real sockets: a PostgreSQL cluster of the test's own stopped
//! and started under a running server, and a client that trickles its headers.

use std::time::{Duration, Instant};

use folio_shop::backend::ShopBackend;
use folio_shop::seed::{DemoSize, SeedOptions};
use folio_shop::state::{AppState, Settings};
use folio_sqlx::{Db, PoolSettings, Postgres, Rusqlite};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The settings the server runs with by default: half a second's wait for a
/// connection, five seconds per statement.
fn pool_settings() -> PoolSettings {
    PoolSettings::default()
        .connections(4)
        .acquire_timeout(Duration::from_millis(500))
}

/// Seeds a small data set at `url` and opens the server's pool on it.
async fn seeded<B: ShopBackend>(url: &str) -> B::Pool {
    let options = SeedOptions {
        size: DemoSize {
            products: 500,
            users: 20,
            orders_per_user: 2,
        },
        seed: 1,
        quiet: true,
    };
    folio_shop::db::seed::<B>(url, &options).await.unwrap();
    let (pool, seeded_now) = folio_shop::db::prepare::<B>(url, pool_settings())
        .await
        .unwrap();
    assert!(!seeded_now);
    pool
}

/// A server on `db`, on a port of its own, with `header_timeout`; stops when the
/// returned sender is dropped.
async fn serve<B: ShopBackend>(
    db: Db<B>,
    header_timeout: Duration,
) -> (String, tokio::sync::oneshot::Sender<()>) {
    let state = AppState::new(
        db,
        &Settings::new(folio::CursorCodec::new(b"faults test key, not a real one")),
        0,
    );
    let app = folio_shop::server::router::<B>(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(folio_shop::server::serve(
        listener,
        app,
        header_timeout,
        async {
            let _ = stopped.await;
        },
    ));
    (addr.to_string(), stop)
}

/// A response: status, headers (lower-case names), body.
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// `GET path` on a connection of its own (`Connection: close`).
async fn get(addr: &str, path: &str) -> Answer {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let request = format!("GET {path} HTTP/1.1\r\nHost: shop.test\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.unwrap();
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status line in {text:?}"));
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    Answer {
        status,
        headers,
        body: body.to_owned(),
    }
}

/// Asserts a 503 problem saying the database is unavailable, with `Retry-After`.
fn assert_unavailable(answer: &Answer, what: &str) {
    assert_eq!(answer.status, 503, "{what}: {}", answer.body);
    assert_eq!(
        answer.header("content-type"),
        Some("application/problem+json"),
        "{what}"
    );
    assert_eq!(answer.header("retry-after"), Some("1"), "{what}");
    let body: serde_json::Value = serde_json::from_str(
        answer
            .body
            .rsplit_once('\n')
            .map_or(&answer.body, |(_, b)| b),
    )
    .unwrap_or_else(|_| serde_json::from_str(&answer.body).expect("a JSON problem"));
    assert_eq!(body["status"], 503, "{what}");
    assert!(
        body["detail"]
            .as_str()
            .is_some_and(|d| d.contains("database is unavailable")),
        "{what}: {body}"
    );
}

/// A bound well past what each answer takes (half a second's pool wait; a
/// reconnect in milliseconds) that a server waiting out a long timeout (sqlx's
/// 30 s, the 10 s the shop waited before) cannot meet.
const PROMPT: Duration = Duration::from_secs(3);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_down_answers_503_and_serves_again_when_back() {
    let Some(mut cluster) = folio_testing::PgCluster::start() else {
        return;
    };
    let url = cluster.url();
    let pool = seeded::<Postgres>(&url).await;
    let (addr, _stop) = serve(Db::<Postgres>::new(pool), Duration::from_secs(5)).await;
    assert_eq!(get(&addr, "/api/products?per_page=2").await.status, 200);
    assert_eq!(get(&addr, "/readyz").await.status, 200);

    cluster.stop();
    for path in ["/api/products?per_page=2", "/api/products/1", "/readyz"] {
        let started = Instant::now();
        let answer = get(&addr, path).await;
        let took = started.elapsed();
        assert_unavailable(&answer, path);
        assert!(took < PROMPT, "{path} answered after {took:?}");
        eprintln!("database down: {path} answered 503 in {took:?}");
    }
    // Liveness says nothing of the database.
    assert_eq!(get(&addr, "/healthz").await.status, 200);

    cluster.restart();
    let back = Instant::now();
    loop {
        let answer = get(&addr, "/api/products?per_page=2").await;
        if answer.status == 200 {
            break;
        }
        assert!(
            back.elapsed() < PROMPT,
            "still {} after {:?}",
            answer.status,
            back.elapsed()
        );
    }
    eprintln!("database back: served again after {:?}", back.elapsed());
    assert_eq!(get(&addr, "/readyz").await.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_trickling_its_headers_is_cut_off() {
    let file = folio_testing::sqlite_file();
    let pool = seeded::<Rusqlite>(&format!("sqlite://{}", file.path().display())).await;
    let (addr, _stop) = serve(Db::<Rusqlite>::new(pool), Duration::from_millis(300)).await;
    let mut slow = TcpStream::connect(&addr).await.unwrap();
    let mut closed = false;
    let started = Instant::now();
    // One byte every 100 ms: never a whole header block.
    for byte in b"GET /api/products HTTP/1.1\r\nHost: shop.test\r\nX-Slow: "
        .iter()
        .cycle()
        .take(100)
    {
        if slow.write_all(&[*byte]).await.is_err() {
            closed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    if !closed {
        let mut buf = [0u8; 1024];
        let read = tokio::time::timeout(PROMPT, slow.read(&mut buf)).await;
        closed = matches!(read, Ok(Ok(_) | Err(_)));
    }
    assert!(
        closed,
        "a slow client still connected after {:?}",
        started.elapsed()
    );
    // The server still serves others.
    assert_eq!(get(&addr, "/healthz").await.status, 200);
}

/// The bytes of a SQLite file that no longer reads as a database: what a server
/// finds when the file it serves is overwritten or damaged under it.
fn garbage(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 7 + 13) as u8 | 0x80).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreadable_sqlite_file_answers_503_and_serves_again_when_restored() {
    let file = folio_testing::sqlite_file();
    let pool = seeded::<Rusqlite>(&format!("sqlite://{}", file.path().display())).await;
    // Nothing served yet: no connection has a product page cached, so every read
    // below goes to the file.
    let (addr, _stop) = serve(Db::<Rusqlite>::new(pool), Duration::from_secs(5)).await;
    let good = std::fs::read(file.path()).unwrap();
    assert!(
        std::fs::metadata(file.path().with_extension("db-wal")).map_or(true, |m| m.len() == 0),
        "the seed left pages in the WAL: the file alone would not be the database"
    );
    std::fs::write(file.path(), garbage(good.len())).unwrap();
    for path in [
        "/api/products?per_page=2",
        "/api/products?per_page=2&ordering=-price",
        "/api/users/3/orders",
        "/readyz",
    ] {
        let started = Instant::now();
        let answer = get(&addr, path).await;
        let took = started.elapsed();
        assert_unavailable(&answer, path);
        assert!(took < PROMPT, "{path} answered after {took:?}");
    }
    assert_eq!(get(&addr, "/healthz").await.status, 200);

    std::fs::write(file.path(), &good).unwrap();
    let answer = get(&addr, "/api/products?per_page=2").await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(get(&addr, "/readyz").await.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sqlite_file_locked_by_another_process_is_refused_not_waited_on() {
    let file = folio_testing::sqlite_file();
    let url = format!("sqlite://{}", file.path().display());
    drop(seeded::<Rusqlite>(&url).await);
    // Another program holds the file exclusively (a migration, a backup tool in
    // exclusive locking mode): not even a reader gets in while it does.
    let holder = rusqlite::Connection::open(file.path()).unwrap();
    holder
        .execute_batch(
            "PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE; \
             UPDATE products SET name = name WHERE id = 1;",
        )
        .unwrap();
    let started = Instant::now();
    let refused = folio_shop::db::prepare::<Rusqlite>(&url, pool_settings()).await;
    let took = started.elapsed();
    let Err(error) = refused else {
        panic!("a locked file was served")
    };
    assert!(
        error.to_string().contains("database is unavailable"),
        "{error}"
    );
    assert!(took < Duration::from_secs(10), "refused after {took:?}");
    eprintln!("locked file: refused after {took:?}: {error}");

    holder.execute_batch("COMMIT;").unwrap();
    drop(holder);
    let (pool, _) = folio_shop::db::prepare::<Rusqlite>(&url, pool_settings())
        .await
        .unwrap();
    let (addr, _stop) = serve(Db::<Rusqlite>::new(pool), Duration::from_secs(5)).await;
    assert_eq!(get(&addr, "/api/products?per_page=2").await.status, 200);
}
