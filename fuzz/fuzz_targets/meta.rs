//! go-import meta tags: `discovery::parse_meta_go_imports` in both modes and
//! `match_go_import` (`<import path> 0xFF <HTML body>`; the body keeps any further
//! 0xFF bytes).
//!
//! Asserts: no panic; both modes fail or succeed together (the mode only filters);
//! every tag has non-empty fields without white space; `IgnoreMod` drops `mod` tags
//! and `PreferMod` puts them first; a matched tag's prefix is a path prefix of the
//! import path (`str.HasPathPrefix`).
#![no_main]

use gomod_common::discovery::{self, MetaImport, ModMode};
use gomod_fuzz::{fields, text};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let [import_path, body] = fields::<2>(data);
    let import_path = text(import_path);
    let prefer = discovery::parse_meta_go_imports(body, ModMode::PreferMod);
    let ignore = discovery::parse_meta_go_imports(body, ModMode::IgnoreMod);
    let (prefer, ignore) = match (prefer, ignore) {
        (Ok(p), Ok(i)) => (p, i),
        (Err(p), Err(i)) => {
            assert_eq!(p, i);
            let _ = p.to_string();
            return;
        }
        (p, i) => panic!("PreferMod {p:?} but IgnoreMod {i:?}"),
    };
    assert!(ignore.iter().all(|m| m.vcs != "mod"));
    let first_other = prefer
        .iter()
        .position(|m| m.vcs != "mod")
        .unwrap_or(prefer.len());
    assert!(prefer[first_other..].iter().all(|m| m.vcs != "mod"));
    for list in [&prefer, &ignore] {
        for m in list.iter() {
            for field in [&m.prefix, &m.vcs, &m.repo_root]
                .into_iter()
                .chain(m.sub_dir.as_ref())
            {
                assert!(!field.is_empty() && !field.contains(char::is_whitespace));
            }
        }
        match discovery::match_go_import(list, &import_path) {
            Ok(m) => assert!(has_path_prefix(&import_path, &m.prefix)),
            Err(e) => {
                let _ = (e.to_string(), e.mismatch_list());
            }
        }
    }
    let _: &[MetaImport] = &ignore;
});

/// Go's `str.HasPathPrefix`.
fn has_path_prefix(s: &str, prefix: &str) -> bool {
    if s.len() == prefix.len() {
        return s == prefix;
    }
    if prefix.is_empty() {
        return true;
    }
    s.len() > prefix.len()
        && s.starts_with(prefix)
        && (prefix.ends_with('/') || s.as_bytes()[prefix.len()] == b'/')
}
