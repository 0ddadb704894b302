//! The gomod-tlscheck probe: each endpoint once — TCP or the proxy's CONNECT, the TLS
//! handshake with a verifier that keeps the presented chain, then that chain verified
//! with Go's trust store and with the public roots — one `tls` record each.

use std::collections::HashSet;
use std::net::IpAddr;
use std::path::Path;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use futures_util::future::join_all;
use gomod_common::app::{self, Elapsed, Probe, ProbeFuture};
use gomod_common::godebug::{self, Godebug};
use gomod_common::goenv::{GoConfig, go_minor_version};
use gomod_common::gourl;
use gomod_common::input::InputItem;
use gomod_common::net::certinfo::{self, CertInfo};
use gomod_common::net::conn::{ConnTrace, Opener, Target};
use gomod_common::net::dial::{NetError, SystemResolver};
use gomod_common::net::hello::{self, GoHello};
use gomod_common::net::httpproxy::ProxyConfig;
use gomod_common::net::names::is_local_use_name;
use gomod_common::net::roots::GoRoots;
use gomod_common::net::tls::{self, CapturingVerifier, GoVerifier, go_client_config};
use gomod_common::record::env::GodebugInfo;
use gomod_common::record::tls::{HelloProbe, Interception, TlsBody, Trust, Verdict};
use gomod_common::record::{Code, ErrorInfo, Record, Warning};
use gomod_common::toolchain;
use rustls::pki_types::CertificateDer;
use tokio::time::{Instant, timeout_at};

use crate::cli::Cli;
use crate::products;
use crate::targets::{self, Endpoint, EndpointKey};

const TOOL: &str = "gomod-tlscheck";

/// A certificate expiring sooner than this is a warning.
const EXPIRY_WARNING: Duration = Duration::from_secs(14 * 24 * 3600);

/// Runs the tool.
pub fn main(cli: Cli) -> ExitCode {
    if let Some(what) = cli.common.generate {
        return app::generate::<Cli>(what);
    }
    let cfg = GoConfig::from_process();
    let env = cfg.environment();
    let go_minor = match &cli.go {
        None => cfg.install.as_ref().and_then(|i| i.minor),
        Some(flag) => match toolchain::local_go(&cfg, Some(flag)) {
            Ok(local) => go_minor_version(&local.toolchain),
            Err(message) => return app::fatal(TOOL, &message, None),
        },
    };
    let godebug = Godebug::new(go_minor, env.get("GODEBUG"));
    let go_roots = match &cli.ca_file {
        None => GoRoots::load_for(env, &godebug),
        Some(file) => {
            if let Err(err) = gomod_common::regular::read(file, gomod_common::regular::CERTIFICATES)
            {
                return app::fatal(
                    TOOL,
                    &err.to_string(),
                    Some("give a readable PEM file with --ca-file"),
                );
            }
            GoRoots::load_for(
                &env.with("SSL_CERT_FILE", &file.display().to_string()),
                &godebug,
            )
        }
    };
    let public_roots = match &cli.public_roots {
        None => GoRoots::mozilla(),
        Some(file) => match load_pem_roots(file) {
            Ok(roots) => roots,
            Err(message) => {
                return app::fatal(
                    TOOL,
                    &message,
                    Some("give a PEM file of CA certificates with --public-roots"),
                );
            }
        },
    };
    let inputs = match app::open_inputs(TOOL, &cli.targets, &cli.common.files, false) {
        Ok(inputs) => inputs,
        Err(status) => return status,
    };
    let inputs = inputs.when_empty(
        "give endpoints (gomod-tlscheck proxy.golang.org), or records on standard input (gomod-dnscheck proxy.golang.org | gomod-tlscheck)",
    );
    if inputs.is_empty() {
        return app::nothing_to_probe(TOOL, &inputs);
    }
    let go_source = describe_go_roots(&go_roots, cli.ca_file.as_deref());
    let public_source = match &cli.public_roots {
        None => "Mozilla's roots (built in)".to_string(),
        Some(file) => format!("--public-roots {}", file.display()),
    };
    // The public roots are judged with the same go's x509 rules.
    let public_roots = GoRoots {
        godebug: godebug.clone(),
        ..public_roots
    };
    let go_verifier = GoVerifier::new(&go_roots);
    let go_hello = GoHello::new(go_minor, env.get("GODEBUG"));
    let probe = Arc::new(TlsCheck {
        proxies: ProxyConfig::from_env(|k| env.raw(k).map(str::to_string)),
        resolver: SystemResolver::from_etc(),
        proxy_tls: go_client_config(
            Arc::new(GoVerifier::new(&go_roots)),
            &[b"http/1.1"],
            &go_hello,
        ),
        hello: go_hello,
        godebug,
        go: Store {
            verifier: go_verifier,
            count: go_roots.certificates.len(),
            source: go_source,
            refused: go_roots.refused.iter().map(|(c, _)| c.clone()).collect(),
            certificates: go_roots.certificates,
        },
        public: Store {
            verifier: GoVerifier::new(&public_roots),
            count: public_roots.certificates.len(),
            source: public_source,
            refused: Vec::new(),
            certificates: public_roots.certificates,
        },
        seen: Mutex::new(HashSet::new()),
        timeout: cli.common.timeout,
        connect_timeout: cli.common.connect_timeout,
    });
    app::run(TOOL, &cli.common, app::Threads::One, inputs, probe)
}

fn load_pem_roots(file: &Path) -> Result<GoRoots, String> {
    let roots = GoRoots::from_pem_files(&[file.to_path_buf()])?;
    if roots.certificates.is_empty() {
        return Err(format!("{}: no certificates in it", file.display()));
    }
    Ok(roots)
}

/// Where Go's roots came from, in one line: the files and directories that gave
/// certificates, or the ones that failed.
fn describe_go_roots(roots: &GoRoots, ca_file: Option<&Path>) -> String {
    let mut parts: Vec<String> = roots
        .sources
        .iter()
        .filter(|s| s.used && (s.certificates > 0 || s.error.is_some()))
        .map(|s| match &s.error {
            Some(err) => format!("{} ({err})", s.path.display()),
            None => format!("{} ({})", s.path.display(), s.certificates),
        })
        .collect();
    if parts.is_empty() {
        parts.push("nothing found where Go looks".to_string());
    }
    let mut text = parts.join(", ");
    if let Some(file) = ca_file {
        text = format!("--ca-file {} as SSL_CERT_FILE: {text}", file.display());
    } else if let Some(file) = &roots.cert_file_override {
        text = format!("SSL_CERT_FILE={file}: {text}");
    }
    text
}

/// A trust store and how to name it.
struct Store {
    verifier: GoVerifier,
    certificates: Vec<CertificateDer<'static>>,
    /// Certificates of the store go refuses to parse (a negative serial number).
    refused: Vec<CertificateDer<'static>>,
    count: usize,
    source: String,
}

impl Store {
    fn verdict(
        &self,
        chain: &[CertificateDer<'static>],
        host: &str,
        now: SystemTime,
    ) -> (Verdict, Option<NetError>) {
        match self.verifier.verify_presented(chain, host, now) {
            Ok(()) => (
                Verdict {
                    ok: true,
                    code: None,
                    error: None,
                    roots: self.count,
                    source: self.source.clone(),
                },
                None,
            ),
            Err(err) => (
                Verdict {
                    ok: false,
                    code: Some(err.code),
                    error: Some(err.go_text.clone()),
                    roots: self.count,
                    source: self.source.clone(),
                },
                Some(err),
            ),
        }
    }

    /// Whether a certificate with this subject (raw DER) is in the store.
    fn has_subject(&self, subject: &[u8]) -> bool {
        self.certificates
            .iter()
            .any(|c| certinfo::raw_names(c.as_ref()).is_some_and(|(own, _)| own == subject))
    }
}

/// The probe.
struct TlsCheck {
    proxies: ProxyConfig,
    resolver: SystemResolver,
    proxy_tls: Arc<rustls::ClientConfig>,
    /// What the go in use puts in its ClientHello.
    hello: GoHello,
    /// The GODEBUG in effect for the go checked.
    godebug: Godebug,
    go: Store,
    public: Store,
    /// Endpoints already probed.
    seen: Mutex<HashSet<EndpointKey>>,
    timeout: Duration,
    connect_timeout: Duration,
}

impl Probe for TlsCheck {
    fn probe(self: Arc<Self>, item: InputItem) -> ProbeFuture {
        let found = match &item {
            InputItem::Target { text, .. } => targets::from_text(text).map(|t| vec![t]),
            InputItem::Record { value, .. } => targets::from_record(value),
            InputItem::Ready(_) | InputItem::Invalid { .. } => Ok(Vec::new()),
        };
        let endpoints = match found {
            Ok(endpoints) => self.claim(endpoints),
            Err(reason) => {
                let records = app::unusable_item_record(&item, &reason)
                    .into_iter()
                    .collect();
                return Box::pin(async move { records });
            }
        };
        Box::pin(async move {
            let checks = endpoints.iter().map(|endpoint| self.check(endpoint));
            join_all(checks).await
        })
    }
}

impl TlsCheck {
    /// Keeps the endpoints not probed yet, in input order. Through a proxy the
    /// addresses of a `dns` record do not matter (the proxy connects by name), so
    /// they collapse into one probe.
    fn claim(&self, found: Vec<Endpoint>) -> Vec<Endpoint> {
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        found
            .into_iter()
            .map(|mut endpoint| {
                if endpoint.addr.is_some() && self.proxied(&endpoint) {
                    endpoint.addr = None;
                }
                endpoint
            })
            .filter(|endpoint| seen.insert(endpoint.key()))
            .collect()
    }

    fn proxied(&self, endpoint: &Endpoint) -> bool {
        let target = Target {
            scheme: &endpoint.scheme,
            host: &endpoint.host,
            port: endpoint.port,
            addr: None,
        };
        gourl::parse(&format!("{}://{}", endpoint.scheme, target.authority()))
            .ok()
            .and_then(|url| self.proxies.proxy_for_url(&url).ok().flatten())
            .is_some()
    }

    async fn check(&self, endpoint: &Endpoint) -> Record {
        let elapsed = Elapsed::start();
        let deadline = Instant::now() + self.timeout;
        let mut body = TlsBody {
            host: endpoint.host.clone(),
            port: endpoint.port,
            scheme: endpoint.scheme.clone(),
            url: endpoint.url.clone(),
            godebug: GodebugInfo::list(&self.godebug),
            ..TlsBody::default()
        };
        let mut warnings = Vec::new();
        let error = self
            .probe_endpoint(endpoint, deadline, &mut body, &mut warnings)
            .await
            .err();
        Record::new(&body, error, warnings, elapsed.get())
    }

    async fn probe_endpoint(
        &self,
        endpoint: &Endpoint,
        deadline: Instant,
        body: &mut TlsBody,
        warnings: &mut Vec<Warning>,
    ) -> Result<(), ErrorInfo> {
        let opener = Opener {
            proxy: &self.proxies,
            resolver: &self.resolver,
            proxy_tls: Arc::clone(&self.proxy_tls),
            connect_timeout: self.connect_timeout,
        };
        let target = Target {
            scheme: &endpoint.scheme,
            host: &endpoint.host,
            port: endpoint.port,
            addr: endpoint.addr,
        };
        let mut trace = ConnTrace::default();
        let opened = timeout_at(deadline, opener.open(target, &mut trace)).await;
        fill_trace(body, &trace, endpoint);
        let stream = match opened {
            Err(_) => return Err(self.gave_up(&trace, "connecting")),
            Ok(Err(err)) => return Err(connect_error(&err, &trace, endpoint)),
            Ok(Ok((stream, _))) => stream,
        };
        if endpoint.scheme != "https" {
            return Ok(());
        }
        let host = endpoint.host.as_str();
        body.sni = host.parse::<IpAddr>().is_err().then(|| host.to_string());
        let capture = Arc::new(CapturingVerifier::default());
        let config = go_client_config(Arc::clone(&capture) as _, &self.hello.alpn(), &self.hello);
        let started = std::time::Instant::now();
        let handshake = timeout_at(deadline, tls::handshake(stream, host, config)).await;
        body.tls_ms = Some(started.elapsed().as_millis() as u64);
        let handshake = match handshake {
            Err(_) => Err(
                NetError::new(Code::TlsTimeout, "net/http: TLS handshake timeout").with_detail(
                    format!(
                        "no end to the TLS handshake within --timeout {}",
                        humantime::format_duration(self.timeout)
                    ),
                ),
            ),
            Ok(result) => result.map_err(|err| with_addresses(err, &trace)),
        };
        let mut handshake = handshake;
        if let Ok((stream, _)) = &mut handshake
            && let Some(err) = post_handshake_alert(stream, started.elapsed(), deadline).await
        {
            handshake = Err(err);
        }
        if let Ok((stream, alpn)) = &handshake {
            let connection = stream.get_ref().1;
            body.tls_version = connection.protocol_version().map(|v| match v {
                rustls::ProtocolVersion::TLSv1_3 => "TLS 1.3".to_string(),
                rustls::ProtocolVersion::TLSv1_2 => "TLS 1.2".to_string(),
                other => format!("{other:?}"),
            });
            body.cipher = connection
                .negotiated_cipher_suite()
                .map(|suite| cipher_name(&format!("{:?}", suite.suite())));
            body.group = connection
                .negotiated_key_exchange_group()
                .map(|group| hello::group::name(u16::from(group.name())));
            body.alpn.clone_from(alpn);
        }
        // Go's exact hello, on a connection of its own; and when it gets no
        // ServerHello while the handshake failed, the classic one.
        let wait = self.timeout.min(tls::HANDSHAKE_TIMEOUT);
        body.hello = hello::probe::probe(&opener, target, &self.hello, wait)
            .await
            .ok();
        if let Err(err) = &handshake
            && body.hello.as_ref().is_some_and(|p| !accepted(p))
            && self.hello.post_quantum()
        {
            body.classic_hello = hello::probe::probe(&opener, target, &self.hello.classic(), wait)
                .await
                .ok();
            if let (Some(go), Some(classic)) = (&body.hello, &body.classic_hello)
                && accepted(classic)
            {
                return Err(hello_rejected(err, host, go, classic, &self.hello));
            }
        }
        let Some(chain) = capture.chain() else {
            return handshake
                .map(|_| ())
                .map_err(|err| tls_error(&err, None, self.hello.go_minor));
        };
        body.chain = chain
            .iter()
            .filter_map(|c| certinfo::describe(c.as_ref()))
            .collect();
        let now = SystemTime::now();
        let (go, go_err) = self.go.verdict(&chain, host, now);
        let (public, _) = self.public.verdict(&chain, host, now);
        let go_ok = go.ok;
        body.trust = Some(Trust { go, public });

        // Interception: a public name whose chain leads to no public CA. A self-signed
        // leaf is a server of its own, not a re-signed one; a chain that looks like a
        // public one without its intermediate cannot be judged (unless a known
        // inspection product issued it).
        let issuer = top_issuer(&chain);
        let public_name = host.parse::<IpAddr>().is_err() && !is_local_use_name(host);
        let self_signed_leaf =
            chain.len() == 1 && issuer.as_ref().is_some_and(|i| i.sha256.is_some());
        let public_incomplete = body
            .trust
            .as_ref()
            .is_some_and(|t| t.public.code == Some(Code::TlsIncompleteChain));
        if public_name
            && !self_signed_leaf
            && let Some(issuer) = &issuer
            && (!public_incomplete || products::product(&issuer.name).is_some())
        {
            let issuer_is_public = self.public.has_subject(&issuer.subject_raw);
            body.intercepted = Some(!issuer_is_public);
            if !issuer_is_public {
                let product = products::product(&issuer.name).map(str::to_string);
                body.interception = Some(Interception {
                    issuer: issuer.name.clone(),
                    issuer_sha256: issuer.sha256.clone(),
                    product: product.clone(),
                });
                if go_ok {
                    warnings.push(interception_warning(host, issuer, product.as_deref()));
                }
            }
        }
        warnings.extend(expiring_soon(&body.chain, now));

        if let Some(mut err) = go_err {
            // The issuing CA is in the store but go refused to parse it.
            if matches!(
                err.code,
                Code::TlsUnknownAuthority | Code::TlsIncompleteChain | Code::TlsNoRoots
            ) && let Some(issuer) = &issuer
                && self.go.refused.iter().any(|root| {
                    certinfo::raw_names(root.as_ref())
                        .is_some_and(|(subject, _)| subject == issuer.subject_raw)
                })
            {
                err.code = Code::TlsNegativeSerial;
                let message = format!(
                    "the CA that issued {host}'s certificate ({}) is in the trust store, but its certificate has a negative serial number, so the go command refuses to parse it and leaves it out",
                    issuer.name
                );
                let hint = godebug::x509_hint(err.code, Some(self.hello.go_minor));
                return Err(err.to_error_info(message, hint.unwrap_or_default()));
            }
            let intercepted_by = body.intercepted.filter(|&i| i).and(issuer.as_ref());
            return Err(tls_error(
                &err,
                Some((body, intercepted_by, &self.go.source)),
                self.hello.go_minor,
            ));
        }
        handshake
            .map(|_| ())
            .map_err(|err| tls_error(&err, None, self.hello.go_minor))
    }

    /// The record's error when `--timeout` ran out.
    fn gave_up(&self, trace: &ConnTrace, phase: &str) -> ErrorInfo {
        let (code, what) = if trace.remote.is_some() && trace.via_proxy.is_some() {
            (Code::ProxyClosed, "the proxy did not answer CONNECT")
        } else {
            (Code::TcpTimeout, "no connection")
        };
        ErrorInfo::new(
            code,
            format!(
                "{what} within --timeout {} ({phase})",
                humantime::format_duration(self.timeout)
            ),
        )
        .hint("raise --timeout; the go command itself may wait much longer (30 s per connection, a minute for a proxy's answer)")
    }
}

/// With TLS 1.3 a server that demands a client certificate learns that there is none
/// only after the client's side of the handshake is done, and answers with an alert
/// that Go reads with the response. This waits briefly (twice the handshake, at least
/// 100 ms) for such an alert; a server that stays silent, as an HTTPS server waiting
/// for a request does, is fine.
async fn post_handshake_alert<S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin>(
    stream: &mut tokio_rustls::client::TlsStream<S>,
    handshake_time: Duration,
    deadline: Instant,
) -> Option<NetError> {
    use tokio::io::AsyncReadExt;
    if stream.get_ref().1.protocol_version() != Some(rustls::ProtocolVersion::TLSv1_3) {
        return None;
    }
    let wait = (handshake_time * 2).max(Duration::from_millis(100));
    let until = (Instant::now() + wait).min(deadline);
    let mut byte = [0u8; 1];
    match timeout_at(until, stream.read(&mut byte)).await {
        Ok(Err(err)) => Some(tls::classify_handshake_error(&err, &[])),
        _ => None,
    }
}

/// Whether a hello probe got a ServerHello (or a HelloRetryRequest).
fn accepted(probe: &HelloProbe) -> bool {
    matches!(
        probe.answer.as_str(),
        "server_hello" | "hello_retry_request"
    )
}

/// Go's text for a reset during the handshake names both ends of the connection
/// (`read tcp LOCAL->REMOTE: read: connection reset by peer`).
fn with_addresses(mut err: NetError, trace: &ConnTrace) -> NetError {
    if err.code == Code::TcpReset
        && err.go_text == "read: connection reset by peer"
        && let (Some(local), Some(remote)) = (trace.local, trace.remote)
    {
        err.go_text = format!("read tcp {local}->{remote}: {}", err.go_text);
    }
    err
}

/// The record's error when go's hello is rejected and the classic one is not.
fn hello_rejected(
    err: &NetError,
    host: &str,
    go: &HelloProbe,
    classic: &HelloProbe,
    hello: &GoHello,
) -> ErrorInfo {
    let behaviour = match go.answer.as_str() {
        "reset" => "resets the connection".to_string(),
        "silence" => "swallows it (no answer)".to_string(),
        "closed" => "closes the connection".to_string(),
        "alert" => format!(
            "answers with an alert ({})",
            go.alert.as_deref().unwrap_or("remote error")
        ),
        other => format!("answers with something else ({other})"),
    };
    let godebug = if hello.go_minor >= 26 {
        "GODEBUG=tlsmlkem=0,tlssecpmlkem=0"
    } else {
        "GODEBUG=tlsmlkem=0"
    };
    let message = format!(
        "something between here and {host} {behaviour} when the ClientHello offers post-quantum key exchange ({}, {} bytes), as {} does; the same hello without it ({} bytes, what {} sends with GODEBUG=tlsmlkem=0) gets a ServerHello",
        go.key_shares
            .first()
            .map_or("X25519MLKEM768", |k| k.group.as_str()),
        go.bytes,
        go.go,
        classic.bytes,
        go.go,
    );
    let hint = format!(
        "run the go command with {godebug} in its environment (export it, or put it in front of the command) until the middlebox (TLS inspection, firewall, IPS) is fixed to pass ClientHellos larger than one packet with post-quantum shares; go1.27 removed the other TLS escape hatches (tlsrsakex, tls10server, tls3des, tlsunsafeekm, x509keypairleaf), so those settings cannot help"
    );
    let mut info = err.to_error_info(message, hint);
    info.code = Code::TlsHelloRejected;
    info.layer = Code::TlsHelloRejected.layer();
    info
}

/// Copies what the connection went through into the record.
fn fill_trace(body: &mut TlsBody, trace: &ConnTrace, endpoint: &Endpoint) {
    body.via_proxy.clone_from(&trace.via_proxy);
    if trace.via_proxy.is_some() {
        body.proxy_addr = trace.remote.map(|a| a.to_string());
    } else {
        body.addr = trace
            .remote
            .or_else(|| {
                endpoint
                    .addr
                    .map(|ip| std::net::SocketAddr::new(ip, endpoint.port))
            })
            .map(|a| a.to_string());
    }
    body.proxy_status = trace.proxy_status;
    body.proxy_reason = trace
        .proxy_reason
        .as_deref()
        .map(|r| gomod_common::record::untrusted(r, 200));
    body.tcp_ms = trace.tcp.map(|d| d.as_millis() as u64);
    let proxy_time = trace.proxy_tls.unwrap_or_default() + trace.connect.unwrap_or_default();
    body.proxy_ms = (trace.proxy_tls.is_some() || trace.connect.is_some())
        .then_some(proxy_time.as_millis() as u64);
}

/// The record's error for a failure before TLS.
fn connect_error(err: &NetError, trace: &ConnTrace, endpoint: &Endpoint) -> ErrorInfo {
    let authority = Target {
        scheme: &endpoint.scheme,
        host: &endpoint.host,
        port: endpoint.port,
        addr: None,
    }
    .authority();
    let proxy = trace.via_proxy.clone().unwrap_or_default();
    let (message, hint) = match err.code {
        Code::TcpRefused => (
            format!("nothing accepts connections at {authority} (connection refused)"),
            "check the host and port; a firewall that rejects the connection looks the same: the go command may need HTTPS_PROXY here".to_string(),
        ),
        Code::TcpTimeout => (
            format!("no answer to the TCP connection to {authority}"),
            "a firewall drops the packets: the go command may need HTTPS_PROXY on this network, or a GOPROXY it can reach".to_string(),
        ),
        Code::TcpUnreachable => (
            format!("no route to {authority}"),
            "this machine has no route there (often IPv6 without connectivity, or a VPN that is down)".to_string(),
        ),
        Code::TcpReset => (
            format!("the connection to {authority} was reset"),
            "a firewall or middlebox resets the connection: the go command may need HTTPS_PROXY on this network".to_string(),
        ),
        Code::ProxyAuthRequired => (
            format!("the proxy {proxy} wants credentials (407 Proxy Authentication Required)"),
            "put them in the proxy URL: HTTPS_PROXY=http://USER:PASSWORD@proxy:port (the go command speaks Basic authentication only)".to_string(),
        ),
        Code::ProxyRefused => (
            format!(
                "the proxy {proxy} refused CONNECT {authority} ({} {})",
                trace.proxy_status.map_or_else(String::new, |s| s.to_string()),
                trace.proxy_reason.as_deref().map(|r| gomod_common::record::untrusted(r, 200)).unwrap_or_default()
            ),
            format!("the proxy's policy does not allow {authority}: ask for it to be allowed, or use a GOPROXY the proxy allows"),
        ),
        Code::ProxyClosed => (
            format!("the proxy {proxy} closed the connection instead of answering CONNECT {authority}"),
            "the proxy dropped the request (policy, or it wants another protocol): check HTTPS_PROXY".to_string(),
        ),
        Code::ProxyUnreachable => (
            format!("the proxy {proxy} cannot be reached"),
            "check HTTPS_PROXY/HTTP_PROXY (host and port), or NO_PROXY for hosts that need no proxy".to_string(),
        ),
        code if code.layer() == gomod_common::record::Layer::Dns => (
            format!("{} cannot be resolved", endpoint.host),
            format!("run gomod-dnscheck {} to see why", endpoint.host),
        ),
        _ => (
            format!("connecting to {authority} failed"),
            "see go_error".to_string(),
        ),
    };
    err.to_error_info(message, hint)
}

/// The CA at the top of a presented chain.
struct TopIssuer {
    /// Its name, as Go prints a `pkix.Name`.
    name: String,
    /// The raw DER of that name, to look it up in a store.
    subject_raw: Vec<u8>,
    /// The SHA-256 of its certificate, when the server presented it.
    sha256: Option<String>,
}

/// The issuer of the chain: the top certificate itself when it is self-issued (a
/// presented root), else the CA named as its issuer.
fn top_issuer(chain: &[CertificateDer<'static>]) -> Option<TopIssuer> {
    let top = chain.last()?;
    let (subject, issuer) = certinfo::raw_names(top.as_ref())?;
    let info = certinfo::describe(top.as_ref())?;
    if subject == issuer {
        return Some(TopIssuer {
            name: info.subject,
            subject_raw: subject,
            sha256: Some(info.sha256),
        });
    }
    Some(TopIssuer {
        name: info.issuer,
        subject_raw: issuer,
        sha256: None,
    })
}

fn interception_warning(host: &str, issuer: &TopIssuer, product: Option<&str>) -> Warning {
    let by = product.map_or_else(String::new, |p| format!(" ({p})"));
    Warning::new(
        Code::TlsInterception,
        format!(
            "the certificate for {host} comes from {}{by}, a CA that the go command trusts on this machine but that is not a public CA: TLS to {host} is intercepted (inspected) on the way",
            issuer.name
        ),
        Some("expected where the network inspects TLS; the go command works as long as that CA stays in its trust store (SSL_CERT_FILE or the system bundle)".to_string()),
    )
}

/// Certificates that expire within 14 days.
fn expiring_soon(chain: &[CertInfo], now: SystemTime) -> Vec<Warning> {
    chain
        .iter()
        .filter_map(|cert| {
            let not_after = humantime::parse_rfc3339(&cert.not_after).ok()?;
            let left = not_after.duration_since(now).ok()?;
            (left < EXPIRY_WARNING).then(|| {
                Warning::new(
                    Code::TlsExpiringSoon,
                    format!(
                        "{} expires on {}, in {} days",
                        cert.subject,
                        cert.not_after,
                        left.as_secs() / 86400
                    ),
                    Some(
                        "renew it before then, or the go command will refuse the connection"
                            .to_string(),
                    ),
                )
            })
        })
        .collect()
}

/// The record's error for a TLS failure; `verified` carries what a verification
/// failure needs for its hint.
fn tls_error(
    err: &NetError,
    verified: Option<(&TlsBody, Option<&TopIssuer>, &str)>,
    go_minor: u32,
) -> ErrorInfo {
    let go_minor = Some(go_minor);
    let leaf = verified.and_then(|(body, _, _)| body.chain.first());
    let host = verified
        .map(|(body, _, _)| body.host.as_str())
        .unwrap_or("the host");
    let source = verified.map(|(_, _, source)| source).unwrap_or("");
    let intercepted = verified.and_then(|(_, issuer, _)| issuer);
    let code = match (err.code, intercepted) {
        (Code::TlsUnknownAuthority | Code::TlsIncompleteChain, Some(_)) => {
            Code::TlsInterceptedUntrusted
        }
        (code, _) => code,
    };
    let (message, hint) = match err.code {
        Code::TlsUnknownAuthority | Code::TlsIncompleteChain | Code::TlsNoRoots => {
            match (err.code, intercepted) {
                (_, Some(issuer)) => (
                    format!(
                        "the certificate for {host} comes from {}, a CA that is neither public nor in the go command's trust store: TLS is intercepted on the way",
                        issuer.name
                    ),
                    match &issuer.sha256 {
                        Some(fp) => format!(
                            "if that interception is expected, add the CA \"{}\" (SHA-256 {fp}) to a bundle and point SSL_CERT_FILE at it (or install it with update-ca-certificates)",
                            issuer.name
                        ),
                        None => format!(
                            "if that interception is expected, get the CA certificate \"{}\" from the network's administrators, add it to a bundle and point SSL_CERT_FILE at it (or install it with update-ca-certificates)",
                            issuer.name
                        ),
                    },
                ),
                (Code::TlsNoRoots, None) => (
                    "the go command finds no CA certificates on this machine".to_string(),
                    format!("install the ca-certificates package, or set SSL_CERT_FILE to a CA bundle (Go looked at: {source})"),
                ),
                (Code::TlsIncompleteChain, None) => (
                    format!(
                        "{host} sends its certificate without the intermediate CA certificate that links it to a root{}",
                        verified
                            .and_then(|(body, _, _)| body.chain.last())
                            .map_or_else(String::new, |top| format!(" (missing: the certificate of {})", top.issuer))
                    ),
                    "the server must send the intermediate certificate(s) too; browsers fetch missing ones, the go command does not".to_string(),
                ),
                (_, None) if leaf.is_some_and(|l| l.self_issued) && verified.is_some_and(|(body, _, _)| body.chain.len() == 1) => (
                    format!("{host} presents a self-signed certificate, which the go command's trust store does not hold"),
                    format!("if that certificate is the one to trust, add it to a bundle and point SSL_CERT_FILE at it; otherwise the server needs a certificate from a CA (Go's store here: {source})"),
                ),
                _ => (
                    format!(
                        "the chain for {host} does not lead to a CA in the go command's trust store{}",
                        leaf.map_or_else(String::new, |l| format!(" (issuer: {})", l.issuer))
                    ),
                    format!("add the issuing CA to a bundle and point SSL_CERT_FILE at it, or install it in the system store (Go's store here: {source})"),
                ),
            }
        }
        Code::TlsExpired | Code::TlsNotYetValid => (
            format!(
                "a certificate for {host} is outside its validity period ({})",
                err.go_text
                    .rsplit_once(": ")
                    .map_or(err.go_text.as_str(), |(_, when)| when)
            ),
            "if the dates look right the server must renew its certificate; if the current time looks wrong, fix this machine's clock".to_string(),
        ),
        Code::TlsNameMismatch => (
            format!(
                "the certificate is not valid for {host}{}",
                leaf.map_or_else(String::new, |l| format!(": it names {}", if l.sans.is_empty() { "nothing".to_string() } else { l.sans.join(", ") }))
            ),
            "a wrong host or port, a load balancer serving another site's certificate, or an intercepting proxy".to_string(),
        ),
        Code::TlsProtocolVersion => (
            format!("{host} does not speak TLS 1.2 or 1.3"),
            "the go command refuses TLS older than 1.2: the server must be upgraded".to_string(),
        ),
        Code::TlsNotTls => (
            format!("{host} does not speak TLS on this port"),
            "use the right port, or http:// for a plain-HTTP GOPROXY (and GOINSECURE for direct fetches)".to_string(),
        ),
        Code::TlsNegativeSerial => (
            format!("{host} presents a certificate with a negative serial number, which the go command refuses to parse"),
            godebug::x509_hint(err.code, go_minor).unwrap_or_default(),
        ),
        Code::TlsInsecureSignature => (
            format!("the chain for {host} has a certificate signed with SHA-1 or MD5, which the go command refuses"),
            godebug::x509_hint(err.code, go_minor).unwrap_or_default(),
        ),
        Code::TlsTimeout => (
            format!("the TLS handshake with {host} did not finish"),
            "something accepts TCP but does not answer TLS (deep packet inspection dropping the handshake, or an overloaded server); the go command gives up after 10 s".to_string(),
        ),
        _ => (
            format!("the TLS handshake with {host} failed"),
            "the server refused the handshake (see go_error): no cipher suite in common, a client certificate required, or a policy".to_string(),
        ),
    };
    let mut info = err.to_error_info(message, hint);
    info.code = code;
    info.layer = code.layer();
    info
}

/// Go's cipher suite names are the IANA ones; rustls spells TLS 1.3 suites `TLS13_`.
fn cipher_name(rustls_name: &str) -> String {
    match rustls_name.strip_prefix("TLS13_") {
        Some(rest) => format!("TLS_{rest}"),
        None => rustls_name.to_string(),
    }
}
