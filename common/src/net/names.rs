//! Which host names are public: names reserved for local use never are; the go
//! command's own services and the big code hosts always are. Used to judge answers
//! (a private address for a public name) and certificates (a private CA for a
//! public name).

/// Names reserved for local use (RFC 6761, RFC 8375, common private suffixes): they
/// are never public, whatever they resolve to.
pub fn is_local_use_name(name: &str) -> bool {
    const LOCAL_SUFFIXES: &[&str] = &[
        "localhost",
        "local",
        "internal",
        "home.arpa",
        "test",
        "example",
        "invalid",
        "lan",
        "corp",
        "intranet",
        "localdomain",
    ];
    LOCAL_SUFFIXES.iter().any(|suffix| has_suffix(name, suffix)) || !name.contains('.')
}

/// Public services the go command talks to by default, and the code hosts most
/// modules live on: a private address for one of them is never legitimate.
pub fn is_well_known_public(name: &str) -> bool {
    const PUBLIC_SUFFIXES: &[&str] = &[
        "golang.org",
        "go.dev",
        "googlesource.com",
        "googleapis.com",
        "github.com",
        "githubusercontent.com",
        "gitlab.com",
        "bitbucket.org",
        "gopkg.in",
    ];
    PUBLIC_SUFFIXES
        .iter()
        .any(|suffix| has_suffix(name, suffix))
}

/// `name` is `suffix` or ends in `.suffix` (ASCII case and a final dot ignored).
fn has_suffix(name: &str, suffix: &str) -> bool {
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    name == suffix
        || name
            .strip_suffix(suffix)
            .is_some_and(|rest| rest.ends_with('.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_and_public_names() {
        for local in [
            "localhost",
            "a.localhost",
            "printer.local",
            "git.corp",
            "x.internal",
            "router.home.arpa",
            "nodots",
            "Example.TEST.",
        ] {
            assert!(is_local_use_name(local), "{local}");
        }
        for public in [
            "proxy.golang.org",
            "Sum.Golang.Org.",
            "github.com",
            "codeload.github.com",
            "go.dev",
        ] {
            assert!(is_well_known_public(public), "{public}");
            assert!(!is_local_use_name(public), "{public}");
        }
        assert!(!is_well_known_public("notgolang.org"));
        assert!(!is_well_known_public("golang.org.evil.example"));
    }
}
