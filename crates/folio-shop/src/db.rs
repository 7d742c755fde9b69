//! Opening the database for the server, the schema check, and seeding (the first
//! start's demo data, or `folio-shop seed`), on any [`ShopBackend`].

use folio_sqlx::Db;

use crate::backend::{tables, BoxError, ShopBackend, TableState};
use crate::seed::{DemoSize, SeedOptions, SeedReport};

/// The backend a database URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// `sqlite:…`
    Sqlite,
    /// `postgres://…`, `postgresql://…`
    Postgres,
    /// `mysql://…`, `mariadb://…`
    MySql,
}

impl Scheme {
    /// The backend of `url`, or an error naming the schemes understood.
    pub fn of(url: &str) -> Result<Scheme, BoxError> {
        let scheme = url.split(':').next().unwrap_or_default();
        match scheme {
            "sqlite" => Ok(Scheme::Sqlite),
            "postgres" | "postgresql" => Ok(Scheme::Postgres),
            "mysql" | "mariadb" => Ok(Scheme::MySql),
            _ => Err(format!(
                "unsupported database URL `{url}`: use sqlite://FILE, postgres://… or mysql://…"
            )
            .into()),
        }
    }
}

/// sqlx names MariaDB `mysql://`; the shop accepts `mariadb://` too.
pub fn sqlx_url(url: &str) -> String {
    match url.strip_prefix("mariadb://") {
        Some(rest) => format!("mysql://{rest}"),
        None => url.to_owned(),
    }
}

/// Prints a seeding summary to stderr: rows, phases, rows per second.
pub fn print_report(report: &SeedReport) {
    let [products, users, orders] = report.rows;
    let rows = products + users + orders;
    let load = report.load.as_secs_f64();
    eprintln!(
        "seeded {products} products, {users} users, {orders} orders in {:.1}s \
         (load {load:.1}s at {:.0} rows/s, indexes {:.1}s, analyze {:.1}s)",
        report.total().as_secs_f64(),
        if load > 0.0 { rows as f64 / load } else { 0.0 },
        report.indexes.as_secs_f64(),
        report.analyze.as_secs_f64()
    );
}

/// `folio-shop seed`: creates the schema in the empty database at `url` and fills it.
pub async fn seed<B: ShopBackend>(
    url: &str,
    options: &SeedOptions,
) -> Result<SeedReport, BoxError> {
    let opened = B::open(url).await?;
    let db = Db::new(opened.writer.clone());
    if tables(&db).await? != TableState::Empty {
        Db::<B>::new(opened.writer.clone()).close().await;
        return Err(
            format!("{url} already holds the shop's tables; seed an empty database").into(),
        );
    }
    let report = B::seed(&db, options).await?;
    Db::<B>::new(opened.writer.clone()).close().await;
    Ok(report)
}

/// Opens `url` for serving: a database holding the shop's tables is served as it is
/// (no reseeding, no schema change); an empty one gets the schema and the demo data
/// set (with progress); one holding only some of the tables is refused.
///
/// Returns the pool to serve from and whether the database was seeded now.
pub async fn prepare<B: ShopBackend>(
    url: &str,
    settings: folio_sqlx::PoolSettings,
) -> Result<(B::Pool, bool), BoxError> {
    let opened = B::open(url).await?;
    let db = Db::new(opened.writer.clone());
    let seeded = match tables(&db).await? {
        TableState::Complete => false,
        TableState::Partial(missing) => {
            Db::<B>::new(opened.writer.clone()).close().await;
            return Err(format!(
                "the database holds some of the shop's tables but not {}; \
                 use an empty database or a complete one",
                missing.join(", ")
            )
            .into());
        }
        TableState::Empty => {
            let size = DemoSize::DEMO;
            eprintln!(
                "empty database: creating the schema and seeding the demo data set \
                 ({} products, {} users, {} orders)…",
                size.products,
                size.users,
                size.orders()
            );
            let report = B::seed(
                &db,
                &SeedOptions {
                    size,
                    seed: crate::seed::DEFAULT_SEED,
                    quiet: false,
                },
            )
            .await?;
            print_report(&report);
            true
        }
    };
    Ok((B::serve_pool(opened, url, settings).await?, seeded))
}

#[cfg(test)]
mod tests {
    use super::*;
    use folio_sqlx::{MySql, Postgres, Rusqlite};

    #[test]
    fn schemes() {
        assert_eq!(Scheme::of("sqlite://shop.db").unwrap(), Scheme::Sqlite);
        assert_eq!(Scheme::of("sqlite::memory:").unwrap(), Scheme::Sqlite);
        assert_eq!(Scheme::of("postgresql://h/db").unwrap(), Scheme::Postgres);
        assert_eq!(Scheme::of("mariadb://root@h/db").unwrap(), Scheme::MySql);
        assert!(Scheme::of("oracle://h").is_err());
        assert_eq!(sqlx_url("mariadb://root@h/db"), "mysql://root@h/db");
    }

    async fn seeded_then_served_as_is<B>(url: &str) -> Db<B>
    where
        B: ShopBackend + folio_sqlx::Decodes<(i64, i64)>,
    {
        let options = SeedOptions {
            size: DemoSize {
                products: 1234,
                users: 50,
                orders_per_user: 3,
            },
            seed: 1,
            quiet: true,
        };
        let opened = B::open(url).await.unwrap();
        let db = Db::new(opened.writer.clone());
        assert_eq!(tables(&db).await.unwrap(), TableState::Empty);
        let report = B::seed(&db, &options).await.unwrap();
        assert_eq!(report.rows, [1234, 50, 150]);
        assert_eq!(tables(&db).await.unwrap(), TableState::Complete);
        let (n, nulls) = db
            .find::<(i64, i64)>(&folio::Select::sql(
                // Both BIGINT on every backend (MySQL's SUM would be a DECIMAL).
                "SELECT COUNT(*), COUNT(*) - COUNT(rating) FROM products",
            ))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(n, 1234);
        assert!(nulls > 50 && nulls < 250, "{nulls}");
        // The same rows on every backend: compare a product with the generator's.
        let expected = crate::seed::Products::new(1, 1234).nth(41).unwrap();
        let product = db
            .find::<crate::api::models::Product>(
                &folio::Select::from("products").filter(folio::Filter::eq("id", 42)),
            )
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (
                product.name,
                product.price,
                product.rating,
                crate::api::models::rfc3339(&product.created_at)
            ),
            (
                expected.name,
                expected.price_cents,
                expected.rating,
                expected.created_at
            )
        );
        Db::new(
            B::serve_pool(opened, url, folio_sqlx::PoolSettings::default())
                .await
                .unwrap(),
        )
    }

    /// The one integer `sql` returns.
    async fn one<B: ShopBackend>(db: &Db<B>, sql: &str) -> i64 {
        db.find::<(i64,)>(&folio::Select::sql(sql))
            .await
            .unwrap()
            .unwrap()
            .0
    }

    #[tokio::test]
    async fn sqlite_is_created_seeded_and_then_served_as_is() {
        let db = seeded_then_served_as_is::<Rusqlite>("sqlite::memory:").await;
        let indexes = one(
            &db,
            "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL",
        )
        .await;
        assert_eq!(indexes, 14);
    }

    #[tokio::test]
    async fn postgres_is_seeded_with_copy_and_then_served_as_is() {
        let Some(pg) = folio_testing::postgres().await else {
            return;
        };
        let db = seeded_then_served_as_is::<Postgres>(pg.url()).await;
        // Identity sequences continue after the loaded ids.
        let id = one(
            &db,
            "INSERT INTO users (name, email, created_at) VALUES ('n', 'n@x', now()) RETURNING id",
        )
        .await;
        assert_eq!(id, 51);
        db.close().await;
    }

    #[tokio::test]
    async fn mysql_is_seeded_by_inserts_and_then_served_as_is() {
        let Some(my) = folio_testing::mysql().await else {
            return;
        };
        let db = seeded_then_served_as_is::<MySql>(my.url()).await;
        let indexes = one(
            &db,
            "SELECT COUNT(DISTINCT index_name) FROM information_schema.statistics \
             WHERE table_schema = DATABASE() AND index_name <> 'PRIMARY' AND index_name <> 'email' \
             AND index_name <> 'orders_user_fk'",
        )
        .await;
        assert_eq!(indexes, 14);
        db.close().await;
    }
}
