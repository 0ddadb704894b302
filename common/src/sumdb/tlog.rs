//! The checksum database's transparency log (golang.org/x/mod/sumdb/tlog): record and tree
//! hashes, tree heads, tiles, inclusion and consistency proofs, and reading hashes through
//! authenticated tiles; plus [`MemoryLog`], the server side of a log held in memory.
//!
//! The log is the RFC 6962 Merkle tree over the records: a leaf is
//! SHA-256(0x00 ‖ record text), an interior node SHA-256(0x01 ‖ left ‖ right), and a tree
//! of n records splits at the largest power of two below n. Every hash of a complete
//! subtree is stored once, at the index [`stored_hash_index`] gives it, in the order the
//! records complete them. Tiles are fixed-size runs of stored hashes that a server
//! publishes and a client authenticates against a signed tree head.
//!
//! The rules are those of the x/mod that Go 1.27 vendors, which differ from x/mod v0.7.0
//! (Go 1.19, which made the shared vectors) in three places: [`tree_hash`] of the empty
//! tree is SHA-256 of nothing rather than 32 zero bytes, [`new_tiles`] lists only the
//! tiles a new tree needs rather than every intermediate partial tile, and
//! [`tile_hash_reader`] checks every tile it did not authenticate through the tree hash
//! against its parent (CVE-2026-56865; v0.7.0 skipped some). Where x/mod panics or
//! overflows on input it considers impossible, these functions return an error, or a
//! value their documentation names, instead.

use std::collections::HashMap;
use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest, Sha256};

use super::note::{Signer, decode_go_base64};

/// A record hash, an interior node hash or a tree hash.
pub type Hash = [u8; 32];

/// The size of a [`Hash`] in bytes.
pub const HASH_SIZE: usize = 32;

/// The largest tree whose stored hashes can all be numbered in an `i64` (2^62 − 1
/// records). Functions that number stored hashes refuse larger trees instead of
/// overflowing; x/mod has no such bound and would compute nonsense.
pub const MAX_TREE_SIZE: i64 = (1 << 62) - 1;

/// The largest tile height x/mod accepts in a tile (`1 ≤ H ≤ 30`).
const MAX_TILE_HEIGHT: u32 = 30;

/// A verifiable proof that a tree contains a record: the RFC 6962 audit path, listed
/// from the leaf up.
pub type RecordProof = Vec<Hash>;

/// A verifiable proof that a tree contains an earlier tree as a prefix: the RFC 6962
/// consistency proof.
pub type TreeProof = Vec<Hash>;

/// Why a log operation failed; `Display` is x/mod's text where x/mod has one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TlogError {
    /// A proof does not prove what it should (`invalid transparency proof`).
    InvalidProof,
    /// Sizes or indexes a function cannot work with (`tlog: invalid inputs in <function>`,
    /// naming x/mod's function: `CheckRecord`, `CheckTree`, `ProveRecord`, `ProveTree`;
    /// `TreeHash`, `StoredHashes`, `TileHashReader` are ours, for inputs x/mod would
    /// panic or overflow on).
    InvalidInputs(&'static str),
    /// A tree-head text that `ParseTree` rejects (`malformed tree note`).
    MalformedTree,
    /// Record text or a lookup answer that x/mod rejects (`malformed record data`).
    MalformedRecord,
    /// A hash that is not base64 of 32 bytes (`malformed hash`).
    MalformedHash,
    /// A tile path `ParseTilePath` rejects; `Display` quotes it as Go's `%q` does.
    MalformedTilePath(String),
    /// Tile coordinates outside x/mod's limits (`invalid tile <path>`).
    InvalidTile(String),
    /// Tile data shorter than the tile's width (`data len <n> too short for tile <path>`).
    TileDataTooShort {
        /// The data length in bytes.
        len: usize,
        /// The tile's path.
        tile: String,
    },
    /// A hash looked up in the wrong tile (`index <i> is in <path> not <path>`).
    IndexNotInTile {
        /// The stored-hash index.
        index: i64,
        /// The path of the tile that holds it.
        holder: String,
        /// The path of the tile it was looked up in.
        tile: String,
    },
    /// Tiles that do not hash to the signed tree hash, or a tile that does not match
    /// the hash its parent holds for it (`downloaded inconsistent tile`).
    InconsistentTile,
    /// Stored-hash indexes at or beyond the end of the tree (`indexes not in tree`).
    IndexesNotInTree,
    /// A [`TileReader`] answered with the wrong number of tiles
    /// (`TileReader returned bad result slice (len=<n>, want <n>)`).
    BadTileCount {
        /// Tiles returned.
        got: usize,
        /// Tiles asked for.
        want: usize,
    },
    /// A [`TileReader`] answered with a tile of the wrong length
    /// (`TileReader returned bad result slice (<path> len=<n>, want <n>)`).
    BadTileLength {
        /// The tile's path.
        tile: String,
        /// Bytes returned.
        got: usize,
        /// Bytes expected: the tile's width times 32.
        want: usize,
    },
    /// A [`HashReader`] answered with the wrong number of hashes
    /// (`tlog: ReadHashes(<n> indexes) = <n> hashes`).
    BadHashCount {
        /// Indexes asked for.
        indexes: usize,
        /// Hashes returned.
        hashes: usize,
    },
    /// A reader's own failure (a download error, a missing file), its text as given.
    Read(String),
    /// An inconsistency in the tile planning that cannot happen for a valid tree
    /// (x/mod's `bad math in tileHashReader ...`, where x/mod would panic).
    Internal(String),
}

impl fmt::Display for TlogError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TlogError::InvalidProof => f.write_str("invalid transparency proof"),
            TlogError::InvalidInputs(function) => {
                write!(f, "tlog: invalid inputs in {function}")
            }
            TlogError::MalformedTree => f.write_str("malformed tree note"),
            TlogError::MalformedRecord => f.write_str("malformed record data"),
            TlogError::MalformedHash => f.write_str("malformed hash"),
            TlogError::MalformedTilePath(path) => {
                write!(f, "malformed tile path {}", crate::goquote::quote(path))
            }
            TlogError::InvalidTile(path) => write!(f, "invalid tile {path}"),
            TlogError::TileDataTooShort { len, tile } => {
                write!(f, "data len {len} too short for tile {tile}")
            }
            TlogError::IndexNotInTile {
                index,
                holder,
                tile,
            } => write!(f, "index {index} is in {holder} not {tile}"),
            TlogError::InconsistentTile => f.write_str("downloaded inconsistent tile"),
            TlogError::IndexesNotInTree => f.write_str("indexes not in tree"),
            TlogError::BadTileCount { got, want } => write!(
                f,
                "TileReader returned bad result slice (len={got}, want {want})"
            ),
            TlogError::BadTileLength { tile, got, want } => write!(
                f,
                "TileReader returned bad result slice ({tile} len={got}, want {want})"
            ),
            TlogError::BadHashCount { indexes, hashes } => {
                write!(f, "tlog: ReadHashes({indexes} indexes) = {hashes} hashes")
            }
            TlogError::Read(text) | TlogError::Internal(text) => f.write_str(text),
        }
    }
}

impl std::error::Error for TlogError {}

/// The hash of a record: SHA-256(0x00 ‖ data).
pub fn record_hash(data: &[u8]) -> Hash {
    Sha256::new()
        .chain_update([0x00])
        .chain_update(data)
        .finalize()
        .into()
}

/// The hash of an interior node: SHA-256(0x01 ‖ left ‖ right).
pub fn node_hash(left: Hash, right: Hash) -> Hash {
    Sha256::new()
        .chain_update([0x01])
        .chain_update(left)
        .chain_update(right)
        .finalize()
        .into()
}

/// A hash in the base64 form tree heads and Go's messages print.
pub fn format_hash(hash: &Hash) -> String {
    STANDARD.encode(hash)
}

/// `tlog.ParseHash`: standard base64 of exactly 32 bytes.
pub fn parse_hash(text: &str) -> Result<Hash, TlogError> {
    decode_go_base64(text)
        .and_then(|bytes| Hash::try_from(bytes.as_slice()).ok())
        .ok_or(TlogError::MalformedHash)
}

/// Where the hash of node `n` at `level` (the node over leaves n·2^level …
/// (n+1)·2^level − 1) is stored: the last leaf under it, plus the hashes that leaf's
/// predecessors stored, plus `level`. Coordinates beyond [`MAX_TREE_SIZE`] leaves, or a
/// negative `n`, give `i64::MAX`, an index no tree holds.
pub fn stored_hash_index(level: u32, n: i64) -> i64 {
    checked_stored_hash_index(level, n).unwrap_or(i64::MAX)
}

/// [`stored_hash_index`], `None` outside the numberable range.
fn checked_stored_hash_index(level: u32, n: i64) -> Option<i64> {
    if n < 0 || level > 62 {
        return None;
    }
    // The last leaf under the node; each leaf k is stored at k + k/2 + k/4 + ….
    let last_leaf = n
        .checked_add(1)?
        .checked_mul(1i64.checked_shl(level)?)?
        .checked_sub(1)?;
    if last_leaf > MAX_TREE_SIZE {
        return None;
    }
    let mut index: i64 = 0;
    let mut k = last_leaf;
    while k > 0 {
        index += k;
        k >>= 1;
    }
    Some(index + i64::from(level))
}

/// The inverse of [`stored_hash_index`]: the (level, n) of the node stored at `index`.
/// A negative index gives `(0, -1)`.
pub fn split_stored_hash_index(index: i64) -> (u32, i64) {
    if index < 0 {
        return (0, -1);
    }
    // Leaf n is stored below 2n, so the leaf stored last at or before `index` is in
    // [index/2, index/2 + log2(index)].
    let mut n = index / 2;
    let mut index_n = stored_hash_index(0, n);
    loop {
        // Leaf n+1 is stored after leaf n and the roots of the subtrees leaf n completes.
        let next = i128::from(index_n) + 1 + i128::from((n + 1).trailing_zeros());
        if next > i128::from(index) {
            break;
        }
        n += 1;
        index_n = next as i64;
    }
    let level = (index - index_n) as u32;
    (level, n >> level)
}

/// The number of hashes stored for a tree of `n` records (0 for n ≤ 0; `i64::MAX`
/// beyond [`MAX_TREE_SIZE`]).
pub fn stored_hash_count(n: i64) -> i64 {
    if n <= 0 {
        return 0;
    }
    if n > MAX_TREE_SIZE {
        return i64::MAX;
    }
    // The hashes up to the last leaf, and one for each subtree that leaf completes.
    stored_hash_index(0, n - 1) + 1 + i64::from((n - 1).trailing_ones())
}

/// A source of stored hashes, by stored-hash index.
pub trait HashReader {
    /// The hashes at these stored-hash indexes, one per index, in order; or an error.
    fn read_hashes(&self, indexes: &[i64]) -> Result<Vec<Hash>, TlogError>;
}

/// A function serves as a [`HashReader`] (x/mod's `HashReaderFunc`).
impl<F> HashReader for F
where
    F: Fn(&[i64]) -> Result<Vec<Hash>, TlogError>,
{
    fn read_hashes(&self, indexes: &[i64]) -> Result<Vec<Hash>, TlogError> {
        self(indexes)
    }
}

/// `x << by`, or `None` when bits would be lost or `x` is negative.
fn shl(x: i64, by: u32) -> Option<i64> {
    (x >= 0 && by < 63 && x <= i64::MAX >> by).then(|| x << by)
}

/// Reads `indexes` and insists on one hash per index.
fn read_exact(reader: &dyn HashReader, indexes: &[i64]) -> Result<Vec<Hash>, TlogError> {
    let hashes = reader.read_hashes(indexes)?;
    if hashes.len() != indexes.len() {
        return Err(TlogError::BadHashCount {
            indexes: indexes.len(),
            hashes: hashes.len(),
        });
    }
    Ok(hashes)
}

/// The hashes to store when appending record `n` with this data, starting at
/// `stored_hash_index(0, n)`: its record hash, then the root of each subtree it
/// completes (reading the left halves from `reader`).
pub fn stored_hashes(n: i64, data: &[u8], reader: &dyn HashReader) -> Result<Vec<Hash>, TlogError> {
    stored_hashes_for_record_hash(n, record_hash(data), reader)
}

/// [`stored_hashes`] given the record hash rather than the data.
pub fn stored_hashes_for_record_hash(
    n: i64,
    record_hash: Hash,
    reader: &dyn HashReader,
) -> Result<Vec<Hash>, TlogError> {
    if !(0..MAX_TREE_SIZE).contains(&n) {
        return Err(TlogError::InvalidInputs("StoredHashes"));
    }
    let completed = (n + 1).trailing_zeros();
    // The left siblings, highest level first (ascending index order).
    let indexes: Vec<i64> = (0..completed)
        .rev()
        .map(|level| stored_hash_index(level, (n >> level) - 1))
        .collect();
    let siblings = read_exact(reader, &indexes)?;
    let mut hashes = vec![record_hash];
    let mut hash = record_hash;
    for sibling in siblings.iter().rev() {
        hash = node_hash(*sibling, hash);
        hashes.push(hash);
    }
    Ok(hashes)
}

/// The largest power of two strictly below `n` and its log2, for n ≥ 2 (x/mod's
/// `maxpow2`, which gives (1, 0) for n ≤ 2).
fn max_pow2(n: i64) -> (i64, u32) {
    if n <= 2 {
        return (1, 0);
    }
    let level = 63 - (n - 1).leading_zeros();
    (1 << level, level)
}

/// Appends the stored-hash indexes of the maximal complete subtrees covering records
/// [lo, hi), left to right.
fn sub_tree_index(mut lo: i64, hi: i64, need: &mut Vec<i64>) {
    while lo < hi {
        let (k, level) = max_pow2(hi - lo + 1);
        need.push(stored_hash_index(level, lo >> level));
        lo += k;
    }
}

/// The number of maximal complete subtrees covering records [lo, hi).
fn sub_tree_count(lo: i64, hi: i64) -> usize {
    // One per 1-bit of the size, since lo is aligned to the largest of them.
    (hi - lo).count_ones() as usize
}

/// The hash of records [lo, hi) from the hashes [`sub_tree_index`] asked for, taken
/// from the front of `hashes`; the rest is returned.
fn sub_tree_hash(lo: i64, hi: i64, hashes: &[Hash]) -> Option<(Hash, &[Hash])> {
    let count = sub_tree_count(lo, hi);
    if count == 0 || hashes.len() < count {
        return None;
    }
    let (mine, rest) = hashes.split_at(count);
    let mut hash = mine[count - 1];
    for left in mine[..count - 1].iter().rev() {
        hash = node_hash(*left, hash);
    }
    Some((hash, rest))
}

/// The tree hash of the first `n` records, from their stored hashes. The empty tree's
/// hash is SHA-256 of nothing (RFC 6962; x/mod since 2024 — v0.7.0 used 32 zero bytes).
pub fn tree_hash(n: i64, reader: &dyn HashReader) -> Result<Hash, TlogError> {
    if n == 0 {
        return Ok(Sha256::digest([]).into());
    }
    if !(1..=MAX_TREE_SIZE).contains(&n) {
        return Err(TlogError::InvalidInputs("TreeHash"));
    }
    let mut indexes = Vec::new();
    sub_tree_index(0, n, &mut indexes);
    let hashes = read_exact(reader, &indexes)?;
    sub_tree_hash(0, n, &hashes)
        .map(|(hash, _)| hash)
        .ok_or(TlogError::Internal(
            "tlog: bad index math in TreeHash".into(),
        ))
}

/// Appends the indexes [`leaf_proof`] needs to prove leaf n within [lo, hi).
fn leaf_proof_index(lo: i64, hi: i64, n: i64, need: &mut Vec<i64>) {
    if lo + 1 >= hi {
        return;
    }
    let (k, _) = max_pow2(hi - lo);
    if n < lo + k {
        leaf_proof_index(lo, lo + k, n, need);
        sub_tree_index(lo + k, hi, need);
    } else {
        sub_tree_index(lo, lo + k, need);
        leaf_proof_index(lo + k, hi, n, need);
    }
}

/// The audit path of leaf n within [lo, hi), built from the hashes
/// [`leaf_proof_index`] asked for.
fn leaf_proof(lo: i64, hi: i64, n: i64, hashes: &[Hash]) -> Option<(RecordProof, &[Hash])> {
    if lo + 1 >= hi {
        return Some((Vec::new(), hashes));
    }
    let (k, _) = max_pow2(hi - lo);
    let (mut proof, sibling, rest) = if n < lo + k {
        let (proof, rest) = leaf_proof(lo, lo + k, n, hashes)?;
        let (sibling, rest) = sub_tree_hash(lo + k, hi, rest)?;
        (proof, sibling, rest)
    } else {
        let (sibling, rest) = sub_tree_hash(lo, lo + k, hashes)?;
        let (proof, rest) = leaf_proof(lo + k, hi, n, rest)?;
        (proof, sibling, rest)
    };
    proof.push(sibling);
    Some((proof, rest))
}

/// The proof that the tree of size `t` contains record `n`.
pub fn prove_record(t: i64, n: i64, reader: &dyn HashReader) -> Result<RecordProof, TlogError> {
    if t < 0 || n < 0 || n >= t || t > MAX_TREE_SIZE {
        return Err(TlogError::InvalidInputs("ProveRecord"));
    }
    let mut indexes = Vec::new();
    leaf_proof_index(0, t, n, &mut indexes);
    if indexes.is_empty() {
        return Ok(Vec::new());
    }
    let hashes = read_exact(reader, &indexes)?;
    match leaf_proof(0, t, n, &hashes) {
        Some((proof, [])) => Ok(proof),
        _ => Err(TlogError::Internal(
            "tlog: bad index math in ProveRecord".into(),
        )),
    }
}

/// Checks that `proof` proves that the tree of size `t` with hash `th` has record `n`
/// with hash `h`.
pub fn check_record(proof: &[Hash], t: i64, th: Hash, n: i64, h: Hash) -> Result<(), TlogError> {
    if t < 0 || n < 0 || n >= t {
        return Err(TlogError::InvalidInputs("CheckRecord"));
    }
    match run_record_proof(proof, 0, t, n, h) {
        Some(root) if root == th => Ok(()),
        _ => Err(TlogError::InvalidProof),
    }
}

/// The root of [lo, hi) implied by the audit path `proof` for leaf n with hash
/// `leaf`, or `None` when the proof has the wrong length.
fn run_record_proof(proof: &[Hash], lo: i64, hi: i64, n: i64, leaf: Hash) -> Option<Hash> {
    if lo + 1 >= hi {
        return proof.is_empty().then_some(leaf);
    }
    let (sibling, inner) = proof.split_last()?;
    let (k, _) = max_pow2(hi - lo);
    if n < lo + k {
        Some(node_hash(
            run_record_proof(inner, lo, lo + k, n, leaf)?,
            *sibling,
        ))
    } else {
        Some(node_hash(
            *sibling,
            run_record_proof(inner, lo + k, hi, n, leaf)?,
        ))
    }
}

/// Appends the indexes [`tree_proof`] needs for the part of the consistency proof
/// (old size n) within [lo, hi).
fn tree_proof_index(lo: i64, hi: i64, n: i64, need: &mut Vec<i64>) {
    if n >= hi {
        if lo != 0 {
            sub_tree_index(lo, hi, need);
        }
        return;
    }
    let (k, _) = max_pow2(hi - lo);
    if n <= lo + k {
        tree_proof_index(lo, lo + k, n, need);
        sub_tree_index(lo + k, hi, need);
    } else {
        sub_tree_index(lo, lo + k, need);
        tree_proof_index(lo + k, hi, n, need);
    }
}

/// The part of the consistency proof (old size n) within [lo, hi), built from the
/// hashes [`tree_proof_index`] asked for.
fn tree_proof(lo: i64, hi: i64, n: i64, hashes: &[Hash]) -> Option<(TreeProof, &[Hash])> {
    if n >= hi {
        if lo == 0 {
            return Some((Vec::new(), hashes));
        }
        let (hash, rest) = sub_tree_hash(lo, hi, hashes)?;
        return Some((vec![hash], rest));
    }
    let (k, _) = max_pow2(hi - lo);
    let (mut proof, other, rest) = if n <= lo + k {
        let (proof, rest) = tree_proof(lo, lo + k, n, hashes)?;
        let (other, rest) = sub_tree_hash(lo + k, hi, rest)?;
        (proof, other, rest)
    } else {
        let (other, rest) = sub_tree_hash(lo, lo + k, hashes)?;
        let (proof, rest) = tree_proof(lo + k, hi, n, rest)?;
        (proof, other, rest)
    };
    proof.push(other);
    Some((proof, rest))
}

/// The proof that the tree of size `t` contains the tree of size `n` as a prefix.
pub fn prove_tree(t: i64, n: i64, reader: &dyn HashReader) -> Result<TreeProof, TlogError> {
    if t < 1 || n < 1 || n > t || t > MAX_TREE_SIZE {
        return Err(TlogError::InvalidInputs("ProveTree"));
    }
    let mut indexes = Vec::new();
    tree_proof_index(0, t, n, &mut indexes);
    if indexes.is_empty() {
        return Ok(Vec::new());
    }
    let hashes = read_exact(reader, &indexes)?;
    match tree_proof(0, t, n, &hashes) {
        Some((proof, [])) => Ok(proof),
        _ => Err(TlogError::Internal(
            "tlog: bad index math in ProveTree".into(),
        )),
    }
}

/// Checks that `proof` proves that the tree of size `t` with hash `th` contains the
/// tree of size `n` with hash `h` as a prefix.
pub fn check_tree(proof: &[Hash], t: i64, th: Hash, n: i64, h: Hash) -> Result<(), TlogError> {
    if t < 1 || n < 1 || n > t {
        return Err(TlogError::InvalidInputs("CheckTree"));
    }
    match run_tree_proof(proof, 0, t, n, h) {
        Some((old, new)) if old == h && new == th => Ok(()),
        _ => Err(TlogError::InvalidProof),
    }
}

/// The hashes of [lo, hi) in the old tree (size n, hash `old`) and in the new tree
/// implied by `proof`, or `None` when the proof has the wrong length.
fn run_tree_proof(proof: &[Hash], lo: i64, hi: i64, n: i64, old: Hash) -> Option<(Hash, Hash)> {
    if n >= hi {
        return match (lo, proof) {
            (0, []) => Some((old, old)),
            (0, _) => None,
            (_, [hash]) => Some((*hash, *hash)),
            _ => None,
        };
    }
    let (other, inner) = proof.split_last()?;
    let (k, _) = max_pow2(hi - lo);
    if n <= lo + k {
        let (old_hash, new_hash) = run_tree_proof(inner, lo, lo + k, n, old)?;
        Some((old_hash, node_hash(new_hash, *other)))
    } else {
        let (old_hash, new_hash) = run_tree_proof(inner, lo + k, hi, n, old)?;
        Some((node_hash(*other, old_hash), node_hash(*other, new_hash)))
    }
}

/// A tile of the log: height `h`, tile level `l` (−1 for record data), number `n`
/// within its level, width `w`. It holds the stored hashes of tree level `l·h` for the
/// nodes `n·2^h … n·2^h + w − 1`; `w = 2^h` is a full tile, less a partial one. The
/// levels between `l·h` and `l·h + h` are recomputed from it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Tile {
    /// The height, 1…30 (the go command and sum.golang.org use 8).
    pub h: u32,
    /// The tile level; −1 is the data level, the records themselves.
    pub l: i32,
    /// The number within the level.
    pub n: i64,
    /// The width in hashes (or records, for data tiles).
    pub w: i64,
}

/// How many digits each path element of a tile number holds (`pathBase`).
const PATH_BASE: i64 = 1000;

impl Tile {
    /// The tile's coordinate path, `tile/<H>/<L or data>/<NNN>[.p/<W>]`, with N in
    /// three-digit elements, all but the last prefixed `x` (`x001/x234/067`), and
    /// `.p/<W>` only on partial tiles.
    pub fn path(&self) -> String {
        let mut number = format!("{:03}", self.n % PATH_BASE);
        let mut rest = self.n;
        while rest >= PATH_BASE {
            rest /= PATH_BASE;
            number = format!("x{:03}/{number}", rest % PATH_BASE);
        }
        let level = if self.l == -1 {
            "data".to_string()
        } else {
            self.l.to_string()
        };
        let partial = if Some(self.w) == 1i64.checked_shl(self.h) {
            String::new()
        } else {
            format!(".p/{}", self.w)
        };
        format!("tile/{}/{level}/{number}{partial}", self.h)
    }

    /// `tlog.ParseTilePath`: only the canonical spelling of a tile with height 1…30,
    /// level ≥ 0 or `data`, and 1 ≤ W < 2^H after `.p/`. The level must also fit an
    /// `i32` (x/mod's is an `int`; no other function accepts levels above 63 anyway).
    pub fn parse_path(path: &str) -> Result<Tile, TlogError> {
        parse_tile_path(path).ok_or_else(|| TlogError::MalformedTilePath(path.to_string()))
    }

    /// The tile's width as a hash count, when its coordinates are within x/mod's
    /// limits for a hash tile (`HashFromTile`'s check).
    fn checked_hash_tile(&self) -> Result<usize, TlogError> {
        let full = 1i64 << self.h.min(MAX_TILE_HEIGHT);
        if !(1..=MAX_TILE_HEIGHT).contains(&self.h)
            || !(0..64).contains(&self.l)
            || !(1..=full).contains(&self.w)
        {
            return Err(TlogError::InvalidTile(self.path()));
        }
        Ok(self.w as usize)
    }
}

/// Parses leniently, then accepts only what prints back identically, as x/mod does.
fn parse_tile_path(path: &str) -> Option<Tile> {
    let mut fields: Vec<&str> = path.split('/').collect();
    if fields.len() < 4 || fields[0] != "tile" {
        return None;
    }
    let h: u32 = fields[1].parse().ok()?;
    let is_data = fields[2] == "data";
    let l: i32 = if is_data { 0 } else { fields[2].parse().ok()? };
    if !(1..=MAX_TILE_HEIGHT).contains(&h) || l < 0 {
        return None;
    }
    let full = 1i64 << h;
    let mut w = full;
    let dot_p = fields[fields.len() - 2];
    if let Some(last_number) = dot_p.strip_suffix(".p") {
        let width: i64 = fields[fields.len() - 1].parse().ok()?;
        if width <= 0 || width >= full {
            return None;
        }
        w = width;
        let at = fields.len() - 2;
        fields[at] = last_number;
        fields.pop();
    }
    let mut n: i64 = 0;
    for element in &fields[3..] {
        let digits = element.strip_prefix('x').unwrap_or(element);
        let value: i64 = digits.parse().ok()?;
        if !(0..PATH_BASE).contains(&value) {
            return None;
        }
        n = n.checked_mul(PATH_BASE)?.checked_add(value)?;
    }
    let tile = Tile {
        h,
        l: if is_data { -1 } else { l },
        n,
        w,
    };
    (tile.path() == path).then_some(tile)
}

/// The tile of height `h` and least width that holds stored-hash `index`. Outside
/// x/mod's domain (`h` not in 1…30, where x/mod panics or no tile is valid, or a
/// negative index) the result is a tile of width 0, which every other function here
/// rejects.
pub fn tile_for_index(h: u32, index: i64) -> Tile {
    match locate_index(h, index) {
        Some((tile, _, _)) => tile,
        None => Tile {
            h,
            l: 0,
            n: 0,
            w: 0,
        },
    }
}

/// The least-width tile holding `index`, and the range of its hashes (in hashes, not
/// bytes) whose subtree hash is the hash stored at `index`.
fn locate_index(h: u32, index: i64) -> Option<(Tile, usize, usize)> {
    if !(1..=MAX_TILE_HEIGHT).contains(&h) || index < 0 {
        return None;
    }
    let (level, n) = split_stored_hash_index(index);
    let tile_level = level / h;
    let level_in_tile = level - tile_level * h;
    let first_leaf = shl(n, level_in_tile)?;
    let tile_n = first_leaf >> h;
    let n_in_tile = n - ((tile_n << h) >> level_in_tile);
    let start = n_in_tile << level_in_tile;
    let end = (n_in_tile + 1) << level_in_tile;
    let tile = Tile {
        h,
        l: tile_level as i32,
        n: tile_n,
        w: end,
    };
    Some((tile, start as usize, end as usize))
}

/// The hash stored at `index`, from the data of tile `t`, which must be the tile
/// [`tile_for_index`] gives for it or a wider one, with at least `t.w` hashes of data.
pub fn hash_from_tile(t: &Tile, data: &[u8], index: i64) -> Result<Hash, TlogError> {
    let width = t.checked_hash_tile()?;
    if data.len() < width * HASH_SIZE {
        return Err(TlogError::TileDataTooShort {
            len: data.len(),
            tile: t.path(),
        });
    }
    let holder = locate_index(t.h, index);
    match holder {
        Some((holder, start, end)) if holder.l == t.l && holder.n == t.n && holder.w <= t.w => {
            Ok(tile_hash(&data[start * HASH_SIZE..end * HASH_SIZE]))
        }
        _ => Err(TlogError::IndexNotInTile {
            index,
            holder: tile_for_index(t.h, index).path(),
            tile: t.path(),
        }),
    }
}

/// The hash of the subtree whose leaves are the 2^k hashes in `data`.
fn tile_hash(data: &[u8]) -> Hash {
    if data.len() <= HASH_SIZE {
        let mut hash = [0; HASH_SIZE];
        hash[..data.len()].copy_from_slice(data);
        return hash;
    }
    let (left, right) = data.split_at(data.len() / 2);
    node_hash(tile_hash(left), tile_hash(right))
}

/// The tiles of height `h` a server must publish when its tree grows from
/// `old_tree_size` to `new_tree_size` records: at each level that changed, the new full
/// tiles and the rightmost partial tile. This is x/mod's rule since 2024; v0.7.0 also
/// listed every intermediate partial width and unchanged partial tiles (the shared
/// vectors hold that older list). A height outside 1…30 gives no tiles (x/mod panics
/// on h ≤ 0); a negative old size counts as 0.
pub fn new_tiles(h: u32, old_tree_size: i64, new_tree_size: i64) -> Vec<Tile> {
    let mut tiles = Vec::new();
    if !(1..=MAX_TILE_HEIGHT).contains(&h) {
        return tiles;
    }
    let old_tree_size = old_tree_size.max(0);
    for level in 0..=(63 / h) {
        let shift = h * level;
        let old_n = old_tree_size >> shift;
        let new_n = new_tree_size >> shift;
        if new_n <= 0 {
            break;
        }
        if old_n == new_n {
            continue;
        }
        let l = level as i32;
        for n in (old_n >> h)..(new_n >> h) {
            tiles.push(Tile { h, l, n, w: 1 << h });
        }
        let n = new_n >> h;
        let w = new_n - (n << h);
        if w > 0 {
            tiles.push(Tile { h, l, n, w });
        }
    }
    tiles
}

/// The content of hash tile `t` (its `w` stored hashes, concatenated), read from
/// `reader`. Data tiles are not hashes: [`MemoryLog::tile_data`] serves those. A width
/// of 0 means a full tile, as in x/mod.
pub fn read_tile_data(t: &Tile, reader: &dyn HashReader) -> Result<Vec<u8>, TlogError> {
    let invalid = || TlogError::InvalidTile(t.path());
    let full_tile = Tile {
        w: if t.w == 0 { 1i64 << t.h.min(62) } else { t.w },
        ..*t
    };
    let width = full_tile.checked_hash_tile().map_err(|_| invalid())?;
    let level = t.h * t.l as u32;
    let first = shl(t.n, t.h).ok_or_else(invalid)?;
    let indexes = (0..width as i64)
        .map(|i| checked_stored_hash_index(level, first.checked_add(i)?))
        .collect::<Option<Vec<i64>>>()
        .ok_or_else(invalid)?;
    let hashes = read_exact(reader, &indexes)?;
    Ok(hashes.concat())
}

/// A signed tree head's content: the tree size and the tree hash.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tree {
    /// The number of records.
    pub n: i64,
    /// The tree hash.
    pub hash: Hash,
}

/// The first line of a tree head.
const TREE_PREFIX: &str = "go.sum database tree\n";

/// The text a server signs for a tree: `go.sum database tree\n<N>\n<base64 hash>\n`.
pub fn format_tree(tree: &Tree) -> String {
    format!("{TREE_PREFIX}{}\n{}\n", tree.n, format_hash(&tree.hash))
}

/// `tlog.ParseTree`: the `go.sum database tree` line, the size in canonical decimal
/// (no sign, no leading zero, fits an `i64`), the base64 of a 32-byte hash, each line
/// ending in a newline; at most 1e6 bytes; later lines are ignored.
pub fn parse_tree(text: &[u8]) -> Result<Tree, TlogError> {
    if text.len() > 1_000_000
        || !text.starts_with(TREE_PREFIX.as_bytes())
        || text.iter().filter(|&&b| b == b'\n').count() < 3
    {
        return Err(TlogError::MalformedTree);
    }
    let mut lines = text.split(|&b| b == b'\n').skip(1);
    let (Some(size), Some(hash)) = (lines.next(), lines.next()) else {
        return Err(TlogError::MalformedTree);
    };
    let n = std::str::from_utf8(size)
        .ok()
        .filter(|s| is_canonical_decimal(s))
        .and_then(|s| s.parse::<i64>().ok())
        .ok_or(TlogError::MalformedTree)?;
    let hash = std::str::from_utf8(hash)
        .ok()
        .and_then(|s| parse_hash(s).ok())
        .ok_or(TlogError::MalformedTree)?;
    Ok(Tree { n, hash })
}

/// Digits only, and no leading zero unless the number is 0.
fn is_canonical_decimal(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) && (s == "0" || !s.starts_with('0'))
}

/// `isValidRecordText`: UTF-8 without control characters other than newline, ending
/// in a newline, with no blank line.
pub fn is_valid_record_text(text: &[u8]) -> bool {
    std::str::from_utf8(text).is_ok()
        && text.ends_with(b"\n")
        && !text.iter().any(|&b| b < 0x20 && b != b'\n')
        && !text.windows(2).any(|pair| pair == b"\n\n")
}

/// `tlog.FormatRecord`: a record as a lookup answer starts, `<id>\n<text>\n` (the
/// signed tree head follows).
pub fn format_record(id: i64, text: &[u8]) -> Result<Vec<u8>, TlogError> {
    if !is_valid_record_text(text) {
        return Err(TlogError::MalformedRecord);
    }
    let mut msg = format!("{id}\n").into_bytes();
    msg.extend_from_slice(text);
    msg.push(b'\n');
    Ok(msg)
}

/// The parts of a lookup answer: the record id, the record text (final newline
/// included) and the rest (the signed tree head), as `tlog.ParseRecord` splits it.
///
/// Stricter than x/mod: the id must be canonical non-negative decimal. x/mod reads it
/// with `strconv.ParseInt`, so `+5`, `007` and `-1` pass there, although no server
/// writes them and a negative id can only fail later.
pub fn parse_record(msg: &[u8]) -> Result<(i64, &[u8], &[u8]), TlogError> {
    let newline = msg
        .iter()
        .position(|&b| b == b'\n')
        .ok_or(TlogError::MalformedRecord)?;
    let id = std::str::from_utf8(&msg[..newline])
        .ok()
        .filter(|s| is_canonical_decimal(s))
        .and_then(|s| s.parse::<i64>().ok())
        .ok_or(TlogError::MalformedRecord)?;
    let body = &msg[newline + 1..];
    let end = body
        .windows(2)
        .position(|pair| pair == b"\n\n")
        .ok_or(TlogError::MalformedRecord)?;
    let (text, rest) = (&body[..end + 1], &body[end + 2..]);
    if !is_valid_record_text(text) {
        return Err(TlogError::MalformedRecord);
    }
    Ok((id, text, rest))
}

/// The records of a data tile, each text with its final newline. A data tile is the
/// concatenation of `<record text>\n` for each record of the matching level-0 tile, so
/// records are separated by blank lines (sum.golang.org, and x/mod's server since
/// 2024). x/mod v0.7.0's server started each record with an `<id>\n` line
/// (golang/go#69348); such a line is returned as part of the record text. A tile that
/// is not a sequence of valid record texts each followed by a blank line is
/// `malformed record data`.
pub fn data_tile_records(data: &[u8]) -> Result<Vec<&[u8]>, TlogError> {
    let mut records = Vec::new();
    let mut rest = data;
    while !rest.is_empty() {
        let end = rest
            .windows(2)
            .position(|pair| pair == b"\n\n")
            .ok_or(TlogError::MalformedRecord)?;
        let text = &rest[..end + 1];
        if !is_valid_record_text(text) {
            return Err(TlogError::MalformedRecord);
        }
        records.push(text);
        rest = &rest[end + 2..];
    }
    Ok(records)
}

/// A source of tiles for a [`tile_hash_reader`]: a cache, a server, or both.
pub trait TileReader {
    /// The height of the tiles this reader serves.
    fn height(&self) -> u32;

    /// The data of each tile, in order: `tiles[i].w * 32` bytes each. Data from a
    /// server is suspect until [`TileReader::save_tiles`] is called for it; do not cache
    /// it persistently before then.
    fn read_tiles(&self, tiles: &[Tile]) -> Result<Vec<Vec<u8>>, TlogError>;

    /// Tiles returned by `read_tiles` that have now been authenticated against the
    /// signed tree hash and may be cached.
    fn save_tiles(&self, tiles: &[Tile], data: &[Vec<u8>]);
}

/// Like x/mod's TileHashReader: serves hashes for `tree` from tiles obtained from
/// `tiles`, and authenticates every tile before use — STRICTER than the reference: each
/// tile is checked against its parent (the spec 6.6 flaw), so a tampered tile is always
/// rejected.
///
/// x/mod v0.7.0 (and every release before the fix of CVE-2026-56865, golang/go#80744)
/// started the parent checks at the number of subtree roots instead of the number of
/// tiles holding them, so for most tree sizes up to two tiles on the path to the
/// requested hash were used unchecked, and a proxy could substitute a leaf hash. Here
/// the tiles holding the roots are authenticated through the tree hash, and every other
/// tile through its parent, before any is saved or any hash is returned.
pub fn tile_hash_reader<'a>(tree: Tree, tiles: &'a dyn TileReader) -> TileHashReader<'a> {
    TileHashReader { tree, tiles }
}

/// The [`HashReader`] [`tile_hash_reader`] returns.
pub struct TileHashReader<'a> {
    tree: Tree,
    tiles: &'a dyn TileReader,
}

/// Tile `t`'s ancestor `k` levels up in a tree of `n` records, its width clipped to
/// the tree (`tileParent`); `None` when the tree has no such tile.
fn tile_parent(t: Tile, k: u32, n: i64) -> Option<Tile> {
    let l = t.l.checked_add(i32::try_from(k).ok()?)?;
    let shift = |x: i64, by: u32| x.checked_shr(by).unwrap_or(0);
    let number = shift(t.n, k.checked_mul(t.h)?);
    let full = 1i64 << t.h;
    let max = shift(n, u32::try_from(l).ok()?.checked_mul(t.h)?);
    let first = shl(number, t.h)?;
    let w = if first.saturating_add(full) >= max {
        if first >= max {
            return None;
        }
        max - first
    } else {
        full
    };
    Some(Tile {
        h: t.h,
        l,
        n: number,
        w,
    })
}

impl HashReader for TileHashReader<'_> {
    fn read_hashes(&self, indexes: &[i64]) -> Result<Vec<Hash>, TlogError> {
        if indexes.is_empty() {
            return Ok(Vec::new());
        }
        let h = self.tiles.height();
        let size = self.tree.n;
        if !(1..=MAX_TILE_HEIGHT).contains(&h) || !(0..=MAX_TREE_SIZE).contains(&size) {
            return Err(TlogError::InvalidInputs("TileHashReader"));
        }
        let end = stored_hash_index(0, size);
        if indexes.iter().any(|&x| x < 0 || x >= end) {
            return Err(TlogError::IndexesNotInTree);
        }
        let bad_math = |what: String| {
            // Go's %v of a slice: [1 2 3].
            let listed: Vec<String> = indexes.iter().map(i64::to_string).collect();
            TlogError::Internal(format!(
                "bad math in tileHashReader {size} [{}]: {what}",
                listed.join(" ")
            ))
        };

        // The tiles holding the roots of the maximal complete subtrees: together they
        // must give the signed tree hash.
        let mut tiles: Vec<Tile> = Vec::new();
        let mut order: HashMap<Tile, usize> = HashMap::new();
        let mut roots = Vec::new();
        sub_tree_index(0, size, &mut roots);
        let mut root_tile = Vec::with_capacity(roots.len());
        for &x in &roots {
            let tile = tile_parent(tile_for_index(h, x), 0, size)
                .ok_or_else(|| bad_math(format!("no tile for root {x}")))?;
            let j = *order.entry(tile).or_insert_with(|| {
                tiles.push(tile);
                tiles.len() - 1
            });
            root_tile.push(j);
        }
        let root_tile_count = tiles.len();

        // The tile of each index, after the chain of its ancestors up to a tile
        // already planned, so every tile comes after the parent that vouches for it.
        let mut index_tile = Vec::with_capacity(indexes.len());
        for &x in indexes {
            let tile = tile_for_index(h, x);
            let mut k = 0;
            let found = loop {
                let parent = tile_parent(tile, k, size)
                    .ok_or_else(|| bad_math(format!("no ancestor of {}", tile.path())))?;
                if let Some(&j) = order.get(&parent) {
                    break j;
                }
                k += 1;
            };
            let mut own = found;
            for k in (0..k).rev() {
                let parent = tile_parent(tile, k, size)
                    .ok_or_else(|| bad_math(format!("lost ancestor of {}", tile.path())))?;
                if parent.w != 1 << h {
                    return Err(bad_math(format!("{x} {}", parent.path())));
                }
                order.insert(parent, tiles.len());
                own = tiles.len();
                tiles.push(parent);
            }
            index_tile.push(own);
        }

        let data = self.tiles.read_tiles(&tiles)?;
        if data.len() != tiles.len() {
            return Err(TlogError::BadTileCount {
                got: data.len(),
                want: tiles.len(),
            });
        }
        for (tile, data) in tiles.iter().zip(&data) {
            let want = tile.w as usize * HASH_SIZE;
            if data.len() != want {
                return Err(TlogError::BadTileLength {
                    tile: tile.path(),
                    got: data.len(),
                    want,
                });
            }
        }

        // The root tiles against the signed tree hash, folding from the right.
        let mut root_hash: Option<Hash> = None;
        for (&x, &j) in roots.iter().zip(&root_tile).rev() {
            let hash = hash_from_tile(&tiles[j], &data[j], x)?;
            root_hash = Some(match root_hash {
                None => hash,
                Some(right) => node_hash(hash, right),
            });
        }
        if root_hash != Some(self.tree.hash) {
            return Err(TlogError::InconsistentTile);
        }

        // Every other tile against the hash its (already authenticated) parent holds.
        for i in root_tile_count..tiles.len() {
            let tile = tiles[i];
            let parent = tile_parent(tile, 1, size)
                .ok_or_else(|| bad_math(format!("lost parent of {}", tile.path())))?;
            let &j = order
                .get(&parent)
                .ok_or_else(|| bad_math(format!("lost parent of {}", tile.path())))?;
            let expected = hash_from_tile(
                &parent,
                &data[j],
                stored_hash_index(parent.l as u32 * h, tile.n),
            )
            .map_err(|err| bad_math(format!("lost hash of {}: {err}", tile.path())))?;
            if expected != tile_hash(&data[i]) {
                return Err(TlogError::InconsistentTile);
            }
        }

        self.tiles.save_tiles(&tiles, &data);

        indexes
            .iter()
            .zip(&index_tile)
            .map(|(&x, &j)| {
                hash_from_tile(&tiles[j], &data[j], x)
                    .map_err(|err| bad_math(format!("lost hash {x}: {err}")))
            })
            .collect()
    }
}

/// A log held in memory, the server side of a checksum database for tests and
/// fixtures: records are appended, their stored hashes kept in index order, and
/// everything a server publishes (tree heads, signed or not, hash tiles, data tiles,
/// proofs) can be produced from it.
#[derive(Clone, Debug, Default)]
pub struct MemoryLog {
    hashes: Vec<Hash>,
    record_bytes: Vec<u8>,
    record_ends: Vec<usize>,
}

impl MemoryLog {
    /// An empty log.
    pub fn new() -> MemoryLog {
        MemoryLog::default()
    }

    /// Appends a record and returns its id. Any bytes are accepted, so tests can
    /// publish records a client must refuse; a real server appends only valid record
    /// text ([`is_valid_record_text`]: go.sum lines).
    pub fn append(&mut self, record: &[u8]) -> i64 {
        let id = self.size();
        let mut hash = record_hash(record);
        self.hashes.push(hash);
        // Each trailing 1-bit of the id completes a subtree; its left half's root was
        // stored earlier at a known index.
        for level in 0..(id + 1).trailing_zeros() {
            let left = stored_hash_index(level, (id >> level) - 1);
            hash = node_hash(self.hashes[left as usize], hash);
            self.hashes.push(hash);
        }
        self.record_bytes.extend_from_slice(record);
        self.record_ends.push(self.record_bytes.len());
        id
    }

    /// The number of records.
    pub fn size(&self) -> i64 {
        self.record_ends.len() as i64
    }

    /// Whether the log has no records.
    pub fn is_empty(&self) -> bool {
        self.record_ends.is_empty()
    }

    /// Record `id`'s bytes, if the log has it.
    pub fn record(&self, id: i64) -> Option<&[u8]> {
        let id = usize::try_from(id).ok()?;
        let end = *self.record_ends.get(id)?;
        let start = if id == 0 { 0 } else { self.record_ends[id - 1] };
        Some(&self.record_bytes[start..end])
    }

    /// Every stored hash, in stored-hash-index order.
    pub fn stored_hashes(&self) -> &[Hash] {
        &self.hashes
    }

    /// The current tree: size and tree hash.
    pub fn tree(&self) -> Tree {
        let n = self.size();
        self.tree_at(n).unwrap_or(Tree { n, hash: [0; 32] })
    }

    /// The tree of the first `n` records (an earlier tree head of this log).
    pub fn tree_at(&self, n: i64) -> Result<Tree, TlogError> {
        if n < 0 || n > self.size() {
            return Err(TlogError::InvalidInputs("TreeHash"));
        }
        Ok(Tree {
            n,
            hash: tree_hash(n, self)?,
        })
    }

    /// The current tree head as a note signed by `signer`, as `/latest` and lookups
    /// serve it.
    pub fn signed_tree(&self, signer: &Signer) -> String {
        signer.sign(&format_tree(&self.tree()))
    }

    /// The signed head of the tree of the first `n` records.
    pub fn signed_tree_at(&self, n: i64, signer: &Signer) -> Result<String, TlogError> {
        Ok(signer.sign(&format_tree(&self.tree_at(n)?)))
    }

    /// The bytes a server sends for `tile`: for a hash tile its `w` stored hashes; for
    /// a data tile (level −1) `<record>\n` for each of its `w` records. The tile must
    /// lie within the current tree (`indexes not in tree` otherwise).
    pub fn tile_data(&self, tile: &Tile) -> Result<Vec<u8>, TlogError> {
        if tile.l != -1 {
            return read_tile_data(tile, self);
        }
        let as_hash_tile = Tile { l: 0, ..*tile };
        as_hash_tile.checked_hash_tile()?;
        let first = shl(tile.n, tile.h);
        let last = first.and_then(|f| f.checked_add(tile.w));
        let (Some(first), Some(last)) = (first, last) else {
            return Err(TlogError::InvalidTile(tile.path()));
        };
        if last > self.size() {
            return Err(TlogError::IndexesNotInTree);
        }
        let mut data = Vec::new();
        for id in first..last {
            data.extend_from_slice(self.record(id).unwrap_or_default());
            data.push(b'\n');
        }
        Ok(data)
    }
}

/// Serves stored hashes; an index the log does not have is `indexes not in tree`.
impl HashReader for MemoryLog {
    fn read_hashes(&self, indexes: &[i64]) -> Result<Vec<Hash>, TlogError> {
        indexes
            .iter()
            .map(|&x| {
                usize::try_from(x)
                    .ok()
                    .and_then(|x| self.hashes.get(x))
                    .copied()
                    .ok_or(TlogError::IndexesNotInTree)
            })
            .collect()
    }
}
