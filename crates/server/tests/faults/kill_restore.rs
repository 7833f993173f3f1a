//! T09: SIGKILL in the middle of a bulk restore. Every user must come out either wholly
//! restored (active with its groups, licence and addresses, audited once) or still
//! deleted with everything it remembered, never half; a second restore finishes the rest.

use crate::api::Api;
use crate::backend::Backend;
use crate::inspect::{AuditCounts, State, active_count, assert_chain_verifies, states_of};
use crate::seed::{Seeded, Seeder};
use crate::server::Server;
use crate::support::{Deadline, exclusive, scale};
use directory::audit::AuditAction;
use serde_json::json;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_mid_bulk_restore_on_sqlite_leaves_no_half_restored_user() {
    let _one = exclusive().await;
    sigkill_mid_bulk_restore(Backend::sqlite()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_mid_bulk_restore_on_postgres_leaves_no_half_restored_user() {
    let _one = exclusive().await;
    let backend = Backend::postgres();
    sigkill_mid_bulk_restore(backend).await;
}

async fn sigkill_mid_bulk_restore(backend: Backend) {
    let store = backend.open().await;
    let seeder = Seeder::new(store.clone()).await;
    let token = seeder.token().await;
    let bin = seeder.deleted("gone", 600 * scale(), time::Duration::hours(2)).await;
    let ids: Vec<uuid::Uuid> = bin.iter().map(|user| user.id.as_uuid()).collect();
    let before = active_count(&store).await;

    let server = Server::start(&format!("t09-{}", backend.name()), &backend.serve_args(), "1h");
    let api = Api::new(&server.base, &token, Duration::from_secs(600));
    // Generated passwords are hashed one by one before each group of 100 commits, so the
    // restore advances in visible steps.
    let request = tokio::spawn({
        let (api, ids) = (api.clone(), ids.clone());
        async move { api.bulk_restore(&ids, &json!({"password": {"mode": "generate"}})).await }
    });
    let deadline = Deadline::after(Duration::from_secs(300), "the first restored users");
    while active_count(&store).await == before {
        deadline.tick().await;
    }
    server.kill();
    assert!(request.await.unwrap().is_err(), "the killed server never answered");

    let server = Server::start(&format!("t09-{}-again", backend.name()), &backend.serve_args(), "1h");
    let states = states_of(&store, &bin).await;
    let restored = states.iter().filter(|s| **s == State::Active).count();
    println!(
        "{}: killed with {restored} of {} users restored",
        backend.name(),
        bin.len()
    );
    assert!(
        restored > 0 && restored < bin.len(),
        "the kill landed mid-way ({restored} of {} restored)",
        bin.len()
    );
    assert!(states.iter().all(|s| *s != State::Purged), "nobody was purged");
    assert_audited_once_if_restored(&store, &bin, &states).await;

    let rest: Vec<uuid::Uuid> = bin
        .iter()
        .zip(&states)
        .filter(|(_, state)| **state == State::Deleted)
        .map(|(user, _)| user.id.as_uuid())
        .collect();
    let api = Api::new(&server.base, &token, Duration::from_secs(600));
    let answer = api.bulk_restore(&rest, &json!({})).await.unwrap();
    assert!(answer.status.is_success(), "{answer:?}");
    assert_eq!(
        answer.body["summary"]["restored"],
        rest.len(),
        "{}",
        answer.body["summary"]
    );
    let states = states_of(&store, &bin).await;
    assert!(states.iter().all(|s| *s == State::Active), "everyone is restored");
    assert_audited_once_if_restored(&store, &bin, &states).await;
    assert_chain_verifies(&store).await;
    server.kill();
    backend.clean_up().await;
}

/// Each restored user has exactly one successful restore record; each deleted one none.
async fn assert_audited_once_if_restored(
    store: &std::sync::Arc<dyn directory::store::Store>,
    bin: &[Seeded],
    states: &[State],
) {
    let audits = AuditCounts::read(store).await;
    for (user, state) in bin.iter().zip(states) {
        let expected = usize::from(*state == State::Active);
        assert_eq!(
            audits.of(AuditAction::RestoreUser, user),
            expected,
            "restore records of {} ({state:?})",
            user.upn
        );
    }
}
