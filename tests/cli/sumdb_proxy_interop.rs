//! The checksum database reached through a proxy, next to go1.27: a GOPROXY whose
//! `/sumdb/sum.golang.org/supported` answers 200 and whose relayed lookups fail (404,
//! 500). `go mod download M@V` (GOSUMDB=sum.golang.org, no URL) asks that proxy and
//! nothing else; gomod-sumverify's `go_error` must be the line go prints, and its record
//! must name the proxy. Skipped (with a note) without go1.27, unless GOMOD_REQUIRE_GO is
//! set.

use crate::interop::{go_command, go_sandbox, newest_go};
use crate::sumverify::{relaying_proxy, sumverify};

#[test]
fn a_failing_proxied_database_is_worded_as_go_words_it() {
    let Some(go) = newest_go() else { return };
    for status in [404, 500] {
        let (proxy, _behind, _) = relaying_proxy(status);
        let s = go_sandbox(&go);
        let dir = s.path().to_path_buf();
        let s = s
            .env("GOPROXY", &proxy.url())
            .env("GOENV", "off")
            .env("GOVCS", "*:off")
            .env("GOPATH", &dir.join("gopath").display().to_string())
            .env("GOCACHE", &dir.join("gocache").display().to_string())
            .env("GOMODCACHE", &dir.join("modcache").display().to_string());
        let output = go_command(&s, &go)
            .args(["mod", "download", "example.com/m@v1.0.0"])
            .output()
            .unwrap();
        assert!(!output.status.success());
        let theirs = String::from_utf8_lossy(&output.stderr)
            .trim_end()
            .to_string();
        assert!(
            theirs.contains("/sumdb/sum.golang.org/lookup/example.com/m@v1.0.0"),
            "{status}: go did not ask the proxy: {theirs}"
        );
        // Without go.sum, as go mod download outside a module: the go.mod is looked up.
        let out = sumverify(&s, &["example.com/m@v1.0.0"], "");
        let r = out.one();
        assert_eq!(r.go_error(), theirs, "{status}");
        assert_eq!(r.db().via.as_deref(), Some("proxy"), "{status}");
    }
}
