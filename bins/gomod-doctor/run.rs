//! The doctor's run: what to diagnose, the five tools in dependency order (the
//! independent ones side by side), the diagnosis, and its printing.

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use gomod_common::app::{self, Format, Output};
use gomod_common::doctor::goerr::{self, GoOutput};
use gomod_common::doctor::reason;
use gomod_common::doctor::report::{checklist, junit, report_line};
use gomod_common::doctor::steps::{self, Finished, Input};
use gomod_common::record::diagnosis::Step;
use gomod_common::record::{Record, Summary};

use crate::cli::{Cli, Command};

const TOOL: &str = "gomod-doctor";
/// The module whose route is checked when there is nothing else.
const DEFAULT_MODULE: &str = "golang.org/x/text@latest";
/// Most bytes of go output read from standard input or a file.
const MAX_GO_OUTPUT: u64 = 8 * 1024 * 1024;

/// Runs the doctor.
pub fn main(cli: Cli) -> ExitCode {
    if let Some(what) = cli.common.generate {
        return app::generate::<Command>(what);
    }
    let started = Instant::now();
    let output = Output::new(&cli.common);

    // What to diagnose.
    let mut go_text = String::new();
    for file in &cli.common.files {
        match read_limited(file) {
            Ok(text) => go_text.push_str(&text),
            Err(err) => {
                return app::fatal(TOOL, &err, Some("check the file name given with -f"));
            }
        }
    }
    let nothing_given =
        cli.targets.is_empty() && cli.modfiles.is_empty() && cli.common.files.is_empty();
    if nothing_given && !std::io::stdin().is_terminal() {
        match read_go_output(std::io::stdin().lock()) {
            Ok(text) => go_text.push_str(&text),
            Err(err) => {
                let err = gomod_common::oserr::errno_text(&err);
                return app::fatal(TOOL, &format!("reading standard input: {err}"), None);
            }
        }
    }
    let mut targets = cli.targets.clone();
    let mut modfiles = cli.modfiles.clone();
    let mut go_output: Option<GoOutput> = None;
    let mut input = if !modfiles.is_empty() {
        "go.mod".to_string()
    } else if !targets.is_empty() {
        "modules".to_string()
    } else {
        String::new()
    };
    if !go_text.trim().is_empty() {
        let (plain, rest) = split_plain_targets(&go_text);
        let parsed = goerr::parse(&rest);
        for f in &parsed.failures {
            if let Some(m) = &f.module {
                let target = match &f.version {
                    Some(v) => format!("{m}@{v}"),
                    None => m.clone(),
                };
                if !targets.contains(&target) {
                    targets.push(target);
                }
            }
        }
        for t in plain {
            if !targets.contains(&t) {
                targets.push(t);
            }
        }
        if input.is_empty() && !targets.is_empty() {
            input = "go output".to_string();
        }
        go_output = Some(parsed);
    }
    if targets.is_empty() && modfiles.is_empty() {
        if Path::new("go.mod").is_file() {
            modfiles.push(PathBuf::from("go.mod"));
            input = "go.mod".to_string();
        } else {
            targets.push(DEFAULT_MODULE.to_string());
            input = format!("default: {DEFAULT_MODULE} (no module given and no ./go.mod)");
        }
    } else if input.is_empty() {
        input = "go output".to_string();
    }

    // The flags every tool gets.
    let c = &cli.common;
    let timeout = humantime::format_duration(c.timeout)
        .to_string()
        .replace(' ', "");
    let connect = humantime::format_duration(c.connect_timeout)
        .to_string()
        .replace(' ', "");
    let target_deadline = humantime::format_duration(c.deadline)
        .to_string()
        .replace(' ', "");
    let common: Vec<String> = vec![
        "--format".into(),
        "json".into(),
        "--progress".into(),
        "never".into(),
        "-j".into(),
        c.jobs.to_string(),
        "--timeout".into(),
        timeout,
        "--connect-timeout".into(),
        connect,
        "--deadline".into(),
        target_deadline,
    ];
    let with = |extra: &[String]| -> Vec<String> {
        let mut args = common.clone();
        args.extend_from_slice(extra);
        args
    };
    let count = targets.len().max(1) + 200 * modfiles.len();
    let rounds = u32::try_from(count.div_ceil(usize::from(c.jobs))).unwrap_or(u32::MAX);
    let per_target = (c.timeout + c.connect_timeout).min(c.deadline);
    let deadline = per_target.saturating_mul(rounds.max(1)) + Duration::from_secs(30);

    // 1. Configuration and routes.
    let mut resolve_args = with(&["--env".to_string(), "--offline".to_string()]);
    for m in &modfiles {
        resolve_args.push("-m".into());
        resolve_args.push(m.display().to_string());
    }
    resolve_args.extend(targets.iter().cloned());
    let resolve = steps::start(
        "gomod-resolve",
        &resolve_args,
        Input::Nothing,
        None,
        deadline,
    )
    .finish();
    if resolve.lines.is_empty() {
        let why = resolve
            .problem
            .clone()
            .unwrap_or_else(|| "gomod-resolve wrote no record".to_string());
        return app::fatal(
            TOOL,
            &why,
            Some(
                "see gomod-resolve's own message above, or run it by hand with the same arguments",
            ),
        );
    }
    let routes: Vec<String> = resolve
        .lines
        .iter()
        .filter(|l| l.contains("\"type\":\"route\""))
        .cloned()
        .collect();
    let shown = |tool: &str, args: &[String]| steps::shell_line(tool, &shown_args(args, c));
    let resolve_line = shown("gomod-resolve", &resolve_args);

    // 2. DNS, TLS, fetch and the checksums, side by side.
    let mut dns_args = with(&[]);
    for s in &cli.servers {
        dns_args.push("--server".into());
        dns_args.push(s.clone());
    }
    for (flag, value) in [
        ("--resolv-conf", &cli.resolv_conf),
        ("--hosts", &cli.hosts),
        ("--nsswitch", &cli.nsswitch),
    ] {
        if let Some(v) = value {
            dns_args.push(flag.into());
            dns_args.push(v.display().to_string());
        }
    }
    let mut tls_args = with(&[]);
    if let Some(roots) = &cli.public_roots {
        tls_args.push("--public-roots".into());
        tls_args.push(roots.display().to_string());
    }
    let fetch_args = with(&[]);
    let mut sum_args = with(&[]);
    for m in &modfiles {
        let gosum = m.with_file_name("go.sum");
        if gosum.is_file() {
            sum_args.push("--gosum".into());
            sum_args.push(gosum.display().to_string());
        }
    }
    let (tx, rx) = mpsc::channel();
    let sum = steps::start(
        "gomod-sumverify",
        &sum_args,
        Input::Pipe(rx),
        None,
        deadline,
    );
    let fetch = steps::start(
        "gomod-fetch",
        &fetch_args,
        Input::Lines(routes.clone()),
        Some(tx),
        deadline,
    );
    let dns = steps::start(
        "gomod-dnscheck",
        &dns_args,
        Input::Lines(routes.clone()),
        None,
        deadline,
    );
    let tls = steps::start(
        "gomod-tlscheck",
        &tls_args,
        Input::Lines(routes),
        None,
        deadline,
    );
    let dns = dns.finish();
    let tls = tls.finish();
    let fetch = fetch.finish();
    let sum = sum.finish();

    // Every step's records, in a fixed order, and how to repeat it.
    let mut lines: Vec<String> = Vec::new();
    let mut steps_info: Vec<Step> = Vec::new();
    let runs: [(&Finished, String); 5] = [
        (&resolve, resolve_line.clone()),
        (
            &dns,
            format!("{resolve_line} | {}", shown("gomod-dnscheck", &dns_args)),
        ),
        (
            &tls,
            format!("{resolve_line} | {}", shown("gomod-tlscheck", &tls_args)),
        ),
        (
            &fetch,
            format!("{resolve_line} | {}", shown("gomod-fetch", &fetch_args)),
        ),
        (
            &sum,
            format!(
                "{resolve_line} | {} | {}",
                shown("gomod-fetch", &fetch_args),
                shown("gomod-sumverify", &sum_args)
            ),
        ),
    ];
    for (run, command) in runs {
        let first = lines.len();
        lines.extend(run.lines.iter().cloned());
        steps_info.push(Step {
            tool: run.tool.clone(),
            command,
            records: (lines.len() > first).then(|| [first, lines.len() - 1]),
            status: run.status,
            ms: u64::try_from(run.elapsed.as_millis()).unwrap_or(u64::MAX),
            problem: run.problem.clone(),
        });
    }
    let values: Vec<serde_json::Value> = lines
        .iter()
        .map(|l| serde_json::from_str(l).unwrap_or(serde_json::Value::Null))
        .collect();

    // 3. The diagnosis.
    let verdict = reason::diagnose(&values, go_output);
    let mut body = verdict.body;
    body.input = input;
    body.modules = values
        .iter()
        .filter(|v| v["type"] == "route")
        .filter_map(|v| {
            let m = v["module"].as_str()?;
            Some(match v["version"].as_str().or(v["query"].as_str()) {
                Some(q) => format!("{m}@{q}"),
                None => m.to_string(),
            })
        })
        .collect();
    body.steps = steps_info;
    let failed = verdict.error.is_some();
    let elapsed = started.elapsed();
    let record = Record::new(
        &body,
        verdict.error.clone(),
        verdict.warnings.clone(),
        elapsed,
    );
    let diagnosis_line = record.to_json_line(TOOL);

    // 4. The report file.
    if let Some(path) = &cli.report
        && let Err(err) = write_report(path, &values, &lines, &diagnosis_line)
    {
        return app::fatal(
            TOOL,
            &format!("cannot write the report {}: {err}", path.display()),
            Some("give a file name in a writable directory with --report"),
        );
    }

    // 5. The output.
    if !output.quiet {
        let mut text = String::new();
        match output.format {
            Format::Json => {
                for line in &lines {
                    text.push_str(line);
                    text.push('\n');
                }
                text.push_str(&diagnosis_line);
                text.push('\n');
                if cli.common.summary {
                    let summary = summarize(&values, &record);
                    text.push_str(
                        &Record::new(&summary, None, Vec::new(), Duration::ZERO).to_json_line(TOOL),
                    );
                    text.push('\n');
                }
            }
            Format::Text => {
                text = checklist(
                    &body,
                    verdict.error.as_ref(),
                    &verdict.warnings,
                    output.color,
                );
            }
            Format::Junit => {
                text = junit(
                    &body,
                    verdict.error.as_ref(),
                    u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX),
                );
            }
        }
        let mut out = std::io::stdout().lock();
        match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
            Ok(()) => {}
            Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => {}
            Err(err) => return app::fatal(TOOL, &format!("writing output: {err}"), None),
        }
    }
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// The arguments as a user would type them: without the flags that only say what is
/// the default into a pipe (`--format json --progress never`) and without `-j`,
/// `--timeout`, `--connect-timeout` and `--deadline` when they have their default values.
fn shown_args(args: &[String], c: &gomod_common::app::CommonArgs) -> Vec<String> {
    let defaults = [
        ("-j", c.jobs == app::DEFAULT_JOBS),
        ("--timeout", c.timeout == Duration::from_secs(60)),
        (
            "--connect-timeout",
            c.connect_timeout == Duration::from_secs(30),
        ),
        (
            "--deadline",
            app::parse_duration(gomod_common::net::bounds::DEFAULT_DEADLINE).ok()
                == Some(c.deadline),
        ),
        ("--format", true),
        ("--progress", true),
    ];
    let mut out = Vec::new();
    let mut i = 0;
    while i < args.len() {
        if i + 1 < args.len()
            && defaults
                .iter()
                .any(|(flag, default)| *default && args[i] == *flag)
        {
            i += 2;
            continue;
        }
        out.push(args[i].clone());
        i += 1;
    }
    out
}

/// Reads a file of go output, at most 8 MiB of it.
fn read_limited(path: &Path) -> Result<String, String> {
    let file =
        std::fs::File::open(path).map_err(|e| gomod_common::oserr::read_file_error(path, &e))?;
    read_go_output(file).map_err(|e| gomod_common::oserr::read_file_error(path, &e))
}

/// Reads go output, at most 8 MiB of it. Bytes that are not UTF-8 (a line cut by the
/// limit, another encoding) become U+FFFD rather than losing the whole input; more than
/// the limit is said on standard error, not dropped silently.
fn read_go_output(reader: impl Read) -> std::io::Result<String> {
    let mut bytes = Vec::new();
    reader.take(MAX_GO_OUTPUT + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_GO_OUTPUT {
        bytes.truncate(MAX_GO_OUTPUT as usize);
        eprintln!("{TOOL}: warning: go output longer than 8 MiB: only its first 8 MiB are read");
    }
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// Lines that are a plain target (`example.com/m@v1.2.3`, one word with a dot or a
/// slash and no colon) apart from the rest, which is go's output.
fn split_plain_targets(text: &str) -> (Vec<String>, String) {
    let mut plain = Vec::new();
    let mut rest = String::new();
    for line in text.lines() {
        let word = line.trim();
        let is_target = !word.is_empty()
            && !word.contains(char::is_whitespace)
            && !word.contains(':')
            && !word.starts_with('{')
            && (word.contains('.') || word.contains('/'))
            && word.len() <= 1024;
        if is_target {
            plain.push(word.to_string());
        } else {
            rest.push_str(line);
            rest.push('\n');
        }
    }
    (plain, rest)
}

/// The `--summary` record over the tools' records and the diagnosis.
fn summarize(values: &[serde_json::Value], diagnosis: &Record) -> Summary {
    let mut summary = Summary::default();
    for v in values {
        summary.records += 1;
        match v["error"]["code"].as_str() {
            None => summary.passed += 1,
            Some(code) => {
                summary.failed += 1;
                *summary.error_codes.entry(code.to_string()).or_default() += 1;
            }
        }
        for w in v["warnings"].as_array().into_iter().flatten() {
            if let Some(code) = w["code"].as_str() {
                *summary.warning_codes.entry(code.to_string()).or_default() += 1;
            }
        }
    }
    summary.add(diagnosis);
    summary
}

/// Writes the report: a header with the versions and the effective configuration,
/// every record, the diagnosis; each line through [`report_line`].
fn write_report(
    path: &Path,
    values: &[serde_json::Value],
    lines: &[String],
    diagnosis: &str,
) -> std::io::Result<()> {
    let env = values.iter().find(|v| v["type"] == "env");
    let header = serde_json::json!({
        "type": "report",
        "tool": TOOL,
        "v": gomod_common::record::SCHEMA_VERSION,
        "ts": gomod_common::record::rfc3339(std::time::SystemTime::now()),
        "versions": {
            "gomod-doctor": env!("CARGO_PKG_VERSION"),
            "go": env.map(|e| e["go"].clone()).unwrap_or(serde_json::Value::Null),
        },
        "command": std::env::args()
            .map(|a| steps::shell_quote(&a))
            .collect::<Vec<_>>()
            .join(" "),
        "configuration": env.map(|e| e["vars"].clone()).unwrap_or(serde_json::Value::Null),
        "records": lines.len(),
    });
    let mut text = report_line(&header.to_string());
    text.push('\n');
    for line in lines {
        text.push_str(&report_line(line));
        text.push('\n');
    }
    text.push_str(&report_line(diagnosis));
    text.push('\n');
    std::fs::write(path, text)
}
