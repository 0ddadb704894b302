//! Go's `net/url`, as the newest Go release has it (go1.27), for the parts the go command uses.
//!
//! The go command validates GOPROXY entries, GOSUMDB URLs, proxy URLs and request URLs with
//! `net/url` and prints its errors verbatim, so this module reproduces Go's parser, its
//! `URL.String()` and its exact error text. It differs from WHATWG URL parsing (the `url`
//! crate) in many ways: no normalisation of paths or hosts, opaque URLs, `omit_host`, strict
//! port syntax, Go's own escaping sets.
//!
//! Go strings may hold any bytes; Rust strings must be UTF-8. Where percent-decoding yields
//! bytes that are not UTF-8 (`%ff`, `%c3%28`), the decoded fields (`path`, `fragment`, `host`,
//! userinfo) hold the lossy decoding (U+FFFD), and `raw_path` / `raw_fragment` keep the
//! original text even where Go leaves them empty. `Display` therefore still prints what Go
//! prints for such paths and fragments when the original text is a valid encoding; otherwise
//! (e.g. `/é%ff`, `/a %ff`), and always for such hosts and userinfo, it prints `%EF%BF%BD`
//! where Go prints the original byte (`%FF`). Every other input behaves exactly as in Go.

use std::borrow::Cow;
use std::fmt::{self, Write as _};
use std::net::{IpAddr, Ipv6Addr};

/// A parsed URL, field for field Go's `url.URL`.
///
/// The general form is `[scheme:][//[userinfo@]host][/]path[?query][#fragment]`; a URL whose
/// text after the scheme does not start with `/` is `scheme:opaque[?query][#fragment]`.
/// `Display` is Go's `URL.String()`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Url {
    /// Lower-cased scheme, empty for a relative URL.
    pub scheme: String,
    /// Encoded opaque data (`mailto:x@y` has opaque `x@y`).
    pub opaque: String,
    /// Username and optional password.
    pub user: Option<Userinfo>,
    /// `host` or `host:port`, decoded; IPv6 literals keep their brackets.
    pub host: String,
    /// Decoded path.
    pub path: String,
    /// Encoded path hint, set only when the original encoding differs from the default one.
    pub raw_path: String,
    /// The URL had a scheme followed by a single `/` and no authority (`file:/x`).
    pub omit_host: bool,
    /// The URL ended in `?` with an empty query.
    pub force_query: bool,
    /// Encoded query, without the `?`.
    pub raw_query: String,
    /// Decoded fragment, without the `#`.
    pub fragment: String,
    /// Encoded fragment hint, set only when the original encoding differs from the default one.
    pub raw_fragment: String,
}

/// Username and optional password of a URL, Go's `url.Userinfo`.
///
/// `Debug` never shows the password; `Display` is Go's `Userinfo.String()` and does.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Userinfo {
    /// Decoded username (may be empty).
    pub username: String,
    /// Decoded password; `Some("")` for `user:@host`, `None` for `user@host`.
    pub password: Option<String>,
}

impl fmt::Debug for Userinfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Userinfo")
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| REDACTED))
            .finish()
    }
}

impl fmt::Display for Userinfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&escape(self.username.as_bytes(), Encoding::UserPassword))?;
        if let Some(password) = &self.password {
            write!(
                f,
                ":{}",
                escape(password.as_bytes(), Encoding::UserPassword)
            )?;
        }
        Ok(())
    }
}

/// What Go's `URL.Redacted` puts in place of a password.
const REDACTED: &str = "xxxxx";

/// A parse failure, Go's `*url.Error`: displays as `parse "<url>": <reason>`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    /// The operation; always `parse` here.
    pub op: &'static str,
    /// The text that failed to parse (for `parse`, without a `#fragment` unless the fragment
    /// itself was at fault).
    pub url: String,
    /// Why it failed.
    pub kind: ErrorKind,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}: {}",
            self.op,
            crate::goquote::quote_bytes(self.url.as_bytes()),
            self.kind
        )
    }
}

impl std::error::Error for Error {}

/// The reason inside a [`Error`]; `Display` gives Go's exact text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// `net/url: invalid control character in URL` (a byte below 0x20, or 0x7f).
    ControlCharacter,
    /// `empty url` (request URIs only).
    EmptyUrl,
    /// `missing protocol scheme` (the text starts with `:`).
    MissingScheme,
    /// `invalid URI for request` (request URIs only: neither absolute URL nor absolute path).
    InvalidRequestUri,
    /// `first path segment in URL cannot contain colon`.
    ColonInFirstSegment,
    /// `invalid URL escape "<bytes>"`: a malformed `%` escape, or one not allowed in a host.
    InvalidEscape(Vec<u8>),
    /// `invalid character "<c>" in host name`.
    InvalidHostCharacter(char),
    /// `invalid IP-literal`: a `[` not at the start of the host, or `[IPv4]`.
    InvalidIpLiteral,
    /// `missing ']' in host`.
    MissingBracket,
    /// `invalid port "<:port>" after host`.
    InvalidPort(String),
    /// `invalid host: <netip.ParseAddr error>` for a bracketed host that is no IPv6 address.
    InvalidHost(AddrError),
    /// `net/url: invalid userinfo`.
    InvalidUserinfo,
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::ControlCharacter => f.write_str("net/url: invalid control character in URL"),
            Self::EmptyUrl => f.write_str("empty url"),
            Self::MissingScheme => f.write_str("missing protocol scheme"),
            Self::InvalidRequestUri => f.write_str("invalid URI for request"),
            Self::ColonInFirstSegment => {
                f.write_str("first path segment in URL cannot contain colon")
            }
            Self::InvalidEscape(s) => {
                write!(f, "invalid URL escape {}", crate::goquote::quote_bytes(s))
            }
            Self::InvalidHostCharacter(c) => write!(
                f,
                "invalid character {} in host name",
                crate::goquote::quote_bytes(c.encode_utf8(&mut [0; 4]).as_bytes())
            ),
            Self::InvalidIpLiteral => f.write_str("invalid IP-literal"),
            Self::MissingBracket => f.write_str("missing ']' in host"),
            Self::InvalidPort(p) => write!(
                f,
                "invalid port {} after host",
                crate::goquote::quote_bytes(p.as_bytes())
            ),
            Self::InvalidHost(e) => write!(f, "invalid host: {e}"),
            Self::InvalidUserinfo => f.write_str("net/url: invalid userinfo"),
        }
    }
}

impl std::error::Error for ErrorKind {}

/// Parses a URL or URI reference, Go's `url.Parse`.
///
/// Relative references are accepted; a `#fragment` is split off first.
pub fn parse(raw: &str) -> Result<Url, Error> {
    let (before, fragment) = raw.split_once('#').unwrap_or((raw, ""));
    let mut url = parse_reference(before, false).map_err(|kind| parse_error(before, kind))?;
    if !fragment.is_empty() {
        url.set_fragment(fragment)
            .map_err(|kind| parse_error(raw, kind))?;
    }
    Ok(url)
}

/// Parses a URL as received in an HTTP request line, Go's `url.ParseRequestURI`: only an
/// absolute URL or an absolute path, and `#` is not special.
pub fn parse_request_uri(raw: &str) -> Result<Url, Error> {
    parse_reference(raw, true).map_err(|kind| parse_error(raw, kind))
}

fn parse_error(url: &str, kind: ErrorKind) -> Error {
    Error {
        op: "parse",
        url: url.to_owned(),
        kind,
    }
}

/// Go's unexported `parse`: `via_request` restricts the input to request-URI forms.
fn parse_reference(raw: &str, via_request: bool) -> Result<Url, ErrorKind> {
    if raw.bytes().any(|b| b < b' ' || b == 0x7f) {
        return Err(ErrorKind::ControlCharacter);
    }
    if raw.is_empty() && via_request {
        return Err(ErrorKind::EmptyUrl);
    }
    let mut url = Url::default();
    if raw == "*" {
        url.path = "*".to_owned();
        return Ok(url);
    }

    let (scheme, rest) = split_scheme(raw)?;
    url.scheme = scheme.to_ascii_lowercase();

    let mut rest = match rest.strip_suffix('?') {
        Some(without) if !without.contains('?') => {
            url.force_query = true;
            without
        }
        _ => {
            let (rest, query) = rest.split_once('?').unwrap_or((rest, ""));
            url.raw_query = query.to_owned();
            rest
        }
    };

    if !rest.starts_with('/') {
        if !url.scheme.is_empty() {
            // A rootless path after a scheme is opaque (RFC 3986).
            url.opaque = rest.to_owned();
            return Ok(url);
        }
        if via_request {
            return Err(ErrorKind::InvalidRequestUri);
        }
        // Avoid mistaking a malformed scheme (cache_object:foo/bar) for a path; golang.org/issue/16822.
        let first_segment = rest.split('/').next().unwrap_or_default();
        if first_segment.contains(':') {
            return Err(ErrorKind::ColonInFirstSegment);
        }
    }

    let authority_allowed = !url.scheme.is_empty() || (!via_request && !rest.starts_with("///"));
    if authority_allowed && rest.starts_with("//") {
        let after = &rest[2..];
        let (authority, path) = after.find('/').map_or((after, ""), |i| after.split_at(i));
        let (user, host) = parse_authority(&url.scheme, authority)?;
        url.user = user;
        url.host = host;
        rest = path;
    } else if !url.scheme.is_empty() && rest.starts_with('/') {
        url.omit_host = true;
    }

    url.set_path(rest)?;
    Ok(url)
}

/// Splits off a leading `scheme:` (`[a-zA-Z][a-zA-Z0-9+.-]*`); returns an empty scheme and the
/// whole input when there is none.
fn split_scheme(raw: &str) -> Result<(&str, &str), ErrorKind> {
    for (i, c) in raw.bytes().enumerate() {
        match c {
            b'a'..=b'z' | b'A'..=b'Z' => {}
            b'0'..=b'9' | b'+' | b'-' | b'.' if i > 0 => {}
            b':' if i == 0 => return Err(ErrorKind::MissingScheme),
            b':' => return Ok((&raw[..i], &raw[i + 1..])),
            _ => break,
        }
    }
    Ok(("", raw))
}

fn parse_authority(scheme: &str, authority: &str) -> Result<(Option<Userinfo>, String), ErrorKind> {
    let Some(at) = authority.rfind('@') else {
        return Ok((None, parse_host(scheme, authority)?));
    };
    let host = parse_host(scheme, &authority[at + 1..])?;
    let userinfo = &authority[..at];
    if !valid_userinfo(userinfo) {
        return Err(ErrorKind::InvalidUserinfo);
    }
    let decode = |s: &str| unescape(s, Encoding::UserPassword).map(lossy);
    let user = match userinfo.split_once(':') {
        None => Userinfo {
            username: decode(userinfo)?,
            password: None,
        },
        Some((username, password)) => Userinfo {
            username: decode(username)?,
            password: Some(decode(password)?),
        },
    };
    Ok((Some(user), host))
}

/// RFC 3986 userinfo characters, plus `@` (Go accepts `user:p@ss@host`, golang.org/issue/3439).
fn valid_userinfo(s: &str) -> bool {
    s.bytes()
        .all(|c| c.is_ascii_alphanumeric() || b"-._:~!$&'()*+,;=%@".contains(&c))
}

/// Parses `host[:port]`, validating IP literals and the port syntax.
fn parse_host(scheme: &str, host: &str) -> Result<String, ErrorKind> {
    match host.rfind('[') {
        Some(0) => return parse_ip_literal(host),
        Some(_) => return Err(ErrorKind::InvalidIpLiteral),
        None => {}
    }
    if let Some(first) = host.find(':') {
        // RFC 3986 allows one colon; Go still accepts several (host lists of database URLs)
        // except for http and https (GODEBUG urlstrictcolons, default since go1.26).
        let colon = if scheme == "http" || scheme == "https" {
            first
        } else {
            host.rfind(':').unwrap_or(first)
        };
        let colon_port = &host[colon..];
        if !valid_optional_port(colon_port) {
            return Err(ErrorKind::InvalidPort(colon_port.to_owned()));
        }
    }
    unescape(host, Encoding::Host).map(lossy)
}

/// Parses `[IPv6]` or `[IPv6%25zone]`, optionally followed by `:port` (RFC 3986, RFC 6874).
fn parse_ip_literal(host: &str) -> Result<String, ErrorKind> {
    let close = host.rfind(']').ok_or(ErrorKind::MissingBracket)?;
    let colon_port = &host[close + 1..];
    if !valid_optional_port(colon_port) {
        return Err(ErrorKind::InvalidPort(colon_port.to_owned()));
    }
    let inner = &host[1..close];
    let mut address = match inner.find("%25") {
        Some(zone) => {
            let mut address = unescape(&inner[..zone], Encoding::Host)?;
            address.extend(unescape(&inner[zone..], Encoding::Zone)?);
            address
        }
        None => unescape(inner, Encoding::Host)?,
    };
    match parse_addr_bytes(&address) {
        Err(e) => return Err(ErrorKind::InvalidHost(e)),
        // Only IPv6 may be bracketed; IPv4-mapped IPv6 addresses are fine.
        Ok((IpAddr::V4(_), _)) => return Err(ErrorKind::InvalidIpLiteral),
        Ok(_) => {}
    }
    address.insert(0, b'[');
    address.push(b']');
    // A valid port is ASCII digits, which decoding leaves unchanged.
    address.extend_from_slice(colon_port.as_bytes());
    Ok(lossy(address))
}

/// Reports whether `port` is empty or `:` followed by decimal digits only.
fn valid_optional_port(port: &str) -> bool {
    port.is_empty()
        || port
            .strip_prefix(':')
            .is_some_and(|digits| digits.bytes().all(|b| b.is_ascii_digit()))
}

impl Url {
    /// Sets `path` and `raw_path` from an encoded path, Go's `(*URL).setPath`.
    fn set_path(&mut self, encoded: &str) -> Result<(), ErrorKind> {
        let (decoded, hint) = decode_with_hint(encoded, Encoding::Path)?;
        self.path = decoded;
        self.raw_path = hint;
        Ok(())
    }

    /// Sets `fragment` and `raw_fragment` from an encoded fragment, Go's `(*URL).setFragment`.
    fn set_fragment(&mut self, encoded: &str) -> Result<(), ErrorKind> {
        let (decoded, hint) = decode_with_hint(encoded, Encoding::Fragment)?;
        self.fragment = decoded;
        self.raw_fragment = hint;
        Ok(())
    }

    /// The escaped form of `path`: `raw_path` when it is a valid encoding of `path`, else
    /// Go's default encoding. Go's `URL.EscapedPath`.
    pub fn escaped_path(&self) -> Cow<'_, str> {
        if let Some(raw) = valid_hint(&self.raw_path, &self.path, Encoding::Path) {
            return Cow::Borrowed(raw);
        }
        if self.path == "*" {
            // Not escaped: golang.org/issue/11202.
            return Cow::Borrowed("*");
        }
        Cow::Owned(escape(self.path.as_bytes(), Encoding::Path))
    }

    /// The escaped form of `fragment`, Go's `URL.EscapedFragment`.
    pub fn escaped_fragment(&self) -> Cow<'_, str> {
        match valid_hint(&self.raw_fragment, &self.fragment, Encoding::Fragment) {
            Some(raw) => Cow::Borrowed(raw),
            None => Cow::Owned(escape(self.fragment.as_bytes(), Encoding::Fragment)),
        }
    }

    /// The `path?query` (or `opaque?query`) an HTTP request for this URL uses, Go's
    /// `URL.RequestURI`.
    pub fn request_uri(&self) -> String {
        let mut result = if self.opaque.is_empty() {
            let path = self.escaped_path();
            if path.is_empty() {
                "/".to_owned()
            } else {
                path.into_owned()
            }
        } else if self.opaque.starts_with("//") {
            format!("{}:{}", self.scheme, self.opaque)
        } else {
            self.opaque.clone()
        };
        if self.force_query || !self.raw_query.is_empty() {
            result.push('?');
            result.push_str(&self.raw_query);
        }
        result
    }

    /// `host` without a valid `:port` and without IPv6 brackets, Go's `URL.Hostname`.
    pub fn hostname(&self) -> &str {
        split_host_port(&self.host).0
    }

    /// The digits after the host's last `:` if they form a valid port (possibly empty), else
    /// empty. Go's `URL.Port`.
    pub fn port(&self) -> &str {
        split_host_port(&self.host).1
    }

    /// Reports whether the URL has a scheme, Go's `URL.IsAbs`.
    pub fn is_abs(&self) -> bool {
        !self.scheme.is_empty()
    }

    /// `Display` with any password replaced by `xxxxx`, Go's `URL.Redacted`; the form the go
    /// command uses in messages.
    pub fn redacted(&self) -> String {
        match &self.user {
            Some(user) if user.password.is_some() => {
                let mut copy = self.clone();
                copy.user = Some(Userinfo {
                    username: user.username.clone(),
                    password: Some(REDACTED.to_owned()),
                });
                copy.to_string()
            }
            _ => self.to_string(),
        }
    }
}

impl fmt::Display for Url {
    /// Go's `URL.String()`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut buf = String::new();
        if !self.scheme.is_empty() {
            buf.push_str(&self.scheme);
            buf.push(':');
        }
        if !self.opaque.is_empty() {
            buf.push_str(&self.opaque);
        } else {
            let no_authority = self.omit_host && self.host.is_empty() && self.user.is_none();
            let has_authority_part =
                !self.scheme.is_empty() || !self.host.is_empty() || self.user.is_some();
            if has_authority_part && !no_authority {
                if !self.host.is_empty() || !self.path.is_empty() || self.user.is_some() {
                    buf.push_str("//");
                }
                if let Some(user) = &self.user {
                    write!(buf, "{user}@")?;
                }
                buf.push_str(&escape(self.host.as_bytes(), Encoding::Host));
            }
            let escaped = self.escaped_path();
            let mut path: &str = &escaped;
            if no_authority && path.starts_with("//") {
                // Keep a re-parse from taking the path for an authority.
                buf.push_str("%2F");
                path = &path[1..];
            }
            if !path.is_empty() && !path.starts_with('/') && !self.host.is_empty() {
                buf.push('/');
            }
            if buf.is_empty() && path.split('/').next().unwrap_or_default().contains(':') {
                // A relative path whose first segment has a colon would read as a scheme.
                buf.push_str("./");
            }
            buf.push_str(path);
        }
        if self.force_query || !self.raw_query.is_empty() {
            buf.push('?');
            buf.push_str(&self.raw_query);
        }
        if !self.fragment.is_empty() {
            buf.push('#');
            buf.push_str(&self.escaped_fragment());
        }
        f.write_str(&buf)
    }
}

/// Splits `host:port` the way `URL.Hostname`/`URL.Port` do: the port must be numeric, else the
/// whole input is the host; brackets around the host are removed.
fn split_host_port(host_port: &str) -> (&str, &str) {
    let (mut host, port) = match host_port.rfind(':') {
        Some(colon) if valid_optional_port(&host_port[colon..]) => {
            (&host_port[..colon], &host_port[colon + 1..])
        }
        _ => (host_port, ""),
    };
    if let Some(inner) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        host = inner;
    }
    (host, port)
}

/// Decodes `encoded` and returns the decoded text with the encoding hint to keep: empty when
/// Go's default encoding of the decoded bytes reproduces `encoded`, else `encoded` itself.
/// Decoded bytes that are not UTF-8 always keep the hint (see the module documentation).
fn decode_with_hint(encoded: &str, mode: Encoding) -> Result<(String, String), ErrorKind> {
    let bytes = unescape(encoded, mode)?;
    let hint = if escape(&bytes, mode) == encoded && std::str::from_utf8(&bytes).is_ok() {
        String::new()
    } else {
        encoded.to_owned()
    };
    Ok((lossy(bytes), hint))
}

/// Returns `hint` if it is a valid encoding of `decoded` (Go's `validEncoded` plus a decode
/// round trip), else `None`.
fn valid_hint<'a>(hint: &'a str, decoded: &str, mode: Encoding) -> Option<&'a str> {
    if hint.is_empty() || !valid_encoded(hint, mode) {
        return None;
    }
    let bytes = unescape(hint, mode).ok()?;
    (String::from_utf8_lossy(&bytes) == decoded).then_some(hint)
}

/// Reports whether `s` contains only bytes that need no escaping in `mode`, RFC 3986
/// sub-delimiters, `:`, `@`, `[`, `]` and `%`. Go's `validEncoded`.
fn valid_encoded(s: &str, mode: Encoding) -> bool {
    s.bytes()
        .all(|c| b"!$&'()*+,;=:@[]%".contains(&c) || !should_escape(c, mode))
}

/// The URL component an escape or unescape operation applies to (Go's `encoding` modes).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Encoding {
    Path,
    PathSegment,
    Host,
    Zone,
    UserPassword,
    QueryComponent,
    Fragment,
}

/// Reports whether byte `c` must be percent-encoded in `mode`. Go's `shouldEscape`.
fn should_escape(c: u8, mode: Encoding) -> bool {
    if c.is_ascii_alphanumeric() {
        return false;
    }
    if matches!(mode, Encoding::Host | Encoding::Zone) && b"!$&'()*+,;=:[]<>\"".contains(&c) {
        return false;
    }
    match c {
        b'-' | b'_' | b'.' | b'~' => false,
        b'$' | b'&' | b'+' | b',' | b'/' | b':' | b';' | b'=' | b'?' | b'@' => match mode {
            Encoding::Path => c == b'?',
            Encoding::PathSegment => matches!(c, b'/' | b';' | b',' | b'?'),
            Encoding::UserPassword => matches!(c, b'@' | b'/' | b'?' | b':'),
            Encoding::QueryComponent => true,
            Encoding::Fragment => false,
            Encoding::Host | Encoding::Zone => true,
        },
        b'!' | b'(' | b')' | b'*' => mode != Encoding::Fragment,
        _ => true,
    }
}

/// Percent-encodes `s` for `mode` (uppercase hex; space becomes `+` in query components).
/// Go's `escape`.
fn escape(s: &[u8], mode: Encoding) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(s.len());
    for &c in s {
        if c == b' ' && mode == Encoding::QueryComponent {
            out.push('+');
        } else if should_escape(c, mode) {
            out.push('%');
            out.push(char::from(HEX[usize::from(c >> 4)]));
            out.push(char::from(HEX[usize::from(c & 15)]));
        } else {
            out.push(char::from(c));
        }
    }
    out
}

/// Decodes `%XX` escapes (and `+` in query components), enforcing the host and zone rules.
/// Go's `unescape`.
fn unescape(s: &str, mode: Encoding) -> Result<Vec<u8>, ErrorKind> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        match c {
            b'%' => {
                let seq = &b[i..b.len().min(i + 3)];
                let invalid = || ErrorKind::InvalidEscape(seq.to_vec());
                let &[_, hi, lo] = seq else {
                    return Err(invalid());
                };
                let (Some(hi), Some(lo)) = (hex_value(hi), hex_value(lo)) else {
                    return Err(invalid());
                };
                let value = hi << 4 | lo;
                let percent = seq == b"%25";
                // In a host, %-encoding is only for non-ASCII bytes (RFC 3986) and %25 (RFC
                // 6874). In a zone, only for bytes that could appear unencoded, and space.
                let refused = match mode {
                    Encoding::Host => hi < 8 && !percent,
                    Encoding::Zone => {
                        !percent && value != b' ' && should_escape(value, Encoding::Host)
                    }
                    _ => false,
                };
                if refused {
                    return Err(invalid());
                }
                out.push(value);
                i += 3;
            }
            b'+' if mode == Encoding::QueryComponent => {
                out.push(b' ');
                i += 1;
            }
            _ => {
                if matches!(mode, Encoding::Host | Encoding::Zone)
                    && c.is_ascii()
                    && should_escape(c, mode)
                {
                    return Err(ErrorKind::InvalidHostCharacter(char::from(c)));
                }
                out.push(c);
                i += 1;
            }
        }
    }
    Ok(out)
}

fn hex_value(c: u8) -> Option<u8> {
    char::from(c)
        .to_digit(16)
        .and_then(|d| u8::try_from(d).ok())
}

fn lossy(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// Escapes `s` for use inside a query component (space becomes `+`), Go's `url.QueryEscape`.
pub fn query_escape(s: &str) -> String {
    escape(s.as_bytes(), Encoding::QueryComponent)
}

/// Escapes `s` for use as one path segment (`/` is escaped too), Go's `url.PathEscape`.
pub fn path_escape(s: &str) -> String {
    escape(s.as_bytes(), Encoding::PathSegment)
}

/// Decodes `%XX` escapes and `+` (to space), Go's `url.QueryUnescape`. The error is always
/// [`ErrorKind::InvalidEscape`]; non-UTF-8 results are decoded lossily.
pub fn query_unescape(s: &str) -> Result<String, ErrorKind> {
    unescape(s, Encoding::QueryComponent).map(lossy)
}

/// Decodes `%XX` escapes, leaving `+` alone, Go's `url.PathUnescape`. The error is always
/// [`ErrorKind::InvalidEscape`]; non-UTF-8 results are decoded lossily.
pub fn path_unescape(s: &str) -> Result<String, ErrorKind> {
    unescape(s, Encoding::PathSegment).map(lossy)
}

/// An IP address as Go's `netip.ParseAddr` returns it: IPv4, or IPv6 with an optional zone.
/// IPv4-mapped IPv6 addresses (`::ffff:1.2.3.4`) stay IPv6, as in Go.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Addr {
    /// The address.
    pub ip: IpAddr,
    /// The IPv6 zone after `%`, empty if none.
    pub zone: String,
}

/// A `netip.ParseAddr` failure, with Go's text:
/// `ParseAddr("<in>"): <msg>[ (at "<rest>")]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AddrError {
    input: Vec<u8>,
    msg: &'static str,
    at: Vec<u8>,
}

impl fmt::Display for AddrError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "ParseAddr({}): {}",
            crate::goquote::quote_bytes(&self.input),
            self.msg
        )?;
        if !self.at.is_empty() {
            write!(f, " (at {})", crate::goquote::quote_bytes(&self.at))?;
        }
        Ok(())
    }
}

impl std::error::Error for AddrError {}

/// Parses an IP address exactly as Go's `netip.ParseAddr` does: dotted decimal IPv4 without
/// leading zeros, IPv6 with optional embedded IPv4 and `%zone`.
pub fn parse_addr(s: &str) -> Result<Addr, AddrError> {
    parse_addr_bytes(s.as_bytes()).map(|(ip, zone)| Addr {
        ip,
        zone: String::from_utf8_lossy(zone).into_owned(),
    })
}

fn parse_addr_bytes(input: &[u8]) -> Result<(IpAddr, &[u8]), AddrError> {
    let err = |msg| AddrError {
        input: input.to_vec(),
        msg,
        at: Vec::new(),
    };
    for &c in input {
        match c {
            b'.' => {
                return parse_ipv4_fields(input, 0, input.len())
                    .map(|f| (IpAddr::from(f), &[][..]));
            }
            b':' => return parse_ipv6(input),
            // Probably an IPv6 address with a zone but without the address.
            b'%' => return Err(err("missing IPv6 address")),
            _ => {}
        }
    }
    Err(err("unable to parse IP"))
}

/// Parses `input[start..end]` as dotted decimal; errors describe the whole `input`.
fn parse_ipv4_fields(input: &[u8], start: usize, end: usize) -> Result<[u8; 4], AddrError> {
    let err = |msg, at: &[u8]| AddrError {
        input: input.to_vec(),
        msg,
        at: at.to_vec(),
    };
    let s = &input[start..end];
    let mut fields = [0u8; 4];
    let (mut value, mut pos, mut digits) = (0u16, 0usize, 0);
    for (i, &c) in s.iter().enumerate() {
        if c.is_ascii_digit() {
            if digits == 1 && value == 0 {
                return Err(err("IPv4 field has octet with leading zero", &[]));
            }
            value = value * 10 + u16::from(c - b'0');
            digits += 1;
            if value > 255 {
                return Err(err("IPv4 field has value >255", &[]));
            }
        } else if c == b'.' {
            if i == 0 || i == s.len() - 1 || s[i - 1] == b'.' {
                return Err(err("IPv4 field must have at least one digit", &s[i..]));
            }
            if pos == 3 {
                return Err(err("IPv4 address too long", &[]));
            }
            fields[pos] = u8::try_from(value).unwrap_or(u8::MAX);
            pos += 1;
            value = 0;
            digits = 0;
        } else {
            return Err(err("unexpected character", &s[i..]));
        }
    }
    if pos < 3 {
        return Err(err("IPv4 address too short", &[]));
    }
    fields[3] = u8::try_from(value).unwrap_or(u8::MAX);
    Ok(fields)
}

fn parse_ipv6(input: &[u8]) -> Result<(IpAddr, &[u8]), AddrError> {
    let err = |msg, at: &[u8]| AddrError {
        input: input.to_vec(),
        msg,
        at: at.to_vec(),
    };
    let (mut s, zone) = match input.iter().position(|&c| c == b'%') {
        Some(p) => (&input[..p], &input[p + 1..]),
        None => (input, &[][..]),
    };
    let has_zone = s.len() < input.len();
    if has_zone && zone.is_empty() {
        return Err(err("zone must be a non-empty string", &[]));
    }

    let mut ip = [0u8; 16];
    let mut ellipsis: Option<usize> = None;
    if let Some(after) = s.strip_prefix(b"::") {
        ellipsis = Some(0);
        s = after;
        if s.is_empty() {
            return Ok((IpAddr::V6(Ipv6Addr::UNSPECIFIED), zone));
        }
    }

    let mut i = 0;
    while i < 16 {
        let mut off = 0;
        let mut acc: u16 = 0;
        while let Some(d) = s.get(off).and_then(|&c| hex_value(c)) {
            if off > 3 {
                return Err(err("each group must have 4 or less digits", s));
            }
            acc = acc << 4 | u16::from(d);
            off += 1;
        }
        if off == 0 {
            return Err(err(
                "each colon-separated field must have at least one digit",
                s,
            ));
        }

        if s.get(off) == Some(&b'.') {
            if ellipsis.is_none() && i != 12 {
                return Err(err(
                    "embedded IPv4 address must replace the final 2 fields of the address",
                    s,
                ));
            }
            if i + 4 > 16 {
                return Err(err(
                    "too many hex fields to fit an embedded IPv4 at the end of the address",
                    s,
                ));
            }
            let end = input.len() - if has_zone { zone.len() + 1 } else { 0 };
            let v4 = parse_ipv4_fields(input, end - s.len(), end)?;
            ip[i..i + 4].copy_from_slice(&v4);
            s = &[];
            i += 4;
            break;
        }

        ip[i..i + 2].copy_from_slice(&acc.to_be_bytes());
        i += 2;

        s = &s[off..];
        let Some((&first, after)) = s.split_first() else {
            break;
        };
        if first != b':' {
            return Err(err("unexpected character, want colon", s));
        }
        if after.is_empty() {
            return Err(err("colon must be followed by more characters", s));
        }
        s = after;
        if let Some(after) = s.strip_prefix(b":") {
            if ellipsis.is_some() {
                return Err(err("multiple :: in address", s));
            }
            ellipsis = Some(i);
            s = after;
            if s.is_empty() {
                break;
            }
        }
    }

    if !s.is_empty() {
        return Err(err("trailing garbage after address", s));
    }
    match ellipsis {
        Some(at) if i < 16 => {
            let n = 16 - i;
            ip.copy_within(at..i, at + n);
            ip[at..at + n].fill(0);
        }
        None if i < 16 => return Err(err("address string too short", &[])),
        Some(_) => {
            return Err(err(
                "the :: must expand to at least one field of zeros",
                &[],
            ));
        }
        None => {}
    }
    Ok((IpAddr::V6(Ipv6Addr::from(ip)), zone))
}

#[cfg(test)]
mod tests;
