//! Helpers shared by the integration tests.

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use gomod_common::net::dns::lookup::GoResolver;
use gomod_common::net::dns::{conf::ResolvConf, hosts::Hosts, nsswitch::HostLookupOrder};
use gomod_testsupport::dns::{DnsServer, Handler, RunningDns};

/// 127.0.0.1, port 0.
pub fn loopback() -> SocketAddr {
    (Ipv4Addr::LOCALHOST, 0).into()
}

pub fn start(handler: Handler) -> RunningDns {
    DnsServer::start(loopback(), handler)
}

/// Go's defaults (ndots 1, 2 attempts, no search list) with a short timeout.
pub fn conf(servers: &[SocketAddr], timeout: Duration) -> ResolvConf {
    ResolvConf {
        servers: servers.to_vec(),
        server_strings: servers.iter().map(SocketAddr::to_string).collect(),
        skipped_servers: Vec::new(),
        default_servers: false,
        err: None,
        search: Vec::new(),
        ndots: 1,
        timeout,
        attempts: 2,
        rotate: false,
        single_request: false,
        use_tcp: false,
        trust_ad: false,
        no_reload: false,
        unknown_opt: false,
        lookup: Vec::new(),
    }
}

/// A DNS-only resolver.
pub fn resolver(conf: ResolvConf) -> GoResolver {
    GoResolver {
        conf,
        hosts: Hosts::default(),
        order: HostLookupOrder::Dns,
    }
}
