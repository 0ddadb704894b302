//! The doctor's reasoning over record fixtures: the records the five tools printed in
//! gomod-doctor's integration tests (tests/fixtures/doctor/*.jsonl, kept by those
//! tests under GOMOD_RECORD_DOCTOR=1; see tests/fixtures/doctor/README.md), read back
//! without any server. Each must give its root cause, and the failures that follow
//! from it as consequences or skipped checks, never as the cause.

use gomod_common::doctor::reason;
use serde_json::Value;

/// `(fixture, root cause code, the check that failed first, a check skipped or not
/// reached because of it)`.
const CASES: &[(&str, &str, &str, &str)] = &[
    ("tcp-refused", "tcp_refused", "tcp", "proxy"),
    ("comma-401-next-down", "http_unauthorized", "proxy", "proxy"),
    ("private-leak", "path_exposed", "proxy", ""),
    (
        "intercepted-untrusted",
        "tls_intercepted_untrusted",
        "tls",
        "proxy",
    ),
    ("dns-hijack", "dns_hijack_suspected", "tls", "proxy"),
    ("dns-nxdomain", "dns_nxdomain", "dns", "tcp"),
];

fn records(name: &str) -> Vec<Value> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/doctor")
        .join(format!("{name}.jsonl"));
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .map(|l| serde_json::from_str(l).expect("a record"))
        .collect()
}

#[test]
fn every_fixture_gives_its_root_cause_and_the_rest_as_consequences() {
    for (name, code, failed, after) in CASES {
        let records = records(name);
        let verdict = reason::diagnose(&records, None);
        let error = verdict
            .error
            .as_ref()
            .unwrap_or_else(|| panic!("{name}: no cause: {:#?}", verdict.body.checks));
        assert_eq!(error.code.as_str(), *code, "{name}: {error:?}");
        assert!(!verdict.body.fixes.is_empty(), "{name}: no fix");
        let first_failed = verdict
            .body
            .checks
            .iter()
            .find(|c| c.status == "failed")
            .unwrap_or_else(|| panic!("{name}: no failed check"));
        assert_eq!(
            first_failed.check, *failed,
            "{name}: {:#?}",
            verdict.body.checks
        );
        if !after.is_empty() {
            assert!(
                verdict
                    .body
                    .checks
                    .iter()
                    .any(|c| c.check == *after && matches!(c.status, "skipped" | "not_reached")),
                "{name}: no {after} check skipped: {:#?}",
                verdict.body.checks
            );
        }
        // Every failing record of the tools is a consequence (the cause is in error).
        for r in records
            .iter()
            .filter(|r| r["type"] == "fetch" && r["ok"] == false)
        {
            let version = r["version"].as_str().or(r["query"].as_str()).unwrap_or("");
            let what = format!("fetch {}@{version}", r["module"].as_str().unwrap());
            assert!(
                verdict
                    .body
                    .consequences
                    .iter()
                    .any(|c| c.what.starts_with(&what)),
                "{name}: {what} not a consequence: {:#?}",
                verdict.body.consequences
            );
        }
    }
}

#[test]
fn without_the_tls_record_the_block_page_is_a_tls_failure_only() {
    // The hijack needs both sides: the DNS difference and what the address presents.
    // Without the other resolver's record there is no DNS evidence: the cause stays TLS.
    let records: Vec<Value> = records("dns-hijack")
        .into_iter()
        .filter(|r| !(r["type"] == "dns" && r["resolver"] != "system"))
        .collect();
    let verdict = reason::diagnose(&records, None);
    assert_eq!(
        verdict.error.as_ref().map(|e| e.code.as_str()),
        Some("tls_name_mismatch")
    );
}
