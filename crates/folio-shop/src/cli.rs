//! The command line: `folio-shop [serve] [options]` and `folio-shop seed [options]`.

use std::net::SocketAddr;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use folio::{CountStrategy, Envelope};

/// The default database: a SQLite file in the working directory.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://shop.db";

/// The shop catalogue API, paginated with folio.
///
/// With no subcommand, serves (as `folio-shop serve`). On first start against an
/// empty database, creates the schema and seeds the demo data set.
#[derive(Debug, Clone, Parser)]
#[command(name = "folio-shop", version, about, long_about = None, args_conflicts_with_subcommands = true)]
pub struct Cli {
    /// What to do (default: serve).
    #[command(subcommand)]
    pub command: Option<Command>,
    /// The options of `serve` when no subcommand is given.
    #[command(flatten)]
    pub serve: ServeArgs,
}

impl Cli {
    /// The command to run: `serve` with the top-level options when none was given.
    pub fn into_command(self) -> Command {
        self.command.unwrap_or(Command::Serve(self.serve))
    }
}

/// A subcommand.
#[derive(Debug, Clone, Subcommand)]
pub enum Command {
    /// Serve the API (the default).
    Serve(ServeArgs),
    /// Create the schema and fill the database with a generated data set.
    Seed(SeedArgs),
    /// Print which combinations of ordering and filters no index serves, and the
    /// index that would (asks the planner; changes nothing).
    Audit(AuditArgs),
}

/// `folio-shop audit`.
#[derive(Debug, Clone, Args)]
pub struct AuditArgs {
    /// The database.
    #[command(flatten)]
    pub db: DatabaseArgs,
}

/// The database to use.
#[derive(Debug, Clone, Args)]
pub struct DatabaseArgs {
    /// `sqlite://path/to/file.db` (created if absent), `postgres://user@host/db` or
    /// `mysql://user@host/db` (MySQL or MariaDB).
    #[arg(long, env = "FOLIO_DATABASE_URL", default_value = DEFAULT_DATABASE_URL)]
    pub database_url: String,
}

/// `folio-shop serve`.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// The database.
    #[command(flatten)]
    pub db: DatabaseArgs,
    /// A read replica of the database (PostgreSQL; repeat it for more): page
    /// reads, counts, bookmark walks and exports go to the replicas in turn, and to
    /// the primary (`--database-url`) when none answers; a replica that stops
    /// answering is skipped until it answers again. `FOLIO_REPLICA_URLS` takes them
    /// comma-separated.
    #[arg(
        long = "replica-url",
        env = "FOLIO_REPLICA_URLS",
        value_delimiter = ',',
        hide_env_values = true
    )]
    pub replica_urls: Vec<String>,
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1:8000")]
    pub addr: SocketAddr,
    /// The response body style and parameter names.
    #[arg(long, value_enum, default_value_t = Envelope::Seed)]
    pub envelope: Envelope,
    /// The default count strategy (a request may ask for another with `count=`).
    #[arg(long, value_enum, default_value_t = CountStrategy::Auto)]
    pub count: CountStrategy,
    /// The cap of `count=capped`.
    #[arg(long, default_value_t = 10_000)]
    pub count_cap: u64,
    /// A key cursors are signed with; repeat it to rotate keys: the first signs,
    /// every one verifies (so cursors signed by a previous key keep working until it
    /// is removed). `FOLIO_CURSOR_KEYS` takes them comma-separated. Without any, a
    /// random key per start: cursors then stop working when the server restarts.
    /// Every instance behind one load balancer needs the same keys.
    #[arg(
        long = "cursor-key",
        env = "FOLIO_CURSOR_KEYS",
        value_delimiter = ',',
        hide_env_values = true
    )]
    pub cursor_keys: Vec<String>,
    /// Cursors older than this many seconds are refused (400, its own problem type).
    #[arg(long)]
    pub cursor_max_age: Option<u64>,
    /// Build links from `X-Forwarded-Proto`/`X-Forwarded-Host` (only behind a proxy
    /// that sets them).
    #[arg(long)]
    pub trust_forwarded_headers: bool,
    /// Abort a request after this many seconds (408).
    #[arg(long, default_value_t = 30)]
    pub request_timeout_secs: u64,
    /// Page numbers and offsets at or past this many rows seek from a bookmark (the
    /// key of every this-many-th row, taken in the background, kept a minute)
    /// instead of reading every row they skip. 0: always OFFSET.
    #[arg(long, default_value_t = folio_sqlx::DEFAULT_BOOKMARK_STRIDE)]
    pub bookmark_stride: u64,
    /// Time limits and bounds on what one request may cost.
    #[command(flatten)]
    pub limits: LimitArgs,
}

/// Time limits and bounds on what one request may cost (`folio-shop serve`).
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Limits")]
pub struct LimitArgs {
    /// Stop a database statement after this many milliseconds (503, problem type
    /// `statement-timeout`). 0: no limit.
    #[arg(long, env = "FOLIO_STATEMENT_TIMEOUT_MS", default_value_t = 5_000)]
    pub statement_timeout_ms: u64,
    /// Wait at most this many milliseconds for a database connection; past it,
    /// 503 (busy when every connection is in use, unavailable when the database
    /// does not answer).
    #[arg(long, default_value_t = 500)]
    pub pool_timeout_ms: u64,
    /// Database connections (default: 4 per core on PostgreSQL and MariaDB, 1 per
    /// core and one more on SQLite, at least 2).
    #[arg(long)]
    pub db_connections: Option<u32>,
    /// The most rows an exact count reads: past it, `count=exact` answers this
    /// number with `total_relation: gte`. 0: no budget.
    #[arg(long, default_value_t = 1_000_000)]
    pub count_budget: u64,
    /// How many costly statements (exact counts, deep OFFSET reads no bookmark
    /// serves) run at once; one more answers 503 at once, a `count=exact` request
    /// before it runs anything (default: 1 per core, at most one fewer than the
    /// database connections, at least 2).
    /// 0: no limit.
    #[arg(long)]
    pub costly_statements: Option<usize>,
    /// How many API requests run their handlers at once (default: 2 per database
    /// connection); the others wait their turn, first come, first served, for at
    /// most the pool wait (`--pool-timeout-ms`), then answer 503 with
    /// `Retry-After`. 0: no gate (requests queue on the pool). `/healthz` and
    /// `/readyz` are never gated.
    #[arg(long)]
    pub max_in_flight: Option<usize>,
    /// Close a connection whose request headers have not all arrived after this
    /// many milliseconds (slow clients).
    #[arg(long, default_value_t = 5_000)]
    pub header_timeout_ms: u64,
}

impl LimitArgs {
    /// The pool settings: `default_connections` unless `--db-connections` says.
    pub fn pool_settings(&self, default_connections: u32) -> folio_sqlx::PoolSettings {
        folio_sqlx::PoolSettings::default()
            .connections(self.db_connections.unwrap_or(default_connections))
            .acquire_timeout(Duration::from_millis(self.pool_timeout_ms))
            .statement_timeout(
                (self.statement_timeout_ms > 0)
                    .then(|| Duration::from_millis(self.statement_timeout_ms)),
            )
    }

    /// The bounds on a request's cost, for a pool of `connections`.
    pub fn limits(&self, connections: u32) -> folio_sqlx::Limits {
        let cores = crate::backend::pool_size() as usize;
        let all_but_one = (connections as usize).saturating_sub(1);
        let costly = self.costly_statements.unwrap_or(cores.min(all_but_one));
        folio_sqlx::Limits::default()
            .count_budget((self.count_budget > 0).then_some(self.count_budget))
            .costly_statements((costly > 0).then_some(costly))
    }

    /// The admission gate for a pool of `connections`: `--max-in-flight`, by
    /// default twice the connections; none with `--max-in-flight 0`.
    pub fn admission(&self, connections: u32) -> Option<folio_axum::Admission> {
        let permits = self.max_in_flight.unwrap_or(connections as usize * 2);
        (permits > 0).then(|| {
            folio_axum::Admission::new(permits, Duration::from_millis(self.pool_timeout_ms))
        })
    }

    /// The header read timeout.
    pub fn header_timeout(&self) -> Duration {
        Duration::from_millis(self.header_timeout_ms.max(1))
    }
}

/// `folio-shop seed`.
#[derive(Debug, Clone, Args)]
pub struct SeedArgs {
    /// The database.
    #[command(flatten)]
    pub db: DatabaseArgs,
    /// How many products.
    #[arg(long, default_value_t = crate::seed::DemoSize::DEMO.products)]
    pub products: u64,
    /// How many users.
    #[arg(long, default_value_t = crate::seed::DemoSize::DEMO.users)]
    pub users: u64,
    /// Orders per user, on average.
    #[arg(long, default_value_t = crate::seed::DemoSize::DEMO.orders_per_user)]
    pub orders_per_user: u64,
    /// The seed of the generator (the same seed gives the same data).
    #[arg(long, default_value_t = crate::seed::DEFAULT_SEED)]
    pub seed: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audit_reads_the_database_url() {
        let cli = Cli::try_parse_from(["folio-shop", "audit", "--database-url", "sqlite://x.db"])
            .unwrap();
        let Command::Audit(args) = cli.into_command() else {
            panic!("expected audit")
        };
        assert_eq!(args.db.database_url, "sqlite://x.db");
    }

    #[test]
    fn no_subcommand_is_serve_with_defaults() {
        let cli = Cli::try_parse_from(["folio-shop"]).unwrap();
        let Command::Serve(args) = cli.into_command() else {
            panic!("expected serve")
        };
        assert_eq!(args.addr.to_string(), "127.0.0.1:8000");
        assert_eq!(args.count, CountStrategy::Auto);
        assert_eq!(args.count_cap, 10_000);
        assert_eq!(args.envelope, Envelope::Seed);
        assert!(args.cursor_keys.is_empty());
        let pool = args.limits.pool_settings(8);
        assert_eq!(pool.connections, 8);
        assert_eq!(pool.statement_timeout, Some(Duration::from_secs(5)));
        assert_eq!(pool.acquire_timeout, Duration::from_millis(500));
        assert_eq!(args.limits.limits(8).count_budget, Some(1_000_000));
        assert!(args.limits.limits(8).costly_statements.is_some());
        // Costly statements leave a connection for cheap pages (folio-sqlx allows
        // no fewer than 2).
        assert_eq!(args.limits.limits(3).costly_statements, Some(2));
        assert!(args.limits.limits(8).costly_statements <= Some(7));
        // The admission gate: twice the connections, waiting the pool's wait.
        let gate = args.limits.admission(8).expect("gated by default");
        assert_eq!(gate.permits(), 16);
        assert_eq!(gate.wait(), Duration::from_millis(500));
    }

    #[test]
    fn max_in_flight_sizes_or_removes_the_gate() {
        let limits = |extra: &[&str]| {
            let argv = [&["folio-shop", "serve"][..], extra].concat();
            let Command::Serve(args) = Cli::try_parse_from(argv).unwrap().into_command() else {
                panic!("expected serve")
            };
            args.limits
        };
        assert_eq!(
            limits(&["--max-in-flight", "5"])
                .admission(8)
                .unwrap()
                .permits(),
            5
        );
        assert!(limits(&["--max-in-flight", "0"]).admission(8).is_none());
        let gate = limits(&["--pool-timeout-ms", "250"]).admission(3).unwrap();
        assert_eq!(
            (gate.permits(), gate.wait()),
            (6, Duration::from_millis(250))
        );
    }

    #[test]
    fn limits_of_zero_mean_none() {
        let cli = Cli::try_parse_from([
            "folio-shop",
            "--statement-timeout-ms",
            "0",
            "--count-budget",
            "0",
            "--costly-statements",
            "0",
            "--db-connections",
            "3",
        ])
        .unwrap();
        let Command::Serve(args) = cli.into_command() else {
            panic!("expected serve")
        };
        assert_eq!(args.limits.pool_settings(8).statement_timeout, None);
        assert_eq!(args.limits.pool_settings(8).connections, 3);
        let limits = args.limits.limits(3);
        assert_eq!(
            (limits.count_budget, limits.costly_statements),
            (None, None)
        );
    }

    #[test]
    fn top_level_options_serve() {
        let cli = Cli::try_parse_from(["folio-shop", "--envelope", "jsonapi", "--count", "capped"])
            .unwrap();
        let Command::Serve(args) = cli.into_command() else {
            panic!("expected serve")
        };
        assert_eq!(args.envelope, Envelope::JsonApi);
        assert_eq!(args.count, CountStrategy::Capped);
    }

    #[test]
    fn seed_subcommand() {
        let cli = Cli::try_parse_from([
            "folio-shop",
            "seed",
            "--database-url",
            "sqlite://x.db",
            "--products",
            "10",
            "--users",
            "2",
            "--orders-per-user",
            "3",
        ])
        .unwrap();
        let Command::Seed(args) = cli.into_command() else {
            panic!("expected seed")
        };
        assert_eq!(
            (args.products, args.users, args.orders_per_user),
            (10, 2, 3)
        );
        assert_eq!(args.db.database_url, "sqlite://x.db");
    }

    #[test]
    fn cursor_keys_repeat() {
        let cli = Cli::try_parse_from([
            "folio-shop",
            "--cursor-key",
            "new",
            "--cursor-key",
            "old",
            "--cursor-max-age",
            "3600",
        ])
        .unwrap();
        let Command::Serve(args) = cli.into_command() else {
            panic!("expected serve")
        };
        assert_eq!(args.cursor_keys, ["new", "old"]);
        assert_eq!(args.cursor_max_age, Some(3600));
    }

    #[test]
    fn verify_cli() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
