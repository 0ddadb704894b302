//! Command-line interface of gomod-fetch.

use std::path::PathBuf;

use clap::Parser;
use gomod_common::app::CommonArgs;

/// Download modules the way the go command does: every hop shown, h1 hashes, a module cache Go accepts.
///
/// For each module version: @v/list, .info, .mod and .zip through the GOPROXY list with
/// Go's fall-through rules (after `,` only on 404/410, after `|` on any error; direct;
/// off; the noproxy entry for GONOPROXY paths), every HTTP attempt recorded with its
/// status, bytes, time, redirects and the server's error text. The .mod and .zip are
/// hashed as go.sum hashes them (h1:) and the zip is checked as the go command checks
/// it. Nothing is written anywhere unless --cache is given.
///
/// Targets: MODULE@VERSION, MODULE@QUERY (latest, upgrade, a version prefix such as
/// v1.2, <v2, >=v1.5.0, a branch or commit) or a bare MODULE (latest), -m go.mod
/// (every requirement after replace and exclude), or records on standard input
/// (gomod-resolve's route records: their endpoints are used; any record with module
/// and version fields). A query other than a branch or commit passes over the versions
/// the go.mod of the module's latest version retracts, as go's queries do, so that
/// go.mod is fetched first (its requests are in attempts, as they are go's). It also
/// passes over the versions the main module excludes, as go does when run in the same
/// directory: the main module is found as go finds it (GOWORK or the nearest go.work
/// and its use directories, else the nearest go.mod or GOFLAGS' -modfile; none with
/// GO111MODULE=off), and each exclude that changed a query is a warning `excluded`. An
/// exact version is fetched even when excluded, as go mod download fetches it.
///
/// A module whose go.mod `go` line is newer than the go that would run (the go found
/// from GOROOT or PATH, or the toolchain GOTOOLCHAIN and the main module select) is
/// toolchain_too_old with go's line (M@V requires go >= X (running go L;
/// GOTOOLCHAIN=local)) where GOTOOLCHAIN forbids switching. With GOTOOLCHAIN=auto go
/// looks for a newer toolchain in golang.org/toolchain's list on GOPROXY (requests
/// kept in attempts): none is toolchain_not_available with go's line (`switching to
/// go >= X: ...`), one a warning toolchain_too_old naming the toolchain go would
/// download. With path (or +path) go takes the go1.* programs in PATH instead (those
/// it may execute, in absolute directories): none new enough is toolchain_not_available
/// (`switching to go >= X: no releases found for go >= X`), one a warning naming it.
///
/// Direct entries do go-get discovery, then, for git repositories where git is
/// installed, run the git commands go1.27 runs with the same arguments and environment
/// (GIT_TERMINAL_PROMPT=0 and GCM_INTERACTIVE=never unless set; the user's git
/// configuration, insteadOf rules, credential helpers and ssh settings apply as they do
/// for go): ls-remote, init --bare, remote add, fetch --depth=1 of the version's ref,
/// cat-file, archive. Versions, branches and commits resolve as go resolves them
/// (pseudo-versions included) and the .mod and .zip are built from the repository as go
/// builds them (the module's directory, /vN, go-import subdir, nested modules and
/// vendor/ left out, the root LICENSE added), so mod_h1 and zip_h1 equal go's. Every
/// command is in direct.commands with its exit status, time and git's last error line
/// (two answers that cannot change are asked once: git version once per run, where go
/// asks for each repository, and a file of a commit once, where go reads a version's
/// go.mod up to four times);
/// the error is go's own text (git ls-remote -q --end-of-options URL in DIR: exit status
/// 128: ...) with a code from git's words (git_auth_required, git_repo_not_found,
/// ssh_refused, ssh_host_key_unknown, ssh_auth_failed...). Git runs in a temporary
/// directory of its own (DIR/cache/vcs with --cache), never in GOMODCACHE, without a
/// terminal, and each command is killed with its helpers after --timeout (go would
/// wait). Without git, the error is go's (git is not on PATH) and the repository is
/// asked for its refs over git's smart HTTP protocol to say what it can.
///
/// Credentials: https requests carry GOAUTH's credentials as go1.27 sends them (netrc,
/// the default; git DIR, git credential fill in DIR; a command printing URL and header
/// blocks; off sends none): every method runs once before the first https request, and
/// after any 4xx again with the URL, and the request is sent once more. Each attempt's
/// auth says which provider supplied credentials and its login (never the secret), the
/// 4xx that made go ask again (retried_after), what failing methods said, and a netrc
/// entry for the host that the port kept from the request. Methods run without a
/// terminal and are killed after --timeout (go would wait); git credential
/// approve/reject is never run. An invalid GOAUTH is goauth_invalid with go's line.
///
/// Order: the go command asks for .info, then .mod, then .zip, one after the other;
/// gomod-fetch sends the three at once (each still walks the GOPROXY list as Go walks
/// it). The error reported is the one Go would report; when .info fails, the record
/// also holds the .mod and .zip attempts Go would not have made.
///
/// Hashes: mod_h1 and zip_h1 are the h1: values go.sum holds for the module. Zips are
/// streamed to a temporary file (never held in memory), refused as the go command
/// refuses them (500 MiB limit, the module@version/ prefix, x/mod/zip's name and size
/// rules: zip_invalid with Go's text), and hashed on all cores. Pipe the records into
/// gomod-sumverify to compare them with go.sum and the checksum database.
///
/// Timeouts: the go command has no overall HTTP timeout and waits forever on a server
/// that accepts a connection and never answers, or trickles. gomod-fetch gives up on a
/// request when the response headers have not arrived within --timeout (default 60s),
/// or when a body brings less than 1 KiB per second over --timeout (a large zip that
/// keeps arriving faster is never cut off); on a module when --deadline (default 10m)
/// has passed, whatever it waits for. Such a record's error says that go would keep
/// waiting, and its go_error is null: go prints no line for it. Connections are limited
/// by --connect-timeout (default 30s, Go's own dial limit). A `@v/list` is parsed as it
/// arrives: memory does not grow with its length.
///
/// Files: -m files, the netrc file and `file://` GOPROXY files are read only when they
/// are regular files (a named pipe is refused with its reason instead of waited on),
/// and only up to a size suited to each (a go.mod: 16 MiB, the go command's limit).
///
/// go_error is the line `go mod download MODULE@VERSION` prints (outside a module) for
/// the same failure: `module M: ...` when a query fails listing versions, `M@V: ...`
/// for a version, no prefix for a zip the go command refuses.
#[derive(Parser, Debug)]
#[command(name = "gomod-fetch", version, after_long_help = EXAMPLES)]
pub struct Cli {
    /// Modules to fetch: MODULE@VERSION, MODULE@QUERY or MODULE.
    #[arg(value_name = "MODULE[@VERSION]")]
    pub targets: Vec<String>,

    /// Fetch every requirement of this go.mod file (after replace and exclude). May be
    /// repeated.
    #[arg(short = 'm', long = "modfile", value_name = "GO.MOD")]
    pub modfiles: Vec<PathBuf>,

    /// What to fetch, comma-separated: list, info, mod, zip. The default is what `go
    /// mod download` fetches, info,mod,zip; for a Go toolchain (golang.org/toolchain,
    /// as `gomod-resolve --toolchain` names it) it is info,mod, because its zip is a
    /// whole Go distribution: ask for it with `--what zip`.
    #[arg(
        long,
        value_enum,
        value_name = "LIST",
        value_delimiter = ',',
        hide_possible_values = true
    )]
    pub what: Vec<What>,

    /// Retry a request this many times after a transient failure (timeout, reset,
    /// refused, 429, 5xx), with exponential backoff and jitter, honouring Retry-After.
    /// The go command never retries, so the default is 0.
    #[arg(long, value_name = "N", default_value_t = 0, value_parser = clap::value_parser!(u32).range(0..=10))]
    pub retries: u32,

    /// Write what was fetched into a module cache at DIR, in the go command's layout
    /// (DIR/cache/download/...), atomically; direct modules too, whose git work
    /// directories go to DIR/cache/vcs as go keeps them. Afterwards `GOMODCACHE=DIR
    /// GOPROXY=off go mod download` and `GOPROXY=file://DIR/cache/download go build`
    /// work offline. A version whose record is not ok writes nothing (the go command would use a cached
    /// .mod or .zip whatever else failed); temporary files a killed run of gomod-fetch
    /// left are removed once no process of this machine writes them (or a day after
    /// their last change), and nobody else's are touched.
    #[arg(long, value_name = "DIR")]
    pub cache: Option<PathBuf>,

    /// Fetch the version from every endpoint of the route, not only the first that
    /// answers, and write one record per endpoint with its hashes: a proxy serving a
    /// different zip shows up (feed the records to gomod-sumverify).
    #[arg(long)]
    pub every_endpoint: bool,

    /// Also warn as `go get` warns, and `go mod download` does not: about a version
    /// its author retracted (warning `retracted`, with the `retract` directive that
    /// decided it) and a deprecated module (`deprecated`), with go's text in go_error.
    /// Both come from the go.mod of the module's latest version, which is fetched
    /// alongside an exact version (its requests are not listed in attempts: go mod
    /// download does not make them) and read anyway for a query; where it cannot be
    /// had, nothing is said, as go get says nothing.
    #[arg(long)]
    pub go_get_warnings: bool,

    /// Instead of fetching, probe the module proxy at URL for conformance: 404/410 for
    /// a module that cannot exist, case-escaped paths, @latest and the checksum
    /// database endpoint /sumdb/<name>/supported. When that answers 200 the go command
    /// takes every checksum request there, so the relayed database is tried too: its
    /// signed tree head (checked with GOSUMDB's key, sum.golang.org's without one), a
    /// data tile, and a lookup of the tile's first record with its proof. May be
    /// repeated.
    #[arg(long, value_name = "URL")]
    pub check_proxy: Vec<String>,

    #[command(flatten)]
    pub common: CommonArgs,
}

/// One thing to fetch.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum What {
    /// `@v/list`: the versions the proxy knows.
    List,
    /// `@v/VERSION.info`.
    Info,
    /// `@v/VERSION.mod`.
    Mod,
    /// `@v/VERSION.zip`.
    Zip,
}

impl What {
    /// The name used in records.
    pub fn as_str(self) -> &'static str {
        match self {
            What::List => "list",
            What::Info => "info",
            What::Mod => "mod",
            What::Zip => "zip",
        }
    }
}

const EXAMPLES: &str = "Examples:
  Download one version as Go would: where it came from, its go.sum hashes:
    gomod-fetch golang.org/x/text@v0.14.0 | jq '{version, source, zip_h1, mod_h1}'

  Every requirement of a go.mod, only the failures, one readable line each:
    gomod-fetch -m go.mod --format text | grep '^FAIL'

  Every request, with its status and time:
    gomod-fetch --what info,mod github.com/google/uuid@v1.6.0 | jq -r '.attempts[] | [.op, .status, .ms, .url] | @tsv'

  Does the proxy serve the Go toolchain this module's go line asks for?
    gomod-resolve --toolchain | gomod-fetch

  Fill a module cache through whatever route works, then use it offline:
    gomod-fetch -m go.mod --cache /tmp/modcache
    GOMODCACHE=/tmp/modcache GOPROXY=off go mod download

  Do two proxies serve the same bits? Compare them with go.sum and the database:
    GOPROXY=https://goproxy.io,https://proxy.golang.org gomod-fetch --every-endpoint golang.org/x/net@v0.30.0 | gomod-sumverify

  Does a private proxy answer as the go command expects?
    gomod-fetch --check-proxy https://goproxy.corp.example.com";
