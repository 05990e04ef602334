//! Accounts in bulk, for the command line: the CSV file `tiendo user import` reads
//! (one account a row: username, display name, agency, role), roles and agencies named
//! as people write them, and the passwords the server generates.

use std::collections::HashMap;

use tiendo_shared::i18n::Lang;
use tiendo_shared::ids::AgencyId;
use tiendo_shared::protocol::{AgencyRef, Role};
use tiendo_shared::search::{Query, folded};

use crate::db::{Refusal, StoredAgency};

/// A problem in both languages: English for the command line, Vietnamese for the
/// web app (which asks in its own language).
fn said(en: String, vi: String) -> Refusal {
    Refusal { en, vi }
}

/// One account the file asks for, on row `row`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountRow {
    /// The row of the file, as a spreadsheet numbers it (the header is row 1).
    pub row: usize,
    pub username: String,
    pub display_name: String,
    pub agency: AgencyRef,
    pub role: Role,
}

/// What is wrong with one row of the file, in both languages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub row: usize,
    pub problem: Refusal,
}

impl RowError {
    /// "row 3: …" in English, "dòng 3: …" in Vietnamese (`lang` as [`Refusal::in_lang`]).
    pub fn in_lang(&self, lang: &str) -> String {
        let row = if lang == "vi" { "dòng" } else { "row" };
        format!("{row} {}: {}", self.row, self.problem.in_lang(lang))
    }
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.in_lang("en"))
    }
}

/// The columns, in order, as the messages name them.
const COLUMNS: &str = "username, display name, agency, role";
const COLUMNS_VI: &str = "tên đăng nhập, họ tên, cơ quan, vai trò";

/// How a first row naming the columns starts (folded).
const HEADER_WORDS: [&str; 7] = [
    "username",
    "user name",
    "user",
    "login",
    "ten dang nhap",
    "tai khoan",
    "ten tai khoan",
];

/// Reads the accounts of a CSV file against the agencies of the database and the
/// usernames taken already. Every row is checked; any problem refuses the whole file,
/// and each is reported with its row.
pub fn read_accounts(
    text: &str,
    agencies: &[StoredAgency],
    taken: &[String],
) -> Result<Vec<AccountRow>, Vec<RowError>> {
    let records = records(text).map_err(|e| vec![e])?;
    let taken: HashMap<String, &str> = taken
        .iter()
        .map(|name| (name.to_lowercase(), name.as_str()))
        .collect();
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut accounts = Vec::new();
    let mut errors = Vec::new();
    let mut records = records.into_iter().peekable();
    // The first row names the columns when it starts with a column's name and names
    // no role (an account called "user" is still an account).
    if let Some((_, first)) = records.peek()
        && first
            .first()
            .is_some_and(|cell| HEADER_WORDS.contains(&folded(cell).trim()))
        && first.get(3).is_none_or(|role| parse_role(role).is_none())
    {
        records.next();
    }
    for (row, cells) in records {
        let mut problems = Vec::new();
        let cells: Vec<&str> = cells.iter().map(|c| c.trim()).collect();
        let used = cells
            .iter()
            .rposition(|c| !c.is_empty())
            .map_or(0, |i| i + 1);
        if used != 4 {
            errors.push(RowError {
                row,
                problem: said(
                    format!("expected 4 columns ({COLUMNS}), found {used}"),
                    format!("cần 4 cột ({COLUMNS_VI}), dòng này có {used}"),
                ),
            });
            continue;
        }
        let [username, display_name, agency, role] = [cells[0], cells[1], cells[2], cells[3]];
        if let Err(problem) = check_username(username) {
            problems.push(problem);
        } else if let Some(first) = seen.get(&username.to_lowercase()) {
            problems.push(said(
                format!("the username {username:?} is also on row {first}"),
                format!("tên đăng nhập “{username}” trùng với dòng {first}"),
            ));
        } else if let Some(existing) = taken.get(&username.to_lowercase()) {
            problems.push(said(
                format!("the username {existing:?} exists already"),
                format!("tên đăng nhập “{existing}” đã có"),
            ));
        } else {
            seen.insert(username.to_lowercase(), row);
        }
        if display_name.chars().count() > 200 || display_name.chars().any(char::is_control) {
            problems.push(said(
                "the display name must be one line of at most 200 characters".into(),
                "họ tên phải trên một dòng, tối đa 200 ký tự".into(),
            ));
        }
        let agency = find_agency(agencies, agency)
            .map_err(|p| problems.push(p))
            .ok();
        let role = parse_role(role)
            .ok_or_else(|| {
                problems.push(said(
                    format!(
                        "unknown role {role:?}: use staff, head, supervisor or admin (or cán \
                         bộ, lãnh đạo, theo dõi, quản trị)"
                    ),
                    format!(
                        "không có vai trò “{role}”: dùng cán bộ, lãnh đạo, theo dõi hoặc quản \
                         trị (hoặc staff, head, supervisor, admin)"
                    ),
                ))
            })
            .ok();
        match (agency, role) {
            (Some(agency), Some(role)) if problems.is_empty() => accounts.push(AccountRow {
                row,
                username: username.to_owned(),
                display_name: if display_name.is_empty() {
                    username.to_owned()
                } else {
                    display_name.to_owned()
                },
                agency,
                role,
            }),
            _ => errors.push(RowError {
                row,
                problem: said(joined(&problems, "en"), joined(&problems, "vi")),
            }),
        }
    }
    if accounts.is_empty() && errors.is_empty() {
        errors.push(RowError {
            row: 1,
            problem: said(
                format!("no accounts: one a row, with the columns {COLUMNS}"),
                format!("không có tài khoản nào: mỗi dòng một tài khoản, với các cột {COLUMNS_VI}"),
            ),
        });
    }
    if errors.is_empty() {
        Ok(accounts)
    } else {
        Err(errors)
    }
}

/// The problems of a row, one after the other.
fn joined(problems: &[Refusal], lang: &str) -> String {
    problems
        .iter()
        .map(|p| p.in_lang(lang))
        .collect::<Vec<_>>()
        .join("; ")
}

/// A username people can type on a phone: 1 to 64 characters, letters, digits, `.`,
/// `-`, `_` and `@`.
pub fn check_username(username: &str) -> Result<(), Refusal> {
    let fits = (1..=64).contains(&username.chars().count())
        && username
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '_' | '@'));
    if fits {
        Ok(())
    } else {
        Err(said(
            format!(
                "the username {username:?} must be 1 to 64 letters, digits, '.', '-', '_' or '@'"
            ),
            format!(
                "tên đăng nhập “{username}” phải có từ 1 đến 64 chữ cái, chữ số, '.', '-', '_' \
                 hoặc '@'"
            ),
        ))
    }
}

/// A role by its code (`staff`, `head`, `supervisor`, `admin`) or its name in
/// Vietnamese or English, without regard to case or diacritics.
pub fn parse_role(text: &str) -> Option<Role> {
    let text = folded(text.trim());
    let extra = |role: Role| -> &'static [&'static str] {
        match role {
            Role::Staff => &["can bo", "chuyen vien", "nhan vien"],
            Role::Head => &["lanh dao", "head of agency"],
            Role::Supervisor => &["theo doi", "can bo theo doi", "giam sat"],
            Role::Admin => &["quan tri vien", "admin"],
        }
    };
    Role::ALL.into_iter().find(|&role| {
        text == role.code()
            || text == folded(role.label(Lang::Vi))
            || text == folded(role.label(Lang::En))
            || extra(role).contains(&text.as_str())
    })
}

/// The agency a row names: by its id, or by its name, abbreviation or a former name,
/// exactly or without regard to case and diacritics. An agency merged into another
/// is named by the one it joined.
pub fn find_agency(agencies: &[StoredAgency], text: &str) -> Result<AgencyRef, Refusal> {
    if text.is_empty() {
        return Err(said(
            "no agency: give its id or its name (see `tiendo agency list`)".into(),
            "thiếu cơ quan: ghi mã hoặc tên cơ quan".into(),
        ));
    }
    if let Ok(id) = AgencyId::parse(text)
        && let Some(stored) = agencies.iter().find(|a| a.agency.id == id)
    {
        return match &stored.merged_into {
            Some(into) => Err(said(
                format!("the agency {id} was merged into {into}: name {into} instead"),
                format!("cơ quan {id} đã được hợp nhất vào {into}: ghi {into}"),
            )),
            None => Ok(agency_ref(stored)),
        };
    }
    let live: Vec<&StoredAgency> = agencies
        .iter()
        .filter(|a| a.merged_into.is_none())
        .collect();
    let names = |a: &StoredAgency| -> Vec<String> {
        let mut names = vec![a.agency.name.clone(), a.agency.short_name.clone()];
        names.extend(a.agency.aliases.iter().cloned());
        names
    };
    let squeeze = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let exact: Vec<&StoredAgency> = live
        .iter()
        .copied()
        .filter(|a| names(a).iter().any(|n| squeeze(n) == squeeze(text)))
        .collect();
    let found = if exact.is_empty() {
        let wanted = squeeze(&folded(text));
        live.iter()
            .copied()
            .filter(|a| names(a).iter().any(|n| squeeze(&folded(n)) == wanted))
            .collect()
    } else {
        exact
    };
    match found.as_slice() {
        [one] => Ok(agency_ref(one)),
        [] => {
            let query = Query::new(text);
            let near: Vec<String> = live
                .iter()
                .filter(|a| query.matches(names(a).iter().map(String::as_str)))
                .take(3)
                .map(|a| format!("{} ({})", a.agency.id, a.agency.name))
                .collect();
            Err(if near.is_empty() {
                said(
                    format!("no agency {text:?} (see `tiendo agency list`)"),
                    format!("không có cơ quan “{text}”"),
                )
            } else {
                said(
                    format!("no agency {text:?}; did you mean {}?", near.join(", ")),
                    format!("không có cơ quan “{text}”; có phải là {}?", near.join(", ")),
                )
            })
        }
        several => {
            let listed = several
                .iter()
                .map(|a| format!("{} ({}, {})", a.agency.id, a.agency.name, a.province))
                .collect::<Vec<_>>()
                .join(", ");
            Err(said(
                format!("the agency {text:?} is ambiguous: {listed}; give its id"),
                format!("“{text}” có thể là nhiều cơ quan: {listed}; hãy ghi mã cơ quan"),
            ))
        }
    }
}

fn agency_ref(stored: &StoredAgency) -> AgencyRef {
    AgencyRef {
        id: stored.agency.id.clone(),
        name: stored.agency.name.clone(),
    }
}

/// The records of a CSV file (RFC 4180: quoted fields may hold the separator, quotes
/// doubled and line breaks), each with its row as a spreadsheet numbers it. The
/// separator is `,`, or `;` when the first line has semicolons and no commas (as
/// spreadsheets save CSV where the comma is the decimal mark). Blank rows are skipped.
pub fn records(text: &str) -> Result<Vec<(usize, Vec<String>)>, RowError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let first_line = text.lines().next().unwrap_or_default();
    let separator = if first_line.contains(';') && !first_line.contains(',') {
        ';'
    } else {
        ','
    };
    let mut out = Vec::new();
    let mut record: Vec<String> = Vec::new();
    let mut field = String::new();
    let mut row = 1;
    let mut quoted = false;
    let mut quote_row = 1;
    let mut chars = text.chars().peekable();
    let mut finish = |record: &mut Vec<String>, field: &mut String, row: usize| {
        record.push(std::mem::take(field));
        let cells = std::mem::take(record);
        if cells.iter().any(|c| !c.trim().is_empty()) {
            out.push((row, cells));
        }
    };
    let mut record_row = 1;
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => quoted = false,
                '\n' => {
                    row += 1;
                    field.push('\n');
                }
                '\r' => {}
                _ => field.push(c),
            }
            continue;
        }
        match c {
            '"' if field.trim().is_empty() => {
                field.clear();
                quoted = true;
                quote_row = row;
            }
            c if c == separator => record.push(std::mem::take(&mut field)),
            '\r' => {}
            '\n' => {
                finish(&mut record, &mut field, record_row);
                row += 1;
                record_row = row;
            }
            _ => field.push(c),
        }
    }
    if quoted {
        return Err(RowError {
            row: quote_row,
            problem: said(
                "a quoted field is not closed (a \" is missing)".into(),
                "một ô mở dấu ngoặc kép mà không đóng (thiếu một dấu \")".into(),
            ),
        });
    }
    finish(&mut record, &mut field, record_row);
    Ok(out)
}

/// A new random password that reads well aloud and types easily on a phone: four
/// pairs of syllables and two digits, such as `bado-kiru-mesa-tovu-47` (22 characters,
/// about 55 bits), with no letters or digits that look alike.
pub fn generate_password() -> Result<String, String> {
    const CONSONANTS: &[u8] = b"bdghkmnprstvx";
    const VOWELS: &[u8] = b"aeiou";
    const DIGITS: &[u8] = b"23456789";
    let mut random = Random::default();
    let mut out = String::new();
    for group in 0..4 {
        if group > 0 {
            out.push('-');
        }
        for _ in 0..2 {
            out.push(char::from(CONSONANTS[random.below(CONSONANTS.len())?]));
            out.push(char::from(VOWELS[random.below(VOWELS.len())?]));
        }
    }
    out.push('-');
    for _ in 0..2 {
        out.push(char::from(DIGITS[random.below(DIGITS.len())?]));
    }
    Ok(out)
}

/// Random numbers from the operating system, uniform (bytes that would bias the
/// result are drawn again).
#[derive(Default)]
struct Random {
    bytes: Vec<u8>,
}

impl Random {
    fn below(&mut self, n: usize) -> Result<usize, String> {
        let limit = 256 - 256 % n;
        loop {
            if self.bytes.is_empty() {
                let mut fresh = [0u8; 64];
                getrandom::fill(&mut fresh).map_err(|e| format!("no randomness: {e}"))?;
                self.bytes = fresh.to_vec();
            }
            let byte = usize::from(self.bytes.pop().unwrap_or_default());
            if byte < limit {
                return Ok(byte % n);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_records_keep_quoted_separators_and_line_breaks_and_their_rows() {
        let text = "\u{feff}username,name\r\n\"a\",\"Nguyễn, Văn \"\"A\"\"\"\r\n\r\nb,\"hai\ndòng\"\nc,x\n";
        assert_eq!(
            records(text).unwrap(),
            [
                (1, vec!["username".to_owned(), "name".to_owned()]),
                (2, vec!["a".into(), "Nguyễn, Văn \"A\"".into()]),
                (4, vec!["b".into(), "hai\ndòng".into()]),
                (6, vec!["c".into(), "x".into()]),
            ]
        );
        assert_eq!(
            records("a;b;c\n").unwrap(),
            [(1, vec!["a".into(), "b".into(), "c".into()])]
        );
        assert_eq!(records("a,\"b\nc,d\n").unwrap_err().row, 1);
    }

    #[test]
    fn roles_are_read_by_code_and_by_name() {
        assert_eq!(parse_role("staff"), Some(Role::Staff));
        assert_eq!(parse_role(" Lãnh đạo "), Some(Role::Head));
        assert_eq!(parse_role("LANH DAO CO QUAN"), Some(Role::Head));
        assert_eq!(parse_role("Quản trị"), Some(Role::Admin));
        assert_eq!(parse_role("theo dõi"), Some(Role::Supervisor));
        assert_eq!(parse_role("boss"), None);
    }

    #[test]
    fn passwords_are_long_readable_and_different() {
        let (a, b) = (generate_password().unwrap(), generate_password().unwrap());
        assert_ne!(a, b);
        assert_eq!(a.len(), 22);
        assert!(
            a.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        );
        assert!(!a.contains(['0', '1', 'l']));
    }
}
