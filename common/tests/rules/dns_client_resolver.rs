//! Go's lookup rules against the scripted server over UDP and TCP.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::{Duration, Instant};

use crate::dns_support::{conf, loopback, resolver, start};
use gomod_common::net::dns::client::Transport;
use gomod_common::net::dns::hosts::Hosts;
use gomod_common::net::dns::lookup::{DnsErrorKind, GoResolver, Lookup, query_resolver};
use gomod_common::net::dns::nsswitch::HostLookupOrder;
use gomod_common::net::dns::wire::{Answer, AnswerData};
use gomod_testsupport::dns::{Msg, Reply, Request, dnserrors_handler, handler, record};
use hickory_proto::rr::RecordType;

/// The timeout of lookups that must be answered: one that a loaded machine never
/// reaches. Tests that expect a timeout set a short one of their own and check only
/// that it was waited for (a timer never fires early) and how many queries were sent.
const T: Duration = Duration::from_secs(10);

/// The timeout of a lookup that is meant to time out.
const EXPIRES: Duration = Duration::from_millis(500);

const V4: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 1);
const V6: Ipv6Addr = Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1);

/// The address record for the query's type.
fn address(req: &Request) -> AnswerData {
    if req.qtype == RecordType::AAAA {
        AnswerData::Aaaa(V6)
    } else {
        AnswerData::A(V4)
    }
}

fn ok(req: &Request) -> Reply {
    Reply::answers(vec![record(&req.qname, address(req))])
}

/// (name, type, transport) of each query a server saw.
fn seen(queries: &[Request]) -> Vec<(String, String, &'static str)> {
    queries
        .iter()
        .map(|q| (q.qname.clone(), q.qtype.to_string(), q.transport))
        .collect()
}

fn sorted(found: &Lookup) -> Vec<IpAddr> {
    let mut addrs = found.addrs.clone();
    addrs.sort();
    addrs
}

#[tokio::test]
async fn queries_carry_rd_edns_1232_and_ad_with_trust_ad() {
    let server = start(handler(ok));
    let mut c = conf(&[server.addr()], T);
    c.trust_ad = true;
    resolver(c).lookup_ip("ok.test").await.unwrap();
    for q in server.queries() {
        assert!(q.recursion_desired);
        assert!(q.authentic_data);
        assert_eq!(q.edns_payload, Some(1232));
        assert_eq!(q.transport, "udp");
    }
    server.clear();
    resolver(conf(&[server.addr()], T))
        .lookup_ip("ok.test")
        .await
        .unwrap();
    assert!(server.queries().iter().all(|q| !q.authentic_data));
}

#[tokio::test]
async fn cname_chain_names_the_owner_of_the_first_address() {
    let server = start(handler(|req| {
        Reply::answers(vec![
            Answer {
                name: req.qname.clone(),
                ttl: 300,
                data: AnswerData::Cname("b.example.".into()),
            },
            Answer {
                name: "b.example.".into(),
                ttl: 120,
                data: AnswerData::Cname("c.example.".into()),
            },
            Answer {
                name: "c.example.".into(),
                ttl: 30,
                data: address(req),
            },
        ])
    }));
    let found = resolver(conf(&[server.addr()], T))
        .lookup_ip("a.example")
        .await
        .unwrap();
    assert_eq!(sorted(&found), vec![IpAddr::V4(V4), IpAddr::V6(V6)]);
    assert_eq!(found.cname.as_deref(), Some("c.example."));
    // Go starts reading at the first address record: the CNAMEs before it are skipped.
    assert_eq!(found.min_ttl, Some(30));
    assert_eq!(found.server, Some(server.addr()));
    assert!(!found.from_hosts);
    assert_eq!(found.queries.len(), 2);
    for q in &found.queries {
        assert_eq!(q.rcode.as_deref(), Some("NOERROR"));
        assert_eq!(q.answers.len(), 3);
        assert_eq!(q.transport, "udp");
        assert_eq!(q.error, None);
    }
}

#[tokio::test]
async fn cname_after_the_first_address_does_not_change_the_name() {
    let server = start(handler(|req| {
        Reply::answers(vec![
            record(&req.qname, address(req)),
            record(&req.qname, AnswerData::Cname("later.example.".into())),
        ])
    }));
    let found = resolver(conf(&[server.addr()], T))
        .lookup_ip("A.Example")
        .await
        .unwrap();
    assert_eq!(found.cname.as_deref(), Some("A.Example."));
}

#[tokio::test]
async fn cname_only_is_no_such_host() {
    let server = start(dnserrors_handler());
    let err = resolver(conf(&[server.addr()], T))
        .lookup_ip("cnameonly.test")
        .await
        .unwrap_err();
    assert_eq!(err.kind, DnsErrorKind::NoRecords);
    assert_eq!(
        err.to_string(),
        format!("lookup cnameonly.test on {}: no such host", server.addr())
    );
}

#[tokio::test]
async fn search_list_and_ndots_decide_the_candidate_order() {
    let server = start(handler(|_| Reply::rcode(3)));
    let mut c = conf(&[server.addr()], T);
    c.search = vec!["corp.example.".into(), "example.".into()];
    c.single_request = true;
    let go = resolver(c.clone());
    let names = |queries: Vec<Request>| -> Vec<(String, String)> {
        queries
            .iter()
            .map(|q| (q.qname.clone(), q.qtype.to_string()))
            .collect()
    };
    let pairs = |list: &[&str]| -> Vec<(String, String)> {
        list.iter()
            .flat_map(|n| {
                [
                    (n.to_string(), "A".to_string()),
                    (n.to_string(), "AAAA".to_string()),
                ]
            })
            .collect()
    };

    let err = go.lookup_ip("host").await.unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("lookup host on {}: no such host", server.addr())
    );
    assert_eq!(
        names(server.queries()),
        pairs(&["host.corp.example.", "host.example.", "host."])
    );

    server.clear();
    go.lookup_ip("a.b").await.unwrap_err();
    assert_eq!(
        names(server.queries()),
        pairs(&["a.b.", "a.b.corp.example.", "a.b.example."])
    );

    server.clear();
    c.ndots = 2;
    resolver(c.clone()).lookup_ip("a.b").await.unwrap_err();
    assert_eq!(
        names(server.queries()),
        pairs(&["a.b.corp.example.", "a.b.example.", "a.b."])
    );

    server.clear();
    resolver(c).lookup_ip("a.b.").await.unwrap_err();
    assert_eq!(names(server.queries()), pairs(&["a.b."]));
}

#[tokio::test]
async fn nxdomain_for_the_first_candidate_then_the_next_one_answers() {
    let server = start(handler(|req| {
        if req.qname.ends_with(".corp.example.") {
            Reply::rcode(3)
        } else {
            ok(req)
        }
    }));
    let mut c = conf(&[server.addr()], T);
    c.search = vec!["corp.example.".into()];
    let found = resolver(c).lookup_ip("host").await.unwrap();
    assert_eq!(sorted(&found), vec![IpAddr::V4(V4), IpAddr::V6(V6)]);
    assert_eq!(found.cname.as_deref(), Some("host."));
    let traces: Vec<_> = found
        .queries
        .iter()
        .map(|q| (q.name.as_str(), q.rcode.as_deref(), q.error.as_deref()))
        .collect();
    assert_eq!(traces.len(), 4);
    assert!(
        traces[..2]
            .iter()
            .all(|t| *t == ("host.corp.example.", Some("NXDOMAIN"), Some("no such host")))
    );
    assert!(
        traces[2..]
            .iter()
            .all(|t| *t == ("host.", Some("NOERROR"), None))
    );
}

/// Go keeps the first error, except that the error for the name as given wins.
#[tokio::test]
async fn the_error_for_the_name_as_given_is_preferred() {
    let by_suffix = |suffixed: u8, plain: u8| {
        handler(move |req| {
            Reply::rcode(if req.qname.ends_with(".corp.example.") {
                suffixed
            } else {
                plain
            })
        })
    };
    for (suffixed, plain, name, want) in [
        (2, 3, "host", "no such host"),
        (3, 2, "host", "server misbehaving"),
        (2, 3, "host.x", "no such host"),
        (3, 2, "host.x", "server misbehaving"),
    ] {
        let server = start(by_suffix(suffixed, plain));
        let mut c = conf(&[server.addr()], T);
        c.search = vec!["corp.example.".into()];
        let err = resolver(c).lookup_ip(name).await.unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("lookup {name} on {}: {want}", server.addr())
        );
    }
}

#[tokio::test]
async fn rotate_starts_each_query_at_the_next_server() {
    let one = start(handler(ok));
    let two = start(handler(ok));
    let mut c = conf(&[one.addr(), two.addr()], T);
    c.rotate = true;
    c.single_request = true;
    resolver(c).lookup_ip("ok.test").await.unwrap();
    let (a, b) = (one.queries(), two.queries());
    assert_eq!((a.len(), b.len()), (1, 1));
    assert_ne!(a[0].qtype, b[0].qtype);

    one.clear();
    two.clear();
    resolver(conf(&[one.addr(), two.addr()], T))
        .lookup_ip("ok.test")
        .await
        .unwrap();
    assert_eq!((one.queries().len(), two.queries().len()), (2, 0));
}

#[tokio::test]
async fn attempts_go_round_the_servers_and_the_last_one_is_named() {
    let one = start(handler(|_| Reply::Drop));
    let two = start(handler(|_| Reply::Drop));
    let started = Instant::now();
    let err = resolver(conf(&[one.addr(), two.addr()], EXPIRES))
        .lookup_ip("slow.test")
        .await
        .unwrap_err();
    let elapsed = started.elapsed();
    // Two attempts at two servers, A and AAAA together: four timeouts, not the eight of
    // asking A and AAAA one after the other (the slack above four is for a loaded
    // machine).
    assert!(
        elapsed >= EXPIRES * 4 && elapsed < EXPIRES * 8,
        "{elapsed:?}"
    );
    assert_eq!(one.queries().len(), 4);
    assert_eq!(two.queries().len(), 4);
    assert_eq!(err.server, Some(two.addr().to_string()));
    assert!(err.is_timeout && err.is_temporary && !err.is_not_found);
    let text = err.to_string();
    let prefix = format!("lookup slow.test on {}: read udp 127.0.0.1:", two.addr());
    let suffix = format!("->{}: i/o timeout", two.addr());
    assert!(
        text.starts_with(&prefix) && text.ends_with(&suffix),
        "{text}"
    );
}

#[tokio::test]
async fn servfail_and_lame_move_on_but_nxdomain_stops() {
    let good = start(handler(ok));
    for (reply, kind) in [
        (
            Reply::rcode(2),
            DnsErrorKind::ServerMisbehaving { rcode: 2 },
        ),
        (Reply::rcode(5), DnsErrorKind::Refused),
        (
            Reply::Msg(Msg {
                rcode: 0,
                authoritative: false,
                recursion_available: false,
                truncated: false,
                answers: Vec::new(),
            }),
            DnsErrorKind::LameReferral,
        ),
    ] {
        good.clear();
        let bad = start(handler(move |_| reply.clone()));
        let found = resolver(conf(&[bad.addr(), good.addr()], T))
            .lookup_ip("ok.test")
            .await
            .unwrap();
        assert_eq!(found.server, Some(good.addr()));
        assert_eq!(bad.queries().len(), 2);
        assert_eq!(good.queries().len(), 2);
        let err = resolver(conf(&[bad.addr()], T))
            .lookup_ip("ok.test")
            .await
            .unwrap_err();
        assert_eq!(err.kind, kind);
    }

    good.clear();
    let nx = start(handler(|_| Reply::rcode(3)));
    let err = resolver(conf(&[nx.addr(), good.addr()], T))
        .lookup_ip("ok.test")
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("lookup ok.test on {}: no such host", nx.addr())
    );
    assert!(err.is_not_found);
    assert!(good.queries().is_empty());
}

#[tokio::test]
async fn truncated_udp_is_asked_again_over_tcp() {
    let server = start(dnserrors_handler());
    let found = resolver(conf(&[server.addr()], T))
        .lookup_ip("truncated.test")
        .await
        .unwrap();
    assert_eq!(sorted(&found), vec![IpAddr::V4(V4), IpAddr::V6(V6)]);
    assert!(found.queries.iter().all(|q| q.transport == "udp+tcp"));
    let mut transports: Vec<_> = seen(&server.queries())
        .into_iter()
        .map(|(_, qtype, transport)| (qtype, transport))
        .collect();
    transports.sort();
    assert_eq!(
        transports,
        vec![
            ("A".into(), "tcp"),
            ("A".into(), "udp"),
            ("AAAA".into(), "tcp"),
            ("AAAA".into(), "udp")
        ]
    );
}

#[tokio::test]
async fn use_vc_sends_everything_over_tcp() {
    let server = start(handler(ok));
    let mut c = conf(&[server.addr()], T);
    c.use_tcp = true;
    let found = resolver(c).lookup_ip("ok.test").await.unwrap();
    assert_eq!(found.addrs.len(), 2);
    assert!(found.queries.iter().all(|q| q.transport == "tcp"));
    assert!(server.queries().iter().all(|q| q.transport == "tcp"));
}

#[tokio::test]
async fn stream_failures_have_gos_texts() {
    let closing = start(handler(|_| Reply::Close));
    let mut c = conf(&[closing.addr()], T);
    c.use_tcp = true;
    let err = resolver(c).lookup_ip("x.test").await.unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("lookup x.test on {}: EOF", closing.addr())
    );
    assert!(!err.is_temporary && !err.is_timeout);
    assert_eq!(closing.queries().len(), 4);

    let garbage = start(handler(|_| Reply::Garbage));
    let mut c = conf(&[garbage.addr()], T);
    c.use_tcp = true;
    let err = resolver(c).lookup_ip("x.test").await.unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "lookup x.test on {}: cannot unmarshal DNS message",
            garbage.addr()
        )
    );

    let other_question = start(handler(|req| {
        let mut raw = req.id.to_be_bytes().to_vec();
        raw.extend_from_slice(&[0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0]);
        raw.extend_from_slice(b"\x05other\x04test\x00\x00\x01\x00\x01");
        Reply::Raw(raw)
    }));
    let mut c = conf(&[other_question.addr()], T);
    c.use_tcp = true;
    let err = resolver(c).lookup_ip("x.test").await.unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "lookup x.test on {}: invalid DNS response",
            other_question.addr()
        )
    );
}

/// A loopback port with nothing listening (for UDP and TCP).
fn closed_port() -> SocketAddr {
    let socket = std::net::UdpSocket::bind(loopback()).unwrap();
    let addr = socket.local_addr().unwrap();
    drop(socket);
    addr
}

#[tokio::test]
async fn refused_connections_have_gos_texts() {
    let closed = closed_port();
    let err = resolver(conf(&[closed], T))
        .lookup_ip("x.test")
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(
        text.starts_with(&format!("lookup x.test on {closed}: read udp 127.0.0.1:"))
            && text.ends_with(&format!("->{closed}: read: connection refused")),
        "{text}"
    );
    assert!(err.is_temporary && !err.is_timeout);

    let mut c = conf(&[closed], T);
    c.use_tcp = true;
    let err = resolver(c).lookup_ip("x.test").await.unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("lookup x.test on {closed}: dial tcp {closed}: connect: connection refused")
    );
    assert!(err.is_temporary && !err.is_timeout);
    assert!(matches!(err.kind, DnsErrorKind::Network(_)));
}

#[tokio::test]
async fn delays_within_and_beyond_the_timeout() {
    // A reply well within the timeout, and one long after it.
    let timeout = Duration::from_secs(2);
    let server = start(handler(move |req| {
        let wait = if req.qname.starts_with("quick") {
            Duration::from_millis(100)
        } else {
            timeout * 3
        };
        Reply::Delay(wait, Box::new(ok(req)))
    }));
    let mut c = conf(&[server.addr()], timeout);
    c.attempts = 1;
    let go = resolver(c);
    assert_eq!(go.lookup_ip("quick.test").await.unwrap().addrs.len(), 2);
    let err = go.lookup_ip("slow.test").await.unwrap_err();
    assert!(err.is_timeout);
}

#[tokio::test]
async fn hosts_file_order() {
    let server = start(handler(|req| {
        if req.qname.starts_with("missing") {
            Reply::rcode(3)
        } else {
            ok(req)
        }
    }));
    let hosts = || Hosts::parse("10.0.0.1 myhost missing\nfe80::1%eth0 myhost\n");
    let go = |order| GoResolver {
        conf: conf(&[server.addr()], T),
        hosts: hosts(),
        order,
    };
    let from_hosts = vec![
        IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1)),
        "fe80::1".parse().unwrap(),
    ];

    let found = go(HostLookupOrder::FilesDns)
        .lookup_ip("myhost")
        .await
        .unwrap();
    assert_eq!(found.addrs, from_hosts);
    assert!(found.from_hosts && found.queries.is_empty() && found.cname.is_none());
    assert!(server.queries().is_empty());

    let found = go(HostLookupOrder::DnsFiles)
        .lookup_ip("myhost")
        .await
        .unwrap();
    assert!(!found.from_hosts);
    assert_eq!(sorted(&found), vec![IpAddr::V4(V4), IpAddr::V6(V6)]);

    let found = go(HostLookupOrder::DnsFiles)
        .lookup_ip("missing")
        .await
        .unwrap();
    assert!(found.from_hosts);
    assert_eq!(found.addrs, vec![IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1))]);

    let found = go(HostLookupOrder::Dns).lookup_ip("myhost").await.unwrap();
    assert!(!found.from_hosts);

    server.clear();
    let err = go(HostLookupOrder::Files)
        .lookup_ip("other")
        .await
        .unwrap_err();
    assert_eq!(err.to_string(), "lookup other: no such host");
    assert!(err.is_not_found && err.server.is_none());
    assert!(server.queries().is_empty());
}

#[tokio::test]
async fn names_that_never_reach_dns() {
    let server = start(handler(ok));
    let go = resolver(conf(&[server.addr()], T));
    let found = go.lookup_ip("192.0.2.7").await.unwrap();
    assert_eq!(found.addrs, vec![IpAddr::V4(Ipv4Addr::new(192, 0, 2, 7))]);
    let found = go.lookup_ip("fe80::1%eth0").await.unwrap();
    assert_eq!(found.addrs, vec!["fe80::1".parse::<IpAddr>().unwrap()]);
    assert_eq!(
        go.lookup_ip("").await.unwrap_err().to_string(),
        "lookup : no such host"
    );
    assert_eq!(
        go.lookup_ip("bad..name").await.unwrap_err().to_string(),
        "lookup bad..name: no such host"
    );
    // RFC 7686: Go asks nobody and returns no addresses without an error.
    assert!(go.lookup_ip("foo.onion").await.unwrap().addrs.is_empty());
    assert!(server.queries().is_empty());
}

#[tokio::test]
async fn query_resolver_asks_the_name_as_given_once() {
    let server = start(dnserrors_handler());
    let udp = Transport::Udp(server.addr());
    let found = query_resolver(&udp, "ok.test", T).await.unwrap();
    assert_eq!(sorted(&found), vec![IpAddr::V4(V4), IpAddr::V6(V6)]);
    assert_eq!(found.server, Some(server.addr()));

    server.clear();
    let err = query_resolver(&udp, "timeout.test", EXPIRES)
        .await
        .unwrap_err();
    assert!(err.to_string().starts_with(&format!(
        "lookup timeout.test on {}: read udp ",
        server.addr()
    )));
    // One attempt: A and AAAA once.
    assert_eq!(server.queries().len(), 2);

    let tcp = Transport::Tcp(server.addr());
    let err = query_resolver(&tcp, "servfail.test", T).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "lookup servfail.test on {}: server misbehaving",
            server.addr()
        )
    );
    assert!(err.is_temporary);
    let found = query_resolver(&tcp, "ok.test.", T).await.unwrap();
    assert_eq!(found.queries.len(), 2);
    assert!(
        found
            .queries
            .iter()
            .all(|q| q.name == "ok.test." && q.transport == "tcp")
    );
}
