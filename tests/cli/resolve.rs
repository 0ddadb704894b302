//! gomod-resolve without network: routes, configuration, errors, go.mod input.

use crate::Sandbox;

const TOOL: &str = "gomod-resolve";

#[test]
fn default_route_goes_to_the_module_mirror_then_direct() {
    let run = Sandbox::new().run(TOOL, &["--offline", "golang.org/x/net@v0.30.0"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let route = run.route();
    assert!(route.ok && route.valid);
    assert_eq!(route.version.as_deref(), Some("v0.30.0"));
    assert_eq!(route.kinds(), ["proxy", "direct"]);
    let proxy = &route.endpoints[0];
    assert_eq!(proxy.url.as_deref(), Some("https://proxy.golang.org"));
    assert_eq!(
        (proxy.host.as_deref(), proxy.port, proxy.fallback.as_str()),
        (Some("proxy.golang.org"), Some(443), "not_found")
    );
    assert_eq!(
        proxy.requests,
        [
            "https://proxy.golang.org/golang.org/x/net/@v/v0.30.0.info",
            "https://proxy.golang.org/golang.org/x/net/@v/v0.30.0.mod",
            "https://proxy.golang.org/golang.org/x/net/@v/v0.30.0.zip"
        ]
    );
    let direct = &route.endpoints[1];
    assert_eq!(direct.fallback, "none");
    assert_eq!(
        direct.url.as_deref(),
        Some("https://golang.org/x/net?go-get=1")
    );
    let sumdb = route.sumdb.as_ref().expect("sumdb");
    assert_eq!(sumdb.name, "sum.golang.org");
    assert_eq!(
        sumdb.key,
        "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8"
    );
    assert_eq!(
        sumdb.proxied_via,
        ["https://proxy.golang.org/sumdb/sum.golang.org/supported"]
    );
    let hosts: Vec<(&str, &str, &str)> = route
        .exposed_to
        .iter()
        .map(|e| (e.host.as_str(), e.role.as_str(), e.when.as_str()))
        .collect();
    assert_eq!(
        hosts,
        [
            ("proxy.golang.org", "proxy", "always"),
            ("sum.golang.org", "sumdb", "unless_proxied")
        ]
    );
    // golang.org is a public vanity domain: nothing to keep private.
    assert_eq!(route.keep_private, None);
    assert_eq!(route.privacy_rule.as_deref(), Some("public_vanity_domain"));
    let vcs = route.vcs.as_ref().expect("vcs");
    assert_eq!(
        (vcs.via.as_str(), vcs.status.as_str()),
        ("go_get", "not_probed")
    );
}

#[test]
fn upper_case_paths_and_versions_are_escaped_twice_on_the_wire() {
    let route = Sandbox::new()
        .run(TOOL, &["--offline", "github.com/Azure/go-sdk@v1.0.0-RC1"])
        .route();
    assert_eq!(route.escaped.as_deref(), Some("github.com/!azure/go-sdk"));
    assert_eq!(route.escaped_version.as_deref(), Some("v1.0.0-!r!c1"));
    assert_eq!(
        route.endpoints[0].requests[0],
        "https://proxy.golang.org/github.com/%21azure/go-sdk/@v/v1.0.0-%21r%21c1.info"
    );
    // github.com is in Go's table of known hosts: no discovery page, git over https.
    let vcs = route.vcs.as_ref().unwrap();
    assert_eq!(
        (vcs.via.as_str(), vcs.vcs.as_deref(), vcs.repo.as_deref()),
        (
            "known_host",
            Some("git"),
            Some("https://github.com/Azure/go-sdk")
        )
    );
    assert_eq!(
        route.endpoints[1].requests,
        ["https://github.com/Azure/go-sdk/info/refs?service=git-upload-pack"]
    );
    let govcs = vcs.govcs.as_ref().unwrap();
    assert!(govcs.allowed);
    assert_eq!(
        (govcs.scope.as_str(), govcs.rule.as_str()),
        ("public", "public:git|hg")
    );
    assert_eq!(route.keep_private, None);
    assert_eq!(route.privacy_rule.as_deref(), Some("public_code_host"));
}

#[test]
fn separators_set_the_fall_through_rule() {
    let run = Sandbox::new()
        .env("GOPROXY", "https://a.example|https://b.example,direct")
        .run(TOOL, &["--offline", "example.com/m@v1.0.0"]);
    let route = run.route();
    let rules: Vec<&str> = route
        .endpoints
        .iter()
        .map(|e| e.fallback.as_str())
        .collect();
    assert_eq!(route.kinds(), ["proxy", "proxy", "direct"]);
    assert_eq!(rules, ["any_error", "not_found", "none"]);
    assert_eq!(
        route.sumdb.unwrap().proxied_via,
        [
            "https://a.example/sumdb/sum.golang.org/supported",
            "https://b.example/sumdb/sum.golang.org/supported"
        ]
    );
    let when: Vec<&str> = route.exposed_to.iter().map(|e| e.when.as_str()).collect();
    assert_eq!(when, ["always", "on_fallback", "unless_proxied"]);
}

#[test]
fn queries_ask_the_list_or_the_revision() {
    let sandbox = Sandbox::new().env("GOPROXY", "https://p.example/go/");
    let routes = sandbox
        .run(
            TOOL,
            &[
                "--offline",
                "example.com/m@latest",
                "example.com/m@master",
                "example.com/m@v1.2",
                "example.com/m",
            ],
        )
        .routes();
    assert_eq!(routes[0].query.as_deref(), Some("latest"));
    assert_eq!(
        routes[0].endpoints[0].requests,
        [
            "https://p.example/go/example.com/m/@v/list",
            "https://p.example/go/example.com/m/@latest"
        ]
    );
    assert_eq!(
        routes[1].endpoints[0].requests,
        ["https://p.example/go/example.com/m/@v/master.info"]
    );
    assert_eq!(routes[2].query.as_deref(), Some("v1.2"));
    assert_eq!(
        routes[2].endpoints[0].requests[0],
        "https://p.example/go/example.com/m/@v/list"
    );
    assert_eq!(
        (routes[3].version.as_deref(), routes[3].query.as_deref()),
        (None, None)
    );
}

#[test]
fn goproxy_off_is_an_error_with_gos_text() {
    let run = Sandbox::new()
        .env("GOPROXY", "off")
        .run(TOOL, &["--offline", "example.com/m@v1.0.0"]);
    assert_eq!(run.status, 1);
    let route = run.route();
    assert_eq!(route.code(), Some("goproxy_off"));
    assert_eq!(
        route.go_error(),
        "go: example.com/m@v1.0.0: module lookup disabled by GOPROXY=off"
    );
    assert!(
        route
            .error
            .as_ref()
            .unwrap()
            .hint
            .as_deref()
            .unwrap()
            .contains("GOPRIVATE=example.com")
    );
}

#[test]
fn broken_goproxy_values_give_gos_messages() {
    let cases = [
        (
            ",",
            "goproxy_empty",
            "GOPROXY list is not the empty string, but contains no entries",
        ),
        (
            "ftp://proxy.example.com",
            "goproxy_invalid",
            "invalid proxy URL scheme (must be https, http, file): ftp://proxy.example.com",
        ),
        (
            "https://%zz",
            "goproxy_invalid",
            "parse \"https://%zz\": invalid URL escape \"%zz\"",
        ),
        (
            "file://localhost/srv",
            "goproxy_invalid",
            "invalid file:// proxy URL with non-path elements: file://localhost/srv",
        ),
        (
            "DIRECT",
            "goproxy_invalid",
            "invalid proxy URL missing scheme: DIRECT",
        ),
    ];
    for (goproxy, code, text) in cases {
        let run = Sandbox::new()
            .env("GOPROXY", goproxy)
            .run(TOOL, &["--offline", "example.com/m@v1.0.0"]);
        assert_eq!(run.status, 1, "GOPROXY={goproxy}");
        let route = run.route();
        assert_eq!(route.code(), Some(code), "GOPROXY={goproxy}");
        assert_eq!(
            route.go_error(),
            format!("go: example.com/m@v1.0.0: {text}"),
            "GOPROXY={goproxy}"
        );
    }
}

#[test]
fn empty_goproxy_in_the_env_file_hides_the_default() {
    let run = Sandbox::new()
        .go_env_file("GOPROXY=\n")
        .run(TOOL, &["--offline", "example.com/m@v1.0.0"]);
    let route = run.route();
    assert_eq!(route.code(), Some("goproxy_empty"));
    assert!(
        route
            .error
            .as_ref()
            .unwrap()
            .hint
            .as_deref()
            .unwrap()
            .contains("go env -u GOPROXY")
    );
    // An empty process variable is the same as an unset one.
    let route = Sandbox::new()
        .env("GOPROXY", "")
        .run(TOOL, &["--offline", "example.com/m@v1.0.0"])
        .route();
    assert!(route.ok);
    assert_eq!(
        route.endpoints[0].url.as_deref(),
        Some("https://proxy.golang.org")
    );
}

#[test]
fn goprivate_sends_the_path_direct_and_skips_the_checksum_database() {
    let route = Sandbox::new()
        .env("GOPRIVATE", "*.corp.example.com,example.org")
        .run(TOOL, &["--offline", "git.corp.example.com/team/lib@v1.4.0"])
        .route();
    assert!(route.ok);
    assert_eq!(route.kinds(), ["noproxy", "direct"]);
    assert_eq!(route.skipped.len(), 1);
    assert_eq!(route.skipped[0].entry, "https://proxy.golang.org");
    assert_eq!(route.skipped[0].reason, "disabled by GOPRIVATE/GONOPROXY");
    assert_eq!(
        route.sumdb_skipped.as_deref(),
        Some("GOPRIVATE matches \"*.corp.example.com\"")
    );
    let private = route.private.as_ref().unwrap();
    assert!(private.noproxy.matched && private.nosumdb.matched && !private.insecure.matched);
    assert_eq!(
        (
            private.noproxy.variable.as_str(),
            private.noproxy.source.as_str()
        ),
        ("GOPRIVATE", "env")
    );
    assert_eq!(private.noproxy.glob.as_deref(), Some("*.corp.example.com"));
    assert!(route.exposed_to.is_empty());
    assert!(route.keep_private.is_none());
}

#[test]
fn gonoproxy_none_keeps_the_proxy_but_not_the_checksum_database() {
    let route = Sandbox::new()
        .env("GOPRIVATE", "example.com")
        .env("GONOPROXY", "none")
        .run(TOOL, &["--offline", "example.com/m@v1.0.0"])
        .route();
    assert_eq!(route.kinds(), ["proxy", "direct"]);
    assert_eq!(route.skipped[0].entry, "noproxy");
    assert_eq!(
        route.skipped[0].reason,
        "path does not match GOPRIVATE/GONOPROXY"
    );
    let private = route.private.unwrap();
    assert!(!private.noproxy.matched);
    assert_eq!(private.noproxy.variable, "GONOPROXY");
    assert!(private.nosumdb.matched);
    assert_eq!(private.nosumdb.variable, "GOPRIVATE");
}

#[test]
fn goproxy_off_still_fetches_private_modules_directly() {
    let route = Sandbox::new()
        .env("GOPROXY", "off")
        .env("GOPRIVATE", "example.com")
        .run(TOOL, &["--offline", "example.com/m@v1.0.0"])
        .route();
    assert!(route.ok, "{:?}", route.error);
    assert_eq!(route.kinds(), ["noproxy", "off"]);
}

#[test]
fn gosumdb_forms() {
    let route = Sandbox::new()
        .env("GOSUMDB", "off")
        .run(TOOL, &["--offline", "example.com/m@v1.0.0"])
        .route();
    assert!(route.sumdb.is_none());
    assert_eq!(route.sumdb_skipped.as_deref(), Some("GOSUMDB=off"));

    let route = Sandbox::new()
        .env("GOSUMDB", "sum.golang.google.cn")
        .run(TOOL, &["--offline", "example.com/m@v1.0.0"])
        .route();
    let sumdb = route.sumdb.unwrap();
    assert_eq!(
        (sumdb.name.as_str(), sumdb.url.as_str(), sumdb.host.as_str()),
        (
            "sum.golang.org",
            "https://sum.golang.google.cn",
            "sum.golang.google.cn"
        )
    );
    assert!(
        sumdb.proxied_via.is_empty(),
        "an explicit URL bypasses proxies"
    );

    let run = Sandbox::new()
        .env("GOSUMDB", "sum.example.com")
        .run(TOOL, &["--offline", "example.com/m@v1.0.0"]);
    assert_eq!(run.status, 1);
    let route = run.route();
    assert_eq!(route.code(), Some("gosumdb_invalid"));
    assert_eq!(
        route.go_error(),
        "go: example.com/m@v1.0.0: verifying go.mod: invalid GOSUMDB: malformed verifier id"
    );

    let key = "sumdb.fixture.test+1e35f783+AXUVg+v7FlCtFjEP0DHyyoiCdmD6oLsHvUPm7AWx+u3j";
    let route = Sandbox::new()
        .env("GOSUMDB", &format!("{key} http://127.0.0.1:9/db"))
        .run(TOOL, &["--offline", "example.com/m@v1.0.0"])
        .route();
    let sumdb = route.sumdb.unwrap();
    assert_eq!(
        (sumdb.name.as_str(), sumdb.url.as_str(), sumdb.known),
        ("sumdb.fixture.test", "http://127.0.0.1:9/db", false)
    );
}

#[test]
fn invalid_paths_and_versions() {
    let run = Sandbox::new().run(TOOL, &["--offline", "foo/bar@v1.0.0"]);
    assert_eq!(run.status, 1);
    let route = run.route();
    assert!(!route.valid && route.private.is_none() && route.endpoints.is_empty());
    assert_eq!(route.code(), Some("module_path_invalid"));
    assert_eq!(
        route.go_error(),
        "go: foo/bar@v1.0.0: malformed module path \"foo/bar\": missing dot in first path element"
    );

    let route = Sandbox::new()
        .run(TOOL, &["--offline", "Example.com/m@v1.0.0"])
        .route();
    assert_eq!(
        route.go_error(),
        "go: Example.com/m@v1.0.0: malformed module path \"Example.com/m\": invalid char 'E' in first path element"
    );

    // The go command does not check the major version before asking the proxy.
    let route = Sandbox::new()
        .run(TOOL, &["--offline", "example.com/m@v2.0.0"])
        .route();
    assert!(route.ok);
    assert_eq!(route.warning_codes(), ["version_invalid"]);
    assert!(
        route.warnings[0]
            .message
            .starts_with("example.com/m@v2.0.0: invalid version: should be v0 or v1, not v2")
    );
    assert!(
        route.warnings[0]
            .hint
            .as_deref()
            .unwrap()
            .contains("example.com/m/v2")
    );
}

#[test]
fn special_paths_of_gos_vcs_table() {
    let sandbox = Sandbox::new().env("GOPROXY", "direct");
    let route = sandbox
        .run(TOOL, &["--offline", "example.net/x@v1.0.0"])
        .route();
    assert_eq!(route.code(), Some("vcs_path_invalid"));
    assert_eq!(
        route.go_error(),
        "go: example.net/x@v1.0.0: no modules on example.net"
    );
    let route = sandbox
        .run(TOOL, &["--offline", "github.com/user@v1.0.0"])
        .route();
    assert_eq!(
        route.go_error(),
        "go: github.com/user@v1.0.0: invalid github.com import path \"github.com/user\""
    );
    // With a proxy first, the same problem is only a warning about the fallback.
    let route = Sandbox::new()
        .run(TOOL, &["--offline", "github.com/user@v1.0.0"])
        .route();
    assert!(route.ok);
    assert_eq!(route.warning_codes(), ["vcs_path_invalid"]);
}

#[test]
fn govcs_refusals() {
    let run = Sandbox::new()
        .env("GOPROXY", "direct")
        .env("GOVCS", "github.com:off")
        .run(TOOL, &["--offline", "github.com/x/y@v1.0.0"]);
    assert_eq!(run.status, 1);
    let route = run.route();
    assert_eq!(route.code(), Some("vcs_disallowed"));
    assert_eq!(
        route.go_error(),
        "go: github.com/x/y@v1.0.0: GOVCS disallows using git for public github.com/x/y; see 'go help vcs'"
    );
    let govcs = route.vcs.unwrap().govcs.unwrap();
    assert!(!govcs.allowed);
    assert_eq!(govcs.rule, "github.com:off");

    let route = Sandbox::new()
        .env("GOPROXY", "direct")
        .env("GOVCS", "bad")
        .run(TOOL, &["--offline", "github.com/x/y@v1.0.0"])
        .route();
    assert_eq!(route.code(), Some("govcs_invalid"));
    assert_eq!(
        route.go_error(),
        "go: github.com/x/y@v1.0.0: malformed entry in GOVCS (missing colon): \"bad\""
    );
}

#[test]
fn generic_vcs_paths_list_the_schemes_go_pings() {
    let route = Sandbox::new()
        .env("GOPROXY", "direct")
        .run(TOOL, &["--offline", "example.com/repo.git/sub@v1.0.0"])
        .route();
    let vcs = route.vcs.unwrap();
    assert_eq!(
        (vcs.vcs.as_deref(), vcs.root.as_deref(), vcs.repo.as_deref()),
        (
            Some("git"),
            Some("example.com/repo.git"),
            Some("example.com/repo")
        )
    );
    assert_eq!(vcs.schemes, ["https", "git+ssh", "ssh"]);
    let route = Sandbox::new()
        .env("GOPROXY", "direct")
        .env("GOINSECURE", "example.com")
        .run(TOOL, &["--offline", "example.com/repo.git@v1.0.0"])
        .route();
    assert_eq!(
        route.vcs.unwrap().schemes,
        ["git", "https", "http", "git+ssh", "ssh"]
    );
}

#[test]
fn configuration_comes_from_the_go_env_file() {
    let sandbox = Sandbox::new()
        .go_env_file("GOPROXY=https://corp.example/proxy,direct\nGOPRIVATE=example.org\n");
    let route = sandbox
        .run(TOOL, &["--offline", "example.com/m@v1.0.0"])
        .route();
    assert_eq!(
        route.endpoints[0].url.as_deref(),
        Some("https://corp.example/proxy")
    );
    let private = route.private.unwrap();
    assert_eq!(private.nosumdb.source, "goenv");
    // The process environment wins over the file.
    let route = Sandbox::new()
        .go_env_file("GOPROXY=https://corp.example\n")
        .env("GOPROXY", "https://env.example")
        .run(TOOL, &["--offline", "example.com/m@v1.0.0"])
        .route();
    assert_eq!(
        route.endpoints[0].url.as_deref(),
        Some("https://env.example")
    );
}

#[test]
fn credentials_never_appear_in_output() {
    let sandbox = Sandbox::new()
        .env(
            "GOPROXY",
            "https://alice:s3cr3t-proxy@proxy.corp.example/go,direct",
        )
        .env(
            "HTTPS_PROXY",
            "http://bob:hunter2-http@squid.corp.example:3128",
        )
        .env(
            "GOSUMDB",
            "sum.golang.org https://carol:t0ken-sumdb@sum.corp.example",
        );
    let run = sandbox.run(TOOL, &["--env", "--offline", "example.com/m@v1.0.0"]);
    for secret in ["s3cr3t-proxy", "hunter2-http", "t0ken-sumdb"] {
        assert!(
            !run.stdout.contains(secret),
            "{secret} leaked:\n{}",
            run.stdout
        );
    }
    let mut records = run.records();
    let route = records.pop().unwrap().route();
    assert_eq!(
        route.endpoints[0].url.as_deref(),
        Some("https://alice:***@proxy.corp.example/go")
    );
    assert_eq!(
        route.endpoints[0].requests[0],
        "https://alice:***@proxy.corp.example/go/example.com/m/@v/v1.0.0.info"
    );
    let env = records.pop().unwrap().env();
    assert_eq!(
        env.vars["HTTPS_PROXY"].value,
        "http://bob:***@squid.corp.example:3128"
    );
}

/// Only a path that looks private gets a recommendation, and the record names the
/// rule that decided; the README's `select(.keep_private)` selects exactly those.
#[test]
fn privacy_audit_recommends_only_for_private_looking_paths() {
    let cases: &[(&str, &str, Option<&str>, bool)] = &[
        (
            "golang.org/x/text@v0.14.0",
            "public_vanity_domain",
            None,
            false,
        ),
        (
            "google.golang.org/grpc@v1.60.0",
            "public_vanity_domain",
            None,
            false,
        ),
        (
            "gopkg.in/yaml.v3@v3.0.1",
            "public_vanity_domain",
            None,
            false,
        ),
        (
            "sigs.k8s.io/yaml@v1.4.0",
            "public_vanity_domain",
            None,
            false,
        ),
        (
            "go.uber.org/zap@v1.27.0",
            "public_vanity_domain",
            None,
            false,
        ),
        (
            "github.com/acme/lib@v1.0.0",
            "public_code_host",
            None,
            false,
        ),
        (
            "git.corp.example.com/team/lib@v1.0.0",
            "internal_name",
            Some("GOPRIVATE=git.corp.example.com"),
            true,
        ),
        (
            "gitlab.acme.io/team/lib@v1.0.0",
            "self_hosted_forge",
            Some("GOPRIVATE=gitlab.acme.io"),
            true,
        ),
        (
            "10.1.2.3/team/lib@v1.0.0",
            "private_address",
            Some("GOPRIVATE=10.1.2.3"),
            true,
        ),
        (
            "acme.example/lib@v1.0.0",
            "unknown_host",
            Some("GOPRIVATE=acme.example"),
            false,
        ),
    ];
    let args: Vec<&str> = std::iter::once("--offline")
        .chain(cases.iter().map(|c| c.0))
        .collect();
    let routes = Sandbox::new().run(TOOL, &args).routes();
    for (route, (target, rule, keep, warned)) in routes.iter().zip(cases) {
        assert_eq!(
            (
                route.privacy_rule.as_deref(),
                route.keep_private.as_deref(),
                route.warning_codes() == ["path_exposed"]
            ),
            (Some(*rule), *keep, *warned),
            "{target}"
        );
    }
}

/// The audit itself asks no one: with every request of the run going to servers that
/// log it (the GOPROXY, and the HTTP proxies any other request would go through),
/// none is made, online or offline, whatever the path looks like.
#[test]
fn privacy_audit_sends_the_path_nowhere() {
    use gomod_testsupport::{Response, Server, handler};
    let proxy = Server::http(handler(|_| Response::text(404, "not found")));
    let http_proxy = Server::http(handler(|_| Response::text(403, "no")));
    let paths = [
        "golang.org/x/text@v0.14.0",
        "git.corp.example.com/team/secret@v1.0.0",
        "acme.example/secret@v1.0.0",
        "10.1.2.3/secret@v1.0.0",
    ];
    for offline in [true, false] {
        let mut args = vec!["-m", "go.mod"];
        if offline {
            args.push("--offline");
        }
        args.extend(paths);
        let sandbox = Sandbox::new()
            .env("GOPROXY", &format!("http://{}", proxy.host_port()))
            .env("HTTPS_PROXY", &format!("http://{}", http_proxy.host_port()))
            .env("HTTP_PROXY", &format!("http://{}", http_proxy.host_port()));
        sandbox.write(
            "go.mod",
            "module example.com/main\n\ngo 1.21\n\nrequire corp.internal/lib v1.0.0\n",
        );
        let run = sandbox.run(TOOL, &args);
        assert_eq!(run.routes().len(), paths.len() + 1, "{}", run.stderr);
        assert!(
            run.routes().iter().any(|r| r.keep_private.is_some()),
            "the audit ran"
        );
        assert_eq!(proxy.lines(), Vec::<String>::new(), "offline: {offline}");
        assert_eq!(
            http_proxy.lines(),
            Vec::<String>::new(),
            "offline: {offline}"
        );
    }
}

#[test]
fn privacy_audit_flags_private_looking_paths() {
    let route = Sandbox::new()
        .env("GOPRIVATE", "example.org")
        .run(TOOL, &["--offline", "git.corp.example.com/team/lib@v1.0.0"])
        .route();
    assert!(route.ok);
    assert_eq!(route.warning_codes(), ["path_exposed"]);
    assert_eq!(
        route.keep_private.as_deref(),
        Some("GOPRIVATE=example.org,git.corp.example.com")
    );
    assert!(
        route
            .exposed_to
            .iter()
            .any(|e| e.host == "proxy.golang.org" && e.public)
    );
    // A corporate proxy is not a public service.
    let route = Sandbox::new()
        .env("GOPROXY", "https://athens.corp.example")
        .env("GOSUMDB", "off")
        .run(TOOL, &["--offline", "git.corp.example.com/team/lib@v1.0.0"])
        .route();
    assert!(route.warnings.is_empty());
    assert!(route.keep_private.is_none());
    assert!(!route.exposed_to[0].public);
}

#[test]
fn modfile_requirements_after_replace_and_exclude() {
    let sandbox = Sandbox::new();
    let gomod = sandbox.write(
        "proj/go.mod",
        "module example.com/app\n\ngo 1.22\n\nrequire (\n\tgolang.org/x/text v0.14.0\n\texample.com/old v1.0.0\n\texample.com/local v0.1.0 // indirect\n\texample.com/bad v1.2.0\n)\n\nreplace example.com/old => example.com/new v1.1.0\n\nreplace example.com/local => ../local\n\nexclude example.com/bad v1.2.0\n",
    );
    let run = sandbox.run(TOOL, &["--offline", "-m", gomod.to_str().unwrap()]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let routes = run.routes();
    let modules: Vec<&str> = routes.iter().map(|r| r.module.as_str()).collect();
    assert_eq!(
        modules,
        [
            "golang.org/x/text",
            "example.com/old",
            "example.com/local",
            "example.com/bad"
        ]
    );
    assert_eq!(routes[0].from.as_ref().map(|f| f.line), Some(6));
    let replaced = routes[1].replaced_by.as_ref().unwrap();
    assert_eq!(
        (
            replaced.path.as_str(),
            replaced.version.as_deref(),
            replaced.local
        ),
        ("example.com/new", Some("v1.1.0"), false)
    );
    assert_eq!(
        routes[1].endpoints[0].requests[0],
        "https://proxy.golang.org/example.com/new/@v/v1.1.0.info"
    );
    assert!(routes[2].replaced_by.as_ref().unwrap().local);
    assert!(
        routes[2].endpoints.is_empty(),
        "a local directory has no network route"
    );
    assert_eq!(
        routes[2].sumdb_skipped.as_deref(),
        Some("replaced by a local directory")
    );
    assert_eq!(routes[3].warning_codes(), ["excluded"]);
}

#[test]
fn malformed_go_mod_is_a_record_with_gos_error() {
    let sandbox = Sandbox::new();
    let gomod = sandbox.write(
        "go.mod",
        "module example.com/app\n\nrequire example.com/x v1.0.0 extra\nfrobnicate\n",
    );
    let run = sandbox.run(TOOL, &["-m", "go.mod"]);
    assert_eq!(run.status, 1);
    let route = run.route();
    assert_eq!(route.code(), Some("gomod_invalid"));
    assert_eq!(
        route.go_error(),
        "go: errors parsing go.mod:\ngo.mod:3: usage: require module/path v1.2.3\ngo.mod:4: unknown directive: frobnicate"
    );
    drop(gomod);
}

#[test]
fn unreadable_inputs_are_fatal() {
    let run = Sandbox::new().run(TOOL, &["-m", "missing/go.mod"]);
    assert_eq!(run.status, 2);
    assert!(run.stdout.is_empty());
    assert!(
        run.stderr
            .starts_with("gomod-resolve: error: open missing/go.mod: no such file or directory\n"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("gomod-resolve: hint: "));
    let run = Sandbox::new().run(TOOL, &["-f", "nope.txt"]);
    assert_eq!(run.status, 2);
    assert!(
        run.stderr
            .contains("open nope.txt: no such file or directory")
    );
}

#[test]
fn env_record_names_every_source() {
    let sandbox = Sandbox::new()
        .go_env_file("GOPRIVATE=*.corp\nGOFLAGS=-mod=mod\n")
        .env("GOPROXY", "https://env.example,direct")
        .env("https_proxy", "http://p.example:3128");
    let run = sandbox.run(TOOL, &["--env"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let env = run.env_record();
    let file = sandbox.home().join(".config/go/env").display().to_string();
    let var = |name: &str| &env.vars[name];
    assert_eq!(
        (
            var("GOPROXY").value.as_str(),
            var("GOPROXY").source.as_str()
        ),
        ("https://env.example,direct", "env")
    );
    assert_eq!(
        (
            var("GOPRIVATE").source.as_str(),
            var("GOPRIVATE").file.as_deref()
        ),
        ("goenv", Some(file.as_str()))
    );
    assert_eq!(
        (
            var("GONOPROXY").value.as_str(),
            var("GONOPROXY").derived_from.as_deref()
        ),
        ("*.corp", Some("GOPRIVATE"))
    );
    assert_eq!(
        (
            var("GOSUMDB").value.as_str(),
            var("GOSUMDB").source.as_str()
        ),
        ("sum.golang.org", "default")
    );
    assert_eq!(
        var("GOSUMDB").note.as_deref(),
        Some("no Go installation found: the defaults newest Go ships in GOROOT/go.env")
    );
    assert_eq!(
        var("GOMODCACHE").value,
        format!("{}/go/pkg/mod", sandbox.home().display())
    );
    assert_eq!(
        (
            var("HTTPS_PROXY").value.as_str(),
            var("HTTPS_PROXY").spelled.as_deref()
        ),
        ("http://p.example:3128", Some("https_proxy"))
    );
    assert_eq!(var("GOENV").value, file);
    assert_eq!(env.env_file.status, "read");
    assert!(env.go.is_none());
}

/// The env record lists the GODEBUG settings in effect for the go command: the
/// environment's (later wins) and the release defaults of the TLS and x509 settings.
#[test]
fn env_record_lists_godebug_with_sources() {
    let sandbox = Sandbox::new().env("GODEBUG", "tlsmlkem=0,netdns=go,tlsmlkem=1");
    let env = sandbox.run(TOOL, &["--env"]).env_record();
    assert!(env.ok);
    let list: Vec<(&str, &str, &str)> = env
        .godebug
        .iter()
        .map(|g| (g.name.as_str(), g.value.as_str(), g.source.as_str()))
        .collect();
    assert_eq!(
        list,
        [
            ("tlsmlkem", "1", "env"),
            ("netdns", "go", "env"),
            ("tlssecpmlkem", "1", "default"),
            ("tlssha1", "0", "default"),
            ("x509negativeserial", "0", "default"),
        ]
    );
}

/// A removed setting with its old value in GODEBUG stops go1.27 before it starts
/// (checked against the real go: `fatal error: ...`, exit status 2).
#[test]
fn removed_godebug_in_environment_fails_every_route() {
    let sandbox = Sandbox::new().env("GODEBUG", "tlsrsakex=1");
    let run = sandbox.run(TOOL, &["--env", "--offline", "example.com/m@v1.0.0"]);
    assert_eq!(run.status, 1, "{}", run.stderr);
    let expected = "fatal error: removed GODEBUG \"tlsrsakex\" set to old value \"1\" in environment (https://go.dev/doc/godebug#go-127)";
    let mut records = run.records();
    assert_eq!(records.len(), 2, "{}", run.stdout);
    let route = records.remove(1).route();
    let env = records.remove(0).env();
    let error = env.error.as_ref().expect("env error");
    assert_eq!(error.code, "godebug_invalid");
    assert_eq!(error.go_error.as_deref(), Some(expected));
    assert!(
        error
            .hint
            .as_deref()
            .unwrap_or_default()
            .contains("tlsrsakex")
    );
    assert_eq!(route.code(), Some("godebug_invalid"));
    assert_eq!(route.go_error(), expected);
    // Any other value of a removed setting is accepted.
    let fine = Sandbox::new()
        .env("GODEBUG", "tlsrsakex=0")
        .run(TOOL, &["--offline", "example.com/m@v1.0.0"]);
    assert_eq!(fine.status, 0, "{}", fine.stdout);
}

/// go.mod `godebug` lines are checked as go1.27 checks them when it loads the main
/// module; the text is the real go1.27.3's.
#[test]
fn gomod_godebug_lines_go_refuses_are_reported() {
    let sandbox = Sandbox::new();
    sandbox.write(
        "go.mod",
        "module example.com/app\n\ngo 1.27\n\ngodebug (\n\tfoo=1\n\ttls10server=1\n\ttls3des=0\n)\n\nrequire example.com/x v1.0.0\n",
    );
    let run = sandbox.run(TOOL, &["--offline", "-m", "go.mod"]);
    assert_eq!(run.status, 1);
    let route = run.route();
    assert_eq!(route.code(), Some("godebug_invalid"));
    assert_eq!(
        route.go_error(),
        "go: error loading go.mod:\ngo.mod:6: unknown godebug \"foo\"\ngo: error loading go.mod:\ngo.mod:7: removed GODEBUG \"tls10server\" set to old value \"1\" (https://go.dev/doc/godebug#go-127)"
    );
}

#[test]
fn ineffective_settings_are_warned_about() {
    let sandbox = Sandbox::new()
        .go_env_file("HTTPS_PROXY=http://p:3128\nGOPRIVATE=a.example , b.example\nGONOSUMDB=x.example\r\nGOPROXY=direct\r\n")
        .env("GONOSUMCHECK", "1")
        .env("ALL_PROXY", "socks5://p:1080");
    let env = sandbox.run(TOOL, &["--env"]).env_record();
    let mut codes: Vec<&str> = env.warnings.iter().map(|w| w.code.as_str()).collect();
    codes.sort();
    assert_eq!(
        codes,
        [
            "goenv_carriage_return",
            "ineffective_variable",
            "ineffective_variable",
            "ineffective_variable",
            "pattern_whitespace"
        ]
    );
    let blanks = env
        .warnings
        .iter()
        .find(|w| w.code == "pattern_whitespace")
        .unwrap();
    assert_eq!(
        blanks.hint.as_deref(),
        Some("GOPRIVATE=a.example,b.example")
    );
}

/// GOFLAGS entries go refuses stop every go command; each is warned about in --env and
/// on every route, and the one go stops at carries go's line.
#[test]
fn goflags_entries_go_refuses_are_warned_about() {
    let cases: &[(&str, &[&str], &str, &str)] = &[
        (
            "-bogus",
            &["goflags_invalid"],
            "go: parsing $GOFLAGS: unknown flag -bogus",
            "GOFLAGS=\"\"",
        ),
        (
            "-mod=mod notaflag -modcacherw",
            &["goflags_invalid"],
            "go: parsing $GOFLAGS: non-flag \"notaflag\"",
            "GOFLAGS=\"-mod=mod -modcacherw\"",
        ),
        (
            "-C=/tmp -x --nope=1",
            &["goflags_invalid", "goflags_invalid"],
            "go: parsing $GOFLAGS: unknown flag -nope",
            "GOFLAGS=\"-x\"",
        ),
        (
            "-insecure -mod=mod",
            &["goflags_insecure"],
            "go: -insecure flag is no longer supported; use GOINSECURE instead",
            "GOFLAGS=\"-mod=mod\", and GOINSECURE=<glob> for the modules to fetch over plain http or without certificate checks",
        ),
    ];
    for (value, codes, go_error, hint) in cases {
        let sandbox = Sandbox::new().env("GOFLAGS", value);
        let run = sandbox.run(TOOL, &["--offline", "--env", "example.com/m@v1.0.0"]);
        let mut records = run.records().into_iter();
        let env = records.next().unwrap().env();
        let route = records.next().unwrap().route();
        for warnings in [&env.warnings, &route.warnings] {
            let found: Vec<&str> = warnings.iter().map(|w| w.code.as_str()).collect();
            assert_eq!(found, *codes, "{value}");
            let with_go: Vec<&str> = warnings
                .iter()
                .filter_map(|w| w.go_error.as_deref())
                .collect();
            assert_eq!(with_go, [*go_error], "{value}: go stops at one entry");
            assert_eq!(warnings[0].hint.as_deref(), Some(*hint), "{value}");
        }
    }
    let clean = Sandbox::new()
        .env(
            "GOFLAGS",
            "-mod=mod -modcacherw '-tags=a b' --trimpath -test.count=1",
        )
        .run(TOOL, &["--offline", "--env"]);
    assert!(clean.records().remove(0).env().warnings.is_empty());
}

/// An IP network in a glob list is taken as a path glob and matches no module: warned
/// about in --env and on every route, with the globs that would work.
#[test]
fn ip_networks_in_private_globs_are_warned_about() {
    let sandbox = Sandbox::new()
        .env("GOPRIVATE", "192.168.0.0/16,git.corp.example.com")
        .env("GOINSECURE", "10.0.0.1-10.0.0.9,fd00::/8");
    let run = sandbox.run(TOOL, &["--offline", "--env", "192.168.1.5/team/lib@v1.0.0"]);
    let mut records = run.records().into_iter();
    let env = records.next().unwrap().env();
    let route = records.next().unwrap().route();
    // The network does not make the module private: go sends it to the proxy.
    assert!(!route.private.as_ref().unwrap().noproxy.matched);
    for warnings in [&env.warnings, &route.warnings] {
        let ranges: Vec<(&str, Option<&str>)> = warnings
            .iter()
            .filter(|w| w.code == "pattern_ip_range")
            .map(|w| (w.message.split(' ').next().unwrap(), w.hint.as_deref()))
            .collect();
        assert_eq!(ranges.len(), 2, "{warnings:#?}");
        assert_eq!(ranges[0].0, "GOPRIVATE");
        assert!(
            ranges[0]
                .1
                .unwrap()
                .starts_with("GOPRIVATE=192.168.*,git.corp.example.com "),
            "{ranges:?}"
        );
        assert_eq!(ranges[1].0, "GOINSECURE");
    }
}

/// Blanks after a comma: go's matcher does not trim them, so " b.example" matches no
/// module (the route shows it), and the warning says so.
#[test]
fn blanks_after_commas_are_warned_about_on_every_route() {
    let run = Sandbox::new()
        .env("GOPRIVATE", "a.example, b.example")
        .run(TOOL, &["--offline", "b.example/m@v1.0.0"]);
    let route = run.route();
    assert!(!route.private.as_ref().unwrap().noproxy.matched);
    let blanks = route
        .warnings
        .iter()
        .find(|w| w.code == "pattern_whitespace")
        .expect("warned");
    assert!(
        blanks.message.contains("(\"a.example, b.example\")"),
        "{}",
        blanks.message
    );
    assert_eq!(
        blanks.hint.as_deref(),
        Some("GOPRIVATE=a.example,b.example")
    );
}

impl crate::Run {
    /// The single env record of a run.
    fn env_record(&self) -> crate::records::EnvRecord {
        let mut records = self.records();
        assert_eq!(records.len(), 1, "{}", self.stdout);
        records.remove(0).env()
    }
}

#[test]
fn configuration_warnings_come_with_every_route() {
    let routes = Sandbox::new()
        .env("GONOSUMCHECK", "1")
        .run(
            TOOL,
            &["--offline", "example.com/a@v1.0.0", "example.com/b@v1.0.0"],
        )
        .routes();
    for route in routes {
        assert!(route.ok);
        assert_eq!(route.warning_codes(), ["ineffective_variable"]);
    }
}

#[test]
fn an_http_proxy_in_front_of_a_plain_http_goproxy_learns_the_path() {
    let route = Sandbox::new()
        .env("GOPROXY", "http://athens.corp.example:3000")
        .env("HTTP_PROXY", "http://squid.corp.example:3128")
        .env("HTTPS_PROXY", "http://squid.corp.example:3128")
        .env("GOSUMDB", "off")
        .run(TOOL, &["--offline", "example.com/m@v1.0.0"])
        .route();
    let exposed: Vec<(&str, &str)> = route
        .exposed_to
        .iter()
        .map(|e| (e.host.as_str(), e.role.as_str()))
        .collect();
    assert_eq!(
        exposed,
        [
            ("athens.corp.example", "proxy"),
            ("squid.corp.example", "http_proxy")
        ]
    );
    // Over https the proxy sees only the host name: not listed.
    let route = Sandbox::new()
        .env("HTTPS_PROXY", "http://squid.corp.example:3128")
        .env("GOSUMDB", "off")
        .run(TOOL, &["--offline", "example.com/m@v1.0.0"])
        .route();
    assert!(route.exposed_to.iter().all(|e| e.role != "http_proxy"));
}
