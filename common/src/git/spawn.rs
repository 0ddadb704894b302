//! Starting git (and ssh) in a session of its own, cheaply.
//!
//! A session of its own means no controlling terminal, so that nothing can wait for an
//! answer from the user, and a process group of its own, so that a timeout ends git
//! and its helpers together. `std::process::Command` can only do that with a
//! `pre_exec` hook, which makes it `fork` the whole process: with a few dozen modules
//! in flight that copy of the address space (and the copy-on-write faults after it)
//! was a third of the CPU a direct fetch used. On glibc Linux the child is started with
//! `posix_spawn` and `POSIX_SPAWN_SETSID` instead, which shares the address space
//! until the `exec` (as the go command's own `os/exec` does with `CLONE_VFORK`);
//! elsewhere `Command` with the hook is used.

use std::ffi::OsString;
use std::fs::File;
use std::io;
use std::path::Path;
use std::process::ExitStatus;

/// A started child: its process id (also its process group's and session's), and
/// the parent's ends of its pipes.
#[derive(Debug)]
pub struct Spawned {
    /// The child's process id.
    pub pid: i32,
    /// Its standard input, when input was asked for (else it reads /dev/null).
    pub stdin: Option<File>,
    /// Its standard output.
    pub stdout: File,
    /// Its standard error.
    pub stderr: File,
}

/// Starts `program` with `args` in `dir`, with the process environment plus `env`
/// (later entries win), in a new session; `stdin` asks for a pipe to its standard
/// input. The child must be reaped with [`wait`].
pub fn spawn(
    program: &Path,
    args: &[&str],
    dir: &Path,
    env: &[(OsString, OsString)],
    stdin: bool,
) -> io::Result<Spawned> {
    imp::spawn(program, args, dir, env, stdin)
}

/// Waits for the child `pid` to end (retrying when interrupted).
pub fn wait(pid: i32) -> io::Result<ExitStatus> {
    use std::os::unix::process::ExitStatusExt;
    let mut status = 0;
    loop {
        // SAFETY: waitpid writes only to `status`; `pid` is a child of this process
        // that nothing else reaps.
        let got = unsafe { libc::waitpid(pid, &mut status, 0) };
        if got == pid {
            return Ok(ExitStatus::from_raw(status));
        }
        let err = io::Error::last_os_error();
        if err.kind() != io::ErrorKind::Interrupted {
            return Err(err);
        }
    }
}

/// The process environment with `env` applied over it, as `NAME=value` entries.
#[cfg_attr(not(all(target_os = "linux", target_env = "gnu")), allow(dead_code))]
fn environment(env: &[(OsString, OsString)]) -> Vec<(OsString, OsString)> {
    let mut all: Vec<(OsString, OsString)> = std::env::vars_os().collect();
    for (key, value) in env {
        match all.iter_mut().find(|(k, _)| k == key) {
            Some(slot) => slot.1 = value.clone(),
            None => all.push((key.clone(), value.clone())),
        }
    }
    all
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
mod imp {
    use std::ffi::{CString, OsString};
    use std::fs::File;
    use std::io;
    use std::os::fd::{FromRawFd, OwnedFd};
    use std::os::unix::ffi::OsStrExt;
    use std::path::Path;

    use super::Spawned;

    fn c_string(bytes: &[u8]) -> io::Result<CString> {
        CString::new(bytes).map_err(|_| io::Error::from(io::ErrorKind::InvalidInput))
    }

    /// A pipe, both ends close-on-exec: `(read, write)`.
    fn pipe() -> io::Result<(OwnedFd, OwnedFd)> {
        let mut fds = [0; 2];
        // SAFETY: pipe2 writes two descriptors into `fds`, which we then own.
        if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } == -1 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: both were just created and belong to nothing else.
        Ok(unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) })
    }

    /// posix_spawn's attributes and file actions, destroyed on drop.
    struct Setup {
        attr: libc::posix_spawnattr_t,
        actions: libc::posix_spawn_file_actions_t,
    }

    impl Drop for Setup {
        fn drop(&mut self) {
            // SAFETY: both were initialised by Setup::new.
            unsafe {
                libc::posix_spawnattr_destroy(&mut self.attr);
                libc::posix_spawn_file_actions_destroy(&mut self.actions);
            }
        }
    }

    fn check(ret: libc::c_int) -> io::Result<()> {
        if ret == 0 {
            Ok(())
        } else {
            Err(io::Error::from_raw_os_error(ret))
        }
    }

    impl Setup {
        fn new() -> io::Result<Box<Setup>> {
            // SAFETY: zeroed storage is initialised by the init calls before any use;
            // the Box keeps it at one address, as glibc expects.
            let mut setup: Box<Setup> = Box::new(unsafe { std::mem::zeroed() });
            // SAFETY: initialising the storage we own.
            unsafe {
                check(libc::posix_spawnattr_init(&mut setup.attr))?;
                if let Err(e) = check(libc::posix_spawn_file_actions_init(&mut setup.actions)) {
                    libc::posix_spawnattr_destroy(&mut setup.attr);
                    std::mem::forget(setup);
                    return Err(e);
                }
            }
            Ok(setup)
        }
    }

    pub fn spawn(
        program: &Path,
        args: &[&str],
        dir: &Path,
        env: &[(OsString, OsString)],
        with_stdin: bool,
    ) -> io::Result<Spawned> {
        let path = c_string(program.as_os_str().as_bytes())?;
        let mut argv = vec![path.clone()];
        for arg in args {
            argv.push(c_string(arg.as_bytes())?);
        }
        let envp: Vec<CString> = super::environment(env)
            .into_iter()
            .filter_map(|(k, v)| {
                let mut entry = k.as_bytes().to_vec();
                entry.push(b'=');
                entry.extend_from_slice(v.as_bytes());
                CString::new(entry).ok()
            })
            .collect();
        let dir = c_string(dir.as_os_str().as_bytes())?;
        let null = c_string(b"/dev/null")?;
        let mut argv_ptrs: Vec<*mut libc::c_char> =
            argv.iter().map(|a| a.as_ptr().cast_mut()).collect();
        argv_ptrs.push(std::ptr::null_mut());
        let mut envp_ptrs: Vec<*mut libc::c_char> =
            envp.iter().map(|e| e.as_ptr().cast_mut()).collect();
        envp_ptrs.push(std::ptr::null_mut());

        let (out_r, out_w) = pipe()?;
        let (err_r, err_w) = pipe()?;
        let input = if with_stdin { Some(pipe()?) } else { None };
        let mut setup = Setup::new()?;
        use std::os::fd::AsRawFd;
        // SAFETY: every pointer passed lives until posix_spawn returns (the CStrings
        // and pipes above, `setup`); glibc copies what it keeps.
        unsafe {
            // SIGPIPE back to its default (this process ignores it, as Rust programs
            // do) and nothing blocked, as std::process does for its children.
            let mut defaults: libc::sigset_t = std::mem::zeroed();
            libc::sigemptyset(&mut defaults);
            libc::sigaddset(&mut defaults, libc::SIGPIPE);
            check(libc::posix_spawnattr_setsigdefault(
                &mut setup.attr,
                &defaults,
            ))?;
            let mut mask: libc::sigset_t = std::mem::zeroed();
            libc::sigemptyset(&mut mask);
            check(libc::posix_spawnattr_setsigmask(&mut setup.attr, &mask))?;
            // The constants' types differ between them (and between libc versions).
            let flags = libc::POSIX_SPAWN_SETSID as libc::c_int
                | libc::POSIX_SPAWN_SETSIGDEF as libc::c_int
                | libc::POSIX_SPAWN_SETSIGMASK as libc::c_int;
            check(libc::posix_spawnattr_setflags(
                &mut setup.attr,
                flags as libc::c_short,
            ))?;
            let actions = &mut setup.actions;
            match &input {
                Some((r, _)) => check(libc::posix_spawn_file_actions_adddup2(
                    actions,
                    r.as_raw_fd(),
                    0,
                ))?,
                None => check(libc::posix_spawn_file_actions_addopen(
                    actions,
                    0,
                    null.as_ptr(),
                    libc::O_RDONLY,
                    0,
                ))?,
            }
            check(libc::posix_spawn_file_actions_adddup2(
                actions,
                out_w.as_raw_fd(),
                1,
            ))?;
            check(libc::posix_spawn_file_actions_adddup2(
                actions,
                err_w.as_raw_fd(),
                2,
            ))?;
            check(libc::posix_spawn_file_actions_addchdir_np(
                actions,
                dir.as_ptr(),
            ))?;
            let mut pid: libc::pid_t = 0;
            check(libc::posix_spawn(
                &mut pid,
                path.as_ptr(),
                &setup.actions,
                &setup.attr,
                argv_ptrs.as_ptr(),
                envp_ptrs.as_ptr(),
            ))?;
            Ok(Spawned {
                pid,
                stdin: input.map(|(_, w)| File::from(w)),
                stdout: File::from(out_r),
                stderr: File::from(err_r),
            })
        }
        // The child's ends (out_w, err_w, the input's read end) close here.
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
mod imp {
    use std::ffi::OsString;
    use std::fs::File;
    use std::io;
    use std::os::fd::OwnedFd;
    use std::os::unix::process::CommandExt;
    use std::path::Path;
    use std::process::{Command, Stdio};

    use super::Spawned;

    pub fn spawn(
        program: &Path,
        args: &[&str],
        dir: &Path,
        env: &[(OsString, OsString)],
        with_stdin: bool,
    ) -> io::Result<Spawned> {
        let mut cmd = Command::new(program);
        cmd.args(args)
            .current_dir(dir)
            .stdin(if with_stdin {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .envs(env.iter().map(|(k, v)| (k, v)));
        // SAFETY: setsid is async-signal-safe and touches nothing of the parent's.
        unsafe {
            cmd.pre_exec(|| {
                if libc::setsid() == -1 {
                    return Err(io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let mut child = cmd.spawn()?;
        let pipe = |fd: Option<OwnedFd>| fd.map(File::from);
        Ok(Spawned {
            pid: child.id() as i32,
            stdin: pipe(child.stdin.take().map(OwnedFd::from)),
            stdout: pipe(child.stdout.take().map(OwnedFd::from)).expect("piped"),
            stderr: pipe(child.stderr.take().map(OwnedFd::from)).expect("piped"),
        })
        // `child` is dropped without waiting: [`super::wait`] reaps it.
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};

    fn run(args: &[&str], env: &[(OsString, OsString)], input: Option<&[u8]>) -> (String, i32) {
        let mut child = spawn(
            Path::new("/bin/sh"),
            args,
            Path::new("/"),
            env,
            input.is_some(),
        )
        .unwrap();
        if let Some(input) = input {
            let mut stdin = child.stdin.take().unwrap();
            stdin.write_all(input).unwrap();
        }
        let mut out = String::new();
        child.stdout.read_to_string(&mut out).unwrap();
        let status = wait(child.pid).unwrap();
        (out, status.code().unwrap_or(-1))
    }

    #[test]
    fn the_child_leads_a_session_of_its_own_in_the_directory_given() {
        // ps is not everywhere; /proc/self/stat's 6th field is the session id.
        let (out, code) = run(
            &["-c", "pwd; echo $$; cut -d' ' -f6 /proc/$$/stat"],
            &[],
            None,
        );
        assert_eq!(code, 0);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines[0], "/");
        assert_eq!(
            lines[1], lines[2],
            "pid {} is not its own session",
            lines[1]
        );
    }

    #[test]
    fn environment_standard_input_and_exit_status_reach_the_child() {
        let env = [(OsString::from("GOMOD_SPAWN_TEST"), OsString::from("x y"))];
        let (out, code) = run(
            &["-c", "printf '%s|' \"$GOMOD_SPAWN_TEST\"; cat; exit 3"],
            &env,
            Some(b"in"),
        );
        assert_eq!((out.as_str(), code), ("x y|in", 3));
        // Without input the child reads /dev/null: cat ends at once.
        assert_eq!(run(&["-c", "cat; echo end"], &[], None).0, "end\n");
    }

    #[test]
    fn sigpipe_is_back_to_its_default_in_the_child() {
        // The 2nd field of SigIgn in /proc/self/status has SIGPIPE's bit (0x1000).
        let (out, _) = run(&["-c", "grep SigIgn /proc/$$/status"], &[], None);
        let mask = u64::from_str_radix(out.split_whitespace().nth(1).unwrap(), 16).unwrap();
        assert_eq!(mask & (1 << (libc::SIGPIPE - 1)), 0, "{out}");
    }

    #[test]
    fn a_missing_program_or_directory_is_an_error_not_a_child() {
        let err = spawn(
            Path::new("/nonexistent/git"),
            &[],
            Path::new("/"),
            &[],
            false,
        )
        .unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::NotFound);
        assert!(
            spawn(
                Path::new("/bin/sh"),
                &[],
                Path::new("/nonexistent"),
                &[],
                false
            )
            .is_err()
        );
    }
}
