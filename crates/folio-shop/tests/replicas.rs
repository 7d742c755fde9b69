//! Beyond one machine, through the real `folio-shop` binary over HTTP: a
//! PostgreSQL primary and its hot standby (folio-testing's throwaway clusters),
//! servers started with `--replica-url`, one of the two stopped under them; and
//! two server instances with the same cursor keys, a walk alternating between
//! them on every page.

use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use folio_testing::PgCluster;
use process::{free_port, get, seed, Response, BIN};

mod process;

/// Rows of the data set.
const PRODUCTS: u64 = 1_500;
const USERS: u64 = 40;
const ORDERS_PER_USER: u64 = 3;

/// `GET path`, asserted 200.
fn ok(port: u16, path: &str) -> Response {
    let response = get(port, path).unwrap();
    assert_eq!(response.status, 200, "{path}: {}", response.text());
    response
}

/// A `folio-shop serve` process, killed when dropped.
struct Instance {
    child: Child,
    port: u16,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

impl Instance {
    /// Serves `primary` (with `replicas`) under the cursor key `key`, once it
    /// answers `/healthz`.
    fn start(primary: &str, replicas: &[String], key: &str) -> Instance {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("server.log");
        let port = free_port();
        let mut command = Command::new(BIN);
        command
            .args(["serve", "--database-url", primary])
            .args(["--addr", &format!("127.0.0.1:{port}")])
            .args(["--cursor-key", key]);
        for replica in replicas {
            command.args(["--replica-url", replica]);
        }
        let child = command
            .env_remove("FOLIO_DATABASE_URL")
            .env_remove("FOLIO_CURSOR_KEYS")
            .env_remove("FOLIO_REPLICA_URLS")
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        let mut instance = Instance {
            child,
            port,
            log,
            _dir: dir,
        };
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                instance.child.try_wait().unwrap().is_none(),
                "the server exited: {}",
                instance.log()
            );
            assert!(
                started.elapsed() < Duration::from_mins(1),
                "no server after 60 s: {}",
                instance.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        instance
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A primary seeded by `folio-shop seed`, and its hot standby.
fn primary_and_standby() -> Option<(PgCluster, PgCluster)> {
    let primary = PgCluster::start()?;
    seed(&primary.url(), PRODUCTS, USERS, ORDERS_PER_USER);
    // The backup holds the seeded data.
    let standby = primary.start_standby();
    Some((primary, standby))
}

/// The path of a link of the API (`next`), if any.
fn link(body: &serde_json::Value, name: &str) -> Option<String> {
    let url = body[name].as_str()?;
    Some(url[url.find("/api/").expect("an API link")..].to_owned())
}

/// The ids of `body`'s `key` array.
fn ids(body: &serde_json::Value, key: &str) -> Vec<i64> {
    body[key]
        .as_array()
        .unwrap_or_else(|| panic!("no `{key}` array: {body}"))
        .iter()
        .map(|item| item["id"].as_i64().expect("an id"))
        .collect()
}

/// Walks the products in cursor mode from `first`, page `n` on `ports[n %
/// ports.len()]`; the ids in the order read, and the number of pages.
fn walk(ports: &[u16], first: &str) -> (Vec<i64>, usize) {
    let mut out = Vec::new();
    let mut path = Some(first.to_owned());
    let mut pages = 0;
    while let Some(here) = path {
        let body = ok(ports[pages % ports.len()], &here).json();
        out.extend(ids(&body, "products"));
        path = link(&body, "next");
        pages += 1;
    }
    (out, pages)
}

/// Asserts that `ids` holds each of 1..=PRODUCTS once.
fn every_product_once(mut ids: Vec<i64>) {
    let read = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), read, "a product read twice");
    assert_eq!(ids, (1..=PRODUCTS as i64).collect::<Vec<_>>());
}

/// A user who has orders, and how many.
fn user_with_orders() -> (u64, u64) {
    let user = (1..=USERS)
        .find(|u| folio_testing::orders_of_user(*u, ORDERS_PER_USER) > 2)
        .unwrap();
    (user, folio_testing::orders_of_user(user, ORDERS_PER_USER))
}

/// What a server reading from a standby answers: list pages, a whole cursor walk
/// (by price, the key not unique), a user's orders, a product, the export.
fn reads_answer(port: u16) {
    let list = ok(port, "/api/products?per_page=5&page=3").json();
    assert_eq!(ids(&list, "products"), [11, 12, 13, 14, 15]);
    let (by_price, pages) = walk(
        &[port],
        "/api/products?cursor=&per_page=100&ordering=-price",
    );
    assert_eq!(pages, (PRODUCTS as usize).div_ceil(100));
    every_product_once(by_price);
    let (user, orders) = user_with_orders();
    let body = ok(port, &format!("/api/users/{user}/orders?per_page=100")).json();
    assert_eq!(ids(&body, "orders").len() as u64, orders, "{body}");
    assert_eq!(ok(port, "/api/products/7").json()["id"], 7);
    let export = ok(port, "/api/products/export?category=Books").text();
    assert!(export.lines().count() > 10, "{export}");
    assert_eq!(ok(port, "/readyz").status, 200);
}

#[test]
fn the_primary_stopped_a_server_reads_everything_from_the_standby() {
    let Some((mut primary, standby)) = primary_and_standby() else {
        return;
    };
    let server = Instance::start(&primary.url(), &[standby.url()], "replica test key");
    reads_answer(server.port);
    primary.stop();
    reads_answer(server.port);
}

#[test]
fn the_standby_stopped_the_primary_serves_at_once_and_the_standby_is_taken_back() {
    let Some((primary, mut standby)) = primary_and_standby() else {
        return;
    };
    let server = Instance::start(&primary.url(), &[standby.url()], "replica test key");
    reads_answer(server.port);
    standby.stop();
    let started = Instant::now();
    ok(server.port, "/api/products?cursor=&per_page=20");
    let took = started.elapsed();
    eprintln!("standby down: the first page answered from the primary in {took:?}");
    assert!(took < Duration::from_secs(1), "{took:?}");
    reads_answer(server.port);
    standby.restart();
    // The primary stopped now: the server answers once it has taken the standby
    // back.
    let mut primary = primary;
    primary.stop();
    let back = Instant::now();
    while get(server.port, "/api/products?per_page=2").unwrap().status != 200 {
        assert!(
            back.elapsed() < Duration::from_secs(10),
            "the standby not taken back: {}",
            server.log()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    reads_answer(server.port);
    assert!(
        server.log().contains("read replica marked down"),
        "{}",
        server.log()
    );
    assert!(
        server.log().contains("read replica back"),
        "{}",
        server.log()
    );
}

#[test]
fn a_walk_alternating_two_instances_on_every_page_reads_every_row_once() {
    let Some((primary, standby)) = primary_and_standby() else {
        return;
    };
    // Same keys, same database: one with the replica, one without.
    let key = "shared key of every instance";
    let a = Instance::start(&primary.url(), &[standby.url()], key);
    let b = Instance::start(&primary.url(), &[], key);
    let ports = [a.port, b.port];
    for ordering in [
        "",
        "&ordering=-price",
        "&ordering=rating",
        "&ordering=-created_at",
    ] {
        let first = format!("/api/products?cursor=&per_page=70{ordering}");
        let (read, pages) = walk(&ports, &first);
        assert!(pages > 10, "{pages}");
        every_product_once(read);
    }
    // Backwards too: from the last page, `previous` on alternating instances.
    let mut path = Some("/api/products?cursor=last&per_page=70&ordering=price".to_owned());
    let mut read = Vec::new();
    let mut pages = 0;
    while let Some(here) = path {
        let body = ok(ports[pages % 2], &here).json();
        read.extend(ids(&body, "products"));
        path = link(&body, "previous");
        pages += 1;
    }
    assert_eq!(pages, (PRODUCTS as usize).div_ceil(70));
    every_product_once(read);
    // A cursor made under another key is refused by both (the keys are what
    // make instances interchangeable).
    let stranger = Instance::start(&primary.url(), &[], "another key");
    let foreign = ok(stranger.port, "/api/products?cursor=&per_page=5").json();
    let next = link(&foreign, "next").unwrap();
    for port in ports {
        assert_eq!(get(port, &next).unwrap().status, 400);
    }
    // Page numbers need no shared state: each instance answers a deep page alike
    // (from its own bookmarks or by OFFSET).
    let deep = "/api/products?per_page=10&page=120&ordering=-price";
    assert_eq!(
        ids(&ok(a.port, deep).json(), "products"),
        ids(&ok(b.port, deep).json(), "products")
    );
}
