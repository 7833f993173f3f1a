//! T13 in non-UTC time zones: `roster serve` runs with `TZ=Europe/Amsterdam` (users deleted
//! just before the 2026 DST changes) and `TZ=Pacific/Kiritimati` (UTC+14). The server has
//! no injected clock, so deletion times are seeded relative to now: one retention period
//! minus [`MARGIN`] ago (still restorable, kept by the purge job) and plus [`MARGIN`] ago
//! (restore refused, purged). A boundary computed in local wall-clock time would move by
//! an hour across a DST change, or by 14 hours, more than the margin.

use crate::api::Api;
use crate::backend::Backend;
use crate::inspect::{AuditCounts, State, assert_chain_verifies, state_of};
use crate::seed::{Seeded, Seeder};
use crate::server::Server;
use crate::support::{Deadline, exclusive};
use directory::Timestamp;
use directory::audit::AuditAction;
use directory::store::Store;
use reqwest::Method;
use std::sync::Arc;
use time::macros::datetime;

/// How far from the boundary each user is deleted: less than a DST change moves it.
const MARGIN: time::Duration = time::Duration::minutes(20);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_amsterdam_users_deleted_before_a_dst_change_keep_a_utc_boundary() {
    let _one = exclusive().await;
    // The retention is stretched so that its end is now for a user deleted on the day
    // before each change (2026-03-29 and 2026-10-25, 01:00 UTC), in whole days.
    let retentions = [
        days_since(datetime!(2026-10-24 00:00 UTC)),
        days_since(datetime!(2026-03-28 00:00 UTC)),
    ];
    boundaries_in_zone("Europe/Amsterdam", &retentions).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_kiritimati_the_thirty_day_boundary_is_thirty_times_24_hours() {
    let _one = exclusive().await;
    boundaries_in_zone("Pacific/Kiritimati", &[30]).await;
}

/// Whole days from `start` to now, so that now minus that many days falls on `start`'s day.
fn days_since(start: Timestamp) -> i64 {
    (time::OffsetDateTime::now_utc() - start).whole_days()
}

async fn boundaries_in_zone(zone: &str, retentions: &[i64]) {
    let backend = Backend::sqlite();
    let store = backend.open().await;
    let seeder = Seeder::new(store.clone()).await;
    let token = seeder.token().await;
    let name = format!("t13-{}", zone.replace('/', "-"));
    let server = Server::start_with_env(&name, &backend.serve_args(), "1s", &[("TZ", zone)]);
    let api = Api::new(&server.base, &token, std::time::Duration::from_secs(30));
    for (n, days) in retentions.iter().enumerate() {
        let retention = time::Duration::days(*days);
        seeder.set_retention(retention).await;
        let kept = seeder.deleted(&format!("t13k{n}"), 2, retention - MARGIN).await;
        let expired = seeder
            .deleted(&format!("t13e{n}"), 1, retention + MARGIN)
            .await
            .remove(0);
        println!(
            "{zone}: retention {days} days, deleted at {}",
            deleted_at(&store, &kept[0]).await
        );
        assert_utc_times(&api, &store, &kept[0], retention).await;
        let restored = restore(&api, &kept[0]).await;
        assert!(
            restored.is_success(),
            "{} is restorable before the boundary: {restored}",
            kept[0].upn
        );
        let refused = restore(&api, &expired).await;
        assert_eq!(refused, 404, "{} is past the boundary", expired.upn);
        wait_until_purged(&store, &expired).await;
        assert_eq!(state_of(&store, &kept[0]).await, State::Active);
        assert_eq!(
            state_of(&store, &kept[1]).await,
            State::Deleted,
            "kept before the boundary"
        );
        let audits = AuditCounts::read(&store).await;
        assert_eq!(audits.of(AuditAction::HardDeleteUser, &expired), 1);
        assert_eq!(audits.of(AuditAction::HardDeleteUser, &kept[1]), 0);
    }
    drop(server);
    assert_chain_verifies(&store).await;
}

async fn deleted_at(store: &Arc<dyn Store>, user: &Seeded) -> Timestamp {
    let mut read = store.read().await.unwrap();
    read.deleted_user(user.id)
        .await
        .unwrap()
        .expect("in the bin")
        .deleted_at
}

/// Graph's `deletedDateTime` and `permanentDeletionDateTime` are the UTC instants, in `Z` form.
async fn assert_utc_times(api: &Api, store: &Arc<dyn Store>, user: &Seeded, retention: time::Duration) {
    let at = deleted_at(store, user).await;
    let path = format!("/v1.0/directory/deletedItems/{}", user.id.as_uuid());
    let answer = api.get(&path).await.unwrap();
    assert!(answer.status.is_success(), "{answer:?}");
    assert_eq!(answer.body["deletedDateTime"], utc_text(at), "{}", answer.body);
    assert_eq!(
        answer.body["permanentDeletionDateTime"],
        utc_text(at + retention),
        "{}",
        answer.body
    );
}

/// `2026-10-24T01:12:44Z`: the instant in UTC, to the second.
fn utc_text(at: Timestamp) -> String {
    let at = at.to_offset(time::UtcOffset::UTC);
    let (date, clock) = (at.date(), at.time());
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        date.year(),
        u8::from(date.month()),
        date.day(),
        clock.hour(),
        clock.minute(),
        clock.second()
    )
}

async fn restore(api: &Api, user: &Seeded) -> reqwest::StatusCode {
    let path = format!("/v1.0/directory/deletedItems/{}/restore", user.id.as_uuid());
    api.send(Method::POST, &path, None).await.unwrap().status
}

async fn wait_until_purged(store: &Arc<dyn Store>, user: &Seeded) {
    let deadline = Deadline::after(std::time::Duration::from_secs(30), format!("{} to be purged", user.upn));
    while state_of(store, user).await != State::Purged {
        deadline.tick().await;
    }
}
