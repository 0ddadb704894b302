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
/// tls_protocol_version, tls_not_tls, tls_timeout, tls_hello_rejected,
/// tls_negative_serial, tls_insecure_signature; `go_error` is Go's own text for the
/// failure (what the go command prints after `Get "URL": `).
///
/// The x509 rules are those of the go in use with its GODEBUG: go1.23 and later refuse
/// a certificate with a negative serial number (tls_negative_serial, `tls: failed to
/// parse certificate from server: x509: negative serial number`; the fix
/// GODEBUG=x509negativeserial=1), and a root with one is left out of go's trust store;
/// a SHA-1 (or MD5) signature in the chain is refused (tls_insecure_signature; the
/// setting x509sha1 that allowed it was removed in go1.24). The record's `godebug`
/// lists the settings in effect and where each comes from.
/// Warnings: tls_interception, tls_expiring_soon.
///
/// The handshake offers what the go in use offers (--go, else the go on PATH or
/// $GOROOT, else the newest; GODEBUG tlsmlkem, tlssecpmlkem and tlssha1 from the
/// environment): its key exchange
/// groups in its order, with its key shares (go1.27: X25519MLKEM768, 1,216 bytes, and
/// X25519). Then go's exact ClientHello is sent again as raw bytes on a new connection
/// and the server's first answer recorded (`hello`: ServerHello, HelloRetryRequest,
/// alert, reset, close or silence, with the hello's size and JA4 fingerprint). When it
/// gets no ServerHello, the classic hello (go's with GODEBUG=tlsmlkem=0: no
/// post-quantum share, one packet) is tried (`classic_hello`); if that one gets a
/// ServerHello, a middlebox rejects go's hello: tls_hello_rejected, with the fix
/// (GODEBUG=tlsmlkem=0, and tlssecpmlkem=0 for go1.26 and later).
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

    /// The version of the go to check for (1.27.3 or go1.27.3), when it is not the go
    /// found through GOROOT or PATH (by default that one, else the newest): its
    /// ClientHello and its x509 rules, with the GODEBUG defaults of that release.
    #[arg(long = "go", value_name = "VERSION")]
    pub go: Option<String>,

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
