//! gomod-tlscheck: TCP, the proxy's CONNECT, the TLS handshake, the chain, trust and
//! interception, as the go command meets them.

mod cli;
mod products;
mod run;
mod targets;

use std::process::ExitCode;

fn main() -> ExitCode {
    run::main(gomod_common::app::parse::<cli::Cli>())
}
