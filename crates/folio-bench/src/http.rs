//! The load generator: HTTP/1.1 over keep-alive connections (hyper), like `wrk`,
//! with every latency kept so that percentiles are exact.
//!
//! A connection the server closes (gunicorn's sync workers close after each
//! response) is reopened for the next request, and the reconnect is part of that
//! request's latency, as it is for `wrk`.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use http_body_util::{BodyExt as _, Empty};
use hyper::body::Bytes;
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

use crate::stats::Summary;
use crate::BoxError;

/// One request may take at most this long.
pub(crate) const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// A response, read to its end.
#[derive(Debug, Clone)]
pub(crate) struct Resp {
    /// The status code.
    pub(crate) status: u16,
    /// The body's size in bytes.
    pub(crate) bytes: u64,
    /// The body, when asked for.
    pub(crate) body: Option<Vec<u8>>,
    /// The `db;dur=` of `Server-Timing`, in milliseconds.
    pub(crate) db_ms: Option<f64>,
    /// `X-Statement-Count`.
    pub(crate) statements: Option<u32>,
    /// Newlines in the body (NDJSON lines).
    pub(crate) lines: u64,
}

/// A keep-alive HTTP/1.1 connection to one server, reopened when the server closes it.
pub(crate) struct Conn {
    addr: SocketAddr,
    host: String,
    sender: Option<SendRequest<Empty<Bytes>>>,
}

impl Conn {
    /// A connection to `addr` (opened at the first request).
    pub(crate) fn new(addr: SocketAddr) -> Conn {
        Conn {
            addr,
            host: addr.to_string(),
            sender: None,
        }
    }

    async fn sender(&mut self) -> Result<&mut SendRequest<Empty<Bytes>>, BoxError> {
        let usable = match &mut self.sender {
            Some(s) => !s.is_closed() && s.ready().await.is_ok(),
            None => false,
        };
        if !usable {
            let stream = TcpStream::connect(self.addr).await?;
            stream.set_nodelay(true)?;
            let (sender, conn) =
                hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
            tokio::spawn(async move {
                let _ = conn.await;
            });
            self.sender = Some(sender);
        }
        Ok(self.sender.as_mut().expect("set above"))
    }

    /// GETs `path` (with its query) and reads the whole body.
    pub(crate) async fn get(&mut self, path: &str, keep_body: bool) -> Result<Resp, BoxError> {
        if let Ok(r) = tokio::time::timeout(REQUEST_TIMEOUT, self.get_inner(path, keep_body)).await
        {
            r
        } else {
            self.sender = None;
            Err(format!("GET {path}: no response within {REQUEST_TIMEOUT:?}").into())
        }
    }

    async fn get_inner(&mut self, path: &str, keep_body: bool) -> Result<Resp, BoxError> {
        let host = self.host.clone();
        let request = http::Request::get(path)
            .header(http::header::HOST, host)
            .body(Empty::<Bytes>::new())?;
        let sender = self.sender().await?;
        let response = match sender.send_request(request).await {
            Ok(r) => r,
            Err(e) => {
                self.sender = None;
                return Err(format!("GET {path}: {e}").into());
            }
        };
        let status = response.status().as_u16();
        let headers = response.headers();
        let db_ms = headers
            .get("server-timing")
            .and_then(|v| v.to_str().ok())
            .and_then(parse_db_dur);
        let statements = headers
            .get("x-statement-count")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse().ok());
        let close = headers
            .get(http::header::CONNECTION)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.eq_ignore_ascii_case("close"));
        let mut body = response.into_body();
        let mut bytes = 0u64;
        let mut lines = 0u64;
        let mut kept = keep_body.then(Vec::new);
        while let Some(frame) = body.frame().await {
            let frame = frame?;
            if let Ok(data) = frame.into_data() {
                bytes += data.len() as u64;
                #[allow(clippy::naive_bytecount)] // not worth a dependency here
                let newlines = data.iter().filter(|&&b| b == b'\n').count();
                lines += newlines as u64;
                if let Some(k) = kept.as_mut() {
                    k.extend_from_slice(&data);
                }
            }
        }
        if close {
            self.sender = None;
        }
        Ok(Resp {
            status,
            bytes,
            body: kept,
            db_ms,
            statements,
            lines,
        })
    }
}

/// `db;dur=1.23` out of a `Server-Timing` value.
fn parse_db_dur(value: &str) -> Option<f64> {
    value.split(',').find_map(|metric| {
        let mut parts = metric.trim().split(';');
        if parts.next()?.trim() != "db" {
            return None;
        }
        parts.find_map(|p| p.trim().strip_prefix("dur=")?.parse().ok())
    })
}

/// The outcome of sequential requests to one URL.
#[derive(Debug, Clone)]
pub(crate) struct Sequential {
    /// Latencies (ms) of the measured requests.
    pub(crate) latency: Summary,
    /// `db;dur` (ms) p50 over the measured requests, when the server reports it.
    pub(crate) db_p50_ms: Option<f64>,
    /// The first response's body.
    pub(crate) first_body: Vec<u8>,
}

/// `warmup` unmeasured requests, then up to `samples` measured ones, one at a time,
/// stopping early (after at least `min_samples`) once `budget` has been spent.
pub(crate) async fn sequential(
    conn: &mut Conn,
    path: &str,
    warmup: usize,
    samples: usize,
    min_samples: usize,
    budget: Duration,
) -> Result<Sequential, BoxError> {
    let mut first_body = Vec::new();
    for i in 0..warmup.max(1) {
        let r = conn.get(path, i == 0).await?;
        if r.status != 200 {
            let body = String::from_utf8_lossy(r.body.as_deref().unwrap_or_default()).into_owned();
            return Err(format!("GET {path}: status {} {body}", r.status).into());
        }
        if i == 0 {
            first_body = r.body.unwrap_or_default();
        }
    }
    let start = Instant::now();
    let mut lat = Vec::with_capacity(samples);
    let mut db = Vec::with_capacity(samples);
    while lat.len() < samples && (lat.len() < min_samples || start.elapsed() < budget) {
        let t = Instant::now();
        let r = conn.get(path, false).await?;
        let ms = t.elapsed().as_secs_f64() * 1e3;
        if r.status != 200 {
            return Err(format!("GET {path}: status {}", r.status).into());
        }
        lat.push(ms);
        if let Some(d) = r.db_ms.filter(|d| *d > 0.0) {
            db.push(d);
        }
    }
    Ok(Sequential {
        latency: Summary::of(&mut lat),
        db_p50_ms: (!db.is_empty()).then(|| Summary::of(&mut db).p50),
        first_body,
    })
}

/// The outcome of a load run.
#[derive(Debug, Clone)]
pub(crate) struct Load {
    /// Completed requests with status 200.
    pub(crate) ok: u64,
    /// Requests that failed or answered another status.
    pub(crate) errors: u64,
    /// Requests per second (successful ones, over the measured time).
    pub(crate) rps: f64,
    /// Latencies (ms) of the successful requests.
    pub(crate) latency: Summary,
    /// The mean of `X-Statement-Count`, when the server sends it.
    pub(crate) statements: Option<f64>,
    /// The first error, if any.
    pub(crate) first_error: Option<String>,
}

/// `concurrency` connections, each sending the `paths` round-robin (shared counter)
/// one request at a time, for `duration`; at most `max_requests` in all.
pub(crate) async fn load(
    addr: SocketAddr,
    paths: Arc<Vec<String>>,
    concurrency: usize,
    duration: Duration,
    max_requests: usize,
) -> Load {
    let next = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let deadline = start + duration;
    let mut tasks = Vec::with_capacity(concurrency);
    for _ in 0..concurrency {
        let paths = Arc::clone(&paths);
        let next = Arc::clone(&next);
        tasks.push(tokio::spawn(async move {
            let mut conn = Conn::new(addr);
            let mut lat = Vec::new();
            let mut statements = (0u64, 0u64);
            let mut errors = 0u64;
            let mut first_error = None;
            loop {
                if Instant::now() >= deadline {
                    break;
                }
                let n = next.fetch_add(1, Ordering::Relaxed);
                if n >= max_requests {
                    break;
                }
                let path = &paths[n % paths.len()];
                let t = Instant::now();
                match conn.get(path, false).await {
                    Ok(r) if r.status == 200 => {
                        lat.push(t.elapsed().as_secs_f64() * 1e3);
                        if let Some(s) = r.statements {
                            statements.0 += u64::from(s);
                            statements.1 += 1;
                        }
                    }
                    Ok(r) => {
                        errors += 1;
                        first_error
                            .get_or_insert_with(|| format!("GET {path}: status {}", r.status));
                    }
                    Err(e) => {
                        errors += 1;
                        first_error.get_or_insert_with(|| e.to_string());
                        // do not spin on a dead server
                        tokio::time::sleep(Duration::from_millis(10)).await;
                    }
                }
            }
            (lat, statements, errors, first_error)
        }));
    }
    let mut all = Vec::new();
    let mut statements = (0u64, 0u64);
    let mut errors = 0;
    let mut first_error = None;
    for task in tasks {
        match task.await {
            Ok((lat, s, e, fe)) => {
                all.extend(lat);
                statements.0 += s.0;
                statements.1 += s.1;
                errors += e;
                if first_error.is_none() {
                    first_error = fe;
                }
            }
            Err(e) => {
                errors += 1;
                first_error.get_or_insert_with(|| e.to_string());
            }
        }
    }
    let seconds = start.elapsed().as_secs_f64();
    let ok = all.len() as u64;
    Load {
        ok,
        errors,
        rps: ok as f64 / seconds,
        latency: Summary::of(&mut all),
        statements: (statements.1 > 0).then(|| statements.0 as f64 / statements.1 as f64),
        first_error,
    }
}

#[cfg(test)]
mod tests {
    use super::parse_db_dur;

    #[test]
    fn server_timing() {
        assert_eq!(parse_db_dur("db;dur=1.5, total;dur=2"), Some(1.5));
        assert_eq!(
            parse_db_dur("total;dur=2, db;desc=\"x\";dur=0.25"),
            Some(0.25)
        );
        assert_eq!(parse_db_dur("total;dur=2"), None);
    }
}
