//! resolvconf.json: every parsed field and every search-list expansion of every
//! case must match what go1.27.3's `dnsReadConfig` / `nameList` produced.

use crate::fixture;

use std::net::IpAddr;
use std::time::Duration;

use gomod_common::net::dns::conf::ResolvConf;
use serde_json::Value;

const GO_VERSION: &str = "go1.27.3";

/// Go's `time.Duration.String` for whole seconds.
fn go_duration(d: Duration) -> String {
    let secs = d.as_secs();
    match (secs / 3600, secs / 60 % 60, secs % 60) {
        (0, 0, s) => format!("{s}s"),
        (0, m, s) => format!("{m}m{s}s"),
        (h, m, s) => format!("{h}h{m}m{s}s"),
    }
}

/// A JSON list of strings; Go's nil slices are `null`.
fn strings(value: &Value) -> Vec<String> {
    match value {
        Value::Null => Vec::new(),
        Value::Array(items) => items
            .iter()
            .map(|item| item.as_str().expect("string item").to_string())
            .collect(),
        other => panic!("not a string list: {other}"),
    }
}

/// The socket address a Go server string (`ip:53`, `[ip%zone]:53`) must
/// correspond to, ignoring the zone (its scope id depends on the machine).
fn expected_socket(server: &str) -> Option<(IpAddr, u16)> {
    let (host, port) = server.rsplit_once(':')?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let host = host.split('%').next()?;
    let ip: IpAddr = host.parse().ok()?;
    let ip = match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    };
    Some((ip, port.parse().ok()?))
}

fn compare_config(
    conf: &ResolvConf,
    want: &serde_json::Map<String, Value>,
    diffs: &mut Vec<String>,
) {
    for (field, want) in want {
        let got: Value = match field.as_str() {
            "servers" => {
                for (addr, text) in conf.servers.iter().zip(&conf.server_strings) {
                    let got = (addr.ip(), addr.port());
                    if expected_socket(text) != Some(got) {
                        diffs.push(format!("servers: {addr} does not match {text}"));
                    }
                }
                if conf.servers.len() != conf.server_strings.len() {
                    diffs.push("servers and server_strings differ in length".to_string());
                }
                conf.server_strings.clone().into()
            }
            "search" => conf.search.clone().into(),
            "ndots" => conf.ndots.into(),
            "timeout" => go_duration(conf.timeout).into(),
            "attempts" => conf.attempts.into(),
            "rotate" => conf.rotate.into(),
            "singleRequest" => conf.single_request.into(),
            "useTCP" => conf.use_tcp.into(),
            "trustAD" => conf.trust_ad.into(),
            "noReload" => conf.no_reload.into(),
            "unknownOpt" => conf.unknown_opt.into(),
            "lookup" => conf.lookup.clone().into(),
            other => {
                diffs.push(format!("unchecked field {other}"));
                continue;
            }
        };
        let want = match want {
            Value::Null => Value::Array(Vec::new()),
            other => other.clone(),
        };
        if got != want {
            diffs.push(format!("{field}: got {got}, want {want}"));
        }
    }
}

#[test]
fn resolvconf_vectors() {
    let path = fixture("resolvconf.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let cases: Vec<Value> = serde_json::from_str(&text).expect("resolvconf.json");
    let (mut fields, mut lists) = (0, 0);
    let mut failures = Vec::new();
    for case in &cases {
        let id = case["id"].as_str().expect("id");
        let result = &case["results"][GO_VERSION];
        let conf = ResolvConf::parse(
            case["conf"].as_str().expect("conf"),
            case["hostname"].as_str().expect("hostname"),
        );
        let mut diffs = Vec::new();
        let want = result["config"].as_object().expect("config");
        fields += want.len();
        compare_config(&conf, want, &mut diffs);
        for (name, want) in result["nameList"].as_object().expect("nameList") {
            lists += 1;
            let got = conf.name_list(name);
            if got != strings(want) {
                diffs.push(format!("nameList({name:?}): got {got:?}, want {want}"));
            }
        }
        if !diffs.is_empty() {
            failures.push(format!("{id}:\n    {}", diffs.join("\n    ")));
        }
    }
    assert_eq!(cases.len(), 30, "case count");
    assert!(
        failures.is_empty(),
        "{} of {} cases differ from {GO_VERSION}:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
    eprintln!(
        "resolvconf.json: {} cases, {fields} fields, {lists} name lists",
        cases.len()
    );
}
