//! A TLS front for test servers: it accepts TLS on a chosen loopback address (port 443
//! in a network namespace the test made), presents a test certificate and relays the
//! decrypted bytes to a plain-HTTP test server. With one front per name, the mock GOPROXY,
//! the checksum database and the rest can stand in for `proxy.golang.org`,
//! `sum.golang.org`, ... at the addresses /etc/hosts gives those names, unchanged.

use std::net::SocketAddr;

use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio_rustls::TlsAcceptor;

use crate::pki::Leaf;

/// A running front; it stops when dropped.
pub struct TlsFront {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl TlsFront {
    /// Listens on `addr` (a loopback address), presents `leaf` (ALPN `http/1.1`) and
    /// relays each connection to `backend`.
    ///
    /// # Errors
    /// If `addr` cannot be bound (a port below 1024 needs root, or a namespace of one's
    /// own).
    ///
    /// # Panics
    /// If `addr` is not a loopback address.
    pub fn start(addr: SocketAddr, leaf: &Leaf, backend: SocketAddr) -> std::io::Result<TlsFront> {
        assert!(
            addr.ip().is_loopback(),
            "a TLS front binds loopback only, not {addr}"
        );
        let listener = std::net::TcpListener::bind(addr)?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let acceptor = TlsAcceptor::from(leaf.server_config());
        let (stop_tx, mut stop_rx) = oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("tokio runtime");
            runtime.block_on(async move {
                let listener = TcpListener::from_std(listener).expect("tokio listener");
                loop {
                    tokio::select! {
                        _ = &mut stop_rx => break,
                        accepted = listener.accept() => {
                            let Ok((stream, _)) = accepted else { continue };
                            tokio::spawn(relay(acceptor.clone(), stream, backend));
                        }
                    }
                }
            });
        });
        Ok(TlsFront {
            addr,
            stop: Some(stop_tx),
            thread: Some(thread),
        })
    }

    /// The address the front listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
}

/// One connection: the handshake, then bytes both ways until either side closes.
async fn relay(acceptor: TlsAcceptor, stream: TcpStream, backend: SocketAddr) {
    let Ok(mut tls) = acceptor.accept(stream).await else {
        return;
    };
    let Ok(mut plain) = TcpStream::connect(backend).await else {
        return;
    };
    let _ = tokio::io::copy_bidirectional(&mut tls, &mut plain).await;
}

impl Drop for TlsFront {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
