//! Bulk restore's fast path for one group of users: the group's reads in one query per
//! kind, each user planned in memory by the same rules as a restore of one user, and the
//! writes of every planned user in a few multi-row statements under one savepoint.
//!
//! When the writes find the database other than it was read (a row restored meanwhile, a
//! seat count changed, two users of the group wanting one name, any constraint), the
//! savepoint is rolled back and the caller restores the group one user at a time, each
//! under its own savepoint; so every user still gets exactly its own result, and every
//! restored user exactly one audit record.

use super::plan::{Claims, plan_restore, wanted_address_keys};
use super::restore::{LicenseOutcome, NewPassword, RestoredUser, restore_event};
use super::{ConflictResolution, DeletedUser, DeletedUserDetails, PasswordReset, RestoreOptions, RestorePlan};
use crate::caller::{Caller, Permission};
use crate::clock::Timestamp;
use crate::error::Error;
use crate::group::GroupRef;
use crate::ids::{SkuId, UserId};
use crate::license::Sku;
use crate::password::{Password, PasswordHash};
use crate::role::RoleSet;
use crate::store::{AddressHolder, Tx};
use crate::tenant::{LicenseOverage, Tenant};
use crate::user::User;
use std::collections::HashMap;

/// One user's restore, planned and not yet written.
#[derive(Clone)]
struct Planned {
    deleted: DeletedUser,
    plan: RestorePlan,
    roles: RoleSet,
    licenses: Vec<LicenseOutcome>,
    restored_groups: Vec<GroupRef>,
    skipped_groups: Vec<GroupRef>,
    password: Option<Password>,
    hash: Option<PasswordHash>,
    force_change_password: bool,
    generated: bool,
}

/// Restores `group` in `tx`. `None` when the fast path declined: nothing of the group is
/// written then, and the caller goes user by user.
pub(super) async fn restore_group(
    tx: &mut dyn Tx,
    caller: &Caller,
    tenant: &Tenant,
    group: &[(UserId, RestoreOptions)],
    passwords: &[Result<NewPassword, Error>],
    now: Timestamp,
) -> Result<Option<Vec<Result<RestoredUser, Error>>>, Error> {
    if !eligible(caller, group) {
        return Ok(None);
    }
    let reads = GroupReads::load(tx, group).await?;
    let mut seats = Seats::new(tx.skus().await?, tenant);
    let planner = Planner {
        caller,
        tenant,
        reads: &reads,
        now,
    };
    let planned: Vec<Result<Planned, Error>> = group
        .iter()
        .zip(passwords)
        .map(|((id, options), password)| planner.plan(&mut seats, *id, options, password))
        .collect();
    tx.savepoint().await?;
    match write(tx, caller, tenant, &planned, &seats, now).await {
        Ok(true) => tx.release_savepoint().await?,
        Ok(false) | Err(_) => {
            tx.rollback_to_savepoint().await?;
            return Ok(None);
        }
    }
    Ok(Some(planned.into_iter().map(|planned| planned.map(restored)).collect()))
}

/// The fast path takes groups whose restores rename nobody (no `ReplaceActive`), for a
/// caller allowed to restore at all; the per-user path handles everything else.
fn eligible(caller: &Caller, group: &[(UserId, RestoreOptions)]) -> bool {
    caller.authorize(Permission::RestoreUser).is_ok()
        && group
            .iter()
            .all(|(_, options)| options.on_upn_conflict == ConflictResolution::Fail)
}

/// Everything the group's plans need, read with one query per kind.
struct GroupReads {
    deleted: HashMap<UserId, DeletedUser>,
    details: HashMap<UserId, DeletedUserDetails>,
    current_groups: HashMap<UserId, Vec<GroupRef>>,
    upn_holders: HashMap<String, User>,
    address_holders: Vec<AddressHolder>,
}

impl GroupReads {
    async fn load(tx: &mut dyn Tx, group: &[(UserId, RestoreOptions)]) -> Result<Self, Error> {
        let ids: Vec<UserId> = group.iter().map(|(id, _)| *id).collect();
        let deleted: HashMap<UserId, DeletedUser> = tx
            .deleted_users(&ids)
            .await?
            .into_iter()
            .map(|deleted| (deleted.user.id, deleted))
            .collect();
        let mut upn_keys = Vec::new();
        let mut address_keys = Vec::new();
        for (id, options) in group {
            if let Some(deleted) = deleted.get(id) {
                upn_keys.push(options.new_upn.as_ref().unwrap_or(&deleted.user.upn).key());
                address_keys.extend(wanted_address_keys(deleted, options));
            }
        }
        upn_keys.sort();
        upn_keys.dedup();
        address_keys.sort();
        address_keys.dedup();
        let upn_holders = tx
            .users_by_upn_keys(&upn_keys)
            .await?
            .into_iter()
            .map(|user| (user.upn.key(), user))
            .collect();
        Ok(GroupReads {
            details: tx.deleted_user_details(&ids).await?,
            current_groups: tx.groups_of_users(&ids).await?,
            address_holders: tx.address_holders(&address_keys).await?,
            deleted,
            upn_holders,
        })
    }
}

/// Seats of every subscription as read, and how many the group takes of each.
struct Seats {
    skus: HashMap<SkuId, Sku>,
    taken: HashMap<SkuId, i64>,
    allow_overage: bool,
}

impl Seats {
    fn new(skus: Vec<Sku>, tenant: &Tenant) -> Self {
        Seats {
            skus: skus.into_iter().map(|sku| (sku.id, sku)).collect(),
            taken: HashMap::new(),
            allow_overage: tenant.license_overage == LicenseOverage::Allow,
        }
    }

    /// Takes a seat as `Tx::take_seat` would, counting it against what was read.
    fn take(&mut self, id: SkuId) -> LicenseOutcome {
        let Some(sku) = self.skus.get(&id) else {
            return LicenseOutcome::NotRestored(id);
        };
        let taken = self.taken.entry(id).or_default();
        let free = sku.prepaid_units - (sku.consumed_units + *taken) > 0;
        if !free && !self.allow_overage {
            return LicenseOutcome::NotRestored(id);
        }
        *taken += 1;
        if free {
            LicenseOutcome::Restored(id)
        } else {
            LicenseOutcome::OverAssigned(id)
        }
    }
}

/// What every plan of the group is made with.
struct Planner<'a> {
    caller: &'a Caller,
    tenant: &'a Tenant,
    reads: &'a GroupReads,
    now: Timestamp,
}

impl Planner<'_> {
    /// Plans one user's restore, taking its seats from `seats`.
    fn plan(
        &self,
        seats: &mut Seats,
        id: UserId,
        options: &RestoreOptions,
        password: &Result<NewPassword, Error>,
    ) -> Result<Planned, Error> {
        let password = password.as_ref().map_err(Clone::clone)?;
        let reads = self.reads;
        let deleted = reads.deleted.get(&id).ok_or_else(|| Error::not_found(id))?;
        let details = reads.details.get(&id).cloned().unwrap_or_default();
        self.caller.authorize_on(Permission::RestoreUser, &details.roles)?;
        let upn = options.new_upn.as_ref().unwrap_or(&deleted.user.upn);
        let claims = Claims {
            upn_holder: reads.upn_holders.get(&upn.key()),
            address_holders: &reads.address_holders,
        };
        let plan = plan_restore(deleted, self.tenant, &claims, options, self.now)?;
        let restored_groups = reads.current_groups.get(&id).cloned().unwrap_or_default();
        let skipped_groups = details
            .former_groups
            .into_iter()
            .filter(|former| !restored_groups.iter().any(|group| group.id == former.id))
            .collect();
        let licenses = details
            .licenses
            .iter()
            .map(|license| seats.take(license.sku_id))
            .collect();
        Ok(Planned {
            deleted: deleted.clone(),
            plan,
            roles: details.roles,
            licenses,
            restored_groups,
            skipped_groups,
            password: password.password.clone(),
            hash: password.hash.clone(),
            force_change_password: options.force_change_password,
            generated: matches!(options.password, PasswordReset::Generate),
        })
    }
}

/// Writes every planned restore. False when the database was not as read.
async fn write(
    tx: &mut dyn Tx,
    caller: &Caller,
    tenant: &Tenant,
    planned: &[Result<Planned, Error>],
    seats: &Seats,
    now: Timestamp,
) -> Result<bool, Error> {
    let planned: Vec<&Planned> = planned.iter().filter_map(|planned| planned.as_ref().ok()).collect();
    let users: Vec<User> = planned.iter().map(|planned| planned.plan.user.clone()).collect();
    if tx.mark_restored_all(&users).await? != users.len() as u64 {
        return Ok(false);
    }
    for (sku, taken) in seats.taken.iter().filter(|(_, taken)| **taken > 0) {
        let before = seats.skus.get(sku).map_or(0, |sku| sku.consumed_units);
        if !tx.take_seats(*sku, before, *taken).await? {
            return Ok(false);
        }
    }
    for planned in planned {
        let id = planned.plan.user.id;
        for license in &planned.licenses {
            if let LicenseOutcome::NotRestored(sku) = license {
                tx.remove_license(id, *sku).await?;
            }
        }
        if let Some(hash) = &planned.hash {
            tx.set_password(id, hash, planned.force_change_password).await?;
        }
        let outcome = restored((*planned).clone());
        tx.append_audit(&restore_event(caller, now, &planned.deleted, &outcome))
            .await?;
        crate::mail::queue_account_restored(&mut *tx, &tenant.name, &outcome.user, outcome.password_reset, now).await?;
    }
    Ok(true)
}

/// The outcome of a written restore, as a restore of one user reports it.
fn restored(planned: Planned) -> RestoredUser {
    let password_reset = planned.hash.is_some();
    RestoredUser {
        user: planned.plan.user,
        generated_password: planned.password.filter(|_| planned.generated),
        password_reset,
        removed_addresses: planned.plan.removed_addresses,
        promoted_primary: planned.plan.promoted_primary,
        licenses: planned.licenses,
        restored_groups: planned.restored_groups,
        skipped_groups: planned.skipped_groups,
        roles: planned.roles,
        replaced: None,
    }
}
