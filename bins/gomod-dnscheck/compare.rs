//! Judging answers: addresses that cannot be right for a public name, and what it
//! means when resolvers disagree.

use std::collections::BTreeSet;
use std::net::IpAddr;

use gomod_common::net::names::{is_local_use_name, is_well_known_public};

/// What kind of address an answer holds, as far as reaching a public service goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AddrClass {
    /// A globally routable address (or one this tool does not single out).
    Global,
    /// 0.0.0.0 or `::`: the classic DNS-sinkhole answer.
    Unspecified,
    /// 127.0.0.0/8 or `::1`.
    Loopback,
    /// 169.254.0.0/16 or fe80::/10.
    LinkLocal,
    /// 10/8, 172.16/12, 192.168/16 (RFC 1918) or fc00::/7 (unique local).
    Private,
    /// 100.64.0.0/10 (RFC 6598, carrier-grade NAT).
    Shared,
}

impl AddrClass {
    /// How the class reads in a sentence.
    pub fn describe(self) -> &'static str {
        match self {
            AddrClass::Global => "global",
            AddrClass::Unspecified => "unspecified",
            AddrClass::Loopback => "loopback",
            AddrClass::LinkLocal => "link-local",
            AddrClass::Private => "private-range",
            AddrClass::Shared => "carrier-grade NAT",
        }
    }
}

/// The class of `ip` (IPv4-mapped IPv6 addresses are judged as IPv4).
pub fn classify(ip: IpAddr) -> AddrClass {
    match ip.to_canonical() {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            if v4.is_unspecified() {
                AddrClass::Unspecified
            } else if v4.is_loopback() {
                AddrClass::Loopback
            } else if v4.is_link_local() {
                AddrClass::LinkLocal
            } else if v4.is_private() {
                AddrClass::Private
            } else if a == 100 && (64..128).contains(&b) {
                AddrClass::Shared
            } else {
                AddrClass::Global
            }
        }
        IpAddr::V6(v6) => {
            let first = v6.segments()[0];
            if v6.is_unspecified() {
                AddrClass::Unspecified
            } else if v6.is_loopback() {
                AddrClass::Loopback
            } else if first & 0xffc0 == 0xfe80 {
                AddrClass::LinkLocal
            } else if first & 0xfe00 == 0xfc00 {
                AddrClass::Private
            } else {
                AddrClass::Global
            }
        }
    }
}

/// Whether `name` is a public name, so that non-global answers for it are bogus: a
/// well-known public service, one the input marked public, or one some resolver
/// answered with a global address. Local-use names never are.
pub fn is_public(name: &str, marked_public: bool, answers: &[&[IpAddr]]) -> bool {
    if is_local_use_name(name) {
        return false;
    }
    marked_public
        || is_well_known_public(name)
        || answers
            .iter()
            .any(|addrs| addrs.iter().any(|&ip| classify(ip) == AddrClass::Global))
}

/// The answers that cannot be right: for a public name every non-global address, for
/// any name the unspecified address. Each with its class.
pub fn bogus(addrs: &[IpAddr], public: bool) -> Vec<(IpAddr, AddrClass)> {
    addrs
        .iter()
        .map(|&ip| (ip, classify(ip)))
        .filter(|&(_, class)| {
            class == AddrClass::Unspecified || (public && class != AddrClass::Global)
        })
        .collect()
}

/// How two answer sets differ: what only the first has, and what only the second has.
/// `None` when they hold the same addresses (order does not matter).
pub fn difference(first: &[IpAddr], second: &[IpAddr]) -> Option<(Vec<IpAddr>, Vec<IpAddr>)> {
    let a: BTreeSet<IpAddr> = first.iter().copied().collect();
    let b: BTreeSet<IpAddr> = second.iter().copied().collect();
    if a == b {
        return None;
    }
    Some((
        a.difference(&b).copied().collect(),
        b.difference(&a).copied().collect(),
    ))
}

/// Addresses as a comma-separated list.
pub fn list(addrs: &[IpAddr]) -> String {
    if addrs.is_empty() {
        return "nothing".to_string();
    }
    addrs
        .iter()
        .map(IpAddr::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn classes() {
        let cases = [
            ("0.0.0.0", AddrClass::Unspecified),
            ("::", AddrClass::Unspecified),
            ("127.0.0.53", AddrClass::Loopback),
            ("::1", AddrClass::Loopback),
            ("::ffff:127.0.0.1", AddrClass::Loopback),
            ("169.254.1.1", AddrClass::LinkLocal),
            ("fe80::1", AddrClass::LinkLocal),
            ("10.1.2.3", AddrClass::Private),
            ("172.16.0.1", AddrClass::Private),
            ("172.32.0.1", AddrClass::Global),
            ("192.168.1.1", AddrClass::Private),
            ("fd00::1", AddrClass::Private),
            ("100.64.0.1", AddrClass::Shared),
            ("100.128.0.1", AddrClass::Global),
            ("142.250.1.1", AddrClass::Global),
            ("2607:f8b0::1", AddrClass::Global),
        ];
        for (text, class) in cases {
            assert_eq!(classify(ip(text)), class, "{text}");
        }
    }

    #[test]
    fn public_names() {
        assert!(is_public("proxy.golang.org", false, &[]));
        assert!(is_public("Proxy.Golang.Org.", false, &[]));
        assert!(!is_public("notgolang.org", false, &[]));
        assert!(is_public("corp.example.com", true, &[]));
        let global = [ip("142.250.1.1")];
        let private = [ip("10.0.0.1")];
        assert!(is_public("corp.example.com", false, &[&private, &global]));
        assert!(!is_public("corp.example.com", false, &[&private]));
        assert!(!is_public("git.corp", false, &[&global]));
        assert!(!is_public("localhost", true, &[&global]));
        assert!(!is_public("intranet-host", false, &[&global]));
    }

    #[test]
    fn bogus_answers() {
        let addrs = [ip("0.0.0.0"), ip("10.0.0.1"), ip("142.250.1.1")];
        assert_eq!(
            bogus(&addrs, true),
            vec![
                (ip("0.0.0.0"), AddrClass::Unspecified),
                (ip("10.0.0.1"), AddrClass::Private)
            ]
        );
        assert_eq!(
            bogus(&addrs, false),
            vec![(ip("0.0.0.0"), AddrClass::Unspecified)]
        );
    }

    #[test]
    fn differences() {
        let a = [ip("192.0.2.1"), ip("192.0.2.2")];
        let b = [ip("192.0.2.2"), ip("192.0.2.1")];
        let c = [ip("192.0.2.2"), ip("192.0.2.3")];
        assert_eq!(difference(&a, &b), None);
        assert_eq!(
            difference(&a, &c),
            Some((vec![ip("192.0.2.1")], vec![ip("192.0.2.3")]))
        );
    }
}
