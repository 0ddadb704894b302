//! A DNS server for benchmarks (bench/dns.sh): answers every query after a fixed
//! delay, A with 192.0.2.1, AAAA with 2001:db8::1, other types with NODATA.
//!
//!   dns-delay-server [--delay-ms MS] [--exit-on-eof] ADDR...
//!
//! Binds UDP and TCP on the first loopback ADDR that can be bound (so
//! `127.0.0.1:53 127.0.0.1:0` falls back to a free port without the privilege),
//! prints the bound address on a line of its own, and serves until killed; with
//! `--exit-on-eof`, also until standard input reaches end of file, so that a
//! benchmark which dies without cleaning up does not leave it running. On exit it
//! writes the number of queries it received to standard error.

use std::io::{self, Read, Write};
use std::net::{Ipv6Addr, SocketAddr};
use std::process::ExitCode;
use std::time::Duration;

use gomod_common::net::dns::wire::AnswerData;
use gomod_testsupport::dns::{DnsServer, RecordType, Reply, handler, record};

const USAGE: &str = "usage: dns-delay-server [--delay-ms MS] [--exit-on-eof] ADDR...";

fn main() -> ExitCode {
    let mut delay = Duration::from_millis(50);
    let mut exit_on_eof = false;
    let mut addrs: Vec<SocketAddr> = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--delay-ms" => match args.next().and_then(|v| v.parse::<u64>().ok()) {
                Some(ms) => delay = Duration::from_millis(ms),
                None => return usage("--delay-ms needs a number of milliseconds"),
            },
            "--exit-on-eof" => exit_on_eof = true,
            "-h" | "--help" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            other => match other.parse::<SocketAddr>() {
                Ok(addr) if addr.ip().is_loopback() => addrs.push(addr),
                Ok(addr) => return usage(&format!("{addr} is not a loopback address")),
                Err(_) => return usage(&format!("{other:?} is not an IP:PORT address")),
            },
        }
    }
    if addrs.is_empty() {
        return usage("give at least one address to listen on, e.g. 127.0.0.1:0");
    }

    let answer = handler(move |req| {
        let answers = match req.qtype {
            RecordType::A => vec![record(&req.qname, AnswerData::A([192, 0, 2, 1].into()))],
            RecordType::AAAA => vec![record(
                &req.qname,
                AnswerData::Aaaa(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1)),
            )],
            _ => Vec::new(),
        };
        Reply::Delay(delay, Box::new(Reply::answers(answers)))
    });

    let mut errors = Vec::new();
    let mut server = None;
    for addr in &addrs {
        match DnsServer::try_start(*addr, answer.clone()) {
            Ok(running) => {
                server = Some(running);
                break;
            }
            Err(err) => errors.push(format!("{addr}: {err}")),
        }
    }
    let Some(server) = server else {
        eprintln!("dns-delay-server: cannot bind: {}", errors.join("; "));
        return ExitCode::FAILURE;
    };
    for err in &errors {
        eprintln!("dns-delay-server: not listening on {err}");
    }
    println!("{}", server.addr());
    if io::stdout().flush().is_err() {
        return ExitCode::FAILURE;
    }

    if exit_on_eof {
        let mut sink = [0u8; 256];
        let mut stdin = io::stdin().lock();
        while matches!(stdin.read(&mut sink), Ok(n) if n > 0) {}
    } else {
        loop {
            std::thread::park();
        }
    }
    eprintln!(
        "dns-delay-server: {} queries received",
        server.queries().len()
    );
    ExitCode::SUCCESS
}

fn usage(problem: &str) -> ExitCode {
    eprintln!("dns-delay-server: {problem}\n{USAGE}");
    ExitCode::from(2)
}
