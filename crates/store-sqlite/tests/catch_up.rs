//! `Store::catch_up` on SQLite: between a long job's batches it copies the write-ahead log
//! into the database file. While the log is short the copy runs in the background; the
//! first call, and a call after a checkpoint found the log past its bound (4,096 pages),
//! wait for theirs, so the next write starts the log over instead of appending to it (and
//! the log does not grow to the writer's own checkpoint threshold).

use directory::ids::UserId;
use directory::store::Store;
use directory::user::{NewUser, UserUpdate};
use directory::{Caller, Directory, ManualClock, password::Password, upn::UserPrincipalName};
use std::path::Path;
use std::sync::Arc;
use store_sqlite::SqliteStore;

fn log_size(db: &Path) -> u64 {
    std::fs::metadata(db.with_extension("db-wal")).unwrap().len()
}

async fn setup() -> (tempfile::TempDir, Arc<SqliteStore>, Directory, Vec<UserId>) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("roster.db");
    let store = Arc::new(SqliteStore::open(&path).await.unwrap());
    let directory = Directory::new(store.clone(), Arc::new(ManualClock::at_default_start()));
    let domain = directory::upn::DomainName::parse("contoso.com").unwrap();
    directory.initialize("Contoso", domain).await.unwrap();
    let password = Password::parse("a long enough passphrase", None).unwrap();
    let mut ids = Vec::new();
    for n in 0..20 {
        let upn = UserPrincipalName::parse(&format!("user{n}@contoso.com")).unwrap();
        let new = NewUser::new(upn, &format!("User {n}"), password.clone());
        ids.push(directory.create_user(&Caller::system(), new).await.unwrap().id);
    }
    (dir, store, directory, ids)
}

async fn rename(directory: &Directory, id: UserId, name: &str) {
    let update = UserUpdate {
        display_name: Some(name.to_owned()),
        ..UserUpdate::default()
    };
    directory.update_user(&Caller::system(), id, update).await.unwrap();
}

#[tokio::test]
async fn after_catching_up_the_next_write_starts_the_log_over() {
    let (dir, store, directory, ids) = setup().await;
    let path = dir.path().join("roster.db");

    let before = log_size(&path);
    rename(&directory, ids[0], "Appended").await;
    let appended = log_size(&path);
    assert!(
        appended > before,
        "a write appends to the log ({before} → {appended} bytes)"
    );

    store.catch_up().await.unwrap();
    rename(&directory, ids[1], "Started over").await;
    assert_eq!(
        log_size(&path),
        appended,
        "the write went to the log's start, not its end"
    );

    let system = Caller::system();
    assert_eq!(directory.user(&system, ids[0]).await.unwrap().display_name, "Appended");
    assert_eq!(
        directory.user(&system, ids[1]).await.unwrap().display_name,
        "Started over"
    );
}

/// How many frames the log holds and how many of them are copied into the database file,
/// from the `-shm` file SQLite shares between connections: its header's `mxFrame` (offset
/// 16) and, after the header's two copies, the checkpoint's `nBackfill` (offset 96).
fn frames_and_copied(db: &Path) -> (u32, u32) {
    let shm = std::fs::read(db.with_extension("db-shm")).unwrap();
    let word = |at: usize| u32::from_ne_bytes(shm[at..at + 4].try_into().unwrap());
    (word(16), word(96))
}

/// Writes `pages` pages of filler in one transaction of a connection of its own.
async fn fill_log(db: &Path, pages: u32) {
    use sqlx::Connection;
    let options = sqlx::sqlite::SqliteConnectOptions::new().filename(db);
    let mut connection = sqlx::SqliteConnection::connect_with(&options).await.unwrap();
    sqlx::raw_sql("CREATE TABLE IF NOT EXISTS filler (b BLOB)")
        .execute(&mut connection)
        .await
        .unwrap();
    sqlx::query(
        "WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1) \
         INSERT INTO filler SELECT zeroblob(3000) FROM n",
    )
    .bind(pages)
    .execute(&mut connection)
    .await
    .unwrap();
    connection.close().await.unwrap();
}

/// A catch-up on a short log copies it in the background and learns its length; once that
/// length is past the bound, the next catch-up returns only when the whole log is copied.
#[tokio::test]
async fn once_the_log_is_past_its_bound_a_catch_up_waits_for_the_whole_copy() {
    let (dir, store, directory, ids) = setup().await;
    let path = dir.path().join("roster.db");
    store.catch_up().await.unwrap();

    rename(&directory, ids[0], "Short log").await;
    store.catch_up().await.unwrap();
    store.catch_up_settled().await;
    let (frames, copied) = frames_and_copied(&path);
    assert_eq!(copied, frames, "the background copy took the short log");

    fill_log(&path, 5000).await;
    store.catch_up().await.unwrap();
    store.catch_up_settled().await;
    let (frames, _) = frames_and_copied(&path);
    assert!(frames > 5000, "the log grew past the bound: {frames} frames");

    rename(&directory, ids[1], "Next batch").await;
    store.catch_up().await.unwrap();
    let (frames, copied) = frames_and_copied(&path);
    assert_eq!(copied, frames, "the catch-up after the long log copied the whole log");

    let system = Caller::system();
    assert_eq!(directory.user(&system, ids[0]).await.unwrap().display_name, "Short log");
    assert_eq!(
        directory.user(&system, ids[1]).await.unwrap().display_name,
        "Next batch"
    );
}
