//! Password sign-in: lockout per sign-in name with the manual clock, sessions that die
//! with their user, and changing one's own password.

use super::{Fixture, new_user};
use crate::TestDb;
use directory::Error;
use directory::Origin;
use directory::audit::{AuditAction, AuditOutcome, AuditQuery};
use directory::user::address_limit::ADDRESS_THRESHOLD;
use directory::user::sign_in::{FAILURE_WINDOW, LOCKOUT_DURATION, LOCKOUT_THRESHOLD};
use time::Duration;

const PASSWORD: &str = "a long enough passphrase";
const WRONG: &str = "not the right passphrase";
const SESSION: Duration = Duration::hours(8);

pub async fn repeated_failures_lock_sign_in_per_name_until_the_lockout_ends(db: TestDb) {
    let fx = Fixture::new(db).await;
    fx.create("adele@contoso.com").await;
    for _ in 1..LOCKOUT_THRESHOLD {
        let result = fx.directory.sign_in("adele@contoso.com", WRONG, SESSION).await;
        assert!(matches!(result, Err(Error::Unauthenticated)), "{result:?}");
    }
    let locked = fx.directory.sign_in("Adele@Contoso.com", WRONG, SESSION).await;
    assert!(matches!(locked, Err(Error::Locked { .. })), "{locked:?}");
    let right = fx.directory.sign_in("adele@contoso.com", PASSWORD, SESSION).await;
    assert!(
        matches!(right, Err(Error::Locked { .. })),
        "the right password waits too"
    );
    fx.clock.advance(LOCKOUT_DURATION - Duration::seconds(1));
    let still = fx.directory.sign_in("adele@contoso.com", PASSWORD, SESSION).await;
    assert!(matches!(still, Err(Error::Locked { .. })));

    fx.clock.advance(Duration::seconds(1));
    let signed_in = fx
        .directory
        .sign_in("adele@contoso.com", PASSWORD, SESSION)
        .await
        .unwrap();
    let session = fx.directory.session(&signed_in.secret).await.unwrap();
    assert_eq!(session.user.id, signed_in.user.id);

    assert_eq!(records_of(&fx, AuditAction::LockSignIn).await.len(), 1);
    let sign_ins = records_of(&fx, AuditAction::SignIn).await;
    let failures = sign_ins.iter().filter(|e| e.outcome == AuditOutcome::Failure).count();
    assert_eq!(
        failures as u32,
        LOCKOUT_THRESHOLD + 2,
        "every refused attempt is audited"
    );
    assert_eq!(
        sign_ins.iter().filter(|e| e.outcome == AuditOutcome::Success).count(),
        1
    );
}

/// The newest thousand audit records of `action`.
async fn records_of(fx: &Fixture, action: AuditAction) -> Vec<directory::audit::AuditEvent> {
    let query = AuditQuery {
        action: Some(action),
        limit: 1000,
        ..AuditQuery::default()
    };
    fx.directory.audit_events(&fx.admin, &query).await.unwrap()
}

/// A request from `ip`.
fn from(ip: &str) -> Origin {
    Origin {
        client_ip: Some(ip.parse().unwrap()),
        ..Origin::default()
    }
}

pub async fn a_password_spray_from_one_address_pauses_sign_in_from_it_without_locking_names(db: TestDb) {
    let fx = Fixture::new(db).await;
    fx.create("adele@contoso.com").await;
    let (spray, office) = (from("203.0.113.9"), from("198.51.100.7"));
    let sign_in = |name: String, password: &'static str, origin: Origin| {
        let directory = fx.directory.clone();
        async move { directory.sign_in_from(&name, password, SESSION, &origin).await }
    };
    // A right password gives its reservation back: it does not count.
    for n in 1..ADDRESS_THRESHOLD {
        let wrong = sign_in(format!("user{n}@contoso.com"), WRONG, spray.clone()).await;
        assert!(matches!(wrong, Err(Error::Unauthenticated)), "attempt {n}: {wrong:?}");
    }
    sign_in("adele@contoso.com".into(), PASSWORD, spray.clone())
        .await
        .unwrap();
    let last = sign_in("user0@contoso.com".into(), WRONG, spray.clone()).await;
    assert!(matches!(last, Err(Error::Unauthenticated)), "{last:?}");
    for name in ["adele@contoso.com", "someone@contoso.com"] {
        let paused = sign_in(name.into(), PASSWORD, spray.clone()).await;
        assert!(matches!(paused, Err(Error::AddressThrottled { .. })), "{paused:?}");
    }
    // The IPv6 neighbours of an address share its budget; other addresses do not.
    let ipv6 = from("2001:db8:7:7::1");
    for _ in 0..ADDRESS_THRESHOLD {
        let _ = sign_in("nobody@contoso.com".into(), WRONG, ipv6.clone()).await;
    }
    let neighbour = sign_in("adele@contoso.com".into(), PASSWORD, from("2001:db8:7:7:ffff::2")).await;
    assert!(
        matches!(neighbour, Err(Error::AddressThrottled { .. })),
        "{neighbour:?}"
    );
    sign_in("adele@contoso.com".into(), PASSWORD, office.clone())
        .await
        .unwrap();

    fx.clock.advance(LOCKOUT_DURATION);
    sign_in("adele@contoso.com".into(), PASSWORD, spray).await.unwrap();

    let locks = records_of(&fx, AuditAction::LockSignIn).await;
    let mut targets: Vec<&str> = locks.iter().map(|e| e.target.as_str()).collect();
    targets.sort_unstable();
    assert_eq!(
        targets,
        ["address 2001:db8:7:7::/64", "address 203.0.113.9", "nobody@contoso.com"],
        "one record per pause, and the name tried five times locked on its own"
    );
    let sign_ins = records_of(&fx, AuditAction::SignIn).await;
    let throttled = sign_ins
        .iter()
        .filter(|e| e.detail("reason") == Some("addressThrottled"));
    assert_eq!(throttled.count(), 3, "every refused attempt is audited once");
}

pub async fn failed_sign_ins_that_count_no_more_are_forgotten_and_the_rest_kept(db: TestDb) {
    let fx = Fixture::new(db).await;
    fx.create("adele@contoso.com").await;
    let wrong = |name: &'static str| {
        let directory = fx.directory.clone();
        async move { directory.sign_in_from(name, WRONG, SESSION, &from("203.0.113.9")).await }
    };
    let _ = wrong("old@contoso.com").await;
    fx.clock.advance(Duration::minutes(10));
    for _ in 0..LOCKOUT_THRESHOLD {
        let _ = wrong("locked@contoso.com").await;
    }
    // Past the address's window, which therefore starts again with this failure.
    fx.clock.advance(FAILURE_WINDOW - Duration::minutes(9));
    let _ = wrong("recent@contoso.com").await;
    let forget = || fx.directory.forget_stale_sign_in_failures();
    assert_eq!(forget().await.unwrap(), 1, "only old@contoso.com counts no more");
    let locked = fx.directory.sign_in("locked@contoso.com", WRONG, SESSION).await;
    assert!(matches!(locked, Err(Error::Locked { .. })), "{locked:?}");
    fx.clock.advance(LOCKOUT_DURATION);
    assert_eq!(forget().await.unwrap(), 1, "locked@contoso.com, once its lock is over");
    fx.clock.advance(Duration::seconds(1));
    assert_eq!(forget().await.unwrap(), 2, "the address and recent@contoso.com");
    assert_eq!(forget().await.unwrap(), 0);
    // Forgetting changed no rule: five more failures lock the name again.
    for _ in 1..LOCKOUT_THRESHOLD {
        let _ = fx.directory.sign_in("adele@contoso.com", WRONG, SESSION).await;
    }
    let fifth = fx.directory.sign_in("adele@contoso.com", WRONG, SESSION).await;
    assert!(matches!(fifth, Err(Error::Locked { .. })), "{fifth:?}");
}

pub async fn unknown_names_lock_too_and_old_failures_expire(db: TestDb) {
    let fx = Fixture::new(db).await;
    fx.create("adele@contoso.com").await;
    for _ in 0..LOCKOUT_THRESHOLD {
        let _ = fx.directory.sign_in("nobody@contoso.com", WRONG, SESSION).await;
    }
    let unknown = fx.directory.sign_in("nobody@contoso.com", WRONG, SESSION).await;
    assert!(
        matches!(unknown, Err(Error::Locked { .. })),
        "no hint that the name is unknown"
    );

    for _ in 1..LOCKOUT_THRESHOLD {
        let _ = fx.directory.sign_in("adele@contoso.com", WRONG, SESSION).await;
    }
    fx.clock.advance(FAILURE_WINDOW);
    let fresh = fx.directory.sign_in("adele@contoso.com", WRONG, SESSION).await;
    assert!(
        matches!(fresh, Err(Error::Unauthenticated)),
        "old failures no longer count"
    );
    fx.directory
        .sign_in("adele@contoso.com", PASSWORD, SESSION)
        .await
        .unwrap();
}

pub async fn sessions_end_with_sign_out_deletion_or_disabling_and_restore_does_not_revive_them(db: TestDb) {
    let fx = Fixture::new(db).await;
    let adele = fx.create("adele@contoso.com").await;
    let first = fx
        .directory
        .sign_in("adele@contoso.com", PASSWORD, SESSION)
        .await
        .unwrap();
    let second = fx
        .directory
        .sign_in("adele@contoso.com", PASSWORD, SESSION)
        .await
        .unwrap();
    fx.directory.sign_out(&first.secret).await.unwrap();
    fx.directory.sign_out(&first.secret).await.unwrap();
    assert!(matches!(
        fx.directory.session(&first.secret).await,
        Err(Error::Unauthenticated)
    ));
    fx.directory.session(&second.secret).await.unwrap();

    fx.delete(&adele).await;
    assert!(matches!(
        fx.directory.session(&second.secret).await,
        Err(Error::Unauthenticated)
    ));
    assert!(
        fx.directory
            .sign_in("adele@contoso.com", PASSWORD, SESSION)
            .await
            .is_err()
    );
    fx.directory
        .restore_user(&fx.admin, adele.id, Default::default())
        .await
        .unwrap();
    assert!(matches!(
        fx.directory.session(&second.secret).await,
        Err(Error::Unauthenticated)
    ));
    let third = fx
        .directory
        .sign_in("adele@contoso.com", PASSWORD, SESSION)
        .await
        .unwrap();

    fx.clock.advance(SESSION);
    assert!(
        matches!(fx.directory.session(&third.secret).await, Err(Error::Unauthenticated)),
        "sessions expire"
    );
}

pub async fn changing_ones_own_password_checks_the_current_one_and_ends_other_sessions(db: TestDb) {
    let fx = Fixture::new(db).await;
    let mut new = new_user("adele@contoso.com");
    new.force_change_password = true;
    fx.directory.create_user(&fx.admin, new).await.unwrap();
    let first = fx
        .directory
        .sign_in("adele@contoso.com", PASSWORD, SESSION)
        .await
        .unwrap();
    assert!(first.user.force_change_password);
    let caller = fx.directory.session(&first.secret).await.unwrap().caller;

    let wrong = fx
        .directory
        .change_own_password(&caller, WRONG, "a brand new passphrase", SESSION)
        .await;
    assert!(matches!(wrong, Err(Error::Invalid { .. })), "{wrong:?}");
    let same = fx
        .directory
        .change_own_password(&caller, PASSWORD, PASSWORD, SESSION)
        .await;
    assert!(matches!(same, Err(Error::Invalid { .. })));
    let weak = fx
        .directory
        .change_own_password(&caller, PASSWORD, "password", SESSION)
        .await;
    assert!(matches!(weak, Err(Error::Invalid { .. })));
    fx.directory.session(&first.secret).await.unwrap();

    let changed = fx
        .directory
        .change_own_password(&caller, PASSWORD, "a brand new passphrase", SESSION)
        .await
        .unwrap();
    assert!(!changed.user.force_change_password);
    assert!(matches!(
        fx.directory.session(&first.secret).await,
        Err(Error::Unauthenticated)
    ));
    let session = fx.directory.session(&changed.secret).await.unwrap();
    assert!(!session.user.force_change_password);
    assert!(
        fx.directory
            .check_password("adele@contoso.com", PASSWORD)
            .await
            .is_err()
    );
    fx.directory
        .check_password("adele@contoso.com", "a brand new passphrase")
        .await
        .unwrap();
}

/// Twenty wrong passwords at once from four processes (T26): the failures are counted
/// exactly, so the name locks at the threshold, one lock is recorded, and every attempt
/// is audited once.
pub async fn parallel_wrong_passwords_from_several_processes_are_counted_exactly(db: TestDb) {
    let fx = Fixture::new(db).await;
    fx.create("adele@contoso.com").await;
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..4 {
        let directory = fx.second_process().await;
        for _ in 0..5 {
            let directory = directory.clone();
            tasks.spawn(async move { directory.sign_in("adele@contoso.com", WRONG, SESSION).await });
        }
    }
    let (mut refused, mut locked) = (0u32, 0u32);
    while let Some(joined) = tasks.join_next().await {
        match joined.unwrap() {
            Err(Error::Unauthenticated) => refused += 1,
            Err(Error::Locked { .. }) => locked += 1,
            other => panic!("{other:?}"),
        }
    }
    assert_eq!((refused, locked), (LOCKOUT_THRESHOLD - 1, 21 - LOCKOUT_THRESHOLD));
    let right = fx.directory.sign_in("adele@contoso.com", PASSWORD, SESSION).await;
    assert!(matches!(right, Err(Error::Locked { .. })), "the lock holds: {right:?}");
    let count = |action| {
        let query = AuditQuery {
            action: Some(action),
            limit: 1000,
            ..AuditQuery::default()
        };
        let directory = fx.directory.clone();
        let admin = fx.admin.clone();
        async move { directory.audit_events(&admin, &query).await.unwrap().len() }
    };
    assert_eq!(count(AuditAction::LockSignIn).await, 1);
    assert_eq!(count(AuditAction::SignIn).await, 21);
}

/// Sessions slide while used: each use moves the end an idle period ahead, never past the
/// lifetime, and an idle session ends (T23).
pub async fn sessions_slide_while_used_and_never_past_their_lifetime(db: TestDb) {
    use directory::user::sign_in::SessionPolicy;
    let fx = Fixture::new(db).await;
    fx.create("adele@contoso.com").await;
    let policy = SessionPolicy {
        lifetime: Duration::hours(3),
        idle: Duration::hours(1),
    };
    let busy = fx
        .directory
        .sign_in("adele@contoso.com", PASSWORD, policy)
        .await
        .unwrap();
    let idle = fx
        .directory
        .sign_in("adele@contoso.com", PASSWORD, policy)
        .await
        .unwrap();
    for _ in 0..5 {
        fx.clock.advance(Duration::minutes(35));
        fx.directory.session(&busy.secret).await.unwrap();
        fx.directory.keep_session_alive(&busy.secret, policy).await.unwrap();
    }
    let idle_ended = fx.directory.session(&idle.secret).await;
    assert!(matches!(idle_ended, Err(Error::Unauthenticated)), "{idle_ended:?}");
    fx.directory.keep_session_alive(&idle.secret, policy).await.unwrap();
    assert!(
        fx.directory.session(&idle.secret).await.is_err(),
        "an ended session stays ended"
    );
    fx.clock.advance(Duration::minutes(4));
    assert!(fx.directory.session(&busy.secret).await.is_ok(), "2 h 59 min in");
    fx.clock.advance(Duration::minutes(1));
    fx.directory.keep_session_alive(&busy.secret, policy).await.unwrap();
    assert!(
        fx.directory.session(&busy.secret).await.is_err(),
        "the lifetime is the limit"
    );
}
