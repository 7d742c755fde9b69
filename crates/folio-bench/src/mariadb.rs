//! MariaDB (or MySQL) as the third backend: a throwaway server (folio-testing's, as
//! the tests start theirs) or `--mysql-url`, seeded when its row count differs.

use sqlx::Connection as _;

use crate::results::Results;
use crate::shop::{self, Backend};
use crate::{BoxError, Config};

/// The InnoDB buffer pool given to the throwaway server: the data set's size with
/// room (about 1.5 GiB of tables and indexes at scale 1), so that the depth study
/// reads memory as SQLite and PostgreSQL read the OS page cache; at least the
/// harness's 256 MiB, at most 4 GiB.
fn buffer_pool_bytes(scale: f64) -> u64 {
    let mib = (3072.0 * scale).clamp(256.0, 4096.0) as u64;
    mib * 1024 * 1024
}

/// A MariaDB to measure and what keeps it alive (the throwaway database, dropped
/// with its server when the run ends).
pub(crate) struct Prepared {
    /// The backend (`mariadb`, or `mysql` for a MySQL server).
    pub(crate) backend: Backend,
    /// The throwaway database, if one was made.
    pub(crate) keep_alive: Option<folio_testing::MySqlTestDb>,
}

/// Finds (or starts) the MariaDB of the run, seeds it when its `products` count is
/// not the data set's, and records its version, settings and seeding speed in
/// `results`. `None` (with a note) when there is no MariaDB to use.
pub(crate) async fn prepare(
    cfg: &Config,
    url: Option<&str>,
    results: &mut Results,
) -> Result<Option<Prepared>, BoxError> {
    let (url, guard) = if let Some(url) = url {
        (url.to_owned(), None)
    } else if let Some(db) = folio_testing::mysql().await {
        let mut conn = sqlx::MySqlConnection::connect(db.url()).await?;
        let bytes = buffer_pool_bytes(cfg.scale);
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "SET GLOBAL innodb_buffer_pool_size = {bytes}"
        )))
        .execute(&mut conn)
        .await?;
        conn.close().await?;
        (db.url().to_owned(), Some(db))
    } else {
        results
            .notes
            .push("MariaDB skipped: no MariaDB binaries found and no --mysql-url".to_owned());
        return Ok(None);
    };
    let (version, pool_mib) = server(&url).await?;
    let name = if version.contains("MariaDB") {
        "mariadb"
    } else {
        "mysql"
    };
    results.meta.versions.push((
        if name == "mariadb" {
            "MariaDB"
        } else {
            "MySQL"
        }
        .to_owned(),
        version,
    ));
    results.notes.push(format!(
        "[{name}] InnoDB buffer pool {pool_mib} MiB ({}); peers not run on it (their virtualenv has no MySQL driver)",
        if guard.is_some() {
            "a throwaway server: folio-testing's, durability off, the pool resized for the data set"
        } else {
            "--mysql-url, as configured"
        }
    ));
    if products(&url).await.unwrap_or(0) == cfg.products {
        results
            .meta
            .seed_secs
            .push((format!("{name} (reused)"), 0.0));
    } else {
        say!("seeding {name} …");
        let log = cfg.work.join(format!("seed-{name}.log"));
        let secs = shop::seed(cfg, &url, &log)?;
        results.meta.seed_secs.push((name.to_owned(), secs));
        if let Some(line) = seed_summary(&log) {
            results.notes.push(format!("[{name}] {line}"));
        }
    }
    Ok(Some(Prepared {
        backend: Backend {
            name,
            url,
            sqlalchemy_url: String::new(),
        },
        keep_alive: guard,
    }))
}

/// The server's version and its InnoDB buffer pool in MiB.
async fn server(url: &str) -> Result<(String, u64), BoxError> {
    let mut conn = sqlx::MySqlConnection::connect(url).await?;
    let (version, pool): (String, u64) =
        sqlx::query_as("SELECT version(), CAST(@@innodb_buffer_pool_size AS UNSIGNED)")
            .fetch_one(&mut conn)
            .await?;
    conn.close().await?;
    Ok((version, pool / (1024 * 1024)))
}

async fn products(url: &str) -> Result<u64, BoxError> {
    let mut conn = sqlx::MySqlConnection::connect(url).await?;
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM products")
        .fetch_one(&mut conn)
        .await?;
    conn.close().await?;
    Ok(u64::try_from(n).unwrap_or(0))
}

/// folio-shop seed's summary line (`seeded … rows/s …`), the last in its log.
fn seed_summary(log: &std::path::Path) -> Option<String> {
    std::fs::read_to_string(log)
        .ok()?
        .lines()
        .rev()
        .find_map(|l| l.find("seeded ").map(|at| l[at..].trim().to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buffer_pool_follows_the_scale() {
        assert_eq!(buffer_pool_bytes(0.02), 256 << 20);
        assert_eq!(buffer_pool_bytes(1.0), 3072 << 20);
        assert_eq!(buffer_pool_bytes(5.0), 4096 << 20);
    }
}
