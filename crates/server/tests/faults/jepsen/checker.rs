//! The T39 history checker: the invariants a run's history and the database it left must
//! keep, each a plain function returning what it found broken. Ops with an unknown outcome
//! (`Info`) count as "may have happened, at any time after they were invoked".

use super::facts::{Attempt, Facts, Kind, Read, facts, of, universe};
use super::history::{Key, Op};
use directory::audit::AuditAction;
use std::collections::HashMap;
use uuid::Uuid;

/// One user row at the end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Row {
    /// The UPN key, if it is one of the run's keys.
    pub(crate) key: Option<Key>,
    pub(crate) active: bool,
}

/// What the database holds once everything is healed.
#[derive(Debug, Default)]
pub(crate) struct End {
    pub(crate) users: HashMap<Uuid, Row>,
    /// Users that are not the run's (the tenant's first administrator).
    pub(crate) others: HashMap<Uuid, Row>,
    /// Successful audit records per (action, target id).
    pub(crate) audits: HashMap<(AuditAction, Uuid), usize>,
}

impl End {
    fn audits(&self, action: AuditAction, id: Uuid) -> usize {
        self.audits.get(&(action, id)).copied().unwrap_or(0)
    }
}

/// Every violation, described; empty when the run kept every invariant.
pub(crate) fn check(ops: &[Op], end: &End) -> Vec<String> {
    let facts = facts(ops);
    let mut violations = server_errors(ops);
    violations.extend(one_holder_per_key(&facts, end));
    violations.extend(final_states(&facts, end));
    violations.extend(audit_one_to_one(&facts, end));
    violations.extend(reads_after_purges(&facts));
    violations.extend(acknowledged_writes_visible(&facts));
    violations
}

/// Never a 5xx other than 503, and every 503 says when to retry.
fn server_errors(ops: &[Op]) -> Vec<String> {
    let mut violations = Vec::new();
    for op in ops {
        match op.status {
            Some(503) if !op.retry_after => violations.push(format!("503 without Retry-After: {op:?}")),
            Some(status @ 500..) if status != 503 => violations.push(format!("answered {status}: {op:?}")),
            _ => {}
        }
    }
    violations
}

/// At every read and in the database at the end, at most one active user per key.
fn one_holder_per_key(facts: &Facts, end: &End) -> Vec<String> {
    let mut violations = Vec::new();
    for read in facts.reads.iter().filter(|read| read.key.is_some()) {
        if read.ids.len() > 1 {
            violations.push(format!(
                "a read of key {:?} showed {} active users: {read:?}",
                read.key,
                read.ids.len()
            ));
        }
    }
    let mut holders: HashMap<Option<Key>, usize> = HashMap::new();
    for row in end.users.values().filter(|row| row.active) {
        *holders.entry(row.key).or_default() += 1;
    }
    for (key, count) in holders.into_iter().filter(|(_, count)| *count > 1) {
        violations.push(format!("at the end, key {key:?} has {count} active users"));
    }
    violations
}

/// Each user's end state is one its ops allow, and no acknowledged write was lost.
fn final_states(facts: &Facts, end: &End) -> Vec<String> {
    let mut violations = Vec::new();
    for id in universe(facts, end) {
        let attempts = facts.attempts.get(&id).map(Vec::as_slice).unwrap_or_default();
        match end.users.get(&id) {
            None if of(attempts, Kind::Purge).next().is_none() => {
                violations.push(format!("{id} is gone, but nobody tried to purge it"));
            }
            None => {}
            Some(row) => violations.extend(present_state(id, attempts, *row, &facts.unknown_creates)),
        }
    }
    violations
}

fn present_state(id: Uuid, attempts: &[Attempt], row: Row, unknown_creates: &[Key]) -> Vec<String> {
    let mut violations = Vec::new();
    if of(attempts, Kind::Purge).any(|purge| purge.certain) {
        violations.push(format!("acknowledged purge lost: {id} is still there ({row:?})"));
    }
    let later = |kind: Kind, after: &Attempt| of(attempts, kind).any(|other| other.latest > after.invoked);
    if row.active {
        for delete in of(attempts, Kind::Delete).filter(|delete| delete.certain) {
            if !later(Kind::Restore, delete) {
                violations.push(format!("acknowledged delete lost: {id} is active after {delete:?}"));
            }
        }
    } else {
        let activations = attempts
            .iter()
            .filter(|a| a.certain && matches!(a.kind, Kind::Create | Kind::Restore));
        for activation in activations {
            if !later(Kind::Delete, activation) {
                violations.push(format!("acknowledged write lost: {id} is deleted after {activation:?}"));
            }
        }
    }
    violations.extend(final_key(id, attempts, row.key, unknown_creates));
    violations
}

/// The end key was set by some op, and no acknowledged rename was lost.
fn final_key(id: Uuid, attempts: &[Attempt], key: Option<Key>, unknown_creates: &[Key]) -> Vec<String> {
    let mut violations = Vec::new();
    let created_with: Vec<Option<Key>> = match of(attempts, Kind::Create).next() {
        Some(create) => vec![create.key],
        None => unknown_creates.iter().map(|key| Some(*key)).collect(),
    };
    let renamed_to = |rename: &&Attempt| rename.key == key;
    if !created_with.contains(&key) && of(attempts, Kind::Rename).find(renamed_to).is_none() {
        violations.push(format!("{id} ends with key {key:?}, which no op gave it"));
    }
    for rename in of(attempts, Kind::Rename).filter(|r| r.certain && r.key != key) {
        if !of(attempts, Kind::Rename).any(|other| other.key == key && other.latest > rename.invoked) {
            violations.push(format!(
                "acknowledged rename lost: {id} ends with key {key:?} after {rename:?}"
            ));
        }
    }
    violations
}

/// One audit record per effect: as many as the ok ops, at most as many as ok + info ops;
/// one creation record per user; one purge record at most.
fn audit_one_to_one(facts: &Facts, end: &End) -> Vec<String> {
    let mut violations = Vec::new();
    let mut created_unacknowledged = 0;
    let pairs = [
        (Kind::Delete, AuditAction::DeleteUser),
        (Kind::Rename, AuditAction::UpdateUser),
        (Kind::Restore, AuditAction::RestoreUser),
        (Kind::Purge, AuditAction::HardDeleteUser),
    ];
    for id in universe(facts, end) {
        let attempts = facts.attempts.get(&id).map(Vec::as_slice).unwrap_or_default();
        for (kind, action) in pairs {
            let certain = of(attempts, kind).filter(|a| a.certain).count();
            let possible = of(attempts, kind).count();
            let audited = end.audits(action, id);
            if audited < certain || audited > possible {
                violations.push(format!(
                    "{id}: {audited} {action:?} records for {certain} ok and {possible} ok-or-unknown ops"
                ));
            }
        }
        if end.audits(AuditAction::HardDeleteUser, id) > 1 {
            violations.push(format!("{id} was purged more than once"));
        }
        let created = end.audits(AuditAction::AddUser, id);
        if created != 1 {
            violations.push(format!("{id} has {created} creation records"));
        }
        if of(attempts, Kind::Create).next().is_none() {
            created_unacknowledged += 1;
        }
    }
    if created_unacknowledged > facts.unknown_creates.len() {
        violations.push(format!(
            "{created_unacknowledged} users were created by {} creates of unknown outcome",
            facts.unknown_creates.len()
        ));
    }
    violations
}

/// No read that began after a purge was acknowledged shows the purged user.
fn reads_after_purges(facts: &Facts) -> Vec<String> {
    let mut violations = Vec::new();
    let purges = facts
        .attempts
        .values()
        .flatten()
        .filter(|a| a.kind == Kind::Purge && a.certain);
    for purge in purges {
        for read in facts.reads.iter().filter(|read| read.invoked > purge.latest) {
            if read.ids.contains(&purge.id) {
                violations.push(format!("{} seen after its purge {purge:?}: {read:?}", purge.id));
            }
        }
    }
    violations
}

/// A read that began after an acknowledged create, restore or delete shows its effect,
/// unless an op that could undo it may have happened in between.
fn acknowledged_writes_visible(facts: &Facts) -> Vec<String> {
    let mut violations = Vec::new();
    for attempts in facts.attempts.values() {
        for write in attempts.iter().filter(|a| a.certain) {
            let Some((key, undoers)) = expectation(write, attempts) else {
                continue;
            };
            let visible_to = |read: &&Read| read.key == key && read.complete && read.invoked > write.latest;
            for read in facts.reads.iter().filter(visible_to) {
                let undone = attempts.iter().any(|other| {
                    undoers.contains(&other.kind)
                        && !(other.kind == Kind::Rename && other.key == key)
                        && other.invoked < read.completed
                        && other.latest > write.invoked
                });
                if !read.ids.contains(&write.id) && !undone {
                    violations.push(format!("{write:?} not visible to the later {read:?}"));
                }
            }
        }
    }
    violations
}

/// Which reads must show `write`'s user (a key's reads, or the bin's with `None`) and the
/// kinds of op that could hide it again; `None` when the key it has is not certain.
fn expectation(write: &Attempt, attempts: &[Attempt]) -> Option<(Option<Key>, Vec<Kind>)> {
    let renamed = of(attempts, Kind::Rename).next().is_some();
    match write.kind {
        Kind::Create => Some((write.key, vec![Kind::Delete, Kind::Rename, Kind::Purge])),
        Kind::Restore if !renamed => {
            let key = of(attempts, Kind::Create).next()?.key;
            Some((key, vec![Kind::Delete, Kind::Purge]))
        }
        Kind::Delete => Some((None, vec![Kind::Restore, Kind::Purge])),
        _ => None,
    }
}
