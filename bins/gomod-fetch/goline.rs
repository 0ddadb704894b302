//! A fetched module's `go` line against the go that would download it. `go mod
//! download M@V` refuses a module whose go.mod asks for a newer go than the one
//! running (gover.TooNewError, from modfetch's Download and, for a module built from
//! its repository, from codeRepo.Zip): `M@V requires go >= X (running go L; ...)`.
//! With GOTOOLCHAIN=auto go then lists golang.org/toolchain on GOPROXY and switches to
//! a newer toolchain: the listing and the choice are made here as go makes them
//! ([`RunningGo::switch`]); downloading the chosen toolchain is the probe of `gomod-fetch
//! golang.org/toolchain@...`. With GOTOOLCHAIN=path (or `+path`) go chooses among the
//! `go1.*` programs in PATH instead ([`RunningGo::switch_from_path`]).

use std::cmp::Ordering;
use std::path::Path;

use gomod_common::goenv::GoConfig;
use gomod_common::record::{Code, Warning};
use gomod_common::toolchain::{self, Mode};

/// The go that `go mod download` runs here.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunningGo {
    /// Its version, `1.27.3`.
    version: String,
    /// GOTOOLCHAIN's value, which go's error names.
    gotoolchain: String,
    /// Whether GOTOOLCHAIN lets go switch to a newer toolchain.
    mode: Mode,
}

/// What go does with a module whose `go` line is newer than its own version.
#[derive(Debug)]
pub enum TooNew {
    /// It stops: GOTOOLCHAIN forbids switching.
    Fails {
        /// Go's line after `go: `.
        go_text: String,
        /// The record's message.
        message: String,
        /// What to change.
        hint: String,
    },
    /// GOTOOLCHAIN=auto: go looks for a newer toolchain in golang.org/toolchain's
    /// version list on GOPROXY ([`RunningGo::switch`] says what it finds).
    Auto {
        /// The go version the module needs.
        need: String,
    },
    /// GOTOOLCHAIN=path: go looks for a newer toolchain among the `go1.*` programs in
    /// PATH ([`RunningGo::switch_from_path`] says what it finds).
    Path {
        /// The go version the module needs.
        need: String,
    },
}

impl RunningGo {
    /// The go selected from `cwd` with this configuration (the local go, or the
    /// toolchain GOTOOLCHAIN or the main module's lines select); None when that
    /// cannot be told: no go found, or a setting every go command refuses.
    pub fn find(cfg: &GoConfig, cwd: &Path) -> Option<RunningGo> {
        let report = toolchain::report(cfg, None, None, cwd);
        if report.problem.is_some() {
            return None;
        }
        let selected = report.body.selected?;
        let gotoolchain = report.body.gotoolchain?;
        Some(RunningGo {
            version: toolchain::from_toolchain(&selected)?.to_string(),
            mode: Mode::from_wire(gotoolchain.mode)?,
            gotoolchain: gotoolchain.value,
        })
    }

    /// GOTOOLCHAIN's value, as go's lines name it.
    pub fn gotoolchain(&self) -> &str {
        &self.gotoolchain
    }

    /// What go does with `module@version`, whose go.mod is `go_mod`; None when its
    /// `go` line (if any) is not newer than this go.
    pub fn check(&self, module: &str, version: &str, go_mod: &[u8]) -> Option<TooNew> {
        let go = toolchain::gomod_lookup(&String::from_utf8_lossy(go_mod), "go")?;
        if toolchain::compare(&go, &self.version) != Ordering::Greater {
            return None;
        }
        if self.mode == Mode::Auto {
            return Some(TooNew::Auto { need: go });
        }
        if self.mode == Mode::Path {
            return Some(TooNew::Path { need: go });
        }
        let release = toolchain::first_release(&go);
        let gotoolchain = &self.gotoolchain;
        let setting = if gotoolchain.is_empty() {
            "no GOTOOLCHAIN".to_string()
        } else {
            format!("GOTOOLCHAIN={gotoolchain}")
        };
        Some(TooNew::Fails {
            // In this mode no file chose the toolchain: nothing `sets` it.
            go_text: toolchain::too_new_text(
                &format!("{module}@{version}"),
                &go,
                &self.version,
                gotoolchain,
                "",
            ),
            message: format!(
                "{module}@{version} requires go {go} or later, the go command runs go {} and {setting} does not let it switch",
                self.version
            ),
            hint: format!(
                "let the go command switch: GOTOOLCHAIN=auto (or go{}+auto); or install {release} or later and run it",
                self.version
            ),
        })
    }

    /// Where go would switch (GOTOOLCHAIN=auto) for `module@version`, which needs go
    /// `need`, given golang.org/toolchain's versions as GOPROXY lists them, or the
    /// listing's failure (go's text). Ok is a warning naming the toolchain go would
    /// download; Err the line go stops with, after `go: ` (`switching to go >= X:
    /// ...`).
    pub fn switch(
        &self,
        module: &str,
        version: &str,
        need: &str,
        listed: Result<Vec<String>, String>,
    ) -> Result<Warning, String> {
        let (goos, goarch) = toolchain::host_platform();
        let list = listed.map_err(|why| toolchain::switch_failed_text(need, &why))?;
        let versions = toolchain::switch_candidates(&list, &self.version);
        let chosen = toolchain::newer_toolchain(need, &versions)
            .map_err(|why| toolchain::switch_failed_text(need, &why))?;
        Ok(Warning::new(
            Code::ToolchainTooOld,
            format!(
                "{module}@{version} requires go {need} or later and go {} runs: GOTOOLCHAIN={} makes go switch to {chosen}, which it downloads as {}@{}",
                self.version,
                self.gotoolchain,
                toolchain::MODULE,
                toolchain::module_version(&chosen, goos, goarch),
            ),
            Some(format!(
                "gomod-fetch {}@{} says whether the proxy serves it",
                toolchain::MODULE,
                toolchain::module_version(&chosen, goos, goarch)
            )),
        ))
    }

    /// Where go would switch with GOTOOLCHAIN=path for `module@version`, which needs go
    /// `need`, given the Go versions in PATH and their directories
    /// ([`toolchain::path_toolchains`]). Ok is a warning naming the program go runs
    /// instead; Err the line go stops with, after `go: `.
    pub fn switch_from_path(
        &self,
        module: &str,
        version: &str,
        need: &str,
        found: &[(String, std::path::PathBuf)],
    ) -> Result<Warning, String> {
        let versions: Vec<String> = found.iter().map(|(v, _)| v.clone()).collect();
        let chosen = toolchain::newer_toolchain(need, &versions)
            .map_err(|why| toolchain::switch_failed_text(need, &why))?;
        let dir = found
            .iter()
            .find(|(v, _)| chosen.strip_prefix("go") == Some(v.as_str()))
            .map(|(_, dir)| dir.display().to_string())
            .unwrap_or_default();
        Ok(Warning::new(
            Code::ToolchainTooOld,
            format!(
                "{module}@{version} requires go {need} or later and go {} runs: GOTOOLCHAIN={} makes go switch to {chosen}, found in PATH in {dir}",
                self.version, self.gotoolchain,
            ),
            Some(format!(
                "nothing to do if {chosen} is the go meant to run; GOTOOLCHAIN=local keeps go from switching (and then it stops)"
            )),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn running(version: &str, gotoolchain: &str, mode: Mode) -> RunningGo {
        RunningGo {
            version: version.to_string(),
            gotoolchain: gotoolchain.to_string(),
            mode,
        }
    }

    const NEW: &[u8] = b"module example.com/h\n\ngo 1.99\n";

    #[test]
    fn a_newer_go_line_stops_go_in_the_words_of_its_gotoolchain() {
        for (gotoolchain, explain) in [
            ("local", "; GOTOOLCHAIN=local"),
            ("go1.27.3", "; GOTOOLCHAIN=go1.27.3"),
            ("", ""),
        ] {
            let found =
                running("1.27.3", gotoolchain, Mode::Local).check("example.com/h", "v1.0.0", NEW);
            let Some(TooNew::Fails { go_text, hint, .. }) = found else {
                panic!("{gotoolchain}: {found:?}");
            };
            assert_eq!(
                go_text,
                format!("example.com/h@v1.0.0 requires go >= 1.99 (running go 1.27.3{explain})")
            );
            assert!(hint.contains("go1.99.0"), "{hint}");
        }
    }

    #[test]
    fn a_go_line_the_running_go_satisfies_is_fine() {
        let go = running("1.27.3", "local", Mode::Local);
        for data in [
            &b"module m\n\ngo 1.27.3\n"[..],
            b"module m\n\ngo 1.27\n",
            b"module m\n\ngo 1.21\n",
            b"module m\n",
            b"not a go.mod \xff",
        ] {
            assert!(go.check("m", "v1.0.0", data).is_none(), "{data:?}");
        }
        assert!(go.check("m", "v1.0.0", b"module m\ngo 1.27.4\n").is_some());
    }

    #[test]
    fn where_go_may_switch_it_looks_for_a_toolchain() {
        let found = running("1.27.3", "path", Mode::Path).check("example.com/h", "v1.0.0", NEW);
        assert!(
            matches!(&found, Some(TooNew::Path { need }) if need == "1.99"),
            "{found:?}"
        );
        let go = running("1.27.3", "auto", Mode::Auto);
        let found = go.check("example.com/h", "v1.0.0", NEW);
        assert!(
            matches!(&found, Some(TooNew::Auto { need }) if need == "1.99"),
            "{found:?}"
        );
        let listed = |vs: &[&str]| Ok(vs.iter().map(|v| v.to_string()).collect());
        let (goos, goarch) = toolchain::host_platform();
        let w = go
            .switch(
                "example.com/h",
                "v1.0.0",
                "1.99",
                listed(&[
                    "v0.0.1-go1.99.1.plan9-386",
                    "v0.0.1-go1.99.0.linux-amd64",
                    "v0.0.1-go1.27.3.linux-amd64",
                ]),
            )
            .unwrap();
        assert!(
            w.message.contains(&format!(
                "go1.99.1, which it downloads as golang.org/toolchain@v0.0.1-go1.99.1.{goos}-{goarch}"
            )),
            "{}",
            w.message
        );
        let e = go
            .switch(
                "example.com/h",
                "v1.0.0",
                "1.99",
                listed(&["v0.0.1-go1.28.0.linux-amd64"]),
            )
            .unwrap_err();
        assert_eq!(
            e,
            "switching to go >= 1.99: no releases found for go >= 1.99"
        );
        let e = go
            .switch(
                "example.com/h",
                "v1.0.0",
                "1.99",
                Err("module golang.org/toolchain: reading x: 404 Not Found".to_string()),
            )
            .unwrap_err();
        assert_eq!(
            e,
            "switching to go >= 1.99: module golang.org/toolchain: reading x: 404 Not Found"
        );
    }

    #[test]
    fn with_gotoolchain_path_go_takes_the_go1_programs_in_path() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
        std::fs::create_dir_all(&a).unwrap();
        std::fs::create_dir_all(&b).unwrap();
        let program = |dir: &Path, name: &str, mode: u32| {
            let file = dir.join(name);
            std::fs::write(&file, "#!/bin/sh\n").unwrap();
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(mode)).unwrap();
        };
        program(&a, "go1.99.1", 0o755);
        program(&b, "go1.99.1", 0o755);
        program(&b, "go1.99.3", 0o644); // not executable
        program(&b, "go1.28.0", 0o755);
        program(&b, "go1.bad", 0o755);
        program(&b, "gofmt", 0o755);
        std::fs::create_dir_all(b.join("go1.99.4")).unwrap(); // a directory
        let path =
            std::env::join_paths([std::path::PathBuf::from("relative"), a.clone(), b.clone()])
                .unwrap();
        let found = toolchain::path_toolchains(&path);
        assert_eq!(
            found,
            vec![
                ("1.28.0".to_string(), b.clone()),
                ("1.99.1".to_string(), a.clone())
            ]
        );
        let go = running("1.27.3", "path", Mode::Path);
        let w = go
            .switch_from_path("example.com/h", "v1.0.0", "1.99", &found)
            .unwrap();
        assert!(
            w.message.ends_with(&format!(
                "switch to go1.99.1, found in PATH in {}",
                a.display()
            )),
            "{}",
            w.message
        );
        assert_eq!(
            go.switch_from_path("example.com/h", "v1.0.0", "1.100", &found)
                .unwrap_err(),
            "switching to go >= 1.100: no releases found for go >= 1.100"
        );
    }
}
