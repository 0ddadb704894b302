//! Chains verified after the handshake, worded as Go's chain building words them:
//! candidate issuers outside their validity (intermediates and roots, which webpki
//! does not check), a CA that may not sign, a self-signed certificate installed as a
//! root.

use std::time::{Duration, SystemTime};

use gomod_common::net::certinfo;
use gomod_common::net::roots::GoRoots;
use gomod_common::net::tls::GoVerifier;
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};
use rustls::pki_types::CertificateDer;

const DAY: Duration = Duration::from_secs(86400);

struct Ca {
    der: CertificateDer<'static>,
    issuer: Issuer<'static, KeyPair>,
}

fn params(cn: &str, ca: bool, validity: Option<(SystemTime, SystemTime)>) -> CertificateParams {
    let names = if ca { Vec::new() } else { vec![cn.to_string()] };
    let mut params = CertificateParams::new(names).unwrap();
    params.distinguished_name.push(DnType::CommonName, cn);
    if ca {
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::DigitalSignature,
        ];
    }
    if let Some((from, until)) = validity {
        let since = |t: SystemTime| {
            Duration::from_secs(t.duration_since(SystemTime::UNIX_EPOCH).unwrap().as_secs())
        };
        params.not_before = rcgen::date_time_ymd(1970, 1, 1) + since(from);
        params.not_after = rcgen::date_time_ymd(1970, 1, 1) + since(until);
    }
    params
}

fn root(cn: &str, validity: Option<(SystemTime, SystemTime)>) -> Ca {
    let key = KeyPair::generate().unwrap();
    let params = params(cn, true, validity);
    let cert = params.self_signed(&key).unwrap();
    Ca {
        der: cert.der().clone(),
        issuer: Issuer::new(params, key),
    }
}

fn signed(by: &Ca, cn: &str, ca: bool, validity: Option<(SystemTime, SystemTime)>) -> Ca {
    let key = KeyPair::generate().unwrap();
    let params = params(cn, ca, validity);
    let cert = params.signed_by(&key, &by.issuer).unwrap();
    Ca {
        der: cert.der().clone(),
        issuer: Issuer::new(params, key),
    }
}

fn verify(roots: &[&Ca], chain: &[&Ca], host: &str, now: SystemTime) -> Result<(), String> {
    let roots = GoRoots {
        certificates: roots.iter().map(|c| c.der.clone()).collect(),
        ..GoRoots::default()
    };
    let chain: Vec<CertificateDer<'static>> = chain.iter().map(|c| c.der.clone()).collect();
    GoVerifier::new(&roots)
        .verify_presented(&chain, host, now)
        .map_err(|e| format!("{}: {}", e.code, e.go_text))
}

fn rfc3339(t: SystemTime) -> String {
    certinfo::rfc3339(t.duration_since(SystemTime::UNIX_EPOCH).unwrap().as_secs() as i64)
}

#[test]
fn a_valid_chain_verifies() {
    let now = SystemTime::now();
    let root = root("Root", None);
    let intermediate = signed(&root, "Intermediate", true, None);
    let leaf = signed(&intermediate, "example.com", false, None);
    assert_eq!(
        verify(&[&root], &[&leaf, &intermediate], "example.com", now),
        Ok(())
    );
}

#[test]
fn an_expired_intermediate_is_reported_with_its_own_dates() {
    let now = SystemTime::now();
    let (from, until) = (now - 30 * DAY, now - DAY);
    let root = root("Root", None);
    let intermediate = signed(&root, "Old Intermediate", true, Some((from, until)));
    let leaf = signed(&intermediate, "example.com", false, None);
    let until_text = rfc3339(until);
    let err = verify(&[&root], &[&leaf, &intermediate], "example.com", now).unwrap_err();
    assert!(err.starts_with("tls_expired: tls: failed to verify certificate: x509: certificate has expired or is not yet valid: current time "), "{err}");
    assert!(err.ends_with(&format!(" is after {until_text}")), "{err}");
}

#[test]
fn an_expired_root_fails_as_in_go_though_webpki_would_accept_it() {
    let now = SystemTime::now();
    let until = now - DAY;
    let root = root("Expired Root", Some((now - 30 * DAY, until)));
    let leaf = signed(&root, "example.com", false, None);
    let err = verify(&[&root], &[&leaf], "example.com", now).unwrap_err();
    assert!(err.starts_with("tls_expired: "), "{err}");
    assert!(
        err.ends_with(&format!(" is after {}", rfc3339(until))),
        "{err}"
    );
}

#[test]
fn a_leaf_that_signs_is_not_an_intermediate() {
    let now = SystemTime::now();
    let root = root("Root", None);
    let not_a_ca = signed(&root, "signer.example", false, None);
    let leaf = signed(&not_a_ca, "example.com", false, None);
    let err = verify(&[&root], &[&leaf, &not_a_ca], "example.com", now).unwrap_err();
    assert_eq!(
        err,
        "tls_unknown_authority: tls: failed to verify certificate: x509: certificate signed by unknown authority (possibly because of \"x509: invalid signature: parent certificate cannot sign this kind of certificate\" while trying to verify candidate authority certificate \"signer.example\")"
    );
}

#[test]
fn a_self_signed_certificate_in_the_pool_is_trusted() {
    let now = SystemTime::now();
    let key = KeyPair::generate().unwrap();
    let cert = params("self.example", false, None)
        .self_signed(&key)
        .unwrap();
    let own = Ca {
        der: cert.der().clone(),
        issuer: Issuer::new(params("self.example", false, None), key),
    };
    assert_eq!(verify(&[&own], &[&own], "self.example", now), Ok(()));
    let err = verify(&[], &[&own], "self.example", now).unwrap_err();
    assert!(err.starts_with("tls_no_roots: "), "{err}");
}

#[test]
fn an_unknown_issuer_with_an_untrusted_chain_is_unknown_authority() {
    let now = SystemTime::now();
    let trusted = root("Trusted Root", None);
    let other = root("Other Root", None);
    let leaf = signed(&other, "example.com", false, None);
    assert_eq!(
        verify(&[&trusted], &[&leaf, &other], "example.com", now).unwrap_err(),
        "tls_unknown_authority: tls: failed to verify certificate: x509: certificate signed by unknown authority"
    );
}
