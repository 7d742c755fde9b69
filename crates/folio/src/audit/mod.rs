//! The index audit: the combinations of ordering and filters an endpoint allows,
//! the deep pages of each as statements to show the planner, and what the planner's
//! answers say (see [`IndexAudit`]).

mod plan;
mod plan_mysql;
mod plan_postgres;
mod plan_sqlite;
mod report;
mod suggest;

pub use plan::{PlanReading, TableAccess};
pub use report::{AuditEntry, AuditReport};

pub(crate) use plan_mysql::read_mysql_plan;
pub(crate) use plan_postgres::read_postgres_plan;
pub(crate) use plan_sqlite::read_sqlite_plan;

use std::collections::{HashMap, HashSet};

use crate::{
    Dialect, Endpoint, Error, Filter, FilterOp, FilterParam, KeysetQuery, OffsetQuery, Order,
    Orderings, Result, Seek, Select, SortKey, SortSpec, Statement, Value,
};

/// Rows a deep bookmark page walks past its bookmark unless
/// [`IndexAudit::bookmark_skip`] says otherwise (a bookmark is kept every 1,000 rows).
pub const DEFAULT_AUDIT_BOOKMARK_SKIP: u64 = 990;

/// Filters combined at most in one audited request unless
/// [`IndexAudit::max_filters`] says otherwise.
pub const DEFAULT_AUDIT_MAX_FILTERS: usize = 3;

/// Combinations audited at most unless [`IndexAudit::max_cases`] says otherwise.
pub const DEFAULT_AUDIT_MAX_CASES: usize = 512;

/// What an index audit of an [`Endpoint`] asks the database's planner: every
/// combination of an ordering and a set of filters a client can ask for
/// ([`IndexAudit::cases`]), and for each a deep keyset page and a deep bookmark page
/// ([`IndexAudit::statements`]). An executor (`folio-sqlx`'s `Db::audit`) reads one
/// sample row and the bounds of the range-filtered columns
/// ([`IndexAudit::sample_queries`]), runs each statement under the dialect's
/// [`Dialect::audit_explain_prefix`], reads the plan with [`Dialect::read_plan`]
/// and gathers the [`AuditReport`] ([`IndexAudit::entry`], [`IndexAudit::report`]).
///
/// The combinations: each orderable field in each direction (and the endpoint's
/// default ordering, and any ordering added with [`IndexAudit::ordering`]) × each set
/// of at most [`IndexAudit::max_filters`] declared filters. Sets that ask the same of
/// an index (the same equality, range and null-test columns: `min_price` and
/// `max_price` both bound `price_cents`) are audited once. Range filters take the
/// column's smallest and largest values, so that they keep every row: the case where
/// a sort would cost most.
///
/// ```
/// use folio::{CursorCodec, Endpoint, FilterParam, IndexAudit, Orderings, Select};
/// let products = Endpoint::builder("products", CursorCodec::new(b"k"))
///     .orderings(Orderings::new("id", "id").field("name", "name"))
///     .filter(FilterParam::eq("category"))
///     .filter(FilterParam::ge("min_price").column("price_cents").int())
///     .filter(FilterParam::le("max_price").column("price_cents").int())
///     .build();
/// let audit = IndexAudit::new(&products, Select::from("products"));
/// let labels: Vec<String> = audit.cases().iter().map(|c| c.label()).collect();
/// // 4 orderings (id, -id, name, -name) × 4 shapes of filters
/// assert_eq!(labels.len(), 16);
/// assert_eq!(labels[..4], ["ordering=id", "ordering=id&category", "ordering=id&min_price", "ordering=id&category&min_price"]);
/// assert!(labels.contains(&"ordering=-name&category".to_owned()));
/// ```
#[derive(Debug, Clone)]
pub struct IndexAudit {
    endpoint: String,
    orderings: Orderings,
    extra: Vec<SortSpec>,
    filters: Vec<FilterParam>,
    select: Select,
    page_size: u64,
    bookmark_skip: u64,
    max_filters: usize,
    max_cases: usize,
}

/// One combination an [`IndexAudit`] asks about: an ordering and the declared filters
/// given.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditCase {
    ordering: SortSpec,
    filters: Vec<FilterParam>,
}

impl AuditCase {
    /// The ordering.
    ///
    /// ```
    /// # use folio::{CursorCodec, Endpoint, IndexAudit, Select};
    /// let e = Endpoint::builder("t", CursorCodec::new(b"k")).build();
    /// assert_eq!(IndexAudit::new(&e, Select::from("t")).cases()[1].ordering().to_string(), "-id");
    /// ```
    pub fn ordering(&self) -> &SortSpec {
        &self.ordering
    }

    /// The filters given.
    ///
    /// ```
    /// # use folio::{CursorCodec, Endpoint, FilterParam, IndexAudit, Select};
    /// let e = Endpoint::builder("t", CursorCodec::new(b"k")).filter(FilterParam::eq("a")).build();
    /// assert_eq!(IndexAudit::new(&e, Select::from("t")).cases()[1].filters()[0].name(), "a");
    /// ```
    pub fn filters(&self) -> &[FilterParam] {
        &self.filters
    }

    /// The request it stands for, as a query string without values:
    /// `ordering=-name&category`.
    ///
    /// ```
    /// # use folio::{CursorCodec, Endpoint, FilterParam, IndexAudit, Orderings, Select};
    /// let e = Endpoint::builder("t", CursorCodec::new(b"k"))
    ///     .orderings(Orderings::new("id", "id").field("name", "name"))
    ///     .filter(FilterParam::eq("a"))
    ///     .build();
    /// assert_eq!(IndexAudit::new(&e, Select::from("t")).cases()[7].label(), "ordering=-name&a");
    /// ```
    pub fn label(&self) -> String {
        let mut label = format!("ordering={}", client_ordering(&self.ordering));
        for f in &self.filters {
            label.push('&');
            label.push_str(f.name());
        }
        label
    }

    /// The columns of the ordering's keys, the unique key last: what a boundary
    /// holds.
    ///
    /// ```
    /// # use folio::{CursorCodec, Endpoint, IndexAudit, Select};
    /// let e = Endpoint::builder("t", CursorCodec::new(b"k")).build();
    /// assert_eq!(IndexAudit::new(&e, Select::from("t")).cases()[0].key_columns(), ["id"]);
    /// ```
    pub fn key_columns(&self) -> Vec<&str> {
        self.ordering.keys().iter().map(SortKey::column).collect()
    }

    /// The columns the filters compare (equality, range and null test alike).
    fn filter_columns(&self) -> Vec<&str> {
        self.filters.iter().map(FilterParam::column_name).collect()
    }
}

/// An ordering as a client writes it: the keys without the unique key appended.
fn client_ordering(spec: &SortSpec) -> String {
    let shown = spec.to_string();
    if spec.keys().len() > 1 {
        shown
            .rsplit_once(',')
            .map_or(shown.clone(), |(head, _)| head.to_owned())
    } else {
        shown
    }
}

/// Which values a [`SampleQuery`]'s row gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SampleRole {
    /// One row of the select: the boundary of the deep pages, the value of every
    /// equality filter.
    Row,
    /// The row with the smallest value of a range-filtered column: the value of a
    /// lower bound.
    Low,
    /// The row with the largest value: the value of an upper bound.
    High,
}

/// A statement an audit reads sample values with: run it, and read `columns` from
/// its first row into [`AuditSample::set`] under `role`.
#[derive(Debug, Clone, PartialEq)]
pub struct SampleQuery {
    /// The statement (one row, or none when the select is empty).
    pub statement: Statement,
    /// What its row gives.
    pub role: SampleRole,
    /// The columns to read from it.
    pub columns: Vec<String>,
}

/// The values an audit's statements are rendered with, read by its
/// [`SampleQuery`]s.
///
/// ```
/// use folio::{AuditSample, SampleRole, Value};
/// let mut s = AuditSample::default();
/// s.set(SampleRole::Row, "id", Value::Int(7));
/// assert_eq!(s.get(SampleRole::Row, "id"), Some(&Value::Int(7)));
/// assert_eq!(s.get(SampleRole::Low, "id"), None);
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AuditSample {
    values: HashMap<(SampleRole, String), Value>,
}

impl AuditSample {
    /// Records the value of `column` in the row of `role`.
    ///
    /// ```
    /// let mut s = folio::AuditSample::default();
    /// s.set(folio::SampleRole::High, "price_cents", folio::Value::Int(99));
    /// ```
    pub fn set(&mut self, role: SampleRole, column: &str, value: Value) {
        self.values.insert((role, column.to_owned()), value);
    }

    /// The value of `column` in the row of `role`, if read.
    ///
    /// ```
    /// assert_eq!(folio::AuditSample::default().get(folio::SampleRole::Row, "id"), None);
    /// ```
    pub fn get(&self, role: SampleRole, column: &str) -> Option<&Value> {
        self.values.get(&(role, column.to_owned()))
    }

    fn row(&self, column: &str) -> Result<Value> {
        self.get(SampleRole::Row, column).cloned().ok_or_else(|| {
            Error::internal(format!(
                "the index audit has no sample value of `{column}` (is the select empty?)"
            ))
        })
    }

    /// A bound's value: the column's extreme, else the sample row's value.
    fn bound(&self, role: SampleRole, column: &str) -> Result<Value> {
        match self.get(role, column) {
            Some(v) if !v.is_null() => Ok(v.clone()),
            _ => self.row(column),
        }
    }
}

/// The two statements an audit shows the planner for a case.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditStatements {
    /// A keyset page after a row deep in the ordering.
    pub keyset: Statement,
    /// A page number read from a bookmark: the seek, then a walk of
    /// [`IndexAudit::bookmark_skip`] rows.
    pub bookmark: Statement,
}

impl IndexAudit {
    /// The audit of `endpoint`, whose pages are cut from `select` (the select a
    /// handler passes; its own filters, a path's `user_id = ?`, count as equality
    /// columns of every case).
    ///
    /// ```
    /// # use folio::{CursorCodec, Endpoint, IndexAudit, Select};
    /// let e = Endpoint::builder("t", CursorCodec::new(b"k")).build();
    /// assert_eq!(IndexAudit::new(&e, Select::from("t")).cases().len(), 2); // id, -id
    /// ```
    pub fn new(endpoint: &Endpoint, select: Select) -> Self {
        IndexAudit {
            endpoint: endpoint.resource().name().to_owned(),
            orderings: endpoint.orderings().clone(),
            extra: Vec::new(),
            filters: endpoint.filters().to_vec(),
            select,
            page_size: endpoint.policy().default_size,
            bookmark_skip: DEFAULT_AUDIT_BOOKMARK_SKIP,
            max_filters: DEFAULT_AUDIT_MAX_FILTERS,
            max_cases: DEFAULT_AUDIT_MAX_CASES,
        }
    }

    /// Audits `ordering` too (a client form of several keys, `price,-created_at`:
    /// single keys are audited already). Fails when the endpoint does not allow it.
    ///
    /// ```
    /// # use folio::{CursorCodec, Endpoint, IndexAudit, Orderings, Select};
    /// let e = Endpoint::builder("t", CursorCodec::new(b"k")).orderings(Orderings::new("id", "id").field("a", "a").field("b", "b")).build();
    /// let audit = IndexAudit::new(&e, Select::from("t")).ordering("a,-b").unwrap();
    /// assert_eq!(audit.cases().len(), 7);
    /// assert!(IndexAudit::new(&e, Select::from("t")).ordering("c").is_err());
    /// ```
    pub fn ordering(mut self, ordering: &str) -> Result<Self> {
        self.extra.push(self.orderings.parse(ordering)?);
        Ok(self)
    }

    /// Combines at most `filters` filters in one case (default
    /// [`DEFAULT_AUDIT_MAX_FILTERS`]).
    ///
    /// ```
    /// # use folio::{CursorCodec, Endpoint, FilterParam, IndexAudit, Select};
    /// let e = Endpoint::builder("t", CursorCodec::new(b"k")).filter(FilterParam::eq("a")).filter(FilterParam::eq("b")).build();
    /// assert_eq!(IndexAudit::new(&e, Select::from("t")).max_filters(1).cases().len(), 6);
    /// ```
    pub fn max_filters(mut self, filters: usize) -> Self {
        self.max_filters = filters;
        self
    }

    /// Audits at most `cases` combinations (default [`DEFAULT_AUDIT_MAX_CASES`]);
    /// the report says how many were left out.
    ///
    /// ```
    /// # use folio::{CursorCodec, Endpoint, IndexAudit, Select};
    /// let e = Endpoint::builder("t", CursorCodec::new(b"k")).build();
    /// let audit = IndexAudit::new(&e, Select::from("t")).max_cases(1);
    /// assert_eq!((audit.cases().len(), audit.left_out()), (1, 1));
    /// ```
    pub fn max_cases(mut self, cases: usize) -> Self {
        self.max_cases = cases;
        self
    }

    /// The rows a deep bookmark page walks past its bookmark (default
    /// [`DEFAULT_AUDIT_BOOKMARK_SKIP`]).
    ///
    /// ```
    /// # use folio::{CursorCodec, Endpoint, IndexAudit, Select};
    /// let e = Endpoint::builder("t", CursorCodec::new(b"k")).build();
    /// let _ = IndexAudit::new(&e, Select::from("t")).bookmark_skip(90);
    /// ```
    pub fn bookmark_skip(mut self, rows: u64) -> Self {
        self.bookmark_skip = rows;
        self
    }

    /// The endpoint's resource name.
    ///
    /// ```
    /// # use folio::{CursorCodec, Endpoint, IndexAudit, Select};
    /// let e = Endpoint::builder("users", CursorCodec::new(b"k")).build();
    /// assert_eq!(IndexAudit::new(&e, Select::from("users")).endpoint(), "users");
    /// ```
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// Every combination, deduplicated, at most [`IndexAudit::max_cases`] of them:
    /// ordering by ordering, the sets of filters by size.
    ///
    /// ```
    /// # use folio::{CursorCodec, Endpoint, IndexAudit, Select};
    /// let e = Endpoint::builder("t", CursorCodec::new(b"k")).build();
    /// assert_eq!(IndexAudit::new(&e, Select::from("t")).cases()[0].label(), "ordering=id");
    /// ```
    pub fn cases(&self) -> Vec<AuditCase> {
        let mut all = self.all_cases();
        all.truncate(self.max_cases);
        all
    }

    /// How many combinations [`IndexAudit::max_cases`] left out.
    ///
    /// ```
    /// # use folio::{CursorCodec, Endpoint, IndexAudit, Select};
    /// let e = Endpoint::builder("t", CursorCodec::new(b"k")).build();
    /// assert_eq!(IndexAudit::new(&e, Select::from("t")).left_out(), 0);
    /// ```
    pub fn left_out(&self) -> usize {
        self.all_cases().len().saturating_sub(self.max_cases)
    }

    fn all_cases(&self) -> Vec<AuditCase> {
        let mut orderings: Vec<SortSpec> = Vec::new();
        let mut seen = HashSet::new();
        let single = self.orderings.keys().flat_map(|k| {
            [k.name().to_owned(), format!("-{}", k.name())]
                .into_iter()
                .filter_map(|o| self.orderings.parse(&o).ok())
        });
        for spec in single
            .chain(std::iter::once(self.orderings.default_spec()))
            .chain(self.extra.iter().cloned())
        {
            if seen.insert(spec.to_string()) {
                orderings.push(spec);
            }
        }
        let sets = self.filter_sets();
        orderings
            .into_iter()
            .flat_map(|ordering| {
                sets.iter().map(move |filters| AuditCase {
                    ordering: ordering.clone(),
                    filters: filters.clone(),
                })
            })
            .collect()
    }

    /// The sets of at most `max_filters` filters, by size then declaration order, one
    /// per shape (equality, range and null-test columns).
    fn filter_sets(&self) -> Vec<Vec<FilterParam>> {
        let n = self.filters.len().min(20);
        let mut subsets: Vec<Vec<usize>> = (0..1u32 << n)
            .filter(|m| m.count_ones() as usize <= self.max_filters)
            .map(|m| (0..n).filter(|i| m & (1 << i) != 0).collect())
            .collect();
        subsets.sort_by(|a, b| a.len().cmp(&b.len()).then_with(|| a.cmp(b)));
        let mut shapes = HashSet::new();
        let mut sets = Vec::new();
        for indices in subsets {
            let set: Vec<FilterParam> = indices.iter().map(|&i| self.filters[i].clone()).collect();
            let mut shape: Vec<(u8, &str)> = set
                .iter()
                .map(|f| (role(f.op()), f.column_name()))
                .collect();
            shape.sort_unstable();
            shape.dedup();
            let shape: Vec<(u8, String)> =
                shape.into_iter().map(|(r, c)| (r, c.to_owned())).collect();
            if shapes.insert(shape) {
                sets.push(set);
            }
        }
        sets
    }

    /// The statements that read the sample values: one row of the select, and the
    /// rows holding the smallest and the largest value of each range-filtered column.
    ///
    /// ```
    /// # use folio::{CursorCodec, Endpoint, FilterParam, IndexAudit, SampleRole, Select, Sqlite};
    /// let e = Endpoint::builder("t", CursorCodec::new(b"k")).filter(FilterParam::ge("min_a").column("a").int()).build();
    /// let q = IndexAudit::new(&e, Select::from("t")).sample_queries(&Sqlite).unwrap();
    /// assert_eq!(q.iter().map(|q| q.role).collect::<Vec<_>>(), [SampleRole::Row, SampleRole::Low]);
    /// assert_eq!(q[1].statement.sql, r#"SELECT * FROM (SELECT * FROM "t") AS q ORDER BY q."a" ASC, q."id" ASC LIMIT 2 OFFSET 0"#);
    /// ```
    pub fn sample_queries(&self, dialect: &dyn Dialect) -> Result<Vec<SampleQuery>> {
        let unique = self.orderings.default_spec().unique().clone();
        let mut columns: Vec<String> = Vec::new();
        let mut add = |c: &str| {
            if !columns.iter().any(|x| x == c) {
                columns.push(c.to_owned());
            }
        };
        for k in self.orderings.keys() {
            add(k.column());
        }
        for f in &self.filters {
            add(f.column_name());
        }
        let by_unique = SortSpec::new(Vec::new(), unique.clone());
        let mut queries = vec![SampleQuery {
            statement: OffsetQuery::new(&by_unique, 0, 1).render(dialect, &self.select)?,
            role: SampleRole::Row,
            columns,
        }];
        let mut bounded: Vec<(SampleRole, &str)> = Vec::new();
        for f in &self.filters {
            let role = match f.op() {
                FilterOp::Gt | FilterOp::Ge => SampleRole::Low,
                FilterOp::Lt | FilterOp::Le => SampleRole::High,
                _ => continue,
            };
            if !bounded.contains(&(role, f.column_name())) {
                bounded.push((role, f.column_name()));
            }
        }
        for (role, column) in bounded {
            let order = if role == SampleRole::Low {
                Order::Asc
            } else {
                Order::Desc
            };
            let spec = SortSpec::new(vec![SortKey::new(column, column, order)], unique.clone());
            queries.push(SampleQuery {
                statement: OffsetQuery::new(&spec, 0, 1).render(dialect, &self.select)?,
                role,
                columns: vec![column.to_owned()],
            });
        }
        Ok(queries)
    }

    /// The select of `case`: the audit's select with the case's filters, valued from
    /// `sample`.
    fn case_select(&self, case: &AuditCase, sample: &AuditSample) -> Result<Select> {
        let mut select = self.select.clone();
        for f in &case.filters {
            let c = f.column_name();
            let filter = match f.op() {
                FilterOp::Eq => Filter::eq(c, sample.row(c)?),
                FilterOp::Ne => Filter::ne(c, sample.row(c)?),
                FilterOp::Lt => Filter::lt(c, sample.bound(SampleRole::High, c)?),
                FilterOp::Le => Filter::le(c, sample.bound(SampleRole::High, c)?),
                FilterOp::Gt => Filter::gt(c, sample.bound(SampleRole::Low, c)?),
                FilterOp::Ge => Filter::ge(c, sample.bound(SampleRole::Low, c)?),
                FilterOp::In => Filter::is_in(c, [sample.row(c)?, sample.row(c)?]),
                FilterOp::IsNull => Filter::is_null(c),
            };
            select = select.filter(filter);
        }
        Ok(select)
    }

    /// The statement that reads the first row of `case` (its filters valued from
    /// `sample`, in its ordering): the boundary of its deep pages, so that the whole
    /// filtered set lies after it (read its [`AuditCase::key_columns`]).
    ///
    /// ```
    /// use folio::{AuditSample, CursorCodec, Endpoint, FilterParam, IndexAudit, Orderings, SampleRole, Select, Sqlite};
    /// let e = Endpoint::builder("p", CursorCodec::new(b"k"))
    ///     .orderings(Orderings::new("id", "id").field("name", "name"))
    ///     .filter(FilterParam::eq("category"))
    ///     .build();
    /// let audit = IndexAudit::new(&e, Select::from("p"));
    /// let mut sample = AuditSample::default();
    /// sample.set(SampleRole::Row, "category", "books".into());
    /// let case = &audit.cases()[7]; // ordering=-name&category
    /// assert_eq!(
    ///     audit.first_row_query(case, &Sqlite, &sample).unwrap().sql,
    ///     r#"SELECT * FROM (SELECT * FROM "p" WHERE "category" = ?) AS q ORDER BY q."name" DESC, q."id" DESC LIMIT 2 OFFSET 0"#
    /// );
    /// assert_eq!(case.key_columns(), ["name", "id"]);
    /// ```
    pub fn first_row_query(
        &self,
        case: &AuditCase,
        dialect: &dyn Dialect,
        sample: &AuditSample,
    ) -> Result<Statement> {
        OffsetQuery::new(&case.ordering, 0, 1).render(dialect, &self.case_select(case, sample)?)
    }

    /// The deep keyset page and the deep bookmark page of `case`, rendered for
    /// `dialect` by [`KeysetQuery`] with the values of `sample`, after `boundary`
    /// (the key values of [`IndexAudit::first_row_query`]'s row; `None`: the sample
    /// row's).
    ///
    /// ```
    /// use folio::{AuditSample, CursorCodec, Endpoint, FilterParam, IndexAudit, Orderings, SampleRole, Select, Postgres, Value};
    /// let e = Endpoint::builder("p", CursorCodec::new(b"k"))
    ///     .orderings(Orderings::new("id", "id").field("name", "name"))
    ///     .filter(FilterParam::eq("category"))
    ///     .build();
    /// let audit = IndexAudit::new(&e, Select::from("p"));
    /// let mut sample = AuditSample::default();
    /// for (c, v) in [("id", Value::Int(9)), ("name", "n".into()), ("category", "books".into())] {
    ///     sample.set(SampleRole::Row, c, v);
    /// }
    /// let case = &audit.cases()[5]; // ordering=name&category
    /// let st = audit.statements(case, &Postgres, &sample, None).unwrap();
    /// assert_eq!(
    ///     st.keyset.sql,
    ///     r#"SELECT * FROM (SELECT * FROM "p" WHERE "category" = $1) AS q WHERE (q."name", q."id") > ($2, $3) ORDER BY q."name" ASC, q."id" ASC LIMIT 11"#
    /// );
    /// assert_eq!(st.keyset.binds[1..], [Value::from("n"), Value::Int(9)]);
    /// assert!(st.bookmark.sql.ends_with("LIMIT 11 OFFSET 990"));
    /// let first = [Value::from("a"), Value::Int(3)];
    /// let st = audit.statements(case, &Postgres, &sample, Some(&first)).unwrap();
    /// assert_eq!(st.keyset.binds[1..], first);
    /// ```
    pub fn statements(
        &self,
        case: &AuditCase,
        dialect: &dyn Dialect,
        sample: &AuditSample,
        boundary: Option<&[Value]>,
    ) -> Result<AuditStatements> {
        let select = self.case_select(case, sample)?;
        let boundary = match boundary {
            Some(b) => b.to_vec(),
            None => case
                .ordering
                .keys()
                .iter()
                .map(|k| sample.row(k.column()))
                .collect::<Result<Vec<_>>>()?,
        };
        let keyset = KeysetQuery::new(
            &case.ordering,
            Seek::After(boundary.clone()),
            self.page_size,
        )
        .render(dialect, &select)?
        .statement;
        let bookmark = KeysetQuery::new(&case.ordering, Seek::After(boundary), self.page_size)
            .skip(self.bookmark_skip)
            .render(dialect, &select)?
            .statement;
        Ok(AuditStatements { keyset, bookmark })
    }

    /// What the planner's readings of `case`'s two statements say: served when
    /// neither sorts the filtered set (a sort of no more rows than the page reads
    /// anyway, by the planner's estimate, is not counted); the index the keyset page walks, the filter
    /// columns it tests row by row, and for an unserved case the index to create.
    ///
    /// ```
    /// use folio::{CursorCodec, Endpoint, FilterParam, IndexAudit, Orderings, PlanReading, Select, Sqlite, TableAccess};
    /// let e = Endpoint::builder("p", CursorCodec::new(b"k"))
    ///     .orderings(Orderings::new("id", "id").field("name", "name"))
    ///     .filter(FilterParam::eq("category"))
    ///     .build();
    /// let audit = IndexAudit::new(&e, Select::from("p"));
    /// let case = &audit.cases()[5]; // ordering=name&category
    /// let walk = PlanReading {
    ///     sorts: true,
    ///     accesses: vec![TableAccess { table: "p".into(), index: Some("p_category_id".into()), condition: "category=?".into() }],
    ///     ..PlanReading::default()
    /// };
    /// let entry = audit.entry(case, &Sqlite, &walk, &walk);
    /// assert!(!entry.served);
    /// assert_eq!(entry.index.as_deref(), Some("p_category_id"));
    /// assert_eq!(entry.suggestion.as_deref(), Some("CREATE INDEX p_category_name_id ON p (category, name, id);"));
    /// ```
    pub fn entry(
        &self,
        case: &AuditCase,
        dialect: &dyn Dialect,
        keyset: &PlanReading,
        bookmark: &PlanReading,
    ) -> AuditEntry {
        // A sort the planner expects to hold no more rows than the page reads anyway
        // (the whole filtered set is that small: a user's few orders) is no cliff.
        let unbounded = |reading: &PlanReading, reads: u64| {
            reading.sorts && reading.rows.map_or(true, |r| r > reads as f64)
        };
        let page = self.page_size.saturating_add(1);
        let keyset_sorts = unbounded(keyset, page);
        let bookmark_sorts = unbounded(bookmark, page.saturating_add(self.bookmark_skip));
        let served = !keyset_sorts && !bookmark_sorts;
        let table = self.table();
        let own = |a: &&TableAccess| table_matches(&a.table, table);
        let access = keyset.accesses.iter().find(own);
        let conditions: Vec<&str> = keyset
            .accesses
            .iter()
            .filter(own)
            .map(|a| a.condition.as_str())
            .collect();
        let mut columns: Vec<&str> = self
            .select
            .filters()
            .iter()
            .flat_map(Filter::equality_columns)
            .collect();
        columns.extend(case.filter_columns());
        let mut filtered: Vec<String> = Vec::new();
        for c in columns {
            if !conditions.iter().any(|t| mentions(t, c)) && !filtered.iter().any(|f| f == c) {
                filtered.push(c.to_owned());
            }
        }
        let mut sorted = Vec::new();
        if keyset_sorts {
            sorted.push("keyset".to_owned());
        }
        if bookmark_sorts {
            sorted.push("bookmark".to_owned());
        }
        AuditEntry {
            case: case.label(),
            served,
            sorted,
            index: access.map(|a| a.index.clone().unwrap_or_else(|| "(table scan)".to_owned())),
            filtered,
            rows: if keyset_sorts || !bookmark_sorts {
                keyset.rows.or(bookmark.rows)
            } else {
                bookmark.rows
            },
            suggestion: (!served)
                .then(|| suggest::create_index(dialect, table, &self.select, case)),
            plan: format!(
                "keyset page:\n{}\nbookmark page:\n{}",
                keyset.summary, bookmark.summary
            ),
        }
    }

    /// The report of the audit's entries on `backend` (a name for the reader).
    ///
    /// ```
    /// # use folio::{CursorCodec, Endpoint, IndexAudit, Select};
    /// let e = Endpoint::builder("t", CursorCodec::new(b"k")).build();
    /// let report = IndexAudit::new(&e, Select::from("t")).report("sqlite", Vec::new());
    /// assert!(report.is_served());
    /// ```
    pub fn report(&self, backend: &str, entries: Vec<AuditEntry>) -> AuditReport {
        AuditReport {
            endpoint: self.endpoint.clone(),
            backend: backend.to_owned(),
            entries,
            left_out: self.left_out(),
        }
    }

    /// The table the suggested indexes are on: the select's, else the endpoint's name.
    fn table(&self) -> &str {
        self.select.table().unwrap_or(&self.endpoint)
    }
}

/// How a filter uses its column in an index: 0 equality, 1 null test, 2 range or other.
fn role(op: FilterOp) -> u8 {
    if op.is_equality() {
        0
    } else if op == FilterOp::IsNull {
        1
    } else {
        2
    }
}

/// Whether a plan's table name is `table` (`shop.products` is `products`), or the
/// audit's select is SQL (no table name to compare).
fn table_matches(plan_table: &str, table: &str) -> bool {
    let last = |t: &str| {
        t.rsplit('.')
            .next()
            .unwrap_or(t)
            .trim_matches('"')
            .to_owned()
    };
    last(plan_table) == last(table)
}

/// Whether `text` names `column` as a word.
fn mentions(text: &str, column: &str) -> bool {
    let word = |c: char| c.is_alphanumeric() || c == '_';
    text.match_indices(column).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + column.len()..].chars().next();
        !before.is_some_and(word) && !after.is_some_and(word)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{CursorCodec, Nulls, Sqlite};

    fn products() -> Endpoint {
        Endpoint::builder("products", CursorCodec::new(b"k"))
            .orderings(
                Orderings::new("id", "id")
                    .field("name", "name")
                    .nullable_field("rating", "rating", Nulls::Last)
                    .default_ordering("-rating"),
            )
            .filter(FilterParam::eq("category"))
            .filter(FilterParam::ge("min_price").column("price_cents").int())
            .filter(FilterParam::le("max_price").column("price_cents").int())
            .build()
    }

    #[test]
    fn ranges_on_one_column_are_one_shape_and_orderings_are_deduplicated() {
        let audit = IndexAudit::new(&products(), Select::from("products"));
        let labels: Vec<String> = audit.cases().iter().map(AuditCase::label).collect();
        // id, -id, name, -name, rating, -rating (the default is -rating) × 4 shapes
        assert_eq!(labels.len(), 24);
        assert!(!labels.iter().any(|l| l.contains("max_price")));
        assert_eq!(
            labels.iter().collect::<HashSet<_>>().len(),
            labels.len(),
            "{labels:?}"
        );
    }

    #[test]
    fn the_bound_counts_and_reports_what_it_leaves_out() {
        let audit = IndexAudit::new(&products(), Select::from("products")).max_cases(5);
        assert_eq!((audit.cases().len(), audit.left_out()), (5, 19));
        let audit = IndexAudit::new(&products(), Select::from("products")).max_filters(0);
        assert_eq!(audit.cases().len(), 6);
    }

    #[test]
    fn statements_take_bounds_from_the_extremes_and_the_boundary_from_the_row() {
        let audit = IndexAudit::new(&products(), Select::from("products"));
        let mut sample = AuditSample::default();
        for (c, v) in [
            ("id", Value::Int(5)),
            ("name", Value::from("m")),
            ("rating", Value::Float(2.5)),
            ("category", Value::from("books")),
            ("price_cents", Value::Int(500)),
        ] {
            sample.set(SampleRole::Row, c, v);
        }
        sample.set(SampleRole::Low, "price_cents", Value::Int(1));
        let case = audit
            .cases()
            .into_iter()
            .find(|c| c.label() == "ordering=name&category&min_price")
            .unwrap();
        let st = audit.statements(&case, &Sqlite, &sample, None).unwrap();
        assert_eq!(
            st.keyset.binds[..2],
            [Value::from("books"), Value::Int(1)],
            "{}",
            st.keyset.sql
        );
        assert!(st.keyset.binds.contains(&Value::from("m")));
        assert!(
            st.bookmark.sql.ends_with("OFFSET 990"),
            "{}",
            st.bookmark.sql
        );
        let empty = audit.statements(&case, &Sqlite, &AuditSample::default(), None);
        assert_eq!(empty.unwrap_err().kind(), crate::ErrorKind::Internal);
    }

    #[test]
    fn a_served_walk_names_the_filters_it_tests_row_by_row() {
        let audit = IndexAudit::new(&products(), Select::from("products"));
        let case = audit
            .cases()
            .into_iter()
            .find(|c| c.label() == "ordering=name&category&min_price")
            .unwrap();
        let walk = PlanReading {
            sorts: false,
            accesses: vec![TableAccess {
                table: "products".into(),
                index: Some("products_name_id".into()),
                condition: "name>? AND price_cents_x>?".into(),
            }],
            rows: Some(1e6),
            summary: String::new(),
        };
        let e = audit.entry(&case, &Sqlite, &walk, &walk);
        assert!(e.served);
        assert_eq!(e.filtered, ["category", "price_cents"]);
        assert_eq!(e.suggestion, None);
        assert_eq!(e.rows, Some(1e6));
        // A sort of fewer rows than the page reads is bounded; of more, it is not.
        let small = PlanReading {
            sorts: true,
            rows: Some(8.0),
            ..walk.clone()
        };
        assert!(audit.entry(&case, &Sqlite, &small, &small).served);
        let large = PlanReading {
            rows: Some(12.0),
            ..small.clone()
        };
        let e = audit.entry(&case, &Sqlite, &large, &small);
        assert!(!e.served);
        assert_eq!(e.sorted, ["keyset"]);
        let unknown = PlanReading {
            rows: None,
            ..small
        };
        assert!(!audit.entry(&case, &Sqlite, &walk, &unknown).served);
    }

    #[test]
    fn words_are_matched_whole() {
        assert!(mentions("(category=? AND id>?)", "id"));
        assert!(!mentions("(category_id=?)", "id"));
        assert!(mentions(r#"(("name")::text > 'x'::text)"#, "name"));
    }
}
