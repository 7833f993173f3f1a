//! The clients of a T39 run: each loops until told to stop, picking a random replica and a
//! random operation over a few UPN keys (create, delete, rename, restore, bulk restore,
//! purge, reads), and records each as it ended. What a client has seen (which ids are
//! active or deleted) steers its next choices; stale knowledge only makes ops fail.

use super::cluster::{Cluster, REPLICAS};
use super::history::{Call, History, Item, Key, Op, Outcome, Value};
use super::rng::Rng;
use crate::api::{Answer, Api};
use crate::server::DOMAIN;
use reqwest::Method;
use serde_json::{Value as Json, json};
use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use uuid::Uuid;

/// Longer than any bound a healthy answer needs, shorter than a run.
pub(crate) const REQUEST_TIMEOUT: Duration = Duration::from_secs(15);

/// What the clients share.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) cluster: Arc<Cluster>,
    pub(crate) history: History,
    pub(crate) token: String,
    pub(crate) keys: usize,
    pub(crate) stop: AtomicBool,
    knowledge: Mutex<Knowledge>,
    tags: AtomicU64,
}

#[derive(Debug, Default)]
struct Knowledge {
    active: BTreeSet<Uuid>,
    deleted: BTreeSet<Uuid>,
}

impl Shared {
    pub(crate) fn new(cluster: Arc<Cluster>, token: String, keys: usize) -> Shared {
        Shared {
            cluster,
            history: History::new(),
            token,
            keys,
            stop: AtomicBool::new(false),
            knowledge: Mutex::default(),
            tags: AtomicU64::new(0),
        }
    }
}

pub(crate) fn upn(key: Key) -> String {
    format!("k{key:02}@{DOMAIN}")
}

/// One client's loop.
pub(crate) async fn run_client(shared: Arc<Shared>, client: usize, seed: u64) {
    let mut rng = Rng::new(seed);
    let mut apis: Vec<Option<(String, Api)>> = vec![None; REPLICAS];
    while !shared.stop.load(Ordering::SeqCst) {
        let replica = rng.below(REPLICAS);
        let call = choose(&mut rng, &shared);
        let api = api_for(&mut apis[replica], &shared, replica);
        let op = perform(&shared, &api, client, replica, call).await;
        if !op.is_ok() && op.status.is_none_or(|status| status >= 500) {
            // Unavailable: back off a little, as a client would, rather than spin.
            tokio::time::sleep(rng.millis(50, 300)).await;
        }
    }
}

/// The replica's client, rebuilt when the replica moved to a new address.
fn api_for(slot: &mut Option<(String, Api)>, shared: &Shared, replica: usize) -> Api {
    let base = shared.cluster.base(replica);
    match slot {
        Some((known, api)) if *known == base => api.clone(),
        _ => {
            let api = Api::new(&base, &shared.token, REQUEST_TIMEOUT);
            *slot = Some((base, api.clone()));
            api
        }
    }
}

/// Runs `call` on `api` and records it.
pub(crate) async fn perform(shared: &Shared, api: &Api, client: usize, replica: usize, call: Call) -> Op {
    let tag = shared.tags.fetch_add(1, Ordering::SeqCst);
    let invoked = shared.history.now();
    let result = send(api, &call, tag).await;
    let completed = shared.history.now();
    let (outcome, status, retry_after) = classify(&call, result);
    let op = Op {
        client,
        replica,
        call,
        invoked,
        completed,
        outcome,
        status,
        retry_after,
    };
    learn(&mut shared.knowledge.lock().unwrap(), &op);
    shared.history.record(op.clone());
    op
}

fn choose(rng: &mut Rng, shared: &Shared) -> Call {
    let knowledge = shared.knowledge.lock().unwrap();
    let key = rng.below(shared.keys);
    let active = pick(rng, &knowledge.active);
    let deleted = pick(rng, &knowledge.deleted);
    match (rng.below(100), active, deleted) {
        (0..20, ..) => Call::Create { key },
        (20..35, Some(id), _) => Call::Delete { id },
        (35..45, Some(id), _) => Call::Rename { id, key },
        (45..57, _, Some(id)) => Call::Restore { id },
        (57..63, _, Some(id)) => {
            let mut ids = vec![id];
            ids.extend((0..rng.below(3)).filter_map(|_| pick(rng, &knowledge.deleted)));
            ids.sort();
            ids.dedup();
            Call::BulkRestore { ids }
        }
        (63..70, _, Some(id)) => Call::Purge { id },
        (90.., ..) => Call::ReadDeleted,
        _ => Call::ReadKey { key },
    }
}

fn pick(rng: &mut Rng, ids: &BTreeSet<Uuid>) -> Option<Uuid> {
    if ids.is_empty() {
        return None;
    }
    ids.iter().nth(rng.below(ids.len())).copied()
}

async fn send(api: &Api, call: &Call, tag: u64) -> reqwest::Result<Answer> {
    match call {
        Call::Create { key } => {
            let body = json!({
                "accountEnabled": true,
                "displayName": format!("created {tag}"),
                "mailNickname": format!("k{key:02}"),
                "userPrincipalName": upn(*key),
                "passwordProfile": {"password": "a long enough passphrase"},
            });
            api.send(Method::POST, "/v1.0/users", Some(body)).await
        }
        Call::Delete { id } => api.send(Method::DELETE, &format!("/v1.0/users/{id}"), None).await,
        Call::Rename { id, key } => {
            // A new display name each time, so that every ok rename is a change (and audited).
            let body = json!({"userPrincipalName": upn(*key), "displayName": format!("renamed {tag}")});
            api.send(Method::PATCH, &format!("/v1.0/users/{id}"), Some(body)).await
        }
        Call::Restore { id } => {
            let path = format!("/v1.0/directory/deletedItems/{id}/restore");
            api.send(Method::POST, &path, None).await
        }
        Call::BulkRestore { ids } => api.bulk_restore(ids, &json!({})).await,
        Call::Purge { id } => {
            let path = format!("/v1.0/directory/deletedItems/{id}");
            api.send(Method::DELETE, &path, None).await
        }
        Call::ReadKey { key } => {
            let filter = format!("userPrincipalName eq '{}'", upn(*key));
            api.get(&format!(
                "/v1.0/users?$filter={filter}&$select=id,userPrincipalName&$top=999"
            ))
            .await
        }
        Call::ReadDeleted => {
            api.get("/v1.0/directory/deletedItems/microsoft.graph.user?$select=id,userPrincipalName&$top=999")
                .await
        }
    }
}

/// Ok, fail or info; with the status and whether a 503 said when to retry.
fn classify(call: &Call, result: reqwest::Result<Answer>) -> (Outcome, Option<u16>, bool) {
    let answer = match result {
        // Refused before anything was sent (a killed replica): it did not happen.
        Err(error) if error.is_connect() => return (Outcome::Fail(format!("connect: {error}")), None, false),
        Err(error) => return (Outcome::Info(format!("transport: {error}")), None, false),
        Ok(answer) => answer,
    };
    let status = answer.status.as_u16();
    let retry_after = answer.retry_after.is_some();
    let outcome = if answer.status.is_success() {
        match value_of(call, &answer.body) {
            Some(value) => Outcome::Ok(value),
            None => Outcome::Info(format!("{status} with an unreadable body")),
        }
    } else if answer.status.is_server_error() {
        let message = answer.body["error"]["message"].as_str().unwrap_or("");
        Outcome::Info(format!("{status} {}: {message:.60}", answer.error_code().unwrap_or("")))
    } else {
        Outcome::Fail(format!("{status} {}", answer.error_code().unwrap_or("")))
    };
    (outcome, Some(status), retry_after)
}

fn value_of(call: &Call, body: &Json) -> Option<Value> {
    match call {
        Call::Create { .. } => body["id"].as_str()?.parse().ok().map(Value::Created),
        Call::ReadKey { .. } | Call::ReadDeleted => {
            let ids = body["value"]
                .as_array()?
                .iter()
                .map(|user| user["id"].as_str()?.parse().ok());
            let ids = ids.collect::<Option<Vec<Uuid>>>()?;
            let complete = body.get("@odata.nextLink").is_none();
            Some(Value::Seen { ids, complete })
        }
        Call::BulkRestore { ids } => {
            let results = body["results"].as_array()?;
            (results.len() == ids.len()).then(|| Value::Items(results.iter().map(item_of).collect()))
        }
        _ => Some(Value::Done),
    }
}

fn item_of(result: &Json) -> Item {
    match result["status"].as_str() {
        Some("restored") => Item::Restored,
        Some("alreadyActive") => Item::AlreadyActive,
        Some("failed") if result["error"]["code"] == "unavailable" || result.get("id").is_none() => Item::Unknown,
        Some("failed") => Item::Failed,
        _ => Item::Unknown,
    }
}

/// Updates what the clients believe about ids from an op's outcome.
fn learn(knowledge: &mut Knowledge, op: &Op) {
    let activate = |id: Uuid, knowledge: &mut Knowledge| {
        knowledge.deleted.remove(&id);
        knowledge.active.insert(id);
    };
    match (&op.call, &op.outcome) {
        (_, Outcome::Info(_)) => {}
        (Call::Create { .. }, Outcome::Ok(Value::Created(id))) => activate(*id, knowledge),
        (Call::Delete { id }, Outcome::Ok(_)) => {
            knowledge.active.remove(id);
            knowledge.deleted.insert(*id);
        }
        (Call::Delete { id }, Outcome::Fail(_)) => {
            knowledge.active.remove(id);
        }
        (Call::Restore { id }, Outcome::Ok(_)) => activate(*id, knowledge),
        (Call::BulkRestore { ids }, Outcome::Ok(Value::Items(items))) => {
            for (id, item) in ids.iter().zip(items) {
                if *item == Item::Restored {
                    activate(*id, knowledge);
                }
            }
        }
        (Call::Purge { id }, _) => {
            knowledge.deleted.remove(id);
        }
        (Call::ReadKey { .. }, Outcome::Ok(Value::Seen { ids, .. })) => knowledge.active.extend(ids),
        (Call::ReadDeleted, Outcome::Ok(Value::Seen { ids, complete })) => {
            if *complete {
                knowledge.deleted = ids.iter().copied().collect();
            } else {
                knowledge.deleted.extend(ids);
            }
        }
        _ => {}
    }
}
