//! TLS as Go's client does it: TLS 1.2 minimum, ALPN `h2` and `http/1.1`, SNI from the
//! host name (none for IP literals), certificates verified against Go's trust store
//! with Go's rules and in Go's order — the leaf's validity period, then the host name
//! (DNS names against DNS SANs with left-most wildcards, IPs against IP SANs, never
//! the Common Name), then the chain — and every failure worded as Go words it
//! (`tls: failed to verify certificate: x509: ...`, `remote error: tls: ...`).

use std::io;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll};
use std::time::{Duration, SystemTime};

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{
    AlertDescription, CertificateError, DigitallySignedStruct, OtherError, RootCertStore,
    SignatureScheme,
};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use x509_parser::prelude::{FromDer, GeneralName, X509Certificate};

use super::certinfo;
use super::dial::NetError;
use super::gochain::{self, ChainError};
use super::hello::{GoHello, group};
use super::kx;
use super::roots::{GoRoots, LazyRoots};
use crate::godebug::Godebug;
use crate::record::Code;

/// The part of go's `InsecureAlgorithmError` text that names a SHA-1 or MD5 signature.
pub const INSECURE_ALGORITHM: &str = "x509: cannot verify signature: insecure algorithm";

/// How long Go's HTTP transport waits for a TLS handshake.
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// The crypto provider for verifying (ring: ECDHE suites only, as newest Go).
pub fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// The crypto provider of a connection made on go's behalf: go's key exchanges in
/// go's order (the first one gets the key share, a hybrid's ECDH half a second one),
/// and the cipher suites rustls has in go's order.
pub fn go_provider(hello: &GoHello) -> Arc<rustls::crypto::CryptoProvider> {
    use rustls::crypto::ring::{cipher_suite as cs, kx_group};
    let kx_groups = hello
        .groups()
        .into_iter()
        .filter_map(|id| {
            Some(match id {
                group::X25519_MLKEM768 => kx::X25519MLKEM768,
                group::SECP256R1_MLKEM768 => kx::SECP256R1MLKEM768,
                group::SECP384R1_MLKEM1024 => kx::SECP384R1MLKEM1024,
                group::X25519 => kx_group::X25519,
                group::P256 => kx_group::SECP256R1,
                group::P384 => kx_group::SECP384R1,
                group::P521 => kx::SECP521R1,
                // go1.23's X25519Kyber768Draft00 is not implemented.
                _ => return None,
            })
        })
        .collect();
    let cipher_suites = hello
        .cipher_suites()
        .into_iter()
        .filter_map(|id| {
            Some(match id {
                0xc02b => cs::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
                0xc02f => cs::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
                0xc02c => cs::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
                0xc030 => cs::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
                0xcca9 => cs::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
                0xcca8 => cs::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
                0x1301 => cs::TLS13_AES_128_GCM_SHA256,
                0x1302 => cs::TLS13_AES_256_GCM_SHA384,
                0x1303 => cs::TLS13_CHACHA20_POLY1305_SHA256,
                _ => return None,
            })
        })
        .collect();
    Arc::new(rustls::crypto::CryptoProvider {
        cipher_suites,
        kx_groups,
        ..rustls::crypto::ring::default_provider()
    })
}

/// A certificate failure carried through rustls to the caller, with Go's wording.
#[derive(Clone, Debug)]
pub struct GoCertError {
    /// Stable code.
    pub code: Code,
    /// Go's x509 text (without the `tls: failed to verify certificate: ` prefix).
    pub x509_text: String,
}

impl std::fmt::Display for GoCertError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.x509_text)
    }
}

impl std::error::Error for GoCertError {}

fn cert_error(code: Code, x509_text: String) -> rustls::Error {
    rustls::Error::InvalidCertificate(CertificateError::Other(OtherError(Arc::new(GoCertError {
        code,
        x509_text,
    }))))
}

/// Verifies server certificates the way Go's `crypto/x509` does for an HTTPS client.
#[derive(Debug)]
pub struct GoVerifier {
    chain: Option<Arc<WebPkiServerVerifier>>,
    /// The pool, for Go's own chain walk (see [`super::gochain`]).
    roots: Arc<Vec<CertificateDer<'static>>>,
    roots_load_error: Option<String>,
    provider: Arc<rustls::crypto::CryptoProvider>,
    /// Accept any certificate (Go's `InsecureSkipVerify`, used for GOINSECURE go-get
    /// fetches); handshake signatures are still checked.
    skip_verify: bool,
    /// The go release and GODEBUG whose x509 rules apply (the pool's).
    godebug: Godebug,
}

impl GoVerifier {
    /// A verifier that accepts any certificate but still checks the handshake
    /// signatures, as Go's `InsecureSkipVerify` does.
    pub fn insecure() -> GoVerifier {
        GoVerifier {
            chain: None,
            roots: Arc::default(),
            roots_load_error: None,
            provider: provider(),
            skip_verify: true,
            godebug: Godebug::default(),
        }
    }

    /// A verifier trusting exactly `roots`.
    pub fn new(roots: &GoRoots) -> GoVerifier {
        let provider = provider();
        let mut store = RootCertStore::empty();
        store.add_parsable_certificates(roots.certificates.iter().cloned());
        let chain = if store.is_empty() {
            None
        } else {
            WebPkiServerVerifier::builder_with_provider(Arc::new(store), Arc::clone(&provider))
                .build()
                .ok()
        };
        GoVerifier {
            chain,
            roots: Arc::new(roots.certificates.clone()),
            roots_load_error: roots.load_error.clone(),
            provider,
            skip_verify: false,
            godebug: roots.godebug.clone(),
        }
    }
}

impl GoVerifier {
    /// Verifies a chain received earlier (leaf first) for `host` at `now`, exactly as
    /// this verifier would have during the handshake; a failure is worded as Go's
    /// client reports it (`tls: failed to verify certificate: x509: ...`).
    pub fn verify_presented(
        &self,
        chain: &[CertificateDer<'static>],
        host: &str,
        now: SystemTime,
    ) -> Result<(), NetError> {
        let Some((leaf, intermediates)) = chain.split_first() else {
            return Err(NetError::new(
                Code::TlsHandshakeFailed,
                "tls: server sent no certificates",
            ));
        };
        let server_name = ServerName::try_from(host.to_string()).map_err(|_| {
            NetError::new(
                Code::TlsHandshakeFailed,
                format!("tls: invalid server name {}", crate::goquote::quote(host)),
            )
        })?;
        let since_epoch = now
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap_or_default();
        self.verify_server_cert(
            leaf,
            intermediates,
            &server_name,
            &[],
            UnixTime::since_unix_epoch(since_epoch),
        )
        .map(|_| ())
        .map_err(|err| classify_rustls_error(&err, &[]))
    }
}

/// A [`GoVerifier`] for a [`LazyRoots`] pool, built at the first certificate it has to
/// verify: a run that makes no HTTPS connection never loads the trust store.
#[derive(Debug)]
pub struct LazyVerifier {
    roots: Arc<LazyRoots>,
    verifier: OnceLock<GoVerifier>,
    provider: Arc<rustls::crypto::CryptoProvider>,
}

impl LazyVerifier {
    /// A verifier that will trust exactly `roots`.
    pub fn new(roots: Arc<LazyRoots>) -> LazyVerifier {
        LazyVerifier {
            roots,
            verifier: OnceLock::new(),
            provider: provider(),
        }
    }

    fn verifier(&self) -> &GoVerifier {
        self.verifier
            .get_or_init(|| GoVerifier::new(self.roots.get()))
    }
}

impl ServerCertVerifier for LazyVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        self.verifier().verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        )
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.verifier().verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.verifier().verify_tls13_signature(message, cert, dss)
    }

    // Asked for every ClientHello, before any certificate arrives: answered without
    // loading the roots.
    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        in_go_order(
            self.provider
                .signature_verification_algorithms
                .supported_schemes(),
        )
    }
}

/// Accepts any certificate chain — handshake signatures are still checked, as with
/// [`GoVerifier::insecure`] — and keeps a copy, so that one handshake's chain can be
/// verified afterwards against several trust stores.
#[derive(Debug)]
pub struct CapturingVerifier {
    inner: GoVerifier,
    captured: std::sync::Mutex<Option<Vec<CertificateDer<'static>>>>,
}

impl Default for CapturingVerifier {
    fn default() -> Self {
        // Every certificate any go would parse is captured: the go release's own
        // parse rules (a negative serial number) are applied when the chain is judged.
        CapturingVerifier {
            inner: GoVerifier {
                godebug: Godebug::new(None, "x509negativeserial=1"),
                ..GoVerifier::insecure()
            },
            captured: std::sync::Mutex::new(None),
        }
    }
}

impl CapturingVerifier {
    /// The chain the server presented (leaf first), once it has.
    pub fn chain(&self) -> Option<Vec<CertificateDer<'static>>> {
        self.captured.lock().ok().and_then(|c| c.clone())
    }
}

impl ServerCertVerifier for CapturingVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if let Ok(mut captured) = self.captured.lock() {
            let chain = std::iter::once(end_entity)
                .chain(intermediates)
                .map(|c| c.clone().into_owned())
                .collect();
            *captured = Some(chain);
        }
        self.inner
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

impl ServerCertVerifier for GoVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        // Go parses every certificate the server sent before anything else, also
        // with InsecureSkipVerify (`tls: failed to parse certificate from server: ...`).
        if !self.godebug.accepts_negative_serial()
            && std::iter::once(end_entity)
                .chain(intermediates)
                .any(|c| certinfo::negative_serial(c.as_ref()))
        {
            return Err(cert_error(
                Code::TlsNegativeSerial,
                format!(
                    "failed to parse certificate from server: {}",
                    certinfo::NEGATIVE_SERIAL
                ),
            ));
        }
        if self.skip_verify {
            return Ok(ServerCertVerified::assertion());
        }
        let host = match server_name {
            ServerName::DnsName(name) => name.as_ref().to_string(),
            ServerName::IpAddress(ip) => IpAddr::from(*ip).to_string(),
            _ => String::new(),
        };
        let (_, leaf) = X509Certificate::from_der(end_entity.as_ref()).map_err(|e| {
            cert_error(
                Code::TlsHandshakeFailed,
                format!("failed to parse certificate from server: {e}"),
            )
        })?;
        check_validity(&leaf, now)?;
        check_hostname(&leaf, &host)?;
        let Some(chain) = &self.chain else {
            return Err(match &self.roots_load_error {
                Some(err) => cert_error(
                    Code::TlsNoRoots,
                    format!("x509: failed to load system roots and no roots provided; {err}"),
                ),
                None => cert_error(
                    Code::TlsNoRoots,
                    "x509: certificate signed by unknown authority".to_string(),
                ),
            });
        };
        let webpki =
            chain.verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now);
        let at = SystemTime::UNIX_EPOCH + Duration::from_secs(now.as_secs());
        let walked = gochain::build(end_entity.as_ref(), intermediates, &self.roots, at);
        match (webpki, walked) {
            (Ok(verified), Ok(())) => Ok(verified),
            // webpki does not check the validity period of roots; Go does.
            (Ok(verified), Err(go)) => match go {
                ChainError::Invalid { expired, .. } => Err(cert_error(
                    if expired {
                        Code::TlsExpired
                    } else {
                        Code::TlsNotYetValid
                    },
                    go.text(),
                )),
                _ => Ok(verified),
            },
            // Both refuse: Go's walk has Go's words.
            (Err(_), Err(go)) => {
                let code = match &go {
                    ChainError::Invalid { expired: true, .. } => Code::TlsExpired,
                    ChainError::Invalid { expired: false, .. } => Code::TlsNotYetValid,
                    ChainError::UnknownAuthority {
                        hint: Some((text, _)),
                    } if text.contains(INSECURE_ALGORITHM) => Code::TlsInsecureSignature,
                    ChainError::UnknownAuthority { .. }
                        if looks_incomplete(end_entity, intermediates, &self.roots) =>
                    {
                        Code::TlsIncompleteChain
                    }
                    _ => Code::TlsUnknownAuthority,
                };
                Err(cert_error(code, go.text()))
            }
            // Go trusts a leaf that is itself in the pool (a self-signed certificate
            // installed as a root); webpki does not take an end entity as an anchor.
            (Err(_), Ok(()))
                if self
                    .roots
                    .iter()
                    .any(|root| root.as_ref() == end_entity.as_ref()) =>
            {
                Ok(ServerCertVerified::assertion())
            }
            // Go does not refuse a CA certificate as the server's own.
            (Err(rustls::Error::InvalidCertificate(CertificateError::Other(other))), Ok(()))
                if other
                    .0
                    .downcast_ref::<webpki::Error>()
                    .is_some_and(|e| matches!(e, webpki::Error::CaUsedAsEndEntity)) =>
            {
                Ok(ServerCertVerified::assertion())
            }
            (Err(err), Ok(())) => Err(match err {
                rustls::Error::InvalidCertificate(
                    CertificateError::InvalidPurpose
                    | CertificateError::InvalidPurposeContext { .. },
                ) => cert_error(
                    Code::TlsUnknownAuthority,
                    "x509: certificate specifies an incompatible key usage".to_string(),
                ),
                rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer) => cert_error(
                    Code::TlsUnknownAuthority,
                    "x509: certificate signed by unknown authority".to_string(),
                ),
                rustls::Error::InvalidCertificate(
                    CertificateError::NotValidForName
                    | CertificateError::NotValidForNameContext { .. },
                ) => cert_error(
                    Code::TlsNameMismatch,
                    format!("x509: certificate is not valid for {host}"),
                ),
                rustls::Error::InvalidCertificate(other) => {
                    let (code, text) = certificate_error_text(&other);
                    cert_error(code, text.to_string())
                }
                other => other,
            }),
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        in_go_order(
            self.provider
                .signature_verification_algorithms
                .supported_schemes(),
        )
    }
}

/// The signature schemes rustls can verify, in the order Go's ClientHello lists
/// them (`defaultSupportedSignatureAlgorithms`: RSA-PSS SHA-256, ECDSA P-256,
/// Ed25519, ...); those Go does not list come last.
fn in_go_order(mut schemes: Vec<SignatureScheme>) -> Vec<SignatureScheme> {
    const GO_ORDER: [u16; 10] = [
        0x0804, 0x0403, 0x0807, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601, 0x0503, 0x0603,
    ];
    schemes.sort_by_key(|s| {
        GO_ORDER
            .iter()
            .position(|g| *g == u16::from(*s))
            .unwrap_or(GO_ORDER.len())
    });
    schemes
}

/// A client configuration with the parameters of the newest go and the given
/// verifier. `alpn` lists the protocols to offer (Go's transport offers `h2` and
/// `http/1.1`).
pub fn client_config(
    verifier: Arc<dyn ServerCertVerifier>,
    alpn: &[&[u8]],
) -> Arc<rustls::ClientConfig> {
    go_client_config(verifier, alpn, &GoHello::new(None, ""))
}

/// A client configuration offering what `hello` (a go release and its GODEBUG)
/// offers: its groups in its order and its key shares, TLS 1.3 and 1.2, the cipher
/// suites rustls has in go's order.
pub fn go_client_config(
    verifier: Arc<dyn ServerCertVerifier>,
    alpn: &[&[u8]],
    hello: &GoHello,
) -> Arc<rustls::ClientConfig> {
    let provider = go_provider(hello);
    let builder = rustls::ClientConfig::builder_with_provider(Arc::clone(&provider))
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .unwrap_or_else(|_| {
            rustls::ClientConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()
                .expect("ring supports TLS 1.2 and 1.3")
        });
    let mut config = builder
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    Arc::new(config)
}

/// Go's check of the leaf's validity period (`isValid` for the leaf), which comes
/// before the host name and the chain.
fn check_validity(leaf: &X509Certificate<'_>, now: UnixTime) -> Result<(), rustls::Error> {
    let now_secs = i64::try_from(now.as_secs()).unwrap_or(i64::MAX);
    let not_before = leaf.validity().not_before.timestamp();
    let not_after = leaf.validity().not_after.timestamp();
    if now_secs < not_before {
        return Err(cert_error(
            Code::TlsNotYetValid,
            format!(
                "x509: certificate has expired or is not yet valid: current time {} is before {}",
                rfc3339_secs(now_secs),
                rfc3339_secs(not_before)
            ),
        ));
    }
    if now_secs > not_after {
        return Err(cert_error(
            Code::TlsExpired,
            format!(
                "x509: certificate has expired or is not yet valid: current time {} is after {}",
                rfc3339_secs(now_secs),
                rfc3339_secs(not_after)
            ),
        ));
    }
    Ok(())
}

fn rfc3339_secs(secs: i64) -> String {
    let time = if secs >= 0 {
        SystemTime::UNIX_EPOCH + Duration::from_secs(secs.unsigned_abs())
    } else {
        SystemTime::UNIX_EPOCH - Duration::from_secs(secs.unsigned_abs())
    };
    humantime::format_rfc3339_seconds(time).to_string()
}

/// Whether an unverifiable chain most likely lacks an intermediate rather than comes
/// from a CA nobody here trusts. Its top certificate is not self-issued (a self-signed
/// leaf or a presented root lacks nothing) and either names where its issuer's
/// certificate can be fetched, as public CAs do (which Go, unlike browsers, never
/// does), or is issued by a CA of an organization that has a root in `roots`: that
/// organization's intermediate was not sent.
fn looks_incomplete(
    leaf: &CertificateDer<'_>,
    intermediates: &[CertificateDer<'_>],
    roots: &[CertificateDer<'static>],
) -> bool {
    let top = intermediates.last().unwrap_or(leaf);
    let Some((subject, issuer)) = super::certinfo::raw_names(top.as_ref()) else {
        return false;
    };
    if subject == issuer {
        return false;
    }
    if super::certinfo::names_ca_issuers(top.as_ref()) {
        return true;
    }
    let Some((_, Some(issuer_org))) = super::certinfo::organizations(top.as_ref()) else {
        return false;
    };
    roots.iter().any(|root| {
        super::certinfo::organizations(root.as_ref())
            .is_some_and(|(org, _)| org.as_deref() == Some(issuer_org.as_str()))
    })
}

/// The names a certificate is valid for, as Go reads them: DNS SANs and IP SANs.
pub fn san_names(cert: &X509Certificate<'_>) -> (Vec<String>, Vec<IpAddr>, bool) {
    let mut dns = Vec::new();
    let mut ips = Vec::new();
    let mut has_san = false;
    if let Ok(Some(san)) = cert.subject_alternative_name() {
        has_san = true;
        for name in &san.value.general_names {
            match name {
                GeneralName::DNSName(d) => dns.push((*d).to_string()),
                GeneralName::IPAddress(bytes) => {
                    if let Ok(v4) = <[u8; 4]>::try_from(*bytes) {
                        ips.push(IpAddr::from(v4));
                    } else if let Ok(v6) = <[u8; 16]>::try_from(*bytes) {
                        ips.push(IpAddr::from(v6));
                    }
                }
                _ => {}
            }
        }
    }
    (dns, ips, has_san)
}

/// Go's `VerifyHostname` and `HostnameError` wording.
fn check_hostname(leaf: &X509Certificate<'_>, host: &str) -> Result<(), rustls::Error> {
    let (dns_names, ips, has_san) = san_names(leaf);
    let candidate_ip = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    let candidate_ip = candidate_ip.split('%').next().unwrap_or(candidate_ip);
    let ip = candidate_ip.parse::<IpAddr>().ok();
    let matched = match ip {
        // IP addresses only match IP SANs (RFC 6125, appendix B.2).
        Some(ip) => ips.contains(&ip),
        None => hostname_matches(&dns_names, host),
    };
    if matched {
        return Ok(());
    }
    // Go's HostnameError.Error: the host as checked (an IP without brackets).
    let checked = if ip.is_some() { candidate_ip } else { host };
    let common_name = leaf
        .subject()
        .iter_common_name()
        .next()
        .and_then(|cn| cn.as_str().ok().map(str::to_string));
    let legacy_common_name = !has_san
        && common_name
            .as_deref()
            .is_some_and(|cn| hostname_matches(&[cn.to_string()], checked));
    let text = if legacy_common_name {
        "x509: certificate relies on legacy Common Name field, use SANs instead".to_string()
    } else if let Some(ip) = ip {
        if ips.is_empty() {
            format!(
                "x509: cannot validate certificate for {ip} because it doesn't contain any IP SANs"
            )
        } else if ips.len() >= 100 {
            format!(
                "x509: certificate is valid for {} IP SANs, but none matched {ip}",
                ips.len()
            )
        } else {
            let list: Vec<String> = ips.iter().map(IpAddr::to_string).collect();
            format!(
                "x509: certificate is valid for {}, not {ip}",
                list.join(", ")
            )
        }
    } else if dns_names.len() >= 100 {
        format!(
            "x509: certificate is valid for {} names, but none matched {host}",
            dns_names.len()
        )
    } else if dns_names.is_empty() {
        format!("x509: certificate is not valid for any names, but wanted to match {host}")
    } else {
        format!(
            "x509: certificate is valid for {}, not {host}",
            dns_names.join(", ")
        )
    };
    Err(cert_error(Code::TlsNameMismatch, text))
}

/// Go's DNS-name matching: exact (case-insensitive) match always; wildcard and
/// trailing-dot handling only when both sides are valid host names.
pub fn hostname_matches(patterns: &[String], host: &str) -> bool {
    let candidate = host.to_ascii_lowercase();
    let valid_candidate = valid_hostname(&candidate, false);
    let host_parts: Vec<&str> = candidate.trim_end_matches('.').split('.').collect();
    patterns.iter().any(|pattern| {
        if valid_candidate && valid_hostname(pattern, true) {
            let pattern = pattern.to_ascii_lowercase();
            let pattern_parts: Vec<&str> = pattern.split('.').collect();
            !pattern.is_empty()
                && pattern_parts.len() == host_parts.len()
                && pattern_parts
                    .iter()
                    .zip(&host_parts)
                    .enumerate()
                    .all(|(i, (p, h))| (i == 0 && *p == "*") || p == h)
        } else {
            !pattern.is_empty()
                && pattern != "."
                && !candidate.is_empty()
                && candidate != "."
                && pattern.to_ascii_lowercase() == candidate
        }
    })
}

fn valid_hostname(host: &str, is_pattern: bool) -> bool {
    let host = if is_pattern {
        host
    } else {
        host.strip_suffix('.').unwrap_or(host)
    };
    if host.is_empty() || host == "*" {
        return false;
    }
    host.split('.').enumerate().all(|(i, part)| {
        if part.is_empty() {
            return false;
        }
        if is_pattern && i == 0 && part == "*" {
            return true;
        }
        part.chars()
            .enumerate()
            .all(|(j, c)| c.is_ascii_alphanumeric() || (c == '-' && j != 0) || c == '_')
    })
}

/// Go's text for a TLS alert received from the peer.
pub fn alert_text(alert: AlertDescription) -> String {
    let text = match alert {
        AlertDescription::CloseNotify => "close notify",
        AlertDescription::UnexpectedMessage => "unexpected message",
        AlertDescription::BadRecordMac => "bad record MAC",
        AlertDescription::DecryptionFailed => "decryption failed",
        AlertDescription::RecordOverflow => "record overflow",
        AlertDescription::DecompressionFailure => "decompression failure",
        AlertDescription::HandshakeFailure => "handshake failure",
        AlertDescription::BadCertificate => "bad certificate",
        AlertDescription::UnsupportedCertificate => "unsupported certificate",
        AlertDescription::CertificateRevoked => "revoked certificate",
        AlertDescription::CertificateExpired => "expired certificate",
        AlertDescription::CertificateUnknown => "unknown certificate",
        AlertDescription::IllegalParameter => "illegal parameter",
        AlertDescription::UnknownCA => "unknown certificate authority",
        AlertDescription::AccessDenied => "access denied",
        AlertDescription::DecodeError => "error decoding message",
        AlertDescription::DecryptError => "error decrypting message",
        AlertDescription::ExportRestriction => "export restriction",
        AlertDescription::ProtocolVersion => "protocol version not supported",
        AlertDescription::InsufficientSecurity => "insufficient security level",
        AlertDescription::InternalError => "internal error",
        AlertDescription::InappropriateFallback => "inappropriate fallback",
        AlertDescription::UserCanceled => "user canceled",
        AlertDescription::NoRenegotiation => "no renegotiation",
        AlertDescription::MissingExtension => "missing extension",
        AlertDescription::UnsupportedExtension => "unsupported extension",
        AlertDescription::CertificateUnobtainable => "certificate unobtainable",
        AlertDescription::UnrecognisedName => "unrecognized name",
        AlertDescription::BadCertificateStatusResponse => "bad certificate status response",
        AlertDescription::BadCertificateHashValue => "bad certificate hash value",
        AlertDescription::UnknownPSKIdentity => "unknown PSK identity",
        AlertDescription::CertificateRequired => "certificate required",
        AlertDescription::NoApplicationProtocol => "no application protocol",
        AlertDescription::EncryptedClientHelloRequired => "encrypted client hello required",
        other => return format!("remote error: tls: alert({})", u8::from(other)),
    };
    format!("remote error: tls: {text}")
}

/// Classifies a failed handshake. `first_bytes` are the first bytes the server sent
/// (to recognise a plain-HTTP server or a non-TLS service, as Go does).
pub fn classify_handshake_error(err: &io::Error, first_bytes: &[u8]) -> NetError {
    if let Some(rustls_err) = err
        .get_ref()
        .and_then(|e| e.downcast_ref::<rustls::Error>())
    {
        return classify_rustls_error(rustls_err, first_bytes);
    }
    match err.kind() {
        io::ErrorKind::UnexpectedEof => NetError::new(Code::TlsHandshakeFailed, "EOF")
            .with_detail("the server closed the connection during the TLS handshake"),
        io::ErrorKind::ConnectionReset => {
            NetError::new(Code::TcpReset, "read: connection reset by peer")
        }
        _ => {
            let mut net = super::dial::classify_io(err, None, None, "read");
            net.code = Code::TlsHandshakeFailed;
            net
        }
    }
}

/// Go's x509 text for a certificate failure that rustls or webpki found and Go's own
/// checks did not word, with its code.
fn certificate_error_text(err: &CertificateError) -> (Code, &'static str) {
    match err {
        CertificateError::BadEncoding => (Code::TlsHandshakeFailed, "x509: malformed certificate"),
        CertificateError::Expired | CertificateError::ExpiredContext { .. } => (
            Code::TlsExpired,
            "x509: certificate has expired or is not yet valid",
        ),
        CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => (
            Code::TlsNotYetValid,
            "x509: certificate has expired or is not yet valid",
        ),
        CertificateError::InvalidPurpose | CertificateError::InvalidPurposeContext { .. } => (
            Code::TlsUnknownAuthority,
            "x509: certificate specifies an incompatible key usage",
        ),
        _ => (
            Code::TlsUnknownAuthority,
            "x509: certificate signed by unknown authority",
        ),
    }
}

/// Go's words for a TLS failure rustls reported (during or after the handshake): the
/// alert Go would have received or sent (`remote error: tls: ...`, `local error: tls:
/// ...`), or its certificate text. rustls's own text goes to `detail` where Go's
/// words are only the nearest ones.
pub(crate) fn classify_rustls_error(err: &rustls::Error, first_bytes: &[u8]) -> NetError {
    let local = |code: Code, alert: &str| {
        NetError::new(code, format!("local error: tls: {alert}")).with_detail(err.to_string())
    };
    match err {
        rustls::Error::InvalidCertificate(CertificateError::Other(other)) => {
            if let Some(go) = other.0.downcast_ref::<GoCertError>() {
                let text = if go.x509_text.starts_with("x509:") {
                    format!("tls: failed to verify certificate: {}", go.x509_text)
                } else {
                    format!("tls: {}", go.x509_text)
                };
                return NetError::new(go.code, text);
            }
            NetError::new(
                Code::TlsUnknownAuthority,
                "tls: failed to verify certificate: x509: certificate signed by unknown authority",
            )
            .with_detail(err.to_string())
        }
        rustls::Error::InvalidCertificate(other) => {
            let (code, text) = certificate_error_text(other);
            NetError::new(code, format!("tls: failed to verify certificate: {text}"))
                .with_detail(err.to_string())
        }
        rustls::Error::AlertReceived(alert) => {
            let code = match alert {
                AlertDescription::ProtocolVersion => Code::TlsProtocolVersion,
                _ => Code::TlsHandshakeFailed,
            };
            NetError::new(code, alert_text(*alert))
        }
        rustls::Error::InvalidMessage(_)
        | rustls::Error::InappropriateMessage { .. }
        | rustls::Error::InappropriateHandshakeMessage { .. } => {
            if first_bytes.starts_with(b"HTTP/") {
                NetError::new(
                    Code::TlsNotTls,
                    "http: server gave HTTP response to HTTPS client",
                )
            } else if !first_bytes.is_empty() && first_bytes[0] != 0x15 && first_bytes[0] != 0x16 {
                NetError::new(
                    Code::TlsNotTls,
                    "tls: first record does not look like a TLS handshake",
                )
            } else if matches!(err, rustls::Error::InvalidMessage(_)) {
                local(Code::TlsHandshakeFailed, "error decoding message")
            } else {
                local(Code::TlsHandshakeFailed, "unexpected message")
            }
        }
        rustls::Error::PeerIncompatible(
            rustls::PeerIncompatible::ServerDoesNotSupportTls12Or13
            | rustls::PeerIncompatible::ServerTlsVersionIsDisabledByOurConfig
            | rustls::PeerIncompatible::SupportedVersionsExtensionRequired
            | rustls::PeerIncompatible::Tls12NotOffered
            | rustls::PeerIncompatible::Tls12NotOfferedOrEnabled,
        ) => local(Code::TlsProtocolVersion, "protocol version not supported"),
        rustls::Error::PeerIncompatible(_) => local(Code::TlsHandshakeFailed, "handshake failure"),
        rustls::Error::PeerMisbehaved(_) => local(Code::TlsHandshakeFailed, "illegal parameter"),
        rustls::Error::DecryptError => local(Code::TlsHandshakeFailed, "bad record MAC"),
        rustls::Error::PeerSentOversizedRecord => {
            local(Code::TlsHandshakeFailed, "record overflow")
        }
        rustls::Error::NoCertificatesPresented => {
            NetError::new(Code::TlsHandshakeFailed, "tls: server sent no certificates")
                .with_detail(err.to_string())
        }
        rustls::Error::NoApplicationProtocol => {
            local(Code::TlsHandshakeFailed, "no application protocol")
        }
        _ => local(Code::TlsHandshakeFailed, "internal error"),
    }
}

/// A stream wrapper that keeps the first bytes received in a shared buffer, so that
/// after a failed handshake (which drops the stream) the caller can tell a plain-HTTP
/// server or another non-TLS service from a TLS problem, as Go does.
pub struct Recording<S> {
    inner: S,
    first: Arc<std::sync::Mutex<Vec<u8>>>,
}

impl<S> Recording<S> {
    /// Wraps a stream; the returned buffer fills with up to the first 8 bytes read.
    pub fn new(inner: S) -> (Recording<S>, Arc<std::sync::Mutex<Vec<u8>>>) {
        let first = Arc::new(std::sync::Mutex::new(Vec::new()));
        (
            Recording {
                inner,
                first: Arc::clone(&first),
            },
            first,
        )
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Recording<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let poll = Pin::new(&mut self.inner).poll_read(cx, buf);
        if let Ok(mut first) = self.first.lock()
            && first.len() < 8
        {
            let new = &buf.filled()[before..];
            let take = new.len().min(8 - first.len());
            first.extend_from_slice(&new[..take]);
        }
        poll
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Recording<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// Runs a TLS handshake within Go's 10-second limit; returns the stream and the ALPN
/// protocol chosen, or the failure worded as Go words it.
pub async fn handshake<S: AsyncRead + AsyncWrite + Send + Unpin + 'static>(
    stream: S,
    host: &str,
    config: Arc<rustls::ClientConfig>,
) -> Result<
    (
        tokio_rustls::client::TlsStream<Recording<S>>,
        Option<String>,
    ),
    NetError,
> {
    let server_name = ServerName::try_from(host.to_string()).map_err(|_| {
        NetError::new(
            Code::TlsHandshakeFailed,
            format!("tls: invalid server name {}", crate::goquote::quote(host)),
        )
    })?;
    let connector = tokio_rustls::TlsConnector::from(config);
    let (recording, first_bytes) = Recording::new(stream);
    match tokio::time::timeout(HANDSHAKE_TIMEOUT, connector.connect(server_name, recording)).await {
        Err(_) => Err(NetError::new(
            Code::TlsTimeout,
            "net/http: TLS handshake timeout",
        )),
        Ok(Err(err)) => {
            let first = first_bytes.lock().map(|b| b.clone()).unwrap_or_default();
            Err(classify_handshake_error(&err, &first))
        }
        Ok(Ok(tls_stream)) => {
            let alpn = tls_stream
                .get_ref()
                .1
                .alpn_protocol()
                .map(|p| String::from_utf8_lossy(p).into_owned());
            Ok((tls_stream, alpn))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn hostname_matching_follows_go() {
        assert!(hostname_matches(&names(&["example.com"]), "example.com"));
        assert!(hostname_matches(&names(&["Example.COM"]), "example.com"));
        assert!(hostname_matches(
            &names(&["*.example.com"]),
            "a.example.com"
        ));
        assert!(!hostname_matches(&names(&["*.example.com"]), "example.com"));
        assert!(!hostname_matches(
            &names(&["*.example.com"]),
            "a.b.example.com"
        ));
        assert!(hostname_matches(&names(&["example.com"]), "example.com."));
        assert!(!hostname_matches(
            &names(&["a*.example.com"]),
            "ab.example.com"
        ));
        assert!(!hostname_matches(&[], "example.com"));
    }

    #[test]
    fn alerts_use_go_wording() {
        assert_eq!(
            alert_text(AlertDescription::HandshakeFailure),
            "remote error: tls: handshake failure"
        );
        assert_eq!(
            alert_text(AlertDescription::ProtocolVersion),
            "remote error: tls: protocol version not supported"
        );
    }
}
