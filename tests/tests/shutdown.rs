//! Stopping the server (SIGTERM, as systemd stops a service; Ctrl-C likewise): it takes
//! no new connection and finishes the requests in flight, so a device's push that was
//! being received is answered after its commit and is in the database.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tiendo_tests::{ServerProcess, client_id, progress};

/// Reads from `stream` until the end of an HTTP head (`\r\n\r\n`) and returns it.
fn read_head(stream: &mut TcpStream) -> String {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        let n = stream.read(&mut byte).expect("read the answer");
        assert_eq!(n, 1, "the connection closed mid-answer: {head:?}");
        head.push(byte[0]);
    }
    String::from_utf8(head).expect("an ASCII head")
}

#[test]
fn a_push_in_flight_when_the_server_is_stopped_is_answered_and_applied() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let db = dir.path().join("tiendo.sqlite");
    let server = ServerProcess::start(&db);
    let staff = server.login("vhttdl");

    // A full batch with long notes: about 700 KB, which a 2G link takes minutes to
    // send.
    let note = "Đã triển khai tuyên truyền tại cơ sở. ".repeat(25);
    let mutations: Vec<Value> = (1..=500)
        .map(|seq| progress(seq, "1.1", "in_progress", &format!("{seq}. {note}")))
        .collect();
    let body = serde_json::to_vec(&json!({
        "client_id": client_id(7),
        "schema_version": 2,
        "mutations": mutations,
    }))
    .expect("json");
    assert!(body.len() > 500_000, "{} bytes", body.len());

    let mut stream = TcpStream::connect(server.addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .expect("timeout");
    write!(
        stream,
        "POST /api/v1/sync/push HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\
         Expect: 100-continue\r\n\r\n",
        server.addr,
        staff.token,
        body.len()
    )
    .expect("send the head");
    // The server has the request in hand: the handler asks for the body.
    let interim = read_head(&mut stream);
    assert!(interim.starts_with("HTTP/1.1 100"), "{interim}");
    let half = body.len() / 2;
    stream.write_all(&body[..half]).expect("send half the body");

    // Stopped while half the push is still to come.
    server.terminate();
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(server.addr).is_ok() {
        assert!(
            Instant::now() < deadline,
            "the server still takes connections"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    stream.write_all(&body[half..]).expect("send the rest");

    let head = read_head(&mut stream);
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    let mut rest = Vec::new();
    let _ = stream.read_to_end(&mut rest);
    let answer: Value = serde_json::from_slice(&rest).expect("a JSON answer");
    assert_eq!(answer["last_seq"], 500, "{answer}");

    let status = server.wait(Duration::from_secs(30));
    assert!(status.success(), "exited with {status}");
    let conn = rusqlite::Connection::open(&db).expect("open the database");
    let applied: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM progress_updates WHERE client_id = ?1",
            [client_id(7)],
            |r| r.get(0),
        )
        .expect("count");
    assert_eq!(applied, 500);
}
