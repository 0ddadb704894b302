//! `gomod-resolve --toolchain` and the toolchain module through gomod-fetch, without
//! go: the local go is given with --go, PATH is empty (or holds only a test's own
//! files), and every proxy is a loopback mock. toolchain_interop.rs holds each case
//! against go1.27 itself.

use gomod_testsupport::goproxy::GoProxy;

use crate::Sandbox;
use crate::records::{Record, ToolchainRecord};

/// The toolchain module version for this machine, as go names it.
pub fn toolchain_version(toolchain: &str) -> String {
    let (goos, goarch) = gomod_common::toolchain::host_platform();
    format!("v0.0.1-{toolchain}.{goos}-{goarch}")
}

/// `go: download go1.28.1 for linux/amd64: toolchain not available` for this machine.
pub fn not_available(toolchain: &str) -> String {
    let (goos, goarch) = gomod_common::toolchain::host_platform();
    format!("go: download {toolchain} for {goos}/{goarch}: toolchain not available")
}

/// A sandbox with a go.mod of `lines` (after the module line) and GOPROXY at `proxy`.
fn module_sandbox(lines: &str, proxy: &str) -> Sandbox {
    let sandbox = Sandbox::new().env("GOPROXY", proxy).env("GOENV", "off");
    sandbox.write("go.mod", &format!("module example.com/m\n\n{lines}"));
    sandbox
}

/// The one toolchain record of `gomod-resolve --toolchain --offline --go 1.27.3`.
fn decide(sandbox: &Sandbox, extra: &[&str]) -> ToolchainRecord {
    let mut args = vec!["--toolchain", "--offline", "--go", "1.27.3"];
    args.extend_from_slice(extra);
    let run = sandbox.run("gomod-resolve", &args);
    let mut records = run.records();
    assert_eq!(records.len(), 1, "{}\n{}", run.stdout, run.stderr);
    records.remove(0).toolchain()
}

#[test]
fn a_newer_go_line_switches_through_the_proxy_and_the_checksum_database() {
    let sandbox = module_sandbox("go 1.28.1\n", "http://127.0.0.1:9");
    let record = decide(&sandbox, &[]);
    assert!(record.ok, "{record:?}");
    assert_eq!(record.file.as_deref(), Some("go.mod"));
    assert_eq!(record.go_line.as_deref(), Some("1.28.1"));
    assert_eq!(record.selected.as_deref(), Some("go1.28.1"));
    assert_eq!(record.reason.as_deref(), Some("go_line"));
    assert!(record.switch);
    let local = record.local.as_ref().unwrap();
    assert_eq!(
        (local.toolchain.as_str(), local.source.as_str()),
        ("go1.27.3", "flag")
    );
    let gotoolchain = record.gotoolchain.as_ref().unwrap();
    assert_eq!(gotoolchain.value, "auto");
    assert_eq!(gotoolchain.mode, "auto");
    assert_eq!(gotoolchain.minimum, "go1.27.3");
    assert_eq!(record.module.as_deref(), Some("golang.org/toolchain"));
    let version = toolchain_version("go1.28.1");
    assert_eq!(record.version.as_deref(), Some(version.as_str()));
    let route = record.route.as_ref().unwrap();
    // go asks the proxy for the zip alone.
    assert_eq!(route.endpoints.len(), 1);
    assert_eq!(
        route.endpoints[0].requests,
        [format!(
            "http://127.0.0.1:9/golang.org/toolchain/@v/{version}.zip"
        )]
    );
    assert_eq!(route.sumdb.as_ref().unwrap().name, "sum.golang.org");
}

#[test]
fn go_1_22_needs_no_switch_and_go_1_28_means_its_first_release() {
    let sandbox = module_sandbox("go 1.22\n", "http://127.0.0.1:9");
    let record = decide(&sandbox, &[]);
    assert!(record.ok && !record.switch, "{record:?}");
    assert_eq!(record.selected.as_deref(), Some("go1.27.3"));
    assert_eq!(record.reason.as_deref(), Some("local"));
    assert!(record.module.is_none() && record.route.is_none());
    assert!(record.warnings.is_empty(), "{:?}", record.warnings);

    let sandbox = module_sandbox("go 1.28\n", "http://127.0.0.1:9");
    let record = decide(&sandbox, &[]);
    assert_eq!(record.selected.as_deref(), Some("go1.28.0"));
    let version = toolchain_version("go1.28.0");
    assert_eq!(record.version.as_deref(), Some(version.as_str()));
    let codes: Vec<&str> = record.warnings.iter().map(|w| w.code.as_str()).collect();
    assert_eq!(codes, ["toolchain_language_version"]);
}

#[test]
fn a_language_version_in_the_toolchain_line_is_refused_with_gos_words() {
    let sandbox = module_sandbox("go 1.21.0\n\ntoolchain go1.28\n", "http://127.0.0.1:9");
    let record = decide(&sandbox, &[]);
    assert!(!record.ok);
    assert_eq!(record.code(), Some("toolchain_invalid"));
    assert_eq!(
        record.go_error(),
        "go: invalid toolchain: go1.28 is a language version but not a toolchain version (go1.28.x)"
    );
    assert!(record.module.is_none());
}

#[test]
fn gotoolchain_local_with_a_newer_go_line_stops_go() {
    let sandbox = module_sandbox("go 1.28.1\n", "http://127.0.0.1:9").env("GOTOOLCHAIN", "local");
    let record = decide(&sandbox, &[]);
    assert_eq!(record.code(), Some("toolchain_too_old"));
    assert_eq!(
        record.go_error(),
        "go: go.mod requires go >= 1.28.1 (running go 1.27.3; GOTOOLCHAIN=local)"
    );
    let gotoolchain = record.gotoolchain.as_ref().unwrap();
    assert_eq!(
        (gotoolchain.source.as_str(), gotoolchain.mode.as_str()),
        ("env", "local")
    );
}

#[test]
fn gosumdb_off_refuses_the_toolchain() {
    let sandbox = module_sandbox("go 1.28.0\n", "http://127.0.0.1:9").env("GOSUMDB", "off");
    let record = decide(&sandbox, &[]);
    assert_eq!(record.code(), Some("toolchain_sumdb_off"));
    let version = toolchain_version("go1.28.0");
    assert_eq!(
        record.go_error(),
        format!(
            "go: download go1.28.0: golang.org/toolchain@{version}: verifying module: checksum database disabled by GOSUMDB=off"
        )
    );
    // GONOSUMDB does not exempt a toolchain either: the database stays in the route.
    let sandbox =
        module_sandbox("go 1.28.0\n", "http://127.0.0.1:9").env("GONOSUMDB", "golang.org");
    let record = decide(&sandbox, &[]);
    assert!(record.ok, "{record:?}");
    assert_eq!(record.route.unwrap().sumdb.unwrap().name, "sum.golang.org");
}

#[test]
fn path_mode_takes_the_toolchain_from_path_only() {
    let sandbox = module_sandbox("go 1.28.1\n", "http://127.0.0.1:9").env("GOTOOLCHAIN", "path");
    let record = decide(&sandbox, &[]);
    assert_eq!(record.code(), Some("toolchain_not_in_path"));
    assert_eq!(record.go_error(), "go: cannot find \"go1.28.1\" in PATH");

    // A go1.28.1 in PATH is run: nothing to download, in path or auto mode.
    let bin = sandbox.path().join("bin");
    let fake = sandbox.write("bin/go1.28.1", "#!/bin/sh\n");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    for mode in ["path", "auto"] {
        let sandbox = module_sandbox("go 1.28.1\n", "http://127.0.0.1:9")
            .env("GOTOOLCHAIN", mode)
            .env("PATH", &bin.display().to_string());
        let record = decide(&sandbox, &[]);
        assert!(record.ok, "{record:?}");
        assert_eq!(
            record.found_in_path.as_deref(),
            Some(fake.to_str().unwrap())
        );
        assert!(record.module.is_none());
    }
}

#[test]
fn without_go_the_version_must_be_given() {
    let sandbox = module_sandbox("go 1.28.1\n", "http://127.0.0.1:9");
    let run = sandbox.run("gomod-resolve", &["--toolchain", "--offline"]);
    assert_eq!(run.status, 1, "{}", run.stderr);
    let record = Record::parse(run.stdout.trim()).toolchain();
    assert_eq!(record.code(), Some("go_version_unknown"));
    assert!(record.local.is_none() && record.selected.is_none());
}

#[test]
fn a_go_work_decides_over_the_go_mod() {
    let sandbox = module_sandbox("go 1.22\n", "http://127.0.0.1:9");
    sandbox.write("go.work", "go 1.28.1\n\nuse .\n");
    let record = decide(&sandbox, &["-m", "go.mod"]);
    assert_eq!(record.file.as_deref(), Some("go.work"));
    assert_eq!(record.selected.as_deref(), Some("go1.28.1"));
    let record = decide(&sandbox.env("GOWORK", "off"), &["-m", "go.mod"]);
    assert_eq!(record.file.as_deref(), Some("go.mod"));
    assert!(!record.switch);
}

#[test]
fn a_proxy_without_toolchains_is_toolchain_not_available() {
    let proxy = GoProxy::new().start();
    let sandbox = module_sandbox("go 1.28.1\n", &proxy.url());
    let resolved = sandbox.run(
        "gomod-resolve",
        &["--toolchain", "--offline", "--go", "1.27.3"],
    );
    let run = sandbox.run_with_stdin("gomod-fetch", &[], &resolved.stdout);
    assert_eq!(run.status, 1, "{}", run.stderr);
    let mut records = run.records();
    assert_eq!(records.len(), 1, "{}", run.stdout);
    let fetch = records.remove(0).fetch();
    assert_eq!(fetch.module, "golang.org/toolchain");
    assert_eq!(
        fetch.what,
        ["info", "mod"],
        "the zip is a whole Go: not by default"
    );
    assert_eq!(fetch.code(), Some("toolchain_not_available"));
    assert_eq!(fetch.go_error(), not_available("go1.28.1"));
    assert!(
        fetch.attempts.iter().all(|a| a.op != "zip"),
        "{:?}",
        fetch.requests()
    );
}

#[test]
fn the_toolchain_zip_is_fetched_on_request() {
    let version = toolchain_version("go1.28.1");
    let proxy = GoProxy::new()
        .module(
            "golang.org/toolchain",
            &version,
            &[
                ("bin/go", b"#!/bin/sh\n" as &[u8]),
                ("go.mod", b"module golang.org/toolchain\n"),
            ],
        )
        .start();
    let sandbox = module_sandbox("go 1.28.1\n", &proxy.url());
    let target = format!("golang.org/toolchain@{version}");
    let run = sandbox.run("gomod-fetch", &["--what", "zip", &target]);
    let fetch = Record::parse(run.stdout.trim()).fetch();
    assert!(fetch.ok, "{fetch:?}");
    assert_eq!(fetch.what, ["zip"]);
    assert!(fetch.zip_h1.is_some());
}

#[test]
fn goprivate_routes_the_toolchain_directly_but_keeps_the_checksum_database() {
    // modfetch.lookup applies GONOPROXY to golang.org/toolchain like to any module;
    // useSumDB checks a toolchain even where GONOSUMDB (GOPRIVATE) matches.
    let sandbox = module_sandbox("go 1.28.1\n", "https://proxy.golang.org,direct")
        .env("GOPRIVATE", "golang.org");
    let record = decide(&sandbox, &[]);
    assert!(record.ok, "{record:?}");
    let route = record.route.unwrap();
    let private = route.private.as_ref().unwrap();
    assert!(private.noproxy.matched && private.nosumdb.matched);
    let kinds: Vec<&str> = route.endpoints.iter().map(|e| e.kind.as_str()).collect();
    assert!(!kinds.is_empty() && !kinds.contains(&"proxy"), "{kinds:?}");
    assert_eq!(route.sumdb.unwrap().name, "sum.golang.org");
    assert!(route.sumdb_skipped.is_none());
}

#[test]
fn the_local_go_is_asked_when_goroot_has_no_version_file() {
    // A GOROOT without VERSION: its bin/go answers `go env GOVERSION`.
    let sandbox = module_sandbox("go 1.28.1\n", "http://127.0.0.1:9");
    let goroot = sandbox.path().join("goroot");
    let go = sandbox.write(
        "goroot/bin/go",
        "#!/bin/sh\n[ \"$*\" = \"env GOVERSION\" ] && [ \"$GOTOOLCHAIN\" = local ] && echo go1.26.2\n",
    );
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&go, std::fs::Permissions::from_mode(0o755)).unwrap();
    let sandbox = sandbox.env("GOROOT", goroot.to_str().unwrap());
    let run = sandbox.run("gomod-resolve", &["--toolchain", "--offline"]);
    let record = Record::parse(run.stdout.trim()).toolchain();
    let local = record.local.as_ref().expect("a local go");
    assert_eq!(
        (local.toolchain.as_str(), local.source.as_str()),
        ("go1.26.2", "go_env")
    );
    assert_eq!(local.goroot.as_deref(), goroot.to_str());
    assert_eq!(record.gotoolchain.as_ref().unwrap().minimum, "go1.26.2");
    // That GOROOT has no go.env either, so GOTOOLCHAIN is unset and go never switches
    // (toolchain.Select returns at once), as a packager's go without go.env does: the
    // module then stops it, without a GOTOOLCHAIN note.
    assert_eq!(record.gotoolchain.as_ref().unwrap().value, "");
    assert_eq!(record.selected.as_deref(), Some("go1.26.2"));
    assert!(!record.switch);
    assert_eq!(
        record.go_error(),
        "go: go.mod requires go >= 1.28.1 (running go 1.26.2)"
    );
}
