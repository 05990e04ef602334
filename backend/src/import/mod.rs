//! Reading a plan from the file it is published in, whatever its name says: a Word
//! document or the text form, told apart by content. The one place the plan parser is
//! called on a file, and the import summary as an administrator reads it.

pub mod docx;

use std::fmt::Write;
use std::path::Path;

use tiendo_shared::plan::{self, Agency, Plan, Registry};

use crate::db::{Db, DbError, PlanImport, StoredAgency, TaskField, province_key};

/// What a plan file turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceFormat {
    /// The text (markdown) form the parser reads.
    Text,
    /// A Word `.docx`.
    Docx,
}

/// A plan file as the parser's text, with where each line came from.
#[derive(Debug, Clone)]
pub struct PlanSource {
    pub format: SourceFormat,
    pub text: String,
    docx: Option<docx::DocxText>,
}

/// Why a file is not a plan the importer can read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SourceError {
    #[error("not a plan file: expected a Word .docx or a text plan ({0})")]
    NotAPlan(String),
    #[error("a damaged Word file: {0}")]
    Docx(#[from] docx::DocxError),
}

const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
const OLE_MAGIC: &[u8] = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";

impl PlanSource {
    /// Tells the format from the bytes: a zip with `word/document.xml` is a Word
    /// document, UTF-8 (or UTF-16 with its byte order mark) text is the text form.
    pub fn read(bytes: &[u8]) -> Result<PlanSource, SourceError> {
        let not_a_plan = |why: &str| SourceError::NotAPlan(why.to_owned());
        if bytes.starts_with(ZIP_MAGIC) {
            return match docx::read(bytes) {
                Ok(read) => Ok(PlanSource {
                    format: SourceFormat::Docx,
                    text: read.text.clone(),
                    docx: Some(read),
                }),
                Err(docx::DocxError::NotWord) => Err(not_a_plan(
                    "this is a zip archive without word/document.xml",
                )),
                Err(docx::DocxError::Zip(e)) => Err(SourceError::NotAPlan(format!(
                    "this is a zip archive that cannot be opened: {e}"
                ))),
                Err(e) => Err(SourceError::Docx(e)),
            };
        }
        if bytes.starts_with(OLE_MAGIC) {
            return Err(not_a_plan(
                "this is an old binary Word .doc or another Office file: save it as .docx",
            ));
        }
        if bytes.starts_with(b"%PDF-") {
            return Err(not_a_plan(
                "this is a PDF, which is not read yet: save it as .docx or text",
            ));
        }
        let text = decode_text(bytes)
            .ok_or_else(|| not_a_plan("this is neither a zip archive nor UTF-8 text"))?;
        Ok(PlanSource {
            format: SourceFormat::Text,
            text,
            docx: None,
        })
    }

    /// Where line `line` of the text came from: "line 12" of a text plan, the
    /// paragraph or table row of a Word document.
    pub fn place(&self, line: usize) -> String {
        match &self.docx {
            Some(docx) => docx.place(line),
            None => format!("line {line}"),
        }
    }
}

/// Text in UTF-8 (a byte order mark dropped) or UTF-16 with a byte order mark; `None`
/// for bytes that are not text (invalid, or holding NUL or other binary controls).
fn decode_text(bytes: &[u8]) -> Option<String> {
    let utf16 = |be: bool| -> Option<String> {
        let units: Vec<u16> = bytes[2..]
            .chunks(2)
            .map(|c| match (c, be) {
                ([a, b], true) => Some(u16::from_be_bytes([*a, *b])),
                ([a, b], false) => Some(u16::from_le_bytes([*a, *b])),
                _ => None,
            })
            .collect::<Option<_>>()?;
        String::from_utf16(&units).ok()
    };
    let text = if bytes.starts_with(&[0xFF, 0xFE]) {
        utf16(false)?
    } else if bytes.starts_with(&[0xFE, 0xFF]) {
        utf16(true)?
    } else {
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        std::str::from_utf8(bytes).ok()?.to_owned()
    };
    let binary = text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\u{c}'));
    (!binary).then_some(text)
}

/// Reads a plan file and parses it. Errors name the file and, for a parse error, the
/// line (of a text plan) or the paragraph or table row (of a Word document).
/// The registries that ship with the app (`seed/registries/*.json`): the importer
/// reads a plan with the one of its province.
pub fn registries() -> &'static [Registry] {
    static REGISTRIES: std::sync::OnceLock<Vec<Registry>> = std::sync::OnceLock::new();
    REGISTRIES.get_or_init(|| {
        [
            include_str!("../../../seed/registries/kon-tum.json"),
            include_str!("../../../seed/registries/quang-tri.json"),
        ]
        .into_iter()
        .filter_map(|json| match Registry::from_json(json) {
            Ok(registry) => Some(registry),
            Err(e) => {
                // Covered by a test: a shipped registry always reads.
                tracing::error!(error = %e, "a shipped registry does not read");
                None
            }
        })
        .collect()
    })
}

/// The agencies of the shipped registry of `province` (none when there is none).
pub fn registry_agencies(province: &str) -> Vec<tiendo_shared::plan::Agency> {
    registries()
        .iter()
        .find(|r| r.is_for(province))
        .map(|r| r.agencies().to_vec())
        .unwrap_or_default()
}

/// The registries to read a plan with when a database exists: the database is the
/// registry of record. Each shipped registry is overlaid with what the database holds
/// for its province (renamed agencies under their new names, the old ones as aliases;
/// merged agencies as aliases of the agency they joined; agencies created from
/// earlier plans); a province the database holds with no shipped registry gets one
/// from the database alone.
pub fn registries_of_record(stored: &[StoredAgency]) -> Vec<Registry> {
    let mut provinces: Vec<String> = Vec::new();
    for s in stored {
        if !s.province.is_empty() && !provinces.contains(&s.province) {
            provinces.push(s.province.clone());
        }
    }
    let mut out: Vec<Registry> = Vec::new();
    for shipped in registries() {
        let key = province_key(shipped.province());
        provinces.retain(|p| *p != key);
        out.push(overlay(
            shipped.province(),
            shipped.agencies().to_vec(),
            stored.iter().filter(|s| s.province == key),
        ));
    }
    for key in provinces {
        out.push(overlay(
            &key,
            Vec::new(),
            stored.iter().filter(|s| s.province == key),
        ));
    }
    out
}

fn overlay<'a>(
    province: &str,
    mut agencies: Vec<Agency>,
    stored: impl Iterator<Item = &'a StoredAgency> + Clone,
) -> Registry {
    let add_alias = |a: &mut Agency, name: &str| {
        if a.name != name && !a.aliases.iter().any(|n| n == name) {
            a.aliases.push(name.to_owned());
        }
    };
    for s in stored.clone().filter(|s| s.merged_into.is_none()) {
        match agencies.iter_mut().find(|a| a.id == s.agency.id) {
            Some(a) => {
                if a.name != s.agency.name {
                    let former = std::mem::replace(&mut a.name, s.agency.name.clone());
                    add_alias(a, &former);
                    a.short_name = s.agency.short_name.clone();
                }
                for alias in &s.agency.aliases {
                    add_alias(a, alias);
                }
            }
            None => agencies.push(s.agency.clone()),
        }
    }
    for s in stored.filter(|s| s.merged_into.is_some()) {
        let names: Vec<String> = agencies
            .iter()
            .filter(|a| a.id == s.agency.id)
            .flat_map(|a| std::iter::once(a.name.clone()).chain(a.aliases.clone()))
            .chain(std::iter::once(s.agency.name.clone()))
            .chain(s.agency.aliases.clone())
            .collect();
        agencies.retain(|a| a.id != s.agency.id);
        if let Some(into) = agencies
            .iter_mut()
            .find(|a| Some(&a.id) == s.merged_into.as_ref())
        {
            for name in &names {
                add_alias(into, name);
            }
        }
    }
    Registry::for_province(province, agencies)
}

/// The agencies of `province` in `registries`.
pub fn agencies_of(registries: &[Registry], province: &str) -> Vec<Agency> {
    registries
        .iter()
        .find(|r| r.is_for(province))
        .map(|r| r.agencies().to_vec())
        .unwrap_or_default()
}

/// Reads a plan file with `registries`.
pub fn parse_file_with(file: &Path, registries: &[Registry]) -> Result<(PlanSource, Plan), String> {
    let bytes = std::fs::read(file).map_err(|e| format!("{}: {e}", file.display()))?;
    parse_bytes(&bytes, registries).map_err(|e| format!("{}: {e}", file.display()))
}

pub fn parse_file(file: &Path) -> Result<(PlanSource, Plan), String> {
    parse_file_with(file, registries())
}

/// Why a plan's bytes were not read: not a plan file, or a text the parser stops on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    #[error(transparent)]
    Source(#[from] SourceError),
    /// Where the file has the line ("line 12", a Word paragraph) and what was expected.
    #[error("{place}: expected {expected}")]
    Parse { place: String, expected: String },
}

/// Reads a plan file's bytes and parses them: what `tiendo plan import` and the
/// import endpoint both read.
pub fn parse_bytes(bytes: &[u8], registries: &[Registry]) -> Result<(PlanSource, Plan), ReadError> {
    let source = PlanSource::read(bytes)?;
    let plan = plan::parse_plan_in(&source.text, registries).map_err(|e| ReadError::Parse {
        place: source.place(e.line),
        expected: e.expected,
    })?;
    Ok((source, plan))
}

/// Imports a parsed plan with `registry` (the agencies of its province), or for a dry
/// run works out what importing would do: what the file names by an agency since
/// merged goes to the one it joined.
pub async fn import_parsed(
    db: &Db,
    parsed: Plan,
    agencies: Vec<Agency>,
    dry_run: bool,
) -> Result<PlanImport, DbError> {
    let parsed = db.follow_merges(parsed).await?;
    if dry_run {
        db.preview_plan_import(parsed, agencies).await
    } else {
        db.import_plan(parsed, agencies).await
    }
}

/// The import summary as JSON (`tiendo plan import --json` and the import endpoint):
/// each warning also says where the file has it (a Word file's paragraph).
pub fn summary_json(
    summary: &PlanImport,
    source: &PlanSource,
) -> Result<serde_json::Value, serde_json::Error> {
    let mut value = serde_json::to_value(summary)?;
    value["warnings"] = summary
        .warnings
        .iter()
        .map(|w| {
            let place = source.place(w.line);
            serde_json::json!({
                "line": w.line,
                "place_vi": place_vi(&place),
                "place": place,
                "message": w.message,
                "message_vi": if w.message_vi.is_empty() { &w.message } else { &w.message_vi },
            })
        })
        .collect();
    Ok(value)
}

/// Where the file has something (`place`), in Vietnamese: "line 4" → "dòng 4", "the
/// paragraph “…”" → "đoạn “…”", "table 1, row 3 “…”" → "bảng 1, hàng 3 “…”". The quoted
/// opening of the paragraph is the file's own text and stays as it is.
fn place_vi(place: &str) -> String {
    let (head, quoted) = match place.find('“') {
        Some(i) => place.split_at(i),
        None => (place, ""),
    };
    let head = head
        .replace(
            " of the text read from the document",
            " của văn bản đọc từ tệp",
        )
        .replace("the paragraph", "đoạn")
        .replace("table", "bảng")
        .replace(", row", ", hàng")
        .replace(", header", ", dòng tiêu đề")
        .replace("line", "dòng");
    format!("{head}{quoted}")
}

/// The import summary as an administrator reads it: what was (or, for a dry run,
/// would be) added, changed and withdrawn, the new agencies, the group phrases left
/// unmapped and the warnings, each warning where the file has it.
pub fn summary_text(summary: &PlanImport, source: &PlanSource) -> String {
    let mut out = String::new();
    let verb = match (summary.applied, summary.created) {
        (true, true) => "imported",
        (true, false) => "updated",
        (false, true) => "dry run: would import",
        (false, false) => "dry run: would update",
    };
    let _ = write!(out, "{verb} {} ({} tasks)", summary.code, summary.tasks);
    if summary.code != summary.number {
        let _ = write!(
            out,
            "; its province already has a plan {} of another date, so this one is named {}",
            summary.number, summary.code
        );
    }
    if !summary.applied {
        out.push_str("; nothing was changed");
    }
    out.push('\n');

    let count = |out: &mut String, title: &str, n: usize| {
        let _ = writeln!(
            out,
            "{title}: {}",
            if n == 0 { "none".into() } else { n.to_string() }
        );
    };
    count(&mut out, "tasks added", summary.added.len());
    for t in &summary.added {
        let _ = writeln!(out, "  + {:<8} {}", t.number.as_str(), clip(&t.title, 90));
    }
    if !summary.restored.is_empty() {
        count(
            &mut out,
            "tasks restored (withdrawn before)",
            summary.restored.len(),
        );
        for t in &summary.restored {
            let _ = writeln!(out, "  + {:<8} {}", t.number.as_str(), clip(&t.title, 90));
        }
    }
    count(&mut out, "tasks changed", summary.changed.len());
    for t in &summary.changed {
        let _ = writeln!(out, "  ~ {:<8} {}", t.number.as_str(), clip(&t.title, 90));
        for c in &t.changes {
            let field = match c.field {
                TaskField::Title => "title",
                TaskField::Text => "text",
                TaskField::Timeframe => "timeframe",
                TaskField::Lead => "lead",
                TaskField::Coordinating => "coordinating",
            };
            let _ = writeln!(
                out,
                "      {field}: “{}” → “{}”",
                clip(&c.before, 70),
                clip(&c.after, 70)
            );
        }
    }
    count(
        &mut out,
        "tasks withdrawn (kept with their history, out of the plan)",
        summary.withdrawn.len(),
    );
    for t in &summary.withdrawn {
        let attached = match (t.progress, t.reports) {
            (0, 0) => "nothing recorded".to_owned(),
            (p, 0) => format!("{p} progress update(s)"),
            (0, r) => format!("in {r} report(s)"),
            (p, r) => format!("{p} progress update(s), in {r} report(s)"),
        };
        let _ = writeln!(
            out,
            "  - {:<8} {} ({attached})",
            t.number.as_str(),
            clip(&t.title, 80)
        );
    }
    let _ = writeln!(out, "tasks unchanged: {}", summary.unchanged);
    count(&mut out, "new agencies", summary.new_agencies.len());
    for a in &summary.new_agencies {
        let note = if a.named {
            ""
        } else {
            " (registry, not named by the plan)"
        };
        let _ = writeln!(
            out,
            "  {:<24} {:<12} {}{note}",
            a.id.as_str(),
            a.kind,
            a.name
        );
    }
    count(
        &mut out,
        "group phrases left unmapped",
        summary.unmapped_groups.len(),
    );
    for g in &summary.unmapped_groups {
        let _ = writeln!(out, "  “{g}”");
    }
    count(&mut out, "warnings", summary.warnings.len());
    for w in &summary.warnings {
        let _ = writeln!(out, "  {}: {}", source.place(w.line), w.message);
    }
    out
}

/// At most `max` characters, with an ellipsis when cut; on one line.
fn clip(text: &str, max: usize) -> String {
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() <= max {
        return one_line;
    }
    let mut cut: String = one_line.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shipped_registry_reads() {
        assert_eq!(registries().len(), 2);
        assert!(!registry_agencies("Kon Tum").is_empty());
        assert!(!registry_agencies("Quảng Trị").is_empty());
        assert!(registry_agencies("Lào Cai").is_empty());
    }

    #[test]
    fn the_format_comes_from_the_bytes() {
        let text = PlanSource::read("Số: 1/KH-UBND\n".as_bytes()).unwrap();
        assert_eq!(text.format, SourceFormat::Text);
        assert_eq!(text.place(3), "line 3");
        let bom = PlanSource::read(b"\xEF\xBB\xBFK\xE1\xBA\xBF").unwrap();
        assert_eq!(bom.text, "Kế");
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("Kế hoạch".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        assert_eq!(PlanSource::read(&utf16).unwrap().text, "Kế hoạch");
        for (bytes, why) in [
            (&b"\xFF\xD8\xFF\xE0 jpeg"[..], "neither"),
            (b"ab\0cd", "neither"),
            (b"PK\x03\x04 broken", "zip archive"),
            (b"%PDF-1.7", "PDF"),
            (b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", ".doc"),
        ] {
            let e = PlanSource::read(bytes).unwrap_err().to_string();
            assert!(
                e.starts_with("not a plan file: expected a Word .docx or a text plan"),
                "{e}"
            );
            assert!(e.contains(why), "{e}");
        }
    }

    #[test]
    fn clip_cuts_on_characters() {
        assert_eq!(clip("Tăng   cường\nthông tin", 40), "Tăng cường thông tin");
        assert_eq!(clip("Tăng cường", 5), "Tăng…");
    }

    #[test]
    fn places_read_in_vietnamese_and_quotes_stay_as_written() {
        assert_eq!(place_vi("line 4"), "dòng 4");
        assert_eq!(
            place_vi("line 9 of the text read from the document"),
            "dòng 9 của văn bản đọc từ tệp"
        );
        assert_eq!(
            place_vi("the paragraph “Cơ quan chủ trì: table line”"),
            "đoạn “Cơ quan chủ trì: table line”"
        );
        assert_eq!(
            place_vi("table 1, row 3 “1.2 Tuyên truyền”"),
            "bảng 1, hàng 3 “1.2 Tuyên truyền”"
        );
        assert_eq!(place_vi("table 2, header"), "bảng 2, dòng tiêu đề");
    }
}
