//! Direct mode as the go command carries it out with git: running git with Go's
//! environment ([`run`]), a remote repository read with Go's git commands ([`repo`]),
//! and the module inside it, its versions, go.mod and zip ([`coderepo`]).

pub mod coderepo;
pub mod repo;
pub mod run;
