//! T15: a full disk under SQLite. The data directory lives on a small tmpfs; once it is
//! full, writes answer 503 in Graph's envelope (never 500) and leave no row behind, reads
//! keep working, and once space is freed writes work again and the file is intact.

use crate::api::Api;
use crate::backend::Backend;
use crate::inspect::{assert_audit_verify_passes, assert_chain_verifies, assert_sqlite_intact};
use crate::seed::Seeder;
use crate::server::{DOMAIN, Server};
use crate::support::{Deadline, exclusive, is_root};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// A tmpfs mounted on a temporary directory; unmounted on drop.
struct Tmpfs {
    dir: tempfile::TempDir,
}

impl Tmpfs {
    fn mount(size: &str) -> Tmpfs {
        assert!(
            is_root(),
            "the full-disk test mounts a size-limited tmpfs and must run as root; \
             run it as root (CI does) rather than skipping it"
        );
        let dir = tempfile::tempdir().expect("a temporary directory");
        let status = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir.path())
            .status()
            .expect("mount runs");
        assert!(status.success(), "mount -t tmpfs failed");
        Tmpfs { dir }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("--lazy").arg(self.dir.path()).status();
    }
}

/// Writes zeros into `path` until the file system refuses.
fn fill(path: &Path) {
    let mut file = std::fs::File::create(path).expect("the filler file");
    let chunk = vec![0_u8; 4096];
    while file.write_all(&chunk).and_then(|()| file.sync_data()).is_ok() {}
}

/// Checkpoints the WAL into the database and truncates it to nothing, so that the next
/// write must grow the WAL file (which a full disk refuses).
async fn truncate_wal(data_dir: &Path) {
    use sqlx::Connection;
    let url = format!("sqlite://{}", data_dir.join("roster.db").display());
    let mut connection = sqlx::SqliteConnection::connect(&url).await.unwrap();
    let (busy, _, _): (i64, i64, i64) = sqlx::query_as("PRAGMA wal_checkpoint(TRUNCATE)")
        .fetch_one(&mut connection)
        .await
        .unwrap();
    connection.close().await.unwrap();
    assert_eq!(busy, 0, "the checkpoint completed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_under_sqlite_answers_503_for_writes_and_recovers() {
    let _one = exclusive().await;
    let disk = Tmpfs::mount("64m");
    let data_dir: PathBuf = disk.path().join("data");
    let backend = Backend::sqlite_at(&data_dir);
    let store = backend.open().await;
    let seeder = Seeder::new(store.clone()).await;
    let token = seeder.token().await;
    let users = seeder.live("disk", 5).await;
    drop(seeder);
    let server = Server::start("t15", &backend.serve_args(), "1h");
    let api = Api::new(&server.base, &token, Duration::from_secs(30));
    let user = users[0].id.as_uuid();
    assert!(api.set_job_title(user, "before").await.unwrap().status.is_success());

    truncate_wal(&data_dir).await;
    let filler = disk.path().join("filler");
    fill(&filler);
    for n in 0..5 {
        let answer = api.set_job_title(user, &format!("refused {n}")).await.unwrap();
        assert_eq!(answer.status, 503, "a write on a full disk: {answer:?}");
        assert_eq!(answer.error_code(), Some("ServiceUnavailable"), "{answer:?}");
        assert!(answer.retry_after.is_some(), "503 with Retry-After: {answer:?}");
    }
    let created = api.create_user("full-disk-new", DOMAIN).await.unwrap();
    assert_eq!(created.status, 503, "a creation on a full disk: {created:?}");
    let read = api.get(&format!("/v1.0/users/{user}")).await.unwrap();
    assert!(read.status.is_success(), "reads keep working: {read:?}");
    assert_eq!(read.body["jobTitle"], "before", "no refused write is visible");
    assert!(api.get("/v1.0/users").await.unwrap().status.is_success());

    std::fs::remove_file(&filler).unwrap();
    let deadline = Deadline::after(Duration::from_secs(30), "writes to work again");
    while !api.set_job_title(user, "after").await.unwrap().status.is_success() {
        deadline.tick().await;
    }
    assert!(
        api.create_user("full-disk-later", DOMAIN)
            .await
            .unwrap()
            .status
            .is_success()
    );
    server.kill();

    let mut read = store.read().await.unwrap();
    let stored = read.user(users[0].id).await.unwrap().unwrap();
    assert_eq!(stored.job_title.as_deref(), Some("after"));
    let refused = read.user_by_upn_key(&format!("full-disk-new@{DOMAIN}")).await.unwrap();
    assert!(refused.is_none(), "the refused creation left no row");
    drop(read);
    assert_sqlite_intact(&data_dir).await;
    assert_chain_verifies(&store).await;
    drop(store);
    assert_audit_verify_passes(&backend.serve_args());
}
