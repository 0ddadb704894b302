//! Tokenizer edge cases for `parse_meta_go_imports`. Every expectation was
//! confirmed by running Go 1.27.3's own `parseMetaGoImports` (through a test
//! overlaid into cmd/go/internal/vcs) on the same bytes; the results are
//! hard-coded so these tests do not need Go.

use gomod_common::discovery::{
    MatchError, MetaImport, ModMode, match_go_import, parse_meta_go_imports,
};

type Expected = Result<&'static [&'static str], &'static str>;

/// (what, page, entries as "prefix vcs repo-root [subdir]" or the error) for
/// `ModMode::PreferMod`. Where Go's message holds raw non-UTF-8 bytes
/// (`invalid XML name: m\xffta`) ours shows U+FFFD.
#[rustfmt::skip]
const CASES: &[(&str, &[u8], Expected)] = &[
    (
        "unquoted value stops at a dot",
        b"<meta name=go-import content=example.com/foo>",
        Err("XML syntax error on line 1: invalid XML name: .com"),
    ),
    (
        "unquoted values",
        b"<meta name=go-import content=a:b-c_d>",
        Ok(&[]),
    ),
    (
        "attribute without value",
        b"<meta async name=\"go-import\" defer content=\"example.com/foo git https://a\">",
        Ok(&["example.com/foo git https://a"]),
    ),
    (
        "valueless name attribute is its own value",
        b"<meta name content=\"example.com/foo git https://a\">",
        Ok(&[]),
    ),
    (
        "unknown HTML entity kept",
        b"<meta name=\"go-import\" content=\"example.com/foo git https://a&nbsp;b&copy;\">",
        Ok(&["example.com/foo git https://a&nbsp;b&copy;"]),
    ),
    (
        "ampersand without entity",
        b"<meta name=\"go-import\" content=\"example.com/foo git https://a?x=1&y=2&amp\">",
        Ok(&["example.com/foo git https://a?x=1&y=2&amp"]),
    ),
    (
        "ampersand at end of value",
        b"<meta name=\"go-import\" content=\"example.com/foo git https://a&\">",
        Ok(&["example.com/foo git https://a&"]),
    ),
    (
        "numeric references",
        b"<meta name=\"go-import\" content=\"example.com/foo &#x67;&#105;t https://a&#47;b\">",
        Ok(&["example.com/foo git https://a/b"]),
    ),
    (
        "upper-case X is not hex",
        b"<meta name=\"go-import\" content=\"example.com/foo git https://a&#X41;\">",
        Ok(&["example.com/foo git https://a&#X41;"]),
    ),
    (
        "reference without semicolon",
        b"<meta name=\"go-import\" content=\"example.com/foo git https://a&#65\">",
        Ok(&["example.com/foo git https://a&#65"]),
    ),
    (
        "reference to NUL",
        b"<meta name=\"go-import\" content=\"example.com/foo git https://a&#0;\">",
        Err("XML syntax error on line 1: illegal character code U+0000"),
    ),
    (
        "reference to a surrogate",
        b"<meta name=\"go-import\" content=\"example.com/foo git https://a&#xD800;\">",
        Ok(&["example.com/foo git https://a�"]),
    ),
    (
        "reference beyond Unicode",
        b"<meta name=\"go-import\" content=\"example.com/foo git https://a&#x110000;\">",
        Ok(&["example.com/foo git https://a&#x110000;"]),
    ),
    (
        "huge reference",
        b"<meta name=\"go-import\" content=\"example.com/foo git https://a&#99999999999999999999999999;\">",
        Ok(&["example.com/foo git https://a&#99999999999999999999999999;"]),
    ),
    (
        "entity names are case-sensitive",
        b"<meta name=\"go-import\" content=\"example.com/foo git https://a&AMP;b\">",
        Ok(&["example.com/foo git https://a&AMP;b"]),
    ),
    (
        "doctype with quoted >",
        b"<!DOCTYPE html PUBLIC \"a>b\" 'c>d'><meta name=\"go-import\" content=\"example.com/foo git https://a\">",
        Ok(&["example.com/foo git https://a"]),
    ),
    (
        "doctype with nested markup and comment",
        b"<!DOCTYPE x [ <!ENTITY a \"b\"> <!-- > --> ]><meta name=\"go-import\" content=\"example.com/foo git https://a\">",
        Ok(&["example.com/foo git https://a"]),
    ),
    (
        "<!> swallows up to the next >",
        b"<!><meta name=\"go-import\" content=\"example.com/foo git https://a\">",
        Err("XML syntax error on line 1: unexpected EOF"),
    ),
    (
        "comment hides a tag",
        b"<!-- <meta name=\"go-import\" content=\"example.com/foo git https://a\"> -->",
        Ok(&[]),
    ),
    (
        "double hyphen in comment",
        b"<!-- a -- b --><meta name=\"go-import\" content=\"example.com/foo git https://a\">",
        Err("XML syntax error on line 1: invalid sequence \"--\" not allowed in comments"),
    ),
    (
        "<!--> does not close",
        b"<!--><meta name=\"go-import\" content=\"example.com/foo git https://a\">-->",
        Ok(&[]),
    ),
    (
        "bad <!- sequence",
        b"<!-x><meta name=\"go-import\" content=\"example.com/foo git https://a\">",
        Err("XML syntax error on line 1: invalid sequence <!- not part of <!--"),
    ),
    (
        "CDATA hides a tag",
        b"<![CDATA[<meta name=\"go-import\" content=\"example.com/foo git https://a\">]]>",
        Ok(&[]),
    ),
    (
        "bad <![ sequence",
        b"<![CDAT x]]><meta name=\"go-import\" content=\"example.com/foo git https://a\">",
        Err("XML syntax error on line 1: invalid <![ sequence"),
    ),
    (
        "unterminated CDATA",
        b"<![CDATA[ abc",
        Err("XML syntax error on line 1: unexpected EOF in CDATA section"),
    ),
    (
        "]]> in text",
        b"a ]]> b<meta name=\"go-import\" content=\"example.com/foo git https://a\">",
        Err("XML syntax error on line 1: unescaped ]]> not in CDATA section"),
    ),
    (
        "script with < before the tag",
        b"<script>if (a<b) {}</script><meta name=\"go-import\" content=\"example.com/foo git https://a\">",
        Err("XML syntax error on line 1: expected attribute name in element"),
    ),
    (
        "script with a<b looks like a tag",
        b"<script>a<b</script><meta name=\"go-import\" content=\"example.com/foo git https://a\">",
        Err("XML syntax error on line 1: expected attribute name in element"),
    ),
    (
        "script with && before the tag",
        b"<script>if (a && b) {}</script><meta name=\"go-import\" content=\"example.com/foo git https://a\">",
        Ok(&["example.com/foo git https://a"]),
    ),
    (
        "error after a tag keeps the tag",
        b"<meta name=\"go-import\" content=\"example.com/foo git https://a\"><p>1 < 2</p>",
        Ok(&["example.com/foo git https://a"]),
    ),
    (
        "line numbers count newlines",
        b"\n\n<html>\r\n<head>\n<script>a < b</script><meta name=\"go-import\" content=\"example.com/foo git https://a\">",
        Err("XML syntax error on line 5: expected element name after <"),
    ),
    (
        "line of an error at EOF",
        b"<html>\n<head>\n<meta name=\"go-import\"\n",
        Err("XML syntax error on line 4: unexpected EOF"),
    ),
    (
        "xml declaration utf-8",
        b"<?xml version=\"1.0\" encoding=\"UTF-8\"?><meta name=\"go-import\" content=\"example.com/foo git https://a\">",
        Ok(&["example.com/foo git https://a"]),
    ),
    (
        "xml declaration ascii",
        b"<?xml version='1.0' encoding='ascii'?><meta name=\"go-import\" content=\"example.com/foo git https://a\">",
        Ok(&["example.com/foo git https://a"]),
    ),
    (
        "dotted capital I lower-cases to i",
        b"<?xml encoding=\"ASC\xc4\xb0\xc4\xb0\"?><meta name=\"go-import\" content=\"example.com/foo git https://a\">",
        Ok(&["example.com/foo git https://a"]),
    ),
    (
        "US-ASCII is not accepted",
        b"<?xml encoding=\"US-ASCII\"?><meta name=\"go-import\" content=\"example.com/foo git https://a\">",
        Err("xml: opening charset \"US-ASCII\": can't decode XML document using charset \"US-ASCII\""),
    ),
    (
        "encoding with invalid UTF-8",
        b"<?xml encoding=\"\xff\"?><meta name=\"go-import\" content=\"example.com/foo git https://a\">",
        Err("xml: opening charset \"\\xff\": can't decode XML document using charset \"\\xff\""),
    ),
    (
        "unsupported version",
        b"<?xml version=\"1.1\"?><meta name=\"go-import\" content=\"example.com/foo git https://a\">",
        Err("xml: unsupported version \"1.1\"; only version 1.0 is supported"),
    ),
    (
        "version needs quotes",
        b"<?xml version=1.1 encoding=latin1?><meta name=\"go-import\" content=\"example.com/foo git https://a\">",
        Ok(&["example.com/foo git https://a"]),
    ),
    (
        "declaration parameter found inside another name",
        b"<?xml xencoding=\"latin1\"?><meta name=\"go-import\" content=\"example.com/foo git https://a\">",
        Err("xml: opening charset \"latin1\": can't decode XML document using charset \"latin1\""),
    ),
    (
        "other processing instructions are ignored",
        b"<?XML encoding=\"latin1\"?><?php echo 1 ?><meta name=\"go-import\" content=\"example.com/foo git https://a\">",
        Ok(&["example.com/foo git https://a"]),
    ),
    (
        "processing instruction without target",
        b"<? x ?><meta name=\"go-import\" content=\"example.com/foo git https://a\">",
        Err("XML syntax error on line 1: expected target name after <?"),
    ),
    (
        "unterminated processing instruction",
        b"<?xml version=\"1.0\"",
        Err("XML syntax error on line 1: unexpected EOF"),
    ),
    (
        "self-closing head ends parsing",
        b"<head/><meta name=\"go-import\" content=\"example.com/foo git https://a\">",
        Ok(&[]),
    ),
    (
        "end tag with space",
        b"<head><meta name=\"go-import\" content=\"example.com/foo git https://a\"></head ><meta name=\"go-import\" content=\"example.com/bar git https://b\">",
        Ok(&["example.com/foo git https://a"]),
    ),
    (
        "end tag with junk",
        b"<head></head x><meta name=\"go-import\" content=\"example.com/foo git https://a\">",
        Err("XML syntax error on line 1: invalid characters between </head and >"),
    ),
    (
        "mismatched tags are not checked",
        b"<html><head><title>x</div><meta name=\"go-import\" content=\"example.com/foo git https://a\"></span></head>",
        Ok(&["example.com/foo git https://a"]),
    ),
    (
        "body start ends parsing",
        b"<html><BODY class=\"x\"><meta name=\"go-import\" content=\"example.com/foo git https://a\">",
        Ok(&[]),
    ),
    (
        "self-closing meta",
        b"<meta name=\"go-import\" content=\"example.com/foo git https://a\"/>",
        Ok(&["example.com/foo git https://a"]),
    ),
    (
        "space before />",
        b"<meta name=\"go-import\" content=\"example.com/foo git https://a\" />",
        Ok(&["example.com/foo git https://a"]),
    ),
    (
        "slash without >",
        b"<meta name=\"go-import\" content=\"example.com/foo git https://a\" / >",
        Err("XML syntax error on line 1: expected /> in element"),
    ),
    (
        "name-space prefixes are dropped",
        b"<h:meta x:name=\"go-import\" y:CONTENT=\"example.com/foo git https://a\">",
        Ok(&["example.com/foo git https://a"]),
    ),
    (
        "prefix-only names keep the colon",
        b"<meta: name=\"go-import\" content=\"example.com/foo git https://a\">",
        Ok(&[]),
    ),
    (
        "two colons in a name",
        b"<a:b:c><meta name=\"go-import\" content=\"example.com/foo git https://a\">",
        Err("XML syntax error on line 1: expected element name after <"),
    ),
    (
        "name starting with a digit",
        b"<1a><meta name=\"go-import\" content=\"example.com/foo git https://a\">",
        Err("XML syntax error on line 1: invalid XML name: 1a"),
    ),
    (
        "empty tag",
        b"<><meta name=\"go-import\" content=\"example.com/foo git https://a\">",
        Err("XML syntax error on line 1: expected element name after <"),
    ),
    (
        "empty end tag",
        b"</><meta name=\"go-import\" content=\"example.com/foo git https://a\">",
        Err("XML syntax error on line 1: expected element name after </"),
    ),
    (
        "invalid UTF-8 in text",
        b"\xff<meta name=\"go-import\" content=\"example.com/foo git https://a\">",
        Err("XML syntax error on line 1: invalid UTF-8"),
    ),
    (
        "invalid UTF-8 in a comment is fine",
        b"<!-- \xff --><meta name=\"go-import\" content=\"example.com/foo git https://a\">",
        Ok(&["example.com/foo git https://a"]),
    ),
    (
        "invalid UTF-8 in a name",
        b"<m\xffta><meta name=\"go-import\" content=\"example.com/foo git https://a\">",
        Err("XML syntax error on line 1: invalid XML name: m�ta"),
    ),
    (
        "U+FFFE in text",
        b"\xef\xbf\xbe<meta name=\"go-import\" content=\"example.com/foo git https://a\">",
        Err("XML syntax error on line 1: illegal character code U+FFFE"),
    ),
    (
        "control character in text",
        b"\x01<meta name=\"go-import\" content=\"example.com/foo git https://a\">",
        Err("XML syntax error on line 1: illegal character code U+0001"),
    ),
    (
        "CR and CRLF in content",
        b"<meta name=\"go-import\" content=\"example.com/foo\rgit\r\nhttps://a\">",
        Ok(&["example.com/foo git https://a"]),
    ),
    (
        "< inside a quoted value",
        b"<meta name=\"go-import\" content=\"example.com/foo git https://a<b\">",
        Err("XML syntax error on line 1: unescaped < inside quoted string"),
    ),
    (
        "first name attribute wins",
        b"<meta name=\"x\" name=\"go-import\" content=\"example.com/foo git https://a\">",
        Ok(&[]),
    ),
    (
        "first content attribute wins",
        b"<meta name=\"go-import\" content=\"example.com/foo git https://a\" content=\"example.com/foo hg https://b\">",
        Ok(&["example.com/foo git https://a"]),
    ),
    (
        "unterminated tag",
        b"<meta name=\"go-import\" content=\"example.com/foo git https://a\"",
        Err("XML syntax error on line 1: unexpected EOF"),
    ),
    (
        "unterminated quoted value",
        b"<meta name=\"go-import\" content=\"example.com/foo git https://a",
        Err("XML syntax error on line 1: unexpected EOF"),
    ),
    (
        "empty unquoted value",
        b"<a b=><meta name=\"go-import\" content=\"example.com/foo git https://a\">",
        Ok(&["example.com/foo git https://a"]),
    ),
    (
        "non-ASCII white space separates fields",
        b"<meta name=\"go-import\" content=\"example.com/foo\xc2\xa0git\xe2\x80\xa8https://a\">",
        Ok(&["example.com/foo git https://a"]),
    ),
    (
        "zero-width space does not",
        b"<meta name=\"go-import\" content=\"example.com/foo\xe2\x80\x8bgit https://a\">",
        Ok(&[]),
    ),
    (
        "text in a quoted value may contain ]]>",
        b"<meta name=\"go-import\" content=\"example.com/foo git https://a]]>\">",
        Ok(&["example.com/foo git https://a]]>"]),
    ),
    (
        "mod entries first, hiding same-prefix entries",
        b"<meta name=\"go-import\" content=\"example.com/foo git https://g\"><meta name=\"go-import\" content=\"example.com mod https://m1\"><meta name=\"go-import\" content=\"example.com/foo mod https://m2\"><meta name=\"go-import\" content=\"example.com hg https://h\">",
        Ok(&["example.com mod https://m1", "example.com/foo mod https://m2"]),
    ),
];

fn summary(list: &[MetaImport]) -> Vec<String> {
    list.iter()
        .map(|m| {
            let mut s = format!("{} {} {}", m.prefix, m.vcs, m.repo_root);
            if let Some(d) = &m.sub_dir {
                s.push(' ');
                s.push_str(d);
            }
            s
        })
        .collect()
}

#[test]
fn tokenizer_edge_cases_match_go() {
    let mut failures = Vec::new();
    for &(what, page, want) in CASES {
        let got = parse_meta_go_imports(page, ModMode::PreferMod)
            .map(|l| summary(&l))
            .map_err(|e| e.to_string());
        let want = want
            .map(|l| l.iter().map(|s| s.to_string()).collect::<Vec<_>>())
            .map_err(str::to_string);
        if got != want {
            failures.push(format!("{what}: got {got:?}, want {want:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn ignore_mod_drops_mod_entries() {
    let page = br#"<meta name="go-import" content="example.com/foo git https://g"><meta name="go-import" content="example.com mod https://m1"><meta name="go-import" content="example.com/foo mod https://m2"><meta name="go-import" content="example.com hg https://h">"#;
    let list = parse_meta_go_imports(page, ModMode::IgnoreMod).unwrap();
    assert_eq!(
        summary(&list),
        ["example.com/foo git https://g", "example.com hg https://h"]
    );
}

#[test]
fn deep_nesting_is_fine() {
    let mut page = b"<a>".repeat(100_000);
    page.extend_from_slice(br#"<meta name="go-import" content="example.com/foo git https://a">"#);
    let list = parse_meta_go_imports(&page, ModMode::PreferMod).unwrap();
    assert_eq!(summary(&list), ["example.com/foo git https://a"]);
}

#[test]
fn syntax_errors_report_go_line_numbers() {
    // Go raises text errors after reading the whole text or value, and
    // counts the newlines read so far (pushed-back bytes excluded).
    let cases: [(&[u8], &str); 5] = [
        (
            b"\xff\n\n<meta name=\"go-import\" content=\"a git https://b\">",
            "line 3: invalid UTF-8",
        ),
        (
            b"<a\n\n b=\"\n\x01\n\">",
            "line 5: illegal character code U+0001",
        ),
        (b"<\n>", "line 1: expected element name after <"),
        (b"<a\n/\n>", "line 3: expected /> in element"),
        (b"</a\n\nb>", "line 3: invalid characters between </a and >"),
    ];
    for (page, want) in cases {
        let err = parse_meta_go_imports(page, ModMode::PreferMod).unwrap_err();
        assert_eq!(err.to_string(), format!("XML syntax error on {want}"));
    }
}

fn entry(prefix: &str, vcs: &str) -> MetaImport {
    MetaImport {
        prefix: prefix.into(),
        vcs: vcs.into(),
        repo_root: format!("https://{vcs}.example"),
        sub_dir: None,
    }
}

#[test]
fn match_go_import_rules() {
    let list = [entry("example.com/foo", "git")];
    assert_eq!(
        match_go_import(&list, "example.com/foo/bar").unwrap(),
        &list[0]
    );

    let err = match_go_import(&list, "example.com/foobar").unwrap_err();
    assert_eq!(
        err.mismatch_list().unwrap(),
        "meta tag example.com/foo did not match import path example.com/foobar"
    );
    assert_eq!(
        err.to_string(),
        "no go-import meta tags (meta tag example.com/foo did not match import path example.com/foobar)"
    );

    let none = match_go_import(&[], "example.com/x").unwrap_err();
    assert_eq!(none.to_string(), "no go-import meta tags ()");

    let two = [entry("a.com/x", "x1"), entry("a.com/y", "x2")];
    let err = match_go_import(&two, "a.com/z").unwrap_err();
    assert_eq!(
        err.mismatch_list().unwrap(),
        "meta tag a.com/x did not match import path a.com/z, meta tag a.com/y did not match import path a.com/z"
    );
    assert!(matches!(err, MatchError::NoMatch { .. }));

    // A mod match ignores later non-mod entries (PreferMod lists mod first).
    let mixed = [
        entry("a.com", "mod"),
        entry("a.com", "git"),
        entry("a.com", "hg"),
    ];
    assert_eq!(match_go_import(&mixed, "a.com/p").unwrap().vcs, "mod");

    let dup = [entry("a.com", "git"), entry("a.com/p", "hg")];
    let err = match_go_import(&dup, "a.com/p").unwrap_err();
    assert_eq!(
        err.to_string(),
        r#"multiple meta tags match import path "a.com/p""#
    );
    assert_eq!(err.mismatch_list(), None);
}
