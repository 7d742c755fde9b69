//! COUNT statements: exact, and capped at N (reading at most N+1 rows).

use crate::statement::Writer;
use crate::{BaseQuery, Dialect, Statement};

/// A count of the base query's rows (its filters kept; folio's ORDER BY is never
/// part of the base query, so there is none to strip).
///
/// ```
/// use folio::{BaseQuery, CountQuery, Postgres};
/// let base = BaseQuery::new("SELECT * FROM products WHERE category = $1").bind("books");
/// let st = CountQuery::capped(10_000).render(&Postgres, &base);
/// assert_eq!(
///     st.sql,
///     "SELECT COUNT(*) FROM (SELECT 1 AS one FROM (SELECT * FROM products WHERE category = $1) AS q LIMIT 10001) AS c"
/// );
/// assert_eq!(st.binds.len(), 1);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CountQuery {
    cap: Option<u64>,
}

impl CountQuery {
    /// `SELECT COUNT(*)` of every row.
    ///
    /// ```
    /// assert_eq!(folio::CountQuery::exact().cap(), None);
    /// ```
    pub fn exact() -> Self {
        CountQuery { cap: None }
    }

    /// A count that stops after `cap + 1` rows: a result above `cap` means
    /// "`cap` or more".
    ///
    /// ```
    /// assert_eq!(folio::CountQuery::capped(100).cap(), Some(100));
    /// ```
    pub fn capped(cap: u64) -> Self {
        CountQuery { cap: Some(cap) }
    }

    /// The cap, if any.
    ///
    /// ```
    /// assert_eq!(folio::CountQuery::capped(7).cap(), Some(7));
    /// ```
    pub fn cap(&self) -> Option<u64> {
        self.cap
    }

    /// Renders the count for `dialect` around `base`. The statement returns one
    /// row with one integer column.
    ///
    /// ```
    /// use folio::{BaseQuery, CountQuery, Sqlite};
    /// let st = CountQuery::exact().render(&Sqlite, &BaseQuery::new("SELECT * FROM t WHERE a > ?").bind(3));
    /// assert_eq!(st.sql, "SELECT COUNT(*) FROM (SELECT * FROM t WHERE a > ?) AS q");
    /// ```
    pub fn render(&self, dialect: &dyn Dialect, base: &BaseQuery) -> Statement {
        let mut w = Writer::new(dialect, base);
        match self.cap {
            None => {
                w.push("SELECT COUNT(*) FROM ").base(base, "q");
            }
            Some(cap) => {
                w.push("SELECT COUNT(*) FROM (SELECT 1 AS one FROM ")
                    .base(base, "q");
                w.push(" LIMIT ")
                    .push(&cap.saturating_add(1).to_string())
                    .push(") AS c");
            }
        }
        w.finish()
    }
}
