//! The README's examples, run as written.
//!
//! Most examples name public hosts (proxy.golang.org, sum.golang.org, dns.google) or a
//! made-up corporate one. They run here word for word, in a network and mount namespace
//! of the test's own (`unshare -nm`, or `-rnm` without root) where those names are local:
//! /etc/hosts gives each name a loopback address, a TLS front with a certificate from the
//! test's CA listens on its port 443 and relays to a test server (the mock GOPROXY, a
//! checksum database, a DNS-over-HTTPS resolver, a go-get page), SSL_CERT_FILE trusts
//! that CA, GOSUMDB names the test database's key at `https://sum.golang.org`, and /tmp
//! is a fresh tmpfs. The `go` on PATH runs the real go with GOTOOLCHAIN=local, so that it
//! never downloads a toolchain, while the tools see the default GOTOOLCHAIN. The
//! machine's network and files are never touched: a namespace has nothing but its own
//! loopback.
//!
//! Every example line of the README must be in [`EXPECTED`], with the exit status it
//! has under `set -o pipefail` and whether it prints anything; a new or changed example
//! fails the test until its expectation is written down here.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use gomod_common::net::dns::wire::AnswerData;
use gomod_testsupport::dns::{DnsServer, RecordType, Reply, handler as dns_handler, record};
use gomod_testsupport::front::TlsFront;
use gomod_testsupport::goproxy::GoProxy;
use gomod_testsupport::skip::{Need, skip};
use gomod_testsupport::sumdb::{FIXTURE_VKEY, SumdbServer};
use gomod_testsupport::{Response, Server, TestCa, go_import_page, handler};

/// Set (to the world's directory) in the process that runs inside the namespace.
const WORLD: &str = "GOMOD_README_WORLD";

/// What an example does in the test's world.
struct Expect {
    /// Its exit status under `set -o pipefail`.
    status: i32,
    /// Whether it writes anything on standard output.
    prints: bool,
    /// Whether it runs the go command (skipped without a go1.27+).
    needs_go: bool,
}

const fn ok(prints: bool) -> Expect {
    Expect {
        status: 0,
        prints,
        needs_go: false,
    }
}

/// An example that prints and succeeds where the go command is installed (it reads the
/// local go's version).
const GO_OK: Expect = Expect {
    status: 0,
    prints: true,
    needs_go: true,
};

/// Every example line of the README and what it does here.
const EXPECTED: &[(&str, Expect)] = &[
    (
        "go mod tidy 2>&1 | gomod-doctor --format text",
        Expect {
            status: 0,
            prints: true,
            needs_go: true,
        },
    ),
    ("gomod-doctor -m go.mod --format text", ok(true)),
    (
        "gomod-doctor golang.org/x/net@v0.30.0 --format text",
        ok(true),
    ),
    (
        r#"gomod-resolve --env | jq '.vars | map_values("\(.value)  [\(.source)]")'"#,
        ok(true),
    ),
    (
        r#"gomod-resolve --env | jq -r '.warnings[] | "\(.code): \(.message)\n  hint: \(.hint)"'"#,
        ok(false),
    ),
    (
        r#"gomod-resolve --offline -m go.mod | jq -r 'select(.keep_private) | [.module, .privacy_rule, (.exposed_to|map(.host)|join(",")), .keep_private] | @tsv'"#,
        ok(false),
    ),
    (
        r#"GOPRIVATE=git.corp.example.com gomod-resolve git.corp.example.com/team/lib@v1.4.0 | jq '{endpoints: [.endpoints[].kind], vcs, error}'"#,
        ok(true),
    ),
    (
        r#"gomod-resolve -m go.mod --format text | grep '^FAIL'"#,
        Expect {
            status: 1,
            prints: false,
            needs_go: false,
        },
    ),
    (
        r#"gomod-resolve -m go.mod --summary | jq 'select(.type == "summary")'"#,
        ok(true),
    ),
    (
        r#"gomod-resolve --offline -m go.mod | gomod-dnscheck --server https://dns.google/dns-query --format text"#,
        ok(true),
    ),
    (
        r#"gomod-dnscheck proxy.golang.org | jq '{addrs, server, cname, go_error: .error.go_error}'"#,
        ok(true),
    ),
    (
        r#"gomod-dnscheck --resolv-conf rootfs/etc/resolv.conf --hosts rootfs/etc/hosts proxy.golang.org"#,
        ok(true),
    ),
    (
        r#"gomod-tlscheck proxy.golang.org sum.golang.org --format text"#,
        ok(true),
    ),
    (r#"gomod-resolve --toolchain --format text"#, GO_OK),
    (
        r#"gomod-resolve --toolchain | gomod-fetch | jq '{ok, code: .error.code, go_error: .error.go_error}'"#,
        // go.mod's `go 1.21` needs no switch: no toolchain module to fetch.
        Expect {
            status: 0,
            prints: false,
            needs_go: true,
        },
    ),
    (
        r#"gomod-resolve --toolchain -m service/go.mod | gomod-sumverify"#,
        GO_OK,
    ),
    (
        r#"gomod-resolve --toolchain --go 1.26.0 | jq '{selected, reason, version, error}'"#,
        ok(true),
    ),
    (
        r#"gomod-tlscheck proxy.golang.org | jq '{intercepted, interception, go: .trust.go, chain: [.chain[].subject]}'"#,
        ok(true),
    ),
    (
        r#"gomod-tlscheck --ca-file corp-root.pem proxy.golang.org   # would SSL_CERT_FILE=corp-root.pem fix it?"#,
        ok(true),
    ),
    (
        r#"gomod-tlscheck proxy.golang.org | jq '{code: .error.code, hello: .hello | {bytes, ja4, answer}, classic: .classic_hello.answer}'"#,
        ok(true),
    ),
    (
        r#"gomod-resolve --env --offline | jq -c '.godebug[]'"#,
        ok(true),
    ),
    (
        r#"gomod-tlscheck --go 1.22.12 proxy.golang.org | jq '{ok, code: .error.code, godebug}'"#,
        ok(true),
    ),
    (
        r#"gomod-fetch golang.org/x/text@latest | jq '{version, source, zip_h1, hosts, go_error: .error.go_error}'"#,
        ok(true),
    ),
    (
        r#"gomod-fetch --what info,mod github.com/google/uuid@v1.6.0 | jq -r '.attempts[] | [.op, .status, .ms, .error, .url] | @tsv'"#,
        ok(true),
    ),
    (
        r#"GOPROXY='https://goproxy.corp.example.com|https://proxy.golang.org,direct' gomod-fetch -m go.mod --format text --retries 2"#,
        ok(true),
    ),
    (
        r#"gomod-fetch -m go.mod --cache /tmp/modcache && GOFLAGS=-mod=mod GOMODCACHE=/tmp/modcache GOPROXY=off go build ./..."#,
        Expect {
            status: 0,
            prints: true,
            needs_go: true,
        },
    ),
    (
        r#"GOPROXY=https://goproxy.corp.example.com,https://proxy.golang.org gomod-fetch --every-endpoint golang.org/x/net@v0.30.0 | jq -r '[.source, .zip_h1] | @tsv'"#,
        ok(true),
    ),
    (
        r#"gomod-fetch --check-proxy https://goproxy.corp.example.com --format text"#,
        ok(true),
    ),
    (r#"gomod-sumverify --format text"#, ok(true)),
    (
        r#"gomod-sumverify | jq -r 'select(.ok|not) | [.module, .version, .error.code, .cause] | @tsv'"#,
        ok(false),
    ),
    (
        r#"gomod-fetch -m go.mod | gomod-sumverify --gosum go.sum | jq '{module: .module, version, verdict, cause, gosum, computed, sumdb: .sumdb | {zip, mod, tree_size}}'"#,
        ok(true),
    ),
    (
        r#"GOPROXY=https://goproxy.corp.example.com,https://proxy.golang.org,direct gomod-fetch --every-endpoint golang.org/x/net@v0.30.0 | gomod-sumverify | jq '{verdict, cause, sources: [.sources[] | {source, verdict, cause}]}'"#,
        ok(true),
    ),
    (
        r#"gomod-sumverify --modcache "$(go env GOMODCACHE)" | jq -r 'select(.ok|not) | .error.go_error'"#,
        Expect {
            status: 0,
            prints: false,
            needs_go: true,
        },
    ),
    // The corporate host's go-get page names a repository that is not there: git
    // fails as go's would, and the record says how.
    (
        r#"GOPRIVATE=git.corp.example.com gomod-fetch git.corp.example.com/team/lib@v1.4.0 | jq '{code: .error.code, go_error: .error.go_error, hint: .error.hint}'"#,
        Expect {
            status: 1,
            prints: true,
            needs_go: false,
        },
    ),
    (
        r#"GOPRIVATE=git.corp.example.com gomod-fetch git.corp.example.com/team/lib@main | jq -r '.direct.commands[] | [.exit, .ms, (.argv | join(" ")), .error_line] | @tsv'"#,
        Expect {
            status: 1,
            prints: true,
            needs_go: false,
        },
    ),
    (
        r#"gomod-sumverify git.corp.example.com/team/lib@v1.4.0 | jq -r '.error.hint'"#,
        Expect {
            status: 1,
            prints: true,
            needs_go: false,
        },
    ),
    (
        r#"gomod-resolve -m go.mod | gomod-dnscheck | gomod-tlscheck | jq 'select(.ok|not)'"#,
        ok(false),
    ),
    (
        r#"gomod-resolve -m go.mod | gomod-fetch --what mod | jq -r 'select(.ok|not) | .error.go_error'"#,
        ok(false),
    ),
];

/// The hosts the examples name, with the loopback address each has in the world.
const HOSTS: &[(&str, Ipv4Addr)] = &[
    ("proxy.golang.org", Ipv4Addr::new(127, 0, 0, 2)),
    ("sum.golang.org", Ipv4Addr::new(127, 0, 0, 3)),
    ("dns.google", Ipv4Addr::new(127, 0, 0, 4)),
    ("goproxy.corp.example.com", Ipv4Addr::new(127, 0, 0, 5)),
    ("git.corp.example.com", Ipv4Addr::new(127, 0, 0, 6)),
    ("github.com", Ipv4Addr::new(127, 0, 0, 7)),
    ("golang.org", Ipv4Addr::new(127, 0, 0, 8)),
];

/// The README's example command lines: the lines of its `sh` blocks that run a tool,
/// except the install and test commands of the development sections.
fn readme_examples() -> Vec<String> {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README.md");
    let mut examples = Vec::new();
    let mut in_block = false;
    for line in readme.lines() {
        if let Some(info) = line.strip_prefix("```") {
            in_block = !in_block && info == "sh";
            continue;
        }
        if in_block && line.contains("gomod-") && !line.starts_with("make ") {
            examples.push(line.to_string());
        }
    }
    examples
}

#[test]
fn every_example_has_an_expectation() {
    let examples = readme_examples();
    assert!(examples.len() >= 20, "README examples: {examples:#?}");
    let missing: Vec<&String> = examples
        .iter()
        .filter(|line| !EXPECTED.iter().any(|(known, _)| known == line))
        .collect();
    assert!(
        missing.is_empty(),
        "README examples with no expectation in tests/cli/readme.rs: {missing:#?}"
    );
    let stale: Vec<&str> = EXPECTED
        .iter()
        .map(|(line, _)| *line)
        .filter(|line| !examples.iter().any(|e| e == line))
        .collect();
    assert!(
        stale.is_empty(),
        "expectations for lines no longer in the README: {stale:#?}"
    );
}

#[test]
fn examples_run_as_written() {
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).expect("temp dir");
    let root = nix_is_root();
    let flags = if root { "-nm" } else { "-rnm" };
    let output = Command::new("unshare")
        .args([flags, "--propagation", "private", "--"])
        .arg(std::env::current_exe().expect("test binary"))
        .args([
            "--exact",
            "readme::world",
            "--include-ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(WORLD, dir.path())
        .output();
    let output = match output {
        Ok(out) if !String::from_utf8_lossy(&out.stderr).contains("unshare:") => out,
        Ok(out) => {
            let why = String::from_utf8_lossy(&out.stderr).into_owned();
            return skip(
                Need::Root,
                "cannot make a network and mount namespace (unshare -nm)",
                why.trim(),
            );
        }
        Err(e) => {
            return skip(
                Need::Root,
                "cannot make a network and mount namespace (unshare -nm)",
                &e.to_string(),
            );
        }
    };
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && stdout.contains("1 passed"),
        "the examples in the namespace:\n{stdout}\n{stderr}"
    );
}

fn nix_is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| String::from_utf8_lossy(&out.stdout).trim() == "0")
}

/// The examples, inside the namespace [`examples_run_as_written`] made.
#[test]
#[ignore = "run by examples_run_as_written inside a namespace of its own"]
fn world() {
    let dir = PathBuf::from(std::env::var_os(WORLD).expect("GOMOD_README_WORLD"));
    // Read before /tmp is replaced: a checkout may live there.
    let examples = readme_examples();
    let world = World::build(&dir);
    let mut failures = Vec::new();
    let go = gomod_testsupport::go::find_go();
    let have_jq = Command::new("jq").arg("--version").output().is_ok();
    // The module cache `go env GOMODCACHE` names, as a go command that downloaded the
    // go.mod's requirements would have left it.
    let prefill = world.run(r#"gomod-fetch -m go.mod --cache "$GOPATH/pkg/mod""#, None);
    assert!(prefill.status.success(), "{prefill:?}");
    for line in examples {
        let expect = &EXPECTED
            .iter()
            .find(|(known, _)| *known == line)
            .unwrap_or_else(|| panic!("no expectation for {line}"))
            .1;
        if expect.needs_go && go.is_none() {
            skip(Need::Go, gomod_testsupport::go::NO_GO, &line);
            continue;
        }
        if line.contains("| jq ") && !have_jq {
            skip(Need::Jq, "no jq", &line);
            continue;
        }
        let out = world.run(&line, go.as_deref());
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        eprintln!(
            "$ {line}\nexit {:?}\n{}{}",
            out.status.code(),
            stdout,
            stderr
        );
        let mut wrong = Vec::new();
        if out.status.code() != Some(expect.status) {
            wrong.push(format!(
                "exit {:?}, expected {}",
                out.status.code(),
                expect.status
            ));
        }
        if stdout.trim().is_empty() == expect.prints {
            wrong.push(format!("printed {:?}", stdout.trim()));
        }
        for bad in ["jq: error", "panicked", "error: unexpected argument"] {
            if stderr.contains(bad) {
                wrong.push(format!("standard error has {bad:?}"));
            }
        }
        if !wrong.is_empty() {
            failures.push(format!(
                "{line}\n  {}\n  stderr: {stderr}",
                wrong.join("; ")
            ));
        }
    }
    drop(world);
    assert!(
        failures.is_empty(),
        "README examples:\n{}",
        failures.join("\n")
    );
}

/// The servers and files the examples meet.
struct World {
    dir: PathBuf,
    env: Vec<(String, String)>,
    _servers: Vec<gomod_testsupport::Running>,
    _fronts: Vec<TlsFront>,
    _sumdb: SumdbServer,
    _proxies: Vec<gomod_testsupport::goproxy::RunningProxy>,
    _dns: gomod_testsupport::dns::RunningDns,
}

impl World {
    fn build(dir: &Path) -> World {
        sh("ip link set lo up");
        let etc = dir.join("etc");
        std::fs::create_dir_all(&etc).unwrap();
        let hosts: String = std::iter::once("127.0.0.1 localhost\n".to_string())
            .chain(HOSTS.iter().map(|(name, ip)| format!("{ip} {name}\n")))
            .collect();
        std::fs::write(etc.join("hosts"), &hosts).unwrap();
        std::fs::write(etc.join("resolv.conf"), "nameserver 127.0.0.1\n").unwrap();
        std::fs::write(etc.join("nsswitch.conf"), "hosts: files dns\n").unwrap();
        for file in ["hosts", "resolv.conf", "nsswitch.conf"] {
            sh(&format!(
                "mount --bind {} /etc/{file}",
                etc.join(file).display()
            ));
        }
        // /tmp is the test's own (an example writes /tmp/modcache); what the test needs
        // from the old /tmp (its directory, the tools, go, when a checkout lives there)
        // is bound back in, through a descriptor opened before the mount (and not
        // canonicalised by mount(8), which would resolve it into the new /tmp).
        let tools = tools_dir();
        let goroot = gomod_testsupport::go::find_go()
            .and_then(|go| go.parent().and_then(Path::parent).map(Path::to_path_buf));
        let mut script = String::from("exec 3</tmp && mount -t tmpfs tmpfs /tmp");
        for keep in [Some(dir.to_path_buf()), Some(tools), goroot]
            .into_iter()
            .flatten()
        {
            if let Ok(rel) = keep.strip_prefix("/tmp") {
                script.push_str(&format!(
                    " && mkdir -p '{}' && mount --no-canonicalize --bind '/proc/self/fd/3/{}' '{}'",
                    keep.display(),
                    rel.display(),
                    keep.display()
                ));
            }
        }
        sh(&script);
        // The container's view that the --resolv-conf example reads.
        let rootfs = dir.join("rootfs/etc");
        std::fs::create_dir_all(&rootfs).unwrap();
        std::fs::write(rootfs.join("hosts"), &hosts).unwrap();
        std::fs::write(rootfs.join("resolv.conf"), "nameserver 127.0.0.1\n").unwrap();

        let dns = DnsServer::start(SocketAddr::from(([127, 0, 0, 1], 53)), world_dns());

        let ca = TestCa::new("README world CA");
        let ca_file = ca.write_pem(dir, "corp-root.pem");
        let home = dir.join("home");
        std::fs::create_dir_all(&home).unwrap();

        let proxy = modules();
        let gosum = proxy.go_sum();
        let proxies = vec![proxy.start(), modules().start()];
        let sumdb = SumdbServer::from_gosum(&gosum, Duration::ZERO);
        let doh = Server::http(handler(|request| {
            match gomod_testsupport::dns::doh_query(&request.target) {
                Some(query) => Response::new(
                    200,
                    gomod_testsupport::dns::doh_answer(&query, &world_dns()),
                )
                .header("Content-Type", "application/dns-message"),
                None => Response::text(400, "no dns parameter"),
            }
        }));
        // go-get pages: the private module's git origin, and golang.org/x/... served
        // "mod"-style by the proxy, so that the direct route works without a git origin.
        let pages = Server::http(handler(|request| {
            let host = request.host.as_str();
            let path = request.path().trim_start_matches('/');
            if !request.target.contains("go-get=1") {
                return Response::text(404, "not found");
            }
            if host == "git.corp.example.com" {
                return Response::html(&go_import_page(
                    "git.corp.example.com/team/lib",
                    "git",
                    "https://git.corp.example.com/team/lib",
                ));
            }
            match path
                .strip_prefix("x/")
                .and_then(|rest| rest.split('/').next())
            {
                Some(repo) if host == "golang.org" => Response::html(&go_import_page(
                    &format!("golang.org/x/{repo}"),
                    "mod",
                    "https://proxy.golang.org",
                )),
                _ => Response::text(404, "not found"),
            }
        }));
        let backends = [
            proxies[0].addr,
            sumdb.running().addr,
            doh.addr,
            proxies[1].addr,
            pages.addr,
            pages.addr,
            pages.addr,
        ];
        let fronts = HOSTS
            .iter()
            .zip(backends)
            .map(|((name, ip), backend)| {
                TlsFront::start(
                    SocketAddr::new(IpAddr::V4(*ip), 443),
                    &ca.issue(&[name]),
                    backend,
                )
                .unwrap_or_else(|e| panic!("{name} on {ip}:443: {e}"))
            })
            .collect();

        std::fs::write(dir.join("go.mod"), GO_MOD).unwrap();
        std::fs::write(dir.join("main.go"), MAIN_GO).unwrap();
        std::fs::write(dir.join("go.sum"), &gosum).unwrap();
        std::fs::create_dir_all(dir.join("service")).unwrap();
        std::fs::write(dir.join("service/go.mod"), SERVICE_GO_MOD).unwrap();
        let env = vec![
            ("HOME", home.display().to_string()),
            ("SSL_CERT_FILE", ca_file.display().to_string()),
            ("SSL_CERT_DIR", dir.join("no-certs").display().to_string()),
            ("GOSUMDB", format!("{FIXTURE_VKEY} https://sum.golang.org")),
            ("GOPATH", dir.join("gopath").display().to_string()),
            ("GOENV", dir.join("goenv").display().to_string()),
            ("GOCACHE", dir.join("gocache").display().to_string()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        World {
            dir: dir.to_path_buf(),
            env,
            _servers: vec![doh, pages],
            _fronts: fronts,
            _sumdb: sumdb,
            _proxies: proxies,
            _dns: dns,
        }
    }

    /// Runs one example line with bash, `set -o pipefail`, in the world's directory.
    fn run(&self, line: &str, go: Option<&Path>) -> std::process::Output {
        let mut path = vec![tools_dir()];
        let mut command = Command::new("bash");
        command.env_clear();
        if let Some(go) = go {
            // The go command itself never switches toolchains here (it would download
            // one); the tools see the user's default GOTOOLCHAIN, and the real GOROOT.
            let bin = self.dir.join("gobin");
            std::fs::create_dir_all(&bin).unwrap();
            let wrapper = bin.join("go");
            std::fs::write(
                &wrapper,
                format!(
                    "#!/bin/sh\nGOTOOLCHAIN=local exec '{}' \"$@\"\n",
                    go.display()
                ),
            )
            .unwrap();
            std::fs::set_permissions(
                &wrapper,
                std::os::unix::fs::PermissionsExt::from_mode(0o755),
            )
            .unwrap();
            path.push(bin);
            command.env("GOROOT", go.parent().and_then(Path::parent).unwrap());
        }
        path.extend(["/usr/local/bin", "/usr/bin", "/bin"].map(PathBuf::from));
        command
            .args(["-o", "pipefail", "-c", line])
            .current_dir(&self.dir)
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .env("PATH", std::env::join_paths(path).unwrap())
            .output()
            .expect("bash")
    }
}

/// The world's DNS, plain and over HTTPS: the addresses /etc/hosts gives, NXDOMAIN for
/// every other name.
fn world_dns() -> gomod_testsupport::dns::Handler {
    dns_handler(|request| {
        let name = request.qname.trim_end_matches('.').to_ascii_lowercase();
        match HOSTS.iter().find(|(host, _)| *host == name) {
            Some((_, ip)) if request.qtype == RecordType::A => {
                Reply::answers(vec![record(&request.qname, AnswerData::A(*ip))])
            }
            Some(_) => Reply::answers(Vec::new()),
            None => Reply::rcode(3),
        }
    })
}

/// The modules the examples name, as proxy.golang.org (and the corporate proxy) serve
/// them.
fn modules() -> GoProxy {
    let mut proxy = GoProxy::new();
    for (module, version, package) in [
        ("golang.org/x/text", "v0.13.0", "text"),
        ("golang.org/x/text", "v0.14.0", "text"),
        ("golang.org/x/net", "v0.30.0", "net"),
        ("github.com/google/uuid", "v1.6.0", "uuid"),
    ] {
        let go_mod = format!("module {module}\n\ngo 1.18\n");
        let source = format!("package {package}\n");
        proxy = proxy.module(
            module,
            version,
            &[
                ("go.mod", go_mod.as_bytes()),
                (&format!("{package}.go"), source.as_bytes()),
            ],
        );
    }
    // The toolchain service/go.mod asks for, for this machine's GOOS/GOARCH.
    let (goos, goarch) = gomod_common::toolchain::host_platform();
    let toolchain = format!("v0.0.1-go1.28.1.{goos}-{goarch}");
    proxy.module(
        "golang.org/toolchain",
        &toolchain,
        &[
            ("go.mod", b"module golang.org/toolchain\n"),
            ("bin/go", b"#!/bin/sh\n"),
        ],
    )
}

/// A service whose go line needs a newer go than go1.27: go switches to go1.28.1.
const SERVICE_GO_MOD: &str = "module example.com/readme/service\n\ngo 1.28.1\n";

const GO_MOD: &str = "module example.com/readme

go 1.21

require (
\tgithub.com/google/uuid v1.6.0
\tgolang.org/x/text v0.14.0
)
";

const MAIN_GO: &str = "package main

import _ \"github.com/google/uuid\"

func main() {}
";

/// Where the tools under test are.
fn tools_dir() -> PathBuf {
    assert_cmd::cargo::cargo_bin("gomod-resolve")
        .parent()
        .expect("the tools' directory")
        .to_path_buf()
}

/// Runs a setup command of the namespace; it must work.
fn sh(command: &str) {
    let status = Command::new("sh")
        .args(["-c", command])
        .status()
        .unwrap_or_else(|e| panic!("{command}: {e}"));
    assert!(status.success(), "{command}: {status}");
}
