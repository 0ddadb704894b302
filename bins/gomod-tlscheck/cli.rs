//! Command-line interface of gomod-tlscheck.

use clap::Parser;
use gomod_common::app::CommonArgs;

/// Check TCP, the CONNECT proxy, the TLS handshake, the certificate chain, trust and interception as Go sees them.
///
/// For each host[:port] or URL: TCP connect, HTTP CONNECT through the proxy Go would use, TLS handshake, the presented chain, verification against Go's trust store and against public roots, and an interception verdict.
///
/// NOT IMPLEMENTED YET: this build of gomod-tlscheck has only --help and --version; it
/// probes nothing and exits with status 2 when asked to.
#[derive(Parser, Debug)]
#[command(name = "gomod-tlscheck", version)]
pub struct Cli {
    /// What to probe.
    #[arg(value_name = "HOST[:PORT]|URL")]
    pub targets: Vec<String>,

    #[command(flatten)]
    pub common: CommonArgs,
}
