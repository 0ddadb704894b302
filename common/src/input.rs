//! Reading targets: command-line arguments, `-f FILE` (one per line), and stdin.
//!
//! A line that starts with `{` must be a JSON object — usually another tool's record —
//! and is handed over whole; the tool takes the fields it understands. Any other
//! non-empty line that does not start with `#` is a plain target. A line that is not
//! valid UTF-8, or starts with `{` but is not a JSON object, becomes an
//! [`InputItem::Invalid`] and processing goes on.
//!
//! Stdin is read only when it is not a terminal and no targets were given, or when `-`
//! is given as an argument or as `-f -`. Lines are read on a separate thread and
//! streamed, so a tool at the end of a pipe starts probing before its input ends.

use std::io::{BufRead, IsTerminal};
use std::path::{Path, PathBuf};

use tokio::sync::mpsc;

use crate::oserr;
use crate::record::{Code, ErrorInfo};

/// The longest target the tools take, in bytes: a plain line, or a field a tool takes
/// from a record (a module path, a version or query, a host name, a URL). A longer
/// one is refused with an `input_invalid` record that echoes its first
/// [`ECHO_BYTES`] bytes once; no other field repeats it.
pub const MAX_TARGET_BYTES: usize = 1024;

/// How much of an unusable input line its `input_invalid` record echoes, in bytes.
pub const ECHO_BYTES: usize = 200;

/// The longest input line read, in bytes (a record of another tool included); the rest
/// of a longer line is skipped without being kept in memory.
pub const MAX_LINE_BYTES: usize = 16 << 20;

/// Where an input item came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// A command-line argument (1-based index among the targets).
    Arg,
    /// Standard input.
    Stdin,
    /// A file given with `-f` (or a tool-specific option such as `-m`).
    File(PathBuf),
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Origin::Arg => f.write_str("arg"),
            Origin::Stdin => f.write_str("stdin"),
            Origin::File(path) => write!(f, "{}", path.display()),
        }
    }
}

/// One unit of input.
#[derive(Clone, Debug)]
pub enum InputItem {
    /// A plain target (`example.com/m@v1.2.3`, `proxy.golang.org:443`, ...).
    Target {
        /// Where it came from.
        origin: Origin,
        /// 1-based line (or argument) number.
        line: u64,
        /// The target text, trimmed.
        text: String,
    },
    /// A JSON object, usually a record from another tool.
    Record {
        /// Where it came from.
        origin: Origin,
        /// 1-based line number.
        line: u64,
        /// The object.
        value: serde_json::Map<String, serde_json::Value>,
    },
    /// A record the tool already produced while reading its inputs (for example from
    /// a go.mod file that does not parse); it is written as is.
    Ready(Box<crate::record::Record>),
    /// A line that could not be used.
    Invalid {
        /// Where it came from.
        origin: Origin,
        /// 1-based line number.
        line: u64,
        /// The offending text (lossily decoded).
        text: String,
        /// Why it could not be used.
        reason: String,
    },
}

/// A fatal input problem (exit status 2): a file that cannot be opened or read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputError(pub String);

impl std::fmt::Display for InputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for InputError {}

/// The start of an unusable line, as much as its record echoes.
fn echoed(bytes: &[u8]) -> String {
    let cut = &bytes[..bytes.len().min(ECHO_BYTES + 4)];
    let mut text = String::from_utf8_lossy(cut).into_owned();
    if cut.len() < bytes.len() {
        text.push('…');
    }
    text
}

/// Classifies one line of text input; `None` for blank lines and `#` comments.
pub fn parse_line(origin: &Origin, line: u64, bytes: &[u8]) -> Option<InputItem> {
    // A target's userinfo is a secret from here on, even after the target is cut up
    // (a URL split at its `@` into a module path and a version) or cut short.
    crate::redact::learn_from_text(&String::from_utf8_lossy(bytes));
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Some(InputItem::Invalid {
            origin: origin.clone(),
            line,
            text: echoed(bytes),
            reason: "the line is not valid UTF-8".to_string(),
        });
    };
    let text = text.trim();
    if text.is_empty() || text.starts_with('#') {
        return None;
    }
    if !text.starts_with('{') && text.len() > MAX_TARGET_BYTES {
        return Some(InputItem::Invalid {
            origin: origin.clone(),
            line,
            text: echoed(text.as_bytes()),
            reason: too_long("the target", text.len()),
        });
    }
    if text.starts_with('{') {
        return Some(match serde_json::from_str::<serde_json::Value>(text) {
            Ok(serde_json::Value::Object(value)) => InputItem::Record {
                origin: origin.clone(),
                line,
                value,
            },
            Ok(_) => unreachable_object(origin, line, text),
            Err(err) => InputItem::Invalid {
                origin: origin.clone(),
                line,
                text: echoed(text.as_bytes()),
                reason: format!("the line starts with '{{' but is not a JSON object: {err}"),
            },
        });
    }
    Some(InputItem::Target {
        origin: origin.clone(),
        line,
        text: text.to_string(),
    })
}

fn unreachable_object(origin: &Origin, line: u64, text: &str) -> InputItem {
    // A text starting with '{' that parses as JSON is always an object; kept total anyway.
    InputItem::Invalid {
        origin: origin.clone(),
        line,
        text: echoed(text.as_bytes()),
        reason: "not a JSON object".to_string(),
    }
}

/// Why a target of `len` bytes is refused: the limit, and never the text itself.
pub fn too_long(what: &str, len: usize) -> String {
    format!(
        "{what} is {len} bytes long; the tools take targets of at most {MAX_TARGET_BYTES} bytes"
    )
}

/// A text field a tool takes as (part of) its target from a record: `None` when the
/// record has no such string, an error when it is longer than [`MAX_TARGET_BYTES`].
pub fn target_field<'a>(
    value: &'a serde_json::Map<String, serde_json::Value>,
    key: &str,
) -> Result<Option<&'a str>, String> {
    match value.get(key).and_then(|v| v.as_str()) {
        Some(text) if text.len() > MAX_TARGET_BYTES => {
            Err(too_long(&format!("field {key}"), text.len()))
        }
        other => Ok(other),
    }
}

/// Where a tool's targets come from, in order: the items a tool adds itself (e.g. from
/// `-m go.mod`), then arguments, then `-f` files, then stdin.
#[derive(Debug, Default)]
pub struct Inputs {
    leading: Vec<InputItem>,
    args: Vec<String>,
    files: Vec<PathBuf>,
    read_stdin: bool,
    extra_targets: bool,
    empty_hint: Option<&'static str>,
    /// Items a tool makes itself as it reads its own inputs, passed on as they come.
    relayed: Option<mpsc::Receiver<InputItem>>,
}

impl Inputs {
    /// Plans the inputs. Files are opened here so that an unreadable one fails the
    /// whole run before any probe starts. `extra_targets` tells whether the tool has
    /// targets of its own (from `-m` and the like), which, like arguments, keep stdin
    /// unread unless `-` asks for it.
    pub fn new(
        args: &[String],
        files: &[PathBuf],
        extra_targets: bool,
    ) -> Result<Inputs, InputError> {
        let dash_arg = args.iter().any(|a| a == "-");
        let dash_file = files.iter().any(|f| f.as_os_str() == "-");
        let real_args: Vec<String> = args.iter().filter(|a| *a != "-").cloned().collect();
        let real_files: Vec<PathBuf> = files
            .iter()
            .filter(|f| f.as_os_str() != "-")
            .cloned()
            .collect();
        for file in &real_files {
            if let Err(err) = std::fs::File::open(file) {
                return Err(InputError(oserr::path_error("open", file, &err)));
            }
        }
        let nothing_given = real_args.is_empty() && real_files.is_empty() && !extra_targets;
        let read_stdin =
            dash_arg || dash_file || (nothing_given && !std::io::stdin().is_terminal());
        Ok(Inputs {
            leading: Vec::new(),
            args: real_args,
            files: real_files,
            read_stdin,
            extra_targets,
            empty_hint: None,
            relayed: None,
        })
    }

    /// Items a tool makes itself while it reads its own inputs (gomod-sumverify groups
    /// fetch records as they arrive): the runner probes each as it comes.
    pub fn relay(items: mpsc::Receiver<InputItem>) -> Inputs {
        Inputs {
            relayed: Some(items),
            ..Inputs::default()
        }
    }

    /// Sets what to tell a user who gave nothing to probe (see [`Inputs::empty_reason`]).
    pub fn when_empty(mut self, hint: &'static str) -> Inputs {
        self.empty_hint = Some(hint);
        self
    }

    /// The hint set with [`Inputs::when_empty`].
    pub fn empty_hint(&self) -> Option<&'static str> {
        self.empty_hint
    }

    /// Why there is nothing to probe, when [`Inputs::is_empty`] says so or when reading
    /// gave no item at all.
    pub fn empty_reason(&self) -> &'static str {
        if self.extra_targets && self.leading.is_empty() && self.args.is_empty() {
            "the go.mod given with -m requires no module"
        } else if self.is_empty() {
            "no targets given (standard input is a terminal, so it is not read)"
        } else if self.args.is_empty() && self.files.is_empty() {
            "standard input holds no targets"
        } else {
            "the input holds no targets"
        }
    }

    /// Adds items that come before everything else.
    pub fn push_leading(&mut self, item: InputItem) {
        self.leading.push(item);
    }

    /// True when there is nothing to read at all.
    pub fn is_empty(&self) -> bool {
        self.leading.is_empty()
            && self.args.is_empty()
            && self.files.is_empty()
            && !self.read_stdin
            && self.relayed.is_none()
    }

    /// How many items there are, when that is known before reading: everything is in
    /// memory (items added by the tool and arguments), no file or stdin is read.
    pub fn count_known(&self) -> Option<u64> {
        if !self.files.is_empty() || self.read_stdin || self.relayed.is_some() {
            return None;
        }
        let args = self
            .args
            .iter()
            .filter(|arg| {
                let arg = arg.trim();
                !arg.is_empty() && !arg.starts_with('#')
            })
            .count();
        u64::try_from(self.leading.len() + args).ok()
    }

    /// Starts reading; items arrive on the returned channel in input order. Reading
    /// stops early when the receiver is dropped. A read error in the middle of a file
    /// is delivered as an [`InputItem::Invalid`].
    pub fn stream(self) -> mpsc::Receiver<InputItem> {
        if let Some(relayed) = self.relayed {
            return relayed;
        }
        if self.files.is_empty() && !self.read_stdin {
            // Everything is in memory already: no reader thread is needed.
            let items: Vec<InputItem> =
                self.leading
                    .into_iter()
                    .chain(self.args.iter().enumerate().filter_map(|(i, arg)| {
                        parse_line(&Origin::Arg, i as u64 + 1, arg.as_bytes())
                    }))
                    .collect();
            let (tx, rx) = mpsc::channel(items.len().max(1));
            for item in items {
                // The channel holds every item, so this never fails.
                let _ = tx.try_send(item);
            }
            return rx;
        }
        let (tx, rx) = mpsc::channel(256);
        std::thread::spawn(move || {
            for item in self.leading {
                if tx.blocking_send(item).is_err() {
                    return;
                }
            }
            for (i, arg) in self.args.iter().enumerate() {
                if let Some(item) = parse_line(&Origin::Arg, i as u64 + 1, arg.as_bytes())
                    && tx.blocking_send(item).is_err()
                {
                    return;
                }
            }
            for file in &self.files {
                let origin = Origin::File(file.clone());
                let Ok(handle) = std::fs::File::open(file) else {
                    let item = open_failed(&origin, file);
                    if tx.blocking_send(item).is_err() {
                        return;
                    }
                    continue;
                };
                if !send_lines(std::io::BufReader::new(handle), &origin, &tx) {
                    return;
                }
            }
            if self.read_stdin {
                send_lines(std::io::stdin().lock(), &Origin::Stdin, &tx);
            }
        });
        rx
    }
}

fn open_failed(origin: &Origin, file: &Path) -> InputItem {
    let reason = match std::fs::File::open(file) {
        Err(err) => oserr::path_error("open", file, &err),
        Ok(_) => "the file could not be opened".to_string(),
    };
    InputItem::Invalid {
        origin: origin.clone(),
        line: 0,
        text: file.display().to_string(),
        reason,
    }
}

/// Reads one line into `buf` (newline included), keeping at most `max` bytes of it
/// and skipping the rest. Returns the length of the whole line (0 at the end of the
/// input).
fn read_line_bounded(
    reader: &mut impl BufRead,
    buf: &mut Vec<u8>,
    max: usize,
) -> std::io::Result<usize> {
    let mut total = 0;
    loop {
        let available = match reader.fill_buf() {
            Ok(available) => available,
            Err(err) if err.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(err) => return Err(err),
        };
        if available.is_empty() {
            return Ok(total);
        }
        let (chunk, done) = match available.iter().position(|&b| b == b'\n') {
            Some(i) => (&available[..=i], true),
            None => (available, false),
        };
        let room = max.saturating_sub(buf.len());
        buf.extend_from_slice(&chunk[..chunk.len().min(room)]);
        let used = chunk.len();
        total += used;
        reader.consume(used);
        if done {
            return Ok(total);
        }
    }
}

/// Sends every line of `reader`; false when the receiver went away.
fn send_lines(mut reader: impl BufRead, origin: &Origin, tx: &mpsc::Sender<InputItem>) -> bool {
    let mut buf = Vec::new();
    let mut line = 0u64;
    loop {
        buf.clear();
        match read_line_bounded(&mut reader, &mut buf, MAX_LINE_BYTES) {
            Ok(0) => return true,
            Ok(len) => {
                line += 1;
                let item = if len > MAX_LINE_BYTES {
                    Some(InputItem::Invalid {
                        origin: origin.clone(),
                        line,
                        text: echoed(&buf),
                        reason: format!(
                            "the line is {len} bytes long; the tools read lines of at most {MAX_LINE_BYTES} bytes"
                        ),
                    })
                } else {
                    parse_line(origin, line, &buf)
                };
                if let Some(item) = item
                    && tx.blocking_send(item).is_err()
                {
                    return false;
                }
            }
            Err(err) => {
                let item = InputItem::Invalid {
                    origin: origin.clone(),
                    line: line + 1,
                    text: String::new(),
                    reason: format!("read error: {}", oserr::errno_text(&err)),
                };
                let _ = tx.blocking_send(item);
                return true;
            }
        }
    }
}

/// The requirements of a go.mod file, after replace and exclude, as input records
/// (`module`, `version`, `from`, `excluded`, `replaced_by`) that every tool
/// understands. `Ok(Err(error))`: the go command refuses the file (it does not
/// parse, or a `godebug` line fails go's check for the go in `cfg`), with the go
/// command's text; `Err(text)`: it cannot be read.
pub fn gomod_requirements(
    path: &Path,
    cfg: &crate::goenv::GoConfig,
) -> Result<Result<Vec<InputItem>, ErrorInfo>, String> {
    let data = crate::regular::read(path, crate::regular::GO_MOD).map_err(|e| e.to_string())?;
    let name = path.display().to_string();
    let file = match crate::modfile::parse(&name, &data) {
        Ok(file) => file,
        Err(err) => {
            return Ok(Err(gomod_invalid(
                path,
                format!("go: errors parsing {name}:\n{err}"),
            )));
        }
    };
    let install = cfg.install.as_ref();
    if let Some(go_error) = crate::godebug::check_gomod(
        &name,
        &file,
        install.and_then(|i| i.minor),
        install.and_then(|i| i.version.as_deref()),
    ) {
        return Ok(Err(crate::godebug::gomod_error(path, go_error)));
    }
    let origin = Origin::File(path.to_path_buf());
    Ok(Ok(file
        .effective_requirements()
        .into_iter()
        .map(|req| {
            let mut value = serde_json::Map::new();
            value.insert("module".into(), req.require.path.clone().into());
            value.insert("version".into(), req.require.version.clone().into());
            value.insert(
                "from".into(),
                serde_json::json!({"file": name, "line": req.require.line}),
            );
            value.insert("excluded".into(), req.excluded.into());
            if let Some(replace) = &req.replacement {
                value.insert(
                    "replaced_by".into(),
                    serde_json::json!({"path": replace.new_path, "version": replace.new_version, "local": replace.is_local_dir()}),
                );
            }
            InputItem::Record {
                origin: origin.clone(),
                line: req.require.line as u64,
                value,
            }
        })
        .collect()))
}

/// The error for a go.mod given with `-m` that does not parse, with the go command's text.
pub fn gomod_invalid(path: &Path, go_error: String) -> ErrorInfo {
    ErrorInfo::new(
        Code::GomodInvalid,
        format!(
            "{} does not parse as the go command parses it",
            path.display()
        ),
    )
    .go_error(go_error)
    .hint("fix the lines named in go_error; `go mod edit -fmt` shows the same errors")
}

/// A module named by an input item: a plain `path[@version]`, or a record with a
/// `module` field (and `version` or `query`, and for go.mod requirements `from`,
/// `replaced_by` and `excluded`), as every tool reads them.
#[derive(Clone, Debug)]
pub struct ModuleTarget {
    /// The module path.
    pub module: String,
    /// The version or query, if any.
    pub version: Option<String>,
    /// The go.mod line it came from.
    pub from: Option<crate::record::route::FromInfo>,
    /// Its replacement in that go.mod.
    pub replaced_by: Option<crate::record::route::Replacement>,
    /// Whether that go.mod excludes it.
    pub excluded: bool,
}

impl ModuleTarget {
    /// The module an item names; None for items that name none, an error for a
    /// record whose module, version or query is longer than [`MAX_TARGET_BYTES`].
    pub fn from_item(item: &InputItem) -> Result<Option<ModuleTarget>, String> {
        Ok(Some(match item {
            InputItem::Target { text, .. } => {
                let (module, version) = match text.split_once('@') {
                    Some((m, v)) => (m.to_string(), Some(v.to_string())),
                    None => (text.clone(), None),
                };
                ModuleTarget {
                    module,
                    version,
                    from: None,
                    replaced_by: None,
                    excluded: false,
                }
            }
            InputItem::Record { value, .. } => {
                let Some(module) = target_field(value, "module")? else {
                    return Ok(None);
                };
                let module = module.to_string();
                let version = match target_field(value, "version")? {
                    Some(v) => Some(v.to_string()),
                    None => target_field(value, "query")?.map(str::to_string),
                };
                let from = match value.get("from").and_then(|f| f.as_object()) {
                    Some(f) => match (
                        target_field(f, "file"),
                        f.get("line").and_then(|l| l.as_u64()),
                    ) {
                        (Err(e), _) => return Err(format!("from: {e}")),
                        (Ok(Some(file)), Some(line)) => Some(crate::record::route::FromInfo {
                            file: file.to_string(),
                            line,
                        }),
                        _ => None,
                    },
                    None => None,
                };
                let replaced_by = match value.get("replaced_by").and_then(|r| r.as_object()) {
                    Some(r) => target_field(r, "path")?.map(|path| {
                        Ok::<_, String>(crate::record::route::Replacement {
                            path: path.to_string(),
                            version: target_field(r, "version")?.map(str::to_string),
                            local: r.get("local").and_then(|v| v.as_bool()).unwrap_or(false),
                        })
                    }),
                    None => None,
                }
                .transpose()
                .map_err(|e| format!("replaced_by: {e}"))?;
                let excluded = value
                    .get("excluded")
                    .and_then(|v| v.as_bool())
                    .unwrap_or(false);
                ModuleTarget {
                    module,
                    version,
                    from,
                    replaced_by,
                    excluded,
                }
            }
            InputItem::Ready(_) | InputItem::Invalid { .. } => return Ok(None),
        }))
    }

    /// `go: path@version: `, the go command's prefix for errors about the module.
    pub fn go_prefix(&self) -> String {
        match &self.version {
            Some(v) => format!("go: {}@{}: ", self.module, v),
            None => format!("go: {}: ", self.module),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_lines() {
        let o = Origin::Stdin;
        assert!(parse_line(&o, 1, b"   \n").is_none());
        assert!(parse_line(&o, 1, b"# comment").is_none());
        assert!(
            matches!(parse_line(&o, 1, b" example.com/m@v1.0.0 \n"), Some(InputItem::Target { text, .. }) if text == "example.com/m@v1.0.0")
        );
        assert!(
            matches!(parse_line(&o, 1, br#"{"type":"route","host":"h"}"#), Some(InputItem::Record { value, .. }) if value["host"] == "h")
        );
        assert!(matches!(
            parse_line(&o, 2, b"{not json"),
            Some(InputItem::Invalid { line: 2, .. })
        ));
        assert!(matches!(
            parse_line(&o, 1, b"\xff\xfe"),
            Some(InputItem::Invalid { .. })
        ));
    }

    #[test]
    fn unreadable_file_is_fatal() {
        let err =
            Inputs::new(&[], &[PathBuf::from("/nonexistent/targets.txt")], false).unwrap_err();
        assert_eq!(
            err.0,
            "open /nonexistent/targets.txt: no such file or directory"
        );
    }

    #[tokio::test]
    async fn streams_in_order() {
        let dir = std::env::temp_dir().join(format!("gomod-input-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("t.txt");
        std::fs::write(&file, "b\n\n{\"host\":\"c\"}\nbad{\n").unwrap();
        let mut inputs =
            Inputs::new(&["a".to_string()], std::slice::from_ref(&file), false).unwrap();
        inputs.push_leading(InputItem::Target {
            origin: Origin::Arg,
            line: 0,
            text: "first".into(),
        });
        let mut rx = inputs.stream();
        let mut got = Vec::new();
        while let Some(item) = rx.recv().await {
            got.push(match item {
                InputItem::Target { text, .. } => text,
                InputItem::Record { value, .. } => value["host"].as_str().unwrap().to_string(),
                InputItem::Invalid { .. } => "invalid".into(),
                InputItem::Ready(_) => "ready".into(),
            });
        }
        assert_eq!(got, ["first", "a", "b", "c", "bad{"]);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
