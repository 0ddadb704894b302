//! gomod-sumverify: check go.sum against the hashes of the content and the checksum
//! database, with real proofs.

mod check;
mod cli;
mod modcache;
mod run;
mod sums;
mod targets;

use std::process::ExitCode;

fn main() -> ExitCode {
    run::main(gomod_common::app::parse::<cli::Cli>())
}
