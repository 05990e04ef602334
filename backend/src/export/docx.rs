//! A period's report as a Word document in the layout of Decree 30/2020/NĐ-CP on
//! administrative documents (Appendix I): the header as a borderless two-column table
//! (governing and issuing body over the number on the left; national title, motto and
//! the place and date on the right), the document type and summary line, the body by
//! plan section, the signature block beside the recipients, and an annexed status
//! table. Times New Roman, 14 pt body, A4, the decree's margins.

use docx_rs::{
    AlignmentType, BorderType, Docx, LineSpacing, LineSpacingType, PageMargin, Paragraph,
    ParagraphBorder, ParagraphBorderPosition, ParagraphBorders, Run, RunFonts, Shading,
    SpecialIndentType, Table, TableCell, TableCellMargins, TableLayoutType, TableRow, VAlignType,
    WidthType,
};
use tiendo_shared::date::{Date, date_of, format_dmy_hm, parse_rfc3339};
use tiendo_shared::i18n::Lang;
use tiendo_shared::ids::TaskNumber;
use tiendo_shared::plan::Task;
use tiendo_shared::plan::calendar::VIETNAM_OFFSET_MINUTES;
use tiendo_shared::report::{CycleState, ReportAction, ReportTask};

use super::tasks_in_order;
use super::text;
use crate::db::{ExportData, ExportReport};

const FONT: &str = "Times New Roman";
/// Sizes in half-points.
const SIZE_BODY: usize = 28;
const SIZE_HEADER: usize = 26;
/// The governing and issuing bodies' names (the decree allows 12 to 13 pt).
const SIZE_BODY_NAME: usize = 24;
const SIZE_TABLE: usize = 24;
const SIZE_RECIPIENTS: usize = 22;
/// A4 in twentieths of a point.
const PAGE_WIDTH: u32 = 11906;
const PAGE_HEIGHT: u32 = 16838;
/// 20 mm top and bottom, 30 mm left, 15 mm right.
const MARGIN_TOP: i32 = 1134;
const MARGIN_BOTTOM: i32 = 1134;
const MARGIN_LEFT: i32 = 1701;
const MARGIN_RIGHT: i32 = 850;
const TEXT_WIDTH: usize = PAGE_WIDTH as usize - MARGIN_LEFT as usize - MARGIN_RIGHT as usize;
/// The header table reaches 1 cm into the left margin and 5 mm into the right one, so
/// that the national title and most bodies' names fit on one line.
const HEADER_OUTDENT: i32 = 567;
const HEADER_OVERHANG: usize = 284;
const HEADER_LEFT: usize = 4500;
const HEADER_RIGHT: usize = TEXT_WIDTH + HEADER_OUTDENT as usize + HEADER_OVERHANG - HEADER_LEFT;
/// The first line of a body paragraph is indented 1 cm.
const FIRST_LINE: i32 = 567;

/// What the document is made of, in order.
enum Block {
    Paragraph(Box<Paragraph>),
    Table(Box<Table>),
}

impl From<Table> for Block {
    fn from(t: Table) -> Block {
        Block::Table(Box::new(t))
    }
}

impl From<Paragraph> for Block {
    fn from(p: Paragraph) -> Block {
        Block::Paragraph(Box::new(p))
    }
}

/// A run of text of `size` (the font is the document's default).
fn run(text: &str, size: usize) -> Run {
    let r = Run::new().add_text(text);
    if size == SIZE_BODY { r } else { r.size(size) }
}

fn spacing(before: u32, after: u32) -> LineSpacing {
    LineSpacing::new()
        .before(before)
        .after(after)
        .line(264)
        .line_rule(LineSpacingType::Auto)
}

/// A centred line.
fn centred(r: Run) -> Paragraph {
    Paragraph::new()
        .add_run(r)
        .align(AlignmentType::Center)
        .line_spacing(spacing(0, 0))
}

/// A body paragraph: justified, first line indented.
fn body(runs: Vec<Run>) -> Paragraph {
    runs.into_iter()
        .fold(Paragraph::new(), Paragraph::add_run)
        .align(AlignmentType::Both)
        .indent(
            Some(0),
            Some(SpecialIndentType::FirstLine(FIRST_LINE)),
            None,
            None,
        )
        .line_spacing(spacing(0, 100))
}

fn body_text(text: &str) -> Paragraph {
    body(vec![run(text, SIZE_BODY)])
}

/// A short horizontal rule of about `width` twips, centred in `within`.
fn rule(width: usize, within: usize) -> Paragraph {
    let side = within.saturating_sub(width) / 2;
    let side = i32::try_from(side).unwrap_or_default();
    let mut p = Paragraph::new()
        .add_run(run("", 4))
        .indent(Some(side), None, Some(side), None)
        .line_spacing(
            LineSpacing::new()
                .before(50)
                .after(0)
                .line(80)
                .line_rule(LineSpacingType::Exact),
        );
    p.property = p.property.set_borders(
        ParagraphBorders::with_empty().set(
            ParagraphBorder::new(ParagraphBorderPosition::Top)
                .val(BorderType::Single)
                .size(6)
                .space(0),
        ),
    );
    p
}

/// A cell without borders holding `paragraphs`.
fn plain_cell(width: usize, paragraphs: Vec<Paragraph>) -> TableCell {
    paragraphs
        .into_iter()
        .fold(TableCell::new(), TableCell::add_paragraph)
        .width(width, WidthType::Dxa)
        .clear_all_border()
}

/// The header: issuing body and number on the left, national title, motto and the
/// place and date on the right, in a table without borders.
fn header(governing: Option<&str>, issuing: &str, symbol: &str, place_date: &str) -> Table {
    let mut left = Vec::new();
    if let Some(g) = governing {
        left.push(centred(run(g, SIZE_BODY_NAME)));
    }
    left.push(centred(run(issuing, SIZE_BODY_NAME).bold()));
    left.push(rule(HEADER_LEFT / 3, HEADER_LEFT));
    left.push(
        centred(run(&format!("Số:        /BC-{symbol}"), SIZE_HEADER))
            .line_spacing(spacing(120, 0)),
    );
    let motto = "Độc lập - Tự do - Hạnh phúc";
    let right = vec![
        centred(run("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", SIZE_HEADER).bold()),
        centred(run(motto, SIZE_BODY).bold()),
        // About as long as the motto at 14 pt.
        rule(3550, HEADER_RIGHT),
        centred(run(place_date, SIZE_BODY).italic()).line_spacing(spacing(120, 0)),
    ];
    Table::new(vec![TableRow::new(vec![
        plain_cell(HEADER_LEFT, left),
        plain_cell(HEADER_RIGHT, right),
    ])])
    .set_grid(vec![HEADER_LEFT, HEADER_RIGHT])
    .width(HEADER_LEFT + HEADER_RIGHT, WidthType::Dxa)
    .indent(-HEADER_OUTDENT)
    .margins(TableCellMargins::new().margin(0, 0, 0, 0))
    .layout(TableLayoutType::Fixed)
    .clear_all_border()
}

/// A heading of the body ("I. KẾT QUẢ THỰC HIỆN", "1. Công tác …").
fn heading(text: &str, italic: bool) -> Paragraph {
    let r = run(text, SIZE_BODY).bold();
    body(vec![if italic { r.italic() } else { r }]).keep_next(true)
}

/// A labelled text of a task: on one line when it has one line, otherwise the label
/// and then each line, a coordinating agency's contribution indented under the lead's.
fn labelled(label: &str, text: &str) -> Vec<Paragraph> {
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    match lines.as_slice() {
        [] => Vec::new(),
        [one] => vec![body(vec![
            run(&format!("- {label}: "), SIZE_BODY).italic(),
            run(one, SIZE_BODY),
        ])],
        many => {
            let mut out = vec![body(vec![run(&format!("- {label}:"), SIZE_BODY).italic()])];
            for line in many {
                out.push(match line.strip_prefix("- ") {
                    Some(under) => body(vec![run(&format!("+ {under}"), SIZE_BODY)]).indent(
                        Some(FIRST_LINE),
                        Some(SpecialIndentType::FirstLine(FIRST_LINE)),
                        None,
                        None,
                    ),
                    None => body(vec![run(&format!("+ {line}"), SIZE_BODY)]),
                });
            }
            out
        }
    }
}

/// "Đang thực hiện, đạt 60%".
fn status_text(part: Option<&ReportTask>) -> String {
    match part {
        None => "Chưa báo cáo".to_owned(),
        Some(p) => match p.percent {
            Some(percent) => format!("{}, đạt {}%", p.status.label(Lang::Vi), percent.value()),
            None => p.status.label(Lang::Vi).to_owned(),
        },
    }
}

/// The task numbers that head a section of the plan, with their titles.
fn sections_of<'a>(
    data: &'a ExportData,
    task: &TaskNumber,
) -> Vec<&'a tiendo_shared::plan::Section> {
    let mut chain: Vec<_> = data
        .plan
        .sections
        .iter()
        .filter(|s| {
            task.as_str()
                .starts_with(&format!("{}.", s.number.as_str()))
        })
        .collect();
    chain.sort_by_key(|s| s.number.as_str().len());
    chain
}

/// Who leads `task`, as the plan puts it: the agencies it names, then its group
/// phrases as written ("các Sở, ban ngành, UBND các huyện, thành phố"), rather than
/// every agency a group stands for.
fn leads_of(task: &Task) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for a in task.lead.iter().filter(|a| a.via.is_none()) {
        if !parts.contains(&a.name.as_str()) {
            parts.push(&a.name);
        }
    }
    parts.extend(task.lead_groups.iter().map(|g| g.text.as_str()));
    if parts.is_empty() {
        task.lead_text.trim().trim_end_matches('.').to_owned()
    } else {
        parts.join(", ")
    }
}

/// Part I: each task of the report under its plan sections.
fn results(data: &ExportData, report: &ExportReport, consolidated: bool) -> Vec<Paragraph> {
    let mut out = vec![heading("I. KẾT QUẢ THỰC HIỆN", false)];
    let mut opened: Vec<&str> = Vec::new();
    for task in tasks_in_order(data, report) {
        for section in sections_of(data, &task.number) {
            if !opened.contains(&section.number.as_str()) {
                opened.push(section.number.as_str());
                let nested = section.number.as_str().contains('.');
                out.push(heading(
                    &format!("{}. {}", section.number, section.title),
                    nested,
                ));
            }
        }
        let top_level = !task.number.as_str().contains('.');
        let title = run(&task.title, SIZE_BODY);
        out.push(
            body(vec![
                run(&format!("{}. ", task.number), SIZE_BODY).bold(),
                if top_level { title.bold() } else { title },
            ])
            .keep_next(true),
        );
        let part = report.content.task(&task.number);
        out.push(body(vec![
            run("- Tình trạng: ", SIZE_BODY).italic(),
            run(&format!("{}.", status_text(part)), SIZE_BODY),
        ]));
        if consolidated {
            let leads = leads_of(task);
            if !leads.is_empty() {
                out.push(body(vec![
                    run("- Cơ quan chủ trì: ", SIZE_BODY).italic(),
                    run(&format!("{leads}."), SIZE_BODY),
                ]));
            }
        } else {
            let role = if report.leads.contains(&task.number) {
                "Chủ trì"
            } else {
                "Phối hợp"
            };
            out.push(body(vec![
                run("- Vai trò: ", SIZE_BODY).italic(),
                run(&format!("{role}."), SIZE_BODY),
            ]));
        }
        if let Some(p) = part {
            out.extend(labelled("Kết quả thực hiện", p.results.as_str()));
            out.extend(labelled("Khó khăn, vướng mắc", p.difficulties.as_str()));
            out.extend(labelled("Đề xuất, kiến nghị", p.proposals.as_str()));
        }
    }
    out
}

/// Who has not reported, who was late and who was sent back, for the consolidated
/// report.
fn reporting(data: &ExportData, numeral: &str) -> Vec<Paragraph> {
    let mut out = vec![heading(
        &format!("{numeral}. TÌNH HÌNH GỬI BÁO CÁO CỦA CÁC CƠ QUAN, ĐƠN VỊ"),
        false,
    )];
    let total = data.reports.len();
    let sent: Vec<&ExportReport> = data
        .reports
        .iter()
        .filter(|r| r.entry.submitted_at.is_some())
        .collect();
    let late = sent.iter().filter(|r| r.entry.late).count();
    out.push(body_text(&format!(
        "Có {}/{total} cơ quan, đơn vị đã gửi báo cáo{}.",
        sent.len(),
        if late > 0 {
            format!(" ({late} cơ quan, đơn vị gửi trễ hạn)")
        } else {
            String::new()
        }
    )));
    let silent: Vec<&ExportReport> = data
        .reports
        .iter()
        .filter(|r| r.entry.submitted_at.is_none())
        .collect();
    if silent.is_empty() {
        out.push(body_text("Tất cả các cơ quan, đơn vị đã gửi báo cáo."));
    } else {
        out.push(body(vec![
            run("Các cơ quan, đơn vị chưa gửi báo cáo:", SIZE_BODY).italic(),
        ]));
        // By state: those with a draft apart from those that never started.
        let mut states: Vec<CycleState> = Vec::new();
        for r in &silent {
            if !states.contains(&r.entry.state) {
                states.push(r.entry.state);
            }
        }
        for state in states {
            let names: Vec<&str> = silent
                .iter()
                .filter(|r| r.entry.state == state)
                .map(|r| r.agency.name.as_str())
                .collect();
            out.push(body(vec![
                run(
                    &format!("- {} ({}): ", state.label(Lang::Vi), names.len()),
                    SIZE_BODY,
                )
                .italic(),
                run(&format!("{}.", names.join(", ")), SIZE_BODY),
            ]));
        }
    }
    let returned: Vec<&str> = data
        .reports
        .iter()
        .filter(|r| r.entry.state == CycleState::Returned)
        .map(|r| r.agency.name.as_str())
        .collect();
    if !returned.is_empty() {
        out.push(body_text(&format!(
            "Báo cáo bị trả lại để bổ sung, hoàn thiện: {}.",
            returned.join(", ")
        )));
    }
    out
}

/// A part of the overall assessment: its heading and its text, line by line.
fn overall(numeral: &str, title: &str, text: &str) -> Vec<Paragraph> {
    let mut out = vec![heading(&format!("{numeral}. {title}"), false)];
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    if lines.is_empty() {
        out.push(body(vec![run("(Chưa có nội dung.)", SIZE_BODY).italic()]));
    }
    out.extend(lines.into_iter().map(body_text));
    out
}

/// The recipients on the left, the signer on the right, in a table without borders.
fn signature(recipients: &[String], position: &[String], signer: &str) -> Table {
    let left_width = TEXT_WIDTH * 9 / 20;
    let right_width = TEXT_WIDTH - left_width;
    let tight = |p: Paragraph| p.line_spacing(spacing(0, 0));
    let mut left = vec![tight(
        Paragraph::new().add_run(run("Nơi nhận:", SIZE_TABLE).bold().italic()),
    )];
    left.extend(
        recipients
            .iter()
            .map(|r| tight(Paragraph::new().add_run(run(r, SIZE_RECIPIENTS)))),
    );
    let mut right: Vec<Paragraph> = position
        .iter()
        .map(|line| centred(run(line, SIZE_BODY).bold()))
        .collect();
    for _ in 0..4 {
        right.push(centred(run("", SIZE_BODY)));
    }
    right.push(centred(run(signer, SIZE_BODY).bold()));
    Table::new(vec![TableRow::new(vec![
        plain_cell(left_width, left).vertical_align(VAlignType::Top),
        plain_cell(right_width, right).vertical_align(VAlignType::Top),
    ])])
    .set_grid(vec![left_width, right_width])
    .width(TEXT_WIDTH, WidthType::Dxa)
    .layout(TableLayoutType::Fixed)
    .clear_all_border()
}

/// A table with borders: a shaded header row, then `rows`.
fn grid(widths: &[usize], head: &[&str], rows: Vec<Vec<String>>) -> Table {
    let cell = |width: usize, text: &str, bold: bool, align: AlignmentType| {
        let r = run(text, SIZE_TABLE);
        TableCell::new()
            .add_paragraph(
                Paragraph::new()
                    .add_run(if bold { r.bold() } else { r })
                    .align(align)
                    .line_spacing(spacing(20, 20)),
            )
            .width(width, WidthType::Dxa)
            .vertical_align(VAlignType::Center)
    };
    let mut table_rows = vec![TableRow::new(
        widths
            .iter()
            .zip(head)
            .map(|(w, h)| {
                cell(*w, h, true, AlignmentType::Center).shading(Shading::new().fill("E7E6E6"))
            })
            .collect(),
    )];
    for row in rows {
        table_rows.push(TableRow::new(
            widths
                .iter()
                .zip(&row)
                .enumerate()
                .map(|(i, (w, text))| {
                    let align = if i == 1 {
                        AlignmentType::Left
                    } else {
                        AlignmentType::Center
                    };
                    cell(*w, text, false, align)
                })
                .collect(),
        ));
    }
    Table::new(table_rows)
        .set_grid(widths.to_vec())
        .width(widths.iter().sum(), WidthType::Dxa)
        .layout(TableLayoutType::Fixed)
}

/// The annex: every task's status (and, for the consolidated report, every agency's
/// report).
fn annex(
    data: &ExportData,
    report: &ExportReport,
    consolidated: bool,
    reference: &str,
) -> Vec<Block> {
    let mut out = vec![
        Block::from(centred(run("PHỤ LỤC", SIZE_BODY).bold()).page_break_before(true)),
        Block::from(centred(
            run(
                &format!(
                    "TÌNH HÌNH THỰC HIỆN CÁC NHIỆM VỤ {}",
                    text::period_phrase(data.period()).to_uppercase()
                ),
                SIZE_BODY,
            )
            .bold(),
        )),
        Block::from(
            centred(run(&format!("({reference})"), SIZE_BODY).italic())
                .line_spacing(spacing(0, 200)),
        ),
    ];
    let tasks = tasks_in_order(data, report);
    let status = |n: &TaskNumber| {
        report
            .content
            .task(n)
            .map_or("Chưa báo cáo".to_owned(), |p| {
                p.status.label(Lang::Vi).to_owned()
            })
    };
    let percent = |n: &TaskNumber| {
        report
            .content
            .task(n)
            .and_then(|p| p.percent)
            .map_or(String::new(), |p| p.value().to_string())
    };
    let (third, third_head): (Vec<String>, &str) = if consolidated {
        (
            tasks.iter().map(|t| leads_of(t)).collect(),
            "Cơ quan chủ trì",
        )
    } else {
        (
            tasks
                .iter()
                .map(|t| {
                    if report.leads.contains(&t.number) {
                        "Chủ trì".to_owned()
                    } else {
                        "Phối hợp".to_owned()
                    }
                })
                .collect(),
            "Vai trò",
        )
    };
    let rows = tasks
        .iter()
        .zip(third)
        .map(|(t, third)| {
            vec![
                t.number.to_string(),
                t.title.clone(),
                third,
                status(&t.number),
                percent(&t.number),
            ]
        })
        .collect();
    if consolidated {
        out.push(Block::from(
            body(vec![
                run("1. Tình hình thực hiện các nhiệm vụ", SIZE_BODY).bold(),
            ])
            .keep_next(true),
        ));
    }
    out.push(Block::from(grid(
        &[850, 3305, 2400, 1800, 1000],
        &["Số TT", "Nhiệm vụ", third_head, "Tình trạng", "Tỷ lệ (%)"],
        rows,
    )));
    if consolidated {
        out.push(Block::from(
            body(vec![
                run(
                    "2. Tình hình gửi báo cáo của các cơ quan, đơn vị",
                    SIZE_BODY,
                )
                .bold(),
            ])
            .keep_next(true)
            .line_spacing(spacing(240, 100)),
        ));
        let when = |t: &Option<String>| {
            t.as_deref()
                .and_then(|t| parse_rfc3339(t).ok())
                .map(|ms| format_dmy_hm(ms, VIETNAM_OFFSET_MINUTES))
                .unwrap_or_default()
        };
        let rows = data
            .reports
            .iter()
            .enumerate()
            .map(|(i, r)| {
                vec![
                    (i + 1).to_string(),
                    r.agency.name.clone(),
                    r.entry.state.label(Lang::Vi).to_owned(),
                    if r.entry.late { "Có" } else { "Không" }.to_owned(),
                    when(&r.entry.submitted_at),
                ]
            })
            .collect();
        out.push(Block::from(grid(
            &[700, 3555, 2200, 1000, 1900],
            &[
                "TT",
                "Cơ quan, đơn vị",
                "Tình trạng báo cáo",
                "Trễ hạn",
                "Gửi lúc",
            ],
            rows,
        )));
    }
    out
}

/// The day the document is dated: its current version's, else the day of the export.
fn document_date(data: &ExportData, report: &ExportReport) -> Date {
    let ms = report
        .version()
        .map_or(data.at_ms, |v| v.observed_at.millis());
    date_of(ms, VIETNAM_OFFSET_MINUTES)
}

/// Who signs: the author of the version that was submitted (marked final), if the
/// report stands submitted, accepted or final; nobody yet otherwise.
fn signer(report: &ExportReport) -> String {
    let standing = matches!(
        report.entry.state,
        CycleState::Submitted | CycleState::Accepted | CycleState::Final
    );
    match report.version() {
        Some(v) if standing && v.action == ReportAction::Submitted => v.author_name.clone(),
        _ => String::new(),
    }
}

/// The report of `data` (the consolidated one, else the agency's) as a .docx file.
pub fn render(data: &ExportData) -> Result<Vec<u8>, String> {
    let (report, consolidated) = match (&data.consolidated, data.reports.first()) {
        (Some(c), _) => (c, true),
        (None, Some(r)) => (r, false),
        (None, None) => return Err("no report to render".into()),
    };
    let plan = &data.plan;
    let agency = &report.agency;
    let symbol = text::symbol(agency);
    let date = document_date(data, report);
    let period = text::period_phrase(data.period());
    let plan_ref = format!(
        "Kế hoạch số {} ngày {} của {}",
        plan.code,
        plan.date.to_dmy(),
        plan.issuer
    );
    let mut blocks = vec![Block::from(header(
        text::governing_body(agency, plan).as_deref(),
        &text::issuing_body(agency),
        &symbol,
        &text::place_and_date(&text::place(agency, plan), date),
    ))];
    let summary = format!("Kết quả thực hiện {plan_ref} {period}");
    blocks.push(Block::from(
        centred(run("BÁO CÁO", SIZE_BODY).bold()).line_spacing(spacing(480, 0)),
    ));
    blocks.push(Block::from(centred(run(&summary, SIZE_BODY).bold())));
    blocks.push(Block::from(
        rule(2400, TEXT_WIDTH).line_spacing(
            LineSpacing::new()
                .before(60)
                .after(240)
                .line(80)
                .line_rule(LineSpacingType::Exact),
        ),
    ));
    // An agency reports to the consolidating department; the department's own report
    // goes to the plan's issuer.
    let addressee = match &data.consolidator {
        _ if consolidated => None,
        Some(c) if c.id != agency.id => Some(c.name.as_str()),
        _ => Some(plan.issuer.as_str()).filter(|i| !i.is_empty()),
    };
    if let Some(to) = addressee {
        blocks.push(Block::from(
            centred(run(&format!("Kính gửi: {to}."), SIZE_BODY)).line_spacing(spacing(0, 240)),
        ));
    }
    let title = if plan.title.is_empty() {
        String::new()
    } else {
        let mut chars = plan.title.chars();
        let lowered: String = chars
            .next()
            .map(|c| c.to_lowercase().chain(chars).collect())
            .unwrap_or_default();
        format!(" về {lowered}")
    };
    blocks.push(Block::from(body_text(&format!(
        "Thực hiện {plan_ref}{title}, {} báo cáo kết quả thực hiện {period} như sau:",
        agency.name
    ))));
    let mut parts = results(data, report, consolidated);
    let numerals = ["II", "III", "IV", "V"];
    let mut next = numerals.iter();
    let mut numeral = || next.next().copied().unwrap_or("");
    if consolidated {
        parts.extend(reporting(data, numeral()));
    }
    let content = &report.content;
    parts.extend(overall(
        numeral(),
        "ĐÁNH GIÁ CHUNG",
        content.summary.as_str(),
    ));
    parts.extend(overall(
        numeral(),
        "PHƯƠNG HƯỚNG, NHIỆM VỤ KỲ TỚI",
        content.direction.as_str(),
    ));
    parts.extend(overall(
        numeral(),
        "ĐỀ XUẤT, KIẾN NGHỊ",
        content.proposals.as_str(),
    ));
    parts.push(body_text(&format!(
        "Trên đây là báo cáo kết quả thực hiện {} {period} của {}./.",
        format_args!("Kế hoạch số {}", plan.code),
        agency.name
    )));
    blocks.extend(parts.into_iter().map(Block::from));
    let mut recipients = Vec::new();
    if consolidated {
        if !plan.issuer.is_empty() {
            recipients.push(format!("- {} (b/c);", text::issuer_as_recipient(plan)));
        }
        if let Some(ministry) = &data.ministry {
            recipients.push(format!("- {} (b/c);", ministry.name));
        }
        recipients.push("- Các cơ quan, đơn vị liên quan;".to_owned());
    } else if addressee.is_some() {
        recipients.push("- Như trên;".to_owned());
    }
    recipients.push("- Lưu: VT.".to_owned());
    blocks.push(Block::from(Paragraph::new().add_run(run("", SIZE_BODY))));
    blocks.push(Block::from(signature(
        &recipients,
        &text::signer_position(agency),
        &signer(report),
    )));
    let reference = format!(
        "Kèm theo Báo cáo số        /BC-{symbol} ngày {} của {}",
        date.to_dmy(),
        agency.name
    );
    blocks.extend(annex(data, report, consolidated, &reference));

    let fonts = RunFonts::new()
        .ascii(FONT)
        .hi_ansi(FONT)
        .cs(FONT)
        .east_asia(FONT);
    let doc = Docx::new()
        .page_size(PAGE_WIDTH, PAGE_HEIGHT)
        .page_margin(
            PageMargin::new()
                .top(MARGIN_TOP)
                .bottom(MARGIN_BOTTOM)
                .left(MARGIN_LEFT)
                .right(MARGIN_RIGHT)
                .header(567)
                .footer(567)
                .gutter(0),
        )
        .default_fonts(fonts)
        .default_size(SIZE_BODY);
    let doc = blocks.into_iter().fold(doc, |doc, block| match block {
        Block::Paragraph(p) => doc.add_paragraph(*p),
        Block::Table(t) => doc.add_table(*t),
    });
    let mut out = std::io::Cursor::new(Vec::new());
    doc.pack(&mut out)
        .map_err(|e| format!("writing the .docx: {e}"))?;
    Ok(out.into_inner())
}
