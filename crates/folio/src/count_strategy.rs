//! How a page's total is obtained: the one vocabulary of count strategies.

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// How a page's total is obtained. Each strategy runs at most one statement, so a
/// page request stays within two (the page, and its count).
///
/// | strategy | relation | statement |
/// | --- | --- | --- |
/// | `none` | no total | none: `has_next` comes from the extra row |
/// | `exact` | `eq` | `COUNT(*)` of the filtered query |
/// | `cached` | `eq` | none on a cache hit, else `COUNT(*)`, kept for a while |
/// | `estimate` | `approx` (`eq` when small) | table statistics, or the planner's rows |
/// | `capped` | `eq`, or `gte` at the cap | counts at most cap + 1 rows |
/// | `auto` | `eq` under the threshold, else `approx` or `gte` | one of the above |
///
/// One vocabulary: the names above are what serde reads and writes, what a client
/// sends as `count=`, what a command line offers (clap, the `clap` feature) and what
/// an OpenAPI document lists (utoipa, the `utoipa` feature). The cap and the auto
/// threshold are settings of the endpoint, not of the strategy.
///
/// ```
/// use folio::CountStrategy;
/// assert_eq!("capped".parse::<CountStrategy>().unwrap(), CountStrategy::Capped);
/// assert_eq!(CountStrategy::default(), CountStrategy::Auto);
/// assert_eq!(serde_json::to_string(&CountStrategy::Estimate).unwrap(), r#""estimate""#);
/// let e = "most".parse::<CountStrategy>().unwrap_err();
/// assert_eq!((e.param(), e.kind().http_status()), (Some("count"), 400));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[non_exhaustive]
pub enum CountStrategy {
    /// No count: `has_next` comes from the extra row.
    None,
    /// `COUNT(*)` of the filtered query.
    Exact,
    /// Exact, kept per query and filters for a while (the executor's cache).
    Cached,
    /// Planner statistics: the table's for a whole table, the planner's row estimate
    /// for a filtered query; exact when small.
    Estimate,
    /// Count at most the cap + 1 rows; past the cap the total is the cap, `gte`.
    Capped,
    /// Exact under the threshold, else an estimate (a whole table) or a count capped
    /// at the threshold (a filtered query).
    #[default]
    Auto,
}

impl CountStrategy {
    /// Every strategy, in the order of the table above.
    ///
    /// ```
    /// assert_eq!(folio::CountStrategy::ALL.len(), 6);
    /// ```
    pub const ALL: [CountStrategy; 6] = [
        CountStrategy::None,
        CountStrategy::Exact,
        CountStrategy::Cached,
        CountStrategy::Estimate,
        CountStrategy::Capped,
        CountStrategy::Auto,
    ];

    /// The strategy's name, as a client writes it.
    ///
    /// ```
    /// assert_eq!(folio::CountStrategy::Capped.name(), "capped");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            CountStrategy::None => "none",
            CountStrategy::Exact => "exact",
            CountStrategy::Cached => "cached",
            CountStrategy::Estimate => "estimate",
            CountStrategy::Capped => "capped",
            CountStrategy::Auto => "auto",
        }
    }

    /// Reads a client's `count` value among `allowed` (a value outside it is an
    /// [`crate::ErrorKind::InvalidParameter`] error about `param` that lists them).
    ///
    /// ```
    /// use folio::CountStrategy;
    /// let allowed = [CountStrategy::None, CountStrategy::Exact];
    /// assert_eq!(CountStrategy::parse("none", "count", &allowed).unwrap(), CountStrategy::None);
    /// let e = CountStrategy::parse("estimate", "count", &allowed).unwrap_err();
    /// assert_eq!(e.reason(), "the count strategy `estimate` is not offered here; one of: none, exact");
    /// let e = CountStrategy::parse("most", "count", &allowed).unwrap_err();
    /// assert_eq!(e.reason(), "unknown count strategy `most`; one of: none, exact");
    /// ```
    pub fn parse(raw: &str, param: &str, allowed: &[CountStrategy]) -> Result<CountStrategy> {
        allowed
            .iter()
            .copied()
            .find(|s| s.name() == raw.trim())
            .ok_or_else(|| {
                let shown: String = raw.chars().take(32).collect();
                let names: Vec<&str> = allowed.iter().map(|s| s.name()).collect();
                let known = CountStrategy::ALL.iter().any(|s| s.name() == raw.trim());
                let what = if known {
                    format!("the count strategy `{shown}` is not offered here")
                } else {
                    format!("unknown count strategy `{shown}`")
                };
                Error::invalid(param, format!("{what}; one of: {}", names.join(", ")))
            })
    }
}

impl std::str::FromStr for CountStrategy {
    type Err = Error;

    fn from_str(s: &str) -> Result<CountStrategy> {
        CountStrategy::parse(s, "count", &CountStrategy::ALL)
    }
}

impl std::fmt::Display for CountStrategy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}
