//! Deterministic generated data: products, users and orders from a seed.
//!
//! The same seed and sizes give the same rows on SQLite and PostgreSQL. Each table has
//! its own [`SplitMix64`] stream, so the rows of one table do not depend on how many
//! rows another has or on batch sizes.
//!
//! Loading is fast: tables first, rows in bulk (SQLite: one transaction of prepared
//! multi-row INSERTs with journaling off; PostgreSQL: `COPY … FROM STDIN`), indexes
//! after the load, then `ANALYZE` (PostgreSQL: `VACUUM ANALYZE`).

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use chrono::{DateTime, SecondsFormat, Utc};
use folio::Value;
use folio_sqlx::{Backend, Db};
use sqlx::postgres::PgPoolCopyExt;

use crate::backend::{run_script, Schema};
use crate::progress::Progress;

/// The default seed of the generator.
pub const DEFAULT_SEED: u64 = 42;

/// How much data to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoSize {
    /// Products.
    pub products: u64,
    /// Users.
    pub users: u64,
    /// Orders per user, on average (user ids are drawn uniformly).
    pub orders_per_user: u64,
}

impl DemoSize {
    /// The demo data set seeded on first start: 100,000 products, 10,000 users and
    /// 200,000 orders.
    pub const DEMO: DemoSize = DemoSize {
        products: 100_000,
        users: 10_000,
        orders_per_user: 20,
    };

    /// The number of orders: `users × orders_per_user`.
    pub fn orders(&self) -> u64 {
        self.users * self.orders_per_user
    }
}

/// What to seed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeedOptions {
    /// The sizes.
    pub size: DemoSize,
    /// The generator's seed.
    pub seed: u64,
    /// Report no progress.
    pub quiet: bool,
}

/// What a seeding did and how long each phase took.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SeedReport {
    /// Rows inserted per table: products, users, orders.
    pub rows: [u64; 3],
    /// Time spent loading the rows.
    pub load: Duration,
    /// Time spent building the indexes.
    pub indexes: Duration,
    /// Time spent in ANALYZE (and VACUUM).
    pub analyze: Duration,
}

impl SeedReport {
    /// The whole time.
    pub fn total(&self) -> Duration {
        self.load + self.indexes + self.analyze
    }
}

/// SplitMix64: a small, fast, deterministic generator (no global state).
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator from `seed`.
    pub fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`), by multiply-shift.
    pub fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// A number in `lo..=hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }

    /// One of `items`.
    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

/// The product categories (20).
pub const CATEGORIES: &[&str] = &[
    "Books",
    "Electronics",
    "Computers",
    "Home & Garden",
    "Kitchen",
    "Toys",
    "Games",
    "Sports",
    "Outdoors",
    "Clothing",
    "Shoes",
    "Jewelry",
    "Beauty",
    "Health",
    "Grocery",
    "Pet Supplies",
    "Automotive",
    "Tools",
    "Office",
    "Music",
];

/// Order statuses.
pub const STATUSES: &[&str] = &["pending", "paid", "shipped", "delivered", "cancelled"];

const ADJECTIVES: &[&str] = &[
    "Small",
    "Ergonomic",
    "Rustic",
    "Intelligent",
    "Gorgeous",
    "Incredible",
    "Fantastic",
    "Practical",
    "Sleek",
    "Awesome",
    "Enormous",
    "Mediocre",
    "Synergistic",
    "Heavy Duty",
    "Lightweight",
    "Aerodynamic",
    "Durable",
    "Elegant",
    "Handcrafted",
    "Refined",
    "Modern",
    "Vintage",
    "Compact",
    "Portable",
    "Premium",
];

const MATERIALS: &[&str] = &[
    "Steel", "Wooden", "Concrete", "Plastic", "Cotton", "Granite", "Rubber", "Leather", "Silk",
    "Wool", "Linen", "Marble", "Iron", "Bronze", "Copper", "Aluminum", "Paper", "Glass",
];

const NOUNS: &[&str] = &[
    "Chair", "Car", "Computer", "Keyboard", "Mouse", "Bike", "Ball", "Gloves", "Pants", "Shirt",
    "Table", "Shoes", "Hat", "Towels", "Soap", "Tuna", "Chicken", "Fish", "Cheese", "Bacon",
    "Pizza", "Salad", "Sausages", "Chips", "Lamp", "Clock", "Wallet", "Watch", "Bottle", "Knife",
    "Plate", "Bag", "Coat", "Bench",
];

const FIRST_NAMES: &[&str] = &[
    "Ada",
    "Alan",
    "Grace",
    "Linus",
    "Margaret",
    "Dennis",
    "Barbara",
    "Ken",
    "Frances",
    "Edsger",
    "Radia",
    "Tim",
    "Katherine",
    "John",
    "Hedy",
    "Donald",
    "Sophie",
    "Guido",
    "Anita",
    "Bjarne",
    "Jean",
    "Niklaus",
    "Shafi",
    "Leslie",
    "Mary",
    "Yukihiro",
    "Rasmus",
    "Annie",
    "James",
    "Lynn",
];

const LAST_NAMES: &[&str] = &[
    "Lovelace",
    "Turing",
    "Hopper",
    "Torvalds",
    "Hamilton",
    "Ritchie",
    "Liskov",
    "Thompson",
    "Allen",
    "Dijkstra",
    "Perlman",
    "Berners-Lee",
    "Johnson",
    "McCarthy",
    "Lamarr",
    "Knuth",
    "Wilson",
    "van Rossum",
    "Borg",
    "Stroustrup",
    "Sammet",
    "Wirth",
    "Goldwasser",
    "Lamport",
    "Keller",
    "Matsumoto",
    "Lerdorf",
    "Easley",
    "Gosling",
    "Conway",
];

const WORDS: &[&str] = &[
    "the",
    "quality",
    "of",
    "this",
    "product",
    "is",
    "designed",
    "for",
    "everyday",
    "use",
    "and",
    "built",
    "to",
    "last",
    "with",
    "a",
    "simple",
    "finish",
    "that",
    "fits",
    "any",
    "room",
    "made",
    "from",
    "carefully",
    "selected",
    "materials",
    "easy",
    "clean",
    "maintain",
    "comfortable",
    "reliable",
    "tested",
    "by",
    "our",
    "team",
    "in",
    "real",
    "conditions",
    "perfect",
    "gift",
    "family",
    "friends",
    "office",
    "home",
    "travel",
    "weekend",
    "season",
    "new",
    "improved",
    "version",
    "previous",
    "model",
    "customers",
    "love",
    "its",
    "balance",
    "between",
    "price",
    "performance",
    "warranty",
    "included",
    "ships",
    "within",
    "two",
    "days",
    "returns",
    "accepted",
    "thirty",
];

/// The generator's streams, one per table.
const PRODUCT_STREAM: u64 = 0x5052_4F44;
const USER_STREAM: u64 = 0x5553_4552;
const ORDER_STREAM: u64 = 0x4F52_4452;

/// 2020-01-01T00:00:00Z in microseconds since the epoch.
const EPOCH_2020_MICROS: i64 = 1_577_836_800_000_000;
/// The span the timestamps of a table cover: four years.
const SPAN_MICROS: i64 = 4 * 365 * 24 * 3600 * 1_000_000;

/// A strictly increasing timestamp for row `i` (0-based) of `n`: evenly spread over
/// the span, jittered within its own slot.
fn timestamp(rng: &mut SplitMix64, i: u64, n: u64) -> DateTime<Utc> {
    let step = (SPAN_MICROS / n.max(1) as i64).max(2);
    let jitter = rng.below((step / 2) as u64) as i64;
    let micros = EPOCH_2020_MICROS + i as i64 * step + jitter;
    DateTime::from_timestamp_micros(micros).unwrap_or_default()
}

/// RFC 3339 UTC with microseconds and a `Z`, the TEXT form SQLite stores.
fn rfc3339(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// A generated product.
#[derive(Debug, Clone, PartialEq)]
pub struct ProductRow {
    /// Id, from 1.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Category.
    pub category: &'static str,
    /// Price in cents, 100..=100,000.
    pub price_cents: i64,
    /// Rating 1.0..=5.0 with one decimal, or none (about 10%).
    pub rating: Option<f64>,
    /// Created at (RFC 3339 text).
    pub created_at: String,
    /// About 500 bytes of text.
    pub description: String,
}

/// A generated user.
#[derive(Debug, Clone, PartialEq)]
pub struct UserRow {
    /// Id, from 1.
    pub id: i64,
    /// Name.
    pub name: String,
    /// A unique email.
    pub email: String,
    /// Created at (RFC 3339 text).
    pub created_at: String,
}

/// A generated order.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderRow {
    /// Id, from 1.
    pub id: i64,
    /// The user, uniform over all users.
    pub user_id: i64,
    /// One of [`STATUSES`].
    pub status: &'static str,
    /// Total in cents.
    pub total_cents: i64,
    /// Created at (RFC 3339 text).
    pub created_at: String,
}

/// Generates the products `from..to` (0-based row numbers) of a table of `n`.
#[derive(Debug, Clone)]
pub struct Products {
    rng: SplitMix64,
    next: u64,
    n: u64,
}

impl Products {
    /// The products of a data set of `n` products from `seed`.
    pub fn new(seed: u64, n: u64) -> Self {
        Products {
            rng: SplitMix64::new(seed ^ PRODUCT_STREAM),
            next: 0,
            n,
        }
    }
}

impl Iterator for Products {
    type Item = ProductRow;

    fn next(&mut self) -> Option<ProductRow> {
        if self.next >= self.n {
            return None;
        }
        let i = self.next;
        self.next += 1;
        let rng = &mut self.rng;
        let name = format!(
            "{} {} {}",
            rng.pick(ADJECTIVES),
            rng.pick(MATERIALS),
            rng.pick(NOUNS)
        );
        let category = CATEGORIES[rng.below(CATEGORIES.len() as u64) as usize];
        let price_cents = rng.range(100, 100_000) as i64;
        let rating = (rng.below(10) != 0).then(|| rng.range(10, 50) as f64 / 10.0);
        let created_at = rfc3339(timestamp(rng, i, self.n));
        let target = 460 + rng.below(80) as usize;
        let mut description = String::with_capacity(target + 16);
        description.push_str(&name);
        description.push('.');
        while description.len() < target {
            description.push(' ');
            description.push_str(rng.pick(WORDS));
        }
        description.push('.');
        Some(ProductRow {
            id: i as i64 + 1,
            name,
            category,
            price_cents,
            rating,
            created_at,
            description,
        })
    }
}

/// Generates the users of a data set of `n` users.
#[derive(Debug, Clone)]
pub struct Users {
    rng: SplitMix64,
    next: u64,
    n: u64,
}

impl Users {
    /// The users of a data set of `n` users from `seed`.
    pub fn new(seed: u64, n: u64) -> Self {
        Users {
            rng: SplitMix64::new(seed ^ USER_STREAM),
            next: 0,
            n,
        }
    }
}

impl Iterator for Users {
    type Item = UserRow;

    fn next(&mut self) -> Option<UserRow> {
        if self.next >= self.n {
            return None;
        }
        let i = self.next;
        self.next += 1;
        let rng = &mut self.rng;
        let first = rng.pick(FIRST_NAMES);
        let last = rng.pick(LAST_NAMES);
        let id = i as i64 + 1;
        let mut email = String::with_capacity(40);
        for c in first.chars().chain(['.']).chain(last.chars()) {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                email.push(c.to_ascii_lowercase());
            }
        }
        let _ = write!(email, "{id}@example.com");
        Some(UserRow {
            id,
            name: format!("{first} {last}"),
            email,
            created_at: rfc3339(timestamp(rng, i, self.n)),
        })
    }
}

/// Generates the orders of a data set.
#[derive(Debug, Clone)]
pub struct Orders {
    rng: SplitMix64,
    next: u64,
    n: u64,
    users: u64,
}

impl Orders {
    /// The `users × per_user` orders of a data set from `seed`.
    pub fn new(seed: u64, users: u64, per_user: u64) -> Self {
        Orders {
            rng: SplitMix64::new(seed ^ ORDER_STREAM),
            next: 0,
            n: users * per_user,
            users,
        }
    }
}

impl Iterator for Orders {
    type Item = OrderRow;

    fn next(&mut self) -> Option<OrderRow> {
        if self.next >= self.n || self.users == 0 {
            return None;
        }
        let i = self.next;
        self.next += 1;
        let rng = &mut self.rng;
        Some(OrderRow {
            id: i as i64 + 1,
            user_id: rng.range(1, self.users) as i64,
            status: rng.pick(STATUSES),
            total_cents: rng.range(100, 500_000) as i64,
            created_at: rfc3339(timestamp(rng, i, self.n)),
        })
    }
}

/// A row that can be inserted by a multi-row INSERT and written as a COPY text line.
trait SeedRow: Send + Sync {
    /// The table.
    const TABLE: &'static str;
    /// The columns, in order.
    const COLUMNS: &'static [&'static str];
    /// The row's values, in column order.
    fn values(&self, out: &mut Vec<Value>);
    /// Appends the row as a line of PostgreSQL's COPY text format.
    fn copy_line(&self, out: &mut String);
}

/// Appends `s` escaped for COPY's text format.
fn copy_text(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
}

/// A generated RFC 3339 timestamp as a typed value (each backend binds it its own
/// way: SQLite as the same text, PostgreSQL and MySQL as a timestamp).
fn timestamp_value(rfc3339: &str) -> Value {
    DateTime::parse_from_rfc3339(rfc3339).map_or_else(
        |_| Value::from(rfc3339),
        |t| Value::Timestamp(t.timestamp_micros()),
    )
}

impl SeedRow for ProductRow {
    const TABLE: &'static str = "products";
    const COLUMNS: &'static [&'static str] = &[
        "id",
        "name",
        "category",
        "price_cents",
        "rating",
        "created_at",
        "description",
    ];

    fn values(&self, out: &mut Vec<Value>) {
        out.extend([
            Value::Int(self.id),
            Value::from(self.name.as_str()),
            Value::from(self.category),
            Value::Int(self.price_cents),
            Value::from(self.rating),
            timestamp_value(&self.created_at),
            Value::from(self.description.as_str()),
        ]);
    }

    fn copy_line(&self, out: &mut String) {
        let _ = write!(out, "{}\t", self.id);
        copy_text(out, &self.name);
        out.push('\t');
        copy_text(out, self.category);
        let _ = write!(out, "\t{}\t", self.price_cents);
        match self.rating {
            Some(r) => {
                let _ = write!(out, "{r}");
            }
            None => out.push_str("\\N"),
        }
        let _ = write!(out, "\t{}\t", self.created_at);
        copy_text(out, &self.description);
        out.push('\n');
    }
}

impl SeedRow for UserRow {
    const TABLE: &'static str = "users";
    const COLUMNS: &'static [&'static str] = &["id", "name", "email", "created_at"];

    fn values(&self, out: &mut Vec<Value>) {
        out.extend([
            Value::Int(self.id),
            Value::from(self.name.as_str()),
            Value::from(self.email.as_str()),
            timestamp_value(&self.created_at),
        ]);
    }

    fn copy_line(&self, out: &mut String) {
        let _ = write!(out, "{}\t", self.id);
        copy_text(out, &self.name);
        out.push('\t');
        copy_text(out, &self.email);
        let _ = writeln!(out, "\t{}", self.created_at);
    }
}

impl SeedRow for OrderRow {
    const TABLE: &'static str = "orders";
    const COLUMNS: &'static [&'static str] =
        &["id", "user_id", "status", "total_cents", "created_at"];

    fn values(&self, out: &mut Vec<Value>) {
        out.extend([
            Value::Int(self.id),
            Value::Int(self.user_id),
            Value::from(self.status),
            Value::Int(self.total_cents),
            timestamp_value(&self.created_at),
        ]);
    }

    fn copy_line(&self, out: &mut String) {
        let _ = writeln!(
            out,
            "{}\t{}\t{}\t{}\t{}",
            self.id, self.user_id, self.status, self.total_cents, self.created_at
        );
    }
}

/// Rows per INSERT statement at most (fewer when the backend's bind limit says so).
const ROWS_PER_INSERT: usize = 500;
/// Rows generated and written per chunk.
const CHUNK_ROWS: usize = 5_000;

/// `INSERT INTO t (cols) VALUES (?, …), …` for `rows` rows, in portable `?` form.
fn insert_sql<R: SeedRow>(rows: usize) -> String {
    let placeholders = format!("({})", vec!["?"; R::COLUMNS.len()].join(","));
    let mut sql = format!(
        "INSERT INTO {} ({}) VALUES ",
        R::TABLE,
        R::COLUMNS.join(", ")
    );
    for i in 0..rows {
        if i > 0 {
            sql.push(',');
        }
        sql.push_str(&placeholders);
    }
    sql
}

/// Generates rows on a blocking thread, in chunks, while the caller writes the
/// previous ones.
fn chunks<R, I>(iter: I) -> tokio::sync::mpsc::Receiver<Vec<R>>
where
    R: SeedRow + 'static,
    I: Iterator<Item = R> + Send + 'static,
{
    let (tx, rx) = tokio::sync::mpsc::channel::<Vec<R>>(4);
    tokio::task::spawn_blocking(move || {
        let mut iter = iter;
        loop {
            let chunk: Vec<R> = iter.by_ref().take(CHUNK_ROWS).collect();
            if chunk.is_empty() || tx.blocking_send(chunk).is_err() {
                break;
            }
        }
    });
    rx
}

fn progress(label: &str, total: u64, quiet: bool) -> Progress {
    if quiet {
        Progress::quiet(label, total)
    } else {
        Progress::new(label, total)
    }
}

/// Inserts the rows of `iter` with multi-row INSERTs of up to [`ROWS_PER_INSERT`]
/// rows (fewer when the backend's bind limit says so), with a progress bar.
async fn insert_table<B, R, I>(
    db: &Db<B>,
    iter: I,
    total: u64,
    quiet: bool,
) -> Result<u64, folio_sqlx::Error>
where
    B: Backend,
    R: SeedRow + 'static,
    I: Iterator<Item = R> + Send + 'static,
{
    let per = ROWS_PER_INSERT.min(B::dialect().max_binds() / R::COLUMNS.len());
    let full = folio::Select::sql(&insert_sql::<R>(per));
    let mut rx = chunks(iter);
    let mut bar = progress(R::TABLE, total, quiet);
    let mut rows = 0;
    while let Some(chunk) = rx.recv().await {
        for batch in chunk.chunks(per) {
            let sql = if batch.len() == per {
                full.clone()
            } else {
                folio::Select::sql(&insert_sql::<R>(batch.len()))
            };
            let mut values = Vec::with_capacity(batch.len() * R::COLUMNS.len());
            for row in batch {
                row.values(&mut values);
            }
            let statement = values
                .into_iter()
                .fold(sql, folio::Select::bind)
                .to_sql(B::dialect())?;
            db.execute(&statement).await?;
        }
        rows += chunk.len() as u64;
        bar.inc(chunk.len() as u64);
    }
    bar.finish();
    Ok(rows)
}

/// The statements around a bulk load by INSERT: before the rows, after them, the
/// statistics, and at the end (each part `;`-separated, run one at a time).
#[derive(Debug, Clone, Copy)]
pub(crate) struct BulkScript {
    pub(crate) before: &'static str,
    pub(crate) after_rows: &'static str,
    pub(crate) analyze: &'static str,
    pub(crate) after: &'static str,
}

/// Seeds an empty database by multi-row INSERTs (SQLite through its single writer
/// connection; MySQL): tables, rows, indexes, statistics.
pub(crate) async fn seed_by_inserts<B: Backend>(
    db: &Db<B>,
    schema: Schema,
    options: &SeedOptions,
    script: BulkScript,
) -> Result<SeedReport, folio_sqlx::Error> {
    let size = options.size;
    let quiet = options.quiet;
    run_script(db, script.before).await?;
    run_script(db, schema.tables).await?;

    let started = Instant::now();
    let products = insert_table(
        db,
        Products::new(options.seed, size.products),
        size.products,
        quiet,
    )
    .await?;
    let users = insert_table(db, Users::new(options.seed, size.users), size.users, quiet).await?;
    let orders = insert_table(
        db,
        Orders::new(options.seed, size.users, size.orders_per_user),
        size.orders(),
        quiet,
    )
    .await?;
    run_script(db, script.after_rows).await?;
    let load = started.elapsed();

    let started = Instant::now();
    crate::progress::note(quiet, "  indexes: building…");
    run_script(db, schema.indexes).await?;
    let indexes = started.elapsed();

    let started = Instant::now();
    crate::progress::note(quiet, "  analyze: running…");
    run_script(db, script.analyze).await?;
    let analyze = started.elapsed();

    run_script(db, script.after).await?;
    Ok(SeedReport {
        rows: [products, users, orders],
        load,
        indexes,
        analyze,
    })
}

async fn pg_table<R, I>(
    pool: &sqlx::PgPool,
    iter: I,
    total: u64,
    quiet: bool,
) -> Result<u64, sqlx::Error>
where
    R: SeedRow + 'static,
    I: Iterator<Item = R> + Send + 'static,
{
    let statement = format!("COPY {} ({}) FROM STDIN", R::TABLE, R::COLUMNS.join(", "));
    let mut copy = pool.copy_in_raw(&statement).await?;
    let mut rx = chunks(iter);
    let mut bar = progress(R::TABLE, total, quiet);
    let mut rows = 0;
    while let Some(chunk) = rx.recv().await {
        let mut buf = String::with_capacity(chunk.len() * 600);
        for row in &chunk {
            row.copy_line(&mut buf);
        }
        if let Err(e) = copy.send(buf.into_bytes()).await {
            let _ = copy.abort("seeding failed").await;
            return Err(e);
        }
        rows += chunk.len() as u64;
        bar.inc(chunk.len() as u64);
    }
    copy.finish().await?;
    bar.finish();
    Ok(rows)
}

/// Seeds an empty PostgreSQL database: tables, `COPY … FROM STDIN` in text format,
/// indexes, identity sequences moved past the loaded ids, `VACUUM ANALYZE`.
pub(crate) async fn seed_postgres(
    db: Db<folio_sqlx::Postgres>,
    schema: Schema,
    options: SeedOptions,
) -> Result<SeedReport, folio_sqlx::Error> {
    let size = options.size;
    let quiet = options.quiet;
    let pool = db.pool().sqlx();
    run_script(&db, schema.tables).await?;

    let started = Instant::now();
    let products = pg_table(
        pool,
        Products::new(options.seed, size.products),
        size.products,
        quiet,
    )
    .await?;
    let users = pg_table(
        pool,
        Users::new(options.seed, size.users),
        size.users,
        quiet,
    )
    .await?;
    let orders = pg_table(
        pool,
        Orders::new(options.seed, size.users, size.orders_per_user),
        size.orders(),
        quiet,
    )
    .await?;
    for table in ["products", "users", "orders"] {
        run_script(
            &db,
            &format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), \
                 COALESCE((SELECT max(id) FROM {table}), 0) + 1, false)"
            ),
        )
        .await?;
    }
    let load = started.elapsed();

    let started = Instant::now();
    crate::progress::note(quiet, "  indexes: building…");
    run_script(&db, schema.indexes).await?;
    let indexes = started.elapsed();

    let started = Instant::now();
    crate::progress::note(quiet, "  analyze: running VACUUM ANALYZE…");
    run_script(&db, "VACUUM ANALYZE").await?;
    let analyze = started.elapsed();
    Ok(SeedReport {
        rows: [products, users, orders],
        load,
        indexes,
        analyze,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generation_is_deterministic_and_in_range() {
        let a: Vec<_> = Products::new(7, 500).collect();
        let b: Vec<_> = Products::new(7, 500).collect();
        assert_eq!(a, b);
        assert_eq!(a.len(), 500);
        let nulls = a.iter().filter(|p| p.rating.is_none()).count();
        assert!((20..=90).contains(&nulls), "{nulls} null ratings");
        for w in a.windows(2) {
            assert!(w[0].created_at < w[1].created_at);
        }
        for p in &a {
            assert!((100..=100_000).contains(&p.price_cents));
            if let Some(r) = p.rating {
                assert!((1.0..=5.0).contains(&r));
                assert_eq!((r * 10.0).round() / 10.0, r);
            }
            assert!((400..=600).contains(&p.description.len()));
            assert!(
                p.created_at.ends_with('Z') && p.created_at.len() == 27,
                "{}",
                p.created_at
            );
        }
        let users: Vec<_> = Users::new(7, 1000).collect();
        let mut emails: Vec<_> = users.iter().map(|u| u.email.clone()).collect();
        emails.sort();
        emails.dedup();
        assert_eq!(emails.len(), 1000);
        let orders: Vec<_> = Orders::new(7, 10, 3).collect();
        assert_eq!(orders.len(), 30);
        assert!(orders.iter().all(|o| (1..=10).contains(&o.user_id)));
    }

    #[test]
    fn copy_lines_escape() {
        let mut out = String::new();
        copy_text(&mut out, "a\tb\\c\nd");
        assert_eq!(out, "a\\tb\\\\c\\nd");
        let p = Products::new(1, 1).next().unwrap();
        let mut line = String::new();
        p.copy_line(&mut line);
        assert_eq!(line.matches('\t').count(), 6);
        assert!(line.ends_with('\n'));
    }
}
