//! Which files go into a module zip the go command creates (x/mod `zip.Create` and its
//! `checkFiles`, Go 1.27): files of nested modules (a directory with its own go.mod),
//! of vendored packages (and `vendor/modules.txt` from go 1.24 on), `.hg_archival.txt`,
//! symbolic links and other non-regular files are left out; a path that is not clean,
//! not relative, malformed, a `go.mod` in another case, a case-insensitive collision or
//! a file too large fails the whole zip, with Go's text.

use std::collections::{HashMap, HashSet};

use super::EntryKind;
use super::fold::fold_key;
use super::{MAX_GO_MOD, MAX_LICENSE, MAX_ZIP_FILE};
use crate::modpath;

/// One file offered for the zip.
pub struct Candidate<'a> {
    /// Its path in the module (slash-separated).
    pub path: &'a str,
    /// What kind of file it is.
    pub kind: EntryKind,
    /// Its size.
    pub size: u64,
    /// For the root `go.mod`: its content (the go version decides the vendor rules).
    pub root_go_mod: Option<Vec<u8>>,
}

/// The indices of the files that go into the zip, in the order given; or Go's error
/// (`FileErrorList`: one `path: reason` line per invalid file, or the size error).
pub fn plan<'a>(files: impl IntoIterator<Item = Candidate<'a>>) -> Result<Vec<usize>, String> {
    let files: Vec<Candidate<'a>> = files.into_iter().collect();
    let mut have_go_mod: HashSet<String> = HashSet::new();
    let mut go_version = String::new();
    for f in &files {
        let (dir, base) = match f.path.rfind('/') {
            Some(i) => (&f.path[..=i], &f.path[i + 1..]),
            None => ("", f.path),
        };
        if base.eq_ignore_ascii_case("go.mod") && f.kind == EntryKind::Regular {
            have_go_mod.insert(dir.to_string());
            if base == "go.mod" && dir.is_empty() {
                go_version = f
                    .root_go_mod
                    .as_deref()
                    .and_then(|data| crate::modfile::parse_lax("go.mod", data).ok())
                    .and_then(|m| m.go)
                    .unwrap_or_default();
            }
        }
    }
    let go124 = at_least_go_1_24(&go_version);
    let in_submodule = |p: &str| {
        let mut p = p;
        while let Some(i) = p.rfind('/') {
            let dir = &p[..=i];
            if have_go_mod.contains(dir) {
                return true;
            }
            p = &p[..i];
        }
        false
    };
    let mut invalid: Vec<String> = Vec::new();
    let mut reported: HashSet<&str> = HashSet::new();
    let mut seen: HashMap<String, (String, bool)> = HashMap::new();
    let mut size_error = false;
    let mut budget = MAX_ZIP_FILE;
    let mut valid = Vec::new();
    for (index, f) in files.iter().enumerate() {
        let p = f.path;
        let mut fail = |reason: String| {
            if reported.insert(p) {
                invalid.push(format!("{p}: {reason}"));
            }
        };
        if p != crate::pathclean::clean(p) {
            fail("file path is not clean".to_string());
            continue;
        }
        if p.starts_with('/') {
            fail("file path is not relative".to_string());
            continue;
        }
        if is_vendored_package(p, go124) || in_submodule(p) || p == ".hg_archival.txt" {
            continue;
        }
        if let Err(e) = modpath::check_file_path(p) {
            fail(e.to_string());
            continue;
        }
        if p.to_lowercase() == "go.mod" && p != "go.mod" {
            fail("go.mod files must have lowercase names".to_string());
            continue;
        }
        if let Err(reason) = check_collision(&mut seen, p, f.kind == EntryKind::Directory) {
            fail(reason);
            continue;
        }
        if f.kind != EntryKind::Regular {
            continue;
        }
        if f.size <= budget {
            budget -= f.size;
        } else {
            size_error = true;
        }
        if p == "go.mod" && f.size > MAX_GO_MOD {
            fail(format!(
                "go.mod file too large (max size is {MAX_GO_MOD} bytes)"
            ));
            continue;
        }
        if p == "LICENSE" && f.size > MAX_LICENSE {
            fail(format!(
                "LICENSE file too large (max size is {MAX_LICENSE} bytes)"
            ));
            continue;
        }
        valid.push(index);
    }
    if size_error {
        return Err(format!(
            "module source tree too large (max size is {MAX_ZIP_FILE} bytes)"
        ));
    }
    if !invalid.is_empty() {
        return Err(invalid.join("\n"));
    }
    Ok(valid)
}

/// `go/version.Compare(version.Lang("go"+v), "go1.24") >= 0` for a go directive `v`.
fn at_least_go_1_24(v: &str) -> bool {
    let mut parts = v.split(|c: char| !c.is_ascii_digit());
    let major: u64 = parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
    let minor: u64 = parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
    !v.is_empty() && (major, minor) >= (1, 24)
}

/// x/mod's `isVendoredPackage` (with the go 1.24 rules when `go124`).
fn is_vendored_package(name: &str, go124: bool) -> bool {
    if go124 && name == "vendor/modules.txt" {
        return true;
    }
    let i = if let Some(rest) = name.strip_prefix("vendor/") {
        name.len() - rest.len()
    } else if let Some(j) = name.find("/vendor/") {
        if go124 {
            j + "/vendor/".len()
        } else {
            "/vendor/".len()
        }
    } else {
        return false;
    };
    name.get(i..).is_some_and(|rest| rest.contains('/'))
}

/// x/mod's `collisionChecker.check` for a path and its parent directories.
fn check_collision(
    seen: &mut HashMap<String, (String, bool)>,
    path: &str,
    is_dir: bool,
) -> Result<(), String> {
    let (mut path, mut is_dir) = (path, is_dir);
    loop {
        let key = fold_key(path);
        if let Some((other, other_is_dir)) = seen.get(&key) {
            if other != path {
                return Err(format!(
                    "case-insensitive file name collision: {} and {}",
                    crate::goquote::quote(other),
                    crate::goquote::quote(path)
                ));
            }
            if *other_is_dir != is_dir {
                return Err(format!(
                    "entry {} is both a file and a directory",
                    crate::goquote::quote(path)
                ));
            }
            if !is_dir {
                return Err(format!(
                    "multiple entries for file {}",
                    crate::goquote::quote(path)
                ));
            }
        } else {
            seen.insert(key, (path.to_string(), is_dir));
        }
        match path.rfind('/') {
            Some(i) => (path, is_dir) = (&path[..i], true),
            None => return Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str) -> Candidate<'_> {
        Candidate {
            path,
            kind: EntryKind::Regular,
            size: 1,
            root_go_mod: None,
        }
    }

    #[test]
    fn nested_modules_vendor_and_links_are_left_out() {
        let mut link = file("link");
        link.kind = EntryKind::Symlink;
        let files = vec![
            file("go.mod"),
            file("a.go"),
            file("sub/go.mod"),
            file("sub/x.go"),
            file("vendor/modules.txt"),
            file("vendor/example.com/p/p.go"),
            file("pkg/vendor/v.go"),
            file(".hg_archival.txt"),
            link,
        ];
        // Without a go directive (older than 1.24) vendor/modules.txt stays, and the
        // old offset rule (len("/vendor/") from the start) drops pkg/vendor/v.go.
        assert_eq!(plan(files).unwrap(), vec![0, 1, 4]);
    }

    #[test]
    fn go_1_24_drops_modules_txt_and_fixes_nested_vendor() {
        let mut root = file("go.mod");
        root.root_go_mod = Some(b"module m\n\ngo 1.24\n".to_vec());
        let files = vec![root, file("vendor/modules.txt"), file("pkg/vendor/v.go")];
        assert_eq!(plan(files).unwrap(), vec![0, 2]);
    }

    #[test]
    fn invalid_files_fail_with_go_s_text() {
        let err = plan(vec![
            file("a/../b"),
            file("A.go"),
            file("a.go"),
            file("GO.MOD"),
        ])
        .unwrap_err();
        assert_eq!(
            err,
            "a/../b: file path is not clean\na.go: case-insensitive file name collision: \"A.go\" and \"a.go\"\nGO.MOD: go.mod files must have lowercase names"
        );
    }
}
