//! The API suite shared by the SQLite, PostgreSQL and MariaDB test binaries: a small
//! data set with known values, an in-process client (`tower::ServiceExt::oneshot` on
//! the router) and one function per behaviour, run on each backend.
//!
//! What differs between the backends stays here, in the fixtures: the schema (the
//! shop's own, `sql/schema.<backend>.sql`), how a timestamp literal is written and
//! how statistics are gathered. The behaviours in `suite.rs` expect the same JSON
//! from every backend.

#![allow(dead_code, clippy::missing_panics_doc, unreachable_pub)]

use std::collections::BTreeMap;

use axum::body::Body;
use axum::Router;
use chrono::{DateTime, TimeZone, Utc};
use folio::{Envelope, Statement};
use folio_shop::backend::{Schema, ShopBackend};
use folio_shop::state::{AppState, Settings};
use folio_sqlx::{Db, MySql, Postgres, Rusqlite, RusqlitePool};
use http::{Request, StatusCode};
use serde_json::Value as Json;
use tower::ServiceExt;

pub mod suite;

/// The products of the data set.
pub const PRODUCTS: i64 = 300;
/// The users of the data set.
pub const USERS: i64 = 30;
/// The product categories (one holds a space and an ampersand, for encoding).
pub const CATEGORIES: [&str; 4] = ["books", "games", "home & garden", "toys"];
/// Order statuses.
pub const STATUSES: [&str; 5] = ["pending", "paid", "shipped", "delivered", "cancelled"];

/// A product row as inserted.
#[derive(Debug, Clone, PartialEq)]
pub struct P {
    pub id: i64,
    pub name: String,
    pub category: &'static str,
    pub price: i64,
    pub rating: Option<f64>,
    pub created_at: DateTime<Utc>,
}

/// An order row as inserted.
#[derive(Debug, Clone, PartialEq)]
pub struct O {
    pub id: i64,
    pub user_id: i64,
    pub status: &'static str,
    pub total: i64,
    pub created_at: DateTime<Utc>,
}

/// 2024-01-01T00:00:00Z, the data set's time origin.
pub fn epoch() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap()
}

/// The products: names tie in pairs, 50 distinct prices, every 10th rating NULL,
/// every 5th `created_at` equal to the one before.
pub fn products() -> Vec<P> {
    (1..=PRODUCTS)
        .map(|i| P {
            id: i,
            name: format!("Product {:03}", (PRODUCTS - i) / 2),
            category: CATEGORIES[(i % 4) as usize],
            price: 100 * ((i * 7) % 50) + 99,
            rating: (i % 10 != 0).then(|| ((i * 3) % 41) as f64 / 10.0 + 1.0),
            created_at: {
                // every 5th row ties with the one before it
                let k = i - i64::from(i % 5 == 0);
                epoch()
                    + chrono::Duration::seconds(k * 3600)
                    + chrono::Duration::microseconds(k % 5 * 1234)
            },
        })
        .collect()
}

/// The description of product `id`.
pub fn description(id: i64) -> String {
    format!("The long description of product {id}. ").repeat(3)
}

/// How many orders user `u` has: `u % 8` (users 8, 16 and 24 have none).
pub fn orders_of(u: i64) -> i64 {
    u % 8
}

/// The orders: ids numbered by (sequence within the user, user), so a user's
/// orders are spread over the id range.
pub fn orders() -> Vec<O> {
    let mut out = Vec::new();
    let mut id = 0;
    for seq in 0..8 {
        for u in 1..=USERS {
            if seq < orders_of(u) {
                id += 1;
                out.push(O {
                    id,
                    user_id: u,
                    status: STATUSES[(id % 5) as usize],
                    total: 500 + (id * 7919) % 9500,
                    created_at: epoch() + chrono::Duration::seconds(id * 17),
                });
            }
        }
    }
    out
}

/// The orders of user `u`, by id.
pub fn orders_of_user(u: i64) -> Vec<O> {
    orders().into_iter().filter(|o| o.user_id == u).collect()
}

/// RFC 3339 with microseconds and `Z`, as the API renders it.
pub fn ts(at: &DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

fn lit(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// A timestamp literal as `dialect` (folio's dialect name) reads it: RFC 3339 text
/// (SQLite stores it as is, PostgreSQL's TIMESTAMPTZ parses it), or on MySQL/MariaDB,
/// whose DATETIME(6) takes no `T` and no zone, `2024-01-01 00:00:00.001234` (UTC:
/// sqlx sets the session's time zone to UTC).
fn ts_lit(dialect: &str, at: &DateTime<Utc>) -> String {
    match dialect {
        "mysql" => lit(&at.format("%Y-%m-%d %H:%M:%S%.6f").to_string()),
        _ => lit(&ts(at)),
    }
}

/// The INSERT statements of the data set, then the statistics statement, in the SQL
/// of `dialect` (folio's dialect name: `sqlite`, `postgres` or `mysql`). Only the
/// timestamp literals and the statistics statement differ.
pub fn insert_sql(dialect: &str) -> Vec<String> {
    let products: Vec<String> = products()
        .iter()
        .map(|p| {
            format!(
                "({}, {}, {}, {}, {}, {}, {})",
                p.id,
                lit(&p.name),
                lit(p.category),
                p.price,
                p.rating.map_or("NULL".to_owned(), |r| format!("{r:?}")),
                ts_lit(dialect, &p.created_at),
                lit(&description(p.id)),
            )
        })
        .collect();
    let users: Vec<String> = (1..=USERS)
        .map(|u| {
            format!(
                "({u}, {}, {}, {})",
                lit(&format!("User {u:02}")),
                lit(&format!("user{u}@example.com")),
                ts_lit(dialect, &(epoch() - chrono::Duration::days(400 - u))),
            )
        })
        .collect();
    let orders: Vec<String> = orders()
        .iter()
        .map(|o| {
            format!(
                "({}, {}, {}, {}, {})",
                o.id,
                o.user_id,
                lit(o.status),
                o.total,
                ts_lit(dialect, &o.created_at)
            )
        })
        .collect();
    let analyze = match dialect {
        "mysql" => "ANALYZE TABLE products, users, orders",
        _ => "ANALYZE",
    };
    vec![
        format!(
            "INSERT INTO products (id, name, category, price_cents, rating, created_at, description) VALUES {}",
            products.join(", ")
        ),
        format!("INSERT INTO users (id, name, email, created_at) VALUES {}", users.join(", ")),
        format!(
            "INSERT INTO orders (id, user_id, status, total_cents, created_at) VALUES {}",
            orders.join(", ")
        ),
        analyze.to_owned(),
    ]
}

/// Creates the shop's schema for `B` (`sql/schema.<backend>.sql`, as the server
/// seeds it) in the empty database of `pool`, loads the data set and gathers
/// statistics, one statement at a time.
async fn load<B: ShopBackend>(db: Db<B>) {
    let schema = B::schema();
    let statements = Schema::statements(schema.tables)
        .chain(Schema::statements(schema.indexes))
        .chain(insert_sql(B::dialect().name()));
    for sql in statements {
        let statement = Statement {
            sql,
            binds: Vec::new(),
        };
        if let Err(e) = db.execute(&statement).await {
            panic!(
                "load the {} data set: {e}\n{}",
                B::dialect().name(),
                &statement.sql[..statement.sql.len().min(300)]
            );
        }
    }
    db.close().await;
}

/// A loaded database shared by the tests of a binary (no pool: each test opens its own).
pub enum Backend {
    /// A SQLite file.
    Sqlite(&'static folio_testing::SqliteTestDb),
    /// A PostgreSQL database on the throwaway cluster.
    Postgres(&'static folio_testing::PgTestDb),
    /// A MariaDB (or MySQL) database on the throwaway server (`utf8mb4_general_ci`).
    MySql(&'static folio_testing::MySqlTestDb),
}

static SQLITE: std::sync::OnceLock<folio_testing::SqliteTestDb> = std::sync::OnceLock::new();
static POSTGRES: std::sync::OnceLock<Option<folio_testing::PgTestDb>> = std::sync::OnceLock::new();
static MYSQL: std::sync::OnceLock<Option<folio_testing::MySqlTestDb>> = std::sync::OnceLock::new();

/// The SQLite database of this test binary, created and loaded on first use.
pub fn sqlite() -> Backend {
    Backend::Sqlite(SQLITE.get_or_init(|| {
        folio_testing::block_on(|| async {
            let db = folio_testing::sqlite_file();
            load::<Rusqlite>(Db::new(rusqlite_pool(db.path()))).await;
            db
        })
    }))
}

/// The PostgreSQL database of this test binary, or `None` (after a loud skip
/// message from folio-testing) without PostgreSQL.
pub fn postgres() -> Option<Backend> {
    POSTGRES
        .get_or_init(|| {
            folio_testing::block_on(|| async {
                let db = folio_testing::postgres().await?;
                load::<Postgres>(Db::new(db.pool().await)).await;
                Some(db)
            })
        })
        .as_ref()
        .map(Backend::Postgres)
}

/// The MariaDB database of this test binary, or `None` (after a loud skip message
/// from folio-testing) without MariaDB.
pub fn mysql() -> Option<Backend> {
    MYSQL
        .get_or_init(|| {
            folio_testing::block_on(|| async {
                let db = folio_testing::mysql().await?;
                load::<MySql>(Db::new(db.pool().await)).await;
                Some(db)
            })
        })
        .as_ref()
        .map(Backend::MySql)
}

/// The server's SQLite pool on the test file (two connections, as on two cores).
fn rusqlite_pool(path: &std::path::Path) -> RusqlitePool {
    RusqlitePool::open(path, 2).expect("open the SQLite test file")
}

/// The key the test servers sign their cursors with.
const CURSOR_KEY: &[u8] = b"folio-shop api tests: not a real key";

/// The bookmark stride of the test servers: deep pages start at row 100.
pub const BOOKMARK_STRIDE: u64 = 100;

impl Backend {
    /// The backend's name.
    pub fn name(&self) -> &'static str {
        match self {
            Backend::Sqlite(_) => "sqlite",
            Backend::Postgres(_) => "postgres",
            Backend::MySql(_) => "mysql",
        }
    }

    /// The application on this database, speaking `envelope`, counting with `auto`.
    pub async fn app(&self, envelope: Envelope) -> App {
        let settings = Settings {
            envelope,
            count: folio::CountStrategy::Auto,
            count_cap: 10_000,
            codec: folio::CursorCodec::new(CURSOR_KEY),
        };
        match self {
            Backend::Sqlite(db) => App::new::<Rusqlite>(rusqlite_pool(db.path()), &settings),
            Backend::Postgres(db) => App::new::<Postgres>(db.pool().await, &settings),
            Backend::MySql(db) => App::new::<MySql>(db.pool().await, &settings),
        }
    }

    /// The application in the seed envelope.
    pub async fn seed(&self) -> App {
        self.app(Envelope::Seed).await
    }
}

/// Runs one SQL statement on a test database (the writes of a test).
pub type Exec =
    std::sync::Arc<dyn Fn(String) -> futures::future::BoxFuture<'static, ()> + Send + Sync>;

/// A database of one test's own, loaded with the data set: the application on it,
/// a way to write to it, and what keeps it alive.
pub struct Fresh {
    pub app: App,
    pub exec: Exec,
    _keep: Box<dyn std::any::Any + Send>,
}

fn exec_on<B: ShopBackend>(db: Db<B>) -> Exec {
    std::sync::Arc::new(move |sql: String| {
        let db = db.clone();
        Box::pin(async move {
            db.execute(&Statement::new(sql.clone()))
                .await
                .unwrap_or_else(|e| panic!("{sql}: {e}"));
        })
    })
}

impl Backend {
    /// A new database of this backend, loaded with the data set, for a test that
    /// writes (the shared one stays as loaded).
    pub async fn fresh(&self) -> Fresh {
        let settings = Settings::new(folio::CursorCodec::new(CURSOR_KEY));
        match self {
            Backend::Sqlite(_) => {
                let db = folio_testing::sqlite_file();
                load::<Rusqlite>(Db::new(rusqlite_pool(db.path()))).await;
                Fresh {
                    app: App::new::<Rusqlite>(rusqlite_pool(db.path()), &settings),
                    exec: exec_on(Db::<Rusqlite>::new(rusqlite_pool(db.path()))),
                    _keep: Box::new(db),
                }
            }
            Backend::Postgres(_) => {
                let db = folio_testing::postgres().await.expect("PostgreSQL");
                load::<Postgres>(Db::new(db.pool().await)).await;
                Fresh {
                    app: App::new::<Postgres>(db.pool().await, &settings),
                    exec: exec_on(Db::<Postgres>::new(db.pool().await)),
                    _keep: Box::new(db),
                }
            }
            Backend::MySql(_) => {
                let db = folio_testing::mysql().await.expect("MariaDB");
                load::<MySql>(Db::new(db.pool().await)).await;
                Fresh {
                    app: App::new::<MySql>(db.pool().await, &settings),
                    exec: exec_on(Db::<MySql>::new(db.pool().await)),
                    _keep: Box::new(db),
                }
            }
        }
    }
}

/// An INSERT of product `id` at `price` cents, in the SQL of `dialect`.
pub fn insert_product_sql(dialect: &str, id: i64, price: i64) -> String {
    format!(
        "INSERT INTO products (id, name, category, price_cents, rating, created_at, description) \
         VALUES ({id}, {}, 'books', {price}, NULL, {}, 'new')",
        lit(&format!("New {id}")),
        ts_lit(dialect, &epoch()),
    )
}

/// The application under test.
pub struct App {
    router: Router,
    /// The server's bookmarks of deep page numbers (every 100th row in tests).
    pub bookmarks: folio_sqlx::Bookmarks,
}

impl App {
    /// The server on `pool` under `settings`, with bookmarks every
    /// [`BOOKMARK_STRIDE`] rows and the database's own count cache.
    fn new<B: ShopBackend>(pool: impl Into<B::Pool>, settings: &Settings) -> App {
        let state = AppState::new(Db::new(pool), settings, BOOKMARK_STRIDE);
        let bookmarks = state
            .db
            .bookmarks()
            .expect("a bookmark stride gives the server bookmarks")
            .clone();
        App {
            router: folio_shop::server::router::<B>(state),
            bookmarks,
        }
    }
}

/// A response, read whole.
#[derive(Debug)]
pub struct Resp {
    pub status: StatusCode,
    pub headers: http::HeaderMap,
    pub body: Vec<u8>,
}

/// The host every request names (links are absolute on it).
pub const HOST: &str = "shop.test";
/// The origin links start with.
pub const ORIGIN: &str = "http://shop.test";

impl App {
    /// `GET uri` (a path with query, or an absolute link the API gave).
    pub async fn get(&self, uri: &str) -> Resp {
        let path = uri.strip_prefix(ORIGIN).unwrap_or(uri);
        let request = Request::get(path)
            .header("host", HOST)
            .body(Body::empty())
            .unwrap();
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let body = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap()
            .to_vec();
        Resp {
            status,
            headers,
            body,
        }
    }

    /// `GET uri`, asserting a 200 JSON answer.
    pub async fn json(&self, uri: &str) -> (Json, Resp) {
        let r = self.get(uri).await;
        assert_eq!(r.status, StatusCode::OK, "GET {uri}: {}", r.text());
        (r.json(), r)
    }

    /// `GET uri`, asserting a 400 problem that names `param` in `invalid_params`.
    pub async fn bad(&self, uri: &str, param: &str) {
        let r = self.get(uri).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "GET {uri}: {}", r.text());
        assert_eq!(
            r.header("content-type"),
            Some("application/problem+json"),
            "GET {uri}"
        );
        let body = r.json();
        assert_eq!(body["status"], 400, "GET {uri}: {body}");
        for key in ["type", "title", "detail"] {
            assert!(body[key].is_string(), "GET {uri}: no {key} in {body}");
        }
        let names: Vec<&str> = body["invalid_params"]
            .as_array()
            .unwrap_or_else(|| panic!("GET {uri}: no invalid_params in {body}"))
            .iter()
            .filter_map(|p| p["name"].as_str())
            .collect();
        assert!(
            names.contains(&param),
            "GET {uri}: expected {param} in invalid_params, got {body}"
        );
    }

    /// `GET uri`, asserting a 404 problem.
    pub async fn not_found(&self, uri: &str) {
        let r = self.get(uri).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "GET {uri}: {}", r.text());
        assert_eq!(r.header("content-type"), Some("application/problem+json"));
        assert_eq!(r.json()["status"], 404);
    }
}

impl Resp {
    /// A header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The body as JSON.
    pub fn json(&self) -> Json {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }

    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// `X-Statement-Count`.
    pub fn statements(&self) -> usize {
        self.header("x-statement-count")
            .expect("X-Statement-Count on every API response")
            .parse()
            .unwrap()
    }
}

/// The ids of the items under `key`.
pub fn ids(body: &Json, key: &str) -> Vec<i64> {
    body[key]
        .as_array()
        .unwrap_or_else(|| panic!("no array {key} in {body}"))
        .iter()
        .map(|item| {
            item["id"]
                .as_i64()
                .unwrap_or_else(|| panic!("no id in {item}"))
        })
        .collect()
}

/// The query parameters of a link, decoded.
pub fn query_of(link: &str) -> BTreeMap<String, String> {
    let query = link.split_once('?').map_or("", |(_, q)| q);
    query
        .split('&')
        .filter(|s| !s.is_empty())
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            let dec = |s: &str| {
                percent_encoding::percent_decode_str(&s.replace('+', " "))
                    .decode_utf8()
                    .unwrap()
                    .into_owned()
            };
            (dec(k), dec(v))
        })
        .collect()
}

/// Percent-encodes a query value.
pub fn enc(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// Products sorted by a client ordering (names as the API takes them), id appended
/// with the direction of the last key, NULL ratings last in either direction.
pub fn sorted(mut items: Vec<P>, ordering: &str) -> Vec<i64> {
    let keys: Vec<(bool, &str)> = ordering
        .split(',')
        .filter(|s| !s.is_empty())
        .map(|k| k.strip_prefix('-').map_or((false, k), |rest| (true, rest)))
        .collect();
    let last_desc = keys.last().is_some_and(|k| k.0);
    items.sort_by(|a, b| {
        for &(desc, key) in &keys {
            let ord = match key {
                "id" => a.id.cmp(&b.id),
                "name" => {
                    // Byte order, which is also the order of MariaDB's
                    // case-insensitive utf8mb4_general_ci: the data set's names
                    // differ only in digits (checked here, lest a new name break it).
                    let ord = a.name.cmp(&b.name);
                    assert_eq!(
                        ord,
                        a.name.to_lowercase().cmp(&b.name.to_lowercase()),
                        "{} and {} order differently without case",
                        a.name,
                        b.name
                    );
                    ord
                }
                "price" => a.price.cmp(&b.price),
                "created_at" => a.created_at.cmp(&b.created_at),
                "rating" => match (a.rating, b.rating) {
                    (None, None) => std::cmp::Ordering::Equal,
                    // NULLs last whatever the direction
                    (None, Some(_)) => return std::cmp::Ordering::Greater,
                    (Some(_), None) => return std::cmp::Ordering::Less,
                    (Some(x), Some(y)) => x.partial_cmp(&y).unwrap(),
                },
                other => panic!("unknown key {other}"),
            };
            let ord = if desc { ord.reverse() } else { ord };
            if ord != std::cmp::Ordering::Equal {
                return ord;
            }
        }
        let ord = a.id.cmp(&b.id);
        if last_desc {
            ord.reverse()
        } else {
            ord
        }
    });
    items.iter().map(|p| p.id).collect()
}

/// Defines one `#[tokio::test]` per suite function, on the backend `$backend()`
/// returns (`Option<Backend>`: `None` skips).
#[macro_export]
macro_rules! suite_tests {
    ($backend:expr; $($name:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let Some(backend) = $backend else { return };
                common::suite::$name(&backend).await;
            }
        )*
    };
}
