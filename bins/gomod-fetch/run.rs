//! The gomod-fetch probe: for each module, resolve the version (a query goes through
//! `@v/list`, `@latest` and `.info` as Go answers it), then fetch `.info`, `.mod` and
//! `.zip` — each through its own walk of the GOPROXY list, as Go's `TryProxies` walks
//! it once per operation — and hash, check and optionally cache what came back.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use gomod_common::app::{self, Elapsed, Probe, ProbeFuture};
use gomod_common::goenv::GoConfig;
use gomod_common::input::{InputItem, ModuleTarget};
use gomod_common::mainmod::Exclusions;
use gomod_common::modfile::short_message;
use gomod_common::net::http::{HttpClient, HttpSettings};
use gomod_common::record::fetch::FetchBody;
use gomod_common::record::{Code, ErrorInfo, Record, Warning, redact_url};
use gomod_common::route::{self, EntrySpec, ErrorRanking, Lookup, PlannedEntry, ProxyEntry};
use gomod_common::{dirhash, modpath, toolchain};
use tokio::sync::OnceCell;

use crate::cli::{Cli, What};
use crate::direct::{self, Found, GitTarget};
use crate::goline::{RunningGo, TooNew};
use crate::http::{Fetcher, Log, OpError, hosts_of};
use crate::proxy::{Repo, RevInfo};
use crate::{cache, zipcheck};
use gomod_common::git::Workspace;
use gomod_common::git::run::Runner;
use gomod_common::query::{self, Matcher, Plan};
use gomod_common::versionlist::{ListParser, MAX_KEPT_VERSIONS, ParsedList};

const TOOL: &str = "gomod-fetch";

/// Runs the tool.
pub fn main(cli: Cli) -> ExitCode {
    if let Some(what) = cli.common.generate {
        return app::generate::<Cli>(what);
    }
    let cfg = Arc::new(GoConfig::from_process());
    let fetcher = Arc::new(Fetcher {
        client: HttpClient::new(HttpSettings::from_config(&cfg, cli.common.connect_timeout)),
        timeout: cli.common.timeout,
        retries: cli.retries,
    });
    if !cli.check_proxy.is_empty() {
        return crate::checkproxy::main(&cli, &cfg, fetcher);
    }
    let mut inputs = match app::open_inputs(
        TOOL,
        &cli.targets,
        &cli.common.files,
        !cli.modfiles.is_empty(),
    ) {
        Ok(inputs) => inputs,
        Err(status) => return status,
    };
    for modfile in &cli.modfiles {
        match gomod_common::input::gomod_requirements(modfile, &cfg) {
            Ok(Ok(items)) => items.into_iter().for_each(|item| inputs.push_leading(item)),
            Ok(Err(error)) => {
                let body = FetchBody::default();
                let record = Record::new(&body, Some(error), Vec::new(), Duration::ZERO);
                inputs.push_leading(InputItem::Ready(Box::new(record)));
            }
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
        "give modules (gomod-fetch golang.org/x/net@v0.30.0), -m go.mod, or records on standard input",
    );
    if inputs.is_empty() {
        return app::nothing_to_probe(TOOL, &inputs);
    }
    if let Some(dir) = &cli.cache
        && let Err(err) = std::fs::create_dir_all(dir)
    {
        return app::fatal(
            TOOL,
            &gomod_common::oserr::path_error("mkdir", dir, &err),
            Some("give a directory that can be created and written with --cache"),
        );
    }
    let mut what = cli.what.clone();
    what.dedup();
    let (workspace, work_tmp) = match git_workspace(&cfg, cli.cache.as_deref(), cli.common.timeout)
    {
        Ok(found) => found,
        Err(message) => {
            return app::fatal(
                TOOL,
                &message,
                Some("set TMPDIR to a directory that can be written"),
            );
        }
    };
    let probe = Arc::new(FetchProbe {
        cfg,
        workspace,
        _work_tmp: work_tmp,
        fetcher,
        what,
        cache: cli.cache.clone(),
        every_endpoint: cli.every_endpoint,
        go_get_warnings: cli.go_get_warnings,
        exclusions: std::sync::OnceLock::new(),
        running_go: OnceCell::new(),
        toolchains: OnceCell::new(),
        path_toolchains: OnceCell::new(),
    });
    app::run(TOOL, &cli.common, app::Threads::PerCore, inputs, probe)
}

/// A temporary file in `dir`, made on the bounded blocking pool.
async fn temp_in(dir: &std::path::Path) -> std::io::Result<tempfile::NamedTempFile> {
    let dir = dir.to_path_buf();
    gomod_common::blocking::run(move || cache::temp_in(&dir))
        .await
        .unwrap_or_else(|panicked| Err(std::io::Error::other(panicked)))
}

/// The work directories of git for direct modules: `DIR/cache/vcs` with --cache (where
/// the go command keeps them, so it can reuse them), else a temporary directory removed
/// at the end; never the user's own GOMODCACHE.
fn git_workspace(
    cfg: &GoConfig,
    cache: Option<&std::path::Path>,
    timeout: Duration,
) -> Result<(Arc<Workspace>, Option<tempfile::TempDir>), String> {
    let path = cfg.environment().get("PATH");
    let runner = Runner::new(
        (!path.is_empty()).then(|| std::ffi::OsStr::new(path)),
        cfg.environment(),
        timeout,
    );
    let go_cache = cfg.get("GOMODCACHE");
    match cache {
        Some(dir) => Ok((
            Arc::new(Workspace::new(
                &dir.join("cache").join("vcs"),
                go_cache,
                runner,
            )),
            None,
        )),
        None => {
            let tmp = tempfile::Builder::new()
                .prefix("gomod-fetch-vcs-")
                .tempdir()
                .map_err(|e| {
                    format!(
                        "creating a temporary directory for git: {}",
                        gomod_common::oserr::errno_text(&e)
                    )
                })?;
            Ok((
                Arc::new(Workspace::new(tmp.path(), go_cache, runner)),
                Some(tmp),
            ))
        }
    }
}

struct FetchProbe {
    cfg: Arc<GoConfig>,
    /// Where git runs for direct modules.
    workspace: Arc<Workspace>,
    /// The temporary home of `workspace` without --cache, removed at the end.
    _work_tmp: Option<tempfile::TempDir>,
    fetcher: Arc<Fetcher>,
    what: Vec<What>,
    cache: Option<PathBuf>,
    every_endpoint: bool,
    /// Read the latest version's go.mod for go get's warnings (--go-get-warnings).
    go_get_warnings: bool,
    /// What the main modules (found from the working directory) exclude: version
    /// queries pass over it. Read at the first query; a run of exact versions never
    /// looks.
    exclusions: std::sync::OnceLock<Exclusions>,
    /// The go that would download the modules, whose version their go lines are held
    /// to. Found at the first go.mod fetched.
    running_go: OnceCell<Option<RunningGo>>,
    /// golang.org/toolchain's versions on GOPROXY, listed once for every module that
    /// needs a newer go (go lists them once for its switch).
    toolchains: OnceCell<Result<Vec<String>, OpError>>,
    /// The go1.* programs in PATH and their directories, for GOTOOLCHAIN=path: read
    /// once, for every module that needs a newer go.
    path_toolchains: OnceCell<Vec<(String, std::path::PathBuf)>>,
}

impl Probe for FetchProbe {
    fn probe(self: Arc<Self>, item: InputItem) -> ProbeFuture {
        Box::pin(async move {
            let target = match Target::from_item(&item) {
                Ok(Some(target)) => target,
                Ok(None) => return Vec::new(),
                Err(reason) => {
                    return app::unusable_item_record(&item, &reason)
                        .into_iter()
                        .collect();
                }
            };
            // The probe's state (tens of KB) is allocated when it starts, not while it
            // waits for a slot, and freed when it ends, not when it is printed.
            Box::pin(self.fetch(target)).await
        })
    }
}

/// One module to fetch.
struct Target {
    module: String,
    version: Option<String>,
    /// Endpoints from a route record, when one was given.
    endpoints: Option<Vec<ProxyEntry>>,
    /// A local-directory replacement: nothing to fetch.
    local_replacement: Option<String>,
    excluded: bool,
}

impl Target {
    fn from_item(item: &InputItem) -> Result<Option<Target>, String> {
        if let InputItem::Record { value, .. } = item {
            // Records of other kinds (dns, tls...) carry nothing to fetch.
            let kind = value.get("type").and_then(|t| t.as_str());
            if matches!(kind, Some(k) if !matches!(k, "route" | "fetch" | "sum" | "toolchain")) {
                return Ok(None);
            }
        }
        let Some(named) = ModuleTarget::from_item(item)? else {
            return Ok(None);
        };
        let mut endpoints = None;
        if let InputItem::Record { value, .. } = item
            && let Some(list) = value
                .get("route")
                .filter(|_| value.get("type").and_then(|t| t.as_str()) == Some("toolchain"))
                .unwrap_or(&serde_json::Value::Null)
                .get("endpoints")
                .or_else(|| value.get("endpoints"))
                .and_then(|e| e.as_array())
        {
            for endpoint in list.iter().filter_map(|e| e.as_object()) {
                gomod_common::input::target_field(endpoint, "url")
                    .map_err(|e| format!("endpoints[]: {e}"))?;
            }
            endpoints = list.iter().map(endpoint_from_json).collect();
        }
        let mut target = Target {
            module: named.module,
            version: named.version,
            endpoints,
            local_replacement: None,
            excluded: named.excluded,
        };
        match named.replaced_by {
            Some(r) if r.local => target.local_replacement = Some(r.path),
            // The go command fetches the replacement, not the original.
            Some(r) if !r.path.is_empty() => {
                target.module = r.path;
                target.version = r.version;
            }
            _ => {}
        }
        Ok(Some(target))
    }
}

/// A route record's endpoint as a GOPROXY entry; None when it cannot be used (a
/// redacted password cannot be sent), and then the route is computed again.
fn endpoint_from_json(value: &serde_json::Value) -> Option<ProxyEntry> {
    let kind = value.get("kind")?.as_str()?;
    let spec = match kind {
        "proxy" => {
            let url = value.get("url")?.as_str()?;
            if url.contains("***") {
                return None;
            }
            EntrySpec::Url(url.to_string())
        }
        "direct" => EntrySpec::Direct,
        "off" => EntrySpec::Off,
        "noproxy" => EntrySpec::Noproxy,
        _ => return None,
    };
    Some(ProxyEntry {
        spec,
        fall_back_on_error: value.get("fallback").and_then(|f| f.as_str()) == Some("any_error"),
    })
}

/// Per-target state shared by the walks.
struct Ctx<'a> {
    module: &'a str,
    entries: &'a [PlannedEntry],
    log: Log,
    /// The `direct` entry's repository, found once for the target (shared with the
    /// look at the latest version's go.mod).
    direct: Arc<OnceCell<Result<Found, OpError>>>,
}

/// How one entry is reached for one operation.
enum Access<'a> {
    /// A module proxy (or a `mod` server found by discovery).
    Proxy(Repo<'a>),
    /// A repository behind `direct`, probed natively.
    Vcs(&'a Found),
    /// A git repository behind `direct`, read with git.
    Git(&'a Arc<GitTarget>),
}

/// One operation of the go command, done at each entry until one succeeds.
enum Op<'a> {
    /// `.info` for a version or revision.
    Stat(&'a str),
    /// A version query answered from `@v/list` (and `@latest`).
    Query(&'a query::Matcher),
    /// `@v/list`.
    List,
    /// `.mod`.
    Mod(&'a str),
    /// `.zip`, into a temporary file in this directory.
    Zip(&'a str, &'a std::path::Path),
}

/// The module's latest version, retracted or not, and its go.mod when it could be
/// had ([`FetchProbe::latest_version`]).
struct Latest {
    info: RevInfo,
    /// The endpoint that answered the query.
    source: String,
    /// The go.mod, and the endpoint that served it.
    go_mod: Option<(Vec<u8>, String)>,
}

/// What an operation produced.
enum Out {
    /// `.info` (or the query's answer).
    Info(RevInfo),
    /// The version list.
    Versions(ParsedList),
    /// The `.mod` file.
    Mod(Vec<u8>),
    /// The checked zip.
    Zip(zipcheck::Zip),
    /// A `direct` entry that would need the VCS tool to produce the file.
    NotBuilt,
}

impl FetchProbe {
    /// What to fetch of `module`: --what, else what `go mod download` fetches, but for
    /// a Go toolchain only what tells whether the proxy has it (not its large zip).
    fn what_for(&self, module: &str) -> Vec<What> {
        if !self.what.is_empty() {
            return self.what.clone();
        }
        if module == toolchain::MODULE {
            vec![What::Info, What::Mod]
        } else {
            vec![What::Info, What::Mod, What::Zip]
        }
    }

    async fn fetch(&self, target: Target) -> Vec<Record> {
        let elapsed = Elapsed::start();
        let mut body = FetchBody {
            module: target.module.clone(),
            what: self
                .what_for(&target.module)
                .iter()
                .map(|w| w.as_str().to_string())
                .collect(),
            ..FetchBody::default()
        };
        let asked = target
            .version
            .clone()
            .unwrap_or_else(|| "latest".to_string());
        if query::is_canonical(&asked) {
            body.version = Some(asked.clone());
        } else {
            body.query = Some(asked.clone());
        }
        let go_prefix = format!("go: {}@{}: ", target.module, asked);
        let done = |body: FetchBody, error: Option<ErrorInfo>, warnings: Vec<Warning>| {
            vec![Record::new(&body, error, warnings, elapsed.get())]
        };
        if let Some(path) = &target.local_replacement {
            let w = Warning::new(
                Code::LocalReplacement,
                format!(
                    "replaced by the local directory {path}: the go command fetches nothing for it"
                ),
                None,
            );
            return done(body, None, vec![w]);
        }
        if target.excluded {
            let w = Warning::new(
                Code::Excluded,
                "excluded by the go.mod file: the go command does not fetch it".to_string(),
                None,
            );
            return done(body, None, vec![w]);
        }
        if let Err(err) = modpath::check_path(&target.module) {
            // `go mod download` names what it was given in front (its modinfoError).
            let e = ErrorInfo::new(Code::ModulePathInvalid, err.to_string())
                .go_error(format!("{go_prefix}{err}"))
                .hint("check the module path; gomod-resolve explains what Go accepts");
            return done(body, Some(e), Vec::new());
        }
        let entries = match self.plan(&target) {
            Ok(entries) => entries,
            Err(err) => {
                let e = ErrorInfo::new(err.code, err.go_text.clone())
                    .go_error(format!("{go_prefix}{}", err.go_text))
                    .hint("fix GOPROXY: `gomod-resolve --env` shows its value and where it comes from");
                return done(body, Some(e), Vec::new());
            }
        };
        let ctx = Ctx {
            module: &target.module,
            entries: &entries,
            log: Log::default(),
            direct: Arc::default(),
        };
        if self.every_endpoint && query::is_canonical(&asked) {
            // Boxed, as the other large states below: a future holds the largest of
            // its possible states for its whole life, and this one is rarely taken.
            return Box::pin(self.every_endpoint(&ctx, body, &asked, elapsed)).await;
        }
        let mut warnings = Vec::new();
        let outcome = self.fetch_all(&ctx, &mut body, &asked, &mut warnings).await;
        body.attempts = ctx.log.take();
        body.hosts = hosts_of(&body.attempts);
        body.direct = direct_record(ctx.direct.get(), body.version.as_deref());
        warnings.extend(body.direct.as_ref().and_then(plain_http_credentials));
        warnings.extend(unsent_netrc(&body.attempts, self.fetcher.client.settings()));
        let error = outcome.err().map(|err| {
            match toolchain_not_available(&err, &target.module, body.version.as_deref()) {
                Some(e) => e,
                None => {
                    let hint = hint_for(err.code, &target.module);
                    error_info(err, hint)
                }
            }
        });
        done(body, error, warnings)
    }

    /// The GOPROXY list for the target: a route record's endpoints, else Go's
    /// configuration.
    fn plan(&self, target: &Target) -> Result<Vec<PlannedEntry>, route::ConfigError> {
        let gonoproxy = self.cfg.get("GONOPROXY");
        match &target.endpoints {
            Some(list) if !list.is_empty() => {
                let last = list.len() - 1;
                Ok(list
                    .iter()
                    .enumerate()
                    .map(|(i, entry)| PlannedEntry {
                        lookup: route::lookup(&entry.spec, &target.module, gonoproxy),
                        entry: entry.clone(),
                        is_last: i == last,
                    })
                    .collect())
            }
            _ => route::plan(self.cfg.get("GOPROXY"), gonoproxy, &target.module),
        }
    }

    /// Resolves the version and fetches what was asked, and with --go-get-warnings
    /// the go.mod of the module's latest version, for what `go get` would warn about
    /// (a retracted version, a deprecated module); the error carries Go's wrapping in
    /// its frame (`module M: `, `M@V: `, or none where Go adds none).
    ///
    /// A version query reads that go.mod first, as go's does (its `CheckAllowed`
    /// passes over retracted versions), and its requests are go mod download's; for
    /// an exact version only go get reads it, and then alongside the version's files,
    /// its requests kept out of `attempts`.
    async fn fetch_all(
        &self,
        ctx: &Ctx<'_>,
        body: &mut FetchBody,
        asked: &str,
        warnings: &mut Vec<Warning>,
    ) -> Result<(), OpError> {
        let mut latest = None;
        let outcome = if matches!(query::plan(asked, ctx.module), Ok(Plan::List(_))) {
            self.fetch_files(ctx, body, asked, warnings, &mut latest)
                .await
        } else {
            let aside = Ctx {
                module: ctx.module,
                entries: ctx.entries,
                log: Log::default(),
                direct: Arc::clone(&ctx.direct),
            };
            let look = async {
                match self.go_get_warnings {
                    true => Box::pin(self.latest_version(&aside)).await.ok(),
                    false => None,
                }
            };
            let mut unused = None;
            let (outcome, found) = tokio::join!(
                self.fetch_files(ctx, body, asked, warnings, &mut unused),
                look
            );
            latest = found;
            outcome
        };
        if self.go_get_warnings
            && let (Some(version), Some(latest)) = (body.version.as_deref(), latest)
            && let Some((data, _)) = &latest.go_mod
        {
            warnings.extend(author_warnings(
                ctx.module,
                version,
                &latest.info.version,
                data,
            ));
        }
        outcome
    }

    /// The module's latest version with its go.mod, as go finds it to load
    /// retractions and deprecations (`queryLatestVersionIgnoringRetractions`: the
    /// `latest` query, retracted versions included). The go.mod is None when it cannot
    /// be had (go then allows every version and warns about nothing).
    async fn latest_version(&self, ctx: &Ctx<'_>) -> Result<Latest, OpError> {
        let matcher = match query::plan("latest", ctx.module) {
            Ok(Plan::List(matcher)) => matcher,
            _ => return Err(OpError::new(Code::InternalError, "no latest query")),
        };
        let (out, source) = self.walk(ctx, &Op::Query(&matcher)).await?;
        let Out::Info(info) = out else {
            return Err(OpError::new(Code::InternalError, "no latest version"));
        };
        let go_mod = match self.walk(ctx, &Op::Mod(&info.version)).await {
            Ok((Out::Mod(data), source)) => Some((data, source)),
            _ => None,
        };
        Ok(Latest {
            info,
            source,
            go_mod,
        })
    }

    /// A version query as go answers it (`queryProxy` with `CheckAllowed`): the
    /// versions that the latest version's go.mod retracts are passed over, so that
    /// go.mod is read first. `latest` is left holding what was found of it.
    async fn query(
        &self,
        ctx: &Ctx<'_>,
        matcher: &Matcher,
        latest: &mut Option<Latest>,
    ) -> Result<(Out, String), OpError> {
        let found = self.latest_version(ctx).await;
        let allowed = match &found {
            Ok(Latest {
                go_mod: Some((data, _)),
                ..
            }) => matcher.clone().without_retracted(data),
            _ => matcher.clone(),
        };
        let excluded = self.exclusions().of(ctx.module);
        let allowed = allowed.without_excluded(excluded.iter().map(|x| x.version.as_str()));
        let answer = match &found {
            // The same query go asked already: its answer stands (go's own answers
            // come from its cache the second time).
            Ok(l) if allowed.is_latest() && allowed.allows_latest(&l.info.version) => {
                Ok((Out::Info(l.info.clone()), l.source.clone()))
            }
            Err(e) if allowed.is_latest() => Err(e.clone()),
            _ => self.walk(ctx, &Op::Query(&allowed)).await,
        };
        *latest = found.ok();
        answer
    }

    /// What the main modules exclude, read once, at the first query.
    fn exclusions(&self) -> &Exclusions {
        self.exclusions.get_or_init(|| {
            std::env::current_dir()
                .map(|cwd| Exclusions::find(&self.cfg, &cwd))
                .unwrap_or_default()
        })
    }

    /// A warning for each version of `module` that the main modules exclude and the
    /// query would otherwise consider. go says nothing about it; the answer differs.
    fn exclusion_warnings(&self, module: &str, matcher: &Matcher) -> Vec<Warning> {
        self.exclusions()
            .of(module)
            .iter()
            .filter(|x| matcher.matches(&x.version))
            .map(|x| {
                Warning::new(
                    Code::Excluded,
                    format!(
                        "{}:{} excludes {module}@{}: the query {} passes over it, as go's queries do in this module",
                        x.file.display(),
                        x.line,
                        x.version,
                        gomod_common::goquote::quote(&matcher.query),
                    ),
                    Some(format!(
                        "ask for {module}@{} to fetch it anyway (go mod download fetches an exact version even when excluded), or remove the exclude directive",
                        x.version
                    )),
                )
            })
            .collect()
    }

    /// Resolves the version and fetches what was asked (see [`FetchProbe::fetch_all`]).
    async fn fetch_files(
        &self,
        ctx: &Ctx<'_>,
        body: &mut FetchBody,
        asked: &str,
        warnings: &mut Vec<Warning>,
        latest: &mut Option<Latest>,
    ) -> Result<(), OpError> {
        let module = ctx.module;
        let mut resolved: Option<RevInfo> = None;
        // What `go mod download` puts in front of an error that names no module itself
        // while it resolves the argument (modload's modinfoError).
        let asked_frame = format!("{module}@{asked}: ");
        // A canonical version is the version, unless it does not fit the path
        // (module.Check: v2.0.0 of a path without /v2): go resolves that with Stat like
        // any revision, and Stat may answer with `+incompatible` added.
        let version = if query::is_canonical(asked) && modpath::check(module, asked).is_ok() {
            asked.to_string()
        } else {
            let plan = query::plan(asked, module).map_err(|text| {
                OpError::new(Code::VersionInvalid, text).framed(asked_frame.clone())
            })?;
            let answer = match &plan {
                Plan::Stat(rev) => self.walk(ctx, &Op::Stat(rev)).await,
                Plan::List(matcher) => {
                    warnings.extend(self.exclusion_warnings(module, matcher));
                    Box::pin(self.query(ctx, matcher, latest)).await
                }
            };
            let (out, source) = answer.map_err(|mut e| {
                if matches!(plan, Plan::Stat(_)) && e.frame.is_none() {
                    e.go_text = format!("invalid version: {}", e.go_text);
                }
                e.framed(asked_frame.clone())
            })?;
            match out {
                Out::Info(info) => {
                    body.source = Some(source);
                    body.info = Some(info.info.clone());
                    let v = info.version.clone();
                    resolved = Some(info);
                    v
                }
                _ => return Ok(()),
            }
        };
        body.version = Some(version.clone());
        // A version of another major than the path's (example.com/m/v2@v1.0.0) is not
        // refused up front: go mod download fetches it, and extracting the zip fails
        // (`unzip ...: M@V: invalid version: should be v2, not v1`), as zipcheck says.
        let what = self.what_for(module);
        let want = |w: What| what.contains(&w);
        let zip_dir = match &self.cache {
            Some(root) => cache::version_dir(root, module).map_err(|e| {
                OpError::new(Code::ModulePathInvalid, e).framed(format!("{module}@{version}: "))
            })?,
            None => std::env::temp_dir(),
        };
        let list = self.step(
            ctx,
            want(What::List),
            Op::List,
            Some(format!("module {module}: ")),
        );
        // An exact version's .info is read while go resolves the argument; .mod and
        // .zip by `DownloadModule`, which adds nothing to an error.
        let info = self.step(
            ctx,
            want(What::Info) && resolved.is_none(),
            Op::Stat(&version),
            Some(asked_frame.clone()),
        );
        // The latest version's go.mod, read for the query, is not asked for again.
        let known_mod = latest
            .as_ref()
            .filter(|l| l.info.version == version)
            .and_then(|l| l.go_mod.clone());
        let go_mod = async {
            match known_mod {
                Some((data, source)) if want(What::Mod) => Ok(Some((Out::Mod(data), source))),
                _ => {
                    self.step(ctx, want(What::Mod), Op::Mod(&version), None)
                        .await
                }
            }
        };
        let zip = self.step(ctx, want(What::Zip), Op::Zip(&version, &zip_dir), None);
        // Go fetches these one after the other; they do not depend on each other, so
        // they go out together.
        let (list, info, go_mod, zip) = tokio::join!(list, info, go_mod, zip);
        let mut first_error = None;
        let mut keep = |r: Result<(), OpError>| {
            if let Err(e) = r
                && first_error.is_none()
            {
                first_error = Some(e);
            }
        };
        let mut not_built = false;
        match info {
            Ok(Some((Out::Info(info), source))) => {
                body.info = Some(info.info.clone());
                body.source = Some(source);
                resolved = Some(info);
            }
            Ok(Some((Out::NotBuilt, _))) => not_built = true,
            Ok(_) => {}
            Err(e) => keep(Err(e)),
        }
        match list {
            Ok(Some((Out::Versions(list), _))) => {
                if list.cut {
                    warnings.push(Warning::new(
                        Code::LimitExceeded,
                        format!(
                            "the version list names more than {MAX_KEPT_VERSIONS} versions: the record keeps the highest {MAX_KEPT_VERSIONS} (this tool's limit)"
                        ),
                        None,
                    ));
                }
                body.versions = Some(list.versions);
            }
            Ok(_) => {}
            Err(e) => keep(Err(e)),
        }
        let mut mod_bytes = None;
        match go_mod {
            Ok(Some((Out::Mod(data), source))) => {
                body.mod_h1 = Some(dirhash::hash_go_mod(&data));
                body.source = Some(source);
                mod_bytes = Some(data);
            }
            Ok(Some((Out::NotBuilt, _))) => not_built = true,
            Ok(_) => {}
            Err(e) => keep(Err(e)),
        }
        let mut zip_file = None;
        match zip {
            Ok(Some((Out::Zip(z), source))) => {
                body.zip_h1 = Some(z.h1.clone());
                body.zip_bytes = Some(z.bytes);
                body.zip_files = Some(z.files);
                body.source = Some(source);
                zip_file = Some(z);
            }
            Ok(Some((Out::NotBuilt, _))) => not_built = true,
            Ok(_) => {}
            Err(e) => keep(Err(e)),
        }
        if not_built {
            body.source = Some("direct".to_string());
            warnings.push(Warning::new(
                Code::NotImplemented,
                "the module is only available from its repository: the go command would build the .mod and .zip with the VCS tool, which gomod-fetch does not run",
                Some("the direct record says whether the repository answered and has the version's tag".to_string()),
            ));
        }
        // A version that failed leaves nothing in the cache: the go command would use a
        // .mod or .zip it finds there (offline, or through GOPROXY=file://) whatever
        // was wrong with the rest.
        if let Some(root) = &self.cache
            && first_error.is_none()
        {
            // File system calls block: they go to the bounded blocking pool, and other
            // fetches go on meanwhile (a slow disk otherwise holds up the network side).
            let (root, module, version) = (root.clone(), module.to_string(), version.clone());
            let (info, go_mod) = (resolved.clone(), mod_bytes.clone());
            let written = gomod_common::blocking::run(move || {
                Self::write_cache(
                    &root,
                    &module,
                    &version,
                    info.as_ref(),
                    go_mod.as_deref(),
                    zip_file,
                )
            })
            .await
            .unwrap_or_else(|panicked| Err(format!("writing the module cache: {panicked}")));
            match written {
                Ok(dir) => body.cached = Some(dir),
                Err(text) => {
                    first_error = Some(OpError::new(Code::CacheUnwritable, text));
                }
            }
        }
        // After the cache is written: go's Download refuses a module too new for it
        // once its files are in the cache.
        if first_error.is_none()
            && module != toolchain::MODULE
            && let Some(go_mod) = &mod_bytes
        {
            first_error = self
                .held_to_running_go(ctx, module, &version, go_mod, warnings)
                .await;
        }
        match first_error {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    /// What go does with `module@version`, whose go.mod is `go_mod`, when its `go`
    /// line is newer than the go that would run: the error it stops with, or (where it
    /// switches to a toolchain it finds) a warning. None when the line is fine, or when
    /// the running go cannot be told.
    async fn held_to_running_go(
        &self,
        ctx: &Ctx<'_>,
        module: &str,
        version: &str,
        go_mod: &[u8],
        warnings: &mut Vec<Warning>,
    ) -> Option<OpError> {
        let running = self.running_go().await?;
        let failed = |code: Code, go_text: String, message: String, hint: String| {
            let mut err = OpError::new(code, go_text);
            err.said = Some(Box::new(crate::http::Said {
                message: Some(message),
                hint: Some(hint),
            }));
            Some(err)
        };
        match running.check(module, version, go_mod)? {
            TooNew::Fails {
                go_text,
                message,
                hint,
            } => failed(Code::ToolchainTooOld, go_text, message, hint),
            TooNew::Auto { need } => {
                let listed = self
                    .toolchains
                    .get_or_init(|| self.toolchain_versions(ctx))
                    .await
                    .clone();
                let code = match &listed {
                    Err(e) if !e.not_found => e.code,
                    _ => Code::ToolchainNotAvailable,
                };
                match running.switch(module, version, &need, listed.map_err(|e| e.framed_text())) {
                    Ok(warning) => {
                        warnings.push(warning);
                        None
                    }
                    Err(go_text) => failed(
                        code,
                        go_text,
                        format!("{module}@{version} requires go {need} or later: GOTOOLCHAIN=auto makes go look for a newer toolchain on GOPROXY (golang.org/toolchain), and it finds none it can use"),
                        "let GOPROXY serve golang.org/toolchain (https://proxy.golang.org does), or install a go new enough and put it first in PATH".to_string(),
                    ),
                }
            }
            TooNew::Path { need } => {
                let found = self
                    .path_toolchains
                    .get_or_init(|| async {
                        let path = self.cfg.environment().get("PATH").to_string();
                        gomod_common::blocking::run(move || {
                            toolchain::path_toolchains(std::ffi::OsStr::new(&path))
                        })
                        .await
                        .unwrap_or_default()
                    })
                    .await;
                match running.switch_from_path(module, version, &need, found) {
                    Ok(warning) => {
                        warnings.push(warning);
                        None
                    }
                    Err(go_text) => failed(
                        Code::ToolchainNotAvailable,
                        go_text,
                        format!(
                            "{module}@{version} requires go {need} or later: GOTOOLCHAIN={} makes go look for a newer toolchain among the go1.* programs in PATH, and it finds none new enough",
                            running.gotoolchain()
                        ),
                        format!(
                            "put {} or later in a directory on PATH, under that name; or let go download it: GOTOOLCHAIN=auto",
                            toolchain::first_release(&need)
                        ),
                    ),
                }
            }
        }
    }

    /// The go that would download the modules (found once, off the async workers: it
    /// may ask `go env`); None when that cannot be told.
    async fn running_go(&self) -> Option<&RunningGo> {
        self.running_go
            .get_or_init(|| async {
                let cfg = Arc::clone(&self.cfg);
                gomod_common::blocking::run(move || {
                    let cwd = std::env::current_dir().ok()?;
                    RunningGo::find(&cfg, &cwd)
                })
                .await
                .ok()
                .flatten()
            })
            .await
            .as_ref()
    }

    /// golang.org/toolchain's versions through the GOPROXY list, as go lists them
    /// when it looks for a newer toolchain (its requests join the attempts of the
    /// record that asked first: they are go's).
    async fn toolchain_versions(&self, ctx: &Ctx<'_>) -> Result<Vec<String>, OpError> {
        let entries = route::plan(
            self.cfg.get("GOPROXY"),
            self.cfg.get("GONOPROXY"),
            toolchain::MODULE,
        )
        .map_err(|e| OpError::new(e.code, e.go_text))?;
        let sub = Ctx {
            module: toolchain::MODULE,
            entries: &entries,
            log: ctx.log.clone(),
            direct: Arc::default(),
        };
        match Box::pin(self.walk(&sub, &Op::List)).await {
            Ok((Out::Versions(list), _)) => Ok(list.versions),
            Ok(_) => Ok(Vec::new()),
            Err(e) => Err(e),
        }
    }

    /// One operation through the list, when wanted; an error that names no module
    /// itself gets `frame`, as Go's caller of that operation wraps it.
    async fn step(
        &self,
        ctx: &Ctx<'_>,
        wanted: bool,
        op: Op<'_>,
        frame: Option<String>,
    ) -> Result<Option<(Out, String)>, OpError> {
        if !wanted {
            return Ok(None);
        }
        // The walk's state (a few KB) exists only while the step runs: the steps of a
        // probe are joined, and a step not wanted or finished holds none.
        Box::pin(self.walk(ctx, &op))
            .await
            .map(Some)
            .map_err(|e| match frame {
                Some(frame) => e.framed(frame),
                None => e,
            })
    }

    /// One operation at one entry.
    async fn run_op(
        &self,
        ctx: &Ctx<'_>,
        op: &Op<'_>,
        access: Access<'_>,
    ) -> Result<Out, (OpError, usize)> {
        let last = || ctx.log.len().saturating_sub(1);
        let module_frame = || format!("module {}: ", ctx.module);
        // Go's NoMatchingVersionError, which `go mod download` names as `module M: `.
        let no_match = |m: &query::Matcher| {
            let err = OpError::new(Code::VersionInvalid, m.no_match()).framed(module_frame());
            Err((err, last()))
        };
        // When nothing is listed, the latest version decides; a module with none (go's
        // Latest failing with a not-found error, codehost.ErrNoCommits) matches
        // nothing, and a `,` list goes on to its next entry, as go's Latest does.
        let latest_or_no_match =
            |m: &query::Matcher, latest: Result<RevInfo, (OpError, usize)>| match latest {
                Ok(latest) if m.allows_latest(&latest.version) => Ok(Out::Info(latest)),
                Err((e, _)) if e.not_found => no_match(m).map_err(|(mut err, i)| {
                    err.not_found = true;
                    (err, i)
                }),
                Err(e) => Err(e),
                Ok(_) => no_match(m),
            };
        match (op, access) {
            (Op::Stat(rev), Access::Proxy(repo)) => repo.stat(rev).await.map(Out::Info),
            (Op::Stat(rev), Access::Vcs(found)) => vcs_stat(found, rev, ctx).map(Out::Info),
            (Op::Query(matcher), Access::Proxy(repo)) => {
                let list = repo.list(&matcher.prefix, Some(matcher)).await?;
                match list.chosen {
                    Some(v) => repo.stat(&v).await.map(Out::Info),
                    None if matcher.may_use_latest => {
                        latest_or_no_match(matcher, repo.latest().await)
                    }
                    None => no_match(matcher),
                }
            }
            (Op::Query(matcher), Access::Vcs(found)) => {
                vcs_failure(found, ctx)?;
                let versions = vcs_versions(found, &matcher.prefix);
                match matcher.choose(&versions) {
                    Some(v) => vcs_stat(found, &v, ctx).map(Out::Info),
                    None => no_match(matcher),
                }
            }
            // A list that fails names the module (go's proxyRepo and codeRepo Versions);
            // a direct entry whose repository cannot be found does not.
            (Op::List, Access::Proxy(repo)) => repo
                .list("", None)
                .await
                .map(Out::Versions)
                .map_err(|(e, i)| (e.framed(module_frame()), i)),
            (Op::List, Access::Vcs(found)) => {
                vcs_failure(found, ctx)?;
                Ok(Out::Versions(ParsedList {
                    versions: vcs_versions(found, ""),
                    ..ParsedList::default()
                }))
            }
            (Op::Mod(version), Access::Proxy(repo)) => repo.go_mod(version).await.map(Out::Mod),
            (Op::Zip(version, dir), Access::Proxy(repo)) => {
                let mut tmp = temp_in(dir).await.map_err(|e| {
                    (
                        OpError::new(
                            Code::CacheUnwritable,
                            format!(
                                "creating a temporary file in {}: {}",
                                dir.display(),
                                gomod_common::oserr::errno_text(&e)
                            ),
                        ),
                        usize::MAX,
                    )
                })?;
                let bytes = repo.zip(version, tmp.as_file_mut()).await?;
                let index = last();
                let go_path = self.go_zip_path(ctx.module, version);
                zipcheck::check(
                    tmp,
                    ctx.module.to_string(),
                    version.to_string(),
                    bytes,
                    go_path,
                )
                .await
                .map(Out::Zip)
                .map_err(|e| (e, index))
            }
            (Op::Mod(version) | Op::Zip(version, _), Access::Vcs(found)) => {
                vcs_stat(found, version, ctx).map(|_| Out::NotBuilt)
            }
            (Op::Stat(rev), Access::Git(target)) => target
                .stat(rev)
                .await
                .map(Out::Info)
                .map_err(|e| (e, last())),
            (Op::Query(matcher), Access::Git(target)) => {
                let versions = target.versions().await.map_err(|e| (e, last()))?;
                match parsed_versions(&versions, &matcher.prefix, Some(matcher)).chosen {
                    Some(v) => target
                        .stat(&v)
                        .await
                        .map(Out::Info)
                        .map_err(|e| (e, last())),
                    None if matcher.may_use_latest => {
                        latest_or_no_match(matcher, target.latest().await.map_err(|e| (e, last())))
                    }
                    None => no_match(matcher),
                }
            }
            (Op::List, Access::Git(target)) => target
                .versions()
                .await
                .map(|v| Out::Versions(parsed_versions(&v, "", None)))
                .map_err(|e| (e.framed(module_frame()), last())),
            (Op::Mod(version), Access::Git(target)) => target
                .go_mod(version)
                .await
                .map(Out::Mod)
                .map_err(|e| (e, last())),
            (Op::Zip(version, dir), Access::Git(target)) => {
                let tmp = temp_in(dir).await.map_err(|e| {
                    (
                        OpError::new(
                            Code::CacheUnwritable,
                            format!(
                                "creating a temporary file in {}: {}",
                                dir.display(),
                                gomod_common::oserr::errno_text(&e)
                            ),
                        ),
                        usize::MAX,
                    )
                })?;
                let file = tmp.reopen().map_err(|e| {
                    (
                        OpError::new(Code::CacheUnwritable, gomod_common::oserr::errno_text(&e)),
                        usize::MAX,
                    )
                })?;
                target.zip(version, file).await.map_err(|e| (e, last()))?;
                let bytes = tmp.as_file().metadata().map(|m| m.len()).unwrap_or(0);
                zipcheck::check(
                    tmp,
                    ctx.module.to_string(),
                    version.to_string(),
                    bytes,
                    None,
                )
                .await
                .map(Out::Zip)
                .map_err(|e| (e, last()))
            }
        }
    }

    /// Where the go command keeps the zip (`--cache`, else `$GOMODCACHE`), which its
    /// errors name; None when neither is known.
    fn go_zip_path(&self, module: &str, version: &str) -> Option<String> {
        let root = match &self.cache {
            Some(dir) => dir.clone(),
            None => Some(self.cfg.get("GOMODCACHE"))
                .filter(|dir| !dir.is_empty())
                .map(PathBuf::from)?,
        };
        cache::file_path(&root, module, version, "zip")
            .ok()
            .map(|p| p.display().to_string())
    }

    fn write_cache(
        root: &std::path::Path,
        module: &str,
        version: &str,
        info: Option<&RevInfo>,
        go_mod: Option<&[u8]>,
        zip: Option<zipcheck::Zip>,
    ) -> Result<String, String> {
        let path = |ext: &str| cache::file_path(root, module, version, ext);
        let io = |e: std::io::Error| {
            format!(
                "writing the module cache under {}: {}",
                root.display(),
                gomod_common::oserr::errno_text(&e)
            )
        };
        if let Some(info) = info {
            cache::write_atomic(&path("info")?, &info.raw).map_err(io)?;
        }
        if let Some(data) = go_mod {
            cache::write_atomic(&path("mod")?, data).map_err(io)?;
            cache::rewrite_list(root, module).map_err(io)?;
        }
        if let Some(zip) = zip {
            cache::install_zip(zip.file, root, module, version, &zip.h1).map_err(io)?;
        }
        Ok(cache::version_dir(root, module)?.display().to_string())
    }

    /// Go's `TryProxies` for one operation: each entry in order until one succeeds;
    /// after a failure, on to the next only after `|` or a "not found" error; the
    /// error reported is chosen by Go's ranking.
    async fn walk(&self, ctx: &Ctx<'_>, op: &Op<'_>) -> Result<(Out, String), OpError> {
        let mut ranking = ErrorRanking::new();
        for planned in ctx.entries {
            let label = redact_url(planned.entry.spec.as_str());
            let result = match &planned.lookup {
                Lookup::NotFound(text) => {
                    let index = ctx.log.push(gomod_common::record::fetch::Attempt {
                        op: "skip".to_string(),
                        endpoint: label.clone(),
                        error: Some(Code::GoproxyOff.as_str().to_string()),
                        message: Some(text.to_string()),
                        ..Default::default()
                    });
                    Err((OpError::not_found(Code::GoproxyOff, *text), index))
                }
                Lookup::Proxy(base) => {
                    let repo = Repo {
                        fetcher: &self.fetcher,
                        log: &ctx.log,
                        endpoint: &label,
                        base,
                        path: ctx.module,
                    };
                    self.run_op(ctx, op, Access::Proxy(repo)).await
                }
                Lookup::Direct => {
                    let found = ctx
                        .direct
                        .get_or_init(|| {
                            // Boxed: the direct path's state would otherwise make every
                            // step of every module (proxied ones too) as large as its own.
                            Box::pin(direct::find(
                                &self.fetcher,
                                &ctx.log,
                                &self.cfg,
                                &self.workspace,
                                ctx.module,
                            ))
                        })
                        .await;
                    match found {
                        Err(err) => Err((err.clone(), ctx.log.len().saturating_sub(1))),
                        Ok(Found::ModServer(base)) => {
                            let repo = Repo {
                                fetcher: &self.fetcher,
                                log: &ctx.log,
                                endpoint: "direct",
                                base,
                                path: ctx.module,
                            };
                            self.run_op(ctx, op, Access::Proxy(repo)).await
                        }
                        Ok(Found::Git(target)) => self.run_op(ctx, op, Access::Git(target)).await,
                        Ok(found) => self.run_op(ctx, op, Access::Vcs(found)).await,
                    }
                }
            };
            match result {
                Ok(value) => return Ok((value, label)),
                Err((err, index)) => {
                    let is_use_proxy =
                        matches!(planned.lookup, Lookup::NotFound(t) if t == route::ERR_USE_PROXY);
                    let not_found = err.not_found;
                    let go_on = ranking.failed(&planned.entry, err, not_found, is_use_proxy);
                    if index != usize::MAX {
                        ctx.log.set_falls_through(index, go_on && !planned.is_last);
                    }
                    if !go_on {
                        break;
                    }
                }
            }
        }
        Err(ranking
            .into_error()
            .unwrap_or_else(|| OpError::new(Code::GoproxyEmpty, route::EMPTY_GOPROXY)))
    }

    /// `--every-endpoint`: the version from each entry on its own, one record each.
    async fn every_endpoint(
        &self,
        ctx: &Ctx<'_>,
        template: FetchBody,
        version: &str,
        elapsed: Elapsed,
    ) -> Vec<Record> {
        let mut records = Vec::new();
        for (i, planned) in ctx.entries.iter().enumerate() {
            if matches!(planned.lookup, Lookup::NotFound(_)) {
                continue;
            }
            let single = [PlannedEntry {
                is_last: true,
                ..planned.clone()
            }];
            let sub = Ctx {
                module: ctx.module,
                entries: &single,
                log: Log::default(),
                direct: Arc::default(),
            };
            let mut body = template.clone();
            body.source = Some(redact_url(planned.entry.spec.as_str()));
            let mut warnings = Vec::new();
            let outcome = self
                .fetch_all(&sub, &mut body, version, &mut warnings)
                .await;
            body.source = Some(redact_url(planned.entry.spec.as_str()));
            body.attempts = sub.log.take();
            body.hosts = hosts_of(&body.attempts);
            body.direct = direct_record(sub.direct.get(), body.version.as_deref());
            let error = outcome.err().map(|err| {
                error_info(
                    err,
                    format!(
                        "endpoint {} of the GOPROXY list failed; the others are in their own records",
                        i + 1
                    ),
                )
            });
            records.push(Record::new(&body, error, warnings, elapsed.get()));
        }
        records
    }
}

/// Why the go command fails at a repository that was probed natively (git is not
/// installed) or could not be opened, as the error of every operation there.
fn vcs_failure(found: &Found, ctx: &Ctx<'_>) -> Result<(), (OpError, usize)> {
    match found {
        Found::Repo {
            failure: Some(err), ..
        } => Err((err.clone(), ctx.log.len().saturating_sub(1))),
        _ => Ok(()),
    }
}

/// A version from a repository's tags, as `.info` would answer it (without the
/// commit time, which only the repository's objects hold).
fn vcs_stat(found: &Found, version: &str, ctx: &Ctx<'_>) -> Result<RevInfo, (OpError, usize)> {
    let index = ctx.log.len().saturating_sub(1);
    let Found::Repo {
        tags,
        tag_prefix,
        probe,
        ..
    } = found
    else {
        return Err((OpError::new(Code::InternalError, "not a repository"), index));
    };
    vcs_failure(found, ctx)?;
    if probe.reachable.is_none() {
        // Not probed (not git over http): nothing to say about the version.
        return Ok(rev_info(version, None));
    }
    if modpath::is_pseudo_version(version) {
        let rev = modpath::pseudo_version_rev(version).unwrap_or_default();
        let commit = tags
            .iter()
            .find(|(_, c)| c.starts_with(&rev))
            .map(|(_, c)| c.clone());
        return Ok(rev_info(version, commit));
    }
    let tag = format!("{tag_prefix}{}", version.trim_end_matches("+incompatible"));
    match tags.iter().find(|(t, _)| *t == tag) {
        Some((_, commit)) => Ok(rev_info(version, Some(commit.clone()))),
        None => Err((
            OpError::not_found(
                Code::VcsRepoInvalid,
                format!("invalid version: unknown revision {tag}"),
            ),
            index,
        )),
    }
}

fn rev_info(version: &str, commit: Option<String>) -> RevInfo {
    let origin = commit.map(|c| serde_json::json!({"VCS": "git", "Hash": c}));
    RevInfo {
        version: version.to_string(),
        info: gomod_common::record::fetch::Info {
            version: version.to_string(),
            time: None,
            origin,
        },
        raw: serde_json::to_vec(&serde_json::json!({"Version": version})).unwrap_or_default(),
    }
}

/// The `direct` part of a record: what the repository probe found, with the
/// version's tag and commit when it has them.
fn direct_record(
    found: Option<&Result<Found, OpError>>,
    version: Option<&str>,
) -> Option<gomod_common::record::fetch::DirectProbe> {
    if let Some(Ok(Found::Git(target))) = found {
        return Some(target.record(version));
    }
    let Some(Ok(Found::Repo {
        probe,
        tags,
        tag_prefix,
        ..
    })) = found
    else {
        return None;
    };
    let mut probe = (**probe).clone();
    if let Some(version) = version.filter(|v| !modpath::is_pseudo_version(v)) {
        let tag = format!("{tag_prefix}{}", version.trim_end_matches("+incompatible"));
        if let Some((_, commit)) = tags.iter().find(|(t, _)| *t == tag) {
            probe.tag = Some(tag);
            probe.commit = Some(commit.clone());
        }
    }
    Some(probe)
}

/// A warning when git would send credentials over plain http: the go command hands
/// an `http://` repository URL (GOINSECURE, or a go-import tag that names one) to git
/// as it is, and git (libcurl) sends a ~/.netrc entry's or a credential helper's
/// credentials over it, unlike go's own requests, which send netrc credentials over
/// https only.
fn plain_http_credentials(direct: &gomod_common::record::fetch::DirectProbe) -> Option<Warning> {
    let config = direct.git_config.as_ref()?;
    if !config.url.starts_with("http://") {
        return None;
    }
    let from = match (&config.netrc_login, config.credential_helpers.first()) {
        (Some(login), _) => format!("the ~/.netrc entry (login {login})"),
        (None, Some(helper)) => format!(
            "the credential helper {}",
            helper["helper"].as_str().unwrap_or("?")
        ),
        (None, None) => return None,
    };
    Some(Warning::new(
        Code::GitCredentialsOverHttp,
        format!(
            "git fetches {} over plain http and would send {from} with it unencrypted: the go command passes http:// repository URLs to git as they are (its own requests send netrc credentials over https only)",
            config.url
        ),
        Some(
            "serve the repository over https (or ssh), or drop the credentials for that host"
                .to_string(),
        ),
    ))
}

/// A warning when a request went over plain http (an `http://` GOPROXY entry, a
/// GOINSECURE go-get page) to a host ~/.netrc has credentials for: the go command
/// sends netrc (and GOAUTH) credentials over https only, so the server got none, as
/// it gets none from go.
fn unsent_netrc(
    attempts: &[gomod_common::record::fetch::Attempt],
    settings: &gomod_common::net::http::HttpSettings,
) -> Option<Warning> {
    let entries = settings.netrc.as_ref()?;
    let (url, entry) = attempts.iter().find_map(|a| {
        let url = a.url.as_deref()?;
        let rest = url.strip_prefix("http://")?;
        let https = gomod_common::gourl::parse(&format!("https://{rest}")).ok()?;
        let entry =
            gomod_common::net::netrc::credentials_for(entries, &https, settings.netrc_mode)?;
        Some((url, entry))
    })?;
    let host = url
        .strip_prefix("http://")
        .and_then(|r| r.split('/').next())
        .unwrap_or(url);
    Some(Warning::new(
        Code::HttpCredentialsNotSent,
        format!(
            "~/.netrc has credentials for {host} (login {}), and they were not sent: the request went over plain http ({url}), and the go command sends netrc and GOAUTH credentials over https only",
            entry.login
        ),
        Some(format!(
            "if {host} needs them, serve it over https and use https:// in GOPROXY; go never sends them over http"
        )),
    ))
}

/// The module's versions among a repository's tags.
fn vcs_versions(found: &Found, prefix: &str) -> Vec<String> {
    let Found::Repo {
        tags, tag_prefix, ..
    } = found
    else {
        return Vec::new();
    };
    let versions = tags
        .iter()
        .filter_map(|(t, _)| t.strip_prefix(tag_prefix.as_str()))
        .filter(|v| query::is_canonical(v));
    parsed_versions(versions, prefix, None).versions
}

/// A module's versions (one per item, as a repository's tags give them) read as a
/// proxy's `@v/list` is read: with `prefix`, sorted, chosen among by `matcher`.
fn parsed_versions<I>(versions: I, prefix: &str, matcher: Option<&Matcher>) -> ParsedList
where
    I: IntoIterator,
    I::Item: AsRef<str>,
{
    let mut parser = ListParser::new(prefix, matcher);
    for version in versions {
        parser.feed(version.as_ref().as_bytes());
        parser.feed(b"\n");
    }
    parser.finish()
}

/// What `go get` prints about `module@version` when `go_mod` is the go.mod of the
/// module's latest version, `latest` (modget's `checkPackageProblems`): the module's
/// deprecation, then the version's retraction. `go mod download` prints neither.
fn author_warnings(module: &str, version: &str, latest: &str, go_mod: &[u8]) -> Vec<Warning> {
    // go get ignores a go.mod it cannot read here; so does this.
    let Ok(file) = gomod_common::modfile::parse_lax("go.mod", go_mod) else {
        return Vec::new();
    };
    let mut warnings = Vec::new();
    let deprecation = file
        .module
        .as_ref()
        .and_then(|m| m.deprecated.as_deref())
        .map(|d| short_message(d, ""))
        .filter(|d| !d.is_empty());
    if let Some(text) = deprecation {
        warnings.push(
            Warning::new(
                Code::Deprecated,
                format!(
                    "module {module} is deprecated by its author (the go.mod of {module}@{latest}, its latest version): {text}"
                ),
                Some("the message usually names what to use instead; go get prints it every time it touches the module".to_string()),
            )
            .go_error(format!("go: module {module} is deprecated: {text}")),
        );
    }
    let covering = file.retractions_covering(version);
    if let Some(first) = covering.first() {
        const RETRACTED: &str = "retracted by module author";
        let rationale = covering
            .iter()
            .find_map(|r| r.rationale.as_deref().filter(|r| !r.is_empty()));
        let why = match rationale {
            Some(r) => format!("{RETRACTED}: {}", short_message(r, RETRACTED)),
            None => RETRACTED.to_string(),
        };
        let directive = if first.low == first.high {
            format!("retract {}", first.low)
        } else {
            format!("retract [{}, {}]", first.low, first.high)
        };
        warnings.push(
            Warning::new(
                Code::Retracted,
                format!(
                    "{module}@{version} is {why} (`{directive}`, line {} of the go.mod of {module}@{latest}, its latest version)",
                    first.line
                ),
                Some(format!(
                    "go get warns and go mod download does not; a query (@latest, @v1) passes over retracted versions: use go get {module}@latest, or see them all with go list -m -versions -retracted {module}"
                )),
            )
            .go_error(format!(
                "go: warning: {module}@{version}: {why}\ngo: to switch to the latest unretracted version, run:\n\tgo get {module}@latest"
            )),
        );
    }
    warnings
}

fn first_line(text: &str) -> String {
    text.lines().next().unwrap_or("").to_string()
}

/// The record's error for a failed fetch: Go's line as `go_error` (none where the go
/// command would wait for ever and print nothing), the failure itself as the message.
fn error_info(err: OpError, hint: String) -> ErrorInfo {
    let said = err.said.clone().unwrap_or_default();
    let hint = said.hint.unwrap_or(hint);
    let message = said.message.unwrap_or_else(|| first_line(&err.go_text));
    let mut e = ErrorInfo::new(err.code, message).hint(hint);
    if err.code == Code::GoauthInvalid {
        // A fatal error of the go command: its line names no module.
        e = e.go_error(err.go_text.clone());
    } else if !err.go_waits {
        e = e.go_error(format!("go: {}", err.framed_text()));
    }
    if let Some(d) = err.detail {
        e = e.detail(d);
    }
    e
}

/// The error for a Go toolchain that no GOPROXY entry has (404/410 or `off`): go's
/// toolchain switch reports any missing file as `toolchain not available`, or, for a
/// language version such as go1.28, that it is not a toolchain version.
fn toolchain_not_available(
    err: &OpError,
    module: &str,
    version: Option<&str>,
) -> Option<ErrorInfo> {
    let missing = matches!(
        err.code,
        Code::HttpNotFound | Code::HttpGone | Code::GoproxyOff
    );
    if module != toolchain::MODULE || !missing {
        return None;
    }
    let (name, goos, goarch) = toolchain::parse_module_version(version?)?;
    let mut e = ErrorInfo::new(
        Code::ToolchainNotAvailable,
        format!("no GOPROXY entry serves the Go toolchain {name} for {goos}/{goarch}: {}", first_line(&err.go_text)),
    )
    .go_error(toolchain::not_available_text(name, goos, goarch))
    .hint(format!(
        "the proxy does not mirror Go toolchains (golang.org/toolchain): let it, or use a GOPROXY that does (https://proxy.golang.org); else install {name} yourself and put it in PATH, or keep the local go with GOTOOLCHAIN=local and a go line it satisfies"
    ));
    if let Some(d) = &err.detail {
        e = e.detail(d.clone());
    }
    Some(e)
}

fn hint_for(code: Code, module: &str) -> String {
    match code {
        Code::HttpNotFound | Code::HttpGone => format!(
            "no GOPROXY entry has {module} at that version: check the path and version, or, for a private module, set GOPRIVATE so that it is fetched directly"
        ),
        Code::HttpUnauthorized | Code::HttpForbidden => "the server wants credentials: add the host to ~/.netrc (or GOAUTH), or set GOPRIVATE if this module should not go through the proxy".to_string(),
        Code::CacheUnwritable => "the download worked but could not be stored: check the space and permissions of the --cache directory (or of the temporary directory, without --cache)".to_string(),
        Code::ZipInvalid => "the zip is not one the go command accepts: the proxy serves a broken or foreign file".to_string(),
        Code::HttpTimeout => "the server accepted the request but did not answer (or send the body) in time, and the go command would hang on it: fix or replace that GOPROXY entry (gomod-tlscheck shows whether the connection itself works), or raise --timeout (--deadline when the message names it) for a slow one".to_string(),
        Code::Http2StreamReset => "the server, or a middlebox between here and it, reset the HTTP/2 stream (go#51323): often transient, so --retries N tries again; if it keeps happening, run the go command with GODEBUG=http2client=0 (HTTP/1.1 only) or give GOPROXY a fallback after | (GOPROXY=https://proxy.example|https://proxy.golang.org), which the go command tries after any error".to_string(),
        Code::GoauthInvalid => gomod_common::net::goauth::FIX_HINT.to_string(),
        Code::GoproxyOff => "GOPROXY=off forbids downloads: set GOPROXY, or fill a module cache with gomod-fetch --cache".to_string(),
        Code::LocalResource => gomod_common::net::dial::local_resource_hint(),
        Code::LimitExceeded => "this tool's own limit stopped it (the message says which): the server sends far more than a module proxy should; the go command may accept it".to_string(),
        Code::HttpUnsupportedScheme => "the server redirects to a URL the go command cannot follow: fix the proxy (or GOPROXY) so that it answers over http or https".to_string(),
        c if c.layer() == gomod_common::record::Layer::Dns => "the name does not resolve: run gomod-dnscheck on the host".to_string(),
        c if matches!(c.layer(), gomod_common::record::Layer::Tls | gomod_common::record::Layer::Tcp | gomod_common::record::Layer::Proxy) => "the connection failed: run gomod-tlscheck on the endpoint to see why".to_string(),
        _ => "see go_error for the go command's own words".to_string(),
    }
}
