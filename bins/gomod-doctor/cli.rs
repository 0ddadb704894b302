//! Command-line interface of gomod-doctor.

use std::path::PathBuf;

use clap::builder::TypedValueParser;
use clap::{CommandFactory, Parser};
use gomod_common::app::{CommonArgs, Format};

/// Find out why the go command cannot download modules: every check in order, one root cause, the fix.
///
/// Runs the five tools the way an expert would, in dependency order, for every endpoint
/// the route of each module uses (the proxies, the checksum database and the proxy that
/// serves it, direct origins, the HTTP proxy Go would CONNECT through): configuration
/// (gomod-resolve --env), DNS (gomod-dnscheck), TCP or CONNECT and TLS
/// (gomod-tlscheck), the GOPROXY protocol and the origin (gomod-fetch), the checksum
/// database and go.sum (gomod-sumverify). The tools run side by side, as subprocesses
/// found next to gomod-doctor (else on PATH), with this environment; their records are
/// the evidence, printed unchanged in JSON mode, and each step's command line is in the
/// diagnosis so that it can be repeated by hand.
///
/// Then it reasons across the layers and writes one `diagnosis` record, last: `ok` is
/// true exactly when the go command would succeed; otherwise `error` is the root cause
/// (a check that cannot pass because an earlier one failed is skipped because of it,
/// and other failures are listed as consequences), with what go prints for it and the
/// fixes as exact commands, most likely first. Among the causes it names: a DNS answer
/// that sends a name to a block page (not a TLS problem), TLS interception (the
/// product), a private module sent to the public proxy and checksum database (the
/// GOPRIVATE value), a `,`-separated proxy answering 401/403 or 5xx (which stops the
/// list: the next proxy is never asked), a CONNECT proxy asking for credentials.
///
/// Input: modules (MODULE[@VERSION]), -m go.mod, or the go command's own failure
/// output on standard input (`go mod tidy 2>&1 | gomod-doctor`) or in files (-f): every
/// failing module, URL, host and failure class is read from it (go1.19 and go1.27
/// wordings; lines it cannot place are kept in `go_output.unplaced`). With nothing,
/// ./go.mod, else the route of golang.org/x/text@latest; `input` says which.
///
/// Output: --format json (the default into a pipe): the tools' records, then the
/// diagnosis; --format text (the default on a terminal): a checklist read top to
/// bottom, one line per check with ✓, ✗, ! or – and its time, then the cause and the
/// fixes; --format junit: JUnit XML, one testcase per check, the diagnosis as the
/// failure message. Exit status 0 when go would succeed, 1 when it would fail, 2 for a
/// usage error, whatever the format.
#[derive(Parser, Debug)]
#[command(name = "gomod-doctor", version, after_long_help = EXAMPLES)]
pub struct Cli {
    /// Modules to diagnose: MODULE, MODULE@VERSION or MODULE@QUERY.
    #[arg(value_name = "MODULE[@VERSION]")]
    pub targets: Vec<String>,

    /// Diagnose every requirement of this go.mod (after replace and exclude); its
    /// go.sum, when there is one beside it, is checked too.
    #[arg(short = 'm', long = "modfile", value_name = "GO.MOD")]
    pub modfiles: Vec<PathBuf>,

    /// Also ask this resolver for every host, to compare with this machine's answers
    /// (gomod-dnscheck --server): a DNS answer that differs, at an address that then
    /// fails, is named as the cause. IP[:PORT], tcp://, tls:// or https:// (DNS over
    /// HTTPS). May be repeated. The host names are sent to that resolver.
    #[arg(long = "server", value_name = "RESOLVER")]
    pub servers: Vec<String>,

    /// Passed to gomod-dnscheck: read this resolv.conf instead of /etc/resolv.conf.
    #[arg(long = "resolv-conf", value_name = "FILE")]
    pub resolv_conf: Option<PathBuf>,

    /// Passed to gomod-dnscheck: read this hosts file instead of /etc/hosts.
    #[arg(long = "hosts", value_name = "FILE")]
    pub hosts: Option<PathBuf>,

    /// Passed to gomod-dnscheck: read this nsswitch.conf instead of
    /// /etc/nsswitch.conf.
    #[arg(long = "nsswitch", value_name = "FILE")]
    pub nsswitch: Option<PathBuf>,

    /// Passed to gomod-tlscheck: the roots that count as public (PEM; default:
    /// Mozilla's roots, built in).
    #[arg(long = "public-roots", value_name = "FILE")]
    pub public_roots: Option<PathBuf>,

    /// Also write a report to FILE, to attach to a bug or a support ticket: every
    /// record, the effective configuration and the versions (gomod-doctor, go), with
    /// every secret redacted.
    #[arg(long = "report", value_name = "FILE")]
    pub report: Option<PathBuf>,

    #[command(flatten)]
    pub common: CommonArgs,
}

/// gomod-doctor's command as --help, the man page and the completions show it: the
/// derived one, with `junit` named among the formats (the common `--format` flag
/// knows it, but only gomod-doctor writes it).
pub struct Command;

impl CommandFactory for Command {
    fn command() -> clap::Command {
        with_junit(Cli::command())
    }

    fn command_for_update() -> clap::Command {
        with_junit(Cli::command_for_update())
    }
}

fn with_junit(cmd: clap::Command) -> clap::Command {
    cmd.mut_arg("format", |arg| {
        // The same values, junit shown (and completed) here.
        let shown = clap::builder::PossibleValuesParser::new(["text", "json", "junit"])
            .map(|v| <Format as clap::ValueEnum>::from_str(&v, false).expect("a format"));
        arg.value_parser(shown).long_help(
            "Output format: `text`, a checklist read top to bottom (one line per check with its mark and time, then the cause and the fixes); `json`, the tools' records and then the diagnosis, one compact JSON object per line; or `junit`, JUnit XML with one testcase per check and the diagnosis as the failure message. The default is text when standard output is a terminal and json when it is not.",
        )
    })
}

const EXAMPLES: &str = "Examples:
  Why does go mod tidy fail? Give the doctor go's own output:
    go mod tidy 2>&1 | gomod-doctor --format text

  Every requirement of a go.mod, as a checklist with the cause and the fix:
    gomod-doctor -m go.mod --format text

  One module, the root cause only:
    gomod-doctor golang.org/x/net@v0.30.0 | jq 'select(.type == \"diagnosis\") | .error'

  The fixes, as commands:
    gomod-doctor -m go.mod | jq -r 'select(.type == \"diagnosis\") | .fixes[].command // empty'

  Compare this machine's DNS with a public resolver (a DNS filter shows up):
    gomod-doctor --server https://dns.google/dns-query golang.org/x/text@latest --format text

  In CI: a JUnit report and a file to attach to a ticket (secrets redacted):
    gomod-doctor -m go.mod --format junit --report doctor-report.jsonl > doctor.xml";
