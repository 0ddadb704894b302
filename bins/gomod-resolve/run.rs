//! The gomod-resolve probe: one `route` record per module, computed from Go's
//! configuration with the rules in `gomod_common`, plus go-get discovery where the
//! route starts with a direct fetch.

use std::path::Path;
use std::process::ExitCode;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use gomod_common::app::{self, Elapsed, Probe, ProbeFuture};
use gomod_common::direct::{self, DiscoverOptions, StaticOutcome};
use gomod_common::godebug::{self, Godebug};
use gomod_common::goenv::{GoConfig, Setting};
use gomod_common::input::{InputItem, ModuleTarget};
use gomod_common::net::http::{HttpClient, HttpSettings};
use gomod_common::net::httpproxy::ProxyConfig;
use gomod_common::pattern::{privacy_rule, private_glob};
use gomod_common::query::{self, Plan};
use gomod_common::record::env::EnvBody;
use gomod_common::record::route::{
    Decision, Endpoint, Exposure, FromInfo, Govcs, Private, RouteBody, Skipped, SumdbInfo, VcsInfo,
};
use gomod_common::record::{Code, ErrorInfo, Record, Warning, redact_url};
use gomod_common::route::{self, EntrySpec, Lookup, SumdbUse};
use gomod_common::{goquote, gourl, modpath, pattern, semver, toolchain};

use crate::cli::Cli;

const TOOL: &str = "gomod-resolve";

/// Runs the tool.
pub fn main(cli: Cli) -> ExitCode {
    if let Some(what) = cli.common.generate {
        return app::generate::<Cli>(what);
    }
    let cfg = Arc::new(GoConfig::from_process());
    let has_own_targets = cli.env || cli.toolchain || !cli.modfiles.is_empty();
    let mut inputs = match app::open_inputs(TOOL, &cli.targets, &cli.common.files, has_own_targets)
    {
        Ok(inputs) => inputs,
        Err(status) => return status,
    };
    if cli.env {
        let body = EnvBody::from_config(&cfg);
        let record = Record::new(
            &body,
            godebug_error(&cfg),
            cfg.warnings.clone(),
            Duration::ZERO,
        );
        inputs.push_leading(InputItem::Ready(Box::new(record)));
    }
    if cli.toolchain {
        match toolchain_records(&cli, &cfg) {
            Ok(records) => records
                .into_iter()
                .for_each(|record| inputs.push_leading(InputItem::Ready(Box::new(record)))),
            Err(message) => return app::fatal(TOOL, &message, None),
        }
    }
    for modfile in cli.modfiles.iter().filter(|_| !cli.toolchain) {
        match gomod_items(modfile, &cfg) {
            Ok(items) => items.into_iter().for_each(|item| inputs.push_leading(item)),
            Err(message) => {
                return app::fatal(
                    TOOL,
                    &message,
                    Some("give the path of a readable go.mod file with -m"),
                );
            }
        }
    }
    let inputs = inputs.when_empty(
        "give module paths (gomod-resolve golang.org/x/net@v0.30.0), -m go.mod, --env, or records on standard input",
    );
    if inputs.is_empty() {
        return app::nothing_to_probe(TOOL, &inputs);
    }
    let probe = Arc::new(Resolver::new(cfg, &cli));
    app::run(TOOL, &cli.common, app::Threads::One, inputs, probe)
}

/// The `toolchain` records of --toolchain: one for each -m file, or for the current
/// directory. They are made before the run, on a runtime of their own (the route of
/// the toolchain module may fetch a go-get page).
fn toolchain_records(cli: &Cli, cfg: &Arc<GoConfig>) -> Result<Vec<Record>, String> {
    let cwd = std::env::current_dir().map_err(|err| {
        format!(
            "cannot tell the current directory: {}",
            gomod_common::oserr::errno_text(&err)
        )
    })?;
    let resolver = Resolver::new(cfg.clone(), cli);
    let files: Vec<Option<&Path>> = if cli.modfiles.is_empty() {
        vec![None]
    } else {
        cli.modfiles.iter().map(|f| Some(f.as_path())).collect()
    };
    app::block_on(async {
        let mut records = Vec::new();
        for file in files {
            records.push(resolver.toolchain(file, cli.go.as_deref(), &cwd).await);
        }
        records
    })
}

/// The error every go command ends with in this configuration because of GODEBUG
/// (a removed setting with its old value in the environment).
fn godebug_error(cfg: &GoConfig) -> Option<ErrorInfo> {
    Godebug::from_config(cfg).fatal().map(godebug::env_error)
}

/// The requirements of a go.mod file as input items, or a ready error record when the
/// file does not parse. An unreadable file is fatal.
fn gomod_items(path: &Path, cfg: &GoConfig) -> Result<Vec<InputItem>, String> {
    let name = path.display().to_string();
    match gomod_common::input::gomod_requirements(path, cfg)? {
        Ok(items) => Ok(items),
        Err(error) => {
            let body = RouteBody {
                from: Some(FromInfo {
                    file: name.clone(),
                    line: 0,
                }),
                ..RouteBody::default()
            };
            Ok(vec![InputItem::Ready(Box::new(Record::new(
                &body,
                Some(error),
                Vec::new(),
                Duration::ZERO,
            )))])
        }
    }
}

struct Resolver {
    cfg: Arc<GoConfig>,
    client: OnceLock<HttpClient>,
    http_proxies: OnceLock<ProxyConfig>,
    offline: bool,
    discover_fallback: bool,
    timeout: Duration,
    connect_timeout: Duration,
}

impl Probe for Resolver {
    fn probe(self: Arc<Self>, item: InputItem) -> ProbeFuture {
        Box::pin(async move {
            match ModuleTarget::from_item(&item) {
                Ok(Some(target)) => vec![self.route(target).await],
                Ok(None) => Vec::new(),
                Err(reason) => app::unusable_item_record(&item, &reason)
                    .into_iter()
                    .collect(),
            }
        })
    }
}

/// The direct part of a route, as `fill_vcs` needs it.
#[derive(Clone, Copy)]
struct DirectRoute<'a> {
    /// The module path fetched.
    path: &'a str,
    /// The version or query asked for.
    wanted: &'a Wanted,
    /// Whether a direct fetch is the first entry that makes a request.
    first: bool,
    /// Whether the path matched GOINSECURE.
    insecure: bool,
    /// `go: <path>@<version>: `, the go command's error prefix.
    go_prefix: &'a str,
}

/// What kind of version a target asks for.
enum Wanted {
    /// A canonical version: `.info`, `.mod`, `.zip`.
    Version(String),
    /// A query answered from the version list (`latest`, `v1.2`, `<v2`, none given).
    ListQuery,
    /// A branch, tag or commit: asked as `@v/<query>.info`.
    Revision(String),
}

/// Go's query rules (see [`query::plan`]): a canonical version is fetched as is, a
/// full version or revision is asked as `.info`, the rest is answered from the list.
/// `patch` needs the version a main module requires, which a route does not know: it
/// is listed, as `go get m@patch` would list it.
fn classify_version(version: Option<&str>) -> Wanted {
    let Some(v) = version else {
        return Wanted::ListQuery;
    };
    if query::is_canonical(v) {
        return Wanted::Version(v.to_string());
    }
    match query::plan(v, "") {
        Ok(Plan::Stat(rev)) => Wanted::Revision(rev),
        Ok(Plan::List(_)) | Err(_) => Wanted::ListQuery,
    }
}

impl Resolver {
    fn new(cfg: Arc<GoConfig>, cli: &Cli) -> Resolver {
        Resolver {
            cfg,
            client: OnceLock::new(),
            http_proxies: OnceLock::new(),
            offline: cli.offline,
            discover_fallback: cli.discover_fallback,
            timeout: cli.common.timeout,
            connect_timeout: cli.common.connect_timeout,
        }
    }

    /// The `toolchain` record for `modfile` (or the current directory): go's decision
    /// from [`toolchain::report`] and, when it downloads, the toolchain module's route.
    async fn toolchain(&self, modfile: Option<&Path>, go: Option<&str>, cwd: &Path) -> Record {
        let elapsed = Elapsed::start();
        let mut report = toolchain::report(&self.cfg, go, modfile, cwd);
        let mut warnings = self.cfg.warnings.clone();
        warnings.extend(report.warnings.iter().map(|w| {
            Warning::new(w.code, w.message.clone(), Some(w.hint.clone()))
                .go_error(w.go_error.clone())
        }));
        let mut error = report.problem.as_ref().map(problem_error);
        if let (Some(module), Some(version)) = (&report.body.module, &report.body.version) {
            let target = ModuleTarget {
                module: module.clone(),
                version: Some(version.clone()),
                from: None,
                replaced_by: None,
                excluded: false,
            };
            let wanted = Wanted::Version(version.clone());
            let mut body = RouteBody {
                module: module.clone(),
                version: Some(version.clone()),
                ..RouteBody::default()
            };
            let routed = self.fill(&target, &wanted, &mut body, &mut warnings).await;
            if let Err(err) = routed {
                // GOPROXY=off is a missing module to go, which reports the toolchain
                // as not available.
                let err = match err.code {
                    Code::GoproxyOff => {
                        let (goos, goarch) = toolchain::host_platform();
                        let selected = report.body.selected.clone().unwrap_or_default();
                        ErrorInfo::new(Code::ToolchainNotAvailable, format!("GOPROXY ends at 'off' before any entry that could serve the toolchain {selected}"))
                            .go_error(toolchain::not_available_text(&selected, goos, goarch))
                            .hint(format!("set GOPROXY to a proxy that serves golang.org/toolchain (GOPROXY=https://proxy.golang.org), or install {selected} and put it in PATH"))
                    }
                    _ => err,
                };
                error = error.or(Some(err));
            }
            // go asks a proxy for the toolchain's zip alone (modfetch.Download), never
            // its .info or .mod.
            for endpoint in &mut body.endpoints {
                endpoint
                    .requests
                    .retain(|url| !url.ends_with(".info") && !url.ends_with(".mod"));
            }
            report.body.route = Some(body);
        }
        Record::new(&report.body, error, warnings, elapsed.get())
    }

    fn client(&self) -> &HttpClient {
        self.client.get_or_init(|| {
            HttpClient::new(HttpSettings::from_config(&self.cfg, self.connect_timeout))
        })
    }

    fn http_proxies(&self) -> &ProxyConfig {
        self.http_proxies.get_or_init(|| {
            let env = self.cfg.environment();
            ProxyConfig::from_env(|k| env.raw(k).map(str::to_string))
        })
    }

    fn setting(&self, name: &str) -> Option<&Setting> {
        self.cfg.setting(name)
    }

    async fn route(&self, target: ModuleTarget) -> Record {
        let elapsed = Elapsed::start();
        let mut body = RouteBody {
            module: target.module.clone(),
            from: target.from.clone(),
            replaced_by: target.replaced_by.clone(),
            ..RouteBody::default()
        };
        let wanted = classify_version(target.version.as_deref());
        match &wanted {
            Wanted::Version(v) => body.version = Some(v.clone()),
            _ => body.query = target.version.clone(),
        }
        // Configuration problems concern every route.
        let mut warnings = self.cfg.warnings.clone();
        let filled = self
            .fill(&target, &wanted, &mut body, &mut warnings)
            .await
            .err();
        let error = godebug_error(&self.cfg).or(filled);
        Record::new(&body, error, warnings, elapsed.get())
    }

    /// Fills the route; an error is the record's error.
    async fn fill(
        &self,
        target: &ModuleTarget,
        wanted: &Wanted,
        body: &mut RouteBody,
        warnings: &mut Vec<Warning>,
    ) -> Result<(), ErrorInfo> {
        let prefix = target.go_prefix();
        if let Err(err) = modpath::check_path(&target.module) {
            return Err(ErrorInfo::new(Code::ModulePathInvalid, format!("the module path is not valid: {}", err.reason()))
                .go_error(format!("{prefix}{err}"))
                .hint("a module path starts with a lower-case host name that contains a dot, such as example.com/repo"));
        }
        if let Some(v) = &target.version
            && v.is_empty()
        {
            return Err(
                ErrorInfo::new(Code::VersionInvalid, "the version after '@' is empty")
                    .hint("write PATH@VERSION (v1.2.3), PATH@latest, or just PATH"),
            );
        }
        body.escaped = modpath::escape_path(&target.module).ok();
        if let Wanted::Version(v) = wanted {
            match modpath::escape_version(v) {
                Ok(escaped) => body.escaped_version = Some(escaped),
                Err(err) => {
                    return Err(ErrorInfo::new(
                        Code::VersionInvalid,
                        format!("the version {} cannot be used in a URL", goquote::quote(v)),
                    )
                    .go_error(format!("{prefix}{err}")));
                }
            }
            if let Err(err) = modpath::check(&target.module, v) {
                warnings.push(Warning::new(
                    Code::VersionInvalid,
                    format!("{err}; the go command still asks the proxy, which will not find it"),
                    Some(major_hint(&target.module, v)),
                ));
            }
        }
        body.valid = true;
        if target.excluded {
            warnings.push(Warning::new(
                Code::Excluded,
                format!("{}@{} is excluded by the main module's go.mod", target.module, target.version.as_deref().unwrap_or("")),
                Some("the go command skips an excluded version and uses the next higher one; remove the exclude or require another version".to_string()),
            ));
        }

        // A replacement decides what is actually fetched.
        let (fetch_path, fetch_wanted) = match &target.replaced_by {
            Some(r) if r.local => {
                body.sumdb_skipped = Some("replaced by a local directory".to_string());
                return Ok(());
            }
            Some(r) => (r.path.clone(), classify_version(r.version.as_deref())),
            None => (
                route::lookup_path(&target.module).to_string(),
                clone_wanted(wanted),
            ),
        };

        let private = self.private_decisions(&fetch_path);
        let insecure = private.insecure.matched;
        let nosumdb_variable = private.nosumdb.variable;
        body.private = Some(private);
        self.fill_sumdb(&fetch_path, &prefix, nosumdb_variable, body)?;

        let planned = route::plan(
            self.cfg.get("GOPROXY"),
            self.cfg.get("GONOPROXY"),
            &fetch_path,
        )
        .map_err(|err| self.goproxy_error(&prefix, &err))?;

        let mut first_request_made = false;
        let mut direct_first = false;
        let mut needs_direct = false;
        let mut off_error: Option<&'static str> = None;
        for step in &planned {
            let fallback = step.fallback();
            match &step.lookup {
                Lookup::NotFound(reason) if step.entry.spec == EntrySpec::Off => {
                    if !first_request_made {
                        off_error = Some(reason);
                    }
                    body.endpoints.push(Endpoint {
                        kind: "off",
                        url: None,
                        scheme: None,
                        host: None,
                        port: None,
                        fallback,
                        requests: Vec::new(),
                    });
                }
                Lookup::NotFound(reason) => body.skipped.push(Skipped {
                    entry: redact_url(step.entry.spec.as_str()),
                    reason: reason.to_string(),
                }),
                Lookup::Proxy(base) => {
                    let requests = proxy_requests(base, &fetch_path, &fetch_wanted);
                    let url = gourl::parse(base).ok();
                    body.endpoints.push(Endpoint {
                        kind: "proxy",
                        url: Some(redact_url(base)),
                        scheme: url.as_ref().map(|u| u.scheme.clone()),
                        host: url
                            .as_ref()
                            .map(|u| u.hostname().to_string())
                            .filter(|h| !h.is_empty()),
                        port: url.as_ref().and_then(default_port),
                        fallback,
                        requests,
                    });
                    first_request_made = true;
                }
                Lookup::Direct => {
                    if !first_request_made {
                        direct_first = true;
                    }
                    needs_direct = true;
                    first_request_made = true;
                    let kind = if step.entry.spec == EntrySpec::Noproxy {
                        "noproxy"
                    } else {
                        "direct"
                    };
                    body.endpoints.push(Endpoint {
                        kind,
                        url: None,
                        scheme: Some("https".to_string()),
                        host: Some(fetch_path.split('/').next().unwrap_or("").to_string()),
                        port: Some(443),
                        fallback,
                        requests: Vec::new(),
                    });
                }
            }
        }

        body.exposed_to = self.exposures(body);
        // The audit looks at the path alone: it asks no one.
        let rule = privacy_rule(&fetch_path);
        body.privacy_rule = Some(rule.as_str());
        if rule.looks_private() && body.exposed_to.iter().any(|e| e.public) {
            body.keep_private = Some(self.keep_private_value(&fetch_path));
            if rule.clearly_private() {
                let hosts: Vec<&str> = body
                    .exposed_to
                    .iter()
                    .filter(|e| e.public)
                    .map(|e| e.host.as_str())
                    .collect();
                warnings.push(Warning::new(
                    Code::PathExposed,
                    format!("{fetch_path} looks like a private module path, and the go command would send it to {}", hosts.join(" and ")),
                    body.keep_private.clone(),
                ));
            }
        }

        if needs_direct {
            let direct = DirectRoute {
                path: &fetch_path,
                wanted: &fetch_wanted,
                first: direct_first,
                insecure,
                go_prefix: &prefix,
            };
            self.fill_vcs(&direct, body, warnings).await?;
        }

        if let Some(reason) = off_error {
            return Err(ErrorInfo::new(Code::GoproxyOff, format!("GOPROXY ends at 'off' before any entry that could serve {fetch_path}"))
                .go_error(format!("{prefix}{reason}"))
                .hint(format!(
                    "GOPROXY={} ({}) blocks this module; set GOPROXY to a proxy that serves it, or GOPRIVATE={} if it is private and its server is reachable",
                    redact_url(self.cfg.get("GOPROXY")),
                    source_text(self.setting("GOPROXY")),
                    private_glob(&fetch_path)
                )));
        }
        Ok(())
    }

    fn goproxy_error(&self, prefix: &str, err: &route::ConfigError) -> ErrorInfo {
        let setting = self.setting("GOPROXY");
        let value = redact_url(self.cfg.get("GOPROXY"));
        let hint = match err.code {
            Code::GoproxyEmpty if value.is_empty() => match setting.map(|s| &s.source) {
                Some(gomod_common::goenv::Source::GoEnvFile) => "the go env file has an empty GOPROXY= line, which hides the default; run `go env -u GOPROXY`".to_string(),
                _ => "GOPROXY is empty because the Go installation has no go.env; set GOPROXY=https://proxy.golang.org,direct".to_string(),
            },
            _ => format!("GOPROXY={} ({}) is not a list Go accepts; for example GOPROXY=https://proxy.golang.org,direct", goquote::quote(&value), source_text(setting)),
        };
        ErrorInfo::new(err.code, format!("GOPROXY cannot be used: {}", err.go_text))
            .go_error(format!("{prefix}{}", err.go_text))
            .hint(hint)
    }

    fn private_decisions(&self, path: &str) -> Private {
        let decide = |name: &'static str| -> Decision {
            let setting = self.setting(name);
            let value = self.cfg.get(name);
            let glob = pattern::matching_pattern(value, path).map(str::to_string);
            let variable = match setting.and_then(|s| s.derived_from) {
                Some(from) => from,
                None => name,
            };
            Decision {
                matched: glob.is_some(),
                variable,
                source: setting.map_or("default", |s| s.source.as_str()),
                glob,
            }
        };
        Private {
            noproxy: decide("GONOPROXY"),
            nosumdb: decide("GONOSUMDB"),
            insecure: decide("GOINSECURE"),
        }
    }

    fn fill_sumdb(
        &self,
        path: &str,
        prefix: &str,
        nosumdb_variable: &str,
        body: &mut RouteBody,
    ) -> Result<(), ErrorInfo> {
        match route::sumdb_use(
            path,
            self.cfg.get("GOSUMDB"),
            self.cfg.get("GONOSUMDB"),
            self.cfg.get("GOPROXY"),
        ) {
            SumdbUse::Off => {
                body.sumdb_skipped = Some("GOSUMDB=off".to_string());
                Ok(())
            }
            SumdbUse::NoSumdb(glob) => {
                body.sumdb_skipped = Some(format!(
                    "{nosumdb_variable} matches {}",
                    goquote::quote(&glob)
                ));
                Ok(())
            }
            SumdbUse::Used => match route::parse_gosumdb(self.cfg.get("GOSUMDB")) {
                Ok(Some(spec)) => {
                    let url = spec.url.clone().unwrap_or_else(|| spec.direct_url.clone());
                    let parsed = gourl::parse(&url).ok();
                    let proxied_via = if spec.url.is_some() {
                        Vec::new()
                    } else {
                        route::parse_goproxy(self.cfg.get("GOPROXY"), self.cfg.get("GONOPROXY"))
                            .unwrap_or_default()
                            .iter()
                            .filter_map(|e| match &e.spec {
                                EntrySpec::Url(base) => Some(redact_url(&format!(
                                    "{}/sumdb/{}/supported",
                                    base.trim_end_matches('/'),
                                    spec.name
                                ))),
                                _ => None,
                            })
                            .collect()
                    };
                    body.sumdb = Some(SumdbInfo {
                        name: spec.name,
                        url: redact_url(&url),
                        key: spec.key,
                        scheme: parsed
                            .as_ref()
                            .map(|u| u.scheme.clone())
                            .unwrap_or_default(),
                        host: parsed
                            .as_ref()
                            .map(|u| u.hostname().to_string())
                            .unwrap_or_default(),
                        port: parsed.as_ref().and_then(default_port),
                        known: spec.known,
                        proxied_via,
                    });
                    Ok(())
                }
                Ok(None) => {
                    body.sumdb_skipped = Some("GOSUMDB=off".to_string());
                    Ok(())
                }
                Err(err) => {
                    let hint = match err.code {
                        Code::GosumdbMissing => "GOSUMDB is empty; set GOSUMDB=sum.golang.org, or GONOSUMDB/GOPRIVATE for private modules".to_string(),
                        _ => format!(
                            "GOSUMDB ({}) must be sum.golang.org, off, or NAME+HASH+KEY [URL]; for private modules set GONOSUMDB={} instead",
                            source_text(self.setting("GOSUMDB")),
                            private_glob(path)
                        ),
                    };
                    Err(ErrorInfo::new(
                        err.code,
                        format!(
                            "the checksum database setting cannot be used: {}",
                            err.go_text
                        ),
                    )
                    .go_error(format!("{prefix}verifying go.mod: {}", err.go_text))
                    .hint(hint))
                }
            },
        }
    }

    fn exposures(&self, body: &RouteBody) -> Vec<Exposure> {
        let mut out: Vec<Exposure> = Vec::new();
        let mut seen_request = false;
        for endpoint in &body.endpoints {
            if endpoint.kind == "off" {
                continue;
            }
            let when = if seen_request {
                "on_fallback"
            } else {
                "always"
            };
            seen_request = true;
            if endpoint.kind == "proxy"
                && let Some(host) = &endpoint.host
                && !out.iter().any(|e| &e.host == host)
            {
                out.push(Exposure {
                    host: host.clone(),
                    role: "proxy",
                    when,
                    public: is_public_service(host),
                });
            }
            // A plain-http request through an HTTP proxy shows the proxy the whole URL,
            // module path included (over https the proxy sees only the host name).
            if endpoint.kind == "proxy"
                && endpoint.scheme.as_deref() == Some("http")
                && let Some(url) = endpoint.url.as_deref().and_then(|u| gourl::parse(u).ok())
                && let Ok(Some(choice)) = self.http_proxies().proxy_for_url(&url)
            {
                let host = choice.url.hostname().to_string();
                if !out.iter().any(|e| e.host == host) {
                    out.push(Exposure {
                        public: is_public_service(&host),
                        host,
                        role: "http_proxy",
                        when,
                    });
                }
            }
        }
        if let Some(db) = &body.sumdb
            && !db.host.is_empty()
        {
            let when = if db.proxied_via.is_empty() {
                "always"
            } else {
                "unless_proxied"
            };
            if !out.iter().any(|e| e.host == db.host) {
                out.push(Exposure {
                    host: db.host.clone(),
                    role: "sumdb",
                    when,
                    public: is_public_service(&db.host),
                });
            }
        }
        out
    }

    /// The GOPRIVATE value that would keep `path` away from public services.
    fn keep_private_value(&self, path: &str) -> String {
        let glob = private_glob(path);
        let current = self.cfg.get("GOPRIVATE");
        if current.is_empty() {
            format!("GOPRIVATE={glob}")
        } else {
            format!("GOPRIVATE={current},{glob}")
        }
    }

    async fn fill_vcs(
        &self,
        direct: &DirectRoute<'_>,
        body: &mut RouteBody,
        warnings: &mut Vec<Warning>,
    ) -> Result<(), ErrorInfo> {
        let DirectRoute {
            path,
            wanted,
            first: direct_first,
            insecure,
            go_prefix: prefix,
        } = *direct;
        let git_allow = self.cfg.environment().get("GIT_ALLOW_PROTOCOL");
        let goprivate = self.cfg.get("GOPRIVATE");
        let govcs_value = self.cfg.get("GOVCS");
        // A page that never came has no line of Go's: it would still be waiting.
        let fail_waiting = |code: Code,
                            go_text: String,
                            detail: Option<String>,
                            go_waits: bool,
                            warnings: &mut Vec<Warning>|
         -> Result<(), ErrorInfo> {
            let hint = direct_hint(code, path, insecure);
            let go_error = (!go_waits).then(|| format!("{prefix}{go_text}"));
            if direct_first {
                let mut e = ErrorInfo::new(code, direct_message(code, path)).hint(hint);
                if let Some(go_error) = go_error {
                    e = e.go_error(go_error);
                }
                if let Some(d) = detail.or_else(|| go_waits.then_some(go_text)) {
                    e = e.detail(d);
                }
                Err(e)
            } else {
                let mut w = Warning::new(
                    code,
                    format!(
                        "if the proxies do not have {path}, the direct fallback fails: {}",
                        direct_message(code, path)
                    ),
                    Some(hint),
                );
                if let Some(go_error) = go_error {
                    w = w.go_error(go_error);
                }
                warnings.push(w);
                Ok(())
            }
        };
        let fail =
            |code: Code, go_text: String, detail: Option<String>, warnings: &mut Vec<Warning>| {
                fail_waiting(code, go_text, detail, false, warnings)
            };
        let outcome = match direct::static_lookup(path, insecure, git_allow) {
            Ok(outcome) => outcome,
            Err(err) => {
                body.vcs = Some(VcsInfo {
                    via: "known_host",
                    status: "failed",
                    ..VcsInfo::default()
                });
                return fail(err.code, err.go_text, err.detail, warnings);
            }
        };
        match outcome {
            StaticOutcome::Known(root) => {
                let mut info = VcsInfo {
                    vcs: Some(root.vcs.cmd().to_string()),
                    repo: Some(root.repo.clone()),
                    root: Some(root.root.clone()),
                    via: "known_host",
                    status: "resolved",
                    url: None,
                    sub_dir: None,
                    schemes: root.schemes.iter().map(|s| s.to_string()).collect(),
                    govcs: None,
                };
                self.set_direct_endpoints(body, Some(&root.repo), None);
                if root.vcs == gomod_common::vcs::VcsKind::Git && root.repo.starts_with("https://")
                {
                    let refs =
                        redact_url(&format!("{}/info/refs?service=git-upload-pack", root.repo));
                    for endpoint in body
                        .endpoints
                        .iter_mut()
                        .filter(|e| e.kind == "direct" || e.kind == "noproxy")
                    {
                        endpoint.requests = vec![refs.clone()];
                    }
                }
                match direct::static_govcs(&root, govcs_value, goprivate) {
                    Ok(verdict) => {
                        info.govcs = Some(govcs_info(&verdict));
                        body.vcs = Some(info);
                        match verdict.refusal() {
                            Some(refusal) => {
                                fail(Code::VcsDisallowed, refusal.to_string(), None, warnings)
                            }
                            None => Ok(()),
                        }
                    }
                    Err(err) => {
                        body.vcs = Some(info);
                        fail(err.code, err.go_text, None, warnings)
                    }
                }
            }
            StaticOutcome::Discover(url) => {
                let discovery_url = url.https();
                self.set_direct_endpoints(body, None, Some(&discovery_url));
                let probe = !self.offline && (direct_first || self.discover_fallback);
                if !probe {
                    body.vcs = Some(VcsInfo {
                        via: "go_get",
                        status: "not_probed",
                        url: Some(redact_url(&discovery_url)),
                        ..VcsInfo::default()
                    });
                    return Ok(());
                }
                let opts = DiscoverOptions {
                    insecure,
                    govcs: govcs_value,
                    goprivate,
                    timeout: self.timeout,
                };
                match direct::discover(self.client(), path, &url, opts).await {
                    Ok(root) => {
                        if root.vcs == gomod_common::vcs::VcsKind::Mod {
                            let requests = proxy_requests(&root.repo, path, wanted);
                            for endpoint in body
                                .endpoints
                                .iter_mut()
                                .filter(|e| e.kind == "direct" || e.kind == "noproxy")
                            {
                                endpoint.requests = requests.clone();
                            }
                        }
                        body.vcs = Some(VcsInfo {
                            vcs: Some(root.vcs.cmd().to_string()),
                            repo: Some(redact_url(&root.repo)),
                            root: Some(root.root.clone()),
                            via: "go_get",
                            status: "resolved",
                            url: root.url.clone(),
                            sub_dir: root.sub_dir.clone(),
                            schemes: Vec::new(),
                            govcs: root.govcs.as_ref().map(govcs_info),
                        });
                        Ok(())
                    }
                    Err(err) => {
                        body.vcs = Some(VcsInfo {
                            via: "go_get",
                            status: "failed",
                            url: Some(redact_url(&discovery_url)),
                            ..VcsInfo::default()
                        });
                        fail_waiting(err.code, err.go_text, err.detail, err.go_waits, warnings)
                    }
                }
            }
        }
    }

    /// Puts the repository or discovery URL on every direct endpoint.
    fn set_direct_endpoints(
        &self,
        body: &mut RouteBody,
        repo: Option<&str>,
        discovery: Option<&str>,
    ) {
        for endpoint in body
            .endpoints
            .iter_mut()
            .filter(|e| e.kind == "direct" || e.kind == "noproxy")
        {
            if let Some(url) = discovery {
                endpoint.url = Some(redact_url(url));
                endpoint.requests = vec![redact_url(url)];
            } else if let Some(repo) = repo {
                endpoint.url = Some(redact_url(repo));
                if let Ok(parsed) = gourl::parse(repo)
                    && !parsed.scheme.is_empty()
                {
                    endpoint.scheme = Some(parsed.scheme.clone());
                    endpoint.host = Some(parsed.hostname().to_string());
                    endpoint.port = default_port(&parsed);
                } else {
                    endpoint.scheme = None;
                    endpoint.port = None;
                }
            }
        }
    }
}

/// A toolchain problem as the record's error.
fn problem_error(problem: &toolchain::Problem) -> ErrorInfo {
    let error = ErrorInfo::new(problem.code, problem.message.clone()).hint(problem.hint.clone());
    if problem.go_error.is_empty() {
        error
    } else {
        error.go_error(problem.go_error.clone())
    }
}

fn clone_wanted(wanted: &Wanted) -> Wanted {
    match wanted {
        Wanted::Version(v) => Wanted::Version(v.clone()),
        Wanted::ListQuery => Wanted::ListQuery,
        Wanted::Revision(r) => Wanted::Revision(r.clone()),
    }
}

fn govcs_info(verdict: &gomod_common::govcs::GovcsVerdict) -> Govcs {
    Govcs {
        allowed: verdict.allowed,
        scope: verdict.visibility.as_str(),
        rule: verdict.rule.as_written().to_string(),
    }
}

/// The first URLs the go command requests from a proxy base for the target.
fn proxy_requests(base: &str, path: &str, wanted: &Wanted) -> Vec<String> {
    let suffixes: Vec<String> = match wanted {
        Wanted::Version(v) => match modpath::escape_version(v) {
            Ok(ev) => vec![
                format!("@v/{ev}.info"),
                format!("@v/{ev}.mod"),
                format!("@v/{ev}.zip"),
            ],
            Err(_) => Vec::new(),
        },
        Wanted::ListQuery => vec!["@v/list".to_string(), "@latest".to_string()],
        Wanted::Revision(r) => match modpath::escape_version(r) {
            Ok(er) => vec![format!("@v/{er}.info")],
            Err(_) => Vec::new(),
        },
    };
    let Ok(repo) = route::ProxyRepo::new(base, path) else {
        return Vec::new();
    };
    suffixes
        .iter()
        .map(|suffix| redact_url(&repo.url(suffix).to_string()))
        .collect()
}

fn default_port(url: &gourl::Url) -> Option<u16> {
    match url.port() {
        "" => match url.scheme.as_str() {
            "https" => Some(443),
            "http" => Some(80),
            _ => None,
        },
        port => port.parse().ok(),
    }
}

fn source_text(setting: Option<&Setting>) -> String {
    match setting {
        Some(s) => match (&s.source, &s.file) {
            (gomod_common::goenv::Source::Env, _) => "from the environment".to_string(),
            (_, Some(file)) => format!("from {}", file.display()),
            _ => "Go's default".to_string(),
        },
        None => "Go's default".to_string(),
    }
}

/// Public Go services: they learn every path they are asked for.
const PUBLIC_SERVICES: &[&str] = &[
    "proxy.golang.org",
    "sum.golang.org",
    "sum.golang.google.cn",
    "goproxy.io",
    "goproxy.cn",
    "proxy.golang.com.cn",
    "mirrors.aliyun.com",
    "goproxy.baidu.com",
    "mirrors.tencent.com",
];

fn is_public_service(host: &str) -> bool {
    PUBLIC_SERVICES
        .iter()
        .any(|s| host == *s || host.ends_with(&format!(".{s}")))
}

fn major_hint(path: &str, version: &str) -> String {
    match semver::major(version) {
        "v0" | "v1" | "" => format!(
            "{path} carries a major-version suffix; use the matching major version, or the path without the suffix"
        ),
        m => format!(
            "a {m} version lives at the path {path}/{m} (or use {version}+incompatible for a module without go.mod)"
        ),
    }
}

fn direct_message(code: Code, path: &str) -> String {
    match code {
        Code::VcsPathInvalid => format!("Go cannot map {path} to a repository"),
        Code::VcsMetaNotFound => format!("the go-get page for {path} has no go-import tag for it"),
        Code::VcsMetaConflict => format!("the go-get pages for {path} disagree"),
        Code::VcsRepoInvalid => {
            format!("the go-import tag for {path} names an unusable repository")
        }
        Code::VcsDisallowed => format!("GOVCS forbids the version control tool {path} needs"),
        Code::GovcsInvalid => "GOVCS cannot be parsed".to_string(),
        Code::HttpTimeout => format!(
            "the go-get page for {path} did not come in time; {}",
            gomod_common::net::http::GO_WAITS
        ),
        _ => format!("go-get discovery for {path} failed"),
    }
}

fn direct_hint(code: Code, path: &str, insecure: bool) -> String {
    let host = path.split('/').next().unwrap_or(path);
    match code {
        Code::TlsUnknownAuthority | Code::TlsIncompleteChain | Code::TlsNoRoots => format!(
            "Go does not trust {host}'s certificate: add its CA to SSL_CERT_FILE (a PEM bundle) or to the system bundle{}",
            if insecure { "" } else { "; GOINSECURE for the path would skip the check for direct fetches" }
        ),
        Code::TlsNameMismatch | Code::TlsExpired | Code::TlsNotYetValid => format!("{host}'s certificate is not valid for it now; check for a TLS-inspecting proxy, a wrong DNS answer, or the system clock"),
        Code::DnsNxdomain | Code::DnsFailed | Code::DnsTimeout | Code::DnsServfail => format!("{host} does not resolve here; on a private network check the VPN and resolver (gomod-dnscheck {host}), or use a GOPROXY that can reach it"),
        Code::TcpRefused | Code::TcpTimeout | Code::TcpUnreachable | Code::TcpReset => format!("{host}:443 is not reachable from here; a firewall may require HTTPS_PROXY, or use a GOPROXY"),
        Code::ProxyAuthRequired => "the HTTP proxy wants credentials: put them in HTTPS_PROXY as http://user:password@proxy:port".to_string(),
        Code::ProxyRefused | Code::ProxyUnreachable | Code::ProxyClosed => format!("the HTTP proxy does not let the go command reach {host}; check HTTPS_PROXY and NO_PROXY"),
        Code::HttpUnauthorized | Code::HttpForbidden => format!("{host} wants credentials: add a 'machine {host} login USER password TOKEN' line to ~/.netrc (https only)"),
        Code::HttpNotFound | Code::HttpGone => format!("{host} serves no go-get page for {path}; check the path, or reach the module through a GOPROXY"),
        Code::VcsMetaNotFound => format!("{host} answered without a go-import tag for {path} (often a login page): give credentials in ~/.netrc, or use a GOPROXY that has the module"),
        Code::VcsDisallowed => format!("allow it with GOVCS, e.g. GOVCS={host}:git|hg|svn,public:git|hg, or fetch through a GOPROXY"),
        Code::GovcsInvalid => "GOVCS must be a comma-separated list of pattern:vcs|vcs entries, e.g. GOVCS=public:git|hg,private:all".to_string(),
        Code::VcsPathInvalid => "check the module path; Go's table of code hosts rejects it".to_string(),
        _ => format!("check that {host} serves https://{path}?go-get=1, or use a GOPROXY that has the module"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_classified() {
        assert!(matches!(
            classify_version(Some("v1.2.3")),
            Wanted::Version(_)
        ));
        assert!(matches!(classify_version(Some("v1.2")), Wanted::ListQuery));
        assert!(matches!(
            classify_version(Some("latest")),
            Wanted::ListQuery
        ));
        assert!(matches!(
            classify_version(Some(">=v1.0.0")),
            Wanted::ListQuery
        ));
        assert!(matches!(
            classify_version(Some("master")),
            Wanted::Revision(_)
        ));
        // A full version that is not canonical is asked as .info, as Go's queryProxy
        // does (canStat), not answered from the list.
        assert!(matches!(
            classify_version(Some("v1.2.3+build")),
            Wanted::Revision(_)
        ));
        assert!(matches!(classify_version(None), Wanted::ListQuery));
    }
}
