//! One GET as the go command makes it (`web.Get`), recorded as an [`Attempt`], with
//! optional retries; `file://` URLs are read from the file system as Go reads them.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use gomod_common::gourl;
use gomod_common::net::dial::NetError;
use gomod_common::net::http::{GetOptions, HttpClient, Response, status_code, status_error_text};
use gomod_common::record::fetch::Attempt;
use gomod_common::record::{Code, redact_url, untrusted};
use gomod_common::regular;
use gomod_common::versionlist::ListParser;

/// The most of an error body kept in a record.
const EXCERPT_BYTES: usize = 1024;

/// Why one operation failed at one endpoint.
#[derive(Clone, Debug)]
pub struct OpError {
    /// Stable code.
    pub code: Code,
    /// Go's text, without the module named in front of it (see `frame`).
    pub go_text: String,
    /// Go's `errors.Is(err, fs.ErrNotExist)`: 404, 410 and Go's internal not-found
    /// errors; these fall through a `,` list.
    pub not_found: bool,
    /// The raw error, when it says more.
    pub detail: Option<String>,
    /// How Go names the module in front of `go_text` (its `module.ModuleError`):
    /// `module M: ` for a failure listing versions, `M@V: ` for one about a version,
    /// `M@REV: invalid version: ` for a revision. None when the operation that failed
    /// wraps nothing itself; the caller then wraps as Go's caller does.
    pub frame: Option<String>,
    /// The go command would still be waiting here and print nothing (see
    /// `NetError::go_waits`): the record gets no `go_error`.
    pub go_waits: bool,
    /// The record's own words, when the failure knows better than its code (boxed:
    /// errors travel in every `Result` of the fetch).
    pub said: Option<Box<Said>>,
}

/// What a failure says about itself in the record.
#[derive(Clone, Debug, Default)]
pub struct Said {
    /// The message, when the first line of Go's text is not the telling one.
    pub message: Option<String>,
    /// What to do about it.
    pub hint: Option<String>,
}

impl OpError {
    /// A failure that is not "not found".
    pub fn new(code: Code, go_text: impl Into<String>) -> OpError {
        OpError {
            code,
            go_text: go_text.into(),
            not_found: false,
            detail: None,
            frame: None,
            go_waits: false,
            said: None,
        }
    }

    /// Names the module in front of the text as Go does, unless an inner operation
    /// already did (Go wraps a `ModuleError` only once).
    pub fn framed(mut self, frame: impl Into<String>) -> OpError {
        if self.frame.is_none() {
            self.frame = Some(frame.into());
        }
        self
    }

    /// Adds the raw error, when Go's words are only the nearest ones.
    pub fn with_detail(mut self, detail: impl Into<String>) -> OpError {
        self.detail = Some(detail.into());
        self
    }

    /// Go's whole text: the frame, then the error.
    pub fn framed_text(&self) -> String {
        format!("{}{}", self.frame.as_deref().unwrap_or(""), self.go_text)
    }

    /// A "not found" failure.
    pub fn not_found(code: Code, go_text: impl Into<String>) -> OpError {
        OpError {
            not_found: true,
            ..OpError::new(code, go_text)
        }
    }
}

/// What every request of one run shares.
pub struct Fetcher {
    /// The go command's HTTP client.
    pub client: HttpClient,
    /// Limit for the response headers, and the window of the body-rate rule
    /// (`gomod_common::net::bounds`).
    pub timeout: Duration,
    /// Retries after transient failures.
    pub retries: u32,
}

/// The attempts of one target, in the order made.
#[derive(Clone, Default)]
pub struct Log(Arc<Mutex<Vec<Attempt>>>);

impl Log {
    /// Appends an attempt and returns its index.
    pub fn push(&self, attempt: Attempt) -> usize {
        let mut attempts = self.0.lock().unwrap_or_else(|e| e.into_inner());
        attempts.push(attempt);
        attempts.len() - 1
    }

    /// Marks whether Go would move on after the attempt at `index`.
    pub fn set_falls_through(&self, index: usize, falls_through: bool) {
        let mut attempts = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(a) = attempts.get_mut(index) {
            a.falls_through = Some(falls_through);
        }
    }

    /// Every attempt so far.
    pub fn take(&self) -> Vec<Attempt> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// The index the next attempt will get.
    pub fn len(&self) -> usize {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).len()
    }
}

/// Where a body goes.
pub enum Sink<'a> {
    /// Into memory, failing beyond the limit (bytes, the text for the failure).
    Memory(usize, &'a str),
    /// Piece by piece into a version-list parser (nothing of the body is kept), failing
    /// beyond the limit.
    List(&'a mut ListParser, u64, &'a str),
    /// Into a file, failing beyond the limit.
    File(&'a mut std::fs::File, u64, &'a str),
}

/// What a successful GET produced.
pub struct Got {
    /// The body, for [`Sink::Memory`].
    pub body: Vec<u8>,
    /// Body bytes received.
    pub bytes: u64,
}

impl Fetcher {
    /// GETs `url` for `op` at `endpoint`, retrying transient failures, and records every
    /// attempt in `log`. Any status but 200 is an error worded as Go words it.
    pub async fn get(
        &self,
        log: &Log,
        op: &str,
        endpoint: &str,
        url: &gourl::Url,
        mut sink: Sink<'_>,
    ) -> Result<Got, (OpError, usize)> {
        let mut retry = 0;
        loop {
            let started = Instant::now();
            let mut attempt = Attempt {
                op: op.to_string(),
                endpoint: redact_url(endpoint),
                url: Some(redact_url(&url.to_string())),
                retry,
                ..Attempt::default()
            };
            let (result, retry_after) = if url.scheme == "file" {
                (self.get_file(url, &mut sink, &mut attempt), None)
            } else {
                self.get_http(url, &mut sink, &mut attempt).await
            };
            attempt.ms = started.elapsed().as_millis() as u64;
            if let Err(err) = &result {
                attempt.error = Some(err.code.as_str().to_string());
                attempt.message = Some(err.go_text.clone());
            }
            let transient = match &result {
                Err(err) => is_transient(err.code, attempt.status),
                Ok(_) => false,
            };
            let index = log.push(attempt);
            match result {
                Ok(got) => return Ok(got),
                Err(err) if !transient || retry >= self.retries => return Err((err, index)),
                Err(_) => {
                    // Start the body again from nothing.
                    match &mut sink {
                        Sink::File(file, _, _) => {
                            let _ = file.set_len(0);
                            let _ = std::io::Seek::rewind(*file);
                        }
                        Sink::List(parser, _, _) => parser.reset(),
                        Sink::Memory(..) => {}
                    }
                    tokio::time::sleep(backoff(retry, retry_after)).await;
                    retry += 1;
                }
            }
        }
    }

    async fn get_http(
        &self,
        url: &gourl::Url,
        sink: &mut Sink<'_>,
        attempt: &mut Attempt,
    ) -> (Result<Got, OpError>, Option<Duration>) {
        let opts = GetOptions {
            insecure_tls: false,
            timeout: self.timeout,
            accept: None,
        };
        let mut response = match self.client.get(url, opts).await {
            Ok(r) => r,
            Err(err) => {
                record_hops(attempt, &err.hops);
                attempt.auth = Some((&err.auth).into());
                let mut e = OpError::new(err.net.code, err.go_text.clone());
                e.detail = err.net.detail.clone();
                e.go_waits = err.net.go_waits;
                return (Err(e), None);
            }
        };
        record_hops(attempt, &response.hops);
        attempt.auth = Some((&response.auth).into());
        attempt.status = Some(response.status);
        attempt.proto = Some(response.proto.as_str().to_string());
        if response.status != 200 {
            return self.status_error(url, response, attempt).await;
        }
        let announced = response
            .headers
            .get(http::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        // A body announced beyond the limit fails now, as it would after reading that
        // far; nothing is gained by reading it.
        let too_big = match sink {
            Sink::Memory(limit, text) => announced
                .filter(|n| *n > *limit as u64)
                .map(|_| OpError::new(Code::LimitExceeded, *text)),
            Sink::List(_, limit, text) => announced
                .filter(|n| n > limit)
                .map(|_| OpError::new(Code::LimitExceeded, *text)),
            Sink::File(_, limit, text) => announced
                .filter(|n| n > limit)
                .map(|_| OpError::new(Code::ZipInvalid, *text)),
        };
        if let Some(err) = too_big {
            return (Err(err), None);
        }
        let mut got = Got {
            body: Vec::new(),
            bytes: 0,
        };
        loop {
            let chunk = match response.chunk().await {
                Ok(Some(chunk)) => chunk,
                Ok(None) => break,
                Err(err) => {
                    attempt.bytes = got.bytes;
                    return (Err(net_op_error(err)), None);
                }
            };
            got.bytes += chunk.len() as u64;
            let written = match sink {
                Sink::Memory(limit, text) => {
                    if got.bytes > *limit as u64 {
                        Err(OpError::new(Code::LimitExceeded, *text))
                    } else {
                        got.body.extend_from_slice(&chunk);
                        Ok(())
                    }
                }
                Sink::List(parser, limit, text) => {
                    if got.bytes > *limit {
                        Err(OpError::new(Code::LimitExceeded, *text))
                    } else {
                        parser.feed(&chunk);
                        Ok(())
                    }
                }
                Sink::File(file, limit, text) => {
                    if got.bytes > *limit {
                        Err(OpError::new(Code::ZipInvalid, *text))
                    } else {
                        file.write_all(&chunk).map_err(|e| {
                            OpError::new(
                                Code::CacheUnwritable,
                                format!(
                                    "writing a temporary file: {}",
                                    gomod_common::oserr::errno_text(&e)
                                ),
                            )
                        })
                    }
                }
            };
            if let Err(err) = written {
                attempt.bytes = got.bytes;
                return (Err(err), None);
            }
        }
        attempt.bytes = got.bytes;
        (Ok(got), None)
    }

    async fn status_error(
        &self,
        url: &gourl::Url,
        mut response: Response,
        attempt: &mut Attempt,
    ) -> (Result<Got, OpError>, Option<Duration>) {
        let retry_after = response
            .headers
            .get(http::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        let content_type = response.content_type().map(str::to_string);
        let status_text = response.status_text.clone();
        let status = response.status;
        let body = response.prefix(EXCERPT_BYTES).await;
        attempt.bytes = body.len() as u64;
        if !body.is_empty() {
            attempt.body_excerpt = Some(untrusted(&String::from_utf8_lossy(&body), EXCERPT_BYTES));
        }
        // Go names the URL it asked for, not where a redirect led.
        let text = status_error_text(
            &redact_url(&url.to_string()),
            &status_text,
            content_type.as_deref(),
            &body,
        );
        let code = status_code(status);
        let err = if matches!(status, 404 | 410) {
            OpError::not_found(code, text)
        } else {
            OpError::new(code, text)
        };
        (Err(err), retry_after)
    }

    /// `file://` as Go's `getFile`: a missing file is a 404 (falls through), a
    /// permission problem a 403 (does not). Only a regular file is read
    /// ([`gomod_common::regular`]): the go command would wait forever on a named pipe.
    fn get_file(
        &self,
        url: &gourl::Url,
        sink: &mut Sink<'_>,
        attempt: &mut Attempt,
    ) -> Result<Got, OpError> {
        let path = std::path::Path::new(&url.path);
        let shown = redact_url(&url.to_string());
        let fail = |attempt: &mut Attempt, err: std::io::Error| {
            let text = format!("reading {shown}: {}", gomod_common::oserr::errno_text(&err));
            match err.kind() {
                std::io::ErrorKind::NotFound => {
                    attempt.status = Some(404);
                    OpError::not_found(Code::HttpNotFound, text)
                }
                std::io::ErrorKind::PermissionDenied => {
                    attempt.status = Some(403);
                    OpError::new(Code::HttpForbidden, text)
                }
                _ => OpError::new(Code::FileUnreadable, text),
            }
        };
        // Read no further than the size the file had when opened ([`regular`]).
        let mut file = match regular::open(path) {
            Ok(opened) => std::io::Read::take(opened.file, opened.size),
            Err(regular::ReadError::Os { err, .. }) => return Err(fail(attempt, err)),
            Err(refused) => {
                return Err(OpError::new(
                    Code::FileUnreadable,
                    format!("reading {shown}: {refused}"),
                ));
            }
        };
        attempt.status = Some(200);
        let mut got = Got {
            body: Vec::new(),
            bytes: 0,
        };
        match sink {
            Sink::Memory(limit, text) => {
                let mut limited = std::io::Read::take(&mut file, *limit as u64 + 1);
                std::io::Read::read_to_end(&mut limited, &mut got.body)
                    .map_err(|e| fail(attempt, e))?;
                got.bytes = got.body.len() as u64;
                if got.body.len() > *limit {
                    return Err(OpError::new(Code::LimitExceeded, *text));
                }
            }
            Sink::List(parser, limit, text) => {
                let mut buf = vec![0u8; 64 * 1024];
                loop {
                    let n = match std::io::Read::read(&mut file, &mut buf) {
                        Ok(0) => break,
                        Ok(n) => n,
                        Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                        Err(e) => return Err(fail(attempt, e)),
                    };
                    got.bytes += n as u64;
                    if got.bytes > *limit {
                        return Err(OpError::new(Code::LimitExceeded, *text));
                    }
                    parser.feed(&buf[..n]);
                }
            }
            Sink::File(out, limit, text) => {
                let mut limited = std::io::Read::take(&mut file, *limit + 1);
                got.bytes = std::io::copy(&mut limited, *out).map_err(|e| fail(attempt, e))?;
                if got.bytes > *limit {
                    return Err(OpError::new(Code::ZipInvalid, *text));
                }
            }
        }
        attempt.bytes = got.bytes;
        Ok(got)
    }
}

fn record_hops(attempt: &mut Attempt, hops: &[gomod_common::net::http::Hop]) {
    attempt.redirects = hops.iter().skip(1).map(|h| h.url.clone()).collect();
    if let Some(first) = hops.first() {
        attempt.via_proxy = first.via_proxy.clone();
    }
    attempt.netrc_login = hops.iter().find_map(|h| h.netrc_login.clone());
}

fn net_op_error(err: NetError) -> OpError {
    let mut e = OpError::new(err.code, err.go_text);
    e.detail = err.detail;
    e.go_waits = err.go_waits;
    e
}

/// Failures worth another try: the server or the path to it may recover.
fn is_transient(code: Code, status: Option<u16>) -> bool {
    match status {
        Some(429) | Some(500..=599) => true,
        Some(200) | None => matches!(
            code,
            Code::HttpTimeout
                | Code::TcpReset
                | Code::Http2StreamReset
                | Code::TcpTimeout
                | Code::TcpRefused
                | Code::ProxyClosed
                | Code::TlsTimeout
                | Code::DnsTimeout
                | Code::DnsServfail
        ),
        _ => false,
    }
}

/// Exponential backoff from 200 ms, capped at 10 s, with up to 50% jitter; a
/// Retry-After answer wins when it asks for longer (capped at 60 s).
fn backoff(retry: u32, retry_after: Option<Duration>) -> Duration {
    let base = Duration::from_millis(200u64.saturating_mul(1 << retry.min(6)))
        .min(Duration::from_secs(10));
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let jitter = base.mul_f64(f64::from(nanos % 1000) / 2000.0);
    let wait = base + jitter;
    match retry_after {
        Some(after) => after.min(Duration::from_secs(60)).max(wait),
        None => wait,
    }
}

/// The host of every URL an attempt touched.
pub fn hosts_of(attempts: &[Attempt]) -> Vec<String> {
    let mut hosts: Vec<String> = attempts
        .iter()
        .flat_map(|a| a.url.iter().chain(a.redirects.iter()))
        .filter_map(|u| gourl::parse(u).ok())
        .filter(|u| u.scheme != "file")
        .map(|u| u.host.clone())
        .collect();
    hosts.sort();
    hosts.dedup();
    hosts
}
