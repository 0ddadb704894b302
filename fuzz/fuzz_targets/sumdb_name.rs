//! GOSUMDB names as directory names: `route::check_sumdb_name`, next to
//! `route::parse_gosumdb` (the go command's own check).
//!
//! Layout: the name, as text.
//!
//! Asserts: no panic; a name that passes never leaves the directory it is joined to
//! (resolving its elements lexically, as the file system does, never climbs above the
//! base), and has no empty, `.` or `..` element; a name with a `..` element never
//! passes; for a GOSUMDB built from the name, whatever `parse_gosumdb` accepts and
//! `check_sumdb_name` passes stays inside too.
#![no_main]

use gomod_common::route;
use gomod_common::sumdb::note::Signer;
use gomod_fuzz::text;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let name = text(data);
    let verdict = route::check_sumdb_name(&name);
    let elements: Vec<&str> = name.split('/').collect();
    if elements.iter().any(|e| *e == "..") {
        assert!(verdict.is_err(), "{name:?} passed");
    }
    if verdict.is_ok() {
        assert!(stays_inside(&name), "{name:?} climbs out");
        assert!(
            elements
                .iter()
                .all(|e| !e.is_empty() && *e != "." && *e != ".."),
            "{name:?}"
        );
    }
    // As the go command would take it from GOSUMDB.
    if let Ok(signer) = Signer::from_seed(&name, [3; 32]) {
        let gosumdb = signer.verifier().to_string();
        if let Ok(Some(spec)) = route::parse_gosumdb(&gosumdb)
            && route::check_sumdb_name(&spec.name).is_ok()
        {
            assert!(stays_inside(&spec.name), "{:?}", spec.name);
        }
    }
});

/// Whether `base/<name>/<file>` stays below `base` when `..` elements are resolved.
fn stays_inside(name: &str) -> bool {
    let mut depth: i64 = 0;
    for element in name.split('/') {
        match element {
            "" | "." => {}
            ".." => {
                depth -= 1;
                if depth < 0 {
                    return false;
                }
            }
            _ => depth += 1,
        }
    }
    depth > 0
}
