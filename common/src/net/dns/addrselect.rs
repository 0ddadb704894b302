//! Go's minimal RFC 6724 destination address ordering (`net/addrselect.go`), applied
//! to every lookup result with two or more addresses.
//!
//! Go needs the source address the kernel would use for each destination. It finds it
//! by "connecting" a UDP socket to the destination (port 53) and reading the socket's
//! local address: `connect` on a UDP socket only picks a route and a source address,
//! no packet is sent. [`sort_by_rfc6724`] does the same; a destination without a route
//! has no source and sorts last (rule 1).

use std::cmp::Ordering;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, UdpSocket};

/// Sorts `addrs` as Go's `sortByRFC6724` does, asking the kernel for source addresses.
pub fn sort_by_rfc6724(addrs: &mut [IpAddr]) {
    if addrs.len() < 2 {
        return;
    }
    let sources: Vec<Option<IpAddr>> = addrs.iter().map(|&addr| source_addr(addr)).collect();
    sort_by_rfc6724_with_sources(addrs, &sources);
}

/// Go's `srcAddrs` for one destination: the local address of a UDP socket connected to
/// it, or `None` when there is no route.
pub fn source_addr(dst: IpAddr) -> Option<IpAddr> {
    // Go dials IPv4-mapped destinations as IPv4.
    let dst = dst.to_canonical();
    let any = match dst {
        IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
        IpAddr::V6(_) => IpAddr::V6(Ipv6Addr::UNSPECIFIED),
    };
    let socket = UdpSocket::bind(SocketAddr::new(any, 0)).ok()?;
    socket.connect(SocketAddr::new(dst, 53)).ok()?;
    Some(socket.local_addr().ok()?.ip())
}

/// Go's `sortByRFC6724withSrcs`: a stable sort of `addrs` given the source address of
/// each (`sources[i]` for `addrs[i]`).
///
/// # Panics
/// If the slices differ in length.
pub fn sort_by_rfc6724_with_sources(addrs: &mut [IpAddr], sources: &[Option<IpAddr>]) {
    assert_eq!(addrs.len(), sources.len(), "one source per address");
    let mut infos: Vec<Info> = addrs
        .iter()
        .zip(sources)
        .map(|(&addr, &src)| Info {
            addr,
            addr_attr: Attr::of(Some(addr)),
            src,
            src_attr: Attr::of(src),
        })
        .collect();
    infos.sort_by(compare);
    for (slot, info) in addrs.iter_mut().zip(infos) {
        *slot = info.addr;
    }
}

struct Info {
    addr: IpAddr,
    addr_attr: Attr,
    src: Option<IpAddr>,
    src_attr: Attr,
}

#[derive(Clone, Copy, Default, PartialEq, Eq)]
struct Attr {
    scope: u8,
    precedence: u8,
    label: u8,
}

impl Attr {
    /// Go's `ipAttrOf`; no address has the zero attributes.
    fn of(ip: Option<IpAddr>) -> Attr {
        let Some(ip) = ip else {
            return Attr::default();
        };
        let (precedence, label) = classify(ip);
        Attr {
            scope: scope(ip),
            precedence,
            label,
        }
    }
}

/// RFC 6724 section 6, rules 1, 2, 5, 6, 8 and 9 (IPv6 only), as Go applies them.
fn compare(a: &Info, b: &Info) -> Ordering {
    const PREFER_A: Ordering = Ordering::Less;
    const PREFER_B: Ordering = Ordering::Greater;
    // Rule 1: avoid unusable destinations.
    match (a.src, b.src) {
        (None, None) => return Ordering::Equal,
        (_, None) => return PREFER_A,
        (None, _) => return PREFER_B,
        _ => {}
    }
    // Rule 2: prefer matching scope.
    let a_scope_matches = a.addr_attr.scope == a.src_attr.scope;
    let b_scope_matches = b.addr_attr.scope == b.src_attr.scope;
    if a_scope_matches != b_scope_matches {
        return if a_scope_matches { PREFER_A } else { PREFER_B };
    }
    // Rules 3 (deprecated addresses), 4 (home addresses) and 7 (native transport) are
    // not implemented by Go either.
    // Rule 5: prefer matching label.
    let a_label_matches = a.src_attr.label == a.addr_attr.label;
    let b_label_matches = b.src_attr.label == b.addr_attr.label;
    if a_label_matches != b_label_matches {
        return if a_label_matches { PREFER_A } else { PREFER_B };
    }
    // Rule 6: prefer higher precedence.
    match a.addr_attr.precedence.cmp(&b.addr_attr.precedence) {
        Ordering::Greater => return PREFER_A,
        Ordering::Less => return PREFER_B,
        Ordering::Equal => {}
    }
    // Rule 8: prefer smaller scope.
    match a.addr_attr.scope.cmp(&b.addr_attr.scope) {
        Ordering::Less => return PREFER_A,
        Ordering::Greater => return PREFER_B,
        Ordering::Equal => {}
    }
    // Rule 9: longest matching prefix, only between IPv6 destinations (Go issues
    // 13283 and 18518).
    if let (IpAddr::V6(da), IpAddr::V6(db)) = (a.addr.to_canonical(), b.addr.to_canonical()) {
        let common_a = common_prefix_len(a.src, da);
        let common_b = common_prefix_len(b.src, db);
        match common_a.cmp(&common_b) {
            Ordering::Greater => return PREFER_A,
            Ordering::Less => return PREFER_B,
            Ordering::Equal => {}
        }
    }
    // Rule 10: leave the order unchanged (the sort is stable).
    Ordering::Equal
}

/// Go's `commonPrefixLen` for an IPv6 destination: the common leading bits of the
/// 64-bit prefixes, 0 if the source is not IPv6.
fn common_prefix_len(src: Option<IpAddr>, dst: Ipv6Addr) -> u32 {
    let Some(IpAddr::V6(src)) = src.map(|s| s.to_canonical()) else {
        return 0;
    };
    let prefix = |ip: Ipv6Addr| (ip.to_bits() >> 64) as u64;
    (prefix(src) ^ prefix(dst)).leading_zeros()
}

/// The RFC 6724 section 2.1 policy table: (prefix, length, precedence, label), longest
/// prefixes first.
const POLICY: [(u128, u32, u8, u8); 9] = [
    (1, 128, 50, 0),            // ::1/128
    (0xffff << 32, 96, 35, 4),  // ::ffff:0:0/96 (IPv4)
    (0, 96, 1, 3),              // ::/96
    (0x2001 << 112, 32, 5, 5),  // 2001::/32 (Teredo)
    (0x2002 << 112, 16, 30, 2), // 2002::/16 (6to4)
    (0x3ffe << 112, 16, 1, 12), // 3ffe::/16
    (0xfec0 << 112, 10, 1, 11), // fec0::/10
    (0xfc00 << 112, 7, 3, 13),  // fc00::/7
    (0, 0, 40, 1),              // ::/0
];

/// Go's `policyTable.Classify`: (precedence, label), IPv4 as IPv4-mapped IPv6.
fn classify(ip: IpAddr) -> (u8, u8) {
    let bits = match ip {
        IpAddr::V4(v4) => v4.to_ipv6_mapped().to_bits(),
        IpAddr::V6(v6) => v6.to_bits(),
    };
    POLICY
        .iter()
        .find(|(prefix, len, _, _)| *len == 0 || bits >> (128 - len) == prefix >> (128 - len))
        .map_or((0, 0), |&(_, _, precedence, label)| (precedence, label))
}

/// Go's `classifyScope` (RFC 6724 section 3.1).
fn scope(ip: IpAddr) -> u8 {
    const LINK_LOCAL: u8 = 0x2;
    const SITE_LOCAL: u8 = 0x5;
    const GLOBAL: u8 = 0xe;
    match ip.to_canonical() {
        IpAddr::V4(v4) if v4.is_loopback() || v4.is_link_local() => LINK_LOCAL,
        IpAddr::V4(_) => GLOBAL,
        IpAddr::V6(v6) => {
            let octets = v6.octets();
            if v6.is_loopback() || v6.is_unicast_link_local() {
                LINK_LOCAL
            } else if v6.is_multicast() {
                octets[1] & 0xf
            } else if octets[0] == 0xfe && octets[1] & 0xc0 == 0xc0 {
                SITE_LOCAL
            } else {
                GLOBAL
            }
        }
    }
}
