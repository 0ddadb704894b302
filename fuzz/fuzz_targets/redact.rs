//! Redaction of echoed bodies: `redact::register_login`, `scrub`, `scrub_cut`,
//! `scrub_json_line`, `record::untrusted`.
//!
//! Input: `<form selectors (2 bytes)> <cut (2 bytes)> <user> 0xFF <password> 0xFF
//! <prefix> 0xFF <middle> 0xFF <suffix>`. The body is `prefix + form1 + middle + form2 +
//! suffix`, where each form is the login echoed back as a server might: the password
//! as is, percent-encoded (upper- or lower-case hex), in base64 (standard or URL-safe,
//! alone or as `user:password`), as Go's `%q` or JSON escape it, in an
//! `Authorization: Basic` header or in a URL's userinfo — each made here, not by the
//! code under test.
//!
//! Asserts, for a password of at least `MIN_SECRET_CHARS` characters, after
//! `register_login(user, password)`:
//! - `scrub(body)` contains neither the password nor either echoed form;
//! - `scrub_json_line` of a JSON line holding the body: the line parses, and the body
//!   read back from it holds neither;
//! - `scrub_cut(body[..cut])` holds neither, and (for a password without `*`) does not
//!   end with a start of three characters or more of the password;
//! - `untrusted(body, cut)` holds neither the password nor its escaped form.
#![no_main]

use base64::Engine;
use gomod_common::{record, redact};
use gomod_fuzz::text_fields;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (selectors, cut, rest) = match data {
        [a, b, c, d, rest @ ..] => ([*a, *b], usize::from(u16::from_le_bytes([*c, *d])), rest),
        _ => ([0, 0], 0, &data[data.len()..]),
    };
    let [user, password, prefix, middle, suffix] = text_fields::<5>(rest);
    // Each run starts from an empty registry, so that runs do not slow each other down.
    redact::forget_all();
    redact::register_login(&user, &password);

    let forms = [echoed(selectors[0], &user, &password), echoed(selectors[1], &user, &password)];
    let body = format!("{prefix}{}{middle}{}{suffix}", forms[0], forms[1]);
    if password.chars().count() < redact::MIN_SECRET_CHARS {
        // Only shapes protect short passwords; nothing else is promised.
        let _ = redact::scrub(&body);
        return;
    }
    let secrets: Vec<&str> = std::iter::once(password.as_str())
        .chain(forms.iter().map(|f| f.trim_end_matches('=')))
        .filter(|s| s.chars().count() >= redact::MIN_SECRET_CHARS)
        .collect();
    let holds_none = |what: &str, text: &str| {
        for secret in &secrets {
            assert!(
                !text.contains(secret),
                "{what}: {secret:?} survives in {text:?} (password {password:?})"
            );
        }
    };

    holds_none("scrub", &redact::scrub(&body));

    let line = serde_json::json!({ "body": body }).to_string();
    let scrubbed = redact::scrub_json_line(&line);
    let value: serde_json::Value = serde_json::from_str(&scrubbed).expect("still JSON");
    holds_none("scrub_json_line", value["body"].as_str().expect("a string"));

    let mut end = cut.min(body.len());
    while !body.is_char_boundary(end) {
        end -= 1;
    }
    let cut_short = redact::scrub_cut(&body[..end]);
    holds_none("scrub_cut", &cut_short);
    if !password.contains('*') {
        let starts: Vec<(usize, char)> = password.char_indices().skip(3).collect();
        for (i, _) in starts {
            assert!(
                !cut_short.ends_with(&password[..i]),
                "scrub_cut leaves {:?} of {password:?} at the end of {cut_short:?}",
                &password[..i]
            );
        }
    }

    let shown = record::untrusted(&body, cut);
    holds_none("untrusted", &shown);
    assert!(!shown.contains(&record::escape_unsafe(&password)));
});

/// The login echoed back in one of the ways a server does.
fn echoed(selector: u8, user: &str, password: &str) -> String {
    use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
    let login = format!("{user}:{password}");
    match selector % 12 {
        0 => password.to_string(),
        1 => percent(password, false),
        2 => percent(password, true),
        3 => STANDARD.encode(&login),
        4 => STANDARD.encode(password),
        5 => URL_SAFE_NO_PAD.encode(&login),
        6 => {
            let quoted = gomod_common::goquote::quote(password);
            quoted[1..quoted.len() - 1].to_string()
        }
        7 => {
            let json = serde_json::to_string(password).unwrap_or_default();
            json[1..json.len() - 1].to_string()
        }
        8 => format!("authorization: Basic {}", STANDARD.encode(&login)),
        9 => format!("https://{}:{}@host", percent(user, false), percent(password, false)),
        10 => percent(&STANDARD.encode(&login), false),
        _ => format!("{user}:{password}"),
    }
}

/// Every byte but ASCII letters and digits as `%XX`.
fn percent(text: &str, lower: bool) -> String {
    text.bytes()
        .map(|b| match (b.is_ascii_alphanumeric(), lower) {
            (true, _) => char::from(b).to_string(),
            (false, false) => format!("%{b:02X}"),
            (false, true) => format!("%{b:02x}"),
        })
        .collect()
}
