//! The dialects of two distributed SQL engines that speak PostgreSQL's wire
//! protocol, CockroachDB and YugabyteDB: PostgreSQL's SQL with the overrides
//! their documentation and issue trackers call for. Written from those sources;
//! neither engine was run by folio's tests, which assert the SQL rendered only.

use crate::dialect::null_placement_term;
use crate::{Dialect, Nulls, Order, Postgres};

/// CockroachDB (PostgreSQL wire protocol): PostgreSQL's placeholders and binds;
/// NULLs ordered first in ascending order and last in descending order (the
/// opposite of PostgreSQL), and an explicit placement that differs from that
/// refused before CockroachDB 22.1 (`unimplemented`, SQLSTATE 0A000) and sorted
/// rather than read from an index in order since. So a placement that matches the
/// native one is left implicit (`rating DESC` for descending with NULLs last) and
/// another is written as an `IS NULL` term, as on MySQL (`rating IS NULL ASC,
/// rating ASC` for ascending with NULLs last). The table estimate reads
/// `crdb_internal.table_row_statistics` (the row count of the latest table
/// statistics, what `SHOW TABLES` shows as `estimated_row_count`); CockroachDB has
/// no JSON plan with a row estimate, so a filtered estimate is a capped count.
///
/// Not run against CockroachDB here: the SQL it renders is asserted, not executed.
///
/// ```
/// use folio::{CockroachDb, Dialect, Nulls, Order};
/// let mut s = String::new();
/// CockroachDb.order_term("\"rating\"", Order::Desc, Some(Nulls::Last), &mut s);
/// assert_eq!(s, "\"rating\" DESC");
/// s.clear();
/// CockroachDb.order_term("\"rating\"", Order::Asc, Some(Nulls::Last), &mut s);
/// assert_eq!(s, "\"rating\" IS NULL ASC, \"rating\" ASC");
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct CockroachDb;

impl Dialect for CockroachDb {
    fn name(&self) -> &'static str {
        "cockroachdb"
    }
    fn placeholder(&self, n: usize, out: &mut String) {
        Postgres.placeholder(n, out);
    }
    fn numbered_placeholders(&self) -> bool {
        true
    }
    fn max_binds(&self) -> usize {
        Postgres.max_binds()
    }
    /// NULLs are the smallest value: first ascending, last descending. That
    /// placement is left implicit; the other is an `IS NULL` term first.
    fn order_term(&self, column: &str, order: Order, nulls: Option<Nulls>, out: &mut String) {
        let native = match order {
            Order::Asc => Nulls::First,
            Order::Desc => Nulls::Last,
        };
        if let Some(nulls) = nulls.filter(|n| *n != native) {
            null_placement_term(column, nulls, out);
        }
        out.push_str(column);
        out.push(' ');
        out.push_str(order.sql());
    }
    fn table_rows_estimate(&self, table: &str) -> Option<String> {
        Some(format!(
            "(SELECT MAX(s.estimated_row_count) FROM crdb_internal.table_row_statistics s \
             WHERE s.table_name = {table})::INT8"
        ))
    }
    /// As PostgreSQL: the NULL arm ordered by the key too. CockroachDB's optimizer
    /// takes `a IS NULL` as a constant `a` and needs no help, and a constant key
    /// in `ORDER BY` costs it nothing: the pages stay PostgreSQL's text.
    fn null_arm_orders_by_lead(&self) -> bool {
        Postgres.null_arm_orders_by_lead()
    }
}

/// YugabyteDB's YSQL (PostgreSQL's query layer over a distributed store):
/// PostgreSQL's SQL, NULL order and JSON plans, but row-value comparisons
/// `(a, id) > ($1, $2)` were not pushed down to the storage layer (yugabyte-db
/// issues 11463, 11794: every row of the range read and rechecked), and releases of
/// 2024 fixed wrong results of row comparisons in index scans (21847, 22075): so
/// the expanded form `a >= $1 AND (a > $2 OR (a = $3 AND id > $4))`, which
/// becomes a range of the index on `a`. The table estimate is `pg_class.reltuples`
/// as written by `ANALYZE` (NULL until the table is analyzed; no scaling by pages,
/// which a distributed table does not have).
///
/// Not run against YugabyteDB here: the SQL it renders is asserted, not executed.
///
/// ```
/// use folio::{Dialect, YugabyteDb};
/// assert!(!YugabyteDb.row_values());
/// assert!(YugabyteDb.numbered_placeholders());
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct YugabyteDb;

impl Dialect for YugabyteDb {
    fn name(&self) -> &'static str {
        "yugabytedb"
    }
    fn placeholder(&self, n: usize, out: &mut String) {
        Postgres.placeholder(n, out);
    }
    fn numbered_placeholders(&self) -> bool {
        true
    }
    fn row_values(&self) -> bool {
        false
    }
    fn max_binds(&self) -> usize {
        Postgres.max_binds()
    }
    fn table_rows_estimate(&self, table: &str) -> Option<String> {
        Some(format!(
            "(SELECT CASE WHEN c.reltuples <= 0 THEN NULL ELSE c.reltuples END \
             FROM pg_class c WHERE c.oid = to_regclass({table}))::bigint"
        ))
    }
    fn explain_prefix(&self) -> Option<&'static str> {
        Postgres.explain_prefix()
    }
    fn plan_rows(&self, plan: &str) -> Option<f64> {
        Postgres.plan_rows(plan)
    }
    /// PostgreSQL's planner: no order derived from `a IS NULL`.
    fn null_arm_orders_by_lead(&self) -> bool {
        Postgres.null_arm_orders_by_lead()
    }
}
