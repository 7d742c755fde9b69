//! Compile-time checks of the row type: [`Article`] (with its PostgreSQL `TEXT[]`
//! column) decodes on a PostgreSQL endpoint, through the very call the handler
//! makes. That it does not on SQLite is the `compile_fail` doctest of the crate's
//! documentation (beside a twin that compiles with a SQLite-readable row type, so
//! the failure is the row type's alone).

use folio::{CursorCodec, Select};
use folio_axum::{ListRequest, PageResponse, Problem};
use folio_example_articles::Article;
use folio_sqlx::{Db, Decodes, Postgres};

/// Compiles only when rows of backend `B` decode into an [`Article`].
fn decodes_articles<B: Decodes<Article>>() {}

/// The handler's call, on a PostgreSQL database.
async fn fetch_on_postgres(
    list: ListRequest,
    db: Db<Postgres>,
) -> Result<PageResponse<Article>, Problem> {
    let endpoint = folio_example_articles::endpoint(CursorCodec::new(b"key"));
    list.fetch(&endpoint, &db, Select::from("articles")).await
}

#[test]
fn the_postgres_row_type_works_on_a_postgres_endpoint() {
    decodes_articles::<Postgres>();
    let _ = fetch_on_postgres;
}
