//! T11's boundary half: users deleted within an hour either side of the moment the one-hour
//! retention ends for them, densest within seconds of it, so that some cross it while the
//! replicas purge. Judged by each user's due time (deletion + retention) against the
//! purge's own audit record and the database's clock: never purged before it was due,
//! purged once it was due when the wait began, still whole while not yet due.

use crate::inspect::{State, audit_events, state_of};
use crate::seed::{Seeded, Seeder};
use crate::support::Deadline;
use directory::Timestamp;
use directory::audit::{AuditAction, AuditOutcome};
use directory::store::Store;
use std::collections::HashMap;
use std::sync::Arc;
use time::Duration;

/// The retention `ExpiredBin` sets.
const RETENTION: Duration = Duration::hours(1);
/// Users per offset from the boundary.
const PER_OFFSET: usize = 4;

/// Seeded users with the instant their retention ends.
pub(crate) struct Boundary {
    users: Vec<(Seeded, Timestamp)>,
    /// When seeding ended (database time).
    seeded_at: Timestamp,
}

impl Boundary {
    /// Seeds users whose retention ends from an hour ago to an hour from now: at 0 and at
    /// ±2^k seconds (1 s to 34 min), and ±1 h.
    pub(crate) async fn seed(seeder: &Seeder, store: &Arc<dyn Store>) -> Boundary {
        let mut seeded = Vec::new();
        for seconds in offsets() {
            let name = format!("edge{}{}", if seconds < 0 { "m" } else { "p" }, seconds.abs());
            let ago = RETENTION + Duration::seconds(seconds);
            seeded.extend(seeder.deleted(&name, PER_OFFSET, ago).await);
        }
        let mut read = store.read().await.unwrap();
        let mut users = Vec::with_capacity(seeded.len());
        for user in seeded {
            let deleted = read.deleted_user(user.id).await.unwrap().expect("seeded deleted");
            users.push((user, deleted.deleted_at + RETENTION));
        }
        let seeded_at = store.database_time().await.unwrap().expect("PostgreSQL's clock");
        Boundary { users, seeded_at }
    }

    /// How many of these users are not yet due at `at`.
    pub(crate) fn not_due_at(&self, at: Timestamp) -> u64 {
        self.users.iter().filter(|(_, due)| *due > at).count() as u64
    }

    /// Waits until every user due at `since` (database time) is purged.
    pub(crate) async fn wait_for_due(&self, store: &Arc<dyn Store>, since: Timestamp) {
        let deadline = Deadline::after(
            std::time::Duration::from_secs(120),
            "the due boundary users to be purged",
        );
        for (user, _) in self.users.iter().filter(|(_, due)| *due <= since) {
            while state_of(store, user).await != State::Purged {
                deadline.tick().await;
            }
        }
    }

    /// Purged once and never early; every one still in the bin, whole, was not yet due at
    /// `since` (database time), when [`Boundary::wait_for_due`] began.
    pub(crate) async fn assert_purged_when_due(&self, store: &Arc<dyn Store>, since: Timestamp) {
        let mut purged_at: HashMap<uuid::Uuid, Vec<Timestamp>> = HashMap::new();
        for event in audit_events(store).await {
            if let (AuditAction::HardDeleteUser, AuditOutcome::Success, Some(id)) =
                (event.action, event.outcome, event.target_id)
            {
                purged_at.entry(id).or_default().push(event.at);
            }
        }
        let mut kept = 0;
        for (user, due) in &self.users {
            let records = purged_at.get(&user.id.as_uuid()).cloned().unwrap_or_default();
            match state_of(store, user).await {
                State::Purged => {
                    assert_eq!(records.len(), 1, "{} purged once: {records:?}", user.upn);
                    assert!(
                        records[0] >= *due,
                        "{} purged at {} before due {due}",
                        user.upn,
                        records[0]
                    );
                }
                State::Deleted => {
                    assert!(records.is_empty(), "{} has a purge record: {records:?}", user.upn);
                    assert!(*due > since, "{} was due at {due}, still in the bin", user.upn);
                    kept += 1;
                }
                State::Active => panic!("{} was restored by nobody", user.upn),
            }
        }
        let crossed = self.users.iter().filter(|(_, due)| *due > self.seeded_at).count() - kept;
        println!(
            "boundary users: {} purged ({crossed} became due after seeding), {kept} not yet due",
            self.users.len() - kept
        );
    }
}

/// Seconds from the end of retention: negative means not yet due when seeded.
fn offsets() -> Vec<i64> {
    let mut offsets = vec![0, 3600, -3600];
    for k in 0..=11 {
        offsets.extend([1 << k, -(1 << k)]);
    }
    offsets
}
