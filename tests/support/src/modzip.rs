//! Module zips for tests, and the `h1:` hashes the go command computes for them.
//!
//! [`module_zip`] writes a zip the way x/mod's `zip.Create` (and so cmd/go's test proxy
//! and proxy.golang.org) lays it out: every file under `module@version/`, deflated, with
//! data descriptors, no timestamps and no directory entries, in the order given. The
//! output is a pure function of the arguments. [`raw_zip`] and [`zip_bomb`] make the
//! hostile archives a downloader must survive.
//!
//! The hashes here are computed independently of gomod-common, so that tests can hold
//! the tools to them.

use base64::Engine;
use flate2::{Compress, Compression, Crc, FlushCompress};
use sha2::{Digest, Sha256};

/// A module zip as `mkproxy`/x/mod zip.Create makes it: every file under
/// "module@version/", deflated, deterministic (fixed mtime).
///
/// The module path is used as given (not case-escaped), as in real module zips.
pub fn module_zip(module: &str, version: &str, files: &[(&str, &[u8])]) -> Vec<u8> {
    let entries: Vec<(String, &[u8])> = files
        .iter()
        .map(|(name, content)| (format!("{module}@{version}/{name}"), *content))
        .collect();
    let mut zip = ZipWriter::default();
    for (name, content) in &entries {
        zip.add(Entry::deflated(name, content));
    }
    zip.finish()
}

/// A raw zip with exactly these entry names and contents (no prefix added), stored or
/// deflated — for hostile cases.
///
/// Deflated entries carry data descriptors as Go writes them; stored entries carry
/// their sizes in the local header. A name ending in `/` is written as a directory
/// entry (stored, empty), as Go's `archive/zip` writes one, whatever its content.
/// Names may repeat, be unclean, absolute, or anything else.
pub fn raw_zip(entries: &[(&str, &[u8])], deflate: bool) -> Vec<u8> {
    let mut zip = ZipWriter::default();
    for (name, content) in entries {
        let entry = if name.ends_with('/') {
            Entry::stored(name, b"")
        } else if deflate {
            Entry::deflated(name, content)
        } else {
            Entry::stored(name, content)
        };
        zip.add(entry);
    }
    zip.finish()
}

/// The uncompressed size a lying [`zip_bomb`] declares, at most.
pub const BOMB_DECLARED_SIZE: u64 = 1024;

/// A zip bomb: one entry that inflates to `inflated` bytes of zeros, honest or lying
/// declared size.
///
/// The entry is `module@version/bomb.bin`, deflated; its CRC-32 is that of the real
/// content. With `declare_true_size` the headers declare `inflated` (in a zip64 extra
/// field from 4 GiB on); otherwise they declare [`BOMB_DECLARED_SIZE`] bytes (half of
/// `inflated` when that is smaller), so only a reader that stops at the declared size
/// is safe. The zip stays small (about 1 KiB per MiB inflated) and is made without
/// ever holding the inflated content.
pub fn zip_bomb(module: &str, version: &str, inflated: u64, declare_true_size: bool) -> Vec<u8> {
    let (compressed, crc) = deflate_zeros(inflated);
    let declared = if declare_true_size {
        inflated
    } else {
        BOMB_DECLARED_SIZE.min(inflated / 2)
    };
    let mut zip = ZipWriter::default();
    zip.add(Entry {
        name: format!("{module}@{version}/bomb.bin").into_bytes(),
        method: METHOD_DEFLATE,
        data_descriptor: true,
        crc,
        uncompressed_size: declared,
        data: compressed,
    });
    zip.finish()
}

/// Go's `h1:` hash (dirhash `Hash1`) of these files: names sorted bytewise, one line
/// `<sha256 hex>  <name>\n` per file, then `h1:` and the standard base64 of the SHA-256
/// of those lines. `None` when a name contains a newline, which Go refuses.
pub fn h1(files: &[(&str, &[u8])]) -> Option<String> {
    let mut sorted: Vec<&(&str, &[u8])> = files.iter().collect();
    sorted.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    let mut summary = String::new();
    for (name, content) in sorted {
        if name.contains('\n') {
            return None;
        }
        summary.push_str(&hex(&Sha256::digest(content)));
        summary.push_str("  ");
        summary.push_str(name);
        summary.push('\n');
    }
    let digest = Sha256::digest(summary.as_bytes());
    Some(format!(
        "h1:{}",
        base64::engine::general_purpose::STANDARD.encode(digest)
    ))
}

/// The hash on a go.sum `<module> <version>/go.mod` line: [`h1`] of the one file
/// `go.mod`.
pub fn mod_h1(go_mod: &[u8]) -> String {
    h1(&[("go.mod", go_mod)]).expect("go.mod has no newline")
}

/// The hash on a go.sum `<module> <version>` line for [`module_zip`] of these files
/// (Go's `HashZip` of that zip). `None` when a name contains a newline.
pub fn zip_h1(module: &str, version: &str, files: &[(&str, &[u8])]) -> Option<String> {
    let names: Vec<String> = files
        .iter()
        .map(|(name, _)| format!("{module}@{version}/{name}"))
        .collect();
    let prefixed: Vec<(&str, &[u8])> = names
        .iter()
        .zip(files)
        .map(|(name, (_, content))| (name.as_str(), *content))
        .collect();
    h1(&prefixed)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

const METHOD_STORE: u16 = 0;
const METHOD_DEFLATE: u16 = 8;
/// Bit 3: sizes and CRC follow the data in a data descriptor.
const FLAG_DATA_DESCRIPTOR: u16 = 0x8;
/// Bit 11: the name is UTF-8.
const FLAG_UTF8: u16 = 0x800;
/// "Version 2.0", what Go writes as both creator and reader version.
const VERSION_20: u16 = 20;
/// "Version 4.5", needed to read zip64 extra fields.
const VERSION_45: u16 = 45;
const ZIP64_EXTRA_ID: u16 = 0x0001;
/// The 32-bit size fields' value that says "see the zip64 extra field".
const ZIP32_MAX: u64 = 0xffff_ffff;

/// One entry, compressed, ready to be written.
struct Entry {
    name: Vec<u8>,
    method: u16,
    data_descriptor: bool,
    crc: u32,
    uncompressed_size: u64,
    data: Vec<u8>,
}

impl Entry {
    fn deflated(name: &str, content: &[u8]) -> Entry {
        Entry {
            name: name.as_bytes().to_vec(),
            method: METHOD_DEFLATE,
            data_descriptor: true,
            crc: crc32(content),
            uncompressed_size: content.len() as u64,
            data: deflate(content),
        }
    }

    fn stored(name: &str, content: &[u8]) -> Entry {
        Entry {
            name: name.as_bytes().to_vec(),
            method: METHOD_STORE,
            data_descriptor: false,
            crc: crc32(content),
            uncompressed_size: content.len() as u64,
            data: content.to_vec(),
        }
    }

    fn zip64(&self) -> bool {
        self.uncompressed_size >= ZIP32_MAX || self.data.len() as u64 >= ZIP32_MAX
    }

    fn flags(&self) -> u16 {
        let mut flags = 0;
        if self.data_descriptor {
            flags |= FLAG_DATA_DESCRIPTOR;
        }
        // As Go's archive/zip: UTF-8 only when the name needs it.
        if !self.name.is_ascii() && std::str::from_utf8(&self.name).is_ok() {
            flags |= FLAG_UTF8;
        }
        flags
    }

    fn reader_version(&self) -> u16 {
        if self.zip64() { VERSION_45 } else { VERSION_20 }
    }
}

/// Writes entries one after the other, then the central directory.
#[derive(Default)]
struct ZipWriter {
    out: Vec<u8>,
    central: Vec<u8>,
    count: u64,
}

impl ZipWriter {
    fn add(&mut self, entry: Entry) {
        let offset = self.out.len() as u64;
        let (local_crc, local_compressed, local_uncompressed) = if entry.data_descriptor {
            (0, 0, 0)
        } else {
            (
                entry.crc,
                clamp32(entry.data.len() as u64),
                clamp32(entry.uncompressed_size),
            )
        };
        let out = &mut self.out;
        put32(out, 0x0403_4b50);
        put16(out, entry.reader_version());
        put16(out, entry.flags());
        put16(out, entry.method);
        put16(out, 0); // modification time: none, as x/mod writes
        put16(out, 0); // modification date
        put32(out, local_crc);
        put32(out, local_compressed);
        put32(out, local_uncompressed);
        put16(out, entry.name.len() as u16);
        put16(out, 0);
        out.extend_from_slice(&entry.name);
        out.extend_from_slice(&entry.data);
        if entry.data_descriptor {
            put32(out, 0x0807_4b50);
            put32(out, entry.crc);
            if entry.zip64() {
                put64(out, entry.data.len() as u64);
                put64(out, entry.uncompressed_size);
            } else {
                put32(out, entry.data.len() as u32);
                put32(out, entry.uncompressed_size as u32);
            }
        }

        let mut extra = Vec::new();
        if entry.zip64() || offset >= ZIP32_MAX {
            put16(&mut extra, ZIP64_EXTRA_ID);
            put16(&mut extra, 24);
            put64(&mut extra, entry.uncompressed_size);
            put64(&mut extra, entry.data.len() as u64);
            put64(&mut extra, offset);
        }
        let zip64 = !extra.is_empty();
        let central = &mut self.central;
        put32(central, 0x0201_4b50);
        put16(central, entry.reader_version()); // creator: version, MS-DOS
        put16(central, entry.reader_version());
        put16(central, entry.flags());
        put16(central, entry.method);
        put16(central, 0);
        put16(central, 0);
        put32(central, entry.crc);
        put32(
            central,
            if zip64 {
                u32::MAX
            } else {
                entry.data.len() as u32
            },
        );
        put32(
            central,
            if zip64 {
                u32::MAX
            } else {
                entry.uncompressed_size as u32
            },
        );
        put16(central, entry.name.len() as u16);
        put16(central, extra.len() as u16);
        put16(central, 0); // comment
        put16(central, 0); // disk
        put16(central, 0); // internal attributes
        put32(central, 0); // external attributes
        put32(central, if zip64 { u32::MAX } else { offset as u32 });
        central.extend_from_slice(&entry.name);
        central.extend_from_slice(&extra);
        self.count += 1;
    }

    /// Writes the central directory and its end record: a zip64 end record (and its
    /// locator) first when there are more entries than 16 bits count, or offsets beyond
    /// 32 bits, as Go's `archive/zip` writes them.
    fn finish(mut self) -> Vec<u8> {
        let offset = self.out.len() as u64;
        let size = self.central.len() as u64;
        self.out.append(&mut self.central);
        let zip64 = self.count >= 0xFFFF || offset >= ZIP32_MAX || size >= ZIP32_MAX;
        let out = &mut self.out;
        if zip64 {
            let end64 = out.len() as u64;
            put32(out, 0x0606_4b50);
            put64(out, 44); // the size of the rest of the record
            put16(out, 45); // made by
            put16(out, 45); // needed
            put32(out, 0); // this disk
            put32(out, 0); // disk of the directory
            put64(out, self.count);
            put64(out, self.count);
            put64(out, size);
            put64(out, offset);
            put32(out, 0x0706_4b50);
            put32(out, 0); // disk of the zip64 end record
            put64(out, end64);
            put32(out, 1); // disks
        }
        put32(out, 0x0605_4b50);
        put16(out, 0);
        put16(out, 0);
        let count16 = u16::try_from(self.count).unwrap_or(u16::MAX);
        let count16 = if zip64 { u16::MAX } else { count16 };
        put16(out, count16);
        put16(out, count16);
        put32(out, if zip64 { u32::MAX } else { clamp32(size) });
        put32(out, if zip64 { u32::MAX } else { clamp32(offset) });
        put16(out, 0);
        self.out
    }
}

fn clamp32(n: u64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn put16(out: &mut Vec<u8>, n: u16) {
    out.extend_from_slice(&n.to_le_bytes());
}

fn put32(out: &mut Vec<u8>, n: u32) {
    out.extend_from_slice(&n.to_le_bytes());
}

fn put64(out: &mut Vec<u8>, n: u64) {
    out.extend_from_slice(&n.to_le_bytes());
}

fn crc32(content: &[u8]) -> u32 {
    let mut crc = Crc::new();
    crc.update(content);
    crc.sum()
}

/// Raw deflate at the default level.
fn deflate(content: &[u8]) -> Vec<u8> {
    let mut compress = Compress::new(Compression::default(), false);
    let mut out = Vec::with_capacity(content.len() / 2 + 64);
    compress_all(&mut compress, content, &mut out, FlushCompress::Finish);
    out
}

/// Feeds all of `input` to `compress` and flushes as `flush` says (`Finish` or `Sync`).
fn compress_all(compress: &mut Compress, input: &[u8], out: &mut Vec<u8>, flush: FlushCompress) {
    let start = compress.total_in();
    loop {
        let consumed = usize::try_from(compress.total_in() - start).unwrap_or(input.len());
        out.reserve(input.len().saturating_sub(consumed) / 2 + 4096);
        let room = out.capacity() - out.len();
        let before = out.len();
        let status = compress
            .compress_vec(&input[consumed.min(input.len())..], out, flush)
            .expect("deflate");
        let all_in = compress.total_in() - start == input.len() as u64;
        // zlib's rule: a flush is complete when it returns with output room to spare.
        let flushed = all_in && out.len() - before < room;
        match flush {
            FlushCompress::Finish if status == flate2::Status::StreamEnd => return,
            FlushCompress::Finish => {}
            _ if flushed => return,
            _ => {}
        }
    }
}

/// A raw deflate stream of `count` zeros and their CRC-32, made without holding them.
///
/// After a first sync-flushed MiB, the window holds nothing but zeros, so the
/// compressed form of the next MiB (also sync-flushed, so it ends on a byte boundary)
/// decodes to a MiB of zeros wherever it is repeated.
fn deflate_zeros(count: u64) -> (Vec<u8>, u32) {
    const CHUNK: usize = 1 << 20;
    let zeros = vec![0u8; CHUNK];
    let mut compress = Compress::new(Compression::best(), false);
    let mut out = Vec::new();
    let mut crc = Crc::new();
    if count <= 2 * CHUNK as u64 {
        let zeros = vec![0u8; count as usize];
        crc.update(&zeros);
        compress_all(&mut compress, &zeros, &mut out, FlushCompress::Finish);
        return (out, crc.sum());
    }
    let mut chunk_crc = Crc::new();
    chunk_crc.update(&zeros);
    compress_all(&mut compress, &zeros, &mut out, FlushCompress::Sync);
    let mut unit = Vec::new();
    compress_all(&mut compress, &zeros, &mut unit, FlushCompress::Sync);
    let whole_chunks = count / CHUNK as u64;
    for _ in 1..whole_chunks {
        out.extend_from_slice(&unit);
    }
    for _ in 0..whole_chunks {
        crc.combine(&chunk_crc);
    }
    let rest = &zeros[..(count % CHUNK as u64) as usize];
    let mut rest_crc = Crc::new();
    rest_crc.update(rest);
    crc.combine(&rest_crc);
    compress_all(&mut compress, rest, &mut out, FlushCompress::Finish);
    (out, crc.sum())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zeros_inflate_to_the_count_with_the_right_crc() {
        for count in [0u64, 1, 5000, (2 << 20) + 1, (3 << 20) + 12345] {
            let (compressed, crc) = deflate_zeros(count);
            let mut inflated = Vec::new();
            let mut decompress = flate2::Decompress::new(false);
            inflated.reserve(count as usize + 1);
            let status = decompress
                .decompress_vec(&compressed, &mut inflated, flate2::FlushDecompress::Finish)
                .unwrap();
            assert_eq!(status, flate2::Status::StreamEnd, "count {count}");
            assert_eq!(inflated.len() as u64, count);
            assert!(inflated.iter().all(|&b| b == 0));
            assert_eq!(crc, crc32(&inflated), "count {count}");
        }
    }
}
