//! The exports of a period: the report as a Word document (`docx`), the data as a
//! workbook (`xlsx`) and as CSV (`csv`). Rendering only: `crate::db` gathers the
//! [`ExportData`], the HTTP handler and the command line decide who may have it.

mod csv;
mod docx;
mod text;
mod xlsx;

use tiendo_shared::i18n::Lang;
use tiendo_shared::plan::Task;
use tiendo_shared::report::ReportTask;

use crate::db::{ContentSource, ExportData, ExportReport};

/// The media types of the formats.
pub const DOCX_TYPE: &str =
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
pub const XLSX_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
pub const CSV_TYPE: &str = "text/csv; charset=utf-8";

/// A file format of the export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Docx,
    Xlsx,
    Csv,
}

impl Format {
    /// Reads `docx`, `xlsx` or `csv`.
    pub fn parse(text: &str) -> Option<Format> {
        match text {
            "docx" => Some(Format::Docx),
            "xlsx" => Some(Format::Xlsx),
            "csv" => Some(Format::Csv),
            _ => None,
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::Docx => "docx",
            Format::Xlsx => "xlsx",
            Format::Csv => "csv",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Docx => DOCX_TYPE,
            Format::Xlsx => XLSX_TYPE,
            Format::Csv => CSV_TYPE,
        }
    }
}

/// Why a document could not be made (a bug or a resource failure, never the
/// client's mistake).
#[derive(Debug, thiserror::Error)]
#[error("export: {0}")]
pub struct RenderError(String);

/// `data` as a file of `format`.
pub fn render(data: &ExportData, format: Format) -> Result<Vec<u8>, RenderError> {
    match format {
        Format::Docx => docx::render(data),
        Format::Xlsx => xlsx::render(data),
        Format::Csv => Ok(csv::render(data)),
    }
    .map_err(RenderError)
}

/// The file's name, in Vietnamese: "Báo cáo tổng hợp H1-2019 - 215-KH-UBND.docx",
/// "Báo cáo H1-2019 - Sở VHTTDL - 215-KH-UBND.docx", "Số liệu báo cáo H1-2019 -
/// 215-KH-UBND.xlsx".
pub fn file_name(data: &ExportData, format: Format) -> String {
    let kind = match (format, data.consolidated.is_some()) {
        (Format::Docx, true) => "Báo cáo tổng hợp",
        (Format::Docx, false) => "Báo cáo",
        (Format::Xlsx | Format::Csv, _) => "Số liệu báo cáo",
    };
    let agency = match (&data.consolidated, data.reports.as_slice()) {
        (None, [one]) => {
            let name = if one.agency.short_name.is_empty() {
                &one.agency.name
            } else {
                &one.agency.short_name
            };
            format!(" - {name}")
        }
        _ => String::new(),
    };
    text::file_safe(&format!(
        "{kind} {}{agency} - {}.{}",
        data.period(),
        data.plan.code,
        format.extension()
    ))
}

/// The `Content-Disposition` of a download named `name`: a plain ASCII name for old
/// clients and the Vietnamese one (RFC 8187) for the rest.
pub fn content_disposition(name: &str) -> String {
    format!(
        "attachment; filename=\"{}\"; filename*=UTF-8''{}",
        text::ascii_file_name(name),
        text::percent_encode(name)
    )
}

/// The plan's tasks that `report` says something about, in the plan's order: what a
/// written version covers, or every task a draft covers.
fn tasks_in_order<'a>(data: &'a ExportData, report: &ExportReport) -> Vec<&'a Task> {
    data.plan
        .tasks
        .iter()
        .filter(|t| report.content.task(&t.number).is_some())
        .collect()
}

/// One line of the long table: a task and an agency that reports on it.
struct Line<'a> {
    task: &'a Task,
    report: &'a ExportReport,
    lead: bool,
    part: Option<&'a ReportTask>,
}

/// Every task of the period with each agency that reports on it, the lead agencies
/// first, in the plan's order.
fn lines(data: &ExportData) -> Vec<Line<'_>> {
    let mut out = Vec::new();
    for task in &data.plan.tasks {
        for lead in [true, false] {
            for report in &data.reports {
                let covers = report.tasks.contains(&task.number)
                    || report.content.task(&task.number).is_some();
                if covers && report.leads.contains(&task.number) == lead {
                    out.push(Line {
                        task,
                        report,
                        lead,
                        part: report.content.task(&task.number),
                    });
                }
            }
        }
    }
    out
}

/// The header of the long table.
const LINE_HEADER: [&str; 11] = [
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
    "Nguồn số liệu",
];

impl Line<'_> {
    fn role(&self) -> &'static str {
        if self.lead {
            "Chủ trì"
        } else {
            "Phối hợp"
        }
    }

    fn status(&self) -> &'static str {
        self.part
            .map_or("Chưa báo cáo", |p| p.status.label(Lang::Vi))
    }

    fn percent(&self) -> Option<u8> {
        self.part.and_then(|p| p.percent).map(|p| p.value())
    }

    fn text(&self, pick: fn(&ReportTask) -> &str) -> String {
        self.part.map(pick).unwrap_or_default().to_owned()
    }

    fn state(&self) -> &'static str {
        self.report.entry.state.label(Lang::Vi)
    }

    fn source(&self) -> &'static str {
        match &self.report.source {
            ContentSource::Version(v)
                if v.action == tiendo_shared::report::ReportAction::Submitted =>
            {
                "Báo cáo đã gửi"
            }
            ContentSource::Version(_) => "Bản nháp báo cáo",
            ContentSource::ProgressDraft | ContentSource::ReportsDraft => {
                "Cập nhật tiến độ (chưa có báo cáo)"
            }
        }
    }

    /// The line's cells as text, in the order of [`LINE_HEADER`].
    fn cells(&self) -> [String; 11] {
        [
            self.task.number.to_string(),
            self.task.title.clone(),
            self.report.agency.name.clone(),
            self.role().to_owned(),
            self.status().to_owned(),
            self.percent().map(|p| p.to_string()).unwrap_or_default(),
            self.text(|p| p.results.as_str()),
            self.text(|p| p.difficulties.as_str()),
            self.text(|p| p.proposals.as_str()),
            self.state().to_owned(),
            self.source().to_owned(),
        ]
    }
}
