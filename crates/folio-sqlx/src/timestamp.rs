//! Timestamps as SQLite stores them.

/// SQLite's text form of a timestamp: RFC 3339 UTC with microseconds and `Z`
/// (`2024-05-01T12:34:56.123456Z`): text order is time order.
#[cfg_attr(not(any(feature = "sqlite", feature = "rusqlite")), allow(dead_code))]
pub(crate) fn sqlite_text(micros: i64) -> Option<String> {
    chrono::DateTime::from_timestamp_micros(micros)
        .map(|t| t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string())
}
