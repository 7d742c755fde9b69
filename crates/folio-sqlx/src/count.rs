//! Running the count strategies: exact, cached, capped, estimated, auto.

use folio::{CountQuery, CountStrategy, EstimateQuery, Select, Statement, Total, TotalRelation};

use crate::cache::TotalKey;
use crate::{Backend, Db, Result};

/// [`CountStrategy::Estimate`] counts exactly when the table estimate is below this:
/// small tables are cheap to count and their statistics are the least reliable.
pub const ESTIMATE_EXACT_BELOW: u64 = 1_000;

/// The settings a count needs besides the strategy (an endpoint's).
#[derive(Debug, Clone, Copy)]
pub(crate) struct CountSettings {
    pub(crate) cap: u64,
    pub(crate) auto_threshold: u64,
}

/// Runs the count `strategy` asks for on `select`: at most one statement, none
/// when an estimate is in the [`Db::estimate_cache`] (a
/// SQLite table estimate adds a check that `sqlite_stat1` exists until it does,
/// and counts exactly when it does not).
pub(crate) async fn count<B: Backend>(
    db: &Db<B>,
    select: &Select,
    strategy: CountStrategy,
    settings: CountSettings,
) -> Result<Option<Total>> {
    let total = match strategy {
        CountStrategy::None => return Ok(None),
        CountStrategy::Exact => budgeted(db, select).await?,
        CountStrategy::Cached => cached(db, select).await?,
        CountStrategy::Capped => capped(db, select, settings.cap).await?,
        CountStrategy::Estimate if select.is_whole_table() => {
            table_estimate(db, select, ESTIMATE_EXACT_BELOW).await?
        }
        CountStrategy::Estimate => match planner_estimate(db, select).await? {
            Some(total) => total,
            // No planner estimate (SQLite): a count capped at the auto threshold.
            None => capped(db, select, settings.auto_threshold).await?,
        },
        CountStrategy::Auto if select.is_whole_table() => {
            table_estimate(db, select, settings.auto_threshold).await?
        }
        // Filtered: capped at the threshold answers exactly in one statement whenever
        // the estimate rule would count, and "threshold or more" otherwise.
        _ => capped(db, select, settings.auto_threshold).await?,
    };
    Ok(Some(total))
}

/// `COUNT(*)` of `select`: a costly statement (see [`crate::Limits`]).
pub(crate) async fn exact<B: Backend>(db: &Db<B>, select: &Select) -> Result<Total> {
    let query = CountQuery::exact();
    let st = query.render(B::dialect(), select)?;
    Ok(query.total(costly_int(db, &st).await?))
}

/// The count a client's `count=exact` asks for: exact within the database's count
/// budget ([`crate::Limits::count_budget`]), else capped at the budget (`gte`).
/// A costly statement either way.
async fn budgeted<B: Backend>(db: &Db<B>, select: &Select) -> Result<Total> {
    let query = budgeted_query(db);
    let st = query.render(B::dialect(), select)?;
    Ok(query.total(costly_int(db, &st).await?))
}

fn budgeted_query<B: Backend>(db: &Db<B>) -> CountQuery {
    match db.limits().count_budget {
        Some(budget) => CountQuery::capped(budget),
        None => CountQuery::exact(),
    }
}

/// An exact count (within the count budget) through the database's count cache.
pub(crate) async fn cached<B: Backend>(db: &Db<B>, select: &Select) -> Result<Total> {
    cached_as(db, select, budgeted_query(db)).await
}

/// An exact count, whatever the budget, through the database's count cache (what
/// `page=last` needs).
pub(crate) async fn cached_exact<B: Backend>(db: &Db<B>, select: &Select) -> Result<Total> {
    cached_as(db, select, CountQuery::exact()).await
}

async fn cached_as<B: Backend>(db: &Db<B>, select: &Select, query: CountQuery) -> Result<Total> {
    let st = query.render(B::dialect(), select)?;
    let key = TotalKey::from(&st);
    if let Some(total) = db.count_cache().get(&key) {
        return Ok(total);
    }
    let total = query.total(costly_int(db, &st).await?);
    db.count_cache().insert(key, total);
    Ok(total)
}

async fn capped<B: Backend>(db: &Db<B>, select: &Select, cap: u64) -> Result<Total> {
    let query = CountQuery::capped(cap);
    let st = query.render(B::dialect(), select)?;
    Ok(query.total(one_int(db, &st).await?))
}

/// The table's statistics in one statement (exact below `exact_below`); an exact
/// count when the backend keeps none.
///
/// Where the statistics may not exist yet (SQLite's `sqlite_stat1`, made by the
/// first `ANALYZE`: [`folio::Dialect::statistics_probe`]), the estimate statement
/// fails until they do, and the count is then exact: two count statements. Once an
/// estimate has read them they are known to exist (they are never dropped), and a
/// failure is an error. No statement is spent checking for them beforehand, so an
/// analyzed database pays one statement from its first estimate on.
async fn table_estimate<B: Backend>(
    db: &Db<B>,
    select: &Select,
    exact_below: u64,
) -> Result<Total> {
    let dialect = B::dialect();
    let query = EstimateQuery::table(exact_below);
    let key = TotalKey::estimate(query, select);
    if let Some(total) = db.estimate_cache().get(&key) {
        return Ok(total);
    }
    let Some(st) = query.render(dialect, select)? else {
        return exact(db, select).await;
    };
    let row = match first_row(db, &st.statement).await {
        Ok(row) => row,
        Err(e)
            if dialect.statistics_probe().is_some()
                && !db.statistics_seen(false)
                && e.is_statement_failure() =>
        {
            tracing::info!(error = %e, "folio-sqlx: no table statistics (run ANALYZE); counting exactly");
            return exact(db, select).await;
        }
        Err(e) => return Err(e),
    };
    if dialect.statistics_probe().is_some() {
        db.statistics_seen(true);
    }
    match row.and_then(|row| st.total(&row)) {
        Some(total) => {
            if total.relation == TotalRelation::Approx {
                db.estimate_cache().insert(key, total);
            }
            Ok(total)
        }
        None => exact(db, select).await,
    }
}

/// The planner's estimate of `select`'s rows, `None` where the backend has none.
async fn planner_estimate<B: Backend>(db: &Db<B>, select: &Select) -> Result<Option<Total>> {
    let query = EstimateQuery::planner();
    let key = TotalKey::estimate(query, select);
    if let Some(total) = db.estimate_cache().get(&key) {
        return Ok(Some(total));
    }
    let Some(st) = query.render(B::dialect(), select)? else {
        return Ok(None);
    };
    let total = first_row(db, &st.statement)
        .await?
        .and_then(|row| st.total(&row));
    if let Some(total) = total {
        db.estimate_cache().insert(key, total);
    } else {
        tracing::info!("folio-sqlx: the plan holds no row estimate; counting instead");
    }
    Ok(total)
}

/// The values of the first row `st` returns.
async fn first_row<B: Backend>(db: &Db<B>, st: &Statement) -> Result<Option<Vec<folio::Value>>> {
    let rows = db.fetch_rows(st).await?;
    let Some(row) = rows.first() else {
        return Ok(None);
    };
    let width = B::width(row);
    Ok(Some(
        (0..width)
            .map(|i| B::value_at(row, i))
            .collect::<Result<Vec<_>>>()?,
    ))
}

/// The one integer a count statement returns.
async fn one_int<B: Backend>(db: &Db<B>, st: &Statement) -> Result<i64> {
    int_of::<B>(&db.fetch_rows(st).await?)
}

/// The one integer a costly count statement returns (run in a costly slot).
async fn costly_int<B: Backend>(db: &Db<B>, st: &Statement) -> Result<i64> {
    int_of::<B>(&db.fetch_costly(st).await?)
}

fn int_of<B: Backend>(rows: &[B::Row]) -> Result<i64> {
    match rows.first().map(|row| B::value_at(row, 0)).transpose()? {
        Some(folio::Value::Int(n)) => Ok(n),
        _ => Err(crate::Error::unexpected("a count returned no integer")),
    }
}
