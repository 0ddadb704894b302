//! What every tool shares on the command line and at run time: the common flags, the
//! concurrent probe loop with ordered output, text (coloured on a terminal) and JSON
//! printing, progress, `--quiet`, `--summary`, exit codes, a quiet end on a closed
//! stdout, `--help` with the tool's examples, and `--generate` for man pages and
//! completions.
//!
//! Everything a tool writes goes through here, and is scrubbed of credentials on the
//! way out ([`crate::redact`]): records (each JSON string, each text line), fatal
//! errors and the progress line.
//!
//! Exit status: 0 when every record is ok, 1 when at least one is not, 2 for a usage
//! error, unreadable input or an internal error.

use std::future::Future;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::pin::Pin;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::{CommandFactory, ValueEnum};
use futures_util::StreamExt;

use crate::input::{InputItem, Inputs};
use crate::progress::Progress;
use crate::record::{Code, ErrorInfo, InputErrorBody, Record, Summary, untrusted, untrusted_lines};

/// The default of `-j`: see [`CommonArgs::jobs`].
pub const DEFAULT_JOBS: u16 = 128;

/// Flags every tool takes.
#[derive(clap::Args, Clone, Debug)]
pub struct CommonArgs {
    /// Probe up to N targets at the same time. Records still come in input order: one
    /// that is done waits for those before it without taking one of the N. The default
    /// keeps hundreds of requests in flight, so that on a distant network the round
    /// trips overlap instead of adding up; requests to one host share its connections
    /// (HTTP/2 streams of one connection, or a few HTTP/1.1 keep-alive connections), so
    /// many jobs cost little more than a few kilobytes each.
    // 128 modules are 384 requests (.info, .mod, .zip) in flight: enough that 200 to
    // 800 modules take a handful of round trips, not hundreds; about what four HTTP/2
    // connections carry at the common limit of 100 streams each (proxy.golang.org's
    // front end), so a server is not asked for more connections than go opens. Each
    // job holds a probe's state and one zip temporary file, never a whole zip in memory,
    // and blocking work (hashing, cache writes) goes to a pool of one thread per core
    // (crate::blocking), so memory stays bounded as N grows.
    #[arg(short = 'j', long = "jobs", value_name = "N", default_value_t = DEFAULT_JOBS, value_parser = clap::value_parser!(u16).range(1..))]
    pub jobs: u16,

    /// Give up waiting after this long (e.g. 500ms, 10s, 2m): for an answer (a DNS
    /// reply, a TLS handshake, an HTTP response's headers), and for a body that brings
    /// less than 1 KiB per second over this long (a body that keeps arriving faster is
    /// never cut off). The go command has no such limit and can wait forever on a
    /// server that never answers or trickles; this tool stops and says so in the
    /// error's message, with go_error null: go prints nothing there.
    #[arg(long, value_name = "DURATION", default_value = "60s", value_parser = parse_duration)]
    pub timeout: Duration,

    /// Give up on one TCP connection after this long. The go command's own limit is 30s.
    #[arg(long = "connect-timeout", value_name = "DURATION", default_value = "30s", value_parser = parse_duration)]
    pub connect_timeout: Duration,

    /// Give up on one target after this long, whatever it is waiting for: all its
    /// requests, retries and fall-backs together. Together with --connect-timeout and
    /// --timeout this bounds every probe (gomod-tools(7), TIME LIMITS).
    #[arg(long, value_name = "DURATION", default_value = crate::net::bounds::DEFAULT_DEADLINE, value_parser = parse_duration)]
    pub deadline: Duration,

    /// Read targets from FILE, one per line: JSON records from another tool, or plain
    /// targets. `-` reads standard input. May be repeated.
    #[arg(short = 'f', long = "file", value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// Output format: `text`, one readable line per record with its error and hint;
    /// or `json`, one compact JSON object per line. The default is text when standard
    /// output is a terminal and json when it is not (a pipe, a file), as ls(1) and
    /// rg(1) do. Neither ever shows a credential: passwords (of URLs, netrc, proxies)
    /// and Authorization headers are written as *** wherever they turn up, also when a
    /// server sends them back; man gomod-tools has the rule.
    #[arg(long, value_enum, value_name = "FORMAT", hide_possible_values = true)]
    pub format: Option<Format>,

    /// The same as --format json.
    #[arg(long, conflicts_with = "format")]
    pub json: bool,

    /// Colour the text format: `auto` (when standard output is a terminal and NO_COLOR
    /// is empty or not set), `always` or `never`. JSON is never coloured.
    #[arg(
        long,
        value_enum,
        value_name = "WHEN",
        default_value_t = When::Auto,
        hide_possible_values = true
    )]
    pub color: When,

    /// Show progress on standard error (targets done, out of how many, and the time
    /// left when the count is known): `auto` (when standard error is a terminal and
    /// the run takes a while), `always` (even into a pipe or a file) or `never`.
    #[arg(
        long,
        value_enum,
        value_name = "WHEN",
        default_value_t = When::Auto,
        hide_possible_values = true
    )]
    pub progress: When,

    /// Write no records and show no progress: the exit status alone says whether every
    /// record is ok. Fatal errors are still reported on standard error.
    #[arg(short = 'q', long)]
    pub quiet: bool,

    /// After all records, write a summary record with counts per error and warning code.
    #[arg(long)]
    pub summary: bool,

    /// Write a man page or shell completion script to standard output.
    #[arg(long, value_enum, value_name = "WHAT", hide = true)]
    pub generate: Option<Generate>,
}

/// Output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// One readable line per record, with the error and its hint.
    Text,
    /// One compact JSON object per line.
    Json,
    /// JUnit XML, one testcase per check: gomod-doctor only (hidden from the other
    /// tools, which refuse it).
    #[value(hide = true)]
    Junit,
}

/// When to do what suits a terminal (colour, progress).
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum When {
    /// When the output it goes to is a terminal.
    Auto,
    /// Always, even into a pipe or a file.
    Always,
    /// Never.
    Never,
}

/// How records are written, decided once from the flags, the terminal and NO_COLOR.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Output {
    /// Text or JSON lines.
    pub format: Format,
    /// Whether the text lines are coloured (never for JSON).
    pub color: bool,
    /// Whether nothing is written at all (`--quiet`).
    pub quiet: bool,
}

impl Output {
    /// The output for these flags on this process's standard output and environment.
    pub fn new(common: &CommonArgs) -> Output {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let dumb = std::env::var_os("TERM").is_some_and(|t| t == "dumb");
        Output::decide(common, std::io::stdout().is_terminal(), no_color || dumb)
    }

    /// The decision itself: text on a terminal and JSON elsewhere unless a flag says
    /// otherwise; colour for text only, on a terminal unless NO_COLOR (or a dumb
    /// terminal) says not to, or when asked for.
    fn decide(common: &CommonArgs, stdout_is_terminal: bool, no_color: bool) -> Output {
        let format = match (common.json, common.format) {
            (true, _) => Format::Json,
            (false, Some(format)) => format,
            (false, None) if stdout_is_terminal => Format::Text,
            (false, None) => Format::Json,
        };
        let color = format == Format::Text
            && match common.color {
                When::Always => true,
                When::Never => false,
                When::Auto => stdout_is_terminal && !no_color,
            };
        Output {
            format,
            color,
            quiet: common.quiet,
        }
    }
}

/// What `--generate` writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Generate {
    /// The tool's man page (roff).
    Man,
    /// The record and error-code reference, gomod-tools(7) (roff).
    ManReference,
    /// Bash completion.
    CompleteBash,
    /// Zsh completion.
    CompleteZsh,
    /// Fish completion.
    CompleteFish,
}

/// Parses a duration written like `500ms`, `10s`, `2m`, `1m30s`.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let duration = humantime::parse_duration(text.trim())
        .map_err(|e| format!("{e} (write durations like 500ms, 10s, 2m)"))?;
    if duration.is_zero() {
        return Err("the duration must be more than zero".to_string());
    }
    Ok(duration)
}

/// Parses a tool's command line (exiting with clap's message and status 2 on a usage
/// error), with the help of [`command`].
pub fn parse<C: clap::Parser>() -> C {
    // Credentials given on the command line (a target's or a resolver's userinfo) are
    // known from the start, wherever they turn up later.
    for arg in std::env::args_os() {
        crate::redact::learn_from_text(&arg.to_string_lossy());
    }
    let mut cmd = command::<C>();
    let parsed = cmd
        .clone()
        .try_get_matches()
        .and_then(|matches| C::from_arg_matches(&matches));
    parsed.unwrap_or_else(|err| usage_error(err.format(&mut cmd)))
}

/// Ends the process as clap would for `err` (help and version on stdout with status 0,
/// usage errors on stderr with status 2), but with credentials scrubbed from a usage
/// error, which quotes the argument it refuses.
fn usage_error(err: clap::Error) -> ! {
    if !err.use_stderr() {
        err.exit();
    }
    let rendered = err.render();
    let text = if std::io::stderr().is_terminal() {
        rendered.ansi().to_string()
    } else {
        rendered.to_string()
    };
    let _ = std::io::stderr()
        .lock()
        .write_all(crate::redact::scrub(&text).as_bytes());
    std::process::exit(err.exit_code());
}

/// A tool's command as its `--help` shows it: its examples (the command's long
/// after-help: `Examples:`, then two-space-indented lines saying what each does and
/// four-space-indented commands) come last, as written. clap wraps after-help text to
/// the terminal's width, which would break a command in the middle and ruin copy and
/// paste; the help template's own text is written unwrapped, so the examples go there.
pub fn command<C: CommandFactory>() -> clap::Command {
    let cmd = C::command();
    let Some(examples) = cmd.get_after_long_help().map(|s| s.to_string()) else {
        return cmd;
    };
    let header = cmd.get_styles().get_header();
    let examples = match examples.strip_prefix("Examples:") {
        Some(rest) => format!(
            "{}Examples:{}{rest}",
            header.render(),
            header.render_reset()
        ),
        None => examples,
    };
    let template = format!(
        "{{before-help}}{{about-with-newline}}\n{{usage-heading}} {{usage}}\n\n{{all-args}}\n\n{examples}"
    );
    cmd.after_help(None::<&'static str>)
        .after_long_help(None::<&'static str>)
        .help_template(template)
}

/// Writes what `--generate` asks for to stdout.
pub fn generate<C: CommandFactory>(what: Generate) -> ExitCode {
    let cmd = C::command();
    let name = cmd.get_name().to_string();
    let mut out = Vec::new();
    let result = match what {
        Generate::Man => crate::manpage::tool_page(cmd, &mut out),
        Generate::ManReference => crate::manpage::reference_page(&mut out),
        Generate::CompleteBash => completion(cmd, Shell::Bash, &mut out),
        Generate::CompleteZsh => completion(cmd, Shell::Zsh, &mut out),
        Generate::CompleteFish => completion(cmd, Shell::Fish, &mut out),
    };
    if let Err(err) = result {
        return fatal(&name, &format!("cannot generate: {err}"), None);
    }
    match std::io::stdout().lock().write_all(&out) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(err) => fatal(&name, &format!("writing output: {err}"), None),
    }
}

/// The shells completions are written for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Shell {
    Bash,
    Zsh,
    Fish,
}

/// Writes a completion script. clap_complete offers hidden options too, and completes
/// a comma-separated list (`--what info,mod`) only as one value; so the script is made
/// from the command without its hidden options, with each list's values replaced by a
/// marker, and the marker is then replaced by what completes one item after another in
/// that shell.
fn completion(cmd: clap::Command, shell: Shell, out: &mut Vec<u8>) -> std::io::Result<()> {
    let name = cmd.get_name().to_string();
    let mut visible = clap::Command::new(name.clone());
    if let Some(about) = cmd.get_about() {
        visible = visible.about(about.clone());
    }
    if let Some(version) = cmd.get_version() {
        visible = visible.version(version.to_string());
    }
    let mut lists: Vec<(String, Vec<String>)> = Vec::new();
    for arg in cmd.get_arguments().filter(|a| !a.is_hide_set()) {
        let mut arg = arg.clone();
        let values: Vec<String> = arg
            .get_possible_values()
            .iter()
            .filter(|v| !v.is_hide_set())
            .map(|v| v.get_name().to_string())
            .collect();
        if arg.get_value_delimiter().is_some() && !values.is_empty() {
            let marker = format!("gomod-list-marker-{}", lists.len());
            arg = arg.value_parser(clap::builder::PossibleValuesParser::new([marker.clone()]));
            lists.push((marker, values));
        }
        visible = visible.arg(arg);
    }
    let mut script = Vec::new();
    let generator = match shell {
        Shell::Bash => clap_complete::Shell::Bash,
        Shell::Zsh => clap_complete::Shell::Zsh,
        Shell::Fish => clap_complete::Shell::Fish,
    };
    clap_complete::generate(generator, &mut visible, &name, &mut script);
    let mut script = String::from_utf8(script).map_err(std::io::Error::other)?;
    for (marker, values) in &lists {
        let words = values.join(" ");
        let (from, to) = match shell {
            // The word so far is kept up to its last comma, and the item after it is
            // completed from the values.
            Shell::Bash => (
                format!("compgen -W \"{marker}\" -- \"${{cur}}\""),
                format!(
                    "compgen -P \"${{cur%\"${{cur##*,}}\"}}\" -W \"{words}\" -- \"${{cur##*,}}\""
                ),
            ),
            Shell::Zsh => (
                format!("({marker})"),
                format!("_sequence compadd - {words}"),
            ),
            Shell::Fish => (
                format!("-a \"{marker}\\t''\""),
                format!(
                    "-a \"(__fish_complete_list , 'string split , {}')\"",
                    values.join(",")
                ),
            ),
        };
        if !script.contains(&from) {
            return Err(std::io::Error::other(format!(
                "the {shell:?} completion of a list has changed shape: {from} is missing"
            )));
        }
        script = script.replace(&from, &to);
    }
    out.extend_from_slice(script.as_bytes());
    Ok(())
}

/// Reports a fatal error on stderr (`gomod-x: error: ...`, then the hint) and returns
/// exit status 2.
pub fn fatal(tool: &str, message: &str, hint: Option<&str>) -> ExitCode {
    let mut stderr = std::io::stderr().lock();
    // The go command's own errors can span lines (a go.sum that does not parse).
    let message = crate::redact::scrub(&untrusted_lines(message, 2000));
    let _ = writeln!(stderr, "{tool}: error: {message}");
    if let Some(hint) = hint {
        let hint = crate::redact::scrub(&untrusted(hint, 2000));
        let _ = writeln!(stderr, "{tool}: hint: {hint}");
    }
    ExitCode::from(2)
}

/// What a tool whose probe is not written yet does when asked to probe: says so on
/// stderr and exits with status 2, never pretending to have checked anything.
pub fn not_implemented(tool: &str, probe: &str) -> ExitCode {
    fatal(
        tool,
        &format!("the {probe} probe is not implemented yet: this build of {tool} checks nothing"),
        Some("see --help; gomod-resolve is the tool that works in this release"),
    )
}

/// Says that there is nothing to probe and why, with the hint the tool set with
/// [`Inputs::when_empty`]; exit status 2.
pub fn nothing_to_probe(tool: &str, inputs: &Inputs) -> ExitCode {
    fatal(
        tool,
        &format!("nothing to probe: {}", inputs.empty_reason()),
        inputs.empty_hint(),
    )
}

/// A probe's future: the records for one input item, in the order to print them.
pub type ProbeFuture = Pin<Box<dyn Future<Output = Vec<Record>> + Send>>;

/// Turns one input item into records. Input items that are invalid never reach it.
/// `probe` is called in input order; the future it returns runs concurrently with
/// others.
pub trait Probe: Send + Sync + 'static {
    /// Probes one item.
    fn probe(self: Arc<Self>, item: InputItem) -> ProbeFuture;
}

/// [`Inputs::new`] for a tool's targets and `-f` files, or, when a file cannot be read,
/// the exit status after saying so.
pub fn open_inputs(
    tool: &str,
    targets: &[String],
    files: &[std::path::PathBuf],
    extra_targets: bool,
) -> Result<Inputs, ExitCode> {
    Inputs::new(targets, files, extra_targets).map_err(|err| {
        fatal(
            tool,
            &err.to_string(),
            Some("check the file name given with -f"),
        )
    })
}

/// The record written for an input item a tool cannot use, and why: None for items that
/// carry no input line (a record already made, a line the reader refused itself).
pub fn unusable_item_record(item: &InputItem, reason: &str) -> Option<Record> {
    match item {
        InputItem::Target { origin, line, text } => {
            Some(input_error_record(origin, *line, text, reason))
        }
        InputItem::Record {
            origin,
            line,
            value,
        } => {
            let text = serde_json::Value::Object(value.clone()).to_string();
            Some(input_error_record(origin, *line, &text, reason))
        }
        InputItem::Ready(_) | InputItem::Invalid { .. } => None,
    }
}

/// The record written for an input line that could not be used.
pub fn input_error_record(
    origin: &crate::input::Origin,
    line: u64,
    text: &str,
    reason: &str,
) -> Record {
    let body = InputErrorBody {
        source: origin.to_string(),
        line,
        input: untrusted(text, crate::input::ECHO_BYTES),
    };
    let err = ErrorInfo::new(Code::InputInvalid, format!("cannot use input line: {reason}"))
        .hint("give one target per line (plain text such as example.com/m@v1.2.3), or a JSON object such as another tool's record");
    Record::new(&body, Some(err), Vec::new(), Duration::ZERO)
}

/// Which runtime a tool's probes run on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Threads {
    /// One thread: for probes that wait on the network, which overlap just as well on
    /// one thread, and start faster.
    One,
    /// One worker per core: for probes that also compute (hashing, proofs).
    PerCore,
}

/// Keeps glibc's allocator from holding on to memory the tool no longer uses. By default
/// it raises its mmap threshold each time a large block is freed (so later large blocks
/// come from the heap and stay resident after they are freed) and gives each thread its
/// own arena; with one worker per core, a blocking pool and the zip readers, that is
/// several megabytes of freed memory still counted as resident. A fixed threshold at
/// glibc's own default and one arena per core keep the peak close to what is in use.
fn keep_malloc_compact() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let arenas = libc::c_int::try_from(cores).unwrap_or(libc::c_int::MAX);
        // SAFETY: mallopt only changes allocator parameters; it is called before the
        // runtime starts its threads, and a refused setting leaves the default.
        unsafe {
            libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
            libc::mallopt(libc::M_ARENA_MAX, arenas);
        }
    }
}

/// Runs `work` to completion on a runtime of its own, before (and apart from) [`run`]:
/// for records a tool makes up front. Err when no runtime can be started.
pub fn block_on<F: std::future::Future>(work: F) -> Result<F::Output, String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|err| format!("cannot start the runtime: {err}"))?;
    Ok(runtime.block_on(work))
}

/// How many items per `--jobs` slot may be taken ahead of the printer (running, or
/// finished and waiting for an earlier item to be printed).
const AHEAD_PER_JOB: usize = 16;
/// At least this many items may be taken ahead of the printer.
const MIN_AHEAD: usize = 1024;

/// Runs a tool: probes every input item with up to `--jobs` in flight, writes the
/// records in input order (each flushed as soon as it and everything before it is
/// done), then the summary if asked, and returns the exit status.
pub fn run(
    tool: &'static str,
    common: &CommonArgs,
    threads: Threads,
    inputs: Inputs,
    probe: Arc<dyn ProbeDyn>,
) -> ExitCode {
    match runtime(threads) {
        Ok(runtime) => run_on(runtime, tool, common, inputs, probe),
        Err(message) => fatal(tool, &message, None),
    }
}

/// The runtime [`run`] starts, for a tool that has work to start on it before its
/// input is ready (then [`run_on`]). Err (a message) when it cannot be started.
pub fn runtime(threads: Threads) -> Result<tokio::runtime::Runtime, String> {
    let built = match threads {
        Threads::One => tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build(),
        Threads::PerCore => {
            keep_malloc_compact();
            tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
        }
    };
    built.map_err(|err| format!("cannot start the runtime: {err}"))
}

/// [`run`] on a runtime from [`runtime`], where tasks the tool spawned may already run.
pub fn run_on(
    runtime: tokio::runtime::Runtime,
    tool: &'static str,
    common: &CommonArgs,
    inputs: Inputs,
    probe: Arc<dyn ProbeDyn>,
) -> ExitCode {
    let output = Output::new(common);
    if output.format == Format::Junit {
        return fatal(
            tool,
            "--format junit: only gomod-doctor writes JUnit",
            Some("use --format text or --format json"),
        );
    }
    let jobs = usize::from(common.jobs);
    let deadline = common.deadline;
    // Every wait of a probe is bounded (crate::net::bounds); should one not be, the
    // probe is stopped a little after its deadline rather than left to run forever.
    let backstop = deadline + common.timeout + common.connect_timeout;
    let want_summary = common.summary;
    let empty_reason = inputs.empty_reason();
    let empty_hint = inputs.empty_hint();
    let any_item = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let seen_item = Arc::clone(&any_item);
    let progress = Arc::new(Progress::new(
        common.progress,
        common.quiet,
        inputs.count_known(),
    ));
    let outcome = runtime.block_on(async move {
        if let Some(delay) = progress.delay() {
            let progress = Arc::clone(&progress);
            tokio::spawn(async move {
                tokio::time::sleep(delay).await;
                progress.show();
            });
        }
        let items = tokio_stream_from(inputs.stream()).inspect(move |_| {
            seen_item.store(true, std::sync::atomic::Ordering::Relaxed);
        });
        let started = Arc::clone(&progress);
        // A probe holds one of the `--jobs` slots while it runs, not while its records
        // wait for those of earlier items to be printed: the waiting happens here, in the
        // ordered buffer the printer reads, so a slow item does not keep the ones after
        // it from starting. The buffer bounds how far ahead of the printer items are
        // taken (and finished records kept).
        let slots = Arc::new(tokio::sync::Semaphore::new(jobs));
        let ahead = jobs.saturating_mul(AHEAD_PER_JOB).max(MIN_AHEAD);
        let mut results = items
            .map(move |item| {
                let label = item_label(&item);
                // The probe is called here, in input order, so that what it decides
                // before its first await (such as skipping a host already seen) does
                // not depend on scheduling.
                let future = match item {
                    InputItem::Invalid {
                        origin,
                        line,
                        text,
                        reason,
                    } => Err(vec![input_error_record(&origin, line, &text, &reason)]),
                    InputItem::Ready(record) => Err(vec![*record]),
                    other => Ok(Arc::clone(&probe).probe_dyn(other)),
                };
                let slots = Arc::clone(&slots);
                let started = Arc::clone(&started);
                async move {
                    match future {
                        Err(records) => {
                            started.started(&label);
                            records
                        }
                        // A panic inside one probe must not lose the other records.
                        Ok(future) => {
                            let Ok(slot) = slots.acquire_owned().await else {
                                return vec![internal_error_record("the job slots were closed")];
                            };
                            started.started(&label);
                            let task = tokio::spawn(async move {
                                let bounded = crate::net::bounds::scope(deadline, future);
                                let records = tokio::time::timeout(backstop, bounded).await;
                                drop(slot);
                                records
                            });
                            match task.await {
                                Ok(Ok(records)) => records,
                                Ok(Err(_)) => vec![overran_record(deadline)],
                                Err(err) => vec![internal_error_record(&err.to_string())],
                            }
                        }
                    }
                }
            })
            .buffered(ahead);
        let mut printer = Printer::new(tool, output);
        let mut summary = Summary::default();
        while let Some(records) = results.next().await {
            progress.finished();
            for record in &records {
                summary.add(record);
            }
            if !progress.suspend(|| printer.write(&records)) {
                return Outcome::StdoutClosed;
            }
        }
        progress.clear();
        if !any_item.load(std::sync::atomic::Ordering::Relaxed) {
            return Outcome::Nothing;
        }
        if want_summary {
            let record = Record::new(&summary, None, Vec::new(), Duration::ZERO);
            if !printer.write(std::slice::from_ref(&record)) {
                return Outcome::StdoutClosed;
            }
        }
        if let Some(err) = printer.error {
            return Outcome::WriteFailed(err);
        }
        Outcome::Done {
            all_ok: summary.failed == 0,
        }
    });
    // Probes may still hold sockets; do not wait for them.
    runtime.shutdown_background();
    match outcome {
        Outcome::Nothing => fatal(
            tool,
            &format!("nothing to probe: {empty_reason}"),
            empty_hint,
        ),
        Outcome::StdoutClosed => ExitCode::SUCCESS,
        Outcome::WriteFailed(err) => fatal(tool, &format!("writing output: {err}"), None),
        Outcome::Done { all_ok: true } => ExitCode::SUCCESS,
        Outcome::Done { all_ok: false } => ExitCode::from(1),
    }
}

/// Object-safe form of [`Probe`] used by [`run`].
pub trait ProbeDyn: Send + Sync + 'static {
    /// Probes one item.
    fn probe_dyn(self: Arc<Self>, item: InputItem) -> ProbeFuture;
}

impl<P: Probe> ProbeDyn for P {
    fn probe_dyn(self: Arc<Self>, item: InputItem) -> ProbeFuture {
        self.probe(item)
    }
}

enum Outcome {
    Done {
        all_ok: bool,
    },
    /// The input held no item at all (standard input that is not a terminal, empty).
    Nothing,
    StdoutClosed,
    WriteFailed(String),
}

fn internal_error_record(detail: &str) -> Record {
    let err = ErrorInfo::new(Code::InternalError, "the probe failed unexpectedly")
        .detail(detail)
        .hint("this is a bug in gomod-tools; please report it with the input that caused it");
    let body = InputErrorBody {
        source: "internal".to_string(),
        line: 0,
        input: String::new(),
    };
    Record::new(&body, Some(err), Vec::new(), Duration::ZERO)
}

/// The record for a probe stopped after its deadline: one of its waits was not bounded
/// as it should be.
fn overran_record(deadline: Duration) -> Record {
    let err = ErrorInfo::new(
        Code::InternalError,
        format!(
            "the probe did not end within --deadline {} and was stopped",
            humantime::format_duration(deadline)
        ),
    )
    .hint("this is a bug in gomod-tools (something the probe waited for was not bounded); please report it with the input that caused it");
    let body = InputErrorBody {
        source: "internal".to_string(),
        line: 0,
        input: String::new(),
    };
    Record::new(&body, Some(err), Vec::new(), deadline)
}

fn tokio_stream_from(
    mut rx: tokio::sync::mpsc::Receiver<InputItem>,
) -> impl futures_util::Stream<Item = InputItem> {
    futures_util::stream::poll_fn(move |cx| rx.poll_recv(cx))
}

/// A short name for an input item, for the progress display: the target as given, or
/// the module (or host) a record names.
fn item_label(item: &InputItem) -> String {
    match item {
        InputItem::Target { text, .. } => text.clone(),
        InputItem::Record { value, .. } => {
            let field = |name: &str| value.get(name).and_then(|v| v.as_str());
            match (field("module"), field("version"), field("host")) {
                (Some(module), Some(version), _) => format!("{module}@{version}"),
                (Some(module), None, _) => module.to_string(),
                (None, _, Some(host)) => host.to_string(),
                _ => String::new(),
            }
        }
        InputItem::Ready(_) | InputItem::Invalid { .. } => String::new(),
    }
}

/// Writes records to stdout, line by line, every credential scrubbed: in JSON from
/// each string before it is serialized, in text from the whole line.
struct Printer {
    tool: &'static str,
    output: Output,
    out: std::io::Stdout,
    error: Option<String>,
}

impl Printer {
    fn new(tool: &'static str, output: Output) -> Printer {
        Printer {
            tool,
            output,
            out: std::io::stdout(),
            error: None,
        }
    }

    /// Writes and flushes; false when stdout is closed (the reader went away).
    fn write(&mut self, records: &[Record]) -> bool {
        if self.error.is_some() || self.output.quiet {
            return true;
        }
        let mut buf = String::new();
        for record in records {
            match self.output.format {
                Format::Json | Format::Junit => buf.push_str(&crate::redact::scrub_json_line(
                    &record.to_json_line(self.tool),
                )),
                Format::Text => {
                    buf.push_str(&crate::redact::scrub(&record.text_line(self.output.color)));
                }
            }
            buf.push('\n');
        }
        let mut out = self.out.lock();
        match out.write_all(buf.as_bytes()).and_then(|()| out.flush()) {
            Ok(()) => true,
            Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => false,
            Err(err) => {
                self.error = Some(err.to_string());
                true
            }
        }
    }
}

/// Measures a probe: `Elapsed::start()` then `.get()` for the record's `elapsed`.
#[derive(Clone, Copy, Debug)]
pub struct Elapsed(Instant);

impl Elapsed {
    /// Starts the clock.
    pub fn start() -> Elapsed {
        Elapsed(Instant::now())
    }

    /// Time since start.
    pub fn get(&self) -> Duration {
        self.0.elapsed()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The common flags as a tool parses them.
    fn flags(args: &[&str]) -> CommonArgs {
        #[derive(clap::Parser)]
        struct Tool {
            #[command(flatten)]
            common: CommonArgs,
        }
        let args = std::iter::once("tool").chain(args.iter().copied());
        <Tool as clap::Parser>::parse_from(args).common
    }

    #[test]
    fn text_on_a_terminal_json_elsewhere_colour_only_for_text() {
        let decide = |args: &[&str], terminal: bool, no_color: bool| {
            let output = Output::decide(&flags(args), terminal, no_color);
            (output.format, output.color)
        };
        assert_eq!(decide(&[], true, false), (Format::Text, true));
        assert_eq!(decide(&[], false, false), (Format::Json, false));
        assert_eq!(decide(&[], true, true), (Format::Text, false));
        assert_eq!(decide(&["--json"], true, false), (Format::Json, false));
        assert_eq!(
            decide(&["--format", "json"], true, false),
            (Format::Json, false)
        );
        assert_eq!(
            decide(&["--format", "json", "--color", "always"], true, false),
            (Format::Json, false)
        );
        assert_eq!(
            decide(&["--format", "text"], false, false),
            (Format::Text, false)
        );
        assert_eq!(
            decide(&["--format", "text", "--color", "always"], false, true),
            (Format::Text, true)
        );
        assert_eq!(
            decide(&["--color", "never"], true, false),
            (Format::Text, false)
        );
        assert!(Output::decide(&flags(&["-q"]), true, false).quiet);
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("1m30s"), Ok(Duration::from_secs(90)));
        assert!(parse_duration("0s").is_err());
        assert!(parse_duration("ten").is_err());
    }
}
