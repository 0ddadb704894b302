//! How the go command routes a module download: the GOPROXY list, the per-module
//! decision for each entry, the error Go finally reports, and the checksum database.
//!
//! Mirrors `cmd/go/internal/modfetch`: `proxyList`, `TryProxies`, `lookup`,
//! `newProxyRepo`, `dbDial`, `useSumDB` (newest Go; identical in 1.19 for the list).

use crate::gourl;
use crate::modpath;
use crate::pattern;
use crate::record::Code;
use crate::sumdb::note::VerifierKey;

/// One entry of the parsed GOPROXY list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProxyEntry {
    /// What the entry is.
    pub spec: EntrySpec,
    /// True when the entry was followed by `|`: any error moves on to the next entry.
    /// Otherwise only "not found" errors do.
    pub fall_back_on_error: bool,
}

/// The kind of a GOPROXY entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EntrySpec {
    /// The implicit first entry Go adds when GONOPROXY is set: matching paths are
    /// fetched directly, others skip it.
    Noproxy,
    /// `off`: every lookup fails with `module lookup disabled by GOPROXY=off`.
    Off,
    /// `direct`: fetch from the version control repository (or a `mod` server).
    Direct,
    /// A proxy base URL, exactly as Go keeps it (with `https://` prepended where Go
    /// prepends it, credentials included: redact before printing).
    Url(String),
}

impl EntrySpec {
    /// The entry as Go writes it in its list: `noproxy`, `off`, `direct` or the URL.
    pub fn as_str(&self) -> &str {
        match self {
            EntrySpec::Noproxy => "noproxy",
            EntrySpec::Off => "off",
            EntrySpec::Direct => "direct",
            EntrySpec::Url(url) => url,
        }
    }
}

/// A configuration value the go command rejects, with Go's own message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    /// The stable code.
    pub code: Code,
    /// Go's error text (without the `go: <module>@<version>: ` prefix).
    pub go_text: String,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.go_text)
    }
}

impl std::error::Error for ConfigError {}

/// The text Go gives when GOPROXY yields no entries.
pub const EMPTY_GOPROXY: &str = "GOPROXY list is not the empty string, but contains no entries";

/// Parses GOPROXY as `proxyList` does. `gonoproxy` only decides whether the implicit
/// `noproxy` entry is added (when it is non-empty and GOPROXY is not exactly `direct`).
pub fn parse_goproxy(goproxy: &str, gonoproxy: &str) -> Result<Vec<ProxyEntry>, ConfigError> {
    let mut list = Vec::new();
    if !gonoproxy.is_empty() && goproxy != "direct" {
        list.push(ProxyEntry {
            spec: EntrySpec::Noproxy,
            fall_back_on_error: false,
        });
    }
    let mut rest = goproxy;
    while !rest.is_empty() {
        let (piece, fall_back_on_error) = match rest.find([',', '|']) {
            Some(i) => {
                let sep = rest.as_bytes()[i];
                let piece = &rest[..i];
                rest = &rest[i + 1..];
                (piece, sep == b'|')
            }
            None => {
                let piece = rest;
                rest = "";
                (piece, false)
            }
        };
        let piece = piece.trim_matches(is_go_space);
        if piece.is_empty() {
            continue;
        }
        if piece == "off" {
            list.push(ProxyEntry {
                spec: EntrySpec::Off,
                fall_back_on_error,
            });
            break;
        }
        if piece == "direct" {
            list.push(ProxyEntry {
                spec: EntrySpec::Direct,
                fall_back_on_error,
            });
            break;
        }
        let url = if piece.contains(['.', ':', '/'])
            && !piece.contains(":/")
            && !piece.starts_with('/')
        {
            format!("https://{piece}")
        } else {
            piece.to_string()
        };
        check_proxy_url(&url)?;
        list.push(ProxyEntry {
            spec: EntrySpec::Url(url),
            fall_back_on_error,
        });
    }
    if list.is_empty() || (list.len() == 1 && list[0].spec == EntrySpec::Noproxy) {
        return Err(ConfigError {
            code: Code::GoproxyEmpty,
            go_text: EMPTY_GOPROXY.to_string(),
        });
    }
    Ok(list)
}

/// White space as Go's `strings.TrimSpace` sees it (Unicode white space).
fn is_go_space(c: char) -> bool {
    c.is_whitespace()
}

/// Validates a proxy base URL as `newProxyRepo` does: it must parse, and its scheme
/// must be http, https, or file with nothing but a path.
pub fn check_proxy_url(url: &str) -> Result<gourl::Url, ConfigError> {
    let invalid = |go_text: String| ConfigError {
        code: Code::GoproxyInvalid,
        go_text,
    };
    let base = gourl::parse(url).map_err(|e| invalid(e.to_string()))?;
    match base.scheme.as_str() {
        "http" | "https" => Ok(base),
        "file" => {
            let path_only = base.opaque.is_empty()
                && base.user.is_none()
                && base.host.is_empty()
                && !base.omit_host
                && !base.force_query
                && base.raw_query.is_empty()
                && base.fragment.is_empty()
                && base.raw_fragment.is_empty();
            if path_only {
                Ok(base)
            } else {
                Err(invalid(format!(
                    "invalid file:// proxy URL with non-path elements: {}",
                    base.redacted()
                )))
            }
        }
        "" => Err(invalid(format!(
            "invalid proxy URL missing scheme: {}",
            base.redacted()
        ))),
        _ => Err(invalid(format!(
            "invalid proxy URL scheme (must be https, http, file): {}",
            base.redacted()
        ))),
    }
}

/// What one GOPROXY entry does for one module path (`modfetch.lookup`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Lookup {
    /// Ask this proxy.
    Proxy(String),
    /// Fetch directly (go-get discovery and VCS, or a `mod` server).
    Direct,
    /// Fail with a "not found" error without any request: `errProxyOff`,
    /// `errNoproxy` or `errUseProxy`. The text is Go's.
    NotFound(&'static str),
}

/// `errProxyOff`.
pub const ERR_PROXY_OFF: &str = "module lookup disabled by GOPROXY=off";
/// `errNoproxy`: a proxy entry for a path that matches GONOPROXY.
pub const ERR_NOPROXY: &str = "disabled by GOPRIVATE/GONOPROXY";
/// `errUseProxy`: the noproxy entry for a path that does not match GONOPROXY.
pub const ERR_USE_PROXY: &str = "path does not match GOPRIVATE/GONOPROXY";

/// Decides what `entry` does for `module_path`, given GONOPROXY.
pub fn lookup(entry: &EntrySpec, module_path: &str, gonoproxy: &str) -> Lookup {
    if pattern::match_prefix_patterns(gonoproxy, module_path) {
        return match entry {
            EntrySpec::Noproxy | EntrySpec::Direct => Lookup::Direct,
            _ => Lookup::NotFound(ERR_NOPROXY),
        };
    }
    match entry {
        EntrySpec::Off => Lookup::NotFound(ERR_PROXY_OFF),
        EntrySpec::Direct => Lookup::Direct,
        EntrySpec::Noproxy => Lookup::NotFound(ERR_USE_PROXY),
        EntrySpec::Url(url) => Lookup::Proxy(url.clone()),
    }
}

/// One GOPROXY entry as it applies to one module path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlannedEntry {
    /// The entry.
    pub entry: ProxyEntry,
    /// What it does for the path.
    pub lookup: Lookup,
    /// Whether it is the last entry of the list.
    pub is_last: bool,
}

impl PlannedEntry {
    /// When Go moves on to the next entry: `not_found` (404/410 and Go's internal
    /// not-found errors), `any_error` (after `|`), or `none` (the last entry).
    pub fn fallback(&self) -> &'static str {
        match (self.is_last, self.entry.fall_back_on_error) {
            (true, _) => "none",
            (false, true) => "any_error",
            (false, false) => "not_found",
        }
    }
}

/// The GOPROXY list resolved for one module path: each entry with its
/// [`Lookup`], in the order `TryProxies` walks them.
pub fn plan(
    goproxy: &str,
    gonoproxy: &str,
    module_path: &str,
) -> Result<Vec<PlannedEntry>, ConfigError> {
    let entries = parse_goproxy(goproxy, gonoproxy)?;
    let last = entries.len().saturating_sub(1);
    Ok(entries
        .into_iter()
        .enumerate()
        .map(|(i, entry)| PlannedEntry {
            lookup: lookup(&entry.spec, module_path, gonoproxy),
            entry,
            is_last: i == last,
        })
        .collect())
}

/// The error-ranking walk of `TryProxies`, as a state machine so that callers with
/// their own (asynchronous) loop can use it: feed each entry's failure to
/// [`ErrorRanking::failed`] and stop when it says so; [`ErrorRanking::into_error`] is
/// the error Go reports when every tried entry failed.
#[derive(Debug)]
pub struct ErrorRanking<E> {
    best: Option<E>,
    rank: Rank,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Rank {
    NotExist,
    Proxy,
    Direct,
}

impl<E> Default for ErrorRanking<E> {
    fn default() -> Self {
        ErrorRanking {
            best: None,
            rank: Rank::NotExist,
        }
    }
}

impl<E> ErrorRanking<E> {
    /// A fresh walk.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records that `entry` failed with `err`. `is_not_found` is Go's
    /// `errors.Is(err, fs.ErrNotExist)` (404, 410, the internal not-found errors);
    /// `is_use_proxy` marks `errUseProxy` from the noproxy entry. Returns true when
    /// Go moves on to the next entry.
    pub fn failed(
        &mut self,
        entry: &ProxyEntry,
        err: E,
        is_not_found: bool,
        is_use_proxy: bool,
    ) -> bool {
        let from_direct =
            entry.spec == EntrySpec::Direct || (entry.spec == EntrySpec::Noproxy && !is_use_proxy);
        if from_direct {
            self.best = Some(err);
            self.rank = Rank::Direct;
        } else if self.rank <= Rank::Proxy && !is_not_found {
            self.best = Some(err);
            self.rank = Rank::Proxy;
        } else if self.rank == Rank::NotExist {
            self.best = Some(err);
        }
        entry.fall_back_on_error || is_not_found
    }

    /// The error Go reports, and whether it is a "not found" error — meaningful only
    /// after every entry was tried or the walk stopped.
    pub fn into_error(self) -> Option<E> {
        self.best
    }
}

/// The known checksum databases and their keys (`modfetch.knownGOSUMDB`).
pub const KNOWN_GOSUMDB: &[(&str, &str)] = &[(
    "sum.golang.org",
    "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8",
)];

/// A parsed GOSUMDB: which database and how to reach it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SumdbSpec {
    /// The database name (`sum.golang.org`).
    pub name: String,
    /// The full verifier key.
    pub key: String,
    /// The parsed key.
    pub verifier: VerifierKey,
    /// The explicit URL from GOSUMDB's second field: used as is, proxies bypassed.
    pub url: Option<String>,
    /// `https://<name>`: used when no proxy serves the database.
    pub direct_url: String,
    /// Whether the name was a known database whose key Go has built in.
    pub known: bool,
}

/// Parses GOSUMDB as `dbDial` does. `Ok(None)` means `off`.
pub fn parse_gosumdb(gosumdb: &str) -> Result<Option<SumdbSpec>, ConfigError> {
    let invalid = |code: Code, go_text: String| ConfigError { code, go_text };
    let mut value = gosumdb;
    if value == "sum.golang.google.cn" {
        value = "sum.golang.org https://sum.golang.google.cn";
    }
    if value == "off" {
        return Ok(None);
    }
    let mut fields: Vec<String> = value
        .split(char::is_whitespace)
        .filter(|f| !f.is_empty())
        .map(String::from)
        .collect();
    let mut known = false;
    if let Some(first) = fields.first_mut()
        && let Some((_, key)) = KNOWN_GOSUMDB.iter().find(|(name, _)| name == first)
    {
        *first = key.to_string();
        known = true;
    }
    if fields.is_empty() {
        return Err(invalid(Code::GosumdbMissing, "missing GOSUMDB".to_string()));
    }
    if fields.len() > 2 {
        return Err(invalid(
            Code::GosumdbInvalid,
            "invalid GOSUMDB: too many fields".to_string(),
        ));
    }
    let verifier = VerifierKey::parse(&fields[0])
        .map_err(|e| invalid(Code::GosumdbInvalid, format!("invalid GOSUMDB: {e}")))?;
    let name = verifier.name.clone();
    let direct_url = format!("https://{name}");
    let name_ok = match gourl::parse(&direct_url) {
        Ok(u) => {
            !name.ends_with('/')
                && u.scheme == "https"
                && u.opaque.is_empty()
                && u.user.is_none()
                && !u.omit_host
                && !u.force_query
                && u.raw_query.is_empty()
                && u.fragment.is_empty()
                && u.raw_fragment.is_empty()
                && u.raw_path.is_empty()
                && !u.host.is_empty()
        }
        Err(_) => false,
    };
    if !name_ok {
        return Err(invalid(
            Code::GosumdbInvalid,
            format!("invalid sumdb name (must be host[/path]): {name}"),
        ));
    }
    let url = match fields.get(1) {
        Some(raw) => {
            gourl::parse(raw)
                .map_err(|e| invalid(Code::GosumdbInvalid, format!("invalid GOSUMDB URL: {e}")))?;
            Some(raw.clone())
        }
        None => None,
    };
    Ok(Some(SumdbSpec {
        name,
        key: fields[0].clone(),
        verifier,
        url,
        direct_url,
        known,
    }))
}

/// Whether a checksum-database name is a clean `host[/path]`, as a name used for
/// directories must be: `/`-separated elements, none of them empty, `.` or `..`. The
/// go command checks less (`invalid sumdb name (must be host[/path])` only refuses
/// what does not parse as such a URL), so it accepts `sum.example/../../x` and keeps
/// that database's files outside `$GOPATH/pkg/sumdb`; these tools refuse it. The error
/// says what is wrong.
pub fn check_sumdb_name(name: &str) -> Result<(), String> {
    for element in name.split('/') {
        let problem = match element {
            "" => "an empty element",
            "." => "a \".\" element",
            ".." => "a \"..\" element",
            _ if element.contains('\\') => "a backslash",
            _ => continue,
        };
        return Err(format!("it has {problem}"));
    }
    Ok(())
}

/// Why a module is or is not checked against the checksum database (`useSumDB`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SumdbUse {
    /// The database is consulted.
    Used,
    /// `GOSUMDB=off`.
    Off,
    /// The path matches GONOSUMDB (or GOPRIVATE, its default); the glob that matched.
    NoSumdb(String),
}

/// Decides whether `module_path` is checked against the database. `golang.org/toolchain`
/// is always checked (newest Go) unless GOPROXY is a single `file://` URL.
pub fn sumdb_use(module_path: &str, gosumdb: &str, gonosumdb: &str, goproxy: &str) -> SumdbUse {
    let single_file_proxy = goproxy.starts_with("file://") && !goproxy.contains([',', '|']);
    if module_path == "golang.org/toolchain" && !single_file_proxy {
        return SumdbUse::Used;
    }
    if gosumdb == "off" {
        return SumdbUse::Off;
    }
    match pattern::matching_pattern(gonosumdb, module_path) {
        Some(glob) => SumdbUse::NoSumdb(glob.to_string()),
        None => SumdbUse::Used,
    }
}

/// The module path the go command actually looks up: `go` and `toolchain` are served
/// by `golang.org/toolchain`.
pub fn lookup_path(module_path: &str) -> &str {
    match module_path {
        "go" | "toolchain" => "golang.org/toolchain",
        other => other,
    }
}

/// Go's `url.PathEscape` with `%2F` turned back into `/` (`modfetch.pathEscape`): how an
/// escaped module path or version goes on the wire (`!` becomes `%21`).
pub fn path_escape(s: &str) -> String {
    gourl::path_escape(s).replace("%2F", "/")
}

/// A module at a proxy, as Go's `newProxyRepo` makes it: the base URL (one trailing
/// `/` removed, query and userinfo kept) joined with the escaped module path, from which
/// every request URL of that module is derived.
#[derive(Clone, Debug)]
pub struct ProxyRepo {
    url: gourl::Url,
}

impl ProxyRepo {
    /// The module `module_path` at the proxy `base`.
    pub fn new(base: &str, module_path: &str) -> Result<ProxyRepo, RequestUrlError> {
        let mut url = gourl::parse(base).map_err(|e| RequestUrlError(e.to_string()))?;
        let escaped =
            modpath::escape_path(module_path).map_err(|e| RequestUrlError(e.to_string()))?;
        let raw_base = url.escaped_path().into_owned();
        url.raw_path = format!(
            "{}/{}",
            raw_base.trim_end_matches('/'),
            path_escape(&escaped)
        );
        url.path = format!("{}/{}", url.path.trim_end_matches('/'), escaped);
        Ok(ProxyRepo { url })
    }

    /// The URL of one request (`getBody`): `suffix` is `@v/list`, `@latest` or
    /// `@v/<escaped version>.<ext>`, joined with `path.Join` as Go joins it.
    pub fn url(&self, suffix: &str) -> gourl::Url {
        let mut url = self.url.clone();
        url.path = crate::pathclean::join(&[&self.url.path, suffix]);
        url.raw_path = crate::pathclean::join(&[&self.url.raw_path, &path_escape(suffix)]);
        url
    }
}

/// The URL of one proxy request for a module; see [`ProxyRepo`].
pub fn proxy_request_url(
    base: &str,
    module_path: &str,
    suffix: &str,
) -> Result<gourl::Url, RequestUrlError> {
    Ok(ProxyRepo::new(base, module_path)?.url(suffix))
}

/// A module path or base URL that cannot be turned into a request URL; Go's text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestUrlError(pub String);

impl std::fmt::Display for RequestUrlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for RequestUrlError {}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(goproxy: &str, gonoproxy: &str) -> Vec<(String, bool)> {
        parse_goproxy(goproxy, gonoproxy)
            .unwrap()
            .into_iter()
            .map(|e| (e.spec.as_str().to_string(), e.fall_back_on_error))
            .collect()
    }

    #[test]
    fn goproxy_separators_set_the_rule_of_the_entry_before_them() {
        assert_eq!(
            entries("https://a|https://b,direct", ""),
            vec![
                ("https://a".into(), true),
                ("https://b".into(), false),
                ("direct".into(), false)
            ]
        );
        assert_eq!(
            entries("off,direct", "x"),
            vec![("noproxy".into(), false), ("off".into(), false)]
        );
    }

    #[test]
    fn lookup_follows_gonoproxy() {
        let proxy = EntrySpec::Url("https://p".into());
        assert_eq!(
            lookup(&proxy, "corp.example/x", "corp.example"),
            Lookup::NotFound(ERR_NOPROXY)
        );
        assert_eq!(
            lookup(&EntrySpec::Noproxy, "corp.example/x", "corp.example"),
            Lookup::Direct
        );
        assert_eq!(
            lookup(&EntrySpec::Noproxy, "public.example/x", "corp.example"),
            Lookup::NotFound(ERR_USE_PROXY)
        );
        assert_eq!(
            lookup(&EntrySpec::Off, "corp.example/x", "corp.example"),
            Lookup::NotFound(ERR_NOPROXY)
        );
        assert_eq!(
            lookup(&EntrySpec::Off, "public.example/x", ""),
            Lookup::NotFound(ERR_PROXY_OFF)
        );
    }

    #[test]
    fn sumdb_names_must_be_clean_to_become_directories() {
        for clean in ["sum.golang.org", "sum.example:8443/db", "h/a.b/c-d"] {
            assert_eq!(check_sumdb_name(clean), Ok(()), "{clean}");
        }
        for (name, why) in [
            ("sum.example/../../x", "it has a \"..\" element"),
            ("..", "it has a \"..\" element"),
            ("sum.example/./x", "it has a \".\" element"),
            ("sum.example//x", "it has an empty element"),
            ("sum.example/x\\..", "it has a backslash"),
        ] {
            assert_eq!(check_sumdb_name(name), Err(why.to_string()), "{name}");
        }
        // The go command's own check lets such a name through.
        let key = gomod_common_test_key("sum.example/../../x");
        assert_eq!(
            parse_gosumdb(&key).unwrap().unwrap().name,
            "sum.example/../../x"
        );
    }

    /// A verifier key for `name` (any key material: only the name matters here).
    fn gomod_common_test_key(name: &str) -> String {
        crate::sumdb::note::Signer::from_seed(name, [7; 32])
            .unwrap()
            .verifier()
            .to_string()
    }

    #[test]
    fn gosumdb_forms() {
        let db = parse_gosumdb("sum.golang.org").unwrap().unwrap();
        assert_eq!(db.name, "sum.golang.org");
        assert!(db.known && db.url.is_none());
        let db = parse_gosumdb("sum.golang.google.cn").unwrap().unwrap();
        assert_eq!(db.url.as_deref(), Some("https://sum.golang.google.cn"));
        assert_eq!(parse_gosumdb("off").unwrap(), None);
        assert_eq!(parse_gosumdb("").unwrap_err().go_text, "missing GOSUMDB");
        assert_eq!(
            parse_gosumdb("a b c").unwrap_err().go_text,
            "invalid GOSUMDB: too many fields"
        );
        assert_eq!(
            parse_gosumdb("sum.example.com").unwrap_err().go_text,
            "invalid GOSUMDB: malformed verifier id"
        );
        assert_eq!(
            parse_gosumdb("sum.golang.org+badkey").unwrap_err().go_text,
            "invalid GOSUMDB: malformed verifier id"
        );
        let db = parse_gosumdb("sum.golang.org\r").unwrap().unwrap();
        assert_eq!(db.name, "sum.golang.org");
    }

    #[test]
    fn sumdb_use_rules() {
        assert_eq!(sumdb_use("example.com/m", "off", "", ""), SumdbUse::Off);
        assert_eq!(
            sumdb_use("corp.example/m", "sum.golang.org", "corp.example", ""),
            SumdbUse::NoSumdb("corp.example".into())
        );
        assert_eq!(
            sumdb_use("golang.org/toolchain", "off", "", "https://p"),
            SumdbUse::Used
        );
        assert_eq!(
            sumdb_use("golang.org/toolchain", "off", "", "file:///x"),
            SumdbUse::Off
        );
    }
}
