//! Tests that cannot run on this machine: they say so instead of passing in silence.
//!
//! A test that needs what the machine may lack (the newest go, root, mandoc, script(1))
//! calls [`skip`] when it is missing and returns. The skip is noted on standard error
//! and, when `GOMOD_SKIP_LOG` names a file (`make test` sets it), appended there as one
//! line, `<reason>\t<test binary>\t<test>`: the Makefile ends the run with one line that
//! counts the skipped tests by reason. When the need's `GOMOD_REQUIRE_*` variable is set
//! (CI sets them all), the missing need fails the test instead.

use std::io::Write;

/// What a test needs that a machine may lack.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Need {
    /// The newest go (go1.27 or later) and what is built with it.
    Go,
    /// Root: binding 127.0.0.1:53, private mount namespaces.
    Root,
    /// mandoc, to lint the man pages.
    Mandoc,
    /// script(1), to run a tool on a terminal.
    Script,
    /// jq, to compile the documented jq programs.
    Jq,
    /// fish, to run the fish completion.
    Fish,
    /// git with its http-backend, for the git origins of the direct-mode tests.
    Git,
    /// The OpenSSH client and server (Debian's openssh-client, openssh-server) and
    /// root, for the SSH origins.
    Ssh,
}

impl Need {
    /// The variable that turns a missing need into a failure.
    pub fn variable(self) -> &'static str {
        match self {
            Need::Go => "GOMOD_REQUIRE_GO",
            Need::Root => "GOMOD_REQUIRE_ROOT",
            Need::Mandoc => "GOMOD_REQUIRE_MANDOC",
            Need::Script => "GOMOD_REQUIRE_SCRIPT",
            Need::Jq => "GOMOD_REQUIRE_JQ",
            Need::Fish => "GOMOD_REQUIRE_FISH",
            Need::Git => "GOMOD_REQUIRE_GIT",
            Need::Ssh => "GOMOD_REQUIRE_SSH",
        }
    }
}

/// Skips the calling test, or fails it when `need`'s `GOMOD_REQUIRE_*` variable is set.
/// `reason` is the short cause the summary line counts by (`no go1.27+ on PATH`);
/// `detail` says what exactly failed, for standard error only.
pub fn skip(need: Need, reason: &str, detail: &str) {
    let detail = if detail.is_empty() {
        String::new()
    } else {
        format!(" ({detail})")
    };
    assert!(
        std::env::var_os(need.variable()).is_none(),
        "{} is set but {reason}{detail}",
        need.variable()
    );
    let test = std::thread::current()
        .name()
        .filter(|name| *name != "main")
        .map(str::to_owned)
        .unwrap_or_else(|| format!("unnamed test in process {}", std::process::id()));
    eprintln!("skipped: {reason}{detail}");
    let Some(log) = std::env::var_os("GOMOD_SKIP_LOG") else {
        return;
    };
    let binary = std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.file_name()?.to_string_lossy().into_owned()))
        .unwrap_or_default();
    let line = format!("{}\t{binary}\t{test}\n", one_line(reason));
    // One write per line, appended: test binaries and their threads share the file.
    let written = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&log)
        .and_then(|mut file| file.write_all(line.as_bytes()));
    if let Err(err) = written {
        panic!(
            "cannot note the skip in GOMOD_SKIP_LOG={}: {err}",
            std::path::Path::new(&log).display()
        );
    }
}

/// `text` with tabs and line breaks made spaces: one field of one line.
fn one_line(text: &str) -> String {
    text.replace(['\t', '\n', '\r'], " ")
}
