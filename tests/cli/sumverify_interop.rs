//! gomod-sumverify and the go command on the same go.sum, the same module content and
//! the same checksum database: the project's Go server (tests/fixtures/go/sumdbserver,
//! x/mod's `sumdb.Server`, built with the newest go), started here on 127.0.0.1 for
//! each case with correct or tampered data, and a GOPROXY directory that `mkproxy` made
//! with x/mod's own zip code from tests/fixtures/sumdb/modsrc. Both must reach the same
//! verdict, and where the go command fails, our `go_error` is its text.
//!
//! Skipped without go1.27+ or golang.org/x/mod (Debian's golang-golang-x-mod-dev,
//! XMOD_GOPATH, or the copy in go's own source tree) unless GOMOD_REQUIRE_GO is set.

use std::path::{Path, PathBuf};

use gomod_testsupport::gosumdb::{GoSumdb, GoSumdbServer};
use serde_json::json;

use crate::Sandbox;
use crate::interop::{go_command, go_sandbox, newest_go};
use crate::sumverify::{Outcome, sumverify};

/// The Go server and GOPROXY directory, built once per test run; None (skip) without
/// go1.27+ or x/mod unless GOMOD_REQUIRE_GO is set.
fn go_fixture() -> Option<&'static GoSumdb> {
    GoSumdb::get(Path::new(env!("CARGO_TARGET_TMPDIR")))
}

/// The correct go.sum lines with one hash replaced.
fn with_hash(good: &str, key: &str, hash: &str) -> String {
    good.lines()
        .map(|line| match line.rsplit_once(' ') {
            Some((k, _)) if k == key => format!("{k} {hash}\n"),
            _ => format!("{line}\n"),
        })
        .collect()
}

/// The hash go.sum records for `key` (`M V` or `M V/go.mod`).
fn hash_of<'a>(good: &'a str, key: &str) -> &'a str {
    good.lines()
        .find_map(|line| line.strip_prefix(key)?.strip_prefix(' '))
        .unwrap()
}

const WRONG: &str = "h1:UyIjiyu4V8CSAswMVnYVJK2mPmLVTKCe04yXzClLYqc=";
const HELLO: &str = "example.com/hello v1.1.0";

/// One case: a go sandbox pinned to the fixture (GOPROXY its directory, GOSUMDB the
/// server), with a scratch module requiring example.com/hello v1.1.0.
struct Case {
    go: PathBuf,
    sandbox: Sandbox,
    module: PathBuf,
}

impl Case {
    fn new(go: &Path, fixture: &GoSumdb, server: &GoSumdbServer) -> Case {
        let sandbox = go_sandbox(go)
            .env("GOPROXY", &format!("file://{}", fixture.proxy.display()))
            .env("GOSUMDB", &server.gosumdb)
            .env("GOVCS", "*:off")
            .env("GOENV", "off");
        let gopath = sandbox.path().join("gopath");
        let gocache = sandbox.path().join("gocache");
        let sandbox = sandbox
            .env("GOPATH", gopath.to_str().unwrap())
            .env("GOCACHE", gocache.to_str().unwrap());
        let module = sandbox.path().join("m");
        std::fs::create_dir_all(&module).unwrap();
        std::fs::write(
            module.join("go.mod"),
            "module example.com/scratch\n\ngo 1.21\n\nrequire example.com/hello v1.1.0\n",
        )
        .unwrap();
        Case {
            go: go.to_path_buf(),
            sandbox,
            module,
        }
    }

    fn modcache(&self) -> PathBuf {
        self.sandbox.path().join("gopath/pkg/mod")
    }

    /// Runs go in the scratch module: exit status and stderr.
    fn go(&self, args: &[&str]) -> (i32, String) {
        let out = go_command(&self.sandbox, &self.go)
            .current_dir(&self.module)
            .args(args)
            .output()
            .unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    /// Runs gomod-sumverify with the scratch module's go.sum (when there is one), its
    /// state kept in the sandbox.
    fn ours(&self, args: &[&str], stdin: &str) -> Outcome {
        let state = self.sandbox.path().join("state");
        let gosum = self.module.join("go.sum");
        let mut all = vec!["--state-dir", state.to_str().unwrap()];
        if gosum.is_file() {
            all.extend(["--gosum", gosum.to_str().unwrap()]);
        }
        all.extend_from_slice(args);
        sumverify(&self.sandbox, &all, stdin)
    }
}

/// The fetch record of a download of example.com/hello v1.1.0 with these hashes.
fn fetched(zip: &str, r#mod: &str) -> String {
    json!({
        "type": "fetch", "module": "example.com/hello", "version": "v1.1.0",
        "source": "file:///proxy", "zip_h1": zip, "mod_h1": r#mod, "ok": true
    })
    .to_string()
        + "\n"
}

/// Go's error text as it prints it: ours must be exactly that (up to the final newline).
fn same_text(ours: &str, go_stderr: &str) {
    assert!(
        go_stderr.trim_end().ends_with(ours.trim_end()),
        "ours:\n{ours}\ngo's:\n{go_stderr}"
    );
}

#[test]
fn correct_data_both_accept() {
    let Some(go) = newest_go() else { return };
    let Some(fixture) = go_fixture() else {
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let server = fixture.start(work.path(), &fixture.good, &["-filler-before", "300"]);
    let case = Case::new(&go, fixture, &server);
    let (status, stderr) = case.go(&["mod", "download", "-json", "example.com/hello@v1.1.0"]);
    assert_eq!(status, 0, "{stderr}");
    let (status, stderr) = case.go(&["mod", "verify"]);
    assert_eq!(status, 0, "{stderr}");
    // The go.sum go wrote, the hashes of the module cache it filled, and the database.
    let out = case.ours(&["--modcache", case.modcache().to_str().unwrap()], "");
    assert_eq!(out.status, 0, "{:#?}", out.lines);
    let sums = out.sums();
    assert!(!sums.is_empty());
    for r in sums {
        assert_eq!(r.verdict, "verified", "{r:#?}");
        let cached = &r.sources[0];
        assert_eq!(cached.source, "modcache");
        if let Some(ziphash) = &cached.ziphash {
            // The hash go computed when it downloaded the zip is ours.
            assert_eq!(cached.zip.as_ref(), Some(ziphash));
        }
    }
    let hello = out
        .sums()
        .into_iter()
        .find(|r| r.module == "example.com/hello")
        .unwrap();
    assert_eq!(
        hello.db().zip.as_deref(),
        Some(hash_of(&fixture.good, HELLO))
    );
}

#[test]
fn a_database_that_disagrees_with_the_download() {
    let Some(go) = newest_go() else { return };
    let Some(fixture) = go_fixture() else {
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let wrong = with_hash(&fixture.good, HELLO, WRONG);
    let server = fixture.start(work.path(), &wrong, &["-filler-before", "300"]);
    let case = Case::new(&go, fixture, &server);
    let (status, go_stderr) = case.go(&["mod", "download", "example.com/hello@v1.1.0"]);
    assert_eq!(status, 1, "{go_stderr}");
    // The same download, as gomod-fetch reports it.
    let stdin = fetched(
        hash_of(&fixture.good, HELLO),
        hash_of(&fixture.good, &format!("{HELLO}/go.mod")),
    );
    let out = case.ours(&[], &stdin);
    assert_eq!(out.status, 1);
    let r = out.one();
    assert_eq!(r.error.as_ref().unwrap().code, "sumdb_mismatch");
    same_text(
        r.error.as_ref().unwrap().go_error.as_deref().unwrap(),
        &go_stderr,
    );
}

#[test]
fn a_tampered_go_sum_line() {
    let Some(go) = newest_go() else { return };
    let Some(fixture) = go_fixture() else {
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let server = fixture.start(work.path(), &fixture.good, &["-filler-before", "300"]);
    let case = Case::new(&go, fixture, &server);
    let tampered = with_hash(&fixture.good, HELLO, WRONG);
    std::fs::write(case.module.join("go.sum"), &tampered).unwrap();
    let (status, go_stderr) = case.go(&["mod", "download", "example.com/hello@v1.1.0"]);
    assert_eq!(status, 1, "{go_stderr}");
    // Only the go.sum and the database: what go says when it downloads the real zip.
    let out = case.ours(&["example.com/hello@v1.1.0"], "");
    assert_eq!(out.status, 1);
    let r = out.one();
    assert_eq!(r.cause.as_deref(), Some("gosum_wrong"));
    same_text(
        r.error.as_ref().unwrap().go_error.as_deref().unwrap(),
        &go_stderr,
    );
}

#[test]
fn a_tampered_record_and_a_forged_signature() {
    let Some(go) = newest_go() else { return };
    let Some(fixture) = go_fixture() else {
        return;
    };
    for (flags, code) in [
        (
            vec!["-tamper-lookup", "example.com/hello@v1.1.0"],
            "sumdb_proof_failed",
        ),
        (vec!["-bad-signature"], "sumdb_bad_signature"),
    ] {
        let work = tempfile::tempdir().unwrap();
        let mut all = vec!["-filler-before", "300"];
        all.extend(flags.iter().copied());
        let server = fixture.start(work.path(), &fixture.good, &all);
        let case = Case::new(&go, fixture, &server);
        let (status, go_stderr) = case.go(&["mod", "download", "example.com/hello@v1.1.0"]);
        assert_eq!(status, 1, "{flags:?}: {go_stderr}");
        let out = case.ours(&["example.com/hello@v1.1.0"], "");
        assert_eq!(out.status, 1);
        let r = out.one();
        assert_eq!(r.error.as_ref().unwrap().code, code, "{flags:?}");
        same_text(
            r.error.as_ref().unwrap().go_error.as_deref().unwrap(),
            &go_stderr,
        );
    }
}

#[test]
fn a_fork_against_what_the_go_command_has_seen() {
    let Some(go) = newest_go() else { return };
    let Some(fixture) = go_fixture() else {
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let server = fixture.start(work.path(), &fixture.good, &["-filler-before", "300"]);
    let case = Case::new(&go, fixture, &server);
    let (status, stderr) = case.go(&["mod", "download", "example.com/hello@v1.0.0"]);
    assert_eq!(status, 0, "{stderr}");
    // The same key, another history: the go command's GOPATH/pkg/sumdb remembers the
    // first; our state directory has never seen either.
    let key = server.gosumdb.split(' ').next().unwrap().to_string();
    drop(server);
    let forked = fixture.start(work.path(), &fixture.good, &["-filler-before", "301"]);
    assert!(forked.gosumdb.starts_with(&key));
    let case = Case {
        sandbox: case.sandbox.env("GOSUMDB", &forked.gosumdb),
        ..case
    };
    let (status, go_stderr) = case.go(&["mod", "download", "example.com/nogomod@v1.0.0"]);
    assert_eq!(status, 1, "{go_stderr}");
    assert!(go_stderr.contains("go.sum database server misbehavior detected!"));
    let out = case.ours(&["example.com/nogomod@v1.0.0"], "");
    assert_eq!(out.status, 1);
    let r = out.one();
    assert_eq!(r.error.as_ref().unwrap().code, "sumdb_fork");
    let fork = r.fork.as_ref().unwrap();
    assert_eq!((fork.old.size, fork.new.size), (305, 306));
    same_text(
        r.error.as_ref().unwrap().go_error.as_deref().unwrap(),
        &go_stderr,
    );
}

#[test]
fn a_module_cache_zip_changed_after_download() {
    let Some(go) = newest_go() else { return };
    let Some(fixture) = go_fixture() else {
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let server = fixture.start(work.path(), &fixture.good, &["-filler-before", "300"]);
    let case = Case::new(&go, fixture, &server);
    let (status, stderr) = case.go(&["mod", "download", "example.com/hello@v1.1.0"]);
    assert_eq!(status, 0, "{stderr}");
    let zip = case
        .modcache()
        .join("cache/download/example.com/hello/@v/v1.1.0.zip");
    // Another valid zip of the module: one file less.
    let other = case
        .modcache()
        .join("cache/download/example.com/hello/@v/v1.0.0.zip");
    let (status, stderr) = case.go(&["mod", "download", "example.com/hello@v1.0.0"]);
    assert_eq!(status, 0, "{stderr}");
    std::fs::copy(&other, &zip).unwrap();
    let (status, go_stderr) = case.go(&["mod", "verify"]);
    assert_eq!(status, 1, "{go_stderr}");
    let out = case.ours(
        &[
            "--modcache",
            case.modcache().to_str().unwrap(),
            "example.com/hello@v1.1.0",
        ],
        "",
    );
    assert_eq!(out.status, 1);
    let r = out.one();
    assert_eq!(r.error.as_ref().unwrap().code, "hash_mismatch");
    assert_eq!(r.cause.as_deref(), Some("local_corruption"));
    let ours = r.error.as_ref().unwrap().go_error.as_deref().unwrap();
    assert!(
        go_stderr.contains(ours),
        "ours:\n{ours}\ngo's:\n{go_stderr}"
    );
}

#[test]
fn gonosumdb_skips_a_wrong_database_for_both() {
    let Some(go) = newest_go() else { return };
    let Some(fixture) = go_fixture() else {
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let wrong = with_hash(&fixture.good, HELLO, WRONG);
    let server = fixture.start(work.path(), &wrong, &["-filler-before", "300"]);
    let case = Case::new(&go, fixture, &server);
    let case = Case {
        sandbox: case.sandbox.env("GONOSUMDB", "example.com/hello"),
        ..case
    };
    let (status, stderr) = case.go(&["mod", "download", "example.com/hello@v1.1.0"]);
    assert_eq!(status, 0, "{stderr}");
    let stdin = fetched(
        hash_of(&fixture.good, HELLO),
        hash_of(&fixture.good, &format!("{HELLO}/go.mod")),
    );
    let out = case.ours(&[], &stdin);
    assert_eq!(out.status, 0, "{:#?}", out.lines);
    let r = out.one();
    assert_eq!(
        r.sumdb_skipped.as_deref(),
        Some("GONOSUMDB matches \"example.com/hello\"")
    );
}
