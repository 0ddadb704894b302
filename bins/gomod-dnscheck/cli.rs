//! Command-line interface of gomod-dnscheck.

use std::path::PathBuf;

use clap::Parser;
use gomod_common::app::CommonArgs;

/// Resolve every host the way the go command does, and against other resolvers.
///
/// For each host, one `dns` record from the system view — Go's own resolver reading
/// /etc/resolv.conf (name servers, search list, ndots, timeout, attempts, rotate,
/// single-request, use-vc, edns0, trust-ad), /etc/hosts and /etc/nsswitch.conf, the
/// candidate names tried in Go's order — and one from each `--server`. A and AAAA, the
/// CNAME chain, TTLs, the response code, which server answered, every query and its
/// time. When resolvers disagree it says how; bogus answers (0.0.0.0, loopback,
/// link-local, private addresses for public names) and a local resolver that fails or
/// lies where the others agree are flagged. When Go would reach the host through an
/// HTTP proxy, the record says so: the proxy resolves the name, so its own host is
/// checked too.
///
/// Other resolvers are asked the name as given (no search list, no hosts file), A and
/// AAAA in parallel, one attempt of up to 5 seconds; DNS over TLS and HTTPS use Go's
/// trust store, and DNS over HTTPS Go's proxy settings.
///
/// Errors: dns_nxdomain, dns_no_records, dns_servfail, dns_refused, dns_timeout,
/// dns_no_servers, dns_lame_referral, dns_malformed, dns_failed; for the system
/// resolver `go_error` is Go's own text (`lookup NAME on SERVER: REASON`, which the go
/// command prints after `dial tcp: `). Warnings: dns_bogus_answer, dns_answers_differ,
/// dns_hijack_suspected, dns_config. man gomod-tools has every field.
///
/// Targets: host names (or host:port, URLs, module paths) as arguments or lines, and
/// records on standard input: every `host`, `endpoints[]`, `sumdb`, `proxy.host`, the
/// host of `vcs.repo`, and the servers of a `fetch` record's `attempts`. Each record
/// keeps the scheme and port of the endpoint that named the host, so gomod-tlscheck
/// further down a pipe connects to that port; each host is resolved once per scheme
/// and port.
#[derive(Parser, Debug)]
#[command(name = "gomod-dnscheck", version, after_long_help = EXAMPLES)]
pub struct Cli {
    /// Host names to resolve (host, host:port, or a URL).
    #[arg(value_name = "HOST")]
    pub targets: Vec<String>,

    /// Also ask this resolver, side by side: IP[:PORT] (UDP, TCP after a truncated
    /// answer), tcp://IP[:PORT], tls://IP[:PORT][#NAME] (DNS over TLS), or
    /// https://HOST/PATH (DNS over HTTPS). May be repeated.
    #[arg(long = "server", value_name = "RESOLVER")]
    pub servers: Vec<String>,

    /// Read this resolv.conf instead of /etc/resolv.conf (to diagnose another
    /// machine's or a container's files). These three files must be regular files: a
    /// named pipe or a device is refused rather than waited on (gomod-tools(7), FILES).
    #[arg(
        long = "resolv-conf",
        value_name = "FILE",
        conflicts_with = "no_system"
    )]
    pub resolv_conf: Option<PathBuf>,

    /// Read this hosts file instead of /etc/hosts.
    #[arg(long = "hosts", value_name = "FILE", conflicts_with = "no_system")]
    pub hosts: Option<PathBuf>,

    /// Read this nsswitch.conf instead of /etc/nsswitch.conf (its `hosts:` line
    /// decides whether the hosts file comes before DNS, after it, or alone).
    #[arg(long = "nsswitch", value_name = "FILE", conflicts_with = "no_system")]
    pub nsswitch: Option<PathBuf>,

    /// Only the --server resolvers; no system view.
    #[arg(long = "no-system", requires = "servers")]
    pub no_system: bool,

    #[command(flatten)]
    pub common: CommonArgs,
}

const EXAMPLES: &str = "Examples:
  How this machine resolves the module mirror, as Go does it:
    gomod-dnscheck proxy.golang.org sum.golang.org

  Compare with public resolvers (plain DNS, DNS over TLS, DNS over HTTPS):
    gomod-dnscheck --server 1.1.1.1 --server tls://9.9.9.9#dns.quad9.net --server https://dns.google/dns-query proxy.golang.org

  Every host a go.mod needs, only the failures:
    gomod-resolve --offline -m go.mod | gomod-dnscheck --format text | grep '^FAIL'

  A container's view, from its files:
    gomod-dnscheck --resolv-conf ./rootfs/etc/resolv.conf --hosts ./rootfs/etc/hosts proxy.golang.org";
