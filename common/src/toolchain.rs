//! Go's toolchain selection: which Go the go command actually runs for a go.mod or
//! go.work (`GOTOOLCHAIN`, the `go` and `toolchain` lines), and the module
//! `golang.org/toolchain@v0.0.1-goV.GOOS-GOARCH` it downloads when it switches.
//!
//! The rules are those of go1.27's `cmd/go/internal/toolchain.Select` and
//! `internal/gover` (see `go help toolchain`): versions compare as Go versions, where
//! a language version (`1.28`) sorts before its release candidates and `1.28.0`; a
//! `go` line that names a language version 1.21 or later is satisfied by its first
//! release (`go1.28.0`), while a `toolchain` line is taken as written; `GOTOOLCHAIN`
//! is `local`, `auto`, `path`, a toolchain name, or a name with `+auto`/`+path`.

use std::cmp::Ordering;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::goenv::GoConfig;
use crate::record::Code;
use crate::record::toolchain::{GotoolchainInfo, LocalInfo, ToolchainBody};

/// The module the go command downloads toolchains as.
pub const MODULE: &str = "golang.org/toolchain";

/// The packaging version in front of every toolchain module version.
const PACKAGING: &str = "v0.0.1";

/// How long `go env GOVERSION` may take when `$GOROOT/VERSION` is missing.
const GO_ENV_TIMEOUT: Duration = Duration::from_secs(20);

/// A parsed Go version, `major[.minor[.patch]][kind[pre]]`, with the numbers kept as
/// decimal strings (Go's `internal/gover.Version`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Version {
    major: String,
    minor: String,
    patch: String,
    kind: String,
    pre: String,
}

/// Parses a Go version (without the `go` prefix); None when malformed.
fn parse(x: &str) -> Option<Version> {
    let mut v = Version::default();
    let (major, rest) = cut_int(x)?;
    v.major = major.to_string();
    if rest.is_empty() {
        "0".clone_into(&mut v.minor);
        "0".clone_into(&mut v.patch);
        return Some(v);
    }
    let rest = rest.strip_prefix('.')?;
    let (minor, rest) = cut_int(rest)?;
    v.minor = minor.to_string();
    if rest.is_empty() {
        // Before Go 1.21 a missing patch is .0; from 1.21 on `1.21` is the language.
        if cmp_int(&v.minor, "21") == Ordering::Less {
            "0".clone_into(&mut v.patch);
        }
        return Some(v);
    }
    if let Some(patch) = rest.strip_prefix('.') {
        let (patch, rest) = cut_int(patch)?;
        if !rest.is_empty() {
            return None;
        }
        v.patch = patch.to_string();
        return Some(v);
    }
    let letters = rest.bytes().take_while(u8::is_ascii_lowercase).count();
    let at_digit = rest.as_bytes().get(letters).is_none_or(u8::is_ascii_digit);
    if letters == 0 || !at_digit {
        return None;
    }
    v.kind = rest[..letters].to_string();
    let rest = &rest[letters..];
    if rest.is_empty() {
        return Some(v);
    }
    let (pre, rest) = cut_int(rest)?;
    if !rest.is_empty() {
        return None;
    }
    v.pre = pre.to_string();
    Some(v)
}

/// The leading decimal number of `x` (no needless leading zero) and the rest.
fn cut_int(x: &str) -> Option<(&str, &str)> {
    let digits = x.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || (x.starts_with('0') && digits != 1) {
        return None;
    }
    Some(x.split_at(digits))
}

/// Compares decimal strings as numbers.
fn cmp_int(x: &str, y: &str) -> Ordering {
    x.len().cmp(&y.len()).then_with(|| x.cmp(y))
}

/// Compares two Go versions (`1.21`, `1.21rc1`, `1.21.0`) as the go command does:
/// malformed versions sort first and equal to each other.
pub fn compare(x: &str, y: &str) -> Ordering {
    let vx = parse(x).unwrap_or_default();
    let vy = parse(y).unwrap_or_default();
    cmp_int(&vx.major, &vy.major)
        .then_with(|| cmp_int(&vx.minor, &vy.minor))
        .then_with(|| cmp_int(&vx.patch, &vy.patch))
        .then_with(|| vx.kind.cmp(&vy.kind))
        .then_with(|| cmp_int(&vx.pre, &vy.pre))
}

/// Whether `x` is a valid Go version.
pub fn is_valid(x: &str) -> bool {
    parse(x).is_some()
}

/// Whether `x` names a language version (`1.21`) rather than a release (`1.21.0`).
pub fn is_lang(x: &str) -> bool {
    parse(x).is_some_and(|v| v.patch.is_empty() && v.kind.is_empty() && v.pre.is_empty())
}

/// The Go version a toolchain name stands for (`go1.2.3-corp` → `1.2.3`); None when
/// the name is not `go` + a valid version (+ a suffix after `-`, blank or tab), or has
/// a path separator.
pub fn from_toolchain(name: &str) -> Option<&str> {
    if name.contains(['\\', '/']) {
        return None;
    }
    let v = name.strip_prefix("go")?;
    let v = v.find([' ', '\t', '-']).map_or(v, |i| &v[..i]);
    is_valid(v).then_some(v)
}

/// The module version of a toolchain: `v0.0.1-go1.28.1.linux-amd64`.
pub fn module_version(toolchain: &str, goos: &str, goarch: &str) -> String {
    format!("{PACKAGING}-{toolchain}.{goos}-{goarch}")
}

/// The toolchain a module version of [`MODULE`] holds, with its platform:
/// `v0.0.1-go1.28.1.linux-amd64` → (`go1.28.1`, `linux`, `amd64`).
pub fn parse_module_version(version: &str) -> Option<(&str, &str, &str)> {
    let rest = version.strip_prefix(PACKAGING)?.strip_prefix('-')?;
    let (toolchain, platform) = rest.rsplit_once('.')?;
    let (goos, goarch) = platform.split_once('-')?;
    Some((toolchain, goos, goarch))
}

/// The Go version of a golang.org/toolchain version for any platform
/// (`v0.0.1-go1.21.3.linux-amd64` → `1.21.3`; go's `dlToGo`).
pub fn go_of_module_version(version: &str) -> Option<&str> {
    let (_, rest) = version.split_once('-')?;
    let (name, platform) = rest.rsplit_once('.')?;
    platform
        .contains('-')
        .then(|| name.strip_prefix("go").unwrap_or(name))
}

/// The language of a Go version (`1.21.3` and `1.21rc2` → `1.21`; go's `gover.Lang`).
pub fn lang(x: &str) -> String {
    let v = parse(x).unwrap_or_default();
    if v.minor.is_empty() || (v.major == "1" && v.minor == "0") {
        return v.major;
    }
    format!("{}.{}", v.major, v.minor)
}

/// Whether `x` is a prerelease (`1.21rc1`; go's `gover.IsPrerelease`).
pub fn is_prerelease(x: &str) -> bool {
    parse(x).is_some_and(|v| !v.kind.is_empty())
}

/// The toolchain go switches to when it needs go `need`, from the Go versions it can
/// have, ascending (go's `newerToolchain`): the newest patch of the release family
/// before the newest one (or of the newest when that is all there is), prereleases
/// passed over while a release of the family before is there. Err is go's words.
pub fn newer_toolchain(need: &str, list: &[String]) -> Result<String, String> {
    let mut latest = String::new();
    for v in list.iter().rev() {
        if compare(v, need) == Ordering::Less {
            break;
        }
        if lang(&latest) == lang(v) {
            continue;
        }
        let newer = std::mem::replace(&mut latest, v.clone());
        if !newer.is_empty() && !is_prerelease(&newer) {
            break;
        }
    }
    if latest.is_empty() {
        return Err(format!("no releases found for go >= {need}"));
    }
    Ok(format!("go{latest}"))
}

/// The platform this program runs on, in Go's GOOS/GOARCH names: the go command
/// downloads the toolchain for the platform it runs on, not for GOOS/GOARCH.
pub fn host_platform() -> (&'static str, &'static str) {
    let goos = match std::env::consts::OS {
        "macos" => "darwin",
        other => other,
    };
    let goarch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "x86" => "386",
        "aarch64" => "arm64",
        "powerpc64" if cfg!(target_endian = "little") => "ppc64le",
        "powerpc64" => "ppc64",
        "loongarch64" => "loong64",
        "mips64" if cfg!(target_endian = "little") => "mips64le",
        "mips" if cfg!(target_endian = "little") => "mipsle",
        other => other,
    };
    (goos, goarch)
}

/// The value of the first `key` line of go.mod or go.work text (`gover.GoModLookup`):
/// the rest of the line after a blank, without a `//` comment, trimmed.
pub fn gomod_lookup(data: &str, key: &str) -> Option<String> {
    data.split('\n').find_map(|line| {
        let line = line.trim_matches(|c: char| c.is_ascii_whitespace());
        let rest = line.strip_prefix(key)?;
        if !rest.starts_with([' ', '\t']) {
            return None;
        }
        let rest = rest.split("//").next().unwrap_or_default();
        Some(
            rest.trim_matches(|c: char| c.is_ascii_whitespace())
                .to_string(),
        )
    })
}

/// The go.work or go.mod file whose lines decide the toolchain, found from `dir` as
/// the go command finds it: GOWORK (`off`; empty or `auto`: the nearest go.work up
/// from `dir`, not crossing into GOROOT; else an absolute path, used if it exists),
/// else the nearest go.mod (none when it is directly in the temporary directory).
pub fn find_file(
    dir: &Path,
    gowork: &str,
    goroot: Option<&Path>,
    tmpdir: &Path,
) -> Result<Option<PathBuf>, String> {
    let work = match gowork {
        "off" => None,
        "" | "auto" => find_up(dir, "go.work", goroot),
        path if Path::new(path).is_absolute() => Some(PathBuf::from(path)),
        _ => return Err("go: invalid GOWORK: not an absolute path".to_string()),
    };
    if let Some(work) = work.filter(|w| w.exists()) {
        return Ok(Some(work));
    }
    Ok(find_up(dir, "go.mod", None).filter(|gomod| gomod.parent() != Some(tmpdir)))
}

/// [`find_file`] as the go command looks with these settings: none at all with
/// `GO111MODULE=off` (GOPATH mode has no main module).
pub fn find_main_file(
    dir: &Path,
    go111module: &str,
    gowork: &str,
    goroot: Option<&Path>,
    tmpdir: &Path,
) -> Result<Option<PathBuf>, String> {
    if go111module == "off" {
        return Ok(None);
    }
    find_file(dir, gowork, goroot, tmpdir)
}

/// The nearest `name` file in `dir` or above; the search does not go up into `stop`.
fn find_up(dir: &Path, name: &str, stop: Option<&Path>) -> Option<PathBuf> {
    let mut dir = dir.to_path_buf();
    loop {
        let candidate = dir.join(name);
        if candidate.is_file() {
            return Some(candidate);
        }
        let parent = dir.parent()?.to_path_buf();
        if stop == Some(parent.as_path()) {
            return None;
        }
        dir = parent;
    }
}

/// The path as the go command prints it (`base.ShortPath`): relative to `cwd` when
/// that is shorter.
pub fn short_path(cwd: &Path, path: &Path) -> String {
    if let Ok(rel) = path.strip_prefix(cwd) {
        let rel = rel.display().to_string();
        let rel = if rel.is_empty() { ".".to_string() } else { rel };
        if rel.len() < path.display().to_string().len() {
            return rel;
        }
    }
    path.display().to_string()
}

/// How GOTOOLCHAIN lets the go command pick a toolchain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Only the default toolchain (`local`, or a name without `+auto`/`+path`).
    Local,
    /// The go.mod/go.work lines may ask for a newer one, found in PATH or downloaded.
    Auto,
    /// Like `auto`, but only from PATH.
    Path,
}

impl Mode {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Local => "local",
            Mode::Auto => "auto",
            Mode::Path => "path",
        }
    }

    /// The mode of a wire name ([`Mode::as_str`]).
    pub fn from_wire(name: &str) -> Option<Mode> {
        [Mode::Local, Mode::Auto, Mode::Path]
            .into_iter()
            .find(|m| m.as_str() == name)
    }
}

/// Why the go command runs the toolchain it runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reason {
    /// The local toolchain: nothing asks for a newer one.
    Local,
    /// GOTOOLCHAIN names it (the minimum).
    Gotoolchain,
    /// The file's `toolchain` line.
    ToolchainLine,
    /// The file's `go` line.
    GoLine,
    /// `toolchain default`: the file forbids switching.
    ToolchainDefault,
}

impl Reason {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Local => "local",
            Reason::Gotoolchain => "gotoolchain",
            Reason::ToolchainLine => "toolchain_line",
            Reason::GoLine => "go_line",
            Reason::ToolchainDefault => "toolchain_default",
        }
    }
}

/// The go.mod or go.work lines that take part in the choice.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FileLines {
    /// The file, as the go command prints it (see [`short_path`]).
    pub file: Option<String>,
    /// The `go` line's value.
    pub go: Option<String>,
    /// The `toolchain` line's value.
    pub toolchain: Option<String>,
}

impl FileLines {
    /// Reads the lines of `file`; `shown` is how its name is printed.
    pub fn read(file: &Path, shown: String) -> Result<FileLines, String> {
        let data = crate::regular::read(file, crate::regular::GO_MOD)
            .map_err(|err| format!("go: {err}"))?;
        let data = String::from_utf8_lossy(&data);
        Ok(FileLines {
            file: Some(shown),
            go: gomod_lookup(&data, "go"),
            toolchain: gomod_lookup(&data, "toolchain"),
        })
    }
}

/// What went wrong, as the go command would say it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// The error code.
    pub code: Code,
    /// One plain sentence.
    pub message: String,
    /// The go command's line, `go: ` included.
    pub go_error: String,
    /// What to change.
    pub hint: String,
}

/// The go command's toolchain decision.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Selection {
    /// GOTOOLCHAIN as set.
    pub gotoolchain: String,
    /// What GOTOOLCHAIN allows.
    pub mode: Mode,
    /// The default toolchain: the local one, or the name GOTOOLCHAIN gives.
    pub minimum: String,
    /// The toolchain the go command runs.
    pub selected: String,
    /// Why.
    pub reason: Reason,
    /// Whether it is another toolchain than the local one.
    pub switches: bool,
    /// Whether it may come only from PATH (`path`, `+path`).
    pub path_only: bool,
    /// What stops the go command, if anything (before or after the switch).
    pub problem: Option<Problem>,
    /// Something that works here but fails elsewhere (a bare language version in the
    /// go line).
    pub warning: Option<Problem>,
}

impl Selection {
    /// Whether the go command downloads the selected toolchain (unless it is in PATH).
    pub fn downloads(&self) -> bool {
        self.switches && !self.path_only && self.problem.is_none()
    }
}

/// Decides which toolchain the go command runs (`toolchain.Select`): `local` is the
/// toolchain of the go found (`go1.27.3`), `gotoolchain` GOTOOLCHAIN's value and
/// `lines` the go.work/go.mod lines (empty without a file).
pub fn select(local: &str, gotoolchain: &str, lines: &FileLines) -> Selection {
    let local_version = from_toolchain(local).unwrap_or("").to_string();
    let mut sel = Selection {
        gotoolchain: gotoolchain.to_string(),
        mode: Mode::Auto,
        minimum: local.to_string(),
        selected: local.to_string(),
        reason: Reason::Local,
        switches: false,
        path_only: false,
        problem: None,
        warning: None,
    };
    let invalid = |detail: String| {
        Problem {
        code: Code::GotoolchainInvalid,
        message: format!("GOTOOLCHAIN={gotoolchain} is not a setting the go command accepts"),
        go_error: format!("go: invalid GOTOOLCHAIN {}{detail}", go_quote(gotoolchain)),
        hint: "set GOTOOLCHAIN to auto (the default), local, path, or a toolchain name such as go1.27.3 with an optional +auto or +path".to_string(),
    }
    };
    let mut min_version = local_version.clone();
    match gotoolchain {
        // Without GOTOOLCHAIN the go command runs as it is (a go before 1.21, or a
        // go.env without the line).
        "" => sel.mode = Mode::Local,
        "auto" => {}
        "path" => sel.mode = Mode::Path,
        _ => {
            let (min, suffix) = match gotoolchain.split_once('+') {
                Some((min, suffix)) => (min, Some(suffix)),
                None => (gotoolchain, None),
            };
            if min != "local" {
                let Some(v) = from_toolchain(min) else {
                    sel.problem = Some(invalid(match suffix {
                        Some(_) => format!(": invalid minimum toolchain {}", go_quote(min)),
                        None => String::new(),
                    }));
                    return sel;
                };
                min_version = v.to_string();
                sel.minimum = min.to_string();
                sel.selected = min.to_string();
                sel.reason = Reason::Gotoolchain;
            }
            sel.mode = match suffix {
                None => Mode::Local,
                Some("auto") => Mode::Auto,
                Some("path") => Mode::Path,
                Some(_) => {
                    sel.problem = Some(invalid(
                        ": only version suffixes are +auto and +path".to_string(),
                    ));
                    return sel;
                }
            };
        }
    }
    sel.path_only = sel.mode == Mode::Path;
    // What the running go prints when the go line is too new for it.
    let mut sets = String::new();
    if sel.mode != Mode::Local && lines.file.is_some() {
        let file = lines.file.as_deref().unwrap_or_default();
        if lines.toolchain.as_deref() == Some("default") {
            sel.reason = if sel.reason == Reason::Gotoolchain {
                Reason::Gotoolchain
            } else {
                Reason::ToolchainDefault
            };
            sets = format!("; {file} sets toolchain default");
        } else {
            if let Some(toolchain) = lines.toolchain.as_deref() {
                let usable = from_toolchain(toolchain)
                    .filter(|_| toolchain.starts_with("go") || toolchain.contains("-go"));
                let Some(tool_version) = usable else {
                    sel.problem = Some(Problem {
                        code: Code::ToolchainInvalid,
                        message: format!("the toolchain line of {file} does not name a toolchain"),
                        go_error: format!(
                            "go: invalid toolchain {} in {file}",
                            go_quote(toolchain)
                        ),
                        hint: format!(
                            "write a release such as toolchain {} in {file}, or remove the line",
                            suggest_release(&local_version)
                        ),
                    });
                    return sel;
                };
                if compare(tool_version, &min_version) == Ordering::Greater {
                    sel.selected = toolchain.to_string();
                    sel.reason = Reason::ToolchainLine;
                    min_version = tool_version.to_string();
                    sets = format!("; {file} sets toolchain {toolchain}");
                }
            }
            if let Some(go) = lines.go.as_deref()
                && compare(go, &min_version) == Ordering::Greater
            {
                let mut name = format!("go{go}");
                if is_lang(go) && compare(go, "1.21") != Ordering::Less {
                    name.push_str(".0");
                    sel.warning = Some(Problem {
                        code: Code::ToolchainLanguageVersion,
                        message: format!(
                            "the go line of {file} names the language version {go}, not a release: go1.27 runs {name}, but go releases before the fix for go#62278 ask for go{go}, which does not exist"
                        ),
                        go_error: format!(
                            "go: download go{go} for {}: toolchain not available",
                            platform_text()
                        ),
                        hint: format!("write go {go}.0 in {file}"),
                    });
                }
                sel.selected = name;
                sel.reason = Reason::GoLine;
                sets = format!("; {file} sets go {go}");
            }
        }
    }
    sel.switches = sel.selected != "local" && sel.selected != local;
    if sel.switches && !sel.selected.starts_with("go1") && !sel.selected.contains("-go1") {
        sel.problem = Some(invalid(String::new()));
        return sel;
    }
    // A toolchain named by its language version does not exist: golang.org/toolchain
    // publishes releases only.
    if sel.switches && !sel.path_only {
        let version = from_toolchain(&sel.selected).unwrap_or("");
        if is_lang(version) && compare(version, "1.21") != Ordering::Less {
            let name = &sel.selected;
            let (what, fix) = match sel.reason {
                Reason::ToolchainLine => (
                    format!(
                        "the toolchain line of {}",
                        lines.file.as_deref().unwrap_or("go.mod")
                    ),
                    format!(
                        "write toolchain {name}.0 (or the newest {name}.x) in {}",
                        lines.file.as_deref().unwrap_or("go.mod")
                    ),
                ),
                _ => (
                    "GOTOOLCHAIN".to_string(),
                    format!("set GOTOOLCHAIN={name}.0 (or the newest {name}.x)"),
                ),
            };
            sel.problem = Some(Problem {
                code: Code::ToolchainInvalid,
                message: format!(
                    "{what} names {name}, a language version; only releases ({name}.0, {name}.1, ...) can be downloaded"
                ),
                go_error: format!(
                    "go: invalid toolchain: {name} is a language version but not a toolchain version ({name}.x)"
                ),
                hint: fix,
            });
            return sel;
        }
    }
    // The go line is checked by the toolchain that runs, when it loads the module.
    let running = from_toolchain(&sel.selected)
        .unwrap_or(&local_version)
        .to_string();
    if let (Some(file), Some(go)) = (lines.file.as_deref(), lines.go.as_deref())
        && compare(go, &running) == Ordering::Greater
    {
        let release = first_release(go);
        let hint = if sel.reason == Reason::ToolchainDefault {
            format!(
                "remove `toolchain default` from {file}, or install {release} or later and run it"
            )
        } else {
            format!(
                "let the go command switch: GOTOOLCHAIN=auto (or {}+auto); or install {release} or later and put it first in PATH",
                sel.minimum
            )
        };
        sel.problem = Some(Problem {
            code: Code::ToolchainTooOld,
            message: format!(
                "{file} requires go {go} or later, the go command runs {} and GOTOOLCHAIN={gotoolchain} does not let it switch",
                sel.selected
            ),
            go_error: format!(
                "go: {}",
                too_new_text(file, go, &running, gotoolchain, &sets)
            ),
            hint,
        });
    }
    sel
}

/// gover.TooNewError's text, without `go: `: `WHAT requires go >= GO (running go
/// RUNNING...)`, naming GOTOOLCHAIN unless it is unset or `auto`, then `sets` (the
/// `; go.mod sets ...` of the file that chose the toolchain, or empty).
pub fn too_new_text(what: &str, go: &str, running: &str, gotoolchain: &str, sets: &str) -> String {
    let mut explain = String::new();
    if !gotoolchain.is_empty() && gotoolchain != "auto" {
        explain = format!("; GOTOOLCHAIN={gotoolchain}");
    }
    explain.push_str(sets);
    format!("{what} requires go >= {go} (running go {running}{explain})")
}

/// The first release that satisfies a go line, to name what to install: `go1.25.0`
/// for the language version `1.25` (from 1.21 on, when languages and releases
/// parted), else the version as written.
pub fn first_release(go: &str) -> String {
    if is_lang(go) && compare(go, "1.21") != Ordering::Less {
        format!("go{go}.0")
    } else {
        format!("go{go}")
    }
}

/// The Go versions go can switch to with GOTOOLCHAIN=auto, from golang.org/toolchain's
/// version list (go's `toolchainRepo.Versions` for "go"): every platform's, each once,
/// the running go's own `own` added, ascending.
pub fn switch_candidates(module_versions: &[String], own: &str) -> Vec<String> {
    let mut versions: Vec<String> = Vec::new();
    for v in module_versions
        .iter()
        .filter_map(|v| go_of_module_version(v))
    {
        if !versions.iter().any(|have| have == v) {
            versions.push(v.to_string());
        }
    }
    if !versions.iter().any(|have| have == own) {
        versions.push(own.to_string());
    }
    versions.sort_by(|a, b| compare(a, b));
    versions
}

/// The Go versions go can switch to with GOTOOLCHAIN=path (go's `pathToolchains`):
/// every `go1.*` in the directories of `path` (a PATH value) that is not a directory,
/// names a valid Go version and may be executed, each version once, ascending, with
/// the directory of its first entry. Relative and empty PATH entries are skipped, as
/// go refuses local directories there; unreadable directories are passed over.
pub fn path_toolchains(path: &std::ffi::OsStr) -> Vec<(String, PathBuf)> {
    let mut found: Vec<(String, PathBuf)> = Vec::new();
    for dir in std::env::split_paths(path) {
        if !dir.is_absolute() {
            continue;
        }
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let Some(name) = name.to_str() else {
                continue;
            };
            if !name.starts_with("go1.") || entry.file_type().is_ok_and(|t| t.is_dir()) {
                continue;
            }
            // The entry's own mode (a symbolic link's, not its target's), as go's
            // `de.Info()`; an entry gone meanwhile is passed over, as go does.
            let Ok(info) = entry.metadata() else {
                continue;
            };
            let Some(v) = from_toolchain(name).filter(|v| v.starts_with("1.")) else {
                continue;
            };
            if found.iter().any(|(have, _)| have == v)
                || !may_execute(&entry.path(), info.permissions().mode())
            {
                continue;
            }
            found.push((v.to_string(), dir.clone()));
        }
    }
    found.sort_by(|a, b| compare(&a.0, &b.0));
    found
}

/// Whether this process may execute `path`, as go's `exec.findExecutable` decides on
/// Unix: the effective IDs' access (`faccessat` with `AT_EACCESS`), else, where that
/// check is not available (ENOSYS, or EPERM under a seccomp filter), an execute bit of
/// `mode` (findExecutable's is the file's after symbolic links, pathToolchains' the
/// directory entry's own). Whether `path` is a directory is the caller's question.
fn may_execute(path: &Path, mode: u32) -> bool {
    use std::os::unix::ffi::OsStrExt;
    let Ok(c_path) = std::ffi::CString::new(path.as_os_str().as_bytes()) else {
        return false;
    };
    // SAFETY: c_path is a NUL-terminated string that outlives the call.
    let rc = unsafe {
        libc::faccessat(
            libc::AT_FDCWD,
            c_path.as_ptr(),
            libc::X_OK,
            libc::AT_EACCESS,
        )
    };
    if rc == 0 {
        return true;
    }
    let errno = std::io::Error::last_os_error().raw_os_error();
    matches!(errno, Some(libc::ENOSYS) | Some(libc::EPERM)) && mode & 0o111 != 0
}

/// go's `switching to go >= NEED: WHY` (toolchain.Switch), without `go: `: the line it
/// stops with when no newer toolchain can be had.
pub fn switch_failed_text(need: &str, why: &str) -> String {
    format!("switching to go >= {need}: {why}")
}

/// `linux/amd64`: the platform in go's download message.
pub fn platform_text() -> String {
    let (goos, goarch) = host_platform();
    format!("{goos}/{goarch}")
}

/// A release to suggest for a toolchain line.
fn suggest_release(local_version: &str) -> String {
    if local_version.is_empty() {
        "go1.27.3".to_string()
    } else {
        format!("go{local_version}")
    }
}

/// Go's `%q` for the short ASCII texts here.
fn go_quote(text: &str) -> String {
    crate::goquote::quote(text)
}

/// The go command's line when the toolchain module cannot be downloaded because the
/// proxy (or `GOPROXY=off`) does not have it: `toolchain` is `go1.28.1`.
pub fn not_available_text(toolchain: &str, goos: &str, goarch: &str) -> String {
    let version = from_toolchain(toolchain).unwrap_or("");
    if is_lang(version) && compare(version, "1.21") != Ordering::Less {
        return format!(
            "go: invalid toolchain: {toolchain} is a language version but not a toolchain version ({toolchain}.x)"
        );
    }
    format!("go: download {toolchain} for {goos}/{goarch}: toolchain not available")
}

/// Where the local go's version was learned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LocalGo {
    /// Its toolchain name, `go1.27.3`.
    pub toolchain: String,
    /// `flag` (`--go`), `goroot` (`$GOROOT/VERSION`) or `go_env` (`go env GOVERSION`).
    pub source: &'static str,
    /// The GOROOT it belongs to, when found.
    pub goroot: Option<PathBuf>,
}

/// The local go: `flag` (`--go 1.27.3` or `go1.27.3`) when given, else the version of
/// the installation the configuration found (`$GOROOT/VERSION`, else `go env
/// GOVERSION`, bounded). Err says why there is none.
pub fn local_go(cfg: &GoConfig, flag: Option<&str>) -> Result<LocalGo, String> {
    if let Some(flag) = flag {
        let name = if flag.starts_with("go") {
            flag.to_string()
        } else {
            format!("go{flag}")
        };
        if from_toolchain(&name).is_none() {
            return Err(format!(
                "--go {flag} is not a Go version (write 1.27.3 or go1.27.3)"
            ));
        }
        return Ok(LocalGo {
            toolchain: name,
            source: "flag",
            goroot: None,
        });
    }
    let Some(install) = &cfg.install else {
        return Err(
            "no go found (neither GOROOT nor go on PATH); give its version with --go".to_string(),
        );
    };
    if let Some(version) = install
        .version
        .as_deref()
        .filter(|v| from_toolchain(v).is_some())
    {
        return Ok(LocalGo {
            toolchain: version.to_string(),
            source: "goroot",
            goroot: Some(install.goroot.clone()),
        });
    }
    let binary = install
        .go_binary
        .clone()
        .unwrap_or_else(|| install.goroot.join("bin/go"));
    match go_env_goversion(&binary) {
        Some(version) => Ok(LocalGo {
            toolchain: version,
            source: "go_env",
            goroot: Some(install.goroot.clone()),
        }),
        None => Err(format!(
            "cannot tell the version of the go in {} (no VERSION file, `go env GOVERSION` failed); give it with --go",
            install.goroot.display()
        )),
    }
}

/// `go env GOVERSION` of `binary`, run without switching and bounded in time.
fn go_env_goversion(binary: &Path) -> Option<String> {
    let mut child = std::process::Command::new(binary)
        .args(["env", "GOVERSION"])
        .env("GOTOOLCHAIN", "local")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .ok()?;
    let started = std::time::Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if started.elapsed() < GO_ENV_TIMEOUT => {
                std::thread::sleep(Duration::from_millis(20));
            }
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                return None;
            }
        }
    }
    let mut out = String::new();
    std::io::Read::read_to_string(&mut child.stdout.take()?, &mut out).ok()?;
    let version = out.trim().to_string();
    from_toolchain(&version).is_some().then_some(version)
}

/// The first executable file named `name` in the directories of `path` (a PATH
/// value), as the go command looks for a toolchain before downloading it. Relative
/// directories are skipped, as Go's `exec.LookPath` refuses what they find.
pub fn look_path(name: &str, path: &str) -> Option<PathBuf> {
    std::env::split_paths(path)
        .filter(|dir| dir.is_absolute())
        .map(|dir| dir.join(name))
        .find(|file| {
            std::fs::metadata(file)
                .is_ok_and(|m| !m.is_dir() && may_execute(file, m.permissions().mode()))
        })
}

/// The toolchain decision for one go.mod or go.work, ready for a `toolchain` record;
/// the route of the toolchain module is left for the caller.
#[derive(Clone, Debug)]
pub struct Report {
    /// The record's fields (without `route`).
    pub body: ToolchainBody,
    /// What stops the go command.
    pub problem: Option<Problem>,
    /// What works here but not everywhere.
    pub warnings: Vec<Problem>,
}

/// Decides as the go command does when run in `modfile`'s directory (or in `cwd`
/// when none is given): finds the go.work or go.mod, reads GOTOOLCHAIN and the local
/// go (`go_flag` overrides it), selects the toolchain and, when go downloads it, names
/// the module version for this machine's platform.
pub fn report(cfg: &GoConfig, go_flag: Option<&str>, modfile: Option<&Path>, cwd: &Path) -> Report {
    let mut out = Report {
        body: ToolchainBody::default(),
        problem: None,
        warnings: Vec::new(),
    };
    let setting = cfg.setting("GOTOOLCHAIN");
    let gotoolchain = setting.map_or_else(String::new, |s| s.value.clone());
    // The file: as go finds it from the directory it runs in.
    let dir = match modfile {
        Some(file) => {
            let file = if file.is_absolute() {
                file.to_path_buf()
            } else {
                cwd.join(file)
            };
            file.parent()
                .map_or_else(|| cwd.to_path_buf(), Path::to_path_buf)
        }
        None => cwd.to_path_buf(),
    };
    let goroot = cfg.install.as_ref().map(|i| i.goroot.as_path());
    let found = find_main_file(
        &dir,
        &cfg.getenv("GO111MODULE"),
        &cfg.getenv("GOWORK"),
        goroot,
        &std::env::temp_dir(),
    );
    let file = match found {
        Ok(Some(found)) if found.file_name().is_some_and(|n| n == "go.work") => Some(found),
        Ok(found) => modfile.map(Path::to_path_buf).or(found),
        Err(go_error) => {
            out.problem = Some(Problem {
                code: Code::GoworkInvalid,
                message: "GOWORK is neither off, auto nor an absolute path".to_string(),
                go_error,
                hint: "set GOWORK to the absolute path of a go.work file, or to off".to_string(),
            });
            None
        }
    };
    let mut lines = FileLines::default();
    if let Some(file) = &file {
        let shown = short_path(cwd, file);
        match FileLines::read(file, shown.clone()) {
            Ok(read) => lines = read,
            Err(go_error) => {
                out.problem = Some(Problem {
                    code: Code::FileUnreadable,
                    message: format!("{shown} cannot be read"),
                    go_error,
                    hint: format!("check that {shown} is a readable file"),
                });
            }
        }
        out.body.file = Some(shown);
    }
    out.body.go_line = lines.go.clone();
    out.body.toolchain_line = lines.toolchain.clone();
    let local = local_go(cfg, go_flag);
    out.body.local = local.as_ref().ok().map(|l| LocalInfo {
        toolchain: l.toolchain.clone(),
        source: l.source,
        goroot: l.goroot.as_ref().map(|g| g.display().to_string()),
    });
    let minimum = |local: &str| {
        gotoolchain
            .split('+')
            .next()
            .filter(|min| !min.is_empty() && !matches!(*min, "local" | "auto" | "path"))
            .unwrap_or(local)
            .to_string()
    };
    let mut gt = GotoolchainInfo {
        value: gotoolchain.clone(),
        source: setting.map_or("default", |s| s.source.as_str()),
        file: setting
            .and_then(|s| s.file.as_ref())
            .map(|f| f.display().to_string()),
        mode: Mode::Local.as_str(),
        minimum: minimum(local.as_ref().map_or("", |l| l.toolchain.as_str())),
    };
    let local = match local {
        Ok(local) => local,
        Err(why) => {
            out.body.gotoolchain = Some(gt);
            if out.problem.is_none() {
                out.problem = Some(Problem {
                    code: Code::GoVersionUnknown,
                    message: why,
                    go_error: String::new(),
                    hint: "give the go version the decision is for: --go 1.27.3".to_string(),
                });
            }
            return out;
        }
    };
    if out.problem.is_some() {
        out.body.gotoolchain = Some(gt);
        return out;
    }
    let sel = select(&local.toolchain, &gotoolchain, &lines);
    gt.mode = sel.mode.as_str();
    out.body.gotoolchain = Some(gt);
    out.body.selected = Some(sel.selected.clone());
    out.body.reason = Some(sel.reason.as_str());
    out.body.switch = sel.switches;
    out.warnings.extend(sel.warning.clone());
    out.problem = sel.problem.clone();
    if !sel.switches || out.problem.is_some() {
        return out;
    }
    let path = cfg.environment().get("PATH").to_string();
    out.body.found_in_path = look_path(&sel.selected, &path).map(|p| p.display().to_string());
    if out.body.found_in_path.is_some() {
        return out;
    }
    if sel.path_only {
        out.problem = Some(Problem {
            code: Code::ToolchainNotInPath,
            message: format!(
                "GOTOOLCHAIN={gotoolchain} lets go take {} only from PATH, and it is not there",
                sel.selected
            ),
            go_error: format!("go: cannot find {} in PATH", go_quote(&sel.selected)),
            hint: format!(
                "put {} in PATH (go install golang.org/dl/{}@latest, then {} download), or set GOTOOLCHAIN=auto to let go download it",
                sel.selected, sel.selected, sel.selected
            ),
        });
        return out;
    }
    let (goos, goarch) = host_platform();
    let version = module_version(&sel.selected, goos, goarch);
    if crate::route::sumdb_use(MODULE, "on", "", cfg.get("GOPROXY")) == crate::route::SumdbUse::Used
        && cfg.get("GOSUMDB") == "off"
    {
        out.problem = Some(Problem {
            code: Code::ToolchainSumdbOff,
            message: format!(
                "go verifies every toolchain against the checksum database, and GOSUMDB=off leaves none: it refuses {} (if the proxy has it at all)",
                sel.selected
            ),
            go_error: format!(
                "go: download {}: {MODULE}@{version}: verifying module: checksum database disabled by GOSUMDB=off",
                sel.selected
            ),
            hint: format!(
                "set GOSUMDB=sum.golang.org (or a database that knows {MODULE}) for the switch; GONOSUMDB does not exempt toolchains; or install {} yourself and put it in PATH",
                sel.selected
            ),
        });
    }
    out.body.module = Some(MODULE.to_string());
    out.body.version = Some(version);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newer_toolchain_is_go_s_choice() {
        let list = |vs: &[&str]| vs.iter().map(|v| v.to_string()).collect::<Vec<_>>();
        let all = list(&[
            "1.21.0", "1.21.1", "1.22.0", "1.22.5", "1.23rc1", "1.23.0", "1.23.2",
        ]);
        // The newest patch of the family before the newest release family.
        assert_eq!(newer_toolchain("1.21", &all), Ok("go1.22.5".to_string()));
        assert_eq!(newer_toolchain("1.22.3", &all), Ok("go1.22.5".to_string()));
        // Only the newest family is new enough.
        assert_eq!(newer_toolchain("1.23", &all), Ok("go1.23.2".to_string()));
        // A prerelease family on top: the release before it.
        let pre = list(&["1.22.0", "1.22.5", "1.23rc1"]);
        assert_eq!(newer_toolchain("1.22", &pre), Ok("go1.22.5".to_string()));
        assert_eq!(
            newer_toolchain("1.23rc1", &pre),
            Ok("go1.23rc1".to_string())
        );
        assert_eq!(
            newer_toolchain("1.99", &all),
            Err("no releases found for go >= 1.99".to_string())
        );
        assert_eq!(
            newer_toolchain("1.21", &[]),
            Err("no releases found for go >= 1.21".to_string())
        );
    }

    #[test]
    fn toolchain_module_versions_name_their_go() {
        assert_eq!(
            go_of_module_version("v0.0.1-go1.21.3.linux-amd64"),
            Some("1.21.3")
        );
        assert_eq!(
            go_of_module_version("v0.0.1-go1.22rc1.windows-arm64"),
            Some("1.22rc1")
        );
        assert_eq!(go_of_module_version("v0.0.1-go1.21.3.linux"), None);
        assert_eq!(go_of_module_version("v0.0.1"), None);
        assert_eq!(lang("1.21.3"), "1.21");
        assert_eq!(lang("1.21rc2"), "1.21");
        assert_eq!(lang("1"), "1");
        assert!(is_prerelease("1.21rc1") && !is_prerelease("1.21.0") && !is_prerelease("1.21"));
    }

    #[test]
    fn versions_compare_as_go_compares_them() {
        // internal/gover's own table, and the language-version rule.
        let table = [
            ("", "", Ordering::Equal),
            ("x", "x", Ordering::Equal),
            ("", "x", Ordering::Equal),
            ("1", "1.1", Ordering::Less),
            ("1.5", "1.6", Ordering::Less),
            ("1.5", "1.10", Ordering::Less),
            ("1.6", "1.6.1", Ordering::Less),
            ("1.19", "1.19.0", Ordering::Equal),
            ("1.19rc1", "1.19", Ordering::Less),
            ("1.20", "1.20.0", Ordering::Equal),
            ("1.20rc1", "1.20", Ordering::Less),
            ("1.21", "1.21.0", Ordering::Less),
            ("1.21", "1.21rc1", Ordering::Less),
            ("1.21rc1", "1.21.0", Ordering::Less),
            ("1.6", "1.19", Ordering::Less),
            ("1.19", "1.19.1", Ordering::Less),
            ("1.19rc1", "1.19.1", Ordering::Less),
            ("1.19rc1", "1.19rc2", Ordering::Less),
            ("1.19.0", "1.19.1", Ordering::Less),
            ("1.19rc1", "1.19.0", Ordering::Less),
            ("1.19alpha3", "1.19beta2", Ordering::Less),
            ("1.19beta2", "1.19rc1", Ordering::Less),
            ("1.1", "1.99999999999999998", Ordering::Less),
            ("1.99999999999999998", "1.99999999999999999", Ordering::Less),
            ("1.28", "1.27.3", Ordering::Greater),
            ("1.22", "1.27.3", Ordering::Less),
        ];
        for (x, y, want) in table {
            assert_eq!(compare(x, y), want, "compare({x:?}, {y:?})");
            assert_eq!(compare(y, x), want.reverse(), "compare({y:?}, {x:?})");
        }
    }

    #[test]
    fn language_versions_and_toolchain_names() {
        assert!(is_lang("1.21"));
        assert!(is_lang("1.28"));
        assert!(!is_lang("1.21.0"));
        assert!(!is_lang("1.21rc1"));
        assert!(!is_lang("1.20"), "before 1.21 a missing patch is .0");
        assert!(!is_valid("1.2.x"));
        assert!(
            is_valid("1.999testmod"),
            "internal/gover parses a lower-case kind"
        );
        assert!(!is_valid("01.2"));
        assert!(!is_valid("1.21.3rc1"));
        assert_eq!(from_toolchain("go1.2.3"), Some("1.2.3"));
        assert_eq!(from_toolchain("go1.2.3-bigcorp"), Some("1.2.3"));
        assert_eq!(from_toolchain("go1.28"), Some("1.28"));
        assert_eq!(from_toolchain("invalid"), None);
        assert_eq!(from_toolchain("go1.2/x"), None);
        assert_eq!(from_toolchain("1.2.3"), None);
    }

    #[test]
    fn module_versions_round_trip() {
        let v = module_version("go1.28.1", "linux", "amd64");
        assert_eq!(v, "v0.0.1-go1.28.1.linux-amd64");
        assert_eq!(
            parse_module_version(&v),
            Some(("go1.28.1", "linux", "amd64"))
        );
        assert_eq!(
            parse_module_version("v0.0.1-go1.28.linux-arm64"),
            Some(("go1.28", "linux", "arm64"))
        );
        assert_eq!(parse_module_version("v1.0.0"), None);
    }

    #[test]
    fn gomod_lookup_reads_the_first_line_like_go() {
        let data =
            "module m\n\n  go 1.28.1 // a comment\ntoolchain\tgo1.29.0\ngo 1.0\ngodebug x=1\n";
        assert_eq!(gomod_lookup(data, "go").as_deref(), Some("1.28.1"));
        assert_eq!(gomod_lookup(data, "toolchain").as_deref(), Some("go1.29.0"));
        assert_eq!(gomod_lookup("module m\ngodebug x=1\n", "go"), None);
    }

    fn lines(go: Option<&str>, toolchain: Option<&str>) -> FileLines {
        FileLines {
            file: Some("go.mod".to_string()),
            go: go.map(str::to_string),
            toolchain: toolchain.map(str::to_string),
        }
    }

    /// One row: GOTOOLCHAIN, go line, toolchain line → the toolchain go1.27.3 runs,
    /// why, and the go_error it stops with (each checked against go1.27.3 run on a
    /// go.mod with those lines and GOTOOLCHAIN, see tests/cli/toolchain_interop.rs).
    #[test]
    fn selection_follows_go127() {
        type Row = (
            &'static str,
            Option<&'static str>,
            Option<&'static str>,
            &'static str,
            Reason,
            Option<&'static str>,
        );
        let table: &[Row] = &[
            ("auto", Some("1.22"), None, "go1.27.3", Reason::Local, None),
            (
                "auto",
                Some("1.27.3"),
                None,
                "go1.27.3",
                Reason::Local,
                None,
            ),
            (
                "auto",
                Some("1.28.1"),
                None,
                "go1.28.1",
                Reason::GoLine,
                None,
            ),
            ("auto", Some("1.28"), None, "go1.28.0", Reason::GoLine, None),
            (
                "auto",
                Some("1.28rc1"),
                None,
                "go1.28rc1",
                Reason::GoLine,
                None,
            ),
            (
                "auto",
                Some("1.22"),
                Some("go1.28.1"),
                "go1.28.1",
                Reason::ToolchainLine,
                None,
            ),
            (
                "auto",
                Some("1.29.0"),
                Some("go1.28.1"),
                "go1.29.0",
                Reason::GoLine,
                None,
            ),
            (
                "auto",
                Some("1.22"),
                Some("go1.26.0"),
                "go1.27.3",
                Reason::Local,
                None,
            ),
            (
                "auto",
                None,
                Some("go1.28"),
                "go1.28",
                Reason::ToolchainLine,
                Some(
                    "go: invalid toolchain: go1.28 is a language version but not a toolchain version (go1.28.x)",
                ),
            ),
            (
                "auto",
                None,
                Some("bogus"),
                "go1.27.3",
                Reason::Local,
                Some("go: invalid toolchain \"bogus\" in go.mod"),
            ),
            (
                "auto",
                Some("1.28.1"),
                Some("default"),
                "go1.27.3",
                Reason::ToolchainDefault,
                Some(
                    "go: go.mod requires go >= 1.28.1 (running go 1.27.3; go.mod sets toolchain default)",
                ),
            ),
            (
                "local",
                Some("1.28.1"),
                None,
                "go1.27.3",
                Reason::Local,
                Some("go: go.mod requires go >= 1.28.1 (running go 1.27.3; GOTOOLCHAIN=local)"),
            ),
            (
                "local",
                Some("1.28.1"),
                Some("go1.29.0"),
                "go1.27.3",
                Reason::Local,
                Some("go: go.mod requires go >= 1.28.1 (running go 1.27.3; GOTOOLCHAIN=local)"),
            ),
            (
                "go1.27.3",
                Some("1.28.1"),
                None,
                "go1.27.3",
                Reason::Gotoolchain,
                Some("go: go.mod requires go >= 1.28.1 (running go 1.27.3; GOTOOLCHAIN=go1.27.3)"),
            ),
            (
                "go1.26.0+auto",
                Some("1.28.1"),
                None,
                "go1.28.1",
                Reason::GoLine,
                None,
            ),
            (
                "go1.29.0+auto",
                Some("1.28.1"),
                None,
                "go1.29.0",
                Reason::Gotoolchain,
                None,
            ),
            (
                "path",
                Some("1.28.1"),
                None,
                "go1.28.1",
                Reason::GoLine,
                None,
            ),
            (
                "",
                Some("1.28.1"),
                None,
                "go1.27.3",
                Reason::Local,
                Some("go: go.mod requires go >= 1.28.1 (running go 1.27.3)"),
            ),
            (
                "bogus",
                Some("1.28.1"),
                None,
                "go1.27.3",
                Reason::Local,
                Some("go: invalid GOTOOLCHAIN \"bogus\""),
            ),
            (
                "go1.26+foo",
                Some("1.28.1"),
                None,
                "go1.26",
                Reason::Gotoolchain,
                Some(
                    "go: invalid GOTOOLCHAIN \"go1.26+foo\": only version suffixes are +auto and +path",
                ),
            ),
            (
                "foo+auto",
                Some("1.28.1"),
                None,
                "go1.27.3",
                Reason::Local,
                Some("go: invalid GOTOOLCHAIN \"foo+auto\": invalid minimum toolchain \"foo\""),
            ),
            (
                "go1.28",
                None,
                None,
                "go1.28",
                Reason::Gotoolchain,
                Some(
                    "go: invalid toolchain: go1.28 is a language version but not a toolchain version (go1.28.x)",
                ),
            ),
        ];
        for (gotoolchain, go, toolchain, selected, reason, go_error) in table {
            let sel = select("go1.27.3", gotoolchain, &lines(*go, *toolchain));
            let row = format!("GOTOOLCHAIN={gotoolchain} go={go:?} toolchain={toolchain:?}");
            assert_eq!(sel.selected, *selected, "{row}");
            assert_eq!(sel.reason, *reason, "{row}");
            assert_eq!(
                sel.problem.as_ref().map(|p| p.go_error.as_str()),
                *go_error,
                "{row}"
            );
            if go_error.is_none() {
                assert_eq!(sel.switches, *selected != "go1.27.3", "{row}");
            }
        }
    }

    #[test]
    fn a_bare_language_go_line_that_switches_is_flagged() {
        let sel = select("go1.27.3", "auto", &lines(Some("1.28"), None));
        let warning = sel.warning.expect("a warning");
        assert_eq!(warning.code, Code::ToolchainLanguageVersion);
        assert_eq!(warning.hint, "write go 1.28.0 in go.mod");
        // No switch, no warning: go1.27 handles go 1.22 itself.
        assert!(
            select("go1.27.3", "auto", &lines(Some("1.22"), None))
                .warning
                .is_none()
        );
    }

    #[test]
    fn path_mode_does_not_download_and_without_a_file_nothing_switches() {
        let sel = select("go1.27.3", "path", &lines(Some("1.28.1"), None));
        assert!(sel.path_only && sel.switches && !sel.downloads());
        let sel = select("go1.27.3", "auto", &FileLines::default());
        assert_eq!((sel.selected.as_str(), sel.switches), ("go1.27.3", false));
        let sel = select("go1.27.3", "auto", &lines(Some("1.28.1"), None));
        assert!(sel.downloads());
    }

    #[test]
    fn not_available_names_the_toolchain_and_platform() {
        assert_eq!(
            not_available_text("go1.28.1", "linux", "amd64"),
            "go: download go1.28.1 for linux/amd64: toolchain not available"
        );
        assert_eq!(
            not_available_text("go1.28", "linux", "amd64"),
            "go: invalid toolchain: go1.28 is a language version but not a toolchain version (go1.28.x)"
        );
    }

    #[test]
    fn files_are_found_as_go_finds_them() {
        let root = std::env::temp_dir().join(format!("gomod-toolchain-{}", std::process::id()));
        let sub = root.join("a/b");
        std::fs::create_dir_all(&sub).unwrap();
        std::fs::write(root.join("a/go.mod"), "module m\n").unwrap();
        let tmp = Path::new("/nonexistent-tmp");
        assert_eq!(
            find_file(&sub, "", None, tmp).unwrap(),
            Some(root.join("a/go.mod"))
        );
        std::fs::write(root.join("go.work"), "go 1.28.1\n").unwrap();
        assert_eq!(
            find_file(&sub, "auto", None, tmp).unwrap(),
            Some(root.join("go.work"))
        );
        assert_eq!(
            find_file(&sub, "off", None, tmp).unwrap(),
            Some(root.join("a/go.mod"))
        );
        // The search for go.work does not go up into GOROOT.
        assert_eq!(
            find_file(&sub, "", Some(&root), tmp).unwrap(),
            Some(root.join("a/go.mod"))
        );
        // go.mod directly in the temporary directory is ignored.
        assert_eq!(find_file(&sub, "off", None, &root.join("a")).unwrap(), None);
        assert!(find_file(&sub, "rel/go.work", None, tmp).is_err());
        assert_eq!(short_path(&root, &root.join("a/go.mod")), "a/go.mod");
        std::fs::remove_dir_all(&root).unwrap();
    }
}
