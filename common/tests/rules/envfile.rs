//! envfile.json: what `go env` reports for a go env file, its location and the process
//! environment. Read cases are rebuilt in a temporary HOME and read with
//! [`GoConfig`]; for write cases (`go env -w/-u`, which our tools never do) the file Go
//! wrote is read back and must give what `go env` reported afterwards.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use gomod_common::goenv::{Environment, GoConfig};
use serde_json::Value;

use crate::fixture;

const GO: &str = "go1.27.3";

struct Scene {
    _dir: TempDir,
    home: PathBuf,
    tmp: PathBuf,
    env: Environment,
}

/// A directory removed on drop.
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn temp_dir(id: &str) -> TempDir {
    let dir = std::env::temp_dir().join(format!(
        "gomod-envfile-{id}-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    TempDir(dir)
}

/// Lays out a case as the generator did: `where` decides where the file goes and how
/// GOENV/XDG_CONFIG_HOME are set; `gorootGoEnv` makes a fake GOROOT. Without one, PATH
/// is empty, so no Go is found and newest Go's built-in go.env applies — the same
/// values the generator's go1.27.3 read from its own GOROOT/go.env.
fn scene(case: &Value, file: Option<&str>) -> Scene {
    let id = case["id"].as_str().unwrap();
    let dir = temp_dir(id);
    let tmp = dir.0.clone();
    let home = tmp.join("home");
    std::fs::create_dir_all(&home).unwrap();
    let mut vars: BTreeMap<String, String> = BTreeMap::new();
    vars.insert("HOME".into(), home.display().to_string());
    vars.insert("PATH".into(), String::new());
    let default_file = home.join(".config/go/env");
    let file_path = match case["where"].as_str().unwrap() {
        "default" => default_file,
        "off" => {
            vars.insert("GOENV".into(), "off".into());
            default_file
        }
        "goenv" => {
            let path = tmp.join("custom.env");
            vars.insert("GOENV".into(), path.display().to_string());
            path
        }
        "xdg" => {
            let xdg = tmp.join("xdg");
            vars.insert("XDG_CONFIG_HOME".into(), xdg.display().to_string());
            xdg.join("go/env")
        }
        other => panic!("unknown where {other}"),
    };
    if let Some(content) = file {
        std::fs::create_dir_all(file_path.parent().unwrap()).unwrap();
        std::fs::write(&file_path, content).unwrap();
    }
    if let Some(go_env) = case.get("gorootGoEnv").and_then(Value::as_str) {
        let goroot = tmp.join("goroot");
        std::fs::create_dir_all(&goroot).unwrap();
        std::fs::write(goroot.join("go.env"), go_env).unwrap();
        vars.insert("GOROOT".into(), goroot.display().to_string());
    }
    if let Some(extra) = case.get("env").and_then(Value::as_object) {
        for (k, v) in extra {
            vars.insert(k.clone(), v.as_str().unwrap().to_string());
        }
    }
    Scene {
        env: Environment::from_pairs(vars),
        home,
        tmp,
        _dir: dir,
    }
}

/// Replaces the generator's `$HOME`/`$TMP` placeholders with this scene's paths.
fn expand(value: &str, scene: &Scene) -> String {
    value
        .replace("$HOME", &scene.home.display().to_string())
        .replace("$TMP", &scene.tmp.display().to_string())
}

fn compare(
    id: &str,
    cfg: &GoConfig,
    want: &serde_json::Map<String, Value>,
    scene: &Scene,
    failures: &mut Vec<String>,
) {
    for (key, want_value) in want {
        let want_value = expand(want_value.as_str().unwrap(), scene);
        let got = cfg.getenv(key);
        if got != want_value {
            failures.push(format!("{id}: {key} = {got:?}, want {want_value:?}"));
        }
    }
}

#[test]
fn envfile_vectors() {
    let cases: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(fixture("envfile.json")).unwrap()).unwrap();
    let mut failures = Vec::new();
    let mut checked = 0;
    for case in &cases {
        let id = case["id"].as_str().unwrap();
        let want = &case["results"][GO];
        match case["kind"].as_str().unwrap() {
            "read" => {
                let scene = scene(case, case["file"].as_str());
                let cfg = GoConfig::load(scene.env.clone());
                compare(
                    id,
                    &cfg,
                    want["values"].as_object().unwrap(),
                    &scene,
                    &mut failures,
                );
                checked += 1;
            }
            "write" => {
                // Only successful writes leave a file whose reading `go env` reported.
                let (Some(after), Some(values)) =
                    (want["fileAfter"].as_str(), want["valuesAfter"].as_object())
                else {
                    checked += 1;
                    continue;
                };
                if want["exitCode"] != 0 {
                    checked += 1;
                    continue;
                }
                let scene = scene(case, Some(after));
                let cfg = GoConfig::load(scene.env.clone());
                compare(id, &cfg, values, &scene, &mut failures);
                checked += 1;
            }
            other => panic!("unknown kind {other}"),
        }
    }
    assert!(
        failures.is_empty(),
        "{} envfile mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(checked, cases.len());
}

#[test]
fn unreadable_env_file_is_a_warning_with_gos_wording() {
    let dir = temp_dir("unreadable");
    let file = dir.0.join("env-is-a-directory");
    std::fs::create_dir_all(&file).unwrap();
    let cfg = GoConfig::load(Environment::from_pairs([
        ("HOME", "/nonexistent"),
        ("PATH", ""),
        ("GOENV", file.to_str().unwrap()),
    ]));
    let warning = cfg
        .warnings
        .iter()
        .find(|w| w.code == gomod_common::record::Code::GoenvUnreadable)
        .expect("a goenv_unreadable warning");
    assert_eq!(
        warning.go_error.as_deref(),
        Some(
            format!(
                "go: reading go env config: read {}: is a directory",
                file.display()
            )
            .as_str()
        )
    );
    assert_eq!(
        cfg.get("GOPROXY"),
        "https://proxy.golang.org,direct",
        "the file is ignored, as Go ignores it"
    );
}

#[test]
fn go_119_installation_has_compiled_in_defaults() {
    let dir = temp_dir("go119");
    let goroot = dir.0.join("go");
    std::fs::create_dir_all(goroot.join("pkg/tool")).unwrap();
    std::fs::write(goroot.join("VERSION"), "go1.19.8\n").unwrap();
    let env_file = dir.0.join("env");
    std::fs::write(&env_file, "GOPROXY=\n").unwrap();
    let cfg = GoConfig::load(Environment::from_pairs([
        ("HOME", "/nonexistent".to_string()),
        ("GOROOT", goroot.display().to_string()),
        ("GOENV", env_file.display().to_string()),
    ]));
    // Go 1.19 has no go.env: an empty GOPROXY falls back to the compiled-in default,
    // and GOAUTH and GOTOOLCHAIN do not exist.
    assert_eq!(cfg.get("GOPROXY"), "https://proxy.golang.org,direct");
    assert_eq!(cfg.get("GOSUMDB"), "sum.golang.org");
    assert_eq!(cfg.get("GOAUTH"), "");
    assert_eq!(cfg.get("GOTOOLCHAIN"), "");
    assert_eq!(cfg.install.as_ref().and_then(|i| i.minor), Some(19));
}

#[test]
fn go_binary_on_path_locates_goroot_through_symlinks() {
    let dir = temp_dir("symlink");
    let goroot = dir.0.join("lib/go-1.27");
    std::fs::create_dir_all(goroot.join("pkg/tool")).unwrap();
    std::fs::create_dir_all(goroot.join("bin")).unwrap();
    std::fs::write(
        goroot.join("VERSION"),
        "go1.27.3\ntime 2026-10-19T22:20:36Z\n",
    )
    .unwrap();
    std::fs::write(
        goroot.join("go.env"),
        "GOPROXY=https://distro.example,direct\n",
    )
    .unwrap();
    let go = goroot.join("bin/go");
    std::fs::write(&go, "#!/bin/sh\n").unwrap();
    std::fs::set_permissions(&go, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let bin = dir.0.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    std::os::unix::fs::symlink(&go, bin.join("go")).unwrap();
    let cfg = GoConfig::load(Environment::from_pairs([
        ("HOME", "/nonexistent".to_string()),
        ("PATH", format!("/nonexistent-dir:{}", bin.display())),
    ]));
    let install = cfg.install.as_ref().expect("Go found through PATH");
    assert_eq!(
        std::fs::canonicalize(&install.goroot).unwrap(),
        std::fs::canonicalize(&goroot).unwrap()
    );
    assert_eq!(install.version.as_deref(), Some("go1.27.3"));
    assert_eq!(cfg.get("GOPROXY"), "https://distro.example,direct");
    assert_eq!(
        cfg.setting("GOPROXY")
            .unwrap()
            .file
            .as_deref()
            .map(Path::to_path_buf),
        Some(install.goroot.join("go.env"))
    );
}
