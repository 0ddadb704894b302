//! GOVCS: which version control systems the go command may run for a
//! repository (Go 1.27 `cmd/go/internal/vcs/vcs.go`: `parseGOVCS`,
//! `(*govcsConfig).allow`, `checkGOVCS`).

use crate::goquote::quote;
use crate::pattern::match_prefix_patterns;
use crate::vcs::VcsKind;
use std::collections::HashMap;
use std::fmt;

/// A parsed GOVCS value: the user's rules, in order (`govcsConfig`). The
/// built-in rules `private:all` and `public:git|hg` are applied after them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GovcsConfig {
    rules: Vec<Rule>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Rule {
    /// The item as written, trimmed (`example.com:git|hg`).
    item: String,
    pattern: String,
    allowed: Vec<String>,
}

/// Whether a repository root counts as private (matches GOPRIVATE).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    Public,
    Private,
}

impl Visibility {
    /// `public` or `private`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Public => "public",
            Self::Private => "private",
        }
    }
}

impl fmt::Display for Visibility {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Public => "public",
            Self::Private => "private",
        })
    }
}

/// The rule that decided a GOVCS check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecidingRule {
    /// An item of the user's GOVCS, as written (trimmed).
    User(String),
    /// A built-in rule: `private:all` or `public:git|hg`.
    Default(&'static str),
    /// The `mod` pseudo-VCS, which GOVCS never restricts.
    ModAlwaysAllowed,
}

impl DecidingRule {
    /// The rule as written in GOVCS syntax (`public:git|hg`), or `mod` for the
    /// module-server pseudo-VCS that no rule restricts.
    pub fn as_written(&self) -> &str {
        match self {
            Self::User(item) => item,
            Self::Default(rule) => rule,
            Self::ModAlwaysAllowed => "mod",
        }
    }
}

impl fmt::Display for DecidingRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::User(item) => write!(f, "GOVCS entry {}", quote(item)),
            Self::Default(rule) => write!(f, "default rule {rule}"),
            Self::ModAlwaysAllowed => f.write_str("mod is always allowed"),
        }
    }
}

/// The outcome of a GOVCS check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GovcsVerdict {
    pub allowed: bool,
    pub visibility: Visibility,
    pub rule: DecidingRule,
    /// The VCS command name checked.
    pub vcs: String,
    /// The repository root checked.
    pub root: String,
}

impl GovcsVerdict {
    /// The error Go reports when the VCS is not allowed
    /// ([`GovcsError::Disallowed`]), or `None` when it is.
    pub fn refusal(&self) -> Option<GovcsError> {
        (!self.allowed).then(|| GovcsError::Disallowed {
            vcs: self.vcs.clone(),
            visibility: self.visibility,
            root: self.root.clone(),
        })
    }
}

/// GOVCS errors; `Display` gives Go's exact text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GovcsError {
    /// `empty entry in GOVCS` (also for a trailing comma).
    EmptyEntry,
    /// `malformed entry in GOVCS (missing colon): "<item>"`
    MissingColon(String),
    /// `empty pattern in GOVCS: "<item>"`
    EmptyPattern(String),
    /// `empty VCS list in GOVCS: "<item>"`
    EmptyVcsList(String),
    /// `relative pattern not allowed in GOVCS: "<pattern>"`
    RelativePattern(String),
    /// `unreachable pattern in GOVCS: "<item>" after "<earlier item>"`
    Unreachable { item: String, earlier: String },
    /// `empty VCS name in GOVCS: "<item>"`
    EmptyVcsName(String),
    /// `GOVCS disallows using <vcs> for <public|private> <root>; see 'go help vcs'`
    Disallowed {
        vcs: String,
        visibility: Visibility,
        root: String,
    },
    /// `unknown version control system "<name>"`: a VCS name Go 1.27 does not
    /// know was asked about (Go itself only checks known ones).
    UnknownVcs(String),
}

impl fmt::Display for GovcsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::EmptyEntry => f.write_str("empty entry in GOVCS"),
            Self::MissingColon(item) => {
                write!(
                    f,
                    "malformed entry in GOVCS (missing colon): {}",
                    quote(item)
                )
            }
            Self::EmptyPattern(item) => write!(f, "empty pattern in GOVCS: {}", quote(item)),
            Self::EmptyVcsList(item) => write!(f, "empty VCS list in GOVCS: {}", quote(item)),
            Self::RelativePattern(pattern) => {
                write!(
                    f,
                    "relative pattern not allowed in GOVCS: {}",
                    quote(pattern)
                )
            }
            Self::Unreachable { item, earlier } => write!(
                f,
                "unreachable pattern in GOVCS: {} after {}",
                quote(item),
                quote(earlier)
            ),
            Self::EmptyVcsName(item) => write!(f, "empty VCS name in GOVCS: {}", quote(item)),
            Self::Disallowed {
                vcs,
                visibility,
                root,
            } => write!(
                f,
                "GOVCS disallows using {vcs} for {visibility} {root}; see 'go help vcs'"
            ),
            Self::UnknownVcs(name) => {
                write!(f, "unknown version control system {}", quote(name))
            }
        }
    }
}

impl std::error::Error for GovcsError {}

/// Parses a GOVCS value (`parseGOVCS`): comma-separated `pattern:vcs|vcs`
/// items, white space around items, patterns and names trimmed. An empty
/// value means no user rules.
pub fn parse_govcs(s: &str) -> Result<GovcsConfig, GovcsError> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(GovcsConfig::default());
    }
    let mut rules = Vec::new();
    let mut seen: HashMap<&str, &str> = HashMap::new();
    for item in s.split(',') {
        let item = item.trim();
        if item.is_empty() {
            return Err(GovcsError::EmptyEntry);
        }
        let Some((pattern, list)) = item.split_once(':') else {
            return Err(GovcsError::MissingColon(item.to_string()));
        };
        let (pattern, list) = (pattern.trim(), list.trim());
        if pattern.is_empty() {
            return Err(GovcsError::EmptyPattern(item.to_string()));
        }
        if list.is_empty() {
            return Err(GovcsError::EmptyVcsList(item.to_string()));
        }
        if is_relative_path(pattern) {
            return Err(GovcsError::RelativePattern(pattern.to_string()));
        }
        if let Some(earlier) = seen.insert(pattern, item) {
            return Err(GovcsError::Unreachable {
                item: item.to_string(),
                earlier: earlier.to_string(),
            });
        }
        let allowed = list
            .split('|')
            .map(|name| match name.trim() {
                "" => Err(GovcsError::EmptyVcsName(item.to_string())),
                name => Ok(name.to_string()),
            })
            .collect::<Result<_, _>>()?;
        rules.push(Rule {
            item: item.to_string(),
            pattern: pattern.to_string(),
            allowed,
        });
    }
    Ok(GovcsConfig { rules })
}

/// `search.IsRelativePath`.
fn is_relative_path(pattern: &str) -> bool {
    pattern.starts_with("./") || pattern.starts_with("../") || pattern == "." || pattern == ".."
}

impl GovcsConfig {
    /// Decides whether `vcs` (a command name: git, hg, svn, fossil, mod)
    /// may be used for the repository `root` (`(*govcsConfig).allow` with
    /// the built-in rules appended). The root is private if it matches the
    /// GOPRIVATE globs. The first rule whose pattern matches decides:
    /// `public`/`private` match by visibility, anything else as a glob
    /// against `root`; the VCS is allowed if the rule lists it or `all`.
    /// `mod` is always allowed.
    pub fn check(
        &self,
        goprivate: &str,
        vcs: &str,
        root: &str,
    ) -> Result<GovcsVerdict, GovcsError> {
        let kind = VcsKind::from_cmd(vcs).ok_or_else(|| GovcsError::UnknownVcs(vcs.to_string()))?;
        let private = match_prefix_patterns(goprivate, root);
        let visibility = if private {
            Visibility::Private
        } else {
            Visibility::Public
        };
        let (allowed, rule) = if kind == VcsKind::Mod {
            (true, DecidingRule::ModAlwaysAllowed)
        } else if let Some(rule) = self.rules.iter().find(|r| match r.pattern.as_str() {
            "private" => private,
            "public" => !private,
            pattern => match_prefix_patterns(pattern, root),
        }) {
            let listed = rule.allowed.iter().any(|n| n == vcs || n == "all");
            (listed, DecidingRule::User(rule.item.clone()))
        } else if private {
            (true, DecidingRule::Default("private:all"))
        } else {
            let listed = matches!(kind, VcsKind::Git | VcsKind::Hg);
            (listed, DecidingRule::Default("public:git|hg"))
        };
        Ok(GovcsVerdict {
            allowed,
            visibility,
            rule,
            vcs: vcs.to_string(),
            root: root.to_string(),
        })
    }
}

/// The whole of `checkGOVCS`: `mod` passes without looking at GOVCS;
/// otherwise a malformed GOVCS value is the error Go reports, and the
/// verdict's [`refusal`](GovcsVerdict::refusal) is the error when the VCS is
/// not allowed. `govcs` and `goprivate` are the raw values.
pub fn check_govcs(
    govcs: &str,
    goprivate: &str,
    vcs: &str,
    root: &str,
) -> Result<GovcsVerdict, GovcsError> {
    let config = if vcs == "mod" {
        GovcsConfig::default()
    } else {
        parse_govcs(govcs)?
    };
    config.check(goprivate, vcs, root)
}
