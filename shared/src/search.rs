//! Diacritic-insensitive search: "bien gioi" finds "biên giới", "Dak" finds "Đắk".

use crate::plan::fold::{fold, fold_lowercase};

/// The form text is compared in: lower case, no tone or vowel marks, "đ" as "d".
pub fn folded(text: &str) -> String {
    fold(text)
}

/// [`folded`] of text already in lower case. A device can put text in lower case
/// with the browser's `toLowerCase` (the same Unicode case mapping, but for the
/// final form of a Greek sigma) instead of carrying Rust's case tables.
pub fn folded_lowercase(text: &str) -> String {
    fold_lowercase(text)
}

/// A query, folded once and split into words.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Query {
    words: Vec<String>,
}

impl Query {
    pub fn new(text: &str) -> Query {
        Query::folded_by(text, folded)
    }

    /// A query whose text `fold` folds (a device's own, see [`folded_lowercase`]).
    pub fn folded_by(text: &str, fold: impl Fn(&str) -> String) -> Query {
        Query {
            words: fold(text).split_whitespace().map(str::to_owned).collect(),
        }
    }

    /// Whether the query has no words (it then matches everything).
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// Whether every word of the query appears in one of `texts`, ignoring case and
    /// diacritics.
    pub fn matches<'a>(&self, texts: impl IntoIterator<Item = &'a str>) -> bool {
        self.matches_folded_by(texts, folded)
    }

    /// [`Query::matches`], with `texts` folded by `fold`, as the query was.
    pub fn matches_folded_by<'a>(
        &self,
        texts: impl IntoIterator<Item = &'a str>,
        fold: impl Fn(&str) -> String,
    ) -> bool {
        if self.words.is_empty() {
            return true;
        }
        let haystack: String = texts
            .into_iter()
            .map(fold)
            .collect::<Vec<_>>()
            .join(" \u{1} ");
        self.words.iter().all(|w| haystack.contains(w.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_words_without_their_marks_in_any_order() {
        let q = Query::new("bien gioi");
        assert!(q.matches(["Tuyên truyền về phân giới cắm mốc và khu vực biên giới"]));
        assert!(Query::new("GIỚI biên").matches(["khu vực biên giới"]));
        assert!(Query::new("dak glei").matches(["UBND huyện Đăk Glei"]));
        assert!(!Query::new("bien dao").matches(["khu vực biên giới"]));
        assert!(Query::new("  ").matches(["anything"]));
        // Words may come from different fields, but not span them.
        assert!(Query::new("5.2 du lich").matches(["5.2", "Đề án khai thác du lịch"]));
    }

    #[test]
    fn text_in_lower_case_folds_as_any_text() {
        for text in [
            "Đắk Glei",
            "BIÊN GIỚI  “Việt–Lào”",
            "Tuyên truyền\u{301}",
            "5.2",
        ] {
            let lower: String = text.chars().flat_map(char::to_lowercase).collect();
            assert_eq!(folded_lowercase(&lower), folded(text), "{text}");
        }
        let lower = |text: &str| folded_lowercase(&text.to_lowercase());
        let q = Query::folded_by("BIEN gioi", lower);
        assert!(q.matches_folded_by(["Khu vực BIÊN GIỚI"], lower));
        assert!(!q.matches_folded_by(["Khu vực biên phòng"], lower));
    }
}
