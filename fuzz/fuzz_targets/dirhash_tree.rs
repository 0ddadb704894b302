//! Walking and hashing a module directory as `go mod verify` does for an extracted
//! module in the module cache: `dirhash::hash_dir` over a real directory tree made
//! from the input, with files, directories, symbolic links (into the tree, out of it,
//! to `/`, to `..`, to `/dev/zero`) and named pipes.
//!
//! Layout: records separated by `0xFF`: a kind byte (`f` file, `d` directory, `l` link,
//! `p` named pipe), then `path`, then for files the content after a `=`, for links the
//! target after a `>`. Paths are cleaned of `..` and made relative.
//!
//! Asserts: no panic and no hang (a named pipe or a device is refused, never read); a
//! hash, when there is one, is an `h1:` hash and the same twice; a tree of plain files
//! hashes to the hash of those files named `prefix/path`.
#![no_main]

use std::path::{Path, PathBuf};

use gomod_common::dirhash;
use libfuzzer_sys::fuzz_target;

const PREFIX: &str = "example.com/m@v1.0.0";

fuzz_target!(|data: &[u8]| {
    let root = scratch();
    let mut plain_files = Vec::new();
    let mut only_plain = true;
    for record in data.split(|&b| b == 0xff).take(64) {
        let Some((&kind, rest)) = record.split_first() else {
            continue;
        };
        let rest = String::from_utf8_lossy(rest);
        let (path, extra) = match rest.split_once(['=', '>']) {
            Some((p, e)) => (p.to_string(), e.to_string()),
            None => (rest.into_owned(), String::new()),
        };
        let Some(relative) = clean_relative(&path) else {
            continue;
        };
        let target = root.join(&relative);
        if let Some(parent) = target.parent() {
            let _ = std::fs::create_dir_all(parent);
        }
        let kind = match kind {
            b'f' => 0,
            b'd' => 1,
            b'l' => 2,
            b'p' => 3,
            other => other % 4,
        };
        match kind {
            0 => {
                if std::fs::write(&target, extra.as_bytes()).is_ok() {
                    plain_files.push((relative, extra.into_bytes()));
                }
            }
            1 => {
                let _ = std::fs::create_dir_all(&target);
            }
            2 => {
                only_plain = false;
                let link = match extra.bytes().next().map(|b| b % 5) {
                    Some(0) => "/".to_string(),
                    Some(1) => "..".to_string(),
                    Some(2) => "/dev/zero".to_string(),
                    Some(3) => "/nonexistent".to_string(),
                    _ => extra.clone(),
                };
                let _ = std::os::unix::fs::symlink(link, &target);
            }
            _ => {
                only_plain = false;
                if let Ok(name) = std::ffi::CString::new(target.as_os_str().as_encoded_bytes()) {
                    // SAFETY: mkfifo with a valid NUL-terminated path.
                    unsafe { libc::mkfifo(name.as_ptr(), 0o600) };
                }
            }
        }
    }
    let first = dirhash::hash_dir(&root, PREFIX);
    let second = dirhash::hash_dir(&root, PREFIX);
    assert_eq!(first, second);
    if let Ok(h1) = &first {
        assert!(h1.starts_with("h1:"), "{h1}");
    }
    if only_plain && first.is_ok() {
        // Later writes of a path replace earlier ones; directories written over files
        // (or the other way) make the model wrong: only compare clean cases.
        plain_files.reverse();
        let mut seen = std::collections::HashSet::new();
        plain_files.retain(|(p, _)| seen.insert(p.clone()));
        if plain_files
            .iter()
            .all(|(p, c)| std::fs::read(root.join(p)).ok().as_deref() == Some(c))
        {
            let files: Vec<(String, &[u8])> = plain_files
                .iter()
                .map(|(p, c)| (p.display().to_string(), c.as_slice()))
                .collect();
            let all_plain = walk_count(&root) == files.len();
            if all_plain && !files.iter().any(|(p, _)| p.contains('\n')) {
                let model =
                    dirhash::hash1(files.iter().map(|(p, c)| (format!("{PREFIX}/{p}"), *c)));
                assert_eq!(first.as_ref().ok(), model.as_ref().ok());
            }
        }
    }
});

/// A fresh empty directory for this process.
fn scratch() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("gomod-fuzz-dirhash-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch directory");
    dir
}

/// `path` without empty, `.` or `..` elements; None when nothing is left.
fn clean_relative(path: &str) -> Option<PathBuf> {
    let parts: Vec<&str> = path
        .split('/')
        .filter(|p| !p.is_empty() && *p != "." && *p != ".." && !p.contains('\0'))
        .take(8)
        .collect();
    (!parts.is_empty()).then(|| parts.iter().collect())
}

/// How many non-directories lie below `dir` (symbolic links not followed).
fn walk_count(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| match e.file_type() {
            Ok(t) if t.is_dir() => walk_count(&e.path()),
            _ => 1,
        })
        .sum()
}
