//! The agency registry: who can be named in a plan, under which names, and what the
//! group phrases ("các cơ quan, đơn vị, địa phương", "UBND các huyện, thành phố" …)
//! stand for.
//!
//! Ids are stable slugs that accounts and stored progress refer to; names are matched
//! after folding (see `fold`), so spelling and diacritic variants resolve to the same
//! agency. Agencies outside the province are kept and marked `external`.

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use super::fold::{Word, folded_words, words};
use crate::ids::AgencyId;

/// What sort of body an agency is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgencyKind {
    /// A provincial department or board (sở, ban, ngành), or a unit under one.
    Department,
    /// A district or city people's committee (UBND huyện, thành phố).
    District,
    /// A commune people's committee (UBND xã), under its district.
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
    /// Other names it goes by, besides `name` and `short_name`.
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
}

impl Group {
    pub const ALL: [Group; 6] = [
        Group::AllLocal,
        Group::AgenciesAndUnits,
        Group::Press,
        Group::Departments,
        Group::Districts,
        Group::BorderDistricts,
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
        }
    }

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
        }
    }
}

/// What a registry phrase stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Agency(usize),
    Group(Group),
}

/// The agencies one province's plans can name.
#[derive(Debug, Clone)]
pub struct Registry {
    agencies: Vec<Agency>,
    /// Every name and group phrase as folded words, longest first.
    phrases: Vec<(Vec<String>, Target)>,
}

/// An agency of the Kon Tum table, before its id is checked.
struct Def {
    id: &'static str,
    name: &'static str,
    short: &'static str,
    kind: AgencyKind,
    parent: Option<&'static str>,
    aliases: &'static [&'static str],
}

const fn def(
    id: &'static str,
    name: &'static str,
    short: &'static str,
    kind: AgencyKind,
    aliases: &'static [&'static str],
) -> Def {
    Def {
        id,
        name,
        short,
        kind,
        parent: None,
        aliases,
    }
}

const fn sub(
    id: &'static str,
    name: &'static str,
    short: &'static str,
    kind: AgencyKind,
    parent: &'static str,
    aliases: &'static [&'static str],
) -> Def {
    Def {
        id,
        name,
        short,
        kind,
        parent: Some(parent),
        aliases,
    }
}

use AgencyKind::{ArmedForces, Central, Commune, Department, District, Party, Press};

/// Kon Tum's agencies. Ids are part of the data model: never rename one.
const KON_TUM: &[Def] = &[
    def(
        "so-tttt",
        "Sở Thông tin và Truyền thông",
        "Sở TT&TT",
        Department,
        &["Sở TTTT", "Sở Thông tin - Truyền thông"],
    ),
    def(
        "so-vhttdl",
        "Sở Văn hóa, Thể thao và Du lịch",
        "Sở VHTTDL",
        Department,
        &["Sở VH-TT&DL", "Sở VHTT&DL", "Sở VH, TT&DL"],
    ),
    def("so-ngoai-vu", "Sở Ngoại vụ", "Sở NgV", Department, &[]),
    def(
        "so-khdt",
        "Sở Kế hoạch và Đầu tư",
        "Sở KH&ĐT",
        Department,
        &["Sở KHĐT", "Sở Kế hoạch - Đầu tư"],
    ),
    def("so-cong-thuong", "Sở Công Thương", "Sở CT", Department, &[]),
    def("so-tu-phap", "Sở Tư pháp", "Sở TP", Department, &[]),
    def("so-noi-vu", "Sở Nội vụ", "Sở NV", Department, &[]),
    sub(
        "ban-ton-giao",
        "Ban Tôn giáo tỉnh",
        "Ban Tôn giáo",
        Department,
        "so-noi-vu",
        &["Ban Tôn giáo (Sở Nội vụ)"],
    ),
    def(
        "so-gddt",
        "Sở Giáo dục và Đào tạo",
        "Sở GD&ĐT",
        Department,
        &["Sở GDĐT"],
    ),
    def("so-tai-chinh", "Sở Tài chính", "Sở TC", Department, &[]),
    def("so-y-te", "Sở Y tế", "Sở YT", Department, &[]),
    def(
        "so-nnptnt",
        "Sở Nông nghiệp và Phát triển nông thôn",
        "Sở NN&PTNT",
        Department,
        &["Sở NNPTNT"],
    ),
    def(
        "so-tnmt",
        "Sở Tài nguyên và Môi trường",
        "Sở TN&MT",
        Department,
        &["Sở TNMT"],
    ),
    def(
        "so-ldtbxh",
        "Sở Lao động - Thương binh và Xã hội",
        "Sở LĐ-TB&XH",
        Department,
        &["Sở LĐTBXH"],
    ),
    def(
        "so-gtvt",
        "Sở Giao thông vận tải",
        "Sở GTVT",
        Department,
        &[],
    ),
    def("so-xay-dung", "Sở Xây dựng", "Sở XD", Department, &[]),
    def(
        "so-khcn",
        "Sở Khoa học và Công nghệ",
        "Sở KH&CN",
        Department,
        &["Sở KHCN"],
    ),
    def(
        "ban-dan-toc",
        "Ban Dân tộc tỉnh",
        "Ban Dân tộc",
        Department,
        &[],
    ),
    def(
        "ban-ql-kkt",
        "Ban Quản lý Khu kinh tế tỉnh",
        "Ban QL KKT",
        Department,
        &[
            "Ban QL Khu kinh tế tỉnh",
            "Ban QLKKT",
            "Ban Quản lý Khu kinh tế",
        ],
    ),
    def(
        "van-phong-ubnd",
        "Văn phòng UBND tỉnh",
        "VP UBND tỉnh",
        Department,
        &["Văn phòng Ủy ban nhân dân tỉnh"],
    ),
    def("bao-kon-tum", "Báo Kon Tum", "Báo Kon Tum", Press, &[]),
    def(
        "dai-ptth",
        "Đài Phát thanh - Truyền hình tỉnh",
        "Đài PT-TH tỉnh",
        Press,
        &["Đài PTTH tỉnh", "Đài Phát thanh và Truyền hình tỉnh"],
    ),
    def("cong-an", "Công an tỉnh", "CA tỉnh", ArmedForces, &[]),
    def(
        "bchqs",
        "Bộ Chỉ huy Quân sự tỉnh",
        "Bộ CHQS tỉnh",
        ArmedForces,
        &["BCHQS tỉnh", "Bộ Chỉ huy quân sự"],
    ),
    def(
        "bdbp",
        "Bộ Chỉ huy Bộ đội Biên phòng tỉnh",
        "BĐBP tỉnh",
        ArmedForces,
        &[
            "Bộ Chỉ huy Biên phòng tỉnh",
            "Bộ Chỉ huy BĐBP tỉnh",
            "BCH BĐBP tỉnh",
            "Bộ đội Biên phòng tỉnh",
            "Bộ Chỉ huy Bộ đội Biên phòng",
            "Bộ Chỉ huy Biên phòng",
            "BĐBP",
        ],
    ),
    sub(
        "bdbp-don-bo-y",
        "Đồn Biên phòng Cửa khẩu quốc tế Bờ Y",
        "Đồn BP CKQT Bờ Y",
        ArmedForces,
        "bdbp",
        &[
            "Đồn Biên phòng CKQT Bờ Y",
            "Đồn BP Bờ Y",
            "Đồn Biên phòng Bờ Y",
        ],
    ),
    sub(
        "bdbp-don-dak-nhoong",
        "Đồn Biên phòng Đăk Nhoong",
        "Đồn BP Đăk Nhoong",
        ArmedForces,
        "bdbp",
        &["Đồn BP Đăk Nhoong"],
    ),
    sub(
        "bdbp-don-dak-long",
        "Đồn Biên phòng Đăk Long",
        "Đồn BP Đăk Long",
        ArmedForces,
        "bdbp",
        &["Đồn BP Đăk Long"],
    ),
    sub(
        "bdbp-don-mo-rai",
        "Đồn Biên phòng Mô Rai",
        "Đồn BP Mô Rai",
        ArmedForces,
        "bdbp",
        &["Đồn BP Mô Rai"],
    ),
    sub(
        "bdbp-don-ia-dal",
        "Đồn Biên phòng Ia Đal",
        "Đồn BP Ia Đal",
        ArmedForces,
        "bdbp",
        &["Đồn BP Ia Đal"],
    ),
    def(
        "ban-tuyen-giao",
        "Ban Tuyên giáo Tỉnh ủy",
        "BTG Tỉnh ủy",
        Party,
        &["Ban Tuyên giáo"],
    ),
    def(
        "ban-dan-van",
        "Ban Dân vận Tỉnh ủy",
        "BDV Tỉnh ủy",
        Party,
        &[],
    ),
    def(
        "bo-tttt",
        "Bộ Thông tin và Truyền thông",
        "Bộ TT&TT",
        Central,
        &["Bộ TTTT"],
    ),
    sub(
        "cuc-ttdn",
        "Cục Thông tin đối ngoại",
        "Cục TTĐN",
        Central,
        "bo-tttt",
        &["Cục Thông tin đối ngoại (Bộ TT&TT)", "Cục TTĐN"],
    ),
    def("bo-ngoai-giao", "Bộ Ngoại giao", "BNG", Central, &[]),
    def(
        "ubnd-tp-kon-tum",
        "UBND thành phố Kon Tum",
        "UBND TP Kon Tum",
        District,
        &["thành phố Kon Tum", "TP Kon Tum", "TP. Kon Tum"],
    ),
    def(
        "ubnd-dak-ha",
        "UBND huyện Đăk Hà",
        "UBND Đăk Hà",
        District,
        &["huyện Đăk Hà", "Đăk Hà"],
    ),
    def(
        "ubnd-dak-to",
        "UBND huyện Đăk Tô",
        "UBND Đăk Tô",
        District,
        &["huyện Đăk Tô", "Đăk Tô"],
    ),
    def(
        "ubnd-ngoc-hoi",
        "UBND huyện Ngọc Hồi",
        "UBND Ngọc Hồi",
        District,
        &["huyện Ngọc Hồi", "Ngọc Hồi"],
    ),
    def(
        "ubnd-dak-glei",
        "UBND huyện Đăk Glei",
        "UBND Đăk Glei",
        District,
        &["huyện Đăk Glei", "Đăk Glei"],
    ),
    def(
        "ubnd-sa-thay",
        "UBND huyện Sa Thầy",
        "UBND Sa Thầy",
        District,
        &["huyện Sa Thầy", "Sa Thầy"],
    ),
    def(
        "ubnd-kon-ray",
        "UBND huyện Kon Rẫy",
        "UBND Kon Rẫy",
        District,
        &["huyện Kon Rẫy", "Kon Rẫy"],
    ),
    def(
        "ubnd-kon-plong",
        "UBND huyện Kon Plông",
        "UBND Kon Plông",
        District,
        &["huyện Kon Plông", "Kon Plông"],
    ),
    def(
        "ubnd-tu-mo-rong",
        "UBND huyện Tu Mơ Rông",
        "UBND Tu Mơ Rông",
        District,
        &["huyện Tu Mơ Rông", "Tu Mơ Rông"],
    ),
    def(
        "ubnd-ia-hdrai",
        "UBND huyện Ia H'Drai",
        "UBND Ia H'Drai",
        District,
        &["huyện Ia H'Drai", "Ia H'Drai"],
    ),
    sub(
        "ubnd-xa-bo-y",
        "UBND xã Bờ Y",
        "UBND xã Bờ Y",
        Commune,
        "ubnd-ngoc-hoi",
        &["xã Bờ Y"],
    ),
    sub(
        "ubnd-xa-mo-rai",
        "UBND xã Mô Rai",
        "UBND xã Mô Rai",
        Commune,
        "ubnd-sa-thay",
        &["xã Mô Rai"],
    ),
    sub(
        "ubnd-xa-dak-nhoong",
        "UBND xã Đăk Nhoong",
        "UBND xã Đăk Nhoong",
        Commune,
        "ubnd-dak-glei",
        &["xã Đăk Nhoong"],
    ),
];

/// The border districts of Kon Tum (on the borders with Laos and Cambodia).
const KON_TUM_BORDER: [&str; 4] = [
    "ubnd-sa-thay",
    "ubnd-ngoc-hoi",
    "ubnd-dak-glei",
    "ubnd-ia-hdrai",
];

/// The registry of Kon Tum's agencies, built once.
pub fn registry() -> &'static [Agency] {
    Registry::kon_tum().agencies()
}

/// Folded words that may follow a name without changing whom it names.
const PROVINCE_SUFFIXES: [&[&str]; 4] = [
    &["cua", "tinh"],
    &["tinh", "kon", "tum"],
    &["tinh"],
    &["kon", "tum"],
];

/// Folded words after a name that say "those concerned".
const RELATED_SUFFIXES: [&[&str]; 2] = [&["co", "lien", "quan"], &["lien", "quan"]];

impl Registry {
    /// Kon Tum's registry.
    pub fn kon_tum() -> &'static Registry {
        static KON_TUM_REGISTRY: OnceLock<Registry> = OnceLock::new();
        KON_TUM_REGISTRY.get_or_init(|| {
            let agencies = KON_TUM
                .iter()
                .filter_map(|d| {
                    Some(Agency {
                        id: AgencyId::parse(d.id).ok()?,
                        name: d.name.to_owned(),
                        short_name: d.short.to_owned(),
                        kind: d.kind,
                        parent: match d.parent {
                            Some(p) => Some(AgencyId::parse(p).ok()?),
                            None => None,
                        },
                        external: d.kind == Central,
                        border: KON_TUM_BORDER.contains(&d.id),
                        aliases: d.aliases.iter().map(|a| (*a).to_owned()).collect(),
                    })
                })
                .collect();
            Registry::new(agencies)
        })
    }

    /// A registry of the given agencies (another province's, or a test's).
    pub fn new(agencies: Vec<Agency>) -> Registry {
        let mut phrases: Vec<(Vec<String>, Target)> = Vec::new();
        for (i, a) in agencies.iter().enumerate() {
            let names = [a.name.as_str(), a.short_name.as_str()]
                .into_iter()
                .chain(a.aliases.iter().map(String::as_str));
            for name in names {
                let w = folded_words(name);
                if w.first().map(String::as_str) == Some("ubnd") {
                    let mut long = vec![
                        "uy".to_owned(),
                        "ban".to_owned(),
                        "nhan".to_owned(),
                        "dan".to_owned(),
                    ];
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
        Registry { agencies, phrases }
    }

    pub fn agencies(&self) -> &[Agency] {
        &self.agencies
    }

    /// The agency with this id.
    pub fn get(&self, id: &AgencyId) -> Option<&Agency> {
        self.agencies.iter().find(|a| &a.id == id)
    }

    /// The agency a name stands for, whatever its spelling: "Bộ Chỉ huy Biên phòng
    /// tỉnh", "BĐBP tỉnh" and "Bộ Chỉ huy Bộ đội Biên phòng tỉnh" give the same id.
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

    /// Every agency a group covers, with the units under them (communes excepted), in
    /// registry order.
    pub fn members(&self, group: Group) -> Vec<AgencyId> {
        self.agencies
            .iter()
            .filter(|a| self.covered(group, a))
            .map(|a| a.id.clone())
            .collect()
    }

    fn covered(&self, group: Group, agency: &Agency) -> bool {
        if group.covers(agency) {
            return true;
        }
        if agency.kind == AgencyKind::Commune || agency.external {
            return false;
        }
        match &agency.parent {
            Some(p) => self.get(p).is_some_and(|parent| group.covers(parent)),
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

    /// The longest phrase starting at word `at`, and the index of the word after it.
    fn match_at(&self, w: &[Word], at: usize) -> Option<(Target, usize)> {
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

    /// Skips "tỉnh", "của tỉnh", "liên quan" … after a name; says whether "liên quan"
    /// was among them.
    fn skip_suffixes(&self, w: &[Word], mut at: usize) -> (usize, bool) {
        let mut related = false;
        let mut progressed = true;
        while progressed {
            progressed = false;
            for suffix in PROVINCE_SUFFIXES.iter().chain(RELATED_SUFFIXES.iter()) {
                if starts_with_words(w, at, suffix) {
                    related |= RELATED_SUFFIXES.contains(suffix);
                    at += suffix.len();
                    progressed = true;
                    break;
                }
            }
        }
        (at, related)
    }
}

fn starts_with_words(w: &[Word], at: usize, phrase: &[&str]) -> bool {
    at + phrase.len() <= w.len()
        && phrase
            .iter()
            .enumerate()
            .all(|(k, p)| w[at + k].folded == *p && (k == 0 || !w[at + k].hard_break_before))
}

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

/// Folded first words that begin an agency's name; an unknown capitalised name
/// starting with one of them is an error rather than a role description.
const NAME_HEADS: [&str; 27] = [
    "so", "ban", "ubnd", "uy", "cuc", "chi", "bo", "dai", "bao", "don", "huyen", "xa", "tp",
    "thanh", "tinh", "vien", "truong", "trung", "hoi", "lien", "doan", "mat", "van", "cong",
    "phong", "ngan", "kho",
];

/// Folded words that join names without meaning anything.
const CONNECTORS: [&str; 4] = ["va", "voi", "cung", "cac"];

impl Registry {
    /// Reads an agency line ("Sở Thông tin và Truyền thông đôn đốc, hướng dẫn; các cơ
    /// quan báo chí …") into the names and groups it holds. Words between names that
    /// are not names become the role of the names before them; a word sequence that
    /// looks like a name but is not known is an error, with what was expected.
    pub(crate) fn read_agencies(&self, text: &str) -> Result<Vec<Mention>, String> {
        let w = words(text);
        let mut out: Vec<Mention> = Vec::new();
        let mut clause_start = 0;
        let mut requested = false;
        let mut i = 0;
        let mut loose: Vec<usize> = Vec::new();
        while i < w.len() {
            if w[i].hard_break_before && starts_clause(text, &w, i) {
                self.settle_role(text, &w, &mut loose, &mut out[clause_start..])?;
                clause_start = out.len();
                requested = false;
            }
            if starts_with_words(&w, i, &["de", "nghi"]) {
                requested = true;
                i += 2;
                continue;
            }
            if let Some((target, end)) = self.match_at(&w, i) {
                self.settle_role(text, &w, &mut loose, &mut out[clause_start..])?;
                let (end, related) = self.skip_suffixes(&w, end);
                let target = match target {
                    Target::Agency(k) => MentionTarget::Agency(self.agencies[k].id.clone()),
                    Target::Group(g) => MentionTarget::Group(g, self.members(g)),
                };
                let asked = requested
                    && match &target {
                        MentionTarget::Agency(id) => self
                            .get(id)
                            .is_some_and(|a| a.external || a.kind == AgencyKind::Party),
                        MentionTarget::Group(..) => false,
                    };
                out.push(Mention {
                    target,
                    text: text[w[i].start..w[end - 1].end].to_owned(),
                    role: None,
                    requested: asked,
                    related,
                });
                i = end;
                continue;
            }
            if loose.is_empty() && CONNECTORS.contains(&w[i].folded.as_str()) {
                i += 1;
                continue;
            }
            loose.push(i);
            i += 1;
        }
        self.settle_role(text, &w, &mut loose, &mut out[clause_start..])?;
        narrow_bracketed_groups(text, &mut out);
        if out.is_empty() && !w.is_empty() {
            return Err(format!(
                "an agency name or group phrase, not “{}”",
                text.trim()
            ));
        }
        Ok(out)
    }

    /// Turns loose words into the role of the clause's names so far, or fails when
    /// they look like an unknown agency. Loose words before the clause's first name
    /// cannot be a role, so they are an unknown name.
    fn settle_role(
        &self,
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
            return Err(format!("a known agency name, not “{phrase}”"));
        }
        for (k, idx) in (first..=last).enumerate() {
            let starts_part = k == 0 || text[w[idx - 1].end..w[idx].start].contains([',', ';']);
            let capital = text[w[idx].start..]
                .chars()
                .next()
                .is_some_and(char::is_uppercase);
            if starts_part && capital && NAME_HEADS.contains(&w[idx].folded.as_str()) {
                let name_end = (idx..=last)
                    .take_while(|j| {
                        *j == idx || !text[w[j - 1].end..w[*j].start].contains([',', ';', '('])
                    })
                    .last()
                    .unwrap_or(idx);
                return Err(format!(
                    "a known agency name, not “{}”",
                    &text[w[idx].start..w[name_end].end]
                ));
            }
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
}

/// "các huyện biên giới (Sa Thầy, Ngọc Hồi …)": the bracket says which members are
/// meant, so the group keeps those only, and the names in the bracket are not read
/// again as agencies of their own.
fn narrow_bracketed_groups(text: &str, out: &mut Vec<Mention>) {
    let mut k = 0;
    while k < out.len() {
        if let MentionTarget::Group(g, _) = &out[k].target {
            let g = *g;
            let inner = text
                .find(&out[k].text)
                .map(|p| text[p + out[k].text.len()..].trim_start())
                .and_then(|rest| rest.strip_prefix('('))
                .and_then(|r| r.split_once(')'))
                .map(|(inside, _)| inside);
            if let Some(inner) = inner {
                let listed: Vec<AgencyId> = out[k + 1..]
                    .iter()
                    .take_while(|m| inner.contains(m.text.as_str()))
                    .map_while(|m| match &m.target {
                        MentionTarget::Agency(id) => Some(id.clone()),
                        MentionTarget::Group(..) => None,
                    })
                    .collect();
                if !listed.is_empty() {
                    let role = out[k + listed.len()].role.clone();
                    out.drain(k + 1..=k + listed.len());
                    out[k].target = MentionTarget::Group(g, listed);
                    if out[k].role.is_none() {
                        out[k].role = role;
                    }
                }
            }
        }
        k += 1;
    }
}

impl Registry {
    /// The first agency (not group) named anywhere in `text`.
    pub(crate) fn first_agency(&self, text: &str) -> Option<AgencyId> {
        let w = words(text);
        (0..w.len()).find_map(|i| match self.match_at(&w, i) {
            Some((Target::Agency(k), _)) => Some(self.agencies[k].id.clone()),
            _ => None,
        })
    }
}

/// Whether the hard break before word `i` ends a clause (a semicolon or a new line),
/// rather than opening or closing a bracket.
fn starts_clause(text: &str, w: &[Word], i: usize) -> bool {
    let gap_start = if i == 0 { 0 } else { w[i - 1].end };
    text[gap_start..w[i].start].contains([';', '\n'])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(s: &str) -> AgencyId {
        AgencyId::parse(s).unwrap()
    }

    #[test]
    fn every_kon_tum_agency_is_valid_and_unique() {
        let r = Registry::kon_tum();
        assert_eq!(r.agencies().len(), KON_TUM.len());
        for a in r.agencies() {
            assert_eq!(
                r.agencies().iter().filter(|b| b.id == a.id).count(),
                1,
                "{}",
                a.id
            );
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
        assert_eq!(registry().len(), KON_TUM.len());
    }

    #[test]
    fn no_phrase_names_two_things() {
        let r = Registry::kon_tum();
        for (i, (words, target)) in r.phrases.iter().enumerate() {
            for (other, other_target) in &r.phrases[i + 1..] {
                assert!(words != other || target == other_target, "{words:?}");
            }
        }
    }

    #[test]
    fn name_variants_resolve_to_one_agency() {
        let r = Registry::kon_tum();
        for name in [
            "Bộ Chỉ huy Bộ đội Biên phòng tỉnh",
            "Bộ Chỉ huy Biên phòng tỉnh",
            "BĐBP tỉnh",
            "bộ chỉ huy bộ đội biên phòng",
        ] {
            assert_eq!(r.resolve(name), Some(id("bdbp")), "{name}");
        }
        for name in [
            "Sở Văn hóa, Thể thao và Du lịch",
            "Sở VHTTDL",
            "Sở Văn hoá, Thể thao và Du lịch",
            "SỞ VĂN HÓA, THỂ THAO VÀ DU LỊCH",
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
        assert!(!r.members(Group::Departments).contains(&id("bdbp")));
    }

    #[test]
    fn reads_agency_lines_with_roles_requests_and_brackets() {
        let r = Registry::kon_tum();
        let m = r
            .read_agencies("Sở Thông tin và Truyền thông đôn đốc, hướng dẫn; các cơ quan báo chí, truyền thông của tỉnh; các Sở, ban ngành, UBND các huyện, thành phố chỉ đạo Trang/Cổng thông tin điện tử triển khai thực hiện.")
            .unwrap();
        assert_eq!(m.len(), 4);
        assert_eq!(m[0].role.as_deref(), Some("đôn đốc, hướng dẫn"));
        assert_eq!(m[1].role, None);
        assert_eq!(
            m[3].role.as_deref(),
            Some("chỉ đạo Trang/Cổng thông tin điện tử triển khai thực hiện")
        );
        assert_eq!(m[2].role, m[3].role);

        let m = r
            .read_agencies("Đề nghị Cục Thông tin đối ngoại, Bộ Thông tin và Truyền thông và các cơ quan, đơn vị, địa phương liên quan phối hợp.")
            .unwrap();
        assert_eq!(m.len(), 3);
        assert!(m[0].requested && m[1].requested && !m[2].requested);
        assert!(m[2].related);

        let m = r
            .read_agencies(
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

        let err = r
            .read_agencies("Sở Thông tin và Truyền thông, Sở Hàng Hải")
            .unwrap_err();
        assert!(err.contains("Sở Hàng Hải"), "{err}");
        assert!(r.read_agencies("theo phân công").is_err());
        let err = r
            .read_agencies("Sở Ngoại vụ; Trung tâm Xúc tiến đầu tư")
            .unwrap_err();
        assert!(err.contains("Trung tâm Xúc tiến đầu tư"), "{err}");
        let err = r
            .read_agencies("các doanh nghiệp, Sở Ngoại vụ")
            .unwrap_err();
        assert!(err.contains("doanh nghiệp"), "{err}");
    }
}
