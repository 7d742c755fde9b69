//! Count statements: exact, capped at N (reading at most N+1 rows), and estimates
//! from the backend's statistics or its planner.

use crate::statement::Writer;
use crate::{Dialect, Result, Select, Statement, Total, TotalRelation, Value};

/// A count of a select's rows (its filters kept; folio's ORDER BY is never part of
/// the select, so there is none to strip).
///
/// ```
/// use folio::{CountQuery, Filter, Postgres, Select};
/// let select = Select::from("products").filter(Filter::eq("category", "books"));
/// let st = CountQuery::capped(10_000).render(&Postgres, &select).unwrap();
/// assert_eq!(
///     st.sql,
///     r#"SELECT COUNT(*) FROM (SELECT 1 AS one FROM (SELECT * FROM "products" WHERE "category" = $1) AS q LIMIT 10001) AS c"#
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

    /// Renders the count for `dialect`. The statement returns one row with one
    /// integer column.
    ///
    /// ```
    /// use folio::{CountQuery, Filter, Select, Sqlite};
    /// let st = CountQuery::exact().render(&Sqlite, &Select::from("t").filter(Filter::gt("a", 3))).unwrap();
    /// assert_eq!(st.sql, r#"SELECT COUNT(*) FROM (SELECT * FROM "t" WHERE "a" > ?) AS q"#);
    /// ```
    pub fn render(&self, dialect: &dyn Dialect, select: &Select) -> Result<Statement> {
        let base = select.base(dialect)?;
        let mut w = Writer::new(dialect, &base);
        match self.cap {
            None => {
                w.push("SELECT COUNT(*) FROM ").base(&base, "q");
            }
            Some(cap) => {
                w.push("SELECT COUNT(*) FROM (SELECT 1 AS one FROM ")
                    .base(&base, "q");
                w.push(" LIMIT ")
                    .push(&cap.saturating_add(1).to_string())
                    .push(") AS c");
            }
        }
        Ok(w.finish())
    }

    /// Reads the count a rendered count statement returned: the total, `gte` at the
    /// cap when the count went past it.
    ///
    /// ```
    /// use folio::{CountQuery, Total, TotalRelation};
    /// assert_eq!(CountQuery::capped(100).total(42), Total::exact(42));
    /// assert_eq!(CountQuery::capped(100).total(101), Total { value: 100, relation: TotalRelation::Gte });
    /// assert_eq!(CountQuery::exact().total(-1), Total::exact(0));
    /// ```
    pub fn total(&self, counted: i64) -> Total {
        let n = u64::try_from(counted).unwrap_or(0);
        match self.cap {
            Some(cap) if n > cap => Total {
                value: cap,
                relation: TotalRelation::Gte,
            },
            _ => Total::exact(n),
        }
    }
}

/// An estimate of a select's rows from what the backend already knows: a table's
/// statistics (for a whole table) or the planner's row estimate (for a filtered
/// query). Where the backend has neither, there is no estimate statement and the
/// caller counts instead.
///
/// | backend | whole table | filtered |
/// | --- | --- | --- |
/// | SQLite | `sqlite_stat1` (after `ANALYZE`) | none |
/// | PostgreSQL | `pg_class.reltuples`, scaled to the table's current size | `EXPLAIN (FORMAT JSON)` rows |
/// | MySQL, MariaDB | `information_schema.TABLES.TABLE_ROWS` | `EXPLAIN FORMAT=JSON` rows |
///
/// ```
/// use folio::{EstimateQuery, Filter, Postgres, Select, Sqlite, Value};
/// let whole = Select::from("products");
/// let st = EstimateQuery::table(1_000).render(&Sqlite, &whole).unwrap().unwrap();
/// assert!(st.statement.sql.contains("FROM sqlite_stat1 WHERE tbl = ?"));
/// // below the threshold, the same statement counted exactly
/// assert_eq!(st.total(&[Value::Int(12), Value::Int(1)]).unwrap(), folio::Total::exact(12));
///
/// let filtered = Select::from("products").filter(Filter::eq("category", "books"));
/// assert!(EstimateQuery::planner().render(&Sqlite, &filtered).unwrap().is_none());
/// let st = EstimateQuery::planner().render(&Postgres, &filtered).unwrap().unwrap();
/// assert!(st.statement.sql.starts_with("EXPLAIN (FORMAT JSON) SELECT"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EstimateQuery {
    /// `Some(n)`: a table estimate, counted exactly below `n`; `None`: the planner's.
    table_exact_below: Option<u64>,
}

/// A rendered estimate: the statement, and how to read the row it returns.
#[derive(Debug, Clone)]
pub struct EstimateStatement<'a> {
    /// The statement to run; it returns one row.
    pub statement: Statement,
    dialect: &'a dyn Dialect,
    table: bool,
}

impl EstimateQuery {
    /// The table's statistics, in ONE statement: when the estimate is missing or
    /// below `exact_below`, the same statement counts the rows exactly instead (the
    /// scalar subquery runs only in the branch that needs it), and the total is
    /// `eq`; otherwise it is `approx`.
    ///
    /// ```
    /// let st = folio::EstimateQuery::table(500).render(&folio::Postgres, &folio::Select::from("t")).unwrap().unwrap();
    /// assert!(st.statement.sql.contains("pg_class"));
    /// assert!(st.statement.sql.contains("e.n < 500"));
    /// ```
    pub fn table(exact_below: u64) -> Self {
        EstimateQuery {
            table_exact_below: Some(exact_below),
        }
    }

    /// The planner's estimate of the select's rows.
    ///
    /// ```
    /// let st = folio::EstimateQuery::planner().render(&folio::MySql, &folio::Select::from("t")).unwrap().unwrap();
    /// assert_eq!(st.statement.sql, "EXPLAIN FORMAT=JSON SELECT * FROM `t`");
    /// ```
    pub fn planner() -> Self {
        EstimateQuery {
            table_exact_below: None,
        }
    }

    /// Renders the estimate of `select` for `dialect`; `None` when the backend keeps
    /// no such estimate, or (a table estimate) when the select is not a whole table.
    ///
    /// ```
    /// use folio::{EstimateQuery, Filter, Select, Sqlite};
    /// let filtered = Select::from("t").filter(Filter::eq("a", 1));
    /// assert!(EstimateQuery::table(10).render(&Sqlite, &filtered).unwrap().is_none());
    /// ```
    pub fn render<'a>(
        &self,
        dialect: &'a dyn Dialect,
        select: &Select,
    ) -> Result<Option<EstimateStatement<'a>>> {
        let base = select.base(dialect)?;
        let Some(exact_below) = self.table_exact_below else {
            let Some(explain) = dialect.explain_prefix() else {
                return Ok(None);
            };
            return Ok(Some(EstimateStatement {
                statement: Statement {
                    sql: format!("{explain}{}", base.sql),
                    binds: base.binds,
                },
                dialect,
                table: false,
            }));
        };
        let Some(table) = select.table().filter(|_| select.is_whole_table()) else {
            return Ok(None);
        };
        let mut w = Writer::new(dialect, &base);
        // The table's name is bound after the base's binds (the estimate comes last
        // in the text, too).
        let mut placeholder = String::new();
        dialect.placeholder(base.binds.len() + 1, &mut placeholder);
        let Some(estimate) = dialect.table_rows_estimate(&placeholder) else {
            return Ok(None);
        };
        let small = format!("e.n IS NULL OR e.n < {exact_below}");
        w.push("SELECT CASE WHEN ").push(&small);
        w.push(" THEN (SELECT COUNT(*) FROM ").base(&base, "q");
        w.push(") ELSE e.n END AS n, CASE WHEN ").push(&small);
        w.push(" THEN 1 ELSE 0 END AS exact FROM (SELECT ");
        w.push(&estimate).push(" AS n) AS e");
        w.binds.push(Value::from(table));
        let statement = w.finish();
        Ok(Some(EstimateStatement {
            statement,
            dialect,
            table: true,
        }))
    }
}

impl EstimateStatement<'_> {
    /// Reads the total from the values of the first row the statement returned
    /// (`None` when they hold no estimate: a plan without a row count).
    ///
    /// ```
    /// use folio::{EstimateQuery, Postgres, Select, Total, TotalRelation, Value};
    /// let st = EstimateQuery::planner().render(&Postgres, &Select::from("t")).unwrap().unwrap();
    /// let plan = r#"[{"Plan": {"Node Type": "Seq Scan", "Plan Rows": 1234}}]"#;
    /// assert_eq!(st.total(&[Value::from(plan)]), Some(Total { value: 1234, relation: TotalRelation::Approx }));
    /// assert_eq!(st.total(&[Value::from("not a plan")]), None);
    /// ```
    pub fn total(&self, row: &[Value]) -> Option<Total> {
        if self.table {
            let n = match row.first()? {
                Value::Int(n) => u64::try_from(*n).unwrap_or(0),
                Value::Float(f) => f.max(0.0).round() as u64,
                _ => return None,
            };
            let exact = match row.get(1)? {
                Value::Int(i) => *i != 0,
                Value::Bool(b) => *b,
                _ => return None,
            };
            Some(if exact {
                Total::exact(n)
            } else {
                Total {
                    value: n,
                    relation: TotalRelation::Approx,
                }
            })
        } else {
            let Value::Text(plan) = row.first()? else {
                return None;
            };
            let rows = self.dialect.plan_rows(plan)?;
            Some(Total {
                value: rows.max(0.0).round() as u64,
                relation: TotalRelation::Approx,
            })
        }
    }
}
