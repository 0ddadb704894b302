//! gomod-doctor against loopback servers: for every cause it names, the root cause
//! code, the fix, and that the other failures are consequences (skipped checks and
//! failing records), not causes. The doctor runs the five tools built next to it.

use std::sync::Arc;

use gomod_testsupport::goproxy::{Fault, GoProxy, RunningProxy, refused_port};
use gomod_testsupport::{
    ConnectMode, ConnectProxy, Leaf, LeafOptions, Response, Running, TestCa, handler,
};

use crate::records::DiagnosisRecord;
use crate::{Run, Sandbox};

const TOOL: &str = "gomod-doctor";
const M: &str = "example.com/m";
const GO_MOD: &[u8] = b"module example.com/m\n\ngo 1.21\n";

/// A proxy serving example.com/m v1.0.0.
fn proxy() -> GoProxy {
    GoProxy::new().module(M, "v1.0.0", &[("go.mod", GO_MOD), ("m.go", b"package m\n")])
}

fn exact() -> String {
    format!("{M}@v1.0.0")
}

/// A sandbox with GOPROXY and no checksum database.
fn sandbox(goproxy: &str) -> Sandbox {
    Sandbox::new()
        .env("GOPROXY", goproxy)
        .env("GOSUMDB", "off")
        .env("GOENV", "off")
}

/// Runs the doctor with JSON output; the run and its diagnosis (the last line).
fn doctor(s: &Sandbox, args: &[&str]) -> (Run, DiagnosisRecord) {
    doctor_with_stdin(s, args, "")
}

fn doctor_with_stdin(s: &Sandbox, args: &[&str], stdin: &str) -> (Run, DiagnosisRecord) {
    let mut all = vec!["--format", "json"];
    if !args.contains(&"--timeout") {
        all.extend_from_slice(&["--timeout", "10s"]);
    }
    all.extend_from_slice(args);
    let run = s.run_with_stdin(TOOL, &all, stdin);
    let last = run
        .stdout
        .lines()
        .last()
        .unwrap_or_else(|| panic!("no output; stderr: {}", run.stderr));
    let d: DiagnosisRecord = serde_json::from_str(last).unwrap_or_else(|e| {
        panic!(
            "the last line is not a diagnosis ({e}): {last}\n{}",
            run.stderr
        )
    });
    assert_eq!(d.kind, "diagnosis");
    assert_eq!(d.tool, TOOL);
    // Every earlier line is a tool's record, unchanged JSON.
    for line in run.stdout.lines().take(run.stdout.lines().count() - 1) {
        let v: serde_json::Value = serde_json::from_str(line).expect("a record");
        assert_ne!(v["type"], "diagnosis");
    }
    (run, d)
}

/// Under GOMOD_RECORD_DOCTOR=1, keeps the tools' records of `run` (every line before
/// the diagnosis) as tests/fixtures/doctor/`name`.jsonl, the sandbox `s` written
/// `$WORK`: the fixtures the reasoning is unit-tested on
/// (common/tests/rules/doctor_reason.rs).
pub fn keep_records(name: &str, s: &Sandbox, run: &Run) {
    if std::env::var_os("GOMOD_RECORD_DOCTOR").is_none() {
        return;
    }
    let lines: Vec<&str> = run.stdout.lines().collect();
    let records = lines[..lines.len() - 1].join("\n") + "\n";
    let records = records.replace(&s.path().display().to_string(), "$WORK");
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/doctor");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(format!("{name}.jsonl")), records).unwrap();
}

/// The diagnosis says go fails with `code` (exit status 1), gives a fix that says what
/// it changes, and reports the other failures as consequences: every skipped check
/// names a check that failed, every consequence has its code, the evidence and each
/// check's records are in the stream.
pub fn fails_with(run: &Run, d: &DiagnosisRecord, code: &str) {
    assert_eq!(run.status, 1, "{d:#?}\n{}", run.stderr);
    assert!(!d.ok);
    assert_eq!(d.code(), Some(code), "{d:#?}");
    assert!(!d.fixes.is_empty(), "no fix for {code}: {d:#?}");
    for f in &d.fixes {
        assert!(!f.effect.is_empty(), "{f:?}");
    }
    for c in d.checks.iter().filter(|c| c.status == "skipped") {
        if let Some(because) = &c.because {
            assert!(
                d.checks.iter().any(
                    |f| f.status == "failed" && format!("{} {}", f.check, f.target) == *because
                ),
                "{} {} is skipped because of {because}, which did not fail: {:#?}",
                c.check,
                c.target,
                d.checks
            );
        }
    }
    for c in &d.consequences {
        assert!(!c.code.is_empty(), "{c:?}");
    }
    let lines = run.stdout.lines().count();
    assert!(
        d.evidence.iter().all(|&i| i + 1 < lines),
        "{:?}",
        d.evidence
    );
    for c in &d.checks {
        assert!(c.records.iter().all(|&i| i + 1 < lines), "{c:?}");
        assert!(c.ms <= d.elapsed_ms, "{c:?}");
    }
}

#[test]
fn a_healthy_route_is_ok_with_every_check_passed() {
    let p = proxy().start();
    let s = sandbox(&p.url());
    let (run, d) = doctor(&s, &[&exact()]);
    assert_eq!(run.status, 0, "{d:#?}");
    assert!(d.ok && d.error.is_none());
    assert_eq!(d.input, "modules");
    assert_eq!(d.modules, [exact()]);
    let proxy_check = d.check("proxy", &p.url());
    assert_eq!(proxy_check.status, "ok");
    assert!(d.checks.iter().all(|c| c.status == "ok"), "{:#?}", d.checks);
    // The steps say how to repeat each by hand.
    let tools: Vec<&str> = d.steps.iter().map(|s| s.tool.as_str()).collect();
    assert_eq!(
        tools,
        [
            "gomod-resolve",
            "gomod-dnscheck",
            "gomod-tlscheck",
            "gomod-fetch",
            "gomod-sumverify"
        ]
    );
    assert!(d.steps[3].command.starts_with("gomod-resolve --timeout 10s --env --offline example.com/m@v1.0.0 | gomod-fetch --timeout 10s"), "{}", d.steps[3].command);
    for step in &d.steps {
        assert_eq!(
            (step.status, step.problem.as_deref()),
            (Some(0), None),
            "{step:#?}"
        );
        assert!(step.ms <= d.elapsed_ms, "{step:#?}");
    }
    // The records of the steps are in the stream at the indices given.
    let lines: Vec<&str> = run.stdout.lines().collect();
    let [first, last] = d.steps[3].records.unwrap();
    for line in &lines[first..=last] {
        assert!(line.contains("\"type\":\"fetch\""), "{line}");
    }
}

#[test]
fn not_found_falls_through_and_is_no_cause() {
    let empty = GoProxy::new().start();
    let good = proxy().start();
    let s = sandbox(&format!("{},{}", empty.url(), good.url()));
    let (run, d) = doctor(&s, &[&exact()]);
    assert_eq!(run.status, 0, "{d:#?}");
    let first = d.check("proxy", &empty.url());
    assert_eq!(first.status, "ok", "{first:#?}");
    assert!(first.message.contains("not found"), "{}", first.message);
    assert_eq!(d.check("proxy", &good.url()).status, "ok");
}

#[test]
fn gone_everywhere_is_the_cause_at_the_last_proxy() {
    let gone = proxy().fault("*", Fault::Status(410)).start();
    let s = sandbox(&gone.url());
    let (run, d) = doctor(&s, &[&exact()]);
    fails_with(&run, &d, "http_gone");
    assert_eq!(d.endpoint.as_deref(), Some(gone.url().as_str()));
    let go_error = d.error.as_ref().unwrap().go_error.clone().unwrap();
    assert!(go_error.contains("410 Gone"), "{go_error}");
}

#[test]
fn a_comma_separated_401_stops_the_list_and_the_next_proxy_is_never_asked() {
    let locked = proxy().fault("*", Fault::Status(401)).start();
    let good = proxy().start();
    let s = sandbox(&format!("{},{}", locked.url(), good.url()));
    let (run, d) = doctor(&s, &[&exact()]);
    fails_with(&run, &d, "http_unauthorized");
    assert_eq!(d.endpoint.as_deref(), Some(locked.url().as_str()));
    assert_eq!(d.check("proxy", &locked.url()).status, "failed");
    assert_eq!(d.check("proxy", &good.url()).status, "not_reached");
    assert!(good.requests().is_empty(), "the next proxy is never asked");
    let commands = d.commands();
    assert!(
        commands[0].contains(".netrc") && commands[0].contains("127.0.0.1"),
        "{commands:?}"
    );
    assert!(
        commands.contains(&format!("go env -w GOPROXY='{}|{}'", locked.url(), good.url()).as_str()),
        "{commands:?}"
    );
    // A next entry that is down is no consequence of the 401 either: go never dials it.
    let down = format!("http://127.0.0.1:{}", refused_port());
    let s = sandbox(&format!("{},{down}", locked.url()));
    let (run, d) = doctor(&s, &[&exact()]);
    keep_records("comma-401-next-down", &s, &run);
    fails_with(&run, &d, "http_unauthorized");
    assert_eq!(d.check("proxy", &down).status, "not_reached");
    let tcp = down.trim_start_matches("http://");
    assert!(
        !d.consequences
            .iter()
            .any(|c| c.what == format!("tcp {tcp}")),
        "{:#?}",
        d.consequences
    );
    assert!(
        d.warnings
            .iter()
            .any(|w| w.code == "tcp_refused" && w.message.contains("does not get that far")),
        "{:#?}",
        d.warnings
    );
}

#[test]
fn a_server_error_stops_a_comma_list_but_not_a_bar_list() {
    let broken = proxy().fault("*", Fault::Status(500)).start();
    let good = proxy().start();
    let s = sandbox(&format!("{},{}", broken.url(), good.url()));
    let (run, d) = doctor(&s, &[&exact()]);
    fails_with(&run, &d, "http_server_error");
    assert!(
        d.commands()
            .contains(&format!("go env -w GOPROXY='{}|{}'", broken.url(), good.url()).as_str()),
        "{:?}",
        d.commands()
    );
    let s = sandbox(&format!("{}|{}", broken.url(), good.url()));
    let (run, d) = doctor(&s, &[&exact()]);
    assert_eq!(run.status, 0, "with | go moves on: {d:#?}");
    assert!(d.ok);
}

#[test]
fn a_refused_connection_is_the_cause_and_the_protocol_check_is_skipped() {
    let url = format!("http://127.0.0.1:{}", refused_port());
    let s = sandbox(&url);
    let (run, d) = doctor(&s, &[&exact()]);
    keep_records("tcp-refused", &s, &run);
    fails_with(&run, &d, "tcp_refused");
    let target = url.trim_start_matches("http://");
    assert_eq!(d.check("tcp", target).status, "failed");
    let protocol = d.check("proxy", &url);
    assert_eq!(protocol.status, "skipped");
    assert_eq!(
        protocol.because.as_deref(),
        Some(format!("tcp {target}").as_str())
    );
    assert!(
        d.consequences
            .iter()
            .any(|c| c.what == format!("fetch {M}@v1.0.0")),
        "the failed fetch is a consequence: {:#?}",
        d.consequences
    );
    let go_error = d.error.as_ref().unwrap().go_error.clone().unwrap();
    assert!(
        go_error.contains("connect: connection refused"),
        "{go_error}"
    );
}

#[test]
fn a_hanging_proxy_is_named_and_go_prints_nothing() {
    let hang = proxy().fault("*", Fault::Hang).start();
    let s = sandbox(&hang.url());
    let (run, d) = doctor(&s, &["--timeout", "2s", &exact()]);
    fails_with(&run, &d, "http_timeout");
    assert_eq!(d.error.as_ref().unwrap().go_error, None);
}

#[test]
fn a_truncated_zip_is_the_cause() {
    let cut = proxy()
        .fault("example.com/m/@v/v1.0.0.zip", Fault::Truncate { after: 20 })
        .start();
    let s = sandbox(&cut.url());
    let (run, d) = doctor(&s, &[&exact()]);
    fails_with(&run, &d, "tcp_reset");
    assert!(
        d.error
            .as_ref()
            .unwrap()
            .go_error
            .as_deref()
            .unwrap()
            .contains("unexpected EOF")
    );
}

#[test]
fn goproxy_off_is_a_configuration_cause_with_its_fix() {
    let s = sandbox("off");
    let (run, d) = doctor(&s, &[&exact()]);
    fails_with(&run, &d, "goproxy_off");
    assert!(
        d.commands()
            .contains(&"go env -w GOPROXY=https://proxy.golang.org,direct"),
        "{:?}",
        d.commands()
    );
}

/// An https GOPROXY at 127.0.0.1 presenting `leaf`, with `root` trusted.
fn https_case(leaf: &Leaf, root: &TestCa) -> (RunningProxy, Sandbox) {
    let p = proxy().start_https(leaf);
    let s = sandbox(&p.url());
    let pem = root.write_pem(s.path(), "roots.pem");
    let s = s.env("SSL_CERT_FILE", pem.to_str().unwrap());
    (p, s)
}

#[test]
fn tls_failures_are_causes_at_the_tls_check() {
    let root = TestCa::new("Doctor Root");
    let intermediate = root.intermediate("Doctor Intermediate");
    let cases: [(&str, Leaf, &str); 4] = [
        (
            "unknown authority",
            TestCa::with_subject("Elsewhere CA", "Elsewhere").issue(&["127.0.0.1"]),
            "tls_unknown_authority",
        ),
        (
            "expired",
            root.issue_with(&["127.0.0.1"], LeafOptions::expired()),
            "tls_expired",
        ),
        (
            "wrong host",
            root.issue(&["wrong.example"]),
            "tls_name_mismatch",
        ),
        (
            "missing intermediate",
            intermediate.issue(&["127.0.0.1"]),
            "tls_incomplete_chain",
        ),
    ];
    for (label, leaf, code) in cases {
        let (p, s) = https_case(&leaf, &root);
        let (run, d) = doctor(&s, &[&exact()]);
        fails_with(&run, &d, code);
        let target = p.url().trim_start_matches("https://").to_string();
        assert_eq!(d.check("tcp", &target).status, "ok", "{label}");
        assert_eq!(d.check("tls", &target).status, "failed", "{label}");
        assert_eq!(d.check("proxy", &p.url()).status, "skipped", "{label}");
        let go_error = d.error.as_ref().unwrap().go_error.clone().unwrap();
        assert!(
            go_error.contains("tls: failed to verify certificate: x509: "),
            "{label}: {go_error}"
        );
        if code != "tls_expired" && code != "tls_name_mismatch" {
            assert!(
                d.commands()
                    .iter()
                    .any(|c| c.starts_with("export SSL_CERT_FILE=")),
                "{label}: {:?}",
                d.commands()
            );
        }
    }
}

/// GOPROXY=https://proxy.golang.org reached through an HTTP proxy (HTTPS_PROXY) that
/// relays every CONNECT to `leaf`'s https GOPROXY on 127.0.0.1.
fn through_connect(leaf: &Leaf, served: GoProxy) -> (RunningProxy, Running, Sandbox) {
    let p = served.start_https(leaf);
    let connect = ConnectProxy::start(
        ConnectMode::Forward(p.addr),
        Arc::new(TestCa::new("unused")),
        handler(|_| Response::text(200, "ok")),
    );
    let s = sandbox("https://proxy.golang.org")
        .env("HTTPS_PROXY", &format!("http://{}", connect.host_port()));
    (p, connect, s)
}

#[test]
fn tls_interception_trusted_works_and_is_named_untrusted_is_the_cause() {
    let inspector = TestCa::with_subject("Zscaler Root CA", "Zscaler Inc.");
    let leaf = inspector.issue(&["proxy.golang.org"]);
    // Trusted: go works, and the doctor says who is in the middle.
    let (_p, _c, s) = through_connect(&leaf, proxy());
    let pem = inspector.write_pem(s.path(), "roots.pem");
    let trusted = s.env("SSL_CERT_FILE", pem.to_str().unwrap());
    let (run, d) = doctor(&trusted, &[&exact()]);
    assert_eq!(run.status, 0, "{d:#?}");
    let w = d
        .warnings
        .iter()
        .find(|w| w.code == "tls_interception")
        .expect("tls_interception");
    assert!(w.message.contains("Zscaler"), "{}", w.message);
    assert_eq!(d.check("tls", "proxy.golang.org:443").status, "warning");
    // Untrusted: the cause is the interception, named, with the CA to install.
    let (_p, _c, s) = through_connect(&leaf, proxy());
    let other = TestCa::new("Unrelated Root");
    let pem = other.write_pem(s.path(), "roots.pem");
    let untrusted = s.env("SSL_CERT_FILE", pem.to_str().unwrap());
    let (run, d) = doctor(&untrusted, &[&exact()]);
    keep_records("intercepted-untrusted", &untrusted, &run);
    fails_with(&run, &d, "tls_intercepted_untrusted");
    assert!(
        d.error.as_ref().unwrap().message.contains("Zscaler"),
        "{d:#?}"
    );
    assert_eq!(d.check("connect", "proxy.golang.org:443").status, "ok");
    assert_eq!(
        d.check("proxy", "https://proxy.golang.org").status,
        "skipped"
    );
    assert!(
        d.commands()
            .iter()
            .any(|c| c.starts_with("export SSL_CERT_FILE=")),
        "{:?}",
        d.commands()
    );
}

#[test]
fn a_connect_proxy_asking_for_credentials_or_refusing() {
    for (mode, code) in [
        (ConnectMode::Refuse(407), "proxy_auth_required"),
        (ConnectMode::Refuse(403), "proxy_refused"),
    ] {
        let connect = ConnectProxy::start(
            mode,
            Arc::new(TestCa::new("unused")),
            handler(|_| Response::text(200, "ok")),
        );
        let s = sandbox("https://proxy.golang.org")
            .env("HTTPS_PROXY", &format!("http://{}", connect.host_port()));
        let (run, d) = doctor(&s, &[&exact()]);
        fails_with(&run, &d, code);
        assert_eq!(d.check("connect", "proxy.golang.org:443").status, "failed");
        assert_eq!(d.check("tls", "proxy.golang.org:443").status, "skipped");
        if code == "proxy_auth_required" {
            assert!(
                d.commands()
                    .iter()
                    .any(|c| c.starts_with("export HTTPS_PROXY=http://USER:PASSWORD@")),
                "{:?}",
                d.commands()
            );
        }
    }
}

#[test]
fn a_private_module_sent_to_the_public_proxy_is_a_missing_goprivate() {
    let ca = TestCa::new("Public Test Root");
    let leaf = ca.issue(&["proxy.golang.org", "sum.golang.org"]);
    let (_p, _c, s) = through_connect(&leaf, GoProxy::new());
    let pem = ca.write_pem(s.path(), "roots.pem");
    let s = s.env("SSL_CERT_FILE", pem.to_str().unwrap());
    let public = pem.to_str().unwrap().to_string();
    let (run, d) = doctor(
        &s,
        &[
            "--public-roots",
            &public,
            "git.corp.example.com/team/lib@v1.4.0",
        ],
    );
    keep_records("private-leak", &s, &run);
    fails_with(&run, &d, "path_exposed");
    assert_eq!(d.error.as_ref().unwrap().layer, "config");
    assert_eq!(d.commands()[0], "go env -w GOPRIVATE=git.corp.example.com");
    let detail = d.error.as_ref().unwrap().detail.clone().unwrap();
    assert!(
        detail.starts_with("http_"),
        "the 404 is a consequence: {detail}"
    );
}

#[test]
fn a_go_sum_that_disagrees_is_the_cause_at_go_sum() {
    let p = proxy().start();
    let s = sandbox(&p.url());
    s.write(
        "work/go.mod",
        "module example.com/app\n\ngo 1.21\n\nrequire example.com/m v1.0.0\n",
    );
    s.write(
        "work/go.sum",
        "example.com/m v1.0.0 h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\nexample.com/m v1.0.0/go.mod h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n",
    );
    let gomod = s.path().join("work/go.mod");
    let (run, d) = doctor(&s, &["-m", gomod.to_str().unwrap()]);
    fails_with(&run, &d, "gosum_mismatch");
    assert_eq!(d.endpoint.as_deref(), Some("go.sum"));
    assert_eq!(d.input, "go.mod");
    assert_eq!(d.check("gosum", "go.sum").status, "failed");
}

#[test]
fn gos_own_output_on_stdin_focuses_the_checks() {
    let locked = proxy().fault("*", Fault::Status(401)).start();
    let s = sandbox(&locked.url());
    let go_said = format!(
        "go: downloading example.com/other v1.0.0\ngo: {M}@v1.0.0: reading {}/example.com/m/@v/v1.0.0.info: 401 Unauthorized\n\tserver response: unauthorized\nsome line nobody knows\n",
        locked.url()
    );
    let (run, d) = doctor_with_stdin(&s, &[], &go_said);
    fails_with(&run, &d, "http_unauthorized");
    assert_eq!(d.input, "go output");
    assert_eq!(d.modules, [exact()]);
    let go = d.go_output.as_ref().unwrap();
    assert_eq!(go["failures"][0]["class"], "http_unauthorized");
    assert_eq!(go["failures"][0]["module"], M);
    assert_eq!(go["downloading"][0], "example.com/other v1.0.0");
    assert_eq!(go["unplaced"][0], "some line nobody knows");
}

#[test]
fn text_junit_and_exit_status_agree() {
    let locked = proxy().fault("*", Fault::Status(403)).start();
    let s = sandbox(&locked.url());
    let text = s.run(TOOL, &["--format", "text", "--color", "never", &exact()]);
    assert_eq!(text.status, 1, "{}", text.stdout);
    assert!(text.stdout.contains("✗ proxy"), "{}", text.stdout);
    assert!(
        text.stdout.contains("cause: http_forbidden"),
        "{}",
        text.stdout
    );
    assert!(text.stdout.contains("fix 1: "), "{}", text.stdout);
    let xml = s.run(TOOL, &["--format", "junit", &exact()]);
    assert_eq!(xml.status, 1);
    assert!(xml.stdout.starts_with("<?xml"), "{}", xml.stdout);
    assert!(
        xml.stdout
            .contains("<testcase classname=\"gomod-doctor.proxy\""),
        "{}",
        xml.stdout
    );
    assert!(
        xml.stdout.contains("<failure message=\"http_forbidden: "),
        "{}",
        xml.stdout
    );
    // A usage error is 2, whatever the format.
    for format in ["json", "text", "junit"] {
        let usage = s.run(TOOL, &["--format", format, "--timeout", "soon", &exact()]);
        assert_eq!(usage.status, 2, "{format}: {}", usage.stderr);
    }
    let quiet = s.run(TOOL, &["-q", &exact()]);
    assert_eq!((quiet.status, quiet.stdout.as_str()), (1, ""));
    // The other tools refuse junit.
    let refused = s.run("gomod-fetch", &["--format", "junit", &exact()]);
    assert_eq!(refused.status, 2);
    let ok = proxy().start();
    let s = sandbox(&ok.url());
    let xml = s.run(TOOL, &["--format", "junit", &exact()]);
    assert_eq!(xml.status, 0);
    assert!(!xml.stdout.contains("<failure"), "{}", xml.stdout);
}

#[test]
fn the_report_has_every_record_and_no_secret() {
    let locked = proxy().basic_auth("alice", "s3cret-token").start();
    let url = locked
        .url()
        .replace("http://", "http://alice:s3cret-token@");
    // A token given as the user name of a later entry (never asked: the first works).
    let s = sandbox(&format!("{url},https://ghp_lonetoken@127.0.0.1:1"))
        .env("HTTPS_PROXY", "http://bob:hunter2@127.0.0.1:1")
        .env("NO_PROXY", "127.0.0.1");
    s.write(
        "home/.netrc",
        "machine 127.0.0.1 login alice password netrc-secret\n",
    );
    let report = s.path().join("report.jsonl");
    let (run, d) = doctor(&s, &["--report", report.to_str().unwrap(), &exact()]);
    let text = std::fs::read_to_string(&report).unwrap();
    for secret in ["s3cret-token", "hunter2", "netrc-secret"] {
        assert!(!text.contains(secret), "{secret} in the report:\n{text}");
        assert!(!run.stdout.contains(secret), "{secret} in the output");
    }
    assert!(
        !text.contains("ghp_lonetoken"),
        "a token as a user name in the report:\n{text}"
    );
    let lines: Vec<&str> = text.lines().collect();
    let header: serde_json::Value = serde_json::from_str(lines[0]).unwrap();
    assert_eq!(header["type"], "report");
    assert_eq!(
        header["versions"]["gomod-doctor"],
        env!("CARGO_PKG_VERSION")
    );
    assert!(header["configuration"]["GOPROXY"].is_object(), "{header}");
    assert_eq!(
        lines.len(),
        run.stdout.lines().count() + 1,
        "every record and the diagnosis"
    );
    assert!(lines.last().unwrap().contains("\"type\":\"diagnosis\""));
    let _ = d;
}

#[test]
fn nothing_given_and_no_go_mod_uses_the_well_known_module() {
    let p = GoProxy::new()
        .module(
            "golang.org/x/text",
            "v0.14.0",
            &[("go.mod", b"module golang.org/x/text\n".as_slice())],
        )
        .start();
    let s = sandbox(&p.url());
    let (run, d) = doctor(&s, &[]);
    assert_eq!(run.status, 0, "{d:#?}");
    assert!(
        d.input.starts_with("default: golang.org/x/text@latest"),
        "{}",
        d.input
    );
}

/// A go.mod whose godebug block go1.27 refuses is the root cause, with go's lines: the
/// doctor reads go.mod through gomod-resolve.
#[test]
fn a_removed_godebug_in_go_mod_is_the_root_cause() {
    let p = proxy().start();
    let s = sandbox(&p.url());
    s.write(
        "go.mod",
        "module example.com/app\n\ngo 1.27\n\ngodebug tlsrsakex=1\n\nrequire example.com/m v1.0.0\n",
    );
    let (run, d) = doctor(&s, &[]);
    assert_eq!(run.status, 1, "{d:#?}");
    assert_eq!(d.code(), Some("godebug_invalid"), "{d:#?}");
    assert_eq!(
        d.error.as_ref().unwrap().go_error.as_deref(),
        Some(
            "go: error loading go.mod:\ngo.mod:5: removed GODEBUG \"tlsrsakex\" set to old value \"1\" (https://go.dev/doc/godebug#go-127)"
        )
    );
}
