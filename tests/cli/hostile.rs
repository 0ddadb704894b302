//! The tools against hostile servers and files on loopback: nothing written where it
//! must not be, every probe bounded in time and memory, and no wrong answer under
//! attack. Where the go command is installed, its own words are the reference.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use gomod_common::sumdb::note::Signer;
use gomod_testsupport::goproxy::{Fault, GoProxy};
use gomod_testsupport::process::{mkfifo, run_measured, sparse_file};
use gomod_testsupport::sumdb::{FIXTURE_VKEY, Scenario, SumdbServer};
use gomod_testsupport::{Response, Server, TestCa, handler, modzip};

use crate::Sandbox;
use crate::fetch::{A_GO, GO_MOD_A, one, proxy_with_a, sandbox};
use crate::interop::{go_command, go_sandbox, newest_go};
use crate::records::FetchRecord;
use crate::sumverify::{sandbox_for, sumverify};

/// How long any of these runs may take: each attack must end far sooner than the
/// 60 s the sandbox allows a command.
const QUICK: Duration = Duration::from_secs(30);

fn assert_quick(started: Instant, what: &str) {
    assert!(
        started.elapsed() < QUICK,
        "{what} took {:?}",
        started.elapsed()
    );
}

/// The cache's `@v` directory of example.com/a.
fn a_versions(cache: &Path) -> PathBuf {
    cache.join("cache/download/example.com/a/@v")
}

// ----- writing where it must not -----

#[test]
fn a_gosumdb_name_that_climbs_out_of_its_directory_is_refused() {
    let work = tempfile::tempdir().unwrap();
    let state = work.path().join("a/b/state");
    let name = "sumdb.test/../../escape";
    let key = Signer::from_seed(name, [9; 32])
        .unwrap()
        .verifier()
        .to_string();
    let db = Server::http(handler(|_| Response::text(404, "not here")));
    let sandbox = Sandbox::new()
        .env("GOSUMDB", &format!("{key} http://{}", db.host_port()))
        .env("GOPROXY", "off");
    let out = sumverify(
        &sandbox,
        &[
            "--state-dir",
            state.to_str().unwrap(),
            "example.com/hello@v1.0.0",
        ],
        "",
    );
    let r = out.one();
    assert_eq!(r.code(), Some("gosumdb_unsafe_name"), "{r:#?}");
    let error = r.error.as_ref().unwrap();
    assert!(error.message.contains("stricter"), "{}", error.message);
    assert!(error.message.contains("\"..\""), "{}", error.message);
    // The go command accepts the name: it has no error to show.
    assert_eq!(error.go_error, None);
    // Nothing was made outside the state directory, nothing asked of the server.
    assert!(!work.path().join("a/b/escape").exists());
    assert!(!work.path().join("a/escape").exists());
    assert!(db.requests().is_empty(), "{:?}", db.lines());
}

#[test]
fn a_version_whose_info_is_invalid_leaves_nothing_go_would_use() {
    let server = proxy_with_a()
        .fault(
            "example.com/a/@v/v1.0.0.info",
            Fault::Body(b"<html>login</html>".to_vec()),
        )
        .start();
    let cache = tempfile::tempdir().unwrap();
    let s = sandbox(&server.url());
    let r = one(
        &s,
        &[
            "--cache",
            cache.path().to_str().unwrap(),
            "example.com/a@v1.0.0",
        ],
    );
    assert_eq!(r.code(), Some("http_invalid_response"), "{r:#?}");
    // The .mod and .zip did arrive, and are hashed...
    assert!(r.mod_h1.is_some() && r.zip_h1.is_some(), "{r:#?}");
    // ...but the cache holds nothing of the version: no .mod, .zip or .ziphash the go
    // command would build from offline, no list naming it.
    assert_eq!(r.cached, None);
    let dir = a_versions(cache.path());
    let left: Vec<String> = std::fs::read_dir(&dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    assert!(
        left.iter().all(|name| name.starts_with('.')),
        "left in the cache: {left:?}"
    );
    // The same version, healthy, is written whole.
    let good = proxy_with_a().start();
    let r = one(
        &sandbox(&good.url()),
        &[
            "--cache",
            cache.path().to_str().unwrap(),
            "example.com/a@v1.0.0",
        ],
    );
    assert!(r.ok, "{r:#?}");
    for ext in ["info", "mod", "zip", "ziphash"] {
        assert!(dir.join(format!("v1.0.0.{ext}")).is_file(), "{ext}");
    }
}

#[test]
fn temporary_files_a_killed_run_left_are_removed_and_no_others() {
    let server = proxy_with_a().start();
    let cache = tempfile::tempdir().unwrap();
    let dir = a_versions(cache.path());
    std::fs::create_dir_all(&dir).unwrap();
    // A process of this machine that has ended.
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let gone = child.id();
    child.wait().unwrap();
    let ours = gomod_common::tempfiles::prefix("gomod-fetch");
    let ended =
        ours.replace(&format!("-{}-", std::process::id()), &format!("-{gone}-")) + "Ab12Cd.tmp";
    // An earlier release's name, a day and more unmodified.
    let old = ".gomod-fetch-Old123.tmp".to_string();
    // Still being written, by a process that runs: this test.
    let running = format!("{ours}Live12.tmp");
    // An earlier release's name, fresh: it may be a live run's.
    let fresh = ".gomod-fetch-Fresh1.tmp".to_string();
    // The go command's own temporary zip, and someone else's file.
    let go_temp = "v1.0.0.zip123456.tmp".to_string();
    let other = ".other-tool-Ab12Cd.tmp".to_string();
    for name in [&ended, &old, &running, &fresh, &go_temp, &other] {
        std::fs::write(dir.join(name), b"partial zip").unwrap();
    }
    let two_days_ago = std::time::SystemTime::now() - Duration::from_secs(2 * 24 * 3600);
    std::fs::File::options()
        .write(true)
        .open(dir.join(&old))
        .unwrap()
        .set_modified(two_days_ago)
        .unwrap();
    let r = one(
        &sandbox(&server.url()),
        &[
            "--cache",
            cache.path().to_str().unwrap(),
            "example.com/a@v1.0.0",
        ],
    );
    assert!(r.ok, "{r:#?}");
    assert!(!dir.join(&ended).exists(), "{ended} stays");
    assert!(!dir.join(&old).exists(), "{old} stays");
    for kept in [&running, &fresh, &go_temp, &other] {
        assert!(dir.join(kept).exists(), "{kept} was removed");
    }
}

// ----- bounded in time -----

#[test]
fn a_body_trickled_a_byte_at_a_time_is_cut_off() {
    let server = proxy_with_a()
        .fault(
            "example.com/a/@v/v1.0.0.zip",
            Fault::SlowDrip { bytes_per_sec: 1 },
        )
        .start();
    let started = Instant::now();
    let r = one(
        &sandbox(&server.url()),
        &["--timeout", "2s", "--what", "zip", "example.com/a@v1.0.0"],
    );
    assert_quick(started, "a trickled zip");
    assert_eq!(r.code(), Some("http_timeout"), "{r:#?}");
    let error = r.error.as_ref().unwrap();
    assert!(
        error.message.contains("slower than 1024 bytes per second"),
        "{}",
        error.message
    );
}

#[test]
fn a_body_that_keeps_arriving_fast_enough_ends_at_the_deadline() {
    // An incompressible zip of about 60 KB, sent at 4000 bytes a second: fast enough for
    // the rate rule, too slow for a deadline of 4 seconds.
    let mut noise = Vec::with_capacity(60_000);
    let mut x: u32 = 1;
    while noise.len() < 60_000 {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        noise.extend_from_slice(&x.to_le_bytes());
    }
    let server = GoProxy::new()
        .module(
            "example.com/a",
            "v1.0.0",
            &[("go.mod", GO_MOD_A), ("noise.bin", &noise)],
        )
        .fault(
            "example.com/a/@v/v1.0.0.zip",
            Fault::SlowDrip {
                bytes_per_sec: 4000,
            },
        )
        .start();
    let started = Instant::now();
    let r = one(
        &sandbox(&server.url()),
        &[
            "--timeout",
            "2s",
            "--deadline",
            "4s",
            "--what",
            "zip",
            "example.com/a@v1.0.0",
        ],
    );
    assert_quick(started, "a slow zip");
    assert_eq!(r.code(), Some("http_timeout"), "{r:#?}");
    let message = &r.error.as_ref().unwrap().message;
    assert!(
        message.contains("the probe's --deadline of 4s passed"),
        "{message}"
    );
    // It did arrive for a while: the rate rule did not cut it.
    assert!(r.attempts[0].bytes > 4000, "{:#?}", r.attempts);
}

// ----- bounded in memory -----

#[test]
fn huge_version_lists_are_parsed_in_little_memory() {
    // 16 MiB of "x\n" (8 million lines) as the list of two modules at once.
    let junk = b"x\n".repeat(8 << 20);
    let mut mock = proxy_with_a().module(
        "example.com/b",
        "v1.0.0",
        &[("go.mod", b"module example.com/b\n")],
    );
    for module in ["example.com/a", "example.com/b"] {
        mock = mock.fault(&format!("{module}/@v/list"), Fault::Body(junk.clone()));
    }
    drop(junk);
    let server = mock.start();
    let s = sandbox(&server.url());
    let mut cmd = go_command(&s, &assert_cmd::cargo::cargo_bin("gomod-fetch"));
    cmd.args([
        "--what",
        "list",
        "example.com/a@v1.0.0",
        "example.com/b@v1.0.0",
    ]);
    let (output, max_rss_kib) = run_measured(cmd).unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    let records: Vec<FetchRecord> = stdout
        .lines()
        .map(|l| crate::records::Record::parse(l).fetch())
        .collect();
    assert_eq!(records.len(), 2, "{stdout}");
    for r in &records {
        assert!(r.ok, "{r:#?}");
        assert_eq!(r.versions.as_deref(), Some(&[][..]), "{r:#?}");
    }
    // Each list alone cost the go command 317 MB, and this tool 725 MB; now the two
    // together cost less than one of them did in its body alone.
    assert!(max_rss_kib > 0, "no measurement");
    assert!(
        max_rss_kib < 100 * 1024,
        "{} MiB for two 16 MiB lists",
        max_rss_kib / 1024
    );
}

// ----- files that are not regular, or too large -----

/// A FIFO in a fresh directory.
fn fifo(dir: &Path, name: &str) -> PathBuf {
    let path = dir.join(name);
    mkfifo(&path);
    path
}

const NOT_REGULAR: &str = "a named pipe, not a regular file";

#[test]
fn named_pipes_and_huge_files_given_to_gomod_fetch() {
    let server = proxy_with_a().start();
    let s = sandbox(&server.url());
    let pipe = fifo(s.path(), "go.mod");
    let started = Instant::now();
    let run = s.run("gomod-fetch", &["-m", pipe.to_str().unwrap()]);
    assert_eq!(run.status, 2, "{}", run.stdout);
    assert!(run.stderr.contains(NOT_REGULAR), "{}", run.stderr);
    let huge = s.path().join("huge.mod");
    sparse_file(&huge, 2 << 30);
    let run = s.run("gomod-fetch", &["-m", huge.to_str().unwrap()]);
    assert_eq!(run.status, 2, "{}", run.stdout);
    assert!(
        run.stderr
            .contains("larger than 16777216 bytes, this tool's limit for a go.mod file"),
        "{}",
        run.stderr
    );
    // A netrc that is a pipe is no netrc.
    let netrc = fifo(s.path(), "netrc");
    let r = one(
        &s.env("NETRC", netrc.to_str().unwrap()),
        &["example.com/a@v1.0.0"],
    );
    assert!(r.ok, "{r:#?}");
    // A file:// proxy whose zip is a pipe.
    let dir = tempfile::tempdir().unwrap();
    proxy_with_a().write_dir(dir.path());
    let zip = dir.path().join("example.com/a/@v/v1.0.0.zip");
    std::fs::remove_file(&zip).unwrap();
    mkfifo(&zip);
    let r = one(
        &sandbox(&format!("file://{}", dir.path().display())),
        &["example.com/a@v1.0.0"],
    );
    assert_eq!(r.code(), Some("file_unreadable"), "{r:#?}");
    assert!(r.go_error().contains(NOT_REGULAR), "{}", r.go_error());
    assert_quick(started, "pipes given to gomod-fetch");
}

#[test]
fn named_pipes_given_to_gomod_sumverify() {
    let db = SumdbServer::fixture("honest");
    let sandbox = sandbox_for(&db);
    let started = Instant::now();
    let gosum = fifo(sandbox.path(), "go.sum");
    let run = sandbox.run("gomod-sumverify", &["--gosum", gosum.to_str().unwrap()]);
    assert_eq!(run.status, 2, "{}", run.stdout);
    assert!(run.stderr.contains(NOT_REGULAR), "{}", run.stderr);
    // The go command's own latest tree head: a pipe there is skipped.
    let gopath = sandbox.path().join("gopath");
    let latest_dir = gopath.join("pkg/sumdb/sumdb.fixture.test");
    std::fs::create_dir_all(&latest_dir).unwrap();
    mkfifo(&latest_dir.join("latest"));
    let sandbox = sandbox.env("GOPATH", gopath.to_str().unwrap());
    let out = sumverify(&sandbox, &["example.com/hello@v1.0.0"], "");
    assert!(out.one().ok, "{:#?}", out.one());
    assert_quick(started, "pipes given to gomod-sumverify");
}

#[test]
fn named_pipes_given_to_gomod_dnscheck_and_gomod_resolve() {
    let s = Sandbox::new();
    let started = Instant::now();
    for option in ["--resolv-conf", "--hosts", "--nsswitch"] {
        let pipe = fifo(s.path(), &option[2..]);
        let run = s.run(
            "gomod-dnscheck",
            &[option, pipe.to_str().unwrap(), "localhost"],
        );
        assert_eq!(run.status, 2, "{option}: {}", run.stdout);
        assert!(run.stderr.contains(NOT_REGULAR), "{option}: {}", run.stderr);
    }
    let goenv = fifo(s.path(), "goenv");
    let run = s
        .env("GOENV", goenv.to_str().unwrap())
        .run("gomod-resolve", &["--env"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(run.stdout.contains(NOT_REGULAR), "{}", run.stdout);
    assert_quick(started, "pipes given to gomod-dnscheck and gomod-resolve");
}

#[test]
fn named_pipes_and_proc_given_as_trust_stores_to_gomod_tlscheck() {
    let ca = TestCa::new("gomod test CA");
    let leaf = ca.issue(&["127.0.0.1"]);
    let server = Server::https(&leaf, handler(|_| Response::text(200, "ok")));
    let target = server.host_port();
    let s = Sandbox::new();
    let pipe = fifo(s.path(), "certs.pem");
    let certs_dir = s.path().join("certs");
    std::fs::create_dir_all(&certs_dir).unwrap();
    mkfifo(&certs_dir.join("ca.pem"));
    let started = Instant::now();
    for (var, value) in [
        ("SSL_CERT_FILE", pipe.to_str().unwrap()),
        ("SSL_CERT_DIR", certs_dir.to_str().unwrap()),
        ("SSL_CERT_DIR", "/proc"),
    ] {
        let output = s
            .command("gomod-tlscheck")
            .env(var, value)
            .arg(&target)
            .output()
            .unwrap();
        let run = crate::Run::from(output);
        assert!(
            run.status == 0 || run.status == 1,
            "{var}={value}: {}",
            run.stderr
        );
    }
    for option in ["--ca-file", "--public-roots"] {
        let run = s.run("gomod-tlscheck", &[option, pipe.to_str().unwrap(), &target]);
        assert_eq!(run.status, 2, "{option}: {}", run.stdout);
        assert!(run.stderr.contains(NOT_REGULAR), "{option}: {}", run.stderr);
    }
    assert_quick(started, "pipes given to gomod-tlscheck");
}

// ----- the module cache under attack -----

/// A module cache holding example.com/a v1.0.0 as the go command leaves it (zip,
/// .ziphash, .mod, extracted directory), written by gomod-fetch and extracted here.
struct Modcache {
    _dir: tempfile::TempDir,
    root: PathBuf,
    go_sum: String,
}

impl Modcache {
    fn new() -> Modcache {
        let mock = proxy_with_a();
        let go_sum = mock
            .go_sum()
            .lines()
            .filter(|l| l.contains(" v1.0.0"))
            .map(|l| format!("{l}\n"))
            .collect();
        let server = mock.start();
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("modcache");
        let r = one(
            &sandbox(&server.url()),
            &["--cache", root.to_str().unwrap(), "example.com/a@v1.0.0"],
        );
        assert!(r.ok, "{r:#?}");
        let extracted = root.join("example.com/a@v1.0.0");
        std::fs::create_dir_all(&extracted).unwrap();
        std::fs::write(extracted.join("go.mod"), GO_MOD_A).unwrap();
        std::fs::write(extracted.join("a.go"), A_GO).unwrap();
        Modcache {
            _dir: dir,
            root,
            go_sum,
        }
    }

    fn zip(&self) -> PathBuf {
        a_versions(&self.root).join("v1.0.0.zip")
    }

    fn ziphash(&self) -> PathBuf {
        a_versions(&self.root).join("v1.0.0.ziphash")
    }

    fn extracted(&self) -> PathBuf {
        self.root.join("example.com/a@v1.0.0")
    }

    /// gomod-sumverify's run on the version, with go.sum as the go command has it.
    fn ours(&self) -> crate::sumverify::Outcome {
        let sandbox = Sandbox::new().env("GOSUMDB", "off").env("GOPROXY", "off");
        let gosum = sandbox.write("go.sum", &self.go_sum);
        sumverify(
            &sandbox,
            &[
                "--gosum",
                gosum.to_str().unwrap(),
                "--modcache",
                self.root.to_str().unwrap(),
                "example.com/a@v1.0.0",
            ],
            "",
        )
    }

    /// `go mod verify`'s complaints, in a module that requires the version, when go
    /// is installed.
    fn go_verify(&self, go: &Path) -> (bool, Vec<String>) {
        let s = go_sandbox(go);
        let main = s.path().join("main");
        std::fs::create_dir_all(&main).unwrap();
        std::fs::write(
            main.join("go.mod"),
            "module m\n\ngo 1.21\n\nrequire example.com/a v1.0.0\n",
        )
        .unwrap();
        std::fs::write(main.join("go.sum"), &self.go_sum).unwrap();
        let (gopath, gocache) = (s.path().join("gopath"), s.path().join("gocache"));
        let s = s
            .env("GOPROXY", "off")
            .env("GOSUMDB", "off")
            .env("GOENV", "off")
            .env("GOMODCACHE", self.root.to_str().unwrap())
            .env("GOPATH", gopath.to_str().unwrap())
            .env("GOCACHE", gocache.to_str().unwrap());
        let output = go_command(&s, go)
            .args(["mod", "verify"])
            .current_dir(&main)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        (
            output.status.success() && stdout.contains("all modules verified"),
            stderr.lines().map(str::to_string).collect(),
        )
    }
}

#[test]
fn a_module_cache_go_mod_verify_fails_on_fails_here_with_go_s_words() {
    type Damage = fn(&Modcache);
    let cases: Vec<(&str, Damage, &str)> = vec![
        (
            "empty ziphash",
            |c| std::fs::write(c.ziphash(), "").unwrap(),
            "hash_mismatch",
        ),
        (
            "garbage ziphash",
            |c| std::fs::write(c.ziphash(), "garbage\n").unwrap(),
            "hash_mismatch",
        ),
        (
            "zip is /dev/zero",
            |c| {
                std::fs::remove_file(c.zip()).unwrap();
                std::os::unix::fs::symlink("/dev/zero", c.zip()).unwrap();
            },
            "zip_invalid",
        ),
        (
            "extracted directory is /",
            |c| {
                std::fs::remove_dir_all(c.extracted()).unwrap();
                std::os::unix::fs::symlink("/", c.extracted()).unwrap();
            },
            "file_unreadable",
        ),
        (
            "extracted directory loops up",
            |c| {
                std::fs::create_dir(c.extracted().join("sub")).unwrap();
                std::os::unix::fs::symlink("..", c.extracted().join("sub/up")).unwrap();
            },
            "file_unreadable",
        ),
    ];
    let go = newest_go();
    let healthy = Modcache::new();
    let out = healthy.ours();
    assert!(out.one().ok, "{:#?}", out.one());
    if let Some(go) = &go {
        assert_eq!(healthy.go_verify(go), (true, vec![]));
    }
    for (what, damage, code) in cases {
        let cache = Modcache::new();
        damage(&cache);
        let started = Instant::now();
        let out = cache.ours();
        let r = out.one();
        assert_quick(started, what);
        assert!(!r.ok, "{what}: {r:#?}");
        assert_ne!(r.verdict, "consistent", "{what}");
        assert_eq!(r.code(), Some(code), "{what}: {r:#?}");
        assert!(
            r.sources.iter().all(|s| s.verdict != "agrees"),
            "{what}: {r:#?}"
        );
        let ours = r.go_error().to_string();
        if let Some(go) = &go {
            let (verified, lines) = cache.go_verify(go);
            assert!(!verified, "{what}: go mod verify accepted it");
            assert_eq!(lines.first(), Some(&ours), "{what}: go said {lines:#?}");
        }
    }
    // A zip that is a named pipe: the go command waits for ever; this tool says why.
    let cache = Modcache::new();
    std::fs::remove_file(cache.zip()).unwrap();
    mkfifo(&cache.zip());
    let started = Instant::now();
    let out = cache.ours();
    let r = out.one();
    assert_quick(started, "a zip that is a pipe");
    assert_eq!(r.code(), Some("zip_invalid"), "{r:#?}");
    assert!(r.go_error().contains(NOT_REGULAR), "{}", r.go_error());
}

// ----- wrong answers under attack -----

#[test]
fn redirects_to_other_schemes_fail_as_in_go() {
    let listener = Server::http(handler(|_| Response::text(200, "should never be asked")));
    for scheme in ["ftp", "gopher", "file"] {
        let location = match scheme {
            "file" => "file:///etc/passwd".to_string(),
            _ => format!("{scheme}://{}/x", listener.host_port()),
        };
        let server = proxy_with_a()
            .fault(
                "example.com/a/@v/v1.0.0.info",
                Fault::Redirect(302, location.clone()),
            )
            .start();
        let cache = tempfile::tempdir().unwrap();
        let r = one(
            &sandbox(&server.url()),
            &[
                "--cache",
                cache.path().to_str().unwrap(),
                "example.com/a@v1.0.0",
            ],
        );
        assert_eq!(r.code(), Some("http_unsupported_scheme"), "{r:#?}");
        let expected = format!(
            "go: example.com/a@v1.0.0: Get \"{location}\": unsupported protocol scheme \"{scheme}\""
        );
        assert_eq!(r.go_error(), expected);
        assert!(!a_versions(cache.path()).join("v1.0.0.zip").exists());
        if let Some(go) = newest_go() {
            let s = go_sandbox(&go);
            let (gopath, modcache) = (s.path().join("gopath"), s.path().join("modcache"));
            let s = s
                .env("GOPROXY", &server.url())
                .env("GOSUMDB", "off")
                .env("GOENV", "off")
                .env("GOPATH", gopath.to_str().unwrap())
                .env("GOMODCACHE", modcache.to_str().unwrap());
            let output = go_command(&s, &go)
                .args(["mod", "download", "example.com/a@v1.0.0"])
                .output()
                .unwrap();
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert_eq!(stderr.trim_end(), expected, "go said: {stderr}");
        }
    }
    assert!(listener.requests().is_empty(), "{:?}", listener.lines());
}

/// A `go` of another release on PATH: the tools read its version from
/// `$GOROOT/VERSION`, GOROOT being two levels above the binary (with `pkg/tool`).
fn fake_go(dir: &Path, version: &str) -> PathBuf {
    let root = dir.join(format!("{version}-root"));
    std::fs::create_dir_all(root.join("bin")).unwrap();
    std::fs::create_dir_all(root.join("pkg/tool")).unwrap();
    std::fs::write(
        root.join("VERSION"),
        format!("{version}\ntime 2023-01-01T00:00:00Z\n"),
    )
    .unwrap();
    let go = root.join("bin/go");
    std::fs::write(
        &go,
        format!(
            "#!/bin/sh\ncase \"$1\" in\nversion) echo \"go version {version} linux/amd64\";;\nenv) echo \"GOROOT='{}'\";;\nesac\n",
            root.display()
        ),
    )
    .unwrap();
    let mut permissions = std::fs::metadata(&go).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut permissions, 0o755);
    std::fs::set_permissions(&go, permissions).unwrap();
    root.join("bin")
}

#[test]
fn netrc_follows_the_rules_of_the_go_release_in_use() {
    let ca = TestCa::new("gomod test CA");
    let leaf = ca.issue(&["127.0.0.1"]);
    let server = proxy_with_a()
        .basic_auth("alice", "s3cr3t-pw")
        .start_https(&leaf);
    let s = Sandbox::new();
    let ca_file = ca.write_pem(s.path(), "ca.pem");
    // A host-only entry: go1.19 sends it to any port of the host, newest Go only to
    // https://127.0.0.1/ (the port is part of its key).
    let netrc = s.write(
        "netrc",
        "machine 127.0.0.1 login alice password s3cr3t-pw\n",
    );
    let go119 = fake_go(s.path(), "go1.19.8");
    let s = s
        .env("GOPROXY", &server.url())
        .env("GOSUMDB", "off")
        .env("GOENV", "off")
        .env("NETRC", netrc.to_str().unwrap())
        .env("SSL_CERT_FILE", ca_file.to_str().unwrap());
    let newest = one(&s, &["--what", "info", "example.com/a@v1.0.0"]);
    assert_eq!(newest.code(), Some("http_unauthorized"), "{newest:#?}");
    assert_eq!(newest.attempts[0].netrc_login, None);
    // go1.19 knows no GOAUTH: netrc is read whatever it says.
    let old = s.env("PATH", go119.to_str().unwrap()).env("GOAUTH", "off");
    let run = old.run("gomod-fetch", &["--what", "info", "example.com/a@v1.0.0"]);
    assert!(!run.stdout.contains("s3cr3t-pw") && !run.stderr.contains("s3cr3t-pw"));
    let r = one(&old, &["--what", "info", "example.com/a@v1.0.0"]);
    assert!(r.ok, "{r:#?}");
    assert_eq!(r.attempts[0].netrc_login.as_deref(), Some("alice"));
    // The release in use is the one `gomod-resolve --env` reports.
    let env = old.run("gomod-resolve", &["--env"]);
    assert!(env.stdout.contains("go1.19.8"), "{}", env.stdout);
}

#[test]
fn answers_too_large_for_this_tool_say_so() {
    // A lookup of 5 MB.
    let db = Server::http(handler(|r| {
        if r.path().starts_with("/lookup/") {
            Response::new(200, vec![b'x'; 5 << 20])
        } else {
            Response::text(404, "not found")
        }
    }));
    let sandbox = Sandbox::new()
        .env(
            "GOSUMDB",
            &format!("{FIXTURE_VKEY} http://{}", db.host_port()),
        )
        .env("GOPROXY", "off");
    let out = sumverify(&sandbox, &["example.com/hello@v1.0.0"], "");
    let r = out.one();
    assert_eq!(r.code(), Some("limit_exceeded"), "{r:#?}");
    let message = &r.error.as_ref().unwrap().message;
    assert!(
        message.contains("too large") && message.contains("1048576 bytes"),
        "{message}"
    );
    assert!(!message.contains("could not be reached"), "{message}");
    // An 8 MB tile.
    let scenario = Scenario::load("honest").unwrap();
    let db = Server::http(handler(move |r| {
        let path = r.path().trim_start_matches('/');
        match scenario.file(path) {
            Some(_) if path.starts_with("tile/") => Response::new(200, vec![0; 8 << 20]),
            Some(data) => Response::new(200, data),
            None => Response::text(404, "not found"),
        }
    }));
    let sandbox = Sandbox::new()
        .env(
            "GOSUMDB",
            &format!("{FIXTURE_VKEY} http://{}", db.host_port()),
        )
        .env("GOPROXY", "off");
    let out = sumverify(&sandbox, &["example.com/hello@v1.0.0"], "");
    let r = out.one();
    assert_eq!(r.code(), Some("limit_exceeded"), "{r:#?}");
    let message = &r.error.as_ref().unwrap().message;
    assert!(
        message.contains("too large") && message.contains("tile/"),
        "{message}"
    );
}

#[test]
fn damaged_local_state_is_called_local_not_the_database_s_fault() {
    let db = SumdbServer::fixture("honest");
    let sandbox = sandbox_for(&db);
    let state = sandbox
        .home()
        .join(".cache/gomod-tools/sumdb/sumdb.fixture.test");
    assert!(
        sumverify(&sandbox, &["example.com/hello@v1.0.0"], "")
            .one()
            .ok
    );
    // A damaged tile: found out, fetched again, replaced; the lookup stands.
    let tiles: Vec<PathBuf> = walk_files(&state.join("tile"));
    assert!(!tiles.is_empty());
    for tile in &tiles {
        let len = std::fs::metadata(tile).unwrap().len() as usize;
        std::fs::write(tile, vec![0x5a; len]).unwrap();
    }
    let out = sumverify(&sandbox, &["example.com/hello@v1.1.0"], "");
    let r = out.one();
    assert!(r.ok, "{r:#?}");
    assert!(r.warning_codes().contains(&"state_corrupt"), "{r:#?}");
    let out = sumverify(&sandbox, &["example.com/greet/v2@v2.0.0"], "");
    assert!(out.one().warnings.is_empty(), "{:#?}", out.one());
    // A damaged tree head: the record says it is local, and what to remove.
    std::fs::write(state.join("latest"), "go.sum database tree\ngarbage\n").unwrap();
    let out = sumverify(&sandbox, &["example.com/hello@v1.0.0"], "");
    let r = out.one();
    assert_eq!(r.code(), Some("state_corrupt"), "{r:#?}");
    let error = r.error.as_ref().unwrap();
    assert!(
        error
            .message
            .contains("a local problem, not the database's"),
        "{}",
        error.message
    );
    assert_eq!(error.go_error, None);
    assert!(
        r.hint()
            .contains(&format!("remove {}", state.join("latest").display())),
        "{}",
        r.hint()
    );
}

fn walk_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(walk_files(&path));
        } else {
            files.push(path);
        }
    }
    files
}

#[test]
fn zip_errors_name_the_zip_where_go_keeps_it() {
    // Two names that differ only in case: the go command refuses the zip at unzip.
    let zip = modzip::module_zip(
        "example.com/a",
        "v1.0.0",
        &[("go.mod", GO_MOD_A), ("a.go", A_GO), ("A.go", A_GO)],
    );
    let server = proxy_with_a()
        .fault("example.com/a/@v/v1.0.0.zip", Fault::Body(zip))
        .start();
    let cache = tempfile::tempdir().unwrap();
    let r = one(
        &sandbox(&server.url()),
        &[
            "--cache",
            cache.path().to_str().unwrap(),
            "example.com/a@v1.0.0",
        ],
    );
    assert_eq!(r.code(), Some("zip_invalid"), "{r:#?}");
    let zip_path = a_versions(cache.path()).join("v1.0.0.zip");
    assert!(
        r.go_error()
            .starts_with(&format!("go: unzip {}: ", zip_path.display())),
        "{}",
        r.go_error()
    );
    assert!(!r.go_error().contains(".gomod-fetch-"), "{}", r.go_error());
    // Without --cache, the go command's own cache is named, as go names it.
    let s = sandbox(&server.url());
    let r = one(&s, &["example.com/a@v1.0.0"]);
    let modcache = s.home().join("go/pkg/mod");
    let ours = r.go_error().to_string();
    assert!(
        ours.starts_with(&format!(
            "go: unzip {}: ",
            a_versions(&modcache).join("v1.0.0.zip").display()
        )),
        "{ours}"
    );
    if let Some(go) = newest_go() {
        // `go mod download` names no module in front of an unzip error (`go get` does),
        // and neither does the record: the line ends as go's does.
        let unzip = &ours[ours.find("unzip ").unwrap()..];
        let g = go_sandbox(&go);
        let gocache = g.path().join("gocache");
        let g = g
            .env("GOCACHE", gocache.to_str().unwrap())
            .env("GOPROXY", &server.url())
            .env("GOSUMDB", "off")
            .env("GOENV", "off")
            .env("HOME", s.home().to_str().unwrap())
            .env("GOPATH", s.home().join("go").to_str().unwrap());
        let output = go_command(&g, &go)
            .args(["mod", "download", "example.com/a@v1.0.0"])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.lines().any(|line| line.ends_with(unzip)),
            "ours: {ours}\ngo said: {stderr}"
        );
    }
}

#[test]
fn a_zip_with_more_files_than_this_tool_checks_is_its_own_limit() {
    // About 450 000 empty files: the go command accepts it; the central directory is
    // more than this tool keeps in memory.
    let names: Vec<String> = (0..450_000)
        .map(|i| format!("example.com/a@v1.0.0/f{i:06}"))
        .collect();
    let mut entries: Vec<(&str, &[u8])> = vec![("example.com/a@v1.0.0/go.mod", GO_MOD_A)];
    entries.extend(names.iter().map(|n| (n.as_str(), &b""[..])));
    let zip = modzip::raw_zip(&entries, false);
    drop(entries);
    drop(names);
    let server = proxy_with_a()
        .fault("example.com/a/@v/v1.0.0.zip", Fault::Body(zip))
        .start();
    let r = one(
        &sandbox(&server.url()),
        &["--what", "zip", "example.com/a@v1.0.0"],
    );
    assert_eq!(r.code(), Some("limit_exceeded"), "{r:#?}");
    assert!(
        r.error
            .as_ref()
            .unwrap()
            .message
            .contains("this tool's limit"),
        "{r:#?}"
    );
}

#[test]
fn fork_heads_are_in_the_order_of_go_s_report_as_documented() {
    let db = SumdbServer::fixture("grown");
    let sandbox = sandbox_for(&db);
    assert!(
        sumverify(&sandbox, &["example.com/hello@v1.0.0"], "")
            .one()
            .ok
    );
    // The database now shows an older head of another history.
    db.switch("fork");
    let out = sumverify(&sandbox, &["example.com/greet/v2@v2.0.0"], "");
    let r = out.one();
    assert_eq!(r.code(), Some("sumdb_fork"));
    let fork = r.fork.as_ref().unwrap();
    // old is the smaller head — the one just shown — and new the remembered one, as
    // the SECURITY ERROR report lists them.
    assert!(fork.old.size < fork.new.size, "{fork:#?}");
    assert_eq!(fork.new.size, 605);
    let report = r.go_error();
    let old_at = report.find(&fork.old.note.replace('\n', "\n\t")).unwrap();
    let new_at = report.find(&fork.new.note.replace('\n', "\n\t")).unwrap();
    assert!(report[..old_at].ends_with("old database:\n\t"), "{report}");
    assert!(old_at < new_at);
    // And gomod-tools(7) says so.
    let man = sandbox.run("gomod-sumverify", &["--generate", "man-reference"]);
    assert!(
        man.stdout.contains("old is the head with fewer records"),
        "the fork field is not documented as the record has it"
    );
}
