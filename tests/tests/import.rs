//! Importing plans from the files they are published in, run as an administrator
//! would run it: Word documents the tests write as Word does (automatic numbering,
//! tables), `--dry-run`, revised plans re-imported over recorded progress, and files
//! that are not plans.

use std::io::Write;
use std::path::Path;

use docx_rs::{
    AbstractNumbering, Docx, IndentLevel, Level, LevelJc, LevelOverride, LevelText, NumberFormat,
    Numbering, NumberingId, Paragraph, Run, Start, Table, TableCell, TableRow, VMergeType,
};
use serde_json::{Value, json};
use tiendo_shared::protocol::{
    Change, Cursor, PlanView, ProgressUpdate, PullResponse, PushResponse,
};
use tiendo_tests::cli::{dump, failure, path, stdout, tiendo};
use tiendo_tests::{Client, TestServer, client_id, progress, uuid};

// ---- Running the binary ----

fn write_file(dir: &Path, name: &str, bytes: &[u8]) -> String {
    let file = dir.join(name);
    std::fs::write(&file, bytes).expect("write the file");
    path(&file)
}

fn tasks_in_db(db: &Path, code: &str) -> Vec<(String, bool, Vec<String>, i64)> {
    let conn =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .expect("open the database");
    let mut stmt = conn
        .prepare(
            "SELECT t.number, t.withdrawn,
                COALESCE((SELECT group_concat(agency_id, ',') FROM
                    (SELECT agency_id FROM task_agencies WHERE task_id = t.id AND role = 'lead' ORDER BY position)), ''),
                (SELECT COUNT(*) FROM progress_updates WHERE task_id = t.id)
             FROM tasks t JOIN plans p ON p.id = t.plan_id WHERE p.code = ?1 ORDER BY t.number",
        )
        .expect("prepare");
    stmt.query_map([code], |r| {
        let lead: String = r.get(2)?;
        Ok((
            r.get(0)?,
            r.get(1)?,
            lead.split(',')
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
            r.get(3)?,
        ))
    })
    .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
    .expect("tasks")
}

// ---- Word plans, written as Word writes them ----

/// The document's lists (docx-rs keeps numbering 1 for itself).
const PARTS: usize = 2; // I. II. III. IV.
const TASKS: usize = 3; // 1. / 1.1. / a)
const BULLETS: usize = 4; // -
const ORGANISATION: usize = 5; // the tasks' list again, restarted at 1
const ROWS: usize = 6; // 1. 2. in a table's STT column
const ROWS_AGAIN: usize = 7; // the same, restarted for the next group

fn with_lists(docx: Docx) -> Docx {
    let level = |i: usize, format: &str, text: &str| {
        Level::new(
            i,
            Start::new(1),
            NumberFormat::new(format),
            LevelText::new(text),
            LevelJc::new("left"),
        )
    };
    docx.add_abstract_numbering(AbstractNumbering::new(PARTS).add_level(level(
        0,
        "upperRoman",
        "%1.",
    )))
    .add_abstract_numbering(
        AbstractNumbering::new(TASKS)
            .add_level(level(0, "decimal", "%1."))
            .add_level(level(1, "decimal", "%1.%2."))
            .add_level(level(2, "lowerLetter", "%3)")),
    )
    .add_abstract_numbering(AbstractNumbering::new(BULLETS).add_level(level(0, "bullet", "-")))
    .add_abstract_numbering(AbstractNumbering::new(ROWS).add_level(level(0, "decimal", "%1.")))
    .add_numbering(Numbering::new(PARTS, PARTS))
    .add_numbering(Numbering::new(TASKS, TASKS))
    .add_numbering(Numbering::new(BULLETS, BULLETS))
    .add_numbering(Numbering::new(ORGANISATION, TASKS).add_override(LevelOverride::new(0).start(1)))
    .add_numbering(Numbering::new(ROWS, ROWS))
    .add_numbering(Numbering::new(ROWS_AGAIN, ROWS).add_override(LevelOverride::new(0).start(1)))
}

fn text(t: &str) -> Paragraph {
    Paragraph::new().add_run(Run::new().add_text(t))
}

fn bold(t: &str) -> Paragraph {
    Paragraph::new().add_run(Run::new().add_text(t).bold())
}

/// A paragraph of list `list` at `level`: Word shows the number, the text has none.
fn numbered(list: usize, level: usize, t: &str) -> Paragraph {
    text(t).numbering(NumberingId::new(list), IndentLevel::new(level))
}

/// "Cơ quan chủ trì: …" with the label in italics, as a bulleted line or a bare one.
fn role(bulleted: bool, label: &str, value: &str) -> Paragraph {
    let p = Paragraph::new()
        .add_run(Run::new().add_text(format!("{label}:")).italic())
        .add_run(Run::new().add_text(format!(" {value}")));
    if bulleted {
        p.numbering(NumberingId::new(BULLETS), IndentLevel::new(0))
    } else {
        p
    }
}

fn cell(paragraphs: &[&str]) -> TableCell {
    paragraphs
        .iter()
        .fold(TableCell::new(), |c, t| c.add_paragraph(text(t)))
}

/// The issuer and number on the left, the motto and the date on the right: a layout
/// table, as every plan of the family opens.
fn header(number: &str, date: &str) -> Table {
    Table::new(vec![TableRow::new(vec![
        cell(&["ỦY BAN NHÂN DÂN", "TỈNH KON TUM", &format!("Số: {number}")]),
        cell(&[
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            "Độc lập - Tự do - Hạnh phúc",
            date,
        ]),
    ])])
}

fn pack(docx: Docx) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    docx.build().pack(&mut out).expect("write the .docx");
    out.into_inner()
}

/// Kon Tum's plan 12/KH-UBND of 2021 in Word, its items numbered by Word. The
/// revision changes task 1.2 (timeframe, coordinating agencies), adds 1.3, and drops
/// 3.b and 4.
fn word_plan(revised: bool) -> Vec<u8> {
    let mut docx = with_lists(Docx::new())
        .add_table(header("12/KH-UBND", "Kon Tum, ngày 15 tháng 3 năm 2021"))
        .add_paragraph(bold("KẾ HOẠCH"))
        .add_paragraph(bold("Hoạt động thông tin đối ngoại tỉnh Kon Tum năm 2021"))
        .add_paragraph(text(
            "Căn cứ Nghị định số 72/2015/NĐ-CP ngày 07/9/2015 của Chính phủ về quản lý hoạt động thông tin đối ngoại;",
        ))
        .add_paragraph(numbered(PARTS, 0, "MỤC ĐÍCH, YÊU CẦU"))
        .add_paragraph(numbered(
            BULLETS,
            0,
            "Nâng cao nhận thức, trách nhiệm của các cấp, các ngành trong công tác thông tin đối ngoại.",
        ))
        .add_paragraph(numbered(PARTS, 0, "NỘI DUNG"))
        .add_paragraph(numbered(TASKS, 0, "Công tác tuyên truyền, thông tin đối ngoại"))
        .add_paragraph(numbered(
            TASKS,
            1,
            "Hướng dẫn, theo dõi, đôn đốc nội dung tuyên truyền đối ngoại trên các lĩnh vực.",
        ))
        .add_paragraph(role(true, "Cơ quan chủ trì", "Sở Thông tin và Truyền thông."))
        .add_paragraph(role(true, "Cơ quan phối hợp", "Các cơ quan, đơn vị, địa phương."))
        .add_paragraph(role(true, "Thời gian thực hiện", "Thường xuyên."))
        .add_paragraph(numbered(
            TASKS,
            1,
            "Quảng bá hình ảnh, tiềm năng du lịch của tỉnh đến bạn bè quốc tế.",
        ))
        // Labels without bullets.
        .add_paragraph(role(
            false,
            "Cơ quan chủ trì",
            "Sở Văn hóa, Thể thao và Du lịch.",
        ))
        .add_paragraph(role(
            false,
            "Cơ quan phối hợp",
            if revised {
                "Báo Kon Tum, Đài Phát thanh - Truyền hình tỉnh, Sở Ngoại vụ."
            } else {
                "Báo Kon Tum, Đài Phát thanh - Truyền hình tỉnh."
            },
        ))
        .add_paragraph(role(
            false,
            "Thời gian thực hiện",
            if revised {
                "Quý III năm 2021."
            } else {
                "Quý II năm 2021."
            },
        ));
    if revised {
        docx = docx
            .add_paragraph(numbered(
                TASKS,
                1,
                "Xây dựng chuyên mục thông tin đối ngoại trên Cổng thông tin điện tử tỉnh.",
            ))
            .add_paragraph(role(
                true,
                "Cơ quan chủ trì",
                "Sở Thông tin và Truyền thông.",
            ))
            .add_paragraph(role(true, "Thời gian thực hiện", "Quý IV năm 2021."));
    }
    docx = docx
        .add_paragraph(numbered(
            TASKS,
            0,
            "Tập huấn, bồi dưỡng nghiệp vụ thông tin đối ngoại cho cán bộ cấp xã.",
        ))
        .add_paragraph(role(
            true,
            "Cơ quan chủ trì",
            "Sở Thông tin và Truyền thông.",
        ))
        .add_paragraph(role(true, "Thời gian thực hiện", "Quý III năm 2021."))
        .add_paragraph(numbered(
            TASKS,
            0,
            "Tuyên truyền về chủ quyền, biên giới quốc gia",
        ))
        .add_paragraph(numbered(
            TASKS,
            2,
            "Tuyên truyền trên hệ thống loa truyền thanh các xã biên giới.",
        ))
        .add_paragraph(role(true, "Cơ quan chủ trì", "UBND huyện Ngọc Hồi."))
        .add_paragraph(role(true, "Thời gian thực hiện", "Năm 2021."));
    if !revised {
        docx = docx
            .add_paragraph(numbered(
                TASKS,
                2,
                "Tuyên truyền cho người xuất nhập cảnh tại Cửa khẩu quốc tế Bờ Y.",
            ))
            .add_paragraph(role(
                true,
                "Cơ quan chủ trì",
                "Bộ Chỉ huy Bộ đội Biên phòng tỉnh.",
            ))
            .add_paragraph(role(true, "Cơ quan phối hợp", "Sở Ngoại vụ."))
            .add_paragraph(role(true, "Thời gian thực hiện", "6 tháng đầu năm 2021."))
            .add_paragraph(numbered(
                TASKS,
                0,
                "Cung cấp thông tin cho phóng viên nước ngoài đến tìm hiểu, đưa tin về tỉnh.",
            ))
            .add_paragraph(role(true, "Cơ quan chủ trì", "Sở Ngoại vụ."))
            .add_paragraph(role(true, "Thời gian thực hiện", "Thường xuyên."));
    }
    docx = docx
        .add_paragraph(numbered(PARTS, 0, "KINH PHÍ"))
        .add_paragraph(text(
            "Kinh phí thực hiện từ nguồn ngân sách nhà nước giao trong dự toán năm 2021 của các cơ quan, đơn vị.",
        ))
        .add_paragraph(numbered(PARTS, 0, "TỔ CHỨC THỰC HIỆN"))
        .add_paragraph(numbered(
            ORGANISATION,
            0,
            "Các cơ quan, đơn vị, UBND các huyện, thành phố chủ động triển khai Kế hoạch này; định kỳ 6 tháng (trước 15/6), năm (trước 05/12) báo cáo kết quả về UBND tỉnh (qua Sở Thông tin và Truyền thông).",
        ))
        .add_paragraph(numbered(
            ORGANISATION,
            0,
            "Giao Sở Thông tin và Truyền thông thường xuyên theo dõi, đôn đốc; định kỳ 6 tháng (trước ngày 25/6), năm (trước 15/12) tổng hợp báo cáo UBND tỉnh.",
        ))
        .add_paragraph(text(
            "UBND tỉnh yêu cầu các cơ quan, đơn vị triển khai thực hiện Kế hoạch này đạt hiệu quả./.",
        ))
        .add_paragraph(bold("Nơi nhận:"))
        .add_paragraph(text("- Như trên;"))
        .add_paragraph(text("- Lưu: VT, KGVX."));
    pack(docx)
}

/// Kon Tum's plan 30/KH-UBND of 2022, its tasks in an appendix table: Roman group
/// rows spanning the row, task rows numbered by Word in the STT column (again from 1
/// in each group), two agencies in one cell, a time cell merged over two rows.
fn word_plan_with_a_table() -> Vec<u8> {
    let stt = |list: usize| {
        TableCell::new()
            .add_paragraph(Paragraph::new().numbering(NumberingId::new(list), IndentLevel::new(0)))
    };
    let group = |numeral: &str, title: &str| {
        TableRow::new(vec![
            cell(&[numeral]),
            TableCell::new().add_paragraph(bold(title)).grid_span(4),
        ])
    };
    let task = |list: usize, cells: [TableCell; 4]| {
        let [a, b, c, d] = cells;
        TableRow::new(vec![stt(list), a, b, c, d])
    };
    let table = Table::new(vec![
        TableRow::new(vec![
            cell(&["STT"]),
            cell(&["Nội dung nhiệm vụ"]),
            cell(&["Cơ quan chủ trì"]),
            cell(&["Cơ quan phối hợp"]),
            cell(&["Thời gian thực hiện"]),
        ]),
        group("I", "Thông tin, tuyên truyền đối ngoại"),
        task(
            ROWS,
            [
                cell(&["Tuyên truyền các sự kiện đối ngoại của tỉnh trên báo chí"]),
                cell(&["Sở Thông tin và Truyền thông"]),
                cell(&["Báo Kon Tum", "Đài Phát thanh - Truyền hình tỉnh"]),
                cell(&["Thường xuyên"]),
            ],
        ),
        task(
            ROWS,
            [
                cell(&["Quảng bá hình ảnh Kon Tum tại Hàn Quốc, Nhật Bản"]),
                cell(&["Sở Ngoại vụ"]),
                cell(&["Sở Văn hóa, Thể thao và Du lịch"]),
                cell(&["Quý II/2022"]),
            ],
        ),
        group("II", "Thông tin đối ngoại khu vực biên giới"),
        task(
            ROWS_AGAIN,
            [
                cell(&["Tuyên truyền tại Cửa khẩu quốc tế Bờ Y"]),
                cell(&["Bộ Chỉ huy Bộ đội Biên phòng tỉnh"]),
                cell(&["UBND huyện Ngọc Hồi"]),
                cell(&["Năm 2022"]).vertical_merge(VMergeType::Restart),
            ],
        ),
        task(
            ROWS_AGAIN,
            [
                cell(&["Tuyên truyền về đường biên giới Việt Nam - Lào"]),
                cell(&["Công an tỉnh"]),
                cell(&["Các cơ quan báo chí, truyền thông tỉnh"]),
                TableCell::new()
                    .add_paragraph(Paragraph::new())
                    .vertical_merge(VMergeType::Continue),
            ],
        ),
    ]);
    let docx = with_lists(Docx::new())
        .add_table(header("30/KH-UBND", "Kon Tum, ngày 10 tháng 02 năm 2022"))
        .add_paragraph(bold("KẾ HOẠCH"))
        .add_paragraph(bold("Thông tin đối ngoại tỉnh Kon Tum năm 2022"))
        .add_paragraph(numbered(PARTS, 0, "MỤC ĐÍCH, YÊU CẦU"))
        .add_paragraph(text("Quảng bá hình ảnh tỉnh Kon Tum đến bạn bè quốc tế."))
        .add_paragraph(numbered(PARTS, 0, "NHIỆM VỤ"))
        .add_paragraph(text("(Có Phụ lục chi tiết kèm theo)"))
        .add_paragraph(numbered(PARTS, 0, "TỔ CHỨC THỰC HIỆN"))
        .add_paragraph(numbered(
            ORGANISATION,
            0,
            "Các sở, ban, ngành, UBND các huyện, thành phố báo cáo kết quả thực hiện 6 tháng trước ngày 10/6, báo cáo năm trước ngày 20/11 về Sở Thông tin và Truyền thông để tổng hợp.",
        ))
        .add_paragraph(numbered(
            ORGANISATION,
            0,
            "Sở Thông tin và Truyền thông tổng hợp báo cáo UBND tỉnh trước ngày 15/6 (báo cáo 6 tháng) và trước ngày 30/11 (báo cáo năm).",
        ))
        .add_paragraph(bold("Nơi nhận:"))
        .add_paragraph(text("- Như trên;"))
        .add_paragraph(bold("PHỤ LỤC"))
        .add_paragraph(bold("NHIỆM VỤ THÔNG TIN ĐỐI NGOẠI NĂM 2022"))
        .add_paragraph(text(
            "(Kèm theo Kế hoạch số 30/KH-UBND ngày 10/02/2022 của UBND tỉnh Kon Tum)",
        ))
        .add_table(table);
    pack(docx)
}

// ---- Reading parsed plans ----

fn parse(file: &str) -> Value {
    serde_json::from_str(&stdout(&tiendo(&["plan", "parse", file]))).expect("json")
}

fn task<'a>(plan: &'a Value, number: &str) -> &'a Value {
    plan["tasks"]
        .as_array()
        .expect("tasks")
        .iter()
        .find(|t| t["number"] == number)
        .unwrap_or_else(|| panic!("no task {number}"))
}

fn ids(agencies: &Value) -> Vec<&str> {
    agencies
        .as_array()
        .expect("agencies")
        .iter()
        .filter_map(|a| a["id"].as_str())
        .collect()
}

fn numbers(plan: &Value) -> Vec<&str> {
    plan["tasks"]
        .as_array()
        .expect("tasks")
        .iter()
        .filter_map(|t| t["number"].as_str())
        .collect()
}

fn deadlines(plan: &Value) -> Vec<(&str, &str, &str)> {
    plan["reporting"]
        .as_array()
        .expect("reporting")
        .iter()
        .map(|r| {
            (
                r["agency_deadline"].as_str().unwrap_or(""),
                r["consolidation_deadline"].as_str().unwrap_or(""),
                r["consolidator"]["id"].as_str().unwrap_or(""),
            )
        })
        .collect()
}

// ---- The tests ----

#[test]
fn a_word_plan_with_automatic_numbering_is_read_task_by_task_and_imported() {
    let dir = tempfile::tempdir().expect("temporary directory");
    // By content, not by name: a Word document called .md is still read as Word.
    let file = write_file(dir.path(), "ke-hoach-12-KH-UBND.md", &word_plan(false));

    // The text the parser reads shows the numbers Word shows.
    let text = stdout(&tiendo(&["plan", "parse", &file, "--text"]));
    let lines: Vec<&str> = text.lines().filter(|l| !l.is_empty()).collect();
    for expected in [
        "Số: 12/KH-UBND",
        "Kon Tum, ngày 15 tháng 3 năm 2021",
        "I. MỤC ĐÍCH, YÊU CẦU",
        "II. NỘI DUNG",
        "1. Công tác tuyên truyền, thông tin đối ngoại",
        "1.1. Hướng dẫn, theo dõi, đôn đốc nội dung tuyên truyền đối ngoại trên các lĩnh vực.",
        "- Cơ quan chủ trì: Sở Thông tin và Truyền thông.",
        "1.2. Quảng bá hình ảnh, tiềm năng du lịch của tỉnh đến bạn bè quốc tế.",
        "Cơ quan chủ trì: Sở Văn hóa, Thể thao và Du lịch.",
        "2. Tập huấn, bồi dưỡng nghiệp vụ thông tin đối ngoại cho cán bộ cấp xã.",
        "3. Tuyên truyền về chủ quyền, biên giới quốc gia",
        "a) Tuyên truyền trên hệ thống loa truyền thanh các xã biên giới.",
        "b) Tuyên truyền cho người xuất nhập cảnh tại Cửa khẩu quốc tế Bờ Y.",
        "4. Cung cấp thông tin cho phóng viên nước ngoài đến tìm hiểu, đưa tin về tỉnh.",
        "III. KINH PHÍ",
        "IV. TỔ CHỨC THỰC HIỆN",
    ] {
        assert!(lines.contains(&expected), "{expected} in\n{text}");
    }
    // The organisation part's list restarts at 1 (a start override in Word).
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("1. Các cơ quan, đơn vị, UBND các huyện")),
        "{text}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("2. Giao Sở Thông tin và Truyền thông")),
        "{text}"
    );

    let plan = parse(&file);
    assert_eq!(plan["code"], "12/KH-UBND");
    assert_eq!(plan["date"], "2021-03-15");
    assert_eq!(plan["year"], 2021);
    assert_eq!(
        plan["title"],
        "Hoạt động thông tin đối ngoại tỉnh Kon Tum năm 2021"
    );
    assert_eq!(plan["province"], "Kon Tum");
    assert_eq!(numbers(&plan), ["1.1", "1.2", "2", "3.a", "3.b", "4"]);
    let expected: [(&str, &[&str], &[&str], Value); 6] = [
        ("1.1", &["so-tttt"], &[], json!({"kind": "ongoing"})),
        (
            "1.2",
            &["so-vhttdl"],
            &["bao-kon-tum", "dai-ptth"],
            json!({"kind": "quarter", "quarter": 2, "year": 2021}),
        ),
        (
            "2",
            &["so-tttt"],
            &[],
            json!({"kind": "quarter", "quarter": 3, "year": 2021}),
        ),
        (
            "3.a",
            &["ubnd-ngoc-hoi"],
            &[],
            json!({"kind": "year", "year": 2021}),
        ),
        (
            "3.b",
            &["bdbp"],
            &["so-ngoai-vu"],
            json!({"kind": "half_year", "half": 1, "year": 2021}),
        ),
        ("4", &["so-ngoai-vu"], &[], json!({"kind": "ongoing"})),
    ];
    for (number, lead, coordinating, timeframe) in expected {
        let t = task(&plan, number);
        assert_eq!(ids(&t["lead"]), lead, "{number} lead");
        if !coordinating.is_empty() {
            assert_eq!(
                ids(&t["coordinating"]),
                coordinating,
                "{number} coordinating"
            );
        }
        assert_eq!(t["timeframe"], timeframe, "{number} timeframe");
    }
    // "Các cơ quan, đơn vị, địa phương" is a group: every agency but the lead.
    let group = ids(&task(&plan, "1.1")["coordinating"]).len();
    assert!(group > 10, "{group}");
    assert_eq!(
        task(&plan, "3.a")["title"],
        "Tuyên truyền trên hệ thống loa truyền thanh các xã biên giới"
    );
    assert_eq!(
        deadlines(&plan),
        [
            ("2021-06-15", "2021-06-25", "so-tttt"),
            ("2021-12-05", "2021-12-15", "so-tttt")
        ]
    );

    let db = dir.path().join("tiendo.sqlite");
    let summary = stdout(&tiendo(&["plan", "import", &file, "--db", &path(&db)]));
    assert!(
        summary.starts_with("imported 12/KH-UBND (6 tasks)\n"),
        "{summary}"
    );
    for line in [
        "tasks added: 6",
        "  + 1.1      Hướng dẫn, theo dõi, đôn đốc nội dung tuyên truyền đối ngoại trên các lĩnh vực",
        "  + 3.b      Tuyên truyền cho người xuất nhập cảnh tại Cửa khẩu quốc tế Bờ Y",
        "tasks changed: none",
        "tasks withdrawn (kept with their history, out of the plan): none",
        "new agencies: none",
        "group phrases left unmapped: none",
        "warnings: none",
    ] {
        assert!(summary.lines().any(|l| l == line), "{line} in\n{summary}");
    }
    let stored = tasks_in_db(&db, "12/KH-UBND");
    let stored: Vec<(&str, bool, Vec<&str>)> = stored
        .iter()
        .map(|(n, w, lead, _)| (n.as_str(), *w, lead.iter().map(String::as_str).collect()))
        .collect();
    assert_eq!(
        stored,
        [
            ("1.1", false, vec!["so-tttt"]),
            ("1.2", false, vec!["so-vhttdl"]),
            ("2", false, vec!["so-tttt"]),
            ("3.a", false, vec!["ubnd-ngoc-hoi"]),
            ("3.b", false, vec!["bdbp"]),
            ("4", false, vec!["so-ngoai-vu"]),
        ]
    );
    // Beside the built-in plan, which is untouched.
    assert_eq!(tasks_in_db(&db, "215/KH-UBND").len(), 20);
}

#[test]
fn a_word_plan_with_its_tasks_in_a_table_is_read_row_by_row() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let file = write_file(dir.path(), "phu-luc.docx", &word_plan_with_a_table());
    let text = stdout(&tiendo(&["plan", "parse", &file, "--text"]));
    for row in [
        "| STT | Nội dung nhiệm vụ | Cơ quan chủ trì | Cơ quan phối hợp | Thời gian thực hiện |",
        "| I | Thông tin, tuyên truyền đối ngoại |  |  |  |",
        "| 1. | Tuyên truyền các sự kiện đối ngoại của tỉnh trên báo chí | Sở Thông tin và Truyền thông | Báo Kon Tum<br>Đài Phát thanh - Truyền hình tỉnh | Thường xuyên |",
        "| 1. | Tuyên truyền tại Cửa khẩu quốc tế Bờ Y | Bộ Chỉ huy Bộ đội Biên phòng tỉnh | UBND huyện Ngọc Hồi | Năm 2022 |",
        "| 2. | Tuyên truyền về đường biên giới Việt Nam - Lào | Công an tỉnh | Các cơ quan báo chí, truyền thông tỉnh | Năm 2022 |",
    ] {
        assert!(text.lines().any(|l| l == row), "{row} in\n{text}");
    }

    let plan = parse(&file);
    assert_eq!(plan["code"], "30/KH-UBND");
    assert_eq!(plan["date"], "2022-02-10");
    assert_eq!(numbers(&plan), ["1.1", "1.2", "2.1", "2.2"]);
    let expected: [(&str, &[&str], &[&str], Value); 4] = [
        (
            "1.1",
            &["so-tttt"],
            &["bao-kon-tum", "dai-ptth"],
            json!({"kind": "ongoing"}),
        ),
        (
            "1.2",
            &["so-ngoai-vu"],
            &["so-vhttdl"],
            json!({"kind": "quarter", "quarter": 2, "year": 2022}),
        ),
        (
            "2.1",
            &["bdbp"],
            &["ubnd-ngoc-hoi"],
            json!({"kind": "year", "year": 2022}),
        ),
        (
            "2.2",
            &["cong-an"],
            &["bao-kon-tum", "dai-ptth"],
            json!({"kind": "year", "year": 2022}),
        ),
    ];
    for (number, lead, coordinating, timeframe) in expected {
        let t = task(&plan, number);
        assert_eq!(ids(&t["lead"]), lead, "{number} lead");
        assert_eq!(
            ids(&t["coordinating"]),
            coordinating,
            "{number} coordinating"
        );
        assert_eq!(t["timeframe"], timeframe, "{number} timeframe");
    }
    assert_eq!(
        task(&plan, "1.2")["title"],
        "Quảng bá hình ảnh Kon Tum tại Hàn Quốc, Nhật Bản"
    );
    let sections: Vec<(&str, &str)> = plan["sections"]
        .as_array()
        .expect("sections")
        .iter()
        .map(|s| {
            (
                s["number"].as_str().unwrap_or(""),
                s["title"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        sections,
        [
            ("1", "Thông tin, tuyên truyền đối ngoại"),
            ("2", "Thông tin đối ngoại khu vực biên giới")
        ]
    );
    assert_eq!(
        deadlines(&plan),
        [
            ("2022-06-10", "2022-06-15", "so-tttt"),
            ("2022-11-20", "2022-11-30", "so-tttt")
        ]
    );

    let db = dir.path().join("tiendo.sqlite");
    let summary = stdout(&tiendo(&["plan", "import", &file, "--db", &path(&db)]));
    assert!(
        summary.starts_with("imported 30/KH-UBND (4 tasks)\n"),
        "{summary}"
    );
    let stored: Vec<(String, Vec<String>)> = tasks_in_db(&db, "30/KH-UBND")
        .into_iter()
        .map(|(n, _, lead, _)| (n, lead))
        .collect();
    assert_eq!(
        stored,
        [
            ("1.1".to_owned(), vec!["so-tttt".to_owned()]),
            ("1.2".to_owned(), vec!["so-ngoai-vu".to_owned()]),
            ("2.1".to_owned(), vec!["bdbp".to_owned()]),
            ("2.2".to_owned(), vec!["cong-an".to_owned()]),
        ]
    );
}

/// Every progress update `client` may see, from the start.
fn pull_all(client: &Client) -> Vec<ProgressUpdate> {
    let mut cursor = Cursor::START;
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

fn push_ok(client: &Client, device: &str, mutations: Vec<Value>) {
    let reply: PushResponse = client.push(device, mutations).json();
    assert!(reply.rejected.is_empty(), "{:?}", reply.rejected);
}

fn plan_numbers(client: &Client) -> (PlanView, Vec<String>) {
    let plan: PlanView = client.get("/api/v1/plan").json();
    let numbers = plan
        .tasks
        .iter()
        .map(|t| t.number.as_str().to_owned())
        .collect();
    (plan, numbers)
}

#[test]
fn a_revised_plan_keeps_progress_by_number_and_withdraws_what_it_dropped() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let v1 = write_file(dir.path(), "ke-hoach-v1.docx", &word_plan(false));
    let v2 = write_file(dir.path(), "ke-hoach-v2.docx", &word_plan(true));

    let server = TestServer::start().restart_with(|db| {
        let out = stdout(&tiendo(&["plan", "import", &v1, "--db", &path(db)]));
        assert!(out.starts_with("imported 12/KH-UBND (6 tasks)"), "{out}");
    });
    // The plan of 2021 is the current one; progress lands on its tasks.
    let ngoaivu = server.login("ngoaivu");
    let device = client_id(901);
    push_ok(
        &ngoaivu,
        &device,
        vec![progress(
            1,
            "4",
            "in_progress",
            "Đã đón 03 đoàn phóng viên nước ngoài.",
        )],
    );
    push_ok(
        &ngoaivu,
        &device,
        vec![json!({
            "seq": 2,
            "id": uuid(2, "report-4"),
            "kind": "report.save",
            "plan": "12/KH-UBND",
            "period": "H1-2021",
            "summary": "Hoàn thành các nhiệm vụ 6 tháng đầu năm.",
            "tasks": [{"task": "4", "status": "in_progress", "results": "Đón 03 đoàn phóng viên."}],
            "observed_at": "2021-06-10T09:00:00+07:00",
        })],
    );
    let vhttdl = server.login("vhttdl");
    push_ok(
        &vhttdl,
        &client_id(902),
        vec![progress(
            1,
            "1.2",
            "in_progress",
            "Đã xây dựng kế hoạch quảng bá.",
        )],
    );
    let (_, before) = plan_numbers(&vhttdl);
    assert_eq!(before, ["1.1", "1.2", "2", "3.a", "3.b", "4"]);

    let server = server.restart_with(|db| {
        let before = dump(db);
        let db = path(db);

        // A dry run says what would change, and changes nothing.
        let dry = stdout(&tiendo(&["plan", "import", &v2, "--dry-run", "--db", &db]));
        assert!(
            dry.starts_with("dry run: would update 12/KH-UBND (5 tasks); nothing was changed\n"),
            "{dry}"
        );
        let expected_lines = [
            "tasks added: 1",
            "  + 1.3      Xây dựng chuyên mục thông tin đối ngoại trên Cổng thông tin điện tử tỉnh",
            "tasks changed: 1",
            "  ~ 1.2      Quảng bá hình ảnh, tiềm năng du lịch của tỉnh đến bạn bè quốc tế",
            "      timeframe: “Quý II năm 2021” → “Quý III năm 2021”",
            "      coordinating: “Báo Kon Tum, Đài Phát thanh - Truyền hình tỉnh.” → “Báo Kon Tum, Đài Phát thanh - Truyền hình tỉnh, Sở Ngoại vụ.”",
            "tasks withdrawn (kept with their history, out of the plan): 2",
            "  - 3.b      Tuyên truyền cho người xuất nhập cảnh tại Cửa khẩu quốc tế Bờ Y (nothing recorded)",
            "  - 4        Cung cấp thông tin cho phóng viên nước ngoài đến tìm hiểu, đưa tin về tỉnh (1 progress update(s), in 1 report(s))",
            "tasks unchanged: 3",
            "new agencies: none",
            "warnings: none",
        ];
        for line in expected_lines {
            assert!(dry.lines().any(|l| l == line), "{line} in\n{dry}");
        }
        let json: Value = serde_json::from_str(&stdout(&tiendo(&[
            "plan",
            "import",
            &v2,
            "--dry-run",
            "--json",
            "--db",
            &db,
        ])))
        .expect("json");
        assert_eq!(json["applied"], false);
        assert_eq!(json["created"], false);
        assert_eq!(json["added"][0]["number"], "1.3");
        assert_eq!(json["changed"][0]["number"], "1.2");
        let fields: Vec<&str> = json["changed"][0]["changes"]
            .as_array()
            .expect("changes")
            .iter()
            .filter_map(|c| c["field"].as_str())
            .collect();
        assert_eq!(fields, ["timeframe", "coordinating"]);
        assert_eq!(
            json["withdrawn"],
            json!([
                {"number": "3.b", "title": "Tuyên truyền cho người xuất nhập cảnh tại Cửa khẩu quốc tế Bờ Y", "progress": 0, "reports": 0},
                {"number": "4", "title": "Cung cấp thông tin cho phóng viên nước ngoài đến tìm hiểu, đưa tin về tỉnh", "progress": 1, "reports": 1},
            ])
        );
        assert_eq!(json["unchanged"], 3);
        assert_eq!(dump(Path::new(&db)), before, "a dry run changes nothing");

        // The import itself prints the same summary, and does it.
        let real = stdout(&tiendo(&["plan", "import", &v2, "--db", &db]));
        assert!(real.starts_with("updated 12/KH-UBND (5 tasks)\n"), "{real}");
        for line in expected_lines {
            assert!(real.lines().any(|l| l == line), "{line} in\n{real}");
        }
        assert_ne!(dump(Path::new(&db)), before);
    });

    // The same sessions, at the restarted server.
    let vhttdl = server.login_with_token(&vhttdl.token);
    let ngoaivu = server.login_with_token(&ngoaivu.token);
    // Devices are served the revised plan without the withdrawn tasks …
    let (plan, after) = plan_numbers(&vhttdl);
    assert_eq!(after, ["1.1", "1.2", "1.3", "2", "3.a"]);
    let changed = plan
        .tasks
        .iter()
        .find(|t| t.number.as_str() == "1.2")
        .expect("1.2");
    assert_eq!(changed.timeframe, "Quý III năm 2021");
    assert_eq!(
        changed
            .coordinating
            .iter()
            .map(|a| a.id.as_str())
            .collect::<Vec<_>>(),
        ["bao-kon-tum", "dai-ptth", "so-ngoai-vu"]
    );
    // … and the progress recorded stays attached, on the changed task and on the
    // withdrawn one, in the history everyone pulls.
    let history: Vec<(String, String)> = pull_all(&ngoaivu)
        .into_iter()
        .map(|u| (u.task.as_str().to_owned(), u.note.as_str().to_owned()))
        .collect();
    assert!(history.contains(&(
        "4".to_owned(),
        "Đã đón 03 đoàn phóng viên nước ngoài.".to_owned()
    )));
    assert!(
        pull_all(&vhttdl).iter().any(
            |u| u.task.as_str() == "1.2" && u.note.as_str() == "Đã xây dựng kế hoạch quảng bá."
        )
    );

    // Bringing the first version back restores the withdrawn tasks as they were, with
    // their progress.
    let server = server.restart_with(|db| {
        let stored: Vec<(String, bool, i64)> = tasks_in_db(db, "12/KH-UBND")
            .into_iter()
            .map(|(n, w, _, progress)| (n, w, progress))
            .collect();
        assert_eq!(
            stored,
            [
                ("1.1".to_owned(), false, 0),
                ("1.2".to_owned(), false, 1),
                ("1.3".to_owned(), false, 0),
                ("2".to_owned(), false, 0),
                ("3.a".to_owned(), false, 0),
                ("3.b".to_owned(), true, 0),
                ("4".to_owned(), true, 1),
            ]
        );
        let out = stdout(&tiendo(&["plan", "import", &v1, "--db", &path(db)]));
        for line in [
            "tasks restored (withdrawn before): 2",
            "  + 4        Cung cấp thông tin cho phóng viên nước ngoài đến tìm hiểu, đưa tin về tỉnh",
            "tasks withdrawn (kept with their history, out of the plan): 1",
            "  - 1.3      Xây dựng chuyên mục thông tin đối ngoại trên Cổng thông tin điện tử tỉnh (nothing recorded)",
        ] {
            assert!(out.lines().any(|l| l == line), "{line} in\n{out}");
        }
    });
    let (_, restored) = plan_numbers(&server.login_with_token(&ngoaivu.token));
    assert_eq!(restored, ["1.1", "1.2", "2", "3.a", "3.b", "4"]);
}

#[test]
fn files_that_are_not_plans_get_a_clear_error_and_change_nothing() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let db = dir.path().join("tiendo.sqlite");
    let zip_of = |entries: &[(&str, &str)]| {
        let mut out = std::io::Cursor::new(Vec::new());
        let mut zip = zip::ZipWriter::new(&mut out);
        for (name, content) in entries {
            let options = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Stored);
            zip.start_file(*name, options).expect("start");
            zip.write_all(content.as_bytes()).expect("write");
        }
        zip.finish().expect("finish");
        out.into_inner()
    };
    let random: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8 | 0x80)
        .collect();
    let word = word_plan(false);
    let cases: [(&str, Vec<u8>, &str); 6] = [
        (
            "random.docx",
            random,
            "not a plan file: expected a Word .docx or a text plan",
        ),
        (
            "bang-tinh.docx",
            zip_of(&[("xl/workbook.xml", "<workbook/>")]),
            "not a plan file: expected a Word .docx or a text plan (this is a zip archive without word/document.xml)",
        ),
        (
            "cut.docx",
            word[..word.len() / 2].to_vec(),
            "not a plan file: expected a Word .docx or a text plan (this is a zip archive that cannot be opened",
        ),
        (
            "hong.docx",
            zip_of(&[("word/document.xml", "<w:document><w:body>")]),
            "a damaged Word file: word/document.xml:",
        ),
        (
            "cu.doc",
            b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\0\0\0\0".to_vec(),
            "old binary Word .doc",
        ),
        (
            "ke-hoach.pdf",
            b"%PDF-1.7\n%\xE2\xE3".to_vec(),
            "this is a PDF",
        ),
    ];
    for (name, bytes, expected) in cases {
        let file = write_file(dir.path(), name, &bytes);
        for args in [
            vec!["plan", "parse", &file],
            vec!["plan", "import", &file, "--db", &path(&db)],
            vec!["plan", "import", &file, "--dry-run", "--db", &path(&db)],
        ] {
            let message = failure(&tiendo(&args));
            assert!(message.contains(expected), "{name}: {message}");
            assert!(message.contains(name), "the file is named: {message}");
        }
    }
    assert!(
        !db.exists(),
        "nothing was imported, not even a database made"
    );
}

#[test]
fn a_mistake_in_a_word_plan_is_named_by_its_paragraph_and_imports_nothing() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let docx = with_lists(Docx::new())
        .add_paragraph(text("Số: 5/KH-UBND"))
        .add_paragraph(text("Kon Tum, ngày 02 tháng 4 năm 2021"))
        .add_paragraph(bold("KẾ HOẠCH"))
        .add_paragraph(text("Thử"))
        .add_paragraph(numbered(PARTS, 0, "NỘI DUNG"))
        .add_paragraph(numbered(TASKS, 0, "Việc một"))
        .add_paragraph(role(true, "Cơ quan chủ trì", "Sở Ngoại vụ."))
        .add_paragraph(role(true, "Thời gian thực hiện", "Quý II/2021."))
        .add_paragraph(role(true, "Thời gian thực hiện", "Quý III/2021."));
    let file = write_file(dir.path(), "hong.docx", &pack(docx));
    let db = dir.path().join("tiendo.sqlite");
    for args in [
        vec!["plan", "parse", &file],
        vec!["plan", "import", &file, "--db", &path(&db)],
    ] {
        let message = failure(&tiendo(&args));
        assert!(
            message.contains(
                "the paragraph “- Thời gian thực hiện: Quý III/2021.”: expected one “Thời gian thực hiện” line per task"
            ),
            "{message}"
        );
    }
    assert!(!db.exists());

    // And a text plan is a text plan whatever it is called.
    let seed = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../seed/ke-hoach-215-KH-UBND-2019-kon-tum.md"
    ))
    .expect("the seed");
    let file = write_file(dir.path(), "ke-hoach.docx", &seed);
    let out = stdout(&tiendo(&[
        "plan",
        "import",
        &file,
        "--dry-run",
        "--db",
        &path(&db),
    ]));
    assert!(
        out.starts_with("dry run: would update 215/KH-UBND (20 tasks); nothing was changed"),
        "{out}"
    );
    assert!(out.lines().any(|l| l == "tasks unchanged: 20"), "{out}");
}

/// A plan of the test fixtures in `shared`.
fn fixture(name: &str) -> String {
    format!(
        "{}/../shared/src/plan/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

#[test]
fn another_provinces_plan_never_changes_what_kon_tums_people_see() {
    let quang_tri = fixture("quang-tri-2022-mot-cau-tong-hop.md");
    let gia_lai = fixture("gia-lai-2025-sau-sap-xep-phu-luc.md");
    let server = TestServer::start().restart_with(|db| {
        let out = stdout(&tiendo(&["plan", "import", &quang_tri, "--db", &path(db)]));
        assert!(out.starts_with("imported 1256/KH-UBND"), "{out}");
        // Gia Lai's 215/KH-UBND is another plan than Kon Tum's 215/KH-UBND: it is
        // stored beside it under the same code, which names a plan within a province.
        let out = stdout(&tiendo(&["plan", "import", &gia_lai, "--db", &path(db)]));
        assert!(out.starts_with("imported 215/KH-UBND ("), "{out}");
        // The command line, which has no province of its own, asks which one is meant.
        let message = failure(&tiendo(&[
            "report",
            "status",
            "--plan",
            "215/KH-UBND",
            "--period",
            "H1-2019",
            "--db",
            &path(db),
        ]));
        assert!(message.contains("gia-lai, kon-tum"), "{message}");
        assert!(message.contains("--province"), "{message}");
        let out = stdout(&tiendo(&[
            "report",
            "status",
            "--plan",
            "215/KH-UBND",
            "--province",
            "Kon Tum",
            "--period",
            "H1-2019",
            "--db",
            &path(db),
        ]));
        assert!(out.contains("Sở Văn hóa, Thể thao và Du lịch"), "{out}");
        let message = failure(&tiendo(&[
            "report",
            "status",
            "--plan",
            "215/KH-UBND",
            "--province",
            "gia-lai",
            "--period",
            "H1-2019",
            "--db",
            &path(db),
        ]));
        assert!(message.contains("asks for no report H1-2019"), "{message}");
    });
    let conn = rusqlite::Connection::open(server.db.path()).expect("open");
    let agency = |id: &str| -> Option<(String, String)> {
        conn.query_row(
            "SELECT name, province FROM agencies WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .ok()
    };
    // Kon Tum's department keeps its id; Quảng Trị's gets one of its own.
    assert_eq!(
        agency("so-tttt"),
        Some((
            "Sở Thông tin và Truyền thông".to_owned(),
            "kon-tum".to_owned()
        ))
    );
    assert_eq!(
        agency("quang-tri-so-tttt").map(|a| a.1),
        Some("quang-tri".to_owned())
    );
    assert_eq!(
        agency("ubnd-huong-hoa").map(|a| a.1),
        Some("quang-tri".to_owned())
    );
    let kon_tum_in_quang_tri: i64 = conn
        .query_row(
            "SELECT count(*) FROM task_agencies ta JOIN tasks t ON t.id = ta.task_id
             JOIN plans p ON p.id = t.plan_id JOIN agencies a ON a.id = ta.agency_id
             WHERE p.code = '1256/KH-UBND' AND a.province != 'quang-tri'",
            [],
            |r| r.get(0),
        )
        .expect("count");
    assert_eq!(
        kon_tum_in_quang_tri, 0,
        "no Kon Tum agency is on a Quảng Trị task"
    );

    let plans: Vec<(String, String)> = conn
        .prepare("SELECT province, number FROM plans WHERE code = '215/KH-UBND' ORDER BY province")
        .expect("prepare")
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows");
    assert_eq!(
        plans,
        [
            ("gia-lai".to_owned(), "215/KH-UBND".to_owned()),
            ("kon-tum".to_owned(), "215/KH-UBND".to_owned())
        ]
    );

    // Kon Tum's people still work on Kon Tum's plan, though Quảng Trị's and Gia Lai's
    // are newer and Gia Lai's has the same number.
    let plan: PlanView = server.login("vhttdl").get("/api/v1/plan").json();
    assert_eq!(plan.code.as_str(), "215/KH-UBND");
    assert_eq!(plan.year, 2019);
    assert_eq!(plan.tasks.len(), 20);
    let sotttt = server.login("sotttt");
    let plan: PlanView = sotttt.get("/api/v1/plan").json();
    assert_eq!((plan.code.as_str(), plan.year), ("215/KH-UBND", 2019));
    let listed: Vec<tiendo_shared::protocol::PlanListing> = sotttt.get("/api/v1/plans").json();
    assert_eq!(listed.len(), 1, "{listed:?}");
    let plan: PlanView = sotttt.get("/api/v1/plan?plan=215/KH-UBND").json();
    assert_eq!(plan.year, 2019);
    // Progress naming "215/KH-UBND" lands on Kon Tum's task 1.4, not Gia Lai's.
    let mut record = progress(1, "1.4", "in_progress", "Kon Tum, không phải Gia Lai");
    record["plan"] = json!("215/KH-UBND");
    push_ok(&server.login("vhttdl"), &client_id(41), vec![record]);
    let province: String = conn
        .query_row(
            "SELECT p.province FROM progress_updates u JOIN tasks t ON t.id = u.task_id
             JOIN plans p ON p.id = t.plan_id WHERE u.results = 'Kon Tum, không phải Gia Lai'",
            [],
            |r| r.get(0),
        )
        .expect("the update is stored");
    assert_eq!(province, "kon-tum");
    // And Quảng Trị's people work on theirs.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    let added = runtime
        .block_on(server.db.add_user(tiendo_backend::db::NewUser {
            username: "qt.sotttt".into(),
            display_name: "Cán bộ Sở TT&TT Quảng Trị".into(),
            password_hash: tiendo_backend::auth::hash_password("mật khẩu đủ dài").expect("hash"),
            agency: tiendo_shared::ids::AgencyId::parse("quang-tri-so-tttt").expect("id"),
            role: tiendo_shared::protocol::Role::Staff,
        }))
        .expect("add a user");
    assert!(added);
    let reply = server.post_json(
        "/api/v1/login",
        None,
        &json!({"username": "qt.sotttt", "password": "mật khẩu đủ dài"}),
    );
    let token = reply.body["token"].as_str().expect("token").to_owned();
    let plan: PlanView = server.login_with_token(&token).get("/api/v1/plan").json();
    assert_eq!(plan.code.as_str(), "1256/KH-UBND");
    assert!(
        plan.tasks
            .iter()
            .all(|t| t.lead.iter().all(|a| !a.id.as_str().starts_with("so-tttt")))
    );
}

#[test]
fn a_plan_with_a_stored_number_and_another_date_is_another_plan_beside_it() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let seed = std::fs::read_to_string(format!(
        "{}/../seed/ke-hoach-215-KH-UBND-2019-kon-tum.md",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("the seed plan");
    let next_year = seed
        .replace("ngày 28 tháng 01 năm 2019", "ngày 15 tháng 3 năm 2023")
        .replace("năm 2019", "năm 2023")
        .replace("/2019", "/2023");
    assert_ne!(next_year, seed, "the date line was found");
    let file = write_file(dir.path(), "ke-hoach-215-2023.md", next_year.as_bytes());
    let db = dir.path().join("tiendo.sqlite");
    // A first run creates the database with the built-in plan (215/KH-UBND of 2019).
    stdout(&tiendo(&["agency", "list", "--db", &path(&db)]));
    let before = tasks_in_db(&db, "215/KH-UBND");
    let out = stdout(&tiendo(&["plan", "import", &file, "--db", &path(&db)]));
    assert!(
        out.starts_with("imported 215/KH-UBND_2023-03-15 (20 tasks); its province already has a plan 215/KH-UBND"),
        "{out}"
    );
    assert!(out.contains("new agencies: none"), "{out}");
    assert_eq!(
        tasks_in_db(&db, "215/KH-UBND"),
        before,
        "the 2019 plan is untouched"
    );
    assert_eq!(tasks_in_db(&db, "215/KH-UBND_2023-03-15").len(), 20);
    // Each is reported on by its own name.
    let out = stdout(&tiendo(&[
        "report",
        "status",
        "--plan",
        "215/KH-UBND_2023-03-15",
        "--period",
        "H1-2023",
        "--db",
        &path(&db),
    ]));
    assert!(out.contains("215/KH-UBND_2023-03-15 · kỳ H1-2023"), "{out}");
    // The same plan again is a revision of it, not another plan; so is the 2019 one.
    let out = stdout(&tiendo(&["plan", "import", &file, "--db", &path(&db)]));
    assert!(
        out.starts_with("updated 215/KH-UBND_2023-03-15 (20 tasks); its province"),
        "{out}"
    );
    assert!(out.contains("tasks unchanged: 20"), "{out}");
    let seed_file = write_file(dir.path(), "ke-hoach-215-2019.md", seed.as_bytes());
    let out = stdout(&tiendo(&["plan", "import", &seed_file, "--db", &path(&db)]));
    assert!(out.starts_with("updated 215/KH-UBND (20 tasks)\n"), "{out}");
}

#[test]
fn a_plan_naming_an_agency_by_the_name_it_was_renamed_to_reads_it_as_that_agency() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let db = dir.path().join("tiendo.sqlite");
    let renamed = "Sở Đối ngoại";
    stdout(&tiendo(&[
        "agency",
        "rename",
        "so-ngoai-vu",
        "--name",
        renamed,
        "--keep-alias",
        "--db",
        &path(&db),
    ]));
    // Next year's plan writes the new name; the database is the registry of record.
    let seed = std::fs::read_to_string(format!(
        "{}/../seed/ke-hoach-215-KH-UBND-2019-kon-tum.md",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("the seed plan");
    let next = seed
        .replace("Số: 215/KH-UBND", "Số: 88/KH-UBND")
        .replace("ngày 28 tháng 01 năm 2019", "ngày 10 tháng 02 năm 2020")
        .replace("Sở Ngoại vụ", renamed);
    let file = write_file(dir.path(), "ke-hoach-88-2020.md", next.as_bytes());
    let summary: Value = serde_json::from_str(&stdout(&tiendo(&[
        "plan",
        "import",
        &file,
        "--dry-run",
        "--json",
        "--db",
        &path(&db),
    ])))
    .expect("the summary as JSON");
    let new: Vec<&str> = summary["new_agencies"]
        .as_array()
        .expect("new agencies")
        .iter()
        .filter_map(|a| a["name"].as_str())
        .collect();
    assert!(!new.contains(&renamed), "{new:?}");
    assert!(
        summary["warnings"].as_array().is_none_or(|w| w
            .iter()
            .all(|w| !w["message"].as_str().unwrap_or("").contains(renamed))),
        "{summary}"
    );
}
