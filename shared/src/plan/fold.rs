//! Text helpers for reading Vietnamese plans: diacritic folding and word tokens.
//!
//! Plans spell the same name many ways ("Văn hóa"/"Văn hoá", "Đăk"/"Đắk", upper or
//! lower case, composed or decomposed marks). Matching works on a folded form: lower
//! case, no tone or vowel marks, "đ" read as "d". The fold table below covers every
//! Vietnamese letter; combining marks (decomposed input) are dropped.

/// Vietnamese letters with marks, grouped by the plain letter they fold to.
const FOLD_TABLE: [(char, &str); 7] = [
    ('a', "àáảãạăằắẳẵặâầấẩẫậ"),
    ('e', "èéẻẽẹêềếểễệ"),
    ('i', "ìíỉĩị"),
    ('o', "òóỏõọôồốổỗộơờớởỡợ"),
    ('u', "ùúủũụưừứửữự"),
    ('y', "ỳýỷỹỵ"),
    ('d', "đð"),
];

/// Whether `c` is a combining mark of the kind decomposed Vietnamese text uses.
pub(crate) fn is_combining(c: char) -> bool {
    ('\u{300}'..='\u{36f}').contains(&c)
}

/// One lower-case character without its marks.
fn fold_lower(c: char) -> char {
    if c.is_ascii() {
        return c;
    }
    for (plain, marked) in FOLD_TABLE {
        if marked.contains(c) {
            return plain;
        }
    }
    c
}

/// The folded form of `s`: lower case, no diacritics, typographic quotes made plain,
/// runs of white space made one space.
pub(crate) fn fold(s: &str) -> String {
    fold_chars(s.len(), s.chars().flat_map(char::to_lowercase))
}

/// [`fold`] of text already in lower case (by a browser's `toLowerCase`, for one,
/// which maps case by the same Unicode rules without Rust's tables in the app).
pub(crate) fn fold_lowercase(s: &str) -> String {
    fold_chars(s.len(), s.chars())
}

/// The folded form of `chars`, lower-case characters.
fn fold_chars(len: usize, chars: impl Iterator<Item = char>) -> String {
    let mut out = String::with_capacity(len);
    let mut space = false;
    for c in chars {
        if is_combining(c) {
            continue;
        }
        if c.is_whitespace() {
            space = true;
            continue;
        }
        if space && !out.is_empty() {
            out.push(' ');
        }
        space = false;
        out.push(match c {
            '’' | '‘' | '`' => '\'',
            '“' | '”' => '"',
            '–' | '—' => '-',
            other => fold_lower(other),
        });
    }
    out
}

/// A word of a text, with where it sits in the original.
#[derive(Debug, Clone)]
pub(crate) struct Word {
    /// The folded word, apostrophes removed ("H'Drai" gives "hdrai").
    pub folded: String,
    /// Byte range in the original text.
    pub start: usize,
    pub end: usize,
    /// Whether a bracket, semicolon, colon, slash or line break comes between this
    /// word and the one before: names never run across those.
    pub hard_break_before: bool,
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || is_combining(c) || matches!(c, '\'' | '’' | '&')
}

fn is_hard_break(c: char) -> bool {
    matches!(c, '(' | ')' | '[' | ']' | ';' | ':' | '/' | '\n' | '|')
}

/// The words of `s`, in order.
pub(crate) fn words(s: &str) -> Vec<Word> {
    let mut out = Vec::new();
    let mut hard = false;
    let mut current: Option<usize> = None;
    let push = |out: &mut Vec<Word>, start: usize, end: usize, hard: bool| {
        let folded: String = fold(&s[start..end])
            .chars()
            .filter(|c| *c != '\'')
            .collect();
        if !folded.is_empty() {
            out.push(Word {
                folded,
                start,
                end,
                hard_break_before: hard,
            });
        }
    };
    for (i, c) in s.char_indices() {
        if is_word_char(c) {
            if current.is_none() {
                current = Some(i);
            }
            continue;
        }
        if let Some(start) = current.take() {
            push(&mut out, start, i, hard);
            hard = false;
        }
        if is_hard_break(c) {
            hard = true;
        }
    }
    if let Some(start) = current {
        push(&mut out, start, s.len(), hard);
    }
    out
}

/// The folded words of `s`, for comparing phrases.
pub(crate) fn folded_words(s: &str) -> Vec<String> {
    words(s).into_iter().map(|w| w.folded).collect()
}

/// Removes markdown emphasis markers (`*`, `**`, `__`) from a line.
pub(crate) fn strip_emphasis(s: &str) -> String {
    let without_stars: String = s.chars().filter(|c| *c != '*').collect();
    without_stars.replace("__", "")
}

/// Collapses white space runs into one space and trims the ends.
pub(crate) fn squeeze(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A short title from a task's text: its first sentence, cut at a word boundary when
/// long.
pub(crate) fn short_title(text: &str) -> String {
    const MAX: usize = 100;
    let text = squeeze(text);
    let mut end = text.len();
    for pat in [". ", "; ", ": "] {
        if let Some(i) = text.find(pat) {
            end = end.min(i);
        }
    }
    let sentence = text[..end].trim_end_matches(['.', ';', ':', ',', ' ']);
    if sentence.chars().count() <= MAX {
        return sentence.to_owned();
    }
    let mut cut = String::new();
    for word in sentence.split(' ') {
        if cut.chars().count() + word.chars().count() + 1 > MAX - 10 {
            break;
        }
        if !cut.is_empty() {
            cut.push(' ');
        }
        cut.push_str(word);
    }
    let cut = cut.trim_end_matches([',', ';', ':', '-', ' ']);
    format!("{cut}…")
}

/// Reads a Roman numeral from I to XX.
pub(crate) fn roman(s: &str) -> Option<u32> {
    const NUMERALS: [&str; 20] = [
        "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV",
        "XV", "XVI", "XVII", "XVIII", "XIX", "XX",
    ];
    let upper = s.to_ascii_uppercase();
    NUMERALS
        .iter()
        .position(|n| *n == upper)
        .map(|i| i as u32 + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_composed_decomposed_and_old_style_marks() {
        assert_eq!(
            fold("Sở Văn hóa, Thể thao và Du lịch"),
            "so van hoa, the thao va du lich"
        );
        assert_eq!(fold("Văn hoá"), fold("Văn hóa"));
        assert_eq!(fold("ĐĂK GLEI"), "dak glei");
        assert_eq!(fold("Đắk Glei"), "dak glei");
        assert_eq!(fold("Bo\u{323}\u{302} Chi\u{309} huy"), "bo chi huy");
        assert_eq!(fold("Ia H’Drai"), "ia h'drai");
    }

    #[test]
    fn splits_words_and_marks_hard_breaks() {
        let w = words("Sở Nội vụ (Ban Tôn giáo tỉnh); Ia H'Drai, TT&TT");
        let folded: Vec<_> = w.iter().map(|w| w.folded.as_str()).collect();
        assert_eq!(
            folded,
            [
                "so", "noi", "vu", "ban", "ton", "giao", "tinh", "ia", "hdrai", "tt&tt"
            ]
        );
        assert!(w[3].hard_break_before);
        assert!(w[7].hard_break_before);
        assert!(!w[8].hard_break_before);
        assert!(!w[9].hard_break_before);
    }

    #[test]
    fn short_titles_end_at_the_first_sentence() {
        assert_eq!(
            short_title("Tuyên truyền về biển, đảo"),
            "Tuyên truyền về biển, đảo"
        );
        assert_eq!(short_title("Làm việc A. Rồi việc B."), "Làm việc A");
        let long = "từ ".repeat(60);
        let t = short_title(&long);
        assert!(t.ends_with('…') && t.chars().count() <= 100, "{t}");
    }

    #[test]
    fn reads_roman_numerals() {
        assert_eq!(roman("IV"), Some(4));
        assert_eq!(roman("ii"), Some(2));
        assert_eq!(roman("IIII"), None);
    }
}
