//! GOVCS: `govcs::parse_govcs`, `GovcsConfig::check` and `check_govcs`
//! (`<GOVCS> 0xFF <GOPRIVATE> 0xFF <vcs> 0xFF <root>`).
//!
//! Asserts: no panic; `mod` is always allowed; a verdict's visibility is private
//! exactly when the root matches GOPRIVATE; `refusal()` is `Some` exactly when the VCS
//! is not allowed; a deciding user rule is one of the parsed items; without user
//! rules the defaults decide (private: all; public: git and hg); `check_govcs` agrees
//! with parse + check.
#![no_main]

use gomod_common::govcs::{self, DecidingRule, Visibility};
use gomod_common::pattern;
use gomod_fuzz::text_fields;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let [value, goprivate, vcs, root] = text_fields::<4>(data);
    let mod_verdict =
        govcs::check_govcs(&value, &goprivate, "mod", &root).expect("mod is never refused");
    assert!(mod_verdict.allowed);
    let parsed = govcs::parse_govcs(&value);
    let config = match &parsed {
        Ok(config) => config,
        Err(e) => {
            let _ = e.to_string();
            assert_eq!(
                govcs::check_govcs(&value, &goprivate, "git", &root).as_ref(),
                Err(e)
            );
            return;
        }
    };
    let private = pattern::match_prefix_patterns(&goprivate, &root);
    for name in [vcs.as_str(), "git", "hg", "svn", "fossil", "mod", "bzr"] {
        let verdict = match config.check(&goprivate, name, &root) {
            Ok(v) => v,
            Err(e) => {
                let _ = e.to_string();
                continue;
            }
        };
        assert_eq!(verdict.visibility == Visibility::Private, private);
        assert_eq!(verdict.refusal().is_some(), !verdict.allowed);
        if let Some(refusal) = verdict.refusal() {
            let _ = refusal.to_string();
        }
        match &verdict.rule {
            DecidingRule::ModAlwaysAllowed => assert_eq!(name, "mod"),
            DecidingRule::User(item) => assert!(value.split(',').any(|i| i.trim() == item)),
            DecidingRule::Default(_) => {
                let expected = private || matches!(name, "git" | "hg");
                assert_eq!(verdict.allowed, expected);
            }
        }
        if name == "mod" {
            assert!(verdict.allowed);
        }
        assert_eq!(
            govcs::check_govcs(&value, &goprivate, name, &root),
            Ok(verdict)
        );
    }
});
