//! Restoring deleted users: each user alone, never all-or-nothing, and a report per user
//! of exactly what happened. One restore is one transaction; a bulk restore puts a group of
//! users in one transaction: first the batched fast path (`restore_batch`), and when that
//! declines, a savepoint each, so one user's failure still undoes only that user's changes.

use super::plan::{Claims, contested_address_keys, plan_restore, replaced_upn};
use super::restore_batch;
use super::{
    AddressConflict, DeletedUser, DeletedUserDetails, PasswordReset, RestoreOptions, RestorePlan, RestorePreview,
};
use crate::address::EmailAddress;
use crate::audit::AuditAction;
use crate::caller::{Caller, Permission};
use crate::clock::Timestamp;
use crate::directory::{Directory, Target, audit_event, conflict_error, tenant_in};
use crate::error::Error;
use crate::group::GroupRef;
use crate::ids::{SkuId, UserId};
use crate::license::LicenseAssignment;
use crate::password::{self, Password, PasswordHash};
use crate::role::RoleSet;
use crate::store::{DeletedUserToRestore, ReadTx, StoreError, Tx};
use crate::tenant::{LicenseOverage, Tenant};
use crate::upn::UserPrincipalName;
use crate::user::User;
use crate::user::manage::{addresses_text, refuse_synced};

/// Users per transaction in a bulk restore (each under its own savepoint).
const RESTORE_GROUP: usize = 250;

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

    /// Restores many users, each alone: one failure never undoes another user's restore.
    /// Users already active are reported as such, so a retried bulk request is harmless.
    /// Users go [`RESTORE_GROUP`] to a transaction, so a group costs one commit (one fsync
    /// on SQLite): read and written in batches (`restore_batch`), or, when that declines,
    /// each under its own savepoint. Their new passwords are hashed first, in parallel on
    /// every core. [`Directory::bulk_restore`] does the same a group at a time.
    pub async fn restore_users(&self, caller: &Caller, requests: Vec<(UserId, RestoreOptions)>) -> Vec<RestoreResult> {
        let mut results = Vec::with_capacity(requests.len());
        let mut bulk = self.bulk_restore(caller, requests);
        while let Some(group) = bulk.next_group().await {
            results.extend(group);
        }
        results
    }

    /// [`Directory::restore_users`], handing back each group's results as soon as the group
    /// is committed, so a caller can pass them on and hold one group at a time.
    pub fn bulk_restore<'a>(&'a self, caller: &'a Caller, requests: Vec<(UserId, RestoreOptions)>) -> BulkRestore<'a> {
        BulkRestore {
            directory: self,
            caller,
            requests: requests.into_iter(),
        }
    }

    /// Restores a group in one transaction, a savepoint per user. When the transaction
    /// itself fails (to begin or to commit), each user is retried in one of its own.
    async fn restore_group(
        &self,
        caller: &Caller,
        group: Vec<(UserId, RestoreOptions)>,
    ) -> Vec<(UserId, Result<RestoredUser, Error>)> {
        let passwords = NewPassword::prepare_all(&group).await;
        if let Ok(results) = self.restore_group_once(caller, &group, passwords).await {
            return results;
        }
        let mut results = Vec::with_capacity(group.len());
        for (id, options) in group {
            results.push((id, self.restore_once(caller, id, options).await));
        }
        results
    }

    async fn restore_group_once(
        &self,
        caller: &Caller,
        group: &[(UserId, RestoreOptions)],
        passwords: Vec<Result<NewPassword, Error>>,
    ) -> Result<Vec<(UserId, Result<RestoredUser, Error>)>, Error> {
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let tenant = tenant_in(&mut *tx).await?;
        if let Some(restored) = restore_batch::restore_group(&mut *tx, caller, &tenant, group, &passwords, now).await? {
            tx.commit().await?;
            return Ok(group.iter().map(|(id, _)| *id).zip(restored).collect());
        }
        let mut results = Vec::with_capacity(group.len());
        for ((id, options), password) in group.iter().zip(passwords) {
            let result = match password {
                Ok(password) => {
                    tx.savepoint().await?;
                    let result = restore_in(&mut *tx, caller, &tenant, *id, options, password, now).await;
                    match &result {
                        Ok(_) => tx.release_savepoint().await?,
                        Err(_) => tx.rollback_to_savepoint().await?,
                    }
                    result
                }
                Err(error) => Err(error),
            };
            results.push((*id, result));
        }
        tx.commit().await?;
        Ok(results)
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
        let plan = plan_in(&mut *tx, &tenant, &deleted, options, now, None).await?;
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
        let password = NewPassword::prepare(options.password.clone()).await?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let tenant = tenant_in(&mut *tx).await?;
        let outcome = restore_in(&mut *tx, caller, &tenant, id, &options, password, now).await?;
        tx.commit().await?;
        Ok(outcome)
    }
}

/// A bulk restore under way, made by [`Directory::bulk_restore`]: each call of
/// [`BulkRestore::next_group`] restores the next group of users.
#[derive(Debug)]
pub struct BulkRestore<'a> {
    directory: &'a Directory,
    caller: &'a Caller,
    requests: std::vec::IntoIter<(UserId, RestoreOptions)>,
}

impl BulkRestore<'_> {
    /// Restores the next group (up to [`RESTORE_GROUP`] users) and returns their results in
    /// input order; `None` once every user has had its turn.
    pub async fn next_group(&mut self) -> Option<Vec<RestoreResult>> {
        let group: Vec<(UserId, RestoreOptions)> = self.requests.by_ref().take(RESTORE_GROUP).collect();
        if group.is_empty() {
            return None;
        }
        let (directory, caller) = (self.directory, self.caller);
        let mut results = Vec::with_capacity(group.len());
        for (id, result) in directory.restore_group(caller, group).await {
            let outcome = match result {
                Ok(restored) => RestoreOutcome::Restored(Box::new(restored)),
                Err(Error::NotFound { id: missing }) => match directory.is_active(id).await {
                    Ok(true) => RestoreOutcome::AlreadyActive,
                    Ok(false) => RestoreOutcome::Failed(Error::NotFound { id: missing }),
                    Err(error) => RestoreOutcome::Failed(error),
                },
                Err(error) => {
                    directory
                        .audit_failure(caller, AuditAction::RestoreUser, Target::new(id, id), &error)
                        .await;
                    RestoreOutcome::Failed(error)
                }
            };
            results.push(RestoreResult { id, outcome });
        }
        Some(results)
    }
}

/// A restore's new password and its hash, made before the transaction opens.
pub(super) struct NewPassword {
    pub(super) password: Option<Password>,
    pub(super) hash: Option<PasswordHash>,
}

impl NewPassword {
    async fn prepare(reset: PasswordReset) -> Result<Self, Error> {
        let password = match reset {
            PasswordReset::Keep => None,
            PasswordReset::Generate => Some(Password::generate()),
            PasswordReset::Set(password) => Some(password),
        };
        let hash = match &password {
            Some(password) => Some(password::hash_blocking(password.clone()).await?),
            None => None,
        };
        Ok(NewPassword { password, hash })
    }

    /// The new passwords of a group, hashed in parallel (as many at once as
    /// [`password::hash_blocking`] allows), in the group's order.
    async fn prepare_all(group: &[(UserId, RestoreOptions)]) -> Vec<Result<Self, Error>> {
        let mut tasks = tokio::task::JoinSet::new();
        for (n, (_, options)) in group.iter().enumerate() {
            let reset = options.password.clone();
            tasks.spawn(async move { (n, NewPassword::prepare(reset).await) });
        }
        let mut prepared: Vec<Option<Result<Self, Error>>> = (0..group.len()).map(|_| None).collect();
        while let Some(done) = tasks.join_next().await {
            if let Ok((n, result)) = done {
                prepared[n] = Some(result);
            }
        }
        let lost = || Error::Store(StoreError::Other("a password hashing task failed".into()));
        prepared
            .into_iter()
            .map(|result| result.unwrap_or_else(|| Err(lost())))
            .collect()
    }
}

/// Restores one deleted user inside `tx`, writing its audit record; the caller commits.
async fn restore_in(
    tx: &mut dyn Tx,
    caller: &Caller,
    tenant: &Tenant,
    id: UserId,
    options: &RestoreOptions,
    new_password: NewPassword,
    now: Timestamp,
) -> Result<RestoredUser, Error> {
    caller.authorize(Permission::RestoreUser)?;
    let NewPassword {
        password: new_password,
        hash,
    } = new_password;
    // One read: the user, its details and the groups it is in now.
    let read = tx
        .deleted_user_to_restore(id)
        .await?
        .ok_or_else(|| Error::not_found(id))?;
    caller.authorize_on(Permission::RestoreUser, &read.details.roles)?;
    let plan = plan_in(&mut *tx, tenant, &read.deleted, options, now, Some(read.own_upn_held)).await?;
    authorize_replace(&mut *tx, caller, &plan).await?;
    let replaced = match &plan.replaced {
        Some(holder) => Some(rename_replaced(&mut *tx, caller, holder, now).await?),
        None => None,
    };
    let user = &plan.user;
    let restored = tx
        .mark_read_user_restored(&read, user)
        .await
        .map_err(|e| conflict_error(e, &user.upn.to_string(), &addresses_text(&user.proxy_addresses)))?;
    if !restored {
        return Err(Error::not_found(id));
    }
    let DeletedUserToRestore {
        deleted,
        details: DeletedUserDetails {
            former_groups,
            licenses,
            roles,
        },
        groups: restored_groups,
        own_upn_held: _,
    } = read;
    let skipped_groups = gone_groups(&restored_groups, former_groups);
    if let Some(hash) = &hash {
        tx.set_password(id, hash, options.force_change_password).await?;
    }
    let licenses = reapply_licenses(&mut *tx, tenant, id, licenses).await?;
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
    // Outgoing mail: tell the user at its otherMails, committed with the restore or not at all.
    crate::mail::queue_account_restored(&mut *tx, &tenant.name, &outcome.user, outcome.password_reset, now).await?;
    Ok(outcome)
}

/// Reads what holds the deleted user's names and plans its restore. `own_upn_held` is
/// whether an active user holds the user's own UPN, when already read: if not, and the
/// restore keeps that UPN, there is no holder to read.
async fn plan_in(
    tx: &mut dyn ReadTx,
    tenant: &Tenant,
    deleted: &DeletedUser,
    options: &RestoreOptions,
    now: Timestamp,
    own_upn_held: Option<bool>,
) -> Result<RestorePlan, Error> {
    let upn = options.new_upn.as_ref().unwrap_or(&deleted.user.upn);
    let upn_holder = match (&options.new_upn, own_upn_held) {
        (None, Some(false)) => None,
        _ => tx.user_by_upn_key(&upn.key()).await?,
    };
    let contested = contested_address_keys(deleted, options);
    let address_holders = if contested.is_empty() {
        Vec::new()
    } else {
        tx.address_holders(&contested).await?
    };
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
    let skipped = gone_groups(&current, tx.former_groups(id).await?);
    Ok((current, skipped))
}

/// The former groups the user is no longer in (deleted meanwhile).
fn gone_groups(current: &[GroupRef], former: Vec<GroupRef>) -> Vec<GroupRef> {
    former
        .into_iter()
        .filter(|former| !current.iter().any(|group| group.id == former.id))
        .collect()
}

/// Takes a seat again for each licence the user kept (`kept`, read with the deleted user),
/// or drops the licence when none is free and the tenant does not allow overage.
async fn reapply_licenses(
    tx: &mut dyn Tx,
    tenant: &Tenant,
    id: UserId,
    kept: Vec<LicenseAssignment>,
) -> Result<Vec<LicenseOutcome>, Error> {
    let allow_overage = tenant.license_overage == LicenseOverage::Allow;
    let mut outcomes = Vec::new();
    for license in kept {
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

pub(super) fn restore_event(
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
