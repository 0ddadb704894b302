//! The network endpoints a record names, read the same way by every tool that
//! connects somewhere (gomod-dnscheck, gomod-tlscheck), so that a chain of tools keeps
//! the scheme and the port of each endpoint whatever order the tools run in.
//!
//! A record names endpoints in these fields, in this order:
//!
//! * `host`, with `port` and `scheme` (`dns` and `tls` records, and any other record);
//! * `endpoints[]` of a `route` record: `url`, or `host`, `scheme` and `port`;
//! * `sumdb` of a `route` or `sum` record: `url`, with `host`, `scheme` and `port`
//!   when given;
//! * `proxy.host` (with `proxy.url` or `proxy.port`);
//! * `vcs.repo` of a `route` record, when it is a URL;
//! * `attempts[].url` and `attempts[].redirects[]` of a `fetch` record: every server a
//!   request went to (`file://` URLs name none).
//!
//! A `port` field wins over the port of a URL; an endpoint whose record gives no port
//! has `port: None` (the scheme's default port).

use serde_json::{Map, Value};

use crate::gourl;
use crate::input::MAX_TARGET_BYTES;

/// One endpoint a record names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NamedEndpoint {
    /// The URL scheme, lower case: `https` unless the record says otherwise.
    pub scheme: String,
    /// The host name or IP literal (IPv6 without brackets).
    pub host: String,
    /// The port, when the record names one.
    pub port: Option<u16>,
    /// The URL the endpoint came from (redacted), for the fields that hold a URL.
    pub url: Option<String>,
    /// The field it came from (`sumdb.url`), for messages.
    pub field: &'static str,
}

/// The longest host name the tools take, in bytes: the longest DNS name (253 bytes, 254
/// with the final dot). Go's resolver asks no server for a longer one, and a longer
/// one would only be echoed in every field that names the host.
pub const MAX_HOST_BYTES: usize = 254;

/// Rejects what cannot be a host in any resolver's or client's eyes and would only
/// garble output: empty, longer than [`MAX_HOST_BYTES`], blanks, control characters
/// or slashes. Everything else is left to Go's rules.
pub fn check_host(host: &str) -> Result<(), String> {
    if host.is_empty() {
        return Err("no host name".to_string());
    }
    if host.len() > MAX_HOST_BYTES {
        return Err(format!(
            "the host name is {} bytes long; a DNS name has at most 253 bytes",
            host.len()
        ));
    }
    if host
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || c == '/')
    {
        return Err("a host name cannot contain blanks, slashes or control characters".to_string());
    }
    Ok(())
}

/// A port written in a target or a URL: 1 to 65535.
pub fn parse_port(text: &str) -> Result<u16, String> {
    match text.parse::<u16>() {
        Ok(port) if port > 0 => Ok(port),
        _ if text.len() > 5 || text.is_empty() => Err("the port is not a number".to_string()),
        _ => Err(format!("{text} is not a port number")),
    }
}

/// The endpoint of a URL: its scheme, host and port (`None` when the URL names none).
pub fn from_url(text: &str, field: &'static str) -> Result<NamedEndpoint, String> {
    if text.len() > MAX_TARGET_BYTES {
        return Err(format!(
            "the URL is {} bytes long; the tools take at most {MAX_TARGET_BYTES}",
            text.len()
        ));
    }
    let url = gourl::parse(text).map_err(|e| format!("not a usable URL: {e}"))?;
    let host = url.hostname();
    check_host(host)?;
    let port = match url.port() {
        "" => None,
        port => Some(parse_port(port)?),
    };
    Ok(NamedEndpoint {
        scheme: url.scheme.clone(),
        host: host.to_string(),
        port,
        url: Some(url.redacted()),
        field,
    })
}

/// Every endpoint a record names, in the order of the module documentation. An
/// unusable value fails the whole record, naming the field.
pub fn from_record(value: &Map<String, Value>) -> Result<Vec<NamedEndpoint>, String> {
    let mut found = Vec::new();
    let str_of = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
    let port_of = |v: &Value| -> Result<Option<u16>, String> {
        match v.get("port") {
            None | Some(Value::Null) => Ok(None),
            Some(p) => p
                .as_u64()
                .and_then(|p| u16::try_from(p).ok())
                .filter(|&p| p > 0)
                .map(Some)
                .ok_or_else(|| "the port is not a number from 1 to 65535".to_string()),
        }
    };
    // An object with `host` (and `scheme`, `port`) or a `url`; the fields win over
    // the URL's parts.
    let mut object =
        |v: &Value, url_field: &'static str, host_field: &'static str| -> Result<(), String> {
            let url = match str_of(v, "url") {
                Some(url) if url.contains("://") => {
                    Some(from_url(&url, url_field).map_err(|e| format!("field {url_field}: {e}"))?)
                }
                _ => None,
            };
            let host = str_of(v, "host");
            if url.is_none() && host.is_none() {
                return Ok(());
            }
            if let Some(host) = &host {
                check_host(host).map_err(|e| format!("field {host_field}: {e}"))?;
            }
            let port = port_of(v).map_err(|e| format!("field {host_field}: {e}"))?;
            let scheme = str_of(v, "scheme").map(|s| s.to_ascii_lowercase());
            let mut endpoint = url.unwrap_or(NamedEndpoint {
                scheme: "https".to_string(),
                host: String::new(),
                port: None,
                url: None,
                field: host_field,
            });
            if let Some(host) = host {
                endpoint.host = host;
                endpoint.field = host_field;
            }
            if let Some(scheme) = scheme {
                endpoint.scheme = scheme;
            }
            if port.is_some() {
                endpoint.port = port;
            }
            found.push(endpoint);
            Ok(())
        };
    let record = Value::Object(value.clone());
    if record.get("host").is_some_and(Value::is_string) {
        object(&record, "url", "host")?;
    }
    if let Some(endpoints) = value.get("endpoints").and_then(Value::as_array) {
        for entry in endpoints {
            object(entry, "endpoints[].url", "endpoints[].host")?;
        }
    }
    if let Some(sumdb) = value.get("sumdb").filter(|v| v.is_object()) {
        object(sumdb, "sumdb.url", "sumdb.host")?;
    }
    if let Some(proxy) = value.get("proxy").filter(|v| v.is_object()) {
        object(proxy, "proxy.url", "proxy.host")?;
    }
    if let Some(repo) = value.get("vcs").and_then(|v| str_of(v, "repo"))
        && repo.contains("://")
    {
        found.push(from_url(&repo, "vcs.repo").map_err(|e| format!("field vcs.repo: {e}"))?);
    }
    if str_of(&record, "type").as_deref() == Some("fetch") {
        let attempts = value.get("attempts").and_then(Value::as_array);
        for attempt in attempts.into_iter().flatten() {
            let urls = str_of(attempt, "url").into_iter().chain(
                attempt
                    .get("redirects")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(|u| u.as_str().map(str::to_string)),
            );
            for url in urls.filter(|u| u.contains("://") && !u.starts_with("file:")) {
                let mut endpoint = from_url(&url, "attempts[].url")
                    .map_err(|e| format!("field attempts[].url: {e}"))?;
                // The endpoint is the server, not the file asked for.
                endpoint.url = None;
                if !found.iter().any(|f| same_endpoint(f, &endpoint)) {
                    found.push(endpoint);
                }
            }
        }
    }
    Ok(found)
}

/// The port an endpoint is reached on: its own, or its scheme's default (none for a
/// scheme that has no default the tools know).
pub fn effective_port(scheme: &str, port: Option<u16>) -> Option<u16> {
    port.or(match scheme {
        "https" => Some(443),
        "http" => Some(80),
        _ => None,
    })
}

fn same_endpoint(a: &NamedEndpoint, b: &NamedEndpoint) -> bool {
    a.scheme == b.scheme
        && a.host.eq_ignore_ascii_case(&b.host)
        && effective_port(&a.scheme, a.port) == effective_port(&b.scheme, b.port)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(found: &[NamedEndpoint]) -> Vec<(String, String, Option<u16>)> {
        found
            .iter()
            .map(|e| (e.scheme.clone(), e.host.clone(), e.port))
            .collect()
    }

    fn record(value: Value) -> Result<Vec<NamedEndpoint>, String> {
        from_record(value.as_object().unwrap())
    }

    fn t(scheme: &str, host: &str, port: Option<u16>) -> (String, String, Option<u16>) {
        (scheme.to_string(), host.to_string(), port)
    }

    #[test]
    fn route_records_keep_every_port_and_scheme() {
        let found = record(serde_json::json!({
            "type": "route",
            "endpoints": [
                {"kind": "proxy", "url": "http://goproxy.corp:3000/mirror", "scheme": "http", "host": "goproxy.corp", "port": 3000},
                {"kind": "off", "url": null, "host": null},
                {"kind": "direct", "url": "https://corp.example/m?go-get=1", "scheme": "https", "host": "corp.example", "port": 443}
            ],
            "sumdb": {"name": "s", "url": "https://sumdb.corp.example.com:9443", "host": "sumdb.corp.example.com"},
            "vcs": {"repo": "https://git.corp.example:8443/x/y"}
        }))
        .unwrap();
        assert_eq!(
            parts(&found),
            [
                t("http", "goproxy.corp", Some(3000)),
                t("https", "corp.example", Some(443)),
                t("https", "sumdb.corp.example.com", Some(9443)),
                t("https", "git.corp.example", Some(8443)),
            ]
        );
        assert_eq!(
            found[2].url.as_deref(),
            Some("https://sumdb.corp.example.com:9443")
        );
    }

    #[test]
    fn a_port_field_wins_over_the_url() {
        let found = record(serde_json::json!({
            "sumdb": {"url": "http://sum.example", "host": "sum.example", "scheme": "http", "port": 8080}
        }))
        .unwrap();
        assert_eq!(parts(&found), [t("http", "sum.example", Some(8080))]);
    }

    #[test]
    fn plain_records_and_sum_records() {
        let dns = record(serde_json::json!({"type": "dns", "host": "h.example", "port": 8443, "scheme": "https"})).unwrap();
        assert_eq!(parts(&dns), [t("https", "h.example", Some(8443))]);
        let sum = record(serde_json::json!({"type": "sum", "sumdb": {"name": "s", "url": "http://127.0.0.1:9000/sumdb/s"}})).unwrap();
        assert_eq!(parts(&sum), [t("http", "127.0.0.1", Some(9000))]);
        let none = record(serde_json::json!({"type": "summary", "counts": {}})).unwrap();
        assert!(none.is_empty());
    }

    #[test]
    fn fetch_records_name_every_server_once() {
        let found = record(serde_json::json!({
            "type": "fetch",
            "attempts": [
                {"url": "http://127.0.0.1:3000/m/@v/v1.0.0.info", "redirects": []},
                {"url": "http://127.0.0.1:3000/m/@v/v1.0.0.mod", "redirects": ["https://cdn.example:8443/x"]},
                {"url": "file:///tmp/proxy/m/@v/v1.0.0.zip", "redirects": []},
                {"url": null, "redirects": []}
            ]
        }))
        .unwrap();
        assert_eq!(
            parts(&found),
            [
                t("http", "127.0.0.1", Some(3000)),
                t("https", "cdn.example", Some(8443))
            ]
        );
        assert!(found.iter().all(|e| e.url.is_none()));
    }

    #[test]
    fn bad_values_name_the_field() {
        let err = record(serde_json::json!({"host": "a b"})).unwrap_err();
        assert!(err.starts_with("field host: "), "{err}");
        let err = record(serde_json::json!({"host": "h", "port": 70000})).unwrap_err();
        assert!(err.starts_with("field host: "), "{err}");
        let long = format!("https://{}.example/", "a".repeat(2000));
        let err = record(serde_json::json!({"sumdb": {"url": long}})).unwrap_err();
        assert!(err.starts_with("field sumdb.url: "), "{err}");
        assert!(err.len() < 200, "{err}");
    }
}
