//! A git origin for tests: repositories made with the real `git` in a temporary
//! directory ([`TestRepo`]), served over git's smart HTTP protocol by `git
//! http-backend` run as a CGI program behind a loopback HTTP server ([`GitOrigin`]),
//! and go-get pages pointing at them ([`go_get_page_for`]).
//!
//! The origin can add a delay before every answer (for benchmarks), demand basic
//! authentication for some repositories (401 with `WWW-Authenticate`, as a private
//! Git server does), and records every request. Tests that need it skip when `git` (or
//! its `http-backend`) is not installed: see [`git_available`].

use std::collections::HashMap;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

use crate::{ConnectionServer, Log, Mode, Request, Response, Running, handler};

/// Whether `git` and its `http-backend` can be run; when not, prints why (the caller
/// skips its test visibly).
pub fn git_available() -> bool {
    let ok = Command::new("git")
        .args(["http-backend", "--help"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok();
    let exec_path = Command::new("git")
        .arg("--exec-path")
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()));
    let backend = exec_path.is_some_and(|p| p.join("git-http-backend").is_file());
    if !(ok && backend) {
        crate::skip::skip(crate::skip::Need::Git, "no git with git-http-backend", "");
        return false;
    }
    true
}

/// The environment every git command of the test side runs with: no system or user
/// configuration, fixed names.
fn isolated(cmd: &mut Command, home: &Path) {
    cmd.env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("HOME", home)
        .env("GIT_AUTHOR_NAME", "Test")
        .env("GIT_AUTHOR_EMAIL", "test@example.com")
        .env("GIT_COMMITTER_NAME", "Test")
        .env("GIT_COMMITTER_EMAIL", "test@example.com")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE");
}

/// A repository with a work tree, made and changed with the real `git`. Commit times
/// are fixed (one minute apart from 2024-01-01), so commits, pseudo-versions and zips
/// are the same on every run.
pub struct TestRepo {
    /// The work tree (its `.git` is what the origin serves).
    pub dir: PathBuf,
    commits: AtomicU64,
}

impl TestRepo {
    /// `git init` at `dir` (created), branch `main`.
    ///
    /// # Panics
    /// If git fails.
    pub fn init(dir: &Path) -> TestRepo {
        std::fs::create_dir_all(dir).expect("create the repository directory");
        let repo = TestRepo {
            dir: dir.to_path_buf(),
            commits: AtomicU64::new(0),
        };
        repo.git(&["init", "-q", "-b", "main"]);
        repo
    }

    /// Runs git in the work tree and returns its standard output.
    ///
    /// # Panics
    /// If git fails.
    pub fn git(&self, args: &[&str]) -> String {
        let n = self.commits.load(Ordering::SeqCst);
        let date = format!("{} +0000", 1_704_067_200 + n * 60);
        let mut cmd = Command::new("git");
        cmd.args(args).current_dir(&self.dir);
        isolated(&mut cmd, &self.dir);
        cmd.env("GIT_AUTHOR_DATE", &date)
            .env("GIT_COMMITTER_DATE", &date);
        let out = cmd.output().expect("run git");
        assert!(
            out.status.success(),
            "git {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// Writes files (creating directories), `git add -A`, commits; returns the commit.
    ///
    /// # Panics
    /// If a file cannot be written or git fails.
    pub fn commit(&self, files: &[(&str, &[u8])], message: &str) -> String {
        for (name, content) in files {
            let path = self.dir.join(name);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).expect("create directories");
            }
            std::fs::write(&path, content).expect("write a file");
        }
        self.commits.fetch_add(1, Ordering::SeqCst);
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "--allow-empty", "-m", message]);
        self.git(&["rev-parse", "HEAD"])
    }

    /// A symbolic link in the work tree (committed with the next commit).
    ///
    /// # Panics
    /// If it cannot be made.
    pub fn symlink(&self, name: &str, target: &str) {
        std::os::unix::fs::symlink(target, self.dir.join(name)).expect("symlink");
    }

    /// Removes files from the work tree (committed with the next commit).
    pub fn remove(&self, names: &[&str]) {
        for name in names {
            let _ = std::fs::remove_file(self.dir.join(name));
        }
    }

    /// A lightweight tag on HEAD.
    pub fn tag(&self, name: &str) {
        self.git(&["tag", name]);
    }

    /// An annotated tag on HEAD.
    pub fn annotated_tag(&self, name: &str) {
        self.git(&["tag", "-a", "-m", name, name]);
    }

    /// The commit time of HEAD, as seconds since the epoch.
    pub fn head_time(&self) -> i64 {
        self.git(&["log", "-1", "--format=%ct"])
            .parse()
            .expect("a time")
    }
}

/// Settings of a [`GitOrigin`].
#[derive(Clone, Default)]
pub struct OriginOptions {
    /// Added before every answer.
    pub delay: Duration,
    /// Repositories (first path element under the root) that demand basic
    /// authentication with this user and password.
    pub private: Vec<(String, String, String)>,
    /// What answers git's requests.
    pub backend: Backend,
}

/// The server side of git's smart HTTP protocol a [`GitOrigin`] runs for each request.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Backend {
    /// `git http-backend` as a CGI program: git's own server, headers and all (the
    /// tests' origin).
    #[default]
    HttpBackend,
    /// `git upload-pack --stateless-rpc`, the program behind it, run directly as
    /// hosted origins run it behind their own front ends: two processes fewer per
    /// request (the `git` wrapper and `git-http-backend`), so that a benchmark's origin
    /// takes less of the cores its client runs on. Fetching only: no push, no dumb
    /// HTTP.
    UploadPack,
}

/// A running origin; stops when dropped.
pub struct GitOrigin {
    server: Running,
    count: Arc<AtomicU64>,
}

struct OriginState {
    root: PathBuf,
    options: OriginOptions,
    log: Log,
    count: Arc<AtomicU64>,
}

impl GitOrigin {
    /// Serves every repository under `root` (`root/a/b` at `/a/b`) on 127.0.0.1, a
    /// free port.
    ///
    /// # Panics
    /// If no port can be bound.
    pub fn start(root: &Path, options: OriginOptions) -> GitOrigin {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        GitOrigin::start_on(listener, root, options)
    }

    /// Like [`GitOrigin::start`], on 127.0.0.1:`port`.
    pub fn start_at(port: u16, root: &Path, options: OriginOptions) -> io::Result<GitOrigin> {
        let listener = std::net::TcpListener::bind(("127.0.0.1", port))?;
        Ok(GitOrigin::start_on(listener, root, options))
    }

    fn start_on(listener: std::net::TcpListener, root: &Path, options: OriginOptions) -> GitOrigin {
        let log = Log::default();
        let count = Arc::new(AtomicU64::new(0));
        let state = Arc::new(OriginState {
            root: root.to_path_buf(),
            options,
            log: Arc::clone(&log),
            count: Arc::clone(&count),
        });
        let serve: ConnectionServer = Arc::new(move |stream| {
            let state = Arc::clone(&state);
            Box::pin(async move {
                let _ = serve_connection(stream, state).await;
            })
        });
        let server = crate::start_on(
            listener,
            Mode::Connection(serve),
            handler(|_| Response::new(500, Vec::new())),
            log,
        );
        GitOrigin { server, count }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.server.addr)
    }

    /// `127.0.0.1:PORT`.
    pub fn host_port(&self) -> String {
        self.server.addr.to_string()
    }

    /// Every request seen so far, as [`Request::line`]s.
    pub fn lines(&self) -> Vec<String> {
        self.server.lines()
    }

    /// Every request seen so far.
    pub fn requests(&self) -> Vec<Request> {
        self.server.requests()
    }

    /// How many requests were answered.
    pub fn request_count(&self) -> u64 {
        self.count.load(Ordering::SeqCst)
    }
}

/// A handler for go-get pages (`?go-get=1`) that claims, for a request of
/// `/a/b/c`, the longest prefix `a/b` that is a repository under `root`:
/// `<host>/a/b git <origin>/a/b`. Other requests get 404.
pub fn go_get_page_for(root: &Path, origin: &str) -> crate::Handler {
    let root = root.to_path_buf();
    let origin = origin.to_string();
    handler(move |r: &Request| {
        if !r.target.contains("go-get=1") {
            return Response::text(404, "not found");
        }
        let host = r.host.split(':').next().unwrap_or("").to_string();
        let path = r.path().trim_matches('/');
        let mut best = None;
        let mut prefix = String::new();
        for element in path.split('/') {
            if !prefix.is_empty() {
                prefix.push('/');
            }
            prefix.push_str(element);
            if root.join(&prefix).join(".git").exists() {
                best = Some(prefix.clone());
            }
        }
        match best {
            Some(p) => Response::html(&crate::go_import_page(
                &format!("{host}/{p}"),
                "git",
                &format!("{origin}/{p}"),
            )),
            None => Response::text(404, "no repository"),
        }
    })
}

async fn serve_connection(stream: TcpStream, state: Arc<OriginState>) -> io::Result<()> {
    let _ = stream.set_nodelay(true);
    let mut reader = BufReader::new(stream);
    loop {
        let mut head = Vec::new();
        loop {
            let mut line = Vec::new();
            if reader.read_until(b'\n', &mut line).await? == 0 {
                return Ok(());
            }
            head.extend_from_slice(&line);
            if line == b"\r\n" || line == b"\n" {
                break;
            }
            if head.len() > 64 * 1024 {
                return Ok(());
            }
        }
        let request = crate::parse_head(&head, "http");
        if let Ok(mut log) = state.log.lock() {
            log.push(request.clone());
        }
        if request
            .headers
            .get("expect")
            .is_some_and(|e| e.eq_ignore_ascii_case("100-continue"))
        {
            reader
                .get_mut()
                .write_all(b"HTTP/1.1 100 Continue\r\n\r\n")
                .await?;
        }
        let body = read_body(&mut reader, &request.headers).await?;
        if !state.options.delay.is_zero() {
            tokio::time::sleep(state.options.delay).await;
        }
        let response = {
            let state = Arc::clone(&state);
            tokio::task::spawn_blocking(move || answer(&state, &request, body))
                .await
                .unwrap_or_else(|_| Response::new(500, Vec::new()))
        };
        state.count.fetch_add(1, Ordering::SeqCst);
        crate::write_response(reader.get_mut(), &response).await?;
    }
}

async fn read_body<R: AsyncBufReadExt + Unpin>(
    reader: &mut R,
    headers: &HashMap<String, String>,
) -> io::Result<Vec<u8>> {
    let mut body = Vec::new();
    if headers
        .get("transfer-encoding")
        .is_some_and(|t| t.eq_ignore_ascii_case("chunked"))
    {
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).await?;
            let size = usize::from_str_radix(line.trim().split(';').next().unwrap_or(""), 16)
                .map_err(|_| io::Error::other("bad chunk size"))?;
            if size == 0 {
                let mut end = String::new();
                while reader.read_line(&mut end).await? > 0 && end.trim() != "" {
                    end.clear();
                }
                break;
            }
            let start = body.len();
            body.resize(start + size, 0);
            reader.read_exact(&mut body[start..]).await?;
            let mut crlf = [0u8; 2];
            reader.read_exact(&mut crlf).await?;
        }
    } else if let Some(len) = headers
        .get("content-length")
        .and_then(|l| l.parse::<usize>().ok())
    {
        body.resize(len, 0);
        reader.read_exact(&mut body).await?;
    }
    Ok(body)
}

/// Basic credentials `user:password` from an Authorization header.
fn basic_credentials(request: &Request) -> Option<String> {
    use base64::Engine;
    let value = request.headers.get("authorization")?;
    let encoded = value.strip_prefix("Basic ")?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    String::from_utf8(decoded).ok()
}

fn answer(state: &OriginState, request: &Request, body: Vec<u8>) -> Response {
    let path = request.path().to_string();
    let first = path.trim_start_matches('/').split('/').next().unwrap_or("");
    for (repo, user, password) in &state.options.private {
        if first == repo && basic_credentials(request) != Some(format!("{user}:{password}")) {
            return Response::text(401, "Authentication required")
                .header("WWW-Authenticate", "Basic realm=\"git\"");
        }
    }
    let query = request.target.split_once('?').map(|(_, q)| q).unwrap_or("");
    if state.options.backend == Backend::UploadPack {
        return upload_pack(state, request, &path, query, body);
    }
    let mut cmd = Command::new("git");
    cmd.arg("http-backend");
    isolated(&mut cmd, &state.root);
    cmd.env("GIT_PROJECT_ROOT", &state.root)
        .env("GIT_HTTP_EXPORT_ALL", "1")
        .env("PATH_INFO", &path)
        .env("QUERY_STRING", query)
        .env("REQUEST_METHOD", &request.method)
        .env("REMOTE_ADDR", "127.0.0.1")
        .env("SERVER_PROTOCOL", "HTTP/1.1")
        .env("CONTENT_LENGTH", body.len().to_string());
    for (header, var) in [
        ("content-type", "CONTENT_TYPE"),
        ("content-encoding", "HTTP_CONTENT_ENCODING"),
        ("git-protocol", "GIT_PROTOCOL"),
    ] {
        if let Some(value) = request.headers.get(header) {
            cmd.env(var, value);
        }
    }
    match run_with_input(cmd, &body) {
        Some(out) => cgi_response(&out.stdout),
        None => Response::text(500, "cannot run git http-backend"),
    }
}

/// Runs `cmd` with `input` on its standard input; its output, or None when it could not
/// be started or waited for.
fn run_with_input(mut cmd: Command, input: &[u8]) -> Option<std::process::Output> {
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().ok()?;
    if let Some(mut stdin) = child.stdin.take() {
        // The program may stop reading early; its answer says what went wrong.
        let _ = stdin.write_all(input);
    }
    child.wait_with_output().ok()
}

/// The two smart HTTP requests of a fetch answered by `git upload-pack` as
/// `git http-backend` runs it: `GET REPO/info/refs?service=git-upload-pack` (the
/// advertisement, after the `# service=` line unless the client asked for protocol
/// version 2) and `POST REPO/git-upload-pack`.
fn upload_pack(
    state: &OriginState,
    request: &Request,
    path: &str,
    query: &str,
    body: Vec<u8>,
) -> Response {
    let advertise =
        request.method == "GET" && query.split('&').any(|q| q == "service=git-upload-pack");
    let repo = match request.method.as_str() {
        "GET" if advertise => path.strip_suffix("/info/refs"),
        "POST" => path.strip_suffix("/git-upload-pack"),
        _ => None,
    };
    let Some(repo) = repo.filter(|r| !r.split('/').any(|e| e == "..")) else {
        return Response::text(404, "not found");
    };
    let dir = state.root.join(repo.trim_start_matches('/'));
    if !dir.is_dir() {
        return Response::text(404, "no repository");
    }
    let body = if request
        .headers
        .get("content-encoding")
        .is_some_and(|e| e.contains("gzip"))
    {
        let mut plain = Vec::new();
        if std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&body[..]), &mut plain)
            .is_err()
        {
            return Response::text(400, "bad gzip body");
        }
        plain
    } else {
        body
    };
    let protocol = request.headers.get("git-protocol");
    let mut cmd = Command::new("git");
    cmd.args(["upload-pack", "--stateless-rpc"]);
    if advertise {
        cmd.arg("--advertise-refs");
    }
    cmd.arg(&dir);
    isolated(&mut cmd, &state.root);
    if let Some(protocol) = protocol {
        cmd.env("GIT_PROTOCOL", protocol);
    }
    let Some(out) = run_with_input(cmd, &body) else {
        return Response::text(500, "cannot run git upload-pack");
    };
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        return Response::text(500, &format!("git upload-pack: {}", err.trim()));
    }
    let (kind, mut answer) = if advertise {
        let mut head = Vec::new();
        if !protocol.is_some_and(|p| p.split(':').any(|v| v == "version=2")) {
            head.extend_from_slice(b"001e# service=git-upload-pack\n0000");
        }
        ("advertisement", head)
    } else {
        ("result", Vec::new())
    };
    answer.extend_from_slice(&out.stdout);
    Response::new(200, answer)
        .header(
            "Content-Type",
            &format!("application/x-git-upload-pack-{kind}"),
        )
        .header("Cache-Control", "no-cache")
}

/// A CGI program's output as a response: `Status:` and the other headers, then the
/// body.
fn cgi_response(out: &[u8]) -> Response {
    let (head, body) = match find(out, b"\r\n\r\n") {
        Some(i) => (&out[..i], &out[i + 4..]),
        None => match find(out, b"\n\n") {
            Some(i) => (&out[..i], &out[i + 2..]),
            None => return Response::text(500, "no CGI header"),
        },
    };
    let mut response = Response::new(200, body.to_vec());
    for line in String::from_utf8_lossy(head).lines() {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        if name.eq_ignore_ascii_case("status") {
            let code = value.split(' ').next().and_then(|c| c.parse().ok());
            response.status = code.unwrap_or(500);
            response.reason = value.split_once(' ').map_or("", |(_, r)| r).to_string();
        } else {
            response = response.header(name.trim(), value);
        }
    }
    response
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Keeps the git-side state of a fixture alive: the origin and the directory.
pub struct Fixture {
    /// The origin serving `root`.
    pub origin: GitOrigin,
    /// Where the repositories are.
    pub root: PathBuf,
    /// Owner of `root`.
    _dir: Mutex<Option<tempfile_dir::TempDir>>,
}

mod tempfile_dir {
    //! A directory removed when dropped (the support crate does not depend on
    //! tempfile outside its tests).
    use std::path::{Path, PathBuf};

    /// A directory removed (with everything in it) when dropped.
    pub struct TempDir(PathBuf);

    impl TempDir {
        /// A new empty directory under the system temporary directory.
        pub fn new(tag: &str) -> std::io::Result<TempDir> {
            static N: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
            let n = N.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let dir =
                std::env::temp_dir().join(format!("gomod-git-{tag}-{}-{n}", std::process::id()));
            std::fs::create_dir_all(&dir)?;
            Ok(TempDir(dir))
        }

        /// Its path.
        pub fn path(&self) -> &Path {
            &self.0
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::process::Command::new("chmod")
                .args(["-R", "u+w"])
                .arg(&self.0)
                .status();
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

impl Fixture {
    /// A fresh directory for repositories and an origin serving it.
    ///
    /// # Panics
    /// If the directory cannot be made.
    pub fn new(options: OriginOptions) -> Fixture {
        let dir = tempfile_dir::TempDir::new("origin").expect("temporary directory");
        let root = dir.path().to_path_buf();
        let origin = GitOrigin::start(&root, options);
        Fixture {
            origin,
            root,
            _dir: Mutex::new(Some(dir)),
        }
    }

    /// A new repository served at `/<name>`.
    pub fn repo(&self, name: &str) -> TestRepo {
        TestRepo::init(&self.root.join(name))
    }
}
