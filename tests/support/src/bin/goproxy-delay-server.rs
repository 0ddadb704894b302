//! A GOPROXY server for benchmarks (bench/fetch.sh): serves a `GOPROXY=file://`
//! directory over HTTP on 127.0.0.1, after a fixed delay before every response.
//!
//!   goproxy-delay-server --dir DIR [--delay-ms MS] [--port PORT] [--ready-file F]
//!                        [--exit-on-eof]
//!   goproxy-delay-server --gen N --gen-dir DIR
//!
//! Serving: every connection gets TCP_NODELAY and HTTP/1.1 keep-alive, connections
//! are served concurrently, a missing file is 404. Once listening, the server prints
//! `http://127.0.0.1:PORT` on a line of its own and, with `--ready-file`, writes the
//! same line to F (written whole: to F.tmp, then renamed). It serves until killed;
//! with `--exit-on-eof`, also until standard input reaches end of file, so that a
//! benchmark which dies without cleaning up does not leave it running. On exit it
//! writes the number of requests it received to standard error.
//!
//! Generating: `--gen N --gen-dir DIR` writes N modules `example.com/bench/mNNN`
//! v1.0.0 as a GOPROXY tree in DIR/proxy and a main module requiring all of them in
//! DIR/main (go.mod, go.sum, main.go), then exits — or, with `--dir`, goes on to serve.

use std::io::{self, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use gomod_testsupport::goproxy::{GoProxy, write_bench};

const USAGE: &str = "usage: goproxy-delay-server --dir DIR [--delay-ms MS] [--port PORT] [--ready-file F] [--exit-on-eof]
       goproxy-delay-server --gen N --gen-dir DIR";

fn main() -> ExitCode {
    let mut dir: Option<PathBuf> = None;
    let mut delay = Duration::from_millis(50);
    let mut port: u16 = 0;
    let mut ready_file: Option<PathBuf> = None;
    let mut exit_on_eof = false;
    let mut gen_count: Option<usize> = None;
    let mut gen_dir: Option<PathBuf> = None;
    let mut args = std::env::args_os().skip(1);
    while let Some(arg) = args.next() {
        let Some(arg) = arg.to_str().map(str::to_string) else {
            return usage(&format!("unknown argument {arg:?}"));
        };
        let mut value = || args.next();
        match arg.as_str() {
            "--dir" => match value() {
                Some(v) => dir = Some(PathBuf::from(v)),
                None => return usage("--dir needs a directory"),
            },
            "--delay-ms" => match value().and_then(|v| v.to_str()?.parse::<u64>().ok()) {
                Some(ms) => delay = Duration::from_millis(ms),
                None => return usage("--delay-ms needs a number of milliseconds"),
            },
            "--port" => match value().and_then(|v| v.to_str()?.parse::<u16>().ok()) {
                Some(p) => port = p,
                None => return usage("--port needs a port number"),
            },
            "--ready-file" => match value() {
                Some(v) => ready_file = Some(PathBuf::from(v)),
                None => return usage("--ready-file needs a file name"),
            },
            "--exit-on-eof" => exit_on_eof = true,
            "--gen" => match value().and_then(|v| v.to_str()?.parse::<usize>().ok()) {
                Some(n) => gen_count = Some(n),
                None => return usage("--gen needs a number of modules"),
            },
            "--gen-dir" => match value() {
                Some(v) => gen_dir = Some(PathBuf::from(v)),
                None => return usage("--gen-dir needs a directory"),
            },
            "-h" | "--help" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            other => return usage(&format!("unknown argument {other:?}")),
        }
    }

    match (gen_count, &gen_dir) {
        (Some(n), Some(gen_dir)) => {
            if let Err(err) = write_bench(gen_dir, n) {
                eprintln!("goproxy-delay-server: writing {}: {err}", gen_dir.display());
                return ExitCode::FAILURE;
            }
        }
        (None, None) => {}
        _ => return usage("--gen and --gen-dir go together"),
    }
    let Some(dir) = dir else {
        if gen_count.is_some() {
            return ExitCode::SUCCESS;
        }
        return usage("give the directory to serve with --dir");
    };
    if !dir.is_dir() {
        return usage(&format!("{} is not a directory", dir.display()));
    }

    let server = match GoProxy::new()
        .dir(&dir)
        .delay(delay)
        .without_log()
        .start_at(port)
    {
        Ok(server) => server,
        Err(err) => {
            eprintln!("goproxy-delay-server: cannot listen on 127.0.0.1:{port}: {err}");
            return ExitCode::FAILURE;
        }
    };
    let line = format!("{}\n", server.url());
    if let Some(ready_file) = &ready_file
        && let Err(err) = write_whole(ready_file, &line)
    {
        eprintln!(
            "goproxy-delay-server: writing {}: {err}",
            ready_file.display()
        );
        return ExitCode::FAILURE;
    }
    print!("{line}");
    if io::stdout().flush().is_err() {
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
        "goproxy-delay-server: {} requests received",
        server.request_count()
    );
    ExitCode::SUCCESS
}

/// Writes `text` to `path` so that a reader never sees it half written.
fn write_whole(path: &std::path::Path, text: &str) -> io::Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    std::fs::write(&tmp, text)?;
    std::fs::rename(&tmp, path)
}

fn usage(problem: &str) -> ExitCode {
    eprintln!("goproxy-delay-server: {problem}\n{USAGE}");
    ExitCode::from(2)
}
