//! What a run measured: written as `results.json`, rendered as Markdown and SVG.

use serde::{Deserialize, Serialize};

use crate::stats::Summary;

/// Everything one run measured.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Results {
    /// The machine, the versions, the command and the data set.
    pub meta: Meta,
    /// Latency against depth.
    pub depth: Vec<DepthRow>,
    /// The cost of each count strategy.
    pub counts: Vec<CountRow>,
    /// Requests per second at a fixed concurrency, folio-shop and the peers.
    pub throughput: Vec<ThroughputRow>,
    /// Peak memory.
    pub memory: Vec<MemoryRow>,
    /// sqlx's SQLite driver against raw SQLite (rusqlite) for the same statements.
    pub driver: Vec<DriverRow>,
    /// Whether the Flask article's unordered page returns the same rows each time.
    pub stability: Vec<StabilityRow>,
    /// Things that were skipped or went wrong, said plainly.
    pub notes: Vec<String>,
}

/// The context of a run.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Meta {
    /// The command line that produced the results.
    pub command: String,
    /// `--quick`.
    pub quick: bool,
    /// The scale factor (1.0: 1,000,000 products).
    pub scale: f64,
    /// Products, users, orders.
    pub rows: [u64; 3],
    /// When the run started and ended (UTC, RFC 3339).
    pub started: String,
    /// When the run ended.
    pub finished: String,
    /// `/proc/loadavg` at the start and at the end of the measurements.
    pub loadavg_start: String,
    /// `/proc/loadavg` at the end.
    pub loadavg_end: String,
    /// CPU model and logical cores.
    pub cpu: String,
    /// Logical cores.
    pub cores: usize,
    /// Total memory in MiB.
    pub memory_mib: u64,
    /// Kernel release.
    pub kernel: String,
    /// Tool and library versions (name, version).
    pub versions: Vec<(String, String)>,
    /// The concurrency of the throughput runs.
    pub concurrency: usize,
    /// The measured seconds of each throughput run.
    pub duration_secs: f64,
    /// gunicorn workers per peer.
    pub peer_workers: usize,
    /// Seeding times in seconds (backend, seconds; 0 when reused).
    pub seed_secs: Vec<(String, f64)>,
}

/// One cell of the depth study.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DepthRow {
    /// `sqlite` or `postgres`.
    pub backend: String,
    /// The `ordering` parameter.
    pub ordering: String,
    /// The mode (see the report for the list).
    pub mode: String,
    /// Rows before the page.
    pub depth: u64,
    /// Latency of sequential requests (ms).
    pub latency: Summary,
    /// The server's `db;dur` p50 (HTTP modes) or the statements' time (SQL modes), ms.
    pub db_p50_ms: Option<f64>,
    /// The first item's id (all modes at one depth must agree).
    pub first_id: Option<i64>,
}

/// One count strategy on one backend and filter.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CountRow {
    /// `sqlite` or `postgres`.
    pub backend: String,
    /// `all rows` or `category=…`.
    pub filter: String,
    /// The strategy.
    pub strategy: String,
    /// Wall time of page 1 with this strategy (ms).
    pub page: Summary,
    /// Statement time of the count alone: the page's statement time minus that of
    /// the same page with no count (p50, ms).
    pub count_p50_ms: f64,
    /// The count's p99 the same way (ms).
    pub count_p99_ms: f64,
    /// The total reported.
    pub total: Option<u64>,
    /// `eq`, `gte` or `approx`.
    pub relation: Option<String>,
    /// Statements the page ran.
    pub statements: usize,
}

/// One throughput run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ThroughputRow {
    /// `sqlite` or `postgres`.
    pub backend: String,
    /// `folio`, `drf` or `flask`.
    pub server: String,
    /// The scenario key.
    pub scenario: String,
    /// What was requested.
    pub path: String,
    /// Concurrent connections.
    pub concurrency: usize,
    /// Successful requests.
    pub ok: u64,
    /// Failed requests.
    pub errors: u64,
    /// Requests per second.
    pub rps: f64,
    /// Latency (ms).
    pub latency: Summary,
    /// Mean statements per request (folio-shop's `X-Statement-Count`).
    pub statements: Option<f64>,
    /// The first error.
    pub first_error: Option<String>,
}

/// One peak-memory reading.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MemoryRow {
    /// `sqlite` or `postgres`.
    pub backend: String,
    /// `folio`, `drf` or `flask`.
    pub server: String,
    /// What ran while it was measured.
    pub during: String,
    /// Peak RSS in KiB (`VmHWM`; a gunicorn tree is master plus workers summed).
    pub peak_kib: u64,
    /// RSS before it ran (KiB).
    pub before_kib: Option<u64>,
    /// Extra facts (export: seconds, bytes, lines).
    pub detail: String,
}

/// One driver measurement.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DriverRow {
    /// The statement.
    pub statement: String,
    /// `rusqlite` or `sqlx`.
    pub driver: String,
    /// `sequential` (one connection) or `parallel(n)`.
    pub how: String,
    /// Per-query latency (µs), sequential runs.
    pub latency_us: Summary,
    /// Queries per second.
    pub qps: f64,
}

/// Repeated requests of one page: how many different results came back.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StabilityRow {
    /// `sqlite` or `postgres`.
    pub backend: String,
    /// The app and endpoint.
    pub what: String,
    /// Requests made.
    pub requests: usize,
    /// Distinct lists of ids returned.
    pub distinct: usize,
}
