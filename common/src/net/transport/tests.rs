//! The pools against an HTTP/2 server on loopback, with dials the test holds.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use bytes::Bytes;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, Semaphore};

use super::{Body, Dialer, Outgoing, Transport};
use crate::net::dial::NetError;
use crate::net::http::GoConn;
use crate::record::Code;

/// Long enough for any machine under load; reached only when the transport is wrong.
const BOUND: Duration = Duration::from_secs(30);

/// An HTTP/2 server on 127.0.0.1 that allows one stream per connection. `/hold` gets
/// its headers at once and its body's end only when `release` is notified; any other
/// path gets `ok`.
async fn server(release: Arc<Notify>) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let release = Arc::clone(&release);
            tokio::spawn(async move {
                let Ok(mut conn) = h2::server::Builder::new()
                    .max_concurrent_streams(1)
                    .handshake::<_, Bytes>(tcp)
                    .await
                else {
                    return;
                };
                while let Some(Ok((request, mut respond))) = conn.accept().await {
                    let release = Arc::clone(&release);
                    tokio::spawn(async move {
                        let response = http::Response::new(());
                        let Ok(mut body) = respond.send_response(response, false) else {
                            return;
                        };
                        if request.uri().path() == "/hold" {
                            release.notified().await;
                        }
                        let _ = body.send_data(Bytes::from_static(b"ok"), true);
                    });
                }
            });
        }
    });
    addr
}

/// Dials `addr` over plain TCP as if ALPN had chosen HTTP/2. Every dial after the
/// first waits for a permit of `second`.
struct HeldDialer {
    addr: SocketAddr,
    dials: AtomicUsize,
    second: Semaphore,
}

impl Dialer for Arc<HeldDialer> {
    fn dial(
        &self,
        _uri: http::Uri,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<GoConn, NetError>> + Send>> {
        let this = Arc::clone(self);
        Box::pin(async move {
            if this.dials.fetch_add(1, Ordering::AcqRel) > 0 {
                let _permit = this.second.acquire().await;
            }
            let tcp = TcpStream::connect(this.addr)
                .await
                .map_err(|e| NetError::new(Code::TcpRefused, e.to_string()))?;
            Ok(GoConn::over(tcp, true))
        })
    }
}

async fn get(transport: &Transport, uri: &http::Uri) -> Result<super::RawResponse, NetError> {
    let headers = http::HeaderMap::new();
    transport
        .get(Outgoing {
            uri,
            headers: &headers,
        })
        .await
}

async fn read_to_end(response: super::RawResponse) -> Vec<u8> {
    let Body::H2 { mut stream, .. } = response.body else {
        panic!("not HTTP/2");
    };
    let mut body = Vec::new();
    while let Some(chunk) = stream.data().await {
        let chunk = chunk.unwrap();
        let _ = stream.flow_control().release_capacity(chunk.len());
        body.extend_from_slice(&chunk);
    }
    body
}

/// A transport whose first connection (to [`server`], one stream per connection) has its
/// only stream busy with `/hold` until `release` is notified. The response's headers
/// came after the server's SETTINGS, so the limit of one stream is known. Dials after
/// the first wait for permits of `dialer.second`.
struct Busy {
    release: Arc<Notify>,
    dialer: Arc<HeldDialer>,
    transport: Arc<Transport>,
    /// A path answered at once.
    other: http::Uri,
    held: super::RawResponse,
}

async fn first_stream_held() -> Busy {
    let release = Arc::new(Notify::new());
    let addr = server(Arc::clone(&release)).await;
    let dialer = Arc::new(HeldDialer {
        addr,
        dials: AtomicUsize::new(0),
        second: Semaphore::new(0),
    });
    let transport = Arc::new(Transport::new(Arc::new(Arc::clone(&dialer))));
    let hold: http::Uri = format!("http://{addr}/hold").parse().unwrap();
    let held = tokio::time::timeout(BOUND, get(&transport, &hold))
        .await
        .expect("the first request is answered")
        .unwrap();
    Busy {
        release,
        dialer,
        transport,
        other: format!("http://{addr}/other").parse().unwrap(),
        held,
    }
}

/// Whether `dialer` has started `n` dials within [`BOUND`].
async fn dials_reach(dialer: &HeldDialer, n: usize) -> bool {
    tokio::time::timeout(BOUND, async {
        while dialer.dials.load(Ordering::Acquire) < n {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .is_ok()
}

/// GETs `uri` in a task of its own and reads the body.
fn spawn_get(
    transport: &Arc<Transport>,
    uri: &http::Uri,
) -> tokio::task::JoinHandle<Result<Vec<u8>, NetError>> {
    let (transport, uri) = (Arc::clone(transport), uri.clone());
    tokio::spawn(async move {
        let response = get(&transport, &uri).await?;
        Ok(read_to_end(response).await)
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_takes_a_stream_freed_while_its_dial_is_held() {
    let busy = first_stream_held().await;
    // The second request finds no room and dials; that dial does not finish.
    let second = spawn_get(&busy.transport, &busy.other);
    assert!(
        dials_reach(&busy.dialer, 2).await,
        "the second request did not dial"
    );
    // The first stream ends: the second request takes it, the dial still held.
    busy.release.notify_waiters();
    assert_eq!(read_to_end(busy.held).await, b"ok");
    let body = tokio::time::timeout(BOUND, second)
        .await
        .expect("the second request waited for its dial instead of the freed stream")
        .unwrap()
        .unwrap();
    assert_eq!(body, b"ok");
    assert_eq!(busy.dialer.dials.load(Ordering::Acquire), 2);

    // The dial, once it finishes, is a connection of the pool, not thrown away.
    busy.dialer.second.add_permits(1);
    let host = busy.transport.host_of(&busy.other);
    let pooled = tokio::time::timeout(BOUND, async {
        loop {
            let open = {
                let st = host.state.lock().unwrap();
                st.h2.len()
            };
            if open == 2 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await;
    assert!(
        pooled.is_ok(),
        "the held dial's connection never reached the pool"
    );
    // Two requests at once now use the two connections, one stream each, with no
    // third dial.
    let (a, b) = tokio::join!(
        get(&busy.transport, &busy.other),
        get(&busy.transport, &busy.other)
    );
    assert_eq!(read_to_end(a.unwrap()).await, b"ok");
    assert_eq!(read_to_end(b.unwrap()).await, b"ok");
    assert_eq!(busy.dialer.dials.load(Ordering::Acquire), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_dial_fails_the_request_that_started_it() {
    // Nothing listens on a port just freed.
    let addr = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap()
    };
    let dialer = Arc::new(HeldDialer {
        addr,
        dials: AtomicUsize::new(0),
        second: Semaphore::new(0),
    });
    let transport = Transport::new(Arc::new(Arc::clone(&dialer)));
    let uri: http::Uri = format!("http://{addr}/other").parse().unwrap();
    let result = tokio::time::timeout(BOUND, get(&transport, &uri))
        .await
        .expect("a failed dial is reported, not waited on");
    let err = result.err().expect("no connection, no response");
    assert_eq!(err.code, Code::TcpRefused);
    assert_eq!(dialer.dials.load(Ordering::Acquire), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_beyond_the_streams_of_a_connection_dial_together() {
    let busy = first_stream_held().await;
    // Three more requests, each needing a connection of its own: their three dials run
    // at once, not one after the other as each connection comes up.
    let waiting: Vec<_> = (0..3)
        .map(|_| spawn_get(&busy.transport, &busy.other))
        .collect();
    assert!(
        dials_reach(&busy.dialer, 4).await,
        "{} dials while three requests waited for connections",
        busy.dialer.dials.load(Ordering::Acquire)
    );
    busy.dialer.second.add_permits(3);
    for request in waiting {
        let body = tokio::time::timeout(BOUND, request)
            .await
            .expect("a request waited for ever")
            .unwrap()
            .unwrap();
        assert_eq!(body, b"ok");
    }
    busy.release.notify_waiters();
    assert_eq!(read_to_end(busy.held).await, b"ok");
    // One connection for each request, none more.
    assert_eq!(busy.dialer.dials.load(Ordering::Acquire), 4);
}
