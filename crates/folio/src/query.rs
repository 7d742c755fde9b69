//! The query string of a request, decoded once, for every parameter folio reads.
//!
//! One decoder serves pagination parameters, orderings, field sets, counts and an
//! endpoint's declared filters (and the web adapters' own parameters):
//!
//! - pairs are split on `&` and `=`; empty segments are skipped; a key without `=`
//!   has an empty value;
//! - `+` is a space and `%XX` escapes are decoded (the `percent-encoding` crate);
//! - a value whose `%` is not followed by two hex digits, or that is not UTF-8 once
//!   decoded, is kept as an error that [`QueryString::get`] reports about its
//!   parameter; other parameters are not affected, whatever they contain;
//! - a key that does not decode is no parameter folio knows (it is kept, undecoded);
//! - a repeated parameter takes its last value (Django's `QueryDict.get`).

use std::borrow::Cow;

use percent_encoding::percent_decode;

use crate::{Error, Result};

/// Why a value did not decode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Bad {
    /// A `%` not followed by two hex digits.
    Escape,
    /// Bytes that are not UTF-8 once decoded.
    Utf8,
}

impl Bad {
    fn reason(self) -> &'static str {
        match self {
            Bad::Escape => {
                "contains an invalid percent-escape (`%` must be followed by two hex digits)"
            }
            Bad::Utf8 => "is not valid UTF-8 after percent-decoding",
        }
    }
}

/// A query string split into decoded pairs (see the module docs for the rules).
///
/// ```
/// let q = folio::QueryString::parse("category=Home+%26+Garden&page=2&page=3&bad=%zz");
/// assert_eq!(q.get("category").unwrap(), Some("Home & Garden"));
/// assert_eq!(q.get("page").unwrap(), Some("3"));
/// assert_eq!(q.get("missing").unwrap(), None);
/// let e = q.get("bad").unwrap_err();
/// assert_eq!(e.param(), Some("bad"));
/// assert_eq!(q.raw(), "category=Home+%26+Garden&page=2&page=3&bad=%zz");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryString<'a> {
    raw: &'a str,
    pairs: Vec<Pair<'a>>,
}

/// A decoded name and its value, or why the value did not decode.
type Pair<'a> = (Cow<'a, str>, std::result::Result<Cow<'a, str>, Bad>);

impl<'a> QueryString<'a> {
    /// Splits and decodes `raw` (without the `?`; a leading `?` is ignored).
    ///
    /// ```
    /// let q = folio::QueryString::parse("?a=1&&b");
    /// assert_eq!(q.get("a").unwrap(), Some("1"));
    /// assert_eq!(q.get("b").unwrap(), Some(""));
    /// ```
    pub fn parse(raw: &'a str) -> Self {
        let raw = raw.strip_prefix('?').unwrap_or(raw);
        let pairs = raw
            .split('&')
            .filter(|s| !s.is_empty())
            .map(|segment| {
                let (key, value) = segment.split_once('=').unwrap_or((segment, ""));
                let key = decode(key).unwrap_or(Cow::Borrowed(key));
                (key, decode(value))
            })
            .collect();
        QueryString { raw, pairs }
    }

    /// The query string as the client sent it (without a leading `?`).
    ///
    /// ```
    /// assert_eq!(folio::QueryString::parse("?x=%20").raw(), "x=%20");
    /// ```
    pub fn raw(&self) -> &'a str {
        self.raw
    }

    /// The last value of `name`, decoded; `Ok(None)` when absent, an
    /// [`crate::ErrorKind::InvalidParameter`] error about `name` when its last value
    /// does not decode.
    ///
    /// ```
    /// let q = folio::QueryString::parse("a=%FF%FE");
    /// assert_eq!(q.get("a").unwrap_err().reason(), "is not valid UTF-8 after percent-decoding");
    /// ```
    pub fn get(&self, name: &str) -> Result<Option<&str>> {
        match self.pairs.iter().rev().find(|(k, _)| k == name) {
            None => Ok(None),
            Some((_, Ok(v))) => Ok(Some(v)),
            Some((_, Err(bad))) => Err(Error::invalid(name, bad.reason())),
        }
    }

    /// Whether `name` is present (with any value, even one that does not decode).
    ///
    /// ```
    /// assert!(folio::QueryString::parse("cursor").contains("cursor"));
    /// ```
    pub fn contains(&self, name: &str) -> bool {
        self.pairs.iter().any(|(k, _)| k == name)
    }

    /// The decoded names, in order, repeats included.
    ///
    /// ```
    /// let q = folio::QueryString::parse("b=1&a=2&b=3");
    /// assert_eq!(q.names().collect::<Vec<_>>(), ["b", "a", "b"]);
    /// ```
    pub fn names(&self) -> impl Iterator<Item = &str> + '_ {
        self.pairs.iter().map(|(k, _)| &**k)
    }

    /// The last value of every name, in the order of each name's last occurrence;
    /// the values that do not decode are errors about their parameter.
    ///
    /// ```
    /// let q = folio::QueryString::parse("b=1&a=2&b=3");
    /// let last: Vec<_> = q.last_values().map(|(k, v)| (k, v.unwrap())).collect();
    /// assert_eq!(last, [("a", "2"), ("b", "3")]);
    /// ```
    pub fn last_values(&self) -> impl Iterator<Item = (&str, Result<&str>)> + '_ {
        self.pairs
            .iter()
            .enumerate()
            .filter(|(i, (k, _))| !self.pairs[i + 1..].iter().any(|(later, _)| later == k))
            .map(|(_, (k, v))| {
                let value = match v {
                    Ok(v) => Ok(&**v),
                    Err(bad) => Err(Error::invalid(k, bad.reason())),
                };
                (&**k, value)
            })
    }
}

/// Percent-decodes one component (`+` is a space), refusing incomplete escapes and
/// bytes that are not UTF-8.
fn decode(component: &str) -> std::result::Result<Cow<'_, str>, Bad> {
    let bytes = component.as_bytes();
    if !bytes.iter().any(|&b| b == b'%' || b == b'+') {
        return Ok(Cow::Borrowed(component));
    }
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'%'
            && !(bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit))
        {
            return Err(Bad::Escape);
        }
    }
    let spaced: Cow<'_, [u8]> = if bytes.contains(&b'+') {
        Cow::Owned(
            bytes
                .iter()
                .map(|&b| if b == b'+' { b' ' } else { b })
                .collect(),
        )
    } else {
        Cow::Borrowed(bytes)
    };
    let decoded: Vec<u8> = percent_decode(&spaced).collect();
    String::from_utf8(decoded)
        .map(Cow::Owned)
        .map_err(|_| Bad::Utf8)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn decodes_plus_and_escapes() {
        let q = QueryString::parse("p%61ge=%33&c=a+b%2Bc&e=");
        assert_eq!(q.get("page").unwrap(), Some("3"));
        assert_eq!(q.get("c").unwrap(), Some("a b+c"));
        assert_eq!(q.get("e").unwrap(), Some(""));
    }

    #[test]
    fn bad_values_are_errors_about_their_name_only() {
        let q = QueryString::parse("a=%zz&b=%C3&c=%4&d=ok&k%=x");
        for name in ["a", "b", "c"] {
            assert_eq!(q.get(name).unwrap_err().param(), Some(name));
        }
        assert_eq!(q.get("d").unwrap(), Some("ok"));
        // an undecodable key is kept as sent
        assert_eq!(q.get("k%").unwrap(), Some("x"));
    }

    #[test]
    fn last_value_wins_even_over_a_bad_one() {
        let q = QueryString::parse("page=abc&page=5");
        assert_eq!(q.get("page").unwrap(), Some("5"));
        let q = QueryString::parse("page=5&page=%zz");
        assert!(q.get("page").is_err());
    }

    proptest! {
        #[test]
        fn never_panics(s in any::<String>()) {
            let q = QueryString::parse(&s);
            for name in q.names().collect::<Vec<_>>() {
                let _ = q.get(name);
            }
            let _ = q.last_values().count();
        }
    }
}
