//! A mock GOPROXY with fault injection.
//!
//! [`GoProxy`] is built from modules (files in, `@v/list`, `.info`, `.mod`, `.zip` and
//! `@latest` out, at the case-escaped paths the go command requests) and then started
//! over HTTP or HTTPS on 127.0.0.1, or written out as a `GOPROXY=file://` directory.
//! Any endpoint can be made to misbehave with a [`Fault`]: a status, a wrong body, a
//! redirect, a connection reset or close, a hang, a slow or truncated or endless body.
//! Every request is logged with the connection it came on and when it arrived, so
//! tests can assert the exact sequence of requests a client made.
//!
//! The protocol is the one in spec/go-fetch-semantics.md §5: paths are percent-decoded
//! before they are matched (the go command sends `!` as `%21`), only `GET` is served,
//! and a path the proxy does not know is a `404 Not Found` with a `text/plain` body.

use std::collections::{BTreeMap, HashMap};
use std::io;
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine;
use gomod_common::modpath;
use gomod_common::semver;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

use crate::modzip;
use crate::{ConnectionServer, Leaf, Log, Mode, Request, Response, Running, handler};

/// The time every tagged version's `.info` reports (pseudo-versions report their own).
pub const TAGGED_TIME: &str = "2024-01-02T03:04:05Z";

/// Longest request head read; a longer one closes the connection.
const MAX_HEAD: usize = 64 * 1024;
/// Longest request body read and dropped; a longer one closes the connection after the
/// answer.
const MAX_REQUEST_BODY: u64 = 1024 * 1024;
/// Longest answer read from a checksum-database upstream.
const MAX_UPSTREAM: usize = 64 * 1024 * 1024;
/// How long to wait for a checksum-database upstream.
const UPSTREAM_TIMEOUT: Duration = Duration::from_secs(30);
/// The longest [`GoProxy::hold_until`] holds an answer: a client that never sends
/// enough requests at once gets its answers late rather than never.
pub const HOLD_AT_MOST: Duration = Duration::from_secs(30);
/// How long a closing connection waits for the client to close its side.
const CLOSE_WAIT: Duration = Duration::from_secs(5);

/// A mock GOPROXY, built up and then started (or written out as a directory).
#[derive(Clone, Debug, Default)]
pub struct GoProxy {
    /// Keyed by case-escaped module path.
    modules: BTreeMap<String, ModuleEntry>,
    /// Keyed by percent-decoded path relative to the proxy root; a key ending in `*`
    /// matches a prefix.
    faults: BTreeMap<String, Fault>,
    /// The exact `Authorization` value every request must carry.
    authorization: Option<String>,
    delay: Duration,
    /// Checksum database name → upstream base URL.
    sumdbs: BTreeMap<String, String>,
    dir: Option<PathBuf>,
    base_path: String,
    shared_log: Option<Log>,
    keep_log: bool,
    /// HTTP/2 is served (see [`GoProxy::start_h2`]), with this stream limit.
    h2_max_streams: Option<u32>,
    /// Every answer waits until this many requests have arrived (see
    /// [`GoProxy::hold_until`]).
    hold_until: Option<u64>,
}

/// One module path and the versions served for it.
#[derive(Clone, Debug)]
struct ModuleEntry {
    path: String,
    /// Keyed by case-escaped version.
    versions: BTreeMap<String, VersionEntry>,
}

/// One version of a module, with its endpoints' bodies made up front.
#[derive(Clone, Debug)]
struct VersionEntry {
    version: String,
    info: Arc<[u8]>,
    go_mod: Arc<[u8]>,
    zip: Arc<[u8]>,
    zip_h1: Option<String>,
}

/// What one endpoint does instead of (or on the way to) its normal answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fault {
    /// This status, with a `text/plain; charset=utf-8` body `"<status text>: <url
    /// path>\n"` (the path as the request sent it, e.g. `Not Found:
    /// /example.com/%21upper/thing/@v/list`).
    Status(u16),
    /// This status with this body, as `text/plain; charset=utf-8`: e.g. 404 with a long
    /// body, or a body with control characters or ANSI escapes.
    StatusBody(u16, String),
    /// This status, these headers (nothing else but `Content-Length`) and this body:
    /// e.g. 429 or 503 with `Retry-After`, or a body with an unusual content type.
    Reply {
        /// Status code.
        status: u16,
        /// Headers, written in this order.
        headers: Vec<(String, String)>,
        /// Body.
        body: Vec<u8>,
    },
    /// The i-th request to the path gets fault i; after the list, the normal answer.
    /// Requests are counted per request path, so a `*` pattern gives every path it
    /// matches its own sequence. A `Sequence` inside a `Sequence` is spliced in.
    Sequence(Vec<Fault>),
    /// The normal answer (for use inside [`Fault::Sequence`]).
    Normal,
    /// Read the request, then close with a TCP RST (`SO_LINGER` 0).
    Reset,
    /// Read the request, then close (FIN; over TLS after `close_notify`) without
    /// answering.
    Close,
    /// Read the request and never answer, until the client closes the connection or the
    /// server is dropped.
    Hang,
    /// The normal answer, its head at once and its body trickled at about this rate;
    /// `0` sends the head and then no body at all (a stalled transfer).
    SlowDrip {
        /// Body bytes per second.
        bytes_per_sec: u32,
    },
    /// The normal answer with the `Content-Length` of the full body, then a close after
    /// `after` bytes of the body: a FIN, over TLS without `close_notify` (as when the
    /// server or a middlebox dies in the middle of a transfer).
    Truncate {
        /// Body bytes sent before the close.
        after: usize,
    },
    /// 200 with this body instead of the normal one (wrong content), with the content
    /// type the endpoint normally has.
    Body(Vec<u8>),
    /// 301/302/303/307/308 with this `Location` (normally an absolute URL: another
    /// host:port, e.g. a second [`GoProxy`]) and an empty body.
    Redirect(u16, String),
    /// 200 streaming `bytes` zero bytes, with a `Content-Length` or chunked; the server
    /// writes as fast as the client reads and holds no more than 64 KiB.
    HugeBody {
        /// Body length.
        bytes: u64,
        /// Announce the length (else `Transfer-Encoding: chunked`).
        content_length: bool,
    },
    /// These bytes verbatim instead of an HTTP answer (a malformed status line,
    /// another protocol...), then a close.
    Raw(Vec<u8>),
    /// Over HTTP/2 ([`GoProxy::start_h2`]): the normal answer's headers and the first
    /// `after` bytes of its body, then `RST_STREAM` with `INTERNAL_ERROR` (what an
    /// HTTP/2 middlebox or server that gives up on a stream sends). Over HTTP/1.1 the
    /// same as [`Fault::Truncate`].
    ResetStream {
        /// Body bytes sent before the reset.
        after: usize,
    },
}

impl GoProxy {
    /// An empty proxy: every path is 404.
    pub fn new() -> GoProxy {
        GoProxy {
            keep_log: true,
            ..GoProxy::default()
        }
    }

    /// Adds module@version with these files (go.mod content is taken from files if
    /// present, else "module <path>\n"); serves @v/list, @v/V.info
    /// ({"Version":..,"Time":..}), .mod, .zip, @latest (highest release, else highest
    /// pre-release, else highest pseudo) — all with the case-escaped path as Go requests
    /// them.
    ///
    /// The zip is [`modzip::module_zip`] of `files`, which may include ones Go would
    /// refuse. `.info` reports [`TAGGED_TIME`] for a tagged version and the commit time
    /// for a pseudo-version. `@v/list` lists the tagged versions, sorted, as
    /// proxy.golang.org does (no pseudo-versions). Adding a version again replaces it.
    ///
    /// # Panics
    /// If the module path or the version cannot be case-escaped (Go's `EscapePath`,
    /// `EscapeVersion`): such a module has no URL.
    pub fn module(mut self, module: &str, version: &str, files: &[(&str, &[u8])]) -> GoProxy {
        let escaped_path = modpath::escape_path(module)
            .unwrap_or_else(|e| panic!("module path {module:?} cannot be served: {e}"));
        let escaped_version = modpath::escape_version(version)
            .unwrap_or_else(|e| panic!("version {version:?} cannot be served: {e}"));
        let go_mod = files
            .iter()
            .find(|(name, _)| *name == "go.mod")
            .map_or_else(
                || format!("module {module}\n").into_bytes(),
                |f| f.1.to_vec(),
            );
        let time = if modpath::is_pseudo_version(version) {
            modpath::pseudo_version_time(version).unwrap_or_else(|_| TAGGED_TIME.to_string())
        } else {
            TAGGED_TIME.to_string()
        };
        let entry = VersionEntry {
            version: version.to_string(),
            info: info_json(version, &time).into_bytes().into(),
            go_mod: go_mod.into(),
            zip: modzip::module_zip(module, version, files).into(),
            zip_h1: modzip::zip_h1(module, version, files),
        };
        self.modules
            .entry(escaped_path)
            .or_insert_with(|| ModuleEntry {
                path: module.to_string(),
                versions: BTreeMap::new(),
            })
            .versions
            .insert(escaped_version, entry);
        self
    }

    /// Overrides one endpoint: `url_path` relative to the proxy root, e.g.
    /// "example.com/a/@v/v1.0.0.zip" or "example.com/a/@v/list"; or a pattern ending in
    /// '*' that matches a prefix.
    ///
    /// Paths are in the case-escaped form (`example.com/!upper/thing/@v/list`);
    /// percent-escapes in them are decoded, as in requests. An exact path wins over
    /// patterns, a longer pattern over a shorter one; a second fault for the same path
    /// replaces the first. Faults apply to any path, known to the proxy or not, and
    /// after the [`GoProxy::basic_auth`] check.
    pub fn fault(mut self, url_path: &str, fault: Fault) -> GoProxy {
        let key = percent_decode(url_path.trim_start_matches('/'))
            .unwrap_or_else(|| url_path.trim_start_matches('/').to_string());
        self.faults.insert(key, fault.flattened());
        self
    }

    /// Every request must carry this basic auth, else 401 with WWW-Authenticate.
    pub fn basic_auth(mut self, user: &str, password: &str) -> GoProxy {
        let token = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
        self.authorization = Some(format!("Basic {token}"));
        self
    }

    /// Adds a fixed delay before every response (benchmarks, timeouts).
    pub fn delay(mut self, d: Duration) -> GoProxy {
        self.delay = d;
        self
    }

    /// Holds every answer until `n` requests have arrived in all (or [`HOLD_AT_MOST`]
    /// has passed): a test that needs `n` requests in flight together gets them however
    /// slowly the machine runs, where a fixed [`GoProxy::delay`] only makes it likely.
    pub fn hold_until(mut self, n: u64) -> GoProxy {
        self.hold_until = Some(n);
        self
    }

    /// Also serve /sumdb/<name>/supported (200) and proxy /sumdb/<name>/... to this base
    /// URL.
    ///
    /// The rest of the path and the query are appended to `upstream`; the upstream's
    /// status, reason, `Content-Type` and body are relayed (502 if it cannot be
    /// reached).
    ///
    /// # Panics
    /// If `upstream` is not an `http://` URL of a loopback address.
    pub fn sumdb_proxy(mut self, name: &str, upstream: &str) -> GoProxy {
        let (authority, _) = split_http_url(upstream)
            .unwrap_or_else(|| panic!("sumdb upstream {upstream:?} is not an http:// URL"));
        let loopback = authority
            .parse::<SocketAddr>()
            .is_ok_and(|a| a.ip().is_loopback())
            || authority.starts_with("localhost:");
        assert!(
            loopback,
            "the mock proxy forwards to loopback only, not {upstream}"
        );
        self.sumdbs.insert(
            name.trim_matches('/').to_string(),
            upstream.trim_end_matches('/').to_string(),
        );
        self
    }

    /// Also serves the files of this `GOPROXY=file://` directory (e.g. one made by
    /// [`GoProxy::write_dir`] or a module cache's `cache/download`) for the paths the
    /// proxy's own modules do not answer. A missing file is 404, an unreadable one 403
    /// (as the go command's `file://` proxy reports them); `@latest` is never a file.
    pub fn dir(mut self, dir: &Path) -> GoProxy {
        self.dir = Some(dir.to_path_buf());
        self
    }

    /// Serves the proxy under this path (e.g. `/go`) instead of `/`; everything else is
    /// 404. [`RunningProxy::url`] includes it.
    pub fn base_path(mut self, path: &str) -> GoProxy {
        let trimmed = path.trim_matches('/');
        self.base_path = if trimmed.is_empty() {
            String::new()
        } else {
            format!("/{trimmed}")
        };
        self
    }

    /// Also records every request into `log`, shared with other servers (see
    /// [`crate::Server::http_logged`]) so that the order of requests across servers is
    /// kept.
    pub fn logged(mut self, log: Log) -> GoProxy {
        self.shared_log = Some(log);
        self
    }

    /// Only counts requests instead of keeping them (a long-running benchmark server
    /// would otherwise grow without bound); [`RunningProxy::request_count`] still works.
    pub fn without_log(mut self) -> GoProxy {
        self.keep_log = false;
        self
    }

    /// The go.sum lines for every module version held, sorted as the go command writes
    /// them: `<path> <version> h1:...` (the zip) then `<path> <version>/go.mod h1:...`.
    /// A version whose zip has a file name with a newline gets no zip line.
    pub fn go_sum(&self) -> String {
        let mut lines: Vec<(&str, &str, String)> = Vec::new();
        for module in self.modules.values() {
            for entry in module.versions.values() {
                if let Some(h1) = &entry.zip_h1 {
                    lines.push((&module.path, &entry.version, h1.clone()));
                }
                lines.push((
                    &module.path,
                    &entry.version,
                    format!("/go.mod {}", modzip::mod_h1(&entry.go_mod)),
                ));
            }
        }
        // Go's module.Sort: by path, then by version (semver, then string), the zip
        // line before the /go.mod line.
        lines.sort_by(|a, b| {
            a.0.cmp(b.0)
                .then_with(|| semver::compare(a.1, b.1))
                .then_with(|| a.1.cmp(b.1))
                .then_with(|| a.2.starts_with('/').cmp(&b.2.starts_with('/')))
        });
        lines
            .into_iter()
            .map(|(path, version, rest)| match rest.strip_prefix('/') {
                Some(go_mod) => format!("{path} {version}/{go_mod}\n"),
                None => format!("{path} {version} {rest}\n"),
            })
            .collect()
    }

    /// The zip served for module@version.
    pub fn zip(&self, module: &str, version: &str) -> Option<&[u8]> {
        self.version_entry(module, version).map(|e| &e.zip[..])
    }

    /// The `.mod` file served for module@version.
    pub fn go_mod(&self, module: &str, version: &str) -> Option<&[u8]> {
        self.version_entry(module, version).map(|e| &e.go_mod[..])
    }

    fn version_entry(&self, module: &str, version: &str) -> Option<&VersionEntry> {
        let path = modpath::escape_path(module).ok()?;
        let version = modpath::escape_version(version).ok()?;
        self.modules.get(&path)?.versions.get(&version)
    }

    /// Starts serving plain HTTP on 127.0.0.1, a free port.
    ///
    /// # Panics
    /// If no port can be bound.
    pub fn start(self) -> RunningProxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        self.start_on(listener, None)
    }

    /// Starts serving HTTPS on 127.0.0.1, a free port, presenting `leaf` (ALPN
    /// `http/1.1`). A failed handshake is not logged.
    ///
    /// # Panics
    /// If no port can be bound.
    pub fn start_https(self, leaf: &Leaf) -> RunningProxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        self.start_on(listener, Some(leaf.server_config()))
    }

    /// Starts serving HTTPS on 127.0.0.1, a free port, presenting `leaf` and offering
    /// ALPN `h2` and `http/1.1`: a client that offers `h2` (as go does) gets HTTP/2,
    /// every request a stream of one connection, as proxy.golang.org serves; one that
    /// offers only `http/1.1` gets that. The server allows `max_streams` concurrent
    /// streams per connection (its `SETTINGS_MAX_CONCURRENT_STREAMS`).
    ///
    /// # Panics
    /// If no port can be bound.
    pub fn start_h2(self, leaf: &Leaf, max_streams: u32) -> RunningProxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let mut config = (*leaf.server_config()).clone();
        config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        let mut proxy = self;
        proxy.h2_max_streams = Some(max_streams);
        proxy.start_on(listener, Some(Arc::new(config)))
    }

    /// Starts serving plain HTTP on 127.0.0.1:`port` (0: a free port).
    pub fn start_at(self, port: u16) -> io::Result<RunningProxy> {
        let listener = TcpListener::bind(("127.0.0.1", port))?;
        Ok(self.start_on(listener, None))
    }

    fn start_on(
        self,
        listener: TcpListener,
        tls: Option<Arc<rustls::ServerConfig>>,
    ) -> RunningProxy {
        let scheme = if tls.is_some() { "https" } else { "http" };
        let log = self.shared_log.clone().unwrap_or_default();
        let timed: Arc<Mutex<Vec<LoggedRequest>>> = Arc::default();
        let count = Arc::new(AtomicU64::new(0));
        let connections = Arc::new(AtomicU64::new(0));
        let base_path = self.base_path.clone();
        let state = Arc::new(State {
            proxy: self,
            scheme,
            tls,
            started: Instant::now(),
            connections: Arc::clone(&connections),
            counters: Mutex::default(),
            log: Arc::clone(&log),
            timed: Arc::clone(&timed),
            count: Arc::clone(&count),
            arrived: tokio::sync::Notify::new(),
        });
        let serve: ConnectionServer = Arc::new(move |stream| {
            let state = Arc::clone(&state);
            Box::pin(async move { serve_connection(stream, state).await })
        });
        let server = crate::start_on(
            listener,
            Mode::Connection(serve),
            handler(|_| Response::new(500, Vec::new())),
            log,
        );
        RunningProxy {
            addr: server.addr,
            server,
            scheme,
            base_path,
            timed,
            count,
            connections,
        }
    }

    /// Writes the proxy contents as a GOPROXY=file:// directory tree (the layout of
    /// GOMODCACHE/cache/download).
    ///
    /// For every module: `<escaped path>/@v/list` (every version with a `.mod`, sorted,
    /// pseudo-versions included, as the go command writes it in its cache) and
    /// `<escaped version>.info`, `.mod`, `.zip`. Faults, `@latest` and checksum
    /// databases have no file form and are left out.
    ///
    /// # Panics
    /// If a file cannot be written; see [`GoProxy::try_write_dir`].
    pub fn write_dir(&self, dir: &Path) {
        self.try_write_dir(dir)
            .unwrap_or_else(|e| panic!("writing the proxy to {}: {e}", dir.display()));
    }

    /// [`GoProxy::write_dir`], returning the error instead.
    pub fn try_write_dir(&self, dir: &Path) -> io::Result<()> {
        for (escaped_path, module) in &self.modules {
            let at_v = dir.join(escaped_path).join("@v");
            std::fs::create_dir_all(&at_v)?;
            let mut versions: Vec<&str> = module
                .versions
                .values()
                .map(|e| e.version.as_str())
                .collect();
            sort_versions(&mut versions);
            let list: String = versions.iter().map(|v| format!("{v}\n")).collect();
            std::fs::write(at_v.join("list"), list)?;
            for (escaped_version, entry) in &module.versions {
                std::fs::write(at_v.join(format!("{escaped_version}.info")), &entry.info)?;
                std::fs::write(at_v.join(format!("{escaped_version}.mod")), &entry.go_mod)?;
                std::fs::write(at_v.join(format!("{escaped_version}.zip")), &entry.zip)?;
            }
        }
        Ok(())
    }
}

impl Fault {
    /// The same fault with nested sequences spliced into their parents.
    fn flattened(self) -> Fault {
        match self {
            Fault::Sequence(faults) => {
                let mut flat = Vec::new();
                for fault in faults {
                    match fault.flattened() {
                        Fault::Sequence(inner) => flat.extend(inner),
                        other => flat.push(other),
                    }
                }
                Fault::Sequence(flat)
            }
            other => other,
        }
    }
}

/// A request as the mock proxy logged it.
#[derive(Clone, Debug)]
pub struct LoggedRequest {
    /// The request: method, target with query, headers (including `Authorization`).
    pub request: Request,
    /// When its head had been read.
    pub at: Instant,
    /// Time from the server's start to `at`.
    pub since_start: Duration,
    /// The connection it came on, numbered from 1 in the order connections were
    /// accepted (TLS: handshakes completed), so tests can see reuse and reconnects.
    pub connection: u64,
    /// Whether it came over HTTP/2.
    pub h2: bool,
}

/// A running [`GoProxy`]; stops when dropped, closing every connection.
pub struct RunningProxy {
    /// The listening address.
    pub addr: SocketAddr,
    server: Running,
    scheme: &'static str,
    base_path: String,
    timed: Arc<Mutex<Vec<LoggedRequest>>>,
    count: Arc<AtomicU64>,
    connections: Arc<AtomicU64>,
}

impl RunningProxy {
    /// The proxy's URL for GOPROXY: `http://127.0.0.1:PORT` (or `https://`), with the
    /// base path if one was set.
    pub fn url(&self) -> String {
        format!("{}://{}{}", self.scheme, self.addr, self.base_path)
    }

    /// `127.0.0.1:PORT`.
    pub fn host_port(&self) -> String {
        self.server.host_port()
    }

    /// Every request this server has seen so far, in order, with its time and
    /// connection.
    pub fn log(&self) -> Vec<LoggedRequest> {
        self.timed.lock().map(|l| l.clone()).unwrap_or_default()
    }

    /// Every request this server has seen so far.
    pub fn requests(&self) -> Vec<Request> {
        self.log().into_iter().map(|l| l.request).collect()
    }

    /// Every request this server has seen so far, as [`Request::line`]s
    /// (`http GET 127.0.0.1:PORT/example.com/a/@v/list`).
    pub fn lines(&self) -> Vec<String> {
        self.log().iter().map(|l| l.request.line()).collect()
    }

    /// Every request target this server has seen so far, as sent: path and query,
    /// percent-escapes kept (`/example.com/%21upper/thing/@v/list`).
    pub fn targets(&self) -> Vec<String> {
        self.log().into_iter().map(|l| l.request.target).collect()
    }

    /// How many requests this server has seen (also with [`GoProxy::without_log`]).
    pub fn request_count(&self) -> u64 {
        self.count.load(Ordering::Relaxed)
    }

    /// How many connections it has accepted (TLS: handshakes completed), whether or
    /// not a request came on them.
    pub fn connections(&self) -> u64 {
        self.connections.load(Ordering::Relaxed)
    }
}

/// A port on 127.0.0.1 with no listener ("connection refused"): bound to a free port
/// and released again. Another process could take it in between, which is unlikely
/// on a test machine.
pub fn refused_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    listener.local_addr().expect("local address").port()
}

/// A port on 127.0.0.1 where a TCP connection is never completed: a listener whose
/// accept queue (one place) is full and never accepted from, so the kernel drops every
/// further SYN and a dial times out (go: `dial tcp 127.0.0.1:PORT: i/o timeout`, after
/// its own 30 s). The port stays so while this is kept.
pub struct SilentPort {
    /// The port.
    pub port: u16,
    _listener: TcpListener,
    _queued: Vec<std::net::TcpStream>,
}

impl SilentPort {
    /// Binds the port and fills its accept queue.
    pub fn new() -> SilentPort {
        use std::os::fd::AsRawFd;
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        // Linux lets listen(2) be called again to shrink the queue.
        // SAFETY: the descriptor is the listener's own, open for the call.
        let shrunk = unsafe { libc::listen(listener.as_raw_fd(), 0) };
        assert_eq!(shrunk, 0, "listen(fd, 0)");
        let addr = listener.local_addr().expect("local address");
        let mut queued = Vec::new();
        for _ in 0..4 {
            match std::net::TcpStream::connect_timeout(&addr, Duration::from_millis(300)) {
                Ok(stream) => queued.push(stream),
                Err(_) => break,
            }
        }
        SilentPort {
            port: addr.port(),
            _listener: listener,
            _queued: queued,
        }
    }
}

impl Default for SilentPort {
    fn default() -> Self {
        SilentPort::new()
    }
}

/// The module path of benchmark module `i` of `n`: `example.com/bench/m007`, at least
/// three digits, as many as the largest index needs.
pub fn bench_module_path(i: usize, n: usize) -> String {
    let width = n.saturating_sub(1).to_string().len().max(3);
    format!("example.com/bench/m{i:0width$}")
}

/// `n` small modules for benchmarks: [`bench_module_path`] `i` at v1.0.0, each with a
/// go.mod and one `.go` file.
pub fn bench_modules(n: usize) -> GoProxy {
    let mut proxy = GoProxy::new();
    for i in 0..n {
        let path = bench_module_path(i, n);
        let name = path.rsplit('/').next().unwrap_or("m");
        let go_mod = format!("module {path}\n\ngo 1.21\n");
        let source = format!(
            "// Package {name} is benchmark module {i}.\npackage {name}\n\n// Index is this module's number.\nconst Index = {i}\n"
        );
        proxy = proxy.module(
            &path,
            "v1.0.0",
            &[
                ("go.mod", go_mod.as_bytes()),
                (&format!("{name}.go"), source.as_bytes()),
            ],
        );
    }
    proxy
}

/// Writes a benchmark workspace for `n` modules into `dir`: `dir/proxy`, the
/// [`bench_modules`] as a `GOPROXY=file://` tree, and `dir/main`, a main module
/// `example.com/bench` whose go.mod requires all of them, whose go.sum has their
/// hashes and whose main.go imports them all (so `go mod download`, `go build` and
/// `go mod verify` all work offline against the proxy).
pub fn write_bench(dir: &Path, n: usize) -> io::Result<()> {
    let proxy = bench_modules(n);
    proxy.try_write_dir(&dir.join("proxy"))?;
    let main = dir.join("main");
    std::fs::create_dir_all(&main)?;
    let paths: Vec<String> = (0..n).map(|i| bench_module_path(i, n)).collect();
    let mut go_mod = String::from("module example.com/bench\n\ngo 1.21\n");
    if !paths.is_empty() {
        go_mod.push_str("\nrequire (\n");
        for path in &paths {
            go_mod.push_str(&format!("\t{path} v1.0.0\n"));
        }
        go_mod.push_str(")\n");
    }
    let mut main_go =
        String::from("// Command bench imports every benchmark module.\npackage main\n\n");
    if !paths.is_empty() {
        main_go.push_str("import (\n");
        for path in &paths {
            main_go.push_str(&format!("\t_ {path:?}\n"));
        }
        main_go.push_str(")\n\n");
    }
    main_go.push_str("func main() {}\n");
    std::fs::write(main.join("go.mod"), go_mod)?;
    std::fs::write(main.join("go.sum"), proxy.go_sum())?;
    std::fs::write(main.join("main.go"), main_go)
}

/// What a running proxy shares between its connections.
struct State {
    proxy: GoProxy,
    scheme: &'static str,
    tls: Option<Arc<rustls::ServerConfig>>,
    started: Instant,
    /// Connections accepted (TLS: handshakes completed), shared with [`RunningProxy`].
    connections: Arc<AtomicU64>,
    /// Requests so far per request path, for [`Fault::Sequence`].
    counters: Mutex<HashMap<String, usize>>,
    log: Log,
    timed: Arc<Mutex<Vec<LoggedRequest>>>,
    count: Arc<AtomicU64>,
    /// Woken at every request, for [`GoProxy::hold_until`].
    arrived: tokio::sync::Notify,
}

impl State {
    /// Waits as [`GoProxy::hold_until`] and [`GoProxy::delay`] say, before an answer.
    async fn wait_before_answer(&self) {
        if let Some(n) = self.proxy.hold_until {
            let until = tokio::time::Instant::now() + HOLD_AT_MOST;
            loop {
                let arrived = self.arrived.notified();
                tokio::pin!(arrived);
                arrived.as_mut().enable();
                if self.count.load(Ordering::Acquire) >= n
                    || tokio::time::timeout_at(until, arrived).await.is_err()
                {
                    break;
                }
            }
        }
        if !self.proxy.delay.is_zero() {
            tokio::time::sleep(self.proxy.delay).await;
        }
    }

    fn record(&self, request: &Request, connection: u64) {
        self.record_as(request, connection, false);
    }

    fn record_as(&self, request: &Request, connection: u64, h2: bool) {
        self.count.fetch_add(1, Ordering::AcqRel);
        self.arrived.notify_waiters();
        if !self.proxy.keep_log {
            return;
        }
        let at = Instant::now();
        // Both logs under one lock, so that their orders agree.
        if let Ok(mut timed) = self.timed.lock() {
            timed.push(LoggedRequest {
                request: request.clone(),
                at,
                since_start: at.duration_since(self.started),
                connection,
                h2,
            });
            if self.proxy.shared_log.is_some()
                && let Ok(mut log) = self.log.lock()
            {
                log.push(request.clone());
            }
        }
    }
}

/// A stream the proxy serves HTTP on, with the TCP connection under it.
trait Connection: AsyncRead + AsyncWrite + Unpin + Send {
    fn tcp(&self) -> &TcpStream;
    fn tcp_mut(&mut self) -> &mut TcpStream;
}

impl Connection for TcpStream {
    fn tcp(&self) -> &TcpStream {
        self
    }
    fn tcp_mut(&mut self) -> &mut TcpStream {
        self
    }
}

impl Connection for tokio_rustls::server::TlsStream<TcpStream> {
    fn tcp(&self) -> &TcpStream {
        self.get_ref().0
    }
    fn tcp_mut(&mut self) -> &mut TcpStream {
        self.get_mut().0
    }
}

async fn serve_connection(stream: TcpStream, state: Arc<State>) {
    match state.tls.clone() {
        None => serve_http(stream, &state).await,
        Some(config) => {
            if let Ok(tls) = tokio_rustls::TlsAcceptor::from(config).accept(stream).await {
                if tls.get_ref().1.alpn_protocol() == Some(b"h2") {
                    serve_h2(tls, state).await;
                } else {
                    serve_http(tls, &state).await;
                }
            }
        }
    }
}

/// Serves HTTP/2 on one connection: every stream in a task of its own.
async fn serve_h2<C: Connection + 'static>(conn: C, state: Arc<State>) {
    let connection = state.connections.fetch_add(1, Ordering::Relaxed) + 1;
    let mut builder = h2::server::Builder::new();
    if let Some(max) = state.proxy.h2_max_streams {
        builder.max_concurrent_streams(max);
    }
    let Ok(mut h2conn) = builder.handshake::<_, bytes::Bytes>(conn).await else {
        return;
    };
    while let Some(accepted) = h2conn.accept().await {
        let Ok((request, respond)) = accepted else {
            return;
        };
        let state = Arc::clone(&state);
        tokio::spawn(async move { serve_h2_stream(request, respond, &state, connection).await });
    }
}

/// Answers one HTTP/2 request as [`serve_http`] answers one HTTP/1.1 request.
async fn serve_h2_stream(
    request: http::Request<h2::RecvStream>,
    mut respond: h2::server::SendResponse<bytes::Bytes>,
    state: &State,
    connection: u64,
) {
    let headers: HashMap<String, String> = request
        .headers()
        .iter()
        .map(|(name, value)| {
            (
                name.as_str().to_string(),
                String::from_utf8_lossy(value.as_bytes()).into_owned(),
            )
        })
        .collect();
    let request = Request {
        method: request.method().to_string(),
        target: request
            .uri()
            .path_and_query()
            .map_or("/".to_string(), |p| p.to_string()),
        host: request
            .uri()
            .authority()
            .map(|a| a.to_string())
            .unwrap_or_default(),
        headers,
        scheme: "https",
    };
    state.record_as(&request, connection, true);
    state.wait_before_answer().await;
    // A body cut short ([`Fault::Truncate`], [`Fault::ResetStream`]) ends in a
    // RST_STREAM: HTTP/2 has no other way to cut one.
    let (reply, reset_after) = match answer(state, &request).await {
        Answer::Reply(reply) => {
            let after = match reply.delivery {
                Delivery::Truncate(after) => Some(after),
                _ => None,
            };
            (reply, after)
        }
        Answer::Zeros {
            bytes,
            content_type,
            ..
        } => {
            let reply = Reply::new(200, content_type, vec![0u8; bytes.min(1 << 26) as usize]);
            (reply, None)
        }
        Answer::Hang => {
            std::future::pending::<()>().await;
            return;
        }
        Answer::Reset | Answer::Close | Answer::Raw(_) => {
            respond.send_reset(h2::Reason::INTERNAL_ERROR);
            return;
        }
    };
    let mut response = http::Response::builder().status(reply.status);
    for (name, value) in &reply.headers {
        response = response.header(name.as_str(), value.as_str());
    }
    response = response.header("content-length", reply.body.len().to_string());
    let Ok(response) = response.body(()) else {
        respond.send_reset(h2::Reason::INTERNAL_ERROR);
        return;
    };
    let empty = reply.body.is_empty() && reset_after.is_none();
    let Ok(mut stream) = respond.send_response(response, empty) else {
        return;
    };
    if empty {
        return;
    }
    let body = bytes::Bytes::copy_from_slice(&reply.body);
    match (reset_after, reply.delivery) {
        (Some(after), _) => {
            let cut = body.slice(..after.min(body.len()));
            if send_all(&mut stream, cut, false).await {
                stream.send_reset(h2::Reason::INTERNAL_ERROR);
            }
        }
        (None, Delivery::Drip(bytes_per_sec)) if bytes_per_sec > 0 => {
            let chunk = (bytes_per_sec as usize / 10).max(1);
            let mut at = 0;
            while at < body.len() {
                tokio::time::sleep(Duration::from_millis(100)).await;
                let end = (at + chunk).min(body.len());
                if !send_all(&mut stream, body.slice(at..end), end == body.len()).await {
                    return;
                }
                at = end;
            }
        }
        (None, Delivery::Drip(_)) => std::future::pending::<()>().await,
        (None, _) => {
            send_all(&mut stream, body, true).await;
        }
    }
}

/// Sends `data` on an HTTP/2 stream as the client's window allows; false when the
/// stream is gone.
async fn send_all(
    stream: &mut h2::SendStream<bytes::Bytes>,
    mut data: bytes::Bytes,
    end: bool,
) -> bool {
    while !data.is_empty() {
        stream.reserve_capacity(data.len());
        let granted = match std::future::poll_fn(|cx| stream.poll_capacity(cx)).await {
            Some(Ok(n)) if n > 0 => n,
            Some(Ok(_)) => continue,
            _ => return false,
        };
        let piece = data.split_to(granted.min(data.len()));
        let last = end && data.is_empty();
        if stream.send_data(piece, last).is_err() {
            return false;
        }
    }
    true
}

/// How the proxy answers one request.
enum Answer {
    Reply(Reply),
    Reset,
    Close,
    Hang,
    Raw(Vec<u8>),
    Zeros {
        bytes: u64,
        content_length: bool,
        content_type: &'static str,
    },
}

/// An HTTP answer and how its body is sent.
struct Reply {
    status: u16,
    reason: String,
    headers: Vec<(String, String)>,
    body: Arc<[u8]>,
    delivery: Delivery,
}

enum Delivery {
    Whole,
    Drip(u32),
    Truncate(usize),
}

impl Reply {
    fn new(status: u16, content_type: &str, body: impl Into<Arc<[u8]>>) -> Reply {
        Reply {
            status,
            reason: status_text(status),
            headers: vec![("Content-Type".to_string(), content_type.to_string())],
            body: body.into(),
            delivery: Delivery::Whole,
        }
    }

    /// `"<status text>: <path>\n"` as `text/plain`.
    fn text(status: u16, path: &str) -> Reply {
        let body = format!("{}: {path}\n", status_text(status));
        Reply::new(status, "text/plain; charset=utf-8", body.into_bytes())
    }
}

async fn serve_http<C: Connection>(conn: C, state: &State) {
    let connection = state.connections.fetch_add(1, Ordering::Relaxed) + 1;
    let mut conn = BufReader::new(conn);
    loop {
        let Some(head) = read_head(&mut conn).await else {
            return;
        };
        let request = crate::parse_head(&head, state.scheme);
        state.record(&request, connection);
        let mut keep_alive = wants_keep_alive(&head, &request);
        match request_body_length(&request) {
            Some(0) => {}
            Some(n) if n <= MAX_REQUEST_BODY => {
                let mut body = (&mut conn).take(n);
                if tokio::io::copy(&mut body, &mut tokio::io::sink())
                    .await
                    .is_err()
                {
                    return;
                }
            }
            _ => keep_alive = false,
        }
        state.wait_before_answer().await;
        let answer = answer(state, &request).await;
        let truncated = matches!(
            &answer,
            Answer::Reply(Reply {
                delivery: Delivery::Truncate(_),
                ..
            })
        );
        let written = match answer {
            Answer::Reply(reply) => write_reply(&mut conn, reply, keep_alive).await,
            Answer::Zeros {
                bytes,
                content_length,
                content_type,
            } => write_zeros(&mut conn, bytes, content_length, content_type, keep_alive).await,
            Answer::Raw(bytes) => {
                let _ = conn.write_all(&bytes).await;
                let _ = conn.flush().await;
                close(conn).await;
                return;
            }
            Answer::Reset => {
                let _ = conn.get_ref().tcp().set_zero_linger();
                return;
            }
            Answer::Close => {
                close(conn).await;
                return;
            }
            Answer::Hang => {
                drain(&mut conn).await;
                return;
            }
        };
        match written {
            Ok(true) if keep_alive => {}
            Ok(true) => {
                close(conn).await;
                return;
            }
            Ok(false) if truncated => {
                // The TCP connection ends under TLS: no close_notify.
                let _ = conn.get_mut().tcp_mut().shutdown().await;
                drain(&mut conn).await;
                return;
            }
            Ok(false) => {
                close(conn).await;
                return;
            }
            Err(_) => return,
        }
    }
}

/// Reads a request head up to and including its blank line; `None` at the end of the
/// stream, on an error, or when the head is too long.
async fn read_head<R: AsyncBufReadExt + Unpin>(reader: &mut R) -> Option<Vec<u8>> {
    let mut head = Vec::new();
    loop {
        let before = head.len();
        let mut limited = (&mut *reader).take((MAX_HEAD - before + 1) as u64);
        match limited.read_until(b'\n', &mut head).await {
            Ok(0) | Err(_) => return None,
            Ok(_) => {}
        }
        if head.len() > MAX_HEAD {
            return None;
        }
        let line = &head[before..];
        // A blank line ends the head; blank lines before the request line are skipped
        // as RFC 9112 allows.
        if line == b"\r\n" || line == b"\n" {
            if before == 0 {
                head.clear();
                continue;
            }
            if !head.ends_with(b"\r\n\r\n") {
                // parse_head splits on CRLF; normalise bare LF line ends.
                let text = String::from_utf8_lossy(&head).replace("\r\n", "\n");
                return Some(text.replace('\n', "\r\n").into_bytes());
            }
            return Some(head);
        }
    }
}

fn wants_keep_alive(head: &[u8], request: &Request) -> bool {
    let connection = request
        .headers
        .get("connection")
        .map(|v| v.to_ascii_lowercase())
        .unwrap_or_default();
    let first_line = head.split(|&b| b == b'\n').next().unwrap_or_default();
    let http10 = first_line.trim_ascii_end().ends_with(b"HTTP/1.0");
    if http10 {
        connection.contains("keep-alive")
    } else {
        !connection.contains("close")
    }
}

/// The request body's length: `Some(0)` without one, `None` when it cannot be known
/// (chunked, or a malformed length).
fn request_body_length(request: &Request) -> Option<u64> {
    if request.headers.contains_key("transfer-encoding") {
        return None;
    }
    match request.headers.get("content-length") {
        None => Some(0),
        Some(n) => n.trim().parse().ok(),
    }
}

async fn answer(state: &State, request: &Request) -> Answer {
    let proxy = &state.proxy;
    let raw_path = request.path();
    if let Some(expected) = &proxy.authorization
        && !authorized(request.headers.get("authorization"), expected)
    {
        let mut reply = Reply::text(401, raw_path);
        reply.headers.push((
            "WWW-Authenticate".to_string(),
            "Basic realm=\"goproxy\"".to_string(),
        ));
        return Answer::Reply(reply);
    }
    let Some(path) = percent_decode(raw_path) else {
        return Answer::Reply(Reply::text(400, raw_path));
    };
    let relative = if proxy.base_path.is_empty() {
        path.strip_prefix('/')
    } else {
        path.strip_prefix(&proxy.base_path)
            .and_then(|rest| rest.strip_prefix('/'))
    };
    let Some(relative) = relative else {
        return Answer::Reply(Reply::text(404, raw_path));
    };
    let fault = match find_fault(&proxy.faults, relative) {
        Some(Fault::Sequence(faults)) => {
            let index = state
                .counters
                .lock()
                .map(|mut counters| {
                    let n = counters.entry(relative.to_string()).or_insert(0);
                    *n += 1;
                    *n - 1
                })
                .unwrap_or(0);
            faults.get(index).cloned().unwrap_or(Fault::Normal)
        }
        Some(fault) => fault.clone(),
        None => Fault::Normal,
    };
    let normal = || normal_answer(state, request, relative);
    match fault {
        Fault::Normal | Fault::Sequence(_) => Answer::Reply(normal().await),
        Fault::Status(status) => Answer::Reply(Reply::text(status, raw_path)),
        Fault::StatusBody(status, body) => Answer::Reply(Reply::new(
            status,
            "text/plain; charset=utf-8",
            body.into_bytes(),
        )),
        Fault::Reply {
            status,
            headers,
            body,
        } => Answer::Reply(Reply {
            status,
            reason: status_text(status),
            headers,
            body: body.into(),
            delivery: Delivery::Whole,
        }),
        Fault::Reset => Answer::Reset,
        Fault::Close => Answer::Close,
        Fault::Hang => Answer::Hang,
        Fault::SlowDrip { bytes_per_sec } => {
            let mut reply = normal().await;
            reply.delivery = Delivery::Drip(bytes_per_sec);
            Answer::Reply(reply)
        }
        Fault::Truncate { after } | Fault::ResetStream { after } => {
            let mut reply = normal().await;
            reply.delivery = Delivery::Truncate(after);
            Answer::Reply(reply)
        }
        Fault::Body(body) => Answer::Reply(Reply::new(200, content_type(relative), body)),
        Fault::Redirect(status, location) => {
            let mut reply = Reply::new(status, "text/plain; charset=utf-8", Vec::new());
            reply.headers = vec![("Location".to_string(), location)];
            Answer::Reply(reply)
        }
        Fault::HugeBody {
            bytes,
            content_length,
        } => Answer::Zeros {
            bytes,
            content_length,
            content_type: content_type(relative),
        },
        Fault::Raw(bytes) => Answer::Raw(bytes),
    }
}

fn authorized(sent: Option<&String>, expected: &str) -> bool {
    let Some(sent) = sent else { return false };
    let (scheme, credentials) = sent.trim().split_once(' ').unwrap_or((sent, ""));
    let (_, expected_credentials) = expected.split_once(' ').unwrap_or((expected, ""));
    scheme.eq_ignore_ascii_case("basic") && credentials.trim() == expected_credentials
}

/// The fault for `path`: an exact key, else the longest `*` pattern it starts with.
fn find_fault<'a>(faults: &'a BTreeMap<String, Fault>, path: &str) -> Option<&'a Fault> {
    if let Some(fault) = faults.get(path) {
        return Some(fault);
    }
    faults
        .iter()
        .filter_map(|(key, fault)| {
            let prefix = key.strip_suffix('*')?;
            path.starts_with(prefix).then_some((prefix.len(), fault))
        })
        .max_by_key(|(len, _)| *len)
        .map(|(_, fault)| fault)
}

/// The content type an endpoint normally has.
fn content_type(relative: &str) -> &'static str {
    if relative.ends_with(".zip") {
        "application/zip"
    } else if relative.ends_with(".info") || relative.ends_with("/@latest") {
        "application/json"
    } else {
        "text/plain; charset=utf-8"
    }
}

/// The answer without faults: the modules, then checksum-database proxying, then the
/// directory.
async fn normal_answer(state: &State, request: &Request, relative: &str) -> Reply {
    let proxy = &state.proxy;
    let raw_path = request.path();
    if request.method != "GET" {
        let mut reply = Reply::text(405, raw_path);
        reply.headers.push(("Allow".to_string(), "GET".to_string()));
        return reply;
    }
    if let Some(reply) = module_answer(proxy, relative) {
        return reply;
    }
    if let Some(rest) = relative.strip_prefix("sumdb/") {
        for (name, upstream) in &proxy.sumdbs {
            let Some(endpoint) = rest
                .strip_prefix(name.as_str())
                .and_then(|r| r.strip_prefix('/'))
            else {
                continue;
            };
            if endpoint == "supported" {
                return Reply::new(200, "text/plain; charset=utf-8", Vec::new());
            }
            let query = request.target.split_once('?').map(|(_, q)| q);
            return forward(upstream, endpoint, query).await;
        }
    }
    if let Some(dir) = &proxy.dir
        && !relative.ends_with("/@latest")
        && let Some(reply) = file_answer(dir, relative).await
    {
        return reply;
    }
    Reply::text(404, raw_path)
}

fn module_answer(proxy: &GoProxy, relative: &str) -> Option<Reply> {
    if let Some(escaped_path) = relative.strip_suffix("/@latest") {
        let module = proxy.modules.get(escaped_path)?;
        let latest = latest_version(module)?;
        return Some(Reply::new(
            200,
            "application/json",
            Arc::clone(&latest.info),
        ));
    }
    let (escaped_path, file) = relative.rsplit_once("/@v/")?;
    let module = proxy.modules.get(escaped_path)?;
    if file == "list" {
        let mut versions: Vec<&str> = module
            .versions
            .values()
            .map(|e| e.version.as_str())
            .filter(|v| semver::is_valid(v) && !modpath::is_pseudo_version(v))
            .collect();
        sort_versions(&mut versions);
        let body: String = versions.iter().map(|v| format!("{v}\n")).collect();
        return Some(Reply::new(
            200,
            "text/plain; charset=utf-8",
            body.into_bytes(),
        ));
    }
    let (escaped_version, kind) = file.rsplit_once('.')?;
    let entry = module.versions.get(escaped_version)?;
    let (content_type, body) = match kind {
        "info" => ("application/json", &entry.info),
        "mod" => ("text/plain; charset=utf-8", &entry.go_mod),
        "zip" => ("application/zip", &entry.zip),
        _ => return None,
    };
    Some(Reply::new(200, content_type, Arc::clone(body)))
}

/// The highest release, else the highest pre-release, else the highest pseudo-version.
fn latest_version(module: &ModuleEntry) -> Option<&VersionEntry> {
    let highest = |keep: &dyn Fn(&str) -> bool| {
        module
            .versions
            .values()
            .filter(|e| semver::is_valid(&e.version) && keep(&e.version))
            .max_by(|a, b| {
                semver::compare(&a.version, &b.version).then_with(|| a.version.cmp(&b.version))
            })
    };
    let pseudo = |v: &str| modpath::is_pseudo_version(v);
    highest(&|v| !pseudo(v) && semver::prerelease(v).is_empty())
        .or_else(|| highest(&|v| !pseudo(v)))
        .or_else(|| highest(&pseudo))
}

/// Sorts as Go's `semver.Sort`: by precedence, then as strings.
fn sort_versions(versions: &mut [&str]) {
    versions.sort_by(|a, b| semver::compare(a, b).then_with(|| a.cmp(b)));
}

fn info_json(version: &str, time: &str) -> String {
    format!("{{\"Version\":\"{version}\",\"Time\":\"{time}\"}}")
}

/// A file of a `GOPROXY=file://` directory; `None` when there is none.
async fn file_answer(dir: &Path, relative: &str) -> Option<Reply> {
    let mut path = dir.to_path_buf();
    for element in relative.split('/') {
        // Only plain names: nothing may reach outside the directory.
        if element.is_empty() || element == "." || element == ".." || element.contains(['\\', '\0'])
        {
            return None;
        }
        path.push(element);
    }
    let read = tokio::task::spawn_blocking(move || {
        if std::fs::metadata(&path)?.is_dir() {
            return Err(io::Error::from(io::ErrorKind::NotFound));
        }
        std::fs::read(&path)
    })
    .await
    .ok()?;
    match read {
        Ok(body) => Some(Reply::new(200, content_type(relative), body)),
        Err(e) if e.kind() == io::ErrorKind::PermissionDenied => {
            Some(Reply::text(403, &format!("/{relative}")))
        }
        Err(_) => None,
    }
}

/// `http://authority/path` → (`authority`, `/path` or ``).
fn split_http_url(url: &str) -> Option<(&str, &str)> {
    let rest = url.strip_prefix("http://")?;
    let (authority, path) = rest.find('/').map_or((rest, ""), |i| rest.split_at(i));
    (!authority.is_empty()).then_some((authority, path.trim_end_matches('/')))
}

/// Relays a GET of `upstream/endpoint?query`. It asks with HTTP/1.0, so the answer is
/// never chunked: its body ends at its `Content-Length` or else at the close.
async fn forward(upstream: &str, endpoint: &str, query: Option<&str>) -> Reply {
    let bad_gateway = |detail: String| {
        Reply::new(
            502,
            "text/plain; charset=utf-8",
            format!("Bad Gateway: {detail}\n").into_bytes(),
        )
    };
    let Some((authority, base)) = split_http_url(upstream) else {
        return bad_gateway(format!("bad upstream {upstream}"));
    };
    let target = match query {
        Some(q) => format!("{base}/{endpoint}?{q}"),
        None => format!("{base}/{endpoint}"),
    };
    let exchange = async {
        let mut stream = BufReader::new(TcpStream::connect(authority).await?);
        let request =
            format!("GET {target} HTTP/1.0\r\nHost: {authority}\r\nConnection: close\r\n\r\n");
        stream.get_mut().write_all(request.as_bytes()).await?;
        let head = read_head(&mut stream)
            .await
            .ok_or_else(|| io::Error::other("no answer"))?;
        let head = String::from_utf8_lossy(&head).into_owned();
        let length = head.split("\r\n").find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.trim()
                .eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse::<u64>().ok())
                .flatten()
        });
        let mut body = Vec::new();
        let limit = length.unwrap_or(u64::MAX).min(MAX_UPSTREAM as u64);
        (&mut stream).take(limit).read_to_end(&mut body).await?;
        io::Result::Ok((head, body))
    };
    let (head, body) = match tokio::time::timeout(UPSTREAM_TIMEOUT, exchange).await {
        Ok(Ok(answer)) => answer,
        Ok(Err(e)) => return bad_gateway(e.to_string()),
        Err(_) => return bad_gateway("timeout".to_string()),
    };
    let mut lines = head.split("\r\n");
    let mut status_line = lines.next().unwrap_or("").splitn(3, ' ');
    let _version = status_line.next();
    let Some(status) = status_line.next().and_then(|s| s.parse::<u16>().ok()) else {
        return bad_gateway("malformed status line".to_string());
    };
    let reason = status_line.next().unwrap_or("").to_string();
    let headers = lines
        .filter_map(|line| line.split_once(':'))
        .filter(|(name, _)| name.trim().eq_ignore_ascii_case("content-type"))
        .map(|(_, value)| ("Content-Type".to_string(), value.trim().to_string()))
        .collect();
    Reply {
        status,
        reason,
        headers,
        body: body.into(),
        delivery: Delivery::Whole,
    }
}

/// Writes a reply; `Ok(false)` when the connection must close afterwards.
async fn write_reply<C: AsyncRead + AsyncWrite + Unpin>(
    conn: &mut C,
    reply: Reply,
    keep_alive: bool,
) -> io::Result<bool> {
    let bodiless = reply.status < 200 || reply.status == 204 || reply.status == 304;
    let mut head = format!("HTTP/1.1 {} {}\r\n", reply.status, reply.reason);
    for (name, value) in &reply.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    if !bodiless {
        head.push_str(&format!("Content-Length: {}\r\n", reply.body.len()));
    }
    let truncated = matches!(reply.delivery, Delivery::Truncate(_));
    if !keep_alive || truncated {
        head.push_str("Connection: close\r\n");
    }
    head.push_str("\r\n");
    conn.write_all(head.as_bytes()).await?;
    let body: &[u8] = if bodiless { &[] } else { &reply.body };
    match reply.delivery {
        Delivery::Whole => conn.write_all(body).await?,
        Delivery::Truncate(after) => {
            conn.write_all(&body[..after.min(body.len())]).await?;
            conn.flush().await?;
            return Ok(false);
        }
        Delivery::Drip(0) => {
            conn.flush().await?;
            drain(conn).await;
            return Ok(false);
        }
        Delivery::Drip(bytes_per_sec) => {
            let (chunk, every) = if bytes_per_sec >= 10 {
                ((bytes_per_sec / 10) as usize, Duration::from_millis(100))
            } else {
                (1, Duration::from_secs(1) / bytes_per_sec)
            };
            conn.flush().await?;
            for piece in body.chunks(chunk) {
                tokio::time::sleep(every).await;
                conn.write_all(piece).await?;
                conn.flush().await?;
            }
        }
    }
    conn.flush().await?;
    Ok(true)
}

/// Writes a 200 whose body is `bytes` zeros, 64 KiB at a time.
async fn write_zeros<W: AsyncWrite + Unpin>(
    conn: &mut W,
    bytes: u64,
    content_length: bool,
    content_type: &str,
    keep_alive: bool,
) -> io::Result<bool> {
    const CHUNK: usize = 64 * 1024;
    let mut head = format!("HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\n");
    if content_length {
        head.push_str(&format!("Content-Length: {bytes}\r\n"));
    } else {
        head.push_str("Transfer-Encoding: chunked\r\n");
    }
    if !keep_alive {
        head.push_str("Connection: close\r\n");
    }
    head.push_str("\r\n");
    conn.write_all(head.as_bytes()).await?;
    let zeros = [0u8; CHUNK];
    let mut left = bytes;
    while left > 0 {
        let n = left.min(CHUNK as u64) as usize;
        if !content_length {
            conn.write_all(format!("{n:x}\r\n").as_bytes()).await?;
        }
        conn.write_all(&zeros[..n]).await?;
        if !content_length {
            conn.write_all(b"\r\n").await?;
        }
        left -= n as u64;
    }
    if !content_length {
        conn.write_all(b"0\r\n\r\n").await?;
    }
    conn.flush().await?;
    Ok(true)
}

/// Closes gracefully: a FIN (over TLS, after `close_notify`), then whatever the client
/// still sends is read and dropped until it closes too (or a few seconds pass), so that
/// unread data does not turn the close into a reset that could overtake what was
/// written.
async fn close<C: AsyncRead + AsyncWrite + Unpin>(mut conn: C) {
    let _ = conn.shutdown().await;
    let _ = tokio::time::timeout(CLOSE_WAIT, drain(&mut conn)).await;
}

/// Reads and drops everything until the client closes the connection.
async fn drain<R: AsyncRead + Unpin>(conn: &mut R) {
    let mut chunk = [0u8; 4096];
    while matches!(conn.read(&mut chunk).await, Ok(n) if n > 0) {}
}

/// Decodes `%XX` escapes; `None` for a malformed escape or a result that is not UTF-8.
fn percent_decode(path: &str) -> Option<String> {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            let hex = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The reason phrase Go's `net/http` writes for a status (`status code N` for one it
/// does not know).
fn status_text(status: u16) -> String {
    let text = match status {
        100 => "Continue",
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        204 => "No Content",
        206 => "Partial Content",
        300 => "Multiple Choices",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        304 => "Not Modified",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        402 => "Payment Required",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        407 => "Proxy Authentication Required",
        408 => "Request Timeout",
        409 => "Conflict",
        410 => "Gone",
        413 => "Request Entity Too Large",
        414 => "Request URI Too Long",
        418 => "I'm a teapot",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        451 => "Unavailable For Legal Reasons",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        505 => "HTTP Version Not Supported",
        511 => "Network Authentication Required",
        _ => return format!("status code {status}"),
    };
    text.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_decoding() {
        assert_eq!(
            percent_decode("/example.com/%21upper/@v/v1.0.0-%21r%21c1.info").as_deref(),
            Some("/example.com/!upper/@v/v1.0.0-!r!c1.info")
        );
        assert_eq!(percent_decode("/a+b~c").as_deref(), Some("/a+b~c"));
        assert_eq!(percent_decode("/a%2"), None);
        assert_eq!(percent_decode("/a%zz"), None);
        assert_eq!(percent_decode("/%ff"), None);
    }

    #[test]
    fn faults_match_exactly_then_by_longest_prefix() {
        let faults: BTreeMap<String, Fault> = [
            ("a/*".to_string(), Fault::Status(500)),
            ("a/@v/*".to_string(), Fault::Status(503)),
            ("a/@v/list".to_string(), Fault::Status(404)),
        ]
        .into_iter()
        .collect();
        assert_eq!(find_fault(&faults, "a/@v/list"), Some(&Fault::Status(404)));
        assert_eq!(
            find_fault(&faults, "a/@v/v1.info"),
            Some(&Fault::Status(503))
        );
        assert_eq!(find_fault(&faults, "a/@latest"), Some(&Fault::Status(500)));
        assert_eq!(find_fault(&faults, "b/@latest"), None);
    }

    #[test]
    fn latest_prefers_releases_then_prereleases_then_pseudo_versions() {
        let files: &[(&str, &[u8])] = &[];
        let pseudo = "v0.0.0-20240101000000-abcdefabcdef";
        let proxy = GoProxy::new().module("m.test/a", pseudo, files);
        let latest = |p: &GoProxy| {
            latest_version(p.modules.get("m.test/a").unwrap())
                .unwrap()
                .version
                .clone()
        };
        assert_eq!(latest(&proxy), pseudo);
        let proxy = proxy.module("m.test/a", "v1.1.0-rc.1", files);
        assert_eq!(latest(&proxy), "v1.1.0-rc.1");
        let proxy = proxy
            .module("m.test/a", "v1.0.0", files)
            .module("m.test/a", "v0.9.0", files);
        assert_eq!(latest(&proxy), "v1.0.0");
    }

    #[test]
    fn sequences_are_flattened() {
        let fault = Fault::Sequence(vec![
            Fault::Status(500),
            Fault::Sequence(vec![Fault::Reset, Fault::Sequence(vec![Fault::Close])]),
            Fault::Normal,
        ]);
        assert_eq!(
            fault.flattened(),
            Fault::Sequence(vec![
                Fault::Status(500),
                Fault::Reset,
                Fault::Close,
                Fault::Normal
            ])
        );
    }
}
