//! Inputs the fuzz targets in `fuzz/` found, kept as tests. Each test names the target
//! and says what was wrong; see `fuzz/README.md` for how findings end up here.

use gomod_common::record::{redact_url, scrub_credentials};

/// `sanitize`: the authority after `x://` ended at the `:` of the following `://`, and
/// the scan went on after that authority, so it never saw the second URL and its
/// password survived (`y://htpt://:�uph@` was the fuzzer's input).
#[test]
fn sanitize_url_right_after_another_scheme_is_scrubbed() {
    assert_eq!(scrub_credentials("x://http://u:p@h"), "x://http://u:***@h");
    assert_eq!(
        scrub_credentials("proxyconnect https://https://alice:s3cret@proxy:8080 failed"),
        "proxyconnect https://https://alice:***@proxy:8080 failed"
    );
    assert_eq!(
        scrub_credentials("a://b:c@d://e:f@g/x"),
        "a://b:***@d://e:***@g/x"
    );
    assert_eq!(redact_url("y://htpt://:\u{fffd}uph@"), "y://htpt://:***@");
}

/// `redact`: the start of a secret at the end of a cut body became `***`, which with
/// the `***` of the whole secret just before it spelled the password `******` (the
/// fuzzer's input: user `bob`, password `******`, a body ending in the login's base64
/// `Ym9iOioqKioqKg` and the first seven characters of it again).
#[test]
fn redact_the_mark_at_a_cut_does_not_complete_a_password() {
    gomod_common::redact::register_login("bob", "******");
    let cut = gomod_common::redact::scrub_cut(r#","T"Ym9iOioqKioqKgYm9iOio"#);
    assert!(!cut.contains("******"), "{cut}");
    assert_eq!(cut, r#","T"***"#);
}

/// `redact`: escaping spelled a password anew. The password `X3\r0***\b[\x00u` (the
/// backslashes as text) came back when `untrusted` escaped a body holding a carriage
/// return, the password's `%q` form (scrubbed to `***`) and a user name that starts
/// with control characters (the fuzzer's input, selectors 6 and 11).
#[test]
fn redact_escaping_does_not_spell_a_password_anew() {
    let user = "\x08[\x00user";
    let password = r"X3\r0***\b[\x00u";
    gomod_common::redact::register_login(user, password);
    let body = format!(r"X3{}0X3\\r0***\\b[\\x00u{user}:{password}", '\r');
    let shown = gomod_common::record::untrusted(&body, 842);
    assert!(!shown.contains(password), "{shown}");
}
