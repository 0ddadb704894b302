//! gomod-doctor: one command that runs the checks in order and names the root cause.

mod cli;
mod run;

use std::process::ExitCode;

fn main() -> ExitCode {
    let mut cmd = gomod_common::app::command::<cli::Command>();
    let matches = cmd.clone().get_matches();
    let cli = <cli::Cli as clap::FromArgMatches>::from_arg_matches(&matches)
        .unwrap_or_else(|err| err.format(&mut cmd).exit());
    run::main(cli)
}
