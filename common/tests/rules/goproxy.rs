//! goproxy-list.json: `proxyList` parsing and `TryProxies` fall-through and ranking.

use gomod_common::route::{
    ERR_NOPROXY, ERR_PROXY_OFF, ERR_USE_PROXY, EntrySpec, ErrorRanking, parse_goproxy,
};
use serde_json::Value;

use crate::fixture;

const GO: &str = "go1.27.3";

/// The error Go's layers produce for an abstract outcome of the generator, with
/// whether it is "not found" and whether it is `errUseProxy` (see the generator's
/// `simulatedError`). `None` means success.
fn simulated(outcome: &str, entry: &str) -> Option<(String, bool, bool)> {
    let url = format!("{}/example.com/m/@v/list", entry.trim_end_matches('/'));
    let host = gomod_common::gourl::parse(entry)
        .ok()
        .map(|u| u.hostname().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "192.0.2.1".to_string());
    Some(match outcome {
        "ok" | "noproxy-match-ok" => return None,
        "404" => (format!("reading {url}: 404 Not Found"), true, false),
        "410" => (format!("reading {url}: 410 Gone"), true, false),
        "500" => (
            format!("reading {url}: 500 Internal Server Error"),
            false,
            false,
        ),
        "refused" => (
            format!("Get {url:?}: dial tcp 192.0.2.1:443: connect: connection refused"),
            false,
            false,
        ),
        "timeout" => (
            format!("Get {url:?}: dial tcp 192.0.2.1:443: i/o timeout"),
            false,
            false,
        ),
        "dns" => (
            format!("Get {url:?}: dial tcp: lookup {host} on 127.0.0.53:53: no such host"),
            false,
            false,
        ),
        "tls" => (
            format!("Get {url:?}: x509: certificate signed by unknown authority"),
            false,
            false,
        ),
        "direct-err" | "noproxy-match-err" => (
            "git ls-remote -q origin in /gomodcache/cache/vcs/abc: exit status 128".to_string(),
            false,
            false,
        ),
        "direct-notexist" | "noproxy-match-notexist" => (
            "unrecognized import path \"example.com/m\": https fetch: 404".to_string(),
            true,
            false,
        ),
        "noproxy-nomatch" => (ERR_USE_PROXY.to_string(), true, true),
        "noproxy-disabled" => (ERR_NOPROXY.to_string(), true, false),
        "off" => (ERR_PROXY_OFF.to_string(), true, false),
        other => panic!("unknown outcome {other}"),
    })
}

#[test]
fn goproxy_list_vectors() {
    let cases: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(fixture("goproxy-list.json")).unwrap())
            .unwrap();
    let mut failures = Vec::new();
    for case in &cases {
        let id = case["id"].as_str().unwrap();
        let want = &case["results"][GO];
        let parsed = parse_goproxy(
            case["GOPROXY"].as_str().unwrap(),
            case["GONOPROXY"].as_str().unwrap(),
        );
        let (got_list, got_error) = match &parsed {
            Ok(list) => (
                list.iter().map(|e| serde_json::json!({"url": e.spec.as_str(), "fallBackOnError": e.fall_back_on_error})).collect::<Vec<_>>(),
                Value::Null,
            ),
            Err(e) => (Vec::new(), Value::String(e.go_text.clone())),
        };
        // With an error Go also returns the entries parsed so far (parse38: `noproxy`),
        // but nothing ever uses a list that came with an error: compare the error only.
        let want_list = if want["error"].is_null() {
            want["list"].as_array().cloned().unwrap_or_default()
        } else {
            Vec::new()
        };
        if got_list != want_list || got_error != want["error"] {
            failures.push(format!(
                "{id}: parse got {got_list:?} / {got_error}, want {want_list:?} / {}",
                want["error"]
            ));
            continue;
        }
        if case["kind"] != "try" {
            continue;
        }
        let list = parsed.unwrap();
        let outcomes: Vec<&str> = case["outcomes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o.as_str().unwrap())
            .collect();
        let mut ranking = ErrorRanking::new();
        let mut called = Vec::new();
        let mut succeeded = false;
        for (entry, outcome) in list.iter().zip(&outcomes) {
            called.push(entry.spec.as_str().to_string());
            match simulated(outcome, entry.spec.as_str()) {
                None => {
                    succeeded = true;
                    break;
                }
                Some((text, not_found, use_proxy)) => {
                    let go_on = ranking.failed(
                        entry,
                        (text, not_found),
                        not_found,
                        use_proxy && entry.spec == EntrySpec::Noproxy,
                    );
                    if !go_on {
                        break;
                    }
                }
            }
        }
        let (result, result_not_found) = if succeeded {
            (Value::Null, false)
        } else {
            match ranking.into_error() {
                Some((text, not_found)) => (Value::String(text), not_found),
                None => (Value::Null, false),
            }
        };
        let want_called: Vec<&str> = want["called"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap())
            .collect();
        if called != want_called
            || result != want["result"]
            || result_not_found != want["resultIsNotExist"].as_bool().unwrap()
        {
            failures.push(format!(
                "{id}: try got {called:?} {result} notexist={result_not_found}, want {want_called:?} {} notexist={}",
                want["result"], want["resultIsNotExist"]
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} goproxy-list cases differ:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
    assert_eq!(cases.len(), 62, "every vector case was checked");
}
