//! gomod-fetch's `go_error` next to go1.27's own words. gomod-fetch mirrors `go mod
//! download M@V` run outside a module (GOFLAGS=-modcacherw, GOSUMDB=off here): for
//! every failure below both run against the same loopback servers, and the record's
//! `go_error` must be exactly the error line go prints (its `-> unzip ...` note
//! before an extraction error left out), and its code the one in the table.
//!
//! The table of error forms (the `Case`s of [`cases`]):
//!
//! | failure                               | exact `M@v1.0.0`          | query (`@latest`, `@v1`) |
//! |---------------------------------------|---------------------------|--------------------------|
//! | 404 / 410 / 401 / 403 / 500           | `M@v1.0.0: reading URL: ` | `module M: reading URL: `|
//! | connection refused                    | `M@v1.0.0: Get "URL": `   | `module M: Get "URL": `  |
//! | TLS: unknown authority, no intermediate, handshake timeout | `M@v1.0.0: Get "URL": tls: ...` | `module M: Get ...` |
//! | a revision (`@master`)                | —                         | `M@master: invalid version: ` |
//! | no version matches (`@v9`)            | —                         | `module M: no matching versions for query "v9"` |
//! | no versions at all (`@latest`)        | —                         | `module M: no matching versions for query "latest"` |
//! | `.info` not JSON, another version     | `M@v1.0.0: invalid response from proxy ...` |         |
//! | `.mod` 404 after `.info`              | `M@v1.0.0: reading URL.mod: 404 Not Found`   |         |
//! | zip cut short (http and https)        | `M@v1.0.0: read "URL": unexpected EOF`       |         |
//! | zip not a zip, wrong prefix           | no module prefix: `zip: not a valid zip file` |        |
//! | zip breaking x/mod/zip's rules         | `unzip <GOMODCACHE>/cache/download/.../v1.0.0.zip: ...` | |
//! | malformed module path                 | `M@v1.0.0: malformed module path ...` | `M@latest: malformed ...` |
//! | GOPROXY=off                           | `M@v1.0.0: module lookup disabled by GOPROXY=off` | `M@latest: ...` |
//!
//! A server that accepts a request and never answers has no line: go waits for ever
//! and prints nothing, so the record says so in `message` and `go_error` is null
//! (`a_silent_server_has_no_go_error`).
//!
//! Skipped (with a note) without go1.27, unless GOMOD_REQUIRE_GO is set.

use std::path::Path;

use gomod_testsupport::goproxy::{Fault, GoProxy, RunningProxy, refused_port};
use std::sync::Arc;

use gomod_testsupport::{
    ConnectMode, ConnectProxy, Leaf, Response, Running, Server, TestCa, handler,
};

use crate::Sandbox;
use crate::interop::{go_command, go_sandbox, newest_go};
use crate::records::FetchRecord;

const M: &str = "example.com/m";
const GO_MOD: &[u8] = b"module example.com/m\n\ngo 1.21\n";

/// The module every proxy serves (unless a fault says otherwise).
fn proxy() -> GoProxy {
    GoProxy::new().module(M, "v1.0.0", &[("go.mod", GO_MOD), ("m.go", b"package m\n")])
}

fn ok_handler() -> gomod_testsupport::Handler {
    handler(|_| Response::text(200, "ok"))
}

/// A zip of module `module` at v1.0.0 holding `files`, as a fault's body.
fn zip_of(module: &str, files: &[(&str, &[u8])]) -> Fault {
    Fault::Body(gomod_testsupport::modzip::module_zip(
        module, "v1.0.0", files,
    ))
}

/// What keeps a case's servers running.
#[allow(dead_code)]
enum Keep {
    Proxy(RunningProxy),
    Server(Running),
    Nothing,
}

/// One failure: the servers, GOPROXY, the target, and what must come out.
pub struct Case {
    pub label: &'static str,
    pub target: String,
    goproxy: String,
    /// SSL_CERT_FILE's content (a CA bundle), when the case needs one.
    roots: Option<String>,
    /// HTTPS_PROXY, when the case goes through one.
    https_proxy: Option<String>,
    /// The record's code.
    pub code: &'static str,
    /// Text go's line must contain: a check that the scene does to go what it means.
    go_says: &'static str,
    _keep: Vec<Keep>,
}

fn case(
    label: &'static str,
    target: &str,
    goproxy: String,
    code: &'static str,
    go_says: &'static str,
    keep: Keep,
) -> Case {
    Case {
        label,
        target: target.to_string(),
        goproxy,
        roots: None,
        https_proxy: None,
        code,
        go_says,
        _keep: vec![keep],
    }
}

/// A proxy with `fault` at `path` (relative to the proxy root).
fn faulty(path: &str, fault: Fault) -> RunningProxy {
    proxy().fault(path, fault).start()
}

fn exact() -> String {
    format!("{M}@v1.0.0")
}

fn latest() -> String {
    format!("{M}@latest")
}

/// Every failure of the table, each with its own servers.
pub fn cases() -> Vec<Case> {
    let mut cases = Vec::new();
    for (status, code) in [
        (404, "http_not_found"),
        (410, "http_gone"),
        (401, "http_unauthorized"),
        (403, "http_forbidden"),
        (500, "http_server_error"),
    ] {
        let every = faulty("*", Fault::Status(status));
        let url = every.url();
        cases.push(case(
            "status, exact version",
            &exact(),
            url.clone(),
            code,
            ".info: ",
            Keep::Proxy(every),
        ));
        let every = faulty("*", Fault::Status(status));
        let url = every.url();
        cases.push(case(
            "status, @latest",
            &latest(),
            url,
            code,
            "module example.com/m: reading ",
            Keep::Proxy(every),
        ));
    }
    let every = faulty("*", Fault::Status(404));
    let url = every.url();
    cases.push(case(
        "404, a version prefix query",
        &format!("{M}@v1"),
        url,
        "http_not_found",
        "module example.com/m: reading ",
        Keep::Proxy(every),
    ));
    let every = faulty("*", Fault::Status(404));
    let url = every.url();
    cases.push(case(
        "404, a revision",
        &format!("{M}@master"),
        url,
        "http_not_found",
        "example.com/m@master: invalid version: reading",
        Keep::Proxy(every),
    ));
    let info_missing = faulty("example.com/m/@v/v1.0.0.info", Fault::Status(404));
    let url = info_missing.url();
    cases.push(case(
        "@latest: the listed version's .info is missing",
        &latest(),
        url,
        "http_not_found",
        "example.com/m@v1.0.0: reading ",
        Keep::Proxy(info_missing),
    ));
    // No versions: an empty list and no @latest. Go's Latest then fails with a
    // not-found error (codehost.ErrNoCommits), which the query turns into its own.
    let empty = GoProxy::new()
        .fault(
            "example.com/m/@v/list",
            Fault::StatusBody(200, String::new()),
        )
        .start();
    let url = empty.url();
    cases.push(case(
        "@latest of a module with no versions",
        &latest(),
        url,
        "version_invalid",
        "no matching versions for query \"latest\"",
        Keep::Proxy(empty),
    ));
    let plain = proxy().start();
    let url = plain.url();
    cases.push(case(
        "no version matches a query",
        &format!("{M}@v9"),
        url,
        "version_invalid",
        "no matching versions for query",
        Keep::Proxy(plain),
    ));
    let refused = format!("http://127.0.0.1:{}", refused_port());
    cases.push(case(
        "connection refused, exact version",
        &exact(),
        refused.clone(),
        "tcp_refused",
        "connection refused",
        Keep::Nothing,
    ));
    cases.push(case(
        "connection refused, @latest",
        &latest(),
        refused,
        "tcp_refused",
        "module example.com/m: Get ",
        Keep::Nothing,
    ));
    cases.push(case(
        "GOPROXY=off, exact version",
        &exact(),
        "off".to_string(),
        "goproxy_off",
        "module lookup disabled by GOPROXY=off",
        Keep::Nothing,
    ));
    cases.push(case(
        "GOPROXY=off, @latest",
        &latest(),
        "off".to_string(),
        "goproxy_off",
        "module lookup disabled by GOPROXY=off",
        Keep::Nothing,
    ));
    let plain = proxy().start();
    let url = plain.url();
    cases.push(case(
        "malformed module path, exact version",
        "example.com/my module@v1.0.0",
        url,
        "module_path_invalid",
        "malformed module path",
        Keep::Proxy(plain),
    ));
    let plain = proxy().start();
    let url = plain.url();
    cases.push(case(
        "malformed module path, @latest",
        "Example.com/m@latest",
        url,
        "module_path_invalid",
        "malformed module path",
        Keep::Proxy(plain),
    ));
    let every = faulty("*", Fault::Status(404));
    let url = every.url();
    cases.push(case(
        "a version of another major, not found",
        "example.com/m/v2@v1.0.0",
        url,
        "http_not_found",
        "v1.0.0.info: 404 Not Found",
        Keep::Proxy(every),
    ));
    let wrong_major = GoProxy::new()
        .module(
            "example.com/m/v2",
            "v1.0.0",
            &[("go.mod", b"module example.com/m/v2\n".as_slice())],
        )
        .module(M, "v2.0.0", &[("go.mod", GO_MOD)])
        .start();
    let url = wrong_major.url();
    cases.push(case(
        "a version of another major, served",
        "example.com/m/v2@v1.0.0",
        url,
        "version_invalid",
        "v1.0.0",
        Keep::Proxy(wrong_major),
    ));
    let wrong_major = GoProxy::new()
        .module(M, "v2.0.0", &[("go.mod", GO_MOD)])
        .start();
    let url = wrong_major.url();
    cases.push(case(
        "v2 without /v2 in the path, served",
        &format!("{M}@v2.0.0"),
        url,
        "version_invalid",
        "v2.0.0",
        Keep::Proxy(wrong_major),
    ));
    let html = faulty(
        "example.com/m/@v/v1.0.0.info",
        Fault::Body(b"<html>".to_vec()),
    );
    let url = html.url();
    cases.push(case(
        ".info is not JSON",
        &exact(),
        url,
        "http_invalid_response",
        "invalid response from proxy",
        Keep::Proxy(html),
    ));
    for (label, body, go_says) in [
        (
            ".info with something after the JSON",
            br#"{"Version":"v1.0.0"}x"#.to_vec(),
            "after top-level value",
        ),
        (
            ".info cut short",
            br#"{"Version":"#.to_vec(),
            "unexpected end of JSON input",
        ),
    ] {
        let bad = faulty("example.com/m/@v/v1.0.0.info", Fault::Body(body));
        let url = bad.url();
        cases.push(case(
            label,
            &exact(),
            url,
            "http_invalid_response",
            go_says,
            Keep::Proxy(bad),
        ));
    }
    let other = faulty(
        "example.com/m/@v/v1.0.0.info",
        Fault::Body(br#"{"Version":"v1.0.1"}"#.to_vec()),
    );
    let url = other.url();
    cases.push(case(
        ".info for another version",
        &exact(),
        url,
        "http_invalid_response",
        "proxy returned info for version v1.0.1",
        Keep::Proxy(other),
    ));
    let no_mod = faulty("example.com/m/@v/v1.0.0.mod", Fault::Status(404));
    let url = no_mod.url();
    cases.push(case(
        ".mod missing after .info",
        &exact(),
        url,
        "http_not_found",
        ".mod: 404 Not Found",
        Keep::Proxy(no_mod),
    ));
    let cut = faulty("example.com/m/@v/v1.0.0.zip", Fault::Truncate { after: 20 });
    let url = cut.url();
    cases.push(case(
        "zip cut short (http)",
        &exact(),
        url,
        "tcp_reset",
        "unexpected EOF",
        Keep::Proxy(cut),
    ));
    let not_zip = faulty(
        "example.com/m/@v/v1.0.0.zip",
        Fault::Body(b"this is not a zip".to_vec()),
    );
    let url = not_zip.url();
    cases.push(case(
        "zip is not a zip",
        &exact(),
        url,
        "zip_invalid",
        "zip: not a valid zip file",
        Keep::Proxy(not_zip),
    ));
    let foreign = faulty(
        "example.com/m/@v/v1.0.0.zip",
        zip_of(
            "example.com/other",
            &[("go.mod", b"module example.com/other\n")],
        ),
    );
    let url = foreign.url();
    cases.push(case(
        "zip of another module",
        &exact(),
        url,
        "zip_invalid",
        "has unexpected file",
        Keep::Proxy(foreign),
    ));
    let collide = faulty(
        "example.com/m/@v/v1.0.0.zip",
        zip_of(M, &[("go.mod", GO_MOD), ("a.go", b"x"), ("A.go", b"y")]),
    );
    let url = collide.url();
    cases.push(case(
        "zip with a case collision",
        &exact(),
        url,
        "zip_invalid",
        "case-insensitive file name collision",
        Keep::Proxy(collide),
    ));

    // TLS: a proxy on https://127.0.0.1 with the test root in SSL_CERT_FILE.
    let root = TestCa::new("fetch errors root");
    let roots = root.pem().to_string();
    let intermediate = root.intermediate("fetch errors intermediate");
    let tls_cases: [(&str, Leaf, &str, &str); 3] = [
        (
            "TLS: a certificate from an unknown CA",
            TestCa::with_subject("Elsewhere CA", "Elsewhere").issue(&["127.0.0.1"]),
            "tls_unknown_authority",
            "x509: certificate signed by unknown authority",
        ),
        (
            "TLS: a self-signed certificate",
            Leaf::self_signed(&["127.0.0.1"]),
            "tls_unknown_authority",
            "x509: certificate signed by unknown authority",
        ),
        (
            "TLS: the intermediate not sent",
            intermediate.issue(&["127.0.0.1"]),
            "tls_incomplete_chain",
            "x509: certificate signed by unknown authority",
        ),
    ];
    for (label, leaf, code, go_says) in tls_cases {
        for target in [exact(), latest()] {
            let server = proxy().start_https(&leaf);
            let mut c = case(
                label,
                &target,
                server.url(),
                code,
                go_says,
                Keep::Proxy(server),
            );
            c.roots = Some(roots.clone());
            cases.push(c);
        }
    }
    let valid = intermediate.issue(&["127.0.0.1"]).with_chain(&intermediate);
    let cut = proxy()
        .fault("example.com/m/@v/v1.0.0.zip", Fault::Truncate { after: 20 })
        .start_https(&valid);
    let mut c = case(
        "zip cut short (https)",
        &exact(),
        cut.url(),
        "tcp_reset",
        "unexpected EOF",
        Keep::Proxy(cut),
    );
    c.roots = Some(roots.clone());
    cases.push(c);
    // Through an HTTP proxy (HTTPS_PROXY) to an https GOPROXY: the proxy refuses, asks
    // for credentials, or cannot be reached.
    for (label, mode, code, go_says) in [
        (
            "HTTPS_PROXY answers 407",
            ConnectMode::Refuse(407),
            "proxy_auth_required",
            "Proxy Authentication Required",
        ),
        (
            "HTTPS_PROXY answers 403",
            ConnectMode::Refuse(403),
            "proxy_refused",
            "Forbidden",
        ),
        (
            "HTTPS_PROXY closes the connection",
            ConnectMode::Close,
            "proxy_closed",
            "EOF",
        ),
    ] {
        let connect = ConnectProxy::start(mode, Arc::new(TestCa::new("unused")), ok_handler());
        let mut c = case(
            label,
            &exact(),
            "https://proxy.example.test".to_string(),
            code,
            go_says,
            Keep::Server(connect),
        );
        if let Keep::Server(connect) = &c._keep[0] {
            c.https_proxy = Some(format!("http://{}", connect.host_port()));
        }
        c.roots = Some(roots.clone());
        cases.push(c);
    }
    let mut c = case(
        "HTTPS_PROXY refuses connections",
        &exact(),
        "https://proxy.example.test".to_string(),
        "proxy_unreachable",
        "proxyconnect tcp: dial tcp",
        Keep::Nothing,
    );
    c.https_proxy = Some(format!("http://127.0.0.1:{}", refused_port()));
    cases.push(c);
    // An https proxy that redirects to plain http.
    let target = proxy().start();
    let redirecting = proxy()
        .fault(
            "example.com/m/@v/v1.0.0.info",
            Fault::Redirect(
                302,
                format!("{}/example.com/m/@v/v1.0.0.info", target.url()),
            ),
        )
        .start_https(&valid);
    let mut c = case(
        "redirect from https to http",
        &exact(),
        redirecting.url(),
        "http_insecure_redirect",
        "redirected from secure URL",
        Keep::Proxy(redirecting),
    );
    c._keep.push(Keep::Proxy(target));
    c.roots = Some(roots.clone());
    cases.push(c);
    // Go gives up on a handshake after 10 s.
    let silent = Server::hang();
    let mut c = case(
        "TLS handshake that never ends",
        &exact(),
        format!("https://{}", silent.host_port()),
        "tls_timeout",
        "net/http: TLS handshake timeout",
        Keep::Server(silent),
    );
    c.roots = Some(roots);
    cases.push(c);
    cases
}

/// The sandbox both run in: GOPROXY and the trust store of the case, everything else
/// pinned, a module cache of its own.
pub fn sandbox(go: &Path, case: &Case) -> Sandbox {
    let s = go_sandbox(go);
    let dir = s.path().to_path_buf();
    let mut s = s
        .env("GOPROXY", &case.goproxy)
        .env("GOSUMDB", "off")
        .env("GOVCS", "*:off")
        .env("GOENV", "off")
        .env("GOPATH", &dir.join("gopath").display().to_string())
        .env("GOCACHE", &dir.join("gocache").display().to_string())
        .env("GOMODCACHE", &dir.join("modcache").display().to_string());
    if let Some(proxy) = &case.https_proxy {
        s = s.env("HTTPS_PROXY", proxy);
    }
    if let Some(roots) = &case.roots {
        let file = s.write("roots.pem", roots);
        s = s.env("SSL_CERT_FILE", file.to_str().unwrap());
    }
    s
}

/// go's error line for the case: its standard error without the `-> ` notes it
/// prints before an extraction error.
fn go_line(go: &Path, s: &Sandbox, target: &str) -> String {
    let output = go_command(s, go)
        .args(["mod", "download", target])
        .output()
        .unwrap();
    assert!(!output.status.success(), "go mod download {target} worked");
    String::from_utf8_lossy(&output.stderr)
        .lines()
        .filter(|l| !l.starts_with("-> "))
        .collect::<Vec<_>>()
        .join("\n")
}

fn ours(s: &Sandbox, target: &str) -> FetchRecord {
    let run = s.run("gomod-fetch", &["--retries", "0", target]);
    assert_eq!(run.status, 1, "{target}: {}\n{}", run.stdout, run.stderr);
    let mut records: Vec<FetchRecord> = run.records().into_iter().map(|r| r.fetch()).collect();
    assert_eq!(records.len(), 1, "{}", run.stdout);
    records.remove(0)
}

/// The disagreements of one case (empty when it agrees).
fn compare(go: &Path, case: &Case) -> Vec<String> {
    let s = sandbox(go, case);
    let (theirs, mine) = std::thread::scope(|both| {
        let theirs = both.spawn(|| go_line(go, &s, &case.target));
        let mine = ours(&s, &case.target);
        (theirs.join().unwrap(), mine)
    });
    let name = format!("{} ({})", case.label, case.target);
    let mut diffs = Vec::new();
    if !theirs.contains(case.go_says) {
        diffs.push(format!(
            "{name}: the scene is broken, go said {theirs:?}, not {:?}",
            case.go_says
        ));
    }
    let my_line = mine
        .error
        .as_ref()
        .and_then(|e| e.go_error.clone())
        .unwrap_or_default();
    if my_line != theirs {
        diffs.push(format!("{name}:\n  go:   {theirs}\n  ours: {my_line}"));
    }
    if mine.code() != Some(case.code) {
        diffs.push(format!("{name}: code {:?}, not {}", mine.code(), case.code));
    }
    if let Some(e) = &mine.error {
        for (field, text) in [("message", Some(&e.message)), ("hint", e.hint.as_ref())] {
            if let Some(text) = text
                && (text.contains("docs.rs") || text.contains("rustls") || text.contains("hyper"))
            {
                diffs.push(format!("{name}: library wording in {field}: {text}"));
            }
        }
    }
    diffs
}

#[test]
fn fetch_go_errors_are_the_lines_go_mod_download_prints() {
    let Some(go) = newest_go() else { return };
    let cases = cases();
    // Four at a time: each runs go and gomod-fetch side by side.
    let mut diffs = Vec::new();
    for chunk in cases.chunks(4) {
        let found: Vec<Vec<String>> = std::thread::scope(|threads| {
            let running: Vec<_> = chunk
                .iter()
                .map(|case| threads.spawn(|| compare(&go, case)))
                .collect();
            running.into_iter().map(|t| t.join().unwrap()).collect()
        });
        diffs.extend(found.into_iter().flatten());
    }
    assert!(
        diffs.is_empty(),
        "{} of {} cases disagree with go mod download:\n\n{}",
        diffs.len(),
        cases.len(),
        diffs.join("\n\n")
    );
}

#[test]
fn a_silent_server_has_no_go_error() {
    // Without go: what go does (wait for ever, print nothing) is not a line to compare.
    let hang = faulty("*", Fault::Hang);
    let s = Sandbox::new()
        .env("GOPROXY", &hang.url())
        .env("GOSUMDB", "off")
        .env("GOENV", "off");
    let run = s.run(
        "gomod-fetch",
        &["--retries", "0", "--timeout", "2s", &exact()],
    );
    let mut records: Vec<FetchRecord> = run.records().into_iter().map(|r| r.fetch()).collect();
    let r = records.remove(0);
    let e = r.error.as_ref().expect("an error");
    assert_eq!(e.code, "http_timeout");
    assert_eq!(e.go_error, None, "go prints nothing here: {e:?}");
    assert!(
        e.message.contains("go command") && e.message.contains("wait"),
        "the message says what go does: {}",
        e.message
    );
}
