//! Connections per host as the go command's transport keeps them (`net/http.Transport`
//! with its bundled HTTP/2): one pool per scheme, host and port.
//!
//! * **HTTP/2** where the server offers it in ALPN (and `GODEBUG=http2client=0` does
//!   not turn it off): requests multiplex on one connection; another is opened only
//!   when the server's limit of concurrent streams (its `SETTINGS_MAX_CONCURRENT_STREAMS`,
//!   100 until its settings arrive, 1000 when it sets none, as go assumes) is reached.
//! * **Dials as many as the waiting requests need**: while a host speaks HTTP/2 (or its
//!   protocol is not known yet), a request that finds no room dials only when the dials
//!   already running cannot carry it: one more dial for every stream limit's worth of
//!   waiting requests (100 until a connection tells its own limit). A single request,
//!   or a hundred, makes one dial and the others wait for that connection; three
//!   hundred make three at once, so that their TCP and TLS handshakes and the slow
//!   start of each overlap rather than follow one another. (go's transport dials for
//!   every request that finds no connection with room, and closes a new connection
//!   that speaks HTTP/2 when another one has room by then; it never has hundreds of
//!   requests waiting.) If a connection speaks HTTP/1.1, the others may dial their
//!   own. A failed dial fails the requests that waited for it with the same error.
//! * **A dial never holds up a request that something else can serve**: the request
//!   that starts a dial takes whichever comes first, a stream or connection freed in
//!   the pool or the new connection, and the one it does not take stays in the pool
//!   (go's HTTP/1.1 transport does the same; its HTTP/2 pool makes the request wait
//!   for the dial). The connections opened are the same; a request that would have
//!   waited for a TCP and TLS handshake — a shared checksum-database tile many lookups
//!   wait for, say — waits at most for a stream to end.
//! * **HTTP/1.1 keep-alive, bounded**: a connection goes back to its host's pool when
//!   the response body has been read to its end (a body dropped early closes it), and
//!   a host gets at most [`MAX_HTTP1_CONNS_PER_HOST`] connections; further requests wait
//!   for one to become free. The go command has no such bound (its `MaxConnsPerHost`
//!   is 0) but it also never has hundreds of requests in flight; a proxy that speaks
//!   only HTTP/1.1 should not get one connection per request from these tools.
//!
//! Connections are opened by [`GoConnector`](super::http) — proxies, CONNECT, go's
//! ClientHello, go's error texts — and this module only decides when.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::Empty;
use hyper::body::Incoming;

use super::dial::NetError;
use super::http::{ConnInfo, GoConn};
use crate::record::Code;

/// The most HTTP/1.1 connections kept open to one host (scheme, host and port): enough
/// to keep a proxy's round trips overlapping, few enough not to look like a flood to
/// the proxy or to a firewall counting connections.
pub const MAX_HTTP1_CONNS_PER_HOST: usize = 16;

/// Go's assumption about a server's stream limit until its SETTINGS arrive
/// (`initialMaxConcurrentStreams`).
const INITIAL_MAX_STREAMS: usize = 100;
/// Go's assumption when a server's SETTINGS name no limit (`defaultMaxConcurrentStreams`).
const DEFAULT_MAX_STREAMS: usize = 1000;
/// Go's HTTP/2 flow-control windows: 1 GiB for a connection, 4 MiB for a stream
/// (`transportDefaultConnFlow`, `transportDefaultStreamFlow`).
const CONN_WINDOW: u32 = 1 << 30;
const STREAM_WINDOW: u32 = 4 << 20;
/// Go's `MaxHeaderListSize` default (10 MiB).
const MAX_HEADER_LIST: u32 = 10 << 20;

/// The protocol a request went over.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Proto {
    Http1,
    Http2,
}

impl Proto {
    /// As go's `resp.Proto` names it: `HTTP/1.1`, `HTTP/2.0` is `HTTP/2` here.
    pub fn as_str(self) -> &'static str {
        match self {
            Proto::Http1 => "HTTP/1.1",
            Proto::Http2 => "HTTP/2",
        }
    }
}

/// Opens one connection to a host (the TCP, proxy and TLS part).
pub(crate) trait Dialer: Send + Sync + 'static {
    fn dial(
        &self,
        uri: http::Uri,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<GoConn, NetError>> + Send>>;
}

/// The pools of every host one client talks to.
pub(crate) struct Transport {
    dialer: Arc<dyn Dialer>,
    hosts: Mutex<HashMap<HostKey, Arc<Host>>>,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq)]
struct HostKey {
    scheme: String,
    host: String,
    port: u16,
}

/// One host's connections.
struct Host {
    state: Mutex<HostState>,
    /// Signalled whenever a request waiting here may find something new: a connection
    /// became free or closed, a stream ended, a dial finished.
    changed: tokio::sync::Notify,
    /// Open HTTP/1.1 connections (busy or idle), counted by [`H1Slot`]s.
    h1_open: AtomicUsize,
    /// Requests looking for a connection here (in [`Transport::acquire`]), counted by
    /// [`Waiting`]: what the HTTP/2 dials are sized to.
    waiting: AtomicUsize,
}

/// Counts one request in [`Host::waiting`] while it looks for a connection.
struct Waiting<'a>(&'a Host);

impl<'a> Waiting<'a> {
    fn new(host: &'a Host) -> Waiting<'a> {
        host.waiting.fetch_add(1, Ordering::AcqRel);
        Waiting(host)
    }
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.waiting.fetch_sub(1, Ordering::AcqRel);
    }
}

#[derive(Default)]
struct HostState {
    h2: Vec<Arc<H2Conn>>,
    idle: Vec<H1Idle>,
    dialing: usize,
    /// The last connection made to this host negotiated HTTP/1.1: more than one may
    /// be dialled at a time.
    speaks_h1: bool,
    /// Numbers the dials; a request waiting for dial N fails with N's error.
    dial_seq: u64,
    failed: Option<(u64, NetError)>,
}

/// An HTTP/2 connection and its streams in use.
struct H2Conn {
    sender: h2::client::SendRequest<Bytes>,
    info: ConnInfo,
    active: AtomicUsize,
    closed: Arc<AtomicBool>,
}

impl H2Conn {
    /// The streams it may carry at once: the server's limit as go reads it.
    fn stream_limit(&self) -> usize {
        match self.sender.current_max_send_streams() {
            usize::MAX => DEFAULT_MAX_STREAMS,
            n => n.min(DEFAULT_MAX_STREAMS),
        }
    }

    fn has_room(&self) -> bool {
        self.active.load(Ordering::Acquire) < self.stream_limit()
    }
}

/// An HTTP/1.1 connection waiting for its next request.
struct H1Idle {
    sender: hyper::client::conn::http1::SendRequest<Empty<Bytes>>,
    info: ConnInfo,
    slot: H1Slot,
}

/// Counts one open HTTP/1.1 connection of a host while it lives.
struct H1Slot(Arc<Host>);

impl H1Slot {
    fn new(host: &Arc<Host>) -> H1Slot {
        host.h1_open.fetch_add(1, Ordering::AcqRel);
        H1Slot(Arc::clone(host))
    }
}

impl Drop for H1Slot {
    fn drop(&mut self) {
        self.0.h1_open.fetch_sub(1, Ordering::AcqRel);
        self.0.changed.notify_waiters();
    }
}

/// Holds one stream of an HTTP/2 connection until the response body is done.
pub(crate) struct H2Slot {
    conn: Arc<H2Conn>,
    host: Arc<Host>,
}

impl Drop for H2Slot {
    fn drop(&mut self) {
        self.conn.active.fetch_sub(1, Ordering::AcqRel);
        self.host.changed.notify_waiters();
    }
}

/// A response body, from either protocol.
pub(crate) enum Body {
    H1 {
        body: Incoming,
        /// Resolves once the connection is back in its host's pool (or closed) after
        /// the body's end: the end is reported only then, as go's transport does, so
        /// that the caller's next request finds the connection idle.
        pooled: Option<tokio::sync::oneshot::Receiver<()>>,
    },
    H2 {
        stream: h2::RecvStream,
        stream_id: u32,
        _slot: H2Slot,
    },
}

/// A response whose headers have arrived.
pub(crate) struct RawResponse {
    pub status: http::StatusCode,
    /// The reason phrase the server sent (HTTP/1.1 only).
    pub reason: Option<String>,
    pub headers: http::HeaderMap,
    pub info: ConnInfo,
    pub proto: Proto,
    pub body: Body,
}

/// Where a request goes and what it carries (besides its method, always GET).
pub(crate) struct Outgoing<'a> {
    /// The absolute URL, without credentials or fragment.
    pub uri: &'a http::Uri,
    /// Headers other than Host.
    pub headers: &'a http::HeaderMap,
}

enum Lease {
    H1 {
        sender: hyper::client::conn::http1::SendRequest<Empty<Bytes>>,
        info: ConnInfo,
        slot: H1Slot,
        reused: bool,
    },
    H2(H2Slot),
}

impl Transport {
    pub(crate) fn new(dialer: Arc<dyn Dialer>) -> Transport {
        Transport {
            dialer,
            hosts: Mutex::default(),
        }
    }

    fn host(&self, key: HostKey) -> Arc<Host> {
        let mut hosts = self.hosts.lock().unwrap_or_else(|e| e.into_inner());
        Arc::clone(hosts.entry(key).or_insert_with(|| {
            Arc::new(Host {
                state: Mutex::default(),
                changed: tokio::sync::Notify::new(),
                h1_open: AtomicUsize::new(0),
                waiting: AtomicUsize::new(0),
            })
        }))
    }

    /// The pool of `uri`'s scheme, host and port.
    fn host_of(&self, uri: &http::Uri) -> Arc<Host> {
        let scheme = uri.scheme_str().unwrap_or("http").to_string();
        let port = uri
            .port_u16()
            .unwrap_or(if scheme == "https" { 443 } else { 80 });
        self.host(HostKey {
            host: uri.host().unwrap_or("").to_ascii_lowercase(),
            scheme,
            port,
        })
    }

    /// Makes sure `uri`'s host has a connection, dialling one (TCP, proxy, TLS, as a
    /// request would) when it has none, and leaves it in the pool unused for the
    /// requests to come. Sends nothing on it.
    pub(crate) async fn preconnect(&self, uri: &http::Uri) -> Result<(), NetError> {
        let host = self.host_of(uri);
        self.acquire(&host, uri).await?.release(&host);
        Ok(())
    }

    /// Sends a GET and waits for the response headers.
    pub(crate) async fn get(&self, out: Outgoing<'_>) -> Result<RawResponse, NetError> {
        let host = self.host_of(out.uri);
        let mut tries = 0;
        loop {
            tries += 1;
            match self.acquire(&host, out.uri).await? {
                Lease::H2(slot) => match send_h2(slot, &out).await {
                    Ok(response) => return Ok(response),
                    // A stream the server refused before processing it (it had not
                    // told its stream limit yet, or is going away): go sends the
                    // request again, on this connection or another.
                    Err(SendError::Unsent(_)) if tries < 7 => continue,
                    Err(SendError::Unsent(err) | SendError::Failed(err)) => return Err(err),
                },
                Lease::H1 {
                    sender,
                    info,
                    slot,
                    reused,
                } => match send_h1(sender, info, slot, &out).await {
                    Ok(response) => return Ok(response),
                    // A pooled connection the server closed while it was idle fails
                    // before the request is written; go tries another connection then.
                    Err(SendError::Unsent(_)) if reused && tries < 4 => continue,
                    Err(SendError::Unsent(err) | SendError::Failed(err)) => return Err(err),
                },
            }
        }
    }

    /// A connection for one request: a stream on an HTTP/2 connection with room, an
    /// idle HTTP/1.1 connection, or a new connection when the rules above allow one;
    /// else waits for one of these. A dial this request starts runs as a task of its
    /// own, so that the request can take a stream or connection freed meanwhile; the
    /// new connection then goes to the pool.
    async fn acquire(&self, host: &Arc<Host>, uri: &http::Uri) -> Result<Lease, NetError> {
        let mut waited_for: Option<u64> = None;
        // This request's own dial, while it runs.
        let mut own_dial: Option<OwnDial> = None;
        let _waiting = Waiting::new(host);
        loop {
            if let Some(Ok(result)) = own_dial.as_mut().map(|d| d.rx.try_recv()) {
                return result;
            }
            let notified = host.changed.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            let mut closed = Vec::new();
            let dial_seq = {
                let mut st = host.state.lock().unwrap_or_else(|e| e.into_inner());
                st.h2.retain(|c| !c.closed.load(Ordering::Acquire));
                if let Some(conn) = st.h2.iter().find(|c| c.has_room()) {
                    conn.active.fetch_add(1, Ordering::AcqRel);
                    return Ok(Lease::H2(H2Slot {
                        conn: Arc::clone(conn),
                        host: Arc::clone(host),
                    }));
                }
                let mut found = None;
                while let Some(idle) = st.idle.pop() {
                    if idle.sender.is_closed() {
                        closed.push(idle);
                    } else {
                        found = Some(idle);
                        break;
                    }
                }
                if let Some(idle) = found {
                    drop(st);
                    drop(closed);
                    return Ok(Lease::H1 {
                        sender: idle.sender,
                        info: idle.info,
                        slot: idle.slot,
                        reused: true,
                    });
                }
                if let (Some(seq), Some((failed_seq, err))) = (waited_for, &st.failed)
                    && seq == *failed_seq
                {
                    return Err(err.clone());
                }
                let open = host.h1_open.load(Ordering::Acquire);
                // Over HTTP/2 (or before the protocol is known), each dial running is
                // a connection for a stream limit's worth of the requests waiting.
                let streams = st
                    .h2
                    .first()
                    .map_or(INITIAL_MAX_STREAMS, |c| c.stream_limit());
                let enough =
                    st.dialing.saturating_mul(streams) >= host.waiting.load(Ordering::Acquire);
                let may_dial = own_dial.is_none()
                    && open + st.dialing < MAX_HTTP1_CONNS_PER_HOST
                    && (st.speaks_h1 || !enough);
                if may_dial {
                    st.dialing += 1;
                    st.dial_seq += 1;
                    Some(st.dial_seq)
                } else {
                    // Waiting on a dial whose protocol is not known yet: its failure is
                    // this request's failure too.
                    waited_for = (st.dialing > 0 && !st.speaks_h1).then_some(st.dial_seq);
                    None
                }
            };
            drop(closed);
            if let Some(seq) = dial_seq {
                let (tx, rx) = tokio::sync::oneshot::channel();
                let dialing = dial(Arc::clone(&self.dialer), Arc::clone(host), uri.clone(), seq);
                let pool = Arc::clone(host);
                tokio::spawn(async move {
                    // Taken by the request, or else kept in the pool for the next.
                    if let Err(Ok(lease)) = tx.send(dialing.await) {
                        lease.release(&pool);
                    }
                });
                own_dial = Some(OwnDial {
                    rx,
                    host: Arc::clone(host),
                });
            }
            match own_dial.as_mut() {
                Some(d) => tokio::select! {
                    biased;
                    result = &mut d.rx => match result {
                        Ok(result) => return result,
                        // The task was dropped with the runtime.
                        Err(_) => own_dial = None,
                    },
                    () = &mut notified => {}
                },
                None => notified.await,
            }
        }
    }
}

/// The dial a request started, as the request waits for it.
struct OwnDial {
    rx: tokio::sync::oneshot::Receiver<Result<Lease, NetError>>,
    host: Arc<Host>,
}

impl Drop for OwnDial {
    /// The request took something else: a connection the dial already handed over
    /// goes to the pool rather than being closed unused (one still coming is put
    /// there by the dial's task).
    fn drop(&mut self) {
        self.rx.close();
        if let Ok(Ok(lease)) = self.rx.try_recv() {
            lease.release(&self.host);
        }
    }
}

impl Lease {
    /// Puts a lease no request will use back in `host`'s pool.
    fn release(self, host: &Host) {
        match self {
            Lease::H2(slot) => drop(slot),
            Lease::H1 {
                sender, info, slot, ..
            } => {
                host.state
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .idle
                    .push(H1Idle { sender, info, slot });
                host.changed.notify_waiters();
            }
        }
    }
}

/// Dials a new connection for `host`, makes it HTTP/2 or HTTP/1.1 as ALPN decided,
/// and returns it leased (to the request that started the dial, or else to the pool).
async fn dial(
    dialer: Arc<dyn Dialer>,
    host: Arc<Host>,
    uri: http::Uri,
    seq: u64,
) -> Result<Lease, NetError> {
    let host = &host;
    /// Ends the dial in the host's state however the dial ends (also when its task
    /// is dropped with the runtime).
    struct Dialing<'a> {
        host: &'a Arc<Host>,
        seq: u64,
        outcome: Option<Result<Option<Arc<H2Conn>>, NetError>>,
    }
    impl Drop for Dialing<'_> {
        fn drop(&mut self) {
            {
                let mut st = self.host.state.lock().unwrap_or_else(|e| e.into_inner());
                st.dialing -= 1;
                match self.outcome.take() {
                    Some(Ok(Some(conn))) => {
                        st.speaks_h1 = false;
                        st.h2.push(conn);
                    }
                    Some(Ok(None)) => st.speaks_h1 = true,
                    Some(Err(err)) => st.failed = Some((self.seq, err)),
                    // The dial was dropped unfinished: those waiting for it dial
                    // themselves.
                    None => {}
                }
            }
            self.host.changed.notify_waiters();
        }
    }
    let mut dialing = Dialing {
        host,
        seq,
        outcome: None,
    };
    let conn = match dialer.dial(uri).await {
        Ok(conn) => conn,
        Err(err) => {
            dialing.outcome = Some(Err(err.clone()));
            return Err(err);
        }
    };
    let info = conn.info.clone();
    if conn.negotiated_h2 {
        let handshake = h2::client::Builder::new()
            .enable_push(false)
            .initial_window_size(STREAM_WINDOW)
            .initial_connection_window_size(CONN_WINDOW)
            .max_header_list_size(MAX_HEADER_LIST)
            .initial_max_send_streams(INITIAL_MAX_STREAMS)
            .handshake::<_, Bytes>(conn.into_tokio_io())
            .await;
        let (sender, connection) = match handshake {
            Ok(pair) => pair,
            Err(err) => {
                let err = h2_error(&err, None);
                dialing.outcome = Some(Err(err.clone()));
                return Err(err);
            }
        };
        let closed = Arc::new(AtomicBool::new(false));
        let conn = Arc::new(H2Conn {
            sender,
            info,
            active: AtomicUsize::new(1),
            closed: Arc::clone(&closed),
        });
        let watched = Arc::clone(host);
        tokio::spawn(async move {
            let _ = connection.await;
            closed.store(true, Ordering::Release);
            watched.changed.notify_waiters();
        });
        dialing.outcome = Some(Ok(Some(Arc::clone(&conn))));
        drop(dialing);
        return Ok(Lease::H2(H2Slot {
            conn,
            host: Arc::clone(host),
        }));
    }
    let handshake = hyper::client::conn::http1::Builder::new()
        .handshake::<_, Empty<Bytes>>(conn)
        .await;
    let (sender, connection) = match handshake {
        Ok(pair) => pair,
        Err(err) => {
            let err = super::http::classify_hyper_error(&err);
            dialing.outcome = Some(Err(err.clone()));
            return Err(err);
        }
    };
    tokio::spawn(async move {
        let _ = connection.await;
    });
    let slot = H1Slot::new(host);
    dialing.outcome = Some(Ok(None));
    drop(dialing);
    Ok(Lease::H1 {
        sender,
        info,
        slot,
        reused: false,
    })
}

/// How sending a request failed.
enum SendError {
    /// Before the server processed the request: an HTTP/1.1 connection already
    /// closed, an HTTP/2 stream refused (`REFUSED_STREAM`). It may be sent again.
    Unsent(NetError),
    Failed(NetError),
}

async fn send_h1(
    mut sender: hyper::client::conn::http1::SendRequest<Empty<Bytes>>,
    info: ConnInfo,
    slot: H1Slot,
    out: &Outgoing<'_>,
) -> Result<RawResponse, SendError> {
    // Through a proxy an http request names the whole URL; else only the path.
    let target = if info.via_proxy.is_some() && out.uri.scheme_str() == Some("http") {
        out.uri.to_string()
    } else {
        out.uri
            .path_and_query()
            .map_or("/".to_string(), |p| p.as_str().to_string())
    };
    let mut builder = http::Request::builder()
        .method(http::Method::GET)
        .uri(target);
    if let Some(authority) = out.uri.authority() {
        builder = builder.header(http::header::HOST, authority.as_str());
    }
    let mut request = builder
        .body(Empty::<Bytes>::new())
        .map_err(|e| SendError::Failed(NetError::new(Code::HttpInvalidResponse, e.to_string())))?;
    request.headers_mut().extend(out.headers.clone());
    if sender.ready().await.is_err() {
        return Err(SendError::Unsent(NetError::new(Code::TcpReset, "EOF")));
    }
    let response = match sender.send_request(request).await {
        Ok(response) => response,
        Err(err) if err.is_canceled() => {
            return Err(SendError::Unsent(super::http::classify_hyper_error(&err)));
        }
        Err(err) => return Err(SendError::Failed(super::http::classify_hyper_error(&err))),
    };
    // The connection goes back to the pool once the body has been read to its end;
    // a body dropped early closes it, and its slot with it.
    let host = Arc::clone(&slot.0);
    let pooled_info = info.clone();
    let (pooled_tx, pooled) = tokio::sync::oneshot::channel();
    tokio::spawn(async move {
        if sender.ready().await.is_ok() {
            {
                let mut st = host.state.lock().unwrap_or_else(|e| e.into_inner());
                st.idle.push(H1Idle {
                    sender,
                    info: pooled_info,
                    slot,
                });
            }
            host.changed.notify_waiters();
            let _ = pooled_tx.send(());
        }
    });
    let reason = response
        .extensions()
        .get::<hyper::ext::ReasonPhrase>()
        .map(|r| String::from_utf8_lossy(r.as_bytes()).into_owned());
    let (parts, body) = response.into_parts();
    Ok(RawResponse {
        status: parts.status,
        reason,
        headers: parts.headers,
        info,
        proto: Proto::Http1,
        body: Body::H1 {
            body,
            pooled: Some(pooled),
        },
    })
}

async fn send_h2(slot: H2Slot, out: &Outgoing<'_>) -> Result<RawResponse, SendError> {
    let mut request = http::Request::builder()
        .method(http::Method::GET)
        .uri(out.uri.clone())
        .body(())
        .map_err(|e| SendError::Failed(NetError::new(Code::HttpInvalidResponse, e.to_string())))?;
    request.headers_mut().extend(out.headers.clone());
    let info = slot.conn.info.clone();
    let mut sender = slot.conn.sender.clone();
    sender = match sender.ready().await {
        Ok(sender) => sender,
        Err(err) => {
            slot.conn.closed.store(true, Ordering::Release);
            return Err(SendError::Failed(h2_error(&err, None)));
        }
    };
    let (pending, _) = sender
        .send_request(request, true)
        .map_err(|err| SendError::Failed(h2_error(&err, None)))?;
    let stream_id = u32::from(pending.stream_id());
    let response = pending.await.map_err(|err| {
        let refused = err.is_remote() && err.reason() == Some(h2::Reason::REFUSED_STREAM);
        let net = h2_error(&err, Some(stream_id));
        if refused {
            SendError::Unsent(net)
        } else {
            SendError::Failed(net)
        }
    })?;
    let (parts, stream) = response.into_parts();
    Ok(RawResponse {
        status: parts.status,
        reason: None,
        headers: parts.headers,
        info,
        proto: Proto::Http2,
        body: Body::H2 {
            stream,
            stream_id,
            _slot: slot,
        },
    })
}

/// An HTTP/2 failure worded as go's transport words it: a stream the server reset is
/// go's `StreamError` (`stream error: stream ID 3; INTERNAL_ERROR; received from
/// peer`), a broken connection its read error.
pub(crate) fn h2_error(err: &h2::Error, stream_id: Option<u32>) -> NetError {
    let library = err.to_string();
    if let Some(io) = err.get_io() {
        return super::dial::classify_io(io, None, None, "read").with_detail(library);
    }
    let reason = err.reason().map(reason_name);
    match (err.is_reset() && err.is_remote(), reason) {
        (true, Some(reason)) => {
            let id = stream_id.map_or_else(|| "0".to_string(), |id| id.to_string());
            NetError::new(
                Code::Http2StreamReset,
                format!("stream error: stream ID {id}; {reason}; received from peer"),
            )
            .with_detail(library)
        }
        (false, Some(reason)) => NetError::new(
            Code::Http2StreamReset,
            format!(
                "stream error: stream ID {}; {reason}",
                stream_id.unwrap_or(0)
            ),
        )
        .with_detail(library),
        _ => NetError::new(Code::TcpReset, "unexpected EOF").with_detail(library),
    }
}

/// Go's name of an HTTP/2 error code (`http2.ErrCode.String`).
fn reason_name(reason: h2::Reason) -> String {
    let code = u32::from(reason);
    let name = match code {
        0x0 => "NO_ERROR",
        0x1 => "PROTOCOL_ERROR",
        0x2 => "INTERNAL_ERROR",
        0x3 => "FLOW_CONTROL_ERROR",
        0x4 => "SETTINGS_TIMEOUT",
        0x5 => "STREAM_CLOSED",
        0x6 => "FRAME_SIZE_ERROR",
        0x7 => "REFUSED_STREAM",
        0x8 => "CANCEL",
        0x9 => "COMPRESSION_ERROR",
        0xa => "CONNECT_ERROR",
        0xb => "ENHANCE_YOUR_CALM",
        0xc => "INADEQUATE_SECURITY",
        0xd => "HTTP_1_1_REQUIRED",
        _ => return format!("ERR_UNKNOWN_{code}"),
    };
    name.to_string()
}

#[cfg(test)]
mod tests;
