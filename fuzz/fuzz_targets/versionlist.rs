//! `@v/list` parsing: `versionlist::ListParser` (Go's `Versions` filter, the query's
//! choice and `latestFromList`, parsed piece by piece in bounded memory).
//!
//! Layout: `<query> 0xFF <cuts> 0xFF <list bytes>`: the query (as `gomod-fetch` takes
//! one, e.g. `latest`, `>=v1.2.0`, `v1`), then bytes giving the sizes of the pieces the
//! list is fed in, then the list.
//!
//! Asserts: no panic; the pieces give the same result as the whole; the versions are
//! valid, canonical in order (Go's `semver.Sort`), without duplicates or
//! pseudo-versions, all with the prefix, at most `MAX_KEPT_VERSIONS`; when nothing was
//! cut they are exactly what a line-by-line model of Go's filter keeps, and the choice
//! is `Matcher::choose` over them; the choice is always a listed version the matcher
//! allows.
#![no_main]

use gomod_common::query::{self, Plan};
use gomod_common::versionlist::{ListParser, MAX_KEPT_VERSIONS};
use gomod_common::{modpath, semver};
use gomod_fuzz::{fields, text};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let [query_bytes, cuts, list] = fields::<3>(data);
    let matcher = match query::plan(&text(query_bytes), "example.com/m") {
        Ok(Plan::List(m)) => Some(m),
        _ => None,
    };
    let prefix = matcher.as_ref().map_or(String::new(), |m| m.prefix.clone());
    let whole = ListParser::parse(&prefix, matcher.as_ref(), list);

    let mut parser = ListParser::new(&prefix, matcher.as_ref());
    let mut rest = list;
    for &cut in cuts.iter().cycle().take(list.len()) {
        if rest.is_empty() {
            break;
        }
        let n = (usize::from(cut) % 7 + 1).min(rest.len());
        parser.feed(&rest[..n]);
        rest = &rest[n..];
    }
    parser.feed(rest);
    assert_eq!(parser.finish(), whole, "pieces differ from the whole");

    assert!(whole.versions.len() <= MAX_KEPT_VERSIONS);
    for pair in whole.versions.windows(2) {
        let order = semver::compare(&pair[0], &pair[1]).then_with(|| pair[0].cmp(&pair[1]));
        assert_eq!(order, std::cmp::Ordering::Less, "{pair:?}");
    }
    for v in &whole.versions {
        assert!(semver::is_valid(v) && v.starts_with(&prefix), "{v}");
        assert!(!modpath::is_pseudo_version(v), "{v}");
    }
    if !whole.cut {
        // Go's filter, line by line (only the looked-at start of long lines counts).
        let mut model: Vec<String> = list
            .split(|&b| b == b'\n')
            .filter_map(|line| {
                let line = &line[..line.len().min(gomod_common::versionlist::MAX_LINE_BYTES)];
                String::from_utf8_lossy(line)
                    .split_whitespace()
                    .next()
                    .map(str::to_string)
            })
            .filter(|v| {
                semver::is_valid(v) && v.starts_with(&prefix) && !modpath::is_pseudo_version(v)
            })
            .collect();
        semver::sort(&mut model);
        model.dedup();
        assert_eq!(whole.versions, model);
        if let Some(m) = &matcher {
            assert_eq!(whole.chosen, m.choose(&whole.versions));
        }
    }
    if let (Some(chosen), Some(m)) = (&whole.chosen, &matcher) {
        assert!(m.allows_latest(chosen), "{chosen}");
        assert!(semver::is_valid(chosen) && !modpath::is_pseudo_version(chosen));
    }
    if let Some(latest) = &whole.latest {
        assert!(semver::is_valid(latest), "{latest}");
    }
});
