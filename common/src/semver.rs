//! Semantic versions as Go's `golang.org/x/mod/semver` understands them:
//! `vMAJOR[.MINOR[.PATCH[-PRERELEASE][+BUILD]]]`, with `vMAJOR` and `vMAJOR.MINOR`
//! accepted as shorthands for `vMAJOR.0.0` and `vMAJOR.MINOR.0`.

use std::cmp::Ordering;

/// The pieces of a valid version; every field is a slice of the parsed string except `short`.
struct Parsed<'a> {
    major: &'a str,
    minor: &'a str,
    patch: &'a str,
    /// What the shorthand forms leave out (`".0.0"`, `".0"` or `""`).
    short: &'static str,
    prerelease: &'a str,
    build: &'a str,
}

/// Reports whether `v` is a valid semantic version (Go's `semver.IsValid`).
pub fn is_valid(v: &str) -> bool {
    parse(v).is_some()
}

/// The canonical form of `v`: missing `.MINOR`/`.PATCH` filled in, `+build` dropped;
/// `""` when `v` is invalid (Go's `semver.Canonical`).
pub fn canonical(v: &str) -> String {
    match parse(v) {
        None => String::new(),
        Some(p) => {
            let without_build = &v[..v.len() - p.build.len()];
            format!("{without_build}{}", p.short)
        }
    }
}

/// The major-version prefix, e.g. `"v2"` for `"v2.1.0"`; `""` when invalid (Go's `semver.Major`).
pub fn major(v: &str) -> &str {
    parse(v).map_or("", |p| &v[..1 + p.major.len()])
}

/// The `vMAJOR.MINOR` prefix, e.g. `"v2.1"`, `"v1.0"` for `"v1"`; `""` when invalid
/// (Go's `semver.MajorMinor`).
pub fn major_minor(v: &str) -> String {
    match parse(v) {
        None => String::new(),
        Some(p) => format!("v{}.{}", p.major, p.minor),
    }
}

/// The `-prerelease` suffix (with its dash); `""` when absent or invalid (Go's `semver.Prerelease`).
pub fn prerelease(v: &str) -> &str {
    parse(v).map_or("", |p| p.prerelease)
}

/// The `+build` suffix (with its plus); `""` when absent or invalid (Go's `semver.Build`).
pub fn build(v: &str) -> &str {
    parse(v).map_or("", |p| p.build)
}

/// Semantic-version precedence (Go's `semver.Compare`): invalid versions sort before all
/// valid ones and are equal to each other; build metadata is ignored.
pub fn compare(a: &str, b: &str) -> Ordering {
    match (parse(a), parse(b)) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Less,
        (Some(_), None) => Ordering::Greater,
        (Some(a), Some(b)) => compare_decimal(a.major, b.major)
            .then_with(|| compare_decimal(a.minor, b.minor))
            .then_with(|| compare_decimal(a.patch, b.patch))
            .then_with(|| compare_prerelease(a.prerelease, b.prerelease)),
    }
}

/// The greater of the two canonicalized versions, `b`'s when they are equal (Go's `semver.Max`).
pub fn max(a: &str, b: &str) -> String {
    let (a, b) = (canonical(a), canonical(b));
    if compare(&a, &b) == Ordering::Greater {
        a
    } else {
        b
    }
}

/// Sorts by [`compare`], breaking ties by plain string order (Go's `semver.Sort`).
pub fn sort(list: &mut [String]) {
    list.sort_by(|a, b| compare(a, b).then_with(|| a.cmp(b)));
}

fn parse(v: &str) -> Option<Parsed<'_>> {
    let rest = v.strip_prefix('v')?;
    let (major, rest) = split_number(rest)?;
    let Some(rest) = rest.strip_prefix('.') else {
        return rest.is_empty().then_some(Parsed {
            major,
            minor: "0",
            patch: "0",
            short: ".0.0",
            prerelease: "",
            build: "",
        });
    };
    let (minor, rest) = split_number(rest)?;
    let Some(rest) = rest.strip_prefix('.') else {
        return rest.is_empty().then_some(Parsed {
            major,
            minor,
            patch: "0",
            short: ".0",
            prerelease: "",
            build: "",
        });
    };
    let (patch, rest) = split_number(rest)?;
    let (prerelease, build) = match rest.find('+') {
        Some(plus) => rest.split_at(plus),
        None => (rest, ""),
    };
    let prerelease_ok = match prerelease.strip_prefix('-') {
        Some(idents) => idents
            .split('.')
            .all(|id| is_identifier(id) && !has_leading_zero(id)),
        None => prerelease.is_empty(),
    };
    let build_ok = match build.strip_prefix('+') {
        Some(idents) => idents.split('.').all(is_identifier),
        None => true,
    };
    (prerelease_ok && build_ok).then_some(Parsed {
        major,
        minor,
        patch,
        short: "",
        prerelease,
        build,
    })
}

/// Splits a leading decimal number without extra leading zeros off `s`.
fn split_number(s: &str) -> Option<(&str, &str)> {
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    let (number, rest) = s.split_at(digits);
    let valid = number == "0" || !(number.is_empty() || number.starts_with('0'));
    valid.then_some((number, rest))
}

fn is_identifier(id: &str) -> bool {
    !id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

fn is_numeric(id: &str) -> bool {
    id.bytes().all(|b| b.is_ascii_digit())
}

fn has_leading_zero(id: &str) -> bool {
    id.len() > 1 && id.starts_with('0') && is_numeric(id)
}

/// Orders decimal strings without leading zeros numerically, whatever their length.
fn compare_decimal(a: &str, b: &str) -> Ordering {
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

fn compare_prerelease(a: &str, b: &str) -> Ordering {
    if a == b {
        return Ordering::Equal;
    }
    // A release sorts after every prerelease of it.
    match (a.strip_prefix('-'), b.strip_prefix('-')) {
        (None, _) => Ordering::Greater,
        (_, None) => Ordering::Less,
        (Some(a), Some(b)) => {
            let (mut a, mut b) = (a.split('.'), b.split('.'));
            loop {
                match (a.next(), b.next()) {
                    (None, None) => return Ordering::Equal,
                    (None, Some(_)) => return Ordering::Less,
                    (Some(_), None) => return Ordering::Greater,
                    (Some(x), Some(y)) if x != y => return compare_identifier(x, y),
                    _ => {}
                }
            }
        }
    }
}

/// Numeric identifiers compare numerically and before alphanumeric ones, which compare as ASCII.
fn compare_identifier(a: &str, b: &str) -> Ordering {
    match (is_numeric(a), is_numeric(b)) {
        (true, true) => compare_decimal(a, b),
        (true, false) => Ordering::Less,
        (false, true) => Ordering::Greater,
        (false, false) => a.cmp(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shorthands_and_suffixes() {
        assert_eq!(canonical("v1"), "v1.0.0");
        assert_eq!(canonical("v1.2+meta"), "");
        assert_eq!(canonical("v1.2.3-pre+meta"), "v1.2.3-pre");
        assert_eq!(major_minor("v1"), "v1.0");
        assert_eq!(major("v10.2.3"), "v10");
        assert_eq!(prerelease("v1.2.3-a.b+c"), "-a.b");
        assert_eq!(build("v1.2.3-a.b+c.d"), "+c.d");
    }

    #[test]
    fn rejects_malformed_versions() {
        for v in [
            "",
            "v",
            "v.1",
            "v1.",
            "v1..2",
            "v1.2.3-",
            "v1.2.3+",
            "v1.2.3-a+",
            "v1.2.3-a..b",
            "v1.2.3+a..b",
            "v1.2.3-01",
            "v1.2-pre",
            "v1+b",
            "vé",
            "v1.2.3-é",
            "V1.2.3",
            "v1.2.3 ",
            "v1.2.3++",
            "v1.2.3-a+b+c",
            "v00",
            "v1.00.0",
        ] {
            assert!(!is_valid(v), "{v:?}");
        }
        for v in [
            "v0",
            "v1.2.3-0",
            "v1.2.3-0a",
            "v1.2.3-00a",
            "v1.2.3+01",
            "v1.2.3--",
        ] {
            assert!(is_valid(v), "{v:?}");
        }
    }

    #[test]
    fn precedence() {
        let ordered = [
            "v1.0.0-alpha",
            "v1.0.0-alpha.1",
            "v1.0.0-alpha.beta",
            "v1.0.0-beta",
            "v1.0.0-beta.2",
            "v1.0.0-beta.11",
            "v1.0.0-rc.1",
            "v1.0.0",
            "v1.0.1",
            "v99999999999999999999999.0.0",
        ];
        for pair in ordered.windows(2) {
            assert_eq!(compare(pair[0], pair[1]), Ordering::Less, "{pair:?}");
            assert_eq!(compare(pair[1], pair[0]), Ordering::Greater, "{pair:?}");
        }
        assert_eq!(compare("v1.0.0+a", "v1.0.0+b"), Ordering::Equal);
        assert_eq!(compare("bad", "v0.0.0"), Ordering::Less);
    }

    #[test]
    fn sort_breaks_ties_by_string() {
        let mut list: Vec<String> = ["v1.0.0+b", "v1.0.0", "x", "v0.9", "v1.0.0+a", "", "v1"]
            .map(String::from)
            .to_vec();
        sort(&mut list);
        assert_eq!(
            list,
            ["", "x", "v0.9", "v1", "v1.0.0", "v1.0.0+a", "v1.0.0+b"]
        );
    }

    #[test]
    fn long_input() {
        let long = format!("v1.2.3-{}", "a.".repeat(50_000) + "z");
        assert!(is_valid(&long));
        assert_eq!(compare(&long, "v1.2.3-a"), Ordering::Greater);
    }
}
