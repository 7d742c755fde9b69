//! What sqlx's SQLite driver costs per query: the same statements through
//! rusqlite (the C library called on the caller's thread) and through sqlx (a
//! worker thread per connection, rows sent back over a channel to the async task).

use std::path::Path;
use std::time::Instant;

use chrono::{DateTime, Utc};
use folio_shop::api::models::Product;
use sqlx::SqlitePool;

use crate::results::DriverRow;
use crate::stats::Summary;
use crate::BoxError;

/// The statements compared: a cursor page (11 rows, as folio fetches 10 + 1) and a
/// point lookup.
/// The statements compared: a cursor page (11 rows, as folio fetches 10 + 1), a
/// point lookup, and a deep OFFSET (half the table; `true`: few iterations).
const STATEMENTS: &[(&str, &str, bool)] = &[
    (
        "cursor page: WHERE id > ? ORDER BY id LIMIT 11",
        "SELECT id, name, category, price_cents, rating, created_at FROM products WHERE id > ?1 ORDER BY id LIMIT 11",
        false,
    ),
    (
        "point lookup: WHERE id = ?",
        "SELECT id, name, category, price_cents, rating, created_at FROM products WHERE id = ?1",
        false,
    ),
    (
        "deep page: ORDER BY id LIMIT 10 OFFSET half the table",
        "SELECT id, name, category, price_cents, rating, created_at FROM products ORDER BY id LIMIT 10 OFFSET ?1",
        true,
    ),
];

fn rusqlite_rows(
    stmt: &mut rusqlite::CachedStatement<'_>,
    arg: i64,
) -> rusqlite::Result<Vec<Product>> {
    let rows = stmt.query_map([arg], |r| {
        let created: String = r.get(5)?;
        Ok(Product {
            id: r.get(0)?,
            name: r.get(1)?,
            category: r.get(2)?,
            price: r.get(3)?,
            rating: r.get(4)?,
            created_at: created.parse::<DateTime<Utc>>().map_err(|e| {
                rusqlite::Error::FromSqlConversionFailure(
                    5,
                    rusqlite::types::Type::Text,
                    Box::new(e),
                )
            })?,
            description: None,
        })
    })?;
    rows.collect()
}

/// Runs the comparison on the SQLite file `path` (`products` table of `products` rows)
/// and on folio-shop's own pool `pool`.
pub(crate) async fn compare(
    path: &Path,
    pool: &SqlitePool,
    products: u64,
    iterations: usize,
) -> Result<Vec<DriverRow>, BoxError> {
    let mut out = Vec::new();
    let all_iterations = iterations;
    for &(label, sql, deep) in STATEMENTS {
        let half = (products / 2) as i64;
        let arg = move |i: usize| {
            if deep {
                half
            } else {
                1 + (i as u64 * 7919 % products.max(1)) as i64
            }
        };
        let iterations = if deep { 10 } else { all_iterations };
        let warm = if deep { 1 } else { 100 };
        // rusqlite, one connection, on this thread
        let conn = rusqlite::Connection::open_with_flags(
            path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
        )?;
        let mut lat = Vec::with_capacity(iterations);
        {
            let mut stmt = conn.prepare_cached(sql)?;
            for i in 0..warm {
                rusqlite_rows(&mut stmt, arg(i))?;
            }
            let all = Instant::now();
            for i in 0..iterations {
                let t = Instant::now();
                let rows = rusqlite_rows(&mut stmt, arg(i))?;
                lat.push(t.elapsed().as_secs_f64() * 1e6);
                std::hint::black_box(rows);
            }
            let qps = iterations as f64 / all.elapsed().as_secs_f64();
            out.push(DriverRow {
                statement: label.to_owned(),
                driver: "rusqlite".to_owned(),
                how: "sequential".to_owned(),
                latency_us: Summary::of(&mut lat),
                qps,
            });
        }
        // sqlx, one query at a time on folio-shop's pool
        let mut lat = Vec::with_capacity(iterations);
        for i in 0..warm {
            sqlx::query_as::<_, Product>(sql)
                .bind(arg(i))
                .fetch_all(pool)
                .await?;
        }
        let all = Instant::now();
        for i in 0..iterations {
            let t = Instant::now();
            let rows = sqlx::query_as::<_, Product>(sql)
                .bind(arg(i))
                .fetch_all(pool)
                .await?;
            lat.push(t.elapsed().as_secs_f64() * 1e6);
            std::hint::black_box(rows);
        }
        let qps = iterations as f64 / all.elapsed().as_secs_f64();
        out.push(DriverRow {
            statement: label.to_owned(),
            driver: "sqlx".to_owned(),
            how: "sequential".to_owned(),
            latency_us: Summary::of(&mut lat),
            qps,
        });
        // parallel: rusqlite on 2 threads (one connection each), sqlx with 32 tasks
        let threads = 2;
        let per = iterations;
        let mut slowest = std::time::Duration::ZERO;
        std::thread::scope(|s| -> Result<(), BoxError> {
            let handles: Vec<_> = (0..threads)
                .map(|k| {
                    s.spawn(move || -> Result<std::time::Duration, String> {
                        let conn = rusqlite::Connection::open_with_flags(
                            path,
                            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
                        )
                        .map_err(|e| e.to_string())?;
                        let mut stmt = conn.prepare_cached(sql).map_err(|e| e.to_string())?;
                        for i in 0..warm {
                            std::hint::black_box(
                                rusqlite_rows(&mut stmt, arg(i)).map_err(|e| e.to_string())?,
                            );
                        }
                        let t = Instant::now();
                        for i in 0..per {
                            std::hint::black_box(
                                rusqlite_rows(&mut stmt, arg(i + k * per))
                                    .map_err(|e| e.to_string())?,
                            );
                        }
                        Ok(t.elapsed())
                    })
                })
                .collect();
            for h in handles {
                slowest = slowest.max(h.join().map_err(|_| "rusqlite thread panicked")??);
            }
            Ok(())
        })?;
        out.push(DriverRow {
            statement: label.to_owned(),
            driver: "rusqlite".to_owned(),
            how: format!("parallel ({threads} threads)"),
            latency_us: Summary::default(),
            qps: (threads * per) as f64 / slowest.as_secs_f64(),
        });
        let tasks = 32;
        let per_task = (threads * per).div_ceil(tasks);
        let t = Instant::now();
        let mut handles = Vec::new();
        for k in 0..tasks {
            let pool = pool.clone();
            handles.push(tokio::spawn(async move {
                for i in 0..per_task {
                    let rows = sqlx::query_as::<_, Product>(sql)
                        .bind(arg(i + k * per_task))
                        .fetch_all(&pool)
                        .await?;
                    std::hint::black_box(rows);
                }
                Ok::<(), sqlx::Error>(())
            }));
        }
        for h in handles {
            h.await??;
        }
        out.push(DriverRow {
            statement: label.to_owned(),
            driver: "sqlx".to_owned(),
            how: format!("parallel ({tasks} tasks, the pool's connections)"),
            latency_us: Summary::default(),
            qps: (tasks * per_task) as f64 / t.elapsed().as_secs_f64(),
        });
    }
    Ok(out)
}
