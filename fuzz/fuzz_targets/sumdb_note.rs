//! Signed notes and the transparency log: `sumdb::note::open`, `note::sign`,
//! `tlog::parse_tree`, `Tile::parse_path`, `parse_record`, `data_tile_records`,
//! `check_record`/`check_tree`, and `tile_hash_reader` against a hostile tile server.
//!
//! The first byte chooses the mode:
//! 0. the rest is a message opened with two known keys;
//! 1. the rest is a text, cleaned to what a note may hold, signed and opened again;
//! 2. the rest goes to every text parser;
//! 3. `<size:2> <index:2> <tile:1> <offset:2> <xor bytes>`: a hash is read through
//!    tiles of a real log whose server changes one tile; then the rest is a proof.
//!
//! Asserts: no panic; an opened note has a text ending in a newline, at least one
//! verified signature, each by a known key and valid, at most 100 lines, and signing
//! it again (no new signer) gives a message that opens to the same note; a signed
//! cleaned text opens to itself; parsers accept only what prints back (`format_tree`,
//! `Tile::path`, `format_record` + rest, records + blank lines); a hash read through
//! tiles is the log's true hash whatever the server changed, and nothing is saved
//! unless the read succeeds; a proof of fuzz hashes never checks against the real tree
//! unless it is the real proof.
#![no_main]

use std::cell::Cell;
use std::sync::OnceLock;

use gomod_common::sumdb::note::{self, Signer, VerifierKey};
use gomod_common::sumdb::tlog::{self, Hash, HashReader, MemoryLog, Tile, TileReader, TlogError};
use libfuzzer_sys::fuzz_target;

/// Records in the log mode 3 reads from.
const LOG_SIZE: i64 = 1500;

struct Fixture {
    signers: [Signer; 2],
    known: [VerifierKey; 2],
    log: MemoryLog,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let signers = [
            Signer::from_seed("sumdb.example.test", [1; 32]).unwrap(),
            Signer::from_seed("witness.example.test", [2; 32]).unwrap(),
        ];
        let known = [signers[0].verifier(), signers[1].verifier()];
        let mut log = MemoryLog::new();
        for i in 0..LOG_SIZE {
            log.append(format!("example.com/m{i} v1.0.0 h1:x=\n").as_bytes());
        }
        Fixture {
            signers,
            known,
            log,
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    match mode % 4 {
        0 => check_open(rest),
        1 => check_sign(rest),
        2 => check_parsers(rest),
        _ => check_tiles(rest),
    }
});

fn check_open(msg: &[u8]) {
    let fixture = fixture();
    let Ok(opened) = note::open(msg, &fixture.known) else {
        return;
    };
    assert!(opened.text.ends_with('\n'));
    assert!(!opened.sigs.is_empty());
    assert!(opened.sigs.len() + opened.unverified.len() <= 100);
    for sig in &opened.sigs {
        let key = note::find_verifier(&fixture.known, &sig.name, sig.hash).unwrap();
        assert!(key.verify(opened.text.as_bytes(), &sig.sig));
    }
    for sig in &opened.unverified {
        assert!(note::find_verifier(&fixture.known, &sig.name, sig.hash).is_err());
    }
    // Signing again keeps every signature. Lines that differed only in base64 bits Go
    // ignores (after the last full byte) print the same now, so they collapse.
    let again = note::sign(&opened, &[]).unwrap();
    let reopened = note::open(again.as_bytes(), &fixture.known).unwrap();
    assert_eq!(reopened.text, opened.text);
    assert_eq!(reopened.sigs, opened.sigs);
    let mut distinct = opened.unverified.clone();
    let mut seen = Vec::new();
    distinct.retain(|s| {
        let new = !seen.contains(s);
        seen.push(s.clone());
        new
    });
    assert_eq!(reopened.unverified, distinct);
}

fn check_sign(text: &[u8]) {
    let fixture = fixture();
    // What a note may hold: UTF-8 without control characters other than newline.
    let mut text: String = String::from_utf8_lossy(text)
        .chars()
        .filter(|&c| c == '\n' || c >= ' ')
        .collect();
    text.push('\n');
    let signers: Vec<&Signer> = fixture.signers.iter().collect();
    let unsigned = note::Note {
        text: text.clone(),
        sigs: vec![],
        unverified: vec![],
    };
    let msg = note::sign(&unsigned, &signers).unwrap();
    let opened = note::open(msg.as_bytes(), &fixture.known[..1]).unwrap();
    assert_eq!(opened.text, text);
    assert_eq!(opened.sigs.len(), 1);
    assert_eq!(opened.unverified.len(), 1);
    assert_eq!(
        fixture.signers[0].sign(&text),
        note::sign(&unsigned, &signers[..1]).unwrap()
    );
}

fn check_parsers(data: &[u8]) {
    if let Ok(tree) = tlog::parse_tree(data) {
        assert!(tree.n >= 0);
        assert_eq!(
            tlog::parse_tree(tlog::format_tree(&tree).as_bytes()),
            Ok(tree)
        );
    }
    let text = String::from_utf8_lossy(data);
    if let Ok(tile) = Tile::parse_path(&text) {
        assert_eq!(tile.path(), text);
        assert!((1..=30).contains(&tile.h) && tile.l >= -1 && tile.n >= 0);
        assert!(tile.w >= 1 && tile.w <= 1 << tile.h);
    }
    let _ = tlog::tile_for_index(8, i64::from_le_bytes(pad(data)));
    if let Ok((id, record, rest)) = tlog::parse_record(data) {
        let mut again = tlog::format_record(id, record).unwrap();
        again.extend_from_slice(rest);
        assert_eq!(again, data);
    }
    if let Ok(records) = tlog::data_tile_records(data) {
        let joined: Vec<u8> = records.iter().flat_map(|r| [*r, b"\n"].concat()).collect();
        assert_eq!(joined, data);
    }
}

/// The first eight bytes, zero-padded.
fn pad(data: &[u8]) -> [u8; 8] {
    let mut out = [0; 8];
    let n = data.len().min(8);
    out[..n].copy_from_slice(&data[..n]);
    out
}

/// A tile server over the fixture log that XORs `mask` into one tile from `offset`.
struct HostileTiles {
    victim: usize,
    offset: usize,
    mask: Vec<u8>,
    saved: Cell<bool>,
}

impl TileReader for HostileTiles {
    fn height(&self) -> u32 {
        // Small tiles give several tile levels in a small log.
        2
    }

    fn read_tiles(&self, tiles: &[Tile]) -> Result<Vec<Vec<u8>>, TlogError> {
        let log = &fixture().log;
        let mut out = Vec::new();
        for (i, tile) in tiles.iter().enumerate() {
            let mut data = log.tile_data(tile)?;
            if i == self.victim % tiles.len() && !data.is_empty() {
                for (j, m) in self.mask.iter().enumerate() {
                    let at = (self.offset + j) % data.len();
                    data[at] ^= m;
                }
            }
            out.push(data);
        }
        Ok(out)
    }

    fn save_tiles(&self, _: &[Tile], _: &[Vec<u8>]) {
        self.saved.set(true);
    }
}

fn check_tiles(data: &[u8]) {
    let log = &fixture().log;
    let u16_at = |i: usize| {
        u16::from_le_bytes([
            data.get(i).copied().unwrap_or(0),
            data.get(i + 1).copied().unwrap_or(0),
        ])
    };
    let size = i64::from(u16_at(0)) % LOG_SIZE + 1;
    let record = i64::from(u16_at(2)) % size;
    let victim = usize::from(data.get(4).copied().unwrap_or(0));
    let offset = usize::from(u16_at(5));
    let mask: Vec<u8> = data
        .get(7..)
        .unwrap_or_default()
        .iter()
        .take(64)
        .copied()
        .collect();
    let tree = log.tree_at(size).unwrap();
    let index = tlog::stored_hash_index(0, record);
    let server = HostileTiles {
        victim,
        offset,
        mask: mask.clone(),
        saved: Cell::new(false),
    };
    let result = tlog::tile_hash_reader(tree, &server).read_hashes(&[index]);
    match result {
        Ok(hashes) => {
            assert_eq!(hashes, vec![log.stored_hashes()[index as usize]]);
            assert!(server.saved.get());
        }
        Err(_) => assert!(!server.saved.get()),
    }

    // The rest as proof hashes: they never prove anything about the real tree unless
    // they are the real proof.
    let proof: Vec<Hash> = data
        .get(7..)
        .unwrap_or_default()
        .chunks_exact(32)
        .map(|c| c.try_into().unwrap())
        .collect();
    let leaf = log.stored_hashes()[index as usize];
    if tlog::check_record(&proof, size, tree.hash, record, leaf).is_ok() {
        assert_eq!(Ok(proof.clone()), tlog::prove_record(size, record, log));
    }
    let old = (record + 1).min(size);
    let old_hash = log.tree_at(old).unwrap().hash;
    if tlog::check_tree(&proof, size, tree.hash, old, old_hash).is_ok() {
        assert_eq!(Ok(proof.clone()), tlog::prove_tree(size, old, log));
    }
    let sizes = [i64::from_le_bytes(pad(&mask)), i64::from(u16_at(0)) - 5];
    let _ = tlog::check_record(&proof, sizes[0], tree.hash, sizes[1], leaf);
    let _ = tlog::check_tree(&proof, sizes[0], tree.hash, sizes[1], leaf);
}
