//! The two tools whose probes come later say so plainly and probe nothing.

use crate::Sandbox;

const NOT_YET: &[(&str, &str)] = &[
    ("gomod-sumverify", "checksum"),
];

#[test]
fn unfinished_tools_refuse_to_pretend() {
    for (tool, probe) in NOT_YET {
        let run = Sandbox::new().run(tool, &["example.com"]);
        assert_eq!(run.status, 2, "{tool}");
        assert!(run.stdout.is_empty(), "{tool} must not write records");
        assert!(
            run.stderr
                .contains(&format!("the {probe} probe is not implemented yet")),
            "{tool}: {}",
            run.stderr
        );
        let help = Sandbox::new().run(tool, &["--help"]);
        assert_eq!(help.status, 0);
        assert!(
            help.stdout.contains("NOT IMPLEMENTED YET"),
            "{tool} --help must say so"
        );
        let version = Sandbox::new().run(tool, &["--version"]);
        assert_eq!(
            version.stdout.trim(),
            format!("{tool} {}", env!("CARGO_PKG_VERSION"))
        );
    }
}
