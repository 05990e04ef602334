//! Pushes compressed by the browser (`Content-Encoding: gzip` or `deflate`): applied
//! exactly once like any push, and bounded after expansion, so a compression bomb is
//! refused with 413 without the server expanding it whole.

use std::io::Write;

use flate2::Compression;
use flate2::write::{GzEncoder, ZlibEncoder};
use serde_json::{Value, json};
use tiendo_shared::protocol::{MAX_BODY_BYTES, PushResponse, SCHEMA_VERSION};
use tiendo_tests::{Reply, TestServer, client_id, progress};

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(bytes).expect("gzip");
    encoder.finish().expect("gzip")
}

fn deflate(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = ZlibEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(bytes).expect("deflate");
    encoder.finish().expect("deflate")
}

fn push_encoded(server: &TestServer, token: &str, encoding: &str, body: &[u8]) -> Reply {
    Reply::from(
        ureq::post(&server.url("/api/v1/sync/push"))
            .set("Authorization", &format!("Bearer {token}"))
            .set("Content-Type", "application/json")
            .set("Content-Encoding", encoding)
            .send_bytes(body),
    )
}

/// 100 updates with a 100-character Vietnamese note each, as the issue measures.
fn hundred_updates(device: &str) -> Value {
    let note = "Đã tổ chức tuyên truyền về biên giới, chủ quyền cho bà con các thôn giáp biên, phát 200 tờ rơi song ngữ.";
    assert!(note.chars().count() >= 100);
    let mutations: Vec<Value> = (1..=100)
        .map(|seq| progress(seq, "1.4", "in_progress", &format!("{note} ({seq})")))
        .collect();
    json!({"client_id": device, "schema_version": SCHEMA_VERSION, "mutations": mutations})
}

fn stored(server: &TestServer) -> i64 {
    let conn = rusqlite::Connection::open(server.db.path()).expect("open");
    conn.query_row("SELECT count(*) FROM progress_updates", [], |r| r.get(0))
        .expect("count")
}

#[test]
fn a_gzip_push_is_applied_once_and_its_repeat_changes_nothing() {
    let server = TestServer::start();
    let token = server.login("vhttdl").token;
    let before = stored(&server);
    let body = serde_json::to_vec(&hundred_updates(&client_id(7))).expect("json");
    let compressed = gzip(&body);
    assert!(
        compressed.len() * 4 < body.len(),
        "{} → {} bytes",
        body.len(),
        compressed.len()
    );
    for _ in 0..2 {
        let reply = push_encoded(&server, &token, "gzip", &compressed);
        assert_eq!(reply.status, 200, "{}", reply.body);
        let reply: PushResponse = reply.json();
        assert_eq!(reply.last_seq, 100);
        assert!(reply.rejected.is_empty(), "{:?}", reply.rejected);
    }
    assert_eq!(stored(&server), before + 100, "applied exactly once");
}

#[test]
fn a_deflate_push_is_applied_too() {
    let server = TestServer::start();
    let token = server.login("vhttdl").token;
    let before = stored(&server);
    let body = serde_json::to_vec(&hundred_updates(&client_id(8))).expect("json");
    let reply = push_encoded(&server, &token, "deflate", &deflate(&body));
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(stored(&server), before + 100);
}

#[test]
fn a_compression_bomb_is_refused_with_413_and_applies_nothing() {
    let server = TestServer::start();
    let token = server.login("vhttdl").token;
    let before = stored(&server);
    // A valid push followed by 64 MiB of spaces: a few tens of kilobytes compressed.
    let mut body = serde_json::to_vec(&hundred_updates(&client_id(9))).expect("json");
    body.pop();
    body.extend(std::iter::repeat_n(b' ', 64 * 1024 * 1024));
    body.push(b'}');
    let bomb = gzip(&body);
    assert!(bomb.len() < MAX_BODY_BYTES / 4, "{} bytes", bomb.len());
    let reply = push_encoded(&server, &token, "gzip", &bomb);
    assert_eq!(reply.status, 413, "{}", reply.body);
    assert_eq!(reply.body["error"], "too_large", "{}", reply.body);
    assert_eq!(stored(&server), before, "nothing applied");
    // The server is well and takes the honest push after it.
    let honest = gzip(&serde_json::to_vec(&hundred_updates(&client_id(9))).expect("json"));
    assert_eq!(push_encoded(&server, &token, "gzip", &honest).status, 200);
    assert_eq!(stored(&server), before + 100);
}

#[test]
fn a_body_that_is_not_its_encoding_and_unknown_encodings_are_client_errors() {
    let server = TestServer::start();
    let token = server.login("vhttdl").token;
    let body = serde_json::to_vec(&hundred_updates(&client_id(10))).expect("json");
    let reply = push_encoded(&server, &token, "gzip", &body);
    assert_eq!(reply.status, 400, "{}", reply.body);
    let mut truncated = gzip(&body);
    truncated.truncate(truncated.len() / 2);
    assert_eq!(
        push_encoded(&server, &token, "gzip", &truncated).status,
        400
    );
    let reply = push_encoded(&server, &token, "br", &body);
    assert_eq!(reply.status, 422, "{}", reply.body);
    assert_eq!(reply.body["field"], "content-encoding");
    assert_eq!(push_encoded(&server, &token, "identity", &body).status, 200);
}
