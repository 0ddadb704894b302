//! Reading real files; expectations confirmed with go1.27.3 (with a throwaway Go harness,
//! TestDnsconfFiles).

use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use gomod_common::net::dns::conf::ResolvConf;
use gomod_common::net::dns::hosts::Hosts;
use gomod_common::net::dns::nsswitch::{HostLookupOrder, read_nsswitch};

/// A fresh directory for one test, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(test: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("dnsconf-{test}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create scratch dir");
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn default_servers(conf: &ResolvConf) -> bool {
    conf.default_servers && conf.server_strings == ["127.0.0.1:53", "[::1]:53"]
}

#[test]
fn missing_files() {
    let scratch = Scratch::new("missing");
    let dir = &scratch.0;
    let path = dir.join("missing");
    let conf = ResolvConf::read(&path, "host.corp.example");
    assert!(default_servers(&conf));
    assert_eq!(conf.search, ["corp.example."]);
    let err = conf.err.expect("error recorded");
    assert_eq!(err.kind, ErrorKind::NotFound);
    let text = format!("open {}: no such file or directory", path.display());
    assert_eq!(err.text, text);
    assert_eq!(Hosts::read(&path), Hosts::default());
    let nss = read_nsswitch(&path);
    assert_eq!(nss.err.as_deref(), Some(text.as_str()));
    assert_eq!(nss.host_lookup_order(), HostLookupOrder::FilesDns);
}

#[test]
fn directories_read_as_empty_files() {
    let scratch = Scratch::new("dir");
    let dir = &scratch.0;
    let conf = ResolvConf::read(dir, "h");
    assert!(default_servers(&conf));
    assert_eq!(conf.err, None);
    assert_eq!(Hosts::read(dir), Hosts::default());
    let nss = read_nsswitch(dir);
    assert_eq!((nss.err, nss.sources.len()), (None, 0));
}

/// The 64 KiB line limit counts bytes of the file, not of the text after
/// invalid UTF-8 has been replaced.
#[test]
fn line_limit_counts_raw_bytes() {
    let scratch = Scratch::new("long");
    let dir = &scratch.0;
    let path = dir.join("long");
    let mut content = b"#".to_vec();
    content.extend(std::iter::repeat_n(0xff, 65534));
    content.extend(b"\nnameserver 10.0.0.9\n10.0.0.9 after.test\nhosts: dns\n");
    std::fs::write(&path, content).expect("write");
    let conf = ResolvConf::read(&path, "h");
    assert_eq!(conf.server_strings, ["10.0.0.9:53"]);
    assert_eq!(Hosts::read(&path).lookup_host("after.test"), ["10.0.0.9"]);
    assert_eq!(
        read_nsswitch(&path).err.as_deref(),
        Some("no colon on line")
    );
}

#[test]
fn reads_real_files() {
    let scratch = Scratch::new("real");
    let dir = &scratch.0;
    let write = |name: &str, text: &str| -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, text).expect("write");
        path
    };
    let resolv = write("resolv.conf", "nameserver 10.0.0.2\nsearch corp.example\n");
    let conf = ResolvConf::read(&resolv, "h");
    assert_eq!(
        conf,
        ResolvConf::parse("nameserver 10.0.0.2\nsearch corp.example\n", "h")
    );
    let hosts = write("hosts", "10.0.0.1 a.test\n");
    assert_eq!(Hosts::read(&hosts).lookup_host("A.TEST."), ["10.0.0.1"]);
    let nss = write("nsswitch.conf", "hosts: dns files\n");
    assert_eq!(
        read_nsswitch(Path::new(&nss)).host_lookup_order(),
        HostLookupOrder::DnsFiles
    );
}

/// Go's `os.Hostname` on Linux gives the kernel's host name (uname and
/// /proc/sys/kernel/hostname agree); checked against go1.27.3 on the
/// development machine.
#[cfg(target_os = "linux")]
#[test]
fn hostname_is_the_kernels() {
    let name = std::fs::read_to_string("/proc/sys/kernel/hostname").expect("kernel host name");
    let name = name.strip_suffix('\n').unwrap_or(&name);
    assert_eq!(gomod_common::net::dns::conf::system_hostname(), name);
}
