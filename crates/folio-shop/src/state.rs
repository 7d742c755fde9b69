//! What every handler shares: the database and the API's endpoints.

use std::sync::Arc;

use folio::{CountStrategy, CursorCodec, Envelope};
use folio_sqlx::{Bookmarks, Db};

use crate::api::{orders, products, users};
use crate::backend::ShopBackend;

/// The server's settings that shape its API (from the command line).
#[derive(Debug, Clone)]
pub struct Settings {
    /// The response body style and parameter names (`--envelope`).
    pub envelope: Envelope,
    /// The count strategy of a request that asks for none (`--count`).
    pub count: CountStrategy,
    /// The cap of `count=capped` (`--count-cap`).
    pub count_cap: u64,
    /// Signs and verifies cursor tokens.
    pub codec: CursorCodec,
}

impl Settings {
    /// The defaults of `folio-shop serve` with `codec`.
    pub fn new(codec: CursorCodec) -> Self {
        Settings {
            envelope: Envelope::Seed,
            count: CountStrategy::Auto,
            count_cap: folio::DEFAULT_COUNT_CAP,
            codec,
        }
    }
}

/// The API's endpoints, built once from the settings.
#[derive(Debug, Clone)]
pub struct Api {
    /// `GET /api/products` (and its export).
    pub products: folio::Endpoint,
    /// `GET /api/users`.
    pub users: folio::Endpoint,
    /// `GET /api/users/{id}/orders`.
    pub orders: folio::Endpoint,
    /// The envelope they speak.
    pub envelope: Envelope,
}

impl Api {
    /// The endpoints under `settings`.
    pub fn new(settings: &Settings) -> Self {
        Api {
            products: products::endpoint(settings),
            users: users::endpoint(settings),
            orders: orders::endpoint(settings),
            envelope: settings.envelope,
        }
    }
}

/// What every handler gets: cheap to clone (pools and endpoints are shared).
#[derive(Debug)]
pub struct AppState<B: ShopBackend> {
    /// The database (with its count cache and bookmarks).
    pub db: Db<B>,
    /// The API as the server speaks it (`--envelope`).
    pub api: Arc<Api>,
    /// The API in the seed envelope, for the browsable page.
    pub seed_api: Arc<Api>,
}

impl<B: ShopBackend> Clone for AppState<B> {
    fn clone(&self) -> Self {
        AppState {
            db: self.db.clone(),
            api: Arc::clone(&self.api),
            seed_api: Arc::clone(&self.seed_api),
        }
    }
}

impl<B: ShopBackend> AppState<B> {
    /// The state of a server on `db` under `settings`; deep page numbers seek from
    /// bookmarks every `bookmark_stride` rows (0: none, always OFFSET).
    pub fn new(db: Db<B>, settings: &Settings, bookmark_stride: u64) -> Self {
        let db = if bookmark_stride > 0 {
            let runtime = tokio::runtime::Handle::current();
            db.with_bookmarks(Bookmarks::new(runtime).with_stride(bookmark_stride))
        } else {
            db
        };
        let seed = Settings {
            envelope: Envelope::Seed,
            ..settings.clone()
        };
        AppState {
            db,
            api: Arc::new(Api::new(settings)),
            seed_api: Arc::new(Api::new(&seed)),
        }
    }

    /// The same state answering in the seed envelope (the browsable page's calls).
    #[must_use]
    pub fn in_seed_envelope(&self) -> Self {
        AppState {
            db: self.db.clone(),
            api: Arc::clone(&self.seed_api),
            seed_api: Arc::clone(&self.seed_api),
        }
    }
}
