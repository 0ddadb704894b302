//! GOFLAGS as the go command checks it before every command (`base.InitGOFLAGS`, and
//! what `SetFromGOFLAGS` refuses for every command): the entries go refuses, each with
//! the line go prints, so that a GOFLAGS that stops every `go mod download` does not go
//! unnoticed.
//!
//! Go splits the value into words (single or double quotes group, nothing is
//! unescaped), requires every word to look like `-name`, `--name`, `-name=value` or
//! `--name=value`, and requires `name` to be a flag of some go command. Nothing else is
//! checked for every command, except `-C`, which every command defines and which may
//! not come from GOFLAGS. `-insecure` is still a flag of `go get`, so go accepts it,
//! but `go get` then stops: the flag was removed in favour of GOINSECURE.

use crate::goquote;

/// Every flag name some go1.27 command defines: what `base.hasFlag(base.Go, name)`
/// accepts. The list was made by asking go1.27 (`GOFLAGS=-NAME go version`) about every
/// string in the source of cmd/go and every flag its documentation names (which adds
/// the `-vettool` and `-fixtool` that `go vet` and `go fix` build from their names);
/// the interop tests ask the go on PATH again about each.
pub const KNOWN_FLAGS: &[&str] = &[
    "C",
    "a",
    "artifacts",
    "asan",
    "asmflags",
    "bench",
    "benchmem",
    "benchtime",
    "blockprofile",
    "blockprofilerate",
    "buildmode",
    "buildvcs",
    "c",
    "cache",
    "changed",
    "compat",
    "compiled",
    "compiler",
    "count",
    "cover",
    "covermode",
    "coverpkg",
    "coverprofile",
    "cpu",
    "cpuprofile",
    "d",
    "debug-actiongraph",
    "debug-runtime-trace",
    "debug-trace",
    "deps",
    "diff",
    "dropexclude",
    "dropgodebug",
    "dropignore",
    "dropreplace",
    "droprequire",
    "dropretract",
    "droptool",
    "dropuse",
    "e",
    "exclude",
    "exec",
    "export",
    "f",
    "failfast",
    "find",
    "fix",
    "fixtool",
    "fmt",
    "fullpath",
    "fuzz",
    "fuzzcache",
    "fuzzminimizetime",
    "fuzztime",
    "gccgoflags",
    "gcflags",
    "go",
    "godebug",
    "i",
    "ignore",
    "insecure",
    "installsuffix",
    "json",
    "ldflags",
    "linkshared",
    "list",
    "m",
    "memprofile",
    "memprofilerate",
    "mod",
    "modcache",
    "modcacherw",
    "modfile",
    "module",
    "msan",
    "mutexprofile",
    "mutexprofilefraction",
    "n",
    "o",
    "outputdir",
    "overlay",
    "p",
    "parallel",
    "pgo",
    "pkgdir",
    "print",
    "r",
    "race",
    "replace",
    "require",
    "retract",
    "retracted",
    "reuse",
    "run",
    "short",
    "shuffle",
    "skip",
    "t",
    "tags",
    "test",
    "testcache",
    "timeout",
    "tool",
    "toolchain",
    "toolexec",
    "trace",
    "trimpath",
    "u",
    "use",
    "v",
    "vendor",
    "versions",
    "vet",
    "vettool",
    "w",
    "work",
    "x",
];

/// The flags `go test` forwards to the test binary, which it also defines with a
/// `test.` prefix (`-test.v`).
pub const TEST_BINARY_FLAGS: &[&str] = &[
    "artifacts",
    "bench",
    "benchmem",
    "benchtime",
    "blockprofile",
    "blockprofilerate",
    "count",
    "coverprofile",
    "cpu",
    "cpuprofile",
    "failfast",
    "fullpath",
    "fuzz",
    "fuzzminimizetime",
    "fuzztime",
    "list",
    "memprofile",
    "memprofilerate",
    "mutexprofile",
    "mutexprofilefraction",
    "outputdir",
    "parallel",
    "run",
    "short",
    "shuffle",
    "skip",
    "timeout",
    "trace",
    "v",
];

/// Whether some go command defines the flag `name` (without dashes).
pub fn is_known_flag(name: &str) -> bool {
    KNOWN_FLAGS.contains(&name)
        || name
            .strip_prefix("test.")
            .is_some_and(|n| TEST_BINARY_FLAGS.contains(&n))
}

/// What is wrong with one GOFLAGS entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProblemKind {
    /// Every go command (but `go env` and `go bug`) stops before doing anything, when
    /// it reads GOFLAGS.
    Refused,
    /// Every go command that defines the flag stops when it sets its flags from
    /// GOFLAGS, which comes after every [`ProblemKind::Refused`] check.
    RefusedBySetting,
    /// `-insecure`: accepted, ignored by most commands, and `go get` stops.
    InsecureRemoved,
}

/// One GOFLAGS entry the go command refuses or cannot use.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// The entry as go split it (the whole value when it cannot be split).
    pub entry: String,
    /// What kind of problem it is.
    pub kind: ProblemKind,
    /// Why, in plain words.
    pub reason: String,
    /// The line the go command prints for it.
    pub go_error: String,
}

/// Go's `quoted.Split`: words separated by blanks, `'...'` and `"..."` grouping with
/// no unescaping; an unterminated quote is an error in Go's words.
pub fn split(value: &str) -> Result<Vec<String>, String> {
    let is_space = |b: u8| matches!(b, b' ' | b'\t' | b'\n' | b'\r');
    let bytes = value.as_bytes();
    let mut words = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        while i < bytes.len() && is_space(bytes[i]) {
            i += 1;
        }
        if i == bytes.len() {
            break;
        }
        if bytes[i] == b'"' || bytes[i] == b'\'' {
            let quote = bytes[i];
            let start = i + 1;
            let Some(len) = bytes[start..].iter().position(|&b| b == quote) else {
                return Err(format!("unterminated {} string", quote as char));
            };
            words.push(value[start..start + len].to_string());
            i = start + len + 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && !is_space(bytes[i]) {
            i += 1;
        }
        words.push(value[start..i].to_string());
    }
    Ok(words)
}

/// Every entry of `value` (GOFLAGS) the go command refuses or cannot use, in order.
/// Go stops at the first entry it refuses (checking every entry for
/// [`ProblemKind::Refused`] before any for [`ProblemKind::RefusedBySetting`]); each
/// problem carries the line go prints when it is that one.
pub fn problems(value: &str) -> Vec<Problem> {
    let words = match split(value) {
        Ok(words) => words,
        Err(err) => {
            return vec![Problem {
                entry: value.to_string(),
                kind: ProblemKind::Refused,
                reason: format!("the value cannot be split into flags ({err})"),
                go_error: format!("go: parsing $GOFLAGS: {err}"),
            }];
        }
    };
    let mut found = Vec::new();
    for word in words {
        let refused = |reason: String, go_error: String| Problem {
            entry: word.clone(),
            kind: ProblemKind::Refused,
            reason,
            go_error,
        };
        if !word.starts_with('-')
            || word == "-"
            || word == "--"
            || word.starts_with("---")
            || word.starts_with("-=")
            || word.starts_with("--=")
        {
            found.push(refused(
                "it is not a flag (each entry must be -name or -name=value)".to_string(),
                format!("go: parsing $GOFLAGS: non-flag {}", goquote::quote(&word)),
            ));
            continue;
        }
        let without_dashes = word.strip_prefix("--").unwrap_or(&word[1..]);
        let (name, value) = match without_dashes.split_once('=') {
            Some((name, value)) => (name, Some(value)),
            None => (without_dashes, None),
        };
        if !is_known_flag(name) {
            found.push(refused(
                format!("no go command has a -{name} flag"),
                format!("go: parsing $GOFLAGS: unknown flag -{name}"),
            ));
            continue;
        }
        match (name, value) {
            ("C", Some(value)) => found.push(Problem {
                kind: ProblemKind::RefusedBySetting,
                ..refused(
                "-C must be the first flag on the command line and cannot come from GOFLAGS"
                    .to_string(),
                format!(
                    "go: invalid value {} for flag -C (from $GOFLAGS): -C flag must be first flag on command line",
                    goquote::quote(value)
                ),
            )
            }),
            ("C", None) => found.push(Problem {
                kind: ProblemKind::RefusedBySetting,
                ..refused(
                    "-C needs a directory, and cannot come from GOFLAGS".to_string(),
                    "go: flag needs an argument: -C (from $GOFLAGS)".to_string(),
                )
            }),
            ("insecure", value) if !value.is_some_and(is_false) => found.push(Problem {
                entry: word.clone(),
                kind: ProblemKind::InsecureRemoved,
                reason: "-insecure was removed: most go commands ignore it, and go get stops"
                    .to_string(),
                go_error: "go: -insecure flag is no longer supported; use GOINSECURE instead"
                    .to_string(),
            }),
            _ => {}
        }
    }
    found
}

/// A value Go's `strconv.ParseBool` reads as false.
fn is_false(value: &str) -> bool {
    matches!(value, "0" | "f" | "F" | "false" | "FALSE" | "False")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(value: &str) -> Vec<String> {
        problems(value).into_iter().map(|p| p.go_error).collect()
    }

    #[test]
    fn splits_as_go_does() {
        assert_eq!(
            split(" -a  '-b c' \"-d\"\t-e=\"x\" ").unwrap(),
            ["-a", "-b c", "-d", "-e=\"x\""]
        );
        assert_eq!(split("'-x").unwrap_err(), "unterminated ' string");
        assert!(split("").unwrap().is_empty());
    }

    #[test]
    fn refused_entries_with_go_s_lines() {
        assert!(problems("-mod=mod -modcacherw --trimpath -test.v -x=true").is_empty());
        assert_eq!(
            errors("-bogus"),
            ["go: parsing $GOFLAGS: unknown flag -bogus"]
        );
        assert_eq!(
            errors("--bogus=1"),
            ["go: parsing $GOFLAGS: unknown flag -bogus"]
        );
        assert_eq!(
            errors("mod=mod"),
            ["go: parsing $GOFLAGS: non-flag \"mod=mod\""]
        );
        for word in ["-", "--", "---x", "-=x", "--=x"] {
            assert_eq!(
                errors(word),
                [format!("go: parsing $GOFLAGS: non-flag \"{word}\"")]
            );
        }
        assert_eq!(
            errors("\"-x"),
            ["go: parsing $GOFLAGS: unterminated \" string"]
        );
        assert_eq!(
            errors("-C=dir"),
            [
                "go: invalid value \"dir\" for flag -C (from $GOFLAGS): -C flag must be first flag on command line"
            ]
        );
        // Every refused entry is named, in order.
        assert_eq!(problems("-a -bogus x -y").len(), 3);
    }

    #[test]
    fn insecure_is_removed_unless_false() {
        for value in ["-insecure", "--insecure", "-insecure=true", "-insecure=1"] {
            let found = problems(value);
            assert_eq!(found.len(), 1, "{value}");
            assert_eq!(found[0].kind, ProblemKind::InsecureRemoved);
        }
        assert!(problems("-insecure=false").is_empty());
    }

    #[test]
    fn known_flags_are_sorted_and_unique() {
        let mut sorted = KNOWN_FLAGS.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted, KNOWN_FLAGS);
        assert!(is_known_flag("test.count") && !is_known_flag("test.x"));
    }
}
