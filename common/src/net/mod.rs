//! The network as the go command uses it: Go's proxy rules, netrc, trust store, TLS
//! client, and an HTTP client built from them.

pub mod bounds;
pub mod certinfo;
pub mod conn;
pub mod dial;
pub mod dns;
pub mod goauth;
pub mod gochain;
pub mod hello;
pub mod http;
pub mod httpproxy;
pub mod kx;
pub mod names;
pub mod netrc;
pub mod roots;
pub mod tls;
pub mod transport;
pub mod tunnel;
