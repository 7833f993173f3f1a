//! SIGKILL in the middle of the server's own purge job. Retention is shortened so that a
//! large part of the bin has expired; after the kill every expired user is either purged
//! (audited once) or still whole in the bin, and after a restart every expired user is
//! purged and audited exactly once, while the unexpired bin and the live users are as
//! they were. The same holds when PostgreSQL itself crashes mid-purge: each batch commits
//! without waiting for the disk (a redoable transaction), so the crash may lose whole
//! batches, users and audit records together, and the job purges them again.

use crate::backend::Backend;
use crate::inspect::{AuditCounts, State, assert_chain_verifies, bin_count, states_of};
use crate::pg_cluster::PgCluster;
use crate::seed::{Seeded, Seeder};
use crate::server::Server;
use crate::support::{Deadline, exclusive, scale};
use directory::audit::AuditAction;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_mid_purge_on_sqlite_purges_each_expired_user_once() {
    let _one = exclusive().await;
    sigkill_mid_purge(Backend::sqlite()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_mid_purge_on_postgres_purges_each_expired_user_once() {
    let _one = exclusive().await;
    sigkill_mid_purge(Backend::postgres()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_crashing_mid_purge_loses_only_whole_batches_which_are_purged_again() {
    let _one = exclusive().await;
    let cluster = PgCluster::start();
    let backend = Backend::postgres_at(&cluster.url(), "public");
    let store = backend.open().await;
    let seeder = Seeder::new(store.clone()).await;
    let bin = ExpiredBin::seed(&seeder, 2000 * scale()).await;
    let total = bin_count(&store).await;
    drop(seeder);

    let server = Server::start("purge-pg-crash", &backend.serve_args(), "1s");
    let deadline = Deadline::after(Duration::from_secs(120), "the purge job to start purging");
    while bin_count(&store).await == total {
        deadline.tick().await;
    }
    cluster.stop_immediately();
    drop(store);
    cluster.up();
    let store = backend.open().await;
    println!(
        "PostgreSQL crashed and came back with {} of {total} users in the bin",
        bin_count(&store).await
    );
    let fresh = bin.fresh.len() as u64;
    let deadline = Deadline::after(Duration::from_secs(120), "the same server's purge job to finish");
    while bin_count(&store).await > fresh {
        deadline.tick().await;
    }
    server.kill();
    bin.assert_purged_once(&store).await;
}

/// A bin where `expired` users are past a one-hour retention and `fresh` ones are not,
/// beside `live` active users.
pub(crate) struct ExpiredBin {
    pub(crate) expired: Vec<Seeded>,
    pub(crate) fresh: Vec<Seeded>,
    pub(crate) live: Vec<Seeded>,
}

impl ExpiredBin {
    pub(crate) async fn seed(seeder: &Seeder, expired: usize) -> ExpiredBin {
        let bin = ExpiredBin {
            expired: seeder.deleted("expired", expired, time::Duration::hours(2)).await,
            fresh: seeder.deleted("fresh", 50, time::Duration::minutes(1)).await,
            live: seeder.live("live", 50).await,
        };
        seeder.set_retention(time::Duration::hours(1)).await;
        bin
    }

    /// Every expired user purged and audited once; nothing else touched.
    pub(crate) async fn assert_purged_once(&self, store: &std::sync::Arc<dyn directory::store::Store>) {
        let states = states_of(store, &self.expired).await;
        assert!(
            states.iter().all(|s| *s == State::Purged),
            "every expired user is purged"
        );
        let audits = AuditCounts::read(store).await;
        for user in &self.expired {
            assert_eq!(
                audits.of(AuditAction::HardDeleteUser, user),
                1,
                "purge records of {}",
                user.upn
            );
        }
        for (users, state) in [(&self.fresh, State::Deleted), (&self.live, State::Active)] {
            assert!(
                states_of(store, users).await.iter().all(|s| *s == state),
                "untouched: {state:?}"
            );
            for user in users {
                assert_eq!(
                    audits.of(AuditAction::HardDeleteUser, user),
                    0,
                    "{} was not purged",
                    user.upn
                );
            }
        }
        assert_chain_verifies(store).await;
    }
}

async fn sigkill_mid_purge(backend: Backend) {
    let store = backend.open().await;
    let seeder = Seeder::new(store.clone()).await;
    let bin = ExpiredBin::seed(&seeder, 2000 * scale()).await;
    let total = bin_count(&store).await;

    // The purge job's first run starts as the server starts.
    let server = Server::start(&format!("purge-{}", backend.name()), &backend.serve_args(), "1s");
    let deadline = Deadline::after(Duration::from_secs(120), "the purge job to start purging");
    while bin_count(&store).await == total {
        deadline.tick().await;
    }
    server.kill();

    let states = states_of(&store, &bin.expired).await;
    let purged = states.iter().filter(|s| **s == State::Purged).count();
    println!(
        "{}: killed with {purged} of {} expired users purged",
        backend.name(),
        bin.expired.len()
    );
    assert!(
        purged > 0 && purged < bin.expired.len(),
        "the kill landed mid-way ({purged} of {} purged)",
        bin.expired.len()
    );
    let audits = AuditCounts::read(&store).await;
    for (user, state) in bin.expired.iter().zip(&states) {
        let expected = usize::from(*state == State::Purged);
        assert_eq!(
            audits.of(AuditAction::HardDeleteUser, user),
            expected,
            "{} ({state:?})",
            user.upn
        );
    }

    let server = Server::start(&format!("purge-{}-again", backend.name()), &backend.serve_args(), "1s");
    let fresh = bin.fresh.len() as u64;
    let deadline = Deadline::after(Duration::from_secs(120), "the restarted purge job to finish");
    while bin_count(&store).await > fresh {
        deadline.tick().await;
    }
    server.kill();
    bin.assert_purged_once(&store).await;
    backend.clean_up().await;
}
