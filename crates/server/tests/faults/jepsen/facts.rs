//! What the T39 checker derives from a history: each user's attempts (an effect an ok op
//! certainly had or an info op may have had, with when), the creates whose user is unknown,
//! and the ok reads.

use super::checker::End;
use super::history::{Call, Item, Key, Op, Outcome, Value};
use directory::audit::AuditAction;
use std::collections::{BTreeSet, HashMap};
use std::time::Duration;
use uuid::Uuid;

/// What an attempt does to its user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Create,
    Delete,
    Rename,
    Restore,
    Purge,
}

/// An effect on one user that an ok op certainly had or an info op may have had.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Attempt {
    pub(crate) id: Uuid,
    pub(crate) kind: Kind,
    pub(crate) certain: bool,
    pub(crate) key: Option<Key>,
    pub(crate) invoked: Duration,
    /// The latest time it could have taken effect ([`Duration::MAX`] if unknown).
    pub(crate) latest: Duration,
}

/// An ok read: of one key's active users, or (key `None`) of the recycle bin.
#[derive(Debug, Clone)]
pub(crate) struct Read {
    pub(crate) key: Option<Key>,
    pub(crate) ids: Vec<Uuid>,
    pub(crate) complete: bool,
    pub(crate) invoked: Duration,
    pub(crate) completed: Duration,
}

/// Everything the checker derives from the ops.
pub(crate) struct Facts {
    pub(crate) attempts: HashMap<Uuid, Vec<Attempt>>,
    /// The keys of creates whose outcome is unknown (and whose id is unknown).
    pub(crate) unknown_creates: Vec<Key>,
    pub(crate) reads: Vec<Read>,
}

/// Derives the facts from a history.
pub(crate) fn facts(ops: &[Op]) -> Facts {
    let mut facts = Facts {
        attempts: HashMap::new(),
        unknown_creates: Vec::new(),
        reads: Vec::new(),
    };
    for op in ops {
        let mut add = |id: Uuid, kind: Kind, certain: bool, key: Option<Key>| {
            let latest = if certain { op.completed } else { Duration::MAX };
            let attempt = Attempt {
                id,
                kind,
                certain,
                key,
                invoked: op.invoked,
                latest,
            };
            facts.attempts.entry(id).or_default().push(attempt);
        };
        let certain = op.is_ok();
        match (&op.call, &op.outcome) {
            (_, Outcome::Fail(_)) => {}
            (Call::Create { key }, Outcome::Ok(Value::Created(id))) => add(*id, Kind::Create, true, Some(*key)),
            (Call::Create { key }, _) => facts.unknown_creates.push(*key),
            (Call::Delete { id }, _) => add(*id, Kind::Delete, certain, None),
            (Call::Rename { id, key }, _) => add(*id, Kind::Rename, certain, Some(*key)),
            (Call::Restore { id }, _) => add(*id, Kind::Restore, certain, None),
            (Call::Purge { id }, _) => add(*id, Kind::Purge, certain, None),
            (Call::BulkRestore { ids }, Outcome::Ok(Value::Items(items))) => {
                for (id, item) in ids.iter().zip(items) {
                    match item {
                        Item::Restored => add(*id, Kind::Restore, true, None),
                        Item::Unknown => add(*id, Kind::Restore, false, None),
                        Item::AlreadyActive | Item::Failed => {}
                    }
                }
            }
            (Call::BulkRestore { ids }, _) => ids.iter().for_each(|id| add(*id, Kind::Restore, false, None)),
            (Call::ReadKey { key }, Outcome::Ok(Value::Seen { ids, complete })) => {
                facts.reads.push(read(op, Some(*key), ids, *complete));
            }
            (Call::ReadDeleted, Outcome::Ok(Value::Seen { ids, complete })) => {
                facts.reads.push(read(op, None, ids, *complete));
            }
            (Call::ReadKey { .. } | Call::ReadDeleted, _) => {}
        }
    }
    facts
}

fn read(op: &Op, key: Option<Key>, ids: &[Uuid], complete: bool) -> Read {
    Read {
        key,
        ids: ids.to_vec(),
        complete,
        invoked: op.invoked,
        completed: op.completed,
    }
}

/// Every id the run knows of: from ops, reads, the end state and the audit chain.
pub(crate) fn universe(facts: &Facts, end: &End) -> BTreeSet<Uuid> {
    let mut ids: BTreeSet<Uuid> = facts.attempts.keys().copied().collect();
    ids.extend(facts.reads.iter().flat_map(|read| read.ids.iter().copied()));
    ids.extend(end.users.keys().copied());
    let user_actions = [
        AuditAction::AddUser,
        AuditAction::DeleteUser,
        AuditAction::UpdateUser,
        AuditAction::RestoreUser,
        AuditAction::HardDeleteUser,
    ];
    let users = end.audits.keys().filter(|(action, _)| user_actions.contains(action));
    ids.extend(users.map(|(_, id)| *id));
    ids.retain(|id| !end.others.contains_key(id));
    ids
}

pub(crate) fn of(attempts: &[Attempt], kind: Kind) -> impl Iterator<Item = &Attempt> {
    attempts.iter().filter(move |attempt| attempt.kind == kind)
}
