//! go.sum as the go command consults it: the lines of every go.sum file in use, keyed by
//! module path and version, and the comparison `haveModSumLocked` makes with a hash.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use gomod_common::gosum::{self, GoSumError};
use gomod_common::regular;

/// One go.sum hash and where it is written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SumLine {
    /// The hash as written (`h1:...`, or another algorithm).
    pub hash: String,
    /// The file it is in, as given.
    pub file: PathBuf,
    /// Its line number.
    pub line: usize,
}

impl SumLine {
    /// `file:line`.
    pub fn at(&self) -> String {
        format!("{}:{}", self.file.display(), self.line)
    }
}

/// What go.sum says about one hash, in the go command's terms.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SumCheck<'a> {
    /// A line with this hash comes before any other `h1:` line: accepted.
    Accepted(&'a SumLine),
    /// An `h1:` line with another hash comes first: Go's go.sum SECURITY ERROR.
    Mismatch(&'a SumLine),
    /// No `h1:` line: the go command treats the hash as missing (and, after the
    /// database accepts it, warns about these lines of other algorithms).
    Missing(Vec<&'a SumLine>),
}

/// The lines of the go.sum files in use, read as one file in the order given.
#[derive(Clone, Debug, Default)]
pub struct GoSums {
    files: Vec<PathBuf>,
    /// Hashes per (path, version), the version with `/go.mod` for go.mod hashes.
    entries: HashMap<(String, String), Vec<SumLine>>,
    /// Every module version with a line, in file order, each once.
    order: Vec<(String, String)>,
    seen: HashSet<(String, String)>,
}

/// A go.sum file that cannot be used; fatal, as it is to the go command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SumsError {
    /// What is wrong, in Go's words where Go has any.
    pub message: String,
}

impl GoSums {
    /// No go.sum at all.
    pub fn none() -> GoSums {
        GoSums::default()
    }

    /// Reads the files; a file that cannot be read, or a line without three fields, is
    /// an error (the go command's since Go 1.22: `malformed go.sum`).
    pub fn read(files: &[PathBuf]) -> Result<GoSums, SumsError> {
        let mut sums = GoSums::default();
        for file in files {
            let data = regular::read(file, regular::GO_SUM).map_err(|err| SumsError {
                message: err.to_string(),
            })?;
            sums.add(file, &data).map_err(|err| SumsError {
                message: err.to_string(),
            })?;
        }
        Ok(sums)
    }

    /// Adds one file's lines after those already read.
    pub fn add(&mut self, file: &Path, data: &[u8]) -> Result<(), GoSumError> {
        let lines = gosum::parse(&file.display().to_string(), data)?;
        self.files.push(file.to_path_buf());
        for line in lines {
            let module_version = (line.path.clone(), line.module_version().to_string());
            if self.seen.insert(module_version.clone()) {
                self.order.push(module_version);
            }
            self.entries
                .entry((line.path, line.version))
                .or_default()
                .push(SumLine {
                    hash: line.hash,
                    file: file.to_path_buf(),
                    line: line.line,
                });
        }
        Ok(())
    }

    /// Whether any go.sum file is in use (even an empty one).
    pub fn in_use(&self) -> bool {
        !self.files.is_empty()
    }

    /// Every module version with a line, in file order.
    pub fn module_versions(&self) -> &[(String, String)] {
        &self.order
    }

    /// The lines for `module` at `version` (`v1.2.3` or `v1.2.3/go.mod`), in file order.
    pub fn lines(&self, module: &str, version: &str) -> &[SumLine] {
        self.entries
            .get(&(module.to_string(), version.to_string()))
            .map_or(&[], Vec::as_slice)
    }

    /// The first `h1:` line: the one any other hash is compared with first.
    pub fn first_h1(&self, module: &str, version: &str) -> Option<&SumLine> {
        self.lines(module, version)
            .iter()
            .find(|l| l.hash.starts_with("h1:"))
    }

    /// `haveModSumLocked`: the lines in file order; an equal hash accepts, an `h1:`
    /// line that differs before it is a mismatch, other algorithms are passed over.
    pub fn check(&self, module: &str, version: &str, hash: &str) -> SumCheck<'_> {
        let lines = self.lines(module, version);
        for line in lines {
            if line.hash == hash {
                return SumCheck::Accepted(line);
            }
            if line.hash.starts_with("h1:") {
                return SumCheck::Mismatch(line);
            }
        }
        SumCheck::Missing(lines.iter().collect())
    }
}

/// The lines the go command prints after a go.sum mismatch (`goSumMismatch`).
pub const GOSUM_MISMATCH: &str = "

SECURITY ERROR
This download does NOT match an earlier download recorded in go.sum.
The bits may have been replaced on the origin server, or an attacker may
have intercepted the download attempt.

For more information, see 'go help module-auth'.
";

/// The lines the go command prints after adding a hash next to lines of unknown
/// algorithms (`hashVersionMismatch`).
pub const HASH_VERSION_MISMATCH: &str = "

SECURITY WARNING
This download is listed in go.sum, but using an unknown hash algorithm.
The download cannot be verified.

For more information, see 'go help module-auth'.

";

#[cfg(test)]
mod tests {
    use super::*;

    fn sums(text: &str) -> GoSums {
        let mut sums = GoSums::none();
        sums.add(Path::new("go.sum"), text.as_bytes()).unwrap();
        sums
    }

    #[test]
    fn file_order_decides() {
        let s = sums("m v1 h1:right\nm v1 h1:wrong\nn v1 h1:wrong\nn v1 h1:right\n");
        assert!(matches!(s.check("m", "v1", "h1:right"), SumCheck::Accepted(l) if l.line == 1));
        assert!(
            matches!(s.check("n", "v1", "h1:right"), SumCheck::Mismatch(l) if l.hash == "h1:wrong" && l.line == 3)
        );
    }

    #[test]
    fn other_algorithms_count_as_missing() {
        let s = sums("m v1 h2:x\nm v1 y\n");
        match s.check("m", "v1", "h1:z") {
            SumCheck::Missing(lines) => assert_eq!(lines.len(), 2),
            other => panic!("{other:?}"),
        }
        assert!(matches!(s.check("m", "v1", "h2:x"), SumCheck::Accepted(_)));
        assert_eq!(s.first_h1("m", "v1"), None);
        assert!(matches!(s.check("other", "v1", "h1:z"), SumCheck::Missing(l) if l.is_empty()));
    }

    #[test]
    fn module_versions_in_file_order_once() {
        let s = sums("b v1/go.mod h1:x\na v2 h1:y\nb v1 h1:z\na v2/go.mod h1:w\n");
        assert_eq!(
            s.module_versions(),
            [
                ("b".to_string(), "v1".to_string()),
                ("a".to_string(), "v2".to_string())
            ]
        );
        assert!(s.in_use());
        assert!(!GoSums::none().in_use());
    }

    #[test]
    fn files_are_read_in_the_order_given() {
        let mut s = sums("m v1 h1:first\n");
        s.add(Path::new("go.work.sum"), b"m v1 h1:second\n")
            .unwrap();
        let lines = s.lines("m", "v1");
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[1].at(), "go.work.sum:1");
        assert!(
            matches!(s.check("m", "v1", "h1:second"), SumCheck::Mismatch(l) if l.hash == "h1:first")
        );
    }
}
