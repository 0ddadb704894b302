//! Command-line interface of gomod-sumverify.

use std::path::PathBuf;

use clap::Parser;
use gomod_common::app::CommonArgs;

/// Check go.sum against the hashes of the content and the checksum database, with real
/// proofs.
///
/// For each module version, one `sum` record comparing three things, for the module zip
/// and for its go.mod file: what go.sum records, the hashes of the content (from
/// gomod-fetch records, or re-hashed from a module cache), and what the checksum
/// database holds. The database is used exactly as the go command uses it: GOSUMDB
/// (`sum.golang.org`, `off`, `NAME+HASH+KEY [URL]`, and Go's known keys), skipped where
/// GONOSUMDB or GOPRIVATE (its default) match or GOSUMDB=off, reached through the first
/// GOPROXY entry that answers `/sumdb/<name>/supported` and directly otherwise. Every
/// answer is authenticated: the signed tree head against the key, the tree against every
/// tree seen before (a fork is reported with both tree heads), and the record against
/// the tree through hash tiles, each tile checked against its parent. The go.sum lines
/// of the record must name exactly the module version asked for.
///
/// Where the go command compares go.sum with a download it scans go.sum in file order: a
/// different `h1:` line before an equal one is its go.sum SECURITY ERROR. Only when go.sum
/// lacks the hash does it ask the database. This tool asks the database in every case
/// and says which side disagrees; `go_error` is the go command's own text for the
/// failure (null when the go command would not notice).
///
/// Targets: MODULE@VERSION arguments (a database lookup, compared with go.sum); `fetch`
/// records of gomod-fetch on standard input (their `zip_h1` and `mod_h1`, several
/// records of one module version from `gomod-fetch --every-endpoint` are compared with
/// each other); other records with `module` and `version`; with --modcache, the module
/// versions go.sum lists (or, without a go.sum, every one the cache holds). When no
/// target is given, every module version in the go.sum files. Standard input is read
/// when it is not a terminal and no arguments, -f or --modcache are given (or with `-`);
/// checks start as the records arrive (`gomod-fetch | gomod-sumverify` runs both at
/// once). `fetch` records in a row that name one module version (as --every-endpoint
/// writes them) are held until a record of another version or the end of the input, and
/// compared in one record; records of a version that come back after others are checked
/// on their own. While it waits for its first target, it opens the connection its first
/// lookup will use (to GOSUMDB's URL, or to the first GOPROXY entry it will ask whether it
/// proxies the database), with no request on it — only when GONOSUMDB (GOPRIVATE) is
/// empty, so that every module would be looked up there anyway.
///
/// Triangulation, when hashes disagree (`cause`): the reference is the database's hash,
/// or go.sum's when the database did not answer, or — when sources disagree and neither
/// is there — what the first proxy served. A source that differs from it is
/// `local_corruption` when it is the module cache or a file:// proxy;
/// `retagged_upstream` when it is `direct` (the origin), or a proxy serving the same bits
/// as the origin; otherwise `proxy_content_differs`. When every source agrees with the
/// database but go.sum does not: `gosum_wrong`. A database 404/410 for a module version
/// that exists (a source served it, go.sum lists it, or the cache holds it):
/// `private_not_in_sumdb` — unless the database is reached through a proxy (a GOPROXY
/// entry answered `/sumdb/<name>/supported`, `sumdb.via` is `proxy`): then every lookup
/// goes through that proxy, a failed one is `sumdb_proxy_failed`, and the message and
/// hint name the proxy.
///
/// The hint for `sumdb_not_found` names the glob to add to GOPRIVATE (or GONOSUMDB): the
/// path's host (`corp.example.com`, which covers every module under it), or host/owner
/// on a public code host (`github.com/yourorg`), appended to the value already set.
///
/// State: the latest verified tree head, authenticated tiles and lookups are kept in the
/// go command's layout under --state-dir (default `$XDG_CACHE_HOME/gomod-tools/sumdb`,
/// else `~/.cache/gomod-tools/sumdb`), never in Go's own directories; Go's
/// `$GOPATH/pkg/sumdb/<name>/latest` is read (never written) so that a log inconsistent
/// with what the go command has seen is reported too. The requests are the go command's
/// (lookups, then the tiles their proofs need, each once per run); only when an answer
/// comes from the state directory is the database's latest tree head asked for as well,
/// once, so that a fork is noticed even then. What cannot be saved there (a tree head,
/// a tile, a lookup) is a `state_unwritable` warning on the record being finished when it
/// happened, each once: the answers stand, but the next run cannot build on them. What
/// was saved there was verified first, so a tile or lookup that no longer verifies was
/// damaged on this machine: it is fetched again and replaced (a `state_corrupt`
/// warning), and a damaged tree head (ours or the go command's) is a `state_corrupt`
/// error that names the file to remove, never blamed on the database.
///
/// The database's name becomes directory names there and in the go command's GOPATH: a
/// GOSUMDB name that is not a clean host[/path] (`sum.example/../../x`) is refused
/// (`gosumdb_unsafe_name`). The go command accepts it, and writes outside
/// `$GOPATH/pkg/sumdb`; this tool is stricter.
///
/// Module cache: each version is checked as `go mod verify` checks it, failing where it
/// fails, with its words: the `.ziphash` (trimmed) against the zip's and the extracted
/// directory's hashes (`has been modified`, `missing ziphash`), a zip or directory that
/// cannot be hashed (`zip: not a valid zip file`, `... is not a directory`, `read ...:
/// is a directory`). Only regular files are read: a named pipe, on which the go command
/// would wait forever, fails with this tool's own words.
///
/// Errors: gosum_mismatch, gosum_missing, sumdb_mismatch, sumdb_not_found,
/// sumdb_bad_signature, sumdb_proof_failed, sumdb_fork, hash_mismatch (a module cache zip
/// or extracted directory changed since the go command downloaded it: `go mod verify`'s
/// "has been modified", or has no usable .ziphash), zip_invalid (a cached zip that
/// cannot be read), file_unreadable (a cached directory that cannot be hashed),
/// gosumdb_invalid, gosumdb_missing, gosumdb_unsafe_name, state_corrupt,
/// limit_exceeded (an answer larger than this tool reads), goproxy_invalid,
/// module_path_invalid, version_invalid, and the network codes of the database
/// requests. man gomod-tools has every field.
#[derive(Parser, Debug)]
#[command(name = "gomod-sumverify", version, after_long_help = EXAMPLES)]
pub struct Cli {
    /// Module versions to look up in the checksum database (path@version).
    #[arg(value_name = "MODULE@VERSION")]
    pub targets: Vec<String>,

    /// A go.sum file to compare with (default: ./go.sum when it exists). May be
    /// repeated (a workspace's go.sum files and go.work.sum): the lines are read as one
    /// file, in the order given.
    #[arg(long = "gosum", value_name = "FILE")]
    pub gosum: Vec<PathBuf>,

    /// Re-hash the module zips and go.mod files of this module cache (a GOMODCACHE:
    /// DIR/cache/download/...), like `go mod verify`, and compare them with go.sum, with
    /// the `.ziphash` files Go wrote and with the database.
    #[arg(long = "modcache", value_name = "DIR")]
    pub modcache: Option<PathBuf>,

    /// Keep the checksum database state (latest tree head, tiles, lookups) here.
    #[arg(long = "state-dir", value_name = "DIR")]
    pub state_dir: Option<PathBuf>,

    #[command(flatten)]
    pub common: CommonArgs,
}

const EXAMPLES: &str = "Examples:
  Check every line of ./go.sum against the checksum database:
    gomod-sumverify

  Download like Go, then compare the downloads, go.sum and the database:
    gomod-fetch -m go.mod | gomod-sumverify --gosum go.sum

  Which endpoint serves different bits, and why:
    gomod-fetch --every-endpoint golang.org/x/text@v0.3.7 | gomod-sumverify | jq '{verdict, cause, sources}'

  Re-hash a module cache like `go mod verify`, against go.sum and the database:
    gomod-sumverify --modcache \"$(go env GOMODCACHE)\"

  Only the failures, one line each:
    gomod-sumverify --format text | grep '^FAIL'";
