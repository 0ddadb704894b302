//! What ssh does with the SSH URL git was given (directly, or after an insteadOf rule):
//! the settings ssh computes for the host (`ssh -G`: HostName, Port, User, IdentityFile,
//! ProxyCommand, ProxyJump, BatchMode, StrictHostKeyChecking, UserKnownHostsFile), a TCP
//! connection to the port and the server's banner (`SSH-2.0-...`), and the host key the
//! server presents (`ssh-keyscan`) checked against the known_hosts files
//! (`ssh-keygen -F`). Whether authentication works is what git's own `ls-remote` over
//! ssh says (in a session without a terminal, as `BatchMode=yes` would).

use std::io::Read;
use std::net::{TcpStream, ToSocketAddrs};
use std::path::Path;
use std::time::Duration;

use super::run::Runner;
use crate::record::{Code, untrusted};

/// An SSH repository location.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SshUrl {
    /// The user, when the URL names one.
    pub user: Option<String>,
    /// The host as written (ssh may map it to another HostName).
    pub host: String,
    /// The port, when the URL names one.
    pub port: Option<u16>,
    /// The repository path.
    pub path: String,
}

/// The SSH location in a git URL: `ssh://`, `git+ssh://`, `ssh+git://`, or the scp-like
/// `[user@]host:path` (git's rule: a colon before any slash, and no `://`).
pub fn parse_ssh_url(url: &str) -> Option<SshUrl> {
    let (authority, path) = if let Some((scheme, rest)) = url.split_once("://") {
        if !matches!(scheme, "ssh" | "git+ssh" | "ssh+git") {
            return None;
        }
        let slash = rest.find('/').unwrap_or(rest.len());
        (rest[..slash].to_string(), rest[slash..].to_string())
    } else {
        let colon = url.find(':')?;
        if url[..colon].contains('/') {
            return None;
        }
        // scp-like: host:path, no port.
        let (user, host) = match url[..colon].rsplit_once('@') {
            Some((u, h)) => (Some(u.to_string()), h.to_string()),
            None => (None, url[..colon].to_string()),
        };
        return Some(SshUrl {
            user,
            host: host.trim_matches(['[', ']']).to_string(),
            port: None,
            path: url[colon + 1..].to_string(),
        });
    };
    let (user, hostport) = match authority.rsplit_once('@') {
        Some((u, h)) => (Some(u.to_string()), h.to_string()),
        None => (None, authority),
    };
    let (host, port) = match hostport.rsplit_once(':') {
        Some((h, p)) if !h.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) && !p.is_empty() => {
            (h.to_string(), p.parse().ok())
        }
        _ => (hostport.clone(), None),
    };
    Some(SshUrl {
        user,
        host: host.trim_matches(['[', ']']).to_string(),
        port,
        path,
    })
}

/// The settings ssh computes for a host (`ssh -G`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SshSettings {
    /// The host name ssh connects to.
    pub hostname: String,
    /// The port.
    pub port: u16,
    /// The user.
    pub user: String,
    /// The identity files ssh tries (the ones that exist).
    pub identity_files: Vec<String>,
    /// ProxyCommand, when set.
    pub proxy_command: Option<String>,
    /// ProxyJump, when set.
    pub proxy_jump: Option<String>,
    /// BatchMode.
    pub batch_mode: String,
    /// StrictHostKeyChecking.
    pub strict_host_key_checking: String,
    /// The known_hosts files.
    pub known_hosts: Vec<String>,
}

/// Reads `ssh -G` output.
pub fn parse_ssh_g(out: &str, home: &str) -> SshSettings {
    let mut s = SshSettings::default();
    let expand = |p: &str| match p.strip_prefix("~/") {
        Some(rest) if !home.is_empty() => format!("{}/{rest}", home.trim_end_matches('/')),
        _ => p.to_string(),
    };
    for line in out.lines() {
        let Some((key, value)) = line.split_once(' ') else {
            continue;
        };
        let value = value.trim();
        match key {
            "hostname" => s.hostname = value.to_string(),
            "port" => s.port = value.parse().unwrap_or(22),
            "user" => s.user = value.to_string(),
            "identityfile" => {
                let path = expand(value);
                if Path::new(&path).exists() {
                    s.identity_files.push(path);
                }
            }
            "proxycommand" if value != "none" => s.proxy_command = Some(untrusted(value, 300)),
            "proxyjump" if value != "none" => s.proxy_jump = Some(untrusted(value, 300)),
            "batchmode" => s.batch_mode = value.to_string(),
            "stricthostkeychecking" => s.strict_host_key_checking = value.to_string(),
            "userknownhostsfile" | "globalknownhostsfile" => {
                s.known_hosts.extend(
                    value
                        .split_whitespace()
                        .map(expand)
                        .filter(|p| p != "/dev/null"),
                );
            }
            _ => {}
        }
    }
    s
}

/// What happened on the way to the SSH server.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SshProbe {
    /// ssh's settings for the host (None: ssh is not installed or `ssh -G` failed).
    pub settings: Option<SshSettings>,
    /// The server's banner line (`SSH-2.0-OpenSSH_9.2p1 ...`).
    pub banner: Option<String>,
    /// `known`, `unknown` or `changed`; None when not checked.
    pub host_key: Option<String>,
    /// The failure, if any, with a plain sentence.
    pub failure: Option<(Code, String)>,
    /// What was not checked, and why (a ProxyCommand in the way...).
    pub note: Option<String>,
}

/// Probes the SSH server of `url` with the ssh tools on `runner`'s PATH, each step
/// bounded by `timeout`. `ssh_command` is the command git runs (GIT_SSH_COMMAND or
/// core.sshCommand), split at white space: its program and options are what `-G` is
/// asked with, so that an `-F` or `-o` there counts.
pub fn probe(
    runner: &Runner,
    dir: &Path,
    home: &str,
    url: &SshUrl,
    ssh_command: &str,
    timeout: Duration,
) -> SshProbe {
    let mut out = SshProbe::default();
    let mut words = ssh_command.split_whitespace();
    let program = words
        .next()
        .map(|p| p.rsplit('/').next().unwrap_or(p))
        .filter(|p| !p.is_empty())
        .unwrap_or("ssh")
        .to_string();
    let mut args: Vec<String> = words.map(str::to_string).collect();
    args.push("-G".into());
    if let Some(port) = url.port {
        args.push("-p".into());
        args.push(port.to_string());
    }
    if let Some(user) = &url.user {
        args.push("-l".into());
        args.push(user.clone());
    }
    args.push("--".into());
    args.push(url.host.clone());
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let settings = match runner.run_program(&program, dir, &argv) {
        Ok(text) => parse_ssh_g(&String::from_utf8_lossy(&text), home),
        Err(err) if err.failure == super::run::Failure::NotFound => {
            out.failure = Some((
                Code::SshNoClient,
                "there is no ssh client on PATH for git to run".to_string(),
            ));
            return out;
        }
        Err(err) => {
            out.note = Some(format!(
                "ssh -G failed: {}",
                err.first_line()
                    .map(|l| untrusted(l, 300))
                    .unwrap_or_default()
            ));
            return out;
        }
    };
    let (hostname, port) = (settings.hostname.clone(), settings.port);
    let proxied = settings.proxy_command.is_some() || settings.proxy_jump.is_some();
    let known_hosts = settings.known_hosts.clone();
    out.settings = Some(settings);
    if proxied {
        out.note = Some("ssh reaches the host through a ProxyCommand or ProxyJump: the connection and host key were not checked directly".to_string());
        return out;
    }
    let addrs: Vec<std::net::SocketAddr> = match (hostname.as_str(), port).to_socket_addrs() {
        Ok(addrs) => addrs.collect(),
        Err(_) => {
            out.failure = Some((
                Code::SshHostUnknown,
                format!(
                    "the SSH host name {} does not resolve",
                    untrusted(&hostname, 200)
                ),
            ));
            return out;
        }
    };
    let mut stream = None;
    let mut last = None;
    for addr in &addrs {
        match TcpStream::connect_timeout(addr, timeout) {
            Ok(s) => {
                stream = Some(s);
                break;
            }
            Err(e) => last = Some(e),
        }
    }
    let Some(mut stream) = stream else {
        let refused = last
            .as_ref()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::ConnectionRefused);
        out.failure = Some(if refused {
            (
                Code::SshRefused,
                format!(
                    "nothing listens on {}:{port} (connection refused)",
                    untrusted(&hostname, 200)
                ),
            )
        } else {
            (
                Code::SshTimeout,
                format!(
                    "{}:{port} does not answer (no connection within {})",
                    untrusted(&hostname, 200),
                    humantime::format_duration(timeout)
                ),
            )
        });
        return out;
    };
    let _ = stream.set_read_timeout(Some(timeout));
    let mut banner = Vec::new();
    let mut byte = [0u8; 1];
    while banner.len() < 512 {
        match stream.read(&mut byte) {
            Ok(1) if byte[0] == b'\n' => {
                // Lines before the banner are allowed (RFC 4253 4.2).
                if banner.starts_with(b"SSH-") {
                    break;
                }
                banner.clear();
            }
            Ok(1) => banner.push(byte[0]),
            _ => break,
        }
    }
    let line = String::from_utf8_lossy(&banner)
        .trim_end_matches('\r')
        .to_string();
    if !line.starts_with("SSH-") {
        out.failure = Some((
            Code::SshTimeout,
            format!(
                "{}:{port} accepted the connection but sent no SSH banner{}",
                untrusted(&hostname, 200),
                if line.is_empty() {
                    String::new()
                } else {
                    format!(" (it sent {})", untrusted(&line, 100))
                }
            ),
        ));
        return out;
    }
    out.banner = Some(untrusted(&line, 255));
    drop(stream);
    out.host_key = host_key(runner, dir, &hostname, port, &known_hosts, timeout);
    if out.host_key.as_deref() == Some("unknown") {
        out.failure = Some((
            Code::SshHostKeyUnknown,
            format!(
                "{}'s host key is in no known_hosts file ssh reads",
                untrusted(&hostname, 200)
            ),
        ));
    } else if out.host_key.as_deref() == Some("changed") {
        out.failure = Some((
            Code::SshHostKeyChanged,
            format!(
                "{}'s host key differs from the one in known_hosts",
                untrusted(&hostname, 200)
            ),
        ));
    }
    out
}

/// The server's keys (`ssh-keyscan`) against the known_hosts files (`ssh-keygen -F`).
fn host_key(
    runner: &Runner,
    dir: &Path,
    hostname: &str,
    port: u16,
    known_hosts: &[String],
    timeout: Duration,
) -> Option<String> {
    let secs = timeout.as_secs().clamp(1, 60).to_string();
    let port_s = port.to_string();
    let scanned = runner
        .run_program(
            "ssh-keyscan",
            dir,
            &["-T", &secs, "-p", &port_s, "--", hostname],
        )
        .ok()?;
    let keys: Vec<String> = String::from_utf8_lossy(&scanned)
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            let mut f = l.split_whitespace();
            let _host = f.next()?;
            Some(format!("{} {}", f.next()?, f.next()?))
        })
        .collect();
    if keys.is_empty() {
        return None;
    }
    let pattern = if port == 22 {
        hostname.to_string()
    } else {
        format!("[{hostname}]:{port}")
    };
    let mut found_any = false;
    for file in known_hosts.iter().filter(|f| Path::new(f).exists()) {
        let Ok(found) = runner.run_program("ssh-keygen", dir, &["-F", &pattern, "-f", file]) else {
            continue;
        };
        for line in String::from_utf8_lossy(&found)
            .lines()
            .filter(|l| !l.starts_with('#'))
        {
            let mut f = line.split_whitespace();
            let mut first = f.next();
            if first.is_some_and(|w| w.starts_with('@')) {
                first = f.next();
            }
            let (Some(_), Some(kind), Some(key)) = (first, f.next(), f.next()) else {
                continue;
            };
            found_any = true;
            if keys.contains(&format!("{kind} {key}")) {
                return Some("known".to_string());
            }
        }
    }
    Some(if found_any { "changed" } else { "unknown" }.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ssh_urls_are_read_as_git_reads_them() {
        let u = parse_ssh_url("ssh://git@127.0.0.1:2222/team/repo").unwrap();
        assert_eq!(
            (u.user.as_deref(), u.host.as_str(), u.port, u.path.as_str()),
            (Some("git"), "127.0.0.1", Some(2222), "/team/repo")
        );
        let u = parse_ssh_url("git@github.com:team/repo.git").unwrap();
        assert_eq!(
            (u.user.as_deref(), u.host.as_str(), u.port, u.path.as_str()),
            (Some("git"), "github.com", None, "team/repo.git")
        );
        assert_eq!(parse_ssh_url("https://github.com/team/repo"), None);
        assert_eq!(parse_ssh_url("./a:b/c").map(|u| u.host), None);
    }

    #[test]
    fn ssh_g_output_is_read() {
        let out = "hostname gh.example\nport 2222\nuser git\nidentityfile ~/.ssh/none_such\nproxycommand none\nproxyjump bastion\nbatchmode no\nstricthostkeychecking ask\nuserknownhostsfile ~/.ssh/known_hosts ~/.ssh/known_hosts2\nglobalknownhostsfile /etc/ssh/ssh_known_hosts\n";
        let s = parse_ssh_g(out, "/home/u");
        assert_eq!(
            (s.hostname.as_str(), s.port, s.user.as_str()),
            ("gh.example", 2222, "git")
        );
        assert!(s.identity_files.is_empty());
        assert_eq!(s.proxy_command, None);
        assert_eq!(s.proxy_jump.as_deref(), Some("bastion"));
        assert_eq!(
            s.known_hosts,
            [
                "/home/u/.ssh/known_hosts",
                "/home/u/.ssh/known_hosts2",
                "/etc/ssh/ssh_known_hosts"
            ]
        );
    }
}
