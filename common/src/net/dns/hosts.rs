//! /etc/hosts as Go's resolver reads it (`readHosts`, `lookupStaticHost` and
//! `lookupStaticAddr` in src/net/hosts.go of the newest Go).

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::Path;

use super::conf::{fields, go_lines, parse_ip, read_config_file};

/// Where Go reads the static host table.
pub const HOSTS_PATH: &str = "/etc/hosts";

/// The static host table, indexed both ways as Go indexes it.
///
/// Each line is an IP literal (IPv6 zones allowed, printed in Go's canonical
/// form) followed by names; `#` starts a comment anywhere; lines whose first
/// word is not an IP literal, or that have no name, are skipped. Names are
/// keyed in ASCII lower case, and names containing a dot get a trailing dot.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Hosts {
    by_name: HashMap<String, ByName>,
    by_addr: HashMap<String, Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct ByName {
    addrs: Vec<String>,
    canonical: String,
}

impl Hosts {
    /// Parses hosts-file text as Go's `readHosts` does with a file of that
    /// content.
    pub fn parse(text: &str) -> Hosts {
        Self::from_lines(go_lines(text.as_bytes()))
    }

    /// Reads a hosts file as Go's `readHosts` does. A file that cannot be
    /// opened gives an empty table, as it does for Go on first use. Invalid
    /// UTF-8 is replaced by U+FFFD.
    pub fn read(path: &Path) -> Hosts {
        read_config_file(path, crate::regular::HOSTS)
            .map(|data| Self::from_lines(go_lines(&data)))
            .unwrap_or_default()
    }

    fn from_lines<'a>(lines: impl Iterator<Item = Cow<'a, str>>) -> Hosts {
        let mut hosts = Hosts::default();
        for line in lines {
            let line = line.split('#').next().unwrap_or_default();
            let words: Vec<&str> = fields(line).collect();
            let Some((&addr, names)) = words.split_first() else {
                continue;
            };
            let Some(addr) = literal_ip_text(addr) else {
                continue;
            };
            let Some(first) = names.first() else {
                continue;
            };
            let canonical = abs_domain_name(&first.to_ascii_lowercase());
            for name in names {
                hosts
                    .by_addr
                    .entry(addr.clone())
                    .or_default()
                    .push(abs_domain_name(name));
                hosts
                    .by_name
                    .entry(abs_domain_name(&name.to_ascii_lowercase()))
                    .or_insert_with(|| ByName {
                        addrs: Vec::new(),
                        canonical: canonical.clone(),
                    })
                    .addrs
                    .push(addr.clone());
            }
        }
        hosts
    }

    /// Go's `lookupStaticHost` (addresses): every address listed for `name`,
    /// in file order and in Go's canonical text (`fe80::1%eth0`,
    /// `::ffff:10.0.0.3`). Matching ignores ASCII case; a trailing dot matters
    /// only for names without another dot (`localhost.` does not find
    /// `localhost`). No domain-name syntax check is made: Go consults the
    /// table before checking the name.
    pub fn lookup_host(&self, name: &str) -> Vec<String> {
        self.entry(name)
            .map(|entry| entry.addrs.clone())
            .unwrap_or_default()
    }

    /// Go's `lookupStaticHost` (canonical name): the first name, lower-cased
    /// and with a trailing dot if it contains a dot, of the line where `name`
    /// first appears. Go's IP lookups (which dialing uses) fail with an error
    /// when this name is longer than 255 bytes.
    pub fn canonical_name(&self, name: &str) -> Option<&str> {
        self.entry(name).map(|entry| entry.canonical.as_str())
    }

    fn entry(&self, name: &str) -> Option<&ByName> {
        self.by_name
            .get(&abs_domain_name(&name.to_ascii_lowercase()))
    }

    /// Go's `lookupStaticAddr`: the names listed for the IP literal `addr`
    /// (any spelling Go accepts, zone included), in file order, with their
    /// original case and a trailing dot added to names containing a dot.
    pub fn lookup_addr(&self, addr: &str) -> Vec<String> {
        literal_ip_text(addr)
            .and_then(|addr| self.by_addr.get(&addr))
            .cloned()
            .unwrap_or_default()
    }
}

/// Go's `parseLiteralIP`: the canonical text of an IP literal
/// (`netip.Addr.String`, zone kept), or `None` if it is not one.
fn literal_ip_text(text: &str) -> Option<String> {
    let (ip, zone) = parse_ip(text)?;
    Some(if zone.is_empty() {
        ip.to_string()
    } else {
        format!("{ip}%{zone}")
    })
}

/// Go's `absDomainName`: names containing a dot get a trailing dot.
fn abs_domain_name(name: &str) -> String {
    if name.contains('.') && !name.ends_with('.') {
        format!("{name}.")
    } else {
        name.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::literal_ip_text;

    /// Go's `parseLiteralIP` (`netip.ParseAddr` + `String`) on the same inputs,
    /// confirmed with go1.27.3 (gotest/).
    #[test]
    fn literal_ips_match_go() {
        let cases: &[(&str, Option<&str>)] = &[
            ("1.2.3.4", Some("1.2.3.4")),
            ("01.2.3.4", None),
            ("1.2.3", None),
            ("1.2.3.4.5", None),
            ("256.1.1.1", None),
            ("1.2.3.4%eth0", None),
            ("::1", Some("::1")),
            ("::", Some("::")),
            ("::1%lo", Some("::1%lo")),
            ("fe80::1%eth0", Some("fe80::1%eth0")),
            ("fe80::1%", None),
            ("%eth0", None),
            ("FE80::ABCD", Some("fe80::abcd")),
            ("::ffff:1.2.3.4", Some("::ffff:1.2.3.4")),
            ("::FFFF:1.2.3.4%x", Some("::ffff:1.2.3.4%x")),
            ("::ffff:01.2.3.4", None),
            ("0:0:0:0:0:0:0:1", Some("::1")),
            ("1:0:0:1:0:0:0:1", Some("1:0:0:1::1")),
            ("1:0:1:0:1:0:1:0", Some("1:0:1:0:1:0:1:0")),
            ("2001:db8:0:0:1:0:0:1", Some("2001:db8::1:0:0:1")),
            ("2001:0db8::0001", Some("2001:db8::1")),
            ("1:2:3:4:5:6:7:8", Some("1:2:3:4:5:6:7:8")),
            ("1:2:3:4:5:6:7:8:9", None),
            ("1:2:3:4:5:6:7::", Some("1:2:3:4:5:6:7:0")),
            ("::2:3:4:5:6:7:8", Some("0:2:3:4:5:6:7:8")),
            ("1:2:3:4:5:6:7:8::", None),
            ("::1:2:3:4:5:6:7:8", None),
            ("1::2::3", None),
            ("1:2:3:4:5:6:1.2.3.4", Some("1:2:3:4:5:6:102:304")),
            ("1:2:3:4:5:1.2.3.4", None),
            ("1::1.2.3.4", Some("1::102:304")),
            ("::1.2.3.4", Some("::102:304")),
            ("1:2:3:4:5:6:7::1.2.3.4", None),
            ("12345::", None),
            ("g::", None),
            (":1", None),
            ("1:", None),
            ("[::1]", None),
            ("", None),
            ("localhost", None),
            ("1.2.3.4 ", None),
            (" 1.2.3.4", None),
            ("0x1.2.3.4", None),
            ("1.2.3.04", None),
            ("1.2.3.0", Some("1.2.3.0")),
            ("0.0.0.0", Some("0.0.0.0")),
            ("::%a%b", Some("::%a%b")),
            ("fe80::1%eth0%x", Some("fe80::1%eth0%x")),
            ("1.2.3.4:53", None),
            ("::ffff:0:1.2.3.4", Some("::ffff:0:102:304")),
            ("::0.0.0.1", Some("::1")),
            ("::ffff:0.0.0.0", Some("::ffff:0.0.0.0")),
            ("64:ff9b::1.2.3.4", Some("64:ff9b::102:304")),
            ("1:2:3:4:5:6:7:8%z", Some("1:2:3:4:5:6:7:8%z")),
            ("::FFFF:ffff:ffff", Some("::ffff:255.255.255.255")),
            ("00000::", None),
            ("0000::", Some("::")),
            ("::1.2.3", None),
            ("::1.2.3.4.5", None),
            ("1.2.3.4::", None),
            ("1..2.3", None),
            ("-1.2.3.4", None),
            ("1.2.3.4\n", None),
            ("é::1", None),
            ("::1%é", Some("::1%é")),
            ("255.255.255.255", Some("255.255.255.255")),
            ("1:2:3:4:5:6:7:8%", None),
            ("::1::", None),
            (":::", None),
            ("1:2:3:4:5:6:7:1.2.3.4", None),
            ("::ffff:1.2.3.4:1", None),
            ("0:0:0:0:0:ffff:102:304", Some("::ffff:1.2.3.4")),
            ("1:0::", Some("1::")),
            ("0:1:0:0:1:0:0:0", Some("0:1:0:0:1::")),
            ("a:b:c:d:e:f:0:0", Some("a:b:c:d:e:f::")),
            ("::ffff:1.2.3.4.", None),
            ("1.2.3.4.", None),
            (".1.2.3", None),
            ("1.2.3.256", None),
        ];
        for (input, want) in cases {
            assert_eq!(literal_ip_text(input).as_deref(), *want, "{input:?}");
        }
    }
}
