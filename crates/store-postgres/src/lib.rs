//! Roster's PostgreSQL storage adapter, for several `roster serve` processes on one database.
//!
//! Writing transactions run at READ COMMITTED; a read runs on one snapshot. Every rule
//! that racing processes could break is enforced by the database: uniqueness by (partial)
//! unique indexes, seat counts by conditional updates, and a purge by a `DELETE` that only
//! one transaction can win.
//! Timestamps are `TIMESTAMPTZ` (microsecond precision, the domain's precision).
//!
//! The SQL itself is shared with the SQLite adapter (`crates/store-sql`); this crate provides
//! the hooks it uses: [`Db`], [`db_time`], [`dialect`], [`classify`] and how transactions
//! begin.

#[path = "../../store-sql/apps.rs"]
mod apps;
#[path = "../../store-sql/audit_chain.rs"]
mod audit_chain;
#[path = "../../store-sql/bin_order.rs"]
mod bin_order;
#[path = "../../store-sql/codec.rs"]
mod codec;
mod deadline;
#[path = "../../store-sql/groups.rs"]
mod groups;
#[path = "../../store-sql/licenses.rs"]
mod licenses;
#[path = "../../store-sql/mail.rs"]
mod mail;
#[path = "../../store-sql/records.rs"]
mod records;
#[path = "../../store-sql/recycle_bin.rs"]
mod recycle_bin;
#[path = "../../store-sql/replicas.rs"]
mod replicas;
#[path = "../../store-sql/roles.rs"]
mod roles;
#[path = "../../store-sql/sign_in.rs"]
mod sign_in;
#[path = "../../store-sql/soft_delete.rs"]
mod soft_delete;
#[path = "../../store-sql/tx.rs"]
mod tx;
#[path = "../../store-sql/user_query.rs"]
mod user_query;
#[path = "../../store-sql/users.rs"]
mod users;

use async_trait::async_trait;
use deadline::bounded;
use directory::store::{Constraint, ReadTx, Store, StoreError, Tx};
use sqlx::AssertSqlSafe;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use std::str::FromStr;
use std::time::Duration;
use tx::SqlTx;

/// The database the shared SQL runs on.
pub(crate) type Db = sqlx::Postgres;

/// How long to wait for a connection before reporting the database unavailable.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(5);
/// Connections per store.
const MAX_CONNECTIONS: u32 = 10;

/// Timestamps as `TIMESTAMPTZ`.
pub(crate) mod db_time {
    use directory::clock::Timestamp;
    use directory::store::StoreError;

    /// The stored form of a timestamp.
    pub(crate) type Stored = time::OffsetDateTime;

    /// The timestamp as is (already UTC and whole microseconds).
    pub(crate) fn to_db(t: Timestamp) -> Stored {
        t
    }

    /// The timestamp, in UTC.
    pub(crate) fn from_db(s: Stored) -> Result<Timestamp, StoreError> {
        Ok(s.to_offset(time::UtcOffset::UTC))
    }
}

/// The few SQL expressions that differ between the backends.
pub(crate) mod dialect {
    /// A UUID column as text that `Uuid::parse_str` reads (the hyphenated form).
    pub(crate) fn uuid_text(column: &str) -> String {
        format!("{column}::text")
    }

    /// What this transaction changed the recycle bin's size by and has not yet added to
    /// `recycle_bin_size` (it does so at commit): the sum its triggers keep in a
    /// transaction-local setting (migration 0010).
    pub(crate) const PENDING_BIN_CHANGE: &str =
        "COALESCE(NULLIF(current_setting('roster.recycle_bin_delta', true), ''), '0')::BIGINT";

    /// Whether a `WITH` may hold an `UPDATE` ahead of the statement's `INSERT`.
    pub(crate) const DATA_MODIFYING_WITH: bool = true;

    /// The order in which expired users are purged fastest: the table's own (`ctid`, where
    /// each row version lies). A `DELETE` marks heap tuples and leaves index entries to
    /// `VACUUM`, so what a batch writes is mostly heap pages, which a batch in this order
    /// shares (100k purged in 29.0 s against 37.5 s oldest first). The ids are only read in
    /// this order; a row moved meanwhile is still found by its id.
    pub(crate) const PURGE_ORDER: &str = "ctid";

    /// Whether the recycle bin in deletion order is a table of its own: no, it is the index
    /// `users_recycle_bin`, which a `DELETE` does not touch (`VACUUM` removes the entries).
    pub(crate) const BIN_TABLE: bool = false;
}

/// Translates a sqlx error into the port's terms; the only place that does.
pub(crate) fn classify(error: sqlx::Error) -> StoreError {
    match error {
        sqlx::Error::Database(db) => {
            let code = db.code().map(|code| code.into_owned()).unwrap_or_default();
            match code.as_str() {
                "23505" => StoreError::Conflict(match db.constraint() {
                    Some("users_upn_key_active") => Constraint::UserPrincipalName,
                    Some("proxy_addresses_reserved_key") => Constraint::ProxyAddress,
                    Some(other) => Constraint::Other(other.to_owned()),
                    None => Constraint::Other(db.message().to_owned()),
                }),
                "40001" | "40P01" | "55P03" | "57P01" | "57P02" | "57P03" => StoreError::Unavailable(db.to_string()),
                _ if code.starts_with("08") || code.starts_with("53") => StoreError::Unavailable(db.to_string()),
                _ => StoreError::Other(db.to_string()),
            }
        }
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => StoreError::Unavailable(error.to_string()),
        sqlx::Error::Migrate(migrate) => match *migrate {
            sqlx::migrate::MigrateError::Execute(inner) | sqlx::migrate::MigrateError::ExecuteMigration(inner, _) => {
                classify(inner)
            }
            other => StoreError::Other(format!("migration failed: {other}")),
        },
        other => StoreError::Other(other.to_string()),
    }
}

/// Limits on every session, so one stalled process (frozen, swapped out, stopped in a
/// debugger) cannot hold its locks for long: PostgreSQL ends a session that sits inside a
/// transaction for 5 s without sending anything (its transaction rolls back whole), and a
/// statement waiting more than 7 s for a lock gives up as `Unavailable` (503) instead of
/// hanging. Roster never waits on anything but the database inside a transaction. The
/// process's own bound on every answer ([`deadline::STATEMENT_DEADLINE`]) is longer, so a
/// lock wait ends with PostgreSQL's error and the connection stays usable.
const SESSION_LIMITS: [(&str, &str); 2] = [("idle_in_transaction_session_timeout", "5s"), ("lock_timeout", "7s")];

/// A directory in a PostgreSQL database, shared by any number of processes.
#[derive(Debug, Clone)]
pub struct PgStore {
    pool: PgPool,
}

impl PgStore {
    /// The versions of the schema migrations this build applies, oldest first: a database
    /// (or a backup of one) holding any other was made by another Roster version.
    pub fn known_migrations() -> Vec<i64> {
        sqlx::migrate!().iter().map(|migration| migration.version).collect()
    }

    /// Connects (giving up after about 5 s) and brings the schema up to date.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let options = parse(url)?;
        Self::open(options).await
    }

    /// Like [`PgStore::connect`], but keeps everything in `schema` (created if missing), so
    /// that tests can share one database. `schema` must be a lower-case SQL identifier.
    pub async fn connect_in_schema(url: &str, schema: &str) -> Result<Self, StoreError> {
        let valid = schema
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
            && schema.len() <= 63
            && schema
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !valid {
            return Err(StoreError::Other(format!(
                "'{schema}' is not a plain lower-case schema name"
            )));
        }
        let options = parse(url)?;
        let setup = pool(&options, 1).await?;
        let create = format!("CREATE SCHEMA IF NOT EXISTS {schema}");
        sqlx::raw_sql(AssertSqlSafe(create))
            .execute(&setup)
            .await
            .map_err(classify)?;
        setup.close().await;
        Self::open(options.options([("search_path", schema)])).await
    }

    async fn open(options: PgConnectOptions) -> Result<Self, StoreError> {
        let options = options.options(SESSION_LIMITS);
        let pool = pool(&options, MAX_CONNECTIONS).await?;
        sqlx::migrate!().run(&pool).await.map_err(|e| classify(e.into()))?;
        let mut tx = pool.begin().await.map_err(classify)?;
        users::rekey_if_pending(&mut tx).await?;
        audit_chain::chain_unchained(&mut tx).await?;
        tx.commit().await.map_err(classify)?;
        Ok(PgStore { pool })
    }
}

fn parse(url: &str) -> Result<PgConnectOptions, StoreError> {
    PgConnectOptions::from_str(url).map_err(|e| match classify(e) {
        StoreError::Other(message) => StoreError::Other(format!("invalid PostgreSQL URL: {message}")),
        other => other,
    })
}

/// Names the server (never the password) in a connection failure. sqlx retries a refused
/// connection until the acquire timeout, so a timeout here usually means nothing listens.
fn unreachable(options: &PgConnectOptions, error: sqlx::Error) -> StoreError {
    let timed_out = matches!(error, sqlx::Error::PoolTimedOut);
    match classify(error) {
        StoreError::Unavailable(message) => {
            let hint = if timed_out {
                format!(
                    " (no connection within {} s: is the server running?)",
                    ACQUIRE_TIMEOUT.as_secs()
                )
            } else {
                String::new()
            };
            StoreError::Unavailable(format!(
                "cannot connect to PostgreSQL at {}:{}: {message}{hint}",
                options.get_host(),
                options.get_port()
            ))
        }
        other => other,
    }
}

/// A pool that gives up on connecting after [`ACQUIRE_TIMEOUT`].
async fn pool(options: &PgConnectOptions, max_connections: u32) -> Result<PgPool, StoreError> {
    PgPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(ACQUIRE_TIMEOUT)
        .test_before_acquire(false)
        .before_acquire(|connection, meta| Box::pin(deadline::alive_before_use(connection, meta)))
        .after_release(|connection, _| Box::pin(deadline::reusable(connection)))
        .connect_with(options.clone())
        .await
        .map_err(|e| unreachable(options, e))
}

#[async_trait]
impl Store for PgStore {
    /// One statement outside any transaction (its own snapshot).
    async fn lookup_token(&self, hash: &str) -> Result<Option<directory::token::TokenRecord>, StoreError> {
        let mut connection = self.pool.acquire().await.map_err(classify)?;
        bounded(records::token_by_hash(&mut connection, hash)).await
    }

    /// A snapshot: every statement of the read sees the same committed state, as a read
    /// on SQLite does (READ COMMITTED would let a purge commit between two of its reads).
    /// A read-only REPEATABLE READ transaction never fails to serialize.
    async fn read(&self) -> Result<Box<dyn ReadTx>, StoreError> {
        let tx = bounded(async {
            self.pool
                .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                .await
                .map_err(classify)
        })
        .await?;
        Ok(Box::new(SqlTx::new(tx)))
    }

    async fn begin(&self) -> Result<Box<dyn Tx>, StoreError> {
        let tx = bounded(async { self.pool.begin().await.map_err(classify) }).await?;
        Ok(Box::new(SqlTx::new(tx)))
    }

    /// `synchronous_commit = off` for this one transaction: its commit returns before its
    /// WAL is flushed; a crash of the server may lose it whole, never a later commit.
    async fn begin_redoable(&self) -> Result<Box<dyn Tx>, StoreError> {
        let tx = bounded(async {
            let mut tx = self.pool.begin().await.map_err(classify)?;
            sqlx::query("SET LOCAL synchronous_commit = off")
                .execute(&mut *tx)
                .await
                .map_err(classify)?;
            Ok(tx)
        })
        .await?;
        Ok(Box::new(SqlTx::new(tx)))
    }

    /// The server's `clock_timestamp()`: the one clock every replica shares.
    async fn database_time(&self) -> Result<Option<directory::Timestamp>, StoreError> {
        let now: db_time::Stored = bounded(async {
            sqlx::query_scalar("SELECT clock_timestamp()")
                .fetch_one(&self.pool)
                .await
                .map_err(classify)
        })
        .await?;
        Ok(Some(db_time::from_db(now)?))
    }
}
