//! The mock GOPROXY and the module zips, held to what they promise: the protocol's
//! endpoints and bodies, case escaping, every fault, the request log, the file://
//! layout, the benchmark server, the zips and their hashes (against Go's own values in
//! tests/fixtures/vectors/hash1.json), and — where go1.27+ is installed — the go command
//! downloading from the mock.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use base64::Engine;
use gomod_testsupport::go::newest_go;
use gomod_testsupport::goproxy::{
    Fault, GoProxy, TAGGED_TIME, bench_module_path, refused_port, write_bench,
};
use gomod_testsupport::modzip::{
    BOMB_DECLARED_SIZE, h1, mod_h1, module_zip, raw_zip, zip_bomb, zip_h1,
};
use gomod_testsupport::{Log, Response, Server, TestCa, handler};

const GO_MOD_A: &[u8] = b"module example.com/a\n\ngo 1.21\n";
const A_GO: &[u8] = b"package a\n\nconst A = 1\n";

/// example.com/a at three tagged versions and a pseudo-version, and
/// example.com/Upper/thing at a pre-release without a go.mod.
fn proxy() -> GoProxy {
    let a: &[(&str, &[u8])] = &[("go.mod", GO_MOD_A), ("a.go", A_GO)];
    GoProxy::new()
        .module("example.com/a", "v1.1.0", a)
        .module("example.com/a", "v1.0.0", a)
        .module("example.com/a", "v1.2.0-pre", a)
        .module("example.com/a", "v0.0.0-20230405060708-0123456789ab", a)
        .module(
            "example.com/Upper/thing",
            "v1.0.0-RC1",
            &[("thing.go", b"package thing\n")],
        )
}

/// An HTTP answer as a client reads it.
#[derive(Debug)]
struct Answer {
    status: u16,
    reason: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

fn connect(addr: SocketAddr) -> TcpStream {
    let stream = TcpStream::connect(addr).expect("connect to the mock");
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    stream
}

fn send(stream: &mut TcpStream, target: &str, extra: &str) {
    write!(stream, "GET {target} HTTP/1.1\r\nHost: mock\r\n{extra}\r\n").unwrap();
}

/// Reads one answer: its head, then a body delimited by Content-Length, chunks, or the
/// end of the stream.
fn read_answer(reader: &mut impl BufRead) -> std::io::Result<Answer> {
    let mut status_line = String::new();
    reader.read_line(&mut status_line)?;
    let mut parts = status_line.trim_end().splitn(3, ' ');
    let _ = parts.next();
    let status = parts
        .next()
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("status line {status_line:?}")))?;
    let reason = parts.next().unwrap_or("").to_string();
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line)?;
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let (name, value) = line.split_once(':').unwrap();
        headers.push((name.to_string(), value.trim().to_string()));
    }
    let mut answer = Answer {
        status,
        reason,
        headers,
        body: Vec::new(),
    };
    if let Some(length) = answer.header("Content-Length") {
        let length: u64 = length.parse().unwrap();
        reader.take(length).read_to_end(&mut answer.body)?;
    } else if answer.header("Transfer-Encoding") == Some("chunked") {
        loop {
            let mut size = String::new();
            reader.read_line(&mut size)?;
            let size = u64::from_str_radix(size.trim(), 16).unwrap();
            reader.take(size).read_to_end(&mut answer.body)?;
            let mut crlf = String::new();
            reader.read_line(&mut crlf)?;
            if size == 0 {
                break;
            }
        }
    } else {
        reader.read_to_end(&mut answer.body)?;
    }
    Ok(answer)
}

/// One GET on a connection of its own.
fn get(addr: SocketAddr, target: &str) -> Answer {
    get_with(addr, target, "")
}

fn get_with(addr: SocketAddr, target: &str, extra_headers: &str) -> Answer {
    let mut stream = connect(addr);
    send(&mut stream, target, extra_headers);
    read_answer(&mut BufReader::new(stream)).expect("an answer")
}

#[test]
fn endpoints_answer_as_a_go_proxy() {
    let source = proxy();
    let mock = source.clone().start();

    let list = get(mock.addr, "/example.com/a/@v/list");
    assert_eq!(list.status, 200);
    assert_eq!(list.text(), "v1.0.0\nv1.1.0\nv1.2.0-pre\n");

    let info = get(mock.addr, "/example.com/a/@v/v1.1.0.info");
    assert_eq!(info.status, 200);
    assert_eq!(info.header("Content-Type"), Some("application/json"));
    assert_eq!(
        info.text(),
        format!("{{\"Version\":\"v1.1.0\",\"Time\":\"{TAGGED_TIME}\"}}")
    );
    let pseudo = get(
        mock.addr,
        "/example.com/a/@v/v0.0.0-20230405060708-0123456789ab.info",
    );
    assert_eq!(
        pseudo.text(),
        "{\"Version\":\"v0.0.0-20230405060708-0123456789ab\",\"Time\":\"2023-04-05T06:07:08Z\"}"
    );

    let latest = get(mock.addr, "/example.com/a/@latest");
    assert_eq!(latest.status, 200);
    assert_eq!(latest.text(), info.text());

    let go_mod = get(mock.addr, "/example.com/a/@v/v1.0.0.mod");
    assert_eq!(go_mod.body, GO_MOD_A);
    // Without a go.mod in the files, Go's synthesised one.
    let synthesised = get(
        mock.addr,
        "/example.com/%21upper/thing/@v/v1.0.0-%21r%21c1.mod",
    );
    assert_eq!(synthesised.text(), "module example.com/Upper/thing\n");

    let zip = get(mock.addr, "/example.com/a/@v/v1.0.0.zip");
    assert_eq!(zip.status, 200);
    assert_eq!(zip.header("Content-Type"), Some("application/zip"));
    let expected = module_zip(
        "example.com/a",
        "v1.0.0",
        &[("go.mod", GO_MOD_A), ("a.go", A_GO)],
    );
    assert_eq!(zip.body, expected);
    assert_eq!(source.zip("example.com/a", "v1.0.0"), Some(&expected[..]));

    for missing in [
        "/example.com/a/@v/v9.9.9.info",
        "/example.com/a/@v/v1.0.0.txt",
        "/example.com/b/@v/list",
        "/example.com/b/@latest",
        "/",
        "/sumdb/sum.golang.org/supported",
    ] {
        let answer = get(mock.addr, missing);
        assert_eq!(answer.status, 404, "{missing}");
        assert_eq!(answer.reason, "Not Found");
        assert_eq!(
            answer.header("Content-Type"),
            Some("text/plain; charset=utf-8")
        );
        assert_eq!(answer.text(), format!("Not Found: {missing}\n"));
    }

    let mut stream = connect(mock.addr);
    write!(
        stream,
        "POST /example.com/a/@v/list HTTP/1.1\r\nHost: m\r\nContent-Length: 3\r\n\r\nabc"
    )
    .unwrap();
    let answer = read_answer(&mut BufReader::new(stream)).unwrap();
    assert_eq!(answer.status, 405);
    assert_eq!(answer.header("Allow"), Some("GET"));
}

#[test]
fn latest_without_releases_is_the_highest_prerelease_then_pseudo_version() {
    let files: &[(&str, &[u8])] = &[];
    let mock = GoProxy::new()
        .module("example.com/p", "v0.0.0-20240101000000-aaaaaaaaaaaa", files)
        .module("example.com/p", "v1.0.0-beta.2", files)
        .module("example.com/p", "v1.0.0-beta.10", files)
        .module("example.com/q", "v0.0.0-20240101000000-aaaaaaaaaaaa", files)
        .module("example.com/q", "v0.0.0-20250101000000-bbbbbbbbbbbb", files)
        .start();
    let latest = get(mock.addr, "/example.com/p/@latest").text();
    assert!(
        latest.contains("\"Version\":\"v1.0.0-beta.10\""),
        "{latest}"
    );
    let latest = get(mock.addr, "/example.com/q/@latest").text();
    assert!(
        latest.contains("\"Version\":\"v0.0.0-20250101000000-bbbbbbbbbbbb\""),
        "{latest}"
    );
    // Pseudo-versions are not listed.
    assert_eq!(get(mock.addr, "/example.com/q/@v/list").text(), "");
    assert_eq!(
        get(mock.addr, "/example.com/p/@v/list").text(),
        "v1.0.0-beta.2\nv1.0.0-beta.10\n"
    );
}

#[test]
fn paths_are_case_escaped_and_percent_decoded() {
    let mock = proxy().start();
    for target in [
        "/example.com/%21upper/thing/@v/list",
        "/example.com/!upper/thing/@v/list",
    ] {
        let list = get(mock.addr, target);
        assert_eq!(list.status, 200, "{target}");
        assert_eq!(list.text(), "v1.0.0-RC1\n");
    }
    let info = get(
        mock.addr,
        "/example.com/%21upper/thing/@v/v1.0.0-%21r%21c1.info",
    );
    assert_eq!(
        info.text(),
        format!("{{\"Version\":\"v1.0.0-RC1\",\"Time\":\"{TAGGED_TIME}\"}}")
    );
    // Unescaped upper case is not a path the go command would ask for.
    assert_eq!(
        get(mock.addr, "/example.com/Upper/thing/@v/list").status,
        404
    );
    assert_eq!(
        get(mock.addr, "/example.com/!upper/thing/@v/v1.0.0-RC1.info").status,
        404
    );
    // A malformed escape is a bad request.
    assert_eq!(get(mock.addr, "/example.com/%zz/@v/list").status, 400);
    // The zip names the unescaped path.
    let zip = get(
        mock.addr,
        "/example.com/%21upper/thing/@v/v1.0.0-%21r%21c1.zip",
    );
    let names = zip_names(&zip.body);
    assert_eq!(names, ["example.com/Upper/thing@v1.0.0-RC1/thing.go"]);
    assert_eq!(
        mock.targets(),
        [
            "/example.com/%21upper/thing/@v/list",
            "/example.com/!upper/thing/@v/list",
            "/example.com/%21upper/thing/@v/v1.0.0-%21r%21c1.info",
            "/example.com/Upper/thing/@v/list",
            "/example.com/!upper/thing/@v/v1.0.0-RC1.info",
            "/example.com/%zz/@v/list",
            "/example.com/%21upper/thing/@v/v1.0.0-%21r%21c1.zip",
        ]
    );
}

#[test]
fn status_faults_answer_with_text() {
    let ansi = "\u{1b}[31mred\u{1b}[0m\nsecond line\n";
    let mock = proxy()
        .fault("example.com/a/@v/list", Fault::Status(503))
        .fault(
            "/example.com/a/@v/v1.0.0.info",
            Fault::StatusBody(404, ansi.to_string()),
        )
        .fault(
            "example.com/a/@latest",
            Fault::Reply {
                status: 429,
                headers: vec![("Retry-After".into(), "7".into())],
                body: b"slow down".to_vec(),
            },
        )
        .fault("example.com/%21upper/thing/@v/list", Fault::Status(410))
        .fault("example.com/a/@v/v1.1.0.info", Fault::Status(599))
        .start();
    let answer = get(mock.addr, "/example.com/a/@v/list");
    assert_eq!(
        (answer.status, answer.reason.as_str()),
        (503, "Service Unavailable")
    );
    assert_eq!(
        answer.header("Content-Type"),
        Some("text/plain; charset=utf-8")
    );
    assert_eq!(
        answer.text(),
        "Service Unavailable: /example.com/a/@v/list\n"
    );

    let answer = get(mock.addr, "/example.com/a/@v/v1.0.0.info");
    assert_eq!(answer.status, 404);
    assert_eq!(answer.text(), ansi);

    let answer = get(mock.addr, "/example.com/a/@latest");
    assert_eq!(
        (answer.status, answer.reason.as_str()),
        (429, "Too Many Requests")
    );
    assert_eq!(answer.header("Retry-After"), Some("7"));
    assert_eq!(answer.header("Content-Type"), None);
    assert_eq!(answer.text(), "slow down");

    let answer = get(mock.addr, "/example.com/%21upper/thing/@v/list");
    assert_eq!(answer.status, 410);
    assert_eq!(answer.text(), "Gone: /example.com/%21upper/thing/@v/list\n");

    let answer = get(mock.addr, "/example.com/a/@v/v1.1.0.info");
    assert_eq!(
        (answer.status, answer.reason.as_str()),
        (599, "status code 599")
    );

    // Other endpoints are untouched.
    assert_eq!(
        get(mock.addr, "/example.com/a/@v/v1.2.0-pre.info").status,
        200
    );
}

#[test]
fn sequences_count_per_path_then_answer_normally() {
    let mock = proxy()
        .fault(
            "example.com/a/*",
            Fault::Sequence(vec![
                Fault::Status(500),
                Fault::Reset,
                Fault::Normal,
                Fault::Status(502),
            ]),
        )
        .start();
    let list = "/example.com/a/@v/list";
    assert_eq!(get(mock.addr, list).status, 500);
    let mut stream = connect(mock.addr);
    send(&mut stream, list, "");
    assert!(read_answer(&mut BufReader::new(stream)).is_err());
    assert_eq!(get(mock.addr, list).text(), "v1.0.0\nv1.1.0\nv1.2.0-pre\n");
    assert_eq!(get(mock.addr, list).status, 502);
    assert_eq!(get(mock.addr, list).status, 200);
    assert_eq!(get(mock.addr, list).status, 200);
    // Another path under the pattern has a sequence of its own.
    assert_eq!(get(mock.addr, "/example.com/a/@latest").status, 500);
    assert_eq!(get(mock.addr, "/example.com/a/@v/v1.0.0.mod").status, 500);
    let mut stream = connect(mock.addr);
    send(&mut stream, "/example.com/a/@latest", "");
    assert!(read_answer(&mut BufReader::new(stream)).is_err());
}

#[test]
fn reset_close_and_raw_end_the_connection_as_documented() {
    let mock = proxy()
        .fault("example.com/a/@v/list", Fault::Reset)
        .fault("example.com/a/@latest", Fault::Close)
        .fault(
            "example.com/a/@v/v1.0.0.mod",
            Fault::Raw(b"SSH-2.0-OpenSSH_9.0\r\n".to_vec()),
        )
        .start();

    let mut stream = connect(mock.addr);
    send(&mut stream, "/example.com/a/@v/list", "");
    let mut buf = Vec::new();
    let err = stream.read_to_end(&mut buf).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::ConnectionReset, "{err:?}");
    assert!(buf.is_empty());

    let mut stream = connect(mock.addr);
    send(&mut stream, "/example.com/a/@latest", "");
    let mut buf = Vec::new();
    assert_eq!(stream.read_to_end(&mut buf).unwrap(), 0);

    let mut stream = connect(mock.addr);
    send(&mut stream, "/example.com/a/@v/v1.0.0.mod", "");
    let mut buf = Vec::new();
    stream.read_to_end(&mut buf).unwrap();
    assert_eq!(buf, b"SSH-2.0-OpenSSH_9.0\r\n");

    // Each request was read and logged before the connection ended.
    assert_eq!(
        mock.targets(),
        [
            "/example.com/a/@v/list",
            "/example.com/a/@latest",
            "/example.com/a/@v/v1.0.0.mod"
        ]
    );
}

#[test]
fn hang_holds_the_connection_until_the_server_is_dropped() {
    let mock = proxy().fault("example.com/a/@latest", Fault::Hang).start();
    let mut stream = connect(mock.addr);
    send(&mut stream, "/example.com/a/@latest", "");
    stream
        .set_read_timeout(Some(Duration::from_millis(300)))
        .unwrap();
    let mut byte = [0u8; 1];
    let err = stream.read(&mut byte).unwrap_err();
    assert!(
        matches!(
            err.kind(),
            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
        ),
        "{err:?}"
    );
    assert_eq!(mock.targets(), ["/example.com/a/@latest"]);
    drop(mock);
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    assert!(matches!(stream.read(&mut byte), Ok(0) | Err(_)));
}

#[test]
fn slow_drip_trickles_the_normal_body() {
    let mock = proxy()
        .fault(
            "example.com/a/@v/v1.0.0.mod",
            Fault::SlowDrip { bytes_per_sec: 40 },
        )
        .fault(
            "example.com/a/@v/v1.1.0.mod",
            Fault::SlowDrip { bytes_per_sec: 0 },
        )
        .start();
    let started = Instant::now();
    let answer = get(mock.addr, "/example.com/a/@v/v1.0.0.mod");
    let elapsed = started.elapsed();
    assert_eq!(answer.status, 200);
    assert_eq!(answer.body, GO_MOD_A);
    // 30 bytes at 40 bytes a second, 4 bytes every 100 ms: 8 pauses at least.
    assert!(elapsed >= Duration::from_millis(700), "{elapsed:?}");

    // Rate 0: the head, then nothing.
    let mut stream = connect(mock.addr);
    send(&mut stream, "/example.com/a/@v/v1.1.0.mod", "");
    // The head comes however loaded the machine is; then, nothing for half a second.
    let socket = stream.try_clone().unwrap();
    socket
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut reader = BufReader::new(stream);
    let mut head = String::new();
    while !head.ends_with("\r\n\r\n") {
        reader.read_line(&mut head).unwrap();
    }
    assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");
    assert!(
        head.contains(&format!("Content-Length: {}\r\n", GO_MOD_A.len())),
        "{head}"
    );
    socket
        .set_read_timeout(Some(Duration::from_millis(500)))
        .unwrap();
    let mut byte = [0u8; 1];
    assert!(reader.read(&mut byte).is_err());
}

#[test]
fn truncate_announces_the_full_length_and_closes_early() {
    let mock = proxy()
        .fault("example.com/a/@v/v1.0.0.zip", Fault::Truncate { after: 10 })
        .start();
    let full = mock_zip_len();
    let mut stream = connect(mock.addr);
    send(&mut stream, "/example.com/a/@v/v1.0.0.zip", "");
    let mut all = Vec::new();
    stream.read_to_end(&mut all).unwrap();
    let text = String::from_utf8_lossy(&all);
    let (head, _) = text.split_once("\r\n\r\n").unwrap();
    assert!(
        head.contains(&format!("Content-Length: {full}\r\n")),
        "{head}"
    );
    assert!(
        format!("{head}\r\n").contains("Connection: close\r\n"),
        "{head}"
    );
    let body = &all[head.len() + 4..];
    let zip = module_zip(
        "example.com/a",
        "v1.0.0",
        &[("go.mod", GO_MOD_A), ("a.go", A_GO)],
    );
    assert_eq!(body, &zip[..10]);
}

fn mock_zip_len() -> usize {
    module_zip(
        "example.com/a",
        "v1.0.0",
        &[("go.mod", GO_MOD_A), ("a.go", A_GO)],
    )
    .len()
}

#[test]
fn body_and_redirect_faults() {
    let log = Log::default();
    let second = proxy().logged(log.clone()).start();
    let first = GoProxy::new()
        .logged(log.clone())
        .fault(
            "example.com/a/@v/v1.0.0.zip",
            Fault::Body(b"not a zip".to_vec()),
        )
        .fault(
            "example.com/a/*",
            Fault::Redirect(307, format!("{}/example.com/a/@v/list", second.url())),
        )
        .start();
    let answer = get(first.addr, "/example.com/a/@v/v1.0.0.zip");
    assert_eq!(answer.status, 200);
    assert_eq!(answer.header("Content-Type"), Some("application/zip"));
    assert_eq!(answer.body, b"not a zip");

    let answer = get(first.addr, "/example.com/a/@v/list");
    assert_eq!(
        (answer.status, answer.reason.as_str()),
        (307, "Temporary Redirect")
    );
    let location = answer.header("Location").unwrap().to_string();
    assert_eq!(
        location,
        format!("http://{}/example.com/a/@v/list", second.addr)
    );
    assert!(answer.body.is_empty());
    let target = location
        .strip_prefix(&format!("http://{}", second.addr))
        .unwrap();
    assert_eq!(
        get(second.addr, target).text(),
        "v1.0.0\nv1.1.0\nv1.2.0-pre\n"
    );

    // The shared log keeps the order across both servers; each server's own log
    // holds its requests only.
    let order: Vec<String> = log
        .lock()
        .unwrap()
        .iter()
        .map(|r| r.target.clone())
        .collect();
    assert_eq!(
        order,
        [
            "/example.com/a/@v/v1.0.0.zip",
            "/example.com/a/@v/list",
            "/example.com/a/@v/list"
        ]
    );
    assert_eq!(second.targets(), ["/example.com/a/@v/list"]);
    assert_eq!(first.targets().len(), 2);
}

#[test]
fn huge_bodies_stream_zeros_with_or_without_a_length() {
    const SIZE: u64 = 20 * 1024 * 1024 + 3;
    let mock = proxy()
        .fault(
            "example.com/a/@v/v1.0.0.zip",
            Fault::HugeBody {
                bytes: SIZE,
                content_length: true,
            },
        )
        .fault(
            "example.com/a/@v/v1.1.0.zip",
            Fault::HugeBody {
                bytes: SIZE,
                content_length: false,
            },
        )
        .start();
    let with_length = get(mock.addr, "/example.com/a/@v/v1.0.0.zip");
    assert_eq!(
        with_length.header("Content-Length"),
        Some(SIZE.to_string().as_str())
    );
    assert_eq!(with_length.body.len() as u64, SIZE);
    assert!(with_length.body.iter().all(|&b| b == 0));
    let chunked = get(mock.addr, "/example.com/a/@v/v1.1.0.zip");
    assert_eq!(chunked.header("Transfer-Encoding"), Some("chunked"));
    assert_eq!(chunked.header("Content-Length"), None);
    assert_eq!(chunked.body.len() as u64, SIZE);
    assert!(chunked.body.iter().all(|&b| b == 0));

    // A client that stops reading holds the server up; it does not buffer.
    let mut stream = connect(mock.addr);
    send(&mut stream, "/example.com/a/@v/v1.0.0.zip", "");
    std::thread::sleep(Duration::from_millis(200));
    drop(stream);
    assert_eq!(get(mock.addr, "/example.com/a/@v/list").status, 200);
}

#[test]
fn basic_auth_is_demanded_of_every_request_and_logged() {
    let mock = proxy().basic_auth("alice", "s3cret").start();
    let token = base64::engine::general_purpose::STANDARD.encode("alice:s3cret");
    let wrong = base64::engine::general_purpose::STANDARD.encode("alice:nope");

    let answer = get(mock.addr, "/example.com/a/@v/list");
    assert_eq!(answer.status, 401);
    assert_eq!(
        answer.header("WWW-Authenticate"),
        Some("Basic realm=\"goproxy\"")
    );
    let answer = get_with(
        mock.addr,
        "/example.com/a/@v/list",
        &format!("Authorization: Basic {wrong}\r\n"),
    );
    assert_eq!(answer.status, 401);
    let answer = get_with(
        mock.addr,
        "/example.com/a/@v/list",
        &format!("Authorization: Basic {token}\r\n"),
    );
    assert_eq!(answer.status, 200);
    let sent: Vec<Option<String>> = mock
        .requests()
        .iter()
        .map(|r| r.headers.get("authorization").cloned())
        .collect();
    assert_eq!(
        sent,
        [
            None,
            Some(format!("Basic {wrong}")),
            Some(format!("Basic {token}"))
        ]
    );
}

#[test]
fn log_has_query_connection_and_time_and_connections_are_kept_alive() {
    let delay = Duration::from_millis(150);
    let mock = proxy().delay(delay).start();
    let started = Instant::now();
    let mut stream = connect(mock.addr);
    send(&mut stream, "/example.com/a/@v/list?x=1", "");
    send(&mut stream, "/example.com/a/@latest", "");
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    assert_eq!(read_answer(&mut reader).unwrap().status, 200);
    assert_eq!(read_answer(&mut reader).unwrap().status, 200);
    assert!(started.elapsed() >= 2 * delay);
    drop((reader, stream));
    get(mock.addr, "/example.com/a/@v/v1.0.0.mod");

    let log = mock.log();
    assert_eq!(
        mock.targets(),
        [
            "/example.com/a/@v/list?x=1",
            "/example.com/a/@latest",
            "/example.com/a/@v/v1.0.0.mod"
        ]
    );
    assert_eq!(log[0].request.path(), "/example.com/a/@v/list");
    let connections: Vec<u64> = log.iter().map(|l| l.connection).collect();
    assert_eq!(connections, [1, 1, 2]);
    assert!(log[1].at - log[0].at >= delay);
    assert!(log.windows(2).all(|w| w[0].since_start <= w[1].since_start));
    assert_eq!(mock.request_count(), 3);
    assert_eq!(
        mock.lines()[0],
        format!("http GET mock/example.com/a/@v/list?x=1")
    );
}

#[test]
fn without_log_only_counts() {
    let mock = proxy().without_log().start();
    get(mock.addr, "/example.com/a/@v/list");
    get(mock.addr, "/nothing");
    assert_eq!(mock.request_count(), 2);
    assert!(mock.requests().is_empty());
}

#[test]
fn base_path_prefixes_every_endpoint() {
    let mock = proxy().base_path("/go/").start();
    assert_eq!(mock.url(), format!("http://{}/go", mock.addr));
    assert_eq!(get(mock.addr, "/go/example.com/a/@v/list").status, 200);
    assert_eq!(get(mock.addr, "/example.com/a/@v/list").status, 404);
    assert_eq!(get(mock.addr, "/gox/example.com/a/@v/list").status, 404);
}

#[test]
fn sumdb_requests_are_relayed_to_the_upstream() {
    let upstream = Server::http(handler(|r| {
        if r.path() == "/db/lookup/example.com/a@v1.0.0" {
            Response::text(200, &format!("record for {}", r.target))
        } else {
            Response::text(404, "no such record")
        }
    }));
    let mock = proxy()
        .sumdb_proxy("sum.example.com", &format!("http://{}/db/", upstream.addr))
        .sumdb_proxy(
            "down.example.com",
            &format!("http://127.0.0.1:{}", refused_port()),
        )
        .start();
    let supported = get(mock.addr, "/sumdb/sum.example.com/supported");
    assert_eq!(supported.status, 200);
    let lookup = get(
        mock.addr,
        "/sumdb/sum.example.com/lookup/example.com/a@v1.0.0?q=1",
    );
    assert_eq!(lookup.status, 200);
    assert_eq!(
        lookup.header("Content-Type"),
        Some("text/plain; charset=utf-8")
    );
    assert_eq!(
        lookup.text(),
        "record for /db/lookup/example.com/a@v1.0.0?q=1\n"
    );
    let missing = get(
        mock.addr,
        "/sumdb/sum.example.com/lookup/example.com/b@v1.0.0",
    );
    assert_eq!(
        (missing.status, missing.text().as_str()),
        (404, "no such record\n")
    );
    assert_eq!(
        get(mock.addr, "/sumdb/other.example.com/supported").status,
        404
    );
    assert_eq!(
        get(mock.addr, "/sumdb/down.example.com/supported").status,
        200
    );
    assert_eq!(get(mock.addr, "/sumdb/down.example.com/latest").status, 502);
    assert_eq!(
        upstream.lines(),
        [
            format!(
                "http GET {}/db/lookup/example.com/a@v1.0.0?q=1",
                upstream.addr
            ),
            format!("http GET {}/db/lookup/example.com/b@v1.0.0", upstream.addr),
        ]
    );
}

#[test]
#[should_panic(expected = "loopback only")]
fn sumdb_upstream_must_be_loopback() {
    let _ = GoProxy::new().sumdb_proxy("sum.golang.org", "http://192.0.2.1:80");
}

#[test]
fn https_serves_the_same_protocol() {
    let ca = TestCa::new("goproxy test root");
    let leaf = ca.issue(&["127.0.0.1"]);
    let mock = proxy().start_https(&leaf);
    assert!(mock.url().starts_with("https://127.0.0.1:"));
    let mut roots = rustls::RootCertStore::empty();
    roots.add(ca.der().clone()).unwrap();
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let name = rustls::pki_types::ServerName::try_from("127.0.0.1").unwrap();
    let conn = rustls::ClientConnection::new(std::sync::Arc::new(config), name).unwrap();
    let tls = rustls::StreamOwned::new(conn, connect(mock.addr));
    let mut reader = BufReader::new(tls);
    write!(
        reader.get_mut(),
        "GET /example.com/a/@v/list HTTP/1.1\r\nHost: m\r\n\r\n"
    )
    .unwrap();
    let answer = read_answer(&mut reader).unwrap();
    assert_eq!(answer.text(), "v1.0.0\nv1.1.0\nv1.2.0-pre\n");
    assert_eq!(mock.lines(), ["https GET m/example.com/a/@v/list"]);
}

#[test]
fn refused_port_has_no_listener() {
    let port = refused_port();
    let err = TcpStream::connect(("127.0.0.1", port)).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::ConnectionRefused);
}

/// Every file under `dir`, relative, sorted.
fn tree(dir: &Path) -> Vec<String> {
    fn walk(dir: &Path, base: &Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, base, out);
            } else {
                out.push(path.strip_prefix(base).unwrap().display().to_string());
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

#[test]
fn write_dir_lays_out_a_file_proxy_and_dir_serves_it() {
    let temp = tempfile::tempdir().unwrap();
    let source = proxy();
    source.write_dir(temp.path());
    let pseudo = "v0.0.0-20230405060708-0123456789ab";
    let mut expected: Vec<String> = ["v1.0.0", "v1.1.0", "v1.2.0-pre", pseudo]
        .iter()
        .flat_map(|v| ["info", "mod", "zip"].map(|ext| format!("example.com/a/@v/{v}.{ext}")))
        .collect();
    expected.push("example.com/a/@v/list".into());
    for ext in ["info", "mod", "zip"] {
        expected.push(format!("example.com/!upper/thing/@v/v1.0.0-!r!c1.{ext}"));
    }
    expected.push("example.com/!upper/thing/@v/list".into());
    expected.sort();
    assert_eq!(tree(temp.path()), expected);
    let read = |p: &str| std::fs::read(temp.path().join(p)).unwrap();
    // As the go command's cache: every version with a .mod, pseudo-versions too.
    assert_eq!(
        read("example.com/a/@v/list"),
        format!("{pseudo}\nv1.0.0\nv1.1.0\nv1.2.0-pre\n").as_bytes()
    );
    assert_eq!(read("example.com/a/@v/v1.0.0.mod"), GO_MOD_A);
    assert_eq!(
        read("example.com/!upper/thing/@v/v1.0.0-!r!c1.zip"),
        source.zip("example.com/Upper/thing", "v1.0.0-RC1").unwrap()
    );

    // Served from the directory, the files come back as written.
    let from_dir = GoProxy::new().dir(temp.path()).start();
    let live = source.start();
    for target in [
        "/example.com/a/@v/v1.1.0.info",
        "/example.com/a/@v/v1.0.0.mod",
        "/example.com/a/@v/v1.0.0.zip",
        "/example.com/%21upper/thing/@v/v1.0.0-%21r%21c1.zip",
    ] {
        let answer = get(from_dir.addr, target);
        assert_eq!(answer.status, 200, "{target}");
        assert_eq!(answer.body, get(live.addr, target).body, "{target}");
    }
    for target in [
        "/example.com/a/@latest",
        "/example.com/a/@v",
        "/example.com/a/@v/../@v/list",
        "/example.com/a/@v/%2e%2e/@v/list",
        "/../../etc/passwd",
    ] {
        assert_eq!(get(from_dir.addr, target).status, 404, "{target}");
    }
}

#[test]
fn go_sum_lists_both_hashes_in_go_order() {
    let files: &[(&str, &[u8])] = &[("go.mod", GO_MOD_A), ("a.go", A_GO)];
    let proxy = GoProxy::new()
        .module("example.com/b", "v1.10.0", files)
        .module("example.com/b", "v1.9.0", files)
        .module("example.com/a", "v1.0.0", &[("a.go", A_GO)]);
    let zip_b = zip_h1("example.com/b", "v1.10.0", files).unwrap();
    let zip_b9 = zip_h1("example.com/b", "v1.9.0", files).unwrap();
    let zip_a = zip_h1("example.com/a", "v1.0.0", &[("a.go", A_GO)]).unwrap();
    let mod_b = mod_h1(GO_MOD_A);
    let mod_a = mod_h1(b"module example.com/a\n");
    assert_eq!(
        proxy.go_sum(),
        format!(
            "example.com/a v1.0.0 {zip_a}\nexample.com/a v1.0.0/go.mod {mod_a}\n\
             example.com/b v1.9.0 {zip_b9}\nexample.com/b v1.9.0/go.mod {mod_b}\n\
             example.com/b v1.10.0 {zip_b}\nexample.com/b v1.10.0/go.mod {mod_b}\n"
        )
    );
    // Go's value for the synthesised go.mod of example.com/m (hash1.json).
    assert_eq!(
        mod_h1(b"module example.com/m\n"),
        "h1:flS2VctbRrTv+sBE+VKgxx6hlkMGPVz9MGOmzMYFg3k="
    );
}

/// The entry names of a zip, read with the `zip` crate.
fn zip_names(zip: &[u8]) -> Vec<String> {
    zip_contents(zip)
        .into_iter()
        .map(|(name, _)| name)
        .collect()
}

/// Every entry's name and content, read with the `zip` crate.
fn zip_contents(zip: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip)).unwrap();
    (0..archive.len())
        .map(|i| {
            let mut file = archive.by_index(i).unwrap();
            let mut content = Vec::new();
            file.read_to_end(&mut content).unwrap();
            (file.name().unwrap().into_owned(), content)
        })
        .collect()
}

#[test]
fn module_zips_are_deterministic_and_prefixed() {
    let files: &[(&str, &[u8])] = &[
        ("go.mod", GO_MOD_A),
        ("a.go", A_GO),
        ("sub/dir/b.txt", b""),
        ("caf\u{e9}.txt", b"non-ASCII name"),
    ];
    let zip = module_zip("example.com/Upper", "v1.0.0", files);
    assert_eq!(zip, module_zip("example.com/Upper", "v1.0.0", files));
    assert_ne!(zip, module_zip("example.com/Upper", "v1.0.1", files));
    let contents = zip_contents(&zip);
    let expected: Vec<(String, Vec<u8>)> = files
        .iter()
        .map(|(n, c)| (format!("example.com/Upper@v1.0.0/{n}"), c.to_vec()))
        .collect();
    assert_eq!(contents, expected);
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(&zip[..])).unwrap();
    for i in 0..archive.len() {
        let file = archive.by_index(i).unwrap();
        assert_eq!(file.compression(), zip::CompressionMethod::Deflated);
        assert!(file.is_file());
    }
    // Go's local header: version 20, data descriptor, deflate, no time or date.
    assert_eq!(
        &zip[..14],
        b"PK\x03\x04\x14\x00\x08\x00\x08\x00\x00\x00\x00\x00"
    );
}

/// Name, method and declared uncompressed size of every central directory entry, read
/// byte by byte (the `zip` crate folds entries with the same name into one).
fn central_directory(zip: &[u8]) -> Vec<(String, u16, u32)> {
    let u16_at = |i: usize| u16::from_le_bytes([zip[i], zip[i + 1]]);
    let u32_at = |i: usize| u32::from_le_bytes(zip[i..i + 4].try_into().unwrap());
    let end = zip.len() - 22;
    assert_eq!(
        u32_at(end),
        0x0605_4b50,
        "no end of central directory record"
    );
    let count = u16_at(end + 10);
    let mut at = u32_at(end + 16) as usize;
    let mut entries = Vec::new();
    for _ in 0..count {
        assert_eq!(u32_at(at), 0x0201_4b50);
        let name_len = u16_at(at + 28) as usize;
        let extra_len = u16_at(at + 30) as usize;
        let comment_len = u16_at(at + 32) as usize;
        let name = String::from_utf8(zip[at + 46..at + 46 + name_len].to_vec()).unwrap();
        entries.push((name, u16_at(at + 10), u32_at(at + 24)));
        at += 46 + name_len + extra_len + comment_len;
    }
    entries
}

#[test]
fn raw_zips_keep_names_verbatim() {
    let entries: &[(&str, &[u8])] = &[
        ("../evil.txt", b"escape"),
        ("example.com/m@v1.0.0/dir/", b"ignored"),
        ("example.com/m@v1.0.0/a.txt", b"first"),
        ("example.com/m@v1.0.0/a.txt", b"second"),
    ];
    for deflate in [false, true] {
        let zip = raw_zip(entries, deflate);
        let method = if deflate { 8 } else { 0 };
        assert_eq!(
            central_directory(&zip),
            [
                ("../evil.txt".to_string(), method, 6),
                ("example.com/m@v1.0.0/dir/".to_string(), 0, 0),
                ("example.com/m@v1.0.0/a.txt".to_string(), method, 5),
                ("example.com/m@v1.0.0/a.txt".to_string(), method, 6),
            ]
        );
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(&zip[..])).unwrap();
        let mut content = String::new();
        archive
            .by_name("../evil.txt")
            .unwrap()
            .read_to_string(&mut content)
            .unwrap();
        assert_eq!(content, "escape");
        assert!(
            archive
                .by_name("example.com/m@v1.0.0/dir/")
                .unwrap()
                .is_dir()
        );
    }
}

#[test]
fn zip_bombs_inflate_to_the_requested_size() {
    const INFLATED: u64 = 600 * 1024 * 1024;
    for honest in [true, false] {
        let bomb = zip_bomb("example.com/m", "v1.0.0", INFLATED, honest);
        assert!(bomb.len() < 1024 * 1024, "{} bytes", bomb.len());
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(&bomb[..])).unwrap();
        assert_eq!(archive.len(), 1);
        let raw = archive.by_index_raw(0).unwrap();
        assert_eq!(raw.name().unwrap(), "example.com/m@v1.0.0/bomb.bin");
        let declared = if honest { INFLATED } else { BOMB_DECLARED_SIZE };
        assert_eq!(raw.size(), declared);
        // Inflate the raw data without trusting the declared size.
        let mut inflater = flate2::read::DeflateDecoder::new(raw);
        let mut chunk = vec![0u8; 1 << 20];
        let mut total = 0u64;
        loop {
            let n = inflater.read(&mut chunk).unwrap();
            if n == 0 {
                break;
            }
            assert!(chunk[..n].iter().all(|&b| b == 0));
            total += n as u64;
        }
        assert_eq!(total, INFLATED);
    }
    // A reader that checks sizes and CRCs accepts the honest small bomb.
    let small = zip_bomb("example.com/m", "v1.0.0", 3 << 20, true);
    let contents = zip_contents(&small);
    assert_eq!(contents[0].1.len(), 3 << 20);
}

#[test]
fn huge_honest_bombs_use_zip64() {
    const INFLATED: u64 = (5 << 30) + 7;
    let bomb = zip_bomb("example.com/m", "v1.0.0", INFLATED, true);
    let archive = zip::ZipArchive::new(std::io::Cursor::new(&bomb[..])).unwrap();
    let mut archive = archive;
    assert_eq!(archive.by_index_raw(0).unwrap().size(), INFLATED);
}

/// hash1.json, from tests/fixtures/vectors.
fn hash1_cases() -> Vec<serde_json::Value> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures/vectors/hash1.json");
    let text = std::fs::read_to_string(&path).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    json["cases"].as_array().unwrap().clone()
}

fn b64(value: &serde_json::Value) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(value.as_str().unwrap_or(""))
        .unwrap()
}

#[test]
fn h1_agrees_with_go_on_file_lists_and_go_mods() {
    let mut checked = 0;
    for case in hash1_cases() {
        let name = case["name"].as_str().unwrap();
        let files: Vec<(String, Vec<u8>)> = match case["kind"].as_str().unwrap() {
            "list" => case["files"]
                .as_array()
                .map(|files| {
                    files
                        .iter()
                        .map(|f| {
                            (
                                f["name"].as_str().unwrap().to_string(),
                                b64(&f["content_base64"]),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default(),
            "gomod" => {
                let content = b64(&case["content_base64"]);
                assert_eq!(
                    Some(mod_h1(&content).as_str()),
                    case["expected_h1"].as_str(),
                    "{name}"
                );
                vec![("go.mod".to_string(), content)]
            }
            _ => continue,
        };
        let refs: Vec<(&str, &[u8])> = files.iter().map(|(n, c)| (n.as_str(), &c[..])).collect();
        assert_eq!(h1(&refs).as_deref(), case["expected_h1"].as_str(), "{name}");
        checked += 1;
    }
    assert_eq!(checked, 13);
}

#[test]
fn module_zips_of_gos_files_hash_as_gos_zips() {
    // Zips Go wrote of well-formed modules: the same files through module_zip hash
    // to Go's value.
    let names = [
        "zip-gomod-only",
        "zip-typical-createfromdir",
        "zip-sort-order-ascii",
        "zip-unicode-names",
        "zip-empty-files-and-1MiB",
        "zip-major-v2",
        "zip-incompatible",
        "zip-uppercase-module-path",
        "zip-pseudo-version",
    ];
    let cases = hash1_cases();
    for name in names {
        let case = cases.iter().find(|c| c["name"] == name).unwrap();
        let module = case["module"].as_str().unwrap();
        let version = case["version"].as_str().unwrap();
        let prefix = format!("{module}@{version}/");
        let files: Vec<(String, Vec<u8>)> = zip_contents(&b64(&case["zip_base64"]))
            .into_iter()
            .map(|(n, c)| (n.strip_prefix(&prefix).unwrap().to_string(), c))
            .collect();
        let refs: Vec<(&str, &[u8])> = files.iter().map(|(n, c)| (n.as_str(), &c[..])).collect();
        let expected = case["expected_h1"].as_str();
        assert_eq!(
            zip_h1(module, version, &refs).as_deref(),
            expected,
            "{name}"
        );
        let ours = zip_contents(&module_zip(module, version, &refs));
        let hashed: Vec<(&str, &[u8])> = ours.iter().map(|(n, c)| (n.as_str(), &c[..])).collect();
        assert_eq!(h1(&hashed).as_deref(), expected, "{name}");
    }
}

#[test]
fn bench_workspace_is_a_module_requiring_every_bench_module() {
    let temp = tempfile::tempdir().unwrap();
    write_bench(temp.path(), 12).unwrap();
    let go_mod = std::fs::read_to_string(temp.path().join("main/go.mod")).unwrap();
    assert!(go_mod.starts_with(
        "module example.com/bench\n\ngo 1.21\n\nrequire (\n\texample.com/bench/m000 v1.0.0\n"
    ));
    assert_eq!(go_mod.matches(" v1.0.0\n").count(), 12);
    let go_sum = std::fs::read_to_string(temp.path().join("main/go.sum")).unwrap();
    assert_eq!(go_sum.lines().count(), 24);
    assert_eq!(bench_module_path(11, 12), "example.com/bench/m011");
    assert_eq!(bench_module_path(7, 1000), "example.com/bench/m007");
    assert_eq!(bench_module_path(7, 1001), "example.com/bench/m0007");
    let zip = std::fs::read(
        temp.path()
            .join("proxy/example.com/bench/m003/@v/v1.0.0.zip"),
    )
    .unwrap();
    let files = zip_contents(&zip);
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "example.com/bench/m003@v1.0.0/go.mod",
            "example.com/bench/m003@v1.0.0/m003.go"
        ]
    );
    let hashed: Vec<(&str, &[u8])> = files.iter().map(|(n, c)| (n.as_str(), &c[..])).collect();
    let zip_line = format!("example.com/bench/m003 v1.0.0 {}\n", h1(&hashed).unwrap());
    assert!(go_sum.contains(&zip_line), "{go_sum}");
}

/// The delay server binary, started on a generated workspace; stops when dropped.
struct DelayServer {
    child: std::process::Child,
    url: String,
}

impl Drop for DelayServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn delay_server(dir: &Path, delay_ms: u64) -> DelayServer {
    let ready = dir.join("ready");
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_goproxy-delay-server"))
        .args(["--dir"])
        .arg(dir.join("proxy"))
        .args([
            "--delay-ms",
            &delay_ms.to_string(),
            "--port",
            "0",
            "--ready-file",
        ])
        .arg(&ready)
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let url = loop {
        if let Ok(url) = std::fs::read_to_string(&ready)
            && url.ends_with('\n')
        {
            break url.trim().to_string();
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the server did not get ready"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    DelayServer { child, url }
}

#[test]
fn delay_server_generates_and_serves_a_directory() {
    let temp = tempfile::tempdir().unwrap();
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_goproxy-delay-server"))
        .args(["--gen", "5", "--gen-dir"])
        .arg(temp.path())
        .status()
        .unwrap();
    assert!(status.success());
    assert!(temp.path().join("main/go.sum").is_file());
    let server = delay_server(temp.path(), 100);
    let addr: SocketAddr = server.url.strip_prefix("http://").unwrap().parse().unwrap();
    assert!(addr.ip().is_loopback());
    let started = Instant::now();
    let mut stream = connect(addr);
    send(&mut stream, "/example.com/bench/m004/@v/v1.0.0.mod", "");
    send(&mut stream, "/example.com/bench/m004/@v/v9.mod", "");
    let mut reader = BufReader::new(stream);
    let found = read_answer(&mut reader).unwrap();
    assert_eq!(found.status, 200);
    assert_eq!(found.text(), "module example.com/bench/m004\n\ngo 1.21\n");
    assert_eq!(read_answer(&mut reader).unwrap().status, 404);
    assert!(started.elapsed() >= Duration::from_millis(200));
}

/// `go` with a pinned, empty environment in `sandbox`: everything under it, nothing
/// from the machine's configuration, no network but `goproxy`.
fn go_command(go: &Path, sandbox: &Path, goproxy: &str) -> std::process::Command {
    let mut cmd = std::process::Command::new(go);
    cmd.env_clear()
        .env("PATH", go.parent().unwrap())
        .env("HOME", sandbox.join("home"))
        .env("GOPATH", sandbox.join("gopath"))
        .env("GOMODCACHE", sandbox.join("modcache"))
        .env("GOCACHE", sandbox.join("gocache"))
        .env("GOENV", "off")
        .env("GOPROXY", goproxy)
        .env("GOSUMDB", "off")
        .env("GONOSUMDB", "")
        .env("GOPRIVATE", "")
        .env("GOFLAGS", "-modcacherw")
        .env("GOTOOLCHAIN", "local")
        .env("GOVCS", "*:off")
        .env("CGO_ENABLED", "0")
        .current_dir(sandbox);
    cmd
}

#[test]
fn go_downloads_from_the_mock() {
    let Some(go) = newest_go() else { return };
    let sandbox = tempfile::tempdir().unwrap();
    let source = proxy();
    let mock = source.clone().start();
    let output = go_command(&go, sandbox.path(), &mock.url())
        .args([
            "mod",
            "download",
            "-json",
            "example.com/a@v1.0.0",
            "example.com/Upper/thing@v1.0.0-RC1",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let records: Vec<serde_json::Value> = serde_json::Deserializer::from_str(&stdout)
        .into_iter()
        .map(Result::unwrap)
        .collect();
    let thing: &[(&str, &[u8])] = &[("thing.go", b"package thing\n")];
    let expected = [
        (
            "example.com/a",
            zip_h1(
                "example.com/a",
                "v1.0.0",
                &[("go.mod", GO_MOD_A), ("a.go", A_GO)],
            ),
        ),
        (
            "example.com/Upper/thing",
            zip_h1("example.com/Upper/thing", "v1.0.0-RC1", thing),
        ),
    ];
    assert_eq!(records.len(), 2, "{stdout}");
    for (path, sum) in expected {
        let record = records.iter().find(|r| r["Path"] == path).unwrap();
        assert!(record["Error"].is_null(), "{record}");
        assert_eq!(record["Sum"].as_str(), sum.as_deref(), "{record}");
        assert!(
            Path::new(record["Dir"].as_str().unwrap()).is_dir(),
            "{record}"
        );
    }
    let mut targets = mock.targets();
    targets.sort();
    assert_eq!(
        targets,
        [
            "/example.com/%21upper/thing/@v/v1.0.0-%21r%21c1.info",
            "/example.com/%21upper/thing/@v/v1.0.0-%21r%21c1.mod",
            "/example.com/%21upper/thing/@v/v1.0.0-%21r%21c1.zip",
            "/example.com/a/@v/v1.0.0.info",
            "/example.com/a/@v/v1.0.0.mod",
            "/example.com/a/@v/v1.0.0.zip",
        ]
    );
    // The go command asks for .info, then .mod, then .zip.
    let a: Vec<String> = mock
        .targets()
        .into_iter()
        .filter(|t| t.starts_with("/example.com/a/"))
        .collect();
    assert_eq!(
        a,
        [
            "/example.com/a/@v/v1.0.0.info",
            "/example.com/a/@v/v1.0.0.mod",
            "/example.com/a/@v/v1.0.0.zip"
        ]
    );
}

#[test]
fn go_downloads_the_bench_workspace_from_the_delay_server() {
    let Some(go) = newest_go() else { return };
    let sandbox = tempfile::tempdir().unwrap();
    write_bench(sandbox.path(), 20).unwrap();
    let server = delay_server(sandbox.path(), 5);
    // go.sum is checked: the hashes the workspace was written with must be Go's.
    let output = go_command(&go, sandbox.path(), &server.url)
        .current_dir(sandbox.path().join("main"))
        .args(["mod", "download"])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let output = go_command(&go, sandbox.path(), "off")
        .current_dir(sandbox.path().join("main"))
        .args(["mod", "verify"])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let output = go_command(&go, sandbox.path(), "off")
        .current_dir(sandbox.path().join("main"))
        .args(["build", "-o", "/dev/null", "."])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
