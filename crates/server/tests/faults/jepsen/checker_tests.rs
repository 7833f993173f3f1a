//! The checker fires: small hand-made histories, each breaking one invariant, must each
//! be reported, and a clean one must not.

use super::checker::{End, Row, check};
use super::history::{Call, Item, Op, Outcome, Value};
use directory::audit::AuditAction;
use std::time::Duration;
use uuid::Uuid;

fn op(call: Call, from: u64, to: u64, outcome: Outcome) -> Op {
    Op {
        client: 0,
        replica: 0,
        call,
        invoked: Duration::from_millis(from),
        completed: Duration::from_millis(to),
        outcome,
        status: Some(200),
        retry_after: false,
    }
}

fn seen(ids: &[Uuid]) -> Outcome {
    Outcome::Ok(Value::Seen {
        ids: ids.to_vec(),
        complete: true,
    })
}

/// User `id` created with key 1 (ok), deleted (ok), then seen in the bin.
fn clean(id: Uuid) -> (Vec<Op>, End) {
    let ops = vec![
        op(Call::Create { key: 1 }, 0, 10, Outcome::Ok(Value::Created(id))),
        op(Call::ReadKey { key: 1 }, 20, 30, seen(&[id])),
        op(Call::Delete { id }, 40, 50, Outcome::Ok(Value::Done)),
        op(Call::ReadDeleted, 60, 70, seen(&[id])),
        op(Call::ReadKey { key: 1 }, 60, 70, seen(&[])),
    ];
    let mut end = End::default();
    end.users.insert(
        id,
        Row {
            key: Some(1),
            active: false,
        },
    );
    end.audits.insert((AuditAction::AddUser, id), 1);
    end.audits.insert((AuditAction::DeleteUser, id), 1);
    (ops, end)
}

#[test]
fn a_clean_history_has_no_violation() {
    let (ops, end) = clean(Uuid::new_v4());
    assert_eq!(check(&ops, &end), Vec::<String>::new());
}

#[test]
fn a_lost_delete_a_missing_audit_and_a_double_purge_are_reported() {
    let id = Uuid::new_v4();
    let (ops, mut end) = clean(id);
    end.users.insert(
        id,
        Row {
            key: Some(1),
            active: true,
        },
    );
    assert_fires(&ops, &end, "acknowledged delete lost");

    let (ops, mut end) = clean(id);
    end.audits.remove(&(AuditAction::DeleteUser, id));
    assert_fires(&ops, &end, "DeleteUser records");

    let (mut ops, mut end) = clean(id);
    ops.push(op(Call::Purge { id }, 80, 90, Outcome::Ok(Value::Done)));
    end.users.remove(&id);
    end.audits.insert((AuditAction::HardDeleteUser, id), 2);
    assert_fires(&ops, &end, "purged more than once");
}

#[test]
fn two_holders_a_500_and_a_stale_read_are_reported() {
    let (id, other) = (Uuid::new_v4(), Uuid::new_v4());
    let (mut ops, end) = clean(id);
    ops.push(op(Call::ReadKey { key: 1 }, 80, 90, seen(&[id, other])));
    assert_fires(&ops, &end, "showed 2 active users");

    let (mut ops, end) = clean(id);
    let mut failed = op(Call::ReadDeleted, 80, 90, Outcome::Info("500".into()));
    failed.status = Some(500);
    ops.push(failed);
    assert_fires(&ops, &end, "answered 500");

    let (mut ops, end) = clean(id);
    ops.push(op(Call::ReadDeleted, 80, 90, seen(&[])));
    assert_fires(&ops, &end, "not visible");
}

#[test]
fn a_read_after_a_purge_and_an_unexplained_restore_are_reported() {
    let id = Uuid::new_v4();
    let (mut ops, mut end) = clean(id);
    ops.push(op(Call::Purge { id }, 80, 90, Outcome::Ok(Value::Done)));
    ops.push(op(Call::ReadDeleted, 100, 110, seen(&[id])));
    end.users.remove(&id);
    end.audits.insert((AuditAction::HardDeleteUser, id), 1);
    assert_fires(&ops, &end, "seen after its purge");

    let (mut ops, mut end) = clean(id);
    let items = Outcome::Ok(Value::Items(vec![Item::Failed]));
    ops.push(op(Call::BulkRestore { ids: vec![id] }, 80, 90, items));
    end.audits.insert((AuditAction::RestoreUser, id), 1);
    assert_fires(&ops, &end, "RestoreUser records");
}

fn assert_fires(ops: &[Op], end: &End, expected: &str) {
    let violations = check(ops, end);
    assert!(
        violations.iter().any(|v| v.contains(expected)),
        "expected a violation containing {expected:?}, got {violations:?}"
    );
}
