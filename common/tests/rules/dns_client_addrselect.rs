//! Go's RFC 6724 ordering, with given source addresses (RFC 6724 section 10.2 examples
//! and Go's issue 13283) and with the kernel's.

use std::net::IpAddr;

use gomod_common::net::dns::addrselect::{
    sort_by_rfc6724, sort_by_rfc6724_with_sources, source_addr,
};

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

/// Sorts `(destination, source)` pairs (forwards and, if `reverse`, backwards) and
/// checks the destinations come out as `want`.
fn check(pairs: &[(&str, Option<&str>)], want: &[&str], reverse: bool) {
    let mut orders = vec![pairs.to_vec()];
    if reverse {
        orders.push(pairs.iter().rev().copied().collect());
    }
    for order in orders {
        let mut addrs: Vec<IpAddr> = order.iter().map(|(d, _)| ip(d)).collect();
        let sources: Vec<Option<IpAddr>> = order.iter().map(|(_, s)| s.map(ip)).collect();
        sort_by_rfc6724_with_sources(&mut addrs, &sources);
        assert_eq!(
            addrs,
            want.iter().map(|w| ip(w)).collect::<Vec<_>>(),
            "{order:?}"
        );
    }
}

#[test]
fn rfc_6724_examples() {
    // Prefer matching scope.
    check(
        &[
            ("2001:db8:1::1", Some("2001:db8:1::2")),
            ("198.51.100.121", Some("169.254.13.78")),
        ],
        &["2001:db8:1::1", "198.51.100.121"],
        true,
    );
    check(
        &[
            ("2001:db8:1::1", Some("fe80::1")),
            ("198.51.100.121", Some("198.51.100.117")),
        ],
        &["198.51.100.121", "2001:db8:1::1"],
        true,
    );
    // Prefer higher precedence.
    check(
        &[
            ("2001:db8:1::1", Some("2001:db8:1::2")),
            ("10.1.2.3", Some("10.1.2.4")),
        ],
        &["2001:db8:1::1", "10.1.2.3"],
        true,
    );
    // Prefer smaller scope.
    check(
        &[
            ("2001:db8:1::1", Some("2001:db8:1::2")),
            ("fe80::1", Some("fe80::2")),
        ],
        &["fe80::1", "2001:db8:1::1"],
        true,
    );
}

#[test]
fn no_longest_prefix_rule_for_ipv4() {
    let src = Some("10.2.3.4");
    let dsts = [
        "54.83.193.112",
        "184.72.238.214",
        "23.23.172.185",
        "75.101.148.21",
        "23.23.134.56",
    ];
    let pairs: Vec<_> = dsts.iter().map(|d| (*d, src)).collect();
    check(&pairs, &dsts, false);
}

#[test]
fn longest_matching_prefix_between_ipv6_destinations() {
    check(
        &[
            ("2001:db8:2::1", Some("2001:db8:1::9")),
            ("2001:db8:1::1", Some("2001:db8:1::9")),
        ],
        &["2001:db8:1::1", "2001:db8:2::1"],
        true,
    );
}

#[test]
fn unreachable_destinations_go_last() {
    check(
        &[("2001:db8::1", None), ("192.0.2.1", Some("10.0.0.2"))],
        &["192.0.2.1", "2001:db8::1"],
        true,
    );
    // Both unreachable: order kept.
    check(
        &[("2001:db8::1", None), ("192.0.2.1", None)],
        &["2001:db8::1", "192.0.2.1"],
        false,
    );
}

#[test]
fn kernel_source_addresses() {
    assert_eq!(source_addr(ip("127.0.0.1")), Some(ip("127.0.0.1")));
    assert_eq!(source_addr(ip("::ffff:127.0.0.1")), Some(ip("127.0.0.1")));
    let mut addrs = vec![ip("127.0.0.1")];
    sort_by_rfc6724(&mut addrs);
    assert_eq!(addrs, vec![ip("127.0.0.1")]);
    // ::1 (precedence 50) before 127.0.0.1 (35) when IPv6 loopback works.
    if source_addr(ip("::1")).is_some() {
        let mut addrs = vec![ip("127.0.0.1"), ip("::1")];
        sort_by_rfc6724(&mut addrs);
        assert_eq!(addrs, vec![ip("::1"), ip("127.0.0.1")]);
    }
}
