//! The `diagnosis` record: gomod-doctor's verdict, written last, after the records of
//! the five tools it ran (its evidence).

use serde::Serialize;

use super::{Documented, RecordBody, untrusted};
use crate::doctor::goerr::GoOutput;

/// Body of the `diagnosis` record. The envelope's `ok` is true exactly when the go
/// command would succeed; otherwise its `error` is the root cause.
#[derive(Clone, Debug, Default, Serialize)]
pub struct DiagnosisBody {
    /// What was diagnosed, in words: `go.mod`, `modules`, `go output`, or the
    /// well-known module used when there was nothing else.
    pub input: String,
    /// The modules checked, `path@version` (or `path@query`).
    pub modules: Vec<String>,
    /// Every check in dependency order.
    pub checks: Vec<Check>,
    /// The failing endpoint of the root cause (a URL, `host:port`, or `go.sum`).
    pub endpoint: Option<String>,
    /// Failures explained by the root cause: checks and records that fail because of
    /// it, not causes of their own.
    pub consequences: Vec<Consequence>,
    /// What to change, most likely first.
    pub fixes: Vec<Fix>,
    /// Indices (0-based, in the output stream) of the records that show the cause.
    pub evidence: Vec<usize>,
    /// The tool runs the checks came from, with the command to repeat each by hand.
    pub steps: Vec<Step>,
    /// What was read from go's own output, when it was given.
    pub go_output: Option<GoOutput>,
}

/// One check of the checklist.
#[derive(Clone, Debug, Serialize)]
pub struct Check {
    /// `config`, `dns`, `tcp`, `connect`, `tls`, `proxy`, `sumdb`, `origin` or `gosum`.
    pub check: &'static str,
    /// What was checked: a host, `host:port`, a URL, `go env`, `go.sum`.
    pub target: String,
    /// `ok`, `warning`, `failed`, `skipped` (an earlier check failed: `because` names
    /// it) or `not_reached` (the go command would not get there).
    pub status: &'static str,
    /// The error or warning code behind a status other than ok.
    pub code: Option<String>,
    /// One plain sentence on what was found.
    pub message: String,
    /// For a skipped check: the check that failed first (`dns proxy.example.com`).
    pub because: Option<String>,
    /// Time the check took, in milliseconds (from the tools' records).
    pub ms: u64,
    /// Indices of the records the check was read from.
    pub records: Vec<usize>,
}

/// A failure that is a consequence of the root cause.
#[derive(Clone, Debug, Serialize)]
pub struct Consequence {
    /// The check or record that failed (`tls proxy.example.com:443`, `fetch M@V`).
    pub what: String,
    /// Its code.
    pub code: String,
}

/// One fix.
#[derive(Clone, Debug, Serialize)]
pub struct Fix {
    /// The exact command to run (or line to add), when one does it.
    pub command: Option<String>,
    /// What it would change.
    pub effect: String,
}

/// One run of a tool.
#[derive(Clone, Debug, Serialize)]
pub struct Step {
    /// The tool.
    pub tool: String,
    /// The command line to repeat it by hand (secrets redacted); `< FILE` names what
    /// it read on standard input.
    pub command: String,
    /// `[first, last]` indices of its records in the stream, or null when it wrote none.
    pub records: Option<[usize; 2]>,
    /// Its exit status (null when it was stopped or could not run).
    pub status: Option<i32>,
    /// Wall time, in milliseconds.
    pub ms: u64,
    /// Why it did not finish normally, when it did not.
    pub problem: Option<String>,
}

impl Documented for DiagnosisBody {
    const FIELDS: &'static [(&'static str, &'static str)] = &[
        (
            "input",
            "what was diagnosed: go.mod (the file named with -m, or ./go.mod), modules (given as arguments), go output (go's failure output read on standard input or with -f: the modules it names), or default (golang.org/x/text@latest, when there was nothing else)",
        ),
        ("modules", "the modules checked, path@version or path@query"),
        (
            "checks",
            "list of {check, target, status, code, message, because, ms, records}, in dependency order: config (go env and its warnings), then for every endpoint the route uses (proxies, the checksum database, direct origins, the CONNECT proxy) dns, tcp or connect, tls, then proxy (the GOPROXY protocol), sumdb, origin (VCS), gosum. status is ok, warning, failed, skipped (because names the earlier check that failed, so a cause is named once) or not_reached (go would not get there); records are the indices of the evidence",
        ),
        (
            "endpoint",
            "the failing endpoint of the root cause (a URL, host:port, go.sum), or null",
        ),
        (
            "consequences",
            "list of {what, code}: failures explained by the root cause, not causes of their own",
        ),
        (
            "fixes",
            "list of {command, effect}, most likely first: the exact command (go env -w GOPRIVATE=corp.example.com, export SSL_CERT_FILE=..., GOPROXY=https://a|https://b,direct) and what it would change",
        ),
        (
            "evidence",
            "indices (0-based) in the output stream of the records that show the cause: the records of the five tools, printed unchanged before the diagnosis",
        ),
        (
            "steps",
            "list of {tool, command, records, status, ms, problem}: each tool run, the command line to repeat it by hand (secrets redacted), the [first, last] indices of its records",
        ),
        (
            "go_output",
            "what was read from go's own output, or null: {failures: [{module, version, url, host, addr, class, text}], downloading, progress, unplaced, not_read}; unplaced keeps every line that could not be placed",
        ),
    ];
}

/// The symbol of a check's status in the text checklist.
pub fn status_mark(status: &str) -> &'static str {
    match status {
        "ok" => "✓",
        "warning" => "!",
        "failed" => "✗",
        _ => "–",
    }
}

impl RecordBody for DiagnosisBody {
    const TYPE: &'static str = "diagnosis";
    /// `diagnosis of go.mod (12 modules): 9 checks, 1 failed, 3 skipped`.
    fn text(&self) -> String {
        let count = |s: &str| self.checks.iter().filter(|c| c.status == s).count();
        let mut line = format!(
            "diagnosis of {} ({} module{}): {} checks, {} failed, {} skipped",
            untrusted(&self.input, 200),
            self.modules.len(),
            if self.modules.len() == 1 { "" } else { "s" },
            self.checks.len(),
            count("failed"),
            count("skipped") + count("not_reached"),
        );
        if let Some(endpoint) = &self.endpoint {
            line.push_str(&format!("; at {}", untrusted(endpoint, 300)));
        }
        if let Some(fix) = self.fixes.first() {
            match &fix.command {
                Some(command) => line.push_str(&format!("; fix: {}", untrusted(command, 300))),
                None => line.push_str(&format!("; fix: {}", untrusted(&fix.effect, 300))),
            }
        }
        line
    }
}
