//! Agreement with Go's own resolver: a tiny Go program (tests/fixtures/go/dnsprobe,
//! built with CGO_ENABLED=0 like the go command) resolves the same names on the same
//! files and the same DNS server as gomod-dnscheck, and every answer and error must
//! match.
//!
//! Go reads /etc/resolv.conf, /etc/hosts and /etc/nsswitch.conf and nothing else, so
//! the program runs in a private mount namespace (`unshare -m`) where the test's files
//! are bind-mounted over those paths; the machine's files are never touched. That
//! needs root, like the DNS server on 127.0.0.1:53 it talks to: without root (or
//! without a go1.27+) the test is skipped, unless GOMOD_REQUIRE_ROOT /
//! GOMOD_REQUIRE_GO are set (CI sets both).

use std::path::Path;
use std::process::Command;

use gomod_testsupport::skip::{Need, skip};
use serde::Deserialize;

use crate::Sandbox;
use crate::dnscheck::{RESOLV_CONF, port53};
use crate::interop::{build_go_program, go_sandbox, newest_go};

/// What the Go program prints for each name.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct GoAnswer {
    name: String,
    addrs: Option<Vec<String>>,
    error: String,
}

const HOSTS: &str = "\
127.0.0.1 localhost
::1 localhost ip6-localhost
203.0.113.7 both.example.net
192.0.2.99 Mixed.Case.Example # a comment
fe80::1%lo zoned.example
";

/// Every kind of answer the shared server gives, names in the hosts file, the search
/// list, literals and invalid names.
const NAMES: &[&str] = &[
    "localhost",
    "both.example.net",
    "MIXED.CASE.EXAMPLE.",
    "zoned.example",
    "ok.example.com",
    "UPPER.Example.Com",
    "trailing.example.com.",
    "cname.chain.example",
    "git",
    "nxdomain",
    "nxdomain.example.com",
    "nodata.example.com",
    "cnameonly.example.com",
    "servfail.example.com",
    "refused.example.com",
    "formerr.example.com",
    "notimp.example.com",
    "lame.example.com",
    "truncated.example.com",
    "timeout.example.com",
    "garbage.example.com",
    "wrongid.example.com",
    "proxy.golang.org",
    "192.0.2.55",
    "2001:db8::55",
    "fe80::2%lo",
    "bad_name!.example",
    "-leading-dash.example",
    "x.onion",
];

/// Runs `program` with the test's files mounted over /etc's and exactly `env`; None
/// when the mount namespace cannot be made (not root) and GOMOD_REQUIRE_ROOT is unset.
pub fn in_namespace(
    files: &[(&Path, &str)],
    program: &Path,
    args: &[&str],
    env: &[(String, String)],
) -> Option<std::process::Output> {
    let mut script = String::new();
    let mut mounted: Vec<String> = Vec::new();
    for (i, (file, target)) in files.iter().enumerate() {
        script.push_str(&format!("mount --bind \"${}\" {target} && ", i + 1));
        mounted.push(file.display().to_string());
    }
    script.push_str(&format!("shift {} && exec \"$@\"", files.len()));
    let output = Command::new("unshare")
        .args(["-m", "--propagation", "private", "sh", "-c", &script, "sh"])
        .args(&mounted)
        .arg(program)
        .args(args)
        .env_clear()
        .envs(env.iter().map(|(k, v)| (k, v)))
        .env("PATH", "/usr/sbin:/usr/bin:/sbin:/bin")
        .output();
    let why = match output {
        // The mounts worked when the program ran at all (it may fail on its own).
        Ok(out)
            if !String::from_utf8_lossy(&out.stderr).contains("unshare:")
                && !String::from_utf8_lossy(&out.stderr).contains("mount:") =>
        {
            return Some(out);
        }
        Ok(out) => String::from_utf8_lossy(&out.stderr).into_owned(),
        Err(e) => e.to_string(),
    };
    skip(
        Need::Root,
        "not root: cannot make a mount namespace (unshare -m)",
        why.trim(),
    );
    None
}

/// Runs the Go probe in the namespace; its answers.
fn run_probe(probe: &Path, files: &[(&Path, &str)], names: &[&str]) -> Option<Vec<GoAnswer>> {
    let output = in_namespace(files, probe, names, &[])?;
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = String::from_utf8(output.stdout).unwrap();
    Some(
        text.lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
            .collect(),
    )
}

/// The local port of a UDP socket differs between two runs; everything else must not.
fn without_local_port(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find("read udp ") {
        let Some(colon) = rest[i..]
            .find('-')
            .and_then(|dash| rest[i..i + dash].rfind(':'))
        else {
            break;
        };
        let start = i + colon + 1;
        out.push_str(&rest[..start]);
        out.push_str("PORT");
        rest = rest[start..].trim_start_matches(|c: char| c.is_ascii_digit());
    }
    out.push_str(rest);
    out
}

/// One set of files and the names to resolve with them.
struct Case {
    label: &'static str,
    resolv_conf: &'static str,
    nsswitch: &'static str,
    names: &'static [&'static str],
}

const CASES: &[Case] = &[
    Case {
        label: "every answer the server gives",
        resolv_conf: RESOLV_CONF,
        nsswitch: "hosts: files dns\n",
        names: NAMES,
    },
    Case {
        label: "TCP only, A then AAAA, ndots:3, two search domains, DNS before files",
        resolv_conf: "nameserver 127.0.0.1\nsearch corp.test example.com\noptions use-vc single-request ndots:3 timeout:1 attempts:1\n",
        nsswitch: "hosts: dns [NOTFOUND=return] files\n",
        names: &[
            "both.example.net",
            "ok",
            "git",
            "cname.chain.example",
            "nxdomain.example.com",
            "servfail.example.com",
            "truncated.example.com",
            "localhost",
        ],
    },
    Case {
        label: "the hosts file alone",
        resolv_conf: RESOLV_CONF,
        nsswitch: "hosts: files\n",
        names: &["both.example.net", "ok.example.com", "localhost"],
    },
    Case {
        label: "no nameserver line: Go's defaults, 127.0.0.1 then [::1]",
        resolv_conf: "search corp.test\noptions timeout:1 attempts:1\n",
        nsswitch: "hosts: files dns\n",
        names: &[
            "ok.example.com",
            "servfail.example.com",
            "timeout.example.com",
        ],
    },
    Case {
        label: "rotate, two servers (the second one silent), attempts:2",
        resolv_conf: "nameserver 127.0.0.1\nnameserver 127.0.0.1\nnameserver 127.0.0.1\nsearch corp.test\noptions rotate timeout:1 attempts:2\n",
        nsswitch: "hosts: files dns\n",
        names: &[
            "ok.example.com",
            "refused.example.com",
            "nodata.example.com",
        ],
    },
];

/// Runs one case through Go and through gomod-dnscheck; the disagreements.
fn compare(sandbox: &Sandbox, probe: &Path, case: &Case) -> Option<Vec<String>> {
    let resolv = sandbox.write("etc/resolv.conf", case.resolv_conf);
    let hosts = sandbox.write("etc/hosts", HOSTS);
    let nss = sandbox.write("etc/nsswitch.conf", case.nsswitch);
    let mounts = [
        (resolv.as_path(), "/etc/resolv.conf"),
        (hosts.as_path(), "/etc/hosts"),
        (nss.as_path(), "/etc/nsswitch.conf"),
    ];
    let theirs = run_probe(probe, &mounts, case.names)?;
    assert_eq!(theirs.len(), case.names.len());

    let mut args: Vec<String> = vec![
        "--resolv-conf".into(),
        resolv.display().to_string(),
        "--hosts".into(),
        hosts.display().to_string(),
        "--nsswitch".into(),
        nss.display().to_string(),
        "--".into(),
    ];
    args.extend(case.names.iter().map(|n| n.to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let run = sandbox.run("gomod-dnscheck", &args);
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    let ours: Vec<_> = run.records().into_iter().map(|r| r.dns()).collect();
    let mut diffs = Vec::new();
    for go in &theirs {
        let Some(mine) = ours.iter().find(|r| r.host == go.name) else {
            diffs.push(format!("{}: {}: no record", case.label, go.name));
            continue;
        };
        let go_addrs = go.addrs.clone().unwrap_or_default();
        let my_error = mine
            .error
            .as_ref()
            .and_then(|e| e.go_error.clone())
            .unwrap_or_default();
        if go_addrs != mine.addrs || without_local_port(&go.error) != without_local_port(&my_error)
        {
            diffs.push(format!(
                "{}: {}:\n  go:   {:?} {:?}\n  ours: {:?} {:?}",
                case.label, go.name, go_addrs, go.error, mine.addrs, my_error
            ));
        }
    }
    Some(diffs)
}

#[test]
fn answers_and_errors_agree_with_gos_resolver() {
    let Some(go) = newest_go() else { return };
    if port53().is_none() {
        return;
    }
    let sandbox = go_sandbox(&go);
    let probe = build_go_program(&go, &sandbox, "dnsprobe");
    let mut diffs = Vec::new();
    for case in CASES {
        match compare(&sandbox, &probe, case) {
            Some(found) => diffs.extend(found),
            None => return,
        }
    }
    assert!(
        diffs.is_empty(),
        "disagreements with Go:\n{}",
        diffs.join("\n")
    );
}

/// The go command's error for a module whose host cannot be resolved is gomod-resolve's
/// `go_error`, word for word: both run with the test's resolv.conf, so the lookups go to
/// the shared server on 127.0.0.1:53 (only names that never resolve are used, so
/// nothing connects anywhere).
#[test]
fn resolve_words_dns_failures_as_the_go_command_does() {
    let Some(go) = newest_go() else { return };
    if port53().is_none() {
        return;
    }
    let sandbox = go_sandbox(&go)
        .env("GOPROXY", "direct")
        .env("GOSUMDB", "off")
        .env("GOVCS", "*:off")
        .env("GOPATH", "gopath");
    let resolv = sandbox.write("etc/resolv.conf", RESOLV_CONF);
    let hosts = sandbox.write("etc/hosts", HOSTS);
    let nss = sandbox.write("etc/nsswitch.conf", "hosts: files dns\n");
    let mounts = [
        (resolv.as_path(), "/etc/resolv.conf"),
        (hosts.as_path(), "/etc/hosts"),
        (nss.as_path(), "/etc/nsswitch.conf"),
    ];
    let resolve = assert_cmd::cargo::cargo_bin("gomod-resolve");
    let mut env = sandbox.vars().to_vec();
    let gopath = sandbox.path().join("gopath").display().to_string();
    env.retain(|(k, _)| k != "GOPATH");
    env.push(("GOPATH".to_string(), gopath));
    let mut diffs = Vec::new();
    for host in [
        "nxdomain.example.com",
        "servfail.example.com",
        "refused.example.com",
        "nodata.example.com",
        "timeout.example.com",
    ] {
        let target = format!("{host}/m@v1.0.0");
        let Some(theirs) = in_namespace(&mounts, &go, &["mod", "download", &target], &env) else {
            return;
        };
        let Some(ours) = in_namespace(&mounts, &resolve, &[&target], &env) else {
            return;
        };
        let go_error = String::from_utf8_lossy(&theirs.stderr)
            .trim_end()
            .to_string();
        let line = String::from_utf8(ours.stdout).unwrap();
        let route = crate::records::Record::parse(line.trim_end()).route();
        let mine = route.go_error().to_string();
        assert!(go_error.contains("dial tcp: lookup"), "{go_error}");
        if without_local_port(&go_error) != without_local_port(&mine) {
            diffs.push(format!("{host}:\n  go:   {go_error}\n  ours: {mine}"));
        }
    }
    assert!(
        diffs.is_empty(),
        "disagreements with the go command:\n{}",
        diffs.join("\n")
    );
}
