//! Purging deleted users for good: now, by an admin, or when their retention ends, by the
//! purge job. Safe with several processes on one database: the conditional delete lets
//! exactly one transaction purge a user, and only that one writes the audit record.

use super::browse::restorable;
use crate::audit::AuditAction;
use crate::caller::{Caller, Permission};
use crate::directory::{Directory, Target, audit_event, tenant_in};
use crate::error::Error;
use crate::ids::UserId;

/// How many users are purged per transaction by the purge job.
const PURGE_BATCH: u32 = 200;

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

    /// Purges every user whose retention has ended as of now, in batches, each batch in
    /// its own transaction. Running it twice, or in two processes at once, purges and
    /// audits each user once.
    pub async fn purge_expired(&self) -> Result<PurgeReport, Error> {
        let caller = Caller::system();
        let now = self.now();
        let tenant = tenant_in(&mut *self.store.read().await?).await?;
        let cutoff = now - tenant.retention.duration();
        let mut report = PurgeReport::default();
        loop {
            let due = self
                .store
                .read()
                .await?
                .expired_deleted_users(cutoff, PURGE_BATCH)
                .await?;
            if due.is_empty() {
                return Ok(report);
            }
            let mut tx = self.store.begin().await?;
            let mut purged_now = Vec::new();
            for id in &due {
                let Some(deleted) = tx.deleted_user(*id).await? else {
                    continue;
                };
                if tx.purge_user(*id, Some(cutoff)).await? {
                    let mut event = audit_event(
                        &caller,
                        now,
                        AuditAction::HardDeleteUser,
                        Target::new(*id, &deleted.user.upn),
                    );
                    event.details.push(("reason".into(), "retention ended".into()));
                    tx.append_audit(&event).await?;
                    purged_now.push(*id);
                }
            }
            tx.commit().await?;
            report.purged.extend(purged_now);
        }
    }
}
