//! The real `folio-shop` binary: seed a small SQLite data set, serve it on a free
//! port, talk HTTP to it, stop it with SIGTERM.

use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use process::{free_port, get, seed, BIN};

mod process;

fn log_of(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("server.log")).unwrap_or_default()
}

/// Waits for the child to exit, at most `limit`.
fn wait_for(child: &mut Child, limit: Duration) -> Option<ExitStatus> {
    let started = Instant::now();
    while started.elapsed() < limit {
        if let Some(status) = child.try_wait().unwrap() {
            return Some(status);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    None
}

/// Kills the server if the test fails before stopping it.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn seeds_serves_and_shuts_down_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("shop.db").display());
    seeds_serves_and_shuts_down(&url);
}

/// The same on a throwaway PostgreSQL database (skipped loudly without PostgreSQL,
/// required under `CI`).
#[test]
fn seeds_serves_and_shuts_down_on_postgres() {
    let Some(db) = folio_testing::block_on(folio_testing::postgres) else {
        return;
    };
    seeds_serves_and_shuts_down(db.url());
}

/// The same on a throwaway MariaDB database (skipped loudly without MariaDB,
/// required under `CI`).
#[test]
fn seeds_serves_and_shuts_down_on_mariadb() {
    let Some(db) = folio_testing::block_on(folio_testing::mysql) else {
        return;
    };
    seeds_serves_and_shuts_down(db.url());
}

/// `folio-shop seed` fills the empty database at `url`; `folio-shop serve` serves it
/// over HTTP and stops on SIGTERM.
fn seeds_serves_and_shuts_down(url: &str) {
    let dir = tempfile::tempdir().unwrap();

    let summary = seed(url, 2000, 200, 5);
    assert!(
        summary.contains("seeded 2000 products, 200 users, 1000 orders"),
        "{summary}"
    );

    let port = free_port();
    let log = std::fs::File::create(dir.path().join("server.log")).unwrap();
    let child = Command::new(BIN)
        .args(["serve", "--database-url", url])
        .args(["--addr", &format!("127.0.0.1:{port}")])
        // A key ring: the first key signs, both verify.
        .args([
            "--cursor-key",
            "binary-test",
            "--cursor-key",
            "binary-test-old",
        ])
        .env_remove("FOLIO_DATABASE_URL")
        .env_remove("FOLIO_CURSOR_KEYS")
        // Request lines are `debug` (no write per request at the default level).
        .env("RUST_LOG", "info,folio_shop::request=debug")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .unwrap();
    let mut server = Server(child);

    let started = Instant::now();
    let health = loop {
        match get(port, "/healthz") {
            Ok(response) => break response,
            Err(_) if started.elapsed() < Duration::from_secs(90) => {
                assert!(
                    server.0.try_wait().unwrap().is_none(),
                    "server exited early: {}",
                    log_of(dir.path())
                );
                std::thread::sleep(Duration::from_millis(100));
            }
            Err(e) => panic!("no /healthz after 90s ({e}): {}", log_of(dir.path())),
        }
    };
    assert_eq!(health.status, 200);
    assert!(health.header("x-statement-count").is_some());

    let products = get(port, "/api/products?per_page=2").unwrap();
    assert_eq!(
        products.status,
        200,
        "{}",
        String::from_utf8_lossy(&products.body)
    );
    assert!(products
        .header("content-type")
        .is_some_and(|v| v.starts_with("application/json")));
    let statements: u32 = products
        .header("x-statement-count")
        .expect("X-Statement-Count")
        .parse()
        .unwrap();
    assert!((1..=2).contains(&statements), "{statements} statements");
    assert!(products
        .header("server-timing")
        .is_some_and(|v| v.contains("total;dur=")));
    let body = products.json();
    let items = body["products"].as_array().expect("a `products` array");
    assert_eq!(items.len(), 2, "{body}");
    assert_eq!(items[0]["id"], 1);
    assert_eq!(items[1]["id"], 2);

    // A cursor the server signed leads to the next page.
    let first = get(port, "/api/products?cursor=&per_page=2&count=none").unwrap();
    assert_eq!(
        first.status,
        200,
        "{}",
        String::from_utf8_lossy(&first.body)
    );
    let next = first.json()["next"]
        .as_str()
        .expect("a next link")
        .to_owned();
    let path = &next[next.find("/api/").expect("an API link")..];
    let second = get(port, path).unwrap();
    assert_eq!(
        second.status,
        200,
        "{}",
        String::from_utf8_lossy(&second.body)
    );
    assert_eq!(second.json()["products"][0]["id"], 3);

    // Bad input is a problem document, not a 500.
    let bad = get(port, "/api/products?per_page=%zz").unwrap();
    assert_eq!(bad.status, 400);
    assert_eq!(bad.header("content-type"), Some("application/problem+json"));

    let killed = Command::new("kill")
        .args(["-TERM", &server.0.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = wait_for(&mut server.0, Duration::from_secs(20))
        .unwrap_or_else(|| panic!("no exit 20s after SIGTERM: {}", log_of(dir.path())));
    assert!(status.success(), "exit {status:?}: {}", log_of(dir.path()));
    let log = log_of(dir.path());
    assert!(log.contains("GET /api/products?per_page=2 200"), "{log}");
}
