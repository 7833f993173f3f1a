//! T14: two replicas on one PostgreSQL whose machines' clocks are two days ahead and two
//! days behind (libfaketime). Both follow the database's clock, so they purge exactly the
//! users an unskewed server would, restore the ones it would, and accept a token exactly
//! while the database's time is before its expiry.

use crate::api::Api;
use crate::backend::Backend;
use crate::inspect::{State, assert_chain_verifies, state_of};
use crate::seed::{Seeded, Seeder};
use crate::server::Server;
use crate::support::{Deadline, exclusive};
use directory::role::{AdminRole, RoleSet};
use directory::store::Store;
use directory::{Caller, Directory, ManualClock};
use reqwest::Method;
use std::path::Path;
use std::sync::Arc;
use time::Duration;

const LIBFAKETIME: &str = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1";
/// The default retention.
const RETENTION: Duration = Duration::days(30);
/// How far from the retention's end the users are deleted: far less than the skew.
const MARGIN: Duration = Duration::hours(1);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replicas_with_skewed_clocks_decide_by_the_databases_time() {
    let _one = exclusive().await;
    assert!(
        Path::new(LIBFAKETIME).is_file(),
        "T14 needs libfaketime ({LIBFAKETIME}); install the Debian package faketime"
    );
    let backend = Backend::postgres();
    let store = backend.open().await;
    let seeder = Seeder::new(store.clone()).await;
    let fresh = seeder.token().await;
    let stale = expired_token(&store).await;
    let kept = seeder.deleted("t14kept", 2, RETENTION - MARGIN).await;
    let expired = seeder.deleted("t14gone", 2, RETENTION + MARGIN).await;

    let behind = skewed("t14-behind", &backend, "-2d");
    let api = Api::new(&behind.base, &fresh, std::time::Duration::from_secs(30));
    wait_until_purged(&store, &expired).await;
    assert_eq!(restore(&api, &kept[0]).await, 200, "restorable by the database's time");
    assert_eq!(
        Api::new(&behind.base, &stale, std::time::Duration::from_secs(30))
            .get("/v1.0/users")
            .await
            .unwrap()
            .status,
        401,
        "a token that expired by the database's time is refused by a replica two days behind"
    );
    drop(behind);

    let late = seeder.deleted("t14late", 1, RETENTION + MARGIN).await;
    let ahead = skewed("t14-ahead", &backend, "+2d");
    let api = Api::new(&ahead.base, &fresh, std::time::Duration::from_secs(30));
    // The purge job reads due users oldest first, so the run that purges `late` also
    // decided about `kept[1]`, deleted an hour before its retention ends.
    wait_until_purged(&store, &late).await;
    assert_eq!(
        state_of(&store, &kept[1]).await,
        State::Deleted,
        "not due by the database's time"
    );
    let users = api.get("/v1.0/users").await.unwrap();
    assert_eq!(
        users.status, 200,
        "a day-long token is good on a replica two days ahead"
    );
    assert_eq!(restore(&api, &kept[1]).await, 200);
    drop(ahead);
    assert_chain_verifies(&store).await;
    backend.clean_up().await;
}

/// `roster serve` on `backend` with its machine's clock moved by `offset` (libfaketime's
/// `FAKETIME` syntax); the monotonic clock stays, so timers and timeouts still work.
fn skewed(name: &str, backend: &Backend, offset: &str) -> Server {
    Server::start_with_env(
        name,
        &backend.serve_args(),
        "1s",
        &[
            ("LD_PRELOAD", LIBFAKETIME),
            ("FAKETIME", offset),
            ("FAKETIME_DONT_FAKE_MONOTONIC", "1"),
            ("FAKETIME_NO_CACHE", "1"),
        ],
    )
}

/// A Global Administrator token that expired an hour ago: issued a day ago for 23 hours.
async fn expired_token(store: &Arc<dyn Store>) -> String {
    let clock = ManualClock::new(time::OffsetDateTime::now_utc() - Duration::days(1));
    let directory = Directory::new(store.clone(), Arc::new(clock));
    let roles = RoleSet::new([AdminRole::GlobalAdministrator]);
    let issued = directory
        .issue_service_token(&Caller::system(), "t14 stale", roles, Duration::hours(23))
        .await
        .unwrap();
    issued.secret.expose().to_owned()
}

async fn restore(api: &Api, user: &Seeded) -> reqwest::StatusCode {
    let path = format!("/v1.0/directory/deletedItems/{}/restore", user.id.as_uuid());
    api.send(Method::POST, &path, None).await.unwrap().status
}

async fn wait_until_purged(store: &Arc<dyn Store>, users: &[Seeded]) {
    let deadline = Deadline::after(std::time::Duration::from_secs(30), "the expired users to be purged");
    for user in users {
        while state_of(store, user).await != State::Purged {
            deadline.tick().await;
        }
    }
}
