//! DNS over TLS and DNS over HTTPS against loopback servers with a test CA.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::dns_support::loopback;
use gomod_common::net::dial::SystemResolver;
use gomod_common::net::dns::client::Transport;
use gomod_common::net::dns::lookup::{DnsErrorKind, query_resolver};
use gomod_common::net::http::{HttpClient, HttpSettings};
use gomod_common::net::httpproxy::ProxyConfig;
use gomod_common::net::roots::GoRoots;
use gomod_testsupport::dns::{DotServer, Handler, dnserrors_handler, doh_answer, doh_query};
use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

/// Every lookup here is answered or fails at once: a timeout a loaded machine never
/// reaches.
const T: Duration = Duration::from_secs(10);

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// A CA and a server configuration for 127.0.0.1 signed by it, a client
/// configuration trusting the CA, and the CA certificate.
fn tls_pair() -> (
    Arc<rustls::ServerConfig>,
    Arc<rustls::ClientConfig>,
    CertificateDer<'static>,
) {
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca_key = KeyPair::generate().unwrap();
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca, ca_key);
    let leaf_key = KeyPair::generate().unwrap();
    let leaf = CertificateParams::new(vec!["127.0.0.1".to_string()])
        .unwrap()
        .signed_by(&leaf_key, &issuer)
        .unwrap();
    let server = rustls::ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![leaf.der().clone()],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der())),
        )
        .unwrap();
    let ca_der = CertificateDer::from(ca_cert.der().to_vec());
    let mut roots = rustls::RootCertStore::empty();
    roots.add(ca_der.clone()).unwrap();
    let client = rustls::ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    (Arc::new(server), Arc::new(client), ca_der)
}

fn both() -> Vec<IpAddr> {
    vec![
        IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1)),
        IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1)),
    ]
}

#[tokio::test]
async fn dns_over_tls() {
    let (server_config, client_config, _) = tls_pair();
    let server = DotServer::start(loopback(), server_config, dnserrors_handler());
    let dot = |name: &str| Transport::Tls {
        addr: server.addr(),
        server_name: name.to_string(),
        config: client_config.clone(),
    };
    let mut found = query_resolver(&dot("127.0.0.1"), "ok.test", T)
        .await
        .unwrap();
    found.addrs.sort();
    assert_eq!(found.addrs, both());
    assert!(found.queries.iter().all(|q| q.transport == "tls"));
    assert!(server.queries().iter().all(|q| q.transport == "tls"));

    let err = query_resolver(&dot("127.0.0.1"), "nxdomain.test", T)
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("lookup nxdomain.test on {}: no such host", server.addr())
    );

    let err = query_resolver(&dot("dns.example"), "ok.test", T)
        .await
        .unwrap_err();
    let prefix = format!("lookup ok.test on {}: tls: ", server.addr());
    assert!(err.to_string().starts_with(&prefix), "{err}");
    assert!(matches!(err.kind, DnsErrorKind::Network(_)));
}

/// An HTTPS server answering DoH GETs from `handler`, and the `Accept` headers it saw.
struct DohServer {
    url: String,
    accepts: Arc<Mutex<Vec<String>>>,
}

async fn doh_server(
    config: Arc<rustls::ServerConfig>,
    status: u16,
    content_type: &'static str,
    handler: Handler,
) -> DohServer {
    let listener = TcpListener::bind(loopback()).await.unwrap();
    let url = format!("https://{}/dns-query", listener.local_addr().unwrap());
    let accepts = Arc::new(Mutex::new(Vec::new()));
    let seen = accepts.clone();
    let acceptor = TlsAcceptor::from(config);
    tokio::spawn(async move {
        loop {
            let (tcp, _) = listener.accept().await.unwrap();
            let (acceptor, handler, seen) = (acceptor.clone(), handler.clone(), seen.clone());
            tokio::spawn(async move {
                let mut tls = acceptor.accept(tcp).await.unwrap();
                let mut head = Vec::new();
                while !head.ends_with(b"\r\n\r\n") {
                    let mut byte = [0u8];
                    if tls.read(&mut byte).await.unwrap() == 0 {
                        return;
                    }
                    head.push(byte[0]);
                }
                let head = String::from_utf8(head).unwrap();
                let target = head.split(' ').nth(1).unwrap();
                for line in head.lines() {
                    if let Some((name, value)) = line.split_once(": ")
                        && name.eq_ignore_ascii_case("accept")
                    {
                        seen.lock().unwrap().push(value.to_string());
                    }
                }
                let query = doh_query(target).unwrap();
                let body = tokio::task::spawn_blocking(move || doh_answer(&query, &handler))
                    .await
                    .unwrap();
                let response = format!(
                    "HTTP/1.1 {status} X\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                tls.write_all(response.as_bytes()).await.unwrap();
                tls.write_all(&body).await.unwrap();
                tls.shutdown().await.unwrap();
            });
        }
    });
    DohServer { url, accepts }
}

#[tokio::test]
async fn dns_over_https() {
    let (server_config, _, ca) = tls_pair();
    let ids = Arc::new(Mutex::new(Vec::new()));
    let seen = ids.clone();
    let inner = dnserrors_handler();
    let handler: Handler = Arc::new(move |req| {
        seen.lock().unwrap().push((req.id, req.transport));
        inner(req)
    });
    let server = doh_server(
        server_config.clone(),
        200,
        "application/dns-message",
        handler.clone(),
    )
    .await;
    // The go command's own HTTP client, trusting only the test CA, with no proxy.
    let client = Arc::new(HttpClient::new(HttpSettings {
        proxy: ProxyConfig::from_env(|_| None),
        roots: Arc::new(
            GoRoots {
                certificates: vec![ca],
                ..Default::default()
            }
            .into(),
        ),
        netrc: None,
        netrc_mode: gomod_common::net::netrc::NetrcMode::Newest,
        resolver: Arc::new(SystemResolver::from_etc()),
        connect_timeout: T,
        hello: gomod_common::net::hello::GoHello::new(None, ""),
        goauth: Default::default(),
    }));
    let doh = |url: &str| Transport::Https {
        url: url.to_string(),
        client: client.clone(),
    };

    let mut found = query_resolver(&doh(&server.url), "ok.test", T)
        .await
        .unwrap();
    found.addrs.sort();
    assert_eq!(found.addrs, both());
    assert!(found.queries.iter().all(|q| q.transport == "https"));
    // RFC 8484: ID 0.
    assert_eq!(*ids.lock().unwrap(), vec![(0, "https"), (0, "https")]);
    assert_eq!(
        *server.accepts.lock().unwrap(),
        vec!["application/dns-message"; 2]
    );

    let err = query_resolver(&doh(&server.url), "refused.test", T)
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("lookup refused.test on {}: server misbehaving", server.url)
    );

    let truncated = query_resolver(&doh(&server.url), "truncated.test", T)
        .await
        .unwrap();
    assert_eq!(truncated.addrs.len(), 2);

    let failing = doh_server(server_config.clone(), 500, "text/plain", handler.clone()).await;
    let err = query_resolver(&doh(&failing.url), "ok.test", T)
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "lookup ok.test on {}: DoH server answered HTTP status 500",
            failing.url
        )
    );

    let html = doh_server(server_config, 200, "text/html", handler).await;
    let err = query_resolver(&doh(&html.url), "ok.test", T)
        .await
        .unwrap_err();
    assert!(
        err.to_string().ends_with(
            "DoH server answered Content-Type \"text/html\", not application/dns-message"
        ),
        "{err}"
    );
}
