//! Purging deleted users for good: now, by an admin, or when their retention ends, by the
//! purge job. Safe with several processes on one database: the conditional delete lets
//! exactly one transaction purge a user, and only that one writes the audit record.

use super::browse::restorable;
use crate::audit::AuditAction;
use crate::caller::{Caller, Permission};
use crate::clock::Timestamp;
use crate::directory::{Directory, Target, audit_event, tenant_in};
use crate::error::Error;
use crate::ids::UserId;
use std::collections::HashMap;

/// How many users the purge job's first transaction purges; later batches are sized by
/// [`next_batch`] so that each transaction holds the write lock about [`BATCH_TIME`].
const FIRST_BATCH: u32 = 100;
/// How many due users the purge job reads at once. Reading them in the store's purge
/// order may sort the whole bin (SQLite), so it is done once per chunk, not per batch.
const DUE_CHUNK: u32 = 5000;
/// How many entries the batches left for later one transaction forgets: sized, like a batch,
/// to hold the write lock a few milliseconds (5,000 took ~20 ms on a slow host).
const FORGET_CHUNK: u32 = 1000;
/// The bounds of a batch.
const BATCH_RANGE: (u32, u32) = (20, 1000);
/// How long one purge transaction should hold the database's write lock: a writer waiting
/// for it (on SQLite, every other write) waits about this long at most.
const BATCH_TIME: std::time::Duration = std::time::Duration::from_millis(8);

/// The next batch size, scaled from the last one by how long it took against
/// [`BATCH_TIME`] (at most doubling), within [`BATCH_RANGE`]. Wall time paces the job
/// only; which users are due is decided by the clock.
fn next_batch(last: u32, took: std::time::Duration) -> u32 {
    let took = took.as_micros().max(100);
    let scaled = (u128::from(last) * BATCH_TIME.as_micros() / took)
        .min(u128::from(last) * 2)
        .clamp(u128::from(BATCH_RANGE.0), u128::from(BATCH_RANGE.1));
    u32::try_from(scaled).unwrap_or(BATCH_RANGE.1)
}

/// What one run of the purge job did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PurgeReport {
    pub purged: Vec<UserId>,
}

impl Directory {
    /// Permanently deletes a user in the recycle bin (Graph `DELETE
    /// /directory/deletedItems/{id}`). Nothing can bring it back.
    pub async fn purge_deleted_user(&self, caller: &Caller, id: UserId) -> Result<(), Error> {
        let result = self.purge_once(caller, id).await;
        if let Err(error @ Error::Forbidden { .. }) = &result {
            self.audit_failure(caller, AuditAction::HardDeleteUser, Target::new(id, id), error)
                .await;
        }
        result
    }

    async fn purge_once(&self, caller: &Caller, id: UserId) -> Result<(), Error> {
        caller.authorize(Permission::PurgeUser)?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let tenant = tenant_in(&mut *tx).await?;
        let deleted = restorable(&mut *tx, &tenant, id, now).await?;
        caller.authorize_on(Permission::PurgeUser, &tx.roles_of(id).await?)?;
        if !tx.purge_user(id, None).await? {
            return Err(Error::not_found(id));
        }
        let mut event = audit_event(
            caller,
            now,
            AuditAction::HardDeleteUser,
            Target::new(id, &deleted.user.upn),
        );
        event.details.push(("reason".into(), "permanent delete".into()));
        tx.append_audit(&event).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Purges every user whose retention has ended as of now, in batches: each batch is
    /// one short transaction (one `DELETE` for the batch, one multi-row audit insert), so
    /// a writer waiting for the database gets in between two batches. Running it twice, or
    /// in two processes at once, purges and audits each user once: only the transaction
    /// whose `DELETE` removed a user writes its record. The due users are read
    /// [`DUE_CHUNK`] at a time, in the order the store purges fastest.
    pub async fn purge_expired(&self) -> Result<PurgeReport, Error> {
        let caller = self.system_caller();
        let now = self.now();
        let tenant = tenant_in(&mut *self.store.read().await?).await?;
        let cutoff = now - tenant.retention.duration();
        let mut report = PurgeReport::default();
        let mut batch = FIRST_BATCH;
        let mut after = None;
        loop {
            let due = self
                .store
                .read()
                .await?
                .expired_deleted_users(cutoff, after, DUE_CHUNK)
                .await?;
            let Some(last) = due.last() else { break };
            after = Some(*last);
            let purged = self.purge_due(&caller, &due, cutoff, now, &mut batch).await?;
            report.purged.extend(purged);
        }
        self.forget_purged().await?;
        Ok(report)
    }

    /// Removes what the run's batches left for later ([`crate::store::Tx::forget_purged`]),
    /// [`FORGET_CHUNK`] at a time, one short transaction each like a batch.
    async fn forget_purged(&self) -> Result<(), Error> {
        loop {
            let started = std::time::Instant::now();
            let mut tx = self.store.begin_redoable().await?;
            let removed = tx.forget_purged(FORGET_CHUNK).await?;
            tx.commit().await?;
            let micros = started.elapsed().as_micros() as u64;
            tracing::debug!(removed, micros, "purge leftovers forgotten");
            if removed < u64::from(FORGET_CHUNK) {
                return Ok(());
            }
            self.catch_up_quietly().await;
        }
    }

    /// The store's upkeep between two write transactions of the job; a failure is left to
    /// the next write.
    async fn catch_up_quietly(&self) {
        if let Err(error) = self.store.catch_up().await {
            tracing::debug!(%error, "the store's upkeep between purge batches failed; the next write does it");
        }
    }

    /// Purges `due` in batches sized by [`next_batch`], starting at `batch` and leaving it
    /// at the size the next batch should have.
    async fn purge_due(
        &self,
        caller: &Caller,
        due: &[UserId],
        cutoff: Timestamp,
        now: Timestamp,
        batch: &mut u32,
    ) -> Result<Vec<UserId>, Error> {
        let mut purged = Vec::with_capacity(due.len());
        let mut rest = due;
        while !rest.is_empty() {
            let (users, later) = rest.split_at(rest.len().min(*batch as usize));
            let started = std::time::Instant::now();
            purged.extend(self.purge_batch(caller, users, cutoff, now).await?);
            let took = started.elapsed();
            tracing::debug!(batch = users.len(), micros = took.as_micros() as u64, "purge batch");
            *batch = next_batch(*batch, took);
            self.catch_up_quietly().await;
            rest = later;
            tokio::task::yield_now().await;
        }
        Ok(purged)
    }

    /// Purges one batch in its own transaction and audits those it removed, in `due`'s order.
    /// The transaction is redoable ([`crate::store::Store::begin_redoable`]): its commit
    /// does not wait for the disk, and if a crash loses it, the users are still in the bin,
    /// expired and unaudited, and the next run purges them.
    async fn purge_batch(
        &self,
        caller: &Caller,
        due: &[UserId],
        cutoff: Timestamp,
        now: Timestamp,
    ) -> Result<Vec<UserId>, Error> {
        let mut tx = self.store.begin_redoable().await?;
        let mut purged = tx.purge_users(due, cutoff).await?;
        let order: HashMap<UserId, usize> = due.iter().enumerate().map(|(n, id)| (*id, n)).collect();
        purged.sort_by_key(|user| order.get(&user.id).copied());
        for user in &purged {
            let mut event = audit_event(
                caller,
                now,
                AuditAction::HardDeleteUser,
                Target::new(user.id, &user.upn),
            );
            event.details.push(("reason".into(), "retention ended".into()));
            tx.append_audit(&event).await?;
        }
        tx.commit().await?;
        Ok(purged.into_iter().map(|user| user.id).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn batches_grow_while_fast_and_shrink_when_slow_within_bounds() {
        assert_eq!(next_batch(100, Duration::from_millis(2)), 200, "at most doubles");
        assert_eq!(next_batch(100, Duration::from_millis(16)), 50);
        assert_eq!(next_batch(100, Duration::from_secs(1)), BATCH_RANGE.0);
        assert_eq!(next_batch(900, Duration::from_millis(1)), BATCH_RANGE.1);
    }
}
