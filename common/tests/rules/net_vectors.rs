//! The shared vectors (produced by running Go's own code) against this crate.

use std::collections::BTreeMap;

use crate::fixture;
use gomod_common::gourl;
use gomod_common::net::httpproxy::ProxyConfig;
use gomod_common::net::netrc::{self, NetrcMode};
use serde_json::Value;

const NEWEST: &str = "go1.27.3";
const GO119: &str = "go1.19.8";

fn load(name: &str) -> Vec<Value> {
    let path = fixture(name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    match serde_json::from_str(&text) {
        Ok(Value::Array(cases)) => cases,
        other => panic!("{}: expected a JSON array, got {other:?}", path.display()),
    }
}

fn str_field<'a>(value: &'a Value, key: &str) -> &'a str {
    value[key]
        .as_str()
        .unwrap_or_else(|| panic!("missing string field {key:?} in {value}"))
}

/// Fails with every mismatch, each naming its case id.
fn report(file: &str, checked: usize, failures: &[String]) {
    assert!(
        failures.is_empty(),
        "{file}: {} of {checked} checks failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn httpproxy_vectors() {
    let cases = load("httpproxy.json");
    assert_eq!(cases.len(), 67, "httpproxy.json case count");
    let mut failures = Vec::new();
    for case in &cases {
        let id = str_field(case, "id");
        let env: BTreeMap<String, String> = case["env"]
            .as_object()
            .map(|vars| {
                vars.iter()
                    .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
                    .collect()
            })
            .unwrap_or_default();
        let config = ProxyConfig::from_env(|name| env.get(name).cloned());
        let url = match gourl::parse(str_field(case, "url")) {
            Ok(url) => url,
            Err(e) => {
                failures.push(format!("{id}: request URL does not parse: {e}"));
                continue;
            }
        };
        let want = &case["results"][NEWEST];
        let (got_proxy, got_error) = match config.proxy_for_url(&url) {
            Ok(choice) => (choice.map(|c| c.url.to_string()), None),
            Err(e) => (None, Some(e.to_string())),
        };
        let want_proxy = want["proxy"].as_str().map(str::to_owned);
        let want_error = want["error"].as_str().map(str::to_owned);
        if (&got_proxy, &got_error) != (&want_proxy, &want_error) {
            failures.push(format!(
                "{id}: got proxy {got_proxy:?} error {got_error:?}, want proxy {want_proxy:?} error {want_error:?}"
            ));
        }
    }
    report("httpproxy.json", cases.len(), &failures);
}

/// (entries as Go's JSON shows them, or null when there are none).
fn parsed_as_json(entries: &[netrc::NetrcEntry]) -> Value {
    if entries.is_empty() {
        return Value::Null;
    }
    entries
        .iter()
        .map(
            |e| serde_json::json!({"machine": e.machine, "login": e.login, "password": e.password}),
        )
        .collect()
}

#[test]
fn netrc_vectors() {
    let cases = load("netrc.json");
    assert_eq!(cases.len(), 27, "netrc.json case count");
    let mut failures = Vec::new();
    let mut checked = 0;
    for case in &cases {
        let id = str_field(case, "id");
        let entries = netrc::parse(str_field(case, "netrc"));
        for (version, mode) in [(NEWEST, NetrcMode::Newest), (GO119, NetrcMode::Go119)] {
            let want = &case["results"][version];
            checked += 1;
            let got_parsed = parsed_as_json(&entries);
            if got_parsed != want["parsed"] {
                failures.push(format!(
                    "{id} ({version}): parsed {got_parsed}, want {}",
                    want["parsed"]
                ));
            }
            let Some(urls) = case["urls"].as_array() else {
                failures.push(format!("{id}: no urls"));
                continue;
            };
            for raw in urls.iter().filter_map(Value::as_str) {
                checked += 1;
                let got = gourl::parse(raw).ok().and_then(|url| {
                    netrc::credentials_for(&entries, &url, mode)
                        .map(|e| format!("{}:{}", e.login, e.password))
                });
                let want = want["credentials"][raw].as_str().map(str::to_owned);
                if got != want {
                    failures.push(format!(
                        "{id} ({version}) {raw}: got {got:?}, want {want:?}"
                    ));
                }
            }
        }
    }
    report("netrc.json", checked, &failures);
}
