//! gomod-resolve: how the go command would route a module, and why.

mod cli;
mod run;

use std::process::ExitCode;

fn main() -> ExitCode {
    run::main(gomod_common::app::parse::<cli::Cli>())
}
