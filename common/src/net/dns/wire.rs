//! DNS messages as Go's resolver writes and reads them.
//!
//! Queries are built with `hickory-proto` the way Go's `newRequest` builds them: a
//! random ID, RD, the AD bit when `trust-ad` is set, one question of class IN and an
//! EDNS(0) OPT record offering 1232-byte replies.
//!
//! Replies are read the way Go's `dnsmessage.Parser` reads them, lazily and only as far
//! as the resolver looks: the header and first question decide whether a reply is taken
//! at all, and later sections are only walked record by record. An eager decoder
//! (hickory's `Message::from_vec`) rejects a whole reply for faults Go never reaches,
//! such as a broken record after the addresses, and accepts names Go rejects (labels
//! containing dots), so it would classify malformed replies differently from Go.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use hickory_proto::op::{Edns, Header, Message, Query as HickoryQuery};
use hickory_proto::rr::{Name, RecordType};
use hickory_proto::serialize::binary::{BinDecodable, BinDecoder};

/// The largest reply Go asks for (EDNS(0) payload size) and the size of its UDP read
/// buffer; longer datagrams are cut to this size, as Go reads them.
pub const MAX_DNS_PACKET_SIZE: u16 = 1232;

const TYPE_A: u16 = 1;
const TYPE_CNAME: u16 = 5;
const TYPE_AAAA: u16 = 28;
const TYPE_OPT: u16 = 41;
const CLASS_INET: u16 = 1;
const RCODE_SUCCESS: u16 = 0;
const RCODE_SERVER_FAILURE: u16 = 2;
const RCODE_NAME_ERROR: u16 = 3;

/// The two record types a host lookup asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum QType {
    A,
    Aaaa,
}

impl QType {
    /// The record type number.
    pub fn code(self) -> u16 {
        match self {
            QType::A => TYPE_A,
            QType::Aaaa => TYPE_AAAA,
        }
    }

    /// `"A"` or `"AAAA"`.
    pub fn as_str(self) -> &'static str {
        match self {
            QType::A => "A",
            QType::Aaaa => "AAAA",
        }
    }
}

/// Go's `errCannotMarshalDNSMessage`: the name cannot be put in a query.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CannotMarshal;

impl fmt::Display for CannotMarshal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("cannot marshal DNS message")
    }
}

impl std::error::Error for CannotMarshal {}

/// A query ready to send (Go's `newRequest`).
#[derive(Clone, Debug)]
pub struct Query {
    /// The message ID.
    pub id: u16,
    /// The rooted name asked for, as sent (case kept).
    pub name: String,
    /// The record type asked for.
    pub qtype: QType,
    /// The message as sent over UDP (without the TCP length prefix).
    pub packet: Vec<u8>,
}

impl Query {
    /// A query for the rooted `name` with a random ID, as Go's `newRequest` makes it.
    pub fn new(name: &str, qtype: QType, trust_ad: bool) -> Result<Query, CannotMarshal> {
        let message = Message::query();
        let id = message.metadata.id;
        Query::build(message, id, name, qtype, trust_ad)
    }

    /// The same query with ID `id` (DNS over HTTPS uses 0, RFC 8484 section 4.1).
    pub fn with_id(
        id: u16,
        name: &str,
        qtype: QType,
        trust_ad: bool,
    ) -> Result<Query, CannotMarshal> {
        Query::build(Message::query(), id, name, qtype, trust_ad)
    }

    fn build(
        mut message: Message,
        id: u16,
        name: &str,
        qtype: QType,
        trust_ad: bool,
    ) -> Result<Query, CannotMarshal> {
        // Go's Name.pack: rooted, at most 254 bytes, labels of 1 to 63 bytes taken as
        // raw bytes (hickory's from_labels enforces the label rules).
        let labels = match name {
            "." => Vec::new(),
            _ => {
                let body = name.strip_suffix('.').ok_or(CannotMarshal)?;
                body.split('.').map(str::as_bytes).collect()
            }
        };
        if name.len() > 254 {
            return Err(CannotMarshal);
        }
        let qname = Name::from_labels(labels).map_err(|_| CannotMarshal)?;
        message.metadata.id = id;
        message.metadata.recursion_desired = true;
        message.metadata.authentic_data = trust_ad;
        message.add_query(HickoryQuery::query(qname, RecordType::from(qtype.code())));
        let mut edns = Edns::new();
        edns.set_max_payload(MAX_DNS_PACKET_SIZE);
        message.set_edns(edns);
        let packet = message.to_vec().map_err(|_| CannotMarshal)?;
        Ok(Query {
            id,
            name: name.to_string(),
            qtype,
            packet,
        })
    }

    /// The message with the 2-byte length prefix used over TCP and TLS.
    pub fn stream_packet(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.packet.len() + 2);
        out.extend_from_slice(&(self.packet.len() as u16).to_be_bytes());
        out.extend_from_slice(&self.packet);
        out
    }
}

/// One answer record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    /// The owner name, rooted, as the server wrote it.
    pub name: String,
    pub ttl: u32,
    pub data: AnswerData,
}

/// What an answer record holds, for the types a host lookup uses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AnswerData {
    A(Ipv4Addr),
    Aaaa(Ipv6Addr),
    /// The CNAME target, rooted.
    Cname(String),
    /// Any other record type, by number.
    Other(u16),
}

/// The question of a reply.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Question {
    /// Rooted, as the server wrote it.
    pub name: String,
    pub qtype: u16,
    pub qclass: u16,
}

/// The header or the first question of a reply could not be read (Go's `Parser.Start`
/// or `Parser.Question` failed): over UDP Go ignores such a datagram, over a stream it
/// is "cannot unmarshal DNS message".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NotAReply;

/// Why Go does not take the addresses of an accepted reply (`checkHeader` and
/// `skipToAnswer`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rejection {
    /// RCODE 3: "no such host"; no other server is asked.
    NameError,
    /// No answer of the asked type (NODATA): also "no such host", also final.
    NoData,
    /// NOERROR without answers, AA, RA or additional records: "lame referral".
    LameReferral,
    /// RCODE 2: "server misbehaving", marked temporary.
    ServerFailure,
    /// Any other RCODE but 0: "server misbehaving".
    Misbehaving(u16),
    /// A record header Go had to read was broken: "cannot unmarshal DNS message".
    CannotUnmarshal,
}

/// Where the first answer of the asked type starts (after `skipToAnswer`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AnswerCursor {
    offset: usize,
    index: u16,
}

/// What the answer loop of Go's `goLookupIPCNAMEOrder` takes from one reply.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Harvest {
    /// Addresses in record order.
    pub addrs: Vec<IpAddr>,
    /// The first canonical-name candidate Go would keep: the owner of the first
    /// address record, or the target of a CNAME seen before it in the loop.
    pub canonical: Option<String>,
    /// The smallest TTL of the records taken.
    pub min_ttl: Option<u32>,
    /// A record could not be read: Go sets "cannot unmarshal DNS message" as its last
    /// error but keeps what it took before.
    pub malformed: bool,
}

/// A reply as far as Go's resolver reads it.
#[derive(Clone, Debug)]
pub struct Reply {
    msg: Vec<u8>,
    pub id: u16,
    /// QR: this is a response.
    pub response: bool,
    pub opcode: u8,
    /// AA.
    pub authoritative: bool,
    /// TC.
    pub truncated: bool,
    /// RD.
    pub recursion_desired: bool,
    /// RA.
    pub recursion_available: bool,
    /// AD.
    pub authentic_data: bool,
    /// The 4-bit RCODE of the header; see [`Reply::rcode`] for the one Go acts on.
    pub header_rcode: u8,
    /// The first question.
    pub question: Question,
    question_count: u16,
    answer_count: u16,
    authority_count: u16,
    additional_count: u16,
    /// Offset just past the first question.
    answers_at: usize,
}

impl Reply {
    /// Reads the header and the first question (Go's `Parser.Start` and
    /// `Parser.Question`).
    pub fn parse(msg: Vec<u8>) -> Result<Reply, NotAReply> {
        let header = Header::read(&mut BinDecoder::new(&msg)).map_err(|_| NotAReply)?;
        if header.counts.queries == 0 {
            return Err(NotAReply);
        }
        let (name, off) = unpack_name(&msg, 12).ok_or(NotAReply)?;
        let (qtype, off) = read_u16(&msg, off).ok_or(NotAReply)?;
        let (qclass, answers_at) = read_u16(&msg, off).ok_or(NotAReply)?;
        let meta = header.metadata;
        Ok(Reply {
            id: meta.id,
            response: meta.message_type == hickory_proto::op::MessageType::Response,
            opcode: u8::from(meta.op_code),
            authoritative: meta.authoritative,
            truncated: meta.truncation,
            recursion_desired: meta.recursion_desired,
            recursion_available: meta.recursion_available,
            authentic_data: meta.authentic_data,
            header_rcode: msg[3] & 0x0f,
            question: Question {
                name,
                qtype,
                qclass,
            },
            question_count: header.counts.queries,
            answer_count: header.counts.answers,
            authority_count: header.counts.authorities,
            additional_count: header.counts.additionals,
            answers_at,
            msg,
        })
    }

    /// Whether this is the response to `query` (Go's `checkResponse`): QR set, same ID,
    /// same type and class, same name ignoring ASCII case.
    pub fn answers_query(&self, query: &Query) -> bool {
        self.response
            && self.id == query.id
            && self.question.qtype == query.qtype.code()
            && self.question.qclass == CLASS_INET
            && self.question.name.eq_ignore_ascii_case(&query.name)
    }

    /// Whether the reply has exactly one question; Go calls any other reply an
    /// "invalid DNS response".
    pub fn has_single_question(&self) -> bool {
        self.question_count == 1
    }

    /// The RCODE Go acts on: extended by an EDNS(0) OPT record when Go finds one
    /// (`extractExtendedRCode`).
    pub fn rcode(&self) -> u16 {
        self.extended_rcode().0
    }

    /// Go's `extractExtendedRCode`: the RCODE, and whether an additional record was
    /// read. Answers and authorities are skipped loosely; if that fails, the header
    /// RCODE stands and no additional record counts.
    fn extended_rcode(&self) -> (u16, bool) {
        let header = u16::from(self.header_rcode);
        let mut off = self.answers_at;
        for _ in 0..u32::from(self.answer_count) + u32::from(self.authority_count) {
            match skip_resource(&self.msg, off) {
                Some(next) => off = next,
                None => return (header, false),
            }
        }
        let mut has_additional = false;
        for _ in 0..self.additional_count {
            let Some((rr, body)) = resource_header(&self.msg, off) else {
                return (header, has_additional);
            };
            has_additional = true;
            if rr.rtype == TYPE_OPT {
                // RFC 6891 section 6.1.3: only version 0 extends the RCODE.
                if rr.ttl & 0x00ff_0000 == 0 {
                    return (((rr.ttl >> 24) << 4) as u16 | header, true);
                }
                return (header, true);
            }
            off = body + usize::from(rr.length);
            if off > self.msg.len() {
                return (header, has_additional);
            }
        }
        (header, has_additional)
    }

    /// Go's `checkHeader`.
    pub fn check(&self) -> Result<(), Rejection> {
        let (rcode, has_additional) = self.extended_rcode();
        if rcode == RCODE_NAME_ERROR {
            return Err(Rejection::NameError);
        }
        if self.answer_count > 0 && resource_header(&self.msg, self.answers_at).is_none() {
            return Err(Rejection::CannotUnmarshal);
        }
        // libresolv moves on to the next server on such a referral (golang.org/issue/15434).
        if rcode == RCODE_SUCCESS
            && !self.authoritative
            && !self.recursion_available
            && self.answer_count == 0
            && !has_additional
        {
            return Err(Rejection::LameReferral);
        }
        match rcode {
            RCODE_SUCCESS => Ok(()),
            RCODE_SERVER_FAILURE => Err(Rejection::ServerFailure),
            other => Err(Rejection::Misbehaving(other)),
        }
    }

    /// Go's `skipToAnswer`: the first answer whose type is `qtype` (class and owner are
    /// not looked at).
    pub fn find_answer(&self, qtype: QType) -> Result<AnswerCursor, Rejection> {
        let mut off = self.answers_at;
        for index in 0..self.answer_count {
            let (rr, body) = resource_header(&self.msg, off).ok_or(Rejection::CannotUnmarshal)?;
            if rr.rtype == qtype.code() {
                return Ok(AnswerCursor { offset: off, index });
            }
            off = body + usize::from(rr.length);
            if off > self.msg.len() {
                return Err(Rejection::CannotUnmarshal);
            }
        }
        Err(Rejection::NoData)
    }

    /// The answer loop of Go's `goLookupIPCNAMEOrder`, from `from` to the end of the
    /// answer section: A and AAAA records give addresses (and the first owner name),
    /// CNAME records a canonical name, other types are skipped.
    pub fn harvest(&self, from: AnswerCursor) -> Harvest {
        let msg = &self.msg;
        let mut out = Harvest::default();
        let mut off = from.offset;
        for _ in from.index..self.answer_count {
            let Some((rr, body)) = resource_header(msg, off) else {
                out.malformed = true;
                break;
            };
            let taken = match rr.rtype {
                TYPE_A | TYPE_AAAA => match read_address(msg, body, rr.rtype) {
                    Some(addr) => {
                        out.addrs.push(addr);
                        Some(rr.name)
                    }
                    None => {
                        out.malformed = true;
                        break;
                    }
                },
                TYPE_CNAME => match unpack_name(msg, body) {
                    Some((target, _)) => Some(target),
                    None => {
                        out.malformed = true;
                        break;
                    }
                },
                _ => None,
            };
            // Go moves past A, AAAA and CNAME data by its length without a bounds
            // check (the next header read fails instead); skipped records are checked.
            off = body + usize::from(rr.length);
            match taken {
                Some(name) => {
                    out.canonical.get_or_insert(name);
                    out.min_ttl = Some(out.min_ttl.map_or(rr.ttl, |t| t.min(rr.ttl)));
                }
                None if off > msg.len() => {
                    out.malformed = true;
                    break;
                }
                None => {}
            }
        }
        out
    }

    /// Every answer record, read with the same rules, up to the first one that cannot
    /// be read (for traces).
    pub fn answers(&self) -> Vec<Answer> {
        let msg = &self.msg;
        let mut out = Vec::new();
        let mut off = self.answers_at;
        for _ in 0..self.answer_count {
            let Some((rr, body)) = resource_header(msg, off) else {
                break;
            };
            let data = match rr.rtype {
                TYPE_A | TYPE_AAAA => match read_address(msg, body, rr.rtype) {
                    Some(IpAddr::V4(a)) => AnswerData::A(a),
                    Some(IpAddr::V6(a)) => AnswerData::Aaaa(a),
                    None => break,
                },
                TYPE_CNAME => match unpack_name(msg, body) {
                    Some((target, _)) => AnswerData::Cname(target),
                    None => break,
                },
                other => AnswerData::Other(other),
            };
            out.push(Answer {
                name: rr.name,
                ttl: rr.ttl,
                data,
            });
            off = body + usize::from(rr.length);
            if off > msg.len() {
                break;
            }
        }
        out
    }
}

/// The conventional mnemonic of an RCODE (`NOERROR`, `NXDOMAIN`, ...).
pub fn rcode_name(rcode: u16) -> String {
    let name = match rcode {
        0 => "NOERROR",
        1 => "FORMERR",
        2 => "SERVFAIL",
        3 => "NXDOMAIN",
        4 => "NOTIMP",
        5 => "REFUSED",
        6 => "YXDOMAIN",
        7 => "YXRRSET",
        8 => "NXRRSET",
        9 => "NOTAUTH",
        10 => "NOTZONE",
        16 => "BADVERS",
        other => return format!("RCODE{other}"),
    };
    name.to_string()
}

struct ResourceHeader {
    name: String,
    rtype: u16,
    ttl: u32,
    length: u16,
}

fn read_u16(msg: &[u8], off: usize) -> Option<(u16, usize)> {
    let bytes = msg.get(off..off + 2)?;
    Some((u16::from_be_bytes([bytes[0], bytes[1]]), off + 2))
}

fn read_u32(msg: &[u8], off: usize) -> Option<(u32, usize)> {
    let bytes = msg.get(off..off + 4)?;
    Some((
        u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]),
        off + 4,
    ))
}

/// Go's `unpackAResource`/`unpackAAAAResource`: 4 or 16 bytes at the start of the data,
/// whatever the record's data length says.
fn read_address(msg: &[u8], off: usize, rtype: u16) -> Option<IpAddr> {
    if rtype == TYPE_A {
        let b: [u8; 4] = msg.get(off..off + 4)?.try_into().ok()?;
        Some(IpAddr::from(b))
    } else {
        let b: [u8; 16] = msg.get(off..off + 16)?.try_into().ok()?;
        Some(IpAddr::from(b))
    }
}

/// Go's `ResourceHeader.unpack`: owner name, type, class, TTL and data length; returns
/// the header and the offset of the data.
fn resource_header(msg: &[u8], off: usize) -> Option<(ResourceHeader, usize)> {
    let (name, off) = unpack_name(msg, off)?;
    let (rtype, off) = read_u16(msg, off)?;
    let (_class, off) = read_u16(msg, off)?;
    let (ttl, off) = read_u32(msg, off)?;
    let (length, off) = read_u16(msg, off)?;
    Some((
        ResourceHeader {
            name,
            rtype,
            ttl,
            length,
        },
        off,
    ))
}

/// Go's `skipResource`: like [`resource_header`] but the name is only stepped over and
/// the data must fit in the message.
fn skip_resource(msg: &[u8], off: usize) -> Option<usize> {
    let off = skip_name(msg, off)?;
    // type, class, TTL
    if off + 8 > msg.len() {
        return None;
    }
    let (length, off) = read_u16(msg, off + 8)?;
    let end = off + usize::from(length);
    (end <= msg.len()).then_some(end)
}

/// Go's `Name.unpack`: follows up to 10 compression pointers in any direction, rejects
/// labels containing dots and labels that would make the rooted name longer than 254
/// bytes (golang/go#77540); returns the rooted name and the offset after it.
fn unpack_name(msg: &[u8], off: usize) -> Option<(String, usize)> {
    let mut name: Vec<u8> = Vec::new();
    let mut cur = off;
    let mut next = None;
    let mut pointers = 0;
    loop {
        let c = usize::from(*msg.get(cur)?);
        cur += 1;
        match c & 0xc0 {
            0x00 if c == 0 => break,
            0x00 => {
                let label = msg.get(cur..cur + c)?;
                if label.contains(&b'.') || name.len() + c >= 254 {
                    return None;
                }
                name.extend_from_slice(label);
                name.push(b'.');
                cur += c;
            }
            0xc0 => {
                let low = usize::from(*msg.get(cur)?);
                cur += 1;
                next.get_or_insert(cur);
                pointers += 1;
                if pointers > 10 {
                    return None;
                }
                cur = (c ^ 0xc0) << 8 | low;
            }
            _ => return None,
        }
    }
    if name.is_empty() {
        name.push(b'.');
    }
    Some((
        String::from_utf8_lossy(&name).into_owned(),
        next.unwrap_or(cur),
    ))
}

/// Go's `skipName`: steps over a name without following pointers.
fn skip_name(msg: &[u8], mut off: usize) -> Option<usize> {
    loop {
        let c = usize::from(*msg.get(off)?);
        off += 1;
        match c & 0xc0 {
            0x00 if c == 0 => return Some(off),
            0x00 => {
                off += c;
                if off > msg.len() {
                    return None;
                }
            }
            0xc0 => return Some(off + 1),
            _ => return None,
        }
    }
}
