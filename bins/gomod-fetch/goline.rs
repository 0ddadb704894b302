//! A fetched module's `go` line against the go that would download it. `go mod
//! download M@V` refuses a module whose go.mod asks for a newer go than the one
//! running (gover.TooNewError, from modfetch's Download and, for a module built from
//! its repository, from codeRepo.Zip): `M@V requires go >= X (running go L; ...)`.
//! With GOTOOLCHAIN=auto go then lists golang.org/toolchain on GOPROXY and switches to
//! a newer toolchain: the listing and the choice are made here as go makes them
//! ([`RunningGo::switch`]); downloading the chosen toolchain is the probe of `gomod-fetch
//! golang.org/toolchain@...`. A switch from PATH (GOTOOLCHAIN=path) is not tried.

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
    /// GOTOOLCHAIN=path: go looks for a newer toolchain in PATH, which this probe
    /// does not try.
    Switches(Warning),
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

    /// What go does with `module@version`, whose go.mod is `go_mod`; None when its
    /// `go` line (if any) is not newer than this go.
    pub fn check(&self, module: &str, version: &str, go_mod: &[u8]) -> Option<TooNew> {
        let go = toolchain::gomod_lookup(&String::from_utf8_lossy(go_mod), "go")?;
        if toolchain::compare(&go, &self.version) != Ordering::Greater {
            return None;
        }
        let release = toolchain::first_release(&go);
        let gotoolchain = &self.gotoolchain;
        if self.mode == Mode::Auto {
            return Some(TooNew::Auto { need: go });
        }
        if self.mode == Mode::Path {
            return Some(TooNew::Switches(Warning::new(
                Code::ToolchainTooOld,
                format!(
                    "{module}@{version} requires go {go} or later and go {} runs: GOTOOLCHAIN={gotoolchain} makes go switch to a newer toolchain and download it again, which this probe does not try",
                    self.version
                ),
                Some(format!(
                    "put {release} or later in PATH, where GOTOOLCHAIN={gotoolchain} takes it from; or install it and run it"
                )),
            )));
        }
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
        let list = listed.map_err(|text| format!("switching to go >= {need}: {text}"))?;
        let versions = toolchain::switch_candidates(&list, &self.version);
        let chosen = toolchain::newer_toolchain(need, &versions)
            .map_err(|text| format!("switching to go >= {need}: {text}"))?;
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
        assert!(matches!(found, Some(TooNew::Switches(_))), "{found:?}");
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
}
