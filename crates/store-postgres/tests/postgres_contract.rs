//! The storage contract on PostgreSQL: each case gets a fresh schema in the test database
//! (`ROSTER_TEST_DATABASE_URL`, default `postgres://postgres@127.0.0.1:5432/test`), and every
//! `TestDb::store()` connects to it anew, as another process would.

use std::sync::Arc;
use store_contract::TestDb;
use store_postgres::PgStore;

const DEFAULT_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

fn url() -> String {
    std::env::var("ROSTER_TEST_DATABASE_URL").unwrap_or_else(|_| DEFAULT_URL.to_owned())
}

async fn connect(url: &str, schema: &str) -> PgStore {
    match PgStore::connect_in_schema(url, schema).await {
        Ok(store) => store,
        Err(error) => panic!(
            "cannot open the PostgreSQL test database at {url} ({error}). Start PostgreSQL with \
             `pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`, or set \
             ROSTER_TEST_DATABASE_URL to a database these tests may create schemas in."
        ),
    }
}

async fn fresh_db() -> TestDb {
    let url = url();
    let schema = format!("roster_t_{}", uuid::Uuid::new_v4().simple());
    // Fail here, once, with the clear message, rather than inside a case.
    drop(connect(&url, &schema).await);
    let (cleanup_url, cleanup_schema) = (url.clone(), schema.clone());
    let (raw_url, raw_schema) = (url.clone(), schema.clone());
    TestDb::new(move || {
        let (url, schema) = (url.clone(), schema.clone());
        Box::pin(async move { Arc::new(connect(&url, &schema).await) as Arc<dyn directory::store::Store> })
    })
    .with_cleanup(move || Box::pin(drop_schema(cleanup_url.clone(), cleanup_schema.clone())))
    .with_raw_sql(move |sql| Box::pin(raw_sql(raw_url.clone(), raw_schema.clone(), sql)))
}

/// Runs SQL in a case's schema, around the store (the tamper cases).
async fn raw_sql(url: String, schema: String, sql: String) -> Result<(), String> {
    let pool = sqlx::PgPool::connect(&url).await.expect("a raw connection");
    let statements = format!("SET search_path TO {schema}; {sql}");
    let result = sqlx::raw_sql(sqlx::AssertSqlSafe(statements)).execute(&pool).await;
    pool.close().await;
    result.map(drop).map_err(|error| error.to_string())
}

/// Drops a passed case's schema; a failure to do so only leaves litter behind.
async fn drop_schema(url: String, schema: String) {
    let Ok(pool) = sqlx::PgPool::connect(&url).await else {
        return;
    };
    let statement = format!("DROP SCHEMA IF EXISTS {schema} CASCADE");
    let _ = sqlx::query(sqlx::AssertSqlSafe(statement)).execute(&pool).await;
    pool.close().await;
}

store_contract::contract_tests!(fresh_db);
