//! nsswitch.conf: `net::dns::nsswitch::parse_nsswitch`, `NssConf::host_lookup_order`
//! and `host_lookup_order` (the whole input is the file).
//!
//! Asserts (Go's `parseNSSConf` and, without cgo, `(*conf).lookupOrder`): no panic;
//! - database names are trimmed and hold no `:` or `#`; sources are non-empty and
//!   hold no space or `#`; criteria are lower case, `status=action` with no `=` in
//!   the status and at least three bytes in all;
//! - the order is one of the four values, printed as Go names it; `files,dns` for
//!   a file with an error, without `hosts` sources, or with none at all;
//!   otherwise it follows Go's source loop (re-stated below in Go's own form: an
//!   unknown source counts as `dns` unless `dns` appears later in the line);
//! - a comment line in front of the text changes nothing.
#![no_main]

use gomod_common::net::dns::conf::ResolvConf;
use gomod_common::net::dns::nsswitch::{
    HostLookupOrder, NssConf, NssSource, host_lookup_order, parse_nsswitch,
};
use gomod_fuzz::text;
use libfuzzer_sys::fuzz_target;

const SPACE: [char; 4] = [' ', '\t', '\r', '\n'];

fuzz_target!(|data: &[u8]| {
    let text = text(data);
    let conf = parse_nsswitch(&text);
    let order = conf.host_lookup_order();
    assert!(
        ["files,dns", "dns,files", "files", "dns"].contains(&order.to_string().as_str()),
        "{order}"
    );
    assert_eq!(
        host_lookup_order(Some(&text), "example.com", &ResolvConf::parse("", "")),
        order
    );
    assert_eq!(parse_nsswitch(&format!("# x\n{text}")), conf);

    check_syntax(&conf);
    let want = match (&conf.err, conf.sources.get("hosts")) {
        (None, Some(sources)) => go_lookup_order(sources),
        _ => HostLookupOrder::FilesDns,
    };
    assert_eq!(order, want, "{conf:?}");
});

fn check_syntax(conf: &NssConf) {
    for (database, sources) in &conf.sources {
        assert_eq!(database.trim_matches(SPACE), database);
        assert!(!database.contains([':', '#']), "{database:?}");
        assert!(!sources.is_empty());
        for src in sources {
            assert!(!src.source.is_empty());
            assert!(!src.source.contains([' ', '#']), "{:?}", src.source);
            assert!(!src.source.starts_with(SPACE), "{:?}", src.source);
            for c in &src.criteria {
                for part in [&c.status, &c.action] {
                    assert_eq!(*part, part.to_ascii_lowercase());
                    assert!(!part.contains([' ', ']', '#']), "{part:?}");
                }
                assert!(!c.status.contains('='));
                assert!(c.status.len() + 1 + c.action.len() >= 3, "{c:?}");
            }
        }
    }
}

/// The source loop of Go's `lookupOrder` when cgo cannot be used.
fn go_lookup_order(srcs: &[NssSource]) -> HostLookupOrder {
    let (mut files_source, mut dns_source) = (false, false);
    let mut has_dns_source = false;
    let mut has_dns_source_checked = false;
    let mut first = "";
    for (i, src) in srcs.iter().enumerate() {
        if src.source == "files" || src.source == "dns" {
            if src.source == "files" {
                files_source = true;
            } else {
                has_dns_source = true;
                has_dns_source_checked = true;
                dns_source = true;
            }
            if first.is_empty() {
                first = &src.source;
            }
            continue;
        }
        if !has_dns_source_checked {
            has_dns_source_checked = true;
            has_dns_source = srcs[i + 1..].iter().any(|v| v.source == "dns");
        }
        if !has_dns_source {
            dns_source = true;
            if first.is_empty() {
                first = "dns";
            }
        }
    }
    match (files_source, dns_source) {
        (true, true) if first == "files" => HostLookupOrder::FilesDns,
        (true, true) => HostLookupOrder::DnsFiles,
        (true, false) => HostLookupOrder::Files,
        (false, true) => HostLookupOrder::Dns,
        (false, false) => HostLookupOrder::FilesDns,
    }
}
