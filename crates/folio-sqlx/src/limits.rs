//! What one request may cost the database: the rows an exact count may read, and
//! how many costly statements run at once.

use std::sync::Arc;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::{Error, Result};

/// Bounds on the cost a client can choose (`count=exact`, a deep `page=`/`offset=`).
///
/// - `count_budget`: the most rows an exact count (`count=exact`, or a miss of
///   `count=cached`) reads. Past it, the count stops at the budget and answers
///   `total` = the budget with `total_relation: gte` (a capped count). `None`: no
///   budget.
/// - `costly_statements`: how many costly statements (exact counts, and OFFSET
///   reads at or past `costly_offset` rows that no bookmark serves) run at once. One
///   more fails at once with [`crate::ErrorKind::Busy`] (HTTP 503, retry) instead
///   of queueing (a page asking `count=exact` before it runs any statement): a storm of costly requests cannot take every connection from
///   cheap ones. A page may run two at once on a server backend (a deep OFFSET
///   read and its exact count), so the limit is at least 2. `None`: no limit.
/// - `costly_offset`: an OFFSET read skipping at least this many rows is costly.
///
/// ```
/// use folio_sqlx::Limits;
/// let limits = Limits::default().count_budget(Some(50_000)).costly_statements(Some(4));
/// assert_eq!(limits.count_budget, Some(50_000));
/// assert_eq!(Limits::default().costly_statements, None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The most rows an exact count reads (`None`: no budget).
    pub count_budget: Option<u64>,
    /// How many costly statements run at once (`None`: no limit).
    pub costly_statements: Option<usize>,
    /// An OFFSET read skipping at least this many rows is costly.
    pub costly_offset: u64,
}

/// The default [`Limits::costly_offset`]: 1,000 rows.
pub const DEFAULT_COSTLY_OFFSET: u64 = 1_000;

impl Default for Limits {
    /// No budget, no concurrency limit, costly from [`DEFAULT_COSTLY_OFFSET`] rows.
    ///
    /// ```
    /// let l = folio_sqlx::Limits::default();
    /// assert_eq!((l.count_budget, l.costly_offset), (None, folio_sqlx::DEFAULT_COSTLY_OFFSET));
    /// ```
    fn default() -> Self {
        Limits {
            count_budget: None,
            costly_statements: None,
            costly_offset: DEFAULT_COSTLY_OFFSET,
        }
    }
}

impl Limits {
    /// These limits with an exact count reading at most `rows` rows.
    ///
    /// ```
    /// assert_eq!(folio_sqlx::Limits::default().count_budget(Some(10)).count_budget, Some(10));
    /// ```
    #[must_use]
    pub fn count_budget(mut self, rows: Option<u64>) -> Self {
        self.count_budget = rows;
        self
    }

    /// These limits with at most `n` costly statements at once (at least 2).
    ///
    /// ```
    /// assert_eq!(folio_sqlx::Limits::default().costly_statements(Some(0)).costly_statements, Some(2));
    /// ```
    #[must_use]
    pub fn costly_statements(mut self, n: Option<usize>) -> Self {
        self.costly_statements = n.map(|n| n.max(2));
        self
    }

    /// These limits with OFFSET reads costly from `rows` skipped rows.
    ///
    /// ```
    /// assert_eq!(folio_sqlx::Limits::default().costly_offset(500).costly_offset, 500);
    /// ```
    #[must_use]
    pub fn costly_offset(mut self, rows: u64) -> Self {
        self.costly_offset = rows;
        self
    }
}

/// The slots of costly statements of a [`crate::Db`] (shared by its clones).
#[derive(Debug, Clone, Default)]
pub(crate) struct CostlySlots {
    slots: Option<Arc<Semaphore>>,
}

impl CostlySlots {
    pub(crate) fn new(limits: &Limits) -> Self {
        CostlySlots {
            slots: limits
                .costly_statements
                .map(|n| Arc::new(Semaphore::new(n))),
        }
    }

    /// A slot for one costly statement, held until dropped; [`Error::busy`] when
    /// every slot is taken (no waiting).
    pub(crate) fn take(&self) -> Result<Option<OwnedSemaphorePermit>> {
        let Some(slots) = &self.slots else {
            return Ok(None);
        };
        if let Ok(permit) = Arc::clone(slots).try_acquire_owned() {
            Ok(Some(permit))
        } else {
            tracing::debug!("folio-sqlx: every costly-statement slot is taken");
            Err(Error::busy())
        }
    }

    /// Whether every slot is taken now (a request that will need one can be
    /// refused before it runs anything).
    pub(crate) fn saturated(&self) -> bool {
        self.slots
            .as_ref()
            .is_some_and(|slots| slots.available_permits() == 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_refuse_past_the_limit_and_free_on_drop() {
        let slots = CostlySlots::new(&Limits::default().costly_statements(Some(2)));
        let a = slots.take().unwrap();
        let b = slots.take().unwrap();
        assert!(a.is_some() && b.is_some());
        let refused = slots.take().unwrap_err();
        assert_eq!(refused.kind(), crate::ErrorKind::Busy);
        assert!(slots.saturated());
        drop(a);
        assert!(!slots.saturated());
        assert!(slots.take().unwrap().is_some());
    }

    #[test]
    fn no_limit_never_refuses() {
        let slots = CostlySlots::new(&Limits::default());
        let held: Vec<_> = (0..100).map(|_| slots.take().unwrap()).collect();
        assert!(held.iter().all(Option::is_none));
        assert!(!slots.saturated());
    }
}
