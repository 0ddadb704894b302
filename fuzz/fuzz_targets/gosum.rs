//! go.sum: `gosum::parse`.
//!
//! Asserts: no panic; every kept line has three non-empty fields without white space,
//! line numbers increase and lie inside the file; an error names a line inside the
//! file with a field count other than 0 and 3.
#![no_main]

use gomod_common::gosum;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let lines = data.iter().filter(|&&b| b == b'\n').count() + 1;
    match gosum::parse("go.sum", data) {
        Ok(entries) => {
            let mut last = 0;
            for e in &entries {
                assert!(e.line > last && e.line <= lines);
                last = e.line;
                for field in [&e.path, &e.version, &e.hash] {
                    assert!(!field.is_empty() && !field.contains(char::is_whitespace));
                }
                let _ = (e.module_version(), e.hash_algorithm(), e.is_h1());
                assert_eq!(e.is_go_mod_entry(), e.version.ends_with("/go.mod"));
            }
        }
        Err(e) => {
            assert!(e.line >= 1 && e.line <= lines);
            assert!(e.fields != 0 && e.fields != 3);
            let _ = e.to_string();
        }
    }
});
