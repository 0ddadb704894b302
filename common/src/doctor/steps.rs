//! Running the five tools as subprocesses, the way a user would chain them by hand:
//! each with the user's environment and `--format json`, fed on standard input, its
//! records read line by line from standard output (unchanged: they are the evidence),
//! each bounded in time. Independent tools run at the same time; a tool that reads
//! another's records gets them as they come (`gomod-fetch | gomod-sumverify`).

use std::io::{BufRead, BufReader, Read, Write};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::record::scrub_credentials;

/// Longest record line kept from a tool (a longer one is cut and will not parse).
const MAX_LINE: usize = 4 * 1024 * 1024;
/// Most standard error kept from a tool.
const MAX_STDERR: u64 = 64 * 1024;

/// Where a tool's standard input comes from.
pub enum Input {
    /// Nothing (standard input is closed at once).
    Nothing,
    /// These lines.
    Lines(Vec<String>),
    /// Lines as another tool writes them.
    Pipe(mpsc::Receiver<String>),
}

/// The path of a sibling tool: next to this executable, else the name (found on PATH).
pub fn locate(tool: &str) -> PathBuf {
    if let Ok(me) = std::env::current_exe()
        && let Some(dir) = me.parent()
    {
        let sibling = dir.join(tool);
        if sibling.is_file() {
            return sibling;
        }
    }
    PathBuf::from(tool)
}

/// A tool started by [`start`].
pub struct Running {
    tool: String,
    started: Instant,
    child: Option<Child>,
    spawn_error: Option<String>,
    deadline: Duration,
    reader: Option<JoinHandle<Vec<String>>>,
    writer: Option<JoinHandle<()>>,
    stderr: Option<JoinHandle<String>>,
}

/// What a tool run gave.
#[derive(Debug, Default)]
pub struct Finished {
    /// The tool's name.
    pub tool: String,
    /// Its record lines, as printed.
    pub lines: Vec<String>,
    /// Its exit status; None when it was stopped or never ran.
    pub status: Option<i32>,
    /// Wall time.
    pub elapsed: Duration,
    /// Why it did not finish normally.
    pub problem: Option<String>,
    /// What it wrote on standard error (cut to 64 KiB, credentials scrubbed).
    pub stderr: String,
}

/// Starts `tool` with `args` and `input`; `tee` receives each record line as it is
/// read (for the next tool in a pipe). The tool is stopped when it runs longer than
/// `deadline`.
pub fn start(
    tool: &str,
    args: &[String],
    input: Input,
    tee: Option<mpsc::Sender<String>>,
    deadline: Duration,
) -> Running {
    let mut running = Running {
        tool: tool.to_string(),
        started: Instant::now(),
        child: None,
        spawn_error: None,
        deadline,
        reader: None,
        writer: None,
        stderr: None,
    };
    let spawned = Command::new(locate(tool))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match spawned {
        Ok(child) => child,
        Err(err) => {
            running.spawn_error = Some(format!(
                "cannot run {tool}: {} (install it next to gomod-doctor or on PATH)",
                crate::oserr::errno_text(&err)
            ));
            return running;
        }
    };
    let stdin = child.stdin.take();
    running.writer = Some(std::thread::spawn(move || {
        let Some(mut stdin) = stdin else { return };
        match input {
            Input::Nothing => {}
            Input::Lines(lines) => {
                for line in lines {
                    if writeln!(stdin, "{line}").is_err() {
                        return;
                    }
                }
            }
            Input::Pipe(rx) => {
                for line in rx {
                    if writeln!(stdin, "{line}").is_err() {
                        // Keep draining so the sender never blocks on us.
                        continue;
                    }
                }
            }
        }
    }));
    let stdout = child.stdout.take();
    running.reader = Some(std::thread::spawn(move || {
        let mut lines = Vec::new();
        let Some(stdout) = stdout else { return lines };
        let mut reader = BufReader::new(stdout);
        let mut buf = Vec::new();
        loop {
            buf.clear();
            match (&mut reader)
                .take(MAX_LINE as u64)
                .read_until(b'\n', &mut buf)
            {
                Ok(0) | Err(_) => break,
                Ok(_) => {
                    let line = String::from_utf8_lossy(&buf).trim_end().to_string();
                    if line.is_empty() {
                        continue;
                    }
                    if let Some(tee) = &tee {
                        let _ = tee.send(line.clone());
                    }
                    lines.push(line);
                }
            }
        }
        lines
    }));
    let stderr = child.stderr.take();
    running.stderr = Some(std::thread::spawn(move || {
        let mut text = Vec::new();
        if let Some(stderr) = stderr {
            let mut limited = stderr.take(MAX_STDERR);
            let _ = limited.read_to_end(&mut text);
            // Drain the rest so the tool never blocks writing.
            let _ = std::io::copy(&mut limited.into_inner(), &mut std::io::sink());
        }
        scrub_credentials(&String::from_utf8_lossy(&text))
    }));
    running.child = Some(child);
    running
}

impl Running {
    /// Waits for the tool (stopping it at its deadline) and collects what it wrote.
    pub fn finish(mut self) -> Finished {
        let mut finished = Finished {
            tool: self.tool.clone(),
            ..Finished::default()
        };
        if let Some(err) = self.spawn_error.take() {
            finished.problem = Some(err);
            return finished;
        }
        let Some(mut child) = self.child.take() else {
            return finished;
        };
        loop {
            match child.try_wait() {
                Ok(Some(status)) => {
                    finished.status = status.code();
                    break;
                }
                Ok(None) if self.started.elapsed() > self.deadline => {
                    let _ = child.kill();
                    let _ = child.wait();
                    finished.problem = Some(format!(
                        "{} was stopped after {}: it had not finished",
                        self.tool,
                        humantime::format_duration(Duration::from_secs(self.deadline.as_secs()))
                    ));
                    break;
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(5)),
                Err(err) => {
                    finished.problem = Some(format!("waiting for {}: {err}", self.tool));
                    break;
                }
            }
        }
        if let Some(reader) = self.reader.take() {
            finished.lines = reader.join().unwrap_or_default();
        }
        if let Some(writer) = self.writer.take() {
            let _ = writer.join();
        }
        if let Some(stderr) = self.stderr.take() {
            finished.stderr = stderr.join().unwrap_or_default();
        }
        finished.elapsed = self.started.elapsed();
        if finished.problem.is_none() && finished.status == Some(2) {
            let first = finished.stderr.lines().next().unwrap_or("").to_string();
            finished.problem = Some(crate::record::untrusted(&first, 500));
        }
        finished
    }
}

/// A command line as a shell reads it: words quoted where they need it, credentials
/// scrubbed.
pub fn shell_line(tool: &str, args: &[String]) -> String {
    let mut line = tool.to_string();
    for arg in args {
        line.push(' ');
        line.push_str(&shell_quote(&scrub_credentials(arg)));
    }
    line
}

/// One word quoted for a POSIX shell when it needs quoting.
pub fn shell_quote(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=@,+%^".contains(c));
    if plain {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_and_scrubbing() {
        assert_eq!(
            shell_line(
                "gomod-fetch",
                &[
                    "--timeout".into(),
                    "10s".into(),
                    "a b".into(),
                    "https://u:p@h".into()
                ]
            ),
            "gomod-fetch --timeout 10s 'a b' 'https://u:***@h'"
        );
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
    }
}
