//! Restore planning: a pure function from a deleted user, what holds its names now, and the
//! admin's options, to the user as it will be restored, or the reason it cannot be.
//!
//! The rules, in order: a user whose retention ended is gone; a synced user is refused; the
//! UPN (original, or the new one given) must be in a verified domain and free, unless the
//! admin chose to replace the active holder; a new UPN also becomes the primary address;
//! addresses held by another object fail the restore, unless auto-reconcile drops them from
//! the restored user (never from the holder), promoting a new primary if needed.

use super::DeletedUser;
use crate::address::{EmailAddress, ProxyAddress, ProxyAddresses};
use crate::clock::Timestamp;
use crate::error::{Error, Holder};
use crate::password::Password;
use crate::store::AddressHolder;
use crate::tenant::Tenant;
use crate::upn::UserPrincipalName;
use crate::user::User;
use crate::user::manage::{check_domain, refuse_synced};

/// What to do when an active user holds the UPN the restored user needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ConflictResolution {
    /// Fail the restore with a UPN conflict (Graph's behaviour).
    #[default]
    Fail,
    /// Rename the active holder to `<alias>.replaced.<yyyymmdd>@<domain>` in the same
    /// transaction, and give the UPN back to the restored user.
    ReplaceActive,
}

/// The password the restored user gets.
#[derive(Debug, Clone, Default)]
pub enum PasswordReset {
    /// Keep the password it had (Graph's restore sets none).
    #[default]
    Keep,
    /// Generate one and show it once in the outcome.
    Generate,
    /// The admin typed one.
    Set(Password),
}

#[derive(Debug, Clone, Default)]
pub struct RestoreOptions {
    pub new_upn: Option<UserPrincipalName>,
    pub on_upn_conflict: ConflictResolution,
    pub auto_reconcile_proxies: bool,
    pub password: PasswordReset,
    /// Require a password change at next sign-in (applies when the password is reset).
    pub force_change_password: bool,
}

/// An address the restored user loses because another object holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddressConflict {
    pub address: ProxyAddress,
    pub holder: Holder,
}

/// The restore as it will be applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestorePlan {
    /// The user as it will be: final UPN and addresses, everything else as it was.
    pub user: User,
    pub removed_addresses: Vec<AddressConflict>,
    /// The address promoted to primary because the primary was removed.
    pub promoted_primary: Option<EmailAddress>,
    /// The active user that will be renamed to free the UPN.
    pub replaced: Option<User>,
}

/// What a restore would do, without doing it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestorePreview {
    pub plan: RestorePlan,
    /// Licences that would not be re-applied for want of a free seat (or, under the
    /// overage policy, that would be over-assigned).
    pub licenses_without_seat: Vec<crate::ids::SkuId>,
    pub skipped_groups: Vec<crate::group::GroupRef>,
}

/// What holds the names a deleted user needs, read in the restore's transaction.
#[derive(Debug)]
pub(crate) struct Claims<'a> {
    pub(crate) upn_holder: Option<&'a User>,
    pub(crate) address_holders: &'a [AddressHolder],
}

/// The address keys a restore needs to look up: the user's own and its new UPN's.
pub(crate) fn wanted_address_keys(deleted: &DeletedUser, options: &RestoreOptions) -> Vec<String> {
    let mut keys = deleted.user.proxy_addresses.keys();
    if let Some(upn) = &options.new_upn {
        keys.push(EmailAddress::from(upn).key());
    }
    keys
}

/// The address keys whose holders one restore must read: [`wanted_address_keys`] less
/// those that can only be the user's own. A deleted user whose addresses were not released
/// still holds every one of them itself, reserved (only a release frees them, and the
/// unique index on reserved keys keeps anyone else from holding them meanwhile); holders
/// that are the user itself are no conflict. So only a new UPN's address, when not one of
/// its own, can be held by another object.
pub(crate) fn contested_address_keys(deleted: &DeletedUser, options: &RestoreOptions) -> Vec<String> {
    let wanted = wanted_address_keys(deleted, options);
    if deleted.addresses_released {
        return wanted;
    }
    let own = deleted.user.proxy_addresses.keys();
    wanted.into_iter().filter(|key| !own.contains(key)).collect()
}

pub(crate) fn plan_restore(
    deleted: &DeletedUser,
    tenant: &Tenant,
    claims: &Claims<'_>,
    options: &RestoreOptions,
    now: Timestamp,
) -> Result<RestorePlan, Error> {
    let id = deleted.user.id;
    if now >= tenant.purge_at(deleted.deleted_at) {
        return Err(Error::not_found(id));
    }
    refuse_synced(&deleted.user)?;
    let upn = options.new_upn.clone().unwrap_or_else(|| deleted.user.upn.clone());
    check_domain(tenant, upn.domain(), "userPrincipalName")?;
    let replaced = match claims.upn_holder.filter(|holder| holder.id != id) {
        Some(holder) if options.on_upn_conflict == ConflictResolution::Fail => {
            return Err(Error::UpnTaken {
                upn: upn.to_string(),
                holder: Some(Holder {
                    object_id: holder.id.0,
                    kind: crate::address::OwnerKind::User,
                    deleted: false,
                }),
            });
        }
        holder => holder.cloned(),
    };
    let mut addresses = deleted.user.proxy_addresses.clone();
    if options.new_upn.is_some() && upn.key() != deleted.user.upn.key() {
        addresses.set_primary(EmailAddress::from(&upn));
    }
    let conflicts = address_conflicts(&addresses, claims.address_holders, id.0);
    if let Some(first) = conflicts.first().filter(|_| !options.auto_reconcile_proxies) {
        return Err(Error::AddressTaken {
            address: first
                .address
                .smtp_address()
                .map_or_else(|| first.address.to_string(), ToString::to_string),
            holder: Some(first.holder.clone()),
        });
    }
    let conflict_keys: Vec<String> = conflicts.iter().map(|c| c.address.key()).collect();
    let (_, promoted_primary) = addresses.remove_keys(&conflict_keys, Some(&EmailAddress::from(&upn)));
    let mut user = deleted.user.clone();
    user.upn = upn;
    user.proxy_addresses = addresses;
    if !matches!(options.password, PasswordReset::Keep) {
        user.force_change_password = options.force_change_password;
    }
    Ok(RestorePlan {
        user,
        removed_addresses: conflicts,
        promoted_primary,
        replaced,
    })
}

fn address_conflicts(
    addresses: &ProxyAddresses,
    holders: &[AddressHolder],
    own_id: uuid::Uuid,
) -> Vec<AddressConflict> {
    addresses
        .iter()
        .filter_map(|address| {
            let key = address.key();
            let holder = holders.iter().find(|h| h.key == key && h.owner_id != own_id)?;
            Some(AddressConflict {
                address: address.clone(),
                holder: holder.into(),
            })
        })
        .collect()
}

/// The UPN a replaced active user is renamed to: `<alias>.replaced.<yyyymmdd>` plus `-n`
/// from the second attempt, with the alias shortened to keep within 64 characters.
pub(crate) fn replaced_upn(
    holder: &UserPrincipalName,
    now: Timestamp,
    attempt: u32,
) -> Result<UserPrincipalName, Error> {
    let date = format!("{:04}{:02}{:02}", now.year(), u8::from(now.month()), now.day());
    let suffix = match attempt {
        0 | 1 => format!(".replaced.{date}"),
        n => format!(".replaced.{date}-{n}"),
    };
    let room = UserPrincipalName::MAX_LOCAL_LEN - suffix.len();
    let alias: String = holder.local().chars().take(room).collect();
    UserPrincipalName::from_parts(&format!("{}{suffix}", alias.trim_end_matches('.')), holder.domain())
}

#[cfg(test)]
mod tests;
