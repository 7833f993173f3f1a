//! T36's nightly half: PostgreSQL base backup plus WAL replay to a point in time. A private
//! cluster archives its WAL while Graph writers create, delete and restore users through a
//! real `roster serve`; `pg_basebackup` runs mid-load, and later a named restore point is
//! set. A copy of the base backup replays the archive up to that point and is promoted.
//! On it every write acknowledged before the restore point is there (in a state its
//! history allows), nothing sent after it is, the seeded users are whole with their
//! deletion times, the audit chain verifies, a deleted user restores through the API, and
//! the purge job purges from the original deletion times.

use crate::api::Api;
use crate::backend::Backend;
use crate::inspect::{State as Stored, assert_audit_verify_passes, bin_count, state_of, states_of};
use crate::kill_purge::ExpiredBin;
use crate::pg_cluster::PgCluster;
use crate::seed::{Seeded, Seeder};
use crate::server::{DOMAIN, Server};
use crate::support::{Deadline, exclusive, scale};
use crate::write_load::{Kind, Load, State, Writes};
use directory::store::Store;
use directory::tenant::{Retention, TenantSettings};
use directory::{Caller, Directory, SystemClock, Timestamp};
use reqwest::{Method, StatusCode};
use serde_json::Value;
use std::sync::Arc;
use std::time::{Duration, Instant};

const SCHEMA: &str = "roster_pitr";
const RESTORE_POINT: &str = "roster-pitr";
const WRITERS: usize = 3;
const ANSWER_BOUND: Duration = Duration::from_secs(30);
/// How long the load may take to reach a count of acknowledged writes.
const PATIENCE: Duration = Duration::from_secs(60);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_base_backup_and_wal_replay_to_a_restore_point_keep_every_acknowledged_write() {
    let _one = exclusive().await;
    let source = PgCluster::start_archiving();
    let backend = Backend::postgres_at(&source.url(), SCHEMA);
    let store = backend.open().await;
    let seeder = Seeder::new(store.clone()).await;
    let seed = Seed::plant(&seeder, &store).await;
    let token = seeder.token().await;
    drop((seeder, store));

    let server = Server::start("pitr-source", &backend.serve_args(), "1h");
    let api = Api::new(&server.base, &token, ANSWER_BOUND);
    let load = Load::default();
    let (copy, point) = load_across_a_restore_point(&source, &api, &load).await;
    let deletion_times = deletion_times(&api, &load, &point).await;
    server.kill();
    tokio::task::block_in_place(|| {
        source.archive_current_wal();
        source.stop_immediately();
        let started = Instant::now();
        copy.recover_to(&source, RESTORE_POINT);
        println!("recovered to the restore point and promoted in {:?}", started.elapsed());
    });

    let restored = Backend::postgres_at(&copy.url(), SCHEMA);
    let store = restored.open().await;
    seed.assert_kept(&store).await;
    assert_audit_verify_passes(&restored.serve_args());
    let server = Server::start("pitr-restored", &restored.serve_args(), "1s");
    let api = Api::new(&server.base, &token, ANSWER_BOUND);
    seed.restore_one_and_purge_the_expired(&api, &store).await;
    check(&load, &api, &point).await;
    for (id, deleted_at) in &deletion_times {
        let answer = api.get(&format!("/v1.0/directory/deletedItems/{id}")).await.unwrap();
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        assert_eq!(
            &answer.body["deletedDateTime"], deleted_at,
            "the purge deadline is kept"
        );
    }
    server.kill();
}

/// Writers run while `pg_basebackup` copies the source, then until the restore point is
/// set, then a little longer; returns the copy and the restore point once they stopped.
async fn load_across_a_restore_point(source: &PgCluster, api: &Api, load: &Load) -> (PgCluster, RestorePoint) {
    let writers: Vec<_> = (0..WRITERS)
        .map(|k| tokio::spawn(load.clone().write(api.clone(), format!("pitr-w{k}-"), None)))
        .collect();
    let step = 20 * scale();
    load.wait_for(step, PATIENCE).await;
    let (acked, started) = (load.acked(), Instant::now());
    let copy = tokio::task::block_in_place(|| source.base_backup());
    println!(
        "pg_basebackup took {:?} while {} writes were acknowledged",
        started.elapsed(),
        load.acked() - acked
    );
    load.wait_for(load.acked() + step, PATIENCE).await;
    let point = RestorePoint::create(&source.url()).await;
    load.wait_for(load.acked() + step, PATIENCE).await;
    load.stop();
    for writer in writers {
        writer.await.unwrap();
    }
    (copy, point)
}

/// What was seeded before the load: live users, users deleted two hours ago (expired once
/// the retention is an hour) and a minute ago, with their deletion times as stored.
struct Seed {
    bin: ExpiredBin,
    keep: Vec<Seeded>,
    deleted_at: Vec<(Seeded, Timestamp)>,
}

impl Seed {
    async fn plant(seeder: &Seeder, store: &Arc<dyn Store>) -> Seed {
        let bin = ExpiredBin {
            expired: seeder.deleted("expired", 40 * scale(), time::Duration::hours(2)).await,
            fresh: seeder.deleted("fresh", 20, time::Duration::minutes(1)).await,
            live: seeder.live("live", 20).await,
        };
        let keep = seeder.deleted("keep", 3, time::Duration::minutes(1)).await;
        let mut read = store.read().await.unwrap();
        let mut deleted_at = Vec::new();
        for user in bin.expired.iter().chain(&bin.fresh).chain(&keep) {
            let deleted = read.deleted_user(user.id).await.unwrap().expect("seeded in the bin");
            deleted_at.push((user.clone(), deleted.deleted_at));
        }
        Seed { bin, keep, deleted_at }
    }

    /// Every seeded user whole in its seeded state, each deleted one at its deletion time.
    async fn assert_kept(&self, store: &Arc<dyn Store>) {
        let live = states_of(store, &self.bin.live).await;
        assert!(live.iter().all(|s| *s == Stored::Active), "live users: {live:?}");
        let mut read = store.read().await.unwrap();
        for (user, at) in &self.deleted_at {
            assert_eq!(state_of(store, user).await, Stored::Deleted, "{}", user.upn);
            let deleted = read.deleted_user(user.id).await.unwrap().unwrap();
            assert_eq!(deleted.deleted_at, *at, "{} keeps its deletion time", user.upn);
        }
    }

    /// Restores one seeded user through Graph (it comes back whole), shortens the
    /// retention to an hour, and waits for the server's purge job: the users deleted two
    /// hours ago are purged once each, nothing else is.
    async fn restore_one_and_purge_the_expired(&self, api: &Api, store: &Arc<dyn Store>) {
        let in_bin = bin_count(store).await;
        let user = &self.keep[0];
        let path = format!("/v1.0/directory/deletedItems/{}/restore", user.id.as_uuid());
        let answer = api.send(Method::POST, &path, None).await.unwrap();
        assert_eq!(
            answer.status,
            StatusCode::OK,
            "a deleted user restores: {}",
            answer.body
        );
        assert_eq!(state_of(store, user).await, Stored::Active);
        shorten_retention(store).await;
        let purged_to = in_bin - self.bin.expired.len() as u64 - 1;
        let deadline = Deadline::after(Duration::from_secs(60), "the restored server's purge job");
        while bin_count(store).await > purged_to {
            deadline.tick().await;
        }
        self.bin.assert_purged_once(store).await;
    }
}

/// The tenant's retention becomes one hour, so the users deleted two hours ago expire.
async fn shorten_retention(store: &Arc<dyn Store>) {
    let directory = Directory::new(store.clone(), Arc::new(SystemClock));
    let settings = TenantSettings {
        retention: Some(Retention::new(time::Duration::hours(1)).unwrap()),
        ..TenantSettings::default()
    };
    directory.update_tenant(&Caller::system(), settings).await.unwrap();
}

/// When `pg_create_restore_point` was called and when it returned.
struct RestorePoint {
    called: Instant,
    returned: Instant,
}

impl RestorePoint {
    async fn create(url: &str) -> RestorePoint {
        let pool = sqlx::PgPool::connect(url).await.expect("the source cluster");
        let called = Instant::now();
        sqlx::query("SELECT pg_create_restore_point($1)::text")
            .bind(RESTORE_POINT)
            .execute(&pool)
            .await
            .expect("a restore point");
        let returned = Instant::now();
        pool.close().await;
        RestorePoint { called, returned }
    }
}

/// Load users whose history allows only "deleted" at the restore point, with the deletion
/// time the source server reports.
async fn deletion_times(api: &Api, load: &Load, point: &RestorePoint) -> Vec<(String, Value)> {
    let mut times = Vec::new();
    for id in load.only_deleted(point.called, point.returned) {
        let answer = api.get(&format!("/v1.0/directory/deletedItems/{id}")).await.unwrap();
        assert!(answer.body["deletedDateTime"].is_string(), "{}", answer.body);
        times.push((id, answer.body["deletedDateTime"].clone()));
    }
    assert!(
        !times.is_empty(),
        "some load users were deleted before the restore point"
    );
    times
}

/// The load's writes through the fault tests' client: load users are `<name>@DOMAIN`.
impl Writes for Api {
    async fn write(&self, kind: Kind, name: &str, id: &str) -> Option<Value> {
        let answer = match kind {
            Kind::Create => self.create_user(name, DOMAIN).await,
            Kind::Delete => self.send(Method::DELETE, &format!("/v1.0/users/{id}"), None).await,
            Kind::Restore => {
                let path = format!("/v1.0/directory/deletedItems/{id}/restore");
                self.send(Method::POST, &path, None).await
            }
        };
        answer.ok().filter(|a| a.status.is_success()).map(|a| a.body)
    }
}

/// Every load user is, on the recovered server, in a state its history allows.
async fn check(load: &Load, api: &Api, point: &RestorePoint) {
    let (mut before, mut after, mut unknown) = (0, 0, 0);
    let history = load.history();
    for user in &history {
        let Some(id) = &user.id else {
            unknown += 1;
            continue;
        };
        let allowed = user.allowed(point.called, point.returned);
        let found = state(api, id).await;
        assert!(
            allowed.contains(&found),
            "{} is {found:?} after the recovery, but its history allows only {allowed:?}: {:?}",
            user.name,
            user.ops
        );
        if allowed == [State::Missing] {
            after += 1;
        } else if allowed[0] != State::Missing {
            before += 1;
        }
    }
    println!(
        "{} load users: {before} acknowledged before the restore point, {after} sent after it, \
         {unknown} never created",
        history.len()
    );
    assert!(before > WRITERS && after > 0, "the restore point fell mid-load");
}

/// Where a load user is on a server.
async fn state(api: &Api, id: &str) -> State {
    let active = api.get(&format!("/v1.0/users/{id}")).await.unwrap();
    if active.status == StatusCode::OK {
        return State::Active;
    }
    let deleted = api.get(&format!("/v1.0/directory/deletedItems/{id}")).await.unwrap();
    match (active.status, deleted.status) {
        (_, StatusCode::OK) => State::Deleted,
        (StatusCode::NOT_FOUND, StatusCode::NOT_FOUND) => State::Missing,
        (a, d) => panic!("{id}: GET answered {a} and {d}: {}", deleted.body),
    }
}
