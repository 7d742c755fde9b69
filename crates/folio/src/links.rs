//! Next/previous/first/last links that keep every other query parameter. (Contract;
//! implemented by the envelope work.)

/// The navigation links of a page (absolute URLs), each absent when there is no such page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageLinks {
    /// The first page.
    pub first: Option<String>,
    /// The previous page.
    pub previous: Option<String>,
    /// The next page.
    pub next: Option<String>,
    /// The last page.
    pub last: Option<String>,
}
