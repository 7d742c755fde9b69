//! The query-parameter names of a pagination style, and the slots they fill.

use super::resolve::Modes;

/// The query-parameter names of a pagination style.
///
/// ```
/// let names = folio::ParamNames::drf();
/// assert_eq!(names.size, "page_size");
/// assert!(names.contains("cursor"));
/// ```
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

/// The slots a pagination parameter can fill, in the order conflicts are reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Slot {
    Page,
    Size,
    Limit,
    Offset,
    Cursor,
    After,
    Before,
}

pub(super) const SLOTS: [Slot; 7] = [
    Slot::Page,
    Slot::Size,
    Slot::Limit,
    Slot::Offset,
    Slot::Cursor,
    Slot::After,
    Slot::Before,
];

impl Slot {
    pub(super) fn index(self) -> usize {
        self as usize
    }

    pub(super) fn modes(self) -> Modes {
        match self {
            Slot::Page => Modes::PAGE,
            Slot::Size => Modes::PAGE.union(Modes::CURSOR),
            Slot::Limit | Slot::Offset => Modes::OFFSET,
            Slot::Cursor | Slot::After | Slot::Before => Modes::CURSOR,
        }
    }

    pub(super) fn is_cursor_position(self) -> bool {
        matches!(self, Slot::Cursor | Slot::After | Slot::Before)
    }
}

impl ParamNames {
    /// The Flask article's names: `page`, `per_page`, `limit`, `offset`, `cursor`.
    ///
    /// ```
    /// let n = folio::ParamNames::seed();
    /// assert_eq!((n.page.as_str(), n.size.as_str()), ("page", "per_page"));
    /// assert_eq!(n.cursor.as_deref(), Some("cursor"));
    /// assert_eq!(n.after, None);
    /// ```
    pub fn seed() -> Self {
        ParamNames {
            page: "page".to_owned(),
            size: "per_page".to_owned(),
            limit: "limit".to_owned(),
            offset: "offset".to_owned(),
            cursor: Some("cursor".to_owned()),
            after: None,
            before: None,
        }
    }

    /// Django REST Framework's names: `page`, `page_size`, `limit`, `offset`, `cursor`.
    ///
    /// ```
    /// let n = folio::ParamNames::drf();
    /// assert_eq!(n.size, "page_size");
    /// assert_eq!(n.cursor.as_deref(), Some("cursor"));
    /// ```
    pub fn drf() -> Self {
        ParamNames {
            size: "page_size".to_owned(),
            ..ParamNames::seed()
        }
    }

    /// JSON:API's names: `page[number]`, `page[size]`, `page[limit]`, `page[offset]`,
    /// `page[after]` and `page[before]` (no direction-carrying `cursor`).
    ///
    /// ```
    /// let n = folio::ParamNames::jsonapi();
    /// assert_eq!(n.page, "page[number]");
    /// assert_eq!(n.cursor, None);
    /// assert_eq!(n.before.as_deref(), Some("page[before]"));
    /// ```
    pub fn jsonapi() -> Self {
        ParamNames {
            page: "page[number]".to_owned(),
            size: "page[size]".to_owned(),
            limit: "page[limit]".to_owned(),
            offset: "page[offset]".to_owned(),
            cursor: None,
            after: Some("page[after]".to_owned()),
            before: Some("page[before]".to_owned()),
        }
    }

    /// Whether `name` is one of these pagination parameters (links use this to keep
    /// every other parameter as the client sent it).
    ///
    /// ```
    /// let n = folio::ParamNames::jsonapi();
    /// assert!(n.contains("page[size]"));
    /// assert!(!n.contains("cursor"));
    /// assert!(!n.contains("category"));
    /// ```
    pub fn contains(&self, name: &str) -> bool {
        self.slot(name).is_some()
    }

    /// The names in use, in a fixed order: page, size, limit, offset, then the
    /// cursor, after and before names that are set.
    ///
    /// ```
    /// let names = folio::ParamNames::seed();
    /// let all: Vec<&str> = names.iter().collect();
    /// assert_eq!(all, ["page", "per_page", "limit", "offset", "cursor"]);
    /// ```
    pub fn iter(&self) -> impl Iterator<Item = &str> + '_ {
        SLOTS.iter().filter_map(|&s| self.name(s))
    }

    pub(super) fn name(&self, slot: Slot) -> Option<&str> {
        match slot {
            Slot::Page => Some(&self.page),
            Slot::Size => Some(&self.size),
            Slot::Limit => Some(&self.limit),
            Slot::Offset => Some(&self.offset),
            Slot::Cursor => self.cursor.as_deref(),
            Slot::After => self.after.as_deref(),
            Slot::Before => self.before.as_deref(),
        }
    }

    pub(super) fn slot(&self, key: &str) -> Option<Slot> {
        SLOTS.iter().copied().find(|&s| self.name(s) == Some(key))
    }
}

impl Default for ParamNames {
    /// The seed names ([`ParamNames::seed`]).
    ///
    /// ```
    /// assert_eq!(folio::ParamNames::default(), folio::ParamNames::seed());
    /// ```
    fn default() -> Self {
        ParamNames::seed()
    }
}
