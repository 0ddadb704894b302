//! A git origin for benchmarks and experiments (bench/direct.sh): the repositories
//! under a directory served over git's smart HTTP protocol (`git http-backend`) on
//! 127.0.0.1 after a fixed delay before every answer, and a CONNECT proxy that plays
//! every host name over TLS (certificates from a test CA) and answers go-get pages
//! pointing at those repositories.
//!
//!   git-origin-server --root DIR [--delay-ms MS] [--gen N] [--ready-file F]
//!                     [--private REPO:USER:PASSWORD]... [--upload-pack]
//!
//! With `--gen N`, first makes N repositories `DIR/bench/mNNN`, each the module
//! `example.com/bench/mNNN` tagged v1.0.0, and a main module in `DIR/main` requiring
//! all of them. Once listening, it writes `DIR/ca.pem` (the CA to trust: SSL_CERT_FILE)
//! and prints `ORIGIN_URL PROXY_URL` on a line of its own (also written whole to F);
//! `--private` makes the repositories under `DIR/REPO` demand basic authentication;
//! `--upload-pack` answers with `git upload-pack` run directly instead of through
//! `git http-backend` (two processes fewer per request: see `Backend::UploadPack`);
//! then it serves until standard input reaches end of file. On exit it writes the number
//! of requests the origin answered to standard error.

use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use gomod_testsupport::git::{Backend, GitOrigin, OriginOptions, TestRepo, go_get_page_for};
use gomod_testsupport::{ConnectMode, ConnectProxy, TestCa};

const USAGE: &str = "usage: git-origin-server --root DIR [--delay-ms MS] [--gen N] [--ready-file F]
       [--private REPO:USER:PASSWORD]... [--upload-pack]";

fn main() -> ExitCode {
    let mut root: Option<PathBuf> = None;
    let mut delay = Duration::from_millis(50);
    let mut gen_count = 0usize;
    let mut ready_file: Option<PathBuf> = None;
    let mut private = Vec::new();
    let mut backend = Backend::HttpBackend;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next();
        match arg.as_str() {
            "--root" => match value() {
                Some(v) => root = Some(PathBuf::from(v)),
                None => return usage("--root needs a directory"),
            },
            "--delay-ms" => match value().and_then(|v| v.parse::<u64>().ok()) {
                Some(ms) => delay = Duration::from_millis(ms),
                None => return usage("--delay-ms needs a number of milliseconds"),
            },
            "--gen" => match value().and_then(|v| v.parse::<usize>().ok()) {
                Some(n) => gen_count = n,
                None => return usage("--gen needs a number of modules"),
            },
            "--ready-file" => match value() {
                Some(v) => ready_file = Some(PathBuf::from(v)),
                None => return usage("--ready-file needs a file name"),
            },
            "--private" => match value().and_then(|v| {
                let mut parts = v.splitn(3, ':').map(str::to_string);
                Some((parts.next()?, parts.next()?, parts.next()?))
            }) {
                Some(entry) => private.push(entry),
                None => return usage("--private needs REPO:USER:PASSWORD"),
            },
            "--upload-pack" => backend = Backend::UploadPack,
            "-h" | "--help" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            other => return usage(&format!("unknown argument {other:?}")),
        }
    }
    let Some(root) = root else {
        return usage("give the directory of the repositories with --root");
    };
    if let Err(err) = std::fs::create_dir_all(&root) {
        eprintln!("git-origin-server: {}: {err}", root.display());
        return ExitCode::FAILURE;
    }
    if gen_count > 0 {
        generate(&root, gen_count);
    }
    let origin = GitOrigin::start(
        &root,
        OriginOptions {
            delay,
            private,
            backend,
        },
    );
    let ca = Arc::new(TestCa::new("git-origin-server CA"));
    ca.write_pem(&root, "ca.pem");
    let proxy = ConnectProxy::start(
        ConnectMode::Tunnel,
        Arc::clone(&ca),
        go_get_page_for(&root, &origin.url()),
    );
    let line = format!("{} http://{}\n", origin.url(), proxy.host_port());
    if let Some(ready) = &ready_file {
        let tmp = ready.with_extension("tmp");
        if std::fs::write(&tmp, &line)
            .and_then(|()| std::fs::rename(&tmp, ready))
            .is_err()
        {
            eprintln!("git-origin-server: cannot write {}", ready.display());
            return ExitCode::FAILURE;
        }
    }
    print!("{line}");
    let _ = io::stdout().flush();
    let mut sink = [0u8; 256];
    let mut stdin = io::stdin().lock();
    while matches!(stdin.read(&mut sink), Ok(n) if n > 0) {}
    eprintln!(
        "git-origin-server: {} requests answered",
        origin.request_count()
    );
    ExitCode::SUCCESS
}

/// N one-version modules and a main module requiring them all.
fn generate(root: &Path, n: usize) {
    let mut require = String::new();
    for i in 0..n {
        let name = format!("bench/m{i:03}");
        let module = format!("example.com/{name}");
        let repo = TestRepo::init(&root.join(&name));
        let go_mod = format!("module {module}\n\ngo 1.21\n");
        let source = format!("package m{i:03}\n\nconst N = {i}\n");
        repo.commit(
            &[
                ("go.mod", go_mod.as_bytes()),
                ("m.go", source.as_bytes()),
                ("LICENSE", b"MIT\n"),
            ],
            "v1",
        );
        repo.tag("v1.0.0");
        require.push_str(&format!("\t{module} v1.0.0\n"));
    }
    let main = root.join("main");
    std::fs::create_dir_all(&main).expect("main module directory");
    std::fs::write(
        main.join("go.mod"),
        format!("module example.com/main\n\ngo 1.21\n\nrequire (\n{require})\n"),
    )
    .expect("write go.mod");
}

fn usage(problem: &str) -> ExitCode {
    eprintln!("git-origin-server: {problem}\n{USAGE}");
    ExitCode::from(2)
}
