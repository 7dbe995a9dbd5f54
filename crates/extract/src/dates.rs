//! Dates in report text, resolved against the publication date: explicit dates
//! (`12 October`, `October 12, 2026`, `12 октября`, `2026-10-12`, `12.10.2026`) and
//! relative ones (`yesterday`, `накануне`, `on Tuesday`, `в ночь на среду`).

use chrono::{Datelike, Duration, NaiveDate, Weekday};

use crate::fold::Folded;

/// A date expression at tokens `first..=last`, and the day it names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateMention {
    pub date: NaiveDate,
    pub first: usize,
    pub last: usize,
}

/// The month a folded word names: English names and abbreviations, Russian names in any
/// case (folded: "октября" is "октябр", "марта" is "март").
fn month(folded: &str) -> Option<u32> {
    Some(match folded {
        "january" | "jan" | "январ" => 1,
        "february" | "feb" | "феврал" => 2,
        "march" | "mar" | "март" => 3,
        "april" | "apr" | "апрел" => 4,
        "may" | "мая" | "май" => 5,
        "june" | "jun" | "июн" => 6,
        "july" | "jul" | "июл" => 7,
        "august" | "aug" | "август" => 8,
        "september" | "sep" | "sept" | "сентябр" => 9,
        "october" | "oct" | "октябр" => 10,
        "november" | "nov" | "ноябр" => 11,
        "december" | "dec" | "декабр" => 12,
        _ => return None,
    })
}

/// Explicit dates in the text. A date without a year takes the publication year, or the
/// year before when that would put it after publication.
pub fn explicit_dates(text: &str, folded: &Folded, published: Option<NaiveDate>) -> Vec<DateMention> {
    let tokens = &folded.tokens;
    let word = |i: usize| &text[tokens[i].start as usize..tokens[i].end as usize];
    let day_of = |i: usize| -> Option<u32> {
        let t = tokens.get(i)?;
        if !t.is_number {
            return None;
        }
        word(i).parse().ok().filter(|d| (1..=31).contains(d))
    };
    let year_of = |i: usize| -> Option<i32> {
        let t = tokens.get(i)?;
        if !t.is_number {
            return None;
        }
        word(i).parse().ok().filter(|y| (1990..=2100).contains(y))
    };
    let mut out = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        // Every date starts with a number or a capitalised month.
        if !tokens[i].is_number && !tokens[i].capitalised {
            i += 1;
            continue;
        }
        let w = word(i);
        // 2026-10-12 and 12.10.2026 arrive as one or several number tokens.
        if tokens[i].is_number
            && let Some(date) = numeric_date(w)
        {
            out.push(DateMention { date, first: i, last: i });
            i += 1;
            continue;
        }
        if tokens[i].is_number
            && let (Some(y), Some(m), Some(d)) =
                (year_of(i), tokens.get(i + 1).and_then(|_| word(i + 1).parse::<u32>().ok()), day_of(i + 2))
            && text[tokens[i].end as usize..tokens[i + 1].start as usize] == *"-"
            && let Some(date) = NaiveDate::from_ymd_opt(y, m, d)
        {
            out.push(DateMention { date, first: i, last: i + 2 });
            i += 3;
            continue;
        }
        // "the night of January 27-28", "the night of 27-28 January": the night ends on
        // the later day, as "в ночь на 28 января" says.
        let dash = |a: usize| {
            a + 1 < tokens.len()
                && matches!(&text[tokens[a].end as usize..tokens[a + 1].start as usize], "-" | "–" | "—")
        };
        let night = || (i.saturating_sub(3)..i).any(|b| matches!(folded.folded(b), "night" | "nights"));
        if day_of(i).is_some()
            && dash(i)
            && let Some(d2) = day_of(i + 1)
            && let Some(m) = tokens.get(i + 2).and_then(|_| month(folded.folded(i + 2)))
            && night()
        {
            let (year, last) = match year_of(i + 3) {
                Some(y) => (Some(y), i + 3),
                None => (None, i + 2),
            };
            if let Some(date) = resolve(year, m, d2, published) {
                out.push(DateMention { date, first: i, last });
            }
            i = last + 1;
            continue;
        }
        // "12 October [2026]" and "October 12[, 2026]": a day and a month in either order,
        // then perhaps a year.
        let day_month = match day_of(i) {
            Some(d) => tokens.get(i + 1).and_then(|_| month(folded.folded(i + 1))).map(|m| (d, m)),
            None if tokens[i].capitalised => month(folded.folded(i)).zip(day_of(i + 1)).map(|(m, d)| (d, m)),
            None => None,
        };
        if let Some((mut d, m)) = day_month {
            let mut after_day = i + 2;
            // "the night of January 27-28"
            if day_of(i).is_none()
                && dash(i + 1)
                && night()
                && let Some(d2) = day_of(i + 2)
            {
                d = d2;
                after_day = i + 3;
            }
            let (year, last) = match year_of(after_day) {
                Some(y) => (Some(y), after_day),
                None => (None, after_day - 1),
            };
            if let Some(date) = resolve(year, m, d, published) {
                out.push(DateMention { date, first: i, last });
            }
            i = last + 1;
            continue;
        }
        i += 1;
    }
    out
}

/// `12.10.2026` (one token: the tokenizer keeps inner dots between digits).
fn numeric_date(word: &str) -> Option<NaiveDate> {
    let mut parts = word.split('.');
    let (day, month, year) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || year.len() != 4 {
        return None;
    }
    NaiveDate::from_ymd_opt(year.parse().ok()?, month.parse().ok()?, day.parse().ok()?)
}

fn resolve(year: Option<i32>, month: u32, day: u32, published: Option<NaiveDate>) -> Option<NaiveDate> {
    match (year, published) {
        (Some(y), _) => NaiveDate::from_ymd_opt(y, month, day),
        (None, Some(p)) => {
            let same_year = NaiveDate::from_ymd_opt(p.year(), month, day)?;
            if same_year > p { NaiveDate::from_ymd_opt(p.year() - 1, month, day) } else { Some(same_year) }
        }
        (None, None) => None,
    }
}

/// The day `offset` days from publication.
pub fn day_offset(published: NaiveDate, offset: i8) -> NaiveDate {
    published + Duration::days(i64::from(offset))
}

/// The latest `weekday` (Monday = 0) on or before the publication date.
pub fn weekday_before(published: NaiveDate, weekday: u8) -> NaiveDate {
    let target = Weekday::try_from(weekday.min(6)).unwrap_or(Weekday::Mon);
    let back = (7 + published.weekday().num_days_from_monday() - target.num_days_from_monday()) % 7;
    published - Duration::days(i64::from(back))
}

/// Whether the date starting at byte `start` is a dateline's: at the head of a paragraph,
/// after nothing but a place name in capitals and a comma ("DUSHANBE, September 19",
/// "ДУШАНБЕ, 19 сентября"). A dateline dates the report, not the event.
pub fn is_dateline(text: &str, start: usize) -> bool {
    is_stamp_line(text, start) || after_dateline_place(text, start)
}

/// Whether the date at byte `start` stands on a line of its own with nothing but days,
/// months, times and marks beside it ("Wednesday 6 July 2022 - 06:42", "April 28, 2023",
/// "Опубликовано: 19 августа 2022, 14:05"): the page's stamp of publication.
fn is_stamp_line(text: &str, start: usize) -> bool {
    const STAMP_WORDS: &[&str] = &[
        "mon",
        "tue",
        "wed",
        "thu",
        "fri",
        "sat",
        "sun",
        "jan",
        "feb",
        "mar",
        "apr",
        "may",
        "jun",
        "jul",
        "aug",
        "sep",
        "oct",
        "nov",
        "dec",
        "at",
        "am",
        "pm",
        "gmt",
        "utc",
        "updated",
        "published",
        "posted",
        "пон",
        "втор",
        "сред",
        "четв",
        "пятн",
        "субб",
        "воскр",
        "янв",
        "фев",
        "мар",
        "апр",
        "ма",
        "июн",
        "июл",
        "авг",
        "сен",
        "окт",
        "ноя",
        "дек",
        "г",
        "год",
        "обновлено",
        "опубликовано",
    ];
    // A stamp is a short line: look no further than that either way.
    const REACH: usize = 240;
    let from = text.ceil_char_boundary(start.saturating_sub(REACH));
    let to = text.floor_char_boundary(start + REACH);
    let (Some(head), Some(tail)) = (text.get(from..start), text.get(start..to)) else { return false };
    let line_start = match head.rfind('\n') {
        Some(n) => from + n + 1,
        None if from == 0 => 0,
        None => return false,
    };
    let line_end = match tail.find('\n') {
        Some(n) => start + n,
        None if to == text.len() => to,
        None => return false,
    };
    let Some(line) = text.get(line_start..line_end) else { return false };
    if line.chars().count() > 60 {
        return false;
    }
    line.split(|c: char| !c.is_alphabetic()).filter(|w| !w.is_empty()).all(|w| {
        let w = w.to_lowercase();
        STAMP_WORDS.iter().any(|s| w.starts_with(s))
    })
}

fn after_dateline_place(text: &str, start: usize) -> bool {
    // A dateline's place is a few words: look back no further than that.
    const REACH: usize = 64;
    let Some(head) = text.get(..start) else { return false };
    let mut from = start.saturating_sub(REACH);
    while !head.is_char_boundary(from) {
        from += 1;
    }
    let near = &head[from..];
    let paragraph = match near.rfind('\n') {
        Some(n) => &near[n + 1..],
        None if from == 0 => near,
        None => return false,
    }
    .trim();
    let Some(place) = paragraph.strip_suffix(',') else { return false };
    let letters = place.chars().filter(|c| c.is_alphabetic()).count();
    (3..=40).contains(&letters)
        && place.chars().all(|c| c.is_alphabetic() || c == ' ' || c == '-' || c == '.')
        && !place.chars().any(char::is_lowercase)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fold::fold;

    fn dates(text: &str, published: &str) -> Vec<String> {
        let published = NaiveDate::parse_from_str(published, "%Y-%m-%d").ok();
        explicit_dates(text, &fold(text), published).iter().map(|d| d.date.to_string()).collect()
    }

    #[test]
    fn explicit_dates_in_both_languages() {
        assert_eq!(dates("on 12 October and October 3, 2025", "2026-11-01"), ["2026-10-12", "2025-10-03"]);
        assert_eq!(dates("12 октября 2026 года и 3 мая", "2026-11-01"), ["2026-10-12", "2026-05-03"]);
        assert_eq!(dates("в ночь на 30 декабря", "2026-01-05"), ["2025-12-30"]);
        assert_eq!(dates("on 2026-03-04 and 05.06.2026", "2026-11-01"), ["2026-03-04", "2026-06-05"]);
        assert_eq!(dates("May said 12 people", "2026-11-01"), Vec::<String>::new());
        // A night spans two days and ends on the later one.
        assert_eq!(dates("on the night of January 27-28", "2026-02-01"), ["2026-01-28"]);
        assert_eq!(dates("on the night of 27–28 January 2025", "2026-02-01"), ["2025-01-28"]);
    }

    #[test]
    fn datelines_are_told_apart() {
        let at = |text: &str, date: &str| is_dateline(text, text.find(date).expect("date in text"));
        assert!(at("KABUL, March 3 (Agency) - Police said", "March 3"));
        assert!(at("Headline here\n\nТЕРМЕЗ, 4 марта — Агентство.", "4 марта"));
        assert!(at("NEW YORK, May 2, 2024", "May 2"));
        assert!(!at("Kabul, March 3 - Police said", "March 3"));
        assert!(!at("On March 3, police said", "March 3"));
        assert!(!at("KABUL - Police said on March 3", "March 3"));
    }

    #[test]
    fn weekdays_resolve_backwards() {
        let wednesday = NaiveDate::from_ymd_opt(2026, 11, 25).expect("date");
        assert_eq!(weekday_before(wednesday, 1).to_string(), "2026-11-24");
        assert_eq!(weekday_before(wednesday, 2).to_string(), "2026-11-25");
        assert_eq!(weekday_before(wednesday, 3).to_string(), "2026-11-19");
        assert_eq!(day_offset(wednesday, -1).to_string(), "2026-11-24");
    }
}
