//! The harness of the browser tests: a real `folio-shop` binary on a small seeded
//! SQLite file and a free port, chromedriver on another free port, and a headless
//! Chromium session with a fresh profile.
//!
//! When Chromium or chromedriver is missing the tests skip with a loud message,
//! except under `CI` or `FOLIO_REQUIRE_BROWSER`, where they fail.

use std::ffi::OsString;
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};

/// Products, users and orders per user of the seeded data set: small, so infinite
/// scroll reaches the end fast.
pub(crate) const PRODUCTS: u64 = 120;
pub(crate) const USERS: u64 = 12;
pub(crate) const ORDERS_PER_USER: u64 = 6;

/// How long to wait for the page to reach an expected state.
pub(crate) const WAIT: Duration = Duration::from_secs(15);

/// One browser test at a time: each runs its own Chromium, and the machine is small.
/// (A tokio mutex: each test has its own runtime, and the guard lives across awaits.)
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// The window size of the desktop screenshots and of most tests.
pub(crate) const DESKTOP: (u32, u32) = (1280, 900);

/// Where the test run saves its screenshots (`FOLIO_SCREENSHOT_DIR`, or
/// `target/tmp/browser-screenshots`).
pub(crate) fn screenshot_dir() -> PathBuf {
    std::env::var_os("FOLIO_SCREENSHOT_DIR").map_or_else(
        || Path::new(env!("CARGO_TARGET_TMPDIR")).join("browser-screenshots"),
        PathBuf::from,
    )
}

/// `program` on `PATH`.
fn which(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|p| p.is_file())
}

/// Chromium and chromedriver: `CHROME_BIN` / `CHROMEDRIVER`, or found on `PATH`.
fn tools() -> Result<(PathBuf, PathBuf), String> {
    let chrome = std::env::var_os("CHROME_BIN")
        .map(PathBuf::from)
        .or_else(|| {
            ["chromium", "chromium-browser", "google-chrome"]
                .into_iter()
                .find_map(which)
        })
        .ok_or(
            "no chromium (or chromium-browser, google-chrome) on PATH, and CHROME_BIN is not set",
        )?;
    let driver = std::env::var_os("CHROMEDRIVER")
        .map(PathBuf::from)
        .or_else(|| which("chromedriver"))
        .ok_or("no chromedriver on PATH, and CHROMEDRIVER is not set")?;
    Ok((chrome, driver))
}

/// Whether a missing browser is a failure (`CI` or `FOLIO_REQUIRE_BROWSER` set to
/// anything but empty, `0` or `false`).
fn browser_required() -> bool {
    ["CI", "FOLIO_REQUIRE_BROWSER"].iter().any(|name| {
        std::env::var(name)
            .is_ok_and(|v| !v.is_empty() && v != "0" && !v.eq_ignore_ascii_case("false"))
    })
}

/// A free TCP port on the loopback interface.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// A child process killed when dropped.
struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The server under test.
pub(crate) struct Shop {
    proc: Proc,
    /// `http://127.0.0.1:PORT`.
    pub(crate) base: String,
    /// The server's log (stderr), shown when a test fails.
    pub(crate) log: PathBuf,
}

impl Shop {
    /// Seeds a small data set into a fresh SQLite file and starts `folio-shop serve`
    /// on a free port (`--addr 127.0.0.1:0`; the port is read from its first line).
    fn start(dir: &Path, extra: &[&str]) -> Shop {
        let bin = env!("CARGO_BIN_EXE_folio-shop");
        let url = format!("sqlite://{}", dir.join("shop.db").display());
        let seed = Command::new(bin)
            .args(["seed", "--database-url", &url])
            .args(["--products", &PRODUCTS.to_string()])
            .args(["--users", &USERS.to_string()])
            .args(["--orders-per-user", &ORDERS_PER_USER.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("run folio-shop seed");
        assert!(seed.success(), "folio-shop seed failed");
        let log = dir.join("server.log");
        let mut child = Command::new(bin)
            .args(["serve", "--database-url", &url, "--addr", "127.0.0.1:0"])
            .args(["--cursor-key", "browser-test-key"])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(File::create(&log).expect("server log"))
            .spawn()
            .expect("start folio-shop");
        let stdout = child.stdout.take().expect("server stdout");
        let proc = Proc(child);
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut sent = false;
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if !sent {
                    if let Some(base) = line.strip_prefix("folio-shop listening on ") {
                        let _ = tx.send(base.trim().to_owned());
                        sent = true;
                    }
                }
            }
        });
        let base = rx
            .recv_timeout(Duration::from_secs(30))
            .unwrap_or_else(|_| {
                panic!(
                    "folio-shop did not start: {}",
                    std::fs::read_to_string(&log).unwrap_or_default()
                )
            });
        Shop { proc, base, log }
    }

    /// `GET path` of the JSON API: the status and the body as JSON.
    pub(crate) fn api(&self, path: &str) -> (u16, Value) {
        let (status, body) = http_get(&self.base, path);
        (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
    }

    /// `GET path` of the JSON API, which must answer 200.
    pub(crate) fn api_ok(&self, path: &str) -> Value {
        let (status, body) = self.api(path);
        assert_eq!(status, 200, "GET {path}: {body}");
        body
    }

    /// The ids of the items under `key` of an API page.
    pub(crate) fn ids(&self, path: &str, key: &str) -> Vec<i64> {
        let body = self.api_ok(path);
        body[key]
            .as_array()
            .unwrap_or_else(|| panic!("GET {path}: no {key}: {body}"))
            .iter()
            .map(|item| item["id"].as_i64().expect("an id"))
            .collect()
    }

    /// Whether the server is still running.
    fn alive(&mut self) -> bool {
        matches!(self.proc.0.try_wait(), Ok(None))
    }
}

/// A minimal HTTP/1.1 GET (the test needs no HTTP client crate): status and body.
pub(crate) fn http_get(base: &str, path: &str) -> (u16, Vec<u8>) {
    let host = base.trim_start_matches("http://");
    let mut stream = TcpStream::connect(host).expect("connect to folio-shop");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {host}\r\nAccept: application/json\r\nConnection: close\r\n\r\n")
        .expect("send request");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("read response");
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a header");
    let head = String::from_utf8_lossy(&raw[..split]).to_ascii_lowercase();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("a status");
    let mut body = raw[split + 4..].to_vec();
    if head.contains("transfer-encoding: chunked") {
        body = dechunk(&body);
    }
    (status, body)
}

/// The body of a chunked response.
fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(eol) = data.windows(2).position(|w| w == b"\r\n") {
        let size_text = String::from_utf8_lossy(&data[..eol]);
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("0").trim(), 16)
            .unwrap_or(0);
        if size == 0 {
            break;
        }
        let start = eol + 2;
        out.extend_from_slice(&data[start..(start + size).min(data.len())]);
        data = &data[(start + size + 2).min(data.len())..];
    }
    out
}

/// A browser session on a running shop.
pub(crate) struct Session {
    /// The WebDriver client.
    pub(crate) c: Client,
    /// The server.
    pub(crate) shop: Shop,
    /// The Chromium profile directory (fresh for each session).
    profile: PathBuf,
    _driver: Proc,
    _dir: tempfile::TempDir,
    _serial: tokio::sync::MutexGuard<'static, ()>,
}

/// Starts the shop (with `extra` serve flags), chromedriver and Chromium; `None`
/// (after a loud message) when the browser is not installed and not required.
pub(crate) async fn start(test: &str, extra: &[&str]) -> Option<Session> {
    let (chrome, driver) = match tools() {
        Ok(t) => t,
        Err(why) => {
            assert!(
                !browser_required(),
                "{test}: the browser tests are required here (CI or FOLIO_REQUIRE_BROWSER) but {why}; \
                 install the Debian packages chromium and chromium-driver"
            );
            let bar = "!".repeat(78);
            // Straight to the stderr handle: libtest captures `eprintln!`, and a skip
            // must be seen.
            let _ = writeln!(
                std::io::stderr(),
                "\n{bar}\n!! SKIPPED browser test `{test}`: {why}.\n!! Install Chromium to run it: apt-get install -y chromium chromium-driver\n!! (under CI or with FOLIO_REQUIRE_BROWSER=1 this is a failure)\n{bar}\n");
            return None;
        }
    };
    let serial = SERIAL.lock().await;
    let dir = tempfile::tempdir().expect("a temporary directory");
    let shop = Shop::start(dir.path(), extra);

    let port = free_port();
    let driver_log = dir.path().join("chromedriver.log");
    let driver = Proc(
        Command::new(&driver)
            .arg(format!("--port={port}"))
            .arg(format!("--log-path={}", driver_log.display()))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver"),
    );
    let webdriver = format!("http://127.0.0.1:{port}");
    let started = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "chromedriver did not start"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    let profile = dir.path().join("chrome-profile");
    let mut args: Vec<String> = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-dev-shm-usage",
        "--disable-extensions",
        "--no-first-run",
        "--hide-scrollbars",
        "--force-device-scale-factor=1",
        "--lang=en-US",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    args.push(format!("--window-size={},{}", DESKTOP.0, DESKTOP.1));
    args.push(format!("--user-data-dir={}", profile.display()));
    let chrome: OsString = chrome.into_os_string();
    let mut caps = serde_json::Map::new();
    caps.insert("browserName".into(), json!("chrome"));
    caps.insert(
        "goog:chromeOptions".into(),
        json!({ "binary": chrome.to_string_lossy(), "args": args }),
    );
    let mut builder = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new());
    builder.capabilities(caps);
    let mut last_error = None;
    let mut client = None;
    for _ in 0..3 {
        match builder.connect(&webdriver).await {
            Ok(c) => {
                client = Some(c);
                break;
            }
            Err(e) => {
                last_error = Some(e.to_string());
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
        }
    }
    let Some(c) = client else {
        panic!(
            "could not start a Chromium session: {}\nchromedriver log:\n{}",
            last_error.unwrap_or_default(),
            std::fs::read_to_string(&driver_log).unwrap_or_default()
        );
    };
    Some(Session {
        c,
        shop,
        profile,
        _driver: driver,
        _dir: dir,
        _serial: serial,
    })
}

/// Runs `scenario` in a fresh session; the session is closed whatever happens, and
/// a failure shows the server's log.
pub(crate) async fn run<F, Fut>(test: &str, extra: &[&str], scenario: F)
where
    F: FnOnce(Session) -> Fut,
    Fut: std::future::Future<Output = Session>,
{
    let Some(session) = start(test, extra).await else {
        return;
    };
    let c = session.c.clone();
    let log = session.shop.log.clone();
    let profile = session.profile.clone();
    let outcome =
        futures::FutureExt::catch_unwind(std::panic::AssertUnwindSafe(scenario(session))).await;
    let _ = c.close().await;
    reap(&profile);
    match outcome {
        Ok(mut session) => {
            assert!(session.shop.alive(), "folio-shop died during the test");
            drop(session);
        }
        Err(panic) => {
            eprintln!(
                "--- folio-shop log ({}) ---\n{}",
                log.display(),
                std::fs::read_to_string(&log)
                    .unwrap_or_default()
                    .lines()
                    .rev()
                    .take(40)
                    .collect::<Vec<_>>()
                    .into_iter()
                    .rev()
                    .collect::<Vec<_>>()
                    .join("\n")
            );
            std::panic::resume_unwind(panic);
        }
    }
}

/// Ends the processes still running on `profile`: Chromium can leave a utility
/// process behind when its session ends. (Only processes this test started carry
/// that fresh profile directory.)
fn reap(profile: &Path) {
    let needle = format!("--user-data-dir={}", profile.display());
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .filter(|n| n.bytes().all(|b| b.is_ascii_digit()))
        else {
            continue;
        };
        let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) else {
            continue;
        };
        if cmdline
            .split(|b| *b == 0)
            .any(|arg| arg == needle.as_bytes())
        {
            let _ = Command::new("kill").arg(pid).status();
        }
    }
}

impl Session {
    /// Opens `path` of the shop and waits for the document to load.
    pub(crate) async fn open(&self, path: &str) {
        self.c
            .goto(&format!("{}{path}", self.shop.base))
            .await
            .expect("navigate");
        self.loaded().await;
    }

    /// Waits until the document has loaded.
    pub(crate) async fn loaded(&self) {
        self.until("document.readyState === 'complete'", "the page to load")
            .await;
    }

    /// The value of a script (`return …;`).
    pub(crate) async fn js(&self, script: &str) -> Value {
        self.c
            .execute(script, vec![])
            .await
            .unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
    }

    /// Waits until the expression `cond` is true in the page.
    pub(crate) async fn until(&self, cond: &str, what: &str) {
        let script = format!("try {{ return !!({cond}); }} catch (e) {{ return false; }}");
        let started = Instant::now();
        loop {
            if self.c.execute(&script, vec![]).await.ok() == Some(Value::Bool(true)) {
                return;
            }
            assert!(
                started.elapsed() < WAIT,
                "timed out waiting for {what} ({cond})"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Clicks the element at `css` and waits for the page's URL to become
    /// `expected` (a path and query) and the new document to load.
    pub(crate) async fn click_to(&self, css: &str, expected: &str) {
        self.c
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no {css}: {e}"))
            .click()
            .await
            .unwrap_or_else(|e| panic!("click {css}: {e}"));
        self.at(expected).await;
    }

    /// Waits for the page's URL to be `expected` (a path and query) and loaded.
    pub(crate) async fn at(&self, expected: &str) {
        let cond = format!(
            "location.pathname + location.search === {} && document.readyState === 'complete'",
            json!(expected)
        );
        self.until(&cond, &format!("the page {expected}")).await;
    }

    /// The `data-id`s of the product rows, in order.
    pub(crate) async fn product_ids(&self) -> Vec<i64> {
        ids(&self.js("return [...document.querySelectorAll('#products tbody tr')].map(r => Number(r.dataset.id));").await)
    }

    /// The text of the element at `css` (empty when absent).
    pub(crate) async fn text(&self, css: &str) -> String {
        let script = format!(
            "const e = document.querySelector({}); return e ? e.textContent : '';",
            json!(css)
        );
        self.js(&script)
            .await
            .as_str()
            .unwrap_or("")
            .trim()
            .to_owned()
    }

    /// Saves a screenshot of the viewport under [`screenshot_dir`] as `name.png`.
    pub(crate) async fn screenshot(&self, name: &str) -> PathBuf {
        let png = self.c.screenshot().await.expect("screenshot");
        let dir = screenshot_dir();
        std::fs::create_dir_all(&dir).expect("screenshot directory");
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, png).expect("write screenshot");
        eprintln!("screenshot: {}", path.display());
        path
    }

    /// Sets the viewport (not the window) to `width` × `height` CSS pixels.
    pub(crate) async fn viewport(&self, width: u32, height: u32) {
        self.c.set_window_size(width, height).await.expect("resize");
        let inner = self
            .js("return [window.innerWidth, window.innerHeight];")
            .await;
        let (iw, ih) = (
            inner[0].as_u64().unwrap_or(0),
            inner[1].as_u64().unwrap_or(0),
        );
        if iw != u64::from(width) || ih != u64::from(height) {
            let w = u64::from(width) * 2 - iw.min(u64::from(width) * 2);
            let h = u64::from(height) * 2 - ih.min(u64::from(height) * 2);
            self.c
                .set_window_size(w as u32, h as u32)
                .await
                .expect("resize");
        }
        let inner = self.js("return window.innerWidth;").await;
        assert_eq!(
            inner.as_u64(),
            Some(u64::from(width)),
            "the viewport could not be set to {width} px"
        );
    }
}

/// Numbers from a JSON array.
pub(crate) fn ids(v: &Value) -> Vec<i64> {
    v.as_array()
        .map(|a| a.iter().filter_map(Value::as_i64).collect())
        .unwrap_or_default()
}
