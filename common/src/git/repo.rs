//! A remote git repository as the go command reads it (Go 1.27
//! `modfetch/codehost/git.go`): a bare repository in a work directory, the remote's
//! refs from `git ls-remote`, revisions fetched one at a time with `git fetch --depth=1`
//! (everything only when that is not enough), files read with `git cat-file`, history
//! walked with `git for-each-ref --merged` and `git merge-base`, and the tree of a
//! revision with `git archive --format=zip`. The same commands, arguments and order as
//! Go, so that git fails (or not) as it fails for Go.
//!
//! Errors display as Go's, naming the go command's own work directory
//! (`$GOMODCACHE/cache/vcs/<sha256 of "git3:" and the URL>`), not the one used here.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::run::{Failure, RunError, Runner};
use crate::semver;

/// Go's work-directory type for git (`gitWorkDirType`).
pub const WORK_DIR_TYPE: &str = "git3";

/// Go's help text after a failed `ls-remote` that wanted a user name.
pub const USERNAME_HELP: &str = "Confirm the import path was entered correctly.\nIf this is a private repository, see https://go.dev/doc/faq#git_https for additional information.";

/// The shortest hex prefix Go looks up as a commit (`minHashDigits`).
const MIN_HASH_DIGITS: usize = 7;

/// The name of the work directory of `remote` (`codehost.WorkDir`): the SHA-256 of
/// `git3:<remote>` in hex.
pub fn work_dir_name(remote: &str) -> String {
    let digest = Sha256::digest(format!("{WORK_DIR_TYPE}:{remote}").as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Why a repository operation failed; displays as Go's text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RepoError {
    /// A git command failed: Go's text for it, and the failure.
    Run {
        /// Go's text (naming Go's work directory).
        text: String,
        /// The failure.
        err: Box<RunError>,
        /// Go treats it as "not found" (the repository URL answers 404/410).
        not_found: bool,
    },
    /// `unknown revision REV`.
    UnknownRevision(String),
    /// `ambiguous revision REV`.
    Ambiguous(String),
    /// `no commits`.
    NoCommits,
    /// A file that does not exist at the revision.
    NotExist,
    /// Any other failure, Go's text.
    Other(String),
}

impl RepoError {
    /// Go's `errors.Is(err, fs.ErrNotExist)`.
    pub fn is_not_found(&self) -> bool {
        match self {
            RepoError::Run { not_found, .. } => *not_found,
            RepoError::UnknownRevision(_) | RepoError::NoCommits | RepoError::NotExist => true,
            RepoError::Ambiguous(_) | RepoError::Other(_) => false,
        }
    }

    /// The failed command, when a command failed.
    pub fn run_error(&self) -> Option<&RunError> {
        match self {
            RepoError::Run { err, .. } => Some(err),
            _ => None,
        }
    }
}

impl fmt::Display for RepoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RepoError::Run { text, .. } => f.write_str(text),
            RepoError::UnknownRevision(rev) => write!(f, "unknown revision {rev}"),
            RepoError::Ambiguous(rev) => write!(f, "ambiguous revision {rev}"),
            RepoError::NoCommits => f.write_str("no commits"),
            RepoError::NotExist => f.write_str("file does not exist"),
            RepoError::Other(text) => f.write_str(text),
        }
    }
}

impl std::error::Error for RepoError {}

/// A revision as the repository describes it (`codehost.RevInfo`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RevInfo {
    /// The full commit hash.
    pub name: String,
    /// Its first 12 digits.
    pub short: String,
    /// The version asked for, when it is one of the commit's tags; else the hash.
    pub version: String,
    /// Commit time, seconds since the epoch.
    pub time: i64,
    /// The commit's tags, sorted.
    pub tags: Vec<String>,
    /// The ref that named it (`refs/tags/v1.0.0`, `HEAD`...), when one did.
    pub origin_ref: Option<String>,
}

/// How much of the remote has been fetched (`fetchNone`, `fetchSome`, `fetchAll`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum FetchLevel {
    None,
    Some,
    All,
}

/// One remote repository in its work directory.
#[derive(Debug)]
pub struct GitRepo {
    runner: Runner,
    /// The work directory used here.
    dir: PathBuf,
    /// The directory the go command would use, for its error texts.
    go_dir: String,
    /// Whether the go command's work directory already holds a repository, so that it
    /// would name the remote `origin` in `ls-remote` rather than by its URL.
    go_has_dir: bool,
    /// The URL.
    pub remote_url: String,
    /// What commands name the remote: the URL before `git init`, then `origin`.
    remote: String,
    refs: Option<Result<BTreeMap<String, String>, RepoError>>,
    local_tags: Option<HashSet<String>>,
    fetch_level: FetchLevel,
    stat_cache: HashMap<String, Result<RevInfo, RepoError>>,
    /// Files read at a commit (`HASH:path`): None when git said there is none.
    files: HashMap<String, Option<Vec<u8>>>,
    sha256: bool,
}

impl GitRepo {
    /// `newGitRepo` for a remote URL: the work directory `work_root/<hash>` (created),
    /// the refs (`git ls-remote` with the URL, as Go runs it before `git init`), `git
    /// version`, `git init --bare`, `git remote add origin -- URL`. `go_cache` is the
    /// go command's module cache (its `cache/vcs` is only looked at, for its error
    /// texts).
    pub fn open(
        runner: Runner,
        work_root: &Path,
        go_cache: &str,
        remote_url: &str,
    ) -> Result<GitRepo, RepoError> {
        let name = work_dir_name(remote_url);
        let dir = work_root.join(&name);
        let go_dir = if go_cache.is_empty() {
            format!("cache/vcs/{name}")
        } else {
            format!("{}/cache/vcs/{name}", go_cache.trim_end_matches('/'))
        };
        let go_has_dir = Path::new(&go_dir).join("objects").exists();
        let mut repo = GitRepo {
            runner,
            dir: dir.clone(),
            go_dir,
            go_has_dir,
            remote_url: remote_url.to_string(),
            remote: remote_url.to_string(),
            refs: None,
            local_tags: None,
            fetch_level: FetchLevel::None,
            stat_cache: HashMap::new(),
            files: HashMap::new(),
            sha256: false,
        };
        std::fs::create_dir_all(&dir)
            .map_err(|e| RepoError::Other(crate::oserr::path_error("mkdir", &dir, &e)))?;
        let _ = std::fs::write(
            work_root.join(format!("{name}.info")),
            format!("{WORK_DIR_TYPE}:{remote_url}"),
        );
        if !dir.join("objects").exists() {
            let mut sha256_remote = false;
            if let Ok(refs) = repo.load_refs() {
                sha256_remote = refs.values().next().is_some_and(|h| h.len() == 64);
            }
            let version = repo.git_version()?;
            let mut init = vec!["init", "--bare"];
            if sha256_remote {
                init.push("--object-format=sha256");
            } else if semver::compare(&version, "v2.29") != std::cmp::Ordering::Less {
                init.push("--object-format=sha1");
            }
            // `git init` runs without GIT_DIR (Go's Run, not runGit).
            repo.runner
                .run(&dir, None, &init)
                .map_err(|e| repo.run_error(e))?;
            repo.git(&["remote", "add", "origin", "--", remote_url])?;
        }
        repo.sha256 = repo
            .git(&["config", "extensions.objectformat"])
            .is_ok_and(|out| String::from_utf8_lossy(&out).trim() == "sha256");
        repo.remote = "origin".to_string();
        Ok(repo)
    }

    /// The commands run so far.
    pub fn runner(&self) -> &Runner {
        &self.runner
    }

    /// Go's work directory for this repository.
    pub fn go_dir(&self) -> &str {
        &self.go_dir
    }

    /// `git version` as Go parses it (`v2.47.3`), or Go's error.
    fn git_version(&self) -> Result<String, RepoError> {
        let out = self.runner.version(&self.dir).map_err(|e| {
            let cause = match &e.failure {
                Failure::Exit(_) | Failure::Signal(_) => e.failure.to_string(),
                other => other.to_string(),
            };
            RepoError::Run {
                text: format!(
                    "unable to resolve git version: failed to execute git version: {cause}"
                ),
                err: Box::new(e),
                not_found: false,
            }
        })?;
        let text = String::from_utf8_lossy(&out);
        let version = text.split("git version").nth(1).and_then(|rest| {
            let v: String = rest
                .trim_start()
                .chars()
                .take_while(|c| c.is_ascii_digit() || *c == '.')
                .collect();
            let parts: Vec<&str> = v.split('.').filter(|p| !p.is_empty()).collect();
            (parts.len() >= 2).then(|| format!("v{}", parts[..parts.len().min(3)].join(".")))
        });
        version.ok_or_else(|| {
            RepoError::Other(format!(
                "unable to resolve git version: git version extraction regexp did not match version line: {}",
                crate::goquote::quote(&text)
            ))
        })
    }

    /// Go's text for a failed command (in Go's work directory).
    fn run_error(&self, err: RunError) -> RepoError {
        let argv: Option<Vec<String>> =
            (self.go_has_dir && err.argv.get(1).is_some_and(|a| a == "ls-remote")).then(|| {
                err.argv
                    .iter()
                    .map(|a| {
                        if *a == crate::record::scrub_credentials(&self.remote_url) {
                            "origin".to_string()
                        } else {
                            a.clone()
                        }
                    })
                    .collect()
            });
        RepoError::Run {
            text: err.go_text(&self.go_dir, argv.as_deref()),
            err: Box::new(err),
            not_found: false,
        }
    }

    /// `runGit`: git in the work directory with `GIT_DIR` set to it.
    fn git(&self, args: &[&str]) -> Result<Vec<u8>, RepoError> {
        self.runner
            .run(&self.dir, Some(&self.dir), args)
            .map_err(|e| self.run_error(e))
    }

    /// The remote's refs (`loadRefs`), once: HEAD, branches and tags, annotated tags
    /// peeled.
    pub fn load_refs(&mut self) -> Result<&BTreeMap<String, String>, RepoError> {
        if self.refs.is_none() {
            let remote = self.remote.clone();
            let result = match self.git(&["ls-remote", "-q", "--end-of-options", &remote]) {
                Err(RepoError::Run { err, .. }) => {
                    let mut err = *err;
                    if err.stderr.contains("fatal: could not read Username") {
                        err.help = Some(USERNAME_HELP.to_string());
                    }
                    Err(self.run_error(err))
                }
                Err(other) => Err(other),
                Ok(out) => Ok(parse_ls_remote(&String::from_utf8_lossy(&out))),
            };
            self.refs = Some(result);
        }
        match self.refs.as_ref().expect("set above") {
            Ok(refs) => Ok(refs),
            Err(e) => Err(e.clone()),
        }
    }

    /// The error of `ls-remote`, if it failed.
    pub fn refs_error(&self) -> Option<&RepoError> {
        self.refs.as_ref().and_then(|r| r.as_ref().err())
    }

    /// Whether `ls-remote` ran and worked.
    pub fn refs_loaded(&self) -> bool {
        matches!(self.refs, Some(Ok(_)))
    }

    /// How many refs `ls-remote` listed (HEAD, branches, tags).
    pub fn ref_count(&self) -> usize {
        match &self.refs {
            Some(Ok(refs)) => refs.len(),
            _ => 0,
        }
    }

    /// The commit a ref names, when `ls-remote` listed it.
    pub fn known_ref(&self, name: &str) -> Option<String> {
        match &self.refs {
            Some(Ok(refs)) => refs.get(name).cloned(),
            _ => None,
        }
    }

    /// Marks a failed `ls-remote` as "not found": the go command fetches the URL itself
    /// after such a failure and treats 404 and 410 that way.
    pub fn mark_refs_not_found(&mut self) {
        if let Some(Err(RepoError::Run { not_found, .. })) = &mut self.refs {
            *not_found = true;
        }
    }

    /// Tags starting with `prefix`, sorted by name, with their commits (`Tags`).
    pub fn tags(&mut self, prefix: &str) -> Result<Vec<(String, String)>, RepoError> {
        let refs = self.load_refs()?;
        Ok(refs
            .iter()
            .filter_map(|(r, h)| Some((r.strip_prefix("refs/tags/")?, h)))
            .filter(|(t, _)| t.starts_with(prefix))
            .map(|(t, h)| (t.to_string(), h.clone()))
            .collect())
    }

    /// The commit HEAD names (`Latest`).
    pub fn latest(&mut self) -> Result<RevInfo, RepoError> {
        let head = self.load_refs()?.get("HEAD").cloned();
        let Some(head) = head.filter(|h| !h.is_empty()) else {
            return Err(RepoError::NoCommits);
        };
        let mut info = self.stat(&head)?;
        info.origin_ref = Some("HEAD".to_string());
        Ok(info)
    }

    fn hex_len(&self) -> usize {
        if self.sha256 { 64 } else { 40 }
    }

    fn is_hash_prefix(&self, rev: &str) -> bool {
        rev.len() >= MIN_HASH_DIGITS && rev.len() <= self.hex_len() && all_hex(rev)
    }

    /// `Stat`: a tag, branch, `HEAD` or commit-hash prefix, fetched if need be.
    pub fn stat(&mut self, rev: &str) -> Result<RevInfo, RepoError> {
        if let Some(cached) = self.stat_cache.get(rev) {
            return cached.clone();
        }
        let result = self.stat_uncached(rev);
        self.stat_cache.insert(rev.to_string(), result.clone());
        result
    }

    fn stat_uncached(&mut self, rev: &str) -> Result<RevInfo, RepoError> {
        let mut did_stat_local = false;
        if self.is_hash_prefix(rev) {
            if let Ok(info) = self.stat_local(rev, rev) {
                return Ok(info);
            }
            did_stat_local = true;
        }
        if self.local_tags.is_none() {
            let tags = self
                .git(&["tag", "-l"])
                .map(|out| {
                    String::from_utf8_lossy(&out)
                        .lines()
                        .filter(|l| !l.is_empty())
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default();
            self.local_tags = Some(tags);
        }
        if self.local_tags.as_ref().is_some_and(|t| t.contains(rev)) {
            return self.stat_local(rev, &format!("refs/tags/{rev}"));
        }
        let refs = self.load_refs()?.clone();
        let mut rev = rev.to_string();
        let (mut reference, mut hash) = (String::new(), String::new());
        if let Some(h) = refs
            .get(&format!("refs/tags/{rev}"))
            .filter(|h| !h.is_empty())
        {
            reference = format!("refs/tags/{rev}");
            hash = h.clone();
        } else if let Some(h) = refs
            .get(&format!("refs/heads/{rev}"))
            .filter(|h| !h.is_empty())
        {
            reference = format!("refs/heads/{rev}");
            hash = h.clone();
            rev = hash.clone();
        } else if rev == "HEAD" && refs.get("HEAD").is_some_and(|h| !h.is_empty()) {
            reference = "HEAD".to_string();
            hash = refs["HEAD"].clone();
            rev = hash.clone();
        } else if self.is_hash_prefix(&rev) {
            let prefix = rev.clone();
            for (k, h) in &refs {
                if h.starts_with(&prefix) {
                    if !hash.is_empty() && hash != *h {
                        return Err(RepoError::Ambiguous(prefix));
                    }
                    if reference.is_empty() || reference > *k {
                        reference = k.clone();
                    }
                    rev = h.clone();
                    hash = h.clone();
                }
            }
            if hash.is_empty() && rev.len() == self.hex_len() {
                hash = rev.clone();
            }
        } else {
            return Err(RepoError::UnknownRevision(rev));
        }
        let fix_ref = |mut info: RevInfo, reference: &str| {
            if reference != info.name {
                info.origin_ref = Some(reference.to_string());
            } else {
                info.origin_ref = None;
            }
            info
        };
        if !did_stat_local && let Ok(info) = self.stat_local(&rev, &hash) {
            if let Some(tag) = reference.strip_prefix("refs/tags/")
                && !info.tags.iter().any(|t| t == tag)
            {
                self.git(&["tag", "--end-of-options", tag, &hash])?;
                if let Some(local) = &mut self.local_tags {
                    local.insert(tag.to_string());
                }
                let reference_now = reference.clone();
                return self
                    .stat_local(&rev, &reference_now)
                    .map(|i| fix_ref(i, &reference));
            }
            return Ok(fix_ref(info, &reference));
        }
        if self.fetch_level <= FetchLevel::Some && !reference.is_empty() && !hash.is_empty() {
            self.fetch_level = FetchLevel::Some;
            let refspec = if reference == "HEAD" {
                reference = hash.clone();
                format!("{hash}:refs/dummy")
            } else {
                format!("{reference}:{reference}")
            };
            let remote = self.remote.clone();
            let fetched = self.git(&[
                "-c",
                "protocol.version=2",
                "fetch",
                "-f",
                "--depth=1",
                "--end-of-options",
                &remote,
                &refspec,
            ]);
            if fetched.is_ok() {
                return self
                    .stat_local(&rev, &reference)
                    .map(|i| fix_ref(i, &reference));
            }
        }
        self.fetch_refs()?;
        self.stat_local(&rev, &rev).map(|i| fix_ref(i, &reference))
    }

    /// `fetchRefsLocked`: every branch and tag, then the full history.
    fn fetch_refs(&mut self) -> Result<(), RepoError> {
        if self.fetch_level < FetchLevel::All {
            let remote = self.remote.clone();
            self.git(&[
                "fetch",
                "-f",
                "--end-of-options",
                &remote,
                "refs/heads/*:refs/heads/*",
                "refs/tags/*:refs/tags/*",
            ])?;
            if self.dir.join("shallow").exists() {
                self.git(&["fetch", "--unshallow", "-f", "--end-of-options", &remote])?;
            }
            self.fetch_level = FetchLevel::All;
        }
        Ok(())
    }

    /// `statLocal`: `git log -n1` on a revision already here.
    fn stat_local(&mut self, version: &str, rev: &str) -> Result<RevInfo, RepoError> {
        let out = self
            .git(&[
                "-c",
                "log.showsignature=false",
                "log",
                "--no-decorate",
                "-n1",
                "--format=format:%H %ct %D",
                "--end-of-options",
                rev,
                "--",
            ])
            .map_err(|_| RepoError::UnknownRevision(rev.to_string()))?;
        let text = String::from_utf8_lossy(&out).to_string();
        let fields: Vec<&str> = text.split_whitespace().collect();
        if fields.len() < 2 {
            return Err(RepoError::Other(format!(
                "unexpected response from git log: {}",
                crate::goquote::quote(&text)
            )));
        }
        let hash = fields[0].to_string();
        let time: i64 = fields[1].parse().map_err(|_| {
            RepoError::Other(format!(
                "invalid time from git log: {}",
                crate::goquote::quote(&text)
            ))
        })?;
        let mut version = version.to_string();
        if hash.starts_with(&version) {
            version = hash.clone();
        }
        let mut tags = Vec::new();
        let mut i = 2;
        while i < fields.len() {
            if fields[i] == "tag:" {
                i += 1;
                if i < fields.len() {
                    tags.push(fields[i].trim_end_matches(',').to_string());
                }
            }
            i += 1;
        }
        if let Ok(refs) = self.load_refs() {
            for (r, h) in refs {
                if *h == hash
                    && let Some(tag) = r.strip_prefix("refs/tags/")
                {
                    tags.push(tag.to_string());
                }
            }
        }
        tags.sort();
        tags.dedup();
        let mut info = RevInfo {
            short: self.shorten(&hash),
            name: hash.clone(),
            version: hash.clone(),
            time,
            tags,
            origin_ref: (!hash.starts_with(rev)).then(|| rev.to_string()),
        };
        if info.tags.contains(&version) {
            info.version = version;
        }
        Ok(info)
    }

    fn shorten(&self, hash: &str) -> String {
        if all_hex(hash) && hash.len() == self.hex_len() {
            hash[..12].to_string()
        } else {
            hash.to_string()
        }
    }

    /// `ReadFile`: the file at the revision (`git cat-file blob REV:FILE`);
    /// [`RepoError::NotExist`] when it is not there.
    ///
    /// A file of a commit never changes: each is read once (the go command reads a
    /// version's go.mod up to four times).
    pub fn read_file(&mut self, rev: &str, file: &str) -> Result<Vec<u8>, RepoError> {
        let info = self.stat(rev)?;
        let object = format!("{}:{file}", info.name);
        if let Some(known) = self.files.get(&object) {
            return known.clone().ok_or(RepoError::NotExist);
        }
        let read = match self.git(&["cat-file", "--end-of-options", "blob", &object]) {
            Ok(data) => Some(data),
            // git answered: no such file. A command killed at --timeout answered
            // nothing, and is asked again.
            Err(RepoError::Run { err, .. }) if matches!(err.failure, Failure::Exit(_)) => None,
            Err(_) => return Err(RepoError::NotExist),
        };
        self.files.insert(object, read.clone());
        read.ok_or(RepoError::NotExist)
    }

    /// `RecentTag`: the highest tag with `prefix` that `allowed` accepts among the
    /// ancestors of `rev`, fetching the history when the shallow one does not say.
    pub fn recent_tag(
        &mut self,
        rev: &str,
        prefix: &str,
        allowed: &mut dyn FnMut(&mut GitRepo, &str) -> bool,
    ) -> Result<String, RepoError> {
        let info = self.stat(rev)?;
        let rev = info.name;
        let (tag, definitive) = self.describe(&rev, prefix, allowed)?;
        if definitive {
            return Ok(tag);
        }
        if self.tags(&format!("{prefix}v"))?.is_empty() {
            return Ok(String::new());
        }
        self.fetch_refs()?;
        Ok(self.describe(&rev, prefix, allowed)?.0)
    }

    fn describe(
        &mut self,
        rev: &str,
        prefix: &str,
        allowed: &mut dyn FnMut(&mut GitRepo, &str) -> bool,
    ) -> Result<(String, bool), RepoError> {
        let out = self.git(&[
            "for-each-ref",
            "--format=%(refname)",
            &format!("--merged={rev}"),
        ])?;
        let mut highest = String::new();
        for line in String::from_utf8_lossy(&out).lines() {
            let Some(tag) = line.trim().strip_prefix("refs/tags/") else {
                continue;
            };
            let Some(semtag) = tag.strip_prefix(prefix) else {
                continue;
            };
            if !allowed(self, tag) {
                continue;
            }
            if semver::compare(semtag, &highest) == std::cmp::Ordering::Greater {
                highest = semtag.to_string();
            }
        }
        let tag = if highest.is_empty() {
            String::new()
        } else {
            format!("{prefix}{highest}")
        };
        let definitive = !tag.is_empty() && !all_hex(&tag);
        Ok((tag, definitive))
    }

    /// `DescendsFrom`: whether `rev` has `tag` in its history.
    pub fn descends_from(&mut self, rev: &str, tag: &str) -> Result<bool, RepoError> {
        if self
            .git(&["merge-base", "--is-ancestor", "--", tag, rev])
            .is_ok()
        {
            return Ok(true);
        }
        if self.tags(tag)?.is_empty() {
            return Ok(false);
        }
        self.stat_uncached(rev)?;
        if self.fetch_level < FetchLevel::All {
            self.fetch_refs()?;
        }
        match self.git(&["merge-base", "--is-ancestor", "--", tag, rev]) {
            Ok(_) => Ok(true),
            Err(RepoError::Run { err, .. }) if err.failure == Failure::Exit(1) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// `ReadZip`: `git archive --format=zip` of the revision (only `subdir` when
    /// given), after turning off `export-subst` and `export-ignore` in the work
    /// directory's `info/attributes` as Go does (so `.gitattributes` does not change
    /// what goes into a module zip).
    pub fn read_zip(&mut self, rev: &str, subdir: &str) -> Result<Vec<u8>, RepoError> {
        let info = self.stat(rev)?;
        ensure_git_attributes(&self.dir).map_err(|e| RepoError::Other(e.to_string()))?;
        let mut args = vec![
            "-c",
            "core.autocrlf=input",
            "-c",
            "core.eol=lf",
            "archive",
            "--format=zip",
            "--prefix=prefix/",
            "--end-of-options",
            &info.name,
        ];
        if !subdir.is_empty() {
            args.push(subdir);
        }
        match self.git(&args) {
            Ok(zip) => Ok(zip),
            Err(RepoError::Run { err, .. }) if err.stderr.contains("did not match any files") => {
                Err(RepoError::NotExist)
            }
            Err(e) => Err(e),
        }
    }
}

/// `ensureGitAttributes`: `* -export-subst -export-ignore` at the end of
/// `info/attributes`.
fn ensure_git_attributes(dir: &Path) -> std::io::Result<()> {
    const ATTR: &str = "\n* -export-subst -export-ignore\n";
    let info = dir.join("info");
    std::fs::create_dir_all(&info)?;
    let path = info.join("attributes");
    let current = std::fs::read(&path).unwrap_or_default();
    if !current.ends_with(ATTR.as_bytes()) {
        use std::io::Write;
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)?;
        f.write_all(ATTR.as_bytes())?;
    }
    Ok(())
}

/// `ls-remote` output as Go keeps it: HEAD, `refs/heads/*` and `refs/tags/*`, an
/// annotated tag's peeled commit (`^{}`) replacing the tag object.
pub fn parse_ls_remote(out: &str) -> BTreeMap<String, String> {
    let mut refs = BTreeMap::new();
    for line in out.lines() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        if fields.len() != 2 {
            continue;
        }
        let (hash, name) = (fields[0], fields[1]);
        if name == "HEAD" || name.starts_with("refs/heads/") || name.starts_with("refs/tags/") {
            refs.insert(name.to_string(), hash.to_string());
        }
    }
    let peeled: Vec<(String, String)> = refs
        .iter()
        .filter_map(|(r, h)| Some((r.strip_suffix("^{}")?.to_string(), h.clone())))
        .collect();
    for (name, hash) in peeled {
        refs.remove(&format!("{name}^{{}}"));
        refs.insert(name, hash);
    }
    refs
}

/// Lower-case hexadecimal digits only (`AllHex`).
pub fn all_hex(rev: &str) -> bool {
    rev.bytes()
        .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn work_directories_are_named_as_go_names_them() {
        // From go1.27 -x: git3 http://127.0.0.1:37161/bench/m001
        assert_eq!(
            work_dir_name("http://127.0.0.1:37161/bench/m001"),
            "540de63cd9dc6cf6bedb04b93140ef9332282f634bfab858b87e5539ac7e50d4"
        );
    }

    #[test]
    fn ls_remote_output_is_read_as_go_reads_it() {
        let a = "a".repeat(40);
        let b = "b".repeat(40);
        let c = "c".repeat(40);
        let out = format!(
            "{a}\tHEAD\n{a}\trefs/heads/main\n{b}\trefs/tags/v1.0.0\n{c}\trefs/tags/v1.0.0^{{}}\n{a}\trefs/pull/1/head\nbad line\n"
        );
        let refs = parse_ls_remote(&out);
        assert_eq!(refs.len(), 3);
        assert_eq!(refs["refs/tags/v1.0.0"], c);
        assert_eq!(refs["HEAD"], a);
        assert!(all_hex("0123abc") && !all_hex("0123ABC"));
    }
}
