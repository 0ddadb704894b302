//! Every pair of tools in a pipe, with endpoints on ports that are not the scheme's
//! default: the port (and the scheme) an upstream record names must reach the
//! downstream tool's record, so that a chain of tools probes where the go command
//! connects. Servers run on 127.0.0.1; other names reach it through a hosts file given
//! to gomod-dnscheck.

use std::collections::BTreeSet;

use gomod_testsupport::goproxy::GoProxy;
use gomod_testsupport::sumdb::{FIXTURE_VKEY, SumdbServer};
use gomod_testsupport::{Response, Running, Server, TestCa, handler};
use serde_json::Value;

use crate::Sandbox;
use crate::records::Record;

/// (host, scheme, port) of one endpoint in a record.
type Seen = (String, String, Option<u16>);

fn seen(host: &str, scheme: &str, port: u16) -> Seen {
    (host.to_string(), scheme.to_string(), Some(port))
}

/// A sandbox whose go.mod-free HOME holds `ca` in Go's trust store, a hosts file that
/// maps `names` to 127.0.0.1, and a resolv.conf and nsswitch.conf that send
/// gomod-dnscheck to that hosts file first.
fn sandbox(ca: Option<&TestCa>, names: &[&str]) -> Sandbox {
    let mut sandbox = Sandbox::new()
        .env("GOENV", "off")
        .env("GOTOOLCHAIN", "local");
    if let Some(ca) = ca {
        let pem = ca.write_pem(sandbox.path(), "roots.pem");
        sandbox = sandbox.env("SSL_CERT_FILE", pem.to_str().unwrap());
    }
    let hosts: String = names.iter().map(|n| format!("127.0.0.1 {n}\n")).collect();
    sandbox.write("hosts", &hosts);
    sandbox.write(
        "resolv.conf",
        "nameserver 127.0.0.1\noptions timeout:1 attempts:1\n",
    );
    sandbox.write("nsswitch.conf", "hosts: files dns\n");
    sandbox
}

const DNS_ARGS: &[&str] = &[
    "--hosts",
    "hosts",
    "--resolv-conf",
    "resolv.conf",
    "--nsswitch",
    "nsswitch.conf",
];

/// Runs `tool` with `args` on `stdin`; its stdout, after checking that every line
/// decodes (schema pinned where the test suite has the record type).
fn run(sandbox: &Sandbox, tool: &str, args: &[&str], stdin: &str) -> String {
    run_env(sandbox, tool, args, stdin, &[])
}

/// [`run`] with variables set for this run only.
fn run_env(
    sandbox: &Sandbox,
    tool: &str,
    args: &[&str],
    stdin: &str,
    vars: &[(&str, &str)],
) -> String {
    let mut cmd = sandbox.command(tool);
    for (k, v) in vars {
        cmd.env(k, v);
    }
    let out = crate::Run::from(cmd.args(args).write_stdin(stdin).output().unwrap());
    assert!(
        !out.stderr.contains("error:"),
        "{tool} {args:?}: {}",
        out.stderr
    );
    for line in out.stdout.lines() {
        let value: Value = serde_json::from_str(line).unwrap();
        if value["type"] != "sum" {
            Record::parse(line);
        }
    }
    out.stdout
}

fn dnscheck(sandbox: &Sandbox, stdin: &str, targets: &[&str]) -> String {
    let mut args = DNS_ARGS.to_vec();
    args.extend_from_slice(targets);
    run(sandbox, "gomod-dnscheck", &args, stdin)
}

fn values(stdout: &str) -> Vec<Value> {
    stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// The (host, scheme, port) of every dns or tls record.
fn endpoints(stdout: &str) -> BTreeSet<Seen> {
    values(stdout)
        .iter()
        .filter(|v| v["type"] == "dns" || v["type"] == "tls")
        .map(|v| {
            (
                v["host"].as_str().unwrap().to_string(),
                v["scheme"].as_str().unwrap().to_string(),
                v["port"].as_u64().map(|p| p as u16),
            )
        })
        .collect()
}

/// Every tls record is ok: the connection went where the server listens.
fn assert_all_ok(stdout: &str) {
    let records = values(stdout);
    assert!(!records.is_empty(), "no records");
    for r in &records {
        assert_eq!(r["ok"], true, "{r}");
    }
}

fn https_server(ca: &TestCa, names: &[&str]) -> Running {
    Server::https(
        &ca.issue(names),
        handler(|_| Response::text(404, "not found")),
    )
}

fn http_server() -> Running {
    Server::http(handler(|_| Response::text(404, "not found")))
}

fn set(items: &[Seen]) -> BTreeSet<Seen> {
    items.iter().cloned().collect()
}

#[test]
fn resolve_to_dnscheck_keeps_the_port_of_every_endpoint() {
    // Nothing connects in this test: any three ports do.
    let (proxy, mirror, db) = (3000, 8443, 9443);
    let sandbox = sandbox(None, &["sumdb.corp.test"])
        .env(
            "GOPROXY",
            &format!("http://127.0.0.1:{proxy},https://sumdb.corp.test:{mirror}"),
        )
        .env(
            "GOSUMDB",
            &format!("{FIXTURE_VKEY} https://sumdb.corp.test:{db}"),
        );
    let routes = run(
        &sandbox,
        "gomod-resolve",
        &["--offline", "example.com/m@v1.0.0"],
        "",
    );
    let route = &values(&routes)[0];
    assert_eq!(
        (&route["sumdb"]["scheme"], &route["sumdb"]["port"]),
        (&Value::from("https"), &Value::from(db))
    );
    let dns = dnscheck(&sandbox, &routes, &[]);
    assert_eq!(
        endpoints(&dns),
        set(&[
            seen("127.0.0.1", "http", proxy),
            seen("sumdb.corp.test", "https", mirror),
            seen("sumdb.corp.test", "https", db),
        ]),
        "{dns}"
    );
}

#[test]
fn resolve_to_tlscheck_probes_each_endpoint_at_its_port() {
    let ca = TestCa::new("Pipe Root");
    let proxy = http_server();
    let db = https_server(&ca, &["127.0.0.1"]);
    let sandbox = sandbox(Some(&ca), &[])
        .env("GOPROXY", &format!("http://{}", proxy.host_port()))
        .env(
            "GOSUMDB",
            &format!("{FIXTURE_VKEY} https://{}", db.host_port()),
        );
    let routes = run(
        &sandbox,
        "gomod-resolve",
        &["--offline", "example.com/m@v1.0.0"],
        "",
    );
    let tls = run(&sandbox, "gomod-tlscheck", &[], &routes);
    assert_eq!(
        endpoints(&tls),
        set(&[
            seen("127.0.0.1", "http", proxy.addr.port()),
            seen("127.0.0.1", "https", db.addr.port()),
        ]),
        "{tls}"
    );
    assert_all_ok(&tls);
}

fn proxy_with_m() -> GoProxy {
    GoProxy::new().module(
        "example.com/m",
        "v1.0.0",
        &[
            ("go.mod", b"module example.com/m\n"),
            ("m.go", b"package m\n"),
        ],
    )
}

#[test]
fn resolve_to_fetch_fetches_from_the_route_s_endpoint() {
    let proxy = proxy_with_m().start();
    let sandbox = sandbox(None, &[]).env("GOSUMDB", "off");
    let routes = run_env(
        &sandbox,
        "gomod-resolve",
        &["--offline", "example.com/m@v1.0.0"],
        "",
        &[("GOPROXY", &proxy.url())],
    );
    // gomod-fetch's own GOPROXY leads nowhere: only the route's port can serve.
    let fetched = run_env(&sandbox, "gomod-fetch", &[], &routes, &[("GOPROXY", "off")]);
    let record = &values(&fetched)[0];
    assert_eq!(record["ok"], true, "{record}");
    assert_eq!(record["source"], Value::from(proxy.url()));
}

#[test]
fn dnscheck_to_tlscheck_keeps_every_port_of_one_host() {
    let ca = TestCa::new("Pipe Root");
    let plain = http_server();
    let secure = https_server(&ca, &["127.0.0.1"]);
    let named = https_server(&ca, &["mirror.corp.test"]);
    let sandbox = sandbox(Some(&ca), &["mirror.corp.test"]);
    let targets = [
        format!("http://127.0.0.1:{}", plain.addr.port()),
        format!("https://127.0.0.1:{}", secure.addr.port()),
        format!("https://mirror.corp.test:{}/x", named.addr.port()),
    ];
    let targets: Vec<&str> = targets.iter().map(String::as_str).collect();
    let dns = dnscheck(&sandbox, "", &targets);
    let expected = set(&[
        seen("127.0.0.1", "http", plain.addr.port()),
        seen("127.0.0.1", "https", secure.addr.port()),
        seen("mirror.corp.test", "https", named.addr.port()),
    ]);
    assert_eq!(endpoints(&dns), expected, "{dns}");
    let tls = run(&sandbox, "gomod-tlscheck", &[], &dns);
    assert_eq!(endpoints(&tls), expected, "{tls}");
    assert_all_ok(&tls);

    // And back: each tool takes its own records and the other's, ports kept.
    assert_eq!(endpoints(&dnscheck(&sandbox, &dns, &[])), expected);
    assert_eq!(endpoints(&dnscheck(&sandbox, &tls, &[])), expected);
    let again = run(&sandbox, "gomod-tlscheck", &[], &tls);
    assert_eq!(endpoints(&again), expected);
    assert_all_ok(&again);
}

#[test]
fn fetch_to_dnscheck_and_tlscheck_name_the_server_at_its_port() {
    let proxy = proxy_with_m().start();
    let sandbox = sandbox(None, &[])
        .env("GOSUMDB", "off")
        .env("GOPROXY", &proxy.url());
    let fetched = run(&sandbox, "gomod-fetch", &["example.com/m@v1.0.0"], "");
    let port = proxy.addr.port();
    let dns = dnscheck(&sandbox, &fetched, &[]);
    assert_eq!(
        endpoints(&dns),
        set(&[seen("127.0.0.1", "http", port)]),
        "{dns}"
    );
    let tls = run(&sandbox, "gomod-tlscheck", &[], &fetched);
    assert_eq!(endpoints(&tls), set(&[seen("127.0.0.1", "http", port)]));
    assert_all_ok(&tls);
}

#[test]
fn fetch_to_sumverify_and_on_keeps_the_source_and_the_database_port() {
    let proxy_def = proxy_with_m();
    let db = SumdbServer::from_gosum(&proxy_def.go_sum(), std::time::Duration::ZERO);
    let proxy = proxy_def.start();
    let sandbox = sandbox(None, &[])
        .env("GOSUMDB", &db.gosumdb())
        .env("GOPROXY", &proxy.url());
    let fetched = run(&sandbox, "gomod-fetch", &["example.com/m@v1.0.0"], "");
    // Only the database GOSUMDB names: no GOPROXY entry to proxy it.
    let sums = run_env(
        &sandbox,
        "gomod-sumverify",
        &["--state-dir", "state"],
        &fetched,
        &[("GOPROXY", "off")],
    );
    let sum = &values(&sums)[0];
    assert_eq!(sum["ok"], true, "{sum}");
    assert_eq!(sum["sources"][0]["source"], Value::from(proxy.url()));
    assert_eq!(sum["sumdb"]["url"], Value::from(db.url()));

    // The database's endpoint goes on down the pipe.
    let port = db.running().addr.port();
    let dns = dnscheck(&sandbox, &sums, &[]);
    assert_eq!(
        endpoints(&dns),
        set(&[seen("127.0.0.1", "http", port)]),
        "{dns}"
    );
    let tls = run(&sandbox, "gomod-tlscheck", &[], &sums);
    assert_eq!(endpoints(&tls), set(&[seen("127.0.0.1", "http", port)]));
    assert_all_ok(&tls);
}

/// The chain of the README: a checksum database on a port of its own, named by a host
/// name, is probed at that port.
#[test]
fn resolve_dnscheck_tlscheck_reach_the_database_at_its_port() {
    let ca = TestCa::new("Pipe Root");
    let proxy = https_server(&ca, &["goproxy.corp.test"]);
    let db = https_server(&ca, &["sumdb.corp.test"]);
    let sandbox = sandbox(Some(&ca), &["goproxy.corp.test", "sumdb.corp.test"])
        .env(
            "GOPROXY",
            &format!("https://goproxy.corp.test:{}", proxy.addr.port()),
        )
        .env(
            "GOSUMDB",
            &format!("{FIXTURE_VKEY} https://sumdb.corp.test:{}", db.addr.port()),
        );
    sandbox.write(
        "go.mod",
        "module example.com/main\n\ngo 1.21\n\nrequire golang.org/x/text v0.3.0\n",
    );
    let routes = run(&sandbox, "gomod-resolve", &["-m", "go.mod"], "");
    let dns = dnscheck(&sandbox, &routes, &[]);
    let tls = run(&sandbox, "gomod-tlscheck", &[], &dns);
    let expected = set(&[
        seen("goproxy.corp.test", "https", proxy.addr.port()),
        seen("sumdb.corp.test", "https", db.addr.port()),
    ]);
    assert_eq!(endpoints(&tls), expected, "{tls}");
    assert_all_ok(&tls);
}

/// No record a tool reads is left without its port: a default port stays the default.
#[test]
fn default_ports_stay_default() {
    let sandbox = sandbox(None, &["sum.corp.test"])
        .env("GOPROXY", "off")
        .env("GOSUMDB", &format!("{FIXTURE_VKEY} https://sum.corp.test"));
    let routes = run(
        &sandbox,
        "gomod-resolve",
        &["--offline", "example.com/m@v1.0.0"],
        "",
    );
    assert_eq!(values(&routes)[0]["sumdb"]["port"], Value::from(443));
    let dns = dnscheck(&sandbox, &routes, &[]);
    assert_eq!(endpoints(&dns), set(&[seen("sum.corp.test", "https", 443)]));
}
