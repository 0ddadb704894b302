//! go.mod parsing, faithful to `golang.org/x/mod/modfile` as vendored in Go 1.27
//! (`read.go` for the lexer and syntax tree, `rule.go` for the directives).
//!
//! [`parse`] is `modfile.Parse(file, data, nil)` (what `go mod edit` uses),
//! [`parse_lax`] is `modfile.ParseLax(file, data, nil)` (how the go command reads
//! the go.mod files of dependencies), and [`parse_with_fixer`] takes the
//! `VersionFixer` the go command passes when it loads its main module.
//! Error texts and positions are Go's; [`ParseErrors`] prints like
//! `modfile.ErrorList`. The go command prefixes that list with
//! `errors parsing go.mod:\n` (after shortening the file name) — that header
//! belongs to the caller.
//!
//! Go strings may hold any bytes; the parser works on bytes throughout (so
//! positions, `%q` quoting and unquoting match Go byte for byte) and converts
//! to `String` only in its results, where invalid UTF-8 becomes U+FFFD.

use std::fmt;

use crate::goquote::{is_print, quote_bytes as quote, quote_rune};

/// The interpreted form of a go.mod file; mirrors `modfile.File`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ModFile {
    pub module: Option<Module>,
    /// The `go` directive's version, e.g. `1.23` (a lax parse may have trimmed it, see [`parse_lax`]).
    pub go: Option<String>,
    /// The `toolchain` directive's name, e.g. `go1.21rc1` or `default`.
    pub toolchain: Option<String>,
    pub godebugs: Vec<Godebug>,
    pub requires: Vec<Require>,
    pub excludes: Vec<Exclude>,
    pub replaces: Vec<Replace>,
    pub retracts: Vec<Retract>,
    pub tools: Vec<Tool>,
    pub ignores: Vec<Ignore>,
}

/// The `module` directive; mirrors `modfile.Module`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Module {
    pub path: String,
    /// The text after `Deprecated:` in the directive's comments (`parseDeprecation`);
    /// `None` when absent or empty, which the go command treats alike.
    pub deprecated: Option<String>,
    pub line: usize,
}

/// One `godebug key=value` directive; mirrors `modfile.Godebug`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Godebug {
    pub key: String,
    pub value: String,
    pub line: usize,
}

/// One `require` directive; mirrors `modfile.Require`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Require {
    pub path: String,
    pub version: String,
    /// Has an end-of-line `// indirect` (or `// indirect; ...`) comment (`isIndirect`).
    pub indirect: bool,
    pub line: usize,
}

/// One `exclude` directive; mirrors `modfile.Exclude`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exclude {
    pub path: String,
    pub version: String,
    pub line: usize,
}

/// One `replace old [v] => new [v]` directive; mirrors `modfile.Replace`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replace {
    pub old_path: String,
    /// `None` replaces every version of `old_path`.
    pub old_version: Option<String>,
    pub new_path: String,
    pub new_version: Option<String>,
    pub line: usize,
}

impl Replace {
    /// Whether the replacement is a directory on disk rather than a module version.
    /// The go command decides this by the new version being empty; the parser only
    /// lets that happen for directory paths (`./x`, `../x`, `/x`, `C:\x`, ...).
    pub fn is_local_dir(&self) -> bool {
        self.new_version.is_none()
    }
}

/// One `retract` directive: a single version (`low == high`) or a closed
/// interval `[low, high]`; mirrors `modfile.Retract`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Retract {
    pub low: String,
    pub high: String,
    /// The directive's comments (`parseDirectiveComment`), `None` if there are none.
    pub rationale: Option<String>,
    pub line: usize,
}

/// One `tool` directive; mirrors `modfile.Tool`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tool {
    pub path: String,
    pub line: usize,
}

/// One `ignore` directive; mirrors `modfile.Ignore`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ignore {
    pub path: String,
    pub line: usize,
}

/// A main-module requirement after the module's own `exclude` and `replace`
/// directives are applied; see [`ModFile::effective_requirements`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    pub require: Require,
    /// An `exclude` names exactly this path and version.
    pub excluded: bool,
    /// The `replace` directive the go command would use for this path and version.
    pub replacement: Option<Replace>,
}

impl Requirement {
    /// Whether the requirement is replaced by a directory on disk.
    pub fn is_local_replacement(&self) -> bool {
        self.replacement.as_ref().is_some_and(Replace::is_local_dir)
    }
}

/// Two `replace` directives for the same `old [v]` with different targets,
/// which the go command refuses (`toReplaceMap` in cmd/go/internal/modload).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplaceConflict<'a> {
    pub first: &'a Replace,
    pub second: &'a Replace,
}

impl fmt::Display for ReplaceConflict<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let old = version_string(&self.first.old_path, self.first.old_version.as_deref());
        let prev = version_string(&self.first.new_path, self.first.new_version.as_deref());
        let new = version_string(&self.second.new_path, self.second.new_version.as_deref());
        write!(
            f,
            "go: conflicting replacements for {old}:\n\t{prev}\n\t{new}"
        )
    }
}

impl std::error::Error for ReplaceConflict<'_> {}

/// `module.Version.String`: `path@version`, or just `path` without a version.
fn version_string(path: &str, version: Option<&str>) -> String {
    match version {
        Some(v) => format!("{path}@{v}"),
        None => path.to_string(),
    }
}

impl ModFile {
    /// The `replace` directive that applies to `path@version` in this (main) module,
    /// like `replacement` in cmd/go/internal/modload: a replacement of exactly that
    /// version wins over one of all versions. When a key is repeated the last one is
    /// used, as the go command's map does (see [`ModFile::check_replaces`]).
    pub fn replacement(&self, path: &str, version: &str) -> Option<&Replace> {
        let last = |want: Option<&str>| {
            self.replaces
                .iter()
                .rev()
                .find(|r| r.old_path == path && r.old_version.as_deref() == want)
        };
        last(Some(version)).or_else(|| last(None))
    }

    /// Reports the first repeated `replace` key whose targets differ, which makes the
    /// go command exit with this error when it loads the module as its main module.
    pub fn check_replaces(&self) -> Result<(), ReplaceConflict<'_>> {
        for (i, second) in self.replaces.iter().enumerate() {
            let same_old =
                |r: &&Replace| r.old_path == second.old_path && r.old_version == second.old_version;
            if let Some(first) = self.replaces[..i].iter().rev().find(same_old)
                && (first.new_path != second.new_path || first.new_version != second.new_version)
            {
                return Err(ReplaceConflict { first, second });
            }
        }
        Ok(())
    }

    /// The `require` directives as the go command sees them when this file is its
    /// main module's go.mod: each marked `excluded` when an `exclude` names that exact
    /// path and version (the go command then drops it with "go: ignoring requirement
    /// on excluded version ..."), with the replacement that applies
    /// ([`ModFile::replacement`]).
    ///
    /// Not modelled: minimal version selection (the selected version may be higher
    /// than required, and excludes then move it up further), workspaces (go.work
    /// `replace` directives take precedence, relative directories are resolved
    /// against each module root), `GOFLAGS=-modfile`, vendoring, and replacing the
    /// main module itself.
    pub fn effective_requirements(&self) -> Vec<Requirement> {
        self.requires
            .iter()
            .map(|r| Requirement {
                require: r.clone(),
                excluded: self
                    .excludes
                    .iter()
                    .any(|x| x.path == r.path && x.version == r.version),
                replacement: self.replacement(&r.path, &r.version).cloned(),
            })
            .collect()
    }

    /// The `retract` directives that cover `version` when this file is the go.mod of
    /// the module's latest version (`CheckRetractions`: `low <= version <= high`).
    pub fn retractions_covering(&self, version: &str) -> Vec<&Retract> {
        self.retracts
            .iter()
            .filter(|r| {
                crate::semver::compare(&r.low, version).is_le()
                    && crate::semver::compare(version, &r.high).is_le()
            })
            .collect()
    }
}

/// Go's `modload.ShortMessage`: a text from a go.mod (a retraction's rationale, a
/// deprecation) as the go command prints it on a terminal: its first line, trimmed;
/// `empty_default` when that is empty; a fixed text when it is longer than 500 bytes
/// or holds a character that is neither graphic nor a space.
pub fn short_message(message: &str, empty_default: &str) -> String {
    let first = message.split('\n').next().unwrap_or("");
    let message = first.trim_matches(go_space);
    if message.is_empty() {
        return empty_default.to_string();
    }
    if message.len() > 500 {
        return "(message omitted: too long)".to_string();
    }
    if message.chars().any(|c| !is_print(c) && !go_space(c)) {
        return "(message omitted: contains non-printable characters)".to_string();
    }
    message.to_string()
}

/// Go's `unicode.IsSpace`, and the space separators `unicode.IsGraphic` adds to
/// `strconv.IsPrint`.
fn go_space(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\u{b}' | '\u{c}' | '\r' | ' ' | '\u{85}' | '\u{a0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200a}' | '\u{2028}' | '\u{2029}' | '\u{202f}' | '\u{205f}' | '\u{3000}'
    )
}

/// One go.mod error; mirrors `modfile.Error`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub file: String,
    pub line: usize,
    /// Rune (not byte) column, starting at 1; printed only when greater than 1.
    pub column: usize,
    /// The directive the error is about, or empty.
    pub verb: String,
    /// The module path the error is about, or empty.
    pub mod_path: String,
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.column > 1 {
            write!(f, "{}:{}:{}: ", self.file, self.line, self.column)?;
        } else {
            write!(f, "{}:{}: ", self.file, self.line)?;
        }
        if !self.mod_path.is_empty() {
            write!(f, "{} {}: ", self.verb, self.mod_path)?;
        } else if !self.verb.is_empty() {
            write!(f, "{}: ", self.verb)?;
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for ParseError {}

/// All errors of one parse, in Go's order; mirrors `modfile.ErrorList`
/// (printed one per line).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseErrors(pub Vec<ParseError>);

impl fmt::Display for ParseErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ParseErrors {}

/// Which directives a parse accepts: `modfile.Parse` versus `modfile.ParseLax`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Every directive must be known and well formed (a main module's go.mod).
    Strict,
    /// Only `module`, `go`, `require`, `retract` and `ignore` are interpreted; other
    /// directives and blocks are skipped unchecked, a malformed `retract` is
    /// dropped, and a `go` version like `1.21-custom` is trimmed to `1.21`
    /// (a dependency's go.mod).
    Lax,
}

/// The error of a version fixer (`modfile.VersionFixer`), in the two shapes
/// `parseVersion` tells apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FixError {
    /// A `*module.ModuleError`: its inner error text, which the parser prefixes
    /// with `<verb> <module path>: `.
    Module(String),
    /// Any other error, reported with its text alone.
    Other(String),
}

/// Parses a main module's go.mod strictly with versions canonicalized by
/// `module.CanonicalVersion`; mirrors `modfile.Parse(file, data, nil)`.
pub fn parse(file_name: &str, data: &[u8]) -> Result<ModFile, ParseErrors> {
    parse_file(file_name, data, Mode::Strict, Fix::Canonical)
}

/// Parses a dependency's go.mod; mirrors `modfile.ParseLax(file, data, nil)`. See [`Mode::Lax`].
pub fn parse_lax(file_name: &str, data: &[u8]) -> Result<ModFile, ParseErrors> {
    parse_file(file_name, data, Mode::Lax, Fix::Canonical)
}

/// The directories of a go.work file's `use` directives, as written (relative to the
/// go.work file's directory unless absolute), in file order. Only what the go command
/// needs to find its workspace's modules: other directives, and `use` lines that are
/// not one (quoted or plain) path, are left out; a file that does not lex is an error.
pub fn work_uses(file_name: &str, data: &[u8]) -> Result<Vec<String>, ParseError> {
    let stmts = parse_syntax(file_name, data)?;
    let mut dirs = Vec::new();
    let mut take = |tokens: &[Vec<u8>]| {
        if let [dir] = tokens
            && let Ok(dir) = parse_string(dir)
        {
            dirs.push(lossy(&dir));
        }
    };
    for stmt in &stmts {
        match stmt {
            Stmt::Line(line) if line.tokens[0] == b"use" => take(&line.tokens[1..]),
            Stmt::Block(block) if block.tokens == [b"use".to_vec()] => {
                block.lines.iter().for_each(|line| take(&line.tokens));
            }
            _ => {}
        }
    }
    Ok(dirs)
}

/// Parses with a version fixer, like `modfile.Parse`/`ParseLax` with a non-nil `fix`.
///
/// `fix(path, version)` replaces the canonical-version check for `require`,
/// `exclude` and `replace` versions, and is applied to `retract` versions (with
/// the `module` path) once the whole file is read; a file with `retract` but no
/// `module` then fails. The go command loads its main module this way, with a
/// fixer that accepts canonical versions whose major version matches the path and
/// resolves anything else (`master`, `v1.2`) by querying the module proxy.
pub fn parse_with_fixer(
    file_name: &str,
    data: &[u8],
    mode: Mode,
    fix: &mut dyn FnMut(&str, &str) -> Result<String, FixError>,
) -> Result<ModFile, ParseErrors> {
    parse_file(file_name, data, mode, Fix::Caller(fix))
}

/// How `parseVersion` treats a version once unquoted.
enum Fix<'f> {
    /// `fix == nil`: must be a valid semantic version; canonicalized.
    Canonical,
    /// `dontFixRetract`: taken as is.
    Keep,
    Caller(&'f mut dyn FnMut(&str, &str) -> Result<String, FixError>),
}

/// `parseToFile`.
fn parse_file(file: &str, data: &[u8], mode: Mode, fix: Fix) -> Result<ModFile, ParseErrors> {
    let mut stmts = parse_syntax(file, data).map_err(|e| ParseErrors(vec![e]))?;
    let strict = mode == Mode::Strict;
    let mut b = Builder {
        file,
        strict,
        fix,
        out: ModFile::default(),
        errs: Vec::new(),
        retract_syntax: Vec::new(),
    };
    for stmt in &mut stmts {
        match stmt {
            Stmt::Line(line) => {
                let verb = line.tokens[0].clone();
                b.add(None, line, &verb, 1);
            }
            Stmt::Block(block) => {
                let verb = block.tokens[0].clone();
                let known = matches!(
                    &verb[..],
                    b"module"
                        | b"godebug"
                        | b"require"
                        | b"exclude"
                        | b"replace"
                        | b"retract"
                        | b"tool"
                        | b"ignore"
                );
                if block.tokens.len() > 1 || !known {
                    if strict {
                        let words: Vec<String> = block.tokens.iter().map(|t| lossy(t)).collect();
                        let msg = format!("unknown block type: {}", words.join(" "));
                        b.errs.push(b.error(block.start, Problem::plain(msg)));
                    }
                    continue;
                }
                for line in &mut block.lines {
                    b.add(Some(&block.before), line, &verb, 0);
                }
            }
            Stmt::Comments(_) => {}
        }
    }
    b.fix_retracts();
    if b.errs.is_empty() {
        Ok(b.out)
    } else {
        Err(ParseErrors(b.errs))
    }
}

/// An error before it is given a file position: `Err` of a `modfile.Error`
/// together with its `Verb` and `ModPath` (empty when absent).
struct Problem {
    verb: String,
    mod_path: String,
    message: String,
}

impl Problem {
    fn plain(message: String) -> Self {
        Problem {
            verb: String::new(),
            mod_path: String::new(),
            message,
        }
    }

    fn about(verb: &str, mod_path: &str, message: String) -> Self {
        Problem {
            verb: verb.to_string(),
            mod_path: mod_path.to_string(),
            message,
        }
    }
}

/// The interpretation state of `parseToFile` and `(*File).add`.
struct Builder<'a, 'f> {
    file: &'a str,
    strict: bool,
    fix: Fix<'f>,
    out: ModFile,
    errs: Vec<ParseError>,
    /// Start and tokens (as left by the first pass) of each accepted `retract`,
    /// which `fixRetract` parses again.
    retract_syntax: Vec<(Pos, Vec<Vec<u8>>)>,
}

impl Builder<'_, '_> {
    fn error(&self, pos: Pos, p: Problem) -> ParseError {
        ParseError {
            file: self.file.to_string(),
            line: pos.line,
            column: pos.line_rune,
            verb: p.verb,
            mod_path: p.mod_path,
            message: p.message,
        }
    }

    /// `(*File).add`: interprets one directive line; `args` are `line.tokens[first_arg..]`.
    fn add(
        &mut self,
        block_before: Option<&[String]>,
        line: &mut Line,
        verb_bytes: &[u8],
        first_arg: usize,
    ) {
        if !self.strict
            && !matches!(
                verb_bytes,
                b"go" | b"module" | b"retract" | b"require" | b"ignore"
            )
        {
            return;
        }
        let verb = lossy(verb_bytes);
        let start = line.start;
        if let Err(p) = self.directive(block_before, line, &verb, first_arg) {
            let err = self.error(start, p);
            self.errs.push(err);
        }
    }

    /// The directive-specific part of `add`; the caller positions the error.
    fn directive(
        &mut self,
        block_before: Option<&[String]>,
        line: &mut Line,
        verb: &str,
        first_arg: usize,
    ) -> Result<(), Problem> {
        let at = line.start.line;
        let err = |msg: &str| Problem::plain(msg.to_string());
        let args = &mut line.tokens[first_arg..];
        match verb {
            "go" => {
                if self.out.go.is_some() {
                    return Err(err("repeated go statement"));
                }
                if args.len() != 1 {
                    return Err(err("go directive expects exactly one argument"));
                }
                if !is_go_version(&args[0]) {
                    match lax_go_version(&args[0]).filter(|_| !self.strict) {
                        Some(trimmed) => args[0] = trimmed,
                        None => {
                            return Err(Problem::plain(format!(
                                "invalid go version '{}': must match format 1.23.0",
                                lossy(&args[0])
                            )));
                        }
                    }
                }
                self.out.go = Some(lossy(&args[0]));
            }
            "toolchain" => {
                if self.out.toolchain.is_some() {
                    return Err(err("repeated toolchain statement"));
                }
                if args.len() != 1 {
                    return Err(err("toolchain directive expects exactly one argument"));
                }
                let name = &args[0];
                if !(name == b"default" || name == b"go1" || name.starts_with(b"go1.")) {
                    return Err(Problem::plain(format!(
                        "invalid toolchain version '{}': must match format go1.23.0 or default",
                        lossy(name)
                    )));
                }
                self.out.toolchain = Some(lossy(name));
            }
            "module" => {
                if self.out.module.is_some() {
                    return Err(err("repeated module statement"));
                }
                let comment = directive_comment(block_before, line);
                let args = &line.tokens[first_arg..];
                // The module is recorded before its argument is checked, so a
                // second module line is "repeated" even after a bad first one.
                let module = self.out.module.insert(Module {
                    path: String::new(),
                    deprecated: comment.as_deref().and_then(deprecation),
                    line: at,
                });
                if args.len() != 1 {
                    return Err(err("usage: module module/path"));
                }
                module.path = lossy(&parse_string(&args[0]).map_err(invalid_quoted)?);
            }
            "godebug" => {
                if args.len() != 1 || args[0].iter().any(|c| b"\"`',".contains(c)) {
                    return Err(err("usage: godebug key=value"));
                }
                let Some(eq) = args[0].iter().position(|&c| c == b'=') else {
                    return Err(err("usage: godebug key=value"));
                };
                self.out.godebugs.push(Godebug {
                    key: lossy(&args[0][..eq]),
                    value: lossy(&args[0][eq + 1..]),
                    line: at,
                });
            }
            "require" | "exclude" => {
                if args.len() != 2 {
                    return Err(Problem::plain(format!("usage: {verb} module/path v1.2.3")));
                }
                let path = lossy(&parse_string(&args[0]).map_err(invalid_quoted)?);
                let version = lossy(&parse_version(verb, &path, &mut args[1], &mut self.fix)?);
                let major = module_path_major(&path).ok_or_else(|| err("invalid module path"))?;
                check_path_major(verb, &path, &version, major)?;
                if verb == "require" {
                    let indirect = is_indirect(line);
                    self.out.requires.push(Require {
                        path,
                        version,
                        indirect,
                        line: at,
                    });
                } else {
                    self.out.excludes.push(Exclude {
                        path,
                        version,
                        line: at,
                    });
                }
            }
            "replace" => {
                let replace = parse_replace(verb, args, &mut self.fix, at)?;
                self.out.replaces.push(replace);
            }
            "retract" => {
                let rationale = directive_comment(block_before, line);
                let args = &mut line.tokens[first_arg..];
                let parsed = parse_version_interval(verb, "", args, &mut Fix::Keep);
                let (low, high, used) = match parsed {
                    Ok(interval) => interval,
                    // Lax parses drop retractions they cannot read, leaving room
                    // for future interval syntax.
                    Err(p) if self.strict => return Err(p),
                    Err(_) => return Ok(()),
                };
                if let Some(extra) = args.get(used).filter(|_| self.strict) {
                    return Err(Problem::plain(format!(
                        "unexpected token after version: {}",
                        quote(extra)
                    )));
                }
                self.out.retracts.push(Retract {
                    low: lossy(&low),
                    high: lossy(&high),
                    rationale,
                    line: at,
                });
                self.retract_syntax.push((line.start, line.tokens.clone()));
            }
            "tool" | "ignore" => {
                if args.len() != 1 {
                    return Err(Problem::plain(format!(
                        "{verb} directive expects exactly one argument"
                    )));
                }
                let path = lossy(&parse_string(&args[0]).map_err(invalid_quoted)?);
                if verb == "tool" {
                    self.out.tools.push(Tool { path, line: at });
                } else {
                    self.out.ignores.push(Ignore { path, line: at });
                }
            }
            _ => return Err(Problem::plain(format!("unknown directive: {verb}"))),
        }
        Ok(())
    }

    /// `(*File).fixRetract`: with a caller's fixer, parses the retracted versions
    /// again now that the module path is known.
    fn fix_retracts(&mut self) {
        if !matches!(self.fix, Fix::Caller(_)) {
            return;
        }
        let path = self
            .out
            .module
            .as_ref()
            .map_or(String::new(), |m| m.path.clone());
        let retracts = std::mem::take(&mut self.retract_syntax);
        for (i, (start, mut tokens)) in retracts.into_iter().enumerate() {
            if path.is_empty() {
                let msg = "no module directive found, so retract cannot be used".to_string();
                let err = self.error(start, Problem::plain(msg));
                self.errs.push(err);
                return;
            }
            let skip = usize::from(tokens.first().is_some_and(|t| t == b"retract"));
            match parse_version_interval("retract", &path, &mut tokens[skip..], &mut self.fix) {
                Ok((low, high, _)) => {
                    self.out.retracts[i].low = lossy(&low);
                    self.out.retracts[i].high = lossy(&high);
                }
                Err(p) => {
                    let err = self.error(start, p);
                    self.errs.push(err);
                }
            }
        }
    }
}

fn invalid_quoted(e: &str) -> Problem {
    Problem::plain(format!("invalid quoted string: {e}"))
}

/// `modulePathMajor`: the `/vN` or `.vN` suffix of a module path, or `None`
/// for a path that ends in an invalid one.
fn module_path_major(path: &str) -> Option<&str> {
    crate::modpath::split_path_version(path).map(|(_, major)| major)
}

/// `module.CheckPathMajor`, reported about `verb path`.
fn check_path_major(verb: &str, path: &str, version: &str, major: &str) -> Result<(), Problem> {
    crate::modpath::check_path_major(version, major)
        .map_err(|e| Problem::about(verb, path, e.to_string()))
}

/// `parseReplace`.
fn parse_replace(
    verb: &str,
    args: &mut [Vec<u8>],
    fix: &mut Fix,
    line: usize,
) -> Result<Replace, Problem> {
    let arrow = if args.len() >= 2 && args[1] == b"=>" {
        1
    } else {
        2
    };
    if args.len() < arrow + 2 || args.len() > arrow + 3 || args[arrow] != b"=>" {
        return Err(Problem::plain(format!(
            "usage: {verb} module/path [v1.2.3] => other/module v1.4\n\t or {verb} module/path [v1.2.3] => ../local/directory"
        )));
    }
    let old_path = lossy(&parse_string(&args[0]).map_err(invalid_quoted)?);
    let major = module_path_major(&old_path)
        .ok_or_else(|| Problem::about(verb, &old_path, "invalid module path".to_string()))?;
    let old_version = if arrow == 2 {
        let v = lossy(&parse_version(verb, &old_path, &mut args[1], fix)?);
        check_path_major(verb, &old_path, &v, major)?;
        Some(v)
    } else {
        None
    };
    let new = parse_string(&args[arrow + 1]).map_err(invalid_quoted)?;
    let new_path = lossy(&new);
    if args.len() == arrow + 2 {
        if !is_directory_path(&new) {
            let msg = if new.contains(&b'@') {
                "replacement module must match format 'path version', not 'path@version'"
            } else {
                "replacement module without version must be directory path (rooted or starting with . or ..)"
            };
            return Err(Problem::plain(msg.to_string()));
        }
        if std::path::MAIN_SEPARATOR == '/' && new.contains(&b'\\') {
            return Err(Problem::plain(
                "replacement directory appears to be Windows path (on a non-windows system)"
                    .to_string(),
            ));
        }
    }
    let new_version = match args.get_mut(arrow + 2) {
        Some(token) => {
            let v = lossy(&parse_version(verb, &new_path, token, fix)?);
            if is_directory_path(&new) {
                return Err(Problem::plain(format!(
                    "replacement module directory path {} cannot have version",
                    quote(&new)
                )));
            }
            Some(v)
        }
        None => None,
    };
    Ok(Replace {
        old_path,
        old_version: old_version.filter(|v| !v.is_empty()),
        new_path,
        new_version: new_version.filter(|v| !v.is_empty()),
        line,
    })
}

/// `parseVersionInterval`: returns the bounds and how many tokens they took.
fn parse_version_interval(
    verb: &str,
    path: &str,
    toks: &mut [Vec<u8>],
    fix: &mut Fix,
) -> Result<(Vec<u8>, Vec<u8>, usize), Problem> {
    let err = |msg: &str| Err(Problem::plain(msg.to_string()));
    match toks.first().map(Vec::as_slice) {
        None | Some(b"(") => return err("expected '[' or version"),
        Some(b"[") => {}
        Some(_) => {
            let v = parse_version(verb, path, &mut toks[0], fix)?;
            return Ok((v.clone(), v, 1));
        }
    }
    let Some(low) = toks.get_mut(1) else {
        return err("expected version after '['");
    };
    let low = parse_version(verb, path, low, fix)?;
    if toks.get(2).is_none_or(|t| t != b",") {
        return err("expected ',' after version");
    }
    let Some(high) = toks.get_mut(3) else {
        return err("expected version after ','");
    };
    let high = parse_version(verb, path, high, fix)?;
    if toks.get(4).is_none_or(|t| t != b"]") {
        return err("expected ']' after version");
    }
    Ok((low, high, 5))
}

/// `parseVersion`: unquotes the token `s`, checks or fixes it, and stores the
/// result back into `s` (a later `fixRetract` pass reads it from there).
fn parse_version(
    verb: &str,
    path: &str,
    s: &mut Vec<u8>,
    fix: &mut Fix,
) -> Result<Vec<u8>, Problem> {
    let t = parse_string(s)
        .map_err(|e| Problem::about(verb, path, format!("version {} invalid: {e}", quote(s))))?;
    let t = match fix {
        Fix::Canonical => {
            let cv = crate::modpath::canonical_version(&lossy(&t));
            if cv.is_empty() {
                let msg = format!("version {} invalid: must be of the form v1.2.3", quote(&t));
                return Err(Problem::about(verb, path, msg));
            }
            cv.into_bytes()
        }
        Fix::Keep => t,
        Fix::Caller(f) => match f(path, &lossy(&t)) {
            Ok(v) => v.into_bytes(),
            Err(FixError::Module(msg)) => return Err(Problem::about(verb, path, msg)),
            Err(FixError::Other(msg)) => return Err(Problem::plain(msg)),
        },
    };
    s.clone_from(&t);
    Ok(t)
}

/// `parseString`: a token's value — unquoted if it starts with `"`; other
/// tokens may not contain quote characters (a backquoted token is an error).
fn parse_string(s: &[u8]) -> Result<Vec<u8>, &'static str> {
    if s.starts_with(b"\"") {
        unquote(s).ok_or("invalid syntax")
    } else if s.iter().any(|c| b"\"'`".contains(c)) {
        Err("unquoted string cannot contain quote")
    } else {
        Ok(s.to_vec())
    }
}

/// `IsDirectoryPath`: a relative path starting with a `.` or `..` element, or a
/// rooted path, in Unix or Windows syntax.
fn is_directory_path(ns: &[u8]) -> bool {
    ns == b"."
        || ns.starts_with(b"./")
        || ns.starts_with(b".\\")
        || ns == b".."
        || ns.starts_with(b"../")
        || ns.starts_with(b"..\\")
        || ns.starts_with(b"/")
        || ns.starts_with(b"\\")
        || (ns.len() >= 2 && ns[0].is_ascii_alphabetic() && ns[1] == b':')
}

/// `GoVersionRE`: `^([1-9][0-9]*)\.(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))?([a-z]+[0-9]+)?$`.
fn is_go_version(s: &[u8]) -> bool {
    let Some(mut rest) = major_minor(s) else {
        return false;
    };
    if let Some(after_dot) = rest.strip_prefix(b".") {
        let Some(after) = number(after_dot) else {
            return false;
        };
        rest = after;
    }
    if rest.is_empty() {
        return true;
    }
    let letters = rest.iter().take_while(|c| c.is_ascii_lowercase()).count();
    let digits = &rest[letters..];
    letters > 0 && !digits.is_empty() && digits.iter().all(u8::is_ascii_digit)
}

/// `laxGoVersionRE` (`^v?(([1-9][0-9]*)\.(0|[1-9][0-9]*))([^0-9].*)$`): the
/// `major.minor` prefix of a version with a non-numeric suffix.
fn lax_go_version(s: &[u8]) -> Option<Vec<u8>> {
    let s = s.strip_prefix(b"v").unwrap_or(s);
    let rest = major_minor(s)?;
    // `[^0-9]` matches a newline but `.` does not.
    let ok = rest.first().is_some_and(|c| !c.is_ascii_digit()) && !rest[1..].contains(&b'\n');
    ok.then(|| s[..s.len() - rest.len()].to_vec())
}

/// Matches `[1-9][0-9]*\.(0|[1-9][0-9]*)` at the start of `s`; returns the rest.
fn major_minor(s: &[u8]) -> Option<&[u8]> {
    if !s.first().is_some_and(|c| (b'1'..=b'9').contains(c)) {
        return None;
    }
    number(s)?.strip_prefix(b".").and_then(number)
}

/// Matches `0|[1-9][0-9]*` at the start of `s`, not followed by a digit; returns the rest.
/// (Also semver's `parseInt`.)
fn number(s: &[u8]) -> Option<&[u8]> {
    let n = s.iter().take_while(|c| c.is_ascii_digit()).count();
    (n == 1 || (n > 1 && s[0] != b'0')).then(|| &s[n..])
}

/// `isIndirect`: the first end-of-line comment is `// indirect` or starts `// indirect; `.
fn is_indirect(line: &Line) -> bool {
    let Some(c) = line.suffix.first() else {
        return false;
    };
    let f: Vec<&str> = c
        .strip_prefix("//")
        .unwrap_or(c)
        .split_whitespace()
        .collect();
    (f.len() == 1 && f[0] == "indirect") || (f.len() > 1 && f[0] == "indirect;")
}

/// `parseDirectiveComment`: the text of a directive's comments — its own, or its
/// block's when the line has none — one trimmed line per comment; `None` if empty.
fn directive_comment(block_before: Option<&[String]>, line: &Line) -> Option<String> {
    // A block never has end-of-line comments of its own: its span covers
    // several lines, and assignComments skips those.
    let comments: Vec<&String> = match block_before {
        Some(before) if line.before.is_empty() && line.suffix.is_empty() => before.iter().collect(),
        _ => line.before.iter().chain(&line.suffix).collect(),
    };
    let lines: Vec<&str> = comments
        .iter()
        .filter_map(|c| c.strip_prefix("//"))
        .map(|c| c.trim())
        .collect();
    Some(lines.join("\n")).filter(|t| !t.is_empty())
}

/// `parseDeprecation`'s `(?s)(?:^|\n\n)Deprecated: *(.*?)(?:$|\n\n)`: the first
/// paragraph starting `Deprecated:`, without that prefix; `None` if empty.
fn deprecation(text: &str) -> Option<String> {
    const KEY: &[u8] = b"Deprecated:";
    let b = text.as_bytes();
    let key = (0..b.len()).find_map(|i| {
        if i == 0 && b.starts_with(KEY) {
            Some(0)
        } else if b[i..].starts_with(b"\n\n") && b[i + 2..].starts_with(KEY) {
            Some(i + 2)
        } else {
            None
        }
    })?;
    let rest = text[key + KEY.len()..].trim_start_matches(' ');
    let msg = rest.find("\n\n").map_or(rest, |end| &rest[..end]);
    Some(msg.to_string()).filter(|m| !m.is_empty())
}

// ---------------------------------------------------------------------------
// Syntax: the lexer and parser of read.go.

/// A position in the input (`modfile.Position`).
#[derive(Debug, Clone, Copy, Default)]
struct Pos {
    line: usize,
    /// Rune in line, starting at 1.
    line_rune: usize,
    byte: usize,
}

/// A line of tokens (`modfile.Line`), top level or inside a block.
struct Line {
    start: Pos,
    end: Pos,
    /// Raw token texts, quotes included.
    tokens: Vec<Vec<u8>>,
    /// Whole-line comments just before the line; `""` marks a blank line.
    before: Vec<String>,
    /// End-of-line comments after the line.
    suffix: Vec<String>,
}

/// A factored block `verb ( ... )` (`modfile.LineBlock`).
struct LineBlock {
    start: Pos,
    tokens: Vec<Vec<u8>>,
    lparen: Pos,
    lines: Vec<Line>,
    rparen: Pos,
    before: Vec<String>,
}

/// A top-level statement (`modfile.Expr` in `FileSyntax.Stmt`).
enum Stmt {
    Line(Line),
    Block(LineBlock),
    /// A `CommentBlock`: comments standing alone; only its start matters here.
    Comments(Pos),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Eof,
    EolComment,
    Ident,
    Str,
    Comment,
    /// A newline or one of `( ) [ ] { } ,`.
    Punct(u8),
}

impl Kind {
    /// `isEOL`: the token ends a line.
    fn is_eol(self) -> bool {
        matches!(self, Kind::Eof | Kind::EolComment | Kind::Punct(b'\n'))
    }
}

#[derive(Clone, Copy)]
struct Token<'a> {
    kind: Kind,
    pos: Pos,
    end_pos: Pos,
    text: &'a [u8],
}

/// The lexer and parser state (`input`). `pos.byte` is the start of the
/// remaining input.
struct Input<'a> {
    file: &'a str,
    complete: &'a [u8],
    pos: Pos,
    /// The next token (one token of lookahead).
    token: Token<'a>,
    /// End-of-line comments, in input order: start byte and text.
    comments: Vec<(usize, String)>,
}

/// `parse`: the syntax tree with end-of-line comments attached to lines.
fn parse_syntax(file: &str, data: &[u8]) -> Result<Vec<Stmt>, ParseError> {
    let start = Pos {
        line: 1,
        line_rune: 1,
        byte: 0,
    };
    let mut input = Input {
        file,
        complete: data,
        pos: start,
        token: Token {
            kind: Kind::Eof,
            pos: start,
            end_pos: start,
            text: b"",
        },
        comments: Vec::new(),
    };
    input.read_token()?;
    let mut stmts = input.parse_file()?;
    assign_suffix_comments(&mut stmts, input.comments);
    Ok(stmts)
}

impl<'a> Input<'a> {
    fn error(&self, msg: impl Into<String>) -> ParseError {
        ParseError {
            file: self.file.to_string(),
            line: self.pos.line,
            column: self.pos.line_rune,
            verb: String::new(),
            mod_path: String::new(),
            message: msg.into(),
        }
    }

    fn remaining(&self) -> &'a [u8] {
        &self.complete[self.pos.byte..]
    }

    fn eof(&self) -> bool {
        self.remaining().is_empty()
    }

    /// `peekRune`: the next rune, NUL at end of input.
    fn peek_rune(&self) -> char {
        if self.eof() {
            return '\0';
        }
        decode_rune(self.remaining()).0
    }

    fn peek_prefix(&self, prefix: &[u8]) -> bool {
        self.remaining().starts_with(prefix)
    }

    /// `readRune`; never called at end of input.
    fn read_rune(&mut self) -> char {
        let (r, size) = decode_rune(self.remaining());
        self.pos.byte += size;
        if r == '\n' {
            self.pos.line += 1;
            self.pos.line_rune = 1;
        } else {
            self.pos.line_rune += 1;
        }
        r
    }

    fn start_token(&mut self) {
        self.token.pos = self.pos;
    }

    /// `endToken`: comment texts lose one trailing LF or CRLF.
    fn end_token(&mut self, kind: Kind) {
        let mut text = &self.complete[self.token.pos.byte..self.pos.byte];
        if matches!(kind, Kind::Comment | Kind::EolComment) {
            text = text
                .strip_suffix(b"\r\n")
                .or_else(|| text.strip_suffix(b"\n"))
                .unwrap_or(text);
        }
        self.token.kind = kind;
        self.token.text = text;
        self.token.end_pos = self.pos;
    }

    fn peek(&self) -> Kind {
        self.token.kind
    }

    /// `lex`: returns the lookahead token and reads the next one.
    fn lex(&mut self) -> Result<Token<'a>, ParseError> {
        let tok = self.token;
        self.read_token()?;
        Ok(tok)
    }

    /// `readToken`.
    fn read_token(&mut self) -> Result<(), ParseError> {
        while !self.eof() {
            let c = self.peek_rune();
            if c == ' ' || c == '\t' || c == '\r' {
                self.read_rune();
                continue;
            }
            if self.peek_prefix(b"//") {
                self.start_token();
                let before = &self.complete[..self.pos.byte];
                let line_start = before
                    .iter()
                    .rposition(|&b| b == b'\n')
                    .map_or(0, |i| i + 1);
                let suffix = !is_all_space(&before[line_start..]);
                self.read_rune();
                self.read_rune();
                while !self.eof() && self.read_rune() != '\n' {}
                if !suffix {
                    // A whole-line comment goes to the parser, which attaches it.
                    self.end_token(Kind::Comment);
                    return Ok(());
                }
                self.end_token(Kind::EolComment);
                self.comments
                    .push((self.token.pos.byte, lossy(self.token.text)));
                return Ok(());
            }
            if self.peek_prefix(b"/*") {
                return Err(self.error("mod files must use // comments (not /* */ comments)"));
            }
            break;
        }

        self.start_token();
        if self.eof() {
            self.end_token(Kind::Eof);
            return Ok(());
        }
        match self.peek_rune() {
            c @ ('\n' | '(' | ')' | '[' | ']' | '{' | '}' | ',') => {
                self.read_rune();
                self.end_token(Kind::Punct(c as u8));
                return Ok(());
            }
            quote @ ('"' | '`') => {
                self.read_rune();
                loop {
                    if self.eof() {
                        self.pos = self.token.pos;
                        return Err(self.error("unexpected EOF in string"));
                    }
                    if self.peek_rune() == '\n' {
                        return Err(self.error("unexpected newline in string"));
                    }
                    let c = self.read_rune();
                    if c == quote {
                        break;
                    }
                    if c == '\\' && quote != '`' {
                        if self.eof() {
                            self.pos = self.token.pos;
                            return Err(self.error("unexpected EOF in string"));
                        }
                        self.read_rune();
                    }
                }
                self.end_token(Kind::Str);
                return Ok(());
            }
            _ => {}
        }

        let c = self.peek_rune();
        if !is_ident(c) {
            return Err(self.error(format!("unexpected input character {}", quote_rune(c))));
        }
        while is_ident(self.peek_rune()) {
            if self.peek_prefix(b"//") {
                break;
            }
            if self.peek_prefix(b"/*") {
                return Err(self.error("mod files must use // comments (not /* */ comments)"));
            }
            self.read_rune();
        }
        self.end_token(Kind::Ident);
        Ok(())
    }

    /// `parseFile`: whole-line comments directly above a statement become its
    /// `before` comments; a blank line makes them a separate comment block.
    fn parse_file(&mut self) -> Result<Vec<Stmt>, ParseError> {
        let mut stmts = Vec::new();
        let mut cb: Option<(Pos, Vec<String>)> = None;
        loop {
            match self.peek() {
                Kind::Punct(b'\n') => {
                    self.lex()?;
                    if let Some((pos, _)) = cb.take() {
                        stmts.push(Stmt::Comments(pos));
                    }
                }
                Kind::Comment => {
                    let tok = self.lex()?;
                    cb.get_or_insert_with(|| (tok.pos, Vec::new()))
                        .1
                        .push(lossy(tok.text));
                }
                Kind::Eof => {
                    if let Some((pos, _)) = cb {
                        stmts.push(Stmt::Comments(pos));
                    }
                    return Ok(stmts);
                }
                _ => {
                    let stmt = self.parse_stmt()?;
                    stmts.push(match (stmt, cb.take()) {
                        (Stmt::Line(mut l), Some((_, before))) => {
                            l.before = before;
                            Stmt::Line(l)
                        }
                        (Stmt::Block(mut b), Some((_, before))) => {
                            b.before = before;
                            Stmt::Block(b)
                        }
                        (stmt, _) => stmt,
                    });
                }
            }
        }
    }

    /// `parseStmt`: a line, or a block when the line ends in `(`.
    fn parse_stmt(&mut self) -> Result<Stmt, ParseError> {
        let tok = self.lex()?;
        let start = tok.pos;
        let mut end = tok.end_pos;
        let mut tokens = vec![tok.text.to_vec()];
        loop {
            let tok = self.lex()?;
            if tok.kind.is_eol() {
                return Ok(Stmt::Line(Line {
                    start,
                    end,
                    tokens,
                    before: Vec::new(),
                    suffix: Vec::new(),
                }));
            }
            if tok.kind != Kind::Punct(b'(') {
                tokens.push(tok.text.to_vec());
                end = tok.end_pos;
                continue;
            }
            let next = self.peek();
            if next.is_eol() {
                return Ok(Stmt::Block(self.parse_line_block(start, tokens, tok)?));
            }
            if next == Kind::Punct(b')') {
                let rparen = self.lex()?;
                if self.peek().is_eol() {
                    self.lex()?;
                    return Ok(Stmt::Block(LineBlock {
                        start,
                        tokens,
                        lparen: tok.pos,
                        lines: Vec::new(),
                        rparen: rparen.pos,
                        before: Vec::new(),
                    }));
                }
                tokens.push(tok.text.to_vec());
                tokens.push(rparen.text.to_vec());
            } else {
                tokens.push(tok.text.to_vec());
            }
        }
    }

    /// `parseLineBlock`: the lines up to the closing `)`.
    fn parse_line_block(
        &mut self,
        start: Pos,
        tokens: Vec<Vec<u8>>,
        lparen: Token,
    ) -> Result<LineBlock, ParseError> {
        let mut block = LineBlock {
            start,
            tokens,
            lparen: lparen.pos,
            lines: Vec::new(),
            rparen: start,
            before: Vec::new(),
        };
        let mut comments: Vec<String> = Vec::new();
        loop {
            match self.peek() {
                Kind::EolComment => {
                    self.lex()?;
                }
                Kind::Punct(b'\n') => {
                    self.lex()?;
                    let after_line = comments.is_empty() && !block.lines.is_empty();
                    if after_line || comments.last().is_some_and(|c| !c.is_empty()) {
                        comments.push(String::new());
                    }
                }
                Kind::Comment => {
                    let tok = self.lex()?;
                    comments.push(lossy(tok.text));
                }
                Kind::Eof => {
                    return Err(self.error(format!(
                        "syntax error (unterminated block started at {}:{}:{})",
                        self.file, block.start.line, block.start.line_rune
                    )));
                }
                Kind::Punct(b')') => {
                    block.rparen = self.lex()?.pos;
                    if !self.peek().is_eol() {
                        return Err(
                            self.error("syntax error (expected newline after closing paren)")
                        );
                    }
                    self.lex()?;
                    return Ok(block);
                }
                _ => {
                    let mut line = self.parse_line()?;
                    line.before = std::mem::take(&mut comments);
                    block.lines.push(line);
                }
            }
        }
    }

    /// `parseLine`: a line inside a block; its first token is not an end of line.
    fn parse_line(&mut self) -> Result<Line, ParseError> {
        let tok = self.lex()?;
        let start = tok.pos;
        let mut end = tok.end_pos;
        let mut tokens = vec![tok.text.to_vec()];
        loop {
            let tok = self.lex()?;
            if tok.kind.is_eol() {
                return Ok(Line {
                    start,
                    end,
                    tokens,
                    before: Vec::new(),
                    suffix: Vec::new(),
                });
            }
            tokens.push(tok.text.to_vec());
            end = tok.end_pos;
        }
    }
}

/// The suffix-comment half of `assignComments`: walking the expressions in
/// reverse postorder, each one that starts and ends on the same line takes the
/// end-of-line comments that start at or after its end.
fn assign_suffix_comments(stmts: &mut [Stmt], mut comments: Vec<(usize, String)>) {
    // (start line, end line, end byte, line it stands for, if any)
    type Span = (usize, usize, usize, Option<(usize, Option<usize>)>);
    let paren = |p: Pos| (p.line, p.line, p.byte + 1, None);
    let mut post: Vec<Span> = Vec::new();
    for (i, stmt) in stmts.iter().enumerate() {
        match stmt {
            Stmt::Line(l) => post.push((l.start.line, l.end.line, l.end.byte, Some((i, None)))),
            Stmt::Block(b) => {
                post.push(paren(b.lparen));
                for (j, l) in b.lines.iter().enumerate() {
                    post.push((l.start.line, l.end.line, l.end.byte, Some((i, Some(j)))));
                }
                post.push(paren(b.rparen));
                post.push((b.start.line, b.rparen.line, b.rparen.byte + 1, None));
            }
            Stmt::Comments(p) => post.push((p.line, p.line, p.byte, None)),
        }
    }
    for (start_line, end_line, end_byte, target) in post.into_iter().rev() {
        if start_line != end_line {
            continue;
        }
        while let Some((_, text)) = comments.pop_if(|(start, _)| end_byte <= *start) {
            let line = match target {
                Some((i, None)) => match &mut stmts[i] {
                    Stmt::Line(l) => Some(l),
                    _ => None,
                },
                Some((i, Some(j))) => match &mut stmts[i] {
                    Stmt::Block(b) => b.lines.get_mut(j),
                    _ => None,
                },
                None => None,
            };
            if let Some(line) = line {
                // Taken last to first; reversed below.
                line.suffix.push(text);
            }
        }
    }
    for stmt in stmts {
        match stmt {
            Stmt::Line(l) => l.suffix.reverse(),
            Stmt::Block(b) => b.lines.iter_mut().for_each(|l| l.suffix.reverse()),
            Stmt::Comments(_) => {}
        }
    }
}

/// `isIdent`: most printable runes, except space and `( ) [ ] { } ,`.
fn is_ident(c: char) -> bool {
    !matches!(c, ' ' | '(' | ')' | '[' | ']' | '{' | '}' | ',') && !c.is_whitespace() && is_print(c)
}

/// Whether `bytes.TrimSpace(b)` is empty. Rust's `char::is_whitespace` is the
/// Unicode White_Space property, the same set as Go's `unicode.IsSpace`.
fn is_all_space(mut b: &[u8]) -> bool {
    while !b.is_empty() {
        let (r, size) = decode_rune(b);
        if !r.is_whitespace() {
            return false;
        }
        b = &b[size..];
    }
    true
}

// ---------------------------------------------------------------------------
// Go string semantics: UTF-8 decoding, strconv.Quote, strconv.Unquote.

/// Go's `utf8.DecodeRune`: an invalid or truncated sequence decodes as U+FFFD of
/// width 1 (so every bad byte is one rune); empty input gives width 0.
fn decode_rune(b: &[u8]) -> (char, usize) {
    let Some(&c) = b.first() else {
        return (char::REPLACEMENT_CHARACTER, 0);
    };
    let width = match c {
        0x00..=0x7f => return (char::from(c), 1),
        0xc2..=0xdf => 2,
        0xe0..=0xef => 3,
        0xf0..=0xf4 => 4,
        _ => return (char::REPLACEMENT_CHARACTER, 1),
    };
    b.get(..width)
        .and_then(|s| std::str::from_utf8(s).ok())
        .and_then(|s| s.chars().next())
        .map_or((char::REPLACEMENT_CHARACTER, 1), |r| (r, width))
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Go's `strconv.Unquote` for the quoted strings of a go.mod file (`"..."` with Go's
/// escapes, or a raw `` `...` `` string); None when the text is not a valid literal.
fn unquote(s: &[u8]) -> Option<Vec<u8>> {
    if s.len() < 2 {
        return None;
    }
    let end = s[1..].iter().position(|&b| b == b'"')? + 2;
    let literal = &s[..end];
    if !literal.contains(&b'\\')
        && !literal.contains(&b'\n')
        && let Ok(text) = std::str::from_utf8(&literal[1..end - 1])
    {
        return (end == s.len()).then(|| text.as_bytes().to_vec());
    }
    let mut out = Vec::new();
    let mut rest = &s[1..];
    while let Some(&c) = rest.first()
        && c != b'"'
    {
        if c == b'\n' {
            return None;
        }
        let (value, multibyte, tail) = unquote_char(rest)?;
        match char::from_u32(value).filter(|_| multibyte) {
            Some(r) => out.extend_from_slice(r.encode_utf8(&mut [0; 4]).as_bytes()),
            None => out.push(value as u8),
        }
        rest = tail;
    }
    (rest == b"\"").then_some(out)
}

/// `strconv.UnquoteChar` with quote `"`, for input not starting with `"`: the
/// value, whether it is a rune to encode as UTF-8 (rather than a byte), and the rest.
fn unquote_char(s: &[u8]) -> Option<(u32, bool, &[u8])> {
    let c = *s.first()?;
    if c >= 0x80 {
        let (r, size) = decode_rune(s);
        return Some((r as u32, true, &s[size..]));
    }
    if c != b'\\' {
        return Some((u32::from(c), false, &s[1..]));
    }
    let (&esc, mut rest) = s[1..].split_first()?;
    let simple = |v: u8| Some((u32::from(v), false, rest));
    match esc {
        b'a' => simple(0x07),
        b'b' => simple(0x08),
        b'f' => simple(0x0c),
        b'n' => simple(b'\n'),
        b'r' => simple(b'\r'),
        b't' => simple(b'\t'),
        b'v' => simple(0x0b),
        b'\\' | b'"' => simple(esc),
        b'x' | b'u' | b'U' => {
            let n = match esc {
                b'x' => 2,
                b'u' => 4,
                _ => 8,
            };
            let mut v = 0u32;
            for &d in rest.get(..n)? {
                v = v << 4 | char::from(d).to_digit(16)?;
            }
            rest = &rest[n..];
            if esc == b'x' {
                return Some((v, false, rest));
            }
            char::from_u32(v)?;
            Some((v, true, rest))
        }
        b'0'..=b'7' => {
            let mut v = u32::from(esc - b'0');
            for &d in rest.get(..2)? {
                if !(b'0'..=b'7').contains(&d) {
                    return None;
                }
                v = v << 3 | u32::from(d - b'0');
            }
            (v <= 255).then(|| (v, false, &rest[2..]))
        }
        _ => None,
    }
}

// ---------------------------------------------------------------------------

#[cfg(test)]
mod retraction_tests {
    use super::*;

    #[test]
    fn retractions_cover_their_interval_and_messages_are_shortened_as_go_does() {
        let f = parse_lax(
            "go.mod",
            b"module example.com/m\n\nretract (\n\tv1.0.1 // broken build\n\t[v1.1.0, v1.1.3]\n)\n",
        )
        .unwrap();
        let covering = |v| {
            f.retractions_covering(v)
                .iter()
                .map(|r| (r.low.clone(), r.rationale.clone()))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            covering("v1.0.1"),
            [("v1.0.1".to_string(), Some("broken build".to_string()))]
        );
        assert_eq!(covering("v1.1.2").len(), 1);
        assert!(covering("v1.0.2").is_empty() && covering("v1.1.4").is_empty());
        assert_eq!(short_message("  use v2\nmore", "x"), "use v2");
        assert_eq!(short_message(" \n", "dflt"), "dflt");
        assert_eq!(
            short_message(&"a".repeat(501), ""),
            "(message omitted: too long)"
        );
        assert_eq!(
            short_message("bad\u{1b}[31m", ""),
            "(message omitted: contains non-printable characters)"
        );
        assert_eq!(short_message("wide\u{3000}space", ""), "wide\u{3000}space");
    }
}
