//! Finding the Go toolchain the interop tests compare with: the newest go (GOMOD_GO, else
//! `go` on PATH, at least go1.27) and a GOPATH holding golang.org/x/mod for programs
//! built in GOPATH mode. A test skips (with a note on stderr) when either is missing,
//! unless GOMOD_REQUIRE_GO is set (CI sets it), which turns the skip into a failure.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The newest go, or None (skip) when there is none and GOMOD_REQUIRE_GO is unset.
pub fn newest_go() -> Option<PathBuf> {
    let usable = find_go();
    if usable.is_none() {
        require_go("no go1.27+ was found on PATH (or in GOMOD_GO)");
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

/// Skips (with a note) or, under GOMOD_REQUIRE_GO, fails: `missing` says what is missing.
pub fn require_go(missing: &str) {
    assert!(
        std::env::var_os("GOMOD_REQUIRE_GO").is_none(),
        "GOMOD_REQUIRE_GO is set but {missing}"
    );
    eprintln!("{missing}: interop test skipped");
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
    if !link.exists() {
        std::os::unix::fs::symlink(&vendored, &link).ok()?;
    }
    Some(gopath)
}

/// `../shared/sumdb-fixture`: Go's checksum-database server and GOPROXY maker, next to
/// the project.
pub fn sumdb_fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/sumdb-fixture")
}

/// Builds the sumdb fixture's programs (`server`, `mkproxy`) with `go` against the x/mod
/// in the GOPATH `xmod`, and returns the directory holding them. The build is kept in
/// `scratch` (cargo's target tmp directory) per go version, fixture source and x/mod, so
/// only the first test run pays for it (a build with a fresh GOCACHE takes most of a
/// minute).
pub fn build_sumdb_fixture(go: &Path, xmod: &Path, scratch: &Path) -> PathBuf {
    use sha2::{Digest, Sha256};
    let fixture = sumdb_fixture_dir();
    let version = Command::new(go)
        .arg("version")
        .env("GOTOOLCHAIN", "local")
        .output()
        .expect("go version")
        .stdout;
    let mut key = Sha256::new();
    key.update(&version);
    for source in ["build.sh", "server/main.go", "mkproxy/main.go"] {
        key.update(std::fs::read(fixture.join(source)).expect("fixture source"));
    }
    // The x/mod source itself, wherever the GOPATH pointing at it is.
    let xmod_source = xmod.join("src/golang.org/x/mod").canonicalize();
    key.update(
        xmod_source
            .unwrap_or_default()
            .as_os_str()
            .as_encoded_bytes(),
    );
    let key = key.finalize();
    let kept = scratch.join(format!(
        "sumdb-fixture-{:x}",
        u64::from_be_bytes(key[..8].try_into().expect("8 bytes"))
    ));
    if kept.join("server").is_file() && kept.join("mkproxy").is_file() {
        return kept;
    }
    let work = scratch.join(format!(
        "sumdb-fixture-build-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    let bin = work.join("bin");
    let path = format!(
        "{}:{}",
        go.parent().expect("go's directory").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let output = Command::new(fixture.join("build.sh"))
        .env("PATH", path)
        .env("SUMDB_FIXTURE_BIN", &bin)
        .env("XMOD_GOPATH", xmod)
        .env("GOPATH", work.join("gopath"))
        .env("GOCACHE", work.join("gocache"))
        .env("GOENV", "off")
        .env("GOFLAGS", "-modcacherw")
        .env("GOTOOLCHAIN", "local")
        .env("GOPROXY", "off")
        .env("GOSUMDB", "off")
        .env("GOVCS", "*:off")
        .env("GOMODCACHE", work.join("modcache"))
        .output()
        .expect("run build.sh");
    assert!(
        output.status.success(),
        "build.sh failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    // Another run may have kept the same build meanwhile: either is right.
    let moved = std::fs::rename(&bin, &kept).is_ok();
    let built = if moved || kept.join("server").is_file() {
        kept
    } else {
        bin.clone()
    };
    assert!(
        built.join("server").is_file(),
        "build.sh made no server binary"
    );
    // The build caches are large and not needed again.
    for dir in ["gocache", "gopath", "modcache"] {
        let _ = Command::new("chmod")
            .args(["-R", "u+w"])
            .arg(work.join(dir))
            .status();
        let _ = std::fs::remove_dir_all(work.join(dir));
    }
    built
}
