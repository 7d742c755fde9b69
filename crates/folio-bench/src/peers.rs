//! The peers: the Flask + Flask-SQLAlchemy app as the article writes it and a
//! Django REST Framework app, both under gunicorn, installed into a virtualenv
//! from `bench/peers/requirements.txt`.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use base64::Engine as _;

use crate::http::Conn;
use crate::procs::{self, Proc};
use crate::results::{MemoryRow, StabilityRow, ThroughputRow};
use crate::shop::{self, Backend, Boundary};
use crate::{BoxError, Config};

/// The peer apps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum App {
    /// `bench/peers/flask_app.py`.
    Flask,
    /// `bench/peers/drf_app.py`.
    Drf,
}

impl App {
    /// `flask` or `drf`.
    pub(crate) fn name(self) -> &'static str {
        match self {
            App::Flask => "flask",
            App::Drf => "drf",
        }
    }
}

/// Creates (or reuses) the virtualenv and installs the pinned requirements.
/// Returns the venv's directory, or an error saying why (PyPI unreachable, no python3).
pub(crate) fn venv(cfg: &Config) -> Result<PathBuf, BoxError> {
    let venv = cfg.work.join("venv");
    let requirements = cfg.peers_dir.join("requirements.txt");
    let stamp = venv.join(".folio-bench-requirements");
    let wanted = std::fs::read_to_string(&requirements)?;
    if std::fs::read_to_string(&stamp).is_ok_and(|s| s == wanted)
        && venv.join("bin/gunicorn").is_file()
    {
        return Ok(venv);
    }
    let log = cfg.work.join("pip.log");
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".to_owned());
    if !venv.join("bin/python").is_file() {
        let status = Command::new(&python)
            .args(["-m", "venv"])
            .arg(&venv)
            .stdout(Stdio::null())
            .status()
            .map_err(|e| format!("cannot run {python} -m venv: {e}"))?;
        if !status.success() {
            return Err(format!("{python} -m venv {} failed ({status})", venv.display()).into());
        }
    }
    let out = std::fs::File::create(&log)?;
    say!(
        "installing the peers' requirements into {} …",
        venv.display()
    );
    let status = Command::new(venv.join("bin/pip"))
        .args([
            "install",
            "--disable-pip-version-check",
            "-q",
            "--timeout",
            "30",
            "--retries",
            "1",
            "-r",
        ])
        .arg(&requirements)
        .stdout(out.try_clone()?)
        .stderr(out)
        .status()?;
    if !status.success() {
        return Err(format!(
            "pip install -r {} failed ({status}); PyPI unreachable? Its log:\n{}",
            requirements.display(),
            procs::tail(&log, 15)
        )
        .into());
    }
    std::fs::write(&stamp, wanted)?;
    Ok(venv)
}

/// The installed versions of the peers' packages (`pip freeze`).
pub(crate) fn versions(venv: &Path) -> Vec<(String, String)> {
    let Ok(out) = Command::new(venv.join("bin/pip"))
        .args(["freeze", "--disable-pip-version-check"])
        .output()
    else {
        return Vec::new();
    };
    let wanted = [
        "flask",
        "flask-sqlalchemy",
        "sqlalchemy",
        "django",
        "djangorestframework",
        "gunicorn",
        "psycopg2-binary",
    ];
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_once("=="))
        .filter(|(n, _)| wanted.contains(&n.to_lowercase().as_str()))
        .map(|(n, v)| (n.to_owned(), v.to_owned()))
        .collect()
}

/// A running peer.
pub(crate) struct Peer {
    /// The gunicorn master (its workers are in its process group).
    pub(crate) proc: Proc,
    /// Where it listens.
    pub(crate) addr: SocketAddr,
}

/// Starts `app` under gunicorn on `backend`.
pub(crate) fn start(
    cfg: &Config,
    venv: &Path,
    app: App,
    backend: &Backend,
) -> Result<Peer, BoxError> {
    let port = procs::free_port()?;
    let addr: SocketAddr = format!("127.0.0.1:{port}").parse()?;
    let log = cfg
        .work
        .join(format!("peer-{}-{}.log", app.name(), backend.name));
    let module = match app {
        App::Flask => "flask_app:app",
        App::Drf => "drf_app:application",
    };
    let mut cmd = Command::new(venv.join("bin/gunicorn"));
    cmd.args(["--workers", &cfg.peer_workers.to_string()])
        .args(["--bind", &addr.to_string()])
        .args([
            "--log-level",
            "warning",
            "--timeout",
            "120",
            "--backlog",
            "2048",
        ])
        .arg("--chdir")
        .arg(&cfg.peers_dir)
        .arg(module)
        .env("PEER_DATABASE_URL", &backend.sqlalchemy_url)
        .env("PYTHONDONTWRITEBYTECODE", "1");
    let mut proc = Proc::spawn(app.name(), cmd, &log)?;
    proc.wait_listening(addr, Duration::from_secs(60), &log)?;
    Ok(Peer { proc, addr })
}

fn drf_cursor(position: i64) -> String {
    let raw = base64::engine::general_purpose::STANDARD.encode(format!("p={position}"));
    raw.replace('=', "%3D")
        .replace('+', "%2B")
        .replace('/', "%2F")
}

/// The throughput scenarios of a peer (the same keys as folio-shop's).
pub(crate) fn scenarios(
    cfg: &Config,
    app: App,
    bounds: &[Boundary],
) -> Vec<(&'static str, Vec<String>)> {
    let depth = cfg.depth_500k();
    let page50k = cfg.page_50k();
    let by_id = bounds
        .iter()
        .find(|b| b.ordering == "id")
        .expect("id ordering");
    let id500k = by_id.rows.iter().find(|r| r.0 == depth).map_or(0, |r| r.2);
    let users = cfg.users;
    let user_paths = |prefix: &str| -> Vec<String> {
        (0..1000u64)
            .map(|i| format!("{prefix}/users/{}/orders", 1 + i * users / 1000))
            .collect()
    };
    match app {
        App::Drf => vec![
            ("page1", vec!["/drf/products/page?page=1".to_owned()]),
            (
                "page50k",
                vec![format!("/drf/products/page?page={page50k}")],
            ),
            (
                "offset500k",
                vec![format!("/drf/products/limit?limit=10&offset={depth}")],
            ),
            ("cursor_first", vec!["/drf/products/cursor".to_owned()]),
            (
                "cursor500k",
                vec![format!(
                    "/drf/products/cursor?cursor={}",
                    drf_cursor(id500k)
                )],
            ),
            ("user_orders", user_paths("/drf")),
            (
                "users_expand",
                (1..=100u64)
                    .map(|p| format!("/drf/users?page={p}"))
                    .collect(),
            ),
        ],
        App::Flask => vec![
            ("page1", vec!["/api/products?page=1".to_owned()]),
            (
                "page1_ordered",
                vec!["/api/products_ordered?page=1".to_owned()],
            ),
            ("page50k", vec![format!("/api/products?page={page50k}")]),
            (
                "page50k_ordered",
                vec![format!("/api/products_ordered?page={page50k}")],
            ),
            ("user_orders", user_paths("/api")),
            (
                "users_expand",
                (1..=100u64)
                    .map(|p| format!("/api/users?page={p}&expand=orders"))
                    .collect(),
            ),
        ],
    }
}

/// Runs a peer's scenarios; returns its throughput rows and its peak RSS (master
/// plus workers).
pub(crate) async fn run(
    cfg: &Config,
    venv: &Path,
    app: App,
    backend: &Backend,
    bounds: &[Boundary],
) -> Result<(Vec<ThroughputRow>, MemoryRow), BoxError> {
    let peer = start(cfg, venv, app, backend)?;
    // a first request checks that the app answers at all
    let mut conn = Conn::new(peer.addr);
    let probe = scenarios(cfg, app, bounds);
    for (_, paths) in &probe {
        let r = conn.get(&paths[0], true).await?;
        if r.status != 200 {
            return Err(format!(
                "{} {}: status {}: {}",
                app.name(),
                paths[0],
                r.status,
                String::from_utf8_lossy(&r.body.unwrap_or_default())
                    .chars()
                    .take(400)
                    .collect::<String>()
            )
            .into());
        }
    }
    drop(conn);
    let rows = shop::throughput(cfg, backend.name, app.name(), peer.addr, probe).await;
    let memory = MemoryRow {
        backend: backend.name.to_owned(),
        server: app.name().to_owned(),
        during: format!(
            "the throughput runs (gunicorn master + {} workers)",
            cfg.peer_workers
        ),
        peak_kib: procs::tree_peak_kib(peer.proc.pid()),
        before_kib: None,
        detail: String::new(),
    };
    Ok((rows, memory))
}

/// Requests page 2 of the Flask app's products `n` times, sequentially and then
/// 8 at a time, as written (no ORDER BY) and with `ORDER BY id`, and counts the
/// distinct results.
pub(crate) async fn stability(
    cfg: &Config,
    venv: &Path,
    backend: &Backend,
    n: usize,
) -> Result<Vec<StabilityRow>, BoxError> {
    let peer = start(cfg, venv, App::Flask, backend)?;
    let mut rows = Vec::new();
    for (what, path) in [
        (
            "flask as written (no ORDER BY), page 2",
            "/api/products?page=2",
        ),
        (
            "flask with ORDER BY id, page 2",
            "/api/products_ordered?page=2",
        ),
    ] {
        let mut seen = HashSet::new();
        let mut conn = Conn::new(peer.addr);
        for _ in 0..n {
            let r = conn.get(path, true).await?;
            seen.insert(shop::ids(&r.body.unwrap_or_default()));
        }
        rows.push(StabilityRow {
            backend: backend.name.to_owned(),
            what: format!("{what}, sequential"),
            requests: n,
            distinct: seen.len(),
        });
        let mut seen = HashSet::new();
        for _ in 0..n.div_ceil(8) {
            let mut tasks = Vec::new();
            for _ in 0..8 {
                let addr = peer.addr;
                tasks.push(tokio::spawn(async move {
                    let mut c = Conn::new(addr);
                    c.get(path, true)
                        .await
                        .map(|r| shop::ids(&r.body.unwrap_or_default()))
                }));
            }
            for t in tasks {
                if let Ok(Ok(ids)) = t.await {
                    seen.insert(ids);
                }
            }
        }
        rows.push(StabilityRow {
            backend: backend.name.to_owned(),
            what: format!("{what}, 8 concurrent"),
            requests: n.div_ceil(8) * 8,
            distinct: seen.len(),
        });
        // The same page while another client reads a deep page as written (a
        // crawler, say): on PostgreSQL its sequential scan moves the synchronized
        // scan start that the next unordered LIMIT query begins at.
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let deep = {
            let stop = std::sync::Arc::clone(&stop);
            let addr = peer.addr;
            let deep_path = format!("/api/products?page={}", cfg.page_50k());
            tokio::spawn(async move {
                let mut c = Conn::new(addr);
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    if c.get(&deep_path, false).await.is_err() {
                        break;
                    }
                }
            })
        };
        let mut seen = HashSet::new();
        let mut conn = Conn::new(peer.addr);
        for _ in 0..n {
            let r = conn.get(path, true).await?;
            seen.insert(shop::ids(&r.body.unwrap_or_default()));
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        let _ = deep.await;
        rows.push(StabilityRow {
            backend: backend.name.to_owned(),
            what: format!(
                "{what}, sequential, while another client reads page {} as written",
                cfg.page_50k()
            ),
            requests: n,
            distinct: seen.len(),
        });
    }
    Ok(rows)
}
