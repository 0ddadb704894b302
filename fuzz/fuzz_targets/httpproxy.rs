//! HTTP proxy rules: `net::httpproxy::ProxyConfig::from_env` and `proxy_for_url`/
//! `explain` (`<url> 0xFF <HTTPS_PROXY> 0xFF <https_proxy> 0xFF <HTTP_PROXY> 0xFF
//! <http_proxy> 0xFF <NO_PROXY> 0xFF <no_proxy> 0xFF <REQUEST_METHOD>`; an empty
//! field is an unset variable).
//!
//! Asserts (Go's `ProxyFromEnvironment`): no panic; only `http` and `https` URLs are
//! proxied, `https` by an HTTPS variable and `http` by an HTTP one, preferring the
//! upper-case name when it is non-empty; the CGI refusal happens only for `http` with
//! REQUEST_METHOD set; `localhost` and loopback IPs are never proxied; `explain`
//! agrees with `proxy_for_url`.
#![no_main]

use gomod_common::gourl;
use gomod_common::net::httpproxy::{ProxyConfig, Route};
use gomod_fuzz::text_fields;
use libfuzzer_sys::fuzz_target;

const NAMES: [&str; 7] = [
    "HTTPS_PROXY",
    "https_proxy",
    "HTTP_PROXY",
    "http_proxy",
    "NO_PROXY",
    "no_proxy",
    "REQUEST_METHOD",
];

fuzz_target!(|data: &[u8]| {
    let [url, vars @ ..] = text_fields::<8>(data);
    let getenv = |name: &str| {
        let i = NAMES.iter().position(|n| *n == name)?;
        Some(vars[i].clone()).filter(|v| !v.is_empty())
    };
    let config = ProxyConfig::from_env(getenv);
    let _ = (config.http_proxy(), config.https_proxy());
    let Ok(url) = gourl::parse(&url) else {
        return;
    };
    let choice = config.proxy_for_url(&url);
    let route = config.explain(&url);
    match (&choice, &route) {
        (Ok(Some(c)), Ok(Route::Proxy(r))) => assert_eq!(c, r),
        (Ok(None), Ok(Route::Direct(reason))) => {
            let _ = reason.to_string();
        }
        (Err(a), Err(b)) => assert_eq!(a, b),
        _ => panic!("proxy_for_url {choice:?} but explain {route:?}"),
    }
    let cgi = !vars[6].is_empty();
    match choice {
        Ok(Some(c)) => {
            let (upper, lower) = match url.scheme.as_str() {
                "https" => ("HTTPS_PROXY", "https_proxy"),
                "http" => ("HTTP_PROXY", "http_proxy"),
                other => panic!("{other:?} URL proxied"),
            };
            let expected = if getenv(upper).is_some() {
                upper
            } else {
                lower
            };
            assert_eq!(c.variable, expected);
            assert!(!(cgi && url.scheme == "http"));
            let host = url.hostname();
            assert_ne!(host, "localhost");
            if let Ok(addr) = gourl::parse_addr(host) {
                assert!(!addr.ip.is_loopback(), "{host:?} proxied");
            }
        }
        Ok(None) => {}
        Err(e) => {
            assert!(cgi && url.scheme == "http");
            let _ = e.to_string();
        }
    }
});
