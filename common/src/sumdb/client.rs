//! The checksum-database client: what `cmd/go/internal/modfetch/sumdb.go` and
//! `golang.org/x/mod/sumdb/client.go` do to answer "what hashes does the database hold
//! for M@V?", made stricter where the reference has known flaws.
//!
//! Work in progress: the types below are the public API; `lookup` and `latest` answer
//! with a `not_implemented` error until the proofs are wired in.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::net::http::HttpClient;
use crate::record::Code;
use crate::route::{ProxyEntry, SumdbSpec};

/// The tile height the go command and sum.golang.org use.
pub const TILE_HEIGHT: u32 = 8;

/// A 32-byte tree or record hash.
pub type Hash = [u8; 32];

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
    /// This GOPROXY entry answered 200 to `/sumdb/<name>/supported`.
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
    /// The outcome: `200 OK`, `404 Not Found`, or Go's text for the failure.
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
    /// The record's go.sum lines for exactly this module version, in record order.
    pub lines: Vec<String>,
    /// The `h1:` hash of the module zip, if the record has it.
    pub zip_hash: Option<String>,
    /// The `h1:` hash of the go.mod file, if the record has it.
    pub mod_hash: Option<String>,
    /// The tree head the record was proven against.
    pub tree: TreeHead,
    /// Whether the answer came from the state directory instead of the server.
    pub cached: bool,
}

/// Evidence that the database showed two inconsistent histories.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fork {
    /// The smaller (earlier) tree head.
    pub old: TreeHead,
    /// The larger (later) tree head.
    pub new: TreeHead,
    /// The go command's `SECURITY ERROR` report, byte for byte.
    pub report: String,
}

/// A failed lookup: the record code, a plain sentence, and Go's text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SumdbError {
    /// `sumdb_not_found`, `sumdb_bad_signature`, `sumdb_proof_failed`, `sumdb_fork`,
    /// or the network layer's code when the database could not be reached.
    pub code: Code,
    /// One plain sentence.
    pub message: String,
    /// What x/mod's client says (without the `M@V: ` prefix).
    pub go_text: String,
    /// The fork, for `sumdb_fork`.
    pub fork: Option<Box<Fork>>,
}

impl std::fmt::Display for SumdbError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.go_text)
    }
}

impl std::error::Error for SumdbError {}

/// A client for one checksum database, shared by concurrent lookups (`Arc`).
pub struct SumdbClient {
    #[allow(dead_code)]
    http: Arc<HttpClient>,
    options: ClientOptions,
}

impl SumdbClient {
    /// A client; nothing is read or fetched until the first call.
    pub fn new(http: Arc<HttpClient>, options: ClientOptions) -> SumdbClient {
        SumdbClient { http, options }
    }

    /// The database name.
    pub fn name(&self) -> &str {
        &self.options.spec.name
    }

    /// The base URL, found as `dbClient.initBase` finds it (once per client).
    pub async fn base(&self) -> Result<Base, SumdbError> {
        Err(not_implemented())
    }

    /// Fetches `/latest` (once per client), verifies it and merges it into the
    /// timeline. The go command never does this; lookups do not need it.
    pub async fn latest(&self) -> Result<TreeHead, SumdbError> {
        Err(not_implemented())
    }

    /// Looks up `module` at `version` and authenticates the answer.
    pub async fn lookup(&self, module: &str, version: &str) -> Result<Lookup, SumdbError> {
        let _ = (module, version);
        Err(not_implemented())
    }
}

fn not_implemented() -> SumdbError {
    SumdbError {
        code: Code::NotImplemented,
        message: "the checksum-database client is not implemented yet".to_string(),
        go_text: "not implemented".to_string(),
        fork: None,
    }
}
