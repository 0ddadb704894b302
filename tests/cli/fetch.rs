//! gomod-fetch against the mock GOPROXY of tests/support: the protocol, Go's
//! fall-through rules, faults of every kind, hashes, the module cache.

use std::time::Duration;

use gomod_testsupport::goproxy::{Fault, GoProxy, refused_port};
use gomod_testsupport::modzip;

use crate::Sandbox;
use crate::records::FetchRecord;

pub const GO_MOD_A: &[u8] = b"module example.com/a\n\ngo 1.21\n";
pub const A_GO: &[u8] = b"package a\n\nconst X = 1\n";

pub fn proxy_with_a() -> GoProxy {
    GoProxy::new()
        .module(
            "example.com/a",
            "v1.0.0",
            &[("go.mod", GO_MOD_A), ("a.go", A_GO)],
        )
        .module(
            "example.com/a",
            "v1.1.0",
            &[("go.mod", GO_MOD_A), ("a.go", b"package a\n")],
        )
}

/// GOPROXY as given; any request that is not for a loopback address goes to a
/// loopback port that refuses it (Go never proxies loopback), so a direct fetch that a
/// test did not mean to make fails here instead of looking a name up in public DNS.
pub fn sandbox(goproxy: &str) -> Sandbox {
    let nowhere = format!("http://127.0.0.1:{}", refused_port());
    Sandbox::new()
        .env("GOPROXY", goproxy)
        .env("GOSUMDB", "off")
        .env("GOENV", "off")
        .env("HTTPS_PROXY", &nowhere)
        .env("HTTP_PROXY", &nowhere)
}

pub fn fetch(sandbox: &Sandbox, args: &[&str]) -> (i32, Vec<FetchRecord>) {
    let run = sandbox.run("gomod-fetch", args);
    let records = run
        .records()
        .into_iter()
        .map(|r| r.fetch())
        .collect::<Vec<_>>();
    assert!(
        run.status == 0 || run.status == 1,
        "status {}: {}",
        run.status,
        run.stderr
    );
    (run.status, records)
}

pub fn one(sandbox: &Sandbox, args: &[&str]) -> FetchRecord {
    let (_, mut records) = fetch(sandbox, args);
    assert_eq!(records.len(), 1, "{records:#?}");
    records.remove(0)
}

/// The go.sum hash lines of the mock for a module version: (zip h1, go.mod h1).
fn go_sum_hashes(proxy: &GoProxy, module: &str, version: &str) -> (String, String) {
    let sum = proxy.go_sum();
    let find = |suffix: &str| {
        sum.lines()
            .find_map(|l| {
                let f: Vec<&str> = l.split(' ').collect();
                (f[0] == module && f[1] == format!("{version}{suffix}")).then(|| f[2].to_string())
            })
            .unwrap_or_else(|| panic!("{module} {version}{suffix} not in\n{sum}"))
    };
    (find(""), find("/go.mod"))
}

#[test]
fn fetches_info_mod_zip_and_hashes_them_as_go_sum_does() {
    let mock = proxy_with_a();
    let (zip_h1, mod_h1) = go_sum_hashes(&mock, "example.com/a", "v1.0.0");
    let zip_len = mock.zip("example.com/a", "v1.0.0").unwrap().len() as u64;
    let server = mock.start();
    let r = one(&sandbox(&server.url()), &["example.com/a@v1.0.0"]);
    assert!(r.ok, "{r:#?}");
    assert_eq!(r.version.as_deref(), Some("v1.0.0"));
    assert_eq!(r.mod_h1.as_deref(), Some(mod_h1.as_str()));
    assert_eq!(r.zip_h1.as_deref(), Some(zip_h1.as_str()));
    assert_eq!(r.zip_bytes, Some(zip_len));
    assert_eq!(r.zip_files, Some(2));
    assert_eq!(r.info.as_ref().unwrap().version, "v1.0.0");
    assert_eq!(r.source.as_deref(), Some(server.url().as_str()));
    assert_eq!(r.hosts, vec![server.host_port()]);
    let mut ops: Vec<&str> = r.attempts.iter().map(|a| a.op.as_str()).collect();
    ops.sort();
    assert_eq!(ops, ["info", "mod", "zip"]);
    let mut targets = server.targets();
    targets.sort();
    assert_eq!(
        targets,
        [
            "/example.com/a/@v/v1.0.0.info",
            "/example.com/a/@v/v1.0.0.mod",
            "/example.com/a/@v/v1.0.0.zip"
        ]
    );
    // The go command's User-Agent goes with every request.
    for request in server.requests() {
        assert_eq!(
            request.headers.get("user-agent").map(String::as_str),
            Some("GoCommand/1 (+https://go.dev/cmd/go)")
        );
    }
}

#[test]
fn queries_resolve_through_the_list_as_go_does() {
    let server = proxy_with_a().start();
    let s = sandbox(&server.url());
    let r = one(&s, &["--what", "info", "example.com/a@latest"]);
    assert!(r.ok, "{r:#?}");
    assert_eq!(r.query.as_deref(), Some("latest"));
    assert_eq!(r.version.as_deref(), Some("v1.1.0"));
    // The latest version's go.mod too, for the versions it retracts (go's query reads
    // it as well).
    assert_eq!(
        server.targets(),
        [
            "/example.com/a/@v/list",
            "/example.com/a/@v/v1.1.0.info",
            "/example.com/a/@v/v1.1.0.mod"
        ]
    );
    let r = one(&s, &["--what", "info", "example.com/a@<v1.1.0"]);
    assert_eq!(r.version.as_deref(), Some("v1.0.0"));
    let r = one(&s, &["--what", "info", "example.com/a@v2"]);
    assert_eq!(r.code(), Some("version_invalid"));
    assert_eq!(
        r.go_error(),
        // go1.27 names the module, not the query, in front (fetch_errors_interop).
        "go: module example.com/a: no matching versions for query \"v2\""
    );
    let r = one(&s, &["--what", "list", "example.com/a@v1.0.0"]);
    assert_eq!(
        r.versions.as_deref(),
        Some(&["v1.0.0".to_string(), "v1.1.0".to_string()][..])
    );
}

#[test]
fn comma_falls_through_only_on_404_and_410() {
    let first = GoProxy::new()
        .fault("example.com/a/*", Fault::Status(404))
        .start();
    let second = proxy_with_a().start();
    let s = sandbox(&format!("{},{}", first.url(), second.url()));
    let r = one(&s, &["--what", "info", "example.com/a@v1.0.0"]);
    assert!(r.ok, "{r:#?}");
    assert_eq!(r.attempts.len(), 2);
    assert_eq!(r.attempts[0].status, Some(404));
    assert_eq!(r.attempts[0].falls_through, Some(true));
    assert_eq!(r.source.as_deref(), Some(second.url().as_str()));

    let broken = GoProxy::new()
        .fault("example.com/a/*", Fault::Status(500))
        .start();
    let second = proxy_with_a().start();
    let s = sandbox(&format!("{},{}", broken.url(), second.url()));
    let r = one(&s, &["--what", "info", "example.com/a@v1.0.0"]);
    assert_eq!(r.code(), Some("http_server_error"));
    assert_eq!(r.attempts.len(), 1, "a 500 stops a ',' list");
    assert_eq!(r.attempts[0].falls_through, Some(false));
    assert_eq!(
        r.go_error(),
        format!(
            "go: example.com/a@v1.0.0: reading {}/example.com/a/@v/v1.0.0.info: 500 Internal Server Error\n\tserver response: Internal Server Error: /example.com/a/@v/v1.0.0.info",
            broken.url()
        )
    );
    assert!(second.targets().is_empty());
}

#[test]
fn pipe_falls_through_on_any_error_and_go_ranks_the_errors() {
    let refused = format!("http://127.0.0.1:{}", refused_port());
    let second = proxy_with_a().start();
    let s = sandbox(&format!("{refused}|{}", second.url()));
    let r = one(&s, &["--what", "mod", "example.com/a@v1.0.0"]);
    assert!(r.ok, "{r:#?}");
    assert_eq!(r.attempts[0].error.as_deref(), Some("tcp_refused"));
    assert_eq!(r.attempts[0].falls_through, Some(true));

    // refused (other error) | 404: Go reports the refusal, not the 404.
    let empty = GoProxy::new().start();
    let s = sandbox(&format!("{refused}|{}", empty.url()));
    let r = one(&s, &["--what", "mod", "example.com/a@v1.0.0"]);
    assert_eq!(r.code(), Some("tcp_refused"));
    assert!(
        r.go_error().starts_with(&format!(
            "go: example.com/a@v1.0.0: Get \"{refused}/example.com/a/@v/v1.0.0.mod\": dial tcp"
        )),
        "{}",
        r.go_error()
    );
}

#[test]
fn goproxy_off_and_noproxy_entries_make_no_request() {
    let r = one(&sandbox("off"), &["example.com/a@v1.0.0"]);
    assert_eq!(r.code(), Some("goproxy_off"));
    assert_eq!(
        r.go_error(),
        "go: example.com/a@v1.0.0: module lookup disabled by GOPROXY=off"
    );
    assert!(r.attempts.iter().all(|a| a.url.is_none()));

    let server = proxy_with_a().start();
    let s = sandbox(&server.url()).env("GONOPROXY", "example.com/other");
    let r = one(&s, &["--what", "mod", "example.com/a@v1.0.0"]);
    assert!(r.ok, "{r:#?}");
    assert_eq!(r.attempts[0].endpoint, "noproxy");
    assert_eq!(r.attempts[0].url, None);
    assert_eq!(r.attempts[0].falls_through, Some(true));
}

#[test]
fn faults_become_records_and_nothing_hangs() {
    let cases: Vec<(Fault, &str)> = vec![
        (Fault::Hang, "http_timeout"),
        (Fault::SlowDrip { bytes_per_sec: 0 }, "http_timeout"),
        (Fault::Reset, "tcp_reset"),
        (Fault::Close, "tcp_reset"),
        (Fault::Truncate { after: 10 }, "tcp_reset"),
        (Fault::Status(410), "http_gone"),
        (Fault::Status(401), "http_unauthorized"),
        (Fault::Status(403), "http_forbidden"),
        (Fault::Status(502), "http_server_error"),
        (
            Fault::HugeBody {
                bytes: 600 << 20,
                content_length: true,
            },
            "zip_invalid",
        ),
        (Fault::Body(b"not a zip".to_vec()), "zip_invalid"),
    ];
    for (fault, code) in cases {
        let server = proxy_with_a()
            .fault("example.com/a/@v/v1.0.0.zip", fault.clone())
            .start();
        let s = sandbox(&server.url());
        let started = std::time::Instant::now();
        // Long enough that the requests before the faulty one never time out on a
        // loaded machine.
        let r = one(
            &s,
            &["--timeout", "3s", "--what", "zip", "example.com/a@v1.0.0"],
        );
        assert_eq!(r.code(), Some(code), "{fault:?}: {r:#?}");
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "{fault:?} took too long"
        );
    }
}

#[test]
fn error_bodies_are_excerpted_and_sanitized() {
    let server = proxy_with_a()
        .fault(
            "example.com/a/@v/v1.0.0.info",
            Fault::StatusBody(404, format!("\x1b[31mgone\x1b[0m {}", "x".repeat(3000))),
        )
        .start();
    let r = one(
        &sandbox(&server.url()),
        &["--what", "info", "example.com/a@v1.0.0"],
    );
    let excerpt = r.attempts[0].body_excerpt.as_deref().unwrap();
    assert!(!excerpt.contains('\x1b'), "{excerpt}");
    assert!(excerpt.len() <= 1100, "{}", excerpt.len());
    // Go drops a detail with control characters entirely.
    assert!(
        !r.go_error().contains("server response"),
        "{}",
        r.go_error()
    );
}

#[test]
fn retries_recover_from_transient_failures() {
    let server = proxy_with_a()
        .fault(
            "example.com/a/@v/v1.0.0.mod",
            Fault::Sequence(vec![
                Fault::Reply {
                    status: 503,
                    headers: vec![("Retry-After".into(), "0".into())],
                    body: b"busy".to_vec(),
                },
                Fault::Reset,
                Fault::Normal,
            ]),
        )
        .start();
    let s = sandbox(&server.url());
    let r = one(&s, &["--what", "mod", "example.com/a@v1.0.0"]);
    assert_eq!(r.code(), Some("http_server_error"), "no retries by default");
    let r = one(
        &s,
        &["--retries", "3", "--what", "mod", "example.com/a@v1.0.0"],
    );
    assert!(r.ok, "{r:#?}");
    let retries: Vec<u32> = r.attempts.iter().map(|a| a.retry).collect();
    assert_eq!(retries, [0, 1]);
    // A 404 is an answer, not a transient failure.
    let empty = GoProxy::new().start();
    let s = sandbox(&empty.url());
    let r = one(
        &s,
        &["--retries", "3", "--what", "mod", "example.com/a@v1.0.0"],
    );
    assert_eq!(r.attempts.len(), 1);
}

#[test]
fn redirects_are_followed_and_every_host_is_listed() {
    let target = proxy_with_a().start();
    let front = GoProxy::new()
        .fault(
            "example.com/a/@v/v1.0.0.mod",
            Fault::Redirect(302, format!("{}/example.com/a/@v/v1.0.0.mod", target.url())),
        )
        .start();
    let r = one(
        &sandbox(&front.url()),
        &["--what", "mod", "example.com/a@v1.0.0"],
    );
    assert!(r.ok, "{r:#?}");
    assert_eq!(r.attempts[0].redirects.len(), 1);
    let mut hosts = vec![front.host_port(), target.host_port()];
    hosts.sort();
    assert_eq!(r.hosts, hosts);
}

#[test]
fn credentials_in_a_plain_http_goproxy_are_refused_and_never_printed() {
    let server = proxy_with_a().basic_auth("alice", "s3cret").start();
    let url = server.url().replace("http://", "http://alice:s3cret@");
    let run = sandbox(&url).run("gomod-fetch", &["--what", "mod", "example.com/a@v1.0.0"]);
    assert!(!run.stdout.contains("s3cret"));
    let r = run.records().remove(0).fetch();
    assert_eq!(r.code(), Some("http_insecure_credentials"));
    assert!(server.targets().is_empty());
}

#[test]
fn hostile_zips_are_refused_with_go_text() {
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (
            modzip::raw_zip(&[("other@v1.0.0/go.mod", b"module other\n")], true),
            "zip for example.com/a@v1.0.0 has unexpected file other@v1.0.0/go.mod",
        ),
        (
            modzip::raw_zip(
                &[
                    ("example.com/a@v1.0.0/go.mod", GO_MOD_A),
                    ("example.com/a@v1.0.0/../evil", b"x"),
                ],
                true,
            ),
            "evil",
        ),
        (
            modzip::zip_bomb("example.com/a", "v1.0.0", 600 << 20, false),
            "",
        ),
    ];
    for (zip, text) in cases {
        let server = proxy_with_a()
            .fault("example.com/a/@v/v1.0.0.zip", Fault::Body(zip))
            .start();
        let r = one(
            &sandbox(&server.url()),
            &["--what", "zip", "example.com/a@v1.0.0"],
        );
        assert_eq!(r.code(), Some("zip_invalid"), "{r:#?}");
        assert!(r.go_error().contains(text), "{}", r.go_error());
        assert_eq!(r.zip_h1, None);
    }
}

#[test]
fn every_endpoint_shows_a_proxy_serving_different_content() {
    let honest = proxy_with_a().start();
    let other = GoProxy::new()
        .module(
            "example.com/a",
            "v1.0.0",
            &[("go.mod", GO_MOD_A), ("a.go", b"package a // changed\n")],
        )
        .start();
    let s = sandbox(&format!("{},{}", honest.url(), other.url()));
    let (status, records) = fetch(&s, &["--every-endpoint", "example.com/a@v1.0.0"]);
    assert_eq!(status, 0);
    assert_eq!(records.len(), 2);
    assert_eq!(records[0].source.as_deref(), Some(honest.url().as_str()));
    assert_eq!(records[1].source.as_deref(), Some(other.url().as_str()));
    assert_eq!(records[0].mod_h1, records[1].mod_h1);
    assert_ne!(records[0].zip_h1, records[1].zip_h1);
}

#[test]
fn check_proxy_tells_conformant_from_broken_proxies() {
    let good = GoProxy::new().start();
    let run = sandbox("off").run("gomod-fetch", &["--check-proxy", &good.url()]);
    let r = run.records().remove(0).fetch();
    assert!(r.ok, "{r:#?}");
    assert!(
        good.targets()
            .iter()
            .any(|t| t.contains("%21no-%21such/%21module")),
        "{:?}",
        good.targets()
    );
    let bad = GoProxy::new().fault("*", Fault::Status(500)).start();
    let run = sandbox("off").run("gomod-fetch", &["--check-proxy", &bad.url()]);
    assert_eq!(run.status, 1);
    let r = run.records().remove(0).fetch();
    assert_eq!(r.code(), Some("http_server_error"));
    assert!(
        r.go_error()
            .starts_with("go: module gomod-tools.invalid/no-such-module: reading "),
        "{}",
        r.go_error()
    );
}

#[test]
fn check_proxy_tries_the_checksum_database_it_relays() {
    use gomod_testsupport::sumdb::{Scenario, SumdbServer};
    use gomod_testsupport::{Response, Server, handler};
    // An honest relay: a database of 300 records serving /sumdb/<name>/...
    let db = SumdbServer::generated(300, Duration::ZERO);
    db.set_supported(Some(200));
    let s = sandbox("off").env("GOSUMDB", &db.vkey());
    let run = s.run("gomod-fetch", &["--check-proxy", &db.url()]);
    let r = run.records().remove(0).fetch();
    assert!(r.ok, "{r:#?}");
    let paths = db.paths();
    for part in ["/latest", "/tile/8/data/", "/lookup/", "/tile/8/0/"] {
        assert!(
            paths.iter().any(|p| p.contains(part)),
            "no {part} through the relay: {paths:?}"
        );
    }

    // A relay whose /supported says yes but whose every answer is 500.
    let (proxy, _behind, _) = crate::sumverify::relaying_proxy(500);
    let s = sandbox("off");
    let run = s.run("gomod-fetch", &["--check-proxy", &proxy.url()]);
    assert_eq!(run.status, 1, "{}", run.stdout);
    let r = run.records().remove(0).fetch();
    assert_eq!(r.code(), Some("http_server_error"), "{r:#?}");
    let message = &r.error.as_ref().unwrap().message;
    assert!(
        message.contains("/sumdb/sum.golang.org/supported") && message.contains("500"),
        "{message}"
    );

    // A relay that serves the tree head and tiles but fails lookups.
    let scenario = Scenario::load("honest").unwrap();
    let name = scenario.db_name.clone();
    let scenario_vkey = scenario.vkey.clone();
    let prefix = format!("/sumdb/{name}/");
    let lookups_fail = Server::http(handler(move |r| {
        match r.path().strip_prefix(prefix.as_str()) {
            Some("supported") => Response::text(200, "ok"),
            Some(rest) if rest.starts_with("lookup/") => Response::text(404, "not relayed"),
            Some(rest) => match scenario.file(&rest.replace("%21", "!")) {
                Some(body) => Response::new(200, body),
                None => Response::text(404, "not found"),
            },
            None => Response::text(404, "not found"),
        }
    }));
    let s = sandbox("off").env("GOSUMDB", &scenario_vkey);
    let url = format!("http://{}", lookups_fail.host_port());
    let run = s.run("gomod-fetch", &["--check-proxy", &url]);
    assert_eq!(run.status, 1, "{}", run.stdout);
    let r = run.records().remove(0).fetch();
    assert_eq!(r.code(), Some("sumdb_not_found"), "{r:#?}");
    let e = r.error.as_ref().unwrap();
    assert!(e.message.contains("the lookup of "), "{}", e.message);
    assert!(
        e.hint.as_deref().unwrap_or_default().contains("/supported"),
        "{:?}",
        e.hint
    );
    let go_error = e.go_error.as_deref().unwrap();
    assert!(
        go_error.contains(": verifying go.mod: ")
            && go_error.contains(&format!("{url}/sumdb/{name}/lookup/"))
            && go_error.contains("404 Not Found"),
        "{go_error}"
    );
}

#[test]
fn go_mod_requirements_are_fetched_and_local_replacements_skipped() {
    let server = proxy_with_a().start();
    let s = sandbox(&server.url());
    let gomod = s.write(
        "go.mod",
        "module example.com/main\n\ngo 1.21\n\nrequire (\n\texample.com/a v1.0.0\n\texample.com/local v1.0.0\n)\n\nreplace example.com/local => ./local\n",
    );
    let (status, records) = fetch(&s, &["--what", "mod", "-m", gomod.to_str().unwrap()]);
    assert_eq!(status, 0, "{records:#?}");
    assert_eq!(records.len(), 2);
    let a = records
        .iter()
        .find(|r| r.module == "example.com/a")
        .unwrap();
    assert!(a.mod_h1.is_some());
    let local = records
        .iter()
        .find(|r| r.module == "example.com/local")
        .unwrap();
    assert!(local.attempts.is_empty());
    assert_eq!(local.warnings[0].code, "local_replacement");
}

#[test]
fn cache_is_written_in_go_layout() {
    let mock = proxy_with_a().module(
        "example.com/Upper/thing",
        "v0.1.0",
        &[("go.mod", b"module example.com/Upper/thing\n")],
    );
    let server = mock.start();
    let s = sandbox(&server.url());
    let cache = s.path().join("modcache");
    let (status, records) = fetch(
        &s,
        &[
            "--cache",
            cache.to_str().unwrap(),
            "example.com/a@v1.0.0",
            "example.com/Upper/thing@v0.1.0",
        ],
    );
    assert_eq!(status, 0, "{records:#?}");
    let dir = cache.join("cache/download/example.com/a/@v");
    for file in [
        "v1.0.0.info",
        "v1.0.0.mod",
        "v1.0.0.zip",
        "v1.0.0.ziphash",
        "list",
    ] {
        assert!(dir.join(file).is_file(), "{file} missing");
    }
    assert_eq!(
        std::fs::read_to_string(dir.join("list")).unwrap(),
        "v1.0.0\n"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("v1.0.0.ziphash")).unwrap(),
        records[0].zip_h1.clone().unwrap()
    );
    assert!(
        cache
            .join("cache/download/example.com/!upper/thing/@v/v0.1.0.zip")
            .is_file()
    );
    // No temporary file is left behind.
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

/// goproxy-list.json's `try` cases that need no direct fetch: the GOPROXY list with
/// each entry a loopback server behaving as the case says; the entries called, in
/// order, and the error reported must be Go's.
#[test]
fn fall_through_vectors_match_go() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/vectors/goproxy-list.json");
    let cases: Vec<serde_json::Value> =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let ca = gomod_testsupport::TestCa::new("untrusted test CA");
    let mut ran = 0;
    for case in cases.iter().filter(|c| c["kind"] == "try") {
        let id = case["id"].as_str().unwrap();
        let outcomes: Vec<&str> = case["outcomes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o.as_str().unwrap())
            .collect();
        let supported = [
            "ok",
            "404",
            "410",
            "500",
            "refused",
            "timeout",
            "tls",
            "off",
            "noproxy-nomatch",
        ];
        if !outcomes.iter().all(|o| supported.contains(o)) {
            // Cases with direct fetches and DNS failures need a repository or a
            // resolver; tests/cli/discovery.rs and dns_interop.rs cover those paths.
            continue;
        }
        let go = &case["results"]["go1.27.3"];
        let goproxy = case["GOPROXY"].as_str().unwrap();
        if go["called"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c == "direct")
        {
            // A direct fetch of example.com/m needs its go-get page: left to the
            // discovery tests, which serve one through a loopback CONNECT proxy.
            continue;
        }
        // Entries after the implicit noproxy one, in list order, with their separators.
        let mut servers = Vec::new();
        let mut list = String::new();
        let mut names = std::collections::HashMap::new();
        let mut outcome_of_entry = outcomes.iter();
        if case["GONOPROXY"] != "" {
            outcome_of_entry.next();
        }
        let mut rest = goproxy;
        while !rest.is_empty() {
            let end = rest.find([',', '|']).unwrap_or(rest.len());
            let (entry, sep) = (&rest[..end], rest.get(end..end + 1).unwrap_or(""));
            rest = rest.get(end + 1..).unwrap_or("");
            let outcome = outcome_of_entry.next().copied().unwrap_or("ok");
            let url = match (entry, outcome) {
                ("off", _) | ("direct", _) => entry.to_string(),
                (_, "refused") => format!("http://127.0.0.1:{}", refused_port()),
                (_, "tls") => {
                    let leaf = ca.issue(&["127.0.0.1"]);
                    let server = proxy_with_m().start_https(&leaf);
                    let url = server.url();
                    servers.push(server);
                    url
                }
                (_, o) => {
                    let mock = match o {
                        "ok" => proxy_with_m(),
                        "timeout" => GoProxy::new().fault("*", Fault::Hang),
                        status => GoProxy::new().fault("*", Fault::Status(status.parse().unwrap())),
                    };
                    let server = mock.start();
                    let url = server.url();
                    servers.push(server);
                    url
                }
            };
            names.insert(url.clone(), entry.to_string());
            list.push_str(&url);
            list.push_str(sep);
        }
        let mut s = sandbox(&list);
        if case["GONOPROXY"] != "" {
            // noproxy-nomatch: a GONOPROXY that does not match the module.
            s = s.env("GONOPROXY", "nomatch.example");
        }
        // No scenario here times out: a timeout a loaded machine never reaches.
        let r = one(
            &s,
            &["--timeout", "10s", "--what", "list", "example.com/m@v1.0.0"],
        );
        let mut called: Vec<String> = r
            .attempts
            .iter()
            .map(|a| {
                names
                    .get(&a.endpoint)
                    .cloned()
                    .unwrap_or(a.endpoint.clone())
            })
            .collect();
        called.dedup();
        let go_called: Vec<&str> = go["called"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap())
            .collect();
        assert_eq!(called, go_called, "{id}: {r:#?}");
        match go["result"].as_str() {
            None => assert!(r.ok, "{id}: {r:#?}"),
            Some(text) => {
                let mut ours = r.go_error().lines().next().unwrap().to_string();
                for (url, name) in &names {
                    ours = ours.replace(url.as_str(), name);
                }
                let ours = ours.trim_start_matches("go: module example.com/m: ");
                let first = text.lines().next().unwrap();
                if first.contains("x509") {
                    assert!(
                        ours.contains("x509: certificate signed by unknown authority"),
                        "{id}: {ours}"
                    );
                } else {
                    assert_eq!(ours, first, "{id}");
                }
            }
        }
        ran += 1;
    }
    assert!(ran >= 12, "only {ran} cases ran");
}

fn proxy_with_m() -> GoProxy {
    GoProxy::new().module(
        "example.com/m",
        "v1.0.0",
        &[("go.mod", b"module example.com/m\n")],
    )
}

/// scenarios.json's `go mod download example.com/m@v1.0.0` cases against a plain-http
/// proxy (or none): the mock proxy plays the scenario's server (the body Go printed
/// as its `server response`), and the error must be the one Go printed, word for word,
/// and every request Go made must be among ours, in Go's order per operation. (The
/// three downloads go out together here, so when `.info` fails there are also `.mod`
/// and `.zip` attempts Go would not have made.)
#[test]
fn download_scenarios_match_go() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/vectors/scenarios.json");
    let cases: Vec<serde_json::Value> =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut ran = Vec::new();
    for case in &cases {
        let id = case["id"].as_str().unwrap();
        let args: Vec<&str> = case["args"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap())
            .collect();
        let env = case["env"].as_object().unwrap();
        let Some(goproxy) = env.get("GOPROXY").and_then(|g| g.as_str()) else {
            continue;
        };
        // Checksum-database failures are gomod-sumverify's business.
        let plain_env = env
            .keys()
            .all(|k| matches!(k.as_str(), "GOPROXY" | "GOSUMDB"))
            && env.get("GOSUMDB").and_then(|v| v.as_str()) == Some("off");
        let mode = case["proxy"].as_str().unwrap_or("");
        let known_mode = [
            "",
            "ok",
            "404",
            "410",
            "500",
            "403",
            "401",
            "badjson",
            "wrongversion",
        ];
        if args != ["mod", "download", "example.com/m@v1.0.0"]
            || !plain_env
            || !known_mode.contains(&mode)
            || goproxy.contains("direct")
            || goproxy.contains("TLS")
            || goproxy.contains("HANG")
            || goproxy.contains("$TMP")
            || goproxy.contains(".invalid")
            || goproxy.contains("ftp:")
            // An https client talking to a plain server: Go's server answers the
            // ClientHello with a 400, the mock waits for a request head (tlscheck's
            // tests cover this answer).
            || goproxy.contains("https://PLAIN")
            || !(goproxy.contains("PLAIN") || goproxy.contains("127.0.0.1") || goproxy == "off")
        {
            continue;
        }
        let go = &case["results"]["go1.27.3"];
        let stderr = go["stderr"].as_str().unwrap();
        let detail = stderr
            .split_once("\tserver response: ")
            .map(|(_, d)| d.trim_end().to_string());
        let info_path = "example.com/m/@v/v1.0.0.info";
        let mock = match mode {
            "ok" | "" => proxy_with_m(),
            "badjson" => proxy_with_m().fault(info_path, Fault::Body(b"<html>".to_vec())),
            "wrongversion" => {
                proxy_with_m().fault(info_path, Fault::Body(br#"{"Version":"v1.0.1"}"#.to_vec()))
            }
            status => {
                let status: u16 = status.parse().unwrap();
                let fault = match &detail {
                    Some(d) => Fault::StatusBody(status, format!("{d}\n")),
                    None => Fault::Reply {
                        status,
                        headers: Vec::new(),
                        body: Vec::new(),
                    },
                };
                GoProxy::new().fault("example.com/m/*", fault)
            }
        };
        let server = mock.base_path("/proxy").start();
        let plain = server.host_port();
        let port = plain.rsplit(':').next().unwrap().to_string();
        let list = goproxy.replace("PLAIN", &plain);
        let s = sandbox(&list);
        let r = one(&s, &["example.com/m@v1.0.0"]);
        let go_ok = go["exitCode"] == 0;
        assert_eq!(r.ok, go_ok, "{id}: {r:#?}");
        if !go_ok {
            let ours = format!("{}\n", r.go_error()).replace(&port, "PLAIN");
            assert_eq!(ours, stderr, "{id}");
        }
        // Go's requests, as the mock logs them, in Go's order within each operation.
        let ours: Vec<String> = server
            .lines()
            .into_iter()
            .map(|l| l.replace(&port, "PLAIN"))
            .collect();
        let theirs: Vec<String> = go["requests"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|l| l.as_str().unwrap().split(" [").next().unwrap().to_string())
                    .collect()
            })
            .unwrap_or_default();
        for request in &theirs {
            assert!(
                ours.contains(request),
                "{id}: Go made {request}; we made {ours:?}"
            );
        }
        if go_ok {
            let mut a = ours.clone();
            let mut b = theirs.clone();
            a.sort();
            b.sort();
            assert_eq!(a, b, "{id}");
        }
        ran.push(id.to_string());
    }
    eprintln!("scenarios compared with Go: {ran:?}");
    assert!(ran.len() >= 10, "only {ran:?} ran");
}

#[test]
fn a_cache_that_cannot_be_written_is_a_record_not_a_crash() {
    let server = proxy_with_a().start();
    let s = sandbox(&server.url());
    let cache = s.path().join("modcache");
    std::fs::create_dir_all(&cache).unwrap();
    // A file where the cache's directory tree must go: even root cannot write there.
    std::fs::write(cache.join("cache"), "not a directory").unwrap();
    let r = one(
        &s,
        &["--cache", cache.to_str().unwrap(), "example.com/a@v1.0.0"],
    );
    assert_eq!(r.code(), Some("cache_unwritable"), "{r:#?}");
    let error = r.error.as_ref().unwrap();
    assert!(
        error.go_error.is_some() && error.hint.is_some(),
        "{error:#?}"
    );
    assert_eq!(r.cached, None);
}

/// A go.mod requiring `n` versions the mock of [`proxy_with_a`]-like proxies serve:
/// example.com/a v1.0.0 and v1.1.0 as example.com/a, example.com/b, example.com/c...
fn proxy_with_modules(n: usize) -> (GoProxy, String) {
    let mut proxy = GoProxy::new();
    let mut requires = String::new();
    for i in 0..n {
        let module = format!("example.com/m{i}");
        let go_mod = format!("module {module}\n\ngo 1.21\n");
        proxy = proxy.module(
            &module,
            "v1.0.0",
            &[("go.mod", go_mod.as_bytes()), ("m.go", b"package m\n")],
        );
        requires.push_str(&format!("\t{module} v1.0.0\n"));
    }
    let gomod = format!("module example.com/main\n\ngo 1.21\n\nrequire (\n{requires})\n");
    (proxy, gomod)
}

#[test]
fn progress_is_shown_on_a_terminal_and_never_in_a_pipe() {
    let proxy = proxy_with_a().delay(Duration::from_millis(600)).start();
    let sandbox = sandbox(&proxy.url());
    // In a pipe (as every other test runs it): records only, nothing on stderr.
    let run = sandbox.run(
        "gomod-fetch",
        &["--progress", "auto", "example.com/a@v1.0.0"],
    );
    assert_eq!((run.status, run.stderr.as_str()), (0, ""), "{}", run.stdout);
    let Some(shown) = sandbox.run_on_terminal("gomod-fetch", &["example.com/a@v1.0.0"]) else {
        return;
    };
    let lines = crate::terminal::screen(&shown.stdout);
    assert!(
        lines[0].starts_with("ok   fetch example.com/a@v1.0.0 from "),
        "{lines:?}"
    );
    assert!(
        shown.stdout.contains("1 done") && shown.stdout.contains("example.com/a@v1.0.0"),
        "no progress line: {:?}",
        shown.stdout
    );
    let quiet = sandbox
        .run_on_terminal(
            "gomod-fetch",
            &["--progress", "never", "example.com/a@v1.0.0"],
        )
        .unwrap();
    assert!(
        quiet.stdout.contains("ok\u{1b}[0m   fetch "),
        "{}",
        quiet.stdout
    );
    assert!(!quiet.stdout.contains("done"), "{:?}", quiet.stdout);
}

#[test]
fn progress_has_a_total_and_an_eta_when_the_count_is_known() {
    let (proxy, gomod) = proxy_with_modules(3);
    let proxy = proxy.delay(Duration::from_millis(600)).start();
    let sandbox = sandbox(&proxy.url());
    let gomod = sandbox.write("go.mod", &gomod);
    let Some(shown) =
        sandbox.run_on_terminal("gomod-fetch", &["-j", "1", "-m", gomod.to_str().unwrap()])
    else {
        return;
    };
    assert_eq!(shown.status, 0, "{}", shown.stdout);
    assert!(
        shown.stdout.contains("/3 done, ETA "),
        "no total and ETA: {:?}",
        shown.stdout
    );
    // Targets on standard input are not counted before they arrive: no total then.
    let run = sandbox.run_with_stdin(
        "gomod-fetch",
        &["--progress", "always", "-"],
        "example.com/m0@v1.0.0\n",
    );
    assert!(run.stderr.contains("1 done, "), "{:?}", run.stderr);
    assert!(!run.stderr.contains("/1"), "{:?}", run.stderr);
}

#[test]
fn records_and_the_progress_display_never_share_a_line() {
    let (proxy, gomod) = proxy_with_modules(4);
    let proxy = proxy.delay(Duration::from_millis(500)).start();
    let sandbox = sandbox(&proxy.url());
    let gomod = sandbox.write("go.mod", &gomod);
    let Some(shown) = sandbox.run_on_terminal(
        "gomod-fetch",
        &[
            "-j",
            "1",
            "--progress",
            "always",
            "-m",
            gomod.to_str().unwrap(),
        ],
    ) else {
        return;
    };
    assert!(
        shown.stdout.contains(" done, "),
        "no progress: {:?}",
        shown.stdout
    );
    // What the terminal shows in the end: the four records, each on a line of its own
    // and nothing else (the display was cleared before each record and at the end).
    let lines = crate::terminal::screen(&shown.stdout);
    assert_eq!(lines.len(), 4, "{lines:#?}\n{:?}", shown.stdout);
    for (i, line) in lines.iter().enumerate() {
        assert!(
            line.starts_with(&format!("ok   fetch example.com/m{i}@v1.0.0 from ")),
            "{lines:#?}"
        );
    }
}

#[test]
fn progress_always_draws_into_a_pipe() {
    let proxy = proxy_with_a().delay(Duration::from_millis(600)).start();
    let sandbox = sandbox(&proxy.url());
    let run = sandbox.run(
        "gomod-fetch",
        &[
            "--progress",
            "always",
            "example.com/a@v1.0.0",
            "example.com/a@v1.1.0",
        ],
    );
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("/2 done, ETA") && run.stderr.contains("example.com/a@"),
        "{:?}",
        run.stderr
    );
    // The records themselves are untouched JSON lines.
    assert_eq!(run.records().len(), 2);
    // And -q silences it.
    let quiet = sandbox.run(
        "gomod-fetch",
        &["-q", "--progress", "always", "example.com/a@v1.0.0"],
    );
    assert_eq!(
        (quiet.status, quiet.stdout.as_str(), quiet.stderr.as_str()),
        (0, "", "")
    );
}

#[test]
fn text_counts_requests_not_the_entries_passed_over() {
    let server = proxy_with_a().start();
    // The version is missing: three 404s, then `off` for each, which asks nothing.
    let s = sandbox(&format!("{},off", server.url()));
    let run = s.run("gomod-fetch", &["--format", "text", "example.com/a@v1.2.0"]);
    assert_eq!(run.status, 1);
    assert!(
        run.stdout.starts_with(
            "FAIL fetch example.com/a@v1.2.0 (3 requests, 3 failed; no request to off (module lookup disabled by GOPROXY=off)) | "
        ),
        "{}",
        run.stdout
    );
    let ok = s.run("gomod-fetch", &["--format", "text", "example.com/a@v1.0.0"]);
    assert!(ok.stdout.contains(": zip h1:"), "{}", ok.stdout);
    assert!(ok.stdout.contains(", go.mod h1:"), "{}", ok.stdout);
    // A conformance check expects 404s: each request is shown with its answer.
    let check = s.run(
        "gomod-fetch",
        &["--format", "text", "--check-proxy", &server.url()],
    );
    assert!(
        check.stdout.starts_with(&format!(
            "ok   proxy check of {} (asking for gomod-tools.invalid/no-such-module, which cannot exist): list 404, ",
            server.url()
        )),
        "{}",
        check.stdout
    );
    assert!(
        ok.stdout.trim_end().ends_with(" (3 requests)"),
        "{}",
        ok.stdout
    );
}

#[test]
fn netrc_credentials_are_not_sent_to_an_http_proxy_and_the_record_says_so() {
    let proxy = proxy_with_a().basic_auth("bob", "s3cret-pw").start();
    let s = sandbox(&proxy.url());
    // go1.24+ matches a netrc machine against the URL's host:port and path prefix.
    let netrc = s.write(
        "netrc",
        &format!(
            "machine {} login bob password s3cret-pw\n",
            proxy.host_port()
        ),
    );
    let s = s.env("NETRC", netrc.to_str().unwrap());
    let run = s.run("gomod-fetch", &["example.com/a@v1.0.0"]);
    assert!(!run.stdout.contains("s3cret-pw"), "{}", run.stdout);
    let r = run.records().remove(0).fetch();
    // As go: no Authorization header over http, so the proxy says 401.
    assert_eq!(r.code(), Some("http_unauthorized"), "{r:#?}");
    assert!(
        proxy
            .requests()
            .iter()
            .all(|q| !q.headers.contains_key("authorization")),
        "credentials went over http"
    );
    let w = r
        .warnings
        .iter()
        .find(|w| w.code == "http_credentials_not_sent")
        .unwrap_or_else(|| panic!("{r:#?}"));
    assert!(w.message.contains("login bob"), "{w:#?}");
    // An entry for another host: nothing to say.
    let s = sandbox(&proxy.url());
    let netrc = s.write("netrc", "machine other.example login bob password pw\n");
    let r = one(
        &s.env("NETRC", netrc.to_str().unwrap()),
        &["example.com/a@v1.0.0"],
    );
    assert!(
        r.warnings
            .iter()
            .all(|w| w.code != "http_credentials_not_sent"),
        "{r:#?}"
    );
}

#[test]
fn a_slow_module_does_not_hold_up_the_ones_after_it() {
    // The first module's .info never comes while the test watches; with two jobs, every
    // module after it must still be fetched (a finished probe gives its slot back before
    // its record is printed), and the records still come in input order.
    let fast: Vec<String> = (0..12).map(|i| format!("example.com/fast{i}")).collect();
    let mut proxy = GoProxy::new().module(
        "example.com/slow",
        "v1.0.0",
        &[("go.mod", b"module example.com/slow\n"), ("a.go", A_GO)],
    );
    for module in &fast {
        let go_mod = format!("module {module}\n");
        proxy = proxy.module(
            module,
            "v1.0.0",
            &[("go.mod", go_mod.as_bytes()), ("a.go", A_GO)],
        );
    }
    let server = proxy
        .fault("example.com/slow/@v/v1.0.0.info", Fault::Hang)
        .start();
    let s = sandbox(&server.url());
    let mut args = vec!["-j".to_string(), "2".to_string()];
    args.push("example.com/slow@v1.0.0".to_string());
    args.extend(fast.iter().map(|m| format!("{m}@v1.0.0")));
    let child = std::process::Command::new(assert_cmd::cargo::cargo_bin("gomod-fetch"))
        .env_clear()
        .envs(s.vars().iter().map(|(k, v)| (k, v)))
        .current_dir(s.path())
        .args(&args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let zips: Vec<String> = fast.iter().map(|m| format!("/{m}/@v/v1.0.0.zip")).collect();
    let all_fetched = || {
        let seen = server.targets();
        zips.iter().all(|zip| seen.contains(zip))
    };
    let until = std::time::Instant::now() + Duration::from_secs(60);
    while !all_fetched() && std::time::Instant::now() < until {
        std::thread::sleep(Duration::from_millis(20));
    }
    let seen = server.targets();
    let slow_pending = seen.contains(&"/example.com/slow/@v/v1.0.0.info".to_string());
    let fetched = all_fetched();
    // Dropping the server ends the held request; the slow module's record says so.
    drop(server);
    let output = child.wait_with_output().unwrap();
    assert!(
        fetched && slow_pending,
        "the modules after a slow one waited for it: {seen:?}\nstderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let records: Vec<FetchRecord> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|line| crate::records::Record::parse(line).fetch())
        .collect();
    let modules: Vec<&str> = records.iter().map(|r| r.module.as_str()).collect();
    let mut expected = vec!["example.com/slow"];
    expected.extend(fast.iter().map(String::as_str));
    assert_eq!(modules, expected);
    assert!(!records[0].ok, "{:#?}", records[0]);
    assert!(records[1..].iter().all(|r| r.ok), "{records:#?}");
}

/// A module whose go line is newer than the go that would download it: where
/// GOTOOLCHAIN forbids switching, go mod download stops with gover's TooNewError in
/// GOTOOLCHAIN's words; with GOTOOLCHAIN=auto go lists golang.org/toolchain on
/// GOPROXY for a newer toolchain: none there is go's `switching to go >= X` line, one
/// there a warning naming it. The go is a GOROOT with a VERSION file; where go1.27 is
/// installed, its own lines are held to the records'.
#[test]
fn a_go_line_newer_than_the_running_go_stops_go_mod_download() {
    let server = GoProxy::new()
        .module(
            "example.com/new",
            "v1.0.0",
            &[
                ("go.mod", b"module example.com/new\n\ngo 1.99\n"),
                ("n.go", b"package new\n"),
            ],
        )
        .module(
            "example.com/a",
            "v1.0.0",
            &[("go.mod", GO_MOD_A), ("a.go", A_GO)],
        )
        .start();
    let toolchains = GoProxy::new()
        .module(
            "example.com/new",
            "v1.0.0",
            &[
                ("go.mod", b"module example.com/new\n\ngo 1.99\n"),
                ("n.go", b"package new\n"),
            ],
        )
        .fault(
            "golang.org/toolchain/@v/list",
            Fault::StatusBody(
                200,
                "v0.0.1-go1.99.0.linux-amd64\nv0.0.1-go1.99.2.windows-arm64\nv0.0.1-go1.28.0.linux-amd64\n"
                    .to_string(),
            ),
        )
        .start();
    let mut s = sandbox(&server.url());
    let root = s.path().join("goroot");
    std::fs::create_dir_all(&root).unwrap();
    std::fs::write(
        root.join("VERSION"),
        "go1.27.3\ntime 2026-01-01T00:00:00Z\n",
    )
    .unwrap();
    s = s.env("GOROOT", root.to_str().unwrap());
    for (gotoolchain, explain) in [
        ("local", "; GOTOOLCHAIN=local"),
        ("go1.27.3", "; GOTOOLCHAIN=go1.27.3"),
    ] {
        s = s.env("GOTOOLCHAIN", gotoolchain);
        let r = one(&s, &["example.com/new@v1.0.0"]);
        assert!(!r.ok, "{r:#?}");
        assert_eq!(r.code(), Some("toolchain_too_old"), "{r:#?}");
        let line = r.error.as_ref().and_then(|e| e.go_error.clone());
        assert_eq!(
            line.as_deref(),
            Some(
                format!(
                    "go: example.com/new@v1.0.0 requires go >= 1.99 (running go 1.27.3{explain})"
                )
                .as_str()
            ),
            "{r:#?}"
        );
        // A go line the running go satisfies is no error.
        assert!(one(&s, &["example.com/a@v1.0.0"]).ok);
    }
    s = s.env("GOTOOLCHAIN", "auto");
    let r = one(&s, &["example.com/new@v1.0.0"]);
    assert!(!r.ok, "{r:#?}");
    assert_eq!(r.code(), Some("toolchain_not_available"), "{r:#?}");
    let switching = format!(
        "go: switching to go >= 1.99: module golang.org/toolchain: reading {}/golang.org/toolchain/@v/list: 404 Not Found",
        server.url()
    );
    let line = r.error.as_ref().and_then(|e| e.go_error.clone()).unwrap();
    assert!(line.starts_with(&switching), "{line}");
    // Two modules that need it: the toolchains are listed once, as go lists them once.
    let (_, records) = fetch(&s, &["example.com/new@v1.0.0", "example.com/new@latest"]);
    assert_eq!(records.len(), 2);
    for r in &records {
        assert_eq!(r.code(), Some("toolchain_not_available"), "{r:#?}");
    }
    let lists = server
        .lines()
        .iter()
        .filter(|l| l.contains("golang.org/toolchain/@v/list"))
        .count();
    assert_eq!(lists, 2, "one for each run: {:#?}", server.lines());
    s = s.env("GOPROXY", &toolchains.url());
    let r = one(&s, &["example.com/new@v1.0.0"]);
    assert!(r.ok, "{r:#?}");
    assert!(
        r.warnings.iter().any(|w| w.code == "toolchain_too_old"
            && w.message.contains(
                "switch to go1.99.2, which it downloads as golang.org/toolchain@v0.0.1-go1.99.2."
            )),
        "{r:#?}"
    );

    // GOTOOLCHAIN=path: go takes the newest fitting go1.* program in PATH, or stops.
    let bin = s.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let s = s
        .env("GOPROXY", &server.url())
        .env("GOTOOLCHAIN", "path")
        .env("PATH", bin.to_str().unwrap());
    let r = one(&s, &["example.com/new@v1.0.0"]);
    assert!(!r.ok, "{r:#?}");
    assert_eq!(r.code(), Some("toolchain_not_available"), "{r:#?}");
    assert_eq!(
        r.error.as_ref().and_then(|e| e.go_error.as_deref()),
        Some("go: switching to go >= 1.99: no releases found for go >= 1.99"),
        "{r:#?}"
    );
    {
        use std::os::unix::fs::PermissionsExt;
        let program = bin.join("go1.99.2");
        std::fs::write(&program, "#!/bin/sh\nexit 1\n").unwrap();
        std::fs::set_permissions(&program, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let r = one(&s, &["example.com/new@v1.0.0"]);
    assert!(r.ok, "{r:#?}");
    assert!(
        r.warnings.iter().any(|w| w.code == "toolchain_too_old"
            && w.message.ends_with(&format!(
                "switch to go1.99.2, found in PATH in {}",
                bin.display()
            ))),
        "{r:#?}"
    );

    let Some(go) = crate::interop::newest_go() else {
        return;
    };
    let s = crate::interop::go_sandbox(&go)
        .env("GOPROXY", &server.url())
        .env("GOSUMDB", "off")
        .env("GOENV", "off");
    let gopath = s.path().join("gopath");
    let s = s.env("GOPATH", gopath.to_str().unwrap());
    let out = crate::interop::go_command(&s, &go)
        .args(["mod", "download", "example.com/new@v1.0.0"])
        .output()
        .unwrap();
    let theirs = String::from_utf8_lossy(&out.stderr).trim_end().to_string();
    let r = one(&s, &["example.com/new@v1.0.0"]);
    let ours = r.error.as_ref().and_then(|e| e.go_error.clone());
    assert_eq!(ours.as_deref(), Some(theirs.as_str()), "{r:#?}");
    // With GOTOOLCHAIN=auto go prints the module's line, the switch's, and the
    // module's again: the record's is the switch's. So with GOTOOLCHAIN=path and no
    // go1.* in PATH.
    let mut s = s;
    for (gotoolchain, reason) in [
        ("auto", None),
        ("path", Some("no releases found for go >= 1.99")),
    ] {
        s = s.env("GOTOOLCHAIN", gotoolchain);
        let out = crate::interop::go_command(&s, &go)
            .args(["mod", "download", "example.com/new@v1.0.0"])
            .output()
            .unwrap();
        let theirs = String::from_utf8_lossy(&out.stderr).to_string();
        let r = one(&s, &["example.com/new@v1.0.0"]);
        let ours = r.error.as_ref().and_then(|e| e.go_error.clone()).unwrap();
        assert!(ours.starts_with("go: switching to go >= 1.99: "), "{ours}");
        assert!(reason.is_none_or(|reason| ours.ends_with(reason)), "{ours}");
        assert!(
            theirs.contains(&format!("{ours}\n")),
            "go said:\n{theirs}\nours: {ours}"
        );
    }
}
