//! Nothing the network sends may panic the resolver: random and mutated replies, at the
//! parser and through whole lookups over UDP and TCP.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::dns_support::{conf, resolver, start};
use gomod_common::net::dns::wire::{QType, Reply as WireReply};
use gomod_testsupport::dns::{Reply, Request, handler};
use hickory_proto::rr::RecordType;

/// xorshift64*: reproducible randomness without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn byte(&mut self) -> u8 {
        self.next() as u8
    }
}

/// A plausible reply to `qname`/`qtype` with `id`: CNAME, A, AAAA, an unknown type and
/// an OPT record, using compression pointers.
fn plausible(id: u16, qname: &str, qtype: u16) -> Vec<u8> {
    let mut m = id.to_be_bytes().to_vec();
    m.extend_from_slice(&[0x81, 0x80, 0, 1, 0, 4, 0, 0, 0, 1]);
    for label in qname.trim_end_matches('.').split('.') {
        m.push(label.len() as u8);
        m.extend_from_slice(label.as_bytes());
    }
    m.push(0);
    m.extend_from_slice(&qtype.to_be_bytes());
    m.extend_from_slice(&[0, 1]);
    let rr = |m: &mut Vec<u8>, name: &[u8], rtype: u16, data: &[u8]| {
        m.extend_from_slice(name);
        m.extend_from_slice(&rtype.to_be_bytes());
        m.extend_from_slice(&[0, 1, 0, 0, 0, 60]);
        m.extend_from_slice(&(data.len() as u16).to_be_bytes());
        m.extend_from_slice(data);
    };
    rr(&mut m, &[0xc0, 12], 5, b"\x01c\xc0\x0c");
    rr(&mut m, &[0xc0, 12], 1, &[192, 0, 2, 1]);
    rr(
        &mut m,
        &[0xc0, 12],
        28,
        &[0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1],
    );
    rr(&mut m, &[0xc0, 12], 99, b"xyz");
    rr(&mut m, &[0], 41, &[]);
    m
}

/// Flips, overwrites, cuts or extends random bytes, mostly after the first 12.
fn mutate(rng: &mut Rng, mut m: Vec<u8>) -> Vec<u8> {
    for _ in 0..=rng.below(6) {
        match rng.below(5) {
            0 | 1 if !m.is_empty() => {
                let at = rng.below(m.len());
                m[at] = rng.byte();
            }
            2 if m.len() > 12 => {
                let at = 12 + rng.below(m.len() - 12);
                m[at] ^= 1 << rng.below(8);
            }
            3 => m.truncate(rng.below(m.len() + 1)),
            _ => {
                for _ in 0..rng.below(8) {
                    m.push(rng.byte());
                }
            }
        }
    }
    m
}

fn exercise(msg: Vec<u8>) {
    let Ok(reply) = WireReply::parse(msg) else {
        return;
    };
    let query = gomod_common::net::dns::wire::Query::new("ok.test.", QType::A, false).unwrap();
    let _ = reply.answers_query(&query);
    let _ = reply.has_single_question();
    let _ = reply.rcode();
    let _ = reply.check();
    let _ = reply.answers();
    for qtype in [QType::A, QType::Aaaa] {
        if let Ok(cursor) = reply.find_answer(qtype) {
            let _ = reply.harvest(cursor);
        }
    }
}

#[test]
fn parser_survives_random_and_mutated_replies() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let base = plausible(1, "ok.test.", 1);
    for _ in 0..50_000 {
        exercise(mutate(&mut rng, base.clone()));
        let len = rng.below(80);
        exercise((0..len).map(|_| rng.byte()).collect());
    }
}

/// Lookups over UDP and TCP whose every reply is mutated. Nothing here depends on time:
/// each mutated reply is followed by an intact one, so a UDP client that ignores the
/// first (Go's resolver skips what does not answer its query and keeps waiting) is
/// answered at once instead of waiting out its timeout, which is long, so that a loaded
/// machine cannot make a lookup give up before the server saw its queries; and only 16
/// lookups run at a time, so that no query is lost in a full socket buffer.
#[tokio::test(flavor = "multi_thread")]
async fn lookups_survive_mutated_replies() {
    const LOOKUPS: usize = 300;
    const AT_ONCE: usize = 16;
    let rng = Arc::new(Mutex::new(Rng(0x0123_4567_89ab_cdef)));
    let server = start(handler(move |req: &Request| {
        let qtype = if req.qtype == RecordType::AAAA { 28 } else { 1 };
        let intact = plausible(req.id, &req.qname, qtype);
        let mut rng = rng.lock().unwrap();
        let mut bytes = mutate(&mut rng, intact.clone());
        // Keep most replies acceptable so that the later checks run too.
        if bytes.len() >= 2 && rng.below(4) > 0 {
            bytes[..2].copy_from_slice(&req.id.to_be_bytes());
        }
        Reply::Then(Box::new(Reply::Raw(bytes)), Box::new(Reply::Raw(intact)))
    }));
    let mut udp = conf(&[server.addr()], Duration::from_secs(30));
    udp.attempts = 1;
    let mut tcp = udp.clone();
    tcp.use_tcp = true;
    let resolvers = [Arc::new(resolver(udp)), Arc::new(resolver(tcp))];
    let mut runs = tokio::task::JoinSet::new();
    for i in 0..LOOKUPS {
        while runs.len() >= AT_ONCE {
            runs.join_next()
                .await
                .unwrap()
                .expect("lookup must not panic");
        }
        let go = resolvers[i % 2].clone();
        runs.spawn(async move {
            let _ = go.lookup_ip(&format!("host{i}.ok.test")).await;
        });
    }
    while let Some(run) = runs.join_next().await {
        run.expect("lookup must not panic");
    }
    // Every lookup asked for A and AAAA (and more after a truncated or failed answer).
    let queries = server.queries();
    assert!(queries.len() >= 2 * LOOKUPS, "{} queries", queries.len());
    for transport in ["udp", "tcp"] {
        assert!(
            queries.iter().filter(|q| q.transport == transport).count() >= LOOKUPS,
            "{transport}"
        );
    }
}
