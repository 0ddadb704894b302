//! gomod-dnscheck: resolve every host the way the go command resolves it, and against other resolvers.

mod cli;
mod compare;
mod run;
mod servers;
mod targets;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    run::main(cli::Cli::parse())
}
