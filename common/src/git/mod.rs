//! Direct mode as the go command carries it out with git: running git with Go's
//! environment ([`run`]), a remote repository read with Go's git commands ([`repo`]),
//! the module inside it, its versions, go.mod and zip ([`coderepo`]), and why git
//! failed, from git's own words ([`classify`]).

pub mod coderepo;
pub mod explain;
pub mod repo;
pub mod run;
pub mod spawn;
pub mod ssh;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use crate::record::Code;
use repo::{GitRepo, RepoError};
use run::{Failure, RunError, Runner};

/// Go's text when git is not on PATH (from `gitSupportsSHA256`, the first git command
/// whose failure go does not ignore).
pub const GIT_NOT_FOUND: &str = "unable to resolve git version: failed to execute git version: exec: \"git\": executable file not found in $PATH";

/// Why git failed: a code and a hint, from git's standard error (its own words, in
/// English: the go command sets no locale, and neither is one set here).
pub fn classify(err: &RunError) -> (Code, String) {
    let stderr = err.stderr.as_str();
    let host = stderr_host(stderr);
    let has = |needle: &str| stderr.contains(needle);
    match &err.failure {
        Failure::NotFound => return (Code::GitNotInstalled, not_installed_hint()),
        Failure::Timeout(_) => {
            return (
                Code::GitTimeout,
                "git did not finish within --timeout and the go command would wait for it: raise --timeout for a large repository, or see which command hung in direct.commands".to_string(),
            );
        }
        Failure::Deadline(_) => {
            return (
                Code::GitTimeout,
                "the probe's --deadline passed while git worked, and the go command would still be waiting: raise --deadline for a large repository, or see which command hung in direct.commands".to_string(),
            );
        }
        _ => {}
    }
    if has("could not read Username") || has("could not read Password") {
        return (
            Code::GitAuthRequired,
            format!(
                "git needs credentials for {host} and the go command lets it ask no one (GIT_TERMINAL_PROMPT=0): configure a credential helper (git config --global credential.helper store, then log in once with git ls-remote URL) or a ~/.netrc entry for {host}, or make git use SSH: git config --global url.\"git@{host}:\".insteadOf \"https://{host}/\""
            ),
        );
    }
    if has("Authentication failed")
        || has("HTTP Basic: Access denied")
        || has("The requested URL returned error: 403")
    {
        return (
            Code::GitAuthRequired,
            format!(
                "the server refused the credentials git sent for {host}: check the credential helper's or ~/.netrc's entry (a token may have expired)"
            ),
        );
    }
    if has("Host key verification failed") {
        if has("REMOTE HOST IDENTIFICATION HAS CHANGED") {
            return (
                Code::SshHostKeyChanged,
                format!(
                    "the server's SSH host key differs from the one in known_hosts: confirm the new key with the server's owner, then remove the old one (ssh-keygen -R {host})"
                ),
            );
        }
        return (
            Code::SshHostKeyUnknown,
            format!(
                "ssh does not know {host}'s host key and cannot ask: add it after checking its fingerprint (ssh-keyscan {host} >> ~/.ssh/known_hosts)"
            ),
        );
    }
    if has("Permission denied (publickey") || has("Permission denied, please try again") {
        return (
            Code::SshAuthFailed,
            "the SSH server refused every key ssh offered: start ssh-agent and ssh-add your key (ssh-add -l lists the loaded ones), and register its public key with the Git server".to_string(),
        );
    }
    if has("ssh: connect to host") && has("Connection refused") {
        return (
            Code::SshRefused,
            "nothing listens on the SSH port git was sent to: check the host and port ssh uses (ssh -G HOST) and the url.*.insteadOf rule that sent git there (git config --show-origin --get-regexp '^url\\.')".to_string(),
        );
    }
    if has("ssh: connect to host") && (has("timed out") || has("No route to host")) {
        return (
            Code::SshTimeout,
            "the SSH port does not answer: a firewall drops it; use https (drop the url.*.insteadOf rule) or reach it through a ProxyCommand or ProxyJump in ~/.ssh/config".to_string(),
        );
    }
    if has("ssh: Could not resolve hostname") {
        return (
            Code::SshHostUnknown,
            "the SSH host name does not resolve: check HostName in ~/.ssh/config (ssh -G HOST) and gomod-dnscheck the name".to_string(),
        );
    }
    if has("cannot run ssh") || has("ssh: not found") || has("ssh: No such file") {
        return (
            Code::SshNoClient,
            "git needs an ssh client for this URL: install openssh-client, or set GIT_SSH_COMMAND"
                .to_string(),
        );
    }
    if has("SSL certificate problem")
        || has("server certificate verification failed")
        || has("unable to get local issuer certificate")
    {
        return (
            Code::GitTls,
            "git does not trust the server's certificate; git reads its CA file from http.sslCAInfo or GIT_SSL_CAINFO (and libcurl's default bundle), not from Go's SSL_CERT_FILE".to_string(),
        );
    }
    if has("Repository not found")
        || has("does not appear to be a git repository")
        || has("returned error: 404")
        || (has("repository '") && has("' not found"))
    {
        return (
            Code::GitRepoNotFound,
            "the server has no repository at that URL (private repositories often answer so without credentials): check the import path and the go-import tag, and whether git sends credentials".to_string(),
        );
    }
    if has("Could not resolve host")
        || has("Failed to connect to")
        || has("Connection refused")
        || has("Couldn't connect to server")
        || has("Could not resolve proxy")
        || has("Connection timed out")
        || has("Proxy CONNECT aborted")
    {
        return (
            Code::GitUnreachable,
            "git cannot reach the server; git uses its own proxy settings (http.proxy, http.<url>.proxy, then the lower-case http_proxy for http:// and https_proxy/HTTPS_PROXY for https://), not Go's HTTP_PROXY rules".to_string(),
        );
    }
    (
        Code::GitFailed,
        "git failed: its last line (direct.commands[].error_line) says why; run the command shown with GIT_TRACE=1 GIT_CURL_VERBOSE=1 to see more".to_string(),
    )
}

/// The host git names in its error (`for 'https://host'`, `to host`), or `the server`.
fn stderr_host(stderr: &str) -> String {
    for marker in [
        "for 'https://",
        "for 'http://",
        "ssh: connect to host ",
        "to host ",
    ] {
        if let Some(i) = stderr.find(marker) {
            let rest = &stderr[i + marker.len()..];
            let host: String = rest
                .chars()
                .take_while(|c| !matches!(c, '\'' | ' ' | '/' | ':' | '\n'))
                .collect();
            if !host.is_empty() {
                return crate::record::untrusted(&host, 200);
            }
        }
    }
    "the server".to_string()
}

/// The hint for a machine without git.
pub fn not_installed_hint() -> String {
    "install git (the go command runs it for every direct module: apt-get install git), or fetch the module through a module proxy (GOPROXY)".to_string()
}

/// The code and hint of a repository failure.
pub fn classify_repo(err: &RepoError) -> (Code, String) {
    match err {
        RepoError::Run { err, .. } => classify(err),
        RepoError::UnknownRevision(_) | RepoError::Ambiguous(_) | RepoError::NoCommits => (
            Code::VcsUnknownRevision,
            "the repository has no such tag, branch or commit: `git ls-remote URL` lists what it has".to_string(),
        ),
        RepoError::NotExist | RepoError::Other(_) => (
            Code::GitFailed,
            "see go_error for the go command's own words".to_string(),
        ),
    }
}

/// The repositories of one run, shared by the modules they hold: one work directory
/// per remote URL (named as the go command names it), opened once.
#[derive(Debug)]
pub struct Workspace {
    root: PathBuf,
    go_cache: String,
    runner: Runner,
    /// One slot per URL: the registry lock is held only to find the slot, the slot's
    /// lock while the repository is opened, so different repositories open at once.
    repos: Mutex<HashMap<String, Slot>>,
    /// git's configuration, listed once for the run ([`Workspace::git_config`]).
    config: OnceLock<explain::Snapshot>,
}

/// A repository that could not be opened: go's error, and the commands that ran (an
/// `ls-remote` that failed before the command that gave up, say).
#[derive(Debug)]
pub struct OpenError {
    pub error: RepoError,
    pub commands: Vec<run::CommandRecord>,
}

/// A repository being opened or open.
type Slot = Arc<Mutex<Option<Arc<Mutex<GitRepo>>>>>;

impl Workspace {
    /// Work directories under `root` (created); `go_cache` is the go command's module
    /// cache, named in its error texts.
    pub fn new(root: &Path, go_cache: &str, runner: Runner) -> Workspace {
        Workspace {
            root: root.to_path_buf(),
            go_cache: go_cache.to_string(),
            runner,
            repos: Mutex::default(),
            config: OnceLock::new(),
        }
    }

    /// git's configuration outside any repository, listed the first time it is asked
    /// for (blocking: runs `git config --list`) and kept for the run: the explanations
    /// of every repository read it instead of running git a few times each.
    pub fn git_config(&self) -> &explain::Snapshot {
        self.config.get_or_init(|| {
            let _ = std::fs::create_dir_all(&self.root);
            explain::Snapshot::read(&self.runner.fresh_log(), &self.root)
        })
    }

    /// The runner (where git is, what it adds to the environment).
    pub fn runner(&self) -> &Runner {
        &self.runner
    }

    /// Where the work directories are.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The repository at `url`, opened (blocking: runs git) the first time it is
    /// asked for; a failure to open is not kept, the next caller tries again.
    pub fn repo(&self, url: &str) -> Result<Arc<Mutex<GitRepo>>, OpenError> {
        let slot = {
            let mut repos = self.repos.lock().unwrap_or_else(|e| e.into_inner());
            Arc::clone(repos.entry(url.to_string()).or_default())
        };
        let mut slot = slot.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(repo) = slot.as_ref() {
            return Ok(Arc::clone(repo));
        }
        std::fs::create_dir_all(&self.root).map_err(|e| OpenError {
            error: RepoError::Other(crate::oserr::path_error("mkdir", &self.root, &e)),
            commands: Vec::new(),
        })?;
        let runner = self.runner.fresh_log();
        let repo =
            GitRepo::open(runner.clone(), &self.root, &self.go_cache, url).map_err(|error| {
                OpenError {
                    error,
                    commands: runner.commands(),
                }
            })?;
        let repo = Arc::new(Mutex::new(repo));
        *slot = Some(Arc::clone(&repo));
        Ok(repo)
    }
}
