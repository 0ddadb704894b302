//! `--server` values: which resolver, over which transport.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use gomod_common::gourl;
use gomod_common::net::dns::client::{DohClient, Transport};

/// A resolver given with `--server`.
#[derive(Clone, Debug)]
pub struct ServerSpec {
    /// The value as given: the record's `resolver`.
    pub label: String,
    pub transport: Transport,
}

/// What the TLS and HTTPS transports need, made only when a value asks for them.
pub trait Clients {
    /// A client configuration with Go's trust store, for DNS over TLS.
    fn tls_config(&mut self) -> Arc<rustls::ClientConfig>;
    /// The go command's HTTP client, for DNS over HTTPS.
    fn doh_client(&mut self) -> Arc<dyn DohClient>;
}

/// Parses one `--server` value: `IP[:PORT]` (UDP with TCP after truncation),
/// `udp://…`, `tcp://IP[:PORT]`, `tls://IP[:PORT][#NAME]` or `https://HOST/PATH`.
pub fn parse(value: &str, clients: &mut dyn Clients) -> Result<ServerSpec, String> {
    let transport = if let Some(rest) = value.strip_prefix("tcp://") {
        Transport::Tcp(socket_addr(rest, 53)?)
    } else if let Some(rest) = value.strip_prefix("udp://") {
        Transport::Udp(socket_addr(rest, 53)?)
    } else if let Some(rest) = value.strip_prefix("tls://") {
        let (addr, name) = match rest.split_once('#') {
            Some((addr, name)) if !name.is_empty() => (addr, Some(name)),
            Some(_) => return Err("the certificate name after # is empty".to_string()),
            None => (rest, None),
        };
        let addr = socket_addr(addr, 853)?;
        let server_name = name.map_or_else(|| addr.ip().to_string(), str::to_string);
        Transport::Tls {
            addr,
            server_name,
            config: clients.tls_config(),
        }
    } else if value.starts_with("https://") {
        let url = gourl::parse(value).map_err(|e| format!("not a usable URL: {e}"))?;
        if url.hostname().is_empty() {
            return Err("the URL has no host".to_string());
        }
        Transport::Https {
            url: value.to_string(),
            client: clients.doh_client(),
        }
    } else if value.contains("://") {
        return Err("the scheme must be tcp://, udp://, tls:// or https://".to_string());
    } else {
        Transport::Udp(socket_addr(value, 53)?)
    };
    Ok(ServerSpec {
        label: value.to_string(),
        transport,
    })
}

/// `IP`, `IP:PORT`, `IPv6` or `[IPv6]:PORT`.
fn socket_addr(text: &str, default_port: u16) -> Result<SocketAddr, String> {
    if let Ok(addr) = text.parse::<SocketAddr>() {
        return Ok(addr);
    }
    let bare = text
        .strip_prefix('[')
        .and_then(|t| t.strip_suffix(']'))
        .unwrap_or(text);
    match bare.parse::<IpAddr>() {
        Ok(ip) => Ok(SocketAddr::new(ip, default_port)),
        Err(_) => Err(format!(
            "{} is not an IP address (with an optional port): name the resolver by address",
            gomod_common::goquote::quote(text)
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct NoClients;

    impl Clients for NoClients {
        fn tls_config(&mut self) -> Arc<rustls::ClientConfig> {
            gomod_common::net::tls::client_config(
                Arc::new(gomod_common::net::tls::GoVerifier::insecure()),
                &[],
            )
        }
        fn doh_client(&mut self) -> Arc<dyn DohClient> {
            struct Never;
            impl DohClient for Never {
                fn get<'a>(
                    &'a self,
                    _: &'a str,
                ) -> std::pin::Pin<
                    Box<
                        dyn std::future::Future<
                                Output = Result<
                                    gomod_common::net::dns::client::DohResponse,
                                    String,
                                >,
                            > + Send
                            + 'a,
                    >,
                > {
                    Box::pin(async { Err("unused".to_string()) })
                }
            }
            Arc::new(Never)
        }
    }

    fn describe(value: &str) -> String {
        match parse(value, &mut NoClients) {
            Ok(spec) => match spec.transport {
                Transport::Tls {
                    addr, server_name, ..
                } => format!("tls {addr} {server_name}"),
                other => format!("{other:?}"),
            },
            Err(e) => format!("error: {e}"),
        }
    }

    #[test]
    fn server_values() {
        assert_eq!(describe("1.1.1.1"), "udp 1.1.1.1:53");
        assert_eq!(describe("127.0.0.1:5353"), "udp 127.0.0.1:5353");
        assert_eq!(describe("::1"), "udp [::1]:53");
        assert_eq!(describe("[::1]:5353"), "udp [::1]:5353");
        assert_eq!(describe("udp://9.9.9.9"), "udp 9.9.9.9:53");
        assert_eq!(describe("tcp://9.9.9.9"), "tcp 9.9.9.9:53");
        assert_eq!(describe("tls://9.9.9.9"), "tls 9.9.9.9:853 9.9.9.9");
        assert_eq!(
            describe("tls://9.9.9.9:8853#dns.quad9.net"),
            "tls 9.9.9.9:8853 dns.quad9.net"
        );
        assert_eq!(
            describe("https://dns.google/dns-query"),
            "https https://dns.google/dns-query"
        );
        for bad in [
            "dns.google",
            "tls://dns.quad9.net",
            "tls://9.9.9.9#",
            "quic://1.1.1.1",
            "https://",
            "1.1.1.1:99999",
        ] {
            assert!(describe(bad).starts_with("error: "), "{bad}");
        }
    }
}
