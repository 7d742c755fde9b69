//! Arranging a keyset page's rows: the arms' rows in the ordering's order, cut to
//! the page, with the flags that say whether rows lie beyond either edge.

use super::plan::ArmTag;
use super::KeysetStatement;
use crate::Value;

/// Whether rows lie beyond a page's edges.
///
/// ```
/// let e = folio::Edges { has_next: true, has_previous: false };
/// assert!(e.has_next && !e.has_previous);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Edges {
    /// Whether rows follow the page.
    pub has_next: bool,
    /// Whether rows precede the page.
    pub has_previous: bool,
}

impl KeysetStatement {
    /// Puts the fetched rows in the ordering's order (in place), cuts them to the page
    /// size and says whether rows lie beyond either edge. `keys` gives a row's key values (one
    /// per key of the ordering); they are read only for statements of several arms,
    /// whose arms SQL may return in any order: each row's arm is found by equality
    /// and NULL tests on its keys (never by comparing values in Rust, so a database
    /// collation cannot mislead it), and within an arm the arm's ORDER BY holds.
    ///
    /// ```
    /// use folio::{Select, KeysetQuery, Seek, SortSpec, Sqlite, Value};
    /// let spec = SortSpec::by_unique("id", "id");
    /// let st = KeysetQuery::new(&spec, Seek::Last, 2).render(&Sqlite, &Select::sql("SELECT * FROM t")).unwrap();
    /// // read backwards: 9, 8 and one extra row 7
    /// let mut rows: Vec<[Value; 1]> = [9, 8, 7].map(|id| [Value::Int(id)]).into();
    /// let edges = st.arrange(&mut rows, |r| r.as_slice());
    /// assert_eq!(rows, [[Value::Int(8)], [Value::Int(9)]]);
    /// assert!(edges.has_previous && !edges.has_next);
    /// ```
    pub fn arrange<R>(&self, rows: &mut Vec<R>, keys: impl Fn(&R) -> &[Value]) -> Edges {
        if !self.arms.is_empty() {
            let boundary = self.boundary.as_deref().unwrap_or(&[]);
            rows.sort_by_cached_key(|r| {
                let k = keys(r);
                self.arms
                    .iter()
                    .position(|tag| tag.holds(k, boundary))
                    .unwrap_or(self.arms.len())
            });
        }
        let limit = usize::try_from(self.limit).unwrap_or(usize::MAX);
        let more = rows.len() > limit;
        rows.truncate(limit);
        if self.seek_backward {
            rows.reverse();
            Edges {
                has_next: self.from_boundary,
                has_previous: more,
            }
        } else {
            Edges {
                has_next: more,
                has_previous: self.from_boundary,
            }
        }
    }
}

impl ArmTag {
    pub(super) fn holds(&self, keys: &[Value], boundary: &[Value]) -> bool {
        let lead_ok = self.lead_null.map_or(true, |null| {
            keys.first().is_some_and(Value::is_null) == null
        });
        let prefix_ok = self.equal_prefix.map_or(true, |p| {
            keys.iter()
                .zip(boundary)
                .take_while(|(k, b)| k == b)
                .count()
                == p
        });
        lead_ok && prefix_ok
    }
}
