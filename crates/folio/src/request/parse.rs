//! The values of pagination parameters: page numbers, sizes, offsets, tokens.

use super::{Oversize, PageNumber, PageRequest, Policy};
use crate::{Error, ErrorKind, Result};

/// The largest number a request may carry: what a signed 64-bit SQL `OFFSET` holds.
pub(super) const MAX_NUMBER: u64 = i64::MAX as u64;

/// Why a string is not a non-negative integer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum IntError {
    /// Not a string of ASCII digits (empty, letters, a decimal point, spaces…).
    NotInteger,
    /// A minus sign followed by digits.
    Negative,
    /// Digits whose value exceeds `i64::MAX`.
    TooLarge,
}

/// Reads a string of ASCII digits as a number no larger than `i64::MAX`.
fn parse_uint(s: &str) -> std::result::Result<u64, IntError> {
    let all_digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(s) {
        return Err(match s.strip_prefix('-') {
            Some(rest) if all_digits(rest) => IntError::Negative,
            _ => IntError::NotInteger,
        });
    }
    let mut n: u64 = 0;
    for b in s.bytes() {
        n = n
            .checked_mul(10)
            .and_then(|n| n.checked_add(u64::from(b - b'0')))
            .filter(|&n| n <= MAX_NUMBER)
            .ok_or(IntError::TooLarge)?;
    }
    Ok(n)
}

fn too_large(param: &str) -> Error {
    Error::invalid(param, format!("too large: must be at most {MAX_NUMBER}"))
}

/// A page size (`per_page`, `limit`…): ≥ 1, clamped or refused above the maximum.
pub(super) fn parse_size(param: &str, raw: &str, policy: &Policy) -> Result<u64> {
    let max = policy.effective_max();
    let requested = match parse_uint(raw) {
        Ok(0) | Err(IntError::NotInteger | IntError::Negative) => {
            return Err(Error::invalid(param, "must be a positive integer"));
        }
        Ok(n) => n,
        // Larger than any maximum: clamp or refuse like any other oversize value.
        Err(IntError::TooLarge) => u64::MAX,
    };
    if requested <= max {
        return Ok(requested);
    }
    match policy.oversize {
        Oversize::Clamp => Ok(max),
        Oversize::Reject => Err(Error::invalid(param, format!("must be at most {max}"))),
    }
}

/// A page number: an integer ≥ 1 or `last`.
pub(super) fn parse_page(param: &str, raw: &str) -> Result<PageNumber> {
    if raw == "last" {
        return Ok(PageNumber::Last);
    }
    match parse_uint(raw) {
        Ok(0) | Err(IntError::NotInteger | IntError::Negative) => Err(Error::invalid(
            param,
            "must be a positive integer (or `last`)",
        )),
        Ok(n) => Ok(PageNumber::Nth(n)),
        Err(IntError::TooLarge) => Err(too_large(param)),
    }
}

/// An offset: an integer ≥ 0.
pub(super) fn parse_offset(param: &str, raw: &str) -> Result<u64> {
    match parse_uint(raw) {
        Ok(n) => Ok(n),
        Err(IntError::Negative) => Err(Error::invalid(param, "must not be negative")),
        Err(IntError::NotInteger) => Err(Error::invalid(param, "must be a non-negative integer")),
        Err(IntError::TooLarge) => Err(too_large(param)),
    }
}

/// A cursor token: only its length is checked here.
pub(super) fn check_token(param: &str, raw: &str) -> Result<String> {
    if raw.len() > PageRequest::MAX_CURSOR_BYTES {
        return Err(Error::new(
            ErrorKind::MalformedCursor,
            Some(param),
            format!(
                "is longer than {} bytes; use a cursor from a previous response",
                PageRequest::MAX_CURSOR_BYTES
            ),
        ));
    }
    Ok(raw.to_owned())
}
