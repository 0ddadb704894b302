//! Writing a module zip: deflated entries in the order given, no directory entries, no
//! timestamps, as x/mod's `zip.Create` writes them through Go's `archive/zip` (local
//! header with a data descriptor, then the central directory). Module zips are at most
//! 500 MiB, so ZIP64 is never needed; a larger archive is refused.

use std::io::{self, Write};

use flate2::Crc;
use flate2::write::DeflateEncoder;

/// One entry already written, for the central directory.
struct Written {
    name: Vec<u8>,
    crc: u32,
    compressed: u32,
    uncompressed: u32,
    offset: u32,
}

/// Writes a zip archive to `W`.
pub struct ZipWriter<W: Write> {
    out: W,
    offset: u64,
    entries: Vec<Written>,
}

fn too_large() -> io::Error {
    io::Error::other("zip archive too large for a module zip")
}

fn u32_of(n: u64) -> io::Result<u32> {
    u32::try_from(n).map_err(|_| too_large())
}

impl<W: Write> ZipWriter<W> {
    /// A writer at the start of `out`.
    pub fn new(out: W) -> ZipWriter<W> {
        ZipWriter {
            out,
            offset: 0,
            entries: Vec::new(),
        }
    }

    fn put(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.out.write_all(bytes)?;
        self.offset += bytes.len() as u64;
        Ok(())
    }

    /// Adds a file, deflated.
    pub fn add(&mut self, name: &str, data: &[u8]) -> io::Result<()> {
        let offset = u32_of(self.offset)?;
        let mut crc = Crc::new();
        crc.update(data);
        let mut encoder = DeflateEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(data)?;
        let compressed = encoder.finish()?;
        let name_bytes = name.as_bytes().to_vec();
        let name_len = u16::try_from(name_bytes.len()).map_err(|_| too_large())?;
        let flags: u16 = 0x8 | 0x800;
        let mut header = Vec::with_capacity(30 + name_bytes.len());
        header.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        header.extend_from_slice(&20u16.to_le_bytes());
        header.extend_from_slice(&flags.to_le_bytes());
        header.extend_from_slice(&8u16.to_le_bytes());
        header.extend_from_slice(&0u16.to_le_bytes());
        header.extend_from_slice(&0x21u16.to_le_bytes());
        header.extend_from_slice(&[0; 12]);
        header.extend_from_slice(&name_len.to_le_bytes());
        header.extend_from_slice(&0u16.to_le_bytes());
        header.extend_from_slice(&name_bytes);
        self.put(&header)?;
        self.put(&compressed)?;
        let entry = Written {
            name: name_bytes,
            crc: crc.sum(),
            compressed: u32_of(compressed.len() as u64)?,
            uncompressed: u32_of(data.len() as u64)?,
            offset,
        };
        let mut descriptor = Vec::with_capacity(16);
        descriptor.extend_from_slice(&0x0807_4b50u32.to_le_bytes());
        descriptor.extend_from_slice(&entry.crc.to_le_bytes());
        descriptor.extend_from_slice(&entry.compressed.to_le_bytes());
        descriptor.extend_from_slice(&entry.uncompressed.to_le_bytes());
        self.put(&descriptor)?;
        self.entries.push(entry);
        Ok(())
    }

    /// Writes the central directory and returns the output.
    pub fn finish(mut self) -> io::Result<W> {
        let start = u32_of(self.offset)?;
        let entries = std::mem::take(&mut self.entries);
        for e in &entries {
            let mut d = Vec::with_capacity(46 + e.name.len());
            d.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
            d.extend_from_slice(&20u16.to_le_bytes());
            d.extend_from_slice(&20u16.to_le_bytes());
            d.extend_from_slice(&(0x8u16 | 0x800).to_le_bytes());
            d.extend_from_slice(&8u16.to_le_bytes());
            d.extend_from_slice(&0u16.to_le_bytes());
            d.extend_from_slice(&0x21u16.to_le_bytes());
            d.extend_from_slice(&e.crc.to_le_bytes());
            d.extend_from_slice(&e.compressed.to_le_bytes());
            d.extend_from_slice(&e.uncompressed.to_le_bytes());
            d.extend_from_slice(&(e.name.len() as u16).to_le_bytes());
            d.extend_from_slice(&[0; 12]);
            d.extend_from_slice(&e.offset.to_le_bytes());
            d.extend_from_slice(&e.name);
            self.put(&d)?;
        }
        let size = u32_of(self.offset)? - start;
        let count = u16::try_from(entries.len()).map_err(|_| too_large())?;
        let mut end = Vec::with_capacity(22);
        end.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
        end.extend_from_slice(&[0; 4]);
        end.extend_from_slice(&count.to_le_bytes());
        end.extend_from_slice(&count.to_le_bytes());
        end.extend_from_slice(&size.to_le_bytes());
        end.extend_from_slice(&start.to_le_bytes());
        end.extend_from_slice(&0u16.to_le_bytes());
        self.put(&end)?;
        self.out.flush()?;
        Ok(self.out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_zips_are_read_back_and_hashed_as_go_hashes_them() {
        let dir = std::env::temp_dir().join(format!("gomod-zipwrite-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("m.zip");
        let file = std::fs::File::create(&path).unwrap();
        let mut zip = ZipWriter::new(file);
        zip.add("example.com/m@v1.0.0/go.mod", b"module example.com/m\n")
            .unwrap();
        zip.add("example.com/m@v1.0.0/a.go", b"package m\n")
            .unwrap();
        zip.finish().unwrap();
        let summary = crate::modzip::check_and_hash_zip(&path, "example.com/m", "v1.0.0").unwrap();
        let want = crate::dirhash::hash1([
            ("example.com/m@v1.0.0/a.go", b"package m\n".as_slice()),
            (
                "example.com/m@v1.0.0/go.mod",
                b"module example.com/m\n".as_slice(),
            ),
        ])
        .unwrap();
        assert_eq!(summary.h1.as_deref(), Some(want.as_str()));
        assert_eq!(summary.files, 2);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
