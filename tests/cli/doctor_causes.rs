//! gomod-doctor's causes below TCP and beside the proxies: DNS (NXDOMAIN, SERVFAIL,
//! timeout, a hijack to a block page), an HTTP proxy that cannot be reached, a proxy
//! that asks for credentials none are given for, 403 in a `,` list, and a checksum
//! database that disagrees with the download. For each: the root cause code, the fix,
//! and that every other failure is a consequence (a skipped check naming the one that
//! failed, or a failing record listed under `consequences`).
//!
//! The DNS cases run the doctor (and the tools it starts) in a private mount namespace
//! whose /etc/resolv.conf names a test DNS server on 127.0.0.2:53, as the dnscheck
//! interop tests do with 127.0.0.1: they need root and are skipped without it (failing under
//! GOMOD_REQUIRE_ROOT).

use std::net::{Ipv4Addr, SocketAddr};
use std::path::Path;
use std::sync::OnceLock;

use gomod_common::net::dns::wire::AnswerData;

use gomod_testsupport::TestCa;
use gomod_testsupport::dns::{
    DnsServer, RecordType, Reply, RunningDns, dnserrors_handler, handler, record,
};
use gomod_testsupport::goproxy::{Fault, GoProxy, SilentPort, refused_port};
use gomod_testsupport::skip::{Need, skip};
use gomod_testsupport::sumdb::SumdbServer;

use crate::dns_interop::in_namespace;
use crate::doctor::{fails_with, keep_records};
use crate::records::DiagnosisRecord;
use crate::{Run, Sandbox};

const TOOL: &str = "gomod-doctor";
const M: &str = "example.com/m";
const GO_MOD: &[u8] = b"module example.com/m\n\ngo 1.21\n";

fn proxy() -> GoProxy {
    GoProxy::new().module(M, "v1.0.0", &[("go.mod", GO_MOD), ("m.go", b"package m\n")])
}

fn exact() -> String {
    format!("{M}@v1.0.0")
}

fn sandbox(goproxy: &str) -> Sandbox {
    Sandbox::new()
        .env("GOPROXY", goproxy)
        .env("GOSUMDB", "off")
        .env("GOENV", "off")
}

/// The run and its diagnosis (the last line of JSON output).
fn diagnosis_of(run: Run) -> (Run, DiagnosisRecord) {
    let last = run
        .stdout
        .lines()
        .last()
        .unwrap_or_else(|| panic!("no output; stderr: {}", run.stderr));
    let d: DiagnosisRecord = serde_json::from_str(last)
        .unwrap_or_else(|e| panic!("not a diagnosis ({e}): {last}\n{}", run.stderr));
    assert_eq!(
        (d.kind.as_str(), d.tool.as_str(), d.v),
        ("diagnosis", TOOL, 1)
    );
    assert!(d.ts.ends_with('Z'), "{}", d.ts);
    (run, d)
}

fn doctor(s: &Sandbox, args: &[&str]) -> (Run, DiagnosisRecord) {
    let mut all = vec!["--format", "json", "--timeout", "10s"];
    all.extend_from_slice(args);
    diagnosis_of(s.run(TOOL, &all))
}

/// The address of this file's DNS server. Not 127.0.0.1, whose port 53 the dnscheck
/// tests' server (or another test run) may hold: the whole of 127/8 is loopback.
const DNS_IP: Ipv4Addr = Ipv4Addr::new(127, 0, 0, 2);

/// The DNS server the doctor's system resolver asks, on 127.0.0.2:53 (Go's resolver
/// only speaks to port 53), started once: `hijack.doctor.example` is 127.0.0.1 (where a
/// test serves a block page), other names as [`dnserrors_handler`] answers them (the
/// first label picks the failure). None (skipped) when the port cannot be bound.
fn dns_server() -> Option<&'static RunningDns> {
    static SERVER: OnceLock<Result<RunningDns, std::io::Error>> = OnceLock::new();
    let started = SERVER.get_or_init(|| {
        let errors = dnserrors_handler();
        let answers = handler(move |req| {
            if req.qname.eq_ignore_ascii_case("hijack.doctor.example.") {
                if req.qtype == RecordType::A {
                    return Reply::answers(vec![record(
                        &req.qname,
                        AnswerData::A(Ipv4Addr::LOCALHOST),
                    )]);
                }
                return Reply::rcode(0);
            }
            errors(req)
        });
        DnsServer::try_start(SocketAddr::from((DNS_IP, 53)), answers)
    });
    match started {
        Ok(server) => Some(server),
        Err(err) => {
            let reason = if err.kind() == std::io::ErrorKind::AddrInUse {
                "127.0.0.2:53 is in use (another test run)"
            } else {
                "not root: cannot bind 127.0.0.2:53"
            };
            skip(Need::Root, reason, &err.to_string());
            None
        }
    }
}

/// The doctor with `resolv.conf` naming the test server on 127.0.0.2:53 (and an empty
/// hosts file), or None when that cannot be set up (not root).
fn doctor_in_namespace(s: &Sandbox, args: &[&str]) -> Option<(Run, DiagnosisRecord)> {
    dns_server()?;
    let resolv = s.write(
        "etc/resolv.conf",
        &format!("nameserver {DNS_IP}\noptions timeout:1 attempts:1\n"),
    );
    let hosts = s.write("etc/hosts", "127.0.0.1 localhost\n");
    let nss = s.write("etc/nsswitch.conf", "hosts: files dns\n");
    let bin = assert_cmd::cargo::cargo_bin(TOOL);
    let mut all = vec!["--format", "json", "--timeout", "10s"];
    all.extend_from_slice(args);
    let files: [(&Path, &str); 3] = [
        (&resolv, "/etc/resolv.conf"),
        (&hosts, "/etc/hosts"),
        (&nss, "/etc/nsswitch.conf"),
    ];
    let mut env: Vec<(String, String)> = s.vars().to_vec();
    env.push(("HOME".into(), s.home().display().to_string()));
    let out = in_namespace(&files, &bin, &all, &env)?;
    Some(diagnosis_of(Run::from(out)))
}

#[test]
fn dns_failures_are_the_cause_and_every_later_check_is_skipped() {
    let p = proxy().start();
    let port = p.addr.port();
    for (host, code) in [
        ("nxdomain.doctor.example", "dns_nxdomain"),
        ("servfail.doctor.example", "dns_servfail"),
        ("timeout.doctor.example", "dns_timeout"),
    ] {
        let url = format!("http://{host}:{port}");
        let s = sandbox(&url);
        let Some((run, d)) = doctor_in_namespace(&s, &[&exact()]) else {
            return;
        };
        if code == "dns_nxdomain" {
            keep_records("dns-nxdomain", &s, &run);
        }
        fails_with(&run, &d, code);
        let dns = d.check("dns", host);
        assert_eq!(
            (dns.status.as_str(), dns.code.as_deref()),
            ("failed", Some(code)),
            "{host}"
        );
        let tcp = d.check("tcp", &format!("{host}:{port}"));
        assert_eq!(
            (tcp.status.as_str(), tcp.because.as_deref()),
            ("skipped", Some(format!("dns {host}").as_str())),
            "{host}"
        );
        assert_eq!(d.check("proxy", &url).status, "skipped", "{host}");
        assert!(
            d.consequences
                .iter()
                .any(|c| c.what == format!("fetch {M}@v1.0.0")),
            "{host}: {:#?}",
            d.consequences
        );
        let go_error = d
            .error
            .as_ref()
            .unwrap()
            .go_error
            .clone()
            .unwrap_or_default();
        assert!(
            go_error.contains(&format!("lookup {host}")),
            "{host}: {go_error}"
        );
    }
}

#[test]
fn a_dns_answer_that_leads_to_a_block_page_is_a_dns_hijack_not_a_tls_problem() {
    // This machine's resolver sends hijack.doctor.example to 127.0.0.1, where a block
    // page presents a certificate for another name; the public resolver (here: another
    // test server, given with --server) answers 192.0.2.1.
    let root = TestCa::new("Doctor Block Root");
    let block_page = proxy().start_https(&root.issue(&["block.filter.example"]));
    let honest = DnsServer::start("127.0.0.1:0".parse().unwrap(), dnserrors_handler());
    let host = "hijack.doctor.example";
    let url = format!("https://{host}:{}", block_page.addr.port());
    let s = sandbox(&url);
    let pem = root.write_pem(s.path(), "roots.pem");
    let s = s.env("SSL_CERT_FILE", pem.to_str().unwrap());
    let server = honest.addr().to_string();
    let Some((run, d)) = doctor_in_namespace(&s, &["--server", &server, &exact()]) else {
        return;
    };
    keep_records("dns-hijack", &s, &run);
    fails_with(&run, &d, "dns_hijack_suspected");
    let e = d.error.as_ref().unwrap();
    assert_eq!(e.layer, "dns", "{e:?}");
    assert!(e.message.contains("127.0.0.1"), "{}", e.message);
    assert!(e.message.contains("192.0.2.1"), "{}", e.message);
    assert!(e.message.contains("block.filter.example"), "{}", e.message);
    // The TLS failure is named as what follows from it, not as the cause.
    assert!(
        e.detail
            .as_deref()
            .unwrap_or("")
            .starts_with("tls_name_mismatch"),
        "{e:?}"
    );
    assert!(
        e.go_error
            .as_deref()
            .unwrap_or("")
            .contains("x509: certificate is valid for block.filter.example"),
        "{e:?}"
    );
}

#[test]
fn an_http_proxy_that_refuses_connections_is_the_cause_and_tls_is_skipped() {
    let s = sandbox("https://proxy.golang.org").env(
        "HTTPS_PROXY",
        &format!("http://127.0.0.1:{}", refused_port()),
    );
    let (run, d) = doctor(&s, &[&exact()]);
    fails_with(&run, &d, "proxy_unreachable");
    assert_eq!(d.check("connect", "proxy.golang.org:443").status, "failed");
    let tls = d.check("tls", "proxy.golang.org:443");
    assert_eq!(
        (tls.status.as_str(), tls.because.as_deref()),
        ("skipped", Some("connect proxy.golang.org:443"))
    );
    let go_error = d.error.as_ref().unwrap().go_error.clone().unwrap();
    assert!(
        go_error.contains("proxyconnect tcp: dial tcp 127.0.0.1:"),
        "{go_error}"
    );
}

#[test]
fn a_proxy_asking_for_credentials_none_are_given_for_names_the_netrc_line() {
    let locked = proxy().basic_auth("alice", "s3cret").start();
    let s = sandbox(&locked.url());
    let (run, d) = doctor(&s, &[&exact()]);
    fails_with(&run, &d, "http_unauthorized");
    assert_eq!(d.endpoint.as_deref(), Some(locked.url().as_str()));
    assert!(
        d.commands()[0].starts_with("printf 'machine 127.0.0.1 login USER password TOKEN"),
        "{:?}",
        d.commands()
    );
    assert!(!run.stdout.contains("s3cret"));
}

#[test]
fn a_forbidden_proxy_in_a_comma_list_stops_it_and_the_next_is_never_asked() {
    let forbidden = proxy().fault("*", Fault::Status(403)).start();
    let good = proxy().start();
    let s = sandbox(&format!("{},{}", forbidden.url(), good.url()));
    let (run, d) = doctor(&s, &[&exact()]);
    fails_with(&run, &d, "http_forbidden");
    assert_eq!(d.endpoint.as_deref(), Some(forbidden.url().as_str()));
    assert!(good.requests().is_empty(), "go never asks the next proxy");
    assert!(
        d.commands()
            .contains(&format!("go env -w GOPROXY='{}|{}'", forbidden.url(), good.url()).as_str()),
        "{:?}",
        d.commands()
    );
}

#[test]
fn a_download_the_checksum_database_disagrees_with_is_the_cause() {
    // The database holds the hashes of another example.com/m v1.0.0.
    let other = GoProxy::new().module(
        M,
        "v1.0.0",
        &[("go.mod", GO_MOD), ("m.go", b"package m // replaced\n")],
    );
    let db = SumdbServer::from_gosum(&other.go_sum(), std::time::Duration::ZERO);
    let p = proxy().start();
    let s = sandbox(&p.url()).env("GOSUMDB", &db.gosumdb());
    let (run, d) = doctor(&s, &[&exact()]);
    fails_with(&run, &d, "sumdb_mismatch");
    let e = d.error.as_ref().unwrap();
    assert!(
        e.go_error
            .as_deref()
            .unwrap_or("")
            .starts_with("go: example.com/m@v1.0.0: verifying module: checksum mismatch"),
        "{e:?}"
    );
    // The proxy served what it has: its check passed.
    assert_eq!(d.check("proxy", &p.url()).status, "ok");
}

#[test]
fn a_connection_that_never_completes_is_a_tcp_timeout() {
    let silent = SilentPort::new();
    let url = format!("http://127.0.0.1:{}", silent.port);
    let s = sandbox(&url);
    let (run, d) = doctor(&s, &["--connect-timeout", "2s", &exact()]);
    fails_with(&run, &d, "tcp_timeout");
    let target = format!("127.0.0.1:{}", silent.port);
    assert_eq!(d.check("tcp", &target).status, "failed");
    let protocol = d.check("proxy", &url);
    assert_eq!(
        (protocol.status.as_str(), protocol.because.as_deref()),
        ("skipped", Some(format!("tcp {target}").as_str()))
    );
}
