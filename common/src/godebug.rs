//! GODEBUG as the go command reads it (go1.27's `internal/godebugs`,
//! `internal/godebug`, `runtime.parsegodebug` and `cmd/go/internal/modload`).
//!
//! What decides the go command's OWN behaviour (its downloads, TLS, x509) is the
//! `GODEBUG` variable of its process environment and the defaults of its own release:
//! the go command is a program built from the `cmd` module, whose defaults are those of
//! its release. The main module's go.mod `godebug` block and `go` line set the defaults
//! compiled into programs BUILT from that module (`cmd/go/internal/load`'s
//! `defaultGODEBUG`), never the go command's own. `go env -w GODEBUG=...` is refused
//! (`GODEBUG can only be set using the OS environment`), so the go env file never
//! holds it for go.
//!
//! The go.mod `godebug` block is still checked by the go command when it loads the main
//! module ([`check_gomod`]): an unknown setting, or a removed one set to its old value,
//! stops every command with `go: error loading go.mod:`. A removed setting set to its
//! old value in the environment stops the go binary before it starts
//! ([`Godebug::fatal`]).

use crate::modfile::ModFile;
use crate::record::{Code, ErrorInfo};

/// One known GODEBUG setting of go1.27 (`godebugs.All`): its name, and for settings
/// whose default changed, the release that changed it and the value that restores the
/// behaviour from before.
#[derive(Clone, Copy, Debug)]
pub struct Info {
    /// The setting (`x509negativeserial`).
    pub name: &'static str,
    /// The minor release whose default changed (0: never changed).
    pub changed: u32,
    /// The value that restores the behaviour before `changed`.
    pub old: &'static str,
}

const fn info(name: &'static str, changed: u32, old: &'static str) -> Info {
    Info { name, changed, old }
}

/// go1.27's table of known settings, sorted by name.
pub const KNOWN: &[Info] = &[
    info("allowmultiplevcs", 0, ""),
    info("containermaxprocs", 25, "0"),
    info("cryptocustomrand", 26, "1"),
    info("dataindependenttiming", 0, ""),
    info("decoratemappings", 25, "0"),
    info("embedfollowsymlinks", 0, ""),
    info("execerrdot", 0, ""),
    info("fips140", 0, ""),
    info("fips140ems", 0, ""),
    info("gocachehash", 0, ""),
    info("gocachetest", 0, ""),
    info("gocacheverify", 0, ""),
    info("gotestjsonbuildtext", 24, "1"),
    info("htmlmetacontenturlescape", 0, ""),
    info("http2client", 0, ""),
    info("http2debug", 0, ""),
    info("http2server", 0, ""),
    info("httpcookiemaxnum", 24, "0"),
    info("httplaxcontentlength", 22, "1"),
    info("httpmuxgo121", 22, "1"),
    info("httpservecontentkeepheaders", 23, "1"),
    info("httpservecontentmaxranges", 26, "1"),
    info("installgoroot", 0, ""),
    info("jstmpllitinterp", 0, ""),
    info("multipartmaxheaders", 0, ""),
    info("multipartmaxparts", 0, ""),
    info("multipathtcp", 24, "0"),
    info("netdns", 0, ""),
    info("netedns0", 19, "0"),
    info("panicnil", 21, "1"),
    info("randautoseed", 0, ""),
    info("randseednop", 24, "0"),
    info("rsa1024min", 24, "0"),
    info("tarinsecurepath", 0, ""),
    info("tlsmaxrsasize", 0, ""),
    info("tlsmlkem", 24, "0"),
    info("tlssecpmlkem", 26, "0"),
    info("tlssha1", 25, "1"),
    info("tracebacklabels", 27, "0"),
    info("updatemaxprocs", 25, "0"),
    info("urlmaxqueryparams", 24, "0"),
    info("urlstrictcolons", 26, "0"),
    info("winreadlinkvolume", 23, "0"),
    info("winsymlink", 23, "0"),
    info("x509negativeserial", 23, "1"),
    info("x509rsacrt", 24, "0"),
    info("x509sha256skid", 25, "0"),
    info("x509sslcertoverrideplatform", 27, "0"),
    info("x509usefallbackroots", 0, ""),
    info("x509usepolicies", 24, "0"),
    info("zipinsecurepath", 0, ""),
];

/// A setting go removed (`godebugs.Removed`): from release `removed` on, its old values
/// (the ones that asked for the behaviour before) are errors; any other value is
/// accepted and means nothing.
#[derive(Clone, Copy, Debug)]
pub struct Removed {
    /// The setting.
    pub name: &'static str,
    /// The minor release that removed it.
    pub removed: u32,
    /// Its old values.
    pub old: &'static [&'static str],
}

const fn removed(name: &'static str, removed: u32, old: &'static [&'static str]) -> Removed {
    Removed { name, removed, old }
}

/// go1.27's removed settings.
pub const REMOVED: &[Removed] = &[
    removed("x509sha1", 24, &["1"]),
    removed("tlskyber", 24, &["0"]),
    removed("gotypesalias", 27, &["0"]),
    removed("tlsunsafeekm", 27, &["1"]),
    removed("tlsrsakex", 27, &["1"]),
    removed("tls3des", 27, &["1"]),
    removed("tls10server", 27, &["1"]),
    removed("x509keypairleaf", 27, &["0"]),
    removed("asynctimerchan", 27, &["1", "2"]),
];

/// The settings that change what the go command accepts in the TLS handshakes and
/// certificate checks this toolkit models, with the value each release from `changed`
/// on behaves as (the default of that release).
const MODELLED: &[(&str, &str)] = &[
    ("tlsmlkem", "1"),
    ("tlssecpmlkem", "1"),
    ("tlssha1", "0"),
    ("x509negativeserial", "0"),
];

/// The known setting of this name.
pub fn lookup(name: &str) -> Option<&'static Info> {
    KNOWN.iter().find(|i| i.name == name)
}

/// The removed setting of this name.
pub fn lookup_removed(name: &str) -> Option<&'static Removed> {
    REMOVED.iter().find(|r| r.name == name)
}

/// Where a GODEBUG value in effect comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// The `GODEBUG` variable of the process environment.
    Env,
    /// The default of the go release in use.
    Default,
}

impl Source {
    /// The wire name: `env` or `default`.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Env => "env",
            Source::Default => "default",
        }
    }
}

/// One setting in effect for the go command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Setting {
    /// The setting's name.
    pub name: String,
    /// Its value (for a value with `#pattern`, the part before `#`).
    pub value: String,
    /// Where it comes from.
    pub source: Source,
}

/// The GODEBUG in effect for one go command: its release and its environment.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Godebug {
    /// The go release's minor version (27 for go1.27.3); None: the newest modelled.
    pub go_minor: Option<u32>,
    /// The raw `GODEBUG` of the environment.
    pub env: String,
}

impl Godebug {
    /// The GODEBUG of go1.`go_minor` (None: newest) with this environment value.
    pub fn new(go_minor: Option<u32>, env: &str) -> Godebug {
        Godebug {
            go_minor,
            env: env.to_string(),
        }
    }

    /// The GODEBUG of the go found in this configuration (or `--go`'s, given as
    /// `go_minor`), from the process environment.
    pub fn from_config(cfg: &crate::goenv::GoConfig) -> Godebug {
        Godebug::new(
            cfg.install.as_ref().and_then(|i| i.minor),
            cfg.environment().get("GODEBUG"),
        )
    }

    fn minor(&self) -> u32 {
        self.go_minor.unwrap_or(crate::net::hello::NEWEST_GO_MINOR)
    }

    /// The environment's settings as Go's `internal/godebug` reads them: `name=value`
    /// items separated by commas, items without `=` ignored, a later item wins, `#...`
    /// after a value is a bisect pattern. One entry per name, in the order of first
    /// appearance.
    pub fn env_settings(&self) -> Vec<(String, String)> {
        let mut found: Vec<(String, String)> = Vec::new();
        for item in self.env.split(',') {
            let Some((name, value)) = item.split_once('=') else {
                continue;
            };
            let value = value.split('#').next().unwrap_or_default().to_string();
            match found.iter_mut().find(|(n, _)| n == name) {
                Some(entry) => entry.1 = value,
                None => found.push((name.to_string(), value)),
            }
        }
        found
    }

    /// The value of a setting in the environment, if set there.
    pub fn env_value(&self, name: &str) -> Option<String> {
        self.env_settings()
            .into_iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v)
    }

    /// The value a setting has for this go: the environment's, else its release's
    /// default: before the release that changed it, the old value (which describes
    /// that release's behaviour, also where the setting did not exist yet); from then
    /// on the new one for the settings in [`MODELLED`], "" for others.
    pub fn value(&self, name: &str) -> (String, Source) {
        if let Some(value) = self.env_value(name) {
            return (value, Source::Env);
        }
        (
            self.default_value(name).unwrap_or_default(),
            Source::Default,
        )
    }

    fn default_value(&self, name: &str) -> Option<String> {
        let info = lookup(name)?;
        if info.changed != 0 && self.minor() < info.changed {
            return (!info.old.is_empty()).then(|| info.old.to_string());
        }
        MODELLED
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.to_string())
    }

    /// The settings in effect that change what this toolkit models, with their
    /// sources: every setting of the environment, then the release defaults of the TLS
    /// and x509 settings not set there.
    pub fn settings(&self) -> Vec<Setting> {
        let mut out: Vec<Setting> = self
            .env_settings()
            .into_iter()
            .map(|(name, value)| Setting {
                name,
                value,
                source: Source::Env,
            })
            .collect();
        for (name, _) in MODELLED {
            if out.iter().any(|s| s.name == *name) {
                continue;
            }
            if let Some(value) = self.default_value(name) {
                out.push(Setting {
                    name: name.to_string(),
                    value,
                    source: Source::Default,
                });
            }
        }
        out
    }

    /// Whether go accepts a certificate with a negative serial number (go1.23 and
    /// later refuse one unless `x509negativeserial=1`).
    pub fn accepts_negative_serial(&self) -> bool {
        self.minor() < 23 || self.env_value("x509negativeserial").as_deref() == Some("1")
    }

    /// Whether go accepts a certificate signed with SHA-1: refused since go1.18;
    /// `x509sha1=1` restored it until go1.24 removed the setting.
    pub fn accepts_sha1_certificates(&self) -> bool {
        let minor = self.minor();
        minor < 18 || (minor < 24 && self.env_value("x509sha1").as_deref() == Some("1"))
    }

    /// The runtime's fatal error when the environment sets a removed setting to an
    /// old value: the go binary stops before doing anything, with this line on
    /// stderr (`runtime.parsegodebug`: the first such item, its raw value).
    pub fn fatal(&self) -> Option<String> {
        let minor = self.minor();
        for item in self.env.split(',') {
            let Some((key, value)) = item.split_once('=') else {
                continue;
            };
            if let Some(r) = lookup_removed(key)
                && minor >= 27
                && r.removed <= minor
                && r.old.contains(&value)
            {
                return Some(format!(
                    "fatal error: removed GODEBUG {} set to old value {} in environment (https://go.dev/doc/godebug#go-1{})",
                    crate::goquote::quote(key),
                    crate::goquote::quote(value),
                    r.removed
                ));
            }
        }
        None
    }
}

/// What to do about a certificate the go of `go_minor` (None: newest) refuses by one of
/// its x509 rules, naming the GODEBUG setting that restores the old behaviour where one
/// exists: a negative serial number, a SHA-1 (or MD5) signature. None for other codes.
pub fn x509_hint(code: Code, go_minor: Option<u32>) -> Option<String> {
    let minor = go_minor.unwrap_or(crate::net::hello::NEWEST_GO_MINOR);
    Some(match code {
        Code::TlsNegativeSerial => "go1.23 and later refuse certificates with a negative serial number (TLS-inspection products often make them): have the CA issue certificates with positive serial numbers, or run the go command with GODEBUG=x509negativeserial=1 in its environment (export it; a godebug line in go.mod does not change the go command itself)".to_string(),
        Code::TlsInsecureSignature if minor < 24 => "a certificate of the chain is signed with SHA-1, which go refuses since go1.18: have the CA re-issue it with SHA-256; until then GODEBUG=x509sha1=1 in the go command's environment accepts it (the setting is gone in go1.24 and later)".to_string(),
        Code::TlsInsecureSignature => "a certificate of the chain is signed with SHA-1 (or MD5), which go refuses since go1.18; the GODEBUG setting x509sha1 that allowed it was removed in go1.24, so no setting helps: the CA (or the TLS-inspection product) must re-issue it with SHA-256".to_string(),
        _ => return None,
    })
}

/// The removed settings of go1.27, for hints: `tlsrsakex, tls10server, ...`.
pub fn removed_names() -> String {
    REMOVED
        .iter()
        .map(|r| r.name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The error for a go.mod whose `godebug` lines go refuses (`go_error` from
/// [`check_gomod`]).
pub fn gomod_error(path: &std::path::Path, go_error: String) -> ErrorInfo {
    ErrorInfo::new(
        Code::GodebugInvalid,
        format!(
            "a godebug line of {} names a setting the go command does not know, or sets a removed one to its old value; every go command in this module stops",
            path.display()
        ),
    )
    .go_error(go_error)
    .hint(format!(
        "delete the lines named in go_error (`go mod edit -dropgodebug=NAME`); a removed setting cannot bring its behaviour back in a newer go (removed: {}), and these lines only set defaults for programs built from this module, never for the go command's own downloads",
        removed_names()
    ))
}

/// The error every go command ends with when the environment's GODEBUG sets a removed
/// setting to its old value ([`Godebug::fatal`]).
pub fn env_error(fatal: String) -> ErrorInfo {
    ErrorInfo::new(
        Code::GodebugInvalid,
        "GODEBUG in the environment sets a removed setting to its old value: the go command stops before it starts",
    )
    .go_error(fatal)
    .hint(format!(
        "remove that setting from GODEBUG (unset GODEBUG, or set it without it); removed settings cannot bring their behaviour back (removed: {})",
        removed_names()
    ))
}

/// go1.27's check of the main module's `godebug` lines (`modload.CheckGodebug` as
/// `loadModFile` runs it, every failing line): the lines go prints, None when go
/// accepts them. `file_name` is the go.mod as go names it; `go_version` the full
/// version of the go in use (`go1.27.3`), for `default=`. Older releases are not
/// modelled: for a go before 1.27 nothing is reported.
pub fn check_gomod(
    file_name: &str,
    file: &ModFile,
    go_minor: Option<u32>,
    go_version: Option<&str>,
) -> Option<String> {
    if go_minor.is_some_and(|m| m < 27) {
        return None;
    }
    let errors: Vec<String> = file
        .godebugs
        .iter()
        .filter_map(|g| {
            check_one(&g.key, &g.value, go_version).map(|err| {
                format!(
                    "go: error loading {file_name}:\n{file_name}:{}: {err}",
                    g.line
                )
            })
        })
        .collect();
    (!errors.is_empty()).then(|| errors.join("\n"))
}

/// `modload.CheckGodebug("godebug", key, value)`.
fn check_one(key: &str, value: &str, go_version: Option<&str>) -> Option<String> {
    let blank = |s: &str| s.contains([' ', '\t']);
    if blank(key) {
        return Some("key contains space".into());
    }
    if blank(value) {
        return Some("value contains space".into());
    }
    if key.contains(',') {
        return Some("key contains comma".into());
    }
    if value.contains(',') {
        return Some("value contains comma".into());
    }
    if key == "default" {
        let Some(version) = value
            .strip_prefix("go")
            .filter(|v| crate::toolchain::is_valid(v))
        else {
            return Some("value for default= must be goVERSION".into());
        };
        if let Some(local) = go_version.and_then(|v| v.strip_prefix("go"))
            && crate::toolchain::compare(version, local).is_gt()
        {
            return Some(format!("default={value} too new (toolchain is go{local})"));
        }
        return None;
    }
    if lookup(key).is_some() {
        return None;
    }
    if let Some(r) = lookup_removed(key) {
        if r.old.contains(&value) {
            return Some(format!(
                "removed GODEBUG {} set to old value {} (https://go.dev/doc/godebug#go-1{})",
                crate::goquote::quote(key),
                crate::goquote::quote(value),
                r.removed
            ));
        }
        return None;
    }
    Some(format!("unknown godebug {}", crate::goquote::quote(key)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn later_setting_wins_and_sources_are_given() {
        let g = Godebug::new(Some(27), "tlsmlkem=0,netdns=go,tlsmlkem=1#x,junk");
        assert_eq!(g.value("tlsmlkem"), ("1".to_string(), Source::Env));
        assert_eq!(g.value("tlssha1"), ("0".to_string(), Source::Default));
        let names: Vec<(String, &str)> = g
            .settings()
            .into_iter()
            .map(|s| (format!("{}={}", s.name, s.value), s.source.as_str()))
            .collect();
        assert_eq!(
            names,
            [
                ("tlsmlkem=1".to_string(), "env"),
                ("netdns=go".to_string(), "env"),
                ("tlssecpmlkem=1".to_string(), "default"),
                ("tlssha1=0".to_string(), "default"),
                ("x509negativeserial=0".to_string(), "default"),
            ]
        );
    }

    #[test]
    fn defaults_follow_the_release() {
        // go1.22: before tlsmlkem (1.24) its old value; x509negativeserial (1.23) old.
        let g = Godebug::new(Some(22), "");
        assert_eq!(g.value("tlsmlkem").0, "0");
        assert_eq!(g.value("x509negativeserial").0, "1");
        assert!(g.accepts_negative_serial());
        assert!(!Godebug::new(Some(23), "").accepts_negative_serial());
        assert!(Godebug::new(Some(27), "x509negativeserial=1").accepts_negative_serial());
        assert!(!Godebug::new(Some(27), "x509sha1=1").accepts_sha1_certificates());
        assert!(Godebug::new(Some(23), "x509sha1=1").accepts_sha1_certificates());
        assert!(!Godebug::new(Some(23), "").accepts_sha1_certificates());
    }

    #[test]
    fn removed_old_value_in_environment_is_fatal() {
        assert_eq!(
            Godebug::new(Some(27), "netdns=go,tlsrsakex=1,tls3des=1")
                .fatal()
                .as_deref(),
            Some(
                "fatal error: removed GODEBUG \"tlsrsakex\" set to old value \"1\" in environment (https://go.dev/doc/godebug#go-127)"
            )
        );
        assert_eq!(Godebug::new(Some(27), "tlsrsakex=0").fatal(), None);
        assert_eq!(Godebug::new(Some(26), "tlsrsakex=1").fatal(), None);
        assert!(Godebug::new(None, "asynctimerchan=2").fatal().is_some());
    }

    #[test]
    fn gomod_godebug_lines_are_checked_as_go127() {
        let file = crate::modfile::parse(
            "go.mod",
            b"module m\n\ngo 1.27\n\ngodebug (\n\tfoo=1\n\ttls10server=1\n\ttls3des=0\n\ttlsmlkem=0\n)\ngodebug default=go1.30\n",
        )
        .unwrap();
        assert_eq!(
            check_gomod("go.mod", &file, Some(27), Some("go1.27.3")).as_deref(),
            Some(
                "go: error loading go.mod:\ngo.mod:6: unknown godebug \"foo\"\ngo: error loading go.mod:\ngo.mod:7: removed GODEBUG \"tls10server\" set to old value \"1\" (https://go.dev/doc/godebug#go-127)\ngo: error loading go.mod:\ngo.mod:11: default=go1.30 too new (toolchain is go1.27.3)"
            )
        );
        assert_eq!(check_gomod("go.mod", &file, Some(26), None), None);
        let fine = crate::modfile::parse("go.mod", b"module m\ngodebug tlsrsakex=0\n").unwrap();
        assert_eq!(check_gomod("go.mod", &fine, None, None), None);
    }
}
