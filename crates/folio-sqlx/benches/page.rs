//! The page call at shallow and deep positions: keyset, plain OFFSET and the
//! deferred join, on SQLite (a temporary file, 200,000 products of the shop schema)
//! and on PostgreSQL when folio-testing finds one. Also the cost of each count
//! strategy. Measured, never asserted.
//!
//! `cargo bench -p folio-sqlx --bench page` (add `-- --quick` style criterion flags
//! such as `--warm-up-time 1 --measurement-time 2` for a brief run).

use criterion::{BenchmarkId, Criterion};
use folio::{
    BaseQuery, Cursor, CursorCodec, CursorPosition, Fingerprint, Mode, Nulls, Orderings,
    PageRequest, SortSpec, Statement, Value,
};
use folio_sqlx::{CountStrategy, Db, PageQuery};
use tokio::runtime::Runtime;

const ROWS: u64 = 200_000;
const DEEP: u64 = 190_000;
const SIZE: u64 = 20;

#[derive(sqlx::FromRow)]
#[allow(dead_code)]
struct Product {
    id: i64,
    name: String,
    category: String,
    price_cents: i64,
    rating: Option<f64>,
}

struct Fixture {
    db: Db,
    base: BaseQuery,
    spec: SortSpec,
    codec: CursorCodec,
    fingerprint: Fingerprint,
    deep_token: String,
}

async fn fixture(db: Db) -> Fixture {
    let base =
        BaseQuery::new("SELECT id, name, category, price_cents, rating, created_at FROM products");
    let spec = Orderings::new("id", "id")
        .field("created_at", "created_at")
        .nullable_field("rating", "rating", Nulls::Last)
        .parse("created_at")
        .expect("ordering");
    let codec = CursorCodec::new(b"bench key");
    let fingerprint = Fingerprint::builder("/api/products")
        .ordering(&spec)
        .finish();
    // the keys of the row at DEEP - 1, read the way the page call reads them
    let st = Statement {
        sql: format!(
            "SELECT id FROM products ORDER BY created_at, id LIMIT 1 OFFSET {}",
            DEEP - 1
        ),
        binds: vec![],
    };
    let (id,) = db.fetch_all::<(i64,)>(&st).await.expect("deep row")[0];
    let keys = keys_of(&db, id).await;
    let deep_token = codec.encode(&Cursor::after(keys), &fingerprint);
    Fixture {
        db,
        base,
        spec,
        codec,
        fingerprint,
        deep_token,
    }
}

/// The (created_at, id) keys of product `id`, as the adapter decodes them.
async fn keys_of(db: &Db, id: i64) -> Vec<Value> {
    let st = Statement {
        sql: format!("SELECT id, created_at FROM products WHERE id = {id}"),
        binds: vec![],
    };
    let created = if db.postgres().is_some() {
        let st = Statement {
            sql: format!("SELECT (extract(epoch FROM created_at) * 1000000)::bigint FROM products WHERE id = {id}"),
            binds: vec![],
        };
        Value::Timestamp(db.fetch_all::<(i64,)>(&st).await.expect("created_at")[0].0)
    } else {
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

fn run(
    rt: &Runtime,
    f: &Fixture,
    mode: Mode,
    deferred_from: u64,
    count: CountStrategy,
    table: bool,
) -> usize {
    let request = PageRequest { mode, size: SIZE };
    let mut q = PageQuery::new(&f.base, &f.spec, &request)
        .cursors(&f.codec, &f.fingerprint)
        .deferred_join_from(deferred_from)
        .count(count);
    if table {
        q = q.table("products");
    }
    let page = rt.block_on(q.fetch::<Product>(&f.db)).expect("page");
    page.items.len()
}

fn bench_backend(c: &mut Criterion, rt: &Runtime, name: &str, f: &Fixture) {
    let mut g = c.benchmark_group(format!("{name}/page"));
    let cases: [(&str, Mode, u64); 8] = [
        (
            "keyset/shallow",
            Mode::Cursor(CursorPosition::First),
            u64::MAX,
        ),
        (
            "keyset/deep",
            Mode::Cursor(CursorPosition::Token(f.deep_token.clone())),
            u64::MAX,
        ),
        ("keyset/last", Mode::Cursor(CursorPosition::Last), u64::MAX),
        ("offset_plain/shallow", Mode::Offset(0), u64::MAX),
        ("offset_plain/deep", Mode::Offset(DEEP), u64::MAX),
        ("deferred_join/shallow", Mode::Offset(0), 0),
        ("deferred_join/mid", Mode::Offset(DEEP / 10), 0),
        ("deferred_join/deep", Mode::Offset(DEEP), 0),
    ];
    for (label, mode, from) in cases {
        assert_eq!(
            run(rt, f, mode.clone(), from, CountStrategy::None, false),
            SIZE as usize
        );
        g.bench_function(BenchmarkId::from_parameter(label), |b| {
            b.iter(|| run(rt, f, mode.clone(), from, CountStrategy::None, false));
        });
    }
    g.finish();

    let mut g = c.benchmark_group(format!("{name}/count"));
    let strategies = [
        ("none", CountStrategy::None, false),
        ("exact", CountStrategy::Exact, false),
        ("capped_10k", CountStrategy::Capped(10_000), false),
        ("estimate_table", CountStrategy::Estimate, true),
        ("auto_table", CountStrategy::Auto, true),
    ];
    for (label, strategy, table) in strategies {
        g.bench_function(BenchmarkId::from_parameter(label), |b| {
            b.iter(|| {
                run(
                    rt,
                    f,
                    Mode::Cursor(CursorPosition::First),
                    u64::MAX,
                    strategy,
                    table,
                )
            });
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
        fixture(Db::from(pool)).await
    });
    bench_backend(c, &rt, "sqlite", &sqlite);

    let pg = rt.block_on(folio_testing::postgres());
    if let Some(pg) = &pg {
        let fixture = rt.block_on(async {
            let pool = pg.pool().await;
            folio_testing::load_products(&pool, ROWS).await;
            fixture(Db::from(pool)).await
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
