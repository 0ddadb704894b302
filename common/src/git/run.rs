//! Running `git` as the go command runs it (Go 1.27 `modfetch/codehost.Run` and
//! `modload.Init`): the process environment with `GIT_TERMINAL_PROMPT=0` and
//! `GCM_INTERACTIVE=never` added where the user has not set them, `GIT_DIR` set to the
//! work directory, standard input empty, standard output and error collected; a failure
//! is Go's `RunError`, displayed as Go displays it (`git ARGS in DIR: exit status
//! 128:\n\t<stderr>`).
//!
//! Unlike the go command, every command here is bounded by `--timeout` and by the
//! probe's `--deadline`, whichever ends first (the process group is killed when it
//! expires: git's helpers, ssh and remote-curl go with it), keeps a bounded part of
//! its output ([`MAX_STDOUT`], [`MAX_STDERR`]), and runs in
//! a session of its own, without a controlling terminal, so that nothing (ssh's host-key
//! or passphrase question included) can wait for an answer from the user. Go 1.27 sets no
//! `GIT_SSH_COMMAND`: ssh there may ask on the terminal; here it fails as it does in CI.
//! Every command is recorded ([`CommandRecord`]) with its arguments (credentials in URLs
//! redacted), directory, exit status, time and git's last error line.

use std::cell::Cell;
use std::ffi::OsString;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use crate::record::{scrub_credentials, untrusted};

/// The most of standard output kept (a module zip's limit, plus one byte).
pub const MAX_STDOUT: usize = (crate::modzip::MAX_ZIP_FILE as usize) + 1;

/// The most of standard error kept (Go keeps all of it; its text is what matters).
const MAX_STDERR: usize = 64 << 10;

thread_local! {
    /// The deadline of the probe this thread works for, and its length ([`within`]).
    static DEADLINE: Cell<Option<(Instant, Duration)>> = const { Cell::new(None) };
}

/// Runs `f` on this (blocking) thread with the probe's deadline `bounds` (from
/// [`crate::net::bounds::probe_deadline`], taken on the probe's task): every command
/// `f` runs ends by then.
pub fn within<T>(bounds: Option<(Instant, Duration)>, f: impl FnOnce() -> T) -> T {
    let before = DEADLINE.with(|d| d.replace(bounds));
    let out = f();
    DEADLINE.with(|d| d.set(before));
    out
}

/// One command as it was run, for the record.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CommandRecord {
    /// The arguments, `git` first; credentials in URLs redacted.
    pub argv: Vec<String>,
    /// The directory it ran in.
    pub cwd: String,
    /// Its exit status; None when it was killed, timed out or could not start.
    pub exit: Option<i32>,
    /// Wall time.
    pub ms: u64,
    /// The last line git wrote to standard error when it failed (escaped, limited).
    pub error_line: Option<String>,
    /// Killed at the time limit.
    pub timed_out: bool,
}

/// Why a command failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Failure {
    /// It exited with this status.
    Exit(i32),
    /// It was ended by this signal.
    Signal(i32),
    /// The program is not on PATH.
    NotFound,
    /// It did not finish within the limit and was killed (the go command would still
    /// be waiting).
    Timeout(Duration),
    /// The probe's `--deadline` (of this length) passed while it ran, or before it
    /// could start; it was killed or never started.
    Deadline(Duration),
    /// It could not be started for another reason (Go's text).
    Start(String),
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Exit(code) => write!(f, "exit status {code}"),
            Failure::Signal(sig) => write!(f, "signal: {}", signal_name(*sig)),
            Failure::NotFound => f.write_str("exec: \"git\": executable file not found in $PATH"),
            Failure::Timeout(d) => write!(
                f,
                "no answer within {} (killed; the go command would still be waiting)",
                humantime::format_duration(*d)
            ),
            Failure::Deadline(limit) => f.write_str(&crate::net::bounds::deadline_text_of(*limit)),
            Failure::Start(text) => f.write_str(text),
        }
    }
}

/// Go's names for the signals that end git (`syscall.Signal.String`).
fn signal_name(sig: i32) -> String {
    match sig {
        libc::SIGKILL => "killed".to_string(),
        libc::SIGTERM => "terminated".to_string(),
        libc::SIGINT => "interrupt".to_string(),
        libc::SIGSEGV => "segmentation fault".to_string(),
        libc::SIGABRT => "aborted".to_string(),
        libc::SIGPIPE => "broken pipe".to_string(),
        other => format!("signal {other}"),
    }
}

/// A failed command: Go's `codehost.RunError`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunError {
    /// The arguments, `git` first (credentials redacted).
    pub argv: Vec<String>,
    /// The directory it ran in.
    pub dir: String,
    /// Why it failed.
    pub failure: Failure,
    /// What it wrote to standard error.
    pub stderr: String,
    /// Go's help text added after the error (for `could not read Username`).
    pub help: Option<String>,
}

impl RunError {
    /// Go's text with `dir` as the directory named (the go command's own work
    /// directory, which differs from the one the command ran in here) and `argv`
    /// replacing the arguments when given.
    pub fn go_text(&self, dir: &str, argv: Option<&[String]>) -> String {
        let argv = argv.unwrap_or(&self.argv);
        let mut text = format!("{} in {dir}: {}", argv.join(" "), self.failure);
        let stderr = self.stderr.trim_end_matches('\n');
        if !stderr.is_empty() {
            text.push_str(":\n\t");
            text.push_str(&stderr.replace('\n', "\n\t"));
        }
        if let Some(help) = &self.help {
            text.push('\n');
            text.push_str(help);
        }
        text
    }

    /// git's first error line (the cause, where git adds lines after it), if it
    /// wrote one.
    pub fn first_line(&self) -> Option<&str> {
        self.stderr
            .lines()
            .map(|l| l.trim_end_matches('\r'))
            .find(|l| !l.trim().is_empty())
    }

    /// git's last error line (`fatal: ...`), if it wrote one.
    pub fn last_line(&self) -> Option<&str> {
        self.stderr
            .lines()
            .map(|l| l.trim_end_matches('\r'))
            .rev()
            .find(|l| !l.trim().is_empty())
    }
}

impl std::fmt::Display for RunError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.go_text(&self.dir, None))
    }
}

impl std::error::Error for RunError {}

/// Runs git with the go command's environment and records every command.
#[derive(Clone, Debug)]
pub struct Runner {
    /// The git found on PATH, or None.
    program: Option<PathBuf>,
    /// PATH, to find the other programs git runs (ssh and its tools).
    path: Option<OsString>,
    /// The program's name in records (`git`, or `ssh`... for [`Runner::run_program`]).
    name: String,
    /// Variables added to the process environment.
    env: Vec<(OsString, OsString)>,
    /// Limit for each command.
    pub timeout: Duration,
    log: Arc<Mutex<Vec<CommandRecord>>>,
    /// What `git version` said, asked once for the run ([`Runner::version`]).
    version: Arc<OnceLock<Result<Vec<u8>, RunError>>>,
}

impl Runner {
    /// A runner for git as found on `path` (the value of PATH), with the go command's
    /// additions to `environment` (the process environment).
    pub fn new(
        path: Option<&std::ffi::OsStr>,
        environment: &crate::goenv::Environment,
        timeout: Duration,
    ) -> Runner {
        let program = path.and_then(|p| {
            std::env::split_paths(p)
                .map(|d| d.join("git"))
                .find(|f| is_executable(f))
        });
        let mut env = Vec::new();
        // modload.Init: only where the user has set nothing.
        if environment.get("GIT_TERMINAL_PROMPT").is_empty() {
            env.push(("GIT_TERMINAL_PROMPT".into(), "0".into()));
        }
        if environment.get("GCM_INTERACTIVE").is_empty() {
            env.push(("GCM_INTERACTIVE".into(), "never".into()));
        }
        Runner {
            program,
            path: path.map(OsString::from),
            name: "git".to_string(),
            env,
            timeout,
            log: Arc::default(),
            version: Arc::default(),
        }
    }

    /// The output of `git version`, run in `dir` the first time any runner sharing
    /// this one's settings asks (and recorded in that runner's log only). The go
    /// command asks for every repository it creates; the answer cannot change during
    /// a run, and one process less per repository is a good part of a direct fetch.
    /// A run stopped by --timeout or a probe's deadline answered nothing and is not
    /// kept: the next repository asks again, with its own time.
    pub fn version(&self, dir: &Path) -> Result<Vec<u8>, RunError> {
        if let Some(known) = self.version.get() {
            return known.clone();
        }
        let result = self.run(dir, None, &["version"]);
        let answered = !matches!(
            &result,
            Err(e) if matches!(e.failure, Failure::Timeout(_) | Failure::Deadline(_))
        );
        if answered {
            let _ = self.version.set(result.clone());
        }
        result
    }

    /// Where git is, when it is installed.
    pub fn program(&self) -> Option<&Path> {
        self.program.as_deref()
    }

    /// The variables the go command adds to git's environment, as `NAME=value`.
    pub fn added_env(&self) -> Vec<String> {
        self.env
            .iter()
            .map(|(k, v)| format!("{}={}", k.to_string_lossy(), v.to_string_lossy()))
            .collect()
    }

    /// A runner sharing this one's settings with an empty log of its own.
    pub fn fresh_log(&self) -> Runner {
        Runner {
            log: Arc::default(),
            ..self.clone()
        }
    }

    /// The commands run so far.
    pub fn commands(&self) -> Vec<CommandRecord> {
        self.log.lock().map(|l| l.clone()).unwrap_or_default()
    }

    /// Runs `git ARGS` in `dir` with `GIT_DIR=git_dir` when given; returns standard
    /// output, or Go's `RunError`.
    pub fn run(
        &self,
        dir: &Path,
        git_dir: Option<&Path>,
        args: &[&str],
    ) -> Result<Vec<u8>, RunError> {
        self.run_with(dir, git_dir, args, &[])
    }

    /// [`Runner::run`] with more environment variables (`extra`).
    pub fn run_with(
        &self,
        dir: &Path,
        git_dir: Option<&Path>,
        args: &[&str],
        extra: &[(&str, &str)],
    ) -> Result<Vec<u8>, RunError> {
        let mut argv = vec![self.name.clone()];
        argv.extend(args.iter().map(|a| scrub_credentials(a)));
        let started = Instant::now();
        let mut record = CommandRecord {
            argv: argv.clone(),
            cwd: dir.display().to_string(),
            ..CommandRecord::default()
        };
        let result = self.execute(self.program.as_deref(), dir, git_dir, args, extra, &[]);
        record.ms = started.elapsed().as_millis() as u64;
        let outcome = match result {
            Ok((status, stdout, stderr)) => match status {
                Ok(()) => {
                    record.exit = Some(0);
                    Ok(stdout)
                }
                Err(failure) => Err((failure, stderr)),
            },
            Err(failure) => Err((failure, Vec::new())),
        };
        let outcome = outcome.map_err(|(failure, stderr)| {
            if let Failure::Exit(code) = failure {
                record.exit = Some(code);
            }
            record.timed_out = matches!(failure, Failure::Timeout(_) | Failure::Deadline(_));
            let stderr = scrub_credentials(&String::from_utf8_lossy(&stderr));
            let err = RunError {
                argv,
                dir: dir.display().to_string(),
                failure,
                stderr,
                help: None,
            };
            record.error_line = err.last_line().map(|l| untrusted(l, 500));
            err
        });
        if let Ok(mut log) = self.log.lock() {
            log.push(record);
        }
        outcome
    }

    /// Runs another program found on PATH (`ssh`, `ssh-keyscan`...) as git would run
    /// it, with the same environment, session and time limit; recorded like git's.
    pub fn run_program(&self, name: &str, dir: &Path, args: &[&str]) -> Result<Vec<u8>, RunError> {
        let found = self.path.as_ref().and_then(|p| {
            std::env::split_paths(p)
                .map(|d| d.join(name))
                .find(|f| is_executable(f))
        });
        let other = Runner {
            program: found,
            name: name.to_string(),
            log: Arc::clone(&self.log),
            ..self.clone()
        };
        other.run(dir, None, args)
    }

    /// Runs `program` (a name looked up on PATH, or a path with a `/` in it, as Go's
    /// `exec.Command` finds it) in `dir` with `input` on its standard input, in the same
    /// environment, session and time limit as git; not recorded. Returns standard output
    /// and standard error, or the failure (whose `stderr` is kept, credentials
    /// replaced).
    pub fn run_input(
        &self,
        program: &str,
        dir: &Path,
        args: &[&str],
        input: &[u8],
    ) -> Result<(Vec<u8>, Vec<u8>), RunError> {
        let found = if program.contains('/') {
            Some(PathBuf::from(program)).filter(|p| is_executable(p))
        } else {
            self.path.as_ref().and_then(|p| {
                std::env::split_paths(p)
                    .map(|d| d.join(program))
                    .find(|f| is_executable(f))
            })
        };
        let fail = |failure: Failure, stderr: &[u8]| RunError {
            argv: vec![program.to_string()],
            dir: dir.display().to_string(),
            failure,
            stderr: scrub_credentials(&String::from_utf8_lossy(stderr)),
            help: None,
        };
        match self.execute(found.as_deref(), dir, None, args, &[], input) {
            Ok((Ok(()), stdout, stderr)) => Ok((stdout, stderr)),
            Ok((Err(failure), _, stderr)) => Err(fail(failure, &stderr)),
            Err(failure) => Err(fail(failure, &[])),
        }
    }

    /// Starts `program` (git; None: not installed) and waits for it within the time
    /// limit, `input` written to its standard input (none: empty): `Ok((status,
    /// stdout, stderr))` once it ended, `Err` when it could not start.
    #[allow(clippy::type_complexity)]
    fn execute(
        &self,
        program: Option<&Path>,
        dir: &Path,
        git_dir: Option<&Path>,
        args: &[&str],
        extra: &[(&str, &str)],
        input: &[u8],
    ) -> Result<(Result<(), Failure>, Vec<u8>, Vec<u8>), Failure> {
        let program = program.ok_or(Failure::NotFound)?;
        // The command's limit: --timeout, or what is left of the probe's deadline.
        let (wait, expired) = match DEADLINE.with(Cell::get) {
            Some((deadline, limit)) => {
                let left = deadline.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    return Err(Failure::Deadline(limit));
                }
                if left < self.timeout {
                    (left, Failure::Deadline(limit))
                } else {
                    (self.timeout, Failure::Timeout(self.timeout))
                }
            }
            None => (self.timeout, Failure::Timeout(self.timeout)),
        };
        let mut env = self.env.clone();
        if let Some(git_dir) = git_dir {
            env.push(("GIT_DIR".into(), git_dir.into()));
        }
        env.extend(extra.iter().map(|(k, v)| ((*k).into(), (*v).into())));
        let child =
            super::spawn::spawn(program, args, dir, &env, !input.is_empty()).map_err(|e| {
                Failure::Start(format!(
                    "fork/exec {}: {}",
                    program.display(),
                    crate::oserr::errno_text(&e)
                ))
            })?;
        let pid = child.pid;
        if let Some(mut stdin) = child.stdin {
            let input = input.to_vec();
            // On a thread of its own: a program that does not read must not block us.
            std::thread::spawn(move || {
                let _ = std::io::Write::write_all(&mut stdin, &input);
            });
        }
        let out = reader(child.stdout, MAX_STDOUT);
        let err = reader(child.stderr, MAX_STDERR);
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let _ = tx.send(super::spawn::wait(pid));
        });
        let status = match rx.recv_timeout(wait) {
            Ok(status) => status,
            Err(_) => {
                // SAFETY: kill(2) on the process group the child leads (it called
                // setsid), which only this runner created.
                unsafe {
                    libc::kill(-pid, libc::SIGKILL);
                }
                let _ = rx.recv();
                let stdout = out.join().unwrap_or_default();
                let stderr = err.join().unwrap_or_default();
                return Ok((Err(expired), stdout, stderr));
            }
        };
        // Helpers git left behind (a backgrounded ssh) must not keep the pipes open.
        // SAFETY: as above; the group may be gone already, which kill reports harmlessly.
        unsafe {
            libc::kill(-pid, libc::SIGKILL);
        }
        let stdout = out.join().unwrap_or_default();
        let stderr = err.join().unwrap_or_default();
        let status = status.map_err(|e| Failure::Start(crate::oserr::errno_text(&e)))?;
        use std::os::unix::process::ExitStatusExt;
        let result = match (status.code(), status.signal()) {
            (Some(0), _) => Ok(()),
            (Some(code), _) => Err(Failure::Exit(code)),
            (None, Some(sig)) => Err(Failure::Signal(sig)),
            (None, None) => Err(Failure::Start("unknown exit status".to_string())),
        };
        Ok((result, stdout, stderr))
    }
}

/// Reads a pipe to its end on a thread of its own, keeping at most `limit` bytes.
fn reader(mut pipe: impl Read + Send + 'static, limit: usize) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        // Grown as the output comes (most are a line or two); what is past the
        // limit is read and dropped, so that the program is never blocked writing.
        let mut kept = Vec::new();
        let _ = (&mut pipe).take(limit as u64).read_to_end(&mut kept);
        let _ = std::io::copy(&mut pipe, &mut std::io::sink());
        kept
    })
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata()
        .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_errors_read_as_go_writes_them() {
        let err = RunError {
            argv: vec![
                "git".into(),
                "ls-remote".into(),
                "-q".into(),
                "origin".into(),
            ],
            dir: "/here".into(),
            failure: Failure::Exit(128),
            stderr: "fatal: one\nfatal: two\n".into(),
            help: Some("Confirm.".into()),
        };
        assert_eq!(
            err.go_text("/gocache/vcs/abc", None),
            "git ls-remote -q origin in /gocache/vcs/abc: exit status 128:\n\tfatal: one\n\tfatal: two\nConfirm."
        );
        assert_eq!(err.last_line(), Some("fatal: two"));
        let bare = RunError {
            stderr: String::new(),
            help: None,
            failure: Failure::Signal(libc::SIGKILL),
            ..err
        };
        assert_eq!(
            bare.to_string(),
            "git ls-remote -q origin in /here: signal: killed"
        );
    }

    #[test]
    fn git_version_is_kept_once_answered_but_not_after_a_timeout() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let git = dir.path().join("git");
        let count = dir.path().join("count");
        let write_git = |body: &str| {
            // Written to a new file and renamed: a running old script keeps its inode.
            let tmp = dir.path().join("git.new");
            std::fs::write(
                &tmp,
                format!("#!/bin/sh\necho x >> '{}'\n{body}\n", count.display()),
            )
            .unwrap();
            std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o755)).unwrap();
            std::fs::rename(&tmp, &git).unwrap();
        };
        let runs = || {
            std::fs::read_to_string(&count)
                .unwrap_or_default()
                .lines()
                .count()
        };
        let env = crate::goenv::Environment::from_pairs([("PATH", dir.path().to_str().unwrap())]);
        write_git("exec sleep 30");
        let runner = Runner::new(
            Some(dir.path().as_os_str()),
            &env,
            Duration::from_millis(300),
        );
        let slow = runner.version(dir.path()).unwrap_err();
        assert!(matches!(slow.failure, Failure::Timeout(_)), "{slow:?}");
        write_git("echo 'git version 2.47.3'");
        // A fresh log shares the answer: asked again after the timeout, then kept.
        let other = runner.fresh_log();
        assert_eq!(other.version(dir.path()).unwrap(), b"git version 2.47.3\n");
        assert_eq!(runner.version(dir.path()).unwrap(), b"git version 2.47.3\n");
        assert_eq!(runs(), 2);
        assert_eq!(other.commands().len(), 1);
        assert_eq!(
            runner.commands().len(),
            1,
            "the timed-out run is the only one in this log"
        );
    }
}
