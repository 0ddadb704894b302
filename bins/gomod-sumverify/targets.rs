//! What to check: module versions from arguments, lines and records, grouped so that
//! every module version is checked once with every source of its content.

use std::collections::HashMap;

use gomod_common::input::{ECHO_BYTES, InputItem, MAX_TARGET_BYTES, target_field, too_long};
use gomod_common::record::{Code, ErrorInfo, redact_url};
use gomod_common::{goquote, modpath};
use serde_json::{Map, Value};

/// Where a target came from (the record's `from`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum From {
    /// A module version to look up: an argument, a plain line, or a record of another
    /// kind naming `module` and `version`.
    Lookup,
    /// A `fetch` record of gomod-fetch.
    Fetch,
    /// A line of go.sum.
    Gosum,
    /// An entry of the module cache.
    Modcache,
}

impl From {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            From::Lookup => "lookup",
            From::Fetch => "fetch",
            From::Gosum => "gosum",
            From::Modcache => "modcache",
        }
    }
}

/// What kind of place served content.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SourceKind {
    /// A module proxy over the network.
    Proxy,
    /// The origin: the version control repository (`direct`).
    Direct,
    /// A copy on this machine: the module cache, or a `file://` proxy.
    Local,
}

/// One place that served the module version, and the hashes of what it served.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Source {
    /// The endpoint (redacted URL), `direct`, or `modcache`.
    pub name: String,
    /// What kind of place it is.
    pub kind: SourceKind,
    /// The zip hash, when it served a zip.
    pub zip: Option<String>,
    /// The go.mod hash, when it served a go.mod.
    pub r#mod: Option<String>,
    /// The zip's size.
    pub zip_bytes: Option<u64>,
    /// For the module cache: the `.ziphash` file's hash.
    pub ziphash: Option<String>,
    /// For the module cache: the zip file, to name in messages.
    pub zip_path: Option<String>,
    /// For the module cache: the extracted directory and its hash.
    pub dir: Option<(String, String)>,
    /// The error that kept it from serving (a fetch error code, or a hashing error).
    pub error: Option<String>,
    /// For the module cache: what `go mod verify` reports for it.
    pub verify: Vec<crate::modcache::VerifyFailure>,
}

impl Source {
    /// A source named as gomod-fetch names endpoints: `direct`, a `file://` URL, or a
    /// proxy URL.
    pub fn named(name: &str) -> Source {
        let kind = if name == "direct" {
            SourceKind::Direct
        } else if name.starts_with("file://") {
            SourceKind::Local
        } else {
            SourceKind::Proxy
        };
        Source {
            name: redact_url(name),
            kind,
            zip: None,
            r#mod: None,
            zip_bytes: None,
            ziphash: None,
            zip_path: None,
            dir: None,
            verify: Vec::new(),
            error: None,
        }
    }

    /// The hash of one kind of file.
    pub fn hash(&self, kind: crate::check::FileKind) -> Option<&str> {
        match kind {
            crate::check::FileKind::Zip => self.zip.as_deref(),
            crate::check::FileKind::Mod => self.r#mod.as_deref(),
        }
    }
}

/// One module version to check.
#[derive(Clone, Debug)]
pub struct Target {
    /// The module path.
    pub module: String,
    /// The version.
    pub version: String,
    /// Where it first came from.
    pub from: From,
    /// The sources of its content, in input order.
    pub sources: Vec<Source>,
    /// Why it cannot be checked (bad path or version).
    pub invalid: Option<ErrorInfo>,
}

/// The targets in input order, each module version once, and the input items that
/// stand for them.
#[derive(Debug, Default)]
pub struct Plan {
    /// Items for the runner: a `Target` whose text is a key of `targets`, or an
    /// unusable line.
    pub items: Vec<InputItem>,
    /// The targets by key.
    pub targets: HashMap<String, Target>,
}

impl Plan {
    /// Adds a module version (once: later mentions add their sources to the first).
    pub fn add(&mut self, module: &str, version: &str, from: From, source: Option<Source>) {
        if module.len() + version.len() >= MAX_TARGET_BYTES {
            // Too long to be probed or echoed whole (a go.sum line, a module cache
            // directory): one input error that shows its start.
            let place = match from {
                From::Gosum => "go.sum",
                From::Modcache => "module cache",
                From::Lookup | From::Fetch => "input",
            };
            let key = format!("{module}@{version}");
            self.items.push(InputItem::Invalid {
                origin: gomod_common::input::Origin::File(place.into()),
                line: 0,
                text: key.chars().take(ECHO_BYTES + 1).collect(),
                reason: too_long("the module version", key.len()),
            });
            return;
        }
        let key = format!("{module}@{version}");
        if let Some(target) = self.targets.get_mut(&key) {
            target.sources.extend(source);
            return;
        }
        let invalid = validate(module, version);
        self.targets.insert(
            key.clone(),
            Target {
                module: module.to_string(),
                version: version.to_string(),
                from,
                sources: source.into_iter().collect(),
                invalid,
            },
        );
        self.items.push(InputItem::Target {
            origin: gomod_common::input::Origin::Arg,
            line: self.items.len() as u64 + 1,
            text: key,
        });
    }

    /// Adds one input item: a `path@version` line, a `fetch` record, or another record
    /// naming a module version. Records that name none are ignored; lines that are not
    /// `path@version` become input errors.
    pub fn add_item(&mut self, item: InputItem) {
        match item {
            InputItem::Target { origin, line, text } => match text.rsplit_once('@') {
                Some((module, version)) if !module.is_empty() && !version.is_empty() => {
                    self.add(module, version, From::Lookup, None);
                }
                _ => self.items.push(InputItem::Invalid {
                    origin,
                    line,
                    text,
                    reason: "not a module version: give path@version (gomod-sumverify looks up exact versions)".to_string(),
                }),
            },
            InputItem::Record { ref value, .. } => {
                if let Err(reason) = self.add_record(value)
                    && let Some(record) = gomod_common::app::unusable_item_record(&item, &reason)
                {
                    self.items.push(InputItem::Ready(Box::new(record)));
                }
            }
            other => self.items.push(other),
        }
    }

    /// Adds the module version a record names; an error for a record whose fields are
    /// longer than the tools take.
    fn add_record(&mut self, value: &Map<String, Value>) -> Result<(), String> {
        let text = |key: &str| value.get(key).and_then(Value::as_str);
        for key in ["module", "version", "source", "zip_h1", "mod_h1"] {
            target_field(value, key)?;
        }
        let (Some(module), Some(version)) = (text("module"), text("version")) else {
            return Ok(());
        };
        if text("type") != Some("fetch") {
            self.add(module, version, From::Lookup, None);
            return Ok(());
        }
        let name = text("source")
            .or_else(|| {
                value
                    .get("attempts")
                    .and_then(Value::as_array)
                    .and_then(|a| a.first())
                    .and_then(|a| a.get("endpoint"))
                    .and_then(Value::as_str)
            })
            .unwrap_or("unknown");
        if name.len() > MAX_TARGET_BYTES {
            return Err(too_long("field attempts[].endpoint", name.len()));
        }
        let mut source = Source::named(name);
        source.zip = text("zip_h1").map(str::to_string);
        source.r#mod = text("mod_h1").map(str::to_string);
        source.zip_bytes = value.get("zip_bytes").and_then(Value::as_u64);
        if value.get("ok").and_then(Value::as_bool) == Some(false) {
            source.error = Some(
                value
                    .get("error")
                    .and_then(|e| e.get("code"))
                    .and_then(Value::as_str)
                    .unwrap_or("fetch_failed")
                    .to_string(),
            );
        }
        self.add(module, version, From::Fetch, Some(source));
        Ok(())
    }
}

/// Go's checks of a module version that can be looked up: a valid path, a canonical
/// version that fits the path's major version.
fn validate(module: &str, version: &str) -> Option<ErrorInfo> {
    if let Err(err) = modpath::check_path(module) {
        return Some(
            ErrorInfo::new(
                Code::ModulePathInvalid,
                format!("{} is not a valid module path", goquote::quote(module)),
            )
            .detail(err.to_string())
            .go_error(format!("go: {module}@{version}: {err}"))
            .hint("give a module path as it appears in go.mod"),
        );
    }
    if modpath::canonical_version(version) != version {
        return Some(
            ErrorInfo::new(
                Code::VersionInvalid,
                format!("{} is not a canonical version", goquote::quote(version)),
            )
            .hint(
                "give an exact version such as v1.2.3 (resolve a query such as @latest with gomod-fetch first)",
            ),
        );
    }
    if let Err(err) = modpath::check(module, version) {
        return Some(
            ErrorInfo::new(
                Code::VersionInvalid,
                format!("{version} cannot be a version of {module}"),
            )
            .detail(err.to_string())
            .go_error(format!("go: {err}"))
            .hint("use the major version the module path implies"),
        );
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use gomod_common::input::{Origin, parse_line};

    fn plan(lines: &[&str]) -> Plan {
        let mut plan = Plan::default();
        for (i, line) in lines.iter().enumerate() {
            if let Some(item) = parse_line(&Origin::Stdin, i as u64 + 1, line.as_bytes()) {
                plan.add_item(item);
            }
        }
        plan
    }

    fn keys(plan: &Plan) -> Vec<String> {
        plan.items
            .iter()
            .map(|item| match item {
                InputItem::Target { text, .. } => text.clone(),
                InputItem::Invalid { text, .. } => format!("invalid {text}"),
                other => format!("{other:?}"),
            })
            .collect()
    }

    #[test]
    fn fetch_records_of_one_version_are_one_target() {
        let p = plan(&[
            r#"{"type":"fetch","module":"example.com/m","version":"v1.0.0","source":"https://proxy.example","zip_h1":"h1:a","mod_h1":"h1:b","zip_bytes":7,"ok":true}"#,
            "example.com/other@v0.1.0",
            r#"{"type":"fetch","module":"example.com/m","version":"v1.0.0","source":"direct","zip_h1":"h1:c","mod_h1":null,"ok":false,"error":{"code":"vcs_meta_not_found"}}"#,
            r#"{"type":"fetch","module":"example.com/m","version":null,"query":"latest","ok":false}"#,
            r#"{"type":"dns","host":"proxy.golang.org"}"#,
            r#"{"type":"route","module":"example.com/r","version":"v2.0.0+incompatible"}"#,
            "example.com/other@v0.1.0",
            "not-a-target",
        ]);
        assert_eq!(
            keys(&p),
            [
                "example.com/m@v1.0.0",
                "example.com/other@v0.1.0",
                "example.com/r@v2.0.0+incompatible",
                "invalid not-a-target"
            ]
        );
        let m = &p.targets["example.com/m@v1.0.0"];
        assert_eq!(m.from, From::Fetch);
        assert_eq!(m.sources.len(), 2);
        assert_eq!(m.sources[0].kind, SourceKind::Proxy);
        assert_eq!(m.sources[0].zip_bytes, Some(7));
        assert_eq!(m.sources[1].kind, SourceKind::Direct);
        assert_eq!(m.sources[1].error.as_deref(), Some("vcs_meta_not_found"));
        assert_eq!(
            p.targets["example.com/r@v2.0.0+incompatible"].from,
            From::Lookup
        );
        assert!(p.targets.values().all(|t| t.invalid.is_none()));
    }

    #[test]
    fn sources_are_classified_and_redacted() {
        assert_eq!(Source::named("file:///tmp/p").kind, SourceKind::Local);
        let s = Source::named("https://u:secret@proxy.example");
        assert_eq!(s.name, "https://u:***@proxy.example");
    }

    #[test]
    fn versions_must_be_exact() {
        let p = plan(&[
            "example.com/m@latest",
            "example.com/m@v1.2",
            "example.com/m/v2@v1.0.0",
            "Example..com@v1.0.0",
        ]);
        let code = |k: &str| p.targets[k].invalid.as_ref().map(|e| e.code);
        assert_eq!(code("example.com/m@latest"), Some(Code::VersionInvalid));
        assert_eq!(code("example.com/m@v1.2"), Some(Code::VersionInvalid));
        assert_eq!(code("example.com/m/v2@v1.0.0"), Some(Code::VersionInvalid));
        assert_eq!(code("Example..com@v1.0.0"), Some(Code::ModulePathInvalid));
    }
}
