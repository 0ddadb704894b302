//! A checksum database for benchmarks: a log of generated records, every answer
//! delayed.
//!
//!   sumdb-delay-server [--records N] [--delay-ms MS] [--ready-file FILE]
//!                      [--gosum FILE] [--exit-on-eof]
//!   sumdb-delay-server --from-gosum FILE [--delay-ms MS] [--ready-file FILE] [--exit-on-eof]
//!
//! Record `i` (0 ≤ i < N, default 1000000) holds the go.sum lines of
//! `example.com/bench/m<i, 7 digits>` at `v1.0.0`, whose hashes are `h1:` and the
//! base64 of SHA-256 of `<module> v1.0.0` (and of `<module> v1.0.0/go.mod`), so a
//! benchmark can compute them; `--gosum FILE` also writes all of them to FILE.
//! With `--from-gosum FILE`, the log instead holds one record for each module version
//! in that go.sum (a database that agrees with it, for a module proxy's real modules).
//! The log is signed with the sumdb fixture's key (name `sumdb.fixture.test`).
//!
//! Listens on 127.0.0.1 (a free port), prints one JSON line
//! `{"url","name","vkey","gosumdb","tree_size"}` (also written to `--ready-file` once
//! listening, like the Go fixture's `-ready-file`) and serves until killed; with
//! `--exit-on-eof`, also until standard input reaches end of file. On exit it writes the
//! number of requests it answered to standard error.

use std::io::{self, Read, Write};
use std::process::ExitCode;
use std::time::Duration;

use gomod_testsupport::sumdb::{SumdbServer, generated_record};

const USAGE: &str = "usage: sumdb-delay-server [--records N | --from-gosum FILE] [--delay-ms MS] [--ready-file FILE] [--gosum FILE] [--exit-on-eof]";

fn main() -> ExitCode {
    let mut records: usize = 1_000_000;
    let mut delay = Duration::from_millis(50);
    let mut ready_file = None;
    let mut gosum_file = None;
    let mut from_gosum = None;
    let mut exit_on_eof = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--records" => match args.next().and_then(|v| v.parse().ok()) {
                Some(n) => records = n,
                None => return usage("--records needs a number"),
            },
            "--delay-ms" => match args.next().and_then(|v| v.parse::<u64>().ok()) {
                Some(ms) => delay = Duration::from_millis(ms),
                None => return usage("--delay-ms needs a number of milliseconds"),
            },
            "--ready-file" => match args.next() {
                Some(path) => ready_file = Some(path),
                None => return usage("--ready-file needs a file name"),
            },
            "--gosum" => match args.next() {
                Some(path) => gosum_file = Some(path),
                None => return usage("--gosum needs a file name"),
            },
            "--from-gosum" => match args.next() {
                Some(path) => from_gosum = Some(path),
                None => return usage("--from-gosum needs a file name"),
            },
            "--exit-on-eof" => exit_on_eof = true,
            "-h" | "--help" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            other => return usage(&format!("unknown argument {other:?}")),
        }
    }

    if from_gosum.is_some() && gosum_file.is_some() {
        return usage("--from-gosum and --gosum do not go together");
    }
    if let Some(path) = &gosum_file {
        let mut lines = String::new();
        for i in 0..records {
            lines.push_str(&generated_record(i));
        }
        if let Err(err) = std::fs::write(path, lines) {
            eprintln!("sumdb-delay-server: cannot write {path}: {err}");
            return ExitCode::FAILURE;
        }
    }

    let server = match &from_gosum {
        Some(path) => match std::fs::read_to_string(path) {
            Ok(text) => SumdbServer::from_gosum(&text, delay),
            Err(err) => {
                eprintln!("sumdb-delay-server: cannot read {path}: {err}");
                return ExitCode::FAILURE;
            }
        },
        None => SumdbServer::generated(records, delay),
    };
    let ready = format!(
        "{{\"url\":\"{url}\",\"name\":\"{name}\",\"vkey\":\"{vkey}\",\"gosumdb\":\"{vkey} {url}\",\"tree_size\":{size}}}\n",
        url = server.url(),
        name = server.name(),
        vkey = server.vkey(),
        size = server.tree_size(),
    );
    print!("{ready}");
    if io::stdout().flush().is_err() {
        return ExitCode::FAILURE;
    }
    if let Some(path) = &ready_file
        && let Err(err) = std::fs::write(path, &ready)
    {
        eprintln!("sumdb-delay-server: cannot write {path}: {err}");
        return ExitCode::FAILURE;
    }

    if exit_on_eof {
        let mut sink = [0u8; 256];
        let mut stdin = io::stdin().lock();
        while matches!(stdin.read(&mut sink), Ok(n) if n > 0) {}
    } else {
        loop {
            std::thread::park();
        }
    }
    eprintln!(
        "sumdb-delay-server: {} requests answered",
        server.paths().len()
    );
    ExitCode::SUCCESS
}

fn usage(problem: &str) -> ExitCode {
    eprintln!("sumdb-delay-server: {problem}\n{USAGE}");
    ExitCode::from(2)
}
