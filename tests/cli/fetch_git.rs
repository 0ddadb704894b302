//! gomod-fetch's `direct` entries read with the real git, as the go command reads them:
//! a git origin on 127.0.0.1 (`git http-backend` behind the test server) holds the
//! repositories, a CONNECT proxy plays example.com for the go-get pages, and the hashes
//! and errors are held to what go1.27's `GOPROXY=direct go mod download` says in the
//! same scene. Tests skip visibly without git (and the go comparisons without go).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use gomod_testsupport::git::{Backend, Fixture, OriginOptions, TestRepo, go_get_page_for};
use gomod_testsupport::{ConnectMode, ConnectProxy, Response, Running, TestCa, handler};

use crate::Sandbox;
use crate::interop::{go_command, newest_go};
use crate::records::FetchRecord;

/// The directory of the git on PATH, or None (after saying so) when there is none.
fn git_dir() -> Option<PathBuf> {
    if !gomod_testsupport::git::git_available() {
        return None;
    }
    let paths = std::env::var_os("PATH")?;
    std::env::split_paths(&paths).find(|d| d.join("git").is_file())
}

/// A scene: the origin, the proxy that serves go-get pages for every host, and a
/// sandbox that reaches both (git and ssh on PATH, no git configuration of the user's).
struct Scene {
    fixture: Fixture,
    _proxy: Running,
    sandbox: Sandbox,
    path: String,
}

fn scene(options: OriginOptions, extra_pages: Vec<(String, String)>) -> Option<Scene> {
    let git = git_dir()?;
    let fixture = Fixture::new(options);
    let ca = Arc::new(TestCa::new("gomod git test CA"));
    let pages = go_get_page_for(&fixture.root, &fixture.origin.url());
    let origin_url = fixture.origin.url();
    let extra_pages: Vec<(String, String)> = extra_pages
        .into_iter()
        .map(|(p, page)| (p, page.replace("ORIGIN", &origin_url)))
        .collect();
    let proxy = ConnectProxy::start(
        ConnectMode::Tunnel,
        Arc::clone(&ca),
        handler(move |r| {
            let path = r.path().trim_matches('/').to_string();
            for (p, page) in &extra_pages {
                if *p == path && r.target.contains("go-get=1") {
                    return Response::html(page);
                }
            }
            pages(r)
        }),
    );
    let sandbox = Sandbox::new();
    let ca_file = ca.write_pem(sandbox.path(), "ca.pem");
    let gopath = sandbox.path().join("gopath");
    let path = format!("{}:/usr/bin:/bin", git.display());
    let sandbox = sandbox
        .env("PATH", &path)
        .env("HTTPS_PROXY", &format!("http://{}", proxy.host_port()))
        .env("SSL_CERT_FILE", ca_file.to_str().unwrap())
        .env("GOPROXY", "direct")
        .env("GOSUMDB", "off")
        .env("GOVCS", "*:git")
        .env("GOENV", "off")
        .env("GOPATH", gopath.to_str().unwrap())
        .env("GIT_CONFIG_NOSYSTEM", "1");
    Some(Scene {
        fixture,
        _proxy: proxy,
        sandbox,
        path,
    })
}

fn fetch(s: &Sandbox, args: &[&str]) -> FetchRecord {
    let run = s.run("gomod-fetch", args);
    let mut records: Vec<FetchRecord> = run.records().into_iter().map(|r| r.fetch()).collect();
    assert_eq!(records.len(), 1, "{}\n{}", run.stdout, run.stderr);
    records.remove(0)
}

/// What `go mod download -json M@V` says in the scene (a fresh GOPATH of its own):
/// `(Version, Sum, GoModSum, Error)`; None when there is no go1.27.
fn go_download(scene: &Scene, target: &str) -> Option<serde_json::Value> {
    let go = newest_go()?;
    let gopath = scene
        .sandbox
        .path()
        .join(format!("go-gopath-{}", target.replace(['/', '@'], "_")));
    let mut cmd = go_command(&scene.sandbox, &go);
    cmd.env(
        "PATH",
        format!("{}:{}", go.parent().unwrap().display(), scene.path),
    )
    .env("GOPATH", &gopath)
    .env("GOTOOLCHAIN", "local")
    .env("GOFLAGS", "-modcacherw")
    .args(["mod", "download", "-json", target]);
    let out = cmd.output().expect("run go");
    let value: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("go's output: {e}\n{}", String::from_utf8_lossy(&out.stderr)));
    Some(value)
}

/// Fetches `target` and, where go is installed, checks the hashes and version against
/// go's; returns the record.
fn same_as_go(scene: &Scene, target: &str) -> FetchRecord {
    let r = fetch(&scene.sandbox, &[target]);
    assert!(r.ok, "{r:#?}");
    assert!(r.zip_h1.is_some() && r.mod_h1.is_some(), "{r:#?}");
    if let Some(go) = go_download(scene, target) {
        assert_eq!(go["Error"], serde_json::Value::Null, "go: {go}");
        assert_eq!(
            r.version.as_deref(),
            go["Version"].as_str(),
            "version of {target}"
        );
        assert_eq!(
            r.zip_h1.as_deref(),
            go["Sum"].as_str(),
            "zip h1 of {target}"
        );
        assert_eq!(
            r.mod_h1.as_deref(),
            go["GoModSum"].as_str(),
            "go.mod h1 of {target}"
        );
    }
    r
}

/// Fetches `target`, which must fail with `line` as go_error; where go is installed,
/// go's own error for it must be that line too.
fn fails_as_go_does(scene: &Scene, target: &str, line: &str) -> FetchRecord {
    let r = fetch(&scene.sandbox, &[target]);
    assert!(!r.ok, "{r:#?}");
    let ours = r.error.as_ref().and_then(|e| e.go_error.as_deref());
    assert_eq!(ours, Some(line), "{target}: {r:#?}");
    if let Some(go) = go_download(scene, target) {
        let theirs = go["Error"].as_str().map(|e| format!("go: {e}"));
        assert_eq!(theirs.as_deref(), Some(line), "go: {go}");
    }
    r
}

/// A repository at `name` with a go.mod for `module`.
fn module_repo(scene: &Scene, name: &str, files: &[(&str, &[u8])]) -> TestRepo {
    let repo = scene.fixture.repo(name);
    repo.commit(files, "first");
    repo
}

#[test]
fn a_tagged_module_hashes_as_go_hashes_it_and_every_git_command_is_recorded() {
    let Some(s) = scene(OriginOptions::default(), Vec::new()) else {
        return;
    };
    let repo = module_repo(
        &s,
        "plain",
        &[
            ("go.mod", b"module example.com/plain\n\ngo 1.21\n"),
            ("a.go", b"package plain\n"),
            ("LICENSE", b"MIT\n"),
            // export-ignore is switched off by the go command: the file stays.
            (".gitattributes", b"ignored.txt export-ignore\n"),
            ("ignored.txt", b"still here\n"),
            // A nested module and vendored packages are left out of the zip.
            ("nested/go.mod", b"module example.com/plain/nested\n"),
            ("nested/n.go", b"package nested\n"),
            ("vendor/example.com/dep/dep.go", b"package dep\n"),
            ("vendor/modules.txt", b"# example.com/dep v1.0.0\n"),
        ],
    );
    repo.symlink("link", "a.go");
    repo.commit(&[], "a link");
    repo.tag("v1.0.0");
    let r = same_as_go(&s, "example.com/plain@v1.0.0");
    // go.mod, a.go, LICENSE, .gitattributes, ignored.txt, vendor/modules.txt (go 1.21).
    assert_eq!(r.zip_files, Some(6), "{r:#?}");
    let direct = r.direct.as_ref().unwrap();
    assert_eq!(direct.tag.as_deref(), Some("v1.0.0"));
    assert!(direct.git.is_some());
    assert!(
        direct
            .git_env
            .contains(&"GIT_TERMINAL_PROMPT=0".to_string())
    );
    let argv: Vec<String> = direct.commands.iter().map(|c| c.argv.join(" ")).collect();
    let origin = format!("{}/plain", s.fixture.origin.url());
    assert_eq!(
        argv[0],
        format!("git ls-remote -q --end-of-options {origin}")
    );
    assert_eq!(argv[1], "git version");
    assert!(
        argv.contains(&format!("git remote add origin -- {origin}")),
        "{argv:#?}"
    );
    assert!(
        argv.iter().any(|a| a.starts_with("git -c protocol.version=2 fetch -f --depth=1 --end-of-options origin refs/tags/v1.0.0:refs/tags/v1.0.0")),
        "{argv:#?}"
    );
    assert!(
        argv.iter().any(|a| a.starts_with("git -c core.autocrlf=input -c core.eol=lf archive --format=zip --prefix=prefix/ --end-of-options ")),
        "{argv:#?}"
    );
    assert!(
        direct
            .commands
            .iter()
            .all(|c| c.cwd == *direct.work_dir.as_ref().unwrap())
    );
}

/// The origin of bench/direct.sh runs `git upload-pack` without `git http-backend`
/// around it: what git and gomod-fetch get from it must be what they get from
/// http-backend (protocol v2 and v0 advertisements, a gzip-compressed request body).
#[test]
fn the_benchmark_s_upload_pack_origin_serves_what_http_backend_serves() {
    let mut records = Vec::new();
    for backend in [Backend::HttpBackend, Backend::UploadPack] {
        let options = OriginOptions {
            backend,
            ..OriginOptions::default()
        };
        let Some(s) = scene(options, Vec::new()) else {
            return;
        };
        let repo = module_repo(
            &s,
            "plain",
            &[
                ("go.mod", b"module example.com/plain\n\ngo 1.21\n"),
                ("a.go", b"package plain\n"),
            ],
        );
        // Annotated tags are objects of their own: a clone wants each, and a request
        // of 40 wants is more than the 1 KiB git sends uncompressed.
        for i in 0..40 {
            repo.annotated_tag(&format!("v1.0.{i}"));
        }
        let url = format!("{}/plain", s.fixture.origin.url());
        let git = |args: &[&str]| {
            let out = std::process::Command::new("git")
                .args(args)
                .current_dir(s.sandbox.path())
                .env("GIT_CONFIG_NOSYSTEM", "1")
                .env("GIT_CONFIG_GLOBAL", "/dev/null")
                .env("GIT_TERMINAL_PROMPT", "0")
                .output()
                .expect("run git");
            assert!(
                out.status.success(),
                "git {args:?} from {backend:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            String::from_utf8(out.stdout).unwrap()
        };
        for version in ["0", "2"] {
            let refs = git(&[
                "-c",
                &format!("protocol.version={version}"),
                "ls-remote",
                &url,
            ]);
            assert_eq!(
                refs.lines().count(),
                1 + 1 + 40 * 2,
                "v{version} from {backend:?}: {refs}"
            );
        }
        let clone = s.sandbox.path().join(format!("clone-{backend:?}"));
        git(&["clone", "-q", "--bare", &url, clone.to_str().unwrap()]);
        let tags = git(&["--git-dir", clone.to_str().unwrap(), "tag", "-l"]);
        assert_eq!(tags.lines().count(), 40, "{tags}");
        let posted = s.fixture.origin.requests().into_iter().any(|r| {
            r.method == "POST"
                && r.headers
                    .get("content-encoding")
                    .is_some_and(|e| e == "gzip")
        });
        assert!(posted, "no gzip-compressed request to {backend:?}");
        let r = fetch(&s.sandbox, &["example.com/plain@v1.0.39"]);
        assert!(r.ok, "{backend:?}: {r:#?}");
        records.push((r.version, r.zip_h1, r.mod_h1));
    }
    assert!(records[0].1.is_some(), "{records:?}");
    assert_eq!(records[0], records[1]);
}

#[test]
fn subdirectory_and_major_version_modules_hash_as_go_hashes_them() {
    let Some(s) = scene(OriginOptions::default(), Vec::new()) else {
        return;
    };
    let repo = module_repo(
        &s,
        "multi",
        &[
            ("LICENSE", b"BSD\n"),
            ("go.mod", b"module example.com/multi\n\ngo 1.21\n"),
            ("m.go", b"package multi\n"),
            ("sub/go.mod", b"module example.com/multi/sub\n\ngo 1.22\n"),
            ("sub/s.go", b"package sub\n"),
            ("v2/go.mod", b"module example.com/multi/v2\n\ngo 1.24\n"),
            ("v2/m.go", b"package multi\n"),
            ("v2/vendor/modules.txt", b"# none\n"),
        ],
    );
    repo.tag("v1.0.0");
    repo.tag("sub/v1.1.0");
    repo.tag("v2.0.0");
    // The subdirectory module gets the root LICENSE copied in.
    let sub = same_as_go(&s, "example.com/multi/sub@v1.1.0");
    assert_eq!(sub.zip_files, Some(3), "{sub:#?}");
    assert_eq!(sub.direct.as_ref().unwrap().dir.as_deref(), Some("sub"));
    // /v2 from the v2/ directory (go 1.24: vendor/modules.txt left out).
    let v2 = same_as_go(&s, "example.com/multi/v2@v2.0.0");
    assert_eq!(v2.zip_files, Some(3), "{v2:#?}");
    same_as_go(&s, "example.com/multi@v1.0.0");
}

/// A v2 tag of a module path without /v2: go resolves the version before it fetches,
/// so `@v2.0.0` of a repository without go.mod is v2.0.0+incompatible, and
/// `+incompatible` where there is a go.mod is refused in go's words, naming the
/// version as asked.
#[test]
fn a_major_version_tag_without_the_path_suffix_resolves_as_go_resolves_it() {
    let Some(s) = scene(OriginOptions::default(), Vec::new()) else {
        return;
    };
    let repo = module_repo(&s, "nomod", &[("n.go", b"package nomod\n")]);
    repo.tag("v2.0.0");
    let r = same_as_go(&s, "example.com/nomod@v2.0.0");
    assert_eq!(r.version.as_deref(), Some("v2.0.0+incompatible"), "{r:#?}");
    same_as_go(&s, "example.com/nomod@v2.0.0+incompatible");

    let repo = module_repo(
        &s,
        "withmod",
        &[
            ("go.mod", b"module example.com/withmod\n\ngo 1.21\n"),
            ("w.go", b"package withmod\n"),
        ],
    );
    repo.tag("v2.0.0");
    let refusal = |v: &str| {
        format!(
            "go: example.com/withmod@{v}: invalid version: module contains a go.mod file, \
             so module path must match major version (\"example.com/withmod/v2\")"
        )
    };
    fails_as_go_does(&s, "example.com/withmod@v2.0.0", &refusal("v2.0.0"));
    fails_as_go_does(
        &s,
        "example.com/withmod@v2.0.0+incompatible",
        &refusal("v2.0.0+incompatible"),
    );
}

/// A module whose go line is newer than the running go, from its repository: with
/// GOTOOLCHAIN=local go stops with the module's line; with auto it looks for a newer
/// toolchain through GOPROXY=direct, and the go-get page of golang.org/toolchain that
/// is not there is go's `switching to` line, unframed as go's direct lookup leaves it.
#[test]
fn a_go_line_too_new_for_the_running_go_stops_a_direct_download_as_go_s_does() {
    let Some(s) = scene(OriginOptions::default(), Vec::new()) else {
        return;
    };
    let repo = module_repo(
        &s,
        "future",
        &[
            ("go.mod", b"module example.com/future\n\ngo 1.99\n"),
            ("f.go", b"package future\n"),
        ],
    );
    repo.tag("v1.0.0");
    let target = "example.com/future@v1.0.0";
    let root = s.sandbox.path().join("goroot");
    std::fs::create_dir_all(&root).unwrap();
    std::fs::write(root.join("VERSION"), "go1.27.3\n").unwrap();
    let run = |gotoolchain: &str, go: Option<&Path>| {
        let mut sandbox = Sandbox::new();
        for (k, v) in s.sandbox.vars() {
            sandbox = sandbox.env(k, v);
        }
        sandbox = sandbox.env("GOTOOLCHAIN", gotoolchain);
        match go {
            Some(go) => {
                let path = format!("{}:{}", go.parent().unwrap().display(), s.path);
                sandbox = sandbox.env("PATH", &path);
            }
            None => sandbox = sandbox.env("GOROOT", root.to_str().unwrap()),
        }
        fetch(&sandbox, &[target])
    };
    let local = run("local", None);
    assert_eq!(
        local.error.as_ref().and_then(|e| e.go_error.as_deref()),
        Some(
            "go: example.com/future@v1.0.0 requires go >= 1.99 (running go 1.27.3; GOTOOLCHAIN=local)"
        ),
        "{local:#?}"
    );
    let auto = run("auto", None);
    assert_eq!(auto.code(), Some("toolchain_not_available"), "{auto:#?}");
    let switching = "go: switching to go >= 1.99: unrecognized import path \"golang.org/toolchain\": reading https://golang.org/toolchain?go-get=1: 404 Not Found";
    let line = auto
        .error
        .as_ref()
        .and_then(|e| e.go_error.clone())
        .unwrap();
    assert!(line.starts_with(switching), "{line}");
    let Some(go) = newest_go() else {
        return;
    };
    for gotoolchain in ["local", "auto"] {
        let ours = run(gotoolchain, Some(&go));
        let ours = ours
            .error
            .as_ref()
            .and_then(|e| e.go_error.clone())
            .unwrap();
        let gopath = s.sandbox.path().join(format!("go-{gotoolchain}"));
        let out = go_command(&s.sandbox, &go)
            .env(
                "PATH",
                format!("{}:{}", go.parent().unwrap().display(), s.path),
            )
            .env("GOPATH", &gopath)
            .env("GOTOOLCHAIN", gotoolchain)
            .env("GOFLAGS", "-modcacherw")
            .args(["mod", "download", target])
            .output()
            .expect("run go");
        let theirs = String::from_utf8_lossy(&out.stderr);
        assert!(
            theirs.contains(&format!("{ours}\n")),
            "go said:\n{theirs}\nours: {ours}"
        );
    }
}

/// A repository with no commits has no latest version: go's query matches nothing.
#[test]
fn latest_of_an_empty_repository_matches_no_version() {
    let Some(s) = scene(OriginOptions::default(), Vec::new()) else {
        return;
    };
    s.fixture.repo("empty");
    let r = fails_as_go_does(
        &s,
        "example.com/empty@latest",
        "go: module example.com/empty: no matching versions for query \"latest\"",
    );
    assert_eq!(r.code(), Some("version_invalid"), "{r:#?}");
}

#[test]
fn branches_and_commits_resolve_to_the_pseudo_versions_go_makes() {
    let Some(s) = scene(OriginOptions::default(), Vec::new()) else {
        return;
    };
    let repo = module_repo(
        &s,
        "pseudo",
        &[
            ("go.mod", b"module example.com/pseudo\n\ngo 1.21\n"),
            ("p.go", b"package p\n"),
        ],
    );
    repo.tag("v1.2.0");
    let commit = repo.commit(&[("p.go", b"package p // later\n")], "later");
    let by_branch = same_as_go(&s, "example.com/pseudo@main");
    let version = by_branch.version.clone().unwrap();
    assert!(version.starts_with("v1.2.1-0.20240101"), "{version}");
    assert!(version.ends_with(&commit[..12]), "{version}");
    same_as_go(&s, &format!("example.com/pseudo@{}", &commit[..12]));
    same_as_go(&s, &format!("example.com/pseudo@{version}"));
    // A pseudo-version whose time does not match the commit: go's words.
    let wrong = format!("v1.2.1-0.20230101000000-{}", &commit[..12]);
    let r = fetch(&s.sandbox, &[&format!("example.com/pseudo@{wrong}")]);
    assert_eq!(r.code(), Some("vcs_module_invalid"), "{r:#?}");
    if let Some(go) = go_download(&s, &format!("example.com/pseudo@{wrong}")) {
        let go_error = go["Error"].as_str().unwrap();
        assert_eq!(r.go_error(), format!("go: {go_error}"));
    }
}

#[test]
fn a_go_import_subdir_is_where_the_module_is() {
    // A four-field go-import tag: the module lives in go/src of the repository.
    let page = gomod_testsupport::go_import_page("example.com/sd", "git", "ORIGIN/sdrepo")
        .replace("ORIGIN/sdrepo\"", "ORIGIN/sdrepo go/src\"");
    let Some(s) = scene(OriginOptions::default(), vec![("sd".to_string(), page)]) else {
        return;
    };
    let repo = module_repo(
        &s,
        "sdrepo",
        &[
            ("LICENSE", b"Apache\n"),
            ("go/src/go.mod", b"module example.com/sd\n"),
            ("go/src/x.go", b"package sd\n"),
            ("README", b"top\n"),
        ],
    );
    repo.tag("go/src/v0.1.0");
    let r = same_as_go(&s, "example.com/sd@v0.1.0");
    assert_eq!(r.direct.as_ref().unwrap().dir.as_deref(), Some("go/src"));
    assert_eq!(
        r.zip_files,
        Some(3),
        "go.mod, x.go and the root LICENSE: {r:#?}"
    );
}

#[test]
fn missing_credentials_give_go_s_exact_line() {
    let options = OriginOptions {
        private: vec![("secret".to_string(), "alice".to_string(), "pw".to_string())],
        ..OriginOptions::default()
    };
    let Some(s) = scene(options, Vec::new()) else {
        return;
    };
    let repo = module_repo(&s, "secret", &[("go.mod", b"module example.com/secret\n")]);
    repo.tag("v1.0.0");
    let r = fetch(&s.sandbox, &["example.com/secret@v1.0.0"]);
    assert_eq!(r.code(), Some("git_auth_required"), "{r:#?}");
    let direct = r.direct.as_ref().unwrap();
    assert_eq!(direct.auth_required, Some(true));
    let go_dir = direct.go_work_dir.clone().unwrap();
    let host = s.fixture.origin.host_port();
    let expected = format!(
        "go: example.com/secret@v1.0.0: invalid version: git ls-remote -q --end-of-options http://{host}/secret in {go_dir}: exit status 128:\n\tfatal: could not read Username for 'http://{host}': terminal prompts disabled\nConfirm the import path was entered correctly.\nIf this is a private repository, see https://go.dev/doc/faq#git_https for additional information."
    );
    assert_eq!(r.go_error(), expected);
    assert!(
        r.error
            .as_ref()
            .unwrap()
            .hint
            .as_ref()
            .unwrap()
            .contains("credential")
    );
    if let Some(go) = go_download(&s, "example.com/secret@v1.0.0") {
        let go_text = go["Error"].as_str().unwrap().to_string();
        // go names its own GOPATH's work directory; ours names the sandbox's.
        let theirs = go_text.replace(
            &format!(
                "{}/pkg/mod",
                s.sandbox
                    .path()
                    .join("go-gopath-example.com_secret_v1.0.0")
                    .display()
            ),
            &format!("{}/pkg/mod", s.sandbox.path().join("gopath").display()),
        );
        assert_eq!(r.go_error(), format!("go: {theirs}"));
    }
}

#[test]
fn an_insteadof_rule_to_a_closed_ssh_port_is_the_cause() {
    let Some(mut s) = scene(OriginOptions::default(), Vec::new()) else {
        return;
    };
    if !Path::new("/usr/bin/ssh").exists() {
        gomod_testsupport::skip::skip(
            gomod_testsupport::skip::Need::Ssh,
            "no ssh client (openssh-client)",
            "/usr/bin/ssh",
        );
        return;
    }
    let repo = module_repo(&s, "viassh", &[("go.mod", b"module example.com/viassh\n")]);
    repo.tag("v1.0.0");
    let closed = gomod_testsupport::goproxy::refused_port();
    let config = s.sandbox.write(
        "gitconfig",
        &format!(
            "[url \"ssh://git@127.0.0.1:{closed}/\"]\n\tinsteadOf = {}/\n",
            s.fixture.origin.url()
        ),
    );
    let sandbox = std::mem::take(&mut s.sandbox).env("GIT_CONFIG_GLOBAL", config.to_str().unwrap());
    let r = fetch(&sandbox, &["example.com/viassh@v1.0.0"]);
    assert_eq!(r.code(), Some("ssh_refused"), "{r:#?}");
    let error = r.error.as_ref().unwrap();
    assert!(
        error
            .detail
            .as_deref()
            .unwrap_or("")
            .contains(&format!("port {closed}: Connection refused")),
        "{error:#?}"
    );
}

#[test]
fn the_cache_holds_direct_modules_in_a_layout_go_uses_offline() {
    let Some(s) = scene(OriginOptions::default(), Vec::new()) else {
        return;
    };
    let repo = module_repo(
        &s,
        "cached",
        &[
            ("go.mod", b"module example.com/cached\n\ngo 1.21\n"),
            ("c.go", b"package cached\n"),
        ],
    );
    repo.tag("v0.3.0");
    let cache = s.sandbox.path().join("modcache");
    let r = fetch(
        &s.sandbox,
        &[
            "--cache",
            cache.to_str().unwrap(),
            "example.com/cached@v0.3.0",
        ],
    );
    assert!(r.ok, "{r:#?}");
    assert!(r.cached.is_some());
    // The work directory is where go keeps its own, inside the cache.
    let work = r.direct.as_ref().unwrap().work_dir.clone().unwrap();
    assert!(
        work.starts_with(&cache.join("cache/vcs").display().to_string()),
        "{work}"
    );
    let info =
        std::fs::read_to_string(cache.join("cache/download/example.com/cached/@v/v0.3.0.info"))
            .unwrap();
    assert!(info.contains("\"Origin\""), "{info}");
    let Some(go) = newest_go() else { return };
    let out = go_command(&s.sandbox, &go)
        .env("PATH", go.parent().unwrap())
        .env("GOMODCACHE", &cache)
        .env("GOPROXY", "off")
        .env("GOFLAGS", "-modcacherw")
        .env("GOTOOLCHAIN", "local")
        .args(["mod", "download", "-json", "example.com/cached@v0.3.0"])
        .output()
        .unwrap();
    let go: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(go["Error"], serde_json::Value::Null, "{go}");
    assert_eq!(go["Sum"].as_str(), r.zip_h1.as_deref());
    assert_eq!(go["GoModSum"].as_str(), r.mod_h1.as_deref());
}

#[test]
fn a_netrc_entry_gives_git_credentials_and_only_its_login_is_recorded() {
    let options = OriginOptions {
        private: vec![(
            "locked".to_string(),
            "alice".to_string(),
            "s3cret-pw".to_string(),
        )],
        ..OriginOptions::default()
    };
    let Some(s) = scene(options, Vec::new()) else {
        return;
    };
    let repo = module_repo(&s, "locked", &[("go.mod", b"module example.com/locked\n")]);
    repo.tag("v1.0.0");
    let config = s
        .sandbox
        .write("gitconfig", "[credential]\n\thelper = store\n");
    s.sandbox.write(
        "home/.netrc",
        "machine 127.0.0.1 login alice password s3cret-pw\n",
    );
    let sandbox =
        std::mem::take(&mut { s.sandbox }).env("GIT_CONFIG_GLOBAL", config.to_str().unwrap());
    let run = sandbox.run("gomod-fetch", &["example.com/locked@v1.0.0"]);
    assert!(!run.stdout.contains("s3cret-pw"), "{}", run.stdout);
    let r = run.records().remove(0).fetch();
    assert!(r.ok, "{r:#?}");
    let git_config = r.direct.as_ref().unwrap().git_config.as_ref().unwrap();
    assert_eq!(git_config.netrc_login.as_deref(), Some("alice"));
    assert_eq!(git_config.credential_helpers.len(), 1);
    assert_eq!(git_config.credential_helpers[0]["helper"], "store");
    assert_eq!(git_config.proxy, None);
    // The origin is plain http: git sends the password unencrypted, and the record
    // says so (go's own requests would not send netrc credentials over http).
    assert_eq!(r.warnings.len(), 1, "{r:#?}");
    assert_eq!(r.warnings[0].code, "git_credentials_over_http");
    assert!(
        r.warnings[0].message.contains("login alice"),
        "{:?}",
        r.warnings[0]
    );
}

/// A sandbox whose git goes to `ssh_url` for the origin's repositories (an insteadOf
/// rule) and runs ssh with a configuration of the test's own (`-F`): known_hosts in
/// the sandbox, no identity, nothing of the user's ~/.ssh.
fn over_ssh(s: &mut Scene, ssh_url: &str, known_hosts: &str) -> Sandbox {
    let dir = s.sandbox.path().join("ssh");
    std::fs::create_dir_all(&dir).unwrap();
    let known = dir.join("known_hosts");
    std::fs::write(&known, known_hosts).unwrap();
    let ssh_config = dir.join("config");
    std::fs::write(
        &ssh_config,
        format!(
            "Host *\n\tUserKnownHostsFile {}\n\tGlobalKnownHostsFile /dev/null\n\tIdentityFile {}/no_key\n\tIdentitiesOnly yes\n\tConnectTimeout 10\n",
            known.display(),
            dir.display()
        ),
    )
    .unwrap();
    let config = s.sandbox.write(
        "gitconfig",
        &format!(
            "[url \"{ssh_url}\"]\n\tinsteadOf = {}/\n",
            s.fixture.origin.url()
        ),
    );
    std::mem::take(&mut s.sandbox)
        .env("GIT_CONFIG_GLOBAL", config.to_str().unwrap())
        .env(
            "GIT_SSH_COMMAND",
            &format!("ssh -F {}", ssh_config.display()),
        )
}

#[test]
fn the_ssh_banner_is_read_without_a_login() {
    let Some(mut s) = scene(OriginOptions::default(), Vec::new()) else {
        return;
    };
    let banner = gomod_testsupport::ssh::banner_server("SSH-2.0-TestBanner_1.0");
    let repo = module_repo(&s, "banner", &[("go.mod", b"module example.com/banner\n")]);
    repo.tag("v1.0.0");
    let url = format!("ssh://git@{}/", banner.host_port());
    let sandbox = over_ssh(&mut s, &url, "");
    // The server never goes beyond its banner: ssh waits, and so would go; git is
    // killed at --timeout.
    let r = fetch(&sandbox, &["--timeout", "5s", "example.com/banner@v1.0.0"]);
    assert_eq!(r.code(), Some("git_timeout"), "{r:#?}");
    let error = r.error.as_ref().unwrap();
    assert_eq!(
        error.go_error, None,
        "go would still be waiting: {error:#?}"
    );
    let commands = &r.direct.as_ref().unwrap().commands;
    assert!(
        commands[0].timed_out && commands[0].exit.is_none(),
        "{commands:#?}"
    );
    let ssh = r.direct.as_ref().unwrap().ssh.as_ref().unwrap();
    assert_eq!(ssh.banner.as_deref(), Some("SSH-2.0-TestBanner_1.0"));
    assert_eq!(ssh.port, Some(banner.addr.port()));
    assert_eq!(ssh.user.as_deref(), Some("git"));
    assert!(
        ssh.known_hosts
            .iter()
            .any(|k| k.ends_with("ssh/known_hosts")),
        "{ssh:#?}"
    );
}

#[test]
fn an_ssh_host_key_missing_from_known_hosts_and_a_refused_login_are_told_apart() {
    let Some(mut s) = scene(OriginOptions::default(), Vec::new()) else {
        return;
    };
    let Some(sshd) = gomod_testsupport::ssh::Sshd::start(&s.sandbox.path().join("sshd"), None)
    else {
        return;
    };
    let repo = module_repo(&s, "keys", &[("go.mod", b"module example.com/keys\n")]);
    repo.tag("v1.0.0");
    let url = format!("ssh://git@127.0.0.1:{}/", sshd.port);
    let unknown = over_ssh(&mut s, &url, "");
    let r = fetch(&unknown, &["example.com/keys@v1.0.0"]);
    assert_eq!(r.code(), Some("ssh_host_key_unknown"), "{r:#?}");
    let ssh = r.direct.as_ref().unwrap().ssh.as_ref().unwrap();
    assert!(
        ssh.banner
            .as_deref()
            .unwrap_or("")
            .starts_with("SSH-2.0-OpenSSH"),
        "{ssh:#?}"
    );
    assert_eq!(ssh.host_key.as_deref(), Some("unknown"));
    assert!(
        r.error
            .as_ref()
            .unwrap()
            .hint
            .as_ref()
            .unwrap()
            .contains("ssh-keyscan")
    );
    // With the key known, the login fails: no key is offered.
    let Some(mut s) = scene(OriginOptions::default(), Vec::new()) else {
        return;
    };
    let repo = module_repo(&s, "keys", &[("go.mod", b"module example.com/keys\n")]);
    repo.tag("v1.0.0");
    let known = over_ssh(&mut s, &url, &sshd.known_hosts_line);
    let r = fetch(&known, &["example.com/keys@v1.0.0"]);
    assert_eq!(r.code(), Some("ssh_auth_failed"), "{r:#?}");
    let ssh = r.direct.as_ref().unwrap().ssh.as_ref().unwrap();
    assert_eq!(ssh.host_key.as_deref(), Some("known"));
}

#[test]
fn a_retraction_in_the_repository_s_latest_go_mod_is_warned_about() {
    let Some(s) = scene(OriginOptions::default(), Vec::new()) else {
        return;
    };
    let repo = module_repo(
        &s,
        "retracting",
        &[("go.mod", b"module example.com/retracting\n\ngo 1.21\n")],
    );
    repo.tag("v1.0.0");
    repo.commit(
        &[(
            "go.mod",
            b"// Deprecated: moved to example.com/other.\nmodule example.com/retracting\n\ngo 1.21\n\nretract v1.0.0 // Leaks memory.\n",
        )],
        "retract",
    );
    repo.tag("v1.1.0");
    let r = fetch(
        &s.sandbox,
        &["--go-get-warnings", "example.com/retracting@v1.0.0"],
    );
    assert!(r.ok, "{r:#?}");
    let go_errors: Vec<&str> = r
        .warnings
        .iter()
        .filter_map(|w| w.go_error.as_deref())
        .collect();
    assert_eq!(
        go_errors,
        [
            "go: module example.com/retracting is deprecated: moved to example.com/other.",
            "go: warning: example.com/retracting@v1.0.0: retracted by module author: Leaks memory.\ngo: to switch to the latest unretracted version, run:\n\tgo get example.com/retracting@latest"
        ],
        "{r:#?}"
    );
    // The version's own files come from its tag, as go mod download has them.
    same_as_go(&s, "example.com/retracting@v1.0.0");
}

#[test]
fn a_query_passes_over_the_versions_the_repository_retracts() {
    let Some(s) = scene(OriginOptions::default(), Vec::new()) else {
        return;
    };
    let plain: &[u8] = b"module example.com/retracted\n\ngo 1.21\n";
    let repo = module_repo(&s, "retracted", &[("go.mod", plain)]);
    repo.tag("v1.0.0");
    repo.commit(&[("a.go", b"package a\n")], "second");
    repo.tag("v1.1.0");
    // The latest version retracts the one before it and itself.
    repo.commit(
        &[(
            "go.mod",
            b"module example.com/retracted\n\ngo 1.21\n\nretract [v1.1.0, v1.2.0] // Broken.\n",
        )],
        "retract",
    );
    repo.tag("v1.2.0");
    let r = same_as_go(&s, "example.com/retracted@latest");
    assert_eq!(r.version.as_deref(), Some("v1.0.0"), "{r:#?}");
    let r = fetch(&s.sandbox, &["example.com/retracted@v1.1"]);
    assert_eq!(
        r.error.as_ref().and_then(|e| e.go_error.as_deref()),
        Some("go: module example.com/retracted: no matching versions for query \"v1.1\""),
        "{r:#?}"
    );
    if let Some(go) = go_download(&s, "example.com/retracted@v1.1") {
        assert_eq!(
            go["Error"].as_str(),
            Some("module example.com/retracted: no matching versions for query \"v1.1\""),
            "{go}"
        );
    }
}

#[test]
fn git_stops_at_the_probe_s_deadline_as_well_as_at_timeout() {
    let Some(mut s) = scene(OriginOptions::default(), Vec::new()) else {
        return;
    };
    let banner = gomod_testsupport::ssh::banner_server("SSH-2.0-TestBanner_1.0");
    let repo = module_repo(&s, "slow", &[("go.mod", b"module example.com/slow\n")]);
    repo.tag("v1.0.0");
    let url = format!("ssh://git@{}/", banner.host_port());
    let sandbox = over_ssh(&mut s, &url, "");
    // git waits on a server that never goes past its banner; --timeout is far off,
    // the probe's --deadline is not.
    let started = std::time::Instant::now();
    let r = fetch(
        &sandbox,
        &[
            "--timeout",
            "10m",
            "--deadline",
            "6s",
            "example.com/slow@v1.0.0",
        ],
    );
    assert!(
        started.elapsed() < std::time::Duration::from_secs(120),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(r.code(), Some("git_timeout"), "{r:#?}");
    let error = r.error.as_ref().unwrap();
    assert_eq!(
        error.go_error, None,
        "go would still be waiting: {error:#?}"
    );
    assert!(
        error.hint.as_deref().unwrap().contains("--deadline"),
        "{error:#?}"
    );
    assert!(
        error
            .message
            .contains("the probe's --deadline of 6s passed"),
        "{error:#?}"
    );
    // What git was run for, and what it did, is in the record all the same.
    let direct = r.direct.as_ref().unwrap_or_else(|| panic!("{r:#?}"));
    assert!(direct.git_config.is_some(), "{direct:#?}");
    assert_eq!(
        direct.ssh.as_ref().map(|s| s.host.as_str()),
        Some("127.0.0.1"),
        "{direct:#?}"
    );
    let ls_remote = direct
        .commands
        .iter()
        .find(|c| c.argv.get(1).map(String::as_str) == Some("ls-remote"))
        .unwrap_or_else(|| panic!("{direct:#?}"));
    assert!(ls_remote.timed_out, "{ls_remote:#?}");
    assert_eq!(direct.reachable, Some(false), "{direct:#?}");
}
