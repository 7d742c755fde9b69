//! Streaming a whole result in keyset chunks, memory bounded by the chunk size.

use folio::{KeysetQuery, Seek, Select, SortSpec};
use futures::{Stream, StreamExt, TryStreamExt};

use crate::page::keyed_page;
use crate::{Backend, Db, Decodes, Result};

impl<B: Backend> Db<B> {
    /// Every row of `select` in `spec`'s ordering, read in keyset chunks of `chunk`
    /// rows (each chunk one statement, after the last row's keys, so deep chunks
    /// cost what the first does and rows written meanwhile are neither skipped nor
    /// repeated if they lie ahead or behind). At most one chunk is held in memory.
    /// The stream ends after the first error.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), folio_sqlx::Error> {
    /// use futures::TryStreamExt;
    /// let db = folio_sqlx::Db::<folio_sqlx::Sqlite>::connect("sqlite::memory:").await?;
    /// let select = folio::Select::sql(
    ///     "WITH RECURSIVE s(id) AS (SELECT 1 UNION ALL SELECT id + 1 FROM s WHERE id < 10) SELECT id FROM s",
    /// );
    /// let spec = folio::SortSpec::by_unique("id", "id");
    /// let ids: Vec<(i64,)> = db.stream::<(i64,)>(select, spec, 3).try_collect().await?;
    /// assert_eq!(ids.len(), 10);
    /// assert_eq!(ids[9], (10,));
    /// # Ok(()) }
    /// ```
    pub fn stream<T>(
        &self,
        select: Select,
        spec: SortSpec,
        chunk: u64,
    ) -> impl Stream<Item = Result<T>> + Send + 'static
    where
        B: Decodes<T>,
        T: Send + 'static,
    {
        let start = Some((self.clone(), select, spec, Seek::First));
        let chunk = chunk.max(1);
        futures::stream::try_unfold(start, move |state| async move {
            let Some((db, select, spec, seek)) = state else {
                return Ok::<_, crate::Error>(None);
            };
            let ks = KeysetQuery::new(&spec, seek, chunk).render(B::dialect(), &select)?;
            let rows = db.fetch_rows(&ks.statement).await?;
            let page = keyed_page::<B, T>(&ks, rows, &spec, false)?;
            let next = match page.last_keys {
                Some(last) if page.has_next => Some((db, select, spec, Seek::After(last))),
                _ => None,
            };
            Ok(Some((page.rows, next)))
        })
        .map_ok(|items| futures::stream::iter(items.into_iter().map(Ok)))
        .try_flatten()
        .boxed()
    }
}
