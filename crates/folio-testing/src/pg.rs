//! PostgreSQL for tests: a throwaway cluster per test binary (or the server named by
//! `FOLIO_TEST_PG_URL`), and a fresh database per test.

use std::io::Write as _;
use std::os::unix::fs::MetadataExt as _;
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Connection as _, PgConnection, PgPool};

/// The variable naming an existing server to create test databases on.
const URL_VAR: &str = "FOLIO_TEST_PG_URL";
/// Where the cluster's sockets live: a port only names the socket file.
const PORT: u16 = 5432;

/// Numbers the databases (and cluster directories) of this process.
static NEXT: AtomicU64 = AtomicU64::new(0);
/// The server of this process: found, and started if local, once. `None` when
/// PostgreSQL was not found (and not required).
static SERVER: OnceLock<Option<Server>> = OnceLock::new();

#[derive(Debug)]
enum Server {
    /// `FOLIO_TEST_PG_URL`: databases are created through this URL's connection.
    External { admin_url: String },
    /// The cluster this process started (kept until the process exits).
    Local { socket_dir: PathBuf },
}

impl Server {
    fn admin_url(&self) -> String {
        match self {
            Server::External { admin_url } => admin_url.clone(),
            Server::Local { socket_dir } => local_url(socket_dir, "postgres"),
        }
    }

    fn url_of(&self, database: &str) -> String {
        match self {
            Server::External { admin_url } => with_database(admin_url, database),
            Server::Local { socket_dir } => local_url(socket_dir, database),
        }
    }
}

fn local_url(socket_dir: &Path, database: &str) -> String {
    format!(
        "postgres://postgres@localhost:{PORT}/{database}?host={}",
        socket_dir.display()
    )
}

/// A fresh, empty database on a real PostgreSQL server, dropped (best effort,
/// `WITH (FORCE)`) when this value is dropped.
///
/// It holds no connection and no pool, so it does not belong to any runtime: keep
/// one in a static if the tests of a binary share a loaded database, and make a
/// pool per test with [`PgTestDb::pool`].
#[derive(Debug)]
pub struct PgTestDb {
    name: String,
    url: String,
    admin_url: String,
}

impl PgTestDb {
    /// The database's URL, which sqlx (`PgPool::connect`) and `psql` accept: on the
    /// local cluster `postgres://postgres@localhost:5432/folio_test_<n>?host=<socket dir>`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The database's name (`folio_test_…`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Connection options for the database, to adjust before connecting.
    ///
    /// # Panics
    /// Never for the URLs this crate builds; for a malformed `FOLIO_TEST_PG_URL`.
    pub fn connect_options(&self) -> PgConnectOptions {
        self.url
            .parse()
            .unwrap_or_else(|e| panic!("folio-testing: bad PostgreSQL URL {}: {e}", self.url))
    }

    /// A new pool (up to 5 connections) on the database, on the caller's runtime.
    ///
    /// ```no_run
    /// # async fn f() {
    /// let Some(db) = folio_testing::postgres().await else { return };
    /// let pool = db.pool().await;
    /// let one: i32 = sqlx::query_scalar("SELECT 1").fetch_one(&pool).await.unwrap();
    /// # }
    /// ```
    pub async fn pool(&self) -> PgPool {
        PgPoolOptions::new()
            .max_connections(5)
            .connect_with(self.connect_options())
            .await
            .unwrap_or_else(|e| panic!("folio-testing: cannot connect to {}: {e}", self.url))
    }
}

impl Drop for PgTestDb {
    fn drop(&mut self) {
        let admin_url = self.admin_url.clone();
        let name = self.name.clone();
        // Drop runs outside any runtime we could borrow: use a private one.
        let result = std::panic::catch_unwind(|| {
            crate::block_on(|| async move { drop_database(&admin_url, &name).await })
        });
        if !matches!(result, Ok(Ok(()))) && !std::thread::panicking() {
            loud(&format!(
                "folio-testing: could not drop test database {} ({result:?})",
                self.name
            ));
        }
    }
}

async fn drop_database(admin_url: &str, name: &str) -> Result<(), sqlx::Error> {
    let mut conn = PgConnection::connect(admin_url).await?;
    let forced = format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
    if sqlx::raw_sql(sqlx::AssertSqlSafe(&*forced)).execute(&mut conn).await.is_err() {
        // Before PostgreSQL 13: end the sessions, then drop.
        sqlx::query(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = $1 AND pid <> pg_backend_pid()",
        )
        .bind(name)
        .execute(&mut conn)
        .await?;
        sqlx::raw_sql(sqlx::AssertSqlSafe(&*format!("DROP DATABASE IF EXISTS \"{name}\"")))
            .execute(&mut conn)
            .await?;
    }
    conn.close().await
}

/// A fresh, empty database on a real PostgreSQL, or `None` when there is none to use.
///
/// - With `FOLIO_TEST_PG_URL` set (say `postgres://postgres:pw@127.0.0.1:5432/postgres`,
///   a role allowed to create databases), each call creates a uniquely named database
///   `folio_test_<host>_<pid>_<n>` on that server. At the first call of a process,
///   databases left by dead test processes of this host are dropped.
/// - Otherwise the first call of the process starts a throwaway cluster: binaries from
///   `FOLIO_TEST_PG_BINDIR`, `pg_config --bindir`, or the newest
///   `/usr/lib/postgresql/*/bin`; `initdb` (trust authentication, superuser
///   `postgres`) into `/tmp/folio-pg-<pid>-<n>`; `postgres` listening only on a unix
///   socket in that directory, with `fsync`, `synchronous_commit` and
///   `full_page_writes` off. As root, both run as the `postgres` system user (or
///   `nobody`). A detached reaper (`sh`) waits for this process to exit, however it
///   exits, then stops the cluster (SIGQUIT: an immediate shutdown) and removes the
///   directory. Each call then creates `folio_test_<n>` on the cluster.
/// - Without PostgreSQL binaries and without `FOLIO_TEST_PG_URL`, prints a loud
///   `=== SKIPPED ===` line to stderr (past the test harness's capture) and returns
///   `None`, unless `CI` or `FOLIO_REQUIRE_PG` is set to a non-empty value: then it
///   panics.
///
/// The database is dropped when the [`PgTestDb`] is.
///
/// # Panics
/// When a server exists but cannot be started or reached, or PostgreSQL is
/// required (see above) and missing.
///
/// ```no_run
/// # async fn f() {
/// let Some(db) = folio_testing::postgres().await else { return };
/// let pool = db.pool().await;
/// folio_testing::load_products(&pool, 1_000).await;
/// # }
/// ```
pub async fn postgres() -> Option<PgTestDb> {
    let server =
        match tokio::task::spawn_blocking(|| SERVER.get_or_init(find_server).as_ref()).await {
            Ok(server) => server?,
            Err(e) => std::panic::resume_unwind(e.into_panic()),
        };
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let name = match server {
        Server::External { .. } => format!("folio_test_{}_{}_{n}", host_tag(), std::process::id()),
        Server::Local { .. } => format!("folio_test_{n}"),
    };
    let admin_url = server.admin_url();
    let mut conn = PgConnection::connect(&admin_url)
        .await
        .unwrap_or_else(|e| panic!("folio-testing: cannot connect to {admin_url}: {e}"));
    sqlx::raw_sql(sqlx::AssertSqlSafe(&*format!("CREATE DATABASE \"{name}\"")))
        .execute(&mut conn)
        .await
        .unwrap_or_else(|e| panic!("folio-testing: cannot create database {name}: {e}"));
    let _ = conn.close().await;
    Some(PgTestDb {
        url: server.url_of(&name),
        name,
        admin_url,
    })
}

fn env_set(var: &str) -> bool {
    std::env::var_os(var).is_some_and(|v| !v.is_empty())
}

/// Writes to the process's stderr directly, past libtest's output capture.
fn loud(message: &str) {
    let _ = writeln!(std::io::stderr(), "{message}");
}

fn find_server() -> Option<Server> {
    if let Some(url) = std::env::var(URL_VAR).ok().filter(|u| !u.is_empty()) {
        crate::block_on(|| sweep_stale(&url));
        return Some(Server::External { admin_url: url });
    }
    let Some(bindir) = find_bindir() else {
        let message =
            "=== SKIPPED: PostgreSQL not found; set FOLIO_TEST_PG_URL or install postgresql ===";
        assert!(
            !(env_set("CI") || env_set("FOLIO_REQUIRE_PG")),
            "=== FAILED: PostgreSQL not found, and it is required here (CI or FOLIO_REQUIRE_PG is set) ===\n\
             install postgresql (initdb and postgres on PATH via pg_config, or in \
             /usr/lib/postgresql/*/bin, or set FOLIO_TEST_PG_BINDIR) or set {URL_VAR}."
        );
        loud(message);
        return None;
    };
    match start_cluster(&bindir) {
        Ok(socket_dir) => Some(Server::Local { socket_dir }),
        Err(e) => panic!(
            "folio-testing: cannot start a PostgreSQL cluster from {}: {e}",
            bindir.display()
        ),
    }
}

/// Drops the `folio_test_<host>_<pid>_<n>` databases of this host whose process is gone.
async fn sweep_stale(admin_url: &str) {
    let Ok(mut conn) = PgConnection::connect(admin_url).await else {
        return; // postgres() reports the connection error
    };
    let prefix = format!("folio_test_{}_", host_tag());
    let names: Vec<String> = sqlx::query_scalar("SELECT datname::TEXT FROM pg_database")
        .fetch_all(&mut conn)
        .await
        .unwrap_or_default();
    let _ = conn.close().await;
    for name in names {
        let Some(rest) = name.strip_prefix(&prefix) else {
            continue;
        };
        let Some(pid) = rest.split('_').next().and_then(|p| p.parse::<u32>().ok()) else {
            continue;
        };
        if pid != std::process::id() && !Path::new(&format!("/proc/{pid}")).exists() {
            let _ = drop_database(admin_url, &name).await;
        }
    }
}

/// A short tag of this host's name, so that test processes of several hosts sharing
/// a server never sweep each other's databases.
fn host_tag() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::fs::read_to_string("/etc/hostname"))
        .unwrap_or_default();
    // FNV-1a, 24 bits
    let mut h: u32 = 0x811c_9dc5;
    for b in host.trim().bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    format!("{:06x}", h & 0x00ff_ffff)
}

/// Replaces the database of a PostgreSQL URL (its path, and any `dbname` parameter).
fn with_database(url: &str, database: &str) -> String {
    let (head, query) = match url.split_once('?') {
        Some((h, q)) => (h, Some(q)),
        None => (url, None),
    };
    let authority_start = head.find("://").map_or(0, |i| i + 3);
    let authority_end = head[authority_start..]
        .find('/')
        .map_or(head.len(), |i| authority_start + i);
    let mut out = format!("{}/{database}", &head[..authority_end]);
    if let Some(query) = query {
        let kept: Vec<&str> = query
            .split('&')
            .filter(|p| !p.is_empty() && !p.starts_with("dbname="))
            .collect();
        if !kept.is_empty() {
            out.push('?');
            out.push_str(&kept.join("&"));
        }
    }
    out
}

fn has_server_binaries(dir: &Path) -> bool {
    dir.join("initdb").is_file() && dir.join("postgres").is_file()
}

fn find_bindir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("FOLIO_TEST_PG_BINDIR").filter(|d| !d.is_empty()) {
        let dir = PathBuf::from(dir);
        return has_server_binaries(&dir).then_some(dir);
    }
    if let Ok(out) = Command::new("pg_config").arg("--bindir").output() {
        if out.status.success() {
            let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
            if has_server_binaries(&dir) {
                return Some(dir);
            }
        }
    }
    // Debian and Ubuntu: /usr/lib/postgresql/<version>/bin, the newest first.
    let mut found: Vec<(Vec<u32>, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let version = entry
                .file_name()
                .to_str()?
                .split('.')
                .map(|p| p.parse::<u32>().ok())
                .collect::<Option<Vec<u32>>>()?;
            let bin = entry.path().join("bin");
            has_server_binaries(&bin).then_some((version, bin))
        })
        .collect();
    found.sort();
    found.pop().map(|(_, bin)| bin)
}

/// The uid and gid to run the server as: ours, unless we are root, who may not.
fn server_user() -> Result<Option<(u32, u32)>, String> {
    let euid = std::fs::metadata("/proc/self").map_or_else(
        |_| {
            Command::new("id")
                .arg("-u")
                .output()
                .ok()
                .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok())
                .unwrap_or(u32::MAX)
        },
        |m| m.uid(),
    );
    if euid != 0 {
        return Ok(None);
    }
    let passwd = std::fs::read_to_string("/etc/passwd").map_err(|e| format!("/etc/passwd: {e}"))?;
    for wanted in ["postgres", "nobody"] {
        for line in passwd.lines() {
            let fields: Vec<&str> = line.split(':').collect();
            if fields.len() > 3 && fields[0] == wanted {
                if let (Ok(uid), Ok(gid)) = (fields[2].parse(), fields[3].parse()) {
                    return Ok(Some((uid, gid)));
                }
            }
        }
    }
    Err(
        "running as root, and neither a `postgres` nor a `nobody` user exists to run the server"
            .into(),
    )
}

/// Starts the cluster of this process; returns its socket directory.
fn start_cluster(bindir: &Path) -> Result<PathBuf, String> {
    let user = server_user()?;
    // A short directory: a unix socket path must stay under about 100 bytes.
    let pid = std::process::id();
    let dir = (0..1000)
        .map(|n| PathBuf::from(format!("/tmp/folio-pg-{pid}-{n}")))
        .find(|d| std::fs::create_dir(d).is_ok())
        .ok_or("cannot create /tmp/folio-pg-<pid>-<n>")?;
    let data = dir.join("data");
    let log_path = dir.join("postgres.log");
    let log =
        std::fs::File::create(&log_path).map_err(|e| format!("{}: {e}", log_path.display()))?;
    if let Some((uid, gid)) = user {
        std::os::unix::fs::chown(&dir, Some(uid), Some(gid))
            .map_err(|e| format!("chown {}: {e}", dir.display()))?;
        std::os::unix::fs::chown(&log_path, Some(uid), Some(gid))
            .map_err(|e| format!("chown {}: {e}", log_path.display()))?;
    }
    let log_tail = || {
        std::fs::read_to_string(&log_path)
            .map(|s| {
                s.lines()
                    .rev()
                    .take(30)
                    .collect::<Vec<_>>()
                    .into_iter()
                    .rev()
                    .collect::<Vec<_>>()
                    .join("\n")
            })
            .unwrap_or_default()
    };
    let command = |program: &str| {
        let mut c = Command::new(bindir.join(program));
        c.current_dir(&dir).stdin(Stdio::null());
        if let Some((uid, gid)) = user {
            c.uid(uid).gid(gid);
        }
        c
    };

    let status = command("initdb")
        .arg("-D")
        .arg(&data)
        .args([
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        ])
        .stdout(log.try_clone().map_err(|e| e.to_string())?)
        .stderr(log.try_clone().map_err(|e| e.to_string())?)
        .status()
        .map_err(|e| format!("cannot run initdb: {e}"))?;
    if !status.success() {
        let tail = log_tail();
        let _ = std::fs::remove_dir_all(&dir);
        return Err(format!("initdb failed ({status}):\n{tail}"));
    }

    let mut server = command("postgres")
        .arg("-D")
        .arg(&data)
        .arg("-k")
        .arg(&dir)
        .args(["-p", &PORT.to_string()])
        .args(["-c", "listen_addresses="])
        .args([
            "-c",
            "fsync=off",
            "-c",
            "synchronous_commit=off",
            "-c",
            "full_page_writes=off",
        ])
        .args(["-c", "max_connections=200", "-F"])
        .stdout(log.try_clone().map_err(|e| e.to_string())?)
        .stderr(log)
        // Its own process group: a Ctrl-C to the test run does not reach it; the
        // reaper stops it.
        .process_group(0)
        .spawn()
        .map_err(|e| format!("cannot start postgres: {e}"))?;

    spawn_reaper(server.id(), &dir)?;

    // Ready when postmaster.pid says so (PostgreSQL 10+ writes a status line).
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(Some(status)) = server.try_wait() {
            return Err(format!("postgres exited ({status}):\n{}", log_tail()));
        }
        let pidfile = std::fs::read_to_string(data.join("postmaster.pid")).unwrap_or_default();
        if pidfile.lines().any(|l| l.trim() == "ready") {
            return Ok(dir);
        }
        if Instant::now() > deadline {
            return Err(format!("postgres not ready after 60 s:\n{}", log_tail()));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Starts a detached shell that waits for this process to end, then stops the
/// server with SIGQUIT (an immediate shutdown, what `pg_ctl stop -m immediate`
/// sends; `pg_ctl` itself refuses to run as root) and removes `dir`.
fn spawn_reaper(server_pid: u32, dir: &Path) -> Result<(), String> {
    const SCRIPT: &str = r#"
        while kill -0 "$1" 2>/dev/null; do sleep 0.2; done
        kill -QUIT "$2" 2>/dev/null
        i=0
        while kill -0 "$2" 2>/dev/null && [ "$i" -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
        kill -KILL "$2" 2>/dev/null
        rm -rf "$3"
    "#;
    Command::new("sh")
        .args(["-c", SCRIPT, "folio-pg-reaper"])
        .arg(std::process::id().to_string())
        .arg(server_pid.to_string())
        .arg(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .map(drop)
        .map_err(|e| format!("cannot start the reaper: {e}"))
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn with_database_replaces_path_and_dbname() {
        assert_eq!(
            with_database("postgres://u:p@h:5432/postgres?sslmode=disable", "t1"),
            "postgres://u:p@h:5432/t1?sslmode=disable"
        );
        assert_eq!(with_database("postgres://h", "t1"), "postgres://h/t1");
        assert_eq!(
            with_database("postgresql://h/x?dbname=y&host=/tmp", "t1"),
            "postgresql://h/t1?host=/tmp"
        );
    }

    #[test]
    fn host_tag_is_short_and_stable() {
        assert_eq!(super::host_tag().len(), 6);
        assert_eq!(super::host_tag(), super::host_tag());
    }
}
