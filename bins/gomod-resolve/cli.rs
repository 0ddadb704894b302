//! Command-line interface of gomod-resolve.

use std::path::PathBuf;

use clap::Parser;
use gomod_common::app::CommonArgs;

/// Show how the go command would route a module download, and why.
///
/// For each module, one `route` record: whether the path and version are valid, the
/// escaped path, the GOPROXY entries Go tries in order with the rule that decides when
/// it moves on (`,`: only after 404/410; `|`: after any error), the checksum database
/// it would consult, which GOPRIVATE/GONOPROXY/GONOSUMDB/GOINSECURE glob decided what,
/// every third-party host that would learn the module path, and for direct routes the
/// repository (from Go's table of known hosts, or by go-get discovery) and the GOVCS
/// verdict. Configuration is read exactly as the go command reads it, and Go need not
/// be installed.
///
/// The privacy audit looks at the module path alone and asks no one: a path whose host
/// is not a known public code host (github.com...) or public vanity domain
/// (golang.org, gopkg.in, k8s.io...) looks private, and `privacy_rule` names the rule
/// that decided. When such a path would reach a public service, `keep_private` gives
/// the GOPRIVATE value that keeps it away; a host that names a private network or
/// forge also gets the `path_exposed` warning.
///
/// Targets: PATH[@VERSION|@QUERY] arguments, `-m go.mod`, `-f FILE`, or records and
/// lines on standard input (any record with a `module` field).
#[derive(Parser, Debug)]
#[command(name = "gomod-resolve", version, after_long_help = EXAMPLES)]
pub struct Cli {
    /// Modules to route: PATH, PATH@VERSION or PATH@QUERY (latest, v1.2, a branch).
    #[arg(value_name = "MODULE")]
    pub targets: Vec<String>,

    /// Route every requirement of this go.mod file, after its replace and exclude
    /// directives. May be repeated. A file the go command refuses is one record with
    /// go's text: gomod_invalid when it does not parse, godebug_invalid when a
    /// `godebug` line names a setting go1.27 does not know or a removed one at its old
    /// value (tlsrsakex=1...).
    #[arg(short = 'm', long = "modfile", value_name = "GO.MOD")]
    pub modfiles: Vec<PathBuf>,

    /// Write one `env` record first: every variable that affects downloads, its
    /// effective value, and where it came from (process environment, go env file,
    /// or default). Passwords in the values show as ***, also in a GOPROXY entry
    /// without a scheme (`user:***@host`).
    ///
    /// Its warnings name settings that cannot work: GOFLAGS entries go refuses, the
    /// removed -insecure, IP networks or blanks in GOPRIVATE-style lists, variables go
    /// ignores. Every route carries the same warnings.
    ///
    /// Its `godebug` lists the GODEBUG settings the go command itself runs with, each
    /// with its source: `env` (the GODEBUG variable; a later setting wins) or `default`
    /// (the go release's default, for tlsmlkem, tlssecpmlkem, tlssha1 and
    /// x509negativeserial). A removed setting at its old value in GODEBUG stops every go
    /// command: the record and every route fail with godebug_invalid.
    #[arg(long)]
    pub env: bool,

    /// Instead of routing requirements, write one `toolchain` record for the go.mod of
    /// the current directory, or for each -m file: the Go toolchain the go command runs
    /// there and why (GOTOOLCHAIN and its source, the go.work or go.mod `go` and
    /// `toolchain` lines, go1.27's rules), and, when go switches to a toolchain it must
    /// download, the module golang.org/toolchain@v0.0.1-goV.GOOS-GOARCH with its route
    /// (always checked against the checksum database, even with GOSUMDB=off). What would
    /// stop go (GOTOOLCHAIN=local with a too-new go line, toolchain go1.28, GOSUMDB=off,
    /// GOTOOLCHAIN=path without the toolchain in PATH) is the record's error, with
    /// go's own line and the fix. Pipe the record to gomod-fetch and gomod-sumverify to
    /// try the download.
    #[arg(long)]
    pub toolchain: bool,

    /// The version of the go the decision is for (1.27.3 or go1.27.3), when go is not
    /// installed here; by default the go found through GOROOT or PATH ($GOROOT/VERSION,
    /// else `go env GOVERSION`).
    #[arg(long = "go", value_name = "VERSION", requires = "toolchain")]
    pub go: Option<String>,

    /// Do not fetch go-get discovery pages; report what is known without network.
    #[arg(long)]
    pub offline: bool,

    /// Also run go-get discovery for direct entries that Go reaches only after every
    /// proxy before them answered 404/410 (by default only a first direct entry is
    /// probed).
    #[arg(long = "discover-fallback")]
    pub discover_fallback: bool,

    #[command(flatten)]
    pub common: CommonArgs,
}

const EXAMPLES: &str = "Examples:
  Where would Go fetch this module from, and which hosts learn its path?
    gomod-resolve golang.org/x/net@v0.30.0

  Go's effective configuration, with the source of every value:
    gomod-resolve --env --offline | jq .vars

  Privacy audit: which private-looking requirements leak to public services?
    gomod-resolve --offline -m go.mod | jq -r 'select(.keep_private) | [.module, .privacy_rule, .keep_private] | @tsv'

  Only what fails, one readable line each, with the hint:
    gomod-resolve -m go.mod --format text | grep '^FAIL'

  Which Go does the go command run for this module, and can it download it?
    gomod-resolve --toolchain | gomod-fetch | jq '{ok, error}'

  A private module: is the proxy skipped, and does its go-get page work?
    GOPRIVATE=git.corp.example.com gomod-resolve git.corp.example.com/team/lib@v1.4.0";
