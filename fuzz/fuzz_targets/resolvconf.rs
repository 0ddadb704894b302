//! resolv.conf: `net::dns::conf::ResolvConf::parse` and `name_list`
//! (`<hostname> 0xFF <name> 0xFF <resolv.conf text>`).
//!
//! Asserts (Go's `dnsReadConfig` and `(*dnsConfig).nameList`): no panic;
//! - 1 to 3 servers, all on port 53, `server_strings` index for index (`addr:53`, or
//!   `[addr]:53` for IPv6 with the zone kept; IPv4-mapped IPv6 dialled as IPv4);
//! - every `nameserver` line with an argument ends up in `servers` or
//!   `skipped_servers`; no usable one gives the defaults 127.0.0.1:53 and [::1]:53;
//! - `ndots` ≤ 15, `timeout` ≥ 1 s, `attempts` ≥ 1; every search entry is rooted;
//! - a comment line in front of the text changes nothing;
//! - `name_list`: empty for a name `isDomainName` rejects; every candidate is at most
//!   254 bytes, rooted, never `.onion`, and the name itself plus a dot (rooted names:
//!   the name alone); the bare name comes first when it has ≥ `ndots` dots and last
//!   otherwise; ASCII case of the name changes only the case of the candidates.
#![no_main]

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use gomod_common::net::dns::conf::{ResolvConf, is_domain_name};
use gomod_fuzz::text_fields;
use libfuzzer_sys::fuzz_target;

/// Go's `readLine` gives up on longer lines; the line model below does not.
const MAX_LINE: usize = 64 * 1024 - 1;

fuzz_target!(|data: &[u8]| {
    let [hostname, name, text] = text_fields::<3>(data);
    let conf = ResolvConf::parse(&text, &hostname);

    assert!(conf.err.is_none());
    assert_eq!(conf.server_strings.len(), conf.servers.len());
    assert!((1..=3).contains(&conf.servers.len()), "{:?}", conf.servers);
    assert!(conf.servers.iter().all(|s| s.port() == 53));
    assert!(conf.ndots <= 15);
    assert!(conf.timeout >= Duration::from_secs(1));
    assert!(conf.attempts >= 1);
    for suffix in &conf.search {
        assert!(suffix.ends_with('.'), "search entry {suffix:?}");
    }
    if conf.default_servers {
        assert_eq!(
            conf.servers,
            [
                SocketAddr::from((Ipv4Addr::LOCALHOST, 53)),
                SocketAddr::from((Ipv6Addr::LOCALHOST, 53)),
            ]
        );
        assert_eq!(conf.server_strings, ["127.0.0.1:53", "[::1]:53"]);
    } else {
        for (addr, spelled) in conf.servers.iter().zip(&conf.server_strings) {
            check_server_string(addr, spelled);
        }
    }

    if text.len() <= MAX_LINE {
        let lines = nameserver_lines(&text);
        let used = if conf.default_servers {
            0
        } else {
            conf.servers.len()
        };
        assert_eq!(used + conf.skipped_servers.len(), lines, "nameserver lines");
        assert_eq!(conf.default_servers, used == 0);
    }
    assert_eq!(ResolvConf::parse(&format!("# x\n{text}"), &hostname), conf);

    check_name_list(&conf, &name);
    for suffix in conf.search.iter().take(2) {
        check_name_list(&conf, suffix.trim_end_matches('.'));
    }
});

/// `servers[i]` as Go prints it: `JoinHostPort(text as written, "53")`.
fn check_server_string(addr: &SocketAddr, spelled: &str) {
    let host = spelled
        .strip_suffix(":53")
        .unwrap_or_else(|| panic!("{spelled:?} without :53"));
    match host.strip_prefix('[') {
        Some(bracketed) => {
            let inner = bracketed.strip_suffix(']').expect("closing bracket");
            let (ip, zone) = inner.split_once('%').unwrap_or((inner, ""));
            let ip: Ipv6Addr = ip.parse().expect("bracketed IPv6");
            assert_eq!(addr.ip(), IpAddr::V6(ip).to_canonical(), "{spelled:?}");
            if let SocketAddr::V6(v6) = addr
                && zone.is_empty()
            {
                assert_eq!(v6.scope_id(), 0, "{spelled:?}");
            }
        }
        None => {
            let ip: Ipv4Addr = host.parse().expect("IPv4 without brackets");
            assert_eq!(addr.ip(), IpAddr::V4(ip));
        }
    }
}

/// The `nameserver` lines with an argument, as Go's `readLine`/`getFields` see them.
fn nameserver_lines(text: &str) -> usize {
    if text.is_empty() {
        return 0;
    }
    let body = text.strip_suffix('\n').unwrap_or(text);
    body.split('\n')
        .filter(|line| !line.starts_with([';', '#']))
        .filter(|line| {
            let mut words = line
                .split([' ', '\r', '\t', '\n'])
                .filter(|w| !w.is_empty());
            words.next() == Some("nameserver") && words.next().is_some()
        })
        .count()
}

fn is_onion(name: &str) -> bool {
    let body = name.strip_suffix('.').unwrap_or(name).as_bytes();
    body.len() >= 6 && body[body.len() - 6..].eq_ignore_ascii_case(b".onion")
}

fn check_name_list(conf: &ResolvConf, name: &str) {
    let list = conf.name_list(name);
    if !is_domain_name(name) {
        assert!(list.is_empty(), "{name:?} is not a domain name: {list:?}");
        return;
    }
    for fqdn in &list {
        assert!(fqdn.len() <= 254, "{fqdn:?} longer than 254 bytes");
        assert!(fqdn.ends_with('.'), "{fqdn:?} not rooted");
        assert!(!is_onion(fqdn), "{fqdn:?} is an onion name");
    }
    if name.ends_with('.') {
        let want: &[&str] = if is_onion(name) { &[] } else { &[name] };
        assert_eq!(list, want);
    } else {
        let rooted = format!("{name}.");
        assert!(
            list.iter().all(|fqdn| fqdn.starts_with(&rooted)),
            "{list:?}"
        );
        assert!(list.len() <= conf.search.len() + 1);
        let bare: Vec<usize> = (0..list.len()).filter(|&i| list[i] == rooted).collect();
        if is_onion(&rooted) {
            assert!(bare.is_empty());
        } else {
            assert_eq!(bare.len(), 1, "{rooted:?} in {list:?}");
            let dots = name.bytes().filter(|&b| b == b'.').count();
            let want = if dots >= conf.ndots as usize {
                0
            } else {
                list.len() - 1
            };
            assert_eq!(
                bare[0], want,
                "{rooted:?} in {list:?} (ndots {})",
                conf.ndots
            );
        }
    }
    let upper = conf.name_list(&name.to_ascii_uppercase());
    assert_eq!(upper.len(), list.len(), "{list:?} vs {upper:?}");
    for (a, b) in list.iter().zip(&upper) {
        assert!(a.eq_ignore_ascii_case(b), "{a:?} vs {b:?}");
    }
}
