//! Go's configuration as the go command reads it, with the source of every value.
//!
//! Precedence (newest Go, `cmd/go/internal/cfg`): a non-empty process variable, then
//! the user's go env file (`$GOENV`, else `$XDG_CONFIG_HOME/go/env`, else
//! `$HOME/.config/go/env`), then — Go 1.21 and later — `$GOROOT/go.env` of the Go
//! installation that will run, then the built-in default. A key present in the user
//! file, even with an empty value, hides the same key in `go.env`.
//!
//! Go need not be installed: without one, the values newest Go ships in its `go.env`
//! are used. When a Go installation is found (`$GOROOT`, else the `go` on `PATH`), its
//! `go.env` is read and its version decides which defaults exist (Go before 1.21 has
//! GOPROXY and GOSUMDB compiled in and no `go.env`; GOAUTH appeared in 1.24).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::pathclean;
use crate::record::{Code, Warning};
use crate::{goflags, goquote};

/// The `go.env` newest Go ships (Debian's golang-1.27 and upstream alike); used when no
/// Go installation can be found.
pub const NEWEST_GO_ENV: &str =
    "GOPROXY=https://proxy.golang.org,direct\nGOSUMDB=sum.golang.org\nGOTOOLCHAIN=auto\n";

/// The go command's own variables this toolkit reports, in report order. All of them
/// can come from the go env file (except GOENV itself).
pub const GO_VARIABLES: &[&str] = &[
    "GO111MODULE",
    "GOAUTH",
    "GOENV",
    "GOFLAGS",
    "GOINSECURE",
    "GOMODCACHE",
    "GONOPROXY",
    "GONOSUMDB",
    "GOPATH",
    "GOPRIVATE",
    "GOPROXY",
    "GOROOT",
    "GOSUMDB",
    "GOTOOLCHAIN",
    "GOVCS",
];

/// Variables that affect downloads but are read only from the process environment.
pub const PROCESS_ONLY_VARIABLES: &[&str] = &[
    "GODEBUG",
    "HTTPS_PROXY",
    "HTTP_PROXY",
    "NO_PROXY",
    "NETRC",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "GIT_ALLOW_PROTOCOL",
];

/// The go command's list of variables it reads through its configuration
/// (`internal/cfg.KnownEnv`). Any other key in the go env file is ignored unless newest
/// Go finds it already present there; none of those affect downloads.
const KNOWN_ENV: &[&str] = &[
    "AR",
    "CC",
    "CGO_CFLAGS",
    "CGO_CFLAGS_ALLOW",
    "CGO_CFLAGS_DISALLOW",
    "CGO_CPPFLAGS",
    "CGO_CPPFLAGS_ALLOW",
    "CGO_CPPFLAGS_DISALLOW",
    "CGO_CXXFLAGS",
    "CGO_CXXFLAGS_ALLOW",
    "CGO_CXXFLAGS_DISALLOW",
    "CGO_ENABLED",
    "CGO_FFLAGS",
    "CGO_FFLAGS_ALLOW",
    "CGO_FFLAGS_DISALLOW",
    "CGO_LDFLAGS",
    "CGO_LDFLAGS_ALLOW",
    "CGO_LDFLAGS_DISALLOW",
    "CXX",
    "FC",
    "GCCGO",
    "GO111MODULE",
    "GO386",
    "GOAMD64",
    "GOARCH",
    "GOARM",
    "GOARM64",
    "GOAUTH",
    "GOBIN",
    "GOCACHE",
    "GOCACHEPROG",
    "GOENV",
    "GOEXE",
    "GOEXPERIMENT",
    "GOFIPS140",
    "GOFLAGS",
    "GOGCCFLAGS",
    "GOHOSTARCH",
    "GOHOSTOS",
    "GOINSECURE",
    "GOMIPS",
    "GOMIPS64",
    "GOMODCACHE",
    "GONOPROXY",
    "GONOSUMDB",
    "GOOS",
    "GOPATH",
    "GOPPC64",
    "GOPRIVATE",
    "GOPROXY",
    "GORISCV64",
    "GOROOT",
    "GOSUMDB",
    "GOTMPDIR",
    "GOTOOLCHAIN",
    "GOTOOLDIR",
    "GOVCS",
    "GOWASM",
    "GOWORK",
    "GO_EXTLINK_ENABLED",
    "PKG_CONFIG",
];

/// A snapshot of the process environment (or a test's stand-in for it).
#[derive(Clone, Debug, Default)]
pub struct Environment {
    vars: HashMap<String, String>,
}

impl Environment {
    /// The current process environment. Values that are not valid UTF-8 are converted
    /// lossily (Go treats them as bytes; none of the variables read here can use that).
    pub fn from_process() -> Environment {
        Environment {
            vars: std::env::vars_os()
                .map(|(k, v)| {
                    (
                        k.to_string_lossy().into_owned(),
                        v.to_string_lossy().into_owned(),
                    )
                })
                .collect(),
        }
    }

    /// An environment made of exactly these variables.
    pub fn from_pairs<K: Into<String>, V: Into<String>>(
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Environment {
        Environment {
            vars: pairs
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        }
    }

    /// A copy with `key` set to `value`.
    pub fn with(&self, key: &str, value: &str) -> Environment {
        let mut copy = self.clone();
        copy.vars.insert(key.to_string(), value.to_string());
        copy
    }

    /// The raw value, `Some("")` for a variable that is set but empty.
    pub fn raw(&self, key: &str) -> Option<&str> {
        self.vars.get(key).map(String::as_str)
    }

    /// The value as Go's `os.Getenv` sees it for configuration: empty when unset.
    pub fn get(&self, key: &str) -> &str {
        self.raw(key).unwrap_or("")
    }
}

/// Where an effective value came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// A non-empty process environment variable.
    Env,
    /// The user's go env file.
    GoEnvFile,
    /// `$GOROOT/go.env` of the Go installation (or the built-in copy of newest Go's).
    GorootGoEnv,
    /// Go's built-in default, or a value derived from another variable.
    Default,
}

impl Source {
    /// The wire name: `env`, `goenv` or `default` (`go.env` values are Go's
    /// distribution defaults, so they report as `default` with the file named).
    pub fn as_str(&self) -> &'static str {
        match self {
            Source::Env => "env",
            Source::GoEnvFile => "goenv",
            Source::GorootGoEnv | Source::Default => "default",
        }
    }
}

/// One variable's effective value and where it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Setting {
    /// The variable name (`GOPROXY`).
    pub name: &'static str,
    /// The effective value, exactly as the go command would use it.
    pub value: String,
    /// Where the value came from.
    pub source: Source,
    /// The file it was read from (go env file or `go.env`).
    pub file: Option<PathBuf>,
    /// The variable it was derived from when it is a default (GONOPROXY from GOPRIVATE).
    pub derived_from: Option<&'static str>,
    /// For variables with a lower-case spelling (`https_proxy`): the name actually used.
    pub spelled: Option<&'static str>,
    /// A human note on how the default was found.
    pub note: Option<String>,
}

/// What happened to the user's go env file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EnvFileStatus {
    /// Read successfully.
    Read,
    /// No file at that path (normal: `go env -w` was never used).
    Missing,
    /// The file exists but cannot be read; Go silently ignores it.
    Unreadable(String),
    /// `GOENV=off`.
    Off,
    /// No location could be determined (no HOME, relative XDG_CONFIG_HOME).
    NoLocation(String),
}

/// The user's go env file.
#[derive(Clone, Debug)]
pub struct EnvFile {
    /// Its path, when one could be determined and GOENV is not `off`.
    pub path: Option<PathBuf>,
    /// Whether it was read.
    pub status: EnvFileStatus,
    entries: HashMap<String, String>,
}

/// The Go installation whose `go.env` and version apply.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GoInstall {
    /// GOROOT.
    pub goroot: PathBuf,
    /// Where GOROOT came from: the go env file, the process environment, or (as
    /// `Default`) the location of the go binary on PATH.
    pub source: Source,
    /// How it was found (`GOROOT`, `GOROOT in the go env file`, or the go binary's path).
    pub found_via: String,
    /// The `go` binary found on PATH, if that is how GOROOT was found.
    pub go_binary: Option<PathBuf>,
    /// The first line of `$GOROOT/VERSION` (`go1.27.3`), if present.
    pub version: Option<String>,
    /// The minor version (27 for go1.27.3), if the version could be parsed.
    pub minor: Option<u32>,
}

impl GoInstall {
    /// Whether this Go reads `$GOROOT/go.env` (1.21+; unknown versions count as newest).
    pub fn has_go_env(&self) -> bool {
        self.minor.is_none_or(|m| m >= 21)
    }
}

/// Go's effective configuration: every download-related variable with its source.
#[derive(Clone, Debug)]
pub struct GoConfig {
    env: Environment,
    /// The user's go env file.
    pub env_file: EnvFile,
    /// The Go installation found, if any.
    pub install: Option<GoInstall>,
    /// The `go.env` file that supplied defaults (None: built-in copy or none at all).
    pub go_env_file: Option<PathBuf>,
    settings: Vec<Setting>,
    /// Problems with the configuration that do not stop the go command.
    pub warnings: Vec<Warning>,
}

impl GoConfig {
    /// Reads the configuration from the process environment and files.
    /// Every credential in it (GOPROXY, GOSUMDB and proxy userinfo) is registered
    /// as a secret the tools never print ([`crate::redact::learn_config`]).
    pub fn from_process() -> GoConfig {
        let cfg = GoConfig::load(Environment::from_process());
        crate::redact::learn_config(&cfg);
        cfg
    }

    /// Reads the configuration for the given environment.
    pub fn load(env: Environment) -> GoConfig {
        let env_file = read_env_file(&env);
        let install = find_install(&env, &env_file);
        let mut cfg = GoConfig {
            env,
            env_file,
            install,
            go_env_file: None,
            settings: Vec::new(),
            warnings: Vec::new(),
        };
        cfg.resolve_settings();
        cfg.collect_warnings();
        cfg
    }

    /// The effective value of a variable (`""` for one this module does not know).
    pub fn get(&self, name: &str) -> &str {
        self.setting(name).map_or("", |s| s.value.as_str())
    }

    /// Go's `cfg.Getenv` for any key, as `go env KEY` reports it: the reported
    /// settings, else a non-empty process value, else the user file, else `go.env`.
    /// Newest Go reads any key already present in either file.
    pub fn getenv(&self, key: &str) -> String {
        if let Some(setting) = self.setting(key) {
            return setting.value.clone();
        }
        let process = self.env.get(key);
        if !process.is_empty() {
            return process.to_string();
        }
        if let Some(value) = self.env_file.entries.get(key) {
            return value.clone();
        }
        self.go_env_defaults()
            .entries
            .get(key)
            .cloned()
            .unwrap_or_default()
    }

    /// The full setting for a variable.
    pub fn setting(&self, name: &str) -> Option<&Setting> {
        self.settings.iter().find(|s| s.name == name)
    }

    /// Every reported setting, go variables first, in report order.
    pub fn settings(&self) -> &[Setting] {
        &self.settings
    }

    /// The process environment this configuration was read from.
    pub fn environment(&self) -> &Environment {
        &self.env
    }

    /// Go's `cfg.Getenv` before defaults: process value if non-empty, else the user
    /// file, else `go.env`. Returns the value and its source; None when nowhere set.
    fn lookup(
        &self,
        name: &str,
        go_env: &GoEnvDefaults,
    ) -> Option<(String, Source, Option<PathBuf>)> {
        let process = self.env.get(name);
        if !process.is_empty() {
            return Some((process.to_string(), Source::Env, None));
        }
        if let Some(v) = self.env_file.entries.get(name) {
            return Some((v.clone(), Source::GoEnvFile, self.env_file.path.clone()));
        }
        go_env
            .entries
            .get(name)
            .map(|v| (v.clone(), Source::GorootGoEnv, go_env.file.clone()))
    }

    fn resolve_settings(&mut self) {
        let go_env = self.go_env_defaults();
        self.go_env_file = go_env.file.clone();
        let minor = self.install.as_ref().and_then(|i| i.minor);
        let mut settings = Vec::new();

        // Values that need no derivation: lookup, then a fixed default.
        let fixed_default = |name: &str| -> &'static str {
            match name {
                "GOAUTH" if minor.is_none_or(|m| m >= 24) => "netrc",
                // Go before 1.21 compiled these in instead of shipping go.env.
                "GOPROXY" if !go_env.read_by_go => "https://proxy.golang.org,direct",
                "GOSUMDB" if !go_env.read_by_go => "sum.golang.org",
                _ => "",
            }
        };
        for &name in &[
            "GO111MODULE",
            "GOAUTH",
            "GOFLAGS",
            "GOINSECURE",
            "GOPRIVATE",
            "GOPROXY",
            "GOSUMDB",
            "GOTOOLCHAIN",
            "GOVCS",
        ] {
            settings.push(self.simple_setting(name, fixed_default(name), &go_env));
        }

        let goprivate = settings.iter().find(|s| s.name == "GOPRIVATE").cloned();
        for name in ["GONOPROXY", "GONOSUMDB"] {
            let setting = match self.lookup(name, &go_env) {
                Some((value, source, file)) if !value.is_empty() => {
                    plain(name, value, source, file)
                }
                _ => {
                    let private = goprivate.clone().unwrap_or_else(|| {
                        plain("GOPRIVATE", String::new(), Source::Default, None)
                    });
                    Setting {
                        name,
                        value: private.value,
                        source: private.source,
                        file: private.file,
                        derived_from: Some("GOPRIVATE"),
                        spelled: None,
                        note: None,
                    }
                }
            };
            settings.push(setting);
        }

        settings.push(self.goenv_setting());
        settings.push(self.goroot_setting());
        let gopath = self.gopath_setting(&go_env);
        let gomodcache = match self.lookup("GOMODCACHE", &go_env) {
            Some((value, source, file)) if !value.is_empty() => {
                plain("GOMODCACHE", value, source, file)
            }
            _ => {
                let first = gopath.value.split(':').next().unwrap_or("");
                let value = if first.is_empty() {
                    String::new()
                } else {
                    pathclean::join(&[first, "pkg/mod"])
                };
                Setting {
                    derived_from: Some("GOPATH"),
                    ..plain("GOMODCACHE", value, Source::Default, None)
                }
            }
        };
        settings.push(gopath);
        settings.push(gomodcache);
        settings.sort_by_key(|s| GO_VARIABLES.iter().position(|n| *n == s.name));

        for &name in PROCESS_ONLY_VARIABLES {
            settings.push(self.process_setting(name));
        }
        self.settings = settings;
    }

    fn simple_setting(&self, name: &'static str, default: &str, go_env: &GoEnvDefaults) -> Setting {
        match self.lookup(name, go_env) {
            Some((value, Source::GorootGoEnv, file)) if !value.is_empty() => Setting {
                note: go_env.note.clone(),
                ..plain(name, value, Source::GorootGoEnv, file)
            },
            Some((value, source, file)) if !value.is_empty() => plain(name, value, source, file),
            Some((_, Source::GoEnvFile, file)) if default.is_empty() => {
                // An empty user-file entry stays empty (and hides go.env).
                plain(name, String::new(), Source::GoEnvFile, file)
            }
            _ => {
                let note = go_env
                    .note
                    .clone()
                    .filter(|_| go_env.entries.contains_key(name));
                Setting {
                    note,
                    ..plain(name, default.to_string(), Source::Default, None)
                }
            }
        }
    }

    fn goenv_setting(&self) -> Setting {
        let source = if self.env.get("GOENV").is_empty() {
            Source::Default
        } else {
            Source::Env
        };
        let value = match (&self.env_file.status, &self.env_file.path) {
            (EnvFileStatus::Off | EnvFileStatus::NoLocation(_), _) | (_, None) => String::new(),
            (_, Some(path)) => path.display().to_string(),
        };
        let note = match &self.env_file.status {
            EnvFileStatus::Off => Some("GOENV=off: no go env file is read".to_string()),
            EnvFileStatus::NoLocation(why) => Some(format!("no go env file: {why}")),
            EnvFileStatus::Missing => Some("the file does not exist".to_string()),
            EnvFileStatus::Unreadable(why) => Some(format!("cannot be read: {why}")),
            EnvFileStatus::Read => None,
        };
        Setting {
            note,
            ..plain("GOENV", value, source, None)
        }
    }

    fn goroot_setting(&self) -> Setting {
        let process = self.env.get("GOROOT");
        if !process.is_empty() {
            return plain("GOROOT", pathclean::clean(process), Source::Env, None);
        }
        match &self.install {
            Some(install) => {
                let file = (install.source == Source::GoEnvFile)
                    .then(|| self.env_file.path.clone())
                    .flatten();
                Setting {
                    note: Some(install.found_via.clone()),
                    ..plain(
                        "GOROOT",
                        install.goroot.display().to_string(),
                        install.source.clone(),
                        file,
                    )
                }
            }
            None => Setting {
                note: Some("no Go installation found (no GOROOT, no go on PATH)".to_string()),
                ..plain("GOROOT", String::new(), Source::Default, None)
            },
        }
    }

    fn gopath_setting(&self, go_env: &GoEnvDefaults) -> Setting {
        if let Some((value, source, file)) = self.lookup("GOPATH", go_env)
            && !value.is_empty()
        {
            return plain("GOPATH", value, source, file);
        }
        let home = self.env.get("HOME");
        let mut value = if home.is_empty() {
            String::new()
        } else {
            pathclean::join(&[home, "go"])
        };
        if let Some(install) = &self.install
            && !value.is_empty()
            && Path::new(&value) == install.goroot
        {
            // Go refuses to default GOPATH to GOROOT.
            value.clear();
        }
        Setting {
            derived_from: Some("HOME"),
            ..plain("GOPATH", value, Source::Default, None)
        }
    }

    fn process_setting(&self, name: &'static str) -> Setting {
        let lower: Option<&'static str> = match name {
            "HTTPS_PROXY" => Some("https_proxy"),
            "HTTP_PROXY" => Some("http_proxy"),
            "NO_PROXY" => Some("no_proxy"),
            _ => None,
        };
        let upper_value = self.env.get(name);
        if !upper_value.is_empty() {
            return plain(name, upper_value.to_string(), Source::Env, None);
        }
        if let Some(lower) = lower {
            let v = self.env.get(lower);
            if !v.is_empty() {
                return Setting {
                    spelled: Some(lower),
                    ..plain(name, v.to_string(), Source::Env, None)
                };
            }
        }
        if name == "NETRC" {
            let home = self.env.get("HOME");
            let value = if home.is_empty() {
                String::new()
            } else {
                pathclean::join(&[home, ".netrc"])
            };
            return Setting {
                derived_from: Some("HOME"),
                ..plain(name, value, Source::Default, None)
            };
        }
        plain(name, String::new(), Source::Default, None)
    }

    /// The `go.env` defaults that apply: the installation's file, or newest Go's
    /// built-in copy when no installation was found.
    fn go_env_defaults(&self) -> GoEnvDefaults {
        match &self.install {
            Some(install) if install.has_go_env() => {
                let file = install.goroot.join("go.env");
                let entries = crate::regular::read(&file, crate::regular::GO_ENV)
                    .map(|d| parse_env_file(&d))
                    .unwrap_or_default();
                GoEnvDefaults {
                    note: Some(format!("from {}", file.display())),
                    entries,
                    file: Some(file),
                    read_by_go: true,
                }
            }
            Some(install) => GoEnvDefaults {
                entries: HashMap::new(),
                file: None,
                read_by_go: false,
                note: Some(format!(
                    "{} has no go.env; its defaults are compiled in",
                    install.version.as_deref().unwrap_or("this Go")
                )),
            },
            None => GoEnvDefaults {
                entries: parse_env_file(NEWEST_GO_ENV.as_bytes()),
                file: None,
                read_by_go: true,
                note: Some(
                    "no Go installation found: the defaults newest Go ships in GOROOT/go.env"
                        .to_string(),
                ),
            },
        }
    }

    fn collect_warnings(&mut self) {
        let mut warnings = Vec::new();
        if let (EnvFileStatus::Unreadable(why), Some(path)) =
            (&self.env_file.status, &self.env_file.path)
        {
            warnings.push(
                Warning::new(
                    Code::GoenvUnreadable,
                    format!("the go env file {} cannot be read ({why}); the go command silently ignores it, so settings made with 'go env -w' do not apply", path.display()),
                    Some(format!("fix the file's permissions, or move it away and re-create it with 'go env -w' (path: {})", path.display())),
                )
                .go_error(format!("go: reading go env config: {why}")),
            );
        }
        if let EnvFileStatus::NoLocation(why) = &self.env_file.status
            && !why.is_empty()
        {
            warnings.push(Warning::new(
                Code::GoenvUnreadable,
                format!("the go command cannot locate its go env file: {why}"),
                Some("set HOME, or GOENV to the file's absolute path".to_string()),
            ));
        }
        let mut file_keys: Vec<&String> = self.env_file.entries.keys().collect();
        file_keys.sort();
        for key in file_keys {
            let value = &self.env_file.entries[key];
            // GOPROXY, GOSUMDB, GOFLAGS, GOVCS and GOAUTH are trimmed or split on white
            // space by Go, so a CR there does no harm.
            let trimmed_by_go = matches!(
                key.as_str(),
                "GOPROXY" | "GOSUMDB" | "GOFLAGS" | "GOVCS" | "GOAUTH"
            );
            if value.ends_with('\r') && !trimmed_by_go {
                warnings.push(Warning::new(
                    Code::GoenvCarriageReturn,
                    format!("{key} in the go env file ends in a carriage return, which Go keeps as part of the value"),
                    Some(format!("convert the go env file to Unix line endings, or run: go env -w {key}={}", value.trim_end_matches('\r'))),
                ));
            }
            let process_only = PROCESS_ONLY_VARIABLES.contains(&key.as_str())
                || key.starts_with("GIT_")
                || key == "ALL_PROXY";
            if process_only || (!KNOWN_ENV.contains(&key.as_str()) && is_download_lookalike(key)) {
                warnings.push(Warning::new(
                    Code::IneffectiveVariable,
                    format!("{key} is set in the go env file, but the go command reads it only from the process environment"),
                    Some(format!("export {key} in the shell or service environment instead, and remove it from {}", self.env_file.path.as_ref().map_or("the go env file".to_string(), |p| p.display().to_string()))),
                ));
            }
        }
        for name in ["GONOSUMCHECK", "GONOVERIFY"] {
            let in_env = !self.env.get(name).is_empty();
            if in_env || self.env_file.entries.contains_key(name) {
                warnings.push(Warning::new(
                    Code::IneffectiveVariable,
                    format!("{name} is not a Go variable; no Go version reads it"),
                    Some("to skip the checksum database for private modules use GONOSUMDB or GOPRIVATE; GOSUMDB=off disables it entirely".to_string()),
                ));
            }
        }
        for name in ["ALL_PROXY", "all_proxy"] {
            if !self.env.get(name).is_empty() {
                warnings.push(Warning::new(
                    Code::IneffectiveVariable,
                    format!(
                        "{name} is set, but the go command ignores it (git and curl do read it)"
                    ),
                    Some("set HTTPS_PROXY (and HTTP_PROXY) for the go command".to_string()),
                ));
            }
        }
        for name in ["GOPRIVATE", "GONOPROXY", "GONOSUMDB", "GOINSECURE"] {
            let setting = self.setting(name);
            if let Some(s) = setting
                && s.derived_from.is_none()
                && s.value
                    .split(',')
                    .any(|p| p != p.trim_matches([' ', '\t']) && !p.trim().is_empty())
            {
                let trimmed: Vec<&str> = s
                    .value
                    .split(',')
                    .map(str::trim)
                    .filter(|p| !p.is_empty())
                    .collect();
                warnings.push(Warning::new(
                    Code::PatternWhitespace,
                    format!("{name} has blanks around a comma ({}); Go does not trim them, so such a pattern never matches", goquote::quote(&s.value)),
                    Some(format!("{name}={}", trimmed.join(","))),
                ));
            }
            if let Some(s) = setting
                && s.derived_from.is_none()
            {
                warnings.extend(ip_range_warning(name, &s.value));
            }
        }
        warnings.extend(goflags_warnings(self.get("GOFLAGS")));
        let has_goauth = self
            .install
            .as_ref()
            .is_none_or(|i| i.minor.is_none_or(|m| m >= 24));
        if has_goauth
            && let crate::net::goauth::Spec::Invalid(go_error) =
                crate::net::goauth::parse(self.get("GOAUTH"), crate::net::goauth::stat_dir)
        {
            warnings.push(
                Warning::new(
                    Code::GoauthInvalid,
                    format!(
                        "GOAUTH={} is invalid: the go command stops at its first https request",
                        crate::net::goauth::redacted(self.get("GOAUTH"))
                    ),
                    Some(crate::net::goauth::FIX_HINT.to_string()),
                )
                .go_error(go_error),
            );
        }
        if !self.env.get("REQUEST_METHOD").is_empty() && !self.get("HTTP_PROXY").is_empty() {
            warnings.push(Warning::new(
                Code::ProxyCgiRefused,
                "REQUEST_METHOD is set, so Go refuses to use HTTP_PROXY for http:// URLs (the CGI guard)",
                Some("unset REQUEST_METHOD in the environment that runs the go command".to_string()),
            ).go_error("refusing to use HTTP_PROXY value in CGI environment; see golang.org/s/cgihttpproxy"));
        }
        self.warnings = warnings;
    }
}

/// The warnings for GOFLAGS entries the go command refuses or cannot use. Go stops at
/// the first refused entry, so only its warning carries Go's line.
fn goflags_warnings(value: &str) -> Vec<Warning> {
    let problems = goflags::problems(value);
    if problems.is_empty() {
        return Vec::new();
    }
    let fixed = match goflags::split(value) {
        Ok(words) => {
            let kept: Vec<String> = words
                .into_iter()
                .filter(|w| !problems.iter().any(|p| &p.entry == w))
                .map(|w| {
                    if w.contains([' ', '\t']) {
                        format!("'{w}'")
                    } else {
                        w
                    }
                })
                .collect();
            format!("GOFLAGS={}", goquote::quote(&kept.join(" ")))
        }
        Err(_) => "GOFLAGS with every quote closed".to_string(),
    };
    // The entry go stops at: the first it refuses on reading GOFLAGS, else the first
    // it refuses on setting flags from it.
    let stops_at = problems
        .iter()
        .position(|p| p.kind == goflags::ProblemKind::Refused)
        .or_else(|| {
            problems
                .iter()
                .position(|p| p.kind == goflags::ProblemKind::RefusedBySetting)
        });
    problems
        .into_iter()
        .enumerate()
        .map(|(i, problem)| {
            let entry = goquote::quote(&problem.entry);
            match problem.kind {
                goflags::ProblemKind::Refused | goflags::ProblemKind::RefusedBySetting => {
                    let warning = Warning::new(
                        Code::GoflagsInvalid,
                        format!(
                            "the go command refuses GOFLAGS entry {entry}, and every go command but go env stops before doing anything: {}",
                            problem.reason
                        ),
                        Some(fixed.clone()),
                    );
                    if stops_at == Some(i) {
                        warning.go_error(problem.go_error)
                    } else {
                        warning
                    }
                }
                goflags::ProblemKind::InsecureRemoved => Warning::new(
                    Code::GoflagsInsecure,
                    format!("GOFLAGS entry {entry}: {}", problem.reason),
                    Some(format!(
                        "{fixed}, and GOINSECURE=<glob> for the modules to fetch over plain http or without certificate checks"
                    )),
                )
                .go_error(problem.go_error),
            }
        })
        .collect()
}

/// The warning for the entries of a module path glob list (GOPRIVATE, GONOPROXY,
/// GONOSUMDB, GOINSECURE) that are IP networks or ranges: go takes them as path globs,
/// which never match a module.
fn ip_range_warning(name: &str, value: &str) -> Option<Warning> {
    let entries: Vec<&str> = value.split(',').collect();
    let ranges: Vec<&str> = entries
        .iter()
        .map(|e| e.trim())
        .filter(|e| ip_network_glob(e).is_some())
        .collect();
    if ranges.is_empty() {
        return None;
    }
    let replaced: Vec<String> = entries
        .iter()
        .map(|e| e.trim())
        .filter(|e| !e.is_empty())
        .filter_map(|e| match ip_network_glob(e) {
            Some(glob) => glob,
            None => Some(e.to_string()),
        })
        .collect();
    let listed: Vec<String> = ranges.iter().map(|r| goquote::quote(r)).collect();
    Some(Warning::new(
        Code::PatternIpRange,
        format!(
            "{name} names {} as an IP network or range, but its entries are module path globs: such an entry matches no module, so the modules of hosts in that network are not treated as {name} says",
            listed.join(", ")
        ),
        Some(if replaced.is_empty() {
            format!(
                "list the module path prefixes instead (the first element is the host name, e.g. {name}=*.corp.example.com)"
            )
        } else {
            format!(
                "{name}={} (module path globs: the first element is the host name, as in *.corp.example.com; an address such as 192.168.* matches only paths that start with an IP address)",
                replaced.join(",")
            )
        }),
    ))
}

/// For an entry that is an IP network (`192.168.0.0/16`, `fd00::/8`) or range
/// (`10.0.0.1-10.0.0.9`): the path glob that covers the same IPv4 addresses when the
/// prefix falls on an octet (`192.168.*`), else `Some(None)`. `None` for any other
/// entry.
fn ip_network_glob(entry: &str) -> Option<Option<String>> {
    use std::net::IpAddr;
    let entry = entry.trim_end_matches('/');
    if let Some((first, last)) = entry.split_once('-')
        && first.trim().parse::<IpAddr>().is_ok()
        && last.trim().parse::<IpAddr>().is_ok()
    {
        return Some(None);
    }
    let (addr, bits) = entry.rsplit_once('/')?;
    let addr: IpAddr = addr.parse().ok()?;
    let bits: u8 = bits.parse().ok()?;
    match addr {
        IpAddr::V4(v4) if bits <= 32 => {
            if bits == 0 || !bits.is_multiple_of(8) {
                return Some(None);
            }
            let octets = v4.octets();
            let kept: Vec<String> = octets[..usize::from(bits / 8)]
                .iter()
                .map(u8::to_string)
                .collect();
            Some(Some(if bits == 32 {
                kept.join(".")
            } else {
                format!("{}.*", kept.join("."))
            }))
        }
        IpAddr::V6(_) if bits <= 128 => Some(None),
        _ => None,
    }
}

/// Names that look like download settings but that the go command does not know, such
/// as `GOPROXY_URL` or `GO_PROXY`; reported so a typo does not go unnoticed.
fn is_download_lookalike(key: &str) -> bool {
    ["PROXY", "SUMDB", "PRIVATE", "INSECURE", "NETRC"]
        .iter()
        .any(|w| key.contains(w))
}

fn plain(name: &'static str, value: String, source: Source, file: Option<PathBuf>) -> Setting {
    Setting {
        name,
        value,
        source,
        file,
        derived_from: None,
        spelled: None,
        note: None,
    }
}

struct GoEnvDefaults {
    entries: HashMap<String, String>,
    file: Option<PathBuf>,
    /// Whether the Go in use reads go.env at all (1.21+ or no installation found).
    read_by_go: bool,
    note: Option<String>,
}

/// Parses a go env file (user file or `go.env`) as Go does: split on `\n` only (a `\r`
/// stays in the value); a line counts only if it contains `=` and starts with an ASCII
/// upper-case letter; key and value are split at the first `=` without trimming or
/// unquoting; the last occurrence of a key wins.
pub fn parse_env_file(data: &[u8]) -> HashMap<String, String> {
    let mut entries = HashMap::new();
    for line in data.split(|&b| b == b'\n') {
        let Some(eq) = line.iter().position(|&b| b == b'=') else {
            continue;
        };
        if !line.first().is_some_and(u8::is_ascii_uppercase) {
            continue;
        }
        let key = String::from_utf8_lossy(&line[..eq]).into_owned();
        let value = String::from_utf8_lossy(&line[eq + 1..]).into_owned();
        entries.insert(key, value);
    }
    entries
}

/// The go env file's location: `$GOENV` (`off` disables it), else the user config
/// directory's `go/env` (Go's `os.UserConfigDir` on Unix).
fn env_file_location(env: &Environment) -> Result<PathBuf, EnvFileStatus> {
    let goenv = env.get("GOENV");
    if goenv == "off" {
        return Err(EnvFileStatus::Off);
    }
    if !goenv.is_empty() {
        return Ok(PathBuf::from(goenv));
    }
    let xdg = env.get("XDG_CONFIG_HOME");
    let dir = if !xdg.is_empty() {
        if !xdg.starts_with('/') {
            return Err(EnvFileStatus::NoLocation(
                "path in $XDG_CONFIG_HOME is relative".to_string(),
            ));
        }
        xdg.to_string()
    } else {
        let home = env.get("HOME");
        if home.is_empty() {
            return Err(EnvFileStatus::NoLocation(
                "neither $XDG_CONFIG_HOME nor $HOME are defined".to_string(),
            ));
        }
        format!("{home}/.config")
    };
    Ok(PathBuf::from(pathclean::join(&[&dir, "go/env"])))
}

fn read_env_file(env: &Environment) -> EnvFile {
    let path = match env_file_location(env) {
        Ok(path) => path,
        Err(status) => {
            return EnvFile {
                path: None,
                status,
                entries: HashMap::new(),
            };
        }
    };
    match crate::regular::read(&path, crate::regular::GO_ENV) {
        Ok(data) => EnvFile {
            entries: parse_env_file(&data),
            path: Some(path),
            status: EnvFileStatus::Read,
        },
        Err(err) if err.is_not_found() => EnvFile {
            path: Some(path),
            status: EnvFileStatus::Missing,
            entries: HashMap::new(),
        },
        Err(err) => EnvFile {
            status: EnvFileStatus::Unreadable(err.to_string()),
            path: Some(path),
            entries: HashMap::new(),
        },
    }
}

/// Finds the Go installation as `cmd/go`'s `findGOROOT` would for the `go` on PATH:
/// GOROOT from the go env file, else from the process, else the directory two (or
/// three) levels above the go binary that contains `pkg/tool`, first as found and then
/// with symbolic links resolved.
fn find_install(env: &Environment, env_file: &EnvFile) -> Option<GoInstall> {
    let from_file = env_file.entries.get("GOROOT").filter(|v| !v.is_empty());
    let (goroot, source, found_via, go_binary) = if let Some(root) = from_file {
        (
            PathBuf::from(pathclean::clean(root)),
            Source::GoEnvFile,
            "GOROOT in the go env file".to_string(),
            None,
        )
    } else if !env.get("GOROOT").is_empty() {
        (
            PathBuf::from(pathclean::clean(env.get("GOROOT"))),
            Source::Env,
            "GOROOT".to_string(),
            None,
        )
    } else {
        let binary = find_go_binary(env)?;
        let root = goroot_of_binary(&binary)?;
        (
            root,
            Source::Default,
            format!("the go binary on PATH: {}", binary.display()),
            Some(binary),
        )
    };
    let version = crate::regular::read(&goroot.join("VERSION"), crate::regular::GO_VERSION)
        .ok()
        .and_then(|data| {
            let text = String::from_utf8_lossy(&data);
            text.lines().next().map(|l| l.trim().to_string())
        })
        .filter(|v| v.starts_with("go"));
    let minor = version.as_deref().and_then(go_minor_version);
    Some(GoInstall {
        goroot,
        source,
        found_via,
        go_binary,
        version,
        minor,
    })
}

/// The minor version of a Go release name: 27 for `go1.27.3`, 21 for `go1.21rc2`.
pub fn go_minor_version(version: &str) -> Option<u32> {
    let rest = version.strip_prefix("go1.")?;
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// The first executable file named `go` in the PATH directories (empty entries, which
/// would mean the current directory, are skipped).
fn find_go_binary(env: &Environment) -> Option<PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    env.get("PATH")
        .split(':')
        .filter(|d| !d.is_empty())
        .find_map(|dir| {
            let candidate = Path::new(dir).join("go");
            let meta = std::fs::metadata(&candidate).ok()?;
            (meta.is_file() && meta.permissions().mode() & 0o111 != 0).then_some(candidate)
        })
}

fn goroot_of_binary(binary: &Path) -> Option<PathBuf> {
    let absolute = if binary.is_absolute() {
        binary.to_path_buf()
    } else {
        std::env::current_dir().ok()?.join(binary)
    };
    let absolute = PathBuf::from(pathclean::clean(&absolute.to_string_lossy()));
    let looks_like_goroot = |exe: &Path| -> Option<PathBuf> {
        [2, 3].iter().find_map(|&up| {
            let dir = exe.ancestors().nth(up)?;
            dir.join("pkg")
                .join("tool")
                .is_dir()
                .then(|| dir.to_path_buf())
        })
    };
    looks_like_goroot(&absolute).or_else(|| {
        let resolved = std::fs::canonicalize(&absolute).ok()?;
        looks_like_goroot(&resolved)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_file_parsing_follows_go() {
        let entries = parse_env_file(
            b"# c\nGOPROXY=a\r\n gOFF=x\nGOSUMDB = off\nGOFLAGS=x=y\nGOPROXY=b\nnoeq\n=v\nGOVCS=",
        );
        assert_eq!(entries.get("GOPROXY").map(String::as_str), Some("b"));
        assert_eq!(entries.get("GOSUMDB "), Some(&" off".to_string()));
        assert_eq!(entries.get("GOFLAGS").map(String::as_str), Some("x=y"));
        assert_eq!(entries.get("GOVCS").map(String::as_str), Some(""));
        assert_eq!(entries.len(), 4);
    }

    #[test]
    fn minor_versions() {
        assert_eq!(go_minor_version("go1.27.3"), Some(27));
        assert_eq!(go_minor_version("go1.21rc2"), Some(21));
        assert_eq!(go_minor_version("devel +abc"), None);
    }

    #[test]
    fn no_go_installed_uses_newest_defaults() {
        let cfg = GoConfig::load(Environment::from_pairs([
            ("HOME", "/nonexistent-home"),
            ("PATH", ""),
        ]));
        assert_eq!(cfg.get("GOPROXY"), "https://proxy.golang.org,direct");
        assert_eq!(cfg.get("GOSUMDB"), "sum.golang.org");
        assert_eq!(cfg.get("GOTOOLCHAIN"), "auto");
        assert_eq!(cfg.get("GOAUTH"), "netrc");
        assert_eq!(cfg.get("GOPATH"), "/nonexistent-home/go");
        assert_eq!(cfg.get("GOMODCACHE"), "/nonexistent-home/go/pkg/mod");
        assert_eq!(cfg.get("GOENV"), "/nonexistent-home/.config/go/env");
        assert_eq!(cfg.setting("GOPROXY").unwrap().source, Source::GorootGoEnv);
        assert_eq!(cfg.env_file.status, EnvFileStatus::Missing);
    }

    #[test]
    fn lower_case_proxy_variables_are_reported_with_their_spelling() {
        let cfg = GoConfig::load(Environment::from_pairs([
            ("HOME", "/h"),
            ("HTTPS_PROXY", ""),
            ("https_proxy", "http://p:3128"),
        ]));
        let s = cfg.setting("HTTPS_PROXY").unwrap();
        assert_eq!(s.value, "http://p:3128");
        assert_eq!(s.spelled, Some("https_proxy"));
    }
}
