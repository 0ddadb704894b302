//! A ClientHello parser: the fields a middlebox looks at and JA4 reads, from the
//! TLS records a client sent (the hello may span several records).

use super::build::ext;

/// A parsed ClientHello.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClientHello {
    /// Total bytes of the records that carried the hello.
    pub record_bytes: usize,
    /// How many records carried it.
    pub records: usize,
    /// The legacy version field.
    pub legacy_version: u16,
    /// Length of the session ID.
    pub session_id_len: usize,
    /// Cipher suites, in order.
    pub cipher_suites: Vec<u16>,
    /// Extension code points, in order.
    pub extensions: Vec<u16>,
    /// server_name, if sent.
    pub server_name: Option<String>,
    /// supported_groups.
    pub groups: Vec<u16>,
    /// key_share entries: group and share size.
    pub key_shares: Vec<(u16, usize)>,
    /// signature_algorithms.
    pub signature_algorithms: Vec<u16>,
    /// signature_algorithms_cert.
    pub signature_algorithms_cert: Vec<u16>,
    /// ALPN protocols.
    pub alpn: Vec<String>,
    /// supported_versions.
    pub versions: Vec<u16>,
}

/// Why bytes are not a ClientHello.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ParseError {
    /// More bytes are needed.
    Incomplete,
    /// Not a TLS handshake record carrying a ClientHello.
    NotClientHello,
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], ParseError> {
        if self.0.len() < n {
            return Err(ParseError::NotClientHello);
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }
    fn u8(&mut self) -> Result<u8, ParseError> {
        Ok(self.take(1)?[0])
    }
    fn u16(&mut self) -> Result<u16, ParseError> {
        let b = self.take(2)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }
    fn vec8(&mut self) -> Result<&'a [u8], ParseError> {
        let n = self.u8()? as usize;
        self.take(n)
    }
    fn vec16(&mut self) -> Result<&'a [u8], ParseError> {
        let n = self.u16()? as usize;
        self.take(n)
    }
}

fn u16s(data: &[u8]) -> Vec<u16> {
    data.chunks_exact(2)
        .map(|c| u16::from_be_bytes([c[0], c[1]]))
        .collect()
}

/// How many bytes of `data` the records holding the whole hello take, if complete.
pub fn hello_length(data: &[u8]) -> Result<usize, ParseError> {
    let (mut at, mut handshake) = (0, Vec::new());
    loop {
        if data.len() < at + 5 {
            return Err(ParseError::Incomplete);
        }
        if data[at] != 0x16 {
            return Err(ParseError::NotClientHello);
        }
        let len = u16::from_be_bytes([data[at + 3], data[at + 4]]) as usize;
        if data.len() < at + 5 + len {
            return Err(ParseError::Incomplete);
        }
        handshake.extend(&data[at + 5..at + 5 + len]);
        at += 5 + len;
        if handshake.len() >= 4 {
            if handshake[0] != 1 {
                return Err(ParseError::NotClientHello);
            }
            let body = u32::from_be_bytes([0, handshake[1], handshake[2], handshake[3]]) as usize;
            if handshake.len() >= 4 + body {
                return Ok(at);
            }
        }
    }
}

/// Parses the ClientHello at the start of `data` (TLS records as sent).
pub fn parse(data: &[u8]) -> Result<ClientHello, ParseError> {
    let total = hello_length(data)?;
    let mut handshake = Vec::new();
    let (mut at, mut records) = (0, 0);
    while at < total {
        let len = u16::from_be_bytes([data[at + 3], data[at + 4]]) as usize;
        handshake.extend(&data[at + 5..at + 5 + len]);
        at += 5 + len;
        records += 1;
    }
    let mut hs = Reader(&handshake);
    hs.take(4)?;
    let mut hello = ClientHello {
        record_bytes: total,
        records,
        legacy_version: hs.u16()?,
        ..ClientHello::default()
    };
    hs.take(32)?;
    hello.session_id_len = hs.vec8()?.len();
    hello.cipher_suites = u16s(hs.vec16()?);
    hs.vec8()?;
    if hs.0.is_empty() {
        return Ok(hello);
    }
    let mut exts = Reader(hs.vec16()?);
    while !exts.0.is_empty() {
        let id = exts.u16()?;
        let data = exts.vec16()?;
        hello.extensions.push(id);
        let mut r = Reader(data);
        match id {
            ext::SERVER_NAME => {
                let mut list = Reader(r.vec16()?);
                if list.u8()? == 0 {
                    hello.server_name = Some(String::from_utf8_lossy(list.vec16()?).into_owned());
                }
            }
            ext::SUPPORTED_GROUPS => hello.groups = u16s(r.vec16()?),
            ext::SIGNATURE_ALGORITHMS => hello.signature_algorithms = u16s(r.vec16()?),
            ext::SIGNATURE_ALGORITHMS_CERT => hello.signature_algorithms_cert = u16s(r.vec16()?),
            ext::SUPPORTED_VERSIONS => hello.versions = u16s(r.vec8()?),
            ext::ALPN => {
                let mut list = Reader(r.vec16()?);
                while !list.0.is_empty() {
                    hello
                        .alpn
                        .push(String::from_utf8_lossy(list.vec8()?).into_owned());
                }
            }
            ext::KEY_SHARE => {
                let mut list = Reader(r.vec16()?);
                while !list.0.is_empty() {
                    let group = list.u16()?;
                    hello.key_shares.push((group, list.vec16()?.len()));
                }
            }
            _ => {}
        }
    }
    Ok(hello)
}

#[cfg(test)]
mod tests {
    use super::super::{GoHello, build};
    use super::*;

    #[test]
    fn built_hello_parses_back() {
        let go = GoHello {
            aes_hardware: true,
            ..GoHello::new(Some(27), "")
        };
        let bytes = build(&go, Some("proxy.golang.org"), &["h2", "http/1.1"]);
        let hello = parse(&bytes).unwrap();
        assert_eq!(hello.record_bytes, bytes.len());
        assert_eq!(hello.records, 1);
        assert_eq!(hello.server_name.as_deref(), Some("proxy.golang.org"));
        assert_eq!(hello.groups, go.groups());
        assert_eq!(hello.key_shares, go.key_shares());
        assert_eq!(hello.cipher_suites, go.cipher_suites());
        assert_eq!(hello.alpn, ["h2", "http/1.1"]);
        assert_eq!(hello.versions, [0x0304, 0x0303]);
        assert_eq!(
            hello.extensions,
            [
                0x0000, 0x000b, 0xff01, 0x0017, 0x0012, 0x0005, 0x000a, 0x000d, 0x0032, 0x0010,
                0x002b, 0x0033
            ]
        );
        // go1.27.3's hello to 127.0.0.1 (no SNI) was 1,513 bytes; SNI adds 9 + name.
        assert_eq!(bytes.len(), 1513 + 9 + "proxy.golang.org".len());
        let classic = build(&go.classic(), None, &["h2", "http/1.1"]);
        assert_eq!(parse(&classic).unwrap().key_shares, [(0x001d, 32)]);
    }

    #[test]
    fn partial_and_foreign_bytes() {
        let bytes = build(&GoHello::new(None, ""), None, &[]);
        assert_eq!(parse(&bytes[..100]), Err(ParseError::Incomplete));
        assert_eq!(
            parse(b"GET / HTTP/1.1\r\n"),
            Err(ParseError::NotClientHello)
        );
        // The same hello split over two records.
        let (head, body) = bytes.split_at(5);
        let _ = head;
        let mut split = vec![0x16, 3, 1, 0, 10];
        split.extend(&body[..10]);
        split.extend([0x16, 3, 1]);
        split.extend(((body.len() - 10) as u16).to_be_bytes());
        split.extend(&body[10..]);
        let hello = parse(&split).unwrap();
        assert_eq!(hello.records, 2);
        assert_eq!(hello.groups, GoHello::new(None, "").groups());
    }
}
