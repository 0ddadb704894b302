//! Command-line interface of gomod-fetch.

use clap::Parser;
use gomod_common::app::CommonArgs;

/// Download modules the way the go command does: every hop shown, h1 hashes, a module cache Go accepts.
///
/// For each module version: @v/list, .info, .mod and .zip through the GOPROXY list with Go's fall-through rules, every HTTP attempt recorded, h1 hashes computed while streaming, optionally written to a module cache Go accepts.
///
/// NOT IMPLEMENTED YET: this build of gomod-fetch has only --help and --version; it
/// probes nothing and exits with status 2 when asked to.
#[derive(Parser, Debug)]
#[command(name = "gomod-fetch", version)]
pub struct Cli {
    /// What to probe.
    #[arg(value_name = "MODULE@VERSION")]
    pub targets: Vec<String>,

    #[command(flatten)]
    pub common: CommonArgs,
}
