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
    (
        "gomod-doctor",
        "runs the five tools in dependency order and names the root cause, what go prints for it and the fix",
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
        "GODEBUG",
        "read from the process environment only, as the go command reads it (go env -w refuses it; a later setting wins): tlsmlkem and tlssecpmlkem shape go's ClientHello, tlssha1=1 puts the SHA-1 signature algorithms back into it (go1.25 and later leave them out; gomod-tlscheck's hello probe follows, its own handshake never offers SHA-1), x509negativeserial=1 lets go1.23 and later accept certificates with a negative serial number, http2client=0 keeps go's HTTP client (and the tools) on HTTP/1.1; netdns changes no lookup of the go command: its distribution binaries are built without cgo, so the pure-Go resolver always answers (netdns=cgo is ignored) and gomod-dnscheck models that one; other settings have the defaults of the go release in use. A removed setting at its old value (tlsrsakex=1 and the others go1.27 removed) stops every go command (godebug_invalid). The go.mod godebug block sets defaults for programs built from the module, never for the go command's own downloads; go1.27 still refuses a go.mod whose godebug lines name an unknown setting or a removed one at its old value",
    ),
    (
        "HTTPS_PROXY, HTTP_PROXY, NO_PROXY",
        "and their lower-case forms: the HTTP proxy, chosen by Go's rules (process environment only)",
    ),
    (
        "NETRC",
        "the netrc file (default $HOME/.netrc), read and matched as the go release in use does: go1.23 and older read it always and match the host name; go1.24 and later read it when GOAUTH includes netrc and match URL prefixes, in which the port counts (an entry for the host that the port keeps from a request is named in the attempt's auth.note)",
    ),
    (
        "GOAUTH",
        "go1.24 and later: a ;-separated list of netrc (the default), git DIR (git credential fill run in the absolute directory DIR), any other command (split like GOFLAGS; it prints URL lines, a blank line, header lines, a blank line), or off alone. As go does: before the first https request every method runs once without a URL (git DIR does not); after any 4xx to an https request every method runs again, the URL as a command's last argument and the response's status line and headers on its input, and the request is sent once more; the method listed first wins for the same URL prefix, a longer prefix wins over a shorter one. Plain http requests get no GOAUTH or netrc credentials. An invalid value is error goauth_invalid with go's line at the first https request (and a gomod-resolve warning). Unlike go, each method runs bounded by --timeout in a session without a terminal (GIT_TERMINAL_PROMPT=0 and GCM_INTERACTIVE=never added unless set), and git credential approve/reject is never run (the user's credential store is not changed). Every fetch attempt's auth says which provider supplied credentials and its login, never the secret",
    ),
    (
        "GIT_TERMINAL_PROMPT, GCM_INTERACTIVE, GIT_SSH_COMMAND, GIT_CONFIG_GLOBAL, GIT_CONFIG_NOSYSTEM, HOME",
        "passed to git as the go command passes them (gomod-fetch runs git for direct modules; GIT_TERMINAL_PROMPT=0 and GCM_INTERACTIVE=never are added unless set): git's own configuration, insteadOf rules, proxies, CA files and credential helpers apply as they do for go",
    ),
    (
        "NO_COLOR",
        "when set and not empty, the text format is not coloured (unless --color always)",
    ),
    (
        "SSL_CERT_FILE, SSL_CERT_DIR",
        "Go's trust store on Linux: the file replaces the bundle list, the directory list replaces /etc/ssl/certs and /etc/pki/tls/certs",
    ),
];

/// Renders a tool's man page: the clap sections (with a SYNOPSIS of our own that names
/// every option's value), then EXAMPLES (from the command's long after-help), EXIT
/// STATUS, ENVIRONMENT and SEE ALSO; then [`tidy`] makes it lint-clean.
pub fn tool_page(cmd: clap::Command, out: &mut Vec<u8>) -> std::io::Result<()> {
    let name = cmd.get_name().to_string();
    let examples = cmd.get_after_long_help().map(|s| s.to_string());
    let mut cmd = cmd
        .after_help(None::<&'static str>)
        .after_long_help(None::<&'static str>);
    cmd.build();
    let man = clap_mangen::Man::new(cmd.clone())
        .title(name.to_uppercase())
        .manual("gomod-tools")
        .date(MAN_DATE)
        .source(format!("gomod-tools {}", env!("CARGO_PKG_VERSION")));
    let mut page = Vec::new();
    man.render_title(&mut page)?;
    man.render_name_section(&mut page)?;
    page.extend_from_slice(synopsis_section(&cmd).as_bytes());
    man.render_description_section(&mut page)?;
    man.render_options_section(&mut page)?;

    let mut roff = Roff::new();
    if let Some(examples) = examples {
        examples_section(&mut roff, &examples);
    }
    exit_status_section(&mut roff);
    roff.control("SH", ["ENVIRONMENT"]);
    for (vars, what) in ENVIRONMENT {
        roff.control("TP", [] as [&str; 0]);
        roff.text([bold(*vars)]);
        roff.text([roman(*what)]);
    }
    see_also_section(&mut roff, &name);
    roff.to_writer(&mut page)?;
    man.render_version_section(&mut page)?;
    out.extend_from_slice(tidy(&String::from_utf8_lossy(&page)).as_bytes());
    Ok(())
}

/// SYNOPSIS: the name, then every visible option with its value name
/// (`[--what LIST]`), then the operands. Each bracketed group is held together (an
/// unbreakable space, no hyphenation), so that no line ends inside one.
fn synopsis_section(cmd: &clap::Command) -> String {
    let word = |text: &str| text.replace('\\', "\\e").replace('-', "\\-");
    let value_name = |arg: &clap::Arg| {
        arg.get_value_names()
            .map(|names| names.join(" "))
            .unwrap_or_else(|| arg.get_id().as_str().to_uppercase())
    };
    let mut groups = vec![format!("\\fB\\%{}\\fR", word(cmd.get_name()))];
    for arg in cmd
        .get_arguments()
        .filter(|a| !a.is_hide_set() && !a.is_positional())
    {
        let name = match (arg.get_short(), arg.get_long()) {
            (Some(short), Some(long)) => format!(
                "\\fB{}\\fR|\\fB{}\\fR",
                word(&format!("-{short}")),
                word(&format!("--{long}"))
            ),
            (Some(short), None) => format!("\\fB{}\\fR", word(&format!("-{short}"))),
            (None, Some(long)) => format!("\\fB{}\\fR", word(&format!("--{long}"))),
            (None, None) => continue,
        };
        let value = if arg.get_num_args().is_some_and(|n| n.takes_values()) {
            format!("\\ \\fI{}\\fR", word(&value_name(arg)))
        } else {
            String::new()
        };
        groups.push(format!("\\%[{name}{value}]"));
    }
    for arg in cmd.get_positionals().filter(|a| !a.is_hide_set()) {
        let many = if arg.get_num_args().is_some_and(|n| n.max_values() > 1) {
            "..."
        } else {
            ""
        };
        groups.push(format!("\\%[\\fI{}\\fR]{many}", word(&value_name(arg))));
    }
    format!(".SH SYNOPSIS\n.ad l\n{}\n.ad\n", groups.join(" "))
}

/// EXAMPLES from a tool's examples text (see [`crate::app::command`]): a line indented
/// by two spaces says what an example does, a line indented by four is the command,
/// shown as is.
fn examples_section(roff: &mut Roff, examples: &str) {
    roff.control("SH", ["EXAMPLES"]);
    let mut commands: Vec<&str> = Vec::new();
    let mut first = true;
    let flush = |roff: &mut Roff, commands: &mut Vec<&str>| {
        if commands.is_empty() {
            return;
        }
        roff.control("RS", ["4"]);
        roff.control("nf", [] as [&str; 0]);
        for command in commands.drain(..) {
            roff.text([roman(command)]);
        }
        roff.control("fi", [] as [&str; 0]);
        roff.control("RE", [] as [&str; 0]);
    };
    for line in examples
        .lines()
        .skip_while(|l| l.trim_end().ends_with(':') && !l.starts_with(' '))
    {
        if let Some(command) = line.strip_prefix("    ") {
            commands.push(command);
        } else if !line.trim().is_empty() {
            flush(roff, &mut commands);
            if !first {
                roff.control("PP", [] as [&str; 0]);
            }
            first = false;
            roff.text([roman(line.trim())]);
        }
    }
    flush(roff, &mut commands);
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
        "The gomod tools find out why the go command cannot download modules. Each tool does one probe, exactly as Go would do it on this machine, and writes one record per line to standard output: a JSON object when standard output is a pipe or a file, a readable line of text (coloured unless NO_COLOR is set) when it is a terminal; --format and --json choose, -q writes nothing and leaves the verdict to the exit status. The tools read each other's records on standard input, so they chain with pipes and jq(1):",
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
    connections_section(&mut roff);
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
        "Secrets never appear, whatever their source and wherever they turn up, even when a server sends them back in an error body, a Location header or a JSON field (the go command prints such answers as they are). Every credential the tools know is replaced by *** in everything they write, records, errors and progress: the userinfo of GOPROXY, GOSUMDB and the proxy variables (with or without a scheme, with the colon percent-encoded or not), of arguments and input lines; every password of the netrc file; every login sent in a Basic header; as is, percent-encoded, in base64 (alone or as user:password) and escaped. Whatever has the shape of a credential goes too: the password of any scheme://user:password@host and what follows an Authorization or Proxy-Authorization header name. A password shorter than 6 characters is not searched for in free text, where it would match ordinary words, versions and hashes; it is still removed from URLs and Authorization headers, and its base64 forms are searched for. Text that comes from the network is length-limited and its control characters are escaped.",
    )]);

    roff.control("SS", ["The go_error field"]);
    roff.text([roman(GO_ERROR_INTRO)]);
    for (tool, what) in GO_ERROR_FORMS {
        roff.control("TP", [] as [&str; 0]);
        roff.text([bold(*tool)]);
        roff.text([roman(*what)]);
    }
    roff.control("PP", [] as [&str; 0]);
    roff.text([roman(GO_ERROR_NULL)]);

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
        "toolchain",
        "written by gomod-resolve --toolchain: which Go toolchain the go command runs for a go.mod or go.work (go1.27's rules: GOTOOLCHAIN, the go and toolchain lines), and how it downloads the toolchain module when it switches.",
        crate::record::toolchain::ToolchainBody::FIELDS,
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
        "diagnosis",
        "written last by gomod-doctor, after the records of the tools it ran (printed unchanged): whether the go command would succeed and, when not, the root cause. ok is true exactly when go would succeed; otherwise error is the root cause (code, layer, message, go_error: what go prints for it, hint) and exit status is 1.",
        crate::record::diagnosis::DiagnosisBody::FIELDS,
    );
    roff.control("PP", [] as [&str; 0]);
    roff.text([roman(DIAGNOSIS_CAUSES)]);
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
    out.extend_from_slice(tidy(&roff.render()).as_bytes());
    Ok(())
}

/// The longest input line `mandoc -Tlint -W style` accepts without a warning.
const MAX_LINE: usize = 80;

/// Makes a generated page clean for `mandoc -Tlint -W style` and readable as roff:
/// markdown `code` (from the doc comments shared with --help) becomes bold, trailing
/// white space goes, and text lines longer than 80 bytes are broken: at a space in
/// filled text, where a line break is a space; with `\c`, which joins the next line
/// on, in no-fill blocks such as example commands, so that a command still reads as
/// one line. The tag line after `.TP` stays whole (breaking it would move words into
/// the paragraph).
pub fn tidy(page: &str) -> String {
    let mut out = String::with_capacity(page.len() + page.len() / 16);
    let mut no_fill = false;
    let mut tag_line = false;
    for line in page.lines() {
        let line = line.trim_end();
        if line.starts_with('.') || line.starts_with('\'') {
            match line.split_whitespace().next() {
                Some(".nf") | Some(".EX") => no_fill = true,
                Some(".fi") | Some(".EE") => no_fill = false,
                _ => {}
            }
            tag_line = line == ".TP";
            out.push_str(line);
            out.push('\n');
            continue;
        }
        let line = code_to_bold(&ascii(line));
        let pieces = if tag_line || line.len() <= MAX_LINE {
            vec![line]
        } else if no_fill {
            split_joined(&line)
        } else {
            split_filled(&line)
        };
        tag_line = false;
        for piece in pieces {
            out.push_str(&piece);
            out.push('\n');
        }
    }
    out
}

/// Non-ASCII characters as roff's `\[uXXXX]` escapes, which is how mandoc measures
/// them (and what every roff reads whatever its input encoding).
fn ascii(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    for c in line.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            out.push_str(&format!("\\[u{:04X}]", u32::from(c)));
        }
    }
    out
}

/// `code` in markdown (a pair of backticks on one line) as bold roff.
fn code_to_bold(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + 8);
    let mut rest = line;
    while let Some(open) = rest.find('`') {
        let Some(close) = rest[open + 1..].find('`') else {
            break;
        };
        out.push_str(&rest[..open]);
        out.push_str("\\fB");
        out.push_str(&rest[open + 1..open + 1 + close]);
        out.push_str("\\fR");
        rest = &rest[open + 1 + close + 1..];
    }
    out.push_str(rest);
    out
}

/// Whether the space at byte `at` of `line` is a place to break: not escaped (`\ `),
/// not one of several, and not leaving a line that roff would read as a request.
fn breakable(line: &str, at: usize) -> bool {
    let before = &line.as_bytes()[..at];
    let backslashes = before.iter().rev().take_while(|&&b| b == b'\\').count();
    let next = line.as_bytes().get(at + 1).copied();
    backslashes % 2 == 0
        && at > 0
        && before.last() != Some(&b' ')
        && !matches!(next, None | Some(b' ') | Some(b'.') | Some(b'\''))
}

/// Breaks filled text at spaces into lines of at most 80 bytes (longer only where a
/// word is).
fn split_filled(line: &str) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut rest = line;
    while rest.len() > MAX_LINE {
        let spaces: Vec<usize> = rest
            .match_indices(' ')
            .map(|(i, _)| i)
            .filter(|&i| breakable(rest, i))
            .collect();
        let Some(at) = spaces
            .iter()
            .rev()
            .find(|&&i| i <= MAX_LINE)
            .or_else(|| spaces.first())
            .copied()
        else {
            break;
        };
        pieces.push(rest[..at].to_string());
        rest = &rest[at + 1..];
    }
    pieces.push(rest.to_string());
    pieces
}

/// Breaks a no-fill line after spaces into lines of at most 80 bytes that end in `\c`,
/// so that roff shows them as the one line they are.
fn split_joined(line: &str) -> Vec<String> {
    const ROOM: usize = MAX_LINE - 2;
    let mut pieces = Vec::new();
    let mut rest = line;
    while rest.len() > MAX_LINE {
        let ends: Vec<usize> = rest
            .match_indices(' ')
            .filter(|&(i, _)| breakable(rest, i))
            .map(|(i, _)| i + 1)
            .collect();
        let Some(at) = ends
            .iter()
            .rev()
            .find(|&&i| i <= ROOM)
            .or_else(|| ends.first())
            .copied()
        else {
            break;
        };
        pieces.push(format!("{}\\c", &rest[..at]));
        rest = &rest[at..];
    }
    pieces.push(rest.to_string());
    pieces
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

/// How requests share connections (`crate::net::transport`).
fn connections_section(roff: &mut Roff) {
    use crate::net::transport::MAX_HTTP1_CONNS_PER_HOST;
    roff.control("SH", ["CONNECTIONS"]);
    roff.text([roman(format!(
        "Requests to one host (scheme, host and port) share its connections, as in the go command's transport. Over HTTPS a server that offers h2 in ALPN gets HTTP/2: requests are streams of a connection, and a connection is opened only for requests that the connections open or being opened cannot carry within the server's limit of concurrent streams (100 until the server tells its own, as go assumes): a hundred requests at once make one dial and share its connection, three hundred make three dials that run at the same time, so that their handshakes and slow starts overlap (a stream the server refuses is sent again, as go does); a request that opens a connection takes a stream that ends meanwhile rather than wait for the handshakes, and the new connection serves the requests after it. Otherwise HTTP/1.1 with keep-alive: a connection goes back to its host's pool when a response body has been read to its end, and a host gets at most {MAX_HTTP1_CONNS_PER_HOST} connections at once; further requests wait for a free one (the go command has no such bound, but it never has hundreds of requests in flight). GODEBUG=http2client=0 in the environment turns HTTP/2 off as it does for go: ALPN then offers http/1.1 only. The attempts of a fetch record say which protocol each request used (proto: HTTP/1.1 or HTTP/2)."
    ))]);
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
        "the record type: env, route, dns, tls, fetch, sum, diagnosis, input_error, summary",
    ),
    ("tool", "the tool that wrote the record"),
    ("v", "the schema version, 1"),
    ("ts", "RFC 3339 UTC time at which the probe finished"),
    ("ok", "true when nothing failed (warnings allowed)"),
    (
        "error",
        "null, or {code, layer, message, detail, go_error, hint}: message is one plain sentence, detail the raw lower-level error, go_error the line the go command prints for the same failure (null where it prints none, see below), hint what to change, naming the variable and value where one fixes it",
    ),
    (
        "warnings",
        "list of {code, message, hint, go_error}: things that work but are wrong or risky; go_error, where set, is what the go command prints about it (gomod-fetch --go-get-warnings: go get's retracted and deprecated warnings, word for word)",
    ),
    ("elapsed_ms", "wall time of the probe in milliseconds"),
];

/// What error.go_error holds, for the reference page.
const GO_ERROR_INTRO: &str = "error.go_error is the line the go command (go1.27) prints for the same failure, word for word, so that a record can be matched with what a user saw; the test suite compares it with the real go command where one is installed. Each tool mirrors one command:";

/// The command each tool's go_error mirrors.
const GO_ERROR_FORMS: &[(&str, &str)] = &[
    (
        "gomod-resolve",
        "go mod download MODULE@VERSION: configuration, routing and go-get discovery failures, go: MODULE@VERSION: .... With --toolchain, the line any go command in the module stops with before or while it switches toolchains (GOTOOLCHAIN=auto go version): go: invalid toolchain: go1.28 is a language version but not a toolchain version (go1.28.x), go: download go1.28.0: golang.org/toolchain@v0.0.1-go1.28.0.linux-amd64: verifying module: checksum database disabled by GOSUMDB=off; and, for a go line the running go cannot switch away from, the line of a command that loads the module (go list -m): go: go.mod requires go >= 1.28.1 (running go 1.27.3; GOTOOLCHAIN=local).",
    ),
    (
        "gomod-fetch",
        "go mod download MODULE@VERSION run outside a module: go: module MODULE: ... when a query (latest, v1, >v1.2.0) fails reading the version list, go: MODULE@VERSION: ... for a version, go: MODULE@REV: invalid version: ... for a revision, no module at all for a zip the go command refuses (go: zip: not a valid zip file), and go: unzip $GOMODCACHE/cache/download/.../VERSION.zip: ... for one it cannot extract. For a Go toolchain (golang.org/toolchain) that no GOPROXY entry serves, the line of go's toolchain switch: go: download go1.28.1 for linux/amd64: toolchain not available.",
    ),
    (
        "gomod-sumverify",
        "go mod download and go mod verify: go: MODULE@VERSION: verifying go.mod: ..., and the SECURITY ERROR reports as printed.",
    ),
    (
        "gomod-tlscheck",
        "Go's HTTPS client: the text after Get \"URL\": in the line go: MODULE@VERSION: Get \"URL\": TEXT that the go command prints.",
    ),
    (
        "gomod-dnscheck",
        "Go's resolver, for the system resolver only: dial tcp: lookup NAME on SERVER: ....",
    ),
];

/// How gomod-doctor reasons from the records to one root cause, for the reference page.
const DIAGNOSIS_CAUSES: &str = "The root cause is the lowest check that failed on the endpoint of the first failing module: configuration (a route's config error, GOPROXY=off: goproxy_off), then dns (dns_nxdomain, dns_servfail, dns_timeout...), tcp or connect (tcp_refused, tcp_timeout; through an HTTP proxy proxy_unreachable, proxy_auth_required for 407, proxy_refused), tls (tls_unknown_authority, tls_expired, tls_name_mismatch, tls_incomplete_chain), the GOPROXY protocol (http_gone, http_unauthorized, http_forbidden, http_server_error, http_timeout, tcp_reset for a body cut short; 404 and 410 fall through to the next entry and are a cause only at the last one; a 401, 403 or 5xx after a comma stops the list and the next proxy is never asked), the checksum database (sumdb_mismatch, sumdb_not_found) and go.sum (gosum_mismatch, gosum_missing). Every later check of that endpoint is skipped with because naming it, and the other failing records are listed in consequences. Read across layers: a system DNS answer that differs from --server's, at an address that then fails TLS or HTTP (a certificate for another name: a block page), is dns_hijack_suspected, not the TLS failure (which stays in error.detail); a chain from a known inspection product is tls_interception (a warning when go trusts it) or tls_intercepted_untrusted (the cause, with the product named); a module whose path looks private (route privacy_rule) that the public proxy or checksum database cannot find is path_exposed, fixed with go env -w GOPRIVATE=GLOB.";

/// When go_error is null.
const GO_ERROR_NULL: &str = "go_error is null where the go command prints no line: a server that accepts the connection and never answers, or stops sending a body (go has no time limit there and waits for ever; the record stops at --timeout, its code is http_timeout and its message says that go would keep waiting), a resolver given with --server (go never asks it), and checks of this tool's own. Failures the go command words alike keep its one line while the code tells them apart: tls_unknown_authority, tls_incomplete_chain and tls_intercepted_untrusted all print x509: certificate signed by unknown authority.";

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
    fn tidy_breaks_long_lines_and_renders_code() {
        let long = "word ".repeat(30);
        let page = format!(
            ".TH X 1\n.SH DESCRIPTION\nUse `go mod download` here.  \n{long}\n.TP\n\\fB{long}\\fR\n.nf\n{long}\n.fi\n"
        );
        let tidy = tidy(&page);
        assert!(
            tidy.contains("Use \\fBgo mod download\\fR here.\n"),
            "{tidy}"
        );
        assert!(!tidy.contains('`'));
        let lines: Vec<&str> = tidy.lines().collect();
        for line in &lines {
            assert_eq!(*line, line.trim_end(), "trailing white space");
        }
        // Filled text: broken at spaces, nothing lost.
        let start = lines.iter().position(|l| l.starts_with("word")).unwrap();
        let end = lines.iter().position(|l| *l == ".TP").unwrap();
        assert!(end - start > 1);
        assert!(lines[start..end].iter().all(|l| l.len() <= 80));
        assert_eq!(lines[start..end].join(" "), long.trim_end());
        // The tag line after .TP stays whole.
        assert_eq!(lines[end + 1], format!("\\fB{long}\\fR").trim_end());
        // No-fill: joined with \c, every piece within 80 bytes.
        let nf = lines.iter().position(|l| *l == ".nf").unwrap();
        let fi = lines.iter().position(|l| *l == ".fi").unwrap();
        let pieces = &lines[nf + 1..fi];
        assert!(pieces.len() > 1);
        assert!(pieces.iter().all(|l| l.len() <= 80));
        assert!(
            pieces[..pieces.len() - 1]
                .iter()
                .all(|l| l.ends_with("\\c"))
        );
        let joined: String = pieces.iter().map(|l| l.trim_end_matches("\\c")).collect();
        assert_eq!(joined, long.trim_end());
    }

    #[test]
    fn tidy_never_breaks_before_a_request_or_at_an_escaped_space() {
        let line = format!("{} .not a request \\ x 'quote", "a".repeat(75));
        for piece in split_filled(&line) {
            assert!(
                !piece.starts_with('.') && !piece.starts_with('\''),
                "{piece}"
            );
            assert!(!piece.ends_with('\\'), "{piece}");
        }
    }

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
        for (field, _) in RouteBody::FIELDS
            .iter()
            .chain(EnvBody::FIELDS)
            .chain(crate::record::toolchain::ToolchainBody::FIELDS)
        {
            assert!(
                page.contains(&field.replace('_', "\\_")) || page.contains(field),
                "{field} missing"
            );
        }
    }
}
