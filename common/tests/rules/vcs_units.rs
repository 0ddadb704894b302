//! Behaviour beyond vcs.json. Expectations marked "Go-confirmed" were
//! checked by running Go 1.27.3's own code on the same input.

use gomod_common::discovery::MetaImport;
use gomod_common::goquote::{quote, quote_bytes};
use gomod_common::govcs::{DecidingRule, GovcsError, Visibility, check_govcs, parse_govcs};
use gomod_common::vcs::{
    RepoRootError, VcsError, VcsKind, check_go_import, check_wildcard_root, go_get_url,
    repo_root_from_vcs_paths, validate_repo_root,
};

#[test]
fn go_get_url_forms() {
    // Go-confirmed: url.URL.String escapes the path.
    let url = go_get_url("example.com/a b", false).unwrap();
    assert_eq!(url.https(), "https://example.com/a%20b?go-get=1");
    assert_eq!(url.schemeless(), "//example.com/a%20b?go-get=1");
    assert_eq!(url.http_fallback(), None);

    let url = go_get_url("example.com:8443", true).unwrap();
    assert_eq!(url.path, "/");
    assert_eq!(url.https(), "https://example.com:8443/?go-get=1");
    assert_eq!(
        url.http_fallback().as_deref(),
        Some("http://example.com:8443/?go-get=1")
    );

    let err = go_get_url("localhost/x", false).unwrap_err();
    assert_eq!(err.to_string(), "import path does not begin with hostname");
}

#[test]
fn generic_rule_schemes() {
    let secure = repo_root_from_vcs_paths("example.com/r.git/sub", false, "")
        .unwrap()
        .unwrap();
    assert_eq!(
        (secure.root.as_str(), secure.repo.as_str()),
        ("example.com/r.git", "example.com/r")
    );
    assert!(secure.needs_scheme_probe);
    assert_eq!(secure.schemes, ["https", "git+ssh", "ssh"]);

    let insecure = repo_root_from_vcs_paths("example.com/r.git", true, "")
        .unwrap()
        .unwrap();
    assert_eq!(insecure.schemes, ["git", "https", "http", "git+ssh", "ssh"]);

    // GIT_ALLOW_PROTOCOL replaces the secure set for git only.
    let allowed = repo_root_from_vcs_paths("example.com/r.git", false, "git:ssh")
        .unwrap()
        .unwrap();
    assert_eq!(allowed.schemes, ["git", "ssh"]);
    let none = repo_root_from_vcs_paths("example.com/r.git", false, "file")
        .unwrap()
        .unwrap();
    assert!(none.needs_scheme_probe && none.schemes.is_empty());
    let hg = repo_root_from_vcs_paths("example.com/r.hg", false, "git")
        .unwrap()
        .unwrap();
    assert_eq!(hg.schemes, ["https", "ssh"]);

    // Fossil has no ping: Go takes the first acceptable scheme.
    let fossil = repo_root_from_vcs_paths("example.com/r.fossil", false, "")
        .unwrap()
        .unwrap();
    assert_eq!(fossil.repo, "https://example.com/r");
    assert!(!fossil.needs_scheme_probe && fossil.schemes.is_empty());

    assert_eq!(
        VcsError::NoProtocol { secure_only: false }.to_string(),
        "no protocol found for repository"
    );
}

#[test]
fn static_table_details() {
    // Go's \w is ASCII-only, so a non-ASCII element is invalid.
    let err = repo_root_from_vcs_paths("github.com/user/ré", false, "").unwrap_err();
    assert_eq!(
        err.to_string(),
        r#"invalid github.com import path "github.com/user/ré""#
    );
    let err = repo_root_from_vcs_paths("hub.jazz.net/git/u/r.svn", false, "").unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid version control suffix in hub.jazz.net/git/ path"
    );
    // .bzr is no longer a VCS suffix in Go 1.27.
    let root = repo_root_from_vcs_paths("github.com/u/r.bzr", false, "")
        .unwrap()
        .unwrap();
    assert_eq!(root.repo, "https://github.com/u/r.bzr");
    assert_eq!(
        repo_root_from_vcs_paths("github.company.com/x", false, ""),
        Ok(None)
    );
    assert_eq!(
        repo_root_from_vcs_paths("example.net", false, "").unwrap_err(),
        VcsError::ExampleNet
    );
    assert_eq!(repo_root_from_vcs_paths("rsc.io/x", false, ""), Ok(None));
}

fn entry(vcs: &str, repo_root: &str, sub_dir: Option<&str>) -> MetaImport {
    MetaImport {
        prefix: "example.com/m".into(),
        vcs: vcs.into(),
        repo_root: repo_root.into(),
        sub_dir: sub_dir.map(Into::into),
    }
}

#[test]
fn go_import_checks_in_go_order() {
    let url = "https://example.com/m?go-get=1";
    assert_eq!(
        check_go_import(url, &entry("git", "https://r", Some("sub/dir"))),
        Ok(VcsKind::Git)
    );
    assert_eq!(
        check_go_import(url, &entry("mod", "http://p", None)),
        Ok(VcsKind::Mod)
    );

    let err = check_go_import(url, &entry("bzr", "file:///r", Some("/abs"))).unwrap_err();
    assert_eq!(
        err.to_string(),
        r#"https://example.com/m?go-get=1: invalid subdirectory "/abs": leading slash"#
    );
    let err = check_go_import(url, &entry("git", "https://r", Some("-x"))).unwrap_err();
    assert!(
        err.to_string()
            .ends_with(r#"invalid subdirectory "-x": leading hyphen"#)
    );
    let err = check_go_import(url, &entry("bzr", "file:///r", None)).unwrap_err();
    assert_eq!(
        err.to_string(),
        r#"https://example.com/m?go-get=1: invalid repo root "file:///r": file scheme disallowed"#
    );
    let err = check_go_import(url, &entry("Git", "ssh://r", None)).unwrap_err();
    assert_eq!(
        err.to_string(),
        r#"https://example.com/m?go-get=1: unknown vcs "Git""#
    );
}

#[test]
fn repo_root_url_parsing() {
    // Go-confirmed url.Parse results.
    let cases = [
        ("https://[fe80::1%25en0]/x", None),
        (
            "http://a:b:c/",
            Some(r#"parse "http://a:b:c/": invalid port ":b:c" after host"#),
        ),
        (
            "ssh://a:b:c/",
            Some(r#"parse "ssh://a:b:c/": invalid port ":c" after host"#),
        ),
        ("ssh://a:1:2/", None),
        ("https://u:p@h/", None),
        (
            "https://[1.2.3.4]/",
            Some(r#"parse "https://[1.2.3.4]/": invalid IP-literal"#),
        ),
        (
            "https://h/#%zz",
            Some(r#"parse "https://h/#%zz": invalid URL escape "%zz""#),
        ),
        ("mailto:x", None),
        ("/abs", Some("no scheme")),
        ("file:x", Some("file scheme disallowed")),
        ("FILE:///x", Some("file scheme disallowed")),
    ];
    for (root, want) in cases {
        let got = validate_repo_root(root).err().map(|e| e.to_string());
        assert_eq!(got.as_deref(), want, "{root}");
    }
    assert!(matches!(
        validate_repo_root("x"),
        Err(RepoRootError::NoScheme)
    ));
}

#[test]
fn wildcard_roots() {
    assert_eq!(
        check_wildcard_root("github.com/a/b...", "github.com/a/b..."),
        Err(VcsError::WildcardRoot {
            import_path: "github.com/a/b...".into()
        })
    );
    assert_eq!(
        VcsError::WildcardRoot {
            import_path: "a/...".into()
        }
        .to_string(),
        r#"cannot expand ... in "a/...""#
    );
    assert_eq!(
        check_wildcard_root("github.com/a/b/...", "github.com/a/b"),
        Ok(())
    );
}

#[test]
fn govcs_verdicts_name_the_deciding_rule() {
    let cfg = parse_govcs("github.com:git, evil.com:off, *:git|hg").unwrap();
    let v = cfg.check("", "git", "evil.com/x").unwrap();
    assert!(!v.allowed);
    assert_eq!(v.rule, DecidingRule::User("evil.com:off".into()));
    assert_eq!(
        v.refusal().unwrap().to_string(),
        "GOVCS disallows using git for public evil.com/x; see 'go help vcs'"
    );

    let v = parse_govcs("")
        .unwrap()
        .check("*.corp", "svn", "git.corp/r")
        .unwrap();
    assert!(v.allowed);
    assert_eq!(
        (v.visibility, v.rule.clone()),
        (Visibility::Private, DecidingRule::Default("private:all"))
    );
    assert_eq!(v.refusal(), None);

    let v = parse_govcs("")
        .unwrap()
        .check("", "fossil", "example.com/r")
        .unwrap();
    assert_eq!(
        (v.allowed, v.rule),
        (false, DecidingRule::Default("public:git|hg"))
    );

    // `public`/`private` rules match by GOPRIVATE, and "all" allows anything.
    let v = parse_govcs("private:all,public:svn")
        .unwrap()
        .check("x.com", "svn", "y.com/r")
        .unwrap();
    assert_eq!(
        (v.allowed, v.rule),
        (true, DecidingRule::User("public:svn".into()))
    );
}

#[test]
fn govcs_mod_and_errors() {
    // checkGOVCS returns before reading GOVCS for mod.
    let v = check_govcs("bad", "", "mod", "example.com").unwrap();
    assert_eq!((v.allowed, v.rule), (true, DecidingRule::ModAlwaysAllowed));
    assert_eq!(
        check_govcs("bad", "", "git", "example.com")
            .unwrap_err()
            .to_string(),
        r#"malformed entry in GOVCS (missing colon): "bad""#
    );
    assert_eq!(
        parse_govcs("..:git").unwrap_err(),
        GovcsError::RelativePattern("..".into())
    );
    assert_eq!(
        parse_govcs("a:git, a :hg").unwrap_err().to_string(),
        r#"unreachable pattern in GOVCS: "a :hg" after "a:git""#
    );
    assert_eq!(
        check_govcs("", "", "bzr", "x.com").unwrap_err().to_string(),
        r#"unknown version control system "bzr""#
    );
}

#[test]
fn go_quoting() {
    // Go-confirmed strconv.Quote results.
    let cases: [(&[u8], &str); 12] = [
        ("\u{ad}".as_bytes(), r#""\u00ad""#),
        ("\u{85}".as_bytes(), r#""\u0085""#),
        ("😀".as_bytes(), "\"😀\""),
        ("\u{200b}".as_bytes(), r#""\u200b""#),
        (b"\x7f", r#""\x7f""#),
        (b"\xc3\xa9\xff", "\"é\\xff\""),
        ("\u{378}".as_bytes(), r#""\u0378""#),
        ("\u{e0001}".as_bytes(), r#""\U000e0001""#),
        (br#"a"b\c"#, r#""a\"b\\c""#),
        (b"\x07\x08\x0c\n\r\t\x0b", r#""\a\b\f\n\r\t\v""#),
        ("\u{3000}".as_bytes(), r#""\u3000""#),
        ("\u{e000}".as_bytes(), r#""\ue000""#),
    ];
    for (input, want) in cases {
        assert_eq!(quote_bytes(input), want, "{input:?}");
    }
    assert_eq!(quote("example.com"), r#""example.com""#);
}
