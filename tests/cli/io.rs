//! The shared conventions: input from args, files and stdin; output order; text
//! format; --summary; exit codes; a closed stdout.

use std::io::{BufRead, BufReader, Write};
use std::process::Stdio;

use crate::Sandbox;
use crate::records::Record;

const TOOL: &str = "gomod-resolve";

#[test]
fn stdin_takes_plain_lines_records_and_reports_bad_lines() {
    let stdin = "# a comment, then a blank line\n\nexample.com/a@v1.0.0\n{\"type\":\"route\",\"module\":\"example.com/b\",\"version\":\"v2.0.0+incompatible\"}\n{\"type\":\"dns\",\"host\":\"proxy.golang.org\"}\n{not json\nexample.com/c\n";
    let run = Sandbox::new().run_with_stdin(TOOL, &["--offline"], stdin);
    assert_eq!(run.status, 1, "the bad line makes the run fail");
    let records = run.records();
    assert_eq!(
        records.len(),
        4,
        "the dns record carries nothing for gomod-resolve:\n{}",
        run.stdout
    );
    let mut iter = records.into_iter();
    assert_eq!(iter.next().unwrap().route().module, "example.com/a");
    let b = iter.next().unwrap().route();
    assert_eq!(
        (b.module.as_str(), b.version.as_deref()),
        ("example.com/b", Some("v2.0.0+incompatible"))
    );
    match iter.next().unwrap() {
        Record::InputError(e) => {
            assert_eq!(
                (e.source.as_str(), e.line, e.input.as_str()),
                ("stdin", 6, "{not json")
            );
            assert_eq!(e.error.unwrap().code, "input_invalid");
        }
        other => panic!("expected an input_error, got {other:?}"),
    }
    assert_eq!(iter.next().unwrap().route().module, "example.com/c");
}

#[test]
fn records_chain_from_one_tool_into_the_next() {
    let sandbox = Sandbox::new();
    let first = sandbox.run(
        TOOL,
        &["--offline", "example.com/m@v1.0.0", "example.com/n@latest"],
    );
    let second = sandbox.run_with_stdin(TOOL, &["--offline"], &first.stdout);
    let again: Vec<(String, Option<String>, Option<String>)> = second
        .routes()
        .into_iter()
        .map(|r| (r.module, r.version, r.query))
        .collect();
    assert_eq!(
        again,
        [
            ("example.com/m".into(), Some("v1.0.0".into()), None),
            ("example.com/n".into(), None, Some("latest".into()))
        ]
    );
}

#[test]
fn files_and_dash_read_targets() {
    let sandbox = Sandbox::new();
    let list = sandbox.write(
        "targets.txt",
        "example.com/one@v1.0.0\nexample.com/two@v1.0.0\n",
    );
    let run = sandbox.run_with_stdin(
        TOOL,
        &[
            "--offline",
            "-f",
            list.to_str().unwrap(),
            "example.com/arg@v1.0.0",
            "-",
        ],
        "example.com/stdin@v1.0.0\n",
    );
    let modules: Vec<String> = run.routes().into_iter().map(|r| r.module).collect();
    assert_eq!(
        modules,
        [
            "example.com/arg",
            "example.com/one",
            "example.com/two",
            "example.com/stdin"
        ]
    );
}

#[test]
fn output_keeps_input_order_under_concurrency() {
    let targets: Vec<String> = (0..200)
        .map(|i| format!("example.com/m{i}@v1.0.{i}"))
        .collect();
    let mut args = vec!["--offline", "-j", "32"];
    args.extend(targets.iter().map(String::as_str));
    let run = Sandbox::new().run(TOOL, &args);
    let modules: Vec<String> = run.routes().into_iter().map(|r| r.module).collect();
    let want: Vec<String> = (0..200).map(|i| format!("example.com/m{i}")).collect();
    assert_eq!(modules, want);
}

#[test]
fn summary_counts_codes() {
    let run = Sandbox::new().env("GOPROXY", "off").run(
        TOOL,
        &[
            "--offline",
            "--summary",
            "example.com/a@v1.0.0",
            "foo/bar",
            "example.com/b@v2.0.0",
        ],
    );
    assert_eq!(run.status, 1);
    let mut records = run.records();
    let Record::Summary(summary) = records.pop().unwrap() else {
        panic!("summary last")
    };
    assert_eq!((summary.records, summary.passed, summary.failed), (3, 0, 3));
    assert_eq!(summary.error_codes.get("goproxy_off"), Some(&2));
    assert_eq!(summary.error_codes.get("module_path_invalid"), Some(&1));
    assert_eq!(summary.warning_codes.get("version_invalid"), Some(&1));
    assert!(summary.ok);
}

#[test]
fn text_format_is_one_line_per_record_with_the_hint() {
    let run = Sandbox::new().env("GOPROXY", "off").run(
        TOOL,
        &[
            "--offline",
            "--format",
            "text",
            "example.com/a@v1.0.0",
            "golang.org/x/net@v0.1.0",
        ],
    );
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{}", run.stdout);
    assert!(
        lines[0].starts_with(
            "FAIL route example.com/a@v1.0.0 (not probed: worked out from the configuration): \
             Go tries off (module lookup disabled); checksum database sum.golang.org | goproxy_off: "
        ),
        "{}",
        lines[0]
    );
    assert!(lines[0].contains(" | hint: GOPROXY=off"), "{}", lines[0]);
}

#[test]
fn exit_codes() {
    let ok = Sandbox::new().run(TOOL, &["--offline", "example.com/a@v1.0.0"]);
    assert_eq!(ok.status, 0);
    let failed = Sandbox::new().run(TOOL, &["--offline", "foo/bar"]);
    assert_eq!(failed.status, 1);
    let usage = Sandbox::new().run(TOOL, &["--no-such-flag"]);
    assert_eq!(usage.status, 2);
    let bad_duration = Sandbox::new().run(TOOL, &["--timeout", "soon", "example.com/a"]);
    assert_eq!(bad_duration.status, 2);
    assert!(
        bad_duration
            .stderr
            .contains("write durations like 500ms, 10s, 2m"),
        "{}",
        bad_duration.stderr
    );
    let zero_jobs = Sandbox::new().run(TOOL, &["-j", "0", "example.com/a"]);
    assert_eq!(zero_jobs.status, 2);
}

#[test]
fn closed_stdout_ends_quietly() {
    let sandbox = Sandbox::new();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("gomod-resolve"))
        .env_clear()
        .env("HOME", sandbox.home())
        .env("PATH", "")
        .args(["--offline", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        for i in 0..20000 {
            if writeln!(stdin, "example.com/m{i}@v1.0.0").is_err() {
                break;
            }
        }
    });
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    reader.read_line(&mut first).unwrap();
    assert!(first.contains("\"module\":\"example.com/m0\""));
    drop(reader);
    let output = child.wait_with_output().unwrap();
    writer.join().unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        output.stderr.is_empty(),
        "stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn hostile_input_never_panics() {
    let mut stdin = String::new();
    for target in [
        "@",
        "@@",
        "example.com/m@",
        "{}",
        "{\"module\":5}",
        "{\"module\":\"x\",\"from\":{\"line\":-1}}",
        "\u{202e}evil.com/x",
        "a".repeat(100_000).as_str(),
        "example.com/\u{0}x@v1",
    ] {
        stdin.push_str(target);
        stdin.push('\n');
    }
    stdin.push_str("\u{1b}[31mred.example/x@v1.0.0\n");
    let run = Sandbox::new().run_with_stdin(TOOL, &["--offline", "--format", "text"], &stdin);
    assert_eq!(run.status, 1);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    assert!(
        !run.stdout.contains('\u{1b}'),
        "terminal escapes must not reach the text output"
    );
    assert!(
        !run.stdout.contains('\u{202e}'),
        "bidi overrides must not reach the text output"
    );
}

const TOOLS: &[&str] = &[
    "gomod-resolve",
    "gomod-dnscheck",
    "gomod-tlscheck",
    "gomod-fetch",
    "gomod-sumverify",
];

/// A sandbox where no tool reaches the network: no proxy, no checksum database, a
/// resolver on a loopback port nothing listens on.
fn offline_sandbox() -> Sandbox {
    let sandbox = Sandbox::new()
        .env("GOPROXY", "off")
        .env("GOSUMDB", "off")
        .env("GOENV", "off");
    sandbox.write(
        "resolv.conf",
        "nameserver 127.0.0.1\noptions timeout:1 attempts:1\n",
    );
    sandbox
}

/// The arguments that keep `tool` offline in [`offline_sandbox`].
fn offline_args(tool: &str) -> Vec<&'static str> {
    match tool {
        "gomod-resolve" => vec!["--offline"],
        "gomod-dnscheck" => vec!["--resolv-conf", "resolv.conf", "--hosts", "resolv.conf"],
        "gomod-sumverify" => vec!["--state-dir", "state"],
        _ => Vec::new(),
    }
}

#[test]
fn empty_standard_input_says_there_is_nothing_to_probe() {
    for tool in TOOLS {
        for stdin in ["", "# only a comment\n\n"] {
            let sandbox = offline_sandbox();
            let run = sandbox.run_with_stdin(tool, &offline_args(tool), stdin);
            assert_eq!(
                (run.status, run.stdout.as_str()),
                (2, ""),
                "{tool} on {stdin:?}: {}",
                run.stderr
            );
            assert!(
                run.stderr
                    .starts_with(&format!("{tool}: error: nothing to probe: ")),
                "{tool}: {}",
                run.stderr
            );
            assert!(
                run.stderr.contains(&format!("{tool}: hint: ")),
                "{tool}: {}",
                run.stderr
            );
        }
    }
}

/// The longest run of `c` in `text`.
fn longest_run(text: &str, c: char) -> usize {
    let (mut best, mut current) = (0, 0);
    for d in text.chars() {
        current = if d == c { current + 1 } else { 0 };
        best = best.max(current);
    }
    best
}

#[test]
fn an_overlong_target_is_echoed_once_and_truncated() {
    // Each input repeats its own letter; every tool gets all of them.
    let long = |c: char, n: usize| c.to_string().repeat(n);
    let inputs: Vec<(char, String)> = vec![
        ('a', format!("example.com/{}@v1.0.0", long('a', 1 << 20))),
        ('b', format!("example.com/{}", long('b', 10 << 20))),
        (
            'c',
            serde_json::json!({"type": "route", "module": format!("example.com/{}", long('c', 1 << 20)), "version": "v1.0.0"}).to_string(),
        ),
        (
            'd',
            serde_json::json!({"type": "fetch", "module": "example.com/m", "version": "v1.0.0", "source": format!("https://{}.example", long('d', 1 << 20)), "zip_h1": "h1:x", "mod_h1": "h1:y", "attempts": [], "ok": true}).to_string(),
        ),
        (
            'e',
            serde_json::json!({"type": "dns", "host": format!("{}.example", long('e', 1 << 20)), "port": 443, "scheme": "https"}).to_string(),
        ),
        (
            'f',
            serde_json::json!({"type": "route", "module": "example.com/m", "version": "v1.0.0", "sumdb": {"url": format!("https://{}.example:9443", long('f', 1 << 20))}}).to_string(),
        ),
    ];
    for tool in TOOLS {
        let mut inputs = inputs.clone();
        if matches!(*tool, "gomod-dnscheck" | "gomod-tlscheck") {
            // A host name longer than a DNS name, though not longer than a target.
            inputs.push(('g', format!("{}.example.com:443", long('g', 600))));
        }
        let stdin: String = inputs.iter().map(|(_, line)| format!("{line}\n")).collect();
        let run = offline_sandbox().run_with_stdin(tool, &offline_args(tool), &stdin);
        assert!(!run.stderr.contains("panicked"), "{tool}: {}", run.stderr);
        // At most one small record for each input.
        assert!(
            run.stdout.len() < inputs.len() * 2048,
            "{tool} wrote {} bytes for {} bytes of input",
            run.stdout.len(),
            stdin.len()
        );
        for (c, _) in &inputs {
            let marker = c.to_string().repeat(64);
            let echoing: Vec<&str> = run.stdout.lines().filter(|l| l.contains(&marker)).collect();
            assert!(echoing.len() <= 1, "{tool} echoes {c:?} in several records");
            for line in echoing {
                assert!(
                    longest_run(line, *c) <= 200 && line.matches(&marker).count() <= 3,
                    "{tool} echoes {c:?} more than once or untruncated: {line}"
                );
                let record: serde_json::Value = serde_json::from_str(line).unwrap();
                assert_eq!(record["type"], "input_error", "{tool}: {line}");
            }
        }
    }
    // A go.sum line is input too.
    let sandbox = offline_sandbox();
    sandbox.write(
        "go.sum",
        &format!("example.com/{} v1.0.0 h1:abc=\n", long('h', 1 << 20)),
    );
    let run = sandbox.run("gomod-sumverify", &offline_args("gomod-sumverify"));
    assert!(run.stdout.len() < 2048, "{}", run.stdout.len());
    let record: serde_json::Value = serde_json::from_str(run.stdout.trim()).unwrap();
    assert_eq!(
        (&record["type"], &record["source"]),
        (
            &serde_json::json!("input_error"),
            &serde_json::json!("go.sum")
        )
    );
}

#[test]
fn garbage_lines_cost_a_bounded_amount_of_output() {
    use gomod_testsupport::dns::{DnsServer, Reply, handler};
    let server = DnsServer::start(
        std::net::SocketAddr::from((std::net::Ipv4Addr::LOCALHOST, 0)),
        handler(|_| Reply::rcode(3)),
    );
    // Host names of 300 to 1,000 bytes, each different: longer than any DNS name.
    let mut stdin = String::new();
    let lines = 500;
    for i in 0..lines {
        let len = 300 + (i * 7919) % 700;
        let mut name = format!("g{i}");
        while name.len() < len {
            name.push_str(".label");
        }
        stdin.push_str(&name);
        stdin.push('\n');
    }
    let server = server.addr().to_string();
    let run = Sandbox::new().run_with_stdin(
        "gomod-dnscheck",
        &["--no-system", "--server", &server],
        &stdin,
    );
    assert_eq!(run.stdout.lines().count(), lines, "{}", run.stderr);
    assert!(
        run.stdout.len() < lines * 1024,
        "{} bytes of output for {} bytes of input",
        run.stdout.len(),
        stdin.len()
    );
}

/// No Rust Debug escape (`\u{1b}`, `\u{a}`) reaches what the tools print: untrusted
/// text is escaped as Go escapes it, and go's own multi-line errors keep their lines.
#[test]
fn no_rust_escapes_reach_the_output() {
    let stdin = "example.com/\u{1b}[31mx@v1.0.0\nexample.com/\"q\"\u{202e}@v1\n\u{7}host.example\n{\"type\":\"route\",\"module\":\"a\\u0001b\",\"version\":\"v1\\n\"}\nhttps://h\u{0}x.example:44\u{1}3/\n";
    for tool in TOOLS {
        for format in ["json", "text"] {
            let sandbox = offline_sandbox();
            sandbox.write(
                "go.sum",
                "example.com/m v1.0.0 h1:abc\nbad \u{1b} line x y\n",
            );
            let mut args = offline_args(tool);
            args.extend(["--format", format]);
            let run = sandbox.run_with_stdin(tool, &args, stdin);
            for (what, text) in [("stdout", &run.stdout), ("stderr", &run.stderr)] {
                assert!(
                    !text.contains("\\u{"),
                    "{tool} --format {format} {what}: {text}"
                );
                // JSON strings may hold any character; what a terminal shows may not.
                if what == "stderr" || format == "text" {
                    assert!(
                        !text.contains('\u{1b}') && !text.contains('\u{202e}'),
                        "{tool} --format {format} {what}: {text}"
                    );
                }
            }
        }
    }
}
