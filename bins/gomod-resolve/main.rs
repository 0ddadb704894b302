//! gomod-resolve: how the go command would route a module, and why.

mod cli;
mod run;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    run::main(cli::Cli::parse())
}
