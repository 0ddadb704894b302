//! Glob lists: `pattern::match_prefix_patterns`, `matching_pattern`, `path_match`
//! (`<globs> 0xFF <target>`).
//!
//! Asserts: no panic; the two list functions agree and the glob returned is one of
//! the list's items; a glob free of metacharacters matches only itself (`path.Match`
//! compares literally); a target free of metacharacters and commas, used as its own
//! glob list, matches itself (`module.MatchPrefixPatterns`).
#![no_main]

use gomod_common::pattern;
use gomod_fuzz::text_fields;
use libfuzzer_sys::fuzz_target;

const META: &[char] = &['*', '?', '[', '\\'];

fuzz_target!(|data: &[u8]| {
    let [globs, target] = text_fields::<2>(data);
    let matched = pattern::match_prefix_patterns(&globs, &target);
    let which = pattern::matching_pattern(&globs, &target);
    assert_eq!(matched, which.is_some());
    if let Some(glob) = which {
        assert!(globs.split(',').any(|g| g == glob));
    }
    for glob in globs.split(',') {
        let result = pattern::path_match(glob, &target);
        if !glob.contains(META) {
            assert_eq!(result, Ok(glob == target), "{glob:?} vs {target:?}");
        }
    }
    let _ = pattern::path_match(&globs, &target);
    if !target.contains(META) && !target.contains(',') && !matches!(target.as_str(), "" | "/") {
        assert!(
            pattern::match_prefix_patterns(&target, &target),
            "{target:?}"
        );
    }
});
