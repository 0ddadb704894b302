//! vectors/hash1.json: h1 hashes and zip checks, as Go computes them. Every case of the
//! file is checked: the hash or its error, the summary text, x/mod's `CheckZip` and `Unzip`
//! verdicts and the go command's prefix check. Where Go is installed (and x/mod for it),
//! Go's own `HashZip`, `CheckZip` and `Unzip` (run by `bench/go/hashzip`) also judge the
//! hostile zips of `modzip_checks.rs`, zips whose entries straddle our read buffers, and
//! zips whose deflate streams were damaged.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use base64::Engine as _;
use gomod_common::dirhash::{self, Hash1Builder};
use gomod_common::modzip::{self, ZipError};
use gomod_testsupport::go::{self, newest_go};
use serde_json::Value;

use crate::fixture;
use crate::modzip_checks::{self, Entry, MODULE, PREFIX, TempDir, VERSION, Zip, temp_dir};

/// Cases that cannot pass, each with the reason. Empty: every case passes.
const SKIPPED: &[(&str, &str)] = &[];

fn cases() -> Vec<Value> {
    let path = fixture("hash1.json");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|err| panic!("reading {}: {err}", path.display()));
    let doc: Value = serde_json::from_str(&text).unwrap();
    doc["cases"].as_array().expect("cases").clone()
}

fn base64(value: &Value) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(value.as_str().unwrap_or_default())
        .expect("base64")
}

fn text(value: &Value) -> &str {
    value.as_str().unwrap_or_default()
}

/// `Ok(h1)` or `Err(error text)`, as the vectors write a hash outcome.
fn expected_hash(case: &Value) -> Result<String, String> {
    match case["expected_h1"].as_str() {
        Some(h1) => Ok(h1.to_owned()),
        None => Err(text(&case["expected_error"]).to_owned()),
    }
}

/// The files of a `dir` or `list` case: `(name, content)`.
fn files(case: &Value) -> Vec<(String, Vec<u8>)> {
    case["files"]
        .as_array()
        .map(|files| {
            files
                .iter()
                .map(|f| (text(&f["name"]).to_owned(), base64(&f["content_base64"])))
                .collect()
        })
        .unwrap_or_default()
}

fn summary_of(files: &[(String, Vec<u8>)]) -> Option<String> {
    let mut builder = Hash1Builder::new();
    for (name, content) in files {
        builder.add_content(name.as_str(), content);
    }
    builder
        .summary()
        .ok()
        .map(|s| String::from_utf8(s).unwrap())
}

/// Checks one case, pushing each difference from Go onto `mismatches`; returns the hash
/// computed (for `same_hash_as` / `differs_from`).
fn check_case(case: &Value, dir: &Path, mismatches: &mut Vec<String>) -> Result<String, String> {
    let name = text(&case["name"]);
    let mut expect = |what: &str, got: String, want: String| {
        if got != want {
            mismatches.push(format!("{name}: {what}:\n  want {want:?}\n  got  {got:?}"));
        }
    };
    let computed = match text(&case["kind"]) {
        "zip" => {
            let path = dir.join(format!("{name}.zip"));
            std::fs::write(&path, base64(&case["zip_base64"])).unwrap();
            check_zip_case(case, &path, &mut expect)
        }
        "dir" => {
            let root = dir.join(name);
            for (file, content) in files(case) {
                let file = root.join(file);
                std::fs::create_dir_all(file.parent().unwrap()).unwrap();
                std::fs::write(file, content).unwrap();
            }
            for empty in case["empty_dirs"].as_array().into_iter().flatten() {
                std::fs::create_dir_all(root.join(text(empty))).unwrap();
            }
            std::fs::create_dir_all(&root).unwrap();
            let prefix = text(&case["prefix"]);
            let named: Vec<_> = files(case)
                .into_iter()
                .map(|(file, content)| (format!("{prefix}/{file}"), content))
                .collect();
            if let Some(summary) = case["summary"].as_str() {
                expect(
                    "summary",
                    format!("{:?}", summary_of(&named)),
                    format!("{:?}", Some(summary)),
                );
            }
            dirhash::hash_dir(&root, prefix).map_err(|e| e.to_string())
        }
        "list" => {
            let files = files(case);
            if let Some(summary) = case["summary"].as_str() {
                expect(
                    "summary",
                    format!("{:?}", summary_of(&files)),
                    format!("{:?}", Some(summary)),
                );
            }
            dirhash::hash1(files).map_err(|e| e.to_string())
        }
        "gomod" => {
            let content = base64(&case["content_base64"]);
            let files = [("go.mod".to_owned(), content.clone())];
            expect(
                "summary",
                format!("{:?}", summary_of(&files)),
                format!("{:?}", case["summary"].as_str()),
            );
            Ok(dirhash::hash_go_mod(&content))
        }
        kind => Err(format!("unknown kind {kind}")),
    };
    expect(
        "hash",
        format!("{computed:?}"),
        format!("{:?}", expected_hash(case)),
    );
    computed
}

/// The zip-only fields: `CheckZip`, `Unzip`, the download prefix check, and the order in
/// which `check_and_hash_zip` reports them.
fn check_zip_case(
    case: &Value,
    path: &Path,
    expect: &mut dyn FnMut(&str, String, String),
) -> Result<String, String> {
    let hash = dirhash::hash_zip_file(path)
        .map(|h| h.h1)
        .map_err(|e| e.to_string());
    let (module, version) = (text(&case["module"]), text(&case["version"]));

    let want = &case["x_mod_zip_CheckZip"];
    let checked = modzip::check_zip(path, module, version).expect("CheckZip opens the zip");
    let err = checked.err().map(|e| e.to_string());
    expect(
        "CheckZip error",
        format!("{err:?}"),
        format!("{:?}", want["error"].as_str()),
    );
    let strings = |v: &Value| -> Vec<String> {
        v.as_array()
            .into_iter()
            .flatten()
            .map(|s| text(s).to_owned())
            .collect()
    };
    expect(
        "CheckZip valid",
        format!("{:?}", checked.valid),
        format!("{:?}", strings(&want["valid"])),
    );
    let invalid: Vec<String> = checked.invalid.iter().map(|e| e.to_string()).collect();
    expect(
        "CheckZip invalid",
        format!("{invalid:?}"),
        format!("{:?}", strings(&want["invalid"])),
    );

    let shown = path.display().to_string();
    let prefix_check = text(&case["go_download_prefix_check"]);
    let unzip = text(&case["x_mod_zip_Unzip"]);
    let checked_download = modzip::check_module_zip(path, module, version);
    match &checked_download {
        Err(err @ ZipError::UnexpectedFile { .. }) => {
            expect("prefix check", err.to_string(), prefix_check.to_owned());
        }
        other => {
            expect("prefix check", "ok".to_owned(), prefix_check.to_owned());
            let got = match other {
                Ok(_) => "ok".to_owned(),
                Err(err) => err.to_string().replace(&shown, "<zipfile>"),
            };
            expect("Unzip", got, unzip.to_owned());
        }
    }

    // The go command: prefix check, then the hash, then extraction.
    let want = if prefix_check != "ok" {
        Err((prefix_check.to_owned(), None))
    } else {
        match (&hash, unzip) {
            (Err(err), _) => Err((err.clone(), None)),
            (Ok(h1), "ok") => Ok(h1.clone()),
            (Ok(h1), err) => Err((err.replace("<zipfile>", &shown), Some(h1.clone()))),
        }
    };
    let got = modzip::check_and_hash_zip(path, module, version)
        .map(|s| s.h1.unwrap_or_default())
        .map_err(|e| (e.to_string(), e.h1().map(str::to_owned)));
    expect(
        "check_and_hash_zip",
        format!("{got:?}"),
        format!("{want:?}"),
    );
    hash
}

#[test]
fn every_hash1_case_matches_go() {
    let dir = temp_dir("vectors");
    let cases = cases();
    let mut mismatches = Vec::new();
    let mut hashes = BTreeMap::new();
    for case in &cases {
        let name = text(&case["name"]);
        if SKIPPED.iter().any(|(skipped, _)| *skipped == name) {
            continue;
        }
        hashes.insert(name, check_case(case, &dir.0, &mut mismatches));
    }
    for case in &cases {
        let name = text(&case["name"]);
        for (key, equal) in [("same_hash_as", true), ("differs_from", false)] {
            if let Some(other) = case[key].as_str()
                && (hashes.get(name) == hashes.get(other)) != equal
            {
                mismatches.push(format!("{name}: {key} {other} does not hold"));
            }
        }
    }
    assert!(cases.len() >= 50, "only {} cases", cases.len());
    assert!(
        mismatches.is_empty(),
        "hash1.json: {} mismatches:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}

/// Content of `len` bytes: text that compresses, or bytes that do not.
fn content(len: usize, seed: u64, compressible: bool) -> Vec<u8> {
    let mut state = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    (0..len)
        .map(|i| {
            if compressible {
                b"package x // generated\n"[i % 23]
            } else {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                state as u8
            }
        })
        .collect()
}

/// `(name, content)` of each file in a zip.
type Files = Vec<(String, Vec<u8>)>;

/// Zips whose entries end just before, at and after our 64 KiB read buffers, stored and
/// deflated, with and without data descriptors, and the contents that went into them.
fn buffer_edge_zips() -> Vec<(String, Vec<u8>, Files)> {
    let sizes = [0, 1, 65_535, 65_536, 65_537, 131_071, 131_072, 300_001];
    let mut zips = Vec::new();
    for (variant, (compressible, stored, descriptor)) in [
        (true, false, true),
        (false, false, true),
        (false, true, false),
        (true, true, true),
    ]
    .into_iter()
    .enumerate()
    {
        let mut entries = Vec::new();
        let mut files = Vec::new();
        for (i, &size) in sizes.iter().enumerate() {
            let name = format!("{PREFIX}f{i}.bin");
            let data = content(size, (variant * 100 + i) as u64, compressible);
            let mut entry = Entry::raw_name(name.clone(), data.clone());
            if stored {
                entry = entry.stored();
            }
            if !descriptor {
                entry = entry.no_descriptor();
            }
            entries.push(entry);
            files.push((name, data));
        }
        zips.push((
            format!("buffer-edges-{variant}"),
            Zip::new(entries).bytes(),
            files,
        ));
    }
    zips
}

#[test]
fn entries_across_read_buffers_hash_as_their_content() {
    let dir = temp_dir("edges");
    for (name, bytes, files) in buffer_edge_zips() {
        let path = dir.0.join(format!("{name}.zip"));
        std::fs::write(&path, bytes).unwrap();
        let total: usize = files.iter().map(|(_, data)| data.len()).sum();
        let want = dirhash::hash1(files).unwrap();
        let got = dirhash::hash_zip_file(&path).unwrap();
        assert_eq!(
            (got.h1.as_str(), got.uncompressed_bytes),
            (want.as_str(), total as u64),
            "{name}"
        );
        let summary = modzip::check_and_hash_zip(&path, MODULE, VERSION).unwrap();
        assert_eq!(summary.h1, Some(want), "{name}");
    }
}

/// Zips of one deflated entry whose compressed bytes were damaged (bits flipped, bytes
/// replaced, the stream cut): Go's `compress/flate` reports these with the offset at which
/// it found the damage, and ours must name the same offset.
fn damaged_stream_zips(count: u64) -> Vec<(String, Vec<u8>)> {
    let mut state = 0x1234_5678_9abc_def1u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    (0..count)
        .map(|i| {
            let len = (next() % 50_000) as usize;
            let data = content(len, i, i % 3 != 0);
            let mut stream = modzip_checks::deflate(&data);
            for _ in 0..=next() % 3 {
                if stream.is_empty() {
                    break;
                }
                let at = (next() % stream.len() as u64) as usize;
                match next() % 3 {
                    0 => stream[at] ^= 1 << (next() % 8),
                    1 => stream[at] = next() as u8,
                    _ => stream.truncate(at),
                }
            }
            let entry = Entry::raw_name(format!("{PREFIX}x"), data).compressed(stream);
            (format!("damaged-{i}"), Zip::new(vec![entry]).bytes())
        })
        .collect()
}

// ---------------------------------------------------------------------------------
// Go's own code

/// Go's own code as built from bench/go/hashzip, offline, in GOPATH mode.
struct GoHashZip {
    binary: PathBuf,
    scratch: PathBuf,
}

impl GoHashZip {
    fn build(go: &Path, xmod: &Path, scratch: &Path) -> GoHashZip {
        let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("../bench/go/hashzip");
        let binary = scratch.join("hashzip");
        let gopath = std::env::join_paths([scratch.join("gopath"), xmod.to_owned()]).unwrap();
        go::build_in_gopath(go, Path::new(&gopath), &source, &binary, scratch);
        GoHashZip {
            binary,
            scratch: scratch.to_owned(),
        }
    }

    /// Go's verdicts on `files`, one JSON object each, in order.
    fn run(&self, files: &[PathBuf]) -> Vec<Value> {
        self.run_with(&["-module", &format!("{MODULE}@{VERSION}")], files)
    }

    /// Go's `HashDir` of each of `dirs` under `prefix`.
    fn hash_dirs(&self, prefix: &str, dirs: &[PathBuf]) -> Vec<Value> {
        self.run_with(&["-dirs", "-prefix", prefix], dirs)
    }

    fn run_with(&self, flags: &[&str], files: &[PathBuf]) -> Vec<Value> {
        let output = Command::new(&self.binary)
            .args(flags)
            .args(files)
            .env_clear()
            .env("TMPDIR", &self.scratch)
            .output()
            .expect("run hashzip");
        assert!(
            output.status.success(),
            "hashzip failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let results: Vec<Value> = String::from_utf8_lossy(&output.stdout)
            .lines()
            .map(|line| serde_json::from_str(line).unwrap())
            .collect();
        assert_eq!(results.len(), files.len());
        results
    }
}

fn optional(value: &Value) -> Option<String> {
    value.as_str().map(str::to_owned)
}

/// Ours next to Go's for one zip; differences go to `mismatches`.
fn compare_with_go(path: &Path, go: &Value, mismatches: &mut Vec<String>) {
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    let mut expect = |what: &str, got: String, want: String| {
        if got != want {
            mismatches.push(format!("{name}: {what}:\n  go   {want:?}\n  ours {got:?}"));
        }
    };
    let ours = dirhash::hash_zip_file(path)
        .map(|h| h.h1)
        .map_err(|e| e.to_string());
    let theirs = match optional(&go["hash_error"]) {
        Some(err) => Err(err),
        None => Ok(text(&go["h1"]).to_owned()),
    };
    expect("HashZip", format!("{ours:?}"), format!("{theirs:?}"));

    let shown = path.display().to_string();
    let (check_error, valid, invalid) = match modzip::check_zip(path, MODULE, VERSION) {
        Ok(checked) => (
            checked.err().map(|e| e.to_string()),
            checked.valid.clone(),
            checked.invalid.iter().map(|e| e.to_string()).collect(),
        ),
        Err(err) => (Some(err.to_string()), Vec::new(), Vec::new()),
    };
    let strings = |v: &Value| -> Vec<String> {
        v.as_array()
            .into_iter()
            .flatten()
            .map(|s| text(s).to_owned())
            .collect()
    };
    expect(
        "CheckZip error",
        format!("{check_error:?}"),
        format!("{:?}", optional(&go["checkzip_error"])),
    );
    expect(
        "CheckZip valid",
        format!("{valid:?}"),
        format!("{:?}", strings(&go["checkzip_valid"])),
    );
    expect(
        "CheckZip invalid",
        format!("{invalid:?}"),
        format!("{:?}", strings(&go["checkzip_invalid"])),
    );

    // Unzip alone has no download prefix check and no download stage: where ours stops
    // there, Unzip's own words for the same zip are `unzip <zip>: ` and CheckZip's error.
    let unzip = match modzip::check_module_zip(path, MODULE, VERSION) {
        Ok(_) => None,
        Err(ZipError::UnexpectedFile { .. }) => check_error.map(|e| format!("unzip {shown}: {e}")),
        Err(ZipError::Open(err)) => Some(format!("unzip {shown}: {err}")),
        Err(err) => Some(err.to_string()),
    };
    expect(
        "Unzip",
        format!("{unzip:?}"),
        format!("{:?}", optional(&go["unzip_error"])),
    );
}

#[test]
fn go_agrees_on_hostile_and_unusual_zips() {
    let Some(go) = newest_go() else { return };
    let dir: TempDir = temp_dir("go-interop");
    let Some(xmod) = go::require_xmod(&go, &dir.0) else {
        return;
    };
    let hashzip = GoHashZip::build(&go, &xmod, &dir.0);
    let mut files = Vec::new();
    // Go would inflate the real bomb's 645 MB before failing on its CRC: left out here,
    // its size check is the lying "contents-too-large" zip's.
    let corpus = modzip_checks::corpus().iter();
    for (name, bytes) in corpus.filter(|(name, _)| *name != "bomb-declared-truthfully") {
        let path = dir.0.join(format!("{name}.zip"));
        std::fs::write(&path, bytes).unwrap();
        files.push(path);
    }
    for (name, bytes, _) in buffer_edge_zips() {
        let path = dir.0.join(format!("{name}.zip"));
        std::fs::write(&path, bytes).unwrap();
        files.push(path);
    }
    for (name, bytes) in damaged_stream_zips(300) {
        let path = dir.0.join(format!("{name}.zip"));
        std::fs::write(&path, bytes).unwrap();
        files.push(path);
    }
    for case in cases().iter().filter(|c| c["kind"] == "zip") {
        let path = dir.0.join(format!("vector-{}.zip", text(&case["name"])));
        std::fs::write(&path, base64(&case["zip_base64"])).unwrap();
        files.push(path);
    }
    let results = hashzip.run(&files);
    let mut mismatches = Vec::new();
    for (path, go) in files.iter().zip(&results) {
        compare_with_go(path, go, &mut mismatches);
    }
    assert!(
        mismatches.is_empty(),
        "{} differences from Go's HashZip/CheckZip/Unzip:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}

/// Directory trees for `HashDir`: symbolic links (to a directory, to a file, dangling),
/// empty directories, a name that is not UTF-8, a name with a newline.
#[cfg(unix)]
fn directory_trees(root: &Path) -> Vec<PathBuf> {
    use std::os::unix::ffi::OsStrExt;
    use std::os::unix::fs::symlink;
    let tree = |name: &str, files: &[(&str, &str)]| {
        let dir = root.join(name);
        for (file, content) in files {
            let path = dir.join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, content).unwrap();
        }
        std::fs::create_dir_all(&dir).unwrap();
        dir
    };
    let plain = tree(
        "plain",
        &[("go.mod", "module m\n"), ("a/f.go", "x"), ("a/sub/g", "y")],
    );
    std::fs::create_dir_all(plain.join("empty/deeper")).unwrap();
    let to_dir = tree("link-to-dir", &[("z", "z")]);
    symlink(plain.join("a"), to_dir.join("linkdir")).unwrap();
    let to_file = tree("link-to-file", &[("z", "z")]);
    symlink(plain.join("go.mod"), to_file.join("go.mod")).unwrap();
    let dangling = tree("dangling", &[("z", "z")]);
    symlink(root.join("nowhere"), dangling.join("dangling")).unwrap();
    let odd = tree("odd-names", &[("z", "z")]);
    std::fs::write(odd.join(std::ffi::OsStr::from_bytes(b"bad\xffname")), "q").unwrap();
    let newline = tree("newline", &[("a\nb", "x"), ("c", "y")]);
    let trailing_slash = PathBuf::from(format!("{}/", plain.display()));
    vec![
        plain,
        to_dir,
        to_file,
        dangling,
        odd,
        newline,
        trailing_slash,
    ]
}

#[cfg(unix)]
#[test]
fn go_agrees_on_directory_hashes() {
    let Some(go) = newest_go() else { return };
    let dir = temp_dir("go-dirs");
    let Some(xmod) = go::require_xmod(&go, &dir.0) else {
        return;
    };
    let hashzip = GoHashZip::build(&go, &xmod, &dir.0);
    let dirs = directory_trees(&dir.0.join("trees"));
    let mut mismatches = Vec::new();
    // Go trims the prefix as given from each (cleaned) name to find the file again, so
    // an unclean prefix points at files that are not there.
    for prefix in ["example.com/m@v1.0.0", "", "./x/", "a/../b"] {
        for (path, go) in dirs.iter().zip(hashzip.hash_dirs(prefix, &dirs)) {
            let ours = dirhash::hash_dir(path, prefix).map_err(|e| e.to_string());
            let theirs = match optional(&go["hash_error"]) {
                Some(err) => Err(err),
                None => Ok(text(&go["h1"]).to_owned()),
            };
            if ours != theirs {
                mismatches.push(format!(
                    "{} under {prefix:?}: go {theirs:?}, ours {ours:?}",
                    path.display()
                ));
            }
        }
    }
    assert!(
        mismatches.is_empty(),
        "HashDir differs:\n{}",
        mismatches.join("\n")
    );
}
