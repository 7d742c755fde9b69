//! A page of results: items, edge flags, cursors and an optional total.

use serde::Serialize;

/// How exact a total is.
///
/// ```
/// assert_eq!(serde_json::to_string(&folio::TotalRelation::Gte).unwrap(), "\"gte\"");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(
    feature = "utoipa",
    derive(utoipa::ToSchema),
    schema(
        description = "How exact a total is: `eq` exact, `gte` at least (a capped count), `approx` an estimate."
    )
)]
pub enum TotalRelation {
    /// Exactly this many rows.
    Eq,
    /// At least this many rows (a capped count that hit its cap).
    Gte,
    /// About this many rows (a planner estimate).
    Approx,
}

/// A row count and how exact it is.
///
/// ```
/// let t = folio::Total::exact(42);
/// assert_eq!((t.value, t.relation), (42, folio::TotalRelation::Eq));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Total {
    /// The count.
    pub value: u64,
    /// How exact it is.
    pub relation: TotalRelation,
}

impl Total {
    /// An exact total.
    ///
    /// ```
    /// assert!(folio::Total::exact(3).is_exact());
    /// ```
    pub fn exact(value: u64) -> Self {
        Total {
            value,
            relation: TotalRelation::Eq,
        }
    }

    /// Whether the total is exact.
    ///
    /// ```
    /// let t = folio::Total { value: 10_000, relation: folio::TotalRelation::Gte };
    /// assert!(!t.is_exact());
    /// ```
    pub fn is_exact(&self) -> bool {
        self.relation == TotalRelation::Eq
    }
}

/// Which slice of the collection a page is.
///
/// ```
/// let w = folio::Window::Page { number: 3, size: 10 };
/// assert_eq!(w.size(), 10);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Window {
    /// Page `number` (1-based) of `size` rows.
    Page {
        /// The page number, 1-based.
        number: u64,
        /// Rows per page.
        size: u64,
    },
    /// `limit` rows from `offset`.
    Offset {
        /// Rows skipped.
        offset: u64,
        /// Rows per page.
        limit: u64,
    },
    /// A keyset page of `size` rows.
    Cursor {
        /// Rows per page.
        size: u64,
    },
}

impl Window {
    /// Rows per page.
    ///
    /// ```
    /// assert_eq!(folio::Window::Offset { offset: 5, limit: 7 }.size(), 7);
    /// ```
    pub fn size(&self) -> u64 {
        match *self {
            Window::Page { size, .. } | Window::Cursor { size } => size,
            Window::Offset { limit, .. } => limit,
        }
    }
}

/// One page of a collection.
///
/// `next_cursor` and `previous_cursor` are tokens for the pages after the last
/// item and before the first (set in cursor mode when such rows exist);
/// `item_cursors` holds one token per item in cursor mode (for Relay edges), and is
/// empty otherwise.
///
/// ```
/// use folio::{Page, Total, Window};
/// let page = Page {
///     items: vec![1, 2, 3],
///     has_next: true,
///     has_previous: false,
///     total: Some(Total::exact(25)),
///     window: Window::Page { number: 1, size: 3 },
///     next_cursor: None,
///     previous_cursor: None,
///     item_cursors: Vec::new(),
/// };
/// assert_eq!(page.pages(), Some(9));
/// let doubled = page.map(|i| i * 2);
/// assert_eq!(doubled.items, [2, 4, 6]);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    /// The items, in the ordering's order.
    pub items: Vec<T>,
    /// Whether rows follow this page.
    pub has_next: bool,
    /// Whether rows precede this page.
    pub has_previous: bool,
    /// The total, when counted, with its exactness.
    pub total: Option<Total>,
    /// Which slice this is.
    pub window: Window,
    /// Cursor mode: the token of the page after this one.
    pub next_cursor: Option<String>,
    /// Cursor mode: the token of the page before this one.
    pub previous_cursor: Option<String>,
    /// Cursor mode: one token per item (the page after that item).
    pub item_cursors: Vec<String>,
}

impl<T> Page<T> {
    /// `ceil(total / size)` when a total is known (0 for an empty collection), as
    /// Flask-SQLAlchemy computes `pages`.
    ///
    /// ```
    /// let mut page = folio::Page::<u8> {
    ///     items: vec![], has_next: false, has_previous: false,
    ///     total: Some(folio::Total::exact(0)),
    ///     window: folio::Window::Page { number: 1, size: 10 },
    ///     next_cursor: None, previous_cursor: None, item_cursors: vec![],
    /// };
    /// assert_eq!(page.pages(), Some(0));
    /// page.total = None;
    /// assert_eq!(page.pages(), None);
    /// ```
    pub fn pages(&self) -> Option<u64> {
        let size = self.window.size().max(1);
        self.total.map(|t| t.value.div_ceil(size))
    }

    /// The same page with every item mapped.
    ///
    /// ```
    /// let page = folio::Page {
    ///     items: vec!["a"], has_next: false, has_previous: false, total: None,
    ///     window: folio::Window::Cursor { size: 1 },
    ///     next_cursor: None, previous_cursor: None, item_cursors: vec![],
    /// };
    /// assert_eq!(page.map(str::len).items, [1]);
    /// ```
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            has_next: self.has_next,
            has_previous: self.has_previous,
            total: self.total,
            window: self.window,
            next_cursor: self.next_cursor,
            previous_cursor: self.previous_cursor,
            item_cursors: self.item_cursors,
        }
    }
}
