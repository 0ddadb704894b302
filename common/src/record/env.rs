//! The `env` record: Go's effective configuration with the source of every value.

use serde::Serialize;

use super::{Documented, RecordBody, redact_url, untrusted};
use crate::goenv::{EnvFileStatus, GoConfig, Setting};

/// Body of the `env` record.
#[derive(Clone, Debug, Serialize)]
pub struct EnvBody {
    /// One entry per variable, in report order.
    pub vars: serde_json::Map<String, serde_json::Value>,
    /// The Go installation whose defaults apply, if one was found.
    pub go: Option<GoInfo>,
    /// The user's go env file.
    pub env_file: EnvFileInfo,
    /// The GODEBUG settings in effect for the go command, with their sources.
    pub godebug: Vec<GodebugInfo>,
}

/// One entry of `godebug`.
#[derive(Clone, Debug, Serialize)]
pub struct GodebugInfo {
    /// The setting's name.
    pub name: String,
    /// Its value.
    pub value: String,
    /// `env` (the GODEBUG variable) or `default` (the go release's default).
    pub source: &'static str,
}

impl GodebugInfo {
    /// The wire form of the settings in effect ([`crate::godebug::Godebug::settings`]).
    pub fn list(godebug: &crate::godebug::Godebug) -> Vec<GodebugInfo> {
        godebug
            .settings()
            .into_iter()
            .map(|s| GodebugInfo {
                name: untrusted(&s.name, 200),
                value: untrusted(&s.value, 200),
                source: s.source.as_str(),
            })
            .collect()
    }
}

impl Documented for EnvBody {
    const FIELDS: &'static [(&'static str, &'static str)] = &[
        (
            "vars",
            "object, one entry per variable: {value, source: \"env\"|\"goenv\"|\"default\", file?, derived_from?, spelled?, note?}; credentials in values are redacted",
        ),
        (
            "go",
            "the Go installation whose go.env and version apply: {goroot, version, binary, found_via}, or null when none was found (newest Go's defaults are used)",
        ),
        (
            "env_file",
            "the user's go env file: {path, status: \"read\"|\"missing\"|\"unreadable\"|\"off\"|\"none\", error}",
        ),
        (
            "godebug",
            "the GODEBUG settings in effect for the go command itself: [{name, value, source: \"env\"|\"default\"}]; every setting of the GODEBUG variable (later wins), then the defaults of the go release in use for tlsmlkem, tlssecpmlkem, tlssha1 and x509negativeserial. GODEBUG is read only from the process environment (go env -w refuses it); the go.mod godebug block and go line set defaults for programs built from the module, not for the go command's downloads",
        ),
    ];
}

/// One variable in `vars`.
#[derive(Clone, Debug, Serialize)]
pub struct VarInfo {
    /// The effective value, credentials redacted.
    pub value: String,
    /// `env`, `goenv` or `default`.
    pub source: &'static str,
    /// The file the value was read from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// The variable a default was derived from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub derived_from: Option<&'static str>,
    /// The spelling actually used (`https_proxy`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spelled: Option<&'static str>,
    /// How the default was found.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// The `go` field.
#[derive(Clone, Debug, Serialize)]
pub struct GoInfo {
    /// GOROOT.
    pub goroot: String,
    /// `$GOROOT/VERSION`'s first line.
    pub version: Option<String>,
    /// The go binary found on PATH.
    pub binary: Option<String>,
    /// How GOROOT was found.
    pub found_via: String,
}

/// The `env_file` field.
#[derive(Clone, Debug, Serialize)]
pub struct EnvFileInfo {
    /// The path, when one applies.
    pub path: Option<String>,
    /// `read`, `missing`, `unreadable`, `off` or `none`.
    pub status: &'static str,
    /// Why it could not be read or located.
    pub error: Option<String>,
}

impl EnvBody {
    /// The wire form of a configuration.
    pub fn from_config(cfg: &GoConfig) -> EnvBody {
        let mut vars = serde_json::Map::new();
        for setting in cfg.settings() {
            let info = var_info(setting);
            vars.insert(
                setting.name.to_string(),
                serde_json::to_value(info).unwrap_or(serde_json::Value::Null),
            );
        }
        let (status, error) = match &cfg.env_file.status {
            EnvFileStatus::Read => ("read", None),
            EnvFileStatus::Missing => ("missing", None),
            EnvFileStatus::Unreadable(e) => ("unreadable", Some(e.clone())),
            EnvFileStatus::Off => ("off", None),
            EnvFileStatus::NoLocation(e) => ("none", Some(e.clone())),
        };
        EnvBody {
            vars,
            go: cfg.install.as_ref().map(|i| GoInfo {
                goroot: i.goroot.display().to_string(),
                version: i.version.clone(),
                binary: i.go_binary.as_ref().map(|b| b.display().to_string()),
                found_via: i.found_via.clone(),
            }),
            env_file: EnvFileInfo {
                path: cfg.env_file.path.as_ref().map(|p| p.display().to_string()),
                status,
                error,
            },
            godebug: GodebugInfo::list(&crate::godebug::Godebug::from_config(cfg)),
        }
    }
}

fn var_info(setting: &Setting) -> VarInfo {
    let value = if setting.name == "GOAUTH" {
        redact_goauth(&setting.value)
    } else if crate::redact::URL_VARIABLES.contains(&setting.name) {
        // Go puts https:// in front of `user:password@host`.
        crate::redact::redact_config_value(&setting.value)
    } else {
        redact_url(&setting.value)
    };
    // Local configuration, not network text: kept exactly (JSON escapes control
    // characters), only credentials redacted.
    VarInfo {
        value,
        source: setting.source.as_str(),
        file: setting.file.as_ref().map(|f| f.display().to_string()),
        derived_from: setting.derived_from,
        spelled: setting.spelled,
        note: setting.note.clone(),
    }
}

/// GOAUTH may name a credential command with a token on its command line: only the
/// built-in methods are shown whole; other commands keep their first word.
fn redact_goauth(value: &str) -> String {
    crate::net::goauth::redacted(value)
}

impl RecordBody for EnvBody {
    const TYPE: &'static str = "env";
    /// `env GOPROXY=VALUE (environment), GOSUMDB=VALUE (default), GOPRIVATE not set,
    /// ...`: the variables that decide routes, each with where its value came from.
    fn text(&self) -> String {
        let vars: Vec<String> = [
            "GOPROXY",
            "GOSUMDB",
            "GOPRIVATE",
            "GONOPROXY",
            "GONOSUMDB",
            "GOINSECURE",
            "HTTPS_PROXY",
        ]
        .iter()
        .map(|name| {
            let var = self.vars.get(*name);
            let value = var
                .and_then(|v| v.get("value"))
                .and_then(|v| v.as_str())
                .unwrap_or_default();
            if value.is_empty() {
                return format!("{name} not set");
            }
            let source = match var.and_then(|v| v.get("source")).and_then(|s| s.as_str()) {
                Some("env") => " (environment)",
                Some("goenv") => " (go env file)",
                Some("default") => " (default)",
                _ => "",
            };
            format!("{name}={}{source}", untrusted(value, 200))
        })
        .collect();
        format!("env {}", vars.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn goauth_commands_keep_only_their_name() {
        assert_eq!(redact_goauth("netrc"), "netrc");
        assert_eq!(redact_goauth("git /abs/dir;netrc"), "git /abs/dir;netrc");
        assert_eq!(redact_goauth("mycmd --token=abc;netrc"), "mycmd ***;netrc");
    }
}
