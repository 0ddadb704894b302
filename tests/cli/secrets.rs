//! No credential is ever printed: every tool, in every output format, with a summary
//! and progress, against loopback servers that send back every credential they are
//! given (in 4xx/5xx bodies, reason phrases, `Location` headers and `.info` fields:
//! `gomod_testsupport::echo`), with credentials from every source the tools know:
//! GOPROXY userinfo (plain, percent-encoded, without a scheme), `.netrc`, HTTPS_PROXY
//! and HTTP_PROXY userinfo, GOSUMDB userinfo, a DNS-over-HTTPS server's userinfo and
//! targets with userinfo, GOAUTH commands (a Basic and a Bearer Authorization header) and
//! a `git credential` helper (GOAUTH=git DIR). Standard output and standard error are searched for each
//! password as it is, percent-encoded, and in base64 (alone and as the `user:password`
//! of a Basic header).

use std::sync::Arc;

use gomod_testsupport::sumdb::FIXTURE_VKEY;
use gomod_testsupport::{ConnectMode, ConnectProxy, Running, Server, TestCa, echo};

use crate::Sandbox;

/// A login the tools are given, and how it travels in a Basic header.
struct Secret {
    /// Where the tools learn it, for the failure message.
    source: &'static str,
    user: &'static str,
    password: &'static str,
    /// What the Basic header carries (`user:password`, or for a percent-encoded colon
    /// in the user name, the decoded user name and an empty password).
    login: String,
}

impl Secret {
    fn new(source: &'static str, user: &'static str, password: &'static str) -> Secret {
        Secret {
            source,
            user,
            password,
            login: format!("{user}:{password}"),
        }
    }

    /// The userinfo of a URL holding this login, as Go escapes it.
    fn userinfo(&self) -> String {
        format!("{}:{}", self.user, url_escape(self.password))
    }

    /// Every form in which the password must not appear.
    fn forms(&self) -> Vec<String> {
        let b64 = |s: &str| echo::base64(s).trim_end_matches('=').to_string();
        let mut forms = vec![
            self.password.to_string(),
            url_escape(self.password),
            echo::percent_encode(self.password),
            echo::percent_encode(self.password).to_ascii_lowercase(),
            b64(&self.login),
            b64(self.password),
        ];
        forms.sort();
        forms.dedup();
        forms
    }
}

/// Go's escaping of a userinfo password: everything but letters, digits and `-._~`
/// (and a few sub-delimiters, escaped here too, which is also valid) as `%XX`.
fn url_escape(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// The servers and credentials of the test.
struct World {
    ca: Arc<TestCa>,
    /// HTTPS on 127.0.0.1 that echoes (GOPROXY, GOSUMDB, DNS over HTTPS, targets).
    echo: Running,
    /// A proxy answering CONNECT with 407 and the credentials it was given.
    proxy_407: Running,
    /// A proxy answering plain requests with 502 and the credentials.
    proxy_502: Running,
    goproxy: Secret,
    netrc: Secret,
    https_proxy: Secret,
    http_proxy: Secret,
    gosumdb: Secret,
    percent: Secret,
    bare: Secret,
    target: Secret,
    doh: Secret,
    goauth_basic: Secret,
    goauth_bearer: Secret,
    goauth_git: Secret,
}

impl World {
    fn new() -> World {
        let ca = Arc::new(TestCa::new("Echo Test Root"));
        let echo = Server::https(&ca.issue(&["127.0.0.1", "localhost"]), echo::handler());
        let proxy_407 =
            ConnectProxy::start(ConnectMode::Echo(407), Arc::clone(&ca), echo::handler());
        let proxy_502 =
            ConnectProxy::start(ConnectMode::Echo(502), Arc::clone(&ca), echo::handler());
        let mut percent = Secret::new(
            "percent-encoded GOPROXY userinfo",
            "pctuser",
            "Pct-Secret.5",
        );
        percent.login = "pctuser:Pct-Secret.5:".to_string();
        World {
            ca,
            echo,
            proxy_407,
            proxy_502,
            goproxy: Secret::new("GOPROXY userinfo", "gpuser", "Goproxy-P@ss/1"),
            netrc: Secret::new(".netrc", "nruser", "Netrc-Secret+2"),
            https_proxy: Secret::new("HTTPS_PROXY userinfo", "pxuser", "Proxy-S3cret%3"),
            http_proxy: Secret::new("HTTP_PROXY userinfo", "hpuser", "HttpProxy-Pw&9"),
            gosumdb: Secret::new("GOSUMDB userinfo", "sdbuser", "Sumdb-Secret=4"),
            percent,
            bare: Secret::new(
                "GOPROXY userinfo without a scheme",
                "bareuser",
                "Bare-Secret_8",
            ),
            target: Secret::new("a target's userinfo", "tuser", "Target-Secret~6"),
            doh: Secret::new(
                "a DNS-over-HTTPS server's userinfo",
                "dohuser",
                "Doh-Secret!7",
            ),
            goauth_basic: Secret::new("a GOAUTH command's Basic header", "cmduser", "Cmd-Secret*5"),
            goauth_bearer: Secret::new("a GOAUTH command's Bearer token", "", "Tok-Secret-3"),
            goauth_git: Secret::new(
                "a git credential helper (GOAUTH=git DIR)",
                "gituser",
                "Git-Secret^4",
            ),
        }
    }

    fn secrets(&self) -> [&Secret; 12] {
        [
            &self.goproxy,
            &self.netrc,
            &self.https_proxy,
            &self.http_proxy,
            &self.gosumdb,
            &self.percent,
            &self.bare,
            &self.target,
            &self.doh,
            &self.goauth_basic,
            &self.goauth_bearer,
            &self.goauth_git,
        ]
    }

    /// `https://127.0.0.1:PORT` of the echo server, with `userinfo@` if given.
    fn echo_url(&self, userinfo: Option<&str>) -> String {
        match userinfo {
            Some(u) => format!("https://{u}@{}", self.echo.host_port()),
            None => format!("https://{}", self.echo.host_port()),
        }
    }

    /// A sandbox trusting the test CA, with no checksum database and no proxy unless
    /// a scenario sets them.
    fn sandbox(&self) -> Sandbox {
        let sandbox = Sandbox::new().env("GOENV", "off").env("GOSUMDB", "off");
        let pem = self.ca.write_pem(sandbox.path(), "roots.pem");
        sandbox.env("SSL_CERT_FILE", pem.to_str().unwrap())
    }

    /// The target URL with userinfo.
    fn target_url(&self) -> String {
        format!("{}/x", self.echo_url(Some(&self.target.userinfo())))
    }
}

/// Runs `tool` with `args` in `sandbox` (and `stdin`) in every output form — JSON,
/// text with progress, each with a summary — and fails if any output holds any form
/// of any secret. Returns everything written, for further checks.
fn run_all(world: &World, sandbox: &Sandbox, tool: &str, args: &[&str], stdin: &str) -> String {
    let variants: [&[&str]; 4] = [
        &["--format", "json"],
        &["--format", "json", "--summary"],
        &["--format", "text", "--progress", "always"],
        &["--format", "text", "--summary", "--color", "always"],
    ];
    let mut everything = String::new();
    for variant in variants {
        let mut full: Vec<&str> = variant.to_vec();
        full.extend_from_slice(args);
        let run = sandbox.run_with_stdin(tool, &full, stdin);
        assert!(
            (0..=2).contains(&run.status),
            "{tool} {full:?}: status {}\n{}",
            run.status,
            run.stderr
        );
        for (stream, text) in [("stdout", &run.stdout), ("stderr", &run.stderr)] {
            assert_no_secret(world, &format!("{tool} {full:?}"), stream, text);
        }
        everything.push_str(&run.stdout);
        everything.push_str(&run.stderr);
    }
    everything
}

/// Fails if `text` (`what` wrote it on `stream`) holds any form of any secret.
fn assert_no_secret(world: &World, what: &str, stream: &str, text: &str) {
    for secret in world.secrets() {
        for form in secret.forms() {
            assert!(
                !text.contains(&form),
                "{what} printed the password from {} ({form:?}) on {stream}:\n{text}",
                secret.source
            );
        }
    }
}

/// Runs gomod-doctor with `args` in `sandbox` (and `stdin`) in every output form —
/// JSON with a summary, text with progress and color, JUnit — each also writing a
/// `--report`, and fails if any output or report holds any form of any secret.
/// Returns everything written, reports included.
///
/// The doctor reaches only the test's servers: its DNS check reads a hosts file and an
/// nsswitch.conf that never ask DNS (`hosts: files`; the names the scenarios use are
/// in the hosts file, at 127.0.0.1), it is given no other resolver unless a scenario
/// gives one of the test's, and no scenario routes a module `direct` (no go-get page
/// of the real example.com is asked for).
fn run_doctor(world: &World, sandbox: &Sandbox, args: &[&str], stdin: &str) -> String {
    let hosts = sandbox.write(
        "etc/hosts",
        "127.0.0.1 localhost goproxy.example.com doh.example.com\n",
    );
    let nss = sandbox.write("etc/nsswitch.conf", "hosts: files\n");
    let resolv = sandbox.write(
        "etc/resolv.conf",
        "nameserver 127.0.0.1\noptions timeout:1 attempts:1\n",
    );
    let files = [
        "--timeout",
        "10s",
        "--resolv-conf",
        resolv.to_str().unwrap(),
        "--hosts",
        hosts.to_str().unwrap(),
        "--nsswitch",
        nss.to_str().unwrap(),
    ];
    let variants: [&[&str]; 3] = [
        &["--format", "json", "--summary"],
        &[
            "--format",
            "text",
            "--progress",
            "always",
            "--color",
            "always",
        ],
        &["--format", "junit"],
    ];
    let mut everything = String::new();
    for (i, variant) in variants.iter().enumerate() {
        let report = sandbox.path().join(format!("report-{i}.jsonl"));
        let _ = std::fs::remove_file(&report);
        let mut full: Vec<&str> = variant.to_vec();
        full.extend_from_slice(&files);
        full.extend_from_slice(&["--report", report.to_str().unwrap()]);
        full.extend_from_slice(args);
        let run = sandbox.run_with_stdin("gomod-doctor", &full, stdin);
        let what = format!("gomod-doctor {full:?}");
        assert!(
            (0..=1).contains(&run.status),
            "{what}: status {}\n{}",
            run.status,
            run.stderr
        );
        let written = std::fs::read_to_string(&report)
            .unwrap_or_else(|e| panic!("{what}: no report ({e})\n{}", run.stderr));
        for (stream, text) in [
            ("stdout", &run.stdout),
            ("stderr", &run.stderr),
            ("its --report", &written),
        ] {
            assert_no_secret(world, &what, stream, text);
        }
        everything.push_str(&run.stdout);
        everything.push_str(&run.stderr);
        everything.push_str(&written);
    }
    everything
}

/// Asserts that the echo reached the output (so that the search above could fail):
/// the scrubbed echo still shows its labels.
fn assert_echoed(output: &str, what: &str) {
    assert!(
        output.contains("password=") || output.contains("password%3D"),
        "the echo of {what} never reached the output:\n{output}"
    );
}

/// Asserts that a server saw this login in this header: the credential was sent, so
/// the echo carried it.
fn assert_sent(server: &Running, header: &str, secret: &Secret) {
    let token = echo::base64(&secret.login);
    let sent = server.requests().iter().any(|r| {
        r.headers
            .get(header)
            .is_some_and(|v| v.ends_with(&format!(" {token}")))
    });
    assert!(
        sent,
        "no request carried the login from {} in {header}: {:#?}",
        secret.source,
        server.lines()
    );
}

const MODULE: &str = "example.com/m@v1.0.0";

/// What gomod-fetch is asked in each scenario: every endpoint, so every kind of echo
/// (403 body, .info field, Location, 500 body) is met.
fn fetch_args() -> Vec<Vec<&'static str>> {
    vec![
        vec![MODULE],
        vec!["--what", "mod", MODULE],
        vec!["--what", "zip", MODULE],
        vec!["--what", "list", "example.com/m"],
        vec!["example.com/m@latest"],
    ]
}

#[test]
fn goproxy_userinfo_in_every_form_is_never_printed() {
    let world = World::new();
    let scenarios = [
        (
            &world.goproxy,
            world.echo_url(Some(&world.goproxy.userinfo())),
        ),
        (
            &world.percent,
            world.echo_url(Some("pctuser%3APct-Secret.5")),
        ),
        (
            &world.bare,
            format!("{}@{}", world.bare.userinfo(), world.echo.host_port()),
        ),
    ];
    for (secret, goproxy) in &scenarios {
        let sandbox = world.sandbox().env("GOPROXY", goproxy);
        let mut out = String::new();
        for args in fetch_args() {
            out.push_str(&run_all(&world, &sandbox, "gomod-fetch", &args, ""));
        }
        assert_echoed(&out, secret.source);
        run_all(
            &world,
            &sandbox,
            "gomod-fetch",
            &["--check-proxy", goproxy],
            "",
        );
        run_all(&world, &sandbox, "gomod-resolve", &["--env", MODULE], "");
        run_all(&world, &sandbox, "gomod-dnscheck", &[goproxy], "");
        run_all(&world, &sandbox, "gomod-tlscheck", &[goproxy], "");
        // The checksum database through the proxy: /sumdb/<name>/supported answers.
        let through_proxy = sandbox.env("GOSUMDB", FIXTURE_VKEY);
        let out = run_all(&world, &through_proxy, "gomod-sumverify", &[MODULE], "");
        assert_echoed(&out, secret.source);
        assert_sent(&world.echo, "authorization", secret);
    }
}

#[test]
fn netrc_passwords_are_never_printed() {
    let world = World::new();
    let sandbox = world.sandbox().env("GOPROXY", &world.echo_url(None));
    let netrc = sandbox.write(
        "netrc",
        &format!(
            "machine {} login {} password {}\n",
            world.echo.host_port(),
            world.netrc.user,
            world.netrc.password
        ),
    );
    let sandbox = sandbox.env("NETRC", netrc.to_str().unwrap());
    let mut out = String::new();
    for args in fetch_args() {
        out.push_str(&run_all(&world, &sandbox, "gomod-fetch", &args, ""));
    }
    assert_echoed(&out, world.netrc.source);
    let doh = format!("{}/dns-query", world.echo_url(None));
    let out = run_all(
        &world,
        &sandbox,
        "gomod-dnscheck",
        &["--no-system", "--server", &doh, "example.com"],
        "",
    );
    assert_echoed(&out, "netrc to a DNS-over-HTTPS server");
    let through_proxy = sandbox.env("GOSUMDB", FIXTURE_VKEY);
    run_all(&world, &through_proxy, "gomod-sumverify", &[MODULE], "");
    assert_sent(&world.echo, "authorization", &world.netrc);
}

#[test]
fn proxy_userinfo_is_never_printed() {
    let world = World::new();
    let https_proxy = format!(
        "http://{}@{}",
        world.https_proxy.userinfo(),
        world.proxy_407.host_port()
    );
    let sandbox = world
        .sandbox()
        .env("GOPROXY", "https://goproxy.example.com")
        .env("HTTPS_PROXY", &https_proxy);
    let mut out = String::new();
    for args in fetch_args() {
        out.push_str(&run_all(&world, &sandbox, "gomod-fetch", &args, ""));
    }
    assert_echoed(&out, world.https_proxy.source);
    run_all(&world, &sandbox, "gomod-resolve", &["--env", MODULE], "");
    run_all(
        &world,
        &sandbox,
        "gomod-tlscheck",
        &["goproxy.example.com"],
        "",
    );
    run_all(
        &world,
        &sandbox,
        "gomod-dnscheck",
        &[
            "--no-system",
            "--server",
            "https://doh.example.com/dns-query",
            "goproxy.example.com",
        ],
        "",
    );
    let through_proxy = sandbox.env("GOSUMDB", "sum.golang.org");
    run_all(&world, &through_proxy, "gomod-sumverify", &[MODULE], "");
    assert_sent(&world.proxy_407, "proxy-authorization", &world.https_proxy);

    // Plain http through HTTP_PROXY: the proxy's 502 body is Go's server response.
    let http_proxy = format!(
        "http://{}@{}",
        world.http_proxy.userinfo(),
        world.proxy_502.host_port()
    );
    let sandbox = world
        .sandbox()
        .env("GOPROXY", "http://goproxy.example.com")
        .env("HTTP_PROXY", &http_proxy);
    let mut out = String::new();
    for args in fetch_args() {
        out.push_str(&run_all(&world, &sandbox, "gomod-fetch", &args, ""));
    }
    assert_echoed(&out, world.http_proxy.source);
    run_all(&world, &sandbox, "gomod-resolve", &["--env", MODULE], "");
    assert_sent(&world.proxy_502, "proxy-authorization", &world.http_proxy);
}

#[test]
fn gosumdb_userinfo_is_never_printed() {
    let world = World::new();
    let gosumdb = format!(
        "{FIXTURE_VKEY} {}",
        world.echo_url(Some(&world.gosumdb.userinfo()))
    );
    let sandbox = world
        .sandbox()
        .env("GOPROXY", "direct")
        .env("GOSUMDB", &gosumdb);
    let out = run_all(&world, &sandbox, "gomod-sumverify", &[MODULE], "");
    assert_echoed(&out, world.gosumdb.source);
    run_all(&world, &sandbox, "gomod-resolve", &["--env", MODULE], "");
    // The database behind a proxy, named by GOSUMDB's URL for checks.
    let proxied = sandbox.env("GOPROXY", &world.echo_url(None));
    run_all(
        &world,
        &proxied,
        "gomod-fetch",
        &["--check-proxy", &world.echo_url(None)],
        "",
    );
    assert_sent(&world.echo, "authorization", &world.gosumdb);
}

#[test]
fn targets_and_resolvers_with_userinfo_are_never_printed() {
    let world = World::new();
    let sandbox = world.sandbox().env("GOPROXY", "off");
    let target = world.target_url();
    let percent_target = format!(
        "{}/x",
        world.echo_url(Some(&format!(
            "{}%3A{}",
            world.target.user, world.target.password
        )))
    );
    for tool in [
        "gomod-resolve",
        "gomod-dnscheck",
        "gomod-tlscheck",
        "gomod-fetch",
        "gomod-sumverify",
    ] {
        for t in [&target, &percent_target] {
            run_all(&world, &sandbox, tool, &[t.as_str()], "");
            run_all(&world, &sandbox, tool, &[], &format!("{t}\n"));
            run_all(&world, &sandbox, tool, &["-f", t.as_str()], "");
        }
    }
    // A usage error quotes the argument it refuses.
    for tool in ["gomod-resolve", "gomod-fetch"] {
        for t in [&target, &percent_target] {
            let run = sandbox.run(tool, &["--jobs", t.as_str()]);
            assert_eq!(run.status, 2, "{}", run.stderr);
            assert!(run.stderr.contains("--jobs"), "{}", run.stderr);
            for form in world.target.forms() {
                assert!(!run.stderr.contains(&form), "{tool}: {}", run.stderr);
            }
        }
    }
    let doh = format!("{}/dns-query", world.echo_url(Some(&world.doh.userinfo())));
    let out = run_all(
        &world,
        &sandbox,
        "gomod-dnscheck",
        &["--no-system", "--server", &doh, "example.com"],
        "",
    );
    assert_echoed(&out, world.doh.source);
    assert_sent(&world.echo, "authorization", &world.doh);
}

/// An executable shell script in the sandbox.
fn script(sandbox: &Sandbox, name: &str, body: &str) -> std::path::PathBuf {
    let path = sandbox.write(name, &format!("#!/bin/sh\n{body}"));
    let mut permissions = std::fs::metadata(&path).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut permissions, 0o755);
    std::fs::set_permissions(&path, permissions).unwrap();
    path
}

#[test]
fn goauth_credentials_are_never_printed() {
    let world = World::new();
    let base = || world.sandbox().env("GOPROXY", &world.echo_url(None));
    // A command printing a Basic header, and one given its token as an argument that
    // prints it as a Bearer header.
    let sandbox = base();
    let basic = script(
        &sandbox,
        "basic.sh",
        &format!(
            "printf 'https://{}\\n\\nAuthorization: Basic {}\\n\\n'\n",
            world.echo.host_port(),
            echo::base64(&world.goauth_basic.login)
        ),
    );
    let bearer = script(
        &sandbox,
        "bearer.sh",
        &format!(
            "printf 'https://{}\\n\\nAuthorization: Bearer %s\\n\\n' \"$1\"\n",
            world.echo.host_port()
        ),
    );
    for (goauth, bearer) in [
        (basic.display().to_string(), false),
        (
            format!("{} {}", bearer.display(), world.goauth_bearer.password),
            true,
        ),
    ] {
        let sandbox = base().env("GOAUTH", &goauth);
        let mut out = String::new();
        for args in fetch_args() {
            out.push_str(&run_all(&world, &sandbox, "gomod-fetch", &args, ""));
        }
        if bearer {
            // No login in a Bearer header: the echo shows the header, redacted.
            assert!(out.contains("authorization: Bearer ***"), "{out}");
        } else {
            assert_echoed(&out, "a GOAUTH command");
        }
        run_all(&world, &sandbox, "gomod-resolve", &["--env", MODULE], "");
        let through_proxy = sandbox.env("GOSUMDB", FIXTURE_VKEY);
        run_all(&world, &through_proxy, "gomod-sumverify", &[MODULE], "");
    }
    assert_sent(&world.echo, "authorization", &world.goauth_basic);
    let bearer_sent = world.echo.requests().iter().any(|r| {
        r.headers.get("authorization").map(String::as_str)
            == Some(&format!("Bearer {}", world.goauth_bearer.password))
    });
    assert!(bearer_sent, "{:#?}", world.echo.lines());

    // git credential fill, after the echo's 403s.
    let Some(git) = std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
        .find(|d| d.join("git").is_file())
    else {
        gomod_testsupport::skip::skip(
            gomod_testsupport::skip::Need::Git,
            "no git on PATH",
            "GOAUTH=git DIR needs git",
        );
        return;
    };
    let sandbox = base();
    let helper = script(
        &sandbox,
        "helper.sh",
        &format!(
            "[ \"$1\" = get ] && printf 'username={}\\npassword={}\\n'\nexit 0\n",
            world.goauth_git.user, world.goauth_git.password
        ),
    );
    let repo = sandbox.path().join("repo");
    std::fs::create_dir_all(&repo).unwrap();
    for args in [
        vec!["init", "-q"],
        vec!["config", "credential.helper", helper.to_str().unwrap()],
    ] {
        let status = std::process::Command::new(git.join("git"))
            .args(&args)
            .current_dir(&repo)
            .env("HOME", sandbox.path())
            .status()
            .unwrap();
        assert!(status.success());
    }
    let sandbox = sandbox
        .env("PATH", git.to_str().unwrap())
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GOAUTH", &format!("git {}", repo.display()));
    let mut out = String::new();
    for args in fetch_args() {
        out.push_str(&run_all(&world, &sandbox, "gomod-fetch", &args, ""));
    }
    assert_echoed(&out, world.goauth_git.source);
    let through_proxy = sandbox.env("GOSUMDB", FIXTURE_VKEY);
    run_all(&world, &through_proxy, "gomod-sumverify", &[MODULE], "");
    assert_sent(&world.echo, "authorization", &world.goauth_git);
}

#[test]
fn the_doctor_never_prints_a_credential() {
    let world = World::new();
    // GOPROXY userinfo, in each form.
    for (secret, goproxy) in [
        (
            &world.goproxy,
            world.echo_url(Some(&world.goproxy.userinfo())),
        ),
        (
            &world.percent,
            world.echo_url(Some("pctuser%3APct-Secret.5")),
        ),
        (
            &world.bare,
            format!("{}@{}", world.bare.userinfo(), world.echo.host_port()),
        ),
    ] {
        let sandbox = world.sandbox().env("GOPROXY", &goproxy);
        let out = run_doctor(&world, &sandbox, &[MODULE, "example.com/m@latest"], "");
        assert_echoed(&out, secret.source);
        assert_sent(&world.echo, "authorization", secret);
    }

    // ~/.netrc, and a DNS-over-HTTPS server it has credentials for.
    let sandbox = world.sandbox().env("GOPROXY", &world.echo_url(None));
    let netrc = sandbox.write(
        "netrc",
        &format!(
            "machine {} login {} password {}\n",
            world.echo.host_port(),
            world.netrc.user,
            world.netrc.password
        ),
    );
    let sandbox = sandbox.env("NETRC", netrc.to_str().unwrap());
    let doh = format!("{}/dns-query", world.echo_url(None));
    let out = run_doctor(&world, &sandbox, &["--server", &doh, MODULE], "");
    assert_echoed(&out, world.netrc.source);
    assert_sent(&world.echo, "authorization", &world.netrc);

    // HTTPS_PROXY userinfo: a proxy that answers 407 with what it was given.
    let https_proxy = format!(
        "http://{}@{}",
        world.https_proxy.userinfo(),
        world.proxy_407.host_port()
    );
    let sandbox = world
        .sandbox()
        .env("GOPROXY", "https://goproxy.example.com")
        .env("HTTPS_PROXY", &https_proxy);
    let out = run_doctor(&world, &sandbox, &[MODULE], "");
    assert_echoed(&out, world.https_proxy.source);
    assert_sent(&world.proxy_407, "proxy-authorization", &world.https_proxy);

    // GOSUMDB userinfo.
    let gosumdb = format!(
        "{FIXTURE_VKEY} {}",
        world.echo_url(Some(&world.gosumdb.userinfo()))
    );
    let sandbox = world
        .sandbox()
        .env("GOPROXY", &world.echo_url(None))
        .env("GOSUMDB", &gosumdb);
    let out = run_doctor(&world, &sandbox, &[MODULE], "");
    assert_echoed(&out, world.gosumdb.source);
    assert_sent(&world.echo, "authorization", &world.gosumdb);

    // A resolver's userinfo on the command line (the steps and the report repeat the
    // command), and go output on standard input naming URLs with userinfo.
    let doh = format!("{}/dns-query", world.echo_url(Some(&world.doh.userinfo())));
    let go_output = format!(
        "go: example.com/m@v1.0.0: reading {}/example.com/m/@v/v1.0.0.info: 403 Forbidden\nsomething else: {}\n",
        world.echo_url(Some(&world.goproxy.userinfo())),
        world.target_url()
    );
    // The proxy by name (localhost, in every hosts file), so that the resolver is
    // asked for it.
    let port = world
        .echo
        .host_port()
        .rsplit_once(':')
        .unwrap()
        .1
        .to_string();
    let by_name = format!("https://localhost:{port}");
    let sandbox = world.sandbox().env("GOPROXY", &by_name);
    let out = run_doctor(&world, &sandbox, &["--server", &doh], &go_output);
    assert_echoed(&out, world.doh.source);
    assert_sent(&world.echo, "authorization", &world.doh);
}
