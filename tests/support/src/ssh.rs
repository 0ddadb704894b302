//! SSH servers for tests: a banner-only TCP server (it says `SSH-2.0-...` and nothing
//! more, enough for the parts of a probe that need no login), and Debian's OpenSSH
//! `sshd` run on 127.0.0.1 with a configuration, host key and authorized keys of its
//! own in a temporary directory ([`Sshd`]; it needs root and openssh-server, and tests
//! skip visibly without them).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::AsyncWriteExt;

use crate::{ConnectionServer, Log, Mode, Response, Running, handler};

/// A server on 127.0.0.1 that sends `banner` and a CR LF on every connection, then
/// keeps it open, reading nothing, until the client goes.
pub fn banner_server(banner: &str) -> Running {
    let line = format!("{banner}\r\n");
    let serve: ConnectionServer = Arc::new(move |mut stream| {
        let line = line.clone();
        Box::pin(async move {
            let _ = stream.write_all(line.as_bytes()).await;
            let mut buf = [0u8; 256];
            use tokio::io::AsyncReadExt;
            while matches!(stream.read(&mut buf).await, Ok(n) if n > 0) {}
        })
    });
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    crate::start_on(
        listener,
        Mode::Connection(serve),
        handler(|_| Response::new(500, Vec::new())),
        Log::default(),
    )
}

/// Where Debian's sshd is.
const SSHD: &str = "/usr/sbin/sshd";

/// Debian's OpenSSH server on 127.0.0.1, a free port; killed when dropped.
pub struct Sshd {
    child: Child,
    /// Its port.
    pub port: u16,
    /// Its directory (configuration, keys).
    pub dir: PathBuf,
    /// Its host key, as a known_hosts line for `[127.0.0.1]:PORT`.
    pub known_hosts_line: String,
}

impl Sshd {
    /// Starts sshd in `dir` (created) accepting `authorized_key` (a public key line) for
    /// any user; None (after saying why) when sshd cannot be run here.
    pub fn start(dir: &Path, authorized_key: Option<&str>) -> Option<Sshd> {
        let is_root = Command::new("id")
            .arg("-u")
            .output()
            .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
        if !Path::new(SSHD).exists() || !is_root {
            crate::skip::skip(
                crate::skip::Need::Ssh,
                "no sshd (openssh-server) or not root",
                SSHD,
            );
            return None;
        }
        std::fs::create_dir_all(dir).ok()?;
        // sshd wants its privilege-separation directory.
        let _ = std::fs::create_dir_all("/run/sshd");
        let key = dir.join("host_ed25519");
        let made = Command::new("ssh-keygen")
            .args(["-q", "-t", "ed25519", "-N", "", "-f"])
            .arg(&key)
            .status()
            .ok()?;
        if !made.success() {
            crate::skip::skip(crate::skip::Need::Ssh, "ssh-keygen failed", "");
            return None;
        }
        std::fs::write(dir.join("authorized_keys"), authorized_key.unwrap_or("")).ok()?;
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").ok()?;
            l.local_addr().ok()?.port()
        };
        let config = format!(
            "Port {port}\nListenAddress 127.0.0.1\nHostKey {}\nPidFile none\nUsePAM no\nStrictModes no\nAuthorizedKeysFile {}\nPasswordAuthentication no\nKbdInteractiveAuthentication no\nPermitRootLogin yes\nLogLevel ERROR\n",
            key.display(),
            dir.join("authorized_keys").display()
        );
        std::fs::write(dir.join("sshd_config"), config).ok()?;
        let child = Command::new(SSHD)
            .args(["-D", "-e", "-f"])
            .arg(dir.join("sshd_config"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .ok()?;
        let public = std::fs::read_to_string(key.with_extension("pub")).ok()?;
        let mut fields = public.split_whitespace();
        let known_hosts_line =
            format!("[127.0.0.1]:{port} {} {}\n", fields.next()?, fields.next()?);
        let server = Sshd {
            child,
            port,
            dir: dir.to_path_buf(),
            known_hosts_line,
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if Instant::now() > deadline {
                crate::skip::skip(crate::skip::Need::Ssh, "sshd did not start listening", "");
                return None;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Some(server)
    }
}

impl Drop for Sshd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
