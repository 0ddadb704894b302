//! netrc: `netrc::parse`, then `credentials_for` in both modes with a URL taken from
//! the input (`<url> 0xFF <netrc text>`).
//!
//! Asserts: no panic; every entry has a non-empty machine, login and password without
//! white space; a chosen entry is one of the parsed entries and is only given to
//! `https` URLs; in go1.19 mode its machine equals the request's host name.
#![no_main]

use gomod_common::gourl;
use gomod_common::net::netrc::{self, NetrcMode};
use gomod_fuzz::text_fields;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let [url, text] = text_fields::<2>(data);
    let entries = netrc::parse(&text);
    for e in &entries {
        for field in [&e.machine, &e.login, &e.password] {
            assert!(!field.is_empty() && !field.contains(char::is_whitespace));
        }
    }
    let Ok(url) = gourl::parse(&url) else {
        return;
    };
    for mode in [NetrcMode::Newest, NetrcMode::Go119] {
        let Some(chosen) = netrc::credentials_for(&entries, &url, mode) else {
            continue;
        };
        assert!(entries.iter().any(|e| std::ptr::eq(e, chosen)));
        let request = gourl::parse(&url.to_string()).expect("a URL Go sends re-parses");
        assert_eq!(request.scheme, "https");
        if mode == NetrcMode::Go119 {
            assert_eq!(chosen.machine, request.hostname());
        }
    }
});
