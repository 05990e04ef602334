//! The text parser: reads a plan's header, its Roman-numbered parts, the numbered task
//! items with their role lines, any task tables, and the reporting rules.
//!
//! Lines are first gathered into logical lines: a line that starts in lower case
//! continues the one before, even across a blank line or a page marker (`---`, a
//! bare page number) when that one did not end a sentence (a sentence split by a
//! page break). Bullets (`-`, `+`, `- +`, `•`) and
//! markdown emphasis are taken off before a line is read.

use std::ops::Range;

use super::agency::Registry;
use super::calendar::read_rules;
use super::fold::{fold, folded_words, roman, short_title, squeeze, strip_emphasis};
use super::names::Resolver;
use super::{Part, Plan, PlanParseError, Qualifier, RawTask, RoleKind, RoleValue, Section, table};
use crate::date::Date;
use crate::ids::{PlanCode, TaskNumber};

/// A logical line: one or more source lines read as one.
#[derive(Debug, Clone)]
pub(crate) struct Line {
    /// 1-based number of its first source line.
    pub no: usize,
    pub text: String,
    /// Whether a blank line came before it.
    pub after_blank: bool,
}

fn err(line: usize, expected: impl Into<String>) -> PlanParseError {
    PlanParseError {
        line,
        expected: expected.into(),
    }
}

/// Whether a source line only marks a page: a form feed, a rule (`---`), an HTML
/// comment or a bare page number. Such lines count as blank.
fn page_marker(t: &str) -> bool {
    (t.len() >= 3 && t.chars().all(|c| c == '-' || c == '*' || c == '_'))
        || (t.starts_with("<!--") && t.ends_with("-->"))
        || (t.len() <= 3 && t.bytes().all(|b| b.is_ascii_digit()))
}

/// Whether a source line starts a block of its own rather than continuing one.
fn starts_block(t: &str) -> bool {
    t.starts_with(['|', '-', '+', '•', '#', '*'])
        || numbered(t).is_some()
        || roman_heading(t).is_some()
        || lettered(t).is_some()
}

pub(crate) fn logical_lines(text: &str) -> Vec<Line> {
    let mut out: Vec<Line> = Vec::new();
    let mut blank = true;
    for (i, raw) in text.split('\n').enumerate() {
        let t = raw.replace(['\u{a0}', '\t'], " ");
        let t = t.trim_matches([' ', '\r', '\u{c}', '\u{feff}']);
        if t.is_empty() || page_marker(t) {
            blank = true;
            continue;
        }
        let continues = t.chars().next().is_some_and(char::is_lowercase)
            && !starts_block(t)
            && out.last().is_some_and(|prev: &Line| {
                !prev.text.starts_with('|')
                    && (!blank || !prev.text.ends_with(['.', ':', ';', '!', '?']))
            });
        match out.last_mut() {
            Some(prev) if continues => {
                prev.text.push(' ');
                prev.text.push_str(t);
            }
            _ => out.push(Line {
                no: i + 1,
                text: t.to_owned(),
                after_blank: blank,
            }),
        }
        blank = false;
    }
    out
}

/// "1.", "1.1.", "7.2" or "2)" followed by text: the number's parts and the text.
pub(crate) fn numbered(t: &str) -> Option<(Vec<String>, String)> {
    let t = strip_emphasis(t);
    let t = t.trim_start_matches('#').trim_start();
    let end = t.find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ')'))?;
    let (head, rest) = t.split_at(end);
    if !rest.starts_with(' ') || rest.trim().is_empty() {
        return None;
    }
    let head = head.strip_suffix(')').unwrap_or(head).trim_end_matches('.');
    let parts: Vec<String> = head.split('.').map(str::to_owned).collect();
    let ok = parts
        .iter()
        .all(|p| (1..=2).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()));
    (ok && !parts.is_empty()).then(|| (parts, squeeze(rest)))
}

/// "II. NỘI DUNG": the numeral and the title.
fn roman_heading(t: &str) -> Option<(String, String)> {
    let t = strip_emphasis(t);
    let t = t.trim_start_matches('#').trim_start();
    let (numeral, rest) = t.split_once(['.', ')'])?;
    roman(numeral)?;
    if !rest.starts_with(' ') || rest.trim().is_empty() {
        return None;
    }
    Some((numeral.to_owned(), squeeze(rest)))
}

/// "a) …" or "a. …": a lettered sub-item.
fn lettered(t: &str) -> Option<(char, String)> {
    let mut chars = t.chars();
    let letter = chars.next().filter(|c| c.is_ascii_lowercase())?;
    let rest = chars.as_str();
    let rest = rest.strip_prefix(')').or_else(|| rest.strip_prefix('.'))?;
    rest.starts_with(' ').then(|| (letter, squeeze(rest)))
}

/// Takes bullet markers off the front of a line: `-`, `+`, `- +`, `•`, `* `.
pub(crate) fn strip_bullets(t: &str) -> (bool, &str) {
    let mut s = t.trim_start();
    let mut any = false;
    loop {
        let next = ["- ", "+ ", "• ", "* ", "– "]
            .iter()
            .find_map(|p| s.strip_prefix(p));
        match next {
            Some(rest) => {
                s = rest.trim_start();
                any = true;
            }
            None => break,
        }
    }
    (any, s)
}

/// Reads a role label ("Cơ quan chủ trì (theo chức năng …)"), or says it is not one.
pub(crate) fn classify_label(label: &str) -> Option<(RoleKind, Vec<Qualifier>)> {
    let f = fold(label);
    let f = f.trim();
    let starts = [
        "co quan",
        "don vi",
        "chu tri",
        "phoi hop",
        "thoi gian",
        "thoi han",
        "tien do",
    ];
    if !starts.iter().any(|s| f.starts_with(s)) {
        return None;
    }
    let mut q = Vec::new();
    if f.contains("chuc nang") {
        q.push(Qualifier::ByFunction);
    }
    if f.contains("theo doi") || f.contains("tong hop") {
        q.push(Qualifier::MonitorGuideConsolidate);
    }
    if f.contains("cung cap thong tin") {
        q.push(Qualifier::ProvidesInformation);
    }
    if f.starts_with("thoi gian") || f.starts_with("thoi han") || f.starts_with("tien do") {
        return Some((RoleKind::Time, Vec::new()));
    }
    if f.contains("thuc hien") {
        q.push(Qualifier::Implements);
    }
    if f.contains("phoi hop") {
        return Some((RoleKind::Coordinating, q));
    }
    if f.contains("chu tri") || f.contains("thuc hien") {
        return Some((RoleKind::Lead, q));
    }
    None
}

const ROLE_EXPECTED: &str = "a role label: “Cơ quan chủ trì”, “Cơ quan phối hợp”, “Cơ quan thực hiện” or “Thời gian thực hiện”";

/// A role line ("- + *Cơ quan chủ trì*: Sở …"): its kind, qualifiers and value.
fn role_line(t: &str) -> Result<Option<(RoleKind, Vec<Qualifier>, String)>, String> {
    let plain = strip_emphasis(t);
    let (_, s) = strip_bullets(&plain);
    let Some((label, value)) = s.split_once(':') else {
        return Ok(None);
    };
    if label.chars().count() > 120 {
        return Ok(None);
    }
    match classify_label(label) {
        Some((kind, q)) => Ok(Some((kind, q, squeeze(value)))),
        None => {
            let f = fold(label);
            let looks_like_role =
                (f.starts_with("co quan") || f.starts_with("don vi")) && label.chars().count() < 60;
            if looks_like_role {
                Err(ROLE_EXPECTED.to_owned())
            } else {
                Ok(None)
            }
        }
    }
}

/// A block under a numbered item: its opening text (intro) or one bullet.
#[derive(Debug, Default)]
struct Block {
    letter: Option<char>,
    line: usize,
    text: Vec<String>,
    roles: RawTask,
    has_roles: bool,
}

#[derive(Debug)]
struct Item {
    number: Vec<String>,
    line: usize,
    heading: String,
    intro: Block,
    blocks: Vec<Block>,
}

impl Item {
    fn current(&mut self) -> &mut Block {
        match self.blocks.last_mut() {
            Some(b) => b,
            None => &mut self.intro,
        }
    }

    /// Bullets are sub-tasks when they are lettered, or when a bullet other than the
    /// last has role lines of its own.
    fn has_subtasks(&self) -> bool {
        let n = self.blocks.len();
        self.blocks.iter().any(|b| b.letter.is_some())
            || self
                .blocks
                .iter()
                .take(n.saturating_sub(1))
                .any(|b| b.has_roles)
    }
}

/// Reads the tasks of the content part.
fn read_items(lines: &[Line]) -> Result<(Vec<RawTask>, Vec<Section>), PlanParseError> {
    let mut items: Vec<Item> = Vec::new();
    for l in lines {
        if l.text.starts_with('|') {
            continue;
        }
        if let Some((number, heading)) = numbered(&l.text) {
            items.push(Item {
                number,
                line: l.no,
                heading: strip_emphasis(&heading).trim().to_owned(),
                intro: Block {
                    line: l.no,
                    ..Block::default()
                },
                blocks: Vec::new(),
            });
            continue;
        }
        let role = role_line(&l.text).map_err(|e| err(l.no, e))?;
        let Some(item) = items.last_mut() else {
            if role.is_some() {
                return Err(err(
                    l.no,
                    "a numbered task (“1.1. …”) before its role lines",
                ));
            }
            continue;
        };
        if let Some((kind, qualifiers, value)) = role {
            if value.is_empty() {
                continue;
            }
            let block = item.current();
            block.has_roles = true;
            block.roles.set(
                kind,
                RoleValue {
                    line: l.no,
                    value,
                    qualifiers,
                },
            )?;
            continue;
        }
        let plain = strip_emphasis(&l.text);
        let (bullet, body) = strip_bullets(&plain);
        let letter = if bullet { None } else { lettered(body) };
        if bullet || letter.is_some() {
            let text = letter
                .as_ref()
                .map_or_else(|| squeeze(body), |(_, t)| t.clone());
            item.blocks.push(Block {
                letter: letter.map(|(c, _)| c),
                line: l.no,
                text: vec![text],
                ..Block::default()
            });
        } else {
            item.current().text.push(squeeze(body));
        }
    }

    let numbers: Vec<Vec<String>> = items.iter().map(|i| i.number.clone()).collect();
    let is_heading = |n: &Vec<String>| {
        numbers
            .iter()
            .any(|m| m.len() > n.len() && m.starts_with(n))
    };
    let mut sections = Vec::new();
    let mut tasks = Vec::new();
    // Role lines of headings and of an item's opening text, inherited by what is below.
    let mut inherited: Vec<(Vec<String>, RawTask)> = Vec::new();
    for item in items {
        let joined = item.number.join(".");
        let section_number = || {
            TaskNumber::parse(&joined)
                .map_err(|_| err(item.line, "a task number such as 1.1 or 7.2"))
        };
        let defaults = |number: &[String]| {
            let mut d = RawTask::default();
            for (_, roles) in inherited.iter().filter(|(n, _)| number.starts_with(n)) {
                d.lead = roles.lead.clone().or(d.lead);
                d.coordinating = roles.coordinating.clone().or(d.coordinating);
                d.time = roles.time.clone().or(d.time);
            }
            d
        };
        if is_heading(&item.number) {
            sections.push(Section {
                number: section_number()?,
                title: short_title(&item.heading),
            });
            if item.intro.has_roles {
                inherited.push((item.number.clone(), item.intro.roles));
            }
            continue;
        }
        if item.has_subtasks() {
            sections.push(Section {
                number: section_number()?,
                title: short_title(&item.heading),
            });
            let base = defaults(&item.number);
            let intro = item.intro.roles;
            for (k, block) in item.blocks.into_iter().enumerate() {
                let letter = block.letter.unwrap_or((b'a' + (k as u8).min(25)) as char);
                let text = block.text.join("\n");
                let mut t = RawTask {
                    number: format!("{joined}.{letter}"),
                    line: block.line,
                    title: short_title(&text),
                    text,
                    ..block.roles
                };
                t.lead = t.lead.or(intro.lead.clone()).or(base.lead.clone());
                t.coordinating = t
                    .coordinating
                    .or(intro.coordinating.clone())
                    .or(base.coordinating.clone());
                t.time = t.time.or(intro.time.clone()).or(base.time.clone());
                tasks.push(t);
            }
            continue;
        }
        let base = defaults(&item.number);
        let mut t = RawTask {
            number: joined.clone(),
            line: item.line,
            ..RawTask::default()
        };
        let mut body: Vec<String> = item.intro.text.clone();
        let mut roles = vec![item.intro.roles];
        for b in item.blocks {
            body.extend(b.text.iter().map(|x| format!("- {x}")));
            roles.push(b.roles);
        }
        if body.is_empty() {
            t.title = short_title(&item.heading);
            t.text = item.heading.clone();
        } else {
            t.title = short_title(&item.heading);
            t.text = body.join("\n");
        }
        for r in roles {
            for (kind, v) in [
                (RoleKind::Lead, r.lead),
                (RoleKind::Coordinating, r.coordinating),
                (RoleKind::Time, r.time),
            ] {
                if let Some(v) = v {
                    t.set(kind, v)?;
                }
            }
        }
        t.lead = t.lead.or(base.lead);
        t.coordinating = t.coordinating.or(base.coordinating);
        t.time = t.time.or(base.time);
        tasks.push(t);
    }
    Ok((tasks, sections))
}

/// The header: issuer, code, place and date, title, legal bases.
struct Header {
    /// From the issuer line above the title ("ỦY BAN NHÂN DÂN TỈNH QUẢNG TRỊ"): the
    /// level ("tỉnh", "thành phố") and the name ("Quảng Trị").
    issuer: Option<(String, String)>,
    code: PlanCode,
    date: Date,
    place: String,
    title: String,
    legal_bases: Vec<String>,
}

/// "QUẢNG TRỊ" as "Quảng Trị".
fn title_case(s: &str) -> String {
    s.split_whitespace()
        .map(|word| {
            let mut chars = word.chars();
            match chars.next() {
                Some(first) => first
                    .to_uppercase()
                    .chain(chars.flat_map(char::to_lowercase))
                    .collect(),
                None => String::new(),
            }
        })
        .collect::<Vec<String>>()
        .join(" ")
}

/// The issuing committee of a header line ("UBND TỈNH LÀO CAI", "Ủy ban nhân dân
/// tỉnh Thừa Thiên Huế", or "TỈNH QUẢNG TRỊ" after a line "ỦY BAN NHÂN DÂN"): its
/// level and name. `after_committee` says the line before was "ỦY BAN NHÂN DÂN".
fn read_issuer(line: &str, after_committee: bool) -> Option<(String, String)> {
    let plain = strip_emphasis(line);
    if plain.trim_end().ends_with(':') {
        return None;
    }
    let mut words: Vec<&str> = plain
        .split_whitespace()
        .filter(|w| !w.chars().all(|c| c == '|'))
        .collect();
    let mut folded: Vec<String> = words.iter().map(|w| fold(w)).collect();
    // A header laid out in two columns keeps the motto on the same line.
    if let Some(at) = folded.windows(2).position(|p| p == ["cong", "hoa"]) {
        words.truncate(at);
        folded.truncate(at);
    }
    let skip = if after_committee {
        0
    } else if folded.first().map(String::as_str) == Some("ubnd") {
        1
    } else if folded.len() > 4 && folded[..4] == ["uy", "ban", "nhan", "dan"] {
        4
    } else {
        return None;
    };
    let (level, rest) = match folded.get(skip).map(String::as_str) {
        Some("tinh") => ("tỉnh", skip + 1),
        Some("thanh") if folded.get(skip + 1).map(String::as_str) == Some("pho") => {
            ("thành phố", skip + 2)
        }
        Some("tp") => ("thành phố", skip + 1),
        _ => return None,
    };
    let name = &words[rest..];
    let capitalised = name.iter().all(|w| {
        w.chars()
            .next()
            .is_some_and(|c| c.is_uppercase() || c == '-')
    });
    if name.is_empty() || name.len() > 4 || !capitalised {
        return None;
    }
    Some((level.to_owned(), title_case(&name.join(" "))))
}

fn read_header(lines: &[Line]) -> Result<Header, PlanParseError> {
    let first = lines.first().map_or(1, |l| l.no);
    let mut issuer = None;
    let mut code = None;
    let mut date = None;
    let mut title: Option<String> = None;
    let mut legal_bases = Vec::new();
    let mut k = 0;
    while k < lines.len() {
        let l = &lines[k];
        let plain = strip_emphasis(&l.text);
        let f = fold(&plain);
        if issuer.is_none() && title.is_none() {
            let after_committee = k > 0
                && folded_words(&strip_emphasis(&lines[k - 1].text))
                    == ["uy", "ban", "nhan", "dan"];
            issuer = read_issuer(&plain, after_committee);
        }
        if code.is_none() && (f.starts_with("so:") || f.starts_with("so ")) && plain.contains('/') {
            let rest = plain
                .split_once([':', ' '])
                .map_or("", |(_, r)| r)
                .trim_start_matches([':', ' ']);
            let token = rest
                .split_whitespace()
                .next()
                .unwrap_or("")
                .trim_end_matches(['.', ',', ';']);
            code = Some(
                PlanCode::parse(token)
                    .map_err(|_| err(l.no, "a plan code such as “215/KH-UBND”"))?,
            );
        } else if date.is_none()
            && f.contains(", ngay ")
            && f.contains(" thang ")
            && f.contains(" nam ")
        {
            date = Some(read_place_date(&plain).ok_or_else(|| {
                err(
                    l.no,
                    "the place and date, as “Kon Tum, ngày 28 tháng 01 năm 2019”",
                )
            })?);
        } else if title.is_none() && f == "ke hoach" {
            let mut parts = Vec::new();
            let mut j = k + 1;
            while j < lines.len() && (parts.is_empty() || !lines[j].after_blank) {
                let next = fold(&lines[j].text);
                if next.starts_with("can cu") || next.starts_with("thuc hien") {
                    break;
                }
                parts.push(squeeze(&strip_emphasis(&lines[j].text)));
                j += 1;
            }
            if parts.is_empty() {
                return Err(err(l.no, "the plan's title after “KẾ HOẠCH”"));
            }
            title = Some(parts.join(" "));
            k = j;
            continue;
        } else if f.starts_with("can cu") {
            legal_bases.push(squeeze(plain.trim_end_matches([';', '.'])));
        }
        k += 1;
    }
    let code = code.ok_or_else(|| err(first, "the plan's number line, “Số: 215/KH-UBND”"))?;
    let (place, date) = date.ok_or_else(|| {
        err(
            first,
            "the place and date line, “Kon Tum, ngày 28 tháng 01 năm 2019”",
        )
    })?;
    let title =
        title.ok_or_else(|| err(first, "the heading “KẾ HOẠCH” followed by the plan's title"))?;
    Ok(Header {
        issuer,
        code,
        date,
        place,
        title,
        legal_bases,
    })
}

/// "Kon Tum, ngày 28 tháng 01 năm 2019".
fn read_place_date(t: &str) -> Option<(String, Date)> {
    let (place, rest) = t.split_once(',')?;
    let f = fold(rest);
    let tokens: Vec<&str> = f
        .split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty())
        .collect();
    let at = |word: &str| {
        tokens
            .iter()
            .position(|t| *t == word)
            .and_then(|i| tokens.get(i + 1))
    };
    let day = at("ngay")?.parse().ok()?;
    let month = at("thang")?.parse().ok()?;
    // Four digits, as the date is stored (`yyyy-mm-dd`) and read back.
    let year = at("nam").filter(|y| y.len() == 4)?.parse().ok()?;
    Some((place.trim().to_owned(), Date::new(year, month, day).ok()?))
}

/// The province from the title ("… tỉnh Kon Tum năm 2019"), else the place.
fn province_of(title: &str, place: &str) -> String {
    let words: Vec<&str> = title.split_whitespace().collect();
    let folded: Vec<String> = words.iter().map(|w| fold(w)).collect();
    let Some(i) = folded.iter().position(|w| w == "tinh") else {
        return place.to_owned();
    };
    let stop = |f: &str| {
        matches!(f, "nam" | "giai" | "den" | "trong" | "va" | "theo")
            || f.starts_with(|c: char| c.is_ascii_digit())
    };
    let name: Vec<&str> = words[i + 1..]
        .iter()
        .zip(&folded[i + 1..])
        .take_while(|(_, f)| !stop(f))
        .map(|(w, _)| *w)
        .collect();
    if name.is_empty() {
        place.to_owned()
    } else {
        name.join(" ").trim_end_matches([',', '.', ';']).to_owned()
    }
}

/// The year the plan is for: the first year its title names ("năm 2020 và định
/// hướng đến năm 2025" is for 2020), else its date's.
fn year_of(title: &str, date: Date) -> i32 {
    title
        .split(|c: char| !c.is_ascii_digit())
        .filter(|t| t.len() == 4)
        .filter_map(|t| t.parse::<i32>().ok())
        .find(|y| (1990..=2100).contains(y))
        .unwrap_or(date.year())
}

/// Parses a plan, with the registry among `registries` that is for its province (see
/// [`Registry::is_for`]), or an empty one for that province.
pub(crate) fn parse(text: &str, registries: &[&Registry]) -> Result<Plan, PlanParseError> {
    let lines = logical_lines(text);
    if lines.is_empty() {
        return Err(err(1, "a plan document, not an empty text"));
    }
    // The signature block ends the body; an appendix ("PHỤ LỤC") may follow it.
    let end = lines
        .iter()
        .position(|l| fold(&strip_emphasis(&l.text)).starts_with("noi nhan"))
        .unwrap_or(lines.len());
    let body = &lines[..end];
    let first_part = body
        .iter()
        .position(|l| roman_heading(&l.text).is_some())
        .unwrap_or(body.len());
    let header = read_header(&body[..first_part])?;
    let province = match &header.issuer {
        Some((_, name)) => name.clone(),
        None => province_of(&header.title, &header.place),
    };
    let fallback;
    let registry: &Registry = match registries.iter().find(|r| r.is_for(&province)) {
        Some(r) => r,
        None => {
            fallback = Registry::empty(&province);
            &fallback
        }
    };
    let mut names = Resolver::new(registry);

    // The Roman-numbered parts, each running to the next one.
    let heads: Vec<(usize, Part)> = body
        .iter()
        .enumerate()
        .skip(first_part)
        .filter_map(|(i, l)| {
            roman_heading(&l.text).map(|(numeral, title)| (i, Part { numeral, title }))
        })
        .collect();
    let ranges: Vec<Range<usize>> = heads
        .iter()
        .enumerate()
        .map(|(k, (i, _))| i + 1..heads.get(k + 1).map_or(body.len(), |(j, _)| *j))
        .collect();
    let parts: Vec<Part> = heads.into_iter().map(|(_, p)| p).collect();
    let content = parts.iter().position(|p| {
        let f = fold(&p.title);
        (f.contains("noi dung") || f.contains("nhiem vu")) && !f.contains("to chuc")
    });

    let (mut tasks, mut sections) = match content {
        Some(c) => read_items(&body[ranges[c].clone()])?,
        None => (Vec::new(), Vec::new()),
    };
    let (table_tasks, table_sections) = table::read_tables(&lines)?;
    if !table_tasks.is_empty() {
        // With a task table, numbered text items without role lines are prose.
        tasks.retain(|t| t.lead.is_some() || t.coordinating.is_some() || t.time.is_some());
        tasks.extend(table_tasks);
        sections.extend(table_sections);
    }
    if tasks.is_empty() {
        let line = content.map_or(lines[0].no, |c| body[ranges[c].start - 1].no);
        return Err(err(
            line,
            "tasks: numbered items with “Cơ quan chủ trì” lines under “II. NỘI DUNG”, or a task table",
        ));
    }
    let mut seen: Vec<&str> = Vec::new();
    for t in &tasks {
        if seen.contains(&t.number.as_str()) {
            return Err(err(
                t.line,
                format!("a task number not used before, not “{}” again", t.number),
            ));
        }
        seen.push(&t.number);
    }
    let tasks = tasks
        .into_iter()
        .map(|t| t.finish(&mut names))
        .collect::<Result<Vec<_>, _>>()?;

    // The reporting rules are read from every part but the tasks'.
    let paragraphs: Vec<(usize, String)> = ranges
        .iter()
        .enumerate()
        .filter(|(k, _)| Some(*k) != content)
        .flat_map(|(_, r)| {
            body[r.clone()]
                .iter()
                .map(|l| (l.no, strip_emphasis(&l.text)))
        })
        .collect();
    let reporting_rules = read_rules(&paragraphs, &mut names)?;
    let year = year_of(&header.title, header.date);
    let reporting = reporting_rules.iter().map(|r| r.for_year(year)).collect();
    let found = names.finish();
    let issuer = if let Some((level, name)) = &header.issuer {
        format!("Ủy ban nhân dân {level} {name}")
    } else if header.code.as_str().to_ascii_uppercase().contains("UBND") {
        format!("Ủy ban nhân dân tỉnh {province}")
    } else {
        header
            .code
            .as_str()
            .rsplit(['/', '-'])
            .next()
            .unwrap_or("")
            .to_owned()
    };
    Ok(Plan {
        code: header.code,
        date: header.date,
        title: header.title,
        issuer,
        province,
        year,
        legal_bases: header.legal_bases,
        parts,
        sections,
        tasks,
        reporting_rules,
        reporting,
        new_agencies: found.new_agencies,
        unmapped_groups: found.unmapped_groups,
        warnings: found.warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_role_label_variant() {
        use Qualifier::{ByFunction, Implements, MonitorGuideConsolidate, ProvidesInformation};
        let cases: [(&str, RoleKind, &[Qualifier]); 10] = [
            ("- *Cơ quan chủ trì:* Sở Ngoại vụ.", RoleKind::Lead, &[]),
            (
                "- *Cơ quan chủ trì* (theo chức năng nhiệm vụ của từng cơ quan, đơn vị): Sở Ngoại vụ",
                RoleKind::Lead,
                &[ByFunction],
            ),
            (
                "- *Cơ quan chủ trì theo dõi, hướng dẫn, tổng hợp*: Sở Ngoại vụ",
                RoleKind::Lead,
                &[MonitorGuideConsolidate],
            ),
            (
                "+ *Cơ quan thực hiện*: Sở Ngoại vụ",
                RoleKind::Lead,
                &[Implements],
            ),
            (
                "- *Cơ quan phối hợp cung cấp thông tin:* Sở Ngoại vụ",
                RoleKind::Coordinating,
                &[ProvidesInformation],
            ),
            (
                "- *Cơ quan, đơn vị phối hợp*: Sở Ngoại vụ",
                RoleKind::Coordinating,
                &[],
            ),
            (
                "+ *Cơ quan, địa phương phối hợp*: Sở Ngoại vụ",
                RoleKind::Coordinating,
                &[],
            ),
            (
                "- + *Cơ quan phối hợp, thực hiện*: Sở Ngoại vụ",
                RoleKind::Coordinating,
                &[Implements],
            ),
            (
                "• **Thời hạn hoàn thành:** Quý II/2019",
                RoleKind::Time,
                &[],
            ),
            ("Thời gian thực hiện: Quý II/2019", RoleKind::Time, &[]),
        ];
        for (line, kind, qualifiers) in cases {
            let (k, q, value) = role_line(line).unwrap().unwrap();
            assert_eq!((k, q.as_slice()), (kind, qualifiers), "{line}");
            assert!(!value.starts_with([' ', '*', ':']), "{line}: {value}");
        }
        assert_eq!(role_line("- Tổ chức hội thảo: chủ đề biển, đảo"), Ok(None));
        assert!(role_line("- *Cơ quan ban hành*: Sở Ngoại vụ").is_err());
    }

    #[test]
    fn reads_numbers_headings_and_bullets() {
        assert_eq!(
            numbered("1.1. Hướng dẫn"),
            Some((vec!["1".into(), "1".into()], "Hướng dẫn".into()))
        );
        assert_eq!(
            numbered("### 2. Tập huấn"),
            Some((vec!["2".into()], "Tập huấn".into()))
        );
        assert_eq!(
            numbered("3) Cung cấp"),
            Some((vec!["3".into()], "Cung cấp".into()))
        );
        assert_eq!(numbered("2019 và các năm"), None);
        assert_eq!(numbered("28/2/2013 của"), None);
        assert_eq!(
            roman_heading("**IV. TỔ CHỨC THỰC HIỆN**"),
            Some(("IV".into(), "TỔ CHỨC THỰC HIỆN".into()))
        );
        assert_eq!(roman_heading("Ia H'Drai. X"), None);
        assert_eq!(lettered("b) Tổ chức"), Some(('b', "Tổ chức".into())));
        assert_eq!(strip_bullets("- + *Cơ quan*"), (true, "*Cơ quan*"));
        assert_eq!(strip_bullets("*Cơ quan*"), (false, "*Cơ quan*"));
    }

    #[test]
    fn reads_the_issuing_committee() {
        let tinh = |name: &str| Some(("tỉnh".to_owned(), name.to_owned()));
        assert_eq!(
            read_issuer("ỦY BAN NHÂN DÂN TỈNH GIA LAI", false),
            tinh("Gia Lai")
        );
        assert_eq!(read_issuer("**UBND TỈNH KON TUM**", false), tinh("Kon Tum"));
        assert_eq!(
            read_issuer("Ủy ban nhân dân tỉnh Đắk Lắk", false),
            tinh("Đắk Lắk")
        );
        assert_eq!(read_issuer("TỈNH QUẢNG TRỊ", true), tinh("Quảng Trị"));
        assert_eq!(read_issuer("TỈNH QUẢNG TRỊ", false), None);
        assert_eq!(
            read_issuer(
                "| UBND TỈNH THỪA THIÊN HUẾ | CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM |",
                false
            ),
            tinh("Thừa Thiên Huế")
        );
        assert_eq!(
            read_issuer("ỦY BAN NHÂN DÂN THÀNH PHỐ HUẾ", false),
            Some(("thành phố".to_owned(), "Huế".to_owned()))
        );
        assert_eq!(
            read_issuer("Ủy ban nhân dân tỉnh xây dựng Kế hoạch như sau:", false),
            None
        );
        assert_eq!(read_issuer("ỦY BAN NHÂN DÂN", false), None);
    }

    #[test]
    fn joins_lines_split_by_wrapping_or_page_breaks() {
        let lines = logical_lines(
            "1.1. Một câu bị\nngắt dòng.\n\n2. Câu cắt bởi trang\n\n12\n\nvẫn tiếp tục.\n\n3. Câu đã hết.\n\nmới.",
        );
        let texts: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "1.1. Một câu bị ngắt dòng.",
                "2. Câu cắt bởi trang vẫn tiếp tục.",
                "3. Câu đã hết.",
                "mới."
            ]
        );
        assert_eq!(lines[1].no, 4);
    }
}
