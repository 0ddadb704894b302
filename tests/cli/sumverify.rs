//! gomod-sumverify against checksum databases on 127.0.0.1 (tests/support's
//! SumdbServer, serving answers recorded from Go's own database server): go.sum, fetch
//! records and a module cache compared with an honest, a forged, a tampered and a
//! forked database, and with none.

use std::path::PathBuf;

use gomod_testsupport::goproxy::{GoProxy, RunningProxy};
use gomod_testsupport::modzip;
use gomod_testsupport::sumdb::{Scenario, SumdbServer};
use gomod_testsupport::{Response, Server, TestCa, handler};
use serde::Deserialize;
use serde_json::json;

use crate::Sandbox;
use crate::records::{ErrorInfo, InputErrorRecord, SummaryRecord, Warning};

const TOOL: &str = "gomod-sumverify";

/// The correct go.sum lines of the fixture's five module versions.
const RECORDS: &str = include_str!("../fixtures/sumdb/records.gosum");

const HELLO: &str = "example.com/hello";
const HELLO_ZIP: &str = "h1:ASs0ZIrdFfHgxti9NWuW83Nooy2GWuba7TNGspkpCaQ=";
const HELLO_MOD: &str = "h1:c1YjRJyY4wX1HWm6hT/2feofic3RC1XsTaMgAK0G6wE=";
const WRONG: &str = "h1:UyIjiyu4V8CSAswMVnYVJK2mPmLVTKCe04yXzClLYqc=";

/// The files of example.com/hello v1.1.0, as the fixture's module source has them.
const HELLO_GO_MOD: &[u8] =
    b"module example.com/hello\n\ngo 1.19\n\nrequire example.com/greet/v2 v2.0.0\n";
const HELLO_GO: &[u8] = b"package hello\n\nimport \"example.com/greet/v2\"\n\n// Hello returns a greeting.\nfunc Hello() string { return greet.Greet(\"world\") }\n";

/// The `sum` record, with every field: unknown fields fail the test.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SumRecord {
    #[serde(rename = "type")]
    pub kind: String,
    pub tool: String,
    pub v: u32,
    pub ts: String,
    pub module: String,
    pub version: String,
    pub from: String,
    pub gosum: Option<Gosum>,
    pub computed: Option<Computed>,
    pub sumdb: Option<Sumdb>,
    pub sumdb_skipped: Option<String>,
    pub verdict: String,
    pub cause: Option<String>,
    pub sources: Vec<SourceCheck>,
    pub fork: Option<Fork>,
    pub ok: bool,
    pub error: Option<ErrorInfo>,
    pub warnings: Vec<Warning>,
    pub elapsed_ms: u64,
}

impl SumRecord {
    pub fn code(&self) -> Option<&str> {
        self.error.as_ref().map(|e| e.code.as_str())
    }

    pub fn go_error(&self) -> &str {
        self.error
            .as_ref()
            .and_then(|e| e.go_error.as_deref())
            .unwrap_or_default()
    }

    pub fn hint(&self) -> &str {
        self.error
            .as_ref()
            .and_then(|e| e.hint.as_deref())
            .unwrap_or_default()
    }

    pub fn warning_codes(&self) -> Vec<&str> {
        self.warnings.iter().map(|w| w.code.as_str()).collect()
    }

    pub fn db(&self) -> &Sumdb {
        self.sumdb.as_ref().expect("a sumdb field")
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Gosum {
    pub zip: Option<String>,
    pub r#mod: Option<String>,
    pub zip_at: Option<String>,
    pub mod_at: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Computed {
    pub zip: Option<String>,
    pub r#mod: Option<String>,
    pub source: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sumdb {
    pub name: String,
    pub url: Option<String>,
    pub via: Option<String>,
    pub zip: Option<String>,
    pub r#mod: Option<String>,
    pub record_id: Option<i64>,
    pub tree_size: Option<i64>,
    pub verified: bool,
    pub cached: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceCheck {
    pub source: String,
    pub zip: Option<String>,
    pub r#mod: Option<String>,
    pub zip_bytes: Option<u64>,
    pub ziphash: Option<String>,
    pub error: Option<String>,
    pub verdict: String,
    pub cause: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fork {
    pub old: TreeHead,
    pub new: TreeHead,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TreeHead {
    pub size: i64,
    pub hash: String,
    pub note: String,
}

/// One output line of gomod-sumverify.
#[derive(Debug)]
pub enum Line {
    Sum(Box<SumRecord>),
    InputError(InputErrorRecord),
    Summary(SummaryRecord),
}

impl Line {
    fn parse(line: &str) -> Line {
        let value: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
        let decode = |v: serde_json::Value| {
            serde_json::from_value(v)
                .unwrap_or_else(|e| panic!("record does not match the schema: {e}\n{line}"))
        };
        match value["type"].as_str() {
            Some("sum") => Line::Sum(Box::new(decode(value))),
            Some("input_error") => Line::InputError(
                serde_json::from_value(value).unwrap_or_else(|e| panic!("{e}: {line}")),
            ),
            Some("summary") => Line::Summary(
                serde_json::from_value(value).unwrap_or_else(|e| panic!("{e}: {line}")),
            ),
            other => panic!("unexpected record type {other:?}: {line}"),
        }
    }
}

/// A run's exit status and its records.
pub struct Outcome {
    pub status: i32,
    pub lines: Vec<Line>,
    pub stderr: String,
}

impl Outcome {
    /// The `sum` records, in order.
    pub fn sums(&self) -> Vec<&SumRecord> {
        self.lines
            .iter()
            .filter_map(|l| match l {
                Line::Sum(r) => Some(&**r),
                _ => None,
            })
            .collect()
    }

    /// The only record, a `sum` record.
    pub fn one(&self) -> &SumRecord {
        let sums = self.sums();
        assert_eq!(
            (sums.len(), self.lines.len()),
            (1, 1),
            "one record expected: {:#?}\nstderr: {}",
            self.lines,
            self.stderr
        );
        sums[0]
    }
}

/// Runs gomod-sumverify in `sandbox` with `args` and `stdin`.
pub fn sumverify(sandbox: &Sandbox, args: &[&str], stdin: &str) -> Outcome {
    let run = sandbox.run_with_stdin(TOOL, args, stdin);
    Outcome {
        status: run.status,
        lines: run.stdout.lines().map(Line::parse).collect(),
        stderr: run.stderr,
    }
}

/// A sandbox that reaches `db` directly, through GOSUMDB's URL.
pub fn sandbox_for(db: &SumdbServer) -> Sandbox {
    Sandbox::new()
        .env("GOSUMDB", &db.gosumdb())
        .env("GOPROXY", "off")
}

/// Our state directory in a sandbox when --state-dir is not given.
fn default_state(sandbox: &Sandbox) -> PathBuf {
    sandbox
        .home()
        .join(".cache/gomod-tools/sumdb/sumdb.fixture.test")
}

/// A fetch record as gomod-fetch writes it, with the fields gomod-sumverify reads.
fn fetch(source: &str, zip: Option<&str>, r#mod: Option<&str>) -> String {
    json!({
        "type": "fetch", "tool": "gomod-fetch", "v": 1, "ts": "2026-11-21T10:00:00Z",
        "module": HELLO, "version": "v1.1.0", "query": null, "source": source,
        "attempts": [], "info": null, "mod_h1": r#mod, "zip_h1": zip,
        "zip_bytes": zip.map(|_| 321), "cached": false,
        "ok": true, "error": null, "warnings": [], "elapsed_ms": 5
    })
    .to_string()
        + "\n"
}

/// A fetch record of a failed download.
fn failed_fetch(source: &str, code: &str) -> String {
    json!({
        "type": "fetch", "module": HELLO, "version": "v1.1.0", "source": source,
        "mod_h1": null, "zip_h1": null, "zip_bytes": null,
        "ok": false, "error": {"code": code, "layer": "vcs", "message": "x"}
    })
    .to_string()
        + "\n"
}

fn tile_paths(db: &SumdbServer) -> Vec<String> {
    db.paths()
        .into_iter()
        .filter(|p| p.contains("/tile/"))
        .collect()
}

#[test]
fn a_lookup_is_verified_against_the_signed_tree() {
    let db = SumdbServer::fixture("honest");
    let sandbox = sandbox_for(&db);
    let out = sumverify(&sandbox, &["example.com/hello@v1.1.0"], "");
    assert_eq!(out.status, 0, "{}", out.stderr);
    let r = out.one();
    assert!(r.ok && r.error.is_none(), "{r:#?}");
    assert_eq!((r.kind.as_str(), r.tool.as_str(), r.v), ("sum", TOOL, 1));
    assert!(
        r.ts.ends_with('Z') && r.elapsed_ms < 60_000,
        "{} {}",
        r.ts,
        r.elapsed_ms
    );
    assert_eq!(
        (r.module.as_str(), r.version.as_str(), r.from.as_str()),
        (HELLO, "v1.1.0", "lookup")
    );
    assert_eq!(r.verdict, "verified");
    let d = r.db();
    assert_eq!(d.name, "sumdb.fixture.test");
    assert_eq!(
        (d.zip.as_deref(), d.r#mod.as_deref()),
        (Some(HELLO_ZIP), Some(HELLO_MOD))
    );
    assert_eq!(d.tree_size, Some(305));
    assert!(d.record_id.is_some_and(|id| (300..305).contains(&id)));
    assert!(d.verified && !d.cached);
    assert_eq!(d.via.as_deref(), Some("gosumdb"));
    assert_eq!(d.url.as_deref(), Some(db.url().as_str()));
    assert_eq!((r.gosum.is_none(), r.computed.is_none()), (true, true));
    assert!(r.sources.is_empty() && r.cause.is_none() && r.sumdb_skipped.is_none());
    // The state, in the go command's layout, under the user cache directory.
    let state = default_state(&sandbox);
    let latest = std::fs::read_to_string(state.join("latest")).unwrap();
    assert!(
        latest.starts_with("go.sum database tree\n305\n"),
        "{latest}"
    );
    assert!(state.join("tile/8/0/001.p/49").is_file());
    // The go command's requests, no more: the lookup and the tiles of its proof.
    let paths = db.paths();
    assert_eq!(paths[0], "/lookup/example.com/hello@v1.1.0", "{paths:?}");
    assert!(
        paths[1..].iter().all(|p| p.starts_with("/tile/8/")),
        "{paths:?}"
    );
    // A second run is answered from the state directory; only the latest tree head is
    // asked, to check that the log still agrees with what was seen.
    db.clear_requests();
    let again = sumverify(&sandbox, &["example.com/hello@v1.1.0"], "");
    assert_eq!(again.status, 0);
    let r = again.one();
    assert!(r.db().cached && r.warnings.is_empty(), "{r:#?}");
    assert_eq!(db.paths(), ["/latest"]);
    // With the database gone, the state still answers, with a warning.
    drop(db);
    let offline = sumverify(&sandbox, &["example.com/hello@v1.1.0"], "");
    assert_eq!(offline.status, 0, "{:#?}", offline.lines);
    let r = offline.one();
    assert_eq!(
        (r.verdict.as_str(), r.warning_codes()),
        ("verified", vec!["tcp_refused"])
    );
}

#[test]
fn a_state_directory_that_cannot_be_written_is_a_warning_once() {
    let db = SumdbServer::fixture("honest");
    let sandbox = sandbox_for(&db);
    // Files where the directories of tiles and lookups should be: none can be saved.
    let state = sandbox.home().join("state");
    let db_state = state.join("sumdb.fixture.test");
    std::fs::create_dir_all(&db_state).unwrap();
    std::fs::write(db_state.join("tile"), "not a directory").unwrap();
    std::fs::write(db_state.join("lookup"), "not a directory").unwrap();
    let state_arg = state.display().to_string();
    let out = sumverify(
        &sandbox,
        &[
            "-j",
            "1",
            "--state-dir",
            &state_arg,
            "example.com/hello@v1.1.0",
            "example.com/hello@v1.0.0",
        ],
        "",
    );
    assert_eq!(out.status, 0, "{:#?}\n{}", out.lines, out.stderr);
    let sums = out.sums();
    assert!(sums.iter().all(|r| r.verdict == "verified"), "{sums:#?}");
    let first = &sums[0];
    assert!(
        !first.warning_codes().is_empty()
            && first
                .warning_codes()
                .iter()
                .all(|c| *c == "state_unwritable"),
        "{first:#?}"
    );
    for prefix in ["cannot cache lookup ", "cannot cache tile "] {
        let warning = first
            .warnings
            .iter()
            .find(|w| w.message.starts_with(prefix))
            .unwrap_or_else(|| panic!("{prefix}: {first:#?}"));
        assert!(warning.message.contains(&state_arg), "{warning:#?}");
        assert!(
            warning
                .hint
                .as_deref()
                .is_some_and(|h| h.contains("--state-dir")),
            "{warning:#?}"
        );
    }
    // Reported once: the second lookup's own problems only (it caches nothing either).
    let again: Vec<&str> = first.warnings.iter().map(|w| w.message.as_str()).collect();
    assert!(
        sums[1]
            .warnings
            .iter()
            .all(|w| !again.contains(&w.message.as_str())),
        "{sums:#?}"
    );
}

#[test]
fn every_go_sum_line_is_checked_when_nothing_else_is_given() {
    let db = SumdbServer::fixture("honest");
    let sandbox = sandbox_for(&db);
    sandbox.write("go.sum", RECORDS);
    let out = sumverify(&sandbox, &["--state-dir", "state", "-j", "8"], "");
    assert_eq!(out.status, 0, "{}", out.stderr);
    let sums = out.sums();
    let names: Vec<String> = sums
        .iter()
        .map(|r| format!("{}@{}", r.module, r.version))
        .collect();
    // In go.sum's order.
    assert_eq!(
        names,
        [
            "example.com/Upper/thing@v0.1.0",
            "example.com/greet/v2@v2.0.0",
            "example.com/hello@v1.0.0",
            "example.com/hello@v1.1.0",
            "example.com/nogomod@v1.0.0"
        ]
    );
    for r in &sums {
        assert_eq!(
            (r.verdict.as_str(), r.from.as_str()),
            ("verified", "gosum"),
            "{r:#?}"
        );
        let g = r.gosum.as_ref().unwrap();
        assert_eq!(g.zip, r.db().zip);
        assert_eq!(g.r#mod, r.db().r#mod);
    }
    let hello = sums[3].gosum.as_ref().unwrap();
    assert_eq!(
        (hello.zip_at.as_deref(), hello.mod_at.as_deref()),
        (Some("go.sum:7"), Some("go.sum:8"))
    );
    // Five lookups in parallel shared their tiles: none was fetched twice.
    let tiles = tile_paths(&db);
    let mut unique = tiles.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(tiles.len(), unique.len(), "{tiles:?}");
    assert!(!tiles.is_empty());
    assert!(
        sandbox
            .path()
            .join("state/sumdb.fixture.test/latest")
            .is_file()
    );
}

#[test]
fn a_wrong_go_sum_line_is_the_odd_one_out() {
    let db = SumdbServer::fixture("honest");
    let sandbox = sandbox_for(&db);
    let gosum = sandbox.write(
        "mod/go.sum",
        &format!("{HELLO} v1.1.0 {WRONG}\n{HELLO} v1.1.0/go.mod {HELLO_MOD}\n"),
    );
    let out = sumverify(&sandbox, &["--gosum", gosum.to_str().unwrap()], "");
    assert_eq!(out.status, 1);
    let r = out.one();
    assert_eq!(
        (r.code(), r.verdict.as_str()),
        (Some("sumdb_mismatch"), "mismatch")
    );
    assert_eq!(r.cause.as_deref(), Some("gosum_wrong"));
    assert_eq!(r.gosum.as_ref().unwrap().zip.as_deref(), Some(WRONG));
    // What the go command prints when it downloads the authentic zip.
    assert_eq!(
        r.go_error(),
        format!(
            "verifying {HELLO}@v1.1.0: checksum mismatch\n\tdownloaded: {HELLO_ZIP}\n\tgo.sum:     {WRONG}\n\nSECURITY ERROR\nThis download does NOT match an earlier download recorded in go.sum.\nThe bits may have been replaced on the origin server, or an attacker may\nhave intercepted the download attempt.\n\nFor more information, see 'go help module-auth'.\n"
        )
    );
    assert!(
        r.hint()
            .contains(&format!("{}:1 is wrong", gosum.display())),
        "{}",
        r.hint()
    );
}

#[test]
fn fetch_records_against_go_sum_and_the_database() {
    let db = SumdbServer::fixture("honest");
    let sandbox = sandbox_for(&db);
    sandbox.write("go.sum", RECORDS);
    // The proxy served other bits than go.sum records: the go.sum SECURITY ERROR.
    let out = sumverify(
        &sandbox,
        &[],
        &fetch("https://goproxy.corp.example", Some(WRONG), Some(HELLO_MOD)),
    );
    assert_eq!(out.status, 1);
    let r = out.one();
    assert_eq!(
        (r.code(), r.from.as_str()),
        (Some("gosum_mismatch"), "fetch")
    );
    assert_eq!(
        r.go_error(),
        format!(
            "verifying {HELLO}@v1.1.0: checksum mismatch\n\tdownloaded: {WRONG}\n\tgo.sum:     {HELLO_ZIP}\n\nSECURITY ERROR\nThis download does NOT match an earlier download recorded in go.sum.\nThe bits may have been replaced on the origin server, or an attacker may\nhave intercepted the download attempt.\n\nFor more information, see 'go help module-auth'.\n"
        )
    );
    assert_eq!(r.cause.as_deref(), Some("proxy_content_differs"));
    let c = r.computed.as_ref().unwrap();
    assert_eq!(
        (c.zip.as_deref(), c.r#mod.as_deref(), c.source.as_str()),
        (Some(WRONG), Some(HELLO_MOD), "https://goproxy.corp.example")
    );
    assert_eq!(r.sources[0].verdict, "differs");
    assert_eq!(r.sources[0].zip_bytes, Some(321));
    assert!(
        r.hint()
            .contains("https://goproxy.corp.example serves different content")
    );

    // The right bits: verified three ways.
    let out = sumverify(
        &sandbox,
        &[],
        &fetch("https://proxy.golang.org", Some(HELLO_ZIP), Some(HELLO_MOD)),
    );
    assert_eq!(out.status, 0, "{:#?}", out.lines);
    let r = out.one();
    assert_eq!(
        (r.verdict.as_str(), r.sources[0].verdict.as_str()),
        ("verified", "agrees")
    );
}

#[test]
fn without_a_go_sum_line_the_database_decides() {
    let db = SumdbServer::fixture("honest");
    let sandbox = sandbox_for(&db);
    sandbox.write("go.sum", &format!("{HELLO} v1.1.0/go.mod {HELLO_MOD}\n"));
    // The database vouches for the zip: only a warning that go.sum lacks it.
    let out = sumverify(
        &sandbox,
        &[],
        &fetch("https://proxy.golang.org", Some(HELLO_ZIP), Some(HELLO_MOD)),
    );
    assert_eq!(out.status, 0);
    let r = out.one();
    assert_eq!(r.verdict, "verified");
    assert_eq!(r.warning_codes(), ["gosum_missing"]);
    assert_eq!(
        r.warnings[0].go_error.as_deref(),
        Some(format!("go: {HELLO}@v1.1.0: missing go.sum entry").as_str())
    );
    // The database disagrees with the download: its SECURITY ERROR, as Go prints it.
    let out = sumverify(
        &sandbox,
        &[],
        &fetch("https://proxy.golang.org", Some(WRONG), Some(HELLO_MOD)),
    );
    let r = out.one();
    assert_eq!(r.code(), Some("sumdb_mismatch"));
    assert_eq!(
        r.go_error(),
        format!(
            "go: {HELLO}@v1.1.0: verifying module: checksum mismatch\n\tdownloaded: {WRONG}\n\tsumdb.fixture.test: {HELLO_ZIP}\n\nSECURITY ERROR\nThis download does NOT match the one reported by the checksum server.\nThe bits may have been replaced on the origin server, or an attacker may\nhave intercepted the download attempt.\n\nFor more information, see 'go help module-auth'.\n"
        )
    );
    // Nothing vouches when the database is skipped: what -mod=readonly refuses.
    let skipped = sandbox.env("GONOSUMDB", "example.com/hello");
    let out = sumverify(
        &skipped,
        &[],
        &fetch("https://proxy.golang.org", Some(HELLO_ZIP), Some(HELLO_MOD)),
    );
    assert_eq!(out.status, 1);
    let r = out.one();
    assert_eq!(
        (r.code(), r.verdict.as_str()),
        (Some("gosum_missing"), "missing")
    );
    assert_eq!(
        r.sumdb_skipped.as_deref(),
        Some("GONOSUMDB matches \"example.com/hello\"")
    );
}

#[test]
fn triangulation_names_the_source_that_differs() {
    let db = SumdbServer::fixture("honest");
    let sandbox = sandbox_for(&db);
    // One proxy serves the recorded bits, another something else.
    let stdin = fetch("https://proxy.golang.org", Some(HELLO_ZIP), Some(HELLO_MOD))
        + &fetch("https://goproxy.corp.example", Some(WRONG), Some(HELLO_MOD))
        + &failed_fetch("direct", "vcs_meta_not_found");
    let out = sumverify(&sandbox, &[], &stdin);
    assert_eq!(out.status, 1);
    let r = out.one();
    assert_eq!(r.code(), Some("sumdb_mismatch"));
    assert_eq!(r.cause.as_deref(), Some("proxy_content_differs"));
    let verdicts: Vec<(&str, &str, Option<&str>, Option<&str>)> = r
        .sources
        .iter()
        .map(|s| {
            let what = s.error.as_deref().or(s.r#mod.as_deref());
            (
                s.source.as_str(),
                s.verdict.as_str(),
                s.cause.as_deref(),
                what,
            )
        })
        .collect();
    assert_eq!(
        verdicts,
        [
            ("https://proxy.golang.org", "agrees", None, Some(HELLO_MOD)),
            (
                "https://goproxy.corp.example",
                "differs",
                Some("proxy_content_differs"),
                Some(HELLO_MOD)
            ),
            ("direct", "failed", None, Some("vcs_meta_not_found")),
        ]
    );
    // The origin and the proxy that fetched from it agree with each other, not with the
    // database: the version was re-tagged.
    let stdin = fetch("https://goproxy.corp.example", Some(WRONG), Some(HELLO_MOD))
        + &fetch("direct", Some(WRONG), Some(HELLO_MOD));
    let r = sumverify(&sandbox, &[], &stdin);
    let r = r.one();
    assert_eq!(r.cause.as_deref(), Some("retagged_upstream"));
    assert!(r.sources.iter().all(|s| s.verdict == "differs"));
    assert!(r.hint().contains("moved tag"), "{}", r.hint());
    // A file:// proxy is a copy on this machine.
    let r = sumverify(
        &sandbox,
        &[],
        &fetch("file:///srv/goproxy", Some(WRONG), Some(HELLO_MOD)),
    );
    assert_eq!(r.one().cause.as_deref(), Some("local_corruption"));
}

/// Waits, up to a minute, until `db` has been asked `path`; false if it never was.
fn wait_for_request(db: &SumdbServer, path: &str) -> bool {
    let until = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while std::time::Instant::now() < until {
        if db.paths().iter().any(|p| p == path) {
            return true;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    false
}

/// gomod-sumverify started in `sandbox` with no arguments, its standard input a pipe
/// the test writes to.
fn spawn_reading_stdin(sandbox: &Sandbox) -> std::process::Child {
    std::process::Command::new(assert_cmd::cargo::cargo_bin(TOOL))
        .env_clear()
        .envs(sandbox.vars().iter().map(|(k, v)| (k, v)))
        .current_dir(sandbox.path())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap()
}

/// Starts gomod-sumverify in `sandbox` reading standard input and waits (up to a
/// minute) for `connections` to count one before writing anything. Returns what
/// `connections` and `requests` counted then, and the one record made after one fetch
/// record of example.com/hello@v1.1.0 is written and the input ends.
fn sum_after_the_connection_comes(
    sandbox: &Sandbox,
    connections: impl Fn() -> u64,
    requests: impl Fn() -> u64,
) -> ((u64, u64), SumRecord) {
    use std::io::Write;
    let mut child = spawn_reading_stdin(sandbox);
    let mut stdin = child.stdin.take().unwrap();
    let until = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while connections() == 0 && std::time::Instant::now() < until {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let before = (connections(), requests());
    stdin
        .write_all(fetch("https://proxy.golang.org", Some(HELLO_ZIP), Some(HELLO_MOD)).as_bytes())
        .unwrap();
    drop(stdin);
    let output = child.wait_with_output().unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    let mut lines: Vec<Line> = stdout.lines().map(Line::parse).collect();
    if let (1, Some(Line::Sum(r))) = (lines.len(), lines.pop()) {
        return (before, *r);
    }
    panic!("one sum record expected (before the input: {before:?}): {stdout}\nstderr: {stderr}");
}

#[test]
fn the_database_connection_opens_while_standard_input_is_awaited() {
    let db = SumdbServer::fixture("honest");
    let sandbox = sandbox_for(&db);
    // Nothing written yet: the connection comes, a request does not.
    let (before, r) =
        sum_after_the_connection_comes(&sandbox, || db.connections(), || db.paths().len() as u64);
    assert_eq!(
        before,
        (1, 0),
        "connections and requests before the first input"
    );
    assert!(r.ok && r.db().verified, "{r:#?}");
}

#[test]
fn the_connection_opened_early_to_an_http2_proxy_carries_the_lookups() {
    let db = SumdbServer::fixture("honest");
    let ca = TestCa::new("gomod sumverify test CA");
    let proxy = GoProxy::new()
        .sumdb_proxy(&db.name(), &db.url())
        .start_h2(&ca.issue(&["127.0.0.1"]), 100);
    // GOSUMDB names no URL: the first GOPROXY entry is asked whether it proxies the
    // database, so that is where the connection goes.
    let sandbox = Sandbox::new()
        .env("GOSUMDB", &db.vkey())
        .env("GOPROXY", &format!("{},direct", proxy.url()));
    let ca_file = ca.write_pem(sandbox.path(), "ca.pem");
    let sandbox = sandbox.env("SSL_CERT_FILE", ca_file.to_str().unwrap());
    let (before, r) =
        sum_after_the_connection_comes(&sandbox, || proxy.connections(), || proxy.request_count());
    assert_eq!(
        before,
        (1, 0),
        "connections and requests before the first input"
    );
    assert!(r.ok && r.db().verified, "{r:#?}");
    assert_eq!(r.db().via.as_deref(), Some("proxy"));
    // `supported`, the lookup and its tiles, all streams of the connection opened early.
    let log = proxy.log();
    assert!(log.len() >= 3, "{log:#?}");
    assert!(log.iter().all(|q| q.connection == 1 && q.h2), "{log:#?}");
    assert_eq!(proxy.connections(), 1);
}

#[test]
fn lookups_start_while_standard_input_is_still_open() {
    use std::io::Write;
    let db = SumdbServer::fixture("honest");
    let sandbox = sandbox_for(&db);
    let mut child = spawn_reading_stdin(&sandbox);
    let mut stdin = child.stdin.take().unwrap();
    // Two endpoints' records of one version (--every-endpoint), then another version's
    // record: that one ends the first group, whose lookup starts at once; the second
    // group may still grow, so it waits for the end of the input.
    let greet = json!({
        "type": "fetch", "module": "example.com/greet/v2", "version": "v2.0.0",
        "source": "https://proxy.golang.org", "ok": true,
        "zip_h1": "h1:L5BtFKNmBSATY82GZisSeMvkx8iY76keRb5LmHvEdH0=",
        "mod_h1": "h1:fb9sxQivut2DHSNgCCQGnmrse1DzthlQv4x430GHqlA=",
    })
    .to_string()
        + "\n";
    let records = fetch("https://proxy.golang.org", Some(HELLO_ZIP), Some(HELLO_MOD))
        + &fetch("https://goproxy.corp.example", Some(WRONG), Some(HELLO_MOD))
        + &greet;
    stdin.write_all(records.as_bytes()).unwrap();
    stdin.flush().unwrap();
    let first = wait_for_request(&db, "/lookup/example.com/hello@v1.1.0");
    let early = db.paths();
    drop(stdin);
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        first,
        "no lookup while standard input was open: {early:?}\nstderr: {stderr}"
    );
    assert!(
        !early.iter().any(|p| p.contains("greet")),
        "a group was looked up before it was complete: {early:?}"
    );
    let lines: Vec<Line> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(Line::parse)
        .collect();
    let out = Outcome {
        status: output.status.code().unwrap_or(-1),
        lines,
        stderr: stderr.into_owned(),
    };
    let sums = out.sums();
    assert_eq!(sums.len(), 2, "{:#?}", out.lines);
    // Both endpoints of the first version are compared in one record, in input order.
    assert_eq!(sums[0].module, HELLO);
    assert_eq!(sums[0].cause.as_deref(), Some("proxy_content_differs"));
    let sources: Vec<&str> = sums[0].sources.iter().map(|s| s.source.as_str()).collect();
    assert_eq!(
        sources,
        ["https://proxy.golang.org", "https://goproxy.corp.example"]
    );
    assert_eq!(sums[1].module, "example.com/greet/v2");
    assert!(sums[1].ok, "{:#?}", sums[1]);
    assert!(
        db.paths()
            .iter()
            .any(|p| p == "/lookup/example.com/greet/v2@v2.0.0")
    );
}

#[test]
fn a_forged_signature_is_refused() {
    let db = SumdbServer::fixture("bad-signature");
    let out = sumverify(&sandbox_for(&db), &["example.com/hello@v1.0.0"], "");
    assert_eq!(out.status, 1);
    let r = out.one();
    assert_eq!(
        (r.code(), r.verdict.as_str()),
        (Some("sumdb_bad_signature"), "failed")
    );
    assert!(
        r.go_error().starts_with(
            "go: example.com/hello@v1.0.0: verifying go.mod: example.com/hello@v1.0.0/go.mod: reading tree note: invalid signature for key sumdb.fixture.test+1e35f783"
        ),
        "{}",
        r.go_error()
    );
    assert!(!r.db().verified);
}

#[test]
fn a_tree_signed_by_an_unknown_key_is_refused() {
    let db = SumdbServer::fixture("wrong-key");
    // The client trusts the fixture's usual key; the server signs with another.
    let sandbox = Sandbox::new().env(
        "GOSUMDB",
        &format!("{} {}", gomod_testsupport::sumdb::FIXTURE_VKEY, db.url()),
    );
    let out = sumverify(&sandbox, &["example.com/hello@v1.0.0"], "");
    assert_eq!(out.status, 1);
    let r = out.one();
    assert_eq!(r.code(), Some("sumdb_bad_signature"));
    assert!(
        r.go_error()
            .contains("reading tree note: note has no verifiable signatures"),
        "{}",
        r.go_error()
    );
}

#[test]
fn a_tampered_record_or_tile_fails_the_proof() {
    for (scenario, module, text) in [
        (
            "tampered-lookup",
            "example.com/hello@v1.1.0",
            "cannot authenticate record data in server response",
        ),
        (
            "tampered-tile",
            "example.com/hello@v1.1.0",
            "downloaded inconsistent tile",
        ),
        (
            "tampered-root-tile",
            "example.com/hello@v1.1.0",
            "downloaded inconsistent tile",
        ),
    ] {
        let db = SumdbServer::fixture(scenario);
        let sandbox = sandbox_for(&db);
        let out = sumverify(&sandbox, &[module], "");
        assert_eq!(out.status, 1, "{scenario}");
        let r = out.one();
        assert_eq!(r.code(), Some("sumdb_proof_failed"), "{scenario}: {r:#?}");
        assert!(r.go_error().contains(text), "{scenario}: {}", r.go_error());
        // Nothing unauthenticated was kept.
        let state = default_state(&sandbox);
        assert!(
            !state.join("lookup/example.com/hello@v1.1.0").exists(),
            "{scenario}"
        );
    }
}

#[test]
fn a_fork_between_two_runs_shows_both_tree_heads() {
    let db = SumdbServer::fixture("honest");
    let sandbox = sandbox_for(&db);
    let first = sumverify(&sandbox, &["example.com/hello@v1.0.0"], "");
    assert_eq!(first.status, 0, "{:#?}", first.lines);
    // The same key now signs another history.
    db.switch("fork");
    let out = sumverify(&sandbox, &["example.com/nogomod@v1.0.0"], "");
    assert_eq!(out.status, 1);
    let r = out.one();
    assert_eq!(
        (r.code(), r.verdict.as_str()),
        (Some("sumdb_fork"), "failed")
    );
    assert!(
        r.go_error()
            .starts_with("SECURITY ERROR\ngo.sum database server misbehavior detected!\n\nold database:\n\tgo.sum database tree\n\t305\n"),
        "{}",
        r.go_error()
    );
    let fork = r.fork.as_ref().unwrap();
    assert_eq!((fork.old.size, fork.new.size), (305, 306));
    assert!(fork.old.note.starts_with("go.sum database tree\n305\n"));
    assert!(fork.new.note.starts_with("go.sum database tree\n306\n"));
    assert_eq!(fork.old.hash, fork.old.note.lines().nth(2).unwrap());
    assert!(
        r.hint()
            .contains(&default_state(&sandbox).display().to_string())
    );
    // An answer from the state directory is checked against the database's latest
    // head too.
    let cached = sumverify(&sandbox, &["example.com/hello@v1.0.0"], "");
    assert_eq!(cached.one().code(), Some("sumdb_fork"));
    // The remembered head is kept: it is the evidence.
    let latest = std::fs::read_to_string(default_state(&sandbox).join("latest")).unwrap();
    assert!(latest.starts_with("go.sum database tree\n305\n"));
}

#[test]
fn a_database_that_goes_back_must_stay_on_the_same_history() {
    let db = SumdbServer::fixture("grown");
    let sandbox = sandbox_for(&db);
    assert_eq!(
        sumverify(&sandbox, &["example.com/hello@v1.0.0"], "").status,
        0
    );
    // An older head of the same log (a lagging mirror): accepted, nothing forgotten.
    db.switch("honest");
    let out = sumverify(&sandbox, &["example.com/hello@v1.1.0"], "");
    assert_eq!(out.status, 0, "{:#?}", out.lines);
    assert_eq!(out.one().db().tree_size, Some(605));
    let latest = std::fs::read_to_string(default_state(&sandbox).join("latest")).unwrap();
    assert!(latest.starts_with("go.sum database tree\n605\n"));
    // An older head of another history: a fork.
    db.switch("fork");
    let out = sumverify(&sandbox, &["example.com/greet/v2@v2.0.0"], "");
    assert_eq!(out.one().code(), Some("sumdb_fork"));
}

#[test]
fn a_private_module_unknown_to_the_database() {
    let db = SumdbServer::fixture("honest");
    let sandbox = sandbox_for(&db).env("GOPRIVATE", "other.example");
    let out = sumverify(&sandbox, &["corp.example.com/team/lib@v1.2.0"], "");
    assert_eq!(out.status, 1);
    let r = out.one();
    assert_eq!(
        (r.code(), r.verdict.as_str()),
        (Some("sumdb_not_found"), "not_found")
    );
    assert!(
        r.go_error().starts_with(&format!(
            "go: corp.example.com/team/lib@v1.2.0: verifying go.mod: corp.example.com/team/lib@v1.2.0/go.mod: reading {}/lookup/corp.example.com/team/lib@v1.2.0: 404 Not Found",
            db.url()
        )),
        "{}",
        r.go_error()
    );
    // The glob that fixes it, added to what is already set.
    assert!(
        r.hint()
            .contains("GOPRIVATE=other.example,corp.example.com"),
        "{}",
        r.hint()
    );
    // Nothing says the version exists, so no cause yet; with go.sum listing it, it is
    // a private module.
    assert_eq!(r.cause, None);
    sandbox.write(
        "go.sum",
        &format!("corp.example.com/team/lib v1.2.0/go.mod {HELLO_MOD}\n"),
    );
    let out = sumverify(&sandbox, &["corp.example.com/team/lib@v1.2.0"], "");
    assert_eq!(out.one().cause.as_deref(), Some("private_not_in_sumdb"));
    // On a public code host the owner is the glob.
    let out = sumverify(&sandbox, &["github.com/acme/secret@v1.0.0"], "");
    assert!(
        out.one()
            .hint()
            .contains("GOPRIVATE=other.example,github.com/acme")
    );
}

#[test]
fn gonosumdb_gopriate_and_gosumdb_off_skip_the_database() {
    let db = SumdbServer::fixture("honest");
    for (var, value, skipped) in [
        (
            "GONOSUMDB",
            "example.com/hello",
            "GONOSUMDB matches \"example.com/hello\"",
        ),
        ("GOPRIVATE", "*.com", "GOPRIVATE matches \"*.com\""),
        ("GOSUMDB", "off", "GOSUMDB=off"),
    ] {
        db.clear_requests();
        let sandbox = sandbox_for(&db).env(var, value);
        sandbox.write("go.sum", RECORDS);
        let out = sumverify(
            &sandbox,
            &[],
            &fetch("https://proxy.golang.org", Some(HELLO_ZIP), Some(HELLO_MOD)),
        );
        assert_eq!(out.status, 0, "{var}");
        let r = out.one();
        assert_eq!(r.sumdb_skipped.as_deref(), Some(skipped), "{var}");
        assert_eq!(
            (r.verdict.as_str(), r.sumdb.is_none()),
            ("consistent", true),
            "{var}"
        );
        assert!(db.paths().is_empty(), "{var}: {:?}", db.paths());
        // Not even a connection opened ahead of the lookups that never come.
        assert_eq!(db.connections(), 0, "{var}");
    }
    // Skipped, the go.sum check still applies.
    let sandbox = sandbox_for(&db).env("GOSUMDB", "off");
    sandbox.write("go.sum", RECORDS);
    let out = sumverify(
        &sandbox,
        &[],
        &fetch("direct", Some(WRONG), Some(HELLO_MOD)),
    );
    let r = out.one();
    assert_eq!(r.code(), Some("gosum_mismatch"));
    assert_eq!(r.cause.as_deref(), Some("retagged_upstream"));
}

#[test]
fn the_database_through_the_first_proxy_that_serves_it() {
    let db = SumdbServer::fixture("honest");
    db.set_supported(Some(200));
    let not_here = SumdbServer::fixture("honest");
    // GOSUMDB names no URL: the go command asks each GOPROXY entry.
    let sandbox = Sandbox::new().env("GOSUMDB", &db.vkey()).env(
        "GOPROXY",
        &format!("{},{},direct", not_here.url(), db.url()),
    );
    let out = sumverify(&sandbox, &["example.com/hello@v1.1.0"], "");
    assert_eq!(out.status, 0, "{:#?}", out.lines);
    let d = out.one().db();
    assert_eq!(d.via.as_deref(), Some("proxy"));
    assert_eq!(
        d.url.as_deref(),
        Some(format!("{}/sumdb/sumdb.fixture.test", db.url()).as_str())
    );
    assert_eq!(not_here.paths(), ["/sumdb/sumdb.fixture.test/supported"]);
    assert!(db.paths()[0] == "/sumdb/sumdb.fixture.test/supported");
    assert!(
        db.paths()
            .iter()
            .skip(1)
            .all(|p| p.starts_with("/sumdb/sumdb.fixture.test/")),
        "{:?}",
        db.paths()
    );
    // A proxy that fails otherwise than "not found" stops the walk: no database at all,
    // not a direct connection.
    db.set_supported(Some(500));
    db.clear_requests();
    let broken = Sandbox::new()
        .env("GOSUMDB", &db.vkey())
        .env("GOPROXY", &format!("{},direct", db.url()));
    let out = sumverify(&broken, &["example.com/hello@v1.1.0"], "");
    assert_eq!(out.status, 1);
    let r = out.one();
    assert_eq!(r.code(), Some("http_server_error"), "{r:#?}");
    assert!(
        r.go_error().contains("/sumdb/sumdb.fixture.test/supported"),
        "{}",
        r.go_error()
    );
    assert_eq!(db.paths(), ["/sumdb/sumdb.fixture.test/supported"]);
}

/// A GOPROXY that has example.com/m v1.0.0 and relays sum.golang.org (its
/// `/sumdb/sum.golang.org/supported` answers 200), every relayed request answered with
/// `status` by the database behind it. The proxy, the server behind it, and go.sum's
/// lines for the module.
pub fn relaying_proxy(status: u16) -> (RunningProxy, gomod_testsupport::Running, String) {
    let behind = Server::http(handler(move |_| {
        Response::text(status, "lookup failed here")
    }));
    let mock = GoProxy::new()
        .module(
            "example.com/m",
            "v1.0.0",
            &[("go.mod", b"module example.com/m\n".as_slice())],
        )
        .sumdb_proxy("sum.golang.org", &format!("http://{}", behind.host_port()));
    let gosum = mock.go_sum();
    (mock.start(), behind, gosum)
}

#[test]
fn a_proxy_relaying_the_database_that_fails_its_lookups_is_blamed() {
    for status in [404, 500] {
        let (proxy, _behind, gosum) = relaying_proxy(status);
        // GOSUMDB is sum.golang.org, named without a URL: go asks the proxy.
        let sandbox = Sandbox::new()
            .env("GOPROXY", &format!("{},direct", proxy.url()))
            .env("GOENV", "off");
        sandbox.write("go.sum", &gosum);
        let out = sumverify(&sandbox, &["example.com/m@v1.0.0"], "");
        assert_eq!(out.status, 1, "{status}");
        let r = out.one();
        let d = r.db();
        assert_eq!(d.via.as_deref(), Some("proxy"), "{status}: {r:#?}");
        assert_eq!(
            d.url.as_deref(),
            Some(format!("{}/sumdb/sum.golang.org", proxy.url()).as_str())
        );
        assert_eq!(r.cause.as_deref(), Some("sumdb_proxy_failed"), "{status}");
        let message = &r.error.as_ref().unwrap().message;
        assert!(
            message.contains(&proxy.url()) && message.contains("/sumdb/sum.golang.org/supported"),
            "{status}: {message}"
        );
        assert!(
            !message.contains("private"),
            "{status}: the module is not called private: {message}"
        );
        let hint = r.hint();
        assert!(
            hint.contains("GOSUMDB=\"sum.golang.org https://sum.golang.org\"")
                && hint.contains(&proxy.url()),
            "{status}: {hint}"
        );
        assert!(!hint.starts_with("if example.com/m is private"), "{hint}");
    }
}

#[test]
fn a_database_that_never_answers_has_no_go_error() {
    // The go command has no time limit for the answer and would wait for ever.
    let db = SumdbServer::fixture("honest");
    db.set_delay(std::time::Duration::from_secs(120));
    let sandbox = sandbox_for(&db);
    let out = sumverify(
        &sandbox,
        &["--timeout", "2s", "example.com/hello@v1.1.0"],
        "",
    );
    assert_eq!(out.status, 1);
    let r = out.one();
    let e = r.error.as_ref().expect("an error");
    assert_eq!(e.code, "http_timeout");
    assert_eq!(e.go_error, None, "go prints nothing here: {e:?}");
    assert!(
        format!("{} {}", e.message, e.detail.as_deref().unwrap_or_default())
            .contains("keep waiting"),
        "{e:?}"
    );
}

#[test]
fn sum_golang_org_by_name_uses_go_s_built_in_key() {
    // A GOPROXY that serves the database as /sumdb/sum.golang.org/..., with the
    // fixture's answers: signed by another key than the one Go has built in.
    let scenario = Scenario::load("honest").unwrap();
    let proxy = Server::http(handler(move |r| {
        let path = r.path();
        match path.strip_prefix("/sumdb/sum.golang.org/") {
            Some("supported") => Response::text(200, "ok"),
            Some(rest) => {
                let rest = rest.replace("%21", "!");
                match scenario.file(&rest) {
                    Some(body) => Response::new(200, body),
                    None => Response::text(404, "not found"),
                }
            }
            None => Response::text(404, "not found"),
        }
    }));
    let url = format!("http://{}", proxy.host_port());
    let sandbox = Sandbox::new()
        .env("GOSUMDB", "sum.golang.org")
        .env("GOPROXY", &url);
    let out = sumverify(&sandbox, &["example.com/hello@v1.1.0"], "");
    assert_eq!(out.status, 1);
    let r = out.one();
    assert_eq!(r.code(), Some("sumdb_bad_signature"));
    assert_eq!(r.db().name, "sum.golang.org");
    assert!(
        r.go_error()
            .contains("reading tree note: note has no verifiable signatures"),
        "{}",
        r.go_error()
    );
    let paths: Vec<String> = proxy
        .requests()
        .iter()
        .map(|q| q.path().to_string())
        .collect();
    assert_eq!(paths[0], "/sumdb/sum.golang.org/supported", "{paths:?}");
    assert!(
        paths[1].starts_with("/sumdb/sum.golang.org/lookup/"),
        "{paths:?}"
    );
}

#[test]
fn a_corrupted_module_cache_zip() {
    let db = SumdbServer::fixture("honest");
    let sandbox = sandbox_for(&db);
    let files: &[(&str, &[u8])] = &[("go.mod", HELLO_GO_MOD), ("hello.go", HELLO_GO)];
    // The module source gives the hashes the database holds.
    assert_eq!(
        modzip::zip_h1(HELLO, "v1.1.0", files).as_deref(),
        Some(HELLO_ZIP)
    );
    assert_eq!(modzip::mod_h1(HELLO_GO_MOD), HELLO_MOD);
    let cache = sandbox.path().join("modcache");
    let at_v = cache.join("cache/download/example.com/hello/@v");
    std::fs::create_dir_all(&at_v).unwrap();
    std::fs::write(at_v.join("v1.1.0.mod"), HELLO_GO_MOD).unwrap();
    std::fs::write(at_v.join("v1.1.0.ziphash"), format!("{HELLO_ZIP}\n")).unwrap();
    let zip = at_v.join("v1.1.0.zip");
    std::fs::write(&zip, modzip::module_zip(HELLO, "v1.1.0", files)).unwrap();
    sandbox.write(
        "go.sum",
        &format!("{HELLO} v1.1.0 {HELLO_ZIP}\n{HELLO} v1.1.0/go.mod {HELLO_MOD}\n"),
    );
    // The extracted module, as the go command leaves it.
    let extracted = cache.join("example.com/hello@v1.1.0");
    std::fs::create_dir_all(&extracted).unwrap();
    for (name, data) in files {
        std::fs::write(extracted.join(name), data).unwrap();
    }
    let cache_arg = cache.to_str().unwrap();
    let out = sumverify(&sandbox, &["--modcache", cache_arg], "");
    assert_eq!(out.status, 0, "{:#?}", out.lines);
    let r = out.one();
    assert_eq!(
        (r.verdict.as_str(), r.from.as_str()),
        ("verified", "modcache")
    );
    assert_eq!(r.sources[0].source, "modcache");
    assert_eq!(r.sources[0].ziphash.as_deref(), Some(HELLO_ZIP));
    // One byte of hello.go changed after the go command downloaded it.
    let edited: &[(&str, &[u8])] = &[("go.mod", HELLO_GO_MOD), ("hello.go", b"package hello\n")];
    std::fs::write(&zip, modzip::module_zip(HELLO, "v1.1.0", edited)).unwrap();
    let out = sumverify(&sandbox, &["--modcache", cache_arg], "");
    assert_eq!(out.status, 1);
    let r = out.one();
    assert_eq!(
        (r.code(), r.cause.as_deref()),
        (Some("hash_mismatch"), Some("local_corruption"))
    );
    assert_eq!(
        r.go_error(),
        format!("{HELLO} v1.1.0: zip has been modified ({})", zip.display())
    );
    assert_eq!(r.sources[0].verdict, "differs");
    assert_eq!(r.sources[0].zip, modzip::zip_h1(HELLO, "v1.1.0", edited));
    // The zip is intact again, but a file of the extracted module was edited.
    std::fs::write(&zip, modzip::module_zip(HELLO, "v1.1.0", files)).unwrap();
    std::fs::write(extracted.join("hello.go"), "package hello\n").unwrap();
    let out = sumverify(&sandbox, &["--modcache", cache_arg], "");
    let r = out.one();
    assert_eq!(r.code(), Some("hash_mismatch"));
    assert_eq!(
        r.go_error(),
        format!(
            "{HELLO} v1.1.0: dir has been modified ({})",
            extracted.display()
        )
    );
    assert_eq!(r.cause.as_deref(), Some("local_corruption"));
    // Not a zip at all (the extracted module intact).
    std::fs::write(extracted.join("hello.go"), HELLO_GO).unwrap();
    std::fs::write(&zip, b"not a zip").unwrap();
    let out = sumverify(&sandbox, &["--modcache", cache_arg], "");
    let r = out.one();
    assert_eq!(r.code(), Some("zip_invalid"));
    assert!(
        r.go_error().starts_with(&format!("{HELLO} v1.1.0: ")),
        "{}",
        r.go_error()
    );
}

#[test]
fn inputs_records_and_output_forms() {
    let db = SumdbServer::fixture("honest");
    let sandbox = sandbox_for(&db);
    let stdin = "example.com/hello@v1.0.0\n\
        not a target\n\
        {\"type\":\"dns\",\"host\":\"proxy.golang.org\"}\n\
        {\"type\":\"route\",\"module\":\"example.com/greet/v2\",\"version\":\"v2.0.0\"}\n\
        example.com/hello@latest\n\
        example.com/hello@v1.0.0\n";
    let out = sumverify(&sandbox, &["--summary"], stdin);
    assert_eq!(out.status, 1);
    let kinds: Vec<String> = out
        .lines
        .iter()
        .map(|l| match l {
            Line::Sum(r) => format!("{}@{} {}", r.module, r.version, r.verdict),
            Line::InputError(r) => format!("input_error {}", r.input),
            Line::Summary(s) => format!("summary {} {}", s.passed, s.failed),
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "example.com/hello@v1.0.0 verified",
            "input_error not a target",
            "example.com/greet/v2@v2.0.0 verified",
            "example.com/hello@latest failed",
            "summary 2 2"
        ]
    );
    let text = sandbox.run_with_stdin(TOOL, &["--format", "text"], "example.com/hello@latest\n");
    assert_eq!(text.status, 1);
    assert!(
        text.stdout
            .starts_with("FAIL sum example.com/hello@latest failed | version_invalid:"),
        "{}",
        text.stdout
    );
    // An explicit go.sum that is not there, or malformed: fatal, like the go command.
    let missing = sandbox.run(TOOL, &["--gosum", "nope/go.sum"]);
    assert_eq!(missing.status, 2);
    assert!(
        missing.stderr.starts_with("gomod-sumverify: error: "),
        "{}",
        missing.stderr
    );
    sandbox.write("bad.sum", "a v1 h1:x extra\n");
    let bad = sandbox.run(TOOL, &["--gosum", "bad.sum"]);
    assert_eq!(bad.status, 2);
    // Go's two lines, as two lines (not a Rust escape of the new line).
    assert!(
        bad.stderr.starts_with(
            "gomod-sumverify: error: malformed go.sum:\nbad.sum:1: wrong number of fields 4\n"
        ),
        "{}",
        bad.stderr
    );
    // Records that name no module version: nothing to check, even beside a go.sum
    // (the go.sum is not checked instead).
    let beside = Sandbox::new();
    beside.write("go.sum", "example.com/hello v1.0.0 h1:x=\n");
    let none = beside.run_with_stdin(
        TOOL,
        &[],
        "{\"type\":\"toolchain\",\"module\":null,\"version\":null,\"ok\":true}\n",
    );
    assert_eq!(none.status, 2, "{}", none.stdout);
    assert_eq!(none.stdout, "");
    assert!(
        none.stderr
            .contains("nothing to probe: the input names no module version"),
        "{}",
        none.stderr
    );
    // Nothing at all to check.
    let nothing = Sandbox::new().run(TOOL, &[]);
    assert_eq!(nothing.status, 2);
    assert!(
        nothing.stderr.contains("nothing to probe: "),
        "{}",
        nothing.stderr
    );
}

#[test]
fn a_gosumdb_the_go_command_rejects() {
    let sandbox = Sandbox::new().env("GOSUMDB", "sum.example.com");
    let out = sumverify(&sandbox, &["example.com/hello@v1.0.0"], "");
    assert_eq!(out.status, 1);
    let r = out.one();
    assert_eq!(r.code(), Some("gosumdb_invalid"));
    assert_eq!(
        r.go_error(),
        "go: example.com/hello@v1.0.0: verifying go.mod: invalid GOSUMDB: malformed verifier id"
    );
    // Skipped modules never reach the broken setting.
    let out = sumverify(
        &sandbox.env("GONOSUMDB", "example.com"),
        &["example.com/hello@v1.0.0"],
        "",
    );
    assert_eq!(out.status, 0);
}
