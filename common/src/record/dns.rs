//! The `dns` record: how one host resolves with one resolver.

use serde::Serialize;

use super::{Documented, RecordBody, untrusted};

/// Body of the `dns` record.
#[derive(Clone, Debug, Default, Serialize)]
pub struct DnsBody {
    /// The host name asked for.
    pub host: String,
    /// The port of the endpoint that named the host, when the input gave one (so that
    /// gomod-tlscheck connects to the right port); a host named at several ports has
    /// a record for each.
    pub port: Option<u16>,
    /// The scheme Go uses for that endpoint: `https`, unless the input said `http`.
    pub scheme: String,
    /// `system` (Go's own resolver on this machine's files) or the `--server` value.
    pub resolver: String,
    /// The address that answered (`ip:port`), or the hosts file that did.
    pub server: Option<String>,
    /// `udp`, `tcp`, `tls`, `https` or `hosts`.
    pub transport: Option<String>,
    /// Every address, in the order Go returns them.
    pub addrs: Vec<String>,
    /// The IPv4 addresses.
    pub a: Vec<String>,
    /// The IPv6 addresses.
    pub aaaa: Vec<String>,
    /// The CNAME chain from the name asked to the canonical name.
    pub cname: Vec<String>,
    /// The smallest TTL of the answers, in seconds.
    pub ttl: Option<u32>,
    /// The response code of the deciding answer (`NOERROR`, `NXDOMAIN`, `SERVFAIL`...).
    pub rcode: Option<String>,
    /// The HTTP proxy Go would send requests for this host through (redacted): that
    /// proxy resolves the name, not this machine.
    pub via_proxy: Option<String>,
    /// On the record of a proxy's own host: the host whose requests go through it.
    pub proxy_for: Option<String>,
    /// Whether the answer came from the hosts file.
    pub from_hosts: bool,
    /// The names Go tries, in order (search list and ndots applied).
    pub candidates: Vec<String>,
    /// Every query sent, in order.
    pub queries: Vec<QueryInfo>,
    /// The system resolver's configuration as Go reads it (null for other resolvers).
    pub config: Option<SystemConfig>,
}

impl Documented for DnsBody {
    const FIELDS: &'static [(&'static str, &'static str)] = &[
        ("host", "the host name asked for"),
        (
            "port",
            "the port of the endpoint that named the host, when the input gave one (a host named at several ports or schemes has a record for each): gomod-tlscheck connects there",
        ),
        (
            "scheme",
            "the scheme Go uses for that endpoint: https, unless the input said http",
        ),
        (
            "resolver",
            "\"system\" (Go's own resolver with this machine's resolv.conf, hosts and nsswitch files) or the --server value",
        ),
        (
            "server",
            "the address that answered (ip:port), or the hosts file that did; null when nothing answered",
        ),
        ("transport", "udp, tcp, tls, https, or hosts"),
        ("addrs", "every address, in the order Go returns them"),
        ("a", "the IPv4 addresses"),
        ("aaaa", "the IPv6 addresses"),
        (
            "cname",
            "the CNAME chain from the name asked to the canonical name",
        ),
        ("ttl", "the smallest TTL of the answers, in seconds"),
        (
            "rcode",
            "the response code of the deciding answer: NOERROR, NXDOMAIN, SERVFAIL, REFUSED, ...",
        ),
        (
            "via_proxy",
            "the HTTP proxy Go sends requests for this host through (redacted), or null: when set, the proxy resolves the name and a local DNS failure does not matter to Go",
        ),
        (
            "proxy_for",
            "on the record of a proxy's own host (which Go does resolve locally): the host whose requests go through that proxy",
        ),
        ("from_hosts", "whether the answer came from the hosts file"),
        (
            "candidates",
            "the names Go tries, in order, after the search list and ndots",
        ),
        (
            "queries",
            "every query sent: {name, type, server, transport, rcode, answers, ms, error}",
        ),
        (
            "config",
            "for the system resolver: {resolv_conf, hosts, order, servers, search, ndots, timeout_ms, attempts, rotate, single_request, use_tcp, trust_ad, unknown_options}; null otherwise",
        ),
    ];
}

/// One query in `queries`.
#[derive(Clone, Debug, Serialize)]
pub struct QueryInfo {
    /// The name queried (a search-list candidate).
    pub name: String,
    /// `A` or `AAAA`.
    #[serde(rename = "type")]
    pub qtype: String,
    /// The server asked.
    pub server: String,
    /// `udp`, `tcp`, `tls` or `https`.
    pub transport: String,
    /// The response code, if a response came.
    pub rcode: Option<String>,
    /// The answer records, as `name TTL TYPE data`.
    pub answers: Vec<String>,
    /// Time until the response (or the failure).
    pub ms: u64,
    /// What went wrong, if anything.
    pub error: Option<String>,
}

/// The `config` field: the system resolver as Go configures it.
#[derive(Clone, Debug, Serialize)]
pub struct SystemConfig {
    /// The resolv.conf file read.
    pub resolv_conf: String,
    /// The hosts file read.
    pub hosts: String,
    /// Go's host lookup order: `files,dns`, `dns,files`, `files` or `dns`.
    pub order: String,
    /// The name servers used (at most three, port 53).
    pub servers: Vec<String>,
    /// The search list.
    pub search: Vec<String>,
    /// `options ndots`.
    pub ndots: u32,
    /// `options timeout`, per exchange.
    pub timeout_ms: u64,
    /// `options attempts`.
    pub attempts: u32,
    /// `options rotate`.
    pub rotate: bool,
    /// `options single-request`: A and AAAA one after the other.
    pub single_request: bool,
    /// `options use-vc`: TCP only.
    pub use_tcp: bool,
    /// `options trust-ad`.
    pub trust_ad: bool,
    /// Whether resolv.conf has lines or options Go does not understand.
    pub unknown_options: bool,
}

impl RecordBody for DnsBody {
    const TYPE: &'static str = "dns";
    /// `dns HOST with the system resolver (as Go resolves it): ADDRS (answered by
    /// SERVER over udp)`: which resolver was asked, what it answered and who answered.
    fn text(&self) -> String {
        let resolver = if self.resolver == "system" {
            "the system resolver (as Go resolves it)".to_string()
        } else {
            format!("resolver {}", untrusted(&self.resolver, 200))
        };
        let mut line = format!("dns {} with {resolver}", untrusted(&self.host, 300));
        if let Some(target) = &self.proxy_for {
            line.push_str(&format!(
                " (the HTTP proxy Go uses for {})",
                untrusted(target, 200)
            ));
        }
        if !self.addrs.is_empty() {
            line.push_str(&format!(": {}", untrusted(&self.addrs.join(" "), 600)));
            let mut how = Vec::new();
            if self.cname.len() > 1 {
                how.push(format!("CNAME {}", untrusted(&self.cname.join(" > "), 300)));
            }
            match (&self.server, self.from_hosts, &self.transport) {
                (Some(file), true, _) => how.push(format!("from {}", untrusted(file, 200))),
                (Some(server), false, Some(transport)) => how.push(format!(
                    "answered by {} over {transport}",
                    untrusted(server, 200)
                )),
                (Some(server), false, None) => {
                    how.push(format!("answered by {}", untrusted(server, 200)))
                }
                _ => {}
            }
            if !how.is_empty() {
                line.push_str(&format!(" ({})", how.join(", ")));
            }
        }
        if let Some(proxy) = &self.via_proxy {
            line.push_str(&format!(
                "; Go sends its requests for this host through the proxy {}, which resolves the name itself",
                untrusted(proxy, 200)
            ));
        }
        line
    }
}
