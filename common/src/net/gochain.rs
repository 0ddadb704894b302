//! Go's chain building (`(*Certificate).buildChains` in crypto/x509/verify.go of the
//! newest Go), reduced to what decides its error text: candidate parents by subject,
//! roots before presented intermediates, the signature check, the validity period of
//! every candidate (roots included, which webpki does not check), CA status of
//! intermediates. The verdict on a chain is webpki's; this walk gives the failure the
//! words Go gives it, and catches the one case where Go fails and webpki does not (a
//! root outside its validity period).

use std::time::SystemTime;

use rustls::pki_types::CertificateDer;
use x509_parser::prelude::{FromDer, X509Certificate};

use super::certinfo::{go_certificate_name, rfc3339};

/// Go's `maxChainSignatureChecks`.
const MAX_SIGNATURE_CHECKS: usize = 100;

/// Why Go finds no chain, in Go's words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChainError {
    /// `x509: certificate has expired or is not yet valid: current time T is after
    /// NOTAFTER` (or `is before NOTBEFORE`), for a candidate issuer.
    Invalid { text: String, expired: bool },
    /// `x509: certificate is not authorized to sign other certificates`.
    NotAuthorizedToSign,
    /// `x509: certificate signed by unknown authority`, with Go's hint when a
    /// candidate was rejected.
    UnknownAuthority { hint: Option<(String, String)> },
    /// `x509: signature check attempts limit reached while verifying certificate chain`.
    SignatureLimit,
}

impl ChainError {
    /// Go's text.
    pub fn text(&self) -> String {
        match self {
            ChainError::Invalid { text, .. } => text.clone(),
            ChainError::NotAuthorizedToSign => {
                "x509: certificate is not authorized to sign other certificates".to_string()
            }
            ChainError::UnknownAuthority { hint: None } => {
                "x509: certificate signed by unknown authority".to_string()
            }
            ChainError::UnknownAuthority {
                hint: Some((err, name)),
            } => format!(
                "x509: certificate signed by unknown authority (possibly because of {} while trying to verify candidate authority certificate {})",
                crate::goquote::quote(&err.to_string()),
                crate::goquote::quote(&name.to_string())
            ),
            ChainError::SignatureLimit => {
                "x509: signature check attempts limit reached while verifying certificate chain"
                    .to_string()
            }
        }
    }
}

struct Cert<'a> {
    der: &'a [u8],
    parsed: X509Certificate<'a>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Root,
    Intermediate,
}

/// Builds chains from `leaf` as Go does; `Ok` when one reaches a root. Certificates
/// that do not parse are skipped, as Go would have refused them earlier.
pub fn build(
    leaf: &[u8],
    intermediates: &[CertificateDer<'_>],
    roots: &[CertificateDer<'_>],
    now: SystemTime,
) -> Result<(), ChainError> {
    let Some(leaf) = parse(leaf) else {
        return Err(ChainError::UnknownAuthority { hint: None });
    };
    let roots: Vec<Cert<'_>> = roots.iter().filter_map(|c| parse(c.as_ref())).collect();
    // Go: a leaf that is itself in the root pool is its own chain.
    if roots.iter().any(|root| root.der == leaf.der) {
        return Ok(());
    }
    let intermediates: Vec<Cert<'_>> = intermediates
        .iter()
        .filter_map(|c| parse(c.as_ref()))
        .collect();
    let now_secs = now
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    let mut walk = Walk {
        roots: &roots,
        intermediates: &intermediates,
        now: now_secs,
        checks: 0,
    };
    let mut chain = vec![leaf.der];
    match walk.build_chains(&leaf, &mut chain) {
        (true, _) => Ok(()),
        (false, Some(err)) => Err(err),
        (false, None) => Err(ChainError::UnknownAuthority { hint: None }),
    }
}

fn parse(der: &[u8]) -> Option<Cert<'_>> {
    X509Certificate::from_der(der)
        .ok()
        .map(|(_, parsed)| Cert { der, parsed })
}

struct Walk<'w, 'a> {
    roots: &'w [Cert<'a>],
    intermediates: &'w [Cert<'a>],
    now: i64,
    checks: usize,
}

impl<'a> Walk<'_, 'a> {
    /// One level of Go's `buildChains`: whether a chain was found, and the error Go
    /// would return from this level.
    fn build_chains(
        &mut self,
        cert: &Cert<'a>,
        chain: &mut Vec<&'a [u8]>,
    ) -> (bool, Option<ChainError>) {
        let mut found = false;
        let mut err: Option<ChainError> = None;
        let mut hint: Option<(String, String)> = None;
        let issuer = cert.parsed.issuer().as_raw();
        let roots = self.roots;
        let intermediates = self.intermediates;
        let candidates = roots
            .iter()
            .map(|c| (Kind::Root, c))
            .chain(intermediates.iter().map(|c| (Kind::Intermediate, c)))
            .filter(|(_, c)| c.parsed.subject().as_raw() == issuer);
        for (kind, candidate) in candidates {
            self.checks += 1;
            if self.checks > MAX_SIGNATURE_CHECKS {
                err = Some(ChainError::SignatureLimit);
                break;
            }
            if chain.contains(&candidate.der) {
                continue;
            }
            if let Err(text) = check_signature(&cert.parsed, &candidate.parsed) {
                if hint.is_none() {
                    hint = Some((text, go_certificate_name(candidate.der).unwrap_or_default()));
                }
                continue;
            }
            // Go assigns the candidate's validity error to the level's error; a later
            // candidate that passes clears it again.
            err = self.valid(candidate, kind);
            if let Some(invalid) = &err {
                if hint.is_none() {
                    hint = Some((
                        invalid.text(),
                        go_certificate_name(candidate.der).unwrap_or_default(),
                    ));
                }
                continue;
            }
            match kind {
                Kind::Root => found = true,
                Kind::Intermediate => {
                    chain.push(candidate.der);
                    let (child_found, child_err) = self.build_chains(candidate, chain);
                    chain.pop();
                    found |= child_found;
                    err = child_err;
                }
            }
        }
        if found {
            return (true, None);
        }
        if err.is_none() {
            err = Some(ChainError::UnknownAuthority { hint });
        }
        (false, err)
    }

    /// Go's `isValid` for a candidate issuer: its validity period, and CA status for
    /// an intermediate.
    fn valid(&self, cert: &Cert<'_>, kind: Kind) -> Option<ChainError> {
        let validity = cert.parsed.validity();
        let (not_before, not_after) = (
            validity.not_before.timestamp(),
            validity.not_after.timestamp(),
        );
        if self.now < not_before {
            return Some(ChainError::Invalid {
                text: format!(
                    "x509: certificate has expired or is not yet valid: current time {} is before {}",
                    rfc3339(self.now),
                    rfc3339(not_before)
                ),
                expired: false,
            });
        }
        if self.now > not_after {
            return Some(ChainError::Invalid {
                text: format!(
                    "x509: certificate has expired or is not yet valid: current time {} is after {}",
                    rfc3339(self.now),
                    rfc3339(not_after)
                ),
                expired: true,
            });
        }
        if kind == Kind::Intermediate && !cert.parsed.is_ca() {
            return Some(ChainError::NotAuthorizedToSign);
        }
        None
    }
}

/// Go's `CheckSignatureFrom`, worded as Go words its failures: first whether the
/// parent may sign certificates at all (basic constraints, key usage), then the
/// algorithm, then the signature.
fn check_signature(cert: &X509Certificate<'_>, parent: &X509Certificate<'_>) -> Result<(), String> {
    let constraint_violation =
        "x509: invalid signature: parent certificate cannot sign this kind of certificate";
    let constraints = parent.basic_constraints().ok().flatten();
    let is_v3 = parent.version() == x509_parser::x509::X509Version::V3;
    if (is_v3 && constraints.is_none()) || constraints.is_some_and(|bc| !bc.value.ca) {
        return Err(constraint_violation.to_string());
    }
    if let Ok(Some(usage)) = parent.key_usage()
        && !usage.value.key_cert_sign()
    {
        return Err(constraint_violation.to_string());
    }
    let algorithm = cert.signature_algorithm.algorithm.to_id_string();
    let insecure = match algorithm.as_str() {
        "1.2.840.113549.1.1.5" => Some("SHA1-RSA"),
        "1.2.840.10045.4.1" => Some("ECDSA-SHA1"),
        "1.2.840.113549.1.1.4" => Some("MD5-RSA"),
        "1.2.840.10040.4.3" => Some("DSA-SHA1"),
        _ => None,
    };
    if let Some(name) = insecure {
        return Err(format!("{} {name}", super::tls::INSECURE_ALGORITHM));
    }
    cert.verify_signature(Some(parent.public_key()))
        .map_err(|_| {
            let key = parent.public_key().algorithm.algorithm.to_id_string();
            match key.as_str() {
                "1.2.840.10045.2.1" => "x509: ECDSA verification failure".to_string(),
                "1.3.101.112" => "x509: Ed25519 verification failure".to_string(),
                _ => "crypto/rsa: verification error".to_string(),
            }
        })
}
