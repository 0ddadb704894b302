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
/// and version fields).
///
/// Direct entries do go-get discovery and then ask the repository for its refs over
/// git's smart HTTP protocol (info/refs?service=git-upload-pack): reachable or not,
/// credentials needed or not, and whether the version's tag exists. No git binary is
/// run and no zip is built from a repository; the record says so.
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
/// has passed, whatever it waits for. Connections are limited by --connect-timeout
/// (default 30s, Go's own dial limit). A `@v/list` is parsed as it arrives: memory does
/// not grow with its length.
///
/// Files: -m files, the netrc file and `file://` GOPROXY files are read only when they
/// are regular files (a named pipe is refused with its reason instead of waited on),
/// and only up to a size suited to each (a go.mod: 16 MiB, the go command's limit).
#[derive(Parser, Debug)]
#[command(name = "gomod-fetch", version)]
pub struct Cli {
    /// Modules to fetch: MODULE@VERSION, MODULE@QUERY or MODULE.
    #[arg(value_name = "MODULE[@VERSION]")]
    pub targets: Vec<String>,

    /// Fetch every requirement of this go.mod file (after replace and exclude). May be
    /// repeated.
    #[arg(short = 'm', long = "modfile", value_name = "GO.MOD")]
    pub modfiles: Vec<PathBuf>,

    /// What to fetch, comma-separated: list, info, mod, zip. The default is what `go
    /// mod download` fetches.
    #[arg(
        long,
        value_name = "LIST",
        default_value = "info,mod,zip",
        value_delimiter = ',',
        value_parser = parse_what
    )]
    pub what: Vec<What>,

    /// Retry a request this many times after a transient failure (timeout, reset,
    /// refused, 429, 5xx), with exponential backoff and jitter, honouring Retry-After.
    /// The go command never retries, so the default is 0.
    #[arg(long, value_name = "N", default_value_t = 0, value_parser = clap::value_parser!(u32).range(0..=10))]
    pub retries: u32,

    /// Write what was fetched into a module cache at DIR, in the go command's layout
    /// (DIR/cache/download/...), atomically. Afterwards `GOMODCACHE=DIR GOPROXY=off go
    /// mod download` and `GOPROXY=file://DIR/cache/download go build` work offline. A
    /// version whose record is not ok writes nothing (the go command would use a cached
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

    /// Instead of fetching, probe the module proxy at URL for conformance: 404/410 for
    /// a module that cannot exist, case-escaped paths, @latest and the checksum
    /// database endpoint /sumdb/<name>/supported. May be repeated.
    #[arg(long, value_name = "URL")]
    pub check_proxy: Vec<String>,

    /// Show progress on standard error: auto (when it is a terminal), always or never.
    #[arg(
        long,
        value_name = "WHEN",
        default_value = "auto",
        hide_possible_values = true
    )]
    pub progress: Progress,

    #[command(flatten)]
    pub common: CommonArgs,
}

/// One thing to fetch.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
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

/// Parses one `--what` item.
fn parse_what(text: &str) -> Result<What, String> {
    match text {
        "list" => Ok(What::List),
        "info" => Ok(What::Info),
        "mod" => Ok(What::Mod),
        "zip" => Ok(What::Zip),
        other => Err(format!(
            "{} is not one of list, info, mod, zip",
            gomod_common::goquote::quote(other)
        )),
    }
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

/// When to show progress.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Progress {
    /// When standard error is a terminal.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}
