//! `tiendo backup` of a live server taking pushes, and `tiendo restore`: after a
//! restore, every update a device had acknowledged, sent again, is stored exactly once;
//! a restore is refused while the server runs, and for a file that is not a whole
//! tiendo database, changing nothing.

use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde_json::Value;
use tiendo_shared::error::ApiError;
use tiendo_shared::protocol::{Cursor, PullResponse, PushResponse};
use tiendo_tests::cli::{dump, failure, path, stdout, tiendo};
use tiendo_tests::{ServerProcess, client_id, progress};

/// Waits until `done` holds, failing the test after 60 s.
fn wait_for(what: &str, done: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Reads one number from a database file, from outside the server.
fn number(db: &Path, sql: &str, client: &str) -> u64 {
    let conn =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .expect("open the database");
    conn.query_row(sql, [client], |row| row.get(0))
        .expect("query")
}

#[test]
fn a_restored_server_takes_what_devices_send_again_exactly_once() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let db = dir.path().join("tiendo.sqlite");
    let backup = dir.path().join("backup.sqlite");
    let client = client_id(60);
    let mutation = |seq: u64| progress(seq, "5.1", "in_progress", &format!("bản {seq}"));

    let server = ServerProcess::start(&db);
    let staff = server.login("vhttdl");
    let first: PushResponse = staff.push(&client, (1..=10).map(mutation).collect()).json();
    assert_eq!(first.last_seq, 10);

    // The device pushes one update at a time while the backup is taken, and goes on
    // after it.
    let acknowledged = AtomicU64::new(10);
    let stop = AtomicBool::new(false);
    let report = std::thread::scope(|scope| {
        scope.spawn(|| {
            let mut seq = 11;
            while !stop.load(Ordering::SeqCst) {
                let reply = staff.push(&client, vec![mutation(seq)]);
                assert_eq!(reply.status, 200, "{:?}", reply.body);
                acknowledged.store(reply.json::<PushResponse>().last_seq, Ordering::SeqCst);
                seq += 1;
            }
        });
        wait_for("pushes before the backup", || {
            acknowledged.load(Ordering::SeqCst) >= 20
        });
        let report = stdout(&tiendo(&["backup", &path(&backup), "--db", &path(&db)]));
        let after_backup = acknowledged.load(Ordering::SeqCst);
        wait_for("pushes after the backup", || {
            acknowledged.load(Ordering::SeqCst) >= after_backup + 20
        });
        stop.store(true, Ordering::SeqCst);
        report
    });
    let acknowledged = acknowledged.load(Ordering::SeqCst);
    assert!(report.starts_with("backed up "), "{report}");

    // The copy is the database as of one commit: the device's high-water mark and its
    // updates agree, and it is behind what the device was told.
    let backed_up = number(
        &backup,
        "SELECT last_seq FROM clients WHERE client_id = ?1",
        &client,
    );
    let updates_backed_up = number(
        &backup,
        "SELECT count(*) FROM progress_updates WHERE client_id = ?1",
        &client,
    );
    assert_eq!(updates_backed_up, backed_up, "a consistent copy");
    assert!(
        (20..acknowledged).contains(&backed_up),
        "the backup ({backed_up}) holds less than was acknowledged ({acknowledged})"
    );
    let mut cursor = Cursor::START;
    loop {
        let page: PullResponse = staff.pull(cursor).json();
        cursor = page.cursor;
        if !page.has_more {
            break;
        }
    }

    // Not while the server runs; then with the server killed (its log left behind).
    let refused = failure(&tiendo(&["restore", &path(&backup), "--db", &path(&db)]));
    assert!(refused.contains("is running on"), "{refused}");
    assert!(refused.contains("nothing was changed"), "{refused}");
    server.kill();
    let restored = stdout(&tiendo(&["restore", &path(&backup), "--db", &path(&db)]));
    assert!(restored.starts_with("restored "), "{restored}");
    assert_eq!(
        number(
            &db,
            "SELECT last_seq FROM clients WHERE client_id = ?1",
            &client
        ),
        backed_up
    );

    let server = ServerProcess::start(&db);
    let staff = server.login("vhttdl");
    // Its next new update is refused: the server expects a seq the device had
    // already been told was applied.
    let next = staff.push(&client, vec![mutation(acknowledged + 1)]);
    assert_eq!(next.status, 409, "{:?}", next.body);
    assert_eq!(
        next.error(),
        ApiError::OutOfOrder {
            expected: backed_up + 1
        }
    );
    // The device learns of the restore at its next pull too, whatever its cursor names.
    let pulled: PullResponse = staff.pull(cursor).json();
    assert!(pulled.reset, "a cursor from before a restore resets");
    // An empty push tells it how far the server got.
    let told: PushResponse = staff.push(&client, vec![]).json();
    assert_eq!(told.last_seq, backed_up);
    // It sends again everything it holds, under the same client id, ids and seqs.
    for _ in 0..2 {
        let mut last_seq = 0;
        for start in (1..=acknowledged).step_by(100) {
            let end = (start + 99).min(acknowledged);
            let reply: PushResponse = staff
                .push(&client, (start..=end).map(mutation).collect())
                .json();
            assert!(reply.rejected.is_empty(), "{:?}", reply.rejected);
            last_seq = reply.last_seq;
        }
        assert_eq!(last_seq, acknowledged);
    }
    // Then its queue goes on.
    let next: PushResponse = staff.push(&client, vec![mutation(acknowledged + 1)]).json();
    assert_eq!(next.last_seq, acknowledged + 1);
    let acknowledged = acknowledged + 1;

    let conn =
        rusqlite::Connection::open_with_flags(&db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .expect("open the database");
    let stored: Vec<(String, u64, String)> = conn
        .prepare(
            "SELECT mutation_id, seq, note FROM progress_updates WHERE client_id = ?1 ORDER BY seq",
        )
        .and_then(|mut s| {
            s.query_map([&client], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                .collect::<Result<_, _>>()
        })
        .expect("updates");
    let expected: Vec<(String, u64, String)> = (1..=acknowledged)
        .map(|seq| {
            let m = mutation(seq);
            let id = m["id"].as_str().expect("id").to_owned();
            (id, seq, format!("bản {seq}"))
        })
        .collect();
    assert_eq!(stored, expected, "every acknowledged update, exactly once");
}

#[test]
fn a_restore_refuses_what_is_not_a_whole_tiendo_database_and_changes_nothing() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let db = dir.path().join("tiendo.sqlite");
    stdout(&tiendo(&["agency", "list", "--db", &path(&db)]));
    let good = dir.path().join("good.sqlite");
    stdout(&tiendo(&["backup", &path(&good), "--db", &path(&db)]));
    let before = dump(&db);
    let files = || {
        let mut names: Vec<String> = std::fs::read_dir(dir.path())
            .expect("list")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    let listed = files();

    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "không phải cơ sở dữ liệu\n".repeat(200)).expect("write");
    let empty = dir.path().join("empty.sqlite");
    rusqlite::Connection::open(&empty)
        .and_then(|c| c.execute_batch("CREATE TABLE t (x)"))
        .expect("an empty database");
    let newer = dir.path().join("newer.sqlite");
    std::fs::copy(&good, &newer).expect("copy");
    rusqlite::Connection::open(&newer)
        .and_then(|c| c.pragma_update(None, "user_version", 999))
        .expect("a newer schema");
    let damaged = dir.path().join("damaged.sqlite");
    let mut bytes = std::fs::read(&good).expect("read");
    let (page, end) = (4096, bytes.len() - 4096);
    for b in &mut bytes[2 * page..end] {
        *b = 0x5a;
    }
    std::fs::write(&damaged, bytes).expect("write");
    let missing = dir.path().join("missing.sqlite");
    let listed_with_bad = files();

    for (file, why) in [
        (&text, "is not a tiendo database"),
        (&empty, "is not a tiendo database"),
        (&newer, "newer version of tiendo"),
        (&damaged, "damaged"),
        (&missing, "there is no database file"),
    ] {
        let message = failure(&tiendo(&["restore", &path(file), "--db", &path(&db)]));
        assert!(message.contains(why), "{}: {message}", file.display());
        assert!(message.contains(&path(file)), "names the file: {message}");
        assert_eq!(dump(&db), before, "{}: nothing changed", file.display());
        assert_eq!(files(), listed_with_bad, "no file left behind");
    }
    assert!(listed.iter().all(|f| listed_with_bad.contains(f)));

    // A backup over the database itself is refused.
    let message = failure(&tiendo(&["backup", &path(&db), "--db", &path(&db)]));
    assert!(message.contains("is the database itself"), "{message}");
    assert_eq!(dump(&db), before);

    // A backup of no database says so, and writes nothing.
    let message = failure(&tiendo(&[
        "backup",
        &path(&dir.path().join("copy.sqlite")),
        "--db",
        &path(&missing),
    ]));
    assert!(message.contains("there is no database file"), "{message}");
    assert_eq!(files(), listed_with_bad);

    // The good copy restores, and the database reads as before, with its restore
    // noted and audited (and the audit's sequence moved on).
    let noted = |row: &String| {
        ["restores: ", "audit: ", "sqlite_sequence: "]
            .iter()
            .any(|table| row.starts_with(table))
    };
    let (noted_before, content_before): (Vec<String>, Vec<String>) =
        before.iter().cloned().partition(noted);
    stdout(&tiendo(&["restore", &path(&good), "--db", &path(&db)]));
    let (noted_after, content_after): (Vec<String>, Vec<String>) =
        dump(&db).into_iter().partition(noted);
    assert_eq!(content_after, content_before);
    let restore_rows = |rows: &[String]| {
        rows.iter()
            .filter(|r| r.starts_with("restores: ") || r.starts_with("audit: "))
            .count()
    };
    assert_eq!(restore_rows(&noted_after), restore_rows(&noted_before) + 2);
    let restores: i64 = rusqlite::Connection::open(&db)
        .and_then(|c| {
            c.query_row(
                "SELECT count(*) FROM audit WHERE kind = 'database.restore' AND target = ?1",
                [path(&good)],
                |r| r.get(0),
            )
        })
        .expect("the audit trail");
    assert_eq!(restores, 1);

    // Onto a machine with no database yet.
    let fresh = dir.path().join("new").join("tiendo.sqlite");
    std::fs::create_dir(dir.path().join("new")).expect("directory");
    stdout(&tiendo(&["restore", &path(&good), "--db", &path(&fresh)]));
    let (_, restored): (Vec<String>, Vec<String>) = dump(&fresh).into_iter().partition(noted);
    assert_eq!(restored, content_before);
    let agencies: Value = serde_json::from_str(&stdout(&tiendo(&[
        "agency",
        "list",
        "--json",
        "--db",
        &path(&db),
    ])))
    .expect("json");
    assert!(!agencies.as_array().expect("list").is_empty());
}
