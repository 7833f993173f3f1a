//! T10: a write storm on SQLite, killed with SIGKILL again and again. Writers update and
//! create users over HTTP; after every restart each acknowledged write (a 2xx received)
//! is in the database, `PRAGMA integrity_check` says ok and `roster audit verify` passes.

use crate::api::Api;
use crate::backend::Backend;
use crate::inspect::{assert_audit_verify_passes, assert_chain_verifies, assert_sqlite_intact};
use crate::seed::{Seeded, Seeder};
use crate::server::{DOMAIN, Server};
use crate::support::{Deadline, exclusive, scale};
use directory::ids::UserId;
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const WRITERS: usize = 6;
const USERS_PER_WRITER: usize = 4;
/// Every how many updates a writer also creates a user (creating hashes a password).
const CREATE_EVERY: u64 = 8;

/// What the server acknowledged: the highest job-title number per user, and created users.
#[derive(Debug, Default)]
struct Acknowledged {
    titles: HashMap<UserId, u64>,
    created: Vec<(uuid::Uuid, String)>,
    /// Any answer that was neither 2xx nor a refusal to retry (503): a bug.
    unexpected: Vec<String>,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_writes_survive_repeated_sigkill_on_sqlite() {
    let _one = exclusive().await;
    let backend = Backend::sqlite();
    let store = backend.open().await;
    let seeder = Seeder::new(store.clone()).await;
    let token = seeder.token().await;
    let users = seeder.live("storm", WRITERS * USERS_PER_WRITER).await;
    drop(seeder);
    drop(store);
    let acked = Arc::new(Mutex::new(Acknowledged::default()));
    let sequence = Arc::new(AtomicUsize::new(0));
    for round in 0..3 * scale() {
        storm_round(&backend, &token, &users, &acked, &sequence, round).await;
        check_after_kill(&backend, &acked).await;
    }
    let acked = acked.lock().unwrap();
    assert!(
        acked.unexpected.is_empty(),
        "unexpected answers: {:?}",
        acked.unexpected
    );
}

/// Starts the server, lets the writers run until a few more writes were acknowledged,
/// and kills it under them.
async fn storm_round(
    backend: &Backend,
    token: &str,
    users: &[Seeded],
    acked: &Arc<Mutex<Acknowledged>>,
    sequence: &Arc<AtomicUsize>,
    round: usize,
) {
    let server = Server::start(&format!("t10-round{round}"), &backend.serve_args(), "1h");
    let api = Api::new(&server.base, token, Duration::from_secs(60));
    let done = Arc::new(AtomicUsize::new(0));
    let mut writers = tokio::task::JoinSet::new();
    for (w, mine) in users.chunks(USERS_PER_WRITER).enumerate() {
        let writer = Writer {
            api: api.clone(),
            users: mine.iter().map(|u| u.id).collect(),
            acked: acked.clone(),
            sequence: sequence.clone(),
            done: done.clone(),
            name: format!("storm-r{round}-w{w}"),
        };
        writers.spawn(writer.run());
    }
    let target = 40 + 20 * (round % 3);
    let deadline = Deadline::after(Duration::from_secs(120), format!("{target} acknowledged writes"));
    while done.load(Ordering::SeqCst) < target {
        deadline.tick().await;
    }
    server.kill();
    while writers.join_next().await.is_some() {}
}

async fn check_after_kill(backend: &Backend, acked: &Arc<Mutex<Acknowledged>>) {
    assert_sqlite_intact(backend.data_dir()).await;
    let store = backend.open().await;
    let (titles, created) = {
        let acked = acked.lock().unwrap();
        (acked.titles.clone(), acked.created.clone())
    };
    let mut read = store.read().await.unwrap();
    for (id, acknowledged) in titles {
        let user = read.user(id).await.unwrap().expect("a seeded user");
        let stored: u64 = user.job_title.as_deref().and_then(|t| t.parse().ok()).unwrap_or(0);
        assert!(
            stored >= acknowledged,
            "job title {stored} of {id:?} is older than acknowledged {acknowledged}"
        );
    }
    for (id, upn) in created {
        let user = read.user(UserId(id)).await.unwrap();
        assert!(
            user.is_some_and(|u| u.upn.to_string() == upn),
            "acknowledged creation of {upn} is lost"
        );
    }
    drop(read);
    assert_chain_verifies(&store).await;
    drop(store);
    assert_audit_verify_passes(&backend.serve_args());
}

/// One writer: updates its own users in turn, sometimes creates one, until the server
/// stops answering.
struct Writer {
    api: Api,
    users: Vec<UserId>,
    acked: Arc<Mutex<Acknowledged>>,
    sequence: Arc<AtomicUsize>,
    done: Arc<AtomicUsize>,
    name: String,
}

impl Writer {
    async fn run(self) {
        for n in 0_u64.. {
            let ok = if n % CREATE_EVERY == CREATE_EVERY - 1 {
                self.create(n).await
            } else {
                self.update(n).await
            };
            if !ok {
                return;
            }
            self.done.fetch_add(1, Ordering::SeqCst);
        }
    }

    async fn update(&self, n: u64) -> bool {
        let user = self.users[usize::try_from(n).unwrap_or(0) % self.users.len()];
        let value = self.sequence.fetch_add(1, Ordering::SeqCst) as u64 + 1;
        match self.api.set_job_title(user.as_uuid(), &value.to_string()).await {
            Ok(answer) if answer.status.is_success() => {
                let mut acked = self.acked.lock().unwrap();
                let entry = acked.titles.entry(user).or_default();
                *entry = (*entry).max(value);
                true
            }
            Ok(answer) => self.unexpected(format!("PATCH {user:?}: {answer:?}")),
            Err(_) => false,
        }
    }

    async fn create(&self, n: u64) -> bool {
        let alias = format!("{}-{n}", self.name);
        match self.api.create_user(&alias, DOMAIN).await {
            Ok(answer) if answer.status.is_success() => {
                let id = answer.body["id"]
                    .as_str()
                    .and_then(|id| id.parse().ok())
                    .expect("an id");
                let upn = format!("{alias}@{DOMAIN}");
                self.acked.lock().unwrap().created.push((id, upn));
                true
            }
            Ok(answer) => self.unexpected(format!("POST {alias}: {answer:?}")),
            Err(_) => false,
        }
    }

    /// Records an answer no client should get and keeps writing.
    fn unexpected(&self, what: String) -> bool {
        self.acked.lock().unwrap().unexpected.push(what);
        true
    }
}
