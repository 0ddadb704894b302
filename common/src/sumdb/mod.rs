//! The checksum database: signed notes and their keys.

pub mod client;
pub mod note;
pub mod tlog;
