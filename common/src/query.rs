//! Version queries as the go command answers them (`modload.newQueryMatcher`,
//! `filterVersions` and the choice in `queryProxy`): which ones are asked as `.info`
//! directly, and which are answered from `@v/list` (and `@latest`), passing over the
//! versions go's `CheckAllowed` refuses: those the latest version's go.mod retracts and
//! those the main modules exclude.

use std::cmp::Ordering;

use crate::{modpath, semver};

/// How a query is answered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Plan {
    /// Ask the server for this exact revision (`.info`): a full version, branch,
    /// tag or commit.
    Stat(String),
    /// Pick from `@v/list` with a matcher.
    List(Matcher),
}

/// Go's `queryMatcher`, without `current` (there is no main module here).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Matcher {
    /// The query as given.
    pub query: String,
    /// The `@v/list` prefix filter.
    pub prefix: String,
    filter: Filter,
    /// Prefer the lowest matching version (`>=`, `>`).
    pub prefer_lower: bool,
    /// Ask `@latest` when nothing in the list matches.
    pub may_use_latest: bool,
    /// Closed intervals `[low, high]` of versions the query passes over (go's
    /// `CheckAllowed`: retracted by the module's author).
    disallowed: Vec<(String, String)>,
    /// Versions the main modules' go.mod files exclude (go's `CheckExclusions`, which
    /// compares the strings).
    excluded: Vec<String>,
}

/// The best versions seen so far by [`Matcher::consider`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Choice {
    release: Option<String>,
    prerelease: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Filter {
    None,
    Compare(String, Vec<Ordering>),
}

/// Parses a query; errors are Go's texts.
pub fn plan(query: &str, path: &str) -> Result<Plan, String> {
    let q = crate::goquote::quote;
    let bad = |v: &str| {
        Err(format!(
            "invalid semantic version {} in range {}",
            q(v),
            q(query)
        ))
    };
    let ambiguous = |v: &str| {
        Err(format!(
            "ambiguous semantic version {} in range {}",
            q(v),
            q(query)
        ))
    };
    let mut m = Matcher {
        query: query.to_string(),
        prefix: String::new(),
        filter: Filter::None,
        prefer_lower: false,
        may_use_latest: false,
        disallowed: Vec::new(),
        excluded: Vec::new(),
    };
    let cmp = |v: &str, ords: &[Ordering]| Filter::Compare(v.to_string(), ords.to_vec());
    use Ordering::{Equal, Greater, Less};
    if query == "latest" || query == "upgrade" {
        m.may_use_latest = true;
    } else if query == "patch" {
        return Err(format!(
            "can't query version \"patch\" of module {path}: no existing version is required"
        ));
    } else if let Some(v) = query.strip_prefix("<=") {
        if !semver::is_valid(v) {
            return bad(v);
        }
        if is_prefix(v) {
            return ambiguous(v);
        }
        m.filter = cmp(v, &[Less, Equal]);
    } else if let Some(v) = query.strip_prefix('<') {
        if !semver::is_valid(v) {
            return bad(v);
        }
        m.filter = cmp(v, &[Less]);
    } else if let Some(v) = query.strip_prefix(">=") {
        if !semver::is_valid(v) {
            return bad(v);
        }
        m.filter = cmp(v, &[Greater, Equal]);
        m.prefer_lower = true;
    } else if let Some(v) = query.strip_prefix('>') {
        if !semver::is_valid(v) {
            return bad(v);
        }
        if is_prefix(v) {
            return ambiguous(v);
        }
        m.filter = cmp(v, &[Greater]);
        m.prefer_lower = true;
    } else if semver::is_valid(query) {
        if is_prefix(query) {
            m.prefix = format!("{query}.");
            m.filter = cmp(query, &[Greater, Equal]);
        } else {
            return Ok(Plan::Stat(query.to_string()));
        }
    } else {
        return Ok(Plan::Stat(query.to_string()));
    }
    Ok(Plan::List(m))
}

/// `v1` or `v1.2`: a version that names a range (`gover.ModIsPrefix`).
fn is_prefix(v: &str) -> bool {
    semver::is_valid(v) && v.matches('.').count() < 2 && !v.contains(['-', '+'])
}

impl Matcher {
    /// The same query passing over the versions that `go_mod`, the go.mod of the
    /// module's latest version (retracted versions included: go's
    /// `queryLatestVersionIgnoringRetractions`), retracts: go's `CheckRetractions`,
    /// `low <= v <= high` for each `retract`. A go.mod that cannot be read retracts
    /// nothing, as go then allows every version.
    pub fn without_retracted(mut self, go_mod: &[u8]) -> Matcher {
        if let Ok(file) = crate::modfile::parse_lax("go.mod", go_mod) {
            self.disallowed
                .extend(file.retracts.into_iter().map(|r| (r.low, r.high)));
        }
        self
    }

    /// The same query passing over these versions, excluded by the main modules'
    /// go.mod files (go's `CheckExclusions`).
    pub fn without_excluded<'a>(mut self, versions: impl IntoIterator<Item = &'a str>) -> Matcher {
        self.excluded
            .extend(versions.into_iter().map(str::to_string));
        self
    }

    /// Whether `v` answers the query before any version is passed over (its prefix and
    /// range): an exclusion or a retraction of `v` changes the answer only then.
    pub fn matches(&self, v: &str) -> bool {
        v.starts_with(&self.prefix)
            && match &self.filter {
                Filter::None => true,
                Filter::Compare(bound, ords) => ords.contains(&semver::compare(v, bound)),
            }
    }

    /// Whether the query is the module's latest version with no other condition
    /// (`latest`, `upgrade` without a current version).
    pub fn is_latest(&self) -> bool {
        self.may_use_latest && self.prefix.is_empty() && self.filter == Filter::None
    }

    fn allows(&self, v: &str) -> bool {
        self.matches(v)
            && !self.excluded.iter().any(|x| x == v)
            && !self.disallowed.iter().any(|(low, high)| {
                semver::compare(low, v).is_le() && semver::compare(v, high).is_le()
            })
    }

    /// The version Go picks from a sorted `@v/list` (already filtered as Go's
    /// `Versions` filters it): the highest release, else the highest
    /// pre-release (the lowest of each with `>=`/`>`). None: ask `@latest` if
    /// [`Matcher::may_use_latest`], else [`Matcher::no_match`].
    ///
    /// Go also drops `+incompatible` versions above a compatible version that has a
    /// go.mod file; that needs the go.mod of each candidate and is not done here.
    pub fn choose(&self, versions: &[String]) -> Option<String> {
        let mut choice = Choice::default();
        for v in versions {
            self.consider(&mut choice, v);
        }
        self.chosen(choice)
    }

    /// [`Matcher::choose`] one version at a time, for a list too long to keep: `v` is
    /// weighed against the best release and pre-release seen so far. The outcome does
    /// not depend on the order the versions come in.
    pub fn consider(&self, choice: &mut Choice, v: &str) {
        if !self.allows(v) {
            return;
        }
        let slot = if semver::prerelease(v).is_empty() {
            &mut choice.release
        } else {
            &mut choice.prerelease
        };
        // Go sorts the list (by precedence, then text) and takes its first or last.
        let order = |a: &str, b: &str| semver::compare(a, b).then_with(|| a.cmp(b));
        let better = match slot.as_deref() {
            None => true,
            Some(best) if self.prefer_lower => order(v, best) == Ordering::Less,
            Some(best) => order(v, best) == Ordering::Greater,
        };
        if better {
            *slot = Some(v.to_string());
        }
    }

    /// The answer once every version was considered.
    pub fn chosen(&self, choice: Choice) -> Option<String> {
        choice.release.or(choice.prerelease)
    }

    /// Whether `@latest`'s answer (or the latest version found otherwise) is
    /// acceptable.
    pub fn allows_latest(&self, v: &str) -> bool {
        self.allows(v)
    }

    /// Go's `NoMatchingVersionError`.
    pub fn no_match(&self) -> String {
        format!(
            "no matching versions for query {}",
            crate::goquote::quote(&self.query)
        )
    }
}

/// Whether `v` is a canonical version for which `.info`, `.mod` and `.zip` can be
/// asked directly.
pub fn is_canonical(v: &str) -> bool {
    semver::is_valid(v) && modpath::canonical_version(v) == v
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(vs: &[&str]) -> Vec<String> {
        vs.iter().map(|s| s.to_string()).collect()
    }

    fn pick(query: &str, vs: &[&str]) -> Option<String> {
        match plan(query, "example.com/m").unwrap() {
            Plan::List(m) => m.choose(&list(vs)),
            Plan::Stat(s) => Some(format!("stat {s}")),
        }
    }

    #[test]
    fn queries_pick_as_go() {
        let vs = [
            "v1.0.0",
            "v1.2.0-pre",
            "v1.2.0",
            "v1.2.5",
            "v1.10.0",
            "v2.0.0-rc.1",
        ];
        assert_eq!(pick("latest", &vs).as_deref(), Some("v1.10.0"));
        assert_eq!(pick("v1.2", &vs).as_deref(), Some("v1.2.5"));
        assert_eq!(pick("<v1.2.0", &vs).as_deref(), Some("v1.0.0"));
        assert_eq!(pick(">=v1.2.0", &vs).as_deref(), Some("v1.2.0"));
        assert_eq!(pick(">v1.2.0", &vs).as_deref(), Some("v1.2.5"));
        assert_eq!(
            pick("latest", &["v2.0.0-rc.1"]).as_deref(),
            Some("v2.0.0-rc.1")
        );
        assert_eq!(pick("v1.2.3", &vs).as_deref(), Some("stat v1.2.3"));
        assert_eq!(pick("master", &vs).as_deref(), Some("stat master"));
        assert_eq!(pick("v3", &vs), None);
    }

    #[test]
    fn retracted_versions_are_passed_over_as_go_passes_over_them() {
        let vs = list(&[
            "v1.0.0",
            "v1.2.0-pre",
            "v1.2.0",
            "v1.2.5",
            "v1.10.0",
            "v2.0.0-rc.1",
        ]);
        let go_mod =
            b"module example.com/m\n\nretract (\n\tv1.10.0 // broken\n\t[v1.2.0, v1.2.5]\n)\n";
        let pick = |query: &str, go_mod: &[u8]| match plan(query, "example.com/m").unwrap() {
            Plan::List(m) => m.without_retracted(go_mod).choose(&vs),
            Plan::Stat(s) => panic!("stat {s}"),
        };
        assert_eq!(pick("latest", go_mod).as_deref(), Some("v1.0.0"));
        assert_eq!(pick("v1.2", go_mod), None);
        // No release left at or above v1.1.0: the lowest pre-release.
        assert_eq!(pick(">=v1.1.0", go_mod).as_deref(), Some("v1.2.0-pre"));
        // A go.mod that cannot be read retracts nothing.
        assert_eq!(pick("latest", b"retract (").as_deref(), Some("v1.10.0"));
        let m = match plan("latest", "m").unwrap() {
            Plan::List(m) => m.without_retracted(go_mod),
            other => panic!("{other:?}"),
        };
        assert!(m.is_latest());
        assert!(!m.allows_latest("v1.10.0") && m.allows_latest("v1.11.0"));
        assert!(matches!(plan("v1", "m").unwrap(), Plan::List(m) if !m.is_latest()));
    }

    #[test]
    fn excluded_versions_are_passed_over_by_queries_only_as_exact_strings() {
        let vs = list(&["v1.0.0", "v1.1.0", "v1.2.0-pre", "v1.2.0"]);
        let pick = |query: &str, excluded: &[&str]| match plan(query, "example.com/m").unwrap() {
            Plan::List(m) => m.without_excluded(excluded.iter().copied()).choose(&vs),
            Plan::Stat(s) => panic!("stat {s}"),
        };
        assert_eq!(pick("latest", &["v1.2.0"]).as_deref(), Some("v1.1.0"));
        assert_eq!(pick("v1.2", &["v1.2.0"]), None);
        assert_eq!(pick(">=v1.0.0", &["v1.0.0"]).as_deref(), Some("v1.1.0"));
        // Go's exclusion is the exact version: v1.2.0+meta is not v1.2.0.
        assert_eq!(pick("latest", &["v1.2.0+meta"]).as_deref(), Some("v1.2.0"));
        assert_eq!(
            pick("latest", &["v1.0.0", "v1.1.0", "v1.2.0"]).as_deref(),
            Some("v1.2.0-pre")
        );
        let m = match plan("latest", "m").unwrap() {
            Plan::List(m) => m.without_excluded(["v1.2.0"]),
            other => panic!("{other:?}"),
        };
        // @latest's own answer is checked too.
        assert!(!m.allows_latest("v1.2.0") && m.allows_latest("v1.3.0"));
        assert!(m.matches("v1.2.0"));
        let lower = match plan("<v1.1.0", "m").unwrap() {
            Plan::List(m) => m,
            other => panic!("{other:?}"),
        };
        assert!(lower.matches("v1.0.0") && !lower.matches("v1.2.0"));
    }

    #[test]
    fn bad_ranges_are_refused_with_go_text() {
        assert_eq!(
            plan("<=v1.2", "m").unwrap_err(),
            "ambiguous semantic version \"v1.2\" in range \"<=v1.2\""
        );
        assert_eq!(
            plan("<foo", "m").unwrap_err(),
            "invalid semantic version \"foo\" in range \"<foo\""
        );
    }
}
