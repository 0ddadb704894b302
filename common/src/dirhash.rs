//! Go's `h1:` hashes (golang.org/x/mod/sumdb/dirhash): of a module zip, of a go.mod file, of
//! a directory, of a list of files.
//!
//! `Hash1` sorts the file names by their bytes, writes one summary line per name — the
//! lowercase hex SHA-256 of the content, two spaces, the name, a newline — and returns
//! `h1:` and the standard base64 of the SHA-256 of that summary. Names are raw bytes
//! (zips may hold names that are not UTF-8) and are never normalised; a name containing a
//! newline is refused.
//!
//! [`hash_zip_file`] is Go's `HashZip`: every central-directory entry counts (directory
//! entries too), the content of a name given twice is that of its last entry, and the
//! content is read with all of `archive/zip`'s checks. It reads the entries on all cores,
//! with positioned reads through fixed buffers, so memory does not grow with the size of
//! the zip.

use std::fmt;
use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use base64::Engine as _;
use sha2::{Digest, Sha256};

use crate::modzip::{ReadError, ZipArchive};
use crate::pathclean;
use crate::{oserr, regular};

/// The `h1:` hash of no files at all (the SHA-256 of an empty summary).
pub const EMPTY_H1: &str = "h1:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";

/// Why an `h1:` hash could not be computed; `Display` is Go's `err.Error()`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HashError {
    /// `dirhash: filenames with newlines are not supported`.
    NewlineInName,
    /// The zip could not be opened or an entry read (`zip: checksum error`, ...).
    Zip(ReadError),
    /// `<dir> is not a directory`: [`hash_dir`] on something else.
    NotADirectory(String),
    /// Walking the directory or reading one of its files failed, as Go's
    /// `*fs.PathError` prints it (`open <file>: permission denied`).
    Os(String),
}

impl fmt::Display for HashError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HashError::NewlineInName => {
                f.write_str("dirhash: filenames with newlines are not supported")
            }
            HashError::Zip(err) => err.fmt(f),
            HashError::NotADirectory(dir) => write!(f, "{dir} is not a directory"),
            HashError::Os(text) => f.write_str(text),
        }
    }
}

impl std::error::Error for HashError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            HashError::Zip(err) => Some(err),
            _ => None,
        }
    }
}

impl From<ReadError> for HashError {
    fn from(err: ReadError) -> Self {
        HashError::Zip(err)
    }
}

/// Collects `(name, SHA-256 of content)` pairs and computes their `h1:` hash, so that
/// callers can hash content as they stream it. Names may repeat; each occurrence is a
/// line of the summary.
#[derive(Debug, Clone, Default)]
pub struct Hash1Builder {
    files: Vec<(Vec<u8>, [u8; 32])>,
}

impl Hash1Builder {
    /// An empty builder.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a file by the SHA-256 of its content.
    pub fn add_digest(&mut self, name: impl Into<Vec<u8>>, sha256: [u8; 32]) {
        self.files.push((name.into(), sha256));
    }

    /// Adds a file by its content.
    pub fn add_content(&mut self, name: impl Into<Vec<u8>>, content: &[u8]) {
        self.add_digest(name, Sha256::digest(content).into());
    }

    /// Adds a file by reading `content` to its end.
    pub fn add_reader(&mut self, name: impl Into<Vec<u8>>, content: impl Read) -> io::Result<()> {
        let digest = sha256_of_reader(content)?;
        self.add_digest(name, digest);
        Ok(())
    }

    /// The summary text whose SHA-256 is the hash: one line per file, sorted by name.
    pub fn summary(&self) -> Result<Vec<u8>, HashError> {
        let mut summary = Vec::new();
        for (name, digest) in self.sorted()? {
            summary.extend_from_slice(&summary_line(name, digest));
        }
        Ok(summary)
    }

    /// The `h1:` hash of the files added.
    pub fn finish(&self) -> Result<String, HashError> {
        let mut summary = Sha256::new();
        for (name, digest) in self.sorted()? {
            summary.update(summary_line(name, digest));
        }
        Ok(h1_of(summary))
    }

    fn sorted(&self) -> Result<Vec<SummaryLine<'_>>, HashError> {
        let mut files: Vec<_> = self
            .files
            .iter()
            .map(|(name, digest)| (name.as_slice(), digest))
            .collect();
        files.sort_unstable_by(|a, b| a.0.cmp(b.0));
        if files.iter().any(|(name, _)| name.contains(&b'\n')) {
            return Err(HashError::NewlineInName);
        }
        Ok(files)
    }
}

/// A name and the SHA-256 of its content.
type SummaryLine<'a> = (&'a [u8], &'a [u8; 32]);

/// Go's `dirhash.Hash1` over `(name, content)` pairs.
pub fn hash1<N, C>(files: impl IntoIterator<Item = (N, C)>) -> Result<String, HashError>
where
    N: Into<Vec<u8>>,
    C: AsRef<[u8]>,
{
    let mut builder = Hash1Builder::new();
    for (name, content) in files {
        builder.add_content(name, content.as_ref());
    }
    builder.finish()
}

/// The hash go.sum records on `<module> <version>/go.mod` lines: `Hash1` over one file named
/// `go.mod` holding exactly `content` (the `.mod` bytes the go command obtained).
pub fn hash_go_mod(content: &[u8]) -> String {
    let mut summary = Sha256::new();
    summary.update(summary_line(b"go.mod", &Sha256::digest(content).into()));
    h1_of(summary)
}

/// The `h1:` hash of a zip with what went into it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZipHash {
    /// `h1:` and base64.
    pub h1: String,
    /// Lines of the summary: one per central-directory entry.
    pub files: usize,
    /// Total length of the content hashed, over all lines.
    pub uncompressed_bytes: u64,
}

/// Go's `dirhash.HashZip(path, dirhash.Hash1)`: the hash of every entry of the zip at
/// `path`, reading the entries in parallel with bounded memory.
pub fn hash_zip_file(path: &Path) -> Result<ZipHash, HashError> {
    let archive = ZipArchive::open(path)?;
    hash_zip(&archive)
}

/// [`hash_zip_file`] on an archive already open.
pub fn hash_zip(archive: &ZipArchive) -> Result<ZipHash, HashError> {
    let mut sorted: Vec<usize> = (0..archive.len()).collect();
    // Stable, so each run of equal names keeps central-directory order and its last
    // element is the entry Go's name-to-entry map ends up holding.
    sorted.sort_by(|&a, &b| archive.entry(a).name.cmp(archive.entry(b).name));
    // Runs of equal names, walked twice rather than collected: a zip of many small files
    // would otherwise pay for a list as long as its directory.
    let runs = || sorted.chunk_by(|&a, &b| archive.entry(a).name == archive.entry(b).name);
    // Go stops at the first name with a newline, before reading it; names after it in
    // sorted order are never read.
    let newline_at = runs().position(|run| archive.entry(run[0]).name.contains(&b'\n'));
    let readable = || runs().take(newline_at.unwrap_or(usize::MAX));
    let wanted: Vec<usize> = readable().filter_map(|run| run.last().copied()).collect();
    let mut contents = archive.read_entries(&wanted, true);
    let mut summary = Sha256::new();
    let mut uncompressed_bytes = 0u64;
    for run in readable() {
        let Some(&last) = run.last() else { continue };
        let content = match contents[last].take() {
            Some(Ok(content)) => content,
            Some(Err(err)) => return Err(HashError::Zip(err)),
            None => unreachable!("every wanted entry is read"),
        };
        let digest = content.sha256.unwrap_or_default();
        let line = summary_line(archive.entry(last).name, &digest);
        for _ in run {
            summary.update(&line);
            uncompressed_bytes = uncompressed_bytes.saturating_add(content.len);
        }
    }
    if newline_at.is_some() {
        return Err(HashError::NewlineInName);
    }
    Ok(ZipHash {
        h1: h1_of(summary),
        files: archive.len(),
        uncompressed_bytes,
    })
}

/// Go's `dirhash.HashDir(dir, prefix, Hash1)`, which `go mod verify` compares for an
/// extracted module (`prefix` is then `module@version`): every non-directory below `dir`
/// (symbolic links included, read through), named `prefix/relative/path`.
pub fn hash_dir(dir: &Path, prefix: &str) -> Result<String, HashError> {
    let files = dir_files(dir, prefix)?;
    let mut summary = Sha256::new();
    let mut names: Vec<&[u8]> = files.iter().map(Vec::as_slice).collect();
    names.sort_unstable();
    for name in names {
        if name.contains(&b'\n') {
            return Err(HashError::NewlineInName);
        }
        // Go opens filepath.Join(dir, strings.TrimPrefix(name, prefix)).
        let relative = name.strip_prefix(prefix.as_bytes()).unwrap_or(name);
        let path = join_bytes(dir, relative);
        // Only regular files: Go would wait forever on a named pipe and read a device
        // such as /dev/zero without end.
        let opened = regular::open_limited(&path, regular::MODULE_FILE)
            .map_err(|err| HashError::Os(err.to_string()))?;
        let digest = sha256_of_reader(opened.file.take(opened.size))
            .map_err(|err| HashError::Os(oserr::path_error("read", &path, &err)))?;
        summary.update(summary_line(name, &digest));
    }
    Ok(h1_of(summary))
}

/// Go's `dirhash.DirFiles`: the non-directories below `dir`, named `prefix/relative`.
fn dir_files(dir: &Path, prefix: &str) -> Result<Vec<Vec<u8>>, HashError> {
    let root = clean_path(dir);
    let info = fs::symlink_metadata(&root)
        .map_err(|err| HashError::Os(oserr::path_error("lstat", &root, &err)))?;
    if !info.is_dir() {
        return Err(HashError::NotADirectory(root.display().to_string()));
    }
    let prefix = pathclean::clean(prefix);
    let mut files = Vec::new();
    let mut relative = Vec::new();
    walk(&root, &mut relative, &prefix, &mut files)?;
    Ok(files)
}

/// Go's `filepath.Walk` below one directory, in lexical order, stopping at the first
/// error.
fn walk(
    dir: &Path,
    relative: &mut Vec<u8>,
    prefix: &str,
    files: &mut Vec<Vec<u8>>,
) -> Result<(), HashError> {
    let entries =
        fs::read_dir(dir).map_err(|err| HashError::Os(oserr::path_error("open", dir, &err)))?;
    let mut names = Vec::new();
    for entry in entries {
        let entry =
            entry.map_err(|err| HashError::Os(oserr::path_error("readdirent", dir, &err)))?;
        names.push(entry.file_name());
    }
    names.sort_unstable_by(|a, b| a.as_encoded_bytes().cmp(b.as_encoded_bytes()));
    for name in names {
        let path = dir.join(&name);
        let info = fs::symlink_metadata(&path)
            .map_err(|err| HashError::Os(oserr::path_error("lstat", &path, &err)))?;
        let keep = relative.len();
        if !relative.is_empty() {
            relative.push(b'/');
        }
        relative.extend_from_slice(name.as_encoded_bytes());
        if info.is_dir() {
            walk(&path, relative, prefix, files)?;
        } else {
            files.push(prefixed(prefix, relative));
        }
        relative.truncate(keep);
    }
    Ok(())
}

/// `filepath.ToSlash(filepath.Join(prefix, relative))` for a clean `relative` path and an
/// already cleaned `prefix`.
fn prefixed(prefix: &str, relative: &[u8]) -> Vec<u8> {
    let mut name = Vec::with_capacity(prefix.len() + 1 + relative.len());
    match prefix {
        "." => {}
        "/" => name.push(b'/'),
        _ => {
            name.extend_from_slice(prefix.as_bytes());
            name.push(b'/');
        }
    }
    name.extend_from_slice(relative);
    name
}

/// `filepath.Join(dir, relative)`. A path that is not UTF-8 is joined without cleaning,
/// which changes nothing but the text of an error.
fn join_bytes(dir: &Path, relative: &[u8]) -> PathBuf {
    let mut joined = dir.as_os_str().as_encoded_bytes().to_vec();
    joined.push(b'/');
    joined.extend_from_slice(relative);
    match String::from_utf8(joined) {
        Ok(text) => PathBuf::from(pathclean::clean(&text)),
        Err(err) => path_from_bytes(err.into_bytes()),
    }
}

#[cfg(unix)]
fn path_from_bytes(bytes: Vec<u8>) -> PathBuf {
    PathBuf::from(<std::ffi::OsString as std::os::unix::ffi::OsStringExt>::from_vec(bytes))
}

#[cfg(not(unix))]
fn path_from_bytes(bytes: Vec<u8>) -> PathBuf {
    PathBuf::from(String::from_utf8_lossy(&bytes).into_owned())
}

/// `filepath.Clean` of a directory path (lossless for paths that are not UTF-8, which
/// are returned unchanged).
fn clean_path(dir: &Path) -> PathBuf {
    match dir.to_str() {
        Some(text) => PathBuf::from(pathclean::clean(text)),
        None => dir.to_owned(),
    }
}

fn sha256_of_reader(mut reader: impl Read) -> io::Result<[u8; 32]> {
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        match reader.read(&mut buf) {
            Ok(0) => return Ok(hasher.finalize().into()),
            Ok(n) => hasher.update(&buf[..n]),
            Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
            Err(err) => return Err(err),
        }
    }
}

/// One summary line: lowercase hex digest, two spaces, the name, a newline.
fn summary_line(name: &[u8], digest: &[u8; 32]) -> Vec<u8> {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut line = Vec::with_capacity(64 + 2 + name.len() + 1);
    for byte in digest {
        line.push(HEX[usize::from(byte >> 4)]);
        line.push(HEX[usize::from(byte & 15)]);
    }
    line.extend_from_slice(b"  ");
    line.extend_from_slice(name);
    line.push(b'\n');
    line
}

fn h1_of(summary: Sha256) -> String {
    let digest = summary.finalize();
    format!(
        "h1:{}",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_and_go_mod_hashes_are_gos() {
        assert_eq!(hash1::<&str, &[u8]>([]).unwrap(), EMPTY_H1);
        assert_eq!(
            hash_go_mod(b""),
            "h1:G7mAYYxgmS0lVkHyy2hEOLQCFB0DlQFTMLWggykrydY="
        );
        assert_eq!(
            hash_go_mod(b"module x\n"),
            hash1([("go.mod", b"module x\n")]).unwrap()
        );
    }

    #[test]
    fn names_sort_by_bytes_and_newlines_are_refused() {
        let mut builder = Hash1Builder::new();
        builder.add_content("b", b"");
        builder.add_content("B", b"x");
        let summary = String::from_utf8(builder.summary().unwrap()).unwrap();
        assert!(summary.ends_with(
            "  B\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  b\n"
        ));
        builder.add_content("a\nb", b"");
        assert_eq!(builder.finish(), Err(HashError::NewlineInName));
    }

    #[test]
    fn prefixed_names_follow_filepath_join() {
        assert_eq!(
            prefixed("example.com/m@v1.0.0", b"a/b.go"),
            b"example.com/m@v1.0.0/a/b.go"
        );
        assert_eq!(prefixed(".", b"x"), b"x");
        assert_eq!(prefixed("/", b"x"), b"/x");
    }
}
