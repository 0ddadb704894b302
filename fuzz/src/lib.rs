//! Helpers shared by the fuzz targets: splitting one fuzz input into several
//! arguments.
//!
//! Fields are separated by the byte `0xFF`, which never occurs in UTF-8, so a
//! separator costs the `&str` parsers nothing; the last field takes the rest of the
//! input (separators included), so byte-oriented parsers placed last still see every
//! byte value. Missing fields are empty. The seed generator (`seeds.py`) writes its
//! seeds in the same layout.

use std::borrow::Cow;

/// The field separator.
pub const SEP: u8 = 0xff;

/// Splits `data` into exactly `N` fields at the first `N - 1` separators.
pub fn fields<const N: usize>(data: &[u8]) -> [&[u8]; N] {
    let mut out = [&data[..0]; N];
    let mut rest = data;
    for (i, slot) in out.iter_mut().enumerate() {
        if i + 1 == N {
            *slot = rest;
            break;
        }
        match rest.iter().position(|&b| b == SEP) {
            Some(pos) => {
                *slot = &rest[..pos];
                rest = &rest[pos + 1..];
            }
            None => {
                *slot = rest;
                rest = &rest[rest.len()..];
            }
        }
    }
    out
}

/// `N` fields as text (invalid UTF-8 becomes U+FFFD).
pub fn text_fields<const N: usize>(data: &[u8]) -> [String; N] {
    fields::<N>(data).map(|f| text(f).into_owned())
}

/// Lossy UTF-8 decoding.
pub fn text(bytes: &[u8]) -> Cow<'_, str> {
    String::from_utf8_lossy(bytes)
}
