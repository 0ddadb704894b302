//! /etc/nsswitch.conf as Go reads it (`parseNSSConf` in src/net/nss.go) and the
//! host lookup order the pure-Go resolver derives from it (`(*conf).lookupOrder`
//! in src/net/conf.go, newest Go, for a binary built without cgo — as the go
//! command's distribution binaries are since Go 1.21).

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::path::Path;

use super::conf::{ResolvConf, go_lines, read_config_file};

/// Where Go reads the name-service switch configuration.
pub const NSSWITCH_PATH: &str = "/etc/nsswitch.conf";

/// The order in which Go's resolver consults /etc/hosts ("files") and DNS for
/// a host name (Go's `hostLookupOrder`, without the `cgo` value a binary
/// without cgo never uses).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HostLookupOrder {
    /// /etc/hosts first; DNS only if the name is not there.
    FilesDns,
    /// DNS first; /etc/hosts only if DNS gave no address.
    DnsFiles,
    /// /etc/hosts only.
    Files,
    /// DNS only.
    Dns,
}

impl fmt::Display for HostLookupOrder {
    /// Go's names, as in `GODEBUG=netdns=2` traces: `files,dns`, `dns,files`,
    /// `files`, `dns`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            HostLookupOrder::FilesDns => "files,dns",
            HostLookupOrder::DnsFiles => "dns,files",
            HostLookupOrder::Files => "files",
            HostLookupOrder::Dns => "dns",
        })
    }
}

/// What Go keeps of nsswitch.conf (Go's `nssConf` without its `mtime`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NssConf {
    /// Go's error text: the open failure (`open /etc/nsswitch.conf: …`) or the
    /// first syntax error (`no colon on line`, `unclosed criterion bracket`,
    /// `invalid criteria: <text in brackets>`). Parsing stops there; the
    /// sources read before it are kept, but Go then ignores them.
    pub err: Option<String>,
    /// Sources per database name (`hosts`, `passwd`, …; case-sensitive), in
    /// file order. Repeated lines for one database add to its list.
    pub sources: HashMap<String, Vec<NssSource>>,
}

/// One source of a database line (Go's `nssSource`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NssSource {
    /// The source name as written, e.g. `files`, `dns`, `mdns4_minimal`. Only
    /// spaces separate sources, so `files\tdns` is a single source.
    pub source: String,
    /// The bracketed criteria after it, e.g. `[NOTFOUND=return]`.
    pub criteria: Vec<NssCriterion>,
}

/// One `STATUS=action` criterion (Go's `nssCriterion`), lower-cased.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NssCriterion {
    /// Written with a leading `!`.
    pub negate: bool,
    /// e.g. `notfound`, `success`, `unavail`, `tryagain`.
    pub status: String,
    /// e.g. `return`, `continue`.
    pub action: String,
}

/// Parses nsswitch.conf text as Go's `parseNSSConf` does with a file of that
/// content: `#` starts a comment anywhere; each non-empty line is
/// `database: source [criteria] source …`.
pub fn parse_nsswitch(text: &str) -> NssConf {
    NssConf::from_lines(go_lines(text.as_bytes()))
}

/// Reads nsswitch.conf as Go's `parseNSSConfFile` does; a file that cannot be
/// opened gives an `NssConf` with only `err` set. Invalid UTF-8 is replaced by
/// U+FFFD.
pub fn read_nsswitch(path: &Path) -> NssConf {
    match read_config_file(path, crate::regular::RESOLVER_CONF) {
        Ok(data) => NssConf::from_lines(go_lines(&data)),
        Err(err) => NssConf {
            err: Some(err.text),
            sources: HashMap::new(),
        },
    }
}

/// The host lookup order of the pure-Go resolver of the newest Go on Linux,
/// given the content of nsswitch.conf (`None`: the file does not exist). See
/// [`NssConf::host_lookup_order`].
///
/// `hostname` (the name being looked up) and `resolv` are what Go's
/// `lookupOrder` receives, but without cgo on Linux neither influences the
/// result: Go consults them only when it could hand the lookup to the C
/// library, and on OpenBSD (resolv.conf's `lookup` line).
pub fn host_lookup_order(
    nsswitch: Option<&str>,
    _hostname: &str,
    _resolv: &ResolvConf,
) -> HostLookupOrder {
    nsswitch.map_or(HostLookupOrder::FilesDns, |text| {
        parse_nsswitch(text).host_lookup_order()
    })
}

impl NssConf {
    fn from_lines<'a>(lines: impl Iterator<Item = Cow<'a, str>>) -> NssConf {
        let mut conf = NssConf::default();
        for line in lines {
            let line = trim_space(line.split('#').next().unwrap_or_default());
            if line.is_empty() {
                continue;
            }
            let Some((database, mut rest)) = line.split_once(':') else {
                conf.err = Some("no colon on line".to_string());
                return conf;
            };
            loop {
                rest = trim_space(rest);
                if rest.is_empty() {
                    break;
                }
                let (source, after) = rest.split_once(' ').unwrap_or((rest, ""));
                rest = trim_space(after);
                let mut criteria = Vec::new();
                if let Some(bracketed) = rest.strip_prefix('[') {
                    let Some((inside, after)) = bracketed.split_once(']') else {
                        conf.err = Some("unclosed criterion bracket".to_string());
                        return conf;
                    };
                    let Some(parsed) = parse_criteria(inside) else {
                        conf.err = Some(format!("invalid criteria: {inside}"));
                        return conf;
                    };
                    criteria = parsed;
                    rest = after;
                }
                conf.sources
                    .entry(trim_space(database).to_string())
                    .or_default()
                    .push(NssSource {
                        source: source.to_string(),
                        criteria,
                    });
            }
        }
        conf
    }

    /// The host lookup order Go's pure-Go resolver derives from this file
    /// (`(*conf).lookupOrder` without cgo, on Linux). `files,dns` when the file
    /// is missing or invalid or has no `hosts` sources. Otherwise `files` and
    /// `dns` count at their positions; any other source (`resolve`,
    /// `myhostname`, `mdns4_minimal`, `nis`, misspelt or upper-case names …)
    /// is ignored when the line names `dns` anywhere, and otherwise counts as
    /// `dns` at its position. Criteria such as `[NOTFOUND=return]` are ignored.
    pub fn host_lookup_order(&self) -> HostLookupOrder {
        let sources = match (&self.err, self.sources.get("hosts")) {
            (None, Some(sources)) => sources,
            _ => return HostLookupOrder::FilesDns,
        };
        let names_dns = sources.iter().any(|src| src.source == "dns");
        let (mut files, mut dns, mut files_first) = (false, false, None);
        for src in sources {
            let is_files = match src.source.as_str() {
                "files" => true,
                "dns" => false,
                _ if names_dns => continue,
                _ => false,
            };
            if is_files {
                files = true;
            } else {
                dns = true;
            }
            files_first.get_or_insert(is_files);
        }
        match (files, dns) {
            (true, true) if files_first == Some(true) => HostLookupOrder::FilesDns,
            (true, true) => HostLookupOrder::DnsFiles,
            (true, false) => HostLookupOrder::Files,
            (false, true) => HostLookupOrder::Dns,
            (false, false) => HostLookupOrder::FilesDns,
        }
    }
}

/// Go's `parseCriteria`: space-separated `[!]status=action` items, each at
/// least three bytes long; `None` if one is malformed.
fn parse_criteria(text: &str) -> Option<Vec<NssCriterion>> {
    let mut criteria = Vec::new();
    let mut rest = trim_space(text);
    while !rest.is_empty() {
        let (field, after) = rest.split_once(' ').unwrap_or((rest, ""));
        let field = trim_space(field);
        if !field.is_empty() {
            let (negate, field) = match field.strip_prefix('!') {
                Some(field) => (true, field),
                None => (false, field),
            };
            if field.len() < 3 {
                return None;
            }
            let (status, action) = field.split_once('=')?;
            criteria.push(NssCriterion {
                negate,
                status: status.to_ascii_lowercase(),
                action: action.to_ascii_lowercase(),
            });
        }
        rest = trim_space(after);
    }
    Some(criteria)
}

/// Go's `trimSpace`: strips spaces, tabs, `\r` and `\n` at both ends.
fn trim_space(text: &str) -> &str {
    text.trim_matches([' ', '\t', '\r', '\n'])
}
