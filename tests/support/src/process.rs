//! Running a tool as a child process and looking at what it cost, and making the
//! special files hostile tests hand to tools.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Output, Stdio};

/// Runs `cmd` to its end with standard input closed, and returns its output and the
/// most memory it held at once (KiB): the high-water mark of its resident set
/// (`VmHWM` in `/proc/<pid>/status`), read every few milliseconds while it runs.
///
/// Not `wait4`'s `ru_maxrss`: a child started from this (large) test process counts
/// the test process's own peak as its own when it execs.
pub fn run_measured(mut cmd: Command) -> std::io::Result<(Output, u64)> {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let mut stdout = child.stdout.take().expect("piped stdout");
    let mut stderr = child.stderr.take().expect("piped stderr");
    let out = std::thread::spawn(move || {
        let mut data = Vec::new();
        let _ = stdout.read_to_end(&mut data);
        data
    });
    let err = std::thread::spawn(move || {
        let mut data = Vec::new();
        let _ = stderr.read_to_end(&mut data);
        data
    });
    let status_file = format!("/proc/{}/status", child.id());
    let mut peak = 0;
    let status = loop {
        // Read before asking whether it ended: the last reading is taken after the
        // child did all its work but exit.
        if let Some(kib) = std::fs::read_to_string(&status_file)
            .ok()
            .and_then(|status| high_water_kib(&status))
        {
            peak = peak.max(kib);
        }
        if let Some(status) = child.try_wait()? {
            break status;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    };
    let output = Output {
        status,
        stdout: out.join().unwrap_or_default(),
        stderr: err.join().unwrap_or_default(),
    };
    Ok((output, peak))
}

/// `VmHWM:   12345 kB` of a `/proc/<pid>/status` text.
fn high_water_kib(status: &str) -> Option<u64> {
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|kib| kib.parse().ok())
}

/// Makes a named pipe (FIFO) at `path`, with no writer: reading it blocks forever.
pub fn mkfifo(path: &Path) {
    let name = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).expect("a path");
    // SAFETY: mkfifo with a valid NUL-terminated path.
    let made = unsafe { libc::mkfifo(name.as_ptr(), 0o600) };
    assert_eq!(
        made,
        0,
        "mkfifo {}: {}",
        path.display(),
        std::io::Error::last_os_error()
    );
}

/// Makes a sparse file of `bytes` bytes at `path` (no disk space used): a huge file
/// for a tool that should not read it whole.
pub fn sparse_file(path: &Path, bytes: u64) {
    let file = std::fs::File::create(path).expect("create");
    file.set_len(bytes).expect("set_len");
}
