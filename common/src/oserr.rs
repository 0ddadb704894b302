//! Operating-system errors worded the way Go prints them (`open /x: permission denied`),
//! so that `go_error` fields match what users see from the go command.

use std::io;
use std::path::Path;

/// The text Go's `syscall.Errno.Error()` gives for an I/O error: the C library's
/// message with a lower-case first letter and without Rust's ` (os error N)` suffix.
pub fn errno_text(err: &io::Error) -> String {
    if err.raw_os_error().is_none() {
        return err.to_string();
    }
    let text = err.to_string();
    let text = match text.rfind(" (os error ") {
        Some(pos) => &text[..pos],
        None => &text[..],
    };
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Go's `*fs.PathError` text: `<op> <path>: <errno text>`, e.g.
/// `open /etc/go/env: permission denied`.
pub fn path_error(op: &str, path: &Path, err: &io::Error) -> String {
    format!("{op} {}: {}", path.display(), errno_text(err))
}

/// Go's text for a failed `os.ReadFile`: reading a directory fails at `read`, every
/// other failure at `open`.
pub fn read_file_error(path: &Path, err: &io::Error) -> String {
    let op = if err.kind() == io::ErrorKind::IsADirectory {
        "read"
    } else {
        "open"
    };
    path_error(op, path, err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errno_text_is_lower_case_without_suffix() {
        let err = io::Error::from_raw_os_error(2);
        assert_eq!(errno_text(&err), "no such file or directory");
        let err = io::Error::from_raw_os_error(13);
        assert_eq!(
            path_error("open", Path::new("/x"), &err),
            "open /x: permission denied"
        );
    }

    #[test]
    fn reading_a_directory_fails_at_read() {
        let err = std::fs::read("/").unwrap_err();
        assert_eq!(
            read_file_error(Path::new("/"), &err),
            "read /: is a directory"
        );
    }
}
