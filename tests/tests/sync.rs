//! The sync protocol under the faults a weak link and a busy server bring: lost
//! responses, repeats, concurrency, temporary failures, a killed server, skewed clocks
//! and expired sessions.

use std::collections::HashSet;

use serde_json::json;
use tiendo_shared::error::ApiError;
use tiendo_shared::protocol::{Change, PullResponse, PushResponse};
use tiendo_tests::{ServerProcess, TestServer, client_id, progress};

fn pull_all(client: &tiendo_tests::Client) -> Vec<tiendo_shared::protocol::ProgressUpdate> {
    let mut cursor = tiendo_shared::protocol::Cursor::START;
    let mut all = Vec::new();
    loop {
        let page: PullResponse = client.pull(cursor).json();
        all.extend(page.changes.into_iter().filter_map(|c| match c {
            Change::Progress(p) => Some(p),
            _ => None,
        }));
        cursor = page.cursor;
        if !page.has_more {
            return all;
        }
    }
}

#[test]
fn the_same_batch_from_two_tabs_at_once_is_applied_once() {
    let server = TestServer::start();
    let staff = server.login("vhttdl");
    let client = client_id(20);
    let batch: Vec<_> = (1..=50)
        .map(|seq| progress(seq, "5.1", "in_progress", &format!("{seq}")))
        .collect();
    std::thread::scope(|scope| {
        let tabs: Vec<_> = (0..2)
            .map(|_| scope.spawn(|| staff.push(&client, batch.clone()).json::<PushResponse>()))
            .collect();
        for tab in tabs {
            assert_eq!(tab.join().expect("tab").last_seq, 50);
        }
    });
    assert_eq!(pull_all(&staff).len(), 50);
}

#[test]
fn reordered_mutations_in_one_batch_are_applied_in_seq_order() {
    let server = TestServer::start();
    let staff = server.login("vhttdl");
    let batch = vec![
        progress(3, "5.1", "done", "ba"),
        progress(1, "5.1", "not_started", "một"),
        progress(2, "5.1", "in_progress", "hai"),
    ];
    let reply: PushResponse = staff.push(&client_id(21), batch).json();
    assert_eq!(reply.last_seq, 3);
    let notes: Vec<_> = pull_all(&staff)
        .iter()
        .map(|u| u.note.as_str().to_owned())
        .collect();
    assert_eq!(notes, ["một", "hai", "ba"]);
}

#[test]
fn a_temporary_database_failure_advances_nothing_and_a_retry_succeeds() {
    let server = TestServer::start();
    let staff = server.login("vhttdl");
    let client = client_id(22);
    let batch = vec![
        progress(1, "5.1", "in_progress", "một"),
        progress(2, "5.1", "done", "hai"),
    ];
    server.db.inject_write_failure();
    let failed = staff.push(&client, batch.clone());
    assert_eq!(failed.status, 503);
    assert_eq!(failed.error(), ApiError::Unavailable);
    assert!(pull_all(&staff).is_empty(), "nothing was applied");

    let retried: PushResponse = staff.push(&client, batch).json();
    assert_eq!(retried.last_seq, 2);
    assert_eq!(pull_all(&staff).len(), 2);
}

#[test]
fn device_clock_skew_changes_nothing_but_the_shown_time() {
    let server = TestServer::start();
    let staff = server.login("vhttdl");
    let at = |seq: u64, time: &str| {
        let mut m = progress(seq, "5.1", "in_progress", &format!("{seq}"));
        m["observed_at"] = json!(time);
        m
    };
    // Three devices' clocks: 12 h ahead, right, 12 h behind, in the order received.
    let batch = vec![
        at(1, "2019-06-10T21:00:00+07:00"),
        at(2, "2019-06-10T09:00:00+07:00"),
        at(3, "2019-06-09T21:00:00+07:00"),
    ];
    let reply: PushResponse = staff.push(&client_id(23), batch).json();
    assert_eq!(reply.last_seq, 3);
    let pulled = pull_all(&staff);
    let order: Vec<_> = pulled.iter().map(|u| u.note.as_str().to_owned()).collect();
    assert_eq!(
        order,
        ["1", "2", "3"],
        "the server's order is the order received, not the device's clock"
    );
    assert_eq!(
        pulled[0].observed_at.as_str(),
        "2019-06-10T21:00:00+07:00",
        "the device's time is kept as sent"
    );
    assert!(pulled.iter().all(|u| !u.conflict));
}

#[test]
fn an_expired_session_mid_sync_applies_nothing_and_the_queue_goes_on_after_signing_in() {
    let server = TestServer::start();
    let staff = server.login("vhttdl");
    let client = client_id(24);
    let first: PushResponse = staff
        .push(&client, vec![progress(1, "5.1", "in_progress", "một")])
        .json();
    assert_eq!(first.last_seq, 1);

    let expire = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    expire
        .block_on(server.db.expire_sessions())
        .expect("expire");
    let refused = staff.push(&client, vec![progress(2, "5.1", "done", "hai")]);
    assert_eq!(refused.status, 401);
    assert_eq!(refused.error(), ApiError::Unauthorized);

    let again = server.login("vhttdl");
    let resumed: PushResponse = again
        .push(&client, vec![progress(2, "5.1", "done", "hai")])
        .json();
    assert_eq!(resumed.last_seq, 2);
    assert_eq!(pull_all(&again).len(), 2);
}

#[test]
fn concurrent_edits_by_different_people_are_flagged_as_conflicts() {
    let server = TestServer::start();
    let staff = server.login("vhttdl");
    let head = server.login("vhttdl.lanhdao");
    let first: PushResponse = staff
        .push(
            &client_id(25),
            vec![progress(1, "5.1", "in_progress", "cán bộ")],
        )
        .json();
    assert_eq!(first.last_seq, 1);
    // The head's device had not seen the staff member's update.
    let stale: PushResponse = head
        .push(&client_id(26), vec![progress(1, "5.1", "done", "lãnh đạo")])
        .json();
    assert_eq!(stale.last_seq, 1);
    let pulled = pull_all(&head);
    assert_eq!(pulled.len(), 2, "both versions are kept");
    assert!(!pulled[0].conflict);
    assert!(
        pulled[1].conflict,
        "the second, made without seeing the first, is a conflict"
    );
    assert!(
        pull_all(&staff)[1].conflict,
        "and the other side sees it too"
    );

    // Made from the current version: no conflict.
    let mut informed = progress(2, "5.1", "done", "đã xem");
    informed["base"] = json!(pulled[1].id);
    let ok: PushResponse = staff.push(&client_id(25), vec![informed]).json();
    assert_eq!(ok.last_seq, 2);
    assert!(!pull_all(&staff)[2].conflict);
    // The same author building on their own older update is no conflict either.
    let own: PushResponse = staff
        .push(&client_id(25), vec![progress(3, "5.1", "done", "tiếp")])
        .json();
    assert_eq!(own.last_seq, 3);
    assert!(!pull_all(&staff)[3].conflict);
}

#[test]
fn a_mutation_id_is_applied_once_for_its_author_and_refused_to_anyone_else() {
    let server = TestServer::start();
    let staff = server.login("vhttdl");
    let head = server.login("vhttdl.lanhdao");
    let update = progress(1, "5.1", "in_progress", "Một lần");
    let first: PushResponse = staff.push(&client_id(1), vec![update.clone()]).json();
    assert!(first.rejected.is_empty());
    // The same person sends it again under a new client id (as after a restore):
    // nothing happens twice.
    let again: PushResponse = staff.push(&client_id(2), vec![update.clone()]).json();
    assert!(again.rejected.is_empty());
    // Someone else sending a mutation with that id is refused, not applied over it.
    let reply = head.push(&client_id(3), vec![update]);
    assert_eq!(reply.status, 200);
    let other: PushResponse = reply.json();
    assert_eq!(other.rejected.len(), 1);
    assert_eq!(
        other.rejected[0].error,
        tiendo_shared::protocol::RejectReason::Invalid
    );
    let all = pull_all(&staff);
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].author, "vhttdl");
}

#[test]
fn bounds_answer_413_or_a_rejection_never_5xx() {
    let server = TestServer::start();
    let staff = server.login("vhttdl");
    let too_many: Vec<_> = (1..=501)
        .map(|seq| progress(seq, "5.1", "in_progress", "x"))
        .collect();
    let reply = staff.push(&client_id(27), too_many);
    assert_eq!(reply.status, 413);
    assert_eq!(reply.error(), ApiError::TooLarge { limit: 500 });

    let long_note = progress(1, "5.1", "in_progress", &"ư".repeat(4001));
    let reply: PushResponse = staff.push(&client_id(27), vec![long_note]).json();
    assert_eq!(reply.last_seq, 1);
    assert_eq!(reply.rejected.len(), 1);
}

#[test]
fn a_server_killed_during_a_long_push_keeps_everything_acknowledged_and_nothing_twice() {
    const TOTAL: u64 = 10_000;
    const BATCH: u64 = 500;
    let dir = tempfile::tempdir().expect("temporary directory");
    let db = dir.path().join("tiendo.sqlite");
    let client = client_id(28);
    let mutation = |seq: u64| progress(seq, "5.1", "in_progress", &format!("lần {seq}"));

    // Push batches from one thread while the server is killed under it.
    let server = ServerProcess::start(&db);
    let staff = server.login("vhttdl");
    let acknowledged = std::thread::scope(|scope| {
        let pusher = scope.spawn(|| {
            let mut acknowledged = 0;
            for start in (1..=TOTAL).step_by(BATCH as usize) {
                let batch: Vec<_> = (start..start + BATCH).map(mutation).collect();
                match staff.try_push(&client, batch) {
                    Some(reply) if reply.status == 200 => {
                        acknowledged = reply.json::<PushResponse>().last_seq
                    }
                    _ => break,
                }
            }
            acknowledged
        });
        // Let a few batches through, then kill it mid-stream.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while std::time::Instant::now() < deadline && pusher_progress(&db) < 3 * BATCH {
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        server.kill();
        pusher.join().expect("pusher")
    });
    assert!(
        acknowledged >= 2 * BATCH,
        "some batches were acknowledged before the kill ({acknowledged})"
    );
    assert!(
        acknowledged < TOTAL,
        "the kill came before the end ({acknowledged})"
    );

    // Restarted on the same file: the device resends everything it holds that was not
    // acknowledged, from the batch that was cut.
    let server = ServerProcess::start(&db);
    let staff = server.login("vhttdl");
    for start in ((acknowledged + 1)..=TOTAL).step_by(BATCH as usize) {
        let end = (start + BATCH).min(TOTAL + 1);
        let reply: PushResponse = staff
            .push(&client, (start..end).map(mutation).collect())
            .json();
        assert_eq!(reply.last_seq, end - 1);
    }
    // `--demo` also seeds the demo cycle's progress; only this device's updates count.
    let all: Vec<_> = pull_all(&staff)
        .into_iter()
        .filter(|u| u.note.as_str().starts_with("lần "))
        .collect();
    assert_eq!(all.len() as u64, TOTAL, "everything, once");
    let distinct: HashSet<_> = all.iter().map(|u| u.mutation_id.clone()).collect();
    assert_eq!(distinct.len() as u64, TOTAL);
    let notes: Vec<_> = all.iter().map(|u| u.note.as_str().to_owned()).collect();
    let expected: Vec<_> = (1..=TOTAL).map(|seq| format!("lần {seq}")).collect();
    assert_eq!(notes, expected, "in order");
}

/// How many updates the database file holds, read from outside the server.
fn pusher_progress(db: &std::path::Path) -> u64 {
    let count = || -> rusqlite::Result<u64> {
        let conn =
            rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        conn.query_row("SELECT count(*) FROM progress_updates", [], |row| {
            row.get(0)
        })
    };
    count().unwrap_or(0)
}

#[test]
fn each_page_says_how_many_changes_remain_after_it() {
    let server = TestServer::start();
    let staff = server.login("vhttdl");
    let mutations = (1..=7)
        .map(|seq| progress(seq, "1.4", "in_progress", &format!("lần {seq}")))
        .collect();
    let _: PushResponse = staff.push(&client_id(77), mutations).json();
    for client in [server.login("sotttt"), staff] {
        let mut total = 0;
        let mut pages = Vec::new();
        let mut cursor = tiendo_shared::protocol::Cursor::START;
        loop {
            let page: PullResponse = client
                .get(&format!(
                    "/api/v1/sync/pull?cursor={cursor}&limit=3&schema_version=2"
                ))
                .json();
            total += page.changes.len() as u64;
            pages.push((total, page.remaining, page.has_more));
            cursor = page.cursor;
            if !page.has_more {
                break;
            }
        }
        assert!(pages.len() >= 3, "{pages:?}");
        for (seen, remaining, has_more) in &pages {
            assert_eq!(seen + remaining, total, "{pages:?}");
            assert_eq!(*remaining > 0, *has_more, "{pages:?}");
        }
    }
}
