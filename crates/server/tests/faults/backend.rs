//! Where a fault test keeps its directory: a SQLite data directory, or a fresh schema in a
//! PostgreSQL database (the shared test database, or a private cluster). The test opens
//! the store itself to seed and to inspect, and points `roster serve` at the same place.

use directory::store::Store;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use store_postgres::PgStore;
use store_sqlite::SqliteStore;

const DEFAULT_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

/// The shared test database (`ROSTER_TEST_DATABASE_URL`).
pub(crate) fn test_database_url() -> String {
    std::env::var("ROSTER_TEST_DATABASE_URL").unwrap_or_else(|_| DEFAULT_URL.to_owned())
}

#[derive(Debug)]
pub(crate) enum Backend {
    Sqlite {
        data_dir: PathBuf,
        _temp: Option<tempfile::TempDir>,
    },
    Postgres {
        url: String,
        schema: String,
        /// Where the server's outbox goes (mail is written as files without SMTP).
        scratch: tempfile::TempDir,
    },
}

impl Backend {
    /// A fresh temporary data directory.
    pub(crate) fn sqlite() -> Backend {
        let temp = tempfile::tempdir().expect("a temporary directory");
        Backend::Sqlite {
            data_dir: temp.path().join("data"),
            _temp: Some(temp),
        }
    }

    /// A data directory at `path` that someone else cleans up.
    pub(crate) fn sqlite_at(path: &Path) -> Backend {
        Backend::Sqlite {
            data_dir: path.to_owned(),
            _temp: None,
        }
    }

    /// A fresh schema in the shared test database.
    pub(crate) fn postgres() -> Backend {
        let schema = format!("roster_faults_{}", uuid::Uuid::new_v4().simple());
        Backend::postgres_at(&test_database_url(), &schema)
    }

    /// `schema` in the database at `url`.
    pub(crate) fn postgres_at(url: &str, schema: &str) -> Backend {
        Backend::Postgres {
            url: url.to_owned(),
            schema: schema.to_owned(),
            scratch: tempfile::tempdir().expect("a temporary directory"),
        }
    }

    pub(crate) fn name(&self) -> &'static str {
        match self {
            Backend::Sqlite { .. } => "sqlite",
            Backend::Postgres { .. } => "postgres",
        }
    }

    /// Opens the store (creating and migrating the database), as another process would.
    pub(crate) async fn open(&self) -> Arc<dyn Store> {
        match self {
            Backend::Sqlite { data_dir, .. } => {
                std::fs::create_dir_all(data_dir).expect("the data directory");
                let store = SqliteStore::open(&data_dir.join("roster.db")).await;
                Arc::new(store.unwrap_or_else(|e| panic!("cannot open {}: {e}", data_dir.display())))
            }
            Backend::Postgres { url, schema, .. } => match PgStore::connect_in_schema(url, schema).await {
                Ok(store) => Arc::new(store),
                Err(error) => panic!(
                    "cannot open PostgreSQL at {url} ({error}). Start PostgreSQL, or set \
                     ROSTER_TEST_DATABASE_URL to a database these tests may create schemas in."
                ),
            },
        }
    }

    /// The storage flags for `roster serve`.
    pub(crate) fn serve_args(&self) -> Vec<String> {
        match self {
            Backend::Sqlite { data_dir, .. } => vec!["--data-dir".into(), data_dir.display().to_string()],
            Backend::Postgres { url, schema, scratch } => {
                let separator = if url.contains('?') { '&' } else { '?' };
                vec![
                    "--database-url".into(),
                    format!("{url}{separator}options[search_path]={schema}"),
                    "--data-dir".into(),
                    scratch.path().display().to_string(),
                ]
            }
        }
    }

    /// The SQLite data directory (for the tests that only run on SQLite).
    pub(crate) fn data_dir(&self) -> &Path {
        match self {
            Backend::Sqlite { data_dir, .. } => data_dir,
            Backend::Postgres { .. } => panic!("a PostgreSQL backend has no data directory"),
        }
    }

    /// Drops a PostgreSQL test's schema; a failure only leaves litter behind.
    pub(crate) async fn clean_up(&self) {
        let Backend::Postgres { url, schema, .. } = self else {
            return;
        };
        let Ok(pool) = sqlx::PgPool::connect(url).await else {
            return;
        };
        let statement = format!("DROP SCHEMA IF EXISTS {schema} CASCADE");
        let _ = sqlx::query(sqlx::AssertSqlSafe(statement)).execute(&pool).await;
        pool.close().await;
    }
}
