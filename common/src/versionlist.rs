//! `@v/list` answers read as the go command reads them — `proxyRepo.Versions` (valid
//! semantic versions with the query's prefix, pseudo-versions dropped, sorted) and
//! `latestFromList` (the newest line by its time field) — but parsed as the body
//! arrives, in memory that does not grow with the answer.
//!
//! The go command splits the whole body into lines and keeps every line's version; an
//! answer of millions of lines costs it hundreds of megabytes. Here a line is looked at
//! and dropped: what is kept is the query's answer so far (one release and one
//! pre-release), the newest line for `@latest`, and at most [`MAX_KEPT_VERSIONS`]
//! distinct versions for the record (the highest ones). Only the first
//! [`MAX_LINE_BYTES`] bytes of a line are looked at: no version or time is that long.

use std::cmp::Ordering;
use std::collections::BTreeSet;

use crate::query::{Choice, Matcher};
use crate::{modpath, semver};

/// How many distinct versions a parsed list keeps (the highest); a module with more
/// has its list cut, and the parser says so.
pub const MAX_KEPT_VERSIONS: usize = 10_000;

/// How much of one line is looked at.
pub const MAX_LINE_BYTES: usize = 4096;

/// A version ordered as Go's `semver.Sort` orders a list: by precedence, then by text.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Sorted(String);

impl Ord for Sorted {
    fn cmp(&self, other: &Self) -> Ordering {
        semver::compare(&self.0, &other.0).then_with(|| self.0.cmp(&other.0))
    }
}

impl PartialOrd for Sorted {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// What a version list holds, once parsed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ParsedList {
    /// The versions go's `Versions` lists (valid, with the prefix, no pseudo-versions),
    /// sorted and without duplicates; the highest [`MAX_KEPT_VERSIONS`] of them.
    pub versions: Vec<String>,
    /// Whether lower versions were left out to stay within [`MAX_KEPT_VERSIONS`].
    pub cut: bool,
    /// The matcher's choice among all listed versions (not only those kept).
    pub chosen: Option<String>,
    /// `latestFromList`: the version of the line with the newest time.
    pub latest: Option<String>,
}

/// Parses a version list piece by piece.
#[derive(Clone, Debug)]
pub struct ListParser {
    prefix: String,
    matcher: Option<Matcher>,
    line: Vec<u8>,
    kept: BTreeSet<Sorted>,
    cut: bool,
    choice: Choice,
    latest: Option<(String, String)>,
}

impl ListParser {
    /// A parser keeping the versions that start with `prefix` (Go's `Versions(prefix)`),
    /// choosing among them with `matcher` when given.
    pub fn new(prefix: &str, matcher: Option<&Matcher>) -> ListParser {
        ListParser {
            prefix: prefix.to_string(),
            matcher: matcher.cloned(),
            line: Vec::new(),
            kept: BTreeSet::new(),
            cut: false,
            choice: Choice::default(),
            latest: None,
        }
    }

    /// Starts again from nothing (a retried request).
    pub fn reset(&mut self) {
        *self = ListParser::new(&self.prefix, self.matcher.as_ref());
    }

    /// Takes the next piece of the body.
    pub fn feed(&mut self, mut data: &[u8]) {
        while let Some(newline) = data.iter().position(|&b| b == b'\n') {
            self.push_line_part(&data[..newline]);
            let line = std::mem::take(&mut self.line);
            self.line_done(&line);
            self.line = line;
            self.line.clear();
            data = &data[newline + 1..];
        }
        self.push_line_part(data);
    }

    /// The parsed list, once the body has ended.
    pub fn finish(mut self) -> ParsedList {
        let line = std::mem::take(&mut self.line);
        self.line_done(&line);
        let chosen = self
            .matcher
            .as_ref()
            .and_then(|m| m.chosen(std::mem::take(&mut self.choice)));
        ParsedList {
            versions: self.kept.into_iter().map(|s| s.0).collect(),
            cut: self.cut,
            chosen,
            latest: self.latest.map(|(_, v)| v),
        }
    }

    /// Parses a whole list at once.
    pub fn parse(prefix: &str, matcher: Option<&Matcher>, data: &[u8]) -> ParsedList {
        let mut parser = ListParser::new(prefix, matcher);
        parser.feed(data);
        parser.finish()
    }

    fn push_line_part(&mut self, part: &[u8]) {
        let room = MAX_LINE_BYTES.saturating_sub(self.line.len());
        self.line.extend_from_slice(&part[..part.len().min(room)]);
    }

    /// One line, as Go's `strings.Fields` splits it: the version, then a time.
    fn line_done(&mut self, line: &[u8]) {
        if line.is_empty() {
            return;
        }
        let text = String::from_utf8_lossy(line);
        let mut fields = text.split_whitespace();
        let Some(version) = fields.next() else {
            return;
        };
        if !semver::is_valid(version) {
            return;
        }
        self.consider_latest(version, fields.next());
        if !version.starts_with(&self.prefix) || modpath::is_pseudo_version(version) {
            return;
        }
        if let Some(matcher) = &self.matcher {
            matcher.consider(&mut self.choice, version);
        }
        let sorted = Sorted(version.to_string());
        if self.kept.len() >= MAX_KEPT_VERSIONS {
            match self.kept.first() {
                Some(lowest) if *lowest < sorted => {
                    if !self.kept.contains(&sorted) {
                        self.kept.pop_first();
                        self.cut = true;
                        self.kept.insert(sorted);
                    }
                }
                _ => self.cut = true,
            }
            return;
        }
        self.kept.insert(sorted);
    }

    /// Go's `latestFromList`: the line with the newest time (its second field, or the
    /// time inside a pseudo-version); tagged versions without a time are skipped.
    fn consider_latest(&mut self, version: &str, time: Option<&str>) {
        let time = match time {
            Some(t) if is_rfc3339ish(t) => normalize_time(t),
            _ => match modpath::pseudo_version_time(version) {
                Ok(t) if modpath::is_pseudo_version(version) => t,
                _ => return,
            },
        };
        let newer = match &self.latest {
            None => true,
            Some((best_time, best)) => {
                time > *best_time
                    || (time == *best_time && semver::compare(version, best) == Ordering::Greater)
            }
        };
        if newer {
            self.latest = Some((time, version.to_string()));
        }
    }
}

fn is_rfc3339ish(t: &str) -> bool {
    t.len() >= 20 && t.as_bytes()[4] == b'-' && t.as_bytes()[10] == b'T'
}

/// `2006-01-02T15:04:05Z` → `20060102150405`, the form pseudo-versions carry, so that
/// both compare as strings.
fn normalize_time(t: &str) -> String {
    t.chars().filter(char::is_ascii_digit).take(14).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIST: &[u8] = b"v1.10.0\nv1.1.0 2020-01-01T00:00:00Z\njunk\nv1.1.1-0.20200101000000-abcdefabcdef\n\nv1.2.0";

    #[test]
    fn list_filter_matches_go() {
        assert_eq!(
            ListParser::parse("v1.1", None, LIST).versions,
            ["v1.1.0", "v1.10.0"]
        );
        assert_eq!(
            ListParser::parse("", None, LIST).versions,
            ["v1.1.0", "v1.2.0", "v1.10.0"]
        );
    }

    #[test]
    fn pieces_make_the_same_list_as_the_whole() {
        let whole = ListParser::parse("", None, LIST);
        for size in 1..LIST.len() {
            let mut parser = ListParser::new("", None);
            LIST.chunks(size).for_each(|piece| parser.feed(piece));
            assert_eq!(parser.finish(), whole, "pieces of {size}");
        }
    }

    #[test]
    fn latest_prefers_newest_time() {
        let list = b"v1.2.0\nv1.1.0 2021-01-01T00:00:00Z\nv0.0.0-20220101000000-abcdefabcdef\n";
        assert_eq!(
            ListParser::parse("", None, list).latest.as_deref(),
            Some("v0.0.0-20220101000000-abcdefabcdef")
        );
        assert_eq!(ListParser::parse("", None, b"v1.0.0").latest, None);
    }

    #[test]
    fn many_lines_keep_little() {
        // A million lines of one version and junk keep one version.
        let mut parser = ListParser::new("", None);
        for _ in 0..100_000 {
            parser.feed(b"x\nv1.0.0\nv1.0.0 \n\n");
        }
        let parsed = parser.finish();
        assert_eq!((parsed.versions.len(), parsed.cut), (1, false));
        // More distinct versions than kept: the highest stay, and the query still sees
        // every one.
        let matcher = match crate::query::plan(">=v0.0.0", "example.com/m").unwrap() {
            crate::query::Plan::List(m) => m,
            other => panic!("{other:?}"),
        };
        let mut parser = ListParser::new("", Some(&matcher));
        for i in 0..MAX_KEPT_VERSIONS + 5 {
            parser.feed(format!("v0.{i}.0\n").as_bytes());
        }
        let parsed = parser.finish();
        assert!(parsed.cut);
        assert_eq!(parsed.versions.len(), MAX_KEPT_VERSIONS);
        assert_eq!(parsed.versions[0], "v0.5.0");
        assert_eq!(
            parsed.versions.last().map(String::as_str),
            Some(format!("v0.{}.0", MAX_KEPT_VERSIONS + 4).as_str())
        );
        assert_eq!(parsed.chosen.as_deref(), Some("v0.0.0"));
    }

    #[test]
    fn a_line_longer_than_looked_at_is_cut_not_kept_whole() {
        let mut long = b"v1.0.0 ".to_vec();
        long.extend(std::iter::repeat_n(b'x', 3 * MAX_LINE_BYTES));
        long.extend_from_slice(b"\nv1.1.0\n");
        let parsed = ListParser::parse("", None, &long);
        assert_eq!(parsed.versions, ["v1.0.0", "v1.1.0"]);
    }
}
