//! T39, a Jepsen-style run: clients (10, or 30 from scale 3) on three `roster serve`
//! replicas over a private PostgreSQL create, delete, rename, restore, bulk-restore, purge
//! and read users of 20 UPN keys for 35 s × `ROSTER_CHAOS_SCALE`, while a nemesis kills,
//! pauses and partitions replicas and crashes the database (the last replica's clock runs
//! two hours behind). Every op is recorded as ok, fail or info; once everything is healed,
//! each replica reads every key, and [`checker`] judges the history and the database.

mod checker;
#[cfg(test)]
mod checker_tests;
mod cluster;
mod end;
mod facts;
mod history;
mod nemesis;
mod rng;
mod summary;
mod workload;

use crate::api::Api;
use crate::inspect::assert_chain_verifies;
use crate::seed::Seeder;
use crate::support::{Deadline, exclusive, scale};
use cluster::{Cluster, REPLICAS};
use history::{Call, Op};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use workload::{REQUEST_TIMEOUT, Shared};

const KEYS: usize = 20;
/// The length of a run at scale 1.
const RUN: Duration = Duration::from_secs(35);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clients_on_three_replicas_under_a_nemesis_leave_a_history_without_violations() {
    let _one = exclusive().await;
    let seed = rng::seed();
    println!("T39 seed {seed} (ROSTER_CHAOS_SEED replays the choices, not the timing)");
    let cluster = Arc::new(tokio::task::spawn_blocking(Cluster::new).await.unwrap());
    let store = cluster.direct.open().await;
    let token = Seeder::new(store.clone()).await.token().await;
    let starting = cluster.clone();
    tokio::task::spawn_blocking(move || starting.start_all()).await.unwrap();
    let shared = Arc::new(Shared::new(cluster.clone(), token, KEYS));
    let faults = run_under_nemesis(&shared, seed).await;

    let ops = read_every_key_after_healing(&shared).await;
    let end = end::read(&cluster.database.url(), &store).await;
    let violations = checker::check(&ops, &end);
    summary::print(&ops, &faults, &violations);
    println!("T39 history in {}", summary::save(&ops, &faults, seed).display());
    cluster.stop_all();
    assert_chain_verifies(&store).await;
    assert!(
        violations.is_empty(),
        "the history broke {} invariants (above)",
        violations.len()
    );
    assert_meaningful(&ops, &faults);
}

/// Runs the clients and the nemesis for the run's length; everything is healed after.
async fn run_under_nemesis(shared: &Arc<Shared>, seed: u64) -> Vec<nemesis::Injected> {
    let clients = if scale() >= 3 { 30 } else { 10 };
    let mut tasks = tokio::task::JoinSet::new();
    for client in 0..clients {
        let client_seed = seed ^ (client as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        tasks.spawn(workload::run_client(shared.clone(), client, client_seed));
    }
    let stop_nemesis = Arc::new(AtomicBool::new(false));
    let started = shared.history.started();
    let nemesis = tokio::spawn(nemesis::run(
        shared.cluster.clone(),
        stop_nemesis.clone(),
        seed,
        started,
    ));
    let length = RUN * u32::try_from(scale()).unwrap_or(u32::MAX);
    let skewed: Vec<usize> = (0..REPLICAS).filter(|n| shared.cluster.is_skewed(*n)).collect();
    println!("T39: {clients} clients for {length:?}; replicas with a skewed clock: {skewed:?}");
    tokio::time::sleep(length).await;
    stop_nemesis.store(true, Ordering::SeqCst);
    let faults = nemesis.await.expect("the nemesis");
    shared.stop.store(true, Ordering::SeqCst);
    while let Some(client) = tasks.join_next().await {
        client.expect("a client");
    }
    faults
}

/// Once healthy again, every replica reads every key and the bin; each read must succeed.
/// Returns the whole history with these reads.
async fn read_every_key_after_healing(shared: &Shared) -> Vec<Op> {
    for replica in 0..REPLICAS {
        let api = Api::new(&shared.cluster.base(replica), &shared.token, REQUEST_TIMEOUT);
        let deadline = Deadline::after(Duration::from_secs(60), format!("replica {replica} to be healthy"));
        while !api.get("/health").await.is_ok_and(|answer| answer.status == 200) {
            deadline.tick().await;
        }
        let calls = (0..KEYS).map(|key| Call::ReadKey { key }).chain([Call::ReadDeleted]);
        for call in calls {
            let op = workload::perform(shared, &api, usize::MAX, replica, call).await;
            assert!(op.is_ok(), "a read after healing failed: {op:?}");
        }
    }
    shared.history.ops()
}

/// The run did something: acknowledged writes of each kind and faults of several kinds.
fn assert_meaningful(ops: &[Op], faults: &[nemesis::Injected]) {
    for name in [
        "create",
        "delete",
        "rename",
        "restore",
        "purge",
        "read-key",
        "read-deleted",
    ] {
        let ok = ops.iter().filter(|op| op.call.name() == name && op.is_ok()).count();
        assert!(ok > 0, "no {name} succeeded: the run tested nothing");
    }
    assert!(faults.len() >= 3, "only {} faults were injected", faults.len());
}
