//! The endpoints an input item names.

use std::net::IpAddr;

use gomod_common::endpoints::{self, NamedEndpoint, check_host, parse_port};
use serde_json::{Map, Value};

/// What makes two endpoints the same probe: scheme, host (ASCII case and a final dot
/// ignored), port and address.
pub type EndpointKey = (String, String, u16, Option<IpAddr>);

/// One endpoint to connect to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    /// `https` or `http`.
    pub scheme: String,
    /// Host name or IP literal (no brackets).
    pub host: String,
    pub port: u16,
    /// A specific address to connect to (from a `dns` record), instead of resolving.
    pub addr: Option<IpAddr>,
    /// The URL it came from, when there was one.
    pub url: Option<String>,
}

impl Endpoint {
    fn new(scheme: &str, host: &str, port: Option<u16>) -> Result<Endpoint, String> {
        check_host(host)?;
        let scheme = scheme.to_ascii_lowercase();
        let port = match (port, scheme.as_str()) {
            (Some(port), _) => port,
            (None, "https") => 443,
            (None, "http") => 80,
            (None, other) => {
                return Err(format!(
                    "{other}:// is not a scheme the go command fetches modules over (https or http)"
                ));
            }
        };
        if !matches!(scheme.as_str(), "https" | "http") {
            return Err(format!(
                "{scheme}:// is not a scheme the go command fetches modules over (https or http)"
            ));
        }
        Ok(Endpoint {
            scheme,
            host: host.to_string(),
            port,
            addr: None,
            url: None,
        })
    }

    /// What makes two endpoints the same probe.
    pub fn key(&self) -> EndpointKey {
        (
            self.scheme.clone(),
            self.host.trim_end_matches('.').to_ascii_lowercase(),
            self.port,
            self.addr,
        )
    }
}

/// `host`, `host:port`, `[v6]:port`, a bare IPv6 address, or a URL.
pub fn from_text(text: &str) -> Result<Endpoint, String> {
    if text.contains("://") {
        return from_url(text);
    }
    if let Some(rest) = text.strip_prefix('[') {
        let (host, after) = rest
            .split_once(']')
            .ok_or("an IPv6 address in brackets needs its closing bracket")?;
        let port = match after.strip_prefix(':') {
            Some(port) => Some(parse_port(port)?),
            None if after.is_empty() => None,
            None => return Err("unexpected text after the bracketed address".to_string()),
        };
        return Endpoint::new("https", host, port);
    }
    match text.matches(':').count() {
        0 => Endpoint::new("https", text, None),
        1 => {
            let (host, port) = text.split_once(':').unwrap_or((text, ""));
            Endpoint::new("https", host, Some(parse_port(port)?))
        }
        _ => Endpoint::new("https", text, None),
    }
}

fn from_url(text: &str) -> Result<Endpoint, String> {
    let named = endpoints::from_url(text, "url")?;
    from_named(named)
}

/// An endpoint named by a URL or a record field, with the scheme's default port.
fn from_named(named: NamedEndpoint) -> Result<Endpoint, String> {
    let mut endpoint = Endpoint::new(&named.scheme, &named.host, named.port)?;
    endpoint.url = named.url;
    Ok(endpoint)
}

/// The endpoints of a record: a `dns` record's addresses (one endpoint each, unless
/// the record says Go goes through a proxy; its host alone when it has none), a `tls` record's endpoint at the address
/// it connected to, or every endpoint the record names
/// ([`endpoints::from_record`]: `host`, `route` endpoints, the checksum database, the
/// repository, the servers of a `fetch` record), each at its own scheme and port. A
/// repository reached over another protocol than http(s) (ssh, git) is left out.
pub fn from_record(value: &Map<String, Value>) -> Result<Vec<Endpoint>, String> {
    let kind = value.get("type").and_then(Value::as_str);
    let mut found = Vec::new();
    for named in endpoints::from_record(value)? {
        if named.field == "vcs.repo" && !matches!(named.scheme.as_str(), "https" | "http") {
            continue;
        }
        let field = named.field;
        let mut endpoint = from_named(named).map_err(|e| format!("field {field}: {e}"))?;
        if field == "host" && kind == Some("tls") {
            // The address an earlier run connected to, as a dns record's would be.
            endpoint.addr = value
                .get("addr")
                .and_then(Value::as_str)
                .and_then(|a| a.parse::<std::net::SocketAddr>().ok())
                .map(|a| a.ip());
        }
        if kind != Some("dns") || field != "host" {
            found.push(endpoint);
            continue;
        }
        let proxied = value.get("via_proxy").is_some_and(|v| !v.is_null());
        let addrs: Vec<IpAddr> = value
            .get("addrs")
            .and_then(Value::as_array)
            .map(|list| {
                list.iter()
                    .filter_map(Value::as_str)
                    // Zoned (link-local) addresses cannot be dialled without the zone's
                    // interface; they are left out.
                    .filter_map(|a| a.parse().ok())
                    .collect()
            })
            .unwrap_or_default();
        if proxied || addrs.is_empty() {
            // A name that did not resolve is still a place Go dials: resolved here again,
            // it fails the way Go's dial fails, and the pipe keeps the failure.
            found.push(endpoint);
        } else {
            found.extend(addrs.into_iter().map(|addr| Endpoint {
                addr: Some(addr),
                ..endpoint.clone()
            }));
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ep(text: &str) -> (String, String, u16) {
        let e = from_text(text).unwrap();
        (e.scheme, e.host, e.port)
    }

    #[test]
    fn plain_targets() {
        let s = |a: &str, b: &str, c: u16| (a.to_string(), b.to_string(), c);
        assert_eq!(ep("proxy.golang.org"), s("https", "proxy.golang.org", 443));
        assert_eq!(
            ep("proxy.golang.org:8443"),
            s("https", "proxy.golang.org", 8443)
        );
        assert_eq!(ep("[::1]:8443"), s("https", "::1", 8443));
        assert_eq!(ep("::1"), s("https", "::1", 443));
        assert_eq!(
            ep("https://sum.golang.org/lookup/x"),
            s("https", "sum.golang.org", 443)
        );
        assert_eq!(
            ep("http://goproxy.corp:3000"),
            s("http", "goproxy.corp", 3000)
        );
        let url = from_text("https://u:secret@example.com/x")
            .unwrap()
            .url
            .unwrap();
        assert!(!url.contains("secret"), "{url}");
        for bad in [
            "",
            "a b",
            "host:0",
            "host:x",
            "ftp://x.example",
            "[::1",
            "a/b",
        ] {
            assert!(from_text(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn records() {
        let dns = serde_json::json!({"type": "dns", "host": "h.example", "addrs": ["192.0.2.1", "2001:db8::1", "fe80::1%eth0"], "via_proxy": null});
        let found = from_record(dns.as_object().unwrap()).unwrap();
        let addrs: Vec<String> = found.iter().map(|e| e.addr.unwrap().to_string()).collect();
        assert_eq!(addrs, ["192.0.2.1", "2001:db8::1"]);
        let proxied = serde_json::json!({"type": "dns", "host": "h.example", "addrs": ["192.0.2.1"], "via_proxy": "http://p:3128"});
        let found = from_record(proxied.as_object().unwrap()).unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].addr, None);
        // A name that did not resolve: its host alone, so the failure is not lost.
        let failed = serde_json::json!({"type": "dns", "host": "h.example", "port": 8443, "addrs": [], "via_proxy": null, "ok": false});
        let found = from_record(failed.as_object().unwrap()).unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(
            (found[0].host.as_str(), found[0].port, found[0].addr),
            ("h.example", 8443, None)
        );
        let route = serde_json::json!({"type": "route", "endpoints": [
            {"kind": "proxy", "url": "https://goproxy.example/mirror", "host": "goproxy.example", "port": 443},
            {"kind": "direct", "url": "https://corp.example/m?go-get=1", "host": "corp.example"},
            {"kind": "off", "url": null, "host": null}
        ], "sumdb": {"url": "https://sum.golang.org", "host": "sum.golang.org"}});
        let found = from_record(route.as_object().unwrap()).unwrap();
        let hosts: Vec<&str> = found.iter().map(|e| e.host.as_str()).collect();
        assert_eq!(hosts, ["goproxy.example", "corp.example", "sum.golang.org"]);
        assert_eq!(
            found[0].url.as_deref(),
            Some("https://goproxy.example/mirror")
        );
        let summary = serde_json::json!({"type": "summary"});
        assert!(
            from_record(summary.as_object().unwrap())
                .unwrap()
                .is_empty()
        );
    }
}
