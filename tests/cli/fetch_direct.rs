//! gomod-fetch's `direct` entries where git is not installed (the sandbox's PATH is
//! empty): go-get discovery, go's own error for the missing git, and the repository
//! asked for its refs over git's smart HTTP protocol to say what can be said. A CONNECT
//! proxy on 127.0.0.1 plays example.com and git.example.com (TLS from a test CA), so
//! nothing leaves the machine. With git, see fetch_git.

use std::sync::Arc;

use gomod_testsupport::goproxy::GoProxy;
use gomod_testsupport::{
    ConnectMode, ConnectProxy, Response, Running, TestCa, go_import_page, handler,
};

use crate::Sandbox;
use crate::records::FetchRecord;

const COMMIT_1: &str = "1111111111111111111111111111111111111111";
const COMMIT_2: &str = "2222222222222222222222222222222222222222";
const TAG_OBJECT: &str = "3333333333333333333333333333333333333333";

fn pkt(line: &str) -> String {
    format!("{:04x}{line}", line.len() + 4)
}

/// A refs advertisement with v1.0.0 (lightweight) and v1.2.0 (annotated, peeled).
fn refs() -> String {
    [
        pkt("# service=git-upload-pack\n"),
        "0000".to_string(),
        pkt(&format!("{COMMIT_2} HEAD\0multi_ack side-band-64k\n")),
        pkt(&format!("{COMMIT_2} refs/heads/main\n")),
        pkt(&format!("{COMMIT_1} refs/tags/v1.0.0\n")),
        pkt(&format!("{TAG_OBJECT} refs/tags/v1.2.0\n")),
        pkt(&format!("{COMMIT_2} refs/tags/v1.2.0^{{}}\n")),
        "0000".to_string(),
    ]
    .concat()
}

struct Scene {
    sandbox: Sandbox,
    proxy: Running,
}

fn scene(refs_status: u16) -> Scene {
    let ca = Arc::new(TestCa::new("gomod test CA"));
    let answer = move |r: &gomod_testsupport::Request| match r.path() {
        "/m" => Response::html(&go_import_page(
            "example.com/m",
            "git",
            "https://git.example.com/m",
        )),
        "/m/info/refs" if refs_status == 200 => Response::new(200, refs()).header(
            "Content-Type",
            "application/x-git-upload-pack-advertisement",
        ),
        "/m/info/refs" => Response::text(refs_status, "Authentication required"),
        _ => Response::text(404, "no"),
    };
    let proxy = ConnectProxy::start(ConnectMode::Tunnel, Arc::clone(&ca), handler(answer));
    let sandbox = Sandbox::new();
    let ca_file = ca.write_pem(sandbox.path(), "ca.pem");
    let sandbox = sandbox
        .env("HTTPS_PROXY", &format!("http://{}", proxy.host_port()))
        .env("SSL_CERT_FILE", ca_file.to_str().unwrap())
        .env("GOPROXY", "direct")
        .env("GOSUMDB", "off")
        .env("GOENV", "off");
    Scene { sandbox, proxy }
}

fn one(s: &Sandbox, args: &[&str]) -> FetchRecord {
    let run = s.run("gomod-fetch", args);
    let mut records: Vec<FetchRecord> = run.records().into_iter().map(|r| r.fetch()).collect();
    assert_eq!(records.len(), 1, "{}\n{}", run.stdout, run.stderr);
    records.remove(0)
}

const NO_GIT: &str = "unable to resolve git version: failed to execute git version: exec: \"git\": executable file not found in $PATH";

#[test]
fn without_git_go_s_error_is_reported_and_the_tag_is_still_found() {
    let s = scene(200);
    let r = one(&s.sandbox, &["example.com/m@v1.0.0"]);
    assert_eq!(r.code(), Some("git_not_installed"), "{r:#?}");
    assert_eq!(r.go_error(), format!("go: example.com/m@v1.0.0: {NO_GIT}"));
    assert!(
        r.error
            .as_ref()
            .unwrap()
            .hint
            .as_ref()
            .unwrap()
            .contains("install git")
    );
    let direct = r.direct.as_ref().unwrap();
    assert_eq!(direct.vcs.as_deref(), Some("git"));
    assert_eq!(direct.repo.as_deref(), Some("https://git.example.com/m"));
    assert_eq!(direct.via.as_deref(), Some("go_get"));
    assert_eq!(direct.git, None);
    assert!(direct.commands.is_empty());
    assert_eq!(direct.reachable, Some(true));
    assert_eq!(direct.auth_required, Some(false));
    assert_eq!(direct.tag.as_deref(), Some("v1.0.0"));
    assert_eq!(direct.commit.as_deref(), Some(COMMIT_1));
    assert_eq!(direct.refs, Some(4));
    assert!(
        direct.note.contains("git is not installed"),
        "{}",
        direct.note
    );
    assert_eq!((r.mod_h1.as_ref(), r.zip_h1.as_ref()), (None, None));
    let ops: Vec<&str> = r.attempts.iter().map(|a| a.op.as_str()).collect();
    assert_eq!(
        ops,
        ["go-get", "info/refs"],
        "discovery and the probe happen once"
    );
    assert_eq!(
        s.proxy
            .lines()
            .iter()
            .filter(|l| !l.starts_with("CONNECT"))
            .collect::<Vec<_>>(),
        [
            "https GET example.com/m?go-get=1",
            "https GET git.example.com/m/info/refs?service=git-upload-pack"
        ]
    );
    assert_eq!(r.hosts, ["example.com", "git.example.com"]);
}

#[test]
fn without_git_a_query_fails_as_go_fails() {
    let s = scene(200);
    let r = one(&s.sandbox, &["--what", "info", "example.com/m@latest"]);
    assert_eq!(r.code(), Some("git_not_installed"), "{r:#?}");
    assert_eq!(r.go_error(), format!("go: example.com/m@latest: {NO_GIT}"));
    assert_eq!(r.direct.as_ref().unwrap().refs, Some(4));
}

#[test]
fn without_git_a_missing_tag_shows_in_the_probe() {
    let s = scene(200);
    let r = one(&s.sandbox, &["example.com/m@v1.1.0"]);
    assert_eq!(r.code(), Some("git_not_installed"));
    let direct = r.direct.as_ref().unwrap();
    assert_eq!(
        (direct.reachable, direct.tag.as_deref()),
        (Some(true), None)
    );
}

#[test]
fn without_git_a_repository_that_wants_credentials_says_so() {
    let s = scene(401);
    let r = one(&s.sandbox, &["example.com/m@v1.0.0"]);
    assert_eq!(r.code(), Some("git_not_installed"));
    let direct = r.direct.as_ref().unwrap();
    assert_eq!(direct.reachable, Some(true));
    assert_eq!(direct.auth_required, Some(true));
    let detail = r.error.as_ref().unwrap().detail.as_deref().unwrap();
    assert!(detail.contains("401 Unauthorized"), "{detail}");
}

#[test]
fn a_mod_server_found_by_discovery_is_used_as_a_proxy() {
    let mock = GoProxy::new()
        .module(
            "example.com/m",
            "v1.0.0",
            &[("go.mod", b"module example.com/m\n")],
        )
        .start();
    let server_url = mock.url();
    let ca = Arc::new(TestCa::new("gomod test CA"));
    let proxy = ConnectProxy::start(
        ConnectMode::Tunnel,
        Arc::clone(&ca),
        handler(move |r| match r.path() {
            "/m" => Response::html(&go_import_page("example.com/m", "mod", &server_url)),
            _ => Response::text(404, "no"),
        }),
    );
    let sandbox = Sandbox::new();
    let ca_file = ca.write_pem(sandbox.path(), "ca.pem");
    let sandbox = sandbox
        .env("HTTPS_PROXY", &format!("http://{}", proxy.host_port()))
        .env("SSL_CERT_FILE", ca_file.to_str().unwrap())
        .env("GOPROXY", "direct")
        .env("GOENV", "off");
    let r = one(&sandbox, &["example.com/m@v1.0.0"]);
    assert!(r.ok, "{r:#?}");
    assert!(r.zip_h1.is_some() && r.mod_h1.is_some());
    assert_eq!(r.source.as_deref(), Some("direct"));
    assert_eq!(mock.targets().len(), 3);
}

#[test]
fn go_get_discovery_says_which_goauth_provider_answered() {
    let s = scene(401);
    let provider = crate::goauth::script(
        &s.sandbox,
        "provider.sh",
        "printf 'https://example.com\\n\\nAuthorization: Basic ZGFuYTpEaXNjby1QdzE=\\n\\n'\n",
    );
    let sandbox = s.sandbox.env("GOAUTH", provider.to_str().unwrap());
    let r = one(&sandbox, &["example.com/m@v1.0.0"]);
    let discovery = r
        .attempts
        .iter()
        .find(|a| a.op == "go-get")
        .expect("a go-get attempt");
    let auth = discovery.auth.as_ref().expect("an auth record");
    assert_eq!(auth.provider.as_deref(), Some("command"));
    assert_eq!(auth.login.as_deref(), Some("dana"));
    assert_eq!(auth.prefix.as_deref(), Some("example.com"));
    assert!(
        s.proxy
            .requests()
            .iter()
            .any(|r| r.headers.get("authorization").map(String::as_str)
                == Some("Basic ZGFuYTpEaXNjby1QdzE="))
    );
}
