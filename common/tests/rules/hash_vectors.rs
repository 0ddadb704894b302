//! vectors/hash1.json: h1 hashes and zip checks, as Go computes them.
