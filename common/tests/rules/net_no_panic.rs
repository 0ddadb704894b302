//! Every parser and formatter must accept any input without panicking.

use gomod_common::gourl::{self, Url, Userinfo};
use gomod_common::net::httpproxy::ProxyConfig;
use gomod_common::net::netrc::{self, NetrcMode};

/// Pieces that exercise the parsers' special cases.
const PIECES: &[&str] = &[
    "",
    "%",
    "%2",
    "%25",
    "%zz",
    "%c3",
    "%ff",
    "%41",
    "[",
    "]",
    "[::1]",
    "[fe80::1%25en0]",
    ":",
    "::",
    ":80",
    "@",
    "/",
    "//",
    "///",
    "?",
    "#",
    " ",
    "\t",
    "\n",
    "\r\n",
    "\x7f",
    "\0",
    "é",
    "ü",
    "\u{a0}",
    "\u{200d}",
    "\u{301}",
    "ß",
    "İ",
    "Σ",
    "😀",
    "\u{e0001}",
    "xn--",
    "xn--bcher-kva",
    "-",
    "--",
    ".",
    "*",
    "*.",
    ",",
    "+",
    ";",
    "=",
    "&",
    "http",
    "https",
    "https://",
    "http://",
    "file:",
    "socks5://",
    "localhost",
    "127.0.0.1",
    "10.0.0.0/8",
    "/33",
    "1",
    "255",
    "256",
    "0",
    "01",
    "proxy.golang.org",
    "example.com",
    "machine",
    "login",
    "password",
    "default",
    "macdef",
    "account",
    "user:pass@",
    "\\",
    "\"",
    "<",
    ">",
    "|",
    "~",
    "!",
];

/// A deterministic xorshift generator, so failures are reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        usize::try_from(self.0 % 1_000_003).unwrap_or_default()
    }

    fn string(&mut self) -> String {
        let len = self.next() % 12;
        (0..len)
            .map(|_| PIECES[self.next() % PIECES.len()])
            .collect()
    }
}

fn inputs() -> Vec<String> {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut inputs: Vec<String> = PIECES.iter().map(|p| (*p).to_owned()).collect();
    inputs.extend((0..600).map(|_| rng.string()));
    inputs
}

fn exercise_url(url: &Url) {
    let shown = url.to_string();
    let _ = (url.redacted(), url.hostname(), url.port(), url.is_abs());
    let _ = (
        url.escaped_path(),
        url.escaped_fragment(),
        url.request_uri(),
    );
    let _ = (gourl::parse(&shown), format!("{url:?}"));
}

#[test]
fn url_functions_never_panic() {
    for input in inputs() {
        for parsed in [gourl::parse(&input), gourl::parse_request_uri(&input)] {
            match parsed {
                Ok(url) => exercise_url(&url),
                Err(e) => drop(e.to_string()),
            }
        }
        let _ = (gourl::path_unescape(&input), gourl::query_unescape(&input));
        let _ = (gourl::path_escape(&input), gourl::query_escape(&input));
        let _ = gourl::parse_addr(&input).map_err(|e| e.to_string());
        let _ = gomod_common::goquote::quote_bytes(input.as_bytes());
    }
}

#[test]
fn constructed_urls_never_panic() {
    let mut rng = Rng(42);
    for _ in 0..600 {
        let flags = rng.next();
        let user = flags.is_multiple_of(3).then(|| Userinfo {
            username: rng.string(),
            password: flags.is_multiple_of(2).then(|| rng.string()),
        });
        let url = Url {
            scheme: rng.string(),
            opaque: if flags % 4 == 1 {
                rng.string()
            } else {
                String::new()
            },
            user,
            host: rng.string(),
            path: rng.string(),
            raw_path: rng.string(),
            omit_host: flags % 5 < 2,
            force_query: flags % 7 < 3,
            raw_query: rng.string(),
            fragment: rng.string(),
            raw_fragment: rng.string(),
        };
        exercise_url(&url);
    }
}

#[test]
fn quote_never_panics_on_arbitrary_bytes() {
    let mut rng = Rng(7);
    for _ in 0..600 {
        let bytes: Vec<u8> = (0..rng.next() % 16)
            .map(|_| (rng.next() % 256) as u8)
            .collect();
        let quoted = gomod_common::goquote::quote_bytes(&bytes);
        assert!(quoted.starts_with('"') && quoted.ends_with('"'));
    }
}

#[test]
fn proxy_selection_never_panics() {
    let inputs = inputs();
    let urls: Vec<Url> = inputs
        .iter()
        .flat_map(|s| [gourl::parse(s), gourl::parse(&format!("https://{s}/x"))])
        .filter_map(Result::ok)
        .collect();
    for (i, value) in inputs.iter().enumerate() {
        let config = ProxyConfig::from_env(|name| match name {
            "HTTP_PROXY" | "HTTPS_PROXY" => Some(value.clone()),
            "NO_PROXY" => Some(inputs[(i * 7) % inputs.len()].clone()),
            "REQUEST_METHOD" => (i % 5 == 0).then(|| "GET".to_owned()),
            _ => None,
        });
        let _ = format!("{config:?}");
        for url in urls.iter().skip(i % 13).step_by(13) {
            match config.explain(url) {
                Ok(route) => drop(format!("{route:?}")),
                Err(e) => drop(e.to_string()),
            }
        }
    }
}

#[test]
fn netrc_never_panics() {
    let inputs = inputs();
    let urls: Vec<Url> = inputs
        .iter()
        .filter_map(|s| gourl::parse(&format!("https://{s}")).ok())
        .collect();
    for (i, text) in inputs.iter().enumerate() {
        let doubled = format!("{text}\n{}", inputs[(i * 31) % inputs.len()]);
        let entries = netrc::parse(&doubled);
        for url in urls.iter().skip(i % 17).step_by(17) {
            for mode in [NetrcMode::Newest, NetrcMode::Go119] {
                let _ = netrc::credentials_for(&entries, url, mode);
            }
        }
        let _ = netrc::netrc_path(|name| (name == "HOME").then(|| text.clone()));
    }
}
