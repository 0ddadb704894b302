//! Direct mode, from a module path to a repository (Go 1.27
//! `cmd/go/internal/vcs/vcs.go`): the special cases and the static table of
//! hosting sites (`repoRootFromVCSPaths`), the go-get discovery URL
//! (`urlForImportPath`), and the checks applied to the go-import entry
//! discovery chose (`repoRootForImportDynamic`).
//!
//! Nothing here runs a VCS or touches the network. The GOVCS policy that Go
//! applies between these steps lives in [`crate::govcs`].

use crate::discovery::MetaImport;
use crate::goquote::quote;
use crate::gourl::{self, Url};
use regex::Regex;
use std::fmt;
use std::sync::{LazyLock, OnceLock};

/// A version control system Go 1.27 knows (`*vcs.Cmd`), plus `mod`, the
/// module-proxy pseudo-VCS a go-import tag may name. Bazaar is gone in 1.27.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum VcsKind {
    Git,
    Hg,
    Svn,
    Fossil,
    Mod,
}

impl VcsKind {
    /// The VCS whose command name is `cmd` (`vcsByCmd`, plus `mod`).
    /// Case-sensitive; `bzr` is unknown in Go 1.27.
    pub fn from_cmd(cmd: &str) -> Option<Self> {
        Some(match cmd {
            "git" => Self::Git,
            "hg" => Self::Hg,
            "svn" => Self::Svn,
            "fossil" => Self::Fossil,
            "mod" => Self::Mod,
            _ => return None,
        })
    }

    /// The command name (`Cmd.Cmd`), which is also the name GOVCS and
    /// go-import tags use.
    pub fn cmd(self) -> &'static str {
        match self {
            Self::Git => "git",
            Self::Hg => "hg",
            Self::Svn => "svn",
            Self::Fossil => "fossil",
            Self::Mod => "mod",
        }
    }

    /// The URL schemes Go tries for a scheme-less repository, in order
    /// (`Cmd.Scheme`).
    pub fn schemes(self) -> &'static [&'static str] {
        match self {
            Self::Git => &["git", "https", "http", "git+ssh", "ssh"],
            Self::Hg => &["https", "http", "ssh"],
            Self::Svn => &["https", "http", "svn", "svn+ssh"],
            Self::Fossil => &["https", "http"],
            Self::Mod => &[],
        }
    }

    /// Whether Go checks a scheme by running the VCS (`Cmd.PingCmd` is
    /// set: `git ls-remote`, `hg identify`, `svn info`). Fossil has no ping,
    /// so Go takes its first acceptable scheme untested.
    pub fn pings(self) -> bool {
        matches!(self, Self::Git | Self::Hg | Self::Svn)
    }

    /// Whether `scheme` counts as secure for this VCS (`isSecureScheme`):
    /// https, git+ssh, svn+ssh and ssh; for git a non-empty
    /// `GIT_ALLOW_PROTOCOL` (colon-separated, passed in by the caller)
    /// replaces that set.
    pub fn is_secure_scheme(self, scheme: &str, git_allow_protocol: &str) -> bool {
        if self == Self::Git && !git_allow_protocol.is_empty() {
            return git_allow_protocol.split(':').any(|s| s == scheme);
        }
        matches!(scheme, "https" | "git+ssh" | "svn+ssh" | "ssh")
    }
}

impl fmt::Display for VcsKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.cmd())
    }
}

/// What the static table says about an import path (the `RepoRoot` that
/// `repoRootFromVCSPaths` builds, before GOVCS and scheme probing).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaticRoot {
    pub vcs: VcsKind,
    /// The repository URL. For the generic `host/path.vcs` rule with a VCS
    /// that [pings](VcsKind::pings) it has no scheme (`example.com/repo`);
    /// Go prefixes the first of [`schemes`](Self::schemes) whose ping works.
    pub repo: String,
    /// The import-path prefix the repository holds.
    pub root: String,
    /// Whether Go still has to find a scheme by pinging `schemes` (true for
    /// the generic rule unless the VCS has no ping command).
    pub needs_scheme_probe: bool,
    /// The schemes Go pings, in order, skipping insecure ones unless the
    /// module path matched GOINSECURE; empty when no probe is needed. If a
    /// probe is needed and this is empty or every ping fails, Go fails with
    /// [`VcsError::NoProtocol`].
    pub schemes: Vec<&'static str>,
}

/// The go-get discovery request for an import path (`urlForImportPath` and
/// the schemes `web.Get` tries).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoGetUrl {
    /// The first path element, port included.
    pub host: String,
    /// The rest of the import path, or `/`.
    pub path: String,
    /// Whether plain http is tried after https fails (GOINSECURE matched).
    /// Go then also skips certificate checks on the https attempt.
    pub insecure: bool,
}

impl GoGetUrl {
    /// The URL fetched first, as Go prints it: `https://<host><path>?go-get=1`
    /// with the path percent-escaped like `url.URL.String`.
    pub fn https(&self) -> String {
        url_string("https", &self.host, &self.path)
    }

    /// The plain-http URL tried when https fails, only if insecure.
    pub fn http_fallback(&self) -> Option<String> {
        self.insecure
            .then(|| url_string("http", &self.host, &self.path))
    }

    /// The URL without scheme, `//<host><path>?go-get=1`: Go prints this form
    /// where it formats the request URL rather than the fetched one
    /// (`parse <url>: multiple meta tags ...`, and the second URL of
    /// `<url1> and <url2> disagree about go-import for <prefix>`).
    pub fn schemeless(&self) -> String {
        url_string("", &self.host, &self.path)
    }
}

/// `scheme://host/path?go-get=1` as Go's `(*url.URL).String` writes it, with host and
/// path escaped; an empty scheme gives `//host/path?go-get=1`.
fn url_string(scheme: &str, host: &str, path: &str) -> String {
    Url {
        scheme: scheme.to_string(),
        host: host.to_string(),
        path: path.to_string(),
        raw_query: "go-get=1".to_string(),
        ..Url::default()
    }
    .to_string()
}

/// Why a repo root taken from a go-import tag is unusable (`validateRepoRoot`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RepoRootError {
    /// `url.Parse` failed: `parse "<root>": <reason>`.
    Parse(Box<gourl::Error>),
    /// `no scheme`
    NoScheme,
    /// `file scheme disallowed`
    FileScheme,
}

impl fmt::Display for RepoRootError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Parse(e) => e.fmt(f),
            Self::NoScheme => f.write_str("no scheme"),
            Self::FileScheme => f.write_str("file scheme disallowed"),
        }
    }
}

impl std::error::Error for RepoRootError {}

/// Errors of this module; `Display` gives Go's exact text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VcsError {
    /// `no modules on example.net` (a test hook active in every build).
    ExampleNet,
    /// `rsc.io is not a module` (likewise).
    RscIo,
    /// `"https://" not allowed in import path` (or `"http://"`).
    SchemeInPath { scheme: &'static str },
    /// `invalid <prefix> import path "<path>"`: a table entry claims the
    /// path's prefix but the path does not have the entry's shape.
    InvalidImportPath { prefix: &'static str, path: String },
    /// `invalid version control suffix in <prefix>/ path`: the repository
    /// name ends in `.git`, `.hg`, `.svn` or `.fossil`.
    VcsSuffix { prefix: &'static str },
    /// `no secure protocol found for repository` (`no protocol ...` when
    /// insecure): no scheme was acceptable or every ping failed.
    NoProtocol { secure_only: bool },
    /// `import path does not begin with hostname`: the first element has no dot.
    NoHostname,
    /// `<url>: invalid subdirectory "<dir>": leading slash|leading hyphen`
    InvalidSubDir {
        url: String,
        sub_dir: String,
        reason: &'static str,
    },
    /// `<url>: invalid repo root "<root>": <reason>`
    InvalidRepoRoot {
        url: String,
        repo_root: String,
        reason: RepoRootError,
    },
    /// `<url>: unknown vcs "<vcs>"`
    UnknownVcs { url: String, vcs: String },
    /// `cannot expand ... in "<path>"`: a resolved root contains `...`.
    WildcardRoot { import_path: String },
}

impl fmt::Display for VcsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::ExampleNet => f.write_str("no modules on example.net"),
            Self::RscIo => f.write_str("rsc.io is not a module"),
            Self::SchemeInPath { scheme } => {
                write!(
                    f,
                    "{} not allowed in import path",
                    quote(&format!("{scheme}//"))
                )
            }
            Self::InvalidImportPath { prefix, path } => {
                write!(f, "invalid {prefix} import path {}", quote(path))
            }
            Self::VcsSuffix { prefix } => {
                write!(f, "invalid version control suffix in {prefix}/ path")
            }
            Self::NoProtocol { secure_only } => {
                let secure = if *secure_only { "secure " } else { "" };
                write!(f, "no {secure}protocol found for repository")
            }
            Self::NoHostname => f.write_str("import path does not begin with hostname"),
            Self::InvalidSubDir {
                url,
                sub_dir,
                reason,
            } => {
                write!(
                    f,
                    "{url}: invalid subdirectory {}: {reason}",
                    quote(sub_dir)
                )
            }
            Self::InvalidRepoRoot {
                url,
                repo_root,
                reason,
            } => {
                write!(f, "{url}: invalid repo root {}: {reason}", quote(repo_root))
            }
            Self::UnknownVcs { url, vcs } => write!(f, "{url}: unknown vcs {}", quote(vcs)),
            Self::WildcardRoot { import_path } => {
                write!(f, "cannot expand ... in {}", quote(import_path))
            }
        }
    }
}

impl std::error::Error for VcsError {}

/// One entry of Go's `vcsPaths` for a known hosting site.
struct Site {
    prefix: &'static str,
    /// Go's expression with `\w` spelled out: Go's `\w` is ASCII-only.
    pattern: &'static str,
    vcs: VcsKind,
    /// Whether `noVCSSuffix` applies.
    check_suffix: bool,
}

const SITES: [Site; 6] = [
    Site {
        prefix: "github.com",
        pattern: r"^(?P<root>github\.com/[A-Za-z0-9_.\-]+/[A-Za-z0-9_.\-]+)(/[A-Za-z0-9_.\-]+)*$",
        vcs: VcsKind::Git,
        check_suffix: true,
    },
    Site {
        prefix: "bitbucket.org",
        pattern: r"^(?P<root>bitbucket\.org/[A-Za-z0-9_.\-]+/[A-Za-z0-9_.\-]+)(/[A-Za-z0-9_.\-]+)*$",
        vcs: VcsKind::Git,
        check_suffix: true,
    },
    Site {
        prefix: "hub.jazz.net/git",
        pattern: r"^(?P<root>hub\.jazz\.net/git/[a-z0-9]+/[A-Za-z0-9_.\-]+)(/[A-Za-z0-9_.\-]+)*$",
        vcs: VcsKind::Git,
        check_suffix: true,
    },
    Site {
        prefix: "git.apache.org",
        pattern: r"^(?P<root>git\.apache\.org/[a-z0-9_.\-]+\.git)(/[A-Za-z0-9_.\-]+)*$",
        vcs: VcsKind::Git,
        check_suffix: false,
    },
    Site {
        prefix: "git.openstack.org",
        pattern: r"^(?P<root>git\.openstack\.org/[A-Za-z0-9_.\-]+/[A-Za-z0-9_.\-]+)(\.git)?(/[A-Za-z0-9_.\-]+)*$",
        vcs: VcsKind::Git,
        check_suffix: false,
    },
    Site {
        prefix: "chiselapp.com",
        pattern: r"^(?P<root>chiselapp\.com/user/[A-Za-z0-9]+/repository/[A-Za-z0-9_.\-]+)$",
        vcs: VcsKind::Fossil,
        check_suffix: false,
    },
];

/// The generic `host/path.vcs` rule. Like Go's it is not anchored at the
/// start: in `Example.com/repo.git` it matches from `xample.com`.
const GENERIC: &str = r"(?P<root>(?P<repo>([a-z0-9.\-]+\.)+[a-z0-9.\-]+(:[0-9]+)?(/~?[A-Za-z0-9_.\-]+)+?)\.(?P<vcs>fossil|git|hg|svn))(/~?[A-Za-z0-9_.\-]+)*$";

// Each expression is compiled the first time a path needs it: most paths need none,
// and start-up time matters for a command-line tool.
static SITE_REGEXES: [OnceLock<Regex>; SITES.len()] = [const { OnceLock::new() }; SITES.len()];
static GENERIC_REGEX: LazyLock<Regex> = LazyLock::new(|| compile(GENERIC));

/// The VCS suffixes the generic rule looks for; a path without any cannot match it.
const GENERIC_SUFFIXES: [&str; 4] = [".fossil", ".git", ".hg", ".svn"];

fn compile(pattern: &str) -> Regex {
    Regex::new(pattern).expect("the table's expressions are valid")
}

/// Maps an import path through Go's special cases and static table
/// (`repoRootFromVCSPaths`). `Ok(None)` means no entry claims the path, so
/// Go goes on to go-get discovery.
///
/// `insecure` is whether the module path matched GOINSECURE;
/// `git_allow_protocol` is `$GIT_ALLOW_PROTOCOL` (empty when unset).
///
/// Go then checks GOVCS for (`vcs`, `root`) — see
/// [`crate::govcs::check_govcs`] — before it probes schemes; a GOVCS refusal
/// wins over [`VcsError::NoProtocol`].
pub fn repo_root_from_vcs_paths(
    import_path: &str,
    insecure: bool,
    git_allow_protocol: &str,
) -> Result<Option<StaticRoot>, VcsError> {
    if has_path_prefix(import_path, "example.net") {
        return Err(VcsError::ExampleNet);
    }
    if import_path == "rsc.io" {
        return Err(VcsError::RscIo);
    }
    if let Some(scheme) = ["http:", "https:"]
        .into_iter()
        .find(|p| import_path.starts_with(p))
    {
        return Err(VcsError::SchemeInPath { scheme });
    }
    for (site, re) in SITES.iter().zip(SITE_REGEXES.iter()) {
        if !has_path_prefix(import_path, site.prefix) {
            continue;
        }
        let re = re.get_or_init(|| compile(site.pattern));
        let Some(root) = re.captures(import_path).and_then(|c| c.name("root")) else {
            return Err(VcsError::InvalidImportPath {
                prefix: site.prefix,
                path: import_path.to_string(),
            });
        };
        let root = root.as_str();
        if site.check_suffix && has_vcs_suffix(root) {
            return Err(VcsError::VcsSuffix {
                prefix: site.prefix,
            });
        }
        return Ok(Some(StaticRoot {
            vcs: site.vcs,
            repo: format!("https://{root}"),
            root: root.to_string(),
            needs_scheme_probe: false,
            schemes: Vec::new(),
        }));
    }
    if !GENERIC_SUFFIXES
        .iter()
        .any(|suffix| import_path.contains(suffix))
    {
        return Ok(None);
    }
    let Some(caps) = GENERIC_REGEX.captures(import_path) else {
        return Ok(None);
    };
    let (Some(root), Some(repo), Some(vcs)) = (
        caps.name("root"),
        caps.name("repo"),
        caps.name("vcs").and_then(|v| VcsKind::from_cmd(v.as_str())),
    ) else {
        return Ok(None);
    };
    let schemes: Vec<&'static str> = vcs
        .schemes()
        .iter()
        .copied()
        .filter(|s| insecure || vcs.is_secure_scheme(s, git_allow_protocol))
        .collect();
    // Without a ping command Go takes the first acceptable scheme untested.
    let (repo, needs_scheme_probe, schemes) = match (vcs.pings(), schemes.first()) {
        (false, Some(first)) => (format!("{first}://{}", repo.as_str()), false, Vec::new()),
        _ => (repo.as_str().to_string(), true, schemes),
    };
    Ok(Some(StaticRoot {
        vcs,
        repo,
        root: root.as_str().to_string(),
        needs_scheme_probe,
        schemes,
    }))
}

/// `noVCSSuffix`: whether a repository name ends in `.<vcs>` for a VCS Go
/// 1.27 knows (hg, git, svn, fossil).
fn has_vcs_suffix(repo: &str) -> bool {
    [VcsKind::Hg, VcsKind::Git, VcsKind::Svn, VcsKind::Fossil]
        .iter()
        .any(|v| repo.ends_with(&format!(".{}", v.cmd())))
}

/// The go-get discovery URL for an import path (`urlForImportPath`): host =
/// the first path element, which must contain a dot; path = the rest, or
/// `/`. `insecure` is whether the module path matched GOINSECURE.
pub fn go_get_url(import_path: &str, insecure: bool) -> Result<GoGetUrl, VcsError> {
    let slash = import_path.find('/').unwrap_or(import_path.len());
    let (host, path) = import_path.split_at(slash);
    if !host.contains('.') {
        return Err(VcsError::NoHostname);
    }
    Ok(GoGetUrl {
        host: host.to_string(),
        path: if path.is_empty() { "/" } else { path }.to_string(),
        insecure,
    })
}

/// `validateRepoRoot`: a go-import repo root must parse as a URL (Go's
/// `url.Parse`) with a scheme other than `file`. `http://` is accepted.
pub fn validate_repo_root(repo_root: &str) -> Result<(), RepoRootError> {
    match gourl::parse(repo_root)
        .map_err(|e| RepoRootError::Parse(Box::new(e)))?
        .scheme
        .as_str()
    {
        "" => Err(RepoRootError::NoScheme),
        "file" => Err(RepoRootError::FileScheme),
        _ => Ok(()),
    }
}

/// The checks `repoRootForImportDynamic` applies to the chosen go-import
/// entry once its prefix is verified, in Go's order: subdirectory
/// (`validateRepoSubDir`), repo root, VCS name. `url` is the fetched page URL
/// as Go prints it (normally [`GoGetUrl::https`]). Returns the VCS; Go then
/// checks GOVCS for it with the entry's prefix as root (`mod` always passes).
pub fn check_go_import(url: &str, entry: &MetaImport) -> Result<VcsKind, VcsError> {
    if let Some(dir) = &entry.sub_dir {
        let reason = match dir.as_bytes().first() {
            Some(b'/') => Some("leading slash"),
            Some(b'-') => Some("leading hyphen"),
            _ => None,
        };
        if let Some(reason) = reason {
            return Err(VcsError::InvalidSubDir {
                url: url.to_string(),
                sub_dir: dir.clone(),
                reason,
            });
        }
    }
    validate_repo_root(&entry.repo_root).map_err(|reason| VcsError::InvalidRepoRoot {
        url: url.to_string(),
        repo_root: entry.repo_root.clone(),
        reason,
    })?;
    VcsKind::from_cmd(&entry.vcs).ok_or_else(|| VcsError::UnknownVcs {
        url: url.to_string(),
        vcs: entry.vcs.clone(),
    })
}

/// The last check of `RepoRootForImportPath`: a resolved root may not contain
/// `...` when the import path does.
pub fn check_wildcard_root(import_path: &str, root: &str) -> Result<(), VcsError> {
    if import_path.contains("...") && root.contains("...") {
        return Err(VcsError::WildcardRoot {
            import_path: import_path.to_string(),
        });
    }
    Ok(())
}

/// `str.HasPathPrefix`: whether `s` starts with the path elements of
/// `prefix` (byte-wise; an empty prefix matches everything).
pub(crate) fn has_path_prefix(s: &str, prefix: &str) -> bool {
    let (s, p) = (s.as_bytes(), prefix.as_bytes());
    if s.len() == p.len() {
        return s == p;
    }
    if p.is_empty() {
        return true;
    }
    s.len() > p.len() && (p.ends_with(b"/") || s[p.len()] == b'/') && s.starts_with(p)
}
