//! Diacritic-insensitive search: "bien gioi" finds "biên giới", "Dak" finds "Đắk".

use crate::plan::fold::fold;

/// The form text is compared in: lower case, no tone or vowel marks, "đ" as "d".
pub fn folded(text: &str) -> String {
    fold(text)
}

/// A query, folded once and split into words.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Query {
    words: Vec<String>,
}

impl Query {
    pub fn new(text: &str) -> Query {
        Query {
            words: folded(text).split_whitespace().map(str::to_owned).collect(),
        }
    }

    /// Whether the query has no words (it then matches everything).
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// Whether every word of the query appears in one of `texts`, ignoring case and
    /// diacritics.
    pub fn matches<'a>(&self, texts: impl IntoIterator<Item = &'a str>) -> bool {
        if self.words.is_empty() {
            return true;
        }
        let haystack: String = texts
            .into_iter()
            .map(folded)
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
}
