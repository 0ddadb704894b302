//! The `sum` record: one module version's hashes from go.sum, from its content and from
//! the checksum database, compared as the go command compares them.

use serde::Serialize;

use super::{Documented, RecordBody, untrusted};

/// Body of the `sum` record.
#[derive(Clone, Debug, Default, Serialize)]
pub struct SumBody {
    /// The module path.
    pub module: String,
    /// The module version.
    pub version: String,
    /// Where the target came from: `lookup`, `fetch`, `gosum` or `modcache`.
    pub from: &'static str,
    /// What go.sum records, or null when no go.sum is in use.
    pub gosum: Option<GosumHashes>,
    /// The hashes of the content, as the go command would download it (the first
    /// source that has them), or null when nothing was hashed.
    pub computed: Option<ComputedHashes>,
    /// What the checksum database holds, or null when it was not consulted.
    pub sumdb: Option<SumdbHashes>,
    /// Why the checksum database was not consulted (`GOSUMDB=off`,
    /// `GONOSUMDB matches "corp.example.com"`), or null.
    pub sumdb_skipped: Option<String>,
    /// The conclusion: see [`Verdict`].
    pub verdict: Verdict,
    /// Why hashes disagree (or the database lacks the module): see [`Cause`].
    pub cause: Option<Cause>,
    /// Every source of content, in input order, each judged on its own.
    pub sources: Vec<SourceCheck>,
    /// The two inconsistent tree heads, when the database showed a fork.
    pub fork: Option<ForkHeads>,
}

/// The conclusion of a `sum` record.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The checksum database vouched for the hashes (authenticated record, proofs
    /// checked) and nothing disagrees.
    Verified,
    /// The database was not consulted, and go.sum agrees with the content: what the
    /// go command accepts.
    Consistent,
    /// Nothing could be compared: no database, and go.sum or the content is missing.
    #[default]
    Unverified,
    /// go.sum lacks a line the content needs and nothing else vouches for it.
    Missing,
    /// Two hashes disagree.
    Mismatch,
    /// The database does not know the module version.
    NotFound,
    /// The check could not be made (bad input, database unreachable, bad signature or
    /// proof, fork).
    Failed,
}

impl Verdict {
    /// What a verdict whose word alone may puzzle means, for the text form.
    pub fn meaning(self) -> Option<&'static str> {
        match self {
            Verdict::Consistent => Some("go.sum matches the content; no database vouched"),
            Verdict::Unverified => Some("nothing to compare with"),
            Verdict::Missing => Some("go.sum has no line for it"),
            Verdict::NotFound => Some("the checksum database does not know this version"),
            Verdict::Verified | Verdict::Mismatch | Verdict::Failed => None,
        }
    }

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Verified => "verified",
            Verdict::Consistent => "consistent",
            Verdict::Unverified => "unverified",
            Verdict::Missing => "missing",
            Verdict::Mismatch => "mismatch",
            Verdict::NotFound => "not_found",
            Verdict::Failed => "failed",
        }
    }
}

/// Why hashes disagree, judged from which sources agree with which.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Cause {
    /// The origin (a `direct` fetch, or a proxy serving the same bits as the origin)
    /// differs from what was recorded: the version was re-tagged or force-pushed.
    RetaggedUpstream,
    /// A proxy serves content that neither the reference nor the origin has.
    ProxyContentDiffers,
    /// A local copy (module cache, `file://` proxy) differs from the reference.
    LocalCorruption,
    /// The database does not know a module version that exists: a private module.
    PrivateNotInSumdb,
    /// The database is reached through a GOPROXY entry (it answered
    /// `/sumdb/<name>/supported`), and that proxy's relay failed the lookup: the proxy
    /// is the suspect, not the module.
    SumdbProxyFailed,
    /// go.sum is the odd one out: the content and the database agree with each other.
    GosumWrong,
}

impl Cause {
    /// What the cause means, in words for the text form.
    pub fn meaning(self) -> &'static str {
        match self {
            Cause::RetaggedUpstream => "the origin now serves other content for this version",
            Cause::ProxyContentDiffers => "a proxy serves content no other source has",
            Cause::LocalCorruption => "a local copy was changed",
            Cause::PrivateNotInSumdb => "a private module the public database cannot know",
            Cause::SumdbProxyFailed => "the proxy that relays the checksum database failed",
            Cause::GosumWrong => "go.sum is the odd one out",
        }
    }

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Cause::RetaggedUpstream => "retagged_upstream",
            Cause::ProxyContentDiffers => "proxy_content_differs",
            Cause::LocalCorruption => "local_corruption",
            Cause::PrivateNotInSumdb => "private_not_in_sumdb",
            Cause::SumdbProxyFailed => "sumdb_proxy_failed",
            Cause::GosumWrong => "gosum_wrong",
        }
    }
}

/// The `gosum` field.
#[derive(Clone, Debug, Default, Serialize)]
pub struct GosumHashes {
    /// The zip hash the go command compares with (the first `h1:` line), or null.
    pub zip: Option<String>,
    /// The go.mod hash the go command compares with, or null.
    pub r#mod: Option<String>,
    /// Where the zip line is (`go.sum:12`).
    pub zip_at: Option<String>,
    /// Where the go.mod line is.
    pub mod_at: Option<String>,
}

/// The `computed` field.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ComputedHashes {
    /// The `h1:` hash of the module zip, or null.
    pub zip: Option<String>,
    /// The `h1:` hash of the go.mod file, or null.
    pub r#mod: Option<String>,
    /// The source they came from (an endpoint URL, `direct`, or `modcache`).
    pub source: String,
}

/// The `sumdb` field.
#[derive(Clone, Debug, Default, Serialize)]
pub struct SumdbHashes {
    /// The database name (`sum.golang.org`).
    pub name: String,
    /// The base URL the requests went to (redacted), once known.
    pub url: Option<String>,
    /// How that URL was chosen: `gosumdb` (named in GOSUMDB), `proxy` (a GOPROXY entry
    /// answered `/sumdb/<name>/supported`) or `direct`.
    pub via: Option<&'static str>,
    /// The zip hash in the database's record, or null.
    pub zip: Option<String>,
    /// The go.mod hash in the database's record, or null.
    pub r#mod: Option<String>,
    /// The record's number in the log.
    pub record_id: Option<i64>,
    /// The size of the verified tree the record was proven against.
    pub tree_size: Option<i64>,
    /// Whether the record was authenticated: signed tree head, consistent with the
    /// stored one, and the record proven to be in it.
    pub verified: bool,
    /// Whether the answer came from the state directory rather than the server.
    pub cached: bool,
}

/// One entry of `sources`.
#[derive(Clone, Debug, Default, Serialize)]
pub struct SourceCheck {
    /// The endpoint that served the content (URL, redacted), `direct`, or `modcache`.
    pub source: String,
    /// The zip hash computed from what it served, or null.
    pub zip: Option<String>,
    /// The go.mod hash computed from what it served, or null.
    pub r#mod: Option<String>,
    /// The size of the zip in bytes, when known.
    pub zip_bytes: Option<u64>,
    /// For the module cache: the `.ziphash` file Go wrote when it downloaded the zip.
    pub ziphash: Option<String>,
    /// The fetch's error code, when the source failed to serve the module.
    pub error: Option<String>,
    /// `agrees`, `differs` (from the database, or from go.sum when the database did
    /// not answer), `unknown` (nothing to compare with), or `failed`.
    pub verdict: &'static str,
    /// Why this source differs, when it does.
    pub cause: Option<Cause>,
}

/// The `fork` field.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ForkHeads {
    /// The go command's "old database": the head with fewer records (of two heads of
    /// one size, the one shown last). It may be the head seen before or the one just
    /// shown.
    pub old: TreeHeadInfo,
    /// The go command's "new database": the head with more records (of two heads of
    /// one size, the one known first).
    pub new: TreeHeadInfo,
}

/// One signed tree head.
#[derive(Clone, Debug, Default, Serialize)]
pub struct TreeHeadInfo {
    /// The number of records.
    pub size: i64,
    /// The tree hash, base64.
    pub hash: String,
    /// The whole signed note.
    pub note: String,
}

impl Documented for SumBody {
    const FIELDS: &'static [(&'static str, &'static str)] = &[
        ("module", "the module path"),
        ("version", "the module version"),
        (
            "from",
            "where the target came from: lookup (a path@version argument or line, or a record of another tool naming module and version), fetch (gomod-fetch records, with the hashes of what each endpoint served), gosum (a go.sum line) or modcache (a module cache entry, re-hashed)",
        ),
        (
            "gosum",
            "what go.sum records: {zip, mod, zip_at, mod_at}, each hash the one the go command compares with (the first h1: line, in file order) and where it is (file:line); null when no go.sum is in use",
        ),
        (
            "computed",
            "the hashes of the content as the go command would download it: {zip, mod, source} from the first source that has them; null when nothing was hashed",
        ),
        (
            "sumdb",
            "what the checksum database holds: {name, url, via: \"gosumdb\"|\"proxy\"|\"direct\", zip, mod, record_id, tree_size, verified, cached}; verified is true only for a record proven to be in a signed tree consistent with every tree seen before; null when the database was not consulted",
        ),
        (
            "sumdb_skipped",
            "why the database was not consulted (GOSUMDB=off, or the GONOSUMDB/GOPRIVATE glob that matched), or null",
        ),
        (
            "verdict",
            "verified (the database vouched and nothing disagrees), consistent (no database; go.sum agrees with the content), unverified (nothing to compare), missing (go.sum lacks a line and nothing else vouches), mismatch, not_found (the database does not know the version) or failed (the check could not be made)",
        ),
        (
            "cause",
            "why hashes disagree: retagged_upstream, proxy_content_differs, local_corruption, private_not_in_sumdb, sumdb_proxy_failed or gosum_wrong (see gomod-sumverify(1)); null when nothing disagrees",
        ),
        (
            "sources",
            "every source of content in input order (one per fetch record, or the module cache): {source, zip, mod, zip_bytes, ziphash, error, verdict: \"agrees\"|\"differs\"|\"unknown\"|\"failed\", cause}",
        ),
        (
            "fork",
            "for sumdb_fork: {old, new}, each {size, hash, note}: the two tree heads that are not consistent, in the order of the go command's SECURITY ERROR report (old database, new database): old is the head with fewer records, new the one with more (of two heads of the same size, old is the one shown last). Either may be the one seen before (kept in the state directory or the go command's latest file); null otherwise",
        ),
    ];
}

impl RecordBody for SumBody {
    const TYPE: &'static str = "sum";
    /// `sum M@V VERDICT (CAUSE: what it means); checksum database NAME: proven in its
    /// signed tree of N records; SOURCE differs`.
    fn text(&self) -> String {
        let mut line = format!(
            "sum {}@{} {}",
            untrusted(&self.module, 300),
            untrusted(&self.version, 100),
            self.verdict.as_str()
        );
        match (self.cause, self.verdict.meaning()) {
            (Some(cause), _) => {
                line.push_str(&format!(" ({}: {})", cause.as_str(), cause.meaning()))
            }
            (None, Some(meaning)) => line.push_str(&format!(" ({meaning})")),
            (None, None) => {}
        }
        if let Some(db) = &self.sumdb {
            line.push_str(&format!("; checksum database {}", untrusted(&db.name, 200)));
            match (db.verified, db.tree_size) {
                (true, Some(size)) => {
                    line.push_str(&format!(": proven in its signed tree of {size} records"))
                }
                (true, None) => line.push_str(": proven"),
                (false, _) => line.push_str(": not verified"),
            }
            if db.cached {
                line.push_str(" (answer kept from an earlier run)");
            }
        }
        if let Some(skipped) = &self.sumdb_skipped {
            line.push_str(&format!(
                "; no checksum database: {}",
                untrusted(skipped, 200)
            ));
        }
        for source in self.sources.iter().filter(|s| s.verdict == "differs") {
            line.push_str(&format!("; {} differs", untrusted(&source.source, 200)));
        }
        line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(value: &serde_json::Value) -> Vec<String> {
        value.as_object().unwrap().keys().cloned().collect()
    }

    #[test]
    fn documented_fields_are_the_serialized_ones() {
        let body = serde_json::to_value(SumBody::default()).unwrap();
        let documented: Vec<String> = SumBody::FIELDS.iter().map(|(f, _)| f.to_string()).collect();
        assert_eq!(keys(&body), documented);
        let source = serde_json::to_value(SourceCheck::default()).unwrap();
        assert_eq!(
            keys(&source),
            [
                "source",
                "zip",
                "mod",
                "zip_bytes",
                "ziphash",
                "error",
                "verdict",
                "cause"
            ]
        );
        let db = serde_json::to_value(SumdbHashes::default()).unwrap();
        assert_eq!(
            keys(&db),
            [
                "name",
                "url",
                "via",
                "zip",
                "mod",
                "record_id",
                "tree_size",
                "verified",
                "cached"
            ]
        );
    }

    #[test]
    fn text_names_the_verdict_and_the_odd_source() {
        let body = SumBody {
            module: "example.com/m".into(),
            version: "v1.0.0".into(),
            verdict: Verdict::Mismatch,
            cause: Some(Cause::ProxyContentDiffers),
            sources: vec![SourceCheck {
                source: "https://proxy.corp.example".into(),
                verdict: "differs",
                ..SourceCheck::default()
            }],
            ..SumBody::default()
        };
        assert_eq!(
            body.text(),
            "sum example.com/m@v1.0.0 mismatch (proxy_content_differs: a proxy serves content no other source has); https://proxy.corp.example differs"
        );
        assert_eq!(
            serde_json::to_value(&body).unwrap()["cause"],
            "proxy_content_differs"
        );
    }
}
