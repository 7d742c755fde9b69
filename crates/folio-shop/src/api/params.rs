//! The query parameters of the API besides pagination: decoding, integers,
//! enumerations and the count strategy, each refused with a 400 problem naming
//! the parameter.

use std::borrow::Cow;

use folio::{Error, ErrorKind};
use folio_sqlx::CountStrategy;

/// The decoded pairs of a raw query string. A repeated parameter's last value
/// wins, as in [`folio::PageRequest::from_pairs`].
#[derive(Debug, Clone, Default)]
pub struct QueryParams {
    pairs: Vec<(String, String)>,
}

fn decode(part: &str) -> Option<String> {
    let plus = part.replace('+', " ");
    let bytes = plus.as_bytes();
    // Refuse a `%` that is not followed by two hex digits, as folio does.
    for (i, b) in bytes.iter().enumerate() {
        if *b == b'%'
            && !(bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit))
        {
            return None;
        }
    }
    percent_encoding::percent_decode_str(&plus)
        .decode_utf8()
        .ok()
        .map(Cow::into_owned)
}

impl QueryParams {
    /// Decodes `raw` (the query string without `?`). Pairs that do not decode are
    /// kept as `None` and refused when a handler reads them.
    pub fn parse(raw: &str) -> Self {
        let pairs = raw
            .split('&')
            .filter(|s| !s.is_empty())
            .filter_map(|segment| {
                let (k, v) = segment.split_once('=').unwrap_or((segment, ""));
                let key = decode(k)?;
                // An undecodable value is kept as a marker that `get` refuses.
                let value = decode(v).unwrap_or_else(|| INVALID.to_owned());
                Some((key, value))
            })
            .collect();
        QueryParams { pairs }
    }

    /// The last value of `name`, if given.
    pub fn get(&self, name: &str) -> Result<Option<&str>, Error> {
        match self.pairs.iter().rev().find(|(k, _)| k == name) {
            None => Ok(None),
            Some((_, v)) if v == INVALID => Err(Error::invalid(
                name,
                "contains an invalid percent-escape or is not UTF-8",
            )),
            Some((_, v)) => Ok(Some(v.as_str())),
        }
    }

    /// An integer parameter within `min..=max` (`None` when absent).
    pub fn int(&self, name: &str, min: i64, max: i64) -> Result<Option<i64>, Error> {
        let Some(raw) = self.get(name)? else {
            return Ok(None);
        };
        let value: i64 = raw
            .trim()
            .parse()
            .map_err(|_| Error::invalid(name, format!("must be an integer from {min} to {max}")))?;
        if value < min || value > max {
            return Err(Error::invalid(
                name,
                format!("must be an integer from {min} to {max}"),
            ));
        }
        Ok(Some(value))
    }

    /// A parameter that must be one of `allowed` (`None` when absent).
    pub fn one_of(&self, name: &str, allowed: &[&str]) -> Result<Option<&str>, Error> {
        let Some(raw) = self.get(name)? else {
            return Ok(None);
        };
        if allowed.contains(&raw) {
            Ok(Some(raw))
        } else {
            Err(Error::invalid(
                name,
                format!("must be one of: {}", allowed.join(", ")),
            ))
        }
    }
}

/// Marks a value that did not decode (it cannot come out of a decoded query: it
/// holds a NUL).
const INVALID: &str = "\0invalid";

/// The count strategies a client may ask for with `count=`.
pub const COUNT_VALUES: &[&str] = &["exact", "estimate", "capped", "none"];

/// The count strategy of a request: `count=` if given (one of [`COUNT_VALUES`]),
/// else the server's default. `capped` counts up to `cap`.
pub fn count_strategy(
    params: &QueryParams,
    default: CountStrategy,
    cap: u64,
) -> Result<CountStrategy, Error> {
    let strategy = match params.one_of("count", COUNT_VALUES)? {
        None => default,
        Some("exact") => CountStrategy::Exact,
        Some("estimate") => CountStrategy::Estimate,
        Some("capped") => CountStrategy::Capped(cap),
        Some(_) => CountStrategy::None,
    };
    Ok(match strategy {
        CountStrategy::Capped(_) => CountStrategy::Capped(cap),
        other => other,
    })
}

/// A path id: a positive integer, else a 400 naming `id`.
pub fn path_id(raw: &str) -> Result<i64, Error> {
    raw.parse::<i64>()
        .ok()
        .filter(|id| *id >= 1)
        .ok_or_else(|| {
            Error::new(
                ErrorKind::InvalidParameter,
                Some("id"),
                "must be a positive integer",
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_and_last_wins() {
        let p = QueryParams::parse("category=home+garden&category=toys%20x&n=5");
        assert_eq!(p.get("category").unwrap(), Some("toys x"));
        assert_eq!(p.int("n", 0, 10).unwrap(), Some(5));
        assert!(p.int("n", 6, 10).is_err());
        assert_eq!(p.get("missing").unwrap(), None);
    }

    #[test]
    fn refuses_bad_escapes_and_values() {
        let p = QueryParams::parse("a=%zz&b=abc&c=x");
        assert_eq!(p.get("a").unwrap_err().param(), Some("a"));
        assert_eq!(p.int("b", 0, 1).unwrap_err().param(), Some("b"));
        assert_eq!(p.one_of("c", &["y"]).unwrap_err().param(), Some("c"));
        assert!(path_id("0").is_err() && path_id("x").is_err() && path_id("7").is_ok());
    }
}
