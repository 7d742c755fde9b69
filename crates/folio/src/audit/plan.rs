//! What a planner's answer says, read by a [`crate::Dialect`] for an index audit.

/// A plan read by [`crate::Dialect::read_plan`]: whether it sorts the filtered set,
/// the table accesses, the planner's estimate of the rows walked.
///
/// ```
/// let r = folio::PlanReading::default();
/// assert!(!r.sorts && r.accesses.is_empty() && r.rows.is_none());
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PlanReading {
    /// The statement sorts rows it reads from a table: the order does not come from
    /// an index. (A sort of rows already bounded by a `LIMIT`, the merge of a
    /// statement's arms, is not counted; nor PostgreSQL's Incremental Sort, which
    /// sorts one group of first-key ties at a time and stops at the `LIMIT`.)
    pub sorts: bool,
    /// Every read of a table, the driving one first.
    pub accesses: Vec<TableAccess>,
    /// The planner's estimate of the rows the first table access yields (of the
    /// rows sorted, when it sorts); `None` where the planner gives none (SQLite).
    pub rows: Option<f64>,
    /// The plan, one line per node, to print.
    pub summary: String,
}

/// One read of a table in a plan.
///
/// ```
/// let a = folio::TableAccess { table: "products".into(), index: None, condition: String::new() };
/// assert!(a.index.is_none()); // a table scan
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TableAccess {
    /// The table (or its alias in the statement).
    pub table: String,
    /// The index walked; `None` for a scan of the table itself.
    pub index: Option<String>,
    /// What bounds the index range, as the planner shows it (`category=? AND
    /// name>?`): a filter column not named here is tested row by row.
    pub condition: String,
}
