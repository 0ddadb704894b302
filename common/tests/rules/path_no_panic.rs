//! Feeds odd and pseudo-random strings to every public function: none may panic, and a few
//! relations between the functions must hold.

use gomod_common::{modpath as module, pattern, semver};

const FRAGMENTS: &[&str] = &[
    "",
    "v",
    "0",
    "1",
    "2",
    "9",
    "10",
    "01",
    ".",
    "..",
    "-",
    "+",
    "/",
    "//",
    "!",
    "!!",
    "%",
    "~",
    "~1",
    "*",
    "?",
    "[",
    "]",
    "^",
    "\\",
    ",",
    " ",
    "\t",
    "\0",
    "\u{7f}",
    "a",
    "Z",
    "é",
    "ü",
    "\u{301}",
    "\u{200b}",
    "\u{ad}",
    "\u{212a}",
    "😀",
    "\u{e0001}",
    "\u{10ffff}",
    "con",
    "LPT1",
    "gopkg.in/",
    "example.com",
    "v2",
    ".v1",
    "-unstable",
    "+incompatible",
    "0.",
    "-0.",
    "20191109021931",
    "00010101000000",
    "99999999999999",
    "v1.2.3",
    "v0.0.0-",
    "[a-z]",
    "[^a]",
    "2019-11-09T02:19:31",
    "Z",
    "+05:30",
    "-23:59",
    ".5",
];

/// A deterministic xorshift generator, so failures reproduce.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }

    fn string(&mut self) -> String {
        let parts = self.below(9);
        (0..parts)
            .map(|_| FRAGMENTS[self.below(FRAGMENTS.len())])
            .collect()
    }
}

fn odd_strings() -> Vec<String> {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut strings: Vec<String> = FRAGMENTS.iter().map(|s| s.to_string()).collect();
    strings.extend((0..400).map(|_| rng.string()));
    strings.extend([
        "é".repeat(50_000),
        "a/".repeat(50_000),
        "*".repeat(10_000) + "x",
        "[".repeat(10_000),
        format!("v1.2.{}-0.20191109021931-abc", "9".repeat(10_000)),
        format!("example.com/{}", "!a".repeat(20_000)),
    ]);
    strings
}

fn exercise_one(s: &str) {
    let module_ok = module::check_path(s).is_ok();
    let import_ok = module::check_import_path(s).is_ok();
    let file_ok = module::check_file_path(s).is_ok();
    assert!(!module_ok || import_ok, "{s:?}");
    assert!(!import_ok || file_ok, "{s:?}");
    if let Ok(escaped) = module::escape_path(s) {
        assert_eq!(module::unescape_path(&escaped).as_deref(), Ok(s));
    }
    if let Ok(escaped) = module::escape_version(s) {
        assert_eq!(module::unescape_version(&escaped).as_deref(), Ok(s));
    }
    let _ = module::unescape_path(s);
    let _ = module::unescape_version(s);
    if let Some((prefix, major)) = module::split_path_version(s) {
        assert_eq!(format!("{prefix}{major}"), s);
    }
    let valid = semver::is_valid(s);
    let canonical = semver::canonical(s);
    assert_eq!(valid, !canonical.is_empty(), "{s:?}");
    let _ = (semver::major(s), semver::major_minor(s));
    let _ = (semver::prerelease(s), semver::build(s));
    let _ = module::canonical_version(s);
    let pseudo = module::is_pseudo_version(s);
    let _ = module::is_zero_pseudo_version(s);
    assert_eq!(pseudo, module::pseudo_version_rev(s).is_ok(), "{s:?}");
    let _ = module::pseudo_version_base(s);
    let _ = module::pseudo_version_time(s);
    let _ = pattern::path_match(s, s);
}

fn exercise_pair(a: &str, b: &str) {
    let _ = module::check(a, b);
    let _ = module::check(b, a);
    assert_eq!(
        module::check_path_major(a, b).is_ok(),
        module::match_path_major(a, b)
    );
    assert_eq!(semver::compare(a, b), semver::compare(b, a).reverse());
    let _ = semver::max(a, b);
    let _ = module::pseudo_version(a, b, a, b);
    let _ = module::pseudo_version(a, b, "2019-11-09T02:19:31Z", b);
    let _ = pattern::path_match(a, b);
    assert_eq!(
        pattern::match_prefix_patterns(a, b),
        pattern::matching_pattern(a, b).is_some()
    );
}

#[test]
fn no_input_panics() {
    let strings = odd_strings();
    for s in &strings {
        exercise_one(s);
    }
    let mut rng = Rng(42);
    for _ in 0..2_000 {
        let a = &strings[rng.below(strings.len())];
        let b = &strings[rng.below(strings.len())];
        exercise_pair(a, b);
    }
    let mut sorted = strings.clone();
    semver::sort(&mut sorted);
    assert!(
        sorted
            .windows(2)
            .all(|w| semver::compare(&w[0], &w[1]).is_le())
    );
}
