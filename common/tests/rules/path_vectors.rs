//! Every output field of every case in paths.json and patterns.json, checked against what
//! Go 1.27.3 produced.

use std::fmt::Display;

use crate::fixture;
use gomod_common::{modpath as module, pattern, semver};
use serde_json::{Value, json};

const GO_VERSION: &str = "go1.27.3";

/// Cases that cannot pass, each with the reason. Empty: every case passes.
const SKIPPED: &[(&str, &str)] = &[];

fn load_cases(name: &str) -> Vec<Value> {
    let path = fixture(name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|err| panic!("reading {}: {err}", path.display()));
    match serde_json::from_str(&text) {
        Ok(Value::Array(cases)) => cases,
        other => panic!("{}: expected a JSON array, got {other:?}", path.display()),
    }
}

/// Compares every field of every case's Go result with `actual(case, field)`, which returns
/// `None` for a field it does not know; panics listing all mismatches. Returns the number of
/// cases in the file.
fn check_cases(name: &str, actual: impl Fn(&Value, &str) -> Option<Value>) -> usize {
    let cases = load_cases(name);
    let mut mismatches = Vec::new();
    for case in &cases {
        let id = case["id"].as_str().unwrap_or("<no id>");
        if SKIPPED.iter().any(|(skipped, _)| *skipped == id) {
            continue;
        }
        let Some(expected) = case["results"][GO_VERSION].as_object() else {
            mismatches.push(format!("{id}: no {GO_VERSION} result"));
            continue;
        };
        for (field, want) in expected {
            match actual(case, field) {
                None => mismatches.push(format!("{id}: field {field} is not checked")),
                Some(got) if got != *want => {
                    mismatches.push(format!("{id}: {field}: want {want}, got {got}"))
                }
                Some(_) => {}
            }
        }
    }
    assert!(
        mismatches.is_empty(),
        "{name}: {} mismatches:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
    cases.len()
}

fn error_only<E: Display>(result: Result<(), E>) -> Value {
    match result {
        Ok(()) => Value::Null,
        Err(err) => json!(err.to_string()),
    }
}

fn value_or_error<T: Into<Value>, E: Display>(result: Result<T, E>) -> Value {
    match result {
        Ok(value) => json!({"value": value.into(), "error": null}),
        Err(err) => json!({"value": null, "error": err.to_string()}),
    }
}

fn string_input<'a>(case: &'a Value, key: &str) -> &'a str {
    case[key].as_str().unwrap_or_default()
}

fn paths_output(case: &Value, field: &str) -> Option<Value> {
    let input = string_input(case, "input");
    let path = string_input(case, "path");
    let version = string_input(case, "version");
    let path_major = module::split_path_version(path).map_or("", |(_, major)| major);
    let value = match (string_input(case, "kind"), field) {
        ("path", "CheckPath") => error_only(module::check_path(input)),
        ("path", "CheckImportPath") => error_only(module::check_import_path(input)),
        ("path", "CheckFilePath") => error_only(module::check_file_path(input)),
        ("path", "EscapePath") => value_or_error(module::escape_path(input)),
        ("path", "UnescapePath(EscapePath)") => match module::escape_path(input) {
            Ok(escaped) => value_or_error(module::unescape_path(&escaped)),
            Err(err) => json!(format!("EscapePath failed: {err}")),
        },
        ("path", "SplitPathVersion") => match module::split_path_version(input) {
            Some((prefix, major)) => json!({"ok": true, "prefix": prefix, "pathMajor": major}),
            None => json!({"ok": false, "prefix": input, "pathMajor": ""}),
        },
        ("version", "semver.IsValid") => json!(semver::is_valid(input)),
        ("version", "semver.Canonical") => json!(semver::canonical(input)),
        ("version", "semver.Major") => json!(semver::major(input)),
        ("version", "semver.MajorMinor") => json!(semver::major_minor(input)),
        ("version", "semver.Prerelease") => json!(semver::prerelease(input)),
        ("version", "semver.Build") => json!(semver::build(input)),
        ("version", "module.CanonicalVersion") => json!(module::canonical_version(input)),
        ("version", "module.IsPseudoVersion") => json!(module::is_pseudo_version(input)),
        ("version", "module.IsZeroPseudoVersion") => json!(module::is_zero_pseudo_version(input)),
        ("version", "module.PseudoVersionBase") => {
            value_or_error(module::pseudo_version_base(input))
        }
        ("version", "module.PseudoVersionTime") => {
            value_or_error(module::pseudo_version_time(input))
        }
        ("version", "module.PseudoVersionRev") => value_or_error(module::pseudo_version_rev(input)),
        ("version", "EscapeVersion") => value_or_error(module::escape_version(input)),
        ("version", "UnescapeVersion(EscapeVersion)") => match module::escape_version(input) {
            Ok(escaped) => value_or_error(module::unescape_version(&escaped)),
            Err(err) => json!(format!("EscapeVersion failed: {err}")),
        },
        ("module", "module.Check") => error_only(module::check(path, version)),
        ("module", "SplitPathVersion.ok") => json!(module::split_path_version(path).is_some()),
        ("module", "SplitPathVersion.pathMajor") => json!(path_major),
        ("module", "module.CheckPathMajor") => {
            error_only(module::check_path_major(version, path_major))
        }
        ("module", "module.MatchPathMajor") => json!(module::match_path_major(version, path_major)),
        ("unescape", "UnescapePath") => value_or_error(module::unescape_path(input)),
        ("unescape", "UnescapeVersion") => value_or_error(module::unescape_version(input)),
        ("compare", "semver.Compare") => {
            json!(semver::compare(string_input(case, "a"), string_input(case, "b")) as i8)
        }
        ("compare", "semver.Max") => {
            json!(semver::max(
                string_input(case, "a"),
                string_input(case, "b")
            ))
        }
        ("pseudo", "module.PseudoVersion") => json!(module::pseudo_version(
            string_input(case, "major"),
            string_input(case, "older"),
            string_input(case, "time"),
            string_input(case, "rev"),
        )),
        _ => return None,
    };
    Some(value)
}

fn patterns_output(case: &Value, field: &str) -> Option<Value> {
    let globs = string_input(case, "globs");
    let target = string_input(case, "target");
    let matched = pattern::match_prefix_patterns(globs, target);
    let decided_by = pattern::matching_pattern(globs, target);
    let consistent = decided_by.is_some() == matched
        && decided_by.is_none_or(|glob| globs.split(',').any(|listed| listed == glob));
    match field {
        "match" if consistent => Some(json!(matched)),
        "match" => Some(json!(format!("matching_pattern disagrees: {decided_by:?}"))),
        _ => None,
    }
}

#[test]
fn paths_json() {
    assert_eq!(check_cases("paths.json", paths_output), 133);
}

#[test]
fn patterns_json() {
    assert_eq!(check_cases("patterns.json", patterns_output), 63);
}
