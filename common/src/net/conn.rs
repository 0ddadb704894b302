//! How the go command's transport reaches `host:port` before any TLS with the target:
//! straight to the host (Go's resolver, each address in Go's order), or through the
//! proxy Go's rules pick for the URL — TCP to the proxy, TLS to it for an `https://`
//! proxy, then `CONNECT host:port` for an https target. Every phase is timed, and a
//! failure says which phase it was, worded as Go words it (`proxyconnect tcp: ...` for
//! the way to the proxy, the CONNECT reply's reason phrase for a refusal).

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::{AsyncRead, AsyncWrite};

use super::dial::{self, NetError, Resolver};
use super::httpproxy::ProxyConfig;
use super::{tls, tunnel};
use crate::gourl;
use crate::record::{Code, redact_url};

/// Any byte stream a connection can be.
pub trait Io: AsyncRead + AsyncWrite + Send + Unpin {}
impl<T: AsyncRead + AsyncWrite + Send + Unpin> Io for T {}

/// Where a connection goes.
#[derive(Clone, Copy, Debug)]
pub struct Target<'a> {
    /// `https` or `http`: decides the proxy variable and whether CONNECT is used.
    pub scheme: &'a str,
    /// The host name or IP literal (no brackets).
    pub host: &'a str,
    pub port: u16,
    /// Connect to this address instead of resolving `host` (ignored through a proxy,
    /// which resolves the name itself).
    pub addr: Option<IpAddr>,
}

impl Target<'_> {
    /// `host:port`, with brackets around an IPv6 literal.
    pub fn authority(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }
}

/// What opening a connection went through, filled in as far as it got.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConnTrace {
    /// The address connected to: the target's, or the proxy's when one is used.
    pub remote: Option<SocketAddr>,
    /// This side's address of that connection (Go prints both in `read tcp L->R`).
    pub local: Option<SocketAddr>,
    /// The proxy Go uses for this URL, credentials redacted.
    pub via_proxy: Option<String>,
    /// The proxy's answer to CONNECT.
    pub proxy_status: Option<u16>,
    /// Its reason phrase.
    pub proxy_reason: Option<String>,
    /// Time to establish TCP (to the target or the proxy), lookup included.
    pub tcp: Option<Duration>,
    /// Time of the TLS handshake with an `https://` proxy.
    pub proxy_tls: Option<Duration>,
    /// Time of the CONNECT exchange.
    pub connect: Option<Duration>,
    /// Which phase failed: `dns`, `tcp`, `proxy` (the way to the proxy, or its
    /// answer).
    pub failed_at: Option<&'static str>,
}

/// What the opener needs: Go's proxy rules, its resolver, a TLS configuration for
/// `https://` proxies, and the TCP connect limit.
pub struct Opener<'a> {
    pub proxy: &'a ProxyConfig,
    pub resolver: &'a dyn Resolver,
    pub proxy_tls: Arc<rustls::ClientConfig>,
    pub connect_timeout: Duration,
}

impl Opener<'_> {
    /// Opens the stream for `target`. Returns it and whether requests must be sent
    /// in proxy form (an `http` target through a proxy).
    pub async fn open(
        &self,
        target: Target<'_>,
        trace: &mut ConnTrace,
    ) -> Result<(Box<dyn Io>, bool), NetError> {
        let url = gourl::parse(&format!("{}://{}", target.scheme, target.authority()))
            .map_err(|e| NetError::new(Code::HttpInvalidResponse, e.to_string()))?;
        let choice = self
            .proxy
            .proxy_for_url(&url)
            .map_err(|e| NetError::new(Code::ProxyRefused, e.to_string()))?;
        let Some(choice) = choice else {
            let started = Instant::now();
            let connected = match target.addr {
                Some(ip) => {
                    dial::connect_addr(SocketAddr::new(ip, target.port), self.connect_timeout)
                        .await
                        .map(|tcp| (tcp, SocketAddr::new(ip, target.port)))
                }
                None => {
                    dial::connect(
                        self.resolver,
                        target.host,
                        target.port,
                        self.connect_timeout,
                    )
                    .await
                }
            };
            trace.tcp = Some(started.elapsed());
            let (tcp, addr) = connected.inspect_err(|e| trace.failed_at = Some(phase_of(e)))?;
            trace.remote = Some(addr);
            trace.local = tcp.local_addr().ok();
            return Ok((Box::new(tcp), false));
        };
        trace.via_proxy = Some(redact_url(&choice.url.to_string()));
        let proxy_url = &choice.url;
        let proxy_scheme = proxy_url.scheme.as_str();
        let fail = |trace: &mut ConnTrace, e: NetError| {
            trace.failed_at = Some("proxy");
            e
        };
        if !matches!(proxy_scheme, "http" | "https") {
            let err = NetError::new(
                Code::ProxyUnreachable,
                format!(
                    "proxyconnect tcp: {proxy_scheme} proxies are not supported by gomod-tools yet"
                ),
            )
            .with_detail(format!(
                "the go command would use {} for this URL",
                redact_url(&proxy_url.to_string())
            ));
            return Err(fail(trace, err));
        }
        let proxy_host = proxy_url.hostname().to_string();
        let proxy_port = match proxy_url.port() {
            "" if proxy_scheme == "https" => 443,
            "" => 80,
            p => p.parse().map_err(|_| {
                fail(
                    trace,
                    NetError::new(
                        Code::ProxyUnreachable,
                        format!(
                            "proxyconnect tcp: invalid proxy port {}",
                            crate::goquote::quote(p)
                        ),
                    ),
                )
            })?,
        };
        let started = Instant::now();
        let connected =
            dial::connect(self.resolver, &proxy_host, proxy_port, self.connect_timeout).await;
        trace.tcp = Some(started.elapsed());
        let (tcp, addr) = connected.map_err(|e| {
            fail(
                trace,
                NetError {
                    code: Code::ProxyUnreachable,
                    ..e
                }
                .prefixed("proxyconnect tcp: "),
            )
        })?;
        trace.remote = Some(addr);
        trace.local = tcp.local_addr().ok();
        let mut stream: Box<dyn Io> = if proxy_scheme == "https" {
            let started = Instant::now();
            let handshake = tls::handshake(tcp, &proxy_host, Arc::clone(&self.proxy_tls)).await;
            trace.proxy_tls = Some(started.elapsed());
            Box::new(
                handshake
                    .map_err(|e| fail(trace, e.prefixed("proxyconnect tcp: ")))?
                    .0,
            )
        } else {
            Box::new(tcp)
        };
        if target.scheme != "https" {
            return Ok((stream, true));
        }
        let credentials = proxy_url.user.as_ref().map(|u| {
            crate::redact::register_userinfo(u);
            format!("{}:{}", u.username, u.password.as_deref().unwrap_or(""))
        });
        let started = Instant::now();
        let answered =
            tunnel::connect(&mut stream, &target.authority(), credentials.as_deref()).await;
        trace.connect = Some(started.elapsed());
        match answered {
            Ok(reply) => {
                trace.proxy_status = Some(reply.status);
                trace.proxy_reason = Some(reply.reason);
                Ok((stream, false))
            }
            Err(failure) => {
                if let Some(reply) = failure.reply {
                    trace.proxy_status = Some(reply.status);
                    trace.proxy_reason = Some(reply.reason);
                }
                Err(fail(trace, failure.error))
            }
        }
    }
}

/// The phase a direct connection failed in: the lookup, or TCP.
fn phase_of(err: &NetError) -> &'static str {
    if err.code.layer() == crate::record::Layer::Dns {
        "dns"
    } else {
        "tcp"
    }
}
