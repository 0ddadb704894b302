//! Record text sanitizing: `record::untrusted` and `record::scrub_credentials`.
//!
//! Input: `<max bytes (2 bytes)> <prefix> 0xFF <scheme> 0xFF <user> 0xFF <password>
//! 0xFF <host> 0xFF <suffix>`. The text is `prefix + scheme://user:password@host +
//! suffix`.
//!
//! Asserts:
//! - `untrusted(text, max)`: no control characters and no bidi or zero-width
//!   formatting characters; at most `max` bytes plus one escaped character plus the
//!   truncation mark; the text as `redact::scrub` leaves it when that is short and has
//!   nothing to escape;
//! - `scrub_credentials(text)`: when the embedded URL is well formed (scheme
//!   `[A-Za-z][A-Za-z0-9+.-]*`, a user without `:` or `@`, a non-empty password without
//!   `*`, a host without `@`, none of them holding a character that ends an authority:
//!   `/ ? # " ' < >` or white space) and the password occurs nowhere else in the text,
//!   the output does not contain the password; `redact_url` is the same function;
//!   text without `://` and without `authorization` is unchanged.
#![no_main]

use gomod_common::{record, redact};
use gomod_fuzz::text_fields;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (max, rest) = match data {
        [a, b, rest @ ..] => (usize::from(u16::from_le_bytes([*a, *b])), rest),
        _ => (0, &data[data.len()..]),
    };
    let [prefix, scheme, user, password, host, suffix] = text_fields::<6>(rest);
    let url = format!("{scheme}://{user}:{password}@{host}");
    let text = format!("{prefix}{url}{suffix}");

    for input in [&text, &prefix] {
        let shown = record::untrusted(input, max);
        assert!(
            !shown.chars().any(|c| c.is_control() || is_format(c)),
            "{shown:?}"
        );
        const MARK: &str = "…[truncated]";
        assert!(shown.len() <= max + "\\u{10ffff}".len() + MARK.len());
        let scrubbed = redact::scrub(input);
        if scrubbed.len() <= max && !scrubbed.chars().any(|c| c.is_control() || is_format(c)) {
            assert_eq!(shown, scrubbed);
        }
    }

    let scrubbed = record::scrub_credentials(&text);
    assert_eq!(record::redact_url(&text), scrubbed);
    if !prefix.contains("://") && !prefix.to_ascii_lowercase().contains("authorization") {
        assert_eq!(record::scrub_credentials(&prefix), prefix);
    }
    let ends_authority =
        |c: char| matches!(c, '/' | '?' | '#' | '"' | '\'' | '<' | '>') || c.is_whitespace();
    let well_formed = scheme
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        && !user.contains([':', '@'])
        && !password.is_empty()
        && !password.contains('*')
        && !host.contains('@')
        && ![&user, &password, &host]
            .iter()
            .any(|s| s.contains(ends_authority))
        && text.matches(password.as_str()).count() == 1;
    if well_formed {
        assert!(
            !scrubbed.contains(password.as_str()),
            "password {password:?} of {url:?} survives in {scrubbed:?}"
        );
    }
});

/// The invisible formatting characters `untrusted` must escape: zero-width and bidi
/// controls and the BOM.
fn is_format(c: char) -> bool {
    matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}')
}
