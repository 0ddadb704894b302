//! The toolchain decision next to go1.27 itself: go runs with GOTOOLCHAIN=auto (or the
//! case's setting) in a module whose go.mod asks for a newer Go, against a loopback
//! GOPROXY, and its error line must be exactly the `go_error` of our record (resolve's
//! for what it decides up front, fetch's for what the proxy answers); the proxy's log
//! shows that go asked for the module version resolve names.
//!
//! go cannot reach out: GOPROXY is the loopback mock alone (no `direct`, so go never
//! tries golang.org's own route), GOSUMDB is off or the loopback sumdbserver,
//! HTTP(S)_PROXY point at a closed loopback port for any other host, GOVCS is off, and
//! HOME, GOPATH, GOMODCACHE, GOCACHE and GOENV are fresh. Skipped (with a note)
//! without go1.27, unless GOMOD_REQUIRE_GO is set.

use std::path::Path;

use gomod_testsupport::goproxy::{GoProxy, RunningProxy, refused_port};
use gomod_testsupport::gosumdb::GoSumdb;

use crate::Sandbox;
use crate::interop::{go_command, go_sandbox, newest_go};
use crate::records::{Record, ToolchainRecord};
use crate::sumverify::SumRecord;
use crate::toolchain::{not_available, toolchain_version};

/// What the fake toolchain prints when go runs it.
const FAKE_GO_SAYS: &str = "fake go1.28.0 ran";

/// A go sandbox for one case: go.mod with `lines`, GOTOOLCHAIN=auto, GOPROXY `proxy`,
/// GOSUMDB off, everything else pinned to the sandbox or a closed port.
fn sandbox(go: &Path, lines: &str, proxy: &RunningProxy) -> Sandbox {
    let closed = format!("http://127.0.0.1:{}", refused_port());
    let sandbox = go_sandbox(go)
        .env("GOTOOLCHAIN", "auto")
        .env("GOPROXY", &proxy.url())
        .env("GOSUMDB", "off")
        .env("GOVCS", "*:off")
        .env("HTTPS_PROXY", &closed)
        .env("HTTP_PROXY", &closed);
    let dir = sandbox.path().to_path_buf();
    let sandbox = sandbox
        .env("GOENV", dir.join("goenv").to_str().unwrap())
        .env("GOPATH", dir.join("gopath").to_str().unwrap())
        .env("GOMODCACHE", dir.join("gomodcache").to_str().unwrap())
        .env("GOCACHE", dir.join("gocache").to_str().unwrap());
    sandbox.write("go.mod", &format!("module example.com/m\n\n{lines}"));
    sandbox
}

/// Runs go with `args` in the sandbox: exit status, stdout and the last stderr line.
fn run_go(go: &Path, sandbox: &Sandbox, args: &[&str]) -> (i32, String, String) {
    let out = go_command(sandbox, go).args(args).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let last = stderr
        .trim_end()
        .lines()
        .last()
        .unwrap_or_default()
        .to_string();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        last,
    )
}

/// Our toolchain record for the sandbox (the local go found on PATH, as go's own).
fn decide(sandbox: &Sandbox) -> (ToolchainRecord, String) {
    let run = sandbox.run("gomod-resolve", &["--toolchain", "--offline"]);
    let mut records = run.records();
    assert_eq!(records.len(), 1, "{}\n{}", run.stdout, run.stderr);
    let record = records.remove(0).toolchain();
    let local = record
        .local
        .as_ref()
        .expect("the local go is found on PATH");
    assert_eq!(
        (local.toolchain.as_str(), local.source.as_str()),
        ("go1.27.3", "goroot"),
        "{record:?}"
    );
    (record, run.stdout)
}

/// The paths go asked the proxy for.
fn asked(proxy: &RunningProxy) -> Vec<String> {
    proxy.targets()
}

#[test]
fn a_proxy_without_the_toolchain_is_toolchain_not_available_for_both() {
    let Some(go) = newest_go() else { return };
    let proxy = GoProxy::new().start();
    let sandbox = sandbox(&go, "go 1.28.1\n", &proxy);
    let (status, _, line) = run_go(&go, &sandbox, &["version"]);
    assert_eq!(status, 1);
    assert_eq!(line, not_available("go1.28.1"));
    let version = toolchain_version("go1.28.1");
    assert_eq!(
        asked(&proxy),
        [format!("/golang.org/toolchain/@v/{version}.zip")],
        "go asks for the zip alone, and nothing else"
    );
    let (record, resolved) = decide(&sandbox);
    assert_eq!(record.version.as_deref(), Some(version.as_str()));
    let route = record.route.as_ref().unwrap();
    assert_eq!(
        route.endpoints[0].requests,
        [format!(
            "{}{}",
            proxy.url().trim_end_matches('/'),
            asked(&proxy)[0]
        )]
    );
    let fetched = sandbox.run_with_stdin("gomod-fetch", &[], &resolved);
    let fetch = Record::parse(fetched.stdout.trim()).fetch();
    assert_eq!(fetch.code(), Some("toolchain_not_available"));
    assert_eq!(fetch.go_error(), line);
}

#[test]
fn a_bare_language_go_line_asks_for_its_first_release() {
    let Some(go) = newest_go() else { return };
    let proxy = GoProxy::new().start();
    let sandbox = sandbox(&go, "go 1.28\n", &proxy);
    let (status, _, line) = run_go(&go, &sandbox, &["version"]);
    assert_eq!(status, 1);
    assert_eq!(line, not_available("go1.28.0"));
    let version = toolchain_version("go1.28.0");
    assert_eq!(
        asked(&proxy),
        [format!("/golang.org/toolchain/@v/{version}.zip")]
    );
    let (record, resolved) = decide(&sandbox);
    assert_eq!(record.selected.as_deref(), Some("go1.28.0"));
    assert_eq!(record.version.as_deref(), Some(version.as_str()));
    let fetched = sandbox.run_with_stdin("gomod-fetch", &[], &resolved);
    assert_eq!(
        Record::parse(fetched.stdout.trim()).fetch().go_error(),
        line
    );
}

#[test]
fn go_1_22_runs_the_local_go_without_a_request() {
    let Some(go) = newest_go() else { return };
    let proxy = GoProxy::new().start();
    let sandbox = sandbox(&go, "go 1.22\n", &proxy);
    let (status, stdout, _) = run_go(&go, &sandbox, &["version"]);
    assert_eq!(status, 0);
    assert!(stdout.starts_with("go version go1.27.3 "), "{stdout}");
    assert!(asked(&proxy).is_empty(), "{:?}", asked(&proxy));
    let (record, _) = decide(&sandbox);
    assert!(record.ok && !record.switch, "{record:?}");
    assert_eq!(record.selected.as_deref(), Some("go1.27.3"));
}

#[test]
fn a_language_version_in_the_toolchain_line() {
    let Some(go) = newest_go() else { return };
    let proxy = GoProxy::new().start();
    let sandbox = sandbox(&go, "go 1.21.0\n\ntoolchain go1.28\n", &proxy);
    let (status, _, line) = run_go(&go, &sandbox, &["version"]);
    assert_eq!(status, 1);
    let (record, _) = decide(&sandbox);
    assert_eq!(record.code(), Some("toolchain_invalid"));
    assert_eq!(record.go_error(), line);
    // go does ask for it (the proxy may not answer 404 for a name that cannot exist).
    let version = toolchain_version("go1.28");
    assert_eq!(
        asked(&proxy),
        [format!("/golang.org/toolchain/@v/{version}.zip")]
    );
}

#[test]
fn gotoolchain_local_with_a_newer_go_line() {
    let Some(go) = newest_go() else { return };
    let proxy = GoProxy::new().start();
    let sandbox = sandbox(&go, "go 1.28.1\n", &proxy).env("GOTOOLCHAIN", "local");
    // `go version` loads no module; a command that does stops.
    let (status, _, line) = run_go(&go, &sandbox, &["list", "-m"]);
    assert_eq!(status, 1);
    let (record, _) = decide(&sandbox);
    assert_eq!(record.code(), Some("toolchain_too_old"));
    assert_eq!(record.go_error(), line);
    assert!(asked(&proxy).is_empty());
}

#[test]
fn toolchain_default_with_a_newer_go_line() {
    let Some(go) = newest_go() else { return };
    let proxy = GoProxy::new().start();
    let sandbox = sandbox(&go, "go 1.28.1\n\ntoolchain default\n", &proxy);
    let (status, _, line) = run_go(&go, &sandbox, &["list", "-m"]);
    assert_eq!(status, 1);
    let (record, _) = decide(&sandbox);
    assert_eq!(record.code(), Some("toolchain_too_old"));
    assert_eq!(record.go_error(), line);
}

/// A proxy serving go1.28.0 for this platform: a `bin/go` that says it ran, and the
/// directories go sets execute bits in.
fn toolchain_proxy() -> (GoProxy, String) {
    let version = toolchain_version("go1.28.0");
    let script = format!("#!/bin/sh\necho \"{FAKE_GO_SAYS}\"\n");
    let proxy = GoProxy::new().module(
        "golang.org/toolchain",
        &version,
        &[
            ("bin/go", script.as_bytes()),
            // go makes these executable before it runs bin/go: they must exist.
            ("bin/gofmt", b"#!/bin/sh\n" as &[u8]),
            ("pkg/tool/placeholder", b""),
            ("lib/placeholder", b""),
            ("go.mod", b"module golang.org/toolchain\n"),
        ],
    );
    (proxy, version)
}

#[test]
fn gosumdb_off_refuses_a_served_toolchain() {
    let Some(go) = newest_go() else { return };
    let (proxy, _) = toolchain_proxy();
    let proxy = proxy.start();
    let sandbox = sandbox(&go, "go 1.28.0\n", &proxy);
    let (status, _, line) = run_go(&go, &sandbox, &["version"]);
    assert_eq!(status, 1);
    let (record, _) = decide(&sandbox);
    assert_eq!(record.code(), Some("toolchain_sumdb_off"));
    assert_eq!(record.go_error(), line);
}

/// The whole switch against the loopback checksum database: go downloads the
/// toolchain, verifies it and runs it; gomod-sumverify verifies the record's module
/// against the same database.
#[test]
fn a_verified_toolchain_is_run_and_verifies_for_us_too() {
    let Some(go) = newest_go() else { return };
    let Some(fixture) = GoSumdb::get(Path::new(env!("CARGO_TARGET_TMPDIR"))) else {
        return;
    };
    let (proxy, version) = toolchain_proxy();
    let records = proxy.go_sum();
    let proxy = proxy.start();
    let work = tempfile::tempdir().unwrap();
    let server = fixture.start(work.path(), &records, &[]);
    let sandbox = sandbox(&go, "go 1.28.0\n", &proxy).env("GOSUMDB", &server.gosumdb);
    let (status, stdout, line) = run_go(&go, &sandbox, &["version"]);
    assert_eq!((status, stdout.trim()), (0, FAKE_GO_SAYS), "{line}");
    let (record, resolved) = decide(&sandbox);
    assert!(record.ok, "{record:?}");
    assert_eq!(record.version.as_deref(), Some(version.as_str()));
    let state = sandbox.path().join("state");
    let run = sandbox.run_with_stdin(
        "gomod-sumverify",
        &["--state-dir", state.to_str().unwrap()],
        &resolved,
    );
    let sum: SumRecord = serde_json::from_str(run.stdout.trim())
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", run.stdout, run.stderr));
    assert!(sum.ok, "{sum:?}");
    assert_eq!(sum.module, "golang.org/toolchain");
    assert!(sum.sumdb.as_ref().is_some_and(|db| db.verified), "{sum:?}");
}

#[test]
fn an_empty_gotoolchain_in_the_go_env_file_never_switches() {
    // The go env file's `GOTOOLCHAIN=` hides go.env's `auto`: go never switches, and
    // the module stops it without a GOTOOLCHAIN note.
    let Some(go) = newest_go() else { return };
    let proxy = GoProxy::new().start();
    let sandbox = sandbox(&go, "go 1.28.1\n", &proxy);
    let goenv = sandbox.write("goenv", "GOTOOLCHAIN=\n");
    let sandbox = sandbox
        .env("GOENV", goenv.to_str().unwrap())
        .without("GOTOOLCHAIN");
    let (status, _, line) = run_go(&go, &sandbox, &["list", "-m"]);
    assert_eq!(status, 1);
    let (record, _) = decide(&sandbox);
    let gotoolchain = record.gotoolchain.as_ref().unwrap();
    assert_eq!(
        (gotoolchain.value.as_str(), gotoolchain.source.as_str()),
        ("", "goenv")
    );
    assert_eq!(record.code(), Some("toolchain_too_old"));
    assert_eq!(record.go_error(), line);
    assert!(asked(&proxy).is_empty());
}
