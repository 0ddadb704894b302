//! Expectations confirmed by running go1.27.3's net/url on each input.

use super::*;

/// One line per Go result: the non-empty fields, `String()` and the accessors, or the error.
fn summary(result: &Result<Url, Error>) -> String {
    let url = match result {
        Err(e) => return format!("error: {e}"),
        Ok(url) => url,
    };
    let q = |s: &str| crate::goquote::quote_bytes(s.as_bytes());
    let mut parts = Vec::new();
    let mut add = |name: &str, value: &str| {
        if !value.is_empty() {
            parts.push(format!("{name}={}", q(value)));
        }
    };
    add("scheme", &url.scheme);
    add("opaque", &url.opaque);
    if let Some(user) = &url.user {
        parts.push(format!("user={}", q(&user.username)));
        if let Some(password) = &user.password {
            parts.push(format!("password={}", q(password)));
        }
    }
    let mut add = |name: &str, value: &str| {
        if !value.is_empty() {
            parts.push(format!("{name}={}", q(value)));
        }
    };
    add("host", &url.host);
    add("path", &url.path);
    add("raw_path", &url.raw_path);
    if url.omit_host {
        parts.push("omit_host".to_owned());
    }
    if url.force_query {
        parts.push("force_query".to_owned());
    }
    let mut add = |name: &str, value: &str| {
        if !value.is_empty() {
            parts.push(format!("{name}={}", q(value)));
        }
    };
    add("raw_query", &url.raw_query);
    add("fragment", &url.fragment);
    add("raw_fragment", &url.raw_fragment);
    format!(
        "{} | {url} | hostname={} port={} epath={} uri={} redacted={} abs={}",
        parts.join(" "),
        q(url.hostname()),
        q(url.port()),
        q(&url.escaped_path()),
        q(&url.request_uri()),
        q(&url.redacted()),
        url.is_abs()
    )
}

/// (input, `url.Parse` summary, `url.ParseRequestURI` summary or "" when identical).
#[rustfmt::skip]
const PARSE_CASES: &[(&str, &str, &str)] = &[
    ("https://proxy.golang.org", "scheme=\"https\" host=\"proxy.golang.org\" | https://proxy.golang.org | hostname=\"proxy.golang.org\" port=\"\" epath=\"\" uri=\"/\" redacted=\"https://proxy.golang.org\" abs=true", ""),
    ("https://proxy.golang.org/", "scheme=\"https\" host=\"proxy.golang.org\" path=\"/\" | https://proxy.golang.org/ | hostname=\"proxy.golang.org\" port=\"\" epath=\"/\" uri=\"/\" redacted=\"https://proxy.golang.org/\" abs=true", ""),
    ("https://proxy.golang.org:443/path/to?x=1#frag", "scheme=\"https\" host=\"proxy.golang.org:443\" path=\"/path/to\" raw_query=\"x=1\" fragment=\"frag\" | https://proxy.golang.org:443/path/to?x=1#frag | hostname=\"proxy.golang.org\" port=\"443\" epath=\"/path/to\" uri=\"/path/to?x=1\" redacted=\"https://proxy.golang.org:443/path/to?x=1#frag\" abs=true", "scheme=\"https\" host=\"proxy.golang.org:443\" path=\"/path/to\" raw_query=\"x=1#frag\" | https://proxy.golang.org:443/path/to?x=1#frag | hostname=\"proxy.golang.org\" port=\"443\" epath=\"/path/to\" uri=\"/path/to?x=1#frag\" redacted=\"https://proxy.golang.org:443/path/to?x=1#frag\" abs=true"),
    ("http://user:pass@host:8080/p?q#f", "scheme=\"http\" user=\"user\" password=\"pass\" host=\"host:8080\" path=\"/p\" raw_query=\"q\" fragment=\"f\" | http://user:pass@host:8080/p?q#f | hostname=\"host\" port=\"8080\" epath=\"/p\" uri=\"/p?q\" redacted=\"http://user:xxxxx@host:8080/p?q#f\" abs=true", "scheme=\"http\" user=\"user\" password=\"pass\" host=\"host:8080\" path=\"/p\" raw_query=\"q#f\" | http://user:pass@host:8080/p?q#f | hostname=\"host\" port=\"8080\" epath=\"/p\" uri=\"/p?q#f\" redacted=\"http://user:xxxxx@host:8080/p?q#f\" abs=true"),
    ("http://user@host", "scheme=\"http\" user=\"user\" host=\"host\" | http://user@host | hostname=\"host\" port=\"\" epath=\"\" uri=\"/\" redacted=\"http://user@host\" abs=true", ""),
    ("http://user:@host", "scheme=\"http\" user=\"user\" password=\"\" host=\"host\" | http://user:@host | hostname=\"host\" port=\"\" epath=\"\" uri=\"/\" redacted=\"http://user:xxxxx@host\" abs=true", ""),
    ("http://:pass@host", "scheme=\"http\" user=\"\" password=\"pass\" host=\"host\" | http://:pass@host | hostname=\"host\" port=\"\" epath=\"\" uri=\"/\" redacted=\"http://:xxxxx@host\" abs=true", ""),
    ("http://us%40er:p%3Ass@host/", "scheme=\"http\" user=\"us@er\" password=\"p:ss\" host=\"host\" path=\"/\" | http://us%40er:p%3Ass@host/ | hostname=\"host\" port=\"\" epath=\"/\" uri=\"/\" redacted=\"http://us%40er:xxxxx@host/\" abs=true", ""),
    ("http://user:p@ss@host/", "scheme=\"http\" user=\"user\" password=\"p@ss\" host=\"host\" path=\"/\" | http://user:p%40ss@host/ | hostname=\"host\" port=\"\" epath=\"/\" uri=\"/\" redacted=\"http://user:xxxxx@host/\" abs=true", ""),
    ("http://a@b@c/", "scheme=\"http\" user=\"a@b\" host=\"c\" path=\"/\" | http://a%40b@c/ | hostname=\"c\" port=\"\" epath=\"/\" uri=\"/\" redacted=\"http://a%40b@c/\" abs=true", ""),
    ("http://user:pa:ss@host/", "scheme=\"http\" user=\"user\" password=\"pa:ss\" host=\"host\" path=\"/\" | http://user:pa%3Ass@host/ | hostname=\"host\" port=\"\" epath=\"/\" uri=\"/\" redacted=\"http://user:xxxxx@host/\" abs=true", ""),
    ("http://a%3Ab:c%40d@x/", "scheme=\"http\" user=\"a:b\" password=\"c@d\" host=\"x\" path=\"/\" | http://a%3Ab:c%40d@x/ | hostname=\"x\" port=\"\" epath=\"/\" uri=\"/\" redacted=\"http://a%3Ab:xxxxx@x/\" abs=true", ""),
    ("http://%zz@host/", "error: parse \"http://%zz@host/\": invalid URL escape \"%zz\"", ""),
    ("http://a:%zz@host/", "error: parse \"http://a:%zz@host/\": invalid URL escape \"%zz\"", ""),
    ("http://user name@host", "error: parse \"http://user name@host\": net/url: invalid userinfo", ""),
    ("http://ü@host/", "error: parse \"http://ü@host/\": net/url: invalid userinfo", ""),
    ("http://a/b@c", "scheme=\"http\" host=\"a\" path=\"/b@c\" | http://a/b@c | hostname=\"a\" port=\"\" epath=\"/b@c\" uri=\"/b@c\" redacted=\"http://a/b@c\" abs=true", ""),
    ("http://[::1]@x/", "error: parse \"http://[::1]@x/\": net/url: invalid userinfo", ""),
    ("http://u:p@[::1]:80/", "scheme=\"http\" user=\"u\" password=\"p\" host=\"[::1]:80\" path=\"/\" | http://u:p@[::1]:80/ | hostname=\"::1\" port=\"80\" epath=\"/\" uri=\"/\" redacted=\"http://u:xxxxx@[::1]:80/\" abs=true", ""),
    ("file:///abs/path", "scheme=\"file\" path=\"/abs/path\" | file:///abs/path | hostname=\"\" port=\"\" epath=\"/abs/path\" uri=\"/abs/path\" redacted=\"file:///abs/path\" abs=true", ""),
    ("file:/srv/x", "scheme=\"file\" path=\"/srv/x\" omit_host | file:/srv/x | hostname=\"\" port=\"\" epath=\"/srv/x\" uri=\"/srv/x\" redacted=\"file:/srv/x\" abs=true", ""),
    ("file://localhost/x", "scheme=\"file\" host=\"localhost\" path=\"/x\" | file://localhost/x | hostname=\"localhost\" port=\"\" epath=\"/x\" uri=\"/x\" redacted=\"file://localhost/x\" abs=true", ""),
    ("file:relative", "scheme=\"file\" opaque=\"relative\" | file:relative | hostname=\"\" port=\"\" epath=\"\" uri=\"relative\" redacted=\"file:relative\" abs=true", ""),
    ("file://", "scheme=\"file\" | file: | hostname=\"\" port=\"\" epath=\"\" uri=\"/\" redacted=\"file:\" abs=true", ""),
    ("file:", "scheme=\"file\" | file: | hostname=\"\" port=\"\" epath=\"\" uri=\"/\" redacted=\"file:\" abs=true", ""),
    ("file:///", "scheme=\"file\" path=\"/\" | file:/// | hostname=\"\" port=\"\" epath=\"/\" uri=\"/\" redacted=\"file:///\" abs=true", ""),
    ("mailto:user@example.com", "scheme=\"mailto\" opaque=\"user@example.com\" | mailto:user@example.com | hostname=\"\" port=\"\" epath=\"\" uri=\"user@example.com\" redacted=\"mailto:user@example.com\" abs=true", ""),
    ("mailto:user@example.com?subject=hi", "scheme=\"mailto\" opaque=\"user@example.com\" raw_query=\"subject=hi\" | mailto:user@example.com?subject=hi | hostname=\"\" port=\"\" epath=\"\" uri=\"user@example.com?subject=hi\" redacted=\"mailto:user@example.com?subject=hi\" abs=true", ""),
    ("https:/proxy.example.com", "scheme=\"https\" path=\"/proxy.example.com\" omit_host | https:/proxy.example.com | hostname=\"\" port=\"\" epath=\"/proxy.example.com\" uri=\"/proxy.example.com\" redacted=\"https:/proxy.example.com\" abs=true", ""),
    ("https:proxy.example.com", "scheme=\"https\" opaque=\"proxy.example.com\" | https:proxy.example.com | hostname=\"\" port=\"\" epath=\"\" uri=\"proxy.example.com\" redacted=\"https:proxy.example.com\" abs=true", ""),
    ("https:", "scheme=\"https\" | https: | hostname=\"\" port=\"\" epath=\"\" uri=\"/\" redacted=\"https:\" abs=true", ""),
    ("https://", "scheme=\"https\" | https: | hostname=\"\" port=\"\" epath=\"\" uri=\"/\" redacted=\"https:\" abs=true", ""),
    ("https:?", "scheme=\"https\" force_query | https:? | hostname=\"\" port=\"\" epath=\"\" uri=\"/?\" redacted=\"https:?\" abs=true", ""),
    ("https:#f", "scheme=\"https\" fragment=\"f\" | https:#f | hostname=\"\" port=\"\" epath=\"\" uri=\"/\" redacted=\"https:#f\" abs=true", "scheme=\"https\" opaque=\"#f\" | https:#f | hostname=\"\" port=\"\" epath=\"\" uri=\"#f\" redacted=\"https:#f\" abs=true"),
    ("http:opaque?q#f", "scheme=\"http\" opaque=\"opaque\" raw_query=\"q\" fragment=\"f\" | http:opaque?q#f | hostname=\"\" port=\"\" epath=\"\" uri=\"opaque?q\" redacted=\"http:opaque?q#f\" abs=true", "scheme=\"http\" opaque=\"opaque\" raw_query=\"q#f\" | http:opaque?q#f | hostname=\"\" port=\"\" epath=\"\" uri=\"opaque?q#f\" redacted=\"http:opaque?q#f\" abs=true"),
    ("scheme:/", "scheme=\"scheme\" path=\"/\" omit_host | scheme:/ | hostname=\"\" port=\"\" epath=\"/\" uri=\"/\" redacted=\"scheme:/\" abs=true", ""),
    ("scheme://", "scheme=\"scheme\" | scheme: | hostname=\"\" port=\"\" epath=\"\" uri=\"/\" redacted=\"scheme:\" abs=true", ""),
    ("scheme:///", "scheme=\"scheme\" path=\"/\" | scheme:/// | hostname=\"\" port=\"\" epath=\"/\" uri=\"/\" redacted=\"scheme:///\" abs=true", ""),
    ("scheme:////x", "scheme=\"scheme\" path=\"//x\" | scheme:////x | hostname=\"\" port=\"\" epath=\"//x\" uri=\"//x\" redacted=\"scheme:////x\" abs=true", ""),
    ("http:////x", "scheme=\"http\" path=\"//x\" | http:////x | hostname=\"\" port=\"\" epath=\"//x\" uri=\"//x\" redacted=\"http:////x\" abs=true", ""),
    ("proxy.example.com", "path=\"proxy.example.com\" | proxy.example.com | hostname=\"\" port=\"\" epath=\"proxy.example.com\" uri=\"proxy.example.com\" redacted=\"proxy.example.com\" abs=false", "error: parse \"proxy.example.com\": invalid URI for request"),
    ("proxy.example.com/path", "path=\"proxy.example.com/path\" | proxy.example.com/path | hostname=\"\" port=\"\" epath=\"proxy.example.com/path\" uri=\"proxy.example.com/path\" redacted=\"proxy.example.com/path\" abs=false", "error: parse \"proxy.example.com/path\": invalid URI for request"),
    ("/abs/path", "path=\"/abs/path\" | /abs/path | hostname=\"\" port=\"\" epath=\"/abs/path\" uri=\"/abs/path\" redacted=\"/abs/path\" abs=false", ""),
    ("rel/path", "path=\"rel/path\" | rel/path | hostname=\"\" port=\"\" epath=\"rel/path\" uri=\"rel/path\" redacted=\"rel/path\" abs=false", "error: parse \"rel/path\": invalid URI for request"),
    ("./a:b", "path=\"./a:b\" | ./a:b | hostname=\"\" port=\"\" epath=\"./a:b\" uri=\"./a:b\" redacted=\"./a:b\" abs=false", "error: parse \"./a:b\": invalid URI for request"),
    ("a:b", "scheme=\"a\" opaque=\"b\" | a:b | hostname=\"\" port=\"\" epath=\"\" uri=\"b\" redacted=\"a:b\" abs=true", ""),
    ("//host/path", "host=\"host\" path=\"/path\" | //host/path | hostname=\"host\" port=\"\" epath=\"/path\" uri=\"/path\" redacted=\"//host/path\" abs=false", "path=\"//host/path\" | //host/path | hostname=\"\" port=\"\" epath=\"//host/path\" uri=\"//host/path\" redacted=\"//host/path\" abs=false"),
    ("///triple", "path=\"///triple\" | ///triple | hostname=\"\" port=\"\" epath=\"///triple\" uri=\"///triple\" redacted=\"///triple\" abs=false", ""),
    ("//", " |  | hostname=\"\" port=\"\" epath=\"\" uri=\"/\" redacted=\"\" abs=false", "path=\"//\" | // | hostname=\"\" port=\"\" epath=\"//\" uri=\"//\" redacted=\"//\" abs=false"),
    ("*", "path=\"*\" | * | hostname=\"\" port=\"\" epath=\"*\" uri=\"*\" redacted=\"*\" abs=false", ""),
    ("", " |  | hostname=\"\" port=\"\" epath=\"\" uri=\"/\" redacted=\"\" abs=false", "error: parse \"\": empty url"),
    ("?", "force_query | ? | hostname=\"\" port=\"\" epath=\"\" uri=\"/?\" redacted=\"?\" abs=false", "error: parse \"?\": invalid URI for request"),
    ("#", " |  | hostname=\"\" port=\"\" epath=\"\" uri=\"/\" redacted=\"\" abs=false", "error: parse \"#\": invalid URI for request"),
    ("?q", "raw_query=\"q\" | ?q | hostname=\"\" port=\"\" epath=\"\" uri=\"/?q\" redacted=\"?q\" abs=false", "error: parse \"?q\": invalid URI for request"),
    ("#f", "fragment=\"f\" | #f | hostname=\"\" port=\"\" epath=\"\" uri=\"/\" redacted=\"#f\" abs=false", "error: parse \"#f\": invalid URI for request"),
    ("/?", "path=\"/\" force_query | /? | hostname=\"\" port=\"\" epath=\"/\" uri=\"/?\" redacted=\"/?\" abs=false", ""),
    ("//?", "force_query | ? | hostname=\"\" port=\"\" epath=\"\" uri=\"/?\" redacted=\"?\" abs=false", "path=\"//\" force_query | //? | hostname=\"\" port=\"\" epath=\"//\" uri=\"//?\" redacted=\"//?\" abs=false"),
    ("a?b:c", "path=\"a\" raw_query=\"b:c\" | a?b:c | hostname=\"\" port=\"\" epath=\"a\" uri=\"a?b:c\" redacted=\"a?b:c\" abs=false", "error: parse \"a?b:c\": invalid URI for request"),
    ("x/y:z", "path=\"x/y:z\" | x/y:z | hostname=\"\" port=\"\" epath=\"x/y:z\" uri=\"x/y:z\" redacted=\"x/y:z\" abs=false", "error: parse \"x/y:z\": invalid URI for request"),
    ("http://[::1]:3128", "scheme=\"http\" host=\"[::1]:3128\" | http://[::1]:3128 | hostname=\"::1\" port=\"3128\" epath=\"\" uri=\"/\" redacted=\"http://[::1]:3128\" abs=true", ""),
    ("http://[::1]", "scheme=\"http\" host=\"[::1]\" | http://[::1] | hostname=\"::1\" port=\"\" epath=\"\" uri=\"/\" redacted=\"http://[::1]\" abs=true", ""),
    ("http://[fe80::1%25en0]:8080/", "scheme=\"http\" host=\"[fe80::1%en0]:8080\" path=\"/\" | http://[fe80::1%25en0]:8080/ | hostname=\"fe80::1%en0\" port=\"8080\" epath=\"/\" uri=\"/\" redacted=\"http://[fe80::1%25en0]:8080/\" abs=true", ""),
    ("http://[fe80::1%25%65n0]/", "scheme=\"http\" host=\"[fe80::1%en0]\" path=\"/\" | http://[fe80::1%25en0]/ | hostname=\"fe80::1%en0\" port=\"\" epath=\"/\" uri=\"/\" redacted=\"http://[fe80::1%25en0]/\" abs=true", ""),
    ("http://[::ffff:1.2.3.4]/", "scheme=\"http\" host=\"[::ffff:1.2.3.4]\" path=\"/\" | http://[::ffff:1.2.3.4]/ | hostname=\"::ffff:1.2.3.4\" port=\"\" epath=\"/\" uri=\"/\" redacted=\"http://[::ffff:1.2.3.4]/\" abs=true", ""),
    ("http://[fe80::1%25en%200]/", "scheme=\"http\" host=\"[fe80::1%en 0]\" path=\"/\" | http://[fe80::1%25en%200]/ | hostname=\"fe80::1%en 0\" port=\"\" epath=\"/\" uri=\"/\" redacted=\"http://[fe80::1%25en%200]/\" abs=true", ""),
    ("http://[fe80::1%25%00]/", "error: parse \"http://[fe80::1%25%00]/\": invalid URL escape \"%00\"", ""),
    ("http://[fe80::1%25%2F]/", "error: parse \"http://[fe80::1%25%2F]/\": invalid URL escape \"%2F\"", ""),
    ("http://[fe80::1%25a%25b]/", "scheme=\"http\" host=\"[fe80::1%a%b]\" path=\"/\" | http://[fe80::1%25a%25b]/ | hostname=\"fe80::1%a%b\" port=\"\" epath=\"/\" uri=\"/\" redacted=\"http://[fe80::1%25a%25b]/\" abs=true", ""),
    ("http://[fe80::1%en0]/", "error: parse \"http://[fe80::1%en0]/\": invalid URL escape \"%en\"", ""),
    ("http://[FE80::A]/", "scheme=\"http\" host=\"[FE80::A]\" path=\"/\" | http://[FE80::A]/ | hostname=\"FE80::A\" port=\"\" epath=\"/\" uri=\"/\" redacted=\"http://[FE80::A]/\" abs=true", ""),
    ("http://host/%2Fpath%2f", "scheme=\"http\" host=\"host\" path=\"//path/\" raw_path=\"/%2Fpath%2f\" | http://host/%2Fpath%2f | hostname=\"host\" port=\"\" epath=\"/%2Fpath%2f\" uri=\"/%2Fpath%2f\" redacted=\"http://host/%2Fpath%2f\" abs=true", ""),
    ("http://host/a%20b", "scheme=\"http\" host=\"host\" path=\"/a b\" | http://host/a%20b | hostname=\"host\" port=\"\" epath=\"/a%20b\" uri=\"/a%20b\" redacted=\"http://host/a%20b\" abs=true", ""),
    ("http://host/a b", "scheme=\"http\" host=\"host\" path=\"/a b\" raw_path=\"/a b\" | http://host/a%20b | hostname=\"host\" port=\"\" epath=\"/a%20b\" uri=\"/a%20b\" redacted=\"http://host/a%20b\" abs=true", ""),
    ("http://host/ü", "scheme=\"http\" host=\"host\" path=\"/ü\" raw_path=\"/ü\" | http://host/%C3%BC | hostname=\"host\" port=\"\" epath=\"/%C3%BC\" uri=\"/%C3%BC\" redacted=\"http://host/%C3%BC\" abs=true", ""),
    ("http://bücher.example/", "scheme=\"http\" host=\"bücher.example\" path=\"/\" | http://b%C3%BCcher.example/ | hostname=\"bücher.example\" port=\"\" epath=\"/\" uri=\"/\" redacted=\"http://b%C3%BCcher.example/\" abs=true", ""),
    ("http://host/p?q=1&r=2", "scheme=\"http\" host=\"host\" path=\"/p\" raw_query=\"q=1&r=2\" | http://host/p?q=1&r=2 | hostname=\"host\" port=\"\" epath=\"/p\" uri=\"/p?q=1&r=2\" redacted=\"http://host/p?q=1&r=2\" abs=true", ""),
    ("http://host/p?", "scheme=\"http\" host=\"host\" path=\"/p\" force_query | http://host/p? | hostname=\"host\" port=\"\" epath=\"/p\" uri=\"/p?\" redacted=\"http://host/p?\" abs=true", ""),
    ("http://host/p??", "scheme=\"http\" host=\"host\" path=\"/p\" raw_query=\"?\" | http://host/p?? | hostname=\"host\" port=\"\" epath=\"/p\" uri=\"/p??\" redacted=\"http://host/p??\" abs=true", ""),
    ("http://host/p?a?b", "scheme=\"http\" host=\"host\" path=\"/p\" raw_query=\"a?b\" | http://host/p?a?b | hostname=\"host\" port=\"\" epath=\"/p\" uri=\"/p?a?b\" redacted=\"http://host/p?a?b\" abs=true", ""),
    ("http://host#", "scheme=\"http\" host=\"host\" | http://host | hostname=\"host\" port=\"\" epath=\"\" uri=\"/\" redacted=\"http://host\" abs=true", "error: parse \"http://host#\": invalid character \"#\" in host name"),
    ("http://host/#a%20b", "scheme=\"http\" host=\"host\" path=\"/\" fragment=\"a b\" | http://host/#a%20b | hostname=\"host\" port=\"\" epath=\"/\" uri=\"/\" redacted=\"http://host/#a%20b\" abs=true", "scheme=\"http\" host=\"host\" path=\"/#a b\" raw_path=\"/#a%20b\" | http://host/%23a%20b | hostname=\"host\" port=\"\" epath=\"/%23a%20b\" uri=\"/%23a%20b\" redacted=\"http://host/%23a%20b\" abs=true"),
    ("http://host/#frag%2f", "scheme=\"http\" host=\"host\" path=\"/\" fragment=\"frag/\" raw_fragment=\"frag%2f\" | http://host/#frag%2f | hostname=\"host\" port=\"\" epath=\"/\" uri=\"/\" redacted=\"http://host/#frag%2f\" abs=true", "scheme=\"http\" host=\"host\" path=\"/#frag/\" raw_path=\"/#frag%2f\" | http://host/%23frag/ | hostname=\"host\" port=\"\" epath=\"/%23frag/\" uri=\"/%23frag/\" redacted=\"http://host/%23frag/\" abs=true"),
    ("http://host/#a b", "scheme=\"http\" host=\"host\" path=\"/\" fragment=\"a b\" raw_fragment=\"a b\" | http://host/#a%20b | hostname=\"host\" port=\"\" epath=\"/\" uri=\"/\" redacted=\"http://host/#a%20b\" abs=true", "scheme=\"http\" host=\"host\" path=\"/#a b\" raw_path=\"/#a b\" | http://host/%23a%20b | hostname=\"host\" port=\"\" epath=\"/%23a%20b\" uri=\"/%23a%20b\" redacted=\"http://host/%23a%20b\" abs=true"),
    ("http://host/#!()*'", "scheme=\"http\" host=\"host\" path=\"/\" fragment=\"!()*'\" raw_fragment=\"!()*'\" | http://host/#!()*' | hostname=\"host\" port=\"\" epath=\"/\" uri=\"/\" redacted=\"http://host/#!()*'\" abs=true", "scheme=\"http\" host=\"host\" path=\"/#!()*'\" raw_path=\"/#!()*'\" | http://host/%23%21%28%29%2A%27 | hostname=\"host\" port=\"\" epath=\"/%23%21%28%29%2A%27\" uri=\"/%23%21%28%29%2A%27\" redacted=\"http://host/%23%21%28%29%2A%27\" abs=true"),
    ("http://host/#%41", "scheme=\"http\" host=\"host\" path=\"/\" fragment=\"A\" raw_fragment=\"%41\" | http://host/#%41 | hostname=\"host\" port=\"\" epath=\"/\" uri=\"/\" redacted=\"http://host/#%41\" abs=true", "scheme=\"http\" host=\"host\" path=\"/#A\" raw_path=\"/#%41\" | http://host/%23A | hostname=\"host\" port=\"\" epath=\"/%23A\" uri=\"/%23A\" redacted=\"http://host/%23A\" abs=true"),
    ("http://host/%41", "scheme=\"http\" host=\"host\" path=\"/A\" raw_path=\"/%41\" | http://host/%41 | hostname=\"host\" port=\"\" epath=\"/%41\" uri=\"/%41\" redacted=\"http://host/%41\" abs=true", ""),
    ("http://host/a%3Fb", "scheme=\"http\" host=\"host\" path=\"/a?b\" | http://host/a%3Fb | hostname=\"host\" port=\"\" epath=\"/a%3Fb\" uri=\"/a%3Fb\" redacted=\"http://host/a%3Fb\" abs=true", ""),
    ("http://host/a%25b", "scheme=\"http\" host=\"host\" path=\"/a%b\" | http://host/a%25b | hostname=\"host\" port=\"\" epath=\"/a%25b\" uri=\"/a%25b\" redacted=\"http://host/a%25b\" abs=true", ""),
    ("HTTP://Host.Example/", "scheme=\"http\" host=\"Host.Example\" path=\"/\" | http://Host.Example/ | hostname=\"Host.Example\" port=\"\" epath=\"/\" uri=\"/\" redacted=\"http://Host.Example/\" abs=true", ""),
    ("a+b-c.d://x", "scheme=\"a+b-c.d\" host=\"x\" | a+b-c.d://x | hostname=\"x\" port=\"\" epath=\"\" uri=\"/\" redacted=\"a+b-c.d://x\" abs=true", ""),
    ("A1://x", "scheme=\"a1\" host=\"x\" | a1://x | hostname=\"x\" port=\"\" epath=\"\" uri=\"/\" redacted=\"a1://x\" abs=true", ""),
    ("http://host:/", "scheme=\"http\" host=\"host:\" path=\"/\" | http://host:/ | hostname=\"host\" port=\"\" epath=\"/\" uri=\"/\" redacted=\"http://host:/\" abs=true", ""),
    ("http://host:80:/", "error: parse \"http://host:80:/\": invalid port \":80:\" after host", ""),
    ("postgres://h1:5432,h2:5433/db", "scheme=\"postgres\" host=\"h1:5432,h2:5433\" path=\"/db\" | postgres://h1:5432,h2:5433/db | hostname=\"h1:5432,h2\" port=\"5433\" epath=\"/db\" uri=\"/db\" redacted=\"postgres://h1:5432,h2:5433/db\" abs=true", ""),
    ("mongodb://a:1,b:2/", "scheme=\"mongodb\" host=\"a:1,b:2\" path=\"/\" | mongodb://a:1,b:2/ | hostname=\"a:1,b\" port=\"2\" epath=\"/\" uri=\"/\" redacted=\"mongodb://a:1,b:2/\" abs=true", ""),
    ("http://a%25b/", "scheme=\"http\" host=\"a%b\" path=\"/\" | http://a%25b/ | hostname=\"a%b\" port=\"\" epath=\"/\" uri=\"/\" redacted=\"http://a%25b/\" abs=true", ""),
    ("http://%c3%bc/", "scheme=\"http\" host=\"ü\" path=\"/\" | http://%C3%BC/ | hostname=\"ü\" port=\"\" epath=\"/\" uri=\"/\" redacted=\"http://%C3%BC/\" abs=true", ""),
    ("http://x/?a=%zz", "scheme=\"http\" host=\"x\" path=\"/\" raw_query=\"a=%zz\" | http://x/?a=%zz | hostname=\"x\" port=\"\" epath=\"/\" uri=\"/?a=%zz\" redacted=\"http://x/?a=%zz\" abs=true", ""),
    ("http://x/;params", "scheme=\"http\" host=\"x\" path=\"/;params\" | http://x/;params | hostname=\"x\" port=\"\" epath=\"/;params\" uri=\"/;params\" redacted=\"http://x/;params\" abs=true", ""),
    ("http://x/a;b,c", "scheme=\"http\" host=\"x\" path=\"/a;b,c\" | http://x/a;b,c | hostname=\"x\" port=\"\" epath=\"/a;b,c\" uri=\"/a;b,c\" redacted=\"http://x/a;b,c\" abs=true", ""),
    ("http://x:0/", "scheme=\"http\" host=\"x:0\" path=\"/\" | http://x:0/ | hostname=\"x\" port=\"0\" epath=\"/\" uri=\"/\" redacted=\"http://x:0/\" abs=true", ""),
    ("http://x:99999/", "scheme=\"http\" host=\"x:99999\" path=\"/\" | http://x:99999/ | hostname=\"x\" port=\"99999\" epath=\"/\" uri=\"/\" redacted=\"http://x:99999/\" abs=true", ""),
    ("https://proxy.golang.org,direct", "scheme=\"https\" host=\"proxy.golang.org,direct\" | https://proxy.golang.org,direct | hostname=\"proxy.golang.org,direct\" port=\"\" epath=\"\" uri=\"/\" redacted=\"https://proxy.golang.org,direct\" abs=true", ""),
    ("https://proxy.golang.org|direct", "error: parse \"https://proxy.golang.org|direct\": invalid character \"|\" in host name", ""),
    ("http://<host>/", "scheme=\"http\" host=\"<host>\" path=\"/\" | http://<host>/ | hostname=\"<host>\" port=\"\" epath=\"/\" uri=\"/\" redacted=\"http://<host>/\" abs=true", ""),
    ("http://h\"q/", "scheme=\"http\" host=\"h\\\"q\" path=\"/\" | http://h\"q/ | hostname=\"h\\\"q\" port=\"\" epath=\"/\" uri=\"/\" redacted=\"http://h\\\"q/\" abs=true", ""),
    ("http://a b/", "error: parse \"http://a b/\": invalid character \" \" in host name", ""),
    ("https://proxy.golang.org direct", "error: parse \"https://proxy.golang.org direct\": invalid character \" \" in host name", ""),
    ("https://%zz", "error: parse \"https://%zz\": invalid URL escape \"%zz\"", ""),
    ("http://%41/", "error: parse \"http://%41/\": invalid URL escape \"%41\"", ""),
    ("http://%7f/", "error: parse \"http://%7f/\": invalid URL escape \"%7f\"", ""),
    ("http://x/%", "error: parse \"http://x/%\": invalid URL escape \"%\"", ""),
    ("http://x/%a", "error: parse \"http://x/%a\": invalid URL escape \"%a\"", ""),
    ("http://x/%zzz", "error: parse \"http://x/%zzz\": invalid URL escape \"%zz\"", ""),
    ("http://x/%é", "error: parse \"http://x/%é\": invalid URL escape \"%é\"", ""),
    ("http://x/%aé", "error: parse \"http://x/%aé\": invalid URL escape \"%a\\xc3\"", ""),
    ("http://x#%zz", "error: parse \"http://x#%zz\": invalid URL escape \"%zz\"", "error: parse \"http://x#%zz\": invalid character \"#\" in host name"),
    ("http://x#%", "error: parse \"http://x#%\": invalid URL escape \"%\"", "error: parse \"http://x#%\": invalid character \"#\" in host name"),
    ("http://x/\x7f", "error: parse \"http://x/\\x7f\": net/url: invalid control character in URL", ""),
    ("http://x/\n", "error: parse \"http://x/\\n\": net/url: invalid control character in URL", ""),
    ("http://x/\t", "error: parse \"http://x/\\t\": net/url: invalid control character in URL", ""),
    ("\x00", "error: parse \"\\x00\": net/url: invalid control character in URL", ""),
    (":foo", "error: parse \":foo\": missing protocol scheme", ""),
    (":", "error: parse \":\": missing protocol scheme", ""),
    ("1http://x", "error: parse \"1http://x\": first path segment in URL cannot contain colon", "error: parse \"1http://x\": invalid URI for request"),
    ("cache_object:foo/bar", "error: parse \"cache_object:foo/bar\": first path segment in URL cannot contain colon", "error: parse \"cache_object:foo/bar\": invalid URI for request"),
    ("http://[::1", "error: parse \"http://[::1\": missing ']' in host", ""),
    ("http://[::1]x", "error: parse \"http://[::1]x\": invalid port \"x\" after host", ""),
    ("http://[::1]:x", "error: parse \"http://[::1]:x\": invalid port \":x\" after host", ""),
    ("http://a[::1]/", "error: parse \"http://a[::1]/\": invalid IP-literal", ""),
    ("http://[1.2.3.4]/", "error: parse \"http://[1.2.3.4]/\": invalid IP-literal", ""),
    ("http://[zz]/", "error: parse \"http://[zz]/\": invalid host: ParseAddr(\"zz\"): unable to parse IP", ""),
    ("http://[::1%25]/", "error: parse \"http://[::1%25]/\": invalid host: ParseAddr(\"::1%\"): zone must be a non-empty string", ""),
    ("http://[%25en0]/", "error: parse \"http://[%25en0]/\": invalid host: ParseAddr(\"%en0\"): missing IPv6 address", ""),
    ("http://[1:2:3:4:5:6:7:8:9]/", "error: parse \"http://[1:2:3:4:5:6:7:8:9]/\": invalid host: ParseAddr(\"1:2:3:4:5:6:7:8:9\"): trailing garbage after address (at \"9\")", ""),
    ("http://[::1.2.3.4]/", "scheme=\"http\" host=\"[::1.2.3.4]\" path=\"/\" | http://[::1.2.3.4]/ | hostname=\"::1.2.3.4\" port=\"\" epath=\"/\" uri=\"/\" redacted=\"http://[::1.2.3.4]/\" abs=true", ""),
    ("http://[1::2::3]/", "error: parse \"http://[1::2::3]/\": invalid host: ParseAddr(\"1::2::3\"): multiple :: in address (at \":3\")", ""),
    ("http://[12345::]/", "error: parse \"http://[12345::]/\": invalid host: ParseAddr(\"12345::\"): each group must have 4 or less digits (at \"12345::\")", ""),
    ("http://[1:2]/", "error: parse \"http://[1:2]/\": invalid host: ParseAddr(\"1:2\"): address string too short", ""),
    ("http://[::1:]/", "error: parse \"http://[::1:]/\": invalid host: ParseAddr(\"::1:\"): colon must be followed by more characters (at \":\")", ""),
    ("http://[1:2:3:4:5:6:7::8]/", "error: parse \"http://[1:2:3:4:5:6:7::8]/\": invalid host: ParseAddr(\"1:2:3:4:5:6:7::8\"): the :: must expand to at least one field of zeros", ""),
    ("http://[1:2:3:4:5:6:1.2.3.4]/", "scheme=\"http\" host=\"[1:2:3:4:5:6:1.2.3.4]\" path=\"/\" | http://[1:2:3:4:5:6:1.2.3.4]/ | hostname=\"1:2:3:4:5:6:1.2.3.4\" port=\"\" epath=\"/\" uri=\"/\" redacted=\"http://[1:2:3:4:5:6:1.2.3.4]/\" abs=true", ""),
    ("http://[1:2:3:4:5:1.2.3.4]/", "error: parse \"http://[1:2:3:4:5:1.2.3.4]/\": invalid host: ParseAddr(\"1:2:3:4:5:1.2.3.4\"): embedded IPv4 address must replace the final 2 fields of the address (at \"1.2.3.4\")", ""),
    ("http://[::1.2.3]/", "error: parse \"http://[::1.2.3]/\": invalid host: ParseAddr(\"::1.2.3\"): IPv4 address too short", ""),
    ("http://[::01.2.3.4]/", "error: parse \"http://[::01.2.3.4]/\": invalid host: ParseAddr(\"::01.2.3.4\"): IPv4 field has octet with leading zero", ""),
    ("http://[::256.1.1.1]/", "error: parse \"http://[::256.1.1.1]/\": invalid host: ParseAddr(\"::256.1.1.1\"): IPv4 field has value >255", ""),
    ("http://[::1.2..3]/", "error: parse \"http://[::1.2..3]/\": invalid host: ParseAddr(\"::1.2..3\"): IPv4 field must have at least one digit (at \".3\")", ""),
    ("http://[::1.2.3.4.5]/", "error: parse \"http://[::1.2.3.4.5]/\": invalid host: ParseAddr(\"::1.2.3.4.5\"): IPv4 address too long", ""),
    ("http://[::1.2.3.x]/", "error: parse \"http://[::1.2.3.x]/\": invalid host: ParseAddr(\"::1.2.3.x\"): unexpected character (at \"x\")", ""),
    ("http://[1:2:3:4:5:6:7:1.2.3.4]/", "error: parse \"http://[1:2:3:4:5:6:7:1.2.3.4]/\": invalid host: ParseAddr(\"1:2:3:4:5:6:7:1.2.3.4\"): embedded IPv4 address must replace the final 2 fields of the address (at \"1.2.3.4\")", ""),
    ("http://[::1:2:3:4:5:6:7:1.2.3.4]/", "error: parse \"http://[::1:2:3:4:5:6:7:1.2.3.4]/\": invalid host: ParseAddr(\"::1:2:3:4:5:6:7:1.2.3.4\"): too many hex fields to fit an embedded IPv4 at the end of the address (at \"1.2.3.4\")", ""),
    ("http://[:1]/", "error: parse \"http://[:1]/\": invalid host: ParseAddr(\":1\"): each colon-separated field must have at least one digit (at \":1\")", ""),
    ("http://[1:g]/", "error: parse \"http://[1:g]/\": invalid host: ParseAddr(\"1:g\"): each colon-separated field must have at least one digit (at \"g\")", ""),
    ("http://[]/", "error: parse \"http://[]/\": invalid host: ParseAddr(\"\"): unable to parse IP", ""),
    ("http://[::]/", "scheme=\"http\" host=\"[::]\" path=\"/\" | http://[::]/ | hostname=\"::\" port=\"\" epath=\"/\" uri=\"/\" redacted=\"http://[::]/\" abs=true", ""),
    ("http://[::%25x]/", "scheme=\"http\" host=\"[::%x]\" path=\"/\" | http://[::%25x]/ | hostname=\"::%x\" port=\"\" epath=\"/\" uri=\"/\" redacted=\"http://[::%25x]/\" abs=true", ""),
    ("http://[1.2.3.4%25x]/", "error: parse \"http://[1.2.3.4%25x]/\": invalid host: ParseAddr(\"1.2.3.4%x\"): unexpected character (at \"%x\")", ""),
    ("http://[::1.2.3.4%25x]/", "scheme=\"http\" host=\"[::1.2.3.4%x]\" path=\"/\" | http://[::1.2.3.4%25x]/ | hostname=\"::1.2.3.4%x\" port=\"\" epath=\"/\" uri=\"/\" redacted=\"http://[::1.2.3.4%25x]/\" abs=true", ""),
    ("http://[.1.2.3]/", "error: parse \"http://[.1.2.3]/\": invalid host: ParseAddr(\".1.2.3\"): IPv4 field must have at least one digit (at \".1.2.3\")", ""),
    ("http://[1.2.3.]/", "error: parse \"http://[1.2.3.]/\": invalid host: ParseAddr(\"1.2.3.\"): IPv4 field must have at least one digit (at \".\")", ""),
    ("http://[1.2.3.4]:80/", "error: parse \"http://[1.2.3.4]:80/\": invalid IP-literal", ""),
    ("http://]/", "scheme=\"http\" host=\"]\" path=\"/\" | http://]/ | hostname=\"]\" port=\"\" epath=\"/\" uri=\"/\" redacted=\"http://]/\" abs=true", ""),
    ("http://a]b/", "scheme=\"http\" host=\"a]b\" path=\"/\" | http://a]b/ | hostname=\"a]b\" port=\"\" epath=\"/\" uri=\"/\" redacted=\"http://a]b/\" abs=true", ""),
    ("http://[::1]]/", "error: parse \"http://[::1]]/\": invalid host: ParseAddr(\"::1]\"): unexpected character, want colon (at \"]\")", ""),
    ("http://[[::1]/", "error: parse \"http://[[::1]/\": invalid IP-literal", ""),
    ("http://x:port/", "error: parse \"http://x:port/\": invalid port \":port\" after host", ""),
    ("http://a:b:c/", "error: parse \"http://a:b:c/\": invalid port \":b:c\" after host", ""),
    ("http://a::80/", "error: parse \"http://a::80/\": invalid port \"::80\" after host", ""),
    ("ftp://a:b:80/", "scheme=\"ftp\" host=\"a:b:80\" path=\"/\" | ftp://a:b:80/ | hostname=\"a:b\" port=\"80\" epath=\"/\" uri=\"/\" redacted=\"ftp://a:b:80/\" abs=true", ""),
    ("ftp://a:b:c/", "error: parse \"ftp://a:b:c/\": invalid port \":c\" after host", ""),
    ("https://proxy.golang.org:443:443/", "error: parse \"https://proxy.golang.org:443:443/\": invalid port \":443:443\" after host", ""),
    ("http://x/é?é#é", "scheme=\"http\" host=\"x\" path=\"/é\" raw_path=\"/é\" raw_query=\"é\" fragment=\"é\" raw_fragment=\"é\" | http://x/%C3%A9?é#%C3%A9 | hostname=\"x\" port=\"\" epath=\"/%C3%A9\" uri=\"/%C3%A9?é\" redacted=\"http://x/%C3%A9?é#%C3%A9\" abs=true", "scheme=\"http\" host=\"x\" path=\"/é\" raw_path=\"/é\" raw_query=\"é#é\" | http://x/%C3%A9?é#é | hostname=\"x\" port=\"\" epath=\"/%C3%A9\" uri=\"/%C3%A9?é#é\" redacted=\"http://x/%C3%A9?é#é\" abs=true"),
    ("http://x/./a/../b", "scheme=\"http\" host=\"x\" path=\"/./a/../b\" | http://x/./a/../b | hostname=\"x\" port=\"\" epath=\"/./a/../b\" uri=\"/./a/../b\" redacted=\"http://x/./a/../b\" abs=true", ""),
    ("HTTPS://EXAMPLE.COM:8443", "scheme=\"https\" host=\"EXAMPLE.COM:8443\" | https://EXAMPLE.COM:8443 | hostname=\"EXAMPLE.COM\" port=\"8443\" epath=\"\" uri=\"/\" redacted=\"https://EXAMPLE.COM:8443\" abs=true", ""),
    (" http://x", "error: parse \" http://x\": first path segment in URL cannot contain colon", "error: parse \" http://x\": invalid URI for request"),
    ("http://x ", "error: parse \"http://x \": invalid character \" \" in host name", ""),
    ("http://x/ ", "scheme=\"http\" host=\"x\" path=\"/ \" raw_path=\"/ \" | http://x/%20 | hostname=\"x\" port=\"\" epath=\"/%20\" uri=\"/%20\" redacted=\"http://x/%20\" abs=true", ""),
    ("http://\u{a0}x/", "scheme=\"http\" host=\"\\u00a0x\" path=\"/\" | http://%C2%A0x/ | hostname=\"\\u00a0x\" port=\"\" epath=\"/\" uri=\"/\" redacted=\"http://%C2%A0x/\" abs=true", ""),
    ("http://\u{a0}x:zz/", "error: parse \"http://\\u00a0x:zz/\": invalid port \":zz\" after host", ""),
    ("http://x\u{200b}/%zz", "error: parse \"http://x\\u200b/%zz\": invalid URL escape \"%zz\"", ""),
    ("http://é:zz/", "error: parse \"http://é:zz/\": invalid port \":zz\" after host", ""),
    ("http://x/\u{301}%zz", "error: parse \"http://x/\u{301}%zz\": invalid URL escape \"%zz\"", ""),
    ("http://x/😀%zz", "error: parse \"http://x/😀%zz\": invalid URL escape \"%zz\"", ""),
    ("http://x/\u{e0001}%zz", "error: parse \"http://x/\\U000e0001%zz\": invalid URL escape \"%zz\"", ""),
    ("http://x/\"\\%zz", "error: parse \"http://x/\\\"\\\\%zz\": invalid URL escape \"%zz\"", ""),
    ("http://x/\u{fffd}%zz", "error: parse \"http://x/\u{fffd}%zz\": invalid URL escape \"%zz\"", ""),
    ("https://sum.golang.org", "scheme=\"https\" host=\"sum.golang.org\" | https://sum.golang.org | hostname=\"sum.golang.org\" port=\"\" epath=\"\" uri=\"/\" redacted=\"https://sum.golang.org\" abs=true", ""),
    ("https://goproxy.io/?a=b", "scheme=\"https\" host=\"goproxy.io\" path=\"/\" raw_query=\"a=b\" | https://goproxy.io/?a=b | hostname=\"goproxy.io\" port=\"\" epath=\"/\" uri=\"/?a=b\" redacted=\"https://goproxy.io/?a=b\" abs=true", ""),
    ("socks5://user:p%40ss@proxy:1080", "scheme=\"socks5\" user=\"user\" password=\"p@ss\" host=\"proxy:1080\" | socks5://user:p%40ss@proxy:1080 | hostname=\"proxy\" port=\"1080\" epath=\"\" uri=\"/\" redacted=\"socks5://user:xxxxx@proxy:1080\" abs=true", ""),
    ("http://user:p%40ss@proxy.corp:3128", "scheme=\"http\" user=\"user\" password=\"p@ss\" host=\"proxy.corp:3128\" | http://user:p%40ss@proxy.corp:3128 | hostname=\"proxy.corp\" port=\"3128\" epath=\"\" uri=\"/\" redacted=\"http://user:xxxxx@proxy.corp:3128\" abs=true", ""),
    ("proxy.corp:3128", "scheme=\"proxy.corp\" opaque=\"3128\" | proxy.corp:3128 | hostname=\"\" port=\"\" epath=\"\" uri=\"3128\" redacted=\"proxy.corp:3128\" abs=true", ""),
    ("proxy.corp:notaport", "scheme=\"proxy.corp\" opaque=\"notaport\" | proxy.corp:notaport | hostname=\"\" port=\"\" epath=\"\" uri=\"notaport\" redacted=\"proxy.corp:notaport\" abs=true", ""),
    ("localhost:3000", "scheme=\"localhost\" opaque=\"3000\" | localhost:3000 | hostname=\"\" port=\"\" epath=\"\" uri=\"3000\" redacted=\"localhost:3000\" abs=true", ""),
    ("direct", "path=\"direct\" | direct | hostname=\"\" port=\"\" epath=\"direct\" uri=\"direct\" redacted=\"direct\" abs=false", "error: parse \"direct\": invalid URI for request"),
    ("off", "path=\"off\" | off | hostname=\"\" port=\"\" epath=\"off\" uri=\"off\" redacted=\"off\" abs=false", "error: parse \"off\": invalid URI for request"),
    ("http://http://proxy.corp:3128 ", "scheme=\"http\" host=\"http:\" path=\"//proxy.corp:3128 \" raw_path=\"//proxy.corp:3128 \" | http://http://proxy.corp:3128%20 | hostname=\"http\" port=\"\" epath=\"//proxy.corp:3128%20\" uri=\"//proxy.corp:3128%20\" redacted=\"http://http://proxy.corp:3128%20\" abs=true", ""),
    ("  http://proxy.corp:3128", "error: parse \"  http://proxy.corp:3128\": first path segment in URL cannot contain colon", "error: parse \"  http://proxy.corp:3128\": invalid URI for request"),
    ("http://x/a%2Fb?c%2Fd#e%2Ff", "scheme=\"http\" host=\"x\" path=\"/a/b\" raw_path=\"/a%2Fb\" raw_query=\"c%2Fd\" fragment=\"e/f\" raw_fragment=\"e%2Ff\" | http://x/a%2Fb?c%2Fd#e%2Ff | hostname=\"x\" port=\"\" epath=\"/a%2Fb\" uri=\"/a%2Fb?c%2Fd\" redacted=\"http://x/a%2Fb?c%2Fd#e%2Ff\" abs=true", "scheme=\"http\" host=\"x\" path=\"/a/b\" raw_path=\"/a%2Fb\" raw_query=\"c%2Fd#e%2Ff\" | http://x/a%2Fb?c%2Fd#e%2Ff | hostname=\"x\" port=\"\" epath=\"/a%2Fb\" uri=\"/a%2Fb?c%2Fd#e%2Ff\" redacted=\"http://x/a%2Fb?c%2Fd#e%2Ff\" abs=true"),
    ("//user@host", "user=\"user\" host=\"host\" | //user@host | hostname=\"host\" port=\"\" epath=\"\" uri=\"/\" redacted=\"//user@host\" abs=false", "path=\"//user@host\" | //user@host | hostname=\"\" port=\"\" epath=\"//user@host\" uri=\"//user@host\" redacted=\"//user@host\" abs=false"),
    ("//host:1", "host=\"host:1\" | //host:1 | hostname=\"host\" port=\"1\" epath=\"\" uri=\"/\" redacted=\"//host:1\" abs=false", "path=\"//host:1\" | //host:1 | hostname=\"\" port=\"\" epath=\"//host:1\" uri=\"//host:1\" redacted=\"//host:1\" abs=false"),
    ("//[::1]/x", "host=\"[::1]\" path=\"/x\" | //[::1]/x | hostname=\"::1\" port=\"\" epath=\"/x\" uri=\"/x\" redacted=\"//[::1]/x\" abs=false", "path=\"//[::1]/x\" raw_path=\"//[::1]/x\" | //[::1]/x | hostname=\"\" port=\"\" epath=\"//[::1]/x\" uri=\"//[::1]/x\" redacted=\"//[::1]/x\" abs=false"),
    ("/a?b#c", "path=\"/a\" raw_query=\"b\" fragment=\"c\" | /a?b#c | hostname=\"\" port=\"\" epath=\"/a\" uri=\"/a?b\" redacted=\"/a?b#c\" abs=false", "path=\"/a\" raw_query=\"b#c\" | /a?b#c | hostname=\"\" port=\"\" epath=\"/a\" uri=\"/a?b#c\" redacted=\"/a?b#c\" abs=false"),
    ("http://x?", "scheme=\"http\" host=\"x\" force_query | http://x? | hostname=\"x\" port=\"\" epath=\"\" uri=\"/?\" redacted=\"http://x?\" abs=true", ""),
    ("http://x?#", "scheme=\"http\" host=\"x\" force_query | http://x? | hostname=\"x\" port=\"\" epath=\"\" uri=\"/?\" redacted=\"http://x?\" abs=true", "scheme=\"http\" host=\"x\" raw_query=\"#\" | http://x?# | hostname=\"x\" port=\"\" epath=\"\" uri=\"/?#\" redacted=\"http://x?#\" abs=true"),
    ("http://x/%2F%2F", "scheme=\"http\" host=\"x\" path=\"///\" raw_path=\"/%2F%2F\" | http://x/%2F%2F | hostname=\"x\" port=\"\" epath=\"/%2F%2F\" uri=\"/%2F%2F\" redacted=\"http://x/%2F%2F\" abs=true", ""),
    ("file:%2F%2Fhost", "scheme=\"file\" opaque=\"%2F%2Fhost\" | file:%2F%2Fhost | hostname=\"\" port=\"\" epath=\"\" uri=\"%2F%2Fhost\" redacted=\"file:%2F%2Fhost\" abs=true", ""),
    ("foo:/%2F/x", "scheme=\"foo\" path=\"///x\" raw_path=\"/%2F/x\" omit_host | foo:/%2F/x | hostname=\"\" port=\"\" epath=\"/%2F/x\" uri=\"/%2F/x\" redacted=\"foo:/%2F/x\" abs=true", ""),
    ("foo:%2Fx", "scheme=\"foo\" opaque=\"%2Fx\" | foo:%2Fx | hostname=\"\" port=\"\" epath=\"\" uri=\"%2Fx\" redacted=\"foo:%2Fx\" abs=true", ""),
    ("http://x/*", "scheme=\"http\" host=\"x\" path=\"/*\" raw_path=\"/*\" | http://x/* | hostname=\"x\" port=\"\" epath=\"/*\" uri=\"/*\" redacted=\"http://x/*\" abs=true", ""),
    ("http://x:1:2", "error: parse \"http://x:1:2\": invalid port \":1:2\" after host", ""),
    ("ht%74p://x", "error: parse \"ht%74p://x\": first path segment in URL cannot contain colon", "error: parse \"ht%74p://x\": invalid URI for request"),
    ("h t://x", "error: parse \"h t://x\": first path segment in URL cannot contain colon", "error: parse \"h t://x\": invalid URI for request"),
    ("+://x", "error: parse \"+://x\": first path segment in URL cannot contain colon", "error: parse \"+://x\": invalid URI for request"),
    ("a.b://x", "scheme=\"a.b\" host=\"x\" | a.b://x | hostname=\"x\" port=\"\" epath=\"\" uri=\"/\" redacted=\"a.b://x\" abs=true", ""),
    ("http://%c3%28/", "error: parse \"http://%c3%28/\": invalid URL escape \"%28\"", ""),
    ("http://@x/", "scheme=\"http\" user=\"\" host=\"x\" path=\"/\" | http://@x/ | hostname=\"x\" port=\"\" epath=\"/\" uri=\"/\" redacted=\"http://@x/\" abs=true", ""),
    ("http://:@x/", "scheme=\"http\" user=\"\" password=\"\" host=\"x\" path=\"/\" | http://:@x/ | hostname=\"x\" port=\"\" epath=\"/\" uri=\"/\" redacted=\"http://:xxxxx@x/\" abs=true", ""),
    ("http://x@/", "scheme=\"http\" user=\"x\" path=\"/\" | http://x@/ | hostname=\"\" port=\"\" epath=\"/\" uri=\"/\" redacted=\"http://x@/\" abs=true", ""),
    ("http://[::1]:/", "scheme=\"http\" host=\"[::1]:\" path=\"/\" | http://[::1]:/ | hostname=\"::1\" port=\"\" epath=\"/\" uri=\"/\" redacted=\"http://[::1]:/\" abs=true", ""),
    ("http://x%25y:80/", "scheme=\"http\" host=\"x%y:80\" path=\"/\" | http://x%25y:80/ | hostname=\"x%y\" port=\"80\" epath=\"/\" uri=\"/\" redacted=\"http://x%25y:80/\" abs=true", ""),
    // Random combinations of URL pieces.
    ("a:%5D%%zz1\u{a0}http\"", "scheme=\"a\" opaque=\"%5D%%zz1\\u00a0http\\\"\" | a:%5D%%zz1\u{a0}http\" | hostname=\"\" port=\"\" epath=\"\" uri=\"%5D%%zz1\\u00a0http\\\"\" redacted=\"a:%5D%%zz1\\u00a0http\\\"\" abs=true", ""),
    ("https://http://~", "scheme=\"https\" host=\"http:\" path=\"//~\" | https://http://~ | hostname=\"http\" port=\"\" epath=\"//~\" uri=\"//~\" redacted=\"https://http://~\" abs=true", ""),
    ("a:Bhttp[1.2.3.4]", "scheme=\"a\" opaque=\"Bhttp[1.2.3.4]\" | a:Bhttp[1.2.3.4] | hostname=\"\" port=\"\" epath=\"\" uri=\"Bhttp[1.2.3.4]\" redacted=\"a:Bhttp[1.2.3.4]\" abs=true", ""),
    ("a:%5Bproxy.golang.org\u{200d}#///a:mailto:1", "scheme=\"a\" opaque=\"%5Bproxy.golang.org\\u200d\" fragment=\"///a:mailto:1\" | a:%5Bproxy.golang.org\u{200d}#///a:mailto:1 | hostname=\"\" port=\"\" epath=\"\" uri=\"%5Bproxy.golang.org\\u200d\" redacted=\"a:%5Bproxy.golang.org\\u200d#///a:mailto:1\" abs=true", "scheme=\"a\" opaque=\"%5Bproxy.golang.org\\u200d#///a:mailto:1\" | a:%5Bproxy.golang.org\u{200d}#///a:mailto:1 | hostname=\"\" port=\"\" epath=\"\" uri=\"%5Bproxy.golang.org\\u200d#///a:mailto:1\" redacted=\"a:%5Bproxy.golang.org\\u200d#///a:mailto:1\" abs=true"),
    ("file://xn--;", "scheme=\"file\" host=\"xn--;\" | file://xn--; | hostname=\"xn--;\" port=\"\" epath=\"\" uri=\"/\" redacted=\"file://xn--;\" abs=true", ""),
    ("mailto:%2F%?", "scheme=\"mailto\" opaque=\"%2F%\" force_query | mailto:%2F%? | hostname=\"\" port=\"\" epath=\"\" uri=\"%2F%?\" redacted=\"mailto:%2F%?\" abs=true", ""),
    ("+@\\\u{200d}é%5D u@", "path=\"+@\\\\\\u200dé] u@\" raw_path=\"+@\\\\\\u200dé%5D u@\" | +@%5C%E2%80%8D%C3%A9%5D%20u@ | hostname=\"\" port=\"\" epath=\"+@%5C%E2%80%8D%C3%A9%5D%20u@\" uri=\"+@%5C%E2%80%8D%C3%A9%5D%20u@\" redacted=\"+@%5C%E2%80%8D%C3%A9%5D%20u@\" abs=false", "error: parse \"+@\\\\\\u200dé%5D u@\": invalid URI for request"),
    ("+&(%2F<,%25", "path=\"+&(/<,%\" raw_path=\"+&(%2F<,%25\" | +&%28/%3C,%25 | hostname=\"\" port=\"\" epath=\"+&%28/%3C,%25\" uri=\"+&%28/%3C,%25\" redacted=\"+&%28/%3C,%25\" abs=false", "error: parse \"+&(%2F<,%25\": invalid URI for request"),
    ("file:<)$", "scheme=\"file\" opaque=\"<)$\" | file:<)$ | hostname=\"\" port=\"\" epath=\"\" uri=\"<)$\" redacted=\"file:<)$\" abs=true", ""),
    ("a:xn--[::ffff:1.2.3.4]'%3A+&&[", "scheme=\"a\" opaque=\"xn--[::ffff:1.2.3.4]'%3A+&&[\" | a:xn--[::ffff:1.2.3.4]'%3A+&&[ | hostname=\"\" port=\"\" epath=\"\" uri=\"xn--[::ffff:1.2.3.4]'%3A+&&[\" redacted=\"a:xn--[::ffff:1.2.3.4]'%3A+&&[\" abs=true", ""),
    ("socks5://", "scheme=\"socks5\" | socks5: | hostname=\"\" port=\"\" epath=\"\" uri=\"/\" redacted=\"socks5:\" abs=true", ""),
    ("mailto:ü[::ffff:1.2.3.4]socks5://\\[::ffff:1.2.3.4]%3A", "scheme=\"mailto\" opaque=\"ü[::ffff:1.2.3.4]socks5://\\\\[::ffff:1.2.3.4]%3A\" | mailto:ü[::ffff:1.2.3.4]socks5://\\[::ffff:1.2.3.4]%3A | hostname=\"\" port=\"\" epath=\"\" uri=\"ü[::ffff:1.2.3.4]socks5://\\\\[::ffff:1.2.3.4]%3A\" redacted=\"mailto:ü[::ffff:1.2.3.4]socks5://\\\\[::ffff:1.2.3.4]%3A\" abs=true", ""),
    ("+-///user:pass@:80#%2Fproxy.golang.org!", "path=\"+-///user:pass@:80\" fragment=\"/proxy.golang.org!\" raw_fragment=\"%2Fproxy.golang.org!\" | +-///user:pass@:80#%2Fproxy.golang.org! | hostname=\"\" port=\"\" epath=\"+-///user:pass@:80\" uri=\"+-///user:pass@:80\" redacted=\"+-///user:pass@:80#%2Fproxy.golang.org!\" abs=false", "error: parse \"+-///user:pass@:80#%2Fproxy.golang.org!\": invalid URI for request"),
    ("%3A!,", "path=\":!,\" raw_path=\"%3A!,\" | %3A!, | hostname=\"\" port=\"\" epath=\"%3A!,\" uri=\"%3A!,\" redacted=\"%3A!,\" abs=false", "error: parse \"%3A!,\": invalid URI for request"),
    ("a0%5Bhttp'1", "path=\"a0[http'1\" raw_path=\"a0%5Bhttp'1\" | a0%5Bhttp'1 | hostname=\"\" port=\"\" epath=\"a0%5Bhttp'1\" uri=\"a0%5Bhttp'1\" redacted=\"a0%5Bhttp'1\" abs=false", "error: parse \"a0%5Bhttp'1\": invalid URI for request"),
    ("127.0.0.1localhost", "path=\"127.0.0.1localhost\" | 127.0.0.1localhost | hostname=\"\" port=\"\" epath=\"127.0.0.1localhost\" uri=\"127.0.0.1localhost\" redacted=\"127.0.0.1localhost\" abs=false", "error: parse \"127.0.0.1localhost\": invalid URI for request"),
    ("' ", "path=\"' \" raw_path=\"' \" | %27%20 | hostname=\"\" port=\"\" epath=\"%27%20\" uri=\"%27%20\" redacted=\"%27%20\" abs=false", "error: parse \"' \": invalid URI for request"),
    ("%2F\\", "path=\"/\\\\\" raw_path=\"%2F\\\\\" | /%5C | hostname=\"\" port=\"\" epath=\"/%5C\" uri=\"/%5C\" redacted=\"/%5C\" abs=false", "error: parse \"%2F\\\\\": invalid URI for request"),
    ("http://x+*-\u{a0}+", "scheme=\"http\" host=\"x+*-\\u00a0+\" | http://x+*-%C2%A0+ | hostname=\"x+*-\\u00a0+\" port=\"\" epath=\"\" uri=\"/\" redacted=\"http://x+*-%C2%A0+\" abs=true", ""),
    ("xn--/", "path=\"xn--/\" | xn--/ | hostname=\"\" port=\"\" epath=\"xn--/\" uri=\"xn--/\" redacted=\"xn--/\" abs=false", "error: parse \"xn--/\": invalid URI for request"),
    ("%2*%zz,", "error: parse \"%2*%zz,\": invalid URL escape \"%2*\"", "error: parse \"%2*%zz,\": invalid URI for request"),
    ("[fe80::1%25en0]ü[::1]%3A%5D/", "error: parse \"[fe80::1%25en0]ü[::1]%3A%5D/\": first path segment in URL cannot contain colon", "error: parse \"[fe80::1%25en0]ü[::1]%3A%5D/\": invalid URI for request"),
    ("https|>=[::1]$,%2F%2", "error: parse \"https|>=[::1]$,%2F%2\": first path segment in URL cannot contain colon", "error: parse \"https|>=[::1]$,%2F%2\": invalid URI for request"),
    ("'user:pass@(+[::1]#", "error: parse \"'user:pass@(+[::1]\": first path segment in URL cannot contain colon", "error: parse \"'user:pass@(+[::1]#\": invalid URI for request"),
    ("!|[fe80::1%25en0]", "error: parse \"!|[fe80::1%25en0]\": first path segment in URL cannot contain colon", "error: parse \"!|[fe80::1%25en0]\": invalid URI for request"),
    ("ü%c3é:80socks5://127.0.0.1socks5://,'", "error: parse \"ü%c3é:80socks5://127.0.0.1socks5://,'\": first path segment in URL cannot contain colon", "error: parse \"ü%c3é:80socks5://127.0.0.1socks5://,'\": invalid URI for request"),
    ("%25file://\\é:::x//\"", "error: parse \"%25file://\\\\é:::x//\\\"\": first path segment in URL cannot contain colon", "error: parse \"%25file://\\\\é:::x//\\\"\": invalid URI for request"),
    ("%25en0]file:\\", "error: parse \"%25en0]file:\\\\\": first path segment in URL cannot contain colon", "error: parse \"%25en0]file:\\\\\": invalid URI for request"),
    ("%%ff# ", "error: parse \"%%ff\": invalid URL escape \"%%f\"", "error: parse \"%%ff# \": invalid URI for request"),
    (",&.http://\\-&", "error: parse \",&.http://\\\\-&\": first path segment in URL cannot contain colon", "error: parse \",&.http://\\\\-&\": invalid URI for request"),
    ("1[::http://|*xn--", "error: parse \"1[::http://|*xn--\": first path segment in URL cannot contain colon", "error: parse \"1[::http://|*xn--\": invalid URI for request"),
    ("$file://\u{200d}u@<-[::1]", "error: parse \"$file://\\u200du@<-[::1]\": first path segment in URL cannot contain colon", "error: parse \"$file://\\u200du@<-[::1]\": invalid URI for request"),
    ("proxy.golang.org[[fe80::1%25en0]", "error: parse \"proxy.golang.org[[fe80::1%25en0]\": first path segment in URL cannot contain colon", "error: parse \"proxy.golang.org[[fe80::1%25en0]\": invalid URI for request"),
    (">ü\u{200d}\u{a0}socks5://1", "error: parse \">ü\\u200d\\u00a0socks5://1\": first path segment in URL cannot contain colon", "error: parse \">ü\\u200d\\u00a0socks5://1\": invalid URI for request"),
    ("https%2localhost\\~%2F", "error: parse \"https%2localhost\\\\~%2F\": invalid URL escape \"%2l\"", "error: parse \"https%2localhost\\\\~%2F\": invalid URI for request"),
    (",ü[1.2.3.4]%25en0 %", "error: parse \",ü[1.2.3.4]%25en0 %\": invalid URL escape \"%\"", "error: parse \",ü[1.2.3.4]%25en0 %\": invalid URI for request"),
    ("é%25::file:)", "error: parse \"é%25::file:)\": first path segment in URL cannot contain colon", "error: parse \"é%25::file:)\": invalid URI for request"),
    ("127.0.0.1127.0.0.1%zz%3A))%2F", "error: parse \"127.0.0.1127.0.0.1%zz%3A))%2F\": invalid URL escape \"%zz\"", "error: parse \"127.0.0.1127.0.0.1%zz%3A))%2F\": invalid URI for request"),
    (":xlocalhost\u{200d}%20.%3Ax", "error: parse \":xlocalhost\\u200d%20.%3Ax\": missing protocol scheme", ""),
    ("|=a:;(", "error: parse \"|=a:;(\": first path segment in URL cannot contain colon", "error: parse \"|=a:;(\": invalid URI for request"),
];

#[test]
fn parse_matches_go() {
    let mut failures = Vec::new();
    for &(input, want_parse, want_request) in PARSE_CASES {
        let want_request = if want_request.is_empty() {
            want_parse
        } else {
            want_request
        };
        for (mode, got, want) in [
            ("parse", summary(&parse(input)), want_parse),
            ("request", summary(&parse_request_uri(input)), want_request),
        ] {
            if got != want {
                failures.push(format!("{mode} {input:?}\n   got: {got}\n  want: {want}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// (input, `url.PathEscape`, `url.QueryEscape`).
const ESCAPE_CASES: &[(&str, &str, &str)] = &[
    ("", "", ""),
    ("abc", "abc", "abc"),
    ("a b", "a%20b", "a+b"),
    ("a+b", "a+b", "a%2Bb"),
    ("a/b?c=d&e#f", "a%2Fb%3Fc=d&e%23f", "a%2Fb%3Fc%3Dd%26e%23f"),
    ("-_.~", "-_.~", "-_.~"),
    (
        "!$&'()*+,;=:@",
        "%21$&%27%28%29%2A+%2C%3B=:@",
        "%21%24%26%27%28%29%2A%2B%2C%3B%3D%3A%40",
    ),
    (
        "[]<>\"{}|\\^`",
        "%5B%5D%3C%3E%22%7B%7D%7C%5C%5E%60",
        "%5B%5D%3C%3E%22%7B%7D%7C%5C%5E%60",
    ),
    ("é", "%C3%A9", "%C3%A9"),
    ("100%", "100%25", "100%25"),
    ("\x00\x1f\x7f", "%00%1F%7F", "%00%1F%7F"),
    ("ü/ü", "%C3%BC%2F%C3%BC", "%C3%BC%2F%C3%BC"),
];

#[test]
fn escape_matches_go() {
    for &(input, path, query) in ESCAPE_CASES {
        assert_eq!(path_escape(input), path, "path_escape({input:?})");
        assert_eq!(query_escape(input), query, "query_escape({input:?})");
    }
}

/// (input, `url.PathUnescape`, `url.QueryUnescape`), errors prefixed with `error: `.
const UNESCAPE_CASES: &[(&str, &str, &str)] = &[
    ("", "", ""),
    ("abc", "abc", "abc"),
    ("a+b", "a+b", "a b"),
    ("a%20b", "a b", "a b"),
    ("%41%42", "AB", "AB"),
    ("%e2%82%ac", "€", "€"),
    (
        "%",
        "error: invalid URL escape \"%\"",
        "error: invalid URL escape \"%\"",
    ),
    (
        "%4",
        "error: invalid URL escape \"%4\"",
        "error: invalid URL escape \"%4\"",
    ),
    (
        "%zz",
        "error: invalid URL escape \"%zz\"",
        "error: invalid URL escape \"%zz\"",
    ),
    (
        "a%2",
        "error: invalid URL escape \"%2\"",
        "error: invalid URL escape \"%2\"",
    ),
    (
        "%%41",
        "error: invalid URL escape \"%%4\"",
        "error: invalid URL escape \"%%4\"",
    ),
    (
        "100%",
        "error: invalid URL escape \"%\"",
        "error: invalid URL escape \"%\"",
    ),
    (
        "%é",
        "error: invalid URL escape \"%é\"",
        "error: invalid URL escape \"%é\"",
    ),
    (
        "%4é",
        "error: invalid URL escape \"%4\\xc3\"",
        "error: invalid URL escape \"%4\\xc3\"",
    ),
    ("+%2B+", "+++", " + "),
];

#[test]
fn unescape_matches_go() {
    let show = |r: Result<String, ErrorKind>| r.unwrap_or_else(|e| format!("error: {e}"));
    for &(input, path, query) in UNESCAPE_CASES {
        assert_eq!(show(path_unescape(input)), path, "path_unescape({input:?})");
        assert_eq!(
            show(query_unescape(input)),
            query,
            "query_unescape({input:?})"
        );
    }
}

/// (input, `netip.ParseAddr` as "<addr without zone> zone=<zone> is4=<Is4>" or the error).
const ADDR_CASES: &[(&str, &str)] = &[
    ("", "error: ParseAddr(\"\"): unable to parse IP"),
    ("1.2.3.4", "1.2.3.4 zone= is4=true"),
    ("0.0.0.0", "0.0.0.0 zone= is4=true"),
    ("255.255.255.255", "255.255.255.255 zone= is4=true"),
    (
        "1.2.3",
        "error: ParseAddr(\"1.2.3\"): IPv4 address too short",
    ),
    (
        "1.2.3.4.5",
        "error: ParseAddr(\"1.2.3.4.5\"): IPv4 address too long",
    ),
    (
        "01.2.3.4",
        "error: ParseAddr(\"01.2.3.4\"): IPv4 field has octet with leading zero",
    ),
    (
        "1.2.3.256",
        "error: ParseAddr(\"1.2.3.256\"): IPv4 field has value >255",
    ),
    (
        "1..2.3",
        "error: ParseAddr(\"1..2.3\"): IPv4 field must have at least one digit (at \".2.3\")",
    ),
    (
        ".1.2.3",
        "error: ParseAddr(\".1.2.3\"): IPv4 field must have at least one digit (at \".1.2.3\")",
    ),
    (
        "1.2.3.",
        "error: ParseAddr(\"1.2.3.\"): IPv4 field must have at least one digit (at \".\")",
    ),
    (
        "1.2.3.x",
        "error: ParseAddr(\"1.2.3.x\"): unexpected character (at \"x\")",
    ),
    (
        "1.2.3.4%eth0",
        "error: ParseAddr(\"1.2.3.4%eth0\"): unexpected character (at \"%eth0\")",
    ),
    ("::", ":: zone= is4=false"),
    ("::1", "::1 zone= is4=false"),
    ("::%eth0", ":: zone=eth0 is4=false"),
    ("fe80::1%eth0", "fe80::1 zone=eth0 is4=false"),
    (
        "fe80::1%",
        "error: ParseAddr(\"fe80::1%\"): zone must be a non-empty string",
    ),
    ("%eth0", "error: ParseAddr(\"%eth0\"): missing IPv6 address"),
    ("::ffff:1.2.3.4", "::ffff:1.2.3.4 zone= is4=false"),
    ("1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8 zone= is4=false"),
    (
        "1:2:3:4:5:6:7:8:9",
        "error: ParseAddr(\"1:2:3:4:5:6:7:8:9\"): trailing garbage after address (at \"9\")",
    ),
    (
        "1::2::3",
        "error: ParseAddr(\"1::2::3\"): multiple :: in address (at \":3\")",
    ),
    (
        "12345::",
        "error: ParseAddr(\"12345::\"): each group must have 4 or less digits (at \"12345::\")",
    ),
    ("1:2", "error: ParseAddr(\"1:2\"): address string too short"),
    (
        "::1:",
        "error: ParseAddr(\"::1:\"): colon must be followed by more characters (at \":\")",
    ),
    (
        ":1",
        "error: ParseAddr(\":1\"): each colon-separated field must have at least one digit (at \":1\")",
    ),
    ("1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:102:304 zone= is4=false"),
    (
        "1:2:3:4:5:1.2.3.4",
        "error: ParseAddr(\"1:2:3:4:5:1.2.3.4\"): embedded IPv4 address must replace the final 2 fields of the address (at \"1.2.3.4\")",
    ),
    (
        "::1.2.3",
        "error: ParseAddr(\"::1.2.3\"): IPv4 address too short",
    ),
    ("1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0 zone= is4=false"),
    (
        "1:2:3:4:5:6:7::8",
        "error: ParseAddr(\"1:2:3:4:5:6:7::8\"): the :: must expand to at least one field of zeros",
    ),
    (
        "::1:2:3:4:5:6:7:1.2.3.4",
        "error: ParseAddr(\"::1:2:3:4:5:6:7:1.2.3.4\"): too many hex fields to fit an embedded IPv4 at the end of the address (at \"1.2.3.4\")",
    ),
    (
        "g::",
        "error: ParseAddr(\"g::\"): each colon-separated field must have at least one digit (at \"g::\")",
    ),
    (
        "1:g",
        "error: ParseAddr(\"1:g\"): each colon-separated field must have at least one digit (at \"g\")",
    ),
    (
        "localhost",
        "error: ParseAddr(\"localhost\"): unable to parse IP",
    ),
    ("FE80::A", "fe80::a zone= is4=false"),
    ("::FFFF:0102:0304", "::ffff:1.2.3.4 zone= is4=false"),
    (
        "1.2.3.4:80",
        "error: ParseAddr(\"1.2.3.4:80\"): unexpected character (at \":80\")",
    ),
    (
        "[::1]",
        "error: ParseAddr(\"[::1]\"): each colon-separated field must have at least one digit (at \"[::1]\")",
    ),
];

#[test]
fn parse_addr_matches_go() {
    for &(input, want) in ADDR_CASES {
        let got = match parse_addr(input) {
            Ok(a) => format!("{} zone={} is4={}", a.ip, a.zone, a.ip.is_ipv4()),
            Err(e) => format!("error: {e}"),
        };
        assert_eq!(got, want, "parse_addr({input:?})");
    }
}

/// (bytes, `strconv.Quote`).
const QUOTE_CASES: &[(&[u8], &str)] = &[
    (b"", r#""""#),
    (b"abc", r#""abc""#),
    (b"\"\\", r#""\"\\""#),
    (b"\x07\x08\x0c\n\r\t\x0b", r#""\a\b\f\n\r\t\v""#),
    (b"\x00\x1f\x7f", r#""\x00\x1f\x7f""#),
    ("é".as_bytes(), "\"é\""),
    ("\u{a0}".as_bytes(), r#""\u00a0""#),
    ("\u{200b}".as_bytes(), r#""\u200b""#),
    ("\u{301}".as_bytes(), "\"\u{301}\""),
    ("😀".as_bytes(), "\"😀\""),
    ("\u{e0001}".as_bytes(), r#""\U000e0001""#),
    ("\u{fffd}".as_bytes(), "\"\u{fffd}\""),
    (b"\xff", r#""\xff""#),
    (b"\xc3", r#""\xc3""#),
    (b"\xe2\x82", r#""\xe2\x82""#),
    (b"\xed\xa0\x80", r#""\xed\xa0\x80""#),
    (b"a\xc3(b", r#""a\xc3(b""#),
    ("\u{10ffff}".as_bytes(), r#""\U0010ffff""#),
    ("\u{378}".as_bytes(), r#""\u0378""#),
];

#[test]
fn quote_matches_go() {
    for &(input, want) in QUOTE_CASES {
        assert_eq!(
            crate::goquote::quote_bytes(input),
            want,
            "crate::goquote::quote_bytes({input:?})"
        );
    }
}

#[test]
fn display_of_constructed_urls_matches_go() {
    let user = |name: &str, password: Option<&str>| {
        Some(Userinfo {
            username: name.to_owned(),
            password: password.map(str::to_owned),
        })
    };
    let s = str::to_owned;
    // (url, String(), RequestURI(), Redacted(), Hostname(), Port()) from go1.27.3.
    #[rustfmt::skip]
    let cases = [
        (Url { scheme: s("file"), omit_host: true, path: s("//host/p"), ..Url::default() },
            "file:%2F/host/p", "//host/p", "file:%2F/host/p", "", ""),
        (Url { omit_host: true, path: s("//host/p"), ..Url::default() },
            "%2F/host/p", "//host/p", "%2F/host/p", "", ""),
        (Url { path: s("a:b/c"), ..Url::default() }, "./a:b/c", "a:b/c", "./a:b/c", "", ""),
        (Url { path: s("a/b:c"), ..Url::default() }, "a/b:c", "a/b:c", "a/b:c", "", ""),
        (Url { host: s("h"), path: s("rel"), ..Url::default() }, "//h/rel", "rel", "//h/rel", "h", ""),
        (Url { scheme: s("http"), host: s("h"), path: s("rel"), ..Url::default() },
            "http://h/rel", "rel", "http://h/rel", "h", ""),
        (Url { scheme: s("http"), path: s("rel"), ..Url::default() },
            "http://rel", "rel", "http://rel", "", ""),
        (Url { scheme: s("http"), omit_host: true, path: s("/p"), ..Url::default() },
            "http:/p", "/p", "http:/p", "", ""),
        (Url { scheme: s("http"), omit_host: true, host: s("h"), path: s("/p"), ..Url::default() },
            "http://h/p", "/p", "http://h/p", "h", ""),
        (Url { scheme: s("http"), user: user("u", None), omit_host: true, path: s("/p"), ..Url::default() },
            "http://u@/p", "/p", "http://u@/p", "", ""),
        (Url { scheme: s("http"), host: s("h"), path: s("/a b"), raw_path: s("/a%20b"), ..Url::default() },
            "http://h/a%20b", "/a%20b", "http://h/a%20b", "h", ""),
        (Url { scheme: s("http"), host: s("h"), path: s("/a b"), raw_path: s("/a+b"), ..Url::default() },
            "http://h/a%20b", "/a%20b", "http://h/a%20b", "h", ""),
        (Url { scheme: s("http"), host: s("h"), path: s("/a/b"), raw_path: s("/a%2Fb"), ..Url::default() },
            "http://h/a%2Fb", "/a%2Fb", "http://h/a%2Fb", "h", ""),
        (Url { scheme: s("http"), host: s("h"), path: s("/a/b"), raw_path: s("/x"), ..Url::default() },
            "http://h/a/b", "/a/b", "http://h/a/b", "h", ""),
        (Url { scheme: s("http"), host: s("h"), path: s("/a?b"), raw_path: s("/a?b"), ..Url::default() },
            "http://h/a%3Fb", "/a%3Fb", "http://h/a%3Fb", "h", ""),
        (Url { scheme: s("http"), host: s("h"), fragment: s("a b"), raw_fragment: s("a%20b"), ..Url::default() },
            "http://h#a%20b", "/", "http://h#a%20b", "h", ""),
        (Url { scheme: s("http"), host: s("h"), fragment: s("a/b"), raw_fragment: s("x"), ..Url::default() },
            "http://h#a/b", "/", "http://h#a/b", "h", ""),
        (Url { scheme: s("http"), host: s("h"), path: s("*"), ..Url::default() },
            "http://h/*", "*", "http://h/*", "h", ""),
        (Url { path: s("*"), ..Url::default() }, "*", "*", "*", "", ""),
        (Url { scheme: s("http"), opaque: s("//h/p"), raw_query: s("q"), ..Url::default() },
            "http://h/p?q", "http://h/p?q", "http://h/p?q", "", ""),
        (Url { scheme: s("http"), opaque: s("o"), host: s("ignored"), path: s("/ignored"), ..Url::default() },
            "http:o", "o", "http:o", "ignored", ""),
        (Url { scheme: s("http"), host: s("h:80"), force_query: true, ..Url::default() },
            "http://h:80?", "/?", "http://h:80?", "h", "80"),
        (Url { scheme: s("http"), host: s("ü h"), path: s("/"), ..Url::default() },
            "http://%C3%BC%20h/", "/", "http://%C3%BC%20h/", "ü h", ""),
        (Url { scheme: s("http"), host: s("[::1]:80"), user: user("a@b", Some("c:d/e")), ..Url::default() },
            "http://a%40b:c%3Ad%2Fe@[::1]:80", "/", "http://a%40b:xxxxx@[::1]:80", "::1", "80"),
        (Url { host: s("h"), ..Url::default() }, "//h", "/", "//h", "h", ""),
        (Url { user: user("", None), ..Url::default() }, "//@", "/", "//@", "", ""),
        (Url { scheme: s("http"), user: user("", Some("")), ..Url::default() },
            "http://:@", "/", "http://:xxxxx@", "", ""),
        (Url::default(), "", "/", "", "", ""),
    ];
    for (url, string, request_uri, redacted, hostname, port) in cases {
        assert_eq!(url.to_string(), string, "{url:?}");
        assert_eq!(url.request_uri(), request_uri, "{url:?}");
        assert_eq!(url.redacted(), redacted, "{url:?}");
        assert_eq!(url.hostname(), hostname, "{url:?}");
        assert_eq!(url.port(), port, "{url:?}");
    }
}

#[test]
fn hostname_and_port_match_go() {
    // (host, Hostname(), Port()) from go1.27.3.
    let cases = [
        ("h", "h", ""),
        ("h:80", "h", "80"),
        ("h:", "h", ""),
        ("h:x", "h:x", ""),
        ("h:1:2", "h:1", "2"),
        ("[::1]", "::1", ""),
        ("[::1]:80", "::1", "80"),
        ("[::1]x", "[::1]x", ""),
        ("::1", ":", "1"),
        ("[h", "[h", ""),
        ("h]", "h]", ""),
        ("[]", "", ""),
        (":80", "", "80"),
        (":", "", ""),
        ("", "", ""),
        ("[a]:b", "[a]:b", ""),
        ("a:1b", "a:1b", ""),
    ];
    for (host, hostname, port) in cases {
        let url = Url {
            host: host.to_owned(),
            ..Url::default()
        };
        assert_eq!(
            (url.hostname(), url.port()),
            (hostname, port),
            "host {host:?}"
        );
    }
}

/// Percent-decoding that yields non-UTF-8 bytes: Go keeps the bytes, these fields hold U+FFFD.
#[test]
fn non_utf8_decoding_is_lossy_but_path_and_fragment_print_like_go() {
    let url = parse("http://host/%ff").unwrap();
    assert_eq!(
        (url.path.as_str(), url.raw_path.as_str()),
        ("/\u{fffd}", "/%ff")
    );
    assert_eq!(url.to_string(), "http://host/%ff");

    // Go keeps raw_path empty here; the hint is what lets Display print %FF.
    let url = parse("http://host/%FF").unwrap();
    assert_eq!(
        (url.path.as_str(), url.raw_path.as_str()),
        ("/\u{fffd}", "/%FF")
    );
    assert_eq!(url.to_string(), "http://host/%FF");

    let url = parse("http://x/%c3%28#%c3%28").unwrap();
    assert_eq!(
        (url.fragment.as_str(), url.raw_fragment.as_str()),
        ("\u{fffd}(", "%c3%28")
    );
    assert_eq!(url.to_string(), "http://x/%c3%28#%c3%28");

    // Go prints http://%80/ and http://u%FF:p%FE@x/ for these two.
    let url = parse("http://%80/").unwrap();
    assert_eq!(
        (url.host.as_str(), url.to_string().as_str()),
        ("\u{fffd}", "http://%EF%BF%BD/")
    );
    let url = parse("http://u%ff:p%fe@x/").unwrap();
    assert_eq!(url.to_string(), "http://u%EF%BF%BD:p%EF%BF%BD@x/");
}

#[test]
fn debug_never_shows_the_password() {
    let url = parse("http://alice:s3cret@proxy.corp:3128").unwrap();
    let debug = format!("{url:?}");
    assert!(!debug.contains("s3cret"), "{debug}");
    assert!(
        debug.contains("alice") && debug.contains("xxxxx"),
        "{debug}"
    );
    assert_eq!(url.redacted(), "http://alice:xxxxx@proxy.corp:3128");
}

#[test]
fn error_fields() {
    let err = parse("https://%zz#frag").unwrap_err();
    assert_eq!(err.op, "parse");
    assert_eq!(err.url, "https://%zz");
    assert_eq!(err.kind, ErrorKind::InvalidEscape(b"%zz".to_vec()));
    let err = parse("https://x#%zz").unwrap_err();
    assert_eq!(err.url, "https://x#%zz");
}
