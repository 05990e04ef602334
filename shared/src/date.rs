//! Calendar dates and instants without a date library.
//!
//! The plan, its deadlines and the reporting calendar need only civil dates; the sync
//! protocol needs RFC 3339 instants. Both are small enough to own, which keeps the
//! WASM bundle lean. People read dates as dd/mm/yyyy; machines exchange ISO 8601.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A day in the proleptic Gregorian calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: i32,
    month: u8,
    day: u8,
}

/// Why a date or instant could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DateError {
    /// The text does not have the expected shape.
    Format,
    /// The shape is right but the day does not exist (31/02, month 13 …).
    OutOfRange,
}

impl fmt::Display for DateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DateError::Format => f.write_str("not a date in the expected format"),
            DateError::OutOfRange => f.write_str("no such day in the calendar"),
        }
    }
}

impl std::error::Error for DateError {}

/// Whether `year` is a leap year.
pub fn is_leap_year(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

/// How many days `month` (1–12) of `year` has.
pub fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(year) => 29,
        2 => 28,
        _ => 0,
    }
}

impl Date {
    /// A date, if that day exists.
    pub fn new(year: i32, month: u8, day: u8) -> Result<Date, DateError> {
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return Err(DateError::OutOfRange);
        }
        Ok(Date { year, month, day })
    }

    pub fn year(self) -> i32 {
        self.year
    }

    pub fn month(self) -> u8 {
        self.month
    }

    pub fn day(self) -> u8 {
        self.day
    }

    /// Days since 1970-01-01 (negative before), after Howard Hinnant's `days_from_civil`.
    pub fn days_since_epoch(self) -> i64 {
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date `days` days after 1970-01-01, after Howard Hinnant's `civil_from_days`.
    pub fn from_days_since_epoch(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Date { year, month, day }
    }

    /// The date `n` days later (earlier when negative).
    pub fn add_days(self, n: i64) -> Date {
        Date::from_days_since_epoch(self.days_since_epoch() + n)
    }

    /// The last day of this date's month.
    pub fn end_of_month(self) -> Date {
        Date {
            day: days_in_month(self.year, self.month),
            ..self
        }
    }

    /// Reads `yyyy-mm-dd`.
    pub fn parse_iso(s: &str) -> Result<Date, DateError> {
        let b = s.as_bytes();
        // ASCII first: the slicing below must never split a character.
        if !s.is_ascii() || b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return Err(DateError::Format);
        }
        Date::new(
            digits(&s[0..4])? as i32,
            digits(&s[5..7])? as u8,
            digits(&s[8..10])? as u8,
        )
    }

    /// Reads the Vietnamese `d/m/yyyy` (one or two digits for day and month).
    pub fn parse_dmy(s: &str) -> Result<Date, DateError> {
        let mut parts = s.trim().split('/');
        let (Some(d), Some(m), Some(y), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(DateError::Format);
        };
        if d.is_empty() || d.len() > 2 || m.is_empty() || m.len() > 2 || y.len() != 4 {
            return Err(DateError::Format);
        }
        Date::new(digits(y)? as i32, digits(m)? as u8, digits(d)? as u8)
    }

    /// `dd/mm/yyyy`, as Vietnamese readers expect.
    pub fn to_dmy(self) -> String {
        format!("{:02}/{:02}/{:04}", self.day, self.month, self.year)
    }

    /// `yyyy-mm-dd`.
    pub fn to_iso(self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_iso())
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_iso())
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        Date::parse_iso(&s).map_err(serde::de::Error::custom)
    }
}

fn digits(s: &str) -> Result<u32, DateError> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(DateError::Format);
    }
    s.parse().map_err(|_| DateError::Format)
}

const MS_PER_DAY: i64 = 86_400_000;

/// Reads an RFC 3339 instant (`2019-06-14T08:30:00+07:00`, `…Z`, optional fraction)
/// into milliseconds since the Unix epoch.
pub fn parse_rfc3339(s: &str) -> Result<i64, DateError> {
    let b = s.as_bytes();
    // ASCII first: the slicing below must never split a character.
    if !s.is_ascii()
        || b.len() < 20
        || !matches!(b[10], b'T' | b't' | b' ')
        || b[13] != b':'
        || b[16] != b':'
    {
        return Err(DateError::Format);
    }
    let date = Date::parse_iso(&s[0..10])?;
    let (hour, minute, second) = (
        digits(&s[11..13])?,
        digits(&s[14..16])?,
        digits(&s[17..19])?,
    );
    if hour > 23 || minute > 59 || second > 60 {
        return Err(DateError::OutOfRange);
    }
    let mut rest = &s[19..];
    let mut millis = 0i64;
    if let Some(fraction) = rest.strip_prefix('.') {
        let len = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if len == 0 {
            return Err(DateError::Format);
        }
        let ms_digits = &fraction[..len.min(3)];
        millis = i64::from(digits(ms_digits)?) * 10i64.pow(3 - ms_digits.len() as u32);
        rest = &fraction[len..];
    }
    let offset_minutes: i64 = match rest {
        "Z" | "z" => 0,
        _ => {
            let ob = rest.as_bytes();
            if ob.len() != 6 || !matches!(ob[0], b'+' | b'-') || ob[3] != b':' {
                return Err(DateError::Format);
            }
            let (oh, om) = (digits(&rest[1..3])?, digits(&rest[4..6])?);
            if oh > 23 || om > 59 {
                return Err(DateError::OutOfRange);
            }
            let minutes = i64::from(oh * 60 + om);
            if ob[0] == b'-' { -minutes } else { minutes }
        }
    };
    let seconds_of_day = i64::from(hour * 3600 + minute * 60 + second.min(59));
    Ok(
        date.days_since_epoch() * MS_PER_DAY + seconds_of_day * 1000 + millis
            - offset_minutes * 60_000,
    )
}

/// Formats milliseconds since the epoch as RFC 3339 in UTC, to the millisecond.
pub fn format_rfc3339_utc(ms: i64) -> String {
    let date = Date::from_days_since_epoch(ms.div_euclid(MS_PER_DAY));
    let in_day = ms.rem_euclid(MS_PER_DAY);
    format!(
        "{}T{:02}:{:02}:{:02}.{:03}Z",
        date.to_iso(),
        in_day / 3_600_000,
        in_day / 60_000 % 60,
        in_day / 1000 % 60,
        in_day % 1000
    )
}

/// Formats an instant for a person as `dd/mm/yyyy HH:MM`, in the zone that is
/// `offset_minutes` east of UTC (Việt Nam is +420).
pub fn format_dmy_hm(ms: i64, offset_minutes: i64) -> String {
    let local = ms + offset_minutes * 60_000;
    let date = Date::from_days_since_epoch(local.div_euclid(MS_PER_DAY));
    let in_day = local.rem_euclid(MS_PER_DAY);
    format!(
        "{} {:02}:{:02}",
        date.to_dmy(),
        in_day / 3_600_000,
        in_day / 60_000 % 60
    )
}

/// The civil date of an instant in the zone `offset_minutes` east of UTC.
pub fn date_of(ms: i64, offset_minutes: i64) -> Date {
    Date::from_days_since_epoch((ms + offset_minutes * 60_000).div_euclid(MS_PER_DAY))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch_day_round_trips_across_centuries() {
        for days in [-800_000, -1, 0, 1, 10_957, 17_926, 2_932_896] {
            assert_eq!(Date::from_days_since_epoch(days).days_since_epoch(), days);
        }
        assert_eq!(Date::new(1970, 1, 1).unwrap().days_since_epoch(), 0);
        assert_eq!(Date::new(2000, 3, 1).unwrap().days_since_epoch(), 11_017);
    }

    #[test]
    fn rejects_days_that_do_not_exist() {
        assert_eq!(Date::new(2019, 2, 29), Err(DateError::OutOfRange));
        assert!(Date::new(2020, 2, 29).is_ok());
        assert_eq!(Date::new(2019, 13, 1), Err(DateError::OutOfRange));
        assert_eq!(Date::parse_dmy("31/4/2019"), Err(DateError::OutOfRange));
    }

    #[test]
    fn reads_and_writes_vietnamese_dates() {
        let d = Date::parse_dmy("5/12/2019").unwrap();
        assert_eq!(d.to_dmy(), "05/12/2019");
        assert_eq!(d.to_iso(), "2019-12-05");
        assert_eq!(Date::parse_dmy("05-12-2019"), Err(DateError::Format));
        assert_eq!(Date::parse_dmy("5/12/19"), Err(DateError::Format));
    }

    #[test]
    fn adds_days_over_month_and_year_ends() {
        let d = Date::new(2019, 12, 31).unwrap();
        assert_eq!(d.add_days(1), Date::new(2020, 1, 1).unwrap());
        assert_eq!(
            Date::new(2020, 3, 1).unwrap().add_days(-1),
            Date::new(2020, 2, 29).unwrap()
        );
        assert_eq!(
            Date::new(2019, 2, 3).unwrap().end_of_month(),
            Date::new(2019, 2, 28).unwrap()
        );
    }

    #[test]
    fn parses_rfc3339_with_offsets_and_fractions() {
        let utc = parse_rfc3339("2019-06-14T01:30:00Z").unwrap();
        assert_eq!(parse_rfc3339("2019-06-14T08:30:00+07:00").unwrap(), utc);
        assert_eq!(parse_rfc3339("2019-06-13T13:30:00-12:00").unwrap(), utc);
        assert_eq!(parse_rfc3339("2019-06-14T01:30:00.25Z").unwrap(), utc + 250);
        assert_eq!(
            parse_rfc3339("2019-06-14T01:30:00.123456Z").unwrap(),
            utc + 123
        );
        assert_eq!(format_rfc3339_utc(utc + 5), "2019-06-14T01:30:00.005Z");
        for bad in [
            "2019-06-14T08:30:0éZ",
            "2019-06-14T08:30:00.5é",
            "2019-06-1éT08:30:00Z",
            "2019-06-14T08:30:00+0é:00",
            "",
            "2019-06-14",
            "2019-06-14T25:00:00Z",
            "2019-06-14T01:30:00",
            "2019-06-14T01:30:00+7",
        ] {
            assert!(parse_rfc3339(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn never_panics_whatever_character_stands_wherever() {
        let valid = "2019-06-14T08:30:00.123+07:00";
        for i in 0..valid.len() {
            for c in ['é', 'ư', '€', '😀', '\0', '9', 'T', ':'] {
                let mut inserted = valid.to_owned();
                inserted.insert(i, c);
                let mut replaced = valid.to_owned();
                replaced.replace_range(i..i + 1, &c.to_string());
                let _ = parse_rfc3339(&inserted);
                let _ = parse_rfc3339(&replaced);
                let _ = Date::parse_iso(&replaced);
                if let Some(date) = replaced.get(..10) {
                    let _ = Date::parse_iso(date);
                }
            }
        }
    }

    #[test]
    fn formats_for_people_in_local_time() {
        let ms = parse_rfc3339("2019-12-31T20:05:00Z").unwrap();
        assert_eq!(format_dmy_hm(ms, 420), "01/01/2020 03:05");
        assert_eq!(date_of(ms, 420), Date::new(2020, 1, 1).unwrap());
        assert_eq!(date_of(ms, 0), Date::new(2019, 12, 31).unwrap());
    }
}
