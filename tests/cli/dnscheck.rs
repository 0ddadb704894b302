//! gomod-dnscheck against DNS servers on 127.0.0.1: the system view through a
//! resolv.conf naming 127.0.0.1 (Go's resolver only speaks to port 53, so one shared
//! server listens there, answering by name), and other resolvers over UDP, TCP, TLS
//! and HTTPS on ports of their own.

use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::OnceLock;

use gomod_common::net::dns::wire::AnswerData;
use gomod_testsupport::dns::{
    DnsServer, DotServer, Handler, RecordType, Reply, RunningDns, dnserrors_handler, doh_answer,
    doh_query, handler, record,
};
use gomod_testsupport::skip::{Need, skip};
use gomod_testsupport::{Response, Server, TestCa};

use crate::Sandbox;
use crate::records::DnsRecord;

const TOOL: &str = "gomod-dnscheck";

/// The resolv.conf of the system view: the shared server, a search domain, and short
/// timeouts so that the timeout cases take a second.
pub const RESOLV_CONF: &str =
    "nameserver 127.0.0.1\nsearch corp.test\noptions timeout:1 attempts:1\n";

fn a(text: &str) -> AnswerData {
    AnswerData::A(text.parse::<Ipv4Addr>().unwrap())
}

fn aaaa(text: &str) -> AnswerData {
    AnswerData::Aaaa(text.parse::<Ipv6Addr>().unwrap())
}

/// The shared server's answers. Names that are not special fall through to
/// [`dnserrors_handler`]: the first label picks a failure (`nxdomain`, `servfail`,
/// `refused`, `timeout`, `nodata`, `lame`, `truncated`, `garbage`, ...), anything else
/// gets 192.0.2.1 and 2001:db8::1.
pub fn system_handler() -> Handler {
    let errors = dnserrors_handler();
    handler(move |req| {
        let name = req.qname.to_ascii_lowercase();
        let is_a = req.qtype == RecordType::A;
        let address = |v4: &str, v6: &str| {
            let data = if is_a { a(v4) } else { aaaa(v6) };
            Reply::answers(vec![record(&req.qname, data)])
        };
        let only_v4 = |v4: &str| {
            if is_a {
                Reply::answers(vec![record(&req.qname, a(v4))])
            } else {
                Reply::rcode(0)
            }
        };
        match name.as_str() {
            "cname.chain.example." => {
                let last = if is_a {
                    a("192.0.2.10")
                } else {
                    aaaa("2001:db8::10")
                };
                Reply::answers(vec![
                    record(&req.qname, AnswerData::Cname("alias.chain.example.".into())),
                    record(
                        "alias.chain.example.",
                        AnswerData::Cname("final.chain.example.".into()),
                    ),
                    record("final.chain.example.", last),
                ])
            }
            "git.corp.test." => only_v4("192.0.2.20"),
            n if n.ends_with(".corp.test.") => Reply::rcode(3),
            // A resolver that lies about a public name, or hides it.
            "proxy.golang.org." => only_v4("10.0.0.1"),
            "blocked.golang.org." => Reply::rcode(3),
            "sinkhole.example.net." => only_v4("0.0.0.0"),
            "both.example.net." => address("192.0.2.30", "2001:db8::30"),
            _ => errors(req),
        }
    })
}

/// The server on 127.0.0.1:53, started once for all tests of this binary; `None` (the
/// test is skipped: see [`skip`]) when the port cannot be bound, unless
/// GOMOD_REQUIRE_ROOT is set (CI sets it), which makes that a failure.
pub fn port53() -> Option<&'static RunningDns> {
    static SERVER: OnceLock<Result<RunningDns, std::io::Error>> = OnceLock::new();
    let started = SERVER.get_or_init(|| {
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, 53));
        DnsServer::try_start(addr, system_handler())
    });
    match started {
        Ok(server) => Some(server),
        // Root could bind it, but something holds it: a local resolver, or another test
        // run on this machine.
        Err(err) if err.kind() == std::io::ErrorKind::AddrInUse => {
            let reason = "127.0.0.1:53 is in use (a local resolver, or another test run)";
            skip(Need::Root, reason, &err.to_string());
            None
        }
        Err(err) => {
            skip(
                Need::Root,
                "not root: cannot bind 127.0.0.1:53",
                &err.to_string(),
            );
            None
        }
    }
}

/// The system-view files in the sandbox, and the options that point the tool at them.
pub fn system_files(sandbox: &Sandbox, hosts: &str, nsswitch: &str) -> Vec<String> {
    let resolv = sandbox.write("etc/resolv.conf", RESOLV_CONF);
    let hosts = sandbox.write("etc/hosts", hosts);
    let nss = sandbox.write("etc/nsswitch.conf", nsswitch);
    let path = |p: PathBuf| p.display().to_string();
    vec![
        "--resolv-conf".into(),
        path(resolv),
        "--hosts".into(),
        path(hosts),
        "--nsswitch".into(),
        path(nss),
    ]
}

/// Runs the tool with the system files and `args`; every record decoded.
fn dnscheck(sandbox: &Sandbox, args: &[&str]) -> (i32, Vec<DnsRecord>) {
    let mut all = system_files(sandbox, "", "hosts: files dns\n");
    all.extend(args.iter().map(|a| a.to_string()));
    let all: Vec<&str> = all.iter().map(String::as_str).collect();
    let run = sandbox.run(TOOL, &all);
    assert!(run.stderr.is_empty(), "stderr: {}", run.stderr);
    let records = run.records().into_iter().map(|r| r.dns()).collect();
    (run.status, records)
}

fn one(sandbox: &Sandbox, args: &[&str]) -> DnsRecord {
    let (_, mut records) = dnscheck(sandbox, args);
    assert_eq!(records.len(), 1, "{records:#?}");
    records.remove(0)
}

#[test]
fn system_view_is_gos_resolver_on_the_given_files() {
    if port53().is_none() {
        return;
    }
    let sandbox = Sandbox::new();
    let (status, records) = dnscheck(&sandbox, &["both.example.net"]);
    assert_eq!(status, 0);
    let r = &records[0];
    assert_eq!(
        (r.host.as_str(), r.resolver.as_str()),
        ("both.example.net", "system")
    );
    assert!(r.ok && r.error.is_none() && r.warnings.is_empty(), "{r:#?}");
    assert_eq!(r.server.as_deref(), Some("127.0.0.1:53"));
    assert_eq!(r.transport.as_deref(), Some("udp"));
    assert_eq!(r.rcode.as_deref(), Some("NOERROR"));
    assert_eq!(r.a, ["192.0.2.30"]);
    assert_eq!(r.aaaa, ["2001:db8::30"]);
    assert_eq!(r.addrs.len(), 2);
    assert!(r.cname.is_empty());
    assert_eq!(r.ttl, Some(60));
    // One dot meets ndots:1, so the name as given comes before the search domain.
    assert_eq!(
        r.candidates,
        ["both.example.net.", "both.example.net.corp.test."]
    );
    let mut asked: Vec<(&str, &str)> = r
        .queries
        .iter()
        .map(|q| (q.name.as_str(), q.qtype.as_str()))
        .collect();
    asked.sort();
    assert_eq!(
        asked,
        [("both.example.net.", "A"), ("both.example.net.", "AAAA")]
    );
    assert!(
        r.queries
            .iter()
            .all(|q| q.server == "127.0.0.1:53" && q.rcode.as_deref() == Some("NOERROR"))
    );
    let config = r.config.as_ref().expect("the system view has its config");
    assert_eq!(config.servers, ["127.0.0.1:53"]);
    assert_eq!(config.search, ["corp.test."]);
    assert_eq!(
        (config.ndots, config.timeout_ms, config.attempts),
        (1, 1000, 1)
    );
    assert_eq!(config.order, "files,dns");
    assert!(config.resolv_conf.ends_with("etc/resolv.conf"));
}

#[test]
fn cname_chains_are_shown_from_the_name_to_the_canonical_name() {
    if port53().is_none() {
        return;
    }
    let r = one(&Sandbox::new(), &["cname.chain.example"]);
    assert!(r.ok, "{r:#?}");
    assert_eq!(
        r.cname,
        [
            "cname.chain.example.",
            "alias.chain.example.",
            "final.chain.example."
        ]
    );
    assert_eq!(r.a, ["192.0.2.10"]);
    let answers = &r.queries.iter().find(|q| q.qtype == "A").unwrap().answers;
    assert_eq!(
        answers,
        &[
            "cname.chain.example. 60 CNAME alias.chain.example.",
            "alias.chain.example. 60 CNAME final.chain.example.",
            "final.chain.example. 60 A 192.0.2.10",
        ]
    );
}

#[test]
fn failures_have_stable_codes_and_gos_words() {
    if port53().is_none() {
        return;
    }
    let cases = [
        ("nxdomain.example.com", "dns_nxdomain", "no such host"),
        ("nodata.example.com", "dns_no_records", "no such host"),
        ("servfail.example.com", "dns_servfail", "server misbehaving"),
        ("refused.example.com", "dns_refused", "server misbehaving"),
        ("notimp.example.com", "dns_refused", "server misbehaving"),
        ("lame.example.com", "dns_lame_referral", "lame referral"),
    ];
    let sandbox = Sandbox::new();
    let hosts: Vec<&str> = cases.iter().map(|c| c.0).collect();
    let (status, records) = dnscheck(&sandbox, &hosts);
    assert_eq!(status, 1);
    assert_eq!(records.len(), cases.len());
    for ((host, code, reason), r) in cases.iter().zip(&records) {
        assert_eq!(r.host, *host);
        assert!(!r.ok);
        assert_eq!(r.code(), Some(*code), "{r:#?}");
        let err = r.error.as_ref().unwrap();
        assert_eq!(
            err.go_error.as_deref(),
            Some(format!("lookup {host} on 127.0.0.1:53: {reason}").as_str())
        );
        assert_eq!(err.layer, "dns");
        assert!(err.hint.is_some());
        assert_eq!(r.server.as_deref(), Some("127.0.0.1:53"));
    }
    // NXDOMAIN for the name as given does not stop the search list (Go tries every
    // candidate); REFUSED shows its own rcode.
    assert_eq!(records[0].queries.len(), 4);
    assert_eq!(records[0].rcode.as_deref(), Some("NXDOMAIN"));
    assert!(
        records[4]
            .error
            .as_ref()
            .unwrap()
            .message
            .contains("NOTIMP")
    );
}

#[test]
fn silence_is_a_timeout_after_gos_own_limits() {
    if port53().is_none() {
        return;
    }
    let r = one(&Sandbox::new(), &["timeout.example.com"]);
    assert_eq!(r.code(), Some("dns_timeout"));
    let go_error = r.error.as_ref().unwrap().go_error.clone().unwrap();
    let prefix = "lookup timeout.example.com on 127.0.0.1:53: read udp 127.0.0.1:";
    assert!(go_error.starts_with(prefix), "{go_error}");
    assert!(
        go_error.ends_with("->127.0.0.1:53: i/o timeout"),
        "{go_error}"
    );
    // timeout:1 attempts:1, A and AAAA in parallel; the search-list candidate does
    // not exist, and Go reports the error for the name as given.
    assert_eq!(r.queries.len(), 4);
    assert!(r.elapsed_ms >= 1000, "{}", r.elapsed_ms);

    let r = one(
        &Sandbox::new(),
        &["--timeout", "300ms", "timeout.example.com"],
    );
    assert_eq!(r.code(), Some("dns_timeout"));
    let err = r.error.as_ref().unwrap();
    assert!(
        err.message.contains("within --timeout 300ms"),
        "{}",
        err.message
    );
    assert!(
        err.message.contains("Go itself gives up after 2s"),
        "{}",
        err.message
    );
    assert_eq!(err.go_error, None);
}

#[test]
fn truncated_answers_are_asked_again_over_tcp() {
    if port53().is_none() {
        return;
    }
    let r = one(&Sandbox::new(), &["truncated.example.com"]);
    assert!(r.ok, "{r:#?}");
    assert_eq!(r.addrs.len(), 2);
    assert_eq!(r.transport.as_deref(), Some("udp+tcp"));
}

#[test]
fn search_list_and_ndots_decide_the_names_asked() {
    if port53().is_none() {
        return;
    }
    let r = one(&Sandbox::new(), &["git"]);
    assert!(r.ok, "{r:#?}");
    assert_eq!(r.candidates, ["git.corp.test.", "git."]);
    assert_eq!(r.a, ["192.0.2.20"]);
    assert!(r.queries.iter().all(|q| q.name == "git.corp.test."));

    let r = one(&Sandbox::new(), &["nxdomain"]);
    assert_eq!(r.code(), Some("dns_nxdomain"));
    // Both candidates asked; the error names the name as given.
    let names: Vec<&str> = r.queries.iter().map(|q| q.name.as_str()).collect();
    assert!(names.contains(&"nxdomain.corp.test.") && names.contains(&"nxdomain."));
    assert_eq!(
        r.error.as_ref().unwrap().go_error.as_deref(),
        Some("lookup nxdomain on 127.0.0.1:53: no such host")
    );
}

#[test]
fn hosts_file_comes_first_or_last_as_nsswitch_says() {
    if port53().is_none() {
        return;
    }
    let hosts = "203.0.113.7 both.example.net\n";
    let sandbox = Sandbox::new();
    let mut args = system_files(&sandbox, hosts, "hosts: files dns\n");
    args.push("both.example.net".into());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let r = sandbox.run(TOOL, &args).records().remove(0).dns();
    assert!(r.from_hosts, "{r:#?}");
    assert_eq!(r.addrs, ["203.0.113.7"]);
    assert_eq!(r.transport.as_deref(), Some("hosts"));
    assert!(r.server.as_deref().unwrap().ends_with("etc/hosts"));
    assert!(r.queries.is_empty());

    let sandbox = Sandbox::new();
    let mut args = system_files(&sandbox, hosts, "hosts: dns files\n");
    args.push("both.example.net".into());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let r = sandbox.run(TOOL, &args).records().remove(0).dns();
    assert!(!r.from_hosts);
    assert_eq!(r.a, ["192.0.2.30"]);
    assert_eq!(r.config.unwrap().order, "dns,files");
}

#[test]
fn other_resolvers_answer_side_by_side_and_lies_are_flagged() {
    if port53().is_none() {
        return;
    }
    let honest = DnsServer::start(loopback(), dnserrors_handler());
    let server = honest.addr().to_string();
    let sandbox = Sandbox::new();
    let (status, records) = dnscheck(
        &sandbox,
        &[
            "--server",
            &server,
            "proxy.golang.org",
            "blocked.golang.org",
            "both.example.net",
        ],
    );
    assert_eq!(status, 1, "blocked.golang.org fails on the system resolver");
    let hosts: Vec<(&str, &str)> = records
        .iter()
        .map(|r| (r.host.as_str(), r.resolver.as_str()))
        .collect();
    assert_eq!(
        hosts,
        [
            ("proxy.golang.org", "system"),
            ("proxy.golang.org", server.as_str()),
            ("blocked.golang.org", "system"),
            ("blocked.golang.org", server.as_str()),
            ("both.example.net", "system"),
            ("both.example.net", server.as_str()),
        ]
    );
    let [
        lying,
        honest_proxy,
        hiding,
        honest_blocked,
        both_system,
        both_other,
    ] = <[DnsRecord; 6]>::try_from(records).unwrap();

    // A private address for a public name: bogus, and a hijack since another
    // resolver answers well.
    assert!(lying.ok);
    assert_eq!(lying.addrs, ["10.0.0.1"]);
    assert_eq!(
        lying.warning_codes(),
        ["dns_bogus_answer", "dns_hijack_suspected"]
    );
    assert!(
        lying
            .warning("dns_bogus_answer")
            .message
            .contains("10.0.0.1 (private-range)")
    );
    let hijack = lying.warning("dns_hijack_suspected");
    assert!(
        hijack
            .message
            .contains(&format!("{server} (192.0.2.1, 2001:db8::1)")),
        "{}",
        hijack.message
    );
    assert!(hijack.hint.as_deref().unwrap().contains("HTTPS_PROXY"));

    assert!(honest_proxy.config.is_none());
    assert_eq!(honest_proxy.candidates, ["proxy.golang.org."]);
    assert_eq!(honest_proxy.server.as_deref(), Some(server.as_str()));
    assert_eq!(honest_proxy.warning_codes(), ["dns_answers_differ"]);
    let differ = &honest_proxy.warning("dns_answers_differ").message;
    assert!(differ.contains("only system: 10.0.0.1"), "{differ}");

    // The system resolver hides a name the others know.
    assert_eq!(hiding.code(), Some("dns_nxdomain"));
    assert_eq!(hiding.warning_codes(), ["dns_hijack_suspected"]);
    assert!(honest_blocked.ok && honest_blocked.warnings.is_empty());
    // Go's words are for the resolver Go uses; the others carry them as detail.
    assert!(honest_blocked.error.is_none());

    assert!(both_system.warnings.is_empty());
    assert_eq!(both_other.warning_codes(), ["dns_answers_differ"]);
}

#[test]
fn a_sinkhole_answer_is_bogus_even_for_a_name_of_unknown_standing() {
    if port53().is_none() {
        return;
    }
    let r = one(&Sandbox::new(), &["sinkhole.example.net"]);
    assert!(r.ok);
    assert_eq!(r.warning_codes(), ["dns_bogus_answer"]);
    assert!(r.warnings[0].message.contains("0.0.0.0 (unspecified)"));
}

#[test]
fn failing_other_resolvers_are_reported_with_gos_shape_as_detail() {
    let refusing = DnsServer::start(loopback(), dnserrors_handler());
    let server = refusing.addr().to_string();
    let run = Sandbox::new().run(
        TOOL,
        &["--no-system", "--server", &server, "refused.example.com"],
    );
    assert_eq!(run.status, 1);
    let r = run.records().remove(0).dns();
    assert_eq!(r.code(), Some("dns_refused"));
    let err = r.error.unwrap();
    assert_eq!(err.go_error, None);
    assert_eq!(
        err.detail.as_deref(),
        Some(format!("lookup refused.example.com on {server}: server misbehaving").as_str())
    );
    assert!(
        err.hint
            .unwrap()
            .contains(&format!("the --server value {server}"))
    );
}

#[test]
fn tcp_tls_and_https_resolvers() {
    let ca = TestCa::new("dnscheck test CA");
    let sandbox = Sandbox::new();
    let ca_file = ca.write_pem(sandbox.path(), "ca.pem");
    let sandbox = sandbox.env("SSL_CERT_FILE", &ca_file.display().to_string());
    let plain = DnsServer::start(loopback(), dnserrors_handler());
    let dot = DotServer::start(
        loopback(),
        ca.issue(&["dns.test"]).server_config(),
        dnserrors_handler(),
    );
    let dns = dnserrors_handler();
    let doh = Server::https(
        &ca.issue(&["127.0.0.1"]),
        gomod_testsupport::handler(move |req| match doh_query(&req.target) {
            Some(query) => Response::new(200, doh_answer(&query, &dns))
                .header("Content-Type", "application/dns-message"),
            None => Response::text(400, "no dns parameter"),
        }),
    );
    let tcp = format!("tcp://{}", plain.addr());
    let tls = format!("tls://{}#dns.test", dot.addr());
    let tls_wrong_name = format!("tls://{}#other.test", dot.addr());
    let https = format!("https://{}/dns-query", doh.host_port());
    let run = sandbox.run(
        TOOL,
        &[
            "--no-system",
            "--server",
            &tcp,
            "--server",
            &tls,
            "--server",
            &https,
            "--server",
            &tls_wrong_name,
            "ok.example.com",
        ],
    );
    let records: Vec<DnsRecord> = run.records().into_iter().map(|r| r.dns()).collect();
    assert_eq!(records.len(), 4, "{}", run.stdout);
    for (r, (transport, server)) in records.iter().zip([
        ("tcp", plain.addr().to_string()),
        ("tls", dot.addr().to_string()),
        ("https", https.clone()),
    ]) {
        assert!(r.ok, "{r:#?}");
        assert_eq!(r.transport.as_deref(), Some(transport));
        assert_eq!(r.server.as_deref(), Some(server.as_str()));
        assert_eq!(r.a, ["192.0.2.1"]);
        assert!(
            r.queries
                .iter()
                .all(|q| q.transport == transport && q.server == server)
        );
    }
    assert!(plain.queries().iter().all(|q| q.transport == "tcp"));
    assert!(dot.queries().iter().all(|q| q.transport == "tls"));
    assert_eq!(doh.requests().len(), 2);

    let wrong = &records[3];
    assert_eq!(wrong.code(), Some("dns_failed"));
    let detail = wrong.error.as_ref().unwrap().detail.clone().unwrap();
    assert!(
        detail.contains("certificate is valid for dns.test, not other.test"),
        "{detail}"
    );
    assert_eq!(run.status, 1);
}

#[test]
fn an_unreachable_or_untrusted_comparison_resolver_is_named_with_its_cause() {
    let ca = TestCa::new("dnscheck test CA");
    let sandbox = Sandbox::new();
    let ca_file = ca.write_pem(sandbox.path(), "ca.pem");
    let sandbox = sandbox.env("SSL_CERT_FILE", &ca_file.display().to_string());
    // Nothing listens on this port.
    let dead = std::net::TcpListener::bind(loopback()).unwrap();
    let dead_addr = dead.local_addr().unwrap();
    drop(dead);
    // A DoT server whose certificate comes from a CA the trust store does not hold.
    let untrusted = DotServer::start(
        loopback(),
        TestCa::new("someone else's CA")
            .issue(&["dns.test"])
            .server_config(),
        dnserrors_handler(),
    );
    let cases = [
        (
            format!("tls://{dead_addr}#dns.test"),
            "connection refused",
            "853",
        ),
        (
            format!("https://{dead_addr}/dns-query"),
            "connection refused",
            "443",
        ),
        (
            format!("tls://{}#dns.test", untrusted.addr()),
            "x509: certificate signed by unknown authority",
            "SSL_CERT_FILE",
        ),
    ];
    for (server, cause, advice) in cases {
        let run = sandbox.run(
            TOOL,
            &["--no-system", "--server", &server, "ok.example.com"],
        );
        let r = run.records().remove(0).dns();
        let err = r.error.as_ref().expect("an error");
        assert!(
            err.message.contains(cause),
            "{server}: the message names the cause: {}",
            err.message
        );
        let hint = err.hint.as_deref().unwrap_or_default();
        assert!(hint.contains(advice), "{server}: {hint}");
        assert!(
            !hint.contains("systemd-resolved"),
            "{server}: not a local resolver to start: {hint}"
        );
        for text in [&err.message, hint] {
            assert!(
                !text.contains("invalid peer certificate") && !text.contains("docs.rs"),
                "{server}: rustls's wording: {text}"
            );
        }
        assert_eq!(err.go_error, None, "go never asks a --server resolver");
    }
}

#[test]
fn hosts_go_reaches_through_a_proxy_are_resolved_by_the_proxy() {
    if port53().is_none() {
        return;
    }
    let sandbox = Sandbox::new()
        .env("HTTPS_PROXY", "http://user:secret@squid.corp.test:3128")
        .env("NO_PROXY", "both.example.net");
    let (status, records) = dnscheck(&sandbox, &["nxdomain.example.com", "both.example.net"]);
    assert_eq!(status, 1, "the proxy's own name does not resolve");
    let summary: Vec<(&str, Option<&str>, Option<&str>, bool)> = records
        .iter()
        .map(|r| {
            (
                r.host.as_str(),
                r.via_proxy.as_deref(),
                r.proxy_for.as_deref(),
                r.ok,
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (
                "nxdomain.example.com",
                Some("http://user:***@squid.corp.test:3128"),
                None,
                true
            ),
            ("squid.corp.test", None, Some("nxdomain.example.com"), false),
            ("both.example.net", None, None, true),
        ]
    );
    // The proxy's record says where gomod-tlscheck should connect: the proxy's port.
    assert_eq!(
        (records[1].port, records[1].scheme.as_str()),
        (Some(3128), "http")
    );
    assert_eq!(
        (records[0].port, records[0].scheme.as_str()),
        (None, "https")
    );
    // The local failure is told, but does not fail the record: Go never resolves it.
    let w = records[0].warning("dns_nxdomain");
    assert!(
        w.message.contains("does not stop the go command"),
        "{}",
        w.message
    );
    assert!(!records.iter().any(|r| format!("{r:?}").contains("secret")));
}

#[test]
fn records_on_stdin_give_each_host_once() {
    if port53().is_none() {
        return;
    }
    let route = r#"{"type":"route","module":"corp.example/m","endpoints":[{"kind":"proxy","host":"both.example.net","scheme":"https","port":443},{"kind":"direct","host":"git.corp.test"}],"sumdb":{"host":"both.example.net"},"exposed_to":[{"host":"both.example.net","public":true}]}"#;
    let stdin = format!(
        "{route}\nGit.Corp.Test\ncname.chain.example\n{{\"type\":\"summary\"}}\n{{\"host\":\"a b\"}}\n"
    );
    let sandbox = Sandbox::new();
    let mut args = system_files(&sandbox, "", "hosts: files dns\n");
    args.push("-".into());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let run = sandbox.run_with_stdin(TOOL, &args, &stdin);
    let records = run.records();
    let kinds: Vec<String> = records
        .into_iter()
        .map(|r| match r {
            crate::records::Record::Dns(d) => d.host,
            crate::records::Record::InputError(e) => format!("input_error line {}", e.line),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "both.example.net",
            "git.corp.test",
            "cname.chain.example",
            "input_error line 5"
        ]
    );
}

#[test]
fn configuration_problems_are_warned_about() {
    if port53().is_none() {
        return;
    }
    let sandbox = Sandbox::new();
    let resolv = sandbox.write(
        "resolv.conf",
        "nameserver dns.corp.test\nnameserver 127.0.0.1:5353\nnameserver 127.0.0.1\n",
    );
    let hosts = sandbox.write("hosts", "");
    let run = sandbox.run(
        TOOL,
        &[
            "--resolv-conf",
            &resolv.display().to_string(),
            "--hosts",
            &hosts.display().to_string(),
            "both.example.net",
        ],
    );
    let r = run.records().remove(0).dns();
    assert!(r.ok);
    assert_eq!(r.warning_codes(), ["dns_config", "dns_config"]);
    assert!(r.warnings[0].message.contains("\"dns.corp.test\""));
    assert!(r.warnings[1].message.contains("\"127.0.0.1:5353\""));
}

#[test]
fn usage_errors_stop_before_probing() {
    let cases: [&[&str]; 5] = [
        &["--server", "dns.google", "x.example"],
        &["--server", "tls://9.9.9.9#", "x.example"],
        &["--no-system", "x.example"],
        &["--resolv-conf", "/nonexistent/resolv.conf", "x.example"],
        &[
            "--no-system",
            "--hosts",
            "/etc/hosts",
            "--server",
            "127.0.0.1:1",
            "x.example",
        ],
    ];
    for args in cases {
        let run = Sandbox::new().run(TOOL, args);
        assert_eq!(run.status, 2, "{args:?}: {}", run.stderr);
        assert!(run.stdout.is_empty());
        assert!(!run.stderr.is_empty());
    }
}

#[test]
fn text_format_reads_as_one_line_per_record() {
    if port53().is_none() {
        return;
    }
    let sandbox = Sandbox::new();
    let mut args = system_files(&sandbox, "", "hosts: files dns\n");
    args.extend([
        "--format".into(),
        "text".into(),
        "cname.chain.example".into(),
        "nxdomain.example.com".into(),
    ]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let run = sandbox.run(TOOL, &args);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{}", run.stdout);
    assert!(
        lines[0].contains(
            "cname.chain.example with the system resolver (as Go resolves it): 192.0.2.10"
        ),
        "{}",
        lines[0]
    );
    assert!(lines[1].contains("dns_nxdomain"), "{}", lines[1]);
}

/// 127.0.0.1 with a port the system picks.
fn loopback() -> SocketAddr {
    SocketAddr::from((Ipv4Addr::LOCALHOST, 0))
}
