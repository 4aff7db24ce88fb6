//! Dates as articles write them, normalised to ISO 8601 so they sort as text: a date alone
//! becomes `YYYY-MM-DD`, a date with a time becomes UTC `YYYY-MM-DDTHH:MM:SSZ`.

use chrono::{DateTime, NaiveDate, NaiveDateTime, SecondsFormat, Utc};

const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// Month number (1–12) of an English month name or its three-letter (or `Sept`) abbreviation.
pub fn month_number(word: &str) -> Option<u32> {
    let w = word.trim_end_matches('.').to_ascii_lowercase();
    if w.len() < 3 {
        return None;
    }
    MONTHS
        .iter()
        .position(|m| {
            *m == w || (w.len() <= 4 && m.starts_with(&w) && (w.len() == 3 || w == "sept"))
        })
        .map(|i| i as u32 + 1)
}

/// Parses a whole date value from a header or feed: ISO 8601, RFC 3339, RFC 2822, or written
/// out (`November 1, 2024`, `1 Nov 2024`, `Friday, November 1, 2024`).
pub fn parse_date(value: &str) -> Option<String> {
    let v = value.trim();
    if v.is_empty() {
        return None;
    }
    if let Ok(dt) = DateTime::parse_from_rfc3339(v) {
        return Some(iso_datetime(dt.with_timezone(&Utc)));
    }
    if let Ok(dt) = DateTime::parse_from_rfc2822(v) {
        return Some(iso_datetime(dt.with_timezone(&Utc)));
    }
    for fmt in ["%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"] {
        if let Ok(dt) = NaiveDateTime::parse_from_str(v, fmt) {
            return Some(iso_datetime(dt.and_utc()));
        }
    }
    for fmt in ["%Y-%m-%d", "%Y/%m/%d"] {
        if let Ok(d) = NaiveDate::parse_from_str(v, fmt) {
            return Some(iso_date(d));
        }
    }
    let found = find_date(v)?;
    // A written-out value must be mostly the date itself, not a sentence that holds one.
    (v.split_whitespace().count() <= 6).then_some(found)
}

/// Finds the first written-out date inside running text (`in Tokyo, Japan November 1, 2024`),
/// as `YYYY-MM-DD`.
pub fn find_date(text: &str) -> Option<String> {
    let words: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty())
        .collect();
    for i in 0..words.len() {
        let Some(month) = month_number(words[i]) else {
            continue;
        };
        // Month D YYYY
        if let (Some(d), Some(y)) = (words.get(i + 1), words.get(i + 2))
            && let (Some(day), Some(year)) = (day_number(d), year_number(y))
            && let Some(date) = NaiveDate::from_ymd_opt(year, month, day)
        {
            return Some(iso_date(date));
        }
        // D Month YYYY
        if i > 0
            && let (Some(day), Some(y)) = (day_number(words[i - 1]), words.get(i + 1))
            && let Some(year) = year_number(y)
            && let Some(date) = NaiveDate::from_ymd_opt(year, month, day)
        {
            return Some(iso_date(date));
        }
    }
    None
}

fn day_number(w: &str) -> Option<u32> {
    let w = w.trim_end_matches(|c: char| c.is_ascii_alphabetic() || c == '.');
    let d: u32 = w.parse().ok()?;
    (1..=31).contains(&d).then_some(d)
}

fn year_number(w: &str) -> Option<i32> {
    let w = w.trim_end_matches(['.', ';', ')']);
    if w.len() != 4 {
        return None;
    }
    let y: i32 = w.parse().ok()?;
    (1800..=2200).contains(&y).then_some(y)
}

fn iso_date(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn iso_datetime(dt: DateTime<Utc>) -> String {
    dt.to_rfc3339_opts(SecondsFormat::Secs, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_header_values() {
        assert_eq!(parse_date("2024-11-01").as_deref(), Some("2024-11-01"));
        assert_eq!(
            parse_date("2024-11-01T10:00:00+02:00").as_deref(),
            Some("2024-11-01T08:00:00Z")
        );
        assert_eq!(
            parse_date("Fri, 01 Nov 2024 10:00:00 GMT").as_deref(),
            Some("2024-11-01T10:00:00Z")
        );
        assert_eq!(
            parse_date("November 1, 2024").as_deref(),
            Some("2024-11-01")
        );
        assert_eq!(
            parse_date("Friday, 1 Nov 2024").as_deref(),
            Some("2024-11-01")
        );
        assert_eq!(parse_date("yesterday"), None);
        assert_eq!(parse_date("February 30, 2024"), None);
    }

    #[test]
    fn finds_dates_in_captions() {
        let caption = "speak to media in Tokyo, Japan November 1, 2024, in this photo";
        assert_eq!(find_date(caption).as_deref(), Some("2024-11-01"));
        assert_eq!(
            find_date("on 3 March 2021 in Paris").as_deref(),
            Some("2021-03-03")
        );
        assert_eq!(find_date("May I say 12 things"), None);
    }
}
