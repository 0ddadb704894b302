//! Module paths and versions as Go's `golang.org/x/mod/module` checks, escapes and builds
//! them, with error values whose `Display` is exactly Go's `err.Error()` text.

use std::fmt;

use crate::goquote::{quote, quote_rune};
use crate::semver;

/// Which of Go's path checkers rejected a path (the `Kind` of Go's `InvalidPathError`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathKind {
    /// [`check_path`]: module paths.
    Module,
    /// [`check_import_path`]: package import paths.
    Import,
    /// [`check_file_path`]: file names inside module zips.
    File,
}

impl PathKind {
    /// Whether `c` may appear in a path element (Go's `modPathOK`, `importPathOK`, `fileNameOK`).
    fn allows(self, c: char) -> bool {
        let module_ok = c.is_ascii_alphanumeric() || "-._~".contains(c);
        match self {
            PathKind::Module => module_ok,
            PathKind::Import => module_ok || c == '+',
            PathKind::File if c.is_ascii() => {
                c.is_ascii_alphanumeric() || "!#$%&()+,-.=@[]^_{}~ ".contains(c)
            }
            PathKind::File => char_class(c) == CharClass::Letter,
        }
    }
}

impl fmt::Display for PathKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PathKind::Module => "module",
            PathKind::Import => "import",
            PathKind::File => "file",
        })
    }
}

/// A path rejected by [`check_path`], [`check_import_path`] or [`check_file_path`] (Go's
/// `*module.InvalidPathError`); displays as `malformed <kind> path "<path>": <reason>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidPathError {
    kind: PathKind,
    path: String,
    reason: String,
}

impl InvalidPathError {
    /// Which checker rejected the path.
    pub fn kind(&self) -> PathKind {
        self.kind
    }

    /// The rejected path, unquoted.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The bare reason, e.g. `missing dot in first path element`.
    pub fn reason(&self) -> &str {
        &self.reason
    }
}

impl fmt::Display for InvalidPathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (kind, path, reason) = (self.kind, quote(&self.path), &self.reason);
        write!(f, "malformed {kind} path {path}: {reason}")
    }
}

impl std::error::Error for InvalidPathError {}

/// A version rejected on its own (Go's `*module.InvalidVersionError`); displays as
/// `version "<v>" invalid: <reason>` or `pseudo-version "<v>" invalid: <reason>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidVersionError {
    version: String,
    pseudo: bool,
    reason: String,
}

impl InvalidVersionError {
    fn new(version: &str, reason: impl Into<String>) -> Self {
        let (version, reason) = (version.to_owned(), reason.into());
        InvalidVersionError {
            version,
            pseudo: false,
            reason,
        }
    }

    fn pseudo(version: &str, reason: impl Into<String>) -> Self {
        InvalidVersionError {
            pseudo: true,
            ..Self::new(version, reason)
        }
    }

    /// The rejected version, unquoted.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// Whether the version was examined as a pseudo-version (Go's `Pseudo` field).
    pub fn is_pseudo(&self) -> bool {
        self.pseudo
    }

    /// The bare reason, e.g. `should be v0 or v1, not v2`.
    pub fn reason(&self) -> &str {
        &self.reason
    }

    fn noun(&self) -> &'static str {
        if self.pseudo {
            "pseudo-version"
        } else {
            "version"
        }
    }
}

impl fmt::Display for InvalidVersionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (noun, version) = (self.noun(), quote(&self.version));
        write!(f, "{noun} {version} invalid: {}", self.reason)
    }
}

impl std::error::Error for InvalidVersionError {}

/// The errors of [`check`], [`escape_version`], [`unescape_path`] and [`unescape_version`],
/// each displayed exactly as Go's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// A malformed module path, which Go's `Check` returns unwrapped.
    Path(InvalidPathError),
    /// `version "<v>" invalid: disallowed version string` from [`escape_version`].
    Version(InvalidVersionError),
    /// Go's `*module.ModuleError` around an `InvalidVersionError`:
    /// `<path>@<v>: invalid version: <reason>`.
    Module {
        path: String,
        source: InvalidVersionError,
    },
    /// `invalid escaped module path "<escaped>"`, followed by `: <path error>` when the escaped
    /// form decodes to a path that [`check_path`] rejects.
    InvalidEscapedPath {
        escaped: String,
        source: Option<InvalidPathError>,
    },
    /// `invalid escaped version "<escaped>"`: not a valid escaped form.
    InvalidEscapedVersion { escaped: String },
    /// `invalid escaped version "<version>": <reason>`: the escaped form decodes to `version`,
    /// which is not a valid file name (Go quotes the decoded form here).
    InvalidUnescapedVersion { version: String, reason: String },
    /// `internal error: inconsistency in EscapePath`: Go's `EscapeVersion` accepts non-ASCII
    /// letters in its file-name check but then refuses to case-encode them.
    EscapeInconsistency,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Path(err) => err.fmt(f),
            Error::Version(err) => err.fmt(f),
            Error::Module { path, source } => {
                let (version, noun, reason) = (&source.version, source.noun(), &source.reason);
                write!(f, "{path}@{version}: invalid {noun}: {reason}")
            }
            Error::InvalidEscapedPath { escaped, source } => {
                write!(f, "invalid escaped module path {}", quote(escaped))?;
                match source {
                    Some(err) => write!(f, ": {err}"),
                    None => Ok(()),
                }
            }
            Error::InvalidEscapedVersion { escaped } => {
                write!(f, "invalid escaped version {}", quote(escaped))
            }
            Error::InvalidUnescapedVersion { version, reason } => {
                write!(f, "invalid escaped version {}: {reason}", quote(version))
            }
            Error::EscapeInconsistency => {
                f.write_str("internal error: inconsistency in EscapePath")
            }
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Module { source, .. } => Some(source),
            Error::InvalidEscapedPath {
                source: Some(source),
                ..
            } => Some(source),
            _ => None,
        }
    }
}

impl From<InvalidPathError> for Error {
    fn from(err: InvalidPathError) -> Self {
        Error::Path(err)
    }
}

/// Checks a module path (Go's `module.CheckPath`): an import path whose first element is a
/// lower-case domain name with a dot, with no leading dots in elements and a well-formed
/// major-version suffix.
pub fn check_path(path: &str) -> Result<(), InvalidPathError> {
    with_path_kind(PathKind::Module, path, module_path_problem(path))
}

/// Checks a package import path (Go's `module.CheckImportPath`).
pub fn check_import_path(path: &str) -> Result<(), InvalidPathError> {
    with_path_kind(PathKind::Import, path, path_problem(path, PathKind::Import))
}

/// Checks a slash-separated file path inside a module zip (Go's `module.CheckFilePath`).
pub fn check_file_path(path: &str) -> Result<(), InvalidPathError> {
    with_path_kind(PathKind::File, path, path_problem(path, PathKind::File))
}

fn with_path_kind(
    kind: PathKind,
    path: &str,
    problem: Result<(), String>,
) -> Result<(), InvalidPathError> {
    problem.map_err(|reason| InvalidPathError {
        kind,
        path: path.to_owned(),
        reason,
    })
}

fn module_path_problem(path: &str) -> Result<(), String> {
    path_problem(path, PathKind::Module)?;
    // Go also tests for a leading slash and a leading dash here, but path_problem has already
    // rejected both, so those reasons never appear for module paths.
    let first = path.split('/').next().unwrap_or_default();
    if !first.contains('.') {
        return Err("missing dot in first path element".into());
    }
    if let Some(c) = first
        .chars()
        .find(|&c| !matches!(c, '-' | '.' | '0'..='9' | 'a'..='z'))
    {
        return Err(format!(
            "invalid char {} in first path element",
            quote_rune(c)
        ));
    }
    if split_path_version(path).is_none() {
        return Err("invalid version".into());
    }
    Ok(())
}

/// The checks all three path kinds share (Go's `checkPath`). A `&str` is always valid UTF-8,
/// so Go's `invalid UTF-8` reason cannot arise.
fn path_problem(path: &str, kind: PathKind) -> Result<(), String> {
    if path.is_empty() {
        return Err("empty string".into());
    }
    if path.starts_with('-') && kind != PathKind::File {
        return Err("leading dash".into());
    }
    if path.contains("//") {
        return Err("double slash".into());
    }
    if path.ends_with('/') {
        return Err("trailing slash".into());
    }
    path.split('/')
        .try_for_each(|elem| element_problem(elem, kind))
}

/// Checks one path element (Go's `checkElem`).
fn element_problem(elem: &str, kind: PathKind) -> Result<(), String> {
    if elem.is_empty() {
        return Err("empty path element".into());
    }
    if elem.bytes().all(|b| b == b'.') {
        return Err(format!("invalid path element {}", quote(elem)));
    }
    if elem.starts_with('.') && kind == PathKind::Module {
        return Err("leading dot in path element".into());
    }
    if elem.ends_with('.') {
        return Err("trailing dot in path element".into());
    }
    if let Some(c) = elem.chars().find(|&c| !kind.allows(c)) {
        return Err(format!("invalid char {}", quote_rune(c)));
    }
    let short = elem.split('.').next().unwrap_or_default();
    // Go compares with Unicode case folding, but no non-ASCII character folds to a letter of
    // these names, so ASCII folding gives the same answer.
    if WINDOWS_RESERVED_NAMES
        .iter()
        .any(|name| name.eq_ignore_ascii_case(short))
    {
        return Err(format!(
            "{} disallowed as path element component on Windows",
            quote(short)
        ));
    }
    if kind != PathKind::File
        && let Some((_, digits)) = short.rsplit_once('~')
        && !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
    {
        return Err("trailing tilde and digits in path element".into());
    }
    Ok(())
}

/// Element names (before any dot) that Windows reserves for devices.
const WINDOWS_RESERVED_NAMES: [&str; 22] = [
    "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8",
    "COM9", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
];

/// Splits a module path into prefix and major-version suffix (`"/vN"` with N ≥ 2, or
/// `".vN"`/`".vN-unstable"` for `gopkg.in/`), suffix `""` when there is none; `None` when the
/// last element is a malformed suffix such as `/v1`, `/v0`, `/v02`, `/v2.0` (Go's
/// `module.SplitPathVersion` returning `ok == false`).
pub fn split_path_version(path: &str) -> Option<(&str, &str)> {
    if path.starts_with("gopkg.in/") {
        return split_gopkg_in(path);
    }
    let suffix_start = path
        .trim_end_matches(|c: char| c.is_ascii_digit() || c == '.')
        .len();
    let (head, number) = path.split_at(suffix_start);
    if number.is_empty() || !head.ends_with("/v") {
        return Some((path, ""));
    }
    let (prefix, major) = path.split_at(suffix_start - 2);
    if number.contains('.') || number.starts_with('0') || major == "/v1" {
        return None;
    }
    Some((prefix, major))
}

fn split_gopkg_in(path: &str) -> Option<(&str, &str)> {
    let without_unstable = path.strip_suffix("-unstable").unwrap_or(path);
    let digits_start = without_unstable
        .trim_end_matches(|c: char| c.is_ascii_digit())
        .len();
    if !without_unstable[..digits_start].ends_with(".v") {
        return None;
    }
    let (prefix, major) = path.split_at(digits_start - 2);
    let after_v = &major[2..];
    if after_v.is_empty() || (after_v.starts_with('0') && major != ".v0") {
        return None;
    }
    Some((prefix, major))
}

/// Checks that `version` suits a path whose major-version suffix is `path_major` (as split by
/// [`split_path_version`]; Go's `module.CheckPathMajor`).
pub fn check_path_major(version: &str, path_major: &str) -> Result<(), InvalidVersionError> {
    let path_major = match path_major.strip_suffix("-unstable") {
        Some(trimmed) if path_major.starts_with(".v") => trimmed,
        _ => path_major,
    };
    // Old go commands made v0.0.0 pseudo-versions for gopkg.in .v1 paths; Go still accepts them.
    if version.starts_with("v0.0.0-") && path_major == ".v1" {
        return Ok(());
    }
    let major = semver::major(version);
    let wanted = if path_major.is_empty() {
        if major == "v0" || major == "v1" || semver::build(version) == "+incompatible" {
            return Ok(());
        }
        "v0 or v1"
    } else if let Some(wanted) = path_major.strip_prefix(['/', '.']) {
        if major == wanted {
            return Ok(());
        }
        wanted
    } else {
        path_major
    };
    Err(InvalidVersionError::new(
        version,
        format!("should be {wanted}, not {major}"),
    ))
}

/// Reports whether [`check_path_major`] accepts the pair (Go's `module.MatchPathMajor`).
pub fn match_path_major(version: &str, path_major: &str) -> bool {
    check_path_major(version, path_major).is_ok()
}

/// Checks a module path and version together: a valid path, a semantic version, and a major
/// version that fits the path (Go's `module.Check`).
pub fn check(path: &str, version: &str) -> Result<(), Error> {
    check_path(path)?;
    let module_error = |source| Error::Module {
        path: path.to_owned(),
        source,
    };
    if !semver::is_valid(version) {
        return Err(module_error(InvalidVersionError::new(
            version,
            "not a semantic version",
        )));
    }
    let path_major = split_path_version(path).map_or("", |(_, major)| major);
    check_path_major(version, path_major).map_err(module_error)
}

/// [`semver::canonical`], but keeping a `+incompatible` suffix (Go's `module.CanonicalVersion`).
pub fn canonical_version(version: &str) -> String {
    let canonical = semver::canonical(version);
    match semver::build(version) {
        "+incompatible" => canonical + "+incompatible",
        _ => canonical,
    }
}

/// The case-encoded form of a module path used in proxy URLs and the module cache: each
/// upper-case letter becomes `!` and its lower-case form (Go's `module.EscapePath`).
pub fn escape_path(path: &str) -> Result<String, InvalidPathError> {
    check_path(path)?;
    Ok(case_encode(path))
}

/// The case-encoded form of a version; the version must be a valid file-name element without
/// `!` (Go's `module.EscapeVersion`).
pub fn escape_version(version: &str) -> Result<String, Error> {
    if element_problem(version, PathKind::File).is_err() || version.contains('!') {
        let err = InvalidVersionError::new(version, "disallowed version string");
        return Err(Error::Version(err));
    }
    if !version.is_ascii() {
        return Err(Error::EscapeInconsistency);
    }
    Ok(case_encode(version))
}

fn case_encode(s: &str) -> String {
    let mut encoded = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii_uppercase() {
            encoded.push('!');
            encoded.push(c.to_ascii_lowercase());
        } else {
            encoded.push(c);
        }
    }
    encoded
}

/// Decodes a case-encoded module path and checks the result (Go's `module.UnescapePath`).
pub fn unescape_path(escaped: &str) -> Result<String, Error> {
    let invalid = |source| Error::InvalidEscapedPath {
        escaped: escaped.to_owned(),
        source,
    };
    let path = case_decode(escaped).ok_or_else(|| invalid(None))?;
    check_path(&path).map_err(|err| invalid(Some(err)))?;
    Ok(path)
}

/// Decodes a case-encoded version and checks that it is a valid file-name element (Go's
/// `module.UnescapeVersion`).
pub fn unescape_version(escaped: &str) -> Result<String, Error> {
    let version = case_decode(escaped).ok_or_else(|| Error::InvalidEscapedVersion {
        escaped: escaped.to_owned(),
    })?;
    match element_problem(&version, PathKind::File) {
        Ok(()) => Ok(version),
        Err(reason) => Err(Error::InvalidUnescapedVersion { version, reason }),
    }
}

/// Reverses [`case_encode`]; `None` for upper case, non-ASCII, or a `!` not followed by a
/// lower-case letter.
fn case_decode(escaped: &str) -> Option<String> {
    let mut decoded = String::with_capacity(escaped.len());
    let mut chars = escaped.chars();
    while let Some(c) = chars.next() {
        match c {
            '!' => match chars.next() {
                Some(lower) if lower.is_ascii_lowercase() => {
                    decoded.push(lower.to_ascii_uppercase());
                }
                _ => return None,
            },
            c if c.is_ascii_uppercase() || !c.is_ascii() => return None,
            c => decoded.push(c),
        }
    }
    Some(decoded)
}

/// The parts of a pseudo-version `<base>[-.]<timestamp>-<rev><build>`.
struct PseudoParts<'a> {
    /// `vX.0.0`, `vX.Y.Z-0` or `vX.Y.Z-pre.0`.
    base: &'a str,
    timestamp: &'a str,
    rev: &'a str,
    build: &'a str,
}

/// Recognises the three pseudo-version shapes `vX.0.0-yyyymmddhhmmss-rev`,
/// `vX.Y.Z-0.yyyymmddhhmmss-rev` and `vX.Y.Z-pre.0.yyyymmddhhmmss-rev`, each optionally
/// followed by `+build` (what Go's `pseudoVersionRE` and `parsePseudoVersion` accept).
fn pseudo_parts(v: &str) -> Option<PseudoParts<'_>> {
    if !semver::is_valid(v) {
        return None;
    }
    let build = semver::build(v);
    let prerelease = semver::prerelease(v);
    let release_len = v.len() - build.len() - prerelease.len();
    let (head, rev) = prerelease.rsplit_once('-')?;
    if rev.is_empty() || !rev.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return None;
    }
    let (before_time, timestamp) = head.split_at_checked(head.len().checked_sub(14)?)?;
    if !timestamp.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let base_len = if before_time == "-" && v[..release_len].ends_with(".0.0") {
        release_len
    } else if before_time == "-0." || before_time.ends_with(".0.") {
        release_len + before_time.len() - 1
    } else {
        return None;
    };
    Some(PseudoParts {
        base: &v[..base_len],
        timestamp,
        rev,
        build,
    })
}

fn parse_pseudo(v: &str) -> Result<PseudoParts<'_>, InvalidVersionError> {
    pseudo_parts(v).ok_or_else(|| InvalidVersionError::pseudo(v, "syntax error"))
}

/// Reports whether `v` is a pseudo-version (Go's `module.IsPseudoVersion`).
pub fn is_pseudo_version(v: &str) -> bool {
    pseudo_parts(v).is_some()
}

/// Reports whether `v` is the placeholder `vX.0.0-00010101000000-000000000000` for its own
/// major version (Go's `module.IsZeroPseudoVersion`).
pub fn is_zero_pseudo_version(v: &str) -> bool {
    pseudo_version(semver::major(v), "", "00010101000000", "000000000000")
        .is_some_and(|zero| zero == v)
}

/// The version a pseudo-version builds on, `""` for the `vX.0.0-…` shape; keeps `+build`
/// (Go's `module.PseudoVersionBase`).
pub fn pseudo_version_base(v: &str) -> Result<String, InvalidVersionError> {
    let PseudoParts { base, build, .. } = parse_pseudo(v)?;
    match semver::prerelease(base) {
        "" if build.is_empty() => Ok(String::new()),
        "" => Err(InvalidVersionError::pseudo(
            v,
            format!(
                "lacks base version, but has build metadata {}",
                quote(build)
            ),
        )),
        "-0" => {
            let release = base.strip_suffix("-0").unwrap_or(base);
            let (head, patch) = split_patch(release);
            match decrement_decimal(patch) {
                Some(patch) => Ok(format!("{head}{patch}{build}")),
                None => Err(InvalidVersionError::pseudo(
                    v,
                    format!("version before {release} would have negative patch number"),
                )),
            }
        }
        _ => Ok(format!(
            "{}{build}",
            base.strip_suffix(".0").unwrap_or(base)
        )),
    }
}

/// The commit time of a pseudo-version as Go formats it in RFC 3339, e.g.
/// `"2019-11-09T02:19:31Z"` (Go's `module.PseudoVersionTime`).
pub fn pseudo_version_time(v: &str) -> Result<String, InvalidVersionError> {
    let PseudoParts { timestamp, .. } = parse_pseudo(v)?;
    UtcTime::from_timestamp(timestamp)
        .map(|time| time.rfc3339())
        .ok_or_else(|| {
            InvalidVersionError::pseudo(v, format!("malformed time {}", quote(timestamp)))
        })
}

/// The revision identifier of a pseudo-version (Go's `module.PseudoVersionRev`).
pub fn pseudo_version_rev(v: &str) -> Result<String, InvalidVersionError> {
    parse_pseudo(v).map(|parts| parts.rev.to_owned())
}

/// Builds a pseudo-version from a major version (`""` means `v0`), the latest older tag
/// (`""` if none), the commit time and the revision (Go's `module.PseudoVersion`).
///
/// `time` is either the 14-digit UTC `yyyymmddhhmmss` timestamp or an RFC 3339 time
/// `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±hh:mm)`, which is converted to UTC and truncated to the
/// second as Go does. `None` if `time` is neither or is not a real date and time; the sloppier
/// forms Go's `time.Parse` also tolerates (one-digit hour, `,` before the fraction, offsets
/// beyond 23:59) are refused.
pub fn pseudo_version(major: &str, older: &str, time: &str, rev: &str) -> Option<String> {
    let time = UtcTime::from_timestamp(time).or_else(|| UtcTime::from_rfc3339(time))?;
    let major = if major.is_empty() { "v0" } else { major };
    let segment = format!("{}-{rev}", time.timestamp());
    let build = semver::build(older);
    let older = semver::canonical(older);
    Some(if older.is_empty() {
        format!("{major}.0.0-{segment}")
    } else if !semver::prerelease(&older).is_empty() {
        format!("{older}.0.{segment}{build}")
    } else {
        let (head, patch) = split_patch(&older);
        format!("{head}{}-0.{segment}{build}", increment_decimal(patch))
    })
}

/// Splits `vX.Y.Z` into `vX.Y.` and `Z`.
fn split_patch(release: &str) -> (&str, &str) {
    release.split_at(release.trim_end_matches(|c: char| c.is_ascii_digit()).len())
}

/// `n + 1` for a decimal string (Go's `incDecimal`).
fn increment_decimal(n: &str) -> String {
    let before_nines = n.trim_end_matches('9');
    let mut chars = before_nines.chars();
    let raised = chars
        .next_back()
        .and_then(|c| char::from_digit(c.to_digit(10)? + 1, 10));
    let zeros = "0".repeat(n.len() - before_nines.len());
    format!("{}{}{zeros}", chars.as_str(), raised.unwrap_or('1'))
}

/// `n - 1` for a decimal string without leading zeros; `None` for zero (Go's `decDecimal`).
fn decrement_decimal(n: &str) -> Option<String> {
    let before_zeros = n.trim_end_matches('0');
    let mut chars = before_zeros.chars();
    let lowered = chars
        .next_back()
        .and_then(|c| char::from_digit(c.to_digit(10)?.checked_sub(1)?, 10))?;
    let head = chars.as_str();
    let nines = "9".repeat(n.len() - before_zeros.len());
    // "10" becomes "9", not "09".
    if head.is_empty() && lowered == '0' && !nines.is_empty() {
        return Some(nines);
    }
    Some(format!("{head}{lowered}{nines}"))
}

/// A UTC time to the second, the precision of a pseudo-version timestamp.
struct UtcTime {
    year: i32,
    month: i32,
    day: i32,
    hour: i32,
    minute: i32,
    second: i32,
}

impl UtcTime {
    /// Validates the fields as Go's `time.Parse` does (no leap seconds, no February 30th).
    fn new(year: i32, month: i32, day: i32, hour: i32, minute: i32, second: i32) -> Option<Self> {
        let valid = (1..=12).contains(&month)
            && (1..=days_in_month(year, month)).contains(&day)
            && (0..24).contains(&hour)
            && (0..60).contains(&minute)
            && (0..60).contains(&second);
        valid.then_some(UtcTime {
            year,
            month,
            day,
            hour,
            minute,
            second,
        })
    }

    /// Reads the pseudo-version timestamp layout `yyyymmddhhmmss` (Go's `"20060102150405"`).
    fn from_timestamp(ts: &str) -> Option<Self> {
        if ts.len() != 14 {
            return None;
        }
        let field = |start, len| decimal_field(ts, start, len);
        Self::new(
            field(0, 4)?,
            field(4, 2)?,
            field(6, 2)?,
            field(8, 2)?,
            field(10, 2)?,
            field(12, 2)?,
        )
    }

    /// Reads RFC 3339 as Go's `time.Parse(time.RFC3339, …)` does in its strict form and converts
    /// it to UTC.
    fn from_rfc3339(s: &str) -> Option<Self> {
        let separators = [(4, "-"), (7, "-"), (10, "T"), (13, ":"), (16, ":")];
        if !separators
            .iter()
            .all(|&(at, sep)| s.get(at..at + 1) == Some(sep))
        {
            return None;
        }
        let field = |start, len| decimal_field(s, start, len);
        let local = Self::new(
            field(0, 4)?,
            field(5, 2)?,
            field(8, 2)?,
            field(11, 2)?,
            field(14, 2)?,
            field(17, 2)?,
        )?;
        let mut zone = s.get(19..)?;
        if let Some(fraction) = zone.strip_prefix('.')
            && fraction.starts_with(|c: char| c.is_ascii_digit())
        {
            zone = fraction.trim_start_matches(|c: char| c.is_ascii_digit());
        }
        let offset_minutes = match zone.as_bytes() {
            b"Z" => 0,
            [sign @ (b'+' | b'-'), _, _, b':', _, _] => {
                let (hours, minutes) = (decimal_field(zone, 1, 2)?, decimal_field(zone, 4, 2)?);
                if hours > 23 || minutes > 59 {
                    return None;
                }
                let offset = hours * 60 + minutes;
                if *sign == b'-' { -offset } else { offset }
            }
            _ => return None,
        };
        Some(local.minus_minutes(offset_minutes))
    }

    /// Moves the time back by less than a day in either direction.
    fn minus_minutes(mut self, minutes: i32) -> Self {
        let minute_of_day = self.hour * 60 + self.minute - minutes;
        self.hour = minute_of_day.rem_euclid(24 * 60) / 60;
        self.minute = minute_of_day.rem_euclid(60);
        match minute_of_day.div_euclid(24 * 60) {
            1 if self.day == days_in_month(self.year, self.month) => {
                self.day = 1;
                (self.year, self.month) = if self.month == 12 {
                    (self.year + 1, 1)
                } else {
                    (self.year, self.month + 1)
                };
            }
            1 => self.day += 1,
            -1 if self.day == 1 => {
                (self.year, self.month) = if self.month == 1 {
                    (self.year - 1, 12)
                } else {
                    (self.year, self.month - 1)
                };
                self.day = days_in_month(self.year, self.month);
            }
            -1 => self.day -= 1,
            _ => {}
        }
        self
    }

    /// Go's `Format("20060102150405")`.
    fn timestamp(&self) -> String {
        let UtcTime {
            month,
            day,
            hour,
            minute,
            second,
            ..
        } = self;
        format!(
            "{}{month:02}{day:02}{hour:02}{minute:02}{second:02}",
            go_year(self.year)
        )
    }

    /// Go's `Format(time.RFC3339)` of a UTC time.
    fn rfc3339(&self) -> String {
        let UtcTime {
            month,
            day,
            hour,
            minute,
            second,
            ..
        } = self;
        format!(
            "{}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}Z",
            go_year(self.year)
        )
    }
}

/// The unsigned decimal number in `s[start..start + len]`, if that is all ASCII digits.
fn decimal_field(s: &str, start: usize, len: usize) -> Option<i32> {
    let field = s.get(start..start + len)?;
    field
        .bytes()
        .all(|b| b.is_ascii_digit())
        .then(|| field.parse().ok())?
}

/// A year as Go's `2006` layout prints it: at least four digits, sign in front.
fn go_year(year: i32) -> String {
    if year < 0 {
        format!("-{:04}", year.unsigned_abs())
    } else {
        format!("{year:04}")
    }
}

fn days_in_month(year: i32, month: i32) -> i32 {
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// How Go 1.27 classifies a character: `strconv.IsPrint` and `unicode.IsLetter`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CharClass {
    Unprintable,
    Printable,
    Letter,
}

fn char_class(c: char) -> CharClass {
    let runs_started = UNICODE_RUNS.partition_point(|&run| run >> 2 <= u32::from(c));
    match runs_started
        .checked_sub(1)
        .and_then(|i| UNICODE_RUNS.get(i))
        .map(|run| run & 3)
    {
        Some(2) => CharClass::Letter,
        Some(1) => CharClass::Printable,
        _ => CharClass::Unprintable,
    }
}

/// Go 1.27's character classes (Unicode 17.0.0) as runs of code points: each entry is the
/// run's first code point shifted left by two, plus 0 (not printable), 1 (printable, not a
/// letter) or 2 (letter). Generated by running Go's `strconv.IsPrint` and `unicode.IsLetter`
/// over every code point.
const UNICODE_RUNS: [u32; 2039] = [
    0x0, 0x81, 0x106, 0x16d, 0x186, 0x1ed, 0x1fc, 0x285, 0x2aa, 0x2ad, 0x2b4, 0x2b9, 0x2d6, 0x2d9,
    0x2ea, 0x2ed, 0x302, 0x35d, 0x362, 0x3dd, 0x3e2, 0xb09, 0xb1a, 0xb49, 0xb82, 0xb95, 0xbb2,
    0xbb5, 0xbba, 0xbbd, 0xdc2, 0xdd5, 0xdda, 0xde0, 0xdea, 0xdf9, 0xdfe, 0xe00, 0xe11, 0xe1a,
    0xe1d, 0xe22, 0xe2c, 0xe32, 0xe34, 0xe3a, 0xe88, 0xe8e, 0xfd9, 0xfde, 0x1209, 0x122a, 0x14c0,
    0x14c6, 0x155c, 0x1566, 0x1569, 0x1582, 0x1625, 0x162c, 0x1635, 0x1640, 0x1645, 0x1720, 0x1742,
    0x17ac, 0x17be, 0x17cd, 0x17d4, 0x1819, 0x1870, 0x1875, 0x1882, 0x192d, 0x19ba, 0x19c1, 0x19c6,
    0x1b51, 0x1b56, 0x1b59, 0x1b74, 0x1b79, 0x1b96, 0x1b9d, 0x1bba, 0x1bc1, 0x1bea, 0x1bf5, 0x1bfe,
    0x1c01, 0x1c38, 0x1c42, 0x1c45, 0x1c4a, 0x1cc1, 0x1d2c, 0x1d36, 0x1e99, 0x1ec6, 0x1ec8, 0x1f01,
    0x1f2a, 0x1fad, 0x1fd2, 0x1fd9, 0x1fea, 0x1fec, 0x1ff5, 0x2002, 0x2059, 0x206a, 0x206d, 0x2092,
    0x2095, 0x20a2, 0x20a5, 0x20b8, 0x20c1, 0x20fc, 0x2102, 0x2165, 0x2170, 0x2179, 0x217c, 0x2182,
    0x21ac, 0x21c2, 0x2221, 0x2226, 0x2240, 0x225d, 0x2282, 0x2329, 0x2388, 0x238d, 0x2412, 0x24e9,
    0x24f6, 0x24f9, 0x2542, 0x2545, 0x2562, 0x2589, 0x25c6, 0x2605, 0x2610, 0x2616, 0x2634, 0x263e,
    0x2644, 0x264e, 0x26a4, 0x26aa, 0x26c4, 0x26ca, 0x26cc, 0x26da, 0x26e8, 0x26f1, 0x26f6, 0x26f9,
    0x2714, 0x271d, 0x2724, 0x272d, 0x273a, 0x273c, 0x275d, 0x2760, 0x2772, 0x2778, 0x277e, 0x2789,
    0x2790, 0x2799, 0x27c2, 0x27c9, 0x27f2, 0x27f5, 0x27fc, 0x2805, 0x2810, 0x2816, 0x282c, 0x283e,
    0x2844, 0x284e, 0x28a4, 0x28aa, 0x28c4, 0x28ca, 0x28d0, 0x28d6, 0x28dc, 0x28e2, 0x28e8, 0x28f1,
    0x28f4, 0x28f9, 0x290c, 0x291d, 0x2924, 0x292d, 0x2938, 0x2945, 0x2948, 0x2966, 0x2974, 0x297a,
    0x297c, 0x2999, 0x29ca, 0x29d5, 0x29dc, 0x2a05, 0x2a10, 0x2a16, 0x2a38, 0x2a3e, 0x2a48, 0x2a4e,
    0x2aa4, 0x2aaa, 0x2ac4, 0x2aca, 0x2ad0, 0x2ad6, 0x2ae8, 0x2af1, 0x2af6, 0x2af9, 0x2b18, 0x2b1d,
    0x2b28, 0x2b2d, 0x2b38, 0x2b42, 0x2b44, 0x2b82, 0x2b89, 0x2b90, 0x2b99, 0x2bc8, 0x2be6, 0x2be9,
    0x2c00, 0x2c05, 0x2c10, 0x2c16, 0x2c34, 0x2c3e, 0x2c44, 0x2c4e, 0x2ca4, 0x2caa, 0x2cc4, 0x2cca,
    0x2cd0, 0x2cd6, 0x2ce8, 0x2cf1, 0x2cf6, 0x2cf9, 0x2d14, 0x2d1d, 0x2d24, 0x2d2d, 0x2d38, 0x2d55,
    0x2d60, 0x2d72, 0x2d78, 0x2d7e, 0x2d89, 0x2d90, 0x2d99, 0x2dc6, 0x2dc9, 0x2de0, 0x2e09, 0x2e0e,
    0x2e10, 0x2e16, 0x2e2c, 0x2e3a, 0x2e44, 0x2e4a, 0x2e58, 0x2e66, 0x2e6c, 0x2e72, 0x2e74, 0x2e7a,
    0x2e80, 0x2e8e, 0x2e94, 0x2ea2, 0x2eac, 0x2eba, 0x2ee8, 0x2ef9, 0x2f0c, 0x2f19, 0x2f24, 0x2f29,
    0x2f38, 0x2f42, 0x2f44, 0x2f5d, 0x2f60, 0x2f99, 0x2fec, 0x3001, 0x3016, 0x3034, 0x303a, 0x3044,
    0x304a, 0x30a4, 0x30aa, 0x30e8, 0x30f1, 0x30f6, 0x30f9, 0x3114, 0x3119, 0x3124, 0x3129, 0x3138,
    0x3155, 0x315c, 0x3162, 0x316c, 0x3172, 0x3178, 0x3182, 0x3189, 0x3190, 0x3199, 0x31c0, 0x31dd,
    0x3202, 0x3205, 0x3216, 0x3234, 0x323a, 0x3244, 0x324a, 0x32a4, 0x32aa, 0x32d0, 0x32d6, 0x32e8,
    0x32f1, 0x32f6, 0x32f9, 0x3314, 0x3319, 0x3324, 0x3329, 0x3338, 0x3355, 0x335c, 0x3372, 0x337c,
    0x3382, 0x3389, 0x3390, 0x3399, 0x33c0, 0x33c6, 0x33cd, 0x33d0, 0x3401, 0x3412, 0x3434, 0x343a,
    0x3444, 0x344a, 0x34ed, 0x34f6, 0x34f9, 0x3514, 0x3519, 0x3524, 0x3529, 0x353a, 0x353d, 0x3540,
    0x3552, 0x355d, 0x357e, 0x3589, 0x3590, 0x3599, 0x35ea, 0x3600, 0x3605, 0x3610, 0x3616, 0x365c,
    0x366a, 0x36c8, 0x36ce, 0x36f0, 0x36f6, 0x36f8, 0x3702, 0x371c, 0x3729, 0x372c, 0x373d, 0x3754,
    0x3759, 0x375c, 0x3761, 0x3780, 0x3799, 0x37c0, 0x37c9, 0x37d4, 0x3806, 0x38c5, 0x38ca, 0x38d1,
    0x38ec, 0x38fd, 0x3902, 0x391d, 0x3970, 0x3a06, 0x3a0c, 0x3a12, 0x3a14, 0x3a1a, 0x3a2c, 0x3a32,
    0x3a90, 0x3a96, 0x3a98, 0x3a9e, 0x3ac5, 0x3aca, 0x3ad1, 0x3af6, 0x3af8, 0x3b02, 0x3b14, 0x3b1a,
    0x3b1c, 0x3b21, 0x3b3c, 0x3b41, 0x3b68, 0x3b72, 0x3b80, 0x3c02, 0x3c05, 0x3d02, 0x3d20, 0x3d26,
    0x3db4, 0x3dc5, 0x3e22, 0x3e35, 0x3e60, 0x3e65, 0x3ef4, 0x3ef9, 0x3f34, 0x3f39, 0x3f6c, 0x4002,
    0x40ad, 0x40fe, 0x4101, 0x4142, 0x4159, 0x416a, 0x4179, 0x4186, 0x4189, 0x4196, 0x419d, 0x41ba,
    0x41c5, 0x41d6, 0x4209, 0x423a, 0x423d, 0x4282, 0x4318, 0x431e, 0x4320, 0x4336, 0x4338, 0x4342,
    0x43ed, 0x43f2, 0x4924, 0x492a, 0x4938, 0x4942, 0x495c, 0x4962, 0x4964, 0x496a, 0x4978, 0x4982,
    0x4a24, 0x4a2a, 0x4a38, 0x4a42, 0x4ac4, 0x4aca, 0x4ad8, 0x4ae2, 0x4afc, 0x4b02, 0x4b04, 0x4b0a,
    0x4b18, 0x4b22, 0x4b5c, 0x4b62, 0x4c44, 0x4c4a, 0x4c58, 0x4c62, 0x4d6c, 0x4d75, 0x4df4, 0x4e02,
    0x4e41, 0x4e68, 0x4e82, 0x4fd8, 0x4fe2, 0x4ff8, 0x5001, 0x5006, 0x59b5, 0x59be, 0x5a00, 0x5a06,
    0x5a6d, 0x5a74, 0x5a82, 0x5bad, 0x5bc6, 0x5be4, 0x5c02, 0x5c49, 0x5c58, 0x5c7e, 0x5cc9, 0x5cdc,
    0x5d02, 0x5d49, 0x5d50, 0x5d82, 0x5db4, 0x5dba, 0x5dc4, 0x5dc9, 0x5dd0, 0x5e02, 0x5ed1, 0x5f5e,
    0x5f61, 0x5f72, 0x5f75, 0x5f78, 0x5f81, 0x5fa8, 0x5fc1, 0x5fe8, 0x6001, 0x6038, 0x603d, 0x6068,
    0x6082, 0x61e4, 0x6202, 0x6215, 0x621e, 0x62a5, 0x62aa, 0x62ac, 0x62c2, 0x63d8, 0x6402, 0x647c,
    0x6481, 0x64b0, 0x64c1, 0x64f0, 0x6501, 0x6504, 0x6511, 0x6542, 0x65b8, 0x65c2, 0x65d4, 0x6602,
    0x66b0, 0x66c2, 0x6728, 0x6741, 0x676c, 0x6779, 0x6802, 0x685d, 0x6870, 0x6879, 0x6882, 0x6955,
    0x697c, 0x6981, 0x69f4, 0x69fd, 0x6a28, 0x6a41, 0x6a68, 0x6a81, 0x6a9e, 0x6aa1, 0x6ab8, 0x6ac1,
    0x6b78, 0x6b81, 0x6bb0, 0x6c01, 0x6c16, 0x6cd1, 0x6d16, 0x6d34, 0x6d39, 0x6e0e, 0x6e85, 0x6eba,
    0x6ec1, 0x6eea, 0x6f99, 0x6fd0, 0x6ff1, 0x7002, 0x7091, 0x70e0, 0x70ed, 0x7128, 0x7136, 0x7141,
    0x716a, 0x71f9, 0x7202, 0x722c, 0x7242, 0x72ec, 0x72f6, 0x7301, 0x7320, 0x7341, 0x73a6, 0x73b5,
    0x73ba, 0x73d1, 0x73d6, 0x73dd, 0x73ea, 0x73ec, 0x7402, 0x7701, 0x7802, 0x7c58, 0x7c62, 0x7c78,
    0x7c82, 0x7d18, 0x7d22, 0x7d38, 0x7d42, 0x7d60, 0x7d66, 0x7d68, 0x7d6e, 0x7d70, 0x7d76, 0x7d78,
    0x7d7e, 0x7df8, 0x7e02, 0x7ed4, 0x7eda, 0x7ef5, 0x7efa, 0x7efd, 0x7f0a, 0x7f14, 0x7f1a, 0x7f35,
    0x7f42, 0x7f50, 0x7f5a, 0x7f70, 0x7f75, 0x7f82, 0x7fb5, 0x7fc0, 0x7fca, 0x7fd4, 0x7fda, 0x7ff5,
    0x7ffc, 0x8041, 0x80a0, 0x80c1, 0x817c, 0x81c1, 0x81c6, 0x81c8, 0x81d1, 0x81fe, 0x8201, 0x823c,
    0x8242, 0x8274, 0x8281, 0x8308, 0x8341, 0x83c4, 0x8401, 0x840a, 0x840d, 0x841e, 0x8421, 0x842a,
    0x8451, 0x8456, 0x8459, 0x8466, 0x8479, 0x8492, 0x8495, 0x849a, 0x849d, 0x84a2, 0x84a5, 0x84aa,
    0x84b9, 0x84be, 0x84e9, 0x84f2, 0x8501, 0x8516, 0x8529, 0x853a, 0x853d, 0x860e, 0x8615, 0x8630,
    0x8641, 0x90a8, 0x9101, 0x912c, 0x9181, 0xadd0, 0xadd9, 0xb002, 0xb395, 0xb3ae, 0xb3bd, 0xb3ca,
    0xb3d0, 0xb3e5, 0xb402, 0xb498, 0xb49e, 0xb4a0, 0xb4b6, 0xb4b8, 0xb4c2, 0xb5a0, 0xb5be, 0xb5c1,
    0xb5c4, 0xb5fd, 0xb602, 0xb65c, 0xb682, 0xb69c, 0xb6a2, 0xb6bc, 0xb6c2, 0xb6dc, 0xb6e2, 0xb6fc,
    0xb702, 0xb71c, 0xb722, 0xb73c, 0xb742, 0xb75c, 0xb762, 0xb77c, 0xb781, 0xb8be, 0xb8c1, 0xb978,
    0xba01, 0xba68, 0xba6d, 0xbbd0, 0xbc01, 0xbf58, 0xbfc1, 0xc000, 0xc005, 0xc016, 0xc01d, 0xc0c6,
    0xc0d9, 0xc0ee, 0xc0f5, 0xc100, 0xc106, 0xc25c, 0xc265, 0xc276, 0xc281, 0xc286, 0xc3ed, 0xc3f2,
    0xc400, 0xc416, 0xc4c0, 0xc4c6, 0xc63c, 0xc641, 0xc682, 0xc701, 0xc798, 0xc7bd, 0xc7c2, 0xc801,
    0xc87c, 0xc881, 0xd002, 0x13701, 0x13802, 0x29234, 0x29241, 0x2931c, 0x29342, 0x293f9, 0x29402,
    0x29835, 0x29842, 0x29881, 0x298aa, 0x298b0, 0x29902, 0x299bd, 0x299fe, 0x29a79, 0x29a82,
    0x29b99, 0x29be0, 0x29c01, 0x29c5e, 0x29c81, 0x29c8a, 0x29e25, 0x29e2e, 0x29f74, 0x29fc6,
    0x2a009, 0x2a00e, 0x2a019, 0x2a01e, 0x2a02d, 0x2a032, 0x2a08d, 0x2a0b4, 0x2a0c1, 0x2a0e8,
    0x2a102, 0x2a1d1, 0x2a1e0, 0x2a201, 0x2a20a, 0x2a2d1, 0x2a318, 0x2a339, 0x2a368, 0x2a381,
    0x2a3ca, 0x2a3e1, 0x2a3ee, 0x2a3f1, 0x2a3f6, 0x2a3fd, 0x2a42a, 0x2a499, 0x2a4c2, 0x2a51d,
    0x2a550, 0x2a57d, 0x2a582, 0x2a5f4, 0x2a601, 0x2a612, 0x2a6cd, 0x2a738, 0x2a73e, 0x2a741,
    0x2a768, 0x2a779, 0x2a782, 0x2a795, 0x2a79a, 0x2a7c1, 0x2a7ea, 0x2a7fc, 0x2a802, 0x2a8a5,
    0x2a8dc, 0x2a902, 0x2a90d, 0x2a912, 0x2a931, 0x2a938, 0x2a941, 0x2a968, 0x2a971, 0x2a982,
    0x2a9dd, 0x2a9ea, 0x2a9ed, 0x2a9fa, 0x2aac1, 0x2aac6, 0x2aac9, 0x2aad6, 0x2aadd, 0x2aae6,
    0x2aaf9, 0x2ab02, 0x2ab05, 0x2ab0a, 0x2ab0c, 0x2ab6e, 0x2ab79, 0x2ab82, 0x2abad, 0x2abca,
    0x2abd5, 0x2abdc, 0x2ac06, 0x2ac1c, 0x2ac26, 0x2ac3c, 0x2ac46, 0x2ac5c, 0x2ac82, 0x2ac9c,
    0x2aca2, 0x2acbc, 0x2acc2, 0x2ad6d, 0x2ad72, 0x2ada9, 0x2adb0, 0x2adc2, 0x2af8d, 0x2afb8,
    0x2afc1, 0x2afe8, 0x2b002, 0x35e90, 0x35ec2, 0x35f1c, 0x35f2e, 0x35ff0, 0x3e402, 0x3e9b8,
    0x3e9c2, 0x3eb68, 0x3ec02, 0x3ec1c, 0x3ec4e, 0x3ec60, 0x3ec76, 0x3ec79, 0x3ec7e, 0x3eca5,
    0x3ecaa, 0x3ecdc, 0x3ece2, 0x3ecf4, 0x3ecfa, 0x3ecfc, 0x3ed02, 0x3ed08, 0x3ed0e, 0x3ed14,
    0x3ed1a, 0x3eec9, 0x3ef4e, 0x3f4f9, 0x3f542, 0x3f641, 0x3f64a, 0x3f721, 0x3f740, 0x3f7c2,
    0x3f7f1, 0x3f868, 0x3f881, 0x3f94c, 0x3f951, 0x3f99c, 0x3f9a1, 0x3f9b0, 0x3f9c2, 0x3f9d4,
    0x3f9da, 0x3fbf4, 0x3fc05, 0x3fc86, 0x3fced, 0x3fd06, 0x3fd6d, 0x3fd9a, 0x3fefc, 0x3ff0a,
    0x3ff20, 0x3ff2a, 0x3ff40, 0x3ff4a, 0x3ff60, 0x3ff6a, 0x3ff74, 0x3ff81, 0x3ff9c, 0x3ffa1,
    0x3ffbc, 0x3fff1, 0x3fff8, 0x40002, 0x40030, 0x40036, 0x4009c, 0x400a2, 0x400ec, 0x400f2,
    0x400f8, 0x400fe, 0x40138, 0x40142, 0x40178, 0x40202, 0x403ec, 0x40401, 0x4040c, 0x4041d,
    0x404d0, 0x404dd, 0x4063c, 0x40641, 0x40674, 0x40681, 0x40684, 0x40741, 0x407f8, 0x40a02,
    0x40a74, 0x40a82, 0x40b44, 0x40b81, 0x40bf0, 0x40c02, 0x40c81, 0x40c90, 0x40cb6, 0x40d05,
    0x40d0a, 0x40d29, 0x40d2c, 0x40d42, 0x40dd9, 0x40dec, 0x40e02, 0x40e78, 0x40e7d, 0x40e82,
    0x40f10, 0x40f22, 0x40f41, 0x40f58, 0x41002, 0x41278, 0x41281, 0x412a8, 0x412c2, 0x41350,
    0x41362, 0x413f0, 0x41402, 0x414a0, 0x414c2, 0x41590, 0x415bd, 0x415c2, 0x415ec, 0x415f2,
    0x4162c, 0x41632, 0x4164c, 0x41652, 0x41658, 0x4165e, 0x41688, 0x4168e, 0x416c8, 0x416ce,
    0x416e8, 0x416ee, 0x416f4, 0x41702, 0x417d0, 0x41802, 0x41cdc, 0x41d02, 0x41d58, 0x41d82,
    0x41da0, 0x41e02, 0x41e18, 0x41e1e, 0x41ec4, 0x41eca, 0x41eec, 0x42002, 0x42018, 0x42022,
    0x42024, 0x4202a, 0x420d8, 0x420de, 0x420e4, 0x420f2, 0x420f4, 0x420fe, 0x42158, 0x4215d,
    0x42182, 0x421dd, 0x42202, 0x4227c, 0x4229d, 0x422c0, 0x42382, 0x423cc, 0x423d2, 0x423d8,
    0x423ed, 0x42402, 0x42459, 0x42470, 0x4247d, 0x42482, 0x424e8, 0x424fd, 0x42502, 0x42568,
    0x42602, 0x426e0, 0x426f1, 0x426fa, 0x42701, 0x42740, 0x42749, 0x42802, 0x42805, 0x42810,
    0x42815, 0x4281c, 0x42831, 0x42842, 0x42850, 0x42856, 0x42860, 0x42866, 0x428d8, 0x428e1,
    0x428ec, 0x428fd, 0x42924, 0x42941, 0x42964, 0x42982, 0x429f5, 0x42a02, 0x42a75, 0x42a80,
    0x42b02, 0x42b21, 0x42b26, 0x42b95, 0x42b9c, 0x42bad, 0x42bdc, 0x42c02, 0x42cd8, 0x42ce5,
    0x42d02, 0x42d58, 0x42d61, 0x42d82, 0x42dcc, 0x42de1, 0x42e02, 0x42e48, 0x42e65, 0x42e74,
    0x42ea5, 0x42ec0, 0x43002, 0x43124, 0x43202, 0x432cc, 0x43302, 0x433cc, 0x433e9, 0x43402,
    0x43491, 0x434a0, 0x434c1, 0x434e8, 0x43501, 0x4352a, 0x43598, 0x435a5, 0x435be, 0x43618,
    0x43639, 0x43640, 0x43981, 0x439fc, 0x43a02, 0x43aa8, 0x43aad, 0x43ab8, 0x43ac2, 0x43ac8,
    0x43b0a, 0x43b20, 0x43b41, 0x43b64, 0x43be9, 0x43c02, 0x43c75, 0x43c9e, 0x43ca0, 0x43cc2,
    0x43d19, 0x43d68, 0x43dc2, 0x43e09, 0x43e28, 0x43ec2, 0x43f15, 0x43f30, 0x43f82, 0x43fdc,
    0x44001, 0x4400e, 0x440e1, 0x44138, 0x44149, 0x441c6, 0x441cd, 0x441d6, 0x441d8, 0x441fd,
    0x4420e, 0x442c1, 0x442f4, 0x442f9, 0x4430c, 0x44342, 0x443a4, 0x443c1, 0x443e8, 0x44401,
    0x4440e, 0x4449d, 0x444d4, 0x444d9, 0x44512, 0x44515, 0x4451e, 0x44520, 0x44542, 0x445cd,
    0x445da, 0x445dc, 0x44601, 0x4460e, 0x446cd, 0x44706, 0x44715, 0x4476a, 0x4476d, 0x44772,
    0x44775, 0x44780, 0x44785, 0x447d4, 0x44802, 0x44848, 0x4484e, 0x448b1, 0x448fe, 0x44905,
    0x44908, 0x44a02, 0x44a1c, 0x44a22, 0x44a24, 0x44a2a, 0x44a38, 0x44a3e, 0x44a78, 0x44a7e,
    0x44aa5, 0x44aa8, 0x44ac2, 0x44b7d, 0x44bac, 0x44bc1, 0x44be8, 0x44c01, 0x44c10, 0x44c16,
    0x44c34, 0x44c3e, 0x44c44, 0x44c4e, 0x44ca4, 0x44caa, 0x44cc4, 0x44cca, 0x44cd0, 0x44cd6,
    0x44ce8, 0x44ced, 0x44cf6, 0x44cf9, 0x44d14, 0x44d1d, 0x44d24, 0x44d2d, 0x44d38, 0x44d42,
    0x44d44, 0x44d5d, 0x44d60, 0x44d76, 0x44d89, 0x44d90, 0x44d99, 0x44db4, 0x44dc1, 0x44dd4,
    0x44e02, 0x44e28, 0x44e2e, 0x44e30, 0x44e3a, 0x44e3c, 0x44e42, 0x44ed8, 0x44ede, 0x44ee1,
    0x44f04, 0x44f09, 0x44f0c, 0x44f15, 0x44f18, 0x44f1d, 0x44f2c, 0x44f31, 0x44f46, 0x44f49,
    0x44f4e, 0x44f51, 0x44f58, 0x44f5d, 0x44f64, 0x44f85, 0x44f8c, 0x45002, 0x450d5, 0x4511e,
    0x4512d, 0x45170, 0x45175, 0x4517e, 0x45188, 0x45202, 0x452c1, 0x45312, 0x45319, 0x4531e,
    0x45320, 0x45341, 0x45368, 0x45602, 0x456bd, 0x456d8, 0x456e1, 0x45762, 0x45771, 0x45778,
    0x45802, 0x458c1, 0x45912, 0x45914, 0x45941, 0x45968, 0x45981, 0x459b4, 0x45a02, 0x45aad,
    0x45ae2, 0x45ae5, 0x45ae8, 0x45b01, 0x45b28, 0x45b41, 0x45b90, 0x45c02, 0x45c6c, 0x45c75,
    0x45cb0, 0x45cc1, 0x45d02, 0x45d1c, 0x46002, 0x460b1, 0x460f0, 0x46282, 0x46381, 0x463cc,
    0x463fe, 0x4641c, 0x46426, 0x46428, 0x46432, 0x46450, 0x46456, 0x4645c, 0x46462, 0x464c1,
    0x464d8, 0x464dd, 0x464e4, 0x464ed, 0x464fe, 0x46501, 0x46506, 0x46509, 0x4651c, 0x46541,
    0x46568, 0x46682, 0x466a0, 0x466aa, 0x46745, 0x46760, 0x46769, 0x46786, 0x46789, 0x4678e,
    0x46791, 0x46794, 0x46802, 0x46805, 0x4682e, 0x468cd, 0x468ea, 0x468ed, 0x46920, 0x46942,
    0x46945, 0x46972, 0x46a29, 0x46a76, 0x46a79, 0x46a8c, 0x46ac2, 0x46be4, 0x46c01, 0x46c28,
    0x46d81, 0x46da0, 0x46f02, 0x46f85, 0x46f88, 0x46fc1, 0x46fe8, 0x47002, 0x47024, 0x4702a,
    0x470bd, 0x470dc, 0x470e1, 0x47102, 0x47105, 0x47118, 0x47141, 0x471b4, 0x471c1, 0x471ca,
    0x47240, 0x47249, 0x472a0, 0x472a5, 0x472dc, 0x47402, 0x4741c, 0x47422, 0x47428, 0x4742e,
    0x474c5, 0x474dc, 0x474e9, 0x474ec, 0x474f1, 0x474f8, 0x474fd, 0x4751a, 0x4751d, 0x47520,
    0x47541, 0x47568, 0x47582, 0x47598, 0x4759e, 0x475a4, 0x475aa, 0x47629, 0x4763c, 0x47641,
    0x47648, 0x4764d, 0x47662, 0x47664, 0x47681, 0x476a8, 0x476c2, 0x47770, 0x47781, 0x477a8,
    0x47b82, 0x47bcd, 0x47be4, 0x47c01, 0x47c0a, 0x47c0d, 0x47c12, 0x47c44, 0x47c4a, 0x47cd1,
    0x47cec, 0x47cf9, 0x47d6c, 0x47ec2, 0x47ec4, 0x47f01, 0x47fc8, 0x47ffd, 0x48002, 0x48e68,
    0x49001, 0x491bc, 0x491c1, 0x491d4, 0x49202, 0x49510, 0x4be42, 0x4bfc5, 0x4bfcc, 0x4c002,
    0x4d0c0, 0x4d101, 0x4d106, 0x4d11d, 0x4d158, 0x4d182, 0x50fec, 0x51002, 0x5191c, 0x58402,
    0x58479, 0x584e8, 0x5a002, 0x5a8e4, 0x5a902, 0x5a97c, 0x5a981, 0x5a9a8, 0x5a9b9, 0x5a9c2,
    0x5aafc, 0x5ab01, 0x5ab28, 0x5ab42, 0x5abb8, 0x5abc1, 0x5abd8, 0x5ac02, 0x5acc1, 0x5ad02,
    0x5ad11, 0x5ad18, 0x5ad41, 0x5ad68, 0x5ad6d, 0x5ad88, 0x5ad8e, 0x5ade0, 0x5adf6, 0x5ae40,
    0x5b502, 0x5b5b5, 0x5b5e8, 0x5b902, 0x5ba01, 0x5ba6c, 0x5ba82, 0x5bae4, 0x5baee, 0x5bb50,
    0x5bc02, 0x5bd2c, 0x5bd3d, 0x5bd42, 0x5bd45, 0x5be20, 0x5be3d, 0x5be4e, 0x5be80, 0x5bf82,
    0x5bf89, 0x5bf8e, 0x5bf91, 0x5bf94, 0x5bfc1, 0x5bfca, 0x5bfd1, 0x5bfdc, 0x5c002, 0x63358,
    0x633fe, 0x6347c, 0x63602, 0x637cc, 0x6bfc2, 0x6bfd0, 0x6bfd6, 0x6bff0, 0x6bff6, 0x6bffc,
    0x6c002, 0x6c48c, 0x6c4ca, 0x6c4cc, 0x6c542, 0x6c54c, 0x6c556, 0x6c558, 0x6c592, 0x6c5a0,
    0x6c5c2, 0x6cbf0, 0x6f002, 0x6f1ac, 0x6f1c2, 0x6f1f4, 0x6f202, 0x6f224, 0x6f242, 0x6f268,
    0x6f271, 0x6f280, 0x73001, 0x733f4, 0x73401, 0x73ad0, 0x73ae9, 0x73b44, 0x73b81, 0x73bc4,
    0x73c01, 0x73cb8, 0x73cc1, 0x73d1c, 0x73d41, 0x73f10, 0x74001, 0x743d8, 0x74401, 0x7449c,
    0x744a5, 0x745cc, 0x745ed, 0x747ac, 0x74801, 0x74918, 0x74b01, 0x74b50, 0x74b81, 0x74bd0,
    0x74c01, 0x74d5c, 0x74d81, 0x74de4, 0x75002, 0x75154, 0x7515a, 0x75274, 0x7527a, 0x75280,
    0x7528a, 0x7528c, 0x75296, 0x7529c, 0x752a6, 0x752b4, 0x752ba, 0x752e8, 0x752ee, 0x752f0,
    0x752f6, 0x75310, 0x75316, 0x75418, 0x7541e, 0x7542c, 0x75436, 0x75454, 0x7545a, 0x75474,
    0x7547a, 0x754e8, 0x754ee, 0x754fc, 0x75502, 0x75514, 0x7551a, 0x7551c, 0x7552a, 0x75544,
    0x7554a, 0x75a98, 0x75aa2, 0x75b05, 0x75b0a, 0x75b6d, 0x75b72, 0x75bed, 0x75bf2, 0x75c55,
    0x75c5a, 0x75cd5, 0x75cda, 0x75d3d, 0x75d42, 0x75dbd, 0x75dc2, 0x75e25, 0x75e2a, 0x75ea5,
    0x75eaa, 0x75f0d, 0x75f12, 0x75f30, 0x75f39, 0x76a30, 0x76a6d, 0x76a80, 0x76a85, 0x76ac0,
    0x77c02, 0x77c7c, 0x77c96, 0x77cac, 0x78001, 0x7801c, 0x78021, 0x78064, 0x7806d, 0x78088,
    0x7808d, 0x78094, 0x78099, 0x780ac, 0x780c2, 0x781b8, 0x7823d, 0x78240, 0x78402, 0x784b4,
    0x784c1, 0x784de, 0x784f8, 0x78501, 0x78528, 0x7853a, 0x7853d, 0x78540, 0x78a42, 0x78ab9,
    0x78abc, 0x78b02, 0x78bb1, 0x78be8, 0x78bfd, 0x78c00, 0x79342, 0x793b1, 0x793e8, 0x79742,
    0x797b9, 0x797c2, 0x797c5, 0x797ec, 0x797fd, 0x79800, 0x79b02, 0x79b7c, 0x79b82, 0x79b8d,
    0x79b92, 0x79b99, 0x79b9e, 0x79bb9, 0x79bc2, 0x79bd5, 0x79bd8, 0x79bfa, 0x79c00, 0x79f82,
    0x79f9c, 0x79fa2, 0x79fb0, 0x79fb6, 0x79fbc, 0x79fc2, 0x79ffc, 0x7a002, 0x7a314, 0x7a31d,
    0x7a35c, 0x7a402, 0x7a511, 0x7a52e, 0x7a530, 0x7a541, 0x7a568, 0x7a579, 0x7a580, 0x7b1c5,
    0x7b2d4, 0x7b405, 0x7b4f8, 0x7b802, 0x7b810, 0x7b816, 0x7b880, 0x7b886, 0x7b88c, 0x7b892,
    0x7b894, 0x7b89e, 0x7b8a0, 0x7b8a6, 0x7b8cc, 0x7b8d2, 0x7b8e0, 0x7b8e6, 0x7b8e8, 0x7b8ee,
    0x7b8f0, 0x7b90a, 0x7b90c, 0x7b91e, 0x7b920, 0x7b926, 0x7b928, 0x7b92e, 0x7b930, 0x7b936,
    0x7b940, 0x7b946, 0x7b94c, 0x7b952, 0x7b954, 0x7b95e, 0x7b960, 0x7b966, 0x7b968, 0x7b96e,
    0x7b970, 0x7b976, 0x7b978, 0x7b97e, 0x7b980, 0x7b986, 0x7b98c, 0x7b992, 0x7b994, 0x7b99e,
    0x7b9ac, 0x7b9b2, 0x7b9cc, 0x7b9d2, 0x7b9e0, 0x7b9e6, 0x7b9f4, 0x7b9fa, 0x7b9fc, 0x7ba02,
    0x7ba28, 0x7ba2e, 0x7ba70, 0x7ba86, 0x7ba90, 0x7ba96, 0x7baa8, 0x7baae, 0x7baf0, 0x7bbc1,
    0x7bbc8, 0x7c001, 0x7c0b0, 0x7c0c1, 0x7c250, 0x7c281, 0x7c2bc, 0x7c2c5, 0x7c300, 0x7c305,
    0x7c340, 0x7c345, 0x7c3d8, 0x7c401, 0x7c6b8, 0x7c799, 0x7c80c, 0x7c841, 0x7c8f0, 0x7c901,
    0x7c924, 0x7c941, 0x7c948, 0x7c981, 0x7c998, 0x7cc01, 0x7db64, 0x7db71, 0x7dbb4, 0x7dbc1,
    0x7dbf4, 0x7dc01, 0x7df68, 0x7df81, 0x7dfb0, 0x7dfc1, 0x7dfc4, 0x7e001, 0x7e030, 0x7e041,
    0x7e120, 0x7e141, 0x7e168, 0x7e181, 0x7e220, 0x7e241, 0x7e2b8, 0x7e2c1, 0x7e2f0, 0x7e301,
    0x7e308, 0x7e341, 0x7e364, 0x7e401, 0x7e960, 0x7e981, 0x7e9b8, 0x7e9c1, 0x7e9f4, 0x7ea01,
    0x7ea2c, 0x7ea39, 0x7eb1c, 0x7eb21, 0x7eb24, 0x7eb35, 0x7eb74, 0x7eb7d, 0x7ebac, 0x7ebbd,
    0x7ebe4, 0x7ec01, 0x7ee4c, 0x7ee51, 0x7efec, 0x80002, 0xa9b80, 0xa9c02, 0xae078, 0xae082,
    0xb3ab8, 0xb3ac2, 0xbaf84, 0xbafc2, 0xbb978, 0xbe002, 0xbe878, 0xc0002, 0xc4d2c, 0xc4d42,
    0xcd1e8, 0x380401, 0x3807c0,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_like_go() {
        let cases = [
            (
                "a/\u{200b}",
                r#"malformed file path "a/\u200b": invalid char '\u200b'"#,
            ),
            (
                "a/\u{e0001}",
                r#"malformed file path "a/\U000e0001": invalid char '\U000e0001'"#,
            ),
            (
                "a/\u{301}",
                "malformed file path \"a/\u{301}\": invalid char '\u{301}'",
            ),
            ("a/😀", "malformed file path \"a/😀\": invalid char '😀'"),
            (
                "a/\x7f\"",
                r#"malformed file path "a/\x7f\"": invalid char '\x7f'"#,
            ),
            ("a/x'", r#"malformed file path "a/x'": invalid char '\''"#),
            (
                "a/\u{ad}",
                r#"malformed file path "a/\u00ad": invalid char '\u00ad'"#,
            ),
            ("\t/a", r#"malformed file path "\t/a": invalid char '\t'"#),
        ];
        for (path, want) in cases {
            assert_eq!(check_file_path(path).unwrap_err().to_string(), want);
        }
    }

    #[test]
    fn file_paths_allow_unicode_letters_only() {
        for ok in ["a/é.go", "x/\u{212a}", "データ/ファイル.txt", "a b/c!d"] {
            assert_eq!(check_file_path(ok), Ok(()), "{ok:?}");
        }
        let err = check_path("x/\u{212a}").unwrap_err();
        assert_eq!(err.reason(), "invalid char '\u{212a}'");
        assert_eq!(err.kind(), PathKind::Module);
        assert_eq!(err.path(), "x/\u{212a}");
    }

    #[test]
    fn empty_input() {
        assert_eq!(check_path("").unwrap_err().reason(), "empty string");
        assert_eq!(split_path_version(""), Some(("", "")));
        assert_eq!(canonical_version(""), "");
        assert_eq!(
            escape_version("").unwrap_err().to_string(),
            r#"version "" invalid: disallowed version string"#
        );
        assert_eq!(
            unescape_version("").unwrap_err().to_string(),
            r#"invalid escaped version "": empty path element"#
        );
        assert_eq!(
            unescape_path("").unwrap_err().to_string(),
            r#"invalid escaped module path "": malformed module path "": empty string"#
        );
        assert!(!is_pseudo_version("") && !is_zero_pseudo_version(""));
        assert_eq!(
            check_path_major("", "").unwrap_err().to_string(),
            r#"version "" invalid: should be v0 or v1, not "#
        );
        assert_eq!(pseudo_version("", "", "", ""), None);
    }

    #[test]
    fn error_structure() {
        let err = check("example.com/x", "v2.0.0").unwrap_err();
        assert_eq!(
            err.to_string(),
            "example.com/x@v2.0.0: invalid version: should be v0 or v1, not v2"
        );
        let source = std::error::Error::source(&err).map(ToString::to_string);
        assert_eq!(
            source.as_deref(),
            Some(r#"version "v2.0.0" invalid: should be v0 or v1, not v2"#)
        );
        assert!(matches!(check("x", "v1.0.0"), Err(Error::Path(_))));
        let err = pseudo_version_rev("v1.2.3").unwrap_err();
        assert!(err.is_pseudo());
        assert_eq!((err.version(), err.reason()), ("v1.2.3", "syntax error"));
    }

    #[test]
    fn escape_version_refuses_non_ascii_letters_like_go() {
        assert_eq!(escape_version("v1.0.0-é"), Err(Error::EscapeInconsistency));
        assert_eq!(
            Error::EscapeInconsistency.to_string(),
            "internal error: inconsistency in EscapePath"
        );
        assert_eq!(escape_version("v1.0.0-RC").as_deref(), Ok("v1.0.0-!r!c"));
    }

    #[test]
    fn gopkg_in_suffixes() {
        assert_eq!(
            split_path_version("gopkg.in/yaml.v-unstable"),
            Some(("gopkg.in/yaml", ".v-unstable"))
        );
        assert_eq!(split_path_version("gopkg.in/yaml.v02"), None);
        assert_eq!(split_path_version("gopkg.in/v2"), None);
        assert_eq!(check_path_major("v0.0.0-2020", ".v1-unstable"), Ok(()));
    }

    #[test]
    fn pseudo_version_parts() {
        let v = "v1.2.100-0.20191109021931-daa7c04131f5+incompatible";
        assert_eq!(
            pseudo_version_base(v).as_deref(),
            Ok("v1.2.99+incompatible")
        );
        let v = "v1.2.3-pre.0.20191109021931-daa7c04131f5+meta";
        assert_eq!(pseudo_version_base(v).as_deref(), Ok("v1.2.3-pre+meta"));
        assert_eq!(
            pseudo_version_base("v1.2.0-0.20191109021931-daa7c04131f5")
                .unwrap_err()
                .to_string(),
            r#"pseudo-version "v1.2.0-0.20191109021931-daa7c04131f5" invalid: version before v1.2.0 would have negative patch number"#
        );
        assert_eq!(
            pseudo_version_time("v0.0.0-20190229000000-abcdef123456")
                .unwrap_err()
                .to_string(),
            r#"pseudo-version "v0.0.0-20190229000000-abcdef123456" invalid: malformed time "20190229000000""#
        );
        assert_eq!(
            pseudo_version_time("v0.0.0-20200229235959-abcdef123456").as_deref(),
            Ok("2020-02-29T23:59:59Z")
        );
        for zero in [
            "v0.0.0-00010101000000-000000000000",
            "v1.0.0-00010101000000-000000000000",
            "v2.0.0-00010101000000-000000000000",
        ] {
            assert!(is_zero_pseudo_version(zero), "{zero}");
        }
        assert!(!is_zero_pseudo_version(
            "v0.0.0-00010101000000-000000000001"
        ));
    }

    #[test]
    fn pseudo_version_times() {
        let cases = [
            ("20191109021931", "v0.0.0-20191109021931-r"),
            ("2019-12-31T23:30:00.999-01:00", "v0.0.0-20200101003000-r"),
            ("2020-03-01T00:10:00+00:30", "v0.0.0-20200229234000-r"),
            ("0000-01-01T00:00:00+00:01", "v0.0.0--00011231235900-r"),
            ("9999-12-31T23:59:59-00:01", "v0.0.0-100000101000059-r"),
        ];
        for (time, want) in cases {
            assert_eq!(
                pseudo_version("", "", time, "r").as_deref(),
                Some(want),
                "{time}"
            );
        }
        for bad in [
            "2019-11-09T2:19:31Z",
            "2019-11-09T02:19:31",
            "20191109021960",
            "2019-02-29T00:00:00Z",
        ] {
            assert_eq!(pseudo_version("", "", bad, "r"), None, "{bad}");
        }
    }

    #[test]
    fn long_input() {
        let path = format!("example.com/{}", "a/".repeat(50_000) + "v2");
        assert_eq!(check_path(&path), Ok(()));
        assert_eq!(
            split_path_version(&path).map(|(_, major)| major),
            Some("/v2")
        );
        let upper = "A".repeat(100_000);
        let escaped = escape_version(&upper).unwrap();
        assert_eq!(unescape_version(&escaped).as_deref(), Ok(upper.as_str()));
        let big_patch = format!("v1.2.{}", "9".repeat(1000));
        let pseudo = pseudo_version("v1", &big_patch, "20200101000000", "abc").unwrap();
        assert!(pseudo.starts_with(&format!("v1.2.1{}-0.2020", "0".repeat(1000))));
        assert_eq!(pseudo_version_base(&pseudo), Ok(big_patch));
    }
}
