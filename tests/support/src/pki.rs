//! A test PKI made with rcgen at test time: root and intermediate CAs (with a subject
//! of the caller's choice, so a CA can pose as a TLS-inspection product), leaves with
//! chosen validity, Common-Name-only leaves, CA certificates used as leaves, and
//! self-signed leaves. A [`Leaf`] carries the chain a server presents, so a test can
//! serve leaf + intermediate, or leave the intermediate out.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::server::danger::ClientCertVerifier;
use sha2::{Digest, Sha256};

/// The Organization of CAs made by [`TestCa::new`].
const TEST_ORGANIZATION: &str = "gomod-tools tests";

/// A certificate authority for tests: a self-signed root ([`TestCa::new`],
/// [`TestCa::with_subject`]) or an intermediate signed by another CA
/// ([`TestCa::intermediate`]).
pub struct TestCa {
    issuer: Issuer<'static, KeyPair>,
    der: CertificateDer<'static>,
    pem: String,
    organization: String,
    /// What a server whose leaf this CA issued presents after the leaf for a complete
    /// chain: nothing for a root; this certificate and the ones above it, up to but
    /// not including the root, for an intermediate.
    intermediates: Vec<CertificateDer<'static>>,
}

impl TestCa {
    /// A new root CA with Common Name `name` and Organization `gomod-tools tests`.
    pub fn new(name: &str) -> TestCa {
        TestCa::with_subject(name, TEST_ORGANIZATION)
    }

    /// A new root CA whose subject is `CN=common_name,O=organization` (as Go prints
    /// it), e.g. `TestCa::with_subject("Zscaler Root CA", "Zscaler Inc.")` to model a
    /// TLS-inspection product's root.
    pub fn with_subject(common_name: &str, organization: &str) -> TestCa {
        TestCa::root_with(common_name, organization, &LeafOptions::default())
    }

    /// A root CA like [`TestCa::with_subject`], with the validity period of
    /// `options`: an expired root, for example (Go refuses it; webpki does not look).
    pub fn root_with(common_name: &str, organization: &str, options: &LeafOptions) -> TestCa {
        let mut params = ca_params(common_name, organization);
        apply_validity(&mut params, options);
        if options.negative_serial {
            params.serial_number = Some(rcgen::SerialNumber::from_slice(&POSITIVE_SERIAL));
        }
        let key = KeyPair::generate().expect("key generation");
        let cert = params.self_signed(&key).expect("self-signed CA");
        let der = if options.negative_serial || options.sha1_signature {
            CertificateDer::from(resign(
                cert.der(),
                &key,
                options.negative_serial,
                options.sha1_signature,
            ))
        } else {
            cert.der().clone()
        };
        TestCa {
            pem: pem(&der),
            der,
            issuer: Issuer::new(params, key),
            organization: organization.to_string(),
            intermediates: Vec::new(),
        }
    }

    /// An intermediate CA named `name`, signed by this CA, with this CA's
    /// Organization. Its [`pem`](TestCa::pem) and [`der`](TestCa::der) are the
    /// intermediate certificate. Leaves it issues present only themselves; use
    /// [`Leaf::with_chain`] to add the intermediate (a client trusting only the root
    /// needs it).
    pub fn intermediate(&self, name: &str) -> TestCa {
        self.intermediate_with(name, &LeafOptions::default())
    }

    /// Like [`TestCa::intermediate`], with the validity period of `options` (the
    /// other options do not apply to a CA): an expired intermediate, for example.
    pub fn intermediate_with(&self, name: &str, options: &LeafOptions) -> TestCa {
        let mut params = ca_params(name, &self.organization);
        apply_validity(&mut params, options);
        let key = KeyPair::generate().expect("key generation");
        let cert = params
            .signed_by(&key, &self.issuer)
            .expect("signing the intermediate");
        let der = cert.der().clone();
        let mut intermediates = vec![der.clone()];
        intermediates.extend(self.intermediates.iter().cloned());
        TestCa {
            der,
            pem: cert.pem(),
            issuer: Issuer::new(params, key),
            organization: self.organization.clone(),
            intermediates,
        }
    }

    /// The CA certificate in PEM.
    pub fn pem(&self) -> &str {
        &self.pem
    }

    /// The CA certificate in DER.
    pub fn der(&self) -> &CertificateDer<'static> {
        &self.der
    }

    /// The SHA-256 fingerprint of the CA certificate's DER: lower-case hex, no
    /// separators.
    pub fn sha256_hex(&self) -> String {
        sha256_hex(&self.der)
    }

    /// Writes the CA certificate to `dir/name` and returns the path.
    ///
    /// # Panics
    /// If the file cannot be written.
    pub fn write_pem(&self, dir: &Path, name: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, &self.pem).expect("write CA PEM");
        path
    }

    /// Issues a leaf certificate for `names` (DNS names or IP addresses, as SANs; the
    /// first is also the Common Name), valid from 1975 to 4096. It presents only
    /// itself.
    ///
    /// # Panics
    /// If a name is neither a DNS name nor an IP address.
    pub fn issue(&self, names: &[&str]) -> Leaf {
        self.issue_with(names, LeafOptions::default())
    }

    /// Issues a leaf certificate for `names` as `options` say. It presents only
    /// itself.
    ///
    /// # Panics
    /// If a name is neither a DNS name nor an IP address, or a time in `options` is
    /// outside the years 1 to 9999.
    pub fn issue_with(&self, names: &[&str], options: LeafOptions) -> Leaf {
        make_leaf(names, &options, Some(&self.issuer))
    }

    /// A leaf for `names` followed by this CA's complete chain below the root (nothing
    /// for a root CA; the intermediates for an intermediate). Used by the intercepting
    /// proxy.
    pub(crate) fn issue_chained(&self, names: &[&str]) -> Leaf {
        let mut leaf = self.issue(names);
        leaf.chain.extend(self.intermediates.iter().cloned());
        leaf
    }
}

/// How [`TestCa::issue_with`] and [`Leaf::self_signed_with`] make a leaf. The default
/// is what [`TestCa::issue`] makes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LeafOptions {
    /// Start of validity; `None` is 1975-01-01. Kept to the second.
    pub not_before: Option<SystemTime>,
    /// End of validity; `None` is 4096-01-01. Kept to the second.
    pub not_after: Option<SystemTime>,
    /// No subject alternative names: the first name is only the Common Name (Go
    /// rejects such a certificate: "certificate relies on legacy Common Name field").
    pub common_name_only: bool,
    /// Make the leaf a CA certificate (basic constraints CA:TRUE, key usage
    /// certificate signing) while still naming `names`.
    pub is_ca: bool,
    /// An Authority Information Access extension pointing at the issuer's
    /// certificate (`caIssuers`), as public CAs put in every leaf.
    pub ca_issuers: Option<String>,
    /// A negative serial number (DER INTEGER whose first byte has the top bit set),
    /// as some TLS-inspection CAs make: go1.23 and later refuse to parse it.
    pub negative_serial: bool,
    /// Signed with ECDSA and SHA-1 (`ecdsa-with-SHA1`) as far as the certificate
    /// says: go refuses the algorithm before it looks at the signature, so the
    /// signature value itself is the SHA-256 one.
    pub sha1_signature: bool,
}

impl LeafOptions {
    /// Valid from 30 days ago until 1 day ago.
    pub fn expired() -> LeafOptions {
        let now = SystemTime::now();
        LeafOptions {
            not_before: Some(now - Duration::from_secs(30 * 86400)),
            not_after: Some(now - Duration::from_secs(86400)),
            ..LeafOptions::default()
        }
    }

    /// Valid from 1 day from now until 30 days from now.
    pub fn not_yet_valid() -> LeafOptions {
        let now = SystemTime::now();
        LeafOptions {
            not_before: Some(now + Duration::from_secs(86400)),
            not_after: Some(now + Duration::from_secs(30 * 86400)),
            ..LeafOptions::default()
        }
    }
}

/// A leaf certificate, its private key, and the chain a server presents with it (the
/// leaf first).
#[derive(Clone)]
pub struct Leaf {
    chain: Vec<CertificateDer<'static>>,
    key: Vec<u8>,
}

impl Leaf {
    /// A self-signed leaf (not a CA) for `names`, valid from 1975 to 4096.
    ///
    /// # Panics
    /// If a name is neither a DNS name nor an IP address.
    pub fn self_signed(names: &[&str]) -> Leaf {
        Leaf::self_signed_with(names, LeafOptions::default())
    }

    /// A self-signed leaf for `names` as `options` say.
    ///
    /// # Panics
    /// As [`TestCa::issue_with`].
    pub fn self_signed_with(names: &[&str], options: LeafOptions) -> Leaf {
        make_leaf(names, &options, None)
    }

    /// This leaf, presenting also `extra`'s certificate after the certificates it
    /// already presents (e.g. `intermediate.issue(..).with_chain(&intermediate)` for
    /// leaf + intermediate).
    pub fn with_chain(mut self, extra: &TestCa) -> Leaf {
        self.chain.push(extra.der.clone());
        self
    }

    /// The leaf certificate in DER.
    pub fn leaf_der(&self) -> &CertificateDer<'static> {
        &self.chain[0]
    }

    /// The leaf certificate in PEM.
    pub fn pem(&self) -> String {
        pem(self.leaf_der())
    }

    /// The leaf's private key in PEM (PKCS #8), for servers not written in Rust.
    pub fn key_pem(&self) -> String {
        pem_block("PRIVATE KEY", &self.key)
    }

    /// The certificates a server presents, leaf first, in DER.
    pub fn chain_der(&self) -> &[CertificateDer<'static>] {
        &self.chain
    }

    /// The certificates a server presents, leaf first, in PEM, one after the other.
    pub fn chain_pem(&self) -> String {
        self.chain.iter().map(|der| pem(der)).collect()
    }

    /// The SHA-256 fingerprint of the leaf certificate's DER: lower-case hex, no
    /// separators.
    pub fn sha256_hex(&self) -> String {
        sha256_hex(self.leaf_der())
    }

    /// A server configuration presenting this leaf's chain (ALPN `http/1.1`).
    ///
    /// # Panics
    /// Never for leaves made by this crate.
    pub fn server_config(&self) -> Arc<rustls::ServerConfig> {
        self.config(None)
    }

    /// Like [`Leaf::server_config`], also requiring a client certificate that
    /// `client_verifier` accepts.
    pub(crate) fn config(
        &self,
        client_verifier: Option<Arc<dyn ClientCertVerifier>>,
    ) -> Arc<rustls::ServerConfig> {
        let builder = rustls::ServerConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .expect("TLS versions");
        let builder = match client_verifier {
            Some(verifier) => builder.with_client_cert_verifier(verifier),
            None => builder.with_no_client_auth(),
        };
        let mut config = builder
            .with_single_cert(
                self.chain.clone(),
                PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(self.key.clone())),
            )
            .expect("server certificate");
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Arc::new(config)
    }
}

/// A verifier requiring a client certificate issued by a CA made for the purpose and
/// given to nobody, so no client passes it.
pub(crate) fn unsatisfiable_client_verifier() -> Arc<dyn ClientCertVerifier> {
    let ca = TestCa::new("gomod-tools client CA");
    let mut roots = rustls::RootCertStore::empty();
    roots.add(ca.der.clone()).expect("client CA certificate");
    rustls::server::WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider())
        .build()
        .expect("client verifier")
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn ca_params(common_name: &str, organization: &str) -> CertificateParams {
    let mut params = CertificateParams::default();
    // Organization first, as real CAs have it: Go prints `CN=...,O=...`.
    params.distinguished_name = rcgen::DistinguishedName::new();
    params
        .distinguished_name
        .push(DnType::OrganizationName, organization);
    params
        .distinguished_name
        .push(DnType::CommonName, common_name);
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    params
}

/// Sets the validity period `options` asks for.
fn apply_validity(params: &mut CertificateParams, options: &LeafOptions) {
    // Seconds since the epoch to rcgen's time type, without naming it.
    let epoch = rcgen::date_time_ymd(1970, 1, 1);
    let at = |t: SystemTime| match t.duration_since(UNIX_EPOCH) {
        Ok(after) => epoch + Duration::from_secs(after.as_secs()),
        Err(before) => {
            let d = before.duration();
            epoch - Duration::from_secs(d.as_secs() + u64::from(d.subsec_nanos() > 0))
        }
    };
    if let Some(t) = options.not_before {
        params.not_before = at(t);
    }
    if let Some(t) = options.not_after {
        params.not_after = at(t);
    }
}

/// A leaf signed by `issuer`, or self-signed without one.
fn make_leaf(names: &[&str], options: &LeafOptions, issuer: Option<&Issuer<'_, KeyPair>>) -> Leaf {
    let sans = if options.common_name_only {
        Vec::new()
    } else {
        names.iter().map(|n| n.to_string()).collect::<Vec<_>>()
    };
    let mut params = CertificateParams::new(sans).expect("valid names");
    params
        .distinguished_name
        .push(DnType::CommonName, names.first().copied().unwrap_or("leaf"));
    apply_validity(&mut params, options);
    if options.is_ca {
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::DigitalSignature,
        ];
    }
    if let Some(url) = &options.ca_issuers {
        params
            .custom_extensions
            .push(rcgen::CustomExtension::from_oid_content(
                &[1, 3, 6, 1, 5, 5, 7, 1, 1],
                authority_info_access(url),
            ));
    }
    if options.negative_serial {
        // Positive as rcgen writes it; made negative (same length) below.
        params.serial_number = Some(rcgen::SerialNumber::from_slice(&POSITIVE_SERIAL));
    }
    let key = KeyPair::generate().expect("key generation");
    let cert = match issuer {
        Some(issuer) => params.signed_by(&key, issuer),
        None => params.self_signed(&key),
    }
    .expect("signing the leaf");
    let mut der = cert.der().to_vec();
    if options.negative_serial || options.sha1_signature {
        let signer: &KeyPair = issuer.map_or(&key, |i| i.key());
        der = resign(
            &der,
            signer,
            options.negative_serial,
            options.sha1_signature,
        );
    }
    Leaf {
        chain: vec![CertificateDer::from(der)],
        key: key.serialize_der(),
    }
}

/// The serial number a certificate to be made negative is first issued with: its
/// first byte becomes 0xff, so the length stays the same.
const POSITIVE_SERIAL: [u8; 8] = [0x7f, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07];

/// A DER element at the start of `der`: (header length, content length).
fn der_element(der: &[u8]) -> (usize, usize) {
    let first = der[1];
    if first < 0x80 {
        return (2, first as usize);
    }
    let n = (first & 0x7f) as usize;
    let len = der[2..2 + n]
        .iter()
        .fold(0usize, |acc, b| (acc << 8) | *b as usize);
    (2 + n, len)
}

/// A DER element with this tag and content.
fn der_encode(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else if len < 0x100 {
        out.extend([0x81, len as u8]);
    } else {
        out.extend([0x82, (len >> 8) as u8, len as u8]);
    }
    out.extend_from_slice(content);
    out
}

/// The certificate `der` (made by rcgen with ECDSA P-256 and SHA-256) changed and
/// signed again with `signer`: its serial number made negative, and/or its signature
/// algorithm named ecdsa-with-SHA1 (in the TBS and outside it).
fn resign(der: &[u8], signer: &KeyPair, negative_serial: bool, sha1: bool) -> Vec<u8> {
    const SHA256_ALG: &[u8] = &[
        0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02,
    ];
    const SHA1_ALG: &[u8] = &[
        0x30, 0x09, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x01,
    ];
    let (outer_header, _) = der_element(der);
    let tbs_at = &der[outer_header..];
    let (tbs_header, tbs_len) = der_element(tbs_at);
    let tbs = &tbs_at[..tbs_header + tbs_len];
    let alg = &tbs_at[tbs_header + tbs_len..];
    let (alg_header, alg_len) = der_element(alg);
    let mut alg = alg[..alg_header + alg_len].to_vec();
    let mut content = tbs[tbs_header..].to_vec();
    if negative_serial {
        // [0] version, then the serial INTEGER: its first content byte gets the top bit.
        let (version_header, version_len) = der_element(&content);
        let serial_at = version_header + version_len;
        assert_eq!(content[serial_at], 0x02, "serial INTEGER");
        let (serial_header, _) = der_element(&content[serial_at..]);
        content[serial_at + serial_header] |= 0x80;
    }
    if sha1 {
        assert_eq!(alg, SHA256_ALG, "rcgen signs with ecdsa-with-SHA256");
        let at = content
            .windows(SHA256_ALG.len())
            .position(|w| w == SHA256_ALG)
            .expect("signature algorithm in the TBS");
        content.splice(at..at + SHA256_ALG.len(), SHA1_ALG.iter().copied());
        alg = SHA1_ALG.to_vec();
    }
    let tbs = der_encode(0x30, &content);
    let signature = rcgen::SigningKey::sign(signer, &tbs).expect("signing");
    let mut bits = vec![0u8];
    bits.extend(signature);
    let mut body = tbs;
    body.extend(alg);
    body.extend(der_encode(0x03, &bits));
    der_encode(0x30, &body)
}

/// The DER of an Authority Information Access extension value with one `caIssuers`
/// URI.
fn authority_info_access(url: &str) -> Vec<u8> {
    fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
        let mut out = vec![tag];
        let len = content.len();
        if len < 0x80 {
            out.push(len as u8);
        } else {
            out.extend([0x82, (len >> 8) as u8, len as u8]);
        }
        out.extend_from_slice(content);
        out
    }
    let ca_issuers_oid = [0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x02];
    let mut description = ca_issuers_oid.to_vec();
    description.extend(tlv(0x86, url.as_bytes()));
    tlv(0x30, &tlv(0x30, &description))
}

/// PEM for one certificate, lines of 64 characters.
fn pem(der: &[u8]) -> String {
    pem_block("CERTIFICATE", der)
}

/// PEM of one block of DER with this label, lines of 64 characters.
fn pem_block(label: &str, der: &[u8]) -> String {
    let body = STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in body.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(line).unwrap_or_default());
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

fn sha256_hex(der: &[u8]) -> String {
    Sha256::digest(der)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, SystemTime, UNIX_EPOCH};

    use rustls::CertificateError;
    use rustls::pki_types::pem::PemObject;
    use x509_parser::prelude::{FromDer, X509Certificate};

    use super::*;
    use crate::tls::client::handshake;
    use crate::{Response, Server, handler};

    fn parse(der: &[u8]) -> X509Certificate<'_> {
        X509Certificate::from_der(der).unwrap().1
    }

    /// The subject's attributes in DER order, as (short name, value).
    fn subject(der: &[u8]) -> Vec<(String, String)> {
        parse(der)
            .subject()
            .iter_attributes()
            .map(|a| {
                let name = match a.attr_type().to_id_string().as_str() {
                    "2.5.4.3" => "CN".to_string(),
                    "2.5.4.10" => "O".to_string(),
                    other => other.to_string(),
                };
                (name, a.as_str().unwrap().to_string())
            })
            .collect()
    }

    fn ok() -> crate::Handler {
        handler(|_| Response::text(200, "ok"))
    }

    fn secs(t: SystemTime) -> u64 {
        t.duration_since(UNIX_EPOCH).unwrap().as_secs()
    }

    #[test]
    fn root_verifies_a_leaf_it_issued() {
        let ca = TestCa::new("root");
        let leaf = ca.issue(&["example.com", "127.0.0.1"]);
        let server = Server::https(&leaf, ok());
        let chain = handshake(server.addr, "example.com", &[ca.der()]).unwrap();
        assert_eq!(chain, leaf.chain_der());
        assert_eq!(chain.len(), 1);
        handshake(server.addr, "127.0.0.1", &[ca.der()]).unwrap();
        let other = TestCa::new("other");
        assert_eq!(
            handshake(server.addr, "example.com", &[other.der()]).unwrap_err(),
            rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer)
        );
    }

    #[test]
    fn intermediate_chain_verifies_and_missing_intermediate_does_not() {
        let root = TestCa::new("root");
        let intermediate = root.intermediate("intermediate");
        assert_eq!(
            subject(intermediate.der()),
            vec![
                ("O".to_string(), TEST_ORGANIZATION.to_string()),
                ("CN".to_string(), "intermediate".to_string())
            ]
        );
        let cert = parse(intermediate.der());
        assert!(cert.is_ca());
        assert_eq!(cert.issuer(), parse(root.der()).subject());

        let full = intermediate
            .issue(&["example.com"])
            .with_chain(&intermediate);
        assert_eq!(full.chain_der().len(), 2);
        let server = Server::https(&full, ok());
        let chain = handshake(server.addr, "example.com", &[root.der()]).unwrap();
        assert_eq!(chain, full.chain_der());
        assert_eq!(&chain[1], intermediate.der());

        let bare = intermediate.issue(&["example.com"]);
        assert_eq!(bare.chain_der().len(), 1);
        let server = Server::https(&bare, ok());
        assert_eq!(
            handshake(server.addr, "example.com", &[root.der()]).unwrap_err(),
            rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer)
        );
        // Trusting the intermediate itself is enough.
        handshake(server.addr, "example.com", &[intermediate.der()]).unwrap();
    }

    #[test]
    fn a_second_level_intermediate_chains_up() {
        let root = TestCa::new("root");
        let first = root.intermediate("first");
        let second = first.intermediate("second");
        let leaf = second
            .issue(&["example.com"])
            .with_chain(&second)
            .with_chain(&first);
        let server = Server::https(&leaf, ok());
        let chain = handshake(server.addr, "example.com", &[root.der()]).unwrap();
        assert_eq!(chain.len(), 3);
        assert_eq!(second.issue_chained(&["x.test"]).chain_der().len(), 3);
        assert_eq!(root.issue_chained(&["x.test"]).chain_der().len(), 1);
    }

    #[test]
    fn subject_carries_the_organization() {
        let ca = TestCa::with_subject("Zscaler Root CA", "Zscaler Inc.");
        assert_eq!(
            subject(ca.der()),
            vec![
                ("O".to_string(), "Zscaler Inc.".to_string()),
                ("CN".to_string(), "Zscaler Root CA".to_string())
            ]
        );
        let intermediate = ca.intermediate("Zscaler Intermediate Root CA");
        assert_eq!(subject(intermediate.der())[0].1, "Zscaler Inc.");
        let leaf = intermediate.issue(&["example.com"]);
        let cert = parse(leaf.leaf_der());
        assert_eq!(cert.issuer(), parse(intermediate.der()).subject());
        assert_eq!(subject(TestCa::new("plain").der())[1].1, "plain");
    }

    #[test]
    fn expired_leaf_has_the_requested_validity() {
        let ca = TestCa::new("root");
        let now = SystemTime::now();
        let not_before = now - Duration::from_secs(10 * 86400);
        let not_after = now - Duration::from_secs(3600);
        let leaf = ca.issue_with(
            &["example.com"],
            LeafOptions {
                not_before: Some(not_before),
                not_after: Some(not_after),
                ..LeafOptions::default()
            },
        );
        let validity = parse(leaf.leaf_der()).validity().clone();
        assert_eq!(validity.not_before.timestamp() as u64, secs(not_before));
        assert_eq!(validity.not_after.timestamp() as u64, secs(not_after));

        let server = Server::https(&leaf, ok());
        match handshake(server.addr, "example.com", &[ca.der()]).unwrap_err() {
            rustls::Error::InvalidCertificate(CertificateError::ExpiredContext {
                not_after: seen,
                ..
            }) => assert_eq!(seen.as_secs(), secs(not_after)),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn not_yet_valid_leaf_is_refused() {
        let ca = TestCa::new("root");
        let options = LeafOptions::not_yet_valid();
        let not_before = options.not_before.unwrap();
        let leaf = ca.issue_with(&["example.com"], options);
        let server = Server::https(&leaf, ok());
        match handshake(server.addr, "example.com", &[ca.der()]).unwrap_err() {
            rustls::Error::InvalidCertificate(CertificateError::NotValidYetContext {
                not_before: seen,
                ..
            }) => assert_eq!(seen.as_secs(), secs(not_before)),
            other => panic!("{other:?}"),
        }
        let expired = LeafOptions::expired();
        assert!(expired.not_after.unwrap() < SystemTime::now());
        assert!(expired.not_before < expired.not_after);
    }

    #[test]
    fn default_validity_is_unchanged() {
        let leaf = TestCa::new("root").issue(&["example.com"]);
        let validity = parse(leaf.leaf_der()).validity().clone();
        assert_eq!(validity.not_before.to_datetime().year(), 1975);
        assert_eq!(validity.not_after.to_datetime().year(), 4096);
    }

    #[test]
    fn times_before_1970_are_kept() {
        let t = UNIX_EPOCH - Duration::from_millis(86_400_500);
        let leaf = Leaf::self_signed_with(
            &["example.com"],
            LeafOptions {
                not_before: Some(t),
                ..LeafOptions::default()
            },
        );
        let cert = parse(leaf.leaf_der());
        assert_eq!(cert.validity().not_before.timestamp(), -86_401);
    }

    #[test]
    fn common_name_only_leaf_has_no_sans() {
        let ca = TestCa::new("root");
        let leaf = ca.issue_with(
            &["example.com"],
            LeafOptions {
                common_name_only: true,
                ..LeafOptions::default()
            },
        );
        let cert = parse(leaf.leaf_der());
        assert!(cert.subject_alternative_name().unwrap().is_none());
        assert_eq!(
            subject(leaf.leaf_der()),
            vec![("CN".into(), "example.com".into())]
        );
        let server = Server::https(&leaf, ok());
        assert!(matches!(
            handshake(server.addr, "example.com", &[ca.der()]).unwrap_err(),
            rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. }
            )
        ));
    }

    #[test]
    fn ca_certificate_as_leaf_is_refused_by_webpki() {
        let ca = TestCa::new("root");
        let leaf = ca.issue_with(
            &["example.com"],
            LeafOptions {
                is_ca: true,
                ..LeafOptions::default()
            },
        );
        let cert = parse(leaf.leaf_der());
        assert!(cert.is_ca());
        assert!(cert.subject_alternative_name().unwrap().is_some());
        let server = Server::https(&leaf, ok());
        match handshake(server.addr, "example.com", &[ca.der()]).unwrap_err() {
            rustls::Error::InvalidCertificate(CertificateError::Other(other)) => {
                assert!(other.to_string().contains("CaUsedAsEndEntity"), "{other}")
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn self_signed_leaf_is_its_own_issuer_and_not_a_ca() {
        let leaf = Leaf::self_signed(&["example.com"]);
        let cert = parse(leaf.leaf_der());
        assert_eq!(cert.subject(), cert.issuer());
        assert!(!cert.is_ca());
        assert_eq!(leaf.chain_der().len(), 1);
        let server = Server::https(&leaf, ok());
        let ca = TestCa::new("root");
        assert_eq!(
            handshake(server.addr, "example.com", &[ca.der()]).unwrap_err(),
            rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer)
        );
    }

    #[test]
    fn pem_and_fingerprints() {
        let root = TestCa::new("root");
        let intermediate = root.intermediate("intermediate");
        let leaf = intermediate
            .issue(&["example.com"])
            .with_chain(&intermediate);
        let parsed: Vec<CertificateDer<'static>> =
            CertificateDer::pem_slice_iter(leaf.chain_pem().as_bytes())
                .collect::<Result<_, _>>()
                .unwrap();
        assert_eq!(parsed, leaf.chain_der());
        assert_eq!(
            CertificateDer::from_pem_slice(leaf.pem().as_bytes()).unwrap(),
            *leaf.leaf_der()
        );
        assert_eq!(
            CertificateDer::from_pem_slice(root.pem().as_bytes()).unwrap(),
            *root.der()
        );
        assert!(leaf.chain_pem().lines().all(|l| l.len() <= 64));

        let dir = std::env::temp_dir().join(format!("gomod-testsupport-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = intermediate.write_pem(&dir, "ca.pem");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), intermediate.pem());
        let _ = std::fs::remove_dir_all(&dir);

        for hex in [
            root.sha256_hex(),
            intermediate.sha256_hex(),
            leaf.sha256_hex(),
        ] {
            assert_eq!(hex.len(), 64);
            assert!(
                hex.bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
            );
        }
        assert_ne!(root.sha256_hex(), intermediate.sha256_hex());
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
