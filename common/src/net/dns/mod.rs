//! DNS as the go command does it: the files Go's pure-Go resolver reads
//! (/etc/resolv.conf, /etc/hosts, /etc/nsswitch.conf), the queries it sends, how it
//! reads the answers and picks the error (`net/dnsclient_unix.go`, `net/dnsclient.go`,
//! `net/addrselect.go`), and the same queries sent to other resolvers (TCP, DNS over
//! TLS, DNS over HTTPS) for comparison.

pub mod addrselect;
pub mod client;
pub mod conf;
pub mod hosts;
pub mod lookup;
pub mod nsswitch;
pub mod wire;
