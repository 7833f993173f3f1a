//! T36: `roster backup` under write load and `roster restore-backup` into a fresh instance,
//! on SQLite and PostgreSQL. Every write acknowledged before the backup started must be in
//! the restored instance with its effect, the audit chain must verify against the
//! checkpoint the backup printed, and a user deleted in the backup must still restore.
//! Restoring over data, a damaged file or a missing `pg_dump` are refused and change nothing.
//! `ROSTER_BACKUP_USERS=N` first seeds N users through the storage port (with the fault
//! tests' `seed.rs`), so that on a larger database the backup runs while many writes land.

mod large;
mod load;
#[path = "../common/process.rs"]
mod process;
mod refusals;
#[path = "../faults/seed.rs"]
#[allow(dead_code)] // the fault tests use the rest
mod seed;
mod support;
#[path = "../common/write_load.rs"]
mod write_load;

/// What `seed.rs` takes from the fault tests' `server` module: the domain users get.
mod server {
    pub(crate) const DOMAIN: &str = "contoso.com";
}

use load::Graph;
use std::time::{Duration, Instant};
use support::{Backend, Server, Store, admin_token, line_value, roster_ok};
use write_load::{Load, State};

/// Writers running at once during the backup.
const WRITERS: usize = 4;
/// Users the seed writer makes (every third one ends deleted) before the load starts.
const SEED_USERS: usize = 6;
/// How long the load may take to reach a count of acknowledged writes.
const PATIENCE: Duration = Duration::from_secs(120);

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_backup_under_load_keeps_every_acknowledged_write() {
    backup_under_load(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_backup_under_load_keeps_every_acknowledged_write() {
    backup_under_load(Backend::Postgres).await;
}

/// What `roster backup` printed, and the file's size.
#[derive(Debug)]
struct Printed {
    users: String,
    checkpoint: String,
    size: u64,
}

/// Runs `roster backup` with these storage flags and checks the size it reports.
fn take_backup(storage: Vec<String>, file: &std::path::Path) -> Printed {
    let mut args = support::strings(&["backup", "--output", &file.display().to_string()]);
    args.extend(storage);
    let output = roster_ok(&args);
    let written = line_value(&output, "backup written: ");
    let size = std::fs::metadata(file).unwrap().len();
    assert_eq!(written, format!("{} ({size} bytes)", file.display()), "{output}");
    Printed {
        users: line_value(&output, "users: "),
        checkpoint: line_value(&output, "checkpoint: "),
        size,
    }
}

/// A backup taken while the load runs: what it printed, when it ran, and how many writes
/// were acknowledged before it started and while it ran.
struct Taken {
    printed: Printed,
    started: Instant,
    ended: Instant,
    acked_before: usize,
    acked_during: usize,
}

impl Taken {
    async fn under(load: &Load, source: &Store, file: &std::path::Path) -> Taken {
        let started = Instant::now();
        let acked_before = load.acked();
        let (storage, into) = (source.args(), file.to_owned());
        let printed = tokio::task::spawn_blocking(move || take_backup(storage, &into))
            .await
            .unwrap();
        let ended = Instant::now();
        let acked_during = load.acked() - acked_before;
        Taken {
            printed,
            started,
            ended,
            acked_before,
            acked_during,
        }
    }
}

async fn backup_under_load(backend: Backend) {
    let root = tempfile::tempdir().unwrap();
    let source = Store::fresh(backend, root.path(), "source", true);
    large::seed(&source, seed::count_from_env("ROSTER_BACKUP_USERS")).await;
    let server = Server::start(&source);
    let graph = Graph::new(&server.base, &admin_token(&source));
    let load = Load::default();
    load.clone()
        .write(graph.clone(), "seedn".into(), Some(SEED_USERS))
        .await;
    let writers: Vec<_> = (0..WRITERS)
        .map(|k| tokio::spawn(load.clone().write(graph.clone(), format!("w{k}n"), None)))
        .collect();
    load.wait_for(load.acked() + 20, PATIENCE).await;

    let file = root.path().join("roster.backup");
    let taken = Taken::under(&load, &source, &file).await;
    load.wait_for(taken.acked_before + taken.acked_during + 10, PATIENCE)
        .await;
    load.stop();
    for writer in writers {
        writer.await.unwrap();
    }
    let deadlines = purge_deadlines(&graph, &load, &taken).await;
    server.stop();
    eprintln!(
        "{backend:?}: {} writes acknowledged before the backup, {} during it ({:?}, {} bytes)",
        taken.acked_before,
        taken.acked_during,
        taken.ended - taken.started,
        taken.printed.size
    );

    let target = Store::fresh(backend, root.path(), "target", false);
    let took = restore(&target, &file, &taken.printed);
    eprintln!("{backend:?}: restored in {took:?}");
    let server = Server::start(&target);
    let graph = Graph::new(&server.base, &admin_token(&target));
    check_acknowledged_writes(&graph, &load, &taken).await;
    for (id, deleted_at) in &deadlines {
        let (status, body) = graph
            .send(reqwest::Method::GET, &format!("/directory/deletedItems/{id}"), None)
            .await;
        assert_eq!(status, reqwest::StatusCode::OK, "{body}");
        assert_eq!(&body["deletedDateTime"], deleted_at, "the purge deadline is kept");
    }
    let (id, _) = deadlines.first().expect("a user deleted before the backup");
    let path = format!("/directory/deletedItems/{id}/restore");
    let (status, body) = graph.send(reqwest::Method::POST, &path, None).await;
    assert_eq!(status, reqwest::StatusCode::OK, "a deleted user restores: {body}");
    assert_eq!(graph.state(id).await, State::Active);
    server.stop();
}

/// Restores the backup into `target`: its counts and checkpoint are the backup's, and the
/// audit chain verifies against that checkpoint. Returns how long `restore-backup` took.
fn restore(target: &Store, file: &std::path::Path, printed: &Printed) -> Duration {
    let started = Instant::now();
    let restored = roster_ok(&target.command(&["restore-backup", "--input", &file.display().to_string()], &[]));
    let took = started.elapsed();
    assert_eq!(line_value(&restored, "checkpoint: "), printed.checkpoint, "{restored}");
    assert_eq!(line_value(&restored, "users: "), printed.users, "{restored}");
    let verified = roster_ok(&target.command(&["audit", "verify", "--checkpoint", &printed.checkpoint], &[]));
    assert!(verified.contains("audit chain intact"), "{verified}");
    took
}

/// Every user whose history allows only "deleted" at the backup: id and deletion time as
/// the source server reports them (the purge deadline follows from it).
async fn purge_deadlines(graph: &Graph, load: &Load, taken: &Taken) -> Vec<(String, serde_json::Value)> {
    let mut deadlines = Vec::new();
    for id in load.only_deleted(taken.started, taken.ended) {
        let path = format!("/directory/deletedItems/{id}");
        let (_, body) = graph.send(reqwest::Method::GET, &path, None).await;
        assert!(body["deletedDateTime"].is_string(), "{body}");
        deadlines.push((id, body["deletedDateTime"].clone()));
    }
    deadlines
}

/// Each user acknowledged before the backup started is in a state the history allows.
async fn check_acknowledged_writes(graph: &Graph, load: &Load, taken: &Taken) {
    let mut checked = 0;
    for user in load.history() {
        let Some(id) = &user.id else { continue };
        if !user.acknowledged_before(taken.started) {
            continue;
        }
        let allowed = user.allowed(taken.started, taken.ended);
        let found = graph.state(id).await;
        assert!(
            allowed.contains(&found),
            "{}@contoso.com is {found:?} after the restore, but its history allows only {allowed:?}: {:?}",
            user.name,
            user.ops
        );
        checked += 1;
    }
    assert!(
        checked > SEED_USERS,
        "only {checked} users were acknowledged before the backup"
    );
}
