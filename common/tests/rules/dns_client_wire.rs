//! Queries as Go's `newRequest` builds them, and replies read as Go's parser reads them.

use std::net::{IpAddr, Ipv4Addr};

use gomod_common::net::dns::wire::{AnswerData, QType, Query, Rejection, Reply, rcode_name};

/// A raw reply: header, then the given sections as bytes.
struct Raw {
    bytes: Vec<u8>,
}

impl Raw {
    /// QR RD RA, `rcode`, the given counts, question `q` type `qtype` IN.
    fn new(id: u16, flags: u16, counts: [u16; 4], q: &[u8], qtype: u16) -> Raw {
        let mut bytes = id.to_be_bytes().to_vec();
        bytes.extend_from_slice(&flags.to_be_bytes());
        for count in counts {
            bytes.extend_from_slice(&count.to_be_bytes());
        }
        bytes.extend_from_slice(q);
        bytes.extend_from_slice(&qtype.to_be_bytes());
        bytes.extend_from_slice(&1u16.to_be_bytes());
        Raw { bytes }
    }

    /// A record: `name` (raw), type, class IN, `ttl`, `data`.
    fn rr(mut self, name: &[u8], rtype: u16, ttl: u32, data: &[u8]) -> Raw {
        self.bytes.extend_from_slice(name);
        self.bytes.extend_from_slice(&rtype.to_be_bytes());
        self.bytes.extend_from_slice(&1u16.to_be_bytes());
        self.bytes.extend_from_slice(&ttl.to_be_bytes());
        self.bytes
            .extend_from_slice(&(data.len() as u16).to_be_bytes());
        self.bytes.extend_from_slice(data);
        self
    }

    fn reply(self) -> Reply {
        Reply::parse(self.bytes).unwrap()
    }
}

const QNAME: &[u8] = b"\x02ok\x04test\x00";
/// Pointer to the question name.
const PTR: &[u8] = &[0xc0, 12];
const QR_RD_RA: u16 = 0x8180;

fn query(id: u16) -> Query {
    let mut q = Query::new("ok.test.", QType::A, false).unwrap();
    q.id = id;
    q
}

#[test]
fn query_is_what_go_sends() {
    let q = Query::new("Ok.Test.", QType::Aaaa, true).unwrap();
    let p = &q.packet;
    assert_eq!(u16::from_be_bytes([p[0], p[1]]), q.id);
    // RD and AD, nothing else.
    assert_eq!(&p[2..4], &[0x01, 0x20]);
    assert_eq!(&p[4..12], &[0, 1, 0, 0, 0, 0, 0, 1]);
    assert_eq!(&p[12..21], b"\x02Ok\x04Test\x00");
    assert_eq!(&p[21..25], &[0, 28, 0, 1]);
    // OPT: root name, type 41, payload 1232, extended RCODE/version/flags 0, no data.
    assert_eq!(&p[25..], &[0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, 0, 0]);
    let framed = q.stream_packet();
    assert_eq!(
        usize::from(u16::from_be_bytes([framed[0], framed[1]])),
        p.len()
    );

    let plain = Query::new("ok.test.", QType::A, false).unwrap();
    assert_eq!(&plain.packet[2..4], &[0x01, 0x00]);
    assert!(
        Query::new("ok.test", QType::A, false).is_err(),
        "not rooted"
    );
    assert!(
        Query::new("a..test.", QType::A, false).is_err(),
        "empty label"
    );
    assert!(Query::new(&format!("{}.", "a".repeat(64)), QType::A, false).is_err());
    assert!(Query::new(".", QType::A, false).is_ok());
}

#[test]
fn reply_must_match_the_query() {
    let reply = Raw::new(7, QR_RD_RA, [1, 0, 0, 0], b"\x02OK\x04TEST\x00", 1).reply();
    assert!(reply.answers_query(&query(7)), "names compare without case");
    assert!(!reply.answers_query(&query(8)));
    let not_response = Raw::new(7, 0x0180, [1, 0, 0, 0], QNAME, 1).reply();
    assert!(!not_response.answers_query(&query(7)));
    let other_type = Raw::new(7, QR_RD_RA, [1, 0, 0, 0], QNAME, 28).reply();
    assert!(!other_type.answers_query(&query(7)));
    assert!(
        Reply::parse(Raw::new(7, QR_RD_RA, [0, 0, 0, 0], b"", 1).bytes[..12].to_vec()).is_err()
    );
    assert!(Reply::parse(b"this is not dns".to_vec()).is_err());
    assert!(
        !Raw::new(7, QR_RD_RA, [2, 0, 0, 0], QNAME, 1)
            .reply()
            .has_single_question()
    );
}

#[test]
fn check_header_as_go() {
    let check = |flags: u16, counts: [u16; 4]| Raw::new(1, flags, counts, QNAME, 1).reply().check();
    assert_eq!(check(QR_RD_RA | 3, [1, 0, 0, 0]), Err(Rejection::NameError));
    assert_eq!(
        check(QR_RD_RA | 2, [1, 0, 0, 0]),
        Err(Rejection::ServerFailure)
    );
    assert_eq!(
        check(QR_RD_RA | 5, [1, 0, 0, 0]),
        Err(Rejection::Misbehaving(5))
    );
    assert_eq!(check(0x8100, [1, 0, 0, 0]), Err(Rejection::LameReferral));
    assert_eq!(
        check(0x8500, [1, 0, 0, 0]),
        Ok(()),
        "authoritative is not lame"
    );
    assert_eq!(check(QR_RD_RA, [1, 0, 0, 0]), Ok(()));
    // An answer count with no answer: the first answer header cannot be read.
    assert_eq!(
        check(QR_RD_RA | 2, [1, 1, 0, 0]),
        Err(Rejection::CannotUnmarshal)
    );

    // An additional record keeps a referral from being lame.
    let with_additional = Raw::new(1, 0x8100, [1, 0, 0, 1], QNAME, 1)
        .rr(PTR, 1, 60, &[1, 2, 3, 4])
        .reply();
    assert_eq!(with_additional.check(), Ok(()));

    // EDNS(0) extends the RCODE: high bits 1 with NOERROR is BADVERS (16).
    let badvers = Raw::new(1, QR_RD_RA, [1, 0, 0, 1], QNAME, 1)
        .rr(&[0], 41, 0x0100_0000, &[])
        .reply();
    assert_eq!(badvers.rcode(), 16);
    assert_eq!(rcode_name(badvers.rcode()), "BADVERS");
    assert_eq!(badvers.check(), Err(Rejection::Misbehaving(16)));
    // ... but only EDNS version 0.
    let version1 = Raw::new(1, QR_RD_RA, [1, 0, 0, 1], QNAME, 1)
        .rr(&[0], 41, 0x0101_0000, &[])
        .reply();
    assert_eq!(version1.rcode(), 0);
}

#[test]
fn answers_as_go_reads_them() {
    let reply = Raw::new(1, QR_RD_RA, [1, 3, 0, 0], QNAME, 1)
        .rr(PTR, 5, 300, b"\x01b\x04test\x00")
        .rr(b"\x01b\x04test\x00", 16, 300, b"\x03txt")
        .rr(b"\x01b\x04test\x00", 1, 60, &[192, 0, 2, 1])
        .reply();
    let cursor = reply.find_answer(QType::A).unwrap();
    let harvest = reply.harvest(cursor);
    assert_eq!(harvest.addrs, vec![IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1))]);
    assert_eq!(harvest.canonical.as_deref(), Some("b.test."));
    assert_eq!(harvest.min_ttl, Some(60));
    assert!(!harvest.malformed);
    assert_eq!(reply.find_answer(QType::Aaaa), Err(Rejection::NoData));
    let answers = reply.answers();
    assert_eq!(answers.len(), 3);
    assert_eq!(answers[0].data, AnswerData::Cname("b.test.".into()));
    assert_eq!(answers[1].data, AnswerData::Other(16));
    assert_eq!(answers[2].name, "b.test.");
}

#[test]
fn go_parser_quirks() {
    // An A record whose data is longer than 4 bytes: Go takes the first 4.
    let long = Raw::new(1, QR_RD_RA, [1, 1, 0, 0], QNAME, 1)
        .rr(PTR, 1, 60, &[10, 0, 0, 1, 99])
        .reply();
    assert_eq!(
        long.harvest(long.find_answer(QType::A).unwrap())
            .addrs
            .len(),
        1
    );

    // A pointer forward in the message is followed (Go does not require pointers to
    // point backwards); here to the name of the second record.
    let mut forward = Raw::new(1, QR_RD_RA, [1, 2, 0, 0], QNAME, 1);
    let second_name_at = forward.bytes.len() + 2 + 10 + 4;
    let pointer = [0xc0, second_name_at as u8];
    forward = forward
        .rr(&pointer, 1, 60, &[10, 0, 0, 1])
        .rr(b"\x03fwd\x00", 1, 60, &[10, 0, 0, 2]);
    let forward = forward.reply();
    let harvest = forward.harvest(forward.find_answer(QType::A).unwrap());
    assert_eq!(harvest.canonical.as_deref(), Some("fwd."));
    assert_eq!(harvest.addrs.len(), 2);

    // Labels containing dots are rejected: the answer header cannot be read.
    let dotted = Raw::new(1, QR_RD_RA, [1, 1, 0, 0], QNAME, 1)
        .rr(b"\x03a.b\x00", 1, 60, &[10, 0, 0, 1])
        .reply();
    assert_eq!(dotted.check(), Err(Rejection::CannotUnmarshal));

    // A pointer loop fails after 10 pointers.
    let looped = Raw::new(1, QR_RD_RA, [1, 0, 0, 0], &[0xc0, 12], 1);
    assert!(Reply::parse(looped.bytes).is_err());

    // A broken record after the addresses: Go keeps the addresses and notes the error.
    let mut broken = Raw::new(1, QR_RD_RA, [1, 2, 0, 0], QNAME, 1).rr(PTR, 1, 60, &[10, 0, 0, 1]);
    broken.bytes.extend_from_slice(&[0xc0]);
    let broken = broken.reply();
    assert_eq!(broken.check(), Ok(()));
    let harvest = broken.harvest(broken.find_answer(QType::A).unwrap());
    assert_eq!(harvest.addrs.len(), 1);
    assert!(harvest.malformed);
}
