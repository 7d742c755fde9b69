//! Mode resolution: which mode a request selects, what conflicts, what an endpoint
//! allows, and the mode of a request that names none.

use super::names::{Slot, SLOTS};
use super::parse::{check_token, parse_offset, parse_page, parse_size, MAX_NUMBER};
use super::{CursorPosition, Mode, PageNumber, PageRequest, Policy};
use crate::{Error, ErrorKind, Result};

/// The mode of a request that names no position.
///
/// ```
/// use folio::{CursorPosition, DefaultMode, Mode, PageRequest, Policy};
/// let policy = Policy::new().default_mode(DefaultMode::Cursor);
/// let r = PageRequest::from_query("", &policy).unwrap();
/// assert_eq!(r.mode, Mode::Cursor(CursorPosition::First));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum DefaultMode {
    /// Page 1.
    #[default]
    Page,
    /// Offset 0.
    Offset,
    /// The first cursor page.
    Cursor,
}

impl DefaultMode {
    /// The mode as a set of one.
    ///
    /// ```
    /// assert_eq!(folio::DefaultMode::Cursor.modes(), folio::Modes::CURSOR);
    /// ```
    pub fn modes(self) -> Modes {
        match self {
            DefaultMode::Page => Modes::PAGE,
            DefaultMode::Offset => Modes::OFFSET,
            DefaultMode::Cursor => Modes::CURSOR,
        }
    }

    /// The first of page number, limit/offset and cursor that `modes` offers.
    pub(crate) fn first_of(modes: Modes) -> DefaultMode {
        [DefaultMode::Page, DefaultMode::Offset, DefaultMode::Cursor]
            .into_iter()
            .find(|m| modes.contains(m.modes()))
            .unwrap_or_default()
    }
}

/// A set of pagination modes: what an endpoint offers.
///
/// ```
/// use folio::Modes;
/// let pages = Modes::PAGE | Modes::OFFSET;
/// assert!(pages.contains(Modes::OFFSET));
/// assert!(!pages.contains(Modes::CURSOR));
/// assert!(Modes::ANY.contains(pages));
/// assert_eq!(Modes::CURSOR.to_string(), "cursor");
/// assert_eq!(pages.to_string(), "page number, limit/offset");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Modes(u8);

impl Modes {
    /// No mode.
    pub const NONE: Modes = Modes(0);
    /// Page numbers (`page`, `per_page`).
    pub const PAGE: Modes = Modes(1);
    /// Limit/offset (`limit`, `offset`).
    pub const OFFSET: Modes = Modes(2);
    /// Keyset cursors (`cursor`).
    pub const CURSOR: Modes = Modes(4);
    /// Every mode.
    pub const ANY: Modes = Modes(7);

    /// Both sets.
    ///
    /// ```
    /// assert_eq!(folio::Modes::PAGE.union(folio::Modes::OFFSET), folio::Modes::PAGE | folio::Modes::OFFSET);
    /// ```
    pub const fn union(self, other: Modes) -> Modes {
        Modes(self.0 | other.0)
    }

    /// Whether every mode of `other` is in this set.
    ///
    /// ```
    /// assert!(!folio::Modes::PAGE.contains(folio::Modes::ANY));
    /// ```
    pub const fn contains(self, other: Modes) -> bool {
        self.0 & other.0 == other.0
    }

    /// Whether the two sets share a mode.
    ///
    /// ```
    /// use folio::Modes;
    /// assert!((Modes::PAGE | Modes::CURSOR).intersects(Modes::CURSOR));
    /// assert!(!Modes::PAGE.intersects(Modes::OFFSET));
    /// ```
    pub const fn intersects(self, other: Modes) -> bool {
        self.0 & other.0 != 0
    }
}

impl std::ops::BitOr for Modes {
    type Output = Modes;
    fn bitor(self, rhs: Modes) -> Modes {
        self.union(rhs)
    }
}

impl std::fmt::Display for Modes {
    /// The modes in words, comma-separated (for error messages).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let words = [
            (Modes::PAGE, "page number"),
            (Modes::OFFSET, "limit/offset"),
            (Modes::CURSOR, "cursor"),
        ];
        let mut first = true;
        for (mode, word) in words {
            if self.contains(mode) {
                if !first {
                    f.write_str(", ")?;
                }
                f.write_str(word)?;
                first = false;
            }
        }
        Ok(())
    }
}

/// Whether two present parameters select different modes (or two cursor positions).
fn conflicts(a: Slot, b: Slot) -> bool {
    !a.modes().intersects(b.modes()) || (a.is_cursor_position() && b.is_cursor_position())
}

/// Applies the rules to the (decoded) value of each slot.
pub(super) fn resolve(values: &[Option<&str>; 7], policy: &Policy) -> Result<PageRequest> {
    let names = &policy.names;
    let name = |slot: Slot| names.name(slot).unwrap_or_default();
    let get = |slot: Slot| values[slot.index()];

    // Conflicts first: they are about the shape of the request, not its values.
    let present: Vec<Slot> = SLOTS.into_iter().filter(|&s| get(s).is_some()).collect();
    for (i, &a) in present.iter().enumerate() {
        if let Some(&b) = present[i + 1..].iter().find(|&&b| conflicts(a, b)) {
            let reason = if a.is_cursor_position() && b.is_cursor_position() {
                format!(
                    "`{}` and `{}` both give a cursor position; use one",
                    name(a),
                    name(b)
                )
            } else {
                format!(
                    "`{}` and `{}` select different pagination modes; use one",
                    name(a),
                    name(b)
                )
            };
            return Err(Error::new(
                ErrorKind::ConflictingModes,
                Some(name(a)),
                reason,
            ));
        }
    }

    // Then the modes the endpoint offers.
    if let Some(&slot) = present.iter().find(|s| !s.modes().intersects(policy.modes)) {
        return Err(Error::new(
            ErrorKind::ModeNotAllowed,
            Some(name(slot)),
            format!(
                "`{}` is a parameter of {} pagination, which this endpoint does not offer; \
                 it offers {}",
                name(slot),
                slot.modes(),
                policy.modes
            ),
        ));
    }

    // The page number is checked before the size, so its error comes first.
    let page = get(Slot::Page)
        .map(|raw| parse_page(name(Slot::Page), raw))
        .transpose()?;

    let size = if let Some(raw) = get(Slot::Limit) {
        parse_size(name(Slot::Limit), raw, policy)?
    } else if let Some(raw) = get(Slot::Size) {
        parse_size(name(Slot::Size), raw, policy)?
    } else {
        policy.effective_default()
    };

    let mode = if let Some(page) = page {
        if let PageNumber::Nth(n) = page {
            let fits = (n - 1).checked_mul(size).is_some_and(|o| o <= MAX_NUMBER);
            if !fits {
                return Err(Error::invalid(
                    name(Slot::Page),
                    format!(
                        "too large: ({} - 1) × page size must be at most {MAX_NUMBER}",
                        name(Slot::Page)
                    ),
                ));
            }
        }
        Mode::Page(page)
    } else if let Some(raw) = get(Slot::Offset) {
        Mode::Offset(parse_offset(name(Slot::Offset), raw)?)
    } else if get(Slot::Limit).is_some() {
        Mode::Offset(0)
    } else if let Some(raw) = get(Slot::Cursor) {
        Mode::Cursor(match raw {
            "" => CursorPosition::First,
            "last" => CursorPosition::Last,
            token => CursorPosition::Token(check_token(name(Slot::Cursor), token)?),
        })
    } else if let Some(raw) = get(Slot::After) {
        Mode::Cursor(match raw {
            "" => CursorPosition::First,
            token => CursorPosition::After(check_token(name(Slot::After), token)?),
        })
    } else if let Some(raw) = get(Slot::Before) {
        Mode::Cursor(match raw {
            "" => CursorPosition::Last,
            token => CursorPosition::Before(check_token(name(Slot::Before), token)?),
        })
    } else {
        match policy.default_mode {
            DefaultMode::Page => Mode::Page(PageNumber::Nth(1)),
            DefaultMode::Offset => Mode::Offset(0),
            DefaultMode::Cursor => Mode::Cursor(CursorPosition::First),
        }
    };
    Ok(PageRequest { mode, size })
}
