//! Direct-mode path rules: `direct::static_lookup` (the static table and the go-get
//! URL), `vcs::validate_repo_root`, `vcs::check_go_import`, `vcs::check_wildcard_root`
//! (`<flags> <import path> 0xFF <GIT_ALLOW_PROTOCOL> 0xFF <repo root> 0xFF <vcs>
//! 0xFF <subdir>`).
//!
//! Asserts: no panic; a static root is part of the import path and ends at an element
//! boundary; the go-get URL's host is the first path element and contains a dot;
//! `check_go_import` accepts a tag only with a known VCS and a repo root that
//! `validate_repo_root` accepts.
#![no_main]

use gomod_common::direct::{self, StaticOutcome};
use gomod_common::discovery::MetaImport;
use gomod_common::vcs;
use gomod_fuzz::text_fields;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let [import_path, allow, repo_root, vcs_name, sub_dir] = text_fields::<5>(rest);
    let insecure = flags & 1 != 0;
    match direct::static_lookup(&import_path, insecure, &allow) {
        Ok(StaticOutcome::Known(root)) => {
            // Go's generic pattern is not anchored at the start (`FindStringSubmatch`),
            // so the root may begin inside the first element; it always ends at an
            // element boundary.
            assert!(
                import_path.ends_with(&root.root)
                    || import_path.contains(&format!("{}/", root.root)),
                "{:?} for {import_path:?}",
                root.root
            );
            assert_eq!(root.needs_scheme_probe, !root.repo.contains("://"));
            let _ = vcs::check_wildcard_root(&import_path, &root.root);
        }
        Ok(StaticOutcome::Discover(url)) => {
            assert!(url.host.contains('.'));
            assert_eq!(import_path.split('/').next(), Some(url.host.as_str()));
            let _ = (url.https(), url.http_fallback(), url.schemeless());
        }
        Err(e) => {
            let _ = e.go_text;
        }
    }
    let entry = MetaImport {
        prefix: import_path.clone(),
        vcs: vcs_name.clone(),
        repo_root: repo_root.clone(),
        sub_dir: (flags & 2 != 0).then(|| sub_dir.clone()),
    };
    if let Ok(kind) = vcs::check_go_import("https://example.com/?go-get=1", &entry) {
        assert_eq!(kind.cmd(), vcs_name);
        assert!(vcs::validate_repo_root(&repo_root).is_ok());
    }
});
