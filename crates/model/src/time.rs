//! Points in time with the precision their source gave them.

use chrono::{DateTime, NaiveDate, Utc};
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
/// midnight UTC of that date with [`Precision::Day`].
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

    /// Reads the forms reports and feeds use: RFC 3339 (`2026-10-14T08:30:00+05:00`), a
    /// date alone (`2026-10-14`), RFC 2822 (`Wed, 14 Oct 2026 08:30:00 +0500`), and a
    /// date and time without a zone (`2026-10-14 08:30:00`, taken as UTC).
    pub fn parse(text: &str) -> Result<Self, InvalidValue> {
        let t = text.trim();
        if let Ok(at) = DateTime::parse_from_rfc3339(t) {
            return Ok(Self::exact(at.with_timezone(&Utc)));
        }
        if let Ok(date) = NaiveDate::parse_from_str(t, "%Y-%m-%d") {
            return Ok(Self::day(date));
        }
        if let Ok(at) = DateTime::parse_from_rfc2822(t) {
            return Ok(Self::exact(at.with_timezone(&Utc)));
        }
        for format in ["%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"] {
            if let Ok(naive) = chrono::NaiveDateTime::parse_from_str(t, format) {
                return Ok(Self::exact(naive.and_utc()));
            }
        }
        Err(InvalidValue::new("date", text, "an RFC 3339 timestamp, a YYYY-MM-DD date or an RFC 2822 date"))
    }

    /// The form written to JSON and the store: RFC 3339 with milliseconds for exact
    /// times, `YYYY-MM-DD` for days.
    pub fn to_text(&self) -> String {
        match self.precision {
            Precision::Second => self.at.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
            _ => self.at.format("%Y-%m-%d").to_string(),
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
