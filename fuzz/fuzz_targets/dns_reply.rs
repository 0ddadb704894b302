//! DNS messages: `net::dns::wire::Reply::parse` and everything the resolver reads from
//! a reply (`check`, `rcode`, `find_answer`, `harvest`, `answers`, `answers_query`),
//! and `Query::new`/`with_id` read back by `Reply::parse` (`<flags> <name> 0xFF
//! <packet>`: bit 0 of the flags byte picks AAAA, bit 1 sets trust-ad; the packet is
//! the last field, so it sees every byte value).
//!
//! Asserts (Go's `dnsmessage.Parser` as `dnsclient_unix.go` drives it): no panic;
//! - a parsed reply has the header bits of its bytes; the extended RCODE keeps the
//!   header's low 4 bits and fits in 12; `check` agrees with it (NXDOMAIN ⇒
//!   `NameError`, success only for RCODE 0, `ServerFailure` only for 2, a lame
//!   referral only for NOERROR without AA, RA or answers);
//! - trailing bytes change neither the header nor the question, and the answers read
//!   before are a prefix of those read after (Go's parser is lazy);
//! - a reply never answers a query with another ID; with the same ID, name (any ASCII
//!   case), it answers exactly when QR is set and type and class match;
//! - `find_answer(t)` finds the first record of type t that `answers()` lists, and
//!   `NoData` only when `answers()` lists none; `harvest` from it starts with an
//!   address of the asked family and takes exactly the A/AAAA addresses `answers()`
//!   lists from there on, with their smallest TTL and the first record's owner as
//!   canonical name. (Later records of the other family are taken too: Go's answer
//!   loop accepts both types whatever it asked for.)
//! - a query that builds parses back to its ID, name, type, class IN, RD, the AD bit
//!   it asked for, a single question, EDNS(0) and no answers, and, with QR set, it
//!   answers itself; `Query::new` differs from `with_id` only in the ID; a rooted
//!   name `isDomainName` accepts always builds, an unrooted one never does.
#![no_main]

use std::net::IpAddr;

use gomod_common::net::dns::conf::is_domain_name;
use gomod_common::net::dns::wire::{AnswerData, QType, Query, Rejection, Reply};
use gomod_fuzz::{fields, text};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let qtype = if flags & 1 == 0 {
        QType::A
    } else {
        QType::Aaaa
    };
    let trust_ad = flags & 2 != 0;
    let [name, packet] = fields::<2>(rest);
    let name = text(name);

    if let Ok(reply) = Reply::parse(packet.to_vec()) {
        check_reply(&reply, packet);
    }
    check_query(&name, qtype, trust_ad, u16::from_be_bytes([flags, 0x5a]));
});

fn be16(bytes: &[u8], at: usize) -> u16 {
    u16::from_be_bytes([bytes[at], bytes[at + 1]])
}

fn family_of(qtype: QType) -> fn(&IpAddr) -> bool {
    match qtype {
        QType::A => IpAddr::is_ipv4,
        QType::Aaaa => IpAddr::is_ipv6,
    }
}

fn check_reply(reply: &Reply, packet: &[u8]) {
    // Header bits (Go's Parser.Start).
    assert!(packet.len() >= 12);
    assert_eq!(reply.id, be16(packet, 0));
    assert_eq!(reply.response, packet[2] & 0x80 != 0);
    assert_eq!(reply.opcode, (packet[2] >> 3) & 0x0f);
    assert_eq!(reply.authoritative, packet[2] & 0x04 != 0);
    assert_eq!(reply.truncated, packet[2] & 0x02 != 0);
    assert_eq!(reply.recursion_desired, packet[2] & 0x01 != 0);
    assert_eq!(reply.recursion_available, packet[3] & 0x80 != 0);
    assert_eq!(reply.authentic_data, packet[3] & 0x20 != 0);
    assert_eq!(reply.header_rcode, packet[3] & 0x0f);
    let qdcount = be16(packet, 4);
    let ancount = be16(packet, 6);
    assert_ne!(qdcount, 0);
    assert_eq!(reply.has_single_question(), qdcount == 1);
    assert!(
        reply.question.name.ends_with('.'),
        "{:?}",
        reply.question.name
    );

    // RCODE and checkHeader.
    let rcode = reply.rcode();
    assert!(rcode < 1 << 12, "{rcode}");
    assert_eq!(rcode & 0x0f, u16::from(reply.header_rcode));
    match reply.check() {
        Ok(()) => assert_eq!(rcode, 0),
        Err(Rejection::NameError) => assert_eq!(rcode, 3),
        Err(Rejection::ServerFailure) => assert_eq!(rcode, 2),
        Err(Rejection::Misbehaving(code)) => {
            assert_eq!(code, rcode);
            assert!(![0, 2, 3].contains(&code));
        }
        Err(Rejection::LameReferral) => {
            assert_eq!(rcode, 0);
            assert!(!reply.authoritative && !reply.recursion_available && ancount == 0);
        }
        Err(Rejection::CannotUnmarshal) => assert!(rcode != 3 && ancount > 0),
        Err(Rejection::NoData) => panic!("check() gave NoData"),
    }

    // Answers, skipToAnswer and the answer loop.
    let answers = reply.answers();
    assert!(answers.len() <= usize::from(ancount));
    for qtype in [QType::A, QType::Aaaa] {
        let is_type = |a: &AnswerData| match (a, qtype) {
            (AnswerData::A(_), QType::A) | (AnswerData::Aaaa(_), QType::Aaaa) => true,
            (AnswerData::Other(code), _) => *code == qtype.code(),
            _ => false,
        };
        assert!(answers.iter().all(|a| match a.data {
            AnswerData::Other(code) => ![1, 5, 28].contains(&code),
            _ => true,
        }));
        let listed = answers.iter().position(|a| is_type(&a.data));
        let cursor = match reply.find_answer(qtype) {
            Ok(cursor) => cursor,
            Err(Rejection::NoData) => {
                assert_eq!(listed, None, "NoData for {qtype:?} but {answers:?}");
                continue;
            }
            Err(Rejection::CannotUnmarshal) => {
                assert_eq!(listed, None, "{qtype:?} unreadable but {answers:?}");
                continue;
            }
            Err(other) => panic!("find_answer gave {other:?}"),
        };
        let harvest = reply.harvest(cursor);
        assert_eq!(harvest.canonical.is_some(), !harvest.addrs.is_empty());
        assert_eq!(harvest.min_ttl.is_some(), !harvest.addrs.is_empty());
        match harvest.addrs.first() {
            Some(first) => assert!(family_of(qtype)(first), "{qtype:?} gave {first}"),
            None => assert!(harvest.malformed),
        }
        let Some(pos) = listed else {
            continue;
        };
        let taken = &answers[pos..];
        let addrs: Vec<IpAddr> = taken
            .iter()
            .filter_map(|a| match a.data {
                AnswerData::A(ip) => Some(IpAddr::V4(ip)),
                AnswerData::Aaaa(ip) => Some(IpAddr::V6(ip)),
                _ => None,
            })
            .collect();
        assert_eq!(harvest.addrs, addrs, "{qtype:?} from {answers:?}");
        assert_eq!(harvest.canonical.as_deref(), Some(taken[0].name.as_str()));
        let min_ttl = taken
            .iter()
            .filter(|a| !matches!(a.data, AnswerData::Other(_)))
            .map(|a| a.ttl)
            .min();
        assert_eq!(harvest.min_ttl, min_ttl);
    }

    // Go reads lazily: bytes after what it read change nothing it read.
    let mut longer = packet.to_vec();
    longer.extend_from_slice(&[0; 20]);
    let longer = Reply::parse(longer).expect("a longer reply still parses");
    assert_eq!(longer.id, reply.id);
    assert_eq!(longer.question, reply.question);
    assert_eq!(longer.header_rcode, reply.header_rcode);
    let more = longer.answers();
    assert!(
        more.starts_with(&answers),
        "{answers:?} then {more:?} with trailing bytes"
    );

    // checkResponse.
    for qtype in [QType::A, QType::Aaaa] {
        let name = &reply.question.name;
        if let Ok(other) = Query::with_id(reply.id ^ 0x8001, name, qtype, false) {
            assert!(!reply.answers_query(&other), "answers ID {}", other.id);
        }
        let matches =
            reply.response && reply.question.qtype == qtype.code() && reply.question.qclass == 1;
        for spelled in [name.clone(), name.to_ascii_uppercase()] {
            if let Ok(same) = Query::with_id(reply.id, &spelled, qtype, false) {
                assert_eq!(reply.answers_query(&same), matches, "{spelled:?}");
            }
        }
    }
}

fn check_query(name: &str, qtype: QType, trust_ad: bool, id: u16) {
    let built = Query::with_id(id, name, qtype, trust_ad);
    let random = Query::new(name, qtype, trust_ad);
    assert_eq!(built.is_ok(), random.is_ok());
    if !name.ends_with('.') {
        assert!(built.is_err(), "unrooted {name:?} built");
    } else if is_domain_name(name) {
        assert!(built.is_ok(), "{name:?} did not build");
    }
    let (Ok(query), Ok(random)) = (built, random) else {
        return;
    };
    assert_eq!(random.packet[2..], query.packet[2..]);
    assert_eq!(random.id, be16(&random.packet, 0));
    assert_eq!(query.id, id);
    let stream = query.stream_packet();
    assert_eq!(usize::from(be16(&stream, 0)), query.packet.len());
    assert_eq!(stream[2..], query.packet);

    let back = Reply::parse(query.packet.clone()).expect("a query parses");
    assert_eq!(back.id, id);
    assert!(!back.response && back.recursion_desired && back.opcode == 0);
    assert_eq!(back.authentic_data, trust_ad);
    assert!(back.has_single_question());
    assert_eq!(back.question.name, name);
    assert_eq!(back.question.qtype, qtype.code());
    assert_eq!(back.question.qclass, 1);
    assert_eq!(back.rcode(), 0);
    // The OPT record counts as an additional record, so this is no lame referral.
    assert_eq!(back.check(), Ok(()));
    assert!(back.answers().is_empty());
    assert_eq!(back.find_answer(qtype), Err(Rejection::NoData));
    assert!(!back.answers_query(&query), "a query answers itself");

    let mut response = query.packet.clone();
    response[2] |= 0x80;
    let response = Reply::parse(response).expect("the response parses");
    assert!(response.answers_query(&query));
    if let Ok(upper) = Query::with_id(id, &name.to_ascii_uppercase(), qtype, trust_ad) {
        assert!(response.answers_query(&upper));
    }
    let other = Query::with_id(id.wrapping_add(1), name, qtype, trust_ad).expect("same name");
    assert!(!response.answers_query(&other));
}
