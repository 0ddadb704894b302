//! Man pages: one per tool from its clap definition, and `gomod-tools(7)`, the
//! reference for every record type and error code, generated from [`crate::record`]
//! so that it cannot drift from the code.

use roff::{Roff, bold, roman};

use crate::record::dns::DnsBody;
use crate::record::env::EnvBody;
use crate::record::fetch::FetchBody;
use crate::record::route::RouteBody;
use crate::record::tls::TlsBody;
use crate::record::{Code, Documented, Layer};

/// The tools, with a one-line summary each, for SEE ALSO and the reference page.
pub const TOOLS: &[(&str, &str)] = &[
    (
        "gomod-resolve",
        "how Go would route a module: proxies, fall-through rules, direct VCS, checksum database, and why",
    ),
    (
        "gomod-dnscheck",
        "how each host resolves, the way Go resolves it, and against other resolvers",
    ),
    (
        "gomod-tlscheck",
        "TCP, CONNECT proxy, TLS handshake, certificate chain, trust and interception",
    ),
    (
        "gomod-fetch",
        "the GOPROXY protocol with Go's fall-through, retries, h1 hashes and a module cache Go accepts",
    ),
    (
        "gomod-sumverify",
        "go.sum against computed hashes and the checksum database, with real proofs",
    ),
];

/// The date in every page's title line. It changes with releases, not with builds,
/// so that the committed pages stay reproducible.
pub const MAN_DATE: &str = "2026-11-21";

/// Environment variables every tool reads, for the ENVIRONMENT section.
const ENVIRONMENT: &[(&str, &str)] = &[
    (
        "GOPROXY, GONOPROXY, GOPRIVATE, GONOSUMDB, GOSUMDB, GOINSECURE, GOVCS, GOAUTH, GOFLAGS, GOPATH, GOMODCACHE, GOTOOLCHAIN",
        "read as the go command reads them: a non-empty process variable, then the go env file, then $GOROOT/go.env, then Go's default",
    ),
    (
        "GOENV",
        "the go env file (off disables it); default $XDG_CONFIG_HOME/go/env or $HOME/.config/go/env",
    ),
    (
        "GOROOT, PATH",
        "locate the Go installation whose go.env and version apply; without one, newest Go's defaults are used",
    ),
    (
        "HTTPS_PROXY, HTTP_PROXY, NO_PROXY",
        "and their lower-case forms: the HTTP proxy, chosen by Go's rules (process environment only)",
    ),
    (
        "NETRC",
        "the netrc file (default $HOME/.netrc), read and matched as the go release in use does: go1.23 and older read it always and match the host name; go1.24 and later read it when GOAUTH includes netrc and match URL prefixes, in which the port counts",
    ),
    (
        "SSL_CERT_FILE, SSL_CERT_DIR",
        "Go's trust store on Linux: the file replaces the bundle list, the directory list replaces /etc/ssl/certs and /etc/pki/tls/certs",
    ),
];

/// Renders a tool's man page: the clap sections, then EXAMPLES (from the command's
/// long after-help), EXIT STATUS, ENVIRONMENT and SEE ALSO.
pub fn tool_page(cmd: clap::Command, out: &mut Vec<u8>) -> std::io::Result<()> {
    let name = cmd.get_name().to_string();
    let examples = cmd.get_after_long_help().map(|s| s.to_string());
    let cmd = cmd
        .after_help(None::<&'static str>)
        .after_long_help(None::<&'static str>);
    let man = clap_mangen::Man::new(cmd)
        .manual("gomod-tools")
        .date(MAN_DATE)
        .source(format!("gomod-tools {}", env!("CARGO_PKG_VERSION")));
    man.render_title(out)?;
    man.render_name_section(out)?;
    man.render_synopsis_section(out)?;
    man.render_description_section(out)?;
    man.render_options_section(out)?;

    let mut roff = Roff::new();
    if let Some(examples) = examples {
        roff.control("SH", ["EXAMPLES"]);
        roff.control("nf", [] as [&str; 0]);
        for line in examples.lines() {
            roff.text([roman(line)]);
        }
        roff.control("fi", [] as [&str; 0]);
    }
    exit_status_section(&mut roff);
    roff.control("SH", ["ENVIRONMENT"]);
    for (vars, what) in ENVIRONMENT {
        roff.control("TP", [] as [&str; 0]);
        roff.text([bold(*vars)]);
        roff.text([roman(*what)]);
    }
    see_also_section(&mut roff, &name);
    roff.to_writer(out)?;
    man.render_version_section(out)
}

fn exit_status_section(roff: &mut Roff) {
    roff.control("SH", ["EXIT STATUS"]);
    for (status, what) in [
        (
            "0",
            "every record is ok (warnings allowed); also when standard output was closed early, as by head(1)",
        ),
        ("1", "at least one record is not ok"),
        (
            "2",
            "a usage error (nothing to probe, as with an empty standard input, included), unreadable input, or an internal error; the message is on standard error",
        ),
    ] {
        roff.control("TP", [] as [&str; 0]);
        roff.text([bold(status)]);
        roff.text([roman(what)]);
    }
}

fn see_also_section(roff: &mut Roff, this: &str) {
    roff.control("SH", ["SEE ALSO"]);
    let mut refs: Vec<(String, &str)> = TOOLS
        .iter()
        .filter(|(t, _)| *t != this)
        .map(|(t, _)| (t.to_string(), "1"))
        .collect();
    if this != "gomod-tools" {
        refs.push(("gomod-tools".to_string(), "7"));
    }
    refs.push(("go".to_string(), "1"));
    refs.push(("jq".to_string(), "1"));
    let last = refs.len() - 1;
    for (i, (page, section)) in refs.iter().enumerate() {
        let sep = if i == last { "" } else { "," };
        roff.control("BR", [page.as_str(), &format!("({section}){sep}")]);
    }
}

/// Renders `gomod-tools(7)`: the record envelope, every record type's fields, and
/// every error code by layer.
pub fn reference_page(out: &mut Vec<u8>) -> std::io::Result<()> {
    let mut roff = Roff::new();
    roff.control(
        "TH",
        [
            "GOMOD-TOOLS",
            "7",
            MAN_DATE,
            &format!("gomod-tools {}", env!("CARGO_PKG_VERSION")),
            "gomod-tools",
        ],
    );
    roff.control("SH", ["NAME"]);
    roff.text([roman(
        "gomod-tools - records and error codes of the gomod tools",
    )]);

    roff.control("SH", ["DESCRIPTION"]);
    roff.text([roman(
        "The gomod tools find out why the go command cannot download modules. Each tool does one probe, exactly as Go would do it on this machine, and writes one JSON object per line to standard output. The tools read each other's records on standard input, so they chain with pipes and jq(1):",
    )]);
    roff.control("PP", [] as [&str; 0]);
    roff.control("nf", [] as [&str; 0]);
    roff.control("RS", ["4"]);
    roff.text([roman(
        "gomod-resolve -m go.mod | gomod-dnscheck | gomod-tlscheck | jq 'select(.ok|not)'",
    )]);
    roff.control("RE", [] as [&str; 0]);
    roff.control("fi", [] as [&str; 0]);
    roff.control("PP", [] as [&str; 0]);
    roff.text([roman("The tools:")]);
    for (tool, what) in TOOLS {
        roff.control("TP", [] as [&str; 0]);
        roff.text([bold(*tool), roman("(1)")]);
        roff.text([roman(*what)]);
    }

    input_section(&mut roff);
    time_limits_section(&mut roff);
    files_section(&mut roff);

    roff.control("SH", ["RECORDS"]);
    roff.text([roman(
        "Every record is one compact JSON object on one line, UTF-8, with snake_case field names. Within a schema version, changes only add fields. These fields are common to every record:",
    )]);
    for (field, what) in ENVELOPE_FIELDS {
        roff.control("TP", [] as [&str; 0]);
        roff.text([bold(*field)]);
        roff.text([roman(*what)]);
    }
    roff.control("PP", [] as [&str; 0]);
    roff.text([roman(
        "Secrets never appear: passwords in URLs become ***, netrc passwords and Authorization headers are never written. Text that comes from the network is length-limited and its control characters are escaped.",
    )]);

    record_type_section(
        &mut roff,
        "env",
        "written by gomod-resolve --env: Go's effective configuration.",
        EnvBody::FIELDS,
    );
    record_type_section(
        &mut roff,
        "route",
        "written by gomod-resolve: how the go command would fetch one module.",
        RouteBody::FIELDS,
    );
    record_type_section(
        &mut roff,
        "dns",
        "written by gomod-dnscheck: how one host resolves with one resolver.",
        DnsBody::FIELDS,
    );
    record_type_section(
        &mut roff,
        "tls",
        "written by gomod-tlscheck: one connection to one endpoint as Go's HTTPS client makes it.",
        TlsBody::FIELDS,
    );
    record_type_section(
        &mut roff,
        "fetch",
        "written by gomod-fetch: one module version fetched through the GOPROXY list as the go command fetches it.",
        FetchBody::FIELDS,
    );
    record_type_section(
        &mut roff,
        "sum",
        "written by gomod-sumverify: one module version's hashes from go.sum, from its content and from the checksum database, compared.",
        crate::record::sum::SumBody::FIELDS,
    );
    record_type_section(
        &mut roff,
        "input_error",
        "written by every tool for an input line it cannot use.",
        INPUT_ERROR_FIELDS,
    );
    record_type_section(
        &mut roff,
        "summary",
        "written last with --summary.",
        SUMMARY_FIELDS,
    );

    roff.control("SH", ["ERROR CODES"]);
    roff.text([roman(
        "error.code and warnings[].code take these values. Each belongs to a layer, given in error.layer. Codes are stable: scripts may match on them.",
    )]);
    let mut layers: Vec<Layer> = Code::ALL.iter().map(|c| c.layer()).collect();
    layers.dedup();
    for layer in layers {
        roff.control("SS", [format!("Layer {}", layer.as_str()).as_str()]);
        for code in Code::ALL.iter().filter(|c| c.layer() == layer) {
            roff.control("TP", [] as [&str; 0]);
            roff.text([bold(code.as_str())]);
            roff.text([roman(code.description())]);
        }
    }
    exit_status_section(&mut roff);
    see_also_section(&mut roff, "gomod-tools");
    roff.to_writer(out)
}

/// How every tool reads its targets, and the limits on what it echoes.
fn input_section(roff: &mut Roff) {
    use crate::endpoints::MAX_HOST_BYTES;
    use crate::input::{ECHO_BYTES, MAX_LINE_BYTES, MAX_TARGET_BYTES};
    roff.control("SH", ["INPUT"]);
    roff.text([roman(
        "Every tool takes targets as arguments, from files given with -f, or, when it is given none and standard input is not a terminal, from standard input: one per line, either a plain target or a JSON object (usually another tool's record, of which the tool takes the fields it understands). Blank lines and lines starting with # are skipped. Input that holds no target at all (an empty standard input included) is a usage error: the tool says there is nothing to probe and exits with status 2.",
    )]);
    roff.control("PP", [] as [&str; 0]);
    roff.text([roman(
        "Endpoints keep their scheme and port down a pipe. A record names endpoints in host (with port and scheme), endpoints[], sumdb, proxy, vcs.repo, and the URLs of a fetch record's attempts; a port field wins over the port of a URL, and the scheme's default port applies only where a record names none. gomod-dnscheck writes one record per host, scheme and port, so gomod-tlscheck after it connects where the go command does.",
    )]);
    roff.control("PP", [] as [&str; 0]);
    roff.text([roman(format!(
        "Untrusted input is echoed once, cut short. A target (a plain line, or a module path, version, query, URL or file name taken from a record) is at most {MAX_TARGET_BYTES} bytes, a host name at most {MAX_HOST_BYTES} (a DNS name's length), a line at most {MAX_LINE_BYTES} bytes (the rest of a longer line is skipped unread). Anything longer is not probed: it gets an input_error record that echoes its first {ECHO_BYTES} bytes, and no other field repeats it."
    ))]);
}

/// The one rule that bounds every probe in time (`crate::net::bounds`).
fn time_limits_section(roff: &mut Roff) {
    use crate::net::bounds::{DEFAULT_DEADLINE, MIN_BODY_RATE};
    roff.control("SH", ["TIME LIMITS"]);
    roff.text([roman(
        "The go command waits without limit for a server that accepts a connection and then says nothing, or trickles its answer a byte at a time. Every tool bounds every probe by one rule instead:",
    )]);
    for (what, how) in [
        (
            "connecting",
            "each TCP connection attempt ends after --connect-timeout (default 30s, the go command's own dial limit)".to_string(),
        ),
        (
            "waiting",
            "for an answer (a DNS reply, a TLS handshake, an HTTP response's headers) ends after --timeout (default 60s)".to_string(),
        ),
        (
            "receiving",
            format!("a body must bring at least {MIN_BODY_RATE} bytes per second, counted over each window of --timeout (as curl's --speed-limit {MIN_BODY_RATE} with --speed-time set to the timeout): a large zip on a slow but moving link is never cut off, a trickle or a stall is"),
        ),
        (
            "one probe",
            format!("everything done for one target (its requests, retries and fall-backs) ends after --deadline (default {DEFAULT_DEADLINE}): no request starts after it, and one under way stops"),
        ),
    ] {
        roff.control("TP", [] as [&str; 0]);
        roff.text([bold(what)]);
        roff.text([roman(how)]);
    }
    roff.control("PP", [] as [&str; 0]);
    roff.text([roman(
        "A request stopped by this rule is http_timeout (or the layer's own timeout code), and its message says which limit ended it and that the go command would have kept waiting. Memory is bounded too: zips are checked from a temporary file, and version lists are parsed as they arrive, never held whole.",
    )]);
}

/// How files named by the user, the environment or found on disk are read
/// (`crate::regular`), and what the tools write.
fn files_section(roff: &mut Roff) {
    use crate::regular;
    roff.control("SH", ["FILES"]);
    roff.text([roman(
        "A file the tools read (a go.mod given with -m, a go.sum, the netrc file, resolv.conf, hosts and nsswitch.conf, the go env file, certificate files and the files of SSL_CERT_DIR, the checksum database's state and the go command's latest tree head, files behind a file:// GOPROXY, the files of a module cache) must be a regular file, after symbolic links. A named pipe or a device is refused with its reason (a named pipe, not a regular file: refused) where the go command would wait forever or read without end. No file is read further than the size it had when opened, so the pseudo-files of /proc, which announce no size, read as empty. Each kind has a size limit, and a larger file is refused, naming the limit:",
    )]);
    for limit in [
        regular::GO_MOD,
        regular::GO_SUM,
        regular::NETRC,
        regular::GO_ENV,
        regular::RESOLVER_CONF,
        regular::HOSTS,
        regular::CERTIFICATES,
        regular::SUMDB_NOTE,
        regular::MODULE_ZIP,
        regular::MODULE_FILE,
        regular::ZIPHASH,
    ] {
        roff.control("TP", [] as [&str; 0]);
        roff.text([bold(limit.what)]);
        roff.text([roman(format!("{} bytes", limit.bytes))]);
    }
    roff.control("PP", [] as [&str; 0]);
    roff.text([roman(
        "Targets read with -f and standard input may be pipes: that is what they are for.",
    )]);
    roff.control("PP", [] as [&str; 0]);
    roff.text([roman(
        "What the tools write: gomod-fetch --cache writes a version only when its record is ok (the go command would build from a cached .mod or .zip whatever else failed), each file through a temporary file renamed into place. Temporary files are named .TOOL-OWNER-PID-UNIQUE.tmp; a tool removes those a killed run of the same tool left in a directory it writes into, once their process no longer runs on this machine or a day after their last change, and never a symbolic link, another user's file or another program's. gomod-sumverify keeps the checksum database's state under --state-dir, and refuses a GOSUMDB name that is not a clean host[/path] (gosumdb_unsafe_name), which the go command accepts.",
    )]);
}

fn record_type_section(roff: &mut Roff, name: &str, what: &str, fields: &[(&str, &str)]) {
    roff.control("SS", [format!("Record type {name}").as_str()]);
    roff.text([roman(format!(
        "The {name} record is {what} Its own fields:"
    ))]);
    for (field, description) in fields {
        roff.control("TP", [] as [&str; 0]);
        roff.text([bold(*field)]);
        roff.text([roman(*description)]);
    }
}

/// The envelope fields, documented once here and in [`crate::record`].
pub const ENVELOPE_FIELDS: &[(&str, &str)] = &[
    (
        "type",
        "the record type: env, route, dns, tls, fetch, sum, input_error, summary",
    ),
    ("tool", "the tool that wrote the record"),
    ("v", "the schema version, 1"),
    ("ts", "RFC 3339 UTC time at which the probe finished"),
    ("ok", "true when nothing failed (warnings allowed)"),
    (
        "error",
        "null, or {code, layer, message, detail, go_error, hint}: message is one plain sentence, detail the raw lower-level error, go_error the line the go command prints for the same failure, hint what to change, naming the variable and value where one fixes it",
    ),
    (
        "warnings",
        "list of {code, message, hint, go_error}: things that work but are wrong or risky",
    ),
    ("elapsed_ms", "wall time of the probe in milliseconds"),
];

/// The `input_error` record's fields.
pub const INPUT_ERROR_FIELDS: &[(&str, &str)] = &[
    (
        "source",
        "where the line came from: arg, stdin, or the file name",
    ),
    ("line", "the 1-based line (or argument) number"),
    (
        "input",
        "the offending text, sanitized and cut to its first 200 bytes (the only field that echoes it)",
    ),
];

/// The `summary` record's fields.
pub const SUMMARY_FIELDS: &[(&str, &str)] = &[
    ("records", "records written before the summary"),
    ("passed", "how many of them are ok"),
    ("failed", "how many are not ok"),
    (
        "error_codes",
        "object: error code to the number of records carrying it",
    ),
    (
        "warning_codes",
        "object: warning code to the number of times it was given",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_names_every_code_and_field() {
        let mut out = Vec::new();
        reference_page(&mut out).unwrap();
        let page = String::from_utf8(out).unwrap();
        for code in Code::ALL {
            assert!(
                page.contains(&code.as_str().replace('_', "\\_")) || page.contains(code.as_str()),
                "{} missing",
                code.as_str()
            );
        }
        for (field, _) in RouteBody::FIELDS.iter().chain(EnvBody::FIELDS) {
            assert!(
                page.contains(&field.replace('_', "\\_")) || page.contains(field),
                "{field} missing"
            );
        }
    }
}
