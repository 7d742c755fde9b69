//! What a run measured: written as `results.json`, rendered as Markdown and SVG.

use serde::{Deserialize, Serialize};

use crate::stats::Summary;

/// Everything one run measured.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct Results {
    /// The machine, the versions, the command and the data set.
    pub(crate) meta: Meta,
    /// Latency against depth.
    pub(crate) depth: Vec<DepthRow>,
    /// The cost of each count strategy.
    pub(crate) counts: Vec<CountRow>,
    /// Requests per second at a fixed concurrency, folio-shop and the peers.
    pub(crate) throughput: Vec<ThroughputRow>,
    /// Peak memory.
    pub(crate) memory: Vec<MemoryRow>,
    /// sqlx's SQLite driver against raw SQLite (rusqlite) for the same statements.
    pub(crate) driver: Vec<DriverRow>,
    /// Whether the Flask article's unordered page returns the same rows each time.
    pub(crate) stability: Vec<StabilityRow>,
    /// Many connections on an index-served mix (the `soak` scenario).
    #[serde(default)]
    pub(crate) soak: Vec<crate::soak::SoakRow>,
    /// Exact counts hammered beside cursor pages (the `count-storm` scenario).
    #[serde(default)]
    pub(crate) count_storm: Vec<crate::soak::CountStormRow>,
    /// Things that were skipped or went wrong, said plainly.
    pub(crate) notes: Vec<String>,
}

/// The context of a run.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct Meta {
    /// The command line that produced the results.
    pub(crate) command: String,
    /// `--quick`.
    pub(crate) quick: bool,
    /// The scale factor (1.0: 1,000,000 products).
    pub(crate) scale: f64,
    /// Products, users, orders.
    pub(crate) rows: [u64; 3],
    /// When the run started and ended (UTC, RFC 3339).
    pub(crate) started: String,
    /// When the run ended.
    pub(crate) finished: String,
    /// `/proc/loadavg` at the start and at the end of the measurements.
    pub(crate) loadavg_start: String,
    /// `/proc/loadavg` at the end.
    pub(crate) loadavg_end: String,
    /// CPU model and logical cores.
    pub(crate) cpu: String,
    /// Logical cores.
    pub(crate) cores: usize,
    /// Total memory in MiB.
    pub(crate) memory_mib: u64,
    /// Kernel release.
    pub(crate) kernel: String,
    /// Tool and library versions (name, version).
    pub(crate) versions: Vec<(String, String)>,
    /// The concurrency of the throughput runs.
    pub(crate) concurrency: usize,
    /// The measured seconds of each throughput run.
    pub(crate) duration_secs: f64,
    /// gunicorn workers per peer.
    pub(crate) peer_workers: usize,
    /// Seeding times in seconds (backend, seconds; 0 when reused).
    pub(crate) seed_secs: Vec<(String, f64)>,
}

/// One cell of the depth study.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct DepthRow {
    /// `sqlite` or `postgres`.
    pub(crate) backend: String,
    /// The `ordering` parameter.
    pub(crate) ordering: String,
    /// The mode (see the report for the list).
    pub(crate) mode: String,
    /// Rows before the page.
    pub(crate) depth: u64,
    /// Latency of sequential requests (ms).
    pub(crate) latency: Summary,
    /// The server's `db;dur` p50 (HTTP modes) or the statements' time (SQL modes), ms.
    pub(crate) db_p50_ms: Option<f64>,
    /// The first item's id (all modes at one depth must agree).
    pub(crate) first_id: Option<i64>,
}

/// One count strategy on one backend and filter.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct CountRow {
    /// `sqlite` or `postgres`.
    pub(crate) backend: String,
    /// `all rows` or `category=…`.
    pub(crate) filter: String,
    /// The strategy.
    pub(crate) strategy: String,
    /// Wall time of page 1 with this strategy (ms).
    pub(crate) page: Summary,
    /// What the count adds: the page's p50 minus that of the same page with no
    /// count (ms).
    pub(crate) count_p50_ms: f64,
    /// The same with p99s (ms).
    pub(crate) count_p99_ms: f64,
    /// The total reported.
    pub(crate) total: Option<u64>,
    /// `eq`, `gte` or `approx`.
    pub(crate) relation: Option<String>,
    /// Statements the page ran.
    pub(crate) statements: usize,
}

/// One throughput run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ThroughputRow {
    /// `sqlite` or `postgres`.
    pub(crate) backend: String,
    /// `folio`, `drf` or `flask`.
    pub(crate) server: String,
    /// The scenario key.
    pub(crate) scenario: String,
    /// What was requested.
    pub(crate) path: String,
    /// Concurrent connections.
    pub(crate) concurrency: usize,
    /// Successful requests.
    pub(crate) ok: u64,
    /// Failed requests.
    pub(crate) errors: u64,
    /// Requests per second.
    pub(crate) rps: f64,
    /// Latency (ms).
    pub(crate) latency: Summary,
    /// Mean statements per request (folio-shop's `X-Statement-Count`).
    pub(crate) statements: Option<f64>,
    /// The first error.
    pub(crate) first_error: Option<String>,
}

/// One peak-memory reading.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct MemoryRow {
    /// `sqlite` or `postgres`.
    pub(crate) backend: String,
    /// `folio`, `drf` or `flask`.
    pub(crate) server: String,
    /// What ran while it was measured.
    pub(crate) during: String,
    /// Peak RSS in KiB (`VmHWM`; a gunicorn tree is master plus workers summed).
    pub(crate) peak_kib: u64,
    /// RSS before it ran (KiB).
    pub(crate) before_kib: Option<u64>,
    /// Extra facts (export: seconds, bytes, lines).
    pub(crate) detail: String,
}

/// One driver measurement.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct DriverRow {
    /// The statement.
    pub(crate) statement: String,
    /// `rusqlite` or `sqlx`.
    pub(crate) driver: String,
    /// `sequential` (one connection) or `parallel(n)`.
    pub(crate) how: String,
    /// Per-query latency (µs), sequential runs.
    pub(crate) latency_us: Summary,
    /// Queries per second.
    pub(crate) qps: f64,
}

/// Repeated requests of one page: how many different results came back.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct StabilityRow {
    /// `sqlite` or `postgres`.
    pub(crate) backend: String,
    /// The app and endpoint.
    pub(crate) what: String,
    /// Requests made.
    pub(crate) requests: usize,
    /// Distinct lists of ids returned.
    pub(crate) distinct: usize,
}
