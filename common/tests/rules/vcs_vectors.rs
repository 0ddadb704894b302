//! Every case of vcs.json (produced by running Go's own cmd/go/internal/vcs
//! code) checked against this crate's results for go1.27.3.

use crate::fixture;
use gomod_common::discovery::{
    MatchError, MetaImport, ModMode, match_go_import, parse_meta_go_imports,
};
use gomod_common::govcs::{GovcsError, check_govcs, parse_govcs};
use gomod_common::vcs::{
    VcsError, VcsKind, go_get_url, repo_root_from_vcs_paths, validate_repo_root,
};
use serde_json::Value;
use std::collections::BTreeMap;

const GO: &str = "go1.27.3";

/// Cases that cannot pass, with the reason. Empty: every case passes.
const SKIP: &[&str] = &[];

#[test]
fn vcs_vectors() {
    let text = std::fs::read_to_string(fixture("vcs.json")).expect("vcs.json is readable");
    let cases: Vec<Value> = serde_json::from_str(&text).expect("vcs.json is JSON");
    assert_eq!(cases.len(), 105);

    let mut failures = Vec::new();
    let mut checked: BTreeMap<String, usize> = BTreeMap::new();
    for case in &cases {
        let id = case["id"].as_str().unwrap();
        if SKIP.contains(&id) {
            continue;
        }
        let kind = case["kind"].as_str().unwrap();
        let want = &case["results"][GO];
        let outcome = match kind {
            "static" => check_static(case, want),
            "url" => check_url(case, want),
            "meta" => check_meta(case, want),
            "govcs" => check_govcs_case(case, want),
            "reporoot" => check_reporoot(case, want),
            other => Err(format!("unknown kind {other}")),
        };
        *checked.entry(kind.to_string()).or_default() += 1;
        if let Err(why) = outcome {
            failures.push(format!("{id} ({kind}): {why}"));
        }
    }
    eprintln!("checked: {checked:?}");
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

fn expect_eq<T: PartialEq + std::fmt::Debug>(what: &str, got: T, want: T) -> Result<(), String> {
    if got == want {
        Ok(())
    } else {
        Err(format!("{what}: got {got:?}, want {want:?}"))
    }
}

fn opt_str(v: &Value) -> Option<&str> {
    v.as_str()
}

/// The vectors ran Go's `repoRootFromVCSPaths` with an empty PATH, so every
/// VCS ping failed. This replays that: the static table, then GOVCS (which
/// Go checks before pinging), then — for the generic rule — the failure Go
/// reports when no ping works. Our code runs no VCS; for those cases the
/// caller additionally checks which schemes would have been pinged.
fn check_static(case: &Value, want: &Value) -> Result<(), String> {
    let path = case["importPath"].as_str().unwrap();
    let govcs = case["GOVCS"].as_str().unwrap_or("");
    let goprivate = case["GOPRIVATE"].as_str().unwrap_or("");
    let found = repo_root_from_vcs_paths(path, false, "");

    if want["result"].as_str().is_some() {
        // "no static rule: go-get discovery ... is used"
        return expect_eq("static lookup", found.map(|r| r.is_some()), Ok(false));
    }
    let root = match found {
        Err(e) => {
            return expect_eq(
                "error",
                Some(e.to_string().as_str()),
                opt_str(&want["error"]),
            );
        }
        Ok(None) => return Err("no static rule matched".into()),
        Ok(Some(root)) => root,
    };
    let verdict = match check_govcs(govcs, goprivate, root.vcs.cmd(), &root.root) {
        Err(e) => {
            return expect_eq(
                "GOVCS error",
                Some(e.to_string().as_str()),
                opt_str(&want["error"]),
            );
        }
        Ok(v) => v,
    };
    if let Some(refusal) = verdict.refusal() {
        return expect_eq(
            "GOVCS refusal",
            Some(refusal.to_string().as_str()),
            opt_str(&want["error"]),
        );
    }
    if root.needs_scheme_probe {
        // Generic rule, GOVCS allowed it, and Go pinged these schemes (secure
        // ones only: no GOINSECURE), all of which failed.
        let expected_schemes: &[&str] = match root.vcs {
            VcsKind::Git => &["https", "git+ssh", "ssh"],
            VcsKind::Hg => &["https", "ssh"],
            VcsKind::Svn => &["https", "svn+ssh"],
            other => return Err(format!("{other} does not ping")),
        };
        expect_eq("pinged schemes", root.schemes.as_slice(), expected_schemes)?;
        let failure = VcsError::NoProtocol { secure_only: true }.to_string();
        expect_eq(
            "all pings failed",
            Some(failure.as_str()),
            opt_str(&want["error"]),
        )?;
        // Go 1.19 fell back to the first scheme instead; its result shows
        // the same root and the same scheme-less repository.
        if let Some(old) = case["results"]["go1.19.8"]
            .get("repo")
            .and_then(Value::as_str)
        {
            let suffix = format!("://{}", root.repo);
            if !old.ends_with(&suffix) {
                return Err(format!(
                    "repo {:?} does not match go1.19 {old:?}",
                    root.repo
                ));
            }
            expect_eq(
                "root",
                Some(root.root.as_str()),
                opt_str(&case["results"]["go1.19.8"]["root"]),
            )?;
        }
        return Ok(());
    }
    expect_eq("repo", Some(root.repo.as_str()), opt_str(&want["repo"]))?;
    expect_eq("root", Some(root.root.as_str()), opt_str(&want["root"]))?;
    expect_eq("vcs", Some(root.vcs.cmd()), opt_str(&want["vcs"]))?;
    expect_eq("isCustom", want["isCustom"].as_bool(), Some(false))?;
    expect_eq("subDir", want["subDir"].as_str(), Some(""))
}

fn check_url(case: &Value, want: &Value) -> Result<(), String> {
    let path = case["importPath"].as_str().unwrap();
    match go_get_url(path, false) {
        Err(e) => expect_eq(
            "error",
            Some(e.to_string().as_str()),
            opt_str(&want["error"]),
        ),
        Ok(url) => {
            let w = &want["url"];
            expect_eq("host", Some(url.host.as_str()), opt_str(&w["host"]))?;
            expect_eq("path", Some(url.path.as_str()), opt_str(&w["path"]))?;
            expect_eq("rawQuery", opt_str(&w["rawQuery"]), Some("go-get=1"))?;
            expect_eq("scheme", opt_str(&w["scheme"]), Some(""))?;
            // fetchedFirst is the generator's unescaped "https://"+host+path+query.
            let first = format!("https://{}{}?go-get=1", url.host, url.path);
            expect_eq(
                "fetchedFirst",
                Some(first.as_str()),
                opt_str(&w["fetchedFirst"]),
            )?;
            if !url.path.contains(' ') {
                expect_eq(
                    "https()",
                    Some(url.https().as_str()),
                    opt_str(&w["fetchedFirst"]),
                )?;
            }
            expect_eq("http fallback", url.http_fallback(), None)
        }
    }
}

fn meta_json(m: &MetaImport) -> Value {
    let mut v = serde_json::json!({
        "prefix": m.prefix,
        "vcs": m.vcs,
        "repoRoot": m.repo_root,
    });
    if let Some(d) = &m.sub_dir {
        v["subDir"] = Value::from(d.as_str());
    }
    v
}

fn check_meta(case: &Value, want: &Value) -> Result<(), String> {
    let html = case["html"].as_str().unwrap();
    let path = case["importPath"].as_str().unwrap();
    for (name, mode) in [
        ("PreferMod", ModMode::PreferMod),
        ("IgnoreMod", ModMode::IgnoreMod),
    ] {
        let want = &want[name];
        let parsed = parse_meta_go_imports(html.as_bytes(), mode);
        let (list, err) = match &parsed {
            Ok(list) => (list.as_slice(), None),
            Err(e) => (&[][..], Some(e.to_string())),
        };
        let got_list = if list.is_empty() {
            Value::Null
        } else {
            Value::Array(list.iter().map(meta_json).collect())
        };
        expect_eq(&format!("{name} parsed"), &got_list, &want["parsed"])?;
        expect_eq(
            &format!("{name} parseError"),
            err.as_deref(),
            opt_str(&want["parseError"]),
        )?;
        // The generator only matched when something was parsed or there was no error.
        if !list.is_empty() || parsed.is_ok() {
            match match_go_import(list, path) {
                Ok(m) => expect_eq(&format!("{name} match"), &meta_json(m), &want["match"])?,
                Err(e) => {
                    let text = match &e {
                        MatchError::NoMatch { .. } => e.mismatch_list().unwrap_or_default(),
                        MatchError::Multiple { .. } => e.to_string(),
                    };
                    expect_eq(
                        &format!("{name} matchError"),
                        Some(text.as_str()),
                        opt_str(&want["matchError"]),
                    )?;
                }
            }
        }
    }
    Ok(())
}

fn check_govcs_case(case: &Value, want: &Value) -> Result<(), String> {
    let (govcs, goprivate) = (
        case["GOVCS"].as_str().unwrap(),
        case["GOPRIVATE"].as_str().unwrap(),
    );
    let (root, vcs) = (
        case["root"].as_str().unwrap(),
        case["vcs"].as_str().unwrap(),
    );
    let parse_error = parse_govcs(govcs).err().map(|e| e.to_string());
    expect_eq(
        "parseError",
        parse_error.as_deref(),
        opt_str(&want["parseError"]),
    )?;
    let checked = check_govcs(govcs, goprivate, vcs, root);
    let want_check = opt_str(&want["checkError"]);
    if let Some(missing) =
        want_check.and_then(|w| w.strip_prefix("(no such VCS in this Go version: "))
    {
        // The generator could not even ask Go 1.27 about this VCS.
        let name = missing.trim_end_matches(')');
        return expect_eq(
            "unknown VCS",
            checked,
            Err(GovcsError::UnknownVcs(name.to_string())),
        );
    }
    let got = match checked {
        Err(e) => Some(e.to_string()),
        Ok(verdict) => verdict.refusal().map(|r| r.to_string()),
    };
    expect_eq("checkError", got.as_deref(), want_check)
}

fn check_reporoot(case: &Value, want: &Value) -> Result<(), String> {
    let repo = case["repo"].as_str().unwrap();
    let got = validate_repo_root(repo).err().map(|e| e.to_string());
    expect_eq("error", got.as_deref(), opt_str(&want["error"]))
}
