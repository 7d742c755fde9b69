//! The adapter's error: a client mistake (a folio error), a database failure, or a
//! key column folio cannot put in a cursor.

use std::fmt;

/// What kind of failure an [`Error`] is.
///
/// ```
/// use folio_sqlx::{Error, ErrorKind};
/// let e = Error::from(folio::Error::invalid("page", "must be positive"));
/// assert_eq!(e.kind(), ErrorKind::Request);
/// assert_eq!(e.http_status(), 400);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The request was refused by folio (a malformed, tampered or mismatched cursor,
    /// a bad parameter) or folio was used wrongly; see [`Error::as_folio`]. The HTTP
    /// status is the folio kind's.
    Request,
    /// The database cannot be reached: no connection could be had in time, the pool
    /// is closed, or the connection failed. HTTP 503: the client may retry.
    Unavailable,
    /// The database failed otherwise (syntax, constraint, a statement that returned
    /// what folio did not expect…). HTTP 500.
    Database,
    /// A sort key column has a type that cannot be carried in a cursor (say
    /// `DATE` or `NUMERIC` on PostgreSQL). HTTP 500: the ordering whitelist is wrong.
    Decode,
    /// A statement ran past its time limit and was stopped. HTTP 503: the client may
    /// retry (the server is overloaded, or asked for something too costly).
    Timeout,
    /// The database is reachable but has no room for this statement now: every
    /// connection stayed in use past the pool's wait, or every slot for costly
    /// statements is taken ([`crate::Limits`]). HTTP 503: the client may retry.
    Busy,
}

#[derive(Debug)]
enum Repr {
    Request(folio::Error),
    Database(sqlx::Error),
    #[cfg(feature = "rusqlite")]
    Sqlite(rusqlite::Error),
    /// A statement stopped at its time limit.
    Timeout,
    /// No connection or costly-statement slot was free.
    Busy,
    /// A row that does not map to the type asked for (a missing column, a value of
    /// another type).
    #[cfg(feature = "rusqlite")]
    Row(String),
    /// A sort key column of a type folio cannot read back (sqlx backends).
    #[cfg(any(feature = "sqlite", feature = "postgres", feature = "mysql"))]
    Decode {
        column: String,
        type_name: String,
    },
    /// A statement returned what folio does not expect of it.
    Unexpected(&'static str),
}

/// An error of folio-sqlx.
///
/// Its `Display` never contains SQL text or database messages, so it can be shown
/// to a client as it is; the detail is logged through `tracing` when the error
/// happens and is reachable through [`std::error::Error::source`].
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// use folio_sqlx::{Db, ErrorKind, Sqlite};
/// let db = Db::<Sqlite>::connect("sqlite::memory:").await.unwrap();
/// let err = db.fetch_all::<(i64,)>(&folio::Statement { sql: "SELEC oops".into(), binds: vec![] })
///     .await
///     .unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::Database);
/// assert_eq!(err.http_status(), 500);
/// assert!(!err.to_string().contains("SELEC"));
/// # }
/// ```
#[derive(Debug)]
pub struct Error {
    repr: Repr,
}

impl Error {
    /// The kind of failure.
    ///
    /// ```
    /// let e = folio_sqlx::Error::from(sqlx::Error::RowNotFound);
    /// assert_eq!(e.kind(), folio_sqlx::ErrorKind::Database);
    /// ```
    pub fn kind(&self) -> ErrorKind {
        match &self.repr {
            Repr::Request(_) => ErrorKind::Request,
            Repr::Database(e) if unavailable(e) => ErrorKind::Unavailable,
            Repr::Database(e) if timed_out(e) => ErrorKind::Timeout,
            Repr::Database(_) | Repr::Unexpected(_) => ErrorKind::Database,
            #[cfg(feature = "rusqlite")]
            Repr::Row(_) => ErrorKind::Database,
            #[cfg(feature = "rusqlite")]
            Repr::Sqlite(e) if sqlite_unavailable(e) => ErrorKind::Unavailable,
            #[cfg(feature = "rusqlite")]
            Repr::Sqlite(_) => ErrorKind::Database,
            #[cfg(any(feature = "sqlite", feature = "postgres", feature = "mysql"))]
            Repr::Decode { .. } => ErrorKind::Decode,
            Repr::Timeout => ErrorKind::Timeout,
            Repr::Busy => ErrorKind::Busy,
        }
    }

    /// Whether the database refused the statement itself (a syntax error, a missing
    /// table…), as opposed to a connection that failed.
    pub(crate) fn is_statement_failure(&self) -> bool {
        match &self.repr {
            Repr::Database(e) => matches!(e, sqlx::Error::Database(_)) && !timed_out(e),
            #[cfg(feature = "rusqlite")]
            Repr::Sqlite(e) => {
                matches!(e, rusqlite::Error::SqliteFailure(..)) && !sqlite_unavailable(e)
            }
            _ => false,
        }
    }

    /// What this failure of a statement on a read replica means for the read
    /// ([`crate::Replicas`]).
    pub(crate) fn on_replica(&self) -> ReplicaFailure {
        match &self.repr {
            Repr::Database(e) if unavailable(e) => ReplicaFailure::Down,
            Repr::Database(e) => replica_refusal(e),
            #[cfg(feature = "rusqlite")]
            Repr::Sqlite(e) if sqlite_unavailable(e) => ReplicaFailure::Down,
            _ => ReplicaFailure::Final,
        }
    }

    /// Whether the wait for a pool's connection ran out.
    pub(crate) fn is_pool_timeout(&self) -> bool {
        matches!(&self.repr, Repr::Database(sqlx::Error::PoolTimedOut))
    }

    /// A row that does not map to the type asked for (logged).
    #[cfg(feature = "rusqlite")]
    pub(crate) fn row(what: String) -> Self {
        tracing::error!(what, "folio-sqlx: a row does not map to its type");
        Error {
            repr: Repr::Row(what),
        }
    }

    /// A statement stopped at its time limit.
    #[cfg_attr(not(feature = "rusqlite"), allow(dead_code))]
    pub(crate) fn timeout() -> Self {
        Error {
            repr: Repr::Timeout,
        }
    }

    /// No connection or costly-statement slot was free.
    pub(crate) fn busy() -> Self {
        Error { repr: Repr::Busy }
    }

    /// The HTTP status to answer with, the one place a kind becomes a status: the
    /// folio kind's for a request error (400 for bad input, 500 for misuse), 503 when
    /// the database is unavailable, else 500.
    ///
    /// ```
    /// let e = folio_sqlx::Error::from(folio::Error::new(folio::ErrorKind::CursorMismatch, Some("cursor"), "other filters"));
    /// assert_eq!(e.http_status(), 400);
    /// assert_eq!(folio_sqlx::Error::from(sqlx::Error::PoolTimedOut).http_status(), 503);
    /// ```
    pub fn http_status(&self) -> u16 {
        match (&self.repr, self.kind()) {
            (Repr::Request(e), _) => e.kind().http_status(),
            (_, ErrorKind::Unavailable | ErrorKind::Timeout | ErrorKind::Busy) => 503,
            _ => 500,
        }
    }

    /// The folio error of a [`ErrorKind::Request`] error (its kind, parameter and
    /// reason make the client's problem document).
    ///
    /// ```
    /// let e = folio_sqlx::Error::from(folio::Error::invalid("cursor", "bad"));
    /// assert_eq!(e.as_folio().unwrap().param(), Some("cursor"));
    /// assert!(folio_sqlx::Error::from(sqlx::Error::RowNotFound).as_folio().is_none());
    /// ```
    pub fn as_folio(&self) -> Option<&folio::Error> {
        match &self.repr {
            Repr::Request(e) => Some(e),
            _ => None,
        }
    }

    /// The database error of a [`ErrorKind::Database`] error.
    ///
    /// ```
    /// let e = folio_sqlx::Error::from(sqlx::Error::RowNotFound);
    /// assert!(matches!(e.as_database(), Some(sqlx::Error::RowNotFound)));
    /// ```
    pub fn as_database(&self) -> Option<&sqlx::Error> {
        match &self.repr {
            Repr::Database(e) => Some(e),
            _ => None,
        }
    }

    /// A statement that returned what folio does not expect (logged).
    pub(crate) fn unexpected(what: &'static str) -> Self {
        tracing::error!(what, "folio-sqlx: unexpected result");
        Error {
            repr: Repr::Unexpected(what),
        }
    }

    #[cfg(any(feature = "sqlite", feature = "postgres", feature = "mysql"))]
    pub(crate) fn decode(column: &str, type_name: &str) -> Self {
        tracing::error!(
            column,
            type_name,
            "folio-sqlx: sort key column of an unsupported type"
        );
        Error {
            repr: Repr::Decode {
                column: column.to_owned(),
                type_name: type_name.to_owned(),
            },
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.repr {
            Repr::Request(e) => fmt::Display::fmt(e, f),
            Repr::Database(e) if unavailable(e) => f.write_str("the database is unavailable"),
            Repr::Database(e) if timed_out(e) => {
                f.write_str("the statement ran past its time limit")
            }
            Repr::Database(_) => f.write_str("database error"),
            #[cfg(feature = "rusqlite")]
            Repr::Sqlite(e) if sqlite_unavailable(e) => f.write_str("the database is unavailable"),
            #[cfg(feature = "rusqlite")]
            Repr::Sqlite(_) => f.write_str("database error"),
            Repr::Timeout => f.write_str("the statement ran past its time limit"),
            Repr::Busy => f.write_str("the database is busy"),
            #[cfg(any(feature = "sqlite", feature = "postgres", feature = "mysql"))]
            Repr::Decode { .. } => f.write_str("a sort key has a type that cannot be paginated"),
            Repr::Unexpected(what) => write!(f, "database error: {what}"),
            #[cfg(feature = "rusqlite")]
            Repr::Row(what) => write!(f, "a row does not map to its type: {what}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.repr {
            Repr::Request(e) => Some(e),
            Repr::Database(e) => Some(e),
            #[cfg(feature = "rusqlite")]
            Repr::Sqlite(e) => Some(e),
            Repr::Unexpected(_) | Repr::Timeout | Repr::Busy => None,
            #[cfg(any(feature = "sqlite", feature = "postgres", feature = "mysql"))]
            Repr::Decode { .. } => None,
            #[cfg(feature = "rusqlite")]
            Repr::Row(_) => None,
        }
    }
}

impl From<folio::Error> for Error {
    fn from(e: folio::Error) -> Self {
        Error {
            repr: Repr::Request(e),
        }
    }
}

impl From<sqlx::Error> for Error {
    fn from(e: sqlx::Error) -> Self {
        Error {
            repr: Repr::Database(e),
        }
    }
}

impl Error {
    /// The column and type of a [`ErrorKind::Decode`] error, for logs.
    ///
    /// ```
    /// let e = folio_sqlx::Error::from(sqlx::Error::RowNotFound);
    /// assert_eq!(e.decode_detail(), None);
    /// ```
    pub fn decode_detail(&self) -> Option<(&str, &str)> {
        match &self.repr {
            #[cfg(any(feature = "sqlite", feature = "postgres", feature = "mysql"))]
            Repr::Decode { column, type_name } => Some((column, type_name)),
            _ => None,
        }
    }
}

/// Whether a database error means the database cannot be reached (rather than a
/// statement that failed on a working connection): the pool's and the socket's
/// errors, and a server that said it is going away (a pooled connection is not
/// pinged before each use, so its next statement is the first to hear it).
fn unavailable(e: &sqlx::Error) -> bool {
    matches!(
        e,
        sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::WorkerCrashed
    ) || replica_refusal(e) == ReplicaFailure::Down
}

/// What a failed statement on a read replica means for the read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ReplicaFailure {
    /// The replica cannot be reached: mark it down, run the read elsewhere.
    Down,
    /// The replica refused this statement (a write on a read-only server, a
    /// conflict with recovery): run it on the primary, the replica stays up.
    /// (Only a server says so: never with SQLite alone.)
    #[cfg_attr(not(any(feature = "postgres", feature = "mysql")), allow(dead_code))]
    NotHere,
    /// The statement failed as it would anywhere: the read fails.
    Final,
}

/// How a server that answered says a replica cannot run this statement or is going
/// away: PostgreSQL's connection exceptions (SQLSTATE class 08), `admin_shutdown`,
/// `crash_shutdown`, `cannot_connect_now` (57P01–57P03) are a replica down;
/// `read_only_sql_transaction` (25006) and a hot standby's cancel on a conflict
/// with recovery (40001, 40P01) a statement for the primary. MySQL/MariaDB: a server
/// shutting down (1053) is down; `--read-only` (1290, 1836) and a read-only
/// transaction (1792) are for the primary.
fn replica_refusal(e: &sqlx::Error) -> ReplicaFailure {
    let sqlx::Error::Database(db) = e else {
        return ReplicaFailure::Final;
    };
    #[cfg(feature = "mysql")]
    if let Some(my) = db.try_downcast_ref::<sqlx::mysql::MySqlDatabaseError>() {
        return match my.number() {
            1053 => ReplicaFailure::Down,
            1290 | 1792 | 1836 => ReplicaFailure::NotHere,
            _ => ReplicaFailure::Final,
        };
    }
    #[cfg(feature = "postgres")]
    if let Some(pg) = db.try_downcast_ref::<sqlx::postgres::PgDatabaseError>() {
        let code = pg.code();
        return if code.starts_with("08") || matches!(code, "57P01" | "57P02" | "57P03") {
            ReplicaFailure::Down
        } else if matches!(code, "25006" | "40001" | "40P01") {
            ReplicaFailure::NotHere
        } else {
            ReplicaFailure::Final
        };
    }
    let _ = db;
    ReplicaFailure::Final
}

/// Whether the database stopped a statement at its time limit (or on a cancel
/// request): PostgreSQL's `query_canceled` (SQLSTATE 57014); MariaDB's
/// `max_statement_time` (1969), MySQL's `max_execution_time` (3024) and a killed
/// query (1317).
fn timed_out(e: &sqlx::Error) -> bool {
    let sqlx::Error::Database(db) = e else {
        return false;
    };
    #[cfg(feature = "mysql")]
    if let Some(my) = db.try_downcast_ref::<sqlx::mysql::MySqlDatabaseError>() {
        return matches!(my.number(), 1969 | 3024 | 1317);
    }
    #[cfg(feature = "postgres")]
    if let Some(pg) = db.try_downcast_ref::<sqlx::postgres::PgDatabaseError>() {
        return pg.code() == "57014";
    }
    let _ = db;
    false
}

#[cfg(feature = "rusqlite")]
impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        Error {
            repr: Repr::Sqlite(e),
        }
    }
}

/// Whether a SQLite error means the database cannot be used now: a file that
/// cannot be opened, is locked or busy past the busy timeout, is not a database or
/// no longer reads as one (overwritten or damaged under a running server).
#[cfg(feature = "rusqlite")]
fn sqlite_unavailable(e: &rusqlite::Error) -> bool {
    use rusqlite::ErrorCode;
    match e {
        rusqlite::Error::SqliteFailure(f, _) => matches!(
            f.code,
            ErrorCode::CannotOpen
                | ErrorCode::DatabaseBusy
                | ErrorCode::DatabaseLocked
                | ErrorCode::NotADatabase
                | ErrorCode::DatabaseCorrupt
                | ErrorCode::SystemIoFailure
                | ErrorCode::PermissionDenied
                | ErrorCode::ReadOnly
        ),
        _ => false,
    }
}

/// The result type of folio-sqlx.
pub type Result<T, E = Error> = std::result::Result<T, E>;
