//! Expectations confirmed with go1.27.3's vendored `httpproxy` and `idna` packages.

use super::*;

const PROXY: &str = "http://proxy.corp:3128";
const D: Option<&str> = None;
const P: Option<&str> = Some(PROXY);

/// (NO_PROXY, request URL, proxy or `D` for direct); HTTP_PROXY and HTTPS_PROXY are [`PROXY`].
const NO_PROXY_CASES: &[(&str, &str, Option<&str>)] = &[
    ("", "https://a]b/x", D),
    ("", "http://a]b/x", D),
    ("", "https://[::1]/x", D),
    ("", "https://[::ffff:127.0.0.1]/x", D),
    ("", "https://[::ffff:10.1.2.3]/x", P),
    ("", "https://[fe80::1%25eth0]/x", P),
    ("", "https://[::127.0.0.1]/x", P),
    ("", "https://0.0.0.0/x", P),
    ("", "https://127.0.0.1./x", P),
    ("", "https://localhost./x", P),
    ("", "https://ｌｏｃａｌｈｏｓｔ/x", D),
    ("", "https://bücher.example/x", P),
    ("", "https://xn--bcher-kva.example/x", P),
    ("", "https://BÜCHER.example/x", P),
    ("", "https:///x", P),
    ("", "https://:443/x", P),
    ("", "https://host:/x", P),
    ("", "https://u:p@host/x", P),
    ("", "HTTPS://host/x", P),
    ("", "https:opaque", P),
    ("", "https:/path", P),
    ("10.0.0.0/8", "https://10.1.2.3/x", D),
    ("10.0.0.0/8", "https://[::ffff:10.1.2.3]/x", D),
    ("::ffff:10.0.0.0/104", "https://10.1.2.3/x", D),
    ("::ffff:10.0.0.0/104", "https://[::ffff:10.1.2.3]/x", D),
    ("::/0", "https://[fe80::1%25eth0]/x", D),
    ("::/0", "https://[fe80::1]/x", D),
    ("0.0.0.0/0", "https://10.1.2.3/x", D),
    ("0.0.0.0/0", "https://[::ffff:10.1.2.3]/x", D),
    ("10.1.2.3/32", "https://10.1.2.3/x", D),
    ("10.1.2.3/32", "https://[::ffff:10.1.2.3]/x", D),
    ("10.0.0.0/08", "https://10.1.2.3/x", D),
    ("10.0.0.0/08", "https://[::ffff:10.1.2.3]/x", D),
    ("fe80::/10", "https://[fe80::1%25eth0]/x", D),
    ("fe80::/10", "https://[fe80::1]/x", D),
    ("10.1.2.3", "https://10.1.2.3/x", D),
    ("10.1.2.3", "https://[::ffff:10.1.2.3]/x", D),
    ("::ffff:10.1.2.3", "https://10.1.2.3/x", D),
    ("::ffff:10.1.2.3", "https://[::ffff:10.1.2.3]/x", D),
    ("[10.1.2.3]:443", "https://10.1.2.3/x", D),
    ("[10.1.2.3]:443", "https://[::ffff:10.1.2.3]/x", D),
    ("10.1.2.3:443", "https://10.1.2.3/x", D),
    ("10.1.2.3:443", "https://[::ffff:10.1.2.3]/x", D),
    ("fe80::1", "https://[fe80::1%25eth0]/x", D),
    ("fe80::1", "https://[fe80::1]/x", D),
    ("bücher.example", "https://bücher.example/x", D),
    ("bücher.example", "https://sub.xn--bcher-kva.example/x", D),
    (".bücher.example", "https://sub.xn--bcher-kva.example/x", D),
    ("*.bücher.example", "https://sub.xn--bcher-kva.example/x", D),
    ("BÜCHER.EXAMPLE", "https://bücher.example/x", D),
    ("BÜCHER.EXAMPLE", "https://sub.xn--bcher-kva.example/x", D),
    ("*", "https://10.1.2.3/x", D),
    ("*", "https://[::ffff:10.1.2.3]/x", D),
    ("*", "https://[fe80::1%25eth0]/x", D),
    ("*", "https://[fe80::1]/x", D),
    ("*", "https://bücher.example/x", D),
    ("*", "https://sub.xn--bcher-kva.example/x", D),
    ("*", "https://host/x", D),
    ("*", "https://sub.host/x", D),
    ("*", "https://example/x", D),
    ("*", "https://a.example/x", D),
    ("*", "https://a_b/x", D),
    ("*", "https://i.de/x", D),
    ("*", "https://İ.de/x", D),
    ("*", "https://host./x", D),
    ("*", "https://x./x", D),
    ("*", "https://.host/x", D),
    ("example", "https://bücher.example/x", D),
    ("example", "https://sub.xn--bcher-kva.example/x", D),
    ("example", "https://example/x", D),
    ("example", "https://a.example/x", D),
    (".example", "https://bücher.example/x", D),
    (".example", "https://sub.xn--bcher-kva.example/x", D),
    (".example", "https://a.example/x", D),
    ("host", "https://host/x", D),
    ("host", "https://sub.host/x", D),
    ("host", "https://.host/x", D),
    ("host:443", "https://host/x", D),
    ("host:443", "https://sub.host/x", D),
    ("host:443", "https://.host/x", D),
    ("[host]:443", "https://host/x", D),
    ("[host]:443", "https://sub.host/x", D),
    ("[host]:443", "https://.host/x", D),
    ("a_b", "https://a_b/x", D),
    ("İ.de", "https://i.de/x", D),
    ("i\u{307}.de", "https://İ.de/x", D),
    ("xn--bcher-kva.example:443", "https://bücher.example/x", D),
    (
        "xn--bcher-kva.example:443",
        "https://sub.xn--bcher-kva.example/x",
        D,
    ),
    ("host.", "https://host./x", D),
    (".", "https://host./x", D),
    (".", "https://x./x", D),
    ("*.", "https://host./x", D),
    ("*.", "https://x./x", D),
    ("\u{a0}host\u{a0}", "https://host/x", D),
    ("\u{a0}host\u{a0}", "https://sub.host/x", D),
    ("\u{a0}host\u{a0}", "https://.host/x", D),
    ("10.0.0.0/+8", "https://10.1.2.3/x", P),
    ("10.0.0.0/33", "https://10.1.2.3/x", P),
    ("fe80::1%eth0/64", "https://[fe80::1]/x", P),
    ("[::ffff:10.1.2.3]", "https://[::ffff:10.1.2.3]/x", P),
    ("10.1.2.3:8443", "https://10.1.2.3/x", P),
    ("fe80::1%eth0", "https://[fe80::1%25eth0]/x", P),
    ("*host", "https://sub.host/x", P),
    ("**.host", "https://sub.host/x", P),
    ("host:80", "https://host/x", P),
    (":443", "https://host/x", P),
    ("[]:443", "https://host/x", P),
    ("..", "https://host./x", P),
    ("1.2.3", "https://10.1.2.3/x", P),
    ("h\u{a0}ost", "https://host/x", P),
    ("10.0.0.0/8", "https://host/x", P),
    ("::ffff:10.0.0.0/104", "https://[fe80::1]/x", P),
    ("::/0", "https://10.1.2.3/x", P),
    ("fe80::/10", "https://10.1.2.3/x", P),
    (".bücher.example", "https://bücher.example/x", P),
    ("example", "https://i.de/x", P),
    ("host", "https://host./x", P),
    ("host.", "https://host/x", P),
];

fn config(vars: &[(&str, &str)]) -> ProxyConfig {
    ProxyConfig::from_env(|name| {
        vars.iter()
            .find(|(key, _)| *key == name)
            .map(|(_, value)| (*value).to_owned())
    })
}

fn route(config: &ProxyConfig, url: &str) -> Result<Route, ProxyError> {
    let url = gourl::parse(url).unwrap_or_else(|e| panic!("{e}"));
    config.explain(&url)
}

#[test]
fn no_proxy_and_hosts_match_go() {
    let mut failures = Vec::new();
    for &(no_proxy, url, want) in NO_PROXY_CASES {
        let config = config(&[
            ("HTTP_PROXY", PROXY),
            ("HTTPS_PROXY", PROXY),
            ("NO_PROXY", no_proxy),
        ]);
        let got = match route(&config, url) {
            Ok(Route::Proxy(choice)) => Some(choice.url.to_string()),
            Ok(Route::Direct(_)) => None,
            Err(e) => Some(format!("error: {e}")),
        };
        if got.as_deref() != want {
            failures.push(format!(
                "NO_PROXY={no_proxy:?} {url}: got {got:?}, want {want:?}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// (proxy variable value, proxy Go uses for `https://example.com/x` or "direct", whether
/// `http://example.com/x` with the value in HTTP_PROXY and REQUEST_METHOD set is refused).
const PROXY_VALUE_CASES: &[(&str, &str, bool)] = &[
    ("socks5h://h:1080", "socks5h://h:1080", true),
    ("ftp://h", "ftp://h", true),
    ("h", "http://h", true),
    ("h:1", "http://h:1", true),
    ("http://h:1/p", "http://h:1/p", true),
    ("//h:1", "http:////h:1", true),
    ("http:h", "http:h", true),
    ("http:/h", "http://http:/h", true),
    ("http://", "http://http://", true),
    ("https://[::1", "http://https://[::1", true),
    ("%zz", "direct", false),
    ("http://%zz", "direct", false),
    ("a b", "a%20b", true),
    ("http://u:p@h:x", "http://http://u:p@h:x", true),
    (":1", "http://:1", true),
    ("[::1]:80", "http://[::1]:80", true),
    ("user@h", "http://user@h", true),
    ("http://h#f", "http://h#f", true),
    ("*", "http://*", true),
];

#[test]
fn proxy_values_match_go() {
    for &(value, want, cgi_refused) in PROXY_VALUE_CASES {
        let config = config(&[
            ("HTTPS_PROXY", value),
            ("HTTP_PROXY", value),
            ("REQUEST_METHOD", "GET"),
        ]);
        let got = match route(&config, "https://example.com/x") {
            Ok(Route::Proxy(choice)) => choice.url.to_string(),
            Ok(Route::Direct(_)) => "direct".to_owned(),
            Err(e) => format!("error: {e}"),
        };
        assert_eq!(got, want, "HTTPS_PROXY={value:?}");
        assert_eq!(
            route(&config, "http://example.com/x").is_err(),
            cgi_refused,
            "HTTP_PROXY={value:?}"
        );
    }
}

/// (input, `idna.Lookup.ToASCII` or `None` on error).
const IDNA_CASES: &[(&str, Option<&str>)] = &[
    ("bücher.example", Some("xn--bcher-kva.example")),
    (".bücher.example", Some(".xn--bcher-kva.example")),
    ("BÜCHER.example", Some("xn--bcher-kva.example")),
    ("ｌｏｃａｌｈｏｓｔ", Some("localhost")),
    ("a_b.bücher", None),
    ("-bücher.example", None),
    ("bü--cher.example", Some("xn--b--cher-n2a.example")),
    ("xn--bcher-kva.example", Some("xn--bcher-kva.example")),
    ("bücher..example", Some("xn--bcher-kva..example")),
    ("..bücher", Some("..xn--bcher-kva")),
    ("bücher.example.", Some("xn--bcher-kva.example.")),
    ("ß.de", Some("xn--zca.de")),
    ("faß.de", Some("xn--fa-hia.de")),
    ("ﬀ.de", Some("ff.de")),
    ("İ.de", Some("xn--i-9bb.de")),
    ("Σ.gr", Some("xn--4xa.gr")),
    ("\u{200d}.de", None),
    ("a\u{200d}b.de", None),
    ("ab́.de", Some("xn--ab-9tb.de")),
    ("́a.de", None),
    ("عربي.example", Some("xn--ngbrx4e.example")),
    ("aعربي.example", None),
    ("1.२", Some("1.xn--f4b")),
    ("日本.jp", Some("xn--wgv71a.jp")),
    ("a:b.ü", None),
    ("a b.ü", None),
    ("%.ü", None),
    ("*.ü", None),
    ("ü*.x", None),
    ("x\u{a0}ü", None),
    ("😀.de", Some("xn--e28h.de")),
    ("xn--zz.ü", None),
    ("⒈.ü", None),
    ("℡.ü", Some("tel.xn--tda")),
    ("ü.xn--a", None),
    ("ü.", Some("xn--tda.")),
    ("\u{feff}ü", Some("xn--tda")),
    ("ü\u{ad}", Some("xn--tda")),
    ("Ⅸ.ü", Some("ix.xn--tda")),
    ("ab--ü", None),
    ("üa--b", Some("xn--a--b-zra")),
    ("ab--cd.ü", None),
    ("ü.ab--cd", None),
    ("a-ü-", None),
    ("xn--ab--c-ü", None),
    ("ü.xn--bcher-kva", Some("xn--tda.xn--bcher-kva")),
    ("ü.XN--BCHER-KVA", Some("xn--tda.xn--bcher-kva")),
    ("ü.xn--bcher-kva-", None),
    ("ü--", None),
    ("ü.-a", None),
];

#[test]
fn idna_matches_go_lookup_profile() {
    for &(input, want) in IDNA_CASES {
        assert_eq!(idna_ascii(input).as_deref(), want, "{input:?}");
    }
}

/// `parseProxy`'s error text, from go1.27.3's vendored httpproxy package.
#[test]
fn invalid_proxy_text_matches_go() {
    let cases = [
        (
            "%zz",
            r#"invalid proxy address "%zz": parse "%zz": invalid URL escape "%zz""#,
        ),
        (
            "  http://proxy.corp:3128",
            r#"invalid proxy address "  http://proxy.corp:3128": parse "  http://proxy.corp:3128": first path segment in URL cannot contain colon"#,
        ),
    ];
    for (value, want) in cases {
        let ProxySetting::Invalid(invalid) =
            config(&[("HTTPS_PROXY", value)]).https_proxy().clone()
        else {
            panic!("{value:?} should be invalid");
        };
        assert_eq!(invalid.to_string(), want);
        assert_eq!(invalid.variable, "HTTPS_PROXY");
    }
}

#[test]
fn explain_says_why_a_url_goes_direct() {
    let direct = |vars: &[(&str, &str)], url: &str| match route(&config(vars), url) {
        Ok(Route::Direct(reason)) => reason,
        other => panic!("{url}: expected a direct route, got {other:?}"),
    };
    let https = ("HTTPS_PROXY", PROXY);

    assert_eq!(
        direct(&[("HTTP_PROXY", PROXY)], "https://proxy.golang.org/x"),
        DirectReason::NoProxyVariable {
            names: ["HTTPS_PROXY", "https_proxy"]
        }
    );
    assert_eq!(
        direct(&[https], "ftp://example.com/x"),
        DirectReason::SchemeNotProxied {
            scheme: "ftp".to_owned()
        }
    );
    assert_eq!(
        direct(&[https], "https://localhost:8443/x"),
        DirectReason::Localhost
    );
    assert_eq!(
        direct(&[https], "https://[::ffff:127.0.0.1]/x"),
        DirectReason::Loopback {
            ip: "::ffff:127.0.0.1".parse().unwrap()
        }
    );
    assert_eq!(
        direct(
            &[https, ("no_proxy", "a.example, *.Golang.org")],
            "https://proxy.golang.org/x"
        ),
        DirectReason::NoProxyEntry {
            variable: "no_proxy",
            entry: "*.Golang.org".to_owned()
        }
    );
    // "*" replaces every other entry, wherever it is.
    assert_eq!(
        direct(
            &[https, ("NO_PROXY", "golang.org,*")],
            "https://proxy.golang.org/x"
        ),
        DirectReason::NoProxyEntry {
            variable: "NO_PROXY",
            entry: "*".to_owned()
        }
    );
    assert_eq!(
        direct(&[https], "https://a]b/x"),
        DirectReason::UnsplittableAddress {
            address: "a]b:443".to_owned(),
            error: "address a]b:443: unexpected ']' in address".to_owned(),
        }
    );
    let DirectReason::InvalidProxyValue(invalid) = direct(
        &[("https_proxy", "http://user:s3cret@%zz")],
        "https://proxy.golang.org/x",
    ) else {
        panic!("expected an invalid proxy value");
    };
    assert_eq!(invalid.variable, "https_proxy");
    let shown = format!(
        "{invalid:?} {}",
        DirectReason::InvalidProxyValue(invalid.clone())
    );
    assert!(!shown.contains("s3cret"), "{shown}");
}

#[test]
fn choice_names_the_variable() {
    let config = config(&[("HTTPS_PROXY", ""), ("https_proxy", "http://u:pw@lower:2")]);
    let choice = config
        .proxy_for_url(&gourl::parse("https://proxy.golang.org/x").unwrap())
        .unwrap()
        .unwrap();
    assert_eq!(choice.variable, "https_proxy");
    assert_eq!(choice.url.redacted(), "http://u:xxxxx@lower:2");
    assert!(!format!("{config:?}").contains("pw@"));
}

#[test]
fn cgi_guard_comes_before_the_host_checks() {
    let config = config(&[("http_proxy", PROXY), ("REQUEST_METHOD", "GET")]);
    let err = route(&config, "http://localhost/x").unwrap_err();
    assert_eq!(err.variable, "http_proxy");
    assert_eq!(
        err.to_string(),
        "refusing to use HTTP_PROXY value in CGI environment; see golang.org/s/cgihttpproxy"
    );
    // An unparsable HTTP_PROXY is ignored before the guard is reached.
    let config = super::ProxyConfig::from_env(|name| match name {
        "HTTP_PROXY" => Some("%zz".to_owned()),
        "REQUEST_METHOD" => Some("GET".to_owned()),
        _ => None,
    });
    assert!(matches!(
        route(&config, "http://example.com/x"),
        Ok(Route::Direct(DirectReason::InvalidProxyValue(_)))
    ));
}

#[test]
fn go_to_lower_is_per_rune() {
    assert_eq!(go_to_lower("İ.DE"), "i.de");
    assert_eq!(go_to_lower("ΟΔΟΣ"), "οδοσ");
}
