//! Reading the agencies a plan names: an agency line ("Sở Thông tin và Truyền thông đôn
//! đốc, hướng dẫn; các cơ quan báo chí …") into the names and group phrases it holds,
//! and a name no registry knows into a new agency.
//!
//! A name the registry knows is matched whole (see `agency`). Any other name is read
//! from its head word — Sở, Ban, Bộ, Cục, Đài, Báo, Đồn, Công an, Trung tâm, UBND … or
//! an abbreviation in capitals — written at the start of a part of the line, up to
//! where the name ends: a comma or "và" not followed by a capitalised word that
//! continues it ("Sở Văn hóa, Thể thao và Du lịch" is one name, "Sở Nội vụ, Sở Tài
//! chính" two), a bracket or semicolon, or a lower-case word that begins the role
//! ("đôn đốc", "phối hợp", "theo" …). Places under a committee are one agency each:
//! "UBND các huyện A Lưới, Nam Đông" names "UBND huyện A Lưới" and "UBND huyện Nam
//! Đông". A new agency's kind is read from its name (see [`infer_kind`]).
//!
//! Parsing stays strict about structure: words before the first name of a clause that
//! are no name ("theo phân công") are still an error.

use super::PlanWarning;
use super::agency::{
    Agency, AgencyKind, Group, RELATED_SUFFIXES, Registry, Target, starts_with_words,
};
use super::fold::{Word, fold, words};
use crate::ids::AgencyId;

/// One name or group phrase found in an agency line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Mention {
    pub target: MentionTarget,
    /// The words as the plan wrote them.
    pub text: String,
    /// What the plan says this agency does here ("đôn đốc, hướng dẫn").
    pub role: Option<String>,
    /// The plan asks ("đề nghị") rather than assigns.
    pub requested: bool,
    /// Written with "liên quan": those concerned.
    pub related: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum MentionTarget {
    Agency(AgencyId),
    Group(Group, Vec<AgencyId>),
}

/// A name the registry may not know, as read from a plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NewName {
    /// As written, trimmed; a place as "UBND huyện A Lưới".
    pub name: String,
    pub kind: AgencyKind,
    pub external: bool,
    /// A district a plan lists among the border districts.
    pub border: bool,
    pub aliases: Vec<String>,
}

/// Folded first words that begin the name of a body. Single words (other than
/// abbreviations) need a word after them: "Sở" alone is no name.
const BODY_HEADS: [&[&str]; 38] = [
    &["so"],
    &["ban"],
    &["bo"],
    &["cuc"],
    &["chi", "cuc"],
    &["tong", "cuc"],
    &["dai"],
    &["bao"],
    &["tap", "chi"],
    &["don"],
    &["cong", "an"],
    &["vien"],
    &["hoc", "vien"],
    &["benh", "vien"],
    &["truong"],
    &["trung", "tam"],
    &["hoi"],
    &["lien", "doan"],
    &["lien", "minh"],
    &["mat", "tran"],
    &["van", "phong"],
    &["thanh", "tra"],
    &["kho", "bac"],
    &["ngan", "hang"],
    &["tinh", "doan"],
    &["tinh", "uy"],
    &["doan"],
    &["phong"],
    &["toa", "an"],
    &["cong", "ty"],
    &["chi", "nhanh"],
    &["uy", "ban"],
    &["canh", "sat"],
    &["quan", "khu"],
    &["thong", "tan", "xa"],
    &["hai", "doi"],
    &["ban", "chi", "huy"],
    &["vien", "kiem", "sat"],
];

/// Heads that are a whole name on their own ("Công an", "Tỉnh đoàn").
const WHOLE_HEADS: [&[&str]; 4] = [
    &["cong", "an"],
    &["tinh", "doan"],
    &["tinh", "uy"],
    &["thong", "tan", "xa"],
];

/// The levels of local government below the province: folded words, as written in a
/// name, and the kind of their people's committee.
const LEVELS: [(&[&str], &str, AgencyKind); 9] = [
    (&["thanh", "pho"], "thành phố", AgencyKind::District),
    (&["tp"], "thành phố", AgencyKind::District),
    (&["thi", "xa"], "thị xã", AgencyKind::District),
    (&["huyen"], "huyện", AgencyKind::District),
    (&["quan"], "quận", AgencyKind::District),
    (&["thi", "tran"], "thị trấn", AgencyKind::Commune),
    (&["dac", "khu"], "đặc khu", AgencyKind::Commune),
    (&["phuong"], "phường", AgencyKind::Commune),
    (&["xa"], "xã", AgencyKind::Commune),
];

/// Folded words that, written in lower case after a name, begin what the agency does
/// rather than continue its name.
const ROLE_STARTS: [&[&str]; 34] = [
    &["chu", "tri"],
    &["phoi", "hop"],
    &["don", "doc"],
    &["huong", "dan"],
    &["chi", "dao"],
    &["trien", "khai"],
    &["thuc", "hien"],
    &["to", "chuc"],
    &["theo", "doi"],
    &["tong", "hop"],
    &["cung", "cap"],
    &["tham", "muu"],
    &["dinh", "huong"],
    &["ho", "tro"],
    &["bao", "cao"],
    &["xay", "dung"],
    &["tuyen", "truyen"],
    &["kiem", "tra"],
    &["giam", "sat"],
    &["chiu", "trach"],
    &["phu", "trach"],
    &["co", "trach"],
    &["de", "nghi"],
    &["theo"],
    &["trong"],
    &["tai"],
    &["de"],
    &["ve"],
    &["cho"],
    &["khi"],
    &["neu"],
    &["duoc"],
    &["la"],
    &["cua"],
];

/// Folded words that join names without meaning anything.
const CONNECTORS: [&str; 4] = ["va", "voi", "cung", "cac"];

/// The text between word `k - 1` and word `k` (before the first word for `k == 0`).
fn gap<'t>(text: &'t str, w: &[Word], k: usize) -> &'t str {
    if k == 0 {
        &text[..w[0].start]
    } else {
        &text[w[k - 1].end..w[k].start]
    }
}

fn first_char(text: &str, word: &Word) -> Option<char> {
    text[word.start..].chars().next()
}

/// Written with a capital.
fn upper(text: &str, word: &Word) -> bool {
    first_char(text, word).is_some_and(char::is_uppercase)
}

/// An abbreviation in capitals ("BĐBP", "UBMTTQ", "VP").
fn all_caps(text: &str, word: &Word) -> bool {
    let s = &text[word.start..word.end];
    s.chars().filter(|c| c.is_alphabetic()).count() >= 2
        && s.chars().all(|c| !c.is_alphabetic() || c.is_uppercase())
}

fn any_starts(w: &[Word], at: usize, list: &[&[&str]]) -> Option<usize> {
    list.iter()
        .filter(|p| starts_with_words(w, at, p))
        .map(|p| p.len())
        .max()
}

/// "UBND" or "Ủy ban nhân dân" at `k`: how many words.
fn committee_at(w: &[Word], k: usize) -> Option<usize> {
    any_starts(w, k, &[&["ubnd"], &["uy", "ban", "nhan", "dan"]])
}

/// A level word at `k` ("huyện", "thị xã" …): its length, its name and its kind.
/// "Xã hội" is no commune, and "quận" only counts after a committee.
fn level_at(
    w: &[Word],
    k: usize,
    after_committee: bool,
) -> Option<(usize, &'static str, AgencyKind)> {
    LEVELS
        .iter()
        .find(|(p, _, _)| starts_with_words(w, k, p))
        .filter(|(p, _, _)| !(p == &["xa"] && w.get(k + 1).is_some_and(|n| n.folded == "hoi")))
        .filter(|(p, _, _)| after_committee || p != &["quan"])
        .map(|(p, name, kind)| (p.len(), *name, *kind))
}

/// The head of a body's name at `k`, written with a capital: its length in words.
fn body_head_at(text: &str, w: &[Word], k: usize) -> Option<usize> {
    if k >= w.len() || !upper(text, &w[k]) {
        return None;
    }
    if committee_at(w, k).is_some() {
        return None;
    }
    any_starts(w, k, &BODY_HEADS).or_else(|| all_caps(text, &w[k]).then_some(1))
}

/// Whether a word at `k` can only begin a new name (so cannot continue one).
fn begins_name(text: &str, w: &[Word], k: usize) -> bool {
    body_head_at(text, w, k).is_some()
        || committee_at(w, k).is_some()
        || (upper(text, &w[k]) && level_at(w, k, false).is_some())
        || matches!(w[k].folded.as_str(), "cac" | "nhung")
}

/// A place of a list: its level and its name as written.
struct Place {
    level: &'static str,
    kind: AgencyKind,
    name: String,
    /// Byte range in the line.
    start: usize,
    end: usize,
}

impl Place {
    fn new_name(&self) -> NewName {
        NewName {
            name: format!("UBND {} {}", self.level, self.name),
            kind: self.kind,
            external: false,
            border: false,
            aliases: vec![format!("{} {}", self.level, self.name)],
        }
    }
}

/// Reads places from word `k`: "huyện A Lưới, Nam Đông và thị xã Hương Trà", or with
/// `level` given, bare names ("Hướng Hóa, Đakrông"). Returns them and the word after
/// the last. `after_break` lets the first word follow a bracket.
fn read_places(
    text: &str,
    w: &[Word],
    mut k: usize,
    mut level: Option<(&'static str, AgencyKind)>,
    after_committee: bool,
    after_break: bool,
) -> (Vec<Place>, usize) {
    let mut out: Vec<Place> = Vec::new();
    let mut end = k;
    loop {
        if let Some((len, name, kind)) = level_at(w, k, after_committee) {
            level = Some((name, kind));
            k += len;
        }
        let Some((name, kind)) = level else { break };
        let s = k;
        while k < w.len() {
            let x = &w[k];
            if k == s {
                if x.hard_break_before && !(out.is_empty() && after_break) {
                    break;
                }
            } else if x.hard_break_before || gap(text, w, k).contains(',') || x.folded == "va" {
                break;
            }
            let capital =
                first_char(text, x).is_some_and(|c| c.is_uppercase() || c.is_ascii_digit());
            if !capital || (k == s && begins_name(text, w, k)) {
                break;
            }
            k += 1;
        }
        if k == s {
            break;
        }
        out.push(Place {
            level: name,
            kind,
            name: text[w[s].start..w[k - 1].end].to_owned(),
            start: w[s].start,
            end: w[k - 1].end,
        });
        end = k;
        let next = if k < w.len() && !w[k].hard_break_before && gap(text, w, k).contains(',') {
            k
        } else if k + 1 < w.len() && w[k].folded == "va" && !w[k].hard_break_before {
            k + 1
        } else {
            break;
        };
        if next >= w.len() || w[next].hard_break_before {
            break;
        }
        let another_level = level_at(w, next, false).is_some_and(|(len, _, _)| {
            w.get(next + len)
                .is_some_and(|x| upper(text, x) && !x.hard_break_before)
        });
        let another_place = upper(text, &w[next]) && !begins_name(text, w, next);
        if !(another_level || another_place) {
            break;
        }
        k = next;
    }
    (out, end)
}

impl Registry {
    /// A place list at `i`: "[UBND] [các] huyện A Lưới, Nam Đông", the level followed
    /// at once by a capitalised name.
    fn places_at(&self, text: &str, w: &[Word], i: usize) -> Option<(Vec<Place>, usize)> {
        let mut k = i;
        let committee = committee_at(w, k);
        k += committee.unwrap_or(0);
        if w.get(k).is_some_and(|x| x.folded == "cac") {
            k += 1;
        }
        let (len, _, _) = level_at(w, k, committee.is_some())?;
        let name = w.get(k + len)?;
        if name.hard_break_before
            || !first_char(text, name).is_some_and(|c| c.is_uppercase() || c.is_ascii_digit())
        {
            return None;
        }
        let (places, end) = read_places(text, w, k, None, committee.is_some(), false);
        if places.is_empty() {
            return None;
        }
        Some((places, end))
    }

    /// A body's name at `i` that the registry does not know, read from its head (or a
    /// committee with no level: "UBND tỉnh"). Returns the name and the word after it.
    fn body_at(&self, text: &str, w: &[Word], i: usize) -> Option<(NewName, usize)> {
        let head = match committee_at(w, i) {
            Some(c) => {
                if !upper(text, &w[i]) {
                    return None;
                }
                c
            }
            None => body_head_at(text, w, i)?,
        };
        let mut k = i + head;
        while k < w.len() {
            let g = gap(text, w, k);
            if w[k].hard_break_before {
                break;
            }
            let continues = |j: usize| {
                j < w.len()
                    && !w[j].hard_break_before
                    && upper(text, &w[j])
                    && !begins_name(text, w, j)
            };
            if g.contains(',') {
                if continues(k) {
                    k += 1;
                    continue;
                }
                break;
            }
            if matches!(w[k].folded.as_str(), "va" | "voi" | "cung") {
                if continues(k + 1) && !gap(text, w, k + 1).contains(',') {
                    k += 2;
                    continue;
                }
                break;
            }
            if !upper(text, &w[k])
                && (any_starts(w, k, &ROLE_STARTS).is_some()
                    || any_starts(w, k, &RELATED_SUFFIXES).is_some()
                    || matches!(w[k].folded.as_str(), "cac" | "nhung"))
            {
                break;
            }
            k += 1;
        }
        let bare = k == i + head;
        let alone_ok = committee_at(w, i).is_none()
            && (any_starts(w, i, &WHOLE_HEADS).is_some() || all_caps(text, &w[i]));
        if bare && !alone_ok {
            return None;
        }
        // "… tỉnh Quảng Trị" is "… tỉnh".
        let own = self.province_words();
        let mut end = k;
        if !own.is_empty() && end > own.len() + 1 + i {
            let tail = &w[end - own.len()..end];
            if w[end - own.len() - 1].folded == "tinh"
                && tail.iter().zip(&own).all(|(a, b)| &a.folded == b)
            {
                end -= own.len();
            }
        }
        // A committee is written "UBND …", whichever way the plan spells it.
        let name = match committee_at(w, i) {
            Some(_) => format!("UBND {}", &text[w[i + head].start..w[end - 1].end]),
            None => text[w[i].start..w[end - 1].end].to_owned(),
        };
        let name = name.trim_end_matches(['.', ',', ';', ':', ' ']).to_owned();
        let (mut kind, mut external) = infer_kind(&name);
        // Another province's people's committee ("UBND tỉnh Savannakhet") is outside.
        if committee_at(w, i).is_some()
            && w.get(i + head).is_some_and(|x| x.folded == "tinh")
            && end > i + head + 1
        {
            kind = AgencyKind::Central;
            external = true;
        }
        Some((
            NewName {
                name,
                kind,
                external,
                border: false,
                aliases: Vec::new(),
            },
            k,
        ))
    }

    /// A phrase for an unlisted set of bodies at `i` ("các doanh nghiệp, tổ chức, cá
    /// nhân liên quan"): the word after it, and whether it says "liên quan".
    fn other_group_at(&self, text: &str, w: &[Word], i: usize) -> Option<(usize, bool)> {
        if !matches!(w[i].folded.as_str(), "cac" | "nhung") {
            return None;
        }
        let first = w.get(i + 1)?;
        if first.hard_break_before || upper(text, first) {
            return None;
        }
        let mut k = i + 1;
        let mut related = false;
        while k < w.len() && !w[k].hard_break_before {
            if let Some(len) = any_starts(w, k, &RELATED_SUFFIXES) {
                related = true;
                k += len;
                break;
            }
            let part_start = gap(text, w, k).contains(',') || w[k - 1].folded == "va";
            if part_start && (begins_name(text, w, k) || self.match_at(w, k).is_some()) {
                break;
            }
            if !part_start && k > i + 1 && any_starts(w, k, &ROLE_STARTS).is_some() {
                break;
            }
            if w[k].folded == "va"
                && w.get(k + 1)
                    .is_some_and(|x| upper(text, x) || x.folded == "cac")
            {
                break;
            }
            k += 1;
        }
        (k > i + 1).then_some((k, related))
    }

    /// Members for a group phrase that a bracket follows ("các huyện biên giới (Sa
    /// Thầy, Ngọc Hồi)"): the agencies listed, and the word after the bracket. `None`
    /// when no bracket follows or it holds something else.
    fn bracket_members(
        &self,
        text: &str,
        w: &[Word],
        at: usize,
        group: Group,
        sink: &mut dyn FnMut(NewName) -> AgencyId,
    ) -> Option<(Vec<AgencyId>, usize)> {
        if at >= w.len() || !w[at].hard_break_before || !gap(text, w, at).contains('(') {
            return None;
        }
        let close = (at + 1..w.len())
            .find(|&k| gap(text, w, k).contains(')'))
            .unwrap_or(w.len());
        if group.is_places() {
            let level = if group == Group::Communes {
                ("xã", AgencyKind::Commune)
            } else {
                ("huyện", AgencyKind::District)
            };
            let (places, end) = read_places(text, &w[..close], at, Some(level), false, true);
            if places.is_empty() || end != close {
                return None;
            }
            let ids = places
                .iter()
                .map(|p| {
                    let bare = &text[p.start..p.end];
                    match self.resolve(bare) {
                        Some(id) => id,
                        None => sink(NewName {
                            border: group == Group::BorderDistricts,
                            ..p.new_name()
                        }),
                    }
                })
                .collect();
            return Some((ids, close));
        }
        let mut ids = Vec::new();
        let mut k = at;
        while k < close {
            if k > at {
                if w[k].folded == "va" {
                    k += 1;
                } else if !gap(text, w, k).contains(',') {
                    return None;
                }
            }
            if k >= close {
                return None;
            }
            if let Some((Target::Agency(a), end)) = self.match_at(&w[..close], k) {
                ids.push(self.at(a).id.clone());
                k = self.skip_suffixes(&w[..close], end).0;
            } else if let Some((n, end)) = self.body_at(text, &w[..close], k) {
                ids.push(sink(n));
                k = end;
            } else {
                return None;
            }
        }
        (!ids.is_empty()).then_some((ids, close))
    }

    /// Reads an agency line ("Sở Thông tin và Truyền thông đôn đốc, hướng dẫn; các cơ
    /// quan báo chí …") into the names and groups it holds. Names the registry does
    /// not know go through `sink`, which gives them ids. Words between names that are
    /// not names become the role of the names before them; words before the first
    /// name of a clause are an error, with what was expected.
    pub(crate) fn read_agencies(
        &self,
        text: &str,
        sink: &mut dyn FnMut(NewName) -> AgencyId,
    ) -> Result<Vec<Mention>, String> {
        let w = words(text);
        let mut out: Vec<Mention> = Vec::new();
        let mut clause_start = 0;
        let mut requested = false;
        let mut i = 0;
        let mut loose: Vec<usize> = Vec::new();
        let mut part_start = true;
        while i < w.len() {
            let g = gap(text, &w, i);
            let after_connector =
                i > 0 && matches!(w[i - 1].folded.as_str(), "va" | "voi" | "cung");
            if w[i].hard_break_before || g.contains(',') || after_connector {
                part_start = true;
            }
            if w[i].hard_break_before && starts_clause(text, &w, i) {
                settle_role(text, &w, &mut loose, &mut out[clause_start..])?;
                clause_start = out.len();
                requested = false;
            }
            if starts_with_words(&w, i, &["de", "nghi"]) {
                requested = true;
                part_start = true;
                i += 2;
                continue;
            }
            let push = |out: &mut Vec<Mention>, target, start: usize, end: usize, related| {
                out.push(Mention {
                    target,
                    text: text[start..end].to_owned(),
                    role: None,
                    requested,
                    related,
                });
            };
            if part_start && let Some((places, end)) = self.places_at(text, &w, i) {
                settle_role(text, &w, &mut loose, &mut out[clause_start..])?;
                for (k, p) in places.iter().enumerate() {
                    let start = if k == 0 { w[i].start } else { p.start };
                    let id = sink(p.new_name());
                    push(&mut out, MentionTarget::Agency(id), start, p.end, false);
                }
                let (end, related) = self.skip_suffixes(&w, end);
                if let Some(last) = out.last_mut() {
                    last.related |= related;
                }
                i = end;
                part_start = false;
                continue;
            }
            if let Some((target, end)) = self.match_at(&w, i) {
                settle_role(text, &w, &mut loose, &mut out[clause_start..])?;
                let (mut end, related) = self.skip_suffixes(&w, end);
                let phrase_end = w[end - 1].end;
                let target = match target {
                    Target::Agency(k) => MentionTarget::Agency(self.at(k).id.clone()),
                    Target::Group(g) => match self.bracket_members(text, &w, end, g, sink) {
                        Some((members, after)) => {
                            end = after;
                            MentionTarget::Group(g, members)
                        }
                        None => MentionTarget::Group(g, self.members(g)),
                    },
                };
                push(&mut out, target, w[i].start, phrase_end, related);
                i = end;
                part_start = false;
                continue;
            }
            if part_start {
                if let Some((name, end)) = self.body_at(text, &w, i) {
                    settle_role(text, &w, &mut loose, &mut out[clause_start..])?;
                    let id = sink(name);
                    push(
                        &mut out,
                        MentionTarget::Agency(id),
                        w[i].start,
                        w[end - 1].end,
                        false,
                    );
                    let (end, related) = self.skip_suffixes(&w, end);
                    if let Some(last) = out.last_mut() {
                        last.related |= related;
                    }
                    i = end;
                    part_start = false;
                    continue;
                }
                if let Some((end, related)) = self.other_group_at(text, &w, i) {
                    settle_role(text, &w, &mut loose, &mut out[clause_start..])?;
                    let target = MentionTarget::Group(Group::Other, Vec::new());
                    push(&mut out, target, w[i].start, w[end - 1].end, related);
                    i = end;
                    part_start = false;
                    continue;
                }
            }
            if loose.is_empty() && CONNECTORS.contains(&w[i].folded.as_str()) {
                part_start = true;
                i += 1;
                continue;
            }
            loose.push(i);
            part_start = false;
            i += 1;
        }
        settle_role(text, &w, &mut loose, &mut out[clause_start..])?;
        if out.is_empty() && !w.is_empty() {
            return Err(format!(
                "an agency name or group phrase, not “{}”",
                text.trim()
            ));
        }
        Ok(out)
    }

    /// A name at word `i` of free text (a reporting sentence): a known agency, or one
    /// read from its head. Group phrases are not names.
    fn name_at(&self, text: &str, w: &[Word], i: usize) -> Option<(Named, usize)> {
        if let Some((places, end)) = self.places_at(text, w, i) {
            let first = places.first()?;
            return Some((Named::New(first.new_name()), end));
        }
        match self.match_at(w, i) {
            Some((Target::Agency(k), end)) => {
                return Some((Named::Known(self.at(k).id.clone()), end));
            }
            Some((Target::Group(_), _)) => return None,
            None => {}
        }
        self.body_at(text, w, i)
            .map(|(n, end)| (Named::New(n), end))
    }
}

/// A name found in free text.
enum Named {
    Known(AgencyId),
    New(NewName),
}

/// Turns loose words into the role of the clause's names so far. Loose words before
/// the clause's first name cannot be a role, so they are an error.
fn settle_role(
    text: &str,
    w: &[Word],
    loose: &mut Vec<usize>,
    clause: &mut [Mention],
) -> Result<(), String> {
    if loose.is_empty() {
        return Ok(());
    }
    let first = loose[0];
    let last = loose[loose.len() - 1];
    loose.clear();
    let phrase = text[w[first].start..w[last].end].trim();
    if clause.is_empty() {
        return Err(format!("an agency name or group phrase, not “{phrase}”"));
    }
    let without_verb = phrase.trim_end_matches(['.', ',', ';']).trim();
    if without_verb.is_empty() {
        return Ok(());
    }
    for m in clause.iter_mut().filter(|m| m.role.is_none()) {
        m.role = Some(without_verb.to_owned());
    }
    Ok(())
}

/// Whether the hard break before word `i` ends a clause (a semicolon or a new line),
/// rather than opening or closing a bracket.
fn starts_clause(text: &str, w: &[Word], i: usize) -> bool {
    gap(text, w, i).contains([';', '\n'])
}

/// The kind of a new agency, from its name:
///
/// - UBND huyện / thị xã / thành phố / quận → district; UBND xã / phường / thị trấn /
///   đặc khu → commune; another "UBND …" below the province → district;
/// - a body of the Party or of the Fatherland Front and its member organisations
///   ("… Tỉnh ủy", "Mặt trận Tổ quốc", "Tỉnh đoàn", "Hội Liên hiệp Phụ nữ", "Hội Nông
///   dân", "Hội Cựu chiến binh", "Liên đoàn Lao động") → party (asked, not assigned);
/// - Báo, Đài, Tạp chí → press;
/// - Công an, Bộ Chỉ huy (Quân sự, Bộ đội Biên phòng), Bộ đội Biên phòng, Đồn Biên
///   phòng, Cảnh sát, Quân khu, Hải đội → armed forces;
/// - Bộ, Tổng cục, Cục, Thông tấn xã, and names with "Chính phủ" or "Trung ương" →
///   central, outside the province; but a "Cục … tỉnh" is the central office's branch
///   in the province: a department;
/// - anything else (Sở, Ban, Văn phòng, Trung tâm, Chi cục, Trường …) → department.
///
/// Returns the kind and whether the agency is outside the province.
pub(crate) fn infer_kind(name: &str) -> (AgencyKind, bool) {
    let f: Vec<String> = words(name).into_iter().map(|w| w.folded).collect();
    let f = if f.starts_with(&["uy", "ban", "nhan", "dan"].map(str::to_owned)) {
        let mut v = vec!["ubnd".to_owned()];
        v.extend(f[4..].iter().cloned());
        v
    } else {
        f
    };
    let s = format!(" {} ", f.join(" "));
    let starts = |p: &str| s.starts_with(&format!(" {p} "));
    let has = |p: &str| s.contains(&format!(" {p} "));
    if starts("ubnd") {
        let rest = &f[1..];
        let w: Vec<Word> = words(&rest.join(" "));
        return match level_at(&w, 0, true) {
            Some((_, _, kind)) => (kind, false),
            None if rest.first().map(String::as_str) == Some("tinh") => {
                (AgencyKind::Department, false)
            }
            None => (AgencyKind::District, false),
        };
    }
    let w = words(&f.join(" "));
    if let Some((_, _, kind)) = level_at(&w, 0, false) {
        return (kind, false);
    }
    let party = [
        "tinh uy", "huyen uy", "thanh uy", "dang uy", "mat tran", "ubmttq", "ubmttqvn",
    ];
    let front = [
        "tinh doan",
        "doan thanh nien",
        "hoi lien hiep phu nu",
        "hoi nong dan",
        "hoi cuu chien binh",
        "lien doan lao dong",
    ];
    if party.iter().any(|p| has(p)) || front.iter().any(|p| starts(p)) {
        return (AgencyKind::Party, false);
    }
    let press = ["bao", "dai", "tap chi"].iter().any(|p| starts(p))
        && !["dai hoc", "bao hiem", "bao tang"]
            .iter()
            .any(|p| starts(p));
    if press {
        return (AgencyKind::Press, false);
    }
    let armed = [
        "cong an",
        "ca",
        "bo chi huy",
        "ban chi huy",
        "bchqs",
        "bdbp",
        "bo doi bien phong",
        "don bien phong",
        "don bp",
        "don cong an",
        "canh sat",
        "quan khu",
        "bo tu lenh",
        "hai doi",
    ];
    if armed.iter().any(|p| starts(p)) {
        return (AgencyKind::ArmedForces, false);
    }
    if starts("cuc") && has("tinh") {
        return (AgencyKind::Department, false);
    }
    if ["bo", "tong cuc", "cuc", "thong tan xa"]
        .iter()
        .any(|p| starts(p))
        || has("chinh phu")
        || has("trung uong")
    {
        return (AgencyKind::Central, true);
    }
    (AgencyKind::Department, false)
}

/// A short name for a new agency: "UBND Hướng Hóa" for "UBND huyện Hướng Hóa", "UBND
/// TP Đông Hà", "UBND TX Quảng Trị"; the head and initials for a department or
/// central body ("Sở KH&ĐT", "Sở LĐ-TB&XH", "Ban QLKKT tỉnh"); otherwise the name.
pub(crate) fn short_name(name: &str, kind: AgencyKind) -> String {
    let tokens: Vec<&str> = name.split_whitespace().collect();
    if matches!(kind, AgencyKind::District | AgencyKind::Commune) && tokens.first() == Some(&"UBND")
    {
        let rest = tokens[1..].join(" ");
        for (level, short) in [("huyện ", ""), ("thành phố ", "TP "), ("thị xã ", "TX ")] {
            if let Some(place) = rest.strip_prefix(level) {
                return format!("UBND {short}{place}");
            }
        }
        return name.to_owned();
    }
    if !matches!(kind, AgencyKind::Department | AgencyKind::Central) {
        return name.to_owned();
    }
    let head_words = match tokens.as_slice() {
        ["Tổng", "cục", ..] | ["Chi", "cục", ..] => 2,
        [first, ..] if ["Sở", "Bộ", "Ban", "Cục"].contains(first) => 1,
        _ => return name.to_owned(),
    };
    let mut body: Vec<&str> = tokens[head_words..].to_vec();
    let province_tail = body.last().is_some_and(|t| fold(t) == "tinh");
    if province_tail {
        body.pop();
    }
    if body.len() < 2 {
        return name.to_owned();
    }
    let mut initials = String::new();
    for t in body {
        let t = t.trim_matches([',', ';', '.']);
        if t == "-" || t == "–" {
            initials.push('-');
        } else if fold(t) == "va" {
            initials.push('&');
        } else if let Some(c) = t.chars().next() {
            initials.extend(c.to_uppercase());
        }
    }
    let head = tokens[..head_words].join(" ");
    if province_tail {
        format!("{head} {initials} tỉnh")
    } else {
        format!("{head} {initials}")
    }
}

/// An id for a new agency: its name folded to lowercase ASCII words joined by `-`, at
/// most 64 characters.
pub(crate) fn slug(name: &str) -> String {
    let folded = fold(name);
    let mut out = String::new();
    for c in folded.chars().filter(|c| *c != '\'') {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let mut out = out.trim_end_matches('-').to_owned();
    if out.len() > 64 {
        let cut = out[..64].rfind('-').unwrap_or(64);
        out.truncate(cut);
    }
    if out.is_empty() {
        out.push_str("co-quan");
    }
    out
}

/// Abbreviations plans use inside names, folded, and what they stand for.
const ABBREVIATIONS: [(&str, &str); 6] = [
    ("bdbp", "bo doi bien phong"),
    ("bchqs", "bo chi huy quan su"),
    ("chqs", "chi huy quan su"),
    ("tt&tt", "thong tin va truyen thong"),
    ("ptth", "phat thanh truyen hinh"),
    ("mttq", "mat tran to quoc"),
];

/// How names of new agencies are compared: folded letters and digits, with "Ủy ban
/// nhân dân" as "UBND", the usual abbreviations written out ("BĐBP") and a trailing
/// "tỉnh", "của tỉnh" or "tỉnh <province>" left out.
fn name_key(name: &str, province: &[String]) -> String {
    let mut f: Vec<String> = Vec::new();
    for w in words(name) {
        match ABBREVIATIONS.iter().find(|(short, _)| *short == w.folded) {
            Some((_, long)) => f.extend(long.split(' ').map(str::to_owned)),
            None => f.push(w.folded),
        }
    }
    if f.starts_with(&["uy", "ban", "nhan", "dan"].map(str::to_owned)) {
        f.splice(0..4, ["ubnd".to_owned()]);
    }
    if !province.is_empty() && f.ends_with(province) && f.len() > province.len() {
        let at = f.len() - province.len();
        if f[at - 1] == "tinh" {
            f.truncate(at);
        }
    }
    if f.ends_with(&["cua".to_owned(), "tinh".to_owned()]) {
        f.truncate(f.len() - 2);
    }
    if f.len() > 1 && f.last().map(String::as_str) == Some("tinh") {
        f.pop();
    }
    f.concat()
}

/// The agencies of one plan: its province's registry, and the agencies the plan names
/// that the registry does not know, created as they are met. Collects the group
/// phrases the registry could not map and the warnings for both.
pub(crate) struct Resolver<'r> {
    registry: &'r Registry,
    new: Vec<Agency>,
    /// Keys of the new agencies' names, short names and aliases.
    keys: Vec<(String, usize)>,
    /// Unmapped group phrases: key and text as first written.
    unmapped: Vec<(String, String)>,
    warnings: Vec<PlanWarning>,
}

/// What reading a plan's agencies left to report.
pub(crate) struct Found {
    pub new_agencies: Vec<Agency>,
    pub unmapped_groups: Vec<String>,
    pub warnings: Vec<PlanWarning>,
}

impl<'r> Resolver<'r> {
    pub(crate) fn new(registry: &'r Registry) -> Resolver<'r> {
        Resolver {
            registry,
            new: Vec::new(),
            keys: Vec::new(),
            unmapped: Vec::new(),
            warnings: Vec::new(),
        }
    }

    /// The agency with this id, from the registry or among the new ones.
    pub(crate) fn get(&self, id: &AgencyId) -> Option<&Agency> {
        self.registry
            .get(id)
            .or_else(|| self.new.iter().find(|a| &a.id == id))
    }

    /// Notes what the reader was unsure of at `line`, in English and Vietnamese.
    pub(crate) fn warn(&mut self, line: usize, message: String, message_vi: String) {
        self.warnings.push(PlanWarning {
            line,
            message,
            message_vi,
        });
    }

    /// Reads an agency line (see [`Registry::read_agencies`]), creating the agencies
    /// the registry does not know and noting the groups it cannot map. A request
    /// ("đề nghị") holds for agencies outside the province and Party bodies only.
    pub(crate) fn read_line(&mut self, text: &str, line: usize) -> Result<Vec<Mention>, String> {
        let registry = self.registry;
        let mut mentions = registry.read_agencies(text, &mut |n| self.adopt(n, line))?;
        for m in &mut mentions {
            match &m.target {
                MentionTarget::Agency(id) => {
                    m.requested &= self
                        .get(id)
                        .is_some_and(|a| a.external || a.kind == AgencyKind::Party);
                }
                MentionTarget::Group(_, members) => {
                    m.requested = false;
                    if members.is_empty() {
                        self.unmapped(&m.text, line);
                    }
                }
            }
        }
        Ok(mentions)
    }

    fn unmapped(&mut self, text: &str, line: usize) {
        let text = text.trim().trim_end_matches(['.', ',', ';']).to_owned();
        let key = name_key(&text, &self.registry.province_words());
        if self.unmapped.iter().any(|(k, _)| *k == key) {
            return;
        }
        let (whose, whose_vi) = match self.registry.province() {
            "" => ("the registry".to_owned(), "danh mục cơ quan".to_owned()),
            p => (
                format!("the registry of {p}"),
                format!("danh mục cơ quan của tỉnh {p}"),
            ),
        };
        self.warn(
            line,
            format!("the group “{text}” stands for no agency: {whose} has none for it; it is kept, to be mapped later"),
            format!("cụm “{text}” chưa ứng với cơ quan nào: {whose_vi} không có cơ quan cho cụm này; cụm được giữ lại để ánh xạ sau"),
        );
        self.unmapped.push((key, text));
    }

    /// The id of a name the registry may not know: the registry's agency if it knows
    /// the name after all, one created earlier in the plan under the same name, or a
    /// new agency.
    pub(crate) fn adopt(&mut self, n: NewName, line: usize) -> AgencyId {
        if let Some(id) = std::iter::once(&n.name)
            .chain(&n.aliases)
            .find_map(|name| self.registry.resolve(name))
        {
            return id;
        }
        let province = self.registry.province_words();
        let key = name_key(&n.name, &province);
        if let Some((_, k)) = self.keys.iter().find(|(k, _)| *k == key) {
            let a = &mut self.new[*k];
            a.border |= n.border;
            return a.id.clone();
        }
        let base = slug(&n.name);
        let mut candidate = base.clone();
        let mut k = 2;
        while self.get_str(&candidate) {
            let tail = format!("-{k}");
            let mut head = base.clone();
            head.truncate(64 - tail.len());
            candidate = format!("{}{tail}", head.trim_end_matches('-'));
            k += 1;
        }
        let id = AgencyId::parse(&candidate)
            .unwrap_or_else(|_| panic!("a slug is a valid agency id: {candidate}"));
        let mut short = short_name(&n.name, n.kind);
        let short_key = name_key(&short, &province);
        if short_key != key
            && (self.registry.resolve(&short).is_some()
                || self.keys.iter().any(|(k, _)| *k == short_key))
        {
            short = n.name.clone();
        }
        let index = self.new.len();
        for name in std::iter::once(&n.name).chain(&n.aliases).chain([&short]) {
            let k = name_key(name, &province);
            if !self.keys.iter().any(|(x, _)| *x == k) {
                self.keys.push((k, index));
            }
        }
        let (whose, whose_vi) = match self.registry.province() {
            "" => ("the registry".to_owned(), "danh mục cơ quan".to_owned()),
            p => (
                format!("the registry of {p}"),
                format!("danh mục cơ quan của tỉnh {p}"),
            ),
        };
        let kind = serde_json::to_value(n.kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        self.warn(
            line,
            format!(
                "“{}” is not in {whose}: a new agency “{id}” ({kind}{}), to be confirmed",
                n.name,
                if n.external {
                    ", outside the province"
                } else {
                    ""
                }
            ),
            format!(
                "“{}” chưa có trong {whose_vi}: tạo cơ quan mới “{id}” ({kind}{}), chờ xác nhận",
                n.name,
                if n.external { ", ngoài tỉnh" } else { "" }
            ),
        );
        self.new.push(Agency {
            id: id.clone(),
            name: n.name,
            short_name: short,
            kind: n.kind,
            parent: None,
            external: n.external,
            border: n.border,
            aliases: n.aliases,
        });
        id
    }

    fn get_str(&self, id: &str) -> bool {
        AgencyId::parse(id).is_ok_and(|id| self.get(&id).is_some())
    }

    /// Whether a name found in free text is the province's own people's committee
    /// ("UBND tỉnh"), which reports to nobody here.
    fn is_province_committee(named: &Named) -> bool {
        match named {
            Named::Known(_) => false,
            Named::New(n) => {
                let f = fold(&n.name);
                f.starts_with("ubnd tinh") || f == "ubnd"
            }
        }
    }

    /// Where agencies are named among words `from..to` of free text (a reporting
    /// sentence): each name's first word and the word after it. Nothing is created.
    pub(crate) fn find_names(
        &self,
        text: &str,
        w: &[Word],
        from: usize,
        to: usize,
    ) -> Vec<(usize, usize)> {
        let upto = &w[..to.min(w.len())];
        let mut out = Vec::new();
        let mut i = from;
        while i < upto.len() {
            if let Some((Target::Group(_), end)) = self.registry.match_at(upto, i) {
                i = end;
                continue;
            }
            match self.registry.name_at(text, upto, i) {
                Some((named, end)) if !Self::is_province_committee(&named) => {
                    out.push((i, end));
                    i = end;
                }
                _ => i += 1,
            }
        }
        out
    }

    /// The agency named at word `i` of free text, known or new (created then).
    pub(crate) fn name_id(
        &mut self,
        text: &str,
        w: &[Word],
        i: usize,
        line: usize,
    ) -> Option<AgencyId> {
        if i >= w.len() {
            return None;
        }
        let (named, _) = self.registry.name_at(text, w, i)?;
        if Self::is_province_committee(&named) {
            return None;
        }
        match named {
            Named::Known(id) => Some(id),
            Named::New(n) => Some(self.adopt(n, line)),
        }
    }

    /// The first agency named among words `from..to` of free text.
    pub(crate) fn first_name(
        &mut self,
        text: &str,
        w: &[Word],
        from: usize,
        to: usize,
        line: usize,
    ) -> Option<AgencyId> {
        let (at, _) = *self.find_names(text, w, from, to).first()?;
        self.name_id(text, &w[..to.min(w.len())], at, line)
    }

    /// The new agencies, unmapped groups and warnings, warnings in line order.
    pub(crate) fn finish(mut self) -> Found {
        self.warnings.sort_by_key(|w| w.line);
        Found {
            new_agencies: self.new,
            unmapped_groups: self.unmapped.into_iter().map(|(_, t)| t).collect(),
            warnings: self.warnings,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(s: &str) -> AgencyId {
        AgencyId::parse(s).unwrap()
    }

    fn read(r: &Registry, text: &str) -> Result<(Vec<Mention>, Vec<Agency>), String> {
        let mut resolver = Resolver::new(r);
        let m = resolver.read_line(text, 1)?;
        Ok((m, resolver.finish().new_agencies))
    }

    fn agency_ids(m: &[Mention]) -> Vec<&str> {
        m.iter()
            .filter_map(|m| match &m.target {
                MentionTarget::Agency(id) => Some(id.as_str()),
                MentionTarget::Group(..) => None,
            })
            .collect()
    }

    #[test]
    fn reads_agency_lines_with_roles_requests_and_brackets() {
        let r = Registry::kon_tum();
        let (m, new) = read(r, "Sở Thông tin và Truyền thông đôn đốc, hướng dẫn; các cơ quan báo chí, truyền thông của tỉnh; các Sở, ban ngành, UBND các huyện, thành phố chỉ đạo Trang/Cổng thông tin điện tử triển khai thực hiện.").unwrap();
        assert!(new.is_empty());
        assert_eq!(m.len(), 4);
        assert_eq!(m[0].role.as_deref(), Some("đôn đốc, hướng dẫn"));
        assert_eq!(m[1].role, None);
        assert_eq!(
            m[3].role.as_deref(),
            Some("chỉ đạo Trang/Cổng thông tin điện tử triển khai thực hiện")
        );
        assert_eq!(m[2].role, m[3].role);

        let (m, _) = read(r, "Đề nghị Cục Thông tin đối ngoại, Bộ Thông tin và Truyền thông và các cơ quan, đơn vị, địa phương liên quan phối hợp.").unwrap();
        assert_eq!(m.len(), 3);
        assert!(m[0].requested && m[1].requested && !m[2].requested);
        assert!(m[2].related);

        let (m, _) = read(
            r,
            "Các cơ quan, đơn vị liên quan và các huyện biên giới (Sa Thầy, Ngọc Hồi)",
        )
        .unwrap();
        assert_eq!(
            m[1].target,
            MentionTarget::Group(
                Group::BorderDistricts,
                vec![id("ubnd-sa-thay"), id("ubnd-ngoc-hoi")]
            )
        );

        assert!(
            read(r, "theo phân công")
                .unwrap_err()
                .contains("theo phân công")
        );
        let e = read(r, "hướng dẫn các đơn vị; Sở Ngoại vụ").unwrap_err();
        assert!(e.contains("hướng dẫn"), "{e}");
    }

    #[test]
    fn unknown_names_become_new_agencies() {
        let r = Registry::kon_tum();
        let (m, new) = read(r, "Sở Thông tin và Truyền thông, Sở Hàng hải đôn đốc; Trung tâm Xúc tiến Đầu tư, Thương mại và Du lịch tỉnh").unwrap();
        assert_eq!(
            agency_ids(&m),
            [
                "so-tttt",
                "so-hang-hai",
                "trung-tam-xuc-tien-dau-tu-thuong-mai-va-du-lich-tinh"
            ]
        );
        assert_eq!(m[1].role.as_deref(), Some("đôn đốc"));
        assert_eq!(new.len(), 2);
        assert_eq!(new[0].name, "Sở Hàng hải");
        assert_eq!(new[0].short_name, "Sở HH");
        assert_eq!(new[0].kind, AgencyKind::Department);
        assert_eq!(
            new[1].name,
            "Trung tâm Xúc tiến Đầu tư, Thương mại và Du lịch tỉnh"
        );

        // "Sở Nội vụ, Sở Tài chính" is two; "Sở Văn hóa, Thể thao và Du lịch" is one.
        let empty = Registry::empty("Lào Cai");
        let (m, new) = read(
            &empty,
            "Sở Nội vụ, Sở Tài chính và Sở Văn hóa, Thể thao và Du lịch tỉnh Lào Cai",
        )
        .unwrap();
        assert_eq!(
            agency_ids(&m),
            [
                "so-noi-vu",
                "so-tai-chinh",
                "so-van-hoa-the-thao-va-du-lich-tinh"
            ]
        );
        let names: Vec<&str> = new.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "Sở Nội vụ",
                "Sở Tài chính",
                "Sở Văn hóa, Thể thao và Du lịch tỉnh"
            ]
        );
        assert_eq!(new[2].short_name, "Sở VHTT&DL tỉnh");
        assert_eq!(new[0].short_name, "Sở NV");

        // Lists of places under one committee.
        let (m, new) = read(
            &empty,
            "UBND các huyện Bát Xát, Mường Khương và thị xã Sa Pa; UBND xã Y Tý",
        )
        .unwrap();
        assert_eq!(
            agency_ids(&m),
            [
                "ubnd-huyen-bat-xat",
                "ubnd-huyen-muong-khuong",
                "ubnd-thi-xa-sa-pa",
                "ubnd-xa-y-ty"
            ]
        );
        let kinds: Vec<AgencyKind> = new.iter().map(|a| a.kind).collect();
        assert_eq!(
            kinds,
            [
                AgencyKind::District,
                AgencyKind::District,
                AgencyKind::District,
                AgencyKind::Commune
            ]
        );
        assert_eq!(new[0].short_name, "UBND Bát Xát");
        assert_eq!(new[2].short_name, "UBND TX Sa Pa");
        assert!(new[0].aliases.contains(&"huyện Bát Xát".to_owned()));

        // The same agency met twice, under its full and shorter forms, is one.
        let (m, new) = read(
            &empty,
            "Công an tỉnh Lào Cai; Công an tỉnh; Ủy ban nhân dân huyện Bát Xát, huyện Bát Xát",
        )
        .unwrap();
        assert_eq!(new.len(), 2, "{new:?}");
        assert_eq!(
            agency_ids(&m),
            [
                "cong-an-tinh",
                "cong-an-tinh",
                "ubnd-huyen-bat-xat",
                "ubnd-huyen-bat-xat"
            ]
        );
        assert_eq!(new[0].name, "Công an tỉnh");

        // Lower-case words before any name are still no agency line.
        assert!(read(&empty, "theo phân công").is_err());

        // A name after "với" inside a role, the Front (asked), another province's
        // committee (outside), and a phrase for bodies no registry lists.
        let (m, new) = read(&empty, "Sở Công Thương chủ trì, phối hợp với Sở Hàng hải; đề nghị Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh và các tổ chức chính trị - xã hội phối hợp; UBND tỉnh Vân Nam (Trung Quốc)").unwrap();
        assert_eq!(
            agency_ids(&m),
            [
                "so-cong-thuong",
                "so-hang-hai",
                "uy-ban-mat-tran-to-quoc-viet-nam-tinh",
                "ubnd-tinh-van-nam"
            ]
        );
        let kinds: Vec<(&str, AgencyKind, bool)> = new
            .iter()
            .map(|a| (a.name.as_str(), a.kind, a.external))
            .collect();
        assert_eq!(
            kinds,
            [
                ("Sở Công Thương", AgencyKind::Department, false),
                ("Sở Hàng hải", AgencyKind::Department, false),
                (
                    "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh",
                    AgencyKind::Party,
                    false
                ),
                ("UBND tỉnh Vân Nam", AgencyKind::Central, true),
            ]
        );
        assert_eq!(m[0].role.as_deref(), Some("chủ trì, phối hợp với"));
        assert!(m[2].requested, "the Front is asked");
        assert_eq!(m[3].target, MentionTarget::Group(Group::Other, Vec::new()));
        assert_eq!(m[3].text, "các tổ chức chính trị - xã hội");
    }

    #[test]
    fn unknown_group_phrases_are_kept_unmapped() {
        let empty = Registry::empty("Lào Cai");
        let mut resolver = Resolver::new(&empty);
        let m = resolver
            .read_line("Các sở, ban, ngành; UBND các huyện, thị xã, thành phố; các doanh nghiệp, tổ chức, cá nhân liên quan", 7)
            .unwrap();
        assert_eq!(m.len(), 3);
        assert_eq!(m[2].target, MentionTarget::Group(Group::Other, Vec::new()));
        assert!(m[2].related);
        let found = resolver.finish();
        assert_eq!(
            found.unmapped_groups,
            [
                "Các sở, ban, ngành",
                "UBND các huyện, thị xã, thành phố",
                "các doanh nghiệp, tổ chức, cá nhân liên quan"
            ]
        );
        assert_eq!(found.warnings.len(), 3);
        assert!(found.warnings.iter().all(|w| w.line == 7));
    }

    #[test]
    fn kinds_are_read_from_names() {
        use AgencyKind::*;
        let cases: [(&str, AgencyKind, bool); 20] = [
            ("Sở Hàng hải", Department, false),
            ("Ban Quản lý Khu kinh tế tỉnh", Department, false),
            ("UBND huyện Hướng Hóa", District, false),
            ("UBND thị xã Quảng Trị", District, false),
            ("UBND thành phố Đông Hà", District, false),
            ("UBND xã A Xing", Commune, false),
            ("UBND phường Pleiku", Commune, false),
            ("UBND đặc khu Phú Quý", Commune, false),
            ("UBND thị trấn Khe Sanh", Commune, false),
            ("Báo Quảng Trị", Press, false),
            ("Đài Phát thanh và Truyền hình Lào Cai", Press, false),
            ("Công an tỉnh", ArmedForces, false),
            ("Bộ Chỉ huy Quân sự tỉnh", ArmedForces, false),
            ("Bộ đội Biên phòng tỉnh", ArmedForces, false),
            ("Đồn Biên phòng A Pa Chải", ArmedForces, false),
            ("Bộ Ngoại giao", Central, true),
            ("Cục Thông tin đối ngoại", Central, true),
            ("Cục Thống kê tỉnh", Department, false),
            ("Ban Tuyên giáo Tỉnh ủy", Party, false),
            ("Trung tâm Xúc tiến Đầu tư", Department, false),
        ];
        for (name, kind, external) in cases {
            assert_eq!(infer_kind(name), (kind, external), "{name}");
        }
    }

    #[test]
    fn slugs_are_valid_ids() {
        assert_eq!(
            slug("Sở Lao động - Thương binh và Xã hội"),
            "so-lao-dong-thuong-binh-va-xa-hoi"
        );
        assert_eq!(slug("UBND huyện Ia H'Drai"), "ubnd-huyen-ia-hdrai");
        assert_eq!(slug("Sở TT&TT"), "so-tt-tt");
        let long = slug(&"Trung tâm Nghiên cứu và Phát triển ".repeat(4));
        assert!(long.len() <= 64 && AgencyId::parse(&long).is_ok(), "{long}");
        assert_eq!(slug("…"), "co-quan");
    }

    #[test]
    fn slugs_stay_unique_within_a_plan() {
        let r = Registry::kon_tum();
        let mut resolver = Resolver::new(r);
        // Kon Tum has "so-noi-vu"; a different name with that slug gets another id.
        let a = resolver.adopt(
            NewName {
                name: "Sở Nội vụ Lâm Đồng".into(),
                kind: AgencyKind::Department,
                external: false,
                border: false,
                aliases: Vec::new(),
            },
            1,
        );
        assert_eq!(a.as_str(), "so-noi-vu-lam-dong");
        let b = resolver.adopt(
            NewName {
                name: "BCHQS".into(),
                kind: AgencyKind::Department,
                external: false,
                border: false,
                aliases: Vec::new(),
            },
            1,
        );
        assert_eq!(b.as_str(), "bchqs-2", "“BCHQS” alone is not a Kon Tum name");
    }
}
