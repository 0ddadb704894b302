//! The exact bytes of go's ClientHello: one TLS record, fields and extensions in the
//! order of go's `clientHelloMsg.marshal`, real key shares of go's sizes.

use rustls::crypto::SupportedKxGroup;
use rustls::crypto::ring::kx_group;

use super::{GoHello, group};
use crate::net::kx;

/// Extension code points, in the order go writes them.
pub mod ext {
    /// server_name.
    pub const SERVER_NAME: u16 = 0x0000;
    /// status_request (OCSP stapling).
    pub const STATUS_REQUEST: u16 = 0x0005;
    /// supported_groups.
    pub const SUPPORTED_GROUPS: u16 = 0x000a;
    /// ec_point_formats.
    pub const EC_POINT_FORMATS: u16 = 0x000b;
    /// signature_algorithms.
    pub const SIGNATURE_ALGORITHMS: u16 = 0x000d;
    /// application_layer_protocol_negotiation.
    pub const ALPN: u16 = 0x0010;
    /// signed_certificate_timestamp.
    pub const SCT: u16 = 0x0012;
    /// extended_master_secret.
    pub const EXTENDED_MASTER_SECRET: u16 = 0x0017;
    /// supported_versions.
    pub const SUPPORTED_VERSIONS: u16 = 0x002b;
    /// signature_algorithms_cert.
    pub const SIGNATURE_ALGORITHMS_CERT: u16 = 0x0032;
    /// key_share.
    pub const KEY_SHARE: u16 = 0x0033;
    /// renegotiation_info.
    pub const RENEGOTIATION_INFO: u16 = 0xff01;
}

fn u16_list(values: &[u16]) -> Vec<u8> {
    let mut out = Vec::with_capacity(2 + values.len() * 2);
    out.extend(((values.len() * 2) as u16).to_be_bytes());
    for v in values {
        out.extend(v.to_be_bytes());
    }
    out
}

fn push_ext(exts: &mut Vec<u8>, id: u16, data: &[u8]) {
    exts.extend(id.to_be_bytes());
    exts.extend((data.len() as u16).to_be_bytes());
    exts.extend(data);
}

fn kx_for(id: u16) -> Option<&'static dyn SupportedKxGroup> {
    Some(match id {
        group::X25519_MLKEM768 | group::X25519_KYBER768_DRAFT00 => kx::X25519MLKEM768,
        group::SECP256R1_MLKEM768 => kx::SECP256R1MLKEM768,
        group::SECP384R1_MLKEM1024 => kx::SECP384R1MLKEM1024,
        group::X25519 => kx_group::X25519,
        group::P256 => kx_group::SECP256R1,
        group::P384 => kx_group::SECP384R1,
        group::P521 => kx::SECP521R1,
        _ => return None,
    })
}

/// Fresh key shares for go's hello: the first group's and the ECDH half of a hybrid
/// (from the same key) when that group is offered.
fn key_shares(hello: &GoHello) -> Vec<(u16, Vec<u8>)> {
    let groups = hello.groups();
    let first = groups[0];
    let Some(kx) = kx_for(first).and_then(|kx| kx.start().ok()) else {
        return Vec::new();
    };
    let mut share = kx.pub_key().to_vec();
    if first == group::X25519_KYBER768_DRAFT00 {
        // X25519 first, then the Kyber768 key (encoded as an ML-KEM-768 key is).
        share.rotate_right(32);
    }
    let mut shares = vec![(first, share)];
    if let Some((component, data)) = kx.hybrid_component() {
        let id = u16::from(component);
        if groups.contains(&id) {
            shares.push((id, data.to_vec()));
        }
    }
    shares
}

/// The ClientHello go sends, as one TLS record: `sni` is the server name (None for an
/// IP address, which go does not send), `alpn` the protocols (`h2`, `http/1.1` for the
/// go command's HTTPS requests).
pub fn build(hello: &GoHello, sni: Option<&str>, alpn: &[&str]) -> Vec<u8> {
    let mut random = [0u8; 64];
    let _ = ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut random);
    let mut exts = Vec::new();
    if let Some(name) = sni.filter(|n| !n.is_empty()) {
        let name = name.trim_end_matches('.');
        let mut data = Vec::new();
        data.extend(((name.len() + 3) as u16).to_be_bytes());
        data.push(0);
        data.extend((name.len() as u16).to_be_bytes());
        data.extend(name.as_bytes());
        push_ext(&mut exts, ext::SERVER_NAME, &data);
    }
    push_ext(&mut exts, ext::EC_POINT_FORMATS, &[1, 0]);
    push_ext(&mut exts, ext::RENEGOTIATION_INFO, &[0]);
    push_ext(&mut exts, ext::EXTENDED_MASTER_SECRET, &[]);
    push_ext(&mut exts, ext::SCT, &[]);
    push_ext(&mut exts, ext::STATUS_REQUEST, &[1, 0, 0, 0, 0]);
    push_ext(&mut exts, ext::SUPPORTED_GROUPS, &u16_list(&hello.groups()));
    push_ext(
        &mut exts,
        ext::SIGNATURE_ALGORITHMS,
        &u16_list(&hello.signature_algorithms()),
    );
    if let Some(cert) = hello.signature_algorithms_cert() {
        push_ext(&mut exts, ext::SIGNATURE_ALGORITHMS_CERT, &u16_list(&cert));
    }
    if !alpn.is_empty() {
        let mut list = Vec::new();
        for proto in alpn {
            list.push(proto.len() as u8);
            list.extend(proto.as_bytes());
        }
        let mut data = (list.len() as u16).to_be_bytes().to_vec();
        data.extend(list);
        push_ext(&mut exts, ext::ALPN, &data);
    }
    push_ext(
        &mut exts,
        ext::SUPPORTED_VERSIONS,
        &[4, 0x03, 0x04, 0x03, 0x03],
    );
    let mut shares = Vec::new();
    for (id, data) in key_shares(hello) {
        shares.extend(id.to_be_bytes());
        shares.extend((data.len() as u16).to_be_bytes());
        shares.extend(data);
    }
    let mut data = (shares.len() as u16).to_be_bytes().to_vec();
    data.extend(shares);
    push_ext(&mut exts, ext::KEY_SHARE, &data);

    let mut body = vec![0x03, 0x03];
    body.extend(&random[..32]);
    body.push(32);
    body.extend(&random[32..]);
    body.extend(u16_list(&hello.cipher_suites()));
    body.extend([1, 0]);
    body.extend((exts.len() as u16).to_be_bytes());
    body.extend(exts);

    let mut handshake = vec![1];
    handshake.extend(&(body.len() as u32).to_be_bytes()[1..]);
    handshake.extend(body);
    let mut record = vec![0x16, 0x03, 0x01];
    record.extend((handshake.len() as u16).to_be_bytes());
    record.extend(handshake);
    record
}
