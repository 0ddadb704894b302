//! Servers that misbehave at the TLS layer, for the failures a TLS client has to tell
//! apart: a TLS alert in answer to the ClientHello, a close after it, silence, or
//! another protocol on the port. Each records one [`Request`] with method `ACCEPT`
//! per connection: scheme `tls` with the SNI name as `host` (and the offered ALPN
//! protocols, comma-separated, as header `alpn`) when the client's first bytes were a
//! ClientHello, else scheme `tcp`.

use std::collections::HashMap;
use std::io;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::{Log, Mode, Request, Response, Running, Server, handler, record, start};

/// How long [`Server::raw`] waits for the client to speak first.
const RAW_WAIT: Duration = Duration::from_secs(1);
/// How long to wait for the rest of a ClientHello record, and for a client to close
/// after the server has.
const READ_LIMIT: Duration = Duration::from_secs(5);

/// What a TLS-layer server does with a connection.
#[derive(Clone, Debug)]
pub(crate) enum RawMode {
    /// Read the ClientHello, answer with a fatal alert of this description, close.
    Alert(u8),
    /// Read the ClientHello, close.
    CloseAfterHello,
    /// Never send anything; keep the connection open until the client closes it or
    /// the server stops.
    Hang,
    /// Read what comes first, send these bytes, close.
    Bytes(Arc<[u8]>),
}

impl Server {
    /// A server that reads the ClientHello record and answers with a fatal TLS alert
    /// record at record version TLS 1.0 (`15 03 01 00 02 02 <alert>`), then closes.
    /// `70` (protocol_version) models a server that only speaks TLS 1.0/1.1 (Go:
    /// `remote error: tls: protocol version not supported`); `40`
    /// (handshake_failure) one with no cipher suite in common (Go: `remote error:
    /// tls: handshake failure`).
    pub fn tls_alert(alert: u8) -> Running {
        raw_server(RawMode::Alert(alert))
    }

    /// A server that accepts connections and never sends anything, keeping each open
    /// until the client closes it or the server is dropped (a handshake timeout). The
    /// connection is recorded (`tcp ACCEPT`) when accepted.
    pub fn hang() -> Running {
        raw_server(RawMode::Hang)
    }

    /// A server that reads the ClientHello record and closes the connection (Go:
    /// `EOF` during the handshake).
    pub fn close_after_hello() -> Running {
        raw_server(RawMode::CloseAfterHello)
    }

    /// A server that reads what the client sends first (a whole ClientHello record if
    /// it is one; if the client sends nothing within a second, nothing), writes
    /// `bytes`, and closes: e.g. `"SSH-2.0-OpenSSH_9.0\r\n"` for a port that does not
    /// speak TLS (Go: `tls: first record does not look like a TLS handshake`).
    pub fn raw(bytes: impl Into<Vec<u8>>) -> Running {
        raw_server(RawMode::Bytes(bytes.into().into()))
    }
}

fn raw_server(mode: RawMode) -> Running {
    start(
        Mode::Raw(mode),
        handler(|_| Response::new(500, Vec::new())),
        Log::default(),
    )
}

/// Serves one connection as `mode` says.
pub(crate) async fn serve(mut stream: TcpStream, mode: RawMode, log: &Log) -> io::Result<()> {
    if let RawMode::Hang = mode {
        record(log, &accepted(&[]));
        let mut chunk = [0u8; 4096];
        while matches!(stream.read(&mut chunk).await, Ok(n) if n > 0) {}
        return Ok(());
    }
    let wait = match mode {
        RawMode::Bytes(_) => Some(RAW_WAIT),
        _ => None,
    };
    let first = read_first(&mut stream, wait).await;
    record(log, &accepted(&first));
    match mode {
        RawMode::Alert(alert) => {
            stream
                .write_all(&[0x15, 0x03, 0x01, 0x00, 0x02, 0x02, alert])
                .await?;
        }
        RawMode::Bytes(bytes) => stream.write_all(&bytes).await?,
        RawMode::CloseAfterHello | RawMode::Hang => {}
    }
    stream.flush().await?;
    close(stream).await;
    Ok(())
}

/// The client's first bytes: one read, completed to a whole record if it starts a
/// TLS handshake record. With `wait`, gives up (returning nothing) when the client
/// sends nothing for that long.
async fn read_first(stream: &mut TcpStream, wait: Option<Duration>) -> Vec<u8> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let first = match wait {
        Some(wait) => match tokio::time::timeout(wait, stream.read(&mut chunk)).await {
            Ok(read) => read,
            Err(_) => return buf,
        },
        None => stream.read(&mut chunk).await,
    };
    let Ok(n) = first else { return buf };
    buf.extend_from_slice(&chunk[..n]);
    if buf.first() != Some(&0x16) {
        return buf;
    }
    loop {
        if buf.len() >= 5 {
            let need = 5 + usize::from(u16::from_be_bytes([buf[3], buf[4]]));
            if buf.len() >= need {
                return buf;
            }
        }
        match tokio::time::timeout(READ_LIMIT, stream.read(&mut chunk)).await {
            Ok(Ok(n)) if n > 0 => buf.extend_from_slice(&chunk[..n]),
            _ => return buf,
        }
    }
}

/// Closes gracefully: a FIN, then whatever the client still sends is read and dropped
/// until it closes too (or a few seconds pass), so that unread data does not turn the
/// close into a reset that could overtake what was written.
async fn close(mut stream: TcpStream) {
    let _ = stream.shutdown().await;
    let mut chunk = [0u8; 4096];
    let _ = tokio::time::timeout(READ_LIMIT, async {
        while matches!(stream.read(&mut chunk).await, Ok(n) if n > 0) {}
    })
    .await;
}

/// The record of a connection whose first bytes were `first`.
fn accepted(first: &[u8]) -> Request {
    let hello = client_hello(first);
    let mut headers = HashMap::new();
    if let Some(hello) = &hello
        && !hello.alpn.is_empty()
    {
        headers.insert("alpn".to_string(), hello.alpn.join(","));
    }
    Request {
        method: "ACCEPT".to_string(),
        target: String::new(),
        host: hello
            .as_ref()
            .and_then(|h| h.sni.clone())
            .unwrap_or_default(),
        headers,
        scheme: if hello.is_some() { "tls" } else { "tcp" },
    }
}

/// What a ClientHello asked for.
#[derive(Debug, PartialEq, Eq)]
struct ClientHello {
    /// The server_name extension's host name.
    sni: Option<String>,
    /// The ALPN protocols offered, in order.
    alpn: Vec<String>,
}

/// Parses a TLS record holding a ClientHello; `None` if it is not one.
fn client_hello(record: &[u8]) -> Option<ClientHello> {
    let mut rec = Reader(record);
    if rec.u8()? != 0x16 {
        return None;
    }
    rec.take(2)?;
    let mut fragment = Reader(rec.vec16()?);
    if fragment.u8()? != 1 {
        return None;
    }
    let len = fragment.u24()?;
    let mut body = Reader(fragment.0.get(..len).unwrap_or(fragment.0));
    // Version and random, session ID, cipher suites, compression methods.
    body.take(2 + 32)?;
    body.vec8()?;
    body.vec16()?;
    body.vec8()?;
    let mut hello = ClientHello {
        sni: None,
        alpn: Vec::new(),
    };
    if body.0.is_empty() {
        return Some(hello);
    }
    let mut extensions = Reader(body.vec16()?);
    while !extensions.0.is_empty() {
        let kind = extensions.u16()?;
        let mut data = Reader(extensions.vec16()?);
        match kind {
            0 => {
                let mut list = Reader(data.vec16()?);
                while !list.0.is_empty() {
                    let name_type = list.u8()?;
                    let name = list.vec16()?;
                    if name_type == 0 {
                        hello.sni = Some(String::from_utf8_lossy(name).into_owned());
                    }
                }
            }
            16 => {
                let mut list = Reader(data.vec16()?);
                while !list.0.is_empty() {
                    let proto = list.vec8()?;
                    hello.alpn.push(String::from_utf8_lossy(proto).into_owned());
                }
            }
            _ => {}
        }
    }
    Some(hello)
}

/// Reads big-endian fields off the front of a slice.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.0.len() < n {
            return None;
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Some(head)
    }

    /// Bytes after a one-byte length.
    fn vec8(&mut self) -> Option<&'a [u8]> {
        let n = self.u8()?;
        self.take(usize::from(n))
    }

    /// Bytes after a two-byte length.
    fn vec16(&mut self) -> Option<&'a [u8]> {
        let n = self.u16()?;
        self.take(usize::from(n))
    }

    fn u8(&mut self) -> Option<u8> {
        self.take(1).map(|b| b[0])
    }

    fn u16(&mut self) -> Option<u16> {
        self.take(2).map(|b| u16::from_be_bytes([b[0], b[1]]))
    }

    fn u24(&mut self) -> Option<usize> {
        self.take(3)
            .map(|b| usize::from(b[0]) << 16 | usize::from(b[1]) << 8 | usize::from(b[2]))
    }
}

/// A blocking rustls client for the crate's tests.
#[cfg(test)]
pub(crate) mod client {
    use std::io::{self, Read, Write};
    use std::net::{SocketAddr, TcpStream};
    use std::sync::Arc;
    use std::time::Duration;

    use rustls::pki_types::{CertificateDer, ServerName};

    /// A client configuration trusting exactly `roots`, offering ALPN `http/1.1`.
    pub(crate) fn config(roots: &[&CertificateDer<'static>]) -> Arc<rustls::ClientConfig> {
        let mut store = rustls::RootCertStore::empty();
        for root in roots {
            store.add((*root).clone()).expect("root certificate");
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("TLS versions")
            .with_root_certificates(store)
            .with_no_client_auth();
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Arc::new(config)
    }

    /// A client connection to `name` trusting `roots`.
    pub(crate) fn connection(
        name: &str,
        roots: &[&CertificateDer<'static>],
    ) -> rustls::ClientConnection {
        let name = ServerName::try_from(name.to_string()).expect("server name");
        rustls::ClientConnection::new(config(roots), name).expect("client connection")
    }

    /// Connects to `addr` and completes a handshake for `name` trusting `roots`;
    /// returns the chain the server presented.
    pub(crate) fn handshake(
        addr: SocketAddr,
        name: &str,
        roots: &[&CertificateDer<'static>],
    ) -> Result<Vec<CertificateDer<'static>>, rustls::Error> {
        let tcp = TcpStream::connect(addr).expect("connect");
        handshake_over(tcp, name, roots).map(|(conn, _)| {
            conn.peer_certificates()
                .map(<[CertificateDer<'static>]>::to_vec)
                .unwrap_or_default()
        })
    }

    /// A handshake on an open connection; returns the connection and the stream.
    pub(crate) fn handshake_over(
        mut tcp: TcpStream,
        name: &str,
        roots: &[&CertificateDer<'static>],
    ) -> Result<(rustls::ClientConnection, TcpStream), rustls::Error> {
        tcp.set_read_timeout(Some(Duration::from_secs(10)))
            .expect("read timeout");
        let mut conn = connection(name, roots);
        while conn.is_handshaking() {
            conn.complete_io(&mut tcp).map_err(rustls_error)?;
        }
        Ok((conn, tcp))
    }

    /// Sends a GET and reads the answer to the end.
    pub(crate) fn get(
        conn: &mut rustls::ClientConnection,
        tcp: &mut TcpStream,
        host: &str,
    ) -> Result<String, rustls::Error> {
        let mut stream = rustls::Stream::new(conn, tcp);
        stream
            .write_all(
                format!("GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").as_bytes(),
            )
            .map_err(rustls_error)?;
        let mut answer = Vec::new();
        let mut chunk = [0u8; 4096];
        loop {
            match stream.read(&mut chunk) {
                Ok(0) => break,
                Ok(n) => answer.extend_from_slice(&chunk[..n]),
                // Content-Length tells where the answer ends; the server keeps the
                // connection open for more.
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => break,
                Err(e) => return Err(rustls_error(e)),
            }
            if answer.windows(4).any(|w| w == b"\r\n\r\n") && complete(&answer) {
                break;
            }
        }
        Ok(String::from_utf8_lossy(&answer).into_owned())
    }

    /// Whether an HTTP answer has all the body its Content-Length announces.
    fn complete(answer: &[u8]) -> bool {
        let text = String::from_utf8_lossy(answer);
        let Some((head, body)) = text.split_once("\r\n\r\n") else {
            return false;
        };
        head.lines()
            .find_map(|l| l.strip_prefix("Content-Length: "))
            .and_then(|n| n.trim().parse::<usize>().ok())
            .is_some_and(|n| body.len() >= n)
    }

    /// The rustls error inside an I/O error from rustls' I/O helpers.
    pub(crate) fn rustls_error(e: io::Error) -> rustls::Error {
        e.get_ref()
            .and_then(|inner| inner.downcast_ref::<rustls::Error>())
            .cloned()
            .unwrap_or_else(|| rustls::Error::General(e.to_string()))
    }

    /// Sends a CONNECT for `authority` to the proxy at `proxy` and reads the answer's
    /// head; returns the stream and the status line.
    pub(crate) fn connect_through(proxy: SocketAddr, authority: &str) -> (TcpStream, String) {
        let mut tcp = TcpStream::connect(proxy).expect("connect to the proxy");
        tcp.set_read_timeout(Some(Duration::from_secs(10)))
            .expect("read timeout");
        tcp.write_all(
            format!("CONNECT {authority} HTTP/1.1\r\nHost: {authority}\r\n\r\n").as_bytes(),
        )
        .expect("write CONNECT");
        let mut head = Vec::new();
        let mut byte = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") {
            match tcp.read(&mut byte) {
                Ok(1) => head.push(byte[0]),
                _ => break,
            }
        }
        let text = String::from_utf8_lossy(&head);
        let status = text.lines().next().unwrap_or("").to_string();
        (tcp, status)
    }
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};
    use std::net::TcpStream;
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    use rustls::AlertDescription;

    use super::client::{self, connect_through, handshake, handshake_over};
    use super::*;
    use crate::{ConnectMode, ConnectProxy, TestCa};

    /// The ClientHello a rustls client sends for `name`, as one TLS record.
    fn hello_for(name: &str) -> Vec<u8> {
        let mut conn = client::connection(name, &[]);
        let mut out = Vec::new();
        while conn.wants_write() {
            conn.write_tls(&mut out).unwrap();
        }
        out
    }

    fn exchange(server: &Running, send: &[u8]) -> Vec<u8> {
        let mut tcp = TcpStream::connect(server.addr).unwrap();
        tcp.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        tcp.write_all(send).unwrap();
        let mut answer = Vec::new();
        tcp.read_to_end(&mut answer).unwrap();
        answer
    }

    #[test]
    fn parses_sni_and_alpn_from_a_client_hello() {
        let hello = client_hello(&hello_for("example.com")).unwrap();
        assert_eq!(
            hello,
            ClientHello {
                sni: Some("example.com".into()),
                alpn: vec!["http/1.1".into()],
            }
        );
        assert_eq!(client_hello(b"SSH-2.0-x\r\n"), None);
        assert_eq!(client_hello(&[0x16, 3, 1, 0, 9, 1, 0]), None);
    }

    #[test]
    fn alert_server_sends_exactly_the_alert_record() {
        for alert in [70u8, 40] {
            let server = Server::tls_alert(alert);
            let answer = exchange(&server, &hello_for("example.com"));
            assert_eq!(answer, [0x15, 0x03, 0x01, 0x00, 0x02, 0x02, alert]);
            assert_eq!(server.lines(), vec!["tls ACCEPT example.com"]);
            let request = &server.requests()[0];
            assert_eq!(request.method, "ACCEPT");
            assert_eq!(
                request.headers.get("alpn").map(String::as_str),
                Some("http/1.1")
            );
        }
    }

    #[test]
    fn alert_server_fails_a_real_handshake_with_that_alert() {
        let server = Server::tls_alert(70);
        let err = handshake(server.addr, "example.com", &[]).unwrap_err();
        assert_eq!(
            err,
            rustls::Error::AlertReceived(AlertDescription::ProtocolVersion)
        );
        let server = Server::tls_alert(40);
        let err = handshake(server.addr, "example.com", &[]).unwrap_err();
        assert_eq!(
            err,
            rustls::Error::AlertReceived(AlertDescription::HandshakeFailure)
        );
    }

    #[test]
    fn close_after_hello_reads_the_hello_and_closes() {
        let server = Server::close_after_hello();
        assert_eq!(exchange(&server, &hello_for("a.test")), b"");
        assert_eq!(server.lines(), vec!["tls ACCEPT a.test"]);
        let err = handshake(server.addr, "a.test", &[]).unwrap_err();
        assert!(
            matches!(&err, rustls::Error::General(m) if m.contains("end of file")),
            "{err:?}"
        );
    }

    #[test]
    fn raw_server_answers_the_first_bytes_with_its_own() {
        let server = Server::raw("SSH-2.0-OpenSSH_9.0\r\n");
        assert_eq!(
            exchange(&server, &hello_for("example.com")),
            b"SSH-2.0-OpenSSH_9.0\r\n"
        );
        assert_eq!(exchange(&server, b"hello\r\n"), b"SSH-2.0-OpenSSH_9.0\r\n");
        assert_eq!(server.lines(), vec!["tls ACCEPT example.com", "tcp ACCEPT"]);
        // A client that waits for the server to speak first still gets the bytes.
        let mut tcp = TcpStream::connect(server.addr).unwrap();
        tcp.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let mut answer = Vec::new();
        tcp.read_to_end(&mut answer).unwrap();
        assert_eq!(answer, b"SSH-2.0-OpenSSH_9.0\r\n");
    }

    #[test]
    fn hang_server_sends_nothing_and_keeps_the_connection_open() {
        let server = Server::hang();
        let mut tcp = TcpStream::connect(server.addr).unwrap();
        tcp.write_all(&hello_for("example.com")).unwrap();
        tcp.set_read_timeout(Some(Duration::from_millis(300)))
            .unwrap();
        let started = Instant::now();
        let mut byte = [0u8; 1];
        let err = tcp.read(&mut byte).unwrap_err();
        assert!(
            matches!(
                err.kind(),
                std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
            ),
            "{err:?}"
        );
        assert!(started.elapsed() >= Duration::from_millis(250));
        assert_eq!(server.lines(), vec!["tcp ACCEPT"]);
        // Dropping the server closes the connection.
        drop(server);
        tcp.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        assert!(matches!(tcp.read(&mut byte), Ok(0) | Err(_)));
    }

    #[test]
    fn client_auth_server_rejects_a_client_without_a_certificate() {
        let ca = TestCa::new("root");
        let leaf = ca.issue(&["example.com"]);
        let server = Server::https_client_auth(&leaf, handler(|_| Response::text(200, "ok")));
        let tcp = TcpStream::connect(server.addr).unwrap();
        // TLS 1.3: the client's side of the handshake completes; the alert comes on
        // the first read.
        let (mut conn, mut tcp) = handshake_over(tcp, "example.com", &[ca.der()]).unwrap();
        let err = client::get(&mut conn, &mut tcp, "example.com").unwrap_err();
        assert_eq!(
            err,
            rustls::Error::AlertReceived(AlertDescription::CertificateRequired)
        );
        assert!(server.lines().is_empty());
    }

    #[test]
    fn forwarding_proxy_shows_the_upstream_certificate() {
        let ca = TestCa::new("root");
        let leaf = ca.issue(&["example.com"]);
        let upstream = Server::https(&leaf, handler(|_| Response::text(200, "upstream")));
        let other = Arc::new(TestCa::new("proxy CA"));
        let proxy = ConnectProxy::start(
            ConnectMode::Forward(upstream.addr),
            other,
            handler(|_| Response::text(500, "not the proxy")),
        );
        let (tcp, status) = connect_through(proxy.addr, "example.com:443");
        assert_eq!(status, "HTTP/1.1 200 Connection established");
        let (mut conn, mut tcp) = handshake_over(tcp, "example.com", &[ca.der()]).unwrap();
        assert_eq!(conn.peer_certificates().unwrap(), leaf.chain_der());
        let answer = client::get(&mut conn, &mut tcp, "example.com").unwrap();
        assert!(answer.ends_with("upstream\n"), "{answer}");
        assert_eq!(proxy.lines(), vec!["CONNECT example.com:443"]);
        assert_eq!(upstream.lines(), vec!["https GET example.com/"]);
    }

    #[test]
    fn forwarding_proxy_answers_502_when_upstream_is_down() {
        let port = {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            listener.local_addr().unwrap()
        };
        let proxy = ConnectProxy::start(
            ConnectMode::Forward(port),
            Arc::new(TestCa::new("proxy CA")),
            handler(|_| Response::text(500, "")),
        );
        let (_, status) = connect_through(proxy.addr, "example.com:443");
        assert_eq!(status, "HTTP/1.1 502 Bad Gateway");
    }

    #[test]
    #[should_panic(expected = "loopback only")]
    fn forwarding_proxy_refuses_a_non_loopback_upstream() {
        let _ = ConnectProxy::start(
            ConnectMode::Forward("192.0.2.1:443".parse().unwrap()),
            Arc::new(TestCa::new("proxy CA")),
            handler(|_| Response::text(500, "")),
        );
    }

    #[test]
    fn intercepting_proxy_with_an_intermediate_presents_it() {
        let root = TestCa::with_subject("Zscaler Root CA", "Zscaler Inc.");
        let intermediate = Arc::new(root.intermediate("Zscaler Intermediate Root CA"));
        let proxy = ConnectProxy::start(
            ConnectMode::Tunnel,
            Arc::clone(&intermediate),
            handler(|_| Response::text(200, "intercepted")),
        );
        let (tcp, status) = connect_through(proxy.addr, "example.com:443");
        assert_eq!(status, "HTTP/1.1 200 Connection established");
        let (mut conn, mut tcp) = handshake_over(tcp, "example.com", &[root.der()]).unwrap();
        let chain = conn.peer_certificates().unwrap().to_vec();
        assert_eq!(chain.len(), 2);
        assert_eq!(&chain[1], intermediate.der());
        let answer = client::get(&mut conn, &mut tcp, "example.com").unwrap();
        assert!(answer.ends_with("intercepted\n"), "{answer}");
    }
}
