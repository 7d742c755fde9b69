//! Page requests parsed from query parameters under a [`Policy`]. (Contract; the
//! parsing is implemented by the request work.)

/// Which page of a page-number request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PageNumber {
    /// Page n, 1-based.
    Nth(u64),
    /// The last page (`page=last`, DRF's convention).
    Last,
}

/// Where a cursor-mode request starts.
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
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PageRequest {
    /// The mode and position.
    pub mode: Mode,
    /// The effective page size (after defaulting and clamping).
    pub size: u64,
}

/// The query-parameter names of a pagination style.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ParamNames {
    /// Page number (`page`; JSON:API `page[number]`).
    pub page: String,
    /// Page size in page-number and cursor modes (`per_page`; DRF `page_size`; JSON:API `page[size]`).
    pub size: String,
    /// Page size in limit/offset mode (`limit`; JSON:API `page[limit]`).
    pub limit: String,
    /// Offset (`offset`; JSON:API `page[offset]`).
    pub offset: String,
    /// The cursor token whose direction the token carries (`cursor`); `None` where
    /// the style has none (JSON:API).
    pub cursor: Option<String>,
    /// A token the page follows (JSON:API `page[after]`).
    pub after: Option<String>,
    /// A token the page precedes (JSON:API `page[before]`).
    pub before: Option<String>,
}

/// What to do with a page size above the maximum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Oversize {
    /// Use the maximum (the response shows the effective size).
    #[default]
    Clamp,
    /// Refuse the request.
    Reject,
}

/// The mode of a request that names no position.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum DefaultMode {
    /// Page 1.
    #[default]
    Page,
    /// Offset 0.
    Offset,
    /// The first cursor page.
    Cursor,
}

/// How page requests are read: default and maximum page size, what to do above
/// the maximum, the parameter names, and the mode when none is named.
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
    /// Mode when the request names none.
    pub default_mode: DefaultMode,
}
