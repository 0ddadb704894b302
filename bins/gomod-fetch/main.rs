//! gomod-fetch: download modules the way the go command does: every hop shown, h1 hashes, a module cache Go accepts.

mod cli;

use std::process::ExitCode;

use clap::Parser;
use gomod_common::app;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    if let Some(what) = cli.common.generate {
        return app::generate::<cli::Cli>(what);
    }
    app::not_implemented("gomod-fetch", "GOPROXY protocol")
}
