//! When a task is to be done, as the plan says it, and the dates that follow from it.

use serde::{Deserialize, Serialize};

use super::fold::fold;
use crate::date::Date;

/// A task's timeframe.
///
/// JSON: `{"kind":"ongoing"}`, `{"kind":"quarter","quarter":2,"year":2019}`,
/// `{"kind":"year","year":2019}`, `{"kind":"from_year","year":2019}`,
/// `{"kind":"month","month":6,"year":2020}`, `{"kind":"half_year","half":1,"year":2020}`,
/// `{"kind":"deadline","date":"2020-06-30"}`, `{"kind":"annual"}`, `{"kind":"unspecified"}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Timeframe {
    /// "Thường xuyên": throughout the plan's year.
    Ongoing,
    /// "Quý II/2019", "Quý III năm 2019".
    Quarter { quarter: u8, year: i32 },
    /// "Năm 2019", "Trong năm 2019".
    Year { year: i32 },
    /// "Năm 2019 và các năm tiếp theo": every year from `year` on.
    FromYear { year: i32 },
    /// "Hằng năm": every year from the plan's own on.
    Annual,
    /// "Tháng 6/2020".
    Month { month: u8, year: i32 },
    /// "6 tháng đầu năm 2020" (half 1) or "6 tháng cuối năm 2020" (half 2).
    HalfYear { half: u8, year: i32 },
    /// "trước ngày 30/6/2020": due on or before `date`.
    Deadline { date: Date },
    /// The plan gives no time line for the task: it runs with the plan's year.
    #[default]
    Unspecified,
}

/// What the parser asks for when a timeframe cannot be read.
pub const TIMEFRAME_EXPECTED: &str = "a timeframe such as “Thường xuyên”, “Quý II/2019”, “Năm 2019”, \
“Năm 2019 và các năm tiếp theo”, “Tháng 6/2020”, “6 tháng đầu năm 2020” or “trước ngày 30/6/2020”";

fn ymd(year: i32, month: u8, day: u8) -> Date {
    Date::new(year, month, day).unwrap_or_else(|_| Date::from_days_since_epoch(0))
}

/// The first and last day of a month.
fn month_span(year: i32, month: u8) -> (Date, Date) {
    let first = ymd(year, month, 1);
    (first, first.end_of_month())
}

impl Timeframe {
    /// Reads a timeframe as plans write it. The error says what was expected.
    pub fn parse(text: &str) -> Result<Timeframe, String> {
        let f = fold(text);
        let f = f.trim().trim_end_matches(['.', ';', ',']).trim();
        if f.is_empty() {
            return Ok(Timeframe::Unspecified);
        }
        let tokens: Vec<&str> = f
            .split(|c: char| !c.is_alphanumeric())
            .filter(|t| !t.is_empty())
            .collect();
        let has = |phrase: &str| {
            let p: Vec<&str> = phrase.split(' ').collect();
            tokens.windows(p.len()).any(|w| w == p.as_slice())
        };
        let year_after = |from: usize| tokens[from..].iter().find_map(|t| four_digit_year(t));
        if has("thuong xuyen") || has("lien tuc") {
            return Ok(Timeframe::Ongoing);
        }
        let no_year = !tokens.iter().any(|t| four_digit_year(t).is_some());
        if no_year && has("hang nam") {
            return Ok(Timeframe::Annual);
        }
        if let Some(date) = full_date(f) {
            return Ok(Timeframe::Deadline { date });
        }
        if let Some(date) = written_date(&tokens) {
            return Ok(Timeframe::Deadline { date });
        }
        for (phrase, half) in [
            ("6 thang dau nam", 1),
            ("sau thang dau nam", 1),
            ("nua dau nam", 1),
            ("6 thang cuoi nam", 2),
            ("sau thang cuoi nam", 2),
            ("nua cuoi nam", 2),
        ] {
            if has(phrase) {
                let year =
                    year_after(0).ok_or_else(|| format!("a year after “{}”", text.trim()))?;
                return Ok(Timeframe::HalfYear { half, year });
            }
        }
        if let Some(i) = tokens.iter().position(|t| *t == "quy") {
            let quarter = tokens
                .get(i + 1)
                .and_then(|t| quarter_number(t))
                .ok_or_else(|| "a quarter I to IV after “Quý”".to_owned())?;
            let year = year_after(i + 1)
                .ok_or_else(|| "a year after the quarter (“Quý II/2019”)".to_owned())?;
            return Ok(Timeframe::Quarter { quarter, year });
        }
        let month_at = tokens.iter().position(|t| *t == "thang").and_then(|i| {
            let month = tokens.get(i + 1)?.parse::<u8>().ok()?;
            (1..=12).contains(&month).then_some((i, month))
        });
        if let Some((i, month)) = month_at {
            let year = year_after(i + 1)
                .ok_or_else(|| "a year after the month (“Tháng 6/2020”)".to_owned())?;
            return Ok(Timeframe::Month { month, year });
        }
        if let Some(year) = year_after(0) {
            if has("cac nam tiep theo")
                || has("nhung nam tiep theo")
                || has("tu nam")
                || has("tro di")
            {
                return Ok(Timeframe::FromYear { year });
            }
            let plain_year = tokens.iter().all(|t| {
                matches!(*t, "nam" | "trong" | "ca" | "suot") || four_digit_year(t).is_some()
            });
            if plain_year
                && tokens
                    .iter()
                    .filter(|t| four_digit_year(t).is_some())
                    .count()
                    == 1
            {
                return Ok(Timeframe::Year { year });
            }
        }
        Err(TIMEFRAME_EXPECTED.to_owned())
    }

    /// When the task runs: its first day and, unless it recurs without end, its last.
    /// Open-ended kinds (`ongoing`, `unspecified`) run with `plan_year`.
    pub fn span(self, plan_year: i32) -> (Date, Option<Date>) {
        match self {
            Timeframe::Ongoing | Timeframe::Unspecified => {
                (ymd(plan_year, 1, 1), Some(ymd(plan_year, 12, 31)))
            }
            Timeframe::Year { year } => (ymd(year, 1, 1), Some(ymd(year, 12, 31))),
            Timeframe::FromYear { year } => (ymd(year, 1, 1), None),
            Timeframe::Annual => (ymd(plan_year, 1, 1), None),
            Timeframe::Quarter { quarter, year } => {
                let first_month = (quarter.clamp(1, 4) - 1) * 3 + 1;
                (
                    ymd(year, first_month, 1),
                    Some(month_span(year, first_month + 2).1),
                )
            }
            Timeframe::Month { month, year } => {
                let (a, b) = month_span(year, month);
                (a, Some(b))
            }
            Timeframe::HalfYear { half, year } => {
                if half == 2 {
                    (ymd(year, 7, 1), Some(ymd(year, 12, 31)))
                } else {
                    (ymd(year, 1, 1), Some(ymd(year, 6, 30)))
                }
            }
            Timeframe::Deadline { date } => (ymd(plan_year.min(date.year()), 1, 1), Some(date)),
        }
    }

    /// The dates the task is due, up to the end of `through_year`: the last day of its
    /// quarter, month, half or year; the deadline itself; for recurring kinds the last
    /// day of every year it runs (`ongoing` and `unspecified` run with `plan_year`,
    /// `from_year` and `annual` every year from their first through `through_year`).
    pub fn due_dates(self, plan_year: i32, through_year: i32) -> Vec<Date> {
        match self {
            Timeframe::FromYear { year } => (year..=through_year).map(|y| ymd(y, 12, 31)).collect(),
            Timeframe::Annual => (plan_year..=through_year).map(|y| ymd(y, 12, 31)).collect(),
            other => match other.span(plan_year).1 {
                Some(end) if end.year() <= through_year => vec![end],
                _ => Vec::new(),
            },
        }
    }

    /// Whether the task runs on some day between `from` and `to` (inclusive).
    pub fn overlaps(self, plan_year: i32, from: Date, to: Date) -> bool {
        let (start, end) = self.span(plan_year);
        start <= to && end.is_none_or(|e| e >= from)
    }
}

fn four_digit_year(t: &str) -> Option<i32> {
    (t.len() == 4 && t.bytes().all(|b| b.is_ascii_digit()))
        .then(|| t.parse().ok())
        .flatten()
}

fn quarter_number(t: &str) -> Option<u8> {
    match t {
        "i" | "1" => Some(1),
        "ii" | "2" => Some(2),
        "iii" | "3" => Some(3),
        "iv" | "4" => Some(4),
        _ => None,
    }
}

/// The first `d/m/yyyy` (or `d-m-yyyy`, `d.m.yyyy`) in a folded text.
fn full_date(f: &str) -> Option<Date> {
    let b = f.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_digit() && (i == 0 || !b[i - 1].is_ascii_digit()) {
            let rest = &f[i..];
            let end = rest
                .find(|c: char| !(c.is_ascii_digit() || matches!(c, '/' | '-' | '.')))
                .unwrap_or(rest.len());
            let candidate = rest[..end]
                .trim_end_matches(['.', '-', '/'])
                .replace(['-', '.'], "/");
            if let Ok(d) = Date::parse_dmy(&candidate) {
                return Some(d);
            }
            i += end.max(1);
        } else {
            i += 1;
        }
    }
    None
}

/// "ngày 30 tháng 6 năm 2020".
fn written_date(tokens: &[&str]) -> Option<Date> {
    tokens.windows(6).find_map(|w| match w {
        ["ngay", d, "thang", m, "nam", y] => {
            Date::new(four_digit_year(y)?, m.parse().ok()?, d.parse().ok()?).ok()
        }
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u8, day: u8) -> Date {
        Date::new(y, m, day).unwrap()
    }

    #[test]
    fn reads_every_kind_the_plans_use() {
        let cases = [
            ("Thường xuyên.", Timeframe::Ongoing),
            (
                "Quý II/2019.",
                Timeframe::Quarter {
                    quarter: 2,
                    year: 2019,
                },
            ),
            (
                "Quý III năm 2019",
                Timeframe::Quarter {
                    quarter: 3,
                    year: 2019,
                },
            ),
            (
                "quý 4/2020",
                Timeframe::Quarter {
                    quarter: 4,
                    year: 2020,
                },
            ),
            ("Năm 2019.", Timeframe::Year { year: 2019 }),
            ("Trong năm 2019", Timeframe::Year { year: 2019 }),
            (
                "Năm 2019 và các năm tiếp theo",
                Timeframe::FromYear { year: 2019 },
            ),
            ("Từ năm 2020", Timeframe::FromYear { year: 2020 }),
            (
                "Tháng 6/2020",
                Timeframe::Month {
                    month: 6,
                    year: 2020,
                },
            ),
            (
                "tháng 10 năm 2020",
                Timeframe::Month {
                    month: 10,
                    year: 2020,
                },
            ),
            (
                "6 tháng đầu năm 2020",
                Timeframe::HalfYear {
                    half: 1,
                    year: 2020,
                },
            ),
            (
                "6 tháng cuối năm 2020",
                Timeframe::HalfYear {
                    half: 2,
                    year: 2020,
                },
            ),
            (
                "trước ngày 30/6/2020",
                Timeframe::Deadline {
                    date: d(2020, 6, 30),
                },
            ),
            (
                "Hoàn thành trước ngày 30 tháng 9 năm 2020",
                Timeframe::Deadline {
                    date: d(2020, 9, 30),
                },
            ),
            ("Hằng năm", Timeframe::Annual),
            ("Định kỳ hàng năm", Timeframe::Annual),
            ("", Timeframe::Unspecified),
        ];
        for (text, want) in cases {
            assert_eq!(Timeframe::parse(text), Ok(want), "{text}");
        }
        for bad in [
            "Quý V/2019",
            "Quý II",
            "Khi có yêu cầu",
            "tháng 6",
            "Năm 2019, 2020",
        ] {
            assert!(Timeframe::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn serializes_with_a_kind_tag() {
        let json = |t: Timeframe| serde_json::to_string(&t).unwrap();
        assert_eq!(json(Timeframe::Ongoing), r#"{"kind":"ongoing"}"#);
        assert_eq!(
            json(Timeframe::Quarter {
                quarter: 2,
                year: 2019
            }),
            r#"{"kind":"quarter","quarter":2,"year":2019}"#
        );
        assert_eq!(
            json(Timeframe::Year { year: 2019 }),
            r#"{"kind":"year","year":2019}"#
        );
        assert_eq!(
            json(Timeframe::FromYear { year: 2019 }),
            r#"{"kind":"from_year","year":2019}"#
        );
        assert_eq!(
            json(Timeframe::Deadline {
                date: d(2020, 6, 30)
            }),
            r#"{"kind":"deadline","date":"2020-06-30"}"#
        );
        let back: Timeframe =
            serde_json::from_str(r#"{"kind":"half_year","half":1,"year":2020}"#).unwrap();
        assert_eq!(
            back,
            Timeframe::HalfYear {
                half: 1,
                year: 2020
            }
        );
    }

    #[test]
    fn yields_the_dates_it_is_due() {
        assert_eq!(
            Timeframe::Quarter {
                quarter: 2,
                year: 2019
            }
            .due_dates(2019, 2019),
            [d(2019, 6, 30)]
        );
        assert_eq!(
            Timeframe::Quarter {
                quarter: 4,
                year: 2019
            }
            .due_dates(2019, 2019),
            [d(2019, 12, 31)]
        );
        assert_eq!(
            Timeframe::Year { year: 2019 }.due_dates(2019, 2025),
            [d(2019, 12, 31)]
        );
        assert_eq!(Timeframe::Ongoing.due_dates(2019, 2021), [d(2019, 12, 31)]);
        assert_eq!(
            Timeframe::FromYear { year: 2019 }.due_dates(2019, 2021),
            [d(2019, 12, 31), d(2020, 12, 31), d(2021, 12, 31)]
        );
        assert_eq!(
            Timeframe::Month {
                month: 2,
                year: 2020
            }
            .due_dates(2020, 2020),
            [d(2020, 2, 29)]
        );
        assert_eq!(
            Timeframe::HalfYear {
                half: 1,
                year: 2020
            }
            .due_dates(2020, 2020),
            [d(2020, 6, 30)]
        );
        assert_eq!(
            Timeframe::Deadline {
                date: d(2020, 6, 30)
            }
            .due_dates(2020, 2020),
            [d(2020, 6, 30)]
        );
        assert!(
            Timeframe::Year { year: 2021 }
                .due_dates(2019, 2020)
                .is_empty()
        );
    }

    #[test]
    fn overlaps_periods() {
        let q3 = Timeframe::Quarter {
            quarter: 3,
            year: 2019,
        };
        assert!(!q3.overlaps(2019, d(2019, 1, 1), d(2019, 6, 30)));
        assert!(q3.overlaps(2019, d(2019, 1, 1), d(2019, 12, 31)));
        assert!(Timeframe::FromYear { year: 2019 }.overlaps(2019, d(2024, 1, 1), d(2024, 6, 30)));
        assert!(!Timeframe::Ongoing.overlaps(2019, d(2020, 1, 1), d(2020, 6, 30)));
    }
}
