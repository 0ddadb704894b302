//! Name lookup and TCP connection setup, with failures classified and worded the way
//! Go's `net.Dialer` reports them (`dial tcp 127.0.0.1:1: connect: connection refused`,
//! `dial tcp: lookup h on 10.0.0.2:53: no such host`).

use std::future::Future;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::path::Path;
use std::pin::Pin;
use std::time::Duration;

use tokio::net::TcpStream;

use crate::net::dns::conf::{RESOLV_CONF_PATH, ResolvConf, system_hostname};
use crate::net::dns::hosts::{HOSTS_PATH, Hosts};
use crate::net::dns::lookup::GoResolver;
use crate::net::dns::nsswitch::{NSSWITCH_PATH, read_nsswitch};
use crate::record::{Code, ErrorInfo};

/// A classified network failure: the taxonomy code, and the innermost error text as Go
/// prints it (without any `Get "<url>": ` wrapping).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NetError {
    /// Stable code.
    pub code: Code,
    /// Go's text for the failure.
    pub go_text: String,
    /// The raw error as this process saw it, when it says more than `go_text`.
    pub detail: Option<String>,
    /// The go command has no time limit where this happened (waiting for a response,
    /// or for the rest of a body) and would wait for ever, printing nothing: then
    /// `go_text` is this tool's own description and is never given as `go_error`.
    pub go_waits: bool,
}

impl NetError {
    /// A failure with a code and Go's text.
    pub fn new(code: Code, go_text: impl Into<String>) -> NetError {
        NetError {
            code,
            go_text: go_text.into(),
            detail: None,
            go_waits: false,
        }
    }

    /// A limit of this tool's that the go command does not have: it would still be
    /// waiting. `text` says so in this tool's words.
    pub fn go_waits(code: Code, text: impl Into<String>) -> NetError {
        NetError {
            go_waits: true,
            ..NetError::new(code, text)
        }
    }

    /// Adds the raw error text.
    pub fn with_detail(mut self, detail: impl Into<String>) -> NetError {
        self.detail = Some(detail.into());
        self
    }

    /// Prefixes Go's text, as Go wraps errors (`proxyconnect tcp: ` + inner).
    pub fn prefixed(mut self, prefix: &str) -> NetError {
        self.go_text = format!("{prefix}{}", self.go_text);
        self
    }

    /// The record's error for this failure: its code, Go's text as `go_error` (none
    /// where the go command would print nothing and keep waiting), the raw error as
    /// `detail`, with the caller's sentence and hint.
    pub fn to_error_info(&self, message: String, hint: String) -> ErrorInfo {
        let hint = if self.code == Code::LocalResource {
            local_resource_hint()
        } else {
            hint
        };
        let mut info = ErrorInfo::new(self.code, message).hint(hint);
        if !self.go_waits {
            info = info.go_error(self.go_text.clone());
        }
        match &self.detail {
            Some(detail) => info.detail(detail.clone()),
            None => info,
        }
    }
}

impl std::fmt::Display for NetError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.go_text)
    }
}

impl std::error::Error for NetError {}

/// Future returned by a [`Resolver`].
pub type LookupFuture<'a> =
    Pin<Box<dyn Future<Output = Result<Vec<IpAddr>, NetError>> + Send + 'a>>;

/// Resolves host names for connections.
pub trait Resolver: Send + Sync {
    /// The addresses of `host`, in the order to try them; errors worded as Go's
    /// `dial tcp: lookup ...`.
    fn lookup<'a>(&'a self, host: &'a str) -> LookupFuture<'a>;
}

/// Go's own resolver on this machine's /etc/resolv.conf, /etc/hosts and
/// /etc/nsswitch.conf (read when it is made), as the go command's dialer uses it:
/// addresses in Go's order, failures worded `dial tcp: lookup NAME on SERVER: REASON`.
pub struct SystemResolver {
    resolver: GoResolver,
}

impl SystemResolver {
    /// The resolver configured by the system's files.
    pub fn from_etc() -> SystemResolver {
        let conf = ResolvConf::read(Path::new(RESOLV_CONF_PATH), &system_hostname());
        SystemResolver {
            resolver: GoResolver {
                hosts: Hosts::read(Path::new(HOSTS_PATH)),
                order: read_nsswitch(Path::new(NSSWITCH_PATH)).host_lookup_order(),
                conf,
            },
        }
    }

    /// A resolver with a given configuration.
    pub fn new(resolver: GoResolver) -> SystemResolver {
        SystemResolver { resolver }
    }
}

impl Resolver for SystemResolver {
    fn lookup<'a>(&'a self, host: &'a str) -> LookupFuture<'a> {
        Box::pin(async move {
            match self.resolver.lookup_ip(host).await {
                Ok(mut found) if !found.addrs.is_empty() => {
                    found.sort_as_go();
                    Ok(found.addrs)
                }
                // Every candidate name was skipped (`.onion`): Go's dialer has no
                // address to try.
                Ok(_) => Err(NetError::new(
                    Code::DnsNoRecords,
                    format!("dial tcp: address {host}: no suitable address found"),
                )),
                Err(err) => Err(NetError::new(err.code(), format!("dial tcp: {err}"))),
            }
        })
    }
}

/// Connects to `host:port`, trying each address in turn until one answers, each
/// attempt bounded by `timeout`. Errors name the address as Go does; with several
/// addresses the first failure is reported, as Go reports it.
pub async fn connect(
    resolver: &dyn Resolver,
    host: &str,
    port: u16,
    timeout: Duration,
) -> Result<(TcpStream, SocketAddr), NetError> {
    let ips = resolver.lookup(host).await?;
    let mut first_error = None;
    for ip in ips {
        let addr = SocketAddr::new(ip, port);
        match connect_addr(addr, timeout).await {
            Ok(stream) => return Ok((stream, addr)),
            Err(err) => {
                if first_error.is_none() {
                    first_error = Some(err);
                }
            }
        }
    }
    Err(first_error.unwrap_or_else(|| {
        NetError::new(
            Code::DnsNoRecords,
            format!("dial tcp: address {host}: no suitable address found"),
        )
    }))
}

/// Connects to one address within `timeout`.
pub async fn connect_addr(addr: SocketAddr, timeout: Duration) -> Result<TcpStream, NetError> {
    match tokio::time::timeout(timeout, TcpStream::connect(addr)).await {
        Ok(Ok(stream)) => {
            // Go sets TCP_NODELAY on every TCP connection.
            let _ = stream.set_nodelay(true);
            Ok(stream)
        }
        Ok(Err(err)) => Err(classify_connect(addr, &err)),
        Err(_) => Err(NetError::new(
            Code::TcpTimeout,
            format!("dial tcp {addr}: i/o timeout"),
        )),
    }
}

/// What to do when this process runs out of file descriptors: the limit in force and
/// how to raise it.
pub fn local_resource_hint() -> String {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes the limit into the struct it is given.
    let known = unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } == 0;
    let now = if known {
        format!(" (ulimit -n is {})", limit.rlim_cur)
    } else {
        String::new()
    };
    format!(
        "this process ran out of file descriptors{now}: raise the limit (ulimit -n 4096) or probe fewer targets at once (-j 4)"
    )
}

/// Whether an error is this process (or the system) running out of file descriptors.
pub fn is_out_of_descriptors(err: &io::Error) -> bool {
    matches!(err.raw_os_error(), Some(libc::EMFILE | libc::ENFILE))
}

/// Classifies a failed `connect(2)`. Running out of file descriptors fails at the
/// `socket(2)` before it, as Go names it.
pub fn classify_connect(addr: SocketAddr, err: &io::Error) -> NetError {
    if is_out_of_descriptors(err) {
        return NetError::new(
            Code::LocalResource,
            format!("dial tcp {addr}: socket: {}", crate::oserr::errno_text(err)),
        );
    }
    let code = match err.kind() {
        io::ErrorKind::ConnectionRefused => Code::TcpRefused,
        io::ErrorKind::TimedOut => Code::TcpTimeout,
        io::ErrorKind::NetworkUnreachable
        | io::ErrorKind::HostUnreachable
        | io::ErrorKind::AddrNotAvailable => Code::TcpUnreachable,
        io::ErrorKind::ConnectionReset | io::ErrorKind::ConnectionAborted => Code::TcpReset,
        _ => Code::TcpUnreachable,
    };
    NetError::new(
        code,
        format!(
            "dial tcp {addr}: connect: {}",
            crate::oserr::errno_text(err)
        ),
    )
}

/// Classifies an error while reading or writing an established connection, as Go
/// words it (`read tcp <local>-><remote>: read: connection reset by peer`, `unexpected
/// EOF`, `remote error: tls: ...`). Only Go's words reach `go_text`; what this process
/// saw, when it was another library's text, goes to `detail`.
pub fn classify_io(
    err: &io::Error,
    local: Option<SocketAddr>,
    remote: Option<SocketAddr>,
    op: &str,
) -> NetError {
    let library_text = || (err.raw_os_error().is_none()).then(|| err.to_string());
    let with_detail = |net: NetError| match library_text() {
        Some(text) => net.with_detail(text),
        None => net,
    };
    // TLS failures after the handshake: an alert from the peer, a record that does
    // not decrypt.
    if let Some(tls) = err
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>())
    {
        return with_detail(super::tls::classify_rustls_error(tls, &[]));
    }
    let text = match err.kind() {
        // A stream that ends early: a body cut short, a TLS connection closed without
        // close_notify in the middle of a transfer.
        io::ErrorKind::UnexpectedEof => {
            return with_detail(NetError::new(Code::TcpReset, "unexpected EOF"));
        }
        io::ErrorKind::TimedOut => {
            return with_detail(NetError::new(Code::HttpTimeout, "i/o timeout"));
        }
        _ if err.raw_os_error().is_some() => crate::oserr::errno_text(err),
        kind => match go_errno_text(kind) {
            Some(text) => text.to_string(),
            // No errno and no word of Go's for it: the reader gave up on a broken
            // stream, which Go reports as the end of it.
            None => return with_detail(NetError::new(Code::TcpReset, "unexpected EOF")),
        },
    };
    let go_text = match (local, remote) {
        (Some(l), Some(r)) => format!("{op} tcp {l}->{r}: {op}: {text}"),
        _ => text,
    };
    with_detail(NetError::new(Code::TcpReset, go_text))
}

/// Go's `syscall.Errno` text for an error kind that has one.
fn go_errno_text(kind: io::ErrorKind) -> Option<&'static str> {
    Some(match kind {
        io::ErrorKind::ConnectionReset => "connection reset by peer",
        io::ErrorKind::ConnectionAborted => "software caused connection abort",
        io::ErrorKind::BrokenPipe => "broken pipe",
        io::ErrorKind::NotConnected => "transport endpoint is not connected",
        io::ErrorKind::ConnectionRefused => "connection refused",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn refused_connection_is_worded_like_go() {
        // Bind then drop a listener so the port is very likely closed.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        drop(listener);
        let err = connect_addr(addr, Duration::from_secs(5))
            .await
            .unwrap_err();
        assert_eq!(err.code, Code::TcpRefused);
        assert_eq!(
            err.go_text,
            format!("dial tcp {addr}: connect: connection refused")
        );
    }

    #[test]
    fn running_out_of_descriptors_is_a_local_resource() {
        let addr: SocketAddr = "192.0.2.1:443".parse().unwrap();
        for errno in [libc::EMFILE, libc::ENFILE] {
            let err = classify_connect(addr, &io::Error::from_raw_os_error(errno));
            assert_eq!(err.code, Code::LocalResource);
        }
        let err = classify_connect(addr, &io::Error::from_raw_os_error(libc::EMFILE));
        assert_eq!(
            err.go_text,
            "dial tcp 192.0.2.1:443: socket: too many open files"
        );
        let info = err.to_error_info("x".to_string(), "run gomod-tlscheck".to_string());
        let hint = info.hint.unwrap();
        assert!(hint.contains("ulimit -n"), "{hint}");
        // A route that does not exist is still the network's.
        let err = classify_connect(addr, &io::Error::from_raw_os_error(libc::ENETUNREACH));
        assert_eq!(err.code, Code::TcpUnreachable);
    }

    #[test]
    fn io_errors_of_other_libraries_get_gos_words() {
        // rustls ends a stream without close_notify this way; hyper a short body.
        let err = io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "peer closed connection without sending TLS close_notify: https://docs.rs/rustls/",
        );
        let net = classify_io(&err, None, None, "read");
        assert_eq!(net.go_text, "unexpected EOF");
        assert!(net.detail.unwrap().contains("close_notify"));
        let err = io::Error::new(io::ErrorKind::ConnectionReset, "reset by a library");
        assert_eq!(
            classify_io(&err, None, None, "read").go_text,
            "connection reset by peer"
        );
        let err = io::Error::new(
            io::ErrorKind::InvalidData,
            rustls::Error::AlertReceived(rustls::AlertDescription::BadRecordMac),
        );
        assert_eq!(
            classify_io(&err, None, None, "read").go_text,
            "remote error: tls: bad record MAC"
        );
        let err = io::Error::new(io::ErrorKind::InvalidData, "some library's words");
        let net = classify_io(&err, None, None, "read");
        assert_eq!(net.go_text, "unexpected EOF");
        assert_eq!(net.detail.as_deref(), Some("some library's words"));
    }

    #[tokio::test]
    async fn ip_literals_need_no_lookup() {
        let resolver = SystemResolver::from_etc();
        let ips = resolver.lookup("127.0.0.1").await.unwrap();
        assert_eq!(ips, vec!["127.0.0.1".parse::<IpAddr>().unwrap()]);
        let ips = resolver.lookup("::1").await.unwrap();
        assert_eq!(ips, vec!["::1".parse::<IpAddr>().unwrap()]);
    }
}
