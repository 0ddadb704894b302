//! Writing a module download cache in the go command's layout
//! (`$GOMODCACHE/cache/download/<escaped path>/@v/<escaped version>.{info,mod,zip,ziphash}`
//! and the `list` file Go keeps next to them), so that `GOMODCACHE=DIR GOPROXY=off go mod
//! download` and `GOPROXY=file://DIR/cache/download` both work afterwards.
//!
//! Every file is written to a temporary name in the same directory and renamed into
//! place, so a killed run leaves no partial file under a name Go reads. Like the go
//! command, nothing is fsynced: a process killed at any point is covered, a machine
//! losing power is not (fsync per file made a 200-module fetch six times slower).
//!
//! The zip is renamed before its `.ziphash`, as Go orders them: a zip without a
//! ziphash is one Go downloads again, never one it trusts. A temporary file a killed
//! run left behind is removed by a later run that writes into its directory, once it
//! is certain no process still writes it ([`tempfiles`]).
//!
//! Nothing is written for a version that failed (see `run.rs`): the go command uses a
//! cached .mod or .zip on its own, whatever was wrong with the version's .info.

use std::io::Write;
use std::path::{Path, PathBuf};

use gomod_common::{modpath, semver, tempfiles};

/// The `@v` directory of a module in the cache at `root`.
pub fn version_dir(root: &Path, module: &str) -> Result<PathBuf, String> {
    let escaped = modpath::escape_path(module).map_err(|e| e.to_string())?;
    Ok(root.join("cache").join("download").join(escaped).join("@v"))
}

/// The path of one file of a version: `ext` is `info`, `mod`, `zip` or `ziphash`.
pub fn file_path(root: &Path, module: &str, version: &str, ext: &str) -> Result<PathBuf, String> {
    let escaped = modpath::escape_version(version).map_err(|e| e.to_string())?;
    Ok(version_dir(root, module)?.join(format!("{escaped}.{ext}")))
}

/// A temporary file in `dir` for content that will be renamed to a final name there
/// (`.gomod-fetch-<owner>-<pid>-<unique>.tmp`, see [`tempfiles`]). The first time a
/// run writes into a directory, the temporary files a killed run of gomod-fetch left
/// there are removed.
pub fn temp_in(dir: &Path) -> std::io::Result<tempfile::NamedTempFile> {
    std::fs::create_dir_all(dir)?;
    tempfiles::remove_stale(dir, TOOL);
    tempfile::Builder::new()
        .prefix(&tempfiles::prefix(TOOL))
        .suffix(tempfiles::SUFFIX)
        .tempfile_in(dir)
}

/// The name temporary files carry.
const TOOL: &str = "gomod-fetch";

/// Writes `data` to `path` atomically.
pub fn write_atomic(path: &Path, data: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut tmp = temp_in(dir)?;
    tmp.write_all(data)?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Moves a finished temporary zip into place, then writes its `.ziphash`.
pub fn install_zip(
    tmp: tempfile::NamedTempFile,
    root: &Path,
    module: &str,
    version: &str,
    h1: &str,
) -> std::io::Result<()> {
    let zip = file_path(root, module, version, "zip").map_err(std::io::Error::other)?;
    tmp.persist(&zip).map_err(|e| e.error)?;
    let ziphash = file_path(root, module, version, "ziphash").map_err(std::io::Error::other)?;
    write_atomic(&ziphash, h1.as_bytes())
}

/// Rewrites `list` from the `.mod` files present, as Go's `rewriteVersionList` does
/// after writing a `.mod`: the versions sorted by semver, one per line.
pub fn rewrite_list(root: &Path, module: &str) -> std::io::Result<()> {
    let dir = version_dir(root, module).map_err(std::io::Error::other)?;
    let mut versions = Vec::new();
    for entry in std::fs::read_dir(&dir)? {
        let name = entry?.file_name();
        let Some(name) = name.to_str() else { continue };
        if let Some(escaped) = name.strip_suffix(".mod")
            && let Ok(v) = modpath::unescape_version(escaped)
            && semver::is_valid(&v)
        {
            versions.push(v);
        }
    }
    semver::sort(&mut versions);
    let mut text = String::new();
    for v in versions {
        text.push_str(&v);
        text.push('\n');
    }
    write_atomic(&dir.join("list"), text.as_bytes())
}
