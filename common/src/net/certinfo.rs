//! What a certificate says, for people: subject and issuer as Go prints a
//! `pkix.Name`, the names it is valid for, validity, serial, SHA-256 fingerprint, key
//! and signature algorithm in Go's names.

use std::net::IpAddr;

use serde::Serialize;
use sha2::{Digest, Sha256};
use x509_parser::prelude::{FromDer, X509Certificate};
use x509_parser::public_key::PublicKey;
use x509_parser::x509::X509Name;

use super::tls::san_names;
use crate::record::untrusted;

/// One certificate of a presented chain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CertInfo {
    /// The subject, as Go's `pkix.Name.String` writes it (`CN=example.com,O=Example`).
    pub subject: String,
    /// The issuer, likewise.
    pub issuer: String,
    /// DNS and IP subject alternative names.
    pub sans: Vec<String>,
    /// RFC 3339, UTC.
    pub not_before: String,
    /// RFC 3339, UTC.
    pub not_after: String,
    /// The serial number in hex, bytes separated by colons.
    pub serial: String,
    /// SHA-256 of the DER encoding, lower-case hex.
    pub sha256: String,
    /// `RSA 2048`, `ECDSA P-256`, `Ed25519`, ...
    pub key: String,
    /// Go's name for the signature algorithm: `SHA256-RSA`, `ECDSA-SHA256`, ...
    pub signature_algorithm: String,
    /// A CA certificate (basic constraints CA:TRUE).
    pub is_ca: bool,
    /// Subject and issuer are the same name.
    pub self_issued: bool,
}

/// Describes a DER certificate; `None` when it does not parse.
pub fn describe(der: &[u8]) -> Option<CertInfo> {
    let (_, cert) = X509Certificate::from_der(der).ok()?;
    let (dns, ips, _) = san_names(&cert);
    let sans = dns
        .iter()
        .map(|name| untrusted(name, 300))
        .chain(ips.iter().map(IpAddr::to_string))
        .collect();
    let validity = cert.validity();
    Some(CertInfo {
        subject: name_string(cert.subject()),
        issuer: name_string(cert.issuer()),
        sans,
        not_before: rfc3339(validity.not_before.timestamp()),
        not_after: rfc3339(validity.not_after.timestamp()),
        serial: cert
            .raw_serial()
            .iter()
            .map(|b| format!("{b:02X}"))
            .collect::<Vec<_>>()
            .join(":"),
        sha256: sha256_hex(der),
        key: key_description(&cert),
        signature_algorithm: signature_algorithm_name(
            &cert.signature_algorithm.algorithm.to_id_string(),
        ),
        is_ca: cert.is_ca(),
        self_issued: cert.subject().as_raw() == cert.issuer().as_raw(),
    })
}

/// The raw DER of a certificate's subject and issuer names, to compare them.
pub fn raw_names(der: &[u8]) -> Option<(Vec<u8>, Vec<u8>)> {
    let (_, cert) = X509Certificate::from_der(der).ok()?;
    Some((
        cert.subject().as_raw().to_vec(),
        cert.issuer().as_raw().to_vec(),
    ))
}

/// Whether a certificate names where its issuer's certificate can be fetched
/// (Authority Information Access, `caIssuers`): public CAs put that in every
/// certificate they issue, so its presence on the top of an unverifiable chain points
/// at a missing intermediate rather than an unknown CA.
pub fn names_ca_issuers(der: &[u8]) -> bool {
    use x509_parser::extensions::ParsedExtension;
    let Ok((_, cert)) = X509Certificate::from_der(der) else {
        return false;
    };
    cert.extensions()
        .iter()
        .any(|ext| match ext.parsed_extension() {
            ParsedExtension::AuthorityInfoAccess(aia) => aia
                .iter()
                .any(|d| d.access_method.to_id_string() == "1.3.6.1.5.5.7.48.2"),
            _ => false,
        })
}

/// The Organization of a certificate's subject and of its issuer (the first `O=` of
/// each name), when they have one.
pub fn organizations(der: &[u8]) -> Option<(Option<String>, Option<String>)> {
    let (_, cert) = X509Certificate::from_der(der).ok()?;
    let organization = |name: &X509Name<'_>| {
        name.iter_organization()
            .next()
            .and_then(|a| a.as_str().ok())
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    Some((organization(cert.subject()), organization(cert.issuer())))
}

/// Go's `ParseCertificate` text for a certificate whose serial number is negative
/// (go1.23 and later, unless `GODEBUG=x509negativeserial=1`).
pub const NEGATIVE_SERIAL: &str = "x509: negative serial number";

/// Whether a certificate's serial number is a negative INTEGER (its first content byte
/// has the top bit set). False for a certificate that does not parse.
pub fn negative_serial(der: &[u8]) -> bool {
    X509Certificate::from_der(der)
        .ok()
        .and_then(|(_, cert)| cert.tbs_certificate.raw_serial().first().copied())
        .is_some_and(|first| first & 0x80 != 0)
}

/// Lower-case hex SHA-256 of `der`.
pub fn sha256_hex(der: &[u8]) -> String {
    Sha256::digest(der)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The name Go's `UnknownAuthorityError` gives a candidate issuer: its Common Name,
/// else its first Organization, else `serial:` and the decimal serial number.
pub fn go_certificate_name(der: &[u8]) -> Option<String> {
    let (_, cert) = X509Certificate::from_der(der).ok()?;
    let first = |oid: &str| {
        cert.subject()
            .iter_attributes()
            .find(|a| a.attr_type().to_id_string() == oid)
            .and_then(|a| a.as_str().ok())
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    Some(
        first("2.5.4.3")
            .or_else(|| first("2.5.4.10"))
            .unwrap_or_else(|| format!("serial:{}", cert.serial)),
    )
}

/// Go's `pkix.Name.String`: the RDNs last to first, `,` between them, `+` inside a
/// multi-valued one, short names for the usual attribute types, RFC 2253 escaping.
fn name_string(name: &X509Name<'_>) -> String {
    let rdns: Vec<String> = name
        .iter_rdn()
        .map(|rdn| {
            rdn.iter()
                .map(|attr| {
                    let oid = attr.attr_type().to_id_string();
                    let value = match attr.as_str() {
                        Ok(text) => escape_value(text),
                        Err(_) => format!("#{}", hex(attr.attr_value().as_bytes())),
                    };
                    match short_type(&oid) {
                        Some(short) => format!("{short}={value}"),
                        None => format!("{oid}={value}"),
                    }
                })
                .collect::<Vec<_>>()
                .join("+")
        })
        .collect();
    let joined = rdns.into_iter().rev().collect::<Vec<_>>().join(",");
    untrusted(&joined, 1000)
}

fn short_type(oid: &str) -> Option<&'static str> {
    Some(match oid {
        "2.5.4.6" => "C",
        "2.5.4.10" => "O",
        "2.5.4.11" => "OU",
        "2.5.4.3" => "CN",
        "2.5.4.5" => "SERIALNUMBER",
        "2.5.4.7" => "L",
        "2.5.4.8" => "ST",
        "2.5.4.9" => "STREET",
        "2.5.4.17" => "POSTALCODE",
        _ => return None,
    })
}

/// RFC 2253 escaping as Go's `AttributeTypeAndValue` printing does it.
fn escape_value(value: &str) -> String {
    let chars: Vec<char> = value.chars().collect();
    let mut out = String::with_capacity(value.len());
    for (i, &c) in chars.iter().enumerate() {
        let special = matches!(c, ',' | '+' | '"' | '\\' | '<' | '>' | ';')
            || (i == 0 && matches!(c, ' ' | '#'))
            || (i == chars.len() - 1 && c == ' ');
        if special {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn key_description(cert: &X509Certificate<'_>) -> String {
    let spki = cert.public_key();
    let algorithm = spki.algorithm.algorithm.to_id_string();
    match spki.parsed() {
        Ok(PublicKey::RSA(rsa)) => format!("RSA {}", rsa.key_size()),
        Ok(PublicKey::EC(_)) => {
            let curve = spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.as_oid().ok())
                .map(|oid| oid.to_id_string());
            match curve.as_deref() {
                Some("1.2.840.10045.3.1.7") => "ECDSA P-256".to_string(),
                Some("1.3.132.0.34") => "ECDSA P-384".to_string(),
                Some("1.3.132.0.35") => "ECDSA P-521".to_string(),
                Some(other) => format!("ECDSA {other}"),
                None => "ECDSA".to_string(),
            }
        }
        _ if algorithm == "1.3.101.112" => "Ed25519".to_string(),
        Ok(PublicKey::DSA(_)) => "DSA".to_string(),
        _ => algorithm,
    }
}

/// Go's `x509.SignatureAlgorithm.String` for a signature algorithm OID.
fn signature_algorithm_name(oid: &str) -> String {
    match oid {
        "1.2.840.113549.1.1.4" => "MD5-RSA",
        "1.2.840.113549.1.1.5" => "SHA1-RSA",
        "1.2.840.113549.1.1.11" => "SHA256-RSA",
        "1.2.840.113549.1.1.12" => "SHA384-RSA",
        "1.2.840.113549.1.1.13" => "SHA512-RSA",
        "1.2.840.113549.1.1.10" => "RSA-PSS",
        "1.2.840.10040.4.3" => "DSA-SHA1",
        "2.16.840.1.101.3.4.3.2" => "DSA-SHA256",
        "1.2.840.10045.4.1" => "ECDSA-SHA1",
        "1.2.840.10045.4.3.2" => "ECDSA-SHA256",
        "1.2.840.10045.4.3.3" => "ECDSA-SHA384",
        "1.2.840.10045.4.3.4" => "ECDSA-SHA512",
        "1.3.101.112" => "Ed25519",
        other => return other.to_string(),
    }
    .to_string()
}

/// RFC 3339 (seconds, `Z`) for a Unix time.
pub fn rfc3339(secs: i64) -> String {
    use std::time::{Duration, SystemTime};
    let time = if secs >= 0 {
        SystemTime::UNIX_EPOCH + Duration::from_secs(secs.unsigned_abs())
    } else {
        SystemTime::UNIX_EPOCH - Duration::from_secs(secs.unsigned_abs())
    };
    humantime::format_rfc3339_seconds(time).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_escaped_as_go_does() {
        assert_eq!(escape_value("Example, Inc."), "Example\\, Inc.");
        assert_eq!(escape_value(" lead"), "\\ lead");
        assert_eq!(escape_value("#x"), "\\#x");
        assert_eq!(escape_value("trail "), "trail\\ ");
        assert_eq!(escape_value("a+b"), "a\\+b");
    }

    #[test]
    fn signature_algorithms_have_gos_names() {
        assert_eq!(
            signature_algorithm_name("1.2.840.113549.1.1.11"),
            "SHA256-RSA"
        );
        assert_eq!(
            signature_algorithm_name("1.2.840.10045.4.3.2"),
            "ECDSA-SHA256"
        );
        assert_eq!(signature_algorithm_name("1.2.3.4"), "1.2.3.4");
    }

    #[test]
    fn describes_a_real_certificate() {
        let root = &webpki_root_certs::TLS_SERVER_ROOT_CERTS[0];
        let info = describe(root.as_ref()).unwrap();
        assert!(info.is_ca && info.self_issued);
        assert_eq!(info.subject, info.issuer);
        assert!(info.subject.contains("CN="), "{}", info.subject);
        assert_eq!(info.sha256.len(), 64);
        assert!(info.not_before < info.not_after);
    }
}
