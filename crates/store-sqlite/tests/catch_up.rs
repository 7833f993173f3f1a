//! `Store::catch_up` on SQLite: between a long job's batches it copies the write-ahead log
//! into the database file, so the next write starts the log over instead of appending to
//! it (and the log seldom grows to the writer's own checkpoint threshold).

use directory::store::Store;
use directory::user::{NewUser, UserUpdate};
use directory::{Caller, Directory, ManualClock, password::Password, upn::UserPrincipalName};
use std::path::Path;
use std::sync::Arc;
use store_sqlite::SqliteStore;

fn log_size(db: &Path) -> u64 {
    std::fs::metadata(db.with_extension("db-wal")).unwrap().len()
}

#[tokio::test]
async fn after_catching_up_the_next_write_starts_the_log_over() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("roster.db");
    let store = Arc::new(SqliteStore::open(&path).await.unwrap());
    let directory = Directory::new(store.clone(), Arc::new(ManualClock::at_default_start()));
    let domain = directory::upn::DomainName::parse("contoso.com").unwrap();
    directory.initialize("Contoso", domain).await.unwrap();
    let system = Caller::system();
    let password = Password::parse("a long enough passphrase", None).unwrap();
    let mut ids = Vec::new();
    for n in 0..20 {
        let upn = UserPrincipalName::parse(&format!("user{n}@contoso.com")).unwrap();
        let new = NewUser::new(upn, &format!("User {n}"), password.clone());
        ids.push(directory.create_user(&system, new).await.unwrap().id);
    }
    let rename = |id, name: &str| {
        let update = UserUpdate {
            display_name: Some(name.to_owned()),
            ..UserUpdate::default()
        };
        directory.update_user(&system, id, update)
    };

    let before = log_size(&path);
    rename(ids[0], "Appended").await.unwrap();
    let appended = log_size(&path);
    assert!(
        appended > before,
        "a write appends to the log ({before} → {appended} bytes)"
    );

    store.catch_up().await.unwrap();
    rename(ids[1], "Started over").await.unwrap();
    assert_eq!(
        log_size(&path),
        appended,
        "the write went to the log's start, not its end"
    );

    assert_eq!(directory.user(&system, ids[0]).await.unwrap().display_name, "Appended");
    assert_eq!(
        directory.user(&system, ids[1]).await.unwrap().display_name,
        "Started over"
    );
}
