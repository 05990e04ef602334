//! Word plans: a `.docx` turned into the text form the plan parser reads.
//!
//! The document's paragraphs come out in order, one per line with a blank line
//! between them (a line break inside a paragraph starts a new line). Word's automatic
//! numbering is rendered as the numbers a person sees in Word ("I.", "1.", "1.1.",
//! "a)", "-" for a bullet), from `numbering.xml` and the paragraph styles that carry
//! numbering: counters are kept per list definition, a level restarts when a higher
//! level advances (or as `w:lvlRestart` says), and a list instance with
//! `w:startOverride` starts again. Emphasis is left out: the parser reads labels
//! ("Cơ quan chủ trì: …") with or without it.
//!
//! A table whose first row has three or more filled cells is a data table, written as
//! the parser's pipe table (cells' paragraphs joined by `<br>`, merged cells spread
//! over the grid, a two-row header folded into one); any other table (the header
//! block with the issuer and the date, a signature block) is layout, and its cells'
//! paragraphs are read as paragraphs.
//!
//! Only the parts needed are read (`word/document.xml`, `word/numbering.xml`,
//! `word/styles.xml`), each with a size limit, through `zip` and `quick-xml`: bad
//! input is an error, never a panic.

use std::collections::{HashMap, HashSet};
use std::io::{Cursor, Read};

use quick_xml::XmlVersion;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::reader::NsReader;

/// The largest part read, uncompressed: far above any plan, far below trouble.
const PART_LIMIT: u64 = 64 * 1024 * 1024;
/// The deepest element nesting accepted (real documents stay below 30).
const MAX_DEPTH: usize = 256;
/// How many numbering levels Word has.
const LEVELS: usize = 9;

const W_NS: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
const W_STRICT_NS: &str = "http://purl.oclc.org/ooxml/wordprocessingml/main";
const MC_NS: &str = "http://schemas.openxmlformats.org/markup-compatibility/2006";

/// Why a Word file could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DocxError {
    /// Not a zip archive that can be opened.
    #[error("not a readable zip archive: {0}")]
    Zip(String),
    /// A zip archive without `word/document.xml`: not a Word document.
    #[error("a zip archive without word/document.xml")]
    NotWord,
    #[error("{part}: {message}")]
    Part { part: &'static str, message: String },
}

/// A Word document as plan text, with where each line came from.
#[derive(Debug, Clone)]
pub struct DocxText {
    pub text: String,
    /// For line `n` (1-based), `origins[n - 1]`.
    origins: Vec<String>,
}

impl DocxText {
    /// Where line `line` of the text came from: the paragraph or the table row, by
    /// its opening words.
    pub fn place(&self, line: usize) -> String {
        match line.checked_sub(1).and_then(|i| self.origins.get(i)) {
            Some(origin) if !origin.is_empty() => origin.clone(),
            _ => format!("line {line} of the text read from the document"),
        }
    }
}

/// Reads a `.docx` into plan text.
pub fn read(bytes: &[u8]) -> Result<DocxText, DocxError> {
    let mut archive =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| DocxError::Zip(e.to_string()))?;
    let document = read_part(&mut archive, "word/document.xml")?.ok_or(DocxError::NotWord)?;
    let numbering = read_part(&mut archive, "word/numbering.xml")?;
    let styles = read_part(&mut archive, "word/styles.xml")?;
    render(&document, numbering.as_deref(), styles.as_deref())
}

fn read_part(
    archive: &mut zip::ZipArchive<Cursor<&[u8]>>,
    part: &'static str,
) -> Result<Option<String>, DocxError> {
    let bad = |message: String| DocxError::Part { part, message };
    let file = match archive.by_name(part) {
        Ok(file) => file,
        Err(zip::result::ZipError::FileNotFound) => return Ok(None),
        Err(e) => return Err(bad(e.to_string())),
    };
    let mut bytes = Vec::new();
    file.take(PART_LIMIT + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| bad(e.to_string()))?;
    if bytes.len() as u64 > PART_LIMIT {
        return Err(bad(format!("larger than {} MB", PART_LIMIT >> 20)));
    }
    let text = String::from_utf8(bytes).map_err(|_| bad("not UTF-8 XML".into()))?;
    Ok(Some(text))
}

/// Renders the document part, given the numbering and styles parts when present.
pub(crate) fn render(
    document: &str,
    numbering: Option<&str>,
    styles: Option<&str>,
) -> Result<DocxText, DocxError> {
    let bad = |part: &'static str| move |message: String| DocxError::Part { part, message };
    let document = parse_xml(document).map_err(bad("word/document.xml"))?;
    let styles = match styles {
        Some(xml) => Styles::read(&parse_xml(xml).map_err(bad("word/styles.xml"))?),
        None => Styles::default(),
    };
    let lists = match numbering {
        Some(xml) => Lists::read(&parse_xml(xml).map_err(bad("word/numbering.xml"))?, &styles),
        None => Lists::default(),
    };
    let body = document
        .child("document")
        .and_then(|d| d.child("body"))
        .ok_or_else(|| DocxError::Part {
            part: "word/document.xml",
            message: "no document body".into(),
        })?;
    let mut writer = Writer {
        styles: &styles,
        lists,
        out: Output::default(),
        tables: 0,
    };
    writer.blocks(body);
    Ok(writer.out.finish())
}

// ---- A small XML tree ----

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ns {
    /// WordprocessingML.
    W,
    /// Markup compatibility (`mc:AlternateContent`).
    Mc,
    Other,
}

#[derive(Debug)]
struct El {
    ns: Ns,
    name: String,
    /// WordprocessingML (or unqualified) attributes by local name.
    attrs: Vec<(String, String)>,
    kids: Vec<Kid>,
}

#[derive(Debug)]
enum Kid {
    El(El),
    Text(String),
}

impl El {
    fn is(&self, name: &str) -> bool {
        self.ns == Ns::W && self.name == name
    }

    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn elements(&self) -> impl Iterator<Item = &El> {
        self.kids.iter().filter_map(|k| match k {
            Kid::El(e) => Some(e),
            Kid::Text(_) => None,
        })
    }

    fn child(&self, name: &str) -> Option<&El> {
        self.elements().find(|e| e.is(name))
    }

    fn children<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a El> {
        self.elements().filter(move |e| e.is(name))
    }

    /// The `w:val` of the child `name`.
    fn val(&self, name: &str) -> Option<&str> {
        self.child(name).and_then(|c| c.attr("val"))
    }

    /// Whether the on/off property `name` is set (`<w:b/>`, `<w:b w:val="1"/>`).
    fn flag(&self, name: &str) -> bool {
        self.child(name).is_some_and(|c| {
            c.attr("val")
                .is_none_or(|v| !matches!(v, "0" | "false" | "off"))
        })
    }
}

fn namespace(ns: &ResolveResult<'_>) -> Ns {
    match ns {
        ResolveResult::Bound(n) if n.as_ref() == W_NS || n.as_ref() == W_STRICT_NS => Ns::W,
        ResolveResult::Bound(n) if n.as_ref() == MC_NS => Ns::Mc,
        _ => Ns::Other,
    }
}

fn parse_xml(xml: &str) -> Result<El, String> {
    let mut reader = NsReader::from_str(xml);
    let mut stack = vec![El {
        ns: Ns::Other,
        name: String::new(),
        attrs: Vec::new(),
        kids: Vec::new(),
    }];
    let open = |reader: &NsReader<&[u8]>, ns: Ns, e: &BytesStart<'_>| -> Result<El, String> {
        let mut attrs = Vec::new();
        for a in e.attributes() {
            let a = a.map_err(|e| e.to_string())?;
            let (ans, local) = reader.resolver().resolve_attribute(a.key);
            let keep = match ans {
                ResolveResult::Unbound => true,
                ref bound => namespace(bound) == Ns::W,
            };
            if keep {
                let value = a
                    .normalized_value(XmlVersion::Implicit1_0)
                    .map_err(|e| e.to_string())?;
                attrs.push((AsRef::<str>::as_ref(&local).to_owned(), value.into_owned()));
            }
        }
        Ok(El {
            ns,
            name: AsRef::<str>::as_ref(&e.local_name()).to_owned(),
            attrs,
            kids: Vec::new(),
        })
    };
    let at = |reader: &NsReader<&[u8]>| format!("at byte {}", reader.buffer_position());
    loop {
        let (ns, event) = match reader.read_resolved_event() {
            Ok((ns, event)) => (namespace(&ns), event),
            Err(e) => return Err(format!("{e} {}", at(&reader))),
        };
        match event {
            Event::Start(e) => {
                let el = open(&reader, ns, &e)?;
                stack.push(el);
                if stack.len() > MAX_DEPTH {
                    return Err(format!("elements nested too deeply {}", at(&reader)));
                }
            }
            Event::Empty(e) => {
                let el = open(&reader, ns, &e)?;
                if let Some(parent) = stack.last_mut() {
                    parent.kids.push(Kid::El(el));
                }
            }
            Event::End(_) => {
                let el = stack.pop();
                match (el, stack.last_mut()) {
                    (Some(el), Some(parent)) => parent.kids.push(Kid::El(el)),
                    _ => return Err(format!("an unmatched end tag {}", at(&reader))),
                }
            }
            Event::Text(t) => {
                if let Some(el) = stack.last_mut().filter(|el| el.is("t")) {
                    el.kids.push(Kid::Text(
                        t.xml_content(XmlVersion::Implicit1_0).into_owned(),
                    ));
                }
            }
            Event::CData(t) => {
                if let Some(el) = stack.last_mut().filter(|el| el.is("t")) {
                    el.kids.push(Kid::Text(t.into_inner().into_owned()));
                }
            }
            Event::GeneralRef(r) => {
                let c = match r.resolve_char_ref().map_err(|e| e.to_string())? {
                    Some(c) => c,
                    None => match r.xml_content(XmlVersion::Implicit1_0).as_ref() {
                        "amp" => '&',
                        "lt" => '<',
                        "gt" => '>',
                        "quot" => '"',
                        "apos" => '\'',
                        other => {
                            return Err(format!("an unknown entity &{other}; {}", at(&reader)));
                        }
                    },
                };
                if let Some(el) = stack.last_mut().filter(|el| el.is("t")) {
                    el.kids.push(Kid::Text(c.to_string()));
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    match stack.pop() {
        Some(root) if stack.is_empty() => Ok(root),
        _ => Err("the document ends inside an element".into()),
    }
}

// ---- Styles ----

/// What numbering a paragraph style carries, and what it is based on.
#[derive(Debug, Default, Clone)]
struct Style {
    based_on: Option<String>,
    num_id: Option<String>,
    ilvl: Option<usize>,
}

#[derive(Debug, Default)]
struct Styles {
    by_id: HashMap<String, Style>,
    /// The paragraph style of a paragraph that names none.
    default_paragraph: Option<String>,
}

impl Styles {
    fn read(root: &El) -> Styles {
        let mut styles = Styles::default();
        let Some(list) = root.child("styles") else {
            return styles;
        };
        for s in list.children("style") {
            let Some(id) = s.attr("styleId") else {
                continue;
            };
            let num = s.child("pPr").and_then(|p| p.child("numPr"));
            let style = Style {
                based_on: s.val("basedOn").map(str::to_owned),
                num_id: num.and_then(|n| n.val("numId")).map(str::to_owned),
                ilvl: num.and_then(|n| n.val("ilvl")).and_then(|v| v.parse().ok()),
            };
            if s.attr("type").is_none_or(|t| t == "paragraph") && s.flag_attr("default") {
                styles.default_paragraph = Some(id.to_owned());
            }
            styles.by_id.insert(id.to_owned(), style);
        }
        styles
    }

    /// The numbering a style gives, through its `basedOn` chain: the list and, when
    /// the style says, the level.
    fn numbering(&self, style: &str) -> Option<(String, Option<usize>)> {
        let mut id = style;
        for _ in 0..16 {
            let s = self.by_id.get(id)?;
            if let Some(num) = &s.num_id {
                return Some((num.clone(), s.ilvl));
            }
            id = s.based_on.as_deref()?;
        }
        None
    }
}

impl El {
    /// Whether the attribute `name` is on (`w:default="1"`).
    fn flag_attr(&self, name: &str) -> bool {
        self.attr(name)
            .is_some_and(|v| matches!(v, "1" | "true" | "on"))
    }
}

// ---- Numbering ----

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Decimal,
    DecimalZero,
    LowerLetter,
    UpperLetter,
    LowerRoman,
    UpperRoman,
    Bullet,
    None,
}

impl Format {
    fn parse(name: &str) -> Format {
        match name {
            "decimalZero" => Format::DecimalZero,
            "lowerLetter" => Format::LowerLetter,
            "upperLetter" => Format::UpperLetter,
            "lowerRoman" => Format::LowerRoman,
            "upperRoman" => Format::UpperRoman,
            "bullet" => Format::Bullet,
            "none" => Format::None,
            // decimal and the rarer forms (ordinal, enclosed …) as plain numbers.
            _ => Format::Decimal,
        }
    }

    fn show(self, n: u32) -> String {
        match self {
            Format::Decimal | Format::Bullet => n.to_string(),
            Format::DecimalZero => format!("{n:02}"),
            Format::LowerLetter => letters(n),
            Format::UpperLetter => letters(n).to_uppercase(),
            Format::LowerRoman => roman(n).to_lowercase(),
            Format::UpperRoman => roman(n),
            Format::None => String::new(),
        }
    }
}

/// 1 → a, 26 → z, 27 → aa, 28 → bb (Word's way).
fn letters(n: u32) -> String {
    if n == 0 {
        return "0".into();
    }
    let letter = char::from(b'a' + ((n - 1) % 26) as u8);
    std::iter::repeat_n(letter, ((n - 1) / 26 + 1) as usize).collect()
}

fn roman(n: u32) -> String {
    if n == 0 || n >= 4000 {
        return n.to_string();
    }
    const TABLE: [(u32, &str); 13] = [
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ];
    let mut n = n;
    let mut out = String::new();
    for (value, numeral) in TABLE {
        while n >= value {
            out.push_str(numeral);
            n -= value;
        }
    }
    out
}

/// One level of a list definition.
#[derive(Debug, Clone)]
struct Level {
    start: u32,
    format: Format,
    /// "%1.%2.", "%3)", "-".
    text: String,
    /// `w:lvlRestart`: restart after a level up to this one (1-based) is used; 0 never.
    restart: Option<u32>,
    /// `w:isLgl`: every number shown in decimal.
    legal: bool,
    /// The paragraph style this level belongs to.
    style: Option<String>,
}

impl Level {
    fn read(l: &El) -> Level {
        Level {
            start: l.val("start").and_then(|v| v.parse().ok()).unwrap_or(0),
            format: Format::parse(l.val("numFmt").unwrap_or("decimal")),
            text: l.val("lvlText").unwrap_or("").to_owned(),
            restart: l.val("lvlRestart").and_then(|v| v.parse().ok()),
            legal: l.flag("isLgl"),
            style: l.val("pStyle").map(str::to_owned),
        }
    }
}

type Levels = [Option<Level>; LEVELS];

/// A list instance (`w:num`): its definition and what it overrides.
#[derive(Debug, Clone)]
struct Num {
    abstract_id: String,
    /// `w:lvlOverride/w:startOverride` by level.
    starts: Vec<(usize, u32)>,
    /// `w:lvlOverride/w:lvl` by level.
    levels: Vec<(usize, Level)>,
}

/// The document's lists and their counters as the document is read in order.
#[derive(Debug, Default)]
struct Lists {
    abstracts: HashMap<String, Levels>,
    nums: HashMap<String, Num>,
    /// Counters per list definition: Word continues one list across its instances.
    counters: HashMap<String, [Option<u32>; LEVELS]>,
    /// List instances already used (a start override applies at the first use).
    used: HashSet<String>,
}

fn level_index(l: &El) -> Option<usize> {
    l.attr("ilvl")
        .and_then(|v| v.parse::<usize>().ok())
        .filter(|i| *i < LEVELS)
}

impl Lists {
    fn read(root: &El, styles: &Styles) -> Lists {
        let mut lists = Lists::default();
        let Some(numbering) = root.child("numbering") else {
            return lists;
        };
        let mut links: Vec<(String, String)> = Vec::new();
        for a in numbering.children("abstractNum") {
            let Some(id) = a.attr("abstractNumId") else {
                continue;
            };
            let mut levels: Levels = Default::default();
            for l in a.children("lvl") {
                if let Some(i) = level_index(l) {
                    levels[i] = Some(Level::read(l));
                }
            }
            if let Some(link) = a.val("numStyleLink") {
                links.push((id.to_owned(), link.to_owned()));
            }
            lists.abstracts.insert(id.to_owned(), levels);
        }
        for n in numbering.children("num") {
            let (Some(id), Some(abstract_id)) = (n.attr("numId"), n.val("abstractNumId")) else {
                continue;
            };
            let mut num = Num {
                abstract_id: abstract_id.to_owned(),
                starts: Vec::new(),
                levels: Vec::new(),
            };
            for o in n.children("lvlOverride") {
                let Some(i) = level_index(o) else {
                    continue;
                };
                if let Some(start) = o.val("startOverride").and_then(|v| v.parse().ok()) {
                    num.starts.push((i, start));
                }
                if let Some(l) = o.child("lvl") {
                    num.levels.push((i, Level::read(l)));
                }
            }
            lists.nums.insert(id.to_owned(), num);
        }
        // A definition that only points at a list style (`w:numStyleLink`) takes the
        // levels of the definition that style's list uses.
        for (id, link) in links {
            let target = styles
                .numbering(&link)
                .and_then(|(num, _)| lists.nums.get(&num))
                .map(|n| n.abstract_id.clone())
                .filter(|t| *t != id);
            if let Some(levels) = target.and_then(|t| lists.abstracts.get(&t).cloned()) {
                lists.abstracts.insert(id, levels);
            }
        }
        lists
    }

    /// The level of list `num_id` whose paragraph style is `style`.
    fn level_of_style(&self, num_id: &str, style: &str) -> Option<usize> {
        let num = self.nums.get(num_id)?;
        let levels = self.abstracts.get(&num.abstract_id)?;
        levels
            .iter()
            .position(|l| l.as_ref().and_then(|l| l.style.as_deref()) == Some(style))
    }

    /// The label a paragraph at level `ilvl` of list `num_id` gets, advancing the
    /// counters; `None` when the paragraph shows no number.
    fn label(&mut self, num_id: &str, ilvl: usize) -> Option<String> {
        let num = self.nums.get(num_id)?.clone();
        let mut levels: Levels = self.abstracts.get(&num.abstract_id)?.clone();
        for (i, l) in &num.levels {
            levels[*i] = Some(l.clone());
        }
        let level = levels.get(ilvl)?.clone()?;
        let starts: [u32; LEVELS] = std::array::from_fn(|i| {
            num.starts
                .iter()
                .find(|(l, _)| *l == i)
                .map(|(_, s)| *s)
                .or_else(|| levels[i].as_ref().map(|l| l.start))
                .unwrap_or(1)
        });
        let counters = self.counters.entry(num.abstract_id.clone()).or_default();
        if self.used.insert(num_id.to_owned()) {
            for (i, _) in &num.starts {
                counters[*i] = None;
            }
        }
        counters[ilvl] = Some(counters[ilvl].map_or(starts[ilvl], |c| c.saturating_add(1)));
        for (deeper, l) in levels.iter().enumerate().skip(ilvl + 1) {
            let threshold = l.as_ref().and_then(|l| l.restart).unwrap_or(deeper as u32);
            if threshold != 0 && (ilvl as u32) < threshold {
                counters[deeper] = None;
            }
        }
        if level.format == Format::Bullet {
            let shown = level.text.trim();
            let bullet = if ["-", "+", "•", "–"].contains(&shown) {
                shown
            } else {
                "-"
            };
            return Some(bullet.to_owned());
        }
        let mut out = String::new();
        let mut chars = level.text.chars().peekable();
        while let Some(c) = chars.next() {
            let place = chars
                .peek()
                .and_then(|d| d.to_digit(10))
                .filter(|d| (1..=LEVELS as u32).contains(d));
            match (c, place) {
                ('%', Some(d)) => {
                    chars.next();
                    let i = d as usize - 1;
                    let value = counters[i].unwrap_or(starts[i]);
                    let format = match &levels[i] {
                        _ if level.legal => Format::Decimal,
                        Some(l) if l.format != Format::Bullet => l.format,
                        _ => Format::Decimal,
                    };
                    out.push_str(&format.show(value));
                }
                _ => out.push(c),
            }
        }
        let out = out.trim().to_owned();
        (!out.is_empty()).then_some(out)
    }
}

// ---- The document, in order ----

/// The text being written, with where each line came from.
#[derive(Debug, Default)]
struct Output {
    lines: Vec<String>,
    origins: Vec<String>,
}

impl Output {
    fn line(&mut self, text: String, origin: &str) {
        self.lines.push(text);
        self.origins.push(origin.to_owned());
    }

    fn blank(&mut self) {
        if self.lines.last().is_some_and(|l| !l.is_empty()) {
            self.line(String::new(), "");
        }
    }

    fn finish(mut self) -> DocxText {
        while self.lines.last().is_some_and(String::is_empty) {
            self.lines.pop();
            self.origins.pop();
        }
        let mut text = self.lines.join("\n");
        text.push('\n');
        DocxText {
            text,
            origins: self.origins,
        }
    }
}

/// "the paragraph “1.2. Tổ chức hội thảo…”": a paragraph named by its opening words.
fn opening(kind: &str, text: &str) -> String {
    const WORDS: usize = 60;
    let mut start: String = text.chars().take(WORDS).collect();
    if text.chars().count() > WORDS {
        start.push('…');
    }
    format!("{kind} “{start}”")
}

struct Writer<'a> {
    styles: &'a Styles,
    lists: Lists,
    out: Output,
    tables: usize,
}

/// A cell of a table row, spread over the grid.
#[derive(Debug, Clone, Default)]
struct Cell {
    /// Its paragraphs (a line break inside one starts another), numbered.
    paragraphs: Vec<String>,
    /// As a pipe table's cell: the paragraphs joined by `<br>`.
    text: String,
    /// Continues the cell above (`w:vMerge` without `restart`).
    merged_up: bool,
    /// The first grid column of a horizontally merged cell that spans more.
    spans: bool,
}

impl Writer<'_> {
    /// The block-level content of `container` (the body, a cell, a text box).
    fn blocks(&mut self, container: &El) {
        for el in container.elements() {
            match (el.ns, el.name.as_str()) {
                (Ns::W, "p") => self.paragraph(el),
                (Ns::W, "tbl") => self.table(el),
                (Ns::W, "sdt") => {
                    if let Some(content) = el.child("sdtContent") {
                        self.blocks(content);
                    }
                }
                (Ns::W, "customXml") => self.blocks(el),
                _ => {}
            }
        }
    }

    /// A paragraph's number (advancing the list counters) and its text; and the text
    /// boxes anchored in it.
    fn paragraph_parts<'e>(
        &mut self,
        p: &'e El,
        boxes: &mut Vec<&'e El>,
    ) -> (Option<String>, String) {
        let mut text = String::new();
        runs(p, &mut text, boxes);
        (self.number(p), tidy(&text))
    }

    /// A body paragraph: its text after its number. An empty numbered paragraph
    /// (Word still shows and counts its number) is left out.
    fn paragraph(&mut self, p: &El) {
        let mut boxes = Vec::new();
        let text = match self.paragraph_parts(p, &mut boxes) {
            (Some(label), text) if !text.is_empty() => format!("{label} {text}"),
            (_, text) => text,
        };
        if !text.is_empty() {
            let origin = opening("the paragraph", &text.replace('\n', " "));
            self.out.blank();
            for line in text.split('\n') {
                self.out.line(line.trim().to_owned(), &origin);
            }
            self.out.blank();
        }
        for b in boxes {
            self.blocks(b);
        }
    }

    /// The paragraph's number, from its own properties or its style's.
    fn number(&mut self, p: &El) -> Option<String> {
        let ppr = p.child("pPr");
        let own = ppr.and_then(|ppr| ppr.child("numPr"));
        let style = ppr
            .and_then(|ppr| ppr.val("pStyle"))
            .map(str::to_owned)
            .or_else(|| self.styles.default_paragraph.clone());
        let own_ilvl = own
            .and_then(|n| n.val("ilvl"))
            .and_then(|v| v.parse::<usize>().ok());
        let (num_id, ilvl) = match own.and_then(|n| n.val("numId")) {
            Some(num) => (num.to_owned(), own_ilvl),
            None => {
                let (num, style_ilvl) = style.as_deref().and_then(|s| self.styles.numbering(s))?;
                (num, own_ilvl.or(style_ilvl))
            }
        };
        if num_id == "0" {
            return None;
        }
        let ilvl = ilvl
            .or_else(|| {
                style
                    .as_deref()
                    .and_then(|s| self.lists.level_of_style(&num_id, s))
            })
            .unwrap_or(0);
        if ilvl >= LEVELS {
            return None;
        }
        self.lists.label(&num_id, ilvl)
    }

    fn table(&mut self, tbl: &El) {
        self.tables += 1;
        let table = self.tables;
        let mut rows: Vec<Vec<Cell>> = Vec::new();
        let mut header_rows = 0;
        let mut boxes = Vec::new();
        for (r, tr) in tbl.children("tr").enumerate() {
            let trpr = tr.child("trPr");
            if trpr.is_some_and(|p| p.flag("tblHeader")) && header_rows == r {
                header_rows += 1;
            }
            let mut row = Vec::new();
            let before = trpr
                .and_then(|p| p.val("gridBefore"))
                .and_then(|v| v.parse::<usize>().ok())
                .unwrap_or(0);
            row.extend(std::iter::repeat_n(Cell::default(), before.min(64)));
            for tc in tr.children("tc") {
                let tcpr = tc.child("tcPr");
                let span = tcpr
                    .and_then(|p| p.val("gridSpan"))
                    .and_then(|v| v.parse::<usize>().ok())
                    .unwrap_or(1)
                    .clamp(1, 64);
                let merged_up = tcpr
                    .and_then(|p| p.child("vMerge"))
                    .is_some_and(|m| m.attr("val").is_none_or(|v| v == "continue"));
                let mut paragraphs = Vec::new();
                self.cell_paragraphs(tc, &mut paragraphs, &mut boxes);
                row.push(Cell {
                    text: paragraphs.join("<br>").replace('|', "/"),
                    paragraphs,
                    merged_up,
                    spans: span > 1,
                });
                row.extend(std::iter::repeat_n(Cell::default(), span - 1));
            }
            rows.push(row);
        }
        let width = rows.iter().map(Vec::len).max().unwrap_or(0);
        for row in &mut rows {
            row.resize(width, Cell::default());
        }
        // A vertically merged cell reads, in every row it covers, as the text of its
        // first row, except in the first column (the number column of a task table).
        for r in 1..rows.len() {
            let (above, below) = rows.split_at_mut(r);
            for (cell, up) in below[0].iter_mut().zip(&above[r - 1]).skip(1) {
                if cell.merged_up && cell.text.is_empty() {
                    cell.text = up.text.clone();
                }
            }
        }
        let filled = rows
            .first()
            .map_or(0, |r| r.iter().filter(|c| !c.text.is_empty()).count());
        if filled >= 3 {
            if header_rows == 0 {
                header_rows = if rows[0].iter().any(|c| c.spans) && rows.len() > 2 {
                    2
                } else {
                    1
                };
            }
            self.pipe_table(table, &rows, header_rows.min(rows.len()), width);
        } else {
            self.layout_table(&rows);
        }
        for b in boxes {
            self.blocks(b);
        }
    }

    /// A data table as the parser's pipe table; `header_rows` rows folded into one.
    fn pipe_table(&mut self, table: usize, rows: &[Vec<Cell>], header_rows: usize, width: usize) {
        let header: Vec<String> = (0..width)
            .map(|c| {
                rows[..header_rows]
                    .iter()
                    .rev()
                    .map(|r| r[c].text.clone())
                    .find(|t| !t.is_empty())
                    .unwrap_or_default()
            })
            .collect();
        let row_text = |cells: &[String]| {
            let mut line = String::from("|");
            for c in cells {
                line.push(' ');
                line.push_str(c);
                line.push_str(" |");
            }
            line
        };
        self.out.blank();
        let origin = format!("table {table}, header");
        self.out.line(row_text(&header), &origin);
        self.out.line(row_text(&vec!["---".into(); width]), &origin);
        for (r, row) in rows.iter().enumerate().skip(header_rows) {
            let cells: Vec<String> = row.iter().map(|c| c.text.clone()).collect();
            let shown = cells
                .iter()
                .filter(|c| !c.is_empty())
                .cloned()
                .collect::<Vec<_>>()
                .join(" | ");
            let origin = opening(&format!("table {table}, row {}", r + 1), &shown);
            self.out.line(row_text(&cells), &origin);
        }
        self.out.blank();
    }

    /// A layout table: its cells' paragraphs as paragraphs, row by row.
    fn layout_table(&mut self, rows: &[Vec<Cell>]) {
        for cell in rows.iter().flatten() {
            for text in &cell.paragraphs {
                let origin = opening("the paragraph", text);
                self.out.blank();
                self.out.line(text.clone(), &origin);
                self.out.blank();
            }
        }
    }

    /// The paragraphs of a table cell (and of tables nested in it), numbered.
    fn cell_paragraphs<'e>(
        &mut self,
        container: &'e El,
        out: &mut Vec<String>,
        boxes: &mut Vec<&'e El>,
    ) {
        for el in container.elements() {
            match (el.ns, el.name.as_str()) {
                (Ns::W, "p") => {
                    // In a cell an empty numbered paragraph is the number alone: the
                    // STT column of a task table numbered by Word.
                    let text = match self.paragraph_parts(el, boxes) {
                        (Some(label), text) if text.is_empty() => label,
                        (Some(label), text) => format!("{label} {text}"),
                        (None, text) => text,
                    };
                    out.extend(
                        text.split('\n')
                            .map(str::trim)
                            .filter(|t| !t.is_empty())
                            .map(str::to_owned),
                    );
                }
                (Ns::W, "tbl") => {
                    for tr in el.children("tr") {
                        for tc in tr.children("tc") {
                            self.cell_paragraphs(tc, out, boxes);
                        }
                    }
                }
                (Ns::W, "sdt") => {
                    if let Some(content) = el.child("sdtContent") {
                        self.cell_paragraphs(content, out, boxes);
                    }
                }
                (Ns::W, "customXml") => self.cell_paragraphs(el, out, boxes),
                _ => {}
            }
        }
    }
}

/// The text of a paragraph's runs, in order: what Word shows, without deleted text,
/// field instructions or hidden runs. Text boxes are collected, not read.
fn runs<'e>(el: &'e El, out: &mut String, boxes: &mut Vec<&'e El>) {
    for kid in &el.kids {
        let Kid::El(e) = kid else {
            continue;
        };
        match e.ns {
            Ns::Mc if e.name == "Fallback" => continue,
            Ns::W => {}
            _ => {
                runs(e, out, boxes);
                continue;
            }
        }
        match e.name.as_str() {
            "t" => {
                for k in &e.kids {
                    if let Kid::Text(t) = k {
                        out.push_str(t);
                    }
                }
            }
            "tab" | "ptab" => out.push(' '),
            "br" | "cr" => out.push('\n'),
            "noBreakHyphen" => out.push('-'),
            "r" if e.child("rPr").is_some_and(|p| p.flag("vanish")) => {}
            "txbxContent" => boxes.push(e),
            // Not shown, or not text.
            "pPr" | "rPr" | "del" | "moveFrom" | "delText" | "instrText" | "delInstrText"
            | "softHyphen" | "sym" | "footnoteReference" | "endnoteReference"
            | "commentReference" => {}
            _ => runs(e, out, boxes),
        }
    }
}

/// Spaces squeezed within each line, lines trimmed.
fn tidy(text: &str) -> String {
    text.split('\n')
        .map(|line| {
            line.replace('\u{a0}', " ")
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect::<Vec<_>>()
        .join("\n")
        .trim_matches('\n')
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    const W: &str = r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main""#;

    fn level(ilvl: usize, format: &str, text: &str, extra: &str) -> String {
        format!(
            r#"<w:lvl w:ilvl="{ilvl}"><w:start w:val="1"/><w:numFmt w:val="{format}"/><w:lvlText w:val="{text}"/>{extra}</w:lvl>"#
        )
    }

    fn numbering(abstracts: &[(u32, Vec<String>)], nums: &[(u32, u32, &str)]) -> String {
        let mut xml = format!("<w:numbering {W}>");
        for (id, levels) in abstracts {
            xml.push_str(&format!(r#"<w:abstractNum w:abstractNumId="{id}">"#));
            for l in levels {
                xml.push_str(l);
            }
            xml.push_str("</w:abstractNum>");
        }
        for (id, abstract_id, overrides) in nums {
            xml.push_str(&format!(
                r#"<w:num w:numId="{id}"><w:abstractNumId w:val="{abstract_id}"/>{overrides}</w:num>"#
            ));
        }
        xml.push_str("</w:numbering>");
        xml
    }

    /// A paragraph of list `num` at level `ilvl` (no list when `num` is 0).
    fn p(num: u32, ilvl: usize, text: &str) -> String {
        let numbering = if num == 0 {
            String::new()
        } else {
            format!(
                r#"<w:pPr><w:numPr><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num}"/></w:numPr></w:pPr>"#
            )
        };
        format!(r#"<w:p>{numbering}<w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p>"#)
    }

    fn document(body: &[String]) -> String {
        format!(
            "<w:document {W}><w:body>{}<w:sectPr/></w:body></w:document>",
            body.concat()
        )
    }

    fn lines(text: &DocxText) -> Vec<&str> {
        text.text.lines().filter(|l| !l.is_empty()).collect()
    }

    fn plan_levels() -> Vec<String> {
        vec![
            level(0, "decimal", "%1.", ""),
            level(1, "decimal", "%1.%2.", ""),
            level(2, "lowerLetter", "%3)", ""),
            level(3, "bullet", "\u{f0b7}", ""),
        ]
    }

    #[test]
    fn numbers_are_rendered_as_word_shows_them_and_restart_when_a_higher_level_advances() {
        let numbering = numbering(
            &[
                (10, vec![level(0, "upperRoman", "%1.", "")]),
                (11, plan_levels()),
            ],
            &[(2, 10, ""), (3, 11, "")],
        );
        let doc = document(&[
            p(2, 0, "MỤC ĐÍCH, YÊU CẦU"),
            p(2, 0, "NỘI DUNG"),
            p(3, 0, "Công tác tuyên truyền"),
            p(3, 1, "Hướng dẫn"),
            p(3, 3, "Cơ quan chủ trì: Sở Ngoại vụ."),
            p(3, 1, "Tăng cường"),
            p(3, 0, "Tập huấn"),
            p(3, 2, "Lớp một"),
            p(3, 2, "Lớp hai"),
            p(3, 0, "Xây dựng"),
            p(3, 1, "Đề án"),
            p(3, 2, "Phần một"),
            p(2, 0, "KINH PHÍ"),
            p(2, 0, "TỔ CHỨC THỰC HIỆN"),
            p(0, 0, "UBND tỉnh yêu cầu."),
        ]);
        let text = render(&doc, Some(&numbering), None).unwrap();
        assert_eq!(
            lines(&text),
            [
                "I. MỤC ĐÍCH, YÊU CẦU",
                "II. NỘI DUNG",
                "1. Công tác tuyên truyền",
                "1.1. Hướng dẫn",
                "- Cơ quan chủ trì: Sở Ngoại vụ.",
                "1.2. Tăng cường",
                "2. Tập huấn",
                "a) Lớp một",
                "b) Lớp hai",
                "3. Xây dựng",
                "3.1. Đề án",
                "a) Phần một",
                "III. KINH PHÍ",
                "IV. TỔ CHỨC THỰC HIỆN",
                "UBND tỉnh yêu cầu.",
            ]
        );
        // Paragraphs are separated by blank lines, as the text form writes them.
        assert!(
            text.text
                .starts_with("I. MỤC ĐÍCH, YÊU CẦU\n\nII. NỘI DUNG\n\n")
        );
    }

    #[test]
    fn instances_of_one_list_continue_it_unless_they_override_the_start() {
        let numbering = numbering(
            &[(5, plan_levels())],
            &[
                (2, 5, ""),
                (3, 5, ""),
                (
                    4,
                    5,
                    r#"<w:lvlOverride w:ilvl="0"><w:startOverride w:val="1"/></w:lvlOverride>"#,
                ),
                (
                    6,
                    5,
                    r#"<w:lvlOverride w:ilvl="0"><w:startOverride w:val="7"/></w:lvlOverride>"#,
                ),
            ],
        );
        let doc = document(&[
            p(2, 0, "Một"),
            p(2, 0, "Hai"),
            p(3, 0, "Ba"),
            p(4, 0, "Lại một"),
            p(4, 0, "Lại hai"),
            p(6, 0, "Bảy"),
        ]);
        let text = render(&doc, Some(&numbering), None).unwrap();
        assert_eq!(
            lines(&text),
            [
                "1. Một",
                "2. Hai",
                "3. Ba",
                "1. Lại một",
                "2. Lại hai",
                "7. Bảy"
            ]
        );
    }

    #[test]
    fn start_values_restart_rules_legal_numbers_and_letters() {
        let numbering = numbering(
            &[(
                1,
                vec![
                    level(0, "upperRoman", "%1.", ""),
                    level(1, "decimal", "%1.%2.", r#"<w:isLgl/>"#),
                    // Never restarts.
                    level(2, "lowerLetter", "%3)", r#"<w:lvlRestart w:val="0"/>"#),
                ],
            )],
            &[(9, 1, "")],
        );
        let mut body = vec![
            p(9, 1, "Cấp hai trước cấp một"),
            p(9, 0, "Một"),
            p(9, 1, "Một chấm một"),
            p(9, 2, "a"),
            p(9, 0, "Hai"),
            p(9, 2, "tiếp tục"),
        ];
        for _ in 0..26 {
            body.push(p(9, 2, "x"));
        }
        let doc = document(&body);
        let text = render(&doc, Some(&numbering), None).unwrap();
        let got = lines(&text);
        assert_eq!(
            &got[..6],
            [
                // A level used before the one above it shows that one's start.
                "1.1. Cấp hai trước cấp một",
                "I. Một",
                // isLgl: the Roman level shown in decimal.
                "1.1. Một chấm một",
                "a) a",
                "II. Hai",
                // lvlRestart 0: the letters go on.
                "b) tiếp tục",
            ]
        );
        assert_eq!(got.last(), Some(&"bb) x"));
        assert_eq!(roman(1994), "MCMXCIV");
        assert_eq!(letters(27), "aa");
    }

    #[test]
    fn numbering_from_a_style_and_a_paragraph_that_turns_it_off() {
        let numbering = numbering(
            &[(
                3,
                vec![
                    level(0, "upperRoman", "%1.", r#"<w:pStyle w:val="Heading1"/>"#),
                    level(1, "decimal", "%2.", r#"<w:pStyle w:val="Heading2"/>"#),
                ],
            )],
            &[(4, 3, "")],
        );
        let styles = format!(
            r#"<w:styles {W}>
              <w:style w:type="paragraph" w:default="1" w:styleId="Normal"/>
              <w:style w:type="paragraph" w:styleId="Heading1"><w:pPr><w:numPr><w:numId w:val="4"/></w:numPr></w:pPr></w:style>
              <w:style w:type="paragraph" w:styleId="Heading2"><w:basedOn w:val="Heading1"/><w:pPr><w:numPr><w:ilvl w:val="1"/></w:numPr></w:pPr></w:style>
              <w:style w:type="paragraph" w:styleId="Task"><w:basedOn w:val="Heading1"/></w:style>
            </w:styles>"#
        );
        let styled = |style: &str, text: &str| {
            format!(
                r#"<w:p><w:pPr><w:pStyle w:val="{style}"/></w:pPr><w:r><w:t>{text}</w:t></w:r></w:p>"#
            )
        };
        let doc = document(&[
            styled("Heading1", "NỘI DUNG"),
            styled("Heading2", "Tuyên truyền"),
            styled("Task", "Cũng là cấp một"),
            r#"<w:p><w:pPr><w:pStyle w:val="Heading1"/><w:numPr><w:numId w:val="0"/></w:numPr></w:pPr><w:r><w:t>Không số</w:t></w:r></w:p>"#
                .to_owned(),
            styled("Normal", "Thường"),
        ]);
        let text = render(&doc, Some(&numbering), Some(&styles)).unwrap();
        assert_eq!(
            lines(&text),
            [
                "I. NỘI DUNG",
                "1. Tuyên truyền",
                "II. Cũng là cấp một",
                "Không số",
                "Thường"
            ]
        );
    }

    #[test]
    fn runs_keep_what_word_shows_and_line_breaks_start_lines() {
        let doc = format!(
            r#"<w:document {W} xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"><w:body>
            <w:p><w:r><w:t>KẾ HOẠCH</w:t></w:r><w:r><w:br/><w:t>Thông tin &amp; </w:t></w:r>
              <w:ins><w:r><w:t xml:space="preserve">đối   ngoại</w:t></w:r></w:ins>
              <w:del><w:r><w:delText>bỏ</w:delText></w:r></w:del>
              <w:r><w:rPr><w:vanish/></w:rPr><w:t>ẩn</w:t></w:r>
              <w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText>PAGE</w:instrText></w:r>
              <w:hyperlink><w:r><w:t xml:space="preserve"> năm 2021</w:t></w:r></w:hyperlink>
              <mc:AlternateContent><mc:Choice><w:r><w:t>!</w:t></w:r></mc:Choice><mc:Fallback><w:r><w:t>?</w:t></w:r></mc:Fallback></mc:AlternateContent>
            </w:p>
            <w:p/>
            <w:sdt><w:sdtContent><w:p><w:r><w:t>Trong ô nội dung</w:t></w:r></w:p></w:sdtContent></w:sdt>
            </w:body></w:document>"#
        );
        let text = render(&doc, None, None).unwrap();
        assert_eq!(
            text.text,
            "KẾ HOẠCH\nThông tin & đối ngoại năm 2021!\n\nTrong ô nội dung\n"
        );
        assert_eq!(
            text.place(2),
            "the paragraph “KẾ HOẠCH Thông tin & đối ngoại năm 2021!”"
        );
    }

    fn cell(text: &str, props: &str) -> String {
        format!(r#"<w:tc><w:tcPr>{props}</w:tcPr><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:tc>"#)
    }

    fn row(cells: &[String], props: &str) -> String {
        format!("<w:tr><w:trPr>{props}</w:trPr>{}</w:tr>", cells.concat())
    }

    #[test]
    fn a_data_table_becomes_a_pipe_table_and_a_layout_table_paragraphs() {
        let header = format!(
            "<w:tbl>{}</w:tbl>",
            row(
                &[
                    cell("ỦY BAN NHÂN DÂN TỈNH KON TUM", ""),
                    cell("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", ""),
                ],
                ""
            ) + &row(
                &[
                    cell("Số: 12/KH-UBND", ""),
                    cell("Kon Tum, ngày 15 tháng 3 năm 2021", "")
                ],
                ""
            )
        );
        let span = r#"<w:gridSpan w:val="2"/>"#;
        let restart = r#"<w:vMerge w:val="restart"/>"#;
        let cont = "<w:vMerge/>";
        let tasks = format!(
            "<w:tbl>{}{}{}{}{}</w:tbl>",
            row(
                &[
                    cell("STT", restart),
                    cell("Nội dung", restart),
                    cell("Cơ quan thực hiện", span),
                    cell("Thời gian", restart),
                ],
                "<w:tblHeader/>"
            ),
            row(
                &[
                    cell("", cont),
                    cell("", cont),
                    cell("Chủ trì", ""),
                    cell("Phối hợp", ""),
                    cell("", cont),
                ],
                "<w:tblHeader/>"
            ),
            row(
                &[
                    cell("1", ""),
                    cell("Tuyên truyền | quảng bá", ""),
                    cell("Sở Ngoại vụ", ""),
                    cell("", ""),
                    cell("Quý II/2021", restart),
                ],
                ""
            ),
            row(
                &[
                    cell("2", ""),
                    r#"<w:tc><w:p><w:r><w:t>Hội thảo</w:t></w:r></w:p><w:p><w:r><w:t>hai ngày</w:t></w:r></w:p></w:tc>"#
                        .to_owned(),
                    cell("Sở Thông tin và Truyền thông", ""),
                    cell("Báo Kon Tum", ""),
                    cell("", cont),
                ],
                ""
            ),
            row(&[cell("Ghi chú dài", r#"<w:gridSpan w:val="5"/>"#)], ""),
        );
        let doc = format!("<w:document {W}><w:body>{header}{tasks}</w:body></w:document>");
        let text = render(&doc, None, None).unwrap();
        assert_eq!(
            lines(&text),
            [
                "ỦY BAN NHÂN DÂN TỈNH KON TUM",
                "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                "Số: 12/KH-UBND",
                "Kon Tum, ngày 15 tháng 3 năm 2021",
                "| STT | Nội dung | Chủ trì | Phối hợp | Thời gian |",
                "| --- | --- | --- | --- | --- |",
                "| 1 | Tuyên truyền / quảng bá | Sở Ngoại vụ |  | Quý II/2021 |",
                "| 2 | Hội thảo<br>hai ngày | Sở Thông tin và Truyền thông | Báo Kon Tum | Quý II/2021 |",
                "| Ghi chú dài |  |  |  |  |",
            ]
        );
        let row_line = text
            .text
            .lines()
            .position(|l| l.starts_with("| 2 "))
            .unwrap()
            + 1;
        assert_eq!(
            text.place(row_line),
            "table 2, row 4 “2 | Hội thảo<br>hai ngày | Sở Thông tin và Truyền thông | Bá…”"
        );
    }

    #[test]
    fn broken_xml_is_an_error_not_a_panic() {
        for bad in [
            "",
            "<w:document",
            &format!("<w:document {W}><w:body><w:p></w:body></w:document>"),
            &format!(
                "<w:document {W}><w:body><w:p><w:r><w:t>&nope;</w:t></w:r></w:p></w:body></w:document>"
            ),
            &format!("<w:document {W}></w:document>"),
            &"<a>".repeat(1000),
        ] {
            assert!(render(bad, None, None).is_err(), "{bad:.60}");
        }
        assert!(
            render(
                &document(&[p(7, 0, "danh sách không có")]),
                Some("<x/>"),
                None
            )
            .is_ok()
        );
        assert!(read(b"PK\x03\x04 not really").is_err());
    }
}
