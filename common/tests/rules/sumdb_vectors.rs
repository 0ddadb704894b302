//! vectors/notes.json and tlog.json: signed notes, tree heads, tiles and proofs, every
//! case checked against what x/mod v0.7.0 produced under go1.19.8. Where the Go 1.27
//! x/mod we follow differs (the empty tree's hash, `NewTiles`, the tile checks of
//! CVE-2026-56865), the test says so and checks the newer rule. Then properties over
//! whole trees: every proof of every pair of sizes up to 300 checks and fails when any
//! hash in it is changed, and a changed bit in any tile is caught.

use std::cell::RefCell;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use gomod_common::sumdb::note::{self, Note, NoteError, Signature, Signer, VerifierKey};
use gomod_common::sumdb::tlog::{
    self, Hash, HashReader, MemoryLog, Tile, TileReader, TlogError, Tree, check_record, check_tree,
    data_tile_records, format_record, format_tree, hash_from_tile, new_tiles, parse_record,
    parse_tree, prove_record, prove_tree, read_tile_data, record_hash, split_stored_hash_index,
    stored_hash_count, stored_hash_index, tile_for_index, tile_hash_reader, tree_hash,
};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::fixture;

fn load(name: &str) -> Value {
    let path = fixture(name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|err| panic!("reading {}: {err}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|err| panic!("{}: {err}", path.display()))
}

fn cases<'a>(file: &'a Value, key: &str) -> &'a [Value] {
    file[key]
        .as_array()
        .unwrap_or_else(|| panic!("no array {key:?}"))
}

fn str_of<'a>(case: &'a Value, key: &str) -> &'a str {
    case[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key:?} is not a string in {case}"))
}

fn int_of(case: &Value, key: &str) -> i64 {
    case[key]
        .as_i64()
        .unwrap_or_else(|| panic!("{key:?} is not an integer in {case}"))
}

fn b64(text: &str) -> Vec<u8> {
    STANDARD.decode(text).expect("vector base64")
}

fn hash(text: &str) -> Hash {
    tlog::parse_hash(text).expect("vector hash")
}

fn hashes(value: &Value) -> Vec<Hash> {
    value
        .as_array()
        .map(|list| list.iter().map(|h| hash(h.as_str().unwrap())).collect())
        .unwrap_or_default()
}

fn hex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).expect("vector hex"))
        .collect()
}

fn tile_of(value: &Value) -> Tile {
    Tile {
        h: int_of(value, "h") as u32,
        l: int_of(value, "l") as i32,
        n: int_of(value, "n"),
        w: int_of(value, "w"),
    }
}

/// A log of the 300 vector records, whose prefixes are every tree the vectors use.
fn vector_log(tlog_json: &Value) -> MemoryLog {
    let mut log = MemoryLog::new();
    for record in cases(tlog_json, "records") {
        log.append(str_of(record, "text").as_bytes());
    }
    log
}

/// A log of `n` go.sum-like records.
fn log_of(n: i64) -> MemoryLog {
    let mut log = MemoryLog::new();
    for i in 0..n {
        log.append(format!("example.com/m{i} v1.0.{i} h1:x=\n").as_bytes());
    }
    log
}

// ---------------------------------------------------------------------------------------
// notes.json

fn check_sigs(what: &str, got: &[Signature], want: &Value) {
    let want = want.as_array().map(Vec::as_slice).unwrap_or_default();
    let got: Vec<(String, String, String)> = got
        .iter()
        .map(|s| (s.name.clone(), format!("{:08x}", s.hash), s.base64()))
        .collect();
    let want: Vec<(String, String, String)> = want
        .iter()
        .map(|s| {
            (
                str_of(s, "name").to_string(),
                str_of(s, "key_hash_hex").to_string(),
                str_of(s, "base64").to_string(),
            )
        })
        .collect();
    assert_eq!(got, want, "{what}");
}

#[test]
fn note_open_vectors() {
    let notes = load("notes.json");
    let open_cases = cases(&notes, "open");
    assert_eq!(open_cases.len(), 33);
    for case in open_cases {
        let name = str_of(case, "name");
        let msg = match case.get("message_base64") {
            Some(encoded) => b64(encoded.as_str().unwrap()),
            None => str_of(case, "message").as_bytes().to_vec(),
        };
        let known: Vec<VerifierKey> = case["verifier_keys"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| VerifierKey::parse(k.as_str().unwrap()).unwrap())
            .collect();
        let result = note::open(&msg, &known);
        if case["ok"] == true {
            let opened = result.unwrap_or_else(|err| panic!("{name}: {err}"));
            assert_eq!(opened.text, str_of(case, "text"), "{name}");
            check_sigs(name, &opened.sigs, &case["sigs"]);
            check_sigs(name, &opened.unverified, &case["unverified_sigs"]);
            continue;
        }
        let err = result.expect_err(name);
        assert_eq!(err.to_string(), str_of(case, "error"), "{name}");
        let kind = match &err {
            NoteError::Malformed => "*errors.errorString",
            NoteError::InvalidSignature { .. } => "*note.InvalidSignatureError",
            NoteError::AmbiguousKey { .. } => "*note.ambiguousVerifierError",
            NoteError::NoVerifiableSignatures(_) => "*note.UnverifiedNoteError",
            NoteError::UnknownKey { .. } => "*note.UnknownVerifierError",
        };
        assert_eq!(kind, str_of(case, "error_type"), "{name}");
        if let NoteError::NoVerifiableSignatures(unverified) = err {
            assert_eq!(unverified.text, str_of(case, "text"), "{name}");
            assert!(unverified.sigs.is_empty(), "{name}");
            check_sigs(name, &unverified.unverified, &case["unverified_sigs"]);
        }
    }
}

#[test]
fn key_parsing_vectors() {
    let notes = load("notes.json");
    for case in cases(&notes, "key_parsing") {
        let name = str_of(case, "name");
        let key = str_of(case, "key");
        let parsed = match str_of(case, "kind") {
            "verifier" => VerifierKey::parse(key).map(|k| (k.name, k.hash)),
            "signer" => Signer::from_private_key(key).map(|s| (s.name().to_string(), s.key_hash())),
            other => panic!("{name}: kind {other}"),
        };
        if case["ok"] == true {
            let (parsed_name, parsed_hash) = parsed.unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(parsed_name, str_of(case, "parsed_name"), "{name}");
            assert_eq!(
                format!("{parsed_hash:08x}"),
                str_of(case, "parsed_key_hash_hex"),
                "{name}"
            );
        } else {
            let err = parsed.expect_err(name);
            assert_eq!(err.to_string(), str_of(case, "error"), "{name}");
        }
    }
}

/// The keys' seeds come from `SHA-256(seed_string ‖ 00000000)`; a signer made from the
/// seed prints x/mod's signer and verifier keys, and the key hash covers exactly the
/// bytes the vector lists.
#[test]
fn key_vectors() {
    let notes = load("notes.json");
    for key in cases(&notes, "keys") {
        let id = str_of(key, "id");
        let seed: [u8; 32] = Sha256::new()
            .chain_update(str_of(key, "seed_string"))
            .chain_update([0, 0, 0, 0])
            .finalize()
            .into();
        assert_eq!(seed.to_vec(), hex(str_of(key, "ed25519_seed_hex")), "{id}");
        let signer = Signer::from_seed(str_of(key, "name"), seed).unwrap();
        assert_eq!(signer.private_key(), str_of(key, "signer_key"), "{id}");
        let verifier = signer.verifier();
        assert_eq!(verifier.to_string(), str_of(key, "verifier_key"), "{id}");
        assert_eq!(
            verifier.public_key.to_vec(),
            hex(str_of(key, "ed25519_public_key_hex"))
        );
        assert_eq!(
            format!("{:08x}", verifier.hash),
            str_of(key, "key_hash_hex")
        );
        let input = hex(str_of(key, "key_hash_input_hex"));
        let (name, encoded_key) = input.split_at(verifier.name.len() + 1);
        assert_eq!(name, format!("{}\n", verifier.name).as_bytes());
        assert_eq!(note::key_hash(&verifier.name, encoded_key), verifier.hash);
        assert_eq!(
            VerifierKey::parse(str_of(key, "verifier_key")),
            Ok(verifier)
        );
    }
    let real = VerifierKey::parse(str_of(&notes, "sum_golang_org_vkey")).unwrap();
    assert_eq!(real.name, "sum.golang.org");
}

/// Ed25519 is deterministic, so signing must reproduce x/mod's messages byte for byte.
#[test]
fn sign_vectors() {
    let notes = load("notes.json");
    let signers: Vec<(String, Signer)> = cases(&notes, "keys")
        .iter()
        .map(|k| {
            let signer = Signer::from_private_key(str_of(k, "signer_key")).unwrap();
            (str_of(k, "id").to_string(), signer)
        })
        .collect();
    for case in cases(&notes, "sign") {
        let name = str_of(case, "name");
        let text = str_of(case, "text");
        let chosen: Vec<&Signer> = case["signer_key_ids"]
            .as_array()
            .unwrap()
            .iter()
            .map(|id| &signers.iter().find(|(k, _)| id == k.as_str()).unwrap().1)
            .collect();
        let unsigned = Note {
            text: text.to_string(),
            sigs: Vec::new(),
            unverified: Vec::new(),
        };
        let result = note::sign(&unsigned, &chosen);
        match case.get("error") {
            Some(error) => assert_eq!(result.unwrap_err().to_string(), error.as_str().unwrap()),
            None => {
                let signed = str_of(case, "signed_message");
                assert_eq!(result.as_deref(), Ok(signed), "{name}");
                if let [only] = chosen.as_slice() {
                    assert_eq!(only.sign(text), signed, "{name}");
                }
            }
        }
    }
}

/// Re-signing an opened note keeps the other signatures and replaces the signer's own,
/// as x/mod's `Sign` does.
#[test]
fn resigning_keeps_other_signatures() {
    let a = Signer::from_seed("a.example", [1; 32]).unwrap();
    let b = Signer::from_seed("b.example", [2; 32]).unwrap();
    let both = note::sign(
        &Note {
            text: "t\n".into(),
            sigs: vec![],
            unverified: vec![],
        },
        &[&a, &b],
    )
    .unwrap();
    let opened = note::open(both.as_bytes(), &[a.verifier()]).unwrap();
    assert_eq!(opened.unverified.len(), 1);
    let again = note::sign(&opened, &[&a]).unwrap();
    let b_line = both.lines().find(|l| l.contains("b.example")).unwrap();
    let a_line = both.lines().find(|l| l.contains("a.example")).unwrap();
    assert_eq!(again, format!("t\n\n{b_line}\n{a_line}\n"));
    let reopened = note::open(again.as_bytes(), &[a.verifier(), b.verifier()]).unwrap();
    assert_eq!(reopened.sigs.len(), 2);
}

#[test]
fn tree_note_vectors() {
    let notes = load("notes.json");
    for case in cases(&notes, "tree_notes") {
        let name = str_of(case, "name");
        let text = str_of(case, "text");
        let result = parse_tree(text.as_bytes());
        if case["ok"] == true {
            let tree = result.unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(tree.n, int_of(case, "n"), "{name}");
            assert_eq!(tree.hash, hash(str_of(case, "hash")), "{name}");
            assert!(text.starts_with(&format_tree(&tree)), "{name}");
        } else {
            assert_eq!(
                result.unwrap_err().to_string(),
                str_of(case, "error"),
                "{name}"
            );
        }
    }
    let format_text = str_of(&notes, "tree_note_format_text");
    assert_eq!(
        format_tree(&parse_tree(format_text.as_bytes()).unwrap()),
        format_text
    );
}

/// `ParseTree`'s limits beyond the vectors: at most 1e6 bytes, and Go's base64 reader
/// skips a CR in the hash line.
#[test]
fn tree_note_limits() {
    let valid = "go.sum database tree\n5\nPH6byTDck/AfppmF7yQtn56GHzxTVaokzl70tLinDMs=\n";
    let padded = |len: usize| format!("{valid}{}", "x".repeat(len - valid.len()));
    assert!(parse_tree(padded(1_000_000).as_bytes()).is_ok());
    assert_eq!(
        parse_tree(padded(1_000_001).as_bytes()),
        Err(TlogError::MalformedTree)
    );
    let with_cr = valid.replace("=\n", "=\r\n");
    assert_eq!(parse_tree(with_cr.as_bytes()), parse_tree(valid.as_bytes()));
    for bad in [
        "",
        "go.sum database tree\n",
        "go.sum database tree\n5\n\n",
        "go.sum database tree\n\nPH6byTDck/AfppmF7yQtn56GHzxTVaokzl70tLinDMs=\n",
        "go.sum database tree\n-0\nPH6byTDck/AfppmF7yQtn56GHzxTVaokzl70tLinDMs=\n",
        "go.sum database tree\n5\nPH6byTDck/AfppmF7yQtn56GHzxTVaokzl70tLinDMs\n",
    ] {
        assert_eq!(
            parse_tree(bad.as_bytes()),
            Err(TlogError::MalformedTree),
            "{bad:?}"
        );
    }
}

// ---------------------------------------------------------------------------------------
// tlog.json

#[test]
fn record_and_stored_hash_vectors() {
    let tlog_json = load("tlog.json");
    let mut log = MemoryLog::new();
    for record in cases(&tlog_json, "records") {
        let index = int_of(record, "index");
        let text = str_of(record, "text").as_bytes();
        assert_eq!(record_hash(text), hash(str_of(record, "record_hash")));
        let at = stored_hash_index(0, index);
        assert_eq!(at, int_of(record, "stored_hash_index"), "record {index}");
        let expected = hashes(&record["stored_hashes"]);
        assert_eq!(
            tlog::stored_hashes(index, text, &log).unwrap(),
            expected,
            "record {index}"
        );
        assert_eq!(log.append(text), index);
        assert_eq!(&log.stored_hashes()[at as usize..], expected.as_slice());
        assert_eq!(log.record(index), Some(text));
    }
    for case in cases(&tlog_json, "tree_hashes") {
        let n = int_of(case, "n");
        assert_eq!(
            tree_hash(n, &log),
            Ok(hash(str_of(case, "hash"))),
            "tree {n}"
        );
        assert_eq!(stored_hash_count(n), int_of(case, "stored_hash_count"));
        assert_eq!(log.tree_at(n).unwrap().hash, hash(str_of(case, "hash")));
    }
    assert_eq!(stored_hash_count(300), log.stored_hashes().len() as i64);
    for case in cases(&tlog_json, "stored_hash_index") {
        let (level, n, index) = (
            int_of(case, "level") as u32,
            int_of(case, "n"),
            int_of(case, "index"),
        );
        assert_eq!(stored_hash_index(level, n), index, "{case}");
        assert_eq!(split_stored_hash_index(index), (level, n), "{case}");
    }
    for index in 0..5000 {
        let (level, n) = split_stored_hash_index(index);
        assert_eq!(stored_hash_index(level, n), index);
    }
}

/// x/mod v0.7.0 gave the empty tree 32 zero bytes; x/mod since 2024 (and Go 1.27) gives
/// SHA-256 of nothing, as RFC 6962 does.
#[test]
fn empty_tree_hash_is_the_newer_one() {
    let tlog_json = load("tlog.json");
    let empty = &tlog_json["empty_tree_hash"];
    let log = MemoryLog::new();
    assert_eq!(tree_hash(0, &log), Ok(hash(str_of(empty, "x_mod_newer"))));
    assert_ne!(tree_hash(0, &log), Ok(hash(str_of(empty, "x_mod_v0.7.0"))));
    assert_eq!(log.tree().hash, hash(str_of(empty, "x_mod_newer")));
}

#[test]
fn lookup_format_vectors() {
    let tlog_json = load("tlog.json");
    let log = vector_log(&tlog_json);
    let wire = str_of(&tlog_json, "record_format_for_lookup").as_bytes();
    assert_eq!(format_record(2, log.record(2).unwrap()).unwrap(), wire);
    assert_eq!(
        parse_record(wire),
        Ok((2, log.record(2).unwrap(), &b""[..]))
    );
    assert_eq!(
        format_tree(&log.tree_at(5).unwrap()),
        str_of(&tlog_json, "tree_note_for_size_5")
    );
}

/// x/mod reads the record id with `strconv.ParseInt`, so it takes `+2`, `02` and `-2`;
/// no server writes those, and we refuse them.
#[test]
fn lookup_record_id_must_be_canonical() {
    let text = b"example.com/m v1.0.0 h1:x=\n";
    for id in ["+2", "02", "-2", "", " 2", "2 "] {
        let mut wire = format!("{id}\n").into_bytes();
        wire.extend_from_slice(text);
        wire.extend_from_slice(b"\nnote");
        assert_eq!(
            parse_record(&wire),
            Err(TlogError::MalformedRecord),
            "{id:?}"
        );
    }
    for bad in [
        &b"2\nno final blank line\n"[..],
        b"2\nbad\x01control\n\n",
        b"2\nnot utf-8 \xff\n\n",
        b"no newline at all",
    ] {
        assert_eq!(
            parse_record(bad),
            Err(TlogError::MalformedRecord),
            "{bad:?}"
        );
    }
    assert_eq!(
        format_record(1, b"two\n\nparagraphs\n"),
        Err(TlogError::MalformedRecord)
    );
    assert_eq!(
        parse_record(b"0\na\nb\n\nrest\n"),
        Ok((0, &b"a\nb\n"[..], &b"rest\n"[..]))
    );
    // A lone newline is valid record text to x/mod (`isValidRecordText` only refuses a
    // newline that follows another).
    assert_eq!(parse_record(b"2\n\n\n"), Ok((2, &b"\n"[..], &b""[..])));
}

/// The tiles x/mod v0.7.0's `NewTiles` listed, reduced to the ones the newer rule lists:
/// at each level that changed, the full tiles and the widest (rightmost) partial tile.
fn newer_new_tiles(listed: &[Tile], h: u32, old_size: i64, new_size: i64) -> Vec<Tile> {
    listed
        .iter()
        .filter(|t| {
            let shift = h * t.l as u32;
            let (old_n, new_n) = (old_size >> shift, new_size >> shift);
            old_n != new_n && (t.w == 1 << h || t.w == new_n - (t.n << h))
        })
        .copied()
        .collect()
}

#[test]
fn tile_vectors() {
    let tlog_json = load("tlog.json");
    let log = vector_log(&tlog_json);
    for case in cases(&tlog_json, "tiles") {
        let (h, size) = (int_of(case, "height") as u32, int_of(case, "tree_size"));
        let listed: Vec<Tile> = cases(case, "tiles").iter().map(tile_of).collect();
        assert_eq!(
            new_tiles(h, 0, size),
            newer_new_tiles(&listed, h, 0, size),
            "h={h} size={size}"
        );
        for (tile, vector) in listed.iter().zip(cases(case, "tiles")) {
            let path = str_of(vector, "path");
            assert_eq!(tile.path(), path);
            assert_eq!(Tile::parse_path(path), Ok(*tile));
            // The generator left out the content of some full tiles.
            if let Some(data) = vector.get("data_base64") {
                let data = b64(data.as_str().unwrap());
                assert_eq!(read_tile_data(tile, &log), Ok(data.clone()), "{path}");
                assert_eq!(log.tile_data(tile), Ok(data), "{path}");
            }
        }
    }
    for case in cases(&tlog_json, "new_tiles_incremental") {
        let (h, old, new) = (
            int_of(case, "height") as u32,
            int_of(case, "old_size"),
            int_of(case, "new_size"),
        );
        let listed: Vec<Tile> = case["paths"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| Tile::parse_path(p.as_str().unwrap()).unwrap())
            .collect();
        assert_eq!(
            new_tiles(h, old, new),
            newer_new_tiles(&listed, h, old, new),
            "h={h} {old}->{new}"
        );
    }
}

/// The newer `NewTiles` rule on its own terms: publishing the tiles for each growth step
/// leaves, for every level, exactly the tiles a reader of the final tree asks for.
#[test]
fn new_tiles_cover_the_tree() {
    assert_eq!(
        new_tiles(8, 5, 6),
        vec![Tile::parse_path("tile/8/0/000.p/6").unwrap()]
    );
    assert!(new_tiles(8, 6, 6).is_empty());
    assert!(new_tiles(0, 0, 6).is_empty());
    assert!(new_tiles(31, 0, 6).is_empty());
    for h in [1, 2, 3, 8] {
        for size in 1..=70 {
            let mut published = Vec::new();
            for step in 0..size {
                published.extend(new_tiles(h, step, step + 1));
            }
            for tile in new_tiles(h, 0, size) {
                assert!(
                    published.contains(&tile),
                    "h={h} size={size} {}",
                    tile.path()
                );
            }
        }
    }
}

#[test]
fn tile_path_vectors() {
    let tlog_json = load("tlog.json");
    for case in cases(&tlog_json, "tile_paths") {
        let tile = tile_of(&case["tile"]);
        assert_eq!(tile.path(), str_of(case, "path"));
        assert_eq!(Tile::parse_path(str_of(case, "path")), Ok(tile));
    }
    for case in cases(&tlog_json, "tile_path_parsing") {
        let path = str_of(case, "path");
        match case.get("error") {
            Some(error) => assert_eq!(
                Tile::parse_path(path).unwrap_err().to_string(),
                error.as_str().unwrap()
            ),
            None => assert_eq!(Tile::parse_path(path), Ok(tile_of(&case["tile"]))),
        }
    }
    for case in cases(&tlog_json, "tile_for_index") {
        let tile = tile_for_index(int_of(case, "height") as u32, int_of(case, "index"));
        assert_eq!(tile.path(), str_of(case, "tile_path"), "{case}");
        assert_eq!(
            split_stored_hash_index(int_of(case, "index")),
            (int_of(case, "level") as u32, int_of(case, "n"))
        );
    }
}

/// Hostile tile paths: only the canonical spelling parses, nothing panics, and the error
/// quotes the path as Go's `%q` does.
#[test]
fn tile_path_parsing_is_strict() {
    for bad in [
        "tile/8/0/000/",
        "tile/8/0/000.p/5/",
        "tile/8/0/+00",
        "tile/8/0/x1000/000",
        "tile/8/data/000.p/256",
        "tile/+8/0/000",
        "tile/8/+0/000",
        "tile/8/0/000.p/+5",
        "tile/8/0/x999/x999/x999/x999/x999/x999/x999/999",
        "tile/8/99999999999/000",
        "tile/8/0/.p/5",
        "tile/30/0/000.p/1073741824",
        "tile//0/000",
        "/tile/8/0/000",
    ] {
        assert!(Tile::parse_path(bad).is_err(), "{bad}");
    }
    assert_eq!(
        Tile::parse_path("tile/8/0/\u{7f}\n")
            .unwrap_err()
            .to_string(),
        "malformed tile path \"tile/8/0/\\x7f\\n\""
    );
    let biggest = Tile {
        h: 30,
        l: 63,
        n: i64::MAX,
        w: (1 << 30) - 1,
    };
    assert_eq!(Tile::parse_path(&biggest.path()), Ok(biggest));
    assert_eq!(
        Tile::parse_path("tile/30/2147483647/x009/x223/x372/x036/x854/x775/807"),
        Ok(Tile {
            h: 30,
            l: i32::MAX,
            n: i64::MAX,
            w: 1 << 30
        })
    );
}

/// A [`TileReader`] over a [`MemoryLog`] that records what it was asked for and saved,
/// and can corrupt one byte of one tile (XOR 1, as the vectors do).
struct LogTiles<'a> {
    log: &'a MemoryLog,
    height: u32,
    corrupt: Option<(Tile, usize, u8)>,
    requested: RefCell<Vec<Tile>>,
    saved: RefCell<Option<Vec<Tile>>>,
}

impl<'a> LogTiles<'a> {
    fn new(log: &'a MemoryLog, height: u32) -> LogTiles<'a> {
        LogTiles {
            log,
            height,
            corrupt: None,
            requested: RefCell::new(Vec::new()),
            saved: RefCell::new(None),
        }
    }
}

impl TileReader for LogTiles<'_> {
    fn height(&self) -> u32 {
        self.height
    }

    fn read_tiles(&self, tiles: &[Tile]) -> Result<Vec<Vec<u8>>, TlogError> {
        self.requested.borrow_mut().extend_from_slice(tiles);
        tiles
            .iter()
            .map(|tile| {
                let mut data = self.log.tile_data(tile)?;
                if let Some((bad, offset, mask)) = self.corrupt
                    && bad == *tile
                {
                    data[offset] ^= mask;
                }
                Ok(data)
            })
            .collect()
    }

    fn save_tiles(&self, tiles: &[Tile], _data: &[Vec<u8>]) {
        self.saved
            .borrow_mut()
            .get_or_insert_with(Vec::new)
            .extend_from_slice(tiles);
    }
}

fn paths(tiles: &[Tile]) -> Vec<String> {
    tiles.iter().map(Tile::path).collect()
}

fn path_list(value: &Value) -> Vec<String> {
    value
        .as_array()
        .map(|list| {
            list.iter()
                .map(|p| p.as_str().unwrap().to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// Every `tile_hash_reader` case: the tiles asked for, in x/mod's order, the tiles
/// saved, the hashes or the error. The two `reference_gap` cases are where x/mod v0.7.0
/// returned a corrupted tile's hash (CVE-2026-56865); here they must fail.
#[test]
fn tile_hash_reader_vectors() {
    let tlog_json = load("tlog.json");
    let log = vector_log(&tlog_json);
    let mut gaps = 0;
    for case in cases(&tlog_json, "tile_hash_reader") {
        let what = str_of(case, "description");
        let tree = Tree {
            n: int_of(case, "tree_size"),
            hash: hash(str_of(case, "tree_hash")),
        };
        let mut reader = LogTiles::new(&log, int_of(case, "height") as u32);
        if let Some(path) = case.get("corrupted_tile") {
            let tile = Tile::parse_path(path.as_str().unwrap()).unwrap();
            reader.corrupt = Some((tile, int_of(case, "corrupted_byte_offset") as usize, 1));
        }
        let indexes: Vec<i64> = case["indexes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i.as_i64().unwrap())
            .collect();
        let result = tile_hash_reader(tree, &reader).read_hashes(&indexes);
        assert_eq!(
            paths(&reader.requested.borrow()),
            path_list(&case["tiles_requested"]),
            "{what}"
        );
        let expected_error = match case.get("correct_behaviour") {
            Some(correct) => {
                gaps += 1;
                Some(correct.as_str().unwrap().trim_start_matches("error: "))
            }
            None => case.get("error").map(|e| e.as_str().unwrap()),
        };
        match expected_error {
            Some(error) => {
                assert_eq!(result.unwrap_err().to_string(), error, "{what}");
                assert_eq!(*reader.saved.borrow(), None, "{what}: saved after failing");
            }
            None => {
                assert_eq!(result, Ok(hashes(&case["hashes"])), "{what}");
                assert_eq!(
                    paths(reader.saved.borrow().as_deref().unwrap_or_default()),
                    path_list(&case["tiles_saved"]),
                    "{what}"
                );
            }
        }
    }
    assert_eq!(gaps, 2);
}

#[test]
fn inclusion_proof_vectors() {
    let tlog_json = load("tlog.json");
    let log = vector_log(&tlog_json);
    for case in cases(&tlog_json, "inclusion_proofs") {
        let what = str_of(case, "description");
        let (t, n) = (int_of(case, "tree_size"), int_of(case, "index"));
        let proof = hashes(&case["proof"]);
        let result = check_record(
            &proof,
            t,
            hash(str_of(case, "tree_hash")),
            n,
            hash(str_of(case, "leaf_hash")),
        );
        if case["valid"] == true {
            assert_eq!(result, Ok(()), "{what} t={t} n={n}");
            assert_eq!(prove_record(t, n, &log), Ok(proof), "{what} t={t} n={n}");
        } else {
            assert_eq!(
                result.unwrap_err().to_string(),
                str_of(case, "error"),
                "{what}"
            );
        }
    }
}

#[test]
fn consistency_proof_vectors() {
    let tlog_json = load("tlog.json");
    let log = vector_log(&tlog_json);
    for case in cases(&tlog_json, "consistency_proofs") {
        let what = str_of(case, "description");
        let (t, n) = (int_of(case, "new_size"), int_of(case, "old_size"));
        let proof = hashes(&case["proof"]);
        let result = check_tree(
            &proof,
            t,
            hash(str_of(case, "new_hash")),
            n,
            hash(str_of(case, "old_hash")),
        );
        if case["valid"] == true {
            assert_eq!(result, Ok(()), "{what} {n}->{t}");
            assert_eq!(prove_tree(t, n, &log), Ok(proof), "{what} {n}->{t}");
        } else {
            assert_eq!(
                result.unwrap_err().to_string(),
                str_of(case, "error"),
                "{what}"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------
// Properties over whole trees

/// Whether to try every way of breaking the proof for trees `t` and `n`: for every
/// tree up to 32 and a sixteenth of the other pairs. The rest get one changed hash, at
/// a position that rotates over the pairs, so that every position is still hit while
/// the test stays fast without optimisation (SHA-256 takes ~10 µs in a debug build).
fn try_everything(t: i64, n: i64) -> bool {
    t <= 32 || (t + n) % 16 == 0
}

/// The proof positions to tamper with for trees `t` and `n`.
fn positions_to_tamper(len: usize, t: i64, n: i64) -> Vec<usize> {
    if len == 0 {
        Vec::new()
    } else if try_everything(t, n) {
        (0..len).collect()
    } else {
        vec![(t * 7 + n) as usize % len]
    }
}

fn flip(hash: Hash, bit: usize) -> Hash {
    let mut hash = hash;
    hash[bit / 8 % 32] ^= 1 << (bit % 8);
    hash
}

/// For every tree of 1…300 records and every record in it, the inclusion proof checks;
/// changing a hash of it (every position, over the pairs), dropping or adding one, or
/// using it for another record or tree fails.
#[test]
fn every_inclusion_proof_checks_and_any_change_fails() {
    let log = log_of(300);
    let tree_hashes: Vec<Hash> = (0..=300).map(|t| tree_hash(t, &log).unwrap()).collect();
    let leaf = |n: i64| log.stored_hashes()[stored_hash_index(0, n) as usize];
    for t in 1..=300i64 {
        let th = tree_hashes[t as usize];
        for n in 0..t {
            let proof = prove_record(t, n, &log).unwrap();
            assert_eq!(
                check_record(&proof, t, th, n, leaf(n)),
                Ok(()),
                "t={t} n={n}"
            );
            for i in positions_to_tamper(proof.len(), t, n) {
                let mut bad = proof.clone();
                bad[i] = flip(bad[i], i * 37 + n as usize);
                assert_eq!(
                    check_record(&bad, t, th, n, leaf(n)),
                    Err(TlogError::InvalidProof),
                    "t={t} n={n} hash {i}"
                );
            }
            if !try_everything(t, n) {
                continue;
            }
            assert!(check_record(&proof, t, th, n, flip(leaf(n), 0)).is_err());
            assert!(check_record(&proof, t, flip(th, 255), n, leaf(n)).is_err());
            if let Some((_, shorter)) = proof.split_last() {
                assert!(check_record(shorter, t, th, n, leaf(n)).is_err());
            }
            assert!(check_record(&[proof.clone(), vec![th]].concat(), t, th, n, leaf(n)).is_err());
            if n + 1 < t {
                assert!(check_record(&proof, t, th, n + 1, leaf(n + 1)).is_err());
            }
            if t < 300 {
                assert!(
                    check_record(&proof, t + 1, tree_hashes[t as usize + 1], n, leaf(n)).is_err()
                );
            }
        }
    }
}

/// For every pair of sizes 1 ≤ n ≤ t ≤ 300, the consistency proof checks; changing a
/// hash of it (every position, over the pairs), or either tree hash, fails.
#[test]
fn every_consistency_proof_checks_and_any_change_fails() {
    let log = log_of(300);
    let tree_hashes: Vec<Hash> = (0..=300).map(|t| tree_hash(t, &log).unwrap()).collect();
    for t in 1..=300i64 {
        let th = tree_hashes[t as usize];
        for n in 1..=t {
            let h = tree_hashes[n as usize];
            let proof = prove_tree(t, n, &log).unwrap();
            assert_eq!(check_tree(&proof, t, th, n, h), Ok(()), "{n}->{t}");
            for i in positions_to_tamper(proof.len(), t, n) {
                let mut bad = proof.clone();
                bad[i] = flip(bad[i], i * 41 + t as usize);
                assert_eq!(
                    check_tree(&bad, t, th, n, h),
                    Err(TlogError::InvalidProof),
                    "{n}->{t} hash {i}"
                );
            }
            if !try_everything(t, n) {
                continue;
            }
            assert!(check_tree(&proof, t, th, n, flip(h, 3)).is_err());
            assert!(check_tree(&proof, t, flip(th, 3), n, h).is_err());
            assert!(check_tree(&[proof.clone(), vec![h]].concat(), t, th, n, h).is_err());
            if n > 1 {
                assert!(check_tree(&proof, t, th, n - 1, tree_hashes[n as usize - 1]).is_err());
            }
        }
    }
}

/// Proofs and checks on inputs x/mod rejects, or would panic or overflow on.
#[test]
fn proof_inputs_out_of_range_are_errors() {
    let log = log_of(10);
    let h = [0; 32];
    assert_eq!(
        check_record(&[], 5, h, 5, h).unwrap_err().to_string(),
        "tlog: invalid inputs in CheckRecord"
    );
    assert!(check_record(&[], 5, h, -1, h).is_err());
    assert!(check_record(&[h; 70], i64::MAX, h, i64::MAX - 1, h).is_err());
    assert!(check_tree(&[h; 70], i64::MAX, h, 3, h).is_err());
    assert_eq!(
        check_tree(&[], 5, h, 0, h).unwrap_err().to_string(),
        "tlog: invalid inputs in CheckTree"
    );
    assert_eq!(
        prove_record(10, 10, &log).unwrap_err().to_string(),
        "tlog: invalid inputs in ProveRecord"
    );
    assert_eq!(
        prove_tree(10, 11, &log).unwrap_err().to_string(),
        "tlog: invalid inputs in ProveTree"
    );
    assert_eq!(prove_record(11, 3, &log), Err(TlogError::IndexesNotInTree));
    assert!(tree_hash(-1, &log).is_err());
    assert!(tree_hash(i64::MAX, &log).is_err());
    let short = |_: &[i64]| -> Result<Vec<Hash>, TlogError> { Ok(vec![]) };
    assert_eq!(
        tree_hash(3, &short).unwrap_err().to_string(),
        "tlog: ReadHashes(2 indexes) = 0 hashes"
    );
    assert_eq!(stored_hash_index(0, -1), i64::MAX);
    assert_eq!(stored_hash_index(63, 0), i64::MAX);
    assert_eq!(split_stored_hash_index(-5), (0, -1));
    let (level, n) = split_stored_hash_index(i64::MAX);
    assert!(level < 63 && n >= 0);
    assert_eq!(stored_hash_count(-3), 0);
    assert_eq!(tile_for_index(0, 5).w, 0);
    assert_eq!(tile_for_index(8, -1).w, 0);
    assert!(read_tile_data(&tile_for_index(0, 5), &log).is_err());
}

/// Every tile of every level that a read goes through is authenticated: changing a bit
/// of a hash in any tile fetched for a record is `downloaded inconsistent tile`, and
/// nothing is saved. With height 2, trees up to 70 records have up to four tile levels
/// and every hash of every tile fetched for every record is tried; height 8 (the go
/// command's layout, up to three levels) tries the first, the last and every 37th hash
/// of each tile fetched for a few records.
#[test]
fn a_changed_bit_in_any_tile_is_caught() {
    for (h, sizes) in [
        (2u32, (1..=70).collect::<Vec<i64>>()),
        (8, vec![1, 5, 256, 257, 300, 513, 65536 + 700]),
    ] {
        let log = log_of(*sizes.last().unwrap());
        for &size in &sizes {
            let tree = log.tree_at(size).unwrap();
            let records: Vec<i64> = if size <= 70 {
                (0..size).collect()
            } else {
                let mut some = vec![0, 5, 255, 256, size / 2, size - 2, size - 1];
                some.retain(|&n| n < size);
                some
            };
            for n in records {
                let index = stored_hash_index(0, n);
                let clean = LogTiles::new(&log, h);
                let hashes = tile_hash_reader(tree, &clean).read_hashes(&[index]);
                assert_eq!(hashes, Ok(vec![log.stored_hashes()[index as usize]]));
                let fetched = clean.requested.borrow().clone();
                assert_eq!(clean.saved.borrow().as_deref(), Some(fetched.as_slice()));
                for tile in &fetched {
                    let tried = (0..tile.w as usize)
                        .filter(|&i| h == 2 || i == 0 || i + 1 == tile.w as usize || i % 37 == 5);
                    for hash_at in tried {
                        let offset = hash_at * 32 + (hash_at * 7 + n as usize) % 32;
                        let mut bad = LogTiles::new(&log, h);
                        bad.corrupt = Some((*tile, offset, 1 << (hash_at % 8)));
                        let result = tile_hash_reader(tree, &bad).read_hashes(&[index]);
                        assert_eq!(
                            result,
                            Err(TlogError::InconsistentTile),
                            "h={h} size={size} record {n}: {} hash {hash_at}",
                            tile.path()
                        );
                        assert_eq!(*bad.saved.borrow(), None);
                    }
                }
            }
        }
    }
}

/// Several indexes in one read, from different tiles, each checked as a proof would be.
#[test]
fn tile_hash_reader_reads_many_indexes() {
    let log = log_of(1000);
    let tree = log.tree();
    let reader = LogTiles::new(&log, 8);
    let indexes: Vec<i64> = (0..log.stored_hashes().len() as i64).step_by(97).collect();
    let got = tile_hash_reader(tree, &reader)
        .read_hashes(&indexes)
        .unwrap();
    let want: Vec<Hash> = indexes
        .iter()
        .map(|&i| log.stored_hashes()[i as usize])
        .collect();
    assert_eq!(got, want);
    // Proofs computed through authenticated tiles are the proofs the log gives.
    let through_tiles = tile_hash_reader(tree, &reader);
    assert_eq!(tree_hash(tree.n, &through_tiles), Ok(tree.hash));
    assert_eq!(
        prove_record(1000, 617, &through_tiles),
        prove_record(1000, 617, &log)
    );
    assert_eq!(
        prove_tree(1000, 300, &through_tiles),
        prove_tree(1000, 300, &log)
    );
    assert_eq!(
        tile_hash_reader(tree, &reader).read_hashes(&[-1]),
        Err(TlogError::IndexesNotInTree)
    );
    assert_eq!(
        tile_hash_reader(tree, &reader).read_hashes(&[stored_hash_index(0, 1000)]),
        Err(TlogError::IndexesNotInTree)
    );
    assert_eq!(tile_hash_reader(tree, &reader).read_hashes(&[]), Ok(vec![]));
    let wrong_tree = Tree {
        n: 1000,
        hash: flip(tree.hash, 9),
    };
    assert_eq!(
        tile_hash_reader(wrong_tree, &reader).read_hashes(&[0]),
        Err(TlogError::InconsistentTile)
    );
}

/// A reader that answers with the wrong number of tiles, or tiles of the wrong length,
/// is refused before any hash is used.
#[test]
fn tile_reader_answers_of_the_wrong_shape_are_refused() {
    struct Misbehaving(fn(&[Tile]) -> Vec<Vec<u8>>);
    impl TileReader for Misbehaving {
        fn height(&self) -> u32 {
            8
        }
        fn read_tiles(&self, tiles: &[Tile]) -> Result<Vec<Vec<u8>>, TlogError> {
            Ok((self.0)(tiles))
        }
        fn save_tiles(&self, _: &[Tile], _: &[Vec<u8>]) {
            panic!("saved a tile that was not authenticated");
        }
    }
    let tree = log_of(300).tree();
    let read = |reader: &Misbehaving| {
        tile_hash_reader(tree, reader)
            .read_hashes(&[8])
            .unwrap_err()
            .to_string()
    };
    assert_eq!(
        read(&Misbehaving(|_| vec![])),
        "TileReader returned bad result slice (len=0, want 3)"
    );
    assert_eq!(
        read(&Misbehaving(|tiles| tiles
            .iter()
            .map(|_| vec![0; 31])
            .collect())),
        "TileReader returned bad result slice (tile/8/1/000.p/1 len=31, want 32)"
    );
    assert_eq!(
        read(&Misbehaving(|tiles| tiles
            .iter()
            .map(|t| vec![0; t.w as usize * 32])
            .collect())),
        "downloaded inconsistent tile"
    );
    struct Failing;
    impl TileReader for Failing {
        fn height(&self) -> u32 {
            8
        }
        fn read_tiles(&self, _: &[Tile]) -> Result<Vec<Vec<u8>>, TlogError> {
            Err(TlogError::Read(
                "reading https://sum.example/tile/8/0/000: 404 Not Found".into(),
            ))
        }
        fn save_tiles(&self, _: &[Tile], _: &[Vec<u8>]) {}
    }
    assert_eq!(
        tile_hash_reader(tree, &Failing)
            .read_hashes(&[8])
            .unwrap_err()
            .to_string(),
        "reading https://sum.example/tile/8/0/000: 404 Not Found"
    );
    struct BadHeight;
    impl TileReader for BadHeight {
        fn height(&self) -> u32 {
            0
        }
        fn read_tiles(&self, _: &[Tile]) -> Result<Vec<Vec<u8>>, TlogError> {
            unreachable!()
        }
        fn save_tiles(&self, _: &[Tile], _: &[Vec<u8>]) {}
    }
    assert!(
        tile_hash_reader(tree, &BadHeight)
            .read_hashes(&[8])
            .is_err()
    );
    let huge = Tree {
        n: i64::MAX,
        hash: tree.hash,
    };
    assert!(tile_hash_reader(huge, &Failing).read_hashes(&[8]).is_err());
}

#[test]
fn hash_from_tile_checks_its_inputs() {
    let log = log_of(300);
    let tile = Tile::parse_path("tile/8/0/001.p/44").unwrap();
    let data = log.tile_data(&tile).unwrap();
    let index = stored_hash_index(0, 299);
    assert_eq!(
        hash_from_tile(&tile, &data, index),
        Ok(log.stored_hashes()[index as usize])
    );
    assert_eq!(
        hash_from_tile(&tile, &data[..100], index)
            .unwrap_err()
            .to_string(),
        "data len 100 too short for tile tile/8/0/001.p/44"
    );
    assert_eq!(
        hash_from_tile(&tile, &data, 3).unwrap_err().to_string(),
        "index 3 is in tile/8/0/000.p/3 not tile/8/0/001.p/44"
    );
    let narrow = Tile { w: 43, ..tile };
    assert!(hash_from_tile(&narrow, &data, index).is_err());
    for invalid in [
        Tile { h: 0, ..tile },
        Tile { h: 31, ..tile },
        Tile { l: -1, ..tile },
        Tile { l: 64, ..tile },
        Tile { w: 0, ..tile },
        Tile { w: 257, ..tile },
    ] {
        assert_eq!(
            hash_from_tile(&invalid, &data, index),
            Err(TlogError::InvalidTile(invalid.path()))
        );
    }
}

/// Data tiles: `<record>\n` per record, split back into the records of the matching
/// hash tile, whose leaves are their record hashes.
#[test]
fn data_tiles_round_trip() {
    let log = log_of(300);
    let data_tile = Tile::parse_path("tile/8/data/001.p/44").unwrap();
    let data = log.tile_data(&data_tile).unwrap();
    let records = data_tile_records(&data).unwrap();
    assert_eq!(records.len(), 44);
    let hash_tile = log.tile_data(&Tile { l: 0, ..data_tile }).unwrap();
    for (i, record) in records.iter().enumerate() {
        assert_eq!(Some(*record), log.record(256 + i as i64));
        assert_eq!(record_hash(record), hash_tile[i * 32..(i + 1) * 32]);
    }
    assert_eq!(data_tile_records(b""), Ok(vec![]));
    assert_eq!(data_tile_records(b"\n\n"), Ok(vec![&b"\n"[..]]));
    for bad in [&b"a\n"[..], b"a\n\n\n", b"a\nb", b"\x01\n\n", b"\n\n\n"] {
        assert_eq!(
            data_tile_records(bad),
            Err(TlogError::MalformedRecord),
            "{bad:?}"
        );
    }
    assert_eq!(
        log.tile_data(&Tile::parse_path("tile/8/data/001.p/45").unwrap()),
        Err(TlogError::IndexesNotInTree)
    );
    assert_eq!(
        log.tile_data(&Tile::parse_path("tile/8/1/000").unwrap()),
        Err(TlogError::IndexesNotInTree)
    );
}

/// The server side end to end: a signed head of a `MemoryLog` opens with the signer's
/// verifier key and parses to the log's tree.
#[test]
fn memory_log_serves_signed_heads() {
    let signer = Signer::from_seed("sumdb.test", [9; 32]).unwrap();
    let mut log = MemoryLog::new();
    assert!(log.is_empty());
    let first = log.append(b"example.com/a v1.0.0 h1:a=\n");
    assert_eq!(first, 0);
    for i in 1..20 {
        log.append(format!("example.com/a v1.0.{i} h1:a=\n").as_bytes());
    }
    let head = log.signed_tree(&signer);
    let opened = note::open(head.as_bytes(), &[signer.verifier()]).unwrap();
    assert_eq!(parse_tree(opened.text.as_bytes()), Ok(log.tree()));
    let older = log.signed_tree_at(7, &signer).unwrap();
    let older = parse_tree(
        note::open(older.as_bytes(), &[signer.verifier()])
            .unwrap()
            .text
            .as_bytes(),
    )
    .unwrap();
    let proof = prove_tree(20, 7, &log).unwrap();
    assert_eq!(
        check_tree(&proof, 20, log.tree().hash, 7, older.hash),
        Ok(())
    );
    assert!(log.signed_tree_at(21, &signer).is_err());
    assert_eq!(log.record(20), None);
    assert_eq!(log.record(-1), None);
}
