//! GOAUTH as the go command reads and runs it (go1.24 and later,
//! `cmd/go/internal/auth` and `cmd/go/internal/web`).
//!
//! GOAUTH is a `;`-separated list of methods: `off`, `netrc`, `git DIR` and any other
//! command. The go command checks the list at its first https request (the methods in
//! reverse order; a bad one stops it with a `go: GOAUTH ...` line), then:
//!
//! * before that first request it runs every method once without a URL: netrc entries
//!   are stored under their machine, a command runs with no argument and no input, and
//!   `git DIR` is skipped (git cannot list credentials);
//! * every https request carries the headers stored under the longest prefix of its URL
//!   (`https://` and one trailing `/` removed, then `/`-elements dropped from the end;
//!   the port is part of the key);
//! * after any 4xx answer to an https request, it runs every method again with the URL:
//!   `git credential fill` in DIR with `url=URL` on its input, a command with the URL as
//!   its last argument and the response's status line and headers on its input; then it
//!   sends the same request once more with what is stored for the URL by then;
//! * the methods run in reverse order and each stores over the last, so the method
//!   listed first wins for the same prefix; a longer prefix wins over a shorter one
//!   whichever method stored it. Failures of methods are silent (`go -x` logs them).
//!
//! Plain http requests get no GOAUTH credentials at all. Before go1.24 there was no
//! GOAUTH: netrc was always read and matched by host name, and no request was retried.
//!
//! Differences kept on purpose: every method runs bounded by `--timeout` in a session of
//! its own (no terminal to prompt on); after `git credential fill` the go command checks
//! the credentials with a HEAD request and runs `git credential approve` or `reject`,
//! which changes the user's credential store: a diagnostic tool does not do that.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use base64::Engine;

use super::netrc::{self, NetrcEntry, NetrcMode};
use crate::git::run::{Failure, Runner};
use crate::gourl::{self, Url};

/// One method of a GOAUTH list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Method {
    /// `netrc`: the netrc file's entries.
    Netrc,
    /// `git DIR`: `git credential fill` run in DIR.
    Git(String),
    /// Any other command, as written (split by Go's `quoted.Split` when run).
    Command(String),
}

impl Method {
    /// The provider's name in records: `netrc`, `git` or `command`.
    pub fn provider(&self) -> &'static str {
        match self {
            Method::Netrc => "netrc",
            Method::Git(_) => "git",
            Method::Command(_) => "command",
        }
    }
}

/// What GOAUTH means to the go release in use.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Spec {
    /// go1.23 and older: no GOAUTH; netrc is always read, matched by host name, and
    /// nothing is retried after a 4xx.
    BeforeGoauth,
    /// `GOAUTH=off`: no credentials from anywhere (a 4xx is still retried once).
    Off,
    /// The methods, in GOAUTH order.
    Methods(Vec<Method>),
    /// GOAUTH is invalid: the go command stops at its first https request with this
    /// line (go's text; a command's arguments shown as `***`).
    Invalid(String),
}

/// What to do about an invalid GOAUTH.
pub const FIX_HINT: &str = "fix GOAUTH (see go help goauth): a ;-separated list of netrc, git /ABSOLUTE/DIR and commands, or off alone; unset it for the default, netrc";

/// GOAUTH with the arguments of commands other than the built-in methods replaced by
/// `***`: they may hold a token. `netrc`, `off` and `git DIR` are shown whole.
pub fn redacted(value: &str) -> String {
    value
        .split(';')
        .map(|cmd| {
            let trimmed = cmd.trim();
            let first = trimmed.split_whitespace().next().unwrap_or("");
            if matches!(first, "netrc" | "off" | "git" | "") || trimmed == first {
                cmd.to_string()
            } else {
                format!("{first} ***")
            }
        })
        .collect::<Vec<_>>()
        .join(";")
}

/// Reads GOAUTH (`value`, already defaulted to `netrc` when unset or empty) as go's
/// `runGoAuth` checks it: the methods in reverse order, the first problem met being the
/// one go reports. `stat_dir` is `os.Stat` of a `git` directory: whether it is a
/// directory, or Go's error text (`stat /x: no such file or directory`).
pub fn parse(value: &str, stat_dir: impl Fn(&Path) -> Result<bool, String>) -> Spec {
    if value == "off" {
        return Spec::Off;
    }
    let shown = redacted(value);
    let commands: Vec<&str> = value.split(';').collect();
    let mut methods = Vec::new();
    for command in commands.iter().rev() {
        let command = command.trim();
        let words: Vec<&str> = command.split_whitespace().collect();
        let Some(first) = words.first() else {
            return Spec::Invalid(format!(
                "go: GOAUTH encountered an empty command (GOAUTH={shown})"
            ));
        };
        match *first {
            "off" => {
                if commands.len() != 1 {
                    return Spec::Invalid(format!(
                        "go: GOAUTH=off cannot be combined with other authentication commands (GOAUTH={shown})"
                    ));
                }
                return Spec::Off;
            }
            "netrc" => methods.push(Method::Netrc),
            "git" => {
                const NEEDS: &str = "go: GOAUTH=git dir method requires an absolute path to the git working directory";
                if words.len() != 2 {
                    return Spec::Invalid(NEEDS.to_string());
                }
                let dir = words[1];
                if !dir.starts_with('/') {
                    return Spec::Invalid(format!("{NEEDS}, dir is not absolute"));
                }
                match stat_dir(Path::new(dir)) {
                    Err(why) => {
                        return Spec::Invalid(format!(
                            "go: GOAUTH=git encountered an error; cannot stat {dir}: {why}"
                        ));
                    }
                    Ok(false) => return Spec::Invalid(format!("{NEEDS}, dir is not a directory")),
                    Ok(true) => methods.push(Method::Git(dir.to_string())),
                }
            }
            _ => methods.push(Method::Command(command.to_string())),
        }
    }
    methods.reverse();
    Spec::Methods(methods)
}

/// `os.Stat` as [`parse`] needs it.
pub fn stat_dir(path: &Path) -> Result<bool, String> {
    std::fs::metadata(path)
        .map(|m| m.is_dir())
        .map_err(|e| crate::oserr::path_error("stat", path, &e))
}

/// Which provider supplied the credentials of a request (never the secret itself).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Source {
    /// `netrc`, `git`, `command` or `userinfo` (the URL's own `user:password@`).
    pub provider: &'static str,
    /// The login, where one is known (netrc's, git's `username`, the user of a Basic
    /// header a command printed).
    pub login: Option<String>,
    /// The prefix they are stored under (`host[:port][/path]`).
    pub prefix: Option<String>,
}

/// Credentials to put on a request: headers and where they came from.
#[derive(Clone, Debug)]
pub struct Credentials {
    /// Header names and values, as go adds them.
    pub headers: Vec<(String, String)>,
    /// Their provider.
    pub source: Source,
}

/// What GOAUTH did for one GET, for the record.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuthOutcome {
    /// Who supplied the credentials of the last request sent; None: no credentials.
    pub source: Option<Source>,
    /// `GOAUTH=off`: go sends no credentials.
    pub off: bool,
    /// The 4xx status after which go ran the methods again with the URL and sent the
    /// request once more.
    pub retried_after: Option<u16>,
    /// What the methods reported when they failed (go prints these only with `-x`).
    pub errors: Vec<String>,
    /// Plain words: why nothing was sent (plain http, a netrc entry whose port does
    /// not fit).
    pub note: Option<String>,
}

/// The go command's GOAUTH state for one run: the parsed list, netrc, and the
/// credential cache shared by every request (go's is process-wide).
pub struct GoAuth {
    spec: Spec,
    netrc: Option<std::sync::Arc<Vec<NetrcEntry>>>,
    netrc_mode: NetrcMode,
    /// The go release in use, for notes (`go1.27`).
    release: String,
    runner: Runner,
    cache: Mutex<HashMap<String, Stored>>,
    initial: tokio::sync::OnceCell<Vec<String>>,
}

#[derive(Clone, Debug)]
struct Stored {
    headers: Vec<(String, String)>,
    provider: &'static str,
    login: Option<String>,
}

impl Default for GoAuth {
    /// No GOAUTH and no netrc: nothing is sent, nothing retried.
    fn default() -> GoAuth {
        GoAuth::new(
            Spec::BeforeGoauth,
            None,
            NetrcMode::Go119,
            None,
            &crate::goenv::Environment::default(),
        )
    }
}

impl GoAuth {
    /// The state for `spec`, with the netrc entries read (None: netrc is not read) and
    /// matched by `netrc_mode`; methods run with the go command's additions to the
    /// process `environment` (`GIT_TERMINAL_PROMPT=0`, `GCM_INTERACTIVE=never`).
    pub fn new(
        spec: Spec,
        netrc: Option<std::sync::Arc<Vec<NetrcEntry>>>,
        netrc_mode: NetrcMode,
        go_minor: Option<u32>,
        environment: &crate::goenv::Environment,
    ) -> GoAuth {
        let path = environment.raw("PATH").map(std::ffi::OsStr::new);
        GoAuth {
            spec,
            netrc,
            netrc_mode,
            release: go_minor.map_or_else(|| "newest go".to_string(), |m| format!("go1.{m}")),
            runner: Runner::new(path, environment, Duration::from_secs(30)),
            cache: Mutex::default(),
            initial: tokio::sync::OnceCell::new(),
        }
    }

    /// The parsed GOAUTH.
    pub fn spec(&self) -> &Spec {
        &self.spec
    }

    /// Whether the go release in use sends an https request again after a 4xx (go1.24+).
    pub fn retries_after_4xx(&self) -> bool {
        !matches!(self.spec, Spec::BeforeGoauth)
    }

    /// The credentials go puts on the first try of an https request for `url`, after
    /// running the methods once without a URL (the first time only); `Err` with go's
    /// line when GOAUTH is invalid. Also the errors of that first run.
    pub async fn before_request(
        &self,
        url: &Url,
        timeout: Duration,
    ) -> Result<(Option<Credentials>, Vec<String>), String> {
        match &self.spec {
            Spec::Invalid(text) => Err(text.clone()),
            Spec::Off => Ok((None, Vec::new())),
            Spec::BeforeGoauth => Ok((self.legacy_netrc(url), Vec::new())),
            Spec::Methods(methods) => {
                let errors = self
                    .initial
                    .get_or_init(|| self.run_methods(methods, None, None, timeout))
                    .await
                    .clone();
                Ok((self.load(url), errors))
            }
        }
    }

    /// After a 4xx answer (`status`, and `head`: the status line and headers as go
    /// writes them to a command's input): runs the methods again with the URL and
    /// returns what is stored for it then, with the methods' errors.
    pub async fn after_failure(
        &self,
        url: &Url,
        head: &str,
        timeout: Duration,
    ) -> (Option<Credentials>, Vec<String>) {
        match &self.spec {
            Spec::Methods(methods) => {
                let errors = self
                    .run_methods(methods, Some(&url.to_string()), Some(head), timeout)
                    .await;
                (self.load(url), errors)
            }
            _ => (None, Vec::new()),
        }
    }

    /// go1.23 and older: the first netrc entry for the host name.
    fn legacy_netrc(&self, url: &Url) -> Option<Credentials> {
        let entry = netrc::credentials_for(self.netrc.as_deref()?, url, self.netrc_mode)?;
        Some(Credentials {
            headers: vec![(
                "Authorization".to_string(),
                basic(&entry.login, &entry.password),
            )],
            source: Source {
                provider: "netrc",
                login: Some(entry.login.clone()),
                prefix: Some(entry.machine.clone()),
            },
        })
    }

    /// go's `loadCredential`: the headers stored under the longest prefix of the
    /// request's URL.
    fn load(&self, url: &Url) -> Option<Credentials> {
        let key = netrc::request_key(url)?;
        let cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        let mut prefix = key.as_str();
        loop {
            if let Some(stored) = cache.get(prefix) {
                return Some(Credentials {
                    headers: stored.headers.clone(),
                    source: Source {
                        provider: stored.provider,
                        login: stored.login.clone(),
                        prefix: Some(prefix.to_string()),
                    },
                });
            }
            prefix = &prefix[..prefix.rfind('/')?];
        }
    }

    /// go's `storeCredential`: no headers removes the prefix.
    fn store(&self, prefix: &str, stored: Stored) {
        let key = netrc::credential_key(prefix).to_string();
        let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        if stored.headers.is_empty() {
            cache.remove(&key);
        } else {
            cache.insert(key, stored);
        }
    }

    /// go's `runGoAuth`: every method in reverse order, storing what each supplies;
    /// returns the methods' errors (`GOAUTH=METHOD: ...`).
    async fn run_methods(
        &self,
        methods: &[Method],
        url: Option<&str>,
        head: Option<&str>,
        timeout: Duration,
    ) -> Vec<String> {
        let mut errors = Vec::new();
        for method in methods.iter().rev() {
            let shown = redacted(match method {
                Method::Netrc => "netrc",
                Method::Git(dir) => dir,
                Method::Command(command) => command,
            });
            match method {
                Method::Netrc => {
                    for entry in self.netrc.iter().flat_map(|e| e.iter()).rev() {
                        self.store(
                            &entry.machine,
                            Stored {
                                headers: vec![(
                                    "Authorization".to_string(),
                                    basic(&entry.login, &entry.password),
                                )],
                                provider: "netrc",
                                login: Some(entry.login.clone()),
                            },
                        );
                    }
                }
                Method::Git(dir) => {
                    let Some(url) = url else { continue };
                    match self.git_fill(dir, url, timeout).await {
                        Ok((prefix, stored)) => self.store(&prefix, stored),
                        Err(err) => errors.push(format!("GOAUTH=git {dir}: {err}")),
                    }
                }
                Method::Command(command) => {
                    match self.run_command(command, url, head, timeout).await {
                        Ok(sets) => {
                            for (prefix, stored) in sets {
                                self.store(&prefix, stored);
                            }
                        }
                        Err(err) => errors.push(format!("GOAUTH={shown}: {err}")),
                    }
                }
            }
        }
        errors
    }

    /// Runs a program (blocking, on a thread of its own) bounded by `timeout`.
    async fn run(
        &self,
        program: String,
        dir: Option<String>,
        args: Vec<String>,
        input: Vec<u8>,
        timeout: Duration,
    ) -> Result<(Vec<u8>, Vec<u8>), crate::git::run::RunError> {
        let mut runner = self.runner.clone();
        runner.timeout = timeout;
        tokio::task::spawn_blocking(move || {
            let dir = dir.unwrap_or_else(|| ".".to_string());
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            runner.run_input(&program, Path::new(&dir), &args, &input)
        })
        .await
        .unwrap_or_else(|_| {
            Err(crate::git::run::RunError {
                argv: Vec::new(),
                dir: String::new(),
                failure: Failure::Start("the command's thread failed".to_string()),
                stderr: String::new(),
                help: None,
            })
        })
    }

    /// go's `runGitAuth` without its HEAD request and `git credential approve/reject`.
    async fn git_fill(
        &self,
        dir: &str,
        url: &str,
        timeout: Duration,
    ) -> Result<(String, Stored), String> {
        let args = vec!["credential".to_string(), "fill".to_string()];
        let input = format!("url={url}\n").into_bytes();
        let out = match self
            .run("git".into(), Some(dir.into()), args, input, timeout)
            .await
        {
            Ok((mut stdout, stderr)) => {
                stdout.extend_from_slice(&stderr);
                stdout
            }
            Err(err) => {
                return Err(format!(
                    "'git credential fill' failed (url={}): {}{}",
                    crate::record::redact_url(url),
                    failure_text("git", &err.failure),
                    last_line(&err.stderr)
                ));
            }
        };
        let (prefix, username, password) = parse_git_fill(&String::from_utf8_lossy(&out));
        crate::redact::register_login(&username, &password);
        if prefix.is_empty() {
            return Err(format!(
                "'git credential fill' failed for url={}, could not parse url",
                crate::record::redact_url(url)
            ));
        }
        if !url.starts_with(&prefix) {
            return Err(format!(
                "requested a credential for {}, but 'git credential fill' provided one for {}",
                crate::record::redact_url(url),
                crate::record::redact_url(&prefix)
            ));
        }
        let stored = Stored {
            headers: vec![("Authorization".to_string(), basic(&username, &password))],
            provider: "git",
            login: Some(username),
        };
        Ok((prefix, stored))
    }

    /// go's `runAuthCommand`: the command split by `quoted.Split`, the URL appended
    /// after a failure, the response head on its input; standard output parsed by
    /// [`parse_command_output`].
    async fn run_command(
        &self,
        command: &str,
        url: Option<&str>,
        head: Option<&str>,
        timeout: Duration,
    ) -> Result<Vec<(String, Stored)>, String> {
        let shown = redacted(command);
        let mut words = crate::goflags::split(command)
            .map_err(|e| format!("cannot parse GOAUTH command {shown}: {e}"))?;
        if words.is_empty() {
            return Ok(Vec::new());
        }
        let program = words.remove(0);
        if let Some(url) = url {
            words.push(url.to_string());
        }
        let input = head.unwrap_or("").as_bytes().to_vec();
        let (stdout, _) = self
            .run(program.clone(), None, words, input, timeout)
            .await
            .map_err(|err| {
                format!(
                    "could not run command {shown}: {}{}",
                    failure_text(&program, &err.failure),
                    last_line(&err.stderr)
                )
            })?;
        let sets = parse_command_output(&String::from_utf8_lossy(&stdout))
            .map_err(|e| format!("cannot parse output of GOAUTH command {shown}: {e}"))?;
        Ok(sets
            .into_iter()
            .map(|(prefix, headers)| {
                for (_, value) in &headers {
                    register_header_value(value);
                }
                let login = headers
                    .iter()
                    .find(|(name, _)| name == "Authorization")
                    .and_then(|(_, value)| basic_login(value));
                let stored = Stored {
                    headers,
                    provider: "command",
                    login,
                };
                (prefix, stored)
            })
            .collect())
    }

    /// Why no credentials went with an https request for `url` although netrc has an
    /// entry for its host: the port decides since go1.24 (`machine host` is not sent
    /// to `https://host:8443/`), and go1.23 and older compare the host name only
    /// (`machine host:8443` is never sent). None when no entry is for this host.
    pub fn unsent_netrc_note(&self, url: &Url) -> Option<String> {
        let entries = self.netrc.as_deref()?;
        if url.scheme != "https" {
            return None;
        }
        let host = url.hostname();
        let with_port = url.host.trim_end_matches(':');
        // An entry for the same host name whose port (or, for go1.23 and older, any
        // port or path at all) keeps it from the request.
        let entry = entries.iter().find(|e| {
            let machine = netrc::credential_key(&e.machine);
            let machine_host = machine.split('/').next().unwrap_or("");
            let same_name = machine_host == host || hostname_of(machine_host) == host;
            match self.netrc_mode {
                NetrcMode::Newest => same_name && machine_host != with_port,
                NetrcMode::Go119 => same_name && e.machine != host,
            }
        })?;
        let release = &self.release;
        Some(match self.netrc_mode {
            NetrcMode::Newest => format!(
                "the netrc entry `machine {}` (login {}) is for this host but was not sent: {release} matches netrc machines as URL prefixes, in which the port counts, and the request went to {with_port}; go1.23 and older matched the host name alone (go#37130); write `machine {with_port}` for it",
                entry.machine, entry.login
            ),
            NetrcMode::Go119 => format!(
                "the netrc entry `machine {}` (login {}) was not sent: {release} compares netrc machines with the host name ({host}) alone, without port or path; go1.24 and later match them as URL prefixes; write `machine {host}` for it",
                entry.machine, entry.login
            ),
        })
    }
}

/// The host name of `host[:port]` (IPv6 brackets removed).
fn hostname_of(host_port: &str) -> &str {
    if let Some(rest) = host_port.strip_prefix('[') {
        return rest.split(']').next().unwrap_or("");
    }
    host_port.split(':').next().unwrap_or("")
}

/// `Basic base64(user:password)`, Go's `SetBasicAuth`.
pub fn basic(user: &str, password: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
    )
}

/// The user of a `Basic` header value, when it decodes.
fn basic_login(value: &str) -> Option<String> {
    let (scheme, token) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(token.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    Some(
        text.split_once(':')
            .map_or(text.clone(), |(u, _)| u.to_string()),
    )
}

/// A header value a command printed is a secret, and so is its token after the scheme
/// word (`Bearer TOKEN`), and a Basic header's password.
fn register_header_value(value: &str) {
    crate::redact::register_secret(value);
    if let Some((_, token)) = value.split_once(' ') {
        crate::redact::register_secret(token.trim());
        if let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(token.trim())
            && let Ok(text) = String::from_utf8(decoded)
            && let Some((user, password)) = text.split_once(':')
        {
            crate::redact::register_login(user, password);
        }
    }
}

/// Go's words for a failed command (`exec.Cmd` errors), where the go command would
/// wait for ever ours.
fn failure_text(program: &str, failure: &Failure) -> String {
    match failure {
        Failure::NotFound if program.contains('/') => {
            format!("fork/exec {program}: no such file or directory")
        }
        Failure::NotFound => format!("exec: {program:?}: executable file not found in $PATH"),
        other => other.to_string(),
    }
}

/// `\n` and the last line of a command's standard error (escaped, limited,
/// credentials replaced), or nothing.
fn last_line(stderr: &str) -> String {
    stderr
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .map(|l| {
            format!(
                "\n{}",
                crate::record::untrusted(&crate::redact::scrub(l), 300)
            )
        })
        .unwrap_or_default()
}

/// go's `parseGitAuth`: the prefix (`protocol://host/path`, or the `url=` line when it
/// parses), the username and the password of `git credential fill`'s output.
pub fn parse_git_fill(out: &str) -> (String, String, String) {
    let mut prefix = Url::default();
    let (mut username, mut password) = (String::new(), String::new());
    for line in out.split('\n') {
        let Some((key, value)) = line.trim().split_once('=') else {
            continue;
        };
        match key {
            "protocol" => prefix.scheme = value.to_string(),
            "host" => prefix.host = value.to_string(),
            "path" => prefix.path = value.to_string(),
            "username" => username = value.to_string(),
            "password" => password = value.to_string(),
            "url" => {
                if let Ok(u) = gourl::parse_request_uri(value) {
                    prefix = u;
                }
            }
            _ => {}
        }
    }
    (prefix.to_string(), username, password)
}

/// Header names and values, in order.
pub type Headers = Vec<(String, String)>;

/// go's `parseUserAuth`: blocks of URL lines, a blank line, header lines, a blank line.
/// Returns (prefix without `https://`, headers) in order; Go's error words.
pub fn parse_command_output(data: &str) -> Result<Vec<(String, Headers)>, String> {
    let mut sets = Vec::new();
    let mut rest = data;
    let next_line = |rest: &mut &str| -> Option<String> {
        let (line, after) = rest.split_once('\n')?;
        *rest = after;
        Some(line.to_string())
    };
    while !rest.is_empty() {
        let mut urls = Vec::new();
        loop {
            let line = next_line(&mut rest)
                .ok_or("invalid format: missing empty line after URLs".to_string())?;
            if line.is_empty() {
                break;
            }
            let url = gourl::parse_request_uri(&line)
                .map_err(|e| format!("could not parse URL {line}: {e}"))?;
            urls.push(url.to_string());
        }
        let mut headers = Vec::new();
        loop {
            let line = next_line(&mut rest)
                .ok_or("invalid format: missing empty line after headers".to_string())?;
            if line.is_empty() {
                break;
            }
            let (name, value) = line.split_once(": ").unwrap_or((&line, ""));
            let value = value.trim_matches([' ', '\t', '\n', '\r', '\x0b', '\x0c']);
            if !line.contains(": ") || !valid_header_name(name) || !valid_header_value(value) {
                return Err("invalid format: invalid header line".to_string());
            }
            headers.push((canonical_header_key(name), value.to_string()));
        }
        for url in urls {
            let prefix = url.strip_prefix("https://").unwrap_or(&url).to_string();
            sets.retain(|(p, _): &(String, _)| *p != prefix);
            sets.push((prefix, headers.clone()));
        }
    }
    Ok(sets)
}

/// RFC 7230 token characters, Go's `validHeaderFieldName`.
fn valid_header_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// Go's `validHeaderFieldValue`: no control characters but space and tab.
fn valid_header_value(value: &str) -> bool {
    value
        .bytes()
        .all(|b| !(b < b' ' || b == 0x7f) || b == b' ' || b == b'\t')
}

/// Go's `CanonicalMIMEHeaderKey` for a valid name: upper case at the start and after
/// each `-`, lower case elsewhere.
pub fn canonical_header_key(name: &str) -> String {
    let mut upper = true;
    name.chars()
        .map(|c| {
            let out = if upper {
                c.to_ascii_uppercase()
            } else {
                c.to_ascii_lowercase()
            };
            upper = c == '-';
            out
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stat(path: &Path) -> Result<bool, String> {
        match path.to_str() {
            Some("/dir") => Ok(true),
            Some("/file") => Ok(false),
            _ => Err(format!(
                "stat {}: no such file or directory",
                path.display()
            )),
        }
    }

    /// Texts and order confirmed with go1.27.3 (`go mod download` against an https
    /// GOPROXY).
    #[test]
    fn parse_reports_what_go_reports() {
        let invalid = |s: &str| Spec::Invalid(s.to_string());
        let cases = [
            ("off", Spec::Off),
            (" off ", Spec::Off),
            ("off x", Spec::Off),
            ("netrc", Spec::Methods(vec![Method::Netrc])),
            (
                "netrc; git /dir ;mycmd  --token=abc",
                Spec::Methods(vec![
                    Method::Netrc,
                    Method::Git("/dir".into()),
                    Method::Command("mycmd  --token=abc".into()),
                ]),
            ),
            (
                "off;",
                invalid("go: GOAUTH encountered an empty command (GOAUTH=off;)"),
            ),
            (
                "netrc;;",
                invalid("go: GOAUTH encountered an empty command (GOAUTH=netrc;;)"),
            ),
            (
                "netrc;off",
                invalid(
                    "go: GOAUTH=off cannot be combined with other authentication commands (GOAUTH=netrc;off)",
                ),
            ),
            (
                "off;netrc",
                invalid(
                    "go: GOAUTH=off cannot be combined with other authentication commands (GOAUTH=off;netrc)",
                ),
            ),
            (
                "git",
                invalid(
                    "go: GOAUTH=git dir method requires an absolute path to the git working directory",
                ),
            ),
            (
                "git /dir a",
                invalid(
                    "go: GOAUTH=git dir method requires an absolute path to the git working directory",
                ),
            ),
            (
                "git rel",
                invalid(
                    "go: GOAUTH=git dir method requires an absolute path to the git working directory, dir is not absolute",
                ),
            ),
            (
                "git /nonexist",
                invalid(
                    "go: GOAUTH=git encountered an error; cannot stat /nonexist: stat /nonexist: no such file or directory",
                ),
            ),
            (
                "git /file",
                invalid(
                    "go: GOAUTH=git dir method requires an absolute path to the git working directory, dir is not a directory",
                ),
            ),
            // Reverse order: the last problem in the list is the one reported.
            (
                "git rel;;",
                invalid("go: GOAUTH encountered an empty command (GOAUTH=git rel;;)"),
            ),
            (
                "netrc; git rel",
                invalid(
                    "go: GOAUTH=git dir method requires an absolute path to the git working directory, dir is not absolute",
                ),
            ),
            // A command's arguments may be a token: never shown.
            (
                "mycmd --token=abc;",
                invalid("go: GOAUTH encountered an empty command (GOAUTH=mycmd ***;)"),
            ),
        ];
        for (value, want) in cases {
            assert_eq!(parse(value, stat), want, "GOAUTH={value:?}");
        }
    }

    #[test]
    fn command_output_parses_as_go_parses_it() {
        let out = "https://example.com\nhttps://example.net/api/\n\nAuthorization: Basic dG9rZW4=\nx-extra:   v  \n\nhttps://another-example.org/\n\nExample: Data\n\n";
        let sets = parse_command_output(out).unwrap();
        assert_eq!(
            sets,
            vec![
                (
                    "example.com".to_string(),
                    vec![
                        ("Authorization".to_string(), "Basic dG9rZW4=".to_string()),
                        ("X-Extra".to_string(), "v".to_string())
                    ]
                ),
                (
                    "example.net/api/".to_string(),
                    vec![
                        ("Authorization".to_string(), "Basic dG9rZW4=".to_string()),
                        ("X-Extra".to_string(), "v".to_string())
                    ]
                ),
                (
                    "another-example.org/".to_string(),
                    vec![("Example".to_string(), "Data".to_string())]
                ),
            ]
        );
        assert_eq!(parse_command_output("").unwrap(), vec![]);
        let errors = [
            ("https://a", "invalid format: missing empty line after URLs"),
            (
                "https://a\n\nX: y\n",
                "invalid format: missing empty line after headers",
            ),
            (
                "https://a\n\nX y\n\n",
                "invalid format: invalid header line",
            ),
            (
                "https://a\n\nX:y\n\n",
                "invalid format: invalid header line",
            ),
            (
                "https://a\n\nX Y: y\n\n",
                "invalid format: invalid header line",
            ),
            (
                "a b\n\n",
                "could not parse URL a b: parse \"a b\": invalid URI for request",
            ),
        ];
        for (out, want) in errors {
            assert_eq!(parse_command_output(out).unwrap_err(), want, "{out:?}");
        }
    }

    #[test]
    fn git_fill_output_parses_as_go_parses_it() {
        let (prefix, user, password) =
            parse_git_fill("protocol=https\nhost=127.0.0.1:8443\nusername=bob\npassword=pw\n");
        assert_eq!(
            (prefix.as_str(), user.as_str(), password.as_str()),
            ("https://127.0.0.1:8443", "bob", "pw")
        );
        let (prefix, ..) = parse_git_fill("protocol=https\nhost=h\npath=a/b\nurl=%zz\n");
        assert_eq!(prefix, "https://h/a/b");
        let (prefix, ..) = parse_git_fill("url=https://h/x\nprotocol=https\n");
        assert_eq!(prefix, "https://h/x");
        assert_eq!(parse_git_fill("username=u\n").0, "");
    }

    #[test]
    fn unsent_netrc_entries_are_named_only_when_the_port_kept_them() {
        let note = |mode: NetrcMode, minor: u32, netrc_text: &str, url: &str| {
            let entries = std::sync::Arc::new(netrc::parse(netrc_text));
            let auth = GoAuth::new(
                Spec::Methods(vec![Method::Netrc]),
                Some(entries),
                mode,
                Some(minor),
                &crate::goenv::Environment::default(),
            );
            auth.unsent_netrc_note(&gourl::parse(url).unwrap())
        };
        let newest = note(
            NetrcMode::Newest,
            27,
            "machine 127.0.0.1 login u password p",
            "https://127.0.0.1:8443/x",
        )
        .unwrap();
        assert!(
            newest.contains("`machine 127.0.0.1` (login u)")
                && newest.contains("go1.27 matches")
                && newest.contains("write `machine 127.0.0.1:8443`")
                && !newest.contains(" p "),
            "{newest}"
        );
        // Same host and port, another path: not the port's doing.
        assert_eq!(
            note(
                NetrcMode::Newest,
                27,
                "machine 127.0.0.1:8443/other login u password p",
                "https://127.0.0.1:8443/x",
            ),
            None
        );
        // An entry with a port is never sent by go1.19.
        let old = note(
            NetrcMode::Go119,
            19,
            "machine 127.0.0.1:8443 login u password p",
            "https://127.0.0.1:8443/x",
        )
        .unwrap();
        assert!(old.contains("write `machine 127.0.0.1`"), "{old}");
        assert_eq!(
            note(
                NetrcMode::Newest,
                27,
                "machine other.example login u password p",
                "https://127.0.0.1:8443/x",
            ),
            None
        );
    }

    #[test]
    fn basic_logins_decode() {
        assert_eq!(basic_login(&basic("alice", "pw")).as_deref(), Some("alice"));
        assert_eq!(basic_login("Bearer abc"), None);
    }
}
