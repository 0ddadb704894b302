//! Finding the Go toolchain the interop tests compare with: the newest go (GOMOD_GO, else
//! `go` on PATH, at least go1.27) and a GOPATH holding golang.org/x/mod for programs
//! built in GOPATH mode. A test skips ([`crate::skip`]) when either is missing, unless
//! GOMOD_REQUIRE_GO is set (CI sets it), which turns the skip into a failure.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::skip::{Need, skip};

/// Why a test skips without go: the summary line's reason.
pub const NO_GO: &str = "no go1.27+ on PATH (or in GOMOD_GO)";

/// Why a test skips without x/mod.
pub const NO_XMOD: &str =
    "no golang.org/x/mod (XMOD_GOPATH, golang-golang-x-mod-dev or go's source tree)";

/// The newest go, or None (the test is skipped) when there is none and
/// GOMOD_REQUIRE_GO is unset.
pub fn newest_go() -> Option<PathBuf> {
    let usable = find_go();
    if usable.is_none() {
        skip(Need::Go, NO_GO, "");
    }
    usable
}

/// GOMOD_GO, else `go` on PATH, if it is go1.27 or later; never skips or fails.
pub fn find_go() -> Option<PathBuf> {
    let candidate = std::env::var_os("GOMOD_GO").map(PathBuf::from).or_else(|| {
        std::env::var_os("PATH").and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|d| d.join("go"))
                .find(|p| p.is_file())
        })
    });
    candidate.filter(|go| go_minor(go).is_some_and(|minor| minor >= 27))
}

/// The minor version `go version` reports (27 for go1.27.3).
pub fn go_minor(go: &Path) -> Option<u32> {
    let output = Command::new(go)
        .arg("version")
        .env("GOTOOLCHAIN", "local")
        .output()
        .ok()?;
    let text = String::from_utf8(output.stdout).ok()?;
    let version = text.split_whitespace().nth(2)?;
    version
        .strip_prefix("go1.")?
        .split(|c: char| !c.is_ascii_digit())
        .next()?
        .parse()
        .ok()
}

/// The GOPATH of Debian's golang-golang-x-mod-dev (x/mod v0.7.0), if installed.
pub fn debian_xmod_gopath() -> Option<PathBuf> {
    let out = Command::new("dpkg")
        .args(["-L", "golang-golang-x-mod-dev"])
        .output()
        .ok()
        .filter(|out| out.status.success())?;
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|line| line.strip_suffix("/src/golang.org/x/mod/go.mod"))
        .map(PathBuf::from)
}

/// A GOPATH holding golang.org/x/mod: `$XMOD_GOPATH`; else Debian's package; else a
/// GOPATH in `scratch` whose x/mod is the copy vendored in `go`'s own source tree (the
/// x/mod the go command itself is built with). None when none of them has it.
pub fn xmod_gopath(go: &Path, scratch: &Path) -> Option<PathBuf> {
    let has_xmod = |gopath: &Path| {
        gopath
            .join("src/golang.org/x/mod/sumdb/dirhash/hash.go")
            .is_file()
    };
    match std::env::var_os("XMOD_GOPATH") {
        Some(gopath) => Some(PathBuf::from(gopath)),
        None => debian_xmod_gopath().or_else(|| vendored_xmod_gopath(go, scratch)),
    }
    .filter(|gopath| has_xmod(gopath))
}

/// A GOPATH in `scratch` whose golang.org/x/mod is the one in `go`'s source tree.
fn vendored_xmod_gopath(go: &Path, scratch: &Path) -> Option<PathBuf> {
    let goroot = Command::new(go)
        .args(["env", "GOROOT"])
        .env("GOENV", "off")
        .env("GOTOOLCHAIN", "local")
        .output()
        .ok()?
        .stdout;
    let vendored = PathBuf::from(String::from_utf8_lossy(&goroot).trim())
        .join("src/cmd/vendor/golang.org/x/mod");
    if !vendored.is_dir() {
        return None;
    }
    let gopath = scratch.join("xmod-gopath");
    std::fs::create_dir_all(gopath.join("src/golang.org/x")).ok()?;
    let link = gopath.join("src/golang.org/x/mod");
    // Another test may make the same link at the same time: either is right.
    if std::os::unix::fs::symlink(&vendored, &link).is_err() && !link.exists() {
        return None;
    }
    Some(gopath)
}

/// A GOPATH holding golang.org/x/mod (see [`xmod_gopath`]), or None: the test is
/// skipped (or fails, under GOMOD_REQUIRE_GO).
pub fn require_xmod(go: &Path, scratch: &Path) -> Option<PathBuf> {
    let found = xmod_gopath(go, scratch);
    if found.is_none() {
        skip(Need::Go, NO_XMOD, "");
    }
    found
}

/// Builds the Go program in the directory `source` (package main) with `go` in GOPATH
/// mode, importing from `gopath` (which holds golang.org/x/mod): cgo off like the go
/// command's own build, offline (GOPROXY=off, no VCS, GOENV=off), its build cache in
/// `scratch`. Panics with go's output when the build fails.
pub fn build_in_gopath(go: &Path, gopath: &Path, source: &Path, binary: &Path, scratch: &Path) {
    let output = Command::new(go)
        .args(["build", "-o"])
        .arg(binary)
        .arg(".")
        .current_dir(source)
        .env_clear()
        .env("GO111MODULE", "off")
        .env("GOPATH", gopath)
        .env("GOCACHE", scratch.join("gocache"))
        .env("GOMODCACHE", scratch.join("gomodcache"))
        .env("GOENV", "off")
        .env("GOTOOLCHAIN", "local")
        .env("GOPROXY", "off")
        .env("GOSUMDB", "off")
        .env("GOVCS", "*:off")
        .env("GOFLAGS", "-modcacherw")
        .env("CGO_ENABLED", "0")
        .env("HOME", scratch)
        .output()
        .expect("run go build");
    assert!(
        output.status.success(),
        "building {} failed:\n{}",
        source.display(),
        String::from_utf8_lossy(&output.stderr)
    );
}
