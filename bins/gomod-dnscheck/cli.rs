//! Command-line interface of gomod-dnscheck.

use clap::Parser;
use gomod_common::app::CommonArgs;

/// Resolve every host the way the go command resolves it, and against other resolvers.
///
/// For each host name, the system view as Go's own resolver sees it (/etc/resolv.conf and /etc/hosts, candidate names in Go's order), and other resolvers side by side; answers compared, bogus and hijacked answers flagged.
///
/// NOT IMPLEMENTED YET: this build of gomod-dnscheck has only --help and --version; it
/// probes nothing and exits with status 2 when asked to.
#[derive(Parser, Debug)]
#[command(name = "gomod-dnscheck", version)]
pub struct Cli {
    /// What to probe.
    #[arg(value_name = "HOST")]
    pub targets: Vec<String>,

    #[command(flatten)]
    pub common: CommonArgs,
}
