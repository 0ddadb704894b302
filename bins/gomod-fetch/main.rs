//! gomod-fetch: download modules the way the go command does, every hop shown.

mod cache;
mod checkproxy;
mod cli;
mod direct;
mod http;
mod progress;
mod proxy;
mod run;
mod zipcheck;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    run::main(cli::Cli::parse())
}
