//! PostgreSQL backups with PostgreSQL's own tools. `roster backup` opens a repeatable-read,
//! read-only transaction, exports its snapshot, reads the facts in it, and has
//! `pg_dump --format=custom --snapshot` dump Roster's schema (the first schema of the URL's
//! search path) from that same snapshot. Writers are never blocked; only DDL would wait.
//!
//! `roster restore-backup` restores into that same schema name, which must be missing or
//! hold no relations, with `pg_restore --single-transaction --exit-on-error`: a damaged
//! archive or any conflict restores nothing.

mod libpq;
mod schema;

use super::facts::{self, SnapshotFacts};
use super::output::Target;
use crate::settings::Database;
use anyhow::{Context, Result};
use sqlx::postgres::PgConnectOptions;
use sqlx::{ConnectOptions, Connection, PgConnection};
use std::path::Path;
use std::str::FromStr;

/// One connection to the database `url` names, in its search path.
pub(super) async fn connect(url: &str) -> Result<PgConnection> {
    let described = Database::Postgres { url: url.to_owned() }.describe();
    PgConnectOptions::from_str(url)
        .with_context(|| format!("bad database URL {described}"))?
        .connect()
        .await
        .with_context(|| format!("cannot connect to {described}"))
}

/// Dumps Roster's schema, as of one snapshot, into the target's temporary file.
pub(super) async fn backup(url: &str, target: &Target) -> Result<SnapshotFacts> {
    let mut connection = connect(url).await?;
    let server = schema::server_major(&mut connection).await?;
    let tool = libpq::Tool::find("pg_dump", server)?;
    let schema = schema::current(&mut connection).await?;
    sqlx::raw_sql("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        .execute(&mut connection)
        .await?;
    let snapshot: String = sqlx::query_scalar("SELECT pg_export_snapshot()")
        .fetch_one(&mut connection)
        .await
        .context("cannot export a snapshot")?;
    let facts = facts::of_postgres(&mut connection).await?;
    let args = vec![
        "--format=custom".to_owned(),
        format!("--snapshot={snapshot}"),
        format!("--schema={}", libpq::quote_pattern(&schema)),
        format!("--file={}", target.temp().display()),
    ];
    tool.run(url, args).await?;
    sqlx::raw_sql("COMMIT").execute(&mut connection).await?;
    connection.close().await?;
    Ok(facts)
}

/// Restores the archive into the URL's schema, which must be missing or empty.
pub(super) async fn restore(input: &Path, url: &str) -> Result<()> {
    let mut connection = connect(url).await?;
    let server = schema::server_major(&mut connection).await?;
    let tool = libpq::Tool::find("pg_restore", server)?;
    let not_usable = || {
        format!(
            "{} is not a usable Roster backup; nothing was restored",
            input.display()
        )
    };
    let contents = tool
        .run(url, vec!["--list".to_owned(), input.display().to_string()])
        .await
        .with_context(not_usable)?;
    let archived = schema::of_archive(&contents).with_context(not_usable)?;
    let migrations = vec![
        "--data-only".to_owned(),
        format!("--schema={archived}"),
        "--table=_sqlx_migrations".to_owned(),
        "--file=-".to_owned(),
        input.display().to_string(),
    ];
    let migrations = tool.run(url, migrations).await.with_context(not_usable)?;
    schema::refuse_unknown_migrations(&migrations, &store_postgres::PgStore::known_migrations())?;
    let exists = schema::check_target(&mut connection, &archived).await?;
    connection.close().await?;
    let list = libpq::TempList::write(&schema::entries_to_restore(&contents, &archived, exists))?;
    let args = vec![
        "--single-transaction".to_owned(),
        "--exit-on-error".to_owned(),
        "--no-owner".to_owned(),
        "--no-privileges".to_owned(),
        format!("--use-list={}", list.path().display()),
        format!("--dbname={}", libpq::database_conninfo(url)?),
        input.display().to_string(),
    ];
    tool.run(url, args).await.with_context(not_usable)?;
    Ok(())
}
