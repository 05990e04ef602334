//! The period's data as an Excel workbook: a first sheet with one line per task and
//! agency (role, status, percent, results, difficulties, proposals), which an office
//! filters and sorts, and a second with the state of every report. Bold headers, the
//! header row frozen, a filter on it, wrapped text, dates as real dates shown
//! dd/mm/yyyy hh:mm in Vietnam time.

use rust_xlsxwriter::{
    Color, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError,
};
use tiendo_shared::date::parse_rfc3339;
use tiendo_shared::i18n::Lang;
use tiendo_shared::plan::calendar::VIETNAM_OFFSET_MINUTES;
use tiendo_shared::report::ReportScope;

use super::{LINE_HEADER, lines};
use crate::db::{ExportData, ExportReport};

/// The sheets' names (at most 31 characters, none of `[]:*?/\`).
pub const LINES_SHEET: &str = "Nhiệm vụ - cơ quan";
pub const STATES_SHEET: &str = "Tình hình báo cáo";

const FONT: &str = "Times New Roman";

/// The widths of the first sheet's columns, in characters.
const LINE_WIDTHS: [f64; 11] = [
    10.0, 45.0, 30.0, 10.0, 16.0, 9.0, 60.0, 40.0, 40.0, 20.0, 22.0,
];

const STATE_HEADER: [&str; 10] = [
    "Cơ quan, đơn vị",
    "Loại báo cáo",
    "Trạng thái",
    "Trễ hạn",
    "Gửi lúc (máy chủ)",
    "Gửi lúc (thiết bị)",
    "Người gửi",
    "Duyệt lúc",
    "Người duyệt",
    "Ý kiến của cơ quan tổng hợp",
];
const STATE_WIDTHS: [f64; 10] = [38.0, 16.0, 20.0, 9.0, 17.0, 17.0, 24.0, 17.0, 24.0, 50.0];

struct Formats {
    header: Format,
    text: Format,
    number: Format,
    date: Format,
}

impl Formats {
    fn new() -> Formats {
        let base = Format::new()
            .set_font_name(FONT)
            .set_font_size(12)
            .set_border(FormatBorder::Thin)
            .set_align(FormatAlign::Top);
        Formats {
            header: base
                .clone()
                .set_bold()
                .set_text_wrap()
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter)
                .set_background_color(Color::RGB(0x00DD_EBF7)),
            text: base.clone().set_text_wrap(),
            number: base.clone().set_align(FormatAlign::Center),
            date: base
                .set_num_format("dd/mm/yyyy hh:mm")
                .set_align(FormatAlign::Center),
        }
    }
}

/// Writes a bold header row, freezes it, filters on it and sizes the columns.
fn header(
    sheet: &mut Worksheet,
    formats: &Formats,
    names: &[&str],
    widths: &[f64],
    last_row: u32,
) -> Result<(), XlsxError> {
    for (col, (name, width)) in (0u16..).zip(names.iter().zip(widths)) {
        sheet.write_string_with_format(0, col, *name, &formats.header)?;
        sheet.set_column_width(col, *width)?;
    }
    sheet.set_row_height(0, 32)?;
    sheet.set_freeze_panes(1, 0)?;
    let last_col = u16::try_from(names.len().saturating_sub(1)).unwrap_or_default();
    sheet.autofilter(0, 0, last_row.max(1), last_col)?;
    Ok(())
}

/// An instant (RFC 3339) as an Excel date in Vietnam time.
fn vietnam_time(text: Option<&str>) -> Option<ExcelDateTime> {
    let ms = parse_rfc3339(text?).ok()?;
    ExcelDateTime::from_timestamp(ms.div_euclid(1000) + VIETNAM_OFFSET_MINUTES * 60).ok()
}

fn write_text(
    sheet: &mut Worksheet,
    row: u32,
    col: u16,
    text: &str,
    formats: &Formats,
) -> Result<(), XlsxError> {
    if text.is_empty() {
        sheet.write_blank(row, col, &formats.text)?;
    } else {
        sheet.write_string_with_format(row, col, text, &formats.text)?;
    }
    Ok(())
}

fn write_time(
    sheet: &mut Worksheet,
    row: u32,
    col: u16,
    when: Option<&str>,
    formats: &Formats,
) -> Result<(), XlsxError> {
    match vietnam_time(when) {
        Some(t) => sheet.write_datetime_with_format(row, col, &t, &formats.date)?,
        None => sheet.write_blank(row, col, &formats.date)?,
    };
    Ok(())
}

fn state_row(
    sheet: &mut Worksheet,
    row: u32,
    report: &ExportReport,
    formats: &Formats,
) -> Result<(), XlsxError> {
    let e = &report.entry;
    let kind = match e.scope {
        ReportScope::Agency => "Báo cáo của cơ quan",
        ReportScope::Consolidated => "Báo cáo tổng hợp",
    };
    write_text(sheet, row, 0, &report.agency.name, formats)?;
    write_text(sheet, row, 1, kind, formats)?;
    write_text(sheet, row, 2, e.state.label(Lang::Vi), formats)?;
    write_text(sheet, row, 3, if e.late { "Có" } else { "Không" }, formats)?;
    write_time(sheet, row, 4, e.submitted_at.as_deref(), formats)?;
    write_time(sheet, row, 5, e.submitted_device_at.as_deref(), formats)?;
    write_text(
        sheet,
        row,
        6,
        e.submitted_by.as_deref().unwrap_or_default(),
        formats,
    )?;
    write_time(sheet, row, 7, e.reviewed_at.as_deref(), formats)?;
    write_text(
        sheet,
        row,
        8,
        e.reviewed_by.as_deref().unwrap_or_default(),
        formats,
    )?;
    write_text(
        sheet,
        row,
        9,
        e.review_comment.as_deref().unwrap_or_default(),
        formats,
    )?;
    Ok(())
}

fn workbook(data: &ExportData) -> Result<Vec<u8>, XlsxError> {
    let formats = Formats::new();
    let mut book = Workbook::new();

    let sheet = book.add_worksheet();
    sheet.set_name(LINES_SHEET)?;
    let mut row = 0u32;
    for line in lines(data) {
        row += 1;
        for (col, cell) in (0u16..).zip(line.cells()) {
            match (col, line.percent()) {
                (5, Some(percent)) => {
                    sheet.write_number_with_format(row, col, percent, &formats.number)?;
                }
                _ => write_text(sheet, row, col, &cell, &formats)?,
            }
        }
    }
    header(sheet, &formats, &LINE_HEADER, &LINE_WIDTHS, row)?;

    let sheet = book.add_worksheet();
    sheet.set_name(STATES_SHEET)?;
    let mut row = 0u32;
    for report in data.reports.iter().chain(&data.consolidated) {
        row += 1;
        state_row(sheet, row, report, &formats)?;
    }
    header(sheet, &formats, &STATE_HEADER, &STATE_WIDTHS, row)?;

    book.save_to_buffer()
}

/// The data of `data` as .xlsx bytes.
pub fn render(data: &ExportData) -> Result<Vec<u8>, String> {
    workbook(data).map_err(|e| format!("writing the .xlsx: {e}"))
}
