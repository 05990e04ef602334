//! The exports of a period, black-box: the consolidated report and an agency's report
//! as Word documents, the data as a workbook and as CSV, over HTTP and from the command
//! line. Each file is opened as a reader would open it (the .docx as its zip of XML
//! parts, the .xlsx with a spreadsheet reader, the CSV with a CSV parser) and judged by
//! what it says and how it is laid out.
//!
//! The reporting cycle is pushed through the database as if the server had received it
//! in 2019 (as the demo seeding does), so the reports have real content and dates.

use std::collections::HashMap;
use std::io::{Cursor, Read};
use std::sync::atomic::{AtomicU64, Ordering};

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use quick_xml::XmlVersion;
use quick_xml::events::Event;
use serde_json::{Value, json};
use tiendo_backend::db::PushOutcome;
use tiendo_shared::date::parse_rfc3339;
use tiendo_shared::error::ApiError;
use tiendo_shared::ids::{ClientId, MutationId};
use tiendo_shared::protocol::MutationEnvelope;
use tiendo_tests::{Client, Download, TestServer, client_id, tiendo_bin, uuid};

const PLAN: &str = "215/KH-UBND";
const PLAN_QUERY: &str = "215%2FKH-UBND";
const PERIOD: &str = "H1-2019";

const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const CSV: &str = "text/csv; charset=utf-8";

const VHTTDL: &str = "Sở Văn hóa, Thể thao và Du lịch";
const BDBP: &str = "Bộ Chỉ huy Bộ đội Biên phòng tỉnh";
const NGOAI_VU: &str = "Sở Ngoại vụ";
/// What the agencies wrote.
const VHTTDL_RESULTS: &str =
    "Tổ chức 02 đoàn khảo sát (famtrip) cho doanh nghiệp lữ hành; đăng 45 tin, bài.";
const VHTTDL_DIFFICULTIES: &str = "Kinh phí quảng bá còn hạn chế.";
const VHTTDL_SUMMARY: &str = "Sở đã triển khai đầy đủ các nhiệm vụ được giao.";
const BO_Y_RESULTS: &str = "Tổ chức 04 buổi nói chuyện chuyên đề về biên giới tại các thôn.";
const CONSOLIDATED_SUMMARY: &str =
    "Các cơ quan, đơn vị cơ bản hoàn thành nhiệm vụ 6 tháng đầu năm.";
const SUPERVISOR_NAME: &str = "Nguyễn Thị Hồng Nhung";
const VHTTDL_HEAD_NAME: &str = "Lê Thị Thu Hà";

static DEVICES: AtomicU64 = AtomicU64::new(1);

/// Pushes `body` from `username` straight to the database as if the server had
/// received it at `received` (RFC 3339); answers the change's feed id.
fn push_at(server: &TestServer, username: &str, body: Value, received: &str) -> i64 {
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
    let mutation_id = MutationId::parse(body["id"].as_str().expect("id")).expect("mutation id");
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
    runtime
        .block_on(server.db.feed_id_of(mutation_id))
        .expect("read feed")
        .expect("stored")
}

fn progress(task: &str, percent: i64, results: &str, observed: &str) -> Value {
    json!({
        "kind": "progress.record",
        "task": task,
        "status": "in_progress",
        "percent": percent,
        "results": results,
        "observed_at": observed,
    })
}

fn report(kind: &str, scope: &str, tasks: Value, summary: &str, observed: &str) -> Value {
    json!({
        "kind": kind,
        "plan": PLAN,
        "period": PERIOD,
        "scope": scope,
        "summary": summary,
        "direction": "Tiếp tục triển khai các nhiệm vụ 6 tháng cuối năm.",
        "tasks": tasks,
        "observed_at": observed,
    })
}

/// A cycle with something to show: the culture department's report submitted on time
/// and accepted; the foreign affairs department's draft; a border post's progress
/// under the border guard command, which has not reported.
fn seed_cycle(server: &TestServer) {
    push_at(
        server,
        "boy",
        progress("7.2.b", 80, BO_Y_RESULTS, "2019-06-08T15:00:00+07:00"),
        "2019-06-08T15:01:00+07:00",
    );
    push_at(
        server,
        "vhttdl",
        progress("5.2", 70, VHTTDL_RESULTS, "2019-05-20T14:30:00+07:00"),
        "2019-05-20T14:31:00+07:00",
    );
    let tasks = json!([{
        "task": "5.2",
        "status": "in_progress",
        "percent": 70,
        "results": VHTTDL_RESULTS,
        "difficulties": VHTTDL_DIFFICULTIES,
        "proposals": "Đề nghị bổ sung kinh phí quảng bá du lịch năm 2019.",
    }]);
    let submitted = push_at(
        server,
        "vhttdl.lanhdao",
        report(
            "report.submit",
            "agency",
            tasks,
            VHTTDL_SUMMARY,
            "2019-06-12T10:00:00+07:00",
        ),
        "2019-06-12T10:00:04+07:00",
    );
    push_at(
        server,
        "sotttt",
        json!({
            "kind": "report.review",
            "plan": PLAN,
            "period": PERIOD,
            "agency": "so-vhttdl",
            "version": submitted,
            "decision": "accept",
            "comment": "",
            "observed_at": "2019-06-18T08:15:00+07:00",
        }),
        "2019-06-18T08:15:01+07:00",
    );
    push_at(
        server,
        "ngoaivu",
        report(
            "report.save",
            "agency",
            json!([{"task": "1.3", "status": "not_started"}]),
            "",
            "2019-06-11T14:00:00+07:00",
        ),
        "2019-06-11T14:00:03+07:00",
    );
}

fn export_path(format: &str, agency: Option<&str>) -> String {
    let agency = agency.map(|a| format!("&agency={a}")).unwrap_or_default();
    format!("/api/v1/reports/export?plan={PLAN_QUERY}&period={PERIOD}&format={format}{agency}")
}

fn download(client: &Client, format: &str, agency: Option<&str>) -> Download {
    let d = client.download(&export_path(format, agency));
    assert_eq!(
        d.status,
        200,
        "{format} {agency:?}: {}",
        String::from_utf8_lossy(&d.body)
    );
    d
}

/// Decodes RFC 3986 percent-encoding.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).expect("hex");
            out.push(u8::from_str_radix(hex, 16).expect("hex digit"));
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).expect("utf-8 name")
}

/// The plain and the Vietnamese file names of a `Content-Disposition`.
fn file_names(d: &Download) -> (String, String) {
    let header = d
        .content_disposition
        .as_deref()
        .expect("content-disposition");
    assert!(header.starts_with("attachment; "), "{header}");
    let plain = header
        .split("filename=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("filename");
    assert!(plain.is_ascii(), "{plain}");
    let encoded = header.split("filename*=UTF-8''").nth(1).expect("filename*");
    assert!(
        encoded
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"%!#$&+-.^_`|~".contains(&b)),
        "{encoded}"
    );
    (plain.to_owned(), percent_decode(encoded))
}

// ---- A small XML tree over quick-xml, enough to read WordprocessingML. ----

#[derive(Debug, Default)]
struct Node {
    name: String,
    attrs: HashMap<String, String>,
    children: Vec<Node>,
    text: String,
}

impl Node {
    fn parse(xml: &str) -> Node {
        let mut reader = quick_xml::Reader::from_str(xml);
        let mut stack = vec![Node::default()];
        let open = |e: &quick_xml::events::BytesStart<'_>| Node {
            name: AsRef::<str>::as_ref(&e.name()).to_owned(),
            attrs: e
                .attributes()
                .map(|a| {
                    let a = a.expect("attribute");
                    (
                        AsRef::<str>::as_ref(&a.key).to_owned(),
                        a.normalized_value(XmlVersion::Implicit1_0)
                            .expect("value")
                            .into_owned(),
                    )
                })
                .collect(),
            ..Node::default()
        };
        loop {
            match reader.read_event().expect("well-formed XML") {
                Event::Start(e) => stack.push(open(&e)),
                Event::Empty(e) => {
                    let node = open(&e);
                    stack.last_mut().expect("parent").children.push(node);
                }
                Event::End(_) => {
                    let node = stack.pop().expect("open element");
                    stack.last_mut().expect("parent").children.push(node);
                }
                Event::Text(t) => stack
                    .last_mut()
                    .expect("element")
                    .text
                    .push_str(&t.xml_content(XmlVersion::Implicit1_0)),
                Event::GeneralRef(r) => {
                    let name = r.xml_content(XmlVersion::Implicit1_0);
                    let c = match r.resolve_char_ref().expect("char ref") {
                        Some(c) => c,
                        None => match name.as_ref() {
                            "amp" => '&',
                            "lt" => '<',
                            "gt" => '>',
                            "quot" => '"',
                            "apos" => '\'',
                            other => panic!("entity {other}"),
                        },
                    };
                    stack.last_mut().expect("element").text.push(c);
                }
                Event::Eof => break,
                _ => {}
            }
        }
        assert_eq!(stack.len(), 1, "unclosed elements");
        stack.pop().expect("root")
    }

    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.get(name).map(String::as_str)
    }

    fn child(&self, name: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.name == name)
    }

    fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Node> {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// Every element named `name` below this one, in document order.
    fn find<'a>(&'a self, name: &str) -> Vec<&'a Node> {
        let mut out = Vec::new();
        for c in &self.children {
            if c.name == name {
                out.push(c);
            }
            out.extend(c.find(name));
        }
        out
    }

    /// The text of the `w:t` elements below this one.
    fn text(&self) -> String {
        if self.name == "w:t" {
            return self.text.clone();
        }
        self.children.iter().map(Node::text).collect()
    }

    /// Whether a run's properties make it bold (or italic).
    fn run_has(&self, property: &str) -> bool {
        self.child("w:rPr")
            .and_then(|p| p.child(property))
            .is_some_and(|b| b.attr("w:val").is_none_or(|v| v != "false" && v != "0"))
    }
}

/// The parts of a .docx.
struct Docx {
    document: Node,
    styles: Node,
}

impl Docx {
    fn open(bytes: &[u8]) -> Docx {
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).expect("a .docx is a zip");
        let mut part = |name: &str| {
            let mut text = String::new();
            zip.by_name(name)
                .unwrap_or_else(|_| panic!("no {name}"))
                .read_to_string(&mut text)
                .expect("utf-8 part");
            Node::parse(&text)
        };
        Docx {
            document: part("word/document.xml"),
            styles: part("word/styles.xml"),
        }
    }

    fn body(&self) -> &Node {
        self.document
            .child("w:document")
            .and_then(|d| d.child("w:body"))
            .expect("w:body")
    }

    /// The text of every paragraph, in order, tables included.
    fn paragraphs(&self) -> Vec<String> {
        self.body()
            .find("w:p")
            .into_iter()
            .map(Node::text)
            .collect()
    }

    fn has_paragraph(&self, pred: impl Fn(&str) -> bool) -> bool {
        self.paragraphs().iter().any(|p| pred(p))
    }

    /// The index of the first paragraph for which `pred` holds.
    fn position(&self, pred: impl Fn(&str) -> bool) -> usize {
        self.paragraphs()
            .iter()
            .position(|p| pred(p))
            .unwrap_or_else(|| panic!("no such paragraph in {:#?}", self.paragraphs()))
    }
}

/// A border element draws nothing.
fn no_line(border: &Node) -> bool {
    matches!(border.attr("w:val"), Some("nil" | "none"))
}

/// The header table: the first element of the body, with two cells, no borders drawn
/// at table or cell level.
fn header_cells(docx: &Docx) -> (&Node, &Node) {
    let first = docx.body().children.first().expect("a first element");
    assert_eq!(
        first.name, "w:tbl",
        "the document opens with the header table"
    );
    let borders = first
        .child("w:tblPr")
        .and_then(|p| p.child("w:tblBorders"))
        .expect("the header table says its borders");
    assert!(!borders.children.is_empty());
    assert!(borders.children.iter().all(no_line), "{borders:#?}");
    for cell_borders in first.find("w:tcBorders") {
        assert!(cell_borders.children.iter().all(no_line));
    }
    let rows: Vec<&Node> = first.children_named("w:tr").collect();
    assert_eq!(rows.len(), 1);
    let cells: Vec<&Node> = rows[0].children_named("w:tc").collect();
    assert_eq!(cells.len(), 2, "two columns");
    (cells[0], cells[1])
}

/// The first paragraph of `cell` whose text `pred` accepts.
fn paragraph_in(cell: &Node, pred: impl Fn(&str) -> bool) -> &Node {
    cell.find("w:p")
        .into_iter()
        .find(|p| pred(&p.text()))
        .unwrap_or_else(|| {
            panic!(
                "not in {:?}",
                cell.find("w:p")
                    .iter()
                    .map(|p| p.text())
                    .collect::<Vec<_>>()
            )
        })
}

fn all_runs(p: &Node, property: &str) -> bool {
    let runs: Vec<&Node> = p
        .find("w:r")
        .into_iter()
        .filter(|r| !r.text().is_empty())
        .collect();
    !runs.is_empty() && runs.iter().all(|r| r.run_has(property))
}

/// "Kon Tum, ngày 24 tháng 6 năm 2019" (the day with two digits, a month before
/// March with two, any other month as it is).
fn is_place_and_date(text: &str, place: &str) -> bool {
    let Some(rest) = text.strip_prefix(&format!("{place}, ngày ")) else {
        return false;
    };
    let parts: Vec<&str> = rest.split(' ').collect();
    matches!(parts.as_slice(), [day, "tháng", month, "năm", year]
        if day.len() == 2 && day.bytes().all(|b| b.is_ascii_digit())
        && month.parse::<u8>().is_ok_and(|m| (1..=12).contains(&m)
            && *month == if m <= 2 { format!("{m:02}") } else { m.to_string() })
        && year.len() == 4 && year.bytes().all(|b| b.is_ascii_digit()))
}

/// The page: A4, the decree's margins; the font: Times New Roman at 13 to 14 pt.
fn check_page_and_font(docx: &Docx) {
    let sect = docx.body().child("w:sectPr").expect("w:sectPr");
    let size = sect.child("w:pgSz").expect("w:pgSz");
    assert_eq!(size.attr("w:w"), Some("11906"));
    assert_eq!(size.attr("w:h"), Some("16838"));
    let margins = sect.child("w:pgMar").expect("w:pgMar");
    let twips = |side: &str| -> i64 {
        margins
            .attr(side)
            .unwrap_or_else(|| panic!("{side}"))
            .parse()
            .expect("twips")
    };
    // 1 mm = 56.7 twips.
    for (side, low, high) in [
        ("w:top", 1134, 1417),
        ("w:bottom", 1134, 1417),
        ("w:left", 1701, 1984),
        ("w:right", 850, 1134),
    ] {
        let value = twips(side);
        assert!((low..=high).contains(&value), "{side} = {value}");
    }
    let defaults = docx
        .styles
        .find("w:rPrDefault")
        .into_iter()
        .next()
        .and_then(|d| d.child("w:rPr"))
        .expect("default run properties");
    let fonts = defaults.child("w:rFonts").expect("default fonts");
    for attr in ["w:ascii", "w:hAnsi", "w:cs"] {
        assert_eq!(fonts.attr(attr), Some("Times New Roman"), "{attr}");
    }
    let size: u32 = defaults
        .child("w:sz")
        .and_then(|s| s.attr("w:val"))
        .expect("default size")
        .parse()
        .expect("half-points");
    assert!((26..=28).contains(&size), "default size {size} half-points");
    // No run asks for another font.
    for f in docx.body().find("w:rFonts") {
        assert!(f.attr("w:ascii").is_none_or(|a| a == "Times New Roman"));
    }
}

/// The recipients' block: "Nơi nhận:" in bold italics, then the recipients, the last
/// being the archive.
fn recipients(docx: &Docx) -> Vec<String> {
    let paragraphs = docx.paragraphs();
    let at = docx.position(|p| p == "Nơi nhận:");
    let p = docx.body().find("w:p")[at];
    assert!(all_runs(p, "w:b") && all_runs(p, "w:i"));
    let list: Vec<String> = paragraphs[at + 1..]
        .iter()
        .take_while(|p| p.starts_with("- "))
        .cloned()
        .collect();
    assert_eq!(list.last().map(String::as_str), Some("- Lưu: VT."));
    list
}

#[test]
fn the_consolidated_report_is_a_decree_30_document() {
    let server = TestServer::start();
    seed_cycle(&server);
    let d = download(&server.login("sotttt"), "docx", None);
    assert_eq!(d.content_type.as_deref(), Some(DOCX));
    assert_eq!(
        file_names(&d),
        (
            "Bao cao tong hop H1-2019 - 215-KH-UBND.docx".to_owned(),
            "Báo cáo tổng hợp H1-2019 - 215-KH-UBND.docx".to_owned()
        )
    );
    let docx = Docx::open(&d.body);

    let (left, right) = header_cells(&docx);
    let governing = paragraph_in(left, |t| t == "UBND TỈNH KON TUM");
    assert!(!all_runs(governing, "w:b"));
    let issuing = paragraph_in(left, |t| t == "SỞ THÔNG TIN VÀ TRUYỀN THÔNG");
    assert!(all_runs(issuing, "w:b"));
    let number = paragraph_in(left, |t| t.starts_with("Số:"));
    assert!(number.text().ends_with("/BC-STTTT"), "{}", number.text());
    let title = paragraph_in(right, |t| t == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM");
    assert!(all_runs(title, "w:b"));
    let motto = paragraph_in(right, |t| t == "Độc lập - Tự do - Hạnh phúc");
    assert!(all_runs(motto, "w:b"));
    // Nobody wrote the consolidated report: it is a draft, dated the day of export.
    let date = paragraph_in(right, |t| is_place_and_date(t, "Kon Tum"));
    assert!(all_runs(date, "w:i"));
    assert!(!date.text().ends_with("năm 2019"), "{}", date.text());

    let paragraphs = docx.paragraphs();
    let kind = docx.position(|p| p == "BÁO CÁO");
    let p = docx.body().find("w:p")[kind];
    assert!(all_runs(p, "w:b"));
    assert_eq!(
        p.child("w:pPr")
            .and_then(|p| p.child("w:jc"))
            .and_then(|j| j.attr("w:val")),
        Some("center")
    );
    assert!(
        paragraphs[kind + 1]
            .starts_with("Kết quả thực hiện Kế hoạch số 215/KH-UBND ngày 28/01/2019")
            && paragraphs[kind + 1].ends_with("6 tháng đầu năm 2019"),
        "{}",
        paragraphs[kind + 1]
    );

    // The body by the plan's sections, each task with its number, status and texts.
    let section = docx.position(|p| p == "5. Xây dựng các chương trình, đề án, dự án, kế hoạch truyền thông quảng bá hình ảnh của tỉnh");
    let task = docx.position(|p| p.starts_with("5.2. "));
    assert!(section < task);
    assert!(docx.position(|p| p.starts_with("5.1. ")) < task);
    let status = docx.position(|p| p == "- Tình trạng: Đang thực hiện, đạt 70%.");
    assert!(task < status);
    assert!(docx.has_paragraph(|p| p.contains(VHTTDL_RESULTS) && p.contains(VHTTDL)));
    assert!(docx.has_paragraph(|p| p.contains(VHTTDL_DIFFICULTIES)));
    assert!(docx.has_paragraph(|p| p.starts_with("7.2.b. ")));
    assert!(
        docx.has_paragraph(|p| p == "7.2. Tuyên truyền về phân giới cắm mốc và khu vực biên giới")
    );
    // The agencies that did not report, named.
    let silent = docx.position(|p| p == "Các cơ quan, đơn vị chưa gửi báo cáo:");
    let listed = paragraphs[silent + 1..]
        .iter()
        .take_while(|p| p.starts_with("- "))
        .cloned()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        listed.contains(NGOAI_VU) && listed.contains(BDBP),
        "{listed}"
    );
    assert!(!listed.contains(VHTTDL), "{listed}");
    assert!(docx.has_paragraph(|p| p.starts_with("Có 1/") && p.contains("đã gửi báo cáo")));

    assert_eq!(
        recipients(&docx),
        [
            "- UBND tỉnh (b/c);",
            "- Bộ Thông tin và Truyền thông (b/c);",
            "- Các cơ quan, đơn vị liên quan;",
            "- Lưu: VT."
        ]
    );
    let position = docx.position(|p| p == "GIÁM ĐỐC");
    assert!(all_runs(docx.body().find("w:p")[position], "w:b"));
    // Not final: nobody has signed.
    assert!(!docx.has_paragraph(|p| p == SUPERVISOR_NAME));

    // The annex: every task's status and every agency's report.
    let annex = docx.position(|p| p == "PHỤ LỤC");
    assert!(annex > position);
    let tables = docx.body().find("w:tbl");
    let rows = |table: &Node| -> Vec<Vec<String>> {
        table
            .children_named("w:tr")
            .map(|r| r.children_named("w:tc").map(Node::text).collect())
            .collect()
    };
    let tasks = rows(tables[tables.len() - 2]);
    assert_eq!(
        tasks[0],
        [
            "Số TT",
            "Nhiệm vụ",
            "Cơ quan chủ trì",
            "Tình trạng",
            "Tỷ lệ (%)"
        ]
    );
    let row = tasks.iter().find(|r| r[0] == "5.2").expect("task 5.2");
    assert_eq!(row[2], VHTTDL);
    assert_eq!(row[3], "Đang thực hiện");
    assert_eq!(row[4], "70");
    assert!(tasks.iter().any(|r| r[0] == "7.2.b"));
    let states = rows(tables[tables.len() - 1]);
    let culture = states.iter().find(|r| r[1] == VHTTDL).expect("culture");
    assert_eq!(culture[2], "Đã chấp nhận");
    assert_eq!(culture[3], "Không");
    assert_eq!(culture[4], "12/06/2019 10:00");
    let border = states.iter().find(|r| r[1] == BDBP).expect("border guard");
    assert_eq!(border[2], "Chưa nộp (quá hạn)");
    // The annex's tables have their borders.
    let drawn = tables[tables.len() - 1]
        .child("w:tblPr")
        .and_then(|p| p.child("w:tblBorders"))
        .expect("borders");
    assert!(
        drawn
            .children
            .iter()
            .any(|b| b.attr("w:val") == Some("single"))
    );

    check_page_and_font(&docx);
}

#[test]
fn a_final_consolidated_report_is_dated_and_signed_by_its_author() {
    let server = TestServer::start();
    seed_cycle(&server);
    let tasks = json!([{
        "task": "5.2",
        "status": "in_progress",
        "percent": 70,
        "results": format!("{VHTTDL}: {VHTTDL_RESULTS}"),
    }]);
    push_at(
        &server,
        "sotttt",
        report(
            "report.submit",
            "consolidated",
            tasks,
            CONSOLIDATED_SUMMARY,
            "2019-06-24T09:00:00+07:00",
        ),
        "2019-06-24T09:00:03+07:00",
    );
    let docx = Docx::open(&download(&server.login("admin"), "docx", None).body);
    let (_, right) = header_cells(&docx);
    paragraph_in(right, |t| t == "Kon Tum, ngày 24 tháng 6 năm 2019");
    let position = docx.position(|p| p == "GIÁM ĐỐC");
    let signer = docx.position(|p| p == SUPERVISOR_NAME);
    assert!(position < signer);
    assert!(all_runs(docx.body().find("w:p")[signer], "w:b"));
    // The written version is what the document says.
    assert!(docx.has_paragraph(|p| p == CONSOLIDATED_SUMMARY));
    assert!(!docx.has_paragraph(|p| p.starts_with("5.1. ")));
}

#[test]
fn an_agency_exports_its_own_report_to_the_department() {
    let server = TestServer::start();
    seed_cycle(&server);
    let head = server.login("vhttdl.lanhdao");
    let d = download(&head, "docx", None);
    assert_eq!(
        file_names(&d).1,
        "Báo cáo H1-2019 - Sở VHTTDL - 215-KH-UBND.docx"
    );
    let docx = Docx::open(&d.body);
    let (left, right) = header_cells(&docx);
    paragraph_in(left, |t| t == "UBND TỈNH KON TUM");
    paragraph_in(left, |t| t == "SỞ VĂN HÓA, THỂ THAO VÀ DU LỊCH");
    paragraph_in(left, |t| t.starts_with("Số:") && t.ends_with("/BC-SVHTTDL"));
    paragraph_in(right, |t| t == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM");
    // Dated as the version that was submitted, signed by the head who submitted it.
    paragraph_in(right, |t| t == "Kon Tum, ngày 12 tháng 6 năm 2019");
    assert!(docx.has_paragraph(|p| p == "Kính gửi: Sở Thông tin và Truyền thông."));
    assert!(docx.has_paragraph(|p| p == "- Vai trò: Chủ trì."));
    assert!(docx.has_paragraph(|p| p == format!("- Kết quả thực hiện: {VHTTDL_RESULTS}")));
    assert!(docx.has_paragraph(|p| p == VHTTDL_SUMMARY));
    assert_eq!(recipients(&docx), ["- Như trên;", "- Lưu: VT."]);
    assert!(docx.position(|p| p == "GIÁM ĐỐC") < docx.position(|p| p == VHTTDL_HEAD_NAME));
    assert!(!docx.has_paragraph(|p| p.contains("chưa gửi báo cáo")));
    check_page_and_font(&docx);

    // The same with the agency named, and for the agency's staff.
    download(&head, "docx", Some("so-vhttdl"));
    download(&server.login("vhttdl"), "xlsx", None);

    // A border post's staff export their command's report: nothing written yet, so a
    // draft from the post's progress, its results under the post's name.
    let post = server.login("boy");
    for agency in [None, Some("bdbp"), Some("bdbp-don-bo-y")] {
        let docx = Docx::open(&download(&post, "docx", agency).body);
        let (left, _) = header_cells(&docx);
        paragraph_in(left, |t| t == "BỘ CHỈ HUY BỘ ĐỘI BIÊN PHÒNG TỈNH");
        assert!(docx.has_paragraph(
            |p| p.contains(BO_Y_RESULTS) && p.contains("Đồn Biên phòng Cửa khẩu quốc tế Bờ Y")
        ));
        // Not submitted: not signed.
        assert!(!docx.has_paragraph(|p| p == "Đại tá Nguyễn Văn Hùng"));
    }
}

#[test]
fn the_workbook_has_tasks_by_agency_and_the_report_states() {
    let server = TestServer::start();
    seed_cycle(&server);
    let d = download(&server.login("sotttt"), "xlsx", None);
    assert_eq!(d.content_type.as_deref(), Some(XLSX));
    assert_eq!(
        file_names(&d),
        (
            "So lieu bao cao H1-2019 - 215-KH-UBND.xlsx".to_owned(),
            "Số liệu báo cáo H1-2019 - 215-KH-UBND.xlsx".to_owned()
        )
    );
    let mut book: Xlsx<_> = open_workbook_from_rs(Cursor::new(d.body.clone())).expect("xlsx");
    assert_eq!(
        book.sheet_names(),
        ["Nhiệm vụ - cơ quan", "Tình hình báo cáo"]
    );

    let lines = book.worksheet_range("Nhiệm vụ - cơ quan").expect("sheet 1");
    let rows: Vec<Vec<Data>> = lines.rows().map(<[Data]>::to_vec).collect();
    let text = |c: &Data| c.to_string();
    assert_eq!(
        rows[0].iter().map(text).collect::<Vec<_>>(),
        [
            "Số TT nhiệm vụ",
            "Nhiệm vụ",
            "Cơ quan, đơn vị",
            "Vai trò",
            "Tình trạng",
            "Tỷ lệ (%)",
            "Kết quả thực hiện",
            "Khó khăn, vướng mắc",
            "Đề xuất, kiến nghị",
            "Trạng thái báo cáo",
            "Nguồn số liệu"
        ]
    );
    let find = |task: &str, agency: &str| {
        rows.iter()
            .find(|r| text(&r[0]) == task && text(&r[2]) == agency)
            .unwrap_or_else(|| panic!("no line {task} {agency}"))
    };
    let culture = find("5.2", VHTTDL);
    assert_eq!(text(&culture[3]), "Chủ trì");
    assert_eq!(text(&culture[4]), "Đang thực hiện");
    assert_eq!(culture[5], Data::Float(70.0));
    assert_eq!(text(&culture[6]), VHTTDL_RESULTS);
    assert_eq!(text(&culture[7]), VHTTDL_DIFFICULTIES);
    assert_eq!(text(&culture[9]), "Đã chấp nhận");
    assert_eq!(text(&culture[10]), "Báo cáo đã gửi");
    let border = find("7.2.b", BDBP);
    assert!(text(&border[6]).contains(BO_Y_RESULTS));
    assert_eq!(border[5], Data::Float(80.0));
    assert_eq!(text(&border[10]), "Cập nhật tiến độ (chưa có báo cáo)");
    // A coordinating agency's line.
    assert!(rows.iter().any(|r| text(&r[3]) == "Phối hợp"));
    // Lead agencies come before coordinating ones within a task.
    let roles: Vec<String> = rows
        .iter()
        .filter(|r| text(&r[0]) == "1.4")
        .map(|r| text(&r[3]))
        .collect();
    assert!(
        roles
            .windows(2)
            .all(|w| !(w[0] == "Phối hợp" && w[1] == "Chủ trì"))
    );

    let states = book.worksheet_range("Tình hình báo cáo").expect("sheet 2");
    let rows: Vec<Vec<Data>> = states.rows().map(<[Data]>::to_vec).collect();
    assert_eq!(text(&rows[0][0]), "Cơ quan, đơn vị");
    let culture = rows
        .iter()
        .find(|r| text(&r[0]) == VHTTDL)
        .expect("culture's report");
    assert_eq!(text(&culture[2]), "Đã chấp nhận");
    assert_eq!(text(&culture[3]), "Không");
    // Received 12/06/2019 10:00:04 Vietnam time, as an Excel date.
    let Data::DateTime(received) = &culture[4] else {
        panic!("not a date: {:?}", culture[4]);
    };
    let expected = (parse_rfc3339("2019-06-12T10:00:04+07:00").expect("time") / 1000 + 7 * 3600)
        as f64
        / 86_400.0
        + 25_569.0;
    assert!((received.as_f64() - expected).abs() < 1e-6);
    assert_eq!(text(&culture[6]), VHTTDL_HEAD_NAME);
    assert!(rows.iter().any(|r| text(&r[1]) == "Báo cáo tổng hợp"));

    // Laid out for reading: bold headers, frozen and filtered, dates shown dd/mm/yyyy.
    let mut zip = zip::ZipArchive::new(Cursor::new(d.body)).expect("zip");
    let mut part = |name: &str| {
        let mut text = String::new();
        zip.by_name(name)
            .expect("part")
            .read_to_string(&mut text)
            .expect("utf-8");
        text
    };
    for sheet in ["xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml"] {
        let xml = part(sheet);
        assert!(
            xml.contains("state=\"frozen\"") && xml.contains("ySplit=\"1\""),
            "{sheet}"
        );
        assert!(xml.contains("<autoFilter"), "{sheet}");
    }
    let styles = part("xl/styles.xml");
    assert!(styles.contains("<b/>"));
    assert!(styles.contains("formatCode=\"dd/mm/yyyy hh:mm\""));
}

#[test]
fn the_csv_is_utf8_with_a_bom_and_parses() {
    let server = TestServer::start();
    seed_cycle(&server);
    let d = download(&server.login("sotttt"), "csv", None);
    assert_eq!(d.content_type.as_deref(), Some(CSV));
    assert_eq!(
        file_names(&d).1,
        "Số liệu báo cáo H1-2019 - 215-KH-UBND.csv"
    );
    assert!(d.body.starts_with(&[0xEF, 0xBB, 0xBF]), "a byte-order mark");
    let text = std::str::from_utf8(&d.body[3..]).expect("utf-8");
    assert!(text.contains(&format!("\"{VHTTDL}\"")), "a comma is quoted");
    let mut reader = csv::ReaderBuilder::new().from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .expect("header")
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(header.len(), 11);
    assert_eq!(header[0], "Số TT nhiệm vụ");
    let records: Vec<csv::StringRecord> = reader
        .records()
        .collect::<Result<_, _>>()
        .expect("RFC 4180");
    assert!(records.len() > 20);
    let culture = records
        .iter()
        .find(|r| &r[0] == "5.2" && &r[2] == VHTTDL)
        .expect("5.2 by the culture department");
    assert_eq!(&culture[3], "Chủ trì");
    assert_eq!(&culture[4], "Đang thực hiện");
    assert_eq!(&culture[5], "70");
    assert_eq!(&culture[6], VHTTDL_RESULTS);
    assert_eq!(&culture[9], "Đã chấp nhận");
    assert!(text.contains("\r\n"));

    // An agency's CSV has its own lines only.
    let own = download(&server.login("ngoaivu"), "csv", None);
    let text = std::str::from_utf8(&own.body[3..]).expect("utf-8");
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let agencies: Vec<String> = reader
        .records()
        .map(|r| r.expect("record")[2].to_owned())
        .collect();
    assert!(!agencies.is_empty());
    assert!(agencies.iter().all(|a| a == NGOAI_VU), "{agencies:?}");
}

#[test]
fn exports_answer_401_403_404_and_422_and_never_5xx() {
    let server = TestServer::start();
    let sup = server.login("sotttt");
    let staff = server.login("vhttdl");
    let post = server.login("boy");
    let status = |client: &Client, path: &str| {
        let d = client.download(path);
        assert!(d.status < 500, "{path}: {}", d.status);
        (
            d.status,
            if d.status == 200 {
                None
            } else {
                Some(d.error())
            },
        )
    };
    let forbidden = (403, Some(ApiError::Forbidden));
    let not_found = (404, Some(ApiError::NotFound));

    let anonymous = ureq::get(&server.url(&export_path("docx", None))).call();
    assert!(matches!(anonymous, Err(ureq::Error::Status(401, _))));

    // Another agency's report, or the border guard's from another post's staff.
    for agency in ["so-ngoai-vu", "so-tttt", "bdbp", "khong-co-co-quan-nay"] {
        assert_eq!(
            status(&staff, &export_path("docx", Some(agency))),
            forbidden,
            "{agency}"
        );
    }
    assert_eq!(
        status(&post, &export_path("xlsx", Some("so-vhttdl"))),
        forbidden
    );
    assert_eq!(
        status(&post, &export_path("csv", Some("bdbp-don-dak-long"))),
        forbidden
    );

    // Nothing of that name.
    let path = |plan: &str, period: &str, format: &str, agency: &str| {
        format!("/api/v1/reports/export?plan={plan}&period={period}&format={format}{agency}")
    };
    assert_eq!(
        status(&sup, &path("999%2FKH-UBND", PERIOD, "docx", "")),
        not_found
    );
    assert_eq!(
        status(&sup, &path(PLAN_QUERY, "Q1-2019", "docx", "")),
        not_found
    );
    assert_eq!(
        status(&sup, &path(PLAN_QUERY, "H1-2018", "xlsx", "")),
        not_found
    );
    assert_eq!(
        status(&sup, &path(PLAN_QUERY, PERIOD, "docx", "&agency=khong-co")),
        not_found
    );
    // An agency outside the province does not report.
    assert_eq!(
        status(&sup, &path(PLAN_QUERY, PERIOD, "csv", "&agency=bo-tttt")),
        not_found
    );
    assert_eq!(
        status(&staff, &path("999%2FKH-UBND", PERIOD, "docx", "")),
        not_found
    );

    // Malformed.
    for bad in [
        path(PLAN_QUERY, PERIOD, "pdf", ""),
        path(PLAN_QUERY, "H3-2019", "docx", ""),
        path("", PERIOD, "docx", ""),
        path(PLAN_QUERY, PERIOD, "docx", "&agency=Sở%20Ngoại%20vụ"),
        format!("/api/v1/reports/export?plan={PLAN_QUERY}&period={PERIOD}"),
    ] {
        let (code, error) = status(&sup, &bad);
        assert_eq!(code, 422, "{bad}");
        assert!(
            matches!(error, Some(ApiError::Invalid { .. })),
            "{bad}: {error:?}"
        );
    }

    // The description lists the export.
    let doc = sup.get("/api/v1/openapi.json");
    assert!(doc.body["paths"]["/api/v1/reports/export"]["get"].is_object());
}

#[test]
fn the_command_line_writes_an_export() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let db = dir.path().join("tiendo.sqlite");
    let run = |args: &[&str]| {
        std::process::Command::new(tiendo_bin())
            .args(args)
            .arg("--db")
            .arg(&db)
            .env("RUST_LOG", "warn")
            .output()
            .expect("run tiendo")
    };
    let base = ["report", "export", "--plan", PLAN, "--period", PERIOD];
    let xlsx = dir.path().join("so lieu.xlsx");
    let out = run(&[
        &base[..],
        &["--format", "xlsx", "--out", xlsx.to_str().expect("path")],
    ]
    .concat());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut book: Xlsx<_> =
        open_workbook_from_rs(Cursor::new(std::fs::read(&xlsx).expect("written"))).expect("xlsx");
    assert_eq!(book.sheet_names().len(), 2);
    assert!(
        book.worksheet_range("Nhiệm vụ - cơ quan")
            .expect("sheet")
            .height()
            > 20
    );

    let docx = dir.path().join("bao-cao.docx");
    let out = run(&[
        &base[..],
        &[
            "--format",
            "docx",
            "--agency",
            "so-ngoai-vu",
            "--out",
            docx.to_str().expect("path"),
        ],
    ]
    .concat());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let written = Docx::open(&std::fs::read(&docx).expect("written"));
    let (left, _) = header_cells(&written);
    paragraph_in(left, |t| t == "SỞ NGOẠI VỤ");

    for (args, says) in [
        (vec!["--format", "pdf"], "--format"),
        (
            vec!["--format", "docx", "--agency", "bo-tttt"],
            "does not report",
        ),
    ] {
        let target = dir.path().join("x");
        let out = run(&[
            &base[..],
            &args[..],
            &["--out", target.to_str().expect("path")],
        ]
        .concat());
        assert!(!out.status.success());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(says), "{stderr}");
        assert!(!target.exists());
    }
    let out = run(&[
        "report",
        "export",
        "--plan",
        "999/KH-UBND",
        "--period",
        PERIOD,
        "--format",
        "csv",
        "--out",
        "/dev/null",
    ]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no plan 999/KH-UBND"));
}
