//! The JSON-lines wire format shared by every tool.
//!
//! Every record is one compact JSON object on one line, UTF-8, snake_case field
//! names. The envelope fields come first and are the same for every record type:
//!
//! ```text
//! {"type":"route","tool":"gomod-resolve","v":1,"ts":"2026-11-21T10:00:00Z",
//!  ...the record type's own fields...,
//!  "ok":true,"error":null,"warnings":[],"elapsed_ms":3}
//! ```
//!
//! * `type`: the record type (`env`, `route`, `dns`, `tls`, `fetch`, `sum`, `summary`,
//!   `input_error`).
//! * `tool`: the program that wrote the record; `v`: the schema version ([`SCHEMA_VERSION`]);
//!   changes within a version only add fields.
//! * `ts`: RFC 3339 UTC time at which the probe finished.
//! * `ok`: true when nothing failed (warnings allowed).
//! * `error`: null or an [`ErrorInfo`]: `{code, layer, message, detail, go_error, hint}`.
//! * `warnings`: list of [`Warning`]: `{code, message, hint, go_error}`.
//! * `elapsed_ms`: wall time of the probe in milliseconds.
//!
//! Codes are stable snake_case words from one taxonomy ([`Code`]), each belonging to a
//! [`Layer`]. The `gomod-tools(7)` man page is generated from [`Code::ALL`].
//!
//! Secrets never reach a record: URLs go through [`redact_url`], messages through
//! [`crate::redact::scrub`], and text that came from the network through
//! [`untrusted`], which scrubs it before it shortens it; and whatever a record holds
//! is scrubbed again when it is written (see [`crate::redact`]).

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use serde::Serialize;

pub mod diagnosis;
pub mod dns;
pub mod env;
pub mod fetch;
pub mod route;
pub mod sum;
pub mod tls;
pub mod toolchain;

use crate::redact::scrub;
pub use crate::redact::{redact_url, scrub_credentials};

/// The record schema version written in every record's `v` field.
pub const SCHEMA_VERSION: u32 = 1;

/// The part of the stack a failure belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Layer {
    /// Go's configuration: environment, go env file, GOPROXY/GOSUMDB/GOVCS syntax.
    Config,
    /// What the user asked for: targets, files, module paths and versions.
    Input,
    /// Name resolution.
    Dns,
    /// TCP connection setup.
    Tcp,
    /// The HTTP(S) proxy between this machine and the server.
    Proxy,
    /// TLS handshake and certificate verification.
    Tls,
    /// HTTP status and response handling.
    Http,
    /// Module content: zips, go.mod files, hashes.
    Module,
    /// The checksum database.
    Sumdb,
    /// Direct mode: go-get discovery and version control.
    Vcs,
    /// The tool and the machine it runs on: a limit of this tool, a local resource
    /// exhausted, or a fault in the tool itself.
    Internal,
}

impl Layer {
    /// The layer's wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Layer::Config => "config",
            Layer::Input => "input",
            Layer::Dns => "dns",
            Layer::Tcp => "tcp",
            Layer::Proxy => "proxy",
            Layer::Tls => "tls",
            Layer::Http => "http",
            Layer::Module => "module",
            Layer::Sumdb => "sumdb",
            Layer::Vcs => "vcs",
            Layer::Internal => "internal",
        }
    }
}

macro_rules! codes {
    ($( $(#[doc = $doc:literal])+ $variant:ident = ($name:literal, $layer:ident), )+) => {
        /// A stable error or warning code. The wire form is the snake_case name.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code {
            $( $(#[doc = $doc])+ $variant, )+
        }

        impl Code {
            /// Every code, in the order of the taxonomy (grouped by layer).
            pub const ALL: &'static [Code] = &[ $( Code::$variant, )+ ];

            /// The stable wire name, e.g. `tls_unknown_authority`.
            pub fn as_str(self) -> &'static str {
                match self { $( Code::$variant => $name, )+ }
            }

            /// The layer the code belongs to.
            pub fn layer(self) -> Layer {
                match self { $( Code::$variant => Layer::$layer, )+ }
            }

            /// One-paragraph description, used for the `gomod-tools(7)` reference.
            pub fn description(self) -> &'static str {
                match self { $( Code::$variant => concat!($($doc),+).trim_ascii(), )+ }
            }
        }
    };
}

codes! {
    /// GOPROXY has an entry the go command rejects (bad scheme, unparsable URL,
    /// `file:` URL with a host); every module operation fails with Go's message.
    GoproxyInvalid = ("goproxy_invalid", Config),
    /// GOPROXY contains only separators or is empty (newest Go: also when
    /// `$GOROOT/go.env` is missing or the go env file says `GOPROXY=`).
    GoproxyEmpty = ("goproxy_empty", Config),
    /// The route reaches `off` before any entry that could serve the module:
    /// `module lookup disabled by GOPROXY=off`.
    GoproxyOff = ("goproxy_off", Config),
    /// GOSUMDB cannot be parsed: unknown database without a key, malformed key,
    /// too many fields, bad URL.
    GosumdbInvalid = ("gosumdb_invalid", Config),
    /// GOSUMDB is empty, so every checksum check fails with `missing GOSUMDB`.
    GosumdbMissing = ("gosumdb_missing", Config),
    /// The GOSUMDB name is not a clean host[/path] (it has `.` or `..` elements or an
    /// empty one): the name is a directory name for the database's files, and the go
    /// command, which accepts such a name, would write them outside
    /// `$GOPATH/pkg/sumdb`. gomod-sumverify is stricter than the go command here and
    /// refuses to use the database.
    GosumdbUnsafeName = ("gosumdb_unsafe_name", Config),
    /// GOVCS cannot be parsed; the go command refuses every direct fetch.
    GovcsInvalid = ("govcs_invalid", Config),
    /// GOAUTH is invalid (an empty command, `off` with other methods, `git` without an
    /// absolute directory): the go command stops at its first https request with
    /// go_error, whatever the request is for.
    GoauthInvalid = ("goauth_invalid", Config),
    /// The go env file (or its location) cannot be read; the go command silently
    /// ignores it, so settings written with `go env -w` do not apply.
    GoenvUnreadable = ("goenv_unreadable", Config),
    /// A variable is set that the go command does not read where it is set (for
    /// example HTTPS_PROXY in the go env file, GONOSUMCHECK, ALL_PROXY).
    IneffectiveVariable = ("ineffective_variable", Config),
    /// A glob list (GOPRIVATE, GONOPROXY, GONOSUMDB, GOINSECURE) has blanks around
    /// its commas; Go does not trim them, so the pattern matches nothing intended.
    PatternWhitespace = ("pattern_whitespace", Config),
    /// A GOPRIVATE, GONOPROXY, GONOSUMDB or GOINSECURE entry is an IP network (CIDR)
    /// or address range; the entries are module path globs, so it matches no module.
    PatternIpRange = ("pattern_ip_range", Config),
    /// GOFLAGS has an entry the go command refuses (unknown flag, not a flag, an
    /// unterminated quote, -C): every go command but `go env` stops with go_error.
    GoflagsInvalid = ("goflags_invalid", Config),
    /// GOFLAGS sets the removed -insecure flag: most go commands ignore it and
    /// `go get` stops; GOINSECURE replaced it.
    GoflagsInsecure = ("goflags_insecure", Config),
    /// A value in the go env file ends in a carriage return (a file saved with
    /// Windows line endings); Go keeps the CR in the value.
    GoenvCarriageReturn = ("goenv_carriage_return", Config),
    /// HTTP_PROXY is set while the process looks like a CGI program
    /// (REQUEST_METHOD is set); Go refuses to use it for `http://` URLs.
    ProxyCgiRefused = ("proxy_cgi_refused", Config),
    /// GOWORK is neither `off`, `auto`, empty nor an absolute path: `go: invalid
    /// GOWORK: not an absolute path`.
    GoworkInvalid = ("gowork_invalid", Config),
    /// GOTOOLCHAIN is not a setting the go command accepts (`local`, `auto`, `path`, a
    /// toolchain name, a name with `+auto` or `+path`): every go command stops.
    GotoolchainInvalid = ("gotoolchain_invalid", Config),
    /// The go.mod or go.work `go` line needs a newer go than the one that runs, and
    /// GOTOOLCHAIN (`local`, a name without `+auto`) or `toolchain default` forbids
    /// switching: go stops with `go.mod requires go >= ...`. gomod-fetch: a fetched
    /// module's `go` line does, and `go mod download` stops with `M@V requires go >=
    /// ...` (a warning where GOTOOLCHAIN lets go switch to a toolchain it finds).
    ToolchainTooOld = ("toolchain_too_old", Config),
    /// The go command would download a toolchain with GOSUMDB=off: it verifies every
    /// toolchain against the checksum database and refuses it (`checksum database
    /// disabled by GOSUMDB=off`).
    ToolchainSumdbOff = ("toolchain_sumdb_off", Config),
    /// No go was found (GOROOT, go on PATH) and --go was not given: which toolchain go
    /// runs depends on its version.
    GoVersionUnknown = ("go_version_unknown", Config),
    /// GOTOOLCHAIN is `path` or `+path` and the toolchain go must switch to is not in
    /// PATH; go does not download it.
    ToolchainNotInPath = ("toolchain_not_in_path", Config),
    /// GODEBUG cannot work: the environment sets a removed setting to its old value
    /// (the go binary stops at start: `fatal error: removed GODEBUG ...`), or a
    /// go.mod `godebug` line names a setting go does not know or a removed one with
    /// its old value (`go: error loading go.mod:` ... `unknown godebug`, `removed
    /// GODEBUG ... set to old value`). go1.27 removed tlsrsakex, tls10server, tls3des,
    /// tlsunsafeekm, x509keypairleaf, gotypesalias and asynctimerchan.
    GodebugInvalid = ("godebug_invalid", Config),
    /// A module path that names a private network or forge (route's `privacy_rule`)
    /// would be sent to a public service (proxy or checksum database); set GOPRIVATE.
    PathExposed = ("path_exposed", Config),

    /// A line of input is neither a JSON object nor a target this tool understands.
    InputInvalid = ("input_invalid", Input),
    /// A file named on the command line cannot be read.
    FileUnreadable = ("file_unreadable", Input),
    /// The module cache given with --cache cannot be written (a full disk, permissions).
    CacheUnwritable = ("cache_unwritable", Input),
    /// The checksum database's state (tree head, tiles, lookups) cannot be saved in the
    /// state directory: this run's answers stand, but the next run cannot check against
    /// them.
    StateUnwritable = ("state_unwritable", Input),
    /// What this machine keeps about the checksum database (a tree head, tile or lookup
    /// in the state directory, or the go command's own `latest` file) is damaged: a
    /// local problem, not the database's; the message names the file and how to clear
    /// it.
    StateCorrupt = ("state_corrupt", Input),
    /// The module path fails Go's `module.CheckPath`.
    ModulePathInvalid = ("module_path_invalid", Input),
    /// The version or query cannot be used for this module (not semantic, wrong
    /// major version for the path, disallowed characters).
    VersionInvalid = ("version_invalid", Input),
    /// A go.mod file does not parse as the go command parses it.
    GomodInvalid = ("gomod_invalid", Input),
    /// The toolchain line (or GOTOOLCHAIN) names no toolchain go can use: not `goV`
    /// (`invalid toolchain "x" in go.mod`), or a language version such as go1.28, which
    /// is never published (`go1.28 is a language version but not a toolchain version`).
    ToolchainInvalid = ("toolchain_invalid", Input),
    /// Warning: the `go` line names a bare language version (`go 1.28`) that makes go
    /// switch: go1.27 runs go1.28.0, but older go releases ask for go1.28, which does not
    /// exist (go#62278, go#65568).
    ToolchainLanguageVersion = ("toolchain_language_version", Input),
    /// A requirement is replaced by a local directory: nothing is downloaded.
    LocalReplacement = ("local_replacement", Input),
    /// An `exclude` directive of the main module names the version: a requirement
    /// of a go.mod given with -m that go does not use, or (warning) a version a query
    /// (`@latest`, `@v1`, a range) passes over, as go's queries do in that module.
    Excluded = ("excluded", Input),

    /// The name does not exist (NXDOMAIN), or has no address records.
    DnsNxdomain = ("dns_nxdomain", Dns),
    /// The resolver answered SERVFAIL (`server misbehaving`).
    DnsServfail = ("dns_servfail", Dns),
    /// The resolver refused the query (REFUSED, NOTIMP, FORMERR).
    DnsRefused = ("dns_refused", Dns),
    /// No answer within the time limit (`i/o timeout`).
    DnsTimeout = ("dns_timeout", Dns),
    /// The name exists but has no A or AAAA records.
    DnsNoRecords = ("dns_no_records", Dns),
    /// No name server is configured or reachable.
    DnsNoServers = ("dns_no_servers", Dns),
    /// The server is not recursive and gave no answer: a non-recursive server is
    /// configured as a resolver (`lame referral`).
    DnsLameReferral = ("dns_lame_referral", Dns),
    /// The answers could not be used (malformed, or truncated with no TCP fallback).
    DnsMalformed = ("dns_malformed", Dns),
    /// Name resolution failed for another reason (see `detail`).
    DnsFailed = ("dns_failed", Dns),
    /// The resolver configuration is not what it seems: resolv.conf cannot be read
    /// (Go then asks 127.0.0.1:53 and [::1]:53) or names servers Go skips without a
    /// word (host names, ports, more than three).
    DnsConfig = ("dns_config", Dns),
    /// Resolvers disagree about a name's addresses (normal for some CDNs; suspicious
    /// when one side is private or bogus).
    DnsAnswersDiffer = ("dns_answers_differ", Dns),
    /// An answer that cannot be right for a public name: 0.0.0.0, a loopback,
    /// link-local or private-range address (a DNS filter or sinkhole).
    DnsBogusAnswer = ("dns_bogus_answer", Dns),
    /// This machine's resolver fails or lies where other resolvers agree: DNS is
    /// intercepted, filtered or broken locally.
    DnsHijackSuspected = ("dns_hijack_suspected", Dns),

    /// The server (or a firewall) refused the TCP connection (RST).
    TcpRefused = ("tcp_refused", Tcp),
    /// The TCP connection was not established in time (SYNs dropped).
    TcpTimeout = ("tcp_timeout", Tcp),
    /// No route to the address (`network is unreachable`, `no route to host`).
    TcpUnreachable = ("tcp_unreachable", Tcp),
    /// The peer reset or closed the connection unexpectedly.
    TcpReset = ("tcp_reset", Tcp),

    /// The HTTP proxy answered CONNECT with 407 Proxy Authentication Required.
    ProxyAuthRequired = ("proxy_auth_required", Proxy),
    /// The HTTP proxy refused the CONNECT request (403 or another status).
    ProxyRefused = ("proxy_refused", Proxy),
    /// The HTTP proxy itself cannot be reached (`proxyconnect tcp: ...`).
    ProxyUnreachable = ("proxy_unreachable", Proxy),
    /// The HTTP proxy closed the connection without answering.
    ProxyClosed = ("proxy_closed", Proxy),

    /// The certificate chain does not lead to a root in Go's trust store: a CA this
    /// machine does not trust, or a self-signed certificate.
    TlsUnknownAuthority = ("tls_unknown_authority", Tls),
    /// Go's trust store is empty: no CA bundle found (the minimal-container case).
    TlsNoRoots = ("tls_no_roots", Tls),
    /// The certificate has expired.
    TlsExpired = ("tls_expired", Tls),
    /// The certificate is not valid yet (or the clock is wrong).
    TlsNotYetValid = ("tls_not_yet_valid", Tls),
    /// The certificate is not valid for the host name asked for.
    TlsNameMismatch = ("tls_name_mismatch", Tls),
    /// The server did not send the intermediate certificates needed: its chain ends
    /// below a root, at a certificate that names where its issuer can be fetched (as
    /// public CAs' do) or whose issuer belongs to an organization with a root in the
    /// trust store. Go prints the same x509 line as for an unknown authority; it never
    /// fetches a missing intermediate, browsers do.
    TlsIncompleteChain = ("tls_incomplete_chain", Tls),
    /// A certificate the server presented has a negative serial number (common with
    /// TLS-inspection CAs): go1.23 and later refuse to parse it, before any trust
    /// decision and also for GOINSECURE (`tls: failed to parse certificate from server:
    /// x509: negative serial number`); `GODEBUG=x509negativeserial=1` makes go accept
    /// it. A root with a negative serial is left out of go's pool the same way.
    TlsNegativeSerial = ("tls_negative_serial", Tls),
    /// A certificate of the chain is signed with SHA-1 (or MD5): go refuses such
    /// signatures since go1.18 (`x509: cannot verify signature: insecure algorithm
    /// SHA1-RSA` in the unknown-authority line); `GODEBUG=x509sha1=1` allowed them
    /// until go1.24 removed the setting, so no setting helps a newer go.
    TlsInsecureSignature = ("tls_insecure_signature", Tls),
    /// The TLS handshake failed (an alert from the server, or no common parameters).
    TlsHandshakeFailed = ("tls_handshake_failed", Tls),
    /// The server only speaks TLS versions Go no longer accepts (below 1.2).
    TlsProtocolVersion = ("tls_protocol_version", Tls),
    /// The port does not speak TLS (for example a plain-HTTP server).
    TlsNotTls = ("tls_not_tls", Tls),
    /// The TLS handshake did not finish in time.
    TlsTimeout = ("tls_timeout", Tls),
    /// The handshake fails with go's ClientHello (post-quantum key share, more than
    /// one packet) but a classic hello (what `GODEBUG=tlsmlkem=0` sends) gets a
    /// ServerHello: a middlebox resets, drops or refuses go's hello (gomod-tlscheck).
    TlsHelloRejected = ("tls_hello_rejected", Tls),
    /// The chain is trusted by Go on this machine but not by the public roots, for a
    /// public name: a TLS-inspecting proxy or security product re-signs the traffic.
    TlsInterception = ("tls_interception", Tls),
    /// The chain for a public name comes from a CA that is neither public nor in Go's
    /// trust store, and is not a self-signed certificate: a TLS-inspecting proxy (or
    /// security product) re-signs the traffic and its CA is not installed. Go prints
    /// the same x509 line as for an unknown authority (gomod-tlscheck; `trust.go.code`
    /// keeps the verifier's code).
    TlsInterceptedUntrusted = ("tls_intercepted_untrusted", Tls),
    /// A certificate of the chain expires within 14 days.
    TlsExpiringSoon = ("tls_expiring_soon", Tls),

    /// 404 Not Found: with a `,` separator the go command tries the next entry.
    HttpNotFound = ("http_not_found", Http),
    /// 410 Gone: proxy.golang.org's "not found"; falls through like 404.
    HttpGone = ("http_gone", Http),
    /// 401 Unauthorized: credentials missing (netrc, GOAUTH, URL userinfo).
    HttpUnauthorized = ("http_unauthorized", Http),
    /// 403 Forbidden: credentials refused or a policy; stops a `,` list.
    HttpForbidden = ("http_forbidden", Http),
    /// 5xx from the server; stops a `,` list.
    HttpServerError = ("http_server_error", Http),
    /// Another non-200 status.
    HttpStatus = ("http_status", Http),
    /// An https URL redirected to plain http; Go refuses to follow.
    HttpInsecureRedirect = ("http_insecure_redirect", Http),
    /// More than 10 redirects.
    HttpTooManyRedirects = ("http_too_many_redirects", Http),
    /// The body is not what the protocol requires (bad JSON, wrong version).
    HttpInvalidResponse = ("http_invalid_response", Http),
    /// The request did not complete within `--timeout` (Go itself may wait forever).
    HttpTimeout = ("http_timeout", Http),
    /// The server, or a middlebox on the way, reset the HTTP/2 stream of a request
    /// (`RST_STREAM`, typically `INTERNAL_ERROR` in the middle of a zip, go#51323): go
    /// prints `stream error: stream ID N; INTERNAL_ERROR; received from peer`. Often
    /// transient (`--retries` tries again); HTTP/1.1 (`GODEBUG=http2client=0`) or a
    /// fallback GOPROXY entry after `|` gets around a middlebox that does it every time.
    Http2StreamReset = ("http2_stream_reset", Http),
    /// Credentials are in an `http://` URL; Go refuses to send them in clear text.
    HttpInsecureCredentials = ("http_insecure_credentials", Http),
    /// (warning) A request went over plain http (an `http://` GOPROXY entry, a
    /// GOINSECURE go-get page) to a host ~/.netrc has credentials for: the go command
    /// sends netrc and GOAUTH credentials over https only, so none were sent.
    HttpCredentialsNotSent = ("http_credentials_not_sent", Http),
    /// A redirect leads to a URL whose scheme is neither http nor https (ftp:, file:,
    /// gopher:): Go's HTTP client cannot follow it (`unsupported protocol scheme`).
    HttpUnsupportedScheme = ("http_unsupported_scheme", Http),

    /// A module zip breaks Go's rules (prefix, names, sizes, case-fold collisions).
    ZipInvalid = ("zip_invalid", Module),
    /// The toolchain module golang.org/toolchain@v0.0.1-goV.GOOS-GOARCH is not on the
    /// route (the proxy answers 404/410, GOPROXY=off): `toolchain not available`; or
    /// (gomod-fetch) a module needs a newer go and GOTOOLCHAIN=auto finds no toolchain
    /// in golang.org/toolchain's list, or GOTOOLCHAIN=path none among the go1.* programs
    /// in PATH: `switching to go >= X: ...`.
    ToolchainNotAvailable = ("toolchain_not_available", Module),
    /// Computed hashes differ from the expected ones.
    HashMismatch = ("hash_mismatch", Module),
    /// (warning) The version is retracted by its author: a `retract` directive in
    /// the go.mod of the module's latest version covers it. `go get` warns with
    /// go_error; `go mod download` of the exact version says nothing, and a query
    /// (`@latest`, `@v1`) there passes over retracted versions.
    Retracted = ("retracted", Module),
    /// (warning) The go.mod of the module's latest version has a `// Deprecated:`
    /// comment on its module directive: `go get` prints it (go_error).
    Deprecated = ("deprecated", Module),

    /// go.sum disagrees with the computed hash.
    GosumMismatch = ("gosum_mismatch", Sumdb),
    /// go.sum has no line for a module the build needs.
    GosumMissing = ("gosum_missing", Sumdb),
    /// The checksum database does not know the module (often a private module:
    /// set GOPRIVATE or GONOSUMDB).
    SumdbNotFound = ("sumdb_not_found", Sumdb),
    /// A signed tree head does not verify with the database key.
    SumdbBadSignature = ("sumdb_bad_signature", Sumdb),
    /// An inclusion or consistency proof failed.
    SumdbProofFailed = ("sumdb_proof_failed", Sumdb),
    /// Two tree heads are inconsistent: the log forked.
    SumdbFork = ("sumdb_fork", Sumdb),
    /// The database's hash differs from go.sum or the download (Go's SECURITY ERROR).
    SumdbMismatch = ("sumdb_mismatch", Sumdb),

    /// Go's static host table rejects the path (e.g. `invalid github.com import path`),
    /// or the path is one of Go's hard-coded non-modules.
    VcsPathInvalid = ("vcs_path_invalid", Vcs),
    /// The go-get page has no `go-import` meta tag for the path (often a login page).
    VcsMetaNotFound = ("vcs_meta_not_found", Vcs),
    /// go-import meta tags conflict, or a prefix page disagrees with the path page.
    VcsMetaConflict = ("vcs_meta_conflict", Vcs),
    /// The go-import tag names an unusable repository root or an unknown VCS.
    VcsRepoInvalid = ("vcs_repo_invalid", Vcs),
    /// GOVCS (or its default) forbids the version control tool this path needs.
    VcsDisallowed = ("vcs_disallowed", Vcs),
    /// The repository has no such tag, branch or commit (`unknown revision`).
    VcsUnknownRevision = ("vcs_unknown_revision", Vcs),
    /// The module is not where its version says in the repository (missing or
    /// mismatched go.mod, wrong major version, bad pseudo-version).
    VcsModuleInvalid = ("vcs_module_invalid", Vcs),
    /// git is not installed (not on PATH): the go command cannot fetch direct git
    /// modules either.
    GitNotInstalled = ("git_not_installed", Vcs),
    /// git needed credentials and had no way to get them (`terminal prompts
    /// disabled`), or the server refused the ones it had.
    GitAuthRequired = ("git_auth_required", Vcs),
    /// git reached the server, which has no such repository.
    GitRepoNotFound = ("git_repo_not_found", Vcs),
    /// git could not reach the server over http(s) (name, connection or git's own
    /// proxy).
    GitUnreachable = ("git_unreachable", Vcs),
    /// git does not trust the server's certificate (git's CA settings, not Go's).
    GitTls = ("git_tls", Vcs),
    /// A git command did not finish within --timeout (the go command would still be
    /// waiting).
    GitTimeout = ("git_timeout", Vcs),
    /// A git command failed for another reason: its own last line says why.
    GitFailed = ("git_failed", Vcs),
    /// Nothing listens on the SSH port git was sent to.
    SshRefused = ("ssh_refused", Vcs),
    /// The SSH port does not answer (a firewall drops it).
    SshTimeout = ("ssh_timeout", Vcs),
    /// The SSH host name does not resolve.
    SshHostUnknown = ("ssh_host_unknown", Vcs),
    /// ssh does not know the server's host key and cannot ask (known_hosts).
    SshHostKeyUnknown = ("ssh_host_key_unknown", Vcs),
    /// The server's host key differs from the one in known_hosts.
    SshHostKeyChanged = ("ssh_host_key_changed", Vcs),
    /// The SSH server refused every key ssh offered (no agent, no key, or a key the
    /// server does not know).
    SshAuthFailed = ("ssh_auth_failed", Vcs),
    /// There is no ssh client for git to run.
    SshNoClient = ("ssh_no_client", Vcs),
    /// (warning) git fetches the repository over plain http and would send
    /// credentials (a ~/.netrc entry, a credential helper) unencrypted with it.
    GitCredentialsOverHttp = ("git_credentials_over_http", Vcs),

    /// An answer or file is larger, or has more entries, than this tool's own limit
    /// (given in the message) where the go command has none or a higher one: the
    /// tool refused it; the go command might accept it.
    LimitExceeded = ("limit_exceeded", Internal),
    /// This machine ran out of something the probe needs: file descriptors (`too many
    /// open files`: raise `ulimit -n`, or lower -j), memory, or local ports.
    LocalResource = ("local_resource", Internal),
    /// The probe was not performed because it is not implemented yet.
    NotImplemented = ("not_implemented", Internal),
    /// A fault in the tool itself; please report it.
    InternalError = ("internal_error", Internal),
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a record is not ok: `{code, layer, message, detail, go_error, hint}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ErrorInfo {
    /// Stable code from the taxonomy.
    pub code: Code,
    /// The code's layer (repeated so `jq` can group without a table).
    pub layer: Layer,
    /// One plain sentence saying what is wrong.
    pub message: String,
    /// The raw lower-level error, if any.
    pub detail: Option<String>,
    /// The line the go command prints for the same failure; None where it prints
    /// none (it would keep waiting on a silent server, or never makes the request).
    pub go_error: Option<String>,
    /// What to change, naming the exact variable and value where one fixes it.
    pub hint: Option<String>,
}

impl ErrorInfo {
    /// An error with a code and message; add the rest with the builder methods.
    pub fn new(code: Code, message: impl Into<String>) -> ErrorInfo {
        ErrorInfo {
            code,
            layer: code.layer(),
            message: scrub(&message.into()),
            detail: None,
            go_error: None,
            hint: None,
        }
    }

    /// Sets the raw lower-level error text.
    pub fn detail(mut self, detail: impl Into<String>) -> ErrorInfo {
        self.detail = Some(scrub(&detail.into()));
        self
    }

    /// Sets the text the go command prints for this failure.
    pub fn go_error(mut self, go_error: impl Into<String>) -> ErrorInfo {
        self.go_error = Some(scrub(&go_error.into()));
        self
    }

    /// Sets the advice.
    pub fn hint(mut self, hint: impl Into<String>) -> ErrorInfo {
        self.hint = Some(scrub(&hint.into()));
        self
    }
}

/// Something that works but is wrong or risky: `{code, message, hint, go_error}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Warning {
    /// Stable code from the taxonomy.
    pub code: Code,
    /// One plain sentence.
    pub message: String,
    /// What to change.
    pub hint: Option<String>,
    /// What the go command prints about it, when it prints anything.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub go_error: Option<String>,
}

impl Warning {
    /// A warning with a code, message and optional hint.
    pub fn new(code: Code, message: impl Into<String>, hint: Option<String>) -> Warning {
        Warning {
            code,
            message: scrub(&message.into()),
            hint: hint.map(|h| scrub(&h)),
            go_error: None,
        }
    }

    /// Sets the text the go command prints about it.
    pub fn go_error(mut self, go_error: impl Into<String>) -> Warning {
        self.go_error = Some(scrub(&go_error.into()));
        self
    }
}

/// A record type's own fields, and how the record reads as one line of text.
pub trait RecordBody: Serialize {
    /// The record's `type`.
    const TYPE: &'static str;
    /// One readable line for `--format text`, without the error and hint (the
    /// printer adds those). It must already be sanitized for a terminal.
    fn text(&self) -> String;

    /// Whether the text line leads with `FAIL` although the record itself is ok: a
    /// summary of a run in which records failed.
    fn text_failed(&self) -> bool {
        false
    }
}

/// A record body whose fields are documented for the `gomod-tools(7)` reference. A test
/// checks that the documented names are exactly the serialized ones.
pub trait Documented {
    /// `(field, description)` for every field of the body, in wire order.
    const FIELDS: &'static [(&'static str, &'static str)];
}

/// One output record: envelope plus the body's fields, ready to print.
#[derive(Clone, Debug)]
pub struct Record {
    /// The record `type`.
    pub kind: &'static str,
    /// The body's fields as JSON, without the surrounding braces (`"module":"x",...`),
    /// in declaration order; serialized once, when the record is made.
    body_json: String,
    /// The body's one-line text form.
    pub text: String,
    /// Whether the text form says FAIL although the record is ok (see
    /// [`RecordBody::text_failed`]).
    text_failed: bool,
    /// Why the record is not ok, if it is not.
    pub error: Option<ErrorInfo>,
    /// Things that work but are wrong or risky.
    pub warnings: Vec<Warning>,
    /// When the probe finished.
    pub finished: SystemTime,
    /// How long the probe took.
    pub elapsed: Duration,
}

impl Record {
    /// Builds a record from a typed body and the probe's outcome.
    pub fn new<B: RecordBody>(
        body: &B,
        error: Option<ErrorInfo>,
        warnings: Vec<Warning>,
        elapsed: Duration,
    ) -> Record {
        // A body is a struct and always serializes to an object; should one fail, the
        // record still goes out, saying so, rather than taking the run down.
        let object = serde_json::to_string(body)
            .unwrap_or_else(|e| format!("{{\"body_error\":{}}}", json_string(&e.to_string())));
        let body_json = object
            .strip_prefix('{')
            .and_then(|o| o.strip_suffix('}'))
            .unwrap_or("")
            .to_string();
        Record {
            kind: B::TYPE,
            body_json,
            text: body.text(),
            text_failed: body.text_failed(),
            error,
            warnings,
            finished: SystemTime::now(),
            elapsed,
        }
    }

    /// True when nothing failed.
    pub fn ok(&self) -> bool {
        self.error.is_none()
    }

    /// The record as one compact JSON line (without the newline): the envelope's
    /// leading fields, the body's fields, then the envelope's trailing fields.
    pub fn to_json_line(&self, tool: &str) -> String {
        let elapsed_ms = u64::try_from(self.elapsed.as_millis()).unwrap_or(u64::MAX);
        let separator = if self.body_json.is_empty() { "" } else { "," };
        format!(
            "{{\"type\":{},\"tool\":{},\"v\":{SCHEMA_VERSION},\"ts\":\"{}\"{separator}{},\"ok\":{},\"error\":{},\"warnings\":{},\"elapsed_ms\":{elapsed_ms}}}",
            json_string(self.kind),
            json_string(tool),
            rfc3339(self.finished),
            self.body_json,
            self.ok(),
            serde_json::to_string(&self.error).unwrap_or_else(|_| "null".to_string()),
            serde_json::to_string(&self.warnings).unwrap_or_else(|_| "[]".to_string()),
        )
    }

    /// The record as one line of text: the body's line, then the error and hint.
    pub fn to_text_line(&self) -> String {
        self.text_line(false)
    }

    /// The record as one line of text, coloured for a terminal when `color` is set:
    /// `FAIL` and the error in red, warnings in yellow, `ok` in green. The colour
    /// codes are the only control characters in the line: every text in it is
    /// sanitized.
    pub fn text_line(&self, color: bool) -> String {
        let paint = |style: Style, text: &str| -> String {
            if color {
                format!("{}{text}{RESET}", style.code())
            } else {
                text.to_string()
            }
        };
        let mut line = String::new();
        if self.ok() && !self.text_failed {
            line.push_str(&paint(Style::Ok, "ok"));
            line.push_str("   ");
        } else {
            line.push_str(&paint(Style::Fail, "FAIL"));
            line.push(' ');
        }
        line.push_str(&self.text);
        if let Some(err) = &self.error {
            line.push_str(" | ");
            line.push_str(&paint(
                Style::Error,
                &format!("{}: {}", err.code, untrusted(&err.message, 400)),
            ));
            if let Some(hint) = &err.hint {
                line.push_str(&format!(" | hint: {}", untrusted(hint, 400)));
            }
        }
        for w in &self.warnings {
            let mut warning = format!("warning {}: {}", w.code, untrusted(&w.message, 300));
            if let Some(hint) = &w.hint {
                warning.push_str(&format!(" (hint: {})", untrusted(hint, 300)));
            }
            line.push_str(" | ");
            line.push_str(&paint(Style::Warning, &warning));
        }
        line
    }
}

/// The colours of the text form.
#[derive(Clone, Copy)]
enum Style {
    Ok,
    Fail,
    Error,
    Warning,
}

/// Ends a coloured span.
const RESET: &str = "\x1b[0m";

impl Style {
    /// The SGR sequence that starts the style.
    fn code(self) -> &'static str {
        match self {
            Style::Ok => "\x1b[32m",
            Style::Fail => "\x1b[1;31m",
            Style::Error => "\x1b[31m",
            Style::Warning => "\x1b[33m",
        }
    }
}

/// A string as a JSON string literal.
fn json_string(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| "\"\"".to_string())
}

/// Formats a time as RFC 3339 UTC with second precision (`2026-11-21T10:00:00Z`).
pub fn rfc3339(time: SystemTime) -> String {
    humantime::format_rfc3339_seconds(time).to_string()
}

/// The `summary` record written with `--summary`: counts of records and codes. Its
/// field names stay clear of the envelope's `ok` and `warnings`.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Summary {
    /// Records written (not counting this one).
    pub records: u64,
    /// Records with `ok: true`.
    pub passed: u64,
    /// Records with `ok: false`.
    pub failed: u64,
    /// Error codes and how many records carry each.
    pub error_codes: BTreeMap<String, u64>,
    /// Warning codes and how many times each was given.
    pub warning_codes: BTreeMap<String, u64>,
}

impl Summary {
    /// Counts one record.
    pub fn add(&mut self, record: &Record) {
        self.records += 1;
        match &record.error {
            None => self.passed += 1,
            Some(err) => {
                self.failed += 1;
                *self
                    .error_codes
                    .entry(err.code.as_str().to_string())
                    .or_default() += 1;
            }
        }
        for w in &record.warnings {
            *self
                .warning_codes
                .entry(w.code.as_str().to_string())
                .or_default() += 1;
        }
    }
}

impl RecordBody for Summary {
    const TYPE: &'static str = "summary";
    fn text(&self) -> String {
        let counts = |codes: &BTreeMap<String, u64>| {
            codes
                .iter()
                .map(|(code, n)| format!("{code} {n}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut line = format!(
            "summary: {} records, {} ok, {} failed",
            self.records, self.passed, self.failed
        );
        if !self.error_codes.is_empty() {
            line.push_str(&format!(" (errors: {})", counts(&self.error_codes)));
        }
        if !self.warning_codes.is_empty() {
            line.push_str(&format!(" (warnings: {})", counts(&self.warning_codes)));
        }
        line
    }

    fn text_failed(&self) -> bool {
        self.failed > 0
    }
}

/// The body of an `input_error` record: a line of input that could not be used.
#[derive(Clone, Debug, Serialize)]
pub struct InputErrorBody {
    /// Where the input came from: `arg`, `stdin` or the file name.
    pub source: String,
    /// 1-based line number within that source (argument index for `arg`).
    pub line: u64,
    /// The offending text, sanitized and cut to 200 bytes.
    pub input: String,
}

impl RecordBody for InputErrorBody {
    const TYPE: &'static str = "input_error";
    /// `input stdin line 3: TEXT`, `input argument 2: TEXT`.
    fn text(&self) -> String {
        let place = match (self.source.as_str(), self.line) {
            ("internal", _) => return "internal error".to_string(),
            ("arg", n) => format!("argument {n}"),
            (source, 0) => untrusted(source, 300),
            (source, n) => format!("{} line {n}", untrusted(source, 300)),
        };
        if self.input.is_empty() {
            format!("input {place}")
        } else {
            format!("input {place}: {}", self.input)
        }
    }
}

/// Makes text from an untrusted source safe to show: credentials are removed
/// ([`crate::redact::scrub`], before anything is cut), control characters, bidi
/// overrides and other invisible formatting characters are escaped as Go's `%q` escapes
/// them (`\x1b`, `\n`, `\u202e`), and the result is cut at `max_bytes` (on a character
/// boundary) with a `…[truncated]` mark. A known secret that the escapes spell anew is
/// removed from the result too.
pub fn untrusted(text: &str, max_bytes: usize) -> String {
    untrusted_keeping(text, max_bytes, |_| false)
}

/// [`untrusted`] for text of several lines (the go command's multi-line errors): new
/// lines and tabs are kept as they are.
pub fn untrusted_lines(text: &str, max_bytes: usize) -> String {
    untrusted_keeping(text, max_bytes, |c| c == '\n' || c == '\t')
}

/// Control, bidi and invisible formatting characters escaped as [`untrusted`] escapes
/// them, and nothing else done: no credentials removed, nothing cut.
pub fn escape_unsafe(text: &str) -> String {
    escape_and_cut(text, usize::MAX, |_| false)
}

/// How far past the cut [`untrusted`] looks for credentials: a secret that begins
/// before the cut ends within it.
const SCRUB_MARGIN: usize = 64 * 1024;

fn untrusted_keeping(text: &str, max_bytes: usize, keep: impl Fn(char) -> bool) -> String {
    let limit = max_bytes.saturating_add(SCRUB_MARGIN);
    let scrubbed = if text.len() > limit {
        let mut cut = limit;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        crate::redact::scrub_cut(&text[..cut])
    } else {
        scrub(text)
    };
    // Escaping may spell a secret anew (a password holding `\r` as text, next to a
    // carriage return in the body).
    crate::redact::scrub_known(&escape_and_cut(&scrubbed, max_bytes, keep))
}

fn escape_and_cut(text: &str, max_bytes: usize, keep: impl Fn(char) -> bool) -> String {
    let mut out = String::with_capacity(text.len().min(max_bytes.saturating_add(16)));
    for c in text.chars() {
        if out.len() >= max_bytes {
            out.push_str("…[truncated]");
            return out;
        }
        if is_unsafe_char(c) && !keep(c) {
            crate::goquote::push_rune_escape(&mut out, c);
        } else {
            out.push(c);
        }
    }
    out
}

fn is_unsafe_char(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_snake_case_and_documented() {
        let mut seen = std::collections::HashSet::new();
        for code in Code::ALL {
            let name = code.as_str();
            assert!(seen.insert(name), "duplicate code {name}");
            assert!(
                // Digits as in http2_stream_reset, the name the issue and go#51323 use.
                name.starts_with(|c: char| c.is_ascii_lowercase())
                    && name
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
                "{name} is not snake_case"
            );
            assert!(!code.description().is_empty(), "{name} has no description");
            let layer = code.layer().as_str();
            // Codes start with their layer's name where the layer has a prefix of its own.
            if matches!(
                code.layer(),
                Layer::Dns | Layer::Tcp | Layer::Tls | Layer::Http | Layer::Proxy
            ) {
                assert!(name.starts_with(layer), "{name} is not in layer {layer}");
            }
        }
    }

    #[test]
    fn untrusted_escapes_and_truncates() {
        assert_eq!(untrusted("a\x1b[31mb", 100), "a\\x1b[31mb");
        assert_eq!(untrusted("x\u{202e}y", 100), "x\\u202ey");
        assert_eq!(untrusted("a\nb\tc", 100), "a\\nb\\tc");
        assert_eq!(untrusted_lines("a\nb\tc\x1b", 100), "a\nb\tc\\x1b");
        assert_eq!(untrusted("abcdef", 3), "abc…[truncated]");
        assert_eq!(untrusted("ééé", 3), "éé…[truncated]");
    }

    #[test]
    fn record_line_has_envelope_around_body() {
        let summary = Summary {
            records: 2,
            passed: 1,
            failed: 1,
            ..Summary::default()
        };
        let err = ErrorInfo::new(Code::HttpNotFound, "not found");
        let record = Record::new(&summary, Some(err), vec![], Duration::from_millis(12));
        let line = record.to_json_line("gomod-resolve");
        let value: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(value["type"], "summary");
        assert_eq!(value["tool"], "gomod-resolve");
        assert_eq!(value["v"], 1);
        assert_eq!(value["ok"], false);
        assert_eq!(value["error"]["code"], "http_not_found");
        assert_eq!(value["error"]["layer"], "http");
        assert_eq!(value["elapsed_ms"], 12);
        assert_eq!(value["records"], 2);
        let keys: Vec<&str> = value
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(&keys[..4], ["type", "tool", "v", "ts"]);
        assert_eq!(
            &keys[keys.len() - 4..],
            ["ok", "error", "warnings", "elapsed_ms"]
        );
    }
}
