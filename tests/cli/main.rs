//! The integration tests: the built tools driven with assert_cmd in a controlled
//! environment, their output decoded into typed records (unknown fields fail).
//! Every server a test needs runs on 127.0.0.1 (gomod-testsupport); nothing else is
//! contacted.

mod conns;
mod discovery;
mod dns_interop;
mod dnscheck;
mod docs;
mod doctor;
mod doctor_causes;
mod doctor_goerr_interop;
mod fetch;
mod fetch_direct;
mod fetch_errors_interop;
mod fetch_git;
mod fetch_interop;
mod fetch_retract;
mod goauth;
mod h2_interop;
mod hello_interop;
mod hostile;
mod interop;
mod io;
mod pipes;
mod readme;
mod records;
mod resolve;
mod secrets;
mod sumdb_proxy_interop;
mod sumverify;
mod sumverify_interop;
mod terminal;
mod tls_interop;
mod tlscheck;
mod toolchain;
mod toolchain_interop;
mod x509_interop;

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use records::Record;

/// A scratch HOME and a process environment built from nothing: no variable of the
/// machine running the tests reaches the tool unless a test sets it.
pub struct Sandbox {
    dir: tempfile::TempDir,
    env: Vec<(String, String)>,
}

impl Default for Sandbox {
    fn default() -> Self {
        Sandbox::new()
    }
}

impl Sandbox {
    /// HOME in a fresh directory, an empty PATH (so no Go is found), and a trust store
    /// that is empty unless the test sets SSL_CERT_FILE.
    pub fn new() -> Sandbox {
        let dir = tempfile::tempdir().expect("temp dir");
        let home = dir.path().join("home");
        std::fs::create_dir_all(&home).unwrap();
        let empty_certs = dir.path().join("no-certs");
        std::fs::create_dir_all(&empty_certs).unwrap();
        let env = vec![
            ("HOME".to_string(), home.display().to_string()),
            ("PATH".to_string(), String::new()),
            (
                "SSL_CERT_FILE".to_string(),
                dir.path().join("no-such-bundle.pem").display().to_string(),
            ),
            (
                "SSL_CERT_DIR".to_string(),
                empty_certs.display().to_string(),
            ),
        ];
        Sandbox { dir, env }
    }

    /// The variables passed to commands.
    pub fn vars(&self) -> &[(String, String)] {
        &self.env
    }

    /// The sandbox directory.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// The sandbox's HOME.
    pub fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    /// Sets (or replaces) a variable.
    pub fn env(mut self, key: &str, value: &str) -> Sandbox {
        self.env.retain(|(k, _)| k != key);
        self.env.push((key.to_string(), value.to_string()));
        self
    }

    /// Removes a variable.
    pub fn without(mut self, key: &str) -> Sandbox {
        self.env.retain(|(k, _)| k != key);
        self
    }

    /// Writes the user's go env file at its default location.
    pub fn go_env_file(self, content: &str) -> Sandbox {
        let file = self.home().join(".config/go/env");
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(&file, content).unwrap();
        self
    }

    /// Writes a file in the sandbox and returns its path.
    pub fn write(&self, name: &str, content: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(&path, content).unwrap();
        path
    }

    /// A command for `tool` with exactly this environment.
    pub fn command(&self, tool: &str) -> Command {
        let mut cmd = Command::cargo_bin(tool).unwrap_or_else(|e| panic!("{tool}: {e}"));
        cmd.env_clear();
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        cmd.current_dir(self.dir.path());
        cmd.timeout(std::time::Duration::from_secs(60));
        cmd
    }

    /// Runs `tool` with `args` under script(1), so that its standard output and error
    /// are one terminal (TERM=xterm unless the sandbox sets TERM); returns the exit
    /// status and, as `stdout`, everything the terminal was sent, both streams in the
    /// order written; None (after saying so) when there is no script(1) to make a
    /// terminal.
    pub fn run_on_terminal(&self, tool: &str, args: &[&str]) -> Option<Run> {
        let Some(script) = ["/usr/bin/script", "/bin/script"]
            .into_iter()
            .find(|p| Path::new(p).exists())
        else {
            gomod_testsupport::skip::skip(
                gomod_testsupport::skip::Need::Script,
                "no script(1) (util-linux) to make a terminal",
                "",
            );
            return None;
        };
        let bin = assert_cmd::cargo::cargo_bin(tool);
        let quote = |word: &str| format!("'{}'", word.replace('\'', r"'\''"));
        let mut line = quote(&bin.display().to_string());
        for arg in args {
            line.push(' ');
            line.push_str(&quote(arg));
        }
        let mut cmd = std::process::Command::new(script);
        cmd.env_clear()
            .env("SHELL", "/bin/sh")
            .env("TERM", "xterm")
            .current_dir(self.dir.path());
        for (key, value) in &self.env {
            cmd.env(key, value);
        }
        let shown = cmd
            .args(["-qec", &line, "/dev/null"])
            .stdin(std::process::Stdio::null())
            .output()
            .expect("run script");
        Some(Run {
            status: shown.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&shown.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&shown.stderr).into_owned(),
        })
    }

    /// Runs `tool` with `args` and no stdin.
    pub fn run(&self, tool: &str, args: &[&str]) -> Run {
        self.run_with_stdin(tool, args, "")
    }

    /// Runs `tool` with `args`, feeding `stdin`.
    pub fn run_with_stdin(&self, tool: &str, args: &[&str], stdin: &str) -> Run {
        self.run_with_stdin_bytes(tool, args, stdin.as_bytes())
    }

    /// Runs `tool` with `args`, feeding `stdin`, bytes that need not be UTF-8.
    pub fn run_with_stdin_bytes(&self, tool: &str, args: &[&str], stdin: &[u8]) -> Run {
        let output = self
            .command(tool)
            .args(args)
            .write_stdin(stdin.to_vec())
            .output()
            .expect("run tool");
        Run::from(output)
    }
}

/// The outcome of one run.
pub struct Run {
    pub status: i32,
    pub stdout: String,
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(output: Output) -> Run {
        Run {
            status: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
            stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
        }
    }
}

impl Run {
    /// Every stdout line decoded as a record.
    pub fn records(&self) -> Vec<Record> {
        self.stdout.lines().map(Record::parse).collect()
    }

    /// The single route record of the run.
    pub fn route(&self) -> records::RouteRecord {
        let mut records = self.records();
        assert_eq!(
            records.len(),
            1,
            "one record expected:\n{}\nstderr: {}",
            self.stdout,
            self.stderr
        );
        records.remove(0).route()
    }

    /// Every record, which must all be routes.
    pub fn routes(&self) -> Vec<records::RouteRecord> {
        self.records().into_iter().map(Record::route).collect()
    }
}
