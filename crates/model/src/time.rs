//! Points in time with the precision their source gave them.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::{InvalidValue, named_enum};

named_enum! {
    /// How precisely a source stated a time.
    pub enum Precision ("precision") {
        Second = "second",
        Day = "day",
        Week = "week",
        Month = "month",
        Year = "year",
    }
}

/// A UTC instant and how precisely it is known. A date without a time is stored as
/// midnight UTC of that date with [`Precision::Day`]; a month or a year as the first
/// instant of its first day, with [`Precision::Month`] or [`Precision::Year`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct When {
    pub at: DateTime<Utc>,
    pub precision: Precision,
}

impl When {
    pub fn exact(at: DateTime<Utc>) -> Self {
        Self { at, precision: Precision::Second }
    }

    pub fn day(date: NaiveDate) -> Self {
        Self { at: date.and_time(chrono::NaiveTime::MIN).and_utc(), precision: Precision::Day }
    }

    /// The first instant of `month` (1–12) of `year`, with [`Precision::Month`].
    pub fn month(year: i32, month: u32) -> Option<Self> {
        let first = NaiveDate::from_ymd_opt(year, month, 1)?;
        Some(Self { precision: Precision::Month, ..Self::day(first) })
    }

    /// The first instant of `year` (1 January), with [`Precision::Year`].
    pub fn year(year: i32) -> Option<Self> {
        let first = NaiveDate::from_ymd_opt(year, 1, 1)?;
        Some(Self { precision: Precision::Year, ..Self::day(first) })
    }

    /// Reads the forms reports and feeds use: RFC 3339 (`2026-10-14T08:30:00+05:00`), a
    /// date alone (`2026-10-14`), a month (`2026-10`, taken as its first day) or a year
    /// (`2026`, taken as 1 January), RFC 2822 (`Wed, 14 Oct 2026 08:30:00 +0500`), and a
    /// date and time without a zone (`2026-10-14 08:30:00`, taken as UTC). Dates, months
    /// and years have four-digit years from 0001; months two digits.
    pub fn parse(text: &str) -> Result<Self, InvalidValue> {
        let t = text.trim();
        let invalid = || {
            InvalidValue::new(
                "date",
                text,
                "an RFC 3339 timestamp, a YYYY-MM-DD date, a YYYY-MM month, a YYYY year or an RFC 2822 date",
            )
        };
        if let Ok(at) = DateTime::parse_from_rfc3339(t) {
            return Ok(Self::exact(at.with_timezone(&Utc)));
        }
        if let Ok(date) = NaiveDate::parse_from_str(t, "%Y-%m-%d") {
            return if date.year() >= 1 { Ok(Self::day(date)) } else { Err(invalid()) };
        }
        // A month or a year: fixed widths, so that `2022-5`, `2022-05-` or `02022` is none.
        let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
        let (year, month) = t.split_once('-').unwrap_or((t, ""));
        if digits(year, 4) && (t.len() == 4 || digits(month, 2)) {
            let year: i32 = year.parse().map_err(|_| invalid())?;
            let found = match month.parse::<u32>() {
                _ if year < 1 => None,
                Ok(month) => Self::month(year, month),
                Err(_) => Self::year(year),
            };
            return found.ok_or_else(invalid);
        }
        if let Ok(at) = DateTime::parse_from_rfc2822(t) {
            return Ok(Self::exact(at.with_timezone(&Utc)));
        }
        for format in ["%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"] {
            if let Ok(naive) = chrono::NaiveDateTime::parse_from_str(t, format) {
                return Ok(Self::exact(naive.and_utc()));
            }
        }
        Err(invalid())
    }

    /// The form written to JSON and the store: RFC 3339 with milliseconds for exact
    /// times, `YYYY-MM-DD` for days (and weeks, by their first day), `YYYY-MM` for months,
    /// `YYYY` for years. [`When::parse`] reads each back as it was.
    pub fn to_text(&self) -> String {
        match self.precision {
            Precision::Second => self.at.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
            Precision::Day | Precision::Week => self.at.format("%Y-%m-%d").to_string(),
            Precision::Month => self.at.format("%Y-%m").to_string(),
            Precision::Year => self.at.format("%Y").to_string(),
        }
    }

    /// The day this names, when it names one: an exact time's (UTC) date, or a date. A
    /// week, a month or a year names no single day, so what counts days from it
    /// ("yesterday", "on Tuesday") has nothing to count from.
    pub fn known_day(&self) -> Option<NaiveDate> {
        match self.precision {
            Precision::Second | Precision::Day => Some(self.at.date_naive()),
            Precision::Week | Precision::Month | Precision::Year => None,
        }
    }
}

impl std::fmt::Display for When {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.precision {
            Precision::Second => write!(f, "{}", self.at.format("%Y-%m-%d %H:%M UTC")),
            _ => f.write_str(&self.to_text()),
        }
    }
}
