//! Go's `h1:` hashes (golang.org/x/mod/sumdb/dirhash): of a module zip, of a go.mod file, of a
//! list of files.
