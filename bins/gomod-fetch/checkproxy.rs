//! `--check-proxy URL`: does a module proxy answer the way the go command needs?
//!
//! * A module that cannot exist must be 404 or 410 for `@v/list`, `.info` and
//!   `@latest`: any other answer stops a `,` GOPROXY list there, so `proxy,direct`
//!   never reaches `direct` (and 200 is a lie Go will trip over).
//! * Case-escaped paths (`!upper`) must be understood: the same 404/410.
//! * `/sumdb/<GOSUMDB name>/supported`: 200 (the proxy relays the checksum database)
//!   or 404/410 (Go then asks the database directly); anything else makes every
//!   checksum lookup fail.

use std::process::ExitCode;
use std::sync::Arc;

use gomod_common::app::{self, Elapsed, Probe, ProbeFuture};
use gomod_common::goenv::GoConfig;
use gomod_common::input::{InputItem, Inputs};
use gomod_common::record::fetch::FetchBody;
use gomod_common::record::{Code, ErrorInfo, Record, Warning, redact_url};
use gomod_common::route::{self, ProxyRepo};

use crate::cli::Cli;
use crate::http::{Fetcher, Log, Sink, hosts_of};

const TOOL: &str = "gomod-fetch";

/// Runs the conformance probe for every `--check-proxy` URL.
pub fn main(cli: &Cli, cfg: &GoConfig, fetcher: Arc<Fetcher>) -> ExitCode {
    let inputs = match Inputs::new(&cli.check_proxy, &[], false) {
        Ok(inputs) => inputs,
        Err(err) => return app::fatal(TOOL, &err.to_string(), None),
    };
    let sumdb = route::parse_gosumdb(cfg.get("GOSUMDB"))
        .ok()
        .flatten()
        .map(|s| s.name)
        .unwrap_or_else(|| "sum.golang.org".to_string());
    let probe = Arc::new(Check { fetcher, sumdb });
    app::run(TOOL, &cli.common, app::Threads::One, inputs, probe)
}

struct Check {
    fetcher: Arc<Fetcher>,
    sumdb: String,
}

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
        let mut failures = Vec::new();
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
                    }))),
                Ok(_) => failures.push((Code::HttpStatus, format!(
                    "{} for a module that cannot exist answered 200: a proxy must say 404 or 410 so that the go command moves on",
                    redact_url(&request.to_string())
                ), None)),
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
                Ok(_) => {}
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
                ), None)),
            }
        }
        body.attempts = log.take();
        body.hosts = hosts_of(&body.attempts);
        let error = (!failures.is_empty()).then(|| {
            let code = failures[0].0;
            let text = failures
                .iter()
                .map(|(_, t, _)| t.as_str())
                .collect::<Vec<_>>()
                .join("; ");
            let mut error = ErrorInfo::new(code, text);
            // What the go command would print for the first answer it cannot live with.
            if let Some(go_error) = failures.iter().find_map(|(_, _, g)| g.clone()) {
                error = error.go_error(go_error);
            }
            error.hint("a module proxy must answer 404 or 410 for what it does not have (https://go.dev/ref/mod#goproxy-protocol)")
        });
        Record::new(&body, error, warnings, elapsed.get())
    }
}
