//! vectors/notes.json and tlog.json: signed notes, tree heads, tiles and proofs.
