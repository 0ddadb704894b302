//! Signed-note keys (golang.org/x/mod/sumdb/note): the verifier key format that
//! GOSUMDB carries (`<name>+<hash>+<base64 key>`).

use base64::Engine;
use sha2::{Digest, Sha256};

/// The algorithm byte of an Ed25519 key in a note verifier key.
const ALG_ED25519: u8 = 1;

/// A parsed verifier key: the database name, the 32-bit key hash and the Ed25519
/// public key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifierKey {
    /// The key's name, which for a checksum database is its host[/path].
    pub name: String,
    /// The key hash: the first four bytes of SHA-256(name + "\n" + key).
    pub hash: u32,
    /// The 32-byte Ed25519 public key.
    pub public_key: [u8; 32],
}

/// Why a verifier key was rejected; `Display` is x/mod's error text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyError {
    /// Not `name+hash+key`, bad hex or base64, invalid name, or a wrong key length.
    MalformedId,
    /// The hash does not match the name and key.
    InvalidHash,
    /// The key's algorithm byte is not Ed25519.
    UnknownAlgorithm,
}

impl std::fmt::Display for KeyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            KeyError::MalformedId => "malformed verifier id",
            KeyError::InvalidHash => "invalid verifier hash",
            KeyError::UnknownAlgorithm => "unknown verifier algorithm",
        })
    }
}

impl std::error::Error for KeyError {}

/// Whether a key name is acceptable: non-empty, no Unicode white space, no `+`.
pub fn is_valid_name(name: &str) -> bool {
    !name.is_empty() && !name.chars().any(char::is_whitespace) && !name.contains('+')
}

/// The key hash of a name and an encoded key (algorithm byte included).
pub fn key_hash(name: &str, key: &[u8]) -> u32 {
    let digest = Sha256::new()
        .chain_update(name.as_bytes())
        .chain_update(b"\n")
        .chain_update(key)
        .finalize();
    u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]])
}

impl VerifierKey {
    /// Parses `<name>+<8 hex digits>+<base64>` as `note.NewVerifier` does, in the same
    /// order of checks, so the same key gets the same error.
    pub fn parse(vkey: &str) -> Result<VerifierKey, KeyError> {
        let (name, rest) = vkey.split_once('+').unwrap_or((vkey, ""));
        let (hash16, key64) = rest.split_once('+').unwrap_or((rest, ""));
        let hash = u32::from_str_radix(hash16, 16)
            .ok()
            .filter(|_| hash16.len() == 8 && hash16.bytes().all(|b| b.is_ascii_hexdigit()));
        let key = decode_std_base64(key64);
        let (Some(hash), Some(key)) = (hash, key) else {
            return Err(KeyError::MalformedId);
        };
        if !is_valid_name(name) || key.is_empty() {
            return Err(KeyError::MalformedId);
        }
        if hash != key_hash(name, &key) {
            return Err(KeyError::InvalidHash);
        }
        if key[0] != ALG_ED25519 {
            return Err(KeyError::UnknownAlgorithm);
        }
        let public_key: [u8; 32] = key[1..].try_into().map_err(|_| KeyError::MalformedId)?;
        Ok(VerifierKey {
            name: name.to_string(),
            hash,
            public_key,
        })
    }
}

/// Standard base64 with padding, as Go's `base64.StdEncoding.DecodeString`, which also
/// skips `\r` and `\n` anywhere in the input.
fn decode_std_base64(text: &str) -> Option<Vec<u8>> {
    let cleaned: String = text.chars().filter(|c| *c != '\r' && *c != '\n').collect();
    base64::engine::general_purpose::STANDARD
        .decode(cleaned)
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SUM_GOLANG_ORG: &str =
        "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8";
    const FIXTURE: &str =
        "sumdb.fixture.test+1e35f783+AXUVg+v7FlCtFjEP0DHyyoiCdmD6oLsHvUPm7AWx+u3j";

    #[test]
    fn parses_real_keys() {
        let key = VerifierKey::parse(SUM_GOLANG_ORG).unwrap();
        assert_eq!(key.name, "sum.golang.org");
        assert_eq!(key.hash, 0x033de0ae);
        let key = VerifierKey::parse(FIXTURE).unwrap();
        assert_eq!(key.name, "sumdb.fixture.test");
    }

    #[test]
    fn rejects_bad_keys_with_go_errors() {
        assert_eq!(
            VerifierKey::parse("sum.example.com"),
            Err(KeyError::MalformedId)
        );
        // x/mod checks the hash before the key's length and algorithm.
        assert_eq!(
            VerifierKey::parse("a+033de0ae+Ac4z"),
            Err(KeyError::InvalidHash)
        );
        assert_eq!(
            VerifierKey::parse("a+033de0ae+Ac4z!"),
            Err(KeyError::MalformedId)
        );
        assert_eq!(
            VerifierKey::parse(&SUM_GOLANG_ORG.replace("033de0ae", "033de0af")),
            Err(KeyError::InvalidHash)
        );
        assert_eq!(
            VerifierKey::parse("+033de0ae+AAAA"),
            Err(KeyError::MalformedId)
        );
        // A key whose algorithm byte is not 1, with a matching hash.
        let key = [2u8; 33];
        let vkey = format!(
            "x+{:08x}+{}",
            key_hash("x", &key),
            base64::engine::general_purpose::STANDARD.encode(key)
        );
        assert_eq!(VerifierKey::parse(&vkey), Err(KeyError::UnknownAlgorithm));
    }
}
