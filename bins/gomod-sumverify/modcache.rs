//! A module cache (GOMODCACHE) read as `go mod verify` reads it: for each module version
//! the zip, the go.mod file and the `.ziphash` the go command wrote when the zip was
//! downloaded, at `cache/download/<escaped path>/@v/<escaped version>.{zip,mod,ziphash}`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use gomod_common::{dirhash, modpath, oserr, regular};

/// How deep module paths go below `cache/download` (elements); deeper trees are not
/// walked, so a hostile cache cannot make the walk endless.
const MAX_DEPTH: usize = 64;

/// The files of one module version in the cache, as `go mod verify` finds them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CacheFiles {
    /// `<version>.zip`, when something is there (`os.Stat` succeeds or fails for
    /// another reason than its absence: the go command then hashes it).
    pub zip: Option<PathBuf>,
    /// `<version>.mod`, when present.
    pub r#mod: Option<PathBuf>,
    /// `<version>.ziphash`: always its path; the go command reads it whenever a zip or
    /// an extracted directory is there.
    pub ziphash: PathBuf,
    /// The extracted module, `<escaped path>@<escaped version>`, when the go command's
    /// `DownloadDir` accepts it: a directory (after symbolic links), not partly
    /// extracted (no `.partial` file), with its `.ziphash` present.
    pub dir: Option<PathBuf>,
}

/// One way `go mod verify` fails for a module version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifyFailure {
    /// What failed.
    pub kind: VerifyKind,
    /// The go command's line for it (`<path> <version>: zip has been modified (...)`),
    /// or this tool's where the go command would wait forever.
    pub text: String,
}

/// What a [`VerifyFailure`] is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VerifyKind {
    /// No readable `.ziphash` for a zip or directory that is there.
    MissingZiphash,
    /// The zip's hash is not the `.ziphash`.
    ZipModified,
    /// The extracted directory's hash is not the `.ziphash`.
    DirModified,
    /// The zip could not be hashed.
    ZipUnreadable,
    /// The extracted directory could not be hashed.
    DirUnreadable,
}

/// What the cache holds for one module version, hashed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CacheHashes {
    /// The zip's `h1:` hash, re-computed now.
    pub zip: Option<String>,
    /// The size of the zip.
    pub zip_bytes: Option<u64>,
    /// The go.mod file's `h1:` hash.
    pub r#mod: Option<String>,
    /// The `.ziphash` content, trimmed, when it is a hash (for the record).
    pub ziphash: Option<String>,
    /// The extracted module directory's `h1:` hash, re-computed now.
    pub dir: Option<String>,
    /// Why the zip (or go.mod) could not be hashed: `<path> <version>: <error>` as
    /// `go mod verify` prints it.
    pub error: Option<String>,
    /// Everything `go mod verify` would report for this version, in its order.
    pub verify: Vec<VerifyFailure>,
}

/// A module cache directory.
#[derive(Clone, Debug)]
pub struct ModCache {
    /// The GOMODCACHE directory given.
    pub dir: PathBuf,
}

impl ModCache {
    /// The cache at `dir`; it must be a directory.
    pub fn open(dir: &Path) -> Result<ModCache, String> {
        match std::fs::metadata(dir) {
            Ok(meta) if meta.is_dir() => Ok(ModCache {
                dir: dir.to_path_buf(),
            }),
            Ok(_) => Err(format!("{}: not a directory", dir.display())),
            Err(err) => Err(oserr::path_error("stat", dir, &err)),
        }
    }

    /// `cache/download/<escaped path>/@v`.
    fn version_dir(&self, module: &str) -> Option<PathBuf> {
        let escaped = modpath::escape_path(module).ok()?;
        Some(self.dir.join("cache/download").join(escaped).join("@v"))
    }

    /// The files the cache holds for `module` at `version`, or None when it holds no
    /// zip, go.mod or extracted directory.
    pub fn files(&self, module: &str, version: &str) -> Option<CacheFiles> {
        let dir = self.version_dir(module)?;
        let escaped = modpath::escape_version(version).ok()?;
        let path = |ext: &str| dir.join(format!("{escaped}.{ext}"));
        // os.Stat: anything there counts, whatever it is.
        let zip = path("zip");
        let zip = match std::fs::metadata(&zip) {
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => None,
            _ => Some(zip),
        };
        let go_mod = path("mod");
        let ziphash = path("ziphash");
        let extracted = self
            .dir
            .join(format!("{}@{escaped}", modpath::escape_path(module).ok()?));
        let files = CacheFiles {
            zip,
            r#mod: go_mod.is_file().then_some(go_mod),
            dir: download_dir_ok(&extracted, &path("partial"), &ziphash).then_some(extracted),
            ziphash,
        };
        (files.zip.is_some() || files.r#mod.is_some() || files.dir.is_some()).then_some(files)
    }

    /// Every module version the cache holds a zip or go.mod file for, sorted by path
    /// and then version text.
    pub fn list(&self) -> Vec<(String, String)> {
        let mut found = BTreeMap::new();
        let root = self.dir.join("cache/download");
        walk(&root, &root, 0, &mut found);
        found.into_keys().collect()
    }
}

/// The go command's `DownloadDir` check: the extracted directory counts only when it
/// is a directory (symbolic links followed), no `.partial` file says its extraction
/// was cut short, and the `.ziphash` exists.
fn download_dir_ok(dir: &Path, partial: &Path, ziphash: &Path) -> bool {
    std::fs::metadata(dir).is_ok_and(|m| m.is_dir())
        && std::fs::metadata(partial).is_err()
        && std::fs::metadata(ziphash).is_ok()
}

/// Collects module versions under `dir`, a directory below `root`.
fn walk(root: &Path, dir: &Path, depth: usize, found: &mut BTreeMap<(String, String), ()>) {
    if depth > MAX_DEPTH {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        // Symbolic links are not followed: the cache never needs them.
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if !kind.is_dir() {
            continue;
        }
        let path = entry.path();
        if entry.file_name() == "@v" {
            collect_versions(root, &path, found);
        } else if !(depth == 0 && entry.file_name() == "sumdb") {
            walk(root, &path, depth + 1, found);
        }
    }
}

fn collect_versions(root: &Path, at_v: &Path, found: &mut BTreeMap<(String, String), ()>) {
    let Some(escaped_path) = at_v
        .parent()
        .and_then(|p| p.strip_prefix(root).ok())
        .and_then(|p| p.to_str())
    else {
        return;
    };
    let Ok(module) = modpath::unescape_path(escaped_path) else {
        return;
    };
    let Ok(entries) = std::fs::read_dir(at_v) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else {
            continue;
        };
        let Some(escaped_version) = name
            .strip_suffix(".zip")
            .or_else(|| name.strip_suffix(".mod"))
        else {
            continue;
        };
        if let Ok(version) = modpath::unescape_version(escaped_version) {
            found.insert((module.clone(), version), ());
        }
    }
}

/// Hashes what the cache holds, as `go mod verify` does: the zip and the extracted
/// directory re-hashed and compared with the `.ziphash` (see [`verify`]), and the
/// go.mod file hashed as the go command reads it (`readDiskGoMod`). Only regular files
/// are read: a named pipe, on which the go command would wait forever, fails instead.
/// Blocking: file reads and hashing.
pub fn hash(module: &str, version: &str, files: &CacheFiles) -> CacheHashes {
    let mut hashes = CacheHashes::default();
    let ziphash = regular::read(&files.ziphash, regular::ZIPHASH);
    if let Ok(data) = &ziphash {
        hashes.ziphash = plausible_ziphash(data);
    }
    let zip = files.zip.as_ref().map(|path| {
        hashes.zip_bytes = std::fs::metadata(path).ok().map(|m| m.len());
        dirhash::hash_zip_file(path).map(|hash| hash.h1)
    });
    if let Some(zip) = &zip {
        match zip {
            Ok(h1) => hashes.zip = Some(h1.clone()),
            Err(err) => hashes.error = Some(format!("{module} {version}: {err}")),
        }
    }
    let dir = files
        .dir
        .as_ref()
        .map(|dir| dirhash::hash_dir(dir, &format!("{module}@{version}")));
    if let Some(Ok(h1)) = &dir {
        hashes.dir = Some(h1.clone());
    }
    if let Some(path) = &files.r#mod {
        match read_go_mod(path) {
            Ok(Some(data)) => hashes.r#mod = Some(dirhash::hash_go_mod(&data)),
            Ok(None) => {}
            Err(err) => {
                hashes
                    .error
                    .get_or_insert(format!("{module} {version}: {err}"));
            }
        }
    }
    hashes.verify = verify(module, version, files, &ziphash, zip.as_ref(), dir.as_ref());
    hashes
}

/// `go mod verify`'s `verifyMod` for one version, from what [`hash`] read: the
/// `.ziphash` (trimmed of white space, compared as it is), the zip's hash, the
/// directory's hash. It stops where the go command stops.
fn verify(
    module: &str,
    version: &str,
    files: &CacheFiles,
    ziphash: &Result<Vec<u8>, regular::ReadError>,
    zip: Option<&Result<String, dirhash::HashError>>,
    dir: Option<&Result<String, dirhash::HashError>>,
) -> Vec<VerifyFailure> {
    let failure = |kind: VerifyKind, text: String| VerifyFailure {
        kind,
        text: format!("{module} {version}: {text}"),
    };
    if zip.is_none() && dir.is_none() {
        // Nothing downloaded: nothing to verify.
        return Vec::new();
    }
    let want = match ziphash {
        Ok(data) => String::from_utf8_lossy(data).trim().to_string(),
        Err(err) if err.is_refusal() => {
            return vec![failure(VerifyKind::MissingZiphash, err.to_string())];
        }
        Err(err) => {
            return vec![failure(
                VerifyKind::MissingZiphash,
                format!("missing ziphash: {err}"),
            )];
        }
    };
    let mut failures = Vec::new();
    if let Some(zip) = zip {
        match zip {
            Err(err) => return vec![failure(VerifyKind::ZipUnreadable, err.to_string())],
            Ok(h1) if *h1 != want => failures.push(failure(
                VerifyKind::ZipModified,
                format!(
                    "zip has been modified ({})",
                    files.zip.as_deref().unwrap_or(Path::new("")).display()
                ),
            )),
            Ok(_) => {}
        }
    }
    if let Some(dir) = dir {
        match dir {
            Err(err) => {
                failures.push(failure(VerifyKind::DirUnreadable, err.to_string()));
                return failures;
            }
            Ok(h1) if *h1 != want => failures.push(failure(
                VerifyKind::DirModified,
                format!(
                    "dir has been modified ({})",
                    files.dir.as_deref().unwrap_or(Path::new("")).display()
                ),
            )),
            Ok(_) => {}
        }
    }
    failures
}

/// A `.ziphash`'s content as the record shows it: trimmed, when it looks like an `h1:`
/// hash (no NUL byte, 47 bytes), as the go command's `checkMod` would use it.
fn plausible_ziphash(data: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(data).ok()?.trim();
    (text.len() == 47 && !text.contains('\0')).then(|| text.to_string())
}

/// A cached go.mod file, or None when the go command would treat it as not cached (a
/// `//vgo 0.0.` placeholder).
fn read_go_mod(path: &Path) -> Result<Option<Vec<u8>>, String> {
    let data = regular::read(path, regular::GO_MOD).map_err(|err| match err {
        regular::ReadError::TooLarge { .. } => format!(
            "{}: go.mod file too large (max size is {} bytes)",
            path.display(),
            regular::GO_MOD.bytes
        ),
        err => err.to_string(),
    })?;
    if data.starts_with(b"//vgo 0.0.") {
        return Ok(None);
    }
    Ok(Some(data))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cache_with(files: &[(&str, &[u8])]) -> (tempfile::TempDir, ModCache) {
        let dir = tempfile::tempdir().unwrap();
        for (name, data) in files {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, data).unwrap();
        }
        let cache = ModCache::open(dir.path()).unwrap();
        (dir, cache)
    }

    #[test]
    fn lists_escaped_paths_and_versions_unescaped() {
        let (_dir, cache) = cache_with(&[
            (
                "cache/download/example.com/!upper/thing/@v/v0.1.0.mod",
                b"m",
            ),
            (
                "cache/download/example.com/!upper/thing/@v/v0.1.0.zip",
                b"z",
            ),
            ("cache/download/example.com/!upper/thing/@v/list", b""),
            ("cache/download/example.com/a/@v/v1.0.0-!r!c1.mod", b"m"),
            ("cache/download/example.com/a/@v/v1.0.0.info", b"{}"),
            ("cache/download/sumdb/sum.golang.org/lookup/x@v1.0.0", b""),
            ("example.com/a@v1.0.0/go.mod", b"extracted"),
        ]);
        assert_eq!(
            cache.list(),
            [
                ("example.com/Upper/thing".to_string(), "v0.1.0".to_string()),
                ("example.com/a".to_string(), "v1.0.0-RC1".to_string()),
            ]
        );
        let files = cache.files("example.com/Upper/thing", "v0.1.0").unwrap();
        assert!(files.zip.is_some() && files.r#mod.is_some() && !files.ziphash.exists());
        assert_eq!(files.dir, None);
        assert_eq!(cache.files("example.com/a", "v9.0.0"), None);
    }

    #[test]
    fn ziphash_is_shown_only_when_it_is_a_hash() {
        let good = "h1:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";
        assert_eq!(
            plausible_ziphash(format!("{good}\n").as_bytes()).as_deref(),
            Some(good)
        );
        assert_eq!(plausible_ziphash(b"h1:abc"), None);
        assert_eq!(
            plausible_ziphash(format!("{}\0", &good[..46]).as_bytes()),
            None
        );
    }

    #[test]
    fn placeholder_go_mod_is_not_cached() {
        let (dir, _) = cache_with(&[("a.mod", b"//vgo 0.0.4\n"), ("b.mod", b"module b\n")]);
        assert_eq!(read_go_mod(&dir.path().join("a.mod")), Ok(None));
        assert_eq!(
            read_go_mod(&dir.path().join("b.mod")),
            Ok(Some(b"module b\n".to_vec()))
        );
    }
}
