//! `roster backup` and `roster restore-backup`: a consistent copy of the live database in one
//! file, and loading that file into an empty data directory or database.
//!
//! - SQLite ([`sqlite`]): `VACUUM INTO` on a read-only connection. In WAL mode that is one
//!   read transaction, so the copy is a single snapshot and the server's writer never waits.
//!   The result is a plain SQLite file; restoring checks `PRAGMA integrity_check`.
//! - PostgreSQL ([`postgres`]): `pg_dump --format=custom` of Roster's schema, reading an
//!   exported repeatable-read snapshot; restoring runs `pg_restore` in one transaction.
//!
//! Both print the users and the audit chain head *of the snapshot* ([`facts`]), read in the
//! same snapshot, so `roster audit verify --checkpoint` on the restored copy proves the log
//! was not cut. Only the database is saved: the data directory's `outbox/` holds mail that
//! was already delivered as files, and `roster.lock` is the running server's lock.

mod facts;
mod output;
mod postgres;
mod sqlite;

use crate::cli::{BackupArgs, RestoreBackupArgs};
use crate::settings::{self, Database};
use crate::storage::{self, Missing};
use anyhow::{Context, Result, anyhow};
use directory::Caller;
use facts::SnapshotFacts;

pub async fn backup(args: BackupArgs) -> Result<()> {
    let database = settings::storage(&args.storage)?;
    let target = output::Target::new(&args.output, args.force)?;
    let facts = match &database {
        Database::Sqlite { data_dir } => sqlite::backup(data_dir, &target).await?,
        Database::Postgres { url } => postgres::backup(url, &target).await?,
    };
    let size = target.commit()?;
    println!("backup written: {} ({size} bytes)", args.output.display());
    println!("from: {}", database.describe());
    print_facts(&facts);
    Ok(())
}

pub async fn restore(args: RestoreBackupArgs) -> Result<()> {
    let database = settings::storage(&args.storage)?;
    let input = &args.input;
    if !input.is_file() {
        return Err(anyhow!("there is no backup file at {}", input.display()));
    }
    let _lock = match &database {
        Database::Sqlite { data_dir } => Some(sqlite::restore(input, data_dir).await?),
        Database::Postgres { url } => {
            postgres::restore(input, url).await?;
            None
        }
    };
    let facts = match (open_and_verify(&database).await, &database) {
        (Ok(facts), _) => facts,
        (Err(error), Database::Sqlite { data_dir }) => {
            sqlite::undo_restore(data_dir);
            return Err(error.context("the restore was undone; the data directory is empty again"));
        }
        (Err(error), Database::Postgres { .. }) => {
            return Err(error.context("the restored tables are still in the schema; drop them before another try"));
        }
    };
    println!("restored {} into {}", input.display(), database.describe());
    print_facts(&facts);
    Ok(())
}

/// Opens the restored store as the server would (migrations included) and walks the
/// audit chain; returns what the restored database holds.
async fn open_and_verify(database: &Database) -> Result<SnapshotFacts> {
    let opened = storage::open_for_tool(database, Missing::Refuse)
        .await
        .context("the restored database does not open (was the backup made by another Roster version?)")?;
    let (directory, _) = crate::clock_sync::directory(opened.store).await?;
    let report = directory
        .verify_audit_chain(&Caller::system(), None)
        .await
        .map_err(super::explain)?;
    if let Some(broken) = report.first_break {
        return Err(anyhow!("the restored audit chain is broken: {broken}"));
    }
    println!("audit chain intact: {} records verified", report.verified);
    facts::read(database).await
}

fn print_facts(facts: &SnapshotFacts) {
    println!("users: {} active, {} deleted", facts.active_users, facts.deleted_users);
    println!("checkpoint: {}", facts.checkpoint);
}
