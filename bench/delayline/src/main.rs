//! A user-space delay line for bench/net.sh: two TUN devices, each in a network namespace
//! of its own, joined so that every IP packet read from one is written to the other a
//! fixed time later — a link with a real round-trip time on a kernel without `netem`.
//!
//!   delayline --delay-ms MS --a IFNAME=NETNS --b IFNAME=NETNS [--ready-file F]
//!
//! NETNS is a network namespace file (`/run/netns/NAME`, as `ip netns add` makes it).
//! The devices are created in those namespaces (`IFF_TUN | IFF_NO_PI`, MTU 1500 as
//! the kernel sets it) with the offloads a network card has: checksum and TCP
//! segmentation (`IFF_VNET_HDR`, `TUNSETOFFLOAD`), so a sender's TCP hands over
//! segments of up to 64 KB, each carried whole with its virtio-net header and cut
//! into MTU-sized packets by neither side (as a card's TSO and the receiver's GRO
//! leave them). Without that the delay line moved about 100,000 packets from server
//! to client in an 800-module run, 0.9 CPU-seconds of the 3 the run used on the 2 cores
//! the measured programs share; on a real network that work is not on the client's
//! machine. With it, about 6,500. They are left unconfigured: the caller gives them
//! addresses and brings them up (`ip -n NAME addr add ... peer ...;
//! ip -n NAME link set IFNAME up`).
//! Once both exist, F (if given) is written with `ready`. Each direction keeps its
//! packets in order and delays each one by MS from the moment it was read; nothing is
//! dropped, reordered or rate-limited, so the only thing the link adds is latency (run
//! it at real-time priority, `chrt -f 50 delayline ...`, so that a busy machine does
//! not add more). It runs until killed; on SIGTERM or SIGINT it writes how many packets
//! it carried each way to standard error and exits.

use std::fs::File;
use std::io::{self, Read, Write};
use std::os::fd::{AsRawFd, FromRawFd};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// `_IOW('T', 202, int)`: attaches a `/dev/net/tun` descriptor to a new device.
const TUNSETIFF: libc::c_ulong = 0x4004_54ca;
const IFF_TUN: libc::c_short = 0x0001;
const IFF_NO_PI: libc::c_short = 0x1000;
/// Every packet read or written starts with a `struct virtio_net_hdr` (10 bytes): its
/// checksum and segmentation offload state, passed from one device to the other as is.
const IFF_VNET_HDR: libc::c_short = 0x4000;
/// `_IOW('T', 208, unsigned int)`: the offloads the device takes from the stack.
const TUNSETOFFLOAD: libc::c_ulong = 0x4004_54d0;
/// Checksum offload, and TCP segmentation offload for IPv4 and IPv6 (`TUN_F_*`).
const TUN_F_CSUM_TSO: libc::c_uint = 0x01 | 0x02 | 0x04;
/// The largest packet read: a 64 KB segment with its header, with room to spare.
const MAX_PACKET: usize = 128 * 1024;

/// `struct ifreq` as TUNSETIFF reads it: the name and the flags of the union.
#[repr(C)]
struct IfReq {
    name: [u8; libc::IFNAMSIZ],
    flags: libc::c_short,
    _union_rest: [u8; 22],
}

/// Packets carried a→b and b→a.
static CARRIED: [AtomicU64; 2] = [AtomicU64::new(0), AtomicU64::new(0)];

const USAGE: &str =
    "usage: delayline --delay-ms MS --a IFNAME=NETNS --b IFNAME=NETNS [--ready-file F]";

fn main() {
    let mut delay = None;
    let mut sides: [Option<(String, String)>; 2] = [None, None];
    let mut ready_file = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--delay-ms" => delay = args.next().and_then(|v| v.parse::<u64>().ok()),
            "--a" | "--b" => {
                let side = args.next().and_then(|v| {
                    let (name, ns) = v.split_once('=')?;
                    (!name.is_empty() && name.len() < libc::IFNAMSIZ && !ns.is_empty())
                        .then(|| (name.to_string(), ns.to_string()))
                });
                sides[usize::from(arg == "--b")] = side;
            }
            "--ready-file" => ready_file = args.next(),
            "-h" | "--help" => {
                println!("{USAGE}");
                return;
            }
            _ => fail(&format!("unknown argument {arg:?}\n{USAGE}")),
        }
    }
    let (Some(delay), [Some(a), Some(b)]) = (delay, sides) else {
        fail(USAGE);
    };
    let delay = Duration::from_millis(delay);

    let home = File::open("/proc/self/ns/net").unwrap_or_else(|e| fail(&format!("{e}")));
    let tun_a = open_tun(&a.0, &a.1, &home);
    let tun_b = open_tun(&b.0, &b.1, &home);
    if let Some(path) = &ready_file
        && let Err(e) = std::fs::write(path, "ready\n")
    {
        fail(&format!("writing {path}: {e}"));
    }

    let stop = block_stop_signals();
    let (a_in, a_out) = (dup(&tun_a), tun_a);
    let (b_in, b_out) = (dup(&tun_b), tun_b);
    carry(a_in, b_out, delay, 0);
    carry(b_in, a_out, delay, 1);

    // The main thread only waits for the signal that ends the run; the carriers inherit
    // the mask and never take it.
    let mut signal = 0;
    unsafe { libc::sigwait(&stop, &mut signal) };
    eprintln!(
        "delayline: {} packets a->b, {} packets b->a",
        CARRIED[0].load(Ordering::Relaxed),
        CARRIED[1].load(Ordering::Relaxed)
    );
}

/// Creates TUN device `name` in the network namespace at `netns` and returns its
/// descriptor; the calling thread is back in `home` afterwards.
fn open_tun(name: &str, netns: &str, home: &File) -> File {
    let ns = File::open(netns).unwrap_or_else(|e| fail(&format!("opening {netns}: {e}")));
    if unsafe { libc::setns(ns.as_raw_fd(), libc::CLONE_NEWNET) } != 0 {
        fail(&format!("entering {netns}: {}", io::Error::last_os_error()));
    }
    let tun = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/net/tun")
        .unwrap_or_else(|e| fail(&format!("opening /dev/net/tun: {e}")));
    let mut req = IfReq {
        name: [0; libc::IFNAMSIZ],
        flags: IFF_TUN | IFF_NO_PI | IFF_VNET_HDR,
        _union_rest: [0; 22],
    };
    req.name[..name.len()].copy_from_slice(name.as_bytes());
    if unsafe { libc::ioctl(tun.as_raw_fd(), TUNSETIFF as _, &mut req) } != 0 {
        fail(&format!(
            "creating TUN device {name} in {netns}: {}",
            io::Error::last_os_error()
        ));
    }
    if unsafe { libc::ioctl(tun.as_raw_fd(), TUNSETOFFLOAD as _, TUN_F_CSUM_TSO) } != 0 {
        fail(&format!(
            "turning on the offloads of {name}: {}",
            io::Error::last_os_error()
        ));
    }
    if unsafe { libc::setns(home.as_raw_fd(), libc::CLONE_NEWNET) } != 0 {
        fail(&format!(
            "returning to the first namespace: {}",
            io::Error::last_os_error()
        ));
    }
    tun
}

/// Blocks SIGTERM and SIGINT in this thread (and so in the threads it starts) and
/// returns them as a set to wait for.
fn block_stop_signals() -> libc::sigset_t {
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, libc::SIGTERM);
        libc::sigaddset(&mut set, libc::SIGINT);
        libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
        set
    }
}

/// A second descriptor of the same device, for the thread that reads it.
fn dup(file: &File) -> File {
    let fd = unsafe { libc::fcntl(file.as_raw_fd(), libc::F_DUPFD_CLOEXEC, 0) };
    if fd < 0 {
        fail(&format!("dup: {}", io::Error::last_os_error()));
    }
    unsafe { File::from_raw_fd(fd) }
}

/// Starts one direction: a thread reads packets from `from` and stamps them with the
/// time they are due, a second writes each to `to` when it is due. With one delay for
/// every packet the due times are in reading order, so a FIFO queue is enough.
fn carry(mut from: File, mut to: File, delay: Duration, direction: usize) {
    let (queue, due) = mpsc::channel::<(Instant, Vec<u8>)>();
    std::thread::spawn(move || {
        let mut buf = vec![0u8; MAX_PACKET];
        loop {
            match from.read(&mut buf) {
                Ok(n) => {
                    let at = Instant::now() + delay;
                    if queue.send((at, buf[..n].to_vec())).is_err() {
                        return;
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => fail(&format!("reading a packet: {e}")),
            }
        }
    });
    std::thread::spawn(move || {
        for (at, packet) in due {
            let now = Instant::now();
            if at > now {
                std::thread::sleep(at - now);
            }
            // A packet the stack refuses (device down at the end of a run) is lost,
            // as on a real link.
            if to.write(&packet).is_ok() {
                CARRIED[direction].fetch_add(1, Ordering::Relaxed);
            }
        }
    });
}

fn fail(message: &str) -> ! {
    eprintln!("delayline: {message}");
    std::process::exit(2);
}
