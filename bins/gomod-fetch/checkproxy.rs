//! `--check-proxy URL`: does a module proxy answer the way the go command needs?
//!
//! * A module that cannot exist must be 404 or 410 for `@v/list`, `.info` and
//!   `@latest`: any other answer stops a `,` GOPROXY list there, so `proxy,direct`
//!   never reaches `direct` (and 200 is a lie Go will trip over).
//! * Case-escaped paths (`!upper`) must be understood: the same 404/410.
//! * `/sumdb/<GOSUMDB name>/supported`: 200 (the proxy relays the checksum database)
//!   or 404/410 (Go then asks the database directly); anything else makes every
//!   checksum lookup fail.
//! * After a 200 the go command takes every checksum request to the proxy and nowhere
//!   else, so the relay must work: its signed tree head (checked with GOSUMDB's key), a
//!   data tile, and a lookup of the tile's first record, proven against the tree head
//!   through hash tiles, must all come through it.

use std::process::ExitCode;
use std::sync::Arc;

use gomod_common::app::{self, Elapsed, Probe, ProbeFuture};
use gomod_common::goenv::GoConfig;
use gomod_common::input::{InputItem, Inputs};
use gomod_common::net::http::HttpClient;
use gomod_common::record::fetch::Attempt;
use gomod_common::record::fetch::FetchBody;
use gomod_common::record::{Code, ErrorInfo, Record, Warning, redact_url};
use gomod_common::route::{self, EntrySpec, ProxyEntry, ProxyRepo, SumdbSpec};
use gomod_common::sumdb::client::{ClientOptions, SumdbClient};
use gomod_common::sumdb::tlog::{self, Tile};

use crate::cli::Cli;
use crate::http::{Fetcher, Log, Sink, hosts_of};

const TOOL: &str = "gomod-fetch";

/// Runs the conformance probe for every `--check-proxy` URL.
pub fn main(cli: &Cli, cfg: &GoConfig, fetcher: Arc<Fetcher>) -> ExitCode {
    let inputs = match Inputs::new(&cli.check_proxy, &[], false) {
        Ok(inputs) => inputs,
        Err(err) => return app::fatal(TOOL, &err.to_string(), None),
    };
    // A proxy serves every go command, whatever this machine's GOSUMDB says: without
    // a usable one, the proxy is checked for sum.golang.org.
    let spec = route::parse_gosumdb(cfg.get("GOSUMDB"))
        .ok()
        .flatten()
        .or_else(|| route::parse_gosumdb("sum.golang.org").ok().flatten());
    let sumdb = spec
        .as_ref()
        .map(|s| s.name.clone())
        .unwrap_or_else(|| "sum.golang.org".to_string());
    let probe = Arc::new(Check {
        fetcher,
        sumdb,
        spec,
    });
    app::run(TOOL, &cli.common, app::Threads::One, inputs, probe)
}

struct Check {
    fetcher: Arc<Fetcher>,
    sumdb: String,
    /// The database a relay must serve (GOSUMDB's, else sum.golang.org).
    spec: Option<SumdbSpec>,
}

/// One thing the go command cannot live with: code, sentence, the line go prints, and
/// what to do when it is not the general advice.
type Failure = (Code, String, Option<String>, Option<String>);

impl Probe for Check {
    fn probe(self: Arc<Self>, item: InputItem) -> ProbeFuture {
        Box::pin(async move {
            let InputItem::Target { text, .. } = item else {
                return Vec::new();
            };
            vec![self.check(&text).await]
        })
    }
}

/// A module path no proxy can have: `.invalid` is reserved (RFC 2606).
const MISSING: &str = "gomod-tools.invalid/no-such-module";
/// The same with upper case, which must travel escaped.
const MISSING_UPPER: &str = "gomod-tools.invalid/No-Such/Module";

impl Check {
    async fn check(&self, url: &str) -> Record {
        let elapsed = Elapsed::start();
        let mut body = FetchBody {
            module: MISSING.to_string(),
            what: vec!["probe".to_string()],
            source: Some(redact_url(url)),
            ..FetchBody::default()
        };
        let base = match route::check_proxy_url(url) {
            Ok(base) => base.to_string(),
            Err(err) => {
                let e = ErrorInfo::new(err.code, err.go_text.clone())
                    .hint("give the proxy's base URL, e.g. https://proxy.example.com/go");
                return Record::new(&body, Some(e), Vec::new(), elapsed.get());
            }
        };
        let log = Log::default();
        let mut warnings = Vec::new();
        let mut failures: Vec<Failure> = Vec::new();
        let checks: [(&str, &str, &str); 4] = [
            ("list", MISSING, "@v/list"),
            ("info", MISSING, "@v/v1.0.0.info"),
            ("latest", MISSING, "@latest"),
            ("list", MISSING_UPPER, "@v/list"),
        ];
        for (op, module, suffix) in checks {
            let Ok(repo) = ProxyRepo::new(&base, module) else {
                continue;
            };
            let request = repo.url(suffix);
            let outcome = self
                .fetcher
                .get(
                    &log,
                    op,
                    url,
                    &request,
                    Sink::Memory(1 << 20, "answer too large"),
                )
                .await;
            match outcome {
                Err((err, _)) if err.not_found => {}
                Err((err, _)) => failures.push((err.code, format!(
                    "{} for a module that cannot exist answered {} instead of 404 or 410: the go command stops a ',' GOPROXY list there ({})",
                    redact_url(&request.to_string()),
                    err.code.as_str(),
                    err.go_text.lines().next().unwrap_or("")
                ), (!err.go_waits).then(|| match op {
                        "info" => format!("go: {module}@v1.0.0: {}", err.go_text),
                        _ => format!("go: module {module}: {}", err.go_text),
                    }), None)),
                Ok(_) => failures.push((Code::HttpStatus, format!(
                    "{} for a module that cannot exist answered 200: a proxy must say 404 or 410 so that the go command moves on",
                    redact_url(&request.to_string())
                ), None, None)),
            }
        }
        let supported = format!(
            "{}/sumdb/{}/supported",
            base.trim_end_matches('/'),
            self.sumdb
        );
        if let Ok(request) = gomod_common::gourl::parse(&supported) {
            match self
                .fetcher
                .get(&log, "supported", url, &request, Sink::Memory(1 << 20, "answer too large"))
                .await
            {
                Ok(_) => failures.extend(self.check_relay(url, &base, &log).await),
                Err((err, _)) if err.not_found => warnings.push(Warning::new(
                    Code::HttpNotFound,
                    format!(
                        "the proxy does not relay the checksum database {}: the go command asks it directly, so that host must be reachable too",
                        self.sumdb
                    ),
                    None,
                )),
                Err((err, _)) => failures.push((err.code, format!(
                    "/sumdb/{}/supported answered {}: the go command then fails every checksum lookup ({})",
                    self.sumdb,
                    err.code.as_str(),
                    err.go_text.lines().next().unwrap_or("")
                ), None, None)),
            }
        }
        body.attempts = log.take();
        body.hosts = hosts_of(&body.attempts);
        let error = (!failures.is_empty()).then(|| {
            let code = failures[0].0;
            let text = failures
                .iter()
                .map(|(_, t, _, _)| t.as_str())
                .collect::<Vec<_>>()
                .join("; ");
            let mut error = ErrorInfo::new(code, text);
            // What the go command would print for the first answer it cannot live with.
            if let Some(go_error) = failures.iter().find_map(|(_, _, g, _)| g.clone()) {
                error = error.go_error(go_error);
            }
            match failures.iter().find_map(|(_, _, _, h)| h.clone()) {
                Some(hint) => error.hint(hint),
                None => error.hint("a module proxy must answer 404 or 410 for what it does not have (https://go.dev/ref/mod#goproxy-protocol)"),
            }
        });
        Record::new(&body, error, warnings, elapsed.get())
    }

    /// What fails when the go command takes its checksum requests to the proxy `url`
    /// (base URL `base`): the signed tree head, a data tile, a lookup of that tile's
    /// first record with its proof. Empty when the relay serves them all.
    async fn check_relay(&self, url: &str, base: &str, log: &Log) -> Vec<Failure> {
        let Some(spec) = &self.spec else {
            return Vec::new();
        };
        let name = &spec.name;
        let relay = format!("{}/sumdb/{name}", base.trim_end_matches('/'));
        let fail = |code: Code, what: String, go_error: Option<String>| {
            vec![(
                code,
                format!(
                    "the proxy answers 200 to /sumdb/{name}/supported, so the go command takes every checksum lookup there, but {what}"
                ),
                go_error,
                Some(format!(
                    "the proxy must pass every request under /sumdb/{name}/ through to the checksum database unchanged (https://go.dev/design/25530-sumdb#proxying-a-checksum-database), or answer 404 to /sumdb/{name}/supported so that the go command asks {name} itself"
                )),
            )]
        };
        let state = match tempfile::tempdir() {
            Ok(dir) => dir,
            Err(err) => {
                return fail(
                    Code::InternalError,
                    format!("its relay could not be checked: no temporary directory ({err})"),
                    None,
                );
            }
        };
        // The proxy alone, as the go command would use it; a URL in GOSUMDB would
        // bypass it, so none here.
        let options = ClientOptions {
            spec: SumdbSpec {
                url: None,
                ..spec.clone()
            },
            goproxy: vec![ProxyEntry {
                spec: EntrySpec::Url(base.to_string()),
                fall_back_on_error: false,
            }],
            state_dir: state.path().to_path_buf(),
            go_latest: None,
            timeout: self.fetcher.timeout,
        };
        let http = Arc::new(HttpClient::new(self.fetcher.client.settings().clone()));
        let client = SumdbClient::new(http, options).check_latest(false);
        let mut found = Vec::new();
        let head = client.latest().await;
        // A data tile: the first records of the log, as anyone may read them.
        let mut record = None;
        match &head {
            Err(err) => found.extend(fail(
                err.code,
                format!(
                    "its signed tree head does not come through: {}",
                    first_line(&err.go_text)
                ),
                None,
            )),
            Ok(head) => {
                let tile = Tile {
                    h: 8,
                    l: -1,
                    n: 0,
                    w: head.size.clamp(1, 256),
                };
                let tile_url = format!("{relay}/{}", tile.path());
                match gomod_common::gourl::parse(&tile_url) {
                    Err(err) => found.extend(fail(Code::GoproxyInvalid, err.to_string(), None)),
                    Ok(request) => match self
                        .fetcher
                        .get(
                            log,
                            "sumdb-tile",
                            url,
                            &request,
                            Sink::Memory(16 << 20, "tile too large"),
                        )
                        .await
                    {
                        Err((err, _)) => found.extend(fail(
                            err.code,
                            format!("a tile does not come through: {}", first_line(&err.go_text)),
                            None,
                        )),
                        Ok(got) => match first_module_version(&got.body) {
                            Some(mv) => record = Some(mv),
                            None => found.extend(fail(
                                Code::HttpInvalidResponse,
                                format!("{} is not a data tile of the log", redact_url(&tile_url)),
                                None,
                            )),
                        },
                    },
                }
            }
        }
        if let Some((module, version)) = &record
            && let Err(err) = client.lookup(module, version).await
        {
            let go_error = (!err.go_waits).then(|| err.go_error(module, version, true));
            found.extend(fail(
                err.code,
                format!(
                    "the lookup of {module}@{version}, which the database holds, fails: {}",
                    first_line(&err.go_text)
                ),
                go_error,
            ));
        }
        for request in client.requests() {
            log.push(Attempt {
                op: "sumdb".to_string(),
                endpoint: redact_url(url),
                url: Some(request),
                ..Attempt::default()
            });
        }
        found
    }
}

/// The module and version of the first record in a data tile (`M V h1:...`).
fn first_module_version(data: &[u8]) -> Option<(String, String)> {
    let records = tlog::data_tile_records(data).ok()?;
    let text = String::from_utf8_lossy(records.first()?).into_owned();
    text.lines().find_map(|line| {
        let fields: Vec<&str> = line.split(' ').collect();
        match fields.as_slice() {
            [module, version, hash] if hash.starts_with("h1:") => Some((
                (*module).to_string(),
                version.trim_end_matches("/go.mod").to_string(),
            )),
            _ => None,
        }
    })
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or("")
}
