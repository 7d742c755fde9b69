//! Micro-benchmarks of folio's per-request core work: cursor tokens (encode,
//! decode, fingerprint) and keyset SQL rendering for SQLite and PostgreSQL.
//!
//! Run with `cargo bench -p folio --bench core` (add `-- --quick` for a fast look).

use std::hint::black_box;

use criterion::{criterion_main, Criterion};
use folio::{
    Cursor, CursorCodec, Filter, Fingerprint, KeysetQuery, Orderings, Postgres, Seek, Select,
    SortSpec, Sqlite, Value,
};

fn orderings() -> Orderings {
    Orderings::new("id", "id")
        .field("name", "name")
        .field("price", "price_cents")
        .field("created_at", "created_at")
}

fn spec() -> SortSpec {
    orderings()
        .parse("-created_at")
        .expect("a whitelisted ordering")
}

fn fingerprint(spec: &SortSpec) -> Fingerprint {
    Fingerprint::builder("products")
        .path("/api/products")
        .ordering(spec)
        .select(
            &Select::from("products")
                .filter(Filter::eq("category", "books"))
                .filter(Filter::ge("price_cents", 1000)),
        )
        .finish()
}

/// The boundary of a typical page: created_at as RFC 3339 text, then the id.
fn boundary() -> Vec<Value> {
    vec![
        Value::from("2024-05-01T12:34:56.123456Z"),
        Value::Int(1_234_567),
    ]
}

fn cursors(c: &mut Criterion) {
    let spec = spec();
    let fp = fingerprint(&spec);
    let codec = CursorCodec::new(b"benchmark key, thirty-two bytes!");
    let cursor = Cursor::after(boundary());
    let token = codec.encode(&cursor, &fp);

    let mut g = c.benchmark_group("cursor");
    g.bench_function("encode", |b| {
        b.iter(|| codec.encode(black_box(&cursor), black_box(&fp)));
    });
    g.bench_function("decode", |b| {
        b.iter(|| {
            codec
                .decode(black_box(&token), black_box(&fp))
                .expect("valid")
        });
    });
    g.bench_function("decode_tampered", |b| {
        let mut bad = token.clone().into_bytes();
        bad[20] = if bad[20] == b'A' { b'B' } else { b'A' };
        let bad = String::from_utf8(bad).expect("ASCII");
        b.iter(|| codec.decode(black_box(&bad), black_box(&fp)).is_err());
    });
    g.bench_function("fingerprint", |b| {
        b.iter(|| fingerprint(black_box(&spec)));
    });
    g.finish();
}

fn keyset(c: &mut Criterion) {
    let spec = spec();
    // One select for every backend.
    let base = Select::from("products")
        .columns([
            "id",
            "name",
            "category",
            "price_cents",
            "rating",
            "created_at",
        ])
        .filter(Filter::eq("category", "books"))
        .filter(Filter::ge("price_cents", 1000));
    let (sqlite_base, pg_base) = (&base, &base);

    let mut g = c.benchmark_group("keyset_render");
    g.bench_function("sqlite_after", |b| {
        b.iter(|| {
            KeysetQuery::new(black_box(&spec), Seek::After(boundary()), 20)
                .render(&Sqlite, black_box(sqlite_base))
                .expect("renders")
        });
    });
    g.bench_function("postgres_after", |b| {
        b.iter(|| {
            KeysetQuery::new(black_box(&spec), Seek::After(boundary()), 20)
                .render(&Postgres, black_box(pg_base))
                .expect("renders")
        });
    });
    g.bench_function("postgres_before_mixed", |b| {
        let mixed = orderings().parse("price,-created_at").expect("whitelisted");
        let seek = Seek::Before(vec![
            Value::Int(1999),
            Value::from("2024-05-01T12:34:56.123456Z"),
            Value::Int(1_234_567),
        ]);
        b.iter(|| {
            KeysetQuery::new(black_box(&mixed), seek.clone(), 20)
                .render(&Postgres, black_box(pg_base))
                .expect("renders")
        });
    });
    g.finish();
}

/// The benchmark group (in a module of its own: the macro's function has no docs).
mod groups {
    criterion::criterion_group!(benches, super::cursors, super::keyset);
}
criterion_main!(groups::benches);
