//! Reading the go command's own failure output (`go mod tidy 2>&1 | gomod-doctor`):
//! every failing module, version, URL, host and failure class, in go1.27's and go1.19's
//! wordings, and the `go_error` lines the five tools write (the same words).
//!
//! The go command writes one error per line, `go: M@V: ...` or `go: module M: ...`,
//! sometimes followed by lines indented with a tab that belong to it (`\tserver
//! response: ...`, git's and ssh's own lines, the `imports` chain of `go mod tidy`), and
//! for a checksum mismatch a `SECURITY ERROR` paragraph. Progress lines (`go:
//! downloading M V`, `go: finding module for package P`, `-x` traces, `GODEBUG`
//! resolver traces) are kept apart. A block that names no module and matches no known
//! failure is kept, word for word, in [`GoOutput::unplaced`]: nothing is dropped.

use std::sync::OnceLock;

use regex::Regex;
use serde::Serialize;

use crate::record::{Code, untrusted, untrusted_lines};

/// Longest text kept for one failure or one unplaced line.
const MAX_TEXT: usize = 2000;
/// Most blocks read (go's output for a large go.mod can be long; the rest is counted).
const MAX_BLOCKS: usize = 1000;

/// What go's output says.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct GoOutput {
    /// Every failure found, in the order go printed them.
    pub failures: Vec<GoFailure>,
    /// `M V` of every `go: downloading M V` line (ignored for the verdict, kept).
    pub downloading: Vec<String>,
    /// Other progress lines go prints on the way (`go: finding module for package
    /// P`, `go: found P in M V`, `-x` and `GODEBUG` traces): kept, not failures.
    pub progress: Vec<String>,
    /// Lines that are neither a failure this parser can place nor progress: kept as
    /// they were (escaped, cut to 2000 bytes each).
    pub unplaced: Vec<String>,
    /// Blocks past the first 1000, not read.
    pub not_read: usize,
}

/// One failure go reported.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct GoFailure {
    /// The module that failed, when the line names one.
    pub module: Option<String>,
    /// Its version or query (`v1.2.3`, `latest`), when named.
    pub version: Option<String>,
    /// The URL go was asking (credentials redacted), when named.
    pub url: Option<String>,
    /// The host that failed: the URL's, or the name a lookup was for.
    pub host: Option<String>,
    /// The address go dialled when the line names one (`dial tcp ADDR: ...`; for
    /// `proxyconnect tcp:` the HTTP proxy's).
    pub addr: Option<String>,
    /// The failure class: an error code of gomod-tools(7) (`dns_nxdomain`,
    /// `tls_unknown_authority`, `http_gone`...) or one of the classes only go's output
    /// shows (`vcs_auth_required`, `ssh_auth_failed`, `ssh_host_key_failed`,
    /// `vcs_repo_not_found`, `vcs_tool_missing`, `toolchain_unavailable`,
    /// `toolchain_too_old`, `network_disabled`), or `unknown`.
    pub class: &'static str,
    /// The error's lines as go printed them (escaped, at most 2000 bytes).
    pub text: String,
}

impl GoFailure {
    /// The class as an error code, when it is one.
    pub fn code(&self) -> Option<Code> {
        Code::ALL.iter().copied().find(|c| c.as_str() == self.class)
    }
}

/// Classes go's output can show that have no error code of their own.
pub const EXTRA_CLASSES: &[&str] = &[
    "vcs_auth_required",
    "ssh_auth_failed",
    "ssh_host_key_failed",
    "vcs_repo_not_found",
    "vcs_tool_missing",
    "toolchain_unavailable",
    "toolchain_too_old",
    "network_disabled",
    "unknown",
];

/// The lines of the SECURITY ERROR paragraph that follow a checksum mismatch.
const SECURITY_LINES: &[&str] = &[
    "SECURITY ERROR",
    "SECURITY WARNING",
    "This download does NOT match an earlier download recorded in go.sum.",
    "This download does NOT match the one reported by the checksum server.",
    "This download is listed in go.sum, but using an unknown hash algorithm.",
    "The download cannot be verified.",
    "The bits may have been replaced on the origin server, or an attacker may",
    "have intercepted the download attempt.",
    "For more information, see 'go help module-auth'.",
    "go.sum database server misbehavior detected!",
];

/// Parses go's standard error (and output: `2>&1`).
pub fn parse(text: &str) -> GoOutput {
    let mut out = GoOutput::default();
    let mut blocks: Vec<Vec<String>> = Vec::new();
    for raw in text.lines() {
        let line = strip_ansi(raw.trim_end_matches('\r'));
        let continuation = line.starts_with('\t') || line.starts_with("    ");
        let security = SECURITY_LINES.contains(&line.trim());
        if line.trim().is_empty() {
            continue;
        }
        match blocks.last_mut() {
            Some(block) if continuation || security => block.push(line),
            _ => blocks.push(vec![line]),
        }
    }
    for (i, block) in blocks.into_iter().enumerate() {
        if i >= MAX_BLOCKS {
            out.not_read += 1;
            continue;
        }
        read_block(&block, &mut out);
    }
    out
}

/// Removes terminal colour sequences (`ESC [ ... m`) that a coloured log may carry.
fn strip_ansi(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\x1b' && chars.peek() == Some(&'[') {
            chars.next();
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
            continue;
        }
        out.push(c);
    }
    out
}

fn regex(cell: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
    cell.get_or_init(|| Regex::new(pattern).expect("a valid pattern"))
}

fn read_block(block: &[String], out: &mut GoOutput) {
    let first = block[0].trim();
    if block.len() == 1 {
        if let Some(rest) = first.strip_prefix("go: downloading ") {
            out.downloading.push(untrusted(rest, MAX_TEXT));
            return;
        }
        if is_progress(first) {
            out.progress.push(untrusted(first, MAX_TEXT));
            return;
        }
    }
    let whole = block.join("\n");
    let class = classify(&whole);
    let (module, version) = module_of(&whole);
    if class == "unknown" && module.is_none() {
        out.unplaced.push(untrusted_lines(&whole, MAX_TEXT));
        return;
    }
    let url = url_of(&whole);
    let addr = addr_of(&whole);
    // Behind `proxyconnect tcp:` the lookup or dial is the HTTP proxy's; the host is
    // still the one go was asking for.
    let lookup = if whole.contains("proxyconnect tcp:") {
        None
    } else {
        lookup_host(&whole)
    };
    let host = lookup.or_else(|| url.as_deref().and_then(host_of_url));
    out.failures.push(GoFailure {
        module,
        version,
        url: url.map(|u| crate::record::redact_url(&u)),
        host,
        addr,
        class,
        text: crate::record::scrub_credentials(&untrusted_lines(&whole, MAX_TEXT)),
    });
}

/// Lines go prints on the way that are not failures.
fn is_progress(line: &str) -> bool {
    line.starts_with("go: finding module for package ")
        || line.starts_with("go: found ")
        || line.starts_with("go: extracting ")
        || line.starts_with("go: upgraded ")
        || line.starts_with("go: added ")
        || line.starts_with("go: downgraded ")
        || line.starts_with("go: to add module requirements and sums:")
        || line.starts_with("go package net: ")
        || line.starts_with("# get ")
        || line.starts_with("# ")
        || line.starts_with("-> ")
}

/// The innermost module (and version) the block names: `M@V: `, `module M: `,
/// `verifying M@V: `, `M@V/go.mod: ` or `M@V/FILE: ` (a file of its zip).
fn module_of(text: &str) -> (Option<String>, Option<String>) {
    if let Some((module, version)) = malformed_module_of(text) {
        return (Some(module), version);
    }
    static VERSIONED: OnceLock<Regex> = OnceLock::new();
    static MODULE: OnceLock<Regex> = OnceLock::new();
    let versioned = regex(
        &VERSIONED,
        // `M@V: ...`, or gover's `M@V requires go >= X (...)`.
        r#"(?:^|[ \t\n"])([A-Za-z0-9][A-Za-z0-9._~/+!-]*)@([A-Za-z0-9][A-Za-z0-9._+~<>=!-]*)(?:/[^ \t\n:"]+)?(?::(?:[ \t\n]|$)| requires go >= )"#,
    );
    let module = regex(
        &MODULE,
        r#"(?:^|[ \t\n])module ([A-Za-z0-9][A-Za-z0-9._~/+!-]*): "#,
    );
    let at = versioned.captures(text).and_then(|c| {
        let (m, v) = (c.get(1)?, c.get(2)?);
        // `go: download go1.99.0 for linux/amd64` names a toolchain, not a module;
        // URLs (`https://host/m@v1`) are not module names either.
        (m.as_str().contains('.') || m.as_str().contains('/'))
            .then(|| (m.start(), m.as_str().to_string(), v.as_str().to_string()))
    });
    let bare = module
        .captures(text)
        .and_then(|c| c.get(1))
        .map(|m| (m.start(), m.as_str().to_string()));
    match (at, bare) {
        (Some((i, m, v)), Some((j, b))) if j < i => {
            if b == m {
                (Some(m), Some(v))
            } else {
                (Some(b), None)
            }
        }
        (Some((_, m, v)), _) => (Some(m), Some(v)),
        (None, Some((_, b))) => (Some(b), None),
        (None, None) => match zip_module_of(text) {
            Some((m, v)) => (Some(m), Some(v)),
            None => (package_of(text), None),
        },
    }
}

/// `M` (and `V`) of `M@V: malformed module path "M": ...`: a path with a space in it
/// is still the module the line is about.
fn malformed_module_of(text: &str) -> Option<(String, Option<String>)> {
    let rest = text.split("malformed module path \"").nth(1)?;
    let (module, _) = rest.split_once('"')?;
    let version = text
        .split(&format!("{module}@"))
        .nth(1)
        .and_then(|v| v.split_once(':'))
        .map(|(v, _)| v.to_string())
        .filter(|v| !v.is_empty() && !v.contains(char::is_whitespace));
    (!module.is_empty()).then(|| (module.to_string(), version))
}

/// `M` and `V` of `zip for M@V has unexpected file ...` (the zip holds another module).
fn zip_module_of(text: &str) -> Option<(String, String)> {
    let rest = text.split("zip for ").nth(1)?;
    let (mv, _) = rest.split_once(" has unexpected file ")?;
    let (m, v) = mv.split_once('@')?;
    (!m.is_empty() && !v.is_empty() && !mv.contains(char::is_whitespace))
        .then(|| (m.to_string(), v.to_string()))
}

/// The package `go mod tidy` could not find a module for: the path to look up.
fn package_of(text: &str) -> Option<String> {
    let rest = text.split("cannot find module providing package ").nth(1)?;
    let package: String = rest
        .chars()
        .take_while(|c| !c.is_whitespace() && *c != ':')
        .collect();
    (!package.is_empty()).then_some(package)
}

/// The first URL the block names (the request that failed), without a trailing `:`.
fn url_of(text: &str) -> Option<String> {
    static URL: OnceLock<Regex> = OnceLock::new();
    let url = regex(&URL, r#"(?:https?|file)://[^ \t\n"'<>]+"#);
    url.find(text).map(|m| {
        m.as_str()
            .trim_end_matches([':', ',', ')', '.'])
            .to_string()
    })
}

/// `host` of a URL (no port, no brackets).
fn host_of_url(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    if scheme == "file" {
        return None;
    }
    let authority = rest.split(['/', '?', '#']).next()?;
    let authority = authority.rsplit('@').next()?;
    let host = if let Some(v6) = authority.strip_prefix('[') {
        v6.split(']').next()?
    } else {
        authority.split(':').next()?
    };
    (!host.is_empty()).then(|| host.to_ascii_lowercase())
}

/// The name of a failed lookup: `lookup NAME on SERVER: ...` or `lookup NAME: ...`.
fn lookup_host(text: &str) -> Option<String> {
    static LOOKUP: OnceLock<Regex> = OnceLock::new();
    let lookup = regex(
        &LOOKUP,
        r"dial tcp: lookup ([^ \t\n:]+)(?: on [^ \t\n]+)?: ",
    );
    lookup
        .captures(text)
        .and_then(|c| c.get(1))
        .map(|m| m.as_str().trim_end_matches('.').to_ascii_lowercase())
}

/// The address of `dial tcp ADDR: ...`.
fn addr_of(text: &str) -> Option<String> {
    static DIAL: OnceLock<Regex> = OnceLock::new();
    let dial = regex(&DIAL, r"dial tcp (\[[^\]]+\]:[0-9]+|[^ \t\n:\[]+:[0-9]+): ");
    dial.captures(text)
        .and_then(|c| c.get(1))
        .map(|m| m.as_str().to_string())
}

/// The failure class of one block: the most specific rule that matches.
fn classify(text: &str) -> &'static str {
    static STATUS: OnceLock<Regex> = OnceLock::new();
    let status = regex(&STATUS, r"(?:https?|file)://[^ \t\n]+: ([0-9]{3}) [A-Za-z]");
    let has = |needle: &str| text.contains(needle);
    // Configuration first: nothing was asked of the network.
    if has("module lookup disabled by GOPROXY=off") {
        return "goproxy_off";
    }
    if has("GOPROXY list is not the empty string, but contains no entries") {
        return "goproxy_empty";
    }
    if has("invalid proxy URL scheme") || has("invalid GOPROXY") {
        return "goproxy_invalid";
    }
    if has("invalid GOSUMDB") {
        return "gosumdb_invalid";
    }
    if has("missing GOSUMDB") {
        return "gosumdb_missing";
    }
    if has("-insecure flag is no longer supported") {
        return "goflags_insecure";
    }
    if has("parsing $GOFLAGS") {
        return "goflags_invalid";
    }
    if has("invalid GOVCS") || has("malformed entry in GOVCS") {
        return "govcs_invalid";
    }
    if has("network disabled by cmdgonetlimit") {
        return "network_disabled";
    }
    if has("toolchain not available") {
        return "toolchain_unavailable";
    }
    // GOTOOLCHAIN=auto (or path) found no newer toolchain for a module that needs one.
    if has("switching to go >= ") {
        return "toolchain_unavailable";
    }
    // A go line too new where GOTOOLCHAIN forbids switching: `local`, or a toolchain
    // name without +auto or +path.
    if has("requires go >= ")
        && (has("GOTOOLCHAIN=local")
            || (has("; GOTOOLCHAIN=go1") && !has("+auto") && !has("+path")))
    {
        return "toolchain_too_old";
    }
    // Checksums.
    if has("checksum mismatch") {
        return if has("\n\tgo.sum:") || has("go.sum database") {
            "gosum_mismatch"
        } else {
            "sumdb_mismatch"
        };
    }
    if has("go.sum database server misbehavior detected") {
        return "sumdb_fork";
    }
    if has("missing go.sum entry") {
        return "gosum_missing";
    }
    // Input.
    if has("malformed module path") {
        return "module_path_invalid";
    }
    if has("GOVCS disallows using") {
        return "vcs_disallowed";
    }
    // Version control: git's and ssh's own lines, relayed by go.
    if has("could not read Username") || has("could not read Password") {
        return "vcs_auth_required";
    }
    if has("Permission denied (publickey") {
        return "ssh_auth_failed";
    }
    if has("Host key verification failed") {
        return "ssh_host_key_failed";
    }
    if has("executable file not found in $PATH") {
        return "vcs_tool_missing";
    }
    // The network, from the bottom up.
    if has("proxyconnect tcp:") {
        return "proxy_unreachable";
    }
    if has("dial tcp: lookup ") || has(": lookup ") {
        if has("no such host") {
            return "dns_nxdomain";
        }
        if has("server misbehaving") {
            return "dns_servfail";
        }
        if has("i/o timeout") {
            return "dns_timeout";
        }
        if has("no answer from DNS server") || has("lame referral") {
            return "dns_lame_referral";
        }
        if has("no suitable address") {
            return "dns_no_records";
        }
        return "dns_failed";
    }
    if has("connect: connection refused") {
        return "tcp_refused";
    }
    if has("connect: no route to host") || has("connect: network is unreachable") {
        return "tcp_unreachable";
    }
    if has("dial tcp ") && (has("i/o timeout") || has("connection timed out")) {
        return "tcp_timeout";
    }
    if has(": Proxy Authentication Required") {
        return "proxy_auth_required";
    }
    if has("x509: certificate signed by unknown authority") {
        return "tls_unknown_authority";
    }
    if has("x509: certificate has expired or is not yet valid") {
        return if has("is before") {
            "tls_not_yet_valid"
        } else {
            "tls_expired"
        };
    }
    if has("x509: certificate is valid for")
        || has("because it doesn't contain any IP SANs")
        || has("x509: certificate is not valid for any names")
    {
        return "tls_name_mismatch";
    }
    if has("net/http: TLS handshake timeout") {
        return "tls_timeout";
    }
    if has("tls: protocol version not supported") {
        return "tls_protocol_version";
    }
    if has("server gave HTTP response to HTTPS client")
        || has("first record does not look like a TLS handshake")
    {
        return "tls_not_tls";
    }
    if has("remote error: tls:") || has("tls: ") {
        return "tls_handshake_failed";
    }
    if has("redirected from secure URL") {
        return "http_insecure_redirect";
    }
    if has("stopped after 10 redirects") {
        return "http_too_many_redirects";
    }
    if has("connection reset by peer") || has("unexpected EOF") || has(": EOF") {
        return "tcp_reset";
    }
    if let Some(code) = status.captures(text).and_then(|c| c.get(1)) {
        let sumdb = has("/lookup/") || has("/sumdb/");
        return match code.as_str() {
            "404" | "410" if sumdb => "sumdb_not_found",
            "404" => "http_not_found",
            "410" => "http_gone",
            "401" => "http_unauthorized",
            "403" => "http_forbidden",
            c if c.starts_with('5') => "http_server_error",
            _ => "http_status",
        };
    }
    if has(": Forbidden") {
        return "proxy_refused";
    }
    if has("invalid response from proxy") || has("proxy returned info for version") {
        return "http_invalid_response";
    }
    // `unzip DIR/v2.0.0.zip: M@v2.0.0: invalid version: should be v0 or v1, not v2`:
    // the version is wrong for the path, the zip itself is fine.
    if has("unzip ") && has(": invalid version: ") {
        return "version_invalid";
    }
    if has("zip: not a valid zip file")
        || has("unzip ")
        || has("zip: ")
        || (has("zip for ") && has(" has unexpected file "))
    {
        return "zip_invalid";
    }
    if has("no go-import meta tags") || has("unrecognized import path") {
        return "vcs_meta_not_found";
    }
    if has("git ls-remote") || (has("repository") && has("not found")) {
        return "vcs_repo_not_found";
    }
    if has("invalid version: unknown revision")
        || has("no matching versions for query")
        || has("invalid version:")
        || has("invalid pseudo-version")
    {
        return "version_invalid";
    }
    if has("no such file or directory") && has("file://") {
        return "http_not_found";
    }
    "unknown"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_status_line_with_its_server_response() {
        let out = parse(
            "go: example.com/m@v1.0.0: reading http://127.0.0.1:8080/proxy/example.com/m/@v/v1.0.0.info: 410 Gone\n\tserver response: not found\n",
        );
        assert_eq!(out.failures.len(), 1, "{out:?}");
        let f = &out.failures[0];
        assert_eq!(f.module.as_deref(), Some("example.com/m"));
        assert_eq!(f.version.as_deref(), Some("v1.0.0"));
        assert_eq!(f.host.as_deref(), Some("127.0.0.1"));
        assert_eq!(f.class, "http_gone");
        assert!(f.text.contains("server response"), "{}", f.text);
        assert!(out.unplaced.is_empty());
    }

    #[test]
    fn lines_it_cannot_place_are_kept() {
        let out = parse("go: downloading example.com/a v1.0.0\nsomething else entirely\n");
        assert_eq!(out.downloading, ["example.com/a v1.0.0"]);
        assert_eq!(out.unplaced, ["something else entirely"]);
        assert!(out.failures.is_empty());
    }

    #[test]
    fn credentials_and_control_characters_do_not_survive() {
        let out = parse(
            "go: example.com/m@v1.0.0: Get \"https://alice:s3cret@proxy.corp/x\": dial tcp 10.0.0.1:443: connect: connection refused\x1b[0m\n",
        );
        let f = &out.failures[0];
        assert_eq!(f.class, "tcp_refused");
        assert_eq!(f.url.as_deref(), Some("https://alice:***@proxy.corp/x"));
        assert!(!f.text.contains("s3cret"));
        assert_eq!(f.addr.as_deref(), Some("10.0.0.1:443"));
    }

    #[test]
    fn git_and_ssh_lines_go_relays() {
        let out = parse(
            "go: corp.example.com/lib@v1.2.0: invalid version: git ls-remote -q --end-of-options https://corp.example.com/lib.git in /tmp/x: exit status 128:\n\tfatal: could not read Username for 'https://corp.example.com': terminal prompts disabled\n",
        );
        assert_eq!(out.failures[0].class, "vcs_auth_required");
        assert_eq!(out.failures[0].host.as_deref(), Some("corp.example.com"));
        let out = parse(
            "go: corp.example.com/lib@v1.2.0: invalid version: git ls-remote -q --end-of-options ssh://git@corp.example.com/lib in /tmp/x: exit status 128:\n\tgit@corp.example.com: Permission denied (publickey).\n\tfatal: Could not read from remote repository.\n",
        );
        assert_eq!(out.failures[0].class, "ssh_auth_failed");
        let out = parse(
            "go: corp.example.com/lib@v1.2.0: invalid version: git ls-remote -q --end-of-options ssh://git@corp.example.com/lib in /tmp/x: exit status 128:\n\tHost key verification failed.\n\tfatal: Could not read from remote repository.\n",
        );
        assert_eq!(out.failures[0].class, "ssh_host_key_failed");
    }

    /// go1.27.3's own output (captured) for a module whose go line is too new.
    #[test]
    fn a_module_too_new_for_the_running_go() {
        let out = parse(
            "go: example.com/h@v1.0.0 requires go >= 1.99 (running go 1.27.3; GOTOOLCHAIN=go1.27.3)\n",
        );
        assert_eq!(out.failures[0].class, "toolchain_too_old");
        assert_eq!(out.failures[0].module.as_deref(), Some("example.com/h"));
        let out = parse(concat!(
            "go: example.com/h@v1.0.0 requires go >= 1.99 (running go 1.27.3)\n",
            "go: switching to go >= 1.99: module golang.org/toolchain: reading file:///tmp/p/golang.org/toolchain/@v/list: no such file or directory\n",
            "go: example.com/h@v1.0.0 requires go >= 1.99 (running go 1.27.3)\n",
        ));
        assert_eq!(out.failures.len(), 3, "{out:?}");
        assert_eq!(out.failures[1].class, "toolchain_unavailable");
        // Under GOTOOLCHAIN=auto the module's own line is not the cause.
        assert_ne!(out.failures[0].class, "toolchain_too_old");
    }

    #[test]
    fn every_class_is_a_code_or_named_as_an_extra_class() {
        for text in [
            "go: m.example/a@v1.0.0: reading https://sum.golang.org/lookup/m.example/a@v1.0.0: 404 Not Found",
            "go: example.com/m@v1.0.0: Get \"https://x.example/a\": remote error: tls: handshake failure",
        ] {
            let f = &parse(text).failures[0];
            assert!(
                f.code().is_some() || EXTRA_CLASSES.contains(&f.class),
                "{f:?}"
            );
        }
    }
}
