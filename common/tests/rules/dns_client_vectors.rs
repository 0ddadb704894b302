//! Go's `dnserrors` vectors (go1.27.3): the generator's fake server and Go's resolver
//! defaults (one server, 2 attempts), with the 5 s timeout shortened.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::dns_support::{conf, resolver, start};
use crate::fixture;
use gomod_common::net::dns::addrselect::sort_by_rfc6724;
use gomod_testsupport::dns::dnserrors_handler;
use serde_json::Value;

const GO: &str = "go1.27.3";
/// The resolver's timeout, in place of Go's 5 s: Go's elapsed times count in units of
/// it. Long enough that a lookup Go answers at once is answered well within one unit on
/// a loaded machine.
const TIMEOUT: Duration = Duration::from_secs(2);

/// Go's placeholders: the configured server, as the error names it, is
/// `NAMESERVER:53` (Go's generator sent its queries elsewhere); loopback ports are
/// `PORT`.
fn scrub(text: &str, server: &str) -> String {
    let text = text.replace(&format!(" on {server}: "), " on NAMESERVER:53: ");
    let mut out = String::new();
    let mut rest = text.as_str();
    while let Some(i) = rest.find("127.0.0.1:") {
        out.push_str(&rest[..i + 10]);
        rest = &rest[i + 10..];
        let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        if digits > 0 {
            out.push_str("PORT");
        }
        rest = &rest[digits..];
    }
    out.push_str(rest);
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn dnserrors_vectors_match_go() {
    let cases: Value =
        serde_json::from_str(&std::fs::read_to_string(fixture("dnserrors.json")).unwrap()).unwrap();
    let cases = cases.as_array().unwrap();
    assert_eq!(cases.len(), 13);
    let server = start(dnserrors_handler());
    let addr = server.addr().to_string();
    let go_resolver = Arc::new(resolver(conf(&[server.addr()], TIMEOUT)));
    // Independent lookups, run together: three of them wait for timeouts.
    let runs: Vec<_> = cases
        .iter()
        .map(|case| {
            let go_resolver = go_resolver.clone();
            let name = case["name"].as_str().unwrap().to_string();
            tokio::spawn(async move {
                let started = Instant::now();
                let result = go_resolver.lookup_ip(&name).await;
                (result, started.elapsed())
            })
        })
        .collect();
    let mut checked = 0;
    for (case, run) in cases.iter().zip(runs) {
        let (result, elapsed) = run.await.unwrap();
        let id = case["id"].as_str().unwrap();
        let want = &case["results"][GO];
        // Go's elapsed seconds are in units of its 5 s timeout.
        let timeouts = want["lookupElapsedSeconds"].as_u64().unwrap() / 5;
        assert!(elapsed >= TIMEOUT * timeouts as u32, "{id}: {elapsed:?}");
        assert!(
            elapsed < TIMEOUT * (timeouts as u32 + 1),
            "{id}: {elapsed:?}"
        );
        match result {
            Ok(mut found) => {
                sort_by_rfc6724(&mut found.addrs);
                let got: Vec<String> = found.addrs.iter().map(ToString::to_string).collect();
                let want: Vec<String> = want["addrs"]
                    .as_array()
                    .unwrap_or_else(|| panic!("{id}: Go failed: {want}"))
                    .iter()
                    .map(|a| a.as_str().unwrap().to_string())
                    .collect();
                assert_eq!(got, want, "{id}");
            }
            Err(err) => {
                let go = &want["dnsError"];
                assert_eq!(
                    scrub(&err.to_string(), &addr),
                    want["lookupHostError"],
                    "{id}"
                );
                assert_eq!(scrub(err.err(), &addr), go["Err"], "{id}");
                assert_eq!(err.name, go["Name"], "{id}");
                assert_eq!(err.server.as_deref(), Some(addr.as_str()), "{id}");
                assert_eq!(go["Server"], "NAMESERVER:53", "{id}");
                assert_eq!(err.is_not_found, go["IsNotFound"], "{id}");
                assert_eq!(err.is_timeout, go["IsTimeout"], "{id}");
                assert_eq!(err.is_temporary, go["IsTemporary"], "{id}");
            }
        }
        checked += 1;
    }
    assert_eq!(checked, 13);
}
