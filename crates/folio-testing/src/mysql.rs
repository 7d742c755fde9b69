//! MariaDB (or MySQL) for tests: a throwaway server per test binary (or the server
//! named by `FOLIO_TEST_MYSQL_URL`), and a fresh database per test.

use std::ffi::OsString;
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::Child;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use sqlx::mysql::{MySqlConnectOptions, MySqlPoolOptions};
use sqlx::{Connection as _, MySqlConnection, MySqlPool};

use crate::server::{
    chown, is_stale, log_tail, loud, make_server_dir, not_found, server_command, server_once,
    server_user, shared_database_name, spawn_reaper, with_database,
};

/// The variable naming an existing server to create test databases on.
const URL_VAR: &str = "FOLIO_TEST_MYSQL_URL";
/// The variable naming the directory of the server binaries to use.
const BINDIR_VAR: &str = "FOLIO_TEST_MYSQL_BINDIR";
/// The character set and collation of every test database: the server's default
/// collation for `utf8mb4` on MariaDB, case-insensitive (`'abc' = 'ABC'`). Set
/// explicitly so that a `FOLIO_TEST_MYSQL_URL` server with other defaults (MySQL 8's
/// `utf8mb4_0900_ai_ci`, a `latin1` server) behaves the same.
const CHARSET: &str = "CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci";

/// Numbers the databases of this process.
static NEXT: AtomicU64 = AtomicU64::new(0);
/// The server of this process: found, and started if local, once. `None` when
/// MariaDB was not found (and not required).
static SERVER: OnceLock<Option<Server>> = OnceLock::new();

#[derive(Debug)]
enum Server {
    /// `FOLIO_TEST_MYSQL_URL`: databases are created through this URL's connection.
    External { admin_url: String },
    /// The server this process started (kept until the process exits).
    Local { socket: PathBuf },
}

impl Server {
    fn admin_url(&self) -> String {
        match self {
            Server::External { admin_url } => admin_url.clone(),
            Server::Local { socket } => local_url(socket, ""),
        }
    }

    fn url_of(&self, database: &str) -> String {
        match self {
            Server::External { admin_url } => with_database(admin_url, database),
            Server::Local { socket } => local_url(socket, database),
        }
    }
}

/// `root` (no password) over the server's unix socket; no database when `database`
/// is empty.
fn local_url(socket: &Path, database: &str) -> String {
    format!(
        "mysql://root@localhost/{database}?socket={}",
        socket.display()
    )
}

/// A fresh, empty database on a real MariaDB (or MySQL) server, dropped (best effort,
/// after ending its sessions) when this value is dropped. Its default character set
/// is `utf8mb4` and its collation `utf8mb4_general_ci`: text compares
/// case-insensitively.
///
/// It holds no connection and no pool, so it does not belong to any runtime: keep
/// one in a static if the tests of a binary share a loaded database, and make a
/// pool per test with [`MySqlTestDb::pool`].
#[derive(Debug)]
pub struct MySqlTestDb {
    name: String,
    url: String,
    admin_url: String,
}

impl MySqlTestDb {
    /// The database's URL, which sqlx (`MySqlPool::connect`) accepts: on the local
    /// server `mysql://root@localhost/folio_test_<n>?socket=/tmp/folio-my-<pid>-<n>/mysqld.sock`.
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
    /// Never for the URLs this crate builds; for a malformed `FOLIO_TEST_MYSQL_URL`.
    pub fn connect_options(&self) -> MySqlConnectOptions {
        self.url
            .parse()
            .unwrap_or_else(|e| panic!("folio-testing: bad MySQL URL {}: {e}", self.url))
    }

    /// A new pool (up to 5 connections) on the database, on the caller's runtime.
    ///
    /// ```no_run
    /// # async fn f() {
    /// let Some(db) = folio_testing::mysql().await else { return };
    /// let pool = db.pool().await;
    /// let one: i32 = sqlx::query_scalar("SELECT 1").fetch_one(&pool).await.unwrap();
    /// # }
    /// ```
    pub async fn pool(&self) -> MySqlPool {
        MySqlPoolOptions::new()
            .max_connections(5)
            .connect_with(self.connect_options())
            .await
            .unwrap_or_else(|e| panic!("folio-testing: cannot connect to {}: {e}", self.url))
    }
}

impl Drop for MySqlTestDb {
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

/// Ends the database's sessions (what PostgreSQL's `DROP DATABASE … WITH (FORCE)`
/// does: a session in a transaction would hold a metadata lock that `DROP DATABASE`
/// waits for), then drops it.
async fn drop_database(admin_url: &str, name: &str) -> Result<(), sqlx::Error> {
    let mut conn = MySqlConnection::connect(admin_url).await?;
    let sessions: Vec<i64> = sqlx::query_scalar(
        "SELECT CAST(ID AS SIGNED) FROM information_schema.PROCESSLIST \
         WHERE DB = ? AND ID <> CONNECTION_ID()",
    )
    .bind(name)
    .fetch_all(&mut conn)
    .await?;
    for id in sessions {
        // It may have ended meanwhile.
        let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(format!("KILL CONNECTION {id}")))
            .execute(&mut conn)
            .await;
    }
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE IF EXISTS `{name}`"
    )))
    .execute(&mut conn)
    .await?;
    conn.close().await
}

/// A fresh, empty database on a real MariaDB (or MySQL), or `None` when there is none
/// to use.
///
/// - With `FOLIO_TEST_MYSQL_URL` set (say `mysql://root@127.0.0.1:3306/test`, a user
///   allowed to create and drop databases), each call creates a uniquely named
///   database `folio_test_<host>_<pid>_<n>` on that server. At the first call of a
///   process, databases left by dead test processes of this host are dropped.
/// - Otherwise the first call of the process starts a throwaway server: binaries
///   (`mariadb-install-db` or `mysql_install_db`, and `mariadbd` or `mysqld`) from
///   `FOLIO_TEST_MYSQL_BINDIR`, else from `PATH`, `/usr/sbin` and `/usr/bin`;
///   `mariadb-install-db` (root without a password, no `test` database) into
///   `/tmp/folio-my-<pid>-<n>/data`; `mariadbd` listening only on a unix socket in
///   that directory, with durability off (`innodb_flush_log_at_trx_commit=0`, no
///   doublewrite buffer, no binary log) and `utf8mb4_general_ci` as the server's
///   collation. As root, both run as the `mysql` system user (or `nobody`). A detached
///   reaper (`sh`) waits for this process to exit, however it exits, then stops the
///   server (SIGTERM, SIGKILL after 5 s) and removes the directory. Each call then
///   creates `folio_test_<n>` on the server.
/// - Without MariaDB binaries and without `FOLIO_TEST_MYSQL_URL`, prints a loud
///   `=== SKIPPED ===` line to stderr (past the test harness's capture) and returns
///   `None`, unless `CI` or `FOLIO_REQUIRE_MYSQL` is set to a non-empty value: then it
///   panics.
///
/// Every database is created with `CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci`
/// (case-insensitive comparisons, whatever the server's defaults), and dropped when
/// the [`MySqlTestDb`] is.
///
/// # Panics
/// When a server exists but cannot be started or reached, or MariaDB is required
/// (see above) and missing.
///
/// ```no_run
/// # async fn f() {
/// let Some(db) = folio_testing::mysql().await else { return };
/// let pool = db.pool().await;
/// sqlx::query("CREATE TABLE t (name VARCHAR(50))").execute(&pool).await.unwrap();
/// # }
/// ```
pub async fn mysql() -> Option<MySqlTestDb> {
    let server = server_once(&SERVER, find_server).await?;
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let name = match server {
        Server::External { .. } => shared_database_name(n),
        Server::Local { .. } => format!("folio_test_{n}"),
    };
    let admin_url = server.admin_url();
    let mut conn = MySqlConnection::connect(&admin_url)
        .await
        .unwrap_or_else(|e| panic!("folio-testing: cannot connect to {admin_url}: {e}"));
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "CREATE DATABASE `{name}` {CHARSET}"
    )))
    .execute(&mut conn)
    .await
    .unwrap_or_else(|e| panic!("folio-testing: cannot create database {name}: {e}"));
    let _ = conn.close().await;
    Some(MySqlTestDb {
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
    let Some(binaries) = find_binaries() else {
        not_found(
            "MariaDB",
            URL_VAR,
            "mariadb-server",
            "FOLIO_REQUIRE_MYSQL",
            &format!(
                "install mariadb-server (mariadb-install-db and mariadbd on PATH, in /usr/sbin \
                 or /usr/bin, or set {BINDIR_VAR}) or set {URL_VAR}."
            ),
        );
        return None;
    };
    match start_server(&binaries) {
        Ok(socket) => Some(Server::Local { socket }),
        Err(e) => panic!(
            "folio-testing: cannot start a MariaDB server ({}, {}): {e}",
            binaries.install.display(),
            binaries.server.display()
        ),
    }
}

/// Drops the `folio_test_<host>_<pid>_<n>` databases of this host whose process is gone.
async fn sweep_stale(admin_url: &str) {
    let Ok(mut conn) = MySqlConnection::connect(admin_url).await else {
        return; // mysql() reports the connection error
    };
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT CONVERT(SCHEMA_NAME USING utf8mb4) FROM information_schema.SCHEMATA \
         WHERE SCHEMA_NAME LIKE 'folio\\_test\\_%'",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap_or_default();
    let _ = conn.close().await;
    for name in names.iter().filter(|n| is_stale(n)) {
        let _ = drop_database(admin_url, name).await;
    }
}

/// The programs that make a data directory and run the server.
struct Binaries {
    install: PathBuf,
    server: PathBuf,
}

/// `FOLIO_TEST_MYSQL_BINDIR` alone if set, else `PATH`, `/usr/sbin`, `/usr/bin`: the
/// first `mariadb-install-db` (else `mysql_install_db`) and `mariadbd` (else
/// `mysqld`).
fn find_binaries() -> Option<Binaries> {
    let dirs: Vec<PathBuf> = match std::env::var_os(BINDIR_VAR).filter(|d| !d.is_empty()) {
        Some(dir) => vec![PathBuf::from(dir)],
        None => std::env::var_os("PATH")
            .map(|path| std::env::split_paths(&path).collect::<Vec<_>>())
            .unwrap_or_default()
            .into_iter()
            .chain([PathBuf::from("/usr/sbin"), PathBuf::from("/usr/bin")])
            .collect(),
    };
    let find = |names: &[&str]| {
        names.iter().find_map(|name| {
            dirs.iter()
                .map(|dir| dir.join(name))
                .find(|path| path.is_file())
        })
    };
    Some(Binaries {
        install: find(&["mariadb-install-db", "mysql_install_db"])?,
        server: find(&["mariadbd", "mysqld"])?,
    })
}

/// `<name><path>`, for the `--option=path` arguments.
fn path_arg(name: &str, path: &Path) -> OsString {
    let mut arg = OsString::from(name);
    arg.push(path);
    arg
}

/// Starts the server of this process; returns its socket.
fn start_server(binaries: &Binaries) -> Result<PathBuf, String> {
    let user = server_user(&["mysql", "nobody"])?;
    let dir = make_server_dir("my", user.as_ref())?;
    let data = dir.join("data");
    let socket = dir.join("mysqld.sock");
    let log_path = dir.join("mariadb.log");
    // Appended to by the install's output, then by the server's own error log.
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&log_path)
        .map_err(|e| format!("{}: {e}", log_path.display()))?;
    chown(&log_path, user.as_ref())?;
    let log_handle = || log.try_clone().map_err(|e| e.to_string());
    let failed = |what: String| {
        let tail = log_tail(&log_path);
        let _ = std::fs::remove_dir_all(&dir);
        Err(format!("{what}:\n{tail}"))
    };

    let mut install = server_command(&binaries.install, &dir, user.as_ref());
    // The server binary the install script bootstraps with: the one started below.
    install.env("MYSQLD_BOOTSTRAP", &binaries.server);
    // --no-defaults first: no my.cnf of the host applies.
    install
        .arg("--no-defaults")
        .arg(path_arg("--datadir=", &data));
    if let Some(user) = &user {
        install.arg(format!("--user={}", user.name));
    }
    let status = install
        .args([
            // root@localhost without a password (not unix_socket authentication)
            "--auth-root-authentication-method=normal",
            "--skip-test-db",
            "--skip-name-resolve",
            // no resolveip check of the host name (it fails in some containers)
            "--force",
        ])
        .stdout(log_handle()?)
        .stderr(log_handle()?)
        .status()
        .map_err(|e| format!("cannot run {}: {e}", binaries.install.display()))?;
    if !status.success() {
        return failed(format!("{} failed ({status})", binaries.install.display()));
    }

    let mut server = server_command(&binaries.server, &dir, user.as_ref())
        .arg("--no-defaults")
        .arg(path_arg("--datadir=", &data))
        .arg(path_arg("--socket=", &socket))
        .arg("--skip-networking")
        .args([
            "--innodb-flush-log-at-trx-commit=0",
            "--innodb-doublewrite=0",
            "--skip-log-bin",
            "--innodb-buffer-pool-size=256M",
            "--max-connections=300",
            "--skip-name-resolve",
            "--character-set-server=utf8mb4",
            "--collation-server=utf8mb4_general_ci",
        ])
        .arg(path_arg("--pid-file=", &dir.join("mariadb.pid")))
        .arg(path_arg("--log-error=", &log_path))
        .stdout(log_handle()?)
        .stderr(log_handle()?)
        // Its own process group: a Ctrl-C to the test run does not reach it; the
        // reaper stops it.
        .process_group(0)
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", binaries.server.display()))?;

    // SIGTERM: a normal shutdown (about a second and a half on an idle server).
    spawn_reaper("folio-my-reaper", server.id(), &dir, "TERM", 50)?;

    match crate::block_on(|| wait_ready(&mut server, &socket)) {
        Ok(()) => Ok(socket),
        Err(e) => Err(format!("{e}:\n{}", log_tail(&log_path))),
    }
}

/// Waits (60 s at most) until the server accepts a connection on `socket`.
async fn wait_ready(server: &mut Child, socket: &Path) -> Result<(), String> {
    let options = MySqlConnectOptions::new().username("root").socket(socket);
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut last_error = String::from("no socket yet");
    loop {
        if let Ok(Some(status)) = server.try_wait() {
            return Err(format!("the server exited ({status})"));
        }
        if socket.exists() {
            match MySqlConnection::connect_with(&options).await {
                Ok(conn) => {
                    let _ = conn.close().await;
                    return Ok(());
                }
                Err(e) => last_error = e.to_string(),
            }
        }
        if Instant::now() > deadline {
            return Err(format!("the server is not ready after 60 s ({last_error})"));
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
