//! gomod-dnscheck: resolve every host the way the go command resolves it, and against other resolvers.

mod cli;
mod compare;
mod run;
mod servers;
mod targets;

use std::process::ExitCode;

fn main() -> ExitCode {
    run::main(gomod_common::app::parse::<cli::Cli>())
}
