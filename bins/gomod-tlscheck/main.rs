//! gomod-tlscheck: TCP, the proxy's CONNECT, the TLS handshake, the chain, trust and
//! interception, as the go command meets them.

mod cli;
mod products;
mod run;
mod targets;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    run::main(cli::Cli::parse())
}
