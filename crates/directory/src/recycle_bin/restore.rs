//! Restoring deleted users: one transaction per user, never all-or-nothing, and a report
//! per user of exactly what happened.

use super::plan::{Claims, plan_restore, replaced_upn, wanted_address_keys};
use super::{AddressConflict, DeletedUser, PasswordReset, RestoreOptions, RestorePlan, RestorePreview};
use crate::address::EmailAddress;
use crate::audit::AuditAction;
use crate::caller::{Caller, Permission};
use crate::clock::Timestamp;
use crate::directory::{Directory, Target, audit_event, conflict_error, tenant_in};
use crate::error::Error;
use crate::group::GroupRef;
use crate::ids::{SkuId, UserId};
use crate::password::{self, Password};
use crate::role::RoleSet;
use crate::store::{ReadTx, Tx};
use crate::tenant::{LicenseOverage, Tenant};
use crate::upn::UserPrincipalName;
use crate::user::User;
use crate::user::manage::{addresses_text, refuse_synced};

/// What became of one licence assignment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LicenseOutcome {
    Restored(SkuId),
    /// Re-applied without a free seat, under the overage policy.
    OverAssigned(SkuId),
    /// Dropped: no free seat, under the default policy.
    NotRestored(SkuId),
}

/// The active user renamed so that the restored user could take its UPN back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplacedUser {
    pub id: UserId,
    pub previous_upn: UserPrincipalName,
    pub new_upn: UserPrincipalName,
}

/// Everything a successful restore did.
#[derive(Debug, Clone)]
pub struct RestoredUser {
    pub user: User,
    /// A generated password, to show once.
    pub generated_password: Option<Password>,
    pub password_reset: bool,
    pub removed_addresses: Vec<AddressConflict>,
    pub promoted_primary: Option<EmailAddress>,
    pub licenses: Vec<LicenseOutcome>,
    pub restored_groups: Vec<GroupRef>,
    /// Groups the user was in that were deleted meanwhile.
    pub skipped_groups: Vec<GroupRef>,
    pub roles: RoleSet,
    pub replaced: Option<ReplacedUser>,
}

#[derive(Debug, Clone)]
pub enum RestoreOutcome {
    Restored(Box<RestoredUser>),
    /// The user is active already (restored earlier): nothing to do.
    AlreadyActive,
    Failed(Error),
}

/// One user's result in a bulk restore, in input order.
#[derive(Debug, Clone)]
pub struct RestoreResult {
    pub id: UserId,
    pub outcome: RestoreOutcome,
}

impl Directory {
    /// Restores one deleted user, as Graph's `restore` does (with Roster's options).
    pub async fn restore_user(
        &self,
        caller: &Caller,
        id: UserId,
        options: RestoreOptions,
    ) -> Result<RestoredUser, Error> {
        let result = self.restore_once(caller, id, options).await;
        if let Err(error) = &result
            && !matches!(error, Error::NotFound { .. })
        {
            self.audit_failure(caller, AuditAction::RestoreUser, Target::new(id, id), error)
                .await;
        }
        result
    }

    /// Restores many users, each in its own transaction: one failure never undoes another
    /// user's restore. Users already active are reported as such, so a retried bulk request
    /// is harmless.
    pub async fn restore_users(&self, caller: &Caller, requests: Vec<(UserId, RestoreOptions)>) -> Vec<RestoreResult> {
        let mut results = Vec::with_capacity(requests.len());
        for (id, options) in requests {
            let outcome = match self.restore_user(caller, id, options).await {
                Ok(restored) => RestoreOutcome::Restored(Box::new(restored)),
                Err(Error::NotFound { id: missing }) => match self.is_active(id).await {
                    Ok(true) => RestoreOutcome::AlreadyActive,
                    Ok(false) => RestoreOutcome::Failed(Error::NotFound { id: missing }),
                    Err(error) => RestoreOutcome::Failed(error),
                },
                Err(error) => RestoreOutcome::Failed(error),
            };
            results.push(RestoreResult { id, outcome });
        }
        results
    }

    /// What restoring each user would do, changing nothing.
    pub async fn preview_restores(
        &self,
        caller: &Caller,
        requests: &[(UserId, RestoreOptions)],
    ) -> Vec<(UserId, Result<RestorePreview, Error>)> {
        let mut previews = Vec::with_capacity(requests.len());
        for (id, options) in requests {
            previews.push((*id, self.preview_restore(caller, *id, options).await));
        }
        previews
    }

    async fn preview_restore(
        &self,
        caller: &Caller,
        id: UserId,
        options: &RestoreOptions,
    ) -> Result<RestorePreview, Error> {
        caller.authorize(Permission::RestoreUser)?;
        let now = self.now();
        let mut tx = self.store.read().await?;
        let tenant = tenant_in(&mut *tx).await?;
        let deleted = tx.deleted_user(id).await?.ok_or_else(|| Error::not_found(id))?;
        caller.authorize_on(Permission::RestoreUser, &tx.roles_of(id).await?)?;
        let plan = plan_in(&mut *tx, &tenant, &deleted, options, now).await?;
        authorize_replace(&mut *tx, caller, &plan).await?;
        let mut licenses_without_seat = Vec::new();
        for license in tx.licenses_of(id).await? {
            let free = tx.sku(license.sku_id).await?.is_some_and(|sku| sku.free_seats() > 0);
            if !free {
                licenses_without_seat.push(license.sku_id);
            }
        }
        let (_, skipped_groups) = membership_outcome(&mut *tx, id).await?;
        Ok(RestorePreview {
            plan,
            licenses_without_seat,
            skipped_groups,
        })
    }

    async fn is_active(&self, id: UserId) -> Result<bool, Error> {
        Ok(self.store.read().await?.user(id).await?.is_some())
    }

    async fn restore_once(&self, caller: &Caller, id: UserId, options: RestoreOptions) -> Result<RestoredUser, Error> {
        caller.authorize(Permission::RestoreUser)?;
        let new_password = match &options.password {
            PasswordReset::Keep => None,
            PasswordReset::Generate => Some(Password::generate()),
            PasswordReset::Set(password) => Some(password.clone()),
        };
        let hash = match &new_password {
            Some(password) => Some(password::hash_blocking(password.clone()).await?),
            None => None,
        };
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let tenant = tenant_in(&mut *tx).await?;
        let deleted = tx.deleted_user(id).await?.ok_or_else(|| Error::not_found(id))?;
        let roles = tx.roles_of(id).await?;
        caller.authorize_on(Permission::RestoreUser, &roles)?;
        let plan = plan_in(&mut *tx, &tenant, &deleted, &options, now).await?;
        authorize_replace(&mut *tx, caller, &plan).await?;
        let replaced = match &plan.replaced {
            Some(holder) => Some(rename_replaced(&mut *tx, caller, holder, now).await?),
            None => None,
        };
        let (restored_groups, skipped_groups) = membership_outcome(&mut *tx, id).await?;
        let user = &plan.user;
        let restored = tx
            .mark_restored(user)
            .await
            .map_err(|e| conflict_error(e, &user.upn.to_string(), &addresses_text(&user.proxy_addresses)))?;
        if !restored {
            return Err(Error::not_found(id));
        }
        if let Some(hash) = &hash {
            tx.set_password(id, hash, options.force_change_password).await?;
        }
        let licenses = reapply_licenses(&mut *tx, &tenant, id).await?;
        let outcome = RestoredUser {
            user: plan.user.clone(),
            generated_password: new_password.filter(|_| matches!(options.password, PasswordReset::Generate)),
            password_reset: hash.is_some(),
            removed_addresses: plan.removed_addresses,
            promoted_primary: plan.promoted_primary,
            licenses,
            restored_groups,
            skipped_groups,
            roles,
            replaced,
        };
        tx.append_audit(&restore_event(caller, now, &deleted, &outcome)).await?;
        tx.commit().await?;
        Ok(outcome)
    }
}

/// Reads what holds the deleted user's names and plans its restore.
async fn plan_in(
    tx: &mut dyn ReadTx,
    tenant: &Tenant,
    deleted: &DeletedUser,
    options: &RestoreOptions,
    now: Timestamp,
) -> Result<RestorePlan, Error> {
    let upn = options.new_upn.as_ref().unwrap_or(&deleted.user.upn);
    let upn_holder = tx.user_by_upn_key(&upn.key()).await?;
    let address_holders = tx.address_holders(&wanted_address_keys(deleted, options)).await?;
    let claims = Claims {
        upn_holder: upn_holder.as_ref(),
        address_holders: &address_holders,
    };
    plan_restore(deleted, tenant, &claims, options, now)
}

/// Renaming the active holder is judged like restoring it: the caller's roles must reach
/// the holder's, and a synced holder cannot be renamed here.
async fn authorize_replace(tx: &mut dyn ReadTx, caller: &Caller, plan: &RestorePlan) -> Result<(), Error> {
    let Some(holder) = &plan.replaced else {
        return Ok(());
    };
    caller.authorize_on(Permission::RestoreUser, &tx.roles_of(holder.id).await?)?;
    refuse_synced(holder)
}

/// Renames the active holder of a UPN out of the way, in the restore's transaction.
async fn rename_replaced(
    tx: &mut dyn Tx,
    caller: &Caller,
    holder: &User,
    now: Timestamp,
) -> Result<ReplacedUser, Error> {
    let mut candidate = replaced_upn(&holder.upn, now, 1)?;
    for attempt in 2..=20 {
        if tx.user_by_upn_key(&candidate.key()).await?.is_none() {
            break;
        }
        candidate = replaced_upn(&holder.upn, now, attempt)?;
    }
    let mut renamed = holder.clone();
    renamed.upn = candidate.clone();
    tx.update_user(&renamed)
        .await
        .map_err(|e| conflict_error(e, &candidate.to_string(), ""))?;
    let mut event = audit_event(
        caller,
        now,
        AuditAction::RenameReplacedUser,
        Target::new(holder.id, &candidate),
    );
    event
        .details
        .push(("previousUserPrincipalName".into(), holder.upn.to_string()));
    tx.append_audit(&event).await?;
    Ok(ReplacedUser {
        id: holder.id,
        previous_upn: holder.upn.clone(),
        new_upn: candidate,
    })
}

/// The groups a deleted user is still in, and those it was in that are gone.
async fn membership_outcome(tx: &mut dyn ReadTx, id: UserId) -> Result<(Vec<GroupRef>, Vec<GroupRef>), Error> {
    let current = tx.groups_of(id).await?;
    let skipped = tx
        .former_groups(id)
        .await?
        .into_iter()
        .filter(|former| !current.iter().any(|group| group.id == former.id))
        .collect();
    Ok((current, skipped))
}

/// Takes a seat again for each licence the user kept, or drops the licence when none is
/// free and the tenant does not allow overage.
async fn reapply_licenses(tx: &mut dyn Tx, tenant: &Tenant, id: UserId) -> Result<Vec<LicenseOutcome>, Error> {
    let allow_overage = tenant.license_overage == LicenseOverage::Allow;
    let mut outcomes = Vec::new();
    for license in tx.licenses_of(id).await? {
        let sku = license.sku_id;
        let had_free_seat = tx.sku(sku).await?.is_some_and(|s| s.free_seats() > 0);
        let outcome = if tx.take_seat(sku, allow_overage).await? {
            if had_free_seat {
                LicenseOutcome::Restored(sku)
            } else {
                LicenseOutcome::OverAssigned(sku)
            }
        } else {
            tx.remove_license(id, sku).await?;
            LicenseOutcome::NotRestored(sku)
        };
        outcomes.push(outcome);
    }
    Ok(outcomes)
}

fn restore_event(
    caller: &Caller,
    now: Timestamp,
    deleted: &DeletedUser,
    outcome: &RestoredUser,
) -> crate::audit::AuditEvent {
    let mut event = audit_event(
        caller,
        now,
        AuditAction::RestoreUser,
        Target::new(outcome.user.id, &outcome.user.upn),
    );
    let mut detail = |key: &str, value: String| event.details.push((key.into(), value));
    detail("originalUserPrincipalName", deleted.user.upn.to_string());
    detail("passwordReset", outcome.password_reset.to_string());
    let removed: Vec<String> = outcome
        .removed_addresses
        .iter()
        .map(|c| c.address.to_string())
        .collect();
    if !removed.is_empty() {
        detail("removedProxyAddresses", removed.join(", "));
    }
    for license in &outcome.licenses {
        match license {
            LicenseOutcome::Restored(_) => {}
            LicenseOutcome::OverAssigned(sku) => detail("licenseOverAssigned", sku.to_string()),
            LicenseOutcome::NotRestored(sku) => detail("licenseNotRestored", sku.to_string()),
        }
    }
    for group in &outcome.skipped_groups {
        detail("membershipSkipped", group.display_name.clone());
    }
    if let Some(replaced) = &outcome.replaced {
        detail(
            "replacedUser",
            format!("{} -> {}", replaced.previous_upn, replaced.new_upn),
        );
    }
    event
}
