//! What to check: module versions from arguments, lines and records, grouped so that
//! every module version is checked once with every source of its content.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

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

/// The targets, made as the input arrives: each module version is handed to the
/// runner as soon as it is known, except fetch records, which are held while the
/// records that follow name the same module version (gomod-fetch --every-endpoint
/// writes one record per endpoint, one after the other) so that every source of the
/// content is compared in one check.
#[derive(Debug, Default)]
pub struct Plan {
    /// Items ready for the runner, in input order: a `Target` whose line is a key of
    /// `targets`, or an unusable line. The caller takes them as they come.
    pub items: Vec<InputItem>,
    /// The targets handed out, by the line of their item; the probe takes its own.
    pub targets: Arc<Mutex<HashMap<u64, Target>>>,
    /// The fetch records of one module version still being gathered.
    pending: Option<Target>,
    /// The module versions handed out, so that a repeated lookup is checked once.
    seen: HashSet<String>,
    /// How many targets were handed out: the line of the next one is one more.
    handed: u64,
}

impl Plan {
    /// Adds a module version. A fetch record (one that brings a `source`) joins the
    /// group being gathered when it names the same module version; anything else ends
    /// that group first. A lookup of a module version already handed out adds nothing;
    /// fetch records of one that reappear later, after other items, are checked on
    /// their own.
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
            self.push(InputItem::Invalid {
                origin: gomod_common::input::Origin::File(place.into()),
                line: 0,
                text: key.chars().take(ECHO_BYTES + 1).collect(),
                reason: too_long("the module version", key.len()),
            });
            return;
        }
        if let Some(pending) = &mut self.pending
            && pending.module == module
            && pending.version == version
        {
            pending.sources.extend(source);
            return;
        }
        self.finish();
        if source.is_none() && self.seen.contains(&format!("{module}@{version}")) {
            return;
        }
        let target = Target {
            module: module.to_string(),
            version: version.to_string(),
            from,
            invalid: validate(module, version),
            sources: source.into_iter().collect(),
        };
        if target.sources.is_empty() {
            self.hand_out(target);
        } else {
            self.pending = Some(target);
        }
    }

    /// Ends the group being gathered: at the end of the input, or when another item
    /// comes.
    pub fn finish(&mut self) {
        if let Some(target) = self.pending.take() {
            self.hand_out(target);
        }
    }

    /// Makes a target's item for the runner.
    fn hand_out(&mut self, target: Target) {
        let key = format!("{}@{}", target.module, target.version);
        self.handed += 1;
        let line = self.handed;
        self.seen.insert(key.clone());
        self.targets
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(line, target);
        self.items.push(InputItem::Target {
            origin: gomod_common::input::Origin::Arg,
            line,
            text: key,
        });
    }

    /// Adds an item that is not a target, after the group being gathered.
    fn push(&mut self, item: InputItem) {
        self.finish();
        self.items.push(item);
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
                _ => self.push(InputItem::Invalid {
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
                    self.push(InputItem::Ready(Box::new(record)));
                }
            }
            other => self.push(other),
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

    fn feed(plan: &mut Plan, line: &str) {
        if let Some(item) = parse_line(&Origin::Stdin, 1, line.as_bytes()) {
            plan.add_item(item);
        }
    }

    fn plan(lines: &[&str]) -> Plan {
        let mut plan = Plan::default();
        for line in lines {
            feed(&mut plan, line);
        }
        plan.finish();
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

    /// The targets handed out, in input order.
    fn targets(plan: &Plan) -> Vec<Target> {
        let map = plan.targets.lock().unwrap();
        plan.items
            .iter()
            .filter_map(|item| match item {
                InputItem::Target { line, .. } => Some(map[line].clone()),
                _ => None,
            })
            .collect()
    }

    const PROXY_M: &str = r#"{"type":"fetch","module":"example.com/m","version":"v1.0.0","source":"https://proxy.example","zip_h1":"h1:a","mod_h1":"h1:b","zip_bytes":7,"ok":true}"#;
    const DIRECT_M: &str = r#"{"type":"fetch","module":"example.com/m","version":"v1.0.0","source":"direct","zip_h1":"h1:c","mod_h1":null,"ok":false,"error":{"code":"vcs_meta_not_found"}}"#;

    #[test]
    fn fetch_records_of_one_version_in_a_row_are_one_target() {
        let p = plan(&[
            PROXY_M,
            r#"{"type":"dns","host":"proxy.golang.org"}"#,
            DIRECT_M,
            r#"{"type":"fetch","module":"example.com/m","version":null,"query":"latest","ok":false}"#,
            "example.com/other@v0.1.0",
            r#"{"type":"route","module":"example.com/r","version":"v2.0.0+incompatible"}"#,
            "example.com/other@v0.1.0",
            "not-a-target",
            // Again after other items: checked on its own.
            DIRECT_M,
        ]);
        assert_eq!(
            keys(&p),
            [
                "example.com/m@v1.0.0",
                "example.com/other@v0.1.0",
                "example.com/r@v2.0.0+incompatible",
                "invalid not-a-target",
                "example.com/m@v1.0.0",
            ]
        );
        let t = targets(&p);
        let m = &t[0];
        assert_eq!(m.from, From::Fetch);
        assert_eq!(m.sources.len(), 2);
        assert_eq!(m.sources[0].kind, SourceKind::Proxy);
        assert_eq!(m.sources[0].zip_bytes, Some(7));
        assert_eq!(m.sources[1].kind, SourceKind::Direct);
        assert_eq!(m.sources[1].error.as_deref(), Some("vcs_meta_not_found"));
        assert_eq!(t[2].from, From::Lookup);
        assert_eq!(t[3].sources.len(), 1);
        assert_eq!(t[3].sources[0].kind, SourceKind::Direct);
        assert!(t.iter().all(|t| t.invalid.is_none()));
    }

    #[test]
    fn targets_are_handed_out_as_they_arrive() {
        let mut p = Plan::default();
        feed(&mut p, "example.com/a@v1.0.0");
        assert_eq!(keys(&p), ["example.com/a@v1.0.0"]);
        // A fetch record waits for the records of other endpoints that may follow.
        feed(&mut p, PROXY_M);
        assert_eq!(keys(&p).len(), 1);
        feed(&mut p, DIRECT_M);
        assert_eq!(keys(&p).len(), 1);
        // Another module version ends the group; so does the end of the input.
        feed(
            &mut p,
            r#"{"type":"fetch","module":"example.com/b","version":"v1.0.0","source":"direct","zip_h1":"h1:c","ok":true}"#,
        );
        assert_eq!(keys(&p), ["example.com/a@v1.0.0", "example.com/m@v1.0.0"]);
        assert_eq!(targets(&p)[1].sources.len(), 2);
        p.finish();
        assert_eq!(
            keys(&p),
            [
                "example.com/a@v1.0.0",
                "example.com/m@v1.0.0",
                "example.com/b@v1.0.0"
            ]
        );
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
        let codes: Vec<_> = targets(&p)
            .iter()
            .map(|t| t.invalid.as_ref().map(|e| e.code))
            .collect();
        assert_eq!(
            codes,
            [
                Some(Code::VersionInvalid),
                Some(Code::VersionInvalid),
                Some(Code::VersionInvalid),
                Some(Code::ModulePathInvalid)
            ]
        );
    }
}
