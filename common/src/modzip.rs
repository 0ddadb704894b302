//! Module zips as Go checks them (golang.org/x/mod/zip and the go command's download
//! checks), on a zip file on disk.
//!
//! What the go command does with a zip it downloaded (`cmd/go/internal/modfetch`,
//! `downloadZip`, `hashZip`, `unzip`), in this order:
//!
//! 1. the proxy client stops reading at [`MAX_ZIP_FILE`] + 1 bytes;
//! 2. `archive/zip` opens the archive, and every entry name must start with
//!    `module@version/` (`zip for M@V has unexpected file NAME`);
//! 3. `dirhash.HashZip` hashes every entry (see [`crate::dirhash`]), and the hash is
//!    compared with go.sum and the checksum database (the caller's part);
//! 4. `zip.Unzip` extracts it, which first applies every rule of `checkZip`
//!    ([`check_zip`]) and then reads each file, failing as
//!    `unzip <zip file>: <reason>`.
//!
//! Only the rules for a zip being *read* apply: the ones x/mod applies when it *creates* a
//! zip (files of vendored packages, of nested modules, `.hg_archival.txt`, symbolic
//! links) leave those files out of new zips but do not make a downloaded zip that has
//! them invalid; they are hashed and extracted like any other file.
//!
//! So a zip whose names are invalid but whose hash is in go.sum is still accepted into the
//! cache's download directory and only fails extraction, and a zip with a wrong hash fails
//! the hash comparison before its names are ever looked at. [`check_and_hash_zip`] keeps
//! that order in one pass over the file: its errors carry the `h1:` hash whenever Go would
//! have computed it before failing ([`ZipError::h1`]).
//!
//! Hostile archives are bounded before anything is inflated: the file may be at most
//! [`MAX_ZIP_FILE`] bytes, the declared sizes of the files at most that in total (checked
//! from the central directory), the directory may need at most [`MAX_DIRECTORY_MEMORY`]
//! (a limit of this tool's own), no allocation follows a declared count or size, every read
//! is a positioned read that the file's end cuts short, and inflating an entry stops at the
//! first byte beyond its declared size. Go accepts a module whose files compress extremely
//! well, so no compression ratio is refused; instead, an invalid zip whose entries could
//! inflate to more than [`MAX_ZIP_FILE`] bytes is not hashed at all (Go would hash it, then
//! fail on it in any case).

mod archive;
mod fold;

use std::collections::HashMap;
use std::fmt;
use std::fs::File;
use std::hash::{BuildHasher, RandomState};
use std::path::Path;

pub use archive::{METHOD_DEFLATE, METHOD_STORE, ReadError, ZipArchive, ZipEntry};

use archive::OpenError;

use crate::dirhash::{self, HashError};
use crate::goquote::quote;
use crate::goquote::quote_bytes;
use crate::modpath::{self, InvalidPathError};
use crate::oserr;
use crate::pathclean;

/// Largest module zip, in bytes, and largest total uncompressed size of its files
/// (x/mod/zip `MaxZipFile`; cmd/go `codehost.MaxZipFile`).
pub const MAX_ZIP_FILE: u64 = 500 << 20;
/// Largest `go.mod` in a module zip (x/mod/zip `MaxGoMod`).
pub const MAX_GO_MOD: u64 = 16 << 20;
/// Largest `LICENSE` in a module zip (x/mod/zip `MaxLICENSE`).
pub const MAX_LICENSE: u64 = 16 << 20;
/// Most memory [`check_module_zip`] and [`check_and_hash_zip`] give a zip's central
/// directory (its file names, and about 128 bytes per entry): room for hundreds of
/// thousands of files. The go command has no such limit; this one keeps a directory of
/// millions of tiny entries from exhausting memory.
pub const MAX_DIRECTORY_MEMORY: usize = 64 << 20;

/// What is wrong with one entry of a module zip (x/mod/zip's per-file errors);
/// `Display` is Go's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileProblem {
    /// `path does not have prefix "M@V/"`.
    MissingPrefix {
        /// `module@version/`.
        prefix: String,
    },
    /// `file path is not clean`: `path.Clean` would change it.
    NotClean,
    /// `malformed file path "...": <reason>` from `module.CheckFilePath`.
    MalformedPath(InvalidPathError),
    /// `malformed file path "...": invalid UTF-8` (raw bytes, quoted as Go quotes them).
    InvalidUtf8 {
        /// The path after the prefix.
        path: Vec<u8>,
    },
    /// `case-insensitive file name collision: "A" and "B"`.
    CaseCollision {
        /// The path seen first.
        first: String,
        /// The path that collides with it.
        second: String,
    },
    /// `entry "P" is both a file and a directory`.
    FileAndDirectory {
        /// The path, or the parent directory, listed both ways.
        path: String,
    },
    /// `multiple entries for file "P"`.
    MultipleEntries {
        /// The repeated path.
        path: String,
    },
    /// `go.mod file not in module root directory`.
    GoModNotInRoot,
    /// `go.mod files must have lowercase names`.
    GoModCase,
    /// `go.mod file too large (max size is 16777216 bytes)`.
    GoModTooLarge,
    /// `LICENSE file too large (max size is 16777216 bytes)`.
    LicenseTooLarge,
}

impl fmt::Display for FileProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FileProblem::MissingPrefix { prefix } => {
                write!(f, "path does not have prefix {}", quote(prefix))
            }
            FileProblem::NotClean => f.write_str("file path is not clean"),
            FileProblem::MalformedPath(err) => err.fmt(f),
            FileProblem::InvalidUtf8 { path } => {
                write!(
                    f,
                    "malformed file path {}: invalid UTF-8",
                    quote_bytes(path)
                )
            }
            FileProblem::CaseCollision { first, second } => write!(
                f,
                "case-insensitive file name collision: {} and {}",
                quote(first),
                quote(second)
            ),
            FileProblem::FileAndDirectory { path } => {
                write!(f, "entry {} is both a file and a directory", quote(path))
            }
            FileProblem::MultipleEntries { path } => {
                write!(f, "multiple entries for file {}", quote(path))
            }
            FileProblem::GoModNotInRoot => f.write_str("go.mod file not in module root directory"),
            FileProblem::GoModCase => f.write_str("go.mod files must have lowercase names"),
            FileProblem::GoModTooLarge => {
                write!(f, "go.mod file too large (max size is {MAX_GO_MOD} bytes)")
            }
            FileProblem::LicenseTooLarge => {
                write!(
                    f,
                    "LICENSE file too large (max size is {MAX_LICENSE} bytes)"
                )
            }
        }
    }
}

/// One invalid entry (x/mod/zip `FileError`): `Display` is `<entry name>: <problem>`,
/// with bytes that are not UTF-8 shown as U+FFFD.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileError {
    /// The entry's name in the zip, raw bytes.
    pub name: Vec<u8>,
    /// What is wrong with it.
    pub problem: FileProblem,
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {}",
            String::from_utf8_lossy(&self.name),
            self.problem
        )
    }
}

/// Why x/mod/zip's `CheckZip` or `Unzip` refuses a module zip; `Display` is Go's text
/// (without `Unzip`'s `unzip <zip file>: ` in front, which [`ZipError`] adds).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UnzipError {
    /// `version "V" is not canonical (should be "C")`.
    NotCanonical {
        /// The version given.
        version: String,
        /// `module.CanonicalVersion` of it.
        canonical: String,
    },
    /// `module.Check` refused the module path or version.
    Module(Box<modpath::Error>),
    /// `module zip file is too large (N bytes; limit is 524288000 bytes)`.
    ZipTooLarge {
        /// Size of the zip file.
        size: u64,
    },
    /// `total uncompressed size of module contents too large (max size is 524288000
    /// bytes)`, reported before any per-file error.
    ContentsTooLarge,
    /// The archive could not be opened (`archive/zip`'s error).
    Open(ReadError),
    /// The invalid entries, one per line.
    Files(Vec<FileError>),
    /// Extracting a file failed while reading it (`zip: checksum error`, ...).
    Read(ReadError),
}

impl fmt::Display for UnzipError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UnzipError::NotCanonical { version, canonical } => write!(
                f,
                "version {} is not canonical (should be {})",
                quote(version),
                quote(canonical)
            ),
            UnzipError::Module(err) => err.fmt(f),
            UnzipError::ZipTooLarge { size } => write!(
                f,
                "module zip file is too large ({size} bytes; limit is {MAX_ZIP_FILE} bytes)"
            ),
            UnzipError::ContentsTooLarge => write!(
                f,
                "total uncompressed size of module contents too large (max size is {MAX_ZIP_FILE} bytes)"
            ),
            UnzipError::Open(err) | UnzipError::Read(err) => err.fmt(f),
            UnzipError::Files(files) => {
                for (i, file) in files.iter().enumerate() {
                    if i > 0 {
                        f.write_str("\n")?;
                    }
                    file.fmt(f)?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for UnzipError {}

/// Why the go command would refuse a downloaded module zip, at the step where it would;
/// `Display` is the error text the go command has at that point.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ZipError {
    /// The zip cannot be opened as an archive (`zip: not a valid zip file`, or the
    /// file's own `open <file>: ...`).
    Open(ReadError),
    /// The central directory needs more than [`MAX_DIRECTORY_MEMORY`]: refused by this
    /// tool, not by the go command (which has no such limit).
    DirectoryTooLarge,
    /// `zip for M@V has unexpected file NAME`: an entry outside `module@version/`.
    UnexpectedFile {
        /// `module@version`.
        module_version: String,
        /// The entry's name, raw bytes (shown with U+FFFD where not UTF-8).
        name: Vec<u8>,
    },
    /// `dirhash.HashZip` failed reading an entry.
    Hash(HashError),
    /// `zip.Unzip` refused the zip: `unzip <zip file>: <reason>`.
    Unzip {
        /// The zip file as given.
        path: String,
        /// The `h1:` hash, when Go would have computed (and compared) it first.
        h1: Option<String>,
        /// Why.
        reason: UnzipError,
    },
}

impl ZipError {
    /// The zip's `h1:` hash when the go command computes it before it fails this way
    /// (extraction errors from [`check_and_hash_zip`]): a caller should compare it with
    /// go.sum first, since a mismatch is what the go command would report.
    pub fn h1(&self) -> Option<&str> {
        match self {
            ZipError::Unzip { h1, .. } => h1.as_deref(),
            _ => None,
        }
    }
}

impl fmt::Display for ZipError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ZipError::Open(err) => err.fmt(f),
            ZipError::DirectoryTooLarge => write!(
                f,
                "module zip has too many files for this tool: their names and headers need more than {MAX_DIRECTORY_MEMORY} bytes of memory, this tool's limit (the go command has none)"
            ),
            ZipError::UnexpectedFile {
                module_version,
                name,
            } => write!(
                f,
                "zip for {module_version} has unexpected file {}",
                String::from_utf8_lossy(name)
            ),
            ZipError::Hash(err) => err.fmt(f),
            ZipError::Unzip { path, reason, .. } => write!(f, "unzip {path}: {reason}"),
        }
    }
}

impl std::error::Error for ZipError {}

/// What x/mod/zip's `checkZip` found (its `CheckedFiles`, without the omitted list, which
/// is always empty for a zip).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckedFiles {
    /// Entries that pass, full names in zip order (directories are never listed).
    pub valid: Vec<String>,
    /// Entries that do not, in zip order.
    pub invalid: Vec<FileError>,
    /// The declared sizes of the files add up to more than [`MAX_ZIP_FILE`].
    pub contents_too_large: bool,
}

impl CheckedFiles {
    /// The error Go's `CheckedFiles.Err` returns: the size error first, then the list of
    /// invalid entries.
    pub fn err(&self) -> Option<UnzipError> {
        if self.contents_too_large {
            Some(UnzipError::ContentsTooLarge)
        } else if !self.invalid.is_empty() {
            Some(UnzipError::Files(self.invalid.clone()))
        } else {
            None
        }
    }
}

/// A module zip that passed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZipSummary {
    /// The `h1:` hash ([`check_and_hash_zip`] only).
    pub h1: Option<String>,
    /// How many files the go command extracts.
    pub files: usize,
    /// Their total size, uncompressed.
    pub uncompressed_bytes: u64,
    /// Size of the zip file.
    pub zip_bytes: u64,
}

/// x/mod/zip's `CheckZip`: the module path and version, the size of the zip, and the name
/// and size rules for every entry, from the central directory alone (no content is read).
/// An `Err` is an error Go returns with an empty `CheckedFiles`; the rules' verdict is
/// [`CheckedFiles::err`].
pub fn check_zip(
    path: &Path,
    module_path: &str,
    version: &str,
) -> Result<CheckedFiles, UnzipError> {
    // CheckZip opens the file before it looks at the module path and version.
    let file = open_file(path).map_err(UnzipError::Open)?;
    check_module_version(module_path, version)?;
    let archive = read_bounded(file, path, usize::MAX).map_err(|err| match err {
        Opened::TooLarge(size) => UnzipError::ZipTooLarge { size },
        Opened::Failed(err) => UnzipError::Open(err),
        Opened::DirectoryTooLarge => unreachable!("no budget to exceed"),
    })?;
    let (mut checked, valid) = check_entries(&archive, &module_prefix(module_path, version));
    checked.valid = valid
        .into_iter()
        .map(|i| String::from_utf8_lossy(archive.entry(i).name).into_owned())
        .collect();
    Ok(checked)
}

/// Everything the go command checks on a downloaded zip except its hash: the download
/// checks, `checkZip`'s rules, and extraction's reads of every file (CRC-32, declared
/// sizes, compressed data). See the module documentation for the order.
pub fn check_module_zip(
    path: &Path,
    module_path: &str,
    version: &str,
) -> Result<ZipSummary, ZipError> {
    inspect(path, module_path, version, false)
}

/// [`check_module_zip`] and Go's `HashZip` in one pass over the file: `Ok` holds the `h1:`
/// hash; errors come in the go command's order, extraction errors with the hash.
pub fn check_and_hash_zip(
    path: &Path,
    module_path: &str,
    version: &str,
) -> Result<ZipSummary, ZipError> {
    inspect(path, module_path, version, true)
}

fn inspect(
    path: &Path,
    module_path: &str,
    version: &str,
    hash: bool,
) -> Result<ZipSummary, ZipError> {
    let unzip_error = |h1: Option<String>, reason| ZipError::Unzip {
        path: path.display().to_string(),
        h1,
        reason,
    };
    check_module_version(module_path, version).map_err(|reason| unzip_error(None, reason))?;
    let file = open_file(path).map_err(ZipError::Open)?;
    let archive = read_bounded(file, path, MAX_DIRECTORY_MEMORY).map_err(|err| match err {
        Opened::TooLarge(size) => unzip_error(None, UnzipError::ZipTooLarge { size }),
        Opened::Failed(err) => ZipError::Open(err),
        Opened::DirectoryTooLarge => ZipError::DirectoryTooLarge,
    })?;
    let prefix = module_prefix(module_path, version);
    if let Some(entry) = archive
        .entries()
        .find(|e| !e.name.starts_with(prefix.as_bytes()))
    {
        return Err(ZipError::UnexpectedFile {
            module_version: format!("{module_path}@{version}"),
            name: entry.name.to_vec(),
        });
    }
    let (checked, valid) = check_entries(&archive, &prefix);
    let problem = checked.err();
    let mut h1 = None;
    if hash {
        let work =
            (0..archive.len()).fold(0u64, |sum, i| sum.saturating_add(archive.work_bound(i)));
        if let Some(reason) = problem.clone().filter(|_| work > MAX_ZIP_FILE) {
            return Err(unzip_error(None, reason));
        }
        h1 = Some(dirhash::hash_zip(&archive).map_err(ZipError::Hash)?.h1);
    }
    if let Some(reason) = problem {
        return Err(unzip_error(h1, reason));
    }
    if !hash {
        // Extraction reads every file in zip order and stops at the first error. (After a
        // successful hash there is none left to find: the same entries were read.)
        let mut contents = archive.read_entries(&valid, false);
        for &index in &valid {
            if let Some(Err(err)) = contents[index].take() {
                return Err(unzip_error(None, UnzipError::Read(err)));
            }
        }
    }
    let uncompressed_bytes = valid
        .iter()
        .map(|&i| archive.entry(i).uncompressed_size)
        .sum();
    Ok(ZipSummary {
        h1,
        files: valid.len(),
        uncompressed_bytes,
        zip_bytes: archive.file_size(),
    })
}

/// The first checks of Go's `checkZip`: a canonical version and `module.Check`.
fn check_module_version(module_path: &str, version: &str) -> Result<(), UnzipError> {
    let canonical = modpath::canonical_version(version);
    if canonical != version {
        return Err(UnzipError::NotCanonical {
            version: version.to_owned(),
            canonical,
        });
    }
    modpath::check(module_path, version).map_err(|err| UnzipError::Module(Box::new(err)))
}

enum Opened {
    TooLarge(u64),
    Failed(ReadError),
    DirectoryTooLarge,
}

fn open_file(path: &Path) -> Result<File, ReadError> {
    archive::open_file(path)
}

/// Reads the zip's directory, refusing a file larger than [`MAX_ZIP_FILE`] before that
/// and a directory that needs more than `budget` bytes of memory.
fn read_bounded(file: File, path: &Path, budget: usize) -> Result<ZipArchive, Opened> {
    let size = file
        .metadata()
        .map_err(|err| Opened::Failed(ReadError::Os(oserr::path_error("stat", path, &err))))?
        .len();
    if size > MAX_ZIP_FILE {
        return Err(Opened::TooLarge(size));
    }
    ZipArchive::from_file_within(file, path, budget).map_err(|err| match err {
        OpenError::Read(err) => Opened::Failed(err),
        OpenError::DirectoryTooLarge => Opened::DirectoryTooLarge,
    })
}

fn module_prefix(module_path: &str, version: &str) -> String {
    format!("{module_path}@{version}/")
}

/// Go's `checkZip` loop over the central directory. Returns what it found, with the
/// valid entries as indexes only (their names are not copied; `valid` is left empty).
fn check_entries(archive: &ZipArchive, prefix: &str) -> (CheckedFiles, Vec<usize>) {
    let mut checked = CheckedFiles::default();
    let mut valid = Vec::new();
    let mut collisions = Collisions::new(archive, prefix.len());
    let mut total: u64 = 0;
    for (index, entry) in archive.entries().enumerate() {
        match check_entry(
            index,
            &entry,
            prefix,
            &mut collisions,
            &mut total,
            &mut checked,
        ) {
            Ok(true) => valid.push(index),
            Ok(false) => {}
            Err(problem) => checked.invalid.push(FileError {
                name: entry.name.to_vec(),
                problem,
            }),
        }
    }
    (checked, valid)
}

/// One entry of `checkZip`: `Ok(true)` for a valid file, `Ok(false)` for an entry that is
/// skipped (the bare prefix, a directory).
fn check_entry(
    index: usize,
    entry: &ZipEntry<'_>,
    prefix: &str,
    collisions: &mut Collisions<'_>,
    total: &mut u64,
    checked: &mut CheckedFiles,
) -> Result<bool, FileProblem> {
    let Some(rest) = entry.name.strip_prefix(prefix.as_bytes()) else {
        return Err(FileProblem::MissingPrefix {
            prefix: prefix.to_owned(),
        });
    };
    if rest.is_empty() {
        return Ok(false);
    }
    let (name, is_dir) = match rest.strip_suffix(b"/") {
        Some(dir) => (dir, true),
        None => (rest, false),
    };
    // path.Clean only moves slashes and dot elements, so cleaning the text with U+FFFD in
    // place of bytes that are not UTF-8 decides the same.
    let text = String::from_utf8_lossy(name);
    if pathclean::clean(&text) != text {
        return Err(FileProblem::NotClean);
    }
    let Ok(name) = std::str::from_utf8(name) else {
        return Err(FileProblem::InvalidUtf8 {
            path: name.to_vec(),
        });
    };
    modpath::check_file_path(name).map_err(FileProblem::MalformedPath)?;
    collisions.check(index, name, is_dir)?;
    if is_dir {
        return Ok(false);
    }
    let base = name.rsplit('/').next().unwrap_or(name);
    // strings.EqualFold: no code point outside ASCII folds to a letter of "go.mod".
    if base.eq_ignore_ascii_case("go.mod") {
        if base != name {
            return Err(FileProblem::GoModNotInRoot);
        }
        if name != "go.mod" {
            return Err(FileProblem::GoModCase);
        }
    }
    // Go holds sizes in an int64: a declared size of 2^63 or more is negative there.
    let size = entry.uncompressed_size;
    if size <= i64::MAX as u64 && MAX_ZIP_FILE - *total >= size {
        *total += size;
    } else {
        checked.contents_too_large = true;
    }
    if name == "go.mod" && size <= i64::MAX as u64 && size > MAX_GO_MOD {
        return Err(FileProblem::GoModTooLarge);
    }
    if name == "LICENSE" && size <= i64::MAX as u64 && size > MAX_LICENSE {
        return Err(FileProblem::LicenseTooLarge);
    }
    Ok(true)
}

/// x/mod/zip's `collisionChecker`: paths seen so far (and their parent directories) by
/// their case-folding key.
///
/// A zip can have tens of thousands of entries, so nothing is copied: each path seen is
/// kept as the entry it came from and a length (the path and its parents are prefixes of
/// that entry's name, after the module prefix), and keyed by a hash of its folded form.
/// Two different folded forms with the same hash are told apart by folding again.
struct Collisions<'a, S = RandomState> {
    archive: &'a ZipArchive,
    /// Length of the module prefix that starts every name.
    start: usize,
    hasher: S,
    seen: HashMap<u64, Seen>,
    /// Paths whose folded form's hash was already taken by another folded form.
    spilled: Vec<(u64, Seen)>,
}

#[derive(Clone, Copy)]
struct Seen {
    entry: usize,
    len: usize,
    is_dir: bool,
}

impl<'a> Collisions<'a> {
    fn new(archive: &'a ZipArchive, start: usize) -> Collisions<'a> {
        Collisions::with_hasher(archive, start, RandomState::new())
    }
}

impl<'a, S: BuildHasher> Collisions<'a, S> {
    fn with_hasher(archive: &'a ZipArchive, start: usize, hasher: S) -> Collisions<'a, S> {
        Collisions {
            archive,
            start,
            hasher,
            seen: HashMap::new(),
            spilled: Vec::new(),
        }
    }

    /// Checks `path` (and its parents) of entry `entry`, whose name is the module prefix
    /// followed by `path` (and perhaps a slash).
    fn check(&mut self, entry: usize, path: &str, is_dir: bool) -> Result<(), FileProblem> {
        let (mut path, mut is_dir) = (path, is_dir);
        loop {
            let key = fold::fold_key(path);
            let hash = self.hasher.hash_one(&key);
            let found = self.find(hash, path, &key);
            match found {
                Some((other, _)) if other != path => {
                    return Err(FileProblem::CaseCollision {
                        first: other.to_owned(),
                        second: path.to_owned(),
                    });
                }
                Some((_, other_is_dir)) if other_is_dir != is_dir => {
                    return Err(FileProblem::FileAndDirectory {
                        path: path.to_owned(),
                    });
                }
                Some(_) if !is_dir => {
                    return Err(FileProblem::MultipleEntries {
                        path: path.to_owned(),
                    });
                }
                Some(_) => {}
                None => {
                    let seen = Seen {
                        entry,
                        len: path.len(),
                        is_dir,
                    };
                    if let Some(taken) = self.seen.insert(hash, seen) {
                        self.seen.insert(hash, taken);
                        self.spilled.push((hash, seen));
                    }
                }
            }
            match path.rfind('/') {
                Some(slash) => (path, is_dir) = (&path[..slash], true),
                None => return Ok(()),
            }
        }
    }

    /// The path seen before with the folded form `key` (whose hash is `hash`), and whether
    /// it was a directory.
    fn find(&self, hash: u64, path: &str, key: &str) -> Option<(&'a str, bool)> {
        let first = self.seen.get(&hash)?;
        let spilled = self.spilled.iter().filter(|(h, _)| *h == hash);
        std::iter::once(first)
            .chain(spilled.map(|(_, seen)| seen))
            .map(|seen| (self.path(seen), seen.is_dir))
            // The same text has the same folded form; only a different text is folded.
            .find(|(other, _)| *other == path || fold::fold_key(other) == key)
    }

    fn path(&self, seen: &Seen) -> &'a str {
        let name = self.archive.entry(seen.entry).name;
        let bytes = &name[self.start..self.start + seen.len];
        // Only paths that are valid UTF-8 are ever recorded.
        std::str::from_utf8(bytes).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A zip of `count` central-directory entries named `name` (their local headers are
    /// never looked at here).
    fn directory_only_zip(count: u16, name: &[u8]) -> Vec<u8> {
        directory_only_zip_of(&vec![name; usize::from(count)])
    }

    /// A zip of central-directory entries with these names.
    fn directory_only_zip_of(names: &[&[u8]]) -> Vec<u8> {
        let count = names.len() as u16;
        let mut directory = Vec::new();
        for name in names {
            directory.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
            directory.extend_from_slice(&[0; 24]);
            directory.extend_from_slice(&(name.len() as u16).to_le_bytes());
            directory.extend_from_slice(&[0; 16]);
            directory.extend_from_slice(name);
        }
        let mut zip = directory.clone();
        zip.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
        zip.extend_from_slice(&[0; 4]);
        zip.extend_from_slice(&count.to_le_bytes());
        zip.extend_from_slice(&count.to_le_bytes());
        zip.extend_from_slice(&(directory.len() as u32).to_le_bytes());
        zip.extend_from_slice(&[0; 6]);
        zip
    }

    #[test]
    fn a_directory_over_the_memory_budget_is_refused_while_read() {
        let path =
            std::env::temp_dir().join(format!("gomod-modzip-budget-{}.zip", std::process::id()));
        std::fs::write(&path, directory_only_zip(100, b"example.com/m@v1.0.0/x")).unwrap();
        let open = |budget| read_bounded(File::open(&path).unwrap(), &path, budget);
        assert!(matches!(open(100 * (128 + 22)), Ok(archive) if archive.len() == 100));
        assert!(matches!(
            open(99 * (128 + 22)),
            Err(Opened::DirectoryTooLarge)
        ));
        // Go's own checks have no such limit.
        assert!(check_zip(&path, "example.com/m", "v1.0.0").is_ok());
        std::fs::remove_file(&path).unwrap();
        let err = ZipError::DirectoryTooLarge.to_string();
        assert!(err.contains("67108864 bytes"), "{err}");
    }

    /// Hashes every folded path to the same value.
    #[derive(Default)]
    struct Constant;

    impl std::hash::Hasher for Constant {
        fn finish(&self) -> u64 {
            7
        }
        fn write(&mut self, _: &[u8]) {}
    }

    #[test]
    fn collisions_are_told_apart_when_every_folded_path_hashes_the_same() {
        let names = [
            "a/b.go", "a/c.go", "A/d.go", "x.go", "y/", "y", "z.go", "z.go", "k/K.go", "k/k.go",
        ];
        let prefix = "example.com/m@v1.0.0/";
        let full: Vec<Vec<u8>> = names
            .iter()
            .map(|n| format!("{prefix}{n}").into())
            .collect();
        let full: Vec<&[u8]> = full.iter().map(Vec::as_slice).collect();
        let path = std::env::temp_dir().join(format!(
            "gomod-modzip-collisions-{}.zip",
            std::process::id()
        ));
        std::fs::write(&path, directory_only_zip_of(&full)).unwrap();
        let archive = ZipArchive::open(&path).unwrap();
        std::fs::remove_file(&path).unwrap();
        fn verdicts<S: BuildHasher>(
            names: &[&str],
            mut collisions: Collisions<'_, S>,
        ) -> Vec<Option<String>> {
            let check = |(i, name): (usize, &&str)| match name.strip_suffix('/') {
                Some(dir) => collisions.check(i, dir, true),
                None => collisions.check(i, name, false),
            };
            let results: Vec<_> = names.iter().enumerate().map(check).collect();
            results
                .into_iter()
                .map(|result| result.err().map(|problem| problem.to_string()))
                .collect()
        }
        let expected = verdicts(&names, Collisions::new(&archive, prefix.len()));
        let constant = std::hash::BuildHasherDefault::<Constant>::default();
        let found = verdicts(
            &names,
            Collisions::with_hasher(&archive, prefix.len(), constant),
        );
        assert_eq!(found, expected);
        let problems: Vec<_> = expected.iter().map(Option::is_some).collect();
        assert_eq!(
            problems,
            [
                false, false, true, false, false, true, false, true, false, true
            ],
            "{expected:?}"
        );
    }
}
