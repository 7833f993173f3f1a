//! T36's nightly half: PostgreSQL base backup plus WAL replay to a point in time. A private
//! cluster archives its WAL while Graph writers create, delete and restore users through a
//! real `roster serve`; `pg_basebackup` runs mid-load, and later the recovery target is set
//! on the source: a named restore point, or the database's own `clock_timestamp()`. A copy
//! of the base backup replays the archive up to that target and is promoted. On it every
//! write acknowledged before the target is there (in a state its history allows), nothing
//! sent after it is, the seeded users are whole with their deletion times, the audit chain
//! verifies, a deleted user restores through the API, and the purge job purges from the
//! original deletion times. Retention deadlines are absolute times: users deleted before
//! the base backup whose retention ends a few seconds after the recovered server starts
//! are listed and restorable until then, and purged once after it by that server's job.
//! `ROSTER_PITR_USERS=N` seeds N more users (a quarter of them in the bin), half before the
//! base backup and half after it, so that the backup copies a larger database and the
//! recovery replays a larger archive; the copy must hold each of them.

use crate::api::Api;
use crate::backend::Backend;
use crate::inspect::{
    State as Stored, assert_audit_verify_passes, assert_chain_verifies, assert_recorded_by, audit_events, bin_count,
    state_of, states_of,
};
use crate::kill_purge::ExpiredBin;
use crate::pg_cluster::{PgCluster, RecoveryTarget};
use crate::seed::{Seeded, Seeder, count_from_env};
use crate::server::{DOMAIN, Server};
use crate::support::{Deadline, exclusive, scale};
use crate::write_load::{Kind, Load, State, Writes};
use directory::audit::{AuditAction, AuditOutcome};
use directory::query::{Condition, Field, TextKey};
use directory::store::Store;
use directory::tenant::{Retention, TenantSettings};
use directory::{Caller, Directory, SystemClock, Timestamp};
use reqwest::{Method, StatusCode};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

const SCHEMA: &str = "roster_pitr";
const RESTORE_POINT: &str = "roster-pitr";
const WRITERS: usize = 3;
const ANSWER_BOUND: Duration = Duration::from_secs(30);
/// How long the load may take to reach a count of acknowledged writes.
const PATIENCE: Duration = Duration::from_secs(60);
/// The tenant's retention in the deadline test, set before the base backup.
const RETENTION: time::Duration = time::Duration::hours(1);
/// The crossing users' retention ends every [`DUE_STEP`] seconds from [`FIRST_DUE`] to
/// [`LAST_DUE`] seconds after they are seeded, [`PER_DUE`] users at each: whenever the
/// recovered server is ready, the nearest deadline still ahead is at most a step away.
const FIRST_DUE: i64 = 4;
const DUE_STEP: usize = 2;
const LAST_DUE: i64 = 60;
const PER_DUE: usize = 3;
/// How far ahead the deadline the test watches must still be when the recovered server is
/// ready: room to list the users and restore one before it.
const MARGIN: time::Duration = time::Duration::seconds(2);
/// How soon after a deadline (or after the recovered server is ready, when that is later)
/// its purge job, running every second, has purged the user: a late purge fails too.
const PURGE_LAG: time::Duration = time::Duration::seconds(5);
/// Deleted users, as Graph lists them.
const BIN: &str = "/v1.0/directory/deletedItems/microsoft.graph.user";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_base_backup_and_wal_replay_to_a_restore_point_keep_every_acknowledged_write() {
    let _one = exclusive().await;
    let source = PgCluster::start_archiving();
    let backend = Backend::postgres_at(&source.url(), SCHEMA);
    let store = backend.open().await;
    let seeder = Seeder::new(store.clone()).await;
    let seed = Seed::plant(&seeder, &store).await;
    let extra = count_from_env("ROSTER_PITR_USERS");
    let seeded_first = Bulk::plant(&seeder, extra / 2, ("bulk", "binned")).await;
    let token = seeder.token().await;
    drop(store);

    let server = Server::start("pitr-source", &backend.serve_args(), "1h");
    let api = Api::new(&server.base, &token, ANSWER_BOUND);
    let load = Load::default();
    let replayed = Some((&seeder, extra - extra / 2));
    let (copy, point, replayed) = load_across_a_target(&source, &api, &load, Aim::RestorePoint, replayed).await;
    drop(seeder);
    let deletion_times = deletion_times(&api, &load, &point).await;
    server.kill();
    recover(&source, &copy, &point.target);

    let restored = Backend::postgres_at(&copy.url(), SCHEMA);
    let store = restored.open().await;
    seed.assert_kept(&store).await;
    seeded_first.assert_kept(&store).await;
    replayed.assert_kept(&store).await;
    assert_audit_verify_passes(&restored.serve_args());
    let server = Server::start("pitr-restored", &restored.serve_args(), "1s");
    let api = Api::new(&server.base, &token, ANSWER_BOUND);
    seed.restore_one_and_purge_the_expired(&api, &store).await;
    check(&load, &api, &point).await;
    assert_deletion_times_kept(&api, &deletion_times).await;
    server.kill();
}

/// `recovery_target_time`: the target is the source database's `clock_timestamp()`, read
/// between two phases of writes. Every write acknowledged before the query was sent
/// committed before that time and is replayed; every write sent after its answer arrived
/// committed after it and is not (users created only then are missing).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_wal_replay_to_a_database_timestamp_keeps_writes_acknowledged_before_it_and_none_after() {
    let _one = exclusive().await;
    let source = PgCluster::start_archiving();
    let backend = Backend::postgres_at(&source.url(), SCHEMA);
    let store = backend.open().await;
    let token = Seeder::new(store.clone()).await.token().await;
    drop(store);

    let server = Server::start("pitr-time-source", &backend.serve_args(), "1h");
    let api = Api::new(&server.base, &token, ANSWER_BOUND);
    let load = Load::default();
    let (copy, at, _) = load_across_a_target(&source, &api, &load, Aim::Time, None).await;
    println!("recovery target: {:?}", at.target);
    let deletion_times = deletion_times(&api, &load, &at).await;
    server.kill();
    recover(&source, &copy, &at.target);

    let restored = Backend::postgres_at(&copy.url(), SCHEMA);
    assert_audit_verify_passes(&restored.serve_args());
    let server = Server::start("pitr-time-restored", &restored.serve_args(), "1h");
    let api = Api::new(&server.base, &token, ANSWER_BOUND);
    check(&load, &api, &at).await;
    assert_deletion_times_kept(&api, &deletion_times).await;
    server.kill();
}

/// A retention deadline that falls after the recovery in real time. Before the base
/// backup the retention becomes an hour and users are deleted so that theirs ends from a
/// few to [`LAST_DUE`] seconds later. The recovered server starts with some of those
/// deadlines still ahead: the nearest such users are listed in the recycle bin and one of
/// them restores; once the deadline passes, the server's own purge job purges the others,
/// each once (one audit record, dated from its deadline to [`PURGE_LAG`] after it), and the
/// restored one not at all. The wait is real, a few seconds, polled: `roster serve` decides
/// by the database's clock, so libfaketime on the server would not move the deadline.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_recovery_keeps_retention_deadlines_that_pass_after_it_and_the_recovered_server_purges_once() {
    let _one = exclusive().await;
    let source = PgCluster::start_archiving();
    let backend = Backend::postgres_at(&source.url(), SCHEMA);
    let store = backend.open().await;
    let seeder = Seeder::new(store.clone()).await;
    let token = seeder.token().await;
    seeder.set_retention(RETENTION).await;
    let crossing = Crossing::plant(&seeder, &store).await;
    drop((seeder, store));

    let copy = tokio::task::block_in_place(|| source.base_backup());
    let point = Mark::set(Aim::RestorePoint, &source.url()).await;
    recover(&source, &copy, &point.target);

    let restored = Backend::postgres_at(&copy.url(), SCHEMA);
    let store = restored.open().await;
    let server = Server::start("pitr-deadline", &restored.serve_args(), "1s");
    let api = Api::new(&server.base, &token, ANSWER_BOUND);
    crossing.listed_until_due_then_purged_once(&api, &store).await;
    server.kill();
}

/// Users deleted before the base backup whose retention ends seconds later, each with that
/// instant.
struct Crossing {
    users: Vec<(Seeded, Timestamp)>,
}

impl Crossing {
    /// Seeds the users, the retention being [`RETENTION`] already.
    async fn plant(seeder: &Seeder, store: &Arc<dyn Store>) -> Crossing {
        let mut seeded = Vec::new();
        for seconds in (FIRST_DUE..=LAST_DUE).step_by(DUE_STEP) {
            let ago = RETENTION - time::Duration::seconds(seconds);
            seeded.extend(seeder.deleted(&format!("crossing{seconds}"), PER_DUE, ago).await);
        }
        let mut read = store.read().await.unwrap();
        let mut users = Vec::with_capacity(seeded.len());
        for user in seeded {
            let deleted = read.deleted_user(user.id).await.unwrap().expect("seeded in the bin");
            users.push((user, deleted.deleted_at + RETENTION));
        }
        Crossing { users }
    }

    /// On the recovered server: the users whose deadline is the nearest still [`MARGIN`]
    /// ahead are listed in the bin and one of them restores, before that deadline (by the
    /// database's clock). Then every user due by it but the restored one is purged by the
    /// server's purge job, with one audit record each dated no earlier than its deadline
    /// and less than [`PURGE_LAG`] after it; the later ones are purged the same way or still
    /// in the bin, unaudited.
    async fn listed_until_due_then_purged_once(&self, api: &Api, store: &Arc<dyn Store>) {
        let ready = database_time(store).await;
        let (due, nearest) = self.first_due_after(ready + MARGIN);
        let early = self.users.iter().filter(|(_, at)| *at <= ready).count();
        println!(
            "crossing users: {early} due before the recovered server was ready, {} due {} after it",
            nearest.len(),
            due - ready
        );
        let restored = listed_and_one_restored(api, store, &nearest, due).await;
        let deadline = Deadline::after(Duration::from_secs(30), "the recovered server's purge job");
        for (user, _) in self.users.iter().filter(|(u, at)| *at <= due && u.id != restored.id) {
            while state_of(store, user).await != Stored::Purged {
                deadline.tick().await;
            }
        }
        self.assert_purged_once_when_due(store, restored, ready, due).await;
        assert_recorded_by(store, AuditAction::HardDeleteUser, &["pitr-deadline"]).await;
        assert_chain_verifies(store).await;
    }

    /// The first deadline at or after `at`, and the users due then.
    fn first_due_after(&self, at: Timestamp) -> (Timestamp, Vec<&Seeded>) {
        let deadlines = self.users.iter().map(|(_, due)| *due);
        let Some(due) = deadlines.clone().filter(|due| *due >= at).min() else {
            let last = deadlines.max().unwrap();
            panic!("the recovered server was ready too late: {at} is after the last crossing deadline {last}");
        };
        let users = self.users.iter().filter(|(_, at)| *at == due);
        (due, users.map(|(user, _)| user).collect())
    }

    /// Every user due by `due` but `restored` purged, once, from its deadline (or `ready`,
    /// when the server started after it) to [`PURGE_LAG`] later; later ones purged the same
    /// way or in the bin without a purge record; `restored` active and never purged.
    async fn assert_purged_once_when_due(
        &self,
        store: &Arc<dyn Store>,
        restored: &Seeded,
        ready: Timestamp,
        due: Timestamp,
    ) {
        let purged_at = purge_records(store).await;
        let (mut purged, mut not_due) = (0, 0);
        for (user, at) in &self.users {
            let records = purged_at.get(&user.id.as_uuid()).cloned().unwrap_or_default();
            match state_of(store, user).await {
                Stored::Active if user.id == restored.id => {
                    assert!(records.is_empty(), "{} restored, yet purged: {records:?}", user.upn);
                }
                Stored::Purged => {
                    assert_eq!(records.len(), 1, "{} purged once: {records:?}", user.upn);
                    assert!(
                        records[0] >= *at,
                        "{} purged at {} before its deadline {at}",
                        user.upn,
                        records[0]
                    );
                    assert!(
                        records[0] < (*at).max(ready) + PURGE_LAG,
                        "{} purged at {}, late for its deadline {at}",
                        user.upn,
                        records[0]
                    );
                    purged += 1;
                }
                Stored::Deleted => {
                    assert!(records.is_empty(), "{} in the bin, purged: {records:?}", user.upn);
                    assert!(*at > due, "{} was due at {at}, still in the bin", user.upn);
                    not_due += 1;
                }
                Stored::Active => panic!("{} was restored by nobody", user.upn),
            }
        }
        println!("crossing users: {purged} purged once by the recovered server, {not_due} not yet due");
    }
}

/// `nearest` (due at `due`) are in the recycle bin's list, and the first restores through
/// Graph, before `due` by the database's clock; returns that one.
async fn listed_and_one_restored<'a>(
    api: &Api,
    store: &Arc<dyn Store>,
    nearest: &[&'a Seeded],
    due: Timestamp,
) -> &'a Seeded {
    let listed = api
        .get(&format!("{BIN}?$filter=startsWith(displayName,'crossing')&$top=999"))
        .await
        .unwrap();
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.body);
    let ids: Vec<&str> = (listed.body["value"].as_array().expect("a page of deleted users").iter())
        .filter_map(|user| user["id"].as_str())
        .collect();
    for user in nearest {
        let id = user.id.as_uuid().to_string();
        assert!(
            ids.contains(&id.as_str()),
            "{} is not listed before its deadline",
            user.upn
        );
    }
    let restored = nearest[0];
    let path = format!("/v1.0/directory/deletedItems/{}/restore", restored.id.as_uuid());
    let answer = api.send(Method::POST, &path, None).await.unwrap();
    assert_eq!(
        answer.status,
        StatusCode::OK,
        "restorable before its deadline: {}",
        answer.body
    );
    let answered = database_time(store).await;
    assert!(
        answered < due,
        "listed and restored before the deadline {due}, but the database's clock read {answered} after"
    );
    println!("listed and one restored {} before their deadline", due - answered);
    assert_eq!(state_of(store, restored).await, Stored::Active);
    restored
}

/// The database server's clock now.
async fn database_time(store: &Arc<dyn Store>) -> Timestamp {
    store.database_time().await.unwrap().expect("PostgreSQL's clock")
}

/// The times of the successful purge records, by user.
async fn purge_records(store: &Arc<dyn Store>) -> HashMap<uuid::Uuid, Vec<Timestamp>> {
    let mut records: HashMap<uuid::Uuid, Vec<Timestamp>> = HashMap::new();
    for event in audit_events(store).await {
        if let (AuditAction::HardDeleteUser, AuditOutcome::Success, Some(id)) =
            (event.action, event.outcome, event.target_id)
        {
            records.entry(id).or_default().push(event.at);
        }
    }
    records
}

/// Archives the source's last WAL, crashes it, and recovers `copy` to `target`.
fn recover(source: &PgCluster, copy: &PgCluster, target: &RecoveryTarget) {
    tokio::task::block_in_place(|| {
        source.archive_current_wal();
        source.stop_immediately();
        let started = Instant::now();
        copy.recover_to(source, target);
        println!("recovered to {target:?} and promoted in {:?}", started.elapsed());
    });
}

/// Writers run while `pg_basebackup` copies the source, then until the recovery target is
/// set, then a little longer; returns the copy and the target once they stopped. With
/// `replayed`, that many users are seeded after the base backup, before the target, so the
/// recovery replays them from the archive.
async fn load_across_a_target(
    source: &PgCluster,
    api: &Api,
    load: &Load,
    aim: Aim,
    replayed: Option<(&Seeder, usize)>,
) -> (PgCluster, Mark, Bulk) {
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
    let replayed = match replayed {
        Some((seeder, count)) => Bulk::plant(seeder, count, ("replay", "rebinned")).await,
        None => Bulk::default(),
    };
    load.wait_for(load.acked() + step, PATIENCE).await;
    let point = Mark::set(aim, &source.url()).await;
    load.wait_for(load.acked() + step, PATIENCE).await;
    load.stop();
    for writer in writers {
        writer.await.unwrap();
    }
    (copy, point, replayed)
}

/// The larger database's users, `<live>-NNNNN` active and `<binned>-NNNNN` deleted a minute
/// before seeding (so the purge check's shortened retention leaves them in the bin).
#[derive(Default)]
struct Bulk {
    prefixes: (&'static str, &'static str),
    live: u64,
    binned: u64,
}

impl Bulk {
    async fn plant(seeder: &Seeder, count: usize, prefixes: (&'static str, &'static str)) -> Bulk {
        if count == 0 {
            return Bulk::default();
        }
        let started = Instant::now();
        let (live, binned) = seeder.population(prefixes, count, time::Duration::minutes(1)).await;
        println!(
            "seeded {count} more users ({binned} deleted) in {:?}",
            started.elapsed()
        );
        Bulk { prefixes, live, binned }
    }

    /// Every one of these users is in the recovered database, in its seeded state.
    async fn assert_kept(&self, store: &Arc<dyn Store>) {
        if self.live + self.binned == 0 {
            return;
        }
        let prefix = |text: &str| Condition::StartsWith {
            field: Field::UserPrincipalName,
            prefix: TextKey::new(&format!("{text}-")),
        };
        let mut read = store.read().await.unwrap();
        let live = read.count_found_users(&prefix(self.prefixes.0)).await.unwrap();
        let binned = read
            .count_found_deleted_users(Timestamp::UNIX_EPOCH, &prefix(self.prefixes.1))
            .await
            .unwrap();
        let expected = (self.live, self.binned);
        assert_eq!(
            (live, binned),
            expected,
            "{:?} users kept (active, deleted)",
            self.prefixes
        );
    }
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

/// Which recovery target a test sets on the source.
#[derive(Debug, Clone, Copy)]
enum Aim {
    /// `pg_create_restore_point`, named [`RESTORE_POINT`].
    RestorePoint,
    /// The source's `clock_timestamp()`.
    Time,
}

/// A recovery target set on the source, with when the statement setting it was sent and
/// when its answer arrived: the copy holds what committed at the target, somewhere between.
struct Mark {
    target: RecoveryTarget,
    called: Instant,
    returned: Instant,
}

impl Mark {
    async fn set(aim: Aim, url: &str) -> Mark {
        let pool = sqlx::PgPool::connect(url).await.expect("the source cluster");
        let called = Instant::now();
        let target = match aim {
            Aim::RestorePoint => {
                sqlx::query("SELECT pg_create_restore_point($1)::text")
                    .bind(RESTORE_POINT)
                    .execute(&pool)
                    .await
                    .expect("a restore point");
                RecoveryTarget::RestorePoint(RESTORE_POINT.into())
            }
            Aim::Time => {
                let time: String = sqlx::query_scalar("SELECT clock_timestamp()::text")
                    .fetch_one(&pool)
                    .await
                    .expect("the source's clock");
                RecoveryTarget::Time(time)
            }
        };
        let returned = Instant::now();
        pool.close().await;
        Mark {
            target,
            called,
            returned,
        }
    }
}

/// Load users whose history allows only "deleted" at the target, with the deletion time
/// the source server reports.
async fn deletion_times(api: &Api, load: &Load, point: &Mark) -> Vec<(String, Value)> {
    let mut times = Vec::new();
    for id in load.only_deleted(point.called, point.returned) {
        let answer = api.get(&format!("/v1.0/directory/deletedItems/{id}")).await.unwrap();
        assert!(answer.body["deletedDateTime"].is_string(), "{}", answer.body);
        times.push((id, answer.body["deletedDateTime"].clone()));
    }
    assert!(
        !times.is_empty(),
        "some load users were deleted before the recovery target"
    );
    times
}

/// Each of those users is in the recovered bin with its deletion time, so its purge
/// deadline is kept.
async fn assert_deletion_times_kept(api: &Api, deletion_times: &[(String, Value)]) {
    for (id, deleted_at) in deletion_times {
        let answer = api.get(&format!("/v1.0/directory/deletedItems/{id}")).await.unwrap();
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        assert_eq!(
            &answer.body["deletedDateTime"], deleted_at,
            "the purge deadline is kept"
        );
    }
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
async fn check(load: &Load, api: &Api, point: &Mark) {
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
        "{} load users: {before} acknowledged before the recovery target, {after} sent after it, \
         {unknown} never created",
        history.len()
    );
    assert!(before > WRITERS && after > 0, "the recovery target fell mid-load");
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
