//! PostgreSQL for tests: a throwaway cluster per test binary (or the server named by
//! `FOLIO_TEST_PG_URL`), and a fresh database per test.

use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Connection as _, PgConnection, PgPool};

use crate::server::{
    chown, is_stale, log_tail, loud, make_server_dir, not_found, server_command, server_once,
    server_user, shared_database_name, spawn_reaper, with_database,
};

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
    if sqlx::raw_sql(sqlx::AssertSqlSafe(&*forced))
        .execute(&mut conn)
        .await
        .is_err()
    {
        // Before PostgreSQL 13: end the sessions, then drop.
        sqlx::query(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = $1 AND pid <> pg_backend_pid()",
        )
        .bind(name)
        .execute(&mut conn)
        .await?;
        sqlx::raw_sql(sqlx::AssertSqlSafe(&*format!(
            "DROP DATABASE IF EXISTS \"{name}\""
        )))
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
    let server = server_once(&SERVER, find_server).await?;
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let name = match server {
        Server::External { .. } => shared_database_name(n),
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

fn find_server() -> Option<Server> {
    if let Some(url) = std::env::var(URL_VAR).ok().filter(|u| !u.is_empty()) {
        crate::block_on(|| sweep_stale(&url));
        return Some(Server::External { admin_url: url });
    }
    let Some(bindir) = find_bindir() else {
        not_found(
            "PostgreSQL",
            URL_VAR,
            "postgresql",
            "FOLIO_REQUIRE_PG",
            &format!(
                "install postgresql (initdb and postgres on PATH via pg_config, or in \
                 /usr/lib/postgresql/*/bin, or set FOLIO_TEST_PG_BINDIR) or set {URL_VAR}."
            ),
        );
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
    let names: Vec<String> = sqlx::query_scalar("SELECT datname::TEXT FROM pg_database")
        .fetch_all(&mut conn)
        .await
        .unwrap_or_default();
    let _ = conn.close().await;
    for name in names.iter().filter(|n| is_stale(n)) {
        let _ = drop_database(admin_url, name).await;
    }
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

/// Starts the cluster of this process; returns its socket directory.
fn start_cluster(bindir: &Path) -> Result<PathBuf, String> {
    let cluster = init_cluster(bindir)?;
    let server = run_postgres(bindir, &cluster, &[])?;
    // SIGQUIT: an immediate shutdown, what `pg_ctl stop -m immediate` sends (`pg_ctl`
    // itself refuses to run as root).
    spawn_reaper("folio-pg-reaper", server.id(), &cluster.dir, "QUIT", 100)?;
    Ok(cluster.dir)
}

/// A cluster directory made by `initdb`: its data, its log, the user it runs as.
#[derive(Debug)]
struct ClusterDir {
    dir: PathBuf,
    data: PathBuf,
    log_path: PathBuf,
    user: Option<crate::server::ServerUser>,
}

/// Makes a cluster directory with `initdb` (trust auth, user `postgres`).
fn init_cluster(bindir: &Path) -> Result<ClusterDir, String> {
    let user = server_user(&["postgres", "nobody"])?;
    let dir = make_server_dir("pg", user.as_ref())?;
    let data = dir.join("data");
    let log_path = dir.join("postgres.log");
    let log =
        std::fs::File::create(&log_path).map_err(|e| format!("{}: {e}", log_path.display()))?;
    chown(&log_path, user.as_ref())?;
    let status = server_command(&bindir.join("initdb"), &dir, user.as_ref())
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
        .stderr(log)
        .status()
        .map_err(|e| format!("cannot run initdb: {e}"))?;
    if !status.success() {
        let tail = log_tail(&log_path);
        let _ = std::fs::remove_dir_all(&dir);
        return Err(format!("initdb failed ({status}):\n{tail}"));
    }
    Ok(ClusterDir {
        dir,
        data,
        log_path,
        user,
    })
}

/// Starts `postgres` on `cluster` (its socket in the cluster directory, no TCP),
/// with the settings `extra` beyond the common ones, and waits until it accepts
/// connections.
fn run_postgres(
    bindir: &Path,
    cluster: &ClusterDir,
    extra: &[&str],
) -> Result<std::process::Child, String> {
    let log = std::fs::OpenOptions::new()
        .append(true)
        .open(&cluster.log_path)
        .map_err(|e| format!("{}: {e}", cluster.log_path.display()))?;
    let log_tail = || log_tail(&cluster.log_path);
    let pidfile = cluster.data.join("postmaster.pid");
    let _ = std::fs::remove_file(&pidfile);
    let mut server = server_command(
        &bindir.join("postgres"),
        &cluster.dir,
        cluster.user.as_ref(),
    )
    .arg("-D")
    .arg(&cluster.data)
    .arg("-k")
    .arg(&cluster.dir)
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
    .args(extra)
    .stdout(log.try_clone().map_err(|e| e.to_string())?)
    .stderr(log)
    // Its own process group: a Ctrl-C to the test run does not reach it; the
    // reaper stops it.
    .process_group(0)
    .spawn()
    .map_err(|e| format!("cannot start postgres: {e}"))?;

    // Ready when postmaster.pid says so (PostgreSQL 10+ writes a status line).
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(Some(status)) = server.try_wait() {
            return Err(format!("postgres exited ({status}):\n{}", log_tail()));
        }
        let pids = std::fs::read_to_string(&pidfile).unwrap_or_default();
        if pids.lines().any(|l| l.trim() == "ready") {
            return Ok(server);
        }
        if Instant::now() > deadline {
            let _ = server.kill();
            return Err(format!("postgres not ready after 60 s:\n{}", log_tail()));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A PostgreSQL cluster of its own that a test stops and starts again (to see
/// what a server does while its database is down). Started from the installed
/// binaries even when `FOLIO_TEST_PG_URL` names a server: that one is shared and
/// never stopped. Removed when dropped.
///
/// ```no_run
/// let Some(mut cluster) = folio_testing::PgCluster::start() else { return };
/// let url = cluster.url();
/// cluster.stop();
/// cluster.restart();
/// # drop(url);
/// ```
#[derive(Debug)]
pub struct PgCluster {
    bindir: PathBuf,
    cluster: ClusterDir,
    server: Option<std::process::Child>,
    /// The settings it starts with beyond every cluster's (a standby's).
    extra: &'static [&'static str],
}

impl PgCluster {
    /// Makes and starts a cluster; `None`, after a loud skip message, when the
    /// PostgreSQL binaries are missing (a failure under `CI` / `FOLIO_REQUIRE_PG`).
    pub fn start() -> Option<PgCluster> {
        let Some(bindir) = find_bindir() else {
            not_found(
                "PostgreSQL server binaries",
                "FOLIO_TEST_PG_BINDIR",
                "postgresql",
                "FOLIO_REQUIRE_PG",
                "install postgresql: a test that stops its database needs a cluster of its own",
            );
            return None;
        };
        let cluster = init_cluster(&bindir).unwrap_or_else(|e| panic!("folio-testing: {e}"));
        let server =
            run_postgres(&bindir, &cluster, &[]).unwrap_or_else(|e| panic!("folio-testing: {e}"));
        spawn_reaper("folio-pg-reaper", server.id(), &cluster.dir, "QUIT", 100)
            .unwrap_or_else(|e| panic!("folio-testing: {e}"));
        Some(PgCluster {
            bindir,
            cluster,
            server: Some(server),
            extra: &[],
        })
    }

    /// The URL of its `postgres` database.
    pub fn url(&self) -> String {
        local_url(&self.cluster.dir, "postgres")
    }

    /// Makes and starts a hot standby of this cluster on the same machine: a base
    /// backup streamed from it (`pg_basebackup -R -X stream`, which writes the
    /// `primary_conninfo` and `standby.signal` of a streaming replica), started
    /// with `hot_standby = on` on a socket of its own, answering reads once it
    /// has replayed to a consistent state. The standby is a [`PgCluster`] too: a
    /// test stops and starts it ([`PgCluster::stop`], [`PgCluster::restart`]),
    /// and it streams again from the primary when both run. As root, the backup
    /// and the server run as the cluster's user.
    ///
    /// # Panics
    /// When this cluster is stopped, or the backup or the standby fails.
    ///
    /// ```no_run
    /// # async fn f() {
    /// let Some(primary) = folio_testing::PgCluster::start() else { return };
    /// let standby = primary.start_standby();
    /// // … write on primary.url() …
    /// primary.caught_up(&standby).await;
    /// // … what was written reads the same on standby.url() …
    /// # }
    /// ```
    pub fn start_standby(&self) -> PgCluster {
        assert!(
            self.server.is_some(),
            "folio-testing: a stopped cluster has no standby"
        );
        let user = self.cluster.user.clone();
        let dir =
            make_server_dir("pg", user.as_ref()).unwrap_or_else(|e| panic!("folio-testing: {e}"));
        let data = dir.join("data");
        let log_path = dir.join("postgres.log");
        let log = std::fs::File::create(&log_path)
            .unwrap_or_else(|e| panic!("folio-testing: {}: {e}", log_path.display()));
        chown(&log_path, user.as_ref()).unwrap_or_else(|e| panic!("folio-testing: {e}"));
        let status = server_command(&self.bindir.join("pg_basebackup"), &dir, user.as_ref())
            .arg("-h")
            .arg(&self.cluster.dir)
            .args(["-p", &PORT.to_string(), "-U", "postgres", "-D"])
            .arg(&data)
            .args(["-R", "-X", "stream", "-c", "fast", "--no-sync"])
            .stdout(log.try_clone().expect("folio-testing: a log file handle"))
            .stderr(log)
            .status()
            .unwrap_or_else(|e| panic!("folio-testing: cannot run pg_basebackup: {e}"));
        if !status.success() {
            let tail = log_tail(&log_path);
            let _ = std::fs::remove_dir_all(&dir);
            panic!("folio-testing: pg_basebackup failed ({status}):\n{tail}");
        }
        let cluster = ClusterDir {
            dir,
            data,
            log_path,
            user,
        };
        let server = run_postgres(&self.bindir, &cluster, &["-c", "hot_standby=on"])
            .unwrap_or_else(|e| panic!("folio-testing: {e}"));
        spawn_reaper("folio-pg-reaper", server.id(), &cluster.dir, "QUIT", 100)
            .unwrap_or_else(|e| panic!("folio-testing: {e}"));
        PgCluster {
            bindir: self.bindir.clone(),
            cluster,
            server: Some(server),
            extra: &["-c", "hot_standby=on"],
        }
    }

    /// Waits until `standby` has replayed everything this cluster had written
    /// when called (its `pg_last_wal_replay_lsn()` reaches this cluster's
    /// `pg_current_wal_lsn()`): what was committed here then reads the same there.
    ///
    /// # Panics
    /// When either cannot be reached, or the standby has not caught up after 30 s.
    pub async fn caught_up(&self, standby: &PgCluster) {
        let mut primary = PgConnection::connect(&self.url())
            .await
            .unwrap_or_else(|e| panic!("folio-testing: the primary: {e}"));
        let mut replica = PgConnection::connect(&standby.url())
            .await
            .unwrap_or_else(|e| panic!("folio-testing: the standby: {e}"));
        let (lsn,): (String,) = sqlx::query_as("SELECT pg_current_wal_insert_lsn()::TEXT")
            .fetch_one(&mut primary)
            .await
            .unwrap_or_else(|e| panic!("folio-testing: pg_current_wal_insert_lsn: {e}"));
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let (behind,): (bool,) = sqlx::query_as(
                "SELECT COALESCE(pg_last_wal_replay_lsn() < $1::TEXT::pg_lsn, TRUE)",
            )
            .bind(&lsn)
            .fetch_one(&mut replica)
            .await
            .unwrap_or_else(|e| panic!("folio-testing: pg_last_wal_replay_lsn: {e}"));
            if !behind {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "folio-testing: the standby has not replayed {lsn} after 30 s:\n{}",
                log_tail(&standby.cluster.log_path)
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let _ = primary.close().await;
        let _ = replica.close().await;
    }

    /// Stops the server at once (SIGQUIT: what `pg_ctl stop -m immediate` sends),
    /// and waits until it has exited: connections to it fail from now on.
    pub fn stop(&mut self) {
        if let Some(mut server) = self.server.take() {
            let _ = Command::new("kill")
                .args(["-QUIT", &server.id().to_string()])
                .status();
            let _ = server.wait();
        }
    }

    /// Starts the server again on the same data, and waits until it accepts
    /// connections.
    pub fn restart(&mut self) {
        self.stop();
        let server = run_postgres(&self.bindir, &self.cluster, self.extra)
            .unwrap_or_else(|e| panic!("folio-testing: {e}"));
        let _ = spawn_reaper(
            "folio-pg-reaper",
            server.id(),
            &self.cluster.dir,
            "QUIT",
            100,
        );
        self.server = Some(server);
    }
}

impl Drop for PgCluster {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.cluster.dir);
    }
}
