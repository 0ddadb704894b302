//! Go's host lookup (`Resolver.LookupIPAddr` with `PreferGo`): `/etc/hosts` and DNS in
//! the configured order, the search list, A and AAAA queries, servers, attempts and
//! timeouts, and the error Go reports, as `goLookupIPCNAMEOrder` and `tryOneName` do it
//! in Go 1.27.

use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use super::client::{ExchangeError, Transport, exchange};
use super::conf::{ResolvConf, is_domain_name};
use super::hosts::Hosts;
use super::nsswitch::HostLookupOrder;
use super::wire::{Answer, AnswerCursor, QType, Rejection, Reply, rcode_name};
use crate::record::Code;

/// Go's resolver with a given configuration.
pub struct GoResolver {
    pub conf: ResolvConf,
    pub hosts: Hosts,
    pub order: HostLookupOrder,
}

/// A successful lookup.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lookup {
    /// The addresses in the order Go collects them, before its RFC 6724 sort
    /// ([`super::addrselect::sort_by_rfc6724`] gives Go's final order): for DNS, the
    /// records of whichever of the A and AAAA replies arrived first (A with
    /// `single-request`), then the other's; for `/etc/hosts`, file order.
    pub addrs: Vec<IpAddr>,
    /// The canonical name Go reports (rooted): the owner of the first address record,
    /// or the target of a CNAME read before it. `None` for addresses from
    /// `/etc/hosts` and literals.
    pub cname: Option<String>,
    /// The addresses come from `/etc/hosts`.
    pub from_hosts: bool,
    /// The server whose reply gave the first address.
    pub server: Option<SocketAddr>,
    /// Every exchange made, in the order they ended (also when the addresses finally
    /// came from `/etc/hosts`).
    pub queries: Vec<QueryTrace>,
    /// The smallest TTL of the records used.
    pub min_ttl: Option<u32>,
}

impl Lookup {
    /// Puts `addrs` in the order Go returns them: RFC 6724 destination selection for
    /// DNS answers; the hosts file's own order for its addresses.
    pub fn sort_as_go(&mut self) {
        if !self.from_hosts {
            super::addrselect::sort_by_rfc6724(&mut self.addrs);
        }
    }

    fn from_addrs(addrs: Vec<IpAddr>, from_hosts: bool) -> Lookup {
        Lookup {
            addrs,
            cname: None,
            from_hosts,
            server: None,
            queries: Vec::new(),
            min_ttl: None,
        }
    }
}

/// One exchange with one server.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueryTrace {
    /// The rooted name asked for.
    pub name: String,
    /// `"A"` or `"AAAA"`.
    pub qtype: &'static str,
    pub server: SocketAddr,
    /// `udp`, `udp+tcp` (truncated, asked again over TCP), `tcp`, `tls` or `https`.
    pub transport: &'static str,
    /// The RCODE of the reply Go took (`NOERROR`, `NXDOMAIN`, ...).
    pub rcode: Option<String>,
    /// The answer records of that reply.
    pub answers: Vec<Answer>,
    pub elapsed: Duration,
    /// What Go made of the exchange when it did not use its addresses (`no such host`,
    /// `server misbehaving`, `read udp ...: i/o timeout`, ...).
    pub error: Option<String>,
}

/// Go's `*net.DNSError`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DnsError {
    pub kind: DnsErrorKind,
    /// The name as the caller gave it.
    pub name: String,
    /// The last server tried, as Go names it (`127.0.0.1:53`, or a DoH URL).
    pub server: Option<String>,
    pub is_not_found: bool,
    pub is_timeout: bool,
    pub is_temporary: bool,
    /// Every exchange made before the lookup failed, in the order they ended (not
    /// part of Go's error; what a diagnosis needs).
    pub queries: Box<[QueryTrace]>,
    /// The candidate name (rooted) whose failure is the one reported, when a server
    /// was asked: Go prefers the name as given over search-list names.
    pub queried: Option<Box<str>>,
}

/// What went wrong; the text is Go's `DNSError.Err`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DnsErrorKind {
    /// NXDOMAIN, a name that is not a domain name, or a miss with hosts-file-only
    /// lookups: `no such host`.
    NotFound,
    /// NOERROR without records of the asked type (NODATA, or only a CNAME):
    /// `no such host`.
    NoRecords,
    /// SERVFAIL (temporary), FORMERR, NOTIMP or another RCODE: `server misbehaving`.
    ServerMisbehaving { rcode: u16 },
    /// REFUSED: also `server misbehaving`.
    Refused,
    /// `lame referral`.
    LameReferral,
    /// `read udp 127.0.0.1:PORT->127.0.0.1:53: i/o timeout` and the like.
    Timeout(String),
    /// No server or no attempt configured. Go never gets here (it falls back to
    /// 127.0.0.1:53 and [::1]:53); the text is ours: `no DNS servers configured`.
    NoServers,
    /// A socket or transport failure: `dial tcp ...: connect: connection refused`,
    /// `EOF`, ...
    Network(String),
    /// `cannot unmarshal DNS message`, `invalid DNS response`,
    /// `cannot marshal DNS message`.
    Malformed(String),
}

impl DnsError {
    /// An error whose flags follow from its kind alone.
    fn new(kind: DnsErrorKind, name: &str, server: Option<String>) -> DnsError {
        DnsError {
            is_not_found: matches!(kind, DnsErrorKind::NotFound | DnsErrorKind::NoRecords),
            is_timeout: matches!(kind, DnsErrorKind::Timeout(_)),
            is_temporary: matches!(
                kind,
                DnsErrorKind::Timeout(_) | DnsErrorKind::ServerMisbehaving { rcode: 2 }
            ),
            kind,
            name: name.to_string(),
            server,
            queries: Box::default(),
            queried: None,
        }
    }

    fn not_found(name: &str) -> DnsError {
        DnsError::new(DnsErrorKind::NotFound, name, None)
    }

    /// Go's `newDNSError` for an exchange failure, with `tryOneName`'s rule that socket
    /// errors are temporary.
    fn from_exchange(e: ExchangeError, name: &str, server: String) -> DnsError {
        let text = e.to_string();
        let kind = match &e {
            _ if e.is_timeout() => DnsErrorKind::Timeout(text),
            ExchangeError::CannotMarshal
            | ExchangeError::CannotUnmarshal
            | ExchangeError::InvalidResponse => DnsErrorKind::Malformed(text),
            _ => DnsErrorKind::Network(text),
        };
        DnsError {
            is_temporary: matches!(e, ExchangeError::Op(_)) || e.is_timeout(),
            ..DnsError::new(kind, name, Some(server))
        }
    }

    fn from_rejection(rejection: Rejection, name: &str, server: String) -> DnsError {
        let kind = match rejection {
            Rejection::NameError => DnsErrorKind::NotFound,
            Rejection::NoData => DnsErrorKind::NoRecords,
            Rejection::LameReferral => DnsErrorKind::LameReferral,
            Rejection::ServerFailure => DnsErrorKind::ServerMisbehaving { rcode: 2 },
            Rejection::Misbehaving(5) => DnsErrorKind::Refused,
            Rejection::Misbehaving(rcode) => DnsErrorKind::ServerMisbehaving { rcode },
            Rejection::CannotUnmarshal => cannot_unmarshal(),
        };
        DnsError::new(kind, name, Some(server))
    }

    /// The taxonomy code for this failure.
    pub fn code(&self) -> Code {
        match &self.kind {
            DnsErrorKind::NotFound => Code::DnsNxdomain,
            DnsErrorKind::NoRecords => Code::DnsNoRecords,
            DnsErrorKind::ServerMisbehaving { rcode: 2 } => Code::DnsServfail,
            DnsErrorKind::ServerMisbehaving { .. } | DnsErrorKind::Refused => Code::DnsRefused,
            DnsErrorKind::LameReferral => Code::DnsLameReferral,
            DnsErrorKind::Timeout(_) => Code::DnsTimeout,
            DnsErrorKind::NoServers => Code::DnsNoServers,
            DnsErrorKind::Network(text)
                if [
                    "connection refused",
                    "network is unreachable",
                    "no route to host",
                ]
                .iter()
                .any(|phrase| text.contains(phrase)) =>
            {
                Code::DnsNoServers
            }
            DnsErrorKind::Network(_) => Code::DnsFailed,
            DnsErrorKind::Malformed(_) => Code::DnsMalformed,
        }
    }

    /// Go's `DNSError.Err`.
    pub fn err(&self) -> &str {
        match &self.kind {
            DnsErrorKind::NotFound | DnsErrorKind::NoRecords => "no such host",
            DnsErrorKind::ServerMisbehaving { .. } | DnsErrorKind::Refused => "server misbehaving",
            DnsErrorKind::LameReferral => "lame referral",
            DnsErrorKind::NoServers => "no DNS servers configured",
            DnsErrorKind::Timeout(text)
            | DnsErrorKind::Network(text)
            | DnsErrorKind::Malformed(text) => text,
        }
    }
}

fn cannot_unmarshal() -> DnsErrorKind {
    DnsErrorKind::Malformed(ExchangeError::CannotUnmarshal.to_string())
}

/// Go's `DNSError.Error`: `lookup NAME[ on SERVER]: ERR`.
impl fmt::Display for DnsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "lookup {}", self.name)?;
        if let Some(server) = &self.server {
            write!(f, " on {server}")?;
        }
        write!(f, ": {}", self.err())
    }
}

impl std::error::Error for DnsError {}

impl GoResolver {
    /// Looks `host` up as Go's `Resolver.LookupIPAddr` (pure Go) does: empty names and
    /// IP literals first, then `/etc/hosts` and DNS in `order`
    /// (`goLookupIPCNAMEOrder`).
    pub async fn lookup_ip(&self, host: &str) -> Result<Lookup, DnsError> {
        if let Some(early) = literal_or_empty(host) {
            return early;
        }
        let files_first = matches!(
            self.order,
            HostLookupOrder::FilesDns | HostLookupOrder::Files
        );
        if files_first {
            if let Some(found) = self.lookup_files(host) {
                return Ok(found);
            }
            if self.order == HostLookupOrder::Files {
                return Err(DnsError::not_found(host));
            }
        }
        if !is_domain_name(host) {
            return Err(DnsError::not_found(host));
        }
        let plan = Plan {
            servers: self
                .conf
                .servers
                .iter()
                .map(|&addr| {
                    if self.conf.use_tcp {
                        Transport::Tcp(addr)
                    } else {
                        Transport::Udp(addr)
                    }
                })
                .collect(),
            labels: self.conf.server_strings.clone(),
            attempts: self.conf.attempts,
            timeout: self.conf.timeout,
            rotate: self.conf.rotate,
            single_request: self.conf.single_request,
            trust_ad: self.conf.trust_ad,
        };
        let (found, err) = plan.lookup(host, &self.conf.name_list(host)).await;
        if found.addrs.is_empty()
            && self.order == HostLookupOrder::DnsFiles
            && let Some(from_hosts) = self.lookup_files(host)
        {
            return Ok(Lookup {
                queries: found.queries,
                ..from_hosts
            });
        }
        finish(found, err)
    }

    /// Go's `goLookupIPFiles` without the sort: the hosts-file addresses that parse.
    fn lookup_files(&self, host: &str) -> Option<Lookup> {
        let addrs: Vec<IpAddr> = self
            .hosts
            .lookup_host(host)
            .iter()
            .filter_map(|entry| {
                // Go's splitHostZone: the zone starts after the last '%'.
                let addr = match entry.rfind('%') {
                    Some(i) if i > 0 => &entry[..i],
                    _ => entry.as_str(),
                };
                addr.parse().ok()
            })
            .collect();
        (!addrs.is_empty()).then(|| Lookup::from_addrs(addrs, true))
    }
}

/// Asks one resolver for `host` the way Go asks each of its servers: the name as given
/// (rooted, no search list, no hosts file), A and AAAA in parallel, one attempt within
/// `timeout`; results and errors take Go's shape with that server named.
pub async fn query_resolver(
    transport: &Transport,
    host: &str,
    timeout: Duration,
) -> Result<Lookup, DnsError> {
    if let Some(early) = literal_or_empty(host) {
        return early;
    }
    let plan = Plan {
        servers: vec![transport.clone()],
        labels: Vec::new(),
        attempts: 1,
        timeout,
        rotate: false,
        single_request: false,
        trust_ad: false,
    };
    let rooted = if host.ends_with('.') {
        host.to_string()
    } else {
        format!("{host}.")
    };
    let (found, err) = plan.lookup(host, &[rooted]).await;
    finish(found, err)
}

/// Go's `LookupIPAddr` preamble: an empty name is not found, an IP literal (IPv6 may
/// carry a zone, which is dropped) is its own answer.
fn literal_or_empty(host: &str) -> Option<Result<Lookup, DnsError>> {
    if host.is_empty() {
        return Some(Err(DnsError::not_found(host)));
    }
    let ip = match host.split_once('%') {
        Some((addr, zone)) if !zone.is_empty() => {
            addr.parse::<std::net::Ipv6Addr>().ok().map(IpAddr::V6)
        }
        Some(_) => None,
        None => host.parse().ok(),
    }?;
    Some(Ok(Lookup::from_addrs(vec![ip], false)))
}

/// The end of `goLookupIPCNAMEOrder`: no addresses and an error is the error; no
/// addresses and no error (every candidate name was skipped) is an empty success.
fn finish(found: Lookup, err: Option<DnsError>) -> Result<Lookup, DnsError> {
    match err {
        Some(err) if found.addrs.is_empty() => Err(DnsError {
            queries: found.queries.into_boxed_slice(),
            ..err
        }),
        _ => Ok(found),
    }
}

/// Go's `dnsConfig.soffset`: with `rotate`, each `tryOneName` starts one server
/// further. Go keeps one counter per loaded configuration; this one is per process.
static SERVER_OFFSET: AtomicU32 = AtomicU32::new(0);

/// The query settings shared by [`GoResolver::lookup_ip`] and [`query_resolver`].
struct Plan {
    servers: Vec<Transport>,
    /// How Go names each server in errors: the address as written in resolv.conf
    /// (`[::FFFF:1.2.3.4]:53` stays so); empty to use the transport's own name.
    labels: Vec<String>,
    attempts: u32,
    timeout: Duration,
    rotate: bool,
    single_request: bool,
    trust_ad: bool,
}

/// A reply Go accepted for one name and type.
struct Accepted {
    reply: Reply,
    cursor: AnswerCursor,
    server: SocketAddr,
    server_name: String,
}

impl Plan {
    /// The DNS part of Go's `goLookupIPCNAMEOrder`: for each candidate name, A and AAAA
    /// (in parallel unless `single-request`), until one gives addresses. Returns what
    /// was found and Go's last error, named after `name`.
    async fn lookup(&self, name: &str, candidates: &[String]) -> (Lookup, Option<DnsError>) {
        let traces = Mutex::new(Vec::new());
        let mut found = Lookup::from_addrs(Vec::new(), false);
        let mut last_err: Option<DnsError> = None;
        let original = format!("{name}.");
        for fqdn in candidates {
            for result in self.ask_both(fqdn, &traces).await {
                let accepted = match result {
                    Err(e) => {
                        // Prefer the error for the name as given.
                        if last_err.is_none() || *fqdn == original {
                            last_err = Some(e);
                        }
                        continue;
                    }
                    Ok(accepted) => accepted,
                };
                let harvest = accepted.reply.harvest(accepted.cursor);
                if harvest.malformed {
                    last_err = Some(DnsError::new(
                        cannot_unmarshal(),
                        name,
                        Some(accepted.server_name),
                    ));
                }
                if found.server.is_none() && !harvest.addrs.is_empty() {
                    found.server = Some(accepted.server);
                }
                if found.cname.is_none() {
                    found.cname = harvest.canonical;
                }
                if let Some(ttl) = harvest.min_ttl {
                    found.min_ttl = Some(found.min_ttl.map_or(ttl, |t| t.min(ttl)));
                }
                found.addrs.extend(harvest.addrs);
            }
            if !found.addrs.is_empty() {
                break;
            }
        }
        if let Some(err) = &mut last_err {
            // Name the name as given, not the suffixed one (golang.org/issue/6324).
            err.queried = Some(std::mem::replace(&mut err.name, name.to_string()).into());
        }
        found.queries = traces.into_inner().unwrap_or_else(|e| e.into_inner());
        (found, last_err)
    }

    /// A then AAAA for `fqdn`; in parallel, results come in the order they arrive, as
    /// Go reads them from its channel.
    async fn ask_both(
        &self,
        fqdn: &str,
        traces: &Mutex<Vec<QueryTrace>>,
    ) -> Vec<Result<Accepted, DnsError>> {
        if self.single_request {
            let a = self.try_one_name(fqdn, QType::A, traces).await;
            let aaaa = self.try_one_name(fqdn, QType::Aaaa, traces).await;
            return vec![a, aaaa];
        }
        let arrivals = AtomicUsize::new(0);
        let ask = |qtype| {
            let arrivals = &arrivals;
            async move {
                let result = self.try_one_name(fqdn, qtype, traces).await;
                (arrivals.fetch_add(1, Ordering::SeqCst), result)
            }
        };
        let (a, aaaa) = tokio::join!(ask(QType::A), ask(QType::Aaaa));
        let mut both = [a, aaaa];
        both.sort_by_key(|(arrival, _)| *arrival);
        both.into_iter().map(|(_, result)| result).collect()
    }

    /// Go's `tryOneName`: `attempts` rounds over the servers (starting further along
    /// with `rotate`); NXDOMAIN and NODATA end the search, other failures move to the
    /// next server and the last one is reported.
    async fn try_one_name(
        &self,
        fqdn: &str,
        qtype: QType,
        traces: &Mutex<Vec<QueryTrace>>,
    ) -> Result<Accepted, DnsError> {
        let count = self.servers.len() as u32;
        let offset = if self.rotate {
            SERVER_OFFSET.fetch_add(1, Ordering::SeqCst)
        } else {
            0
        };
        let mut last_err = DnsError::new(DnsErrorKind::NoServers, fqdn, None);
        for _ in 0..self.attempts {
            for j in 0..count {
                let index = (offset.wrapping_add(j) % count) as usize;
                let server = &self.servers[index];
                let started = Instant::now();
                let exchanged = exchange(server, fqdn, qtype, self.trust_ad, self.timeout).await;
                let server_name = self
                    .labels
                    .get(index)
                    .cloned()
                    .unwrap_or_else(|| server.server());
                let (rcode, answers, verdict) = match exchanged.outcome {
                    Err(e) => (
                        None,
                        Vec::new(),
                        Err(DnsError::from_exchange(e, fqdn, server_name.clone())),
                    ),
                    Ok(reply) => {
                        let verdict = reply
                            .check()
                            .and_then(|()| reply.find_answer(qtype))
                            .map_err(|r| DnsError::from_rejection(r, fqdn, server_name.clone()));
                        (
                            Some(rcode_name(reply.rcode())),
                            reply.answers(),
                            verdict.map(|cursor| (reply, cursor)),
                        )
                    }
                };
                traces
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push(QueryTrace {
                        name: fqdn.to_string(),
                        qtype: qtype.as_str(),
                        server: server.addr(),
                        transport: exchanged.network,
                        rcode,
                        answers,
                        elapsed: started.elapsed(),
                        error: verdict.as_ref().err().map(|e| e.err().to_string()),
                    });
                match verdict {
                    Ok((reply, cursor)) => {
                        return Ok(Accepted {
                            reply,
                            cursor,
                            server: server.addr(),
                            server_name,
                        });
                    }
                    // The name does not exist: another server will not help.
                    Err(e) if e.is_not_found => return Err(e),
                    Err(e) => last_err = e,
                }
            }
        }
        Err(last_err)
    }
}
