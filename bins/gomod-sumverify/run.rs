//! The gomod-sumverify probe: for each module version, the hashes of every source of its
//! content (and of the module cache), what go.sum records, and the checksum database's
//! authenticated answer, compared (see [`crate::check`]); one `sum` record each.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use gomod_common::app::{self, Elapsed, Probe, ProbeFuture};
use gomod_common::goenv::GoConfig;
use gomod_common::input::{InputItem, Inputs};
use gomod_common::net::http::{HttpClient, HttpSettings};
use gomod_common::pattern::private_glob;
use gomod_common::record::{Code, Layer, Record, Warning};
use gomod_common::route::{self, SumdbUse};
use gomod_common::sumdb::client::{ClientOptions, SumdbClient, SumdbError};
use tokio::sync::mpsc;

use crate::check::{self, Database, PrivateFix};
use crate::cli::Cli;
use crate::modcache::{self, ModCache};
use crate::sums::GoSums;
use crate::targets::{From, Plan, Source, SourceKind, Target};

const TOOL: &str = "gomod-sumverify";

/// Runs the tool.
pub fn main(cli: Cli) -> ExitCode {
    if let Some(what) = cli.common.generate {
        return app::generate::<Cli>(what);
    }
    let cfg = GoConfig::from_process();
    let sums = match read_sums(&cli.gosum) {
        Ok(sums) => sums,
        Err(message) => {
            return app::fatal(
                TOOL,
                &message,
                Some(
                    "give a readable go.sum with --gosum (the go command stops at a malformed line too)",
                ),
            );
        }
    };
    let cache = match &cli.modcache {
        None => None,
        Some(dir) => match ModCache::open(dir) {
            Ok(cache) => Some(cache),
            Err(message) => {
                return app::fatal(
                    TOOL,
                    &message,
                    Some("give the module cache directory (go env GOMODCACHE) with --modcache"),
                );
            }
        },
    };
    let inputs = match app::open_inputs(TOOL, &cli.targets, &cli.common.files, cache.is_some()) {
        Ok(inputs) => inputs,
        Err(status) => return status,
    };
    let database = DatabaseSetup::new(&cfg, &cli);
    let runtime = match app::runtime(app::Threads::PerCore) {
        Ok(runtime) => runtime,
        Err(message) => return app::fatal(TOOL, &message, None),
    };
    // While it waits for its first input (gomod-fetch's first record comes when that
    // module is fetched), the connection the first lookup will use is opened. Only
    // when every module goes to the database: a run whose modules are all private
    // then opens no connection the go command would not open.
    if let Ok(DatabaseSetup::Client { client, .. }) = &database
        && cfg.get("GONOSUMDB").is_empty()
    {
        let client = Arc::clone(client);
        let timeout = cli.common.timeout;
        runtime.spawn(async move {
            // A failure is the first lookup's to report: it dials again.
            let _ = tokio::time::timeout(timeout, client.preconnect()).await;
        });
    }
    // Lookups start as the first targets arrive: the first are read here (to know
    // whether the input gives any, else go.sum or the module cache decides), the rest
    // by a thread that hands each on as it comes (see `relay`).
    let mut plan = Plan::default();
    let mut items = inputs.stream();
    let mut more = true;
    let mut read_any = false;
    while plan.items.is_empty() && more {
        match items.blocking_recv() {
            Some(item) => {
                read_any = true;
                plan.add_item(item);
            }
            None => {
                plan.finish();
                more = false;
            }
        }
    }
    if plan.items.is_empty() && read_any {
        // Input that names no module version (a route that needs no toolchain, records
        // of other tools) is not a reason to check something else instead.
        return app::fatal(
            TOOL,
            "nothing to probe: the input names no module version",
            Some(
                "give module@version targets, or records that name one (gomod-fetch -m go.mod | gomod-sumverify)",
            ),
        );
    }
    if plan.items.is_empty() {
        let (from, versions) = match &cache {
            Some(cache) if !sums.in_use() => (From::Modcache, cache.list()),
            Some(_) => (From::Modcache, sums.module_versions().to_vec()),
            None => (From::Gosum, sums.module_versions().to_vec()),
        };
        for (module, version) in versions {
            plan.add(&module, &version, from, None);
        }
    }
    if plan.items.is_empty() {
        let why = if cache.is_some() {
            "the module cache holds no module versions"
        } else if sums.in_use() {
            "go.sum holds no module versions"
        } else {
            "no module versions given and no go.sum here"
        };
        return app::fatal(
            TOOL,
            &format!("nothing to probe: {why}"),
            Some(
                "run it in a module with a go.sum, or give --gosum FILE, module@version arguments, or fetch records on standard input (gomod-fetch -m go.mod | gomod-sumverify)",
            ),
        );
    }
    let database = match database {
        Ok(database) => database,
        Err(message) => {
            return app::fatal(
                TOOL,
                &message,
                Some("give a directory for the checksum database's state with --state-dir"),
            );
        }
    };
    let targets = Arc::clone(&plan.targets);
    let runner_inputs = relay(plan, more.then_some(items));
    let probe = Arc::new(SumVerify {
        privacy: Privacy::new(&cfg),
        gosumdb: cfg.get("GOSUMDB").to_string(),
        gonosumdb: cfg.get("GONOSUMDB").to_string(),
        goproxy: cfg.get("GOPROXY").to_string(),
        sums,
        targets,
        cache,
        database,
        timeout: cli.common.timeout,
    });
    app::run_on(runtime, TOOL, &cli.common, runner_inputs, probe)
}

/// The runner's items: those `plan` holds, then, as they arrive, those made from the
/// rest of the input when it is not read to the end yet.
fn relay(mut plan: Plan, rest: Option<mpsc::Receiver<InputItem>>) -> Inputs {
    let (tx, rx) = mpsc::channel(256);
    std::thread::spawn(move || {
        let send = |plan: &mut Plan| {
            std::mem::take(&mut plan.items)
                .into_iter()
                .all(|item| tx.blocking_send(item).is_ok())
        };
        if !send(&mut plan) {
            return;
        }
        let Some(mut rest) = rest else {
            return;
        };
        while let Some(item) = rest.blocking_recv() {
            plan.add_item(item);
            if !send(&mut plan) {
                return;
            }
        }
        plan.finish();
        send(&mut plan);
    });
    Inputs::relay(rx)
}

/// The go.sum files: those given, else ./go.sum when there is one.
fn read_sums(given: &[PathBuf]) -> Result<GoSums, String> {
    if !given.is_empty() {
        return GoSums::read(given).map_err(|e| e.message);
    }
    let default = PathBuf::from("go.sum");
    if default.is_file() {
        return GoSums::read(&[default]).map_err(|e| e.message);
    }
    Ok(GoSums::none())
}

/// How the checksum database is reached, decided once for the run.
enum DatabaseSetup {
    /// GOSUMDB=off.
    Off,
    /// GOSUMDB (or GOPROXY) cannot be used; every lookup reports it.
    Misconfigured {
        code: Code,
        go_text: String,
        hint: String,
    },
    /// The go command would use the database, this tool does not (see
    /// [`Database::Refused`]).
    Refused {
        code: Code,
        message: String,
        hint: String,
    },
    /// One client for the whole run, shared by every lookup (tiles are fetched once).
    Client {
        client: Arc<SumdbClient>,
        state: PathBuf,
    },
}

impl DatabaseSetup {
    fn new(cfg: &GoConfig, cli: &Cli) -> Result<DatabaseSetup, String> {
        let spec = match route::parse_gosumdb(cfg.get("GOSUMDB")) {
            Ok(None) => return Ok(DatabaseSetup::Off),
            Ok(Some(spec)) => spec,
            Err(err) => {
                return Ok(DatabaseSetup::Misconfigured {
                    code: err.code,
                    go_text: err.go_text,
                    hint: "set GOSUMDB=sum.golang.org, off, or NAME+HASH+KEY [URL]; for private modules set GONOSUMDB instead".to_string(),
                });
            }
        };
        // The name is a directory name for the database's files, here and in the go
        // command's GOPATH: one that climbs out (`a/../../b`) would have this tool write
        // what the server sends where it must not. The go command accepts it.
        if let Err(why) = route::check_sumdb_name(&spec.name) {
            return Ok(DatabaseSetup::Refused {
                code: Code::GosumdbUnsafeName,
                message: format!(
                    "GOSUMDB names the checksum database {}, which is not a clean host[/path] ({why}): its files would be written outside their directory. The go command accepts this name (and writes outside $GOPATH/pkg/sumdb); gomod-sumverify is stricter and does not use the database",
                    gomod_common::goquote::quote(&spec.name)
                ),
                hint: "set GOSUMDB to the database's own name (sum.golang.org, or NAME+HASH+KEY [URL] with NAME a plain host[/path])".to_string(),
            });
        }
        // The GOPROXY list matters only when GOSUMDB names no URL: the go command then
        // walks it for /sumdb/<name>/supported, and a list it rejects fails the lookup.
        let goproxy = if spec.url.is_some() {
            Vec::new()
        } else {
            match route::parse_goproxy(cfg.get("GOPROXY"), cfg.get("GONOPROXY")) {
                Ok(list) => list,
                Err(err) => {
                    return Ok(DatabaseSetup::Misconfigured {
                        code: err.code,
                        go_text: err.go_text,
                        hint: "fix GOPROXY (gomod-resolve --env shows where it is set): the go command finds the checksum database through it".to_string(),
                    });
                }
            }
        };
        let state_dir = match &cli.state_dir {
            Some(dir) => dir.clone(),
            None => default_state_dir(cfg)?,
        };
        let go_latest = first_gopath(cfg.get("GOPATH"))
            .map(|gopath| gopath.join("pkg/sumdb").join(&spec.name).join("latest"));
        let state = state_dir.join(&spec.name);
        let http = Arc::new(HttpClient::new(HttpSettings::from_config(
            cfg,
            cli.common.connect_timeout,
        )));
        std::fs::create_dir_all(&state).map_err(|err| {
            format!(
                "cannot keep the checksum database's state: {}",
                gomod_common::oserr::path_error("mkdir", &state, &err)
            )
        })?;
        // The go command never asks /latest: lookups bring signed heads enough. Only an
        // answer from the state directory brings none, so then (see `consult`) /latest
        // is asked once, to check the log still agrees with what was seen.
        let client = SumdbClient::new(
            http,
            ClientOptions {
                spec,
                goproxy,
                state_dir,
                go_latest,
                timeout: cli.common.timeout,
            },
        )
        .check_latest(false);
        Ok(DatabaseSetup::Client {
            client: Arc::new(client),
            state,
        })
    }
}

/// Our state directory when --state-dir is not given: `gomod-tools/sumdb` in the user
/// cache directory, found as Go's `os.UserCacheDir` finds it.
fn default_state_dir(cfg: &GoConfig) -> Result<PathBuf, String> {
    let env = cfg.environment();
    let xdg = env.get("XDG_CACHE_HOME");
    let cache = if !xdg.is_empty() {
        if !Path::new(xdg).is_absolute() {
            return Err(format!(
                "XDG_CACHE_HOME={xdg} is not an absolute path, so there is no user cache directory for the checksum database's state"
            ));
        }
        PathBuf::from(xdg)
    } else {
        let home = env.get("HOME");
        if home.is_empty() {
            return Err(
                "neither $XDG_CACHE_HOME nor $HOME is set, so there is no user cache directory for the checksum database's state".to_string(),
            );
        }
        Path::new(home).join(".cache")
    };
    Ok(cache.join("gomod-tools/sumdb"))
}

/// The first GOPATH entry, where the go command keeps `pkg/sumdb`.
fn first_gopath(gopath: &str) -> Option<PathBuf> {
    std::env::split_paths(gopath)
        .find(|p| !p.as_os_str().is_empty())
        .filter(|p| p.is_absolute())
}

/// GOPRIVATE and GONOSUMDB as set, to suggest values that keep a module private.
struct Privacy {
    goprivate: String,
    gonosumdb: String,
    /// Whether GONOSUMDB is set itself (then GOPRIVATE no longer decides).
    gonosumdb_set: bool,
    /// The variable a GONOSUMDB match is reported under: GOPRIVATE when GONOSUMDB is
    /// its default.
    nosumdb_variable: &'static str,
}

impl Privacy {
    fn new(cfg: &GoConfig) -> Privacy {
        let derived = cfg
            .setting("GONOSUMDB")
            .and_then(|s| s.derived_from)
            .is_some();
        Privacy {
            goprivate: cfg.get("GOPRIVATE").to_string(),
            gonosumdb: cfg.get("GONOSUMDB").to_string(),
            gonosumdb_set: !derived && !cfg.get("GONOSUMDB").is_empty(),
            nosumdb_variable: if derived { "GOPRIVATE" } else { "GONOSUMDB" },
        }
    }

    /// The values that would keep `module` away from the database.
    fn fix(&self, module: &str) -> PrivateFix {
        let glob = private_glob(module);
        let add = |value: &str| {
            if value.is_empty() {
                glob.clone()
            } else {
                format!("{value},{glob}")
            }
        };
        PrivateFix {
            goprivate: (!self.gonosumdb_set).then(|| add(&self.goprivate)),
            gonosumdb: add(&self.gonosumdb),
        }
    }
}

/// The probe.
struct SumVerify {
    sums: GoSums,
    /// The targets of the items, by line, each taken by its probe.
    targets: Arc<Mutex<HashMap<u64, Target>>>,
    cache: Option<ModCache>,
    database: DatabaseSetup,
    privacy: Privacy,
    gosumdb: String,
    gonosumdb: String,
    goproxy: String,
    timeout: Duration,
}

impl Probe for SumVerify {
    fn probe(self: Arc<Self>, item: InputItem) -> ProbeFuture {
        let line = match item {
            InputItem::Target { line, .. } => Some(line),
            _ => None,
        };
        // Every record read is a probe waiting for a slot; the lookup's state (a few KB)
        // is allocated when it starts and freed when it ends.
        Box::pin(async move {
            match line {
                Some(line) => Box::pin(self.verify(line)).await,
                None => Vec::new(),
            }
        })
    }
}

impl SumVerify {
    /// Checks the target read from input line `line` (see [`Probe::probe`]).
    async fn verify(&self, line: u64) -> Vec<Record> {
        let taken = self
            .targets
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&line);
        let Some(mut target) = taken else {
            return Vec::new();
        };
        let elapsed = Elapsed::start();
        if target.invalid.is_none()
            && let Some(source) = self.cache_source(&target).await
        {
            target.sources.push(source);
        }
        let database = if target.invalid.is_some() {
            Database::Skipped(String::new())
        } else {
            self.consult(&target).await
        };
        let fix = self.privacy.fix(&target.module);
        let mut outcome = check::compare(&target, &self.sums, &database, &fix);
        outcome.warnings.extend(self.state_warnings());
        vec![Record::new(
            &outcome.body,
            outcome.error,
            outcome.warnings,
            elapsed.get(),
        )]
    }

    /// What went wrong keeping the database's state (a tree head or tile not saved)
    /// since the last record: the lookups still stand, but the next run cannot build on
    /// them. Each problem is reported once, on the record being finished.
    fn state_warnings(&self) -> Vec<Warning> {
        let DatabaseSetup::Client { client, .. } = &self.database else {
            return Vec::new();
        };
        client
            .take_warnings()
            .into_iter()
            .map(|(code, text)| {
                let hint = match code {
                    Code::StateCorrupt => {
                        "nothing to do: the damaged copy was replaced; if it happens again, check the disk holding the state directory"
                    }
                    _ => "make the state directory writable, or give another with --state-dir",
                };
                Warning::new(code, text, Some(hint.to_string()))
            })
            .collect()
    }

    /// The module cache's copy, hashed, when --modcache is given and holds it.
    async fn cache_source(&self, target: &Target) -> Option<Source> {
        let cache = self.cache.as_ref()?;
        let files = cache.files(&target.module, &target.version)?;
        let (module, version) = (target.module.clone(), target.version.clone());
        let zip_path = files.zip.as_ref().map(|p| p.display().to_string());
        let dir_path = files.dir.as_ref().map(|p| p.display().to_string());
        let hashes = gomod_common::blocking::run(move || modcache::hash(&module, &version, &files))
            .await
            .ok()?;
        Some(Source {
            name: "modcache".to_string(),
            kind: SourceKind::Local,
            zip: hashes.zip,
            r#mod: hashes.r#mod,
            zip_bytes: hashes.zip_bytes,
            ziphash: hashes.ziphash,
            zip_path,
            dir: dir_path.zip(hashes.dir),
            error: hashes.error,
            verify: hashes.verify,
        })
    }

    /// The database's answer for the target, or why there is none.
    async fn consult(&self, target: &Target) -> Database {
        match route::sumdb_use(
            &target.module,
            &self.gosumdb,
            &self.gonosumdb,
            &self.goproxy,
        ) {
            SumdbUse::Off => return Database::Skipped("GOSUMDB=off".to_string()),
            SumdbUse::NoSumdb(glob) => {
                return Database::Skipped(format!(
                    "{} matches {}",
                    self.privacy.nosumdb_variable,
                    gomod_common::goquote::quote(&glob)
                ));
            }
            SumdbUse::Used => {}
        }
        let (client, state) = match &self.database {
            DatabaseSetup::Client { client, state } => (client, state),
            DatabaseSetup::Misconfigured {
                code,
                go_text,
                hint,
            } => {
                return Database::Misconfigured {
                    code: *code,
                    go_text: go_text.clone(),
                    hint: hint.clone(),
                };
            }
            DatabaseSetup::Refused {
                code,
                message,
                hint,
            } => {
                return Database::Refused {
                    code: *code,
                    message: message.clone(),
                    hint: hint.clone(),
                };
            }
            // Only golang.org/toolchain gets here: Go looks it up even with GOSUMDB=off.
            DatabaseSetup::Off => {
                return Database::Misconfigured {
                    code: Code::GosumdbInvalid,
                    go_text: "checksum database disabled by GOSUMDB=off".to_string(),
                    hint: "toolchain downloads are always verified: set GOSUMDB=sum.golang.org"
                        .to_string(),
                };
            }
        };
        let name = client.name().to_string();
        let lookup =
            tokio::time::timeout(self.timeout, client.lookup(&target.module, &target.version))
                .await
                .unwrap_or_else(|_| Err(timed_out(&name, self.timeout)));
        let lookup = match lookup {
            Ok(lookup) if lookup.cached => match client.latest().await {
                Err(err) if err.code.layer() == Layer::Sumdb => Err(err),
                Err(err) => Ok((lookup, Some(err))),
                Ok(_) => Ok((lookup, None)),
            },
            Ok(lookup) => Ok((lookup, None)),
            Err(err) => Err(err),
        };
        match lookup {
            Ok((lookup, unconfirmed)) => Database::Answered {
                name,
                base: client.base().await.ok(),
                lookup: Box::new(lookup),
                unconfirmed: unconfirmed.map(Box::new),
            },
            Err(error) => Database::Failed {
                name,
                key: client.gosumdb_key().to_string(),
                base: client.known_base(),
                error: Box::new(error),
                state: state.display().to_string(),
            },
        }
    }
}

fn timed_out(name: &str, limit: Duration) -> SumdbError {
    SumdbError {
        code: Code::HttpTimeout,
        message: format!(
            "the checksum database {name} did not answer within {}",
            humantime::format_duration(limit)
        ),
        go_text: format!(
            "no answer within {}; {}",
            humantime::format_duration(limit),
            gomod_common::net::http::GO_WAITS
        ),
        fork: None,
        clear: None,
        go_waits: true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggested_values_extend_what_is_set() {
        let privacy = Privacy {
            goprivate: "a.example".into(),
            gonosumdb: "a.example".into(),
            gonosumdb_set: false,
            nosumdb_variable: "GOPRIVATE",
        };
        let fix = privacy.fix("git.corp.example/x");
        assert_eq!(fix.goprivate.as_deref(), Some("a.example,git.corp.example"));
        assert_eq!(fix.gonosumdb, "a.example,git.corp.example");
        let explicit = Privacy {
            gonosumdb_set: true,
            ..privacy
        };
        assert_eq!(explicit.fix("git.corp.example/x").goprivate, None);
    }

    #[test]
    fn gopath_first_absolute_entry() {
        assert_eq!(
            first_gopath("/home/u/go:/other"),
            Some(PathBuf::from("/home/u/go"))
        );
        assert_eq!(first_gopath(""), None);
        assert_eq!(first_gopath("relative"), None);
    }
}
