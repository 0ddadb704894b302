//! The `toolchain` record: which Go toolchain the go command runs for a go.mod or
//! go.work, and the toolchain module it downloads when it switches.

use serde::Serialize;

use super::route::RouteBody;
use super::{Documented, RecordBody, untrusted};

/// Body of the `toolchain` record.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ToolchainBody {
    /// The go.work or go.mod file whose lines decide, as go prints its name.
    pub file: Option<String>,
    /// Its `go` line.
    pub go_line: Option<String>,
    /// Its `toolchain` line.
    pub toolchain_line: Option<String>,
    /// The local go.
    pub local: Option<LocalInfo>,
    /// GOTOOLCHAIN and what it allows.
    pub gotoolchain: Option<GotoolchainInfo>,
    /// The toolchain the go command runs.
    pub selected: Option<String>,
    /// Why it runs that one.
    pub reason: Option<&'static str>,
    /// Whether it is another toolchain than the local one.
    pub switch: bool,
    /// The selected toolchain's binary in PATH, which go runs instead of downloading.
    pub found_in_path: Option<String>,
    /// `golang.org/toolchain` when go downloads the toolchain.
    pub module: Option<String>,
    /// The toolchain module's version, `v0.0.1-go1.28.1.linux-amd64`.
    pub version: Option<String>,
    /// How go fetches that module: the fields of a `route` record.
    pub route: Option<RouteBody>,
}

/// The `local` field.
#[derive(Clone, Debug, Serialize)]
pub struct LocalInfo {
    /// The local toolchain, `go1.27.3`.
    pub toolchain: String,
    /// `flag`, `goroot` or `go_env`.
    pub source: &'static str,
    /// Its GOROOT.
    pub goroot: Option<String>,
}

/// The `gotoolchain` field.
#[derive(Clone, Debug, Serialize)]
pub struct GotoolchainInfo {
    /// GOTOOLCHAIN's value.
    pub value: String,
    /// `env`, `goenv` or `default`.
    pub source: &'static str,
    /// The file it was read from (go env file or `$GOROOT/go.env`).
    pub file: Option<String>,
    /// `local`, `auto` or `path`.
    pub mode: &'static str,
    /// The default toolchain: the local one, or the name GOTOOLCHAIN gives.
    pub minimum: String,
}

impl Documented for ToolchainBody {
    const FIELDS: &'static [(&'static str, &'static str)] = &[
        (
            "file",
            "the go.work or go.mod whose go and toolchain lines decide, found as go finds it (GOWORK, else the nearest go.work, else the nearest go.mod), written as go prints it; null when there is none",
        ),
        ("go_line", "the file's go line (1.28.1), or null"),
        (
            "toolchain_line",
            "the file's toolchain line (go1.28.1, default), or null",
        ),
        (
            "local",
            "the go installed here: {toolchain: \"go1.27.3\", source: \"flag\"|\"goroot\"|\"go_env\", goroot}; flag is --go, goroot is $GOROOT/VERSION, go_env is `go env GOVERSION`; null when no go was found and --go was not given",
        ),
        (
            "gotoolchain",
            "{value, source: \"env\"|\"goenv\"|\"default\", file, mode: \"local\"|\"auto\"|\"path\", minimum}: GOTOOLCHAIN, where it was set, whether go may switch (auto: find in PATH or download; path: PATH only) and the default toolchain it names (the local one for local, auto and path)",
        ),
        (
            "selected",
            "the toolchain go runs (go1.28.1); null when the local go is unknown",
        ),
        (
            "reason",
            "why: \"local\" (nothing asks for more), \"gotoolchain\" (its minimum), \"toolchain_line\", \"go_line\" (a language version 1.21+ means its first release: go 1.28 selects go1.28.0), \"toolchain_default\" (the file forbids switching)",
        ),
        (
            "switch",
            "whether go runs another toolchain than the local one",
        ),
        (
            "found_in_path",
            "the selected toolchain's binary in PATH (go runs it and downloads nothing), or null",
        ),
        (
            "module",
            "golang.org/toolchain when go downloads the toolchain, else null: gomod-fetch and gomod-sumverify take the record",
        ),
        (
            "version",
            "the toolchain module version v0.0.1-goV.GOOS-GOARCH for this machine's platform, or null",
        ),
        (
            "route",
            "how go fetches the toolchain module: a route record's fields (endpoints, sumdb, ...); the checksum database is always consulted for it (GOSUMDB=off and GONOSUMDB do not exempt it; GONOPROXY/GOPRIVATE do route it direct) except when GOPROXY is one file:// URL; null when nothing is downloaded",
        ),
    ];
}

impl RecordBody for ToolchainBody {
    const TYPE: &'static str = "toolchain";
    /// `toolchain go.mod (go 1.28.1): go1.27.3 switches to go1.28.1 (go line,
    /// GOTOOLCHAIN=auto): downloads golang.org/toolchain@v0.0.1-go1.28.1.linux-amd64`.
    fn text(&self) -> String {
        let file = self.file.as_deref().unwrap_or("(no go.mod)");
        let mut lines = Vec::new();
        if let Some(go) = &self.go_line {
            lines.push(format!("go {go}"));
        }
        if let Some(t) = &self.toolchain_line {
            lines.push(format!("toolchain {t}"));
        }
        let mut line = format!("toolchain {}", untrusted(file, 200));
        if !lines.is_empty() {
            line.push_str(&format!(" ({})", untrusted(&lines.join(", "), 200)));
        }
        let local = self
            .local
            .as_ref()
            .map_or("an unknown go", |l| &l.toolchain);
        let selected = self.selected.as_deref().unwrap_or("?");
        let how = self
            .gotoolchain
            .as_ref()
            .map(|g| format!("GOTOOLCHAIN={}", untrusted(&g.value, 100)))
            .unwrap_or_default();
        let reason = self.reason.unwrap_or("local").replace('_', " ");
        if self.switch {
            line.push_str(&format!(
                ": {local} switches to {} ({reason}, {how})",
                untrusted(selected, 100)
            ));
        } else {
            line.push_str(&format!(": {local} runs itself ({reason}, {how})"));
        }
        if let Some(path) = &self.found_in_path {
            line.push_str(&format!(": found in PATH at {}", untrusted(path, 200)));
        } else if let (Some(m), Some(v)) = (&self.module, &self.version) {
            line.push_str(&format!(": downloads {}@{}", m, untrusted(v, 100)));
            if let Some(route) = &self.route {
                let route_text = route.text();
                if let Some(at) = route_text.find("Go tries ") {
                    line.push_str(&format!(": {}", &route_text[at..]));
                }
            }
        }
        line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_fields_are_the_serialized_ones() {
        let value = serde_json::to_value(ToolchainBody::default()).unwrap();
        let names: Vec<&str> = value
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let documented: Vec<&str> = ToolchainBody::FIELDS.iter().map(|(f, _)| *f).collect();
        let mut sorted = documented.clone();
        sorted.sort_unstable();
        let mut names = names;
        names.sort_unstable();
        assert_eq!(names, sorted);
    }
}
