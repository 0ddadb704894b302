//! gomod-doctor's library: reading the go command's failure output ([`goerr`]),
//! running the five tools and collecting their records ([`steps`]), and reasoning
//! across their records to one root cause and its fix ([`reason`]), the way an expert
//! reads them side by side.
//!
//! The doctor runs the tools as subprocesses (see the README's design notes): its
//! evidence is then byte for byte what the tools print, and a hand-made pipe of the
//! same tools reaches the same records.

pub mod goerr;
pub mod reason;
pub mod report;
pub mod steps;

use crate::record::Code;

/// The code with this wire name.
pub fn code_named(name: &str) -> Option<Code> {
    Code::ALL.iter().copied().find(|c| c.as_str() == name)
}
