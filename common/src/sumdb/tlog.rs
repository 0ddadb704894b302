//! The checksum database's transparency log (golang.org/x/mod/sumdb/tlog): record and tree
//! hashes, tree heads, tiles, inclusion and consistency proofs.
