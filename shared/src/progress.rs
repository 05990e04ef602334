//! Progress on a task: its status, percentage and note, validated the same way on both
//! sides of the wire.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};

use crate::i18n::Lang;

/// Where an agency stands on a task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ProgressStatus {
    /// Chưa thực hiện.
    NotStarted,
    /// Đang thực hiện.
    InProgress,
    /// Hoàn thành.
    Done,
    /// Vướng mắc: cannot go on without help.
    Blocked,
}

impl ProgressStatus {
    pub const ALL: [ProgressStatus; 4] = [
        ProgressStatus::NotStarted,
        ProgressStatus::InProgress,
        ProgressStatus::Done,
        ProgressStatus::Blocked,
    ];

    /// The wire and database name.
    pub fn code(self) -> &'static str {
        match self {
            ProgressStatus::NotStarted => "not_started",
            ProgressStatus::InProgress => "in_progress",
            ProgressStatus::Done => "done",
            ProgressStatus::Blocked => "blocked",
        }
    }

    pub fn from_code(code: &str) -> Option<ProgressStatus> {
        ProgressStatus::ALL.into_iter().find(|s| s.code() == code)
    }

    /// What a person reads.
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            ProgressStatus::NotStarted => lang.pick("Chưa thực hiện", "Not started"),
            ProgressStatus::InProgress => lang.pick("Đang thực hiện", "In progress"),
            ProgressStatus::Done => lang.pick("Hoàn thành", "Done"),
            ProgressStatus::Blocked => lang.pick("Vướng mắc", "Blocked"),
        }
    }
}

/// A whole percentage, 0 to 100.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct Percent(u8);

impl Percent {
    pub fn new(value: i64) -> Result<Percent, ProgressError> {
        u8::try_from(value)
            .ok()
            .filter(|v| *v <= 100)
            .map(Percent)
            .ok_or(ProgressError::PercentOutOfRange)
    }

    pub fn value(self) -> u8 {
        self.0
    }
}

impl<'de> Deserialize<'de> for Percent {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let v = i64::deserialize(deserializer)?;
        Percent::new(v).map_err(serde::de::Error::custom)
    }
}

/// The most characters a progress note may have.
pub const NOTE_MAX_CHARS: usize = 4000;

/// A progress note: trimmed, at most [`NOTE_MAX_CHARS`] characters, no control
/// characters but line breaks and tabs. It may be empty.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct Note(String);

impl Note {
    pub fn parse(s: &str) -> Result<Note, ProgressError> {
        let s = s.trim();
        if s.chars().count() > NOTE_MAX_CHARS {
            return Err(ProgressError::NoteTooLong);
        }
        if s.chars()
            .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
        {
            return Err(ProgressError::NoteControlCharacter);
        }
        Ok(Note(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for Note {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        Note::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// Why a progress value was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProgressError {
    PercentOutOfRange,
    NoteTooLong,
    NoteControlCharacter,
}

impl ProgressError {
    pub fn message(self, lang: Lang) -> &'static str {
        match self {
            ProgressError::PercentOutOfRange => lang.pick(
                "Tỷ lệ hoàn thành phải từ 0 đến 100.",
                "The percentage must be between 0 and 100.",
            ),
            ProgressError::NoteTooLong => lang.pick(
                "Nội dung dài quá 4000 ký tự.",
                "The text is longer than 4000 characters.",
            ),
            ProgressError::NoteControlCharacter => lang.pick(
                "Nội dung chứa ký tự không hợp lệ.",
                "The text contains a character that is not allowed.",
            ),
        }
    }
}

impl fmt::Display for ProgressError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message(Lang::En))
    }
}

impl std::error::Error for ProgressError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_codes_round_trip() {
        for s in ProgressStatus::ALL {
            assert_eq!(ProgressStatus::from_code(s.code()), Some(s));
            let json = serde_json::to_string(&s).unwrap();
            assert_eq!(json, format!("\"{}\"", s.code()));
        }
        assert_eq!(ProgressStatus::Done.label(Lang::Vi), "Hoàn thành");
    }

    #[test]
    fn percent_is_bounded() {
        assert!(Percent::new(0).is_ok());
        assert!(Percent::new(100).is_ok());
        assert_eq!(Percent::new(101), Err(ProgressError::PercentOutOfRange));
        assert_eq!(Percent::new(-1), Err(ProgressError::PercentOutOfRange));
        assert!(serde_json::from_str::<Percent>("250").is_err());
    }

    #[test]
    fn notes_are_trimmed_and_bounded() {
        assert_eq!(
            Note::parse("  Đã tổ chức hội nghị \n").unwrap().as_str(),
            "Đã tổ chức hội nghị"
        );
        assert!(Note::parse(&"ă".repeat(NOTE_MAX_CHARS)).is_ok());
        assert_eq!(
            Note::parse(&"ă".repeat(NOTE_MAX_CHARS + 1)),
            Err(ProgressError::NoteTooLong)
        );
        assert_eq!(
            Note::parse("a\u{0}b"),
            Err(ProgressError::NoteControlCharacter)
        );
        assert!(Note::parse("dòng 1\ndòng 2").is_ok());
    }
}
