//! The `route` record: how the go command would fetch one module, and why.

use serde::Serialize;

use super::{Documented, RecordBody, untrusted};

/// Body of the `route` record.
#[derive(Clone, Debug, Default, Serialize)]
pub struct RouteBody {
    /// The module path as given.
    pub module: String,
    /// The canonical version asked for, if any.
    pub version: Option<String>,
    /// A version query (`latest`, `v1.2`, a branch or commit), if that was asked instead.
    pub query: Option<String>,
    /// Whether the path (and version) pass Go's checks.
    pub valid: bool,
    /// The escaped module path used in URLs and the cache (`github.com/!azure/x`).
    pub escaped: Option<String>,
    /// The escaped version.
    pub escaped_version: Option<String>,
    /// Where the target came from when read from a go.mod file.
    pub from: Option<FromInfo>,
    /// The replacement that applies, from the main module's go.mod.
    pub replaced_by: Option<Replacement>,
    /// The entries Go tries, in order.
    pub endpoints: Vec<Endpoint>,
    /// GOPROXY entries Go skips for this path without a request, and why.
    pub skipped: Vec<Skipped>,
    /// The checksum database consulted, or null (see `sumdb_skipped`).
    pub sumdb: Option<SumdbInfo>,
    /// Why no checksum database is consulted.
    pub sumdb_skipped: Option<String>,
    /// The GONOPROXY, GONOSUMDB and GOINSECURE decisions (null for an invalid path).
    pub private: Option<Private>,
    /// Third-party hosts that learn the module path.
    pub exposed_to: Vec<Exposure>,
    /// The setting that keeps the path away from public services, when it is exposed
    /// and looks private.
    pub keep_private: Option<String>,
    /// The rule of the privacy audit that decided whether the path looks private.
    pub privacy_rule: Option<&'static str>,
    /// The repository Go fetches from in direct mode.
    pub vcs: Option<VcsInfo>,
}

impl Documented for RouteBody {
    const FIELDS: &'static [(&'static str, &'static str)] = &[
        ("module", "the module path as given"),
        (
            "version",
            "the canonical version asked for (v1.2.3), or null",
        ),
        (
            "query",
            "a version query instead of a version (latest, v1.2, a branch or commit), or null",
        ),
        (
            "valid",
            "whether the path and version pass Go's checks (module.CheckPath, module.Check)",
        ),
        (
            "escaped",
            "the case-escaped module path used in URLs and the module cache (github.com/!azure/x), or null when invalid",
        ),
        ("escaped_version", "the escaped version, or null"),
        ("from", "for targets read from a go.mod file: {file, line}"),
        (
            "replaced_by",
            "the replacement from the main module's go.mod: {path, version, local}; a local directory has no network route",
        ),
        (
            "endpoints",
            "the entries Go tries, in order: {kind: \"proxy\"|\"direct\"|\"noproxy\"|\"off\", url, scheme, host, port, fallback: \"not_found\"|\"any_error\"|\"none\", requests}; fallback says when Go moves on to the next entry; requests are the first URLs Go asks for (for a git repository over https, the smart-HTTP info/refs URL git fetches first)",
        ),
        (
            "skipped",
            "GOPROXY entries Go passes over for this path without a request: {entry, reason} with Go's own reason (disabled by GOPRIVATE/GONOPROXY, path does not match GOPRIVATE/GONOPROXY)",
        ),
        (
            "sumdb",
            "the checksum database consulted: {name, url, key, scheme, host, port, known, proxied_via}; scheme, host and port are those of url (port 443 or 80 when url names none); proxied_via lists the <proxy>/sumdb/<name>/supported URLs Go asks first",
        ),
        (
            "sumdb_skipped",
            "why no checksum database is consulted (GOSUMDB=off, or the GONOSUMDB/GOPRIVATE glob), or null",
        ),
        (
            "private",
            "{noproxy, nosumdb, insecure}, each {matched, variable, source, glob}: which variable and glob decided",
        ),
        (
            "exposed_to",
            "third-party hosts that learn the module path: {host, role: \"proxy\"|\"sumdb\"|\"http_proxy\", when: \"always\"|\"on_fallback\"|\"unless_proxied\", public}; an http_proxy is an HTTP_PROXY that sees plain-http proxy requests whole",
        ),
        (
            "keep_private",
            "when the path looks private (privacy_rule) and reaches a public service: the GOPRIVATE value that keeps it private, or null",
        ),
        (
            "privacy_rule",
            "the rule of the privacy audit that decided whether the path looks private, from its host alone (the audit asks no one): public_code_host (github.com, gitlab.com, ...) and public_vanity_domain (golang.org, gopkg.in, k8s.io, ...) are public; private_address (a private IP address), internal_name (.internal, .corp, .lan, a corp label...), self_hosted_forge (git., gitlab., ... in front of a domain) and unknown_host (any other host) look private; the first three also give the path_exposed warning. Null for an invalid path or a local replacement",
        ),
        (
            "vcs",
            "for direct routes: {vcs, repo, root, via: \"known_host\"|\"go_get\", status, url, sub_dir, schemes, govcs: {allowed, scope, rule}}",
        ),
    ];
}

/// The `from` field.
#[derive(Clone, Debug, Serialize)]
pub struct FromInfo {
    /// The go.mod file.
    pub file: String,
    /// The line of the requirement.
    pub line: u64,
}

/// The `replaced_by` field.
#[derive(Clone, Debug, Serialize)]
pub struct Replacement {
    /// The replacement module path or directory.
    pub path: String,
    /// The replacement version (none for a directory).
    pub version: Option<String>,
    /// Whether it is a local directory.
    pub local: bool,
}

/// One entry of `endpoints`.
#[derive(Clone, Debug, Serialize)]
pub struct Endpoint {
    /// `proxy`, `direct`, `noproxy` or `off`.
    pub kind: &'static str,
    /// The proxy URL (redacted), the go-get discovery URL for direct entries, or null.
    pub url: Option<String>,
    /// The URL scheme.
    pub scheme: Option<String>,
    /// The host contacted.
    pub host: Option<String>,
    /// The port contacted.
    pub port: Option<u16>,
    /// When Go moves on to the next entry: `not_found` (404/410 only), `any_error`, `none`.
    pub fallback: &'static str,
    /// The first URLs Go requests from this entry for the target (redacted).
    pub requests: Vec<String>,
}

/// One entry of `skipped`.
#[derive(Clone, Debug, Serialize)]
pub struct Skipped {
    /// The GOPROXY entry (redacted).
    pub entry: String,
    /// Go's reason.
    pub reason: String,
}

/// The `sumdb` field.
#[derive(Clone, Debug, Serialize)]
pub struct SumdbInfo {
    /// The database name.
    pub name: String,
    /// The URL used when no proxy serves the database.
    pub url: String,
    /// The verifier key.
    pub key: String,
    /// The scheme of `url`.
    pub scheme: String,
    /// The host of `url`.
    pub host: String,
    /// The port of `url` (the scheme's default when it names none), so that the next
    /// tool in a pipe connects where the go command does.
    pub port: Option<u16>,
    /// Whether the key is built into Go.
    pub known: bool,
    /// The `<proxy>/sumdb/<name>/supported` URLs Go asks before `url`.
    pub proxied_via: Vec<String>,
}

/// The `private` field.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Private {
    /// GONOPROXY (or GOPRIVATE): fetched directly, never through a proxy.
    pub noproxy: Decision,
    /// GONOSUMDB (or GOPRIVATE): not checked against the checksum database.
    pub nosumdb: Decision,
    /// GOINSECURE: direct fetches may use http and skip certificate checks.
    pub insecure: Decision,
}

/// One decision in `private`.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Decision {
    /// Whether the path matched.
    pub matched: bool,
    /// The variable that decided (`GOPRIVATE` when GONOPROXY/GONOSUMDB inherit it).
    pub variable: &'static str,
    /// Where that variable's value came from.
    pub source: &'static str,
    /// The glob that matched.
    pub glob: Option<String>,
}

/// One entry of `exposed_to`.
#[derive(Clone, Debug, Serialize)]
pub struct Exposure {
    /// The host.
    pub host: String,
    /// `proxy`, `sumdb`, or `http_proxy` (an HTTP proxy that sees plain-http requests).
    pub role: &'static str,
    /// `always`, `on_fallback`, or `unless_proxied` (a database reached only when no
    /// proxy relays it).
    pub when: &'static str,
    /// Whether the host is a public Go service (proxy.golang.org, sum.golang.org, ...).
    pub public: bool,
}

/// The `vcs` field.
#[derive(Clone, Debug, Default, Serialize)]
pub struct VcsInfo {
    /// `git`, `hg`, `svn`, `fossil` or `mod`; null when not known.
    pub vcs: Option<String>,
    /// The repository URL (for `mod`, the module server's base URL).
    pub repo: Option<String>,
    /// The repository root path.
    pub root: Option<String>,
    /// `known_host` (Go's static table) or `go_get` (discovery page).
    pub via: &'static str,
    /// `resolved`, `not_probed` (offline, or only reached on fall-through), or `failed`.
    pub status: &'static str,
    /// The go-get discovery URL, for `go_get`.
    pub url: Option<String>,
    /// The subdirectory within the repository (4-field go-import tags).
    pub sub_dir: Option<String>,
    /// For `host/path.vcs` paths: the schemes Go tries, in order.
    pub schemes: Vec<String>,
    /// The GOVCS verdict.
    pub govcs: Option<Govcs>,
}

/// The GOVCS verdict.
#[derive(Clone, Debug, Serialize)]
pub struct Govcs {
    /// Whether the VCS may be used.
    pub allowed: bool,
    /// `public` or `private` (by GOPRIVATE against the repository root).
    pub scope: &'static str,
    /// The GOVCS rule that decided (`public:git|hg` is Go's default).
    pub rule: String,
}

impl RecordBody for RouteBody {
    const TYPE: &'static str = "route";
    /// `route M@V (not probed: ...): Go tries A, then on 404/410: B; checksum database
    /// D`: each GOPROXY separator is written as the rule it stands for, and a route
    /// that was only worked out from the configuration says so.
    fn text(&self) -> String {
        let target = match (&self.version, &self.query) {
            (Some(v), _) | (None, Some(v)) => format!("{}@{}", self.module, v),
            _ => self.module.clone(),
        };
        let mut line = format!("route {}", untrusted(&target, 300));
        if let Some(r) = &self.replaced_by {
            if r.local {
                line.push_str(&format!(
                    " => {} (a local directory: nothing is downloaded)",
                    untrusted(&r.path, 200)
                ));
                return line;
            }
            let version = r.version.as_deref().map(|v| format!("@{v}"));
            line.push_str(&format!(
                " => {}",
                untrusted(&format!("{}{}", r.path, version.unwrap_or_default()), 300)
            ));
        }
        if self.endpoints.is_empty() {
            return line;
        }
        line.push_str(if self.discovery_probed() {
            " (only the go-get page was fetched; no proxy was asked)"
        } else {
            " (not probed: worked out from the configuration)"
        });
        line.push_str(": Go tries ");
        let mut previous: Option<&Endpoint> = None;
        for endpoint in &self.endpoints {
            if let Some(previous) = previous {
                line.push_str(match previous.fallback {
                    "not_found" => ", then on 404/410: ",
                    "any_error" => ", then on any error: ",
                    _ => ", then: ",
                });
            }
            line.push_str(&self.endpoint_text(endpoint));
            previous = Some(endpoint);
        }
        let mut reasons: Vec<&str> = Vec::new();
        for skipped in &self.skipped {
            if !reasons.contains(&skipped.reason.as_str()) {
                reasons.push(&skipped.reason);
            }
        }
        for reason in reasons {
            let entries: Vec<&str> = self
                .skipped
                .iter()
                .filter(|s| s.reason == reason)
                .map(|s| s.entry.as_str())
                .collect();
            line.push_str(&format!(
                "; skips {} ({})",
                untrusted(&entries.join(", "), 300),
                untrusted(reason, 200)
            ));
        }
        match (&self.sumdb, &self.sumdb_skipped) {
            (Some(db), _) => {
                line.push_str(&format!("; checksum database {}", untrusted(&db.name, 200)))
            }
            (None, Some(why)) => {
                line.push_str(&format!("; no checksum database ({})", untrusted(why, 200)))
            }
            _ => {}
        }
        line
    }
}

impl RouteBody {
    /// Whether a go-get page was fetched for the direct entry: the only network request
    /// gomod-resolve makes.
    fn discovery_probed(&self) -> bool {
        self.vcs
            .as_ref()
            .is_some_and(|v| v.via == "go_get" && v.status != "not_probed")
    }

    /// One GOPROXY entry in words.
    fn endpoint_text(&self, endpoint: &Endpoint) -> String {
        match endpoint.kind {
            "proxy" => untrusted(endpoint.url.as_deref().unwrap_or("proxy"), 200),
            "off" => "off (module lookup disabled)".to_string(),
            kind => {
                let mut notes = Vec::new();
                if kind == "noproxy"
                    && let Some(decision) = self.private.as_ref().map(|p| &p.noproxy)
                    && let Some(glob) = &decision.glob
                {
                    notes.push(format!(
                        "{} matches {}",
                        decision.variable,
                        untrusted(glob, 200)
                    ));
                }
                match &self.vcs {
                    Some(VcsInfo {
                        vcs: Some(vcs),
                        repo: Some(repo),
                        ..
                    }) => notes.push(format!("{vcs} {}", untrusted(repo, 200))),
                    Some(VcsInfo {
                        url: Some(url),
                        status,
                        ..
                    }) => {
                        let outcome = match *status {
                            "not_probed" => "not fetched",
                            "failed" => "failed",
                            _ => "fetched",
                        };
                        notes.push(format!("go-get page {} {outcome}", untrusted(url, 200)));
                    }
                    _ => {}
                }
                if notes.is_empty() {
                    "direct".to_string()
                } else {
                    format!("direct ({})", notes.join("; "))
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn endpoint(kind: &'static str, url: &str, fallback: &'static str) -> Endpoint {
        Endpoint {
            kind,
            url: Some(url.to_string()),
            scheme: None,
            host: None,
            port: None,
            fallback,
            requests: Vec::new(),
        }
    }

    #[test]
    fn text_spells_out_the_fall_through_rules_and_that_nothing_was_probed() {
        let body = RouteBody {
            module: "golang.org/x/text".into(),
            query: Some("latest".into()),
            valid: true,
            endpoints: vec![
                endpoint("proxy", "https://a.example", "not_found"),
                endpoint("proxy", "https://b.example", "any_error"),
                endpoint("direct", "https://golang.org/x/text?go-get=1", "none"),
            ],
            vcs: Some(VcsInfo {
                via: "go_get",
                status: "not_probed",
                url: Some("https://golang.org/x/text?go-get=1".into()),
                ..VcsInfo::default()
            }),
            sumdb_skipped: Some("GOSUMDB=off".into()),
            ..RouteBody::default()
        };
        assert_eq!(
            body.text(),
            "route golang.org/x/text@latest (not probed: worked out from the configuration): \
             Go tries https://a.example, then on 404/410: https://b.example, \
             then on any error: direct (go-get page https://golang.org/x/text?go-get=1 not fetched); \
             no checksum database (GOSUMDB=off)"
        );
    }
}
