//! A scripted DNS server for tests: UDP and TCP on one loopback address, DNS over TLS,
//! and the DNS part of a DoH answer. A handler decides each reply; every query is
//! recorded. Servers run on their own runtime thread and stop when dropped. Only
//! loopback addresses are ever bound.

use std::io;
use std::net::{Ipv6Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hickory_proto::op::{Message, MessageType, OpCode, ResponseCode};
use hickory_proto::rr::rdata::{A, AAAA, CNAME, NULL};
use hickory_proto::rr::{Name, RData, Record};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, UdpSocket};
use tokio::sync::oneshot;
use tokio_rustls::TlsAcceptor;

use gomod_common::net::dns::wire::{Answer, AnswerData};

/// The record type of a [`Request`].
pub use hickory_proto::rr::RecordType;

/// A query as the server saw it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    /// The rooted name asked for, case kept (`ok.test.`).
    pub qname: String,
    pub qtype: RecordType,
    /// `udp`, `tcp`, `tls` or `https`.
    pub transport: &'static str,
    pub id: u16,
    /// RD.
    pub recursion_desired: bool,
    /// AD.
    pub authentic_data: bool,
    /// The EDNS(0) payload size offered, if an OPT record was sent.
    pub edns_payload: Option<u16>,
}

/// Decides the reply to each query.
pub type Handler = Arc<dyn Fn(&Request) -> Reply + Send + Sync>;

/// A DNS message to send back: the question is echoed, there is no OPT record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Msg {
    /// The 4-bit header RCODE.
    pub rcode: u8,
    /// AA.
    pub authoritative: bool,
    /// RA.
    pub recursion_available: bool,
    /// TC.
    pub truncated: bool,
    pub answers: Vec<Answer>,
}

/// What the server does with a query.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reply {
    /// Send this message.
    Msg(Msg),
    /// Over UDP, the header with TC set and no records; over TCP, TLS and HTTPS, the
    /// message.
    Truncated(Msg),
    /// Send nothing (a stream stays open).
    Drop,
    /// Close a stream without replying (over UDP: send nothing).
    Close,
    /// Send `this is not dns`.
    Garbage,
    /// Send an empty NOERROR reply whose ID is the query's plus one.
    WrongId,
    /// Send these bytes as they are.
    Raw(Vec<u8>),
    /// Wait, then do the inner reply.
    Delay(Duration, Box<Reply>),
    /// Do the first reply, then the second at once: over UDP two datagrams, over a
    /// stream two messages (over DoH, which has room for one, the first only). Delays
    /// inside are not waited for. A client that ignores the first (as Go's resolver
    /// ignores a UDP reply that does not answer its query) then has the second.
    Then(Box<Reply>, Box<Reply>),
}

impl Reply {
    /// NOERROR, AA and RA, with `answers`.
    pub fn answers(answers: Vec<Answer>) -> Reply {
        Reply::Msg(Msg {
            rcode: 0,
            authoritative: true,
            recursion_available: true,
            truncated: false,
            answers,
        })
    }

    /// `rcode`, RA, no records.
    pub fn rcode(rcode: u8) -> Reply {
        Reply::Msg(Msg {
            rcode,
            authoritative: false,
            recursion_available: true,
            truncated: false,
            answers: Vec::new(),
        })
    }
}

/// An answer record with TTL 60.
pub fn record(name: &str, data: AnswerData) -> Answer {
    Answer {
        name: name.to_string(),
        ttl: 60,
        data,
    }
}

/// Builds a [`Handler`] from a closure.
pub fn handler(f: impl Fn(&Request) -> Reply + Send + Sync + 'static) -> Handler {
    Arc::new(f)
}

/// The fake server of Go's `dnserrors` vector generator
/// (`shared/vectors/gen/cmd/dnserrors`): the first label of the name picks the
/// behaviour (`ok`, `nxdomain`, `servfail`, `refused`, `formerr`, `notimp`, `nodata`,
/// `lame`, `cnameonly`, `truncated`, `garbage`, `wrongid`, `timeout`); anything else
/// is `ok`: 192.0.2.1 for A, 2001:db8::1 for AAAA.
pub fn dnserrors_handler() -> Handler {
    handler(|req| {
        let label = req.qname.split('.').next().unwrap_or("");
        let ok = || {
            let data = if req.qtype == RecordType::AAAA {
                AnswerData::Aaaa(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1))
            } else {
                AnswerData::A([192, 0, 2, 1].into())
            };
            Msg {
                rcode: 0,
                authoritative: true,
                recursion_available: true,
                truncated: false,
                answers: vec![record(&req.qname, data)],
            }
        };
        match label {
            "timeout" => Reply::Drop,
            "garbage" => Reply::Garbage,
            "wrongid" => Reply::WrongId,
            "nxdomain" => Reply::rcode(3),
            "servfail" => Reply::rcode(2),
            "refused" => Reply::rcode(5),
            "formerr" => Reply::rcode(1),
            "notimp" => Reply::rcode(4),
            "nodata" => Reply::rcode(0),
            "lame" => Reply::Msg(Msg {
                rcode: 0,
                authoritative: false,
                recursion_available: false,
                truncated: false,
                answers: Vec::new(),
            }),
            "cnameonly" => Reply::Msg(Msg {
                authoritative: false,
                answers: vec![record(&req.qname, AnswerData::Cname("other.test.".into()))],
                ..ok()
            }),
            "truncated" => Reply::Truncated(ok()),
            _ => Reply::Msg(ok()),
        }
    })
}

/// A running server; dropping it stops it.
pub struct RunningDns {
    addr: SocketAddr,
    log: Arc<Mutex<Vec<Request>>>,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl RunningDns {
    /// The address served (UDP and TCP share it).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Every query received so far, in arrival order.
    pub fn queries(&self) -> Vec<Request> {
        self.log.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Forgets the queries received so far.
    pub fn clear(&self) {
        self.log.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }
}

impl Drop for RunningDns {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// DNS over UDP and TCP.
pub struct DnsServer;

impl DnsServer {
    /// Serves UDP and TCP on `addr` (a loopback address; port 0 picks a port free for
    /// both, retrying like Go's vector generator does).
    ///
    /// # Panics
    /// If `addr` is not loopback or cannot be bound.
    pub fn start(addr: SocketAddr, handler: Handler) -> RunningDns {
        Self::try_start(addr, handler).expect("bind the DNS test server")
    }

    /// Like [`DnsServer::start`], but a failure to bind (a fixed port in use, or one
    /// below 1024 without the privilege) is returned.
    ///
    /// # Panics
    /// If `addr` is not loopback.
    pub fn try_start(addr: SocketAddr, handler: Handler) -> io::Result<RunningDns> {
        assert_loopback(addr);
        let (udp, tcp) = bind_pair(addr)?;
        let addr = udp.local_addr()?;
        Ok(spawn(addr, handler, move |handler, log| async move {
            let udp = UdpSocket::from_std(udp).expect("tokio UDP socket");
            let tcp = TcpListener::from_std(tcp).expect("tokio TCP listener");
            tokio::join!(
                serve_udp(udp, handler.clone(), log.clone()),
                serve_streams(tcp, None, handler, log)
            );
        }))
    }
}

/// DNS over TLS (RFC 7858).
pub struct DotServer;

impl DotServer {
    /// Serves DoT on `addr` (loopback; port 0 picks one) with `config`.
    ///
    /// # Panics
    /// If `addr` is not loopback or cannot be bound.
    pub fn start(
        addr: SocketAddr,
        config: Arc<rustls::ServerConfig>,
        handler: Handler,
    ) -> RunningDns {
        assert_loopback(addr);
        let tcp = std::net::TcpListener::bind(addr).expect("bind the DoT test server");
        tcp.set_nonblocking(true).expect("non-blocking listener");
        let addr = tcp.local_addr().expect("local address");
        spawn(addr, handler, move |handler, log| async move {
            let tcp = TcpListener::from_std(tcp).expect("tokio TCP listener");
            serve_streams(tcp, Some(TlsAcceptor::from(config)), handler, log).await;
        })
    }
}

/// The DNS message a DoH server returns for the DNS message `query`, decided by
/// `handler` (the query is presented with transport `https`). A [`Reply::Delay`] blocks
/// the calling thread; [`Reply::Drop`] and [`Reply::Close`] give an empty body, which a
/// client cannot read as DNS.
pub fn doh_answer(query: &[u8], handler: &Handler) -> Vec<u8> {
    let Some((message, request)) = decode(query, "https") else {
        return Vec::new();
    };
    let (delay, reply) = flatten(handler(&request));
    std::thread::sleep(delay);
    render(&message, &reply, true).unwrap_or_default()
}

/// The DNS message in the `dns` parameter of a DoH GET request target
/// (`/dns-query?dns=...`).
pub fn doh_query(target: &str) -> Option<Vec<u8>> {
    let (_, query) = target.split_once('?')?;
    let value = query
        .split('&')
        .find_map(|pair| pair.strip_prefix("dns="))?;
    URL_SAFE_NO_PAD.decode(value).ok()
}

fn assert_loopback(addr: SocketAddr) {
    assert!(
        addr.ip().is_loopback(),
        "test DNS servers bind loopback only, not {addr}"
    );
}

/// UDP and TCP sockets on one address; with port 0, Go's generator's retry loop.
fn bind_pair(addr: SocketAddr) -> io::Result<(std::net::UdpSocket, std::net::TcpListener)> {
    let mut tries = 0;
    loop {
        let udp = std::net::UdpSocket::bind(addr)?;
        match std::net::TcpListener::bind(udp.local_addr()?) {
            Ok(tcp) => {
                udp.set_nonblocking(true)?;
                tcp.set_nonblocking(true)?;
                return Ok((udp, tcp));
            }
            Err(e) if addr.port() != 0 || tries == 50 => return Err(e),
            Err(_) => tries += 1,
        }
    }
}

type Log = Arc<Mutex<Vec<Request>>>;

/// Runs `serve` on a new thread with its own runtime until the server is dropped.
fn spawn<F, Fut>(addr: SocketAddr, handler: Handler, serve: F) -> RunningDns
where
    F: FnOnce(Handler, Log) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()>,
{
    let log: Log = Arc::default();
    let (stop, stopped) = oneshot::channel::<()>();
    let thread_log = log.clone();
    let thread = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("test server runtime");
        runtime.block_on(async move {
            tokio::select! {
                _ = stopped => {}
                () = serve(handler, thread_log) => {}
            }
        });
    });
    RunningDns {
        addr,
        log,
        stop: Some(stop),
        thread: Some(thread),
    }
}

async fn serve_udp(socket: UdpSocket, handler: Handler, log: Log) {
    let socket = Arc::new(socket);
    let mut buf = vec![0u8; 65535];
    loop {
        let Ok((n, from)) = socket.recv_from(&mut buf).await else {
            continue;
        };
        let Some((message, request)) = decode(&buf[..n], "udp") else {
            continue;
        };
        log.lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(request.clone());
        let (delay, reply) = flatten(handler(&request));
        let socket = socket.clone();
        tokio::spawn(async move {
            tokio::time::sleep(delay).await;
            for bytes in render_all(&message, &reply, false) {
                let _ = socket.send_to(&bytes, from).await;
            }
        });
    }
}

async fn serve_streams(
    listener: TcpListener,
    tls: Option<TlsAcceptor>,
    handler: Handler,
    log: Log,
) {
    loop {
        let Ok((tcp, _)) = listener.accept().await else {
            continue;
        };
        let (handler, log, tls) = (handler.clone(), log.clone(), tls.clone());
        tokio::spawn(async move {
            match tls {
                Some(acceptor) => {
                    if let Ok(stream) = acceptor.accept(tcp).await {
                        serve_stream(stream, "tls", handler, log).await;
                    }
                }
                None => serve_stream(tcp, "tcp", handler, log).await,
            }
        });
    }
}

/// Length-prefixed queries and replies on one connection until it closes.
async fn serve_stream<S: AsyncRead + AsyncWrite + Unpin>(
    mut stream: S,
    transport: &'static str,
    handler: Handler,
    log: Log,
) {
    loop {
        let mut len = [0u8; 2];
        if stream.read_exact(&mut len).await.is_err() {
            return;
        }
        let mut query = vec![0u8; usize::from(u16::from_be_bytes(len))];
        if stream.read_exact(&mut query).await.is_err() {
            return;
        }
        let Some((message, request)) = decode(&query, transport) else {
            return;
        };
        log.lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(request.clone());
        let (delay, reply) = flatten(handler(&request));
        tokio::time::sleep(delay).await;
        if reply == Reply::Close {
            return;
        }
        for bytes in render_all(&message, &reply, true) {
            let mut framed = (bytes.len() as u16).to_be_bytes().to_vec();
            framed.extend_from_slice(&bytes);
            if stream.write_all(&framed).await.is_err() || stream.flush().await.is_err() {
                return;
            }
        }
    }
}

fn decode(query: &[u8], transport: &'static str) -> Option<(Message, Request)> {
    let message = Message::from_vec(query).ok()?;
    let question = message.queries.first()?;
    let request = Request {
        qname: question.name().to_string(),
        qtype: question.query_type(),
        transport,
        id: message.metadata.id,
        recursion_desired: message.metadata.recursion_desired,
        authentic_data: message.metadata.authentic_data,
        edns_payload: message.edns.as_ref().map(|e| e.max_payload()),
    };
    Some((message, request))
}

/// The total delay and the reply after it.
fn flatten(reply: Reply) -> (Duration, Reply) {
    match reply {
        Reply::Delay(delay, inner) => {
            let (more, reply) = flatten(*inner);
            (delay + more, reply)
        }
        other => (Duration::ZERO, other),
    }
}

/// Every message to send for `reply` to `query`, in order.
fn render_all(query: &Message, reply: &Reply, stream: bool) -> Vec<Vec<u8>> {
    match reply {
        Reply::Then(first, second) => {
            let mut all = render_all(query, first, stream);
            all.extend(render_all(query, second, stream));
            all
        }
        other => render(query, other, stream).into_iter().collect(),
    }
}

/// The bytes to send for `reply` to `query`, or `None` to send nothing.
fn render(query: &Message, reply: &Reply, stream: bool) -> Option<Vec<u8>> {
    let id = query.metadata.id;
    let header_only = |msg: &Msg| Msg {
        answers: Vec::new(),
        truncated: true,
        ..msg.clone()
    };
    match reply {
        Reply::Msg(msg) => encode(query, id, msg),
        Reply::Truncated(msg) if stream => encode(query, id, msg),
        Reply::Truncated(msg) => encode(query, id, &header_only(msg)),
        Reply::WrongId => encode(
            query,
            id.wrapping_add(1),
            &Msg {
                rcode: 0,
                authoritative: false,
                recursion_available: true,
                truncated: false,
                answers: Vec::new(),
            },
        ),
        Reply::Garbage => Some(b"this is not dns".to_vec()),
        Reply::Raw(bytes) => Some(bytes.clone()),
        Reply::Then(first, _) => render(query, first, stream),
        Reply::Drop | Reply::Close | Reply::Delay(..) => None,
    }
}

fn encode(query: &Message, id: u16, msg: &Msg) -> Option<Vec<u8>> {
    let mut out = Message::new(id, MessageType::Response, OpCode::Query);
    out.metadata.recursion_desired = query.metadata.recursion_desired;
    out.metadata.authoritative = msg.authoritative;
    out.metadata.recursion_available = msg.recursion_available;
    out.metadata.truncation = msg.truncated;
    out.metadata.response_code = ResponseCode::from_low(msg.rcode);
    out.add_queries(query.queries.clone());
    for answer in &msg.answers {
        out.add_answer(to_record(answer)?);
    }
    out.to_vec().ok()
}

fn to_record(answer: &Answer) -> Option<Record> {
    let name = Name::from_ascii(&answer.name).ok()?;
    let rdata = match &answer.data {
        AnswerData::A(ip) => RData::A(A(*ip)),
        AnswerData::Aaaa(ip) => RData::AAAA(AAAA(*ip)),
        AnswerData::Cname(target) => RData::CNAME(CNAME(Name::from_ascii(target).ok()?)),
        AnswerData::Other(rtype) => RData::Unknown {
            code: RecordType::from(*rtype),
            rdata: NULL::with(vec![0]),
        },
    };
    Some(Record::from_rdata(name, answer.ttl, rdata))
}
