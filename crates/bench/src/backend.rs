//! Where a run keeps its directory: a fresh SQLite data directory, or a fresh schema in a
//! PostgreSQL database. The bench seeds it through the storage port and points
//! `roster serve` at the same place.

use anyhow::{Context, Result};
use directory::store::Store;
use std::path::PathBuf;
use std::sync::Arc;
use store_postgres::PgStore;
use store_sqlite::SqliteStore;

/// The schema a PostgreSQL run uses; dropped before and after the run.
const PG_SCHEMA: &str = "roster_bench";

#[derive(Debug)]
pub(crate) enum Backend {
    Sqlite { dir: tempfile::TempDir },
    Postgres { url: String },
}

impl Backend {
    pub(crate) fn sqlite() -> Result<Self> {
        let dir = tempfile::Builder::new()
            .prefix("roster-bench-")
            .tempdir()
            .context("cannot create a temporary data directory")?;
        Ok(Backend::Sqlite { dir })
    }

    /// A fresh schema in the database at `url`.
    pub(crate) async fn postgres(url: &str) -> Result<Self> {
        drop_schema(url).await?;
        Ok(Backend::Postgres { url: url.to_owned() })
    }

    pub(crate) fn name(&self) -> &'static str {
        match self {
            Backend::Sqlite { .. } => "SQLite",
            Backend::Postgres { .. } => "PostgreSQL",
        }
    }

    /// Opens the store, creating and migrating the database.
    pub(crate) async fn open(&self) -> Result<Arc<dyn Store>> {
        Ok(match self {
            Backend::Sqlite { dir } => Arc::new(SqliteStore::open(&self.sqlite_file(dir)).await?),
            Backend::Postgres { url } => Arc::new(PgStore::connect_in_schema(url, PG_SCHEMA).await?),
        })
    }

    /// The storage flags `roster serve` needs to use the same database.
    pub(crate) fn serve_args(&self) -> Vec<String> {
        match self {
            Backend::Sqlite { dir } => vec!["--data-dir".into(), dir.path().display().to_string()],
            Backend::Postgres { url } => {
                let separator = if url.contains('?') { '&' } else { '?' };
                let url = format!("{url}{separator}options[search_path]={PG_SCHEMA}");
                vec!["--database-url".into(), url]
            }
        }
    }

    fn sqlite_file(&self, dir: &tempfile::TempDir) -> PathBuf {
        dir.path().join("roster.db")
    }

    /// Brings PostgreSQL's statistics and visibility map up to date after a bulk seeding,
    /// as its autovacuum daemon does within a minute or so on a live server: without them
    /// the planner takes 100,000 freshly written rows for an empty table, and counts cannot
    /// use index-only scans. SQLite keeps no statistics unless asked, and Roster does not
    /// ask, so it is left as it is.
    pub(crate) async fn settle(&self) -> Result<()> {
        use sqlx::Connection;
        let Backend::Postgres { url } = self else {
            return Ok(());
        };
        let mut connection = sqlx::PgConnection::connect(url)
            .await
            .with_context(|| format!("cannot connect to PostgreSQL at {url}"))?;
        // Two statements: VACUUM cannot run inside the transaction a multi-statement query is.
        for statement in [format!("SET search_path TO {PG_SCHEMA}"), "VACUUM ANALYZE".to_owned()] {
            sqlx::raw_sql(sqlx::AssertSqlSafe(statement))
                .execute(&mut connection)
                .await
                .context("cannot vacuum and analyze the bench schema")?;
        }
        connection.close().await?;
        Ok(())
    }

    /// Leaves the data where it is (`--keep`) and says where that is.
    pub(crate) fn keep(self) -> String {
        match self {
            Backend::Sqlite { dir } => dir.keep().display().to_string(),
            Backend::Postgres { url } => format!("the schema {PG_SCHEMA} of {url}"),
        }
    }

    /// Removes what the run created (the temporary directory goes when dropped).
    pub(crate) async fn clean_up(self) -> Result<()> {
        if let Backend::Postgres { url } = &self {
            drop_schema(url).await?;
        }
        Ok(())
    }
}

/// Drops the bench schema. This is harness set-up, like the store tests' clean-up: with
/// `settle`, the only SQL outside the store crates, and it touches nothing but the
/// bench's own schema.
async fn drop_schema(url: &str) -> Result<()> {
    let pool = sqlx::PgPool::connect(url)
        .await
        .with_context(|| format!("cannot connect to PostgreSQL at {url}"))?;
    let statement = format!("DROP SCHEMA IF EXISTS {PG_SCHEMA} CASCADE");
    sqlx::query(sqlx::AssertSqlSafe(statement))
        .execute(&pool)
        .await
        .context("cannot drop the bench schema")?;
    pool.close().await;
    Ok(())
}
