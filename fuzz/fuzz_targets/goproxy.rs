//! GOPROXY: `route::parse_goproxy` and `route::plan` (`<GOPROXY> 0xFF <GONOPROXY>
//! 0xFF <module path>`), plus `proxy_request_url` for each proxy entry.
//!
//! Asserts: no panic; `plan` succeeds exactly when `parse_goproxy` does and walks the
//! same entries; the implicit `noproxy` entry comes first exactly when GONOPROXY is
//! non-empty and GOPROXY is not `direct`; `off` and `direct` end the list; only the
//! last planned entry is marked last; a path matching GONOPROXY is never sent to a
//! proxy URL.
#![no_main]

use gomod_common::pattern;
use gomod_common::route::{self, EntrySpec, Lookup};
use gomod_fuzz::text_fields;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let [goproxy, gonoproxy, path] = text_fields::<3>(data);
    let parsed = route::parse_goproxy(&goproxy, &gonoproxy);
    let planned = route::plan(&goproxy, &gonoproxy, &path);
    let (entries, plan) = match (parsed, planned) {
        (Ok(entries), Ok(plan)) => (entries, plan),
        (Err(a), Err(b)) => {
            assert_eq!(a, b);
            return;
        }
        (a, b) => panic!("parse_goproxy {a:?} but plan {b:?}"),
    };
    let noproxy_first = !gonoproxy.is_empty() && goproxy != "direct";
    assert_eq!(
        entries.first().map(|e| &e.spec) == Some(&EntrySpec::Noproxy),
        noproxy_first
    );
    for (i, e) in entries.iter().enumerate() {
        if matches!(e.spec, EntrySpec::Off | EntrySpec::Direct) {
            assert_eq!(i + 1, entries.len(), "an entry after off/direct");
        }
        if i > 0 {
            assert_ne!(e.spec, EntrySpec::Noproxy);
        }
        if let EntrySpec::Url(url) = &e.spec {
            assert!(!url.is_empty());
            let _ = route::proxy_request_url(url, &path, "@v/list");
        }
    }
    assert_eq!(plan.len(), entries.len());
    let private = pattern::match_prefix_patterns(&gonoproxy, &path);
    for (i, p) in plan.iter().enumerate() {
        assert_eq!(p.entry, entries[i]);
        assert_eq!(p.is_last, i + 1 == plan.len());
        let _ = p.fallback();
        if private {
            assert!(!matches!(p.lookup, Lookup::Proxy(_)));
        }
    }
    let _ = route::sumdb_use(&path, "sum.golang.org", &gonoproxy, &goproxy);
});
