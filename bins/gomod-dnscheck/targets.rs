//! The hosts an input item names: a plain target (`host`, `host:port`, a URL, a module
//! path), or every host field of another tool's record.

use gomod_common::endpoints::{self, check_host, parse_port};
use serde_json::{Map, Value};

/// One host to resolve, and what the input says about how Go reaches it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostTarget {
    /// The host name or IP literal (IPv6 without brackets), as given.
    pub host: String,
    /// The scheme of the URL Go requests from the host: it decides which proxy
    /// variable applies. `https` unless the input says otherwise.
    pub scheme: String,
    /// The port of that URL, when the input names one.
    pub port: Option<u16>,
    /// An input record marked the host as a public service (`exposed_to[].public`).
    pub known_public: bool,
    /// For a proxy's own host, added because requests for this host go through it.
    pub proxy_for: Option<String>,
}

impl HostTarget {
    fn new(host: &str, scheme: &str, port: Option<u16>) -> HostTarget {
        HostTarget {
            host: host.to_string(),
            scheme: scheme.to_string(),
            port,
            known_public: false,
            proxy_for: None,
        }
    }

    /// The key under which the host is resolved once: ASCII case and a final dot do
    /// not make a different name.
    pub fn key(&self) -> String {
        self.host.trim_end_matches('.').to_ascii_lowercase()
    }

    /// The key under which a record is written once: the host, and the scheme and
    /// port it is reached on (a host named at two ports gets a record for each, so
    /// that the next tool in a pipe connects to both).
    pub fn endpoint_key(&self) -> (String, String, Option<u16>) {
        (
            self.key(),
            self.scheme.clone(),
            endpoints::effective_port(&self.scheme, self.port),
        )
    }
}

/// The host of a plain target: `example.com`, `example.com:443`, `[::1]:53`, `::1`,
/// `https://example.com/path`, or a module path such as `golang.org/x/net@v0.1.0`
/// (its first element).
pub fn from_text(text: &str) -> Result<HostTarget, String> {
    if text.contains("://") {
        let url = endpoints::from_url(text, "url")?;
        return Ok(HostTarget::new(&url.host, &url.scheme, url.port));
    }
    if let Some(rest) = text.strip_prefix('[') {
        let (host, after) = rest
            .split_once(']')
            .ok_or("an IPv6 address in brackets needs its closing bracket")?;
        let port = match after.strip_prefix(':') {
            Some(port) => Some(parse_port(port)?),
            None if after.is_empty() || after.starts_with('/') => None,
            None => return Err("unexpected text after the bracketed address".to_string()),
        };
        check_host(host)?;
        return Ok(HostTarget::new(host, "https", port));
    }
    let first = text.split('/').next().unwrap_or_default();
    let first = first.split('@').next().unwrap_or_default();
    let (host, port) = match first.matches(':').count() {
        0 => (first, None),
        1 => {
            let (host, port) = first.split_once(':').unwrap_or((first, ""));
            (host, Some(parse_port(port)?))
        }
        // More than one colon: an IPv6 literal without a port.
        _ => (first, None),
    };
    check_host(host)?;
    Ok(HostTarget::new(host, "https", port))
}

/// Every host a record names ([`endpoints::from_record`]), each with the scheme and
/// port of the endpoint that named it. Hosts listed in `exposed_to` with
/// `public: true` are marked as public services.
pub fn from_record(value: &Map<String, Value>) -> Result<Vec<HostTarget>, String> {
    let mut found: Vec<HostTarget> = endpoints::from_record(value)?
        .into_iter()
        .map(|e| HostTarget::new(&e.host, &e.scheme, e.port))
        .collect();
    let public: Vec<&str> = value
        .get("exposed_to")
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .filter(|e| e.get("public").and_then(Value::as_bool) == Some(true))
                .filter_map(|e| e.get("host").and_then(Value::as_str))
                .collect()
        })
        .unwrap_or_default();
    for target in &mut found {
        target.known_public = public.iter().any(|p| p.eq_ignore_ascii_case(&target.host));
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host(text: &str) -> (String, String, Option<u16>) {
        let t = from_text(text).unwrap();
        (t.host, t.scheme, t.port)
    }

    #[test]
    fn plain_targets() {
        let https = |h: &str, p: Option<u16>| (h.to_string(), "https".to_string(), p);
        assert_eq!(host("proxy.golang.org"), https("proxy.golang.org", None));
        assert_eq!(
            host("proxy.golang.org:443"),
            https("proxy.golang.org", Some(443))
        );
        assert_eq!(host("[::1]:53"), https("::1", Some(53)));
        assert_eq!(host("::1"), https("::1", None));
        assert_eq!(host("golang.org/x/net@v0.1.0"), https("golang.org", None));
        assert_eq!(host("example.com@v1.0.0"), https("example.com", None));
        assert_eq!(
            host("http://user:pw@corp.example:8080/goproxy"),
            ("corp.example".to_string(), "http".to_string(), Some(8080))
        );
        for bad in [
            "",
            "a b",
            "host:http",
            "[::1",
            "https:///x",
            "x\u{7}y",
            "[::1]x",
        ] {
            assert!(from_text(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn record_fields() {
        let value: Value = serde_json::json!({
            "type": "route",
            "endpoints": [
                {"kind": "proxy", "host": "goproxy.corp", "scheme": "http", "port": 3000},
                {"kind": "off", "host": null},
                {"kind": "direct", "host": "corp.example"}
            ],
            "sumdb": {"host": "sum.golang.org", "url": "https://sum.golang.org"},
            "proxy": {"host": "squid.corp"},
            "vcs": {"repo": "https://git.corp.example/x/y"},
            "exposed_to": [{"host": "sum.golang.org", "public": true}]
        });
        let found = from_record(value.as_object().unwrap()).unwrap();
        let hosts: Vec<_> = found.iter().map(|t| t.host.as_str()).collect();
        assert_eq!(
            hosts,
            [
                "goproxy.corp",
                "corp.example",
                "sum.golang.org",
                "squid.corp",
                "git.corp.example"
            ]
        );
        assert_eq!(
            (found[0].scheme.as_str(), found[0].port),
            ("http", Some(3000))
        );
        let public: Vec<_> = found.iter().map(|t| t.known_public).collect();
        assert_eq!(public, [false, false, true, false, false]);

        let bad: Value = serde_json::json!({"host": "a b"});
        assert!(from_record(bad.as_object().unwrap()).is_err());
        let none: Value = serde_json::json!({"type": "summary", "counts": {}});
        assert!(from_record(none.as_object().unwrap()).unwrap().is_empty());
    }

    #[test]
    fn keys_ignore_case_and_final_dot() {
        assert_eq!(
            from_text("Proxy.Golang.org.").unwrap().key(),
            "proxy.golang.org"
        );
    }
}
