//! `Store::catch_up` on SQLite: between a long job's batches it copies the write-ahead log
//! into the database file, so the next write starts the log over instead of appending to
//! it (and the log seldom grows to the writer's own checkpoint threshold). The first call
//! and every fourth after it wait for their copy; those between start it in the background.

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

/// Three catch-ups that return at once, then one that waits: that one finishes the log,
/// even though a background copy may still be running when it is called.
#[tokio::test]
async fn every_fourth_catch_up_copies_the_whole_log_after_those_in_the_background() {
    let (dir, store, directory, ids) = setup().await;
    let path = dir.path().join("roster.db");
    store.catch_up().await.unwrap();
    for (n, id) in ids[..12].iter().enumerate() {
        rename(&directory, *id, &format!("Batch {n}")).await;
        store.catch_up().await.unwrap();
        if n % 4 == 3 {
            let (frames, copied) = frames_and_copied(&path);
            assert_eq!(
                copied, frames,
                "a waited-for catch-up (after batch {n}) copies the whole log"
            );
        }
    }
    let system = Caller::system();
    for (n, id) in ids[..12].iter().enumerate() {
        assert_eq!(
            directory.user(&system, *id).await.unwrap().display_name,
            format!("Batch {n}")
        );
    }
}
