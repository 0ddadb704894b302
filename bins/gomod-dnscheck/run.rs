//! The gomod-dnscheck probe: each host once, through Go's own resolver on this
//! machine's files and through every `--server`, side by side; one `dns` record per
//! host per resolver, with the comparisons written as warnings.

use std::collections::HashSet;
use std::future::Future;
use std::net::IpAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::future::join_all;
use gomod_common::app::{self, Elapsed, Probe, ProbeFuture};
use gomod_common::goenv::GoConfig;
use gomod_common::gourl;
use gomod_common::input::InputItem;
use gomod_common::net::dns::client::{DohClient, Transport};
use gomod_common::net::dns::conf::{ResolvConf, system_hostname};
use gomod_common::net::dns::hosts::Hosts;
use gomod_common::net::dns::lookup::{
    DnsError, DnsErrorKind, GoResolver, Lookup, QueryTrace, query_resolver,
};
use gomod_common::net::dns::nsswitch::{HostLookupOrder, read_nsswitch};
use gomod_common::net::dns::wire::AnswerData;
use gomod_common::net::http::{HttpClient, HttpSettings};
use gomod_common::net::httpproxy::ProxyConfig;
use gomod_common::net::roots::LazyRoots;
use gomod_common::net::tls::{LazyVerifier, client_config};
use gomod_common::record::dns::{DnsBody, QueryInfo, SystemConfig};
use gomod_common::record::{Code, ErrorInfo, Record, Warning, redact_url};

use crate::cli::Cli;
use crate::compare::{self, AddrClass};
use crate::servers::{self, ServerSpec};
use crate::targets::{self, HostTarget};

const TOOL: &str = "gomod-dnscheck";

/// How long one query to a `--server` may take: Go's default `options timeout`.
const SERVER_QUERY_TIMEOUT: Duration = Duration::from_secs(5);

/// Runs the tool.
pub fn main(cli: Cli) -> ExitCode {
    if let Some(what) = cli.common.generate {
        return app::generate::<Cli>(what);
    }
    let cfg = Arc::new(GoConfig::from_process());
    let mut clients = LazyClients {
        cfg: &cfg,
        roots: Arc::new(LazyRoots::system(cfg.environment())),
        connect_timeout: cli.common.connect_timeout,
        tls: None,
        doh: None,
    };
    let mut servers: Vec<ServerSpec> = Vec::new();
    for value in &cli.servers {
        if servers.iter().any(|s| s.label == *value) {
            continue;
        }
        match servers::parse(value, &mut clients) {
            Ok(spec) => servers.push(spec),
            Err(message) => {
                return app::fatal(
                    TOOL,
                    &format!("--server {value}: {message}"),
                    Some(
                        "write IP[:PORT], tcp://IP[:PORT], tls://IP[:PORT][#NAME] or https://HOST/PATH, e.g. --server tls://9.9.9.9#dns.quad9.net",
                    ),
                );
            }
        }
    }
    let system = if cli.no_system {
        None
    } else {
        match SystemView::load(&cli) {
            Ok(view) => Some(view),
            Err(message) => {
                return app::fatal(
                    TOOL,
                    &message,
                    Some("give a readable file, or leave the option out to use the system's"),
                );
            }
        }
    };
    let inputs = match app::open_inputs(TOOL, &cli.targets, &cli.common.files, false) {
        Ok(inputs) => inputs,
        Err(status) => return status,
    };
    let inputs = inputs.when_empty(
        "give host names (gomod-dnscheck proxy.golang.org), or records on standard input (gomod-resolve golang.org/x/net | gomod-dnscheck)",
    );
    if inputs.is_empty() {
        return app::nothing_to_probe(TOOL, &inputs);
    }
    let env = cfg.environment();
    let probe = Arc::new(DnsCheck {
        system,
        servers,
        proxies: ProxyConfig::from_env(|k| env.raw(k).map(str::to_string)),
        seen: Mutex::new(HashSet::new()),
        timeout: cli.common.timeout,
    });
    app::run(TOOL, &cli.common, app::Threads::One, inputs, probe)
}

/// Builds the TLS configuration and the HTTP client on first use (most runs need
/// neither); both trust one pool, loaded at the first certificate either verifies.
struct LazyClients<'a> {
    cfg: &'a GoConfig,
    roots: Arc<LazyRoots>,
    connect_timeout: Duration,
    tls: Option<Arc<rustls::ClientConfig>>,
    doh: Option<Arc<dyn DohClient>>,
}

impl servers::Clients for LazyClients<'_> {
    fn tls_config(&mut self) -> Arc<rustls::ClientConfig> {
        let roots = &self.roots;
        Arc::clone(self.tls.get_or_insert_with(|| {
            client_config(Arc::new(LazyVerifier::new(Arc::clone(roots))), &[])
        }))
    }

    fn doh_client(&mut self) -> Arc<dyn DohClient> {
        let (cfg, connect_timeout, roots) = (self.cfg, self.connect_timeout, &self.roots);
        Arc::clone(self.doh.get_or_insert_with(|| {
            let settings = HttpSettings {
                roots: Arc::clone(roots),
                ..HttpSettings::from_config(cfg, connect_timeout)
            };
            Arc::new(HttpClient::new(settings))
        }))
    }
}

/// Go's resolver as configured by this machine's (or the given) files.
struct SystemView {
    resolver: GoResolver,
    config: SystemConfig,
    hosts_path: String,
    /// Problems with the configuration, repeated on every system record.
    warnings: Vec<Warning>,
}

impl SystemView {
    fn load(cli: &Cli) -> Result<SystemView, String> {
        let resolv_path = chosen(&cli.resolv_conf, "/etc/resolv.conf")?;
        let hosts_path = chosen(&cli.hosts, "/etc/hosts")?;
        let nss_path = chosen(&cli.nsswitch, "/etc/nsswitch.conf")?;
        let conf = ResolvConf::read(&resolv_path, &system_hostname());
        let hosts = Hosts::read(&hosts_path);
        let order = read_nsswitch(&nss_path).host_lookup_order();
        let resolv_display = resolv_path.display().to_string();
        let mut warnings = Vec::new();
        if let Some(err) = &conf.err {
            warnings.push(Warning::new(
                Code::DnsConfig,
                format!("{err}: Go then asks 127.0.0.1:53 and [::1]:53"),
                Some(format!(
                    "create {resolv_display} with a nameserver line, or run a resolver on 127.0.0.1:53"
                )),
            ));
        }
        for skipped in &conf.skipped_servers {
            warnings.push(Warning::new(
                Code::DnsConfig,
                format!(
                    "{resolv_display} names {} as a name server, which Go skips: only IP addresses without a port count, and only the first three",
                    gomod_common::goquote::quote(skipped)
                ),
                Some(format!(
                    "write the server's IP address in {resolv_display}, at most three nameserver lines"
                )),
            ));
        }
        let config = SystemConfig {
            resolv_conf: resolv_display,
            hosts: hosts_path.display().to_string(),
            order: order.to_string(),
            servers: conf.server_strings.clone(),
            search: conf.search.clone(),
            ndots: conf.ndots,
            timeout_ms: conf.timeout.as_millis() as u64,
            attempts: conf.attempts,
            rotate: conf.rotate,
            single_request: conf.single_request,
            use_tcp: conf.use_tcp,
            trust_ad: conf.trust_ad,
            unknown_options: conf.unknown_opt,
        };
        Ok(SystemView {
            resolver: GoResolver { conf, hosts, order },
            hosts_path: config.hosts.clone(),
            config,
            warnings,
        })
    }

    /// The longest Go waits for one name before it reports a timeout:
    /// `timeout × attempts × servers` for each name it tries.
    fn go_worst_case(&self, candidates: usize) -> Duration {
        let conf = &self.resolver.conf;
        let per_name = conf.timeout * conf.attempts * conf.servers.len() as u32;
        per_name * candidates.max(1) as u32
    }
}

/// The file an option names, which must be readable, or the system's default file,
/// which may be missing (Go then uses its defaults).
fn chosen(option: &Option<PathBuf>, default: &str) -> Result<PathBuf, String> {
    match option {
        None => Ok(PathBuf::from(default)),
        Some(path) => match gomod_common::regular::open(path) {
            Ok(_) => Ok(path.clone()),
            Err(err) => Err(err.to_string()),
        },
    }
}

/// The probe: resolves each host once with every resolver.
struct DnsCheck {
    system: Option<SystemView>,
    servers: Vec<ServerSpec>,
    proxies: ProxyConfig,
    /// Endpoints already probed (host, scheme, port), so each is resolved once per
    /// run; a host named at two ports is resolved for each, so that its records carry
    /// both ports down a pipe.
    seen: Mutex<HashSet<(String, String, Option<u16>)>>,
    timeout: Duration,
}

impl Probe for DnsCheck {
    fn probe(self: Arc<Self>, item: InputItem) -> ProbeFuture {
        let found = match &item {
            InputItem::Target { text, .. } => targets::from_text(text).map(|t| vec![t]),
            InputItem::Record { value, .. } => targets::from_record(value),
            InputItem::Ready(_) | InputItem::Invalid { .. } => Ok(Vec::new()),
        };
        let hosts = match found {
            Ok(hosts) => self.claim(hosts),
            Err(reason) => {
                let records = app::unusable_item_record(&item, &reason)
                    .into_iter()
                    .collect();
                return Box::pin(async move { records });
            }
        };
        // Hosts are claimed above, synchronously and in input order, so which record
        // probes a host shared by several does not depend on scheduling.
        Box::pin(async move {
            let checks = hosts.iter().map(|target| self.check_host(target));
            join_all(checks).await.into_iter().flatten().collect()
        })
    }
}

/// How Go sends requests for a host: through which proxy, if any.
struct ProxyUse {
    /// The proxy URL, redacted.
    shown: String,
    /// The proxy's own endpoint, which Go resolves and connects to itself.
    endpoint: HostTarget,
}

impl DnsCheck {
    /// Keeps the hosts not probed yet (in input order, which the caller guarantees)
    /// and adds, after each host that Go reaches through a proxy, the proxy's host.
    fn claim(&self, found: Vec<HostTarget>) -> Vec<(HostTarget, Option<ProxyUse>)> {
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        let mut claimed = Vec::new();
        for target in found {
            if !seen.insert(target.endpoint_key()) {
                continue;
            }
            let proxy = self.proxy_for(&target);
            let proxy_host = proxy.as_ref().map(|p| HostTarget {
                proxy_for: Some(target.host.clone()),
                ..p.endpoint.clone()
            });
            claimed.push((target, proxy));
            if let Some(proxy_host) = proxy_host
                && seen.insert(proxy_host.endpoint_key())
            {
                claimed.push((proxy_host, None));
            }
        }
        claimed
    }

    /// Go's `ProxyFromEnvironment` for the URL the input implies.
    fn proxy_for(&self, target: &HostTarget) -> Option<ProxyUse> {
        let host = if target.host.contains(':') {
            format!("[{}]", target.host)
        } else {
            target.host.clone()
        };
        let authority = match target.port {
            Some(port) => format!("{host}:{port}"),
            None => host,
        };
        let url = gourl::parse(&format!("{}://{authority}/", target.scheme)).ok()?;
        let choice = self.proxies.proxy_for_url(&url).ok()??;
        let proxy = &choice.url;
        let port = match proxy.port() {
            "" if proxy.scheme == "https" => 443,
            "" => 80,
            port => port.parse().ok()?,
        };
        Some(ProxyUse {
            shown: redact_url(&proxy.to_string()),
            endpoint: HostTarget {
                host: proxy.hostname().to_string(),
                scheme: proxy.scheme.clone(),
                port: Some(port),
                known_public: false,
                proxy_for: None,
            },
        })
    }

    /// All resolvers for one host, in parallel; records in resolver order.
    async fn check_host(&self, (target, proxy): &(HostTarget, Option<ProxyUse>)) -> Vec<Record> {
        let host = target.host.as_str();
        let system = self.system.as_ref().map(|view| async move {
            let elapsed = Elapsed::start();
            let result = bounded(self.timeout, view.resolver.lookup_ip(host)).await;
            Answer::new("system".to_string(), result, elapsed.get(), None)
        });
        let others = self.servers.iter().map(|spec| async move {
            let elapsed = Elapsed::start();
            let per_query = SERVER_QUERY_TIMEOUT.min(self.timeout);
            let result = bounded(
                self.timeout,
                query_resolver(&spec.transport, host, per_query),
            )
            .await;
            Answer::new(
                spec.label.clone(),
                result,
                elapsed.get(),
                Some(&spec.transport),
            )
        });
        let (system, others) = futures_util::join!(
            async {
                match system {
                    Some(f) => Some(f.await),
                    None => None,
                }
            },
            join_all(others)
        );
        let answers: Vec<Answer> = system.into_iter().chain(others).collect();
        let verdicts = judge(target, &answers);
        answers
            .into_iter()
            .zip(verdicts)
            .map(|(answer, warnings)| self.record(target, proxy.as_ref(), answer, warnings))
            .collect()
    }

    fn record(
        &self,
        target: &HostTarget,
        proxy: Option<&ProxyUse>,
        answer: Answer,
        judged: Vec<Warning>,
    ) -> Record {
        let view = self.system.as_ref().filter(|_| answer.system);
        let mut body = DnsBody {
            host: target.host.clone(),
            port: target.port,
            scheme: target.scheme.clone(),
            resolver: answer.label.clone(),
            via_proxy: proxy.map(|p| p.shown.clone()),
            proxy_for: target.proxy_for.clone(),
            config: view.map(|v| v.config.clone()),
            ..DnsBody::default()
        };
        body.candidates = candidates(&target.host, view, is_literal(&target.host));
        let mut warnings = view.map(|v| v.warnings.clone()).unwrap_or_default();
        let mut error = None;
        match &answer.result {
            Ok(found) => {
                body.addrs = shown_addrs(&target.host, found, view);
                body.a = only(&body.addrs, IpAddr::is_ipv4);
                body.aaaa = only(&body.addrs, IpAddr::is_ipv6);
                body.from_hosts = found.from_hosts;
                body.ttl = found.min_ttl;
                body.cname = cname_chain(&found.queries);
                body.queries = found.queries.iter().map(|q| answer.query_info(q)).collect();
                if found.from_hosts {
                    body.server = view.map(|v| v.hosts_path.clone());
                    body.transport = Some("hosts".to_string());
                } else if let Some(deciding) = deciding_query(found) {
                    body.server = Some(answer.server_of(deciding));
                    body.transport = Some(deciding.transport.to_string());
                    body.rcode = deciding.rcode.clone();
                }
            }
            Err(failure) => {
                let queries: &[QueryTrace] = match failure {
                    Failure::Dns(err) => &err.queries,
                    Failure::GaveUp => &[],
                };
                body.queries = queries.iter().map(|q| answer.query_info(q)).collect();
                if let Some(last) = failing_query(failure) {
                    body.server = Some(answer.server_of(last));
                    body.transport = Some(last.transport.to_string());
                    body.rcode = last.rcode.clone();
                }
                error = Some(self.error_info(target, &answer, failure, view));
            }
        }
        warnings.extend(judged);
        // Go never resolves a host it reaches through a proxy: a failure here is
        // worth knowing, but it is not why the go command fails.
        if let (Some(proxy), Some(err)) = (proxy, &error) {
            warnings.insert(
                0,
                Warning::new(
                    err.code,
                    format!(
                        "{} (this does not stop the go command: it sends requests for {} through the proxy {}, which resolves the name itself)",
                        err.message, target.host, proxy.shown
                    ),
                    err.hint.clone(),
                ),
            );
            error = None;
        }
        Record::new(&body, error, warnings, answer.elapsed)
    }

    fn error_info(
        &self,
        target: &HostTarget,
        answer: &Answer,
        failure: &Failure,
        view: Option<&SystemView>,
    ) -> ErrorInfo {
        let host = &target.host;
        let err = match failure {
            Failure::Dns(err) => err,
            Failure::GaveUp => {
                let go_wait = view
                    .map(|v| {
                        let n = v.resolver.conf.name_list(host).len();
                        format!(
                            " (Go itself gives up after {})",
                            humanize(v.go_worst_case(n))
                        )
                    })
                    .unwrap_or_default();
                return ErrorInfo::new(
                    Code::DnsTimeout,
                    format!(
                        "no result for {host} from {} within --timeout {}{go_wait}",
                        answer.label,
                        humanize(self.timeout)
                    ),
                )
                .hint("raise --timeout to wait as long as Go does");
            }
        };
        let server = err.server.clone().unwrap_or_else(|| answer.label.clone());
        let fix = match view {
            Some(v) => format!("the nameserver lines of {}", v.config.resolv_conf),
            None => format!("the --server value {}", answer.label),
        };
        let code = err.code();
        let transport = err.queries.last().map(|q| q.transport).unwrap_or("udp");
        if let Some((message, hint)) =
            unreachable_resolver(err, &server, transport, &fix, view.is_some())
        {
            let info = ErrorInfo::new(code, message).hint(hint);
            return if view.is_some() {
                info.go_error(err.to_string())
            } else {
                info.detail(err.to_string())
            };
        }
        let (message, hint) = match code {
            Code::DnsNxdomain if err.queries.is_empty() && view.is_some_and(|v| v.resolver.order == HostLookupOrder::Files) => (
                format!("{host} is not in {}, and nsswitch.conf's hosts line lets Go look nowhere else", view.map(|v| v.hosts_path.as_str()).unwrap_or_default()),
                format!("add dns to the hosts line of nsswitch.conf, or add {host} to the hosts file"),
            ),
            Code::DnsNxdomain if err.queries.is_empty() && !is_literal(host) => (
                format!("{} is not a valid host name, so Go does not ask any server", gomod_common::goquote::quote(host)),
                "check the name: letters, digits, '-' and '_' in dot-separated labels of at most 63 bytes".to_string(),
            ),
            Code::DnsNxdomain => (
                format!("{host} does not exist according to {server} (NXDOMAIN)"),
                "check the spelling; a name that exists only inside a company network needs that network's resolver (VPN or split DNS): compare with --server <its address>".to_string(),
            ),
            Code::DnsNoRecords => (
                format!("{host} exists but {server} has no A or AAAA record for it"),
                "the go command can only connect to a name with an address record: check the name's DNS records".to_string(),
            ),
            Code::DnsServfail => (
                format!("{server} could not resolve {host} (SERVFAIL)"),
                "the resolver could not get an answer from the name's own servers (unreachable, or a DNSSEC failure); try again, or compare with --server https://dns.google/dns-query".to_string(),
            ),
            Code::DnsRefused => (
                format!(
                    "{server} refused to resolve {host} ({})",
                    failing_query(failure).and_then(|q| q.rcode.clone()).unwrap_or_else(|| "REFUSED".to_string())
                ),
                format!("the resolver does not serve this machine or this query: fix {fix}"),
            ),
            Code::DnsLameReferral => (
                format!("{server} is not a recursive resolver: it gave no answer and offers no recursion for {host}"),
                format!("name a recursive resolver in {fix}"),
            ),
            Code::DnsTimeout => (
                format!("no answer for {host} from {}", servers_asked(&err.queries, &server)),
                format!("check that the resolver is reachable on UDP and TCP port 53 (a firewall may drop DNS), or fix {fix}"),
            ),
            Code::DnsNoServers if matches!(err.kind, DnsErrorKind::NoServers) => (
                format!("no name server to ask for {host}"),
                format!("fix {fix}"),
            ),
            Code::DnsNoServers => (
                format!("no DNS server answers at {server}"),
                format!("check that a resolver runs there, or fix {fix}"),
            ),
            Code::DnsMalformed => (
                format!("the answer from {server} for {host} could not be used"),
                "something between this machine and the resolver may be mangling DNS: compare with --server tls://1.1.1.1#cloudflare-dns.com".to_string(),
            ),
            _ => (
                format!("resolving {host} with {server} failed"),
                format!("see detail; compare with another --server, or fix {fix}"),
            ),
        };
        let info = ErrorInfo::new(code, message).hint(hint);
        // Only the system resolver is one the go command would ask; for the others
        // the text has Go's shape but Go would never print it.
        if view.is_some() {
            info.go_error(err.to_string())
        } else {
            info.detail(err.to_string())
        }
    }
}

/// Why a resolver could not be reached at all, in one sentence and a hint: nothing
/// listens (refused), no route, no answer in time, or a TLS or HTTP failure of a DoT or
/// DoH resolver (with Go's words for it). None when the resolver was reached.
fn unreachable_resolver(
    err: &DnsError,
    server: &str,
    transport: &str,
    fix: &str,
    system: bool,
) -> Option<(String, String)> {
    let text = match &err.kind {
        DnsErrorKind::Network(text) => text.as_str(),
        DnsErrorKind::Timeout(text) if matches!(transport, "tls" | "https") => text.as_str(),
        _ => return None,
    };
    let what = match transport {
        "tls" => "DNS-over-TLS resolver",
        "https" => "DNS-over-HTTPS resolver",
        "tcp" | "udp+tcp" => "resolver (TCP)",
        _ => "resolver",
    };
    // The Go-worded reason: what follows the last `Get "URL": ` or `dial tcp ...: `.
    let reason = text.rsplit_once("\": ").map_or(text, |(_, r)| r);
    let port_note = match transport {
        "tls" => "DNS over TLS uses port 853 unless the --server value names another",
        "https" => "DNS over HTTPS goes to the URL given, port 443 unless it names another",
        _ => "DNS uses port 53 unless the --server value names another",
    };
    let loopback = server
        .parse::<std::net::SocketAddr>()
        .is_ok_and(|a| a.ip().is_loopback());
    if text.contains("connection refused") {
        let hint = if system && loopback {
            format!(
                "nothing listens at {server}: start the local resolver (for example systemd-resolved), or fix {fix}"
            )
        } else {
            format!(
                "check the address and port ({port_note}); a firewall that rejects the connection looks the same; or fix {fix}"
            )
        };
        return Some((
            format!("the {what} {server} cannot be reached: connection refused ({reason})"),
            hint,
        ));
    }
    if text.contains("network is unreachable") || text.contains("no route to host") {
        let why = if text.contains("no route to host") {
            "no route to host"
        } else {
            "network is unreachable"
        };
        return Some((
            format!("the {what} {server} cannot be reached: {why} ({reason})"),
            format!(
                "this machine has no route to {server} (no network there, IPv6 without connectivity, or a VPN that is down); or fix {fix}"
            ),
        ));
    }
    if matches!(err.kind, DnsErrorKind::Timeout(_)) || text.contains("i/o timeout") {
        return Some((
            format!("the {what} {server} did not answer in time ({reason})"),
            format!("a firewall may drop the traffic ({port_note}); or fix {fix}"),
        ));
    }
    if let Some(at) = text.find("x509: ") {
        let x509 = &text[at..];
        let hint = if ["is valid for", "not valid for", "IP SANs", "Common Name"]
            .iter()
            .any(|t| x509.contains(t))
        {
            "the certificate is for another name: give the resolver's name after # (tls://1.1.1.1#cloudflare-dns.com) or in the https URL".to_string()
        } else if x509.contains("expired") {
            "the resolver's certificate is outside its validity period: check this machine's clock, or use another resolver".to_string()
        } else {
            "Go's trust store does not hold the CA of the resolver's certificate: add it to SSL_CERT_FILE, or check that nothing intercepts TLS on the way (gomod-tlscheck shows the chain)".to_string()
        };
        return Some((
            format!(
                "the TLS handshake with the {what} {server} failed: its certificate is refused ({x509})"
            ),
            hint,
        ));
    }
    if let Some(start) = ["remote error: tls: ", "local error: tls: ", "tls: "]
        .iter()
        .filter_map(|p| text.find(p))
        .min()
    {
        let tls = &text[start..];
        return Some((
            format!("the TLS handshake with the {what} {server} failed ({tls})"),
            format!(
                "the server there does not speak TLS as a resolver should ({port_note}); or fix {fix}"
            ),
        ));
    }
    if let Some(at) = text.find("DoH server answered") {
        return Some((
            format!(
                "the {what} {server} did not answer with DNS: {}",
                &text[at + "DoH server ".len()..]
            ),
            "check the URL: DoH servers usually answer at /dns-query".to_string(),
        ));
    }
    None
}

/// What one resolver made of one host.
struct Answer {
    /// `system` or the `--server` value.
    label: String,
    result: Result<Lookup, Failure>,
    elapsed: Duration,
    /// Whether this is Go's resolver on this machine's files.
    system: bool,
    /// How to name the server in the record when its socket address does not say
    /// it: the URL of a DNS-over-HTTPS resolver.
    server_name: Option<String>,
    /// Plain DNS (UDP or TCP), which the network can see and rewrite.
    plain: bool,
}

impl Answer {
    fn new(
        label: String,
        result: Result<Result<Lookup, DnsError>, ()>,
        elapsed: Duration,
        transport: Option<&Transport>,
    ) -> Answer {
        let result = match result {
            Ok(Ok(mut found)) => {
                found.sort_as_go();
                Ok(found)
            }
            Ok(Err(err)) => Err(Failure::Dns(err)),
            Err(()) => Err(Failure::GaveUp),
        };
        let server_name = match transport {
            Some(Transport::Https { url, .. }) => Some(url.clone()),
            _ => None,
        };
        Answer {
            label,
            result,
            elapsed,
            system: transport.is_none(),
            server_name,
            plain: matches!(
                transport,
                None | Some(Transport::Udp(_) | Transport::Tcp(_))
            ),
        }
    }

    fn addrs(&self) -> Option<&[IpAddr]> {
        self.result
            .as_ref()
            .ok()
            .map(|found| found.addrs.as_slice())
    }

    /// The server of one exchange, as the record names it.
    fn server_of(&self, query: &QueryTrace) -> String {
        self.server_name
            .clone()
            .unwrap_or_else(|| query.server.to_string())
    }
}

/// Why a resolver gave no addresses.
enum Failure {
    /// Go's error.
    Dns(DnsError),
    /// `--timeout` ran out first.
    GaveUp,
}

async fn bounded<T>(limit: Duration, future: impl Future<Output = T>) -> Result<T, ()> {
    tokio::time::timeout(limit, future).await.map_err(|_| ())
}

/// The names Go tries for `host`: the search list applied for the system resolver,
/// the name itself for the others, none for an IP address.
fn candidates(host: &str, view: Option<&SystemView>, literal: bool) -> Vec<String> {
    if literal {
        return Vec::new();
    }
    match view {
        Some(view) => view.resolver.conf.name_list(host),
        None if host.ends_with('.') => vec![host.to_string()],
        None => vec![format!("{host}.")],
    }
}

/// `host` is an IP address (IPv6 with an optional zone), which needs no lookup.
fn is_literal(host: &str) -> bool {
    let bare = host.split_once('%').map_or(host, |(addr, _)| addr);
    bare.parse::<IpAddr>().is_ok()
}

/// The addresses as Go prints them: IPv6 zones are kept, which the hosts file and
/// literals can carry (`fe80::1%eth0`).
fn shown_addrs(host: &str, found: &Lookup, view: Option<&SystemView>) -> Vec<String> {
    if found.from_hosts
        && let Some(view) = view
    {
        return view
            .resolver
            .hosts
            .lookup_host(host)
            .into_iter()
            .filter(|entry| without_zone(entry).parse::<IpAddr>().is_ok())
            .collect();
    }
    if let Some((addr, zone)) = host.split_once('%')
        && let Ok(ip) = addr.parse::<IpAddr>()
    {
        return vec![format!("{ip}%{zone}")];
    }
    found.addrs.iter().map(IpAddr::to_string).collect()
}

/// An address without its `%zone`.
fn without_zone(addr: &str) -> &str {
    addr.rsplit_once('%').map_or(addr, |(ip, _)| ip)
}

fn only(addrs: &[String], keep: fn(&IpAddr) -> bool) -> Vec<String> {
    addrs
        .iter()
        .filter(|a| without_zone(a).parse().is_ok_and(|ip| keep(&ip)))
        .cloned()
        .collect()
}

/// The exchange whose reply gave the addresses: the first with an address record.
fn deciding_query(found: &Lookup) -> Option<&QueryTrace> {
    found
        .queries
        .iter()
        .find(|q| {
            q.error.is_none()
                && q.answers
                    .iter()
                    .any(|a| matches!(a.data, AnswerData::A(_) | AnswerData::Aaaa(_)))
        })
        .or(found.queries.last())
}

/// The exchange whose failure Go reports: the last one for the candidate name the
/// error comes from.
fn failing_query(failure: &Failure) -> Option<&QueryTrace> {
    let Failure::Dns(err) = failure else {
        return None;
    };
    let queried = err.queried.as_deref()?;
    err.queries
        .iter()
        .rev()
        .find(|q| *q.name == *queried && q.error.is_some())
        .or_else(|| err.queries.iter().rev().find(|q| *q.name == *queried))
}

/// The CNAME chain of the reply that gave the addresses, from the name asked to the
/// canonical name; empty when there is no CNAME.
fn cname_chain(queries: &[QueryTrace]) -> Vec<String> {
    let Some(query) = queries.iter().find(|q| {
        q.error.is_none()
            && q.answers
                .iter()
                .any(|a| matches!(a.data, AnswerData::A(_) | AnswerData::Aaaa(_)))
    }) else {
        return Vec::new();
    };
    let mut chain = vec![query.name.clone()];
    // A reply can hold CNAME loops; a chain longer than the answers is one.
    for _ in 0..query.answers.len() {
        let current = chain.last().map(String::as_str).unwrap_or_default();
        let next = query.answers.iter().find_map(|a| match &a.data {
            AnswerData::Cname(target) if a.name.eq_ignore_ascii_case(current) => {
                Some(target.clone())
            }
            _ => None,
        });
        match next {
            Some(target) if !chain.iter().any(|n| n.eq_ignore_ascii_case(&target)) => {
                chain.push(target)
            }
            _ => break,
        }
    }
    if chain.len() < 2 { Vec::new() } else { chain }
}

impl Answer {
    fn query_info(&self, query: &QueryTrace) -> QueryInfo {
        QueryInfo {
            name: query.name.clone(),
            qtype: query.qtype.to_string(),
            server: self.server_of(query),
            transport: query.transport.to_string(),
            rcode: query.rcode.clone(),
            answers: query
                .answers
                .iter()
                .map(|a| {
                    let data = match &a.data {
                        AnswerData::A(ip) => format!("A {ip}"),
                        AnswerData::Aaaa(ip) => format!("AAAA {ip}"),
                        AnswerData::Cname(target) => format!("CNAME {target}"),
                        AnswerData::Other(kind) => format!("TYPE{kind}"),
                    };
                    format!("{} {} {data}", a.name, a.ttl)
                })
                .collect(),
            ms: query.elapsed.as_millis() as u64,
            error: query.error.clone(),
        }
    }
}

/// The distinct servers of `queries`, or `fallback` when there were none.
fn servers_asked(queries: &[QueryTrace], fallback: &str) -> String {
    let mut servers: Vec<String> = Vec::new();
    for query in queries {
        let name = query.server.to_string();
        if !servers.contains(&name) {
            servers.push(name);
        }
    }
    if servers.is_empty() {
        fallback.to_string()
    } else {
        servers.join(", ")
    }
}

/// `5s`, `1.5s`, `300ms`.
fn humanize(duration: Duration) -> String {
    let ms = duration.as_millis();
    if ms.is_multiple_of(1000) {
        format!("{}s", ms / 1000)
    } else if ms > 1000 {
        format!("{:.1}s", duration.as_secs_f64())
    } else {
        format!("{ms}ms")
    }
}

/// The comparison warnings for each answer, index for index: bogus addresses,
/// answers that differ from the first resolver's, and, on the system record, a
/// suspected hijack when it fails or lies where other resolvers answer well.
fn judge(target: &HostTarget, answers: &[Answer]) -> Vec<Vec<Warning>> {
    let mut judged = vec![Vec::new(); answers.len()];
    let host = &target.host;
    if is_literal(host) {
        return judged;
    }
    let answered: Vec<&[IpAddr]> = answers.iter().filter_map(Answer::addrs).collect();
    let public = compare::is_public(host, target.known_public, &answered);
    let bogus: Vec<Vec<(IpAddr, AddrClass)>> = answers
        .iter()
        .map(|a| {
            a.addrs()
                .map(|x| compare::bogus(x, public))
                .unwrap_or_default()
        })
        .collect();
    for (i, answer) in answers.iter().enumerate() {
        if !bogus[i].is_empty() {
            judged[i].push(bogus_warning(host, answer, &bogus[i], public));
        }
    }
    if let Some(first) = answers.first()
        && let Some(reference) = first.addrs()
    {
        for (i, answer) in answers.iter().enumerate().skip(1) {
            let Some(addrs) = answer.addrs() else {
                continue;
            };
            if let Some((only_first, only_here)) = compare::difference(reference, addrs) {
                judged[i].push(Warning::new(
                    Code::DnsAnswersDiffer,
                    format!(
                        "{} answers {} for {host}, {} answers {} (only {}: {}; only {}: {})",
                        answer.label,
                        compare::list(addrs),
                        first.label,
                        compare::list(reference),
                        answer.label,
                        compare::list(&only_here),
                        first.label,
                        compare::list(&only_first),
                    ),
                    Some("resolvers in different places often get different addresses from a CDN; the difference matters when one side is bogus or private, or when only one side works".to_string()),
                ));
            }
        }
    }
    if let Some(system) = answers.first().filter(|a| a.system) {
        let system_bad = system.addrs().is_none_or(<[IpAddr]>::is_empty) || !bogus[0].is_empty();
        let good: Vec<&Answer> = answers
            .iter()
            .enumerate()
            .skip(1)
            .filter(|(i, a)| a.addrs().is_some_and(|x| !x.is_empty()) && bogus[*i].is_empty())
            .map(|(_, a)| a)
            .collect();
        if system_bad && !good.is_empty() {
            judged[0].push(hijack_warning(host, system, &good, answers, &bogus));
        }
    }
    judged
}

fn bogus_warning(
    host: &str,
    answer: &Answer,
    bogus: &[(IpAddr, AddrClass)],
    public: bool,
) -> Warning {
    let listed = bogus
        .iter()
        .map(|(ip, class)| format!("{ip} ({})", class.describe()))
        .collect::<Vec<_>>()
        .join(", ");
    let whose = if public {
        format!("{host}, a public name")
    } else {
        host.to_string()
    };
    let from_hosts = answer.result.as_ref().is_ok_and(|found| found.from_hosts);
    let hint = if from_hosts {
        format!(
            "the hosts file maps {host} there: remove that line if the go command should reach the real {host}"
        )
    } else {
        format!(
            "ask whoever runs {} why {host} is blocked or redirected; compare with --server https://dns.google/dns-query",
            answer.label
        )
    };
    Warning::new(
        Code::DnsBogusAnswer,
        format!(
            "{} answers {listed} for {whose}: the go command cannot reach the real server there (a DNS filter, a sinkhole, or a hosts-file entry)",
            answer.label
        ),
        Some(hint),
    )
}

fn hijack_warning(
    host: &str,
    system: &Answer,
    good: &[&Answer],
    answers: &[Answer],
    bogus: &[Vec<(IpAddr, AddrClass)>],
) -> Warning {
    let what = if system.addrs().is_some_and(|a| !a.is_empty()) {
        "gives bogus answers for"
    } else {
        "fails for"
    };
    let witnesses = good
        .iter()
        .map(|a| {
            format!(
                "{} ({})",
                a.label,
                compare::list(a.addrs().unwrap_or_default())
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    let mut message = format!(
        "this machine's resolver {what} {host} while {witnesses} answered: DNS here is filtered, intercepted or broken"
    );
    let plain_also_bogus: Vec<&str> = answers
        .iter()
        .zip(bogus)
        .skip(1)
        .filter(|(a, b)| !b.is_empty() && a.plain)
        .map(|(a, _)| a.label.as_str())
        .collect();
    if !plain_also_bogus.is_empty() && good.iter().any(|a| !a.plain) {
        message.push_str(&format!(
            "; plain DNS to {} gave bogus answers too while encrypted DNS did not, so port 53 traffic is likely intercepted on the way",
            plain_also_bogus.join(", ")
        ));
    }
    Warning::new(
        Code::DnsHijackSuspected,
        message,
        Some(format!(
            "ask whoever runs this network's DNS why {host} is blocked or redirected; meanwhile the go command can reach it through a proxy that resolves names itself (HTTPS_PROXY), or use a GOPROXY reachable from here"
        )),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failed(kind: DnsErrorKind) -> DnsError {
        DnsError {
            kind,
            name: "x.example".to_string(),
            server: Some("192.0.2.53:853".to_string()),
            is_not_found: false,
            is_timeout: false,
            is_temporary: true,
            queries: Box::default(),
            queried: None,
        }
    }

    #[test]
    fn an_unreachable_resolver_is_named_with_the_cause() {
        let fix = "the --server value tls://192.0.2.53";
        let cases = [
            (
                DnsErrorKind::Network(
                    "dial tcp 192.0.2.53:853: connect: network is unreachable".to_string(),
                ),
                "tls",
                "network is unreachable",
                "no route",
            ),
            (
                DnsErrorKind::Network(
                    "dial tcp 192.0.2.53:853: connect: no route to host".to_string(),
                ),
                "tls",
                "no route to host",
                "VPN",
            ),
            (
                DnsErrorKind::Timeout("dial tcp 192.0.2.53:853: i/o timeout".to_string()),
                "tls",
                "did not answer in time",
                "853",
            ),
            (
                DnsErrorKind::Network(
                    "Get \"https://192.0.2.53/dns-query?dns=AA\": tls: failed to verify certificate: x509: certificate is valid for a.test, not 192.0.2.53".to_string(),
                ),
                "https",
                "x509: certificate is valid for a.test",
                "#",
            ),
            (
                DnsErrorKind::Network(
                    "Get \"https://192.0.2.53/dns-query?dns=AA\": remote error: tls: handshake failure".to_string(),
                ),
                "https",
                "remote error: tls: handshake failure",
                "TLS",
            ),
        ];
        for (kind, transport, cause, advice) in cases {
            let err = failed(kind);
            let (message, hint) =
                unreachable_resolver(&err, "192.0.2.53:853", transport, fix, false)
                    .expect("a cause");
            assert!(message.contains(cause), "{message}");
            assert!(hint.contains(advice), "{hint}");
            assert!(!hint.contains("systemd-resolved"), "{hint}");
        }
        // Only a local system resolver is one to start.
        let refused = failed(DnsErrorKind::Network(
            "read udp 127.0.0.1:5->127.0.0.53:53: read: connection refused".to_string(),
        ));
        let (_, hint) = unreachable_resolver(&refused, "127.0.0.53:53", "udp", fix, true).unwrap();
        assert!(hint.contains("systemd-resolved"), "{hint}");
        // A resolver that answered is not unreachable.
        assert!(
            unreachable_resolver(&failed(DnsErrorKind::NotFound), "x", "udp", fix, true).is_none()
        );
    }
}
