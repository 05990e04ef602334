//! The audit trail: every kind of change leaves one row, written with the change (a
//! rejected mutation or a refused command leaves none), read by `tiendo audit` with its
//! filters, and the table refuses to be changed.

use serde_json::{Value, json};
use tiendo_shared::protocol::PushResponse;
use tiendo_tests::cli::{failure, path, stdout, tiendo};
use tiendo_tests::{Client, TestServer, client_id, progress, uuid};

const SEED: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../seed/ke-hoach-215-KH-UBND-2019-kon-tum.md"
);
const OBSERVED: &str = "2019-06-10T09:00:00+07:00";

fn audit(db: &str, filters: &[&str]) -> Vec<Value> {
    let mut args = vec!["audit", "--json", "--db", db];
    args.extend_from_slice(filters);
    let list: Value = serde_json::from_str(&stdout(&tiendo(&args))).expect("json");
    list.as_array().expect("array").clone()
}

fn of_kind<'a>(entries: &'a [Value], kind: &str) -> Vec<&'a Value> {
    entries.iter().filter(|e| e["kind"] == kind).collect()
}

/// Pushes one mutation as the `seq`-th of `device`; it must be applied.
fn apply(client: &Client, device: &str, seq: u64, mut body: Value) {
    body["seq"] = json!(seq);
    body["id"] = json!(uuid(seq, device));
    let reply: PushResponse = client.push(device, vec![body]).json();
    assert_eq!(reply.last_seq, seq);
    assert!(reply.rejected.is_empty(), "{:?}", reply.rejected);
}

fn report(kind: &str, base: Option<i64>) -> Value {
    let mut m = json!({
        "kind": kind, "plan": "215/KH-UBND", "period": "H1-2019",
        "summary": "Cơ bản hoàn thành.", "observed_at": OBSERVED,
        "tasks": [{"task": "5.1", "status": "in_progress", "percent": 60, "results": "Đã họp."}],
    });
    if let Some(base) = base {
        m["base"] = json!(base);
    }
    m
}

#[test]
fn every_kind_of_change_leaves_one_row_with_who_when_and_from_which_device() {
    let server = TestServer::start();
    let db = path(server.db.path());
    // Seeding the built-in plan and the demo accounts is the server's doing.
    let seeded = audit(&db, &[]);
    assert_eq!(of_kind(&seeded, "plan.import").len(), 1);
    assert_eq!(of_kind(&seeded, "account.add").len(), 10);
    assert!(seeded.iter().all(|e| e["actor"] == "server"), "{seeded:?}");

    // From devices: progress, a report saved, submitted and returned.
    let staff = server.login("vhttdl");
    let device = client_id(80);
    let reply: PushResponse = staff
        .push(&device, vec![progress(1, "5.1", "in_progress", "Đã họp")])
        .json();
    assert!(reply.rejected.is_empty());
    // A rejected mutation (a task the plan does not have) leaves nothing.
    let reply: PushResponse = staff
        .push(
            &device,
            vec![progress(2, "99.9", "done", "không có nhiệm vụ này")],
        )
        .json();
    assert_eq!(reply.rejected.len(), 1);
    apply(&staff, &device, 3, report("report.save", None));
    let entries = audit(&db, &[]);
    let saved = of_kind(&entries, "report.save")[0]["detail"]["change"]
        .as_i64()
        .expect("the save's change");
    let head = server.login("vhttdl.lanhdao");
    let head_device = client_id(81);
    apply(&head, &head_device, 1, report("report.submit", Some(saved)));
    let entries = audit(&db, &[]);
    let submitted = of_kind(&entries, "report.submit")[0]["detail"]["version"]
        .as_i64()
        .expect("the submitted version");
    let supervisor = server.login("sotttt");
    apply(
        &supervisor,
        &client_id(82),
        1,
        json!({"kind": "report.review", "plan": "215/KH-UBND", "period": "H1-2019",
               "agency": "so-vhttdl", "version": submitted, "decision": "return",
               "comment": "Bổ sung số liệu.", "observed_at": OBSERVED}),
    );

    // From the command line: accounts, an agency renamed and one merged, a plan.
    let dir = tempfile::tempdir().expect("temporary directory");
    let csv = dir.path().join("accounts.csv");
    std::fs::write(&csv, "moi.mot,Mới Một,so-y-te,staff\n").expect("write");
    stdout(&tiendo(&["user", "import", &path(&csv), "--db", &db]));
    stdout(&tiendo(&["user", "reset-password", "moi.mot", "--db", &db]));
    stdout(&tiendo(&["user", "disable", "moi.mot", "--db", &db]));
    stdout(&tiendo(&[
        "agency",
        "rename",
        "so-y-te",
        "--name",
        "Sở Y tế tỉnh Kon Tum",
        "--db",
        &db,
    ]));
    stdout(&tiendo(&[
        "agency",
        "merge",
        "ban-ton-giao",
        "so-noi-vu",
        "--db",
        &db,
    ]));
    // A refused merge leaves nothing.
    failure(&tiendo(&[
        "agency",
        "merge",
        "so-noi-vu",
        "so-noi-vu",
        "--db",
        &db,
    ]));
    stdout(&tiendo(&["plan", "import", SEED, "--db", &db]));
    stdout(&tiendo(&["plan", "import", SEED, "--dry-run", "--db", &db]));
    // Over HTTP, an administrator's import is theirs.
    let admin = server.login("admin");
    let imported = server.post_raw(
        "/api/v1/plans/import?dry_run=false",
        Some(&admin.token),
        "application/octet-stream",
        &std::fs::read(SEED).expect("the plan"),
    );
    assert_eq!(imported.status, 200, "{}", imported.body);

    let all = audit(&db, &[]);
    assert_eq!(all[..seeded.len()], seeded[..]);
    let entries = &all[seeded.len()..];
    let kinds: Vec<&str> = entries
        .iter()
        .map(|e| e["kind"].as_str().expect("kind"))
        .collect();
    assert_eq!(
        kinds,
        [
            "progress.record",
            "report.save",
            "report.submit",
            "report.review",
            "account.import",
            "account.reset_password",
            "account.disable",
            "agency.rename",
            "agency.merge",
            "plan.import",
            "plan.import",
        ],
        "one row a change, in order; none for what was rejected, refused or a dry run"
    );
    let ids: Vec<i64> = entries
        .iter()
        .map(|e| e["id"].as_i64().expect("id"))
        .collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]));

    let recorded = &entries[0];
    assert_eq!(recorded["actor"], "vhttdl");
    assert_eq!(recorded["client_id"], device.as_str());
    assert_eq!(recorded["device_at"], "2019-06-10T09:00:00+07:00");
    assert_eq!(recorded["agency"], "so-vhttdl");
    assert_eq!(recorded["target"], "215/KH-UBND 5.1");
    assert_eq!(recorded["detail"]["status"], "in_progress");
    assert!(recorded["at"].as_str().expect("server time").ends_with('Z'));
    assert_eq!(entries[2]["actor"], "vhttdl.lanhdao");
    let review = &entries[3];
    assert_eq!(review["actor"], "sotttt");
    assert_eq!(review["agency"], "so-vhttdl");
    assert_eq!(review["target"], "215/KH-UBND H1-2019 agency");
    assert_eq!(review["detail"]["action"], "returned");
    assert_eq!(review["detail"]["comment"], "Bổ sung số liệu.");

    for entry in &entries[4..10] {
        let actor = entry["actor"].as_str().expect("actor");
        assert!(actor.starts_with("cli"), "the command line: {actor}");
        assert!(entry["device_at"].is_null() && entry["client_id"].is_null());
    }
    assert_eq!(entries[4]["target"], "moi.mot");
    assert_eq!(entries[4]["agency"], "so-y-te");
    assert_eq!(entries[4]["detail"]["role"], "staff");
    assert_eq!(entries[7]["detail"]["to"]["name"], "Sở Y tế tỉnh Kon Tum");
    assert_eq!(entries[8]["target"], "ban-ton-giao → so-noi-vu");
    assert_eq!(entries[9]["target"], "215/KH-UBND");
    assert_eq!(entries[10]["actor"], "admin");

    // Filters: by agency, by day (Vietnam time).
    let vhttdl = audit(&db, &["--agency", "so-vhttdl"]);
    let expected: Vec<Value> = all
        .iter()
        .filter(|e| e["agency"] == "so-vhttdl")
        .cloned()
        .collect();
    assert_eq!(vhttdl, expected);
    assert_eq!(
        vhttdl.len(),
        2 + 4,
        "its two demo accounts, and its four changes"
    );
    assert_eq!(audit(&db, &["--since", "2000-01-01"]), all);
    assert!(audit(&db, &["--since", "2999-01-01"]).is_empty());
    let message = failure(&tiendo(&["audit", "--since", "27/11/2026", "--db", &db]));
    assert!(message.contains("expected YYYY-MM-DD"), "{message}");

    // The text listing: one line a row.
    let text = stdout(&tiendo(&["audit", "--db", &db]));
    assert_eq!(text.lines().count(), all.len());
    let line = text.lines().nth(seeded.len()).expect("a line");
    assert!(line.contains("thiết bị: 10/06/2019 09:00"), "{line}");

    // Append-only, whoever opens the file.
    let conn = rusqlite::Connection::open(server.db.path()).expect("open");
    let update = conn.execute("UPDATE audit SET actor = 'someone else'", []);
    assert!(update.unwrap_err().to_string().contains("append-only"));
    let delete = conn.execute("DELETE FROM audit", []);
    assert!(delete.unwrap_err().to_string().contains("append-only"));
    assert_eq!(audit(&db, &[]), all);
}
