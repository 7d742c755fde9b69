//! folio-shop under measurement: starting it, the depth study over HTTP and in
//! process, the count strategies, throughput, memory and the export.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use folio::{CountStrategy, CursorCodec, Endpoint, SortSpec, Value};
use folio_shop::api::models::{rfc3339, Product};
use folio_shop::api::products;
use folio_shop::backend::ShopBackend;
use folio_shop::state::Settings;
use folio_sqlx::{Bookmarks, CountCache, Db, StatementCounter};

use crate::http::{self, Conn};
use crate::procs::{self, Proc};
use crate::results::{CountRow, DepthRow, MemoryRow, ThroughputRow};
use crate::stats::Summary;
use crate::{BoxError, Config};

/// The key folio-shop signs cursors with during the benchmark (so that the bench
/// can encode a cursor at any depth, as a client holding a saved cursor would).
pub(crate) const CURSOR_KEY: &str = "folio-bench-cursor-key";

/// The orderings of the depth study: the primary key, a descending timestamp, a
/// column with many ties (price) and a nullable one (rating).
pub(crate) const ORDERINGS: &[&str] = &["id", "-created_at", "price", "rating"];

/// A database the benchmark runs against.
#[derive(Debug, Clone)]
pub(crate) struct Backend {
    /// `sqlite`, `postgres`, `mariadb` or `mysql`: the label of its results.
    pub(crate) name: &'static str,
    /// The URL folio-shop and sqlx use.
    pub(crate) url: String,
    /// The SQLAlchemy URL the peers use.
    pub(crate) sqlalchemy_url: String,
}

/// The folio-sqlx backend a [`Backend`] is measured through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Family {
    /// SQLite, through rusqlite.
    Sqlite,
    /// PostgreSQL.
    Postgres,
    /// MariaDB or MySQL.
    MySql,
}

impl Backend {
    /// The backend family of [`Backend::name`], decided here alone.
    pub(crate) fn family(&self) -> Family {
        match self.name {
            "sqlite" => Family::Sqlite,
            "mariadb" | "mysql" => Family::MySql,
            _ => Family::Postgres,
        }
    }
}

/// A running folio-shop.
pub(crate) struct Shop {
    /// The process.
    pub(crate) proc: Proc,
    /// Where it listens.
    pub(crate) addr: SocketAddr,
}

/// Starts `folio-shop serve` on `backend` with default settings (count `auto`,
/// seed envelope) and the bench's cursor key.
pub(crate) fn start(cfg: &Config, backend: &Backend, extra: &[&str]) -> Result<Shop, BoxError> {
    let port = procs::free_port()?;
    let addr: SocketAddr = format!("127.0.0.1:{port}").parse()?;
    let log = cfg.work.join(format!("folio-shop-{}.log", backend.name));
    let mut cmd = Command::new(&cfg.shop_bin);
    cmd.args([
        "serve",
        "--database-url",
        &backend.url,
        "--addr",
        &addr.to_string(),
    ])
    .args(["--cursor-key", CURSOR_KEY])
    .args(extra)
    .env("RUST_LOG", "warn");
    let mut proc = Proc::spawn("folio-shop", cmd, &log)?;
    proc.wait_listening(addr, Duration::from_secs(120), &log)?;
    Ok(Shop { proc, addr })
}

/// The boundary rows of the depth study: for each depth > 0, the row just before it.
pub(crate) struct Boundary {
    /// The ordering.
    pub(crate) ordering: String,
    /// The sort spec folio-shop parses from it.
    pub(crate) spec: SortSpec,
    /// (depth, key values of the row at `depth - 1`, its id).
    pub(crate) rows: Vec<(u64, Vec<Value>, i64)>,
}

fn key_values(spec: &SortSpec, p: &Product, family: Family) -> Vec<Value> {
    spec.keys()
        .iter()
        .map(|k| match k.column() {
            "id" => Value::Int(p.id),
            "price_cents" => Value::Int(p.price),
            "rating" => p.rating.map_or(Value::Null, Value::Float),
            "created_at" => {
                if family == Family::Sqlite {
                    Value::Text(rfc3339(&p.created_at))
                } else {
                    Value::Timestamp(p.created_at.timestamp_micros())
                }
            }
            "name" => Value::Text(p.name.clone()),
            other => panic!("folio-bench: unexpected sort column {other}"),
        })
        .collect()
}

/// The server's product list with the bench's cursor key, `settings` changed by
/// `change` (so that cursors and fingerprints are exactly the server's).
pub(crate) fn endpoint(change: impl FnOnce(&mut Settings)) -> Endpoint {
    let mut settings = Settings::new(CursorCodec::new(CURSOR_KEY.as_bytes()));
    settings.count = CountStrategy::None;
    change(&mut settings);
    products::endpoint(&settings)
}

/// The list's endpoint as the server reads it, for in-process pages: no count,
/// bookmarks off unless asked, deep offsets as a deferred join from `deferred_from`.
fn in_process(deferred_from: u64, bookmarks: bool) -> Endpoint {
    let mut settings = Settings::new(CursorCodec::new(CURSOR_KEY.as_bytes()));
    settings.count = CountStrategy::None;
    products::builder(&settings)
        .deferred_join_from(deferred_from)
        .bookmarks(bookmarks)
        .build()
}

/// Finds the boundary rows of every ordering, with folio's own offset page (so
/// the order is exactly the server's).
pub(crate) async fn boundaries<B: ShopBackend>(
    db: &Db<B>,
    family: Family,
    depths: &[u64],
) -> Result<Vec<Boundary>, BoxError> {
    let list = in_process(folio::DEFAULT_DEFERRED_JOIN_FROM, false);
    let mut out = Vec::new();
    for ordering in ORDERINGS {
        let spec = products::orderings().parse(ordering)?;
        let mut rows = Vec::new();
        for &depth in depths.iter().filter(|d| **d > 0) {
            let query = format!("ordering={ordering}&limit=1&offset={}", depth - 1);
            let listing = list.parse("/api/products", &query)?;
            let page = db
                .page::<Product>(&list, &listing, products::select(false))
                .await?;
            let p = page.items.first().ok_or_else(|| {
                format!("no product at offset {} in ordering {ordering}", depth - 1)
            })?;
            rows.push((depth, key_values(&spec, p, family), p.id));
        }
        out.push(Boundary {
            ordering: (*ordering).to_owned(),
            spec,
            rows,
        });
    }
    Ok(out)
}

/// A cursor token (as folio-shop makes them) to the rows after `values`.
pub(crate) fn token(spec: &SortSpec, values: &[Value]) -> String {
    let list = endpoint(|_| {});
    let fingerprint = list.fingerprint("/api/products", spec, &products::select(false));
    list.codec()
        .encode(&folio::Cursor::after(values.to_vec()), &fingerprint)
}

/// The ids of the items of a JSON page (`products`, `results`, `data`, …).
pub(crate) fn ids(body: &[u8]) -> Vec<i64> {
    let Ok(v) = serde_json::from_slice::<serde_json::Value>(body) else {
        return Vec::new();
    };
    let list = ["products", "results", "users", "orders"]
        .iter()
        .find_map(|k| v.get(k).and_then(|l| l.as_array()).cloned())
        .unwrap_or_default();
    list.iter()
        .filter_map(|item| item.get("id").and_then(serde_json::Value::as_i64))
        .collect()
}

fn next_token(body: &[u8]) -> Option<String> {
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    let next = v.get("next")?.as_str()?;
    let query = next.split_once('?')?.1;
    query
        .split('&')
        .find_map(|p| p.strip_prefix("cursor="))
        .map(str::to_owned)
}

/// Walks the cursor pages of `ordering` from the first page to each depth, and
/// returns the token at each depth (> 0).
async fn walk(
    conn: &mut Conn,
    ordering: &str,
    depths: &[u64],
) -> Result<Vec<(u64, String)>, BoxError> {
    let mut out = Vec::new();
    let mut at = 0u64;
    let mut token = String::new();
    for &depth in depths.iter().filter(|d| **d > 0) {
        while at < depth {
            let step = (depth - at).min(100);
            let path = format!(
                "/api/products?ordering={ordering}&count=none&per_page={step}&cursor={token}"
            );
            // A 503 is the server saying it is busy (its pool, while it takes an
            // ordering's bookmarks on a slow backend): asked again, a few times.
            let mut r = conn.get(&path, true).await?;
            for _ in 0..20 {
                if r.status != 503 {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(250)).await;
                r = conn.get(&path, true).await?;
            }
            if r.status != 200 {
                return Err(format!("walk: GET {path}: status {}", r.status).into());
            }
            token = next_token(r.body.as_deref().unwrap_or_default())
                .ok_or_else(|| format!("walk: no next cursor at depth {at} ({path})"))?;
            at += step;
        }
        out.push((depth, token.clone()));
    }
    Ok(out)
}

/// folio-shop takes an ordering's bookmarks in the background on its first deep
/// page number or offset: asks for `path` (a deep page) until the server's database
/// time for it falls below a fifth of the first answer's (the page is then read
/// from a bookmark), at most `patience` (on a small data set an OFFSET is already
/// cheap and the time may not fall that far). Returns the time it took.
async fn await_bookmarks(
    conn: &mut Conn,
    path: &str,
    patience: Duration,
) -> Result<Duration, BoxError> {
    let start = Instant::now();
    // Only answered pages tell: a 503 (the deep OFFSET past its time limit, or the
    // pool busy while the bookmarks are taken) carries no database time.
    // A first page that timed out: a bookmark's seek takes a millisecond or so.
    let r = conn.get(path, false).await?;
    let first = match (r.status, r.db_ms) {
        (200, Some(ms)) => ms,
        _ => 250.0,
    };
    while start.elapsed() < patience {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let r = conn.get(path, false).await?;
        if r.status == 200 && r.db_ms.unwrap_or(f64::INFINITY) < first / 5.0 {
            break;
        }
    }
    Ok(start.elapsed())
}

/// The depth study over HTTP: page number, limit/offset, cursor (encoded boundary
/// and walked), `count=none` so that only the page is measured. Page numbers and
/// offsets are measured once the server holds the ordering's bookmarks.
pub(crate) async fn depth_http(
    cfg: &Config,
    backend: &Backend,
    shop: &Shop,
    bounds: &[Boundary],
    depths: &[u64],
) -> Result<Vec<DepthRow>, BoxError> {
    let mut rows = Vec::new();
    let mut conn = Conn::new(shop.addr);
    for b in bounds {
        let o = &b.ordering;
        if let Some(&deepest) = depths.iter().max() {
            let patience = Duration::from_secs(if cfg.quick { 1 } else { 120 });
            let path = format!(
                "/api/products?ordering={o}&count=none&per_page=10&page={}",
                deepest / 10 + 1
            );
            let waited = await_bookmarks(&mut conn, &path, patience).await?;
            say!(
                "[{}] {o}: bookmarks served after {:.1} s",
                backend.name,
                waited.as_secs_f64()
            );
        }
        let walked = walk(&mut conn, o, depths).await?;
        for &depth in depths {
            let encoded = b
                .rows
                .iter()
                .find(|r| r.0 == depth)
                .map(|r| token(&b.spec, &r.1))
                .unwrap_or_default();
            let walked_token = walked
                .iter()
                .find(|w| w.0 == depth)
                .map(|w| w.1.clone())
                .unwrap_or_default();
            let page = depth / 10 + 1;
            let modes = [
                (
                    "page",
                    format!("/api/products?ordering={o}&count=none&per_page=10&page={page}"),
                ),
                (
                    "offset",
                    format!("/api/products?ordering={o}&count=none&limit=10&offset={depth}"),
                ),
                (
                    "cursor",
                    format!("/api/products?ordering={o}&count=none&per_page=10&cursor={encoded}"),
                ),
                (
                    "cursor-walked",
                    format!(
                        "/api/products?ordering={o}&count=none&per_page=10&cursor={walked_token}"
                    ),
                ),
            ];
            for (mode, path) in modes {
                let s =
                    http::sequential(&mut conn, &path, 2, cfg.samples, 5, cfg.cell_budget).await?;
                rows.push(DepthRow {
                    backend: backend.name.to_owned(),
                    ordering: o.clone(),
                    mode: format!("http {mode}"),
                    depth,
                    latency: s.latency,
                    db_p50_ms: s.db_p50_ms,
                    first_id: ids(&s.first_body).first().copied(),
                });
            }
        }
    }
    Ok(rows)
}

/// The depth study in process, through folio-sqlx (the server's SQL without HTTP):
/// naive OFFSET, deferred join, bookmarks and cursor. Also returns, per ordering,
/// how long taking its bookmarks took (seconds) and how many there are.
pub(crate) async fn depth_sql<B: ShopBackend>(
    cfg: &Config,
    backend: &Backend,
    db: &Db<B>,
    bounds: &[Boundary],
    depths: &[u64],
) -> Result<(Vec<DepthRow>, Vec<String>), BoxError> {
    let mut rows = Vec::new();
    let mut notes = Vec::new();
    let select = products::select(false);
    for b in bounds {
        let bookmarks = Bookmarks::new(tokio::runtime::Handle::current())
            .with_ttl(Duration::from_secs(86_400))
            .with_capacity(4);
        let with_bookmarks = db.clone().with_bookmarks(bookmarks.clone());
        let t = Instant::now();
        let held = bookmarks.take(db, &select, &b.spec).await?;
        notes.push(format!(
            "[{}] taking the bookmarks of ordering {} (every {} rows): {held} bookmarks in {:.2} s",
            backend.name,
            b.ordering,
            bookmarks.stride(),
            t.elapsed().as_secs_f64()
        ));
        for &depth in depths {
            let cursor = b
                .rows
                .iter()
                .find(|r| r.0 == depth)
                .map(|r| token(&b.spec, &r.1))
                .unwrap_or_default();
            let o = &b.ordering;
            let page_no = format!("ordering={o}&per_page=10&page={}", depth / 10 + 1);
            let modes = [
                ("sql page naive OFFSET", page_no.clone(), u64::MAX, false),
                ("sql page deferred join", page_no.clone(), 0, false),
                ("sql page bookmarks", page_no, u64::MAX, true),
                (
                    "sql cursor",
                    format!("ordering={o}&per_page=10&cursor={cursor}"),
                    0,
                    false,
                ),
            ];
            for (mode, query, deferred_from, from_bookmarks) in modes {
                let list = in_process(deferred_from, from_bookmarks);
                let listing = list.parse("/api/products", &query)?;
                let on = if from_bookmarks { &with_bookmarks } else { db };
                let mut lat = Vec::new();
                let mut dbt = Vec::new();
                let mut first_id = None;
                for _ in 0..2 {
                    let _ = on.page::<Product>(&list, &listing, select.clone()).await?;
                }
                let start = Instant::now();
                while lat.len() < cfg.samples
                    && (lat.len() < 5 || start.elapsed() < cfg.cell_budget)
                {
                    let counter = StatementCounter::new();
                    let counted = on.counted(&counter);
                    let t = Instant::now();
                    let page = counted
                        .page::<Product>(&list, &listing, select.clone())
                        .await?;
                    lat.push(t.elapsed().as_secs_f64() * 1e3);
                    dbt.push(counter.db_time().as_secs_f64() * 1e3);
                    first_id = page.items.first().map(|p| p.id);
                }
                rows.push(DepthRow {
                    backend: backend.name.to_owned(),
                    ordering: b.ordering.clone(),
                    mode: mode.to_owned(),
                    depth,
                    latency: Summary::of(&mut lat),
                    db_p50_ms: Some(Summary::of(&mut dbt).p50).filter(|v| *v > 0.0),
                    first_id,
                });
            }
        }
    }
    Ok((rows, notes))
}

/// The count strategies, in process: page 1 (10 rows) with each strategy; the
/// count's cost is the page's p50 minus that of the same page without a count
/// (on PostgreSQL the page and its count run concurrently, so this is the time
/// the count adds).
pub(crate) async fn counts<B: ShopBackend>(
    cfg: &Config,
    backend: &Backend,
    db: &Db<B>,
) -> Result<Vec<CountRow>, BoxError> {
    let list = endpoint(|_| {});
    let strategies = [
        ("none", "none"),
        ("exact", "exact"),
        ("cached (hit)", "cached"),
        ("estimate", "estimate"),
        ("capped(10000)", "capped"),
        ("auto (the server's default)", "auto"),
    ];
    let filters = [("all rows", ""), ("category=Books", "&category=Books")];
    let mut rows = Vec::new();
    for (label, filter) in filters {
        let mut none_page: Option<(f64, f64)> = None;
        for (name, strategy) in strategies {
            let db = db
                .clone()
                .with_count_cache(CountCache::new(Duration::from_secs(3600), 100));
            let listing =
                list.parse("/api/products", &format!("page=1&count={strategy}{filter}"))?;
            // warm-up (fills the cache for `cached`)
            for _ in 0..2 {
                let _ = db
                    .page::<Product>(&list, &listing, products::select(false))
                    .await?;
            }
            let mut lat = Vec::new();
            let mut last = None;
            let mut statements = 0;
            let start = Instant::now();
            while lat.len() < cfg.samples && (lat.len() < 5 || start.elapsed() < cfg.cell_budget) {
                let counter = StatementCounter::new();
                let counted = db.counted(&counter);
                let t = Instant::now();
                let page = counted
                    .page::<Product>(&list, &listing, products::select(false))
                    .await?;
                lat.push(t.elapsed().as_secs_f64() * 1e3);
                statements = counter.get();
                last = page.total;
            }
            let page = Summary::of(&mut lat);
            let (base_p50, base_p99) = *none_page.get_or_insert((page.p50, page.p99));
            rows.push(CountRow {
                backend: backend.name.to_owned(),
                filter: label.to_owned(),
                strategy: name.to_owned(),
                page,
                count_p50_ms: (page.p50 - base_p50).max(0.0),
                count_p99_ms: (page.p99 - base_p99).max(0.0),
                total: last.map(|t| t.value),
                relation: last.and_then(|t| {
                    serde_json::to_value(t.relation)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_owned))
                }),
                statements,
            });
        }
    }
    Ok(rows)
}

/// The throughput scenarios of folio-shop, their paths.
pub(crate) fn folio_scenarios(
    cfg: &Config,
    bounds: &[Boundary],
) -> Vec<(&'static str, Vec<String>)> {
    let depth = cfg.depth_500k();
    let page50k = cfg.page_50k();
    let by_id = bounds
        .iter()
        .find(|b| b.ordering == "id")
        .expect("id ordering");
    let cursor500k = by_id
        .rows
        .iter()
        .find(|r| r.0 == depth)
        .map(|r| token(&by_id.spec, &r.1))
        .expect("a boundary at depth 500k");
    let users = cfg.users;
    let user_paths: Vec<String> = (0..1000u64)
        .map(|i| format!("/api/users/{}/orders", 1 + i * users / 1000))
        .collect();
    let expand_paths: Vec<String> = (1..=100u64)
        .map(|p| format!("/api/users?expand=orders&page={p}"))
        .collect();
    vec![
        ("healthz", vec!["/healthz".to_owned()]),
        ("page1", vec!["/api/products?page=1".to_owned()]),
        (
            "page1_exact",
            vec!["/api/products?page=1&count=exact".to_owned()],
        ),
        ("page50k", vec![format!("/api/products?page={page50k}")]),
        (
            "offset500k",
            vec![format!("/api/products?limit=10&offset={depth}")],
        ),
        ("cursor_first", vec!["/api/products?cursor=".to_owned()]),
        (
            "cursor500k",
            vec![format!("/api/products?cursor={cursor500k}")],
        ),
        (
            "cursor500k_none",
            vec![format!("/api/products?cursor={cursor500k}&count=none")],
        ),
        ("user_orders", user_paths),
        ("users_expand", expand_paths),
    ]
}

/// Runs throughput scenarios against a server: a short warm-up, then the measured run.
pub(crate) async fn throughput(
    cfg: &Config,
    backend: &str,
    server: &str,
    addr: SocketAddr,
    scenarios: Vec<(&'static str, Vec<String>)>,
) -> Vec<ThroughputRow> {
    let mut rows = Vec::new();
    for (scenario, paths) in scenarios {
        let first = paths[0].clone();
        // A deep page number or offset: measured once the server holds its
        // bookmarks (until then it is an OFFSET read, which a loaded server refuses
        // with 503 as a costly statement rather than queue it).
        if server == "folio" && matches!(scenario, "page50k" | "offset500k") {
            let patience = Duration::from_secs(if cfg.quick { 1 } else { 120 });
            if let Err(e) = await_bookmarks(&mut Conn::new(addr), &first, patience).await {
                say!("  {scenario}: waiting for bookmarks failed ({e}); measured as it is");
            }
        }
        let paths = Arc::new(paths);
        let _ = http::load(
            addr,
            Arc::clone(&paths),
            cfg.concurrency,
            cfg.warmup,
            usize::MAX,
        )
        .await;
        let l = http::load(addr, paths, cfg.concurrency, cfg.duration, cfg.max_requests).await;
        say!(
            "  {backend:8} {server:6} {scenario:16} {:>9.0} rps  p50 {:>8.2} ms  p99 {:>8.2} ms  errors {}",
            l.rps, l.latency.p50, l.latency.p99, l.errors
        );
        rows.push(ThroughputRow {
            backend: backend.to_owned(),
            server: server.to_owned(),
            scenario: scenario.to_owned(),
            path: first,
            concurrency: cfg.concurrency,
            ok: l.ok,
            errors: l.errors,
            rps: l.rps,
            latency: l.latency,
            statements: l.statements,
            first_error: l.first_error,
        });
    }
    rows
}

/// The full NDJSON export, its time and the server's peak RSS during it (peak reset
/// before, and RSS sampled every 20 ms as a cross-check).
pub(crate) async fn export(
    backend: &Backend,
    shop: &Shop,
    products: u64,
) -> Result<MemoryRow, BoxError> {
    let pid = shop.proc.pid();
    let before = procs::status_kib(pid, "VmRSS");
    let reset = procs::reset_peak(pid);
    let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let sampler = {
        let done = Arc::clone(&done);
        tokio::task::spawn_blocking(move || {
            let mut max = 0;
            while !done.load(std::sync::atomic::Ordering::Relaxed) {
                max = max.max(procs::status_kib(pid, "VmRSS").unwrap_or(0));
                std::thread::sleep(Duration::from_millis(20));
            }
            max
        })
    };
    let t = Instant::now();
    let mut conn = Conn::new(shop.addr);
    let r = conn.get("/api/products/export", false).await;
    let secs = t.elapsed().as_secs_f64();
    done.store(true, std::sync::atomic::Ordering::Relaxed);
    let sampled = sampler.await.unwrap_or(0);
    let r = r?;
    if r.status != 200 {
        return Err(format!("export: status {}", r.status).into());
    }
    let hwm = procs::status_kib(pid, "VmHWM").unwrap_or(0);
    let peak = if reset { hwm } else { sampled };
    Ok(MemoryRow {
        backend: backend.name.to_owned(),
        server: "folio".to_owned(),
        during: format!("NDJSON export of {products} products"),
        peak_kib: peak.max(sampled),
        before_kib: before,
        detail: format!(
            "{} lines, {:.1} MiB in {secs:.2} s ({:.0} rows/s){}",
            r.lines,
            r.bytes as f64 / 1_048_576.0,
            r.lines as f64 / secs,
            if reset {
                ""
            } else {
                "; VmHWM could not be reset: sampled VmRSS"
            }
        ),
    })
}

/// Seeds `url` with `folio-shop seed` (sizes from the config). Returns the seconds.
pub(crate) fn seed(cfg: &Config, url: &str, log: &Path) -> Result<f64, BoxError> {
    let t = Instant::now();
    let out = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)?;
    let status = Command::new(&cfg.shop_bin)
        .args(["seed", "--database-url", url])
        .args(["--products", &cfg.products.to_string()])
        .args(["--users", &cfg.users.to_string()])
        .args(["--orders-per-user", &cfg.orders_per_user.to_string()])
        .stdout(out.try_clone()?)
        .stderr(out)
        .status()?;
    if !status.success() {
        return Err(format!(
            "folio-shop seed failed ({status}); see {}:\n{}",
            log.display(),
            procs::tail(log, 30)
        )
        .into());
    }
    Ok(t.elapsed().as_secs_f64())
}

/// The SQLite file of this data set, reused when a previous run completed its seed.
pub(crate) fn sqlite_file(cfg: &Config) -> PathBuf {
    cfg.data_dir.join(format!(
        "shop-p{}-u{}-k{}.db",
        cfg.products, cfg.users, cfg.orders_per_user
    ))
}

#[cfg(test)]
mod tests {
    use super::{Backend, Family};

    fn backend(name: &'static str) -> Backend {
        Backend {
            name,
            url: String::new(),
            sqlalchemy_url: String::new(),
        }
    }

    /// Every label the run gives a backend is measured through its own driver (a
    /// MariaDB once went to the PostgreSQL driver in `--soak-only`).
    #[test]
    fn each_backend_label_has_its_family() {
        assert_eq!(backend("sqlite").family(), Family::Sqlite);
        assert_eq!(backend("postgres").family(), Family::Postgres);
        assert_eq!(backend("mariadb").family(), Family::MySql);
        assert_eq!(backend("mysql").family(), Family::MySql);
    }
}
