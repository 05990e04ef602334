//! The `tiendo` command line, run as a person or a script would run it.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use serde_json::Value;
use tiendo_tests::tiendo_bin;

const SEED: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../seed/ke-hoach-215-KH-UBND-2019-kon-tum.md"
);
const KON_TUM_2020: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/src/plan/fixtures/kon-tum-2020-kh-ubnd.md"
);

fn tiendo(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(tiendo_bin())
        .args(args)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run tiendo");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(input.as_bytes())
            .expect("write stdin");
    }
    drop(child.stdin.take());
    child.wait_with_output().expect("tiendo output")
}

fn stdout(output: &Output) -> String {
    assert!(
        output.status.success(),
        "failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone()).expect("utf-8")
}

fn db_arg(dir: &Path) -> String {
    dir.join("tiendo.sqlite").to_string_lossy().into_owned()
}

#[test]
fn plan_parse_prints_the_plan_as_json() {
    let plan: Value =
        serde_json::from_str(&stdout(&tiendo(&["plan", "parse", SEED], None))).expect("json");
    assert_eq!(plan["code"], "215/KH-UBND");
    assert_eq!(plan["date"], "2019-01-28");
    let tasks = plan["tasks"].as_array().expect("tasks");
    assert_eq!(tasks.len(), 20);
    let task = |n: &str| tasks.iter().find(|t| t["number"] == n).expect(n);
    assert_eq!(
        task("5.2")["timeframe"],
        serde_json::json!({"kind": "quarter", "quarter": 2, "year": 2019})
    );
    assert_eq!(task("1.1")["timeframe"]["kind"], "ongoing");
    assert_eq!(
        task("3")["timeframe"],
        serde_json::json!({"kind": "from_year", "year": 2019})
    );
    assert_eq!(
        task("5.2")["lead"][0],
        serde_json::json!({"id": "so-vhttdl", "name": "Sở Văn hóa, Thể thao và Du lịch"})
    );
    let reporting = plan["reporting"].as_array().expect("reporting");
    let deadlines: Vec<_> = reporting
        .iter()
        .map(|r| {
            (
                r["agency_deadline"].as_str().unwrap_or(""),
                r["consolidation_deadline"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        deadlines,
        [("2019-06-15", "2019-06-25"), ("2019-12-05", "2019-12-15")]
    );
}

/// An unknown agency is a new agency, not an error (issue 9); what cannot be read as
/// an agency at all still is, naming the line.
#[test]
fn plan_parse_names_the_line_it_cannot_read() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let file = dir.path().join("hong.md");
    std::fs::write(&file, "Số: 1/KH-UBND\n\nKon Tum, ngày 28 tháng 01 năm 2019\n\nKẾ HOẠCH\nThử\n\nII. NỘI DUNG\n\n1. Việc một\n\n- *Cơ quan chủ trì:* theo phân công.\n").expect("write");
    let output = tiendo(&["plan", "parse", &file.to_string_lossy()], None);
    assert!(!output.status.success());
    let message = String::from_utf8_lossy(&output.stderr);
    assert!(message.contains("line 12"), "{message}");
    assert!(output.stdout.is_empty(), "nothing half-printed");
}

#[test]
fn plan_import_adds_a_plan_once_beside_the_built_in_one() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let db = db_arg(dir.path());
    assert!(
        stdout(&tiendo(
            &["plan", "import", KON_TUM_2020, "--db", &db],
            None
        ))
        .starts_with("imported")
    );
    assert!(
        stdout(&tiendo(
            &["plan", "import", KON_TUM_2020, "--db", &db],
            None
        ))
        .starts_with("updated")
    );
    let again = stdout(&tiendo(&["plan", "import", SEED, "--db", &db], None));
    assert!(
        again.starts_with("updated 215/KH-UBND (20 tasks)"),
        "{again}"
    );
}

#[test]
fn user_add_reads_the_password_from_stdin_and_refuses_mistakes() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let db = db_arg(dir.path());
    let add = |username: &str, agency: &str, role: &str, password: &str| {
        tiendo(
            &[
                "user",
                "add",
                "--username",
                username,
                "--agency",
                agency,
                "--role",
                role,
                "--db",
                &db,
            ],
            Some(password),
        )
    };
    let ok = stdout(&add(
        "canbo.ngochoi",
        "ubnd-ngoc-hoi",
        "staff",
        "một mật khẩu dài\n",
    ));
    assert!(ok.contains("added canbo.ngochoi"), "{ok}");
    for (username, agency, role, password, why) in [
        (
            "canbo.ngochoi",
            "ubnd-ngoc-hoi",
            "staff",
            "một mật khẩu dài",
            "taken",
        ),
        (
            "x",
            "khong-co",
            "staff",
            "một mật khẩu dài",
            "unknown agency",
        ),
        (
            "y",
            "ubnd-ngoc-hoi",
            "boss",
            "một mật khẩu dài",
            "unknown role",
        ),
        ("z", "ubnd-ngoc-hoi", "staff", "ngắn", "short password"),
    ] {
        let output = add(username, agency, role, password);
        assert!(!output.status.success(), "{why}");
        assert!(!output.stderr.is_empty(), "{why} is explained");
    }
}

#[test]
fn agency_list_gives_json_for_machines() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let db = db_arg(dir.path());
    let list: Vec<Value> = serde_json::from_str(&stdout(&tiendo(
        &["agency", "list", "--json", "--db", &db],
        None,
    )))
    .expect("json");
    let ids: Vec<&str> = list.iter().filter_map(|a| a["id"].as_str()).collect();
    for id in [
        "so-tttt",
        "so-vhttdl",
        "bdbp",
        "bdbp-don-bo-y",
        "ubnd-ngoc-hoi",
    ] {
        assert!(ids.contains(&id), "{id}");
    }
    let text = stdout(&tiendo(&["agency", "list", "--db", &db], None));
    assert!(text.contains("Sở Thông tin và Truyền thông"));
}

#[test]
fn report_status_lists_every_agency_that_must_report_and_refuses_what_it_cannot_list() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let db = db_arg(dir.path());
    let status = |extra: &[&str]| {
        let mut args = vec!["report", "status", "--plan", "215/KH-UBND", "--db", &db];
        args.extend_from_slice(extra);
        tiendo(&args, None)
    };
    let view: tiendo_shared::report::ReportsView = serde_json::from_str(&stdout(&status(&[
        "--period",
        "H1-2019",
        "--as-of",
        "2019-06-20",
        "--json",
    ])))
    .expect("the listing as JSON");
    assert_eq!(view.deadline.to_iso(), "2019-06-15");
    let agencies: Vec<&str> = view.reports.iter().map(|r| r.agency.id.as_str()).collect();
    for id in ["so-tttt", "so-vhttdl", "bdbp", "ubnd-ngoc-hoi"] {
        assert!(agencies.contains(&id), "{id} must report");
    }
    assert!(
        !agencies.contains(&"bdbp-don-bo-y"),
        "a border post reports through its command"
    );
    let agency_reports: Vec<_> = view
        .reports
        .iter()
        .filter(|r| r.scope == tiendo_shared::report::ReportScope::Agency)
        .collect();
    assert!(
        agency_reports
            .iter()
            .all(|r| r.state == tiendo_shared::report::CycleState::Missing && r.late)
    );
    assert_eq!(
        view.reports.len(),
        agency_reports.len() + 1,
        "and the consolidated report"
    );

    // As a person reads it: Vietnamese, dd/mm/yyyy.
    let text = stdout(&status(&["--period", "H1-2019", "--as-of", "2019-06-01"]));
    assert!(text.contains("hạn gửi: trước ngày 15/06/2019"), "{text}");
    assert!(text.contains("Bộ Chỉ huy Bộ đội Biên phòng tỉnh"));
    assert!(text.contains("Chưa bắt đầu"));

    for (args, why) in [
        (vec!["--period", "H2-2019"], "a malformed period"),
        (
            vec!["--period", "Q3-2019"],
            "a period the plan does not ask for",
        ),
        (
            vec!["--period", "H1-2019", "--as-of", "20/06/2019"],
            "a malformed day",
        ),
    ] {
        let output = status(&args);
        assert!(!output.status.success(), "{why}");
        assert!(!output.stderr.is_empty(), "{why} is explained");
    }
    let unknown = tiendo(
        &[
            "report", "status", "--plan", "9/KH", "--period", "H1-2019", "--db", &db,
        ],
        None,
    );
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("9/KH"));
}
