//! The state every handler shares: the database, the cursor codec and the server's
//! pagination defaults.

use folio::{Envelope, ParamNames};

/// The response body style the server speaks (`--envelope`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, clap::ValueEnum)]
pub enum EnvelopeKind {
    /// The Flask article's keys plus links (the default).
    #[default]
    Seed,
    /// Django REST Framework's `{count, next, previous, results}`.
    Drf,
    /// JSON:API: `data`, `links`, `meta`.
    #[value(name = "jsonapi")]
    JsonApi,
    /// Relay connections: `edges`, `pageInfo`.
    Relay,
}

impl EnvelopeKind {
    /// The query parameter names this style uses (`per_page` or `page_size`, `page[number]`, …).
    pub fn names(&self) -> ParamNames {
        match self {
            EnvelopeKind::Seed | EnvelopeKind::Relay => ParamNames::seed(),
            EnvelopeKind::Drf => ParamNames::drf(),
            EnvelopeKind::JsonApi => ParamNames::jsonapi(),
        }
    }

    /// The envelope for one collection: `items_key` and `total_key` name the seed
    /// envelope's keys (`products`/`total`, `orders`/`total_orders`), `resource_type`
    /// is the JSON:API `type`.
    pub fn envelope(&self, items_key: &str, total_key: &str, resource_type: &str) -> Envelope {
        match self {
            EnvelopeKind::Seed => Envelope::Seed {
                items_key: items_key.to_owned(),
                total_key: total_key.to_owned(),
            },
            EnvelopeKind::Drf => Envelope::Drf,
            EnvelopeKind::JsonApi => Envelope::JsonApi {
                resource_type: resource_type.to_owned(),
            },
            EnvelopeKind::Relay => Envelope::Relay,
        }
    }
}

/// What every handler gets: cheap to clone (pools and codecs are shared handles).
#[derive(Clone)]
pub struct AppState {
    /// The database (SQLite or PostgreSQL pool).
    pub db: folio_sqlx::Db,
    /// Signs and verifies cursor tokens under the server key.
    pub codec: folio::CursorCodec,
    /// The response body style (`--envelope`).
    pub envelope: EnvelopeKind,
    /// The server's default count strategy (`--count`, default `auto`).
    pub count: folio_sqlx::CountStrategy,
    /// The cap of `count=capped` (`--count-cap`, default 10,000).
    pub count_cap: u64,
    /// Cached exact counts (`count=cached`).
    pub count_cache: folio_sqlx::CountCache,
    /// Bookmarks of deep page numbers (`--bookmark-stride`; `None` with 0: deep
    /// pages read by OFFSET only).
    pub bookmarks: Option<folio_sqlx::Bookmarks>,
    /// Whether `X-Forwarded-Proto`/`X-Forwarded-Host` are honoured in links
    /// (`--trust-forwarded-headers`).
    pub trust_forwarded: bool,
}

impl AppState {
    /// A page query of `base` under this server's settings: the `count` strategy
    /// with the count cache, and the bookmarks of deep page numbers.
    pub fn page_query<'a>(
        &'a self,
        base: &'a folio::BaseQuery,
        spec: &'a folio::SortSpec,
        request: &'a folio::PageRequest,
        count: folio_sqlx::CountStrategy,
    ) -> folio_sqlx::PageQuery<'a> {
        let query = folio_sqlx::PageQuery::new(base, spec, request)
            .count(count)
            .cache(&self.count_cache);
        match &self.bookmarks {
            Some(b) => query.bookmarks(b),
            None => query,
        }
    }
}

impl axum::extract::FromRef<AppState> for folio_axum::TrustForwarded {
    fn from_ref(state: &AppState) -> Self {
        folio_axum::TrustForwarded(state.trust_forwarded)
    }
}
