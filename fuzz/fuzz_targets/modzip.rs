//! Module zips: `modzip::check_and_hash_zip`, `check_module_zip`, `check_zip`,
//! `dirhash::hash_zip_file` and `ZipArchive` on arbitrary bytes written to a file, for
//! the module `example.com/m@v1.0.0`. The whole input is the file.
//!
//! Asserts: no panic; every error displays; the archive's entries can be listed; the
//! go command's order holds: a zip that passes `check_and_hash_zip` has the hash
//! `hash_zip_file` gives and passes `check_module_zip` with the same files, which are
//! `check_zip`'s valid list; an extraction error that carries a hash carries that same
//! hash; `check_module_zip` and `check_and_hash_zip` agree up to the hash step.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use gomod_common::dirhash;
use gomod_common::modzip::{self, ZipArchive, ZipError};
use libfuzzer_sys::fuzz_target;

const MODULE: &str = "example.com/m";
const VERSION: &str = "v1.0.0";

/// One file per fuzzing process, rewritten for every input.
fn scratch() -> &'static PathBuf {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        std::env::temp_dir().join(format!("gomod-fuzz-modzip-{}.zip", std::process::id()))
    })
}

fuzz_target!(|data: &[u8]| {
    let path = scratch();
    if std::fs::write(path, data).is_err() {
        return;
    }
    // Go's HashZip has no size limit: entries that may inflate to more than 64 MB in
    // total would only slow the fuzzer down (the limited functions are still run).
    let mut light = false;
    if let Ok(archive) = ZipArchive::open(path) {
        let declared = archive
            .entries()
            .map(|e| e.name.len() as u64 + e.uncompressed_size.min(1 << 40))
            .fold(0u64, u64::saturating_add);
        light = declared <= 64 << 20;
        for entry in archive.entries() {
            let _ = (
                entry.is_dir(),
                entry.method,
                entry.crc32,
                entry.compressed_size,
            );
        }
    }
    let hash = light.then(|| dirhash::hash_zip_file(path));
    if let Some(Err(err)) = &hash {
        assert!(!err.to_string().is_empty());
    }
    let hashed = modzip::check_and_hash_zip(path, MODULE, VERSION);
    let checked = modzip::check_module_zip(path, MODULE, VERSION);
    let listed = modzip::check_zip(path, MODULE, VERSION);
    match &hashed {
        Ok(summary) => {
            if let Some(Ok(hash)) = &hash {
                assert_eq!(summary.h1.as_deref(), Some(hash.h1.as_str()));
            }
            let checked = checked.as_ref().expect("a hashed zip passes the checks");
            assert_eq!(checked.files, summary.files);
            assert_eq!(checked.h1, None);
            let listed = listed.as_ref().expect("CheckZip opens it");
            assert_eq!(listed.valid.len(), summary.files);
            assert!(listed.err().is_none());
        }
        Err(err) => {
            assert!(!err.to_string().is_empty());
            if let (Some(h1), Some(Ok(hash))) = (err.h1(), &hash) {
                assert_eq!(h1, hash.h1);
            }
            match err {
                // Before the hash, both stop at the same place.
                ZipError::Open(_)
                | ZipError::DirectoryTooLarge
                | ZipError::UnexpectedFile { .. } => {
                    assert_eq!(checked.as_ref().err(), Some(err));
                }
                // The hash failed: extraction, which reads less, may succeed.
                ZipError::Hash(_) => {}
                ZipError::Unzip { .. } => assert!(checked.is_err()),
            }
        }
    }
    if let Err(err) = &checked {
        assert!(!err.to_string().is_empty());
    }
    if let Ok(listed) = &listed {
        let _ = listed.err().map(|e| e.to_string());
    }
});
