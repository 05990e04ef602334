//! Upgrading: a database made by the first schema (migration 0001 only), as that version
//! of the server left it — `tests/fixtures/schema-0001.sql`, written by
//! `tests/fixtures/make-schema-0001.sh` — is brought to the current schema by the
//! current server with nothing lost: every row of every table is still there with
//! every value it had, and what people and devices wrote is readable through the API.

use std::collections::BTreeSet;

use rusqlite::Connection;
use rusqlite::types::Value as Sql;
use serde_json::{Value, json};
use tiendo_tests::{ServerProcess, progress};

const FIXTURE: &str = include_str!("../fixtures/schema-0001.sql");

/// Every row of `table`, restricted to `columns`, as a set of rows of values (shown
/// with their SQLite types, so that 1 and '1' differ).
fn rows(conn: &Connection, table: &str, columns: &[String]) -> BTreeSet<Vec<String>> {
    let list = columns
        .iter()
        .map(|c| format!("\"{c}\""))
        .collect::<Vec<_>>()
        .join(", ");
    let mut statement = conn
        .prepare(&format!("SELECT {list} FROM \"{table}\""))
        .unwrap_or_else(|e| panic!("{table}: {e}"));
    statement
        .query_map([], |row| {
            (0..columns.len())
                .map(|i| row.get::<_, Sql>(i).map(|v| format!("{v:?}")))
                .collect()
        })
        .and_then(|rows| rows.collect())
        .expect("rows")
}

/// The first column of each row of `sql`, as text.
fn strings(conn: &Connection, sql: &str) -> Vec<String> {
    conn.prepare(sql)
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// The two text columns of each row of `sql`.
fn pairs(conn: &Connection, sql: &str) -> BTreeSet<(String, String)> {
    conn.prepare(sql)
        .and_then(|mut s| s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect())
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

#[test]
fn a_first_schema_database_upgrades_with_nothing_lost() {
    let old = Connection::open_in_memory().expect("memory");
    old.execute_batch(FIXTURE).expect("the fixture loads");
    let version: i64 = old
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .expect("version");
    assert_eq!(version, 1, "the fixture is of the first schema");

    let dir = tempfile::tempdir().expect("temporary directory");
    let db = dir.path().join("tiendo.sqlite");
    Connection::open(&db)
        .and_then(|conn| conn.execute_batch(FIXTURE))
        .expect("write the old database");
    // As on a real deployment: no demo accounts or data added, only the migrations.
    let server = ServerProcess::start_plain(&db);

    // Every row of every table of the first schema, with every value it had.
    let new = Connection::open_with_flags(&db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .expect("open the upgraded database");
    let tables = strings(
        &old,
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    );
    assert!(tables.len() >= 9, "{tables:?}");
    for table in &tables {
        // A plan's document is compared below: one part of it is rewritten on purpose.
        let columns: Vec<String> = strings(
            &old,
            &format!("SELECT name FROM pragma_table_info('{table}')"),
        )
        .into_iter()
        .filter(|c| !(table == "plans" && c == "document"))
        .collect();
        let before = rows(&old, table, &columns);
        assert!(!before.is_empty(), "the fixture has rows in {table}");
        let after = rows(&new, table, &columns);
        let lost: Vec<_> = before.difference(&after).collect();
        assert!(lost.is_empty(), "{table} lost {lost:?}");
    }
    // The plan documents are kept whole, but for their reporting periods, which the
    // first versions wrote as a kind and a year and the calendar now reads as a code
    // (migration 0013).
    for (id, document) in pairs(&old, "SELECT CAST(id AS TEXT), document FROM plans") {
        let mut expected: Value = serde_json::from_str(&document).expect("old document");
        for period in expected["reporting"].as_array_mut().expect("reporting") {
            let period = period.as_object_mut().expect("a period");
            let kind = period.remove("kind").expect("kind");
            let year = period.remove("year").expect("year");
            let code = if kind == "half_year" { "H1" } else { "Y" };
            period.insert("period".into(), json!(format!("{code}-{year}")));
        }
        let stored: String = new
            .query_row("SELECT document FROM plans WHERE id = ?1", [&id], |r| {
                r.get(0)
            })
            .expect("the plan is there");
        let stored: Value = serde_json::from_str(&stored).expect("new document");
        assert_eq!(stored, expected, "plan {id}");
    }

    let schema: i64 = new
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .expect("version");
    assert!(schema > 1, "migrated to {schema}");

    // The view version's triggers (migration 0014) survive every later migration: a
    // migration that rebuilds one of these tables drops its triggers with it, and the
    // server would then answer 304 for a plan that changed.
    let triggers = pairs(
        &new,
        "SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'view_version_%'",
    );
    for table in ["plans", "tasks", "task_agencies", "agencies"] {
        for change in ["insert", "update", "delete"] {
            let name = format!("view_version_{table}_{change}");
            assert!(
                triggers.contains(&(name.clone(), table.to_owned())),
                "{name} on {table}: {triggers:?}"
            );
        }
    }

    // Every account signs in with the password it had.
    let usernames = strings(&old, "SELECT username FROM users ORDER BY id");
    for username in &usernames {
        let password = if username == "chuyenvien.cu" {
            "mat-khau-cu"
        } else {
            "tiendo2019"
        };
        let response = ureq::post(&server.url("/api/v1/login"))
            .send_json(json!({"username": username, "password": password}));
        assert!(response.is_ok(), "{username} signs in: {response:?}");
    }

    // Every task of the plan, under its number and title.
    let supervisor = server.login("sotttt");
    let plan = supervisor.get("/api/v1/plan");
    assert_eq!(plan.status, 200, "{:?}", plan.body);
    let served: BTreeSet<(String, String)> = plan.body["tasks"]
        .as_array()
        .expect("tasks")
        .iter()
        .map(|t| {
            (
                t["number"].as_str().expect("number").to_owned(),
                t["title"].as_str().expect("title").to_owned(),
            )
        })
        .collect();
    assert_eq!(served, pairs(&old, "SELECT number, title FROM tasks"));

    // The plan's reporting calendar reads: the first half's reports are listed.
    let reports =
        supervisor.get("/api/v1/reports?plan=215/KH-UBND&period=H1-2019&as_of=2019-07-01");
    assert_eq!(reports.status, 200, "{:?}", reports.body);

    // Every agency, under its name, in the administrator's registry.
    let admin = server.login("admin");
    let registry = admin.get("/api/v1/agencies");
    assert_eq!(registry.status, 200, "{:?}", registry.body);
    let listed: BTreeSet<(String, String)> = registry
        .body
        .as_array()
        .expect("agencies")
        .iter()
        .map(|a| {
            (
                a["id"].as_str().expect("id").to_owned(),
                a["name"].as_str().expect("name").to_owned(),
            )
        })
        .collect();
    for agency in pairs(&old, "SELECT id, name FROM agencies") {
        assert!(listed.contains(&agency), "{agency:?} is listed");
    }

    // Every progress update, as it was written, in the supervisor's pull.
    let mut pulled = Vec::new();
    let mut cursor = "0".to_owned();
    loop {
        let page = supervisor.pull(&cursor);
        assert_eq!(page.status, 200, "{:?}", page.body);
        pulled.extend(page.body["changes"].as_array().expect("changes").clone());
        cursor = page.body["cursor"].as_str().expect("cursor").to_owned();
        if page.body["has_more"] != true {
            break;
        }
    }
    let mut statement = old
        .prepare("SELECT mutation_id, status, percent, note, conflict FROM progress_updates")
        .expect("select");
    let updates: Vec<(String, String, Option<i64>, String, bool)> = statement
        .query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })
        .and_then(|rows| rows.collect())
        .expect("updates");
    assert!(updates.len() >= 5, "{updates:?}");
    for (id, status, percent, note, conflict) in updates {
        let change = pulled
            .iter()
            .find(|c| c["kind"] == "progress" && c["mutation_id"] == id.as_str())
            .unwrap_or_else(|| panic!("{id} is pulled"));
        assert_eq!(change["status"], status.as_str(), "{change}");
        assert_eq!(change["percent"], json!(percent), "{change}");
        assert_eq!(change["note"], note.as_str(), "{change}");
        assert_eq!(change["results"], note.as_str(), "the note is the results");
        assert_eq!(change["conflict"], conflict, "{change}");
    }

    // Each device goes on where it stopped: its next update is taken, and an update it
    // had sent before is acknowledged again, not applied twice.
    let (client, last_seq): (String, i64) = old
        .query_row(
            "SELECT c.client_id, c.last_seq FROM clients c JOIN users u ON u.id = c.user_id
             WHERE u.username = 'vhttdl' ORDER BY c.last_seq DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("vhttdl's device");
    let staff = server.login("vhttdl");
    let next = last_seq as u64 + 1;
    let answer = staff.push(
        &client,
        vec![progress(next, "1.1", "done", "Sau khi nâng cấp")],
    );
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    assert_eq!(answer.body["last_seq"], next);
    assert_eq!(answer.body["rejected"], json!([]));

    server.terminate();
    assert!(server.wait(std::time::Duration::from_secs(30)).success());
}
