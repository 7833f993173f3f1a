//! Write load over Graph and its recorded history. Each writer works through its own users,
//! one at a time: create, then (for two users in three) delete, then (for one in three)
//! restore. Every request is recorded with when it was sent and when its 2xx arrived, so a
//! check can tell which effects a backup taken between two instants must hold.

use reqwest::StatusCode;
use serde_json::{Value, json};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Create,
    Delete,
    Restore,
}

/// Where a user is after an operation took effect.
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

/// One request: sent at `sent`; `acked` when its 2xx arrived (None: failed or no answer).
#[derive(Debug, Clone)]
pub(crate) struct Op {
    pub(crate) kind: Kind,
    pub(crate) sent: Instant,
    pub(crate) acked: Option<Instant>,
}

/// Everything done to one user, in order.
#[derive(Debug, Clone)]
pub(crate) struct UserHistory {
    pub(crate) upn: String,
    pub(crate) id: Option<String>,
    pub(crate) ops: Vec<Op>,
}

impl UserHistory {
    /// The states a snapshot taken between `start` and `end` may show: the effect of the
    /// last operation acknowledged before `start`, or of any later one sent before `end`.
    /// `None` when nothing was acknowledged before `start` (no requirement).
    pub(crate) fn allowed(&self, start: Instant, end: Instant) -> Option<Vec<State>> {
        let last = self.ops.iter().rposition(|op| op.acked.is_some_and(|at| at < start))?;
        let mut states = vec![self.ops[last].kind.leaves()];
        states.extend(
            self.ops[last + 1..]
                .iter()
                .filter(|op| op.sent < end)
                .map(|op| op.kind.leaves()),
        );
        Some(states)
    }
}

/// The shared history and the writers' stop flag.
#[derive(Debug, Clone, Default)]
pub(crate) struct Load {
    pub(crate) history: Arc<Mutex<Vec<UserHistory>>>,
    pub(crate) acked: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
}

/// A Graph client for one server and token.
#[derive(Debug, Clone)]
pub(crate) struct Graph {
    client: reqwest::Client,
    base: String,
    token: String,
}

impl Graph {
    pub(crate) fn new(server: &str, token: &str) -> Graph {
        Graph {
            client: reqwest::Client::new(),
            base: format!("{server}/v1.0"),
            token: token.to_owned(),
        }
    }

    pub(crate) async fn send(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        let mut request = self
            .client
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        match request.send().await {
            Ok(response) => {
                let status = response.status();
                let text = response.text().await.unwrap_or_default();
                (status, serde_json::from_str(&text).unwrap_or(Value::Null))
            }
            Err(_) => (StatusCode::SERVICE_UNAVAILABLE, Value::Null),
        }
    }

    /// Where the user is now: active, in the recycle bin, or gone.
    pub(crate) async fn state(&self, id: &str) -> State {
        if self.send(reqwest::Method::GET, &format!("/users/{id}"), None).await.0 == StatusCode::OK {
            return State::Active;
        }
        let path = format!("/directory/deletedItems/{id}");
        match self.send(reqwest::Method::GET, &path, None).await.0 {
            StatusCode::OK => State::Deleted,
            _ => State::Missing,
        }
    }
}

fn new_user(upn: &str) -> Value {
    let alias = upn.split('@').next().unwrap();
    json!({
        "accountEnabled": true,
        "displayName": format!("Load {alias}"),
        "mailNickname": alias,
        "userPrincipalName": upn,
        "passwordProfile": {"forceChangePasswordNextSignIn": false, "password": "xWwvJ]6NMw+bWH-d"}
    })
}

impl Load {
    pub(crate) fn stop(&self) {
        self.stop.store(true, Ordering::SeqCst);
    }

    /// Writer `name` until stopped (or `limit` users, for seeding).
    pub(crate) async fn write(self, graph: Graph, name: String, limit: Option<usize>) {
        for i in 0..limit.unwrap_or(usize::MAX) {
            if self.stop.load(Ordering::SeqCst) {
                return;
            }
            let slot = {
                let mut history = self.history.lock().unwrap();
                history.push(UserHistory {
                    upn: format!("{name}n{i}@contoso.com"),
                    id: None,
                    ops: Vec::new(),
                });
                history.len() - 1
            };
            let plan: &[Kind] = match i % 3 {
                0 => &[Kind::Create],
                1 => &[Kind::Create, Kind::Delete],
                _ => &[Kind::Create, Kind::Delete, Kind::Restore],
            };
            for &kind in plan {
                if !self.step(&graph, slot, kind).await {
                    break;
                }
            }
        }
    }

    /// Sends one operation and records it; false when it was not acknowledged.
    async fn step(&self, graph: &Graph, slot: usize, kind: Kind) -> bool {
        let (upn, id) = {
            let history = self.history.lock().unwrap();
            (history[slot].upn.clone(), history[slot].id.clone().unwrap_or_default())
        };
        let sent = Instant::now();
        let (status, body) = match kind {
            Kind::Create => graph.send(reqwest::Method::POST, "/users", Some(new_user(&upn))).await,
            Kind::Delete => graph.send(reqwest::Method::DELETE, &format!("/users/{id}"), None).await,
            Kind::Restore => {
                let path = format!("/directory/deletedItems/{id}/restore");
                graph.send(reqwest::Method::POST, &path, None).await
            }
        };
        let acked = status.is_success().then(Instant::now);
        let mut history = self.history.lock().unwrap();
        if kind == Kind::Create && acked.is_some() {
            history[slot].id = body["id"].as_str().map(str::to_owned);
        }
        history[slot].ops.push(Op { kind, sent, acked });
        if acked.is_some() {
            self.acked.fetch_add(1, Ordering::SeqCst);
        }
        acked.is_some()
    }
}
