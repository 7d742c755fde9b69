//! Timestamps read from SQLite, which has no timestamp type: the text forms it and
//! its users write, or unix seconds.

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Utc};
use serde::de::{self, Deserializer, Visitor};

/// Deserializes a UTC timestamp from a SQLite column, for
/// `#[serde(deserialize_with = "folio_sqlx::sqlite_datetime")]` on a
/// `chrono::DateTime<Utc>` field of a row read through [`crate::Rusqlite`].
///
/// SQLite keeps timestamps as text or numbers, and chrono's own `Deserialize`
/// takes RFC 3339 only, so `CURRENT_TIMESTAMP`'s `2024-05-01 12:34:56` (no `T`, no
/// offset) fails there. This accepts:
///
/// - RFC 3339: `2024-05-01T12:34:56Z`, `2024-05-01T14:34:56.5+02:00`;
/// - SQLite's `datetime()` and `CURRENT_TIMESTAMP` forms, UTC without an offset:
///   `2024-05-01 12:34:56`, `2024-05-01 12:34:56.123`;
/// - an integer: unix seconds (`unixepoch()`).
///
/// The common forms are read by a fixed-position parser, about ten times cheaper
/// than chrono's general one (a page of ten products spent a tenth of its
/// instructions parsing `created_at`); anything else goes to chrono.
///
/// ```
/// use chrono::{DateTime, Utc};
/// #[derive(serde::Deserialize)]
/// struct Event {
///     #[serde(deserialize_with = "folio_sqlx::sqlite_datetime")]
///     at: DateTime<Utc>,
/// }
/// for text in ["2024-05-01T12:34:56Z", "2024-05-01 12:34:56", "2024-05-01T14:34:56+02:00"] {
///     let e: Event = serde_json::from_value(serde_json::json!({ "at": text })).unwrap();
///     assert_eq!(e.at.to_rfc3339(), "2024-05-01T12:34:56+00:00");
/// }
/// let e: Event = serde_json::from_value(serde_json::json!({ "at": 1714566896 })).unwrap();
/// assert_eq!(e.at.to_rfc3339(), "2024-05-01T12:34:56+00:00");
/// assert!(serde_json::from_value::<Event>(serde_json::json!({ "at": "May 1st" })).is_err());
/// ```
///
/// # Errors
///
/// When the value is neither a timestamp text of those forms nor an integer.
pub fn sqlite_datetime<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
    d.deserialize_any(TimestampVisitor)
}

struct TimestampVisitor;

impl Visitor<'_> for TimestampVisitor {
    type Value = DateTime<Utc>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a timestamp: RFC 3339 text, `YYYY-MM-DD HH:MM:SS[.f]` (UTC) or unix seconds")
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
        parse(s).ok_or_else(|| E::invalid_value(de::Unexpected::Str(s), &self))
    }

    fn visit_i64<E: de::Error>(self, secs: i64) -> Result<Self::Value, E> {
        DateTime::from_timestamp(secs, 0)
            .ok_or_else(|| E::invalid_value(de::Unexpected::Signed(secs), &self))
    }

    fn visit_u64<E: de::Error>(self, secs: u64) -> Result<Self::Value, E> {
        i64::try_from(secs)
            .map_err(|_| E::invalid_value(de::Unexpected::Unsigned(secs), &self))
            .and_then(|s| self.visit_i64(s))
    }
}

/// A timestamp text of the forms [`sqlite_datetime`] accepts, in UTC.
pub(crate) fn parse(s: &str) -> Option<DateTime<Utc>> {
    fixed(s.as_bytes()).or_else(|| {
        DateTime::parse_from_rfc3339(s)
            .map(|t| t.to_utc())
            .or_else(|_| {
                NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S%.f").map(|t| t.and_utc())
            })
            .ok()
    })
}

/// `YYYY-MM-DD(T| )HH:MM:SS[.f{1,9}][Z|±HH:MM]`, read at fixed positions; `None`
/// for anything else (chrono then tries).
fn fixed(b: &[u8]) -> Option<DateTime<Utc>> {
    let digit = |i: usize| -> Option<u32> {
        let c = *b.get(i)?;
        c.is_ascii_digit().then(|| u32::from(c - b'0'))
    };
    let two = |i: usize| Some(digit(i)? * 10 + digit(i + 1)?);
    let at = |i: usize, c: u8| b.get(i) == Some(&c);
    if !(at(4, b'-')
        && at(7, b'-')
        && (at(10, b'T') || at(10, b' '))
        && at(13, b':')
        && at(16, b':'))
    {
        return None;
    }
    let year = i32::try_from(two(0)? * 100 + two(2)?).ok()?;
    let date = NaiveDate::from_ymd_opt(year, two(5)?, two(8)?)?;
    let mut i = 19;
    let mut nanos = 0;
    if at(i, b'.') {
        i += 1;
        let start = i;
        while let Some(d) = digit(i) {
            if i - start < 9 {
                nanos = nanos * 10 + d;
            }
            i += 1;
        }
        let digits = u32::try_from((i - start).min(9)).ok()?;
        if digits == 0 {
            return None;
        }
        nanos *= 10_u32.pow(9 - digits);
    }
    let time = NaiveTime::from_hms_nano_opt(two(11)?, two(14)?, two(17)?, nanos)?;
    let offset_minutes = match &b[i..] {
        [] | [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), _, _, b':', _, _] => {
            let minutes = i64::from(two(i + 1)? * 60 + two(i + 4)?);
            if *sign == b'+' {
                minutes
            } else {
                -minutes
            }
        }
        _ => return None,
    };
    let utc =
        NaiveDateTime::new(date, time).checked_sub_signed(TimeDelta::minutes(offset_minutes))?;
    Some(utc.and_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fast_path_agrees_with_chrono() {
        for text in [
            "2024-05-01T12:34:56Z",
            "2024-05-01T12:34:56.123456Z",
            "2024-05-01T12:34:56.1Z",
            "2024-05-01T12:34:56.123456789Z",
            "2024-05-01T14:34:56.5+02:00",
            "2024-05-01T10:04:56-02:30",
            "1999-12-31T23:59:59.999999Z",
            "2024-02-29T00:00:00z",
        ] {
            let fast = fixed(text.as_bytes()).unwrap_or_else(|| panic!("{text}: not read"));
            let chrono = DateTime::parse_from_rfc3339(text).unwrap().to_utc();
            assert_eq!(fast, chrono, "{text}");
        }
        for text in ["2024-05-01 12:34:56", "2024-05-01 12:34:56.250"] {
            let fast = fixed(text.as_bytes()).unwrap();
            let chrono = NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f")
                .unwrap()
                .and_utc();
            assert_eq!(fast, chrono, "{text}");
        }
    }

    #[test]
    fn what_the_fast_path_refuses_goes_to_chrono_or_fails() {
        // more than 9 fraction digits: chrono reads them, truncating
        assert!(fixed(b"2024-05-01T12:34:56.1234567891Z").is_some());
        // not a date
        for bad in [
            "2024-02-30T00:00:00Z",
            "2024-05-01T25:00:00Z",
            "2024-05-01T12:34:56.Z",
            "2024-05-01T12:34:56+0200",
            "2024-05-01",
            "",
            "20240501T123456Z",
        ] {
            assert!(fixed(bad.as_bytes()).is_none(), "{bad}");
        }
        assert!(parse("2024-05-01T12:34:56+0200").is_none());
        assert!(parse("not a time").is_none());
        // a leap second, which chrono's RFC 3339 parser reads
        assert_eq!(
            parse("2016-12-31T23:59:60Z"),
            DateTime::parse_from_rfc3339("2016-12-31T23:59:60Z")
                .ok()
                .map(|t| t.to_utc())
        );
    }
}
