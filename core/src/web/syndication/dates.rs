//! Feed dates: RFC 822 (RSS; as updated by RFC 1123/2822) and RFC 3339 (Atom), read with
//! chrono and the variants real feeds use:
//! - RFC 822: full day and month names, a missing day name or seconds, two-digit years,
//!   `UT`/`GMT`/`UTC`/`Z` and the US zone names, a few common other zone names, a missing
//!   zone (taken as UTC), a trailing period after the day name.
//! - RFC 3339: lower-case `t`/`z`, a space instead of `T`, a missing seconds field or zone
//!   (UTC), a date alone (midnight UTC), a zone offset without a colon.
//!
//! Either reader is tried on either format's dates: feeds mix them up.

use chrono::{DateTime as ChronoDateTime, FixedOffset, NaiveDate, NaiveDateTime, TimeZone, Utc};

use crate::foundation::{DateTime, TICKS_PER_SECOND};

/// Parses a feed date, `None` when neither reader understands it.
pub(crate) fn parse(text: &str) -> Option<DateTime> {
    let text = text.trim();
    // RFC 822 dates start with a day name or a day number followed by a space.
    let looks_822 =
        text.starts_with(|c: char| c.is_ascii_alphabetic()) || text.get(..3).is_some_and(|s| s.contains(' '));
    let parsed = if looks_822 {
        rfc822(text).or_else(|| rfc3339(text))
    } else {
        rfc3339(text).or_else(|| rfc822(text))
    }?;
    Some(to_winrt(parsed))
}

/// A date as RFC 3339 (`2026-12-06T07:30:00Z`, sub-seconds when there are any).
pub(crate) fn format_rfc3339(d: DateTime) -> String {
    from_winrt(d).to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
}

/// A date as RFC 822 (`Sun, 06 Dec 2026 07:30:00 GMT`).
pub(crate) fn format_rfc822(d: DateTime) -> String {
    from_winrt(d).format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

const UNIX_EPOCH_TICKS: i64 = 116_444_736_000_000_000;

fn to_winrt(d: ChronoDateTime<FixedOffset>) -> DateTime {
    let ticks = d.timestamp().saturating_mul(TICKS_PER_SECOND) + i64::from(d.timestamp_subsec_nanos() / 100);
    DateTime { universal_time: ticks.saturating_add(UNIX_EPOCH_TICKS) }
}

fn from_winrt(d: DateTime) -> ChronoDateTime<Utc> {
    let since_epoch = d.universal_time - UNIX_EPOCH_TICKS;
    let secs = since_epoch.div_euclid(TICKS_PER_SECOND);
    let nanos = (since_epoch.rem_euclid(TICKS_PER_SECOND) * 100) as u32;
    Utc.timestamp_opt(secs, nanos).single().unwrap_or_default()
}

fn rfc3339(text: &str) -> Option<ChronoDateTime<FixedOffset>> {
    if let Ok(d) = ChronoDateTime::parse_from_rfc3339(text) {
        return Some(d);
    }
    let upper = text.to_ascii_uppercase().replacen(' ', "T", 1);
    if let Ok(d) = ChronoDateTime::parse_from_rfc3339(&upper) {
        return Some(d);
    }
    for format in ["%Y-%m-%dT%H:%M:%S%.f%z", "%Y-%m-%dT%H:%M%z", "%Y-%m-%dT%H:%M%:z"] {
        if let Ok(d) = ChronoDateTime::parse_from_str(&upper.replace('Z', "+0000"), format) {
            return Some(d);
        }
    }
    for format in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M"] {
        if let Ok(d) = NaiveDateTime::parse_from_str(&upper, format) {
            return Some(d.and_utc().fixed_offset());
        }
    }
    let date = NaiveDate::parse_from_str(&upper, "%Y-%m-%d").ok()?;
    Some(date.and_hms_opt(0, 0, 0)?.and_utc().fixed_offset())
}

fn rfc822(text: &str) -> Option<ChronoDateTime<FixedOffset>> {
    if let Ok(d) = ChronoDateTime::parse_from_rfc2822(text) {
        return Some(d);
    }
    let normalized = normalize_822(text)?;
    ChronoDateTime::parse_from_rfc2822(&normalized).ok()
}

/// Rewrites the common deviations into strict RFC 2822.
fn normalize_822(text: &str) -> Option<String> {
    let mut words: Vec<String> = text.split_whitespace().map(str::to_string).collect();
    if words.is_empty() {
        return None;
    }
    // "Sunday," / "Sun.," / "Sun" → drop the day name (chrono checks it against the date).
    if words[0].chars().next()?.is_ascii_alphabetic() {
        words.remove(0);
    }
    for w in &mut words {
        if let Some(month) = month_abbreviation(w) {
            *w = month.to_string();
        }
    }
    // A time without seconds.
    if let Some(time) = words.iter_mut().find(|w| w.contains(':'))
        && time.matches(':').count() == 1
    {
        time.push_str(":00");
    }
    // The zone: missing → UTC; names chrono does not know → their offsets.
    match words.last().map(String::as_str) {
        Some(last) if last.contains(':') => words.push("+0000".to_string()),
        Some(last) => {
            if let Some(offset) = zone_offset(last) {
                let n = words.len();
                words[n - 1] = offset.to_string();
            }
        }
        None => return None,
    }
    Some(words.join(" "))
}

fn month_abbreviation(word: &str) -> Option<&'static str> {
    const MONTHS: [&str; 12] =
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let lower = word.trim_end_matches(['.', ',']).to_ascii_lowercase();
    if lower.len() < 3 || !lower.chars().all(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    let full = [
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
    let index = full
        .iter()
        .position(|m| *m == lower || (lower == "sept" && *m == "september") || m.get(..3) == Some(&lower))?;
    Some(MONTHS[index])
}

fn zone_offset(zone: &str) -> Option<&'static str> {
    Some(match zone.to_ascii_uppercase().as_str() {
        "UTC" | "Z" => "+0000",
        "BST" => "+0100",
        "CET" => "+0100",
        "CEST" => "+0200",
        "EET" => "+0200",
        "EEST" => "+0300",
        "IST" => "+0530",
        "JST" => "+0900",
        "AEST" => "+1000",
        "AEDT" => "+1100",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unix(text: &str) -> i64 {
        parse(text).unwrap_or_else(|| panic!("{text} did not parse")).to_unix_seconds()
    }

    #[test]
    fn reads_rfc3339_and_variants() {
        let t = 1_071_340_200; // 2003-12-13T18:30:00Z
        for text in [
            "2003-12-13T18:30:00Z",
            "2003-12-13t18:30:00z",
            "2003-12-13 18:30:00Z",
            "2003-12-13T18:30Z",
            "2003-12-13T19:30:00+01:00",
            "2003-12-13T19:30:00+0100",
            "2003-12-13T18:30:00",
            "2003-12-13T18:30:00.25Z",
        ] {
            assert_eq!(unix(text), t, "{text}");
        }
        assert_eq!(unix("2003-12-13"), 1_071_273_600);
    }

    #[test]
    fn reads_rfc822_and_variants() {
        let t = 1_071_340_200;
        for text in [
            "Sat, 13 Dec 2003 18:30:00 GMT",
            "Sat, 13 Dec 2003 18:30:00 +0000",
            "13 Dec 2003 18:30:00 GMT",
            "Sat, 13 Dec 03 18:30:00 GMT",
            "Sat, 13 Dec 2003 18:30 GMT",
            "Sat, 13 Dec 2003 13:30:00 EST",
            "Saturday, 13 December 2003 18:30:00 UTC",
            "Sat, 13 Dec 2003 18:30:00",
            "Sat, 13 Dec 2003 19:30:00 CET",
            "Sat., 13 Dec. 2003 18:30:00 Z",
        ] {
            assert_eq!(unix(text), t, "{text}");
        }
    }

    #[test]
    fn rejects_nonsense_and_formats_back() {
        for text in ["", "yesterday", "13/12/2003", "Sat, 45 Dec 2003 18:30:00 GMT"] {
            assert_eq!(parse(text), None, "{text}");
        }
        let d = parse("2003-12-13T18:30:00.5Z").unwrap();
        assert_eq!(format_rfc3339(d), "2003-12-13T18:30:00.500Z");
        assert_eq!(format_rfc822(d), "Sat, 13 Dec 2003 18:30:00 GMT");
        assert_eq!(
            parse(&format_rfc822(parse("2003-12-13T18:30:00Z").unwrap())).unwrap().to_unix_seconds(),
            1_071_340_200
        );
    }
}
