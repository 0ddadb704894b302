//! The `fetch` record: one module version fetched through the GOPROXY list the way the
//! go command fetches it, with every HTTP attempt.

use serde::Serialize;

use super::{Documented, RecordBody, untrusted};

/// Body of the `fetch` record.
#[derive(Clone, Debug, Default, Serialize)]
pub struct FetchBody {
    /// The module path.
    pub module: String,
    /// The version fetched (the query's answer for a query).
    pub version: Option<String>,
    /// The query asked for when it was not a canonical version (`latest`, `v1.2`...).
    pub query: Option<String>,
    /// What was asked for: `list`, `info`, `mod`, `zip`.
    pub what: Vec<String>,
    /// The endpoint that served the last thing fetched (redacted), as Go writes it in
    /// its GOPROXY list; `direct` for the version control repository.
    pub source: Option<String>,
    /// Every request made, in the order made.
    pub attempts: Vec<Attempt>,
    /// Every host a request went to, redirects included, sorted: what a firewall must
    /// let through for this fetch.
    pub hosts: Vec<String>,
    /// The versions `@v/list` offered (for `--what list` and queries).
    pub versions: Option<Vec<String>>,
    /// The parsed `.info`.
    pub info: Option<Info>,
    /// The `h1:` hash of the `.mod` file, as the go.sum `/go.mod` line has it.
    pub mod_h1: Option<String>,
    /// The `h1:` hash of the module zip, as go.sum has it.
    pub zip_h1: Option<String>,
    /// Size of the zip in bytes.
    pub zip_bytes: Option<u64>,
    /// Number of files in the zip.
    pub zip_files: Option<u64>,
    /// The module cache directory the files were written to (`--cache`).
    pub cached: Option<String>,
    /// What a `direct` entry found out (go-get discovery and the repository probe).
    pub direct: Option<DirectProbe>,
}

/// The parsed `.info` answer.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Info {
    /// `Version`.
    pub version: String,
    /// `Time`, as the server sent it.
    pub time: Option<String>,
    /// `Origin.VCS`, `Origin.URL`, `Origin.Hash`, `Origin.Ref` when the proxy sent them.
    pub origin: Option<serde_json::Value>,
}

/// One HTTP request (or the attempt to make one) and what came of it.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Attempt {
    /// What it was for: `list`, `latest`, `info`, `mod`, `zip`, `go-get`, `info/refs`,
    /// `supported`, `probe`.
    pub op: String,
    /// The GOPROXY entry (redacted): a URL, `direct`, `noproxy` or `off`.
    pub endpoint: String,
    /// The URL requested (redacted); null when the entry makes no request.
    pub url: Option<String>,
    /// The final HTTP status.
    pub status: Option<u16>,
    /// The protocol the response came over: `HTTP/1.1`, or `HTTP/2` where the server
    /// offered it in ALPN and GODEBUG does not set `http2client=0` (null when no
    /// response came, and for `file://` URLs).
    pub proto: Option<String>,
    /// Body bytes received.
    pub bytes: u64,
    /// Time taken, in milliseconds.
    pub ms: u64,
    /// The error code when it failed.
    pub error: Option<String>,
    /// Go's text for the failure.
    pub message: Option<String>,
    /// The URLs redirected to, in order (redacted).
    pub redirects: Vec<String>,
    /// The HTTP proxy the request went through (redacted).
    pub via_proxy: Option<String>,
    /// The netrc login sent with it (never the password).
    pub netrc_login: Option<String>,
    /// What GOAUTH (netrc included) did for the request; null where none was made.
    pub auth: Option<AuthRecord>,
    /// The start of an error body the server sent (at most 1 KiB, control characters
    /// escaped).
    pub body_excerpt: Option<String>,
    /// 0 for the first try, then 1, 2... for `--retries`.
    pub retry: u32,
    /// Whether Go would go on to the next GOPROXY entry after this failure.
    pub falls_through: Option<bool>,
}

/// Which GOAUTH provider supplied the credentials of a request, and what else GOAUTH
/// did for it. Never a password, token or header value.
#[derive(Clone, Debug, Default, Serialize)]
pub struct AuthRecord {
    /// `netrc`, `git`, `command` (a GOAUTH command), `userinfo` (the URL's own
    /// `user:password@`); `off` for GOAUTH=off; null: no credentials went with it.
    pub provider: Option<String>,
    /// The login, where one is known (never the password).
    pub login: Option<String>,
    /// The URL prefix the credentials are stored under (`host[:port][/path]`).
    pub prefix: Option<String>,
    /// The 4xx after which the go command ran the GOAUTH methods again with the URL
    /// and sent the request once more (go1.24+); what is recorded is that second try.
    pub retried_after: Option<u16>,
    /// What GOAUTH methods reported when they failed and no credentials were found
    /// (the go command prints these only with -x).
    pub errors: Vec<String>,
    /// Why no credentials were sent, when something could have sent them.
    pub note: Option<String>,
}

impl From<&crate::net::goauth::AuthOutcome> for AuthRecord {
    fn from(outcome: &crate::net::goauth::AuthOutcome) -> AuthRecord {
        let source = outcome.source.as_ref();
        let note = if outcome.off && source.is_none() {
            Some("GOAUTH=off: the go command sends no GOAUTH or netrc credentials".to_string())
        } else {
            outcome.note.clone()
        };
        AuthRecord {
            provider: source
                .map(|s| s.provider.to_string())
                .or_else(|| outcome.off.then(|| "off".to_string())),
            login: source.and_then(|s| s.login.clone()),
            prefix: source.and_then(|s| s.prefix.clone()),
            retried_after: outcome.retried_after,
            errors: outcome.errors.clone(),
            note,
        }
    }
}

/// What the go command would find in the repository behind a `direct` entry: where git
/// is installed, what the same git commands go runs did (`commands`); else, and for
/// other version control systems, what the repository answers over git's smart HTTP
/// protocol.
#[derive(Clone, Debug, Default, Serialize)]
pub struct DirectProbe {
    /// `git`, `hg`, `mod`...
    pub vcs: Option<String>,
    /// The repository URL (redacted).
    pub repo: Option<String>,
    /// The import-path prefix the repository holds.
    pub root: Option<String>,
    /// The module's directory in the repository (`""` at its root).
    pub dir: Option<String>,
    /// `known_host` (Go's static table) or `go_get` (discovery).
    pub via: Option<String>,
    /// Whether the repository answered.
    pub reachable: Option<bool>,
    /// Whether it asked for credentials (401/403, or git's `could not read Username`).
    pub auth_required: Option<bool>,
    /// The tag that holds the version (`v1.2.3` or `sub/dir/v1.2.3`), when it exists.
    pub tag: Option<String>,
    /// The commit of that tag (or of the version's commit for pseudo-versions).
    pub commit: Option<String>,
    /// How many refs the repository advertised.
    pub refs: Option<u64>,
    /// The git that was run (null: git is not installed, or not used).
    pub git: Option<String>,
    /// What the go command adds to git's environment (`GIT_TERMINAL_PROMPT=0`,
    /// `GCM_INTERACTIVE=never`, each unless the user set it).
    pub git_env: Vec<String>,
    /// The go command's work directory for the repository
    /// (`$GOMODCACHE/cache/vcs/<hash>`), which its errors name.
    pub go_work_dir: Option<String>,
    /// Where the commands ran here.
    pub work_dir: Option<String>,
    /// Every git command run, in order.
    pub commands: Vec<GitCommand>,
    /// What git's own configuration does to the repository URL (asked of git with the
    /// go command's environment).
    pub git_config: Option<GitConfig>,
    /// For an SSH URL (after insteadOf): what ssh does with it.
    pub ssh: Option<SshRecord>,
    /// Plain words on what was and was not done.
    pub note: String,
}

/// What git's configuration does to a repository URL; every `source` is `SCOPE FILE`
/// (`global /home/u/.gitconfig`) or `env NAME`.
#[derive(Clone, Debug, Default, Serialize)]
pub struct GitConfig {
    /// The URL git really uses, after insteadOf (redacted).
    pub url: String,
    /// The `url.<base>.insteadOf` rule that rewrote it: `{base, prefix, source}`.
    pub insteadof: Option<serde_json::Value>,
    /// The proxy git uses for it (redacted): `{url, source}`; null: none.
    pub proxy: Option<serde_json::Value>,
    /// The no_proxy entry that keeps the URL off that proxy.
    pub no_proxy: Option<String>,
    /// The CA file git trusts instead of its default: `{file, source}`.
    pub ssl_ca_info: Option<serde_json::Value>,
    /// Where certificate checks are switched off, if they are.
    pub ssl_verify_off: Option<String>,
    /// Credential helpers that apply, in order: `{helper, source}`.
    pub credential_helpers: Vec<serde_json::Value>,
    /// The login of the ~/.netrc entry libcurl would send (never the password).
    pub netrc_login: Option<String>,
    /// For SSH URLs, the ssh command git runs: `{command, source}`.
    pub ssh_command: Option<serde_json::Value>,
}

impl From<&crate::git::explain::Explanation> for GitConfig {
    fn from(e: &crate::git::explain::Explanation) -> GitConfig {
        use serde_json::json;
        GitConfig {
            url: e.url.clone(),
            insteadof: e.insteadof.as_ref().map(
                |r| json!({"base": r.base, "prefix": r.prefix, "source": r.origin.describe()}),
            ),
            proxy: e
                .proxy
                .as_ref()
                .map(|(url, o)| json!({"url": url, "source": o.describe()})),
            no_proxy: e.no_proxy.clone(),
            ssl_ca_info: e
                .ssl_ca_info
                .as_ref()
                .map(|(file, o)| json!({"file": file, "source": o.describe()})),
            ssl_verify_off: e.ssl_verify_off.as_ref().map(|o| o.describe()),
            credential_helpers: e
                .credential_helpers
                .iter()
                .map(|(h, o)| json!({"helper": h, "source": o.describe()}))
                .collect(),
            netrc_login: e.netrc_login.clone(),
            ssh_command: e
                .ssh_command
                .as_ref()
                .map(|(c, o)| json!({"command": c, "source": o.describe()})),
        }
    }
}

/// The SSH server behind a repository URL, as ssh sees it.
#[derive(Clone, Debug, Default, Serialize)]
pub struct SshRecord {
    /// The host as the URL names it.
    pub host: String,
    /// The host name ssh connects to (`ssh -G`).
    pub hostname: Option<String>,
    /// The port.
    pub port: Option<u16>,
    /// The user.
    pub user: Option<String>,
    /// The identity files ssh would offer (those that exist).
    pub identity_files: Vec<String>,
    /// ProxyCommand, when set.
    pub proxy_command: Option<String>,
    /// ProxyJump, when set.
    pub proxy_jump: Option<String>,
    /// BatchMode as configured (git runs ssh here without a terminal, as BatchMode=yes).
    pub batch_mode: Option<String>,
    /// StrictHostKeyChecking.
    pub strict_host_key_checking: Option<String>,
    /// The known_hosts files ssh reads.
    pub known_hosts: Vec<String>,
    /// The server's banner (`SSH-2.0-...`).
    pub banner: Option<String>,
    /// The server's host key against known_hosts: `known`, `unknown`, `changed`.
    pub host_key: Option<String>,
    /// The code of what failed on the way (ssh_refused, ssh_timeout, ...).
    pub error: Option<String>,
    /// What failed, in a sentence.
    pub message: Option<String>,
    /// What was not checked, and why.
    pub note: Option<String>,
}

impl SshRecord {
    /// The record of a probe of `host`.
    pub fn from_probe(host: &str, p: &crate::git::ssh::SshProbe) -> SshRecord {
        let s = p.settings.clone().unwrap_or_default();
        let some = |v: String| (!v.is_empty()).then_some(v);
        SshRecord {
            host: host.to_string(),
            hostname: some(s.hostname),
            port: p.settings.as_ref().map(|s| s.port),
            user: some(s.user),
            identity_files: s.identity_files,
            proxy_command: s.proxy_command,
            proxy_jump: s.proxy_jump,
            batch_mode: some(s.batch_mode),
            strict_host_key_checking: some(s.strict_host_key_checking),
            known_hosts: s.known_hosts,
            banner: p.banner.clone(),
            host_key: p.host_key.clone(),
            error: p.failure.as_ref().map(|(c, _)| c.as_str().to_string()),
            message: p.failure.as_ref().map(|(_, m)| m.clone()),
            note: p.note.clone(),
        }
    }
}

/// One git command as it was run.
#[derive(Clone, Debug, Default, Serialize)]
pub struct GitCommand {
    /// The arguments, `git` first (credentials in URLs redacted).
    pub argv: Vec<String>,
    /// The directory it ran in.
    pub cwd: String,
    /// Its exit status (null: killed, timed out or not started).
    pub exit: Option<i32>,
    /// Wall time.
    pub ms: u64,
    /// git's last error line, when it failed.
    pub error_line: Option<String>,
    /// Killed at --timeout.
    pub timed_out: bool,
}

impl From<&crate::git::run::CommandRecord> for GitCommand {
    fn from(c: &crate::git::run::CommandRecord) -> GitCommand {
        GitCommand {
            argv: c.argv.clone(),
            cwd: c.cwd.clone(),
            exit: c.exit,
            ms: c.ms,
            error_line: c.error_line.clone(),
            timed_out: c.timed_out,
        }
    }
}

impl Documented for FetchBody {
    const FIELDS: &'static [(&'static str, &'static str)] = &[
        ("module", "the module path"),
        (
            "version",
            "the version fetched; for a query, the version it resolved to",
        ),
        (
            "query",
            "the query asked for when it was not a canonical version (latest, v1.2, <v2, a branch...)",
        ),
        ("what", "what was asked for: list, info, mod, zip"),
        (
            "source",
            "the GOPROXY entry that served the last file (redacted), or direct",
        ),
        (
            "attempts",
            "every request in the order made: {op, endpoint, url, status, proto, bytes, ms, error, message, redirects, via_proxy, netrc_login, auth, body_excerpt, retry, falls_through}; auth is {provider (netrc, git, command, userinfo, off, or null: none sent), login, prefix, retried_after (the 4xx after which go ran GOAUTH again with the URL and sent the request once more), errors, note}, never a password or header value; proto is the protocol the response came over, HTTP/1.1 or HTTP/2 (HTTP/2 where the server offers h2 in ALPN, as go's transport uses it, unless GODEBUG has http2client=0; requests to one host share its connections: HTTP/2 streams on one connection, or at most 16 HTTP/1.1 keep-alive connections); falls_through says whether Go moves on to the next GOPROXY entry after that failure",
        ),
        (
            "hosts",
            "every host a request went to, redirects included: the egress a firewall must allow",
        ),
        (
            "versions",
            "the versions @v/list offered, sorted as Go sorts them (null when not listed)",
        ),
        ("info", "the .info answer: {version, time, origin}"),
        (
            "mod_h1",
            "h1: hash of the .mod file (the go.sum /go.mod line)",
        ),
        ("zip_h1", "h1: hash of the module zip (the go.sum line)"),
        ("zip_bytes", "size of the zip in bytes"),
        ("zip_files", "number of files in the zip"),
        (
            "cached",
            "the module cache directory written with --cache, or null",
        ),
        (
            "direct",
            "for direct entries: {vcs, repo, root, dir, via, reachable, auth_required, tag, commit, refs, git, git_env, go_work_dir, work_dir, commands, git_config, note}; where git is installed, commands lists every git command run as the go command runs it ({argv, cwd, exit, ms, error_line, timed_out}) and the .mod and .zip are built from the repository as go builds them; git_config says what git's own configuration does to the URL: {url (after insteadOf), insteadof {base, prefix, source}, proxy {url, source}, no_proxy, ssl_ca_info {file, source}, ssl_verify_off, credential_helpers [{helper, source}], netrc_login, ssh_command {command, source}}, each source `SCOPE FILE` or `env NAME`; ssh, for an SSH URL: {host, hostname, port, user, identity_files, proxy_command, proxy_jump, batch_mode, strict_host_key_checking, known_hosts (from ssh -G), banner, host_key (known, unknown, changed, from ssh-keyscan and ssh-keygen -F), error, message, note}",
        ),
    ];
}

impl RecordBody for FetchBody {
    const TYPE: &'static str = "fetch";
    /// `fetch M@Q -> V from SOURCE: zip h1:..., go.mod h1:... (N requests, K failed)`;
    /// GOPROXY entries passed over without a request are named, not counted.
    fn text(&self) -> String {
        if self.what.iter().any(|w| w == "probe") {
            return self.probe_text();
        }
        let mut line = format!("fetch {}", untrusted(&self.module, 300));
        match (&self.version, &self.query) {
            (Some(v), Some(q)) => {
                line.push_str(&format!("@{} -> {}", untrusted(q, 100), untrusted(v, 100)))
            }
            (Some(v), None) => line.push_str(&format!("@{}", untrusted(v, 100))),
            (None, Some(q)) => line.push_str(&format!("@{}", untrusted(q, 100))),
            (None, None) => {}
        }
        if let Some(source) = &self.source {
            line.push_str(&format!(" from {}", untrusted(source, 200)));
        }
        let mut hashes = Vec::new();
        if let Some(h) = &self.zip_h1 {
            hashes.push(format!("zip {}", untrusted(h, 100)));
        }
        if let Some(h) = &self.mod_h1 {
            hashes.push(format!("go.mod {}", untrusted(h, 100)));
        }
        if let Some(versions) = &self.versions {
            hashes.push(format!("{} versions listed", versions.len()));
        }
        if !hashes.is_empty() {
            line.push_str(&format!(": {}", hashes.join(", ")));
        }
        let requests = self.attempts.iter().filter(|a| a.url.is_some()).count();
        let failed = self
            .attempts
            .iter()
            .filter(|a| a.url.is_some() && a.error.is_some())
            .count();
        let mut counts = match (requests, failed) {
            (0, _) => "no request".to_string(),
            (1, _) => "1 request".to_string(),
            (n, 0) => format!("{n} requests"),
            (n, k) => format!("{n} requests, {k} failed"),
        };
        // Entries that make no request: `off` reached, or a proxy GONOPROXY passes
        // over; each once, with Go's reason.
        let mut skipped: Vec<String> = Vec::new();
        for attempt in self.attempts.iter().filter(|a| a.url.is_none()) {
            let text = match &attempt.message {
                Some(why) => format!("{} ({})", attempt.endpoint, why),
                None => attempt.endpoint.clone(),
            };
            if !skipped.contains(&text) {
                skipped.push(text);
            }
        }
        if !skipped.is_empty() {
            counts.push_str(&format!(
                "; no request to {}",
                untrusted(&skipped.join(", "), 300)
            ));
        }
        line.push_str(&format!(" ({counts})"));
        if let Some(dir) = &self.cached {
            line.push_str(&format!("; written to {}", untrusted(dir, 300)));
        }
        line
    }
}

impl FetchBody {
    /// `--check-proxy`'s record: every request with its answer, since a 404 is what a
    /// conformant proxy answers there.
    fn probe_text(&self) -> String {
        let answers: Vec<String> = self
            .attempts
            .iter()
            .map(|a| {
                let answer = match (a.status, &a.error) {
                    (Some(status), _) => status.to_string(),
                    (None, Some(code)) => untrusted(code, 50),
                    (None, None) => "no answer".to_string(),
                };
                format!("{} {answer}", untrusted(&a.op, 30))
            })
            .collect();
        format!(
            "proxy check of {} (asking for {}, which cannot exist): {}",
            untrusted(self.source.as_deref().unwrap_or("?"), 200),
            untrusted(&self.module, 200),
            answers.join(", ")
        )
    }
}
