//! Task tables: plans that list their tasks in a markdown pipe table, as many
//! provinces do in an appendix ("PHỤ LỤC"), with columns such as STT / Nội dung /
//! Cơ quan chủ trì / Cơ quan phối hợp / Thời gian thực hiện.
//!
//! Rows numbered with Roman numerals are groups: the rows under group II numbered 1,
//! 2 … become tasks 2.1, 2.2 …. Rows with lettered numbers are sub-tasks of the row
//! above. A row with no number but text continues the task above. Tables whose header
//! has no content and lead columns are not task tables and are left alone.

use super::fold::{fold, roman, short_title, squeeze, strip_emphasis};
use super::parser::{Line, classify_label};
use super::{PlanParseError, RawTask, RoleKind, RoleValue, Section};
use crate::ids::TaskNumber;

fn err(line: usize, expected: impl Into<String>) -> PlanParseError {
    PlanParseError {
        line,
        expected: expected.into(),
    }
}

/// The cells of a table row, without the outer pipes.
fn cells(row: &str) -> Vec<String> {
    let inner = row.trim();
    let inner = inner.strip_prefix('|').unwrap_or(inner);
    let inner = inner.strip_suffix('|').unwrap_or(inner);
    inner.split('|').map(|c| c.trim().to_owned()).collect()
}

fn is_separator(row: &[String]) -> bool {
    row.iter()
        .all(|c| !c.is_empty() && c.chars().all(|ch| matches!(ch, '-' | ':' | ' ')))
}

/// A cell's text: emphasis removed, `<br>` as `sep`.
fn cell_text(c: &str, sep: &str) -> String {
    let mut s = strip_emphasis(c);
    for br in ["<br/>", "<br />", "<br>", "<BR>"] {
        s = s.replace(br, sep);
    }
    squeeze(&s)
}

#[derive(Debug, Default)]
struct Columns {
    number: Option<usize>,
    content: Option<usize>,
    roles: Vec<(usize, RoleKind, Vec<super::Qualifier>)>,
}

fn columns(header: &[String]) -> Columns {
    let mut c = Columns::default();
    for (i, h) in header.iter().enumerate() {
        let f = fold(&strip_emphasis(h));
        let f = f.trim();
        if c.number.is_none() && matches!(f, "stt" | "tt" | "so tt" | "so thu tu" | "#") {
            c.number = Some(i);
        } else if let Some((kind, q)) = classify_label(f) {
            if !c.roles.iter().any(|(_, k, _)| *k == kind) {
                c.roles.push((i, kind, q));
            }
        } else if c.content.is_none()
            && (f.contains("noi dung") || f.contains("nhiem vu") || f.contains("hoat dong"))
        {
            c.content = Some(i);
        }
    }
    c
}

/// A numbered row of a task table.
#[derive(Debug)]
struct Row {
    number: Vec<String>,
    line: usize,
    content: String,
    task: RawTask,
}

/// Reads every task table among the lines.
pub(crate) fn read_tables(lines: &[Line]) -> Result<(Vec<RawTask>, Vec<Section>), PlanParseError> {
    let mut tasks = Vec::new();
    let mut sections = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if !lines[i].text.starts_with('|') {
            i += 1;
            continue;
        }
        let start = i;
        while i < lines.len() && lines[i].text.starts_with('|') {
            i += 1;
        }
        let (t, s) = read_table(&lines[start..i])?;
        tasks.extend(t);
        sections.extend(s);
    }
    Ok((tasks, sections))
}

fn read_table(rows: &[Line]) -> Result<(Vec<RawTask>, Vec<Section>), PlanParseError> {
    let header = cells(&rows[0].text);
    let cols = columns(&header);
    let (Some(number_col), Some(content_col)) = (cols.number, cols.content) else {
        return Ok((Vec::new(), Vec::new()));
    };
    if !cols.roles.iter().any(|(_, k, _)| *k == RoleKind::Lead) {
        return Ok((Vec::new(), Vec::new()));
    }
    let mut body = &rows[1..];
    if body.first().is_some_and(|r| is_separator(&cells(&r.text))) {
        body = &body[1..];
    }
    let mut out: Vec<Row> = Vec::new();
    let mut sections = Vec::new();
    let mut group: Option<u32> = None;
    for r in body {
        let c = cells(&r.text);
        if c.len() != header.len() {
            return Err(err(
                r.no,
                format!(
                    "{} cells in the row, as in the table's header",
                    header.len()
                ),
            ));
        }
        let number = cell_text(&c[number_col], " ")
            .trim_end_matches('.')
            .to_owned();
        let content = cell_text(&c[content_col], " ");
        let mut task = RawTask {
            line: r.no,
            ..RawTask::default()
        };
        for (col, kind, q) in &cols.roles {
            let v = cell_text(&c[*col], "; ");
            if !v.is_empty() {
                task.set(
                    *kind,
                    RoleValue {
                        line: r.no,
                        value: v,
                        qualifiers: q.clone(),
                    },
                )?;
            }
        }
        let has_roles = task.lead.is_some() || task.coordinating.is_some() || task.time.is_some();
        if number.is_empty() {
            match out.last_mut() {
                Some(prev) if !has_roles && !content.is_empty() => {
                    prev.content = format!("{}\n{}", prev.content, content);
                }
                _ if !has_roles && content.is_empty() => {}
                _ => return Err(err(r.no, "a number in the STT column")),
            }
            continue;
        }
        if let Some(g) = roman(&number) {
            group = Some(g);
            let n = TaskNumber::parse(&g.to_string()).map_err(|_| err(r.no, "a group number"))?;
            sections.push(Section {
                number: n,
                title: short_title(&content),
            });
            continue;
        }
        let parts: Vec<String> = if number.len() == 1
            && number.bytes().all(|b| b.is_ascii_lowercase())
        {
            let Some(parent) = out.iter().rev().find(|p| {
                p.number
                    .last()
                    .is_some_and(|x| x.bytes().all(|b| b.is_ascii_digit()))
            }) else {
                return Err(err(r.no, "a numbered row before the lettered one"));
            };
            let mut p = parent.number.clone();
            p.push(number.clone());
            p
        } else {
            let own: Vec<String> = number.split('.').map(str::to_owned).collect();
            if !own
                .iter()
                .all(|p| !p.is_empty() && p.len() <= 2 && p.bytes().all(|b| b.is_ascii_digit()))
            {
                return Err(err(
                    r.no,
                    format!(
                        "a task number (1, 1.2, a or a Roman group) in the STT column, not “{number}”"
                    ),
                ));
            }
            match group {
                Some(g) if own.len() == 1 => {
                    let mut p = vec![g.to_string()];
                    p.extend(own);
                    p
                }
                _ => own,
            }
        };
        out.push(Row {
            number: parts,
            line: r.no,
            content,
            task,
        });
    }
    let numbers: Vec<Vec<String>> = out.iter().map(|r| r.number.clone()).collect();
    let mut tasks = Vec::new();
    let mut inherited: Vec<(Vec<String>, RawTask)> = Vec::new();
    for row in out {
        let joined = row.number.join(".");
        if numbers
            .iter()
            .any(|m| m.len() > row.number.len() && m.starts_with(&row.number))
        {
            let n = TaskNumber::parse(&joined).map_err(|_| err(row.line, "a task number"))?;
            sections.push(Section {
                number: n,
                title: short_title(&row.content),
            });
            inherited.push((row.number, row.task));
            continue;
        }
        let mut t = row.task;
        for (_, above) in inherited
            .iter()
            .filter(|(n, _)| row.number.starts_with(n))
            .rev()
        {
            t.lead = t.lead.or(above.lead.clone());
            t.coordinating = t.coordinating.or(above.coordinating.clone());
            t.time = t.time.or(above.time.clone());
        }
        t.number = joined;
        t.title = short_title(&row.content);
        t.text = row.content;
        tasks.push(t);
    }
    Ok((tasks, sections))
}
