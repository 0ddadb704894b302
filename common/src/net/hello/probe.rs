//! The hello probe: send a ClientHello as raw bytes and read the server's first
//! answer — a ServerHello, a HelloRetryRequest, an alert, a reset, a close, or
//! silence — without going on with the handshake.

use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use super::build::ext;
use super::{GoHello, build, ja4, parse};
use crate::net::conn::{ConnTrace, Opener, Target};
use crate::net::dial::NetError;
use crate::record::Code;
use crate::record::tls::{HelloProbe, KeyShare};

/// SHA-256("HelloRetryRequest"): the random of a HelloRetryRequest (RFC 8446 4.1.3).
const HRR_RANDOM: [u8; 32] = [
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
];

/// The server's first answer to a ClientHello.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer {
    /// A ServerHello: the version and group chosen (TLS 1.3).
    ServerHello {
        /// The negotiated version (supported_versions, else the legacy field).
        version: u16,
        /// The key share's group, for TLS 1.3.
        group: Option<u16>,
    },
    /// A HelloRetryRequest, asking for a share of another group.
    HelloRetryRequest {
        /// The group asked for.
        group: Option<u16>,
    },
    /// A TLS alert.
    Alert {
        /// Its description code.
        description: u8,
    },
    /// The connection was reset.
    Reset,
    /// The connection was closed without a word.
    Closed,
    /// Nothing within the time allowed.
    Silence,
    /// Bytes that are no TLS handshake (a plain-HTTP server, another protocol).
    NotTls,
}

impl Answer {
    /// The word the record uses: `server_hello`, `hello_retry_request`, `alert`,
    /// `reset`, `closed`, `silence`, `not_tls`.
    pub fn word(&self) -> &'static str {
        match self {
            Answer::ServerHello { .. } => "server_hello",
            Answer::HelloRetryRequest { .. } => "hello_retry_request",
            Answer::Alert { .. } => "alert",
            Answer::Reset => "reset",
            Answer::Closed => "closed",
            Answer::Silence => "silence",
            Answer::NotTls => "not_tls",
        }
    }

    /// Whether the server took the hello (a ServerHello or a HelloRetryRequest).
    pub fn accepted(&self) -> bool {
        matches!(
            self,
            Answer::ServerHello { .. } | Answer::HelloRetryRequest { .. }
        )
    }
}

fn is_reset(err: &std::io::Error) -> bool {
    matches!(
        err.kind(),
        std::io::ErrorKind::ConnectionReset
            | std::io::ErrorKind::ConnectionAborted
            | std::io::ErrorKind::BrokenPipe
    )
}

/// Sends `hello` and reads the first record the server sends, waiting at most
/// `wait` for it.
pub async fn send_hello<S: AsyncRead + AsyncWrite + Unpin>(
    stream: &mut S,
    hello: &[u8],
    wait: Duration,
) -> Answer {
    let exchange = async {
        if let Err(err) = stream.write_all(hello).await {
            return if is_reset(&err) {
                Answer::Reset
            } else {
                Answer::Closed
            };
        }
        let _ = stream.flush().await;
        let mut header = [0u8; 5];
        if let Err(err) = stream.read_exact(&mut header).await {
            return if is_reset(&err) {
                Answer::Reset
            } else {
                Answer::Closed
            };
        }
        let len = u16::from_be_bytes([header[3], header[4]]) as usize;
        if !matches!(header[0], 0x15 | 0x16) || header[1] != 3 || len > 16384 + 2048 {
            return Answer::NotTls;
        }
        let mut body = vec![0u8; len];
        if let Err(err) = stream.read_exact(&mut body).await {
            return if is_reset(&err) {
                Answer::Reset
            } else {
                Answer::Closed
            };
        }
        if header[0] == 0x15 {
            return Answer::Alert {
                description: body.get(1).copied().unwrap_or(0),
            };
        }
        parse_server_hello(&body).unwrap_or(Answer::NotTls)
    };
    tokio::time::timeout(wait, exchange)
        .await
        .unwrap_or(Answer::Silence)
}

/// Reads a ServerHello (or HelloRetryRequest) handshake message.
fn parse_server_hello(body: &[u8]) -> Option<Answer> {
    if body.first() != Some(&2) || body.len() < 4 + 2 + 32 + 1 {
        return None;
    }
    let legacy_version = u16::from_be_bytes([body[4], body[5]]);
    let random = &body[6..38];
    let mut at = 38;
    let sid_len = *body.get(at)? as usize;
    at += 1 + sid_len + 2 + 1;
    let mut version = legacy_version;
    let mut group = None;
    if at + 2 <= body.len() {
        let ext_len = u16::from_be_bytes([body[at], body[at + 1]]) as usize;
        at += 2;
        let end = (at + ext_len).min(body.len());
        while at + 4 <= end {
            let id = u16::from_be_bytes([body[at], body[at + 1]]);
            let len = u16::from_be_bytes([body[at + 2], body[at + 3]]) as usize;
            let data = body.get(at + 4..at + 4 + len)?;
            match id {
                ext::SUPPORTED_VERSIONS if data.len() >= 2 => {
                    version = u16::from_be_bytes([data[0], data[1]]);
                }
                ext::KEY_SHARE if data.len() >= 2 => {
                    group = Some(u16::from_be_bytes([data[0], data[1]]));
                }
                _ => {}
            }
            at += 4 + len;
        }
    }
    Some(if random == HRR_RANDOM {
        Answer::HelloRetryRequest { group }
    } else {
        Answer::ServerHello { version, group }
    })
}

/// Sends `go`'s exact ClientHello on a new connection to `target` (through the proxy
/// go would use) and records the first answer, waiting at most `wait`. Fails only
/// when no connection could be opened.
pub async fn probe(
    opener: &Opener<'_>,
    target: Target<'_>,
    go: &GoHello,
    wait: Duration,
) -> Result<HelloProbe, NetError> {
    let mut trace = ConnTrace::default();
    let (mut stream, _) = tokio::time::timeout(wait, opener.open(target, &mut trace))
        .await
        .map_err(|_| NetError::new(Code::TcpTimeout, "i/o timeout"))??;
    let sni = target
        .host
        .parse::<std::net::IpAddr>()
        .is_err()
        .then_some(target.host);
    let alpn: Vec<&str> = go
        .alpn()
        .into_iter()
        .map(|p| std::str::from_utf8(p).unwrap_or_default())
        .collect();
    let bytes = build(go, sni, &alpn);
    let started = std::time::Instant::now();
    let answer = send_hello(&mut stream, &bytes, wait).await;
    let ms = started.elapsed().as_millis() as u64;
    let parsed = parse(&bytes).unwrap_or_default();
    let (alert, server_group) = match &answer {
        Answer::Alert { description } => (
            Some(crate::net::tls::alert_text(rustls::AlertDescription::from(
                *description,
            ))),
            None,
        ),
        Answer::ServerHello { group, .. } | Answer::HelloRetryRequest { group } => {
            (None, group.map(super::group::name))
        }
        _ => (None, None),
    };
    Ok(HelloProbe {
        go: go.go_release(),
        godebug: go.godebug.text(),
        bytes: bytes.len(),
        groups: parsed
            .groups
            .iter()
            .map(|g| super::group::name(*g))
            .collect(),
        key_shares: parsed
            .key_shares
            .iter()
            .map(|(g, n)| KeyShare {
                group: super::group::name(*g),
                bytes: *n,
            })
            .collect(),
        ja4: ja4(&parsed),
        answer: answer.word().to_string(),
        alert,
        server_group,
        ms,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn reads_an_alert_and_notices_silence() {
        let (mut client, mut server) = tokio::io::duplex(65536);
        let answer = tokio::spawn(async move {
            let mut buf = [0u8; 2048];
            let _ = server.read(&mut buf).await;
            server.write_all(&[0x15, 3, 3, 0, 2, 2, 40]).await.unwrap();
            server
        });
        let got = send_hello(&mut client, b"hello", Duration::from_secs(30)).await;
        assert_eq!(got, Answer::Alert { description: 40 });
        let _server = answer.await.unwrap();
        let (mut client, _server) = tokio::io::duplex(65536);
        let got = send_hello(&mut client, b"hello", Duration::from_millis(50)).await;
        assert_eq!(got, Answer::Silence);
    }

    #[test]
    fn tells_a_retry_request_from_a_server_hello() {
        let mut msg = vec![2, 0, 0, 0, 3, 3];
        msg.extend(HRR_RANDOM);
        msg.extend([0, 0x13, 0x01, 0]);
        msg.extend([0, 6, 0, 0x33, 0, 2, 0x00, 0x17]);
        assert_eq!(
            parse_server_hello(&msg),
            Some(Answer::HelloRetryRequest { group: Some(0x17) })
        );
        msg[6] ^= 1;
        assert_eq!(
            parse_server_hello(&msg),
            Some(Answer::ServerHello {
                version: 0x0303,
                group: Some(0x17)
            })
        );
    }
}
