//! `direct` entries: where the repository is (Go's static table, else go-get
//! discovery), then, for git where git is installed, the same git commands the go
//! command runs (gomod_common::git), from which the versions, .info, .mod and .zip
//! come as go makes them. Where git is not installed, that is the error (as it is for
//! go), and the repository is still asked for its refs over git's smart HTTP protocol
//! (`info/refs?service=git-upload-pack`) to say what can be said.

use std::sync::{Arc, Mutex};

use gomod_common::direct::{self as godirect, DiscoverOptions, StaticOutcome};
use gomod_common::git::coderepo::{CodeError, CodeRepo, ModRev};
use gomod_common::git::repo::{GitRepo, RepoError};
use gomod_common::git::{self as gogit, Workspace};
use gomod_common::goenv::GoConfig;
use gomod_common::gourl;
use gomod_common::pattern;
use gomod_common::record::fetch::{DirectProbe, GitCommand};
use gomod_common::record::{Code, redact_url};
use gomod_common::vcs::VcsKind;

use crate::http::{Fetcher, Log, OpError, Said, Sink};
use crate::proxy::RevInfo;

/// The most of a refs advertisement read.
const MAX_REFS_BYTES: usize = 32 << 20;

/// What was found behind a `direct` entry.
#[derive(Clone, Debug)]
pub enum Found {
    /// A `mod` server: a module proxy at this base URL.
    ModServer(String),
    /// A git repository read with git, as the go command reads it.
    Git(Arc<GitTarget>),
    /// A repository that was probed natively (or could not be): its refs when it
    /// answered.
    Repo {
        /// What the record says.
        probe: Box<DirectProbe>,
        /// `(ref name, commit)` pairs for tags, peeled where the server peeled them.
        tags: Vec<(String, String)>,
        /// The tag prefix of the module inside the repository (`sub/dir/`).
        tag_prefix: String,
        /// Why the go command fails here, when it does.
        failure: Option<OpError>,
    },
}

/// A module in a git repository, read with git.
#[derive(Debug)]
pub struct GitTarget {
    repo: Arc<Mutex<GitRepo>>,
    code: CodeRepo,
    /// What the record says, commands aside.
    probe: DirectProbe,
    /// How many commands the repository had run before this module used it.
    first_command: usize,
    /// What git's configuration (and ssh) does to the URL.
    explained: Explained,
}

/// What git's configuration does to the URL, and what the SSH probe found.
#[derive(Debug)]
struct Explained {
    config: gogit::explain::Explanation,
    ssh_failure: Option<(Code, String)>,
}

const NOTE_NATIVE: &str = "the go command would now run the VCS tool to build the module; gomod-fetch does not, so no .mod or .zip comes from this entry";

const NOTE_GIT: &str = "git was run as the go command runs it (same commands, arguments and environment; git version asked once per run and each file of a commit read once), in a work directory of gomod-fetch's own; the .mod and .zip come from the repository as go builds them";

/// Finds the repository of `module` and opens it. Errors are Go's texts for the
/// failure of the discovery (or of starting git); a repository that does not answer is
/// found all the same, its failure returned by the operations, as go returns it.
pub async fn find(
    fetcher: &Fetcher,
    log: &Log,
    cfg: &GoConfig,
    workspace: &Arc<Workspace>,
    module: &str,
) -> Result<Found, OpError> {
    let insecure = pattern::match_prefix_patterns(cfg.get("GOINSECURE"), module);
    let git_allow = cfg.environment().get("GIT_ALLOW_PROTOCOL");
    let govcs = cfg.get("GOVCS");
    let goprivate = cfg.get("GOPRIVATE");
    let as_op_error = |e: godirect::DirectError| {
        // lookupDirect wraps repository-root errors as "not found".
        let mut err = OpError::not_found(e.code, e.go_text);
        err.detail = e.detail;
        err.go_waits = e.go_waits;
        err
    };
    let (vcs, repo, root, via, sub_dir) = match godirect::static_lookup(module, insecure, git_allow)
        .map_err(as_op_error)?
    {
        StaticOutcome::Known(root) => {
            let verdict = godirect::static_govcs(&root, govcs, goprivate).map_err(as_op_error)?;
            if let Some(refusal) = verdict.refusal() {
                return Err(OpError::new(Code::VcsDisallowed, refusal.to_string()));
            }
            (
                root.vcs,
                root.repo.clone(),
                root.root.clone(),
                "known_host",
                None,
            )
        }
        StaticOutcome::Discover(url) => {
            let opts = DiscoverOptions {
                insecure,
                govcs,
                goprivate,
                timeout: fetcher.timeout,
            };
            let started = std::time::Instant::now();
            let result = godirect::discover(&fetcher.client, module, &url, opts).await;
            let hops = match &result {
                Ok(root) => root.hops.clone(),
                Err(err) => err.hops.clone(),
            };
            let ms = started.elapsed().as_millis() as u64;
            for (i, hop) in hops.iter().enumerate() {
                let mut attempt = gomod_common::record::fetch::Attempt {
                    op: "go-get".to_string(),
                    endpoint: "direct".to_string(),
                    url: Some(hop.url.clone()),
                    status: hop.status,
                    ms: if i + 1 == hops.len() { ms } else { 0 },
                    via_proxy: hop.via_proxy.clone(),
                    netrc_login: hop.netrc_login.clone(),
                    auth: hop.auth.as_ref().map(Into::into),
                    ..Default::default()
                };
                if i + 1 == hops.len()
                    && let Err(err) = &result
                {
                    attempt.error = Some(err.code.as_str().to_string());
                    attempt.message = Some(err.go_text.clone());
                }
                log.push(attempt);
            }
            let root = result.map_err(as_op_error)?;
            if let Some(verdict) = &root.govcs
                && let Some(refusal) = verdict.refusal()
            {
                return Err(OpError::new(Code::VcsDisallowed, refusal.to_string()));
            }
            (
                root.vcs,
                root.repo.clone(),
                root.root.clone(),
                "go_get",
                root.sub_dir.clone(),
            )
        }
    };
    if vcs == VcsKind::Mod {
        return Ok(Found::ModServer(repo));
    }
    let tag_prefix = tag_prefix(module, &root, sub_dir.as_deref());
    let mut probe = DirectProbe {
        vcs: Some(vcs.cmd().to_string()),
        repo: Some(redact_url(&repo)),
        root: Some(root.clone()),
        dir: Some(tag_prefix.trim_end_matches('/').to_string()),
        via: Some(via.to_string()),
        note: NOTE_NATIVE.to_string(),
        ..DirectProbe::default()
    };
    if vcs == VcsKind::Git
        && let Some(git) = workspace.runner().program()
    {
        probe.git = Some(git.display().to_string());
        probe.git_env = workspace.runner().added_env();
        probe.note = NOTE_GIT.to_string();
        return open_git(
            fetcher,
            log,
            cfg.environment(),
            workspace,
            module,
            &root,
            sub_dir.as_deref(),
            &repo,
            probe,
        )
        .await;
    }
    let missing_git = (vcs == VcsKind::Git).then(|| {
        let mut err = OpError::new(Code::GitNotInstalled, gogit::GIT_NOT_FOUND);
        err.said = Some(Box::new(Said {
            message: Some(
                "git is not installed (not on PATH): the go command cannot fetch this module either"
                    .to_string(),
            ),
            hint: Some(gogit::not_installed_hint()),
        }));
        err
    });
    if vcs != VcsKind::Git || !(repo.starts_with("https://") || repo.starts_with("http://")) {
        probe.note = format!(
            "only git repositories over http(s) are probed; the go command would run {} here. {NOTE_NATIVE}",
            vcs.cmd()
        );
        return Ok(Found::Repo {
            probe: Box::new(probe),
            tags: Vec::new(),
            tag_prefix,
            failure: missing_git,
        });
    }
    probe.note = format!(
        "git is not installed, so the go command fails here; the repository was asked for its refs over git's smart HTTP protocol instead. {NOTE_NATIVE}"
    );
    let refs_url = format!(
        "{}/info/refs?service=git-upload-pack",
        repo.trim_end_matches('/')
    );
    let url = gourl::parse(&refs_url)
        .map_err(|e| OpError::new(Code::VcsRepoInvalid, format!("invalid repository URL: {e}")))?;
    let text = format!(
        "refs advertisement larger than {} MiB",
        MAX_REFS_BYTES >> 20
    );
    match fetcher
        .get(
            log,
            "info/refs",
            "direct",
            &url,
            Sink::Memory(MAX_REFS_BYTES, &text),
        )
        .await
    {
        Ok(got) => {
            let tags = parse_refs(&got.body);
            probe.reachable = Some(true);
            probe.auth_required = Some(false);
            probe.refs = Some(count_refs(&got.body));
            Ok(Found::Repo {
                probe: Box::new(probe),
                tags,
                tag_prefix,
                failure: missing_git,
            })
        }
        Err((err, _)) => {
            probe.reachable = Some(err.code.layer() == gomod_common::record::Layer::Http);
            probe.auth_required = Some(matches!(
                err.code,
                Code::HttpUnauthorized | Code::HttpForbidden
            ));
            let failure = match missing_git {
                Some(missing) => missing.with_detail(format!(
                    "asked over http without git, the repository answered: {}",
                    err.go_text
                )),
                None => err,
            };
            Ok(Found::Repo {
                probe: Box::new(probe),
                tags: Vec::new(),
                tag_prefix,
                failure: Some(failure),
            })
        }
    }
}

/// Opens the git repository (`newGitRepo`, with its `ls-remote`) and, when `ls-remote`
/// failed on an http(s) URL, fetches the URL as the go command does to learn whether
/// the repository does not exist at all (404 or 410: "not found").
#[allow(clippy::too_many_arguments)]
async fn open_git(
    fetcher: &Fetcher,
    log: &Log,
    cfg_env: &gomod_common::goenv::Environment,
    workspace: &Arc<Workspace>,
    module: &str,
    root: &str,
    sub_dir: Option<&str>,
    url: &str,
    mut probe: DirectProbe,
) -> Result<Found, OpError> {
    let code = CodeRepo::new(module, root, sub_dir.unwrap_or("")).map_err(code_error)?;
    probe.dir = Some(code.code_dir.clone());
    let ws = Arc::clone(workspace);
    let url_owned = url.to_string();
    let env = cfg_env.clone();
    let bounds = gomod_common::net::bounds::probe_deadline();
    let (opened, explained, ssh) = tokio::task::spawn_blocking(move || {
        // git's configuration and the ssh server are asked while the repository
        // opens: what they say explains an ls-remote that hangs until the deadline.
        let _ = std::fs::create_dir_all(ws.root());
        std::thread::scope(|scope| {
            let asked =
                scope.spawn(|| gogit::run::within(bounds, || ask_about(&ws, &env, &url_owned)));
            let opened = gogit::run::within(bounds, || ws.repo(&url_owned));
            let (explained, ssh) = asked
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            (opened, explained, ssh)
        })
    })
    .await
    .map_err(|e| OpError::new(Code::InternalError, format!("git task failed: {e}")))?;
    probe.git_config = Some((&explained).into());
    probe.ssh = ssh
        .as_ref()
        .map(|(host, found)| gomod_common::record::fetch::SshRecord::from_probe(host, found));
    let ssh_failure = ssh.and_then(|(_, found)| found.failure);
    let explained = Explained {
        config: explained,
        ssh_failure,
    };
    let repo = match opened {
        Ok(repo) => repo,
        Err(failed) => {
            // The commands that ran (an ls-remote stopped at the deadline, say) and
            // what git's configuration does are the record's all the same.
            probe.commands = failed.commands.iter().map(GitCommand::from).collect();
            let (reachable, auth_required) = reachability(&failed.error);
            probe.reachable = Some(reachable);
            probe.auth_required = Some(auth_required);
            return Ok(Found::Repo {
                probe: Box::new(probe),
                tags: Vec::new(),
                tag_prefix: tag_prefix(module, root, sub_dir),
                failure: Some(explained_error(repo_error(&failed.error), &explained)),
            });
        }
    };
    let (failed, first_command) = {
        let r = repo.lock().unwrap_or_else(|e| e.into_inner());
        probe.go_work_dir = Some(r.go_dir().to_string());
        probe.work_dir = Some(
            workspace
                .root()
                .join(gomod_common::git::repo::work_dir_name(url))
                .display()
                .to_string(),
        );
        (r.refs_error().is_some(), 0)
    };
    if failed
        && (url.starts_with("https://") || url.starts_with("http://"))
        && let Ok(parsed) = gourl::parse(url)
    {
        let text = "repository page larger than 4 MiB".to_string();
        if let Err((err, _)) = fetcher
            .get(
                log,
                "repo-check",
                "direct",
                &parsed,
                Sink::Memory(4 << 20, &text),
            )
            .await
            && err.not_found
        {
            repo.lock()
                .unwrap_or_else(|e| e.into_inner())
                .mark_refs_not_found();
        }
    }
    Ok(Found::Git(Arc::new(GitTarget {
        repo,
        code,
        probe,
        first_command,
        explained,
    })))
}

/// What git's configuration does to `url` and, for an SSH URL after it, what the ssh
/// server says (with the host). Not the go command's commands: they run with a log
/// of their own.
fn ask_about(
    ws: &Workspace,
    env: &gomod_common::goenv::Environment,
    url: &str,
) -> (
    gogit::explain::Explanation,
    Option<(String, gogit::ssh::SshProbe)>,
) {
    let asking = ws.runner().fresh_log();
    let explained = gogit::explain::explain(&asking, ws.root(), ws.git_config(), env, url);
    let ssh = gogit::ssh::parse_ssh_url(&explained.url).map(|target| {
        let command = explained
            .ssh_command
            .as_ref()
            .map_or("ssh", |(command, _)| command.as_str());
        let found = gogit::ssh::probe(
            &asking,
            ws.root(),
            env.get("HOME"),
            &target,
            command,
            asking.timeout.min(std::time::Duration::from_secs(10)),
        );
        (target.host, found)
    });
    (explained, ssh)
}

/// Names the insteadOf rule (and the proxy git chose) in the hint of a failure that
/// happened where git was sent by its configuration.
fn explained_error(mut err: OpError, explained: &Explained) -> OpError {
    let ex = &explained.config;
    // git's words are vague about ssh at times; the probe of the server is not.
    if let Some((code, message)) = &explained.ssh_failure
        && err.code == Code::GitFailed
    {
        err.code = *code;
        if let Some(said) = err.said.as_mut() {
            said.hint = Some(format!("ssh: {message}"));
        }
    }
    let Some(said) = err.said.as_mut() else {
        return err;
    };
    let mut why = Vec::new();
    if let Some(rule) = &ex.insteadof {
        why.push(format!(
            "git did not use the URL go gave it: url.\"{}\".insteadOf = {} ({}) sent it to {}",
            rule.base,
            rule.prefix,
            rule.origin.describe(),
            ex.url
        ));
    }
    if matches!(err.code, Code::GitUnreachable | Code::GitTls)
        && let Some((proxy, origin)) = &ex.proxy
    {
        let skipped = ex
            .no_proxy
            .as_ref()
            .map(|n| format!(", but no_proxy entry {n} keeps this URL off it"))
            .unwrap_or_default();
        why.push(format!(
            "git's proxy for it is {proxy} ({}){skipped}",
            origin.describe()
        ));
    }
    if why.is_empty() {
        return err;
    }
    let hint = said.hint.take().unwrap_or_default();
    said.hint = Some(format!("{}; {hint}", why.join("; ")));
    err
}

/// The OpError of a repository failure: Go's text, the code from git's own words.
fn repo_error(err: &RepoError) -> OpError {
    let (code, hint) = gogit::classify_repo(err);
    let mut op = OpError::new(code, err.to_string());
    op.not_found = err.is_not_found();
    let mut said = Said {
        message: None,
        hint: Some(hint),
    };
    if let Some(run) = err.run_error() {
        op.go_waits = matches!(
            run.failure,
            gomod_common::git::run::Failure::Timeout(_)
                | gomod_common::git::run::Failure::Deadline(_)
        );
        let command = run.argv.get(..2).map(|a| a.join(" ")).unwrap_or_default();
        let why = match run.first_line() {
            Some(line) => {
                op.detail = Some(gomod_common::record::untrusted(line, 500));
                gomod_common::record::untrusted(line, 300)
            }
            None => run.failure.to_string(),
        };
        said.message = Some(format!("{command} failed: {why}"));
    }
    op.said = Some(Box::new(said));
    op
}

/// The OpError of a module failure, with Go's frame.
fn code_error(err: CodeError) -> OpError {
    let mut op = match &err.cause {
        Some(cause) => repo_error(cause),
        None => {
            let mut op = OpError::new(Code::VcsModuleInvalid, String::new());
            op.said = Some(Box::new(Said {
                message: None,
                hint: Some("the module is not where its version says in the repository: check its go.mod path and major version, and the tag".to_string()),
            }));
            op
        }
    };
    op.go_text = err.text.clone();
    op.not_found = err.not_found;
    op.frame = err.frame.clone();
    op
}

impl GitTarget {
    /// Runs `f` on the repository on the blocking pool.
    async fn with_repo<T: Send + 'static>(
        self: &Arc<Self>,
        f: impl FnOnce(&CodeRepo, &mut GitRepo) -> Result<T, CodeError> + Send + 'static,
    ) -> Result<T, OpError> {
        let target = Arc::clone(self);
        let bounds = gomod_common::net::bounds::probe_deadline();
        tokio::task::spawn_blocking(move || {
            gogit::run::within(bounds, || {
                let mut repo = target.repo.lock().unwrap_or_else(|e| e.into_inner());
                f(&target.code, &mut repo)
            })
        })
        .await
        .map_err(|e| OpError::new(Code::InternalError, format!("git task failed: {e}")))?
        .map_err(|e| explained_error(code_error(e), &self.explained))
    }

    /// `.info` for a version or revision.
    pub async fn stat(self: &Arc<Self>, rev: &str) -> Result<RevInfo, OpError> {
        let rev = rev.to_string();
        let url = self.repo_url();
        let found = self
            .with_repo(move |code, repo| code.stat(repo, &rev))
            .await?;
        Ok(rev_info(&found, &url))
    }

    /// HEAD's version (`Latest`).
    pub async fn latest(self: &Arc<Self>) -> Result<RevInfo, OpError> {
        let url = self.repo_url();
        let found = self.with_repo(|code, repo| code.latest(repo)).await?;
        Ok(rev_info(&found, &url))
    }

    /// The module's versions from the tags.
    pub async fn versions(self: &Arc<Self>) -> Result<Vec<String>, OpError> {
        self.with_repo(|code, repo| code.versions(repo, "")).await
    }

    /// The go.mod of a version.
    pub async fn go_mod(self: &Arc<Self>, version: &str) -> Result<Vec<u8>, OpError> {
        let version = version.to_string();
        self.with_repo(move |code, repo| code.go_mod(repo, &version))
            .await
    }

    /// The module zip of a version, into `file`.
    pub async fn zip(
        self: &Arc<Self>,
        version: &str,
        mut file: std::fs::File,
    ) -> Result<(), OpError> {
        let version = version.to_string();
        self.with_repo(move |code, repo| code.zip(repo, &version, &mut file))
            .await
    }

    fn repo_url(&self) -> String {
        self.repo
            .lock()
            .map(|r| r.remote_url.clone())
            .unwrap_or_default()
    }

    /// The record's part: the probe, the commands this module saw, and what the
    /// version resolved to.
    pub fn record(&self, version: Option<&str>) -> DirectProbe {
        let mut probe = self.probe.clone();
        if let Ok(repo) = self.repo.lock() {
            let commands = repo.runner().commands();
            probe.commands = commands
                .iter()
                .skip(self.first_command)
                .map(GitCommand::from)
                .collect();
            if let Some(err) = repo.refs_error() {
                let (reachable, auth_required) = reachability(err);
                probe.reachable = Some(reachable);
                probe.auth_required = Some(auth_required);
            } else if repo.refs_loaded() {
                probe.reachable = Some(true);
                probe.auth_required = Some(false);
                probe.refs = Some(repo.ref_count() as u64);
            }
            if let Some(v) = version
                && !gomod_common::modpath::is_pseudo_version(v)
            {
                let prefix = if self.code.code_dir.is_empty() {
                    String::new()
                } else {
                    format!("{}/", self.code.code_dir)
                };
                let tag = format!("{prefix}{}", v.trim_end_matches("+incompatible"));
                if let Some(hash) = repo.known_ref(&format!("refs/tags/{tag}")) {
                    probe.tag = Some(tag);
                    probe.commit = Some(hash);
                }
            }
        }
        probe
    }
}

/// What a failure of git says of the repository: whether it answered, and whether it
/// asked for credentials.
fn reachability(err: &RepoError) -> (bool, bool) {
    let code = gogit::classify_repo(err).0;
    let reachable = !err.is_not_found()
        && !matches!(
            code,
            Code::GitUnreachable
                | Code::SshRefused
                | Code::SshTimeout
                | Code::SshHostUnknown
                | Code::GitTimeout
                | Code::GitTls
        );
    (reachable, code == Code::GitAuthRequired)
}

/// `.info` as the go command writes it for a direct module: Version, Time, Origin.
fn rev_info(rev: &ModRev, url: &str) -> RevInfo {
    let time = gomod_common::net::certinfo::rfc3339(rev.time);
    let mut origin = serde_json::json!({"VCS": "git", "URL": redact_url(url), "Hash": rev.hash});
    if let Some(r) = &rev.origin_ref {
        origin["Ref"] = serde_json::Value::String(r.clone());
    }
    let raw = serde_json::to_vec(&serde_json::json!({
        "Version": rev.version,
        "Time": time,
        "Origin": origin,
    }))
    .unwrap_or_default();
    RevInfo {
        version: rev.version.clone(),
        info: gomod_common::record::fetch::Info {
            version: rev.version.clone(),
            time: Some(time),
            origin: Some(origin),
        },
        raw,
    }
}

/// The prefix of the module's tags: its directory in the repository, without a
/// major-version suffix the directory does not have.
fn tag_prefix(module: &str, root: &str, sub_dir: Option<&str>) -> String {
    let mut rel = module
        .strip_prefix(root)
        .unwrap_or("")
        .trim_start_matches('/')
        .to_string();
    if let Some((_, major)) = gomod_common::modpath::split_path_version(module)
        && let Some(suffix) = major.strip_prefix('/')
        && let Some(stripped) = rel.strip_suffix(suffix)
    {
        rel = stripped.trim_end_matches('/').to_string();
    }
    if let Some(sub) = sub_dir.filter(|s| !s.is_empty()) {
        rel = if rel.is_empty() {
            sub.to_string()
        } else {
            format!("{sub}/{rel}")
        };
    }
    if rel.is_empty() {
        String::new()
    } else {
        format!("{rel}/")
    }
}

/// Tags from a smart-HTTP refs advertisement (pkt-lines): `refs/tags/<name>` with
/// the commit, the peeled `^{}` commit winning for annotated tags.
pub fn parse_refs(body: &[u8]) -> Vec<(String, String)> {
    let mut tags: Vec<(String, String)> = Vec::new();
    for line in pkt_lines(body) {
        let line = line.split(|&b| b == 0).next().unwrap_or(&[]);
        let Ok(text) = std::str::from_utf8(line) else {
            continue;
        };
        let text = text.trim_end_matches('\n');
        let Some((hash, name)) = text.split_once(' ') else {
            continue;
        };
        if hash.len() != 40 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            continue;
        }
        let Some(tag) = name.strip_prefix("refs/tags/") else {
            continue;
        };
        if let Some(base) = tag.strip_suffix("^{}") {
            if let Some(entry) = tags.iter_mut().find(|(t, _)| t == base) {
                entry.1 = hash.to_string();
            }
        } else {
            tags.push((tag.to_string(), hash.to_string()));
        }
    }
    tags
}

fn count_refs(body: &[u8]) -> u64 {
    pkt_lines(body)
        .filter(|l| l.len() > 41 && l[40] == b' ' && !l.ends_with(b"^{}\n"))
        .count() as u64
}

/// The payloads of git pkt-lines (4 hex digits of length, flush packets skipped);
/// stops at the first malformed length.
fn pkt_lines(mut body: &[u8]) -> impl Iterator<Item = &[u8]> {
    std::iter::from_fn(move || {
        loop {
            if body.len() < 4 {
                return None;
            }
            let len = std::str::from_utf8(&body[..4])
                .ok()
                .and_then(|s| usize::from_str_radix(s, 16).ok())?;
            if len == 0 {
                body = &body[4..];
                continue;
            }
            if len < 4 || len > body.len() {
                return None;
            }
            let line = &body[4..len];
            body = &body[len..];
            if line.starts_with(b"# service=") {
                continue;
            }
            return Some(line);
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pkt(s: &str) -> String {
        format!("{:04x}{s}", s.len() + 4)
    }

    #[test]
    fn refs_advertisement_is_parsed() {
        let a = "a".repeat(40);
        let b = "b".repeat(40);
        let c = "c".repeat(40);
        let body = format!(
            "{}0000{}{}{}{}0000",
            pkt("# service=git-upload-pack\n"),
            pkt(&format!("{a} HEAD\0multi_ack\n")),
            pkt(&format!("{b} refs/tags/v1.0.0\n")),
            pkt(&format!("{c} refs/tags/v1.0.0^{{}}\n")),
            pkt(&format!("{a} refs/tags/sub/v0.1.0\n")),
        );
        let tags = parse_refs(body.as_bytes());
        assert_eq!(
            tags,
            vec![
                ("v1.0.0".to_string(), c.clone()),
                ("sub/v0.1.0".to_string(), a.clone())
            ]
        );
        assert_eq!(count_refs(body.as_bytes()), 3);
        assert!(parse_refs(b"zzzz garbage").is_empty());
    }

    #[test]
    fn tag_prefixes_follow_the_module_directory() {
        assert_eq!(tag_prefix("example.com/r", "example.com/r", None), "");
        assert_eq!(tag_prefix("example.com/r/v2", "example.com/r", None), "");
        assert_eq!(
            tag_prefix("example.com/r/sub", "example.com/r", None),
            "sub/"
        );
        assert_eq!(
            tag_prefix("example.com/r/sub/v3", "example.com/r", None),
            "sub/"
        );
    }
}
