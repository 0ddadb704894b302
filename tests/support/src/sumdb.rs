//! A checksum database for tests, speaking the protocol of sum.golang.org (`/latest`,
//! `/lookup/<M>@<V>`, `/tile/<H>/<L>/<NNN>[.p/<W>]`, `/tile/<H>/data/...`) on
//! 127.0.0.1, port 0.
//!
//! [`SumdbServer::fixture`] serves one of the scenarios recorded from Go's own
//! checksum-database server in `tests/fixtures/sumdb/` (see the README there): the
//! bytes are Go's, so a client that accepts them agrees with Go on the wire format,
//! and the misbehaving scenarios are misbehaviour as Go's server produces it. The
//! scenario can be switched while the server runs, to show a client a log that grew,
//! forked or went back between two runs.
//!
//! [`SumdbServer::generated`] serves a log made at start-up with `tlog::MemoryLog`, of
//! any size, for benchmarks: record `i` is [`generated_record`]`(i)`, the go.sum lines of
//! the module [`generated_module`]`(i)` at `v1.0.0`, whose hashes anyone can compute.
//! [`SumdbServer::from_gosum`] serves the same kind of log made of a go.sum's lines.
//!
//! Every request is recorded (so a test can say that no tile was fetched twice), every
//! answer can be delayed, and the server can act as a GOPROXY that proxies the
//! database (`/sumdb/<name>/supported`, `/sumdb/<name>/<path>`).

use std::collections::HashMap;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use gomod_common::sumdb::note::Signer;
use gomod_common::sumdb::tlog::{self, MemoryLog, Tile};
use sha2::{Digest, Sha256};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

use crate::{Log, Request, Response, Running, parse_head, read_head, record, write_response};

/// The name of the database in the recorded fixture.
pub const FIXTURE_NAME: &str = "sumdb.fixture.test";

/// The verifier key of the recorded fixture (sumdbserver's default seed).
pub const FIXTURE_VKEY: &str =
    "sumdb.fixture.test+1e35f783+AXUVg+v7FlCtFjEP0DHyyoiCdmD6oLsHvUPm7AWx+u3j";

/// The signer key matching [`FIXTURE_VKEY`] (`sumdbserver -print-key`).
pub const FIXTURE_SKEY: &str =
    "PRIVATE+KEY+sumdb.fixture.test+1e35f783+AY24ai0zgsTs79wVOL17Ee0qvuSbR0mT/Kj5WYBz+4Nw";

/// The directory holding the recorded scenarios.
pub fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures/sumdb")
}

/// How deep scenarios may name each other as bases (`grown` → `honest`).
const MAX_BASE_DEPTH: usize = 4;

/// One recorded scenario: the files Go's server answered with, and its `info`.
#[derive(Clone, Debug)]
pub struct Scenario {
    /// The scenario's name (its directory under [`fixtures_dir`]).
    pub name: String,
    /// The database name.
    pub db_name: String,
    /// The verifier key the server signed with.
    pub vkey: String,
    /// The number of records in its log.
    pub tree_size: i64,
    /// The server flags it was recorded with (`-filler-before 300 -bad-signature`).
    pub flags: String,
    dirs: Vec<PathBuf>,
}

impl Scenario {
    /// Reads the scenario `name` from [`fixtures_dir`].
    pub fn load(name: &str) -> io::Result<Scenario> {
        let mut dirs = Vec::new();
        let mut next = Some(name.to_string());
        let mut first_info = None;
        while let Some(current) = next.take() {
            if dirs.len() > MAX_BASE_DEPTH || !is_plain_name(&current) {
                return Err(io::Error::other(format!("bad scenario base {current:?}")));
            }
            let dir = fixtures_dir().join(&current);
            let info = std::fs::read_to_string(dir.join("info"))?;
            next = info_value(&info, "base").map(str::to_string);
            dirs.push(dir);
            first_info.get_or_insert(info);
        }
        let info = first_info.unwrap_or_default();
        let field = |key: &str| {
            info_value(&info, key)
                .map(str::to_string)
                .ok_or_else(|| io::Error::other(format!("scenario {name}: no {key} in info")))
        };
        Ok(Scenario {
            name: name.to_string(),
            db_name: field("name")?,
            vkey: field("vkey")?,
            tree_size: field("tree_size")?
                .parse()
                .map_err(|_| io::Error::other(format!("scenario {name}: bad tree_size")))?,
            flags: info_value(&info, "flags").unwrap_or_default().to_string(),
            dirs,
        })
    }

    /// The names of the recorded scenarios.
    pub fn names() -> io::Result<Vec<String>> {
        let mut names = Vec::new();
        for entry in std::fs::read_dir(fixtures_dir())? {
            let entry = entry?;
            if entry.path().join("info").is_file() {
                names.push(entry.file_name().to_string_lossy().into_owned());
            }
        }
        names.sort();
        Ok(names)
    }

    /// Every path recorded for the scenario, in it or its bases, sorted.
    pub fn paths(&self) -> io::Result<Vec<String>> {
        fn walk(root: &Path, dir: &Path, paths: &mut Vec<String>) -> io::Result<()> {
            for entry in std::fs::read_dir(dir)? {
                let path = entry?.path();
                if path.is_dir() {
                    walk(root, &path, paths)?;
                } else if let Ok(relative) = path.strip_prefix(root) {
                    paths.push(relative.to_string_lossy().into_owned());
                }
            }
            Ok(())
        }
        let mut paths = Vec::new();
        for dir in &self.dirs {
            walk(dir, dir, &mut paths)?;
        }
        paths.retain(|path| path != "info");
        paths.sort();
        paths.dedup();
        Ok(paths)
    }

    /// The recorded body for a server path (`latest`, `lookup/...`, `tile/...`), looked
    /// up in the scenario and then its bases; None when Go's server answered 404.
    pub fn file(&self, path: &str) -> Option<Vec<u8>> {
        if !is_safe_relative(path) {
            return None;
        }
        self.dirs
            .iter()
            .find_map(|dir| std::fs::read(dir.join(path)).ok())
    }
}

fn info_value<'a>(info: &'a str, key: &str) -> Option<&'a str> {
    info.lines()
        .find_map(|line| line.strip_prefix(key)?.strip_prefix(' '))
}

fn is_plain_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// A relative path with no empty, `.` or `..` element, so it stays inside a scenario.
fn is_safe_relative(path: &str) -> bool {
    !path.is_empty()
        && !path.contains('\\')
        && !path.contains('\0')
        && path
            .split('/')
            .all(|element| !element.is_empty() && element != "." && element != "..")
}

/// The version of every generated module.
pub const GENERATED_VERSION: &str = "v1.0.0";

/// The module path of generated record `i`: `example.com/bench/m0000042`.
pub fn generated_module(i: usize) -> String {
    format!("example.com/bench/m{i:07}")
}

/// The hash a generated record holds for `<module> <version>` (`version` may end in
/// `/go.mod`): `h1:` and the standard base64 of SHA-256 of that text, so that a shell
/// can compute it (`printf '%s' "$m v1.0.0" | sha256sum | xxd -r -p | base64`).
pub fn generated_hash(module: &str, version: &str) -> String {
    let digest = Sha256::digest(format!("{module} {version}").as_bytes());
    format!("h1:{}", STANDARD.encode(digest))
}

/// Generated record `i`: the go.sum lines of [`generated_module`]`(i)` at
/// [`GENERATED_VERSION`], zip hash first, as sum.golang.org's records are.
pub fn generated_record(i: usize) -> String {
    let module = generated_module(i);
    let go_mod = format!("{GENERATED_VERSION}/go.mod");
    format!(
        "{module} {GENERATED_VERSION} {}\n{module} {go_mod} {}\n",
        generated_hash(&module, GENERATED_VERSION),
        generated_hash(&module, &go_mod)
    )
}

/// A log of generated records and its signed head.
struct Generated {
    log: MemoryLog,
    signed: String,
    /// Record numbers by `module@version`, for a log made from go.sum lines; None for the
    /// numbered records of [`generated_record`].
    index: Option<HashMap<String, i64>>,
}

impl Generated {
    fn new(records: usize) -> Generated {
        let mut log = MemoryLog::new();
        for i in 0..records {
            log.append(generated_record(i).as_bytes());
        }
        Generated::signed(log, None)
    }

    /// A log with one record per module version of `gosum`, in order of first
    /// appearance: its zip line, then its go.mod line, as sum.golang.org's records are.
    fn from_gosum(gosum: &str) -> Generated {
        let mut order: Vec<String> = Vec::new();
        let mut lines: HashMap<String, (Option<&str>, Option<&str>)> = HashMap::new();
        for line in gosum.lines() {
            let mut fields = line.split_whitespace();
            let (Some(module), Some(version), Some(_hash), None) =
                (fields.next(), fields.next(), fields.next(), fields.next())
            else {
                continue;
            };
            let (version, go_mod) = match version.strip_suffix("/go.mod") {
                Some(version) => (version, true),
                None => (version, false),
            };
            let key = format!("{module}@{version}");
            let slot = lines.entry(key.clone()).or_insert_with(|| {
                order.push(key);
                (None, None)
            });
            if go_mod {
                slot.1 = Some(line);
            } else {
                slot.0 = Some(line);
            }
        }
        let mut log = MemoryLog::new();
        let mut index = HashMap::new();
        for key in order {
            let (zip, go_mod) = lines[&key];
            let record: String = [zip, go_mod]
                .into_iter()
                .flatten()
                .map(|l| format!("{l}\n"))
                .collect();
            index.insert(key, log.append(record.as_bytes()));
        }
        Generated::signed(log, Some(index))
    }

    fn signed(log: MemoryLog, index: Option<HashMap<String, i64>>) -> Generated {
        let signer = Signer::from_private_key(FIXTURE_SKEY).expect("the fixture's signer key");
        let signed = log.signed_tree(&signer);
        Generated { log, signed, index }
    }

    /// The record number of `module@version`.
    fn id(&self, target: &str) -> Option<i64> {
        if let Some(index) = &self.index {
            return index.get(target).copied();
        }
        let (module, version) = target.rsplit_once('@')?;
        let number = module.strip_prefix("example.com/bench/m")?;
        if version != GENERATED_VERSION
            || number.len() != 7
            || !number.bytes().all(|b| b.is_ascii_digit())
        {
            return None;
        }
        number.parse().ok()
    }

    fn file(&self, path: &str) -> Option<Vec<u8>> {
        if path == "latest" {
            return Some(self.signed.clone().into_bytes());
        }
        if let Some(target) = path.strip_prefix("lookup/") {
            let id = self.id(target)?;
            let mut answer = tlog::format_record(id, self.log.record(id)?).ok()?;
            answer.extend_from_slice(self.signed.as_bytes());
            return Some(answer);
        }
        let tile = Tile::parse_path(path).ok()?;
        self.log.tile_data(&tile).ok()
    }
}

/// Where the answers come from.
enum Source {
    Fixture(Scenario),
    Generated(Generated),
}

impl Source {
    fn name(&self) -> &str {
        match self {
            Source::Fixture(s) => &s.db_name,
            Source::Generated(_) => FIXTURE_NAME,
        }
    }

    /// The answer to a database path (`/latest`, `/lookup/...`, `/tile/...`).
    fn answer(&self, path: &str) -> Response {
        let Some(relative) = path.strip_prefix('/') else {
            return not_found();
        };
        let body = match self {
            Source::Fixture(scenario) => scenario.file(relative),
            Source::Generated(generated) => generated.file(relative),
        };
        match body {
            Some(body) => Response::new(200, body).header("Content-Type", content_type(path)),
            None => not_found(),
        }
    }
}

/// x/mod's `sumdb.Server` content types: hash tiles are binary, the rest text.
fn content_type(path: &str) -> &'static str {
    if path.starts_with("/tile/") && !path.contains("/data/") {
        "application/octet-stream"
    } else {
        "text/plain; charset=UTF-8"
    }
}

/// x/mod's answer for an unknown module version or a tile past the tree.
fn not_found() -> Response {
    Response::text(404, "file does not exist").header("X-Content-Type-Options", "nosniff")
}

struct Shared {
    source: RwLock<Arc<Source>>,
    delay: Mutex<Duration>,
    supported: Mutex<Option<u16>>,
    /// TCP connections accepted so far.
    connections: AtomicU64,
}

impl Shared {
    fn source(&self) -> Arc<Source> {
        match self.source.read() {
            Ok(source) => Arc::clone(&source),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    fn delay(&self) -> Duration {
        self.delay.lock().map(|d| *d).unwrap_or_default()
    }

    fn answer(&self, request: &Request) -> Response {
        let source = self.source();
        let raw_path = request.path();
        // Go's client sends `!` as is; other clients may escape it.
        let path = gomod_common::gourl::path_unescape(raw_path).unwrap_or_default();
        if request.method != "GET" {
            return Response::text(405, "method not allowed");
        }
        let proxy_prefix = format!("/sumdb/{}/", source.name());
        if let Some(rest) = path.strip_prefix(&proxy_prefix) {
            let supported = self.supported.lock().map(|s| *s).unwrap_or_default();
            return match (supported, rest) {
                (None, _) => not_found(),
                (Some(200), "supported") => Response::text(200, "ok"),
                (Some(status), "supported") => {
                    Response::text(status, &format!("sumdb {} not proxied here", source.name()))
                }
                (Some(_), rest) => source.answer(&format!("/{rest}")),
            };
        }
        if path == "/latest" || path.starts_with("/lookup/") || path.starts_with("/tile/") {
            source.answer(&path)
        } else {
            not_found()
        }
    }
}

/// A running checksum database on 127.0.0.1; stops when dropped.
pub struct SumdbServer {
    running: Running,
    shared: Arc<Shared>,
}

impl SumdbServer {
    /// Serves the recorded scenario `scenario` (a directory of [`fixtures_dir`]).
    ///
    /// # Panics
    /// If the scenario cannot be read.
    pub fn fixture(scenario: &str) -> SumdbServer {
        let scenario = Scenario::load(scenario)
            .unwrap_or_else(|e| panic!("sumdb fixture scenario {scenario}: {e}"));
        SumdbServer::start(Source::Fixture(scenario))
    }

    /// Serves a log of `records` generated records ([`generated_record`]), signed with
    /// the fixture's key ([`FIXTURE_VKEY`]), answering every request after `delay`.
    pub fn generated(records: usize, delay: Duration) -> SumdbServer {
        let server = SumdbServer::start(Source::Generated(Generated::new(records)));
        server.set_delay(delay);
        server
    }

    /// Serves a log of the module versions in go.sum text `gosum` (one record each, in
    /// order of first appearance), signed with the fixture's key, answering every request
    /// after `delay`: a database that agrees with that go.sum.
    pub fn from_gosum(gosum: &str, delay: Duration) -> SumdbServer {
        let server = SumdbServer::start(Source::Generated(Generated::from_gosum(gosum)));
        server.set_delay(delay);
        server
    }

    fn start(source: Source) -> SumdbServer {
        let shared = Arc::new(Shared {
            source: RwLock::new(Arc::new(source)),
            delay: Mutex::new(Duration::ZERO),
            supported: Mutex::new(None),
            connections: AtomicU64::new(0),
        });
        let running = serve(Arc::clone(&shared));
        SumdbServer { running, shared }
    }

    /// Serves the recorded scenario `scenario` from now on (same address, same log of
    /// requests), as if the database had been replaced between two client runs.
    ///
    /// # Panics
    /// If the scenario cannot be read.
    pub fn switch(&self, scenario: &str) {
        let scenario = Scenario::load(scenario)
            .unwrap_or_else(|e| panic!("sumdb fixture scenario {scenario}: {e}"));
        if let Ok(mut source) = self.shared.source.write() {
            *source = Arc::new(Source::Fixture(scenario));
        }
    }

    /// Delays every answer from now on by `delay`.
    pub fn set_delay(&self, delay: Duration) {
        if let Ok(mut current) = self.shared.delay.lock() {
            *current = delay;
        }
    }

    /// Makes the server act as a GOPROXY for the database: `Some(200)` answers
    /// `/sumdb/<name>/supported` with 200 and serves the database under
    /// `/sumdb/<name>/`; another status answers `/supported` with it; None (the default)
    /// answers 404 to every `/sumdb/...` path.
    pub fn set_supported(&self, status: Option<u16>) {
        if let Ok(mut current) = self.shared.supported.lock() {
            *current = status;
        }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.running.addr)
    }

    /// The database name.
    pub fn name(&self) -> String {
        self.shared.source().name().to_string()
    }

    /// The verifier key of the database being served.
    pub fn vkey(&self) -> String {
        match &*self.shared.source() {
            Source::Fixture(s) => s.vkey.clone(),
            Source::Generated(_) => FIXTURE_VKEY.to_string(),
        }
    }

    /// The number of records in the log being served.
    pub fn tree_size(&self) -> i64 {
        match &*self.shared.source() {
            Source::Fixture(s) => s.tree_size,
            Source::Generated(g) => g.log.size(),
        }
    }

    /// A GOSUMDB value that reaches this server directly: `<vkey> <url>`.
    pub fn gosumdb(&self) -> String {
        format!("{} {}", self.vkey(), self.url())
    }

    /// The paths requested so far, in order (`/lookup/...`, `/tile/8/0/000`), with
    /// the query removed.
    pub fn paths(&self) -> Vec<String> {
        self.running
            .requests()
            .iter()
            .map(|r| r.path().to_string())
            .collect()
    }

    /// The TCP connections accepted so far (whether or not a request came on them).
    pub fn connections(&self) -> u64 {
        self.shared.connections.load(Ordering::SeqCst)
    }

    /// Forgets the requests seen so far.
    pub fn clear_requests(&self) {
        if let Ok(mut log) = self.running.log.lock() {
            log.clear();
        }
    }

    /// The underlying server: address and full request records.
    pub fn running(&self) -> &Running {
        &self.running
    }
}

/// Runs the accept loop on its own runtime thread. Unlike [`crate::Server`] it answers
/// each request from an async task, so that a delayed answer does not hold up others.
fn serve(shared: Arc<Shared>) -> Running {
    let std_listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    std_listener.set_nonblocking(true).expect("nonblocking");
    let addr = std_listener.local_addr().expect("local addr");
    let log = Log::default();
    let (stop_tx, mut stop_rx) = oneshot::channel::<()>();
    let thread_log = Arc::clone(&log);
    let thread = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(async move {
            let listener = TcpListener::from_std(std_listener).expect("listener");
            loop {
                tokio::select! {
                    _ = &mut stop_rx => break,
                    accepted = listener.accept() => {
                        let Ok((stream, _)) = accepted else { continue };
                        let _ = stream.set_nodelay(true);
                        shared.connections.fetch_add(1, Ordering::SeqCst);
                        let shared = Arc::clone(&shared);
                        let log = Arc::clone(&thread_log);
                        tokio::spawn(async move {
                            let _ = serve_connection(stream, &shared, &log).await;
                        });
                    }
                }
            }
        });
        runtime.shutdown_background();
    });
    Running {
        addr,
        log,
        stop: Some(stop_tx),
        thread: Some(thread),
    }
}

async fn serve_connection(
    stream: tokio::net::TcpStream,
    shared: &Shared,
    log: &Log,
) -> io::Result<()> {
    // Buffered: the request head is read a byte at a time.
    let mut stream = tokio::io::BufReader::new(stream);
    while let Some(head) = read_head(&mut stream).await? {
        let request = parse_head(&head, "http");
        record(log, &request);
        let response = shared.answer(&request);
        let delay = shared.delay();
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
        write_response(&mut stream, &response).await?;
    }
    Ok(())
}
