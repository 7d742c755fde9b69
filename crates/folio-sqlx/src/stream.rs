//! Streaming a whole result in keyset chunks, memory bounded by the chunk size.

use folio::{BaseQuery, KeysetQuery, Seek, SortSpec};
use futures::{Stream, StreamExt, TryStreamExt};
use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;
use sqlx::FromRow;

use crate::page::{keyed_page, KeyedPage};
use crate::{Db, Result};

/// Every row of `base` in `spec`'s ordering, read in keyset chunks of `chunk` rows
/// (each chunk one statement, `Seek::After` the last row's keys, so deep chunks cost
/// what the first does and rows written meanwhile are neither skipped nor repeated
/// if they lie ahead or behind). At most one chunk is held in memory. The stream
/// ends after the first error.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), folio_sqlx::Error> {
/// use futures::TryStreamExt;
/// let db = folio_sqlx::Db::connect("sqlite::memory:").await?;
/// let base = folio::BaseQuery::new(
///     "WITH RECURSIVE s(id) AS (SELECT 1 UNION ALL SELECT id + 1 FROM s WHERE id < 10) SELECT id FROM s",
/// );
/// let spec = folio::SortSpec::by_unique("id", "id");
/// let ids: Vec<(i64,)> = folio_sqlx::stream::<(i64,)>(&db, &base, &spec, 3).try_collect().await?;
/// assert_eq!(ids.len(), 10);
/// assert_eq!(ids[9], (10,));
/// # Ok(()) }
/// ```
pub fn stream<T>(
    db: &Db,
    base: &BaseQuery,
    spec: &SortSpec,
    chunk: u64,
) -> impl Stream<Item = Result<T>> + Send + 'static
where
    T: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin + 'static,
{
    let start = Some((db.clone(), base.clone(), spec.clone(), Seek::First));
    let chunk = chunk.max(1);
    futures::stream::try_unfold(start, move |state| async move {
        let Some((db, base, spec, seek)) = state else {
            return Ok::<_, crate::Error>(None);
        };
        let ks = KeysetQuery::new(&spec, seek, chunk).render(db.dialect(), &base)?;
        let rows = db.fetch_rows(&ks.statement).await?;
        let page: KeyedPage<T> = keyed_page(&ks, &rows, &spec)?;
        drop(rows);
        let next = match page.keys.last() {
            Some(last) if page.has_next => Some((db, base, spec, Seek::After(last.clone()))),
            _ => None,
        };
        Ok(Some((page.items, next)))
    })
    .map_ok(|items| futures::stream::iter(items.into_iter().map(Ok)))
    .try_flatten()
    .boxed()
}
