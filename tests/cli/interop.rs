//! Agreement with the real go command: the newest Go, found as `$GOMOD_GO` or the first
//! `go` on PATH whose version is go1.27 or later. Without one these tests are skipped,
//! unless GOMOD_REQUIRE_GO=1 (CI sets it), which makes a missing go a failure.
//!
//! Every run of go is pinned so that it cannot reach out: a fresh HOME, GOPATH and
//! module cache, GOENV inside the sandbox, GOTOOLCHAIN=local, GOVCS, GOSUMDB/GOPROXY
//! set by each case to loopback servers or off, and HTTPS_PROXY pointing at a loopback
//! CONNECT proxy for every other host name.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use gomod_testsupport::{
    ConnectMode, ConnectProxy, Log, Response, Running, Server, TestCa, go_import_page, handler,
};

use crate::Sandbox;

pub use gomod_testsupport::go::newest_go;

/// A sandbox that can run both our tool and go: PATH holds only go's directory.
pub fn go_sandbox(go: &Path) -> Sandbox {
    let dir = go.parent().unwrap().display().to_string();
    Sandbox::new()
        .env("PATH", &dir)
        .env("GOTOOLCHAIN", "local")
        .env("GOFLAGS", "-modcacherw")
}

/// A command for `program` (go, or a program built with it) with exactly the sandbox's
/// environment, run in the sandbox.
pub fn go_command(sandbox: &Sandbox, program: &Path) -> std::process::Command {
    let mut cmd = std::process::Command::new(program);
    cmd.env_clear();
    for (k, v) in sandbox.vars() {
        cmd.env(k, v);
    }
    cmd.current_dir(sandbox.path());
    cmd
}

/// Builds the Go program in tests/fixtures/go/`name` (one main.go) with `go`: cgo off
/// like the go command's own build, offline (GOPROXY=off, no VCS, GOENV=off), with a
/// fresh GOPATH and GOCACHE in the sandbox. Returns the binary's path.
pub fn build_go_program(go: &Path, sandbox: &Sandbox, name: &str) -> PathBuf {
    let src = sandbox.path().join(name);
    std::fs::create_dir_all(&src).unwrap();
    let main = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/go")
            .join(name)
            .join("main.go"),
    )
    .unwrap();
    std::fs::write(src.join("main.go"), main).unwrap();
    std::fs::write(src.join("go.mod"), format!("module {name}\n\ngo 1.21\n")).unwrap();
    let out = sandbox.path().join(format!("{name}-bin"));
    let status = go_command(sandbox, go)
        .current_dir(&src)
        .args(["build", "-o"])
        .arg(&out)
        .arg(".")
        .env("CGO_ENABLED", "0")
        .env("GOTOOLCHAIN", "local")
        .env("GOPROXY", "off")
        .env("GOSUMDB", "off")
        .env("GOVCS", "*:off")
        .env("GOFLAGS", "-mod=mod")
        .env("GOPATH", sandbox.path().join("gopath"))
        .env("GOCACHE", sandbox.path().join("gocache"))
        .env("GOENV", "off")
        .status()
        .expect("run go build");
    assert!(status.success(), "building the Go program {name} failed");
    out
}

// ---------------------------------------------------------------------------------
// go env

fn compare_env(name: &str, sandbox: &Sandbox, go: &Path) {
    let ours = sandbox.run("gomod-resolve", &["--env"]);
    assert_eq!(ours.status, 0, "{name}: {}", ours.stderr);
    let env = ours.records().remove(0).env();
    let output = go_command(sandbox, go)
        .args(["env", "-json"])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{name}: go env failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let theirs: BTreeMap<String, String> = serde_json::from_slice(&output.stdout).unwrap();
    let mut compared = Vec::new();
    for (key, var) in &env.vars {
        if let Some(value) = theirs.get(key) {
            assert_eq!(
                &var.value, value,
                "{name}: {key} ({} from {}) differs from go env",
                var.value, var.source
            );
            compared.push(key.clone());
        }
    }
    for key in [
        "GOPROXY",
        "GOSUMDB",
        "GOPRIVATE",
        "GONOPROXY",
        "GONOSUMDB",
        "GOINSECURE",
        "GOVCS",
        "GOFLAGS",
        "GOAUTH",
        "GOTOOLCHAIN",
        "GOPATH",
        "GOMODCACHE",
        "GOENV",
        "GOROOT",
        "GO111MODULE",
    ] {
        assert!(
            compared.iter().any(|k| k == key),
            "{name}: {key} was not compared (go env lacks it?)"
        );
    }
}

#[test]
fn env_agrees_with_go_env() {
    let Some(go) = newest_go() else { return };
    type Setup = fn(Sandbox) -> Sandbox;
    let cases: Vec<(&str, Setup)> = vec![
        ("defaults", |s| s),
        ("file", |s| {
            s.go_env_file("GOPROXY=https://corp.example/go,direct\nGOPRIVATE=*.corp.example.com\nGOINSECURE=insecure.example\nGOVCS=private:all,public:git\nGOFLAGS=-mod=mod\nGOAUTH=netrc\n")
        }),
        ("env beats file; empty env is unset", |s| {
            s.go_env_file("GOPROXY=https://file.example\nGOSUMDB=off\n")
                .env("GOPROXY", "https://env.example")
                .env("GOSUMDB", "")
        }),
        ("empty values in the file hide go.env", |s| {
            s.go_env_file("GOPROXY=\nGOSUMDB=\n")
        }),
        ("GONOPROXY=none", |s| {
            s.go_env_file("GOPRIVATE=example.com\nGONOPROXY=none\n")
        }),
        ("GOPATH list", |s| s.env("GOPATH", "/a/gp:/b/gp")),
        ("GOMODCACHE", |s| s.go_env_file("GOMODCACHE=/cache/mod\n")),
        ("CRLF file", |s| {
            s.go_env_file("GOPROXY=direct\r\nGOPRIVATE=corp.example\r\n")
        }),
        ("quotes and spaces kept", |s| {
            s.go_env_file("GOPROXY=\"https://q.example\"\nGOPRIVATE = x\nGONOSUMDB=a , b\n")
        }),
        ("last duplicate wins", |s| {
            s.go_env_file("GOPROXY=https://a.example\nGOPROXY=https://b.example\n")
        }),
        ("GOENV=off", |s| {
            s.go_env_file("GOPROXY=off\n").env("GOENV", "off")
        }),
        ("GOENV elsewhere", |s| {
            let file = s.write("custom.env", "GOPROXY=https://custom.example\n");
            let path = file.display().to_string();
            s.env("GOENV", &path)
        }),
        ("XDG_CONFIG_HOME", |s| {
            s.write("xdg/go/env", "GOPRIVATE=xdg.example\n");
            let dir = s.path().join("xdg").display().to_string();
            s.env("XDG_CONFIG_HOME", &dir)
        }),
        (
            "GOTOOLCHAIN from the file is overridden by the environment",
            |s| s.go_env_file("GOTOOLCHAIN=go1.99.0\n"),
        ),
    ];
    for (name, setup) in cases {
        let sandbox = setup(go_sandbox(&go));
        compare_env(name, &sandbox, &go);
    }
}

// ---------------------------------------------------------------------------------
// routes: what go requests

/// Loopback servers for one scene, all recording into one log.
struct Servers {
    log: Log,
    _ca: Arc<TestCa>,
    connect: Running,
    proxy_a: Running,
    proxy_b: Running,
    modules: Running,
    ca_file: PathBuf,
}

fn info(version: &str) -> String {
    format!("{{\"Version\":\"{version}\",\"Time\":\"2024-01-02T03:04:05Z\"}}")
}

/// A proxy that knows nothing (404 for everything, as Go's proxies say "not found").
fn empty_proxy(log: Log) -> Running {
    Server::http_logged(handler(|_| Response::text(404, "not found")), log)
}

/// The servers of a scene: two empty proxies, a module server that has the .info and
/// .mod of example.com/m v1.0.0 (not the .zip), and a CONNECT proxy that plays every
/// https host, with `page(module server root)` as example.com/m's go-get page.
fn servers(sandbox: &Sandbox, page: PageFn) -> Servers {
    let log = Log::default();
    let ca = Arc::new(TestCa::new("interop CA"));
    let modules = Server::http_logged(
        handler(|r| match r.path() {
            p if p.ends_with("/@v/v1.0.0.info") => {
                Response::new(200, info("v1.0.0")).header("Content-Type", "application/json")
            }
            p if p.ends_with("/@v/v1.0.0.mod") => Response::new(200, "module example.com/m\n"),
            _ => Response::text(404, "not found"),
        }),
        log.clone(),
    );
    let mods_root = format!("http://{}/mods", modules.host_port());
    let page_html = page(&mods_root);
    let connect = ConnectProxy::start_logged(
        ConnectMode::Tunnel,
        Arc::clone(&ca),
        handler(move |r| match (r.host.as_str(), r.path()) {
            ("example.com", "/m") => Response::html(&page_html),
            _ => Response::text(404, "not found"),
        }),
        log.clone(),
    );
    let ca_file = ca.write_pem(sandbox.path(), "ca.pem");
    Servers {
        proxy_a: empty_proxy(log.clone()),
        proxy_b: empty_proxy(log.clone()),
        modules,
        connect,
        ca_file,
        _ca: ca,
        log,
    }
}

impl Servers {
    /// The requests seen, as `scheme METHOD host/path`, CONNECT lines dropped, and
    /// Go's retry of an https 4xx under GOAUTH (the same https request again right
    /// after) folded.
    fn seen(&self) -> Vec<String> {
        let mut lines: Vec<String> = self
            .log
            .lock()
            .unwrap()
            .iter()
            .map(|r| r.line())
            .filter(|l| !l.starts_with("CONNECT"))
            .collect();
        lines.dedup_by(|b, a| a == b && a.starts_with("https "));
        lines
    }

    fn clear(&self) {
        self.log.lock().unwrap().clear();
    }

    fn sandbox(&self, sandbox: Sandbox) -> Sandbox {
        sandbox
            .env(
                "HTTPS_PROXY",
                &format!("http://{}", self.connect.host_port()),
            )
            .env("SSL_CERT_FILE", self.ca_file.to_str().unwrap())
            .env("GOVCS", "*:off")
    }
}

/// `https://example.com/m?go-get=1` as a log line: `https GET example.com/m?go-get=1`.
fn as_line(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap();
    format!("{scheme} GET {rest}")
}

/// Replays the route the way it claims Go walks it: for each operation (.info, .mod,
/// .zip) the entries are tried from the first; a proxy answers `answer(url)`; a direct
/// entry fetches its discovery page the first time it is used, then asks the module
/// server; after a failure Go moves on when the entry's `fallback` allows it (every
/// failure in these scenes is a 404). The download stops at the first operation no
/// entry could serve. Returns the requests in order.
fn replay(route: &crate::records::RouteRecord, answer: impl Fn(&str) -> bool) -> Vec<String> {
    let mut lines = Vec::new();
    let mut discovered: Vec<&str> = Vec::new();
    for ext in [".info", ".mod", ".zip"] {
        let mut served = false;
        for endpoint in &route.endpoints {
            let kind = endpoint.kind.as_str();
            if kind == "off" {
                break;
            }
            if (kind == "direct" || kind == "noproxy") && !discovered.contains(&kind) {
                discovered.push(kind);
                lines.push(as_line(endpoint.url.as_deref().unwrap()));
            }
            let url = endpoint
                .requests
                .iter()
                .find(|u| u.ends_with(ext))
                .unwrap_or_else(|| panic!("no {ext} request in {endpoint:?}"));
            lines.push(as_line(url));
            if answer(url) {
                served = true;
                break;
            }
            if endpoint.fallback == "none" {
                break;
            }
        }
        if !served {
            break;
        }
    }
    lines
}

fn go_download(sandbox: &Sandbox, go: &Path, target: &str) -> (i32, String) {
    let output = go_command(sandbox, go)
        .args(["mod", "download", target])
        .output()
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Builds a go-get page from the module server's root URL.
type PageFn = fn(&str) -> String;

fn mod_page(root: &str) -> String {
    go_import_page("example.com/m", "mod", root)
}

#[test]
fn routes_agree_with_the_requests_go_makes() {
    let Some(go) = newest_go() else { return };
    let base = go_sandbox(&go);
    let s = servers(&base, mod_page);
    let a = format!("http://{}/a", s.proxy_a.host_port());
    let b = format!("http://{}/b", s.proxy_b.host_port());
    let mods = format!("http://{}/mods/", s.modules.host_port());
    // The module server has the .info and .mod; everything else answers 404.
    let answer =
        |url: &str| url.starts_with(&mods) && (url.ends_with(".info") || url.ends_with(".mod"));

    let scenes: Vec<(&str, Vec<(&str, String)>)> = vec![
        (
            "two proxies that 404 (',' then '|'), then direct",
            vec![
                ("GOPROXY", format!("{a},{b}|direct")),
                ("GOSUMDB", "off".into()),
            ],
        ),
        (
            "GOPRIVATE skips the proxy",
            vec![
                ("GOPROXY", format!("{a},direct")),
                ("GOPRIVATE", "example.com".into()),
            ],
        ),
        (
            "GOPROXY=off still fetches a GOPRIVATE path",
            vec![
                ("GOPROXY", "off".into()),
                ("GOPRIVATE", "example.com".into()),
            ],
        ),
        (
            "GONOPROXY=none keeps the proxy",
            vec![
                ("GOPROXY", format!("{a}|direct")),
                ("GOPRIVATE", "example.com".into()),
                ("GONOPROXY", "none".into()),
            ],
        ),
    ];
    for (what, vars) in scenes {
        let mut sandbox = s.sandbox(go_sandbox(&go));
        for (k, v) in &vars {
            sandbox = sandbox.env(k, v);
        }
        let route = sandbox
            .run(
                "gomod-resolve",
                &["--discover-fallback", "example.com/m@v1.0.0"],
            )
            .route();
        assert!(route.ok, "{what}: {:?}", route.error);
        s.clear();
        let (status, stderr) = go_download(&sandbox, &go, "example.com/m@v1.0.0");
        assert_ne!(status, 0, "{what}: the .zip is not served");
        assert!(stderr.contains(".zip: 404 Not Found"), "{what}: {stderr}");
        let seen = s.seen();
        assert!(
            seen.len() >= 3,
            "{what}: go made too few requests to compare: {seen:?}"
        );
        assert_eq!(
            seen,
            replay(&route, answer),
            "{what}: go's requests (left) vs our route replayed (right)"
        );
    }
}

#[test]
fn checksum_database_discovery_agrees_with_go() {
    let Some(go) = newest_go() else { return };
    let base = go_sandbox(&go);
    // The proxy serves the module's .info and .mod and says "not found" to
    // /sumdb/sum.golang.org/supported, so go goes to sum.golang.org itself — here the
    // CONNECT proxy, which answers the lookup with 404.
    let s = servers(&base, mod_page);
    let root = format!("http://{}/mods", s.modules.host_port());
    let sandbox = s.sandbox(go_sandbox(&go)).env("GOPROXY", &root);
    let route = sandbox
        .run("gomod-resolve", &["example.com/m@v1.0.0"])
        .route();
    let sumdb = route.sumdb.as_ref().unwrap();
    s.clear();
    let (status, stderr) = go_download(&sandbox, &go, "example.com/m@v1.0.0");
    assert_ne!(status, 0);
    let seen = s.seen();
    let supported = as_line(&sumdb.proxied_via[0]);
    let lookup = format!("https GET {}/lookup/example.com/m@v1.0.0", sumdb.host);
    assert_eq!(
        seen,
        [
            as_line(&route.endpoints[0].requests[0]),
            as_line(&route.endpoints[0].requests[1]),
            supported,
            lookup
        ],
        "{stderr}"
    );
    assert_eq!(
        stderr.trim_end(),
        "go: example.com/m@v1.0.0: verifying go.mod: example.com/m@v1.0.0/go.mod: reading https://sum.golang.org/lookup/example.com/m@v1.0.0: 404 Not Found\n\tserver response: not found"
    );

    // GONOSUMDB: no database request at all, and the route says why.
    let sandbox = sandbox.env("GONOSUMDB", "example.com");
    let route = sandbox
        .run("gomod-resolve", &["example.com/m@v1.0.0"])
        .route();
    assert_eq!(
        route.sumdb_skipped.as_deref(),
        Some("GONOSUMDB matches \"example.com\"")
    );
    s.clear();
    go_download(&sandbox, &go, "example.com/m@v1.0.0");
    let seen = s.seen();
    assert!(!seen.is_empty());
    assert!(
        !seen
            .iter()
            .any(|l| l.contains("sumdb") || l.contains("lookup")),
        "{seen:?}"
    );
}

#[test]
fn direct_failures_match_gos_own_error_text() {
    let Some(go) = newest_go() else { return };
    let pages: Vec<(&str, PageFn)> = vec![
        ("a page without tags", |_| {
            "<html><head><title>login</title></head></html>".to_string()
        }),
        ("a tag for another path", |_| {
            go_import_page("example.com/other", "git", "https://git.example.com/other")
        }),
        ("a VCS GOVCS forbids", |_| {
            go_import_page("example.com/m", "svn", "https://svn.example.com/m")
        }),
        ("an unknown VCS", |_| {
            go_import_page("example.com/m", "cvs", "https://cvs.example.com/m")
        }),
        ("a file repo root", |_| {
            go_import_page("example.com/m", "git", "file:///srv/m")
        }),
    ];
    for (what, page) in pages {
        let base = go_sandbox(&go);
        let s = servers(&base, page);
        let sandbox = s
            .sandbox(go_sandbox(&go))
            .env("GOPROXY", "direct")
            .env("GOSUMDB", "off")
            .env("GOVCS", "public:git|hg");
        let route = sandbox
            .run("gomod-resolve", &["example.com/m@v1.0.0"])
            .route();
        let (status, stderr) = go_download(&sandbox, &go, "example.com/m@v1.0.0");
        assert_ne!(status, 0, "{what}");
        assert_eq!(route.go_error(), stderr.trim_end(), "{what}");
    }
    // A path whose page is missing (404 with a text body), and an untrusted certificate.
    let base = go_sandbox(&go);
    let s = servers(&base, mod_page);
    let sandbox = s
        .sandbox(go_sandbox(&go))
        .env("GOPROXY", "direct")
        .env("GOSUMDB", "off");
    let route = sandbox
        .run("gomod-resolve", &["example.com/missing@v1.0.0"])
        .route();
    let (_, stderr) = go_download(&sandbox, &go, "example.com/missing@v1.0.0");
    assert_eq!(route.go_error(), stderr.trim_end(), "404 page");
    let empty = sandbox.write("empty.pem", "");
    let untrusted = sandbox.env("SSL_CERT_FILE", empty.to_str().unwrap());
    let route = untrusted
        .run("gomod-resolve", &["example.com/m@v1.0.0"])
        .route();
    let (_, stderr) = go_download(&untrusted, &go, "example.com/m@v1.0.0");
    assert_eq!(route.go_error(), stderr.trim_end(), "untrusted certificate");
}

#[test]
fn config_errors_match_gos_own_error_text() {
    let Some(go) = newest_go() else { return };
    for (name, value) in [
        ("GOPROXY", ","),
        ("GOPROXY", "ftp://proxy.example.com"),
        ("GOPROXY", "https://%zz"),
        ("GOPROXY", "off"),
        ("GOSUMDB", "sum.example.com"),
    ] {
        let s = servers(&go_sandbox(&go), mod_page);
        let mut sandbox = s.sandbox(go_sandbox(&go)).env(name, value);
        if name == "GOSUMDB" {
            // The module must come from somewhere before its checksum is checked.
            sandbox = sandbox.env("GOPROXY", &format!("http://{}/mods", s.modules.host_port()));
        }
        let route = sandbox
            .run("gomod-resolve", &["--offline", "example.com/m@v1.0.0"])
            .route();
        let (status, stderr) = go_download(&sandbox, &go, "example.com/m@v1.0.0");
        assert_ne!(status, 0);
        assert_eq!(route.go_error(), stderr.trim_end(), "{name}={value}");
    }
}

// ---------------------------------------------------------------------------------
// GOFLAGS

/// The first line go prints for `go mod download` (or `go get`) with GOFLAGS=`value`
/// in a module of its own, offline.
fn go_goflags_line(go: &Path, value: &str, command: &[&str]) -> String {
    let sandbox = go_sandbox(go)
        .env("GOFLAGS", value)
        .env("GOPROXY", "off")
        .env("GOSUMDB", "off")
        .env("GOENV", "off");
    sandbox.write("go.mod", "module example.com/main\n\ngo 1.21\n");
    let output = go_command(&sandbox, go)
        .args(command)
        .env("GOPATH", sandbox.path().join("gopath"))
        .env("GOCACHE", sandbox.path().join("gocache"))
        .output()
        .unwrap();
    assert!(!output.status.success(), "go accepted GOFLAGS={value}");
    String::from_utf8_lossy(&output.stderr)
        .lines()
        .next()
        .unwrap_or_default()
        .to_string()
}

/// Our warning's go_error for GOFLAGS=`value`: the one warning that carries one.
fn our_goflags_line(go: &Path, value: &str) -> String {
    let run = go_sandbox(go)
        .env("GOFLAGS", value)
        .run("gomod-resolve", &["--env"]);
    let env = run.records().remove(0).env();
    let lines: Vec<String> = env
        .warnings
        .iter()
        .filter(|w| w.code.starts_with("goflags_"))
        .filter_map(|w| w.go_error.clone())
        .collect();
    assert_eq!(lines.len(), 1, "GOFLAGS={value}: {:#?}", env.warnings);
    lines[0].clone()
}

#[test]
fn goflags_warnings_carry_go_s_own_line() {
    let Some(go) = newest_go() else { return };
    for value in [
        "-bogus",
        "--bogus=1",
        "-mod=mod bogus",
        "-",
        "--",
        "---x",
        "-=x",
        "--=x",
        "'-x",
        "\"-x -y",
        "-x -nope -alsonope",
        "-C=somewhere",
        "-C",
        "-C=x -bogus",
        "-printf",
        "-test.nope",
    ] {
        assert_eq!(
            our_goflags_line(&go, value),
            go_goflags_line(&go, value, &["mod", "download"]),
            "GOFLAGS={value}"
        );
    }
    // -insecure passes go's check and stops go get.
    assert_eq!(
        our_goflags_line(&go, "-insecure"),
        go_goflags_line(&go, "-insecure", &["get", "example.com/m@v1.0.0"])
    );
}

/// Every flag name the tools take as known is a flag of the go on PATH, and names
/// around them are not.
#[test]
fn goflags_known_to_the_tools_are_known_to_go() {
    use gomod_common::goflags::{KNOWN_FLAGS, TEST_BINARY_FLAGS, is_known_flag};
    let Some(go) = newest_go() else { return };
    let sandbox = go_sandbox(&go).env("GOENV", "off");
    let accepted = |name: &str| {
        let output = go_command(&sandbox, &go)
            .arg("version")
            .env("GOFLAGS", format!("-{name}"))
            .output()
            .unwrap();
        !String::from_utf8_lossy(&output.stderr).contains("unknown flag")
    };
    let names = KNOWN_FLAGS
        .iter()
        .map(|n| n.to_string())
        .chain(TEST_BINARY_FLAGS.iter().map(|n| format!("test.{n}")));
    for name in names {
        assert!(accepted(&name), "go does not know -{name}");
    }
    for name in [
        "bogus",
        "printf",
        "shadow",
        "test.x",
        "modcacherwx",
        "X",
        "tests",
    ] {
        assert!(!is_known_flag(name));
        assert!(!accepted(name), "go knows -{name}, the tools do not");
    }
}
