//! What a backup holds, read inside the snapshot itself: active and deleted users, and the
//! audit chain head (the `SEQ:HASH` checkpoint `roster audit verify --checkpoint` takes).
//! These are read-only queries on the backup's own connection, next to the snapshot they
//! describe; the directory's SQL proper stays in the store crates.

use crate::settings::Database;
use crate::storage::DATABASE_FILE;
use anyhow::{Context, Result};
use directory::audit_chain::ChainHead;
use sqlx::{Connection, PgConnection, SqliteConnection};

const FACTS: &str = "SELECT \
     (SELECT count(*) FROM users WHERE deleted_at IS NULL), \
     (SELECT count(*) FROM users WHERE deleted_at IS NOT NULL), \
     (SELECT seq FROM audit_chain_head WHERE singleton = 1), \
     (SELECT hash FROM audit_chain_head WHERE singleton = 1)";

type Row = (i64, i64, i64, String);

/// The users and the audit chain head at one snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct SnapshotFacts {
    pub(super) active_users: i64,
    pub(super) deleted_users: i64,
    pub(super) checkpoint: ChainHead,
}

impl From<Row> for SnapshotFacts {
    fn from((active_users, deleted_users, seq, hash): Row) -> Self {
        SnapshotFacts {
            active_users,
            deleted_users,
            checkpoint: ChainHead { seq, hash },
        }
    }
}

/// The facts of a SQLite database file, on an open connection to it.
pub(super) async fn of_sqlite(connection: &mut SqliteConnection) -> Result<SnapshotFacts> {
    let row: Row = sqlx::query_as(FACTS)
        .fetch_one(connection)
        .await
        .context("it holds no Roster directory")?;
    Ok(row.into())
}

/// The facts in the current transaction (or statement) of a PostgreSQL connection.
pub(super) async fn of_postgres(connection: &mut PgConnection) -> Result<SnapshotFacts> {
    let row: Row = sqlx::query_as(FACTS)
        .fetch_one(connection)
        .await
        .context("the schema holds no Roster directory")?;
    Ok(row.into())
}

/// The facts of the configured database, as it is now.
pub(super) async fn read(database: &Database) -> Result<SnapshotFacts> {
    match database {
        Database::Sqlite { data_dir } => {
            let mut connection = super::sqlite::read_only(&data_dir.join(DATABASE_FILE)).await?;
            let facts = of_sqlite(&mut connection).await;
            connection.close().await?;
            facts
        }
        Database::Postgres { url } => {
            let mut connection = super::postgres::connect(url).await?;
            let facts = of_postgres(&mut connection).await;
            connection.close().await?;
            facts
        }
    }
}
