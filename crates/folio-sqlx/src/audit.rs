//! The index audit run on a live database: [`Db::audit`].

use folio::{AuditReport, AuditSample, IndexAudit, Statement};

use crate::{Backend, Db, Error, Result};

impl<B: Backend> Db<B> {
    /// Asks this database's planner about every combination of ordering and filters
    /// `audit` describes ([`folio::IndexAudit`]): one sample row of the select (and
    /// the smallest and largest value of each range-filtered column), then, for each
    /// combination, its first row (the boundary: every filtered row lies after it)
    /// and the plan of a deep keyset page and of a deep bookmark page —
    /// SQLite's `EXPLAIN QUERY PLAN`, PostgreSQL's `EXPLAIN (FORMAT JSON)`,
    /// MySQL's and MariaDB's `EXPLAIN FORMAT=JSON`. Nothing is changed, and no page
    /// is read: three statements per combination, its first row and the two pages,
    /// planned, not run (the first row of an unserved combination is a sort).
    ///
    /// A combination is served when neither plan sorts the filtered set; an
    /// unserved one comes with the `CREATE INDEX` that would serve it. The select
    /// must have a row (its values make the statements realistic).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), folio_sqlx::Error> {
    /// use folio::{CursorCodec, Endpoint, FilterParam, IndexAudit, Orderings, Select, Statement};
    /// use folio_sqlx::{Db, Sqlite};
    ///
    /// let db = Db::<Sqlite>::connect("sqlite::memory:").await?;
    /// for sql in [
    ///     "CREATE TABLE products (id INTEGER PRIMARY KEY, category TEXT NOT NULL, name TEXT NOT NULL)",
    ///     "INSERT INTO products (category, name) VALUES ('books', 'b'), ('games', 'a')",
    ///     "CREATE INDEX products_name_id ON products (name, id)",
    ///     "CREATE INDEX products_category_id ON products (category, id)",
    /// ] {
    ///     db.execute(&Statement::new(sql)).await?;
    /// }
    /// let products = Endpoint::builder("products", CursorCodec::new(b"server key"))
    ///     .orderings(Orderings::new("id", "id").field("name", "name"))
    ///     .filter(FilterParam::eq("category"))
    ///     .build();
    /// let audit = IndexAudit::new(&products, Select::from("products"));
    ///
    /// let report = db.audit(&audit).await?;
    /// let unserved: Vec<_> = report.unserved().map(|e| e.case.as_str()).collect();
    /// assert_eq!(unserved, ["ordering=name&category", "ordering=-name&category"], "{report}");
    /// let fix = report.unserved().next().unwrap().suggestion.clone().unwrap();
    /// assert_eq!(fix, "CREATE INDEX products_category_name_id ON products (category, name, id);");
    /// report.assert_served_except(&["ordering=name&category", "ordering=-name&category"]);
    ///
    /// db.execute(&Statement::new(fix)).await?;
    /// db.audit(&audit).await?.assert_served();
    /// # Ok(()) }
    /// ```
    pub async fn audit(&self, audit: &IndexAudit) -> Result<AuditReport> {
        let dialect = B::dialect();
        let prefix = dialect
            .audit_explain_prefix()
            .ok_or_else(|| Error::unexpected("this backend's plans are not read"))?;
        let mut sample = AuditSample::default();
        for query in audit.sample_queries(dialect)? {
            let rows = self.fetch_rows(&query.statement).await?;
            let Some(row) = rows.first() else { continue };
            for column in &query.columns {
                sample.set(query.role, column, B::value(row, column)?);
            }
        }
        let mut entries = Vec::new();
        for case in audit.cases() {
            let first = self
                .fetch_rows(&audit.first_row_query(&case, dialect, &sample)?)
                .await?;
            let boundary = match first.first() {
                Some(row) => Some(
                    case.key_columns()
                        .into_iter()
                        .map(|c| B::value(row, c))
                        .collect::<Result<Vec<_>>>()?,
                ),
                None => None,
            };
            let statements = audit.statements(&case, dialect, &sample, boundary.as_deref())?;
            let keyset = self.plan(prefix, &statements.keyset).await?;
            let bookmark = self.plan(prefix, &statements.bookmark).await?;
            entries.push(audit.entry(&case, dialect, &keyset, &bookmark));
        }
        Ok(audit.report(dialect.name(), entries))
    }

    /// The planner's reading of `statement`.
    async fn plan(&self, prefix: &str, statement: &Statement) -> Result<folio::PlanReading> {
        let explain = Statement {
            sql: format!("{prefix}{}", statement.sql),
            binds: statement.binds.clone(),
        };
        let rows = self.fetch_rows(&explain).await?;
        let values = rows
            .iter()
            .map(|row| (0..B::width(row)).map(|i| B::value_at(row, i)).collect())
            .collect::<Result<Vec<Vec<folio::Value>>>>()?;
        B::dialect()
            .read_plan(&values)
            .ok_or_else(|| Error::unexpected("a plan this backend's dialect does not read"))
    }
}
