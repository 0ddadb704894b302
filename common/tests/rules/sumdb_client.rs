//! The checksum-database client against Go's own server: the scenarios recorded from
//! x/mod's `sumdb.Server` in `tests/fixtures/sumdb/` (served by tests/support's
//! `SumdbServer`), logs made here with `tlog::MemoryLog` for what Go's server cannot be
//! made to do, and — when the newest go is installed — the live Go fixture server.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use gomod_common::net::dial::SystemResolver;
use gomod_common::net::http::{HttpClient, HttpSettings};
use gomod_common::net::httpproxy::ProxyConfig;
use gomod_common::net::roots::GoRoots;
use gomod_common::record::Code;
use gomod_common::route::{parse_goproxy, parse_gosumdb};
use gomod_common::sumdb::client::{BaseVia, ClientOptions, Lookup, SumdbClient, SumdbError};
use gomod_common::sumdb::note::Signer;
use gomod_common::sumdb::tlog::{self, MemoryLog, Tile};
use gomod_testsupport::gosumdb::GoSumdb;
use gomod_testsupport::sumdb::{
    FIXTURE_SKEY, FIXTURE_VKEY, Scenario, SumdbServer, fixtures_dir, generated_hash,
    generated_module,
};
use gomod_testsupport::{Request, Response, Server, handler};

const T: Duration = Duration::from_secs(10);

/// The five module versions of the fixture, as (module, version).
const MODULES: [(&str, &str); 5] = [
    ("example.com/Upper/thing", "v0.1.0"),
    ("example.com/greet/v2", "v2.0.0"),
    ("example.com/hello", "v1.0.0"),
    ("example.com/hello", "v1.1.0"),
    ("example.com/nogomod", "v1.0.0"),
];

/// A fresh directory under the system's temporary directory, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> TempDir {
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir =
            std::env::temp_dir().join(format!("sumdb-client-test-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn http() -> Arc<HttpClient> {
    Arc::new(HttpClient::new(HttpSettings {
        proxy: ProxyConfig::from_env(|_| None),
        roots: Arc::new(GoRoots::default().into()),
        netrc: None,
        netrc_mode: gomod_common::net::netrc::NetrcMode::Newest,
        resolver: Arc::new(SystemResolver::from_etc()),
        connect_timeout: T,
        hello: gomod_common::net::hello::GoHello::new(None, ""),
        goauth: Default::default(),
    }))
}

/// A client for GOSUMDB `gosumdb` and GOPROXY `goproxy`, keeping state in `state`.
fn client_for(gosumdb: &str, goproxy: &str, state: &Path) -> SumdbClient {
    SumdbClient::new(
        http(),
        ClientOptions {
            spec: parse_gosumdb(gosumdb).unwrap().unwrap(),
            goproxy: parse_goproxy(goproxy, "").unwrap(),
            state_dir: state.to_path_buf(),
            go_latest: None,
            timeout: T,
        },
    )
}

/// A client that reaches `server` directly (GOSUMDB names its URL).
fn client(server: &SumdbServer, state: &Path) -> SumdbClient {
    client_for(&server.gosumdb(), "off", state)
}

/// The go.sum lines of records.gosum, per `module@version`.
fn expected_lines() -> BTreeMap<String, Vec<String>> {
    let text = std::fs::read_to_string(fixtures_dir().join("records.gosum")).unwrap();
    let mut lines: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let mut fields = line.split(' ');
        let (module, version) = (fields.next().unwrap(), fields.next().unwrap());
        let version = version.trim_end_matches("/go.mod");
        lines
            .entry(format!("{module}@{version}"))
            .or_default()
            .push(line.to_string());
    }
    lines
}

/// The recorded file of a scenario, as text.
fn recorded(scenario: &str, path: &str) -> String {
    let bytes = Scenario::load(scenario).unwrap().file(path).unwrap();
    String::from_utf8(bytes).unwrap()
}

/// The paths asked more than once.
fn repeated(paths: &[String]) -> Vec<String> {
    let mut seen = HashSet::new();
    paths
        .iter()
        .filter(|p| !seen.insert(p.as_str()))
        .cloned()
        .collect()
}

async fn lookup_all(client: &SumdbClient) -> Vec<Result<Lookup, SumdbError>> {
    let mut results = Vec::new();
    for (module, version) in MODULES {
        results.push(client.lookup(module, version).await);
    }
    results
}

#[tokio::test]
async fn honest_lookups_give_the_records_of_go_sum() {
    let server = SumdbServer::fixture("honest");
    let state = TempDir::new();
    let client = client(&server, state.path());
    let expected = expected_lines();
    for (i, result) in lookup_all(&client).await.into_iter().enumerate() {
        let (module, version) = MODULES[i];
        let lookup = result.unwrap_or_else(|e| panic!("{module}@{version}: {e}"));
        assert_eq!(
            lookup.lines,
            expected[&format!("{module}@{version}")],
            "{module}@{version}"
        );
        assert_eq!(lookup.record_id, 300 + i as i64);
        assert_eq!(lookup.tree.size, 305);
        assert_eq!(lookup.served_size, 305);
        assert!(!lookup.cached);
        assert_eq!(
            lookup.zip_hash.as_deref(),
            lookup.lines[0].split(' ').nth(2)
        );
        assert_eq!(
            lookup.mod_hash.as_deref(),
            lookup.lines[1].split(' ').nth(2)
        );
        lookup
            .check(false, lookup.zip_hash.as_deref().unwrap())
            .unwrap();
        lookup
            .check(true, lookup.mod_hash.as_deref().unwrap())
            .unwrap();
    }
    let paths = server.paths();
    assert_eq!(repeated(&paths), Vec::<String>::new(), "{paths:?}");
    // `/latest` is asked once, alongside the first lookup (either may arrive first).
    assert!(paths.iter().any(|p| p == "/latest"), "{paths:?}");
    // The upper-case path went on the wire escaped, as Go sends it.
    assert!(paths.contains(&"/lookup/example.com/!upper/thing@v0.1.0".to_string()));
    // The proof of records 300-304 in a tree of 305: the partial leaf tile and the
    // level-1 tile holding the root of the first 256 records; no data tile.
    let tiles: HashSet<&str> = paths
        .iter()
        .filter_map(|p| p.strip_prefix('/'))
        .filter(|p| p.starts_with("tile/"))
        .collect();
    assert_eq!(
        tiles,
        HashSet::from(["tile/8/0/001.p/49", "tile/8/1/000.p/1"])
    );
    // The state directory: Go's layout, the head and tiles exactly as served.
    let db = state.path().join("sumdb.fixture.test");
    assert_eq!(
        std::fs::read_to_string(db.join("latest")).unwrap(),
        recorded("honest", "latest")
    );
    for tile in tiles {
        assert_eq!(
            std::fs::read(db.join(tile)).unwrap(),
            Scenario::load("honest").unwrap().file(tile).unwrap(),
            "{tile}"
        );
    }
    assert_eq!(
        std::fs::read_to_string(db.join("lookup/example.com/!upper/thing@v0.1.0")).unwrap(),
        recorded("honest", "lookup/example.com/!upper/thing@v0.1.0")
    );
    assert_eq!(client.tree().unwrap().note, recorded("honest", "latest"));
    assert_eq!(client.take_warnings(), Vec::<(Code, String)>::new());
}

#[tokio::test]
async fn a_second_run_needs_nothing_but_the_state_directory() {
    let server = SumdbServer::fixture("honest");
    let state = TempDir::new();
    for result in lookup_all(&client(&server, state.path())).await {
        result.unwrap();
    }
    let gosumdb = server.gosumdb();
    drop(server);
    // The server is gone: /latest fails (which does not fail lookups), the rest comes
    // from the state directory and is verified again.
    let client = client_for(&gosumdb, "off", state.path());
    assert!(client.latest().await.is_err());
    for result in lookup_all(&client).await {
        let lookup = result.unwrap();
        assert!(lookup.cached);
        assert_eq!(lookup.tree.size, 305);
    }
    assert_eq!(client.requests().len(), 1, "{:?}", client.requests());
}

#[tokio::test]
async fn the_same_answers_with_the_go_commands_requests_only() {
    let server = SumdbServer::fixture("honest");
    let state = TempDir::new();
    let client = client(&server, state.path()).check_latest(false);
    for result in lookup_all(&client).await {
        result.unwrap();
    }
    // What go mod download asks (with a fresh module cache): lookups and tiles.
    let paths = server.paths();
    assert!(paths.iter().all(|p| !p.ends_with("/latest")), "{paths:?}");
    assert_eq!(paths.len(), 5 + 2, "{paths:?}");
}

#[tokio::test]
async fn a_forged_signature_is_refused() {
    let server = SumdbServer::fixture("bad-signature");
    let state = TempDir::new();
    let client = client(&server, state.path());
    let err = client
        .lookup("example.com/hello", "v1.0.0")
        .await
        .unwrap_err();
    assert_eq!(err.code, Code::SumdbBadSignature);
    let note = recorded("bad-signature", "latest");
    assert_eq!(
        err.go_text,
        format!(
            "reading tree note: invalid signature for key sumdb.fixture.test+1e35f783\nnote:\n{note}"
        )
    );
    assert_eq!(
        err.go_error("example.com/hello", "v1.0.0", true),
        format!(
            "go: example.com/hello@v1.0.0: verifying go.mod: example.com/hello@v1.0.0/go.mod: {}",
            err.go_text
        )
    );
    // Nothing unverified was kept.
    assert!(!state.path().join("sumdb.fixture.test/latest").exists());
    assert!(client.tree().is_none());
}

#[tokio::test]
async fn a_key_of_the_same_name_is_not_the_key() {
    let server = SumdbServer::fixture("wrong-key");
    let state = TempDir::new();
    // The client trusts the fixture's key; the server signs with another.
    assert_ne!(server.vkey(), FIXTURE_VKEY);
    let client = client_for(
        &format!("{FIXTURE_VKEY} {}", server.url()),
        "off",
        state.path(),
    );
    let err = client
        .lookup("example.com/hello", "v1.0.0")
        .await
        .unwrap_err();
    assert_eq!(err.code, Code::SumdbBadSignature);
    assert!(
        err.go_text
            .starts_with("reading tree note: note has no verifiable signatures\nnote:\ngo.sum database tree\n305\n"),
        "{}",
        err.go_text
    );
}

#[tokio::test]
async fn a_tampered_record_does_not_authenticate() {
    let server = SumdbServer::fixture("tampered-lookup");
    let state = TempDir::new();
    let client = client(&server, state.path());
    let err = client
        .lookup("example.com/hello", "v1.1.0")
        .await
        .unwrap_err();
    assert_eq!(err.code, Code::SumdbProofFailed);
    assert_eq!(
        err.go_error("example.com/hello", "v1.1.0", true),
        "go: example.com/hello@v1.1.0: verifying go.mod: example.com/hello@v1.1.0/go.mod: cannot authenticate record data in server response"
    );
    // Not cached; the honest records of the same log still verify.
    let db = state.path().join("sumdb.fixture.test");
    assert!(!db.join("lookup/example.com/hello@v1.1.0").exists());
    client.lookup("example.com/hello", "v1.0.0").await.unwrap();
}

#[tokio::test]
async fn a_tile_that_does_not_match_its_parent_is_refused() {
    // Level-0 tile 001 of a 605-record tree holds the modules' leaves but none of the
    // tree's subtree roots: x/mod v0.7.0 used it unchecked (golang/go#80744).
    let server = SumdbServer::fixture("tampered-tile");
    let state = TempDir::new();
    let client = client(&server, state.path());
    for result in lookup_all(&client).await {
        let err = result.unwrap_err();
        assert_eq!(err.code, Code::SumdbProofFailed);
        assert_eq!(err.go_text, "downloaded inconsistent tile");
    }
    let db = state.path().join("sumdb.fixture.test");
    assert!(!db.join("tile/8/0/001").exists());
    assert_eq!(repeated(&server.paths()), Vec::<String>::new());
}

#[tokio::test]
async fn a_tampered_root_tile_does_not_give_the_tree_hash() {
    let server = SumdbServer::fixture("tampered-root-tile");
    let state = TempDir::new();
    let err = client(&server, state.path())
        .lookup("example.com/nogomod", "v1.0.0")
        .await
        .unwrap_err();
    assert_eq!(err.code, Code::SumdbProofFailed);
    assert_eq!(err.go_text, "downloaded inconsistent tile");
    assert!(
        !state
            .path()
            .join("sumdb.fixture.test/tile/8/0/001.p/49")
            .exists()
    );
}

#[tokio::test]
async fn growth_between_runs_is_proven_consistent() {
    let server = SumdbServer::fixture("honest");
    let state = TempDir::new();
    client(&server, state.path())
        .lookup("example.com/hello", "v1.0.0")
        .await
        .unwrap();
    server.switch("grown");
    server.clear_requests();
    let client = client(&server, state.path());
    // A lookup not made before, so the answer comes from the grown log.
    let lookup = client
        .lookup("example.com/greet/v2", "v2.0.0")
        .await
        .unwrap();
    assert_eq!(lookup.tree.size, 605);
    assert_eq!(lookup.served_size, 605);
    assert_eq!(
        lookup.lines,
        expected_lines()["example.com/greet/v2@v2.0.0"]
    );
    // The old lookup, from the state directory, is re-verified against the new tree.
    let cached = client.lookup("example.com/hello", "v1.0.0").await.unwrap();
    assert!(cached.cached);
    assert_eq!(cached.tree.size, 605);
    assert_eq!(cached.served_size, 305);
    assert_eq!(
        std::fs::read_to_string(state.path().join("sumdb.fixture.test/latest")).unwrap(),
        recorded("grown", "latest")
    );
    let paths = server.paths();
    assert_eq!(repeated(&paths), Vec::<String>::new());
    // Proving that the old 305-record tree is a prefix needs the tiles of the new
    // tree that hold its subtree roots: the full level-0 tile 001 among them.
    assert!(paths.contains(&"/tile/8/0/001".to_string()), "{paths:?}");
}

#[tokio::test]
async fn a_fork_between_runs_is_a_security_error_with_both_heads() {
    let server = SumdbServer::fixture("honest");
    let state = TempDir::new();
    client(&server, state.path())
        .lookup("example.com/hello", "v1.0.0")
        .await
        .unwrap();
    let saved = std::fs::read(state.path().join("sumdb.fixture.test/latest")).unwrap();
    server.switch("fork");
    let client = client(&server, state.path());
    let err = client
        .lookup("example.com/hello", "v1.1.0")
        .await
        .unwrap_err();
    assert_eq!(err.code, Code::SumdbFork);
    let fork = err.fork.as_deref().unwrap();
    assert_eq!((fork.old.size, fork.new.size), (305, 306));
    assert_eq!(fork.old.note, recorded("honest", "latest"));
    assert_eq!(fork.new.note, recorded("fork", "latest"));
    assert_ne!(fork.computed, fork.old.hash);
    // The proof shows that the new tree's first 305 records hash to `computed`.
    tlog::check_tree(&fork.proof, 306, fork.new.hash, 305, fork.computed).unwrap();
    let indent = |note: &str| note.replace('\n', "\n\t");
    let mut report = format!(
        "SECURITY ERROR\ngo.sum database server misbehavior detected!\n\nold database:\n\t{}\nnew database:\n\t{}\nproof of misbehavior:\n\t{}",
        indent(&fork.old.note),
        indent(&fork.new.note),
        tlog::format_hash(&fork.computed)
    );
    for hash in &fork.proof {
        report.push_str(&format!("\n\t{}", tlog::format_hash(hash)));
    }
    assert_eq!(err.go_text, report);
    assert_eq!(fork.report, report);
    assert_eq!(err.go_error("example.com/hello", "v1.1.0", false), report);
    // The fork sticks: the client refuses everything after it, and the saved head is
    // the old one.
    let again = client
        .lookup("example.com/nogomod", "v1.0.0")
        .await
        .unwrap_err();
    assert_eq!(again.code, Code::SumdbFork);
    assert_eq!(
        std::fs::read(state.path().join("sumdb.fixture.test/latest")).unwrap(),
        saved
    );
}

#[tokio::test]
async fn a_rollback_keeps_the_newer_head_when_the_older_is_a_prefix() {
    let server = SumdbServer::fixture("grown");
    let state = TempDir::new();
    for result in lookup_all(&client(&server, state.path())).await {
        result.unwrap();
    }
    server.switch("honest");
    let client = client(&server, state.path());
    let served = client.latest().await.unwrap();
    assert_eq!(served.size, 305);
    assert_eq!(client.tree().unwrap().size, 605);
    for result in lookup_all(&client).await {
        let lookup = result.unwrap();
        assert_eq!(lookup.tree.size, 605);
    }
    assert_eq!(
        std::fs::read_to_string(state.path().join("sumdb.fixture.test/latest")).unwrap(),
        recorded("grown", "latest")
    );
}

#[tokio::test]
async fn a_rollback_to_another_history_is_a_fork() {
    let server = SumdbServer::fixture("grown");
    let state = TempDir::new();
    for result in lookup_all(&client(&server, state.path())).await {
        result.unwrap();
    }
    server.switch("fork");
    let err = client(&server, state.path()).latest().await.unwrap_err();
    assert_eq!(err.code, Code::SumdbFork);
    let fork = err.fork.unwrap();
    assert_eq!((fork.old.size, fork.new.size), (306, 605));
}

#[tokio::test]
async fn two_heads_of_one_size_are_a_fork_without_any_tile() {
    // Same size, different hash: no tile can reconcile them, so none is fetched.
    let state = TempDir::new();
    let db = state.path().join("sumdb.fixture.test");
    std::fs::create_dir_all(&db).unwrap();
    let signer = Signer::from_private_key(FIXTURE_SKEY).unwrap();
    let mut other = MemoryLog::new();
    for i in 0..305 {
        other.append(format!("example.invalid/other{i} v1.0.0 h1:x\n").as_bytes());
    }
    std::fs::write(db.join("latest"), other.signed_tree(&signer)).unwrap();
    let server = SumdbServer::fixture("honest");
    let err = client(&server, state.path())
        .lookup("example.com/hello", "v1.0.0")
        .await
        .unwrap_err();
    assert_eq!(err.code, Code::SumdbFork);
    let fork = err.fork.unwrap();
    assert_eq!((fork.old.size, fork.new.size), (305, 305));
    assert!(fork.proof.is_empty());
    assert!(
        server.paths().iter().all(|p| !p.starts_with("/tile/")),
        "{:?}",
        server.paths()
    );
}

#[tokio::test]
async fn the_go_commands_latest_is_read_never_written() {
    let go_gopath = TempDir::new();
    let go_latest = go_gopath.path().join("pkg/sumdb/sumdb.fixture.test/latest");
    std::fs::create_dir_all(go_latest.parent().unwrap()).unwrap();
    std::fs::write(&go_latest, recorded("honest", "latest")).unwrap();
    let server = SumdbServer::fixture("grown");
    let state = TempDir::new();
    let options = |go_latest: &Path| ClientOptions {
        spec: parse_gosumdb(&server.gosumdb()).unwrap().unwrap(),
        goproxy: Vec::new(),
        state_dir: state.path().to_path_buf(),
        go_latest: Some(go_latest.to_path_buf()),
        timeout: T,
    };
    // Go saw the honest head; the database grew since: consistent.
    let client = SumdbClient::new(http(), options(&go_latest));
    let lookup = client.lookup("example.com/hello", "v1.0.0").await.unwrap();
    assert_eq!(lookup.tree.size, 605);
    assert_eq!(
        std::fs::read_to_string(&go_latest).unwrap(),
        recorded("honest", "latest")
    );
    assert_eq!(
        std::fs::read_dir(go_latest.parent().unwrap())
            .unwrap()
            .count(),
        1
    );
    // Go saw the honest head; the database now shows another history.
    server.switch("fork");
    let state = TempDir::new();
    let client = SumdbClient::new(
        http(),
        ClientOptions {
            state_dir: state.path().to_path_buf(),
            ..options(&go_latest)
        },
    );
    let err = client
        .lookup("example.com/hello", "v1.0.0")
        .await
        .unwrap_err();
    assert_eq!(err.code, Code::SumdbFork);
    assert_eq!(err.fork.unwrap().old.note, recorded("honest", "latest"));
}

#[tokio::test]
async fn an_unknown_module_is_not_found_with_the_servers_words() {
    let server = SumdbServer::fixture("honest");
    let state = TempDir::new();
    let err = client(&server, state.path())
        .lookup("corp.example/private/thing", "v1.0.0")
        .await
        .unwrap_err();
    assert_eq!(err.code, Code::SumdbNotFound);
    let url = format!("{}/lookup/corp.example/private/thing@v1.0.0", server.url());
    assert_eq!(
        err.go_text,
        format!("reading {url}: 404 Not Found\n\tserver response: file does not exist")
    );
    assert_eq!(
        err.go_error("corp.example/private/thing", "v1.0.0", true),
        format!(
            "go: corp.example/private/thing@v1.0.0: verifying go.mod: corp.example/private/thing@v1.0.0/go.mod: {}",
            err.go_text
        )
    );
}

#[tokio::test]
async fn bad_paths_and_versions_are_refused_before_any_request() {
    let server = SumdbServer::fixture("honest");
    let state = TempDir::new();
    let client = client(&server, state.path());
    let err = client.lookup("Example.com/x", "v1.0.0").await;
    assert!(err.is_err());
    let err = client
        .lookup("example.com/hello", "v1.0.0!")
        .await
        .unwrap_err();
    assert_eq!(err.code, Code::VersionInvalid);
    assert_eq!(server.paths(), Vec::<String>::new());
}

#[tokio::test]
async fn a_proxy_that_supports_the_database_is_used_for_everything() {
    let not_here = Server::http(handler(|_| Response::text(404, "not found")));
    let proxy = SumdbServer::fixture("honest");
    proxy.set_supported(Some(200));
    let state = TempDir::new();
    let goproxy = format!("http://{},{},direct", not_here.host_port(), proxy.url());
    let client = client_for(FIXTURE_VKEY, &goproxy, state.path());
    let base = client.base().await.unwrap();
    assert_eq!(base.via, BaseVia::Proxy(proxy.url()));
    assert_eq!(
        base.url,
        format!("{}/sumdb/sumdb.fixture.test", proxy.url())
    );
    assert_eq!(base.probes.len(), 2);
    assert!(
        base.probes[0].outcome.ends_with(
            "/sumdb/sumdb.fixture.test/supported: 404 Not Found\n\tserver response: not found"
        ),
        "{:?}",
        base.probes
    );
    assert_eq!(base.probes[1].outcome, "200 OK");
    let lookup = client.lookup("example.com/hello", "v1.1.0").await.unwrap();
    assert_eq!(lookup.lines, expected_lines()["example.com/hello@v1.1.0"]);
    let paths = proxy.paths();
    assert_eq!(paths[0], "/sumdb/sumdb.fixture.test/supported");
    assert!(
        paths[1..]
            .iter()
            .all(|p| p.starts_with("/sumdb/sumdb.fixture.test/")),
        "{paths:?}"
    );
    assert_eq!(not_here.lines().len(), 1);
}

#[tokio::test]
async fn the_supported_walk_stops_where_go_stops() {
    let broken = Server::http(handler(|_| Response::text(500, "broken")));
    let proxy = SumdbServer::fixture("honest");
    proxy.set_supported(Some(200));
    let state = TempDir::new();
    // `,`: only "not found" moves on; a 500 makes every lookup fail with it.
    let client = client_for(
        FIXTURE_VKEY,
        &format!("http://{},{}", broken.host_port(), proxy.url()),
        state.path(),
    );
    let err = client.base().await.unwrap_err();
    assert_eq!(err.code, Code::HttpServerError);
    assert!(
        err.go_text
            .ends_with("/supported: 500 Internal Server Error\n\tserver response: broken"),
        "{}",
        err.go_text
    );
    let err = client
        .lookup("example.com/hello", "v1.1.0")
        .await
        .unwrap_err();
    assert_eq!(err.code, Code::HttpServerError);
    assert!(proxy.paths().is_empty());
    // `|`: any error moves on.
    let client = client_for(
        FIXTURE_VKEY,
        &format!("http://{}|{}", broken.host_port(), proxy.url()),
        state.path(),
    );
    assert_eq!(
        client.base().await.unwrap().via,
        BaseVia::Proxy(proxy.url())
    );
    // Every entry "not found", or `direct`/`off` reached: the database itself.
    proxy.set_supported(None);
    for goproxy in [
        proxy.url(),
        format!("{},off", proxy.url()),
        "direct".to_string(),
    ] {
        let client = client_for(FIXTURE_VKEY, &goproxy, state.path());
        let base = client.base().await.unwrap();
        assert_eq!(base.via, BaseVia::Direct, "{goproxy}");
        assert_eq!(base.url, "https://sumdb.fixture.test");
    }
    // An explicit URL in GOSUMDB: no proxy is asked.
    proxy.clear_requests();
    let client = client_for(&proxy.gosumdb(), &proxy.url(), state.path());
    assert_eq!(client.base().await.unwrap().via, BaseVia::Gosumdb);
    assert!(proxy.paths().is_empty());
}

#[tokio::test]
async fn a_genuine_record_of_another_module_is_no_answer() {
    // A proxy answers the lookup of hello v1.0.0 with hello v1.1.0's genuine record:
    // it is in the log, but it says nothing about v1.0.0 (CVE-2026-42501).
    let honest = Scenario::load("honest").unwrap();
    let server = Server::http(handler(move |request: &Request| {
        let path = request.path().trim_start_matches('/');
        let path = if path == "lookup/example.com/hello@v1.0.0" {
            "lookup/example.com/hello@v1.1.0"
        } else {
            path
        };
        match honest.file(path) {
            Some(body) => Response::new(200, body),
            None => Response::text(404, "file does not exist"),
        }
    }));
    let state = TempDir::new();
    let client = client_for(
        &format!("{FIXTURE_VKEY} http://{}", server.host_port()),
        "off",
        state.path(),
    );
    let err = client
        .lookup("example.com/hello", "v1.0.0")
        .await
        .unwrap_err();
    assert_eq!(err.code, Code::SumdbProofFailed);
    assert_eq!(
        err.go_error("example.com/hello", "v1.0.0", false),
        "go: example.com/hello@v1.0.0: verifying module: checksum missing from sumdb response\n\nSECURITY ERROR\nThis download does NOT match one reported by the checksum server.\nThe checksum server has provided checksums, but the checksums do\nnot contain an entry for the download.\nThe checksum server may be malfunctioning, or an attacker may have\nintercepted the checksum request.\nThe download cannot be verified.\n\nFor more information, see 'go help module-auth'.\n"
    );
}

/// A server for a log made here: lookups answer `answers[path]` followed by `head`,
/// tiles come from `log`.
fn memory_server(
    log: MemoryLog,
    head: String,
    answers: HashMap<String, Vec<u8>>,
) -> gomod_testsupport::Running {
    Server::http(handler(move |request: &Request| {
        let path = request.path().trim_start_matches('/');
        if path == "latest" {
            return Response::new(200, head.clone());
        }
        if let Some(answer) = answers.get(path) {
            let mut body = answer.clone();
            body.extend_from_slice(head.as_bytes());
            return Response::new(200, body);
        }
        match Tile::parse_path(path).and_then(|tile| log.tile_data(&tile)) {
            Ok(data) => Response::new(200, data),
            Err(_) => Response::text(404, "file does not exist"),
        }
    }))
}

#[tokio::test]
async fn only_the_records_own_lines_count() {
    // The signed head carries extra lines (ParseTree ignores them) that look like
    // hashes for hello v1.0.0; the record itself is another module's
    // (CVE-2026-56864: x/mod scanned the whole answer).
    let signer = Signer::from_private_key(FIXTURE_SKEY).unwrap();
    let mut log = MemoryLog::new();
    log.append(b"example.com/other v1.0.0 h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n");
    let tree = log.tree();
    let text = format!(
        "{}example.com/hello v1.0.0 h1:8vjt+Tlmv8bcMLNo+Fuqsn0vBYxbmJEL2LtvsxxeBeI=\n",
        tlog::format_tree(&tree)
    );
    let head = signer.sign(&text);
    let mut answers = HashMap::new();
    answers.insert(
        "lookup/example.com/hello@v1.0.0".to_string(),
        tlog::format_record(0, log.record(0).unwrap()).unwrap(),
    );
    let server = memory_server(log, head, answers);
    let state = TempDir::new();
    let client = client_for(
        &format!("{FIXTURE_VKEY} http://{}", server.host_port()),
        "off",
        state.path(),
    );
    let err = client
        .lookup("example.com/hello", "v1.0.0")
        .await
        .unwrap_err();
    assert_eq!(err.code, Code::SumdbProofFailed);
    assert!(
        err.go_text
            .starts_with("checksum missing from sumdb response")
    );
}

#[tokio::test]
async fn a_record_with_one_hash_fails_the_other_check() {
    // A record with only the go.mod line: the go.mod hash verifies, the zip hash has
    // nothing to be checked against and fails.
    let signer = Signer::from_private_key(FIXTURE_SKEY).unwrap();
    let mut log = MemoryLog::new();
    let line = "example.com/hello v1.0.0/go.mod h1:RslnPMa/nR3RpskRbvoDBlr6/b2RhFS0EEnq72RQTo0=";
    log.append(format!("{line}\n").as_bytes());
    let head = log.signed_tree(&signer);
    let mut answers = HashMap::new();
    answers.insert(
        "lookup/example.com/hello@v1.0.0".to_string(),
        tlog::format_record(0, log.record(0).unwrap()).unwrap(),
    );
    let server = memory_server(log, head, answers);
    let state = TempDir::new();
    let client = client_for(
        &format!("{FIXTURE_VKEY} http://{}", server.host_port()),
        "off",
        state.path(),
    );
    let lookup = client.lookup("example.com/hello", "v1.0.0").await.unwrap();
    assert_eq!(lookup.lines, vec![line.to_string()]);
    assert_eq!(lookup.zip_hash, None);
    lookup
        .check(true, "h1:RslnPMa/nR3RpskRbvoDBlr6/b2RhFS0EEnq72RQTo0=")
        .unwrap();
    let err = lookup
        .check(false, "h1:8vjt+Tlmv8bcMLNo+Fuqsn0vBYxbmJEL2LtvsxxeBeI=")
        .unwrap_err();
    assert!(
        err.go_text
            .starts_with("checksum missing from sumdb response\n\nSECURITY ERROR\n")
    );
    // A differing hash is Go's checksum mismatch.
    let err = lookup
        .check(true, "h1:c1YjRJyY4wX1HWm6hT/2feofic3RC1XsTaMgAK0G6wE=")
        .unwrap_err();
    assert_eq!(err.code, Code::SumdbMismatch);
    assert_eq!(
        err.go_error("example.com/hello", "v1.0.0", true),
        "go: example.com/hello@v1.0.0: verifying go.mod: checksum mismatch\n\tdownloaded: h1:c1YjRJyY4wX1HWm6hT/2feofic3RC1XsTaMgAK0G6wE=\n\tsumdb.fixture.test: h1:RslnPMa/nR3RpskRbvoDBlr6/b2RhFS0EEnq72RQTo0=\n\nSECURITY ERROR\nThis download does NOT match the one reported by the checksum server.\nThe bits may have been replaced on the origin server, or an attacker may\nhave intercepted the download attempt.\n\nFor more information, see 'go help module-auth'.\n"
    );
}

#[tokio::test]
async fn data_tiles_confirm_the_record_text_in_both_formats() {
    // The fixture's data tiles are x/mod v0.7.0's (each record after its id line).
    let server = SumdbServer::fixture("honest");
    let state = TempDir::new();
    let client = client(&server, state.path()).confirm_data_tiles(true);
    for result in lookup_all(&client).await {
        result.unwrap();
    }
    let data: Vec<String> = server
        .paths()
        .into_iter()
        .filter(|p| p.contains("/data/"))
        .collect();
    assert_eq!(data, vec!["/tile/8/data/001.p/49"]);
    // sum.golang.org's format (records alone), from a log made here.
    let signer = Signer::from_private_key(FIXTURE_SKEY).unwrap();
    let mut log = MemoryLog::new();
    for i in 0..3 {
        log.append(format!("example.com/m{i} v1.0.0 h1:x\n").as_bytes());
    }
    let head = log.signed_tree(&signer);
    let answers = HashMap::from([(
        "lookup/example.com/m1@v1.0.0".to_string(),
        tlog::format_record(1, log.record(1).unwrap()).unwrap(),
    )]);
    let server = memory_server(log, head, answers);
    let gosumdb = format!("{FIXTURE_VKEY} http://{}", server.host_port());
    let state = TempDir::new();
    let client = client_for(&gosumdb, "off", state.path()).confirm_data_tiles(true);
    client.lookup("example.com/m1", "v1.0.0").await.unwrap();
}

#[tokio::test]
async fn a_data_tile_that_disagrees_is_refused() {
    // Honest lookups and hash tiles, the forked log's data tile.
    let honest = Scenario::load("honest").unwrap();
    let fork = Scenario::load("fork").unwrap();
    let server = Server::http(handler(move |request: &Request| {
        let path = request.path().trim_start_matches('/');
        let source = if path.contains("/data/") {
            &fork
        } else {
            &honest
        };
        match source.file(path) {
            Some(body) => Response::new(200, body),
            None => Response::text(404, "file does not exist"),
        }
    }));
    let state = TempDir::new();
    let client = client_for(
        &format!("{FIXTURE_VKEY} http://{}", server.host_port()),
        "off",
        state.path(),
    )
    .confirm_data_tiles(true);
    let err = client
        .lookup("example.com/hello", "v1.0.0")
        .await
        .unwrap_err();
    assert_eq!(err.code, Code::SumdbProofFailed);
    assert_eq!(
        err.go_text,
        "data tile tile/8/data/001.p/49 disagrees with record 302"
    );
}

#[tokio::test]
async fn fifty_concurrent_lookups_fetch_each_tile_once() {
    let server = SumdbServer::generated(3000, Duration::from_millis(20));
    let state = TempDir::new();
    let client = Arc::new(client(&server, state.path()));
    let ids: Vec<usize> = (0..50).map(|i| (i * 397) % 3000).collect();
    let lookups = ids.iter().map(|&i| {
        let client = Arc::clone(&client);
        tokio::spawn(async move {
            let module = generated_module(i);
            (i, client.lookup(&module, "v1.0.0").await)
        })
    });
    for joined in futures_util::future::join_all(lookups).await {
        let (i, result) = joined.unwrap();
        let lookup = result.unwrap();
        let module = generated_module(i);
        assert_eq!(lookup.record_id, i as i64);
        assert_eq!(lookup.zip_hash.unwrap(), generated_hash(&module, "v1.0.0"));
        assert_eq!(
            lookup.mod_hash.unwrap(),
            generated_hash(&module, "v1.0.0/go.mod")
        );
    }
    let paths = server.paths();
    assert_eq!(repeated(&paths), Vec::<String>::new());
    assert_eq!(
        paths.iter().filter(|p| p.starts_with("/lookup/")).count(),
        50
    );
    assert_eq!(paths.iter().filter(|p| *p == "/latest").count(), 1);
    // A second round on the same client asks nothing new.
    let before = paths.len();
    client
        .lookup(&generated_module(ids[0]), "v1.0.0")
        .await
        .unwrap();
    assert_eq!(server.paths().len(), before);
}

#[tokio::test]
async fn a_database_made_from_a_gosum_answers_with_its_lines() {
    // Lines out of order (go.mod line first for b) and a module with a go.mod line only.
    let gosum = "example.com/a v1.0.0 h1:AAAA=\n\
                 example.com/b v0.2.0/go.mod h1:BBBM=\n\
                 example.com/a v1.0.0/go.mod h1:AAAM=\n\
                 example.com/b v0.2.0 h1:BBBB=\n\
                 example.com/c v0.0.1/go.mod h1:CCCM=\n";
    let server = SumdbServer::from_gosum(gosum, Duration::ZERO);
    assert_eq!(server.tree_size(), 3);
    let state = TempDir::new();
    let client = client(&server, state.path());
    let a = client.lookup("example.com/a", "v1.0.0").await.unwrap();
    assert_eq!((a.record_id, a.zip_hash.as_deref()), (0, Some("h1:AAAA=")));
    assert_eq!(a.mod_hash.as_deref(), Some("h1:AAAM="));
    let b = client.lookup("example.com/b", "v0.2.0").await.unwrap();
    assert_eq!((b.record_id, b.zip_hash.as_deref()), (1, Some("h1:BBBB=")));
    let c = client.lookup("example.com/c", "v0.0.1").await.unwrap();
    assert_eq!(
        (c.zip_hash, c.mod_hash.as_deref()),
        (None, Some("h1:CCCM="))
    );
    assert!(client.lookup("example.com/d", "v1.0.0").await.is_err());
}

/// A server answering lookups and `/latest` with `answer`, tiles with `tile`, or with
/// the honest scenario's files where these give None.
fn hostile_server(
    answer: impl Fn(&str) -> Option<Vec<u8>> + Send + Sync + 'static,
    tile: impl Fn(&str) -> Option<Vec<u8>> + Send + Sync + 'static,
) -> gomod_testsupport::Running {
    let honest = Scenario::load("honest").unwrap();
    Server::http(handler(move |request: &Request| {
        let path = request.path().trim_start_matches('/');
        let hostile = if path.starts_with("tile/") {
            tile(path)
        } else {
            answer(path)
        };
        match hostile.or_else(|| honest.file(path)) {
            Some(body) => Response::new(200, body),
            None => Response::text(404, "file does not exist"),
        }
    }))
}

#[tokio::test]
async fn hostile_answers_are_errors_not_panics() {
    let honest = Scenario::load("honest").unwrap();
    let lookup = honest.file("lookup/example.com/hello@v1.0.0").unwrap();
    let answers: Vec<Vec<u8>> = vec![
        Vec::new(),
        b"\n\n\n".to_vec(),
        b"-1\nexample.com/hello v1.0.0 h1:x\n\n".to_vec(),
        b"+302\nexample.com/hello v1.0.0 h1:x\n\n".to_vec(),
        b"99999999999999999999\nx\n\n".to_vec(),
        vec![0xff; 300],
        b"302\nexample.com/hello v1.0.0 h1:x\n\ngo.sum database tree\n302\n\n\xe2\x80\x94 sumdb.fixture.test AAAA\n".to_vec(),
        lookup.repeat(3),
        // The honest answer with the record id of another record, and past the tree.
        [b"301".as_slice(), &lookup[3..]].concat(),
        [b"305".as_slice(), &lookup[3..]].concat(),
        [b"9223372036854775807".as_slice(), &lookup[3..]].concat(),
    ];
    for (case, answer) in answers.into_iter().enumerate() {
        let server = hostile_server(move |_| Some(answer.clone()), |_| None);
        let state = TempDir::new();
        let gosumdb = format!("{FIXTURE_VKEY} http://{}", server.host_port());
        let err = client_for(&gosumdb, "off", state.path())
            .lookup("example.com/hello", "v1.0.0")
            .await
            .expect_err(&format!("answer {case}"));
        assert!(
            matches!(err.code, Code::SumdbBadSignature | Code::SumdbProofFailed),
            "answer {case}: {err:?}"
        );
    }
    let tiles: Vec<Vec<u8>> = vec![
        Vec::new(),
        vec![7; 31],
        vec![1; 49 * 32],
        vec![1; 9000],
        b"<html>proxy login</html>".to_vec(),
    ];
    for (case, tile) in tiles.into_iter().enumerate() {
        let server = hostile_server(|_| None, move |_| Some(tile.clone()));
        let state = TempDir::new();
        let gosumdb = format!("{FIXTURE_VKEY} http://{}", server.host_port());
        let err = client_for(&gosumdb, "off", state.path())
            .lookup("example.com/hello", "v1.0.0")
            .await
            .expect_err(&format!("tile {case}"));
        assert!(
            matches!(
                err.code,
                Code::SumdbProofFailed | Code::HttpInvalidResponse | Code::LimitExceeded
            ),
            "tile {case}: {err:?}"
        );
        // Nothing unauthenticated was kept.
        assert!(
            !state.path().join("sumdb.fixture.test/tile").exists(),
            "tile {case}"
        );
    }
}

/// The project's Go checksum database (x/mod's server, see [`GoSumdb`]), when go1.27+
/// and x/mod are here; None (skip) otherwise unless GOMOD_REQUIRE_GO is set.
fn go_sumdb() -> Option<&'static GoSumdb> {
    GoSumdb::get(Path::new(env!("CARGO_TARGET_TMPDIR")))
}

/// A scenario's recorded server flags as arguments: a word that does not start with
/// `-` belongs to the flag before it (`-seed gomod-sumverify wrong key`).
fn flag_args(flags: &str) -> Vec<String> {
    let mut args: Vec<String> = Vec::new();
    let mut value: Option<String> = None;
    for word in flags.split_whitespace() {
        if word.starts_with('-') {
            args.extend(value.take());
            args.push(word.to_string());
        } else {
            value = Some(match value.take() {
                Some(before) => format!("{before} {word}"),
                None => word.to_string(),
            });
        }
    }
    args.extend(value);
    args
}

#[tokio::test]
async fn the_go_fixture_server_and_the_client_agree() {
    let Some(go) = go_sumdb() else {
        return;
    };
    let work = TempDir::new();
    let records = std::fs::read_to_string(fixtures_dir().join("records.gosum")).unwrap();
    let server = go.start(work.path(), &records, &["-filler-before", "300"]);
    assert!(
        server.gosumdb.starts_with(FIXTURE_VKEY),
        "{}",
        server.gosumdb
    );
    let state = TempDir::new();
    let client = client_for(&server.gosumdb, "off", state.path()).confirm_data_tiles(true);
    let expected = expected_lines();
    for (module, version) in MODULES {
        let lookup = client.lookup(module, version).await.unwrap();
        assert_eq!(lookup.lines, expected[&format!("{module}@{version}")]);
        assert_eq!(lookup.tree.size, 305);
    }
    // The state directory holds what the recorded honest scenario holds.
    assert_eq!(
        std::fs::read_to_string(state.path().join("sumdb.fixture.test/latest")).unwrap(),
        recorded("honest", "latest")
    );
    let err = client
        .lookup("example.com/missing", "v1.0.0")
        .await
        .unwrap_err();
    assert_eq!(err.code, Code::SumdbNotFound);
}

/// The recordings in tests/fixtures/sumdb are what the Go server serves, byte for byte,
/// in every scenario; and records.gosum is what mkproxy makes of the module sources.
#[test]
fn the_recordings_are_what_the_go_server_serves() {
    let Some(go) = go_sumdb() else {
        return;
    };
    let records = std::fs::read_to_string(fixtures_dir().join("records.gosum")).unwrap();
    assert_eq!(go.good, records, "mkproxy's go.sum lines");
    let names = Scenario::names().unwrap();
    assert_eq!(names.len(), 8, "{names:?}");
    for name in names {
        let scenario = Scenario::load(&name).unwrap();
        let work = TempDir::new();
        let args = flag_args(&scenario.flags);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let server = go.start(work.path(), &records, &args);
        assert_eq!(server.tree_size, scenario.tree_size, "{name}");
        assert_eq!(
            server.gosumdb.split(' ').next(),
            Some(scenario.vkey.as_str()),
            "{name}"
        );
        let paths = scenario.paths().unwrap();
        assert!(paths.len() >= 5, "{name}: {paths:?}");
        for path in paths {
            // Escaped as on the wire already: `lookup/example.com/!upper/thing@v0.1.0`.
            let (status, body) = server.get(&path);
            assert_eq!(status, 200, "{name}: {path}");
            assert!(
                body == scenario.file(&path).unwrap(),
                "{name}: {path} differs from the recording"
            );
        }
        // What is not recorded is not there.
        let (status, _) = server.get("lookup/example.com/missing@v1.0.0");
        assert_eq!(status, 404, "{name}");
    }
}

#[tokio::test]
async fn max_requests_bounds_the_requests_in_flight() {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    let signer = Signer::from_private_key(FIXTURE_SKEY).unwrap();
    let mut log = MemoryLog::new();
    for i in 0..8 {
        log.append(format!("example.com/m{i} v1.0.0 h1:x\n").as_bytes());
    }
    let head = log.signed_tree(&signer);
    let answers: HashMap<String, Vec<u8>> = (0..8)
        .map(|i| {
            let answer = tlog::format_record(i, log.record(i).unwrap()).unwrap();
            (format!("lookup/example.com/m{i}@v1.0.0"), answer)
        })
        .collect();
    let in_flight = Arc::new(AtomicUsize::new(0));
    let most = Arc::new(AtomicUsize::new(0));
    let unlimited = Arc::new(AtomicBool::new(true));
    let (now, peak, wait) = (
        Arc::clone(&in_flight),
        Arc::clone(&most),
        Arc::clone(&unlimited),
    );
    // The server answers two requests at a time (its runtime has two threads) and notes
    // how many it saw at once. Without a limit, a lookup waits until a second request is
    // in flight (the client sends all eight lookups together), however long the client
    // takes to send it on a loaded machine; with a limit, each answer takes 30 ms, time
    // for a client that ignored the limit to send another.
    let server = Server::http(handler(move |request: &Request| {
        let current = now.fetch_add(1, Ordering::SeqCst) + 1;
        peak.fetch_max(current, Ordering::SeqCst);
        let path = request.path().trim_start_matches('/');
        if wait.load(Ordering::SeqCst) && path.starts_with("lookup/") {
            let deadline = std::time::Instant::now() + Duration::from_secs(5);
            while peak.load(Ordering::SeqCst) < 2 && std::time::Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(1));
            }
        } else {
            std::thread::sleep(Duration::from_millis(30));
        }
        now.fetch_sub(1, Ordering::SeqCst);
        let body = match answers.get(path) {
            Some(answer) => [answer.as_slice(), head.as_bytes()].concat(),
            None if path == "latest" => head.clone().into_bytes(),
            None => match Tile::parse_path(path).and_then(|tile| log.tile_data(&tile)) {
                Ok(data) => data,
                Err(_) => return Response::text(404, "file does not exist"),
            },
        };
        Response::new(200, body)
    }));
    let gosumdb = format!("{FIXTURE_VKEY} http://{}", server.host_port());
    for (limit, expected) in [(None, 2), (Some(1), 1)] {
        most.store(0, Ordering::SeqCst);
        unlimited.store(limit.is_none(), Ordering::SeqCst);
        let state = TempDir::new();
        let mut client = client_for(&gosumdb, "off", state.path());
        if let Some(limit) = limit {
            client = client.max_requests(limit);
        }
        let client = Arc::new(client);
        let lookups = (0..8).map(|i| {
            let client = Arc::clone(&client);
            async move { client.lookup(&format!("example.com/m{i}"), "v1.0.0").await }
        });
        for result in futures_util::future::join_all(lookups).await {
            result.unwrap();
        }
        assert_eq!(most.load(Ordering::SeqCst), expected, "limit {limit:?}");
    }
}

#[tokio::test]
async fn a_state_directory_that_cannot_be_written_is_a_warning() {
    let server = SumdbServer::fixture("honest");
    let state = TempDir::new();
    // Files where the tile and lookup directories should be: nothing can be saved
    // there (tests run as root, so permissions would not stop the writes).
    let db = state.path().join("sumdb.fixture.test");
    std::fs::create_dir_all(&db).unwrap();
    std::fs::write(db.join("tile"), "not a directory").unwrap();
    std::fs::write(db.join("lookup"), "not a directory").unwrap();
    let client = client(&server, state.path());
    for result in lookup_all(&client).await {
        result.unwrap();
    }
    let warnings = client.take_warnings();
    assert!(
        warnings
            .iter()
            .any(|(c, w)| *c == Code::StateUnwritable && w.starts_with("cannot cache tile ")),
        "{warnings:?}"
    );
    assert!(
        warnings
            .iter()
            .any(|(c, w)| *c == Code::StateUnwritable && w.starts_with("cannot cache lookup ")),
        "{warnings:?}"
    );
    // The head was saved; an unreadable head fails every lookup, as it fails the go
    // command.
    assert!(db.join("latest").is_file());
    std::fs::remove_file(db.join("latest")).unwrap();
    std::fs::create_dir(db.join("latest")).unwrap();
    let err = client_for(&server.gosumdb(), "off", state.path())
        .lookup("example.com/hello", "v1.0.0")
        .await
        .unwrap_err();
    assert_eq!(err.code, Code::FileUnreadable);
    assert_eq!(
        err.go_text,
        format!(
            "initializing sumdb.Client: read {}: is a directory",
            db.join("latest").display()
        )
    );
}

#[tokio::test]
async fn a_partial_tile_can_come_from_the_full_one() {
    // A server that no longer has the partial tile but has the full one (the log grew):
    // x/mod's readTile asks for the full tile and keeps its first hashes.
    let grown = Scenario::load("grown").unwrap();
    let server = hostile_server(
        |_| None,
        move |path| match path {
            "tile/8/0/001.p/49" => Some(b"gone".to_vec()),
            "tile/8/0/001" => grown.file(path),
            _ => None,
        },
    );
    let state = TempDir::new();
    let gosumdb = format!("{FIXTURE_VKEY} http://{}", server.host_port());
    // "gone" is 4 bytes, not 49 hashes: the exact tile is refused, the full one used.
    let err = client_for(&gosumdb, "off", state.path())
        .lookup("example.com/hello", "v1.0.0")
        .await;
    assert!(err.is_err(), "a wrong-length exact tile is not replaced");
    let gone = Server::http(handler({
        let honest = Scenario::load("honest").unwrap();
        let grown = Scenario::load("grown").unwrap();
        move |request: &Request| {
            let path = request.path().trim_start_matches('/');
            let body = match path {
                "tile/8/0/001.p/49" => None,
                "tile/8/0/001" => grown.file(path),
                _ => honest.file(path),
            };
            match body {
                Some(body) => Response::new(200, body),
                None => Response::text(404, "file does not exist"),
            }
        }
    }));
    let state = TempDir::new();
    let gosumdb = format!("{FIXTURE_VKEY} http://{}", gone.host_port());
    let lookup = client_for(&gosumdb, "off", state.path())
        .lookup("example.com/hello", "v1.0.0")
        .await
        .unwrap();
    assert_eq!(lookup.tree.size, 305);
    let lines = gone.lines();
    assert!(lines.iter().any(|l| l.ends_with("/tile/8/0/001.p/49")));
    assert!(lines.iter().any(|l| l.ends_with("/tile/8/0/001")));
    // What is saved is the authenticated partial tile.
    assert_eq!(
        std::fs::read(state.path().join("sumdb.fixture.test/tile/8/0/001.p/49")).unwrap(),
        Scenario::load("honest")
            .unwrap()
            .file("tile/8/0/001.p/49")
            .unwrap()
    );
}

#[tokio::test]
async fn a_full_tile_in_the_state_directory_serves_its_partial_ones() {
    let state = TempDir::new();
    let tile = state.path().join("sumdb.fixture.test/tile/8/0/001");
    std::fs::create_dir_all(tile.parent().unwrap()).unwrap();
    std::fs::write(
        &tile,
        Scenario::load("grown")
            .unwrap()
            .file("tile/8/0/001")
            .unwrap(),
    )
    .unwrap();
    let server = SumdbServer::fixture("honest");
    let client = client(&server, state.path()).check_latest(false);
    client.lookup("example.com/hello", "v1.0.0").await.unwrap();
    assert_eq!(
        server.paths(),
        vec![
            "/lookup/example.com/hello@v1.0.0".to_string(),
            "/tile/8/1/000.p/1".to_string()
        ]
    );
}
