//! Processes the benchmark starts: each in its own process group, stopped (the
//! whole group) when its guard is dropped, and their memory read from `/proc`.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::unix::process::CommandExt as _;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::BoxError;

/// A child process (and its process group), stopped when dropped: SIGTERM to the
/// group, then SIGKILL if it has not exited within five seconds.
#[derive(Debug)]
pub(crate) struct Proc {
    name: String,
    child: Child,
}

impl Proc {
    /// Starts `cmd` in a new process group, its output appended to `log`.
    pub(crate) fn spawn(name: &str, mut cmd: Command, log: &Path) -> Result<Proc, BoxError> {
        let out = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)?;
        let err = out.try_clone()?;
        cmd.stdin(Stdio::null())
            .stdout(Stdio::from(out))
            .stderr(Stdio::from(err))
            .process_group(0);
        let child = cmd
            .spawn()
            .map_err(|e| format!("cannot start {name} ({cmd:?}): {e}"))?;
        Ok(Proc {
            name: name.to_owned(),
            child,
        })
    }

    /// The process id (also the process group id).
    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Waits until `addr` accepts TCP connections (and the process is still alive).
    pub(crate) fn wait_listening(
        &mut self,
        addr: SocketAddr,
        timeout: Duration,
        log: &Path,
    ) -> Result<(), BoxError> {
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait()? {
                return Err(format!(
                    "{} exited ({status}) before listening on {addr}; its log ({}):\n{}",
                    self.name,
                    log.display(),
                    tail(log, 40)
                )
                .into());
            }
            if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
                return Ok(());
            }
            if start.elapsed() > timeout {
                return Err(format!(
                    "{} did not listen on {addr} within {timeout:?}; its log:\n{}",
                    self.name,
                    tail(log, 40)
                )
                .into());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Stops the process group now (also done on drop).
    pub(crate) fn stop(&mut self) {
        if matches!(self.child.try_wait(), Ok(Some(_))) {
            return;
        }
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill")
            .args(["-TERM", "--", &group])
            .stderr(Stdio::null())
            .status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                // the group's other members (gunicorn workers) follow their master
                let _ = Command::new("kill")
                    .args(["-KILL", "--", &group])
                    .stderr(Stdio::null())
                    .status();
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = Command::new("kill")
            .args(["-KILL", "--", &group])
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The last `lines` lines of a log file.
pub(crate) fn tail(path: &Path, lines: usize) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// A free TCP port on 127.0.0.1.
pub(crate) fn free_port() -> Result<u16, BoxError> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    Ok(listener.local_addr()?.port())
}

/// A field of `/proc/<pid>/status` in KiB (`VmHWM`, `VmRSS`).
pub(crate) fn status_kib(pid: u32, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status.lines().find_map(|line| {
        let rest = line.strip_prefix(field)?.strip_prefix(':')?;
        rest.split_whitespace().next()?.parse().ok()
    })
}

/// Resets the process's peak RSS (`VmHWM`) to its current RSS (Linux: writing 5 to
/// `/proc/<pid>/clear_refs`). Returns whether it worked.
pub(crate) fn reset_peak(pid: u32) -> bool {
    std::fs::write(format!("/proc/{pid}/clear_refs"), "5").is_ok()
}

/// The peak RSS of a process and its descendants (gunicorn: master and workers),
/// summed, in KiB.
pub(crate) fn tree_peak_kib(pid: u32) -> u64 {
    let mut total = status_kib(pid, "VmHWM").unwrap_or(0);
    for child in children(pid) {
        total += tree_peak_kib(child);
    }
    total
}

fn children(pid: u32) -> Vec<u32> {
    let mut out = Vec::new();
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return out;
    };
    for task in tasks.flatten() {
        let path = task.path().join("children");
        if let Ok(text) = std::fs::read_to_string(path) {
            out.extend(
                text.split_whitespace()
                    .filter_map(|p| p.parse::<u32>().ok()),
            );
        }
    }
    out
}
