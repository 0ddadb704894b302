//! Go's ClientHello, compared with the real go1.27: a loopback listener captures the
//! first TLS record that `go mod download` sends to a GOPROXY, and the hellos
//! gomod-tlscheck sends to the same kind of listener (its rustls handshake and its raw
//! hello probe); they must agree field by field and by JA4. Then a relay that blocks
//! every hello offering X25519MLKEM768 (reset, or silence): go fails through it,
//! GODEBUG=tlsmlkem=0 go gets through, and gomod-tlscheck reports tls_hello_rejected
//! with that fix and go's words.

use std::path::Path;

use gomod_common::net::hello::{self, ClientHello};
use gomod_testsupport::TestCa;
use gomod_testsupport::goproxy::GoProxy;
use gomod_testsupport::hellogate::{GateMode, HelloCapture, HelloGate};

use crate::Sandbox;
use crate::interop::{go_command, go_sandbox, newest_go};
use crate::records::{Record, TlsRecord};

/// A sandbox for `go mod download` against `proxy`: fresh GOPATH, module cache and go
/// env file, no checksum database, local toolchain.
fn go_env(go: &Path, proxy: &str, godebug: &str) -> Sandbox {
    let sandbox = go_sandbox(go);
    let root = sandbox.path().display().to_string();
    let mut sandbox = sandbox
        .env("GOPATH", &format!("{root}/gopath"))
        .env("GOMODCACHE", &format!("{root}/gopath/pkg/mod"))
        .env("GOENV", &format!("{root}/goenv"))
        .env("GOPROXY", proxy)
        .env("GOSUMDB", "off")
        .env("GOFLAGS", "-mod=mod -modcacherw");
    if !godebug.is_empty() {
        sandbox = sandbox.env("GODEBUG", godebug);
    }
    sandbox
}

fn go_download(go: &Path, sandbox: &Sandbox, module: &str) -> std::process::Output {
    go_command(sandbox, go)
        .args(["mod", "download", module])
        .output()
        .unwrap()
}

fn tls_records(sandbox: &Sandbox, target: &str) -> Vec<TlsRecord> {
    let run = sandbox.run("gomod-tlscheck", &["--timeout", "30s", target]);
    run.records()
        .into_iter()
        .filter_map(|r| match r {
            Record::Tls(t) => Some(*t),
            _ => None,
        })
        .collect()
}

fn show(h: &ClientHello) -> String {
    format!("{h:#x?}")
}

/// go1.27's hello (default, GODEBUG=tlsmlkem=0, and tlssha1=1, which offers the SHA-1
/// signature algorithms again) against the tools' hellos.
#[test]
fn hellos_agree_with_go127() {
    let Some(go) = newest_go() else { return };
    for godebug in ["", "tlsmlkem=0", "tlssha1=1"] {
        let capture = HelloCapture::start();
        let sandbox = go_env(&go, &format!("https://{}", capture.addr()), godebug);
        let out = go_download(&go, &sandbox, "example.com/m@v1.0.0");
        assert!(!out.status.success());
        let go_hellos = capture.hellos();
        let go_bytes = go_hellos.first().expect("go sent a ClientHello");
        let go_hello = hello::parse(go_bytes).unwrap();

        let ours = HelloCapture::start();
        let sandbox = go_sandbox(&go);
        let sandbox = if godebug.is_empty() {
            sandbox
        } else {
            sandbox.env("GODEBUG", godebug)
        };
        let records = tls_records(&sandbox, &format!("https://{}/", ours.addr()));
        let hellos = ours.hellos();
        // The rustls handshake, go's hello and (for go's default) the classic one.
        assert!(hellos.len() >= 2, "{records:#?}");
        let rustls_hello = hello::parse(&hellos[0]).unwrap();
        let probe = hello::parse(&hellos[1]).unwrap();

        // Every connection: go's groups, key shares and sizes, versions, ALPN.
        for (what, h) in [("rustls handshake", &rustls_hello), ("hello probe", &probe)] {
            let context = format!(
                "{what} (GODEBUG={godebug}):\n{}\ngo:\n{}",
                show(h),
                show(&go_hello)
            );
            assert_eq!(h.groups, go_hello.groups, "{context}");
            assert_eq!(h.key_shares, go_hello.key_shares, "{context}");
            assert_eq!(h.versions, go_hello.versions, "{context}");
            assert_eq!(h.alpn, go_hello.alpn, "{context}");
            assert_eq!(h.server_name, go_hello.server_name, "{context}");
            // rustls has no ML-DSA: go's list without what rustls lacks, in go's order.
            let go_has: Vec<u16> = go_hello
                .signature_algorithms
                .iter()
                .copied()
                .filter(|s| h.signature_algorithms.contains(s))
                .collect();
            assert_eq!(h.signature_algorithms, go_has, "{context}");
        }
        // The probe is go's hello: every field, the extension order, the size, JA4.
        let context = format!("probe:\n{}\ngo:\n{}", show(&probe), show(&go_hello));
        assert_eq!(probe.cipher_suites, go_hello.cipher_suites, "{context}");
        assert_eq!(probe.extensions, go_hello.extensions, "{context}");
        assert_eq!(
            probe.signature_algorithms, go_hello.signature_algorithms,
            "{context}"
        );
        assert_eq!(
            probe.signature_algorithms_cert, go_hello.signature_algorithms_cert,
            "{context}"
        );
        assert_eq!(probe.session_id_len, go_hello.session_id_len, "{context}");
        assert_eq!(probe.record_bytes, go_hello.record_bytes, "{context}");
        assert_eq!(probe.records, go_hello.records, "{context}");
        assert_eq!(hello::ja4(&probe), hello::ja4(&go_hello));
        // The record tells the same.
        let record = &records[0];
        let recorded = record.hello.as_ref().expect("a hello probe in the record");
        assert_eq!(recorded.ja4, hello::ja4(&go_hello));
        assert_eq!(recorded.bytes, go_bytes.len());
        assert_eq!(recorded.godebug, godebug);
        assert_eq!(recorded.answer, "closed");
    }
}

/// A relay that blocks hellos offering X25519MLKEM768, in front of a GOPROXY.
fn gated(mode: GateMode) -> (HelloGate, gomod_testsupport::goproxy::RunningProxy, TestCa) {
    let ca = TestCa::new("gomod test CA");
    let upstream = GoProxy::new()
        .module(
            "example.com/m",
            "v1.0.0",
            &[("go.mod", b"module example.com/m\n")],
        )
        .start_https(&ca.issue(&["127.0.0.1"]));
    let gate = HelloGate::start(upstream.addr, hello::group::X25519_MLKEM768, mode);
    (gate, upstream, ca)
}

fn hello_rejected_case(mode: GateMode, answer: &str) {
    let Some(go) = newest_go() else { return };
    let (gate, _upstream, ca) = gated(mode);
    let proxy = format!("https://{}", gate.addr());

    let sandbox = go_env(&go, &proxy, "");
    let ca_file = ca.write_pem(sandbox.path(), "ca.pem");
    let ca_file = ca_file.to_str().unwrap();
    let sandbox = sandbox.env("SSL_CERT_FILE", ca_file);
    let failed = go_download(&go, &sandbox, "example.com/m@v1.0.0");
    let go_stderr = String::from_utf8_lossy(&failed.stderr).to_string();
    assert!(!failed.status.success(), "go got through: {go_stderr}");

    let fixed = go_env(&go, &proxy, "tlsmlkem=0").env("SSL_CERT_FILE", ca_file);
    let ok = go_download(&go, &fixed, "example.com/m@v1.0.0");
    assert!(
        ok.status.success(),
        "GODEBUG=tlsmlkem=0 go failed: {}",
        String::from_utf8_lossy(&ok.stderr)
    );

    let tools = go_sandbox(&go).env("SSL_CERT_FILE", ca_file);
    let records = tls_records(&tools, &format!("{proxy}/"));
    let record = &records[0];
    assert_eq!(record.code(), Some("tls_hello_rejected"), "{record:#?}");
    let error = record.error.as_ref().unwrap();
    let hint = error.hint.as_deref().unwrap_or_default();
    assert!(hint.contains("GODEBUG=tlsmlkem=0,tlssecpmlkem=0"), "{hint}");
    assert!(hint.contains("tlsrsakex"), "{hint}");
    let probe = record.hello.as_ref().unwrap();
    assert_eq!(probe.answer, answer);
    assert_eq!(probe.key_shares[0].group, "X25519MLKEM768");
    assert_eq!(probe.key_shares[0].bytes, 1216);
    let classic = record.classic_hello.as_ref().unwrap();
    assert_eq!(classic.answer, "server_hello");
    assert_eq!(classic.godebug, "tlsmlkem=0");
    assert!(classic.bytes < 600, "{classic:?}");
    // go's own words, but for the local port.
    let go_error = record.go_error();
    let go_line = go_stderr
        .lines()
        .find(|l| l.contains("Get \""))
        .unwrap_or_else(|| panic!("no Get line in {go_stderr}"));
    let after_get = go_line.split_once("\": ").map(|(_, rest)| rest).unwrap();
    assert_eq!(
        normalise_port(after_get),
        normalise_port(go_error),
        "{go_stderr}"
    );
    assert!(gate.blocked() >= 3);
}

/// Replaces the local port in `read tcp A:P->B:Q`.
fn normalise_port(text: &str) -> String {
    match text.split_once("->") {
        Some((head, tail)) => match head.rsplit_once(':') {
            Some((host, _)) => format!("{host}:PORT->{tail}"),
            None => text.to_string(),
        },
        None => text.to_string(),
    }
}

#[test]
fn a_relay_resetting_go_hellos_is_tls_hello_rejected() {
    hello_rejected_case(GateMode::Reset, "reset");
}

#[test]
fn a_relay_swallowing_go_hellos_is_tls_hello_rejected() {
    hello_rejected_case(GateMode::Silence, "silence");
}

/// Go's own TLS server, limited to one group at a time: gomod-tlscheck's handshake
/// agrees with it on each group go offers (the ML-KEM and ECDH halves interoperate with
/// Go's), and the record names the group as Go does.
#[test]
fn each_group_agrees_with_gos_tls_server() {
    use std::io::BufRead;
    let Some(go) = newest_go() else { return };
    let build = go_sandbox(&go);
    let server = crate::interop::build_go_program(&go, &build, "tlsserver");
    let ca = TestCa::new("gomod test CA");
    let leaf = ca.issue(&["127.0.0.1"]);
    let cert = build.write("leaf.pem", &leaf.pem());
    let key = build.write("leaf-key.pem", &leaf.key_pem());
    let ca_file = ca.write_pem(build.path(), "ca.pem");
    let tools = go_sandbox(&go).env("SSL_CERT_FILE", ca_file.to_str().unwrap());
    for (id, name) in [
        (0x11ec, "X25519MLKEM768"),
        (0x11eb, "SecP256r1MLKEM768"),
        (0x11ed, "SecP384r1MLKEM1024"),
        (0x001d, "X25519"),
        (0x0017, "CurveP256"),
        (0x0018, "CurveP384"),
        (0x0019, "CurveP521"),
    ] {
        let mut child = go_command(&build, &server)
            .arg(&cert)
            .arg(&key)
            .arg(u16::to_string(&id))
            .stdout(std::process::Stdio::piped())
            // The server logs the probes' connections, which end after the first answer.
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let mut addr = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut addr)
            .unwrap();
        let records = tls_records(&tools, &format!("https://{}/", addr.trim()));
        let _ = child.kill();
        let _ = child.wait();
        let record = &records[0];
        assert!(record.ok, "{name}: {record:#?}");
        assert_eq!(record.group.as_deref(), Some(name), "{record:#?}");
        assert_eq!(record.tls_version.as_deref(), Some("TLS 1.3"));
        let probe = record.hello.as_ref().unwrap();
        // The hello probe's answer: a ServerHello for the first group, else a
        // HelloRetryRequest for the one the server wants.
        let expected = if matches!(id, 0x11ec | 0x001d) {
            "server_hello"
        } else {
            "hello_retry_request"
        };
        assert_eq!(probe.answer, expected, "{name}: {probe:?}");
        assert_eq!(probe.server_group.as_deref(), Some(name));
    }
}
