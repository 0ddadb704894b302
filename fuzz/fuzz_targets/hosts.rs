//! /etc/hosts: `net::dns::hosts::Hosts::parse`, then `lookup_host`, `canonical_name`
//! and `lookup_addr` on the names and addresses of the input (`<name> 0xFF <hosts
//! text>`).
//!
//! Asserts (Go's `readHosts`, `lookupStaticHost`, `lookupStaticAddr`): no panic;
//! - every address returned is an IP literal in canonical text (an IPv6 address may
//!   carry a non-empty zone after `%`), and looking it up gives back the name;
//! - name lookups ignore ASCII case, and a trailing dot on a name that contains
//!   another dot; `canonical_name` exists exactly when addresses do, is lower case,
//!   rooted if it has a dot, and is itself in the table;
//! - every name on a line with a valid address finds that address, and the address
//!   finds the name (rooted if it has a dot, case kept);
//! - a comment line in front of the text changes nothing.
#![no_main]

use std::net::IpAddr;

use gomod_common::net::dns::hosts::Hosts;
use gomod_fuzz::text_fields;
use libfuzzer_sys::fuzz_target;

/// Go's `readLine` gives up on longer lines; the line model below does not.
const MAX_LINE: usize = 64 * 1024 - 1;
/// Bounds the work per input.
const MAX_WORDS: usize = 64;

fuzz_target!(|data: &[u8]| {
    let [name, text] = text_fields::<2>(data);
    let hosts = Hosts::parse(&text);
    assert_eq!(Hosts::parse(&format!("# x\n{text}")), hosts);

    check_name(&hosts, &name);
    let _ = hosts.lookup_addr(&name);
    if text.len() > MAX_LINE {
        return;
    }
    let mut words = 0;
    let body = text.strip_suffix('\n').unwrap_or(&text);
    for line in body.split('\n').filter(|_| !text.is_empty()) {
        let line = line.split('#').next().unwrap_or_default();
        let fields: Vec<&str> = line
            .split([' ', '\r', '\t', '\n'])
            .filter(|w| !w.is_empty())
            .collect();
        let Some((&addr, names)) = fields.split_first() else {
            continue;
        };
        words += fields.len();
        if words > MAX_WORDS {
            break;
        }
        for name in names {
            check_name(&hosts, name);
        }
        let found = hosts.lookup_addr(addr);
        let Some(canonical) = canonical_ip(addr) else {
            assert!(
                found.is_empty(),
                "{addr:?} is not an IP but finds {found:?}"
            );
            continue;
        };
        for name in names {
            assert!(
                found.contains(&abs(name)),
                "{addr:?} misses {name:?}: {found:?}"
            );
            let addrs = hosts.lookup_host(name);
            assert!(addrs.contains(&canonical), "{name:?} misses {canonical:?}");
        }
    }
});

/// Go's `absDomainName`.
fn abs(name: &str) -> String {
    if name.contains('.') && !name.ends_with('.') {
        format!("{name}.")
    } else {
        name.to_string()
    }
}

/// The canonical text of an IP literal as Go's `netip.ParseAddr` accepts it, for the
/// inputs where std agrees (std rejects leading zeros in IPv4, as Go does).
fn canonical_ip(text: &str) -> Option<String> {
    match text.split_once('%') {
        Some((_, "")) => None,
        Some((ip, zone)) => {
            let ip: std::net::Ipv6Addr = ip.parse().ok()?;
            Some(format!("{ip}%{zone}"))
        }
        None => Some(text.parse::<IpAddr>().ok()?.to_string()),
    }
}

fn check_name(hosts: &Hosts, name: &str) {
    let addrs = hosts.lookup_host(name);
    assert_eq!(hosts.lookup_host(&name.to_ascii_uppercase()), addrs);
    assert_eq!(hosts.lookup_host(&name.to_ascii_lowercase()), addrs);
    if name.contains('.') && !name.ends_with('.') {
        assert_eq!(hosts.lookup_host(&format!("{name}.")), addrs, "{name:?}.");
    }
    for addr in &addrs {
        assert_eq!(
            canonical_ip(addr).as_deref(),
            Some(addr.as_str()),
            "{name:?} gives {addr:?}, not a canonical IP literal"
        );
        let back = hosts.lookup_addr(addr);
        let key = abs(&name.to_ascii_lowercase());
        assert!(
            back.iter().any(|n| abs(&n.to_ascii_lowercase()) == key),
            "{addr:?} (for {name:?}) gives {back:?}"
        );
    }
    let canonical = hosts.canonical_name(name);
    assert_eq!(canonical.is_some(), !addrs.is_empty());
    assert_eq!(hosts.canonical_name(&name.to_ascii_uppercase()), canonical);
    if let Some(canonical) = canonical {
        assert_eq!(canonical, canonical.to_ascii_lowercase());
        assert_eq!(canonical, abs(canonical));
        assert!(!hosts.lookup_host(canonical).is_empty(), "{canonical:?}");
    }
}
