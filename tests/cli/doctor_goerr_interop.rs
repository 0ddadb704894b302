//! go1.27's real standard error for every failure of `fetch_errors_interop`'s table,
//! kept in tests/fixtures/goerr/go1.27-loopback.json: the text gomod-doctor's go-output
//! parser is table-tested over (common/tests/rules/doctor_goerr.rs), which must not need
//! go. With go1.27 present this runs `go mod download` again on every case against the
//! same loopback servers and compares its standard error, ports and the sandbox path
//! normalised, with the recording; GOMOD_RECORD_GOERR=1 rewrites the file instead (see
//! tests/fixtures/goerr/README.md). Skipped without go1.27, unless GOMOD_REQUIRE_GO is set.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::fetch_errors_interop::{Case, cases, sandbox};
use crate::interop::{go_command, newest_go};

/// One recorded failure: the case of the table, the command and what go printed.
#[derive(Serialize, Deserialize, PartialEq, Debug)]
struct Recorded {
    case: String,
    target: String,
    /// The code gomod-fetch gives the failure: the class the parser must find.
    code: String,
    go: String,
    command: String,
    stderr: String,
}

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/goerr/go1.27-loopback.json")
}

/// `text` with every loopback port replaced by `PORT` and the sandbox by `$WORK`, so that
/// two runs compare equal.
fn normalise(text: &str, work: &Path) -> String {
    let text = text.replace(&work.display().to_string(), "$WORK");
    let mut out = String::new();
    let mut rest = text.as_str();
    while let Some(at) = rest.find("127.0.0.1:") {
        let (before, after) = rest.split_at(at + "127.0.0.1:".len());
        out.push_str(before);
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        if digits > 0 {
            out.push_str("PORT");
        }
        rest = &after[digits..];
    }
    out.push_str(rest);
    out
}

/// go's version line word (`go1.27.3`).
fn go_version(go: &Path) -> String {
    let out = std::process::Command::new(go)
        .arg("version")
        .env("GOTOOLCHAIN", "local")
        .output()
        .expect("go version");
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .nth(2)
        .unwrap_or_default()
        .to_string()
}

fn record(go: &Path, version: &str, case: &Case) -> Recorded {
    let s = sandbox(go, case);
    let output = go_command(&s, go)
        .args(["mod", "download", &case.target])
        .output()
        .unwrap();
    assert!(
        !output.status.success(),
        "go mod download {} worked",
        case.target
    );
    Recorded {
        case: case.label.to_string(),
        target: case.target.clone(),
        code: case.code.to_string(),
        go: version.to_string(),
        command: format!("go mod download {}", case.target),
        stderr: normalise(&String::from_utf8_lossy(&output.stderr), s.path()),
    }
}

#[test]
fn the_recorded_go_output_is_what_go_prints_today() {
    let Some(go) = newest_go() else { return };
    let version = go_version(&go);
    let rewrite = std::env::var_os("GOMOD_RECORD_GOERR").is_some();
    if !version.starts_with("go1.27") && !rewrite {
        // Another release may word things differently; the recording is go1.27's.
        eprintln!("note: {version} is not go1.27, the go-output recording is not compared");
        return;
    }
    let cases = cases();
    let mut now = Vec::new();
    for chunk in cases.chunks(4) {
        let found: Vec<Recorded> = std::thread::scope(|threads| {
            let running: Vec<_> = chunk
                .iter()
                .map(|case| threads.spawn(|| record(&go, &version, case)))
                .collect();
            running.into_iter().map(|t| t.join().unwrap()).collect()
        });
        now.extend(found);
    }
    if rewrite {
        let json = serde_json::to_string_pretty(&now).unwrap();
        std::fs::write(fixture(), json + "\n").unwrap();
        return;
    }
    let kept: Vec<Recorded> =
        serde_json::from_str(&std::fs::read_to_string(fixture()).unwrap()).unwrap();
    let mut diffs = Vec::new();
    for r in &now {
        match kept
            .iter()
            .find(|k| (&k.case, &k.target, &k.code) == (&r.case, &r.target, &r.code))
        {
            None => diffs.push(format!("{} ({}): not recorded", r.case, r.target)),
            Some(k) if k.stderr != r.stderr => diffs.push(format!(
                "{} ({}):\n  recorded: {:?}\n  go now:   {:?}",
                r.case, r.target, k.stderr, r.stderr
            )),
            Some(_) => {}
        }
    }
    assert_eq!(kept.len(), now.len(), "the recording has other cases");
    assert!(
        diffs.is_empty(),
        "go's output differs from the recording (GOMOD_RECORD_GOERR=1 rewrites it):\n{}",
        diffs.join("\n")
    );
}
