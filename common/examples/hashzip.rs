//! Prints the `h1:` hash of each zip file given, as Go's `dirhash.HashZip` computes it, or
//! the error Go would give; with `--module path@version`, what `check_and_hash_zip` says
//! instead (the go command's checks on a downloaded zip). bench/hash.sh times it.
//!
//! ```text
//! cargo run --release -p gomod-common --example hashzip -- [--module path@version] FILE...
//! ```
//!
//! Output: one line per file, `FILE h1:...` or `FILE error: TEXT` (newlines in TEXT
//! escaped); the exit status is 1 when any file failed.

use std::path::Path;
use std::process::ExitCode;

use gomod_common::{dirhash, modzip};

fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let module = match args.iter().position(|a| a == "--module") {
        Some(at) if at + 1 < args.len() => {
            let value = args.remove(at + 1);
            args.remove(at);
            match value.split_once('@') {
                Some((path, version)) => Some((path.to_owned(), version.to_owned())),
                None => return usage(),
            }
        }
        Some(_) => return usage(),
        None => None,
    };
    if args.is_empty() {
        return usage();
    }
    let mut status = ExitCode::SUCCESS;
    for file in &args {
        let path = Path::new(file);
        let outcome = match &module {
            None => dirhash::hash_zip_file(path)
                .map(|hash| hash.h1)
                .map_err(|err| err.to_string()),
            Some((module_path, version)) => modzip::check_and_hash_zip(path, module_path, version)
                .map(|summary| summary.h1.unwrap_or_default())
                .map_err(|err| err.to_string()),
        };
        match outcome {
            Ok(h1) => println!("{file} {h1}"),
            Err(err) => {
                println!("{file} error: {}", err.replace('\n', "\\n"));
                status = ExitCode::FAILURE;
            }
        }
    }
    status
}

fn usage() -> ExitCode {
    eprintln!("usage: hashzip [--module path@version] FILE...");
    ExitCode::from(2)
}
