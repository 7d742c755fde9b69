//! The command line: `folio-shop [serve] [options]` and `folio-shop seed [options]`.

use std::net::SocketAddr;

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
