//! Go's rules, table-tested against the vectors in `tests/fixtures/vectors` (produced by
//! running Go's own code; see that directory's README) and against inputs that must
//! never make a parser panic.

mod discovery;
mod dns_client_addrselect;
mod dns_client_fuzz;
mod dns_client_resolver;
mod dns_client_transports;
mod dns_client_vectors;
mod dns_client_wire;
mod dns_conf_files;
mod dns_conf_go_confirmed;
mod dns_conf_no_panic;
mod dns_conf_vectors;
mod dns_support;
mod doctor_goerr;
mod doctor_reason;
mod envfile;
mod fuzz_regressions;
mod goproxy;
mod hash_vectors;
mod kx_handshake;
mod modzip_checks;
mod net_no_panic;
mod net_vectors;
mod path_no_panic;
mod path_vectors;
mod sumdb_client;
mod sumdb_vectors;
mod tls_chains;
mod vcs_robustness;
mod vcs_units;
mod vcs_vectors;

use std::path::PathBuf;

/// The path of a vector file copied into the project.
pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/vectors")
        .join(name)
}
