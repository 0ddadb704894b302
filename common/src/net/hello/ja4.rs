//! The JA4 fingerprint of a ClientHello (FoxIO's JA4 spec): `t13d1312h2_` then the
//! truncated SHA-256 of the sorted cipher suites, then of the sorted extensions
//! (without SNI and ALPN) and the signature algorithms in their order.

use sha2::{Digest, Sha256};

use super::ClientHello;
use super::build::ext;

fn is_grease(v: u16) -> bool {
    v & 0x0f0f == 0x0a0a && v >> 8 == v & 0xff
}

fn hex_list(values: impl Iterator<Item = u16>) -> String {
    values
        .map(|v| format!("{v:04x}"))
        .collect::<Vec<_>>()
        .join(",")
}

fn hash12(text: &str) -> String {
    if text.is_empty() {
        return "000000000000".to_string();
    }
    let digest = Sha256::digest(text.as_bytes());
    digest.iter().take(6).map(|b| format!("{b:02x}")).collect()
}

/// JA4's raw form (`JA4_r`): the readable prefix and the two lists before hashing.
pub fn ja4_raw(hello: &ClientHello) -> (String, String, String) {
    let version = hello
        .versions
        .iter()
        .copied()
        .filter(|v| !is_grease(*v))
        .max()
        .unwrap_or(hello.legacy_version);
    let version = match version {
        0x0304 => "13",
        0x0303 => "12",
        0x0302 => "11",
        0x0301 => "10",
        0x0300 => "s3",
        0x0002 => "s2",
        _ => "00",
    };
    let sni = if hello.extensions.contains(&ext::SERVER_NAME) {
        'd'
    } else {
        'i'
    };
    let ciphers: Vec<u16> = hello
        .cipher_suites
        .iter()
        .copied()
        .filter(|v| !is_grease(*v))
        .collect();
    let exts: Vec<u16> = hello
        .extensions
        .iter()
        .copied()
        .filter(|v| !is_grease(*v))
        .collect();
    let alpn = match hello.alpn.first().map(String::as_bytes) {
        None | Some([]) => "00".to_string(),
        Some(p) => {
            let (first, last) = (p[0], p[p.len() - 1]);
            if first.is_ascii_alphanumeric() && last.is_ascii_alphanumeric() {
                format!("{}{}", first as char, last as char)
            } else {
                let hex: String = p.iter().map(|b| format!("{b:02x}")).collect();
                format!("{}{}", &hex[..1], &hex[hex.len() - 1..])
            }
        }
    };
    let prefix = format!(
        "t{version}{sni}{:02}{:02}{alpn}",
        ciphers.len().min(99),
        exts.len().min(99)
    );
    let mut sorted_ciphers = ciphers;
    sorted_ciphers.sort_unstable();
    let mut sorted_exts: Vec<u16> = exts
        .into_iter()
        .filter(|e| *e != ext::SERVER_NAME && *e != ext::ALPN)
        .collect();
    sorted_exts.sort_unstable();
    let mut extensions = hex_list(sorted_exts.into_iter());
    if !hello.signature_algorithms.is_empty() {
        extensions.push('_');
        extensions.push_str(&hex_list(
            hello
                .signature_algorithms
                .iter()
                .copied()
                .filter(|v| !is_grease(*v)),
        ));
    }
    (prefix, hex_list(sorted_ciphers.into_iter()), extensions)
}

/// The JA4 fingerprint.
pub fn ja4(hello: &ClientHello) -> String {
    let (prefix, ciphers, extensions) = ja4_raw(hello);
    format!("{prefix}_{}_{}", hash12(&ciphers), hash12(&extensions))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A published JA4/JA4_r pair (a TLS 1.3 client with SNI and h2):
    /// `t13d1011h2_00ff,1301,...,cca9_0005,...,0033_0503,...,0401` is
    /// `t13d1011h2_61a7ad8aa9b6_3fcd1a44f3e3`.
    #[test]
    fn known_vector() {
        let hello = ClientHello {
            versions: vec![0x0304, 0x0303],
            cipher_suites: vec![
                0x1302, 0x1303, 0x1301, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc02b, 0xc02f, 0x00ff,
            ],
            extensions: vec![
                0x0000, 0x000b, 0x000a, 0x0023, 0x0010, 0x0017, 0x000d, 0x002b, 0x002d, 0x0033,
                0x0005,
            ],
            alpn: vec!["h2".into(), "http/1.1".into()],
            signature_algorithms: vec![
                0x0503, 0x0403, 0x0807, 0x0806, 0x0805, 0x0804, 0x0601, 0x0501, 0x0401,
            ],
            ..ClientHello::default()
        };
        let (prefix, ciphers, exts) = ja4_raw(&hello);
        assert_eq!(prefix, "t13d1011h2");
        assert_eq!(ciphers, "00ff,1301,1302,1303,c02b,c02c,c02f,c030,cca8,cca9");
        assert_eq!(
            exts,
            "0005,000a,000b,000d,0017,0023,002b,002d,0033_0503,0403,0807,0806,0805,0804,0601,0501,0401"
        );
        assert_eq!(ja4(&hello), "t13d1011h2_61a7ad8aa9b6_3fcd1a44f3e3");
    }

    #[test]
    fn grease_is_ignored_and_no_alpn_is_00() {
        let hello = ClientHello {
            legacy_version: 0x0303,
            cipher_suites: vec![0x0a0a, 0xc02b],
            extensions: vec![0x1a1a, 0x000a],
            ..ClientHello::default()
        };
        assert!(ja4(&hello).starts_with("t12i010100_"));
        assert!(ja4(&hello).ends_with(&format!("_{}", hash12("000a"))));
    }
}
