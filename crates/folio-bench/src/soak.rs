//! Load held and cost bounded: the `soak` scenario (many concurrent connections
//! for a while on an index-served request mix: errors, requests per second, p99
//! and the server's peak RSS) and the `count-storm` scenario (clients hammering
//! `count=exact` while others fetch cursor pages: the cursor pages' p99 against the
//! same clients' on an idle server). Both run on a folio-shop of their own, started
//! with its defaults.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::http::{self, Conn};
use crate::procs;
use crate::shop::{self, Backend, Boundary};
use crate::stats::Summary;
use crate::{BoxError, Config};

/// Connections, times and client counts of the two scenarios.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    /// Concurrent connections of the soak.
    pub(crate) connections: usize,
    /// Measured time of the soak.
    pub(crate) duration: Duration,
    /// Clients sending `count=exact` during the storm.
    pub(crate) count_clients: usize,
    /// Clients fetching cursor pages (idle and during the storm).
    pub(crate) cursor_clients: usize,
    /// Measured time of each count-storm half (idle, storm).
    pub(crate) storm_duration: Duration,
    /// Also soak a folio-shop started with `--max-in-flight 0` (no admission
    /// gate), before the one with its defaults.
    pub(crate) ungated_too: bool,
}

impl Settings {
    /// 1,000 connections for 60 s and a 20 s storm (64 count clients, 8 cursor
    /// clients); with `--quick`, 200 connections for 2 s and 2 s halves.
    pub(crate) fn new(quick: bool) -> Settings {
        if quick {
            Settings {
                connections: 200,
                duration: Duration::from_secs(2),
                count_clients: 64,
                cursor_clients: 8,
                storm_duration: Duration::from_secs(2),
                ungated_too: false,
            }
        } else {
            Settings {
                connections: 1000,
                duration: Duration::from_secs(60),
                count_clients: 64,
                cursor_clients: 8,
                storm_duration: Duration::from_secs(20),
                ungated_too: false,
            }
        }
    }
}

/// One soak run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct SoakRow {
    /// `sqlite` or `postgres`.
    pub(crate) backend: String,
    /// The folio-shop options beyond its defaults (empty: the defaults).
    #[serde(default)]
    pub(crate) shop_args: Vec<String>,
    /// Concurrent connections.
    pub(crate) connections: usize,
    /// Measured seconds.
    pub(crate) seconds: f64,
    /// Distinct request paths in the mix (sent round-robin).
    pub(crate) paths: usize,
    /// Requests answered 200.
    pub(crate) ok: u64,
    /// Requests that failed or answered another status.
    pub(crate) errors: u64,
    /// Successful requests per second.
    pub(crate) rps: f64,
    /// Latency of the successful requests (ms).
    pub(crate) latency: Summary,
    /// The server's RSS before the run (KiB).
    pub(crate) before_kib: Option<u64>,
    /// The server's peak RSS during the run (`VmHWM` after a reset; KiB).
    pub(crate) peak_kib: u64,
    /// The first error, if any.
    pub(crate) first_error: Option<String>,
}

/// One count-storm run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct CountStormRow {
    /// `sqlite` or `postgres`.
    pub(crate) backend: String,
    /// The folio-shop options beyond its defaults (empty: the defaults).
    #[serde(default)]
    pub(crate) shop_args: Vec<String>,
    /// Clients sending `count=exact`, each one request at a time, no pause.
    pub(crate) count_clients: usize,
    /// Clients fetching cursor pages.
    pub(crate) cursor_clients: usize,
    /// Measured seconds of each half.
    pub(crate) seconds: f64,
    /// Cursor pages on an idle server (ms).
    pub(crate) idle: Summary,
    /// Cursor pages during the storm (ms).
    pub(crate) storm: Summary,
    /// Cursor requests that failed (idle, storm).
    pub(crate) cursor_errors: [u64; 2],
    /// Count requests by answer: 200 (counted), 503 (refused at once: every
    /// costly-statement slot busy), other statuses and failures.
    pub(crate) counts: [u64; 3],
    /// Latency of the counted (200) answers (ms).
    pub(crate) count_latency: Summary,
    /// The first answer of a count request that was neither 200 nor 503.
    pub(crate) first_count_error: Option<String>,
}

/// The soak's request mix, all served from an index: the first cursor page in two
/// orderings, a cursor page at depth 500k, page 1 without a count, single products
/// by id and users' orders, spread over the data set.
pub(crate) fn soak_paths(cfg: &Config, bounds: &[Boundary]) -> Vec<String> {
    let deep = deep_cursor(cfg, bounds);
    let mut paths = Vec::new();
    for i in 0..200u64 {
        paths.push(format!(
            "/api/products/{}",
            1 + i * cfg.products.max(1) / 200
        ));
        paths.push(format!(
            "/api/users/{}/orders",
            1 + i * cfg.users.max(1) / 200
        ));
        match i % 4 {
            0 => paths.push("/api/products?cursor=&count=none".to_owned()),
            1 => paths.push(format!("/api/products?cursor={deep}&count=none")),
            2 => paths.push("/api/products?ordering=-created_at&cursor=&count=none".to_owned()),
            _ => paths.push("/api/products?page=1&count=none".to_owned()),
        }
    }
    paths
}

/// The cursor of the `id` ordering at depth 500k (scaled).
fn deep_cursor(cfg: &Config, bounds: &[Boundary]) -> String {
    let by_id = bounds
        .iter()
        .find(|b| b.ordering == "id")
        .expect("the id ordering's boundaries");
    let depth = cfg.depth_500k();
    by_id
        .rows
        .iter()
        .find(|r| r.0 == depth)
        .map(|r| shop::token(&by_id.spec, &r.1))
        .expect("a boundary at depth 500k")
}

/// The count-storm's cursor pages: a page after each boundary of the `id` and
/// `-created_at` orderings (every depth of the study), and their first pages.
fn cursor_paths(bounds: &[Boundary]) -> Vec<String> {
    let mut paths = Vec::new();
    for b in bounds
        .iter()
        .filter(|b| b.ordering == "id" || b.ordering == "-created_at")
    {
        paths.push(format!(
            "/api/products?ordering={}&cursor=&count=none",
            b.ordering
        ));
        for row in &b.rows {
            paths.push(format!(
                "/api/products?ordering={}&cursor={}&count=none",
                b.ordering,
                shop::token(&b.spec, &row.1)
            ));
        }
    }
    paths
}

/// The count-storm's requests: exact counts of the whole table and of price
/// ranges (each one a statement the server cannot answer from an index alone).
fn count_paths() -> Vec<String> {
    let mut paths = vec!["/api/products?per_page=1&count=exact".to_owned()];
    for i in 0..16u64 {
        paths.push(format!(
            "/api/products?per_page=1&count=exact&min_price={}",
            i * 1000
        ));
    }
    paths
}

/// Starts a folio-shop (defaults) on `backend` and runs the soak, then the
/// count-storm, on it; with [`Settings::ungated_too`], first the soak on a
/// folio-shop without its admission gate.
pub(crate) async fn run(
    cfg: &Config,
    backend: &Backend,
    bounds: &[Boundary],
) -> Result<(Vec<SoakRow>, Vec<CountStormRow>), BoxError> {
    let mut soaks = Vec::new();
    let mut storms = Vec::new();
    let ungated: &[&str] = &["--max-in-flight", "0"];
    let variants: &[&[&str]] = if cfg.soak.ungated_too {
        &[ungated, &[]]
    } else {
        &[&[]]
    };
    for &shop_args in variants {
        let shop = shop::start(cfg, backend, shop_args)?;
        soaks.push(soak(cfg, backend, bounds, &shop, shop_args).await);
        let mut storm = count_storm(&cfg.soak, backend.name, shop.addr, bounds).await;
        storm.shop_args = shop_args.iter().map(|&a| a.to_owned()).collect();
        storms.push(storm);
    }
    Ok((soaks, storms))
}

/// The soak on `shop` (started with `shop_args`).
async fn soak(
    cfg: &Config,
    backend: &Backend,
    bounds: &[Boundary],
    shop: &shop::Shop,
    shop_args: &[&str],
) -> SoakRow {
    let settings = &cfg.soak;
    let connections = settings
        .connections
        .min(open_files_allowed().saturating_sub(100));
    if connections < settings.connections {
        say!(
            "[{}] soak: the open-file limit allows {connections} connections, not {}",
            backend.name,
            settings.connections
        );
    }
    say!(
        "[{}] soak {shop_args:?}: {connections} connections for {:?} …",
        backend.name,
        settings.duration
    );
    let pid = shop.proc.pid();
    let paths = Arc::new(soak_paths(cfg, bounds));
    // Warm: every path once (caches, prepared statements), then every connection.
    let _ = http::load(shop.addr, Arc::clone(&paths), 8, cfg.warmup, paths.len()).await;
    let before = procs::status_kib(pid, "VmRSS");
    if !procs::reset_peak(pid) {
        say!("[{}] soak: cannot reset the peak RSS", backend.name);
    }
    let l = http::load(
        shop.addr,
        Arc::clone(&paths),
        connections,
        settings.duration,
        usize::MAX,
    )
    .await;
    let peak = procs::status_kib(pid, "VmHWM").unwrap_or(0);
    say!(
        "  {:8} soak {connections} conns {:>8.0} rps  p50 {:>8.2} ms  p99 {:>8.2} ms  errors {}  peak RSS {:.1} MiB",
        backend.name,
        l.rps,
        l.latency.p50,
        l.latency.p99,
        l.errors,
        peak as f64 / 1024.0
    );
    SoakRow {
        backend: backend.name.to_owned(),
        shop_args: shop_args.iter().map(|&a| a.to_owned()).collect(),
        connections,
        seconds: settings.duration.as_secs_f64(),
        paths: paths.len(),
        ok: l.ok,
        errors: l.errors,
        rps: l.rps,
        latency: l.latency,
        before_kib: before,
        peak_kib: peak,
        first_error: l.first_error,
    }
}

/// The cursor clients alone, then with `count_clients` hammering exact counts.
async fn count_storm(
    settings: &Settings,
    backend: &str,
    addr: SocketAddr,
    bounds: &[Boundary],
) -> CountStormRow {
    say!(
        "[{backend}] count-storm: {} cursor clients idle, then beside {} count=exact clients …",
        settings.cursor_clients,
        settings.count_clients
    );
    let cursors = Arc::new(cursor_paths(bounds));
    let _ = http::load(
        addr,
        Arc::clone(&cursors),
        settings.cursor_clients,
        Duration::from_millis(500),
        usize::MAX,
    )
    .await;
    let idle = http::load(
        addr,
        Arc::clone(&cursors),
        settings.cursor_clients,
        settings.storm_duration,
        usize::MAX,
    )
    .await;
    // The storm runs on a thread of its own, so that its clients' work does not
    // delay the cursor clients' in this runtime.
    let deadline = Instant::now() + settings.storm_duration + Duration::from_millis(500);
    let clients = settings.count_clients;
    let storm = std::thread::spawn(move || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a tokio runtime")
            .block_on(hammer(addr, clients, deadline))
    });
    tokio::time::sleep(Duration::from_millis(500)).await;
    let during = http::load(
        addr,
        Arc::clone(&cursors),
        settings.cursor_clients,
        settings.storm_duration,
        usize::MAX,
    )
    .await;
    let (counts, count_latency, first_count_error) =
        tokio::task::spawn_blocking(move || storm.join().expect("the storm thread"))
            .await
            .expect("the storm thread");
    say!(
        "  {backend:8} count-storm cursor p99 idle {:.2} ms, storm {:.2} ms ({:.1}x); counts 200: {}, 503: {}, other: {}",
        idle.latency.p99,
        during.latency.p99,
        during.latency.p99 / idle.latency.p99.max(f64::MIN_POSITIVE),
        counts[0],
        counts[1],
        counts[2]
    );
    CountStormRow {
        backend: backend.to_owned(),
        shop_args: Vec::new(),
        count_clients: settings.count_clients,
        cursor_clients: settings.cursor_clients,
        seconds: settings.storm_duration.as_secs_f64(),
        idle: idle.latency,
        storm: during.latency,
        cursor_errors: [idle.errors, during.errors],
        counts,
        count_latency,
        first_count_error,
    }
}

/// `clients` connections sending exact counts one at a time, without pause, until
/// `deadline`: answers by status (200, 503, other), the 200s' latency, the first
/// other answer.
async fn hammer(
    addr: SocketAddr,
    clients: usize,
    deadline: Instant,
) -> ([u64; 3], Summary, Option<String>) {
    let paths = Arc::new(count_paths());
    let mut tasks = Vec::new();
    for client in 0..clients {
        let paths = Arc::clone(&paths);
        tasks.push(tokio::spawn(async move {
            let mut conn = Conn::new(addr);
            let mut statuses = BTreeMap::<u16, u64>::new();
            let mut latency = Vec::new();
            let mut first_error = None;
            let mut n = client;
            while Instant::now() < deadline {
                let path = &paths[n % paths.len()];
                n += 1;
                let t = Instant::now();
                match conn.get(path, false).await {
                    Ok(r) => {
                        *statuses.entry(r.status).or_default() += 1;
                        if r.status == 200 {
                            latency.push(t.elapsed().as_secs_f64() * 1e3);
                        } else if r.status != 503 {
                            first_error
                                .get_or_insert_with(|| format!("GET {path}: status {}", r.status));
                        }
                    }
                    Err(e) => {
                        *statuses.entry(0).or_default() += 1;
                        first_error.get_or_insert_with(|| e.to_string());
                        tokio::time::sleep(Duration::from_millis(10)).await;
                    }
                }
            }
            (statuses, latency, first_error)
        }));
    }
    let mut counts = [0u64; 3];
    let mut all = Vec::new();
    let mut first = None;
    for task in tasks {
        let Ok((statuses, latency, error)) = task.await else {
            counts[2] += 1;
            continue;
        };
        for (status, n) in statuses {
            counts[match status {
                200 => 0,
                503 => 1,
                _ => 2,
            }] += n;
        }
        all.extend(latency);
        if first.is_none() {
            first = error;
        }
    }
    (counts, Summary::of(&mut all), first)
}

/// The soft limit on open files of this process (which folio-shop inherits).
fn open_files_allowed() -> usize {
    std::fs::read_to_string("/proc/self/limits")
        .ok()
        .and_then(|limits| {
            limits.lines().find_map(|line| {
                line.strip_prefix("Max open files")?
                    .split_whitespace()
                    .next()?
                    .parse()
                    .ok()
            })
        })
        .unwrap_or(usize::MAX)
}

/// How a table names a folio-shop started with `args`.
fn shop_column(args: &[String]) -> String {
    if args.is_empty() {
        "defaults".to_owned()
    } else {
        format!("`{}`", args.join(" "))
    }
}

/// The Markdown section of the two scenarios (nothing when neither ran).
pub(crate) fn markdown(soak: &[SoakRow], storm: &[CountStormRow]) -> String {
    use std::fmt::Write as _;
    let mut s = String::new();
    if !soak.is_empty() {
        let _ = writeln!(
            s,
            "\n## Soak: many connections on an index-served mix (folio-shop defaults)\n"
        );
        let _ = writeln!(
            s,
            "| backend | folio-shop | connections | seconds | requests | errors | rps | p50 ms | p99 ms | RSS before MiB | peak RSS MiB |"
        );
        let _ = writeln!(
            s,
            "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
        );
        for r in soak {
            let _ = writeln!(
                s,
                "| {} | {} | {} | {:.0} | {} | {} | {:.0} | {:.2} | {:.2} | {} | {:.1} |",
                r.backend,
                shop_column(&r.shop_args),
                r.connections,
                r.seconds,
                r.ok + r.errors,
                r.errors,
                r.rps,
                r.latency.p50,
                r.latency.p99,
                r.before_kib
                    .map_or("–".to_owned(), |k| format!("{:.1}", k as f64 / 1024.0)),
                r.peak_kib as f64 / 1024.0
            );
        }
        for r in soak.iter().filter(|r| r.first_error.is_some()) {
            let _ = writeln!(
                s,
                "\n{}: first error: {}",
                r.backend,
                r.first_error.as_deref().unwrap_or_default()
            );
        }
    }
    if !storm.is_empty() {
        let _ = writeln!(
            s,
            "\n## Count storm: `count=exact` clients beside cursor pages\n"
        );
        let _ = writeln!(
            s,
            "| backend | folio-shop | count clients | cursor clients | seconds | cursor p50 idle → storm ms | cursor p99 idle → storm ms | p99 ratio | counts 200 / 503 / other | count p50 ms | cursor errors |"
        );
        let _ = writeln!(
            s,
            "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
        );
        for r in storm {
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} | {:.0} | {:.2} → {:.2} | {:.2} → {:.2} | {:.1}x | {} / {} / {} | {:.1} | {} |",
                r.backend,
                shop_column(&r.shop_args),
                r.count_clients,
                r.cursor_clients,
                r.seconds,
                r.idle.p50,
                r.storm.p50,
                r.idle.p99,
                r.storm.p99,
                r.storm.p99 / r.idle.p99.max(f64::MIN_POSITIVE),
                r.counts[0],
                r.counts[1],
                r.counts[2],
                r.count_latency.p50,
                r.cursor_errors[0] + r.cursor_errors[1]
            );
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quick_runs_are_short() {
        let quick = Settings::new(true);
        assert!(quick.duration <= Duration::from_secs(2));
        assert!(quick.storm_duration <= Duration::from_secs(2));
        let full = Settings::new(false);
        assert_eq!(
            (full.connections, full.duration, full.count_clients),
            (1000, Duration::from_secs(60), 64)
        );
    }
}
