//! The committed man pages and completions are what the binaries generate now.
//! Run with `UPDATE_GENERATED=1` (or `make docs`) to rewrite them after a change.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use gomod_testsupport::skip::{Need, skip};

const TOOLS: &[&str] = &[
    "gomod-resolve",
    "gomod-dnscheck",
    "gomod-tlscheck",
    "gomod-fetch",
    "gomod-sumverify",
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every generated file: (tool, --generate argument, committed path).
fn generated() -> Vec<(&'static str, &'static str, PathBuf)> {
    let mut files = Vec::new();
    for tool in TOOLS {
        files.push((*tool, "man", root().join(format!("man/{tool}.1"))));
        files.push((
            *tool,
            "complete-bash",
            root().join(format!("completions/{tool}.bash")),
        ));
        files.push((
            *tool,
            "complete-zsh",
            root().join(format!("completions/_{tool}")),
        ));
        files.push((
            *tool,
            "complete-fish",
            root().join(format!("completions/{tool}.fish")),
        ));
    }
    files.push((
        "gomod-resolve",
        "man-reference",
        root().join("man/gomod-tools.7"),
    ));
    files
}

fn generate(tool: &str, what: &str) -> Vec<u8> {
    let output = Command::cargo_bin(tool)
        .unwrap()
        .env_clear()
        .args(["--generate", what])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{tool} --generate {what}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout
}

#[test]
fn man_pages_and_completions_are_fresh() {
    let update = std::env::var_os("UPDATE_GENERATED").is_some();
    let mut stale = Vec::new();
    for (tool, what, path) in generated() {
        let fresh = generate(tool, what);
        if update {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &fresh).unwrap();
            continue;
        }
        match std::fs::read(&path) {
            Ok(committed) if committed == fresh => {}
            _ => stale.push(path.strip_prefix(root()).unwrap().display().to_string()),
        }
    }
    assert!(
        stale.is_empty(),
        "stale generated files (run `make docs` and commit them): {stale:?}"
    );
}

#[test]
fn man_pages_pass_mandoc_lint() {
    let has_mandoc = std::process::Command::new("mandoc")
        .arg("-V")
        .output()
        .is_ok();
    if !has_mandoc {
        skip(Need::Mandoc, "no mandoc (apt-get install mandoc)", "");
        return;
    }
    for (_, what, path) in generated() {
        if !what.starts_with("man") {
            continue;
        }
        lint(&path);
    }
}

fn lint(path: &Path) {
    let output = std::process::Command::new("mandoc")
        .args(["-Tlint", "-W", "warning"])
        .arg(path)
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && report.trim().is_empty(),
        "mandoc -Tlint {}:\n{report}",
        path.display()
    );
}

#[test]
fn reference_page_documents_every_error_code() {
    let page = String::from_utf8(generate("gomod-resolve", "man-reference")).unwrap();
    let codes = [
        "goproxy_invalid",
        "goproxy_empty",
        "goproxy_off",
        "gosumdb_invalid",
        "module_path_invalid",
        "gomod_invalid",
        "dns_nxdomain",
        "tcp_refused",
        "proxy_auth_required",
        "tls_unknown_authority",
        "tls_expired",
        "tls_name_mismatch",
        "http_not_found",
        "http_gone",
        "http_unauthorized",
        "http_forbidden",
        "http_server_error",
        "zip_invalid",
        "hash_mismatch",
        "gosum_mismatch",
        "sumdb_not_found",
        "sumdb_bad_signature",
        "sumdb_proof_failed",
        "sumdb_fork",
        "vcs_meta_not_found",
    ];
    for code in codes {
        assert!(
            page.contains(&code.replace('_', "\\_")) || page.contains(code),
            "{code} missing from gomod-tools(7)"
        );
    }
}
