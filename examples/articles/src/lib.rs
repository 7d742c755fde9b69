//! # folio-example-articles
//!
//! A second, independent application of folio: a feed of articles on PostgreSQL,
//! served at `GET /articles`.
//!
//! - cursor pages only (`cursor`, `per_page`); `page`, `offset` and `limit` are 400
//!   problems naming the parameter;
//! - newest first (`-published_at`) unless `ordering=` names another ordering:
//!   `published_at`, `score` or `-score` (NULL scores last either way), `id`;
//! - `author_id=<integer>` keeps one author's articles; a cursor taken under one
//!   author is refused under another (`urn:folio:problem:cursor-mismatch`);
//! - no count unless the client asks for `count=capped` (at most 10,000 rows read);
//! - every response says how many statements it ran (`X-Statement-Count`): one per
//!   page.
//!
//! The application is [`SCHEMA`], the row type [`Article`], the [`endpoint`] and a
//! four-line handler mounted by [`router`]. The server (`src/main.rs`) serves it on
//! `--database-url`.
//!
//! ## A PostgreSQL row type, on a PostgreSQL endpoint
//!
//! [`Article::tags`] is a `TEXT[]`, a PostgreSQL type: the row decodes on
//! `Db<Postgres>` (what [`router`] takes), and the same handler on SQLite does not
//! compile (`folio_sqlx::Decodes<Article>` is implemented for PostgreSQL only):
//!
//! ```
//! use folio_axum::{ListRequest, PageResponse, Problem};
//! use folio_example_articles::Article;
//! use folio_sqlx::{Db, Postgres};
//!
//! async fn on_postgres(list: ListRequest, db: Db<Postgres>) -> Result<PageResponse<Article>, Problem> {
//!     let endpoint = folio_example_articles::endpoint(folio::CursorCodec::new(b"key"));
//!     list.fetch(&endpoint, &db, folio::Select::from("articles")).await
//! }
//! ```
//!
//! ```compile_fail
//! use folio_axum::{ListRequest, PageResponse, Problem};
//! use folio_example_articles::Article;
//! use folio_sqlx::{Db, Sqlite};
//!
//! // error[E0277]: the trait bound `Vec<String>: Decode<'_, Sqlite>` is not satisfied
//! //   = note: required for `Sqlite` to implement `Decodes<Article>`
//! async fn on_sqlite(list: ListRequest, db: Db<Sqlite>) -> Result<PageResponse<Article>, Problem> {
//!     let endpoint = folio_example_articles::endpoint(folio::CursorCodec::new(b"key"));
//!     list.fetch(&endpoint, &db, folio::Select::from("articles")).await
//! }
//! ```
//!
//! The same code with a row type SQLite can read compiles, so the failure above is
//! the row type's alone:
//!
//! ```
//! use folio_axum::{ListRequest, PageResponse, Problem};
//! use folio_sqlx::{Db, Sqlite};
//!
//! #[derive(serde::Serialize, sqlx::FromRow)]
//! struct Headline { id: i64, title: String }
//!
//! async fn on_sqlite(list: ListRequest, db: Db<Sqlite>) -> Result<PageResponse<Headline>, Problem> {
//!     let endpoint = folio_example_articles::endpoint(folio::CursorCodec::new(b"key"));
//!     list.fetch(&endpoint, &db, folio::Select::from("articles")).await
//! }
//! ```

use std::sync::Arc;

use axum::{extract::State, middleware, routing::get, Router};
use chrono::{DateTime, Utc};
use folio::{CountStrategy, CursorCodec, Endpoint, FilterParam, Modes, Nulls, Orderings, Select};
use folio_axum::{ListRequest, PageResponse, Problem};
use folio_sqlx::{Db, Postgres};

/// The schema: the `articles` table and the indexes its orderings read, alone and
/// after `author_id` for the filtered list, each ending with the unique key `id`.
/// A page ordered by the nullable `score` reads two ranges of the same index: the
/// scored rows in `(score, id)` order, then the unscored ones (`score IS NULL`, in
/// `id` order, which folio asks of PostgreSQL as `ORDER BY score, id` so that its
/// planner reads them from that index too).
pub const SCHEMA: &str = "\
CREATE TABLE articles (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    author_id    BIGINT NOT NULL,
    published_at TIMESTAMPTZ NOT NULL,
    title        TEXT NOT NULL,
    tags         TEXT[] NOT NULL,
    score        DOUBLE PRECISION NULL
);
CREATE INDEX articles_published ON articles (published_at, id);
CREATE INDEX articles_score ON articles (score, id);
CREATE INDEX articles_author ON articles (author_id, id);
CREATE INDEX articles_author_published ON articles (author_id, published_at, id);
CREATE INDEX articles_author_score ON articles (author_id, score, id);
";

/// A few demo rows (60 articles by three authors, a fifth of them unscored), for a
/// fresh database.
pub const DEMO_ROWS: &str = "\
INSERT INTO articles (author_id, published_at, title, tags, score)
SELECT 1 + i % 3,
       timestamptz '2024-01-01 00:00:00+00' + i * interval '7 hours',
       'Article ' || i,
       CASE i % 4 WHEN 0 THEN ARRAY['rust'] WHEN 1 THEN ARRAY['rust', 'sql']
                  WHEN 2 THEN ARRAY['postgres'] ELSE ARRAY[]::text[] END,
       CASE WHEN i % 5 = 0 THEN NULL ELSE round((i * 37 % 100)::numeric / 10, 1)::float8 END
FROM generate_series(1, 60) AS i;
ANALYZE articles;
";

// ANCHOR: row
/// An article, as the list serves it. `tags` is a PostgreSQL `TEXT[]`.
#[derive(Debug, Clone, PartialEq, serde::Serialize, sqlx::FromRow)]
pub struct Article {
    /// The unique key.
    pub id: i64,
    /// The author (`?author_id=` filters on it).
    pub author_id: i64,
    /// When it was published (the default ordering, newest first).
    pub published_at: DateTime<Utc>,
    /// The title.
    pub title: String,
    /// The tags, a JSON array in the response.
    pub tags: Vec<String>,
    /// The readers' score, if any (NULLs sort last).
    pub score: Option<f64>,
}
// ANCHOR_END: row

// ANCHOR: endpoint
/// The articles list: cursor pages only, newest first, `?author_id=` declared as an
/// integer filter, no count unless the client asks for a capped one.
pub fn endpoint(keys: CursorCodec) -> Endpoint {
    Endpoint::builder("articles", keys)
        .orderings(
            Orderings::new("id", "id")
                .field("published_at", "published_at")
                .nullable_field("score", "score", Nulls::Last)
                .default_ordering("-published_at"),
        )
        .filter(FilterParam::eq("author_id").int())
        .modes(Modes::CURSOR)
        .count(CountStrategy::None)
        .client_counts(&[CountStrategy::None, CountStrategy::Capped])
        .build()
}
// ANCHOR_END: endpoint

// ANCHOR: handler
async fn articles(app: State<App>, list: ListRequest) -> Result<PageResponse<Article>, Problem> {
    let select = Select::from("articles");
    list.fetch(&app.endpoint, &app.db, select).await
}
// ANCHOR_END: handler

// ANCHOR: router
/// The application's state: the database and the endpoint.
#[derive(Clone)]
struct App {
    db: Db<Postgres>,
    endpoint: Arc<Endpoint>,
}

/// The API: `GET /articles`, every response with `X-Statement-Count` and
/// `Server-Timing`.
pub fn router(db: Db<Postgres>, endpoint: Endpoint) -> Router {
    let app = App {
        db,
        endpoint: Arc::new(endpoint),
    };
    Router::new()
        .route("/articles", get(articles))
        .layer(middleware::from_fn(folio_axum::statement_budget))
        .with_state(app)
}
// ANCHOR_END: router
