//! The committed man pages and completions are what the binaries generate now.
//! Run with `UPDATE_GENERATED=1` (or `make docs`) to rewrite them after a change.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

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
        assert!(
            std::env::var_os("GOMOD_REQUIRE_MANDOC").is_none(),
            "mandoc is required (GOMOD_REQUIRE_MANDOC is set)"
        );
        eprintln!("mandoc not installed: lint skipped");
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
        "tls_incomplete_chain",
        "tls_intercepted_untrusted",
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

/// Every jq program a user may copy from the README or a man page, as written between
/// single quotes after `jq` and its options, man page escapes undone.
fn documented_jq_programs() -> Vec<(String, String)> {
    let mut sources = vec![("README.md".to_string(), read(&root().join("README.md")))];
    let mut pages: Vec<PathBuf> = std::fs::read_dir(root().join("man"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    pages.sort();
    for page in pages {
        let text = read(&page)
            .replace("\\*(Aq", "'")
            .replace("\\(aq", "'")
            .replace("\\-", "-")
            .replace("\\e", "\\");
        sources.push((
            page.strip_prefix(root()).unwrap().display().to_string(),
            text,
        ));
    }
    let mut programs = Vec::new();
    for (name, text) in sources {
        for line in text.lines() {
            let mut rest = line;
            while let Some(at) = find_jq(rest) {
                rest = &rest[at + 2..];
                // Options, then the quoted program.
                let mut words = rest.trim_start();
                while let Some(opt) = words.strip_prefix('-') {
                    words = opt
                        .split_once(char::is_whitespace)
                        .map_or("", |(_, after)| after)
                        .trim_start();
                }
                if let Some(quoted) = words.strip_prefix('\'')
                    && let Some((program, _)) = quoted.split_once('\'')
                {
                    programs.push((name.clone(), program.to_string()));
                }
            }
        }
    }
    programs
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The byte offset of the next `jq` command word in `line`.
fn find_jq(line: &str) -> Option<usize> {
    let bytes = line.as_bytes();
    let mut from = 0;
    while let Some(pos) = line[from..].find("jq ") {
        let at = from + pos;
        if at == 0 || matches!(bytes[at - 1], b' ' | b'|' | b'(' | b'`') {
            return Some(at);
        }
        from = at + 3;
    }
    None
}

/// The README's and the man pages' jq programs compile with the jq on this machine
/// (jq 1.6 on Debian 12 takes `module` as a keyword, so `{module}` does not compile
/// there). Each program is compiled without being run, inside `if false then ... end`.
#[test]
fn documented_jq_programs_compile() {
    let programs = documented_jq_programs();
    assert!(
        programs.len() >= 15,
        "too few jq programs found: {programs:?}"
    );
    let version = match std::process::Command::new("jq").arg("--version").output() {
        Ok(out) if out.status.success() => String::from_utf8_lossy(&out.stdout).trim().to_string(),
        _ => {
            eprintln!(
                "jq is not installed: the {} jq programs of the README and man pages were NOT checked",
                programs.len()
            );
            return;
        }
    };
    let mut broken = Vec::new();
    for (source, program) in &programs {
        let output = std::process::Command::new("jq")
            .arg("-n")
            .arg(format!("if false then ({program}) else empty end"))
            .output()
            .unwrap();
        if !output.status.success() {
            broken.push(format!(
                "{source}: {program}\n  {}",
                String::from_utf8_lossy(&output.stderr).trim()
            ));
        }
    }
    assert!(
        broken.is_empty(),
        "jq programs that {version} cannot compile:\n{}",
        broken.join("\n")
    );
}

#[test]
fn jq_programs_are_found_where_written() {
    assert_eq!(find_jq("a | jq -r '.x'"), Some(4));
    assert_eq!(find_jq("gomod-x | jq '.x'"), Some(10));
    assert_eq!(find_jq("jq ."), Some(0));
    assert_eq!(find_jq("notjq '.x'"), None);
}
