//! Names for the temporary files the tools write before renaming them into place, and
//! the removal of those a killed run left behind.
//!
//! A temporary file is named `.<tool>-<owner>-<pid>-<unique>.tmp`: `<owner>` tells this
//! machine, boot and PID namespace from others sharing the directory (a network file
//! system, a volume mounted in containers), `<pid>` is the process that writes it.
//!
//! Before a tool writes into a directory it removes the stale temporary files of the
//! same tool there, and nothing else. A file is stale when it is a regular file of this
//! user whose name is the tool's and
//!
//! * its owner is this machine, boot and PID namespace, and its process is gone; or
//! * it has not been modified for [`STALE_AFTER`] (a file of another machine, whose
//!   processes cannot be seen from here, or of an older release that did not put its
//!   process in the name).
//!
//! A file whose process still runs is never touched before [`STALE_AFTER`], nor is a
//! symbolic link, a directory, another user's file or a name of any other program.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, SystemTime};

/// How long a temporary file must lie unmodified before it counts as abandoned when
/// its process cannot be checked.
pub const STALE_AFTER: Duration = Duration::from_secs(24 * 3600);

/// The suffix of every temporary file.
pub const SUFFIX: &str = ".tmp";

/// `.<tool>-<owner>-<pid>-`: how this process's temporary files of `tool` start.
pub fn prefix(tool: &str) -> String {
    format!(".{tool}-{}-{}-", owner(), std::process::id())
}

/// This machine, boot and PID namespace, as 8 hex digits (`x` when unknown: then only
/// the age of a file tells it is stale).
fn owner() -> &'static str {
    static OWNER: OnceLock<String> = OnceLock::new();
    OWNER.get_or_init(|| {
        let boot = std::fs::read_to_string("/proc/sys/kernel/random/boot_id").ok();
        let namespace = std::fs::read_link("/proc/self/ns/pid").ok();
        match (boot, namespace) {
            (Some(boot), Some(namespace)) => {
                use sha2::Digest;
                let digest = sha2::Sha256::new()
                    .chain_update(boot.trim().as_bytes())
                    .chain_update(b"\0")
                    .chain_update(namespace.as_os_str().as_encoded_bytes())
                    .finalize();
                digest[..4].iter().map(|b| format!("{b:02x}")).collect()
            }
            _ => "x".to_string(),
        }
    })
}

/// What a name says about a temporary file of `tool`.
#[derive(Debug, PartialEq, Eq)]
enum Parsed<'a> {
    /// Not a temporary file of this tool.
    Foreign,
    /// The tool's, with the owner and process that made it.
    Owned { owner: &'a str, pid: u32 },
    /// The tool's, from a release that did not name its process.
    Unowned,
}

fn parse<'a>(name: &'a str, tool: &str) -> Parsed<'a> {
    let Some(rest) = name
        .strip_prefix('.')
        .and_then(|n| n.strip_prefix(tool))
        .and_then(|n| n.strip_prefix('-'))
        .and_then(|n| n.strip_suffix(SUFFIX))
    else {
        return Parsed::Foreign;
    };
    let mut parts = rest.splitn(3, '-');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(owner), Some(pid), Some(unique))
            if !unique.is_empty()
                && (owner == "x"
                    || (owner.len() == 8 && owner.bytes().all(|b| b.is_ascii_hexdigit()))) =>
        {
            match pid.parse() {
                Ok(pid) => Parsed::Owned { owner, pid },
                Err(_) => Parsed::Unowned,
            }
        }
        // `tempfile`'s own names (`.gomod-fetch-AbC123.tmp`), as earlier releases made.
        _ if !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_alphanumeric()) => Parsed::Unowned,
        _ => Parsed::Foreign,
    }
}

/// Whether process `pid` of this PID namespace runs.
fn process_runs(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return true;
    };
    if pid <= 0 {
        return true;
    }
    // SAFETY: signal 0 sends nothing; it only asks whether the process exists.
    let sent = unsafe { libc::kill(pid, 0) };
    sent == 0 || std::io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH)
}

/// Removes the stale temporary files of `tool` in `dir` (see the module documentation),
/// once per directory and tool per process; returns the files removed. Failures are
/// ignored: a file that cannot be removed stays, as before.
pub fn remove_stale(dir: &Path, tool: &str) -> Vec<PathBuf> {
    static DONE: OnceLock<Mutex<HashSet<(PathBuf, String)>>> = OnceLock::new();
    let done = DONE.get_or_init(Mutex::default);
    if !done
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .insert((dir.to_path_buf(), tool.to_string()))
    {
        return Vec::new();
    }
    remove_stale_now(dir, tool, SystemTime::now())
}

fn remove_stale_now(dir: &Path, tool: &str, now: SystemTime) -> Vec<PathBuf> {
    use std::os::unix::fs::MetadataExt;
    let mut removed = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return removed;
    };
    // SAFETY: geteuid has no preconditions and cannot fail.
    let uid = unsafe { libc::geteuid() };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        let parsed = parse(name, tool);
        if parsed == Parsed::Foreign {
            continue;
        }
        let path = entry.path();
        // Not followed: a symbolic link is never ours.
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        if !meta.file_type().is_file() || meta.uid() != uid {
            continue;
        }
        let idle = meta
            .modified()
            .ok()
            .and_then(|m| now.duration_since(m).ok())
            .unwrap_or(Duration::ZERO);
        let stale = match parsed {
            Parsed::Owned { owner: o, pid } if o != "x" && o == owner() => {
                !process_runs(pid) || idle >= STALE_AFTER
            }
            _ => idle >= STALE_AFTER,
        };
        if stale && std::fs::remove_file(&path).is_ok() {
            removed.push(path);
        }
    }
    removed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_told_apart() {
        let tool = "gomod-fetch";
        assert_eq!(
            parse(".gomod-fetch-0123abcd-42-Xy12z.tmp", tool),
            Parsed::Owned {
                owner: "0123abcd",
                pid: 42
            }
        );
        assert_eq!(parse(".gomod-fetch-AbC123.tmp", tool), Parsed::Unowned);
        for foreign in [
            "gomod-fetch-0123abcd-42-Xy12z.tmp",
            ".gomod-fetch-0123abcd-42-Xy12z",
            ".gomod-fetchx-AbC123.tmp",
            ".gomod-fetch-.tmp",
            ".gomod-fetch-a b.tmp",
            "v1.0.0.zip",
            ".v1.0.0.zip1234.tmp",
        ] {
            assert_eq!(parse(foreign, tool), Parsed::Foreign, "{foreign}");
        }
        let mine = format!("{}abc{SUFFIX}", prefix(tool));
        assert!(
            matches!(parse(&mine, tool), Parsed::Owned { pid, .. } if pid == std::process::id())
        );
    }

    #[test]
    fn only_stale_files_of_the_tool_go() {
        let dir = std::env::temp_dir().join(format!("gomod-tempfiles-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let tool = "gomod-fetch";
        // A process that has ended: spawn one and wait for it.
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let gone = child.id();
        child.wait().unwrap();
        let dead = format!(".{tool}-{}-{gone}-a{SUFFIX}", owner());
        let alive = format!("{}b{SUFFIX}", prefix(tool));
        let other_machine = format!(".{tool}-ffffffff-{gone}-c{SUFFIX}");
        let old_style = format!(".{tool}-AbC123{SUFFIX}");
        let foreign = ".v1.0.0.zip123.tmp".to_string();
        for name in [&dead, &alive, &other_machine, &old_style, &foreign] {
            std::fs::write(dir.join(name), b"x").unwrap();
        }
        std::os::unix::fs::symlink("/etc/hostname", dir.join(format!(".{tool}-Link12{SUFFIX}")))
            .unwrap();
        let removed = remove_stale_now(&dir, tool, SystemTime::now());
        let expected = if owner() == "x" {
            vec![]
        } else {
            vec![dir.join(&dead)]
        };
        assert_eq!(removed, expected);
        // A day unmodified, every file of the tool is stale, even a live process's.
        let later = SystemTime::now() + STALE_AFTER + Duration::from_secs(1);
        let mut removed = remove_stale_now(&dir, tool, later);
        removed.sort();
        let mut expected: Vec<PathBuf> = [&other_machine, &old_style, &alive]
            .iter()
            .map(|n| dir.join(n))
            .collect();
        if owner() == "x" {
            expected.push(dir.join(&dead));
        }
        expected.sort();
        assert_eq!(removed, expected);
        assert!(dir.join(&foreign).exists());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
