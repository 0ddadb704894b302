//! gomod-tlscheck against TLS servers and proxies on 127.0.0.1, with a PKI made at test
//! time: what the record says for every kind of certificate and server, and that the
//! verdicts come from the right trust store.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use gomod_testsupport::{
    ConnectMode, ConnectProxy, Leaf, LeafOptions, Response, Running, Server, TestCa, handler,
};

use crate::Sandbox;
use crate::records::TlsRecord;

const TOOL: &str = "gomod-tlscheck";

fn ok_handler() -> gomod_testsupport::Handler {
    handler(|_| Response::text(200, "ok"))
}

/// A sandbox whose trust store (Go's, through SSL_CERT_FILE) holds `ca`.
fn trusting(ca: &TestCa) -> Sandbox {
    let sandbox = Sandbox::new();
    let pem = ca.write_pem(sandbox.path(), "roots.pem");
    sandbox.env("SSL_CERT_FILE", pem.to_str().unwrap())
}

fn tlscheck(sandbox: &Sandbox, args: &[&str]) -> (i32, Vec<TlsRecord>) {
    let run = sandbox.run(TOOL, args);
    assert!(run.stderr.is_empty(), "stderr: {}", run.stderr);
    let records = run.records().into_iter().map(|r| r.tls()).collect();
    (run.status, records)
}

fn one(sandbox: &Sandbox, args: &[&str]) -> TlsRecord {
    let (_, mut records) = tlscheck(sandbox, args);
    assert_eq!(records.len(), 1, "{records:#?}");
    records.remove(0)
}

fn https(leaf: &Leaf) -> Running {
    Server::https(leaf, ok_handler())
}

#[test]
fn a_valid_chain_through_an_intermediate() {
    let root = TestCa::new("Test Root");
    let intermediate = root.intermediate("Test Intermediate");
    let server = https(&intermediate.issue(&["127.0.0.1"]).with_chain(&intermediate));
    let sandbox = trusting(&root);
    let (status, records) = tlscheck(&sandbox, &[&server.host_port()]);
    assert_eq!(status, 0);
    let r = &records[0];
    assert!(r.ok && r.error.is_none(), "{r:#?}");
    assert_eq!(
        (r.host.as_str(), r.port, r.scheme.as_str()),
        ("127.0.0.1", server.addr.port(), "https")
    );
    assert_eq!(r.addr.as_deref(), Some(server.host_port().as_str()));
    assert_eq!(r.sni, None, "Go sends no SNI for an IP address");
    assert_eq!(r.tls_version.as_deref(), Some("TLS 1.3"));
    assert!(
        r.cipher.as_deref().unwrap().starts_with("TLS_"),
        "{:?}",
        r.cipher
    );
    assert_eq!(r.alpn.as_deref(), Some("http/1.1"));
    assert!(r.tcp_ms.is_some() && r.tls_ms.is_some());
    assert_eq!(r.chain.len(), 2);
    let leaf = &r.chain[0];
    assert_eq!(leaf.sans, ["127.0.0.1"]);
    assert!(
        leaf.issuer.contains("CN=Test Intermediate"),
        "{}",
        leaf.issuer
    );
    assert!(!leaf.is_ca && r.chain[1].is_ca);
    assert_eq!(r.chain[1].sha256, intermediate.sha256_hex());
    assert!(leaf.not_before < leaf.not_after);
    assert_eq!(leaf.signature_algorithm, "ECDSA-SHA256");
    assert_eq!(leaf.key, "ECDSA P-256");
    let trust = r.trust();
    assert!(trust.go.ok && trust.go.error.is_none());
    assert_eq!(trust.go.roots, 1);
    assert!(
        trust.go.source.starts_with("SSL_CERT_FILE="),
        "{}",
        trust.go.source
    );
    assert!(!trust.public.ok, "the test root is not a public CA");
    assert_eq!(trust.public.code.as_deref(), Some("tls_unknown_authority"));
    assert_eq!(trust.public.source, "Mozilla's roots (built in)");
    assert_eq!(r.intercepted, None, "an IP address is not a public name");
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
}

#[test]
fn certificate_failures_have_codes_and_gos_words() {
    let root = TestCa::new("Test Root");
    // A CA of another organization than the trusted root's.
    let other = TestCa::with_subject("Someone Else", "Elsewhere Inc.");
    let intermediate = root.intermediate("Test Intermediate");
    let expired = https(&root.issue_with(&["127.0.0.1"], LeafOptions::expired()));
    let future = https(&root.issue_with(&["127.0.0.1"], LeafOptions::not_yet_valid()));
    let wrong_name = https(&root.issue(&["other.example"]));
    let unknown = https(&other.issue(&["127.0.0.1"]));
    // Issued by an intermediate that names where to fetch it, as public CAs do, and
    // served without it.
    let missing_intermediate = https(&intermediate.issue_with(
        &["127.0.0.1"],
        LeafOptions {
            ca_issuers: Some("http://ca.test/intermediate.crt".to_string()),
            ..LeafOptions::default()
        },
    ));
    // Issued by an intermediate of the trusted root's organization that names no
    // place to fetch it, served alone.
    let leaf_alone = https(&intermediate.issue(&["127.0.0.1"]));
    let self_signed = https(&Leaf::self_signed(&["127.0.0.1"]));
    let sandbox = trusting(&root);
    let cases: [(&Running, &str, &str); 7] = [
        (
            &expired,
            "tls_expired",
            "tls: failed to verify certificate: x509: certificate has expired or is not yet valid: current time ",
        ),
        (
            &future,
            "tls_not_yet_valid",
            "tls: failed to verify certificate: x509: certificate has expired or is not yet valid: current time ",
        ),
        (
            &wrong_name,
            "tls_name_mismatch",
            "tls: failed to verify certificate: x509: cannot validate certificate for 127.0.0.1 because it doesn't contain any IP SANs",
        ),
        (
            &unknown,
            "tls_unknown_authority",
            "tls: failed to verify certificate: x509: certificate signed by unknown authority",
        ),
        (
            &missing_intermediate,
            "tls_incomplete_chain",
            "tls: failed to verify certificate: x509: certificate signed by unknown authority",
        ),
        (
            &leaf_alone,
            "tls_incomplete_chain",
            "tls: failed to verify certificate: x509: certificate signed by unknown authority",
        ),
        (
            &self_signed,
            "tls_unknown_authority",
            "tls: failed to verify certificate: x509: certificate signed by unknown authority",
        ),
    ];
    let targets: Vec<String> = cases.iter().map(|(s, _, _)| s.host_port()).collect();
    let targets: Vec<&str> = targets.iter().map(String::as_str).collect();
    let (status, records) = tlscheck(&sandbox, &targets);
    assert_eq!(status, 1);
    for ((server, code, go_error), r) in cases.iter().zip(&records) {
        assert_eq!(r.port, server.addr.port());
        assert!(!r.ok);
        assert_eq!(r.code(), Some(*code), "{r:#?}");
        assert!(
            r.go_error().starts_with(go_error),
            "{code}: {}",
            r.go_error()
        );
        assert_eq!(r.trust().go.code.as_deref(), Some(*code));
        assert!(!r.chain.is_empty(), "the chain is shown even when it fails");
        assert!(r.tls_version.is_some(), "the handshake itself completed");
        assert!(r.error.as_ref().unwrap().hint.is_some());
    }
    // Expiry: the dates and the current time, as Go words them.
    let expired_text = records[0].go_error();
    assert!(expired_text.contains(" is after "), "{expired_text}");
    assert!(
        records[0]
            .error
            .as_ref()
            .unwrap()
            .message
            .contains(" is after ")
    );
    assert!(records[1].go_error().contains(" is before "));
    // The three that Go words alike are told apart in the message.
    let message = |i: usize| records[i].error.as_ref().unwrap().message.clone();
    assert!(
        message(4).contains("without the intermediate"),
        "{}",
        message(4)
    );
    assert!(
        message(5).contains("without the intermediate"),
        "{}",
        message(5)
    );
    assert!(
        message(5).contains("CN=Test Intermediate"),
        "the message names the missing certificate: {}",
        message(5)
    );
    assert!(message(6).contains("self-signed"), "{}", message(6));
    assert!(!message(3).contains("self-signed") && !message(3).contains("intermediate"));
    // A DNS name that is not in the certificate.
    let r = one(
        &sandbox,
        &[&format!("localhost:{}", wrong_name.addr.port())],
    );
    assert_eq!(
        r.go_error(),
        "tls: failed to verify certificate: x509: certificate is valid for other.example, not localhost"
    );
    assert_eq!(r.sni.as_deref(), Some("localhost"));
    assert!(r.error.as_ref().unwrap().message.contains("other.example"));
}

#[test]
fn handshake_failures_have_gos_words() {
    let root = TestCa::new("Test Root");
    let tls10 = Server::tls_alert(70);
    let no_cipher = Server::tls_alert(40);
    // A plain-HTTP server answers the ClientHello as a bad request, as Go's and
    // nginx's do.
    let plain = Server::raw(
        b"HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n"
            .to_vec(),
    );
    let ssh = Server::raw(b"SSH-2.0-OpenSSH_9.0\r\n".to_vec());
    let client_auth = Server::https_client_auth(&root.issue(&["127.0.0.1"]), ok_handler());
    let cases: [(&Running, &str, &[&str]); 5] = [
        (
            &tls10,
            "tls_protocol_version",
            &["remote error: tls: protocol version not supported"],
        ),
        (
            &no_cipher,
            "tls_handshake_failed",
            &["remote error: tls: handshake failure"],
        ),
        (
            &plain,
            "tls_not_tls",
            &["http: server gave HTTP response to HTTPS client"],
        ),
        (
            &ssh,
            "tls_not_tls",
            &["tls: first record does not look like a TLS handshake"],
        ),
        (
            &client_auth,
            "tls_handshake_failed",
            &[
                "remote error: tls: certificate required",
                "remote error: tls: bad certificate",
            ],
        ),
    ];
    let sandbox = trusting(&root);
    for (server, code, texts) in cases {
        let r = one(&sandbox, &[&server.host_port()]);
        assert_eq!(r.code(), Some(code), "{r:#?}");
        assert!(texts.contains(&r.go_error()), "{code}: {}", r.go_error());
    }
}

#[test]
fn a_server_that_never_answers_the_handshake_times_out() {
    let hang = Server::hang();
    let r = one(&Sandbox::new(), &["--timeout", "500ms", &hang.host_port()]);
    assert_eq!(r.code(), Some("tls_timeout"));
    assert_eq!(r.go_error(), "net/http: TLS handshake timeout");
    assert!(
        r.error
            .as_ref()
            .unwrap()
            .detail
            .as_deref()
            .unwrap()
            .contains("--timeout 500ms")
    );
}

#[test]
fn tcp_failures_have_gos_words() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closed = listener.local_addr().unwrap();
    drop(listener);
    let r = one(&Sandbox::new(), &[&closed.to_string()]);
    assert_eq!(r.code(), Some("tcp_refused"));
    assert_eq!(
        r.go_error(),
        format!("dial tcp {closed}: connect: connection refused")
    );
    assert_eq!(r.tls_version, None);
    assert!(r.chain.is_empty() && r.trust.is_none());
}

#[test]
fn no_roots_at_all_is_the_minimal_container_case() {
    let root = TestCa::new("Test Root");
    let server = https(&root.issue(&["127.0.0.1"]));
    // The sandbox points SSL_CERT_FILE at a missing file and SSL_CERT_DIR at an
    // empty directory: Go's pool is empty.
    let r = one(&Sandbox::new(), &[&server.host_port()]);
    assert_eq!(r.code(), Some("tls_no_roots"));
    assert_eq!(
        r.go_error(),
        "tls: failed to verify certificate: x509: certificate signed by unknown authority"
    );
    assert_eq!(r.trust().go.roots, 0);
    assert!(
        r.error
            .as_ref()
            .unwrap()
            .hint
            .as_deref()
            .unwrap()
            .contains("ca-certificates")
    );
}

#[test]
fn ca_file_tests_a_bundle_before_installing_it() {
    let root = TestCa::new("Test Root");
    let server = https(&root.issue(&["127.0.0.1"]));
    let sandbox = Sandbox::new();
    let bundle = root.write_pem(sandbox.path(), "candidate.pem");
    let before = one(&sandbox, &[&server.host_port()]);
    assert!(!before.ok);
    let after = one(
        &sandbox,
        &["--ca-file", bundle.to_str().unwrap(), &server.host_port()],
    );
    assert!(after.ok, "{after:#?}");
    assert!(
        after.trust().go.source.starts_with("--ca-file "),
        "{}",
        after.trust().go.source
    );
    let missing = sandbox.run(
        TOOL,
        &["--ca-file", "/nonexistent.pem", &server.host_port()],
    );
    assert_eq!(missing.status, 2);
}

#[test]
fn proxies_are_used_as_go_uses_them() {
    let root = Arc::new(TestCa::new("Test Root"));
    let target = https(&root.issue(&["proxy.golang.org"]));
    let forward = ConnectProxy::start(
        ConnectMode::Forward(target.addr),
        Arc::clone(&root),
        ok_handler(),
    );
    let auth = ConnectProxy::start(ConnectMode::Refuse(407), Arc::clone(&root), ok_handler());
    let forbidden = ConnectProxy::start(ConnectMode::Refuse(403), Arc::clone(&root), ok_handler());
    let closing = ConnectProxy::start(ConnectMode::Close, Arc::clone(&root), ok_handler());
    let base = trusting(&root);
    let via = |proxy: &str| {
        Sandbox::new()
            .env(
                "SSL_CERT_FILE",
                &base
                    .vars()
                    .iter()
                    .find(|(k, _)| k == "SSL_CERT_FILE")
                    .unwrap()
                    .1,
            )
            .env("HTTPS_PROXY", proxy)
    };

    let r = one(
        &via(&format!("http://user:secret@{}", forward.host_port())),
        &["proxy.golang.org"],
    );
    assert!(r.ok, "{r:#?}");
    assert_eq!(
        r.via_proxy.as_deref(),
        Some(format!("http://user:***@{}", forward.host_port()).as_str())
    );
    assert_eq!(r.proxy_addr.as_deref(), Some(forward.host_port().as_str()));
    assert_eq!(r.addr, None, "the proxy connects by name");
    assert_eq!(r.proxy_status, Some(200));
    assert!(r.proxy_ms.is_some());
    assert_eq!(r.sni.as_deref(), Some("proxy.golang.org"));
    // The handshake, then go's exact hello on a tunnel of its own.
    assert_eq!(
        forward.lines(),
        [
            "CONNECT proxy.golang.org:443",
            "CONNECT proxy.golang.org:443"
        ]
    );
    assert_eq!(
        r.hello.as_ref().map(|h| h.answer.as_str()),
        Some("server_hello")
    );
    assert!(!format!("{r:?}").contains("secret"));

    let cases: [(&Running, &str, &str, Option<u16>); 3] = [
        (
            &auth,
            "proxy_auth_required",
            "Proxy Authentication Required",
            Some(407),
        ),
        (&forbidden, "proxy_refused", "Forbidden", Some(403)),
        (&closing, "proxy_closed", "unexpected EOF", None),
    ];
    for (proxy, code, go_error, status) in cases {
        let r = one(
            &via(&format!("http://{}", proxy.host_port())),
            &["proxy.golang.org"],
        );
        assert_eq!(r.code(), Some(code), "{r:#?}");
        assert_eq!(r.go_error(), go_error);
        assert_eq!(r.proxy_status, status);
        assert!(r.chain.is_empty());
    }
    let r = one(&via("http://127.0.0.1:1"), &["proxy.golang.org"]);
    assert_eq!(r.code(), Some("proxy_unreachable"));
    assert_eq!(
        r.go_error(),
        "proxyconnect tcp: dial tcp 127.0.0.1:1: connect: connection refused"
    );
}

#[test]
fn an_intercepting_proxy_is_named_trusted_or_not() {
    let inspector = Arc::new(TestCa::with_subject("Zscaler Root CA", "Zscaler Inc."));
    let proxy = ConnectProxy::start(ConnectMode::Tunnel, Arc::clone(&inspector), ok_handler());
    let proxy_url = format!("http://{}", proxy.host_port());

    // Trusted (the CA is in SSL_CERT_FILE): the go command works, and it is said.
    let sandbox = trusting(&inspector).env("HTTPS_PROXY", &proxy_url);
    let r = one(&sandbox, &["proxy.golang.org"]);
    assert!(r.ok, "{r:#?}");
    assert!(r.trust().go.ok && !r.trust().public.ok);
    assert_eq!(r.intercepted, Some(true));
    let interception = r.interception.as_ref().unwrap();
    assert_eq!(interception.product.as_deref(), Some("Zscaler"));
    assert!(
        interception.issuer.contains("CN=Zscaler Root CA"),
        "{}",
        interception.issuer
    );
    assert_eq!(r.warning_codes(), ["tls_interception"]);
    assert!(r.warnings[0].message.contains("Zscaler"));

    // Untrusted: Go fails, and the hint names the CA to add with its fingerprint when
    // the proxy presents it; here it presents only the leaf, so the CA is named.
    let sandbox = Sandbox::new().env("HTTPS_PROXY", &proxy_url);
    let r = one(&sandbox, &["sum.golang.org"]);
    assert_eq!(r.code(), Some("tls_no_roots"));
    assert_eq!(r.intercepted, Some(true));
    let hint = r.error.as_ref().unwrap().hint.clone().unwrap();
    assert!(
        hint.contains("Zscaler Root CA") && hint.contains("SSL_CERT_FILE"),
        "{hint}"
    );

    // With the inspecting CA declared public, there is no interception to report.
    let public = inspector.write_pem(sandbox.path(), "public.pem");
    let sandbox = trusting(&inspector).env("HTTPS_PROXY", &proxy_url);
    let r = one(
        &sandbox,
        &[
            "--public-roots",
            public.to_str().unwrap(),
            "proxy.golang.org",
        ],
    );
    assert!(r.ok && r.trust().public.ok, "{r:#?}");
    assert_eq!(r.intercepted, Some(false));
    assert!(r.warnings.is_empty());
}

#[test]
fn an_untrusted_inspector_that_presents_its_ca_is_named_with_its_fingerprint() {
    let inspector = TestCa::with_subject("Corp Inspection Root", "Example Corp");
    let issuing = inspector.intermediate("Corp Inspection Issuing CA");
    let leaf = issuing.issue(&["proxy.golang.org"]).with_chain(&issuing);
    let target = https(&leaf);
    let root = Arc::new(TestCa::new("unused"));
    let proxy = ConnectProxy::start(ConnectMode::Forward(target.addr), root, ok_handler());
    let sandbox = trusting(&TestCa::new("Unrelated Root"))
        .env("HTTPS_PROXY", &format!("http://{}", proxy.host_port()));
    let r = one(&sandbox, &["proxy.golang.org"]);
    assert_eq!(r.code(), Some("tls_intercepted_untrusted"));
    assert_eq!(r.error.as_ref().unwrap().layer, "tls");
    assert_eq!(
        r.trust().go.code.as_deref(),
        Some("tls_unknown_authority"),
        "the verdict keeps the verifier's code"
    );
    assert_eq!(
        r.go_error(),
        "tls: failed to verify certificate: x509: certificate signed by unknown authority",
        "go prints its one x509 line"
    );
    assert_eq!(r.intercepted, Some(true));
    let interception = r.interception.as_ref().unwrap();
    assert!(
        interception.issuer.contains("Corp Inspection Root"),
        "{interception:?}"
    );
    let hint = r.error.as_ref().unwrap().hint.clone().unwrap();
    assert!(hint.contains("Corp Inspection Root"), "{hint}");
}

/// A public name served through a proxy that forwards to `leaf`'s server, trusting
/// `trusted`: the record for proxy.golang.org.
fn public_name_served_by(leaf: &Leaf, trusted: &TestCa) -> TlsRecord {
    let target = https(leaf);
    let proxy = ConnectProxy::start(
        ConnectMode::Forward(target.addr),
        Arc::new(TestCa::new("unused")),
        ok_handler(),
    );
    let sandbox = trusting(trusted).env("HTTPS_PROXY", &format!("http://{}", proxy.host_port()));
    one(&sandbox, &["proxy.golang.org"])
}

#[test]
fn an_untrusted_inspector_is_not_a_self_signed_server_nor_a_missing_intermediate() {
    let unrelated = TestCa::with_subject("Unrelated Root", "Unrelated Inc.");
    // An inspection product that signs with its root and sends the leaf alone.
    let product = TestCa::with_subject("Zscaler Root CA", "Zscaler Inc.");
    let r = public_name_served_by(&product.issue(&["proxy.golang.org"]), &unrelated);
    assert_eq!(r.code(), Some("tls_intercepted_untrusted"), "{r:#?}");
    assert_eq!(r.intercepted, Some(true));
    assert_eq!(
        r.interception.as_ref().unwrap().product.as_deref(),
        Some("Zscaler")
    );
    assert!(r.error.as_ref().unwrap().message.contains("intercepted"));

    // A self-signed certificate for the name: a server of its own, not interception.
    let r = public_name_served_by(&Leaf::self_signed(&["proxy.golang.org"]), &unrelated);
    assert_eq!(r.code(), Some("tls_unknown_authority"), "{r:#?}");
    assert_eq!(r.intercepted, None);
    assert!(r.interception.is_none());
    let message = &r.error.as_ref().unwrap().message;
    assert!(message.contains("self-signed"), "{message}");

    // A public CA's leaf (it names where its issuer can be fetched) sent without its
    // intermediate: a server to fix, not interception.
    let public_like = TestCa::with_subject("Public Root", "Public CA Inc.");
    let issuing = public_like.intermediate("Public Issuing CA");
    let leaf = issuing.issue_with(
        &["proxy.golang.org"],
        LeafOptions {
            ca_issuers: Some("http://ca.test/issuing.crt".to_string()),
            ..LeafOptions::default()
        },
    );
    let r = public_name_served_by(&leaf, &unrelated);
    assert_eq!(r.code(), Some("tls_incomplete_chain"), "{r:#?}");
    assert_eq!(r.intercepted, None);
    assert_eq!(
        r.go_error(),
        "tls: failed to verify certificate: x509: certificate signed by unknown authority"
    );
}

#[test]
fn soon_expiring_certificates_are_warned_about() {
    let root = TestCa::new("Test Root");
    let soon = SystemTime::now() + Duration::from_secs(5 * 24 * 3600);
    let leaf = root.issue_with(
        &["127.0.0.1"],
        LeafOptions {
            not_after: Some(soon),
            ..LeafOptions::default()
        },
    );
    let server = https(&leaf);
    let r = one(&trusting(&root), &[&server.host_port()]);
    assert!(r.ok);
    assert_eq!(r.warning_codes(), ["tls_expiring_soon"]);
    assert!(
        r.warnings[0].message.contains("in 4 days") || r.warnings[0].message.contains("in 5 days")
    );
}

#[test]
fn records_on_stdin_give_every_endpoint_once() {
    let root = TestCa::new("Test Root");
    let server = https(&root.issue(&["localhost", "127.0.0.1"]));
    let port = server.addr.port();
    let dns = format!(
        r#"{{"type":"dns","host":"localhost","port":{port},"addrs":["127.0.0.1","127.0.0.1"],"via_proxy":null}}"#
    );
    let route = format!(
        r#"{{"type":"route","endpoints":[{{"kind":"proxy","url":"https://localhost:{port}/mirror","host":"localhost","port":{port}}},{{"kind":"off","url":null,"host":null}}],"sumdb":{{"url":"https://127.0.0.1:{port}","host":"127.0.0.1"}}}}"#
    );
    let stdin =
        format!("{dns}\n{route}\nlocalhost:{port}\n{{\"type\":\"summary\"}}\nftp://x.example\n");
    let run = trusting(&root).run_with_stdin(TOOL, &["-"], &stdin);
    let lines: Vec<String> = run
        .records()
        .into_iter()
        .map(|r| match r {
            crate::records::Record::Tls(t) => {
                format!("{}:{} {:?} {:?} ok={}", t.host, t.port, t.addr, t.url, t.ok)
            }
            crate::records::Record::InputError(e) => format!("input_error line {}", e.line),
            other => panic!("{other:?}"),
        })
        .collect();
    let addr = format!("Some(\"127.0.0.1:{port}\")");
    assert_eq!(
        lines,
        [
            format!("localhost:{port} {addr} None ok=true"),
            format!("localhost:{port} {addr} Some(\"https://localhost:{port}/mirror\") ok=true"),
            format!("127.0.0.1:{port} {addr} Some(\"https://127.0.0.1:{port}\") ok=true"),
            "input_error line 5".to_string(),
        ]
    );
}

#[test]
fn http_endpoints_are_checked_up_to_tcp() {
    let plain = Server::http(ok_handler());
    let r = one(
        &Sandbox::new(),
        &[&format!("http://{}/goproxy", plain.host_port())],
    );
    assert!(r.ok, "{r:#?}");
    assert_eq!(r.scheme, "http");
    assert_eq!(r.tls_version, None);
    assert!(r.trust.is_none());
}

#[test]
fn text_format_names_the_issuer() {
    let root = TestCa::new("Test Root");
    let server = https(&root.issue(&["127.0.0.1"]));
    let run = trusting(&root).run(TOOL, &["--format", "text", &server.host_port()]);
    assert!(
        run.stdout.starts_with("ok   tls 127.0.0.1:"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("issued by CN=Test Root")
            && run.stdout.contains("trusted by Go on this machine"),
        "{}",
        run.stdout
    );
}

/// go1.23 and later refuse to parse a certificate with a negative serial number, before
/// any trust decision: tls_negative_serial with go's text and the GODEBUG that restores
/// it; with GODEBUG=x509negativeserial=1, or for a go before 1.23 (--go), it is fine.
#[test]
fn a_negative_serial_number_follows_the_go_in_use() {
    let root = TestCa::new("Test Root");
    let server = https(&root.issue_with(
        &["127.0.0.1"],
        LeafOptions {
            negative_serial: true,
            ..LeafOptions::default()
        },
    ));
    let url = format!("https://{}/", server.host_port());
    let record = one(&trusting(&root), &[&url]);
    assert_eq!(record.code(), Some("tls_negative_serial"), "{record:#?}");
    assert_eq!(
        record.go_error(),
        "tls: failed to parse certificate from server: x509: negative serial number"
    );
    let error = record.error.as_ref().unwrap();
    assert!(
        error
            .hint
            .as_deref()
            .unwrap_or_default()
            .contains("GODEBUG=x509negativeserial=1"),
        "{error:?}"
    );
    let default = record
        .godebug
        .iter()
        .find(|g| g.name == "x509negativeserial")
        .unwrap();
    assert_eq!(
        (default.value.as_str(), default.source.as_str()),
        ("0", "default")
    );

    let allowed = one(
        &trusting(&root).env("GODEBUG", "x509negativeserial=1"),
        &[&url],
    );
    assert!(allowed.ok, "{allowed:#?}");
    let setting = allowed
        .godebug
        .iter()
        .find(|g| g.name == "x509negativeserial")
        .unwrap();
    assert_eq!(
        (setting.value.as_str(), setting.source.as_str()),
        ("1", "env")
    );

    // --go: that release's hello and x509 defaults.
    let old_go = one(&trusting(&root), &["--go", "1.22.12", &url]);
    assert!(old_go.ok, "{old_go:#?}");
    let hello = old_go.hello.as_ref().unwrap();
    assert_eq!(hello.go, "go1.22");
    assert!(
        hello.key_shares.iter().all(|s| s.group == "X25519"),
        "{hello:?}"
    );
    let defaults: Vec<(&str, &str, &str)> = old_go
        .godebug
        .iter()
        .map(|g| (g.name.as_str(), g.value.as_str(), g.source.as_str()))
        .collect();
    assert_eq!(
        defaults,
        [
            ("tlsmlkem", "0", "default"),
            ("tlssecpmlkem", "0", "default"),
            ("tlssha1", "1", "default"),
            ("x509negativeserial", "1", "default"),
        ]
    );
}

/// A root with a negative serial number is left out of go's pool (AppendCertsFromPEM
/// skips what ParseCertificate refuses): the chain then has no trusted root.
#[test]
fn a_root_with_a_negative_serial_number_is_not_in_gos_pool() {
    let root = TestCa::root_with(
        "Inspection Root",
        "gomod-tools tests",
        &LeafOptions {
            negative_serial: true,
            ..LeafOptions::default()
        },
    );
    let server = https(&root.issue(&["127.0.0.1"]));
    let url = format!("https://{}/", server.host_port());
    // The store holds another root too, as every real one does.
    let sandbox = Sandbox::new();
    let pem = format!("{}{}", TestCa::new("Another Root").pem(), root.pem());
    let file = sandbox.path().join("roots.pem");
    std::fs::write(&file, pem).unwrap();
    let sandbox = sandbox.env("SSL_CERT_FILE", file.to_str().unwrap());
    let record = one(&sandbox, &[&url]);
    assert_eq!(record.code(), Some("tls_negative_serial"), "{record:#?}");
    assert_eq!(
        record.go_error(),
        "tls: failed to verify certificate: x509: certificate signed by unknown authority"
    );
    let error = record.error.as_ref().unwrap();
    assert!(error.message.contains("Inspection Root"), "{error:?}");
    assert!(
        error
            .hint
            .as_deref()
            .unwrap_or_default()
            .contains("GODEBUG=x509negativeserial=1")
    );
    let allowed = one(&sandbox.env("GODEBUG", "x509negativeserial=1"), &[&url]);
    assert!(allowed.ok, "{allowed:#?}");
}

/// A certificate signed with SHA-1: go refuses the algorithm (and no GODEBUG helps a
/// go1.24 or later): tls_insecure_signature, go's unknown-authority line with the
/// reason.
#[test]
fn a_sha1_signature_is_refused_with_gos_words() {
    let root = TestCa::new("Test Root");
    let server = https(&root.issue_with(
        &["127.0.0.1"],
        LeafOptions {
            sha1_signature: true,
            ..LeafOptions::default()
        },
    ));
    let url = format!("https://{}/", server.host_port());
    let record = one(&trusting(&root), &[&url]);
    assert_eq!(record.code(), Some("tls_insecure_signature"), "{record:#?}");
    assert_eq!(
        record.go_error(),
        "tls: failed to verify certificate: x509: certificate signed by unknown authority (possibly because of \"x509: cannot verify signature: insecure algorithm ECDSA-SHA1\" while trying to verify candidate authority certificate \"Test Root\")"
    );
    let hint = record
        .error
        .as_ref()
        .unwrap()
        .hint
        .clone()
        .unwrap_or_default();
    assert!(
        hint.contains("x509sha1") && hint.contains("removed"),
        "{hint}"
    );
}
