//! The extractor of a paginated list request, and the call that answers it.

use axum::extract::{FromRequestParts, OriginalUri};
use folio::{Endpoint, Listing, Page, Select};
use folio_sqlx::{Backend, Db, Decodes, StatementCounter};
use http::request::Parts;
use serde::Serialize;

use crate::{PageResponse, Problem, RequestUrl};

/// A request to a paginated list: its absolute URL (the base of every link), its
/// path (cursors are bound to it, and so to its path parameters) and the request's
/// [`StatementCounter`] when the [`crate::statement_budget`] middleware put one
/// there. It needs no state: forwarded headers are trusted only under a
/// [`crate::TrustForwarded`] layer.
///
/// [`ListRequest::fetch`] is the whole handler: it parses the request against the
/// endpoint (mode, ordering, fields, count, declared filters; bad input is a 400
/// problem naming the parameter), runs the page on the database (counting into the
/// request's counter) and answers it in the endpoint's envelope with its links.
///
/// ```
/// use axum::{extract::State, routing::get, Router};
/// use folio::{CursorCodec, Endpoint, FilterParam, Modes, Select};
/// use folio_axum::{ListRequest, PageResponse, Problem};
/// use folio_sqlx::{Db, Sqlite};
/// use std::sync::Arc;
///
/// #[derive(serde::Serialize, sqlx::FromRow)]
/// struct Note { id: i64, body: String }
///
/// #[derive(Clone)]
/// struct App { db: Db<Sqlite>, notes: Arc<Endpoint> }
///
/// async fn notes(State(app): State<App>, list: ListRequest) -> Result<PageResponse<Note>, Problem> {
///     list.fetch(&app.notes, &app.db, Select::from("notes")).await
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let db = Db::<Sqlite>::connect("sqlite::memory:").await?;
/// db.execute(&folio::Statement { sql: "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)".into(), binds: vec![] }).await?;
/// db.execute(&folio::Statement { sql: "INSERT INTO notes (body) VALUES ('a'), ('b'), ('c')".into(), binds: vec![] }).await?;
/// let endpoint = Endpoint::builder("notes", CursorCodec::new(b"a server key")).modes(Modes::CURSOR).build();
/// let app = Router::new().route("/notes", get(notes)).with_state(App { db, notes: Arc::new(endpoint) });
///
/// use tower::ServiceExt;
/// let response = app
///     .oneshot(http::Request::get("/notes?per_page=2").header("host", "x.example").body(axum::body::Body::empty())?)
///     .await?;
/// assert_eq!(response.status(), 200);
/// let body = axum::body::to_bytes(response.into_body(), 1 << 16).await?;
/// let body: serde_json::Value = serde_json::from_slice(&body)?;
/// assert_eq!(body["notes"].as_array().unwrap().len(), 2);
/// assert!(body["next"].as_str().unwrap().starts_with("http://x.example/notes?per_page=2&cursor="));
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct ListRequest {
    url: RequestUrl,
    path: String,
    counter: Option<StatementCounter>,
}

impl ListRequest {
    /// A request for `url` (the path is the URL's), counting into `counter`.
    ///
    /// ```
    /// let r = folio_axum::ListRequest::new(folio_axum::RequestUrl::new("http://x/api/users/7/orders", "page=2"), None);
    /// assert_eq!(r.path(), "/api/users/7/orders");
    /// ```
    pub fn new(url: RequestUrl, counter: Option<StatementCounter>) -> Self {
        let after_scheme = url.base.find("://").map_or(0, |i| i + 3);
        let path = url.base[after_scheme..]
            .find('/')
            .map_or("/", |i| &url.base[after_scheme + i..])
            .to_owned();
        ListRequest { url, path, counter }
    }

    /// The request's absolute URL.
    ///
    /// ```
    /// let r = folio_axum::ListRequest::new(folio_axum::RequestUrl::new("http://x/a", "q=1"), None);
    /// assert_eq!(r.url().query, "q=1");
    /// ```
    pub fn url(&self) -> &RequestUrl {
        &self.url
    }

    /// The request's path, as routed (before any `nest` stripped a prefix).
    ///
    /// ```
    /// let r = folio_axum::ListRequest::new(folio_axum::RequestUrl::new("http://x", ""), None);
    /// assert_eq!(r.path(), "/");
    /// ```
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The request's statement counter, if the budget middleware runs.
    ///
    /// ```
    /// let r = folio_axum::ListRequest::new(folio_axum::RequestUrl::new("http://x/a", ""), None);
    /// assert!(r.counter().is_none());
    /// ```
    pub fn counter(&self) -> Option<&StatementCounter> {
        self.counter.as_ref()
    }

    /// What the request asks of `endpoint`; bad input is a 400 problem naming the
    /// parameter.
    ///
    /// ```
    /// let e = folio::Endpoint::builder("t", folio::CursorCodec::new(b"k")).build();
    /// let r = folio_axum::ListRequest::new(folio_axum::RequestUrl::new("http://x/t", "page=zero"), None);
    /// assert_eq!(r.parse(&e).unwrap_err().invalid_params[0].name, "page");
    /// ```
    pub fn parse(&self, endpoint: &Endpoint) -> Result<Listing, Problem> {
        Ok(endpoint.parse(&self.path, &self.url.query)?)
    }

    /// `db` counting into the request's counter (itself when there is none).
    pub fn db<B: Backend>(&self, db: &Db<B>) -> Db<B> {
        crate::RequestCounter(self.counter.clone()).db(db)
    }

    /// Parses the request against `endpoint`, runs the page of `select` on `db`
    /// ([`folio_sqlx::Db::page`]) and answers it.
    pub async fn fetch<B, T>(
        &self,
        endpoint: &Endpoint,
        db: &Db<B>,
        select: Select,
    ) -> Result<PageResponse<T>, Problem>
    where
        B: Decodes<T>,
        T: Serialize + Send,
    {
        let listing = self.parse(endpoint)?;
        self.fetch_listing(endpoint, db, &listing, select).await
    }

    /// As [`ListRequest::fetch`], for a request already parsed (say to choose the
    /// select's columns from the field set asked for).
    pub async fn fetch_listing<B, T>(
        &self,
        endpoint: &Endpoint,
        db: &Db<B>,
        listing: &Listing,
        select: Select,
    ) -> Result<PageResponse<T>, Problem>
    where
        B: Decodes<T>,
        T: Serialize + Send,
    {
        let page = self.db(db).page::<T>(endpoint, listing, select).await?;
        Ok(self.respond(endpoint, page))
    }

    /// The response of a page of `endpoint` to this request.
    ///
    /// ```
    /// let e = folio::Endpoint::builder("t", folio::CursorCodec::new(b"k")).build();
    /// let r = folio_axum::ListRequest::new(folio_axum::RequestUrl::new("http://x/t", ""), None);
    /// let page = folio::Page::<u8> {
    ///     items: vec![1], has_next: false, has_previous: false, total: None,
    ///     window: folio::Window::Page { number: 1, size: 10 },
    ///     next_cursor: None, previous_cursor: None, item_cursors: vec![],
    /// };
    /// assert_eq!(r.respond(&e, page).links().first.as_deref(), Some("http://x/t"));
    /// ```
    pub fn respond<T: Serialize>(&self, endpoint: &Endpoint, page: Page<T>) -> PageResponse<T> {
        PageResponse::new(page, endpoint, self.url.clone())
    }
}

impl<S: Send + Sync> FromRequestParts<S> for ListRequest {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let mut url = RequestUrl::from_request_parts(parts, state).await?;
        let counter = parts.extensions.get::<StatementCounter>().cloned();
        // Under `nest`, the URI has lost its prefix: links and cursors use the path
        // the client asked for.
        if let Some(OriginalUri(original)) = parts.extensions.get::<OriginalUri>() {
            let origin_end = url.base.find("://").map_or(0, |i| i + 3);
            let host_end = url.base[origin_end..]
                .find('/')
                .map_or(url.base.len(), |i| origin_end + i);
            url.base = format!("{}{}", &url.base[..host_end], original.path());
        }
        Ok(ListRequest::new(url, counter))
    }
}
