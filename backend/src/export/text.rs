//! The words of an administrative document, worked out from the plan and the agency
//! table: the governing and issuing bodies, the document symbol, the place and date
//! line, the period as a phrase, the signer's position, and file names.

use tiendo_shared::date::Date;
use tiendo_shared::plan::{AgencyKind, Period, PeriodKind, Plan};

use crate::db::ExportAgency;

/// How a people's committee's name starts, in full and abbreviated.
const COMMITTEE: [&str; 2] = ["Ủy ban nhân dân", "Uỷ ban nhân dân"];
const COMMITTEE_SHORT: &str = "UBND";

/// "Ủy ban nhân dân tỉnh Kon Tum" → "UBND tỉnh Kon Tum".
pub fn abbreviate_committee(name: &str) -> String {
    for full in COMMITTEE {
        if let Some(rest) = name.strip_prefix(full) {
            return format!("{COMMITTEE_SHORT}{rest}");
        }
    }
    name.to_owned()
}

/// "UBND huyện Ngọc Hồi" → "Ủy ban nhân dân huyện Ngọc Hồi".
pub fn expand_committee(name: &str) -> String {
    match name.strip_prefix(COMMITTEE_SHORT) {
        Some(rest) if rest.starts_with(' ') => format!("{}{rest}", COMMITTEE[0]),
        _ => name.to_owned(),
    }
}

/// The body above the issuing one, as the first header line shows it: the agency it
/// belongs to, or for a provincial department or press body the plan's issuer (the
/// province's people's committee). `None` where the issuing body stands alone (a
/// district's committee, the armed forces, whose ministries the table does not hold).
pub fn governing_body(agency: &ExportAgency, plan: &Plan) -> Option<String> {
    if let Some(parent) = &agency.parent {
        return Some(abbreviate_committee(&parent.name).to_uppercase());
    }
    match agency.kind {
        Some(AgencyKind::Department | AgencyKind::Press) if !plan.issuer.is_empty() => {
            Some(abbreviate_committee(&plan.issuer).to_uppercase())
        }
        _ => None,
    }
}

/// The issuing body as the second header line shows it, in capitals.
pub fn issuing_body(agency: &ExportAgency) -> String {
    expand_committee(&agency.name).to_uppercase()
}

/// The plan's issuer as a recipient names it: "Ủy ban nhân dân tỉnh Kon Tum" → "UBND
/// tỉnh".
pub fn issuer_as_recipient(plan: &Plan) -> String {
    let short = abbreviate_committee(&plan.issuer);
    match short.strip_suffix(&plan.province) {
        Some(rest) if !plan.province.is_empty() => rest.trim_end().to_owned(),
        _ => short,
    }
}

/// Words a symbol leaves out: the level of the body, and conjunctions.
const SYMBOL_SKIPS: [&str; 5] = ["tỉnh", "huyện", "xã", "và", "của"];

/// The symbol of the issuing body in a document number ("BC-STTTT"): a committee's
/// is "UBND"; otherwise the capital initial of each plain word of its short name and
/// each abbreviation whole, without "&", "-" and ".", leaving out "tỉnh" and the like
/// ("Sở TT&TT" → "STTTT", "Sở NgV" → "SNgV", "Bộ CHQS tỉnh" → "BCHQS").
pub fn symbol(agency: &ExportAgency) -> String {
    let short = if agency.short_name.trim().is_empty() {
        &agency.name
    } else {
        &agency.short_name
    };
    if short.starts_with(COMMITTEE_SHORT) || COMMITTEE.iter().any(|c| short.starts_with(c)) {
        return COMMITTEE_SHORT.to_owned();
    }
    let mut out = String::new();
    for word in short.split_whitespace() {
        let cleaned: String = word.chars().filter(|c| c.is_alphanumeric()).collect();
        let mut chars = cleaned.chars();
        let Some(first) = chars.next() else {
            continue;
        };
        if SYMBOL_SKIPS.contains(&cleaned.as_str()) {
            continue;
        }
        if chars.clone().any(char::is_uppercase) || word.contains(['&', '-']) {
            out.push_str(&cleaned);
        } else {
            out.extend(first.to_uppercase());
        }
    }
    if out.is_empty() { "CQ".to_owned() } else { out }
}

/// The place a document is issued at: a district committee's district ("UBND huyện
/// Ngọc Hồi" → "Ngọc Hồi"), otherwise the plan's province.
pub fn place(agency: &ExportAgency, plan: &Plan) -> String {
    if matches!(agency.kind, Some(AgencyKind::District)) {
        let name = abbreviate_committee(&agency.name);
        let rest = name.strip_prefix(COMMITTEE_SHORT).unwrap_or(&name).trim();
        for unit in ["huyện", "thành phố", "thị xã", "quận"] {
            if let Some(place) = rest.strip_prefix(unit) {
                return place.trim().to_owned();
            }
        }
        return rest.to_owned();
    }
    plan.province.clone()
}

/// "Kon Tum, ngày 24 tháng 6 năm 2019": days under 10 and the months January and
/// February with a leading zero, as Decree 30/2020/NĐ-CP writes them.
pub fn place_and_date(place: &str, date: Date) -> String {
    let month = if date.month() <= 2 {
        format!("{:02}", date.month())
    } else {
        date.month().to_string()
    };
    let when = format!("ngày {:02} tháng {month} năm {}", date.day(), date.year());
    if place.is_empty() {
        capitalise(&when)
    } else {
        format!("{place}, {when}")
    }
}

/// "6 tháng đầu năm 2019", "năm 2019", "quý II năm 2019".
pub fn period_phrase(period: Period) -> String {
    match period.kind {
        PeriodKind::HalfYear => format!("6 tháng đầu năm {}", period.year),
        PeriodKind::Year => format!("năm {}", period.year),
        PeriodKind::Quarter(q) => {
            let roman = ["I", "II", "III", "IV"]
                .get(usize::from(q.saturating_sub(1)))
                .copied()
                .unwrap_or("");
            format!("quý {roman} năm {}", period.year)
        }
    }
}

/// The signer's position, in capitals, a line each ("GIÁM ĐỐC"; a committee signs
/// "TM. ỦY BAN NHÂN DÂN" over "CHỦ TỊCH").
pub fn signer_position(agency: &ExportAgency) -> Vec<String> {
    let name = expand_committee(&agency.name);
    let starts = |prefix: &str| name.starts_with(prefix);
    let lines: &[&str] = if COMMITTEE.iter().any(|c| name.starts_with(c)) {
        &["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"]
    } else if starts("Sở ") || starts("Đài ") || starts("Công an") || starts("Trung tâm") {
        &["GIÁM ĐỐC"]
    } else if starts("Văn phòng") {
        &["CHÁNH VĂN PHÒNG"]
    } else if starts("Ban ") {
        &["TRƯỞNG BAN"]
    } else if starts("Báo ") {
        &["TỔNG BIÊN TẬP"]
    } else if starts("Bộ Chỉ huy") {
        &["CHỈ HUY TRƯỞNG"]
    } else if starts("Bộ ") {
        &["BỘ TRƯỞNG"]
    } else {
        &["THỦ TRƯỞNG CƠ QUAN"]
    };
    lines.iter().map(|l| (*l).to_owned()).collect()
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// `text` without its Vietnamese diacritics ("Báo cáo tổng hợp" → "Bao cao tong hop"),
/// anything else outside printable ASCII, and the quote and backslash, as `_`: the
/// plain file name of a `Content-Disposition` header.
pub fn ascii_file_name(text: &str) -> String {
    const GROUPS: [(&str, char); 14] = [
        ("àáảãạăằắẳẵặâầấẩẫậ", 'a'),
        ("ÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬ", 'A'),
        ("èéẻẽẹêềếểễệ", 'e'),
        ("ÈÉẺẼẸÊỀẾỂỄỆ", 'E'),
        ("ìíỉĩị", 'i'),
        ("ÌÍỈĨỊ", 'I'),
        ("òóỏõọôồốổỗộơờớởỡợ", 'o'),
        ("ÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢ", 'O'),
        ("ùúủũụưừứửữự", 'u'),
        ("ÙÚỦŨỤƯỪỨỬỮỰ", 'U'),
        ("ỳýỷỹỵ", 'y'),
        ("ỲÝỶỸỴ", 'Y'),
        ("đ", 'd'),
        ("Đ", 'D'),
    ];
    text.chars()
        .map(|c| {
            if let Some((_, plain)) = GROUPS.iter().find(|(group, _)| group.contains(c)) {
                *plain
            } else if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// `text` percent-encoded as UTF-8 for an RFC 8187 `filename*` parameter.
pub fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `text` with the characters file systems refuse replaced by "-".
pub fn file_safe(text: &str) -> String {
    text.chars()
        .map(|c| {
            if matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|') || c.is_control() {
                '-'
            } else {
                c
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use tiendo_shared::ids::AgencyId;
    use tiendo_shared::protocol::AgencyRef;

    fn agency(name: &str, short: &str, kind: AgencyKind) -> ExportAgency {
        ExportAgency {
            id: AgencyId::parse("x").unwrap(),
            name: name.into(),
            short_name: short.into(),
            kind: Some(kind),
            parent: None,
        }
    }

    #[test]
    fn symbols_come_from_short_names() {
        let d = AgencyKind::Department;
        assert_eq!(
            symbol(&agency("Sở Thông tin và Truyền thông", "Sở TT&TT", d)),
            "STTTT"
        );
        assert_eq!(symbol(&agency("Sở Ngoại vụ", "Sở NgV", d)), "SNgV");
        assert_eq!(
            symbol(&agency(
                "Sở Lao động - Thương binh và Xã hội",
                "Sở LĐ-TB&XH",
                d
            )),
            "SLĐTBXH"
        );
        assert_eq!(
            symbol(&agency("Ban Tôn giáo tỉnh", "Ban Tôn giáo", d)),
            "BTG"
        );
        let a = AgencyKind::ArmedForces;
        assert_eq!(
            symbol(&agency("Bộ Chỉ huy Quân sự tỉnh", "Bộ CHQS tỉnh", a)),
            "BCHQS"
        );
        let k = AgencyKind::District;
        assert_eq!(
            symbol(&agency("UBND huyện Ngọc Hồi", "UBND Ngọc Hồi", k)),
            "UBND"
        );
    }

    #[test]
    fn committees_are_abbreviated_over_and_expanded_as_issuers() {
        assert_eq!(
            abbreviate_committee("Ủy ban nhân dân tỉnh Kon Tum").to_uppercase(),
            "UBND TỈNH KON TUM"
        );
        let district = agency("UBND huyện Ngọc Hồi", "UBND Ngọc Hồi", AgencyKind::District);
        assert_eq!(issuing_body(&district), "ỦY BAN NHÂN DÂN HUYỆN NGỌC HỒI");
        assert_eq!(
            signer_position(&district),
            ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"]
        );
        let mut unit = agency(
            "Đồn Biên phòng Mô Rai",
            "Đồn BP Mô Rai",
            AgencyKind::ArmedForces,
        );
        unit.parent = Some(AgencyRef {
            id: AgencyId::parse("bdbp").unwrap(),
            name: "Bộ Chỉ huy Bộ đội Biên phòng tỉnh".into(),
        });
        let plan = tiendo_shared::plan::parse_plan(crate::seed::BUILTIN_PLAN).unwrap();
        assert_eq!(
            governing_body(&unit, &plan).as_deref(),
            Some("BỘ CHỈ HUY BỘ ĐỘI BIÊN PHÒNG TỈNH")
        );
        assert_eq!(issuer_as_recipient(&plan), "UBND tỉnh");
    }

    #[test]
    fn dates_are_written_as_the_decree_writes_them() {
        let d = |y, m, d| Date::new(y, m, d).unwrap();
        assert_eq!(
            place_and_date("Kon Tum", d(2019, 6, 24)),
            "Kon Tum, ngày 24 tháng 6 năm 2019"
        );
        assert_eq!(
            place_and_date("Kon Tum", d(2019, 2, 5)),
            "Kon Tum, ngày 05 tháng 02 năm 2019"
        );
        assert_eq!(
            period_phrase(Period::parse("Q2-2019").unwrap()),
            "quý II năm 2019"
        );
    }

    #[test]
    fn file_names_have_an_ascii_form_and_an_encoded_one() {
        let name = "Báo cáo tổng hợp H1-2019 - 215-KH-UBND.docx";
        assert_eq!(
            ascii_file_name(name),
            "Bao cao tong hop H1-2019 - 215-KH-UBND.docx"
        );
        assert!(percent_encode(name).starts_with("B%C3%A1o%20c%C3%A1o"));
        assert_eq!(file_safe("215/KH-UBND"), "215-KH-UBND");
    }
}
