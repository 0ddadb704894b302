//! Command-line interface of gomod-sumverify.

use clap::Parser;
use gomod_common::app::CommonArgs;

/// Check go.sum against computed hashes and the checksum database, with real proofs.
///
/// Three-way check per module version: go.sum, hashes computed from the content, and the checksum database, with signed tree heads, inclusion and consistency proofs verified.
///
/// NOT IMPLEMENTED YET: this build of gomod-sumverify has only --help and --version; it
/// probes nothing and exits with status 2 when asked to.
#[derive(Parser, Debug)]
#[command(name = "gomod-sumverify", version)]
pub struct Cli {
    /// What to probe.
    #[arg(value_name = "MODULE@VERSION")]
    pub targets: Vec<String>,

    #[command(flatten)]
    pub common: CommonArgs,
}
