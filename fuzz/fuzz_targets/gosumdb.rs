//! GOSUMDB: `route::parse_gosumdb` and `sumdb::note::VerifierKey::parse`.
//!
//! The first byte chooses the input shape: raw text (mostly rejected keys), or a key
//! built from `<name> 0xFF <key bytes> 0xFF <url>` with the correct hash (so the
//! checks after the hash are reached), either a well-shaped Ed25519 key or the raw
//! bytes.
//!
//! Asserts: no panic; a parsed key's hash is the hash of its name and key, and
//! printing it back (`name+hash+base64`) parses to the same key; for built keys, the
//! outcome x/mod's `NewVerifier` gives (ok, unknown algorithm, or malformed for a
//! wrong length); a parsed GOSUMDB's key parses to its verifier and its direct URL is
//! `https://<name>`.
#![no_main]

use base64::Engine;
use gomod_common::route;
use gomod_common::sumdb::note::{self, KeyError, VerifierKey};
use gomod_fuzz::{fields, text};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let gosumdb = match mode % 4 {
        1 | 3 => {
            let [name, key_bytes, url] = fields::<3>(rest);
            let name = text(name);
            let key: Vec<u8> = if mode % 4 == 1 {
                let mut key = vec![1u8];
                key.extend(
                    key_bytes
                        .iter()
                        .copied()
                        .chain(std::iter::repeat(0))
                        .take(32),
                );
                key
            } else {
                key_bytes.to_vec()
            };
            let vkey = format!(
                "{name}+{:08x}+{}",
                note::key_hash(&name, &key),
                base64::engine::general_purpose::STANDARD.encode(&key)
            );
            let parsed = VerifierKey::parse(&vkey);
            if note::is_valid_name(&name) && !key.is_empty() {
                let expected = if key[0] != 1 {
                    Err(KeyError::UnknownAlgorithm)
                } else if key.len() != 33 {
                    Err(KeyError::MalformedId)
                } else {
                    Ok(VerifierKey {
                        name: name.to_string(),
                        hash: note::key_hash(&name, &key),
                        public_key: key[1..].try_into().unwrap(),
                    })
                };
                assert_eq!(parsed, expected, "{vkey:?}");
            }
            let url = text(url);
            if url.is_empty() {
                vkey
            } else {
                format!("{vkey} {url}")
            }
        }
        _ => text(rest).into_owned(),
    };
    if let Ok(key) = VerifierKey::parse(&gosumdb) {
        check_key(&key);
    }
    if let Ok(Some(spec)) = route::parse_gosumdb(&gosumdb) {
        check_key(&spec.verifier);
        assert_eq!(VerifierKey::parse(&spec.key).as_ref(), Ok(&spec.verifier));
        assert_eq!(spec.name, spec.verifier.name);
        assert_eq!(spec.direct_url, format!("https://{}", spec.name));
    }
});

fn check_key(key: &VerifierKey) {
    assert!(note::is_valid_name(&key.name));
    let mut encoded = vec![1u8];
    encoded.extend_from_slice(&key.public_key);
    assert_eq!(key.hash, note::key_hash(&key.name, &encoded));
    let printed = format!(
        "{}+{:08x}+{}",
        key.name,
        key.hash,
        base64::engine::general_purpose::STANDARD.encode(&encoded)
    );
    assert_eq!(VerifierKey::parse(&printed).as_ref(), Ok(key));
}
