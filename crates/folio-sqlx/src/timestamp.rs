//! Timestamps as SQLite stores them, and as JSON APIs commonly write them.

use chrono::{DateTime, Timelike, Utc};

/// A timestamp as RFC 3339 text in UTC with microseconds and a `Z`
/// (`2024-05-01T12:34:56.123456Z`): the form folio binds timestamps in on SQLite
/// (text order is time order), and a good form for a JSON API.
///
/// Years 0 to 9999 are written by a fixed-position writer (a tenth of the cost of
/// `chrono`'s formatting machinery, which a page of rows pays once per row); other
/// years and leap seconds go through `chrono`.
///
/// ```
/// use chrono::{TimeZone, Utc};
/// let at = Utc.with_ymd_and_hms(2024, 5, 1, 12, 34, 56).unwrap()
///     + chrono::Duration::microseconds(123_456);
/// assert_eq!(folio_sqlx::rfc3339_micros(&at), "2024-05-01T12:34:56.123456Z");
/// assert_eq!(
///     folio_sqlx::rfc3339_micros(&Utc.with_ymd_and_hms(1970, 1, 1, 0, 0, 0).unwrap()),
///     "1970-01-01T00:00:00.000000Z"
/// );
/// ```
pub fn rfc3339_micros(at: &DateTime<Utc>) -> String {
    let micros = at.timestamp_micros();
    // 0000-01-01T00:00:00Z to 9999-12-31T23:59:59.999999Z, and no leap second.
    let fixed = (-62_167_219_200_000_000..253_402_300_800_000_000).contains(&micros)
        && at.nanosecond() < 1_000_000_000;
    if !fixed {
        return at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    }
    let secs = micros.div_euclid(1_000_000);
    let (days, day_secs) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (year, month, day) = civil_from_days(days);
    let mut out = *b"0000-00-00T00:00:00.000000Z";
    let mut put = |at: usize, width: usize, mut n: i64| {
        for i in (at..at + width).rev() {
            // `n % 10` is a digit 0 to 9: the cast cannot truncate.
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let digit = (n % 10) as u8;
            out[i] = b'0' + digit;
            n /= 10;
        }
    };
    put(0, 4, year);
    put(5, 2, month);
    put(8, 2, day);
    put(11, 2, day_secs / 3_600);
    put(14, 2, day_secs / 60 % 60);
    put(17, 2, day_secs % 60);
    put(20, 6, micros.rem_euclid(1_000_000));
    // Digits and separators only: always UTF-8.
    String::from_utf8(out.to_vec())
        .unwrap_or_else(|_| at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true))
}

/// The proleptic Gregorian (year, month, day) of a count of days since 1970-01-01
/// (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// SQLite's text form of a timestamp given in microseconds since the epoch (see
/// [`rfc3339_micros`]); `None` out of `chrono`'s range.
#[cfg_attr(not(any(feature = "sqlite", feature = "rusqlite")), allow(dead_code))]
pub(crate) fn sqlite_text(micros: i64) -> Option<String> {
    DateTime::from_timestamp_micros(micros).map(|t| rfc3339_micros(&t))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fixed_writer_agrees_with_chrono() {
        let samples = [
            0_i64,
            1,
            999_999,
            1_714_566_896_123_456,
            -1,
            -62_167_219_200_000_000,   // 0000-01-01
            253_402_300_799_999_999,   // 9999-12-31T23:59:59.999999
            951_782_400_000_000,       // 2000-02-29
            4_102_444_800_000_000 + 7, // 2100-01-01
        ];
        for micros in samples {
            let at = DateTime::from_timestamp_micros(micros).unwrap();
            assert_eq!(
                rfc3339_micros(&at),
                at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
                "{micros}"
            );
        }
        // every day of four centuries, at a varying time of day
        for day in (-200_i64 * 365)..(200 * 365) {
            let micros = day * 86_400_000_000 + (day * 7_919_000_003).rem_euclid(86_400_000_000);
            let at = DateTime::from_timestamp_micros(micros).unwrap();
            assert_eq!(
                rfc3339_micros(&at),
                at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
            );
        }
        // out of the fixed writer's range: chrono's form
        let far = DateTime::from_timestamp_micros(253_402_300_800_000_000).unwrap();
        assert_eq!(rfc3339_micros(&far), "+10000-01-01T00:00:00.000000Z");
    }
}
