//! `folio-example-articles`: serves the articles API on a PostgreSQL database.
//!
//! ```text
//! folio-example-articles --database-url postgres://… [--addr 127.0.0.1:8001] [--cursor-key KEY]…
//! ```
//!
//! A database without the `articles` table gets the schema and a few demo rows.
//! Cursors are signed with the first `--cursor-key` and verified with every one
//! (rotate keys by putting the new one first); without one, a random key is made
//! per start and cursors die with the server.

use std::net::SocketAddr;

use clap::Parser;
use folio::{CursorCodec, Select};
use folio_sqlx::{Db, Postgres};
use tracing_subscriber::EnvFilter;

/// The command line.
#[derive(Debug, Parser)]
#[command(
    name = "folio-example-articles",
    about = "Serves the articles API of folio's example"
)]
struct Args {
    /// The PostgreSQL database.
    #[arg(long, env = "DATABASE_URL")]
    database_url: String,
    /// Where to listen.
    #[arg(long, default_value = "127.0.0.1:8001")]
    addr: SocketAddr,
    /// A cursor key (repeat to rotate: the first signs, every one verifies).
    #[arg(long = "cursor-key", env = "FOLIO_CURSOR_KEYS", value_delimiter = ',')]
    cursor_keys: Vec<String>,
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    match serve(Args::parse()).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("folio-example-articles: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn serve(args: Args) -> Result<(), BoxError> {
    let db = Db::<Postgres>::connect(&args.database_url).await?;
    install(&db).await?;
    let keys = if args.cursor_keys.is_empty() {
        tracing::warn!(
            "no --cursor-key: cursors are signed with a random key and die with the server"
        );
        CursorCodec::new(&rand::random::<[u8; 32]>())
    } else {
        CursorCodec::with_keys(&args.cursor_keys)?
    };
    let app = folio_example_articles::router(db, folio_example_articles::endpoint(keys));
    let listener = tokio::net::TcpListener::bind(args.addr).await?;
    tracing::info!("serving http://{}/articles", listener.local_addr()?);
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}

/// Creates the schema and the demo rows when the database has no `articles` table.
async fn install(db: &Db<Postgres>) -> Result<(), BoxError> {
    let present = Select::sql("SELECT to_regclass('articles') IS NOT NULL AS present");
    if let Some((true,)) = db.find::<(bool,)>(&present).await? {
        return Ok(());
    }
    tracing::info!("creating the articles table with demo rows");
    let mut tx = db.pool().sqlx().begin().await?;
    sqlx::raw_sql(folio_example_articles::SCHEMA)
        .execute(&mut *tx)
        .await?;
    sqlx::raw_sql(folio_example_articles::DEMO_ROWS)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}
