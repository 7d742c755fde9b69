//! The page call at shallow and deep positions: keyset, plain OFFSET and the
//! deferred join, on SQLite (a temporary file, 200,000 products of the shop schema)
//! and on PostgreSQL when folio-testing finds one. Also the cost of each count
//! strategy. Measured, never asserted.
//!
//! `cargo bench -p folio-sqlx --bench page` (add `-- --quick` style criterion flags
//! such as `--warm-up-time 1 --measurement-time 2` for a brief run).

use criterion::{BenchmarkId, Criterion};
use folio::{
    CountStrategy, Cursor, CursorCodec, Endpoint, Nulls, Orderings, Select, Statement, Value,
};
use folio_sqlx::{Backend, Db, Decodes};
use tokio::runtime::Runtime;

const ROWS: u64 = 200_000;
const DEEP: u64 = 190_000;
const SIZE: u64 = 20;
const PATH: &str = "/api/products";

#[derive(sqlx::FromRow)]
#[allow(dead_code)]
struct Product {
    id: i64,
    name: String,
    category: String,
    price_cents: i64,
    rating: Option<f64>,
}

/// What a benchmarked backend decodes.
trait BenchBackend: Backend + Decodes<Product> + Decodes<(i64,)> + Decodes<(i64, String)> {}
impl<B: Backend + Decodes<Product> + Decodes<(i64,)> + Decodes<(i64, String)>> BenchBackend for B {}

struct Fixture<B: Backend> {
    db: Db<B>,
    /// The products as SQL of the user's own (counted, never estimated).
    text: Select,
    /// The products table (its count may be estimated from its statistics).
    table: Select,
    /// Offsets read plainly, and as a deferred join.
    plain: Endpoint,
    deferred: Endpoint,
    deep_token: String,
}

const COLUMNS: [&str; 6] = [
    "id",
    "name",
    "category",
    "price_cents",
    "rating",
    "created_at",
];

fn endpoint() -> folio::EndpointBuilder {
    Endpoint::builder("products", CursorCodec::new(b"bench key"))
        .orderings(
            Orderings::new("id", "id")
                .field("created_at", "created_at")
                .nullable_field("rating", "rating", Nulls::Last)
                .default_ordering("created_at"),
        )
        .page_size(SIZE, 100)
        .count(CountStrategy::None)
        .bookmarks(false)
}

async fn fixture<B: BenchBackend>(db: Db<B>) -> Fixture<B> {
    let text =
        Select::sql("SELECT id, name, category, price_cents, rating, created_at FROM products");
    let table = Select::from("products").columns(COLUMNS);
    let plain = endpoint().deferred_join_from(u64::MAX).build();
    let deferred = endpoint().deferred_join_from(0).build();
    // the keys of the row at DEEP - 1, read the way the page call reads them, in a
    // cursor of the endpoint for the text select
    let st = Statement {
        sql: format!(
            "SELECT id FROM products ORDER BY created_at, id LIMIT 1 OFFSET {}",
            DEEP - 1
        ),
        binds: vec![],
    };
    let (id,) = db.fetch_all::<(i64,)>(&st).await.expect("deep row")[0];
    let keys = keys_of(&db, id).await;
    let listing = plain.parse(PATH, "").expect("listing");
    let fingerprint = plain.fingerprint(PATH, &listing.sort, &listing.apply(text.clone()));
    let deep_token = plain.codec().encode(&Cursor::after(keys), &fingerprint);
    Fixture {
        db,
        text,
        table,
        plain,
        deferred,
        deep_token,
    }
}

/// The (created_at, id) keys of product `id`, as the adapter decodes them: a
/// timestamp on PostgreSQL, the stored text on SQLite.
async fn keys_of<B: BenchBackend>(db: &Db<B>, id: i64) -> Vec<Value> {
    let created = if B::dialect().name() == "postgres" {
        let st = Statement {
            sql: format!("SELECT (extract(epoch FROM created_at) * 1000000)::bigint FROM products WHERE id = {id}"),
            binds: vec![],
        };
        Value::Timestamp(db.fetch_all::<(i64,)>(&st).await.expect("created_at")[0].0)
    } else {
        let st = Statement {
            sql: format!("SELECT id, created_at FROM products WHERE id = {id}"),
            binds: vec![],
        };
        Value::Text(
            db.fetch_all::<(i64, String)>(&st)
                .await
                .expect("created_at")[0]
                .1
                .clone(),
        )
    };
    vec![created, Value::Int(id)]
}

fn run<B: BenchBackend>(
    rt: &Runtime,
    f: &Fixture<B>,
    query: &str,
    deferred: bool,
    table: bool,
) -> usize {
    let endpoint = if deferred { &f.deferred } else { &f.plain };
    let select = if table { &f.table } else { &f.text };
    let listing = endpoint.parse(PATH, query).expect("query");
    let page = rt
        .block_on(f.db.page::<Product>(endpoint, &listing, select.clone()))
        .expect("page");
    page.items.len()
}

fn bench_backend<B: BenchBackend>(c: &mut Criterion, rt: &Runtime, name: &str, f: &Fixture<B>) {
    let mut g = c.benchmark_group(format!("{name}/page"));
    let deep_cursor = format!("cursor={}", f.deep_token);
    let deep_offset = format!("offset={DEEP}&limit={SIZE}");
    let mid_offset = format!("offset={}&limit={SIZE}", DEEP / 10);
    let cases: [(&str, &str, bool); 8] = [
        ("keyset/shallow", "cursor=", false),
        ("keyset/deep", &deep_cursor, false),
        ("keyset/last", "cursor=last", false),
        ("offset_plain/shallow", "offset=0", false),
        ("offset_plain/deep", &deep_offset, false),
        ("deferred_join/shallow", "offset=0", true),
        ("deferred_join/mid", &mid_offset, true),
        ("deferred_join/deep", &deep_offset, true),
    ];
    for (label, query, deferred) in cases {
        assert_eq!(run(rt, f, query, deferred, false), SIZE as usize, "{label}");
        g.bench_function(BenchmarkId::from_parameter(label), |b| {
            b.iter(|| run(rt, f, query, deferred, false));
        });
    }
    g.finish();

    let mut g = c.benchmark_group(format!("{name}/count"));
    let strategies = [
        ("none", "none", false),
        ("exact", "exact", false),
        ("capped_10k", "capped", false),
        ("estimate_table", "estimate", true),
        ("auto_table", "auto", true),
    ];
    for (label, strategy, table) in strategies {
        let query = format!("cursor=&count={strategy}");
        g.bench_function(BenchmarkId::from_parameter(label), |b| {
            b.iter(|| run(rt, f, &query, false, table));
        });
    }
    g.finish();
}

fn pages(c: &mut Criterion) {
    let rt = Runtime::new().expect("runtime");

    let file = folio_testing::sqlite_file();
    let sqlite = rt.block_on(async {
        let pool = file.pool().await;
        folio_testing::load_products(&pool, ROWS).await;
        fixture(Db::<folio_sqlx::Sqlite>::new(pool)).await
    });
    bench_backend(c, &rt, "sqlite", &sqlite);

    let pg = rt.block_on(folio_testing::postgres());
    if let Some(pg) = &pg {
        let fixture = rt.block_on(async {
            let pool = pg.pool().await;
            folio_testing::load_products(&pool, ROWS).await;
            fixture(Db::<folio_sqlx::Postgres>::new(pool)).await
        });
        bench_backend(c, &rt, "postgres", &fixture);
    }
}

/// Runs the benchmarks with criterion's command-line options.
fn main() {
    let mut c = Criterion::default().configure_from_args();
    pages(&mut c);
    c.final_summary();
}
