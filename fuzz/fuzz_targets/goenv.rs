//! The go env file: `goenv::parse_env_file`.
//!
//! Asserts: no panic; every key starts with an ASCII upper-case letter and holds no
//! `=` or newline, no value holds a newline; and against a model of Go's reader
//! (split at `\n` only, lines starting with `A`-`Z` that contain `=`, split at the
//! first `=`, nothing trimmed): each key's value is the one on the last line defining
//! it, and there are no other keys.
#![no_main]

use std::collections::HashSet;

use gomod_common::goenv;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let entries = goenv::parse_env_file(data);
    for (key, value) in &entries {
        assert!(key.as_bytes()[0].is_ascii_uppercase(), "key {key:?}");
        assert!(!key.contains(['=', '\n']) && !value.contains('\n'));
    }
    let mut seen = HashSet::new();
    for line in data.split(|&b| b == b'\n').rev() {
        let Some(eq) = line.iter().position(|&b| b == b'=') else {
            continue;
        };
        if !line[0].is_ascii_uppercase() {
            continue;
        }
        let key = String::from_utf8_lossy(&line[..eq]).into_owned();
        let value = String::from_utf8_lossy(&line[eq + 1..]);
        if seen.insert(key.clone()) {
            assert_eq!(entries.get(&key).map(String::as_str), Some(value.as_ref()));
        }
    }
    assert_eq!(seen.len(), entries.len());
});
