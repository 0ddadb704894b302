//! The go command's netrc handling: where the file is, its quirky line-pairwise parser, and
//! which entry a request gets (`src/cmd/go/internal/auth/netrc.go` and `auth.go`).
//!
//! Two matching rules exist: go1.19 compares the request's host name; since go1.24
//! (`GOAUTH=netrc`, the default) entries are URL prefixes in which the port counts.

use std::fmt;
use std::path::PathBuf;

use crate::gourl::{self, Url};

/// One recorded `machine` entry: all three fields are non-empty.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct NetrcEntry {
    /// The `machine` value as written (a host, or since go1.24 also `host:port/path`).
    pub machine: String,
    /// The `login` value.
    pub login: String,
    /// The `password` value.
    pub password: String,
}

impl fmt::Debug for NetrcEntry {
    /// Never shows the password.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NetrcEntry")
            .field("machine", &self.machine)
            .field("login", &self.login)
            .field("password", &"<redacted>")
            .finish()
    }
}

/// How a request URL is matched against netrc entries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NetrcMode {
    /// go1.24+ with `GOAUTH=netrc` (the default): each entry is stored under its machine with
    /// `https://` and one trailing `/` removed, earlier entries winning; the request URL without
    /// `https://` is looked up, then with its last `/`-element stripped, and so on. The port is
    /// part of the key.
    Newest,
    /// go1.19: the first entry whose machine equals the request's host name (without port),
    /// compared exactly.
    Go119,
}

/// Why the netrc location is unknown: Go's `os.UserHomeDir` error text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NetrcPathError {
    variable: &'static str,
}

impl fmt::Display for NetrcPathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} is not defined", self.variable)
    }
}

impl std::error::Error for NetrcPathError {}

/// The netrc file the go command reads, Go's `netrcPath`: `$NETRC` if non-empty, else
/// `.netrc` in the home directory (`$HOME`; on Windows `%USERPROFILE%`, preferring an existing
/// `_netrc`). A missing file is not an error for Go; it just has no entries.
pub fn netrc_path(getenv: impl Fn(&str) -> Option<String>) -> Result<PathBuf, NetrcPathError> {
    let non_empty = |name: &str| getenv(name).filter(|v| !v.is_empty());
    if let Some(path) = non_empty("NETRC") {
        return Ok(PathBuf::from(path));
    }
    let (variable, shown) = if cfg!(windows) {
        ("USERPROFILE", "%userprofile%")
    } else {
        ("HOME", "$HOME")
    };
    let home = non_empty(variable).ok_or(NetrcPathError { variable: shown })?;
    if cfg!(windows) {
        let legacy = PathBuf::from(&home).join("_netrc");
        if legacy.exists() {
            return Ok(legacy);
        }
        return Ok(PathBuf::from(home).join(".netrc"));
    }
    Ok(PathBuf::from(clean_slash_path(&format!("{home}/.netrc"))))
}

/// Go's `path/filepath.Clean` for `/`-separated paths (what `filepath.Join` applies): drops
/// empty and `.` elements and resolves `..` lexically.
fn clean_slash_path(path: &str) -> String {
    let rooted = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." if parts.last().is_some_and(|last| *last != "..") => {
                parts.pop();
            }
            ".." if rooted => {}
            _ => parts.push(part),
        }
    }
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".to_owned(),
        (false, false) => joined,
    }
}

/// Parses netrc text exactly like Go's `parseNetrc` (the same in go1.19 and go1.27).
///
/// Lines are split at `\n` and into white-space separated tokens, which are taken in pairs
/// *within a line* (keyword, value); an odd last token is dropped, except that a line ending
/// in an unpaired `default` ends parsing. `machine` starts an entry, `login` and `password`
/// fill it, and the entry is recorded as soon as all three are non-empty. `macdef` skips the
/// following lines up to and including the first empty one. Other keywords are ignored with
/// their value. There is no quoting and no comment syntax.
pub fn parse(text: &str) -> Vec<NetrcEntry> {
    let mut entries = Vec::new();
    let mut current = NetrcEntry::default();
    let mut in_macro = false;
    for line in text.split('\n') {
        if in_macro {
            in_macro = !line.is_empty();
            continue;
        }
        let tokens: Vec<&str> = line.split_whitespace().collect();
        let mut pairs = tokens.chunks_exact(2);
        for pair in &mut pairs {
            let (keyword, value) = (pair[0], pair[1]);
            match keyword {
                "machine" => {
                    current = NetrcEntry {
                        machine: value.to_owned(),
                        ..NetrcEntry::default()
                    }
                }
                "login" => current.login = value.to_owned(),
                "password" => current.password = value.to_owned(),
                "macdef" => in_macro = true,
                _ => {}
            }
            if !current.machine.is_empty()
                && !current.login.is_empty()
                && !current.password.is_empty()
            {
                entries.push(std::mem::take(&mut current));
            }
        }
        if pairs.remainder() == ["default"] {
            break;
        }
    }
    entries
}

/// The entry whose credentials the go command sends with a request for `url`, or `None`.
///
/// Only `https` requests get credentials. The URL is first normalised as `http.NewRequest`
/// does (re-parsed from its string form, an empty `:port` removed).
pub fn credentials_for<'a>(
    entries: &'a [NetrcEntry],
    url: &Url,
    mode: NetrcMode,
) -> Option<&'a NetrcEntry> {
    match mode {
        NetrcMode::Go119 => {
            let request = request_url(url)?;
            let host = request.hostname();
            entries.iter().find(|entry| entry.machine == host)
        }
        NetrcMode::Newest => {
            let full = request_key(url)?;
            let mut prefix = full.as_str();
            loop {
                if let Some(entry) = entries
                    .iter()
                    .find(|e| credential_key(&e.machine) == prefix)
                {
                    return Some(entry);
                }
                prefix = &prefix[..prefix.rfind('/')?];
            }
        }
    }
}

/// The request URL as `http.NewRequest` makes it (re-parsed from its string form, an
/// empty `:port` removed); None for anything but https, which gets no credentials.
fn request_url(url: &Url) -> Option<Url> {
    let mut request = gourl::parse(&url.to_string()).ok()?;
    if request.scheme != "https" {
        return None;
    }
    if let Some(host) = request.host.strip_suffix(':') {
        request.host = host.to_owned();
    }
    Some(request)
}

/// The key an https request looks its credentials up with (go's `loadCredential` of
/// `req.URL.String()`): the request URL without `https://` and one trailing `/`.
pub fn request_key(url: &Url) -> Option<String> {
    Some(credential_key(&request_url(url)?.to_string()).to_owned())
}

/// The key Go's credential cache uses: `https://` and one trailing `/` removed.
pub fn credential_key(s: &str) -> &str {
    let s = s.strip_prefix("https://").unwrap_or(s);
    s.strip_suffix('/').unwrap_or(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(machine: &str, login: &str, password: &str) -> NetrcEntry {
        NetrcEntry {
            machine: machine.to_owned(),
            login: login.to_owned(),
            password: password.to_owned(),
        }
    }

    /// Expectations confirmed with go1.27.3's `parseNetrc`.
    #[test]
    fn parse_quirks() {
        let cases: [(&str, Vec<NetrcEntry>); 7] = [
            // A new machine discards an incomplete entry; login before machine is lost.
            (
                "login x machine a login u password p\nmachine b login v\nmachine c password q login w",
                vec![entry("a", "u", "p"), entry("c", "w", "q")],
            ),
            // macdef: the rest of its line still counts, the macro body is skipped.
            (
                "machine a login u macdef m password p\nbody line\n\nmachine b login v password q",
                vec![entry("a", "u", "p"), entry("b", "v", "q")],
            ),
            // An unpaired trailing "default" ends parsing even after entries.
            (
                "machine a login u password p\nmachine b default\nmachine c login w password r",
                vec![entry("a", "u", "p")],
            ),
            // Unknown keywords are skipped with their value.
            (
                "machine a port 22 login u account x password p",
                vec![entry("a", "u", "p")],
            ),
            // Go's strings.Fields splits at Unicode white space such as NBSP and NEL.
            (
                "machine\u{a0}a\u{85}login u password p",
                vec![entry("a", "u", "p")],
            ),
            (
                "machine a login u password p machine",
                vec![entry("a", "u", "p")],
            ),
            ("\n\n\n", vec![]),
        ];
        for (text, want) in cases {
            assert_eq!(parse(text), want, "{text:?}");
        }
    }

    const NETRC: &str = "machine example.com/ login slash password 1\n\
        machine https://example.com:8443/ login port password 2\n\
        machine example.com/a/b?x=1 login query password 3\n\
        machine example.com/q?p=a login q password 4\n\
        machine [::1]:443 login v6 password 5\n\
        machine ::1 login v6bare password 6\n\
        machine example.com login host password 7\n";

    /// (URL, credentials go1.27.3 sends, credentials go1.19.8 sends) for [`NETRC`].
    const MATCH_CASES: &[(&str, Option<&str>, Option<&str>)] = &[
        ("https://example.com:/x", Some("slash:1"), Some("host:7")),
        ("https://example.com/", Some("slash:1"), Some("host:7")),
        ("https://example.com", Some("slash:1"), Some("host:7")),
        ("https://u@example.com/x", None, Some("host:7")),
        ("https://u:p@example.com/x", None, Some("host:7")),
        ("https://example.com:8443", Some("port:2"), Some("host:7")),
        (
            "https://example.com:8443/deep/path",
            Some("port:2"),
            Some("host:7"),
        ),
        (
            "https://example.com/a/b?x=1",
            Some("query:3"),
            Some("host:7"),
        ),
        (
            "https://example.com/a/b?x=2",
            Some("slash:1"),
            Some("host:7"),
        ),
        ("https://example.com/q?p=a/b", Some("q:4"), Some("host:7")),
        ("https://example.com/q?p=a", Some("q:4"), Some("host:7")),
        ("https://example.com/#frag", Some("slash:1"), Some("host:7")),
        ("https://[::1]/x", None, Some("v6bare:6")),
        ("https://[::1]:443/x", Some("v6:5"), Some("v6bare:6")),
        ("https://Example.com/x", None, None),
        (
            "https://example.com/a%2Fb/c",
            Some("slash:1"),
            Some("host:7"),
        ),
        ("https:example.com", None, None),
        ("http://example.com/x", None, None),
    ];

    #[test]
    fn matching_matches_go() {
        let entries = parse(NETRC);
        for &(raw, newest, go119) in MATCH_CASES {
            let url = gourl::parse(raw).unwrap();
            for (mode, want) in [(NetrcMode::Newest, newest), (NetrcMode::Go119, go119)] {
                let got = credentials_for(&entries, &url, mode)
                    .map(|e| format!("{}:{}", e.login, e.password));
                assert_eq!(got.as_deref(), want, "{raw} {mode:?}");
            }
        }
    }

    #[test]
    fn debug_redacts_the_password() {
        let shown = format!("{:?}", parse("machine a login u password s3cret"));
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(
            shown.contains("\"a\"") && shown.contains("\"u\""),
            "{shown}"
        );
    }

    #[cfg(not(windows))]
    #[test]
    fn path_like_go() {
        let path = |vars: &[(&str, &str)]| {
            netrc_path(|name| {
                vars.iter()
                    .find(|(key, _)| *key == name)
                    .map(|(_, value)| (*value).to_owned())
            })
            .map(|p| p.display().to_string())
            .map_err(|e| e.to_string())
        };
        let ok = |s: &str| Ok(s.to_owned());
        assert_eq!(
            path(&[("NETRC", "/x/netrc"), ("HOME", "/h")]),
            ok("/x/netrc")
        );
        assert_eq!(path(&[("NETRC", ""), ("HOME", "/h")]), ok("/h/.netrc"));
        assert_eq!(path(&[("HOME", "/home/u/")]), ok("/home/u/.netrc"));
        assert_eq!(path(&[("HOME", "/a/../b//./c")]), ok("/b/c/.netrc"));
        assert_eq!(path(&[("HOME", "/..")]), ok("/.netrc"));
        assert_eq!(path(&[("HOME", "rel/../../x")]), ok("../x/.netrc"));
        assert_eq!(
            path(&[("HOME", "")]),
            Err("$HOME is not defined".to_owned())
        );
        assert_eq!(path(&[]), Err("$HOME is not defined".to_owned()));
    }
}
