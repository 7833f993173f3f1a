//! Use cases on active users: create, read, list, update, reset a password, delete.

use super::{UsageLocation, User, mail_nickname, text_property};
use crate::address::{EmailAddress, ProxyAddress, ProxyAddresses};
use crate::audit::AuditAction;
use crate::caller::{Caller, Permission};
use crate::directory::{Directory, Target, audit_event, conflict_error, tenant_in};
use crate::error::{Code, Error, Holder};
use crate::ids::UserId;
use crate::password::{self, Password};
use crate::query::{Condition, Cursor, MAX_PAGE_SIZE, Page, UserQuery};
use crate::role::AdminRole;
use crate::store::{ReadTx, Tx};
use crate::tenant::Tenant;
use crate::upn::{DomainName, UserPrincipalName};

/// What an admin gives to create a user. Text fields are checked by `create_user`.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub upn: UserPrincipalName,
    pub display_name: String,
    pub mail_nickname: String,
    pub password: Password,
    pub force_change_password: bool,
    pub account_enabled: bool,
    pub given_name: Option<String>,
    pub surname: Option<String>,
    /// The primary address; by default the UPN's address when no one holds it.
    pub mail: Option<EmailAddress>,
    /// Secondary SMTP addresses.
    pub aliases: Vec<EmailAddress>,
    pub other_mails: Vec<EmailAddress>,
    pub usage_location: Option<UsageLocation>,
    pub preferred_language: Option<String>,
    pub job_title: Option<String>,
    pub department: Option<String>,
    pub manager_id: Option<UserId>,
    /// Only imports set this: such users are mastered on-premises and read-only here.
    pub on_premises_sync_enabled: Option<bool>,
}

impl NewUser {
    /// The required properties; everything else at its default.
    pub fn new(upn: UserPrincipalName, display_name: &str, password: Password) -> Self {
        NewUser {
            mail_nickname: upn.local().to_owned(),
            upn,
            display_name: display_name.to_owned(),
            password,
            force_change_password: false,
            account_enabled: true,
            given_name: None,
            surname: None,
            mail: None,
            aliases: Vec::new(),
            other_mails: Vec::new(),
            usage_location: None,
            preferred_language: None,
            job_title: None,
            department: None,
            manager_id: None,
            on_premises_sync_enabled: None,
        }
    }
}

/// A partial update. `None` leaves a property as it is; `Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct UserUpdate {
    pub upn: Option<UserPrincipalName>,
    pub display_name: Option<String>,
    pub mail_nickname: Option<String>,
    pub given_name: Option<Option<String>>,
    pub surname: Option<Option<String>>,
    /// Makes this the primary address; the old primary stays as a secondary.
    pub mail: Option<EmailAddress>,
    pub other_mails: Option<Vec<EmailAddress>>,
    pub account_enabled: Option<bool>,
    pub usage_location: Option<Option<UsageLocation>>,
    pub preferred_language: Option<Option<String>>,
    pub job_title: Option<Option<String>>,
    pub department: Option<Option<String>>,
    pub manager_id: Option<Option<UserId>>,
    /// A new password (a password reset, judged as one), and whether it must be changed at
    /// next sign-in.
    pub password: Option<(Password, bool)>,
}

/// A new password: chosen by the admin, or generated and shown once.
#[derive(Debug, Clone)]
pub enum PasswordChoice {
    Generate,
    Set(Password),
}

impl PasswordChoice {
    /// The password to set, and whether it was generated (and so must be shown).
    pub(crate) fn resolve(self) -> (Password, bool) {
        match self {
            PasswordChoice::Generate => (Password::generate(), true),
            PasswordChoice::Set(password) => (password, false),
        }
    }
}

impl Directory {
    /// Creates an active user. Its UPN and addresses must be free and in verified domains.
    pub async fn create_user(&self, caller: &Caller, new: NewUser) -> Result<User, Error> {
        caller.authorize(Permission::CreateUser)?;
        let display_name = text_property("displayName", &new.display_name, 256)?;
        let nickname = mail_nickname(&new.mail_nickname)?;
        let hash = password::hash_blocking(new.password.clone()).await?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let tenant = tenant_in(&mut *tx).await?;
        check_domain(&tenant, new.upn.domain(), "userPrincipalName")?;
        ensure_upn_free(&mut *tx, &new.upn, None).await?;
        if let Some(manager) = new.manager_id {
            tx.user(manager).await?.ok_or_else(|| Error::not_found(manager))?;
        }
        let proxy_addresses = initial_addresses(&mut *tx, &tenant, &new).await?;
        let user = User {
            id: UserId::generate(),
            display_name,
            mail_nickname: nickname,
            proxy_addresses,
            given_name: optional_text("givenName", new.given_name.as_deref())?,
            surname: optional_text("surname", new.surname.as_deref())?,
            other_mails: new.other_mails,
            account_enabled: new.account_enabled,
            usage_location: new.usage_location,
            preferred_language: optional_text("preferredLanguage", new.preferred_language.as_deref())?,
            job_title: optional_text("jobTitle", new.job_title.as_deref())?,
            department: optional_text("department", new.department.as_deref())?,
            manager_id: new.manager_id,
            created_at: now,
            on_premises_sync_enabled: new.on_premises_sync_enabled,
            force_change_password: new.force_change_password,
            upn: new.upn,
        };
        tx.insert_user(&user, &hash)
            .await
            .map_err(|e| conflict_error(e, &user.upn.to_string(), &addresses_text(&user.proxy_addresses)))?;
        let event = audit_event(caller, now, AuditAction::AddUser, Target::new(user.id, &user.upn));
        tx.append_audit(&event).await?;
        tx.commit().await?;
        Ok(user)
    }

    /// An active user by id.
    pub async fn user(&self, caller: &Caller, id: UserId) -> Result<User, Error> {
        caller.authorize(Permission::ReadDirectory)?;
        let mut tx = self.store.read().await?;
        tx.user(id).await?.ok_or_else(|| Error::not_found(id))
    }

    /// An active user by id or by user principal name, as Graph paths allow.
    pub async fn user_by_id_or_upn(&self, caller: &Caller, key: &str) -> Result<User, Error> {
        caller.authorize(Permission::ReadDirectory)?;
        let mut tx = self.store.read().await?;
        find_user(&mut *tx, key).await?.ok_or_else(|| Error::not_found(key))
    }

    /// A page of active users ordered by UPN, after the given UPN key.
    pub async fn users_page(&self, caller: &Caller, after: Option<&str>, limit: u32) -> Result<Vec<User>, Error> {
        caller.authorize(Permission::ReadDirectory)?;
        let mut tx = self.store.read().await?;
        Ok(tx.users_page(after, limit.clamp(1, 999)).await?)
    }

    pub async fn count_users(&self, caller: &Caller) -> Result<u64, Error> {
        caller.authorize(Permission::ReadDirectory)?;
        Ok(self.store.read().await?.count_users().await?)
    }

    /// A page of active users that satisfy the query, in its order, after its cursor.
    pub async fn query_users(&self, caller: &Caller, query: &UserQuery) -> Result<Page<User>, Error> {
        caller.authorize(Permission::ReadDirectory)?;
        let mut tx = self.store.read().await?;
        users_page_in(&mut *tx, query).await
    }

    /// How many active users satisfy the condition.
    pub async fn count_users_matching(&self, caller: &Caller, condition: &Condition) -> Result<u64, Error> {
        caller.authorize(Permission::ReadDirectory)?;
        Ok(self.store.read().await?.count_found_users(condition).await?)
    }

    /// Changes an active user. A UPN, sign-in or address change is a sensitive action.
    pub async fn update_user(&self, caller: &Caller, id: UserId, update: UserUpdate) -> Result<User, Error> {
        caller.authorize(Permission::UpdateUser)?;
        let new_password = match update.password.clone() {
            Some((password, force_change)) => Some((password::hash_blocking(password).await?, force_change)),
            None => None,
        };
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let tenant = tenant_in(&mut *tx).await?;
        let mut user = tx.user(id).await?.ok_or_else(|| Error::not_found(id))?;
        let target_roles = tx.roles_of(id).await?;
        caller.authorize_on(Permission::UpdateUser, &target_roles)?;
        if new_password.is_some() {
            caller.authorize_on(Permission::ResetPassword, &target_roles)?;
        }
        refuse_synced(&user)?;
        if update.account_enabled == Some(false) {
            ensure_not_last_global_admin(&mut *tx, id).await?;
        }
        let before = user.clone();
        apply_update(&mut *tx, &tenant, &mut user, update).await?;
        if user == before && new_password.is_none() {
            // Nothing changes, so nothing is written or audited.
            return Ok(user);
        }
        let found = tx
            .update_user(&user)
            .await
            .map_err(|e| conflict_error(e, &user.upn.to_string(), &addresses_text(&user.proxy_addresses)))?;
        if !found {
            return Err(Error::not_found(id));
        }
        if let Some((hash, force_change)) = &new_password {
            tx.set_password(id, hash, *force_change).await?;
            user.force_change_password = *force_change;
        }
        if !user.account_enabled || new_password.is_some() {
            tx.revoke_tokens_of(id, now).await?;
        }
        let event = audit_event(caller, now, AuditAction::UpdateUser, Target::new(id, &user.upn));
        tx.append_audit(&event).await?;
        tx.commit().await?;
        Ok(user)
    }

    /// Sets a new password (generated ones are returned to be shown once) and revokes the
    /// user's tokens.
    pub async fn reset_password(
        &self,
        caller: &Caller,
        id: UserId,
        choice: PasswordChoice,
        force_change: bool,
    ) -> Result<Option<Password>, Error> {
        caller.authorize(Permission::ResetPassword)?;
        let (new_password, generated) = choice.resolve();
        let hash = password::hash_blocking(new_password.clone()).await?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let user = tx.user(id).await?.ok_or_else(|| Error::not_found(id))?;
        caller.authorize_on(Permission::ResetPassword, &tx.roles_of(id).await?)?;
        refuse_synced(&user)?;
        tx.set_password(id, &hash, force_change).await?;
        tx.revoke_tokens_of(id, now).await?;
        let mut event = audit_event(caller, now, AuditAction::ResetPassword, Target::new(id, &user.upn));
        event
            .details
            .push(("forceChangePasswordNextSignIn".into(), force_change.to_string()));
        tx.append_audit(&event).await?;
        tx.commit().await?;
        Ok(generated.then_some(new_password))
    }

    /// Soft-deletes a user: it moves to the recycle bin with everything it had, its UPN is
    /// free at once, and its tokens stop working. `release_addresses` also frees its
    /// e-mail addresses for others (a restore then re-claims those still free).
    pub async fn delete_user(&self, caller: &Caller, id: UserId, release_addresses: bool) -> Result<(), Error> {
        let result = self.delete_user_once(caller, id, release_addresses).await;
        if let Err(error) = &result
            && !matches!(error, Error::NotFound { .. })
        {
            let target = Target::new(id, id);
            self.audit_failure(caller, AuditAction::DeleteUser, target, error).await;
        }
        result
    }

    async fn delete_user_once(&self, caller: &Caller, id: UserId, release_addresses: bool) -> Result<(), Error> {
        caller.authorize(Permission::DeleteUser)?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let (user, roles) = tx.user_with_roles(id).await?.ok_or_else(|| Error::not_found(id))?;
        caller.authorize_on(Permission::DeleteUser, &roles)?;
        // Only a holder of the role can be its last holder.
        if roles.contains(AdminRole::GlobalAdministrator) {
            ensure_not_last_global_admin(&mut *tx, id).await?;
        }
        // Groups remembered, seats freed, tokens revoked, addresses released if asked:
        // all in one call, and none of it unless the user is still active.
        if !tx.soft_delete_user(id, now, release_addresses).await? {
            return Err(Error::not_found(id));
        }
        let mut event = audit_event(caller, now, AuditAction::DeleteUser, Target::new(id, &user.upn));
        event
            .details
            .push(("addressesReleased".into(), release_addresses.to_string()));
        tx.append_audit(&event).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// An active user by id, or else by UPN.
pub(crate) async fn find_user(tx: &mut dyn ReadTx, key: &str) -> Result<Option<User>, Error> {
    if let Ok(id) = key.parse::<UserId>() {
        return Ok(tx.user(id).await?);
    }
    match UserPrincipalName::parse(key) {
        Ok(upn) => Ok(tx.user_by_upn_key(&upn.key()).await?),
        Err(_) => Ok(None),
    }
}

pub(crate) fn check_domain(tenant: &Tenant, domain: &DomainName, target: &'static str) -> Result<(), Error> {
    if tenant.is_verified(domain) {
        return Ok(());
    }
    let message = if target == "userPrincipalName" {
        "The domain portion of the userPrincipalName property is invalid. \
         You must use one of the verified domain names in your organization."
            .to_owned()
    } else {
        format!("The domain {domain} of property '{target}' is not a verified domain of the organization.")
    };
    Err(Error::invalid(Code::UnverifiedDomain, target, message))
}

/// Fails with [`Error::UpnTaken`] naming the holder when an active user other than `except`
/// holds the UPN.
pub(crate) async fn ensure_upn_free(
    tx: &mut dyn ReadTx,
    upn: &UserPrincipalName,
    except: Option<UserId>,
) -> Result<(), Error> {
    match tx.user_by_upn_key(&upn.key()).await? {
        Some(holder) if Some(holder.id) != except => Err(Error::UpnTaken {
            upn: upn.to_string(),
            holder: Some(Holder {
                object_id: holder.id.0,
                kind: crate::address::OwnerKind::User,
                deleted: false,
            }),
        }),
        _ => Ok(()),
    }
}

/// Fails with [`Error::AddressTaken`] when another object holds one of the addresses.
pub(crate) async fn ensure_addresses_free(
    tx: &mut dyn ReadTx,
    addresses: &[&EmailAddress],
    owner: Option<uuid::Uuid>,
) -> Result<(), Error> {
    let keys: Vec<String> = addresses.iter().map(|a| a.key()).collect();
    let holders = tx.address_holders(&keys).await?;
    match holders.iter().find(|holder| Some(holder.owner_id) != owner) {
        Some(holder) => Err(Error::AddressTaken {
            address: holder.key.trim_start_matches("smtp:").to_owned(),
            holder: Some(holder.into()),
        }),
        None => Ok(()),
    }
}

/// The new user's addresses: the given mail (or the UPN's address, when free) as primary,
/// then the aliases.
async fn initial_addresses(tx: &mut dyn Tx, tenant: &Tenant, new: &NewUser) -> Result<ProxyAddresses, Error> {
    let mut wanted: Vec<&EmailAddress> = new.mail.iter().chain(&new.aliases).collect();
    for address in &wanted {
        check_domain(tenant, address.domain(), "mail")?;
    }
    ensure_addresses_free(tx, &wanted, None).await?;
    let upn_address = EmailAddress::from(&new.upn);
    if new.mail.is_none() {
        match ensure_addresses_free(tx, &[&upn_address], None).await {
            Ok(()) => wanted.insert(0, &upn_address),
            // Reserved by someone else, typically a deleted user: no mail by default.
            Err(Error::AddressTaken { .. }) => {}
            Err(other) => return Err(other),
        }
    }
    let mut entries: Vec<ProxyAddress> = Vec::new();
    for (index, address) in wanted.into_iter().enumerate() {
        if !entries.iter().any(|entry| entry.key() == address.key()) {
            entries.push(ProxyAddress::Smtp {
                address: address.clone(),
                primary: index == 0,
            });
        }
    }
    ProxyAddresses::new(entries)
}

async fn apply_update(tx: &mut dyn Tx, tenant: &Tenant, user: &mut User, update: UserUpdate) -> Result<(), Error> {
    if let Some(upn) = update.upn {
        check_domain(tenant, upn.domain(), "userPrincipalName")?;
        ensure_upn_free(tx, &upn, Some(user.id)).await?;
        user.upn = upn;
    }
    if let Some(mail) = update.mail {
        check_domain(tenant, mail.domain(), "mail")?;
        ensure_addresses_free(tx, &[&mail], Some(user.id.0)).await?;
        user.proxy_addresses.set_primary(mail);
    }
    if let Some(manager) = update.manager_id {
        if let Some(manager) = manager {
            if manager == user.id {
                return Err(Error::invalid(
                    Code::InvalidValue,
                    "manager",
                    "a user cannot manage itself",
                ));
            }
            tx.user(manager).await?.ok_or_else(|| Error::not_found(manager))?;
        }
        user.manager_id = manager;
    }
    if let Some(name) = update.display_name {
        user.display_name = text_property("displayName", &name, 256)?;
    }
    if let Some(nickname) = update.mail_nickname {
        user.mail_nickname = mail_nickname(&nickname)?;
    }
    set_optional(&mut user.given_name, update.given_name, "givenName")?;
    set_optional(&mut user.surname, update.surname, "surname")?;
    set_optional(
        &mut user.preferred_language,
        update.preferred_language,
        "preferredLanguage",
    )?;
    set_optional(&mut user.job_title, update.job_title, "jobTitle")?;
    set_optional(&mut user.department, update.department, "department")?;
    if let Some(other_mails) = update.other_mails {
        user.other_mails = other_mails;
    }
    if let Some(enabled) = update.account_enabled {
        user.account_enabled = enabled;
    }
    if let Some(location) = update.usage_location {
        user.usage_location = location;
    }
    Ok(())
}

fn set_optional(slot: &mut Option<String>, change: Option<Option<String>>, target: &'static str) -> Result<(), Error> {
    if let Some(value) = change {
        *slot = optional_text(target, value.as_deref())?;
    }
    Ok(())
}

fn optional_text(target: &'static str, value: Option<&str>) -> Result<Option<String>, Error> {
    value.map(|value| text_property(target, value, 256)).transpose()
}

pub(crate) fn refuse_synced(user: &User) -> Result<(), Error> {
    if user.is_synced() {
        return Err(Error::invalid(
            Code::SyncedObjectReadOnly,
            "onPremisesSyncEnabled",
            "Unable to update the specified properties for on-premises mastered Directory Sync objects \
             or objects currently undergoing migration.",
        ));
    }
    Ok(())
}

/// Refuses to take away the last active Global Administrator, which would lock the
/// organisation out of its own directory.
pub(crate) async fn ensure_not_last_global_admin(tx: &mut dyn ReadTx, id: UserId) -> Result<(), Error> {
    let holders = tx.role_holders(AdminRole::GlobalAdministrator).await?;
    if holders == [id] {
        return Err(Error::invalid(
            Code::InvalidValue,
            "roles",
            "This is the last active Global Administrator; assign the role to another user first.",
        ));
    }
    Ok(())
}

pub(crate) fn addresses_text(addresses: &ProxyAddresses) -> String {
    addresses.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
}

/// A checked page of active users for a query, read in the caller's transaction.
pub(crate) async fn users_page_in(tx: &mut dyn ReadTx, query: &UserQuery) -> Result<Page<User>, Error> {
    query.check(false)?;
    let limit = query.limit.clamp(1, MAX_PAGE_SIZE);
    let fetch = UserQuery {
        limit: limit + 1,
        ..query.clone()
    };
    let rows = tx.find_users(&fetch).await?;
    Page::from_rows(rows, limit, |user| Cursor::after(query.sort, user, None))
}
