//! Go's HTTP proxy selection: `net/http.ProxyFromEnvironment`, which wraps the vendored
//! `golang.org/x/net/http/httpproxy` (`FromEnvironment`, `(*Config).ProxyFunc`), as the newest
//! Go release (go1.27) has it.
//!
//! Every HTTP request of the go command (module proxy, checksum database, go-get pages) picks
//! its proxy this way. Besides the answer Go gives, [`ProxyConfig::explain`] says why a URL
//! goes direct.

use std::borrow::Cow;
use std::fmt;
use std::net::{IpAddr, Ipv6Addr};

use idna::uts46::{AsciiDenyList, DnsLength, Hyphens, Uts46};

use crate::gourl::{self, Url};

/// The proxy variables as the go command reads them, parsed the way Go parses them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProxyConfig {
    http_proxy: ProxySetting,
    https_proxy: ProxySetting,
    no_proxy: Option<NoProxyList>,
    cgi: bool,
}

/// What one of HTTP_PROXY / HTTPS_PROXY amounts to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProxySetting {
    /// Neither the upper- nor the lower-case variable has a non-empty value.
    Unset,
    /// `variable` (e.g. `HTTPS_PROXY` or `https_proxy`) gives this proxy URL.
    Url {
        /// The variable that supplied the value.
        variable: &'static str,
        /// The proxy URL Go uses.
        url: Url,
    },
    /// The value is not a URL even with `http://` prepended; Go silently ignores it.
    Invalid(InvalidProxy),
}

/// A proxy variable Go ignores because it cannot be parsed.
#[derive(Clone, PartialEq, Eq)]
pub struct InvalidProxy {
    /// The variable that supplied the value.
    pub variable: &'static str,
    /// The raw value (may hold a password).
    pub value: String,
    /// Why `url.Parse` rejected the value as written.
    pub error: gourl::Error,
}

impl fmt::Display for InvalidProxy {
    /// Go's `parseProxy` error text, `invalid proxy address "<value>": <url error>` (which Go
    /// computes and drops). It contains the raw value.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid proxy address {}: {}",
            crate::goquote::quote_bytes(self.value.as_bytes()),
            self.error
        )
    }
}

impl fmt::Debug for InvalidProxy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InvalidProxy")
            .field("variable", &self.variable)
            .field("error", &self.error.kind)
            .finish_non_exhaustive()
    }
}

/// The proxy Go uses for a URL and the variable that named it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProxyChoice {
    /// The proxy URL, as Go's `ProxyFromEnvironment` returns it.
    pub url: Url,
    /// `HTTP_PROXY`, `http_proxy`, `HTTPS_PROXY` or `https_proxy`.
    pub variable: &'static str,
}

/// Where a request goes, with the reason when it goes direct.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Route {
    /// Through this proxy.
    Proxy(ProxyChoice),
    /// Straight to the server.
    Direct(DirectReason),
}

/// Why Go connects directly instead of through a proxy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DirectReason {
    /// Only `http` and `https` URLs are ever proxied.
    SchemeNotProxied {
        /// The URL's scheme.
        scheme: String,
    },
    /// No proxy variable for this scheme has a value; `names` are the two Go reads.
    NoProxyVariable {
        /// The upper- and lower-case names, e.g. `["HTTPS_PROXY", "https_proxy"]`.
        names: [&'static str; 2],
    },
    /// The variable for this scheme is set but unparsable, so Go ignores it.
    InvalidProxyValue(InvalidProxy),
    /// The host is exactly `localhost` (case-sensitive).
    Localhost,
    /// The host is a loopback IP literal (127.0.0.0/8, ::1, or IPv4-mapped 127/8).
    Loopback {
        /// The address.
        ip: IpAddr,
    },
    /// A NO_PROXY entry matched.
    NoProxyEntry {
        /// `NO_PROXY` or `no_proxy`.
        variable: &'static str,
        /// The entry as written (trimmed).
        entry: String,
    },
    /// `net.SplitHostPort` fails on the request's host and port (e.g. a `]` in the host
    /// name), which Go treats as "do not proxy".
    UnsplittableAddress {
        /// The `host:port` Go tried to split.
        address: String,
        /// `net.SplitHostPort`'s error text.
        error: String,
    },
}

impl fmt::Display for DirectReason {
    /// A short explanation for users; it never contains a proxy password.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::SchemeNotProxied { scheme } => {
                write!(
                    f,
                    "Go proxies only http and https URLs, not {}",
                    crate::goquote::quote(scheme)
                )
            }
            Self::NoProxyVariable {
                names: [upper, lower],
            } => {
                write!(f, "neither {upper} nor {lower} is set")
            }
            Self::InvalidProxyValue(invalid) => write!(
                f,
                "{} is ignored because Go cannot parse it ({})",
                invalid.variable, invalid.error.kind
            ),
            Self::Localhost => f.write_str("the host is localhost, which Go never proxies"),
            Self::Loopback { ip } => {
                write!(f, "{ip} is a loopback address, which Go never proxies")
            }
            Self::NoProxyEntry { variable, entry } => {
                write!(
                    f,
                    "{variable} entry {} matches the host",
                    crate::goquote::quote(entry)
                )
            }
            Self::UnsplittableAddress { address, error } => write!(
                f,
                "Go cannot split {} into host and port ({error}) and does not proxy it",
                crate::goquote::quote(address)
            ),
        }
    }
}

/// Go refuses HTTP_PROXY for `http` URLs when REQUEST_METHOD is set (CGI, golang.org/s/cgihttpproxy).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProxyError {
    /// The variable that would have applied (`HTTP_PROXY` or `http_proxy`).
    pub variable: &'static str,
}

impl fmt::Display for ProxyError {
    /// Go's exact text; it says HTTP_PROXY whichever spelling was set.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "refusing to use HTTP_PROXY value in CGI environment; see golang.org/s/cgihttpproxy",
        )
    }
}

impl std::error::Error for ProxyError {}

const HTTP_NAMES: [&str; 2] = ["HTTP_PROXY", "http_proxy"];
const HTTPS_NAMES: [&str; 2] = ["HTTPS_PROXY", "https_proxy"];
const NO_PROXY_NAMES: [&str; 2] = ["NO_PROXY", "no_proxy"];

impl ProxyConfig {
    /// Reads HTTP_PROXY, HTTPS_PROXY and NO_PROXY (each from the upper-case name if non-empty,
    /// else the lower-case one; ALL_PROXY is not read) and REQUEST_METHOD through `getenv`,
    /// and preprocesses them like Go's `httpproxy.FromEnvironment().ProxyFunc()`.
    pub fn from_env(getenv: impl Fn(&str) -> Option<String>) -> Self {
        let get_any = |names: [&'static str; 2]| {
            names.into_iter().find_map(|name| {
                getenv(name)
                    .filter(|value| !value.is_empty())
                    .map(|value| (name, value))
            })
        };
        Self {
            http_proxy: parse_proxy(get_any(HTTP_NAMES)),
            https_proxy: parse_proxy(get_any(HTTPS_NAMES)),
            no_proxy: get_any(NO_PROXY_NAMES).map(|(variable, value)| NoProxyList {
                variable,
                rules: parse_no_proxy(&value),
            }),
            cgi: getenv("REQUEST_METHOD").is_some_and(|v| !v.is_empty()),
        }
    }

    /// The HTTP_PROXY setting (used for `http` URLs).
    pub fn http_proxy(&self) -> &ProxySetting {
        &self.http_proxy
    }

    /// The HTTPS_PROXY setting (used for `https` URLs).
    pub fn https_proxy(&self) -> &ProxySetting {
        &self.https_proxy
    }

    /// The proxy Go uses for `url`, or `None` for a direct connection: the answer of Go's
    /// `ProxyFromEnvironment`.
    pub fn proxy_for_url(&self, url: &Url) -> Result<Option<ProxyChoice>, ProxyError> {
        Ok(match self.explain(url)? {
            Route::Proxy(choice) => Some(choice),
            Route::Direct(_) => None,
        })
    }

    /// Like [`proxy_for_url`](Self::proxy_for_url), but says why a URL goes direct. Follows
    /// Go's `(*config).proxyForURL` and `useProxy` step by step.
    pub fn explain(&self, url: &Url) -> Result<Route, ProxyError> {
        let (setting, names, default_port) = match url.scheme.as_str() {
            "https" => (&self.https_proxy, HTTPS_NAMES, "443"),
            "http" => (&self.http_proxy, HTTP_NAMES, "80"),
            scheme => {
                return Ok(Route::Direct(DirectReason::SchemeNotProxied {
                    scheme: scheme.to_owned(),
                }));
            }
        };
        let (variable, proxy) = match setting {
            ProxySetting::Unset => {
                return Ok(Route::Direct(DirectReason::NoProxyVariable { names }));
            }
            ProxySetting::Invalid(invalid) => {
                return Ok(Route::Direct(DirectReason::InvalidProxyValue(
                    invalid.clone(),
                )));
            }
            ProxySetting::Url { variable, url } => (*variable, url),
        };
        if url.scheme == "http" && self.cgi {
            return Err(ProxyError { variable });
        }
        let route = match self.exemption(url, default_port) {
            Some(reason) => Route::Direct(reason),
            None => Route::Proxy(ProxyChoice {
                url: proxy.clone(),
                variable,
            }),
        };
        Ok(route)
    }

    /// Go's `useProxy` on `canonicalAddr(url)`, inverted: why the host must not be proxied.
    fn exemption(&self, url: &Url, default_port: &str) -> Option<DirectReason> {
        let hostname = url.hostname();
        let host = idna_ascii(hostname).unwrap_or(Cow::Borrowed(hostname));
        let port = match url.port() {
            "" => default_port,
            port => port,
        };
        let address = join_host_port(&host, port);
        let (host, port) = match split_host_port(&address) {
            Ok(parts) => parts,
            Err(error) => {
                return Some(DirectReason::UnsplittableAddress {
                    address: address.clone(),
                    error,
                });
            }
        };
        if host == "localhost" {
            return Some(DirectReason::Localhost);
        }
        let ip = gourl::parse_addr(host).ok().map(|addr| addr.ip);
        if let Some(ip) = ip.filter(is_loopback) {
            return Some(DirectReason::Loopback { ip });
        }
        let no_proxy = self.no_proxy.as_ref()?;
        let host = go_to_lower(host.trim());
        // Go consults the IP matchers (only for IP hosts), then the domain matchers.
        let ip_rules = no_proxy
            .rules
            .iter()
            .filter(|rule| ip.is_some() && rule.matcher.is_ip_matcher());
        let domain_rules = no_proxy
            .rules
            .iter()
            .filter(|rule| rule.matcher.is_domain_matcher());
        let rule = ip_rules
            .chain(domain_rules)
            .find(|rule| rule.matcher.matches(&host, port, ip))?;
        Some(DirectReason::NoProxyEntry {
            variable: no_proxy.variable,
            entry: rule.entry.clone(),
        })
    }
}

/// Go's `parseProxy`: the value as a URL, retried with `http://` prepended when that fails or
/// lacks a scheme or host.
fn parse_proxy(var: Option<(&'static str, String)>) -> ProxySetting {
    let Some((variable, value)) = var else {
        return ProxySetting::Unset;
    };
    let first = gourl::parse(&value);
    let usable = matches!(&first, Ok(url) if !url.scheme.is_empty() && !url.host.is_empty());
    if !usable && let Ok(url) = gourl::parse(&format!("http://{value}")) {
        return ProxySetting::Url { variable, url };
    }
    match first {
        Ok(url) => ProxySetting::Url { variable, url },
        Err(error) => ProxySetting::Invalid(InvalidProxy {
            variable,
            value,
            error,
        }),
    }
}

/// The NO_PROXY (or no_proxy) value, as Go's matchers.
#[derive(Clone, Debug, PartialEq, Eq)]
struct NoProxyList {
    variable: &'static str,
    rules: Vec<NoProxyRule>,
}

/// One NO_PROXY entry and how Go matches it.
#[derive(Clone, Debug, PartialEq, Eq)]
struct NoProxyRule {
    entry: String,
    matcher: Matcher,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Matcher {
    /// `*`: everything.
    All,
    /// A CIDR block, as `networkNumberAndMask` leaves it: 4-byte or 16-byte network and mask.
    Cidr { network: Vec<u8>, mask: Vec<u8> },
    /// An IP literal (16-byte form, IPv4 mapped), with an optional port.
    Ip { ip: [u8; 16], port: String },
    /// A domain suffix starting with `.`; `match_host` also matches the domain itself.
    Domain {
        suffix: String,
        port: String,
        match_host: bool,
    },
}

impl Matcher {
    fn is_ip_matcher(&self) -> bool {
        matches!(self, Self::All | Self::Cidr { .. } | Self::Ip { .. })
    }

    fn is_domain_matcher(&self) -> bool {
        matches!(self, Self::All | Self::Domain { .. })
    }

    /// `host` is lower-cased, `port` is never empty, `ip` is set for IP-literal hosts.
    fn matches(&self, host: &str, port: &str, ip: Option<IpAddr>) -> bool {
        match (self, ip) {
            (Self::All, _) => true,
            (Self::Cidr { network, mask }, Some(ip)) => {
                let ip = ip_bytes_for_mask(ip);
                ip.len() == network.len()
                    && ip
                        .iter()
                        .zip(network)
                        .zip(mask)
                        .all(|((a, n), m)| a & m == n & m)
            }
            (
                Self::Ip {
                    ip: want,
                    port: want_port,
                },
                Some(ip),
            ) => ip16(ip) == *want && (want_port.is_empty() || want_port == port),
            (
                Self::Domain {
                    suffix,
                    port: want_port,
                    match_host,
                },
                None,
            ) => {
                let domain = suffix.get(1..).unwrap_or_default();
                (host.ends_with(suffix.as_str()) || (*match_host && host == domain))
                    && (want_port.is_empty() || want_port == port)
            }
            _ => false,
        }
    }
}

/// Go's `(*config).init` for NO_PROXY: comma-separated entries, trimmed and lower-cased; `*`
/// replaces every other entry.
fn parse_no_proxy(value: &str) -> Vec<NoProxyRule> {
    let mut rules = Vec::new();
    for entry in value.split(',').map(str::trim) {
        let p = go_to_lower(entry);
        if p.is_empty() {
            continue;
        }
        let rule = |matcher| NoProxyRule {
            entry: entry.to_owned(),
            matcher,
        };
        if p == "*" {
            return vec![rule(Matcher::All)];
        }
        if let Some(matcher) = parse_cidr(&p) {
            rules.push(rule(matcher));
            continue;
        }
        let (host, port) = match split_host_port(&p) {
            Ok((host, port)) => {
                let host = host
                    .strip_prefix('[')
                    .and_then(|h| h.strip_suffix(']'))
                    .unwrap_or(host);
                (host, port)
            }
            Err(_) => (p.as_str(), ""),
        };
        if host.is_empty() {
            continue;
        }
        if let Some(ip) = gourl::parse_addr(host).ok().filter(|a| a.zone.is_empty()) {
            rules.push(rule(Matcher::Ip {
                ip: ip16(ip.ip),
                port: port.to_owned(),
            }));
            continue;
        }
        let host = host
            .strip_prefix('*')
            .filter(|h| h.starts_with('.'))
            .unwrap_or(host);
        let match_host = !host.starts_with('.');
        let suffix = if match_host {
            format!(".{host}")
        } else {
            host.to_owned()
        };
        let suffix = match idna_ascii(&suffix) {
            Some(Cow::Owned(ascii)) => ascii,
            _ => suffix,
        };
        rules.push(rule(Matcher::Domain {
            suffix,
            port: port.to_owned(),
            match_host,
        }));
    }
    rules
}

/// Go's `net.ParseCIDR` as `cidrMatch` uses it: an address without zone, `/`, decimal prefix
/// length no longer than the address.
fn parse_cidr(s: &str) -> Option<Matcher> {
    let (addr, bits) = s.split_once('/')?;
    let addr = gourl::parse_addr(addr).ok().filter(|a| a.zone.is_empty())?;
    if bits.is_empty() || !bits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let ones: usize = bits.parse().ok()?;
    let (bytes, len): (Vec<u8>, usize) = match addr.ip {
        IpAddr::V4(v4) => (v4.octets().to_vec(), 4),
        IpAddr::V6(v6) => (v6.octets().to_vec(), 16),
    };
    if ones > len * 8 {
        return None;
    }
    let mask: Vec<u8> = (0..len)
        .map(|i| {
            let bits_here = u32::try_from(ones.saturating_sub(i * 8).min(8)).unwrap_or(8);
            !0xff_u8.checked_shr(bits_here).unwrap_or(0)
        })
        .collect();
    let network: Vec<u8> = bytes.iter().zip(&mask).map(|(b, m)| b & m).collect();
    // A masked IPv6 network that looks IPv4-mapped is compared as IPv4 with the mask's last
    // four bytes (Go's networkNumberAndMask).
    match to4(&network) {
        Some(v4) if len == 16 => Some(Matcher::Cidr {
            network: v4.to_vec(),
            mask: mask[12..].to_vec(),
        }),
        _ => Some(Matcher::Cidr { network, mask }),
    }
}

/// The address as Go's `net.IP.To4` sees it: 4 bytes for IPv4 and IPv4-mapped IPv6.
fn to4(bytes: &[u8]) -> Option<[u8; 4]> {
    match bytes.len() {
        4 => bytes.try_into().ok(),
        16 if bytes[..10].iter().all(|&b| b == 0) && bytes[10..12] == [0xff, 0xff] => {
            bytes[12..].try_into().ok()
        }
        _ => None,
    }
}

/// The bytes `IPNet.Contains` compares: 4 for IPv4 (or mapped), else 16.
fn ip_bytes_for_mask(ip: IpAddr) -> Vec<u8> {
    let octets = ip16(ip);
    to4(&octets).map_or_else(|| octets.to_vec(), |v4| v4.to_vec())
}

/// The 16-byte form Go's `net.IP.Equal` compares (IPv4 as IPv4-mapped IPv6).
fn ip16(ip: IpAddr) -> [u8; 16] {
    match ip {
        IpAddr::V4(v4) => v4.to_ipv6_mapped().octets(),
        IpAddr::V6(v6) => v6.octets(),
    }
}

/// Go's `net.IP.IsLoopback`: 127.0.0.0/8 (also IPv4-mapped) or ::1.
fn is_loopback(ip: &IpAddr) -> bool {
    match to4(&ip16(*ip)) {
        Some([first, ..]) => first == 127,
        None => *ip == IpAddr::V6(Ipv6Addr::LOCALHOST),
    }
}

/// Go's `net.JoinHostPort`: brackets a host that contains a colon.
fn join_host_port(host: &str, port: &str) -> String {
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

/// Go's `net.SplitHostPort`; the error is Go's `*net.AddrError` text.
fn split_host_port(host_port: &str) -> Result<(&str, &str), String> {
    let fail = |why: &str| Err(format!("address {host_port}: {why}"));
    let Some(colon) = host_port.rfind(':') else {
        return fail("missing port in address");
    };
    let (host, not_before_bracket, not_before_close) = if host_port.starts_with('[') {
        let Some(end) = host_port.find(']') else {
            return fail("missing ']' in address");
        };
        if end + 1 == host_port.len() {
            return fail("missing port in address");
        }
        if end + 1 != colon {
            if host_port.as_bytes()[end + 1] == b':' {
                return fail("too many colons in address");
            }
            return fail("missing port in address");
        }
        (&host_port[1..end], 1, end + 1)
    } else {
        let host = &host_port[..colon];
        if host.contains(':') {
            return fail("too many colons in address");
        }
        (host, 0, 0)
    };
    if host_port[not_before_bracket..].contains('[') {
        return fail("unexpected '[' in address");
    }
    if host_port[not_before_close..].contains(']') {
        return fail("unexpected ']' in address");
    }
    Ok((host, &host_port[colon + 1..]))
}

/// Go's `idnaASCII`: ASCII input unchanged, else `idna.Lookup.ToASCII` (UTS 46,
/// non-transitional, STD3 rules, hyphen checks, no DNS length check); `None` on error.
fn idna_ascii(s: &str) -> Option<Cow<'_, str>> {
    if s.is_ascii() {
        return Some(Cow::Borrowed(s));
    }
    let uts46 = Uts46::new();
    let ascii = uts46
        .to_ascii(
            s.as_bytes(),
            AsciiDenyList::STD3,
            Hyphens::CheckFirstLast,
            DnsLength::Ignore,
        )
        .ok()?;
    // Go's CheckHyphens looks for "--" at *bytes* 3 and 4 of each (mapped, decoded) label, so
    // "bü--cher" passes; UTS 46 counts characters.
    let (unicode, _) = uts46.to_unicode(ascii.as_bytes(), AsciiDenyList::EMPTY, Hyphens::Allow);
    let go_rejects = unicode
        .split('.')
        .any(|label| label.len() > 4 && label.as_bytes()[2..4] == *b"--");
    (!go_rejects).then_some(ascii)
}

/// Go's `strings.ToLower`: simple per-rune lower-casing (U+0130 becomes `i`; no final-sigma rule).
fn go_to_lower(s: &str) -> String {
    s.chars()
        .map(|c| c.to_lowercase().next().unwrap_or(c))
        .collect()
}

#[cfg(test)]
mod tests;
