//! go-get discovery against loopback servers: a CONNECT proxy on 127.0.0.1 plays
//! `example.com` (TLS with a certificate from a test CA), so nothing leaves the
//! machine; the tool reaches it through HTTPS_PROXY as the go command would.

use std::sync::Arc;

use gomod_testsupport::{
    ConnectMode, ConnectProxy, Response, Running, Server, TestCa, go_import_page, handler,
};

use crate::Sandbox;

const TOOL: &str = "gomod-resolve";
const UA: &str = "GoCommand/1 (+https://go.dev/cmd/go)";

struct Scene {
    sandbox: Sandbox,
    proxy: Running,
}

/// A sandbox whose HTTPS_PROXY is a CONNECT proxy answering with `answer`, trusting
/// the test CA, with GOPROXY=direct.
fn scene(
    mode: ConnectMode,
    answer: impl Fn(&gomod_testsupport::Request) -> Response + Send + Sync + 'static,
) -> Scene {
    let ca = Arc::new(TestCa::new("gomod test CA"));
    let proxy = ConnectProxy::start(mode, Arc::clone(&ca), handler(answer));
    let sandbox = Sandbox::new();
    let ca_file = ca.write_pem(sandbox.path(), "ca.pem");
    let sandbox = sandbox
        .env("HTTPS_PROXY", &format!("http://{}", proxy.host_port()))
        .env("SSL_CERT_FILE", ca_file.to_str().unwrap())
        .env("GOPROXY", "direct")
        .env("GOSUMDB", "off");
    Scene { sandbox, proxy }
}

fn go_error_prefix() -> &'static str {
    "go: example.com/m@v1.0.0: unrecognized import path \"example.com/m\": "
}

#[test]
fn git_repository_found_through_the_page() {
    let s = scene(ConnectMode::Tunnel, |r| match r.path() {
        "/m" => Response::html(&go_import_page(
            "example.com/m",
            "git",
            "https://git.example.com/m",
        )),
        _ => Response::text(404, "no"),
    });
    let run = s.sandbox.run(TOOL, &["example.com/m@v1.0.0"]);
    assert_eq!(run.status, 0, "{}\n{}", run.stdout, run.stderr);
    let route = run.route();
    let vcs = route.vcs.as_ref().unwrap();
    assert_eq!(
        (vcs.via.as_str(), vcs.status.as_str()),
        ("go_get", "resolved")
    );
    assert_eq!(
        (vcs.vcs.as_deref(), vcs.repo.as_deref(), vcs.root.as_deref()),
        (
            Some("git"),
            Some("https://git.example.com/m"),
            Some("example.com/m")
        )
    );
    assert_eq!(vcs.url.as_deref(), Some("https://example.com/m?go-get=1"));
    assert!(vcs.govcs.as_ref().unwrap().allowed);
    assert_eq!(
        s.proxy.lines(),
        [
            "CONNECT example.com:443",
            "https GET example.com/m?go-get=1"
        ]
    );
    let request = &s.proxy.requests()[1];
    assert_eq!(
        request.headers.get("user-agent").map(String::as_str),
        Some(UA)
    );
    assert!(!request.headers.contains_key("authorization"));
}

#[test]
fn mod_server_from_the_page_is_asked_like_a_proxy() {
    let module_server = Server::http(handler(|_| Response::text(404, "not here")));
    let root = format!("http://{}/mods", module_server.host_port());
    let page = go_import_page("example.com/m", "mod", &root);
    let s = scene(ConnectMode::Tunnel, move |_| Response::html(&page));
    let route = s.sandbox.run(TOOL, &["example.com/m@v1.0.0"]).route();
    assert!(route.ok, "{:?}", route.error);
    assert_eq!(route.vcs.as_ref().unwrap().vcs.as_deref(), Some("mod"));
    assert!(
        route.vcs.as_ref().unwrap().govcs.is_none(),
        "GOVCS does not apply to mod"
    );
    assert_eq!(
        route.endpoints[0].requests,
        [
            format!("{root}/example.com/m/@v/v1.0.0.info"),
            format!("{root}/example.com/m/@v/v1.0.0.mod"),
            format!("{root}/example.com/m/@v/v1.0.0.zip")
        ]
    );
}

#[test]
fn not_found_page_reports_status_and_server_text() {
    let s = scene(ConnectMode::Tunnel, |_| Response::text(404, "no such page"));
    let run = s.sandbox.run(TOOL, &["example.com/m@v1.0.0"]);
    assert_eq!(run.status, 1);
    let route = run.route();
    assert_eq!(route.code(), Some("http_not_found"));
    assert_eq!(
        route.go_error(),
        format!(
            "{}reading https://example.com/m?go-get=1: 404 Not Found\n\tserver response: no such page",
            go_error_prefix()
        )
    );
    assert_eq!(route.vcs.unwrap().status, "failed");
}

#[test]
fn page_without_tags_is_the_login_page_case() {
    let s = scene(ConnectMode::Tunnel, |_| {
        Response::html("<html><head><title>Sign in</title></head><body>login</body></html>")
    });
    let route = s.sandbox.run(TOOL, &["example.com/m@v1.0.0"]).route();
    assert_eq!(route.code(), Some("vcs_meta_not_found"));
    assert_eq!(
        route.go_error(),
        format!(
            "{}parse https://example.com/m?go-get=1: no go-import meta tags ()",
            go_error_prefix()
        )
    );
    assert!(route.error.unwrap().hint.unwrap().contains("netrc"));
}

#[test]
fn tag_for_another_path_does_not_match() {
    let s = scene(ConnectMode::Tunnel, |_| {
        Response::html(&go_import_page(
            "example.com/other",
            "git",
            "https://git.example.com/other",
        ))
    });
    let route = s.sandbox.run(TOOL, &["example.com/m@v1.0.0"]).route();
    assert_eq!(
        route.go_error(),
        format!(
            "{}parse https://example.com/m?go-get=1: no go-import meta tags (meta tag example.com/other did not match import path example.com/m)",
            go_error_prefix()
        )
    );
}

#[test]
fn prefix_tags_are_verified_against_the_prefix_page() {
    let agreeing = scene(ConnectMode::Tunnel, |_| {
        Response::html(&go_import_page(
            "example.com/m",
            "git",
            "https://git.example.com/m",
        ))
    });
    let route = agreeing
        .sandbox
        .run(TOOL, &["example.com/m/sub@v1.0.0"])
        .route();
    assert!(route.ok, "{:?}", route.error);
    assert_eq!(route.vcs.unwrap().root.as_deref(), Some("example.com/m"));
    // Whether the second page reuses the first tunnel depends on timing (as in Go's
    // transport), so only the page requests are compared.
    let pages: Vec<String> = agreeing
        .proxy
        .lines()
        .into_iter()
        .filter(|l| !l.starts_with("CONNECT"))
        .collect();
    assert_eq!(
        pages,
        [
            "https GET example.com/m/sub?go-get=1",
            "https GET example.com/m?go-get=1"
        ]
    );

    let disagreeing = scene(ConnectMode::Tunnel, |r| match r.path() {
        "/m/sub" => Response::html(&go_import_page(
            "example.com/m",
            "git",
            "https://git.example.com/m",
        )),
        _ => Response::html(&go_import_page(
            "example.com/m",
            "git",
            "https://evil.example.com/m",
        )),
    });
    let route = disagreeing
        .sandbox
        .run(TOOL, &["example.com/m/sub@v1.0.0"])
        .route();
    assert_eq!(route.code(), Some("vcs_meta_conflict"));
    assert_eq!(
        route.go_error(),
        "go: example.com/m/sub@v1.0.0: unrecognized import path \"example.com/m/sub\": https://example.com/m/sub?go-get=1 and //example.com/m?go-get=1 disagree about go-import for example.com/m"
    );
}

#[test]
fn untrusted_certificate_is_gos_unknown_authority() {
    let s = scene(ConnectMode::Tunnel, |_| Response::html(""));
    let empty = s.sandbox.write("empty.pem", "");
    let run = s
        .sandbox
        .command(TOOL)
        .env("SSL_CERT_FILE", &empty)
        .arg("example.com/m@v1.0.0")
        .output()
        .unwrap();
    let route = crate::Run::from(run).route();
    assert_eq!(route.code(), Some("tls_no_roots"));
    assert_eq!(
        route.go_error(),
        format!(
            "{}https fetch: Get \"https://example.com/m?go-get=1\": tls: failed to verify certificate: x509: certificate signed by unknown authority",
            go_error_prefix()
        )
    );
    // A trust store with some other CA: the chain is unknown, not the store empty.
    let other = TestCa::new("some other CA");
    let other_file = other.write_pem(s.sandbox.path(), "other.pem");
    let run = s
        .sandbox
        .command(TOOL)
        .env("SSL_CERT_FILE", &other_file)
        .arg("example.com/m@v1.0.0")
        .output()
        .unwrap();
    let route = crate::Run::from(run).route();
    assert!(
        matches!(
            route.code(),
            Some("tls_unknown_authority" | "tls_incomplete_chain")
        ),
        "{:?}",
        route.error
    );
    assert!(route.go_error().ends_with(
        "tls: failed to verify certificate: x509: certificate signed by unknown authority"
    ));
    assert!(route.error.unwrap().hint.unwrap().contains("SSL_CERT_FILE"));
}

#[test]
fn proxy_refusals_report_the_reason_phrase() {
    for (mode, code, text) in [
        (
            ConnectMode::Refuse(407),
            "proxy_auth_required",
            "Proxy Authentication Required",
        ),
        (ConnectMode::Refuse(403), "proxy_refused", "Forbidden"),
        (ConnectMode::Close, "proxy_closed", "unexpected EOF"),
    ] {
        let s = scene(mode, |_| Response::html(""));
        let route = s.sandbox.run(TOOL, &["example.com/m@v1.0.0"]).route();
        assert_eq!(route.code(), Some(code));
        assert_eq!(
            route.go_error(),
            format!(
                "{}https fetch: Get \"https://example.com/m?go-get=1\": {text}",
                go_error_prefix()
            )
        );
    }
}

#[test]
fn unreachable_proxy_is_proxyconnect() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let run = Sandbox::new()
        .env("GOPROXY", "direct")
        .env("HTTPS_PROXY", &format!("http://127.0.0.1:{port}"))
        .run(TOOL, &["example.com/m@v1.0.0"]);
    let route = run.route();
    assert_eq!(route.code(), Some("proxy_unreachable"));
    assert_eq!(
        route.go_error(),
        format!(
            "{}https fetch: Get \"https://example.com/m?go-get=1\": proxyconnect tcp: dial tcp 127.0.0.1:{port}: connect: connection refused",
            go_error_prefix()
        )
    );
}

#[test]
fn goinsecure_falls_back_to_plain_http_through_the_proxy() {
    let s = scene(ConnectMode::Refuse(403), |_| {
        Response::html(&go_import_page(
            "example.com/m",
            "git",
            "https://git.example.com/m",
        ))
    });
    let sandbox = s
        .sandbox
        .env("GOINSECURE", "example.com")
        .env("HTTP_PROXY", &format!("http://{}", s.proxy.host_port()));
    let route = sandbox.run(TOOL, &["example.com/m@v1.0.0"]).route();
    assert!(route.ok, "{:?}", route.error);
    assert_eq!(
        route.vcs.unwrap().url.as_deref(),
        Some("http://example.com/m?go-get=1")
    );
    assert_eq!(
        s.proxy.lines(),
        ["CONNECT example.com:443", "http GET example.com/m?go-get=1"]
    );
}

#[test]
fn govcs_refusal_after_discovery_is_wrapped() {
    let s = scene(ConnectMode::Tunnel, |_| {
        Response::html(&go_import_page(
            "example.com/m",
            "svn",
            "https://svn.example.com/m",
        ))
    });
    let route = s.sandbox.run(TOOL, &["example.com/m@v1.0.0"]).route();
    assert_eq!(route.code(), Some("vcs_disallowed"));
    assert_eq!(
        route.go_error(),
        format!(
            "{}GOVCS disallows using svn for public example.com/m; see 'go help vcs'",
            go_error_prefix()
        )
    );
}

#[test]
fn netrc_credentials_go_to_the_matching_host_only_and_never_to_output() {
    let s = scene(ConnectMode::Tunnel, |r| {
        match r.headers.get("authorization").map(String::as_str) {
            Some("Basic YWxpY2U6czNjcjN0LXRva2Vu") => Response::html(&go_import_page(
                "example.com/m",
                "git",
                "https://git.example.com/m",
            )),
            _ => Response::text(401, "unauthorized"),
        }
    });
    let netrc = s.sandbox.write("netrc", "machine example.com login alice password s3cr3t-token\nmachine other.example login bob password nope\n");
    let sandbox = s.sandbox.env("NETRC", netrc.to_str().unwrap());
    let run = sandbox.run(TOOL, &["example.com/m@v1.0.0", "example.com/m@v1.0.0"]);
    assert_eq!(run.status, 0, "{}", run.stdout);
    assert!(!run.stdout.contains("s3cr3t-token"));
    // GOAUTH=off sends nothing: the server's 401 page has no tags.
    let route = sandbox
        .env("GOAUTH", "off")
        .run(TOOL, &["example.com/m@v1.0.0"])
        .route();
    assert_eq!(route.code(), Some("http_unauthorized"));
    assert_eq!(
        route.go_error(),
        format!(
            "{}reading https://example.com/m?go-get=1: 401 Unauthorized\n\tserver response: unauthorized",
            go_error_prefix()
        )
    );
}

#[test]
fn redirect_to_plain_http_is_refused() {
    let s = scene(ConnectMode::Tunnel, |_| {
        Response::new(302, "").header("Location", "http://example.com/login")
    });
    let route = s.sandbox.run(TOOL, &["example.com/m@v1.0.0"]).route();
    assert_eq!(route.code(), Some("http_insecure_redirect"));
    assert_eq!(
        route.go_error(),
        format!(
            "{}https fetch: Get \"http://example.com/login\": redirected from secure URL https://example.com/m?go-get=1 to insecure URL http://example.com/login",
            go_error_prefix()
        )
    );
}

#[test]
fn offline_and_fallback_discovery() {
    let s = scene(ConnectMode::Tunnel, |_| {
        Response::html(&go_import_page(
            "example.com/m",
            "git",
            "https://git.example.com/m",
        ))
    });
    // Offline: nothing is requested.
    let route = s
        .sandbox
        .run(TOOL, &["--offline", "example.com/m@v1.0.0"])
        .route();
    assert_eq!(route.vcs.unwrap().status, "not_probed");
    assert!(s.proxy.lines().is_empty());
    // A direct entry after a proxy is probed only when asked.
    let sandbox = s.sandbox.env("GOPROXY", "http://127.0.0.1:9/unused,direct");
    let route = sandbox.run(TOOL, &["example.com/m@v1.0.0"]).route();
    assert_eq!(route.vcs.unwrap().status, "not_probed");
    let route = sandbox
        .run(TOOL, &["--discover-fallback", "example.com/m@v1.0.0"])
        .route();
    assert_eq!(route.vcs.unwrap().status, "resolved");
}

#[test]
fn a_page_that_never_comes_has_no_go_error() {
    // example.com answers the TLS handshake, then never the request: the go command
    // would wait for ever and print nothing.
    let ca = TestCa::new("gomod test CA");
    let hanging = gomod_testsupport::goproxy::GoProxy::new()
        .fault("*", gomod_testsupport::goproxy::Fault::Hang)
        .start_https(&ca.issue(&["example.com"]));
    let proxy = ConnectProxy::start(
        ConnectMode::Forward(hanging.addr),
        Arc::new(TestCa::new("unused")),
        handler(|_| Response::text(404, "no")),
    );
    let sandbox = Sandbox::new();
    let ca_file = ca.write_pem(sandbox.path(), "ca.pem");
    let sandbox = sandbox
        .env("HTTPS_PROXY", &format!("http://{}", proxy.host_port()))
        .env("SSL_CERT_FILE", ca_file.to_str().unwrap())
        .env("GOPROXY", "direct")
        .env("GOSUMDB", "off");
    let run = sandbox.run(TOOL, &["--timeout", "2s", "example.com/m@v1.0.0"]);
    let route = run.route();
    let e = route.error.as_ref().expect("an error");
    assert_eq!(e.code, "http_timeout", "{e:?}");
    assert_eq!(e.go_error, None, "go prints nothing here: {e:?}");
    assert!(e.message.contains("keep waiting"), "{}", e.message);
}
