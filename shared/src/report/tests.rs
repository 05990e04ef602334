use serde_json::json;

use super::*;
use crate::date::parse_rfc3339;
use crate::protocol::{Change, Mutation, MutationBody, MutationEnvelope, RejectReason};

fn d(y: i32, m: u8, day: u8) -> Date {
    Date::new(y, m, day).unwrap()
}

fn ms(text: &str) -> i64 {
    parse_rfc3339(text).unwrap()
}

fn agency(id: &str, name: &str) -> AgencyRef {
    AgencyRef {
        id: AgencyId::parse(id).unwrap(),
        name: name.into(),
    }
}

fn event(
    id: i64,
    action: ReportAction,
    state: CycleState,
    observed: &str,
    received: &str,
) -> ReportEvent {
    ReportEvent {
        id,
        mutation_id: MutationId::parse(&format!("00000000-0000-4000-8000-{id:012}")).unwrap(),
        plan: PlanCode::parse("215/KH-UBND").unwrap(),
        period: Period::half_year(2019),
        scope: ReportScope::Agency,
        agency: agency("bdbp", "Bộ Chỉ huy Bộ đội Biên phòng tỉnh"),
        action,
        version: id,
        base: None,
        state,
        conflict: false,
        content: None,
        comment: String::new(),
        author: "bdbp.lanhdao".into(),
        author_name: "Head".into(),
        observed_at: Timestamp::parse(observed).unwrap(),
        received_at: received.into(),
    }
}

#[test]
fn periods_are_written_as_codes() {
    for (code, period) in [
        ("H1-2019", Period::half_year(2019)),
        ("Y-2019", Period::year(2019)),
        ("Q3-2020", Period::quarter(2020, 3).unwrap()),
    ] {
        assert_eq!(Period::parse(code), Some(period));
        assert_eq!(period.code(), code);
        assert_eq!(serde_json::to_value(period).unwrap(), json!(code));
        assert_eq!(
            serde_json::from_value::<Period>(json!(code)).unwrap(),
            period
        );
    }
    assert_eq!(Period::parse("h1-2019"), Some(Period::half_year(2019)));
    for bad in [
        "H2-2019", "Q5-2019", "Q0-2019", "Y-19", "2019", "", "Y-2019-1", "Q12-2019",
    ] {
        assert_eq!(Period::parse(bad), None, "{bad}");
    }
    // The form earlier versions cached on devices still reads.
    let old: Period = serde_json::from_value(json!({"kind": "half_year", "year": 2019})).unwrap();
    assert_eq!(old, Period::half_year(2019));
}

#[test]
fn quarters_have_their_decree_09_windows() {
    let q = |n| Period::quarter(2020, n).unwrap();
    assert_eq!(q(1).data_window(), (d(2019, 12, 15), d(2020, 3, 14)));
    assert_eq!(q(2).data_window(), (d(2020, 3, 15), d(2020, 6, 14)));
    assert_eq!(q(3).data_window(), (d(2020, 6, 15), d(2020, 9, 14)));
    assert_eq!(q(4).data_window(), (d(2020, 9, 15), d(2020, 12, 14)));
    assert_eq!(q(2).span(), (d(2020, 4, 1), d(2020, 6, 30)));
    assert_eq!(q(4).span(), (d(2020, 10, 1), d(2020, 12, 31)));
}

#[test]
fn before_the_15th_means_by_the_end_of_the_14th_in_vietnam_time() {
    let deadline = d(2019, 6, 15);
    // 23:59 on 14/6 in Việt Nam is on time; 00:00 on 15/6 is not.
    let last = ms("2019-06-14T23:59:59+07:00");
    let first_late = ms("2019-06-15T00:00:00+07:00");
    assert!(on_time(last, last, deadline));
    assert!(!on_time(first_late, first_late, deadline));
    // The same instant written in UTC.
    assert!(on_time(
        ms("2019-06-14T16:59:59Z"),
        ms("2019-06-14T16:59:59Z"),
        deadline
    ));
}

#[test]
fn a_submission_recorded_in_time_has_72_hours_to_arrive() {
    let deadline = d(2019, 6, 15);
    let recorded = ms("2019-06-14T20:00:00+07:00");
    assert!(on_time(ms("2019-06-17T23:59:00+07:00"), recorded, deadline));
    assert!(!on_time(
        ms("2019-06-18T00:00:00+07:00"),
        recorded,
        deadline
    ));
    // Recorded after the deadline: the grace does not apply.
    let recorded_late = ms("2019-06-15T08:00:00+07:00");
    assert!(!on_time(
        ms("2019-06-15T08:00:01+07:00"),
        recorded_late,
        deadline
    ));
}

#[test]
fn standing_follows_the_cycle_and_keeps_lateness() {
    let deadline = d(2019, 6, 15);
    let events = vec![
        event(
            1,
            ReportAction::Saved,
            CycleState::Draft,
            "2019-06-10T09:00:00+07:00",
            "2019-06-10T02:00:00.000Z",
        ),
        event(
            2,
            ReportAction::Submitted,
            CycleState::Submitted,
            "2019-06-20T09:00:00+07:00",
            "2019-06-20T02:00:00.000Z",
        ),
        event(
            3,
            ReportAction::Returned,
            CycleState::Returned,
            "2019-06-21T09:00:00+07:00",
            "2019-06-21T02:00:00.000Z",
        ),
        event(
            4,
            ReportAction::Submitted,
            CycleState::Submitted,
            "2019-06-22T09:00:00+07:00",
            "2019-06-22T02:00:00.000Z",
        ),
        event(
            5,
            ReportAction::Accepted,
            CycleState::Accepted,
            "2019-06-23T09:00:00+07:00",
            "2019-06-23T02:00:00.000Z",
        ),
    ];
    let at = |day: u8| standing(&events, deadline, end_of_day(d(2019, 6, day)));
    assert_eq!(at(9).state, CycleState::NotStarted);
    assert!(!at(9).late);
    assert_eq!(at(10).state, CycleState::Draft);
    assert_eq!(at(14).state, CycleState::Draft);
    let missing = at(15);
    assert_eq!(
        missing.state,
        CycleState::Missing,
        "a draft past the deadline is missing"
    );
    assert!(missing.late);
    let submitted = at(20);
    assert_eq!(submitted.state, CycleState::Submitted);
    assert!(submitted.late);
    assert_eq!(submitted.version, Some(2));
    assert_eq!(at(21).state, CycleState::Returned);
    assert_eq!(at(21).reviewed.map(|e| e.id), Some(3));
    let accepted = at(23);
    assert_eq!(accepted.state, CycleState::Accepted);
    assert!(accepted.late, "lateness is kept once accepted");
    assert_eq!(accepted.version, Some(4));
    assert_eq!(accepted.submitted.map(|e| e.id), Some(4));

    // Submitted on time the first time: not late, even resubmitted after the deadline.
    let mut on_time_events = events.clone();
    on_time_events[1] = event(
        2,
        ReportAction::Submitted,
        CycleState::Submitted,
        "2019-06-14T09:00:00+07:00",
        "2019-06-14T02:00:00.000Z",
    );
    assert!(!standing(&on_time_events, deadline, end_of_day(d(2019, 6, 23))).late);
}

#[test]
fn drafting_takes_the_window_and_the_units_under_the_agency() {
    let reporter = Reporter {
        agency: agency("bdbp", "Bộ Chỉ huy Bộ đội Biên phòng tỉnh"),
        tasks: vec![
            TaskNumber::parse("2.1").unwrap(),
            TaskNumber::parse("5.2").unwrap(),
        ],
        leads: vec![],
    };
    let update = |id: i64, who: AgencyRef, task: &str, status, results: &str, observed: &str| {
        ProgressUpdate {
            id,
            mutation_id: MutationId::parse(&format!("00000000-0000-4000-8000-{id:012}")).unwrap(),
            plan: PlanCode::parse("215/KH-UBND").unwrap(),
            task: TaskNumber::parse(task).unwrap(),
            agency: who,
            author: "x".into(),
            author_name: "X".into(),
            status,
            percent: None,
            note: Note::parse(results).unwrap(),
            results: Note::parse(results).unwrap(),
            difficulties: Note::parse(if id == 3 { "Sóng yếu" } else { "" }).unwrap(),
            proposals: Note::default(),
            observed_at: Timestamp::parse(observed).unwrap(),
            received_at: "2019-06-01T00:00:00.000Z".into(),
            conflict: false,
        }
    };
    let post = agency("bdbp-don-bo-y", "Đồn Biên phòng Cửa khẩu quốc tế Bờ Y");
    let updates = vec![
        update(
            1,
            reporter.agency.clone(),
            "2.1",
            ProgressStatus::InProgress,
            "Trước kỳ",
            "2018-12-10T09:00:00+07:00",
        ),
        update(
            2,
            reporter.agency.clone(),
            "2.1",
            ProgressStatus::InProgress,
            "Đã phát 500 tờ rơi",
            "2019-03-01T09:00:00+07:00",
        ),
        update(
            3,
            post.clone(),
            "2.1",
            ProgressStatus::Done,
            "Tuyên truyền tại cửa khẩu",
            "2019-06-14T20:00:00+07:00",
        ),
        update(
            4,
            reporter.agency.clone(),
            "2.1",
            ProgressStatus::Done,
            "Sau kỳ",
            "2019-06-15T09:00:00+07:00",
        ),
    ];
    let draft = draft_agency_report(&reporter, Period::half_year(2019), &updates);
    assert_eq!(draft.tasks.len(), 2);
    let t = &draft.tasks[0];
    assert_eq!(t.status, ProgressStatus::Done);
    assert_eq!(
        t.results.as_str(),
        "Đã phát 500 tờ rơi\nĐồn Biên phòng Cửa khẩu quốc tế Bờ Y: Tuyên truyền tại cửa khẩu"
    );
    assert_eq!(
        t.difficulties.as_str(),
        "Đồn Biên phòng Cửa khẩu quốc tế Bờ Y: Sóng yếu"
    );
    assert_eq!(draft.tasks[1].status, ProgressStatus::NotStarted);
    assert!(draft.check().is_ok());
}

#[test]
fn consolidation_puts_coordinating_agencies_under_the_lead() {
    let lead = agency("so-vhttdl", "Sở Văn hóa, Thể thao và Du lịch");
    let coord = agency("so-ngoai-vu", "Sở Ngoại vụ");
    let silent = agency("ubnd-ngoc-hoi", "UBND huyện Ngọc Hồi");
    let task = TaskNumber::parse("5.1").unwrap();
    let content = |status, results: &str| ReportContent {
        tasks: vec![ReportTask {
            task: task.clone(),
            status,
            percent: Some(Percent::new(60).unwrap()),
            results: Note::parse(results).unwrap(),
            difficulties: Note::default(),
            proposals: Note::parse("Bổ sung kinh phí").unwrap(),
        }],
        ..ReportContent::default()
    };
    let tasks = [ConsolidationTask {
        number: task.clone(),
        lead: vec![lead.clone()],
        coordinating: vec![coord.clone(), silent.clone()],
    }];
    let reports = [
        (lead.clone(), content(ProgressStatus::Done, "Đã quảng bá")),
        (
            coord.clone(),
            content(ProgressStatus::InProgress, "Đã cung cấp thông tin"),
        ),
    ];
    let out = draft_consolidated(&tasks, &reports, Lang::Vi);
    let t = &out.tasks[0];
    assert_eq!(t.status, ProgressStatus::Done);
    assert_eq!(
        t.results.as_str(),
        "Sở Văn hóa, Thể thao và Du lịch: Đã quảng bá\n- Sở Ngoại vụ (phối hợp): Đã cung cấp thông tin"
    );
    assert!(out.summary.as_str().contains("UBND huyện Ngọc Hồi"));
    // A lead agency that said nothing is named on the task.
    let silent_lead = draft_consolidated(&tasks, &reports[1..], Lang::Vi);
    assert!(
        silent_lead.tasks[0]
            .results
            .as_str()
            .ends_with("Chưa báo cáo: Sở Văn hóa, Thể thao và Du lịch")
    );
    assert_eq!(t.percent.map(Percent::value), Some(60));
}

#[test]
fn report_mutations_are_flat_on_the_wire_and_bounded() {
    let wire = json!({
        "seq": 4, "id": "0b5e7f3a-9c1d-4e2f-8a6b-1c2d3e4f5a6b", "kind": "report.submit",
        "plan": "215/KH-UBND", "period": "H1-2019", "base": 12,
        "summary": "Hoàn thành cơ bản", "direction": "Tiếp tục", "proposals": "",
        "tasks": [{"task": "2.1", "status": "done", "percent": 100, "results": "Đã làm",
                   "difficulties": "", "proposals": ""}],
        "observed_at": "2019-06-14T08:30:00+07:00"
    });
    let m: Mutation = serde_json::from_value(wire.clone()).unwrap();
    let MutationBody::ReportSubmit(w) = &m.body else {
        panic!("a submission");
    };
    assert_eq!(
        w.scope,
        ReportScope::Agency,
        "the scope defaults to the agency's report"
    );
    assert_eq!(w.base, Some(12));
    assert_eq!(w.content.tasks[0].task.as_str(), "2.1");

    let mut too_big = wire.clone();
    too_big["tasks"] = json!(
        (0..=MAX_REPORT_TASKS)
            .map(|i| json!({"task": format!("{}", i + 1), "status": "done"}))
            .collect::<Vec<_>>()
    );
    let envelope: MutationEnvelope = serde_json::from_value(too_big).unwrap();
    assert_eq!(envelope.parse().unwrap_err().error, RejectReason::TooLarge);

    let mut bad_period = wire;
    bad_period["period"] = json!("H2-2019");
    let envelope: MutationEnvelope = serde_json::from_value(bad_period).unwrap();
    assert_eq!(envelope.parse().unwrap_err().error, RejectReason::Invalid);
}

#[test]
fn an_unknown_change_kind_is_skipped_not_an_error() {
    let page: crate::protocol::PullResponse = serde_json::from_value(json!({
        "changes": [{"kind": "agency_renamed", "id": 7, "whatever": true}],
        "cursor": "0", "has_more": false
    }))
    .unwrap();
    assert_eq!(page.changes, vec![Change::Unknown]);
}
