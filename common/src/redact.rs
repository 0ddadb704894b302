//! Keeping credentials out of everything the tools print.
//!
//! A server may send back what it was sent — an `Authorization` header in a 403 body,
//! a password in a `Location` header or a JSON field — and the go command prints such
//! answers as they are. The tools promise never to print a credential, whatever its
//! source and wherever it turns up. Two layers keep that promise:
//!
//! * **By shape** ([`scrub_credentials`]), for any text, whoever's credential it is:
//!   the password of a URL's userinfo becomes `***` (`https://alice:***@proxy`, also
//!   when the colon is percent-encoded in the user name, `alice%3A***@`), and so does
//!   what follows an `Authorization` or `Proxy-Authorization` header name
//!   (`Authorization: Basic ***`).
//! * **Known secrets** ([`register_login`], [`learn_from_text`], [`learn_config`]):
//!   every credential the tools learn is registered once, process-wide — URL userinfo
//!   in GOPROXY, GOSUMDB and the proxy variables (also without a scheme), in arguments
//!   and input lines; every password of the netrc file; every login sent in a Basic
//!   header — with the forms it can take on the way back: as is, percent-encoded (as
//!   Go escapes userinfo, query and path, every byte, hex digits in either case),
//!   base64 (standard and URL-safe, with or without padding) of the password and of
//!   `user:password`, each also as Go's `%q` and JSON escape it. Every occurrence of
//!   every form is replaced by `***` ([`scrub`]).
//!
//! **Short secrets.** A form shorter than [`MIN_SECRET_CHARS`] characters is not
//! searched for in free text: a password of one to five characters would match
//! ordinary words, versions and hashes and garble the output. Such a password is
//! still removed wherever its position says it is one (URL userinfo, an
//! Authorization header), and its base64 forms, which are longer, are searched for.
//!
//! **Where.** [`crate::app`] scrubs everything at the point it is written: each string
//! of a JSON record before it is serialized ([`scrub_json_line`]), each text line,
//! fatal errors and the progress line on standard error. [`crate::record::untrusted`]
//! scrubs before it shortens text, and body excerpts are scrubbed before they are cut,
//! with the end of a cut body checked for the start of a secret ([`scrub_cut`],
//! [`scrub_cut_bytes`]), so that shortening never leaves part of a secret behind.

use std::collections::BTreeSet;
use std::sync::{Arc, LazyLock, Mutex};

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use base64::Engine;

use crate::gourl;

/// What a credential is replaced by.
pub const REDACTED: &str = "***";

/// The shortest form of a known secret that is searched for in free text, in
/// characters (see the module documentation).
pub const MIN_SECRET_CHARS: usize = 6;

/// The shortest start of a secret that is removed from the end of a cut text.
const MIN_PARTIAL_CHARS: usize = 3;

/// How many scrubbing passes a text gets before it is given up on as a whole (a
/// secret that reappears after its neighbours were replaced; never in practice).
const MAX_PASSES: usize = 16;

/// The process-wide registry of known secrets.
#[derive(Default)]
struct Registry {
    /// The logins and secrets registered so far (their forms need not be made again).
    seen: BTreeSet<String>,
    /// Every form of every secret registered, at least [`MIN_SECRET_CHARS`] long.
    forms: BTreeSet<String>,
    /// The matcher for `forms`, made again after a registration.
    matcher: Option<Arc<Matcher>>,
}

/// The forms and their matcher, shared with scrubbing threads.
struct Matcher {
    forms: Vec<String>,
    automaton: AhoCorasick,
}

static REGISTRY: LazyLock<Mutex<Registry>> = LazyLock::new(Mutex::default);

/// The matcher for the secrets known now, if any.
fn matcher() -> Option<Arc<Matcher>> {
    let mut registry = REGISTRY.lock().unwrap_or_else(|e| e.into_inner());
    if registry.forms.is_empty() {
        return None;
    }
    if registry.matcher.is_none() {
        let forms: Vec<String> = registry.forms.iter().cloned().collect();
        let automaton = AhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostLongest)
            .build(&forms)
            .ok()?;
        registry.matcher = Some(Arc::new(Matcher { forms, automaton }));
    }
    registry.matcher.clone()
}

/// Whether `key` (a login or a secret) is registered already; marks it as registered.
fn first_time(key: String) -> bool {
    let mut registry = REGISTRY.lock().unwrap_or_else(|e| e.into_inner());
    registry.seen.insert(key)
}

/// Adds forms to the registry; the matcher is made again when next needed.
fn add_forms(forms: impl IntoIterator<Item = String>) {
    let mut registry = REGISTRY.lock().unwrap_or_else(|e| e.into_inner());
    let mut added = false;
    for form in forms {
        if form.chars().count() >= MIN_SECRET_CHARS && registry.forms.insert(form) {
            added = true;
        }
    }
    if added {
        registry.matcher = None;
    }
}

/// Registers a login as a Basic header carries it (`user:password`): the password,
/// and the whole login in base64. A user name with a colon (`user%3Apass@host` in a
/// URL) is split where a server splits it, at the first colon, so what follows is a
/// password too.
pub fn register_login(user: &str, password: &str) {
    let login = format!("{user}:{password}");
    if !first_time(format!("login {login}")) {
        return;
    }
    let mut secrets = vec![password.to_string()];
    if let Some((_, rest)) = user.split_once(':') {
        secrets.push(rest.to_string());
        secrets.push(format!("{rest}:{password}"));
    }
    let mut forms = Vec::new();
    for secret in secrets.iter().filter(|s| !s.is_empty()) {
        forms.extend(forms_of(secret));
        forms.extend(base64_forms(secret).iter().flat_map(|b| forms_of(b)));
    }
    forms.extend(base64_forms(&login).iter().flat_map(|b| forms_of(b)));
    add_forms(forms);
}

/// Registers the login of a URL's userinfo.
pub fn register_userinfo(user: &gourl::Userinfo) {
    register_login(&user.username, user.password.as_deref().unwrap_or(""));
}

/// Registers a secret that is not a login (a token, a header value).
pub fn register_secret(secret: &str) {
    if !first_time(format!("secret {secret}")) {
        return;
    }
    let mut forms = forms_of(secret);
    forms.extend(base64_forms(secret).iter().flat_map(|b| forms_of(b)));
    add_forms(forms);
}

/// Forgets every registered secret. Only for fuzzing and tests, which register
/// thousands of made-up logins in one process; the tools never call it.
#[doc(hidden)]
pub fn forget_all() {
    let mut registry = REGISTRY.lock().unwrap_or_else(|e| e.into_inner());
    *registry = Registry::default();
    LEARNED.store(0, std::sync::atomic::Ordering::Relaxed);
}

/// How many logins [`learn_from_text`] registers at most: input of thousands of
/// distinct passwords would make every registration rebuild a large matcher. Past
/// it, shapes alone keep URL passwords out of the output.
const MAX_LEARNED: usize = 4096;

static LEARNED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// Registers the login of every `scheme://user:password@host` in text the user gave
/// (arguments, input lines), so that it is recognised wherever it turns up later —
/// also where the `@` that gives it away is gone (a target split at `@` into a
/// module path and a version).
pub fn learn_from_text(text: &str) {
    for (start, end) in userinfo_spans(text) {
        learn_userinfo(&text[start..end]);
    }
}

/// Registers a raw (percent-encoded) `user:password` or `user`.
fn learn_userinfo(raw: &str) {
    use std::sync::atomic::Ordering;
    if LEARNED.load(Ordering::Relaxed) >= MAX_LEARNED || !first_time(format!("raw {raw}")) {
        return;
    }
    LEARNED.fetch_add(1, Ordering::Relaxed);
    let decode = |s: &str| gourl::path_unescape(s).unwrap_or_else(|_| s.to_string());
    match raw.split_once(':') {
        Some((user, password)) => {
            let (decoded_user, decoded_password) = (decode(user), decode(password));
            if (decoded_user.as_str(), decoded_password.as_str()) != (user, password) {
                // The raw form too, in case the escapes are not valid ones.
                register_login(user, password);
            }
            register_login(&decoded_user, &decoded_password);
        }
        None => register_login(&decode(raw), ""),
    }
}

/// The variables of the Go configuration that may hold a URL with credentials (a
/// list of them, or a name and a URL).
pub const URL_VARIABLES: &[&str] = &[
    "GOPROXY",
    "GOSUMDB",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "http_proxy",
    "https_proxy",
    "ALL_PROXY",
    "all_proxy",
];

/// Registers the credentials of a configuration value that holds URLs: every entry
/// (split at `,`, `|` and white space) with userinfo, also without a scheme, as Go
/// reads `user:password@host` in GOPROXY and the proxy variables (with `https://` or
/// `http://` put in front).
pub fn learn_config_value(value: &str) {
    for token in config_tokens(value) {
        if token.contains("://") {
            learn_from_text(token);
        } else if let Some(userinfo) = schemeless_userinfo(token) {
            learn_userinfo(userinfo);
        }
    }
}

/// Registers every credential of the Go configuration: the values of
/// [`URL_VARIABLES`], from wherever they came (process environment or go env file).
pub fn learn_config(cfg: &crate::goenv::GoConfig) {
    for name in URL_VARIABLES {
        learn_config_value(&cfg.getenv(name));
        if let Some(raw) = cfg.environment().raw(name) {
            learn_config_value(raw);
        }
    }
}

/// A configuration value with its credentials redacted by shape: URLs as
/// [`scrub_credentials`] does, and entries without a scheme
/// (`user:password@host`) too.
pub fn redact_config_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while !rest.is_empty() {
        let end = rest.find(is_config_separator).unwrap_or(rest.len());
        let (token, after) = rest.split_at(end);
        if token.contains("://") {
            out.push_str(&scrub_credentials(token));
        } else if let Some(userinfo) = schemeless_userinfo(token) {
            let shown = match userinfo.split_once(':') {
                Some((user, _)) => format!("{user}:{REDACTED}"),
                None => redact_colon_in_user(userinfo).unwrap_or_else(|| userinfo.to_string()),
            };
            out.push_str(&shown);
            out.push_str(&token[userinfo.len()..]);
        } else {
            out.push_str(token);
        }
        let separator_len = after.chars().next().map_or(0, char::len_utf8);
        out.push_str(&after[..separator_len]);
        rest = &after[separator_len..];
    }
    out
}

fn is_config_separator(c: char) -> bool {
    matches!(c, ',' | '|') || c.is_whitespace()
}

fn config_tokens(value: &str) -> impl Iterator<Item = &str> {
    value.split(is_config_separator).filter(|t| !t.is_empty())
}

/// The userinfo of a scheme-less `userinfo@host[...]` entry: what comes before the
/// last `@` of the authority (which ends at the first `/`), if it is there.
fn schemeless_userinfo(token: &str) -> Option<&str> {
    let authority = &token[..token.find('/').unwrap_or(token.len())];
    let at = authority.rfind('@')?;
    Some(&authority[..at])
}

/// `user%3A***` for a user name whose colon is percent-encoded (`user%3Apass`), which
/// Go keeps as a user name but a server reads as `user:pass`.
fn redact_colon_in_user(userinfo: &str) -> Option<String> {
    let lower = userinfo.to_ascii_lowercase();
    let at = lower.find("%3a")?;
    Some(format!("{}{REDACTED}", &userinfo[..at + 3]))
}

/// Every form of one secret that is searched for: as is, percent-encoded in every way
/// URLs and servers write it, each as Go's `%q` and JSON escape it and as the tools
/// escape untrusted text.
fn forms_of(secret: &str) -> Vec<String> {
    if secret.is_empty() {
        return Vec::new();
    }
    let userinfo = gourl::Userinfo {
        username: String::new(),
        password: Some(secret.to_string()),
    }
    .to_string();
    let mut encoded = vec![
        secret.to_string(),
        userinfo.trim_start_matches(':').to_string(),
        gourl::query_escape(secret),
        gourl::path_escape(secret),
        percent_encode(secret, |b| b.is_ascii_alphanumeric()),
        percent_encode(secret, |b| {
            b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
        }),
    ];
    let lower: Vec<String> = encoded.iter().map(|e| lower_hex(e)).collect();
    encoded.extend(lower);
    let mut forms = Vec::new();
    for form in encoded {
        let quoted = crate::goquote::quote(&form);
        let json = serde_json::to_string(&form).unwrap_or_default();
        forms.push(crate::record::escape_unsafe(&form));
        forms.push(strip_quotes(&quoted).to_string());
        forms.push(strip_quotes(&json).to_string());
        forms.push(form);
    }
    forms.sort();
    forms.dedup();
    forms
}

fn strip_quotes(quoted: &str) -> &str {
    quoted
        .strip_prefix('"')
        .and_then(|q| q.strip_suffix('"'))
        .unwrap_or(quoted)
}

/// Base64 of `text`, standard and URL-safe, each with and without padding.
fn base64_forms(text: &str) -> Vec<String> {
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
    let mut forms = vec![
        STANDARD.encode(text),
        STANDARD_NO_PAD.encode(text),
        URL_SAFE.encode(text),
        URL_SAFE_NO_PAD.encode(text),
    ];
    forms.sort();
    forms.dedup();
    forms
}

/// `text` with every byte `keep` refuses written `%XX` (upper-case hex).
fn percent_encode(text: &str, keep: impl Fn(u8) -> bool) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for b in text.bytes() {
        if keep(b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The hex digits of `%XX` escapes in lower case.
fn lower_hex(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut after_percent = 0;
    for c in text.chars() {
        if after_percent > 0 {
            out.push(c.to_ascii_lowercase());
            after_percent -= 1;
        } else {
            if c == '%' {
                after_percent = 2;
            }
            out.push(c);
        }
    }
    out
}

/// Removes every credential from `text`: by shape ([`scrub_credentials`]) and every
/// form of every known secret. The result holds none of them, even where replacing
/// one brought another together.
pub fn scrub(text: &str) -> String {
    scrub_with(text, matcher().as_deref())
}

/// Removes every form of every known secret from `text`, and nothing by shape: for
/// text made from scrubbed text (escaped, cut), which only a known secret can have
/// come back into. Never makes text longer.
pub fn scrub_known(text: &str) -> String {
    scrub_passes(text, matcher().as_deref(), str::to_string)
}

fn scrub_with(text: &str, matcher: Option<&Matcher>) -> String {
    scrub_passes(text, matcher, scrub_credentials)
}

/// Applies `shapes` and then the known secrets until nothing changes.
fn scrub_passes(text: &str, matcher: Option<&Matcher>, shapes: fn(&str) -> String) -> String {
    let mut current = text.to_string();
    for _ in 0..MAX_PASSES {
        let mut next = shapes(&current);
        if let Some(m) = matcher
            && m.automaton.is_match(&next)
        {
            let mut replaced = String::with_capacity(next.len());
            m.automaton
                .replace_all_with(&next, &mut replaced, |_, _, dst| {
                    dst.push_str(REDACTED);
                    true
                });
            next = replaced;
        }
        if next == current {
            return next;
        }
        current = next;
    }
    REDACTED.to_string()
}

/// [`scrub`] for text that may have been cut short: the end is also checked for the
/// start (at least three characters) of a known secret, which is removed.
pub fn scrub_cut(text: &str) -> String {
    let mut current = scrub(text);
    let Some(m) = matcher() else {
        return current;
    };
    for _ in 0..MAX_PASSES {
        let partial = m
            .forms
            .iter()
            .filter_map(|form| partial_suffix(&current, form))
            .max();
        let Some(len) = partial else {
            return current;
        };
        // The mark put in its place may complete a secret with what comes before.
        let next = scrub(&format!("{}{REDACTED}", &current[..current.len() - len]));
        if next == current {
            return current;
        }
        current = next;
    }
    REDACTED.to_string()
}

/// The length in bytes of the longest end of `text` that is a proper start of `form`,
/// at least [`MIN_PARTIAL_CHARS`] characters long.
fn partial_suffix(text: &str, form: &str) -> Option<usize> {
    form.char_indices()
        .map(|(i, _)| i)
        .skip(MIN_PARTIAL_CHARS)
        .filter(|&i| text.ends_with(&form[..i]))
        .max()
}

/// [`scrub`] for bytes that may not be UTF-8: each valid stretch is scrubbed, other
/// bytes are kept.
pub fn scrub_bytes(bytes: &[u8]) -> Vec<u8> {
    scrub_bytes_with(bytes, false)
}

/// [`scrub_cut`] for bytes that may not be UTF-8 (a body cut after so many bytes,
/// maybe inside a character).
pub fn scrub_cut_bytes(bytes: &[u8]) -> Vec<u8> {
    scrub_bytes_with(bytes, true)
}

fn scrub_bytes_with(bytes: &[u8], cut: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut chunks = bytes.utf8_chunks().peekable();
    while let Some(chunk) = chunks.next() {
        // The last stretch of text ends where the body was cut (an incomplete
        // character after it is part of the cut).
        let last_text = chunks.peek().is_none() && chunk.invalid().len() < 4;
        let text = if cut && last_text {
            scrub_cut(chunk.valid())
        } else {
            scrub(chunk.valid())
        };
        out.extend_from_slice(text.as_bytes());
        out.extend_from_slice(chunk.invalid());
    }
    out
}

/// A JSON line with every string in it (keys too) scrubbed before it is serialized
/// again, so that escapes are never cut through; the line as it is when it cannot
/// hold a credential (no `@`, no `authorization`, no known secret).
pub fn scrub_json_line(line: &str) -> String {
    let matcher = matcher();
    if matcher.is_none() && !line.contains('@') && !contains_ignore_case(line, "authorization") {
        return line.to_string();
    }
    let Ok(mut value) = serde_json::from_str::<serde_json::Value>(line) else {
        return scrub(line);
    };
    scrub_json_with(&mut value, matcher.as_deref());
    serde_json::to_string(&value).unwrap_or_else(|_| scrub(line))
}

/// Scrubs every string of a JSON value in place, object keys included.
pub fn scrub_json(value: &mut serde_json::Value) {
    scrub_json_with(value, matcher().as_deref());
}

fn scrub_json_with(value: &mut serde_json::Value, matcher: Option<&Matcher>) {
    match value {
        serde_json::Value::String(s) => *s = scrub_with(s, matcher),
        serde_json::Value::Array(items) => {
            for item in items {
                scrub_json_with(item, matcher);
            }
        }
        serde_json::Value::Object(map) => {
            let entries = std::mem::take(map);
            for (key, mut item) in entries {
                scrub_json_with(&mut item, matcher);
                map.insert(scrub_with(&key, matcher), item);
            }
        }
        _ => {}
    }
}

fn contains_ignore_case(text: &str, needle: &str) -> bool {
    text.as_bytes()
        .windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

/// Replaces the password of a URL's userinfo with `***` (`https://alice:***@proxy`).
/// Text that is not a URL with userinfo is returned unchanged.
pub fn redact_url(url: &str) -> String {
    scrub_credentials(url)
}

/// The spans (`start..end` of `text`) of the raw userinfo of every
/// `scheme://userinfo@host` in `text`.
fn userinfo_spans(text: &str) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut from = 0;
    while let Some(pos) = text[from..].find("://") {
        let start = from + pos + 3;
        let after_scheme = &text[start..];
        // The authority ends at the first '/', '?', '#', white space or quote.
        let authority_end = after_scheme
            .find(|c: char| {
                matches!(c, '/' | '?' | '#' | '"' | '\'' | '>' | '<') || c.is_whitespace()
            })
            .unwrap_or(after_scheme.len());
        if let Some(at) = after_scheme[..authority_end].rfind('@') {
            spans.push((start, start + at));
        }
        // Not past the authority: its last ':' may begin the next `://`
        // (`x://http://user:password@host`).
        from = start;
    }
    spans
}

/// Removes credentials from free text by their shape: in every
/// `scheme://user:password@host` the password becomes `***` (with a percent-encoded
/// colon, `user%3Apassword@`, what follows it), and so does the credential after an
/// `Authorization` or `Proxy-Authorization` header name (`Authorization: Basic ***`).
/// Used on every message, detail, hint and go_error before it is stored, since Go's
/// own error texts sometimes include a URL exactly as configured, and on all output.
pub fn scrub_credentials(text: &str) -> String {
    let urls = scrub_url_passwords(text);
    scrub_authorization(&urls)
}

fn scrub_url_passwords(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    // `text[..copied]` is in `out`.
    let mut copied = 0;
    for (start, end) in userinfo_spans(text) {
        if start < copied {
            continue;
        }
        let userinfo = &text[start..end];
        let shown = match userinfo.find(':') {
            Some(colon) => Some(colon + 1),
            None => userinfo.to_ascii_lowercase().find("%3a").map(|i| i + 3),
        };
        if let Some(keep) = shown {
            out.push_str(&text[copied..start + keep]);
            out.push_str(REDACTED);
            copied = end;
        }
    }
    out.push_str(&text[copied..]);
    out
}

/// `Authorization` or `Proxy-Authorization`, a separator (`: `, `=`, `":"`, `:[`,
/// percent-encoded ones), an optional scheme, then the credential.
static AUTHORIZATION: LazyLock<Option<regex::Regex>> = LazyLock::new(|| {
    regex::Regex::new(concat!(
        r"(?i-u)(authorization",
        r#"(?:["']?[ \t]*[:=][ \t]*["'\[]?[ \t]*|%3A(?:%20|\+)*|%3D|%22%3A%22)"#,
        r"(?:(?:basic|bearer|token|digest|negotiate|ntlm|aws4-hmac-sha256)(?:[ \t]+|%20|\+))?)",
        r"(\*\*\*|[A-Za-z0-9\-._~+/%]+=*)",
    ))
    .ok()
});

fn scrub_authorization(text: &str) -> String {
    let Some(re) = AUTHORIZATION.as_ref() else {
        return text.to_string();
    };
    if !contains_ignore_case(text, "authorization") {
        return text.to_string();
    }
    re.replace_all(text, |caps: &regex::Captures<'_>| {
        if &caps[2] == REDACTED {
            caps[0].to_string()
        } else {
            format!("{}{REDACTED}", &caps[1])
        }
    })
    .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scrub_credentials_hides_passwords_only() {
        assert_eq!(
            scrub_credentials("https://alice:s3cret@proxy.example/x"),
            "https://alice:***@proxy.example/x"
        );
        assert_eq!(
            scrub_credentials("https://alice@proxy.example"),
            "https://alice@proxy.example"
        );
        assert_eq!(
            scrub_credentials(r#"Get "http://u:p@h:1/a": x and https://v:w@k"#),
            r#"Get "http://u:***@h:1/a": x and https://v:***@k"#
        );
        assert_eq!(scrub_credentials("no url here"), "no url here");
        assert_eq!(scrub_credentials("a://b:c@d@e/f"), "a://b:***@e/f");
        assert_eq!(scrub_credentials("://"), "://");
    }

    #[test]
    fn a_percent_encoded_colon_in_the_user_name_hides_what_follows() {
        assert_eq!(
            scrub_credentials("https://user%3As3cr3t@host/x"),
            "https://user%3A***@host/x"
        );
        assert_eq!(
            scrub_credentials("https://user%3as3cr3t@host"),
            "https://user%3a***@host"
        );
    }

    #[test]
    fn authorization_headers_are_hidden_in_any_spelling() {
        for (text, shown) in [
            (
                "authorization: Basic dXNlcjpzM2NyM3Q=",
                "authorization: Basic ***",
            ),
            (
                "Proxy-Authorization: Basic dXNlcjpzM2NyM3Q=\r\n",
                "Proxy-Authorization: Basic ***\r\n",
            ),
            (
                "map[Authorization:[Bearer abc.def-ghi]]",
                "map[Authorization:[Bearer ***]]",
            ),
            (
                r#"{"authorization":"Basic dXNlcjpw"}"#,
                r#"{"authorization":"Basic ***"}"#,
            ),
            (
                "/x?authorization=Basic%20dXNl%3D",
                "/x?authorization=Basic%20***",
            ),
            ("AUTHORIZATION=token123", "AUTHORIZATION=***"),
            ("authorization: Basic ***", "authorization: Basic ***"),
        ] {
            assert_eq!(scrub_credentials(text), shown, "{text}");
        }
        assert_eq!(
            scrub_credentials("authorization failed for user"),
            "authorization failed for user"
        );
    }

    #[test]
    fn configuration_values_without_a_scheme_are_redacted() {
        assert_eq!(
            redact_config_value("user:s3cr3t@host,direct"),
            "user:***@host,direct"
        );
        assert_eq!(
            redact_config_value("https://a:b@p|user%3Apw@q/x off"),
            "https://a:***@p|user%3A***@q/x off"
        );
        assert_eq!(
            redact_config_value("sum.golang.org+key https://u:p@db"),
            "sum.golang.org+key https://u:***@db"
        );
        assert_eq!(
            redact_config_value("proxy.golang.org,direct"),
            "proxy.golang.org,direct"
        );
    }

    #[test]
    fn every_form_of_a_known_password_is_scrubbed() {
        register_login("regtest-user", "Reg-P@ss/w0rd");
        let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
        let login = b64("regtest-user:Reg-P@ss/w0rd");
        for text in [
            "the password is Reg-P@ss/w0rd!".to_string(),
            "escaped Reg-P%40ss%2Fw0rd and Reg%2DP%40ss%2Fw0rd".to_string(),
            "lower Reg-P%40ss%2fw0rd".to_string(),
            format!("header {login} end"),
            format!("alone {}", b64("Reg-P@ss/w0rd")),
        ] {
            let scrubbed = scrub(&text);
            assert!(!scrubbed.contains("P@ss"), "{scrubbed}");
            assert!(!scrubbed.contains("P%40ss"), "{scrubbed}");
            assert!(
                !scrubbed.contains(login.trim_end_matches('=')),
                "{scrubbed}"
            );
            assert!(scrubbed.contains(REDACTED), "{scrubbed}");
        }
        // Cut in the middle: the start of the secret goes too.
        assert_eq!(scrub_cut("body ends Reg-P@s"), "body ends ***");
        assert_eq!(scrub_cut_bytes(b"body Reg-P@s"), b"body ***");
        // In JSON, through escapes.
        let line =
            serde_json::json!({"a": "x Reg-P@ss/w0rd y", "b": [1, "Reg-P@ss/w0rd"]}).to_string();
        let scrubbed = scrub_json_line(&line);
        assert_eq!(scrubbed, r#"{"a":"x *** y","b":[1,"***"]}"#);
    }

    #[test]
    fn short_secrets_are_hidden_only_by_shape() {
        register_login("shortuser", "ab1");
        assert_eq!(scrub("tab1e"), "tab1e");
        assert_eq!(scrub("https://shortuser:ab1@h"), "https://shortuser:***@h");
    }

    #[test]
    fn a_secret_that_reappears_after_replacement_is_scrubbed_again() {
        register_secret("qq***qq");
        // Replacing the inner one brings the outer one together.
        assert_eq!(scrub("qqqq***qqqq"), "***");
    }

    #[test]
    fn learned_from_text_and_configuration() {
        learn_from_text("fetch https://tlearn:Learned-Secret1@host/x please");
        assert_eq!(
            scrub("module https://tlearn:Learned-Secret1"),
            "module https://tlearn:***"
        );
        learn_config_value("direct,cfguser:Config-Secret2@proxy.corp|off");
        assert_eq!(scrub("echo Config-Secret2"), "echo ***");
        learn_config_value("https://pct%3AUser-Secret3@p");
        assert_eq!(scrub("echo User-Secret3"), "echo ***");
    }
}
