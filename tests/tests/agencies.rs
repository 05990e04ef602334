//! Renaming and merging agencies (`tiendo agency rename`, `tiendo agency merge`), run
//! as an administrator runs them, with the server down, and seen afterwards as devices
//! see it: through the pull feed, the plan, the reports listing and signing in.

use std::cell::Cell;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};

use serde_json::{Value, json};
use tiendo_shared::protocol::{
    AgencyChange, Change, Cursor, PlanView, PullResponse, PushResponse, UserInfo,
};
use tiendo_shared::report::{CycleState, ReportScope, ReportsView};
use tiendo_tests::cli::{dump, failure, path, stdout, tiendo};
use tiendo_tests::{Client, TestServer, client_id, progress, tiendo_bin, uuid};

const SEED: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../seed/ke-hoach-215-KH-UBND-2019-kon-tum.md"
);
const QUANG_TRI: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/src/plan/fixtures/quang-tri-2022-mot-cau-tong-hop.md"
);
const PLAN: &str = "215/KH-UBND";
const PERIOD: &str = "H1-2019";
const OBSERVED: &str = "2019-06-10T09:00:00+07:00";
const VHTTDL: &str = "Sở Văn hóa, Thể thao và Du lịch";
const VHTT: &str = "Sở Văn hóa và Thể thao";

// ---- Running the binary ----

/// One text value of the database.
fn query(db: &Path, sql: &str) -> Vec<String> {
    let conn =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .expect("open the database");
    conn.prepare(sql)
        .and_then(|mut s| {
            s.query_map([], |r| r.get(0))?
                .collect::<Result<Vec<String>, _>>()
        })
        .expect(sql)
}

// ---- Devices ----

static DEVICES: AtomicU64 = AtomicU64::new(1);

/// One person's device: its own client id and numbering of mutations.
struct Device {
    client: Client,
    id: String,
    seq: Cell<u64>,
}

impl Device {
    fn new(server: &TestServer, username: &str) -> Device {
        Device {
            client: server.login(username),
            id: client_id(1000 + DEVICES.fetch_add(1, Ordering::Relaxed)),
            seq: Cell::new(0),
        }
    }

    /// Sends one change; it must be applied.
    fn send(&self, mut body: Value) {
        let seq = self.seq.get() + 1;
        self.seq.set(seq);
        body["seq"] = json!(seq);
        body["id"] = json!(uuid(seq, &self.id));
        let reply = self.client.push(&self.id, vec![body]);
        assert_eq!(reply.status, 200, "{}", reply.body);
        let reply: PushResponse = reply.json();
        assert_eq!(reply.last_seq, seq);
        assert!(reply.rejected.is_empty(), "{:?}", reply.rejected);
    }
}

fn record(task: &str, note: &str) -> Value {
    progress(0, task, "in_progress", note)
}

/// A version of the author's agency report for H1-2019 on `tasks`.
fn report(kind: &str, tasks: &[&str]) -> Value {
    let tasks: Vec<Value> = tasks
        .iter()
        .map(|t| json!({"task": t, "status": "in_progress", "results": format!("Kết quả {t}.")}))
        .collect();
    json!({
        "kind": kind, "plan": PLAN, "period": PERIOD,
        "summary": "Cơ bản hoàn thành kế hoạch 6 tháng đầu năm.",
        "tasks": tasks, "observed_at": OBSERVED,
    })
}

/// Every change after the start, as a client of protocol version 2 pulls them, `limit`
/// at a time: the changes, and the cursor after each page.
fn pull_pages(client: &Client, limit: usize) -> (Vec<Change>, Vec<Cursor>) {
    let (mut changes, mut cursors) = (Vec::new(), Vec::new());
    let mut cursor = Cursor::START;
    loop {
        let page: PullResponse = client.pull_schema(cursor, limit, 2).json();
        assert!(!page.reset);
        assert!(page.changes.len() <= limit);
        changes.extend(page.changes);
        cursor = page.cursor;
        cursors.push(cursor);
        if !page.has_more {
            return (changes, cursors);
        }
    }
}

fn change_id(change: &Change) -> i64 {
    match change {
        Change::Progress(u) => u.id,
        Change::Report(e) => e.id,
        Change::Agency(a) => a.id,
        Change::Unknown => panic!("a kind this build knows"),
    }
}

fn agency_changes(changes: &[Change]) -> Vec<&AgencyChange> {
    changes
        .iter()
        .filter_map(|c| match c {
            Change::Agency(a) => Some(a),
            _ => None,
        })
        .collect()
}

fn listing(client: &Client) -> ReportsView {
    let reply = client.get(&format!(
        "/api/v1/reports?plan=215%2FKH-UBND&period={PERIOD}"
    ));
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.json()
}

fn state_of(view: &ReportsView, agency: &str) -> Option<CycleState> {
    view.reports
        .iter()
        .find(|r| r.scope == ReportScope::Agency && r.agency.id.as_str() == agency)
        .map(|r| r.state)
}

/// Every agency the plan view names on some task.
fn named_in_plan(plan: &PlanView) -> Vec<&str> {
    plan.tasks
        .iter()
        .flat_map(|t| t.lead.iter().chain(&t.coordinating))
        .map(|a| a.id.as_str())
        .collect()
}

#[test]
fn a_rename_reaches_every_device_in_the_feeds_order_and_old_clients_never_see_it() {
    let server = TestServer::start();
    Device::new(&server, "vhttdl").send(record("5.2", "trước"));
    let before_rename: PullResponse = server.login("vhttdl").pull_schema(0, 500, 2).json();
    let server = server.restart_with(|db| {
        let out = stdout(&tiendo(&[
            "agency",
            "rename",
            "so-vhttdl",
            "--name",
            VHTT,
            "--short-name",
            "Sở VHTT",
            "--keep-alias",
            "--db",
            &path(db),
        ]));
        assert!(
            out.contains(&format!("renamed so-vhttdl: “{VHTTDL}” → “{VHTT}”")),
            "{out}"
        );
        // The same name again changes nothing, and tells devices nothing.
        let before = dump(db);
        let again = stdout(&tiendo(&[
            "agency",
            "rename",
            "so-vhttdl",
            "--name",
            VHTT,
            "--db",
            &path(db),
        ]));
        assert!(again.contains("nothing changed"), "{again}");
        assert_eq!(dump(db), before);
        let list: Vec<Value> = serde_json::from_str(&stdout(&tiendo(&[
            "agency",
            "list",
            "--json",
            "--db",
            &path(db),
        ])))
        .expect("json");
        let entry = list
            .iter()
            .find(|a| a["id"] == "so-vhttdl")
            .expect("listed");
        assert_eq!(entry["name"], VHTT);
        // The former names are aliases of the agency.
        let aliases = query(
            db,
            "SELECT name FROM agency_aliases WHERE agency_id = 'so-vhttdl' ORDER BY name",
        );
        assert_eq!(aliases, ["Sở VHTTDL", VHTTDL]);
    });
    let staff = Device::new(&server, "vhttdl");
    staff.send(record("5.2", "sau"));

    // In the feed's order, one at a time through the cursor: the update before, the
    // rename, the update after; every update under the new name.
    let (changes, cursors) = pull_pages(&staff.client, 1);
    assert_eq!(changes.len(), 3, "{changes:?}");
    let ids: Vec<i64> = changes.iter().map(change_id).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "{ids:?}");
    let Change::Agency(rename) = &changes[1] else {
        panic!("the rename between the updates: {changes:?}");
    };
    assert_eq!(rename.agency.id.as_str(), "so-vhttdl");
    assert_eq!(rename.agency.name, VHTT);
    assert_eq!(rename.short_name, "Sở VHTT");
    assert_eq!(rename.previous_name, VHTTDL);
    assert_eq!(rename.merged_from, None);
    for change in [&changes[0], &changes[2]] {
        let Change::Progress(update) = change else {
            panic!("an update: {change:?}");
        };
        assert_eq!(update.agency.name, VHTT);
    }
    // A cursor from before the rename holds (a rename changes no one's view but in
    // names), and so does one naming the rename.
    let after_before: PullResponse = staff.client.pull_schema(before_rename.cursor, 10, 2).json();
    assert!(!after_before.reset);
    assert_eq!(
        after_before
            .changes
            .iter()
            .map(change_id)
            .collect::<Vec<_>>(),
        ids[1..]
    );
    let after_rename: PullResponse = staff.client.pull_schema(cursors[1], 10, 2).json();
    assert!(!after_rename.reset);
    assert_eq!(after_rename.changes.len(), 1);
    assert_eq!(change_id(&after_rename.changes[0]), ids[2]);

    // Everyone learns of it, whatever else they may see.
    let (others, _) = pull_pages(&server.login("ngochoi"), 500);
    assert_eq!(agency_changes(&others), [rename]);

    // A client of protocol version 1 never meets the new kind, and its cursor holds.
    let old: PullResponse = staff.client.pull(Cursor::START).json();
    assert_eq!(old.changes.len(), 2);
    assert!(
        old.changes
            .iter()
            .all(|c| matches!(c, Change::Progress(u) if u.agency.name == VHTT))
    );
    let old_again: PullResponse = staff.client.pull(old.cursor).json();
    assert!(!old_again.reset && old_again.changes.is_empty());

    // What the server serves names the agency anew.
    let me: UserInfo = staff.client.get("/api/v1/me").json();
    assert_eq!(me.agency.name, VHTT);
    let plan: PlanView = staff.client.get("/api/v1/plan").json();
    let task = plan.tasks.iter().find(|t| t.number.as_str() == "5.2");
    assert!(
        task.expect("5.2")
            .lead
            .iter()
            .any(|a| a.id.as_str() == "so-vhttdl" && a.name == VHTT)
    );
}

#[test]
fn a_merge_moves_progress_reports_accounts_and_tasks_to_the_agency_joined() {
    let server = TestServer::start();
    let ngoaivu = Device::new(&server, "ngoaivu");
    ngoaivu.send(record("1.4", "Đón 06 đoàn khách quốc tế."));
    let head = Device::new(&server, "ngoaivu.lanhdao");
    head.send(report("report.submit", &["1.4"]));
    Device::new(&server, "vhttdl").send(record("5.2", "Khảo sát famtrip."));
    let version = {
        let (changes, _) = pull_pages(&server.login("sotttt"), 500);
        changes
            .iter()
            .find_map(|c| match c {
                Change::Report(e) if e.agency.id.as_str() == "so-ngoai-vu" => Some(e.version),
                _ => None,
            })
            .expect("the submitted report")
    };
    let old_token = ngoaivu.client.token.clone();
    let before_merge: PullResponse = server.login("vhttdl").pull_schema(0, 500, 2).json();

    let server = server.restart_with(|db| {
        let out = stdout(&tiendo(&[
            "agency",
            "merge",
            "so-ngoai-vu",
            "so-vhttdl",
            "--db",
            &path(db),
        ]));
        assert!(
            out.contains("merged so-ngoai-vu (“Sở Ngoại vụ”) into so-vhttdl"),
            "{out}"
        );
        assert!(out.contains("1 progress updates"), "{out}");
        assert!(out.contains("1 report events"), "{out}");
        assert!(out.contains("2 accounts"), "{out}");
        // No account, task or listing names the merged agency any more.
        for sql in [
            "SELECT username FROM users WHERE agency_id = 'so-ngoai-vu'",
            "SELECT agency_id FROM task_agencies WHERE agency_id = 'so-ngoai-vu'",
            "SELECT agency_id FROM progress_updates WHERE agency_id = 'so-ngoai-vu'",
            "SELECT agency_id FROM report_events WHERE agency_id = 'so-ngoai-vu'",
        ] {
            assert!(query(db, sql).is_empty(), "{sql}");
        }
        let list = stdout(&tiendo(&["agency", "list", "--db", &path(db)]));
        assert!(!list.contains("so-ngoai-vu"), "{list}");
        assert_eq!(
            query(
                db,
                "SELECT name FROM agency_aliases WHERE agency_id = 'so-vhttdl' ORDER BY name"
            ),
            ["Sở NgV", "Sở Ngoại vụ"]
        );
        // The plan imported again, which still names Sở Ngoại vụ, assigns its tasks
        // to the agency it joined and brings no agency back.
        let out = stdout(&tiendo(&["plan", "import", SEED, "--db", &path(db)]));
        assert!(out.starts_with("updated 215/KH-UBND (20 tasks)"), "{out}");
        assert!(!out.contains("Sở Ngoại vụ"), "{out}");
        assert!(
            query(
                db,
                "SELECT agency_id FROM task_agencies WHERE agency_id = 'so-ngoai-vu'"
            )
            .is_empty()
        );
    });

    // The merged agency's people sign in at the agency it joined, and so does a
    // session from before the merge.
    let moved = Device::new(&server, "ngoaivu");
    for client in [&moved.client, &server.login_with_token(&old_token)] {
        let me: UserInfo = client.get("/api/v1/me").json();
        assert_eq!(me.agency.id.as_str(), "so-vhttdl");
        assert_eq!(me.agency.name, VHTTDL);
    }
    // Its tasks are the joined agency's, and nothing names it.
    let plan: PlanView = moved.client.get("/api/v1/plan").json();
    assert!(!named_in_plan(&plan).contains(&"so-ngoai-vu"));
    for number in ["1.4", "5.2"] {
        let task = plan.tasks.iter().find(|t| t.number.as_str() == number);
        assert!(task.expect(number).assigned, "{number}");
    }
    // A task both led is led by the joined agency once.
    let both = plan
        .tasks
        .iter()
        .find(|t| t.lead_text.contains("Sở Ngoại vụ") && t.lead_text.contains(VHTTDL))
        .expect("a task both led");
    let leads: Vec<&str> = both.lead.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(
        leads.iter().filter(|id| **id == "so-vhttdl").count(),
        1,
        "{leads:?}"
    );
    moved.send(record(
        "5.2",
        "Nay là cán bộ của Sở Văn hóa, Thể thao và Du lịch.",
    ));

    // A merge widens what people see, and devices hold nothing of what they did not
    // see before: a cursor from before it starts the device over, once.
    let staff = server.login("vhttdl");
    let reset: PullResponse = staff.pull_schema(before_merge.cursor, 500, 2).json();
    assert!(reset.reset);
    let again: PullResponse = staff.pull_schema(reset.cursor, 500, 2).json();
    assert!(!again.reset && again.changes.is_empty());
    // Devices see the progress and the report under the joined agency, and the
    // merge itself last.
    let (changes, _) = pull_pages(&staff, 2);
    let notes: Vec<(&str, &str)> = changes
        .iter()
        .filter_map(|c| match c {
            Change::Progress(u) => Some((u.agency.id.as_str(), u.note.as_str())),
            _ => None,
        })
        .collect();
    assert_eq!(
        notes,
        [
            ("so-vhttdl", "Đón 06 đoàn khách quốc tế."),
            ("so-vhttdl", "Khảo sát famtrip."),
            (
                "so-vhttdl",
                "Nay là cán bộ của Sở Văn hóa, Thể thao và Du lịch."
            )
        ]
    );
    assert!(changes.iter().any(
        |c| matches!(c, Change::Report(e) if e.agency.id.as_str() == "so-vhttdl" && e.version == version)
    ));
    let merges = agency_changes(&changes);
    assert_eq!(merges.len(), 1);
    assert_eq!(
        merges[0].merged_from.as_ref().map(|a| a.as_str()),
        Some("so-ngoai-vu")
    );
    assert_eq!(merges[0].agency.id.as_str(), "so-vhttdl");
    assert_eq!(merges[0].previous_name, "Sở Ngoại vụ");

    // The department lists the report under the joined agency, and a review queued
    // before the merge, naming the merged agency, judges it.
    let supervisor = Device::new(&server, "sotttt");
    let before = listing(&supervisor.client);
    assert_eq!(state_of(&before, "so-ngoai-vu"), None);
    assert_eq!(state_of(&before, "so-vhttdl"), Some(CycleState::Submitted));
    supervisor.send(json!({
        "kind": "report.review", "plan": PLAN, "period": PERIOD, "agency": "so-ngoai-vu",
        "version": version, "decision": "accept", "comment": "", "observed_at": OBSERVED,
    }));
    assert_eq!(
        state_of(&listing(&supervisor.client), "so-vhttdl"),
        Some(CycleState::Accepted)
    );
}

#[test]
fn a_command_merged_into_one_of_its_units_gives_it_its_place_and_its_other_units() {
    let server = TestServer::start().restart_with(|db| {
        let out = stdout(&tiendo(&[
            "agency",
            "merge",
            "bdbp",
            "bdbp-don-bo-y",
            "--db",
            &path(db),
        ]));
        assert!(out.contains("4 units under it"), "{out}");
    });
    let plan: PlanView = server.login("sotttt").get("/api/v1/plan").json();
    let parent_of = |id: &str| {
        plan.parents
            .iter()
            .find(|p| p.id.as_str() == id)
            .map(|p| p.parent.as_str().to_owned())
    };
    assert_eq!(
        parent_of("bdbp-don-bo-y"),
        None,
        "it takes the command's place"
    );
    assert_eq!(
        parent_of("bdbp-don-mo-rai").as_deref(),
        Some("bdbp-don-bo-y")
    );
    assert!(!named_in_plan(&plan).contains(&"bdbp"));
    let period = plan
        .reporting
        .iter()
        .find(|r| r.period.code() == PERIOD)
        .expect(PERIOD);
    let reporters: Vec<&str> = period
        .reporters
        .iter()
        .map(|r| r.agency.id.as_str())
        .collect();
    assert!(reporters.contains(&"bdbp-don-bo-y"), "{reporters:?}");
    assert!(!reporters.contains(&"bdbp"), "{reporters:?}");
    let me: UserInfo = server.login("bdbp.lanhdao").get("/api/v1/me").json();
    assert_eq!(me.agency.id.as_str(), "bdbp-don-bo-y");
}

#[test]
fn a_merge_that_would_join_two_reports_of_one_period_is_refused_and_changes_nothing() {
    let server = TestServer::start();
    Device::new(&server, "ngoaivu.lanhdao").send(report("report.save", &["1.4"]));
    Device::new(&server, "vhttdl.lanhdao").send(report("report.save", &["5.2"]));
    drop(server.restart_with(|db| {
        let before = dump(db);
        let message = failure(&tiendo(&[
            "agency",
            "merge",
            "so-ngoai-vu",
            "so-vhttdl",
            "--db",
            &path(db),
        ]));
        assert!(
            message.contains("would join two reports of one period: H1-2019 of plan 215/KH-UBND"),
            "{message}"
        );
        assert_eq!(dump(db), before);
    }));
}

#[test]
fn unknown_same_merged_and_other_provinces_agencies_are_refused_and_change_nothing() {
    drop(TestServer::start().restart_with(|db| {
        let db_arg = path(db);
        let out = stdout(&tiendo(&["plan", "import", QUANG_TRI, "--db", &db_arg]));
        assert!(out.starts_with("imported"), "{out}");
        let quang_tri = query(
            db,
            "SELECT id FROM agencies WHERE province = 'quang-tri' ORDER BY id LIMIT 1",
        );
        let quang_tri = quang_tri[0].as_str();
        let out = stdout(&tiendo(&[
            "agency",
            "merge",
            "bdbp-don-ia-dal",
            "bdbp-don-mo-rai",
            "--db",
            &db_arg,
        ]));
        assert!(out.contains("merged bdbp-don-ia-dal"), "{out}");

        let before = dump(db);
        for (args, expected) in [
            (vec!["merge", "khong-co", "so-vhttdl"], "no agency khong-co"),
            (vec!["merge", "so-vhttdl", "khong-co"], "no agency khong-co"),
            (vec!["merge", "so-vhttdl", "so-vhttdl"], "the same agency"),
            (vec!["merge", "so-vhttdl", quang_tri], "different provinces"),
            (
                vec!["merge", "bdbp-don-ia-dal", "bdbp"],
                "was merged into bdbp-don-mo-rai",
            ),
            (
                vec!["merge", "bdbp", "bdbp-don-ia-dal"],
                "was merged into bdbp-don-mo-rai",
            ),
            (
                vec!["rename", "bdbp-don-ia-dal", "--name", "Đồn mới"],
                "was merged into bdbp-don-mo-rai",
            ),
            (vec!["rename", "khong-co", "--name", "Sở Mới"], "no agency"),
            (
                vec!["rename", "so-vhttdl", "--name", "  "],
                "must not be empty",
            ),
            (
                vec!["rename", "so-vhttdl", "--name", "Sở Ngoại Vụ"],
                "so-ngoai-vu is already named",
            ),
        ] {
            let mut all = vec!["agency"];
            all.extend(args.iter().copied());
            all.extend(["--db", db_arg.as_str()]);
            let message = failure(&tiendo(&all));
            assert!(message.contains(expected), "{args:?}: {message}");
            assert_eq!(dump(db), before, "{args:?} changed nothing");
        }
        // No new account joins a merged agency.
        let mut add = Command::new(tiendo_bin())
            .args([
                "user",
                "add",
                "--username",
                "moi",
                "--agency",
                "bdbp-don-ia-dal",
                "--role",
                "staff",
                "--db",
                &db_arg,
            ])
            .env("RUST_LOG", "warn")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run tiendo");
        std::io::Write::write_all(
            &mut add.stdin.take().expect("stdin"),
            "một mật khẩu dài".as_bytes(),
        )
        .expect("password");
        assert!(!add.wait_with_output().expect("output").status.success());
        assert_eq!(dump(db), before);
    }));
}
