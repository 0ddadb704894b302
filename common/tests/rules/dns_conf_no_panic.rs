//! Every parser and lookup must accept any input without panicking.

use gomod_common::net::dns::conf::{ResolvConf, is_domain_name};
use gomod_common::net::dns::hosts::Hosts;
use gomod_common::net::dns::nsswitch::{host_lookup_order, parse_nsswitch};

const TOKENS: &[&str] = &[
    "nameserver",
    "search",
    "domain",
    "options",
    "lookup",
    "ndots:",
    "timeout:",
    "attempts:",
    "rotate",
    "hosts",
    "files",
    "dns",
    "resolve",
    "NOTFOUND=return",
    ":",
    "[",
    "]",
    "!",
    "=",
    "#",
    ";",
    " ",
    " ",
    "\t",
    "\r",
    "\n",
    "\n",
    ".",
    "..",
    "%",
    "::",
    ":::",
    "1",
    "255",
    "0",
    "99999999999999999999",
    "-1",
    "fe80",
    "ffff",
    "1.2.3.4",
    "é",
    "\u{FFFD}",
    "\0",
    "onion",
    ".onion",
    "a",
    "-",
    "_",
    "localhost",
];

/// A deterministic xorshift generator, so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 16) as usize
    }
}

fn inputs() -> Vec<String> {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut inputs: Vec<String> = (0..400)
        .map(|_| {
            let len = rng.next() % 40;
            (0..len)
                .map(|_| TOKENS[rng.next() % TOKENS.len()])
                .collect()
        })
        .collect();
    inputs.extend(
        [
            "",
            "\n",
            ".",
            "nameserver",
            "nameserver %",
            "nameserver [",
            "options ndots:",
            "hosts: [",
            "hosts: x [",
            "hosts: x []",
            "hosts: x [!]",
            "hosts: x [!==]",
            ":",
            "::%",
            "1.2.3.4%",
        ]
        .map(String::from),
    );
    inputs.push("x".repeat(70_000));
    inputs.push(format!("search {}\n", "a.".repeat(200)));
    inputs.push(format!("10.0.0.1 {}\n", "é".repeat(40_000)));
    inputs
}

#[test]
fn parsers_never_panic() {
    let hostnames = ["", ".", "a.", "a..", "é.é", "host.corp.example"];
    for (i, input) in inputs().iter().enumerate() {
        let conf = ResolvConf::parse(input, hostnames[i % hostnames.len()]);
        for line in input.split('\n').chain([input.as_str()]) {
            let _ = conf.name_list(line);
            let _ = is_domain_name(line);
        }
        let hosts = Hosts::parse(input);
        for word in input.split([' ', '\n', '\t']).chain([input.as_str()]) {
            let _ = hosts.lookup_host(word);
            let _ = hosts.canonical_name(word);
            let _ = hosts.lookup_addr(word);
        }
        let _ = parse_nsswitch(input).host_lookup_order();
        let _ = host_lookup_order(Some(input), input, &conf);
    }
}

#[test]
fn file_readers_never_panic() {
    let dir = std::env::temp_dir().join(format!("dnsconf-no-panic-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("create dir");
    let path = dir.join("random");
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    for _ in 0..50 {
        let len = rng.next() % 300;
        let bytes: Vec<u8> = (0..len)
            .map(|_| match rng.next() % 4 {
                0 => b'\n',
                1 => b' ',
                _ => rng.next() as u8,
            })
            .collect();
        std::fs::write(&path, bytes).expect("write");
        let _ = ResolvConf::read(&path, "h");
        let _ = Hosts::read(&path);
        let _ = gomod_common::net::dns::nsswitch::read_nsswitch(&path).host_lookup_order();
    }
    std::fs::remove_dir_all(&dir).expect("remove dir");
}
