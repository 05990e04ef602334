//! The agency registry: who one province's plans can name, under which names, and what
//! the group phrases ("các cơ quan, đơn vị, địa phương", "UBND các huyện, thành phố" …)
//! stand for there.
//!
//! A registry is data: one file per province (`seed/registries/*.json`, described in
//! `seed/registries/README.md`), read with [`Registry::from_json`]. The group phrases
//! are language and live here; which agencies a group covers comes from the registry's
//! own agencies (their kind and border flag, or the file's `groups`), so a group never
//! reaches into another province.
//!
//! Ids are stable slugs that accounts and stored progress refer to; names are matched
//! after folding (see `fold`), so spelling and diacritic variants resolve to the same
//! agency. Agencies outside the province are kept and marked `external`.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use super::fold::{Word, fold, folded_words, words};
use crate::ids::AgencyId;

/// What sort of body an agency is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgencyKind {
    /// A provincial department or board (sở, ban, ngành), or a unit under one.
    Department,
    /// A district or city people's committee (UBND huyện, thị xã, thành phố).
    District,
    /// A commune people's committee (UBND xã, phường, đặc khu, thị trấn): under its
    /// district before 2025, the level below the province since.
    Commune,
    /// A provincial newspaper, broadcaster or other press body.
    Press,
    /// The police, the military command, the border guard and their posts.
    ArmedForces,
    /// A body of the provincial Party committee, which a people's committee can only
    /// ask ("đề nghị"), not assign.
    Party,
    /// A ministry or central agency, outside the province.
    Central,
}

/// One agency of the registry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Agency {
    pub id: AgencyId,
    /// The full name, as a plan writes it.
    pub name: String,
    /// The usual abbreviation ("Sở TT&TT").
    pub short_name: String,
    pub kind: AgencyKind,
    /// The agency it belongs to: a border post's border guard command, a commune's
    /// district, a department's board.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<AgencyId>,
    /// Outside the province: the plan can only request its help.
    #[serde(default)]
    pub external: bool,
    /// A district on the national border.
    #[serde(default)]
    pub border: bool,
    /// Other names it goes by, besides `name` and `short_name`: abbreviations and
    /// former names.
    #[serde(default)]
    pub aliases: Vec<String>,
}

/// A group phrase of the plans, standing for a set of agencies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Group {
    /// "các cơ quan, đơn vị, địa phương": every department, press body, armed-forces
    /// body and district of the province, with the units under them (border posts,
    /// boards), but not communes, Party bodies or central agencies.
    AllLocal,
    /// "các cơ quan, đơn vị": as [`Group::AllLocal`] without the districts.
    AgenciesAndUnits,
    /// "các cơ quan báo chí, truyền thông tỉnh": the press.
    Press,
    /// "các Sở, ban ngành": departments and provincial boards, with their units.
    Departments,
    /// "UBND các huyện, thành phố": the districts and the city.
    Districts,
    /// "các huyện biên giới": the border districts (or those the plan lists after the
    /// phrase in brackets).
    BorderDistricts,
    /// "UBND các xã, phường, đặc khu": the communes (since 2025, the level below the
    /// province).
    Communes,
    /// Another phrase for a set of bodies ("các doanh nghiệp, tổ chức liên quan"):
    /// kept as written, standing for nobody until an administrator maps it.
    Other,
}

impl Group {
    /// The groups that have phrases.
    pub const ALL: [Group; 7] = [
        Group::AllLocal,
        Group::AgenciesAndUnits,
        Group::Press,
        Group::Departments,
        Group::Districts,
        Group::BorderDistricts,
        Group::Communes,
    ];

    /// The phrases that name the group. Phrases are matched folded, so diacritics and
    /// case do not matter; a trailing "tỉnh", "của tỉnh" or "liên quan" is read apart.
    pub fn phrases(self) -> &'static [&'static str] {
        match self {
            Group::AllLocal => &[
                "các cơ quan, đơn vị, địa phương",
                "các cơ quan, đơn vị và địa phương",
                "các sở, ban, ngành, địa phương",
                "các sở, ban ngành, địa phương",
                "các đơn vị, địa phương",
                "các cấp, các ngành",
            ],
            Group::AgenciesAndUnits => &["các cơ quan, đơn vị", "các đơn vị", "các cơ quan"],
            Group::Press => &[
                "các cơ quan báo chí, truyền thông",
                "các cơ quan báo chí",
                "các cơ quan thông tấn, báo chí",
                "các cơ quan truyền thông",
            ],
            Group::Departments => &[
                "các sở, ban ngành",
                "các sở, ban, ngành",
                "các sở ban ngành",
                "các sở, ngành",
                "các sở ngành",
            ],
            Group::Districts => &[
                "ubnd các huyện, thành phố",
                "ủy ban nhân dân các huyện, thành phố",
                "ubnd các huyện, tp",
                "ubnd các huyện, thị xã, thành phố",
                "ủy ban nhân dân các huyện, thị xã, thành phố",
                "ubnd các huyện, thị xã, tp",
                "ubnd các huyện",
                "ủy ban nhân dân các huyện",
                "các huyện, thị xã, thành phố",
                "các huyện, thành phố",
                "các địa phương",
                "địa phương",
            ],
            Group::BorderDistricts => &[
                "ubnd các huyện biên giới",
                "ủy ban nhân dân các huyện biên giới",
                "các huyện biên giới",
                "các huyện có biên giới",
            ],
            Group::Communes => &[
                "ubnd các xã, phường, đặc khu",
                "ủy ban nhân dân các xã, phường, đặc khu",
                "ubnd các xã, phường, thị trấn",
                "ủy ban nhân dân các xã, phường, thị trấn",
                "ubnd các xã, phường",
                "ủy ban nhân dân các xã, phường",
                "các xã, phường, đặc khu",
                "các xã, phường, thị trấn",
                "các xã, phường",
                "ubnd cấp xã",
                "ủy ban nhân dân cấp xã",
            ],
            Group::Other => &[],
        }
    }

    /// Whether the group covers `agency` by its kind and flags alone.
    fn covers(self, agency: &Agency) -> bool {
        if agency.external {
            return false;
        }
        match self {
            Group::AllLocal => matches!(
                agency.kind,
                AgencyKind::Department
                    | AgencyKind::Press
                    | AgencyKind::ArmedForces
                    | AgencyKind::District
            ),
            Group::AgenciesAndUnits => matches!(
                agency.kind,
                AgencyKind::Department | AgencyKind::Press | AgencyKind::ArmedForces
            ),
            Group::Press => agency.kind == AgencyKind::Press,
            Group::Departments => agency.kind == AgencyKind::Department,
            Group::Districts => agency.kind == AgencyKind::District,
            Group::BorderDistricts => agency.kind == AgencyKind::District && agency.border,
            Group::Communes => agency.kind == AgencyKind::Commune,
            Group::Other => false,
        }
    }

    /// Groups of people's committees below the province, whose bracketed lists
    /// ("các huyện biên giới (Hướng Hóa, Đakrông)") are bare place names.
    pub(crate) fn is_places(self) -> bool {
        matches!(
            self,
            Group::Districts | Group::BorderDistricts | Group::Communes
        )
    }
}

/// What a registry phrase stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Target {
    Agency(usize),
    Group(Group),
}

/// The agencies one province's plans can name.
#[derive(Debug, Clone)]
pub struct Registry {
    /// "Kon Tum"; empty for a registry that applies to any plan.
    province: String,
    agencies: Vec<Agency>,
    /// Groups whose members the registry lists rather than leaving to kinds and flags.
    listed: Vec<(Group, Vec<AgencyId>)>,
    /// Every name and group phrase as folded words, longest first.
    phrases: Vec<(Vec<String>, Target)>,
    /// Folded words that may follow a name without changing whom it names.
    suffixes: Vec<Vec<String>>,
}

/// Folded words after a name that say "those concerned".
pub(crate) const RELATED_SUFFIXES: [&[&str]; 2] = [&["co", "lien", "quan"], &["lien", "quan"]];

/// Kon Tum's registry file, compiled in.
const KON_TUM_JSON: &str = include_str!("../../../seed/registries/kon-tum.json");

/// The registry of Kon Tum's agencies, built once.
pub fn registry() -> &'static [Agency] {
    Registry::kon_tum().agencies()
}

/// A registry file (`seed/registries/*.json`).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RegistryFile {
    #[serde(default)]
    #[allow(dead_code)]
    about: String,
    province: String,
    agencies: Vec<AgencyEntry>,
    #[serde(default)]
    groups: BTreeMap<String, Vec<String>>,
}

/// One agency of a registry file.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AgencyEntry {
    id: String,
    name: String,
    short_name: String,
    kind: AgencyKind,
    #[serde(default)]
    parent: Option<String>,
    #[serde(default)]
    external: Option<bool>,
    #[serde(default)]
    border: bool,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    #[allow(dead_code)]
    note: String,
}

/// Compares province names: folded, letters and digits only ("Thừa Thiên - Huế" is
/// "Thừa Thiên Huế").
pub(crate) fn province_key(name: &str) -> String {
    fold(name).chars().filter(|c| c.is_alphanumeric()).collect()
}

impl Registry {
    /// Kon Tum's registry, from `seed/registries/kon-tum.json`.
    pub fn kon_tum() -> &'static Registry {
        static KON_TUM_REGISTRY: OnceLock<Registry> = OnceLock::new();
        KON_TUM_REGISTRY.get_or_init(|| {
            Registry::from_json(KON_TUM_JSON)
                .unwrap_or_else(|e| panic!("seed/registries/kon-tum.json: {e}"))
        })
    }

    /// Reads a registry file (the format of `seed/registries/README.md`). The error
    /// names the problem: the JSON position, or the agency and field at fault.
    pub fn from_json(text: &str) -> Result<Registry, String> {
        let file: RegistryFile = serde_json::from_str(text).map_err(|e| e.to_string())?;
        if file.province.trim().is_empty() {
            return Err("“province” is empty: name the province, as “Kon Tum”".into());
        }
        let mut agencies: Vec<Agency> = Vec::with_capacity(file.agencies.len());
        for (k, e) in file.agencies.into_iter().enumerate() {
            let at = || format!("agency {} (“{}”)", k + 1, e.id);
            let id = AgencyId::parse(&e.id).map_err(|_| {
                format!(
                    "{}: “id” must be lowercase ASCII words joined by “-”, at most 64 characters",
                    at()
                )
            })?;
            if agencies.iter().any(|a| a.id == id) {
                return Err(format!("{}: the id “{id}” is used twice", at()));
            }
            if e.name.trim().is_empty() || e.short_name.trim().is_empty() {
                return Err(format!(
                    "{}: “name” and “short_name” must not be empty",
                    at()
                ));
            }
            let parent = match &e.parent {
                None => None,
                Some(p) => Some(
                    AgencyId::parse(p)
                        .map_err(|_| format!("{}: “parent” is not an agency id: “{p}”", at()))?,
                ),
            };
            agencies.push(Agency {
                id,
                name: e.name.trim().to_owned(),
                short_name: e.short_name.trim().to_owned(),
                kind: e.kind,
                parent,
                external: e.external.unwrap_or(e.kind == AgencyKind::Central),
                border: e.border,
                aliases: e.aliases.iter().map(|a| a.trim().to_owned()).collect(),
            });
        }
        for a in &agencies {
            if let Some(p) = &a.parent
                && !agencies.iter().any(|b| &b.id == p)
            {
                return Err(format!(
                    "agency “{}”: its parent “{p}” is not in the registry",
                    a.id
                ));
            }
        }
        let mut listed = Vec::new();
        for (name, members) in file.groups {
            let group: Group = serde_json::from_value(serde_json::Value::String(name.clone()))
                .ok()
                .filter(|g| *g != Group::Other)
                .ok_or_else(|| {
                    format!(
                        "groups: “{name}” is not a group; expected one of all_local, agencies_and_units, press, departments, districts, border_districts, communes"
                    )
                })?;
            let mut ids = Vec::new();
            for m in members {
                let id = AgencyId::parse(&m)
                    .ok()
                    .filter(|id| agencies.iter().any(|a| &a.id == id))
                    .ok_or_else(|| {
                        format!(
                            "groups: “{name}” lists “{m}”, which is not an agency of the registry"
                        )
                    })?;
                ids.push(id);
            }
            listed.push((group, ids));
        }
        let registry = Registry::build(file.province.trim(), agencies, listed);
        registry.check_names()?;
        registry.check_parents()?;
        Ok(registry)
    }

    /// A registry of the given agencies that applies to a plan of any province (a
    /// test's, or agencies gathered elsewhere).
    pub fn new(agencies: Vec<Agency>) -> Registry {
        Registry::build("", agencies, Vec::new())
    }

    /// A registry of `province`'s agencies (from the database, say).
    pub fn for_province(province: &str, agencies: Vec<Agency>) -> Registry {
        Registry::build(province.trim(), agencies, Vec::new())
    }

    /// A province nobody has described yet: every agency its plans name is new, and
    /// its group phrases stay unmapped.
    pub fn empty(province: &str) -> Registry {
        Registry::for_province(province, Vec::new())
    }

    fn build(
        province: &str,
        agencies: Vec<Agency>,
        listed: Vec<(Group, Vec<AgencyId>)>,
    ) -> Registry {
        let mut phrases: Vec<(Vec<String>, Target)> = Vec::new();
        for (i, a) in agencies.iter().enumerate() {
            for name in names_of(a) {
                let w = folded_words(name);
                if w.first().map(String::as_str) == Some("ubnd") {
                    let mut long: Vec<String> =
                        ["uy", "ban", "nhan", "dan"].map(str::to_owned).to_vec();
                    long.extend(w[1..].iter().cloned());
                    phrases.push((long, Target::Agency(i)));
                }
                phrases.push((w, Target::Agency(i)));
            }
        }
        for g in Group::ALL {
            for p in g.phrases() {
                phrases.push((folded_words(p), Target::Group(g)));
            }
        }
        phrases.retain(|(w, _)| !w.is_empty());
        phrases.sort_by_key(|p| std::cmp::Reverse(p.0.len()));
        phrases.dedup();
        let own = folded_words(province);
        let mut suffixes: Vec<Vec<String>> = vec![vec!["cua".into(), "tinh".into()]];
        if !own.is_empty() {
            let mut t = vec!["tinh".to_owned()];
            t.extend(own.iter().cloned());
            suffixes.push(t);
        }
        suffixes.push(vec!["tinh".into()]);
        if !own.is_empty() {
            suffixes.push(own);
        }
        Registry {
            province: province.to_owned(),
            agencies,
            listed,
            phrases,
            suffixes,
        }
    }

    /// Refuses a name or alias given to two agencies.
    fn check_names(&self) -> Result<(), String> {
        for (i, (words, target)) in self.phrases.iter().enumerate() {
            for (other, other_target) in &self.phrases[i + 1..] {
                if words == other && target != other_target {
                    let who = |t: &Target| match t {
                        Target::Agency(k) => format!("agency “{}”", self.agencies[*k].id),
                        Target::Group(g) => format!("the group phrase of {g:?}"),
                    };
                    return Err(format!(
                        "the name “{}” is given to both {} and {}",
                        words.join(" "),
                        who(target),
                        who(other_target)
                    ));
                }
            }
        }
        Ok(())
    }

    /// Refuses an agency that is its own ancestor.
    fn check_parents(&self) -> Result<(), String> {
        for a in &self.agencies {
            let mut seen = vec![&a.id];
            let mut current = a.parent.as_ref();
            while let Some(p) = current {
                if seen.contains(&p) {
                    return Err(format!(
                        "agency “{}”: its parents go round in a circle",
                        a.id
                    ));
                }
                seen.push(p);
                current = self.get(p).and_then(|b| b.parent.as_ref());
            }
        }
        Ok(())
    }

    /// The province the registry describes ("Kon Tum"); empty when it applies to any.
    pub fn province(&self) -> &str {
        &self.province
    }

    /// Whether this is the registry of `province`, compared without diacritics, case
    /// or spaces. A registry with no province is for any.
    pub fn is_for(&self, province: &str) -> bool {
        self.province.is_empty() || province_key(&self.province) == province_key(province)
    }

    pub fn agencies(&self) -> &[Agency] {
        &self.agencies
    }

    /// The agency with this id.
    pub fn get(&self, id: &AgencyId) -> Option<&Agency> {
        self.agencies.iter().find(|a| &a.id == id)
    }

    /// The agency a name stands for, whatever its spelling: "Bộ Chỉ huy Biên phòng
    /// tỉnh", "BĐBP tỉnh" and "Bộ Chỉ huy Bộ đội Biên phòng tỉnh" give the same id, and
    /// so does a former name the registry lists.
    pub fn resolve(&self, name: &str) -> Option<AgencyId> {
        let w = words(name);
        match self.match_at(&w, 0) {
            Some((Target::Agency(i), end)) if self.skip_suffixes(&w, end).0 == w.len() => {
                Some(self.agencies[i].id.clone())
            }
            _ => None,
        }
    }

    /// The group a phrase stands for ("các Sở, ban ngành" gives [`Group::Departments`]).
    pub fn resolve_group(&self, phrase: &str) -> Option<Group> {
        let w = words(phrase);
        match self.match_at(&w, 0) {
            Some((Target::Group(g), end)) if self.skip_suffixes(&w, end).0 == w.len() => Some(g),
            _ => None,
        }
    }

    /// Every agency of this registry a group covers, with the units under them
    /// (communes excepted), in registry order. Empty when the registry has none: the
    /// group is then unmapped.
    pub fn members(&self, group: Group) -> Vec<AgencyId> {
        self.agencies
            .iter()
            .filter(|a| self.covered(group, a))
            .map(|a| a.id.clone())
            .collect()
    }

    fn covered(&self, group: Group, agency: &Agency) -> bool {
        let direct = |a: &Agency| match self.listed.iter().find(|(g, _)| *g == group) {
            Some((_, ids)) => ids.contains(&a.id),
            None => group.covers(a),
        };
        if direct(agency) {
            return true;
        }
        if agency.kind == AgencyKind::Commune || agency.external {
            return false;
        }
        match &agency.parent {
            Some(p) => self.get(p).is_some_and(direct),
            None => false,
        }
    }

    /// The agencies directly under `id`.
    pub fn children(&self, id: &AgencyId) -> Vec<&Agency> {
        self.agencies
            .iter()
            .filter(|a| a.parent.as_ref() == Some(id))
            .collect()
    }

    /// `id` and the agencies above it, nearest first.
    pub fn lineage(&self, id: &AgencyId) -> Vec<AgencyId> {
        let mut out = vec![id.clone()];
        let mut current = self.get(id);
        while let Some(parent) = current.and_then(|a| a.parent.as_ref()) {
            if out.contains(parent) {
                break;
            }
            out.push(parent.clone());
            current = self.get(parent);
        }
        out
    }

    /// The agency at index `k` (of a [`Target::Agency`]).
    pub(crate) fn at(&self, k: usize) -> &Agency {
        &self.agencies[k]
    }

    /// The longest phrase starting at word `at`, and the index of the word after it.
    pub(crate) fn match_at(&self, w: &[Word], at: usize) -> Option<(Target, usize)> {
        'phrases: for (phrase, target) in &self.phrases {
            if at + phrase.len() > w.len() {
                continue;
            }
            for (k, p) in phrase.iter().enumerate() {
                let word = &w[at + k];
                if &word.folded != p || (k > 0 && word.hard_break_before) {
                    continue 'phrases;
                }
            }
            return Some((*target, at + phrase.len()));
        }
        None
    }

    /// Skips "tỉnh", "của tỉnh", "tỉnh Kon Tum", "liên quan" … after a name; says
    /// whether "liên quan" was among them.
    pub(crate) fn skip_suffixes(&self, w: &[Word], mut at: usize) -> (usize, bool) {
        let mut related = false;
        'again: loop {
            for suffix in &self.suffixes {
                let suffix: Vec<&str> = suffix.iter().map(String::as_str).collect();
                if starts_with_words(w, at, &suffix) {
                    at += suffix.len();
                    continue 'again;
                }
            }
            for suffix in RELATED_SUFFIXES {
                if starts_with_words(w, at, suffix) {
                    related = true;
                    at += suffix.len();
                    continue 'again;
                }
            }
            return (at, related);
        }
    }

    /// The folded words of the province's name ("quang", "tri").
    pub(crate) fn province_words(&self) -> Vec<String> {
        folded_words(&self.province)
    }
}

/// An agency's name, short name and aliases.
fn names_of(a: &Agency) -> impl Iterator<Item = &str> {
    [a.name.as_str(), a.short_name.as_str()]
        .into_iter()
        .chain(a.aliases.iter().map(String::as_str))
}

pub(crate) fn starts_with_words(w: &[Word], at: usize, phrase: &[&str]) -> bool {
    at + phrase.len() <= w.len()
        && phrase
            .iter()
            .enumerate()
            .all(|(k, p)| w[at + k].folded == *p && (k == 0 || !w[at + k].hard_break_before))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(s: &str) -> AgencyId {
        AgencyId::parse(s).unwrap()
    }

    const QUANG_TRI_JSON: &str = include_str!("../../../seed/registries/quang-tri.json");

    #[test]
    fn every_kon_tum_agency_is_valid_and_unique() {
        let r = Registry::kon_tum();
        assert_eq!(r.province(), "Kon Tum");
        assert_eq!(r.agencies().len(), 48);
        for a in r.agencies() {
            if let Some(p) = &a.parent {
                assert!(r.get(p).is_some(), "parent of {}", a.id);
            }
            assert_eq!(r.resolve(&a.name), Some(a.id.clone()), "{}", a.name);
            assert_eq!(
                r.resolve(&a.short_name),
                Some(a.id.clone()),
                "{}",
                a.short_name
            );
            assert_eq!(a.external, a.kind == AgencyKind::Central, "{}", a.id);
        }
        for must in [
            "so-tttt",
            "so-vhttdl",
            "so-ngoai-vu",
            "bdbp",
            "bdbp-don-bo-y",
            "ubnd-ngoc-hoi",
        ] {
            assert!(r.get(&id(must)).is_some(), "{must}");
        }
        assert_eq!(
            r.get(&id("bdbp-don-bo-y")).unwrap().parent,
            Some(id("bdbp"))
        );
        assert_eq!(
            r.lineage(&id("ubnd-xa-bo-y")),
            [id("ubnd-xa-bo-y"), id("ubnd-ngoc-hoi")]
        );
        assert_eq!(r.children(&id("bdbp")).len(), 5);
        assert_eq!(registry().len(), 48);
        assert_eq!(
            r.agencies().iter().filter(|a| a.border).count(),
            4,
            "the border flags come from the file"
        );
    }

    #[test]
    fn the_kon_tum_registry_lives_in_its_data_file() {
        let file: serde_json::Value = serde_json::from_str(KON_TUM_JSON).unwrap();
        assert_eq!(file["province"], "Kon Tum");
        assert_eq!(file["agencies"].as_array().unwrap().len(), 48);
        let mut edited = KON_TUM_JSON.replace("\"Sở Ngoại vụ\"", "\"Sở Đối ngoại\"");
        let r = Registry::from_json(&edited).unwrap();
        assert_eq!(r.resolve("Sở Đối ngoại"), Some(id("so-ngoai-vu")));
        assert_eq!(r.resolve("Sở Ngoại vụ"), None);
        edited = KON_TUM_JSON.replace("\"ubnd-xa-bo-y\"", "\"UBND xã\"");
        assert!(Registry::from_json(&edited).unwrap_err().contains("“id”"));
    }

    #[test]
    fn registry_files_are_checked_and_errors_name_the_problem() {
        let qt = Registry::from_json(QUANG_TRI_JSON).unwrap();
        assert_eq!(qt.province(), "Quảng Trị");
        assert!(qt.is_for("QUẢNG TRỊ") && qt.is_for("Quang Tri") && !qt.is_for("Kon Tum"));
        assert_eq!(qt.members(Group::Districts).len(), 10);
        assert_eq!(
            qt.members(Group::BorderDistricts),
            [id("ubnd-huong-hoa"), id("ubnd-dakrong")]
        );
        assert!(
            qt.members(Group::Press).is_empty(),
            "Quảng Trị's file has no press"
        );
        assert_eq!(qt.resolve("Sở Bưu chính, Viễn thông"), Some(id("so-tttt")));
        assert_eq!(
            qt.resolve("Sở Nội vụ tỉnh Quảng Trị"),
            Some(id("so-noi-vu"))
        );

        let cases: [(&str, &str); 8] = [
            ("{", "EOF"),
            (
                r#"{"province": "X", "agencies": [], "extra": 1}"#,
                "unknown field `extra`",
            ),
            (r#"{"province": " ", "agencies": []}"#, "province"),
            (
                r#"{"province": "X", "agencies": [{"id": "a", "name": "Sở A", "short_name": "A", "kind": "sở"}]}"#,
                "unknown variant `sở`",
            ),
            (
                r#"{"province": "X", "agencies": [{"id": "a", "name": "Sở A", "short_name": "A", "kind": "department"}, {"id": "a", "name": "Sở B", "short_name": "B", "kind": "department"}]}"#,
                "used twice",
            ),
            (
                r#"{"province": "X", "agencies": [{"id": "a", "name": "Sở A", "short_name": "A", "kind": "department", "parent": "b"}]}"#,
                "parent “b”",
            ),
            (
                r#"{"province": "X", "agencies": [{"id": "a", "name": "Sở A", "short_name": "SA", "kind": "department"}, {"id": "b", "name": "Sở B", "short_name": "SB", "kind": "department", "aliases": ["Sở A"]}]}"#,
                "given to both agency “a” and agency “b”",
            ),
            (
                r#"{"province": "X", "agencies": [], "groups": {"districts": ["z"]}}"#,
                "“z”",
            ),
        ];
        for (text, expected) in cases {
            let e = Registry::from_json(text).unwrap_err();
            assert!(e.contains(expected), "{text}: {e}");
        }
    }

    #[test]
    fn listed_groups_override_flags() {
        let text = r#"{"province": "X", "agencies": [
            {"id": "ubnd-a", "name": "UBND huyện A", "short_name": "UBND A", "kind": "district"},
            {"id": "ubnd-b", "name": "UBND huyện B", "short_name": "UBND B", "kind": "district", "border": true},
            {"id": "don-a", "name": "Đồn Biên phòng A", "short_name": "Đồn BP A", "kind": "armed_forces", "parent": "ubnd-a"}
        ], "groups": {"border_districts": ["ubnd-a"]}}"#;
        let r = Registry::from_json(text).unwrap();
        assert_eq!(
            r.members(Group::BorderDistricts),
            [id("ubnd-a"), id("don-a")]
        );
        assert_eq!(r.members(Group::Districts).len(), 3);
    }

    #[test]
    fn an_empty_registry_maps_no_group() {
        let r = Registry::empty("Lào Cai");
        for g in Group::ALL {
            assert!(r.members(g).is_empty(), "{g:?}");
        }
        assert_eq!(
            r.resolve_group("UBND các huyện, thị xã, thành phố"),
            Some(Group::Districts)
        );
        assert_eq!(
            r.resolve_group("UBND các xã, phường, đặc khu"),
            Some(Group::Communes)
        );
    }

    #[test]
    fn no_phrase_names_two_things() {
        let r = Registry::kon_tum();
        assert_eq!(r.check_names(), Ok(()));
    }

    #[test]
    fn name_variants_resolve_to_one_agency() {
        let r = Registry::kon_tum();
        for name in [
            "Bộ Chỉ huy Bộ đội Biên phòng tỉnh",
            "Bộ Chỉ huy Biên phòng tỉnh",
            "BĐBP tỉnh",
            "bộ chỉ huy bộ đội biên phòng",
            "Bộ Chỉ huy Bộ đội Biên phòng tỉnh Kon Tum",
        ] {
            assert_eq!(r.resolve(name), Some(id("bdbp")), "{name}");
        }
        for name in [
            "Sở Văn hóa, Thể thao và Du lịch",
            "Sở VHTTDL",
            "Sở Văn hoá, Thể thao và Du lịch",
            "SỞ VĂN HÓA, THỂ THAO VÀ DU LỊCH",
            "Sở Văn hóa và Thể thao",
        ] {
            assert_eq!(r.resolve(name), Some(id("so-vhttdl")), "{name}");
        }
        assert_eq!(
            r.resolve("Ủy ban nhân dân huyện Ngọc Hồi"),
            Some(id("ubnd-ngoc-hoi"))
        );
        assert_eq!(r.resolve("Ia HDrai"), Some(id("ubnd-ia-hdrai")));
        assert_eq!(r.resolve("Đắk Glei"), Some(id("ubnd-dak-glei")));
        assert_eq!(r.resolve("Sở Không Có"), None);
        assert_eq!(r.resolve("Sở Ngoại vụ và Sở Tư pháp"), None);
    }

    #[test]
    fn group_phrases_resolve_to_sets() {
        let r = Registry::kon_tum();
        assert_eq!(
            r.resolve_group("các cơ quan, đơn vị, địa phương"),
            Some(Group::AllLocal)
        );
        assert_eq!(
            r.resolve_group("Các cơ quan báo chí, truyền thông tỉnh"),
            Some(Group::Press)
        );
        assert_eq!(
            r.resolve_group("các Sở, ban ngành"),
            Some(Group::Departments)
        );
        assert_eq!(
            r.resolve_group("UBND các huyện, thành phố"),
            Some(Group::Districts)
        );
        assert_eq!(
            r.resolve_group("các huyện biên giới"),
            Some(Group::BorderDistricts)
        );
        let all = r.members(Group::AllLocal);
        for inside in [
            "so-tttt",
            "bdbp",
            "bdbp-don-bo-y",
            "ban-ton-giao",
            "ubnd-ngoc-hoi",
            "bao-kon-tum",
        ] {
            assert!(all.contains(&id(inside)), "{inside}");
        }
        for outside in ["ban-tuyen-giao", "cuc-ttdn", "bo-tttt", "ubnd-xa-bo-y"] {
            assert!(!all.contains(&id(outside)), "{outside}");
        }
        assert_eq!(r.members(Group::Press), [id("bao-kon-tum"), id("dai-ptth")]);
        assert_eq!(r.members(Group::Districts).len(), 10);
        assert_eq!(
            r.members(Group::BorderDistricts),
            [
                id("ubnd-ngoc-hoi"),
                id("ubnd-dak-glei"),
                id("ubnd-sa-thay"),
                id("ubnd-ia-hdrai")
            ]
        );
        assert_eq!(r.members(Group::Communes).len(), 3);
        assert!(!r.members(Group::Departments).contains(&id("bdbp")));
    }
}
