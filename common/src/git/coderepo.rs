//! A module inside a git repository, as the go command maps versions to commits and
//! builds its files (Go 1.27 `modfetch/coderepo.go`): the module's directory in the
//! repository (the path below the repository root, less a `/vN` suffix, under a
//! go-import `subdir`), its tags (`dir/vX.Y.Z`), `+incompatible` versions, versions of
//! branches and commits as pseudo-versions built on the highest tag in their history,
//! pseudo-versions checked against the commit, go.mod from `dir/go.mod` or
//! `dir/vN/go.mod` (or the one-line go.mod Go makes when there is none), and the module
//! zip from `git archive` of that directory with the root LICENSE added, vendored
//! packages, nested modules and symbolic links left out as x/mod's `zip.Create`
//! leaves them.
//!
//! Retractions are not read here: where Go skips retracted tags when it picks a
//! version for a commit, every tag counts.

use std::io::Write;
use std::path::Path;

use super::repo::{GitRepo, RepoError, RevInfo};
use crate::modpath;
use crate::modzip::write::ZipWriter;
use crate::modzip::{self, EntryKind};
use crate::semver;

/// Why an operation on a module in a repository failed, in Go's words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodeError {
    /// How Go names the module in front (`M@V: ` or `module M: `), when it does.
    pub frame: Option<String>,
    /// Go's text after the frame.
    pub text: String,
    /// Go's `errors.Is(err, fs.ErrNotExist)`.
    pub not_found: bool,
    /// The repository failure underneath, when there is one.
    pub cause: Option<RepoError>,
}

impl CodeError {
    fn plain(text: impl Into<String>) -> CodeError {
        CodeError {
            frame: None,
            text: text.into(),
            not_found: false,
            cause: None,
        }
    }

    fn repo(err: RepoError) -> CodeError {
        CodeError {
            frame: None,
            text: err.to_string(),
            not_found: err.is_not_found(),
            cause: Some(err),
        }
    }

    /// Go's `ModuleError{Path, InvalidVersionError{Version, Err}}` (with `pseudo`:
    /// `invalid pseudo-version:`).
    fn invalid(module: &str, version: &str, pseudo: bool, inner: CodeError) -> CodeError {
        if inner.frame.is_some() {
            return inner;
        }
        let noun = if pseudo { "pseudo-version" } else { "version" };
        CodeError {
            frame: Some(format!("{module}@{version}: ")),
            text: format!("invalid {noun}: {}", inner.text),
            ..inner
        }
    }

    /// Go's whole text.
    pub fn go_text(&self) -> String {
        format!("{}{}", self.frame.as_deref().unwrap_or(""), self.text)
    }
}

impl std::fmt::Display for CodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.go_text())
    }
}

impl std::error::Error for CodeError {}

/// A resolved version (`modfetch.RevInfo`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModRev {
    /// The module version.
    pub version: String,
    /// The commit.
    pub hash: String,
    /// Commit time, seconds since the epoch.
    pub time: i64,
    /// The ref that named it, when one did.
    pub origin_ref: Option<String>,
}

/// A module in a repository (`codeRepo`).
#[derive(Clone, Debug)]
pub struct CodeRepo {
    /// The module path.
    pub mod_path: String,
    code_root: String,
    /// The module's directory in the repository (`""` at the root).
    pub code_dir: String,
    path_prefix: String,
    path_major: String,
    pseudo_major: String,
}

/// `module.PathMajorPrefix`: `v2` for `/v2`, `.v2` and `.v2-unstable`.
fn path_major_prefix(path_major: &str) -> String {
    let m = path_major.strip_suffix("-unstable").unwrap_or(path_major);
    m.trim_start_matches(['/', '.']).to_string()
}

/// `modfile.ModulePath`: the path of a go.mod's module line, `""` when there is none.
pub fn go_mod_module_path(data: &[u8]) -> String {
    for line in String::from_utf8_lossy(data).lines() {
        let line = line.trim_start();
        let Some(rest) = line.strip_prefix("module") else {
            continue;
        };
        if !rest.starts_with([' ', '\t', '"', '`']) {
            continue;
        }
        let rest = rest.split("//").next().unwrap_or("").trim();
        if let Some(quoted) = rest.strip_prefix('"').and_then(|r| r.strip_suffix('"')) {
            return quoted.to_string();
        }
        if let Some(raw) = rest.strip_prefix('`').and_then(|r| r.strip_suffix('`')) {
            return raw.to_string();
        }
        return rest.to_string();
    }
    String::new()
}

fn has_path_prefix(s: &str, prefix: &str) -> bool {
    crate::vcs::has_path_prefix(s, prefix)
}

impl CodeRepo {
    /// `newCodeRepo`: the module `path` in the repository holding `code_root`, with the
    /// go-import `subdir`.
    pub fn new(path: &str, code_root: &str, subdir: &str) -> Result<CodeRepo, CodeError> {
        if !has_path_prefix(path, code_root) {
            return Err(CodeError::plain(format!(
                "mismatched repo: found {code_root} for {path}"
            )));
        }
        let Some((mut path_prefix, path_major)) = modpath::split_path_version(path) else {
            return Err(CodeError::plain(format!(
                "invalid module path {}",
                crate::goquote::quote(path)
            )));
        };
        if code_root == path {
            path_prefix = path;
        }
        let mut code_dir = String::new();
        if code_root != path {
            if !has_path_prefix(path_prefix, code_root) {
                return Err(CodeError::plain(format!(
                    "repository rooted at {code_root} cannot contain module {path}"
                )));
            }
            code_dir = path_prefix[code_root.len()..].trim_matches('/').to_string();
        }
        if !subdir.is_empty() {
            code_dir = crate::pathclean::clean(&if code_dir.is_empty() {
                subdir.to_string()
            } else {
                format!("{code_dir}/{subdir}")
            });
        }
        Ok(CodeRepo {
            mod_path: path.to_string(),
            code_root: code_root.to_string(),
            code_dir,
            path_prefix: path_prefix.to_string(),
            path_major: path_major.to_string(),
            pseudo_major: path_major_prefix(path_major),
        })
    }

    fn tag_prefix(&self) -> String {
        if self.code_dir.is_empty() {
            String::new()
        } else {
            format!("{}/", self.code_dir)
        }
    }

    /// `Versions`: the module's release versions from the tags, sorted, with the
    /// `+incompatible` ones Go allows.
    pub fn versions(&self, code: &mut GitRepo, prefix: &str) -> Result<Vec<String>, CodeError> {
        if self.mod_path.starts_with("gopkg.in/") && self.mod_path.ends_with("-unstable") {
            return Ok(Vec::new());
        }
        let p = format!("{}{prefix}", self.tag_prefix());
        let tags = code.tags(&p).map_err(|e| CodeError {
            frame: Some(format!("module {}: ", self.mod_path)),
            ..CodeError::repo(e)
        })?;
        let mut list = Vec::new();
        let mut incompatible = Vec::new();
        for (name, _) in tags {
            let v = if self.code_dir.is_empty() {
                name.clone()
            } else {
                name[self.code_dir.len() + 1..].to_string()
            };
            if v.is_empty() || v != semver::canonical(&v) || modpath::is_pseudo_version(&v) {
                continue;
            }
            if modpath::check_path_major(&v, &self.path_major).is_err() {
                if self.code_dir.is_empty()
                    && self.path_major.is_empty()
                    && semver::compare(semver::major(&v), "v1") == std::cmp::Ordering::Greater
                {
                    incompatible.push(v);
                }
                continue;
            }
            list.push(v);
        }
        semver::sort(&mut list);
        semver::sort(&mut incompatible);
        if incompatible.is_empty() || !self.path_major.is_empty() {
            return Ok(list);
        }
        let has_go_mod = |code: &mut GitRepo, v: &str| -> Result<bool, CodeError> {
            match code.read_file(v, "go.mod") {
                Ok(_) => Ok(true),
                Err(e) if e.is_not_found() => Ok(false),
                Err(e) => Err(CodeError {
                    frame: Some(format!("module {}: ", self.mod_path)),
                    ..CodeError::repo(e)
                }),
            }
        };
        if let Some(last) = list.last().cloned()
            && has_go_mod(code, &last)?
        {
            return Ok(list);
        }
        let mut last_major = String::new();
        let mut last_major_has_go_mod = false;
        for (i, v) in incompatible.iter().enumerate() {
            let major = semver::major(v).to_string();
            if major != last_major {
                let latest = incompatible[i..]
                    .iter()
                    .take_while(|w| semver::major(w) == major)
                    .last()
                    .cloned()
                    .unwrap_or_default();
                last_major = major;
                last_major_has_go_mod = has_go_mod(code, &latest)?;
            }
            if !last_major_has_go_mod {
                list.push(format!("{v}+incompatible"));
            }
        }
        Ok(list)
    }

    /// `revToRev`: the repository revision of a version.
    fn rev_to_rev(&self, rev: &str) -> String {
        if semver::is_valid(rev) {
            if modpath::is_pseudo_version(rev) {
                return modpath::pseudo_version_rev(rev).unwrap_or_default();
            }
            let rev = rev.strip_suffix("+incompatible").unwrap_or(rev);
            return format!("{}{rev}", self.tag_prefix());
        }
        rev.to_string()
    }

    /// `Stat`: what a version, branch, tag or commit resolves to.
    pub fn stat(&self, code: &mut GitRepo, rev: &str) -> Result<ModRev, CodeError> {
        if rev == "latest" {
            return self.latest(code);
        }
        let code_rev = self.rev_to_rev(rev);
        let info = code
            .stat(&code_rev)
            .map_err(|e| CodeError::invalid(&self.mod_path, rev, false, CodeError::repo(e)))?;
        self.convert(code, &info, rev)
    }

    /// `Latest`: HEAD's version.
    pub fn latest(&self, code: &mut GitRepo) -> Result<ModRev, CodeError> {
        let info = code.latest().map_err(CodeError::repo)?;
        self.convert(code, &info, "")
    }

    fn can_use_incompatible(
        &self,
        code: &mut GitRepo,
        info: &RevInfo,
        v: &str,
        stat_vers: &str,
    ) -> bool {
        if !self.code_dir.is_empty() || !self.path_major.is_empty() {
            return false;
        }
        if code.read_file(&info.name, "go.mod").is_ok() {
            return false;
        }
        if !v.is_empty() && !stat_vers.ends_with("+incompatible") {
            let major = semver::major(v);
            if code
                .read_file(&info.name, &format!("{major}/go.mod"))
                .is_ok()
            {
                return false;
            }
        }
        true
    }

    fn check_canonical(
        &self,
        code: &mut GitRepo,
        info: &RevInfo,
        v: &str,
        stat_vers: &str,
    ) -> Result<ModRev, CodeError> {
        if let Err(mut e) = self.find_dir(code, v) {
            e.not_found = true;
            return Err(CodeError::invalid(&self.mod_path, v, false, e));
        }
        let mut v = v.to_string();
        if v == stat_vers.trim_end_matches("+incompatible") {
            v = stat_vers.to_string();
        }
        // Named with the version as it stands now (`+incompatible` as asked), as go's
        // invalidf names it.
        let invalid = |v: &str, text: String| {
            CodeError::invalid(&self.mod_path, v, false, CodeError::plain(text))
        };
        let base = v.trim_end_matches("+incompatible").to_string();
        let mut err_incompatible = None;
        if !modpath::match_path_major(&base, &self.path_major) {
            if self.can_use_incompatible(code, info, &base, stat_vers) {
                v = format!("{base}+incompatible");
            } else if !self.path_major.is_empty() {
                err_incompatible = Some(invalid(
                    &v,
                    "module path includes a major version suffix, so major version must match"
                        .to_string(),
                ));
            } else {
                err_incompatible = Some(invalid(
                    &v,
                    format!(
                        "module contains a go.mod file, so module path must match major version ({})",
                        crate::goquote::quote(&format!(
                            "{}/{}",
                            self.path_prefix,
                            semver::major(&v)
                        ))
                    ),
                ));
            }
        } else if v.ends_with("+incompatible") {
            err_incompatible = Some(invalid(
                &v,
                format!(
                    "+incompatible suffix not allowed: major version {} is compatible",
                    semver::major(&v)
                ),
            ));
        }
        if !stat_vers.is_empty() && stat_vers == modpath::canonical_version(stat_vers) {
            let stat_base = stat_vers.trim_end_matches("+incompatible");
            if stat_base != base {
                return Err(CodeError::invalid(
                    &self.mod_path,
                    stat_vers,
                    false,
                    CodeError::plain(format!(
                        "resolves to version {v} ({stat_base} is not a tag)"
                    )),
                ));
            }
        }
        if let Some(e) = err_incompatible {
            return Err(e);
        }
        Ok(ModRev {
            version: v,
            hash: info.name.clone(),
            time: info.time,
            origin_ref: info.origin_ref.clone(),
        })
    }

    /// `convert`: the module version of a repository revision.
    fn convert(
        &self,
        code: &mut GitRepo,
        info: &RevInfo,
        stat_vers: &str,
    ) -> Result<ModRev, CodeError> {
        if modpath::is_pseudo_version(stat_vers) {
            let rev = self.check_canonical(code, info, stat_vers, stat_vers)?;
            self.validate_pseudo_version(code, info, stat_vers)?;
            return Ok(rev);
        }
        let tag_prefix = self.tag_prefix();
        let tag_to_version = |tag: &str| -> (String, bool) {
            let Some(trimmed) = tag.strip_prefix(tag_prefix.as_str()) else {
                return (String::new(), false);
            };
            if modpath::is_pseudo_version(tag) {
                return (String::new(), false);
            }
            let v = semver::canonical(trimmed);
            if v.is_empty() || !trimmed.starts_with(&v) {
                return (String::new(), false);
            }
            let canonical = v == trimmed;
            (v, canonical)
        };
        let (v, canonical) = tag_to_version(&info.version);
        if canonical && let Ok(rev) = self.check_canonical(code, info, &v, stat_vers) {
            return Ok(rev);
        }
        let mut highest = String::new();
        let mut pseudo_base = String::new();
        for tag in &info.tags {
            let (v, canonical) = tag_to_version(tag);
            if !stat_vers.is_empty() && semver::compare(&v, stat_vers) == std::cmp::Ordering::Equal
            {
                if canonical {
                    return self.check_canonical(code, info, &v, stat_vers);
                }
                pseudo_base = v.clone();
            }
            if canonical
                && semver::compare(&highest, &v) == std::cmp::Ordering::Less
                && (modpath::match_path_major(&v, &self.path_major)
                    || self.can_use_incompatible(code, info, &v, stat_vers))
            {
                highest = v;
            }
        }
        if !highest.is_empty() {
            return self.check_canonical(code, info, &highest, stat_vers);
        }
        if pseudo_base.is_empty() {
            let this = self.clone();
            let stat = stat_vers.to_string();
            let info_c = info.clone();
            let mut allowed = |code: &mut GitRepo, tag: &str| {
                let (v, _) = tag_to_version(tag);
                !v.is_empty()
                    && (modpath::match_path_major(&v, &this.path_major)
                        || this.can_use_incompatible(code, &info_c, &v, &stat))
            };
            let tag = code
                .recent_tag(&info.name, &tag_prefix, &mut allowed)
                .map_err(CodeError::repo)?;
            if !tag.is_empty() {
                pseudo_base = tag_to_version(&tag).0;
            }
        }
        let time = crate::net::certinfo::rfc3339(info.time);
        let version = modpath::pseudo_version(&self.pseudo_major, &pseudo_base, &time, &info.short)
            .ok_or_else(|| CodeError::plain(format!("invalid time {time}")))?;
        self.check_canonical(code, info, &version, stat_vers)
    }

    /// `validatePseudoVersion`.
    fn validate_pseudo_version(
        &self,
        code: &mut GitRepo,
        info: &RevInfo,
        version: &str,
    ) -> Result<(), CodeError> {
        let fail = |text: String| {
            CodeError::invalid(&self.mod_path, version, true, CodeError::plain(text))
        };
        let rev = modpath::pseudo_version_rev(version).map_err(|e| fail(e.to_string()))?;
        if rev != info.short {
            return Err(fail(if rev.starts_with(&info.short) {
                format!(
                    "revision is longer than canonical (expected {})",
                    info.short
                )
            } else if info.short.starts_with(&rev) {
                format!(
                    "revision is shorter than canonical (expected {})",
                    info.short
                )
            } else {
                format!(
                    "does not match short name of revision (expected {})",
                    info.short
                )
            }));
        }
        let t = modpath::pseudo_version_time(version).map_err(|e| fail(e.to_string()))?;
        let expected = crate::net::certinfo::rfc3339(info.time);
        if t != expected {
            let stamp: String = expected.chars().filter(|c| c.is_ascii_digit()).collect();
            return Err(fail(format!(
                "does not match version-control timestamp (expected {stamp})"
            )));
        }
        let tag_prefix = self.tag_prefix();
        let base = modpath::pseudo_version_base(version.trim_end_matches("+incompatible"))
            .map_err(|e| fail(e.to_string()))?;
        if base.is_empty() {
            if self.pseudo_major.is_empty() && semver::major(version) == "v1" {
                return Err(fail(
                    "major version without preceding tag must be v0, not v1".to_string(),
                ));
            }
            return Ok(());
        }
        for tag in &info.tags {
            if tag.strip_prefix(tag_prefix.as_str()).unwrap_or(tag) == base {
                return Err(fail(format!(
                    "tag ({tag}) found on revision {rev} is already canonical, so should not be replaced with a pseudo-version derived from that tag"
                )));
            }
        }
        let tags = code
            .tags(&format!("{tag_prefix}{base}"))
            .map_err(|e| CodeError::invalid(&self.mod_path, version, true, CodeError::repo(e)))?;
        let mut last_tag = String::new();
        let mut found = false;
        let mut last_err = None;
        for (name, _) in tags {
            let only = name.strip_prefix(tag_prefix.as_str()).unwrap_or(&name);
            if semver::compare(only, &base) == std::cmp::Ordering::Equal {
                last_tag = name.clone();
                match code.descends_from(&info.name, &name) {
                    Ok(true) => {
                        found = true;
                        break;
                    }
                    Ok(false) => last_err = None,
                    Err(e) => last_err = Some(e),
                }
            }
        }
        if last_tag.is_empty() {
            return Err(fail(format!("preceding tag ({base}) not found")));
        }
        if !found {
            if let Some(e) = last_err {
                return Err(CodeError::invalid(
                    &self.mod_path,
                    version,
                    true,
                    CodeError::repo(e),
                ));
            }
            return Err(fail(format!(
                "revision {rev} is not a descendent of preceding tag ({last_tag})"
            )));
        }
        Ok(())
    }

    /// `findDir`: the revision, the module's directory and its go.mod (when found
    /// there) for a version.
    fn find_dir(
        &self,
        code: &mut GitRepo,
        version: &str,
    ) -> Result<(String, String, Option<Vec<u8>>), CodeError> {
        if !semver::is_valid(version) {
            return Err(CodeError {
                frame: Some(format!("{}@{version}: ", self.mod_path)),
                text: "invalid version: syntax error".to_string(),
                not_found: false,
                cause: None,
            });
        }
        let rev = self.rev_to_rev(version);
        let join = |a: &str, b: &str| {
            if a.is_empty() {
                b.to_string()
            } else {
                format!("{a}/{b}")
            }
        };
        let file1 = join(&self.code_dir, "go.mod");
        let read = |code: &mut GitRepo, file: &str| match code.read_file(&rev, file) {
            Ok(data) => Ok(Some(data)),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(CodeError::plain(format!(
                "reading {}/{file} at revision {rev}: {e}",
                self.code_root
            ))),
        };
        let gomod1 = read(code, &file1)?;
        let mpath1 = gomod1
            .as_deref()
            .map(go_mod_module_path)
            .unwrap_or_default();
        let found1 = gomod1.is_some()
            && (is_major(&mpath1, &self.path_major)
                || (self.path_major.is_empty() && mpath1.starts_with("gopkg.in/")));
        let mut file2 = String::new();
        if !self.path_major.is_empty()
            && self.code_root != self.mod_path
            && !self.path_major.starts_with('.')
        {
            let dir2 = join(&self.code_dir, &self.path_major[1..]);
            file2 = join(&dir2, "go.mod");
            let gomod2 = read(code, &file2)?;
            let mpath2 = gomod2
                .as_deref()
                .map(go_mod_module_path)
                .unwrap_or_default();
            let found2 = gomod2.is_some() && is_major(&mpath2, &self.path_major);
            if found1 && found2 {
                return Err(CodeError::plain(format!(
                    "{}/{file1} and ...{}/go.mod both have ...{} module paths at revision {rev}",
                    self.path_prefix, self.path_major, self.path_major
                )));
            }
            if found2 {
                return Ok((rev, dir2, gomod2));
            }
            if gomod2.is_some() {
                if mpath2.is_empty() {
                    return Err(CodeError::plain(format!(
                        "{}/{file2} is missing module path at revision {rev}",
                        self.code_root
                    )));
                }
                return Err(CodeError::plain(format!(
                    "{}/{file2} has non-...{} module path {} at revision {rev}",
                    self.code_root,
                    self.path_major,
                    crate::goquote::quote(&mpath2)
                )));
            }
        }
        if found1 {
            return Ok((rev, self.code_dir.clone(), gomod1));
        }
        if gomod1.is_some() {
            let suffix = if file2.is_empty() {
                String::new()
            } else {
                format!(" (and ...{}/go.mod does not exist)", self.path_major)
            };
            if mpath1.is_empty() {
                return Err(CodeError::plain(format!(
                    "{file1} is missing module path{suffix} at revision {rev}"
                )));
            }
            if !self.path_major.is_empty() {
                return Err(CodeError::plain(format!(
                    "{file1} has non-...{} module path {}{suffix} at revision {rev}",
                    self.path_major,
                    crate::goquote::quote(&mpath1)
                )));
            }
            if modpath::split_path_version(&mpath1).is_none() {
                return Err(CodeError::plain(format!(
                    "{file1} has malformed module path {}{suffix} at revision {rev}",
                    crate::goquote::quote(&mpath1)
                )));
            }
            return Err(CodeError::plain(format!(
                "{file1} has post-{} module path {}{suffix} at revision {rev}",
                semver::major(version),
                crate::goquote::quote(&mpath1)
            )));
        }
        if self.code_dir.is_empty()
            && (self.path_major.is_empty() || self.path_major.starts_with('.'))
        {
            return Ok((rev, String::new(), None));
        }
        if !file2.is_empty() {
            return Err(CodeError::plain(format!(
                "missing {}/go.mod and ...{}/go.mod at revision {rev}",
                self.path_prefix, self.path_major
            )));
        }
        Err(CodeError::plain(format!(
            "missing {}/go.mod at revision {rev}",
            self.path_prefix
        )))
    }

    fn check_version_canonical(&self, version: &str) -> Result<(), CodeError> {
        if version != modpath::canonical_version(version) {
            return Err(CodeError::plain(format!(
                "version {version} is not canonical"
            )));
        }
        Ok(())
    }

    /// `GoMod`: the go.mod of a version (Go's one-line go.mod when it has none).
    pub fn go_mod(&self, code: &mut GitRepo, version: &str) -> Result<Vec<u8>, CodeError> {
        self.check_version_canonical(version)?;
        if modpath::is_pseudo_version(version) {
            self.stat(code, version)?;
        }
        let (rev, dir, gomod) = self.find_dir(code, version)?;
        if let Some(data) = gomod {
            return Ok(data);
        }
        let file = if dir.is_empty() {
            "go.mod".to_string()
        } else {
            format!("{dir}/go.mod")
        };
        match code.read_file(&rev, &file) {
            Ok(data) => Ok(data),
            Err(e) if e.is_not_found() => {
                Ok(format!("module {}\n", quote_mod_path(&self.mod_path)).into_bytes())
            }
            Err(e) => Err(CodeError::repo(e)),
        }
    }

    /// `Zip`: the module zip of a version, written to `out` (a module zip in x/mod's
    /// layout: `module@version/` and the files).
    pub fn zip(
        &self,
        code: &mut GitRepo,
        version: &str,
        out: &mut std::fs::File,
    ) -> Result<(), CodeError> {
        self.check_version_canonical(version)?;
        if modpath::is_pseudo_version(version) {
            self.stat(code, version)?;
        }
        let (rev, subdir, _) = self.find_dir(code, version)?;
        let archive = code.read_zip(&rev, &subdir).map_err(CodeError::repo)?;
        if archive.len() as u64 > modzip::MAX_ZIP_FILE {
            return Err(CodeError::plain("downloaded zip file too large"));
        }
        let mut spool = tempfile_in_tmp().map_err(|e| CodeError::plain(e.to_string()))?;
        spool
            .write_all(&archive)
            .map_err(|e| CodeError::plain(e.to_string()))?;
        drop(archive);
        let source =
            modzip::ZipArchive::open(spool.path()).map_err(|e| CodeError::plain(e.to_string()))?;
        let subdir = subdir.trim_matches('/');
        let subdir = if subdir.is_empty() {
            String::new()
        } else {
            format!("{subdir}/")
        };
        let mut files: Vec<SourceFile> = Vec::new();
        let mut top = String::new();
        let mut have_license = false;
        for (index, entry) in source.entries().enumerate() {
            let full = String::from_utf8_lossy(entry.name).to_string();
            if top.is_empty() {
                let Some(i) = full.find('/') else {
                    return Err(CodeError::plain("missing top-level directory prefix"));
                };
                top = full[..=i].to_string();
            }
            let Some(name) = full.strip_prefix(top.as_str()) else {
                return Err(CodeError::plain(
                    "zip file contains more than one top-level directory",
                ));
            };
            let Some(name) = name.strip_prefix(subdir.as_str()) else {
                continue;
            };
            if name.is_empty() || name.ends_with('/') {
                continue;
            }
            if name == "LICENSE" {
                have_license = true;
            }
            files.push(SourceFile {
                path: name.to_string(),
                kind: entry.kind,
                size: entry.uncompressed_size,
                content: Content::Entry(index),
            });
        }
        if !have_license
            && !subdir.is_empty()
            && let Ok(data) = code.read_file(&rev, "LICENSE")
        {
            files.push(SourceFile {
                path: "LICENSE".to_string(),
                kind: EntryKind::Regular,
                size: data.len() as u64,
                content: Content::Data(data),
            });
        }
        create_module_zip(&self.mod_path, version, &files, &source, out)
            .map_err(|text| CodeError::plain(format!("create zip: {text}")))
    }
}

/// A go.mod module line's path, quoted when Go's `modfile.AutoQuote` would.
fn quote_mod_path(path: &str) -> String {
    if path.is_empty()
        || path
            .chars()
            .any(|c| c.is_whitespace() || c == '"' || c == '\'' || c == '`')
        || path.contains("//")
        || path.contains("/*")
    {
        crate::goquote::quote(path)
    } else {
        path.to_string()
    }
}

fn tempfile_in_tmp() -> std::io::Result<SpoolFile> {
    SpoolFile::new()
}

/// A temporary file removed when dropped.
struct SpoolFile {
    path: std::path::PathBuf,
    file: std::fs::File,
}

impl SpoolFile {
    fn new() -> std::io::Result<SpoolFile> {
        static N: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let path = std::env::temp_dir().join(format!("gomod-codehost-{}-{n}", std::process::id()));
        let file = std::fs::OpenOptions::new()
            .create_new(true)
            .write(true)
            .read(true)
            .open(&path)?;
        Ok(SpoolFile { path, file })
    }

    fn path(&self) -> &Path {
        &self.path
    }
}

impl Write for SpoolFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.file.write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

impl Drop for SpoolFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// `isMajor`.
fn is_major(mpath: &str, path_major: &str) -> bool {
    if mpath.is_empty() {
        return false;
    }
    let Some((_, mpath_major)) = modpath::split_path_version(mpath) else {
        return false;
    };
    if path_major.is_empty() {
        return matches!(path_major_prefix(mpath_major).as_str(), "" | "v0" | "v1");
    }
    if mpath_major.is_empty() {
        return false;
    }
    path_major[1..] == mpath_major[1..]
}

/// One file offered to [`create_module_zip`].
struct SourceFile {
    path: String,
    kind: EntryKind,
    size: u64,
    content: Content,
}

enum Content {
    /// An entry of the source archive.
    Entry(usize),
    /// Bytes in memory.
    Data(Vec<u8>),
}

/// x/mod's `zip.Create` on the files: the ones `checkFiles` omits are left out
/// (vendored packages, nested modules, `.hg_archival.txt`, symbolic links and other
/// non-regular files), an invalid one fails the whole zip with Go's text.
fn create_module_zip(
    module: &str,
    version: &str,
    files: &[SourceFile],
    source: &modzip::ZipArchive,
    out: &mut std::fs::File,
) -> Result<(), String> {
    let canonical = modpath::canonical_version(version);
    if canonical != version {
        return Err(format!(
            "version {} is not canonical (should be {})",
            crate::goquote::quote(version),
            crate::goquote::quote(&canonical)
        ));
    }
    modpath::check(module, version).map_err(|e| e.to_string())?;
    let plan = modzip::create::plan(files.iter().map(|f| modzip::create::Candidate {
        path: &f.path,
        kind: f.kind,
        size: f.size,
        root_go_mod: match (&f.content, f.path.as_str()) {
            (Content::Data(d), "go.mod") => Some(d.clone()),
            (Content::Entry(i), "go.mod") => read_entry(source, *i).ok(),
            _ => None,
        },
    }))?;
    let mut zip = ZipWriter::new(out);
    let prefix = format!("{module}@{version}/");
    for index in plan {
        let f = &files[index];
        let data = match &f.content {
            Content::Data(d) => d.clone(),
            Content::Entry(i) => read_entry(source, *i).map_err(|e| e.to_string())?,
        };
        zip.add(&format!("{prefix}{}", f.path), &data)
            .map_err(|e| e.to_string())?;
    }
    zip.finish().map_err(|e| e.to_string())?;
    Ok(())
}

fn read_entry(source: &modzip::ZipArchive, index: usize) -> Result<Vec<u8>, modzip::ReadError> {
    let mut data = Vec::new();
    source.read_entry(index, &mut |chunk| {
        data.extend_from_slice(chunk);
        Ok(())
    })?;
    Ok(data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_directories_follow_go() {
        let r = CodeRepo::new("example.com/r/sub/v2", "example.com/r", "").unwrap();
        assert_eq!(
            (
                r.code_dir.as_str(),
                r.path_major.as_str(),
                r.pseudo_major.as_str()
            ),
            ("sub", "/v2", "v2")
        );
        let r = CodeRepo::new("example.com/r/v2", "example.com/r/v2", "").unwrap();
        assert_eq!(r.code_dir, "");
        let r = CodeRepo::new("example.com/r/v3", "example.com/r", "go/src").unwrap();
        assert_eq!(r.code_dir, "go/src");
        assert_eq!(r.rev_to_rev("v3.1.0"), "go/src/v3.1.0");
        assert!(CodeRepo::new("example.com/other", "example.com/r", "").is_err());
    }

    #[test]
    fn module_lines_are_read_as_go_reads_them() {
        assert_eq!(
            go_mod_module_path(b"// c\nmodule example.com/m // x\n"),
            "example.com/m"
        );
        assert_eq!(
            go_mod_module_path(b"module \"example.com/q\"\n"),
            "example.com/q"
        );
        assert_eq!(go_mod_module_path(b"modules x\n"), "");
        assert!(is_major("example.com/m/v2", "/v2"));
        assert!(!is_major("example.com/m", "/v2"));
        assert!(is_major("example.com/m", ""));
    }
}
