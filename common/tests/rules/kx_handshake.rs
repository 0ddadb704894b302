//! Go's key exchanges in real TLS 1.3 handshakes: a rustls server that accepts only
//! one group (its side of the exchange done by net::kx too) against the client
//! configuration every connection on go's behalf uses. The client sends shares for
//! X25519MLKEM768 and X25519 only, so the other groups go through a
//! HelloRetryRequest, as they would with a server preferring them.

use std::sync::Arc;

use gomod_common::net::hello::GoHello;
use gomod_common::net::kx;
use gomod_common::net::tls::{GoVerifier, go_client_config};
use rcgen::{CertificateParams, KeyPair};
use rustls::crypto::SupportedKxGroup;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName};
use rustls::{ClientConnection, ServerConnection};

fn server(group: &'static dyn SupportedKxGroup) -> Arc<rustls::ServerConfig> {
    let key = KeyPair::generate().unwrap();
    let cert = CertificateParams::new(vec!["example.com".to_string()])
        .unwrap()
        .self_signed(&key)
        .unwrap();
    let provider = rustls::crypto::CryptoProvider {
        kx_groups: vec![group],
        ..rustls::crypto::ring::default_provider()
    };
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(provider))
        .with_protocol_versions(&[&rustls::version::TLS13])
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![CertificateDer::from(cert.der().to_vec())],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
        )
        .unwrap();
    Arc::new(config)
}

/// Moves bytes between the two ends until both are done with the handshake.
fn handshake(client: &mut ClientConnection, server: &mut ServerConnection) -> usize {
    let mut flights = 0;
    while client.is_handshaking() || server.is_handshaking() {
        flights += 1;
        assert!(flights < 20, "the handshake does not end");
        let mut buf = Vec::new();
        while client.wants_write() {
            client.write_tls(&mut buf).unwrap();
        }
        let mut slice = &buf[..];
        while !slice.is_empty() {
            server.read_tls(&mut slice).unwrap();
        }
        server.process_new_packets().unwrap();
        let mut buf = Vec::new();
        while server.wants_write() {
            server.write_tls(&mut buf).unwrap();
        }
        let mut slice = &buf[..];
        while !slice.is_empty() {
            client.read_tls(&mut slice).unwrap();
        }
        client.process_new_packets().unwrap();
    }
    flights
}

#[test]
fn every_group_go_offers_completes_a_handshake() {
    let newest = GoHello::new(Some(27), "");
    for group in [
        kx::X25519MLKEM768,
        kx::SECP256R1MLKEM768,
        kx::SECP384R1MLKEM1024,
        kx::SECP521R1,
        rustls::crypto::ring::kx_group::X25519,
        rustls::crypto::ring::kx_group::SECP256R1,
        rustls::crypto::ring::kx_group::SECP384R1,
    ] {
        let config = go_client_config(Arc::new(GoVerifier::insecure()), &[b"h2"], &newest);
        let mut client =
            ClientConnection::new(config, ServerName::try_from("example.com").unwrap()).unwrap();
        let mut server_end = ServerConnection::new(server(group)).unwrap();
        handshake(&mut client, &mut server_end);
        assert_eq!(
            client.negotiated_key_exchange_group().map(|g| g.name()),
            Some(group.name())
        );
        assert_eq!(
            server_end.negotiated_key_exchange_group().map(|g| g.name()),
            Some(group.name())
        );
    }
}

#[test]
fn without_post_quantum_groups_a_hybrid_only_server_fails() {
    // GODEBUG=tlsmlkem=0: go offers no hybrid, so a server that wants one cannot agree.
    let classic = GoHello::new(Some(27), "tlsmlkem=0");
    let config = go_client_config(Arc::new(GoVerifier::insecure()), &[b"h2"], &classic);
    let mut client =
        ClientConnection::new(config, ServerName::try_from("example.com").unwrap()).unwrap();
    let mut server_end = ServerConnection::new(server(kx::X25519MLKEM768)).unwrap();
    let mut buf = Vec::new();
    while client.wants_write() {
        client.write_tls(&mut buf).unwrap();
    }
    let mut slice = &buf[..];
    while !slice.is_empty() {
        server_end.read_tls(&mut slice).unwrap();
    }
    assert!(server_end.process_new_packets().is_err());
}
