//! Zip archives read the way Go's `archive/zip` reads them (Go 1.27): the same search for
//! the end of the central directory, the same walk over the directory with its quirks (a
//! base offset for prefixed archives, an entry count compared modulo 65536, ZIP64 extra
//! fields), the same checks while an entry is read (declared sizes, CRC-32, data
//! descriptors, directory entries) and the same errors, displayed as Go displays them.
//!
//! Everything read from the file is treated as hostile. Nothing is allocated from a
//! declared count or size: the directory is walked through a fixed buffer and its entries
//! stored compactly (names in one arena), so memory follows the size of the directory
//! actually present. Entry data is read with positioned reads (not mapped, so it never
//! counts in the resident set) through fixed buffers, and inflating stops at the first
//! byte beyond the declared size, as Go's reader does.

use std::fmt;
use std::fs::File;
use std::io;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};

use flate2::{Decompress, FlushDecompress, Status};
use sha2::{Digest, Sha256};

use crate::oserr;

const FILE_HEADER_SIGNATURE: u32 = 0x0403_4b50;
/// The content (as the directory declares it) from which [`ZipArchive::read_entries`]
/// reads with more than one thread.
const PARALLEL_MIN_BYTES: u64 = 1 << 20;
const DIRECTORY_HEADER_SIGNATURE: u32 = 0x0201_4b50;
const DIRECTORY_END_SIGNATURE: [u8; 4] = *b"PK\x05\x06";
const DIRECTORY64_LOC_SIGNATURE: u32 = 0x0706_4b50;
const DIRECTORY64_END_SIGNATURE: u32 = 0x0606_4b50;
const DATA_DESCRIPTOR_SIGNATURE: u32 = 0x0807_4b50;
const FILE_HEADER_LEN: usize = 30;
const DIRECTORY_HEADER_LEN: usize = 46;
const DIRECTORY_END_LEN: usize = 22;
const DIRECTORY64_LOC_LEN: usize = 20;
const DIRECTORY64_END_LEN: usize = 56;
const DATA_DESCRIPTOR_LEN: i64 = 16;
const ZIP64_EXTRA_ID: u16 = 0x0001;
const FLAG_DATA_DESCRIPTOR: u16 = 0x8;

/// Compression method 0: the data is stored as is.
pub const METHOD_STORE: u16 = 0;
/// Compression method 8: raw deflate. Go reads no other method.
pub const METHOD_DEFLATE: u16 = 8;

/// Size of every read buffer: the directory walk, each reader's window on the file and
/// its inflate output.
const CHUNK: usize = 64 * 1024;

/// The most bytes deflate can produce from one input byte: a length of 258 coded in one
/// bit and its distance in another. Used to bound the work an entry can cause.
pub(crate) const DEFLATE_MAX_RATIO: u64 = 1032;

/// Why Go's `archive/zip` (or the `os`, `io` and `compress/flate` errors it passes on)
/// refused to open an archive or to read an entry; `Display` is Go's `err.Error()`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadError {
    /// `zip: not a valid zip file` (`zip.ErrFormat`): no end record, a bad signature or
    /// directory, more data than the declared size, data in a directory entry.
    Format,
    /// `zip: unsupported compression algorithm` (`zip.ErrAlgorithm`): neither store nor
    /// deflate.
    Algorithm,
    /// `zip: checksum error` (`zip.ErrChecksum`): the CRC-32 of the content, or the one in
    /// the data descriptor, differs from the central directory's.
    Checksum,
    /// `EOF`: Go's `io.EOF` passed on as an error, where a read found no byte at all (a
    /// local header past the end of the file, a directory ending exactly at the end).
    Eof,
    /// `unexpected EOF`: the content, the compressed stream or a data descriptor ends
    /// early.
    UnexpectedEof,
    /// `flate: corrupt input before offset N`: the deflate stream is invalid. `offset`
    /// counts the compressed bytes consumed when the error was found, which zlib and Go's
    /// `compress/flate` agree on (the tests compare them on damaged streams).
    CorruptDeflate {
        /// Compressed bytes consumed before the error was found.
        offset: u64,
    },
    /// `readat <file>: negative offset`: an offset in the archive points before the
    /// start of the file.
    NegativeOffset {
        /// The archive's path as given.
        path: String,
    },
    /// An operating-system error, as Go's `*fs.PathError` prints it
    /// (`open <file>: no such file or directory`, `read <file>: is a directory`).
    Os(String),
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::Format => f.write_str("zip: not a valid zip file"),
            ReadError::Algorithm => f.write_str("zip: unsupported compression algorithm"),
            ReadError::Checksum => f.write_str("zip: checksum error"),
            ReadError::Eof => f.write_str("EOF"),
            ReadError::UnexpectedEof => f.write_str("unexpected EOF"),
            ReadError::CorruptDeflate { offset } => {
                write!(f, "flate: corrupt input before offset {offset}")
            }
            ReadError::NegativeOffset { path } => write!(f, "readat {path}: negative offset"),
            ReadError::Os(text) => f.write_str(text),
        }
    }
}

impl std::error::Error for ReadError {}

/// Why [`ZipArchive::from_file_within`] gave up.
#[derive(Debug)]
pub(crate) enum OpenError {
    /// Go's reader would fail the same way.
    Read(ReadError),
    /// The directory needs more memory than allowed.
    DirectoryTooLarge,
}

impl From<ReadError> for OpenError {
    fn from(err: ReadError) -> Self {
        OpenError::Read(err)
    }
}

/// One central-directory entry as Go's `zip.File` holds it, stored compactly.
#[derive(Debug, Clone, Copy)]
struct RawEntry {
    name_start: usize,
    name_len: u16,
    flags: u16,
    method: u16,
    crc32: u32,
    /// Version made by (the high byte names the creating system).
    creator_version: u16,
    /// External file attributes (Unix mode in the high 16 bits for Unix creators).
    external_attrs: u32,
    compressed: u64,
    uncompressed: u64,
    /// Where the local header is, base offset included; may be negative or past the end.
    header_offset: i64,
}

/// A central-directory entry of a [`ZipArchive`], as Go's `zip.FileHeader` reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ZipEntry<'a> {
    /// The name, raw bytes: never decoded, whatever the UTF-8 flag says.
    pub name: &'a [u8],
    /// General-purpose flags (bit 3: data descriptor; bit 11: UTF-8 name).
    pub flags: u16,
    /// Compression method ([`METHOD_STORE`], [`METHOD_DEFLATE`], or one Go cannot read).
    pub method: u16,
    /// CRC-32 of the content.
    pub crc32: u32,
    /// Compressed size (ZIP64 extra field honoured).
    pub compressed_size: u64,
    /// Declared uncompressed size (ZIP64 extra field honoured).
    pub uncompressed_size: u64,
    /// The kind of file, as Go's `FileHeader.Mode` derives it.
    pub kind: EntryKind,
}

/// What kind of file an entry is, from its creator and external attributes as Go's
/// `FileHeader.Mode` reads them (Unix and macOS creators: the Unix mode; FAT and NTFS:
/// the MS-DOS attributes; others: nothing, which Go treats as a regular file).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    /// A regular file (or an entry whose creator records no mode).
    Regular,
    /// A directory (by its mode or a name ending in `/`).
    Directory,
    /// A symbolic link.
    Symlink,
    /// Anything else (device, pipe, socket).
    Other,
}

fn entry_kind(creator_version: u16, external_attrs: u32, name: &[u8]) -> EntryKind {
    const CREATOR_FAT: u16 = 0;
    const CREATOR_UNIX: u16 = 3;
    const CREATOR_NTFS: u16 = 11;
    const CREATOR_VFAT: u16 = 14;
    const CREATOR_MACOSX: u16 = 19;
    let kind = match creator_version >> 8 {
        CREATOR_UNIX | CREATOR_MACOSX => match (external_attrs >> 16) & 0o170000 {
            0o040000 => EntryKind::Directory,
            0o120000 => EntryKind::Symlink,
            0o100000 | 0 => EntryKind::Regular,
            _ => EntryKind::Other,
        },
        CREATOR_FAT | CREATOR_NTFS | CREATOR_VFAT if external_attrs & 0x10 != 0 => {
            EntryKind::Directory
        }
        _ => EntryKind::Regular,
    };
    if name.ends_with(b"/") {
        EntryKind::Directory
    } else {
        kind
    }
}

impl ZipEntry<'_> {
    /// Whether Go treats the entry as a directory: its name ends with `/`.
    pub fn is_dir(&self) -> bool {
        self.name.ends_with(b"/")
    }
}

/// What reading one entry's content produced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Content {
    /// SHA-256 of the content, when asked for.
    pub sha256: Option<[u8; 32]>,
    /// Length of the content.
    pub len: u64,
}

/// An open zip archive: its central directory as Go's `zip.NewReader` reads it, and
/// positioned reads of its entries.
#[derive(Debug)]
pub struct ZipArchive {
    file: File,
    /// The path as given, for error texts.
    path: String,
    size: u64,
    entries: Vec<RawEntry>,
    names: Vec<u8>,
}

/// Opens a zip file for reading: only a regular file ([`crate::regular`]). A device
/// fails as Go's zip reader fails on it (`zip: not a valid zip file`: its size is 0);
/// a named pipe, on which Go would wait forever, with this tool's refusal.
pub(crate) fn open_file(path: &Path) -> Result<File, ReadError> {
    match crate::regular::open(path) {
        Ok(opened) => Ok(opened.file),
        Err(crate::regular::ReadError::NotRegular {
            kind: crate::regular::Special::CharDevice | crate::regular::Special::BlockDevice,
            ..
        }) => Err(ReadError::Format),
        Err(err) => Err(ReadError::Os(err.to_string())),
    }
}

impl ZipArchive {
    /// Opens `path` and reads its central directory as Go's `zip.OpenReader` does,
    /// failing with the error Go returns.
    pub fn open(path: &Path) -> Result<ZipArchive, ReadError> {
        ZipArchive::from_file(open_file(path)?, path)
    }

    /// Reads the central directory of an open file; `path` names it in error texts.
    pub fn from_file(file: File, path: &Path) -> Result<ZipArchive, ReadError> {
        ZipArchive::from_file_within(file, path, usize::MAX).map_err(|err| match err {
            OpenError::Read(err) => err,
            OpenError::DirectoryTooLarge => unreachable!("no budget to exceed"),
        })
    }

    /// [`ZipArchive::from_file`], giving up once the directory would take more than
    /// `budget` bytes of memory (names, entries and a result slot for each).
    pub(crate) fn from_file_within(
        file: File,
        path: &Path,
        budget: usize,
    ) -> Result<ZipArchive, OpenError> {
        let size = file
            .metadata()
            .map_err(|err| ReadError::Os(oserr::path_error("stat", path, &err)))?
            .len();
        let mut archive = ZipArchive {
            file,
            path: path.display().to_string(),
            size,
            entries: Vec::new(),
            names: Vec::new(),
        };
        archive.read_directory(budget)?;
        Ok(archive)
    }

    /// Size of the file when it was opened.
    pub fn file_size(&self) -> u64 {
        self.size
    }

    /// Number of central-directory entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the central directory is empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entry at `index` (central-directory order). Panics when out of range.
    pub fn entry(&self, index: usize) -> ZipEntry<'_> {
        let raw = &self.entries[index];
        ZipEntry {
            name: self.raw_name(raw),
            flags: raw.flags,
            method: raw.method,
            crc32: raw.crc32,
            compressed_size: raw.compressed,
            uncompressed_size: raw.uncompressed,
            kind: entry_kind(raw.creator_version, raw.external_attrs, self.raw_name(raw)),
        }
    }

    /// The entries in central-directory order.
    pub fn entries(&self) -> impl ExactSizeIterator<Item = ZipEntry<'_>> + '_ {
        (0..self.entries.len()).map(|i| self.entry(i))
    }

    /// Reads the content of entry `index` as Go's `File.Open` and a full read do,
    /// passing it to `sink` in chunks; returns its length, or the first error Go would
    /// report (`sink`'s own errors included). Panics when `index` is out of range.
    pub fn read_entry(
        &self,
        index: usize,
        sink: &mut dyn FnMut(&[u8]) -> Result<(), ReadError>,
    ) -> Result<u64, ReadError> {
        EntryReader::new(self).read(
            &self.entries[index],
            self.raw_name(&self.entries[index]),
            sink,
        )
    }

    fn raw_name(&self, raw: &RawEntry) -> &[u8] {
        &self.names[raw.name_start..raw.name_start + usize::from(raw.name_len)]
    }

    /// The worst-case number of bytes reading entry `index` can inflate: its declared size
    /// (reading stops one chunk past it) and what its compressed bytes can expand to.
    pub(crate) fn work_bound(&self, index: usize) -> u64 {
        let raw = &self.entries[index];
        let entry = self.entry(index);
        if entry.is_dir() {
            return 0;
        }
        let compressed = raw.compressed.min(self.size);
        let most = match raw.method {
            METHOD_STORE => compressed,
            METHOD_DEFLATE => compressed
                .saturating_mul(DEFLATE_MAX_RATIO)
                .saturating_add(DEFLATE_MAX_RATIO),
            _ => 0,
        };
        most.min(raw.uncompressed.saturating_add(CHUNK as u64))
    }

    /// Reads the entries at `indices` on all cores, each as [`ZipArchive::read_entry`]
    /// would, hashing the content with SHA-256 when `sha256` is set. The result has one
    /// slot per entry of the archive, `None` for those not asked for.
    pub(crate) fn read_entries(
        &self,
        indices: &[usize],
        sha256: bool,
    ) -> Vec<Option<Result<Content, ReadError>>> {
        let mut order = indices.to_vec();
        // File order keeps the reads sequential, which the page cache and disks prefer.
        order.sort_unstable_by_key(|&i| (self.entries[i].header_offset, i));
        order.dedup();
        // A second reader pays for its thread only on a big archive: most module zips
        // are tens of KB, read sooner than a thread starts, and arrive many at once on
        // the blocking pool's threads, which already keep the cores busy.
        let content: u64 = order
            .iter()
            .map(|&i| self.entries[i].uncompressed)
            .fold(0, u64::saturating_add);
        let threads = if content < PARALLEL_MIN_BYTES {
            1
        } else {
            std::thread::available_parallelism()
                .map_or(1, |n| n.get())
                .min(order.len())
                .max(1)
        };
        let next = AtomicUsize::new(0);
        // Each result goes straight into its slot: no per-thread list of results, which
        // for a zip of many small files would cost as much memory as the slots.
        let results = Mutex::new(vec![None; self.entries.len()]);
        let work = |reader: &mut EntryReader<'_>| loop {
            let at = next.fetch_add(1, Ordering::Relaxed);
            let Some(&index) = order.get(at) else {
                break;
            };
            let result = reader.content(index, sha256);
            results.lock().unwrap_or_else(PoisonError::into_inner)[index] = Some(result);
        };
        if threads == 1 {
            work(&mut EntryReader::new(self));
        } else {
            std::thread::scope(|scope| {
                // A thread the system refuses only means fewer readers.
                let handles: Vec<_> = (1..threads)
                    .filter_map(|_| {
                        std::thread::Builder::new()
                            .spawn_scoped(scope, || work(&mut EntryReader::new(self)))
                            .ok()
                    })
                    .collect();
                work(&mut EntryReader::new(self));
                for handle in handles {
                    if let Err(panic) = handle.join() {
                        std::panic::resume_unwind(panic);
                    }
                }
            });
        }
        results.into_inner().unwrap_or_else(PoisonError::into_inner)
    }

    // -----------------------------------------------------------------------------
    // The central directory (Go's Reader.init and readDirectoryEnd)

    fn read_directory(&mut self, budget: usize) -> Result<(), OpenError> {
        // What one entry costs beyond its name: its record here and its result slot when
        // the entries are read.
        const PER_ENTRY: usize = 128;
        let end = self.read_directory_end()?;
        let mut reader =
            DirectoryReader::new(&self.file, &self.path, end.directory_start, self.size);
        let mut extra = Vec::new();
        let stop = loop {
            match read_directory_header(&mut reader, &mut self.names, &mut extra) {
                Ok(mut entry) => {
                    entry.header_offset = entry.header_offset.wrapping_add(end.base_offset);
                    self.entries.push(entry);
                    let used = self
                        .names
                        .len()
                        .saturating_add(self.entries.len() * PER_ENTRY);
                    if used > budget {
                        return Err(OpenError::DirectoryTooLarge);
                    }
                }
                Err(err @ (ReadError::Format | ReadError::UnexpectedEof)) => break err,
                Err(err) => return Err(err.into()),
            }
        };
        // Go gives up on a header it cannot read, and only complains when the entries
        // read so far disagree with the declared count modulo 65536 (that count is a
        // 16-bit field in plain zips, so larger archives wrap it).
        if self.entries.len() as u16 != end.records as u16 {
            return Err(stop.into());
        }
        Ok(())
    }

    fn read_directory_end(&self) -> Result<DirectoryEnd, ReadError> {
        let size = self.size as i64;
        let mut block = Vec::new();
        let mut end_offset = 0i64;
        for (attempt, wanted) in [1024i64, 65 * 1024].into_iter().enumerate() {
            let len = wanted.min(size);
            block.clear();
            block.resize(len as usize, 0);
            // A short read leaves zeros, as Go's reader (which ignores io.EOF here) sees.
            read_at(&self.file, &self.path, &mut block, size - len)?;
            if let Some(at) = find_signature_in_block(&block) {
                block.drain(..at);
                end_offset = size - len + at as i64;
                break;
            }
            if attempt == 1 || len == size {
                return Err(ReadError::Format);
            }
        }
        let field = |at: usize, width: usize| le(&block[4 + at..4 + at + width]);
        let mut records = field(6, 2);
        let mut directory_size = field(8, 4);
        let mut directory_offset = field(12, 4);
        let maybe_zip64 =
            records == 0xffff || directory_size == 0xffff_ffff || directory_offset == 0xffff_ffff;
        if maybe_zip64 && let Some(zip64_end) = self.find_directory64_end(end_offset)? {
            end_offset = zip64_end;
            let mut buf = [0u8; DIRECTORY64_END_LEN];
            if read_at(&self.file, &self.path, &mut buf, zip64_end)? < buf.len() {
                return Err(ReadError::Eof);
            }
            if le(&buf[..4]) as u32 != DIRECTORY64_END_SIGNATURE {
                return Err(ReadError::Format);
            }
            records = le(&buf[32..40]);
            directory_size = le(&buf[40..48]);
            directory_offset = le(&buf[48..56]);
        }
        if directory_size > i64::MAX as u64 || directory_offset > i64::MAX as u64 {
            return Err(ReadError::Format);
        }
        // Go's int64 arithmetic wraps on hostile values; so does this.
        let mut base_offset = end_offset
            .wrapping_sub(directory_size as i64)
            .wrapping_sub(directory_offset as i64);
        let start = base_offset.wrapping_add(directory_offset as i64);
        if start < 0 || start >= size {
            return Err(ReadError::Format);
        }
        // Some writers record a base offset that is wrong; when a directory header can be
        // read without one, Go uses none.
        if base_offset > 0 {
            let mut probe =
                DirectoryReader::new(&self.file, &self.path, directory_offset as i64, self.size);
            let (mut names, mut extra) = (Vec::new(), Vec::new());
            if read_directory_header(&mut probe, &mut names, &mut extra).is_ok() {
                base_offset = 0;
            }
        }
        Ok(DirectoryEnd {
            records,
            directory_start: base_offset.wrapping_add(directory_offset as i64),
            base_offset,
        })
    }

    /// The offset of the ZIP64 end record named by the locator just before the end
    /// record, if there is a usable locator (Go's `findDirectory64End`).
    fn find_directory64_end(&self, end_offset: i64) -> Result<Option<i64>, ReadError> {
        let locator = end_offset - DIRECTORY64_LOC_LEN as i64;
        if locator < 0 {
            return Ok(None);
        }
        let mut buf = [0u8; DIRECTORY64_LOC_LEN];
        if read_at(&self.file, &self.path, &mut buf, locator)? < buf.len() {
            return Err(ReadError::Eof);
        }
        if le(&buf[..4]) as u32 != DIRECTORY64_LOC_SIGNATURE || le(&buf[4..8]) != 0 {
            return Ok(None);
        }
        let offset = le(&buf[8..16]) as i64;
        if le(&buf[16..20]) != 1 || offset < 0 {
            return Ok(None);
        }
        Ok(Some(offset))
    }
}

struct DirectoryEnd {
    records: u64,
    /// Where the first directory header is, base offset included.
    directory_start: i64,
    base_offset: i64,
}

/// Go's `findSignatureInBlock`: the last end-record signature with room for the record,
/// or none when that record's comment would run past the block.
fn find_signature_in_block(block: &[u8]) -> Option<usize> {
    let last = block.len().checked_sub(DIRECTORY_END_LEN)?;
    let at = (0..=last)
        .rev()
        .find(|&i| block[i..i + 4] == DIRECTORY_END_SIGNATURE)?;
    let comment_len = le(&block[at + DIRECTORY_END_LEN - 2..at + DIRECTORY_END_LEN]) as usize;
    (comment_len + DIRECTORY_END_LEN + at <= block.len()).then_some(at)
}

/// A little-endian unsigned integer of up to 8 bytes.
fn le(bytes: &[u8]) -> u64 {
    bytes
        .iter()
        .rev()
        .fold(0u64, |value, &byte| value << 8 | u64::from(byte))
}

/// Go's `readDirectoryHeader`: one central-directory header at the reader's position.
/// `Format` (bad signature, short ZIP64 field) and `UnexpectedEof` (cut short) end the
/// walk quietly; `Eof` (nothing left where bytes were needed) and read errors are fatal.
fn read_directory_header(
    reader: &mut DirectoryReader<'_>,
    names: &mut Vec<u8>,
    extra: &mut Vec<u8>,
) -> Result<RawEntry, ReadError> {
    let mut header = [0u8; DIRECTORY_HEADER_LEN];
    reader.read_full(DIRECTORY_HEADER_LEN, &mut |at, chunk| {
        header[at..at + chunk.len()].copy_from_slice(chunk);
    })?;
    if le(&header[..4]) as u32 != DIRECTORY_HEADER_SIGNATURE {
        return Err(ReadError::Format);
    }
    let field = |at: usize, width: usize| le(&header[at..at + width]);
    let compressed32 = field(20, 4);
    let uncompressed32 = field(24, 4);
    let name_len = field(28, 2) as usize;
    let extra_len = field(30, 2) as usize;
    let comment_len = field(32, 2) as usize;
    let name_start = names.len();
    extra.clear();
    // Name, extra field and comment are one read in Go: nothing at all is `Eof`, a part
    // of them `UnexpectedEof`.
    let read = reader.read_full(name_len + extra_len + comment_len, &mut |at, chunk| {
        let name_part = name_len.saturating_sub(at).min(chunk.len());
        names.extend_from_slice(&chunk[..name_part]);
        let extra_part = (name_len + extra_len)
            .saturating_sub(at + name_part)
            .min(chunk.len() - name_part);
        extra.extend_from_slice(&chunk[name_part..name_part + extra_part]);
    });
    if let Err(err) = read {
        names.truncate(name_start);
        return Err(err);
    }
    let mut entry = RawEntry {
        name_start,
        name_len: name_len as u16,
        flags: field(8, 2) as u16,
        method: field(10, 2) as u16,
        crc32: field(16, 4) as u32,
        creator_version: field(4, 2) as u16,
        external_attrs: field(38, 4) as u32,
        compressed: compressed32,
        uncompressed: uncompressed32,
        header_offset: field(42, 4) as i64,
    };
    if let Err(err) = apply_zip64_extra(&mut entry, extra, compressed32, uncompressed32) {
        names.truncate(name_start);
        return Err(err);
    }
    Ok(entry)
}

/// Takes the 64-bit sizes and offset from ZIP64 extra fields where the 32-bit fields are
/// saturated, as Go does (every ZIP64 field is applied, in order).
fn apply_zip64_extra(
    entry: &mut RawEntry,
    extra: &[u8],
    compressed32: u64,
    uncompressed32: u64,
) -> Result<(), ReadError> {
    let mut rest = extra;
    while rest.len() >= 4 {
        let tag = le(&rest[..2]) as u16;
        let size = le(&rest[2..4]) as usize;
        rest = &rest[4..];
        if rest.len() < size {
            break;
        }
        let (mut field, after) = rest.split_at(size);
        rest = after;
        if tag != ZIP64_EXTRA_ID {
            continue;
        }
        let mut take = |target: &mut u64| -> Result<(), ReadError> {
            if field.len() < 8 {
                return Err(ReadError::Format);
            }
            *target = le(&field[..8]);
            field = &field[8..];
            Ok(())
        };
        if uncompressed32 == 0xffff_ffff {
            take(&mut entry.uncompressed)?;
        }
        if compressed32 == 0xffff_ffff {
            take(&mut entry.compressed)?;
        }
        if entry.header_offset == 0xffff_ffff {
            let mut offset = 0u64;
            take(&mut offset)?;
            entry.header_offset = offset as i64;
        }
    }
    Ok(())
}

/// Go's `os.File.ReadAt`: fills `buf` from `offset`, returning fewer bytes only where the
/// file ends.
fn read_at(file: &File, path: &str, buf: &mut [u8], offset: i64) -> Result<usize, ReadError> {
    if offset < 0 {
        return Err(ReadError::NegativeOffset {
            path: path.to_owned(),
        });
    }
    let mut done = 0;
    while done < buf.len() {
        let at = (offset as u64).saturating_add(done as u64);
        match positioned_read(file, &mut buf[done..], at) {
            Ok(0) => break,
            Ok(n) => done += n,
            Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
            Err(err) => return Err(ReadError::Os(os_error("read", path, &err))),
        }
    }
    Ok(done)
}

fn os_error(op: &str, path: &str, err: &io::Error) -> String {
    format!("{op} {path}: {}", oserr::errno_text(err))
}

#[cfg(unix)]
fn positioned_read(file: &File, buf: &mut [u8], offset: u64) -> io::Result<usize> {
    std::os::unix::fs::FileExt::read_at(file, buf, offset)
}

#[cfg(windows)]
fn positioned_read(file: &File, buf: &mut [u8], offset: u64) -> io::Result<usize> {
    std::os::windows::fs::FileExt::seek_read(file, buf, offset)
}

/// A sequential reader over `[position, end)` of the file through one fixed buffer, for
/// the directory walk (Go reads it through a `bufio.Reader` on a section of the file).
struct DirectoryReader<'a> {
    file: &'a File,
    path: &'a str,
    position: i64,
    end: i64,
    buf: Vec<u8>,
    start: usize,
}

impl<'a> DirectoryReader<'a> {
    fn new(file: &'a File, path: &'a str, position: i64, end: u64) -> Self {
        DirectoryReader {
            file,
            path,
            position,
            end: end as i64,
            buf: Vec::new(),
            start: 0,
        }
    }

    /// Go's `io.ReadFull` of `len` bytes, handing them to `sink` with their offset in the
    /// read: `Eof` when no byte was there, `UnexpectedEof` when only some were.
    fn read_full(
        &mut self,
        len: usize,
        sink: &mut dyn FnMut(usize, &[u8]),
    ) -> Result<(), ReadError> {
        let mut done = 0;
        while done < len {
            if self.start == self.buf.len() && !self.fill()? {
                return Err(if done == 0 {
                    ReadError::Eof
                } else {
                    ReadError::UnexpectedEof
                });
            }
            let take = (len - done).min(self.buf.len() - self.start);
            sink(done, &self.buf[self.start..self.start + take]);
            self.start += take;
            done += take;
        }
        Ok(())
    }

    /// Refills the buffer; false at the end of the section.
    fn fill(&mut self) -> Result<bool, ReadError> {
        if self.position >= self.end {
            return Ok(false);
        }
        let want = ((self.end - self.position) as u64).min(CHUNK as u64) as usize;
        self.buf.resize(want, 0);
        let got = read_at(self.file, self.path, &mut self.buf, self.position)?;
        self.buf.truncate(got);
        self.start = 0;
        self.position += got as i64;
        Ok(got > 0)
    }
}

/// Go's `io.SectionReader` bounds: reads from `offset` up to `limit`.
#[derive(Debug, Clone, Copy)]
struct Section {
    offset: i64,
    limit: i64,
}

impl Section {
    /// Go's `io.NewSectionReader(r, offset, len)`, overflow handling included: a section
    /// that would end past the largest offset (a huge or "negative" length) has no end.
    fn new(offset: i64, len: i64) -> Section {
        let limit = if offset <= i64::MAX.wrapping_sub(len) {
            offset.wrapping_add(len)
        } else {
            i64::MAX
        };
        Section { offset, limit }
    }
}

/// A window of file bytes kept between reads, so that a small entry (local header, data
/// and descriptor) costs one positioned read.
struct Window {
    buf: Box<[u8]>,
    start: i64,
    len: usize,
    /// The file ended where the window ends.
    at_eof: bool,
}

impl Window {
    fn new() -> Window {
        Window {
            buf: vec![0; CHUNK].into_boxed_slice(),
            start: 0,
            len: 0,
            at_eof: false,
        }
    }

    /// Up to `len` (at most [`CHUNK`]) bytes at `offset`, fewer only where the file ends;
    /// a refill reads `prefetch` bytes when that is more.
    fn bytes_at(
        &mut self,
        file: &File,
        path: &str,
        offset: i64,
        len: usize,
        prefetch: usize,
    ) -> Result<&[u8], ReadError> {
        if offset < 0 {
            return Err(ReadError::NegativeOffset {
                path: path.to_owned(),
            });
        }
        if offset >= self.start && offset - self.start <= self.len as i64 {
            let at = (offset - self.start) as usize;
            let available = self.len - at;
            if available >= len || self.at_eof {
                return Ok(&self.buf[at..at + available.min(len)]);
            }
        }
        let want = len.max(prefetch).min(CHUNK);
        let got = read_at(file, path, &mut self.buf[..want], offset)?;
        self.start = offset;
        self.len = got;
        self.at_eof = got < want;
        Ok(&self.buf[..got.min(len)])
    }

    /// The next bytes of `section` (empty at its end or the file's), as Go's
    /// `SectionReader.Read` gives them.
    fn next(&mut self, file: &File, path: &str, section: &mut Section) -> Result<&[u8], ReadError> {
        if section.offset >= section.limit {
            return Ok(&[]);
        }
        if section.offset < 0 {
            // Unreachable through an entry (its local header was read first), but Go's
            // ReadAt would refuse it just the same.
            return Err(ReadError::NegativeOffset {
                path: path.to_owned(),
            });
        }
        let len = ((section.limit - section.offset) as u64).min(CHUNK as u64) as usize;
        let bytes = self.bytes_at(file, path, section.offset, len, len)?;
        section.offset += bytes.len() as i64;
        Ok(bytes)
    }

    /// Go's `io.ReadFull` on a section: fills `buf`, returning how many bytes there were.
    fn read_full(
        &mut self,
        file: &File,
        path: &str,
        section: &mut Section,
        buf: &mut [u8],
    ) -> Result<usize, ReadError> {
        let mut done = 0;
        while done < buf.len() {
            let chunk = self.next(file, path, section)?;
            if chunk.is_empty() {
                break;
            }
            let take = chunk.len().min(buf.len() - done);
            buf[done..done + take].copy_from_slice(&chunk[..take]);
            done += take;
            // A chunk longer than needed was read past the descriptor: give it back.
            section.offset -= (chunk.len() - take) as i64;
        }
        Ok(done)
    }
}

/// Reads entries of one archive; one per thread.
struct EntryReader<'a> {
    archive: &'a ZipArchive,
    window: Window,
    out: Box<[u8]>,
    inflater: Option<Decompress>,
}

/// The checks Go's `checksumReader` applies to content as it is read.
struct Tally {
    read: u64,
    declared: u64,
    crc: u32,
}

impl Tally {
    fn take(
        &mut self,
        chunk: &[u8],
        sink: &mut dyn FnMut(&[u8]) -> Result<(), ReadError>,
    ) -> Result<(), ReadError> {
        if chunk.is_empty() {
            return Ok(());
        }
        self.read += chunk.len() as u64;
        if self.read > self.declared {
            return Err(ReadError::Format);
        }
        self.crc = zlib_rs::crc32::crc32(self.crc, chunk);
        sink(chunk)
    }
}

impl<'a> EntryReader<'a> {
    fn new(archive: &'a ZipArchive) -> Self {
        EntryReader {
            archive,
            window: Window::new(),
            out: vec![0; CHUNK].into_boxed_slice(),
            inflater: None,
        }
    }

    fn content(&mut self, index: usize, sha256: bool) -> Result<Content, ReadError> {
        let raw = &self.archive.entries[index];
        let name = self.archive.raw_name(raw);
        if !sha256 {
            let len = self.read(raw, name, &mut |_| Ok(()))?;
            return Ok(Content { sha256: None, len });
        }
        let mut hasher = Sha256::new();
        let len = self.read(raw, name, &mut |chunk| {
            hasher.update(chunk);
            Ok(())
        })?;
        Ok(Content {
            sha256: Some(hasher.finalize().into()),
            len,
        })
    }

    /// Go's `File.Open` followed by reading to the end.
    fn read(
        &mut self,
        raw: &RawEntry,
        name: &[u8],
        sink: &mut dyn FnMut(&[u8]) -> Result<(), ReadError>,
    ) -> Result<u64, ReadError> {
        let (file, path) = (&self.archive.file, self.archive.path.as_str());
        // Go's findBodyOffset. The window reads ahead over the whole entry when small.
        let prefetch = (FILE_HEADER_LEN + name.len() + 64)
            .saturating_add(usize::try_from(raw.compressed).unwrap_or(usize::MAX))
            .saturating_add(DATA_DESCRIPTOR_LEN as usize);
        let header =
            self.window
                .bytes_at(file, path, raw.header_offset, FILE_HEADER_LEN, prefetch)?;
        if header.len() < FILE_HEADER_LEN {
            return Err(ReadError::Eof);
        }
        if le(&header[..4]) as u32 != FILE_HEADER_SIGNATURE {
            return Err(ReadError::Format);
        }
        let body_offset =
            FILE_HEADER_LEN as i64 + le(&header[26..28]) as i64 + le(&header[28..30]) as i64;
        if name.ends_with(b"/") {
            // Directories have no content; Go refuses one that declares some.
            return if raw.uncompressed != 0 {
                Err(ReadError::Format)
            } else {
                Ok(0)
            };
        }
        if raw.method != METHOD_STORE && raw.method != METHOD_DEFLATE {
            return Err(ReadError::Algorithm);
        }
        let data_start = raw.header_offset.wrapping_add(body_offset);
        let compressed = raw.compressed as i64;
        let mut section = Section::new(data_start, compressed);
        let mut tally = Tally {
            read: 0,
            declared: raw.uncompressed,
            crc: 0,
        };
        if raw.method == METHOD_STORE {
            loop {
                let chunk = self.window.next(file, path, &mut section)?;
                if chunk.is_empty() {
                    break;
                }
                tally.take(chunk, sink)?;
            }
        } else {
            let inflater = self.inflater.get_or_insert_with(|| Decompress::new(false));
            inflater.reset(false);
            inflate(
                &mut self.window,
                file,
                path,
                &mut section,
                inflater,
                &mut self.out,
                &mut tally,
                sink,
            )?;
        }
        if tally.read != raw.uncompressed {
            return Err(ReadError::UnexpectedEof);
        }
        if raw.flags & FLAG_DATA_DESCRIPTOR != 0 {
            let mut descriptor =
                Section::new(data_start.wrapping_add(compressed), DATA_DESCRIPTOR_LEN);
            let mut buf = [0u8; 12];
            let got = self
                .window
                .read_full(file, path, &mut descriptor, &mut buf[..4])?;
            if got < 4 {
                return Err(ReadError::UnexpectedEof);
            }
            // The descriptor's signature is optional: without it, those four bytes are
            // already the CRC.
            let from = if le(&buf[..4]) as u32 == DATA_DESCRIPTOR_SIGNATURE {
                0
            } else {
                4
            };
            let got = self
                .window
                .read_full(file, path, &mut descriptor, &mut buf[from..12])?;
            if got < 12 - from {
                return Err(ReadError::UnexpectedEof);
            }
            if le(&buf[..4]) as u32 != raw.crc32 || tally.crc != raw.crc32 {
                return Err(ReadError::Checksum);
            }
        } else if raw.crc32 != 0 && tally.crc != raw.crc32 {
            return Err(ReadError::Checksum);
        }
        Ok(tally.read)
    }
}

/// Inflates the raw deflate stream in `section` into `tally`, as Go's `compress/flate`
/// reader delivers it: output made before an error comes first, the input ending before
/// the final block is `unexpected EOF`, and bytes after the final block are ignored.
#[allow(clippy::too_many_arguments)]
fn inflate(
    window: &mut Window,
    file: &File,
    path: &str,
    section: &mut Section,
    inflater: &mut Decompress,
    out: &mut [u8],
    tally: &mut Tally,
    sink: &mut dyn FnMut(&[u8]) -> Result<(), ReadError>,
) -> Result<(), ReadError> {
    loop {
        let input = window.next(file, path, section)?;
        let mut used = 0;
        loop {
            let (in_before, out_before) = (inflater.total_in(), inflater.total_out());
            let status = inflater.decompress(&input[used..], out, FlushDecompress::None);
            let consumed = (inflater.total_in() - in_before) as usize;
            let produced = (inflater.total_out() - out_before) as usize;
            used += consumed;
            tally.take(&out[..produced], sink)?;
            match status {
                Err(_) => {
                    return Err(ReadError::CorruptDeflate {
                        offset: inflater.total_in(),
                    });
                }
                Ok(Status::StreamEnd) => return Ok(()),
                Ok(Status::Ok | Status::BufError) => {}
            }
            if produced == out.len() {
                continue;
            }
            if used < input.len() {
                if consumed == 0 && produced == 0 {
                    // zlib neither took input nor gave output: never expected, but looping
                    // on it would never end.
                    return Err(ReadError::CorruptDeflate {
                        offset: inflater.total_in(),
                    });
                }
                continue;
            }
            break;
        }
        if input.is_empty() {
            return Err(ReadError::UnexpectedEof);
        }
    }
}
