//! Where this binary keeps the directory: a fresh schema per test app in the PostgreSQL
//! test database (`ROSTER_TEST_DATABASE_URL`, default `postgres://postgres@127.0.0.1:5432/test`),
//! dropped with the app.

use directory::store::Store;
use sqlx::Connection;
use std::sync::Arc;
use store_postgres::PgStore;

const DEFAULT_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

fn url() -> String {
    std::env::var("ROSTER_TEST_DATABASE_URL").unwrap_or_else(|_| DEFAULT_URL.to_owned())
}

/// A test app's schema; dropping it drops the schema.
pub(crate) struct Storage {
    url: String,
    schema: String,
}

/// A fresh, migrated store in a schema of its own. The name is unique, so a schema that a
/// killed run left behind is litter, never a collision.
pub(crate) async fn open() -> (Arc<dyn Store>, Storage) {
    let storage = Storage {
        url: url(),
        schema: format!("roster_app_{}", uuid::Uuid::new_v4().simple()),
    };
    match PgStore::connect_in_schema(&storage.url, &storage.schema).await {
        Ok(store) => (Arc::new(store), storage),
        Err(error) => panic!(
            "cannot open PostgreSQL at {} ({error}). Start PostgreSQL, or set \
             ROSTER_TEST_DATABASE_URL to a database these tests may create schemas in.",
            storage.url
        ),
    }
}

impl Storage {
    /// The database URL with the schema as its search path, for `roster --database-url`.
    #[allow(
        dead_code,
        reason = "used by tests/mail_postgres, not by every binary that compiles this file"
    )]
    pub(crate) fn url_in_schema(&self) -> String {
        let separator = if self.url.contains('?') { '&' } else { '?' };
        format!("{}{separator}options[search_path]={}", self.url, self.schema)
    }
}

impl Drop for Storage {
    /// `Drop` cannot await, and runs on the test's runtime, on none (a test that builds its
    /// own), or while a failed test unwinds; so the schema is dropped from a thread with a
    /// runtime of its own. A failure leaves only litter behind, and a panic here while
    /// unwinding would abort the whole binary, so nothing is unwrapped.
    fn drop(&mut self) {
        let (url, schema) = (self.url.clone(), self.schema.clone());
        let cleanup = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build();
            if let Ok(runtime) = runtime {
                runtime.block_on(drop_schema(&url, &schema));
            }
        });
        let _ = cleanup.join();
    }
}

/// Drops `schema`. The app's idle connections hold no locks; a transaction a failed test
/// left open (frozen with a current-thread runtime blocked here) is ended by the server's
/// `idle_in_transaction_session_timeout` of 5 s, well inside this lock timeout.
async fn drop_schema(url: &str, schema: &str) {
    let Ok(mut connection) = sqlx::PgConnection::connect(url).await else {
        return;
    };
    let statement = format!("SET lock_timeout = '30s'; DROP SCHEMA IF EXISTS {schema} CASCADE");
    let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(statement))
        .execute(&mut connection)
        .await;
    let _ = connection.close().await;
}
