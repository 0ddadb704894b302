//! ClientHello middleboxes on 127.0.0.1: [`HelloCapture`] keeps the first TLS records
//! of every connection and closes it; [`HelloGate`] relays connections to an upstream
//! only when their ClientHello does not offer a given group, and otherwise resets
//! them or goes silent, as TLS-inspecting firewalls do with post-quantum hellos.

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::os::fd::AsRawFd;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use gomod_common::net::hello::parse;

/// Reads one whole ClientHello (possibly over several records); None when the peer
/// sends something else or gives up.
fn read_hello(conn: &mut TcpStream) -> Option<Vec<u8>> {
    conn.set_read_timeout(Some(Duration::from_secs(30))).ok()?;
    let mut data = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match parse::hello_length(&data) {
            Ok(n) => {
                data.truncate(n);
                return Some(data);
            }
            Err(parse::ParseError::NotClientHello) => return None,
            Err(parse::ParseError::Incomplete) => {}
        }
        let n = conn.read(&mut buf).ok()?;
        if n == 0 {
            return None;
        }
        data.extend(&buf[..n]);
    }
}

/// Resets a connection: SO_LINGER with a zero timeout, then close.
fn reset(conn: TcpStream) {
    let linger = libc::linger {
        l_onoff: 1,
        l_linger: 0,
    };
    // SAFETY: a valid socket descriptor and a properly sized linger value.
    unsafe {
        libc::setsockopt(
            conn.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_LINGER,
            (&linger as *const libc::linger).cast(),
            std::mem::size_of::<libc::linger>() as libc::socklen_t,
        );
    }
    drop(conn);
}

/// A listener that records the ClientHello of every connection and closes it.
pub struct HelloCapture {
    addr: SocketAddr,
    hellos: Arc<Mutex<Vec<Vec<u8>>>>,
}

impl HelloCapture {
    /// Starts listening on 127.0.0.1.
    pub fn start() -> HelloCapture {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let hellos = Arc::new(Mutex::new(Vec::new()));
        let kept = Arc::clone(&hellos);
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                let Ok(mut conn) = conn else { continue };
                if let Some(hello) = read_hello(&mut conn) {
                    kept.lock().unwrap().push(hello);
                }
                let _ = conn.shutdown(Shutdown::Both);
            }
        });
        HelloCapture { addr, hellos }
    }

    /// Its address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The hellos received so far, in order.
    pub fn hellos(&self) -> Vec<Vec<u8>> {
        self.hellos.lock().unwrap().clone()
    }
}

/// What a [`HelloGate`] does to a hello it blocks.
#[derive(Clone, Copy, Debug)]
pub enum GateMode {
    /// Reset the connection.
    Reset,
    /// Say nothing until the client gives up (at most 60 s).
    Silence,
}

/// A relay that blocks every ClientHello offering `group`.
pub struct HelloGate {
    addr: SocketAddr,
    blocked: Arc<Mutex<usize>>,
}

impl HelloGate {
    /// Relays 127.0.0.1:PORT to `upstream`, blocking hellos that offer `group`.
    pub fn start(upstream: SocketAddr, group: u16, mode: GateMode) -> HelloGate {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let blocked = Arc::new(Mutex::new(0));
        let count = Arc::clone(&blocked);
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                let Ok(conn) = conn else { continue };
                let count = Arc::clone(&count);
                std::thread::spawn(move || relay(conn, upstream, group, mode, &count));
            }
        });
        HelloGate { addr, blocked }
    }

    /// Its address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// How many hellos it blocked.
    pub fn blocked(&self) -> usize {
        *self.blocked.lock().unwrap()
    }
}

fn relay(
    mut conn: TcpStream,
    upstream: SocketAddr,
    group: u16,
    mode: GateMode,
    count: &Mutex<usize>,
) {
    let Some(hello) = read_hello(&mut conn) else {
        return;
    };
    let offers = parse::parse(&hello).is_ok_and(|h| h.groups.contains(&group));
    if offers {
        *count.lock().unwrap() += 1;
        match mode {
            GateMode::Reset => reset(conn),
            GateMode::Silence => {
                let _ = conn.set_read_timeout(Some(Duration::from_secs(60)));
                let mut sink = [0u8; 4096];
                while matches!(conn.read(&mut sink), Ok(n) if n > 0) {}
            }
        }
        return;
    }
    let Ok(mut up) = TcpStream::connect(upstream) else {
        return;
    };
    let _ = conn.set_read_timeout(None);
    if up.write_all(&hello).is_err() {
        return;
    }
    let (Ok(mut up_read), Ok(mut conn_write)) = (up.try_clone(), conn.try_clone()) else {
        return;
    };
    let back = std::thread::spawn(move || {
        let _ = std::io::copy(&mut up_read, &mut conn_write);
        let _ = conn_write.shutdown(Shutdown::Write);
    });
    let _ = std::io::copy(&mut conn, &mut up);
    let _ = up.shutdown(Shutdown::Write);
    let _ = back.join();
}
