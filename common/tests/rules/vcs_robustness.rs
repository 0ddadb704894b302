//! No parser may panic or stall on arbitrary input: a few hundred odd byte
//! strings (random, mutated markup, unterminated constructs, deep nesting,
//! huge values, invalid UTF-8) go through every entry point. Quadratic or
//! looping behaviour would show up as this test hanging on the large inputs.

use gomod_common::discovery::{MetaImport, ModMode, match_go_import, parse_meta_go_imports};
use gomod_common::goquote::quote_bytes;
use gomod_common::govcs::{check_govcs, parse_govcs};
use gomod_common::pattern::match_prefix_patterns;
use gomod_common::vcs::{
    check_go_import, check_wildcard_root, go_get_url, repo_root_from_vcs_paths, validate_repo_root,
};

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a [u8]]) -> &'a [u8] {
        items[self.below(items.len())]
    }
}

const PIECES: &[&[u8]] = &[
    b"<",
    b">",
    b"</",
    b"/>",
    b"<!--",
    b"-->",
    b"--",
    b"<!",
    b"<![CDATA[",
    b"]]>",
    b"<?xml",
    b"?>",
    b"<!DOCTYPE",
    b" encoding=\"",
    b" version='",
    b"\"",
    b"'",
    b"=",
    b" ",
    b"\n",
    b"\r\n",
    b"&",
    b"&amp;",
    b"&#",
    b"&#x",
    b"1234",
    b";",
    b"meta",
    b"name",
    b"content",
    b"go-import",
    b"example.com/foo git https://a",
    b" mod ",
    b"head",
    b"body",
    b"a:b",
    b":",
    b"\xff",
    b"\x00",
    b"\xc3",
    b"\xe2\x80\xa8",
    b"%",
    b"%zz",
    b"[",
    b"]",
    b"::1",
    b"https://",
    b"file:",
    b"@",
    b"/",
    b".git",
    b"github.com",
    b"|",
    b",",
    b"*",
    b"\\",
    b"~",
    b"...",
];

fn inputs() -> Vec<Vec<u8>> {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut out = Vec::new();
    for _ in 0..200 {
        let len = rng.below(64);
        out.push((0..len).map(|_| rng.next() as u8).collect());
    }
    for _ in 0..300 {
        let mut s = Vec::new();
        for _ in 0..rng.below(30) {
            s.extend_from_slice(rng.pick(PIECES));
        }
        out.push(s);
    }
    let meta = br#"<meta name="go-import" content="example.com/foo git https://a">"#;
    let big = 1 << 20;
    out.extend([
        b"<a>".repeat(200_000),
        b"<a".repeat(100_000),
        [&b"<meta name=\""[..], &vec![b'x'; big], b"\">"].concat(),
        [
            &b"<meta content=\""[..],
            &b"a ".repeat(big / 2),
            b"\">",
            meta,
        ]
        .concat(),
        [&b"<p>&#"[..], &vec![b'0'; big], b";"].concat(),
        [&b"<!DOCTYPE "[..], &b"<".repeat(big)].concat(),
        [&b"<!DOCTYPE "[..], &b"<!-- -->".repeat(big / 8), b">", meta].concat(),
        [&b"<?xml "[..], &b"encoding=x".repeat(big / 10), b"?>"].concat(),
        b"&".repeat(big),
        b"\n".repeat(big),
        [&b"\xff"[..], &b"\n".repeat(big), b"<"].concat(),
        [&meta[..], &b"<p>".repeat(big / 3)].concat(),
        meta.repeat(20_000),
        vec![0xff; big],
    ]);
    out
}

#[test]
fn no_input_panics() {
    let mut rng = Rng(42);
    for input in inputs() {
        let text = String::from_utf8_lossy(&input);
        let path: &str = &text.chars().take(200).collect::<String>();

        for mode in [ModMode::PreferMod, ModMode::IgnoreMod] {
            if let Ok(list) = parse_meta_go_imports(&input, mode) {
                let _ = match_go_import(&list, path);
                let _ = match_go_import(&list, "example.com/foo/bar");
            }
        }
        let entry = MetaImport {
            prefix: path.to_string(),
            vcs: path.to_string(),
            repo_root: text.to_string(),
            sub_dir: Some(path.to_string()),
        };
        let _ = match_go_import(std::slice::from_ref(&entry), &text);
        let _ = check_go_import(&text, &entry);
        let _ = validate_repo_root(&text);
        let _ = quote_bytes(&input);

        let insecure = rng.below(2) == 0;
        let _ = repo_root_from_vcs_paths(&text, insecure, path);
        if let Ok(url) = go_get_url(&text, insecure) {
            let _ = (url.https(), url.schemeless(), url.http_fallback());
        }
        let _ = check_wildcard_root(&text, path);

        if let Ok(cfg) = parse_govcs(&text) {
            for vcs in ["git", "svn", "mod", "bzr"] {
                let _ = cfg.check(path, vcs, &text).map(|v| v.refusal());
            }
        }
        let _ = check_govcs(path, &text, "hg", path);
        let _ = match_prefix_patterns(path, &text);
    }
}
