//! What the throwaway servers of [`crate::pg`] and [`crate::mysql`] share: the
//! environment switches, the loud messages, the names of databases on a shared
//! server, the directory, user and reaper of a local server.

use std::io::Write as _;
use std::os::unix::fs::MetadataExt as _;
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

/// Whether `var` is set to a non-empty value.
pub(crate) fn env_set(var: &str) -> bool {
    std::env::var_os(var).is_some_and(|v| !v.is_empty())
}

/// Writes to the process's stderr directly, past libtest's output capture.
pub(crate) fn loud(message: &str) {
    let _ = writeln!(std::io::stderr(), "{message}");
}

/// The server of this process, found (and started) by `find` at the first call, on a
/// blocking thread: the callers on other tests' runtimes wait for it.
pub(crate) async fn server_once<S: Send + Sync>(
    cell: &'static OnceLock<Option<S>>,
    find: fn() -> Option<S>,
) -> Option<&'static S> {
    match tokio::task::spawn_blocking(move || cell.get_or_init(find).as_ref()).await {
        Ok(server) => server,
        Err(e) => std::panic::resume_unwind(e.into_panic()),
    }
}

/// Reports that no server was found: prints
/// `=== SKIPPED: <product> not found; set <url_var> or install <package> ===` to
/// stderr, or panics when `CI` or `require_var` is set to a non-empty value (`how`
/// then says what to do).
pub(crate) fn not_found(product: &str, url_var: &str, package: &str, require_var: &str, how: &str) {
    assert!(
        !(env_set("CI") || env_set(require_var)),
        "=== FAILED: {product} not found, and it is required here (CI or {require_var} is set) ===\n\
         {how}"
    );
    loud(&format!(
        "=== SKIPPED: {product} not found; set {url_var} or install {package} ==="
    ));
}

/// The name of the `n`th database of this process on a shared server:
/// `folio_test_<host tag>_<pid>_<n>`.
pub(crate) fn shared_database_name(n: u64) -> String {
    format!("folio_test_{}_{}_{n}", host_tag(), std::process::id())
}

/// Whether `name` is a database of a test process of this host that is gone (see
/// [`shared_database_name`]).
pub(crate) fn is_stale(name: &str) -> bool {
    let prefix = format!("folio_test_{}_", host_tag());
    let Some(rest) = name.strip_prefix(&prefix) else {
        return false;
    };
    let Some(pid) = rest.split('_').next().and_then(|p| p.parse::<u32>().ok()) else {
        return false;
    };
    pid != std::process::id() && !Path::new(&format!("/proc/{pid}")).exists()
}

/// A short tag of this host's name, so that test processes of several hosts sharing
/// a server never sweep each other's databases.
pub(crate) fn host_tag() -> String {
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

/// Replaces the database of a URL (its path, and any `dbname` parameter).
pub(crate) fn with_database(url: &str, database: &str) -> String {
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

/// The system user a local server runs as.
#[derive(Debug, Clone)]
pub(crate) struct ServerUser {
    pub(crate) name: String,
    pub(crate) uid: u32,
    pub(crate) gid: u32,
}

/// The user to run the server as: `None` (ourselves) unless we are root, who may
/// not; then the first of `wanted` that exists.
pub(crate) fn server_user(wanted: &[&str]) -> Result<Option<ServerUser>, String> {
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
    for wanted in wanted {
        for line in passwd.lines() {
            let fields: Vec<&str> = line.split(':').collect();
            if fields.len() > 3 && fields[0] == *wanted {
                if let (Ok(uid), Ok(gid)) = (fields[2].parse(), fields[3].parse()) {
                    return Ok(Some(ServerUser {
                        name: (*wanted).to_owned(),
                        uid,
                        gid,
                    }));
                }
            }
        }
    }
    let names: Vec<String> = wanted.iter().map(|w| format!("a `{w}`")).collect();
    Err(format!(
        "running as root, and neither {} user exists to run the server",
        names.join(" nor ")
    ))
}

/// Creates this process's next `/tmp/folio-<kind>-<pid>-<n>` directory, owned by
/// `user`. A short path: a unix socket's must stay under about 100 bytes.
pub(crate) fn make_server_dir(kind: &str, user: Option<&ServerUser>) -> Result<PathBuf, String> {
    let pid = std::process::id();
    let dir = (0..1000)
        .map(|n| PathBuf::from(format!("/tmp/folio-{kind}-{pid}-{n}")))
        .find(|d| std::fs::create_dir(d).is_ok())
        .ok_or_else(|| format!("cannot create /tmp/folio-{kind}-<pid>-<n>"))?;
    chown(&dir, user)?;
    Ok(dir)
}

/// Gives `path` to `user` (nothing to do without one).
pub(crate) fn chown(path: &Path, user: Option<&ServerUser>) -> Result<(), String> {
    match user {
        Some(user) => std::os::unix::fs::chown(path, Some(user.uid), Some(user.gid))
            .map_err(|e| format!("chown {}: {e}", path.display())),
        None => Ok(()),
    }
}

/// The last 30 lines of a log file (empty if it cannot be read).
pub(crate) fn log_tail(path: &Path) -> String {
    std::fs::read_to_string(path)
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
}

/// A command running `program` in `dir`, stdin closed, as `user` if given.
pub(crate) fn server_command(program: &Path, dir: &Path, user: Option<&ServerUser>) -> Command {
    let mut c = Command::new(program);
    c.current_dir(dir).stdin(Stdio::null());
    if let Some(user) = user {
        c.uid(user.uid).gid(user.gid);
    }
    c
}

/// Starts a detached shell (named `name`) that waits for this process to end, however
/// it ends, then sends `signal` (`QUIT`, `TERM`…) to the server, sends it SIGKILL if
/// it still runs after `grace_tenths` tenths of a second, and removes `dir`.
pub(crate) fn spawn_reaper(
    name: &str,
    server_pid: u32,
    dir: &Path,
    signal: &str,
    grace_tenths: u32,
) -> Result<(), String> {
    const SCRIPT: &str = r#"
        while kill -0 "$1" 2>/dev/null; do sleep 0.2; done
        kill -"$4" "$2" 2>/dev/null
        i=0
        while kill -0 "$2" 2>/dev/null && [ "$i" -lt "$5" ]; do sleep 0.1; i=$((i + 1)); done
        kill -KILL "$2" 2>/dev/null
        rm -rf "$3"
    "#;
    Command::new("sh")
        .args(["-c", SCRIPT, name])
        .arg(std::process::id().to_string())
        .arg(server_pid.to_string())
        .arg(dir)
        .arg(signal)
        .arg(grace_tenths.to_string())
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
        assert_eq!(
            with_database("mysql://root@127.0.0.1:3306/test?ssl-mode=DISABLED", "t1"),
            "mysql://root@127.0.0.1:3306/t1?ssl-mode=DISABLED"
        );
    }

    #[test]
    fn host_tag_is_short_and_stable() {
        assert_eq!(super::host_tag().len(), 6);
        assert_eq!(super::host_tag(), super::host_tag());
    }

    #[test]
    fn only_dead_processes_databases_are_stale() {
        let tag = super::host_tag();
        let ours = super::shared_database_name(7);
        assert_eq!(ours, format!("folio_test_{tag}_{}_7", std::process::id()));
        assert!(!super::is_stale(&ours));
        // pid_max is at most 2^22: this pid never exists
        assert!(super::is_stale(&format!("folio_test_{tag}_99999999_0")));
        assert!(!super::is_stale("folio_test_000000_99999999_0") || tag == "000000");
        assert!(!super::is_stale(&format!("folio_test_{tag}_x_0")));
        assert!(!super::is_stale("shop"));
    }
}
