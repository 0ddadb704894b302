//! Agreement with Go's HTTPS client: a tiny Go program (tests/fixtures/go/tlsprobe,
//! built with the newest Go, cgo off) fetches each URL with Go's default client —
//! Go's own proxy rules (HTTPS_PROXY, NO_PROXY) and trust store (SSL_CERT_FILE,
//! SSL_CERT_DIR) — and gomod-tlscheck checks the same URLs in the same environment.
//! For every server, Go succeeds exactly when our record is ok (and, where a chain was
//! seen, exactly when Go's verification of it passes, our `trust.go.ok`), and when Go
//! fails, our `go_error` is Go's text after `Get "URL": `, word for word but for the
//! current time and local ports.
//!
//! Every server runs on 127.0.0.1. Direct targets are `https://127.0.0.1:PORT/`; the
//! proxy cases name public hosts (proxy.golang.org), which only the loopback proxy in
//! HTTPS_PROXY ever sees: Go does not resolve a host it reaches through a proxy, and
//! the environment has no NO_PROXY.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use gomod_testsupport::{
    ConnectMode, ConnectProxy, Handler, Leaf, LeafOptions, Response, Running, Server, TestCa,
    handler,
};
use serde::Deserialize;

use crate::Sandbox;
use crate::interop::{build_go_program, go_command, go_sandbox, newest_go};
use crate::records::TlsRecord;

/// What the Go program prints for each URL.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct GoOutcome {
    url: String,
    ok: bool,
    status: u16,
    error: String,
}

/// What Go must make of a case: a check of the scene (that each server misbehaves as
/// meant), not of our tool.
enum Expect {
    /// A response.
    Ok,
    /// An error containing this text.
    Fails(&'static str),
}

/// One URL of a group.
struct Case {
    label: &'static str,
    url: String,
    expect: Expect,
}

/// URLs checked in one run of each program, with the environment they share.
struct Group {
    label: &'static str,
    env: Vec<(&'static str, String)>,
    cases: Vec<Case>,
}

/// The servers (kept running while the groups are checked) and the groups.
#[derive(Default)]
struct Scene {
    servers: Vec<Running>,
    groups: Vec<Group>,
}

/// The host name every proxy case asks for: Go hands it to the proxy unresolved.
const PROXIED: &str = "proxy.golang.org";

fn ok_handler() -> Handler {
    handler(|_| Response::text(200, "ok"))
}

fn common_name_only() -> LeafOptions {
    LeafOptions {
        common_name_only: true,
        ..LeafOptions::default()
    }
}

fn ca_as_leaf() -> LeafOptions {
    LeafOptions {
        is_ca: true,
        ..LeafOptions::default()
    }
}

/// An address on 127.0.0.1 where nothing listens.
fn dead_addr() -> SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap()
}

impl Scene {
    /// Adds `server` as the direct case `label` of the current group.
    fn direct(&mut self, label: &'static str, server: Running, expect: Expect) {
        let url = format!("https://{}/", server.host_port());
        self.servers.push(server);
        let group = self.groups.last_mut().expect("a group");
        group.cases.push(Case { label, url, expect });
    }

    /// Starts a group trusting `ca_file`, with HTTPS_PROXY set to `proxy` if any.
    fn group(&mut self, label: &'static str, ca_file: &Path, proxy: Option<String>) {
        let mut env = vec![("SSL_CERT_FILE", ca_file.display().to_string())];
        if let Some(proxy) = proxy {
            env.push(("HTTPS_PROXY", proxy));
        }
        self.groups.push(Group {
            label,
            env,
            cases: Vec::new(),
        });
    }

    /// A group of its own for `https://proxy.golang.org/` through `proxy`.
    fn proxied(&mut self, label: &'static str, ca_file: &Path, proxy: Running, expect: Expect) {
        self.group(
            label,
            ca_file,
            Some(format!("http://{}", proxy.host_port())),
        );
        self.servers.push(proxy);
        self.through_proxy(label, expect);
    }

    /// Adds `https://proxy.golang.org/` to the current group.
    fn through_proxy(&mut self, label: &'static str, expect: Expect) {
        let url = format!("https://{PROXIED}/");
        let group = self.groups.last_mut().expect("a group");
        group.cases.push(Case { label, url, expect });
    }
}

/// A proxy forwarding every CONNECT to `upstream`.
fn forwarding(upstream: &Running) -> Running {
    ConnectProxy::start(
        ConnectMode::Forward(upstream.addr),
        Arc::new(TestCa::new("unused proxy CA")),
        ok_handler(),
    )
}

fn refusing(mode: ConnectMode) -> Running {
    ConnectProxy::start(mode, Arc::new(TestCa::new("unused proxy CA")), ok_handler())
}

/// Every server of the issue, CA files written in `files`.
fn scene(files: &Path) -> Scene {
    let root = TestCa::new("tls interop root");
    let intermediate = root.intermediate("tls interop intermediate");
    let root_pem = root.write_pem(files, "root.pem");
    let ip = &["127.0.0.1"];
    let mut s = Scene::default();

    // A root past its validity period in the trust store: Go refuses it.
    let expired_root =
        TestCa::root_with("expired root", "gomod-tools tests", &LeafOptions::expired());
    let expired_root_pem = expired_root.write_pem(files, "expired-root.pem");
    s.group("direct, an expired root trusted", &expired_root_pem, None);
    s.direct(
        "chain to an expired root",
        Server::https(&expired_root.issue(ip), ok_handler()),
        Expect::Fails("x509: certificate has expired or is not yet valid: current time"),
    );

    s.group("direct, the test root trusted", &root_pem, None);
    let valid = intermediate.issue(ip).with_chain(&intermediate);
    s.direct(
        "valid chain (leaf + intermediate)",
        Server::https(&valid, ok_handler()),
        Expect::Ok,
    );
    s.direct(
        "expired leaf",
        Server::https(&root.issue_with(ip, LeafOptions::expired()), ok_handler()),
        Expect::Fails("x509: certificate has expired or is not yet valid: current time"),
    );
    s.direct(
        "not-yet-valid leaf",
        Server::https(
            &root.issue_with(ip, LeafOptions::not_yet_valid()),
            ok_handler(),
        ),
        Expect::Fails("x509: certificate has expired or is not yet valid: current time"),
    );
    s.direct(
        "IP target, certificate without IP SANs",
        Server::https(&root.issue(&["example.com"]), ok_handler()),
        Expect::Fails("doesn't contain any IP SANs"),
    );
    s.direct(
        "unknown CA",
        Server::https(&TestCa::new("unknown CA").issue(ip), ok_handler()),
        Expect::Fails("x509: certificate signed by unknown authority"),
    );
    s.direct(
        "missing intermediate",
        Server::https(&intermediate.issue(ip), ok_handler()),
        Expect::Fails("x509: certificate signed by unknown authority"),
    );
    let old_intermediate = root.intermediate_with("expired intermediate", &LeafOptions::expired());
    s.direct(
        "expired intermediate (presented)",
        Server::https(
            &old_intermediate.issue(ip).with_chain(&old_intermediate),
            ok_handler(),
        ),
        Expect::Fails("x509: certificate has expired or is not yet valid: current time"),
    );
    s.direct(
        "self-signed leaf",
        Server::https(&Leaf::self_signed(ip), ok_handler()),
        Expect::Fails("x509: certificate signed by unknown authority"),
    );
    s.direct(
        "CA certificate used as the leaf",
        Server::https(&root.issue_with(ip, ca_as_leaf()), ok_handler()),
        Expect::Ok,
    );
    s.direct(
        "CN-only certificate for the IP",
        Server::https(&root.issue_with(ip, common_name_only()), ok_handler()),
        Expect::Fails("x509: certificate relies on legacy Common Name field"),
    );
    s.direct(
        "TLS 1.0-only server (protocol_version alert)",
        Server::tls_alert(70),
        Expect::Fails("remote error: tls: protocol version not supported"),
    );
    s.direct(
        "no common cipher (handshake_failure alert)",
        Server::tls_alert(40),
        Expect::Fails("remote error: tls: handshake failure"),
    );
    s.direct(
        "client certificate required",
        Server::https_client_auth(&root.issue(ip), ok_handler()),
        Expect::Fails("certificate required"),
    );
    // A web server that answers the ClientHello as a bad request, as real ones do.
    s.direct(
        "plain HTTP on the https port, answering 400",
        Server::raw(b"HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n".to_vec()),
        Expect::Fails("http: server gave HTTP response to HTTPS client"),
    );
    s.direct(
        "a non-TLS service (SSH)",
        Server::raw(b"SSH-2.0-OpenSSH_9.0\r\n".to_vec()),
        Expect::Fails("first record does not look like a TLS handshake"),
    );
    s.direct(
        "closed after the ClientHello",
        Server::close_after_hello(),
        Expect::Fails("EOF"),
    );

    // Go gives up on a silent server after its 10 s TLS handshake timeout: groups of
    // their own, run next to the others.
    s.group("direct, a server that never answers", &root_pem, None);
    s.direct(
        "silent server",
        Server::hang(),
        Expect::Fails("net/http: TLS handshake timeout"),
    );
    // The test HTTP server waits for a request head the ClientHello never completes.
    s.group(
        "direct, an HTTP server waiting for a request",
        &root_pem,
        None,
    );
    s.direct(
        "plain HTTP on the https port, silent",
        Server::http(ok_handler()),
        Expect::Fails("net/http: TLS handshake timeout"),
    );

    // Proxies: each a group of its own, as HTTPS_PROXY names one.
    let upstream = Server::https(
        &intermediate.issue(&[PROXIED]).with_chain(&intermediate),
        ok_handler(),
    );
    let proxy = forwarding(&upstream);
    s.servers.push(upstream);
    s.proxied("open proxy", &root_pem, proxy, Expect::Ok);

    let upstream = Server::https(&root.issue(&["other.example"]), ok_handler());
    let proxy = forwarding(&upstream);
    s.servers.push(upstream);
    s.proxied(
        "open proxy to a certificate for another name",
        &root_pem,
        proxy,
        Expect::Fails("x509: certificate is valid for other.example, not proxy.golang.org"),
    );

    let upstream = Server::https(
        &root.issue_with(&[PROXIED], common_name_only()),
        ok_handler(),
    );
    let proxy = forwarding(&upstream);
    s.servers.push(upstream);
    s.proxied(
        "open proxy to a CN-only certificate",
        &root_pem,
        proxy,
        Expect::Fails("legacy Common Name field"),
    );

    s.proxied(
        "proxy answering 407",
        &root_pem,
        refusing(ConnectMode::Refuse(407)),
        Expect::Fails("Proxy Authentication Required"),
    );
    s.proxied(
        "proxy answering 403",
        &root_pem,
        refusing(ConnectMode::Refuse(403)),
        Expect::Fails("Forbidden"),
    );
    s.proxied(
        "proxy closing the connection",
        &root_pem,
        refusing(ConnectMode::Close),
        Expect::Fails("unexpected EOF"),
    );
    s.proxied(
        "proxy whose upstream is down (502)",
        &root_pem,
        refusing(ConnectMode::Forward(dead_addr())),
        Expect::Fails("Bad Gateway"),
    );

    let product = TestCa::with_subject("Zscaler Root CA", "Zscaler Inc.");
    let product_pem = product.write_pem(files, "product.pem");
    let issuing = Arc::new(product.intermediate("Zscaler Intermediate Root CA"));
    s.proxied(
        "intercepting proxy, its CA trusted",
        &product_pem,
        ConnectProxy::start(ConnectMode::Tunnel, Arc::clone(&issuing), ok_handler()),
        Expect::Ok,
    );
    s.proxied(
        "intercepting proxy, its CA not trusted",
        &root_pem,
        ConnectProxy::start(ConnectMode::Tunnel, issuing, ok_handler()),
        Expect::Fails("x509: certificate signed by unknown authority"),
    );

    s.group(
        "proxy port that refuses",
        &root_pem,
        Some("http://127.0.0.1:1".to_string()),
    );
    s.through_proxy(
        "proxy port that refuses",
        Expect::Fails("proxyconnect tcp: dial tcp 127.0.0.1:1: connect: connection refused"),
    );
    s
}

/// Go's text with what differs from run to run replaced: the current time of an
/// expiry message, and local (ephemeral) ports in `local->remote` pairs.
fn normalise(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find("current time ") {
        let start = i + "current time ".len();
        out.push_str(&rest[..start]);
        out.push_str("NOW");
        rest = rest[start..].trim_start_matches(|c: char| !c.is_whitespace());
    }
    out.push_str(rest);
    let text = out;
    let mut out = String::new();
    let mut rest = text.as_str();
    while let Some(i) = rest.find("->") {
        let head = &rest[..i];
        let digits = head.len() - head.trim_end_matches(|c: char| c.is_ascii_digit()).len();
        if digits > 0 && head[..i - digits].ends_with(':') {
            out.push_str(&head[..i - digits]);
            out.push_str("PORT");
        } else {
            out.push_str(head);
        }
        out.push_str("->");
        rest = &rest[i + 2..];
    }
    out.push_str(rest);
    out
}

/// Runs one group through Go and through gomod-tlscheck: the disagreements, and the
/// cases where Go did not do what the scene means (a broken test, not a finding).
fn compare(sandbox: &Sandbox, probe: &Path, group: &Group) -> (Vec<String>, Vec<String>) {
    let urls: Vec<&str> = group.cases.iter().map(|c| c.url.as_str()).collect();
    // Both at once: a silent server costs each of them 10 s.
    let (output, run) = std::thread::scope(|both| {
        let go = both.spawn(|| go_command(sandbox, probe).args(&urls).output().unwrap());
        let run = sandbox.run("gomod-tlscheck", &urls);
        (go.join().unwrap(), run)
    });
    assert!(
        output.status.success(),
        "{}: the Go program failed: {}",
        group.label,
        String::from_utf8_lossy(&output.stderr)
    );
    let theirs: Vec<GoOutcome> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    assert_eq!(theirs.len(), urls.len(), "{}", group.label);
    let ours: Vec<TlsRecord> = run.records().into_iter().map(|r| r.tls()).collect();

    let mut diffs = Vec::new();
    let mut scene = Vec::new();
    for (case, go) in group.cases.iter().zip(&theirs) {
        assert_eq!(go.url, case.url);
        let name = format!("{} / {} ({})", group.label, case.label, case.url);
        let go_error = go
            .error
            .strip_prefix(&format!("Get \"{}\": ", case.url))
            .unwrap_or(&go.error);
        match case.expect {
            Expect::Ok if !go.ok => scene.push(format!("{name}: Go failed: {go_error}")),
            Expect::Fails(_) if go.ok => {
                scene.push(format!("{name}: Go succeeded ({})", go.status))
            }
            Expect::Fails(text) if !go_error.contains(text) => {
                scene.push(format!("{name}: Go said {go_error:?}, not {text:?}"))
            }
            _ => {}
        }
        let Some(mine) = ours.iter().find(|r| r.url.as_deref() == Some(&case.url)) else {
            diffs.push(format!(
                "{name}: no record\n  stdout: {}\n  stderr: {}",
                run.stdout, run.stderr
            ));
            continue;
        };
        let my_error = mine
            .error
            .as_ref()
            .map(|e| e.go_error.as_deref().unwrap_or("(no go_error)"))
            .unwrap_or("");
        let go_text = if go.ok { "(ok)" } else { go_error };
        let my_text = if mine.ok { "(ok)" } else { my_error };
        if go.ok != mine.ok || normalise(go_text) != normalise(my_text) {
            diffs.push(format!(
                "{name}:\n  go:   {go_text}\n  ours: {my_text}{}",
                mine.error
                    .as_ref()
                    .map(|e| format!(" [{}]", e.code))
                    .unwrap_or_default()
            ));
        }
        // Go's verdict on the chain: it passed unless Go says verification failed.
        let verified = go.ok || !go_error.contains("tls: failed to verify certificate");
        match &mine.trust {
            Some(trust) if trust.go.ok != verified => diffs.push(format!(
                "{name}: trust.go.ok is {} but Go's verification {} ({:?})",
                trust.go.ok,
                if verified { "passed" } else { "failed" },
                trust.go.error
            )),
            None if !verified || go.ok => diffs.push(format!(
                "{name}: Go saw and judged a chain, our record has no trust"
            )),
            _ => {}
        }
    }
    (diffs, scene)
}

#[test]
fn outcomes_and_errors_agree_with_gos_https_client() {
    let Some(go) = newest_go() else { return };
    let build = go_sandbox(&go);
    let probe = build_go_program(&go, &build, "tlsprobe");
    let scene = scene(build.path());
    let sandboxes: Vec<Sandbox> = scene
        .groups
        .iter()
        .map(|group| {
            group
                .env
                .iter()
                .fold(go_sandbox(&go), |sandbox, (k, v)| sandbox.env(k, v))
        })
        .collect();
    // The groups run side by side: the silent server costs Go 10 s.
    let results: Vec<(Vec<String>, Vec<String>)> = std::thread::scope(|threads| {
        let running: Vec<_> = scene
            .groups
            .iter()
            .zip(&sandboxes)
            .map(|(group, sandbox)| threads.spawn(|| compare(sandbox, &probe, group)))
            .collect();
        running.into_iter().map(|t| t.join().unwrap()).collect()
    });
    let (diffs, broken): (Vec<_>, Vec<_>) = results.into_iter().unzip();
    let mut report = Vec::new();
    let broken: Vec<String> = broken.into_iter().flatten().collect();
    if !broken.is_empty() {
        report.push(format!(
            "the servers did not do to Go what the test means:\n{}",
            broken.join("\n")
        ));
    }
    let diffs: Vec<String> = diffs.into_iter().flatten().collect();
    if !diffs.is_empty() {
        report.push(format!(
            "disagreements with Go's HTTPS client:\n{}",
            diffs.join("\n\n")
        ));
    }
    assert!(report.is_empty(), "{}", report.join("\n\n"));
}

#[test]
fn normalise_hides_the_current_time_and_local_ports() {
    assert_eq!(
        normalise(
            "x509: certificate has expired or is not yet valid: current time 2026-01-02T03:04:05Z is after 2026-01-01T00:00:00Z"
        ),
        "x509: certificate has expired or is not yet valid: current time NOW is after 2026-01-01T00:00:00Z"
    );
    assert_eq!(
        normalise("read tcp 127.0.0.1:41234->127.0.0.1:443: read: connection reset by peer"),
        "read tcp 127.0.0.1:PORT->127.0.0.1:443: read: connection reset by peer"
    );
    assert_eq!(normalise("a->b 1->2"), "a->b 1->2");
}
