//! gomod-tlscheck: check TCP, the CONNECT proxy, the TLS handshake, the certificate chain, trust and interception as Go sees them.

mod cli;

use std::process::ExitCode;

use clap::Parser;
use gomod_common::app;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    if let Some(what) = cli.common.generate {
        return app::generate::<cli::Cli>(what);
    }
    app::not_implemented("gomod-tlscheck", "tls")
}
