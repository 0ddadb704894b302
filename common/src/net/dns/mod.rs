//! DNS as the go command does it: the files Go's pure-Go resolver reads
//! (/etc/resolv.conf, /etc/hosts, /etc/nsswitch.conf), the queries it sends and how it
//! reads the answers.

pub mod conf;
pub mod hosts;
pub mod nsswitch;
