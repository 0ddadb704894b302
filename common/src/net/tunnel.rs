//! The HTTP CONNECT request Go's transport sends to an HTTP(S) proxy for an https
//! target, and its failures as Go words them: a non-200 reply fails with the reason
//! phrase only (`Proxy Authentication Required`, `Forbidden`), a proxy that closes the
//! connection with `unexpected EOF`.

use base64::Engine;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use super::dial::NetError;
use crate::record::Code;

/// The most header bytes accepted in a CONNECT reply.
const MAX_REPLY: usize = 64 * 1024;

/// What the proxy answered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConnectReply {
    /// The status code.
    pub status: u16,
    /// The status line after the code (`Connection established`).
    pub reason: String,
}

/// A failed CONNECT: Go's error, and the proxy's reply when it sent one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConnectFailure {
    pub error: NetError,
    /// The status line, when the proxy answered with something other than 200.
    pub reply: Option<ConnectReply>,
}

impl From<NetError> for ConnectFailure {
    fn from(error: NetError) -> ConnectFailure {
        ConnectFailure { error, reply: None }
    }
}

impl From<ConnectFailure> for NetError {
    fn from(failure: ConnectFailure) -> NetError {
        failure.error
    }
}

/// Sends `CONNECT <authority>` and reads the reply. `proxy_credentials` is the proxy
/// URL's `user:password`, sent as `Proxy-Authorization: Basic`. Returns the reply when
/// the status is 200; anything else is an error with Go's text.
pub async fn connect<S: AsyncRead + AsyncWrite + Unpin>(
    stream: &mut S,
    authority: &str,
    proxy_credentials: Option<&str>,
) -> Result<ConnectReply, ConnectFailure> {
    let mut request = format!("CONNECT {authority} HTTP/1.1\r\nHost: {authority}\r\n");
    if let Some(credentials) = proxy_credentials {
        let token = base64::engine::general_purpose::STANDARD.encode(credentials);
        request.push_str(&format!("Proxy-Authorization: Basic {token}\r\n"));
    }
    request.push_str("\r\n");
    stream
        .write_all(request.as_bytes())
        .await
        .map_err(|e| proxy_io_error(&e, "write"))?;

    // Read byte by byte up to the end of the headers, so nothing of the tunnelled
    // stream is consumed.
    let mut reply = Vec::new();
    let mut byte = [0u8; 1];
    while !reply.ends_with(b"\r\n\r\n") && !reply.ends_with(b"\n\n") {
        match stream.read(&mut byte).await {
            Ok(0) => {
                return Err(NetError::new(Code::ProxyClosed, "unexpected EOF")
                    .with_detail("the proxy closed the connection before answering CONNECT")
                    .into());
            }
            Ok(_) => reply.push(byte[0]),
            Err(e) => {
                return Err(proxy_io_error(&e, "read").into());
            }
        }
        if reply.len() > MAX_REPLY {
            return Err(NetError::new(
                Code::ProxyRefused,
                "net/http: server response headers exceeded the limit",
            )
            .with_detail("the proxy's CONNECT reply headers are too large")
            .into());
        }
    }
    let text = String::from_utf8_lossy(&reply);
    let status_line = text.lines().next().unwrap_or("");
    let parsed = parse_status_line(status_line).ok_or_else(|| {
        NetError::new(
            Code::ProxyRefused,
            format!(
                "malformed HTTP response {}",
                crate::goquote::quote(&crate::record::untrusted(status_line, 200))
            ),
        )
    })?;
    if parsed.status == 200 {
        return Ok(parsed);
    }
    let code = match parsed.status {
        407 => Code::ProxyAuthRequired,
        _ => Code::ProxyRefused,
    };
    let error =
        NetError::new(code, crate::record::untrusted(&parsed.reason, 200)).with_detail(format!(
            "the proxy answered CONNECT with {} {}",
            parsed.status,
            crate::record::untrusted(&parsed.reason, 200)
        ));
    Err(ConnectFailure {
        error,
        reply: Some(parsed),
    })
}

/// Parses `HTTP/1.1 407 Proxy Authentication Required`. Go's status text is the part
/// after the code; an absent reason gives an empty text.
fn parse_status_line(line: &str) -> Option<ConnectReply> {
    let rest = line.strip_prefix("HTTP/")?;
    let (_version, rest) = rest.split_once(' ')?;
    let (code, reason) = rest.split_once(' ').unwrap_or((rest, ""));
    if code.len() != 3 {
        return None;
    }
    let status = code.parse().ok()?;
    Some(ConnectReply {
        status,
        reason: reason.trim_end().to_string(),
    })
}

/// A failed read or write on the way to the proxy, in Go's words.
fn proxy_io_error(err: &std::io::Error, op: &str) -> NetError {
    let mut net = crate::net::dial::classify_io(err, None, None, op);
    net.code = Code::ProxyClosed;
    net
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_lines() {
        assert_eq!(
            parse_status_line("HTTP/1.1 407 Proxy Authentication Required"),
            Some(ConnectReply {
                status: 407,
                reason: "Proxy Authentication Required".into()
            })
        );
        assert_eq!(
            parse_status_line("HTTP/1.0 200"),
            Some(ConnectReply {
                status: 200,
                reason: String::new()
            })
        );
        assert_eq!(parse_status_line("SSH-2.0-OpenSSH"), None);
    }

    #[tokio::test]
    async fn refusal_reports_reason_only() {
        let (mut client, mut server) = tokio::io::duplex(4096);
        let server_task = tokio::spawn(async move {
            let mut buf = vec![0u8; 1024];
            let n = server.read(&mut buf).await.unwrap();
            let request = String::from_utf8_lossy(&buf[..n]).into_owned();
            server
                .write_all(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
                .await
                .unwrap();
            request
        });
        let failure = connect(&mut client, "proxy.golang.org:443", Some("u:p"))
            .await
            .unwrap_err();
        assert_eq!(failure.reply.map(|r| r.status), Some(403));
        let err = failure.error;
        assert_eq!(err.code, Code::ProxyRefused);
        assert_eq!(err.go_text, "Forbidden");
        let request = server_task.await.unwrap();
        assert!(request.starts_with(
            "CONNECT proxy.golang.org:443 HTTP/1.1\r\nHost: proxy.golang.org:443\r\n"
        ));
        assert!(request.contains("Proxy-Authorization: Basic dTpw\r\n"));
    }

    #[tokio::test]
    async fn closed_connection_is_unexpected_eof() {
        let (mut client, server) = tokio::io::duplex(4096);
        drop(server);
        let failure = connect(&mut client, "h:443", None).await.unwrap_err();
        assert_eq!(failure.error.code, Code::ProxyClosed);
        assert_eq!(failure.reply, None);
    }
}
