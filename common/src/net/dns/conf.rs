//! /etc/resolv.conf as Go's pure-Go resolver reads it (`dnsReadConfig` in
//! src/net/dnsconfig_unix.go of the newest Go), the search-list expansion that
//! decides which names are queried (`(*dnsConfig).nameList`), and the file and
//! text rules of src/net/parse.go that the resolver's other files share.

use std::borrow::Cow;
use std::fmt;
use std::fs::File;
use std::io::{self, Read};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};
use std::path::Path;
use std::time::Duration;

use crate::regular::{self, Limit};

/// Where Go reads the resolver configuration.
pub const RESOLV_CONF_PATH: &str = "/etc/resolv.conf";

/// The longest line Go's `readLine` returns: its buffer holds 64 KiB, newline
/// included. A longer line ends the file for Go; it and everything after it are
/// ignored without an error.
const MAX_LINE: usize = 64 * 1024 - 1;

/// Go's `dtoi` saturates at this value.
const DTOI_BIG: u32 = 0xFF_FFFF;

/// Why Go could not open (or stat) a configuration file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadError {
    /// What Go tests with `errors.Is(err, fs.ErrNotExist)` (`NotFound`) and
    /// `errors.Is(err, fs.ErrPermission)` (`PermissionDenied`).
    pub kind: io::ErrorKind,
    /// Go's text, e.g. `open /etc/resolv.conf: no such file or directory`.
    pub text: String,
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl std::error::Error for ReadError {}

/// The resolver configuration Go derives from /etc/resolv.conf: Go's `dnsConfig`
/// without its bookkeeping (`mtime`, `soffset`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvConf {
    /// The name servers to query, in file order: at most three, always port 53.
    /// An IPv6 zone (`fe80::1%eth0`) becomes the `scope_id`, resolved as Go's
    /// dialer resolves it: the index of the interface with that name, else the
    /// zone's leading decimal digits, else 0. IPv4-mapped IPv6 addresses
    /// (`::ffff:a.b.c.d`) are stored as IPv4 because Go dials them over an IPv4
    /// socket.
    pub servers: Vec<SocketAddr>,
    /// `servers` as Go writes them, index for index: `JoinHostPort` of the
    /// address exactly as spelled in the file (case and zone kept, e.g.
    /// `[FE80::1%Eth0]:53`) and port 53. This is the `<server>` of Go's
    /// `lookup <name> on <server>: …` errors.
    pub server_strings: Vec<String>,
    /// `nameserver` values Go skipped without a word: not an IP literal (a host
    /// name, `ip:port`, brackets), or beyond the third.
    pub skipped_servers: Vec<String>,
    /// No usable `nameserver` line, so Go's defaults (`127.0.0.1:53`,
    /// `[::1]:53`) are in use. Go then checks the file for changes at every
    /// lookup instead of at most every 5 s (`isDefaultNS`).
    pub default_servers: bool,
    /// Rooted suffixes (trailing dot) appended to names being looked up; from
    /// the last `search` or `domain` line, else the host name's domain.
    pub search: Vec<String>,
    /// Names with at least this many dots are tried as they are before the
    /// search list (`options ndots:`, 0–15, default 1).
    pub ndots: u32,
    /// How long one query to one server may take (`options timeout:`, at least
    /// 1 s, default 5 s).
    pub timeout: Duration,
    /// Rounds over all servers per query (`options attempts:`, at least 1,
    /// default 2).
    pub attempts: u32,
    /// `options rotate`: each query starts at the next server.
    pub rotate: bool,
    /// `options single-request` or `single-request-reopen`: A and AAAA are
    /// queried one after the other instead of in parallel.
    pub single_request: bool,
    /// `options use-vc`, `usevc` or `tcp`: queries go over TCP only.
    pub use_tcp: bool,
    /// `options trust-ad`: queries carry the AD bit.
    pub trust_ad: bool,
    /// `options no-reload`: Go never re-reads the file.
    pub no_reload: bool,
    /// A keyword or option Go does not know was seen (keywords are
    /// case-sensitive). A cgo-enabled Go binary then leaves lookups to the C
    /// library; the pure-Go resolver ignores it.
    pub unknown_opt: bool,
    /// The words of the last `lookup` line (OpenBSD's source order; Go uses it
    /// on OpenBSD only).
    pub lookup: Vec<String>,
    /// Set when the file could not be opened or stat'ed; every other field then
    /// holds the defaults. Read errors after opening are not errors for Go: the
    /// file simply ends at the last complete line read (a directory reads as an
    /// empty file).
    pub err: Option<ReadError>,
}

impl ResolvConf {
    /// Parses resolv.conf text exactly as Go's `dnsReadConfig` does with a file
    /// of that content. `hostname` is what Go's `os.Hostname` returns (see
    /// [`system_hostname`]); it supplies the search list when the text has none.
    pub fn parse(text: &str, hostname: &str) -> ResolvConf {
        Self::from_lines(go_lines(text.as_bytes()), hostname)
    }

    /// Reads a resolv.conf file as Go's `dnsReadConfig` does. A file that cannot
    /// be opened (missing, unreadable, …) gives the defaults with `err` set —
    /// the pure-Go resolver then queries `127.0.0.1:53` and `[::1]:53`.
    /// Invalid UTF-8 is replaced by U+FFFD.
    pub fn read(path: &Path, hostname: &str) -> ResolvConf {
        match read_config_file(path, regular::RESOLVER_CONF) {
            Ok(data) => Self::from_lines(go_lines(&data), hostname),
            Err(err) => ResolvConf {
                err: Some(err),
                ..Self::from_lines(std::iter::empty(), hostname)
            },
        }
    }

    fn from_lines<'a>(lines: impl Iterator<Item = Cow<'a, str>>, hostname: &str) -> ResolvConf {
        let mut conf = ResolvConf {
            servers: Vec::new(),
            server_strings: Vec::new(),
            skipped_servers: Vec::new(),
            default_servers: false,
            search: Vec::new(),
            ndots: 1,
            timeout: Duration::from_secs(5),
            attempts: 2,
            rotate: false,
            single_request: false,
            use_tcp: false,
            trust_ad: false,
            no_reload: false,
            unknown_opt: false,
            lookup: Vec::new(),
            err: None,
        };
        for line in lines {
            if line.starts_with([';', '#']) {
                continue;
            }
            let words: Vec<&str> = fields(&line).collect();
            let Some((&keyword, args)) = words.split_first() else {
                continue;
            };
            match keyword {
                "nameserver" => {
                    if let Some(addr) = args.first() {
                        if conf.servers.len() < 3 && conf.add_server(addr) {
                            continue;
                        }
                        conf.skipped_servers.push(addr.to_string());
                    }
                }
                "domain" => {
                    if let Some(domain) = args.first() {
                        conf.search = vec![ensure_rooted(domain)];
                    }
                }
                "search" => {
                    conf.search = args
                        .iter()
                        .map(|domain| ensure_rooted(domain))
                        .filter(|domain| domain != ".")
                        .collect();
                }
                "options" => args.iter().for_each(|option| conf.set_option(option)),
                "lookup" => conf.lookup = args.iter().map(|word| word.to_string()).collect(),
                _ => conf.unknown_opt = true,
            }
        }
        if conf.servers.is_empty() {
            conf.default_servers = true;
            conf.servers = vec![
                SocketAddr::from((Ipv4Addr::LOCALHOST, 53)),
                SocketAddr::from((Ipv6Addr::LOCALHOST, 53)),
            ];
            conf.server_strings = vec!["127.0.0.1:53".to_string(), "[::1]:53".to_string()];
        }
        if conf.search.is_empty() {
            conf.search = default_search(hostname);
        }
        conf
    }

    /// A `nameserver` line: only IP literals count; host names, ports and
    /// brackets make Go skip the line. False when skipped.
    fn add_server(&mut self, text: &str) -> bool {
        let Some((ip, zone)) = parse_ip(text) else {
            return false;
        };
        let addr = match ip {
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => SocketAddrV4::new(v4, 53).into(),
                None => SocketAddrV6::new(v6, 53, 0, zone_index(zone)).into(),
            },
            IpAddr::V4(v4) => SocketAddrV4::new(v4, 53).into(),
        };
        self.servers.push(addr);
        self.server_strings.push(if text.contains(':') {
            format!("[{text}]:53")
        } else {
            format!("{text}:53")
        });
        true
    }

    fn set_option(&mut self, option: &str) {
        if let Some(value) = option.strip_prefix("ndots:") {
            self.ndots = dtoi(value).min(15);
        } else if let Some(value) = option.strip_prefix("timeout:") {
            self.timeout = Duration::from_secs(dtoi(value).max(1).into());
        } else if let Some(value) = option.strip_prefix("attempts:") {
            self.attempts = dtoi(value).max(1);
        } else {
            match option {
                "rotate" => self.rotate = true,
                "single-request" | "single-request-reopen" => self.single_request = true,
                "use-vc" | "usevc" | "tcp" => self.use_tcp = true,
                "trust-ad" => self.trust_ad = true,
                // Go always sends EDNS(0), so the option changes nothing.
                "edns0" => {}
                "no-reload" => self.no_reload = true,
                _ => self.unknown_opt = true,
            }
        }
    }

    /// The fully qualified names Go queries, in order, when asked to resolve
    /// `name`: Go's `isDomainName` check (which every Go lookup applies first;
    /// an invalid name gives the empty list — Go reports `no such host` without
    /// asking a server) followed by `(*dnsConfig).nameList` of the newest Go.
    ///
    /// A name with a trailing dot is tried alone. Otherwise the name with a
    /// trailing dot comes first when it has at least `ndots` dots, else last;
    /// in between come the name with each search suffix, except those longer
    /// than 254 bytes. Candidates ending in `.onion` are never queried (RFC
    /// 7686), so `x.onion` with search `corp.example.` still tries
    /// `x.onion.corp.example.`.
    pub fn name_list(&self, name: &str) -> Vec<String> {
        if !is_domain_name(name) {
            return Vec::new();
        }
        // is_domain_name has already applied nameList's own length limit.
        if name.ends_with('.') {
            return if avoid_dns(name) {
                Vec::new()
            } else {
                vec![name.to_string()]
            };
        }
        let has_ndots = name.bytes().filter(|&b| b == b'.').count() >= self.ndots as usize;
        let rooted = format!("{name}.");
        let suffixed = self
            .search
            .iter()
            .map(|suffix| format!("{rooted}{suffix}"))
            .filter(|fqdn| fqdn.len() <= 254 && !avoid_dns(fqdn));
        let bare = (!avoid_dns(&rooted)).then(|| rooted.clone());
        if has_ndots {
            bare.into_iter().chain(suffixed).collect()
        } else {
            suffixed.chain(bare).collect()
        }
    }
}

/// Go's `isDomainName`: whether `name` is a presentation-format domain name the
/// Go resolver is willing to query. `.` is valid; otherwise at most 253 bytes,
/// or 254 with a trailing dot; labels of 1–63 bytes made of ASCII letters,
/// digits, `_` and `-`, not starting or ending with `-`; at least one letter,
/// `_` or `-` somewhere (so all-numeric names such as IPv4 addresses are not
/// domain names).
pub fn is_domain_name(name: &str) -> bool {
    if name == "." {
        return true;
    }
    let bytes = name.as_bytes();
    let len = bytes.len();
    if len == 0 || len > 254 || len == 254 && bytes[len - 1] != b'.' {
        return false;
    }
    let mut last = b'.';
    let mut non_numeric = false;
    let mut label_len = 0;
    for &c in bytes {
        match c {
            b'a'..=b'z' | b'A'..=b'Z' | b'_' => {
                non_numeric = true;
                label_len += 1;
            }
            b'0'..=b'9' => label_len += 1,
            b'-' => {
                if last == b'.' {
                    return false;
                }
                non_numeric = true;
                label_len += 1;
            }
            b'.' => {
                if last == b'.' || last == b'-' || label_len > 63 {
                    return false;
                }
                label_len = 0;
            }
            _ => return false,
        }
        last = c;
    }
    last != b'-' && label_len <= 63 && non_numeric
}

/// The machine's host name as Go's `os.Hostname` finds it on Linux: uname's
/// node name when it is non-empty and shorter than 64 bytes (it may be
/// truncated otherwise), else the first read of /proc/sys/kernel/hostname
/// without its final newline. Empty when both fail — Go then has an error,
/// which its default search list treats like a name without a dot.
pub fn system_hostname() -> String {
    if let Some(name) = uname_nodename()
        && !name.is_empty()
        && name.len() < 64
    {
        return String::from_utf8_lossy(&name).into_owned();
    }
    proc_hostname().unwrap_or_default()
}

#[cfg(unix)]
fn uname_nodename() -> Option<Vec<u8>> {
    // SAFETY: `utsname` is plain data for which all-zero bytes are valid, and
    // `uname` only writes into the struct it is given.
    let mut uts: libc::utsname = unsafe { std::mem::zeroed() };
    if unsafe { libc::uname(&mut uts) } != 0 {
        return None;
    }
    Some(
        uts.nodename
            .iter()
            .map(|c| c.to_ne_bytes()[0])
            .take_while(|&b| b != 0)
            .collect(),
    )
}

#[cfg(not(unix))]
fn uname_nodename() -> Option<Vec<u8>> {
    None
}

fn proc_hostname() -> Option<String> {
    let mut buf = [0u8; 512];
    let n = File::open("/proc/sys/kernel/hostname")
        .ok()?
        .read(&mut buf)
        .ok()?;
    let name = buf[..n].strip_suffix(b"\n").unwrap_or(&buf[..n]);
    Some(String::from_utf8_lossy(name).into_owned())
}

/// Go's `dnsDefaultSearch`: the part of the host name after its first dot, if
/// that is not empty.
fn default_search(hostname: &str) -> Vec<String> {
    match hostname.split_once('.') {
        Some((_, domain)) if !domain.is_empty() => vec![ensure_rooted(domain)],
        _ => Vec::new(),
    }
}

fn ensure_rooted(name: &str) -> String {
    if name.ends_with('.') {
        name.to_string()
    } else {
        format!("{name}.")
    }
}

/// Go's `avoidDNS`: names never sent to a DNS server (empty, or `.onion`
/// with or without a trailing dot, any case).
fn avoid_dns(name: &str) -> bool {
    if name.is_empty() {
        return true;
    }
    let name = name.strip_suffix('.').unwrap_or(name).as_bytes();
    name.len() >= 6 && name[name.len() - 6..].eq_ignore_ascii_case(b".onion")
}

/// Go's `dtoi` as the resolver uses it: the value of the leading decimal
/// digits, 0 when there are none, saturating at 0xFFFFFF.
fn dtoi(s: &str) -> u32 {
    let mut n = 0;
    for digit in s.bytes().take_while(u8::is_ascii_digit) {
        n = n * 10 + u32::from(digit - b'0');
        if n >= DTOI_BIG {
            return DTOI_BIG;
        }
    }
    n
}

/// The scope id Go's dialer uses for an IPv6 zone (`ipv6ZoneCache.index`).
fn zone_index(zone: &str) -> u32 {
    if zone.is_empty() {
        return 0;
    }
    interface_index(zone).unwrap_or_else(|| dtoi(zone))
}

#[cfg(unix)]
fn interface_index(name: &str) -> Option<u32> {
    let name = std::ffi::CString::new(name).ok()?;
    // SAFETY: `name` is a valid NUL-terminated string that outlives the call.
    let index = unsafe { libc::if_nametoindex(name.as_ptr()) };
    (index != 0).then_some(index)
}

#[cfg(not(unix))]
fn interface_index(_name: &str) -> Option<u32> {
    None
}

/// Parses an IP literal as Go's `netip.ParseAddr` does, returning the address
/// and its zone (empty if none). The first `.`, `:` or `%` decides the family;
/// IPv4 allows no leading zeros and no zone; an IPv6 zone is everything after
/// the first `%` and must not be empty.
pub(super) fn parse_ip(text: &str) -> Option<(IpAddr, &str)> {
    match text.bytes().find(|b| matches!(b, b'.' | b':' | b'%'))? {
        b'.' => Some((IpAddr::V4(text.parse().ok()?), "")),
        b':' => {
            let (addr, zone) = match text.split_once('%') {
                Some((_, "")) => return None,
                Some(split) => split,
                None => (text, ""),
            };
            Some((IpAddr::V6(addr.parse().ok()?), zone))
        }
        _ => None,
    }
}

/// Reads a configuration file as Go's net package does (`open`, `Stat`, then
/// `readLine` until it fails). Open and stat failures are errors; a read error
/// ends the data at the last complete line.
///
/// Only a regular file of at most `limit` bytes is read ([`crate::regular`]): a named
/// pipe or a device is refused instead of blocking, and so is a file beyond the limit.
pub(super) fn read_config_file(path: &Path, limit: Limit) -> Result<Vec<u8>, ReadError> {
    // Go opens and stats a directory without complaint; its first read fails, which
    // ends the data before it starts.
    if std::fs::metadata(path).is_ok_and(|meta| meta.is_dir()) {
        return Ok(Vec::new());
    }
    let opened = regular::open_limited(path, limit).map_err(|err| ReadError {
        kind: err.io_error().map_or(io::ErrorKind::Other, io::Error::kind),
        text: err.to_string(),
    })?;
    let mut data = Vec::new();
    let mut limited = opened.file.take(opened.size);
    if limited.read_to_end(&mut data).is_err() {
        let complete = data.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        data.truncate(complete);
    }
    Ok(data)
}

/// The lines Go's `readLine` yields for a file's content: split at `\n` (a
/// `\r` stays in the line), no empty line after a final newline, and nothing
/// from the first line longer than [`MAX_LINE`] bytes on. Invalid UTF-8 is
/// replaced by U+FFFD.
pub(super) fn go_lines(data: &[u8]) -> impl Iterator<Item = Cow<'_, str>> {
    let body = data.strip_suffix(b"\n").unwrap_or(data);
    (!data.is_empty())
        .then(|| body.split(|&b| b == b'\n'))
        .into_iter()
        .flatten()
        .take_while(|line| line.len() <= MAX_LINE)
        .map(String::from_utf8_lossy)
}

/// Go's `getFields`: the words of a line, separated by spaces, tabs, `\r` and
/// `\n`.
pub(super) fn fields(line: &str) -> impl Iterator<Item = &str> {
    line.split([' ', '\r', '\t', '\n'])
        .filter(|word| !word.is_empty())
}
