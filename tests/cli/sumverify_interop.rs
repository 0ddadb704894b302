//! gomod-sumverify and the go command on the same go.sum, the same module content and
//! the same checksum database: the shared Go fixture server (../shared/sumdb-fixture,
//! x/mod v0.7.0's `sumdb.Server`, built with the newest go), started here on 127.0.0.1
//! for each case with correct or tampered data, and a GOPROXY directory that the
//! fixture's `mkproxy` made with x/mod's own zip code. Both must reach the same verdict,
//! and where the go command fails, our `go_error` is its text.
//!
//! Skipped without go1.27+ or x/mod v0.7.0 (Debian's golang-golang-x-mod-dev, or
//! XMOD_GOPATH) unless GOMOD_REQUIRE_GO is set.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

use serde_json::json;

use crate::Sandbox;
use crate::interop::{go_command, go_sandbox, newest_go};
use crate::sumverify::{Outcome, sumverify};

/// The fixture's programs, built once per test run, and the GOPROXY directory and go.sum
/// lines `mkproxy` made from the fixture's module sources.
pub struct GoFixture {
    /// The checksum-database server.
    pub server: PathBuf,
    /// A `GOPROXY=file://` directory with the five module versions.
    pub proxy: PathBuf,
    /// Their correct go.sum lines.
    pub good: String,
}

/// Builds the shared Go sumdb fixture with `go` (x/mod v0.7.0 from XMOD_GOPATH or
/// Debian's package) and makes the GOPROXY directory; None (skip) when it cannot be built
/// and GOMOD_REQUIRE_GO is unset. Done once per fixture source and go version, and kept
/// in cargo's scratch directory: a build with a fresh GOCACHE takes most of a minute.
pub fn go_fixture(go: &Path) -> Option<&'static GoFixture> {
    static BUILT: OnceLock<Option<GoFixture>> = OnceLock::new();
    BUILT.get_or_init(|| build_fixture(go)).as_ref()
}

fn build_fixture(go: &Path) -> Option<GoFixture> {
    let xmod = std::env::var_os("XMOD_GOPATH")
        .map(PathBuf::from)
        .or_else(gomod_testsupport::go::debian_xmod_gopath);
    let (Some(xmod), true) = (
        xmod,
        gomod_testsupport::go::sumdb_fixture_dir()
            .join("build.sh")
            .is_file(),
    ) else {
        gomod_testsupport::go::require_go(
            "the Go sumdb fixture cannot be built: it needs ../shared/sumdb-fixture and x/mod v0.7.0 (apt-get install golang-golang-x-mod-dev, or XMOD_GOPATH)",
        );
        return None;
    };
    let scratch = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let bin = gomod_testsupport::go::build_sumdb_fixture(go, &xmod, scratch);
    // The GOPROXY directory and go.sum lines, next to the programs; go.sum last, so that
    // its presence means all is there.
    if !bin.join("good.gosum").is_file() {
        let work = scratch.join(format!("sumverify-proxy-{}", std::process::id()));
        let output = Command::new(bin.join("mkproxy"))
            .arg("-src")
            .arg(gomod_testsupport::go::sumdb_fixture_dir().join("testdata/modsrc"))
            .arg("-out")
            .arg(work.join("proxy"))
            .output()
            .unwrap();
        assert!(output.status.success(), "mkproxy failed");
        std::fs::write(work.join("good.gosum"), output.stdout).unwrap();
        // Another test run may have made the same meanwhile: either is right.
        if std::fs::rename(work.join("proxy"), bin.join("proxy")).is_ok() {
            let _ = std::fs::rename(work.join("good.gosum"), bin.join("good.gosum"));
        }
        let _ = std::fs::remove_dir_all(&work);
    }
    Some(GoFixture {
        server: bin.join("server"),
        proxy: bin.join("proxy"),
        good: std::fs::read_to_string(bin.join("good.gosum")).unwrap(),
    })
}

/// A running fixture server; killed when dropped.
pub struct FixtureServer {
    child: Child,
    /// `<vkey> <url>`.
    pub gosumdb: String,
}

impl Drop for FixtureServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl GoFixture {
    /// Starts the server on 127.0.0.1 with the go.sum-syntax `records` (300 filler
    /// records first, so that proofs span tiles) and extra server flags.
    pub fn start(&self, work: &Path, records: &str, flags: &[&str]) -> FixtureServer {
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let data = work.join(format!("records-{n}.gosum"));
        let ready = work.join(format!("ready-{n}.json"));
        std::fs::write(&data, records).unwrap();
        let child = Command::new(&self.server)
            .args(["-port", "0", "-ready-file"])
            .arg(&ready)
            .arg("-data")
            .arg(&data)
            .args(flags)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut server = FixtureServer {
            child,
            gosumdb: String::new(),
        };
        let mut waited = 0;
        while std::fs::read(&ready).map_or(true, |b| b.is_empty()) {
            assert!(waited < 400, "the Go fixture server did not start");
            std::thread::sleep(Duration::from_millis(25));
            waited += 1;
        }
        let info: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&ready).unwrap()).unwrap();
        server.gosumdb = info["gosumdb"].as_str().unwrap().to_string();
        server
    }
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
    fn new(go: &Path, fixture: &GoFixture, server: &FixtureServer) -> Case {
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
    let Some(fixture) = go_fixture(&go) else {
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
    let Some(fixture) = go_fixture(&go) else {
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
    let Some(fixture) = go_fixture(&go) else {
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
    let Some(fixture) = go_fixture(&go) else {
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
    let Some(fixture) = go_fixture(&go) else {
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
    let Some(fixture) = go_fixture(&go) else {
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
    let Some(fixture) = go_fixture(&go) else {
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
