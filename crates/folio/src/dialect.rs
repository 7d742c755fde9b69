//! The one trait that holds every difference between SQL backends.

use crate::{Nulls, Order, PlanReading, Value};

/// How a SQL backend spells what folio renders.
///
/// Every method has a default that is standard SQL as SQLite and PostgreSQL
/// speak it; a backend overrides only its quirks. folio ships [`Sqlite`],
/// [`Postgres`] and [`MySql`] (MySQL and MariaDB), and, written from their
/// documentation and not run here, [`crate::CockroachDb`] and
/// [`crate::YugabyteDb`].
///
/// ```
/// use folio::{Dialect, MySql, Order, Postgres, Sqlite};
/// let mut s = String::new();
/// Postgres.placeholder(3, &mut s);
/// Sqlite.placeholder(3, &mut s);
/// MySql.quote_ident("price", &mut s);
/// assert_eq!(s, "$3?`price`");
/// ```
pub trait Dialect: std::fmt::Debug + Send + Sync {
    /// The backend's name, for logs and errors.
    fn name(&self) -> &'static str;

    /// Writes the placeholder of the `n`-th bind (1-based). Default `?`.
    fn placeholder(&self, n: usize, out: &mut String) {
        let _ = n;
        out.push('?');
    }

    /// Whether placeholders are numbered (`$1`), so that a query that repeats the
    /// user's SQL reuses its binds instead of repeating them. Default `false`.
    fn numbered_placeholders(&self) -> bool {
        false
    }

    /// Writes `ident` as a quoted identifier. Default: double quotes, doubled inside.
    fn quote_ident(&self, ident: &str, out: &mut String) {
        out.push('"');
        out.push_str(&ident.replace('"', "\"\""));
        out.push('"');
    }

    /// Whether `(a, b) > (?, ?)` is supported and walks an index. Default `true`.
    fn row_values(&self) -> bool {
        true
    }

    /// Writes one ORDER BY term for `column` (already quoted). `nulls` is `Some`
    /// for a nullable column: the placement is made explicit, since backends
    /// disagree on the default. Default: `col ASC NULLS LAST`.
    fn order_term(&self, column: &str, order: Order, nulls: Option<Nulls>, out: &mut String) {
        out.push_str(column);
        out.push(' ');
        out.push_str(order.sql());
        match nulls {
            Some(Nulls::First) => out.push_str(" NULLS FIRST"),
            Some(Nulls::Last) => out.push_str(" NULLS LAST"),
            None => {}
        }
    }

    /// Whether the arm that reads a nullable first key's NULL rows (`WHERE a IS
    /// NULL`, ordered by the keys after `a`) orders by `a` as well, in the
    /// direction of the key after it and with no NULL placement: `ORDER BY a ASC,
    /// id ASC`, which is the order of an index on `(a, id)` read forward (`DESC`,
    /// read backward). Every row of the arm holds NULL in `a`, so the rows are the
    /// same. PostgreSQL derives no order from `a IS NULL` and, for a deep page of
    /// that arm, sorts every NULL row by `id`; given `a` first it reads the index.
    /// Default `false` (SQLite and MySQL/MariaDB treat `IS NULL` as an equality on
    /// the index and read `(a, id)` in `id` order).
    ///
    /// ```
    /// use folio::{Dialect, KeysetQuery, Nulls, Orderings, Postgres, Seek, Select, Sqlite};
    /// let spec = Orderings::new("id", "id").nullable_field("rating", "rating", Nulls::Last).parse("rating").unwrap();
    /// let null_arm = |d: &dyn Dialect| {
    ///     let sql = KeysetQuery::new(&spec, Seek::First, 10).render(d, &Select::from("p")).unwrap().statement.sql;
    ///     sql[sql.find("IS NULL").unwrap()..].to_owned()
    /// };
    /// assert!(Postgres.null_arm_orders_by_lead());
    /// assert!(null_arm(&Postgres).starts_with(r#"IS NULL ORDER BY q."rating" ASC, q."id" ASC LIMIT 11"#));
    /// assert!(null_arm(&Sqlite).starts_with(r#"IS NULL ORDER BY q."id" ASC LIMIT 11"#));
    /// ```
    fn null_arm_orders_by_lead(&self) -> bool {
        false
    }

    /// Whether a row-value comparison `(a, id) > (?, ?)` seeks the index on every
    /// key. Where it does not (SQLite, when the last key is the rowid alias: it seeks
    /// on `a` alone and then walks every row tied with the boundary on `a`), folio
    /// splits a seek into one arm per key, `a = ? AND id > ?` UNION ALL `a > ?`,
    /// each a full index seek. Default `true`.
    fn row_value_seeks_every_key(&self) -> bool {
        true
    }

    /// Whether the planner sorts an ordering that an index gives only in part (on its
    /// first key: mixed directions, or a NULL placement written as an expression)
    /// one group of first-key ties at a time, stopping at the `LIMIT`, as
    /// PostgreSQL's Incremental Sort does. Default `true`.
    ///
    /// Where it does not (MySQL, MariaDB: a filesort of every row after the
    /// boundary, the whole table on the first page), folio bounds the sort itself:
    /// it reads the distinct first-key values of the page's rows from the index on
    /// the first key, then only the rows with those values (`STRAIGHT_JOIN`, so
    /// MySQL's syntax), and sorts those.
    fn incremental_sort(&self) -> bool {
        true
    }

    /// The most bind parameters one statement may carry.
    /// Default 32,766 (SQLite's limit since 3.32).
    fn max_binds(&self) -> usize {
        32_766
    }

    /// A scalar SQL expression of the estimated rows of the table whose name is
    /// bound at `table` (a placeholder), from the backend's statistics: NULL when the
    /// table has none. `None` (the default) when the backend keeps no statistics
    /// folio reads.
    fn table_rows_estimate(&self, table: &str) -> Option<String> {
        let _ = table;
        None
    }

    /// A statement that returns a row when the statistics [`Dialect::table_rows_estimate`]
    /// reads exist (SQLite's `sqlite_stat1` exists only after an `ANALYZE`); `None`
    /// (the default) when they always do.
    fn statistics_probe(&self) -> Option<&'static str> {
        None
    }

    /// What to put before a query to have the planner describe it as JSON
    /// (`EXPLAIN (FORMAT JSON) `); `None` (the default) when the backend has no
    /// such plan with a row estimate.
    fn explain_prefix(&self) -> Option<&'static str> {
        None
    }

    /// The planner's estimate of the rows a query returns, read from the JSON plan
    /// that [`Dialect::explain_prefix`] gives.
    fn plan_rows(&self, plan: &str) -> Option<f64> {
        let _ = plan;
        None
    }

    /// What to put before a statement to have the planner show how it would run it,
    /// for an index audit ([`crate::IndexAudit`]); `None` (the default) when the
    /// backend's plans are not read.
    ///
    /// ```
    /// use folio::{Dialect, MySql, Postgres, Sqlite};
    /// assert_eq!(Sqlite.audit_explain_prefix(), Some("EXPLAIN QUERY PLAN "));
    /// assert_eq!(Postgres.audit_explain_prefix(), Some("EXPLAIN (FORMAT JSON) "));
    /// assert_eq!(MySql.audit_explain_prefix(), Some("EXPLAIN FORMAT=JSON "));
    /// ```
    fn audit_explain_prefix(&self) -> Option<&'static str> {
        None
    }

    /// Reads the rows the planner answered a statement prefixed with
    /// [`Dialect::audit_explain_prefix`] with (each row's columns in order): whether
    /// it sorts the filtered set, the tables and indexes it reads. `None` (the
    /// default) when the rows are not a plan this dialect reads.
    ///
    /// ```
    /// use folio::{Dialect, Sqlite, Value};
    /// let row = |id: i64, detail: &str| vec![Value::Int(id), Value::Int(0), Value::Int(0), Value::from(detail)];
    /// let plan = Sqlite
    ///     .read_plan(&[row(3, "SEARCH p USING INDEX p_category_id (category=?)"), row(9, "USE TEMP B-TREE FOR ORDER BY")])
    ///     .unwrap();
    /// assert!(plan.sorts);
    /// assert_eq!(plan.accesses[0].index.as_deref(), Some("p_category_id"));
    /// ```
    fn read_plan(&self, rows: &[Vec<Value>]) -> Option<PlanReading> {
        let _ = rows;
        None
    }
}

/// SQLite (3.30 or later, for `NULLS FIRST/LAST`).
///
/// ```
/// use folio::{Dialect, Order, Nulls, Sqlite};
/// let mut s = String::new();
/// Sqlite.order_term("\"rating\"", Order::Desc, Some(Nulls::Last), &mut s);
/// assert_eq!(s, "\"rating\" DESC NULLS LAST");
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct Sqlite;

impl Dialect for Sqlite {
    fn name(&self) -> &'static str {
        "sqlite"
    }
    /// SQLite reads row values, but a row-value range seeks its index on the first
    /// key only, and with `ANALYZE` statistics the planner can misjudge it: on
    /// 200,000 analyzed products (`plans_sqlite.rs`), `(price_cents, id) > (?, ?) …
    /// LIMIT 2 OFFSET 999` after a low price became a skip-scan of another index
    /// and a sort (100+ ms on 1,000,000 rows), where the expanded form led by
    /// `price_cents >= ?` stays an index range (0.1 ms). So folio writes the
    /// expanded form.
    fn row_values(&self) -> bool {
        false
    }
    fn row_value_seeks_every_key(&self) -> bool {
        false
    }
    /// The first number of a row of `sqlite_stat1` is the rows of the index (or of
    /// the table, for the index-less row); partial indexes hold fewer: the largest.
    fn table_rows_estimate(&self, table: &str) -> Option<String> {
        Some(format!(
            "(SELECT MAX(CAST(substr(stat, 1, instr(stat || ' ', ' ') - 1) AS INTEGER)) \
             FROM sqlite_stat1 WHERE tbl = {table})"
        ))
    }
    fn statistics_probe(&self) -> Option<&'static str> {
        Some("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'")
    }
    fn audit_explain_prefix(&self) -> Option<&'static str> {
        Some("EXPLAIN QUERY PLAN ")
    }
    /// A `USE TEMP B-TREE FOR ORDER BY` of a loop driven by a table sorts the
    /// filtered set; one over a subquery's bounded rows (the arms' merge) does not.
    fn read_plan(&self, rows: &[Vec<Value>]) -> Option<PlanReading> {
        crate::audit::read_sqlite_plan(rows)
    }
}

/// PostgreSQL: numbered `$n` placeholders, 65,535 binds.
///
/// ```
/// use folio::{Dialect, Postgres};
/// let mut s = String::new();
/// Postgres.placeholder(1, &mut s);
/// assert_eq!(s, "$1");
/// assert!(Postgres.numbered_placeholders());
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct Postgres;

impl Dialect for Postgres {
    fn name(&self) -> &'static str {
        "postgres"
    }
    fn placeholder(&self, n: usize, out: &mut String) {
        out.push('$');
        out.push_str(&n.to_string());
    }
    fn numbered_placeholders(&self) -> bool {
        true
    }
    fn max_binds(&self) -> usize {
        65_535
    }
    /// `reltuples` as of the last `ANALYZE` (or autovacuum), scaled by the table's
    /// pages now against its pages then, as the planner itself does; NULL when the
    /// table was never analyzed.
    fn table_rows_estimate(&self, table: &str) -> Option<String> {
        Some(format!(
            "(SELECT CASE WHEN c.reltuples < 0 THEN NULL \
             WHEN c.relpages > 0 THEN c.reltuples / c.relpages * \
             (pg_relation_size(c.oid) / current_setting('block_size')::float8) \
             ELSE c.reltuples END FROM pg_class c WHERE c.oid = to_regclass({table}))::bigint"
        ))
    }
    fn explain_prefix(&self) -> Option<&'static str> {
        Some("EXPLAIN (FORMAT JSON) ")
    }
    fn null_arm_orders_by_lead(&self) -> bool {
        true
    }
    /// The top plan node's `Plan Rows`.
    fn plan_rows(&self, plan: &str) -> Option<f64> {
        let plan: serde_json::Value = serde_json::from_str(plan).ok()?;
        plan[0]["Plan"]["Plan Rows"].as_f64()
    }
    fn audit_explain_prefix(&self) -> Option<&'static str> {
        Some("EXPLAIN (FORMAT JSON) ")
    }
    /// A `Sort` over a table scan with no `Limit` between sorts the filtered set;
    /// an `Incremental Sort` (ties of an index's first key) does not.
    fn read_plan(&self, rows: &[Vec<Value>]) -> Option<PlanReading> {
        crate::audit::read_postgres_plan(rows)
    }
}

/// MySQL and MariaDB: backtick identifiers, no `NULLS FIRST/LAST` (emulated with
/// an `IS NULL` term), and row-value comparisons avoided (older optimizers do not
/// turn them into index ranges).
///
/// ```
/// use folio::{Dialect, MySql, Nulls, Order};
/// let mut s = String::new();
/// MySql.order_term("`rating`", Order::Asc, Some(Nulls::Last), &mut s);
/// assert_eq!(s, "`rating` IS NULL ASC, `rating` ASC");
/// assert!(!MySql.row_values());
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct MySql;

impl Dialect for MySql {
    fn name(&self) -> &'static str {
        "mysql"
    }
    fn quote_ident(&self, ident: &str, out: &mut String) {
        out.push('`');
        out.push_str(&ident.replace('`', "``"));
        out.push('`');
    }
    fn row_values(&self) -> bool {
        false
    }
    /// Neither MySQL 8 nor MariaDB has an incremental sort: an `ORDER BY a ASC, b
    /// DESC` over an index on `(a, id)` is a filesort of the whole range. Observed on
    /// MariaDB 10.11 with 200,000 products (`folio-sqlx/tests/plans_mysql.rs`): the
    /// page after the 150,000th row of `price,-created_at` read 50,186 rows into a
    /// filesort; bounded, it reads the boundary's ties and the price groups the page
    /// reaches (213 rows, about 200 a price there). An index with descending parts
    /// (MySQL 8, MariaDB 10.8+) would give that order outright; folio cannot know it
    /// exists.
    fn incremental_sort(&self) -> bool {
        false
    }
    fn order_term(&self, column: &str, order: Order, nulls: Option<Nulls>, out: &mut String) {
        if let Some(nulls) = nulls {
            null_placement_term(column, nulls, out);
        }
        out.push_str(column);
        out.push(' ');
        out.push_str(order.sql());
    }
    fn max_binds(&self) -> usize {
        65_535
    }
    /// `information_schema.TABLES.TABLE_ROWS`: InnoDB's sampled estimate, cached by
    /// the server for `information_schema_stats_expiry` seconds (MySQL 8; MariaDB
    /// reads it anew).
    fn table_rows_estimate(&self, table: &str) -> Option<String> {
        Some(format!(
            "CAST((SELECT TABLE_ROWS FROM information_schema.TABLES \
             WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = {table}) AS SIGNED)"
        ))
    }
    fn explain_prefix(&self) -> Option<&'static str> {
        Some("EXPLAIN FORMAT=JSON ")
    }
    /// The rows the plan's first table produces: MySQL 8's `rows_produced_per_join`,
    /// or MariaDB's `rows` scaled by its `filtered` percentage.
    fn plan_rows(&self, plan: &str) -> Option<f64> {
        let plan: serde_json::Value = serde_json::from_str(plan).ok()?;
        let table = first_table(&plan["query_block"])?;
        let number = |v: &serde_json::Value| {
            v.as_f64()
                .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
        };
        if let Some(rows) = number(&table["rows_produced_per_join"]) {
            return Some(rows);
        }
        let rows = number(&table["rows"])?;
        let filtered = number(&table["filtered"]).unwrap_or(100.0);
        Some(rows * filtered / 100.0)
    }
    fn audit_explain_prefix(&self) -> Option<&'static str> {
        Some("EXPLAIN FORMAT=JSON ")
    }
    /// A filesort whose first table is a table of the database sorts the filtered
    /// set; one of a derived table (bounded arms, a bounded sort's keys) does not.
    fn read_plan(&self, rows: &[Vec<Value>]) -> Option<PlanReading> {
        crate::audit::read_mysql_plan(rows)
    }
}

/// Writes the placement of NULLs as an ORDER BY term of its own, before the
/// column's: `col IS NULL ASC, ` (NULLs last) or `col IS NULL DESC, ` (NULLs
/// first), for a backend without `NULLS FIRST/LAST` or that refuses the one asked.
pub(crate) fn null_placement_term(column: &str, nulls: Nulls, out: &mut String) {
    // `col IS NULL` is false (0) for values, true (1) for NULL: ASC puts NULLs last.
    out.push_str(column);
    out.push_str(match nulls {
        Nulls::Last => " IS NULL ASC, ",
        Nulls::First => " IS NULL DESC, ",
    });
}

/// The first `table` object of a MySQL/MariaDB JSON plan, depth first.
fn first_table(node: &serde_json::Value) -> Option<&serde_json::Value> {
    match node {
        serde_json::Value::Object(map) => {
            if let Some(table) = map.get("table") {
                return Some(table);
            }
            map.values().find_map(first_table)
        }
        serde_json::Value::Array(items) => items.iter().find_map(first_table),
        _ => None,
    }
}
