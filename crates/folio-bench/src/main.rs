//! # folio-bench
//!
//! folio's benchmarks, in one command: `cargo run --release -p folio-bench -- all`
//! seeds the data set into SQLite, a throwaway PostgreSQL cluster and a throwaway
//! MariaDB server, starts folio-shop (release), measures latency by depth, the
//! count strategies, throughput at concurrency 32 and peak memory, runs the same
//! scenarios against a Flask-SQLAlchemy app and a Django REST Framework app under
//! gunicorn (installed into a virtualenv; SQLite and PostgreSQL only), stops
//! everything it started, and writes `results.json`,
//! `results.md` and SVG charts (default `docs/bench/`). `--quick` runs a small
//! data set in a few minutes (CI runs it so that the command cannot rot).

/// Progress on stderr, with the seconds since the run started.
macro_rules! say {
    ($($t:tt)*) => {
        eprintln!(
            "folio-bench [{:>6.1}s] {}",
            crate::START.get_or_init(std::time::Instant::now).elapsed().as_secs_f64(),
            format!($($t)*)
        )
    };
}

mod driver;
mod http;
mod mariadb;
mod peers;
mod procs;
mod report;
mod results;
mod shop;
mod soak;
mod stats;
mod svg;

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use clap::{Parser, Subcommand};

use crate::results::{Meta, Results};
use crate::shop::{Backend, Family};

/// When the run started (for the progress lines).
static START: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();

/// Errors of the benchmark: reported and the run stopped.
pub(crate) type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// folio's benchmarks (see docs/benchmarks.md).
#[derive(Debug, Parser)]
#[command(name = "folio-bench", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Debug, Subcommand)]
enum Cmd {
    /// Seed, start, measure everything, stop, and write the results.
    All(AllArgs),
    /// Load one URL path on a running server (the load generator alone), e.g.
    /// `folio-bench load 127.0.0.1:8000 /api/products?page=1`.
    Load {
        /// host:port (127.0.0.1 only is sensible).
        addr: std::net::SocketAddr,
        /// Paths with their query, sent round-robin.
        #[arg(required = true)]
        paths: Vec<String>,
        /// Concurrent connections.
        #[arg(long, default_value_t = 32)]
        concurrency: usize,
        /// Seconds.
        #[arg(long, default_value_t = 10.0)]
        duration: f64,
    },
    /// Only the driver comparison (sqlx against rusqlite) on a seeded SQLite file.
    Driver {
        /// The SQLite file (seeded by `folio-shop seed` or a previous run).
        file: PathBuf,
        /// Iterations of the quick statements.
        #[arg(long, default_value_t = 5000)]
        iterations: usize,
    },
    /// Render results.md and the charts again from a results.json.
    Report {
        /// The directory holding results.json.
        #[arg(long, default_value = "docs/bench")]
        out: PathBuf,
    },
}

#[derive(Debug, Clone, clap::Args)]
#[allow(clippy::struct_field_names)]
struct AllArgs {
    /// Small data set (20,000 products), few samples, short runs: seconds, not minutes.
    #[arg(long)]
    quick: bool,
    /// Data set size relative to the default (1.0: 1,000,000 products, 100,000
    /// users, 2,000,000 orders). Default 1.0, or 0.02 with --quick.
    #[arg(long)]
    scale: Option<f64>,
    /// Where results.json, results.md and the SVG charts go (default: the
    /// workspace's docs/bench).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Working directory: logs, the virtualenv and the seeded SQLite files (reused
    /// across runs of the same size).
    /// Default: the workspace's target/folio-bench.
    #[arg(long)]
    work: Option<PathBuf>,
    /// Use this PostgreSQL database (seeded if empty) instead of a throwaway cluster.
    #[arg(long)]
    pg_url: Option<String>,
    /// Skip the depth study (for a run that compares throughput only).
    #[arg(long)]
    skip_depth: bool,
    /// Only the check of the Flask app's unordered page (needs the peers).
    #[arg(long)]
    stability_only: bool,
    /// Skip PostgreSQL.
    #[arg(long)]
    no_pg: bool,
    /// Skip MariaDB.
    #[arg(long)]
    no_mysql: bool,
    /// Use this MariaDB (or MySQL) database (seeded if its row count differs) instead
    /// of a throwaway server.
    #[arg(long)]
    mysql_url: Option<String>,
    /// Skip the Python peers.
    #[arg(long)]
    no_peers: bool,
    /// Run the peers on SQLite only (not on PostgreSQL).
    #[arg(long)]
    peers_sqlite_only: bool,
    /// Fail (instead of skipping the peers loudly) when they cannot be installed.
    #[arg(long)]
    require_peers: bool,
    /// The folio-shop binary (default: built with `cargo build --release -p folio-shop`).
    #[arg(long)]
    shop_bin: Option<PathBuf>,
    /// Concurrent connections of the throughput runs.
    #[arg(long, default_value_t = 32)]
    concurrency: usize,
    /// Seconds of each throughput run (default 10, or 2 with --quick).
    #[arg(long)]
    duration: Option<f64>,
    /// gunicorn workers per peer app.
    #[arg(long, default_value_t = 4)]
    peer_workers: usize,
    /// Only the `soak` and `count-storm` scenarios (no depth study, counts,
    /// throughput, export or peers).
    #[arg(long)]
    soak_only: bool,
    /// Connections of the soak (default 1,000, or 200 with --quick).
    #[arg(long)]
    soak_connections: Option<usize>,
    /// Seconds of the soak (default 60, or 2 with --quick).
    #[arg(long)]
    soak_secs: Option<f64>,
    /// Also soak a folio-shop without its admission gate (`--max-in-flight 0`:
    /// every request queues on the pool), first, for comparison in the same run.
    #[arg(long)]
    soak_ungated: bool,
}

/// The settings of a run.
#[derive(Debug, Clone)]
pub(crate) struct Config {
    /// `--quick`.
    pub(crate) quick: bool,
    /// The scale factor.
    pub(crate) scale: f64,
    /// Products.
    pub(crate) products: u64,
    /// Users.
    pub(crate) users: u64,
    /// Orders per user.
    pub(crate) orders_per_user: u64,
    /// Working directory (absolute).
    pub(crate) work: PathBuf,
    /// Where seeded SQLite files are kept.
    pub(crate) data_dir: PathBuf,
    /// `bench/peers` (absolute).
    pub(crate) peers_dir: PathBuf,
    /// The folio-shop binary.
    pub(crate) shop_bin: PathBuf,
    /// Throughput concurrency.
    pub(crate) concurrency: usize,
    /// Measured time of a throughput run.
    pub(crate) duration: Duration,
    /// Warm-up before each throughput run.
    pub(crate) warmup: Duration,
    /// Cap of requests per throughput run.
    pub(crate) max_requests: usize,
    /// Sequential samples per depth cell.
    pub(crate) samples: usize,
    /// Time budget of a depth cell (at least 5 samples are taken regardless).
    pub(crate) cell_budget: Duration,
    /// gunicorn workers.
    pub(crate) peer_workers: usize,
    /// `--skip-depth`.
    pub(crate) skip_depth: bool,
    /// `--stability-only`.
    pub(crate) stability_only: bool,
    /// `--soak-only`.
    pub(crate) soak_only: bool,
    /// The soak and count-storm scenarios' settings.
    pub(crate) soak: soak::Settings,
}

impl Config {
    /// The depths of the study: 0, 1k, 10k, 100k, 500k, 900k rows at scale 1,
    /// scaled, in multiples of the page size.
    pub(crate) fn depths(&self) -> Vec<u64> {
        [0u64, 1_000, 10_000, 100_000, 500_000, 900_000]
            .iter()
            .map(|d| ((*d as f64 * self.scale / 10.0).round() as u64) * 10)
            .collect()
    }

    /// The depth standing for 500k.
    pub(crate) fn depth_500k(&self) -> u64 {
        self.depths()[4]
    }

    /// The page standing for page 50,000 (depth 500k at 10 per page).
    pub(crate) fn page_50k(&self) -> u64 {
        self.depth_500k() / 10
    }
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    START.get_or_init(std::time::Instant::now);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let result = runtime.block_on(async {
        tokio::select! {
            r = run(cli) => r,
            _ = tokio::signal::ctrl_c() => Err("interrupted".into()),
        }
    });
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            say!("error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<(), BoxError> {
    match cli.command {
        Cmd::Report { out } => {
            let results: Results =
                serde_json::from_slice(&std::fs::read(out.join("results.json"))?)?;
            report::write(&out, &results)?;
            Ok(())
        }
        Cmd::All(args) => all(args).await,
        Cmd::Driver { file, iterations } => {
            let url = format!("sqlite://{}", file.display());
            let pool = sqlx::SqlitePool::connect(&url).await?;
            let products: i64 = sqlx::query_scalar("SELECT max(id) FROM products")
                .fetch_one(&pool)
                .await?;
            for d in driver::compare(&file, &pool, products as u64, iterations).await? {
                println!(
                    "{:55} {:9} {:45} p50 {:>9.1} µs  {:>9.0} q/s",
                    d.statement, d.driver, d.how, d.latency_us.p50, d.qps
                );
            }
            Ok(())
        }
        Cmd::Load {
            addr,
            paths,
            concurrency,
            duration,
        } => {
            let l = http::load(
                addr,
                std::sync::Arc::new(paths),
                concurrency,
                Duration::from_secs_f64(duration.clamp(0.1, 600.0)),
                10_000_000,
            )
            .await;
            println!(
                "{:.0} rps, p50 {:.2} ms, p99 {:.2} ms, {} ok, {} errors{}",
                l.rps,
                l.latency.p50,
                l.latency.p99,
                l.ok,
                l.errors,
                l.first_error
                    .map(|e| format!(" (first: {e})"))
                    .unwrap_or_default()
            );
            Ok(())
        }
    }
}

fn root() -> PathBuf {
    // crates/folio-bench → the workspace root
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap_or_else(|_| PathBuf::from("."))
}

fn build_shop() -> Result<PathBuf, BoxError> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    say!("cargo build --release -p folio-shop …");
    let status = Command::new(cargo)
        .args([
            "build",
            "--release",
            "-p",
            "folio-shop",
            "--bin",
            "folio-shop",
        ])
        .current_dir(root())
        .status()?;
    if !status.success() {
        return Err(format!("cargo build --release -p folio-shop failed ({status})").into());
    }
    let exe = std::env::current_exe()?;
    let sibling = exe.with_file_name("folio-shop");
    if sibling.is_file() {
        return Ok(sibling);
    }
    let target =
        std::env::var("CARGO_TARGET_DIR").map_or_else(|_| root().join("target"), PathBuf::from);
    Ok(target.join("release/folio-shop"))
}

fn absolute(p: PathBuf) -> PathBuf {
    if p.is_absolute() {
        p
    } else {
        std::env::current_dir().map(|d| d.join(&p)).unwrap_or(p)
    }
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .trim()
        .to_owned()
}

fn command_version(cmd: &str, args: &[&str]) -> String {
    Command::new(cmd)
        .args(args)
        .output()
        .ok()
        .map(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .next()
                .unwrap_or("")
                .trim()
                .to_owned()
        })
        .unwrap_or_default()
}

fn machine(meta: &mut Meta) {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    meta.cpu = cpuinfo
        .lines()
        .find_map(|l| {
            l.strip_prefix("model name")
                .and_then(|r| r.split_once(':'))
                .map(|(_, v)| v.trim().to_owned())
        })
        .unwrap_or_default();
    meta.cores = std::thread::available_parallelism().map_or(0, std::num::NonZero::get);
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    meta.memory_mib = meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|v| v.split_whitespace().next()?.parse::<u64>().ok())
        .map_or(0, |kib| kib / 1024);
    std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .unwrap_or_default()
        .trim()
        .clone_into(&mut meta.kernel);
    meta.versions
        .push(("rustc".to_owned(), command_version("rustc", &["-V"])));
    meta.versions.push((
        "folio-bench".to_owned(),
        env!("CARGO_PKG_VERSION").to_owned(),
    ));
    meta.versions
        .push(("python3".to_owned(), command_version("python3", &["-V"])));
}

async fn all(args: AllArgs) -> Result<(), BoxError> {
    let scale = args.scale.unwrap_or(if args.quick { 0.02 } else { 1.0 });
    if !(0.001..=10.0).contains(&scale) {
        return Err("--scale must be between 0.001 and 10".into());
    }
    let work = args
        .work
        .clone()
        .map_or_else(|| root().join("target/folio-bench"), absolute);
    std::fs::create_dir_all(&work)?;
    let out = args
        .out
        .clone()
        .map_or_else(|| root().join("docs/bench"), absolute);
    std::fs::create_dir_all(&out)?;
    let shop_bin = match &args.shop_bin {
        Some(p) => absolute(p.clone()),
        None => build_shop()?,
    };
    let duration =
        Duration::from_secs_f64(args.duration.unwrap_or(if args.quick { 1.0 } else { 10.0 }));
    let cfg = Config {
        quick: args.quick,
        scale,
        products: (1_000_000.0 * scale).round() as u64,
        users: (100_000.0 * scale).round().max(1000.0) as u64,
        orders_per_user: 20,
        data_dir: work.join("data"),
        work: work.clone(),
        peers_dir: root().join("bench/peers"),
        shop_bin,
        concurrency: args.concurrency,
        duration,
        warmup: if args.quick {
            Duration::from_millis(200)
        } else {
            Duration::from_secs(2)
        },
        max_requests: 5_000_000,
        samples: if args.quick { 30 } else { 200 },
        cell_budget: if args.quick {
            Duration::from_millis(300)
        } else {
            Duration::from_secs(3)
        },
        peer_workers: args.peer_workers,
        skip_depth: args.skip_depth,
        stability_only: args.stability_only,
        soak_only: args.soak_only,
        soak: {
            let mut soak = soak::Settings::new(args.quick);
            soak.connections = args.soak_connections.unwrap_or(soak.connections);
            soak.ungated_too = args.soak_ungated;
            if let Some(secs) = args.soak_secs {
                soak.duration = Duration::from_secs_f64(secs.clamp(0.5, 3600.0));
            }
            soak
        },
    };
    std::fs::create_dir_all(&cfg.data_dir)?;

    let mut results = Results::default();
    let meta = &mut results.meta;
    meta.command = std::env::args().collect::<Vec<_>>().join(" ");
    meta.quick = cfg.quick;
    meta.scale = scale;
    meta.rows = [cfg.products, cfg.users, cfg.users * cfg.orders_per_user];
    meta.started = chrono::Utc::now().to_rfc3339();
    meta.loadavg_start = loadavg();
    meta.concurrency = cfg.concurrency;
    meta.duration_secs = cfg.duration.as_secs_f64();
    meta.peer_workers = cfg.peer_workers;
    machine(meta);
    meta.versions.push((
        "folio-shop".to_owned(),
        command_version(cfg.shop_bin.to_str().unwrap_or(""), &["--version"]),
    ));
    say!(
        "{} products, {} users, {} orders; load {}",
        cfg.products,
        cfg.users,
        cfg.users * cfg.orders_per_user,
        meta.loadavg_start
    );

    // The peers' virtualenv.
    let venv = if args.no_peers {
        results.notes.push("peers skipped (--no-peers)".to_owned());
        None
    } else {
        match peers::venv(&cfg) {
            Ok(v) => {
                results.meta.versions.extend(peers::versions(&v));
                Some(v)
            }
            Err(e) if !args.require_peers => {
                eprintln!("\n==================== PEERS SKIPPED ====================");
                say!("the Python peers could not be installed: {e}");
                eprintln!("=======================================================\n");
                results
                    .notes
                    .push(format!("PEERS SKIPPED: could not install them: {e}"));
                None
            }
            Err(e) => return Err(e),
        }
    };

    // SQLite: seeded once per size, reused.
    let file = shop::sqlite_file(&cfg);
    let stamp = file.with_extension("seeded");
    if stamp.is_file() {
        results
            .meta
            .seed_secs
            .push(("sqlite (reused)".to_owned(), 0.0));
    } else {
        let _ = std::fs::remove_file(&file);
        for ext in ["db-wal", "db-shm"] {
            let _ = std::fs::remove_file(file.with_extension(ext));
        }
        say!("seeding SQLite {} …", file.display());
        let secs = shop::seed(
            &cfg,
            &format!("sqlite://{}", file.display()),
            &work.join("seed-sqlite.log"),
        )?;
        std::fs::write(&stamp, format!("{secs}\n"))?;
        results.meta.seed_secs.push(("sqlite".to_owned(), secs));
    }
    let mut backends = vec![Backend {
        name: "sqlite",
        url: format!("sqlite://{}", file.display()),
        sqlalchemy_url: format!("sqlite:///{}", file.display()),
    }];

    // PostgreSQL: a throwaway cluster (folio-testing's), or --pg-url.
    let mut _pg_guard = None;
    if args.no_pg {
        results
            .notes
            .push("PostgreSQL skipped (--no-pg)".to_owned());
    } else {
        let url = if let Some(url) = &args.pg_url {
            Some(url.clone())
        } else if let Some(db) = folio_testing::postgres().await {
            let url = db.url().to_owned();
            _pg_guard = Some(db);
            Some(url)
        } else {
            results.notes.push(
                "PostgreSQL skipped: no PostgreSQL binaries found and no --pg-url".to_owned(),
            );
            None
        };
        if let Some(url) = url {
            let seeded = pg_rows(&url).await.unwrap_or(0);
            if seeded == cfg.products {
                results
                    .meta
                    .seed_secs
                    .push(("postgres (reused)".to_owned(), 0.0));
            } else {
                say!("seeding PostgreSQL …");
                let secs = shop::seed(&cfg, &url, &work.join("seed-postgres.log"))?;
                results.meta.seed_secs.push(("postgres".to_owned(), secs));
            }
            if let Ok(v) = pg_version(&url).await {
                results.meta.versions.push(("PostgreSQL".to_owned(), v));
            }
            backends.push(Backend {
                name: "postgres",
                sqlalchemy_url: sqlalchemy_pg(&url),
                url,
            });
        }
    }
    // MariaDB: a throwaway server (folio-testing's, seeded each run), or --mysql-url.
    let mut _mysql_guard = None;
    if args.no_mysql {
        results
            .notes
            .push("MariaDB skipped (--no-mysql)".to_owned());
    } else if let Some(prepared) =
        mariadb::prepare(&cfg, args.mysql_url.as_deref(), &mut results).await?
    {
        backends.push(prepared.backend);
        _mysql_guard = prepared.keep_alive;
    }
    if let Ok(v) = sqlite_version().await {
        results
            .meta
            .versions
            .push(("SQLite (sqlx's bundled)".to_owned(), v));
    }

    let depths = cfg.depths();
    for backend in &backends {
        measure_backend(
            &cfg,
            backend,
            &depths,
            venv.as_deref(),
            args.peers_sqlite_only,
            &mut results,
        )
        .await?;
    }

    results.meta.loadavg_end = loadavg();
    results.meta.finished = chrono::Utc::now().to_rfc3339();
    std::fs::write(
        out.join("results.json"),
        serde_json::to_vec_pretty(&results)?,
    )?;
    report::write(&out, &results)?;
    say!(
        "wrote {}/results.json, results.md and the charts",
        out.display()
    );
    Ok(())
}

async fn measure_backend(
    cfg: &Config,
    backend: &Backend,
    depths: &[u64],
    venv: Option<&std::path::Path>,
    peers_sqlite_only: bool,
    results: &mut Results,
) -> Result<(), BoxError> {
    if cfg.stability_only {
        if backend.sqlalchemy_url.is_empty() {
            return Ok(());
        }
        let venv = venv.ok_or("--stability-only needs the peers")?;
        results
            .stability
            .extend(peers::stability(cfg, venv, backend, if cfg.quick { 16 } else { 40 }).await?);
        return Ok(());
    }
    if cfg.soak_only {
        let bounds = match backend.family() {
            Family::Sqlite => soak_bounds::<folio_sqlx::Rusqlite>(cfg, backend).await?,
            Family::MySql => soak_bounds::<folio_sqlx::MySql>(cfg, backend).await?,
            Family::Postgres => soak_bounds::<folio_sqlx::Postgres>(cfg, backend).await?,
        };
        return run_soak(cfg, backend, &bounds, results).await;
    }
    say!("[{}] starting folio-shop …", backend.name);
    let shop = shop::start(cfg, backend, &[])?;
    let bounds = match backend.family() {
        Family::Sqlite => {
            in_process::<folio_sqlx::Rusqlite>(cfg, backend, &shop, depths, results).await?
        }
        Family::MySql => {
            in_process::<folio_sqlx::MySql>(cfg, backend, &shop, depths, results).await?
        }
        Family::Postgres => {
            in_process::<folio_sqlx::Postgres>(cfg, backend, &shop, depths, results).await?
        }
    };
    if backend.family() == Family::Sqlite {
        say!("[{}] sqlx against rusqlite …", backend.name);
        let pool = sqlx::SqlitePool::connect(&backend.url).await?;
        let path = backend.url.trim_start_matches("sqlite://");
        let iterations = if cfg.quick { 500 } else { 5000 };
        results.driver.extend(
            driver::compare(std::path::Path::new(path), &pool, cfg.products, iterations).await?,
        );
        pool.close().await;
    }

    say!("[{}] throughput (folio-shop) …", backend.name);
    let pid = shop.proc.pid();
    let before = procs::status_kib(pid, "VmRSS");
    procs::reset_peak(pid);
    results.throughput.extend(
        shop::throughput(
            cfg,
            backend.name,
            "folio",
            shop.addr,
            shop::folio_scenarios(cfg, &bounds),
        )
        .await,
    );
    results.memory.push(results::MemoryRow {
        backend: backend.name.to_owned(),
        server: "folio".to_owned(),
        during: "the throughput runs".to_owned(),
        peak_kib: procs::status_kib(pid, "VmHWM").unwrap_or(0),
        before_kib: before,
        detail: String::new(),
    });
    say!("[{}] export …", backend.name);
    match shop::export(backend, &shop, cfg.products).await {
        Ok(row) => results.memory.push(row),
        Err(e) => results
            .notes
            .push(format!("[{}] export failed: {e}", backend.name)),
    }
    drop(shop);
    run_soak(cfg, backend, &bounds, results).await?;

    if let Some(venv) = venv.filter(|_| !backend.sqlalchemy_url.is_empty()) {
        if backend.family() == Family::Sqlite || !peers_sqlite_only {
            for app in [peers::App::Drf, peers::App::Flask] {
                say!("[{}] peer {} …", backend.name, app.name());
                match peers::run(cfg, venv, app, backend, &bounds).await {
                    Ok((rows, mem)) => {
                        results.throughput.extend(rows);
                        results.memory.push(mem);
                    }
                    Err(e) => {
                        say!("peer {} failed: {e}", app.name());
                        results.notes.push(format!(
                            "[{}] peer {} failed: {e}",
                            backend.name,
                            app.name()
                        ));
                    }
                }
            }
            match peers::stability(cfg, venv, backend, if cfg.quick { 16 } else { 40 }).await {
                Ok(rows) => results.stability.extend(rows),
                Err(e) => results
                    .notes
                    .push(format!("[{}] stability check failed: {e}", backend.name)),
            }
        } else {
            results.notes.push(format!(
                "[{}] peers not run (--peers-sqlite-only)",
                backend.name
            ));
        }
    }
    Ok(())
}

/// The soak and count-storm scenarios on `backend` (a folio-shop of their own).
async fn run_soak(
    cfg: &Config,
    backend: &Backend,
    bounds: &[shop::Boundary],
    results: &mut Results,
) -> Result<(), BoxError> {
    let (soak, storm) = soak::run(cfg, backend, bounds).await?;
    results.soak.extend(soak);
    results.count_storm.extend(storm);
    Ok(())
}

/// The boundaries the soak and count-storm need, alone (`--soak-only`).
async fn soak_bounds<B: folio_shop::backend::ShopBackend>(
    cfg: &Config,
    backend: &Backend,
) -> Result<Vec<shop::Boundary>, BoxError> {
    let db = folio_sqlx::Db::<B>::connect(&backend.url).await?;
    let bounds = shop::boundaries(&db, backend.family(), &cfg.depths()).await?;
    db.close().await;
    Ok(bounds)
}

/// What is measured in process on backend `B` (the boundaries of the depth study,
/// the depth study through folio-sqlx, the count strategies); returns the boundaries.
async fn in_process<B: folio_shop::backend::ShopBackend>(
    cfg: &Config,
    backend: &Backend,
    shop: &shop::Shop,
    depths: &[u64],
    results: &mut Results,
) -> Result<Vec<shop::Boundary>, BoxError> {
    // No statement time limit: the naive OFFSET at 900k runs past the default 5 s
    // on MariaDB, and measuring it is the point.
    let settings = folio_sqlx::PoolSettings::default()
        .statement_timeout(None)
        .acquire_timeout(Duration::from_secs(60));
    let db = folio_sqlx::Db::<B>::connect_with(&backend.url, settings).await?;
    let bounds = shop::boundaries(&db, backend.family(), depths).await?;
    if cfg.skip_depth {
        results.notes.push(format!(
            "[{}] depth study skipped (--skip-depth)",
            backend.name
        ));
    } else {
        say!("[{}] depth over HTTP …", backend.name);
        results
            .depth
            .extend(shop::depth_http(cfg, backend, shop, &bounds, depths).await?);
        say!("[{}] depth in process …", backend.name);
        let (rows, notes) = shop::depth_sql(cfg, backend, &db, &bounds, depths).await?;
        results.depth.extend(rows);
        results.notes.extend(notes);
    }
    say!("[{}] count strategies …", backend.name);
    results
        .counts
        .extend(shop::counts(cfg, backend, &db).await?);
    db.close().await;
    Ok(bounds)
}

async fn pg_rows(url: &str) -> Result<u64, BoxError> {
    use sqlx::Connection as _;
    let mut conn = sqlx::PgConnection::connect(url).await?;
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM products")
        .fetch_one(&mut conn)
        .await?;
    Ok(n as u64)
}

async fn pg_version(url: &str) -> Result<String, BoxError> {
    use sqlx::Connection as _;
    let mut conn = sqlx::PgConnection::connect(url).await?;
    Ok(sqlx::query_scalar("SHOW server_version")
        .fetch_one(&mut conn)
        .await?)
}

async fn sqlite_version() -> Result<String, BoxError> {
    use sqlx::Connection as _;
    let mut conn = sqlx::SqliteConnection::connect("sqlite::memory:").await?;
    Ok(sqlx::query_scalar("SELECT sqlite_version()")
        .fetch_one(&mut conn)
        .await?)
}

/// The SQLAlchemy (and Django) form of a sqlx PostgreSQL URL.
fn sqlalchemy_pg(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let (authority_path, query) = rest.split_once('?').map_or((rest, ""), |(a, q)| (a, q));
    let (authority, db) = authority_path
        .split_once('/')
        .unwrap_or((authority_path, "postgres"));
    if let Some(host) = query.split('&').find_map(|p| p.strip_prefix("host=")) {
        let user = authority.split_once('@').map_or("postgres", |(u, _)| u);
        let port = authority.rsplit_once(':').map_or("5432", |(_, p)| p);
        format!("postgresql+psycopg2://{user}@/{db}?host={host}&port={port}")
    } else {
        format!("postgresql+psycopg2://{authority}/{db}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pg_urls() {
        assert_eq!(
            sqlalchemy_pg("postgres://postgres@localhost:5432/folio_test_0?host=/tmp/folio-pg-1"),
            "postgresql+psycopg2://postgres@/folio_test_0?host=/tmp/folio-pg-1&port=5432"
        );
        assert_eq!(
            sqlalchemy_pg("postgres://u:p@127.0.0.1:5433/shop"),
            "postgresql+psycopg2://u:p@127.0.0.1:5433/shop"
        );
    }

    #[test]
    fn scaled_depths() {
        let cfg = |scale: f64| Config {
            quick: true,
            scale,
            products: 0,
            users: 0,
            orders_per_user: 0,
            work: PathBuf::new(),
            data_dir: PathBuf::new(),
            peers_dir: PathBuf::new(),
            shop_bin: PathBuf::new(),
            concurrency: 1,
            duration: Duration::ZERO,
            warmup: Duration::ZERO,
            max_requests: 1,
            samples: 1,
            cell_budget: Duration::ZERO,
            peer_workers: 1,
            skip_depth: false,
            stability_only: false,
            soak_only: false,
            soak: crate::soak::Settings::new(true),
        };
        assert_eq!(
            cfg(1.0).depths(),
            [0, 1_000, 10_000, 100_000, 500_000, 900_000]
        );
        assert_eq!(cfg(0.02).depths(), [0, 20, 200, 2_000, 10_000, 18_000]);
        assert_eq!(cfg(1.0).page_50k(), 50_000);
    }
}
