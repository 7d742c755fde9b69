//! `folio-shop`: the reference API server of folio.

use std::time::Duration;

use clap::Parser;
use folio_shop::{
    cli::{Cli, Command, SeedArgs, ServeArgs},
    db::{self, BoxError, TableState},
    seed::{DemoSize, SeedOptions},
    server,
    state::AppState,
};
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let result = match Cli::parse().into_command() {
        Command::Serve(args) => serve(args).await,
        Command::Seed(args) => seed(args).await,
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("folio-shop: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// `folio-shop seed`: creates the schema in an empty database and fills it.
async fn seed(args: SeedArgs) -> Result<(), BoxError> {
    let target = db::open(&args.db.database_url).await?;
    if target.tables().await? != TableState::Empty {
        target.close().await;
        return Err(format!(
            "{} already holds the shop's tables; seed an empty database",
            args.db.database_url
        )
        .into());
    }
    let options = SeedOptions {
        size: DemoSize {
            products: args.products,
            users: args.users,
            orders_per_user: args.orders_per_user,
        },
        seed: args.seed,
        quiet: false,
    };
    let report = target.seed(&options).await?;
    db::print_report(&report);
    target.close().await;
    Ok(())
}

/// The cursor codec: from `--cursor-key`, or a random key for this run.
fn codec(key: Option<&str>) -> folio::CursorCodec {
    if let Some(key) = key.filter(|k| !k.is_empty()) {
        return folio::CursorCodec::new(key.as_bytes());
    }
    tracing::warn!(
        "no --cursor-key (FOLIO_CURSOR_KEY): cursors are signed with a random key \
         and stop working when the server restarts"
    );
    let key: [u8; 32] = rand::random();
    folio::CursorCodec::new(&key)
}

/// `folio-shop serve`.
async fn serve(args: ServeArgs) -> Result<(), BoxError> {
    let (db, _seeded) = db::prepare(&args.db.database_url).await?;
    let state = AppState {
        db,
        codec: codec(args.cursor_key.as_deref()),
        envelope: args.envelope,
        count: args.count.strategy(args.count_cap),
        count_cap: args.count_cap,
        count_cache: folio_sqlx::CountCache::default(),
        bookmarks: (args.bookmark_stride > 0)
            .then(|| folio_sqlx::Bookmarks::with_stride(args.bookmark_stride)),
        trust_forwarded: args.trust_forwarded_headers,
    };
    let app = server::router_with_timeout(
        state.clone(),
        Duration::from_secs(args.request_timeout_secs.max(1)),
    );
    let listener = tokio::net::TcpListener::bind(args.addr).await?;
    let addr = listener.local_addr()?;
    let base = format!("http://{addr}");
    println!("folio-shop listening on {base}");
    println!("try:");
    for path in [
        "/api/products?per_page=5",
        "/api/products?cursor=&per_page=5&ordering=-price",
        "/api/products?category=Books&min_price=1000&max_price=5000&count=exact",
        "/api/users?expand=orders&per_page=3",
        "/api/users/1/orders",
        "/docs",
        "/",
    ] {
        println!("  {base}{path}");
    }
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    if let Some(pool) = state.db.sqlite() {
        pool.close().await;
    }
    if let Some(pool) = state.db.postgres() {
        pool.close().await;
    }
    tracing::info!("shut down");
    Ok(())
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
