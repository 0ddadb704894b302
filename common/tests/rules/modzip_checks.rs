//! The checks the go command applies to a downloaded module zip, one hostile zip per rule:
//! each must fail with Go's error text, at the step where Go fails, and nothing may panic.
//! The zips are written here byte by byte, so that every field a hostile server controls
//! can be set; `hash_vectors.rs` runs the same corpus through Go's own code.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use flate2::Compression;
use flate2::write::DeflateEncoder;
use gomod_common::dirhash;
use gomod_common::modzip::{self, ZipError};

/// The module every zip here belongs to.
pub const MODULE: &str = "example.com/m";
/// Its version.
pub const VERSION: &str = "v1.0.0";
/// The prefix of every entry name of its zip.
pub const PREFIX: &str = "example.com/m@v1.0.0/";

/// One entry of a zip being written: deflated with a data descriptor (as Go's writer does)
/// unless changed, and every header field that can lie open to change.
#[derive(Debug, Clone)]
pub struct Entry {
    name: Vec<u8>,
    local_name: Option<Vec<u8>>,
    content: Vec<u8>,
    method: u16,
    flags: u16,
    descriptor: bool,
    descriptor_signature: bool,
    crc: Option<u32>,
    descriptor_crc: Option<u32>,
    declared: Option<u64>,
    raw: Option<Vec<u8>>,
    offset: Option<u64>,
}

impl Entry {
    /// A deflated entry named `PREFIX + name`.
    pub fn file(name: &str, content: impl Into<Vec<u8>>) -> Entry {
        Entry::raw_name(format!("{PREFIX}{name}"), content)
    }

    /// A deflated entry with exactly this name.
    pub fn raw_name(name: impl Into<Vec<u8>>, content: impl Into<Vec<u8>>) -> Entry {
        Entry {
            name: name.into(),
            local_name: None,
            content: content.into(),
            method: 8,
            flags: 0,
            descriptor: true,
            descriptor_signature: true,
            crc: None,
            descriptor_crc: None,
            declared: None,
            raw: None,
            offset: None,
        }
    }

    /// A deflated entry named `PREFIX + name` holding `len` zero bytes, written without
    /// compressing them (see [`zeros_stream`]).
    pub fn zeros(name: &str, len: u64) -> Entry {
        let crc = crc32(&vec![0; len as usize]);
        Entry::file(name, "")
            .compressed(zeros_stream(len))
            .declared(len)
            .crc(crc)
    }

    /// Stored, not deflated.
    pub fn stored(mut self) -> Entry {
        self.method = 0;
        self
    }

    /// This compression method number, data stored as is.
    pub fn method(mut self, method: u16) -> Entry {
        self.method = method;
        self
    }

    /// No data descriptor: sizes and CRC in the local header.
    pub fn no_descriptor(mut self) -> Entry {
        self.descriptor = false;
        self
    }

    /// A data descriptor without its optional signature.
    pub fn descriptor_without_signature(mut self) -> Entry {
        self.descriptor_signature = false;
        self
    }

    /// This CRC-32 in the headers (and the descriptor).
    pub fn crc(mut self, crc: u32) -> Entry {
        self.crc = Some(crc);
        self
    }

    /// This CRC-32 in the data descriptor only.
    pub fn descriptor_crc(mut self, crc: u32) -> Entry {
        self.descriptor_crc = Some(crc);
        self
    }

    /// This uncompressed size in the central directory (ZIP64 from 2^32 - 1 on).
    pub fn declared(mut self, size: u64) -> Entry {
        self.declared = Some(size);
        self
    }

    /// These bytes as the compressed data, whatever the content.
    pub fn compressed(mut self, bytes: impl Into<Vec<u8>>) -> Entry {
        self.raw = Some(bytes.into());
        self
    }

    /// This local-header offset in the central directory (ZIP64 from 2^32 - 1 on).
    pub fn offset(mut self, offset: u64) -> Entry {
        self.offset = Some(offset);
        self
    }

    /// Another name in the local header than in the central directory.
    pub fn local_name(mut self, name: impl Into<Vec<u8>>) -> Entry {
        self.local_name = Some(name.into());
        self
    }

    /// The UTF-8 flag (general-purpose bit 11).
    pub fn utf8_flag(mut self) -> Entry {
        self.flags |= 0x800;
        self
    }
}

/// A whole archive: entries, and what surrounds them.
#[derive(Debug, Clone, Default)]
pub struct Zip {
    entries: Vec<Entry>,
    before: Vec<u8>,
    comment: Vec<u8>,
    records: Option<u16>,
    directory_offset: Option<u32>,
}

impl Zip {
    /// These entries, everything else as a writer would make it.
    pub fn new(entries: Vec<Entry>) -> Zip {
        Zip {
            entries,
            ..Zip::default()
        }
    }

    /// Bytes before the archive (a self-extracting stub), offsets left as if absent.
    pub fn before(mut self, bytes: &[u8]) -> Zip {
        self.before = bytes.to_vec();
        self
    }

    /// This archive comment.
    pub fn comment(mut self, comment: &[u8]) -> Zip {
        self.comment = comment.to_vec();
        self
    }

    /// This entry count in the end record.
    pub fn records(mut self, records: u16) -> Zip {
        self.records = Some(records);
        self
    }

    /// This central-directory offset in the end record.
    pub fn directory_offset(mut self, offset: u32) -> Zip {
        self.directory_offset = Some(offset);
        self
    }

    /// The archive: local headers and data, central directory, end record.
    pub fn bytes(&self) -> Vec<u8> {
        let mut out = self.before.clone();
        let base = out.len();
        let mut directory = Vec::new();
        for entry in &self.entries {
            let offset = (out.len() - base) as u64;
            let crc = entry.crc.unwrap_or_else(|| crc32(&entry.content));
            let data = match (&entry.raw, entry.method) {
                (Some(raw), _) => raw.clone(),
                (None, 8) => deflate(&entry.content),
                (None, _) => entry.content.clone(),
            };
            let size = entry.content.len() as u64;
            let flags = entry.flags | if entry.descriptor { 0x8 } else { 0 };
            let local_name = entry.local_name.as_ref().unwrap_or(&entry.name);
            out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
            out.extend_from_slice(&20u16.to_le_bytes());
            out.extend_from_slice(&flags.to_le_bytes());
            out.extend_from_slice(&entry.method.to_le_bytes());
            out.extend_from_slice(&[0; 4]);
            let (local_crc, local_compressed, local_size) = if entry.descriptor {
                (0, 0, 0)
            } else {
                (crc, data.len() as u32, size as u32)
            };
            out.extend_from_slice(&local_crc.to_le_bytes());
            out.extend_from_slice(&local_compressed.to_le_bytes());
            out.extend_from_slice(&local_size.to_le_bytes());
            out.extend_from_slice(&(local_name.len() as u16).to_le_bytes());
            out.extend_from_slice(&0u16.to_le_bytes());
            out.extend_from_slice(local_name);
            out.extend_from_slice(&data);
            if entry.descriptor {
                if entry.descriptor_signature {
                    out.extend_from_slice(&0x0807_4b50u32.to_le_bytes());
                }
                out.extend_from_slice(&entry.descriptor_crc.unwrap_or(crc).to_le_bytes());
                out.extend_from_slice(&(data.len() as u32).to_le_bytes());
                out.extend_from_slice(&(size as u32).to_le_bytes());
            }
            let declared = entry.declared.unwrap_or(size);
            let offset = entry.offset.unwrap_or(offset);
            let mut zip64 = Vec::new();
            let mut field32 = |value: u64| -> u32 {
                if value >= 0xffff_ffff {
                    zip64.extend_from_slice(&value.to_le_bytes());
                    0xffff_ffff
                } else {
                    value as u32
                }
            };
            let declared32 = field32(declared);
            let offset32 = field32(offset);
            let mut extra = Vec::new();
            if !zip64.is_empty() {
                extra.extend_from_slice(&1u16.to_le_bytes());
                extra.extend_from_slice(&(zip64.len() as u16).to_le_bytes());
                extra.extend_from_slice(&zip64);
            }
            directory.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
            directory.extend_from_slice(&20u16.to_le_bytes());
            directory.extend_from_slice(&20u16.to_le_bytes());
            directory.extend_from_slice(&flags.to_le_bytes());
            directory.extend_from_slice(&entry.method.to_le_bytes());
            directory.extend_from_slice(&[0; 4]);
            directory.extend_from_slice(&crc.to_le_bytes());
            directory.extend_from_slice(&(data.len() as u32).to_le_bytes());
            directory.extend_from_slice(&declared32.to_le_bytes());
            directory.extend_from_slice(&(entry.name.len() as u16).to_le_bytes());
            directory.extend_from_slice(&(extra.len() as u16).to_le_bytes());
            directory.extend_from_slice(&[0; 6]); // comment length, disk, internal attributes
            directory.extend_from_slice(&0o100644u32.wrapping_shl(16).to_le_bytes());
            directory.extend_from_slice(&offset32.to_le_bytes());
            directory.extend_from_slice(&entry.name);
            directory.extend_from_slice(&extra);
        }
        let directory_offset = (out.len() - base) as u32;
        out.extend_from_slice(&directory);
        let records = self.records.unwrap_or(self.entries.len() as u16);
        out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
        out.extend_from_slice(&[0; 4]);
        out.extend_from_slice(&records.to_le_bytes());
        out.extend_from_slice(&records.to_le_bytes());
        out.extend_from_slice(&(directory.len() as u32).to_le_bytes());
        out.extend_from_slice(
            &self
                .directory_offset
                .unwrap_or(directory_offset)
                .to_le_bytes(),
        );
        out.extend_from_slice(&(self.comment.len() as u16).to_le_bytes());
        out.extend_from_slice(&self.comment);
        out
    }
}

/// CRC-32 (IEEE) from its definition, independent of the code under test.
pub fn crc32(data: &[u8]) -> u32 {
    static TABLE: OnceLock<[u32; 256]> = OnceLock::new();
    let table = TABLE.get_or_init(|| {
        std::array::from_fn(|n| {
            (0..8).fold(n as u32, |c, _| {
                if c & 1 == 1 {
                    (c >> 1) ^ 0xedb8_8320
                } else {
                    c >> 1
                }
            })
        })
    });
    !data.iter().fold(!0u32, |crc, &byte| {
        table[usize::from(crc as u8 ^ byte)] ^ (crc >> 8)
    })
}

/// `data` as a raw deflate stream.
pub fn deflate(data: &[u8]) -> Vec<u8> {
    let mut encoder = DeflateEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(data).unwrap();
    encoder.finish().unwrap()
}

/// A raw deflate stream (one fixed-Huffman block) that inflates to `len` zero bytes, at
/// 13 bits per 258 bytes: a zip bomb without compressing anything.
pub fn zeros_stream(len: u64) -> Vec<u8> {
    let mut bits = BitWriter::default();
    bits.push(1, 1); // final block
    bits.push(1, 2); // fixed Huffman codes
    let repeats = len.saturating_sub(1) / 258;
    let literals = if len == 0 { 0 } else { 1 + (len - 1) % 258 };
    for _ in 0..literals {
        bits.push_code(0b0011_0000, 8); // literal 0
    }
    for _ in 0..repeats {
        bits.push_code(0b1100_0101, 8); // length 258 (code 285)
        bits.push_code(0, 5); // distance 1
    }
    bits.push_code(0, 7); // end of block
    bits.finish()
}

#[derive(Default)]
struct BitWriter {
    out: Vec<u8>,
    acc: u64,
    len: u32,
}

impl BitWriter {
    /// `count` bits of `value`, least significant first (header fields, extra bits).
    fn push(&mut self, value: u64, count: u32) {
        self.acc |= value << self.len;
        self.len += count;
        while self.len >= 8 {
            self.out.push(self.acc as u8);
            self.acc >>= 8;
            self.len -= 8;
        }
    }

    /// A Huffman code, most significant bit first.
    fn push_code(&mut self, code: u64, count: u32) {
        let reversed = (0..count).fold(0, |r, i| r << 1 | (code >> i & 1));
        self.push(reversed, count);
    }

    fn finish(mut self) -> Vec<u8> {
        if self.len > 0 {
            self.out.push(self.acc as u8);
        }
        self.out
    }
}

/// A directory removed on drop.
pub struct TempDir(pub PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A fresh directory for one test.
pub fn temp_dir(id: &str) -> TempDir {
    let dir = std::env::temp_dir().join(format!(
        "gomod-modzip-{id}-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    TempDir(dir)
}

fn go_mod() -> Entry {
    Entry::file("go.mod", format!("module {MODULE}\n"))
}

/// Hostile and unusual zips for `example.com/m@v1.0.0`, by name, built once. Every one is
/// also run through Go's own code in `hash_vectors.rs`.
pub fn corpus() -> &'static [(&'static str, Vec<u8>)] {
    static CORPUS: OnceLock<Vec<(&'static str, Vec<u8>)>> = OnceLock::new();
    CORPUS.get_or_init(build_corpus)
}

fn build_corpus() -> Vec<(&'static str, Vec<u8>)> {
    let ok = || {
        vec![
            go_mod(),
            Entry::file("m.go", "package m\n"),
            Entry::file("sub/s.go", "package sub\n")
                .stored()
                .no_descriptor(),
        ]
    };
    let with = |extra: Vec<Entry>| {
        let mut entries = vec![go_mod()];
        entries.extend(extra);
        Zip::new(entries).bytes()
    };
    let valid = Zip::new(ok()).bytes();
    let mut cases: Vec<(&'static str, Vec<u8>)> = vec![
        ("valid", valid.clone()),
        ("empty", Zip::new(vec![]).bytes()),
        (
            "bad-prefix",
            with(vec![Entry::raw_name("example.com/x@v1.0.0/a.go", "x")]),
        ),
        ("no-prefix", with(vec![Entry::raw_name("a.go", "x")])),
        (
            "dot-dot-element",
            with(vec![Entry::file("../evil.go", "x")]),
        ),
        (
            "dot-dot-unclean",
            with(vec![Entry::file("a/../../evil.go", "x")]),
        ),
        ("absolute", with(vec![Entry::file("/etc/passwd", "x")])),
        (
            "case-collision",
            with(vec![
                Entry::file("README.md", "a"),
                Entry::file("readme.md", "b"),
            ]),
        ),
        (
            "kelvin-collision",
            with(vec![
                Entry::file("K.txt", "a"),
                Entry::file("\u{212a}.txt", "b"),
            ]),
        ),
        (
            "file-and-dir",
            with(vec![Entry::file("sub", "a"), Entry::file("sub/x.go", "b")]),
        ),
        (
            "dir-entry-and-file",
            with(vec![
                Entry::file("sub/", "").stored(),
                Entry::file("sub", "b"),
            ]),
        ),
        (
            "dir-entries",
            with(vec![
                Entry::raw_name(PREFIX, "").stored(),
                Entry::file("sub/", "").stored(),
                Entry::file("sub/x.go", "b"),
            ]),
        ),
        (
            "dir-entry-with-data",
            with(vec![Entry::file("sub/", "data").stored()]),
        ),
        (
            "duplicate-names",
            with(vec![
                Entry::file("dup.txt", "first"),
                Entry::file("dup.txt", "second"),
            ]),
        ),
        (
            "duplicate-first-corrupt",
            with(vec![
                Entry::file("dup.txt", "first").crc(1),
                Entry::file("dup.txt", "second"),
            ]),
        ),
        (
            "nested-go-mod",
            with(vec![Entry::file("sub/go.mod", "module x\n")]),
        ),
        (
            "go-mod-upper",
            Zip::new(vec![Entry::file("GO.MOD", "module x\n")]).bytes(),
        ),
        (
            "windows-name",
            with(vec![
                Entry::file("aux/x.go", "x"),
                Entry::file("com1.txt", "x"),
            ]),
        ),
        (
            "invalid-chars",
            with(vec![
                Entry::file("a:b.go", "x"),
                Entry::file("q?.txt", "x"),
                Entry::file("e\u{301}.go", "x"),
            ]),
        ),
        ("trailing-dot", with(vec![Entry::file("x.", "x")])),
        (
            "non-utf8-name",
            with(vec![Entry::raw_name(
                b"example.com/m@v1.0.0/bad\xffname".to_vec(),
                "x",
            )]),
        ),
        ("newline-name", with(vec![Entry::file("new\nline", "x")])),
        (
            "utf8-flag",
            with(vec![Entry::file("caf\u{e9}.txt", "x").utf8_flag()]),
        ),
        (
            "go-mod-too-large",
            Zip::new(vec![Entry::zeros("go.mod", 16_777_217)]).bytes(),
        ),
        (
            "license-too-large",
            with(vec![Entry::zeros("LICENSE", 16_777_217)]),
        ),
        (
            "declared-larger",
            with(vec![Entry::file("x.go", "package x\n").declared(11)]),
        ),
        (
            "declared-smaller",
            with(vec![Entry::file("x.go", "package x\n").declared(9)]),
        ),
        (
            "stored-declared-smaller",
            with(vec![
                Entry::file("x.go", "package x\n").stored().declared(9),
            ]),
        ),
        (
            "contents-too-large",
            with(vec![Entry::file("big", "x").declared(600 << 20)]),
        ),
        (
            "contents-too-large-zip64",
            with(vec![Entry::file("big", "x").declared(1 << 40)]),
        ),
        (
            "size-wraps-int64",
            with(vec![Entry::file("big", "x").declared(1 << 63)]),
        ),
        (
            "bomb-declared-truthfully",
            with(vec![
                Entry::file("zeros", "")
                    .compressed(zeros_stream(645_000_000))
                    .declared(645_000_000),
            ]),
        ),
        (
            "bomb-declared-small",
            with(vec![
                Entry::file("zeros", "")
                    .compressed(zeros_stream(25_800_000))
                    .declared(1000),
            ]),
        ),
        (
            "bad-crc-stored",
            with(vec![
                Entry::file("x.go", "x").stored().no_descriptor().crc(7),
            ]),
        ),
        (
            "zero-crc-no-descriptor",
            with(vec![
                Entry::file("x.go", "x").stored().no_descriptor().crc(0),
            ]),
        ),
        (
            "zero-crc-descriptor",
            with(vec![Entry::file("x.go", "x").crc(0)]),
        ),
        (
            "descriptor-crc-differs",
            with(vec![Entry::file("x.go", "x").descriptor_crc(5)]),
        ),
        (
            "descriptor-without-signature",
            with(vec![
                Entry::file("x.go", "x").descriptor_without_signature(),
            ]),
        ),
        (
            "unsupported-method",
            with(vec![Entry::file("x.bz2", "x").method(12)]),
        ),
        (
            "corrupt-deflate",
            with(vec![
                Entry::file("x.go", "")
                    .compressed(vec![0xff; 40])
                    .declared(100),
            ]),
        ),
        (
            "corrupt-deflate-late",
            with(vec![
                Entry::file("x.go", "")
                    .compressed({
                        let mut d = deflate(&[b'a'; 5000]);
                        d.extend_from_slice(&[0xff; 8]);
                        let n = d.len();
                        d[n - 12] ^= 0x55;
                        d
                    })
                    .declared(5000),
            ]),
        ),
        (
            "deflate-cut-short",
            with(vec![
                Entry::file("x.go", "")
                    .compressed(deflate(b"package x\n")[..4].to_vec())
                    .declared(10),
            ]),
        ),
        (
            "local-header-offset-past-end",
            with(vec![Entry::file("x.go", "x").offset(1 << 20)]),
        ),
        (
            "local-header-offset-wrong",
            with(vec![Entry::file("x.go", "x").offset(3)]),
        ),
        (
            "local-header-offset-zip64",
            with(vec![Entry::file("x.go", "x").offset(1 << 62)]),
        ),
        (
            "local-header-offset-negative",
            with(vec![Entry::file("x.go", "x").offset(1 << 63)]),
        ),
        (
            "local-name-differs",
            with(vec![
                Entry::file("x.go", "x").local_name("whatever/else.go"),
            ]),
        ),
        (
            "prefixed-archive",
            Zip::new(ok()).before(b"#!/bin/sh\nexit 0\n").bytes(),
        ),
        (
            "comment",
            Zip::new(ok())
                .comment(b"a comment PK\x05\x06 inside")
                .bytes(),
        ),
        ("records-wrong", Zip::new(ok()).records(7).bytes()),
        (
            "directory-offset-past-end",
            Zip::new(ok()).directory_offset(1 << 30).bytes(),
        ),
        (
            "directory-offset-mid-entry",
            Zip::new(ok()).directory_offset(10).bytes(),
        ),
        ("not-a-zip", b"this is not a zip file at all".to_vec()),
        ("zero-bytes", Vec::new()),
    ];
    // The valid zip cut at several points, the last one inside the end record.
    for (name, cut) in [
        ("truncated-half", valid.len() / 2),
        ("truncated-end-record", valid.len() - 5),
    ] {
        cases.push((name, valid[..cut].to_vec()));
    }
    cases
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(format!("{name}.zip"));
    std::fs::write(&path, bytes).unwrap();
    path
}

fn corpus_zip(dir: &Path, name: &str) -> PathBuf {
    let (_, bytes) = corpus().iter().find(|(n, _)| *n == name).unwrap();
    write(dir, name, bytes)
}

fn unzip_text(path: &Path, reason: &str) -> String {
    format!("unzip {}: {reason}", path.display())
}

/// The error of `check_module_zip`, as text.
fn check_error(path: &Path) -> String {
    match modzip::check_module_zip(path, MODULE, VERSION) {
        Ok(summary) => panic!("{}: accepted: {summary:?}", path.display()),
        Err(err) => err.to_string(),
    }
}

#[test]
fn a_valid_zip_passes_every_check_and_hashes_as_hash_zip_does() {
    let dir = temp_dir("valid");
    let path = corpus_zip(&dir.0, "valid");
    let summary = modzip::check_and_hash_zip(&path, MODULE, VERSION).unwrap();
    let files = ["go.mod", "m.go", "sub/s.go"].map(|f| format!("{PREFIX}{f}"));
    assert_eq!(summary.files, files.len());
    let checked = modzip::check_zip(&path, MODULE, VERSION).unwrap();
    assert_eq!(
        (checked.valid.as_slice(), checked.err()),
        (&files[..], None)
    );
    assert_eq!(summary.uncompressed_bytes, 21 + 10 + 12);
    assert_eq!(summary.zip_bytes, std::fs::metadata(&path).unwrap().len());
    let expected = dirhash::hash1([
        (files[0].as_str(), "module example.com/m\n"),
        (files[1].as_str(), "package m\n"),
        (files[2].as_str(), "package sub\n"),
    ])
    .unwrap();
    assert_eq!(summary.h1.as_deref(), Some(expected.as_str()));
    let hash = dirhash::hash_zip_file(&path).unwrap();
    assert_eq!(
        (hash.h1, hash.files, hash.uncompressed_bytes),
        (expected, 3, 43)
    );
    let checked = modzip::check_module_zip(&path, MODULE, VERSION).unwrap();
    assert_eq!((checked.h1, checked.files), (None, summary.files));
}

#[test]
fn entries_outside_the_module_fail_the_download_check() {
    let dir = temp_dir("prefix");
    for name in ["bad-prefix", "no-prefix"] {
        let path = corpus_zip(&dir.0, name);
        let file = if name == "bad-prefix" {
            "example.com/x@v1.0.0/a.go"
        } else {
            "a.go"
        };
        let want = format!("zip for example.com/m@v1.0.0 has unexpected file {file}");
        assert_eq!(check_error(&path), want);
        let err = modzip::check_and_hash_zip(&path, MODULE, VERSION).unwrap_err();
        assert!(matches!(err, ZipError::UnexpectedFile { .. }), "{err:?}");
        // x/mod's own check (Unzip, CheckZip) words it per file.
        let checked = modzip::check_zip(&path, MODULE, VERSION).unwrap();
        assert_eq!(
            checked.err().unwrap().to_string(),
            format!("{file}: path does not have prefix \"example.com/m@v1.0.0/\"")
        );
        assert_eq!(checked.valid, [format!("{PREFIX}go.mod")]);
    }
}

#[test]
fn each_file_rule_fails_with_gos_text_and_the_hash_first() {
    let dir = temp_dir("rules");
    let cases = [
        (
            "dot-dot-element",
            "../evil.go: malformed file path \"../evil.go\": invalid path element \"..\"",
        ),
        ("dot-dot-unclean", "a/../../evil.go: file path is not clean"),
        (
            "absolute",
            "/etc/passwd: malformed file path \"/etc/passwd\": empty path element",
        ),
        (
            "case-collision",
            "readme.md: case-insensitive file name collision: \"README.md\" and \"readme.md\"",
        ),
        (
            "kelvin-collision",
            "\u{212a}.txt: case-insensitive file name collision: \"K.txt\" and \"\u{212a}.txt\"",
        ),
        (
            "file-and-dir",
            "sub/x.go: entry \"sub\" is both a file and a directory",
        ),
        (
            "dir-entry-and-file",
            "sub: entry \"sub\" is both a file and a directory",
        ),
        (
            "duplicate-names",
            "dup.txt: multiple entries for file \"dup.txt\"",
        ),
        (
            "nested-go-mod",
            "sub/go.mod: go.mod file not in module root directory",
        ),
        (
            "go-mod-upper",
            "GO.MOD: go.mod files must have lowercase names",
        ),
        (
            "trailing-dot",
            "x.: malformed file path \"x.\": trailing dot in path element",
        ),
        (
            "non-utf8-name",
            "bad\u{fffd}name: malformed file path \"bad\\xffname\": invalid UTF-8",
        ),
        (
            "go-mod-too-large",
            "go.mod: go.mod file too large (max size is 16777216 bytes)",
        ),
        (
            "license-too-large",
            "LICENSE: LICENSE file too large (max size is 16777216 bytes)",
        ),
    ];
    for (name, reason) in cases {
        let path = corpus_zip(&dir.0, name);
        let reason = format!("{PREFIX}{reason}");
        assert_eq!(check_error(&path), unzip_text(&path, &reason), "{name}");
        // The go command hashes before it extracts: the error carries the hash.
        let err = modzip::check_and_hash_zip(&path, MODULE, VERSION).unwrap_err();
        let hash = dirhash::hash_zip_file(&path).unwrap();
        assert_eq!(err.h1(), Some(hash.h1.as_str()), "{name}");
        assert_eq!(err.to_string(), unzip_text(&path, &reason), "{name}");
    }
}

#[test]
fn every_invalid_entry_is_listed_in_zip_order() {
    let dir = temp_dir("list");
    let path = corpus_zip(&dir.0, "windows-name");
    let reasons = [
        "aux/x.go: malformed file path \"aux/x.go\": \"aux\" disallowed as path element component on Windows",
        "com1.txt: malformed file path \"com1.txt\": \"com1\" disallowed as path element component on Windows",
    ];
    let want: Vec<String> = reasons.iter().map(|r| format!("{PREFIX}{r}")).collect();
    assert_eq!(check_error(&path), unzip_text(&path, &want.join("\n")));
    let path = corpus_zip(&dir.0, "invalid-chars");
    let checked = modzip::check_zip(&path, MODULE, VERSION).unwrap();
    let got: Vec<String> = checked.invalid.iter().map(|e| e.to_string()).collect();
    assert_eq!(
        got,
        [
            format!("{PREFIX}a:b.go: malformed file path \"a:b.go\": invalid char ':'"),
            format!("{PREFIX}q?.txt: malformed file path \"q?.txt\": invalid char '?'"),
            format!(
                "{PREFIX}e\u{301}.go: malformed file path \"e\u{301}.go\": invalid char '\u{301}'"
            ),
        ]
    );
}

#[test]
fn a_newline_in_a_name_fails_the_hash_before_the_name_rules() {
    let dir = temp_dir("newline");
    let path = corpus_zip(&dir.0, "newline-name");
    let err = modzip::check_and_hash_zip(&path, MODULE, VERSION).unwrap_err();
    assert_eq!(
        err.to_string(),
        "dirhash: filenames with newlines are not supported"
    );
    assert_eq!(
        check_error(&path),
        unzip_text(
            &path,
            &format!("{PREFIX}new\nline: malformed file path \"new\\nline\": invalid char '\\n'")
        )
    );
}

#[test]
fn sizes_that_lie_fail_when_read() {
    let dir = temp_dir("sizes");
    for (name, reason) in [
        ("declared-larger", "unexpected EOF"),
        ("declared-smaller", "zip: not a valid zip file"),
        ("stored-declared-smaller", "zip: not a valid zip file"),
        ("bomb-declared-small", "zip: not a valid zip file"),
        ("deflate-cut-short", "unexpected EOF"),
    ] {
        let path = corpus_zip(&dir.0, name);
        assert_eq!(check_error(&path), unzip_text(&path, reason), "{name}");
        let err = modzip::check_and_hash_zip(&path, MODULE, VERSION).unwrap_err();
        assert_eq!(err.to_string(), reason, "{name}: HashZip reads first");
        assert!(matches!(err, ZipError::Hash(_)), "{name}: {err:?}");
    }
}

#[test]
fn declared_totals_over_the_limit_are_refused_before_inflating() {
    let dir = temp_dir("bomb");
    let reason =
        "total uncompressed size of module contents too large (max size is 524288000 bytes)";
    for name in [
        "contents-too-large",
        "contents-too-large-zip64",
        "size-wraps-int64",
        "bomb-declared-truthfully",
    ] {
        let path = corpus_zip(&dir.0, name);
        assert_eq!(check_error(&path), unzip_text(&path, reason), "{name}");
    }
    // A real bomb (645 MB of zeros in 4 MB): not even hashed.
    let path = corpus_zip(&dir.0, "bomb-declared-truthfully");
    let err = modzip::check_and_hash_zip(&path, MODULE, VERSION).unwrap_err();
    assert_eq!(err.h1(), None);
    assert_eq!(err.to_string(), unzip_text(&path, reason));
    // A lie about the size is cheap to expose: HashZip fails reading, as Go's would.
    let path = corpus_zip(&dir.0, "contents-too-large");
    let err = modzip::check_and_hash_zip(&path, MODULE, VERSION).unwrap_err();
    assert_eq!(err.to_string(), "unexpected EOF");
}

#[test]
fn a_zip_file_over_the_limit_is_not_opened() {
    let dir = temp_dir("huge");
    let path = dir.0.join("huge.zip");
    let file = std::fs::File::create(&path).unwrap();
    file.set_len(modzip::MAX_ZIP_FILE + 1).unwrap();
    let reason = "module zip file is too large (524288001 bytes; limit is 524288000 bytes)";
    assert_eq!(check_error(&path), unzip_text(&path, reason));
    let err = modzip::check_and_hash_zip(&path, MODULE, VERSION).unwrap_err();
    assert_eq!(
        (err.to_string(), err.h1()),
        (unzip_text(&path, reason), None)
    );
}

#[test]
fn content_checks_fail_with_archive_zip_errors() {
    let dir = temp_dir("content");
    for (name, reason) in [
        ("bad-crc-stored", "zip: checksum error"),
        ("descriptor-crc-differs", "zip: checksum error"),
        ("zero-crc-descriptor", "zip: checksum error"),
        (
            "unsupported-method",
            "zip: unsupported compression algorithm",
        ),
        ("corrupt-deflate", "flate: corrupt input before offset 1"),
        ("local-header-offset-past-end", "EOF"),
        ("local-header-offset-wrong", "zip: not a valid zip file"),
        ("local-header-offset-zip64", "EOF"),
        ("dir-entry-with-data", "zip: not a valid zip file"),
        // The directory is where the end record says, but its stated offset is not: the
        // difference becomes a base offset that misplaces every local header.
        ("directory-offset-mid-entry", "zip: not a valid zip file"),
    ] {
        let path = corpus_zip(&dir.0, name);
        let err = modzip::check_and_hash_zip(&path, MODULE, VERSION).unwrap_err();
        assert_eq!(err.to_string(), reason, "{name}");
        assert_eq!(
            dirhash::hash_zip_file(&path).unwrap_err().to_string(),
            reason,
            "{name}"
        );
    }
    // An end record whose directory offset is past the end is believed, its directory
    // found anyway, and the difference taken for a (negative) base offset.
    for name in ["local-header-offset-negative", "directory-offset-past-end"] {
        let path = corpus_zip(&dir.0, name);
        let reason = format!("readat {}: negative offset", path.display());
        assert_eq!(check_error(&path), unzip_text(&path, &reason), "{name}");
    }
    // Unzip skips directory entries, so their data is no error there.
    let path = corpus_zip(&dir.0, "dir-entry-with-data");
    assert!(modzip::check_module_zip(&path, MODULE, VERSION).is_ok());
    // Go skips the CRC check only without a data descriptor and with a CRC of 0.
    let path = corpus_zip(&dir.0, "zero-crc-no-descriptor");
    assert!(modzip::check_and_hash_zip(&path, MODULE, VERSION).is_ok());
}

#[test]
fn archives_that_cannot_be_opened_fail_first() {
    let dir = temp_dir("open");
    for (name, reason) in [
        ("not-a-zip", "zip: not a valid zip file"),
        ("zero-bytes", "zip: not a valid zip file"),
        ("truncated-half", "zip: not a valid zip file"),
        ("truncated-end-record", "zip: not a valid zip file"),
        // Three headers, then 22 bytes of end record where a fourth was due.
        ("records-wrong", "unexpected EOF"),
    ] {
        let path = corpus_zip(&dir.0, name);
        let err = modzip::check_and_hash_zip(&path, MODULE, VERSION).unwrap_err();
        assert!(matches!(err, ZipError::Open(_)), "{name}: {err:?}");
        assert_eq!(err.to_string(), reason, "{name}");
    }
    let missing = dir.0.join("missing.zip");
    let err = modzip::check_and_hash_zip(&missing, MODULE, VERSION).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("open {}: no such file or directory", missing.display())
    );
}

#[test]
fn tolerated_oddities_pass_as_in_go() {
    let dir = temp_dir("odd");
    let valid = dirhash::hash_zip_file(&corpus_zip(&dir.0, "valid"))
        .unwrap()
        .h1;
    for name in [
        "prefixed-archive",
        "comment",
        "local-name-differs",
        "descriptor-without-signature",
        "dir-entries",
        "duplicate-first-corrupt",
    ] {
        let path = corpus_zip(&dir.0, name);
        let hash = dirhash::hash_zip_file(&path);
        assert!(hash.is_ok(), "{name}: {hash:?}");
        if ["prefixed-archive", "comment"].contains(&name) {
            assert_eq!(hash.unwrap().h1, valid, "{name}");
        }
    }
    // Duplicates hash the last entry's content, so a corrupt first one goes unread.
    let path = corpus_zip(&dir.0, "duplicate-first-corrupt");
    let err = modzip::check_and_hash_zip(&path, MODULE, VERSION).unwrap_err();
    assert!(err.h1().is_some(), "{err:?}");
}

#[test]
fn the_module_path_and_version_are_checked_first() {
    let dir = temp_dir("module");
    let path = corpus_zip(&dir.0, "valid");
    let err = modzip::check_module_zip(&path, MODULE, "v1.0").unwrap_err();
    assert_eq!(
        err.to_string(),
        unzip_text(
            &path,
            "version \"v1.0\" is not canonical (should be \"v1.0.0\")"
        )
    );
    let err = modzip::check_module_zip(&path, "example.com/m/v2", VERSION).unwrap_err();
    assert_eq!(
        err.to_string(),
        unzip_text(
            &path,
            "example.com/m/v2@v1.0.0: invalid version: should be v2, not v1"
        )
    );
}

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

#[test]
fn mangled_zips_never_panic() {
    let dir = temp_dir("mangle");
    let path = dir.0.join("mangled.zip");
    let seeds: Vec<&Vec<u8>> = corpus()
        .iter()
        .filter(|(_, bytes)| bytes.len() < 4096)
        .map(|(_, bytes)| bytes)
        .collect();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for round in 0..1500 {
        let mut bytes = seeds[round % seeds.len()].clone();
        for _ in 0..=rng.below(4) {
            let at = rng.below(bytes.len());
            match rng.below(5) {
                0 if !bytes.is_empty() => bytes[at] = rng.next() as u8,
                1 if !bytes.is_empty() => bytes[at] = [0x00, 0xff, 0x7f, 0x80][rng.below(4)],
                2 => bytes.truncate(at),
                3 => bytes.insert(at.min(bytes.len()), rng.next() as u8),
                _ if bytes.len() > 4 => {
                    // A plausible field value at a random place: a 32-bit size or offset.
                    let value = [0u32, 0xffff_ffff, 0x7fff_ffff, bytes.len() as u32][rng.below(4)];
                    let at = at.min(bytes.len() - 4);
                    bytes[at..at + 4].copy_from_slice(&value.to_le_bytes());
                }
                _ => {}
            }
        }
        std::fs::write(&path, &bytes).unwrap();
        let _ = dirhash::hash_zip_file(&path).map(|h| assert!(h.h1.starts_with("h1:")));
        let _ = modzip::check_zip(&path, MODULE, VERSION).map(|c| c.err().map(|e| e.to_string()));
        let _ = modzip::check_module_zip(&path, MODULE, VERSION).map_err(|e| e.to_string());
        if let Ok(summary) = modzip::check_and_hash_zip(&path, MODULE, VERSION) {
            assert_eq!(summary.h1, Some(dirhash::hash_zip_file(&path).unwrap().h1));
        }
    }
}

#[test]
fn entries_can_be_listed_and_read_one_by_one() {
    let dir = temp_dir("read");
    let archive = modzip::ZipArchive::open(&corpus_zip(&dir.0, "valid")).unwrap();
    let names: Vec<String> = archive
        .entries()
        .map(|e| String::from_utf8_lossy(e.name).into_owned())
        .collect();
    assert_eq!(
        names,
        ["go.mod", "m.go", "sub/s.go"].map(|f| format!("{PREFIX}{f}"))
    );
    let stored = archive.entry(2);
    assert_eq!(
        (stored.method, stored.is_dir()),
        (modzip::METHOD_STORE, false)
    );
    assert_eq!(stored.crc32, crc32(b"package sub\n"));
    for (index, want) in [(0, &b"module example.com/m\n"[..]), (2, b"package sub\n")] {
        let mut content = Vec::new();
        let len = archive
            .read_entry(index, &mut |chunk| {
                content.extend_from_slice(chunk);
                Ok(())
            })
            .unwrap();
        assert_eq!((len, content.as_slice()), (want.len() as u64, want));
    }
    // The sink's own error (say, a full disk while extracting) ends the read.
    let full = modzip::ReadError::Os("write x: no space left on device".into());
    let err = archive
        .read_entry(1, &mut |_| Err(full.clone()))
        .unwrap_err();
    assert_eq!(err, full);
    let archive = modzip::ZipArchive::open(&corpus_zip(&dir.0, "bad-crc-stored")).unwrap();
    let err = archive.read_entry(1, &mut |_| Ok(())).unwrap_err();
    assert_eq!(err, modzip::ReadError::Checksum);
}
