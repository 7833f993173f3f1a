//! Replicas: every `roster serve` names itself (`Directory::with_replica`) and checks in
//! every few seconds, so each one knows how many share the database (each then takes its
//! share of a budget meant for the whole deployment, such as the request rate per token)
//! and an operator can list them. A replica not seen for [`LIVE_WITHIN`] counts as gone;
//! its row is forgotten a day later.

use crate::caller::{Caller, Permission};
use crate::clock::Timestamp;
use crate::directory::Directory;
use crate::error::Error;
use time::Duration;

/// A replica that has not checked in for this long no longer counts.
pub const LIVE_WITHIN: Duration = Duration::seconds(30);
/// How long a gone replica's row is kept, for the list.
const FORGET_AFTER: Duration = Duration::days(1);

/// One replica as it last checked in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplicaSeen {
    pub name: String,
    /// When the process started.
    pub started_at: Timestamp,
    pub seen_at: Timestamp,
}

impl ReplicaSeen {
    /// Whether it checked in recently enough to count at `now`.
    pub fn is_live_at(&self, now: Timestamp) -> bool {
        now - self.seen_at <= LIVE_WITHIN
    }
}

impl Directory {
    /// Records that this replica, started at `started_at`, is alive, and returns the
    /// replicas alive now, this one included. A directory without a replica name has
    /// nothing to record and counts as the only one.
    pub async fn check_in(&self, started_at: Timestamp) -> Result<Vec<ReplicaSeen>, Error> {
        let now = self.now();
        let Some(name) = self.replica() else {
            return Ok(Vec::new());
        };
        let seen = ReplicaSeen {
            name: name.to_owned(),
            started_at,
            seen_at: now,
        };
        // A lost check-in costs nothing: the next one comes a few seconds later.
        let mut tx = self.store.begin_redoable().await?;
        tx.replica_seen(&seen).await?;
        tx.forget_replicas_seen_before(now - FORGET_AFTER).await?;
        let live = tx.replicas_seen_since(now - LIVE_WITHIN).await?;
        tx.commit().await?;
        Ok(live)
    }

    /// Every replica seen in the last day, newest check-in first (for those who may read
    /// the audit log: it is about how the service runs).
    pub async fn replicas(&self, caller: &Caller) -> Result<Vec<ReplicaSeen>, Error> {
        caller.authorize(Permission::ReadAudit)?;
        let since = self.now() - FORGET_AFTER;
        Ok(self.store.read().await?.replicas_seen_since(since).await?)
    }
}
