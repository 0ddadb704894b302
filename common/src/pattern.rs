//! Comma-separated glob lists as GOPRIVATE, GONOPROXY, GONOSUMDB, GOINSECURE and GOVCS use
//! them, with Go's `path.Match` glob syntax.

use std::fmt;

/// A malformed glob (Go's `path.ErrBadPattern`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BadPattern;

impl fmt::Display for BadPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("syntax error in pattern")
    }
}

impl std::error::Error for BadPattern {}

/// Reports whether some leading path elements of `target` match a glob in the comma-separated
/// `globs`, ignoring empty and malformed globs (Go's `module.MatchPrefixPatterns`).
pub fn match_prefix_patterns(globs: &str, target: &str) -> bool {
    matching_pattern(globs, target).is_some()
}

/// The first glob of `globs` that decides [`match_prefix_patterns`], exactly as written in the
/// list (with any trailing slash), or `None` when no glob matches.
pub fn matching_pattern<'a>(globs: &'a str, target: &str) -> Option<&'a str> {
    globs
        .split(',')
        .find(|glob| glob_matches_prefix(glob, target))
}

/// A glob with N slashes is matched against the first N+1 path elements of `target`.
fn glob_matches_prefix(glob: &str, target: &str) -> bool {
    let glob = glob.strip_suffix('/').unwrap_or(glob);
    if glob.is_empty() {
        return false;
    }
    let slashes = glob.bytes().filter(|&b| b == b'/').count();
    let element_ends = target.match_indices('/').map(|(i, _)| i);
    match element_ends.chain([target.len()]).nth(slashes) {
        Some(end) => path_match(glob, &target[..end]) == Ok(true),
        None => false,
    }
}

/// Reports whether `name` matches the shell pattern `pattern` (Go's `path.Match`): `*` and `?`
/// never match `/`, `[...]` classes negate with `^`, `\` escapes. Like Go, it may answer
/// `Ok(false)` before noticing a syntax error in an unused part of the pattern.
pub fn path_match(pattern: &str, name: &str) -> Result<bool, BadPattern> {
    // Bytes, not chars: like Go, a `*` may skip into the middle of a multi-byte character.
    let mut pattern = pattern.as_bytes();
    let mut name = name.as_bytes();
    'chunks: while !pattern.is_empty() {
        let (star, chunk, rest) = scan_chunk(pattern);
        pattern = rest;
        if star && chunk.is_empty() {
            return Ok(!name.contains(&b'/'));
        }
        // The last chunk must consume the whole name.
        let fits = |rest: &[u8]| rest.is_empty() || !pattern.is_empty();
        match match_chunk(chunk, name)? {
            Some(rest) if fits(rest) => {
                name = rest;
                continue;
            }
            _ => {}
        }
        if star {
            let skippable = name.iter().take_while(|&&b| b != b'/').count();
            for skip in 1..=skippable {
                if let Some(rest) = match_chunk(chunk, &name[skip..])?
                    && fits(rest)
                {
                    name = rest;
                    continue 'chunks;
                }
            }
        }
        // A failed match is still an error if the rest of the pattern is malformed.
        while !pattern.is_empty() {
            let (_, chunk, rest) = scan_chunk(pattern);
            pattern = rest;
            match_chunk(chunk, b"")?;
        }
        return Ok(false);
    }
    Ok(name.is_empty())
}

/// Splits off the next chunk: leading stars, then everything up to the next `*` outside a class.
fn scan_chunk(pattern: &[u8]) -> (bool, &[u8], &[u8]) {
    let stars = pattern.iter().take_while(|&&b| b == b'*').count();
    let pattern = &pattern[stars..];
    let mut in_class = false;
    let mut i = 0;
    while let Some(&b) = pattern.get(i) {
        match b {
            b'\\' if i + 1 < pattern.len() => i += 1,
            b'[' => in_class = true,
            b']' => in_class = false,
            b'*' if !in_class => break,
            _ => {}
        }
        i += 1;
    }
    let (chunk, rest) = pattern.split_at(i);
    (stars > 0, chunk, rest)
}

/// Matches a star-free chunk against the start of `s`, returning what is left of `s`. Keeps
/// parsing the chunk after a mismatch so that syntax errors are still reported.
fn match_chunk<'a>(mut chunk: &[u8], mut s: &'a [u8]) -> Result<Option<&'a [u8]>, BadPattern> {
    let mut failed = false;
    while let Some((&op, after_op)) = chunk.split_first() {
        failed = failed || s.is_empty();
        chunk = after_op;
        match op {
            b'[' => {
                let c = if failed {
                    0
                } else {
                    let (c, width) = decode_rune(s);
                    s = &s[width..];
                    c
                };
                let negated = chunk.first() == Some(&b'^');
                if negated {
                    chunk = &chunk[1..];
                }
                let mut matched = false;
                let mut ranges = 0;
                loop {
                    if ranges > 0 && chunk.first() == Some(&b']') {
                        chunk = &chunk[1..];
                        break;
                    }
                    let (lo, after_lo) = class_char(chunk)?;
                    let (hi, after_range) = match after_lo.split_first() {
                        Some((b'-', after_dash)) => class_char(after_dash)?,
                        _ => (lo, after_lo),
                    };
                    chunk = after_range;
                    matched = matched || (lo <= c && c <= hi);
                    ranges += 1;
                }
                failed = failed || matched == negated;
            }
            b'?' => {
                if !failed {
                    failed = s.first() == Some(&b'/');
                    s = &s[decode_rune(s).1..];
                }
            }
            _ => {
                let literal = if op == b'\\' {
                    let (&escaped, after_escaped) = chunk.split_first().ok_or(BadPattern)?;
                    chunk = after_escaped;
                    escaped
                } else {
                    op
                };
                if !failed {
                    failed = s.first() != Some(&literal);
                    s = &s[1..];
                }
            }
        }
    }
    Ok((!failed).then_some(s))
}

/// Reads a possibly escaped character of a class; a class must not end right after it
/// (Go's `getEsc`).
fn class_char(chunk: &[u8]) -> Result<(u32, &[u8]), BadPattern> {
    let chunk = match chunk {
        [] | [b'-' | b']', ..] => return Err(BadPattern),
        [b'\\', escaped @ ..] => escaped,
        _ => chunk,
    };
    let (c, width) = decode_rune(chunk);
    match chunk.get(width..) {
        Some(rest) if width > 0 && !rest.is_empty() && !(c == REPLACEMENT && width == 1) => {
            Ok((c, rest))
        }
        _ => Err(BadPattern),
    }
}

const REPLACEMENT: u32 = char::REPLACEMENT_CHARACTER as u32;

/// The first character of `s` and its length in bytes, `(U+FFFD, 1)` for a byte that does not
/// start valid UTF-8, `(U+FFFD, 0)` for empty input (Go's `utf8.DecodeRune`).
fn decode_rune(s: &[u8]) -> (u32, usize) {
    match s.utf8_chunks().next() {
        None => (REPLACEMENT, 0),
        Some(run) => match run.valid().chars().next() {
            Some(c) => (u32::from(c), c.len_utf8()),
            None => (REPLACEMENT, 1),
        },
    }
}

/// Public code hosts, where a private module is named by its owner element
/// (`github.com/acme`) rather than by its host.
pub const PUBLIC_CODE_HOSTS: &[&str] = &[
    "github.com",
    "gitlab.com",
    "bitbucket.org",
    "codeberg.org",
    "gitee.com",
    "sr.ht",
    "git.sr.ht",
];

/// Well-known vanity domains of public Go modules: a module path under one of them (or
/// a subdomain) is public, whatever serves it.
pub const PUBLIC_VANITY_DOMAINS: &[&str] = &[
    "golang.org",
    "google.golang.org",
    "go.googlesource.com",
    "cloud.google.com",
    "gopkg.in",
    "go.uber.org",
    "k8s.io",
    "sigs.k8s.io",
    "go.opentelemetry.io",
    "go.opencensus.io",
    "honnef.co",
    "gotest.tools",
    "go.etcd.io",
    "go.mongodb.org",
    "go.temporal.io",
    "go.elastic.co",
    "go.mozilla.org",
    "go.starlark.net",
    "go.yaml.in",
    "go4.org",
    "gocloud.dev",
    "gonum.org",
    "gorm.io",
    "gvisor.dev",
    "helm.sh",
    "istio.io",
    "knative.dev",
    "tags.cncf.io",
    "cuelang.org",
    "cel.dev",
    "modernc.org",
    "mvdan.cc",
    "rsc.io",
    "filippo.io",
    "dario.cat",
    "nhooyr.io",
    "tailscale.com",
    "golang.zx2c4.com",
    "storj.io",
    "lukechampine.com",
    "howett.net",
    "bazil.org",
    "code.gitea.io",
    "code.cloudfoundry.org",
    "oras.land",
    "sigstore.dev",
    "chainguard.dev",
];

/// Which rule of the privacy audit decided whether a module path looks private: a host
/// that is not a known public one does. The audit looks at the path only; it asks no
/// one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PrivacyRule {
    /// A public code host ([`PUBLIC_CODE_HOSTS`]): public.
    PublicCodeHost,
    /// A well-known public vanity domain ([`PUBLIC_VANITY_DOMAINS`]): public.
    PublicVanityDomain,
    /// An IP address of a private, loopback or link-local network: private.
    PrivateAddress,
    /// A name of an internal network (`.internal`, `.corp`, `.lan`, a `corp` label...):
    /// private.
    InternalName,
    /// A self-hosted forge (`git.`, `gitlab.`, `gitea.`... in front of a domain):
    /// private.
    SelfHostedForge,
    /// Any other host: not known to be public, so treated as private.
    UnknownHost,
}

impl PrivacyRule {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            PrivacyRule::PublicCodeHost => "public_code_host",
            PrivacyRule::PublicVanityDomain => "public_vanity_domain",
            PrivacyRule::PrivateAddress => "private_address",
            PrivacyRule::InternalName => "internal_name",
            PrivacyRule::SelfHostedForge => "self_hosted_forge",
            PrivacyRule::UnknownHost => "unknown_host",
        }
    }

    /// Whether a path this rule decided looks private.
    pub fn looks_private(self) -> bool {
        !matches!(
            self,
            PrivacyRule::PublicCodeHost | PrivacyRule::PublicVanityDomain
        )
    }

    /// Whether the path names a private network or forge outright (not merely an
    /// unknown host).
    pub fn clearly_private(self) -> bool {
        matches!(
            self,
            PrivacyRule::PrivateAddress | PrivacyRule::InternalName | PrivacyRule::SelfHostedForge
        )
    }
}

/// The rule that decides whether `path` looks private, from its host alone.
pub fn privacy_rule(path: &str) -> PrivacyRule {
    let host = path.split('/').next().unwrap_or("").to_ascii_lowercase();
    let host = host.trim_end_matches('.');
    if PUBLIC_CODE_HOSTS.contains(&host) {
        return PrivacyRule::PublicCodeHost;
    }
    if PUBLIC_VANITY_DOMAINS
        .iter()
        .any(|d| host == *d || host.strip_suffix(d).is_some_and(|sub| sub.ends_with('.')))
    {
        return PrivacyRule::PublicVanityDomain;
    }
    if let Ok(ip) = host.parse::<std::net::IpAddr>() {
        return if is_public_ip(&ip) {
            PrivacyRule::UnknownHost
        } else {
            PrivacyRule::PrivateAddress
        };
    }
    let labels: Vec<&str> = host.split('.').collect();
    let internal_tld = labels.last().is_some_and(|tld| {
        matches!(
            *tld,
            "internal" | "local" | "corp" | "lan" | "intranet" | "home" | "private" | "localdomain"
        )
    });
    let internal_label = labels.iter().any(|l| {
        matches!(
            *l,
            "corp" | "internal" | "intranet" | "intra" | "private" | "priv"
        )
    });
    if internal_tld || internal_label {
        return PrivacyRule::InternalName;
    }
    let forge = labels.len() > 2
        && matches!(
            labels[0],
            "git"
                | "gitlab"
                | "gitea"
                | "forgejo"
                | "bitbucket"
                | "scm"
                | "code"
                | "vcs"
                | "repo"
                | "repos"
                | "source"
        );
    if forge {
        return PrivacyRule::SelfHostedForge;
    }
    PrivacyRule::UnknownHost
}

fn is_public_ip(ip: &std::net::IpAddr) -> bool {
    match ip {
        std::net::IpAddr::V4(v4) => {
            !(v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.octets()[0] == 100 && (v4.octets()[1] & 0xc0) == 64)
        }
        std::net::IpAddr::V6(v6) => {
            !(v6.is_loopback()
                || v6.is_unspecified()
                || (v6.segments()[0] & 0xfe00) == 0xfc00
                || (v6.segments()[0] & 0xffc0) == 0xfe80)
        }
    }
}

/// The glob to suggest for GOPRIVATE/GONOSUMDB so that `path` is treated as private:
/// its host (which covers every module there), or host/owner on a public code host.
pub fn private_glob(path: &str) -> String {
    let mut elements = path.split('/');
    let host = elements.next().unwrap_or(path);
    match (PUBLIC_CODE_HOSTS.contains(&host), elements.next()) {
        (true, Some(owner)) => format!("{host}/{owner}"),
        _ => host.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn privacy_rules() {
        let rule = |p: &str| privacy_rule(p).as_str();
        assert_eq!(rule("golang.org/x/text"), "public_vanity_domain");
        assert_eq!(rule("sigs.k8s.io/yaml"), "public_vanity_domain");
        assert_eq!(rule("k8s.io/client-go"), "public_vanity_domain");
        assert_eq!(rule("gopkg.in/yaml.v3"), "public_vanity_domain");
        assert_eq!(rule("github.com/org/x"), "public_code_host");
        assert_eq!(rule("git.corp.example.com/team/x"), "internal_name");
        assert_eq!(rule("gitlab.example.com/team/x"), "self_hosted_forge");
        assert_eq!(rule("code.internal/x"), "internal_name");
        assert_eq!(rule("10.1.2.3/x"), "private_address");
        assert_eq!(rule("example.com/x"), "unknown_host");
        // A look-alike is not the public domain.
        assert_eq!(rule("notgolang.org/x"), "unknown_host");
        assert!(!privacy_rule("golang.org/x/text").looks_private());
        assert!(privacy_rule("example.com/x").looks_private());
        assert!(!privacy_rule("example.com/x").clearly_private());
        assert!(privacy_rule("10.1.2.3/x").clearly_private());
    }

    #[test]
    fn private_globs() {
        assert_eq!(
            private_glob("corp.example.com/team/lib"),
            "corp.example.com"
        );
        assert_eq!(private_glob("github.com/acme/secret/v2"), "github.com/acme");
        assert_eq!(private_glob("github.com"), "github.com");
        // The glob matches the path as Go matches GONOSUMDB.
        for path in ["corp.example.com/team/lib", "github.com/acme/secret/v2"] {
            assert!(match_prefix_patterns(&private_glob(path), path));
        }
    }

    #[test]
    fn go_path_match_semantics() {
        let cases: &[(&str, &str, Result<bool, BadPattern>)] = &[
            ("abc", "abc", Ok(true)),
            ("*", "abc", Ok(true)),
            ("*c", "abc", Ok(true)),
            ("a*", "a", Ok(true)),
            ("a*", "ab/c", Ok(false)),
            ("a*/b", "abc/b", Ok(true)),
            ("a*b*c*d*e*/f", "axbxcxdxe/f", Ok(true)),
            ("a*b*c*d*e*/f", "axbxcxdxexxx/fff", Ok(false)),
            ("a*b?c*x", "abxbbxdbxebxczzx", Ok(true)),
            ("ab[c]", "abc", Ok(true)),
            ("ab[b-d]", "abc", Ok(true)),
            ("ab[e-g]", "abc", Ok(false)),
            ("ab[^c]", "abc", Ok(false)),
            ("ab[^e-g]", "abc", Ok(true)),
            ("a\\*b", "a*b", Ok(true)),
            ("a\\*b", "ab", Ok(false)),
            ("a?b", "a☺b", Ok(true)),
            ("a[^a]b", "a☺b", Ok(true)),
            ("a???b", "a☺b", Ok(false)),
            ("a[^a][^a][^a]b", "a☺b", Ok(false)),
            ("[a-ζ]*", "α", Ok(true)),
            ("*[a-ζ]", "A", Ok(false)),
            ("a?b", "a/b", Ok(false)),
            ("a*b", "a/b", Ok(false)),
            ("[\\]a]", "]", Ok(true)),
            ("[\\-]", "-", Ok(true)),
            ("[x\\-]", "x", Ok(true)),
            ("[x\\-]", "z", Ok(false)),
            ("[\\-x]", "a", Ok(false)),
            ("[]a]", "]", Err(BadPattern)),
            ("[-]", "-", Err(BadPattern)),
            ("[x-]", "x", Err(BadPattern)),
            ("[-x]", "a", Err(BadPattern)),
            ("\\", "a", Err(BadPattern)),
            ("[a-b-c]", "a", Err(BadPattern)),
            ("[", "a", Err(BadPattern)),
            ("[^", "a", Err(BadPattern)),
            ("[^bc", "a", Err(BadPattern)),
            ("a[", "a", Err(BadPattern)),
            ("a[", "ab", Err(BadPattern)),
            ("a[", "x", Err(BadPattern)),
            ("a/b[", "x", Err(BadPattern)),
            ("*x", "xxx", Ok(true)),
            ("*?", "é", Ok(true)),
            ("*?x", "éx", Ok(true)),
            ("", "", Ok(true)),
            ("", "a", Ok(false)),
        ];
        for (pattern, name, want) in cases {
            assert_eq!(path_match(pattern, name), *want, "{pattern:?} {name:?}");
        }
    }

    #[test]
    fn reports_the_deciding_glob_as_written() {
        let globs = "*.corp.example.com,rsc.io/private/,[";
        assert_eq!(
            matching_pattern(globs, "rsc.io/private/x"),
            Some("rsc.io/private/")
        );
        assert_eq!(
            matching_pattern(globs, "a.corp.example.com/y"),
            Some("*.corp.example.com")
        );
        assert_eq!(matching_pattern(globs, "rsc.io/public"), None);
        assert_eq!(matching_pattern("", ""), None);
    }

    #[test]
    fn non_ascii_and_long_input() {
        assert!(match_prefix_patterns("exämple.com", "exämple.com/x"));
        assert!(match_prefix_patterns("ex?mple.com", "exämple.com/x"));
        assert!(!match_prefix_patterns("ex??mple.com", "exämple.com/x"));
        let long = "a/".repeat(20_000) + "b";
        assert!(match_prefix_patterns(&("*/".repeat(20_000) + "b"), &long));
        assert!(!match_prefix_patterns(&("*/".repeat(20_001) + "b"), &long));
        assert_eq!(path_match(&"*a".repeat(200), &"a".repeat(200)), Ok(true));
    }
}
