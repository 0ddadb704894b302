//! gomod-sumverify: check go.sum against computed hashes and the checksum database, with real proofs.

mod cli;

use std::process::ExitCode;

use clap::Parser;
use gomod_common::app;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    if let Some(what) = cli.common.generate {
        return app::generate::<cli::Cli>(what);
    }
    app::not_implemented("gomod-sumverify", "checksum")
}
