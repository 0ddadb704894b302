//! A module cache (GOMODCACHE) read as `go mod verify` reads it: for each module version
//! the zip, the go.mod file and the `.ziphash` the go command wrote when the zip was
//! downloaded, at `cache/download/<escaped path>/@v/<escaped version>.{zip,mod,ziphash}`.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use gomod_common::{dirhash, modpath, oserr};

/// The go.mod size limit of the go command (`codehost.MaxGoMod`); a larger cached .mod
/// file is not one the go command wrote.
const MAX_GO_MOD: u64 = 16 << 20;

/// How deep module paths go below `cache/download` (elements); deeper trees are not
/// walked, so a hostile cache cannot make the walk endless.
const MAX_DEPTH: usize = 64;

/// The files of one module version in the cache.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CacheFiles {
    /// `<version>.zip`, when present.
    pub zip: Option<PathBuf>,
    /// `<version>.mod`, when present.
    pub r#mod: Option<PathBuf>,
    /// `<version>.ziphash`, when present.
    pub ziphash: Option<PathBuf>,
    /// The extracted module, `<escaped path>@<escaped version>`, when present.
    pub dir: Option<PathBuf>,
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
    /// The `.ziphash` content, trimmed, when it is one the go command would use.
    pub ziphash: Option<String>,
    /// The extracted module directory's `h1:` hash, re-computed now.
    pub dir: Option<String>,
    /// Why the zip (or go.mod) could not be hashed: `<path> <version>: <error>` as
    /// `go mod verify` prints it.
    pub error: Option<String>,
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

    /// The files the cache holds for `module` at `version`, or None when it holds none.
    pub fn files(&self, module: &str, version: &str) -> Option<CacheFiles> {
        let dir = self.version_dir(module)?;
        let escaped = modpath::escape_version(version).ok()?;
        let existing = |ext: &str| {
            let path = dir.join(format!("{escaped}.{ext}"));
            path.is_file().then_some(path)
        };
        let extracted = self
            .dir
            .join(format!("{}@{escaped}", modpath::escape_path(module).ok()?));
        let files = CacheFiles {
            zip: existing("zip"),
            r#mod: existing("mod"),
            ziphash: existing("ziphash"),
            dir: extracted.is_dir().then_some(extracted),
        };
        (files.zip.is_some() || files.r#mod.is_some()).then_some(files)
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
/// directory re-hashed, the `.ziphash` read (ignored when the go command would ignore
/// it), the go.mod file hashed as the go command reads it (`readDiskGoMod`). Blocking:
/// file reads and hashing.
pub fn hash(module: &str, version: &str, files: &CacheFiles) -> CacheHashes {
    let mut hashes = CacheHashes::default();
    if let Some(path) = &files.ziphash {
        hashes.ziphash = read_ziphash(path);
    }
    if let Some(path) = &files.zip {
        hashes.zip_bytes = std::fs::metadata(path).ok().map(|m| m.len());
        match dirhash::hash_zip_file(path) {
            Ok(hash) => hashes.zip = Some(hash.h1),
            Err(err) => hashes.error = Some(format!("{module} {version}: {err}")),
        }
    }
    if let Some(dir) = &files.dir {
        match dirhash::hash_dir(dir, &format!("{module}@{version}")) {
            Ok(h1) => hashes.dir = Some(h1),
            Err(err) => {
                hashes
                    .error
                    .get_or_insert(format!("{module} {version}: {err}"));
            }
        }
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
    hashes
}

/// A `.ziphash` as `checkMod` reads it: trimmed, no NUL byte, exactly 47 bytes, else
/// the go command re-hashes the zip and so do we.
fn read_ziphash(path: &Path) -> Option<String> {
    let mut data = Vec::new();
    std::fs::File::open(path)
        .ok()?
        .take(4096)
        .read_to_end(&mut data)
        .ok()?;
    let text = std::str::from_utf8(&data).ok()?.trim();
    (text.len() == 47 && !text.contains('\0')).then(|| text.to_string())
}

/// A cached go.mod file, or None when the go command would treat it as not cached (a
/// `//vgo 0.0.` placeholder).
fn read_go_mod(path: &Path) -> Result<Option<Vec<u8>>, String> {
    let mut data = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_GO_MOD + 1).read_to_end(&mut data))
        .map_err(|err| oserr::read_file_error(path, &err))?;
    if data.len() as u64 > MAX_GO_MOD {
        return Err(format!(
            "{}: go.mod file too large (max size is {MAX_GO_MOD} bytes)",
            path.display()
        ));
    }
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
        assert!(files.zip.is_some() && files.r#mod.is_some() && files.ziphash.is_none());
        assert_eq!(files.dir, None);
        assert_eq!(cache.files("example.com/a", "v9.0.0"), None);
    }

    #[test]
    fn ziphash_is_used_only_when_go_would() {
        let good = "h1:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";
        let (dir, _) = cache_with(&[
            ("good", format!("{good}\n").as_bytes()),
            ("short", b"h1:abc"),
            ("nul", format!("{}\0", &good[..46]).as_bytes()),
        ]);
        assert_eq!(
            read_ziphash(&dir.path().join("good")).as_deref(),
            Some(good)
        );
        assert_eq!(read_ziphash(&dir.path().join("short")), None);
        assert_eq!(read_ziphash(&dir.path().join("nul")), None);
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
