//! Roster's embedded storage adapter: one SQLite file in the data directory.
//!
//! - **WAL.** The file runs in write-ahead-log mode (`synchronous = FULL`), so readers never
//!   block the writer nor the writer the readers, and a committed transaction survives a
//!   power cut. Several processes may open the same file.
//! - **One writer.** SQLite allows one write transaction at a time per file, so each store
//!   has a single writer connection, and a small pool of reader connections for snapshots.
//! - **`BEGIN IMMEDIATE`.** Write transactions take the write lock when they begin, not at
//!   their first write. A deferred transaction that reads and then writes could fail with
//!   `SQLITE_BUSY` halfway through when another process wrote meanwhile; an immediate one
//!   waits (up to `busy_timeout`, 5 s) before doing anything, and then reads what it writes
//!   on. A timeout is reported as [`StoreError::Unavailable`].
//! - **Times are integers.** Timestamps are stored as INTEGER unix microseconds: sqlx's
//!   text form (RFC 3339 with a variable number of fraction digits) does not sort or compare
//!   correctly as text, and integers do, which the recycle bin's ordered pages and cut-offs
//!   rely on.
//!
//! The SQL itself is shared with the PostgreSQL adapter (`crates/store-sql`); this crate
//! provides the hooks it uses: [`Db`], [`db_time`], [`dialect`], [`classify`] and how
//! transactions begin.

#[path = "../../store-sql/apps.rs"]
mod apps;
#[path = "../../store-sql/audit_chain.rs"]
mod audit_chain;
#[path = "../../store-sql/bin_order.rs"]
mod bin_order;
#[path = "../../store-sql/codec.rs"]
mod codec;
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

mod catch_up;

use async_trait::async_trait;
use directory::store::{Constraint, ReadTx, Store, StoreError, Tx};
use sqlx::Connection;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use std::path::Path;
use std::time::Duration;
use tx::SqlTx;

/// The database the shared SQL runs on.
pub(crate) type Db = sqlx::Sqlite;

/// How long a connection waits for another writer's lock before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_millis(5000);
/// Reader connections per store.
const READERS: u32 = 4;

/// Runs a port method's statements with no bound of its own: SQLite runs in this process,
/// and a statement waits for another writer at most [`BUSY_TIMEOUT`]. (PostgreSQL's
/// adapter bounds the wait for its server's answer here.)
pub(crate) async fn bounded<T>(work: impl Future<Output = Result<T, StoreError>>) -> Result<T, StoreError> {
    work.await
}

/// Timestamps as INTEGER unix microseconds.
pub(crate) mod db_time {
    use directory::clock::Timestamp;
    use directory::store::StoreError;

    /// The stored form of a timestamp.
    pub(crate) type Stored = i64;

    /// Microseconds since the Unix epoch (the domain's times are whole microseconds).
    pub(crate) fn to_db(t: Timestamp) -> Stored {
        let micros = t.unix_timestamp_nanos().div_euclid(1000);
        i64::try_from(micros).unwrap_or(if micros < 0 { i64::MIN } else { i64::MAX })
    }

    /// The timestamp, in UTC; out-of-range values are corrupt data.
    pub(crate) fn from_db(s: Stored) -> Result<Timestamp, StoreError> {
        Timestamp::from_unix_timestamp_nanos(i128::from(s) * 1000)
            .map_err(|e| StoreError::Other(format!("stored timestamp {s} is invalid: {e}")))
    }
}

/// The few SQL expressions that differ between the backends.
pub(crate) mod dialect {
    /// A UUID column as text that `Uuid::parse_str` reads: SQLite stores UUIDs as 16-byte
    /// BLOBs, so 32 hex digits.
    pub(crate) fn uuid_text(column: &str) -> String {
        format!("hex({column})")
    }

    /// What this transaction changed the recycle bin's size by and has not yet added to
    /// `recycle_bin_size`: nothing, as the triggers update it at once (migration 0010).
    pub(crate) const PENDING_BIN_CHANGE: &str = "0";

    /// Whether a `WITH` may hold an `UPDATE` ahead of the statement's `INSERT`: not in
    /// SQLite, whose `WITH` holds only `SELECT`s.
    pub(crate) const DATA_MODIFYING_WITH: bool = false;

    /// The order in which expired users are purged fastest: by id, which is creation order
    /// (UUIDv7) and so the table's own. Every index of `users` and of its child tables
    /// loses an entry per purged user whatever the order, but the rows themselves, and the
    /// child rows written beside them, then share pages, so a batch rewrites a few pages of
    /// each table instead of one per user (a bin deleted in an order unrelated to how it
    /// was created purged 2.3 times faster). The bin's own table is read in this order
    /// from the last id of the run's previous chunk.
    pub(crate) const PURGE_ORDER: &str = "id";

    /// Whether the recycle bin in deletion order is a table of its own, `recycle_bin`
    /// (migration 0013), whose entries a purge job's batches leave behind until
    /// `forget_purged`; otherwise it is the index `users_recycle_bin`.
    pub(crate) const BIN_TABLE: bool = true;
}

/// Translates a sqlx error into the port's terms; the only place that does.
pub(crate) fn classify(error: sqlx::Error) -> StoreError {
    match error {
        sqlx::Error::Database(db) => {
            let code = db.code().and_then(|code| code.parse::<i32>().ok()).unwrap_or(0);
            match code {
                // SQLITE_CONSTRAINT_UNIQUE, SQLITE_CONSTRAINT_PRIMARYKEY
                2067 | 1555 => StoreError::Conflict(constraint(db.message())),
                // SQLITE_BUSY, SQLITE_LOCKED, SQLITE_IOERR, SQLITE_FULL, SQLITE_CANTOPEN
                _ if matches!(code & 0xff, 5 | 6 | 10 | 13 | 14) => StoreError::Unavailable(db.to_string()),
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

/// Names the broken rule from a message like `UNIQUE constraint failed: users.upn_key`.
fn constraint(message: &str) -> Constraint {
    let columns = message.rsplit_once("failed: ").map_or(message, |(_, columns)| columns);
    match columns {
        "users.upn_key" => Constraint::UserPrincipalName,
        "proxy_addresses.address_key" => Constraint::ProxyAddress,
        other => Constraint::Other(other.to_owned()),
    }
}

/// A directory in one SQLite file: one writer connection and a few readers. The writer keeps
/// its temporary data in memory: a statement that may fail halfway (a batch `DELETE` with its
/// cascades, a bulk restore's `UPDATE`) journals each page it changes first, to a file
/// otherwise; that was ~10 % of a purge. sqlx checks each connection when it is given
/// back; the check before each use, a hop to the connection's worker thread on every
/// transaction's path, is off: a connection to a file in this process does not go away
/// while it sits idle.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    writer: SqlitePool,
    reader: SqlitePool,
    catch_up: catch_up::CatchUp,
}

impl SqliteStore {
    /// Opens (creating if missing) the database file and brings its schema up to date.
    /// Another store, in this or another process, may have the same file open.
    pub async fn open(path: &Path) -> Result<Self, StoreError> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(BUSY_TIMEOUT)
            .foreign_keys(true);
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .test_before_acquire(false)
            .after_release(|connection, _| Box::pin(reusable(connection)))
            .connect_with(
                options
                    .clone()
                    .pragma("temp_store", "memory")
                    .pragma("wal_autocheckpoint", catch_up::WRITER_CHECKPOINT_PAGES),
            )
            .await
            .map_err(classify)?;
        sqlx::migrate!().run(&writer).await.map_err(|e| classify(e.into()))?;
        let mut tx = writer.begin_with("BEGIN IMMEDIATE").await.map_err(classify)?;
        users::rekey_if_pending(&mut tx).await?;
        audit_chain::chain_unchained(&mut tx).await?;
        tx.commit().await.map_err(classify)?;
        let reader = SqlitePoolOptions::new()
            .max_connections(READERS)
            .test_before_acquire(false)
            .connect_with(options.create_if_missing(false))
            .await
            .map_err(classify)?;
        Ok(SqliteStore {
            writer,
            reader,
            catch_up: catch_up::CatchUp::default(),
        })
    }
}

/// Whether a released connection may serve the next transaction. When a write fails at
/// its commit (`SQLITE_FULL` on a full disk, an I/O error), SQLite may roll the transaction
/// back itself; the `ROLLBACK` that follows then fails and sqlx still counts a transaction
/// as open, so every later `BEGIN IMMEDIATE` on that connection would fail. Such a
/// connection is closed instead, and the pool opens a fresh one. A dropped transaction's
/// rollback is queued on the connection's worker, which takes commands in order: a ping
/// waits for it before the count is read again. A committed transaction needs no round
/// trip here (the safety level is set by each transaction's `BEGIN`, see [`BEGIN_SYNCED`]).
async fn reusable(connection: &mut SqliteConnection) -> Result<bool, sqlx::Error> {
    if connection.is_in_transaction() {
        connection.ping().await?;
    }
    Ok(!connection.is_in_transaction())
}

/// Begins an ordinary write transaction: its commit waits for the disk (`fdatasync` of the
/// WAL). A redoable transaction lowers the level on the writer connection, so every write
/// transaction sets its own level in the same round trip as its `BEGIN`, rather than the
/// level being put back by one more statement after each transaction.
const BEGIN_SYNCED: &str = "PRAGMA synchronous = FULL; BEGIN IMMEDIATE";

/// Begins a redoable write transaction: in WAL mode its commit is not synced, and the next
/// synced commit (or checkpoint) makes it durable. The level cannot change inside a
/// transaction, so it is set just before.
const BEGIN_REDOABLE: &str = "PRAGMA synchronous = NORMAL; BEGIN IMMEDIATE";

impl SqliteStore {
    /// A write transaction on the writer connection, begun by `begin` (one of the above).
    async fn write_transaction(&self, begin: &'static str) -> Result<sqlx::Transaction<'static, Db>, StoreError> {
        self.writer.begin_with(begin).await.map_err(classify)
    }
}

#[async_trait]
impl Store for SqliteStore {
    /// One statement on a reader connection, which SQLite runs as its own snapshot.
    async fn lookup_token(&self, hash: &str) -> Result<Option<directory::token::TokenRecord>, StoreError> {
        let mut connection = self.reader.acquire().await.map_err(classify)?;
        records::token_by_hash(&mut connection, hash).await
    }

    /// Passive checkpoints on a reader connection, mostly beside the job's next batch
    /// ([`catch_up::CatchUp::run`]).
    async fn catch_up(&self) -> Result<(), StoreError> {
        self.catch_up.run(&self.reader).await
    }

    async fn read(&self) -> Result<Box<dyn ReadTx>, StoreError> {
        let tx = self.reader.begin().await.map_err(classify)?;
        Ok(Box::new(SqlTx::new(tx)))
    }

    async fn begin(&self) -> Result<Box<dyn Tx>, StoreError> {
        Ok(Box::new(SqlTx::new(self.write_transaction(BEGIN_SYNCED).await?)))
    }

    /// `synchronous = NORMAL` for this one transaction ([`BEGIN_REDOABLE`]).
    async fn begin_redoable(&self) -> Result<Box<dyn Tx>, StoreError> {
        Ok(Box::new(SqlTx::new(self.write_transaction(BEGIN_REDOABLE).await?)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unique_violations_name_the_rule() {
        assert_eq!(
            constraint("UNIQUE constraint failed: users.upn_key"),
            Constraint::UserPrincipalName
        );
        assert_eq!(
            constraint("UNIQUE constraint failed: proxy_addresses.address_key"),
            Constraint::ProxyAddress
        );
        assert_eq!(
            constraint("UNIQUE constraint failed: group_members.group_id, group_members.user_id"),
            Constraint::Other("group_members.group_id, group_members.user_id".into())
        );
    }

    /// The safety level inside a write transaction begun by `begin`.
    async fn sync_level_in(store: &SqliteStore, begin: &'static str) -> i64 {
        let mut tx = store.write_transaction(begin).await.unwrap();
        sqlx::query_scalar("PRAGMA synchronous")
            .fetch_one(&mut *tx)
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn an_ordinary_transaction_syncs_its_commit_whatever_came_before() {
        const NORMAL: i64 = 1;
        const FULL: i64 = 2;
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("roster.db")).await.unwrap();
        assert_eq!(sync_level_in(&store, BEGIN_SYNCED).await, FULL);
        assert_eq!(sync_level_in(&store, BEGIN_REDOABLE).await, NORMAL);
        assert_eq!(sync_level_in(&store, BEGIN_SYNCED).await, FULL, "after a rollback");
        store.begin_redoable().await.unwrap().commit().await.unwrap();
        assert_eq!(sync_level_in(&store, BEGIN_SYNCED).await, FULL, "after a commit");
    }

    /// A dropped write transaction's connection is kept, not closed and reopened: the pool
    /// judges it after its rollback. (A temporary table lives as long as its connection.)
    #[tokio::test]
    async fn a_dropped_transaction_keeps_the_writer_connection() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("roster.db")).await.unwrap();
        let mut writer = store.writer.acquire().await.unwrap();
        sqlx::raw_sql("CREATE TEMP TABLE marker (x)")
            .execute(&mut *writer)
            .await
            .unwrap();
        drop(writer);
        for _ in 0..3 {
            drop(store.begin().await.unwrap());
            drop(store.begin_redoable().await.unwrap());
        }
        let mut writer = store.writer.acquire().await.unwrap();
        let marked: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM temp.sqlite_master WHERE name = 'marker'")
            .fetch_one(&mut *writer)
            .await
            .unwrap();
        assert_eq!(marked, 1, "the writer connection was replaced");
    }

    /// SQLite's plan for a bulk restore's `UPDATE … FROM (VALUES …)`, one line per step.
    async fn restore_rows_plan(store: &SqliteStore) -> Vec<String> {
        let upn = directory::upn::UserPrincipalName::parse("gone@example.com").unwrap();
        let user = directory::user::User::new(upn, "Gone", time::OffsetDateTime::UNIX_EPOCH);
        let mut query = sqlx::QueryBuilder::<Db>::new("EXPLAIN QUERY PLAN ");
        recycle_bin::push_restore_rows(&mut query, &vec![user; 100]);
        let mut writer = store.writer.acquire().await.unwrap();
        let steps: Vec<(i64, i64, i64, String)> = query.build_query_as().fetch_all(&mut *writer).await.unwrap();
        steps.into_iter().map(|(_, _, _, detail)| detail).collect()
    }

    /// Each restored row is found by its id; the whole bin is never read (issue 7: 16 ms
    /// per statement with 100,000 users in the bin when SQLite scanned `users_recycle_bin`).
    #[tokio::test]
    async fn a_bulk_restore_finds_each_row_by_its_id() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("roster.db")).await.unwrap();
        let plan = restore_rows_plan(&store).await;
        let by_id = |step: &String| step.starts_with("SEARCH users USING") && step.ends_with("(id=?)");
        let reads_bin = |step: &String| step.contains("_deleted_cover") || step.starts_with("SCAN users");
        assert!(plan.iter().any(by_id), "users not searched by id: {plan:?}");
        assert!(!plan.iter().any(reads_bin), "the bin is scanned: {plan:?}");
    }

    /// SQLite's plan for `sql`, one line per step.
    async fn plan(store: &SqliteStore, sql: &str) -> Vec<String> {
        let mut writer = store.writer.acquire().await.unwrap();
        let steps: Vec<(i64, i64, i64, String)> =
            sqlx::query_as(sqlx::AssertSqlSafe(format!("EXPLAIN QUERY PLAN {sql}")))
                .fetch_all(&mut *writer)
                .await
                .unwrap();
        steps.into_iter().map(|(_, _, _, detail)| detail).collect()
    }

    /// A step that reads a whole table, other than the one row of `recycle_bin_purge`.
    fn scans_a_table(step: &str) -> bool {
        step.starts_with("SCAN") && !step.starts_with("SCAN recycle_bin_purge")
    }

    /// A page of the bin in deletion order, first or deep, reads the bin's table in its
    /// key's order from the page's start and sorts nothing; forgetting what a purge left
    /// behind reads the table's start and deletes each entry by its key. Neither reads the
    /// whole bin.
    #[tokio::test]
    async fn the_bin_table_is_read_in_its_order_from_where_it_is_needed() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("roster.db")).await.unwrap();
        for cursor in ["", "deleted_at >= $3 AND (deleted_at, id) > ($3, $4) AND "] {
            let page = plan(&store, &bin_order::page_sql(cursor)).await;
            assert!(
                page.iter()
                    .any(|step| step.starts_with("SEARCH u USING PRIMARY KEY (deleted_at>?)")),
                "{page:?}"
            );
            let sorts = page
                .iter()
                .filter(|step| step.contains("TEMP B-TREE FOR ORDER BY"))
                .count();
            assert!(sorts <= 1, "only the page's own rows are sorted: {page:?}");
            assert!(!page.iter().any(|step| scans_a_table(step)), "{page:?}");
        }
        let forget = plan(&store, bin_order::FORGET).await;
        assert!(
            forget
                .iter()
                .any(|step| step.starts_with("SEARCH recycle_bin USING PRIMARY KEY (deleted_at=? AND id=?)")),
            "{forget:?}"
        );
        assert!(
            forget
                .iter()
                .any(|step| step.starts_with("SEARCH b USING PRIMARY KEY (deleted_at<?)")),
            "{forget:?}"
        );
        assert!(!forget.iter().any(|step| scans_a_table(step)), "{forget:?}");
    }

    #[test]
    fn times_are_microseconds() {
        let at = time::macros::datetime!(2026-01-05 09:00:00.000_001 UTC);
        assert_eq!(db_time::to_db(at), 1_767_603_600_000_001);
        assert_eq!(db_time::from_db(db_time::to_db(at)).ok(), Some(at));
    }
}
