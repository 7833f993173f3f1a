//! Replica check-ins: two processes on one database see each other while both check in,
//! one that stops counts as gone after `LIVE_WITHIN` and is forgotten a day later.

use super::{Fixture, caller_with};
use crate::TestDb;
use directory::Error;
use directory::replica::LIVE_WITHIN;
use directory::role::AdminRole;
use time::Duration;

pub async fn replicas_that_check_in_see_each_other_until_one_stops(db: TestDb) {
    let fx = Fixture::new(db).await;
    let a = fx.directory.clone().with_replica("eu-1");
    let b = fx.second_process().await.with_replica("eu-2");
    let started = fx.directory.now();
    assert_eq!(names(&a.check_in(started).await.unwrap()), ["eu-1"]);
    fx.clock.advance(Duration::seconds(1));
    assert_eq!(names(&b.check_in(started).await.unwrap()), ["eu-2", "eu-1"]);
    fx.clock.advance(LIVE_WITHIN - Duration::seconds(1));
    assert_eq!(
        names(&a.check_in(started).await.unwrap()),
        ["eu-1", "eu-2"],
        "b was seen just within the window"
    );
    fx.clock.advance(Duration::seconds(2));
    let live = a.check_in(started).await.unwrap();
    assert_eq!(names(&live), ["eu-1"], "b stopped checking in");
    assert!(live[0].is_live_at(fx.directory.now()));
    assert_eq!(live[0].started_at, started);

    let reader = caller_with(&[AdminRole::GlobalReader]);
    let listed = fx.directory.replicas(&reader).await.unwrap();
    assert_eq!(
        names(&listed),
        ["eu-1", "eu-2"],
        "the list keeps gone replicas for a day"
    );
    assert!(!listed[1].is_live_at(fx.directory.now()));
    let helpdesk = caller_with(&[AdminRole::HelpdeskAdministrator]);
    let refused = fx.directory.replicas(&helpdesk).await.unwrap_err();
    assert!(matches!(refused, Error::Forbidden { .. }), "{refused:?}");

    fx.clock.advance(Duration::days(1));
    a.check_in(started).await.unwrap();
    assert_eq!(names(&fx.directory.replicas(&reader).await.unwrap()), ["eu-1"]);
    assert!(
        fx.directory.check_in(started).await.unwrap().is_empty(),
        "an unnamed directory records nothing"
    );
}

fn names(seen: &[directory::replica::ReplicaSeen]) -> Vec<&str> {
    seen.iter().map(|seen| seen.name.as_str()).collect()
}
