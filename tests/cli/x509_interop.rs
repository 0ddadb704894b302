//! go1.27's x509 rules, checked against the real go command: `go mod download` from a
//! loopback GOPROXY whose certificate has a negative serial number (refused unless
//! GODEBUG=x509negativeserial=1) or a SHA-1 signature (refused, no setting helps), and
//! gomod-tlscheck against the same server: the same verdict and go's own words. The
//! go command's defaults are its release's: the test module's go line does not matter.
//! Skipped (visibly) without go1.27, a failure with GOMOD_REQUIRE_GO=1.

use std::path::Path;

use gomod_testsupport::goproxy::GoProxy;
use gomod_testsupport::{LeafOptions, TestCa};

use crate::Sandbox;
use crate::interop::{go_command, go_sandbox, newest_go};

/// What go and gomod-tlscheck make of a GOPROXY presenting `options`' leaf.
struct Outcome {
    /// go's text after `Get "URL": `, or None when the download worked.
    go: Option<String>,
    /// gomod-tlscheck's record.
    tls: crate::records::TlsRecord,
    /// gomod-fetch's record for the same download.
    fetch: crate::records::FetchRecord,
}

fn run_case(go: &Path, options: LeafOptions, godebug: &str) -> Outcome {
    let ca = TestCa::new("x509 interop root");
    let proxy = GoProxy::new()
        .module(
            "example.com/m",
            "v1.0.0",
            &[("go.mod", b"module example.com/m\n")],
        )
        .start_https(&ca.issue_with(&["127.0.0.1"], options));
    let url = format!("https://{}", proxy.addr);
    let sandbox = go_sandbox(go);
    let root = sandbox.path().display().to_string();
    let ca_file = ca.write_pem(sandbox.path(), "ca.pem");
    let mut sandbox: Sandbox = sandbox
        .env("GOPATH", &format!("{root}/gopath"))
        .env("GOMODCACHE", &format!("{root}/gopath/pkg/mod"))
        .env("GOENV", &format!("{root}/goenv"))
        .env("GOPROXY", &url)
        .env("GOSUMDB", "off")
        .env("GOVCS", "*:off")
        .env("SSL_CERT_FILE", ca_file.to_str().unwrap());
    if !godebug.is_empty() {
        sandbox = sandbox.env("GODEBUG", godebug);
    }
    let output = go_command(&sandbox, go)
        .args(["mod", "download", "example.com/m@v1.0.0"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).to_string();
    let go_text = (!output.status.success()).then(|| {
        let line = stderr
            .lines()
            .find(|l| l.contains("Get \""))
            .unwrap_or_else(|| panic!("no Get line in {stderr}"));
        line.split_once("\": ")
            .map(|(_, rest)| rest.to_string())
            .unwrap()
    });
    let run = sandbox.run("gomod-tlscheck", &[&format!("{url}/")]);
    let mut records = run.records();
    assert_eq!(records.len(), 1, "{}", run.stdout);
    let tls = records.remove(0).tls();
    let run = sandbox.run("gomod-fetch", &["example.com/m@v1.0.0"]);
    let mut records = run.records();
    assert_eq!(records.len(), 1, "{}", run.stdout);
    Outcome {
        go: go_text,
        tls,
        fetch: records.remove(0).fetch(),
    }
}

fn negative_serial() -> LeafOptions {
    LeafOptions {
        negative_serial: true,
        ..LeafOptions::default()
    }
}

#[test]
fn a_negative_serial_number_is_refused_as_go_refuses_it() {
    let Some(go) = newest_go() else { return };
    let refused = run_case(&go, negative_serial(), "");
    let go_text = refused
        .go
        .expect("go1.27 accepted a negative serial number");
    assert_eq!(
        go_text,
        "tls: failed to parse certificate from server: x509: negative serial number"
    );
    assert_eq!(refused.tls.code(), Some("tls_negative_serial"));
    assert_eq!(refused.tls.go_error(), go_text);
    assert_eq!(refused.fetch.code(), Some("tls_negative_serial"));
    assert!(
        refused.fetch.go_error().ends_with(&go_text),
        "{}",
        refused.fetch.go_error()
    );

    let allowed = run_case(&go, negative_serial(), "x509negativeserial=1");
    assert_eq!(allowed.go, None, "GODEBUG=x509negativeserial=1 go failed");
    assert!(allowed.tls.ok, "{:#?}", allowed.tls);
    assert!(allowed.fetch.ok, "{:#?}", allowed.fetch);
}

#[test]
fn a_sha1_signature_is_refused_as_go_refuses_it() {
    let Some(go) = newest_go() else { return };
    let sha1 = LeafOptions {
        sha1_signature: true,
        ..LeafOptions::default()
    };
    let refused = run_case(&go, sha1, "");
    let go_text = refused.go.expect("go1.27 accepted a SHA-1 signature");
    assert!(
        go_text.contains("insecure algorithm ECDSA-SHA1"),
        "{go_text}"
    );
    assert_eq!(refused.tls.code(), Some("tls_insecure_signature"));
    assert_eq!(refused.tls.go_error(), go_text);
}
