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
