//! Page requests parsed from query parameters under a [`Policy`].
//!
//! [`PageRequest::from_query`] reads a raw `application/x-www-form-urlencoded`
//! query string; [`PageRequest::from_pairs`] reads pairs a framework has already
//! decoded. Both apply the same rules:
//!
//! - `page` is an integer ≥ 1 or `last` (DRF's convention);
//! - the page size (`per_page`, DRF `page_size`, JSON:API `page[size]`) and `limit` are
//!   integers ≥ 1; above the policy's maximum they are clamped ([`Oversize::Clamp`],
//!   the default) or refused ([`Oversize::Reject`]);
//! - `offset` is an integer ≥ 0;
//! - page numbers and offsets must fit in a signed 64-bit integer (what SQL `OFFSET`
//!   takes), and so must the row offset of a page, `(page - 1) × size` (a size too
//!   large for 64 bits is just a size above the maximum: clamped or refused);
//! - `cursor` present but empty is the first page, `cursor=last` the last page, anything
//!   else a token checked elsewhere (only its length, at most
//!   [`PageRequest::MAX_CURSOR_BYTES`], is checked here);
//! - parameters of two modes together are refused with [`crate::ErrorKind::ConflictingModes`];
//! - a repeated parameter takes its last value (Django's `QueryDict.get`);
//! - parameters that are not pagination parameters are ignored, whatever they contain.
//!
//! Numbers are plain ASCII digits: no sign, no spaces, no decimal point (leading zeros
//! are accepted). Parameter names and the literal `last` are case-sensitive.

mod names;
mod parse;
mod resolve;

pub use names::ParamNames;
pub use resolve::{DefaultMode, Modes};

use crate::{QueryString, Result};

/// Which page of a page-number request.
///
/// ```
/// use folio::{Mode, PageNumber, PageRequest, Policy};
/// let r = PageRequest::from_query("page=last", &Policy::new()).unwrap();
/// assert_eq!(r.mode, Mode::Page(PageNumber::Last));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PageNumber {
    /// Page n, 1-based.
    Nth(u64),
    /// The last page (`page=last`, DRF's convention).
    Last,
}

/// Where a cursor-mode request starts.
///
/// ```
/// use folio::{CursorPosition, Mode, PageRequest, Policy};
/// let r = PageRequest::from_query("cursor=", &Policy::new()).unwrap();
/// assert_eq!(r.mode, Mode::Cursor(CursorPosition::First));
/// let r = PageRequest::from_query("cursor=abc", &Policy::new()).unwrap();
/// assert_eq!(r.mode, Mode::Cursor(CursorPosition::Token("abc".into())));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum CursorPosition {
    /// The first page (the cursor parameter present but empty).
    First,
    /// The last page (`cursor=last`).
    Last,
    /// A token; the page lies on the side of its boundary the token says.
    Token(String),
    /// A token whose boundary the page follows (JSON:API `page[after]`).
    After(String),
    /// A token whose boundary the page precedes (JSON:API `page[before]`).
    Before(String),
}

/// The pagination mode and its position.
///
/// ```
/// use folio::{Mode, PageRequest, Policy};
/// let r = PageRequest::from_query("limit=5&offset=20", &Policy::new()).unwrap();
/// assert_eq!(r.mode, Mode::Offset(20));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Mode {
    /// Page-number pagination.
    Page(PageNumber),
    /// Limit/offset pagination, from this offset.
    Offset(u64),
    /// Keyset pagination.
    Cursor(CursorPosition),
}

/// A validated page request: the mode and the effective page size.
///
/// ```
/// use folio::{Mode, PageNumber, PageRequest, Policy};
/// let r = PageRequest::from_query("page=3&per_page=500&q=shoes", &Policy::new()).unwrap();
/// assert_eq!(r, PageRequest { mode: Mode::Page(PageNumber::Nth(3)), size: 100 });
/// assert_eq!(r.offset(), Some(200));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PageRequest {
    /// The mode and position.
    pub mode: Mode,
    /// The effective page size (after defaulting and clamping).
    pub size: u64,
}

/// What to do with a page size above the maximum.
///
/// ```
/// use folio::{ErrorKind, Oversize, PageRequest, Policy};
/// let clamp = PageRequest::from_query("per_page=1000", &Policy::new()).unwrap();
/// assert_eq!(clamp.size, 100);
/// let reject = Policy::new().oversize(Oversize::Reject);
/// let e = PageRequest::from_query("per_page=1000", &reject).unwrap_err();
/// assert_eq!(e.kind(), ErrorKind::InvalidParameter);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Oversize {
    /// Use the maximum (the response shows the effective size).
    #[default]
    Clamp,
    /// Refuse the request.
    Reject,
}

/// How page requests are read: default and maximum page size, what to do above
/// the maximum, the parameter names, and the mode when none is named.
///
/// A `max_size` of 0 is read as 1, and a `default_size` outside `1..=max_size` is
/// brought inside it (these are server settings, not client input, so they are
/// never an error).
///
/// ```
/// use folio::{DefaultMode, Oversize, ParamNames, Policy};
/// let p = Policy::new();
/// assert_eq!((p.default_size, p.max_size), (10, 100));
/// assert_eq!(p.oversize, Oversize::Clamp);
/// assert_eq!(p.names, ParamNames::seed());
/// assert_eq!(p.default_mode, DefaultMode::Page);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Policy {
    /// Page size when none is given.
    pub default_size: u64,
    /// The largest page size served.
    pub max_size: u64,
    /// Clamp or reject sizes above `max_size`.
    pub oversize: Oversize,
    /// Parameter names.
    pub names: ParamNames,
    /// Mode when the request names none (always one of `modes`).
    pub default_mode: DefaultMode,
    /// The modes offered: a parameter of another mode is refused with
    /// [`crate::ErrorKind::ModeNotAllowed`].
    pub modes: Modes,
}

impl Policy {
    /// Default size 10, maximum 100, clamping, the seed names, page-number mode.
    ///
    /// ```
    /// assert_eq!(folio::Policy::new(), folio::Policy::default());
    /// ```
    pub fn new() -> Self {
        Policy {
            default_size: 10,
            max_size: 100,
            oversize: Oversize::Clamp,
            names: ParamNames::seed(),
            default_mode: DefaultMode::Page,
            modes: Modes::ANY,
        }
    }

    /// Sets the page size used when the request gives none.
    ///
    /// ```
    /// let p = folio::Policy::new().default_size(5);
    /// assert_eq!(folio::PageRequest::from_query("", &p).unwrap().size, 5);
    /// ```
    pub fn default_size(mut self, n: u64) -> Self {
        self.default_size = n;
        self
    }

    /// Sets the largest page size served.
    ///
    /// ```
    /// let p = folio::Policy::new().max_size(20);
    /// assert_eq!(folio::PageRequest::from_query("per_page=50", &p).unwrap().size, 20);
    /// ```
    pub fn max_size(mut self, n: u64) -> Self {
        self.max_size = n;
        self
    }

    /// Chooses between clamping and refusing sizes above the maximum.
    ///
    /// ```
    /// let p = folio::Policy::new().oversize(folio::Oversize::Reject);
    /// assert!(folio::PageRequest::from_query("limit=101", &p).is_err());
    /// ```
    pub fn oversize(mut self, o: Oversize) -> Self {
        self.oversize = o;
        self
    }

    /// Sets the parameter names.
    ///
    /// ```
    /// let p = folio::Policy::new().names(folio::ParamNames::drf());
    /// assert_eq!(folio::PageRequest::from_query("page_size=7", &p).unwrap().size, 7);
    /// ```
    pub fn names(mut self, n: ParamNames) -> Self {
        self.names = n;
        self
    }

    /// Sets the mode of a request that names no position.
    ///
    /// ```
    /// use folio::{DefaultMode, Mode, PageRequest, Policy};
    /// let p = Policy::new().default_mode(DefaultMode::Offset);
    /// assert_eq!(PageRequest::from_query("", &p).unwrap().mode, Mode::Offset(0));
    /// ```
    pub fn default_mode(mut self, m: DefaultMode) -> Self {
        self.default_mode = m;
        self.modes = self.modes | m.modes();
        self
    }

    /// Offers only `modes`: a parameter of another mode is refused with
    /// [`crate::ErrorKind::ModeNotAllowed`] (say `page=9999` on a cursor-only endpoint). When
    /// the default mode is not among them, the first offered of page number,
    /// limit/offset and cursor becomes the default.
    ///
    /// ```
    /// use folio::{CursorPosition, ErrorKind, Mode, Modes, PageRequest, Policy};
    /// let p = Policy::new().modes(Modes::CURSOR);
    /// assert_eq!(PageRequest::from_query("", &p).unwrap().mode, Mode::Cursor(CursorPosition::First));
    /// let e = PageRequest::from_query("page=9999", &p).unwrap_err();
    /// assert_eq!((e.kind(), e.param()), (ErrorKind::ModeNotAllowed, Some("page")));
    /// ```
    pub fn modes(mut self, modes: Modes) -> Self {
        // No mode at all would refuse every request: that is a setting, not input.
        self.modes = if modes == Modes::NONE {
            Modes::ANY
        } else {
            modes
        };
        if !self.modes.contains(self.default_mode.modes()) {
            self.default_mode = DefaultMode::first_of(self.modes);
        }
        self
    }

    /// Reads the page request of a query string (see the module docs for the rules).
    ///
    /// ```
    /// let q = folio::QueryString::parse("page=2&category=books");
    /// let r = folio::Policy::new().read(&q).unwrap();
    /// assert_eq!(r.offset(), Some(10));
    /// ```
    pub fn read(&self, query: &QueryString<'_>) -> Result<PageRequest> {
        let mut values: [Option<&str>; names::SLOTS.len()] = [None; names::SLOTS.len()];
        for slot in names::SLOTS {
            if let Some(name) = self.names.name(slot) {
                values[slot.index()] = query.get(name)?;
            }
        }
        resolve::resolve(&values, self)
    }

    /// The effective maximum (never below 1).
    pub(crate) fn effective_max(&self) -> u64 {
        self.max_size.max(1)
    }

    /// The effective default size (inside `1..=effective_max`).
    pub(crate) fn effective_default(&self) -> u64 {
        self.default_size.clamp(1, self.effective_max())
    }
}

impl Default for Policy {
    /// The same as [`Policy::new`].
    ///
    /// ```
    /// assert_eq!(folio::Policy::default().max_size, 100);
    /// ```
    fn default() -> Self {
        Policy::new()
    }
}

impl PageRequest {
    /// The longest cursor token accepted, in bytes; longer ones are refused with
    /// [`crate::ErrorKind::MalformedCursor`] before any decoding.
    ///
    /// ```
    /// let long = format!("cursor={}", "a".repeat(folio::PageRequest::MAX_CURSOR_BYTES + 1));
    /// let e = folio::PageRequest::from_query(&long, &folio::Policy::new()).unwrap_err();
    /// assert_eq!(e.kind(), folio::ErrorKind::MalformedCursor);
    /// ```
    pub const MAX_CURSOR_BYTES: usize = 4096;

    /// Reads a raw `application/x-www-form-urlencoded` query string (without the `?`).
    ///
    /// Pairs are split on `&` and `=`, `+` is a space and `%XX` escapes are decoded.
    /// A pagination parameter whose value has a bad `%` escape or is not UTF-8 once
    /// decoded is an [`crate::ErrorKind::InvalidParameter`]; other parameters are ignored
    /// whatever they contain. A key with no `=` has an empty value.
    ///
    /// ```
    /// use folio::{ErrorKind, Mode, PageNumber, PageRequest, Policy};
    /// let p = Policy::new();
    /// let r = PageRequest::from_query("category=shoes&page=2&per_page=25", &p).unwrap();
    /// assert_eq!((r.mode, r.size), (Mode::Page(PageNumber::Nth(2)), 25));
    ///
    /// let e = PageRequest::from_query("page=2&cursor=abc", &p).unwrap_err();
    /// assert_eq!(e.kind(), ErrorKind::ConflictingModes);
    ///
    /// let e = PageRequest::from_query("page=abc", &p).unwrap_err();
    /// assert_eq!((e.kind(), e.param()), (ErrorKind::InvalidParameter, Some("page")));
    /// ```
    pub fn from_query(raw_query: &str, policy: &Policy) -> Result<PageRequest> {
        policy.read(&QueryString::parse(raw_query))
    }

    /// Reads pairs a framework has already percent-decoded (say axum's
    /// `Query<Vec<(String, String)>>`). The last value of a repeated parameter wins.
    ///
    /// ```
    /// use folio::{Mode, PageRequest, Policy};
    /// let pairs = [("offset", "10"), ("limit", "5"), ("offset", "30")];
    /// let r = PageRequest::from_pairs(pairs, &Policy::new()).unwrap();
    /// assert_eq!((r.mode, r.size), (Mode::Offset(30), 5));
    /// ```
    pub fn from_pairs<'a>(
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
        policy: &Policy,
    ) -> Result<PageRequest> {
        let mut values: [Option<&str>; 7] = [None; 7];
        for (key, value) in pairs {
            if let Some(slot) = policy.names.slot(key) {
                values[slot.index()] = Some(value);
            }
        }
        resolve::resolve(&values, policy)
    }

    /// The row offset of the page: `(n - 1) × size` for page `n`, the offset itself in
    /// limit/offset mode; `None` for the last page and in cursor mode (where it is not
    /// known without a count, or not meaningful), and if it does not fit in a `u64`.
    ///
    /// ```
    /// use folio::{CursorPosition, Mode, PageNumber, PageRequest};
    /// let r = PageRequest { mode: Mode::Page(PageNumber::Nth(4)), size: 25 };
    /// assert_eq!(r.offset(), Some(75));
    /// let r = PageRequest { mode: Mode::Offset(7), size: 25 };
    /// assert_eq!(r.offset(), Some(7));
    /// let r = PageRequest { mode: Mode::Cursor(CursorPosition::First), size: 25 };
    /// assert_eq!(r.offset(), None);
    /// ```
    pub fn offset(&self) -> Option<u64> {
        match self.mode {
            Mode::Page(PageNumber::Nth(n)) => n.saturating_sub(1).checked_mul(self.size),
            Mode::Offset(o) => Some(o),
            Mode::Page(PageNumber::Last) | Mode::Cursor(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::parse::MAX_NUMBER;
    use super::*;
    use crate::{Error, ErrorKind};
    use proptest::prelude::*;

    fn seed() -> Policy {
        Policy::new()
    }

    fn drf() -> Policy {
        Policy::new().names(ParamNames::drf())
    }

    fn jsonapi() -> Policy {
        Policy::new().names(ParamNames::jsonapi())
    }

    fn ok(q: &str, policy: &Policy) -> PageRequest {
        PageRequest::from_query(q, policy).unwrap_or_else(|e| panic!("{q:?}: {e}"))
    }

    fn err(q: &str, policy: &Policy) -> Error {
        match PageRequest::from_query(q, policy) {
            Ok(r) => panic!("{q:?} was accepted as {r:?}"),
            Err(e) => e,
        }
    }

    fn assert_invalid(q: &str, policy: &Policy, param: &str, reason_starts: &str) {
        let e = err(q, policy);
        assert_eq!(e.kind(), ErrorKind::InvalidParameter, "{q:?}: {e}");
        assert_eq!(e.param(), Some(param), "{q:?}: {e}");
        assert!(e.reason().starts_with(reason_starts), "{q:?}: {e}");
    }

    fn assert_conflict(q: &str, policy: &Policy, a: &str, b: &str) {
        let e = err(q, policy);
        assert_eq!(e.kind(), ErrorKind::ConflictingModes, "{q:?}: {e}");
        let param = e.param().unwrap();
        assert!(param == a || param == b, "{q:?}: {e}");
        assert!(e.reason().contains(&format!("`{a}`")), "{q:?}: {e}");
        assert!(e.reason().contains(&format!("`{b}`")), "{q:?}: {e}");
    }

    fn page(n: u64, size: u64) -> PageRequest {
        PageRequest {
            mode: Mode::Page(PageNumber::Nth(n)),
            size,
        }
    }

    fn cursor(pos: CursorPosition, size: u64) -> PageRequest {
        PageRequest {
            mode: Mode::Cursor(pos),
            size,
        }
    }

    fn offset(o: u64, size: u64) -> PageRequest {
        PageRequest {
            mode: Mode::Offset(o),
            size,
        }
    }

    // --- names and policy ------------------------------------------------

    #[test]
    fn names_of_each_style() {
        let s = ParamNames::seed();
        assert_eq!(
            s.iter().collect::<Vec<_>>(),
            ["page", "per_page", "limit", "offset", "cursor"]
        );
        let d = ParamNames::drf();
        assert_eq!(
            d.iter().collect::<Vec<_>>(),
            ["page", "page_size", "limit", "offset", "cursor"]
        );
        let j = ParamNames::jsonapi();
        assert_eq!(
            j.iter().collect::<Vec<_>>(),
            [
                "page[number]",
                "page[size]",
                "page[limit]",
                "page[offset]",
                "page[after]",
                "page[before]"
            ]
        );
        assert!(j.contains("page[after]") && !j.contains("page"));
    }

    #[test]
    fn policy_defaults_and_builders() {
        let p = Policy::default();
        assert_eq!(p, Policy::new());
        assert_eq!((p.default_size, p.max_size), (10, 100));
        let p = Policy::new()
            .default_size(3)
            .max_size(7)
            .oversize(Oversize::Reject)
            .names(ParamNames::drf())
            .default_mode(DefaultMode::Cursor);
        assert_eq!((p.default_size, p.max_size), (3, 7));
        assert_eq!(p.oversize, Oversize::Reject);
        assert_eq!(p.names, ParamNames::drf());
        assert_eq!(p.default_mode, DefaultMode::Cursor);
    }

    #[test]
    fn misconfigured_policy_sizes_are_brought_in_range() {
        assert_eq!(ok("", &Policy::new().default_size(500)).size, 100);
        assert_eq!(ok("", &Policy::new().default_size(0)).size, 1);
        assert_eq!(ok("per_page=5", &Policy::new().max_size(0)).size, 1);
    }

    // --- defaults ------------------------------------------------------------

    #[test]
    fn nothing_gives_the_default_mode_and_size() {
        assert_eq!(ok("", &seed()), page(1, 10));
        assert_eq!(ok("category=shoes&ordering=-price", &seed()), page(1, 10));
        let p = Policy::new().default_mode(DefaultMode::Offset);
        assert_eq!(ok("", &p), offset(0, 10));
        let p = Policy::new().default_mode(DefaultMode::Cursor);
        assert_eq!(ok("", &p), cursor(CursorPosition::First, 10));
    }

    #[test]
    fn size_alone_starts_the_default_mode() {
        assert_eq!(ok("per_page=20", &seed()), page(1, 20));
        assert_eq!(ok("page_size=20", &drf()), page(1, 20));
        assert_eq!(ok("page%5Bsize%5D=20", &jsonapi()), page(1, 20));
        let c = Policy::new().default_mode(DefaultMode::Cursor);
        assert_eq!(ok("per_page=20", &c), cursor(CursorPosition::First, 20));
        let o = Policy::new().default_mode(DefaultMode::Offset);
        assert_eq!(ok("per_page=20", &o), offset(0, 20));
    }

    // --- page number ---------------------------------------------------------

    #[test]
    fn page_happy_paths() {
        assert_eq!(ok("page=3", &seed()), page(3, 10));
        assert_eq!(ok("page=3&per_page=25", &seed()), page(3, 25));
        assert_eq!(ok("page=007", &seed()), page(7, 10));
        assert_eq!(ok("page=2&page_size=5", &drf()), page(2, 5));
        assert_eq!(ok("page[number]=4&page[size]=5", &jsonapi()), page(4, 5));
        assert_eq!(
            ok("page=last&per_page=5", &seed()).mode,
            Mode::Page(PageNumber::Last)
        );
        assert_eq!(ok("page=last", &drf()).mode, Mode::Page(PageNumber::Last));
        assert_eq!(
            ok("page%5Bnumber%5D=last", &jsonapi()).mode,
            Mode::Page(PageNumber::Last)
        );
    }

    #[test]
    fn page_not_a_positive_integer() {
        for v in [
            "abc", "1.5", "", "0", "-3", "+3", " 3", "3 ", "LAST", "1e3", "0x10", "-0",
        ] {
            let q = format!("page={}", v.replace(' ', "%20").replace('+', "%2B"));
            assert_invalid(&q, &seed(), "page", "must be a positive integer");
        }
        assert_invalid("page", &seed(), "page", "must be a positive integer");
        assert_invalid("page=abc", &drf(), "page", "must be a positive integer");
        assert_invalid(
            "page[number]=0",
            &jsonapi(),
            "page[number]",
            "must be a positive integer",
        );
    }

    #[test]
    fn page_too_large() {
        assert_eq!(
            ok("page=9223372036854775807&per_page=1", &seed()),
            page(i64::MAX as u64, 1)
        );
        for v in [
            "9223372036854775808",
            "18446744073709551615",
            "18446744073709551616",
            "99999999999999999999999",
        ] {
            assert_invalid(&format!("page={v}"), &seed(), "page", "too large");
            assert_invalid(&format!("page={v}"), &drf(), "page", "too large");
            assert_invalid(
                &format!("page[number]={v}"),
                &jsonapi(),
                "page[number]",
                "too large",
            );
        }
    }

    #[test]
    fn page_whose_offset_overflows_is_too_large() {
        // (n - 1) * 10 > i64::MAX
        assert_invalid("page=922337203685477582", &seed(), "page", "too large");
        assert_eq!(
            ok("page=922337203685477581", &seed()).offset(),
            Some(9_223_372_036_854_775_800)
        );
        assert_invalid(
            "page=922337203685477582&per_page=10",
            &seed(),
            "page",
            "too large",
        );
        assert_invalid(
            "page=922337203685477582&page_size=10",
            &drf(),
            "page",
            "too large",
        );
    }

    // --- sizes ---------------------------------------------------------------

    #[test]
    fn size_not_a_positive_integer() {
        for v in ["0", "-1", "abc", "", "2.5", "-99999999999999999999"] {
            assert_invalid(
                &format!("per_page={v}"),
                &seed(),
                "per_page",
                "must be a positive integer",
            );
            assert_invalid(
                &format!("page_size={v}"),
                &drf(),
                "page_size",
                "must be a positive integer",
            );
            assert_invalid(
                &format!("page[size]={v}"),
                &jsonapi(),
                "page[size]",
                "must be a positive integer",
            );
            assert_invalid(
                &format!("limit={v}"),
                &seed(),
                "limit",
                "must be a positive integer",
            );
            assert_invalid(
                &format!("page[limit]={v}"),
                &jsonapi(),
                "page[limit]",
                "must be a positive integer",
            );
        }
    }

    #[test]
    fn oversize_is_clamped_by_default() {
        assert_eq!(ok("per_page=100", &seed()).size, 100);
        assert_eq!(ok("per_page=101", &seed()).size, 100);
        assert_eq!(ok("per_page=99999999999999999999999", &seed()).size, 100);
        assert_eq!(ok("page_size=500", &drf()).size, 100);
        assert_eq!(ok("page[size]=500", &jsonapi()).size, 100);
        assert_eq!(ok("limit=1000", &seed()), offset(0, 100));
        assert_eq!(ok("page[limit]=1000", &jsonapi()), offset(0, 100));
    }

    #[test]
    fn oversize_is_refused_under_reject() {
        let p = Policy::new().oversize(Oversize::Reject);
        assert_eq!(ok("per_page=100", &p).size, 100);
        assert_invalid("per_page=101", &p, "per_page", "must be at most 100");
        assert_invalid(
            "per_page=99999999999999999999999",
            &p,
            "per_page",
            "must be at most 100",
        );
        assert_invalid("limit=101", &p, "limit", "must be at most 100");
        let j = jsonapi().oversize(Oversize::Reject).max_size(50);
        assert_invalid("page[size]=51", &j, "page[size]", "must be at most 50");
        assert_invalid("page[limit]=51", &j, "page[limit]", "must be at most 50");
    }

    // --- limit / offset ------------------------------------------------------

    #[test]
    fn offset_happy_paths() {
        assert_eq!(ok("limit=5", &seed()), offset(0, 5));
        assert_eq!(ok("offset=40", &seed()), offset(40, 10));
        assert_eq!(ok("limit=5&offset=0", &seed()), offset(0, 5));
        assert_eq!(ok("limit=5&offset=40", &drf()), offset(40, 5));
        assert_eq!(
            ok("page[limit]=5&page[offset]=40", &jsonapi()),
            offset(40, 5)
        );
        assert_eq!(
            ok("offset=9223372036854775807", &seed()),
            offset(i64::MAX as u64, 10)
        );
    }

    #[test]
    fn offset_errors() {
        assert_invalid("offset=-1", &seed(), "offset", "must not be negative");
        assert_invalid(
            "limit=5&offset=-40",
            &drf(),
            "offset",
            "must not be negative",
        );
        assert_invalid(
            "page[offset]=-1",
            &jsonapi(),
            "page[offset]",
            "must not be negative",
        );
        for v in ["abc", "", "1.5", "+1"] {
            assert_invalid(
                &format!("offset={v}"),
                &seed(),
                "offset",
                "must be a non-negative integer",
            );
        }
        for v in ["9223372036854775808", "99999999999999999999999"] {
            assert_invalid(&format!("offset={v}"), &seed(), "offset", "too large");
            assert_invalid(
                &format!("page[offset]={v}"),
                &jsonapi(),
                "page[offset]",
                "too large",
            );
        }
    }

    // --- cursors -------------------------------------------------------------

    #[test]
    fn cursor_happy_paths() {
        assert_eq!(ok("cursor=", &seed()), cursor(CursorPosition::First, 10));
        assert_eq!(ok("cursor", &seed()), cursor(CursorPosition::First, 10));
        assert_eq!(ok("cursor=last", &seed()), cursor(CursorPosition::Last, 10));
        assert_eq!(
            ok("cursor=abc-_DEF&per_page=5", &seed()),
            cursor(CursorPosition::Token("abc-_DEF".into()), 5)
        );
        assert_eq!(
            ok("cursor=abc&page_size=5", &drf()),
            cursor(CursorPosition::Token("abc".into()), 5)
        );
        assert_eq!(
            ok("cursor=a%3Db", &drf()),
            cursor(CursorPosition::Token("a=b".into()), 10)
        );
    }

    #[test]
    fn jsonapi_after_and_before() {
        let j = jsonapi();
        assert_eq!(
            ok("page[after]=abc&page[size]=5", &j),
            cursor(CursorPosition::After("abc".into()), 5)
        );
        assert_eq!(
            ok("page%5Bbefore%5D=xyz", &j),
            cursor(CursorPosition::Before("xyz".into()), 10)
        );
        assert_eq!(ok("page[after]=", &j), cursor(CursorPosition::First, 10));
        assert_eq!(ok("page[before]=", &j), cursor(CursorPosition::Last, 10));
        // `cursor` is not a JSON:API parameter: ignored.
        assert_eq!(ok("cursor=abc", &j), page(1, 10));
    }

    #[test]
    fn cursor_too_long_is_malformed() {
        let max = PageRequest::MAX_CURSOR_BYTES;
        let fits = "a".repeat(max);
        assert_eq!(
            ok(&format!("cursor={fits}"), &seed()).mode,
            Mode::Cursor(CursorPosition::Token(fits.clone()))
        );
        let long = "a".repeat(max + 1);
        for (q, policy, param) in [
            (format!("cursor={long}"), seed(), "cursor"),
            (format!("cursor={long}"), drf(), "cursor"),
            (format!("page[after]={long}"), jsonapi(), "page[after]"),
            (format!("page[before]={long}"), jsonapi(), "page[before]"),
        ] {
            let e = err(&q, &policy);
            assert_eq!(e.kind(), ErrorKind::MalformedCursor);
            assert_eq!(e.param(), Some(param));
        }
    }

    // --- conflicts -----------------------------------------------------------

    #[test]
    fn conflicting_modes_seed() {
        let p = seed();
        assert_conflict("page=2&cursor=abc", &p, "page", "cursor");
        assert_conflict("page=2&cursor=", &p, "page", "cursor");
        assert_conflict("page=2&offset=10", &p, "page", "offset");
        assert_conflict("page=2&limit=10", &p, "page", "limit");
        assert_conflict("limit=10&cursor=abc", &p, "limit", "cursor");
        assert_conflict("offset=10&cursor=abc", &p, "offset", "cursor");
        assert_conflict("per_page=10&offset=10", &p, "per_page", "offset");
        assert_conflict("per_page=10&limit=10", &p, "per_page", "limit");
        // Conflicts are found even when the values are bad.
        assert_conflict("page=abc&cursor=", &p, "page", "cursor");
        let e = err("page=2&cursor=abc", &p);
        assert_eq!(
            e.reason(),
            "`page` and `cursor` select different pagination modes; use one"
        );
    }

    #[test]
    fn conflicting_modes_drf() {
        let p = drf();
        assert_conflict("page=2&cursor=abc", &p, "page", "cursor");
        assert_conflict("page=2&offset=10", &p, "page", "offset");
        assert_conflict("limit=10&cursor=abc", &p, "limit", "cursor");
        assert_conflict("page_size=10&offset=10", &p, "page_size", "offset");
        assert_conflict("page_size=10&limit=10", &p, "page_size", "limit");
    }

    #[test]
    fn conflicting_modes_jsonapi() {
        let p = jsonapi();
        assert_conflict(
            "page[number]=2&page[after]=x",
            &p,
            "page[number]",
            "page[after]",
        );
        assert_conflict(
            "page[number]=2&page[offset]=3",
            &p,
            "page[number]",
            "page[offset]",
        );
        assert_conflict(
            "page[limit]=2&page[before]=x",
            &p,
            "page[limit]",
            "page[before]",
        );
        assert_conflict(
            "page[size]=2&page[limit]=3",
            &p,
            "page[size]",
            "page[limit]",
        );
        assert_conflict(
            "page[after]=x&page[before]=y",
            &p,
            "page[after]",
            "page[before]",
        );
        assert_conflict(
            "page[after]=&page[before]=",
            &p,
            "page[after]",
            "page[before]",
        );
    }

    #[test]
    fn compatible_params_do_not_conflict() {
        assert_eq!(ok("page=2&per_page=5", &seed()), page(2, 5));
        assert_eq!(
            ok("cursor=x&per_page=5", &seed()),
            cursor(CursorPosition::Token("x".into()), 5)
        );
        assert_eq!(ok("limit=5&offset=5", &seed()), offset(5, 5));
    }

    // --- query-string decoding -----------------------------------------------

    #[test]
    fn last_value_wins() {
        assert_eq!(ok("page=2&page=5", &seed()), page(5, 10));
        // An earlier bad value is ignored, as `QueryDict.get` ignores it.
        assert_eq!(ok("page=abc&page=5", &seed()), page(5, 10));
        assert_invalid(
            "page=5&page=abc",
            &seed(),
            "page",
            "must be a positive integer",
        );
        assert_eq!(
            PageRequest::from_pairs([("page", "1"), ("page", "9")], &seed()).unwrap(),
            page(9, 10)
        );
    }

    #[test]
    fn form_decoding() {
        // Keys and values are percent-decoded; `+` is a space.
        assert_eq!(ok("p%61ge=%33", &seed()), page(3, 10));
        assert_eq!(
            ok("cursor=a+b%2Bc", &seed()),
            cursor(CursorPosition::Token("a b+c".into()), 10)
        );
        // Empty segments are skipped.
        assert_eq!(ok("&&page=2&&", &seed()), page(2, 10));
        // A `+` in a number is a space, so not a number.
        assert_invalid("page=+2", &seed(), "page", "must be a positive integer");
    }

    #[test]
    fn bad_escapes_in_pagination_params_are_refused() {
        assert_invalid(
            "page=%zz",
            &seed(),
            "page",
            "contains an invalid percent-escape",
        );
        assert_invalid(
            "cursor=abc%",
            &seed(),
            "cursor",
            "contains an invalid percent-escape",
        );
        assert_invalid(
            "per_page=%4",
            &seed(),
            "per_page",
            "contains an invalid percent-escape",
        );
        assert_invalid(
            "page[after]=%g1",
            &jsonapi(),
            "page[after]",
            "contains an invalid percent-escape",
        );
        assert_invalid("cursor=%FF%FE", &seed(), "cursor", "is not valid UTF-8");
        assert_invalid("page=%C3", &drf(), "page", "is not valid UTF-8");
    }

    #[test]
    fn other_params_are_ignored_whatever_they_contain() {
        assert_eq!(
            ok("q=%zz&name=%FF%FE&x=%&page=2&%%%=&=&==", &seed()),
            page(2, 10)
        );
        // A key with a bad escape is not a pagination name.
        assert_eq!(ok("page%=abc", &seed()), page(1, 10));
        // Names are case-sensitive.
        assert_eq!(ok("PAGE=abc&Per_Page=0", &seed()), page(1, 10));
    }

    #[test]
    fn from_pairs_reads_decoded_pairs() {
        let r = PageRequest::from_pairs([("cursor", "a+b%20"), ("per_page", "3")], &seed());
        // Already decoded: no further decoding.
        assert_eq!(
            r.unwrap(),
            cursor(CursorPosition::Token("a+b%20".into()), 3)
        );
        let e = PageRequest::from_pairs([("page", "0")], &seed()).unwrap_err();
        assert_eq!(e.param(), Some("page"));
        let e = PageRequest::from_pairs([("page[after]", "x"), ("page[before]", "y")], &jsonapi())
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::ConflictingModes);
        assert_eq!(
            PageRequest::from_pairs(Vec::<(&str, &str)>::new(), &drf()).unwrap(),
            page(1, 10)
        );
    }

    #[test]
    fn offset_method() {
        assert_eq!(page(1, 10).offset(), Some(0));
        assert_eq!(page(3, 25).offset(), Some(50));
        assert_eq!(page(0, 25).offset(), Some(0));
        assert_eq!(page(u64::MAX, 2).offset(), None);
        assert_eq!(offset(17, 5).offset(), Some(17));
        let last = PageRequest {
            mode: Mode::Page(PageNumber::Last),
            size: 10,
        };
        assert_eq!(last.offset(), None);
        assert_eq!(cursor(CursorPosition::First, 10).offset(), None);
        assert_eq!(cursor(CursorPosition::Token("t".into()), 10).offset(), None);
    }

    // --- properties ----------------------------------------------------------

    fn check_outcome(q: &str, policy: &Policy, result: &Result<PageRequest>) {
        match result {
            Ok(r) => {
                assert!(
                    r.size >= 1 && r.size <= policy.max_size.max(1),
                    "{q:?}: {r:?}"
                );
                if let Some(o) = r.offset() {
                    assert!(o <= MAX_NUMBER, "{q:?}: {r:?}");
                }
            }
            Err(e) => {
                assert!(
                    matches!(
                        e.kind(),
                        ErrorKind::InvalidParameter
                            | ErrorKind::ConflictingModes
                            | ErrorKind::MalformedCursor
                    ),
                    "{q:?}: {e:?}"
                );
                let param = e.param().expect("errors name their parameter");
                assert!(policy.names.contains(param), "{q:?}: {e:?}");
                assert!(!e.reason().is_empty());
            }
        }
    }

    fn query_strategy() -> impl Strategy<Value = String> {
        let key = prop_oneof![
            Just("page".to_owned()),
            Just("per_page".to_owned()),
            Just("page_size".to_owned()),
            Just("limit".to_owned()),
            Just("offset".to_owned()),
            Just("cursor".to_owned()),
            Just("page%5Bafter%5D".to_owned()),
            Just("page[before]".to_owned()),
            Just("page[number]".to_owned()),
            Just("page[size]".to_owned()),
            "[a-z%+]{0,6}",
        ];
        let value = prop_oneof![
            Just(String::new()),
            Just("last".to_owned()),
            "[0-9]{1,25}",
            "-[0-9]{1,5}",
            "[0-9a-zA-Z%+.=-]{0,12}",
            "%[0-9A-Fa-f]{2}%[0-9A-Fa-f]{2}",
            any::<String>(),
        ];
        prop::collection::vec((key, value), 0..5).prop_map(|pairs| {
            pairs
                .into_iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("&")
        })
    }

    fn policies() -> [Policy; 4] {
        [
            seed(),
            drf(),
            jsonapi(),
            Policy::new()
                .oversize(Oversize::Reject)
                .max_size(u64::MAX)
                .default_mode(DefaultMode::Cursor),
        ]
    }

    proptest! {
        #[test]
        fn from_query_never_panics_on_arbitrary_strings(q in any::<String>()) {
            for policy in policies() {
                let result = PageRequest::from_query(&q, &policy);
                check_outcome(&q, &policy, &result);
            }
        }

        #[test]
        fn from_query_never_panics_on_pagination_like_strings(q in query_strategy()) {
            for policy in policies() {
                let result = PageRequest::from_query(&q, &policy);
                check_outcome(&q, &policy, &result);
            }
        }

        #[test]
        fn valid_page_numbers_round_trip(n in 1u64..=1_000_000_000, size in 1u64..=100) {
            let q = format!("page={n}&per_page={size}");
            prop_assert_eq!(ok(&q, &seed()), page(n, size));
            prop_assert_eq!(ok(&q, &seed()).offset(), Some((n - 1) * size));
        }
    }
}
