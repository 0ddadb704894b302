//! The main modules the go command works in, found from the working directory as go
//! finds them, for the one rule of theirs a download follows: their `exclude`
//! directives, which every version query passes over (go's `CheckExclusions`, part of
//! `CheckAllowed`; an exact version or a revision is fetched even when excluded).
//!
//! The main modules are the `use` directories of the workspace's go.work (GOWORK, else
//! the nearest go.work), else the module of the nearest go.mod, or the file GOFLAGS'
//! `-modfile` names instead of it; none with `GO111MODULE=off` or outside any module.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::goenv::GoConfig;

/// One version excluded by a main module's go.mod.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Excluded {
    /// The version, exactly as the directive gives it (go compares the strings).
    pub version: String,
    /// The go.mod file and line of the directive.
    pub file: PathBuf,
    pub line: usize,
}

/// The versions the main modules exclude, by module path.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Exclusions {
    by_module: BTreeMap<String, Vec<Excluded>>,
}

impl Exclusions {
    /// The exclusions of the main modules found from `cwd` with `cfg`'s settings. A
    /// go.mod that cannot be read or parsed excludes nothing here (go stops on it with
    /// its own error before any query, which the tools report elsewhere).
    pub fn find(cfg: &GoConfig, cwd: &Path) -> Exclusions {
        let settings = Settings {
            gowork: cfg.getenv("GOWORK"),
            go111module: cfg.getenv("GO111MODULE"),
            goflags: cfg.getenv("GOFLAGS"),
        };
        let goroot = cfg.install.as_ref().map(|i| i.goroot.as_path());
        let mut found = Exclusions::default();
        for gomod in main_gomods(cwd, &settings, goroot, &std::env::temp_dir()) {
            found.read(&gomod);
        }
        found
    }

    /// Adds the `exclude` directives of one go.mod file.
    fn read(&mut self, gomod: &Path) {
        let Ok(data) = crate::regular::read(gomod, crate::regular::GO_MOD) else {
            return;
        };
        let Ok(file) = crate::modfile::parse(&gomod.display().to_string(), &data) else {
            return;
        };
        for x in file.excludes {
            self.by_module.entry(x.path).or_default().push(Excluded {
                version: x.version,
                file: gomod.to_path_buf(),
                line: x.line,
            });
        }
    }

    /// The excluded versions of `module`.
    pub fn of(&self, module: &str) -> &[Excluded] {
        self.by_module.get(module).map_or(&[], Vec::as_slice)
    }

    /// Whether nothing is excluded.
    pub fn is_empty(&self) -> bool {
        self.by_module.is_empty()
    }
}

/// The settings that decide where the main modules are.
#[derive(Clone, Debug, Default)]
pub struct Settings {
    pub gowork: String,
    pub go111module: String,
    pub goflags: String,
}

/// The go.mod files of the main modules found from `dir` (see the module docs).
pub fn main_gomods(dir: &Path, s: &Settings, goroot: Option<&Path>, tmpdir: &Path) -> Vec<PathBuf> {
    let found = crate::toolchain::find_main_file(dir, &s.go111module, &s.gowork, goroot, tmpdir);
    let Ok(Some(found)) = found else {
        return Vec::new();
    };
    if found.file_name().is_some_and(|n| n == "go.work") {
        let Ok(data) = crate::regular::read(&found, crate::regular::GO_MOD) else {
            return Vec::new();
        };
        let base = found.parent().unwrap_or(Path::new("/"));
        let uses = crate::modfile::work_uses(&found.display().to_string(), &data);
        return uses
            .unwrap_or_default()
            .iter()
            .map(|d| base.join(d).join("go.mod"))
            .collect();
    }
    // `-modfile` in GOFLAGS reads another file in place of the module's go.mod; a
    // relative path is taken from the working directory.
    let modfile = crate::goflags::split(&s.goflags)
        .unwrap_or_default()
        .into_iter()
        .rev()
        .find_map(|flag| {
            let flag = flag.strip_prefix("--").or(flag.strip_prefix('-'))?;
            flag.strip_prefix("modfile=").map(str::to_string)
        });
    match modfile {
        Some(file) if !file.is_empty() => vec![dir.join(file)],
        _ => vec![found],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(path: &Path, text: &str) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    #[test]
    fn the_nearest_go_mod_or_the_workspace_s_modules_are_the_main_modules() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("repo");
        let sub = root.join("a/b");
        std::fs::create_dir_all(&sub).unwrap();
        let elsewhere = tmp.path().join("tmproot");
        let found = |dir: &Path, s: &Settings| main_gomods(dir, s, None, &elsewhere);
        let default = Settings::default();
        // No module: none.
        assert!(found(&sub, &default).is_empty());
        write(&root.join("go.mod"), "module example.com/main\n");
        assert_eq!(found(&sub, &default), vec![root.join("go.mod")]);
        let off = Settings {
            go111module: "off".into(),
            ..Settings::default()
        };
        assert!(found(&sub, &off).is_empty());
        let modfile = Settings {
            goflags: "-mod=mod -modfile=alt.mod".into(),
            ..Settings::default()
        };
        assert_eq!(found(&sub, &modfile), vec![sub.join("alt.mod")]);
        // A workspace: its `use` directories, a block and a line, quoted or not.
        write(
            &root.join("go.work"),
            "go 1.22\n\nuse (\n\t./a\n\t\"x y\" // spaced\n)\nuse /abs/m\nreplace example.com/r => ./r\n",
        );
        assert_eq!(
            found(&sub, &default),
            vec![
                root.join("./a/go.mod"),
                root.join("x y/go.mod"),
                PathBuf::from("/abs/m/go.mod")
            ]
        );
        let no_work = Settings {
            gowork: "off".into(),
            ..Settings::default()
        };
        assert_eq!(found(&sub, &no_work), vec![root.join("go.mod")]);
    }

    #[test]
    fn excluded_versions_are_read_with_their_lines() {
        let tmp = tempfile::tempdir().unwrap();
        let gomod = tmp.path().join("go.mod");
        write(
            &gomod,
            "module example.com/main\n\ngo 1.21\n\nexclude (\n\texample.com/q v1.2.0\n\texample.com/q v1.0.0\n)\nexclude example.com/r v0.1.0\n",
        );
        let mut x = Exclusions::default();
        x.read(&gomod);
        let q: Vec<(&str, usize)> = x
            .of("example.com/q")
            .iter()
            .map(|e| (e.version.as_str(), e.line))
            .collect();
        assert_eq!(q, vec![("v1.2.0", 6), ("v1.0.0", 7)]);
        assert_eq!(x.of("example.com/r")[0].line, 9);
        assert!(x.of("example.com/other").is_empty());
        // A go.mod that does not parse excludes nothing.
        write(&gomod, "module example.com/main\nexclude example.com/q\n");
        let mut bad = Exclusions::default();
        bad.read(&gomod);
        assert!(bad.is_empty());
    }
}
