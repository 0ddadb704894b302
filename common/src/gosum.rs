//! go.sum reading as the go command does it: `readGoSum` in
//! cmd/go/internal/modfetch/fetch.go (Go 1.27).
//!
//! Each non-blank line is `<module path> <version>[/go.mod] <hash>`, fields
//! separated by any Unicode white space (CRLF line ends, indentation and
//! trailing blanks are harmless). Since Go 1.22 a line with any other number of
//! fields stops the go command with [`GoSumError`]; earlier releases silently
//! ignored that line and everything after it. Only `go mod tidy` still skips
//! malformed lines, so that it can rewrite the file.
//!
//! What the go command then does with the lines (`checkModSum`,
//! `haveModSumLocked`, `HaveSum`, `RecordedSum`, `tidyGoSum`):
//!
//! * Hashes are collected per module version in file order; duplicate lines are
//!   kept as repeated entries and only collapse when the go command rewrites the
//!   file (sorted, deduplicated).
//! * A download's hash is accepted as soon as any recorded hash for that module
//!   version equals it. Scanning in file order, a differing `h1:` hash met
//!   before an equal one is a fatal "checksum mismatch" (SECURITY ERROR), so a
//!   wrong line is only harmless after the right one.
//! * Only `h1:` is a known algorithm. Hashes with any other prefix (or none)
//!   never count as present or as a mismatch: the module version is treated as
//!   missing from go.sum ("missing go.sum entry" under `-mod=readonly`), and
//!   when the go command adds the `h1:` hash it prints "warning: verifying
//!   <path>@<version>: unknown hashes in go.sum: ..." with a SECURITY WARNING and
//!   keeps the old lines.

use std::fmt;

/// The `h1:` hash of a go.mod file with no content. Old go commands wrote it for
/// non-modules; `readGoSum` drops every line carrying it.
const EMPTY_GO_MOD_HASH: &str = "h1:G7mAYYxgmS0lVkHyy2hEOLQCFB0DlQFTMLWggykrydY=";

/// One go.sum line the go command keeps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoSumLine {
    pub path: String,
    /// The module version, with a `/go.mod` suffix for the hash of the go.mod file alone.
    pub version: String,
    /// The hash as written, normally `h1:` and base64.
    pub hash: String,
    /// Line number, starting at 1.
    pub line: usize,
}

impl GoSumLine {
    /// Whether this is the hash of the module's go.mod file rather than of its zip.
    pub fn is_go_mod_entry(&self) -> bool {
        self.version.ends_with("/go.mod")
    }

    /// The module version without the `/go.mod` suffix.
    pub fn module_version(&self) -> &str {
        self.version
            .strip_suffix("/go.mod")
            .unwrap_or(&self.version)
    }

    /// The hash's algorithm name, the text before the first `:` (`h1`), if any.
    pub fn hash_algorithm(&self) -> Option<&str> {
        self.hash.split_once(':').map(|(algorithm, _)| algorithm)
    }

    /// Whether the go command can use this hash: it starts with `h1:`.
    pub fn is_h1(&self) -> bool {
        self.hash.starts_with("h1:")
    }
}

/// A go.sum line without exactly three fields; fatal to the go command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoSumError {
    /// The file name as given to [`parse`]; the go command prints the full path.
    pub file: String,
    pub line: usize,
    pub fields: usize,
}

impl fmt::Display for GoSumError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "malformed go.sum:\n{}:{}: wrong number of fields {}",
            self.file, self.line, self.fields
        )
    }
}

impl std::error::Error for GoSumError {}

/// Reads a go.sum file like `readGoSum`: the lines in file order, skipping blank
/// lines and the old empty-go.mod hash, failing at the first line without three
/// fields. Invalid UTF-8 in a field becomes U+FFFD (such a field can never match
/// a valid module path, version or hash).
pub fn parse(file_name: &str, data: &[u8]) -> Result<Vec<GoSumLine>, GoSumError> {
    let mut lines = Vec::new();
    for (i, raw) in data.split(|&b| b == b'\n').enumerate() {
        let text = String::from_utf8_lossy(raw);
        let fields: Vec<&str> = text.split_whitespace().collect();
        match fields[..] {
            [] => {}
            [_, _, EMPTY_GO_MOD_HASH] => {}
            [path, version, hash] => lines.push(GoSumLine {
                path: path.to_string(),
                version: version.to_string(),
                hash: hash.to_string(),
                line: i + 1,
            }),
            _ => {
                return Err(GoSumError {
                    file: file_name.to_string(),
                    line: i + 1,
                    fields: fields.len(),
                });
            }
        }
    }
    Ok(lines)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;
    use std::collections::BTreeMap;
    use std::path::PathBuf;

    /// Where the shared test vectors live.
    fn fixture(name: &str) -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../tests/fixtures/vectors")
            .join(name)
    }

    /// Hashes per `(path, version)` in file order: the shape of the go command's
    /// go.sum map, which the vectors list.
    type Entries = BTreeMap<(String, String), Vec<String>>;

    fn group(lines: &[GoSumLine]) -> Entries {
        let mut m = Entries::new();
        for l in lines {
            m.entry((l.path.clone(), l.version.clone()))
                .or_default()
                .push(l.hash.clone());
        }
        m
    }

    fn vector_entries(parse: &Value) -> Entries {
        let str_of = |v: &Value| v.as_str().unwrap().to_string();
        parse["entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                let hashes = e["hashes"].as_array().unwrap().iter().map(str_of).collect();
                ((str_of(&e["path"]), str_of(&e["version"])), hashes)
            })
            .collect()
    }

    /// gosum.json was generated with go1.19.8, whose readGoSum returned its error
    /// after recording the lines before the malformed one. Go 1.22+ (and so 1.27)
    /// exits at that error with the same text, so for these cases only the error
    /// is compared; the entries the vector lists before it are never used.
    const FATAL_SINCE_GO_1_22: &[&str] = &[
        "comment-line-first",
        "comment-line-last",
        "extra-fields-first-line",
        "malformed-after-first",
    ];

    #[test]
    fn vectors() {
        let text = std::fs::read_to_string(fixture("gosum.json")).unwrap();
        let doc: Value = serde_json::from_str(&text).unwrap();
        let cases = doc["cases"].as_array().unwrap();
        assert_eq!(cases.len(), 27);
        for case in cases {
            let name = case["name"].as_str().unwrap();
            let data = case["go_sum"].as_str().unwrap().as_bytes();
            let want = &case["parse"];
            match (parse("go.sum", data), want["error"].as_str()) {
                (Ok(lines), None) => assert_eq!(group(&lines), vector_entries(want), "{name}"),
                (Err(err), Some(msg)) => {
                    assert_eq!(err.to_string(), msg, "{name}");
                    assert!(FATAL_SINCE_GO_1_22.contains(&name), "{name}");
                }
                (got, _) => panic!("{name}: got {got:?}, want {want}"),
            }
        }
    }

    #[test]
    fn lines_in_file_order() {
        let data = b"\n b v1.0.0/go.mod h1:x=\r\na v0.1.0 h2:y\n\na v0.2.0 h1:G7mAYYxgmS0lVkHyy2hEOLQCFB0DlQFTMLWggykrydY=\nc\xff v1 z";
        let got = parse("go.sum", data).unwrap();
        let line = |path: &str, version: &str, hash: &str, line| GoSumLine {
            path: path.to_string(),
            version: version.to_string(),
            hash: hash.to_string(),
            line,
        };
        assert_eq!(
            got,
            vec![
                line("b", "v1.0.0/go.mod", "h1:x=", 2),
                line("a", "v0.1.0", "h2:y", 3),
                // line 5 carries the empty go.mod hash and is dropped
                line("c\u{fffd}", "v1", "z", 6),
            ]
        );
        assert!(got[0].is_go_mod_entry() && !got[1].is_go_mod_entry());
        assert_eq!(got[0].module_version(), "v1.0.0");
        assert_eq!(got[1].module_version(), "v0.1.0");
        assert_eq!(got[0].hash_algorithm(), Some("h1"));
        assert_eq!(got[1].hash_algorithm(), Some("h2"));
        assert_eq!(got[2].hash_algorithm(), None);
        assert!(got[0].is_h1() && !got[1].is_h1() && !got[2].is_h1());
    }

    #[test]
    fn malformed_line_is_fatal() {
        let err = parse("/work/m/go.sum", b"a v1 h1:x\n\na v1 h1:x // c\na\n").unwrap_err();
        assert_eq!(
            err,
            GoSumError {
                file: "/work/m/go.sum".to_string(),
                line: 3,
                fields: 5,
            }
        );
        // As the go command prints it (followed by a newline, no "go: " prefix).
        assert_eq!(
            err.to_string(),
            "malformed go.sum:\n/work/m/go.sum:3: wrong number of fields 5"
        );
    }
}
