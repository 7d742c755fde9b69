//! Keyset (seek) pagination rendered as index-friendly SQL.
//!
//! The shapes, in order of preference:
//! - every key NOT NULL and in one direction: a row-value comparison
//!   `(a, b) > (?, ?)`, which SQLite and PostgreSQL turn into one index range;
//! - mixed directions (or a dialect without row values): the expanded form led by a
//!   redundant bound on the first key, `a >= ? AND (a > ? OR (a = ? AND b < ?))`,
//!   so the index is entered at the boundary instead of walked from its start;
//! - a nullable first key: the ordering is cut into its non-NULL part and its NULL
//!   part; each is an index range of its own (`a >= ?…`, `a IS NULL AND …`), joined
//!   by `UNION ALL`, each arm with its own `ORDER BY … LIMIT n+1`; nullable keys
//!   after the first get explicit `IS NULL` branches and `NULLS FIRST/LAST`;
//! - an order no index can give (mixed directions, a nullable key after the first)
//!   on a dialect without an incremental sort (MySQL, MariaDB, which would sort
//!   every row after the boundary): a bounded sort, the rows of the first-key values
//!   that the page's rows can have, found by one index range and read by one index
//!   lookup per value, then sorted (see `write::write_arm`).

mod arrange;
mod plan;
mod write;

pub use arrange::Edges;

use plan::{nullable_lead_arms, seek_arms, Arm, ArmFilter, ArmTag};
use write::{write_arm, write_union};

use crate::statement::Writer;
use crate::{Dialect, Error, Result, Select, SortKey, SortSpec, Statement, Value};

/// Where a keyset page starts.
///
/// ```
/// use folio::{Seek, Value};
/// assert!(Seek::Last.is_backward());
/// assert!(!Seek::After(vec![Value::Int(10)]).is_backward());
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum Seek {
    /// The first page.
    First,
    /// The last page (read backwards from the end, returned in forward order).
    Last,
    /// The page after the row with these key values (one per key of the ordering).
    After(Vec<Value>),
    /// The page before the row with these key values.
    Before(Vec<Value>),
}

impl Seek {
    /// Whether the page is read against the ordering (before a row, or the last page).
    ///
    /// ```
    /// assert!(folio::Seek::Before(vec![]).is_backward());
    /// ```
    pub fn is_backward(&self) -> bool {
        matches!(self, Seek::Last | Seek::Before(_))
    }

    /// The boundary row's key values, if the page starts at a row.
    ///
    /// ```
    /// assert_eq!(folio::Seek::First.boundary(), None);
    /// ```
    pub fn boundary(&self) -> Option<&[Value]> {
        match self {
            Seek::After(v) | Seek::Before(v) => Some(v),
            Seek::First | Seek::Last => None,
        }
    }
}

/// A keyset page query: the user's base query, an ordering, where to start and
/// how many rows.
///
/// ```
/// use folio::{Select, KeysetQuery, Orderings, Postgres, Seek, Sqlite, Value};
/// let orderings = Orderings::new("id", "id").field("created_at", "created_at");
/// let spec = orderings.parse("created_at").unwrap();
/// let base = Select::sql("SELECT * FROM products");
/// let seek = Seek::After(vec![Value::from("2024-05-01T00:00:00.000000Z"), Value::Int(42)]);
///
/// // PostgreSQL: one row-value comparison, one index range.
/// let pg_base = Select::sql("SELECT * FROM products WHERE category = ?").bind("books");
/// let st = KeysetQuery::new(&spec, seek.clone(), 10).render(&Postgres, &pg_base).unwrap();
/// assert_eq!(
///     st.statement.sql,
///     "SELECT * FROM (SELECT * FROM products WHERE category = $1) AS q \
///      WHERE (q.\"created_at\", q.\"id\") > ($2, $3) \
///      ORDER BY q.\"created_at\" ASC, q.\"id\" ASC LIMIT 11"
/// );
/// assert_eq!(st.statement.binds.len(), 3);
///
/// // SQLite seeks a row value on its first column only (when `id` is the rowid),
/// // so the seek is split: the ties of the boundary, then everything after them.
/// let st = KeysetQuery::new(&spec, seek, 10).render(&Sqlite, &base).unwrap();
/// assert_eq!(
///     st.statement.sql,
///     "SELECT * FROM (SELECT * FROM (SELECT * FROM products) AS q \
///      WHERE q.\"created_at\" = ? AND q.\"id\" > ? ORDER BY q.\"id\" ASC LIMIT 11) AS s0 \
///      UNION ALL SELECT * FROM (SELECT * FROM (SELECT * FROM products) AS q \
///      WHERE q.\"created_at\" > ? ORDER BY q.\"created_at\" ASC, q.\"id\" ASC LIMIT 11) AS s1"
/// );
/// ```
#[derive(Debug, Clone)]
pub struct KeysetQuery<'a> {
    spec: &'a SortSpec,
    seek: Seek,
    limit: u64,
    skip: u64,
}

/// A rendered keyset page: the statement, and how to arrange the rows it returns.
#[derive(Debug, Clone, PartialEq)]
pub struct KeysetStatement {
    /// The statement to run.
    pub statement: Statement,
    limit: u64,
    seek_backward: bool,
    from_boundary: bool,
    /// For a statement of several arms: which rows each arm holds, in traversal order.
    arms: Vec<ArmTag>,
    /// The boundary's key values (the arms of a split seek are told apart by them).
    boundary: Option<Vec<Value>>,
}

impl<'a> KeysetQuery<'a> {
    /// A page of `limit` rows of `spec`'s ordering, starting at `seek`.
    ///
    /// ```
    /// let spec = folio::SortSpec::by_unique("id", "id");
    /// let q = folio::KeysetQuery::new(&spec, folio::Seek::First, 5);
    /// let st = q.render(&folio::Sqlite, &folio::Select::sql("SELECT * FROM t")).unwrap();
    /// assert_eq!(st.statement.sql, "SELECT * FROM (SELECT * FROM t) AS q ORDER BY q.\"id\" ASC LIMIT 6");
    /// ```
    pub fn new(spec: &'a SortSpec, seek: Seek, limit: u64) -> Self {
        KeysetQuery {
            spec,
            seek,
            limit,
            skip: 0,
        }
    }

    /// Skips the first `rows` rows after the seek position: the page starts `rows`
    /// rows past the boundary (forward seeks only). This is how a page number is
    /// read from a bookmark, a known key a little before it: the seek enters the
    /// index at the bookmark and the OFFSET walks only the rows between it and the
    /// page, never the rows before it.
    ///
    /// With a skip, a split seek is not split (the skipped rows must be counted in
    /// one ordered stream): SQLite then enters the index on the first key (the
    /// expanded form's leading bound) and walks the boundary's ties. A nullable first
    /// key keeps its two arms: each reads the key columns of at most `rows + limit +
    /// 1` rows, an outer `ORDER BY` merges them before the OFFSET, and the page's
    /// rows are then read in full by their unique key.
    ///
    /// Fails with [`crate::ErrorKind::Internal`] on a backward seek.
    ///
    /// ```
    /// use folio::{Select, KeysetQuery, Orderings, Postgres, Seek, Sqlite, Value};
    /// let orderings = Orderings::new("id", "id").field("price", "price_cents");
    /// let base = Select::sql("SELECT * FROM products");
    /// let id = orderings.parse("id").unwrap();
    /// let st = KeysetQuery::new(&id, Seek::After(vec![Value::Int(499_000)]), 10)
    ///     .skip(990)
    ///     .render(&Sqlite, &base)
    ///     .unwrap();
    /// assert_eq!(
    ///     st.statement.sql,
    ///     "SELECT * FROM (SELECT * FROM products) AS q WHERE q.\"id\" > ? \
    ///      ORDER BY q.\"id\" ASC LIMIT 11 OFFSET 990"
    /// );
    /// let price = orderings.parse("price").unwrap();
    /// let seek = Seek::After(vec![Value::Int(500), Value::Int(7)]);
    /// let st = KeysetQuery::new(&price, seek.clone(), 10).skip(990).render(&Postgres, &base).unwrap();
    /// assert_eq!(
    ///     st.statement.sql,
    ///     "SELECT * FROM (SELECT * FROM products) AS q \
    ///      WHERE (q.\"price_cents\", q.\"id\") > ($1, $2) \
    ///      ORDER BY q.\"price_cents\" ASC, q.\"id\" ASC LIMIT 11 OFFSET 990"
    /// );
    /// // SQLite: not split, one arm led by a bound on the first key
    /// let st = KeysetQuery::new(&price, seek, 10).skip(990).render(&Sqlite, &base).unwrap();
    /// assert_eq!(st.arms(), 1);
    /// assert_eq!(
    ///     st.statement.sql,
    ///     "SELECT * FROM (SELECT * FROM products) AS q \
    ///      WHERE q.\"price_cents\" >= ? AND (q.\"price_cents\" > ? OR (q.\"price_cents\" = ? AND (q.\"id\" > ?))) \
    ///      ORDER BY q.\"price_cents\" ASC, q.\"id\" ASC LIMIT 11 OFFSET 990"
    /// );
    /// let back = KeysetQuery::new(&id, Seek::Before(vec![Value::Int(5)]), 10).skip(1).render(&Sqlite, &base);
    /// assert_eq!(back.unwrap_err().kind(), folio::ErrorKind::Internal);
    /// ```
    pub fn skip(mut self, rows: u64) -> Self {
        self.skip = rows;
        self
    }

    /// Renders the page query for `dialect` around `base`.
    ///
    /// Fails with [`crate::ErrorKind::Internal`] when the boundary does not have one
    /// value per key, or has NULL for a NOT NULL key.
    ///
    /// ```
    /// use folio::{Select, KeysetQuery, Seek, SortSpec, Sqlite, Value};
    /// let spec = SortSpec::by_unique("id", "id");
    /// let bad = KeysetQuery::new(&spec, Seek::After(vec![]), 5).render(&Sqlite, &Select::sql("SELECT 1"));
    /// assert_eq!(bad.unwrap_err().kind(), folio::ErrorKind::Internal);
    /// ```
    pub fn render(&self, dialect: &dyn Dialect, select: &Select) -> Result<KeysetStatement> {
        let base = &select.base(dialect)?;
        let keys = self.spec.keys();
        if let Some(b) = self.seek.boundary() {
            if b.len() != keys.len() {
                return Err(Error::internal(format!(
                    "boundary has {} values, the ordering has {} keys",
                    b.len(),
                    keys.len()
                )));
            }
            for (k, v) in keys.iter().zip(b) {
                if v.is_null() && !k.is_nullable() {
                    return Err(Error::internal(format!(
                        "boundary value for NOT NULL key `{}` is NULL",
                        k.name()
                    )));
                }
            }
        }
        let backward = self.seek.is_backward();
        if backward && self.skip > 0 {
            return Err(Error::internal(
                "a keyset skip applies to forward seeks only",
            ));
        }
        let skip = self.skip;
        let walk: Vec<SortKey> = if backward {
            self.spec.reversed().keys().to_vec()
        } else {
            keys.to_vec()
        };
        let boundary = self.seek.boundary();
        let fetch = self.limit.saturating_add(1);
        let mut w = Writer::new(dialect, base);

        let split = !dialect.row_value_seeks_every_key() && skip == 0;
        let arms = if walk[0].is_nullable() {
            nullable_lead_arms(&walk, boundary, split)
        } else {
            match boundary {
                Some(b) => seek_arms(&walk, b, split, None),
                None => vec![Arm {
                    filter: ArmFilter::All,
                    order: walk.clone(),
                    tag: ArmTag::default(),
                }],
            }
        };
        let merged = skip > 0 && arms.len() > 1;
        if let [arm] = arms.as_slice() {
            write_arm(&mut w, base, arm, fetch, skip, None);
        } else if merged {
            // Skipped rows are counted in one stream: each arm reads the key columns
            // of as many rows as the skip and the page together, an ORDER BY merges
            // those narrow rows, and the page's rows are then read in full by their
            // unique key (a deferred join).
            let unique = self.spec.unique().column();
            w.open_deferred_join(base, "u", unique).push("(");
            write_union(&mut w, base, &arms, fetch.saturating_add(skip), Some(&walk));
            w.push(") AS u");
            w.order_by("u", &walk);
            w.push(" LIMIT ").push(&fetch.to_string());
            w.push(" OFFSET ").push(&skip.to_string());
            w.close_deferred_join(unique, &walk);
        } else {
            write_union(&mut w, base, &arms, fetch, None);
        }
        // A merged statement comes back in order, like a single arm.
        let arms = if merged { Vec::new() } else { arms };

        Ok(KeysetStatement {
            statement: w.finish(),
            limit: self.limit,
            seek_backward: backward,
            from_boundary: boundary.is_some() || skip > 0,
            // Only a statement of several arms reads the tags and the boundary back.
            boundary: boundary.filter(|_| arms.len() > 1).map(<[Value]>::to_vec),
            arms: if arms.len() > 1 {
                arms.into_iter().map(|a| a.tag).collect()
            } else {
                Vec::new()
            },
        })
    }
}

impl KeysetStatement {
    /// How many arms (`UNION ALL` parts) the statement has: 2 when a nullable first
    /// key is split into its non-NULL and NULL parts; on a dialect whose row-value
    /// seeks stop at the first key (SQLite), one per key when seeking from a boundary.
    ///
    /// ```
    /// use folio::{Select, KeysetQuery, Nulls, Orderings, Postgres, Seek, Sqlite, Value};
    /// let orderings = Orderings::new("id", "id").field("price", "price_cents").nullable_field("rating", "rating", Nulls::Last);
    /// let base = Select::sql("SELECT * FROM p");
    /// let rating = orderings.parse("rating").unwrap();
    /// assert_eq!(KeysetQuery::new(&rating, Seek::First, 10).render(&Sqlite, &base).unwrap().arms(), 2);
    /// let price = orderings.parse("price").unwrap();
    /// let after = Seek::After(vec![Value::Int(500), Value::Int(7)]);
    /// assert_eq!(KeysetQuery::new(&price, after.clone(), 10).render(&Postgres, &base).unwrap().arms(), 1);
    /// assert_eq!(KeysetQuery::new(&price, after, 10).render(&Sqlite, &base).unwrap().arms(), 2);
    /// ```
    pub fn arms(&self) -> usize {
        self.arms.len().max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rows of an arranged page and its edges, for assertions.
    struct Arranged<R> {
        rows: Vec<R>,
        has_next: bool,
        has_previous: bool,
    }

    fn arranged<R>(
        st: &KeysetStatement,
        mut rows: Vec<R>,
        keys: impl Fn(&R) -> &[Value],
    ) -> Arranged<R> {
        let edges = st.arrange(&mut rows, keys);
        Arranged {
            rows,
            has_next: edges.has_next,
            has_previous: edges.has_previous,
        }
    }
    use crate::{MySql, Nulls, Orderings, Postgres, Sqlite};

    fn orderings() -> Orderings {
        Orderings::new("id", "id")
            .field("price", "price_cents")
            .nullable_field("rating", "rating", Nulls::Last)
            .field("created_at", "created_at")
    }

    fn render(d: &dyn Dialect, ordering: &str, seek: Seek) -> Statement {
        let spec = orderings().parse(ordering).unwrap();
        let base = Select::sql("SELECT * FROM p");
        KeysetQuery::new(&spec, seek, 10)
            .render(d, &base)
            .unwrap()
            .statement
    }

    const W: &str = "SELECT * FROM (SELECT * FROM p) AS q WHERE ";

    #[test]
    fn ascending_is_a_row_value_comparison() {
        let seek = Seek::After(vec![Value::Int(500), Value::Int(7)]);
        let st = render(&Postgres, "price", seek);
        assert_eq!(st.binds, [Value::Int(500), Value::Int(7)]);
        assert_eq!(
            st.sql,
            format!("{W}(q.\"price_cents\", q.\"id\") > ($1, $2) ORDER BY q.\"price_cents\" ASC, q.\"id\" ASC LIMIT 11")
        );
    }

    #[test]
    fn descending_flips_the_comparison() {
        let st = render(
            &Postgres,
            "-created_at",
            Seek::After(vec![Value::Timestamp(5), Value::Int(7)]),
        );
        assert_eq!(
            st.sql,
            format!("{W}(q.\"created_at\", q.\"id\") < ($1, $2) ORDER BY q.\"created_at\" DESC, q.\"id\" DESC LIMIT 11")
        );
        assert_eq!(st.binds, [Value::Timestamp(5), Value::Int(7)]);
    }

    #[test]
    fn backward_reverses_the_order_and_the_comparison() {
        let st = render(
            &Postgres,
            "-created_at",
            Seek::Before(vec![Value::from("t"), Value::Int(7)]),
        );
        assert_eq!(
            st.sql,
            format!("{W}(q.\"created_at\", q.\"id\") > ($1, $2) ORDER BY q.\"created_at\" ASC, q.\"id\" ASC LIMIT 11")
        );
        let st = render(&Sqlite, "price", Seek::Last);
        assert_eq!(
            st.sql,
            "SELECT * FROM (SELECT * FROM p) AS q ORDER BY q.\"price_cents\" DESC, q.\"id\" DESC LIMIT 11"
        );
    }

    #[test]
    fn mixed_directions_lead_with_a_redundant_bound() {
        let seek = Seek::After(vec![Value::Int(500), Value::from("t"), Value::Int(7)]);
        let st = render(&Sqlite, "price,-created_at", seek.clone());
        assert_eq!(
            st.sql,
            format!(
                "{W}q.\"price_cents\" >= ? AND (q.\"price_cents\" > ? OR (q.\"price_cents\" = ? AND \
                 (q.\"created_at\" < ? OR (q.\"created_at\" = ? AND (q.\"id\" < ?))))) \
                 ORDER BY q.\"price_cents\" ASC, q.\"created_at\" DESC, q.\"id\" DESC LIMIT 11"
            )
        );
        assert_eq!(
            st.binds,
            [
                Value::Int(500),
                Value::Int(500),
                Value::Int(500),
                Value::from("t"),
                Value::from("t"),
                Value::Int(7)
            ]
        );
        let st = render(&Postgres, "price,-created_at", seek);
        assert!(st.sql.contains(
            "q.\"price_cents\" >= $1 AND (q.\"price_cents\" > $2 OR (q.\"price_cents\" = $3"
        ));
        assert!(st.sql.contains("(q.\"id\" < $6)"));
        // backward: every comparison flips, the bound too
        let st = render(
            &Sqlite,
            "price,-created_at",
            Seek::Before(vec![Value::Int(5), Value::from("t"), Value::Int(7)]),
        );
        assert!(st.sql.starts_with(&format!(
            "{W}q.\"price_cents\" <= ? AND (q.\"price_cents\" < ? OR"
        )));
        assert!(st.sql.ends_with(
            "ORDER BY q.\"price_cents\" DESC, q.\"created_at\" ASC, q.\"id\" ASC LIMIT 11"
        ));
    }

    #[test]
    fn a_skip_merges_the_arms_of_a_nullable_lead_before_its_offset() {
        let spec = orderings().parse("rating").unwrap();
        let base = Select::sql("SELECT * FROM p");
        let st = KeysetQuery::new(
            &spec,
            Seek::After(vec![Value::Float(4.5), Value::Int(7)]),
            10,
        )
        .skip(990)
        .render(&Sqlite, &base)
        .unwrap();
        assert_eq!(st.arms(), 1, "merged in SQL: the rows come back in order");
        // the arms read key columns only; the page's rows are read in full by id
        assert_eq!(
            st.statement.sql,
            "SELECT q.* FROM (SELECT * FROM p) AS q JOIN (SELECT u.\"id\" FROM (\
             SELECT * FROM (SELECT q.\"rating\", q.\"id\" FROM (SELECT * FROM p) AS q \
             WHERE q.\"rating\" >= ? AND (q.\"rating\" > ? OR (q.\"rating\" = ? AND (q.\"id\" > ?))) \
             ORDER BY q.\"rating\" ASC, q.\"id\" ASC LIMIT 1001) AS s0 \
             UNION ALL SELECT * FROM (SELECT q.\"rating\", q.\"id\" FROM (SELECT * FROM p) AS q \
             WHERE q.\"rating\" IS NULL ORDER BY q.\"id\" ASC LIMIT 1001) AS s1\
             ) AS u ORDER BY u.\"rating\" ASC NULLS LAST, u.\"id\" ASC LIMIT 11 OFFSET 990\
             ) AS d ON q.\"id\" = d.\"id\" ORDER BY q.\"rating\" ASC NULLS LAST, q.\"id\" ASC"
        );
        // only the first arm has binds: the boundary, after the base's (none here)
        assert_eq!(
            st.statement.binds,
            [
                Value::Float(4.5),
                Value::Float(4.5),
                Value::Float(4.5),
                Value::Int(7)
            ]
        );
        // the page is after a boundary, and past skipped rows: both say "previous"
        let page = arranged(&st, Vec::<[Value; 2]>::new(), |r| r.as_slice());
        assert!(page.has_previous && !page.has_next);
        // a skip from the start: the same merge, over every row
        let st = KeysetQuery::new(&spec, Seek::First, 10)
            .skip(5)
            .render(&Postgres, &base)
            .unwrap();
        assert!(
            st.statement.sql.contains("LIMIT 16) AS s1) AS u ORDER BY u.\"rating\" ASC NULLS LAST, u.\"id\" ASC LIMIT 11 OFFSET 5) AS d"),
            "{}",
            st.statement.sql
        );
        assert!(arranged(&st, Vec::<[Value; 2]>::new(), |r| r.as_slice()).has_previous);
    }

    #[test]
    fn never_the_bare_or_chain() {
        // Every multi-key shape either compares row values or opens with a bound on its first key.
        for (ordering, seek) in [
            (
                "price,-created_at",
                Seek::After(vec![Value::Int(1), Value::from("t"), Value::Int(2)]),
            ),
            (
                "-price,created_at",
                Seek::Before(vec![Value::Int(1), Value::from("t"), Value::Int(2)]),
            ),
            (
                "price,rating",
                Seek::After(vec![Value::Int(1), Value::Null, Value::Int(2)]),
            ),
        ] {
            let st = render(&Sqlite, ordering, seek);
            let predicate = &st.sql[W.len()..];
            assert!(
                predicate.starts_with("q.\"price_cents\" >= ?")
                    || predicate.starts_with("q.\"price_cents\" <= ?"),
                "{predicate}"
            );
        }
    }

    #[test]
    fn mysql_expands_row_values_and_emulates_nulls_placement() {
        let st = render(
            &MySql,
            "price",
            Seek::After(vec![Value::Int(500), Value::Int(7)]),
        );
        assert_eq!(
            st.sql,
            "SELECT * FROM (SELECT * FROM p) AS q WHERE q.`price_cents` >= ? AND (q.`price_cents` > ? OR \
             (q.`price_cents` = ? AND (q.`id` > ?))) ORDER BY q.`price_cents` ASC, q.`id` ASC LIMIT 11"
        );
        let st = render(&MySql, "price,rating", Seek::First);
        assert!(st.sql.ends_with("ORDER BY q.`price_cents` ASC, q.`rating` IS NULL ASC, q.`rating` ASC, q.`id` ASC LIMIT 11"));
    }

    #[test]
    fn mysql_bounds_the_sort_of_an_order_no_index_gives() {
        let seek = Seek::After(vec![Value::Int(500), Value::from("t"), Value::Int(7)]);
        let after = "q.`price_cents` >= ? AND (q.`price_cents` > ? OR (q.`price_cents` = ? AND \
                     (q.`created_at` < ? OR (q.`created_at` = ? AND (q.`id` < ?)))))";
        let st = render(&MySql, "price,-created_at", seek.clone());
        assert_eq!(
            st.sql,
            format!(
                "SELECT q.* FROM (SELECT DISTINCT t.`k` FROM (SELECT q.`price_cents` AS `k` \
                 FROM (SELECT * FROM p) AS q WHERE {after} ORDER BY q.`price_cents` ASC LIMIT 11) AS t) AS g \
                 STRAIGHT_JOIN (SELECT * FROM p) AS q ON q.`price_cents` = g.`k` WHERE {after} \
                 ORDER BY q.`price_cents` ASC, q.`created_at` DESC, q.`id` DESC LIMIT 11"
            )
        );
        // the filter twice, with its binds twice
        let once = [
            Value::Int(500),
            Value::Int(500),
            Value::Int(500),
            Value::from("t"),
            Value::from("t"),
            Value::Int(7),
        ];
        assert_eq!(st.binds, [once.clone(), once].concat());
        // a skip: the values of the skipped rows and the page's, then the OFFSET
        let spec = orderings().parse("price,-created_at").unwrap();
        let base = Select::sql("SELECT * FROM p");
        let st = KeysetQuery::new(&spec, seek, 10)
            .skip(990)
            .render(&MySql, &base)
            .unwrap()
            .statement;
        assert!(
            st.sql
                .contains("ORDER BY q.`price_cents` ASC LIMIT 1001) AS t) AS g"),
            "{}",
            st.sql
        );
        assert!(
            st.sql.ends_with("q.`id` DESC LIMIT 11 OFFSET 990"),
            "{}",
            st.sql
        );
        // the first page: no filter; a nullable inner key is bounded too (its NULL
        // placement is an expression); one direction of NOT NULL keys is not
        assert_eq!(
            render(&MySql, "-price,created_at", Seek::First).sql,
            "SELECT q.* FROM (SELECT DISTINCT t.`k` FROM (SELECT q.`price_cents` AS `k` \
             FROM (SELECT * FROM p) AS q ORDER BY q.`price_cents` DESC LIMIT 11) AS t) AS g \
             STRAIGHT_JOIN (SELECT * FROM p) AS q ON q.`price_cents` = g.`k` \
             ORDER BY q.`price_cents` DESC, q.`created_at` ASC, q.`id` ASC LIMIT 11"
        );
        assert!(render(&MySql, "price,rating", Seek::First)
            .sql
            .contains("STRAIGHT_JOIN"));
        assert!(!render(&MySql, "price,created_at", Seek::First)
            .sql
            .contains("STRAIGHT_JOIN"));
        // a nullable lead: its value arm is bounded when the rest is mixed; its NULL
        // arm is ordered by the rest alone
        let st = render(&MySql, "rating,-created_at", Seek::First);
        assert!(st.sql.starts_with("SELECT * FROM (SELECT q.* FROM (SELECT DISTINCT t.`k` FROM (SELECT q.`rating` AS `k`"), "{}", st.sql);
        assert!(st.sql.ends_with("WHERE q.`rating` IS NULL ORDER BY q.`created_at` DESC, q.`id` DESC LIMIT 11) AS s1"), "{}", st.sql);
        // SQLite and PostgreSQL sort incrementally: unchanged
        for d in [&Sqlite as &dyn Dialect, &Postgres] {
            assert!(!render(d, "price,-created_at", Seek::First)
                .sql
                .contains("JOIN"));
        }
    }

    #[test]
    fn nullable_lead_splits_into_value_and_null_arms() {
        let arm = |pred: &str, order: &str| {
            format!("SELECT * FROM (SELECT * FROM p) AS q WHERE {pred} ORDER BY {order} LIMIT 11")
        };
        // first page, NULLs last: the values, then the NULLs
        let st = render(&Sqlite, "rating", Seek::First);
        assert_eq!(
            st.sql,
            format!(
                "SELECT * FROM ({}) AS s0 UNION ALL SELECT * FROM ({}) AS s1",
                arm("q.\"rating\" IS NOT NULL", "q.\"rating\" ASC, q.\"id\" ASC"),
                arm("q.\"rating\" IS NULL", "q.\"id\" ASC")
            )
        );
        // non-NULL boundary: the rest of the values, then every NULL
        let st = render(
            &Postgres,
            "rating",
            Seek::After(vec![Value::Float(4.5), Value::Int(7)]),
        );
        assert_eq!(
            st.sql,
            format!(
                "SELECT * FROM ({}) AS s0 UNION ALL SELECT * FROM ({}) AS s1",
                arm(
                    "(q.\"rating\", q.\"id\") > ($1, $2)",
                    "q.\"rating\" ASC, q.\"id\" ASC"
                ),
                // PostgreSQL orders the NULL arm by the index's own order
                arm("q.\"rating\" IS NULL", "q.\"rating\" ASC, q.\"id\" ASC")
            )
        );
        assert_eq!(st.binds, [Value::Float(4.5), Value::Int(7)]);
        // NULL boundary going forward: only NULLs remain, one arm
        let st = render(
            &Sqlite,
            "rating",
            Seek::After(vec![Value::Null, Value::Int(7)]),
        );
        assert_eq!(
            st.sql,
            arm("q.\"rating\" IS NULL AND (q.\"id\" > ?)", "q.\"id\" ASC")
        );
        assert_eq!(st.binds, [Value::Int(7)]);
        // NULL boundary going backward: the NULLs before it, then every value (read backwards)
        let st = render(
            &Sqlite,
            "rating",
            Seek::Before(vec![Value::Null, Value::Int(7)]),
        );
        assert_eq!(
            st.sql,
            format!(
                "SELECT * FROM ({}) AS s0 UNION ALL SELECT * FROM ({}) AS s1",
                arm("q.\"rating\" IS NULL AND (q.\"id\" < ?)", "q.\"id\" DESC"),
                arm(
                    "q.\"rating\" IS NOT NULL",
                    "q.\"rating\" DESC, q.\"id\" DESC"
                )
            )
        );
        // descending with NULLs last, read backwards from a value: only values lie before it
        let st = render(
            &Postgres,
            "-rating",
            Seek::Before(vec![Value::Float(4.5), Value::Int(7)]),
        );
        assert_eq!(
            st.sql,
            arm(
                "(q.\"rating\", q.\"id\") > ($1, $2)",
                "q.\"rating\" ASC, q.\"id\" ASC"
            )
        );
    }

    #[test]
    fn nullable_inner_key_gets_is_null_branches() {
        let st = render(
            &Sqlite,
            "price,rating",
            Seek::After(vec![Value::Int(5), Value::Float(2.0), Value::Int(7)]),
        );
        assert_eq!(
            st.sql,
            format!(
                "{W}q.\"price_cents\" >= ? AND (q.\"price_cents\" > ? OR (q.\"price_cents\" = ? AND \
                 ((q.\"rating\" > ? OR q.\"rating\" IS NULL) OR (q.\"rating\" = ? AND (q.\"id\" > ?))))) \
                 ORDER BY q.\"price_cents\" ASC, q.\"rating\" ASC NULLS LAST, q.\"id\" ASC LIMIT 11"
            )
        );
        let st = render(
            &Sqlite,
            "price,rating",
            Seek::After(vec![Value::Int(5), Value::Null, Value::Int(7)]),
        );
        assert!(
            st.sql.contains(
                "(q.\"price_cents\" = ? AND ((q.\"rating\" IS NULL AND (q.\"id\" > ?))))"
            ),
            "{}",
            st.sql
        );
        // NULLs first: after a NULL every value follows
        let spec = Orderings::new("id", "id")
            .field("price", "price_cents")
            .nullable_field("rating", "rating", Nulls::First)
            .parse("price,rating")
            .unwrap();
        let st = KeysetQuery::new(
            &spec,
            Seek::After(vec![Value::Int(5), Value::Null, Value::Int(7)]),
            3,
        )
        .render(&Sqlite, &Select::sql("SELECT * FROM p"))
        .unwrap();
        assert!(
            st.statement.sql.contains(
                "(q.\"rating\" IS NOT NULL OR (q.\"rating\" IS NULL AND (q.\"id\" > ?)))"
            ),
            "{}",
            st.statement.sql
        );
        assert!(st
            .statement
            .sql
            .ends_with("q.\"rating\" ASC NULLS FIRST, q.\"id\" ASC LIMIT 4"));
    }

    #[test]
    fn user_binds_come_first_and_postgres_numbers_after_them() {
        let spec = orderings().parse("price").unwrap();
        let base = Select::sql("SELECT * FROM p WHERE category = ? AND price_cents <= ?")
            .bind("books")
            .bind(900);
        let seek = Seek::After(vec![Value::Int(5), Value::Int(7)]);
        let st = KeysetQuery::new(&spec, seek.clone(), 10)
            .render(&Postgres, &base)
            .unwrap()
            .statement;
        assert!(st.sql.contains("> ($3, $4)"));
        assert_eq!(
            st.binds,
            [
                Value::from("books"),
                Value::Int(900),
                Value::Int(5),
                Value::Int(7)
            ]
        );
        // two arms repeat the base: PostgreSQL reuses $1, $2; SQLite repeats the binds
        let spec = orderings().parse("rating").unwrap();
        let seek = Seek::After(vec![Value::Float(1.0), Value::Int(7)]);
        let st = KeysetQuery::new(&spec, seek.clone(), 10)
            .render(&Postgres, &base)
            .unwrap()
            .statement;
        assert_eq!(st.sql.matches("category = $1").count(), 2);
        assert_eq!(st.binds.len(), 4);
        let base = Select::sql("SELECT * FROM p WHERE category = ?").bind("books");
        let st = KeysetQuery::new(&spec, seek, 10)
            .render(&Sqlite, &base)
            .unwrap()
            .statement;
        assert_eq!(
            st.binds,
            [
                // the value part splits in two arms (rating = 1.0 AND id > 7; rating > 1.0),
                // then the NULL arm: the base and its bind three times
                Value::from("books"),
                Value::Float(1.0),
                Value::Int(7),
                Value::from("books"),
                Value::Float(1.0),
                Value::from("books")
            ]
        );
    }

    #[test]
    fn boundary_must_match_the_ordering() {
        let spec = orderings().parse("price").unwrap();
        let base = Select::sql("SELECT * FROM p");
        let short =
            KeysetQuery::new(&spec, Seek::After(vec![Value::Int(1)]), 10).render(&Sqlite, &base);
        assert_eq!(short.unwrap_err().kind(), crate::ErrorKind::Internal);
        let null_in_not_null =
            KeysetQuery::new(&spec, Seek::After(vec![Value::Null, Value::Int(1)]), 10)
                .render(&Sqlite, &base);
        assert_eq!(
            null_in_not_null.unwrap_err().kind(),
            crate::ErrorKind::Internal
        );
    }

    fn keyed(rows: &[(Option<f64>, i64)]) -> Vec<Vec<Value>> {
        rows.iter()
            .map(|&(r, id)| vec![Value::from(r), Value::Int(id)])
            .collect()
    }

    #[test]
    fn arrange_orders_arms_trims_and_sets_flags() {
        let spec = orderings().parse("rating").unwrap();
        let base = Select::sql("SELECT * FROM p");
        // forward from a value: arms may arrive NULL-arm first; values must lead
        let seek = Seek::After(vec![Value::Float(1.0), Value::Int(1)]);
        let st = KeysetQuery::new(&spec, seek, 3)
            .render(&Postgres, &base)
            .unwrap();
        assert_eq!(st.arms(), 2);
        let rows = keyed(&[(None, 10), (None, 11), (Some(2.0), 3), (Some(3.0), 4)]);
        let page = arranged(&st, rows, Vec::as_slice);
        assert_eq!(
            page.rows,
            keyed(&[(Some(2.0), 3), (Some(3.0), 4), (None, 10)])
        );
        assert!(page.has_next && page.has_previous);
        // backward from the end (NULLs last): NULL arm first in the walk, then reversed
        let st = KeysetQuery::new(&spec, Seek::Last, 3)
            .render(&Sqlite, &base)
            .unwrap();
        let rows = keyed(&[(Some(5.0), 9), (Some(4.0), 8), (None, 12), (None, 11)]);
        let page = arranged(&st, rows, Vec::as_slice);
        assert_eq!(page.rows, keyed(&[(Some(5.0), 9), (None, 11), (None, 12)]));
        assert!(page.has_previous && !page.has_next);
        // a short page has nothing more
        let st = KeysetQuery::new(&spec, Seek::First, 3)
            .render(&Sqlite, &base)
            .unwrap();
        let page = arranged(&st, keyed(&[(Some(1.0), 1)]), Vec::as_slice);
        assert!(!page.has_next && !page.has_previous);
    }

    #[test]
    fn sqlite_splits_a_row_value_seek_into_one_arm_per_key() {
        let arm = |pred: &str, order: &str| {
            format!("SELECT * FROM (SELECT * FROM p) AS q WHERE {pred} ORDER BY {order} LIMIT 11")
        };
        let st = render(
            &Sqlite,
            "price",
            Seek::After(vec![Value::Int(500), Value::Int(7)]),
        );
        assert_eq!(
            st.sql,
            format!(
                "SELECT * FROM ({}) AS s0 UNION ALL SELECT * FROM ({}) AS s1",
                arm("q.\"price_cents\" = ? AND q.\"id\" > ?", "q.\"id\" ASC"),
                arm(
                    "q.\"price_cents\" > ?",
                    "q.\"price_cents\" ASC, q.\"id\" ASC"
                )
            )
        );
        assert_eq!(st.binds, [Value::Int(500), Value::Int(7), Value::Int(500)]);
        // a nullable lead: the value part splits, the NULL part follows
        let st = render(
            &Sqlite,
            "-rating",
            Seek::After(vec![Value::Float(4.5), Value::Int(7)]),
        );
        assert_eq!(
            st.sql,
            format!(
                "SELECT * FROM ({}) AS s0 UNION ALL SELECT * FROM ({}) AS s1 UNION ALL SELECT * FROM ({}) AS s2",
                arm("q.\"rating\" = ? AND q.\"id\" < ?", "q.\"id\" DESC"),
                arm("q.\"rating\" < ?", "q.\"rating\" DESC, q.\"id\" DESC"),
                arm("q.\"rating\" IS NULL", "q.\"id\" DESC")
            )
        );
        // the first page needs no seek and stays one arm
        assert_eq!(
            render(&Sqlite, "price", Seek::First).sql,
            "SELECT * FROM (SELECT * FROM p) AS q ORDER BY q.\"price_cents\" ASC, q.\"id\" ASC LIMIT 11"
        );
    }

    #[test]
    fn arrange_puts_split_arms_in_tie_order() {
        let spec = orderings().parse("price").unwrap();
        let base = Select::sql("SELECT * FROM p");
        let st = KeysetQuery::new(&spec, Seek::After(vec![Value::Int(5), Value::Int(7)]), 3)
            .render(&Sqlite, &base)
            .unwrap();
        assert_eq!(st.arms(), 2);
        let row = |price: i64, id: i64| vec![Value::Int(price), Value::Int(id)];
        // the "price > 5" arm arrives first; the ties with price 5 must lead
        let page = arranged(
            &st,
            vec![row(6, 1), row(7, 2), row(5, 8), row(5, 9)],
            Vec::as_slice,
        );
        assert_eq!(page.rows, [row(5, 8), row(5, 9), row(6, 1)]);
        assert!(page.has_next);
    }
}
