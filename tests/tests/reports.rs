//! The reporting cycle of section IV of the plan, black-box: report saves, submissions
//! and reviews pushed through the sync queue by each role, the listing of where every
//! report stands, and report events in the pull feed beside progress updates.
//!
//! The server stamps what it receives with its own clock, years after the H1-2019
//! deadline, so everything submitted over HTTP here is late; the one test of a report
//! in on time pushes through the database as if received in 2019, as the demo seeding
//! does.

use std::cell::Cell;
use std::sync::atomic::{AtomicU64, Ordering};

use serde_json::{Value, json};
use tiendo_backend::auth::hash_password;
use tiendo_backend::db::{NewUser, PushOutcome};
use tiendo_shared::date::parse_rfc3339;
use tiendo_shared::error::ApiError;
use tiendo_shared::ids::{AgencyId, ClientId};
use tiendo_shared::protocol::{
    Change, Cursor, MutationEnvelope, PlanView, ProgressUpdate, PullResponse, PushResponse,
    RejectReason, Role,
};
use tiendo_shared::report::{
    CycleState, ReportAction, ReportEntry, ReportEvent, ReportScope, ReportsView,
};
use tiendo_tests::{Client, TestServer, client_id, progress, uuid};

const PLAN: &str = "215/KH-UBND";
const PLAN_QUERY: &str = "215%2FKH-UBND";
const PERIOD: &str = "H1-2019";
/// When the people of these tests acted, by their devices' clocks: before the deadline.
const OBSERVED: &str = "2019-06-10T09:00:00+07:00";
/// A day before the agencies' deadline (15/6/2019) and one after it.
const BEFORE_DEADLINE: &str = "2019-06-14";
const AFTER_DEADLINE: &str = "2019-06-20";
const SUPERVISOR_NAME: &str = "Nguyễn Thị Hồng Nhung";
const RETURN_COMMENT: &str = "Bổ sung số liệu kết quả nhiệm vụ 5.1.";

const FORBIDDEN: Result<(), RejectReason> = Err(RejectReason::Forbidden);
const NOT_EDITABLE: Result<(), RejectReason> = Err(RejectReason::NotEditable);
const NOT_SUBMITTED: Result<(), RejectReason> = Err(RejectReason::NotSubmitted);

static DEVICES: AtomicU64 = AtomicU64::new(1);

/// One person's device: its own client id and its own numbering of mutations.
struct Device {
    client: Client,
    id: String,
    seq: Cell<u64>,
}

impl Device {
    fn new(server: &TestServer, username: &str) -> Device {
        Device {
            client: server.login(username),
            id: client_id(DEVICES.fetch_add(1, Ordering::Relaxed)),
            seq: Cell::new(0),
        }
    }

    /// `body` as this device's next mutation, with an id of its own.
    fn next(&self, mut body: Value) -> Value {
        let seq = self.seq.get() + 1;
        self.seq.set(seq);
        body["seq"] = json!(seq);
        body["id"] = json!(uuid(seq, &self.id));
        body
    }

    /// Pushes mutations already numbered; the push itself must succeed.
    fn push(&self, mutations: Vec<Value>) -> PushResponse {
        let reply = self.client.push(&self.id, mutations);
        assert_eq!(reply.status, 200, "{}", reply.body);
        reply.json()
    }

    /// Sends one change and tells what became of it: applied, or rejected for good
    /// with which reason.
    fn send(&self, body: Value) -> Result<(), RejectReason> {
        let mutation = self.next(body);
        let seq = self.seq.get();
        let reply = self.push(vec![mutation]);
        assert_eq!(reply.last_seq, seq, "the mutation is consumed either way");
        match reply.rejected.as_slice() {
            [] => Ok(()),
            [rejection] => {
                assert_eq!(rejection.seq, seq);
                Err(rejection.error)
            }
            more => panic!("one mutation, several rejections: {more:?}"),
        }
    }
}

/// A version of the author's agency report for H1-2019 on `tasks`.
fn write(kind: &str, tasks: &[String], base: Option<i64>) -> Value {
    let tasks: Vec<Value> = tasks
        .iter()
        .map(|t| {
            json!({
                "task": t,
                "status": "in_progress",
                "percent": 60,
                "results": format!("Kết quả nhiệm vụ {t}."),
                "difficulties": "Kinh phí còn hạn chế.",
                "proposals": "Đề nghị bổ sung kinh phí.",
            })
        })
        .collect();
    let mut m = json!({
        "kind": kind,
        "plan": PLAN,
        "period": PERIOD,
        "summary": "Cơ bản hoàn thành kế hoạch 6 tháng đầu năm.",
        "tasks": tasks,
        "observed_at": OBSERVED,
    });
    if let Some(base) = base {
        m["base"] = json!(base);
    }
    m
}

fn save(tasks: &[String], base: Option<i64>) -> Value {
    write("report.save", tasks, base)
}

fn submit(tasks: &[String], base: Option<i64>) -> Value {
    write("report.submit", tasks, base)
}

/// A version of the consolidated report.
fn consolidated(kind: &str, tasks: &[String], base: Option<i64>) -> Value {
    with(write(kind, tasks, base), "scope", json!("consolidated"))
}

/// The department's decision on `agency`'s H1-2019 report, version `version`.
fn review(agency: &str, version: i64, decision: &str, comment: &str) -> Value {
    json!({
        "kind": "report.review",
        "plan": PLAN,
        "period": PERIOD,
        "agency": agency,
        "version": version,
        "decision": decision,
        "comment": comment,
        "observed_at": OBSERVED,
    })
}

/// `m` with `field` set to `value`.
fn with(mut m: Value, field: &str, value: Value) -> Value {
    m[field] = value;
    m
}

/// The agencies that must report for H1-2019, each with its tasks, in the plan's order
/// as a supervisor reads it.
fn reporters(server: &TestServer) -> Vec<(String, Vec<String>)> {
    let plan: PlanView = server.login("sotttt").get("/api/v1/plan").json();
    let period = plan
        .reporting
        .iter()
        .find(|r| r.period.code() == PERIOD)
        .expect(PERIOD);
    period
        .reporters
        .iter()
        .map(|r| {
            (
                r.agency.id.as_str().to_owned(),
                r.tasks.iter().map(|t| t.as_str().to_owned()).collect(),
            )
        })
        .collect()
}

/// The tasks `agency` reports on for H1-2019.
fn tasks_of(server: &TestServer, agency: &str) -> Vec<String> {
    let tasks = reporters(server)
        .into_iter()
        .find(|(a, _)| a == agency)
        .unwrap_or_else(|| panic!("{agency} reports for {PERIOD}"))
        .1;
    assert!(!tasks.is_empty(), "{agency} has tasks in {PERIOD}");
    tasks
}

/// The H1-2019 listing as `client` sees it, on `as_of` (`None`: today).
fn listing(client: &Client, as_of: Option<&str>) -> ReportsView {
    let mut path = format!("/api/v1/reports?plan={PLAN_QUERY}&period={PERIOD}");
    if let Some(as_of) = as_of {
        path.push_str(&format!("&as_of={as_of}"));
    }
    let reply = client.get(&path);
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.json()
}

/// `agency`'s own report in `view`.
fn entry<'a>(view: &'a ReportsView, agency: &str) -> &'a ReportEntry {
    view.reports
        .iter()
        .find(|e| e.scope == ReportScope::Agency && e.agency.id.as_str() == agency)
        .unwrap_or_else(|| panic!("{agency} in {view:?}"))
}

/// The consolidated report in `view`.
fn consolidated_entry(view: &ReportsView) -> &ReportEntry {
    let found: Vec<_> = view
        .reports
        .iter()
        .filter(|e| e.scope == ReportScope::Consolidated)
        .collect();
    assert_eq!(found.len(), 1, "{view:?}");
    found[0]
}

/// `agency`'s report today, as the supervisor sees it.
fn today(supervisor: &Client, agency: &str) -> ReportEntry {
    entry(&listing(supervisor, None), agency).clone()
}

/// The current version of `agency`'s report.
fn version(supervisor: &Client, agency: &str) -> i64 {
    today(supervisor, agency)
        .version
        .unwrap_or_else(|| panic!("{agency} has a version"))
}

/// Every change `client` may see, as a client of schema version 2 pulls them.
fn feed(client: &Client) -> Vec<Change> {
    let mut cursor = Cursor::START;
    let mut all = Vec::new();
    loop {
        let page: PullResponse = client.pull_schema(cursor, 500, 2).json();
        assert!(!page.reset);
        all.extend(page.changes);
        cursor = page.cursor;
        if !page.has_more {
            return all;
        }
    }
}

/// The report events `client` may see, in order.
fn report_events(client: &Client) -> Vec<ReportEvent> {
    feed(client)
        .into_iter()
        .filter_map(|c| match c {
            Change::Report(e) => Some(e),
            _ => None,
        })
        .collect()
}

/// The progress updates `client` may see, in order.
fn progress_updates(client: &Client) -> Vec<ProgressUpdate> {
    feed(client)
        .into_iter()
        .filter_map(|c| match c {
            Change::Progress(u) => Some(u),
            _ => None,
        })
        .collect()
}

#[test]
fn each_role_moves_an_agency_report_only_where_the_cycle_allows() {
    let server = TestServer::start();
    let tasks = tasks_of(&server, "so-vhttdl");
    let staff = Device::new(&server, "vhttdl");
    let head = Device::new(&server, "vhttdl.lanhdao");
    let supervisor = Device::new(&server, "sotttt");
    let admin = Device::new(&server, "admin");
    let sup = &supervisor.client;

    // A draft: staff and head write it; only the head submits; nobody else writes.
    assert_eq!(staff.send(save(&tasks, None)), Ok(()));
    let v1 = version(sup, "so-vhttdl");
    assert_eq!(
        staff.send(submit(&tasks, Some(v1))),
        FORBIDDEN,
        "staff do not submit"
    );
    assert_eq!(
        supervisor.send(save(&tasks, Some(v1))),
        FORBIDDEN,
        "a supervisor writes no agency's report"
    );
    assert_eq!(supervisor.send(submit(&tasks, Some(v1))), FORBIDDEN);
    assert_eq!(admin.send(save(&tasks, Some(v1))), FORBIDDEN);
    assert_eq!(admin.send(submit(&tasks, Some(v1))), FORBIDDEN);
    assert_eq!(
        supervisor.send(review("so-vhttdl", v1, "accept", "")),
        NOT_SUBMITTED,
        "a draft is not reviewed"
    );
    assert_eq!(
        version(sup, "so-vhttdl"),
        v1,
        "nothing refused was recorded"
    );

    assert_eq!(head.send(submit(&tasks, Some(v1))), Ok(()));
    let v2 = version(sup, "so-vhttdl");
    assert!(v2 > v1);
    assert_eq!(today(sup, "so-vhttdl").state, CycleState::Submitted);

    // Submitted: nobody edits it; only the department reviews it.
    assert_eq!(staff.send(save(&tasks, Some(v2))), NOT_EDITABLE);
    assert_eq!(head.send(save(&tasks, Some(v2))), NOT_EDITABLE);
    assert_eq!(head.send(submit(&tasks, Some(v2))), NOT_EDITABLE);
    assert_eq!(
        head.send(review("so-vhttdl", v2, "accept", "")),
        FORBIDDEN,
        "a head does not review"
    );
    assert_eq!(
        staff.send(review("so-vhttdl", v2, "return", RETURN_COMMENT)),
        FORBIDDEN
    );
    assert_eq!(admin.send(review("so-vhttdl", v2, "accept", "")), FORBIDDEN);
    for blank in ["", "   "] {
        assert_eq!(
            supervisor.send(review("so-vhttdl", v2, "return", blank)),
            Err(RejectReason::Invalid),
            "a return says what to revise: {blank:?}"
        );
    }
    let waiting = today(sup, "so-vhttdl");
    assert_eq!(waiting.state, CycleState::Submitted);
    assert_eq!(waiting.version, Some(v2));
    assert_eq!(waiting.reviewed_at, None);

    // Returned: editable again by its writers, and returned until resubmitted.
    assert_eq!(
        supervisor.send(review("so-vhttdl", v2, "return", RETURN_COMMENT)),
        Ok(())
    );
    let returned = today(sup, "so-vhttdl");
    assert_eq!(returned.state, CycleState::Returned);
    assert_eq!(returned.review_comment.as_deref(), Some(RETURN_COMMENT));
    assert_eq!(returned.reviewed_by.as_deref(), Some(SUPERVISOR_NAME));
    assert_eq!(staff.send(save(&tasks, Some(v2))), Ok(()));
    let v3 = version(sup, "so-vhttdl");
    assert!(v3 > v2);
    assert_eq!(
        today(sup, "so-vhttdl").state,
        CycleState::Returned,
        "a save after a return keeps it returned"
    );
    assert_eq!(
        supervisor.send(review("so-vhttdl", v3, "accept", "")),
        NOT_SUBMITTED,
        "a returned report waits for its resubmission"
    );
    assert_eq!(staff.send(submit(&tasks, Some(v3))), FORBIDDEN);
    assert_eq!(head.send(submit(&tasks, Some(v3))), Ok(()));
    let v4 = version(sup, "so-vhttdl");
    assert_eq!(today(sup, "so-vhttdl").state, CycleState::Submitted);

    // Accepted: closed for everyone.
    assert_eq!(
        supervisor.send(review("so-vhttdl", v4, "accept", "")),
        Ok(())
    );
    assert_eq!(staff.send(save(&tasks, Some(v4))), NOT_EDITABLE);
    assert_eq!(head.send(save(&tasks, Some(v4))), NOT_EDITABLE);
    assert_eq!(head.send(submit(&tasks, Some(v4))), NOT_EDITABLE);
    assert_eq!(
        supervisor.send(review("so-vhttdl", v4, "return", RETURN_COMMENT)),
        NOT_SUBMITTED,
        "an accepted report is not reviewed again"
    );
    let accepted = today(sup, "so-vhttdl");
    assert_eq!(accepted.state, CycleState::Accepted);
    assert_eq!(accepted.version, Some(v4));
    assert_eq!(
        accepted.review_comment, None,
        "an acceptance without comment"
    );

    // The feed tells the same story to the agency, in order, with what was written.
    let events = report_events(&staff.client);
    let story: Vec<_> = events
        .iter()
        .map(|e| (e.action, e.state, e.version, e.author.as_str()))
        .collect();
    assert_eq!(
        story,
        [
            (ReportAction::Saved, CycleState::Draft, v1, "vhttdl"),
            (
                ReportAction::Submitted,
                CycleState::Submitted,
                v2,
                "vhttdl.lanhdao"
            ),
            (ReportAction::Returned, CycleState::Returned, v2, "sotttt"),
            (ReportAction::Saved, CycleState::Returned, v3, "vhttdl"),
            (
                ReportAction::Submitted,
                CycleState::Submitted,
                v4,
                "vhttdl.lanhdao"
            ),
            (ReportAction::Accepted, CycleState::Accepted, v4, "sotttt"),
        ]
    );
    assert_eq!(events[2].comment, RETURN_COMMENT);
    assert!(events[2].content.is_none(), "a review carries no content");
    let content = events[4].content.as_ref().expect("a submission's content");
    let sent: Vec<_> = content.tasks.iter().map(|t| t.task.as_str()).collect();
    assert_eq!(sent, tasks);
    assert_eq!(
        content.tasks[0].results.as_str(),
        format!("Kết quả nhiệm vụ {}.", tasks[0])
    );
    assert_eq!(
        content.tasks[0].difficulties.as_str(),
        "Kinh phí còn hạn chế."
    );
    assert_eq!(events[4].base, Some(v3));
    assert!(events.iter().all(|e| e.agency.id.as_str() == "so-vhttdl"
        && e.scope == ReportScope::Agency
        && e.plan.as_str() == PLAN
        && e.period.code() == PERIOD
        && !e.conflict));
}

#[test]
fn a_review_of_a_report_that_is_not_waiting_for_one_is_refused() {
    let server = TestServer::start();
    let supervisor = Device::new(&server, "sotttt");
    let sup = &supervisor.client;
    assert_eq!(
        supervisor.send(review("so-ngoai-vu", 1, "accept", "")),
        NOT_SUBMITTED,
        "nothing written yet"
    );

    let ngoaivu = Device::new(&server, "ngoaivu");
    assert_eq!(
        ngoaivu.send(save(&tasks_of(&server, "so-ngoai-vu"), None)),
        Ok(())
    );
    let draft = version(sup, "so-ngoai-vu");
    assert_eq!(
        supervisor.send(review("so-ngoai-vu", draft, "accept", "")),
        NOT_SUBMITTED
    );
    assert_eq!(
        supervisor.send(review("so-ngoai-vu", draft, "return", RETURN_COMMENT)),
        NOT_SUBMITTED
    );

    // Another agency's submitted version, named under so-ngoai-vu: still not submitted.
    let head = Device::new(&server, "vhttdl.lanhdao");
    assert_eq!(
        head.send(submit(&tasks_of(&server, "so-vhttdl"), None)),
        Ok(())
    );
    let submitted = version(sup, "so-vhttdl");
    for agency in ["so-ngoai-vu", "bdbp-don-bo-y", "khong-co-don-vi-nay"] {
        assert_eq!(
            supervisor.send(review(agency, submitted, "accept", "")),
            NOT_SUBMITTED,
            "{agency}"
        );
    }
    assert_eq!(today(sup, "so-vhttdl").state, CycleState::Submitted);
    assert_eq!(today(sup, "so-ngoai-vu").version, Some(draft));
    assert_eq!(report_events(sup).len(), 2, "no review was recorded");
}

#[test]
fn a_report_written_is_always_the_authors_agencys_own() {
    let server = TestServer::start();
    let sup = server.login("sotttt");
    let vhttdl_tasks = tasks_of(&server, "so-vhttdl");
    let vhttdl_head = Device::new(&server, "vhttdl.lanhdao");
    assert_eq!(vhttdl_head.send(submit(&vhttdl_tasks, None)), Ok(()));
    let theirs = version(&sup, "so-vhttdl");

    // The head of so-ngoai-vu, writing on so-vhttdl's tasks from so-vhttdl's version,
    // writes so-ngoai-vu's report: the mutation names no agency.
    let ngoaivu_head = Device::new(&server, "ngoaivu.lanhdao");
    assert_eq!(ngoaivu_head.send(save(&vhttdl_tasks, Some(theirs))), Ok(()));
    assert_eq!(
        ngoaivu_head.send(submit(&vhttdl_tasks, Some(theirs))),
        Ok(())
    );
    let events = report_events(&sup);
    let whose: Vec<_> = events.iter().map(|e| e.agency.id.as_str()).collect();
    assert_eq!(whose, ["so-vhttdl", "so-ngoai-vu", "so-ngoai-vu"]);
    let now = listing(&sup, None);
    assert_eq!(entry(&now, "so-vhttdl").version, Some(theirs), "untouched");
    assert_eq!(entry(&now, "so-vhttdl").state, CycleState::Submitted);
    assert_eq!(entry(&now, "so-ngoai-vu").state, CycleState::Submitted);
    assert_eq!(
        entry(&now, "so-ngoai-vu").submitted_by.as_deref(),
        Some("Võ Thị Lan")
    );

    // A border post reports through its command: it has no report of its own.
    let bdbp_tasks = tasks_of(&server, "bdbp");
    let post = Device::new(&server, "boy");
    assert_eq!(post.send(save(&bdbp_tasks, None)), FORBIDDEN);
    assert_eq!(post.send(submit(&bdbp_tasks, None)), FORBIDDEN);
    assert_eq!(
        entry(&listing(&post.client, None), "bdbp").version,
        None,
        "nothing was written to the command's report either"
    );
    let command = Device::new(&server, "bdbp.lanhdao");
    assert_eq!(command.send(save(&bdbp_tasks, None)), Ok(()));
    assert!(
        entry(&listing(&post.client, None), "bdbp")
            .version
            .is_some()
    );
    assert_eq!(report_events(&sup).len(), 4);
}

#[test]
fn only_the_consolidating_departments_supervisors_write_the_consolidated_report() {
    let server = TestServer::start();
    let tasks = tasks_of(&server, "so-vhttdl");
    for username in ["vhttdl", "vhttdl.lanhdao", "bdbp.lanhdao", "admin"] {
        let device = Device::new(&server, username);
        assert_eq!(
            device.send(consolidated("report.save", &tasks, None)),
            FORBIDDEN,
            "{username} saves"
        );
        assert_eq!(
            device.send(consolidated("report.submit", &tasks, None)),
            FORBIDDEN,
            "{username} submits"
        );
    }
    let supervisor = Device::new(&server, "sotttt");
    let sup = &supervisor.client;
    assert!(report_events(sup).is_empty());

    assert_eq!(
        supervisor.send(consolidated("report.save", &tasks, None)),
        Ok(())
    );
    let events = report_events(sup);
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].scope, ReportScope::Consolidated);
    assert_eq!(events[0].agency.id.as_str(), "so-tttt");
    assert_eq!(events[0].state, CycleState::Draft);
    let draft = consolidated_entry(&listing(sup, None)).clone();
    assert_eq!(draft.agency.id.as_str(), "so-tttt");
    assert_eq!(draft.version, Some(events[0].id));
    assert_eq!(
        draft.state,
        CycleState::Missing,
        "a draft after 25/6/2019 is missing"
    );

    assert_eq!(
        supervisor.send(consolidated("report.submit", &tasks, Some(events[0].id))),
        Ok(())
    );
    let done = consolidated_entry(&listing(sup, None)).clone();
    assert_eq!(done.state, CycleState::Final);
    assert!(done.late, "received after 25/6/2019");
    assert_eq!(done.submitted_by.as_deref(), Some(SUPERVISOR_NAME));
    assert_eq!(
        supervisor.send(consolidated("report.save", &tasks, None)),
        NOT_EDITABLE
    );
    assert_eq!(
        supervisor.send(consolidated("report.submit", &tasks, None)),
        NOT_EDITABLE
    );
    assert_eq!(
        report_events(sup).last().map(|e| e.state),
        Some(CycleState::Final)
    );
    // The agencies' reports are untouched, and so-tttt's own is not the consolidated one.
    assert!(
        listing(sup, None)
            .reports
            .iter()
            .filter(|e| e.scope == ReportScope::Agency)
            .all(|e| e.version.is_none())
    );
    // Only the department sees the consolidated report in the listing.
    let head = server.login("vhttdl.lanhdao");
    assert!(
        listing(&head, None)
            .reports
            .iter()
            .all(|e| e.scope == ReportScope::Agency)
    );
}

/// Signs in a person added at `agency` with `role` (the demo has no such account).
fn add_user(server: &TestServer, username: &str, agency: &str, role: Role) -> Device {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    let password = "mật khẩu đủ dài";
    let added = runtime
        .block_on(server.db.add_user(NewUser {
            username: username.to_owned(),
            display_name: username.to_owned(),
            password_hash: hash_password(password).expect("hash"),
            agency: AgencyId::parse(agency).expect("agency"),
            role,
        }))
        .expect("add user");
    assert!(added);
    let reply = server.post_json(
        "/api/v1/login",
        None,
        &json!({"username": username, "password": password}),
    );
    assert_eq!(reply.status, 200);
    Device {
        client: server.login_with_token(reply.body["token"].as_str().expect("token")),
        id: client_id(DEVICES.fetch_add(1, Ordering::Relaxed)),
        seq: Cell::new(0),
    }
}

#[test]
fn the_department_reviews_and_consolidates_not_every_supervisor_or_its_head() {
    let server = TestServer::start();
    let sup = server.login("sotttt");
    let tasks = tasks_of(&server, "so-vhttdl");
    let head = Device::new(&server, "vhttdl.lanhdao");
    assert_eq!(head.send(submit(&tasks, None)), Ok(()));
    let submitted = version(&sup, "so-vhttdl");

    // A supervisor elsewhere reads everything, but neither reviews nor consolidates.
    let elsewhere = add_user(
        &server,
        "giam-sat-ngoai-vu",
        "so-ngoai-vu",
        Role::Supervisor,
    );
    assert_eq!(
        elsewhere.send(review("so-vhttdl", submitted, "accept", "")),
        FORBIDDEN
    );
    assert_eq!(
        elsewhere.send(consolidated("report.save", &tasks, None)),
        FORBIDDEN
    );
    assert_eq!(
        listing(&elsewhere.client, None).reports.len(),
        reporters(&server).len() + 1
    );

    // The department's head writes its own agency report, not the consolidated one.
    let department_head = add_user(&server, "lanh-dao-so-tttt", "so-tttt", Role::Head);
    assert_eq!(
        department_head.send(consolidated("report.save", &tasks, None)),
        FORBIDDEN
    );
    assert_eq!(
        department_head.send(consolidated("report.submit", &tasks, None)),
        FORBIDDEN
    );
    assert_eq!(
        department_head.send(review("so-vhttdl", submitted, "accept", "")),
        FORBIDDEN
    );
    assert_eq!(
        department_head.send(save(&tasks_of(&server, "so-tttt"), None)),
        Ok(())
    );
    let now = listing(&sup, None);
    assert!(entry(&now, "so-tttt").version.is_some());
    assert_eq!(consolidated_entry(&now).version, None);
    assert_eq!(entry(&now, "so-vhttdl").state, CycleState::Submitted);
}

#[test]
fn reports_the_plan_does_not_ask_for_are_refused() {
    let server = TestServer::start();
    let tasks = tasks_of(&server, "so-vhttdl");
    let head = Device::new(&server, "vhttdl.lanhdao");
    let supervisor = Device::new(&server, "sotttt");
    let unknown_period = Err(RejectReason::UnknownPeriod);
    // No quarterly reports, and none before the plan's year. (Later years are asked
    // for: tasks 3 and 4 run "năm 2019 và các năm tiếp theo".)
    for period in ["Q3-2019", "Q1-2019", "H1-2018", "Y-2018"] {
        assert_eq!(
            head.send(with(save(&tasks, None), "period", json!(period))),
            unknown_period,
            "{period}"
        );
        assert_eq!(
            head.send(with(submit(&tasks, None), "period", json!(period))),
            unknown_period,
            "{period}"
        );
        assert_eq!(
            supervisor.send(with(
                consolidated("report.save", &tasks, None),
                "period",
                json!(period)
            )),
            unknown_period,
            "{period}"
        );
        assert_eq!(
            supervisor.send(with(
                review("so-vhttdl", 1, "accept", ""),
                "period",
                json!(period)
            )),
            unknown_period,
            "{period}"
        );
    }
    for plan in ["999/KH-UBND", "215/KH-UBND-2"] {
        assert_eq!(
            head.send(with(save(&tasks, None), "plan", json!(plan))),
            unknown_period,
            "{plan}"
        );
        assert_eq!(
            supervisor.send(with(
                review("so-vhttdl", 1, "accept", ""),
                "plan",
                json!(plan)
            )),
            unknown_period,
            "{plan}"
        );
    }
    for period in ["H2-2019", "2019", "Q5-2019", "H1-19", ""] {
        assert_eq!(
            head.send(with(save(&tasks, None), "period", json!(period))),
            Err(RejectReason::Invalid),
            "{period:?}"
        );
    }
    let mut unknown = tasks.clone();
    unknown.push("99.9".to_owned());
    assert_eq!(
        head.send(save(&unknown, None)),
        Err(RejectReason::UnknownTask)
    );
    assert_eq!(
        head.send(submit(&["99.9".to_owned()], None)),
        Err(RejectReason::UnknownTask)
    );
    assert!(
        report_events(&supervisor.client).is_empty(),
        "nothing was recorded"
    );

    // The year's report is one the plan asks for.
    assert_eq!(
        head.send(with(save(&tasks, None), "period", json!("Y-2019"))),
        Ok(())
    );
    let events = report_events(&supervisor.client);
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].period.code(), "Y-2019");
    assert_eq!(
        today(&supervisor.client, "so-vhttdl").version,
        None,
        "the H1-2019 report is another report"
    );
}

#[test]
fn oversized_reports_are_refused_and_reports_at_the_bounds_are_kept() {
    let server = TestServer::start();
    let head = Device::new(&server, "vhttdl.lanhdao");
    let sup = server.login("sotttt");
    let plan: PlanView = sup.get("/api/v1/plan").json();
    let plan_tasks: Vec<String> = plan
        .tasks
        .iter()
        .map(|t| t.number.as_str().to_owned())
        .collect();

    let too_many: Vec<String> = (0..301)
        .map(|i| format!("{}.{}", i / 20 + 1, i % 20 + 1))
        .collect();
    assert_eq!(
        head.send(save(&too_many, None)),
        Err(RejectReason::TooLarge)
    );

    let text = |n: usize| "ư".repeat(n);
    let one_task = |results: &str| {
        let mut m = save(&plan_tasks[..1], None);
        m["tasks"][0]["results"] = json!(results);
        m
    };
    assert_eq!(
        head.send(one_task(&text(4001))),
        Err(RejectReason::Invalid),
        "a text over 4000 characters"
    );
    assert_eq!(
        head.send(with(
            save(&plan_tasks[..1], None),
            "summary",
            json!(text(4001))
        )),
        Err(RejectReason::Invalid)
    );
    let twice = vec![plan_tasks[0].clone(), plan_tasks[0].clone()];
    assert_eq!(
        head.send(save(&twice, None)),
        Err(RejectReason::Invalid),
        "a task twice"
    );

    // 120 000 characters in all is the bound: 30 texts of 4 000 (three overall, three
    // for each of nine tasks), and one more character is over it.
    let full = |extra: bool| {
        let n = if extra { 10 } else { 9 };
        let mut m = save(&plan_tasks[..n], None);
        for field in ["summary", "direction", "proposals"] {
            m[field] = json!(text(4000));
        }
        for i in 0..9 {
            for field in ["results", "difficulties", "proposals"] {
                m["tasks"][i][field] = json!(text(4000));
            }
        }
        if extra {
            m["tasks"][9]["results"] = json!("x");
            m["tasks"][9]["difficulties"] = json!("");
            m["tasks"][9]["proposals"] = json!("");
        }
        m
    };
    assert_eq!(head.send(full(true)), Err(RejectReason::TooLarge));
    assert!(report_events(&sup).is_empty(), "nothing was recorded");

    assert_eq!(head.send(one_task(&text(4000))), Ok(()));
    assert_eq!(head.send(full(false)), Ok(()));
    let events = report_events(&sup);
    assert_eq!(events.len(), 2);
    let content = events[1].content.as_ref().expect("content");
    let chars: usize = [&content.summary, &content.direction, &content.proposals]
        .into_iter()
        .chain(
            content
                .tasks
                .iter()
                .flat_map(|t| [&t.results, &t.difficulties, &t.proposals]),
        )
        .map(|n| n.as_str().chars().count())
        .sum();
    assert_eq!(chars, 120_000, "kept whole");
}

#[test]
fn a_report_push_sent_again_is_applied_once_and_its_rejection_told_again() {
    let server = TestServer::start();
    let sup = server.login("sotttt");
    let tasks = tasks_of(&server, "so-vhttdl");
    let staff = Device::new(&server, "vhttdl");

    // The same batch twice: a save, and a submission staff may not make.
    let batch = vec![
        staff.next(save(&tasks, None)),
        staff.next(submit(&tasks, None)),
    ];
    let first = staff.push(batch.clone());
    assert_eq!(first.last_seq, 2);
    let reasons: Vec<_> = first.rejected.iter().map(|r| (r.seq, r.error)).collect();
    assert_eq!(reasons, [(2, RejectReason::Forbidden)]);
    let again = staff.push(batch);
    assert_eq!(again, first, "the retry is told the same");
    assert_eq!(report_events(&sup).len(), 1, "applied once");

    // A skipped seq: nothing after the gap.
    let third = staff.next(with(save(&tasks, None), "summary", json!("ba")));
    let fourth = staff.next(with(save(&tasks, None), "summary", json!("bốn")));
    let gap = staff.client.push(&staff.id, vec![fourth.clone()]);
    assert_eq!(gap.status, 409);
    assert_eq!(gap.error(), ApiError::OutOfOrder { expected: 3 });
    assert_eq!(report_events(&sup).len(), 1);
    let filled = staff.push(vec![third, fourth]);
    assert_eq!(filled.last_seq, 4);
    assert!(filled.rejected.is_empty());
    let summaries: Vec<_> = report_events(&sup)
        .iter()
        .map(|e| {
            e.content
                .as_ref()
                .expect("content")
                .summary
                .as_str()
                .to_owned()
        })
        .collect();
    assert_eq!(summaries[1..], ["ba", "bốn"]);

    // A lost answer: the head's device heard nothing, and sends the submission again
    // with what it recorded since.
    let head = Device::new(&server, "vhttdl.lanhdao");
    let base = version(&sup, "so-vhttdl");
    let submission = head.next(submit(&tasks, Some(base)));
    assert_eq!(head.push(vec![submission.clone()]).last_seq, 1);
    let retry = head.push(vec![submission, head.next(save(&tasks, Some(base)))]);
    assert_eq!(retry.last_seq, 2);
    let reasons: Vec<_> = retry.rejected.iter().map(|r| (r.seq, r.error)).collect();
    assert_eq!(
        reasons,
        [(2, RejectReason::NotEditable)],
        "the submission was not applied twice, and the save after it meets a submitted report"
    );
    let submissions = report_events(&sup)
        .iter()
        .filter(|e| e.action == ReportAction::Submitted)
        .count();
    assert_eq!(submissions, 1);
}

#[test]
fn a_review_of_a_version_replaced_by_a_resubmission_is_stale() {
    let server = TestServer::start();
    let tasks = tasks_of(&server, "so-vhttdl");
    let head = Device::new(&server, "vhttdl.lanhdao");
    let supervisor = Device::new(&server, "sotttt");
    // The same supervisor's second device, which last synced when v1 came in.
    let offline = Device::new(&server, "sotttt");
    let sup = &supervisor.client;

    assert_eq!(head.send(submit(&tasks, None)), Ok(()));
    let v1 = version(sup, "so-vhttdl");
    assert_eq!(
        supervisor.send(review("so-vhttdl", v1, "return", RETURN_COMMENT)),
        Ok(())
    );
    assert_eq!(head.send(submit(&tasks, Some(v1))), Ok(()));
    let v2 = version(sup, "so-vhttdl");
    assert!(v2 > v1);

    assert_eq!(
        offline.send(review("so-vhttdl", v1, "accept", "")),
        Err(RejectReason::StaleVersion)
    );
    let waiting = today(sup, "so-vhttdl");
    assert_eq!(waiting.state, CycleState::Submitted);
    assert_eq!(waiting.version, Some(v2));
    assert_eq!(
        waiting.review_comment.as_deref(),
        Some(RETURN_COMMENT),
        "the latest review is still the return"
    );

    assert_eq!(offline.send(review("so-vhttdl", v2, "accept", "")), Ok(()));
    let accepted = today(sup, "so-vhttdl");
    assert_eq!(accepted.state, CycleState::Accepted);
    assert_eq!(accepted.version, Some(v2));
    let last = report_events(sup).pop().expect("the acceptance");
    assert_eq!((last.action, last.version), (ReportAction::Accepted, v2));
}

#[test]
fn two_offline_saves_from_one_version_are_both_kept_and_the_second_flagged() {
    let server = TestServer::start();
    let sup = server.login("sotttt");
    let tasks = tasks_of(&server, "so-vhttdl");
    let staff = Device::new(&server, "vhttdl");
    let head = Device::new(&server, "vhttdl.lanhdao");

    assert_eq!(staff.send(save(&tasks, None)), Ok(()));
    let v1 = version(&sup, "so-vhttdl");
    assert!(!today(&sup, "so-vhttdl").conflict);
    // Both edit v1 offline; the staff member's save arrives first.
    let by_staff = with(save(&tasks, Some(v1)), "summary", json!("Bản của cán bộ."));
    let by_head = with(
        save(&tasks, Some(v1)),
        "summary",
        json!("Bản của lãnh đạo."),
    );
    assert_eq!(staff.send(by_staff), Ok(()));
    assert_eq!(head.send(by_head), Ok(()));

    let events = report_events(&staff.client);
    assert_eq!(events.len(), 3, "both versions are kept");
    let seen: Vec<_> = events
        .iter()
        .map(|e| {
            (
                e.base,
                e.conflict,
                e.content.as_ref().expect("content").summary.as_str(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            (None, false, "Cơ bản hoàn thành kế hoạch 6 tháng đầu năm."),
            (Some(v1), false, "Bản của cán bộ."),
            (Some(v1), true, "Bản của lãnh đạo."),
        ]
    );
    assert_eq!(report_events(&head.client), events, "both see the same");
    let flagged = today(&sup, "so-vhttdl");
    assert!(flagged.conflict);
    assert_eq!(flagged.version, Some(events[2].id));

    // A save made from the current version settles it.
    assert_eq!(staff.send(save(&tasks, Some(events[2].id))), Ok(()));
    assert!(!today(&sup, "so-vhttdl").conflict);
}

#[test]
fn the_listing_shows_a_supervisor_every_report_and_anyone_else_their_agencys() {
    let server = TestServer::start();
    let reporters = reporters(&server);
    let ids: Vec<&str> = reporters.iter().map(|(a, _)| a.as_str()).collect();
    for agency in [
        "so-tttt",
        "so-vhttdl",
        "so-ngoai-vu",
        "bdbp",
        "ubnd-ngoc-hoi",
    ] {
        assert!(ids.contains(&agency), "{agency} reports: {ids:?}");
    }
    assert!(
        !ids.contains(&"bdbp-don-bo-y"),
        "a border post reports through its command"
    );

    for username in ["sotttt", "admin"] {
        let view = listing(&server.login(username), Some(AFTER_DEADLINE));
        assert_eq!(view.plan.as_str(), PLAN);
        assert_eq!(view.period.code(), PERIOD);
        assert_eq!(view.as_of.to_iso(), AFTER_DEADLINE);
        assert_eq!(view.deadline.to_dmy(), "15/06/2019");
        assert_eq!(
            view.consolidation_deadline.map(|d| d.to_dmy()).as_deref(),
            Some("25/06/2019")
        );
        assert_eq!(view.grace_hours, 72);
        let listed: Vec<_> = view
            .reports
            .iter()
            .map(|e| (e.agency.id.as_str(), e.scope))
            .collect();
        let mut expected: Vec<_> = ids.iter().map(|a| (*a, ReportScope::Agency)).collect();
        expected.push(("so-tttt", ReportScope::Consolidated));
        assert_eq!(listed, expected, "{username}");
    }

    for (username, agency) in [
        ("vhttdl", "so-vhttdl"),
        ("vhttdl.lanhdao", "so-vhttdl"),
        ("ngoaivu", "so-ngoai-vu"),
        ("ngochoi.lanhdao", "ubnd-ngoc-hoi"),
        ("bdbp.lanhdao", "bdbp"),
        ("boy", "bdbp"),
    ] {
        let client = server.login(username);
        let view = listing(&client, Some(AFTER_DEADLINE));
        let listed: Vec<_> = view
            .reports
            .iter()
            .map(|e| (e.agency.id.as_str(), e.scope))
            .collect();
        assert_eq!(listed, [(agency, ReportScope::Agency)], "{username}");
        // The plan tells them the same: their agency's report and its tasks.
        let plan: PlanView = client.get("/api/v1/plan").json();
        let period = plan
            .reporting
            .iter()
            .find(|r| r.period.code() == PERIOD)
            .expect(PERIOD);
        let theirs: Vec<_> = period
            .reporters
            .iter()
            .map(|r| r.agency.id.as_str())
            .collect();
        assert_eq!(theirs, [agency], "{username}");
    }
}

#[test]
fn the_listing_tells_where_each_report_stands_as_of_a_day() {
    let server = TestServer::start();
    let supervisor = Device::new(&server, "sotttt");
    let sup = &supervisor.client;
    let write_as = |username: &str, agency: &str, kind: &str| {
        let device = Device::new(&server, username);
        assert_eq!(
            device.send(write(kind, &tasks_of(&server, agency), None)),
            Ok(()),
            "{username}"
        );
    };
    write_as("vhttdl", "so-vhttdl", "report.save");
    write_as("ngoaivu.lanhdao", "so-ngoai-vu", "report.submit");
    write_as("ngochoi.lanhdao", "ubnd-ngoc-hoi", "report.submit");
    write_as("bdbp.lanhdao", "bdbp", "report.submit");
    let ngochoi = version(sup, "ubnd-ngoc-hoi");
    let bdbp = version(sup, "bdbp");
    assert_eq!(
        supervisor.send(review("ubnd-ngoc-hoi", ngochoi, "return", RETURN_COMMENT)),
        Ok(())
    );
    assert_eq!(supervisor.send(review("bdbp", bdbp, "accept", "")), Ok(()));
    let events = report_events(sup);
    assert_eq!(
        events[0].state,
        CycleState::Draft,
        "a saved, never submitted report is a draft"
    );

    let now = listing(sup, None);
    let states: Vec<_> = ["so-vhttdl", "so-ngoai-vu", "ubnd-ngoc-hoi", "bdbp"]
        .into_iter()
        .map(|a| (a, entry(&now, a).state, entry(&now, a).late))
        .collect();
    assert_eq!(
        states,
        [
            ("so-vhttdl", CycleState::Missing, true),
            ("so-ngoai-vu", CycleState::Submitted, true),
            ("ubnd-ngoc-hoi", CycleState::Returned, true),
            ("bdbp", CycleState::Accepted, true),
        ],
        "received years after 15/6/2019: late, and kept late once accepted"
    );
    let draft = entry(&now, "so-vhttdl");
    assert_eq!(draft.version, Some(events[0].id));
    assert_eq!(draft.submitted_at, None);

    let submitted = entry(&now, "so-ngoai-vu");
    let submission = events
        .iter()
        .find(|e| e.agency.id.as_str() == "so-ngoai-vu")
        .expect("so-ngoai-vu's submission");
    assert_eq!(submitted.version, Some(submission.id));
    assert_eq!(
        submitted.submitted_at.as_deref(),
        Some(submission.received_at.as_str())
    );
    assert_eq!(submitted.submitted_device_at.as_deref(), Some(OBSERVED));
    assert_eq!(submitted.submitted_by.as_deref(), Some("Võ Thị Lan"));
    assert_eq!(submitted.reviewed_at, None);

    let returned = entry(&now, "ubnd-ngoc-hoi");
    let return_event = events
        .iter()
        .find(|e| e.action == ReportAction::Returned)
        .expect("the return");
    assert_eq!(
        returned.reviewed_at.as_deref(),
        Some(return_event.received_at.as_str())
    );
    assert_eq!(returned.reviewed_device_at.as_deref(), Some(OBSERVED));
    assert_eq!(returned.reviewed_by.as_deref(), Some(SUPERVISOR_NAME));
    assert_eq!(returned.review_comment.as_deref(), Some(RETURN_COMMENT));
    assert_eq!(returned.submitted_by.as_deref(), Some("Y Vân"));

    let accepted = entry(&now, "bdbp");
    assert_eq!(accepted.reviewed_by.as_deref(), Some(SUPERVISOR_NAME));
    assert_eq!(accepted.review_comment, None);
    assert_eq!(
        accepted.submitted_by.as_deref(),
        Some("Đại tá Nguyễn Văn Hùng")
    );

    // The reports nobody wrote are missing, and late, once the deadline has passed.
    let untouched: Vec<_> = now
        .reports
        .iter()
        .filter(|e| {
            !["so-vhttdl", "so-ngoai-vu", "ubnd-ngoc-hoi", "bdbp"].contains(&e.agency.id.as_str())
        })
        .collect();
    assert!(!untouched.is_empty());
    for e in untouched {
        assert_eq!(e.state, CycleState::Missing, "{}", e.agency.id);
        assert!(e.late, "{}", e.agency.id);
        assert_eq!(e.version, None);
        assert_eq!(e.submitted_at, None);
    }
    let on_the_20th = listing(sup, Some(AFTER_DEADLINE));
    for e in on_the_20th
        .reports
        .iter()
        .filter(|e| e.scope == ReportScope::Agency)
    {
        assert_eq!(
            (e.state, e.late),
            (CycleState::Missing, true),
            "on 20/6/2019 nothing had come in: {}",
            e.agency.id
        );
    }
    let consolidation = consolidated_entry(&on_the_20th);
    assert_eq!(
        (consolidation.state, consolidation.late),
        (CycleState::NotStarted, false),
        "the consolidated report is due on 25/6"
    );

    // The day before the deadline, nothing had been received: everything not started.
    let before = listing(sup, Some(BEFORE_DEADLINE));
    assert_eq!(before.as_of.to_iso(), BEFORE_DEADLINE);
    for e in &before.reports {
        assert_eq!(e.state, CycleState::NotStarted, "{}", e.agency.id);
        assert!(!e.late, "{}", e.agency.id);
        assert_eq!(e.version, None);
        assert_eq!(e.submitted_at, None);
        assert_eq!(e.reviewed_at, None);
    }
    // The agency's own people see their own the same way.
    let own = listing(&server.login("ngochoi"), None);
    assert_eq!(entry(&own, "ubnd-ngoc-hoi"), returned);
}

/// Pushes `body` from `username` straight to the database as if the server had
/// received it at `received` (RFC 3339), as the demo seeding does.
fn push_received_at(server: &TestServer, username: &str, body: Value, received: &str) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    let (user, _) = runtime
        .block_on(server.db.user_for_login(username.to_owned()))
        .expect("read user")
        .expect("a demo user");
    let client = client_id(DEVICES.fetch_add(1, Ordering::Relaxed));
    let mut body = body;
    body["seq"] = json!(1);
    body["id"] = json!(uuid(1, &client));
    let envelope: MutationEnvelope = serde_json::from_value(body).expect("envelope");
    let outcome = runtime
        .block_on(server.db.push_at(
            user,
            ClientId::parse(&client).expect("client id"),
            vec![envelope],
            parse_rfc3339(received).expect("time"),
        ))
        .expect("push");
    match outcome {
        PushOutcome::Applied(reply) if reply.rejected.is_empty() => {}
        other => panic!("{username} at {received}: {other:?}"),
    }
}

#[test]
fn a_submission_is_on_time_if_received_in_time_or_recorded_in_time_and_received_within_the_grace() {
    let server = TestServer::start();
    let sup = server.login("sotttt");
    let at = |m: Value, observed: &str| with(m, "observed_at", json!(observed));
    // A draft saved on 10/6, then submitted on 14/6, the last day.
    let vhttdl = tasks_of(&server, "so-vhttdl");
    push_received_at(
        &server,
        "vhttdl",
        at(save(&vhttdl, None), "2019-06-10T09:00:00+07:00"),
        "2019-06-10T09:00:05+07:00",
    );
    let draft = version(&sup, "so-vhttdl");
    push_received_at(
        &server,
        "vhttdl.lanhdao",
        at(submit(&vhttdl, Some(draft)), "2019-06-14T16:00:00+07:00"),
        "2019-06-14T16:00:05+07:00",
    );
    // Recorded offline on 14/6, received on 16/6: within the 72 hours' grace.
    push_received_at(
        &server,
        "ngoaivu.lanhdao",
        at(
            submit(&tasks_of(&server, "so-ngoai-vu"), None),
            "2019-06-14T20:00:00+07:00",
        ),
        "2019-06-16T08:00:00+07:00",
    );
    // Recorded offline on 14/6, received on 19/6: past the grace.
    push_received_at(
        &server,
        "bdbp.lanhdao",
        at(
            submit(&tasks_of(&server, "bdbp"), None),
            "2019-06-14T20:00:00+07:00",
        ),
        "2019-06-19T08:00:00+07:00",
    );
    // Recorded and received on 16/6.
    push_received_at(
        &server,
        "ngochoi.lanhdao",
        at(
            submit(&tasks_of(&server, "ubnd-ngoc-hoi"), None),
            "2019-06-16T08:00:00+07:00",
        ),
        "2019-06-16T08:00:00+07:00",
    );
    let stand = |as_of: &str| {
        let view = listing(&sup, Some(as_of));
        ["so-vhttdl", "so-ngoai-vu", "bdbp", "ubnd-ngoc-hoi"]
            .into_iter()
            .map(|a| (a, entry(&view, a).state, entry(&view, a).late))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        stand("2019-06-12"),
        [
            ("so-vhttdl", CycleState::Draft, false),
            ("so-ngoai-vu", CycleState::NotStarted, false),
            ("bdbp", CycleState::NotStarted, false),
            ("ubnd-ngoc-hoi", CycleState::NotStarted, false),
        ]
    );
    assert_eq!(
        stand(BEFORE_DEADLINE),
        [
            ("so-vhttdl", CycleState::Submitted, false),
            ("so-ngoai-vu", CycleState::NotStarted, false),
            ("bdbp", CycleState::NotStarted, false),
            ("ubnd-ngoc-hoi", CycleState::NotStarted, false),
        ]
    );
    assert_eq!(
        stand("2019-06-16"),
        [
            ("so-vhttdl", CycleState::Submitted, false),
            ("so-ngoai-vu", CycleState::Submitted, false),
            ("bdbp", CycleState::Missing, true),
            ("ubnd-ngoc-hoi", CycleState::Submitted, true),
        ]
    );
    assert_eq!(
        stand(AFTER_DEADLINE),
        [
            ("so-vhttdl", CycleState::Submitted, false),
            ("so-ngoai-vu", CycleState::Submitted, false),
            ("bdbp", CycleState::Submitted, true),
            ("ubnd-ngoc-hoi", CycleState::Submitted, true),
        ]
    );
    let on_time = entry(&listing(&sup, Some(AFTER_DEADLINE)), "so-ngoai-vu").clone();
    assert_eq!(
        on_time.submitted_device_at.as_deref(),
        Some("2019-06-14T20:00:00+07:00")
    );
    assert_eq!(
        on_time
            .submitted_at
            .as_deref()
            .map(|t| parse_rfc3339(t).ok()),
        Some(parse_rfc3339("2019-06-16T08:00:00+07:00").ok()),
        "the time the server received it"
    );
}

#[test]
fn the_listing_answers_404_422_and_401_for_what_it_cannot_list() {
    let server = TestServer::start();
    let sup = server.login("sotttt");
    let status = |query: &str| {
        let reply = sup.get(&format!("/api/v1/reports?{query}"));
        (reply.status, reply)
    };
    assert_eq!(status(&format!("plan={PLAN_QUERY}&period=Y-2019")).0, 200);
    for query in [
        "plan=999%2FKH-UBND&period=H1-2019".to_owned(),
        format!("plan={PLAN_QUERY}&period=Q3-2019"),
        format!("plan={PLAN_QUERY}&period=Q1-2019"),
        format!("plan={PLAN_QUERY}&period=H1-2018"),
    ] {
        let (code, reply) = status(&query);
        assert_eq!(code, 404, "{query}");
        assert_eq!(reply.error(), ApiError::NotFound, "{query}");
    }
    for (query, field) in [
        (format!("plan={PLAN_QUERY}&period=H2-2019"), "period"),
        (format!("plan={PLAN_QUERY}&period=2019"), "period"),
        (
            format!("plan={PLAN_QUERY}&period=H1-2019&as_of=14%2F06%2F2019"),
            "as_of",
        ),
        (
            format!("plan={PLAN_QUERY}&period=H1-2019&as_of=2019-02-30"),
            "as_of",
        ),
        (
            format!("plan={PLAN_QUERY}&period=H1-2019&as_of=yesterday"),
            "as_of",
        ),
        ("plan=&period=H1-2019".to_owned(), "plan"),
        (format!("plan={PLAN_QUERY}"), "query"),
    ] {
        let (code, reply) = status(&query);
        assert_eq!(code, 422, "{query}");
        match reply.error() {
            ApiError::Invalid { field: f, .. } => assert_eq!(f, field, "{query}"),
            other => panic!("{query}: {other:?}"),
        }
    }
    let path = format!("/api/v1/reports?plan={PLAN_QUERY}&period={PERIOD}");
    assert_eq!(server.get(&path, None).status, 401);
    assert_eq!(server.get(&path, None).error(), ApiError::Unauthorized);
    assert_eq!(server.get(&path, Some(&"0".repeat(64))).status, 401);
}

#[test]
fn report_events_and_progress_updates_share_one_feed_in_order() {
    let server = TestServer::start();
    let tasks = tasks_of(&server, "so-vhttdl");
    let staff = Device::new(&server, "vhttdl");
    let head = Device::new(&server, "vhttdl.lanhdao");
    let supervisor = Device::new(&server, "sotttt");
    let record = |n: u64| progress(0, "5.1", "in_progress", &format!("lần {n}"));
    assert_eq!(staff.send(record(1)), Ok(()));
    assert_eq!(staff.send(save(&tasks, None)), Ok(()));
    assert_eq!(head.send(record(2)), Ok(()));
    let v1 = version(&supervisor.client, "so-vhttdl");
    assert_eq!(head.send(submit(&tasks, Some(v1))), Ok(()));
    let v2 = version(&supervisor.client, "so-vhttdl");
    assert_eq!(
        supervisor.send(review("so-vhttdl", v2, "accept", "")),
        Ok(())
    );
    assert_eq!(staff.send(record(3)), Ok(()));

    for client in [&staff.client, &supervisor.client] {
        // Two at a time, through the cursor.
        let mut cursor = Cursor::START;
        let mut kinds = Vec::new();
        let mut ids = Vec::new();
        let mut pages = 0;
        loop {
            let page: PullResponse = client.pull_schema(cursor, 2, 2).json();
            assert!(page.changes.len() <= 2);
            for change in &page.changes {
                match change {
                    Change::Progress(u) => {
                        kinds.push("progress");
                        ids.push(u.id);
                    }
                    Change::Report(e) => {
                        kinds.push("report");
                        ids.push(e.id);
                    }
                    Change::Agency(_) | Change::Unknown => panic!("no agency changed here"),
                }
            }
            pages += 1;
            cursor = page.cursor;
            if !page.has_more {
                break;
            }
        }
        assert_eq!(pages, 3);
        assert_eq!(
            kinds,
            [
                "progress", "report", "progress", "report", "report", "progress"
            ]
        );
        assert!(
            ids.windows(2).all(|w| w[0] < w[1]),
            "one sequence across kinds: {ids:?}"
        );
        let after: PullResponse = client.pull_schema(cursor, 500, 2).json();
        assert!(after.changes.is_empty(), "nothing after the last cursor");
        assert!(!after.has_more);
    }
}

#[test]
fn an_older_client_pulls_only_progress_updates() {
    let server = TestServer::start();
    let tasks = tasks_of(&server, "so-vhttdl");
    let staff = Device::new(&server, "vhttdl");
    let head = Device::new(&server, "vhttdl.lanhdao");
    let record = |n: u64| progress(0, "5.1", "done", &format!("lần {n}"));
    assert_eq!(staff.send(save(&tasks, None)), Ok(()));
    assert_eq!(staff.send(record(1)), Ok(()));
    assert_eq!(head.send(submit(&tasks, None)), Ok(()));
    assert_eq!(staff.send(record(2)), Ok(()));
    assert_eq!(
        staff.send(save(&tasks, None)),
        Err(RejectReason::NotEditable)
    );

    for path in [
        "/api/v1/sync/pull?cursor=0",
        "/api/v1/sync/pull?cursor=0&schema_version=1",
    ] {
        for client in [&staff.client, &server.login("sotttt")] {
            let reply = client.get(path);
            assert_eq!(reply.status, 200);
            let changes = reply.body["changes"].as_array().expect("changes");
            assert_eq!(changes.len(), 2, "{path}: {}", reply.body);
            for change in changes {
                assert_eq!(change["kind"], "progress", "{path}");
                // What a client of version 1 reads: a progress update and its note.
                let update: ProgressUpdate =
                    serde_json::from_value(change.clone()).expect("a progress update");
                assert!(update.note.as_str().starts_with("lần "));
            }
            assert_eq!(reply.body["has_more"], false);
        }
    }
    // Paged one at a time, an older client's cursor still reaches the end.
    let mut cursor = "0".to_owned();
    let mut seen = 0;
    loop {
        let page = staff
            .client
            .get(&format!("/api/v1/sync/pull?cursor={cursor}&limit=1"));
        let changes = page.body["changes"].as_array().expect("changes");
        assert!(changes.iter().all(|c| c["kind"] == "progress"));
        seen += changes.len();
        cursor = page.body["cursor"].as_str().expect("cursor").to_owned();
        if page.body["has_more"] == false {
            break;
        }
    }
    assert_eq!(seen, 2);
    assert_eq!(feed(&staff.client).len(), 4, "a version 2 client gets all");
}

#[test]
fn report_events_reach_only_those_who_may_see_the_report() {
    let server = TestServer::start();
    let vhttdl_head = Device::new(&server, "vhttdl.lanhdao");
    assert_eq!(
        vhttdl_head.send(submit(&tasks_of(&server, "so-vhttdl"), None)),
        Ok(())
    );
    let command = Device::new(&server, "bdbp.lanhdao");
    assert_eq!(command.send(save(&tasks_of(&server, "bdbp"), None)), Ok(()));
    let supervisor = Device::new(&server, "sotttt");
    assert_eq!(
        supervisor.send(consolidated(
            "report.save",
            &tasks_of(&server, "so-vhttdl"),
            None
        )),
        Ok(())
    );

    let seen = |username: &str| -> Vec<(String, ReportScope)> {
        report_events(&server.login(username))
            .into_iter()
            .map(|e| (e.agency.id.as_str().to_owned(), e.scope))
            .collect()
    };
    let agency = |id: &str| (id.to_owned(), ReportScope::Agency);
    let everything = vec![
        agency("so-vhttdl"),
        agency("bdbp"),
        ("so-tttt".to_owned(), ReportScope::Consolidated),
    ];
    assert_eq!(seen("sotttt"), everything);
    assert_eq!(seen("admin"), everything);
    assert_eq!(seen("vhttdl"), [agency("so-vhttdl")]);
    assert_eq!(seen("vhttdl.lanhdao"), [agency("so-vhttdl")]);
    for username in ["ngoaivu", "ngoaivu.lanhdao", "ngochoi", "ngochoi.lanhdao"] {
        assert!(seen(username).is_empty(), "{username}");
    }
    assert_eq!(
        seen("boy"),
        [agency("bdbp")],
        "a border post sees its command's report"
    );
    assert_eq!(seen("bdbp.lanhdao"), [agency("bdbp")]);
}

#[test]
fn progress_texts_round_trip_and_an_old_note_is_the_results() {
    let server = TestServer::start();
    let staff = Device::new(&server, "vhttdl");
    let full = json!({
        "kind": "progress.record",
        "task": "5.1",
        "status": "in_progress",
        "percent": 70,
        "results": "Tổ chức 02 đoàn famtrip.",
        "difficulties": "Kinh phí quảng bá còn hạn chế.",
        "proposals": "Đề nghị bổ sung kinh phí.",
        "observed_at": OBSERVED,
    });
    assert_eq!(staff.send(full), Ok(()));
    let old = progress(0, "5.1", "done", "Đã họp triển khai.");
    assert_eq!(staff.send(old), Ok(()));

    let updates = progress_updates(&staff.client);
    let texts: Vec<_> = updates
        .iter()
        .map(|u| {
            (
                u.note.as_str(),
                u.results.as_str(),
                u.difficulties.as_str(),
                u.proposals.as_str(),
                u.percent.map(|p| p.value()),
            )
        })
        .collect();
    assert_eq!(
        texts,
        [
            (
                "Tổ chức 02 đoàn famtrip.",
                "Tổ chức 02 đoàn famtrip.",
                "Kinh phí quảng bá còn hạn chế.",
                "Đề nghị bổ sung kinh phí.",
                Some(70)
            ),
            ("Đã họp triển khai.", "Đã họp triển khai.", "", "", None),
        ]
    );
    // A version 1 client reads the results as the note.
    let old_client = staff.client.pull(0);
    let notes: Vec<_> = old_client.body["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .map(|c| c["note"].as_str().expect("note").to_owned())
        .collect();
    assert_eq!(notes, ["Tổ chức 02 đoàn famtrip.", "Đã họp triển khai."]);
}
