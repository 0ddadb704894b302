//! The checksum-database client: what `cmd/go/internal/modfetch/sumdb.go` (`dbClient`)
//! and `golang.org/x/mod/sumdb/client.go` (`Client`) do to answer "which hashes does the
//! database hold for M@V?", stricter where the reference has known flaws.
//!
//! * The base URL is found as `dbClient.initBase` finds it: GOSUMDB's explicit URL, or
//!   the first GOPROXY entry that answers 200 to `/sumdb/<name>/supported`, or
//!   `https://<name>` when every entry said "not found" or the walk reached `direct`,
//!   `off` or `noproxy`; any other failure makes every lookup fail with it.
//! * A lookup (`/lookup/<M>@<V>`) is the record id, the record text and a signed tree
//!   head. The head is opened with the GOSUMDB key and merged into the timeline (the
//!   latest verified head: a larger one must contain it, a smaller one must be a prefix
//!   of it, each proven through tiles; otherwise the database forked). The record is
//!   then proven to be leaf `id` of the latest tree through authenticated tiles.
//! * Tiles are read from the state directory or the server (exact tile, then the full
//!   tile truncated), every one authenticated before use — the tiles holding the
//!   subtree roots against the signed tree hash, every other one against its parent —
//!   and saved only once authenticated.
//!
//! Stricter than x/mod (`go-checksum-semantics.md` 6.6): only lines of the
//! authenticated record count, and they must be for exactly M V (an answer whose record
//! has no line for M V is refused, CVE-2026-42501); every tile is checked against its
//! parent (CVE-2026-56865); two signed heads of the same size with different hashes are a
//! fork even when no tile can be fetched; after a fork every later lookup of the client
//! fails; the record id must be canonical decimal. Optionally the record text is also
//! compared with the server's data tile.
//!
//! Not like the go command: the state (latest head, tiles, validated lookups) lives in a
//! directory of the caller's choosing, in Go's layout, and the go command's own
//! `latest` file is only read, to check that both views of the log agree. Each client
//! also asks `/latest` once (the go command never does), so that a fork is noticed even
//! when every lookup comes from the state directory.
//!
//! A [`SumdbClient`] is shared by concurrent lookups (`Arc`): every tile and every
//! lookup is requested at most once per client, however many lookups need it at the
//! same time.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::Duration;

use futures_util::future::{BoxFuture, FutureExt, Shared};
use tokio::sync::OnceCell;

use crate::gourl;
use crate::net::http::{self, GetOptions, HttpClient};
use crate::record::{Code, redact_url, untrusted};
use crate::route::{EntrySpec, ErrorRanking, ProxyEntry, SumdbSpec};
use crate::sumdb::note::{self, VerifierKey};
use crate::sumdb::tlog::{self, Hash, HashReader, Tile, TileReader, TlogError, Tree};
use crate::{modpath, regular, tempfiles};

/// The tile height the go command and sum.golang.org use.
pub const TILE_HEIGHT: u32 = 8;

/// The most bytes read for a lookup answer or a signed tree head (x/mod reads any size;
/// `ParseTree` refuses more than 1e6 bytes).
const MAX_NOTE_BYTES: usize = 1 << 20;

/// The most bytes of a hash tile: 2^8 hashes of 32 bytes.
const MAX_HASH_TILE_BYTES: usize = (1 << TILE_HEIGHT) * tlog::HASH_SIZE;

/// The most bytes of a data tile (256 records of go.sum lines are a few tens of KB).
const MAX_DATA_TILE_BYTES: usize = 4 << 20;

/// How much of a server's text goes into an error.
const MAX_QUOTED_BYTES: usize = 4096;

/// How many rounds of "work out the tiles, fetch them" one proof may take; each round
/// fetches every tile the proof asked for, so one round normally suffices.
const MAX_TILE_ROUNDS: usize = 4;

/// Go's text after a checksum mismatch (`sumdbMismatch` in cmd/go's fetch.go).
const SUMDB_MISMATCH: &str = "\n\nSECURITY ERROR\nThis download does NOT match the one reported by the checksum server.\nThe bits may have been replaced on the origin server, or an attacker may\nhave intercepted the download attempt.\n\nFor more information, see 'go help module-auth'.\n";

/// Go's text when the database has no hash for the download (`sumdbAbsent`, Go 1.26.3+).
const SUMDB_ABSENT: &str = "\n\nSECURITY ERROR\nThis download does NOT match one reported by the checksum server.\nThe checksum server has provided checksums, but the checksums do\nnot contain an entry for the download.\nThe checksum server may be malfunctioning, or an attacker may have\nintercepted the checksum request.\nThe download cannot be verified.\n\nFor more information, see 'go help module-auth'.\n";

/// How to reach one checksum database and where to keep what was learnt about it.
#[derive(Clone, Debug)]
pub struct ClientOptions {
    /// The database, as parsed from GOSUMDB (`route::parse_gosumdb`).
    pub spec: SumdbSpec,
    /// The GOPROXY list (`route::parse_goproxy`), walked for
    /// `<proxy>/sumdb/<name>/supported` when GOSUMDB names no URL.
    pub goproxy: Vec<ProxyEntry>,
    /// Our own state directory: the latest verified tree head in `<dir>/<name>/latest`,
    /// authenticated tiles in `<dir>/<name>/tile/...`, validated lookups in
    /// `<dir>/<name>/lookup/...` (Go's layout, never Go's directories).
    pub state_dir: PathBuf,
    /// The go command's `$GOPATH/pkg/sumdb/<name>/latest`, read (never written) to
    /// check that our view of the log is consistent with Go's.
    pub go_latest: Option<PathBuf>,
    /// Limit for each HTTP request.
    pub timeout: Duration,
}

/// A verified signed tree head.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TreeHead {
    /// The number of records in the tree.
    pub size: i64,
    /// The tree hash.
    pub hash: Hash,
    /// The whole signed note, as the server sent it.
    pub note: String,
}

/// Why the client talks to the database at the URL it uses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BaseVia {
    /// GOSUMDB names the URL; proxies are not consulted.
    Gosumdb,
    /// This GOPROXY entry (credentials redacted) answered 200 to
    /// `/sumdb/<name>/supported`.
    Proxy(String),
    /// No proxy serves the database (all answered not found, or the walk reached
    /// `direct`, `off` or `noproxy`): `https://<name>`.
    Direct,
}

/// One `/sumdb/<name>/supported` request made while looking for the base URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SupportedProbe {
    /// The GOPROXY entry asked (credentials redacted).
    pub proxy: String,
    /// The outcome: `200 OK`, or Go's text for the failure
    /// (`reading <url>: 404 Not Found`, `Get "<url>": ...`).
    pub outcome: String,
}

/// The base URL all database requests go to, and how it was chosen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Base {
    /// The base URL (credentials redacted), without a trailing slash.
    pub url: String,
    /// Why this one.
    pub via: BaseVia,
    /// The `/supported` requests made, in order.
    pub probes: Vec<SupportedProbe>,
}

/// What the database holds for one module version, authenticated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lookup {
    /// The module path.
    pub module: String,
    /// The version (without `/go.mod`).
    pub version: String,
    /// The record's number in the log.
    pub record_id: i64,
    /// The record's go.sum lines for exactly this module version (`M V h1:...` and
    /// `M V/go.mod h1:...`), in record order.
    pub lines: Vec<String>,
    /// The hash of the module zip (`h1:...`), if the record has one.
    pub zip_hash: Option<String>,
    /// The hash of the go.mod file (`h1:...`), if the record has one.
    pub mod_hash: Option<String>,
    /// The tree head the record was proven against: the latest the client knows.
    pub tree: TreeHead,
    /// The size of the tree head that came with the answer (smaller than `tree.size`
    /// when the database served an older head than the client knew).
    pub served_size: i64,
    /// Whether the answer came from the state directory instead of the server.
    pub cached: bool,
}

impl Lookup {
    /// Checks a computed hash against the database as the go command's `checkSumDB`
    /// does: accepted when a line is exactly `M V[/go.mod] <hash>`; a line for the same
    /// module version with another `h1:` hash is a mismatch (SECURITY ERROR); and —
    /// as Go 1.26.3 and later, unlike Go 1.19 — no line at all is a failure too.
    pub fn check(&self, go_mod: bool, computed: &str) -> Result<(), SumdbError> {
        let version = if go_mod {
            format!("{}/go.mod", self.version)
        } else {
            self.version.clone()
        };
        let have = format!("{} {version} {computed}", self.module);
        let prefix = format!("{} {version} h1:", self.module);
        for line in &self.lines {
            if *line == have {
                return Ok(());
            }
            if let Some(database) = line.strip_prefix(&prefix) {
                return Err(SumdbError::new(
                    Code::SumdbMismatch,
                    format!(
                        "the checksum database has h1:{database} for {}@{version}, not {computed}",
                        self.module
                    ),
                    format!(
                        "checksum mismatch\n\tdownloaded: {computed}\n\t{}: h1:{database}{SUMDB_MISMATCH}",
                        self.tree_name()
                    ),
                ));
            }
        }
        Err(SumdbError::new(
            Code::SumdbProofFailed,
            format!(
                "the checksum database's record has no hash for {}@{version}",
                self.module
            ),
            format!("checksum missing from sumdb response{SUMDB_ABSENT}"),
        ))
    }

    /// The database name, from the signature line of the tree head.
    fn tree_name(&self) -> &str {
        self.tree
            .note
            .rsplit("\n\n")
            .next()
            .and_then(|sigs| sigs.strip_prefix("— "))
            .and_then(|sig| sig.split(' ').next())
            .unwrap_or("")
    }
}

/// Evidence that the database showed two inconsistent histories.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fork {
    /// The go command's "old database": the smaller tree head (of two of one size,
    /// the one shown last), whichever was seen first.
    pub old: TreeHead,
    /// The go command's "new database": the larger tree head (of two of one size, the
    /// one known first).
    pub new: TreeHead,
    /// The hash of the first `old.size` records according to `new`'s tiles: differs
    /// from `old.hash`.
    pub computed: Hash,
    /// The consistency proof from `new`'s tree to `computed` (empty for heads of the
    /// same size).
    pub proof: Vec<Hash>,
    /// The go command's `SECURITY ERROR` report, byte for byte.
    pub report: String,
}

/// How the go command words a failure around the client's text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum GoForm {
    /// A `sumdb.Client.Lookup` error: `M@V: verifying <noun>: M@V[/go.mod]: <text>`.
    Lookup,
    /// A `checkSumDB` error of the go command itself: `M@V: verifying <noun>: <text>`.
    Command,
    /// A `SECURITY ERROR` report the go command prints as it is, then exits.
    Security,
    /// Not a checksum-database failure: a path or version the go command refuses
    /// before it asks the database.
    Input,
}

/// The texts `checkSumDB` (the go command, not the client) starts its errors with.
const COMMAND_TEXTS: [&str; 2] = ["checksum mismatch", "checksum missing from sumdb response"];

/// A failed lookup: the record code, a plain sentence, and Go's text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SumdbError {
    /// `sumdb_not_found` (404/410), `sumdb_bad_signature`, `sumdb_proof_failed`,
    /// `sumdb_fork`, `sumdb_mismatch` (from [`Lookup::check`]), the network layer's code
    /// when the database could not be reached, or an input code for a path or version
    /// that cannot be looked up.
    pub code: Code,
    /// One plain sentence.
    pub message: String,
    /// What the Go code says: x/mod's `Lookup` error without its `M@V: ` prefix, the
    /// go command's own text, or the `SECURITY ERROR` report for a fork. Text from the
    /// server in it has control characters escaped and is length-limited.
    pub go_text: String,
    /// The fork, for `sumdb_fork`.
    pub fork: Option<Box<Fork>>,
    /// For `state_corrupt`: the file to remove to start afresh (it is rebuilt from the
    /// database).
    pub clear: Option<PathBuf>,
    /// The go command would still be waiting for the database's answer and print
    /// nothing (see `NetError::go_waits`): `go_text` is this tool's description.
    pub go_waits: bool,
}

impl SumdbError {
    fn new(code: Code, message: impl Into<String>, go_text: impl Into<String>) -> SumdbError {
        SumdbError {
            code,
            message: message.into(),
            go_text: go_text.into(),
            fork: None,
            clear: None,
            go_waits: false,
        }
    }

    /// Whether the go command meets this failure too (it does not when this tool's
    /// own state is damaged: it never reads it).
    pub fn go_meets(&self) -> bool {
        !self.go_text.is_empty()
    }

    fn with_clear(mut self, path: &Path) -> SumdbError {
        self.clear = Some(path.to_path_buf());
        self
    }

    /// How the go command words this failure: the fork report as it is, the go
    /// command's own checks without the client's `M@V: `, input errors alone.
    fn form(&self) -> GoForm {
        if self.code == Code::SumdbFork {
            GoForm::Security
        } else if matches!(self.code, Code::ModulePathInvalid | Code::VersionInvalid) {
            GoForm::Input
        } else if COMMAND_TEXTS.iter().any(|t| self.go_text.starts_with(t)) {
            GoForm::Command
        } else {
            GoForm::Lookup
        }
    }

    fn proof_failed(message: impl Into<String>, go_text: impl Into<String>) -> SumdbError {
        SumdbError::new(Code::SumdbProofFailed, message, go_text)
    }

    /// The same failure found while initializing: x/mod prefixes
    /// `initializing sumdb.Client: `.
    fn initializing(mut self) -> SumdbError {
        if self.form() == GoForm::Lookup && self.go_meets() {
            self.go_text = format!("initializing sumdb.Client: {}", self.go_text);
        }
        self
    }

    /// The line the go command prints when this failure happens while it verifies
    /// `module@version` (`go_mod`: the go.mod hash, else the zip hash):
    /// `go: M@V: verifying go.mod: M@V/go.mod: <text>`, or the `SECURITY ERROR` report.
    /// Meaningless when [`SumdbError::go_meets`] is false.
    pub fn go_error(&self, module: &str, version: &str, go_mod: bool) -> String {
        let noun = if go_mod { "go.mod" } else { "module" };
        let suffix = if go_mod { "/go.mod" } else { "" };
        match self.form() {
            GoForm::Lookup => format!(
                "go: {module}@{version}: verifying {noun}: {module}@{version}{suffix}: {}",
                self.go_text
            ),
            GoForm::Command => {
                format!("go: {module}@{version}: verifying {noun}: {}", self.go_text)
            }
            GoForm::Security => self.go_text.clone(),
            GoForm::Input => format!("go: {}", self.go_text),
        }
    }
}

impl std::fmt::Display for SumdbError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.go_text)
    }
}

impl std::error::Error for SumdbError {}

/// A client for one checksum database, shared by concurrent lookups (`Arc`).
pub struct SumdbClient {
    inner: Arc<Inner>,
}

/// What the client checks beyond what the go command checks, and how hard it may
/// press the server.
#[derive(Clone, Copy, Debug)]
struct Checks {
    latest: bool,
    data_tiles: bool,
    max_requests: Option<usize>,
}

/// A lookup answer or tile on its way, shared by everyone who needs it.
type Pending<T> = Shared<BoxFuture<'static, Result<T, SumdbError>>>;

/// A lookup answer that passed every check.
#[derive(Debug)]
struct Validated {
    id: i64,
    text: String,
    tree: TreeHead,
    served_size: i64,
    cached: bool,
}

/// The latest verified tree head and its signed note.
#[derive(Clone)]
struct Timeline {
    tree: Tree,
    note: Vec<u8>,
}

/// Where a tree head stands relative to the timeline (`msgPast` ...).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum When {
    Past,
    Now,
    Future,
}

/// Why `/latest` did not give a head: failing to fetch it does not stop lookups, a
/// head that fails verification does.
#[derive(Clone, Debug)]
struct LatestFailure {
    error: SumdbError,
    verification: bool,
}

struct Inner {
    http: Arc<HttpClient>,
    options: ClientOptions,
    checks: Checks,
    /// Bounds the requests in flight, when [`SumdbClient::max_requests`] set a limit.
    in_flight: Option<tokio::sync::Semaphore>,
    name: String,
    verifiers: Vec<VerifierKey>,
    base: OnceCell<Result<(Base, gourl::Url), SumdbError>>,
    init: OnceCell<Result<(), SumdbError>>,
    latest: OnceCell<Result<TreeHead, LatestFailure>>,
    timeline: Mutex<Timeline>,
    fork: Mutex<Option<SumdbError>>,
    records: Mutex<HashMap<String, Pending<Arc<Validated>>>>,
    tiles: Mutex<HashMap<Tile, Pending<Arc<Vec<u8>>>>>,
    saved: Mutex<HashSet<Tile>>,
    requests: Mutex<Vec<String>>,
    warnings: Mutex<Vec<(Code, String)>>,
    /// Tiles read from the state directory this run.
    state_tiles: Mutex<HashSet<Tile>>,
    /// Set once tiles from the state directory failed to authenticate: from then on
    /// every tile comes from the server.
    skip_state_tiles: std::sync::atomic::AtomicBool,
}

/// Locks a mutex, recovering the data if a panicking thread poisoned it (every value
/// kept under these locks is valid at every point).
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl SumdbClient {
    /// A client; nothing is read or fetched until the first call. It asks `/latest`
    /// with the first lookup ([`SumdbClient::check_latest`]), does not fetch data tiles
    /// ([`SumdbClient::confirm_data_tiles`]) and does not bound the requests in flight
    /// ([`SumdbClient::max_requests`]).
    pub fn new(http: Arc<HttpClient>, options: ClientOptions) -> SumdbClient {
        let empty = Tree {
            n: 0,
            hash: tlog::tree_hash(0, &tlog::MemoryLog::new()).unwrap_or([0; 32]),
        };
        SumdbClient {
            inner: Arc::new(Inner {
                http,
                checks: Checks {
                    latest: true,
                    data_tiles: false,
                    max_requests: None,
                },
                in_flight: None,
                name: options.spec.name.clone(),
                verifiers: vec![options.spec.verifier.clone()],
                options,
                base: OnceCell::new(),
                init: OnceCell::new(),
                latest: OnceCell::new(),
                timeline: Mutex::new(Timeline {
                    tree: empty,
                    note: Vec::new(),
                }),
                fork: Mutex::new(None),
                records: Mutex::default(),
                tiles: Mutex::default(),
                saved: Mutex::default(),
                requests: Mutex::default(),
                warnings: Mutex::default(),
                state_tiles: Mutex::default(),
                skip_state_tiles: std::sync::atomic::AtomicBool::new(false),
            }),
        }
    }

    /// Whether to ask `/latest` once, with the first lookup (default on), so that
    /// the timeline is checked even when every lookup is answered from the state
    /// directory. Failing to fetch it does not fail lookups; a head that does not
    /// verify, or forks, does. The go command never asks `/latest`; without it the
    /// client makes exactly the go command's requests. Call before the first lookup.
    pub fn check_latest(self, on: bool) -> SumdbClient {
        self.with_checks(|checks| checks.latest = on)
    }

    /// Whether to also fetch the data tile holding each record and check that it holds
    /// the lookup's record text (default off). The inclusion proof already binds the
    /// text (the leaf is its hash), so this is a second witness at the cost of a request
    /// per 256 records; the go command never does it. Call before the first lookup.
    pub fn confirm_data_tiles(self, on: bool) -> SumdbClient {
        self.with_checks(|checks| checks.data_tiles = on)
    }

    /// At most `n` requests to the database (or proxies) in flight at once, however
    /// many lookups run (default: no limit). A caller that runs all its lookups at once
    /// and lets this bound the connections keeps the pipe full: a lookup needs its
    /// answer and then, usually, a tile, one after the other. Call before the first
    /// lookup.
    pub fn max_requests(self, n: usize) -> SumdbClient {
        self.with_checks(|checks| checks.max_requests = Some(n.max(1)))
    }

    fn with_checks(self, change: impl FnOnce(&mut Checks)) -> SumdbClient {
        match Arc::try_unwrap(self.inner) {
            Ok(mut inner) => {
                change(&mut inner.checks);
                inner.in_flight = inner.checks.max_requests.map(tokio::sync::Semaphore::new);
                SumdbClient {
                    inner: Arc::new(inner),
                }
            }
            // Already shared with lookups under way: the settings stay as they are.
            Err(inner) => SumdbClient { inner },
        }
    }

    /// The database name.
    pub fn name(&self) -> &str {
        &self.inner.name
    }

    /// GOSUMDB's first field for this database, as a user would write it: the name of
    /// a database whose key Go has built in, else the full verifier key.
    pub fn gosumdb_key(&self) -> &str {
        let spec = &self.inner.options.spec;
        if spec.known { &spec.name } else { &spec.key }
    }

    /// The base URL, found as `dbClient.initBase` finds it (once per client).
    pub async fn base(&self) -> Result<Base, SumdbError> {
        self.inner.base().await.map(|(base, _)| base)
    }

    /// Opens the connection the first lookup will use, without a request: to GOSUMDB's
    /// URL, else to the first GOPROXY entry that will be asked whether it proxies the
    /// database (or to the database itself when the walk reaches `direct` or `off`
    /// first). A caller that knows lookups will follow can have the TCP and TLS
    /// handshakes done while it waits for them; the lookups then make exactly the
    /// requests they would have made. Nothing for `file://` URLs.
    pub async fn preconnect(&self) -> Result<(), crate::net::dial::NetError> {
        let options = &self.inner.options;
        let direct = &options.spec.direct_url;
        let first = match &options.spec.url {
            Some(url) => url,
            None => options
                .goproxy
                .iter()
                .find_map(|entry| match &entry.spec {
                    EntrySpec::Noproxy => None,
                    EntrySpec::Url(proxy) => Some(proxy),
                    EntrySpec::Direct | EntrySpec::Off => Some(direct),
                })
                .unwrap_or(direct),
        };
        let Ok(url) = gourl::parse(first) else {
            return Ok(());
        };
        if url.scheme != "http" && url.scheme != "https" {
            return Ok(());
        }
        self.inner.http.preconnect(&url).await
    }

    /// The base URL if it has been found already (by a lookup), without a request:
    /// where a failed lookup went.
    pub fn known_base(&self) -> Option<Base> {
        match self.inner.base.get() {
            Some(Ok((base, _))) => Some(base.clone()),
            _ => None,
        }
    }

    /// Fetches `/latest` (once per client), verifies it and merges it into the
    /// timeline; returns the head the server sent. The go command never does this;
    /// lookups do it alongside their first request unless
    /// [`SumdbClient::check_latest`] turned it off.
    pub async fn latest(&self) -> Result<TreeHead, SumdbError> {
        self.inner.latest().await.map_err(|f| f.error)
    }

    /// The latest verified tree head the client knows (from the state directory, Go's
    /// `latest` file, `/latest` or lookups), None before any.
    pub fn tree(&self) -> Option<TreeHead> {
        let timeline = lock(&self.inner.timeline).clone();
        (!timeline.note.is_empty()).then(|| tree_head(&timeline))
    }

    /// Looks up `module` at `version` (a trailing `/go.mod` is ignored: one record
    /// holds both hashes) and authenticates the answer.
    pub async fn lookup(&self, module: &str, version: &str) -> Result<Lookup, SumdbError> {
        let version = version.strip_suffix("/go.mod").unwrap_or(version);
        Arc::clone(&self.inner).lookup(module, version).await
    }

    /// Every URL requested from the network so far, in order, credentials redacted.
    pub fn requests(&self) -> Vec<String> {
        lock(&self.inner.requests).clone()
    }

    /// Problems with the state directory that did not fail a lookup (the latest tree
    /// head could not be saved, a tile could not be cached: `state_unwritable`; a
    /// damaged tile or lookup, fetched again: `state_corrupt`) since the last call:
    /// each is reported once, by the caller that takes it.
    pub fn take_warnings(&self) -> Vec<(Code, String)> {
        std::mem::take(&mut *lock(&self.inner.warnings))
    }
}

/// A tree head from the timeline; the note was verified, so it is UTF-8.
fn tree_head(timeline: &Timeline) -> TreeHead {
    TreeHead {
        size: timeline.tree.n,
        hash: timeline.tree.hash,
        note: String::from_utf8_lossy(&timeline.note).into_owned(),
    }
}

/// `web.Join`: the base URL with `path` appended to both its path and raw path, so that
/// the request line is exactly what the go command sends.
fn join(base: &gourl::Url, path: &str) -> gourl::Url {
    let mut joined = base.clone();
    let tail = path.strip_prefix('/').unwrap_or(path);
    joined.path = format!(
        "{}/{tail}",
        base.path.strip_suffix('/').unwrap_or(&base.path)
    );
    joined.raw_path = format!(
        "{}/{tail}",
        base.raw_path.strip_suffix('/').unwrap_or(&base.raw_path)
    );
    joined
}

/// Text from the network for an error: lossy UTF-8, control characters other than
/// newline and tab escaped, length-limited.
fn network_text(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let mut out = String::new();
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let budget = MAX_QUOTED_BYTES.saturating_sub(out.len());
        if budget == 0 {
            out.push_str("…[truncated]");
            break;
        }
        let kept: String = line
            .split('\t')
            .map(|part| untrusted(part, budget))
            .collect::<Vec<_>>()
            .join("\t");
        out.push_str(&kept);
    }
    out
}

/// A failed GET: the status (None for a transport failure) and Go's text.
#[derive(Clone, Debug)]
struct GetError {
    status: Option<u16>,
    code: Code,
    go_text: String,
    /// See `NetError::go_waits`.
    go_waits: bool,
}

impl GetError {
    /// `errors.Is(err, fs.ErrNotExist)` for the go command's web errors.
    fn is_not_found(&self) -> bool {
        matches!(self.status, Some(404 | 410))
    }

    /// The failure as a lookup error; 404/410 get `not_found_code`.
    fn into_sumdb(self, not_found_code: Code, what: &str) -> SumdbError {
        let code = if self.is_not_found() {
            not_found_code
        } else {
            self.code
        };
        let message = match self.status {
            Some(404 | 410) if not_found_code == Code::SumdbNotFound => {
                format!("the checksum database does not have {what}")
            }
            Some(status) => format!("the checksum database answered {status} for {what}"),
            None if self.code == Code::LimitExceeded => format!(
                "the checksum database's answer for {what} is too large: {}",
                self.go_text
            ),
            None if self.code == Code::HttpTimeout => format!(
                "the checksum database's answer for {what} did not arrive in time: {}",
                self.go_text
            ),
            None => format!("the checksum database could not be reached for {what}"),
        };
        SumdbError {
            go_waits: self.go_waits,
            ..SumdbError::new(code, message, self.go_text)
        }
    }
}

/// Writes `data` to `path` through a temporary file in the same directory and a
/// rename, so that readers see the old or the new content, never a part. The temporary
/// files a killed run left in the directory are removed first ([`tempfiles`]).
fn write_atomic(path: &Path, data: &[u8]) -> std::io::Result<()> {
    const TEMP_TOOL: &str = "gomod-sumdb";
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    static PREFIX: OnceLock<String> = OnceLock::new();
    let dir = path
        .parent()
        .ok_or_else(|| std::io::Error::other("no parent directory"))?;
    tempfiles::remove_stale(dir, TEMP_TOOL);
    let temp = dir.join(format!(
        "{}{}{}",
        PREFIX.get_or_init(|| tempfiles::prefix(TEMP_TOOL)),
        COUNTER.fetch_add(1, Ordering::Relaxed),
        tempfiles::SUFFIX
    ));
    // The directory usually exists (a run writes hundreds of tiles into a few): it is
    // made only when the first write finds it missing, not before every file.
    let written = match std::fs::write(&temp, data) {
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            std::fs::create_dir_all(dir).and_then(|()| std::fs::write(&temp, data))
        }
        other => other,
    };
    let result = written.and_then(|()| std::fs::rename(&temp, path));
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result
}

/// [`write_atomic`] on the bounded blocking pool ([`crate::blocking`]), so that a slow
/// file system does not hold up the lookups running on the runtime's threads.
async fn write_in_background(path: PathBuf, data: Vec<u8>) -> std::io::Result<()> {
    crate::blocking::run(move || write_atomic(&path, &data))
        .await
        .unwrap_or_else(|err| Err(std::io::Error::other(err)))
}

/// A cache file's content; a missing, unreadable or empty file counts as absent (Go's
/// `ReadCache`: an empty file may be one being written), and so does one that is not a
/// regular file or is larger than any note ([`regular`]).
fn read_cache_file(path: &Path) -> Option<Vec<u8>> {
    regular::read(path, regular::SUMDB_NOTE)
        .ok()
        .filter(|data| !data.is_empty())
}

/// Whether a failure to verify something kept on this machine means it was damaged
/// here: what was saved had been verified.
fn is_damage(err: &SumdbError) -> bool {
    matches!(err.code, Code::SumdbBadSignature | Code::SumdbProofFailed)
}

/// The error for damaged state kept on this machine: `what` (a file) failed `err`.
/// Local, not the database's doing; `clear` is what to remove to start afresh. The go
/// command prints `go_text` when it reads the file itself (its own `latest`), nothing
/// when the file is this tool's.
fn state_corrupt(what: &Path, err: &SumdbError, clear: &Path, go_text: String) -> SumdbError {
    SumdbError::new(
        Code::StateCorrupt,
        format!(
            "the checksum database state kept on this machine in {} is damaged (a local problem, not the database's): {}",
            what.display(),
            err.message
        ),
        go_text,
    )
    .with_clear(clear)
}

impl Inner {
    /// `<state_dir>/<file>` where `file` is `<name>/latest`, `<name>/tile/...` or
    /// `<name>/lookup/...`.
    fn state_path(&self, file: &str) -> PathBuf {
        self.options.state_dir.join(&self.name).join(file)
    }

    fn warn(&self, code: Code, text: String) {
        lock(&self.warnings).push((code, text));
    }

    fn fork(&self) -> Option<SumdbError> {
        lock(&self.fork).clone()
    }

    // ----- HTTP -----

    /// GETs `url` as the go command's `web.GetBytes` does: 200 gives the body (at most
    /// `limit` bytes); any other status is an error worded as Go words it.
    async fn get_bytes(&self, url: &gourl::Url, limit: usize) -> Result<Vec<u8>, GetError> {
        // Never closed, so acquiring only fails if it were; then go on unbounded.
        let _permit = match &self.in_flight {
            Some(semaphore) => semaphore.acquire().await.ok(),
            None => None,
        };
        let redacted = redact_url(&url.to_string());
        lock(&self.requests).push(redacted.clone());
        if url.scheme == "file" {
            return read_file_url(url, &redacted, limit);
        }
        let options = GetOptions {
            insecure_tls: false,
            timeout: self.options.timeout,
            accept: None,
        };
        let response = self.http.get(url, options).await.map_err(|err| GetError {
            status: None,
            code: err.net.code,
            go_text: err.go_text,
            go_waits: err.net.go_waits,
        })?;
        if response.status != 200 {
            let status = response.status;
            let status_text = response.status_text.clone();
            let content_type = response.content_type().map(str::to_string);
            let body = response
                .bytes(64 * 1024)
                .await
                .unwrap_or_default()
                .into_iter()
                .take(http::MAX_ERROR_DETAIL_BYTES)
                .collect::<Vec<u8>>();
            return Err(GetError {
                status: Some(status),
                go_waits: false,
                code: http::status_code(status),
                go_text: http::status_error_text(
                    &redacted,
                    &status_text,
                    content_type.as_deref(),
                    &body,
                ),
            });
        }
        response.bytes(limit).await.map_err(|err| GetError {
            status: None,
            code: err.code,
            go_text: err.go_text,
            go_waits: err.go_waits,
        })
    }

    // ----- the base URL -----

    async fn base(&self) -> Result<(Base, gourl::Url), SumdbError> {
        self.base.get_or_init(|| self.find_base()).await.clone()
    }

    /// `dbClient.initBase`: GOSUMDB's URL, else the GOPROXY walk of `TryProxies`.
    async fn find_base(&self) -> Result<(Base, gourl::Url), SumdbError> {
        let direct = |probes: Vec<SupportedProbe>| -> Result<(Base, gourl::Url), SumdbError> {
            let url = gourl::parse(&self.options.spec.direct_url).map_err(|err| {
                SumdbError::new(
                    Code::GosumdbInvalid,
                    "the checksum database name is not a valid host[/path]",
                    err.to_string(),
                )
            })?;
            let base = Base {
                url: redact_url(&self.options.spec.direct_url),
                via: BaseVia::Direct,
                probes,
            };
            Ok((base, url))
        };
        if let Some(raw) = &self.options.spec.url {
            let url = gourl::parse(raw).map_err(|err| {
                SumdbError::new(
                    Code::GosumdbInvalid,
                    "GOSUMDB's URL does not parse",
                    format!("invalid GOSUMDB URL: {err}"),
                )
            })?;
            let base = Base {
                url: redact_url(raw).trim_end_matches('/').to_string(),
                via: BaseVia::Gosumdb,
                probes: Vec::new(),
            };
            return Ok((base, url));
        }
        let mut ranking: ErrorRanking<(SumdbError, bool)> = ErrorRanking::new();
        let mut probes = Vec::new();
        for entry in &self.options.goproxy {
            let (error, not_found, use_proxy) = match &entry.spec {
                EntrySpec::Noproxy => (
                    SumdbError::new(
                        Code::SumdbNotFound,
                        "the noproxy entry does not serve the checksum database",
                        crate::route::ERR_USE_PROXY,
                    ),
                    true,
                    true,
                ),
                EntrySpec::Direct | EntrySpec::Off => (
                    SumdbError::new(
                        Code::SumdbNotFound,
                        "the walk reached direct or off",
                        crate::route::ERR_PROXY_OFF,
                    ),
                    true,
                    false,
                ),
                EntrySpec::Url(proxy) => {
                    let shown = redact_url(proxy);
                    match gourl::parse(proxy) {
                        Err(err) => (
                            SumdbError::new(
                                Code::GoproxyInvalid,
                                "a GOPROXY entry does not parse",
                                err.to_string(),
                            ),
                            false,
                            false,
                        ),
                        Ok(proxy_url) => {
                            let supported =
                                join(&proxy_url, &format!("sumdb/{}/supported", self.name));
                            match self.get_bytes(&supported, MAX_NOTE_BYTES).await {
                                Ok(_) => {
                                    probes.push(SupportedProbe {
                                        proxy: shown.clone(),
                                        outcome: "200 OK".to_string(),
                                    });
                                    let url = join(&proxy_url, &format!("sumdb/{}", self.name));
                                    let base = Base {
                                        url: redact_url(&url.to_string()),
                                        via: BaseVia::Proxy(shown),
                                        probes,
                                    };
                                    return Ok((base, url));
                                }
                                Err(err) => {
                                    probes.push(SupportedProbe {
                                        proxy: shown,
                                        outcome: err.go_text.clone(),
                                    });
                                    let not_found = err.is_not_found();
                                    let error = err.into_sumdb(
                                        Code::SumdbNotFound,
                                        "its /supported address, so it cannot be used through this GOPROXY entry",
                                    );
                                    (error, not_found, false)
                                }
                            }
                        }
                    }
                }
            };
            if !ranking.failed(entry, (error, not_found), not_found, use_proxy) {
                break;
            }
        }
        match ranking.into_error() {
            None | Some((_, true)) => direct(probes),
            Some((mut error, false)) => {
                error.message = format!(
                    "no GOPROXY entry could say whether it proxies the checksum database ({})",
                    error.message
                );
                Err(error)
            }
        }
    }

    /// `ReadRemote`: GETs `<base>/<path>`.
    async fn read_remote(&self, path: &str, limit: usize) -> Result<Vec<u8>, RemoteError> {
        let (_, base) = self.base().await.map_err(RemoteError::Base)?;
        self.get_bytes(&join(&base, path), limit)
            .await
            .map_err(RemoteError::Get)
    }

    // ----- the configuration file -----

    /// `ReadConfig("<name>/latest")`: a missing file is an empty timeline.
    fn read_config(&self) -> Result<Vec<u8>, SumdbError> {
        let path = self.state_path("latest");
        match regular::read(&path, regular::SUMDB_NOTE) {
            Ok(data) => Ok(data),
            Err(err) if err.is_not_found() => Ok(Vec::new()),
            Err(err) if err.is_refusal() => Err(SumdbError::new(
                Code::StateCorrupt,
                format!(
                    "the checksum database state kept on this machine is damaged (a local problem, not the database's): {err}"
                ),
                String::new(),
            )
            .with_clear(&path)),
            Err(err) => Err(SumdbError::new(
                Code::FileUnreadable,
                format!("cannot read the checksum database state {}", path.display()),
                err.to_string(),
            )),
        }
    }

    /// `WriteConfig`: replaces `old` by `new`, unless the file changed meanwhile
    /// (`Ok(false)`: merge again).
    fn write_config(&self, old: &[u8], new: &[u8]) -> std::io::Result<bool> {
        let path = self.state_path("latest");
        let current = match regular::read(&path, regular::SUMDB_NOTE) {
            Ok(data) => data,
            Err(err) if err.is_not_found() => Vec::new(),
            Err(err) => return Err(std::io::Error::other(err.to_string())),
        };
        if !current.is_empty() && current != old {
            return Ok(false);
        }
        write_atomic(&path, new)?;
        Ok(true)
    }

    // ----- initialization and the timeline -----

    async fn init(self: &Arc<Self>) -> Result<(), SumdbError> {
        self.init
            .get_or_init(|| async {
                // A head saved on this machine that no longer opens was damaged here:
                // it was verified before it was saved. (One that opens but disagrees
                // with the log is a fork, and stays one.)
                let data = self.read_config().map_err(SumdbError::initializing)?;
                let state = self.state_path("latest");
                if !data.is_empty()
                    && let Err(err) = self.open_tree(&data)
                {
                    return Err(state_corrupt(&state, &err, &state, String::new()));
                }
                self.merge_latest(&data)
                    .await
                    .map_err(SumdbError::initializing)?;
                if let Some(go_latest) = &self.options.go_latest
                    && let Some(data) = read_cache_file(go_latest)
                {
                    if let Err(err) = self.open_tree(&data) {
                        // The go command fails on its own file the same way.
                        let go_text = err.clone().initializing().go_text;
                        return Err(state_corrupt(go_latest, &err, go_latest, go_text));
                    }
                    self.merge_latest(&data).await.map_err(|mut err| {
                        if err.code != Code::SumdbFork {
                            err.message = format!(
                                "the go command's tree head {} does not check out: {}",
                                go_latest.display(),
                                err.message
                            );
                        }
                        err.initializing()
                    })?;
                }
                Ok(())
            })
            .await
            .clone()
    }

    async fn latest(self: &Arc<Self>) -> Result<TreeHead, LatestFailure> {
        self.latest
            .get_or_init(|| async {
                let verification = |error: SumdbError| LatestFailure {
                    error,
                    verification: true,
                };
                self.init().await.map_err(verification)?;
                let msg = self
                    .read_remote("/latest", MAX_NOTE_BYTES)
                    .await
                    .map_err(|err| LatestFailure {
                        error: err.into_sumdb(Code::SumdbNotFound, "/latest"),
                        verification: false,
                    })?;
                let tree = self.merge_latest(&msg).await.map_err(verification)?;
                Ok(TreeHead {
                    size: tree.n,
                    hash: tree.hash,
                    note: String::from_utf8_lossy(&msg).into_owned(),
                })
            })
            .await
            .clone()
    }

    /// Opens a signed tree head with the database key and parses its text.
    fn open_tree(&self, msg: &[u8]) -> Result<(String, Tree), SumdbError> {
        let opened = note::open(msg, &self.verifiers).map_err(|err| {
            SumdbError::new(
                Code::SumdbBadSignature,
                format!(
                    "a tree head of the checksum database does not verify with the key of {}: {err}",
                    self.name
                ),
                format!("reading tree note: {err}\nnote:\n{}", network_text(msg)),
            )
        })?;
        let tree = tlog::parse_tree(opened.text.as_bytes()).map_err(|err| {
            SumdbError::proof_failed(
                "the checksum database signed a tree head that does not parse",
                format!(
                    "reading tree: {err}\ntree:\n{}",
                    network_text(opened.text.as_bytes())
                ),
            )
        })?;
        Ok((opened.text, tree))
    }

    /// `mergeLatest`: merges a signed head into the timeline and, if it moved forward,
    /// into the state file (compare-and-swap, merging what another process wrote).
    /// Returns the tree `msg` signs.
    async fn merge_latest(self: &Arc<Self>, msg: &[u8]) -> Result<Tree, SumdbError> {
        let (when, tree) = self.merge_latest_mem(msg).await?;
        if when != When::Future {
            return Ok(tree);
        }
        for _ in 0..16 {
            let stored = self.read_config()?;
            if self.merge_latest_mem(&stored).await?.0 != When::Past {
                return Ok(tree);
            }
            let latest = lock(&self.timeline).note.clone();
            match self.write_config(&stored, &latest) {
                Ok(true) => return Ok(tree),
                Ok(false) => continue,
                Err(err) => {
                    self.warn(
                        Code::StateUnwritable,
                        format!(
                            "cannot save the latest tree head in {}: {}",
                            self.state_path("latest").display(),
                            crate::oserr::errno_text(&err)
                        ),
                    );
                    return Ok(tree);
                }
            }
        }
        self.warn(
            Code::StateUnwritable,
            format!(
                "gave up saving the latest tree head in {}: it keeps changing",
                self.state_path("latest").display()
            ),
        );
        Ok(tree)
    }

    /// `mergeLatestMem`: where `msg` stands relative to the in-memory timeline, which
    /// it advances when it is newer and consistent.
    async fn merge_latest_mem(self: &Arc<Self>, msg: &[u8]) -> Result<(When, Tree), SumdbError> {
        let mut latest = lock(&self.timeline).clone();
        if msg.is_empty() {
            let when = if latest.tree.n == 0 {
                When::Now
            } else {
                When::Past
            };
            return Ok((
                when,
                Tree {
                    n: 0,
                    ..latest.tree
                },
            ));
        }
        if msg == latest.note.as_slice() {
            // The head every answer of an unchanging log carries: verified already.
            return Ok((When::Now, latest.tree));
        }
        let (_, tree) = self.open_tree(msg)?;
        loop {
            if tree.n <= latest.tree.n {
                self.check_trees(tree, msg, latest.tree, &latest.note)
                    .await?;
                let when = if tree.n < latest.tree.n {
                    When::Past
                } else {
                    When::Now
                };
                return Ok((when, tree));
            }
            self.check_trees(latest.tree, &latest.note, tree, msg)
                .await?;
            let mut timeline = lock(&self.timeline);
            if timeline.tree == latest.tree {
                *timeline = Timeline {
                    tree,
                    note: msg.to_vec(),
                };
                return Ok((When::Future, tree));
            }
            latest = timeline.clone();
        }
    }

    /// `checkTrees`: proves that `older` is a prefix of `newer`; if it is not, reports a
    /// fork (and every later lookup fails with it).
    async fn check_trees(
        self: &Arc<Self>,
        older: Tree,
        older_note: &[u8],
        newer: Tree,
        newer_note: &[u8],
    ) -> Result<(), SumdbError> {
        if older == newer {
            return Ok(());
        }
        let computed = if older.n == newer.n {
            // Two signed heads of one size and different hashes: no tile can make
            // them consistent, and x/mod's TreeHash from the newer tiles is its hash.
            newer.hash
        } else {
            self.with_tiles(newer, |reader| tlog::tree_hash(older.n, reader))
                .await
                .map_err(|failure| {
                    failure.into_error(
                        &format!("checking tree#{} against tree#{}: ", older.n, newer.n),
                        "the checksum database's tiles do not prove that its new tree head contains the old one",
                    )
                })?
        };
        if computed == older.hash {
            return Ok(());
        }
        let proof = if older.n == newer.n {
            Ok(Vec::new())
        } else {
            self.with_tiles(newer, |reader| tlog::prove_tree(newer.n, older.n, reader))
                .await
                .map_err(|failure| failure.text())
        };
        let error = fork_error(older, older_note, newer, newer_note, computed, proof);
        let mut sticky = lock(&self.fork);
        Err(sticky.get_or_insert(error).clone())
    }

    // ----- tiles -----

    /// Runs a proof over the tiles of `tree`: works out which tiles it reads, fetches
    /// the missing ones concurrently (each at most once per client), and runs it again
    /// until it has every tile it needs.
    async fn with_tiles<T>(
        self: &Arc<Self>,
        tree: Tree,
        proof: impl Fn(&dyn HashReader) -> Result<T, TlogError>,
    ) -> Result<T, TileFailure> {
        for _ in 0..MAX_TILE_ROUNDS {
            let reader = MemTiles {
                inner: self,
                missing: Mutex::default(),
                failed: Mutex::default(),
                authenticated: Mutex::default(),
                used_state: Mutex::default(),
            };
            let result = proof(&tlog::tile_hash_reader(tree, &reader));
            if let Some(failed) = reader.failed.into_inner().unwrap_or_default() {
                return Err(TileFailure::Fetch(failed));
            }
            let missing = reader.missing.into_inner().unwrap_or_default();
            if missing.is_empty() {
                if result.is_err()
                    && reader.used_state.into_inner().unwrap_or_default()
                    && !self.skip_state_tiles.swap(true, Ordering::Relaxed)
                {
                    // Tiles kept here were authenticated before they were saved: if
                    // they no longer are, they were damaged here. Ask the server.
                    self.forget_state_tiles();
                    continue;
                }
                self.save_tiles(reader.authenticated.into_inner().unwrap_or_default())
                    .await;
                return result.map_err(TileFailure::Proof);
            }
            futures_util::future::join_all(missing.into_iter().map(|t| self.tile(t))).await;
        }
        Err(TileFailure::Proof(TlogError::Internal(
            "the proof kept asking for new tiles".to_string(),
        )))
    }

    /// Drops every tile read from the state directory, so that it is fetched from the
    /// server (and saved again once authenticated), and says so.
    fn forget_state_tiles(&self) {
        let damaged: Vec<Tile> = lock(&self.state_tiles).drain().collect();
        {
            let mut tiles = lock(&self.tiles);
            let mut saved = lock(&self.saved);
            for tile in &damaged {
                tiles.remove(tile);
                saved.remove(tile);
            }
        }
        self.warn(
            Code::StateCorrupt,
            format!(
                "tiles kept on this machine in {} did not authenticate against the signed tree head: they were damaged here, and were fetched again from the database",
                self.state_path("tile").display()
            ),
        );
    }

    /// The tile's data, fetched once per client.
    async fn tile(self: &Arc<Self>, tile: Tile) -> Result<Arc<Vec<u8>>, SumdbError> {
        let pending = {
            let mut tiles = lock(&self.tiles);
            tiles
                .entry(tile)
                .or_insert_with(|| Arc::clone(self).fetch_tile(tile).boxed().shared())
                .clone()
        };
        pending.await
    }

    /// `readTile`: the exact tile from the state directory, the full tile from there
    /// (truncated), the exact tile from the server, the full tile from the server
    /// (truncated); otherwise the error of the exact request. Data tiles only from the
    /// server.
    async fn fetch_tile(self: Arc<Self>, tile: Tile) -> Result<Arc<Vec<u8>>, SumdbError> {
        let path = tile.path();
        let full = Tile {
            w: 1 << tile.h,
            ..tile
        };
        let truncate = |mut data: Vec<u8>| {
            if tile.l >= 0 {
                data.truncate(tile.w as usize * tlog::HASH_SIZE);
            }
            Arc::new(data)
        };
        let limit = if tile.l < 0 {
            MAX_DATA_TILE_BYTES
        } else {
            MAX_HASH_TILE_BYTES
        };
        if tile.l >= 0 && !self.skip_state_tiles.load(Ordering::Relaxed) {
            let from_state = |data| {
                lock(&self.saved).insert(tile);
                lock(&self.state_tiles).insert(tile);
                data
            };
            if let Some(data) = read_cache_file(&self.state_path(&path)) {
                return Ok(from_state(Arc::new(data)));
            }
            if full != tile
                && let Some(data) = read_cache_file(&self.state_path(&full.path()))
            {
                return Ok(from_state(truncate(data)));
            }
        }
        let exact = match self.read_remote(&format!("/{path}"), limit).await {
            Ok(data) => return Ok(Arc::new(data)),
            Err(err) => err,
        };
        if full != tile
            && tile.l >= 0
            && let Ok(data) = self.read_remote(&format!("/{}", full.path()), limit).await
        {
            return Ok(truncate(data));
        }
        Err(exact.into_sumdb(
            Code::SumdbProofFailed,
            &format!("{path}, a tile its signed tree head needs"),
        ))
    }

    /// Writes newly authenticated hash tiles to the state directory, each once.
    async fn save_tiles(&self, tiles: Vec<(Tile, Vec<u8>)>) {
        for (tile, data) in tiles {
            if tile.l < 0 || !lock(&self.saved).insert(tile) {
                continue;
            }
            let path = self.state_path(&tile.path());
            if let Err(err) = write_in_background(path.clone(), data).await {
                self.warn(
                    Code::StateUnwritable,
                    format!(
                        "cannot cache tile {}: {}",
                        path.display(),
                        crate::oserr::errno_text(&err)
                    ),
                );
            }
        }
    }

    // ----- lookups -----

    async fn lookup(self: Arc<Self>, module: &str, version: &str) -> Result<Lookup, SumdbError> {
        let input = |code: Code, err: String| {
            SumdbError::new(
                code,
                format!("{module}@{version} cannot be looked up: {err}"),
                err,
            )
        };
        let escaped_path = modpath::escape_path(module)
            .map_err(|err| input(Code::ModulePathInvalid, err.to_string()))?;
        let escaped_version = modpath::escape_version(version)
            .map_err(|err| input(Code::VersionInvalid, err.to_string()))?;
        if let Some(fork) = self.fork() {
            return Err(fork);
        }
        self.init().await?;
        let file = format!("lookup/{escaped_path}@{escaped_version}");
        let pending = {
            let mut records = lock(&self.records);
            records
                .entry(file.clone())
                .or_insert_with(|| {
                    Arc::clone(&self)
                        .fetch_record(file, format!("{module}@{version}"))
                        .boxed()
                        .shared()
                })
                .clone()
        };
        // `/latest` and the lookup travel together; the merges agree in any order.
        let latest = async {
            match self.checks.latest {
                true => self.latest().await.map(|_| ()),
                false => Ok(()),
            }
        };
        let (latest, validated) = futures_util::future::join(latest, pending).await;
        if let Err(failure) = latest
            && failure.verification
        {
            return Err(failure.error);
        }
        let validated = validated?;
        if let Some(fork) = self.fork() {
            return Err(fork);
        }
        let zip_prefix = format!("{module} {version} ");
        let mod_prefix = format!("{module} {version}/go.mod ");
        let lines: Vec<String> = validated
            .text
            .lines()
            .filter(|line| line.starts_with(&zip_prefix) || line.starts_with(&mod_prefix))
            .map(str::to_string)
            .collect();
        if lines.is_empty() {
            return Err(SumdbError::new(
                Code::SumdbProofFailed,
                format!(
                    "the checksum database answered for {module}@{version} with record {}, which has no hash for it",
                    validated.id
                ),
                format!("checksum missing from sumdb response{SUMDB_ABSENT}"),
            ));
        }
        let hash_after = |prefix: &str| {
            lines.iter().find_map(|line| {
                line.strip_prefix(prefix)
                    .filter(|hash| hash.starts_with("h1:"))
                    .map(str::to_string)
            })
        };
        Ok(Lookup {
            module: module.to_string(),
            version: version.to_string(),
            record_id: validated.id,
            zip_hash: hash_after(&zip_prefix),
            mod_hash: hash_after(&mod_prefix),
            lines,
            tree: validated.tree.clone(),
            served_size: validated.served_size,
            cached: validated.cached,
        })
    }

    /// Reads one lookup answer (state directory, else server), validates it, and saves
    /// it once validated. An answer kept in the state directory that no longer
    /// validates was damaged on this machine (it validated before it was saved): it is
    /// asked of the server again, and replaced.
    async fn fetch_record(
        self: Arc<Self>,
        file: String,
        target: String,
    ) -> Result<Arc<Validated>, SumdbError> {
        let cache_path = self.state_path(&file);
        let mut damaged = None;
        if let Some(data) = read_cache_file(&cache_path) {
            match self.validate_record(&data, true, &target).await {
                Ok(validated) => return Ok(Arc::new(validated)),
                Err(err) if is_damage(&err) => damaged = Some(err),
                Err(err) => return Err(err),
            }
        }
        let data = self
            .read_remote(&format!("/{file}"), MAX_NOTE_BYTES)
            .await
            .map_err(|err| err.into_sumdb(Code::SumdbNotFound, &target))?;
        let validated = self.validate_record(&data, false, &target).await?;
        if let Some(err) = damaged {
            self.warn(
                Code::StateCorrupt,
                format!(
                    "the lookup kept on this machine in {} was damaged ({}): it was asked of the database again and replaced",
                    cache_path.display(),
                    err.message
                ),
            );
        }
        if let Err(err) = write_in_background(cache_path.clone(), data).await {
            self.warn(
                Code::StateUnwritable,
                format!(
                    "cannot cache lookup {}: {}",
                    cache_path.display(),
                    crate::oserr::errno_text(&err)
                ),
            );
        }
        Ok(Arc::new(validated))
    }

    /// Checks one lookup answer: a record, under a signed tree head that merges into
    /// the timeline, proven to be in the tree.
    async fn validate_record(
        self: &Arc<Self>,
        data: &[u8],
        cached: bool,
        target: &str,
    ) -> Result<Validated, SumdbError> {
        let (id, text, tree_msg) = tlog::parse_record(data).map_err(|err| {
            SumdbError::proof_failed(
                format!("the checksum database's answer for {target} is not a record"),
                err.to_string(),
            )
        })?;
        let served = self.merge_latest(tree_msg).await?;
        let latest = self.check_record(id, text).await?;
        let text = String::from_utf8_lossy(text).into_owned();
        if self.checks.data_tiles {
            self.confirm_data_tile(id, &text, latest.tree.n).await?;
        }
        Ok(Validated {
            id,
            text,
            tree: tree_head(&latest),
            served_size: served.n,
            cached,
        })
    }

    /// `checkRecord`: record `id` of the latest tree has the hash of `text`. Returns the
    /// timeline it was proven against.
    async fn check_record(self: &Arc<Self>, id: i64, text: &[u8]) -> Result<Timeline, SumdbError> {
        let latest = lock(&self.timeline).clone();
        if id >= latest.tree.n {
            return Err(SumdbError::proof_failed(
                format!(
                    "the checksum database's record {id} is not in its tree of {} records",
                    latest.tree.n
                ),
                format!(
                    "cannot validate record {id} in tree of size {}",
                    latest.tree.n
                ),
            ));
        }
        let leaf = self
            .with_tiles(latest.tree, |reader| {
                reader.read_hashes(&[tlog::stored_hash_index(0, id)])
            })
            .await
            .map_err(|failure| {
                failure.into_error(
                    "",
                    "the checksum database's tiles do not authenticate against its signed tree head",
                )
            })?;
        if leaf.first() != Some(&tlog::record_hash(text)) {
            return Err(SumdbError::proof_failed(
                format!(
                    "the record the checksum database sent is not record {id} of its signed tree"
                ),
                "cannot authenticate record data in server response",
            ));
        }
        Ok(latest)
    }

    /// Checks that the data tile holding record `id` has `text` for it. Both data-tile
    /// formats are accepted: records alone (sum.golang.org) and records each after its
    /// id line (x/mod v0.7.0's server).
    async fn confirm_data_tile(
        self: &Arc<Self>,
        id: i64,
        text: &str,
        tree_size: i64,
    ) -> Result<(), SumdbError> {
        let per_tile = 1i64 << TILE_HEIGHT;
        let number = id / per_tile;
        let tile = Tile {
            h: TILE_HEIGHT,
            l: -1,
            n: number,
            w: (tree_size - number * per_tile).min(per_tile),
        };
        let data = self.tile(tile).await?;
        let records = tlog::data_tile_records(&data).unwrap_or_default();
        let found = records
            .get((id - number * per_tile) as usize)
            .map(|record| {
                let id_line = format!("{id}\n");
                record.strip_prefix(id_line.as_bytes()).unwrap_or(record)
            });
        if records.len() as i64 != tile.w || found != Some(text.as_bytes()) {
            return Err(SumdbError::proof_failed(
                format!(
                    "the checksum database's data tile {} does not hold the record it sent as record {id}",
                    tile.path()
                ),
                format!("data tile {} disagrees with record {id}", tile.path()),
            ));
        }
        Ok(())
    }
}

/// Why a GET of a database path failed: no base URL, or the request itself.
enum RemoteError {
    Base(SumdbError),
    Get(GetError),
}

impl RemoteError {
    fn into_sumdb(self, not_found_code: Code, what: &str) -> SumdbError {
        match self {
            RemoteError::Base(err) => err,
            RemoteError::Get(err) => err.into_sumdb(not_found_code, what),
        }
    }
}

/// Why a proof over tiles failed: a tile could not be had, or the tiles do not prove.
enum TileFailure {
    Fetch(SumdbError),
    Proof(TlogError),
}

impl TileFailure {
    /// As a lookup error: a fetch failure as it is (x/mod returns `ReadRemote`'s error
    /// unwrapped), a failed proof with `prefix` (`checking tree#...: `).
    fn into_error(self, prefix: &str, message: &str) -> SumdbError {
        match self {
            TileFailure::Fetch(err) if prefix.is_empty() => err,
            TileFailure::Fetch(mut err) => {
                err.go_text = format!("{prefix}{}", err.go_text);
                err
            }
            TileFailure::Proof(err) => SumdbError::proof_failed(message, format!("{prefix}{err}")),
        }
    }

    fn text(self) -> String {
        match self {
            TileFailure::Fetch(err) => err.go_text,
            TileFailure::Proof(err) => err.to_string(),
        }
    }
}

/// The tiles fetched so far, as a [`TileReader`] for one run of a proof: tiles not
/// fetched yet are noted (the proof fails, and runs again once they are here).
struct MemTiles<'a> {
    inner: &'a Inner,
    missing: Mutex<Vec<Tile>>,
    failed: Mutex<Option<SumdbError>>,
    authenticated: Mutex<Vec<(Tile, Vec<u8>)>>,
    /// Whether a tile read from the state directory was used.
    used_state: Mutex<bool>,
}

impl TileReader for MemTiles<'_> {
    fn height(&self) -> u32 {
        TILE_HEIGHT
    }

    fn read_tiles(&self, tiles: &[Tile]) -> Result<Vec<Vec<u8>>, TlogError> {
        let known = lock(&self.inner.tiles);
        {
            let from_state = lock(&self.inner.state_tiles);
            if tiles.iter().any(|t| from_state.contains(t)) {
                *lock(&self.used_state) = true;
            }
        }
        let mut data = Vec::with_capacity(tiles.len());
        let mut missing = Vec::new();
        for tile in tiles {
            match known.get(tile).and_then(|pending| pending.peek()) {
                Some(Ok(tile_data)) => data.push(tile_data.as_ref().clone()),
                Some(Err(err)) => {
                    *lock(&self.failed) = Some(err.clone());
                    return Err(TlogError::Read(err.go_text.clone()));
                }
                None => missing.push(*tile),
            }
        }
        if missing.is_empty() {
            return Ok(data);
        }
        let text = format!("{} tiles not fetched yet", missing.len());
        *lock(&self.missing) = missing;
        Err(TlogError::Read(text))
    }

    fn save_tiles(&self, tiles: &[Tile], data: &[Vec<u8>]) {
        lock(&self.authenticated).extend(tiles.iter().copied().zip(data.iter().cloned()));
    }
}

/// A `file://` URL read as the go command's web package reads it: a missing file is a
/// 404, a forbidden one a 403.
fn read_file_url(url: &gourl::Url, redacted: &str, limit: usize) -> Result<Vec<u8>, GetError> {
    let path = Path::new(&url.path);
    let failed = |status: Option<u16>, code: Code, err: std::io::Error| GetError {
        status,
        code,
        go_text: format!("reading {redacted}: {}", crate::oserr::errno_text(&err)),
        go_waits: false,
    };
    match regular::read(
        path,
        regular::Limit::new(limit as u64, "checksum database answer"),
    ) {
        Ok(data) => Ok(data),
        Err(regular::ReadError::Os { err, .. }) if err.kind() == std::io::ErrorKind::NotFound => {
            Err(failed(Some(404), Code::HttpNotFound, err))
        }
        Err(regular::ReadError::Os { err, .. })
            if err.kind() == std::io::ErrorKind::PermissionDenied =>
        {
            Err(failed(Some(403), Code::HttpForbidden, err))
        }
        Err(regular::ReadError::Os { err, .. }) => Err(failed(None, Code::FileUnreadable, err)),
        Err(refused @ regular::ReadError::TooLarge { .. }) => Err(GetError {
            status: None,
            code: Code::LimitExceeded,
            go_text: format!("reading {redacted}: {refused}"),
            go_waits: false,
        }),
        Err(refused) => Err(GetError {
            status: None,
            code: Code::FileUnreadable,
            go_text: format!("reading {redacted}: {refused}"),
            go_waits: false,
        }),
    }
}

/// The fork error: x/mod's `SECURITY ERROR` report with both notes and the proof.
fn fork_error(
    older: Tree,
    older_note: &[u8],
    newer: Tree,
    newer_note: &[u8],
    computed: Hash,
    proof: Result<Vec<Hash>, String>,
) -> SumdbError {
    let indent = |note: &[u8]| network_text(note).replace('\n', "\n\t");
    let mut report =
        String::from("SECURITY ERROR\ngo.sum database server misbehavior detected!\n\n");
    report.push_str(&format!("old database:\n\t{}\n", indent(older_note)));
    report.push_str(&format!("new database:\n\t{}\n", indent(newer_note)));
    report.push_str(&format!(
        "proof of misbehavior:\n\t{}",
        tlog::format_hash(&computed)
    ));
    let proof = match proof {
        Err(err) => {
            report.push_str(&format!("\tinternal error: {err}\n"));
            Vec::new()
        }
        Ok(proof) => {
            if tlog::check_tree(&proof, newer.n, newer.hash, older.n, computed).is_err() {
                report.push_str("\tinternal error: generated inconsistent proof\n");
            } else {
                for hash in &proof {
                    report.push_str(&format!("\n\t{}", tlog::format_hash(hash)));
                }
            }
            proof
        }
    };
    let head = |tree: Tree, note: &[u8]| TreeHead {
        size: tree.n,
        hash: tree.hash,
        note: network_text(note),
    };
    SumdbError {
        code: Code::SumdbFork,
        message: format!(
            "the checksum database showed two inconsistent histories: a tree of {} records that is not a prefix of its tree of {} records",
            older.n, newer.n
        ),
        go_text: report.clone(),
        fork: Some(Box::new(Fork {
            old: head(older, older_note),
            new: head(newer, newer_note),
            computed,
            proof,
            report,
        })),
        clear: None,
        go_waits: false,
    }
}
