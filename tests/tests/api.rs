//! The HTTP API, black-box: the real server on a free port, a fresh database each.

use std::io::{BufRead, BufReader, Write};

use serde_json::json;
use tiendo_shared::error::ApiError;
use tiendo_shared::protocol::{Change, Cursor, PlanView, PullResponse, PushResponse, RejectReason};
use tiendo_tests::{TestServer, client_id, progress};

#[test]
fn health_answers_when_the_database_does() {
    let server = TestServer::start();
    let reply = server.get("/healthz", None);
    assert_eq!(reply.status, 200);
}

#[test]
fn login_gives_a_token_and_wrong_passwords_say_nothing_more() {
    let server = TestServer::start();
    let staff = server.login("vhttdl");
    let me = staff.get("/api/v1/me");
    assert_eq!(me.status, 200);
    assert_eq!(me.body["agency"]["id"], "so-vhttdl");
    assert_eq!(me.body["role"], "staff");

    let wrong_password = server.post_json(
        "/api/v1/login",
        None,
        &json!({"username": "vhttdl", "password": "nope"}),
    );
    let unknown_user = server.post_json(
        "/api/v1/login",
        None,
        &json!({"username": "nobody", "password": "nope"}),
    );
    assert_eq!(wrong_password.status, 401);
    assert_eq!(
        wrong_password.body, unknown_user.body,
        "the answer never says which part was wrong"
    );
    assert_eq!(wrong_password.error(), ApiError::BadCredentials);

    assert_eq!(server.get("/api/v1/me", Some("not-a-token")).status, 401);

    let out = staff.post("/api/v1/logout", &json!({}));
    assert_eq!(out.status, 204);
    assert_eq!(
        staff.get("/api/v1/me").status,
        401,
        "the token no longer works"
    );
    assert_eq!(
        server.get("/api/v1/me", None).error(),
        ApiError::Unauthorized
    );
}

#[test]
fn repeated_wrong_passwords_are_rate_limited() {
    let server = TestServer::start();
    let attempt = || {
        server.post_json(
            "/api/v1/login",
            None,
            &json!({"username": "sotttt", "password": "wrong"}),
        )
    };
    for _ in 0..5 {
        assert_eq!(attempt().status, 401);
    }
    let limited = attempt();
    assert_eq!(limited.status, 429);
    assert!(matches!(limited.error(), ApiError::RateLimited { .. }));
}

#[test]
fn the_plan_marks_the_tasks_of_the_agency() {
    let server = TestServer::start();
    let plan: PlanView = server.login("vhttdl").get("/api/v1/plan").json();
    assert_eq!(plan.code.as_str(), "215/KH-UBND");
    assert_eq!(plan.tasks.len(), 20);
    let task = |n: &str| plan.tasks.iter().find(|t| t.number.as_str() == n).expect(n);
    assert!(task("5.1").assigned, "VHTTDL leads 5.1");
    assert!(
        task("5.1")
            .lead
            .iter()
            .any(|a| a.id.as_str() == "so-vhttdl")
    );
    let leads: Vec<_> = task("1.4").lead.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(
        leads.first(),
        Some(&"Sở Kế hoạch và Đầu tư"),
        "in the order the plan names them: {leads:?}"
    );
    assert_eq!(leads.len(), 6);
    assert!(
        task("5.1")
            .text
            .contains("Xây dựng và quảng bá hình ảnh tỉnh Kon Tum")
    );
    assert_eq!(
        task("5.1").coordinating_text,
        "Các cơ quan, đơn vị, địa phương.",
        "as the plan writes it"
    );
    assert!(
        task("5.1").coordinating.len() > 30,
        "while the ids cover every member of the group"
    );
    let deadlines: Vec<_> = plan
        .reporting
        .iter()
        .map(|r| {
            (
                r.agency_deadline.to_dmy(),
                r.consolidation_deadline.map(|d| d.to_dmy()),
            )
        })
        .collect();
    assert_eq!(
        deadlines,
        [
            ("15/06/2019".to_owned(), Some("25/06/2019".to_owned())),
            ("05/12/2019".to_owned(), Some("15/12/2019".to_owned()))
        ]
    );
}

#[test]
fn a_push_is_applied_once_however_often_it_is_retried() {
    let server = TestServer::start();
    let staff = server.login("vhttdl");
    let client = client_id(1);
    let batch = vec![
        progress(1, "5.1", "in_progress", "một"),
        progress(2, "5.1", "done", "hai"),
    ];

    let first: PushResponse = staff.push(&client, batch.clone()).json();
    assert_eq!(first.last_seq, 2);
    assert!(first.rejected.is_empty());
    // The response was lost; the device sends the same batch again, twice.
    for _ in 0..2 {
        let again: PushResponse = staff.push(&client, batch.clone()).json();
        assert_eq!(again.last_seq, 2);
    }
    let pulled: PullResponse = staff.pull(0).json();
    assert_eq!(pulled.changes.len(), 2);
    assert!(!pulled.has_more);
}

#[test]
fn a_gap_applies_nothing_after_it() {
    let server = TestServer::start();
    let staff = server.login("vhttdl");
    let client = client_id(2);
    let reply = staff.push(
        &client,
        vec![
            progress(1, "5.1", "in_progress", "một"),
            progress(3, "5.1", "done", "ba"),
        ],
    );
    assert_eq!(reply.status, 409);
    assert_eq!(reply.error(), ApiError::OutOfOrder { expected: 2 });
    let pulled: PullResponse = staff.pull(0).json();
    assert_eq!(
        pulled.changes.len(),
        1,
        "the mutation before the gap is applied, the one after is not"
    );

    let filled: PushResponse = staff
        .push(
            &client,
            vec![
                progress(2, "5.1", "in_progress", "hai"),
                progress(3, "5.1", "done", "ba"),
            ],
        )
        .json();
    assert_eq!(filled.last_seq, 3);
}

#[test]
fn a_bad_mutation_is_rejected_and_the_queue_keeps_moving() {
    let server = TestServer::start();
    let staff = server.login("vhttdl");
    let mut bad = progress(2, "5.1", "finished", "sai");
    bad["percent"] = json!(140);
    let batch = vec![
        progress(1, "5.1", "in_progress", "một"),
        bad,
        progress(3, "99.9", "done", "không có nhiệm vụ này"),
        progress(4, "5.1", "done", "bốn"),
    ];
    let reply: PushResponse = staff.push(&client_id(3), batch.clone()).json();
    assert_eq!(reply.last_seq, 4);
    let reasons: Vec<_> = reply.rejected.iter().map(|r| (r.seq, r.error)).collect();
    assert_eq!(
        reasons,
        vec![(2, RejectReason::Invalid), (3, RejectReason::UnknownTask)]
    );
    let pulled: PullResponse = staff.pull(0).json();
    assert_eq!(pulled.changes.len(), 2);

    // The answer was lost; the retry is told the same rejections and changes nothing.
    let retry: PushResponse = staff.push(&client_id(3), batch).json();
    assert_eq!(retry, reply);
    assert_eq!(staff.pull(0).json::<PullResponse>().changes.len(), 2);
}

#[test]
fn text_that_is_not_ascii_where_digits_belong_is_rejected_and_writes_go_on() {
    let server = TestServer::start();
    let staff = server.login("vhttdl");
    let mut bad = progress(1, "5.1", "done", "giờ sai");
    bad["observed_at"] = json!("2019-06-14T08:30:0éZ");
    let reply: PushResponse = staff
        .push(
            &client_id(31),
            vec![bad, progress(2, "5.1", "done", "tiếp")],
        )
        .json();
    assert_eq!(reply.last_seq, 2);
    assert_eq!(reply.rejected.len(), 1);
    assert_eq!(reply.rejected[0].error, RejectReason::Invalid);
    // The server still takes writes from everyone.
    let other: PushResponse = server
        .login("ngoaivu")
        .push(&client_id(32), vec![progress(1, "1.3", "done", "x")])
        .json();
    assert_eq!(other.last_seq, 1);
}

#[test]
fn staff_cannot_record_where_their_agency_is_not_assigned() {
    let server = TestServer::start();
    // Task 6.1 is led by Sở Kế hoạch và Đầu tư with "các cơ quan, đơn vị, địa phương"
    // coordinating, so almost every agency may record on it; a supervisor never does.
    let supervisor = server.login("sotttt");
    let reply: PushResponse = supervisor
        .push(&client_id(4), vec![progress(1, "5.1", "done", "x")])
        .json();
    assert_eq!(reply.rejected.len(), 1);
    assert_eq!(reply.rejected[0].error, RejectReason::Forbidden);
}

#[test]
fn another_persons_client_id_is_refused() {
    let server = TestServer::start();
    let client = client_id(5);
    let staff = server.login("vhttdl");
    assert_eq!(
        staff
            .push(&client, vec![progress(1, "5.1", "done", "x")])
            .status,
        200
    );
    let other = server.login("ngoaivu");
    assert_eq!(
        other
            .push(&client, vec![progress(2, "1.3", "done", "y")])
            .error(),
        ApiError::Forbidden
    );
}

#[test]
fn staff_pull_only_their_agency_and_supervisors_pull_all() {
    let server = TestServer::start();
    let vhttdl = server.login("vhttdl");
    let ngoaivu = server.login("ngoaivu");
    assert_eq!(
        vhttdl
            .push(&client_id(6), vec![progress(1, "5.1", "done", "vh")])
            .status,
        200
    );
    assert_eq!(
        ngoaivu
            .push(&client_id(7), vec![progress(1, "1.3", "done", "nv")])
            .status,
        200
    );

    let own: PullResponse = vhttdl.pull(0).json();
    assert_eq!(own.changes.len(), 1);
    let Change::Progress(update) = &own.changes[0] else {
        panic!("a progress update: {:?}", own.changes[0]);
    };
    assert_eq!(update.agency.id.as_str(), "so-vhttdl");
    assert_eq!(update.author_name, "Trần Văn Đức");

    let all: PullResponse = server.login("sotttt").pull(0).json();
    assert_eq!(all.changes.len(), 2);
}

#[test]
fn pulls_page_and_a_future_cursor_resets_once() {
    let server = TestServer::start();
    let staff = server.login("vhttdl");
    let batch: Vec<_> = (1..=7)
        .map(|seq| progress(seq, "5.1", "in_progress", &format!("lần {seq}")))
        .collect();
    assert_eq!(staff.push(&client_id(8), batch).status, 200);

    let mut cursor = Cursor::START;
    let mut seen = 0;
    loop {
        let page: PullResponse = staff
            .get(&format!("/api/v1/sync/pull?cursor={cursor}&limit=3"))
            .json();
        assert!(!page.reset);
        seen += page.changes.len();
        cursor = page.cursor;
        if !page.has_more {
            break;
        }
    }
    assert_eq!(seen, 7);

    let future = Cursor {
        id: cursor.id + 1000,
        ..cursor
    };
    let wrong_check = Cursor {
        check: cursor.check ^ 1,
        ..cursor
    };
    for unknown in [
        future.to_string(),
        wrong_check.to_string(),
        "-1".to_owned(),
        "zz".to_owned(),
    ] {
        let reset: PullResponse = staff.pull(&unknown).json();
        assert!(
            reset.reset,
            "a cursor this server did not issue resets: {unknown}"
        );
        assert_eq!(reset.changes.len(), 7);
        let after: PullResponse = staff.pull(reset.cursor).json();
        assert!(!after.reset, "and only once");
        assert!(after.changes.is_empty());
    }
}

#[test]
fn a_cursor_from_before_a_restore_resets_even_when_its_number_exists_again() {
    let server = TestServer::start();
    let staff = server.login("vhttdl");
    let one: Vec<_> = vec![progress(1, "5.1", "in_progress", "một")];
    assert_eq!(staff.push(&client_id(40), one).status, 200);
    let backup = tempfile::tempdir().expect("backup directory");
    let server = server.restart_with(|db| copy_database(db, &backup.path().join("b.sqlite")));
    let staff = server.login("vhttdl");
    let more = vec![
        progress(2, "5.1", "done", "hai"),
        progress(3, "5.1", "done", "ba"),
    ];
    assert_eq!(staff.push(&client_id(40), more).status, 200);
    let before: PullResponse = staff.pull(Cursor::START).json();
    assert_eq!(before.changes.len(), 3);

    // Restored from the backup; other devices push, and the numbers 2 and 3 return for
    // other changes.
    let server = server.restart_with(|db| copy_database(&backup.path().join("b.sqlite"), db));
    let other = server.login("ngoaivu");
    let theirs = vec![
        progress(1, "1.3", "done", "x"),
        progress(2, "1.3", "done", "y"),
        progress(3, "1.3", "done", "z"),
    ];
    assert_eq!(other.push(&client_id(41), theirs).status, 200);

    let staff = server.login("vhttdl");
    let after: PullResponse = staff.pull(before.cursor).json();
    assert!(
        after.reset,
        "the old cursor names a change this database no longer has"
    );
    assert_eq!(
        after.changes.len(),
        1,
        "the staff member's one update that survived"
    );
}

/// Copies an SQLite database with its WAL files, as a backup or a restore does.
fn copy_database(from: &std::path::Path, to: &std::path::Path) {
    for suffix in ["", "-wal", "-shm"] {
        let (from, to) = (
            format!("{}{suffix}", from.display()),
            format!("{}{suffix}", to.display()),
        );
        let _ = std::fs::remove_file(&to);
        if std::path::Path::new(&from).exists() {
            std::fs::copy(&from, &to).expect("copy database");
        }
    }
}

#[test]
fn malformed_requests_get_the_shared_error_shape_never_5xx() {
    let server = TestServer::start();
    let staff = server.login("vhttdl");
    let token = Some(staff.token.as_str());
    let not_json = server.post_raw("/api/v1/sync/push", token, "application/json", b"{not json");
    assert_eq!(not_json.status, 400);
    assert!(matches!(not_json.error(), ApiError::InvalidJson { .. }));

    let wrong_shape = server.post_raw(
        "/api/v1/sync/push",
        token,
        "application/json",
        br#"{"client_id":"x"}"#,
    );
    assert!((400..500).contains(&wrong_shape.status));
    assert!(matches!(wrong_shape.error(), ApiError::InvalidJson { .. }));

    // The server refuses an oversized body from its declared length, before reading
    // any of it; so the request is written by hand, headers only, rather than by a
    // client that would still be sending when the answer comes.
    let head = format!(
        "POST /api/v1/sync/push HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        server.addr,
        staff.token,
        3 * 1024 * 1024
    );
    let mut stream = std::net::TcpStream::connect(server.addr).expect("connect");
    stream.write_all(head.as_bytes()).expect("send headers");
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .expect("read timeout");
    let mut answer = String::new();
    let _ = BufReader::new(stream).read_line(&mut answer);
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");

    let old = staff.post(
        "/api/v1/sync/push",
        &json!({"client_id": client_id(9), "schema_version": 0, "mutations": []}),
    );
    assert_eq!(old.status, 426);
    assert!(matches!(old.error(), ApiError::UpgradeRequired { .. }));

    let bad_limit = staff.get("/api/v1/sync/pull?cursor=0&limit=-1");
    assert_eq!(bad_limit.status, 422);

    let unknown = staff.get("/api/v1/nothing-here");
    assert_eq!(unknown.error(), ApiError::NotFound);
}

#[test]
fn acknowledged_updates_survive_a_restart() {
    let server = TestServer::start();
    let staff = server.login("vhttdl");
    assert_eq!(
        staff
            .push(
                &client_id(10),
                vec![progress(1, "5.1", "done", "trước khi khởi động lại")]
            )
            .status,
        200
    );
    let server = server.restart();
    let staff = server.login("vhttdl");
    let pulled: PullResponse = staff.pull(0).json();
    assert_eq!(pulled.changes.len(), 1);
    let again: PushResponse = staff
        .push(
            &client_id(10),
            vec![progress(1, "5.1", "done", "trước khi khởi động lại")],
        )
        .json();
    assert_eq!(again.last_seq, 1);
    assert_eq!(
        staff.pull(0).json::<PullResponse>().changes.len(),
        1,
        "nothing twice"
    );
}

#[test]
fn the_openapi_description_covers_every_endpoint() {
    let server = TestServer::start();
    let reply = server.get("/api/v1/openapi.json", None);
    assert_eq!(reply.status, 200);
    let doc = reply.body;
    assert!(doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.")));
    let operations = [
        ("/healthz", "get"),
        ("/api/v1/login", "post"),
        ("/api/v1/logout", "post"),
        ("/api/v1/me", "get"),
        ("/api/v1/plan", "get"),
        ("/api/v1/plans", "get"),
        ("/api/v1/plans/import", "post"),
        ("/api/v1/sync/push", "post"),
        ("/api/v1/sync/pull", "get"),
        ("/api/v1/reports", "get"),
        ("/api/v1/reports/export", "get"),
        ("/api/v1/agencies", "get"),
        ("/api/v1/agencies/rename", "post"),
        ("/api/v1/agencies/merge", "post"),
        ("/api/v1/agencies/confirm", "post"),
        ("/api/v1/users", "get"),
        ("/api/v1/users/import", "post"),
        ("/api/v1/users/disable", "post"),
        ("/api/v1/users/enable", "post"),
        ("/api/v1/users/reset-password", "post"),
        ("/api/v1/audit", "get"),
    ];
    for (path, method) in operations {
        let operation = &doc["paths"][path][method];
        assert!(operation.is_object(), "{method} {path} is described");
        assert!(
            operation["responses"]
                .as_object()
                .is_some_and(|r| !r.is_empty()),
            "{method} {path} has responses"
        );
    }
    assert_eq!(
        doc["paths"].as_object().map(|p| p.len()),
        Some(operations.len()),
        "and nothing else"
    );
    for schema in [
        "ApiError",
        "Mutation",
        "PushResponse",
        "PullResponse",
        "ProgressUpdate",
        "PlanListing",
        "ImportSummary",
    ] {
        assert!(doc["components"]["schemas"][schema].is_object(), "{schema}");
    }
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
}
