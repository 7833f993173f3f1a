//! A Graph write load and its recorded history, shared by the backup test and the fault
//! tests' point-in-time recovery (T36). Each writer works through its own users, one at a
//! time: create, then (for two users in three) delete, then (for one in three) restore.
//! Every request is recorded with when it was sent and when its 2xx arrived, so a check
//! can tell which states a copy taken between two instants may show. How a request is
//! sent is the test's: its client implements [`Writes`].
#![allow(dead_code)] // each test binary uses its part

use serde_json::Value;
use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// One write of the load.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Create,
    Delete,
    Restore,
}

/// Where a load user is, as Graph shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum State {
    Active,
    Deleted,
    Missing,
}

impl Kind {
    fn leaves(self) -> State {
        match self {
            Kind::Create | Kind::Restore => State::Active,
            Kind::Delete => State::Deleted,
        }
    }
}

/// A test's Graph client, as the writers use it.
pub(crate) trait Writes: Clone + Send + Sync + 'static {
    /// Sends `kind` for the load user `name` (`id` once it was created); the answer's body
    /// when it is a 2xx, `None` for an error or no answer.
    fn write(&self, kind: Kind, name: &str, id: &str) -> impl Future<Output = Option<Value>> + Send;
}

/// One request: sent at `sent`; `acked` when its 2xx arrived (None: failed or no answer).
#[derive(Debug, Clone)]
pub(crate) struct Op {
    pub(crate) kind: Kind,
    pub(crate) sent: Instant,
    pub(crate) acked: Option<Instant>,
}

/// Everything done to one load user, in order.
#[derive(Debug, Clone)]
pub(crate) struct UserHistory {
    pub(crate) name: String,
    pub(crate) id: Option<String>,
    pub(crate) ops: Vec<Op>,
}

impl UserHistory {
    /// The states a copy taken between `start` and `end` may show: the effect of the last
    /// operation acknowledged before `start` ("missing" if none was), or of any later one
    /// sent before `end`. Nothing sent after `end` can be in it.
    pub(crate) fn allowed(&self, start: Instant, end: Instant) -> Vec<State> {
        let last = self.last_acked_before(start);
        let mut states = vec![last.map_or(State::Missing, |i| self.ops[i].kind.leaves())];
        let later = &self.ops[last.map_or(0, |i| i + 1)..];
        states.extend(later.iter().filter(|op| op.sent < end).map(|op| op.kind.leaves()));
        states
    }

    /// Whether any of its operations was acknowledged before `start`.
    pub(crate) fn acknowledged_before(&self, start: Instant) -> bool {
        self.last_acked_before(start).is_some()
    }

    fn last_acked_before(&self, start: Instant) -> Option<usize> {
        self.ops.iter().rposition(|op| op.acked.is_some_and(|at| at < start))
    }
}

/// The writers' shared history, their count of acknowledged writes and their stop flag.
#[derive(Debug, Clone, Default)]
pub(crate) struct Load {
    history: Arc<Mutex<Vec<UserHistory>>>,
    acked: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
}

impl Load {
    /// Writes acknowledged so far.
    pub(crate) fn acked(&self) -> usize {
        self.acked.load(Ordering::SeqCst)
    }

    /// Asks every writer to stop after its current request.
    pub(crate) fn stop(&self) {
        self.stop.store(true, Ordering::SeqCst);
    }

    pub(crate) fn history(&self) -> Vec<UserHistory> {
        self.history.lock().unwrap().clone()
    }

    /// Polls until `acked` writes were acknowledged, failing after `patience`.
    pub(crate) async fn wait_for(&self, acked: usize, patience: Duration) {
        let deadline = Instant::now() + patience;
        while self.acked() < acked {
            assert!(
                Instant::now() < deadline,
                "gave up waiting for {acked} acknowledged writes"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Ids of the load users whose history allows only "deleted" in a copy taken between
    /// `start` and `end`.
    pub(crate) fn only_deleted(&self, start: Instant, end: Instant) -> Vec<String> {
        let history = self.history();
        let deleted = history.into_iter().filter(|user| {
            let allowed = user.allowed(start, end);
            allowed.iter().all(|state| *state == State::Deleted)
        });
        deleted.filter_map(|user| user.id).collect()
    }

    /// A writer until stopped (or `limit` users): users `<prefix><i>`, each through its
    /// plan until a step is not acknowledged.
    pub(crate) async fn write<W: Writes>(self, client: W, prefix: String, limit: Option<usize>) {
        for i in 0..limit.unwrap_or(usize::MAX) {
            if self.stop.load(Ordering::SeqCst) {
                return;
            }
            let slot = self.add_user(format!("{prefix}{i}"));
            for &kind in plan(i) {
                if !self.step(&client, slot, kind).await {
                    break;
                }
            }
        }
    }

    fn add_user(&self, name: String) -> usize {
        let mut history = self.history.lock().unwrap();
        history.push(UserHistory {
            name,
            id: None,
            ops: Vec::new(),
        });
        history.len() - 1
    }

    /// Sends one operation and records it; false when it was not acknowledged.
    async fn step<W: Writes>(&self, client: &W, slot: usize, kind: Kind) -> bool {
        let (name, id) = {
            let history = self.history.lock().unwrap();
            let user = &history[slot];
            (user.name.clone(), user.id.clone().unwrap_or_default())
        };
        let sent = Instant::now();
        let answer = client.write(kind, &name, &id).await;
        let acked = answer.is_some().then(Instant::now);
        let mut history = self.history.lock().unwrap();
        if kind == Kind::Create {
            history[slot].id = answer.and_then(|body| body["id"].as_str().map(str::to_owned));
        }
        history[slot].ops.push(Op { kind, sent, acked });
        if acked.is_some() {
            self.acked.fetch_add(1, Ordering::SeqCst);
        }
        acked.is_some()
    }
}

/// The `i`th user's writes: every one is created, two in three then deleted, one in three
/// then restored.
fn plan(i: usize) -> &'static [Kind] {
    match i % 3 {
        0 => &[Kind::Create],
        1 => &[Kind::Create, Kind::Delete],
        _ => &[Kind::Create, Kind::Delete, Kind::Restore],
    }
}
