//! Go's own checksum database, live: the project's `sumdbserver` (x/mod's
//! `sumdb.Server` over an in-memory log, tests/fixtures/go/sumdbserver) and the GOPROXY
//! directory that `mkproxy` (x/mod's zip code, tests/fixtures/go/mkproxy) makes from the
//! module sources in tests/fixtures/sumdb/modsrc, both built with the newest go against
//! golang.org/x/mod. The interop tests run the go command and our tools against the same
//! server; the client tests check the recordings in tests/fixtures/sumdb against it.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

use crate::go::{build_in_gopath, newest_go, require_xmod};

/// How long a starting server may take to write its ready file: generous, for a
/// loaded machine; a server that exits fails the wait at once.
const START_TIMEOUT: Duration = Duration::from_secs(120);

/// The Go programs' sources.
fn programs_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/go")
}

/// The module sources mkproxy turns into the GOPROXY directory.
pub fn module_sources() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/sumdb/modsrc")
}

/// The built programs, the GOPROXY directory and its go.sum lines.
#[derive(Debug)]
pub struct GoSumdb {
    /// The checksum-database server.
    pub server: PathBuf,
    /// A `GOPROXY=file://` directory holding the five module versions of modsrc.
    pub proxy: PathBuf,
    /// Their correct go.sum lines, as mkproxy printed them.
    pub good: String,
}

impl GoSumdb {
    /// The programs, built once per test process (and kept in `scratch`, cargo's
    /// `CARGO_TARGET_TMPDIR`, per go version, source and x/mod: a build with a fresh
    /// GOCACHE takes most of a minute); None when there is no go1.27+ or no x/mod: the
    /// test is skipped (or fails, under GOMOD_REQUIRE_GO).
    pub fn get(scratch: &Path) -> Option<&'static GoSumdb> {
        let go = newest_go()?;
        let xmod = require_xmod(&go, scratch)?;
        static BUILT: OnceLock<GoSumdb> = OnceLock::new();
        Some(BUILT.get_or_init(|| GoSumdb::build(&go, &xmod, scratch)))
    }

    fn build(go: &Path, xmod: &Path, scratch: &Path) -> GoSumdb {
        let kept = scratch.join(format!("go-sumdb-{}", build_key(go, xmod)));
        if !kept.join("good.gosum").is_file() {
            let work = scratch.join(format!(
                "go-sumdb-build-{}-{:?}",
                std::process::id(),
                std::thread::current().id()
            ));
            let _ = std::fs::remove_dir_all(&work);
            let out = work.join("out");
            std::fs::create_dir_all(&out).expect("make the build directory");
            for program in ["sumdbserver", "mkproxy"] {
                build_in_gopath(
                    go,
                    xmod,
                    &programs_dir().join(program),
                    &out.join(program),
                    &work,
                );
            }
            let made = Command::new(out.join("mkproxy"))
                .arg("-src")
                .arg(module_sources())
                .arg("-out")
                .arg(out.join("proxy"))
                .output()
                .expect("run mkproxy");
            assert!(
                made.status.success(),
                "mkproxy failed: {}",
                String::from_utf8_lossy(&made.stderr)
            );
            // good.gosum last: its presence means that all is there.
            std::fs::write(out.join("good.gosum"), &made.stdout).expect("write good.gosum");
            // Another test process may have kept the same build meanwhile: either is right.
            let _ = std::fs::rename(&out, &kept);
            // The build cache is large and not needed again (the module cache, if go
            // made one, is read-only).
            let _ = Command::new("chmod")
                .args(["-R", "u+w"])
                .arg(&work)
                .status();
            let _ = std::fs::remove_dir_all(&work);
        }
        GoSumdb {
            server: kept.join("sumdbserver"),
            proxy: kept.join("proxy"),
            good: std::fs::read_to_string(kept.join("good.gosum")).expect("read good.gosum"),
        }
    }

    /// Starts the server on 127.0.0.1 (any free port) with the go.sum-syntax `records`
    /// and more server flags (`-filler-before 300`, `-tamper-lookup M@V`, ...; see
    /// tests/fixtures/go/sumdbserver). Its files (records, ready file, log) go in `work`.
    pub fn start(&self, work: &Path, records: &str, flags: &[&str]) -> GoSumdbServer {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let data = work.join(format!("records-{n}.gosum"));
        let ready = work.join(format!("ready-{n}.json"));
        let log = work.join(format!("sumdbserver-{n}.log"));
        std::fs::write(&data, records).expect("write the records");
        let child = Command::new(&self.server)
            .args(["-port", "0", "-ready-file"])
            .arg(&ready)
            .arg("-data")
            .arg(&data)
            .args(flags)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).expect("create the server's log"))
            .spawn()
            .expect("start sumdbserver");
        let mut server = GoSumdbServer {
            child,
            url: String::new(),
            gosumdb: String::new(),
            tree_size: 0,
        };
        let started = Instant::now();
        // The server writes the file whole and renames it into place.
        while !ready.is_file() {
            let exited = server.child.try_wait().expect("wait for sumdbserver");
            let log = || std::fs::read_to_string(&log).unwrap_or_default();
            assert!(
                exited.is_none(),
                "sumdbserver exited ({exited:?}): {}",
                log()
            );
            assert!(
                started.elapsed() < START_TIMEOUT,
                "sumdbserver did not start in {START_TIMEOUT:?}: {}",
                log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        let info = std::fs::read_to_string(&ready).expect("read the ready file");
        let field = |key: &str| {
            let rest = info
                .split(&format!("\"{key}\":"))
                .nth(1)
                .unwrap_or_else(|| panic!("no {key} in the ready file: {info}"));
            match rest.strip_prefix('"') {
                Some(quoted) => quoted.split('"').next().unwrap_or_default().to_string(),
                None => rest
                    .split([',', '}'])
                    .next()
                    .unwrap_or_default()
                    .to_string(),
            }
        };
        server.url = field("url");
        server.gosumdb = field("gosumdb");
        server.tree_size = field("tree_size").parse().expect("tree_size");
        server
    }
}

/// A name for one build: go's version, the programs' sources and where x/mod is.
fn build_key(go: &Path, xmod: &Path) -> String {
    let mut key = Sha256::new();
    let version = Command::new(go)
        .arg("version")
        .env("GOTOOLCHAIN", "local")
        .output()
        .expect("go version")
        .stdout;
    key.update(&version);
    for source in ["sumdbserver/main.go", "mkproxy/main.go"] {
        key.update(std::fs::read(programs_dir().join(source)).expect("read a Go program"));
        key.update([0]);
    }
    let xmod_source = xmod.join("src/golang.org/x/mod").canonicalize();
    key.update(
        xmod_source
            .unwrap_or_default()
            .as_os_str()
            .as_encoded_bytes(),
    );
    // The module sources change the proxy directory and go.sum lines.
    let mut files = Vec::new();
    collect_files(&module_sources(), &mut files);
    files.sort();
    for file in files {
        key.update(file.as_os_str().as_encoded_bytes());
        key.update([0]);
        key.update(std::fs::read(&file).expect("read a module source"));
        key.update([0]);
    }
    let digest = key.finalize();
    digest[..8].iter().map(|b| format!("{b:02x}")).collect()
}

/// Every file under `dir`.
fn collect_files(dir: &Path, files: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read the module sources") {
        let path = entry.expect("read the module sources").path();
        if path.is_dir() {
            collect_files(&path, files);
        } else {
            files.push(path);
        }
    }
}

/// A running sumdbserver; killed when dropped.
#[derive(Debug)]
pub struct GoSumdbServer {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    /// `<vkey> <url>`: the GOSUMDB value that reaches it directly.
    pub gosumdb: String,
    /// The number of records in its log.
    pub tree_size: i64,
}

impl GoSumdbServer {
    /// GETs `path` (`latest`, `lookup/...`, `tile/...`): the status and the body.
    pub fn get(&self, path: &str) -> (u16, Vec<u8>) {
        let host = self.url.strip_prefix("http://").expect("an http URL");
        let mut conn = std::net::TcpStream::connect(host).expect("connect to sumdbserver");
        // HTTP/1.0: the server closes the connection after the body, never chunks it.
        write!(conn, "GET /{path} HTTP/1.0\r\nHost: {host}\r\n\r\n").expect("send");
        let mut answer = Vec::new();
        conn.read_to_end(&mut answer).expect("read the answer");
        let split = answer
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .expect("an HTTP answer");
        let head = String::from_utf8_lossy(&answer[..split]);
        let status = head
            .split_whitespace()
            .nth(1)
            .and_then(|code| code.parse().ok())
            .expect("a status code");
        (status, answer[split + 4..].to_vec())
    }
}

impl Drop for GoSumdbServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
