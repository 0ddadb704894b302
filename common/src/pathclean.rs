//! Lexical path cleaning as Go's `path.Clean` does it (slash-separated; on Unix
//! `filepath.Clean` and `filepath.Join` follow the same rules).

/// Returns the shortest path equivalent to `path` by purely lexical processing:
/// repeated slashes collapse, `.` elements go, `..` removes the element before it
/// (or is dropped at the root), and an empty result becomes `.`. Mirrors `path.Clean`.
pub fn clean(path: &str) -> String {
    if path.is_empty() {
        return ".".to_string();
    }
    let rooted = path.starts_with('/');
    let mut out = String::with_capacity(path.len());
    // Where `out` may not be backed over: after the root, or after leading `..`s.
    let mut floor = 0;
    if rooted {
        out.push('/');
        floor = 1;
    }
    for elem in path.split('/') {
        match elem {
            "" | "." => {}
            ".." => {
                if out.len() > floor {
                    let cut = out[floor..].rfind('/').map_or(floor, |i| floor + i);
                    out.truncate(cut);
                } else if !rooted {
                    if !out.is_empty() {
                        out.push('/');
                    }
                    out.push_str("..");
                    floor = out.len();
                }
            }
            _ => {
                if out.len() > usize::from(rooted) {
                    out.push('/');
                }
                out.push_str(elem);
            }
        }
    }
    if out.is_empty() {
        out.push('.');
    }
    out
}

/// Joins path elements with `/` and cleans the result, skipping empty elements;
/// all-empty input gives the empty string. Mirrors `path.Join` / Unix `filepath.Join`.
pub fn join(elems: &[&str]) -> String {
    let non_empty: Vec<&str> = elems.iter().copied().filter(|e| !e.is_empty()).collect();
    if non_empty.is_empty() {
        return String::new();
    }
    clean(&non_empty.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_matches_go_examples() {
        // Expected values are those of Go's path.Clean documentation and tests.
        let cases = [
            ("", "."),
            ("a/c", "a/c"),
            ("a//c", "a/c"),
            ("a/c/.", "a/c"),
            ("a/c/b/..", "a/c"),
            ("/../a/c", "/a/c"),
            ("/../a/b/../././/c", "/a/c"),
            ("..", ".."),
            ("../..", "../.."),
            ("../../abc", "../../abc"),
            ("/", "/"),
            ("//", "/"),
            ("abc/../..", ".."),
            ("abc/./../def", "def"),
            ("/home/u/", "/home/u"),
        ];
        for (input, want) in cases {
            assert_eq!(clean(input), want, "clean({input:?})");
        }
    }

    #[test]
    fn join_skips_empty_elements() {
        assert_eq!(join(&["/home/u", "go"]), "/home/u/go");
        assert_eq!(join(&["/a/", "pkg/mod"]), "/a/pkg/mod");
        assert_eq!(join(&["", ""]), "");
        assert_eq!(join(&["", "x"]), "x");
    }
}
