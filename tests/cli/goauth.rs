//! GOAUTH as go1.27 runs it: a command provider, `git DIR` with a real git and a
//! credential helper, `off`, netrc's port rule, invalid values; against a loopback
//! GOPROXY that wants Basic auth, and against the real go where it is installed.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use gomod_testsupport::TestCa;
use gomod_testsupport::goproxy::RunningProxy;
use gomod_testsupport::skip::{Need, skip};

use crate::Sandbox;
use crate::fetch::{one, proxy_with_a};
use crate::interop::{go_command, go_sandbox, newest_go};
use crate::records::FetchRecord;

const USER: &str = "carol";
const PASSWORD: &str = "Goauth-Pw.42";

/// An https GOPROXY wanting carol's Basic auth, and a sandbox trusting it (no netrc).
fn world() -> (RunningProxy, Sandbox, TestCa) {
    let ca = TestCa::new("goauth test CA");
    let leaf = ca.issue(&["127.0.0.1"]);
    let server = proxy_with_a().basic_auth(USER, PASSWORD).start_https(&leaf);
    let s = Sandbox::new();
    let ca_file = ca.write_pem(s.path(), "ca.pem");
    let no_netrc = s.path().join("no-netrc");
    let s = s
        .env("GOPROXY", &server.url())
        .env("GOSUMDB", "off")
        .env("GOENV", "off")
        .env("NETRC", no_netrc.to_str().unwrap())
        .env("SSL_CERT_FILE", ca_file.to_str().unwrap());
    (server, s, ca)
}

/// Writes an executable shell script; `cat` and `sleep` in it are the test machine's
/// (the tools run with a PATH that has none).
pub fn script(sandbox: &Sandbox, name: &str, body: &str) -> PathBuf {
    let which = |tool: &str| {
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
            .map(|d| d.join(tool))
            .find(|p| p.is_file())
            .unwrap_or_else(|| panic!("no {tool} on PATH"))
    };
    let body = body
        .replace("cat ", &format!("{} ", which("cat").display()))
        .replace("sleep ", &format!("{} ", which("sleep").display()));
    let path = sandbox.write(name, &format!("#!/bin/sh\n{body}"));
    let mut permissions = std::fs::metadata(&path).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut permissions, 0o755);
    std::fs::set_permissions(&path, permissions).unwrap();
    path
}

fn basic(user: &str, password: &str) -> String {
    format!(
        "Basic {}",
        gomod_testsupport::echo::base64(&format!("{user}:{password}"))
    )
}

/// A GOAUTH command that logs its arguments and input to `log`, and prints carol's
/// credentials for the proxy always (`when` = "always") or only when given a URL.
fn command_provider(sandbox: &Sandbox, server: &RunningProxy, when: &str) -> (PathBuf, PathBuf) {
    let log = sandbox.path().join("provider.log");
    let condition = if when == "always" {
        "true"
    } else {
        "[ $# -gt 0 ]"
    };
    let body = format!(
        "echo \"args:$#:$*\" >> {log}\ncat >> {log}\nif {condition}; then\n  printf 'https://{host}\\n\\nAuthorization: {auth}\\nX-Extra: yes\\n\\n'\nfi\n",
        log = log.display(),
        host = server.host_port(),
        auth = basic(USER, PASSWORD),
    );
    (script(sandbox, "provider.sh", &body), log)
}

fn auth(r: &FetchRecord) -> &crate::records::AuthRecord {
    r.attempts[0].auth.as_ref().expect("an auth record")
}

#[test]
fn a_command_provider_runs_before_the_first_request_and_its_headers_are_sent() {
    let (server, s, _ca) = world();
    let (provider, log) = command_provider(&s, &server, "always");
    let s = s.env("GOAUTH", provider.to_str().unwrap());
    let r = one(&s, &["--what", "info", "example.com/a@v1.0.0"]);
    assert!(r.ok, "{r:#?}");
    let a = auth(&r);
    assert_eq!(a.provider.as_deref(), Some("command"));
    assert_eq!(a.login.as_deref(), Some(USER));
    assert_eq!(a.prefix.as_deref(), Some(server.host_port().as_str()));
    assert_eq!(a.retried_after, None);
    // Run once, before the first request: no argument, no input.
    assert_eq!(std::fs::read_to_string(&log).unwrap(), "args:0:\n");
    let request = &server.requests()[0];
    assert_eq!(
        request.headers.get("x-extra").map(String::as_str),
        Some("yes")
    );
    assert_eq!(
        request.headers.get("user-agent").map(String::as_str),
        Some("GoCommand/1 (+https://go.dev/cmd/go)")
    );
}

#[test]
fn after_a_401_the_providers_run_again_with_the_url_and_the_response() {
    let (server, s, _ca) = world();
    let (provider, log) = command_provider(&s, &server, "with-url");
    // Listed after netrc, which has nothing: the command still answers.
    let s = s.env("GOAUTH", &format!("netrc;{}", provider.display()));
    let r = one(&s, &["--what", "info", "example.com/a@v1.0.0"]);
    assert!(r.ok, "{r:#?}");
    let a = auth(&r);
    assert_eq!(a.provider.as_deref(), Some("command"));
    assert_eq!(a.retried_after, Some(401));
    let url = format!("{}/example.com/a/@v/v1.0.0.info", server.url());
    let logged = std::fs::read_to_string(&log).unwrap();
    assert!(
        logged.starts_with(&format!(
            "args:0:\nargs:1:{url}\nHTTP/1.1 401 Unauthorized\n"
        )),
        "{logged}"
    );
    assert!(logged.contains("\nWww-Authenticate: Basic"), "{logged}");
    assert!(logged.ends_with("\n\n"), "{logged}");
    // The first try went without credentials, the second with them.
    let requests = server.requests();
    assert_eq!(requests.len(), 2, "{:?}", server.lines());
    assert!(!requests[0].headers.contains_key("authorization"));
    assert_eq!(
        requests[1].headers.get("authorization"),
        Some(&basic(USER, PASSWORD))
    );
}

#[test]
fn goauth_off_sends_nothing_and_says_so() {
    let (server, s, _ca) = world();
    let netrc = s.write(
        "netrc",
        &format!(
            "machine {} login {USER} password {PASSWORD}\n",
            server.host_port()
        ),
    );
    let s = s.env("NETRC", netrc.to_str().unwrap());
    // netrc (the default) answers...
    let r = one(&s, &["--what", "info", "example.com/a@v1.0.0"]);
    assert!(r.ok, "{r:#?}");
    assert_eq!(auth(&r).provider.as_deref(), Some("netrc"));
    assert_eq!(auth(&r).login.as_deref(), Some(USER));
    // ...GOAUTH=off does not, and go still asks a second time.
    let off = s.env("GOAUTH", "off");
    let r = one(&off, &["--what", "info", "example.com/a@v1.0.0"]);
    assert_eq!(r.code(), Some("http_unauthorized"), "{r:#?}");
    let a = auth(&r);
    assert_eq!(a.provider.as_deref(), Some("off"));
    assert_eq!(a.login, None);
    assert_eq!(a.retried_after, Some(401));
    assert!(a.note.as_deref().unwrap().contains("GOAUTH=off"), "{a:?}");
    assert!(
        server
            .requests()
            .iter()
            .skip(1)
            .all(|r| !r.headers.contains_key("authorization"))
    );
}

#[test]
fn a_netrc_entry_kept_from_a_port_by_go_says_which_entry_would_match() {
    let (server, s, _ca) = world();
    let netrc = s.write(
        "netrc",
        &format!("machine 127.0.0.1 login {USER} password {PASSWORD}\n"),
    );
    let s = s.env("NETRC", netrc.to_str().unwrap());
    let r = one(&s, &["--what", "info", "example.com/a@v1.0.0"]);
    assert_eq!(r.code(), Some("http_unauthorized"), "{r:#?}");
    let a = auth(&r);
    assert_eq!(a.provider, None);
    let note = a.note.as_deref().expect("a note on the unsent entry");
    assert!(
        note.contains("`machine 127.0.0.1` (login carol)")
            && note.contains(&format!("write `machine {}`", server.host_port())),
        "{note}"
    );
    assert!(!note.contains(PASSWORD));
}

#[test]
fn invalid_goauth_stops_at_the_first_https_request_with_gos_line() {
    let (_server, s, _ca) = world();
    let cases = [
        (
            "off;",
            "go: GOAUTH encountered an empty command (GOAUTH=off;)",
        ),
        (
            "netrc;off",
            "go: GOAUTH=off cannot be combined with other authentication commands (GOAUTH=netrc;off)",
        ),
        (
            "git relative",
            "go: GOAUTH=git dir method requires an absolute path to the git working directory, dir is not absolute",
        ),
        (
            "git /nonexistent-goauth-dir",
            "go: GOAUTH=git encountered an error; cannot stat /nonexistent-goauth-dir: stat /nonexistent-goauth-dir: no such file or directory",
        ),
        (
            "mycmd --token=Tok-Secret-9;;",
            "go: GOAUTH encountered an empty command (GOAUTH=mycmd ***;;)",
        ),
    ];
    let mut s = s;
    for (value, expected) in cases {
        s = s.env("GOAUTH", value);
        let bad = &s;
        let run = bad.run("gomod-fetch", &["--what", "info", "example.com/a@v1.0.0"]);
        assert!(!run.stdout.contains("Tok-Secret-9"), "{}", run.stdout);
        let r = one(bad, &["--what", "info", "example.com/a@v1.0.0"]);
        assert_eq!(r.code(), Some("goauth_invalid"), "{value}: {r:#?}");
        assert_eq!(r.go_error(), expected);
        // gomod-resolve warns about it.
        let env = bad.run("gomod-resolve", &["--env"]);
        assert!(env.stdout.contains("goauth_invalid"), "{}", env.stdout);
        assert!(!env.stdout.contains("Tok-Secret-9"), "{}", env.stdout);
    }
    // A plain http GOPROXY makes no https request: go never checks GOAUTH then.
    let plain = proxy_with_a().start();
    let r = one(
        &s.env("GOPROXY", &plain.url()).env("GOAUTH", "off;"),
        &["--what", "info", "example.com/a@v1.0.0"],
    );
    assert!(r.ok, "{r:#?}");
    let a = auth(&r);
    assert!(a.note.as_deref().unwrap().contains("plain http"), "{a:?}");
}

/// The directory of the git on PATH, or None (after saying so).
fn git_bin_dir() -> Option<PathBuf> {
    let paths = std::env::var_os("PATH")?;
    let found = std::env::split_paths(&paths).find(|d| d.join("git").is_file());
    if found.is_none() {
        skip(Need::Git, "no git on PATH", "GOAUTH=git DIR needs git");
    }
    found
}

/// A repository in the sandbox whose `credential.helper` is `helper`.
fn repo_with_helper(s: &Sandbox, git_dir: &Path, helper: &Path) -> PathBuf {
    let repo = s.path().join("repo");
    std::fs::create_dir_all(&repo).unwrap();
    for args in [
        vec!["init", "-q"],
        vec!["config", "credential.helper", helper.to_str().unwrap()],
    ] {
        let status = std::process::Command::new(git_dir.join("git"))
            .args(&args)
            .current_dir(&repo)
            .env("HOME", s.path())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .status()
            .unwrap();
        assert!(status.success());
    }
    repo
}

#[test]
fn git_dir_runs_git_credential_fill_as_go_does() {
    let Some(git_dir) = git_bin_dir() else { return };
    let (server, s, _ca) = world();
    let log = s.path().join("helper.log");
    let helper = script(
        &s,
        "helper.sh",
        &format!(
            "echo \"$1 prompt=$GIT_TERMINAL_PROMPT gcm=$GCM_INTERACTIVE\" >> {log}\ncat >> {log}\n[ \"$1\" = get ] && printf 'username={USER}\\npassword={PASSWORD}\\n'\nexit 0\n",
            log = log.display()
        ),
    );
    let repo = repo_with_helper(&s, &git_dir, &helper);
    let s = s
        .env("PATH", git_dir.to_str().unwrap())
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GOAUTH", &format!("git {}", repo.display()));
    let r = one(&s, &["--what", "info", "example.com/a@v1.0.0"]);
    assert!(r.ok, "{r:#?}");
    let a = auth(&r);
    assert_eq!(a.provider.as_deref(), Some("git"));
    assert_eq!(a.login.as_deref(), Some(USER));
    assert_eq!(a.retried_after, Some(401));
    let logged = std::fs::read_to_string(&log).unwrap();
    // git asked its helper for the URL go gave it, with go's environment (no prompt),
    // and nothing was approved or rejected.
    assert!(
        logged.starts_with("get prompt=0 gcm=never\n")
            && logged.contains("\nprotocol=https\n")
            && logged.contains(&format!("\nhost={}\n", server.host_port())),
        "{logged}"
    );
    assert!(
        !logged.contains("store") && !logged.contains("erase"),
        "{logged}"
    );
}

#[test]
fn a_hung_git_helper_does_not_hang_the_tool() {
    let Some(git_dir) = git_bin_dir() else { return };
    let (_server, s, _ca) = world();
    let helper = script(&s, "helper.sh", "sleep 600\n");
    let repo = repo_with_helper(&s, &git_dir, &helper);
    let s = s
        .env("PATH", git_dir.to_str().unwrap())
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GOAUTH", &format!("git {}", repo.display()));
    let started = Instant::now();
    let r = one(
        &s,
        &["--timeout", "3s", "--what", "info", "example.com/a@v1.0.0"],
    );
    assert!(started.elapsed() < Duration::from_secs(120));
    assert_eq!(r.code(), Some("http_unauthorized"), "{r:#?}");
    let a = auth(&r);
    assert_eq!(a.provider, None);
    assert!(
        a.errors.iter().any(|e| e.starts_with("GOAUTH=git ")
            && e.contains("'git credential fill' failed")
            && e.contains("killed")),
        "{a:?}"
    );
}

#[test]
fn go_sends_the_same_credentials_and_prints_the_same_401() {
    let Some(go) = newest_go() else { return };
    let (server, s, _ca) = world();
    let (provider, _) = command_provider(&s, &server, "always");
    let empty = script(&s, "nothing.sh", "exit 0\n");
    let sandbox = go_sandbox(&go);
    let gopath = sandbox.path().join("gopath");
    let mut s = s
        .env("PATH", go.parent().unwrap().to_str().unwrap())
        .env("GOTOOLCHAIN", "local")
        .env("GOPATH", gopath.to_str().unwrap())
        .env("GOFLAGS", "-modcacherw");
    for (goauth, ok) in [(empty, false), (provider, true)] {
        s = s.env("GOAUTH", goauth.to_str().unwrap());
        let r = one(&s, &["--what", "info", "example.com/a@v1.0.0"]);
        assert_eq!(r.ok, ok, "{r:#?}");
        let output = go_command(&s, &go)
            .args(["mod", "download", "-json", "example.com/a@v1.0.0"])
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert_eq!(output.status.success(), ok, "{stdout}");
        if !ok {
            // go -json puts the error in the Error field.
            let expected = format!(
                "reading {}/example.com/a/@v/v1.0.0.info: 401 Unauthorized",
                server.url()
            );
            assert!(stdout.contains(&expected), "go said: {stdout}");
            assert!(r.go_error().contains(&expected), "{}", r.go_error());
        }
    }
}

#[test]
fn go_reports_an_invalid_goauth_with_the_same_line() {
    let Some(go) = newest_go() else { return };
    let (_server, s, _ca) = world();
    let sandbox = go_sandbox(&go);
    let mut s = s
        .env("PATH", go.parent().unwrap().to_str().unwrap())
        .env("GOTOOLCHAIN", "local")
        .env("GOPATH", sandbox.path().join("gopath").to_str().unwrap());
    for value in ["netrc;;", "off;netrc", "git relative"] {
        s = s.env("GOAUTH", value);
        let r = one(&s, &["--what", "info", "example.com/a@v1.0.0"]);
        let output = go_command(&s, &go)
            .args(["mod", "download", "example.com/a@v1.0.0"])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(r.go_error(), stderr.trim_end(), "{value}");
    }
}
