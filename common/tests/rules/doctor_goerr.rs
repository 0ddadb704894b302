//! The doctor's reading of go's output, table-tested over go's real output: go1.27's
//! stderr recorded against loopback servers (tests/fixtures/goerr/go1.27-loopback.json)
//! and the go1.27.3 and go1.19.8 stderr of the shared scenarios
//! (tests/fixtures/goerr/shared-vectors.json); see tests/fixtures/goerr/README.md. Each
//! must give the module, host and failure class named here, and keep every line.

use gomod_common::doctor::goerr::{self, EXTRA_CLASSES};

/// `(id, class, module, host)`: what the first failure of each recorded output is.
/// An empty module or host means the output names none.
const EXPECTED: &[(&str, &str, &str, &str)] = &[
    ("sc02", "http_not_found", "example.com/m", "127.0.0.1"),
    ("sc03", "http_gone", "example.com/m", "127.0.0.1"),
    ("sc04", "http_server_error", "example.com/m", "127.0.0.1"),
    ("sc05", "http_forbidden", "example.com/m", "127.0.0.1"),
    ("sc06", "http_unauthorized", "example.com/m", "127.0.0.1"),
    ("sc07", "dns_nxdomain", "example.com/m", "example.com"),
    ("sc08", "http_server_error", "example.com/m", "127.0.0.1"),
    ("sc10", "tcp_refused", "example.com/m", "127.0.0.1"),
    (
        "sc11",
        "http_invalid_response",
        "example.com/m",
        "127.0.0.1",
    ),
    ("sc12", "http_invalid_response", "example.com/m", ""),
    ("sc13", "goproxy_off", "example.com/m", ""),
    ("sc14", "dns_nxdomain", "example.com/m", "proxy.golang.org"),
    ("sc16", "goproxy_empty", "example.com/m", ""),
    ("sc17", "goproxy_invalid", "example.com/m", ""),
    ("sc18", "http_not_found", "example.com/m", ""),
    ("sc19", "tcp_refused", "example.com/m", "127.0.0.1"),
    (
        "sc20",
        "dns_nxdomain",
        "example.com/m",
        "goproxy.corp.invalid",
    ),
    (
        "sc22",
        "tls_unknown_authority",
        "example.com/m",
        "127.0.0.1",
    ),
    (
        "sc22-go1.19",
        "tls_unknown_authority",
        "example.com/m",
        "127.0.0.1",
    ),
    ("sc24", "tls_expired", "example.com/m", "127.0.0.1"),
    ("sc24-go1.19", "tls_expired", "example.com/m", "127.0.0.1"),
    ("sc25", "tls_name_mismatch", "example.com/m", "127.0.0.1"),
    ("sc26", "tls_name_mismatch", "example.com/m", "localhost"),
    (
        "sc26-go1.19",
        "tls_name_mismatch",
        "example.com/m",
        "localhost",
    ),
    ("sc27", "tls_protocol_version", "example.com/m", "127.0.0.1"),
    ("sc28", "tls_handshake_failed", "example.com/m", "127.0.0.1"),
    ("sc30", "tls_not_tls", "example.com/m", "127.0.0.1"),
    ("sc31", "tls_timeout", "example.com/m", "127.0.0.1"),
    (
        "sc33",
        "http_insecure_redirect",
        "example.com/m",
        "127.0.0.1",
    ),
    (
        "sc35",
        "tls_unknown_authority",
        "example.com/m",
        "proxy.golang.org",
    ),
    ("sc36", "sumdb_not_found", "example.com/m", "sum.golang.org"),
    (
        "sc38",
        "proxy_auth_required",
        "example.com/m",
        "proxy.golang.org",
    ),
    ("sc39", "proxy_refused", "example.com/m", "proxy.golang.org"),
    ("sc40", "tcp_reset", "example.com/m", "proxy.golang.org"),
    (
        "sc41",
        "proxy_unreachable",
        "example.com/m",
        "proxy.golang.org",
    ),
    ("sc47", "dns_nxdomain", "example.com/m", "sum.golang.org"),
    ("sc48", "sumdb_not_found", "example.com/m", "127.0.0.1"),
    ("sc49", "http_server_error", "example.com/m", "127.0.0.1"),
    ("sc55", "gosumdb_invalid", "example.com/m", ""),
    ("sc57", "goflags_insecure", "", ""),
    ("sc59", "goflags_invalid", "", ""),
    ("sc61", "vcs_meta_not_found", "example.com/m", "example.com"),
    ("sc62", "http_not_found", "example.com/m", "example.com"),
    ("sc64", "vcs_repo_not_found", "example.com/m", "example.com"),
    (
        "sc64-go1.19",
        "vcs_repo_not_found",
        "example.com/m",
        "example.com",
    ),
    ("sc65", "vcs_disallowed", "example.com/m", ""),
    ("sc66", "vcs_tool_missing", "example.com/m", ""),
    (
        "sc67",
        "tls_unknown_authority",
        "example.com/m",
        "example.com",
    ),
    ("sc69", "proxy_refused", "example.com/m", "example.com"),
    ("sc78", "http_not_found", "example.com/m", "127.0.0.1"),
    (
        "sc78-go1.19",
        "http_not_found",
        "example.com/m",
        "127.0.0.1",
    ),
    ("sc79", "tcp_refused", "example.com/m", "127.0.0.1"),
    ("sc80", "goproxy_off", "example.com/m", ""),
    ("sc80-go1.19", "goproxy_off", "example.com/m", ""),
    ("sc82", "sumdb_not_found", "example.com/m", "127.0.0.1"),
    (
        "sc82-go1.19",
        "sumdb_not_found",
        "example.com/m",
        "127.0.0.1",
    ),
    ("sc83", "http_not_found", "example.com/m", "127.0.0.1"),
    (
        "sc85",
        "dns_nxdomain",
        "example.com/m",
        "goproxy.corp.invalid",
    ),
    (
        "sc87-go1.19",
        "dns_nxdomain",
        "example.com/m",
        "goproxy.corp.invalid",
    ),
    ("sc88", "network_disabled", "example.com/m", ""),
    ("sc89", "toolchain_unavailable", "", ""),
    ("sc91", "toolchain_too_old", "", ""),
    ("sc96", "gosumdb_invalid", "example.com/m", ""),
    (
        "sc99",
        "proxy_unreachable",
        "example.com/m",
        "proxy.golang.org",
    ),
    (
        "sc99-go1.19",
        "proxy_unreachable",
        "example.com/m",
        "proxy.golang.org",
    ),
    (
        "gosum-empty-file-list",
        "gosum_missing",
        "example.com/hello",
        "",
    ),
    (
        "gosum-wrong-zip-hash-build",
        "gosum_mismatch",
        "example.com/hello",
        "",
    ),
    (
        "gosum-wrong-gomod-hash-list",
        "gosum_mismatch",
        "example.com/hello",
        "",
    ),
];

#[derive(serde::Deserialize)]
struct Recorded {
    id: String,
    stderr: String,
}

fn recorded() -> Vec<Recorded> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/goerr/shared-vectors.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn every_recorded_failure_is_read_with_its_class_module_and_host() {
    let recorded = recorded();
    let mut wrong = Vec::new();
    for (id, class, module, host) in EXPECTED {
        let r = recorded
            .iter()
            .find(|r| r.id == *id)
            .unwrap_or_else(|| panic!("no recorded output {id}"));
        let out = goerr::parse(&r.stderr);
        let Some(f) = out.failures.first() else {
            wrong.push(format!("{id}: no failure read from {:?}", r.stderr));
            continue;
        };
        let got = (
            f.class,
            f.module.as_deref().unwrap_or(""),
            f.host.as_deref().unwrap_or(""),
        );
        if got != (*class, *module, *host) {
            wrong.push(format!(
                "{id}: {got:?}, not {:?}\n  {}",
                (class, module, host),
                r.stderr.trim()
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn every_recorded_output_is_placed_or_kept_and_no_line_is_lost() {
    for r in recorded() {
        let out = goerr::parse(&r.stderr);
        for f in &out.failures {
            assert!(
                f.code().is_some() || EXTRA_CLASSES.contains(&f.class),
                "{}: class {} is neither a code nor named",
                r.id,
                f.class
            );
            assert_ne!(f.class, "unknown", "{}: {:?}", r.id, r.stderr);
        }
        // Every non-blank line ends up somewhere.
        let kept = out
            .failures
            .iter()
            .map(|f| f.text.lines().count())
            .sum::<usize>()
            + out.downloading.len()
            + out.progress.len()
            + out
                .unplaced
                .iter()
                .map(|u| u.lines().count())
                .sum::<usize>();
        let lines = r.stderr.lines().filter(|l| !l.trim().is_empty()).count();
        assert_eq!(kept, lines, "{}: {:?}\n{out:#?}", r.id, r.stderr);
    }
}

/// go1.27's output for every failure of the cli test `fetch_errors_interop`, recorded
/// by `doctor_goerr_interop` (tests/fixtures/goerr/go1.27-loopback.json).
#[derive(serde::Deserialize)]
struct Loopback {
    case: String,
    target: String,
    code: String,
    stderr: String,
}

/// Cases whose text cannot tell gomod-fetch's code apart, with the class go's words do
/// give (and why): `(case, class)`.
const SAME_WORDS: &[(&str, &str)] = &[
    // A chain missing its intermediate reads exactly like an unknown CA in go's
    // output; only the TLS check tells them apart.
    ("TLS: the intermediate not sent", "tls_unknown_authority"),
    // go's line does not say that an HTTPS_PROXY was in between: a CONNECT proxy that
    // closes the connection reads like a server that does.
    ("HTTPS_PROXY closes the connection", "tcp_reset"),
];

#[test]
fn every_failure_recorded_against_loopback_servers_is_read_with_its_code() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/goerr/go1.27-loopback.json");
    let recorded: Vec<Loopback> =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    assert!(recorded.len() >= 40, "{} cases", recorded.len());
    let mut wrong = Vec::new();
    for r in &recorded {
        let out = goerr::parse(&r.stderr);
        let Some(f) = out.failures.last() else {
            wrong.push(format!("{}: no failure in {:?}", r.case, r.stderr));
            continue;
        };
        let class = SAME_WORDS
            .iter()
            .find(|(case, _)| *case == r.case)
            .map_or(r.code.as_str(), |(_, class)| class);
        let module = r.target.split('@').next().unwrap();
        // The URL's host: the loopback server's, or the GOPROXY behind a CONNECT proxy.
        let host = if r.stderr.contains("proxy.example.test") {
            Some("proxy.example.test")
        } else if r.stderr.contains("127.0.0.1:PORT/") {
            Some("127.0.0.1")
        } else {
            None
        };
        // The module, whenever go's line names it.
        let named = if r.stderr.contains(&format!("{module}@")) {
            f.module.as_deref() == Some(module)
        } else {
            f.module.as_deref().is_none_or(|m| m == module)
        };
        if f.class != class || !named || (host.is_some() && f.host.as_deref() != host) {
            wrong.push(format!(
                "{} ({}): class {}, module {:?}, host {:?}; want {class}, {module}, {host:?}\n  {:?}",
                r.case, r.target, f.class, f.module, f.host, r.stderr
            ));
        }
        let lines = r.stderr.lines().filter(|l| !l.trim().is_empty()).count();
        let kept = out
            .failures
            .iter()
            .map(|f| f.text.lines().count())
            .sum::<usize>()
            + out.downloading.len()
            + out.progress.len()
            + out
                .unplaced
                .iter()
                .map(|u| u.lines().count())
                .sum::<usize>();
        if kept != lines {
            wrong.push(format!("{}: {kept} of {lines} lines kept", r.case));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
