//! gomod-dnscheck: resolve every host the way the go command resolves it, and against other resolvers.

mod cli;

use std::process::ExitCode;

use clap::Parser;
use gomod_common::app;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    if let Some(what) = cli.common.generate {
        return app::generate::<cli::Cli>(what);
    }
    app::not_implemented("gomod-dnscheck", "dns")
}
