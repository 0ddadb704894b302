//! Module paths and versions: `modpath` checks, escaping, `split_path_version`,
//! `check`, pseudo-versions, and `semver` (`<a> 0xFF <b> 0xFF <c> 0xFF <d>`; every
//! single-string function gets each field, the pairwise ones `(a, b)`, and
//! `pseudo_version(a, b, c, d)`).
//!
//! Asserts (all guaranteed by x/mod's definitions):
//! - module path ⇒ import path ⇒ file path (each kind is stricter than the next);
//! - `escape_path` succeeds exactly for valid module paths and
//!   `unescape_path(escape_path(p)) == p`; `unescape_path(e) == p` ⇒ `escape_path(p) == e`;
//!   the same two round trips for versions;
//! - `split_path_version` returns a split of the path;
//! - `semver`: `canonical` is empty exactly for invalid versions, is idempotent and
//!   compares equal to the original; `compare` is reflexive and antisymmetric; `max`
//!   is one of the canonical forms; `major`/`prerelease`/`build` are slices of `v`;
//! - `check(path, v)` ⇒ valid path and valid semantic version;
//! - pseudo-versions are valid semantic versions; `pseudo_version` from a well-formed
//!   major, older version, 14-digit time and alphanumeric revision yields a
//!   pseudo-version whose revision, time and base (`canonical(older)+build(older)`)
//!   read back.
#![no_main]

use std::cmp::Ordering;

use gomod_common::{modpath, semver};
use gomod_fuzz::text_fields;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let [a, b, c, d] = text_fields::<4>(data);
    for s in [&a, &b, &c, &d] {
        single(s);
    }
    pair(&a, &b);
    pseudo(&a, &b, &c, &d);
});

fn single(s: &str) {
    let module = modpath::check_path(s);
    let import = modpath::check_import_path(s);
    let file = modpath::check_file_path(s);
    if module.is_ok() {
        assert!(
            import.is_ok(),
            "module path {s:?} is not an import path: {import:?}"
        );
    }
    if import.is_ok() {
        assert!(
            file.is_ok(),
            "import path {s:?} is not a file path: {file:?}"
        );
    }
    for e in [&module, &import, &file]
        .into_iter()
        .filter_map(|r| r.as_ref().err())
    {
        let _ = (e.to_string(), e.kind(), e.path(), e.reason());
    }

    match modpath::escape_path(s) {
        Ok(escaped) => {
            assert!(module.is_ok());
            assert_eq!(modpath::unescape_path(&escaped).as_deref(), Ok(s));
        }
        Err(_) => assert!(module.is_err()),
    }
    if let Ok(path) = modpath::unescape_path(s) {
        assert_eq!(modpath::escape_path(&path).as_deref(), Ok(s));
    }
    if let Ok(escaped) = modpath::escape_version(s) {
        assert_eq!(modpath::unescape_version(&escaped).as_deref(), Ok(s));
    }
    if let Ok(version) = modpath::unescape_version(s) {
        assert_eq!(modpath::escape_version(&version).as_deref(), Ok(s));
    }

    if let Some((prefix, major)) = modpath::split_path_version(s) {
        assert_eq!(format!("{prefix}{major}"), s);
    }

    let valid = semver::is_valid(s);
    let canonical = semver::canonical(s);
    assert_eq!(canonical.is_empty(), !valid, "{s:?}");
    if valid {
        assert!(semver::is_valid(&canonical));
        assert_eq!(semver::canonical(&canonical), canonical);
        assert_eq!(semver::compare(s, &canonical), Ordering::Equal);
        for part in [semver::major(s), semver::prerelease(s), semver::build(s)] {
            assert!(s.contains(part));
        }
        assert!(s.starts_with(semver::major(s)));
        assert!(s.ends_with(semver::build(s)));
    }
    assert_eq!(semver::compare(s, s), Ordering::Equal);
    let _ = (semver::major_minor(s), modpath::canonical_version(s));

    let pseudo = modpath::is_pseudo_version(s);
    if pseudo {
        assert!(valid);
        assert!(modpath::pseudo_version_rev(s).is_ok());
    }
    let _ = modpath::is_zero_pseudo_version(s);
    let base = modpath::pseudo_version_base(s);
    let time = modpath::pseudo_version_time(s);
    if !pseudo {
        assert!(base.is_err() && time.is_err());
    }
}

fn pair(a: &str, b: &str) {
    let ab = semver::compare(a, b);
    assert_eq!(ab, semver::compare(b, a).reverse(), "{a:?} {b:?}");
    let max = semver::max(a, b);
    assert!(max == semver::canonical(a) || max == semver::canonical(b));
    let mut list = vec![a.to_owned(), b.to_owned()];
    semver::sort(&mut list);
    assert_ne!(semver::compare(&list[0], &list[1]), Ordering::Greater);

    if modpath::check(a, b).is_ok() {
        assert!(modpath::check_path(a).is_ok() && semver::is_valid(b));
    }
    let _ = modpath::check_path_major(a, b);
    let _ = modpath::match_path_major(a, b);
}

fn pseudo(major: &str, older: &str, time: &str, rev: &str) {
    let Some(pv) = modpath::pseudo_version(major, older, time, rev) else {
        return;
    };
    let well_formed = (major.is_empty()
        || (semver::is_valid(major) && semver::major(major) == major))
        && (older.is_empty() || semver::is_valid(older))
        && time.len() == 14
        && time.bytes().all(|b| b.is_ascii_digit())
        && !rev.is_empty()
        && rev.bytes().all(|b| b.is_ascii_alphanumeric());
    if !well_formed {
        return;
    }
    assert!(modpath::is_pseudo_version(&pv), "{pv:?}");
    assert_eq!(modpath::pseudo_version_rev(&pv).as_deref(), Ok(rev));
    assert!(modpath::pseudo_version_time(&pv).is_ok(), "{pv:?}");
    let base = if older.is_empty() {
        String::new()
    } else {
        semver::canonical(older) + semver::build(older)
    };
    assert_eq!(
        modpath::pseudo_version_base(&pv).as_deref(),
        Ok(base.as_str()),
        "{pv:?}"
    );
}
