//! gomod-fetch: download modules the way the go command does, every hop shown.

mod cache;
mod checkproxy;
mod cli;
mod direct;
mod goline;
mod http;
mod proxy;
mod run;
mod zipcheck;

use std::process::ExitCode;

fn main() -> ExitCode {
    run::main(gomod_common::app::parse::<cli::Cli>())
}
