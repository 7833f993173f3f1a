//! The storage contract on SQLite: each case gets a fresh database file in its own
//! temporary directory, and every `TestDb::store()` opens that file anew.

use std::sync::Arc;
use store_contract::TestDb;
use store_sqlite::SqliteStore;

async fn fresh_db() -> TestDb {
    let dir = Arc::new(tempfile::tempdir().expect("a temporary directory"));
    let raw_dir = Arc::clone(&dir);
    TestDb::new(move || {
        // The closure owns the directory, so it lives as long as the test's stores may.
        let dir = Arc::clone(&dir);
        Box::pin(async move {
            let store = SqliteStore::open(&dir.path().join("roster.db"))
                .await
                .expect("opening the SQLite store");
            Arc::new(store) as Arc<dyn directory::store::Store>
        })
    })
    .with_raw_sql(move |sql| {
        let path = raw_dir.path().join("roster.db");
        Box::pin(async move {
            use sqlx::Connection;
            let mut connection = sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display()))
                .await
                .expect("a raw connection");
            let result = sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(&mut connection).await;
            connection.close().await.expect("closing the raw connection");
            result.map(drop).map_err(|error| error.to_string())
        })
    })
}

store_contract::contract_tests!(fresh_db);
