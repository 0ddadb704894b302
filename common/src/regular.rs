//! Reading a file named by the user, the environment or found on disk: only regular
//! files are read, each with a size limit suited to what it holds.
//!
//! The go command reads such files with `os.ReadFile`: a named pipe (FIFO) given as a
//! go.mod, netrc or certificate file makes it wait forever for a writer, and a
//! character device such as `/dev/zero` is read until memory runs out. These tools
//! refuse anything but a regular file (symbolic links are followed, as Go follows
//! them), without ever blocking on it: the file is opened with `O_NONBLOCK` and
//! checked with `fstat` on the descriptor itself, so a file swapped for a pipe between
//! a check and the open cannot slip through. A file larger than its limit is refused
//! before anything is read, and no file is read further than the size `fstat` gave:
//! one that grows is cut there, and the pseudo-files of `/proc` and `/sys` that announce
//! no size read as empty (reading `/proc/kmsg` would wait, and take the kernel's
//! messages from whoever else reads them).
//!
//! Error texts keep Go's wording for what Go reports itself (`open <path>: no such file
//! or directory`, `read <path>: is a directory`), and say plainly when the refusal is
//! this tool's rule: `<path>: a named pipe, not a regular file: ...`,
//! `<path>: larger than 1048576 bytes, this tool's limit for a netrc file`.
//!
//! Standard input and `-f` files are not read through here: a pipe is what they are
//! meant to be.

use std::fmt;
use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use crate::oserr;

/// How much of one kind of file is read, and its name in errors.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limit {
    /// The most bytes read.
    pub bytes: u64,
    /// What the file is, for errors: `netrc file`, `go.sum file`.
    pub what: &'static str,
}

impl Limit {
    /// A limit of `bytes` for files of kind `what`.
    pub const fn new(bytes: u64, what: &'static str) -> Limit {
        Limit { bytes, what }
    }
}

/// A go.mod file given with `-m`, or cached in a module cache: the go command's own
/// limit for go.mod files (`codehost.MaxGoMod`).
pub const GO_MOD: Limit = Limit::new(16 << 20, "go.mod file");
/// A go.sum (or go.work.sum) file.
pub const GO_SUM: Limit = Limit::new(64 << 20, "go.sum file");
/// A netrc file.
pub const NETRC: Limit = Limit::new(4 << 20, "netrc file");
/// The user's go env file, or `$GOROOT/go.env`.
pub const GO_ENV: Limit = Limit::new(1 << 20, "go env file");
/// `$GOROOT/VERSION`.
pub const GO_VERSION: Limit = Limit::new(64 << 10, "Go VERSION file");
/// resolv.conf or nsswitch.conf.
pub const RESOLVER_CONF: Limit = Limit::new(1 << 20, "resolver configuration file");
/// A hosts file (block lists make them tens of megabytes).
pub const HOSTS: Limit = Limit::new(64 << 20, "hosts file");
/// A PEM file of certificates (SSL_CERT_FILE, a file in SSL_CERT_DIR, `--ca-file`,
/// `--public-roots`).
pub const CERTIFICATES: Limit = Limit::new(16 << 20, "certificate file");
/// A module zip: the go command's own limit (`codehost.MaxZipFile`).
pub const MODULE_ZIP: Limit = Limit::new(500 << 20, "module zip");
/// One file of an extracted module: no file of a module zip is larger than the zip
/// limit.
pub const MODULE_FILE: Limit = Limit::new(500 << 20, "file of an extracted module");
/// A `.ziphash` file: one `h1:` hash.
pub const ZIPHASH: Limit = Limit::new(4 << 10, "ziphash file");
/// A signed tree head or a lookup answer of the checksum database, kept on disk.
pub const SUMDB_NOTE: Limit = Limit::new(1 << 20, "checksum database note");

/// Why a file was not read.
#[derive(Debug)]
pub enum ReadError {
    /// The system refused, as it would refuse the go command: `<op> <path>: <errno>`.
    Os {
        /// The operation that failed: `open`, `read`, `stat`.
        op: &'static str,
        /// The file.
        path: PathBuf,
        /// The error.
        err: io::Error,
    },
    /// Not a regular file (a named pipe, a device, a socket): refused by this tool.
    NotRegular {
        /// The file.
        path: PathBuf,
        /// What it is.
        kind: Special,
    },
    /// Larger than the limit: refused by this tool.
    TooLarge {
        /// The file.
        path: PathBuf,
        /// The limit it exceeds.
        limit: Limit,
    },
}

impl ReadError {
    /// Whether the file does not exist (a missing optional file is often no error).
    pub fn is_not_found(&self) -> bool {
        matches!(self, ReadError::Os { err, .. } if err.kind() == io::ErrorKind::NotFound)
    }

    /// The system's error, for a refusal the go command would meet as well.
    pub fn io_error(&self) -> Option<&io::Error> {
        match self {
            ReadError::Os { err, .. } => Some(err),
            _ => None,
        }
    }

    /// Whether this tool refused the file by its own rule (not regular, too large),
    /// where the go command would have read it (or blocked on it).
    pub fn is_refusal(&self) -> bool {
        !matches!(self, ReadError::Os { .. })
    }

    fn os(op: &'static str, path: &Path, err: io::Error) -> ReadError {
        ReadError::Os {
            op,
            path: path.to_path_buf(),
            err,
        }
    }
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::Os { op, path, err } => f.write_str(&oserr::path_error(op, path, err)),
            ReadError::NotRegular { path, kind } => write!(
                f,
                "{}: a {}, not a regular file: refused (reading it could block or never end)",
                path.display(),
                kind.name()
            ),
            ReadError::TooLarge { path, limit } => write!(
                f,
                "{}: larger than {} bytes, this tool's limit for a {}",
                path.display(),
                limit.bytes,
                limit.what
            ),
        }
    }
}

impl std::error::Error for ReadError {}

/// A file that is neither regular nor a directory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Special {
    /// A FIFO: reading waits for a writer, maybe forever.
    NamedPipe,
    /// A character device such as `/dev/zero` or a terminal.
    CharDevice,
    /// A block device (a disk).
    BlockDevice,
    /// A Unix socket.
    Socket,
}

impl Special {
    /// The kind in words.
    pub fn name(self) -> &'static str {
        match self {
            Special::NamedPipe => "named pipe",
            Special::CharDevice => "character device",
            Special::BlockDevice => "block device",
            Special::Socket => "socket",
        }
    }

    /// What a file type is, None for a regular file or a directory.
    pub fn of(file_type: &std::fs::FileType) -> Option<Special> {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_file() || file_type.is_dir() {
            None
        } else if file_type.is_fifo() {
            Some(Special::NamedPipe)
        } else if file_type.is_char_device() {
            Some(Special::CharDevice)
        } else if file_type.is_block_device() {
            Some(Special::BlockDevice)
        } else {
            Some(Special::Socket)
        }
    }
}

/// An open regular file and its size when opened.
#[derive(Debug)]
pub struct RegularFile {
    /// The file, still in `O_NONBLOCK` mode (no effect on a regular file's reads,
    /// but a pseudo-file that would wait fails instead).
    pub file: File,
    /// Its size according to `fstat`.
    pub size: u64,
}

/// Opens `path` if it is a regular file (after following symbolic links), without
/// blocking whatever it is. A directory fails as reading it fails in Go
/// (`read <path>: is a directory`).
pub fn open(path: &Path) -> Result<RegularFile, ReadError> {
    // A cheap look first, so that opening a device (which can have effects of its own)
    // is not even tried.
    match std::fs::metadata(path) {
        Ok(meta) if meta.is_dir() => {
            return Err(ReadError::os(
                "read",
                path,
                io::Error::from_raw_os_error(libc::EISDIR),
            ));
        }
        Ok(meta) => {
            if let Some(kind) = Special::of(&meta.file_type()) {
                return Err(ReadError::NotRegular {
                    path: path.to_path_buf(),
                    kind,
                });
            }
        }
        // Go reports the open; let the open below say what is wrong.
        Err(_) => {}
    }
    let file = {
        use std::os::unix::fs::OpenOptionsExt;
        std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
            .open(path)
            .map_err(|err| ReadError::os("open", path, err))?
    };
    // What was opened is what counts: the path may have changed since the look above.
    let meta = file
        .metadata()
        .map_err(|err| ReadError::os("stat", path, err))?;
    if meta.is_dir() {
        return Err(ReadError::os(
            "read",
            path,
            io::Error::from_raw_os_error(libc::EISDIR),
        ));
    }
    if let Some(kind) = Special::of(&meta.file_type()) {
        return Err(ReadError::NotRegular {
            path: path.to_path_buf(),
            kind,
        });
    }
    Ok(RegularFile {
        file,
        size: meta.len(),
    })
}

/// Opens `path` as [`open`] does and refuses it when its size exceeds `limit`.
pub fn open_limited(path: &Path, limit: Limit) -> Result<RegularFile, ReadError> {
    let opened = open(path)?;
    if opened.size > limit.bytes {
        return Err(ReadError::TooLarge {
            path: path.to_path_buf(),
            limit,
        });
    }
    Ok(opened)
}

/// Reads the whole of a regular file of at most `limit` bytes (as far as the size it
/// had when opened).
pub fn read(path: &Path, limit: Limit) -> Result<Vec<u8>, ReadError> {
    let opened = open_limited(path, limit)?;
    let capacity = usize::try_from(opened.size).unwrap_or(0);
    let mut data = Vec::with_capacity(capacity.min(1 << 20));
    opened
        .file
        .take(opened.size)
        .read_to_end(&mut data)
        .map_err(|err| ReadError::os("read", path, err))?;
    Ok(data)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: Limit = Limit::new(8, "test file");

    #[test]
    fn regular_files_are_read_up_to_their_limit() {
        let tmp = tempfile_dir("regular");
        let dir = tmp.path();
        let path = dir.join("f");
        std::fs::write(&path, b"12345678").unwrap();
        assert_eq!(read(&path, SMALL).unwrap(), b"12345678");
        std::fs::write(&path, b"123456789").unwrap();
        let err = read(&path, SMALL).unwrap_err();
        assert!(err.is_refusal());
        assert_eq!(
            err.to_string(),
            format!(
                "{}: larger than 8 bytes, this tool's limit for a test file",
                path.display()
            )
        );
    }

    #[test]
    fn fifos_and_devices_are_refused_without_blocking() {
        let tmp = tempfile_dir("fifo");
        let dir = tmp.path();
        let fifo = dir.join("pipe");
        let name = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
        // SAFETY: mkfifo with a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o600) }, 0);
        let err = read(&fifo, SMALL).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "{}: a named pipe, not a regular file: refused (reading it could block or never end)",
                fifo.display()
            )
        );
        let err = read(Path::new("/dev/zero"), SMALL).unwrap_err();
        assert!(err.to_string().contains("a character device"), "{err}");
        // Through a symbolic link, too.
        let link = dir.join("link");
        std::os::unix::fs::symlink("/dev/zero", &link).unwrap();
        assert!(matches!(
            read(&link, SMALL),
            Err(ReadError::NotRegular {
                kind: Special::CharDevice,
                ..
            })
        ));
    }

    #[test]
    fn pseudo_files_without_a_size_read_as_empty() {
        // /proc files announce no size: nothing is read from them (reading some waits
        // or takes data from others), and nothing blocks.
        assert_eq!(read(Path::new("/proc/self/status"), SMALL).unwrap(), b"");
    }

    #[test]
    fn errors_the_go_command_meets_too_keep_go_s_words() {
        let err = read(Path::new("/"), SMALL).unwrap_err();
        assert_eq!(err.to_string(), "read /: is a directory");
        let tmp = tempfile_dir("missing");
        let dir = tmp.path();
        let missing = dir.join("nope");
        let err = read(&missing, SMALL).unwrap_err();
        assert!(err.is_not_found());
        assert_eq!(
            err.to_string(),
            format!("open {}: no such file or directory", missing.display())
        );
    }

    /// A directory of its own, removed when the test ends.
    fn tempfile_dir(name: &str) -> tempfile::TempDir {
        tempfile::Builder::new()
            .prefix(&format!("gomod-regular-{name}-"))
            .tempdir()
            .unwrap()
    }
}
