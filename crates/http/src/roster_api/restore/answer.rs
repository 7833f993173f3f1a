//! The bulk restore's answer, written as it happens: `{"results":[…],"summary":{…}}` sent
//! in chunks, one per group of users, from typed shapes. The fields of every shape are in
//! the order `serde_json`'s maps sort them in, so the bytes are those of the whole answer
//! built at once.

use axum::body::{Body, Bytes};
use directory::Error;
use directory::error::Holder;
use directory::group::GroupRef;
use directory::ids::UserId;
use directory::recycle_bin::{AddressConflict, LicenseOutcome, RestoreOutcome, RestoreResult, RestoredUser};
use serde::Serialize;
use std::convert::Infallible;
use std::iter::Peekable;
use std::pin::Pin;
use std::task::{Context, Poll};
use tokio::sync::mpsc;

use crate::graph::error::GraphError;

/// Chunks written but not yet sent to the client; the restore waits when they are unread.
const CHUNKS_IN_FLIGHT: usize = 2;

/// A channel whose receiving end is a response body.
pub(super) fn channel() -> (mpsc::Sender<Bytes>, Body) {
    let (sender, receiver) = mpsc::channel(CHUNKS_IN_FLIGHT);
    (sender, Body::from_stream(Chunks(receiver)))
}

/// The chunks of a channel, as a stream a body can be made of.
struct Chunks(mpsc::Receiver<Bytes>);

impl futures_core::Stream for Chunks {
    type Item = Result<Bytes, Infallible>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.0.poll_recv(cx).map(|chunk| chunk.map(Ok))
    }
}

/// A request item: `None` for one given to the directory, or the item refused with why.
pub(super) type Slot = Option<(UserId, Error)>;

/// The answer being written: the request's items in order, results interleaved with the
/// items refused before the restore, and the counts for the summary.
pub(super) struct Answer {
    sender: mpsc::Sender<Bytes>,
    slots: Peekable<std::vec::IntoIter<Slot>>,
    summary: Summary,
    buffer: Vec<u8>,
    written: usize,
    client_gone: bool,
}

impl Answer {
    pub(super) fn new(sender: mpsc::Sender<Bytes>, slots: Vec<Slot>) -> Self {
        Answer {
            sender,
            slots: slots.into_iter().peekable(),
            summary: Summary::default(),
            buffer: b"{\"results\":[".to_vec(),
            written: 0,
            client_gone: false,
        }
    }

    /// Writes a group's results, each after the refused items that precede it, and sends them.
    pub(super) async fn write_group(&mut self, group: Vec<RestoreResult>) {
        for result in group {
            self.push_refused();
            self.slots.next();
            match result.outcome {
                RestoreOutcome::Restored(user) => self.push("restored", &RestoredBody::of(&user)),
                RestoreOutcome::AlreadyActive => self.push(
                    "alreadyActive",
                    &Status {
                        id: result.id.to_string(),
                        status: "alreadyActive",
                    },
                ),
                RestoreOutcome::Failed(error) => self.push("failed", &Failed::of(result.id, &error)),
            }
        }
        self.send().await;
    }

    /// Writes what is left (refused items, and any the directory did not answer for) and
    /// the summary, and sends the last chunk.
    pub(super) async fn finish(mut self) {
        while let Some(slot) = self.slots.next() {
            match slot {
                Some((id, error)) => self.push("failed", &Failed::of(id, &error)),
                None => self.push("failed", &Unanswered { status: "failed" }),
            }
        }
        self.buffer.extend_from_slice(b"],\"summary\":");
        let summary = self.summary.clone();
        self.write(&summary);
        self.buffer.push(b'}');
        self.send().await;
    }

    /// Writes the items refused before the restore that come next in the request.
    fn push_refused(&mut self) {
        while let Some(Some((id, error))) = self.slots.next_if(Option::is_some) {
            self.push("failed", &Failed::of(id, &error));
        }
    }

    /// Writes one result and counts it under its status.
    fn push(&mut self, status: &str, item: &impl Serialize) {
        self.summary.count(status);
        if self.written > 0 {
            self.buffer.push(b',');
        }
        self.written += 1;
        self.write(item);
    }

    fn write(&mut self, value: &impl Serialize) {
        if self.client_gone {
            return;
        }
        // Serializing these shapes into a Vec cannot fail: their maps have string keys.
        if let Err(error) = serde_json::to_writer(&mut self.buffer, value) {
            tracing::error!(%error, "a bulk restore result did not serialize");
        }
    }

    /// Sends what is written; when the client has gone, the restore goes on unanswered.
    async fn send(&mut self) {
        let chunk = Bytes::from(std::mem::take(&mut self.buffer));
        if !self.client_gone && self.sender.send(chunk).await.is_err() {
            self.client_gone = true;
        }
    }
}

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
struct Summary {
    already_active: u64,
    failed: u64,
    restored: u64,
}

impl Summary {
    fn count(&mut self, status: &str) {
        match status {
            "restored" => self.restored += 1,
            "alreadyActive" => self.already_active += 1,
            _ => self.failed += 1,
        }
    }
}

#[derive(Serialize)]
struct Status {
    id: String,
    status: &'static str,
}

#[derive(Serialize)]
struct Unanswered {
    status: &'static str,
}

#[derive(Serialize)]
struct Failed {
    error: ErrorBody,
    id: String,
    status: &'static str,
}

impl Failed {
    fn of(id: UserId, error: &Error) -> Self {
        Failed {
            error: ErrorBody::of(error),
            id: id.to_string(),
            status: "failed",
        }
    }
}

/// Why one user was not restored (or, in a preview, would not be).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ErrorBody {
    code: &'static str,
    graph_code: &'static str,
    held_by: Option<HolderBody>,
    message: String,
    target: Option<&'static str>,
}

impl ErrorBody {
    pub(super) fn of(error: &Error) -> Self {
        let graph = GraphError::from(error.clone());
        let held_by = match error {
            Error::UpnTaken { holder, .. } | Error::AddressTaken { holder, .. } => holder.as_ref().map(HolderBody::of),
            _ => None,
        };
        ErrorBody {
            code: error.code().as_str(),
            graph_code: graph.code,
            held_by,
            message: graph.message,
            target: error.target(),
        }
    }
}

#[derive(Serialize)]
struct HolderBody {
    id: String,
    state: &'static str,
    #[serde(rename = "type")]
    kind: &'static str,
}

impl HolderBody {
    fn of(holder: &Holder) -> Self {
        HolderBody {
            id: holder.object_id.to_string(),
            state: if holder.deleted { "softDeleted" } else { "active" },
            kind: holder.kind.as_str(),
        }
    }
}

/// An address taken off the user because another object holds it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct RemovedBody {
    address: String,
    held_by: HolderBody,
}

pub(super) fn removed(conflicts: &[AddressConflict]) -> Vec<RemovedBody> {
    conflicts
        .iter()
        .map(|c| RemovedBody {
            address: c.address.to_string(),
            held_by: HolderBody::of(&c.holder),
        })
        .collect()
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct GroupBody<'a> {
    display_name: &'a str,
    id: String,
}

pub(super) fn groups(groups: &[GroupRef]) -> Vec<GroupBody<'_>> {
    groups
        .iter()
        .map(|g| GroupBody {
            display_name: &g.display_name,
            id: g.id.to_string(),
        })
        .collect()
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LicenseBody {
    outcome: &'static str,
    sku_id: String,
}

impl LicenseBody {
    fn of(outcome: &LicenseOutcome) -> Self {
        let (sku, outcome) = match outcome {
            LicenseOutcome::Restored(sku) => (sku, "restored"),
            LicenseOutcome::OverAssigned(sku) => (sku, "overAssigned"),
            LicenseOutcome::NotRestored(sku) => (sku, "notRestored"),
        };
        LicenseBody {
            outcome,
            sku_id: sku.to_string(),
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ReplacedBody {
    id: String,
    new_user_principal_name: String,
    previous_user_principal_name: String,
}

/// Everything a successful restore did.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RestoredBody<'a> {
    generated_password: Option<&'a str>,
    id: String,
    licenses: Vec<LicenseBody>,
    mail: Option<String>,
    password_reset: bool,
    promoted_primary_address: Option<String>,
    removed_proxy_addresses: Vec<RemovedBody>,
    replaced_user: Option<ReplacedBody>,
    restored_groups: Vec<GroupBody<'a>>,
    roles: Vec<&'static str>,
    skipped_groups: Vec<GroupBody<'a>>,
    status: &'static str,
    user_principal_name: String,
}

impl<'a> RestoredBody<'a> {
    fn of(restored: &'a RestoredUser) -> Self {
        RestoredBody {
            generated_password: restored.generated_password.as_ref().map(|p| p.expose()),
            id: restored.user.id.to_string(),
            licenses: restored.licenses.iter().map(LicenseBody::of).collect(),
            mail: restored.user.mail().map(ToString::to_string),
            password_reset: restored.password_reset,
            promoted_primary_address: restored.promoted_primary.as_ref().map(ToString::to_string),
            removed_proxy_addresses: removed(&restored.removed_addresses),
            replaced_user: restored.replaced.as_ref().map(|r| ReplacedBody {
                id: r.id.to_string(),
                new_user_principal_name: r.new_upn.to_string(),
                previous_user_principal_name: r.previous_upn.to_string(),
            }),
            restored_groups: groups(&restored.restored_groups),
            roles: restored.roles.iter().map(|r| r.display_name()).collect(),
            skipped_groups: groups(&restored.skipped_groups),
            status: "restored",
            user_principal_name: restored.user.upn.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn id(n: u128) -> UserId {
        UserId(uuid::Uuid::from_u128(n))
    }

    fn not_found(n: u128) -> Error {
        Error::NotFound { id: id(n).to_string() }
    }

    /// The answer as the handler built it before streaming: one `Value`, keys sorted.
    fn failed(n: u128) -> Value {
        json!({"id": id(n).to_string(), "status": "failed", "error": {
            "code": not_found(n).code().as_str(),
            "graphCode": GraphError::from(not_found(n)).code,
            "message": GraphError::from(not_found(n)).message,
            "target": not_found(n).target(),
            "heldBy": null,
        }})
    }

    async fn written(slots: Vec<Slot>, groups: Vec<Vec<RestoreResult>>) -> (String, usize) {
        let (sender, mut receiver) = mpsc::channel(16);
        let mut answer = Answer::new(sender, slots);
        for group in groups {
            answer.write_group(group).await;
        }
        answer.finish().await;
        let mut chunks = Vec::new();
        while let Some(chunk) = receiver.recv().await {
            chunks.push(chunk);
        }
        let text = chunks.iter().map(|c| String::from_utf8_lossy(c).into_owned()).collect();
        (text, chunks.len())
    }

    #[tokio::test]
    async fn streamed_answer_is_byte_for_byte_the_whole_answer_in_input_order() {
        let slots = vec![
            Some((id(1), not_found(1))),
            None,
            None,
            Some((id(4), not_found(4))),
            None,
        ];
        let groups = vec![
            vec![
                RestoreResult {
                    id: id(2),
                    outcome: RestoreOutcome::AlreadyActive,
                },
                RestoreResult {
                    id: id(3),
                    outcome: RestoreOutcome::Failed(not_found(3)),
                },
            ],
            vec![RestoreResult {
                id: id(5),
                outcome: RestoreOutcome::AlreadyActive,
            }],
        ];
        let (text, chunks) = written(slots, groups).await;
        let whole = json!({
            "results": [
                failed(1),
                {"id": id(2).to_string(), "status": "alreadyActive"},
                failed(3),
                failed(4),
                {"id": id(5).to_string(), "status": "alreadyActive"},
            ],
            "summary": {"restored": 0, "alreadyActive": 2, "failed": 3},
        });
        assert_eq!(text, whole.to_string());
        assert_eq!(chunks, 3, "one chunk per group, and the summary");
    }

    #[tokio::test]
    async fn items_the_directory_did_not_answer_for_are_failed() {
        let (text, _) = written(vec![None, Some((id(2), not_found(2)))], Vec::new()).await;
        let whole = json!({
            "results": [{"status": "failed"}, failed(2)],
            "summary": {"restored": 0, "alreadyActive": 0, "failed": 2},
        });
        assert_eq!(text, whole.to_string());
    }
}
