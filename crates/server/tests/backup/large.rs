//! T36 at a larger size: `ROSTER_BACKUP_USERS=N` seeds N users straight through the
//! storage port (the fault tests' seeder: one password hash, 500 users a transaction) before
//! the server starts, so that `roster backup` takes seconds while the writers keep writing.
//! A quarter of them are in the recycle bin. Unset, nothing is seeded and the server
//! creates the organisation itself.

use crate::seed::Seeder;
use crate::support::Store;
use directory::store::Store as Port;
use std::sync::Arc;
use std::time::Instant;
use store_postgres::PgStore;
use store_sqlite::SqliteStore;

/// Creates the organisation and `count` users in `store` (nothing when `count` is 0).
pub(crate) async fn seed(store: &Store, count: usize) {
    if count == 0 {
        return;
    }
    let started = Instant::now();
    let seeder = Seeder::new(open(store).await).await;
    let (_, binned) = seeder
        .population(("bulk", "binned"), count, time::Duration::days(1))
        .await;
    let backend = match store {
        Store::Sqlite { .. } => "Sqlite",
        Store::Postgres { .. } => "Postgres",
    };
    eprintln!(
        "{backend}: seeded {count} users ({binned} deleted) in {:?}",
        started.elapsed()
    );
}

/// Opens the store as another process would (creating and migrating the database).
async fn open(store: &Store) -> Arc<dyn Port> {
    match store {
        Store::Sqlite { data_dir } => {
            std::fs::create_dir_all(data_dir).expect("the data directory");
            Arc::new(
                SqliteStore::open(&data_dir.join("roster.db"))
                    .await
                    .expect("SQLite opens"),
            )
        }
        Store::Postgres { url, .. } => Arc::new(PgStore::connect(url).await.expect("PostgreSQL opens")),
    }
}
