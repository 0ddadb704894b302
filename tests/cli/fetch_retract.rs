//! What `go get` says that `go mod download` does not: a version retracted by its
//! module's author and a deprecated module, read from the go.mod of the module's latest
//! version, fetched alongside the version itself (`--go-get-warnings`); the texts held
//! to go1.27's `go get`.

use std::time::Duration;

use gomod_testsupport::goproxy::{Fault, GoProxy};

use crate::fetch::{one, sandbox};
use crate::interop::{go_command, go_sandbox, newest_go};
use crate::records::FetchRecord;

/// example.com/r: v1.0.0, v1.0.1 and v1.1.0, whose go.mod deprecates the module and
/// retracts v1.0.1 (with a rationale) and v1.0.0 (without).
fn retracting() -> GoProxy {
    let plain: &[u8] = b"module example.com/r\n\ngo 1.21\n";
    let latest: &[u8] = b"// Deprecated: use example.com/r2 instead.\nmodule example.com/r\n\ngo 1.21\n\nretract (\n\tv1.0.0\n\tv1.0.1 // Broken build on arm64.\n)\n";
    GoProxy::new()
        .module("example.com/r", "v1.0.0", &[("go.mod", plain)])
        .module("example.com/r", "v1.0.1", &[("go.mod", plain)])
        .module("example.com/r", "v1.1.0", &[("go.mod", latest)])
}

const RETRACTED_WITH_RATIONALE: &str = "go: warning: example.com/r@v1.0.1: retracted by module author: Broken build on arm64.\ngo: to switch to the latest unretracted version, run:\n\tgo get example.com/r@latest";
const DEPRECATED: &str = "go: module example.com/r is deprecated: use example.com/r2 instead.";

fn warning<'a>(r: &'a FetchRecord, code: &str) -> Option<&'a crate::records::Warning> {
    r.warnings.iter().find(|w| w.code == code)
}

#[test]
fn a_retracted_version_and_a_deprecated_module_are_warned_about_as_go_get_does() {
    let proxy = retracting().start();
    let s = sandbox(&proxy.url());
    let r = one(&s, &["--go-get-warnings", "example.com/r@v1.0.1"]);
    assert!(r.ok, "{r:#?}");
    let retracted = warning(&r, "retracted").unwrap_or_else(|| panic!("{r:#?}"));
    assert_eq!(
        retracted.go_error.as_deref(),
        Some(RETRACTED_WITH_RATIONALE)
    );
    // The directive that decided it, and where it is.
    assert!(
        retracted
            .message
            .contains("`retract v1.0.1`, line 8 of the go.mod of example.com/r@v1.1.0"),
        "{retracted:#?}"
    );
    let deprecated = warning(&r, "deprecated").unwrap();
    assert_eq!(deprecated.go_error.as_deref(), Some(DEPRECATED));
    // The latest version's go.mod was read.
    assert!(
        proxy
            .targets()
            .iter()
            .any(|t| t.ends_with("/example.com/r/@v/v1.1.0.mod")),
        "{:?}",
        proxy.targets()
    );
    // Without a rationale, go's bare words.
    let r = one(&s, &["--go-get-warnings", "example.com/r@v1.0.0"]);
    assert_eq!(
        warning(&r, "retracted").unwrap().go_error.as_deref(),
        Some(
            "go: warning: example.com/r@v1.0.0: retracted by module author\ngo: to switch to the latest unretracted version, run:\n\tgo get example.com/r@latest"
        )
    );
    // Without --go-get-warnings, what go mod download says: nothing.
    let r = one(&s, &["example.com/r@v1.0.1"]);
    assert!(r.warnings.is_empty(), "{r:#?}");
    // The latest version itself is not retracted, only deprecated.
    let r = one(&s, &["--go-get-warnings", "example.com/r@v1.1.0"]);
    assert!(warning(&r, "retracted").is_none(), "{r:#?}");
    assert!(warning(&r, "deprecated").is_some(), "{r:#?}");
}

#[test]
fn a_module_neither_retracted_nor_deprecated_gets_no_warning() {
    let proxy = crate::fetch::proxy_with_a().start();
    let s = sandbox(&proxy.url());
    let r = one(&s, &["--go-get-warnings", "example.com/a@v1.0.0"]);
    assert!(r.ok && r.warnings.is_empty(), "{r:#?}");
    // The latest version's go.mod was still looked at.
    assert!(
        proxy
            .targets()
            .iter()
            .any(|t| t.ends_with("/example.com/a/@v/v1.1.0.mod")),
        "{:?}",
        proxy.targets()
    );
}

#[test]
fn the_latest_go_mod_is_fetched_while_the_zip_is_under_way() {
    // The version's zip hangs until --timeout; the latest go.mod is asked for
    // meanwhile, not after it: the warning is there although the zip failed.
    let proxy = retracting()
        .fault("example.com/r/@v/v1.0.1.zip", Fault::Hang)
        .start();
    let s = sandbox(&proxy.url());
    let r = one(
        &s,
        &[
            "--go-get-warnings",
            "--timeout",
            "8s",
            "example.com/r@v1.0.1",
        ],
    );
    assert_eq!(r.code(), Some("http_timeout"), "{r:#?}");
    assert!(warning(&r, "retracted").is_some(), "{r:#?}");
    let log = proxy.log();
    let at = |suffix: &str| {
        log.iter()
            .find(|l| l.request.target.ends_with(suffix))
            .map(|l| l.since_start)
            .unwrap_or_else(|| panic!("no request for {suffix}"))
    };
    let zip = at("/v1.0.1.zip");
    let latest_mod = at("/v1.1.0.mod");
    assert!(
        latest_mod < zip + Duration::from_secs(6),
        "the latest go.mod came {latest_mod:?}, the zip {zip:?}: after the zip's timeout"
    );
}

#[test]
fn go_get_prints_the_same_warnings() {
    let Some(go) = newest_go() else { return };
    let proxy = retracting().start();
    let s = go_sandbox(&go);
    let gopath = s.path().join("gopath");
    let s = s
        .env("GOPROXY", &proxy.url())
        .env("GOSUMDB", "off")
        .env("GOVCS", "*:off")
        .env("GOENV", "off")
        .env("GOPATH", &gopath.display().to_string())
        .env("GOFLAGS", "-modcacherw -mod=mod");
    s.write("go.mod", "module example.com/main\n\ngo 1.21\n");
    let out = go_command(&s, &go)
        .args(["get", "example.com/r@v1.0.1"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let r = one(&s, &["--go-get-warnings", "example.com/r@v1.0.1"]);
    let deprecated = warning(&r, "deprecated").unwrap().go_error.clone().unwrap();
    let retracted = warning(&r, "retracted").unwrap().go_error.clone().unwrap();
    // go prints the deprecation, then the retraction.
    let expected = format!("{deprecated}\n{retracted}\n");
    assert!(
        stderr.contains(&expected),
        "go get said:\n{stderr}\nwe say:\n{expected}"
    );
    // go mod download of the exact version says none of it.
    let out = go_command(&s, &go)
        .args(["mod", "download", "example.com/r@v1.0.1"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("retracted"), "{stderr}");
}

/// example.com/q: v1.0.0, v1.1.0 and v1.2.0, whose go.mod retracts v1.1.0;
/// example.com/s: the same versions, v1.2.0 retracting v1.1.0 and itself;
/// example.com/all: v1.0.0 and v1.2.0, v1.2.0 retracting both.
fn retracting_queries() -> GoProxy {
    let plain = |m: &str| format!("module {m}\n\ngo 1.21\n");
    let q_latest = "module example.com/q\n\ngo 1.21\n\nretract v1.1.0 // Broken.\n";
    let s_latest = "module example.com/s\n\ngo 1.21\n\nretract (\n\tv1.1.0\n\tv1.2.0 // Published by mistake.\n)\n";
    let all_latest = "module example.com/all\n\ngo 1.21\n\nretract [v1.0.0, v1.2.0]\n";
    let mut proxy = GoProxy::new();
    for m in ["example.com/q", "example.com/s"] {
        let latest = if m == "example.com/q" {
            q_latest
        } else {
            s_latest
        };
        proxy = proxy
            .module(m, "v1.0.0", &[("go.mod", plain(m).as_bytes())])
            .module(m, "v1.1.0", &[("go.mod", plain(m).as_bytes())])
            .module(m, "v1.2.0", &[("go.mod", latest.as_bytes())]);
    }
    proxy
        .module(
            "example.com/all",
            "v1.0.0",
            &[("go.mod", plain("example.com/all").as_bytes())],
        )
        .module(
            "example.com/all",
            "v1.2.0",
            &[("go.mod", all_latest.as_bytes())],
        )
}

/// Queries and what go1.27 answers for them in [`retracting_queries`]'s proxy (`go list
/// -m M@Q`, and `go mod download`'s error where nothing matches).
const RETRACTED_QUERIES: &[(&str, Result<&str, &str>)] = &[
    ("example.com/q@latest", Ok("v1.2.0")),
    (
        "example.com/q@v1.1",
        Err("go: module example.com/q: no matching versions for query \"v1.1\""),
    ),
    ("example.com/q@<v1.2.0", Ok("v1.0.0")),
    ("example.com/q@>=v1.1.0", Ok("v1.2.0")),
    ("example.com/q@v1", Ok("v1.2.0")),
    ("example.com/s@latest", Ok("v1.0.0")),
    (
        "example.com/s@>v1.0.0",
        Err("go: module example.com/s: no matching versions for query \">v1.0.0\""),
    ),
    (
        "example.com/all@latest",
        Err("go: module example.com/all: no matching versions for query \"latest\""),
    ),
    (
        "example.com/all@v1",
        Err("go: module example.com/all: no matching versions for query \"v1\""),
    ),
];

#[test]
fn queries_pass_over_retracted_versions_as_go_s_do() {
    let proxy = retracting_queries().start();
    let s = sandbox(&proxy.url());
    for (target, want) in RETRACTED_QUERIES {
        let r = one(&s, &["--what", "info", target]);
        match want {
            Ok(version) => {
                assert!(r.ok, "{target}: {r:#?}");
                assert_eq!(r.version.as_deref(), Some(*version), "{target}: {r:#?}");
            }
            Err(go_error) => {
                assert_eq!(r.code(), Some("version_invalid"), "{target}: {r:#?}");
                assert_eq!(r.go_error(), *go_error, "{target}");
            }
        }
    }
    // The retracted versions were never asked for; the latest version's go.mod was,
    // once per query, as go mod download reads it.
    let targets = proxy.targets();
    assert!(
        !targets.iter().any(|t| t.ends_with("/v1.1.0.info")),
        "{targets:?}"
    );
    let latest_mods = targets
        .iter()
        .filter(|t| t.ends_with("/example.com/q/@v/v1.2.0.mod"))
        .count();
    assert_eq!(latest_mods, 5, "{targets:?}");
}

#[test]
fn the_latest_query_reads_the_list_the_latest_info_and_go_mod_once() {
    // What go mod download asks for example.com/q@latest: the list, the latest .info,
    // its go.mod (for its retractions), then the zip; the answer is not asked again.
    let proxy = retracting_queries().start();
    let s = sandbox(&proxy.url());
    let r = one(&s, &["example.com/q@latest"]);
    assert!(r.ok, "{r:#?}");
    let mut targets = proxy.targets();
    targets.sort();
    let expected: Vec<String> = ["list", "v1.2.0.info", "v1.2.0.mod", "v1.2.0.zip"]
        .iter()
        .map(|f| format!("/example.com/q/@v/{f}"))
        .collect();
    assert_eq!(targets, expected);
    // The requests for the retractions are go mod download's: in the record.
    let urls: Vec<&str> = r.attempts.iter().filter_map(|a| a.url.as_deref()).collect();
    assert!(urls.iter().any(|u| u.ends_with("/v1.2.0.mod")), "{urls:?}");
}

#[test]
fn go_s_queries_pass_over_the_same_retracted_versions() {
    go_answers(RETRACTED_QUERIES, None);
}

/// Asks go1.27 each query against [`retracting_queries`]'s proxy, in a directory with
/// `gomod` as its go.mod if given: `go list -m M@Q` gives the version, and where nothing
/// matches `go mod download` prints the expected error.
fn go_answers(queries: &[(&str, Result<&str, &str>)], gomod: Option<&str>) {
    let Some(go) = newest_go() else { return };
    let proxy = retracting_queries().start();
    let s = go_sandbox(&go);
    if let Some(gomod) = gomod {
        s.write("go.mod", gomod);
    }
    let gopath = s.path().join("gopath");
    let s = s
        .env("GOPROXY", &proxy.url())
        .env("GOSUMDB", "off")
        .env("GOVCS", "*:off")
        .env("GOENV", "off")
        .env("GOFLAGS", "")
        .env("GOPATH", &gopath.display().to_string());
    for (target, want) in queries {
        let out = go_command(&s, &go)
            .args(["list", "-m", target])
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let module = target.split('@').next().unwrap();
        match want {
            Ok(version) => assert_eq!(stdout.trim(), format!("{module} {version}"), "{target}"),
            Err(_) => assert!(!out.status.success(), "{target}: {stdout}"),
        }
        if let Err(go_error) = want {
            let out = go_command(&s, &go)
                .args(["mod", "download", target])
                .output()
                .unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(stderr.trim_end(), *go_error, "{target}");
        }
    }
}

/// The main module's go.mod for [`EXCLUDED_QUERIES`]: example.com/q's latest version
/// and example.com/s's only unretracted one excluded.
const EXCLUDING_GO_MOD: &str = "module example.com/main\n\ngo 1.21\n\nexclude (\n\texample.com/q v1.2.0\n\texample.com/s v1.0.0\n)\n";

/// Queries made in the module of [`EXCLUDING_GO_MOD`] against [`retracting_queries`]'s
/// proxy, and what go1.27 answers (`go list -m M@Q`; `go mod download`'s error where
/// nothing is left): excluded and retracted versions are both passed over, an exact
/// version is fetched although it is excluded.
const EXCLUDED_QUERIES: &[(&str, Result<&str, &str>)] = &[
    ("example.com/q@latest", Ok("v1.0.0")),
    ("example.com/q@v1.2.0", Ok("v1.2.0")),
    ("example.com/q@<v1.1.0", Ok("v1.0.0")),
    (
        "example.com/q@>=v1.1.0",
        Err("go: module example.com/q: no matching versions for query \">=v1.1.0\""),
    ),
    (
        "example.com/s@latest",
        Err("go: module example.com/s: no matching versions for query \"latest\""),
    ),
    ("example.com/all@v1.0.0", Ok("v1.0.0")),
];

#[test]
fn queries_pass_over_the_versions_the_main_module_excludes() {
    let proxy = retracting_queries().start();
    let s = sandbox(&proxy.url());
    s.write("go.mod", EXCLUDING_GO_MOD);
    for (target, want) in EXCLUDED_QUERIES {
        let r = one(&s, &["--what", "info", target]);
        match want {
            Ok(version) => {
                assert!(r.ok, "{target}: {r:#?}");
                assert_eq!(r.version.as_deref(), Some(*version), "{target}: {r:#?}");
            }
            Err(go_error) => {
                assert_eq!(r.code(), Some("version_invalid"), "{target}: {r:#?}");
                assert_eq!(r.go_error(), *go_error, "{target}");
            }
        }
        // A query the exclusion changes says so, with the directive's line; an exact
        // version, or a range the excluded version is not in, does not.
        let said = warning(&r, "excluded").map(|w| w.message.clone());
        let changed = [
            "example.com/q@latest",
            "example.com/q@>=v1.1.0",
            "example.com/s@latest",
        ];
        if changed.contains(target) {
            let said = said.unwrap_or_else(|| panic!("{target}: {r:#?}"));
            assert!(said.contains("go.mod:"), "{said}");
        } else {
            assert_eq!(said, None, "{target}");
        }
    }
    // The excluded v1.2.0 was asked for only by its exact query and as the latest
    // version whose go.mod says what is retracted (go asks for it too).
    let q_latest = warning(
        &one(&s, &["--what", "info", "example.com/q@latest"]),
        "excluded",
    )
    .unwrap()
    .message
    .clone();
    assert!(
        q_latest.ends_with("go.mod:6 excludes example.com/q@v1.2.0: the query \"latest\" passes over it, as go's queries do in this module"),
        "{q_latest}"
    );
    // Elsewhere (no go.mod above the working directory) nothing is excluded.
    let away = sandbox(&proxy.url());
    let r = one(&away, &["--what", "info", "example.com/q@latest"]);
    assert_eq!(r.version.as_deref(), Some("v1.2.0"), "{r:#?}");
    assert!(r.warnings.is_empty(), "{r:#?}");
}

#[test]
fn go_s_queries_pass_over_the_same_excluded_versions() {
    go_answers(EXCLUDED_QUERIES, Some(EXCLUDING_GO_MOD));
}
