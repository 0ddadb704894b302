//! Expectations confirmed by running the real code of go1.27.3 (CGO_ENABLED=0):
//! a throwaway `go test -overlay` harness placed a test file in Go's net package and
//! calls `dnsReadConfig`, `nameList`, `isDomainName`, `lookupStaticHost`,
//! `lookupStaticAddr`, `parseNSSConfFile` and `(*conf).hostLookupOrder` on the
//! inputs listed here. The results are hard-coded.

use gomod_common::net::dns::conf::{ResolvConf, is_domain_name};
use gomod_common::net::dns::hosts::Hosts;
use gomod_common::net::dns::nsswitch::HostLookupOrder::{self, Dns, DnsFiles, Files, FilesDns};
use gomod_common::net::dns::nsswitch::{host_lookup_order, parse_nsswitch};

/// Builds a long string from (piece, repeat count) runs.
fn rle(runs: &[(&str, usize)]) -> String {
    runs.iter().map(|(piece, n)| piece.repeat(*n)).collect()
}

struct Case {
    conf: String,
    hostname: &'static str,
    servers: &'static [&'static str],
    default_servers: bool,
    search: &'static [&'static str],
    ndots: u32,
    timeout: u64,
    attempts: u32,
    /// The boolean fields that are true.
    flags: &'static [&'static str],
    lookup: &'static [&'static str],
    /// (name, Go's isDomainName, Go's raw nameList).
    names: Vec<(String, bool, Vec<String>)>,
}

fn true_flags(conf: &ResolvConf) -> Vec<&'static str> {
    [
        ("rotate", conf.rotate),
        ("single_request", conf.single_request),
        ("use_tcp", conf.use_tcp),
        ("trust_ad", conf.trust_ad),
        ("no_reload", conf.no_reload),
        ("unknown_opt", conf.unknown_opt),
    ]
    .into_iter()
    .filter_map(|(name, set)| set.then_some(name))
    .collect()
}

#[test]
fn resolv_conf_matches_go() {
    let mut failures = Vec::new();
    for (i, case) in resolv_cases().into_iter().enumerate() {
        let conf = ResolvConf::parse(&case.conf, case.hostname);
        let mut diffs = Vec::new();
        if conf.server_strings != case.servers {
            diffs.push(format!("servers {:?}", conf.server_strings));
        }
        if conf.default_servers != case.default_servers {
            diffs.push(format!("default_servers {}", conf.default_servers));
        }
        if conf.search != case.search {
            diffs.push(format!("search {:?}", conf.search));
        }
        if (conf.ndots, conf.timeout.as_secs(), conf.attempts)
            != (case.ndots, case.timeout, case.attempts)
        {
            diffs.push(format!(
                "ndots/timeout/attempts {} {:?} {}",
                conf.ndots, conf.timeout, conf.attempts
            ));
        }
        if true_flags(&conf) != case.flags {
            diffs.push(format!("flags {:?}", true_flags(&conf)));
        }
        if conf.lookup != case.lookup {
            diffs.push(format!("lookup {:?}", conf.lookup));
        }
        for (name, valid, go_list) in &case.names {
            if is_domain_name(name) != *valid {
                diffs.push(format!("is_domain_name({name:?})"));
            }
            let want = if *valid { go_list.clone() } else { Vec::new() };
            if conf.name_list(name) != want {
                diffs.push(format!("name_list({name:?}) = {:?}", conf.name_list(name)));
            }
        }
        if !diffs.is_empty() {
            failures.push(format!(
                "case {i} ({:.40?}): {}",
                case.conf,
                diffs.join("; ")
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn servers_become_socket_addresses() {
    let conf = ResolvConf::parse(
        "nameserver ::FFFF:1.2.3.4\nnameserver 0:0::1\nnameserver fe80::1%4294967295x\n",
        "h",
    );
    let servers: Vec<String> = conf.servers.iter().map(|addr| addr.to_string()).collect();
    // An IPv4-mapped server is dialled over IPv4; an unknown zone name falls back
    // to its leading digits, saturated as Go's dtoi saturates.
    assert_eq!(servers, ["1.2.3.4:53", "[::1]:53", "[fe80::1%16777215]:53"]);
    let conf = ResolvConf::parse("", "h");
    let servers: Vec<String> = conf.servers.iter().map(|addr| addr.to_string()).collect();
    assert_eq!(servers, ["127.0.0.1:53", "[::1]:53"]);
}

#[test]
fn domain_names_match_go() {
    let failures: Vec<String> = domain_cases()
        .into_iter()
        .filter(|(name, valid)| is_domain_name(name) != *valid)
        .map(|(name, valid)| format!("is_domain_name({name:?}) should be {valid}"))
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

struct HostsCase {
    text: String,
    /// (name, addresses, canonical name).
    names: Vec<(String, Vec<String>, Option<String>)>,
    /// (address, names).
    addrs: Vec<(&'static str, Vec<String>)>,
}

#[test]
fn hosts_match_go() {
    let mut failures = Vec::new();
    for (i, case) in hosts_cases().into_iter().enumerate() {
        let hosts = Hosts::parse(&case.text);
        for (name, addrs, canonical) in &case.names {
            let got = (hosts.lookup_host(name), hosts.canonical_name(name));
            if got != (addrs.clone(), canonical.as_deref()) {
                failures.push(format!("case {i}: lookup_host({name:.40?}) = {got:?}"));
            }
        }
        for (addr, names) in &case.addrs {
            if hosts.lookup_addr(addr) != *names {
                failures.push(format!(
                    "case {i}: lookup_addr({addr:?}) = {:?}",
                    hosts.lookup_addr(addr)
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// (negate, status, action).
type Criterion = (bool, &'static str, &'static str);

struct NssCase {
    /// `None`: no nsswitch.conf.
    text: Option<String>,
    err: Option<&'static str>,
    /// (database, source, criteria).
    sources: Vec<(&'static str, String, &'static [Criterion])>,
    order: HostLookupOrder,
}

#[test]
fn nsswitch_matches_go() {
    let resolv = ResolvConf::parse("", "h");
    let mut failures = Vec::new();
    for case in nss_cases() {
        // Go's answer was the same for every name tried (example.test,
        // localhost, foo.local, _gateway): without cgo the name never matters.
        for name in ["example.test", "localhost", "foo.local", "_gateway"] {
            let order = host_lookup_order(case.text.as_deref(), name, &resolv);
            if order != case.order {
                failures.push(format!("{:.60?} / {name}: {order}", case.text));
            }
        }
        let Some(text) = &case.text else { continue };
        let conf = parse_nsswitch(text);
        let mut sources: Vec<_> = conf
            .sources
            .iter()
            .flat_map(|(db, sources)| sources.iter().map(move |src| (db.as_str(), src)))
            .map(|(db, src)| {
                let criteria: Vec<_> = src
                    .criteria
                    .iter()
                    .map(|c| (c.negate, c.status.as_str(), c.action.as_str()))
                    .collect();
                (db, src.source.clone(), criteria)
            })
            .collect();
        // Go's map has no order; the table lists databases sorted, each in file order.
        sources.sort_by(|a, b| a.0.cmp(b.0));
        let want: Vec<_> = case
            .sources
            .iter()
            .map(|(db, source, criteria)| (*db, source.clone(), criteria.to_vec()))
            .collect();
        if (conf.err.as_deref(), &sources) != (case.err, &want) {
            failures.push(format!("{text:.60?}: {:?} {sources:?}", conf.err));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn lookup_order_display_is_gos() {
    let names: Vec<String> = [FilesDns, DnsFiles, Files, Dns]
        .iter()
        .map(|o| o.to_string())
        .collect();
    assert_eq!(names, ["files,dns", "dns,files", "files", "dns"]);
}

fn resolv_cases() -> Vec<Case> {
    vec![
        Case {
            conf: "domain .\n".into(),
            hostname: "h",
            servers: &["127.0.0.1:53", "[::1]:53"],
            default_servers: true,
            search: &["."],
            ndots: 1,
            timeout: 5,
            attempts: 2,
            flags: &[],
            lookup: &[],
            names: vec![("goproxy".into(), true, vec!["goproxy..".into(), "goproxy.".into()]), ("a.b".into(), true, vec!["a.b.".into(), "a.b..".into()])],
        },
        Case {
            conf: "".into(),
            hostname: "a..",
            servers: &["127.0.0.1:53", "[::1]:53"],
            default_servers: true,
            search: &["."],
            ndots: 1,
            timeout: 5,
            attempts: 2,
            flags: &[],
            lookup: &[],
            names: vec![("goproxy".into(), true, vec!["goproxy..".into(), "goproxy.".into()])],
        },
        Case {
            conf: "".into(),
            hostname: "host.",
            servers: &["127.0.0.1:53", "[::1]:53"],
            default_servers: true,
            search: &[],
            ndots: 1,
            timeout: 5,
            attempts: 2,
            flags: &[],
            lookup: &[],
            names: vec![("goproxy".into(), true, vec!["goproxy.".into()])],
        },
        Case {
            conf: "".into(),
            hostname: ".x",
            servers: &["127.0.0.1:53", "[::1]:53"],
            default_servers: true,
            search: &["x."],
            ndots: 1,
            timeout: 5,
            attempts: 2,
            flags: &[],
            lookup: &[],
            names: vec![("goproxy".into(), true, vec!["goproxy.x.".into(), "goproxy.".into()])],
        },
        Case {
            conf: "".into(),
            hostname: "a.b.c",
            servers: &["127.0.0.1:53", "[::1]:53"],
            default_servers: true,
            search: &["b.c."],
            ndots: 1,
            timeout: 5,
            attempts: 2,
            flags: &[],
            lookup: &[],
            names: vec![("goproxy".into(), true, vec!["goproxy.b.c.".into(), "goproxy.".into()])],
        },
        Case {
            conf: "".into(),
            hostname: "",
            servers: &["127.0.0.1:53", "[::1]:53"],
            default_servers: true,
            search: &[],
            ndots: 1,
            timeout: 5,
            attempts: 2,
            flags: &[],
            lookup: &[],
            names: vec![("goproxy".into(), true, vec!["goproxy.".into()])],
        },
        Case {
            conf: "search a.example . b.example\n".into(),
            hostname: "h",
            servers: &["127.0.0.1:53", "[::1]:53"],
            default_servers: true,
            search: &["a.example.", "b.example."],
            ndots: 1,
            timeout: 5,
            attempts: 2,
            flags: &[],
            lookup: &[],
            names: vec![("goproxy".into(), true, vec!["goproxy.a.example.".into(), "goproxy.b.example.".into(), "goproxy.".into()])],
        },
        Case {
            conf: "search\n".into(),
            hostname: "h.corp",
            servers: &["127.0.0.1:53", "[::1]:53"],
            default_servers: true,
            search: &["corp."],
            ndots: 1,
            timeout: 5,
            attempts: 2,
            flags: &[],
            lookup: &[],
            names: vec![("goproxy".into(), true, vec!["goproxy.corp.".into(), "goproxy.".into()])],
        },
        Case {
            conf: "search x.example\ndomain\n".into(),
            hostname: "h",
            servers: &["127.0.0.1:53", "[::1]:53"],
            default_servers: true,
            search: &["x.example."],
            ndots: 1,
            timeout: 5,
            attempts: 2,
            flags: &[],
            lookup: &[],
            names: vec![("goproxy".into(), true, vec!["goproxy.x.example.".into(), "goproxy.".into()])],
        },
        Case {
            conf: "search x.example\nsearch\n".into(),
            hostname: "h.corp",
            servers: &["127.0.0.1:53", "[::1]:53"],
            default_servers: true,
            search: &["corp."],
            ndots: 1,
            timeout: 5,
            attempts: 2,
            flags: &[],
            lookup: &[],
            names: vec![("goproxy".into(), true, vec!["goproxy.corp.".into(), "goproxy.".into()])],
        },
        Case {
            conf: "options ndots:3x timeout: attempts:99999999999 ndots:\n".into(),
            hostname: "h",
            servers: &["127.0.0.1:53", "[::1]:53"],
            default_servers: true,
            search: &[],
            ndots: 0,
            timeout: 1,
            attempts: 16777215,
            flags: &[],
            lookup: &[],
            names: vec![],
        },
        Case {
            conf: "options ndots:16777214 timeout:16777215 attempts:16777214\n".into(),
            hostname: "h",
            servers: &["127.0.0.1:53", "[::1]:53"],
            default_servers: true,
            search: &[],
            ndots: 15,
            timeout: 16777215,
            attempts: 16777214,
            flags: &[],
            lookup: &[],
            names: vec![],
        },
        Case {
            conf: "options ndots:+1 timeout:2.5 attempts:-0\n".into(),
            hostname: "h",
            servers: &["127.0.0.1:53", "[::1]:53"],
            default_servers: true,
            search: &[],
            ndots: 0,
            timeout: 2,
            attempts: 1,
            flags: &[],
            lookup: &[],
            names: vec![],
        },
        Case {
            conf: concat!(
                "nameserver ::FFFF:1.2.3.4\n",
                "nameserver 0:0::1\n",
                "nameserver FE80::1%Eth0\n",
                "nameserver fe80::1%\n"
            )
            .into(),
            hostname: "h",
            servers: &["[::FFFF:1.2.3.4]:53", "[0:0::1]:53", "[FE80::1%Eth0]:53"],
            default_servers: false,
            search: &[],
            ndots: 1,
            timeout: 5,
            attempts: 2,
            flags: &[],
            lookup: &[],
            names: vec![],
        },
        Case {
            conf: concat!(
                "nameserver 1.2.3.4%eth0\n",
                "nameserver 10.0.0.1 10.0.0.2\n",
                "nameserver\n",
                "nameserver [::1]\n"
            )
            .into(),
            hostname: "h",
            servers: &["10.0.0.1:53"],
            default_servers: false,
            search: &[],
            ndots: 1,
            timeout: 5,
            attempts: 2,
            flags: &[],
            lookup: &[],
            names: vec![],
        },
        Case {
            conf: concat!(
                "nameserver 10.0.0.1\r\n",
                "search corp.example\r\n",
                "options rotate\r\n"
            )
            .into(),
            hostname: "h",
            servers: &["10.0.0.1:53"],
            default_servers: false,
            search: &["corp.example."],
            ndots: 1,
            timeout: 5,
            attempts: 2,
            flags: &["rotate"],
            lookup: &[],
            names: vec![("goproxy".into(), true, vec!["goproxy.corp.example.".into(), "goproxy.".into()])],
        },
        Case {
            conf: "  # comment\n".into(),
            hostname: "h",
            servers: &["127.0.0.1:53", "[::1]:53"],
            default_servers: true,
            search: &[],
            ndots: 1,
            timeout: 5,
            attempts: 2,
            flags: &["unknown_opt"],
            lookup: &[],
            names: vec![],
        },
        Case {
            conf: "\tnameserver 1.1.1.1\n".into(),
            hostname: "h",
            servers: &["1.1.1.1:53"],
            default_servers: false,
            search: &[],
            ndots: 1,
            timeout: 5,
            attempts: 2,
            flags: &[],
            lookup: &[],
            names: vec![],
        },
        Case {
            conf: "nameserver 1.1.1.1\nnameserver 1.1.1.1\n".into(),
            hostname: "h",
            servers: &["1.1.1.1:53", "1.1.1.1:53"],
            default_servers: false,
            search: &[],
            ndots: 1,
            timeout: 5,
            attempts: 2,
            flags: &[],
            lookup: &[],
            names: vec![],
        },
        Case {
            conf: "nameserver 127.0.0.1\nnameserver ::1\n".into(),
            hostname: "h",
            servers: &["127.0.0.1:53", "[::1]:53"],
            default_servers: false,
            search: &[],
            ndots: 1,
            timeout: 5,
            attempts: 2,
            flags: &[],
            lookup: &[],
            names: vec![],
        },
        Case {
            conf: "lookup\n".into(),
            hostname: "h",
            servers: &["127.0.0.1:53", "[::1]:53"],
            default_servers: true,
            search: &[],
            ndots: 1,
            timeout: 5,
            attempts: 2,
            flags: &[],
            lookup: &[],
            names: vec![],
        },
        Case {
            conf: "lookup bind file yp\n".into(),
            hostname: "h",
            servers: &["127.0.0.1:53", "[::1]:53"],
            default_servers: true,
            search: &[],
            ndots: 1,
            timeout: 5,
            attempts: 2,
            flags: &[],
            lookup: &["bind", "file", "yp"],
            names: vec![],
        },
        Case {
            conf: rle(&[("search ", 1), ("a", 70000), ("\nnameserver 10.0.0.9\n", 1)]),
            hostname: "h",
            servers: &["127.0.0.1:53", "[::1]:53"],
            default_servers: true,
            search: &[],
            ndots: 1,
            timeout: 5,
            attempts: 2,
            flags: &[],
            lookup: &[],
            names: vec![],
        },
        Case {
            conf: rle(&[("#", 1), ("c", 65534), ("\nnameserver 10.0.0.9\n", 1)]),
            hostname: "h",
            servers: &["10.0.0.9:53"],
            default_servers: false,
            search: &[],
            ndots: 1,
            timeout: 5,
            attempts: 2,
            flags: &[],
            lookup: &[],
            names: vec![],
        },
        Case {
            conf: rle(&[("#", 1), ("c", 65535), ("\nnameserver 10.0.0.9\n", 1)]),
            hostname: "h",
            servers: &["127.0.0.1:53", "[::1]:53"],
            default_servers: true,
            search: &[],
            ndots: 1,
            timeout: 5,
            attempts: 2,
            flags: &[],
            lookup: &[],
            names: vec![],
        },
        Case {
            conf: rle(&[("nameserver 10.0.0.8\nnameserver 10.0.0.9 ", 1), ("c", 65515)]),
            hostname: "h",
            servers: &["10.0.0.8:53", "10.0.0.9:53"],
            default_servers: false,
            search: &[],
            ndots: 1,
            timeout: 5,
            attempts: 2,
            flags: &[],
            lookup: &[],
            names: vec![],
        },
        Case {
            conf: rle(&[("nameserver 10.0.0.8\nnameserver 10.0.0.9 ", 1), ("c", 65516)]),
            hostname: "h",
            servers: &["10.0.0.8:53"],
            default_servers: false,
            search: &[],
            ndots: 1,
            timeout: 5,
            attempts: 2,
            flags: &[],
            lookup: &[],
            names: vec![],
        },
        Case {
            conf: rle(&[("nameserver 10.0.0.8\n", 1), ("c", 65530), ("\nnameserver 10.0.0.9\n", 1)]),
            hostname: "h",
            servers: &["10.0.0.8:53", "10.0.0.9:53"],
            default_servers: false,
            search: &[],
            ndots: 1,
            timeout: 5,
            attempts: 2,
            flags: &["unknown_opt"],
            lookup: &[],
            names: vec![],
        },
        Case {
            conf: "options rotate:1 ROTATE Rotate edns0:1\n".into(),
            hostname: "h",
            servers: &["127.0.0.1:53", "[::1]:53"],
            default_servers: true,
            search: &[],
            ndots: 1,
            timeout: 5,
            attempts: 2,
            flags: &["unknown_opt"],
            lookup: &[],
            names: vec![],
        },
        Case {
            conf: concat!(
                "options\n",
                ";\n",
                "#\n"
            )
            .into(),
            hostname: "h",
            servers: &["127.0.0.1:53", "[::1]:53"],
            default_servers: true,
            search: &[],
            ndots: 1,
            timeout: 5,
            attempts: 2,
            flags: &[],
            lookup: &[],
            names: vec![],
        },
        Case {
            conf: "search Example.COM.\n".into(),
            hostname: "h",
            servers: &["127.0.0.1:53", "[::1]:53"],
            default_servers: true,
            search: &["Example.COM."],
            ndots: 1,
            timeout: 5,
            attempts: 2,
            flags: &[],
            lookup: &[],
            names: vec![("Goproxy".into(), true, vec!["Goproxy.Example.COM.".into(), "Goproxy.".into()])],
        },
        Case {
            conf: "search a.onion b.example\n".into(),
            hostname: "h",
            servers: &["127.0.0.1:53", "[::1]:53"],
            default_servers: true,
            search: &["a.onion.", "b.example."],
            ndots: 1,
            timeout: 5,
            attempts: 2,
            flags: &[],
            lookup: &[],
            names: vec![("x".into(), true, vec!["x.b.example.".into(), "x.".into()]), ("x.onion".into(), true, vec!["x.onion.b.example.".into()]), ("X.ONION".into(), true, vec!["X.ONION.b.example.".into()]), ("x.onion.".into(), true, vec![]), ("onion".into(), true, vec!["onion.b.example.".into(), "onion.".into()]), (".onion".into(), false, vec![".onion.b.example.".into()]), ("x.onion.b".into(), true, vec!["x.onion.b.".into(), "x.onion.b.b.example.".into()])],
        },
        Case {
            conf: "options ndots:0\nsearch s.example\n".into(),
            hostname: "h",
            servers: &["127.0.0.1:53", "[::1]:53"],
            default_servers: true,
            search: &["s.example."],
            ndots: 0,
            timeout: 5,
            attempts: 2,
            flags: &[],
            lookup: &[],
            names: vec![("".into(), false, vec![".".into(), ".s.example.".into()]), (".".into(), true, vec![".".into()]), ("x".into(), true, vec!["x.".into(), "x.s.example.".into()]), ("a..b".into(), false, vec!["a..b.".into(), "a..b.s.example.".into()]), ("a_b".into(), true, vec!["a_b.".into(), "a_b.s.example.".into()]), ("localhost".into(), true, vec!["localhost.".into(), "localhost.s.example.".into()]), ("-x".into(), false, vec!["-x.".into(), "-x.s.example.".into()]), ("a b".into(), false, vec!["a b.".into(), "a b.s.example.".into()]), (rle(&[("b", 63), (".", 1), ("b", 63), (".", 1), ("b", 63), (".", 1), ("b", 61)]), true, vec![rle(&[("b", 63), (".", 1), ("b", 63), (".", 1), ("b", 63), (".", 1), ("b", 61), (".", 1)])]), (rle(&[("b", 63), (".", 1), ("b", 63), (".", 1), ("b", 63), (".", 1), ("b", 62)]), false, vec![]), (rle(&[("b", 63), (".", 1), ("b", 63), (".", 1), ("b", 63), (".", 1), ("b", 61), (".", 1)]), true, vec![rle(&[("b", 63), (".", 1), ("b", 63), (".", 1), ("b", 63), (".", 1), ("b", 61), (".", 1)])]), (rle(&[("b", 63), (".", 1), ("b", 63), (".", 1), ("b", 63), (".", 1), ("b", 62), (".", 1)]), false, vec![]), (rle(&[("b", 63), (".", 1), ("b", 63), (".", 1), ("b", 63), (".", 1), ("b", 48)]), true, vec![rle(&[("b", 63), (".", 1), ("b", 63), (".", 1), ("b", 63), (".", 1), ("b", 48), (".", 1)]), rle(&[("b", 63), (".", 1), ("b", 63), (".", 1), ("b", 63), (".", 1), ("b", 48), (".s.example.", 1)])]), (rle(&[("b", 63), (".", 1), ("b", 63), (".", 1), ("b", 63), (".", 1), ("b", 51)]), true, vec![rle(&[("b", 63), (".", 1), ("b", 63), (".", 1), ("b", 63), (".", 1), ("b", 51), (".", 1)]), rle(&[("b", 63), (".", 1), ("b", 63), (".", 1), ("b", 63), (".", 1), ("b", 51), (".s.example.", 1)])]), (rle(&[("b", 63), (".", 1), ("b", 63), (".", 1), ("b", 63), (".", 1), ("b", 52)]), true, vec![rle(&[("b", 63), (".", 1), ("b", 63), (".", 1), ("b", 63), (".", 1), ("b", 52), (".", 1)])])],
        },
        Case {
            conf: "options ndots:2\nsearch s.example t.example\n".into(),
            hostname: "h",
            servers: &["127.0.0.1:53", "[::1]:53"],
            default_servers: true,
            search: &["s.example.", "t.example."],
            ndots: 2,
            timeout: 5,
            attempts: 2,
            flags: &[],
            lookup: &[],
            names: vec![("a".into(), true, vec!["a.s.example.".into(), "a.t.example.".into(), "a.".into()]), ("a.b".into(), true, vec!["a.b.s.example.".into(), "a.b.t.example.".into(), "a.b.".into()]), ("a.b.c".into(), true, vec!["a.b.c.".into(), "a.b.c.s.example.".into(), "a.b.c.t.example.".into()]), ("a.b.".into(), true, vec!["a.b.".into()])],
        },
        Case {
            conf: "search s1.example s2.example s3.example s4.example s5.example s6.example s7.example\n".into(),
            hostname: "h",
            servers: &["127.0.0.1:53", "[::1]:53"],
            default_servers: true,
            search: &["s1.example.", "s2.example.", "s3.example.", "s4.example.", "s5.example.", "s6.example.", "s7.example."],
            ndots: 1,
            timeout: 5,
            attempts: 2,
            flags: &[],
            lookup: &[],
            names: vec![("a".into(), true, vec!["a.s1.example.".into(), "a.s2.example.".into(), "a.s3.example.".into(), "a.s4.example.".into(), "a.s5.example.".into(), "a.s6.example.".into(), "a.s7.example.".into(), "a.".into()])],
        },
        Case {
            conf: concat!(
                "nameserver 10.0.0.1 # x\n",
                "#nameserver 10.0.0.2\n",
                " ;x\n",
                "nameserver 10.0.0.3;\n"
            )
            .into(),
            hostname: "h",
            servers: &["10.0.0.1:53"],
            default_servers: false,
            search: &[],
            ndots: 1,
            timeout: 5,
            attempts: 2,
            flags: &["unknown_opt"],
            lookup: &[],
            names: vec![],
        },
        Case {
            conf: "domain a.example b.example\n".into(),
            hostname: "h",
            servers: &["127.0.0.1:53", "[::1]:53"],
            default_servers: true,
            search: &["a.example."],
            ndots: 1,
            timeout: 5,
            attempts: 2,
            flags: &[],
            lookup: &[],
            names: vec![("x".into(), true, vec!["x.a.example.".into(), "x.".into()])],
        },
        Case {
            conf: "options timeout:1 attempts:1 single-request use-vc usevc no-reload trust-ad edns0\n".into(),
            hostname: "h",
            servers: &["127.0.0.1:53", "[::1]:53"],
            default_servers: true,
            search: &[],
            ndots: 1,
            timeout: 1,
            attempts: 1,
            flags: &["single_request", "use_tcp", "trust_ad", "no_reload"],
            lookup: &[],
            names: vec![],
        },
    ]
}

fn domain_cases() -> Vec<(String, bool)> {
    vec![
        ("".into(), false),
        (".".into(), true),
        ("..".into(), false),
        ("a".into(), true),
        ("a.".into(), true),
        ("a..".into(), false),
        (".a".into(), false),
        ("-a".into(), false),
        ("a-".into(), false),
        ("a-.b".into(), false),
        ("a.-b".into(), false),
        ("a_b".into(), true),
        ("_srv._tcp.example.com".into(), true),
        ("123".into(), false),
        ("1.2.3.4".into(), false),
        ("1.2.3.4.".into(), false),
        ("123a".into(), true),
        ("a.123".into(), true),
        (
            "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx".into(),
            true,
        ),
        (
            "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx".into(),
            false,
        ),
        (
            "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.".into(),
            true,
        ),
        (
            "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.".into(),
            false,
        ),
        (
            "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.com".into(),
            true,
        ),
        ("0-0".into(), true),
        ("-".into(), false),
        ("a--b".into(), true),
        ("é.com".into(), false),
        ("a b".into(), false),
        ("a*b".into(), false),
        ("A.B".into(), true),
        ("a.b.".into(), true),
        ("*.example.com".into(), false),
        ("xn--bcher-kva.example".into(), true),
        ("a\0b".into(), false),
        ("a.b-.c".into(), false),
        ("a.-".into(), false),
        ("1-".into(), false),
        ("1.-2".into(), false),
        ("_".into(), true),
        ("_.".into(), true),
        ("9".into(), false),
        ("9.".into(), false),
        ("a.b..".into(), false),
        ("a..b".into(), false),
        (
            rle(&[
                ("b", 63),
                (".", 1),
                ("b", 63),
                (".", 1),
                ("b", 63),
                (".", 1),
                ("b", 60),
            ]),
            true,
        ),
        (
            rle(&[
                ("b", 63),
                (".", 1),
                ("b", 63),
                (".", 1),
                ("b", 63),
                (".", 1),
                ("b", 59),
                (".", 1),
            ]),
            true,
        ),
        (
            rle(&[
                ("b", 63),
                (".", 1),
                ("b", 63),
                (".", 1),
                ("b", 63),
                (".", 1),
                ("b", 61),
            ]),
            true,
        ),
        (
            rle(&[
                ("b", 63),
                (".", 1),
                ("b", 63),
                (".", 1),
                ("b", 63),
                (".", 1),
                ("b", 60),
                (".", 1),
            ]),
            true,
        ),
        (
            rle(&[
                ("b", 63),
                (".", 1),
                ("b", 63),
                (".", 1),
                ("b", 63),
                (".", 1),
                ("b", 62),
            ]),
            false,
        ),
        (
            rle(&[
                ("b", 63),
                (".", 1),
                ("b", 63),
                (".", 1),
                ("b", 63),
                (".", 1),
                ("b", 61),
                (".", 1),
            ]),
            true,
        ),
        (
            rle(&[
                ("b", 63),
                (".", 1),
                ("b", 63),
                (".", 1),
                ("b", 63),
                (".", 1),
                ("b", 63),
            ]),
            false,
        ),
        (
            rle(&[
                ("b", 63),
                (".", 1),
                ("b", 63),
                (".", 1),
                ("b", 63),
                (".", 1),
                ("b", 62),
                (".", 1),
            ]),
            false,
        ),
    ]
}

fn hosts_cases() -> Vec<HostsCase> {
    vec![
        HostsCase {
            text: concat!(
                "127.0.0.1\tlocalhost\n",
                "::1\tlocalhost ip6-localhost ip6-loopback\n",
                "127.0.1.1\tmyhost.example.test\tmyhost\n",
                "# comment\n",
                "10.0.0.1 Foo.Example.TEST foo  # trailing comment\n",
                "10.0.0.2 foo.example.test\n",
                "fe80::1%eth0 linklocal.test\n",
                "::ffff:10.0.0.3 mapped.test\n",
                "010.0.0.4 bad-octal.test\n",
                "10.0.0.5\n",
                "not-an-ip name.test\n",
                "10.0.0.6#x comment.test\n",
                "10.0.0.7 trailing.dot.test. localhost.\n",
                "FE80::ABCD upper6.test\n",
                "10.0.0.8 bad_name! under_score.test\n",
                "10.0.0.9 foo\n",
                "1.2.3.4%eth0 zoned4.test\n",
                "  10.0.0.10   indented.test\n",
                "10.0.0.11 dup.test dup.test\n"
            )
            .into(),
            names: vec![
                (
                    "localhost".into(),
                    vec!["127.0.0.1".into(), "::1".into()],
                    Some("localhost".into()),
                ),
                (
                    "LOCALHOST".into(),
                    vec!["127.0.0.1".into(), "::1".into()],
                    Some("localhost".into()),
                ),
                (
                    "localhost.".into(),
                    vec!["10.0.0.7".into()],
                    Some("trailing.dot.test.".into()),
                ),
                (
                    "myhost".into(),
                    vec!["127.0.1.1".into()],
                    Some("myhost.example.test.".into()),
                ),
                ("myhost.".into(), vec![], None),
                (
                    "myhost.example.test".into(),
                    vec!["127.0.1.1".into()],
                    Some("myhost.example.test.".into()),
                ),
                (
                    "myhost.example.test.".into(),
                    vec!["127.0.1.1".into()],
                    Some("myhost.example.test.".into()),
                ),
                (
                    "MyHost.Example.Test".into(),
                    vec!["127.0.1.1".into()],
                    Some("myhost.example.test.".into()),
                ),
                (
                    "foo.example.test".into(),
                    vec!["10.0.0.1".into(), "10.0.0.2".into()],
                    Some("foo.example.test.".into()),
                ),
                (
                    "foo".into(),
                    vec!["10.0.0.1".into(), "10.0.0.9".into()],
                    Some("foo.example.test.".into()),
                ),
                (
                    "FOO".into(),
                    vec!["10.0.0.1".into(), "10.0.0.9".into()],
                    Some("foo.example.test.".into()),
                ),
                (
                    "ip6-localhost".into(),
                    vec!["::1".into()],
                    Some("localhost".into()),
                ),
                (
                    "linklocal.test".into(),
                    vec!["fe80::1%eth0".into()],
                    Some("linklocal.test.".into()),
                ),
                (
                    "mapped.test".into(),
                    vec!["::ffff:10.0.0.3".into()],
                    Some("mapped.test.".into()),
                ),
                ("bad-octal.test".into(), vec![], None),
                ("name.test".into(), vec![], None),
                ("comment.test".into(), vec![], None),
                (
                    "trailing.dot.test".into(),
                    vec!["10.0.0.7".into()],
                    Some("trailing.dot.test.".into()),
                ),
                (
                    "trailing.dot.test.".into(),
                    vec!["10.0.0.7".into()],
                    Some("trailing.dot.test.".into()),
                ),
                (
                    "upper6.test".into(),
                    vec!["fe80::abcd".into()],
                    Some("upper6.test.".into()),
                ),
                (
                    "bad_name!".into(),
                    vec!["10.0.0.8".into()],
                    Some("bad_name!".into()),
                ),
                (
                    "BAD_NAME!".into(),
                    vec!["10.0.0.8".into()],
                    Some("bad_name!".into()),
                ),
                (
                    "under_score.test".into(),
                    vec!["10.0.0.8".into()],
                    Some("bad_name!".into()),
                ),
                ("zoned4.test".into(), vec![], None),
                ("".into(), vec![], None),
                (".".into(), vec![], None),
                ("10.0.0.1".into(), vec![], None),
                (
                    "Foo.Example.TEST".into(),
                    vec!["10.0.0.1".into(), "10.0.0.2".into()],
                    Some("foo.example.test.".into()),
                ),
                (
                    "indented.test".into(),
                    vec!["10.0.0.10".into()],
                    Some("indented.test.".into()),
                ),
                (
                    "dup.test".into(),
                    vec!["10.0.0.11".into(), "10.0.0.11".into()],
                    Some("dup.test.".into()),
                ),
                ("example.test".into(), vec![], None),
            ],
            addrs: vec![
                ("127.0.0.1", vec!["localhost".into()]),
                (
                    "::1",
                    vec![
                        "localhost".into(),
                        "ip6-localhost".into(),
                        "ip6-loopback".into(),
                    ],
                ),
                (
                    "0:0::1",
                    vec![
                        "localhost".into(),
                        "ip6-localhost".into(),
                        "ip6-loopback".into(),
                    ],
                ),
                ("10.0.0.1", vec!["Foo.Example.TEST.".into(), "foo".into()]),
                ("fe80::1%eth0", vec!["linklocal.test.".into()]),
                ("fe80::1", vec![]),
                ("FE80::1%eth0", vec!["linklocal.test.".into()]),
                ("::ffff:10.0.0.3", vec!["mapped.test.".into()]),
                ("10.0.0.3", vec![]),
                ("FE80::ABCD", vec!["upper6.test.".into()]),
                (
                    "10.0.0.7",
                    vec!["trailing.dot.test.".into(), "localhost.".into()],
                ),
                ("bogus", vec![]),
                ("", vec![]),
                (
                    "10.0.0.8",
                    vec!["bad_name!".into(), "under_score.test.".into()],
                ),
                ("10.0.0.9", vec!["foo".into()]),
                (
                    "127.0.1.1",
                    vec!["myhost.example.test.".into(), "myhost".into()],
                ),
                ("10.0.0.11", vec!["dup.test.".into(), "dup.test.".into()]),
                ("1.2.3.4", vec![]),
            ],
        },
        HostsCase {
            text: "".into(),
            names: vec![("localhost".into(), vec![], None)],
            addrs: vec![("127.0.0.1", vec![])],
        },
        HostsCase {
            text: "10.0.0.1 crlf.test\r\n10.0.0.2\tcrlf.test\r\n10.0.0.3 crlf.test\r".into(),
            names: vec![(
                "crlf.test".into(),
                vec!["10.0.0.1".into(), "10.0.0.2".into(), "10.0.0.3".into()],
                Some("crlf.test.".into()),
            )],
            addrs: vec![("10.0.0.3", vec!["crlf.test.".into()])],
        },
        HostsCase {
            text: rle(&[
                ("10.0.0.1 a.test\n", 1),
                ("#", 70000),
                ("\n10.0.0.2 b.test\n", 1),
            ]),
            names: vec![
                (
                    "a.test".into(),
                    vec!["10.0.0.1".into()],
                    Some("a.test.".into()),
                ),
                ("b.test".into(), vec![], None),
            ],
            addrs: vec![("10.0.0.2", vec![])],
        },
        HostsCase {
            text: concat!(
                "10.0.0.1 a.test b.test\n",
                "10.0.0.2 c.test b.test\n",
                "10.0.0.3 B.TEST\n"
            )
            .into(),
            names: vec![
                (
                    "a.test".into(),
                    vec!["10.0.0.1".into()],
                    Some("a.test.".into()),
                ),
                (
                    "b.test".into(),
                    vec!["10.0.0.1".into(), "10.0.0.2".into(), "10.0.0.3".into()],
                    Some("a.test.".into()),
                ),
                (
                    "c.test".into(),
                    vec!["10.0.0.2".into()],
                    Some("c.test.".into()),
                ),
            ],
            addrs: vec![
                ("10.0.0.1", vec!["a.test.".into(), "b.test.".into()]),
                ("10.0.0.2", vec!["c.test.".into(), "b.test.".into()]),
                ("10.0.0.3", vec!["B.TEST.".into()]),
            ],
        },
        HostsCase {
            text: rle(&[("10.0.0.1 ", 1), ("y", 300), (".test\n", 1)]),
            names: vec![(
                rle(&[("y", 300), (".test", 1)]),
                vec!["10.0.0.1".into()],
                Some(rle(&[("y", 300), (".test.", 1)])),
            )],
            addrs: vec![("10.0.0.1", vec![rle(&[("y", 300), (".test.", 1)])])],
        },
    ]
}

fn nss_cases() -> Vec<NssCase> {
    vec![
        NssCase {
            text: None,
            err: None,
            sources: vec![],
            order: FilesDns,
        },
        NssCase {
            text: Some("".into()),
            err: None,
            sources: vec![],
            order: FilesDns,
        },
        NssCase {
            text: Some("passwd: files\n".into()),
            err: None,
            sources: vec![("passwd", "files".into(), &[])],
            order: FilesDns,
        },
        NssCase {
            text: Some("hosts: files dns\n".into()),
            err: None,
            sources: vec![("hosts", "files".into(), &[]), ("hosts", "dns".into(), &[])],
            order: FilesDns,
        },
        NssCase {
            text: Some("hosts: dns files\n".into()),
            err: None,
            sources: vec![("hosts", "dns".into(), &[]), ("hosts", "files".into(), &[])],
            order: DnsFiles,
        },
        NssCase {
            text: Some("hosts: files\n".into()),
            err: None,
            sources: vec![("hosts", "files".into(), &[])],
            order: Files,
        },
        NssCase {
            text: Some("hosts: dns\n".into()),
            err: None,
            sources: vec![("hosts", "dns".into(), &[])],
            order: Dns,
        },
        NssCase {
            text: Some("hosts:\n".into()),
            err: None,
            sources: vec![],
            order: FilesDns,
        },
        NssCase {
            text: Some("hosts: files mdns4_minimal [NOTFOUND=return] dns\n".into()),
            err: None,
            sources: vec![("hosts", "files".into(), &[]), ("hosts", "mdns4_minimal".into(), &[(false, "notfound", "return")]), ("hosts", "dns".into(), &[])],
            order: FilesDns,
        },
        NssCase {
            text: Some("hosts: files mdns4_minimal [NOTFOUND=return] resolve [!UNAVAIL=return] dns myhostname\n".into()),
            err: None,
            sources: vec![("hosts", "files".into(), &[]), ("hosts", "mdns4_minimal".into(), &[(false, "notfound", "return")]), ("hosts", "resolve".into(), &[(true, "unavail", "return")]), ("hosts", "dns".into(), &[]), ("hosts", "myhostname".into(), &[])],
            order: FilesDns,
        },
        NssCase {
            text: Some("hosts: files resolve\n".into()),
            err: None,
            sources: vec![("hosts", "files".into(), &[]), ("hosts", "resolve".into(), &[])],
            order: FilesDns,
        },
        NssCase {
            text: Some("hosts: resolve files\n".into()),
            err: None,
            sources: vec![("hosts", "resolve".into(), &[]), ("hosts", "files".into(), &[])],
            order: DnsFiles,
        },
        NssCase {
            text: Some("hosts: myhostname\n".into()),
            err: None,
            sources: vec![("hosts", "myhostname".into(), &[])],
            order: Dns,
        },
        NssCase {
            text: Some("hosts: resolve [!UNAVAIL=return] files myhostname dns\n".into()),
            err: None,
            sources: vec![("hosts", "resolve".into(), &[(true, "unavail", "return")]), ("hosts", "files".into(), &[]), ("hosts", "myhostname".into(), &[]), ("hosts", "dns".into(), &[])],
            order: FilesDns,
        },
        NssCase {
            text: Some("hosts: files [NOTFOUND=return] dns\n".into()),
            err: None,
            sources: vec![("hosts", "files".into(), &[(false, "notfound", "return")]), ("hosts", "dns".into(), &[])],
            order: FilesDns,
        },
        NssCase {
            text: Some("hosts: files dns [NOTFOUND=return\n".into()),
            err: Some("unclosed criterion bracket"),
            sources: vec![("hosts", "files".into(), &[])],
            order: FilesDns,
        },
        NssCase {
            text: Some("hosts: files [foo] dns\n".into()),
            err: Some("invalid criteria: foo"),
            sources: vec![],
            order: FilesDns,
        },
        NssCase {
            text: Some("hosts dns files\n".into()),
            err: Some("no colon on line"),
            sources: vec![],
            order: FilesDns,
        },
        NssCase {
            text: Some("hosts: dns\nhosts: files\n".into()),
            err: None,
            sources: vec![("hosts", "dns".into(), &[]), ("hosts", "files".into(), &[])],
            order: DnsFiles,
        },
        NssCase {
            text: Some("hosts:\tdns\tfiles\n".into()),
            err: None,
            sources: vec![("hosts", "dns\tfiles".into(), &[])],
            order: Dns,
        },
        NssCase {
            text: Some("hosts: dns files # comment\n".into()),
            err: None,
            sources: vec![("hosts", "dns".into(), &[]), ("hosts", "files".into(), &[])],
            order: DnsFiles,
        },
        NssCase {
            text: Some("# hosts: dns\nhosts: files\n".into()),
            err: None,
            sources: vec![("hosts", "files".into(), &[])],
            order: Files,
        },
        NssCase {
            text: Some("  hosts  :   dns   files  \n".into()),
            err: None,
            sources: vec![("hosts", "dns".into(), &[]), ("hosts", "files".into(), &[])],
            order: DnsFiles,
        },
        NssCase {
            text: Some("HOSTS: dns\n".into()),
            err: None,
            sources: vec![("HOSTS", "dns".into(), &[])],
            order: FilesDns,
        },
        NssCase {
            text: Some("hosts: DNS FILES\n".into()),
            err: None,
            sources: vec![("hosts", "DNS".into(), &[]), ("hosts", "FILES".into(), &[])],
            order: Dns,
        },
        NssCase {
            text: Some("hosts: files dns[NOTFOUND=return]\n".into()),
            err: None,
            sources: vec![("hosts", "files".into(), &[]), ("hosts", "dns[NOTFOUND=return]".into(), &[])],
            order: FilesDns,
        },
        NssCase {
            text: Some("hosts: [NOTFOUND=return] files\n".into()),
            err: None,
            sources: vec![("hosts", "[NOTFOUND=return]".into(), &[]), ("hosts", "files".into(), &[])],
            order: DnsFiles,
        },
        NssCase {
            text: Some("hosts: dns [NOTFOUND=return]files\n".into()),
            err: None,
            sources: vec![("hosts", "dns".into(), &[(false, "notfound", "return")]), ("hosts", "files".into(), &[])],
            order: DnsFiles,
        },
        NssCase {
            text: Some("hosts: files [a=b c=d] dns\n".into()),
            err: None,
            sources: vec![("hosts", "files".into(), &[(false, "a", "b"), (false, "c", "d")]), ("hosts", "dns".into(), &[])],
            order: FilesDns,
        },
        NssCase {
            text: Some("hosts: files [!SUCCESS=Return] dns\n".into()),
            err: None,
            sources: vec![("hosts", "files".into(), &[(true, "success", "return")]), ("hosts", "dns".into(), &[])],
            order: FilesDns,
        },
        NssCase {
            text: Some("hosts: files [ab] dns\n".into()),
            err: Some("invalid criteria: ab"),
            sources: vec![],
            order: FilesDns,
        },
        NssCase {
            text: Some("hosts: files [=] dns\n".into()),
            err: Some("invalid criteria: ="),
            sources: vec![],
            order: FilesDns,
        },
        NssCase {
            text: Some("hosts: files [abc] dns\n".into()),
            err: Some("invalid criteria: abc"),
            sources: vec![],
            order: FilesDns,
        },
        NssCase {
            text: Some("hosts: files [] dns\n".into()),
            err: None,
            sources: vec![("hosts", "files".into(), &[]), ("hosts", "dns".into(), &[])],
            order: FilesDns,
        },
        NssCase {
            text: Some("hosts: nis [NOTFOUND=return] files\n".into()),
            err: None,
            sources: vec![("hosts", "nis".into(), &[(false, "notfound", "return")]), ("hosts", "files".into(), &[])],
            order: DnsFiles,
        },
        NssCase {
            text: Some("hosts: files mdns4_minimal [NOTFOUND=return]\n".into()),
            err: None,
            sources: vec![("hosts", "files".into(), &[]), ("hosts", "mdns4_minimal".into(), &[(false, "notfound", "return")])],
            order: FilesDns,
        },
        NssCase {
            text: Some("hosts: mdns4_minimal files\n".into()),
            err: None,
            sources: vec![("hosts", "mdns4_minimal".into(), &[]), ("hosts", "files".into(), &[])],
            order: DnsFiles,
        },
        NssCase {
            text: Some(concat!(
                "passwd: compat\n",
                "hosts: files dns\n",
                "group: compat\n"
            )
            .into()),
            err: None,
            sources: vec![("group", "compat".into(), &[]), ("hosts", "files".into(), &[]), ("hosts", "dns".into(), &[]), ("passwd", "compat".into(), &[])],
            order: FilesDns,
        },
        NssCase {
            text: Some("hosts: files\r\n".into()),
            err: None,
            sources: vec![("hosts", "files".into(), &[])],
            order: Files,
        },
        NssCase {
            text: Some(concat!(
                "hosts: files\n",
                "\n",
                "bogus line\n"
            )
            .into()),
            err: Some("no colon on line"),
            sources: vec![("hosts", "files".into(), &[])],
            order: FilesDns,
        },
        NssCase {
            text: Some("hosts: dns ]files\n".into()),
            err: None,
            sources: vec![("hosts", "dns".into(), &[]), ("hosts", "]files".into(), &[])],
            order: Dns,
        },
        NssCase {
            text: Some(": files\n".into()),
            err: None,
            sources: vec![("", "files".into(), &[])],
            order: FilesDns,
        },
        NssCase {
            text: Some("hosts: files [NOTFOUND=return] [x=y] dns\n".into()),
            err: None,
            sources: vec![("hosts", "files".into(), &[(false, "notfound", "return")]), ("hosts", "[x=y]".into(), &[]), ("hosts", "dns".into(), &[])],
            order: FilesDns,
        },
        NssCase {
            text: Some("hosts: files [a=b\tc=d  !e=f] dns\n".into()),
            err: None,
            sources: vec![("hosts", "files".into(), &[(false, "a", "b\tc=d"), (true, "e", "f")]), ("hosts", "dns".into(), &[])],
            order: FilesDns,
        },
        NssCase {
            text: Some("hosts: files [ !x=y ] dns\n".into()),
            err: None,
            sources: vec![("hosts", "files".into(), &[(true, "x", "y")]), ("hosts", "dns".into(), &[])],
            order: FilesDns,
        },
        NssCase {
            text: Some("hosts: files [!a=] dns\n".into()),
            err: Some("invalid criteria: !a="),
            sources: vec![],
            order: FilesDns,
        },
        NssCase {
            text: Some("hosts: files\tmdns4\n".into()),
            err: None,
            sources: vec![("hosts", "files\tmdns4".into(), &[])],
            order: Dns,
        },
        NssCase {
            text: Some("hosts: mymachines\n".into()),
            err: None,
            sources: vec![("hosts", "mymachines".into(), &[])],
            order: Dns,
        },
        NssCase {
            text: Some("hosts: files mymachines\n".into()),
            err: None,
            sources: vec![("hosts", "files".into(), &[]), ("hosts", "mymachines".into(), &[])],
            order: FilesDns,
        },
        NssCase {
            text: Some("hosts: a:b\n".into()),
            err: None,
            sources: vec![("hosts", "a:b".into(), &[])],
            order: Dns,
        },
        NssCase {
            text: Some(rle(&[("hosts: files\n", 1), ("x", 70000), ("\nhosts: dns\n", 1)])),
            err: None,
            sources: vec![("hosts", "files".into(), &[])],
            order: Files,
        },
    ]
}
