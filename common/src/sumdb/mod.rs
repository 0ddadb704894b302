//! The checksum database: signed notes and their keys.

pub mod note;
pub mod tlog;
