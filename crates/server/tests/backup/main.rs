//! T36: `roster backup` under write load and `roster restore-backup` into a fresh instance,
//! on SQLite and PostgreSQL. Every write acknowledged before the backup started must be in
//! the restored instance with its effect, the audit chain must verify against the
//! checkpoint the backup printed, and a user deleted in the backup must still restore.
//! Restoring over data, a damaged file or a missing `pg_dump` are refused and change nothing.

mod load;
#[path = "../common/process.rs"]
mod process;
mod refusals;
mod support;

use load::{Graph, Load, State};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};
use support::{Backend, Server, Store, admin_token, line_value, roster_ok};

/// Writers running at once during the backup.
const WRITERS: usize = 4;
/// Users the seed writer makes (every third one ends deleted) before the load starts.
const SEED_USERS: usize = 6;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_backup_under_load_keeps_every_acknowledged_write() {
    backup_under_load(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_backup_under_load_keeps_every_acknowledged_write() {
    backup_under_load(Backend::Postgres).await;
}

/// Polls until `acked` reaches `count`, failing after a minute.
async fn wait_for_acks(load: &Load, count: usize) {
    let deadline = Instant::now() + Duration::from_secs(120);
    while load.acked.load(Ordering::SeqCst) < count {
        assert!(
            Instant::now() < deadline,
            "the load never reached {count} acknowledged writes"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// What `roster backup` printed.
#[derive(Debug)]
struct Printed {
    users: String,
    checkpoint: String,
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
    }
}

async fn backup_under_load(backend: Backend) {
    let root = tempfile::tempdir().unwrap();
    let source = Store::fresh(backend, root.path(), "source", true);
    let server = Server::start(&source);
    let graph = Graph::new(&server.base, &admin_token(&source));
    let load = Load::default();
    load.clone().write(graph.clone(), "seed".into(), Some(SEED_USERS)).await;
    let writers: Vec<_> = (0..WRITERS)
        .map(|k| tokio::spawn(load.clone().write(graph.clone(), format!("w{k}"), None)))
        .collect();
    wait_for_acks(&load, load.acked.load(Ordering::SeqCst) + 20).await;

    let file = root.path().join("roster.backup");
    let started = Instant::now();
    let acked_before = load.acked.load(Ordering::SeqCst);
    let (storage, into) = (source.args(), file.clone());
    let printed = tokio::task::spawn_blocking(move || take_backup(storage, &into))
        .await
        .unwrap();
    let ended = Instant::now();
    let acked_during = load.acked.load(Ordering::SeqCst) - acked_before;
    wait_for_acks(&load, acked_before + acked_during + 10).await;
    load.stop();
    for writer in writers {
        writer.await.unwrap();
    }
    let deadlines = purge_deadlines(&graph, &load, started, ended).await;
    server.stop();
    eprintln!(
        "{backend:?}: {acked_before} writes acknowledged before the backup, {acked_during} during it ({:?})",
        ended - started
    );

    let target = Store::fresh(backend, root.path(), "target", false);
    let restored = roster_ok(&target.command(&["restore-backup", "--input", &file.display().to_string()], &[]));
    assert_eq!(line_value(&restored, "checkpoint: "), printed.checkpoint, "{restored}");
    assert_eq!(line_value(&restored, "users: "), printed.users, "{restored}");
    let verified = roster_ok(&target.command(&["audit", "verify", "--checkpoint", &printed.checkpoint], &[]));
    assert!(verified.contains("audit chain intact"), "{verified}");

    let server = Server::start(&target);
    let graph = Graph::new(&server.base, &admin_token(&target));
    check_acknowledged_writes(&graph, &load, started, ended).await;
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

/// Every user whose history allows only "deleted" at the backup: id and deletion time as
/// the source server reports them (the purge deadline follows from it).
async fn purge_deadlines(
    graph: &Graph,
    load: &Load,
    started: Instant,
    ended: Instant,
) -> Vec<(String, serde_json::Value)> {
    let history = load.history.lock().unwrap().clone();
    let mut deadlines = Vec::new();
    for user in history {
        let (Some(id), Some(allowed)) = (&user.id, user.allowed(started, ended)) else {
            continue;
        };
        if allowed.iter().all(|state| *state == State::Deleted) {
            let path = format!("/directory/deletedItems/{id}");
            let (_, body) = graph.send(reqwest::Method::GET, &path, None).await;
            assert!(body["deletedDateTime"].is_string(), "{body}");
            deadlines.push((id.clone(), body["deletedDateTime"].clone()));
        }
    }
    deadlines
}

/// Each user acknowledged before the backup started is in a state the history allows.
async fn check_acknowledged_writes(graph: &Graph, load: &Load, started: Instant, ended: Instant) {
    let history = load.history.lock().unwrap().clone();
    let mut checked = 0;
    for user in &history {
        let (Some(id), Some(allowed)) = (&user.id, user.allowed(started, ended)) else {
            continue;
        };
        let found = graph.state(id).await;
        assert!(
            allowed.contains(&found),
            "{} is {found:?} after the restore, but its history allows only {allowed:?}: {:?}",
            user.upn,
            user.ops
        );
        checked += 1;
    }
    assert!(
        checked > SEED_USERS,
        "only {checked} users were acknowledged before the backup"
    );
}
