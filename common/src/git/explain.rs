//! Why git did what it did with a repository URL, asked of git itself with the go
//! command's environment: the URL after `url.<base>.insteadOf` (`git ls-remote
//! --get-url`) and the rule and file that rewrote it, the proxy git uses for it
//! (`http.proxy`, `http.<url>.proxy`, else libcurl's variables: the lower-case
//! `http_proxy` only for http, `https_proxy`/`HTTPS_PROXY` for https, then
//! `all_proxy`/`ALL_PROXY`, less `no_proxy`/`NO_PROXY`), the CA file and certificate
//! checks, and whether a credential helper or a `~/.netrc` entry would supply
//! credentials (the login only: no helper is run, no secret is read into the record).
//! For SSH URLs: the ssh command git runs (`GIT_SSH_COMMAND`, `core.sshCommand`,
//! `GIT_SSH`).

use std::path::Path;

use super::run::Runner;
use crate::goenv::Environment;
use crate::record::{scrub_credentials, untrusted};

/// Where a setting came from: `git config` (with its file and scope) or a variable.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Origin {
    /// `global`, `system`, `local`, `command` or `env`.
    pub scope: String,
    /// The file (`file:` stripped), or the variable's name.
    pub from: String,
}

/// One `url.<base>.insteadOf` rule.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InsteadOf {
    /// What replaces the prefix (`git@github.com:`).
    pub base: String,
    /// The prefix it replaces (`https://github.com/`).
    pub prefix: String,
    /// Where the rule is.
    pub origin: Origin,
}

impl Origin {
    /// `scope FILE` or `env NAME`, for the record.
    pub fn describe(&self) -> String {
        match (self.scope.as_str(), self.from.as_str()) {
            (scope, "") => scope.to_string(),
            (scope, from) => format!("{scope} {}", untrusted(from, 300)),
        }
    }
}

/// What git's configuration does to one URL.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Explanation {
    /// The URL git really uses (redacted).
    pub url: String,
    /// The rule that rewrote it, when one did.
    pub insteadof: Option<InsteadOf>,
    /// The proxy git uses (redacted) and why, for http(s).
    pub proxy: Option<(String, Origin)>,
    /// A `no_proxy` entry that keeps the URL off the proxy.
    pub no_proxy: Option<String>,
    /// The CA file git trusts instead of its default (`http.sslCAInfo`,
    /// `GIT_SSL_CAINFO`).
    pub ssl_ca_info: Option<(String, Origin)>,
    /// Certificate checks switched off (`http.sslVerify=false`, `GIT_SSL_NO_VERIFY`).
    pub ssl_verify_off: Option<Origin>,
    /// Credential helpers that apply, in order (`store`, `cache --timeout 10`...).
    pub credential_helpers: Vec<(String, Origin)>,
    /// The login of the `~/.netrc` entry libcurl would use (never the password).
    pub netrc_login: Option<String>,
    /// The ssh command git runs, for SSH URLs.
    pub ssh_command: Option<(String, Origin)>,
}

/// git's configuration as `git config --list` shows it outside any repository (every
/// scope, includes followed), read once per run: each entry's key (section and name in
/// lower case, as git prints them), value and origin. `None` when git could not list
/// it; every question is then asked of git itself, as before.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Snapshot {
    entries: Option<Vec<(String, String, Origin)>>,
}

impl Snapshot {
    /// Runs `git config --list --show-origin --show-scope -z` once, in `dir`.
    pub fn read(runner: &Runner, dir: &Path) -> Snapshot {
        let out = runner.run(
            dir,
            None,
            &["config", "--list", "--show-origin", "--show-scope", "-z"],
        );
        Snapshot {
            entries: out.ok().map(|out| parse_list_z(&out)),
        }
    }

    /// The entries whose key starts with `prefix` and ends with `suffix`, in git's
    /// order (later entries win).
    fn matching(&self, prefix: &str, suffix: &str) -> Option<Vec<(String, String, Origin)>> {
        let entries = self.entries.as_ref()?;
        Some(
            entries
                .iter()
                .filter(|(key, _, _)| {
                    key.len() >= prefix.len() + suffix.len()
                        && key.starts_with(prefix)
                        && key.ends_with(suffix)
                })
                .cloned()
                .collect(),
        )
    }

    /// Whether git could hold a setting whose key starts with `prefix` and ends with
    /// `suffix`: false only when the list was read and has none, so that asking git
    /// (`--get-urlmatch`, `ls-remote --get-url`) could only answer "nothing".
    fn may_have(&self, prefix: &str, suffix: &str) -> bool {
        self.matching(prefix, suffix)
            .is_none_or(|found| !found.is_empty())
    }
}

/// The entries of `git config --list --show-origin --show-scope -z`: `scope NUL origin
/// NUL key LF value NUL` (a key given without `=` has no LF and no value).
fn parse_list_z(out: &[u8]) -> Vec<(String, String, Origin)> {
    let text = String::from_utf8_lossy(out);
    let mut fields = text.split('\0');
    let mut entries = Vec::new();
    while let (Some(scope), Some(from), Some(rest)) = (fields.next(), fields.next(), fields.next())
    {
        let from = from.strip_prefix("file:").unwrap_or(from).to_string();
        let (key, value) = rest.split_once('\n').unwrap_or((rest, ""));
        entries.push((
            key.to_string(),
            value.to_string(),
            Origin {
                scope: scope.to_string(),
                from,
            },
        ));
    }
    entries
}

/// `git config` entries whose key starts with `prefix` and ends with `suffix`, with
/// their origins: `(key, value, origin)`; from the snapshot, else asked of git.
fn config_entries(
    runner: &Runner,
    dir: &Path,
    config: &Snapshot,
    prefix: &str,
    suffix: &str,
) -> Vec<(String, String, Origin)> {
    if let Some(found) = config.matching(prefix, suffix) {
        return found;
    }
    let regexp = format!(
        "^{}.*{}$",
        prefix.replace('.', "\\."),
        suffix.replace('.', "\\.")
    );
    let Ok(out) = runner.run(
        dir,
        None,
        &[
            "config",
            "--show-origin",
            "--show-scope",
            "-z",
            "--get-regexp",
            &regexp,
        ],
    ) else {
        return Vec::new();
    };
    parse_list_z(&out)
}

/// `git config --get-urlmatch KEY URL`.
fn urlmatch(runner: &Runner, dir: &Path, key: &str, url: &str) -> Option<String> {
    let out = runner
        .run(dir, None, &["config", "--get-urlmatch", key, url])
        .ok()?;
    let value = String::from_utf8_lossy(&out).trim().to_string();
    (!value.is_empty()).then_some(value)
}

/// The origin of the entry that gave `value` to a `section.[<url>.]name` key.
fn origin_of(entries: &[(String, String, Origin)], value: &str) -> Origin {
    entries
        .iter()
        .rev()
        .find(|(_, v, _)| v == value)
        .map(|(_, _, o)| o.clone())
        .unwrap_or_default()
}

/// Asks git (run by `runner`, in `dir`, outside any repository) about `url`; `env` is the
/// environment git sees.
pub fn explain(
    runner: &Runner,
    dir: &Path,
    config: &Snapshot,
    env: &Environment,
    url: &str,
) -> Explanation {
    let mut ex = Explanation::default();
    // Without a url.* (or remote.*) entry git cannot rewrite the URL: not asked.
    let rewritable = config.may_have("url.", ".insteadof") || config.may_have("remote.", "");
    let effective = rewritable
        .then(|| runner.run(dir, None, &["ls-remote", "--get-url", url]).ok())
        .flatten()
        .map(|out| String::from_utf8_lossy(&out).trim().to_string())
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| url.to_string());
    ex.url = scrub_credentials(&effective);
    if effective != url {
        // git applies the rule with the longest matching prefix.
        ex.insteadof = config_entries(runner, dir, config, "url.", ".insteadof")
            .into_iter()
            .filter_map(|(key, prefix, origin)| {
                let base = key.strip_prefix("url.")?.strip_suffix(".insteadof")?;
                url.starts_with(&prefix).then(|| InsteadOf {
                    base: scrub_credentials(base),
                    prefix: scrub_credentials(&prefix),
                    origin,
                })
            })
            .max_by_key(|rule| rule.prefix.len());
    }
    let scheme = effective.split("://").next().unwrap_or("");
    let is_http = effective.contains("://") && matches!(scheme, "http" | "https");
    if !is_http {
        let from_env = |name: &str| {
            let v = env.get(name);
            (!v.is_empty()).then(|| {
                (
                    untrusted(v, 300),
                    Origin {
                        scope: "env".into(),
                        from: name.into(),
                    },
                )
            })
        };
        ex.ssh_command = from_env("GIT_SSH_COMMAND")
            .or_else(|| {
                let entries = config_entries(runner, dir, config, "core.sshcommand", "");
                entries
                    .last()
                    .map(|(_, v, o)| (untrusted(v, 300), o.clone()))
            })
            .or_else(|| from_env("GIT_SSH"))
            .or_else(|| {
                Some((
                    "ssh".to_string(),
                    Origin {
                        scope: "default".into(),
                        from: String::new(),
                    },
                ))
            });
        return ex;
    }
    let host = effective
        .split("://")
        .nth(1)
        .and_then(|rest| rest.split(['/', '?', '#']).next())
        .map(|authority| authority.rsplit('@').next().unwrap_or(authority))
        .map(|hostport| {
            hostport.rsplit_once(':').map_or(hostport, |(h, p)| {
                if p.bytes().all(|b| b.is_ascii_digit()) {
                    h
                } else {
                    hostport
                }
            })
        })
        .unwrap_or("")
        .trim_matches(['[', ']'])
        .to_string();
    // The proxy: git's configuration first, then libcurl's variables.
    let proxy = config
        .may_have("http.", "proxy")
        .then(|| urlmatch(runner, dir, "http.proxy", &effective))
        .flatten();
    if let Some(proxy) = proxy {
        let entries = config_entries(runner, dir, config, "http.", "proxy");
        ex.proxy = Some((scrub_credentials(&proxy), origin_of(&entries, &proxy)));
    } else {
        let names: &[&str] = if scheme == "http" {
            &["http_proxy", "all_proxy", "ALL_PROXY"]
        } else {
            &["https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"]
        };
        ex.proxy = names.iter().find_map(|name| {
            let v = env.get(name);
            (!v.is_empty()).then(|| {
                (
                    scrub_credentials(v),
                    Origin {
                        scope: "env".into(),
                        from: (*name).into(),
                    },
                )
            })
        });
    }
    if ex.proxy.is_some() {
        let no_proxy = [env.get("no_proxy"), env.get("NO_PROXY")]
            .into_iter()
            .find(|v| !v.is_empty())
            .unwrap_or("");
        ex.no_proxy = no_proxy
            .split(',')
            .map(str::trim)
            .find(|entry| {
                let entry = entry.trim_start_matches('.');
                !entry.is_empty()
                    && (entry == "*" || host == entry || host.ends_with(&format!(".{entry}")))
            })
            .map(str::to_string);
    }
    ex.ssl_ca_info = match env.get("GIT_SSL_CAINFO") {
        "" if config.may_have("http.", "sslcainfo") => {
            urlmatch(runner, dir, "http.sslCAInfo", &effective).map(|v| {
                let entries = config_entries(runner, dir, config, "http.", "sslcainfo");
                let origin = origin_of(&entries, &v);
                (v, origin)
            })
        }
        "" => None,
        v => Some((
            v.to_string(),
            Origin {
                scope: "env".into(),
                from: "GIT_SSL_CAINFO".into(),
            },
        )),
    };
    if !env.get("GIT_SSL_NO_VERIFY").is_empty() {
        ex.ssl_verify_off = Some(Origin {
            scope: "env".into(),
            from: "GIT_SSL_NO_VERIFY".into(),
        });
    } else if config.may_have("http.", "sslverify")
        && urlmatch(runner, dir, "http.sslVerify", &effective).is_some_and(|v| {
            matches!(
                v.to_ascii_lowercase().as_str(),
                "false" | "no" | "off" | "0"
            )
        })
    {
        let entries = config_entries(runner, dir, config, "http.", "sslverify");
        ex.ssl_verify_off = Some(
            entries
                .last()
                .map(|(_, _, o)| o.clone())
                .unwrap_or_default(),
        );
    }
    // Credential helpers: credential.helper, and credential.<url>.helper for a URL
    // the repository's is under. An empty value resets the list, as git does.
    for (key, value, origin) in config_entries(runner, dir, config, "credential.", "helper") {
        let applies = match key
            .strip_prefix("credential.")
            .and_then(|k| k.strip_suffix(".helper"))
        {
            None => key == "credential.helper",
            Some(pattern) => {
                let pattern = pattern.trim_end_matches('/');
                effective.starts_with(pattern)
                    || pattern == host
                    || pattern.split("://").nth(1) == Some(host.as_str())
            }
        };
        if !applies {
            continue;
        }
        if value.is_empty() {
            ex.credential_helpers.clear();
        } else {
            ex.credential_helpers.push((untrusted(&value, 200), origin));
        }
    }
    // libcurl's netrc: $HOME/.netrc, matched by host name.
    let home = env.get("HOME");
    if !home.is_empty()
        && let Ok(text) = std::fs::read_to_string(Path::new(home).join(".netrc"))
    {
        ex.netrc_login = crate::net::netrc::parse(&text)
            .iter()
            .find(|e| e.machine == host)
            .map(|e| untrusted(&e.login, 200));
    }
    ex
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIST: &[u8] = b"global\0file:/home/u/.gitconfig\0url.git@h:.insteadof\nhttps://h/\0command\0command line:\0http.https://h/.proxy\nhttp://p:3128\0system\0file:/etc/gitconfig\0core.bare\0";

    #[test]
    fn the_list_is_read_with_origins_and_values() {
        let entries = parse_list_z(LIST);
        assert_eq!(entries.len(), 3);
        assert_eq!(entries[0].0, "url.git@h:.insteadof");
        assert_eq!(entries[0].1, "https://h/");
        assert_eq!(entries[0].2.scope, "global");
        assert_eq!(entries[0].2.from, "/home/u/.gitconfig");
        assert_eq!(entries[1].2.from, "command line:");
        // A key without `=` has no value.
        assert_eq!(
            (entries[2].0.as_str(), entries[2].1.as_str()),
            ("core.bare", "")
        );
    }

    #[test]
    fn git_is_asked_only_about_what_the_configuration_could_hold() {
        let read = Snapshot {
            entries: Some(parse_list_z(LIST)),
        };
        assert!(read.may_have("url.", ".insteadof"));
        assert!(read.may_have("http.", "proxy"));
        assert!(!read.may_have("http.", "sslcainfo"));
        assert!(!read.may_have("credential.", "helper"));
        assert!(!read.may_have("remote.", ""));
        assert_eq!(read.matching("http.", "proxy").unwrap().len(), 1);
        // `http.proxy` itself is both prefix and suffix: matched once, not twice.
        let bare = Snapshot {
            entries: Some(parse_list_z(b"global\0file:/g\0http.proxy\nhttp://p\0")),
        };
        assert_eq!(bare.matching("http.", "proxy").unwrap().len(), 1);
        // A list git could not give: everything is asked of git.
        let unread = Snapshot::default();
        assert!(unread.may_have("credential.", "helper"));
        assert!(unread.matching("url.", ".insteadof").is_none());
    }
}
