//! One DNS exchange with one server (Go's `Resolver.exchange`,
//! `dnsPacketRoundTrip` and `dnsStreamRoundTrip`), over UDP with TCP fallback, TCP,
//! DNS over TLS (RFC 7858) or DNS over HTTPS (RFC 8484), with Go's error texts.

use std::fmt;
use std::future::Future;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rustls::pki_types::ServerName;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpStream, UdpSocket};
use tokio::time::{Instant, timeout_at};
use tokio_rustls::TlsConnector;

use super::wire::{MAX_DNS_PACKET_SIZE, QType, Query, Reply};

/// Where and how to send a query.
#[derive(Clone)]
pub enum Transport {
    /// UDP, retried over TCP at the same address when the reply is truncated (Go's
    /// default).
    Udp(SocketAddr),
    /// TCP only (`options use-vc`, or a `tcp://` server).
    Tcp(SocketAddr),
    /// DNS over TLS (RFC 7858): TCP framing inside TLS.
    Tls {
        addr: SocketAddr,
        /// The name the certificate must match (a DNS name or an IP address).
        server_name: String,
        config: Arc<rustls::ClientConfig>,
    },
    /// DNS over HTTPS (RFC 8484), GET with `?dns=`; the HTTP exchange itself is the
    /// `client`'s.
    Https {
        url: String,
        client: Arc<dyn DohClient>,
    },
}

impl Transport {
    /// The server as error messages name it: `host:port`, or the URL for DoH.
    pub fn server(&self) -> String {
        match self {
            Transport::Udp(addr) | Transport::Tcp(addr) | Transport::Tls { addr, .. } => {
                addr.to_string()
            }
            Transport::Https { url, .. } => url.clone(),
        }
    }

    /// The server's socket address. For DoH it is the URL's when its host is an IP
    /// address, and otherwise the unspecified address with the URL's port (the
    /// [`DohClient`] resolves the name itself).
    pub fn addr(&self) -> SocketAddr {
        match self {
            Transport::Udp(addr) | Transport::Tcp(addr) | Transport::Tls { addr, .. } => *addr,
            Transport::Https { url, .. } => {
                let (host, port) = url_host_port(url).unwrap_or(("", 443));
                let ip = host.parse().unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
                SocketAddr::new(ip, port)
            }
        }
    }

    /// `"udp"`, `"tcp"`, `"tls"` or `"https"`.
    pub fn label(&self) -> &'static str {
        match self {
            Transport::Udp(_) => "udp",
            Transport::Tcp(_) => "tcp",
            Transport::Tls { .. } => "tls",
            Transport::Https { .. } => "https",
        }
    }
}

impl fmt::Debug for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.label(), self.server())
    }
}

/// An HTTP response as DoH needs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DohResponse {
    pub status: u16,
    /// The `Content-Type` header, if any.
    pub content_type: Option<String>,
    pub body: Vec<u8>,
}

/// Performs the HTTP GET of a DoH query. Implementations send
/// `Accept: application/dns-message` and return the error text (Go's shape,
/// `Get "URL": ...`) on failure.
pub trait DohClient: Send + Sync {
    fn get<'a>(
        &'a self,
        url: &'a str,
    ) -> Pin<Box<dyn Future<Output = Result<DohResponse, String>> + Send + 'a>>;
}

/// DoH through the go command's HTTP client: Go's proxy rules and Go's trust store.
impl DohClient for crate::net::http::HttpClient {
    fn get<'a>(
        &'a self,
        url: &'a str,
    ) -> Pin<Box<dyn Future<Output = Result<DohResponse, String>> + Send + 'a>> {
        Box::pin(async move {
            let parsed = crate::gourl::parse(url).map_err(|e| e.to_string())?;
            let opts = crate::net::http::GetOptions {
                insecure_tls: false,
                timeout: DOH_TIMEOUT,
                accept: Some("application/dns-message"),
            };
            let response = self.get(&parsed, opts).await.map_err(|e| e.go_text)?;
            let status = response.status;
            let content_type = response.content_type().map(str::to_string);
            let body = response
                .bytes(usize::from(u16::MAX))
                .await
                .map_err(|e| e.go_text)?;
            Ok(DohResponse {
                status,
                content_type,
                body,
            })
        })
    }
}

/// The most a DoH exchange may take at the HTTP level (the caller's own per-query
/// timeout is usually shorter and wins).
const DOH_TIMEOUT: Duration = Duration::from_secs(30);

/// The host (without brackets) and port of an `https://` URL.
fn url_host_port(url: &str) -> Option<(&str, u16)> {
    let rest = url.strip_prefix("https://")?;
    let authority = &rest[..rest.find(['/', '?']).unwrap_or(rest.len())];
    if let Some(bracketed) = authority.strip_prefix('[') {
        let (host, after) = bracketed.split_once(']')?;
        let port = match after.strip_prefix(':') {
            Some(port) => port.parse().ok()?,
            None if after.is_empty() => 443,
            None => return None,
        };
        return Some((host, port));
    }
    match authority.rsplit_once(':') {
        Some((host, port)) => Some((host, port.parse().ok()?)),
        None => Some((authority, 443)),
    }
}

/// Go's `*net.OpError` text for a socket operation: `read udp 127.0.0.1:5353->127.0.0.1:53: i/o timeout`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpError {
    /// `dial`, `read` or `write`.
    pub op: &'static str,
    /// `udp` or `tcp`.
    pub net: &'static str,
    /// The local address, once connected.
    pub source: Option<SocketAddr>,
    pub addr: SocketAddr,
    /// `i/o timeout`, or the system call and its error (`connect: connection refused`).
    pub err: String,
    pub timeout: bool,
}

impl fmt::Display for OpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} ", self.op, self.net)?;
        if let Some(source) = self.source {
            write!(f, "{source}->")?;
        }
        write!(f, "{}: {}", self.addr, self.err)
    }
}

/// Why an exchange failed, with Go's texts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExchangeError {
    /// A socket operation failed or timed out (Go's `*net.OpError`, which Go's resolver
    /// marks temporary).
    Op(Box<OpError>),
    /// The server closed the stream before the reply: `EOF`.
    Eof,
    /// The server closed the stream inside the reply: `unexpected EOF`.
    UnexpectedEof,
    /// `cannot marshal DNS message`.
    CannotMarshal,
    /// A stream reply whose header or question cannot be read:
    /// `cannot unmarshal DNS message`.
    CannotUnmarshal,
    /// A stream reply to another query, or a reply without exactly one question:
    /// `invalid DNS response`.
    InvalidResponse,
    /// DoT only: the TLS layer failed, in Go's words (`tls: failed to verify
    /// certificate: x509: ...`, `remote error: tls: ...`).
    Tls(String),
    /// DoH only: the HTTP exchange failed or did not carry a DNS message.
    Https { reason: String, timeout: bool },
}

impl ExchangeError {
    /// Go's `Timeout()` of the error.
    pub fn is_timeout(&self) -> bool {
        match self {
            ExchangeError::Op(op) => op.timeout,
            ExchangeError::Https { timeout, .. } => *timeout,
            _ => false,
        }
    }
}

impl fmt::Display for ExchangeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExchangeError::Op(op) => op.fmt(f),
            ExchangeError::Eof => f.write_str("EOF"),
            ExchangeError::UnexpectedEof => f.write_str("unexpected EOF"),
            ExchangeError::CannotMarshal => f.write_str("cannot marshal DNS message"),
            ExchangeError::CannotUnmarshal => f.write_str("cannot unmarshal DNS message"),
            ExchangeError::InvalidResponse => f.write_str("invalid DNS response"),
            ExchangeError::Tls(reason) => f.write_str(reason),
            ExchangeError::Https { reason, .. } => f.write_str(reason),
        }
    }
}

impl std::error::Error for ExchangeError {}

/// The outcome of [`exchange`].
#[derive(Debug)]
pub struct Exchange {
    /// How the query went: `udp`, `udp+tcp` (truncated over UDP, asked again over TCP),
    /// `tcp`, `tls` or `https`.
    pub network: &'static str,
    pub outcome: Result<Reply, ExchangeError>,
}

/// Asks `transport` for `name` (rooted) and `qtype`, as Go's `Resolver.exchange` does:
/// each network gets its own `timeout`; over UDP, datagrams that are not the answer to
/// the query are ignored until the deadline; a truncated UDP reply is asked again over
/// TCP with the same ID.
pub async fn exchange(
    transport: &Transport,
    name: &str,
    qtype: QType,
    trust_ad: bool,
    timeout: Duration,
) -> Exchange {
    let network = transport.label();
    let query = match transport {
        // RFC 8484 section 4.1: ID 0 keeps GET requests cacheable.
        Transport::Https { .. } => Query::with_id(0, name, qtype, trust_ad),
        _ => Query::new(name, qtype, trust_ad),
    };
    let Ok(query) = query else {
        return Exchange {
            network,
            outcome: Err(ExchangeError::CannotMarshal),
        };
    };
    let deadline = || Instant::now() + timeout;
    let outcome = match transport {
        Transport::Udp(addr) => match udp_round_trip(*addr, &query, deadline()).await {
            // RFC 5966: a truncated UDP reply means "ask again over TCP".
            Ok(reply) if reply.truncated => {
                return Exchange {
                    network: "udp+tcp",
                    outcome: tcp_round_trip(*addr, &query, deadline()).await,
                };
            }
            other => other,
        },
        Transport::Tcp(addr) => tcp_round_trip(*addr, &query, deadline()).await,
        Transport::Tls {
            addr,
            server_name,
            config,
        } => tls_round_trip(*addr, server_name, config, &query, deadline()).await,
        Transport::Https { url, client } => {
            https_round_trip(url, client.as_ref(), &query, timeout).await
        }
    };
    Exchange { network, outcome }
}

/// Go's check after a round trip: exactly one question.
fn single_question(reply: Reply) -> Result<Reply, ExchangeError> {
    if reply.has_single_question() {
        Ok(reply)
    } else {
        Err(ExchangeError::InvalidResponse)
    }
}

/// The two ends of a connection, for Go's error texts.
#[derive(Clone, Copy)]
struct Ends {
    net: &'static str,
    local: Option<SocketAddr>,
    remote: SocketAddr,
}

impl Ends {
    fn error(&self, op: &'static str, err: String, timeout: bool) -> ExchangeError {
        ExchangeError::Op(Box::new(OpError {
            op,
            net: self.net,
            source: self.local,
            addr: self.remote,
            err,
            timeout,
        }))
    }

    fn timeout(&self, op: &'static str) -> ExchangeError {
        self.error(op, "i/o timeout".to_string(), true)
    }

    /// A failed system call, as Go's `os.SyscallError` inside an `OpError`.
    fn syscall(&self, op: &'static str, call: &str, e: &io::Error) -> ExchangeError {
        self.error(op, format!("{call}: {}", errno_text(e)), false)
    }

    /// Go's `net.Dial` with a deadline.
    async fn dial_tcp(mut self, deadline: Instant) -> Result<(TcpStream, Ends), ExchangeError> {
        let stream = match timeout_at(deadline, TcpStream::connect(self.remote)).await {
            Err(_) => return Err(self.timeout("dial")),
            Ok(Err(e)) => return Err(self.syscall("dial", "connect", &e)),
            Ok(Ok(stream)) => stream,
        };
        self.local = stream.local_addr().ok();
        Ok((stream, self))
    }
}

/// The text Go gives a system error (`syscall.Errno`): the C library's message with a
/// lower-case first letter.
fn errno_text(e: &io::Error) -> String {
    let Some(code) = e.raw_os_error() else {
        return e.to_string();
    };
    let text = io::Error::from_raw_os_error(code).to_string();
    let text = text.split(" (os error").next().unwrap_or(&text);
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => format!("errno {code}"),
    }
}

/// Go's `dnsPacketRoundTrip` on a connected UDP socket.
async fn udp_round_trip(
    server: SocketAddr,
    query: &Query,
    deadline: Instant,
) -> Result<Reply, ExchangeError> {
    let mut ends = Ends {
        net: "udp",
        local: None,
        remote: server,
    };
    let any: SocketAddr = match server {
        SocketAddr::V4(_) => (Ipv4Addr::UNSPECIFIED, 0).into(),
        SocketAddr::V6(_) => (Ipv6Addr::UNSPECIFIED, 0).into(),
    };
    let socket = UdpSocket::bind(any)
        .await
        .map_err(|e| ends.syscall("dial", "socket", &e))?;
    socket
        .connect(server)
        .await
        .map_err(|e| ends.syscall("dial", "connect", &e))?;
    ends.local = socket.local_addr().ok();
    match timeout_at(deadline, socket.send(&query.packet)).await {
        Err(_) => return Err(ends.timeout("write")),
        Ok(Err(e)) => return Err(ends.syscall("write", "write", &e)),
        Ok(Ok(_)) => {}
    }
    let mut buf = vec![0u8; usize::from(MAX_DNS_PACKET_SIZE)];
    loop {
        let n = match timeout_at(deadline, socket.recv(&mut buf)).await {
            Err(_) => return Err(ends.timeout("read")),
            Ok(Err(e)) => return Err(ends.syscall("read", "read", &e)),
            Ok(Ok(n)) => n,
        };
        // Anything that is not the answer to this query may be a forgery attempt:
        // ignore it and keep waiting (golang.org/issue/13281).
        match Reply::parse(buf[..n].to_vec()) {
            Ok(reply) if reply.answers_query(query) => return single_question(reply),
            _ => continue,
        }
    }
}

async fn tcp_round_trip(
    server: SocketAddr,
    query: &Query,
    deadline: Instant,
) -> Result<Reply, ExchangeError> {
    let ends = Ends {
        net: "tcp",
        local: None,
        remote: server,
    };
    let (mut stream, ends) = ends.dial_tcp(deadline).await?;
    stream_round_trip(&mut stream, ends, query, deadline).await
}

async fn tls_round_trip(
    server: SocketAddr,
    server_name: &str,
    config: &Arc<rustls::ClientConfig>,
    query: &Query,
    deadline: Instant,
) -> Result<Reply, ExchangeError> {
    let name = ServerName::try_from(server_name.to_string()).map_err(|_| {
        ExchangeError::Tls(format!(
            "tls: invalid server name {}",
            crate::goquote::quote(server_name)
        ))
    })?;
    let ends = Ends {
        net: "tcp",
        local: None,
        remote: server,
    };
    let (tcp, ends) = ends.dial_tcp(deadline).await?;
    let mut stream = match timeout_at(
        deadline,
        TlsConnector::from(config.clone()).connect(name, tcp),
    )
    .await
    {
        Err(_) => return Err(ends.timeout("read")),
        Ok(Err(e)) => return Err(stream_error(ends, "read", &e, false)),
        Ok(Ok(stream)) => stream,
    };
    stream_round_trip(&mut stream, ends, query, deadline).await
}

/// Go's `dnsStreamRoundTrip`: a length-prefixed query and reply; a reply that cannot be
/// read or answers another query is an error (no second chance, unlike UDP).
async fn stream_round_trip<S: AsyncRead + AsyncWrite + Unpin>(
    stream: &mut S,
    ends: Ends,
    query: &Query,
    deadline: Instant,
) -> Result<Reply, ExchangeError> {
    match timeout_at(deadline, stream.write_all(&query.stream_packet())).await {
        Err(_) => return Err(ends.timeout("write")),
        Ok(Err(e)) => return Err(stream_error(ends, "write", &e, false)),
        Ok(Ok(())) => {}
    }
    let mut len = [0u8; 2];
    read_full(stream, &mut len, ends, deadline).await?;
    let mut msg = vec![0u8; usize::from(u16::from_be_bytes(len))];
    read_full(stream, &mut msg, ends, deadline).await?;
    let reply = Reply::parse(msg).map_err(|_| ExchangeError::CannotUnmarshal)?;
    if !reply.answers_query(query) {
        return Err(ExchangeError::InvalidResponse);
    }
    single_question(reply)
}

/// Go's `io.ReadFull` on a connection: `EOF` if nothing came, `unexpected EOF` if part
/// of `buf` did.
async fn read_full<S: AsyncRead + Unpin>(
    stream: &mut S,
    buf: &mut [u8],
    ends: Ends,
    deadline: Instant,
) -> Result<(), ExchangeError> {
    let mut filled = 0;
    while filled < buf.len() {
        match timeout_at(deadline, stream.read(&mut buf[filled..])).await {
            Err(_) => return Err(ends.timeout("read")),
            Ok(Ok(0)) => return Err(closed(filled > 0)),
            Ok(Ok(n)) => filled += n,
            Ok(Err(e)) => return Err(stream_error(ends, "read", &e, filled > 0)),
        }
    }
    Ok(())
}

fn closed(partial: bool) -> ExchangeError {
    if partial {
        ExchangeError::UnexpectedEof
    } else {
        ExchangeError::Eof
    }
}

/// A stream I/O error: a system error as an `OpError`, an unclean TLS close as EOF,
/// anything else from the TLS layer in Go's words (never rustls's).
fn stream_error(ends: Ends, op: &'static str, e: &io::Error, partial: bool) -> ExchangeError {
    if e.raw_os_error().is_some() {
        ends.syscall(op, op, e)
    } else if e.kind() == io::ErrorKind::UnexpectedEof {
        closed(partial)
    } else {
        ExchangeError::Tls(crate::net::tls::classify_handshake_error(e, &[]).go_text)
    }
}

/// RFC 8484 GET: the query, base64url without padding, in the `dns` parameter; the
/// reply must come with a 2xx status and `application/dns-message`.
async fn https_round_trip(
    url: &str,
    client: &dyn DohClient,
    query: &Query,
    timeout: Duration,
) -> Result<Reply, ExchangeError> {
    let separator = if url.contains('?') { '&' } else { '?' };
    let url = format!(
        "{url}{separator}dns={}",
        URL_SAFE_NO_PAD.encode(&query.packet)
    );
    let failure = |reason: String, timeout: bool| ExchangeError::Https { reason, timeout };
    let response = match tokio::time::timeout(timeout, client.get(&url)).await {
        Err(_) => return Err(failure(format!("Get \"{url}\": i/o timeout"), true)),
        Ok(Err(reason)) => return Err(failure(reason, false)),
        Ok(Ok(response)) => response,
    };
    if !(200..300).contains(&response.status) {
        return Err(failure(
            format!("DoH server answered HTTP status {}", response.status),
            false,
        ));
    }
    let media_type = response
        .content_type
        .as_deref()
        .map(|ct| ct.split(';').next().unwrap_or("").trim());
    if !media_type.is_some_and(|mt| mt.eq_ignore_ascii_case("application/dns-message")) {
        return Err(failure(
            format!(
                "DoH server answered Content-Type {}, not application/dns-message",
                crate::goquote::quote(&response.content_type.unwrap_or_default())
            ),
            false,
        ));
    }
    let reply = Reply::parse(response.body).map_err(|_| ExchangeError::CannotUnmarshal)?;
    if !reply.answers_query(query) {
        return Err(ExchangeError::InvalidResponse);
    }
    single_question(reply)
}
