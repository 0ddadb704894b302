//! Command-line interface of gomod-tlscheck.

use std::path::PathBuf;

use clap::Parser;
use gomod_common::app::CommonArgs;

/// Check TCP, the CONNECT proxy, the TLS handshake, the certificate chain, trust and
/// interception as Go sees them.
///
/// For each endpoint, one `tls` record: the TCP connection (direct, to each address Go's
/// resolver returns, in Go's order), or the HTTP CONNECT through the proxy Go's rules
/// pick for the URL (its status and reason); the TLS handshake as Go's client makes it
/// (SNI, ALPN h2 and http/1.1, TLS 1.2 at least), with the version, cipher suite,
/// group, ALPN and the time of each phase; every certificate the server presented
/// (subject, issuer, names, validity, serial, SHA-256, key, signature algorithm).
///
/// The chain is verified twice: with the trust store the go command uses on this
/// machine (SSL_CERT_FILE, SSL_CERT_DIR and the system bundle paths, in Go's order and
/// with Go's rules), and with the public web roots (Mozilla's). A chain Go trusts but
/// the public roots do not, for a public name, is TLS inspection (`tls_interception`,
/// naming the CA and the product when its name says so); a chain neither trusts, from
/// a CA that is not public, gets the hint to add that CA (named, with its fingerprint)
/// to SSL_CERT_FILE. A certificate that expires within 14 days is a warning.
///
/// Go prints one line, `x509: certificate signed by unknown authority`, for three
/// failures this tool tells apart: tls_unknown_authority (a CA nobody here trusts, or a
/// self-signed certificate), tls_incomplete_chain (the server did not send the
/// intermediate: its chain ends at a certificate naming where its issuer can be fetched,
/// or issued by a CA of an organization with a root in the store) and
/// tls_intercepted_untrusted (a public name served by a CA neither public nor trusted:
/// TLS inspection whose CA is not installed).
///
/// Errors: tcp_refused, tcp_timeout, tcp_unreachable, tcp_reset, dns_* (the lookup),
/// proxy_auth_required, proxy_refused, proxy_unreachable, proxy_closed,
/// tls_unknown_authority, tls_incomplete_chain, tls_intercepted_untrusted, tls_no_roots,
/// tls_expired, tls_not_yet_valid, tls_name_mismatch, tls_handshake_failed,
/// tls_protocol_version, tls_not_tls, tls_timeout; `go_error` is Go's own text for the
/// failure (what the go command prints after `Get "URL": `). Warnings:
/// tls_interception, tls_expiring_soon.
///
/// Targets: host[:port] (443 by default) or URLs, as arguments or lines; records on
/// standard input: `dns` records (every address, IPv4 and IPv6 separately, unless Go
/// reaches the host through a proxy), `route` records (every endpoint, the checksum
/// database and an http(s) repository), `sum` records (the checksum database),
/// `fetch` records (every server a request went to), `tls` records (at the address
/// they connected to), and any record with a `host` (and `port`, `scheme`): each at
/// the scheme and port the record gives. Each endpoint once.
#[derive(Parser, Debug)]
#[command(name = "gomod-tlscheck", version, after_long_help = EXAMPLES)]
pub struct Cli {
    /// What to probe: host, host:port, [IPv6]:port, or an https:// (or http://) URL.
    #[arg(value_name = "HOST[:PORT]|URL")]
    pub targets: Vec<String>,

    /// Verify as the go command would with SSL_CERT_FILE=FILE: to test a CA bundle
    /// before installing it. (Go adds the certificates of /etc/ssl/certs and the other
    /// default directories unless SSL_CERT_DIR says otherwise.) Certificate files, here
    /// and in the trust store, are read only when they are regular files of at most
    /// 16 MiB (gomod-tools(7), FILES).
    #[arg(long = "ca-file", value_name = "FILE")]
    pub ca_file: Option<PathBuf>,

    /// The roots that count as public, PEM (default: Mozilla's roots, built in): for
    /// organisations with their own notion of public, and for tests.
    #[arg(long = "public-roots", value_name = "FILE")]
    pub public_roots: Option<PathBuf>,

    #[command(flatten)]
    pub common: CommonArgs,
}

const EXAMPLES: &str = "Examples:
  The module mirror and the checksum database, as the go command reaches them:
    gomod-tlscheck proxy.golang.org sum.golang.org

  Every endpoint a go.mod needs, each address DNS gives, only the failures:
    gomod-resolve --offline -m go.mod | gomod-dnscheck | gomod-tlscheck --format text | grep '^FAIL'

  Who intercepts TLS here:
    gomod-tlscheck proxy.golang.org | jq '{intercepted, interception, issuer: .chain[-1].issuer}'

  Would this CA bundle fix it?
    gomod-tlscheck --ca-file corp-root.pem proxy.golang.org

  In a script: the exit status alone says whether every endpoint is fine:
    gomod-tlscheck -q proxy.golang.org sum.golang.org || echo 'TLS to the Go services fails'";
