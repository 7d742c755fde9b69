//! `folio-shop`: the reference API server of folio.

use std::time::Duration;

use clap::Parser;
use folio_shop::{
    backend::{BoxError, ShopBackend},
    cli::{AuditArgs, Cli, Command, SeedArgs, ServeArgs},
    db::{self, Scheme},
    seed::{DemoSize, SeedOptions},
    server,
    state::{AppState, Settings},
};
use folio_sqlx::{Db, MySql, Postgres, Replicas, Rusqlite};
use tracing_subscriber::EnvFilter;

/// mimalloc: a page of products allocates a few hundred small blocks (rows, JSON,
/// links), and the system allocator spent a quarter of a cursor page's
/// instructions on them (docs/benchmarks.md, "Where a cursor page's time goes").
/// Version 2 of mimalloc (the workspace's `v2` feature): version 3 kept 6-8 MiB
/// more resident under 1,000 connections.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
        Command::Audit(args) => audit(args).await,
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
    let url = db::sqlx_url(&args.db.database_url);
    let options = SeedOptions {
        size: DemoSize {
            products: args.products,
            users: args.users,
            orders_per_user: args.orders_per_user,
        },
        seed: args.seed,
        quiet: false,
    };
    let report = match Scheme::of(&url)? {
        Scheme::Sqlite => db::seed::<Rusqlite>(&url, &options).await?,
        Scheme::Postgres => db::seed::<Postgres>(&url, &options).await?,
        Scheme::MySql => db::seed::<MySql>(&url, &options).await?,
    };
    db::print_report(&report);
    Ok(())
}

/// `folio-shop audit`: the index audit of every list, as tables; fails when a
/// combination is not served.
async fn audit(args: AuditArgs) -> Result<(), BoxError> {
    let url = db::sqlx_url(&args.db.database_url);
    match Scheme::of(&url)? {
        Scheme::Sqlite => audit_on::<Rusqlite>(&url).await,
        Scheme::Postgres => audit_on::<Postgres>(&url).await,
        Scheme::MySql => audit_on::<MySql>(&url).await,
    }
}

async fn audit_on<B: ShopBackend>(url: &str) -> Result<(), BoxError> {
    let opened = B::open(url).await?;
    let db = Db::<B>::new(opened.writer.clone());
    let api = folio_shop::state::Api::new(&Settings::new(folio::CursorCodec::new(b"audit")));
    let reports = folio_shop::audit::run(&db, &api).await;
    db.close().await;
    let reports = reports?;
    for report in &reports {
        println!("{report}");
        for entry in report.unserved() {
            println!("`{}` {}:\n{}\n", report.endpoint, entry.case, entry.plan);
        }
    }
    let unserved: usize = reports.iter().map(|r| r.unserved().count()).sum();
    if unserved > 0 {
        return Err(format!("{unserved} combinations are not served by an index").into());
    }
    Ok(())
}

/// The cursor codec: from `--cursor-key` (repeated: a key ring), or a random key
/// for this run; with `--cursor-max-age`, cursors expire.
fn codec(keys: &[String], max_age: Option<u64>) -> Result<folio::CursorCodec, BoxError> {
    let keys: Vec<&String> = keys.iter().filter(|k| !k.is_empty()).collect();
    let codec = if keys.is_empty() {
        tracing::warn!(
            "no --cursor-key (FOLIO_CURSOR_KEYS): cursors are signed with a random key \
             and stop working when the server restarts"
        );
        let key: [u8; 32] = rand::random();
        folio::CursorCodec::new(&key)
    } else {
        folio::CursorCodec::with_keys(keys.iter().map(|k| k.as_bytes()))?
    };
    Ok(match max_age {
        Some(secs) => codec.max_age(Duration::from_secs(secs)),
        None => codec,
    })
}

/// `folio-shop serve`.
async fn serve(args: ServeArgs) -> Result<(), BoxError> {
    let url = db::sqlx_url(&args.db.database_url);
    let scheme = Scheme::of(&url)?;
    for replica in &args.replica_urls {
        if scheme != Scheme::Postgres || Scheme::of(replica)? != Scheme::Postgres {
            return Err(format!(
                "--replica-url {replica}: read replicas are PostgreSQL servers, of a \
                 PostgreSQL --database-url"
            )
            .into());
        }
    }
    match scheme {
        Scheme::Sqlite => serve_on::<Rusqlite>(&url, args).await,
        Scheme::Postgres => serve_on::<Postgres>(&url, args).await,
        Scheme::MySql => serve_on::<MySql>(&url, args).await,
    }
}

async fn serve_on<B: ShopBackend>(url: &str, args: ServeArgs) -> Result<(), BoxError> {
    let pool_settings = args.limits.pool_settings(B::default_connections());
    let connections = pool_settings.connections;
    let (pool, _seeded) = db::prepare::<B>(url, pool_settings).await?;
    let settings = Settings {
        envelope: args.envelope,
        count: args.count,
        count_cap: args.count_cap,
        codec: codec(&args.cursor_keys, args.cursor_max_age)?,
    };
    let replicas = Replicas::<B>::connect(&args.replica_urls, pool_settings).await?;
    let db = Db::<B>::new(pool)
        .with_replicas(replicas)
        .with_limits(args.limits.limits(connections));
    // The index audit, in the background: its first-row reads of unserved
    // combinations are sorts, and serving does not wait for them.
    let audited = (db.clone(), folio_shop::state::Api::new(&settings));
    tokio::spawn(async move {
        match folio_shop::audit::run(&audited.0, &audited.1).await {
            Ok(reports) => {
                folio_shop::audit::warn_unserved(&reports);
            }
            Err(e) => tracing::warn!("the index audit failed: {e}"),
        }
    });
    let state = AppState::new(db.clone(), &settings, args.bookmark_stride);
    let mut app = server::router_with_timeout(
        state,
        Duration::from_secs(args.request_timeout_secs.max(1)),
        args.limits.admission(connections),
    );
    if args.trust_forwarded_headers {
        app = app.layer(axum::Extension(folio_axum::TrustForwarded(true)));
    }
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
    server::serve(
        listener,
        app,
        args.limits.header_timeout(),
        shutdown_signal(),
    )
    .await?;
    db.close().await;
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
