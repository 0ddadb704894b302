//! JSON-lines input: `input::parse_line`.
//!
//! Asserts: no panic; non-UTF-8 is `Invalid`; blank lines and `#` comments are
//! skipped; a line starting with `{` is a `Record` exactly when it is a JSON object,
//! else `Invalid`; anything else is a `Target` holding the trimmed text.
#![no_main]

use gomod_common::input::{self, InputItem, Origin};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let item = input::parse_line(&Origin::Stdin, 1, data);
    let Ok(text) = std::str::from_utf8(data) else {
        assert!(matches!(item, Some(InputItem::Invalid { .. })));
        return;
    };
    let text = text.trim();
    match item {
        None => assert!(text.is_empty() || text.starts_with('#')),
        Some(InputItem::Target {
            text: t,
            line,
            origin,
        }) => {
            assert_eq!(t, text);
            assert!(!t.is_empty() && !t.starts_with(['#', '{']));
            assert_eq!((line, origin), (1, Origin::Stdin));
        }
        Some(InputItem::Record { value, .. }) => {
            assert!(text.starts_with('{'));
            let reparsed: serde_json::Value = serde_json::from_str(text).unwrap();
            assert_eq!(reparsed, serde_json::Value::Object(value));
        }
        Some(InputItem::Invalid { text: t, .. }) => {
            assert!(text.starts_with('{'));
            assert_eq!(t, text);
            assert!(!matches!(
                serde_json::from_str::<serde_json::Value>(text),
                Ok(serde_json::Value::Object(_))
            ));
        }
        Some(InputItem::Ready(_)) => panic!("parse_line made a record"),
    }
});
