//! The request's statement counter, for handlers that are not lists.

use axum::extract::FromRequestParts;
use folio_sqlx::{Backend, Db, StatementCounter};
use http::request::Parts;

/// The request's [`StatementCounter`] when the [`crate::statement_budget`]
/// middleware put one there: [`RequestCounter::db`] gives a database handle that
/// counts into it (a detail endpoint's lookup shows in `X-Statement-Count` too).
///
/// ```
/// use axum::{extract::State, routing::get, Router};
/// use folio_axum::RequestCounter;
/// use folio_sqlx::{Db, Sqlite};
///
/// async fn one(State(db): State<Db<Sqlite>>, counter: RequestCounter) -> String {
///     let row = counter.db(&db).find::<(i64,)>(&folio::Select::sql("SELECT 1")).await;
///     format!("{row:?}")
/// }
/// # async fn app(db: Db<Sqlite>) -> Router {
/// Router::new().route("/one", get(one)).with_state(db)
/// # }
/// ```
#[derive(Debug, Clone, Default)]
pub struct RequestCounter(pub Option<StatementCounter>);

impl RequestCounter {
    /// `db` counting into the request's counter (itself when there is none).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), folio_sqlx::Error> {
    /// let db = folio_sqlx::Db::<folio_sqlx::Sqlite>::connect("sqlite::memory:").await?;
    /// let counter = folio_sqlx::StatementCounter::new();
    /// folio_axum::RequestCounter(Some(counter.clone())).db(&db).find::<(i64,)>(&folio::Select::sql("SELECT 1")).await?;
    /// assert_eq!(counter.get(), 1);
    /// # Ok(()) }
    /// ```
    pub fn db<B: Backend>(&self, db: &Db<B>) -> Db<B> {
        match &self.0 {
            Some(counter) => db.counted(counter),
            None => db.clone(),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for RequestCounter {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(RequestCounter(
            parts.extensions.get::<StatementCounter>().cloned(),
        ))
    }
}
