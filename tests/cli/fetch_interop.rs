//! gomod-fetch next to the newest go command (GOMOD_GO or go on PATH; skipped when
//! absent unless GOMOD_REQUIRE_GO is set): the same h1 hashes as `go mod download
//! -json` reports, and a module cache written by `--cache` that go accepts offline.

use gomod_testsupport::goproxy::GoProxy;

use crate::Sandbox;
use crate::interop::{go_command, go_sandbox, newest_go};

fn mock() -> GoProxy {
    GoProxy::new()
        .module(
            "example.com/a",
            "v1.0.0",
            &[
                ("go.mod", b"module example.com/a\n\ngo 1.21\n"),
                ("a.go", b"package a\n"),
                ("sub/b.go", b"package sub\n"),
                ("LICENSE", b"MIT\n"),
            ],
        )
        .module(
            "example.com/Upper/thing",
            "v0.1.0",
            &[("go.mod", b"module example.com/Upper/thing\n")],
        )
        .module(
            "example.com/nogomod",
            "v1.0.0",
            &[("x.go", b"package nogomod\n")],
        )
}

const TARGETS: &[&str] = &[
    "example.com/a@v1.0.0",
    "example.com/Upper/thing@v0.1.0",
    "example.com/nogomod@v1.0.0",
];

/// Go pinned so that nothing leaves the machine.
fn pinned(go: &std::path::Path, goproxy: &str, modcache: &std::path::Path) -> Sandbox {
    let s = go_sandbox(go);
    let gopath = s.path().join("gopath");
    let gocache = s.path().join("gocache");
    s.env("GOPROXY", goproxy)
        .env("GOSUMDB", "off")
        .env("GOVCS", "*:off")
        .env("GOENV", "off")
        .env("GOPATH", &gopath.display().to_string())
        .env("GOCACHE", &gocache.display().to_string())
        .env("GOMODCACHE", &modcache.display().to_string())
}

/// `go mod download -json` → (Path@Version → (Sum, GoModSum)).
fn go_download(
    s: &Sandbox,
    go: &std::path::Path,
) -> std::collections::HashMap<String, (String, String)> {
    let output = go_command(s, go)
        .args(["mod", "download", "-json"])
        .args(TARGETS)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "go mod download failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let text = String::from_utf8(output.stdout).unwrap();
    let mut out = std::collections::HashMap::new();
    let stream = serde_json::Deserializer::from_str(&text).into_iter::<serde_json::Value>();
    for value in stream {
        let v = value.unwrap();
        assert!(v.get("Error").is_none(), "{v}");
        out.insert(
            format!(
                "{}@{}",
                v["Path"].as_str().unwrap(),
                v["Version"].as_str().unwrap()
            ),
            (
                v["Sum"].as_str().unwrap().to_string(),
                v["GoModSum"].as_str().unwrap().to_string(),
            ),
        );
    }
    out
}

#[test]
fn hashes_equal_what_go_writes_to_go_sum() {
    let Some(go) = newest_go() else { return };
    let server = mock().start();
    let s = pinned(&go, &server.url(), &Sandbox::new().path().join("unused"));
    let modcache = s.path().join("gomodcache");
    let s = s.env("GOMODCACHE", &modcache.display().to_string());
    let go_sums = go_download(&s, &go);
    let run = s.run("gomod-fetch", TARGETS);
    assert_eq!(run.status, 0, "{}\n{}", run.stdout, run.stderr);
    for record in run.records().into_iter().map(|r| r.fetch()) {
        let key = format!("{}@{}", record.module, record.version.as_deref().unwrap());
        let (sum, go_mod_sum) = &go_sums[&key];
        assert_eq!(record.zip_h1.as_ref(), Some(sum), "{key}");
        assert_eq!(record.mod_h1.as_ref(), Some(go_mod_sum), "{key}");
    }
}

#[test]
fn a_cache_written_with_cache_is_accepted_by_go_offline() {
    let Some(go) = newest_go() else { return };
    let server = mock().start();
    let scratch = Sandbox::new();
    let cache = scratch.path().join("prefilled");
    let fetcher = pinned(&go, &server.url(), &cache);
    let mut args = vec!["--cache", cache.to_str().unwrap()];
    args.extend_from_slice(TARGETS);
    let run = fetcher.run("gomod-fetch", &args);
    assert_eq!(run.status, 0, "{}\n{}", run.stdout, run.stderr);
    let ours: Vec<_> = run.records().into_iter().map(|r| r.fetch()).collect();
    drop(server);

    // GOMODCACHE=DIR GOPROXY=off: everything comes from the cache.
    let offline = pinned(&go, "off", &cache);
    let sums = go_download(&offline, &go);
    for record in &ours {
        let key = format!("{}@{}", record.module, record.version.as_deref().unwrap());
        assert_eq!(record.zip_h1.as_ref(), Some(&sums[&key].0), "{key}");
    }

    // GOPROXY=file://DIR/cache/download into a fresh module cache.
    let fresh = scratch.path().join("fresh");
    let file_proxy = format!("file://{}/cache/download", cache.display());
    let from_files = pinned(&go, &file_proxy, &fresh);
    let sums = go_download(&from_files, &go);
    assert_eq!(sums.len(), TARGETS.len());
}
