//! Two `roster serve` replicas on one PostgreSQL schema, racing each other:
//! T03 bulk restores of the same 50 users (each restored and audited once), T01 a
//! restore against a creation of the same UPN (exactly one holder; the loser gets
//! Graph's ObjectConflict), and T11 both purge jobs on one expired bin, with a third
//! replica joining mid-way, and users whose retention ends around then (`purge_boundary`).

use crate::api::{Answer, Api};
use crate::backend::Backend;
use crate::inspect::{AuditCounts, State, assert_chain_verifies, assert_recorded_by, bin_count, state_of, states_of};
use crate::kill_purge::ExpiredBin;
use crate::purge_boundary::Boundary;
use crate::seed::{Seeded, Seeder};
use crate::server::{DOMAIN, Server};
use crate::support::{Deadline, exclusive, scale};
use directory::audit::AuditAction;
use directory::store::Store;
use directory::upn::UserPrincipalName;
use reqwest::Method;
use serde_json::json;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

/// Starts two replicas on the backend at once.
pub(crate) fn two_replicas(name: &str, backend: &Backend, purge_interval: &str) -> [Server; 2] {
    let args = backend.serve_args();
    std::thread::scope(|scope| {
        let first = scope.spawn(|| Server::start(&format!("{name}-a"), &args, purge_interval));
        let second = scope.spawn(|| Server::start(&format!("{name}-b"), &args, purge_interval));
        [first.join().unwrap(), second.join().unwrap()]
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_racing_bulk_restores_restore_and_audit_each_user_once() {
    let _one = exclusive().await;
    let backend = Backend::postgres();
    let store = backend.open().await;
    let seeder = Seeder::new(store.clone()).await;
    let token = seeder.token().await;
    let replicas = two_replicas("t03", &backend, "1h");
    let apis: Vec<Api> = replicas
        .iter()
        .map(|r| Api::new(&r.base, &token, Duration::from_secs(300)))
        .collect();
    for round in 0..2 * scale() {
        let bin = seeder
            .deleted(&format!("t03r{round}"), 50, time::Duration::hours(1))
            .await;
        let ids: Vec<uuid::Uuid> = bin.iter().map(|u| u.id.as_uuid()).collect();
        let keep = json!({});
        let (first, second) = tokio::join!(apis[0].bulk_restore(&ids, &keep), apis[1].bulk_restore(&ids, &keep));
        let restored_by = restored_counts(&[first.unwrap(), second.unwrap()]);
        for user in &bin {
            let times = restored_by.get(&user.id.as_uuid()).copied().unwrap_or(0);
            assert_eq!(times, 1, "round {round}: {} reported restored {times} times", user.upn);
        }
        assert!(states_of(&store, &bin).await.iter().all(|s| *s == State::Active));
        let audits = AuditCounts::read(&store).await;
        for user in &bin {
            assert_eq!(
                audits.of(AuditAction::RestoreUser, user),
                1,
                "round {round}: {}",
                user.upn
            );
        }
    }
    assert_chain_verifies(&store).await;
    assert_recorded_by(&store, AuditAction::RestoreUser, &["t03-a", "t03-b"]).await;
    drop(replicas);
    backend.clean_up().await;
}

/// How many of the answers report each user as restored.
fn restored_counts(answers: &[Answer]) -> HashMap<uuid::Uuid, usize> {
    let mut counts = HashMap::new();
    for answer in answers {
        assert!(answer.status.is_success(), "{answer:?}");
        for result in answer.body["results"].as_array().expect("results") {
            if result["status"] == "restored" {
                let id = result["id"].as_str().and_then(|id| id.parse().ok()).expect("an id");
                *counts.entry(id).or_default() += 1;
            }
        }
    }
    counts
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restore_against_create_of_one_upn_on_two_replicas_leaves_one_holder() {
    let _one = exclusive().await;
    let backend = Backend::postgres();
    let store = backend.open().await;
    let seeder = Seeder::new(store.clone()).await;
    let token = seeder.token().await;
    let replicas = two_replicas("t01", &backend, "1h");
    let apis: Vec<Api> = replicas
        .iter()
        .map(|r| Api::new(&r.base, &token, Duration::from_secs(60)))
        .collect();
    let mut restores_won = 0;
    let rounds = 4 * scale();
    for round in 0..rounds {
        let user = seeder
            .deleted_without_addresses(&format!("t01r{round}"), 1)
            .await
            .remove(0);
        let (restorer, creator) = (&apis[round % 2], &apis[(round + 1) % 2]);
        // Creating hashes a password first; the restore starts a little later each round
        // so that both orders happen.
        let stagger = Duration::from_millis((round as u64 * 47) % 250);
        let restore = async {
            tokio::time::sleep(stagger).await;
            let path = format!("/v1.0/directory/deletedItems/{}/restore", user.id.as_uuid());
            restorer.send(Method::POST, &path, None).await.unwrap()
        };
        let alias = user.upn.split('@').next().unwrap().to_owned();
        let create = async { creator.create_user(&alias, DOMAIN).await.unwrap() };
        let (restored, created) = tokio::join!(restore, create);
        restores_won += usize::from(restored.status.is_success());
        assert_one_winner(&store, &user, &restored, &created).await;
    }
    println!("restore won {restores_won} of {rounds} rounds");
    assert_chain_verifies(&store).await;
    drop(replicas);
    backend.clean_up().await;
}

/// Exactly one of the two succeeded, the other got ObjectConflict, and the UPN has the
/// winner as its one active holder.
async fn assert_one_winner(store: &Arc<dyn Store>, user: &Seeded, restored: &Answer, created: &Answer) {
    let (winner, loser) = match (restored.status.is_success(), created.status.is_success()) {
        (true, false) => (user.id.as_uuid().to_string(), created),
        (false, true) => (created.body["id"].as_str().unwrap().to_owned(), restored),
        _ => panic!("exactly one must win: restore {restored:?}, create {created:?}"),
    };
    assert_eq!(loser.status, 400, "Graph answers a taken UPN with 400: {loser:?}");
    assert_eq!(loser.body["error"]["details"][0]["code"], "ObjectConflict", "{loser:?}");
    let key = UserPrincipalName::parse(&user.upn).unwrap().key();
    let holder = store.read().await.unwrap().user_by_upn_key(&key).await.unwrap();
    assert_eq!(holder.map(|h| h.id.as_uuid().to_string()), Some(winner.clone()));
    let expected = if winner == user.id.as_uuid().to_string() {
        State::Active
    } else {
        State::Deleted
    };
    assert_eq!(state_of(store, user).await, expected);
    let audits = AuditCounts::read(store).await;
    assert_eq!(
        audits.of(AuditAction::RestoreUser, user),
        usize::from(expected == State::Active)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_and_a_third_joining_purge_each_expired_user_exactly_once() {
    let _one = exclusive().await;
    let backend = Backend::postgres();
    let store = backend.open().await;
    let seeder = Seeder::new(store.clone()).await;
    let bin = ExpiredBin::seed(&seeder, 1500 * scale()).await;
    let boundary = Boundary::seed(&seeder, &store).await;
    let total = bin_count(&store).await;
    let replicas = two_replicas("t11", &backend, "1s");
    let deadline = Deadline::after(Duration::from_secs(120), "the purge jobs to start");
    while bin_count(&store).await == total {
        deadline.tick().await;
    }
    // A third replica joins while the other two are purging.
    let third = Server::start("t11-c", &backend.serve_args(), "1s");
    println!(
        "the third replica joined with {} of {total} users left in the bin",
        bin_count(&store).await
    );
    let since = store.database_time().await.unwrap().expect("PostgreSQL's clock");
    let left = bin.fresh.len() as u64 + boundary.not_due_at(since);
    let deadline = Deadline::after(Duration::from_secs(120), "the purge jobs to empty the expired bin");
    while bin_count(&store).await > left {
        deadline.tick().await;
    }
    boundary.wait_for_due(&store, since).await;
    drop((replicas, third));
    bin.assert_purged_once(&store).await;
    boundary.assert_purged_when_due(&store, since).await;
    assert_recorded_by(&store, AuditAction::HardDeleteUser, &["t11-a", "t11-b", "t11-c"]).await;
    backend.clean_up().await;
}
