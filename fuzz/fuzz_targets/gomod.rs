//! go.mod: `modfile::parse` (strict) and `parse_lax`, then `effective_requirements`.
//!
//! Asserts, for both modes: no panic; positions lie inside the file; every
//! `require`/`exclude`/`replace` version is canonical (x/mod's `parseVersion` with a
//! nil fixer stores `module.CanonicalVersion`); `effective_requirements` keeps one
//! entry per `require`, in order; and a lax parse interprets no `exclude`/`replace`.
#![no_main]

use gomod_common::modfile::{self, ModFile, ParseErrors};
use gomod_common::modpath;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let lines = data.iter().filter(|&&b| b == b'\n').count() + 1;
    check(modfile::parse("go.mod", data), lines, false);
    check(modfile::parse_lax("go.mod", data), lines, true);
});

fn check(result: Result<ModFile, ParseErrors>, lines: usize, lax: bool) {
    let file = match result {
        Ok(file) => file,
        Err(errors) => {
            assert!(!errors.0.is_empty(), "an error list without errors");
            for e in &errors.0 {
                assert!(e.line <= lines, "error line {} of {lines}", e.line);
                let _ = e.to_string();
            }
            return;
        }
    };
    let canonical = |v: &str| assert_eq!(modpath::canonical_version(v), v, "stored version");
    for r in &file.requires {
        canonical(&r.version);
        assert!((1..=lines).contains(&r.line));
    }
    for x in &file.excludes {
        canonical(&x.version);
    }
    for r in &file.replaces {
        r.old_version.as_deref().map(canonical);
        r.new_version.as_deref().map(canonical);
    }
    if lax {
        assert!(file.excludes.is_empty() && file.replaces.is_empty());
    }
    let effective = file.effective_requirements();
    assert_eq!(effective.len(), file.requires.len());
    for (e, r) in effective.iter().zip(&file.requires) {
        assert_eq!(&e.require, r);
        if let Some(rep) = &e.replacement {
            assert_eq!(rep.old_path, r.path);
        }
    }
    let _ = file.check_replaces().map_err(|e| e.to_string());
}
