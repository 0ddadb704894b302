//! Go's module-download rules and the plumbing shared by the gomod-tools.
//!
//! Every rule of the go command that two tools need lives here exactly once:
//! configuration ([`goenv`]), module paths and versions ([`modpath`], [`semver`]),
//! glob patterns ([`pattern`]), go.mod and go.sum ([`modfile`], [`gosum`]), routing
//! ([`route`]), direct mode ([`vcs`], [`discovery`], [`govcs`]), and the network as Go
//! uses it ([`net`]). The wire format is in [`record`], keeping credentials out of the
//! output in [`redact`], input reading in [`input`] (and every file read through
//! [`regular`]), and the command-line plumbing in [`app`] (with [`progress`] and
//! [`manpage`]).

pub mod app;
pub mod blocking;
pub mod direct;
pub mod dirhash;
pub mod discovery;
pub mod doctor;
pub mod endpoints;
pub mod git;
pub mod godebug;
pub mod goenv;
pub mod goflags;
pub mod goquote;
pub mod gosum;
pub mod gourl;
pub mod govcs;
pub mod input;
pub mod mainmod;
pub mod manpage;
pub mod modfile;
pub mod modpath;
pub mod modzip;
pub mod net;
pub mod oserr;
pub mod pathclean;
pub mod pattern;
pub mod progress;
pub mod query;
pub mod record;
pub mod redact;
pub mod regular;
pub mod route;
pub mod semver;
pub mod sumdb;
pub mod tempfiles;
pub mod toolchain;
pub mod vcs;
pub mod versionlist;
