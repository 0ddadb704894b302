//! Loopback test servers for gomod-tools. Everything listens on 127.0.0.1, port 0,
//! runs on its own runtime thread, records what it saw, and stops when dropped.
//!
//! * [`TestCa`]: a certificate authority made at test time (root or intermediate, any
//!   subject), issuing [`Leaf`] certificates for any names, with chosen validity and
//!   chain; its PEM file is what tests put in `SSL_CERT_FILE`.
//! * [`Server`]: an HTTP/1.1 server (plain or TLS, optionally demanding a client
//!   certificate) whose answers come from a handler; and servers that misbehave at the
//!   TLS layer: answering the ClientHello with an alert, closing, hanging, or speaking
//!   another protocol.
//! * [`ConnectProxy`]: an HTTP proxy. For `CONNECT host:port` it either refuses (a
//!   status, or closing the connection), terminates TLS itself with a certificate for
//!   `host` from the test CA and answers from its handler — so a client that trusts the
//!   test CA reaches "example.com" without any traffic leaving the machine — or
//!   forwards the bytes to a fixed loopback server. Plain `GET http://...` requests
//!   are answered from the same handler.
//! * [`sumdb`]: a checksum database serving recorded answers of Go's; [`gosumdb`]: Go's
//!   own, live (built with the newest go); [`dns`], [`goproxy`]: a DNS server, a GOPROXY.
//! * [`go`] finds the newest go for the interop tests; [`skip`] is how a test that
//!   cannot run here (no go, not root, ...) says so.

pub mod dns;
pub mod front;
pub mod go;
pub mod goproxy;
pub mod gosumdb;
pub mod modzip;
mod pki;
pub mod process;
pub mod skip;
pub mod sumdb;
mod tls;

pub use pki::{Leaf, LeafOptions, TestCa};

use std::collections::HashMap;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

/// A request as the server saw it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    /// `GET`, `CONNECT`, ...
    pub method: String,
    /// The request target (`/m/@v/list?x=1`, or `example.com:443` for CONNECT, or an
    /// absolute URI through a proxy).
    pub target: String,
    /// The Host header, or the CONNECT authority.
    pub host: String,
    /// Headers, names lower-cased.
    pub headers: HashMap<String, String>,
    /// `http`, `https`, or `connect` for a CONNECT request to the proxy. For the
    /// connections the TLS-layer servers ([`Server::tls_alert`] and the like) accept,
    /// `tls` when the client's first bytes were a ClientHello, else `tcp`.
    pub scheme: &'static str,
}

impl Request {
    /// The path part of the target, without the query.
    pub fn path(&self) -> &str {
        let target = self.target.as_str();
        let without_scheme = target
            .strip_prefix("http://")
            .map(|rest| rest.find('/').map_or("/", |i| &rest[i..]))
            .unwrap_or(target);
        without_scheme.split('?').next().unwrap_or(without_scheme)
    }

    /// One line for logs and assertions: `https GET example.com/m?go-get=1`;
    /// `CONNECT example.com:443`; for a connection accepted by a TLS-layer server,
    /// `tls ACCEPT example.com` (the SNI name), `tls ACCEPT` (no SNI) or `tcp ACCEPT`.
    pub fn line(&self) -> String {
        if self.method == "ACCEPT" {
            return match self.host.as_str() {
                "" => format!("{} ACCEPT", self.scheme),
                host => format!("{} ACCEPT {host}", self.scheme),
            };
        }
        match self.scheme {
            "connect" => format!("CONNECT {}", self.target),
            scheme => {
                let target = self
                    .target
                    .strip_prefix("http://")
                    .map(str::to_string)
                    .unwrap_or_else(|| format!("{}{}", self.host, self.target));
                format!("{scheme} {} {target}", self.method)
            }
        }
    }
}

/// A response from a handler.
#[derive(Clone, Debug)]
pub struct Response {
    /// Status code.
    pub status: u16,
    /// Reason phrase.
    pub reason: String,
    /// Extra headers.
    pub headers: Vec<(String, String)>,
    /// Body.
    pub body: Vec<u8>,
}

impl Response {
    /// A response with a status, the canonical reason, and a body.
    pub fn new(status: u16, body: impl Into<Vec<u8>>) -> Response {
        Response {
            status,
            reason: reason(status).to_string(),
            headers: Vec::new(),
            body: body.into(),
        }
    }

    /// 200 with `text/html` content.
    pub fn html(body: &str) -> Response {
        Response::new(200, body).header("Content-Type", "text/html; charset=utf-8")
    }

    /// A status with a `text/plain` message, as Go's `http.Error` writes it.
    pub fn text(status: u16, message: &str) -> Response {
        Response::new(status, format!("{message}\n"))
            .header("Content-Type", "text/plain; charset=utf-8")
    }

    /// Adds a header.
    pub fn header(mut self, name: &str, value: &str) -> Response {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        302 => "Found",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        407 => "Proxy Authentication Required",
        410 => "Gone",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        _ => "Status",
    }
}

/// Answers requests.
pub type Handler = Arc<dyn Fn(&Request) -> Response + Send + Sync>;

/// Builds a [`Handler`] from a closure.
pub fn handler(f: impl Fn(&Request) -> Response + Send + Sync + 'static) -> Handler {
    Arc::new(f)
}

/// Requests seen, shared with the test. The HTTP servers and the proxy record one
/// [`Request`] per HTTP request (and per CONNECT); the TLS-layer servers record one
/// per accepted connection, with method `ACCEPT`.
pub type Log = Arc<Mutex<Vec<Request>>>;

/// A running server; stops when dropped.
pub struct Running {
    /// The listening address.
    pub addr: SocketAddr,
    log: Log,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Running {
    /// Every request seen so far, as [`Request::line`]s.
    pub fn lines(&self) -> Vec<String> {
        self.log
            .lock()
            .map(|l| l.iter().map(Request::line).collect())
            .unwrap_or_default()
    }

    /// Every request seen so far.
    pub fn requests(&self) -> Vec<Request> {
        self.log.lock().map(|l| l.clone()).unwrap_or_default()
    }

    /// `127.0.0.1:PORT`.
    pub fn host_port(&self) -> String {
        self.addr.to_string()
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// How a server treats connections.
#[derive(Clone)]
enum Mode {
    Http,
    Https(Arc<rustls::ServerConfig>),
    /// A TLS-layer misbehaviour, see [`tls`].
    Raw(tls::RawMode),
    Proxy {
        connect: ConnectMode,
        ca: Arc<TestCa>,
    },
    /// Every connection handed to a server of the crate's own, for misbehaviour below
    /// the level of a handler's [`Response`] (see [`goproxy`]).
    Connection(ConnectionServer),
}

/// Serves one accepted connection from start to end.
pub(crate) type ConnectionServer =
    Arc<dyn Fn(tokio::net::TcpStream) -> Pin<Box<dyn Future<Output = ()> + Send>> + Send + Sync>;

/// What a [`ConnectProxy`] does with CONNECT requests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConnectMode {
    /// Terminate TLS for the requested host and answer from the handler.
    Tunnel,
    /// Answer CONNECT with this status (e.g. 407, 403).
    Refuse(u16),
    /// Close the connection without answering.
    Close,
    /// Answer `200 Connection established` and relay bytes both ways to this loopback
    /// address, whatever host was asked for: a proxy that does not intercept, so the
    /// client sees the certificate of the server at that address. If it cannot be
    /// reached, answer 502.
    Forward(SocketAddr),
}

/// HTTP server constructors.
pub struct Server;

impl Server {
    /// A plain-HTTP server on 127.0.0.1.
    pub fn http(handler: Handler) -> Running {
        start(Mode::Http, handler, Log::default())
    }

    /// A plain-HTTP server that records into `log`, shared with other servers so that
    /// the order of requests across servers is kept.
    pub fn http_logged(handler: Handler, log: Log) -> Running {
        start(Mode::Http, handler, log)
    }

    /// A TLS server on 127.0.0.1 presenting `leaf` and the chain it carries (see
    /// [`Leaf::with_chain`]).
    pub fn https(leaf: &Leaf, handler: Handler) -> Running {
        start(Mode::Https(leaf.server_config()), handler, Log::default())
    }

    /// A TLS server like [`Server::https`] that requires a client certificate issued
    /// by a CA no client has, so every handshake fails on the server's side: in TLS
    /// 1.3 the server sends a `certificate_required` alert (Go: `remote error: tls:
    /// certificate required`), which a client sees after its side of the handshake,
    /// on its first read; in TLS 1.2 it fails the handshake itself. Nothing reaches
    /// the handler, so nothing is logged.
    pub fn https_client_auth(leaf: &Leaf, handler: Handler) -> Running {
        let config = leaf.config(Some(pki::unsatisfiable_client_verifier()));
        start(Mode::Https(config), handler, Log::default())
    }
}

/// HTTP proxy constructors.
pub struct ConnectProxy;

impl ConnectProxy {
    /// A proxy on 127.0.0.1 that treats CONNECT as `mode` says, using `ca` to make
    /// certificates for tunnelled hosts (presented with `ca`'s intermediates when `ca`
    /// is an intermediate, as interception products do), and answering requests with
    /// `handler`.
    ///
    /// # Panics
    /// If `mode` is [`ConnectMode::Forward`] to an address that is not loopback.
    pub fn start(mode: ConnectMode, ca: Arc<TestCa>, handler: Handler) -> Running {
        ConnectProxy::start_logged(mode, ca, handler, Log::default())
    }

    /// Like [`ConnectProxy::start`], recording into a shared `log`.
    ///
    /// # Panics
    /// As [`ConnectProxy::start`].
    pub fn start_logged(mode: ConnectMode, ca: Arc<TestCa>, handler: Handler, log: Log) -> Running {
        if let ConnectMode::Forward(upstream) = mode {
            assert!(
                upstream.ip().is_loopback(),
                "the test proxy forwards to loopback only, not {upstream}"
            );
        }
        start(Mode::Proxy { connect: mode, ca }, handler, log)
    }
}

fn start(mode: Mode, handler: Handler, log: Log) -> Running {
    let std_listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    start_on(std_listener, mode, handler, log)
}

/// Like [`start`], on a listener the caller bound.
fn start_on(
    std_listener: std::net::TcpListener,
    mode: Mode,
    handler: Handler,
    log: Log,
) -> Running {
    std_listener.set_nonblocking(true).expect("nonblocking");
    let addr = std_listener.local_addr().expect("local addr");
    let (stop_tx, mut stop_rx) = oneshot::channel::<()>();
    let thread_log = Arc::clone(&log);
    let thread = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(async move {
            let listener = TcpListener::from_std(std_listener).expect("listener");
            let certs: Arc<Mutex<HashMap<String, Arc<rustls::ServerConfig>>>> = Arc::default();
            loop {
                tokio::select! {
                    _ = &mut stop_rx => break,
                    accepted = listener.accept() => {
                        let Ok((stream, _)) = accepted else { continue };
                        let _ = stream.set_nodelay(true);
                        let mode = mode.clone();
                        let handler = Arc::clone(&handler);
                        let log = Arc::clone(&thread_log);
                        let certs = Arc::clone(&certs);
                        tokio::spawn(async move {
                            let _ = serve_connection(stream, mode, handler, log, certs).await;
                        });
                    }
                }
            }
        });
        runtime.shutdown_background();
    });
    Running {
        addr,
        log,
        stop: Some(stop_tx),
        thread: Some(thread),
    }
}

async fn serve_connection(
    stream: tokio::net::TcpStream,
    mode: Mode,
    handler: Handler,
    log: Log,
    certs: Arc<Mutex<HashMap<String, Arc<rustls::ServerConfig>>>>,
) -> io::Result<()> {
    match mode {
        Mode::Http => serve_http(stream, "http", &handler, &log).await,
        Mode::Https(config) => {
            let tls = tokio_rustls::TlsAcceptor::from(config)
                .accept(stream)
                .await?;
            serve_http(tls, "https", &handler, &log).await
        }
        Mode::Raw(raw) => tls::serve(stream, raw, &log).await,
        Mode::Connection(serve) => {
            serve(stream).await;
            Ok(())
        }
        Mode::Proxy { connect, ca } => {
            let mut stream = stream;
            let Some(head) = read_head(&mut stream).await? else {
                return Ok(());
            };
            let request = parse_head(&head, "http");
            if request.method != "CONNECT" {
                // A plain-HTTP request through the proxy: answer it, then serve the rest.
                record(&log, &request);
                write_response(&mut stream, &(handler)(&request)).await?;
                return serve_http(stream, "http", &handler, &log).await;
            }
            let connect_request = Request {
                scheme: "connect",
                host: request.target.clone(),
                ..request
            };
            record(&log, &connect_request);
            match connect {
                ConnectMode::Close => Ok(()),
                ConnectMode::Refuse(status) => {
                    write_response(&mut stream, &Response::new(status, Vec::new())).await?;
                    Ok(())
                }
                ConnectMode::Forward(upstream) => {
                    let Ok(mut upstream) = tokio::net::TcpStream::connect(upstream).await else {
                        write_response(&mut stream, &Response::new(502, Vec::new())).await?;
                        return Ok(());
                    };
                    stream
                        .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
                        .await?;
                    tokio::io::copy_bidirectional(&mut stream, &mut upstream).await?;
                    Ok(())
                }
                ConnectMode::Tunnel => {
                    stream
                        .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
                        .await?;
                    let host = connect_request
                        .target
                        .rsplit_once(':')
                        .map_or(connect_request.target.as_str(), |(h, _)| h)
                        .trim_matches(['[', ']'])
                        .to_string();
                    let config = {
                        let mut certs = certs.lock().map_err(|_| io::Error::other("lock"))?;
                        Arc::clone(
                            certs
                                .entry(host.clone())
                                .or_insert_with(|| ca.issue_chained(&[&host]).server_config()),
                        )
                    };
                    let tls = tokio_rustls::TlsAcceptor::from(config)
                        .accept(stream)
                        .await?;
                    serve_http(tls, "https", &handler, &log).await
                }
            }
        }
    }
}

fn record(log: &Log, request: &Request) {
    if let Ok(mut log) = log.lock() {
        log.push(request.clone());
    }
}

/// Serves HTTP/1.1 requests on one connection until the client closes it.
async fn serve_http<S: AsyncRead + AsyncWrite + Unpin>(
    mut stream: S,
    scheme: &'static str,
    handler: &Handler,
    log: &Log,
) -> io::Result<()> {
    while let Some(head) = read_head(&mut stream).await? {
        let request = parse_head(&head, scheme);
        record(log, &request);
        let response = (handler)(&request);
        write_response(&mut stream, &response).await?;
    }
    Ok(())
}

async fn read_head<S: AsyncRead + Unpin>(stream: &mut S) -> io::Result<Option<Vec<u8>>> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match stream.read(&mut byte).await {
            Ok(0) => return Ok(None),
            Ok(_) => head.push(byte[0]),
            Err(e)
                if e.kind() == io::ErrorKind::UnexpectedEof
                    || e.kind() == io::ErrorKind::ConnectionReset =>
            {
                return Ok(None);
            }
            Err(e) => return Err(e),
        }
        if head.len() > 64 * 1024 {
            return Ok(None);
        }
    }
    Ok(Some(head))
}

fn parse_head(head: &[u8], scheme: &'static str) -> Request {
    let text = String::from_utf8_lossy(head);
    let mut lines = text.split("\r\n");
    let mut first = lines.next().unwrap_or("").split(' ');
    let method = first.next().unwrap_or("").to_string();
    let target = first.next().unwrap_or("").to_string();
    let mut headers = HashMap::new();
    for line in lines {
        if let Some((name, value)) = line.split_once(':') {
            headers.insert(name.trim().to_ascii_lowercase(), value.trim().to_string());
        }
    }
    Request {
        host: headers.get("host").cloned().unwrap_or_default(),
        method,
        target,
        headers,
        scheme,
    }
}

async fn write_response<S: AsyncWrite + Unpin>(
    stream: &mut S,
    response: &Response,
) -> io::Result<()> {
    let mut head = format!("HTTP/1.1 {} {}\r\n", response.status, response.reason);
    for (name, value) in &response.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str(&format!("Content-Length: {}\r\n\r\n", response.body.len()));
    stream.write_all(head.as_bytes()).await?;
    stream.write_all(&response.body).await?;
    stream.flush().await
}

/// A go-get discovery page with one `go-import` tag.
pub fn go_import_page(prefix: &str, vcs: &str, repo_root: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html><head>\n<meta name=\"go-import\" content=\"{prefix} {vcs} {repo_root}\">\n</head><body>go get {prefix}</body></html>\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_answers_and_records() {
        let server = Server::http(handler(|r| {
            Response::text(404, &format!("no {}", r.path()))
        }));
        let mut stream = std::net::TcpStream::connect(server.addr).unwrap();
        use std::io::{Read, Write};
        stream
            .write_all(b"GET /a/b?x=1 HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
            .unwrap();
        stream.shutdown(std::net::Shutdown::Write).unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        assert!(answer.starts_with("HTTP/1.1 404 Not Found\r\n"));
        assert!(answer.ends_with("no /a/b\n"));
        assert_eq!(server.lines(), vec!["http GET h/a/b?x=1"]);
    }
}
