//! The storage port's units of work over one sqlx transaction: every method delegates to
//! the area modules (users, user queries, roles, recycle bin, soft delete, groups, licences,
//! tenant/tokens/audit, apps, replicas, the bin's order).

use crate::{
    Db, apps, bin_order, bounded, classify, groups, licenses, records, recycle_bin, replicas, roles, sign_in,
    soft_delete, user_query, users,
};
use async_trait::async_trait;
use directory::app::{AppRegistration, AppSecretRecord};
use directory::audit::{AuditEvent, AuditQuery};
use directory::clock::Timestamp;
use directory::group::{Group, GroupRef};
use directory::ids::{AppId, GroupId, SkuId, TokenId, UserId};
use directory::license::{LicenseAssignment, Sku};
use directory::password::PasswordHash;
use directory::query::{Condition, UserQuery};
use directory::recycle_bin::{DeletedUser, DeletedUserDetails};
use directory::replica::ReplicaSeen;
use directory::role::{AdminRole, RoleSet};
use directory::store::{AddressHolder, DeletedUserToRestore, PurgedUser, ReadTx, StoreError, Tx};
use directory::tenant::Tenant;
use directory::token::TokenRecord;
use directory::user::User;
use directory::user::sign_in::SignInFailures;

/// The backend's connection type, on which all area functions run.
pub(crate) type Conn = <Db as sqlx::Database>::Connection;

/// Runs a statement without parameters or rows (the savepoints).
async fn execute(c: &mut Conn, sql: &'static str) -> Result<(), StoreError> {
    sqlx::query::<Db>(sql).execute(&mut *c).await.map_err(classify)?;
    Ok(())
}

/// A transaction, read-only or read-write; dropping it uncommitted rolls it back.
pub(crate) struct SqlTx {
    tx: sqlx::Transaction<'static, Db>,
    /// Audit records to chain and insert at commit (`audit_chain::append`), so the chain
    /// head's lock is held only for the commit.
    audit: Vec<AuditEvent>,
    /// How many of `audit` were there when the savepoint was set.
    audit_at_savepoint: usize,
}

impl SqlTx {
    /// Wraps a transaction that has already begun.
    pub(crate) fn new(tx: sqlx::Transaction<'static, Db>) -> Self {
        SqlTx {
            tx,
            audit: Vec::new(),
            audit_at_savepoint: 0,
        }
    }

    fn c(&mut self) -> &mut Conn {
        &mut self.tx
    }
}

#[async_trait]
impl ReadTx for SqlTx {
    async fn tenant(&mut self) -> Result<Option<Tenant>, StoreError> {
        bounded(records::tenant(self.c())).await
    }

    async fn user(&mut self, id: UserId) -> Result<Option<User>, StoreError> {
        bounded(users::user(self.c(), id)).await
    }

    async fn user_by_upn_key(&mut self, upn_key: &str) -> Result<Option<User>, StoreError> {
        bounded(users::user_by_upn_key(self.c(), upn_key)).await
    }

    async fn users_page(&mut self, after: Option<&str>, limit: u32) -> Result<Vec<User>, StoreError> {
        bounded(users::users_page(self.c(), after, limit)).await
    }

    async fn count_users(&mut self) -> Result<u64, StoreError> {
        bounded(users::count_users(self.c())).await
    }

    async fn find_users(&mut self, query: &UserQuery) -> Result<Vec<User>, StoreError> {
        bounded(user_query::find_users(self.c(), query)).await
    }

    async fn count_found_users(&mut self, condition: &Condition) -> Result<u64, StoreError> {
        bounded(user_query::count_users(self.c(), condition)).await
    }

    async fn password_hash(&mut self, id: UserId) -> Result<Option<PasswordHash>, StoreError> {
        bounded(users::password_hash(self.c(), id)).await
    }

    async fn deleted_user(&mut self, id: UserId) -> Result<Option<DeletedUser>, StoreError> {
        bounded(recycle_bin::deleted_user(self.c(), id)).await
    }

    async fn count_deleted_users(&mut self, not_before: Timestamp) -> Result<u64, StoreError> {
        bounded(bin_order::count_deleted_users(self.c(), not_before)).await
    }

    async fn deleted_users_page(
        &mut self,
        not_before: Timestamp,
        after: Option<(Timestamp, UserId)>,
        limit: u32,
    ) -> Result<Vec<DeletedUser>, StoreError> {
        bounded(bin_order::deleted_users_page(self.c(), not_before, after, limit)).await
    }

    async fn find_deleted_users(
        &mut self,
        not_before: Timestamp,
        query: &UserQuery,
    ) -> Result<Vec<DeletedUser>, StoreError> {
        bounded(user_query::find_deleted_users(self.c(), not_before, query)).await
    }

    async fn count_found_deleted_users(
        &mut self,
        not_before: Timestamp,
        condition: &Condition,
    ) -> Result<u64, StoreError> {
        bounded(user_query::count_deleted_users(self.c(), not_before, condition)).await
    }

    async fn expired_deleted_users(
        &mut self,
        cutoff: Timestamp,
        after: Option<UserId>,
        limit: u32,
    ) -> Result<Vec<UserId>, StoreError> {
        bounded(bin_order::expired_deleted_users(self.c(), cutoff, after, limit)).await
    }

    async fn deleted_users(&mut self, ids: &[UserId]) -> Result<Vec<DeletedUser>, StoreError> {
        bounded(recycle_bin::deleted_users(self.c(), ids)).await
    }

    async fn users_by_upn_keys(&mut self, upn_keys: &[String]) -> Result<Vec<User>, StoreError> {
        bounded(users::users_by_upn_keys(self.c(), upn_keys)).await
    }

    async fn groups_of_users(
        &mut self,
        ids: &[UserId],
    ) -> Result<std::collections::HashMap<UserId, Vec<GroupRef>>, StoreError> {
        bounded(groups::groups_of_users(self.c(), ids)).await
    }

    async fn former_groups(&mut self, id: UserId) -> Result<Vec<GroupRef>, StoreError> {
        bounded(recycle_bin::former_groups(self.c(), id)).await
    }

    async fn deleted_user_details(
        &mut self,
        ids: &[UserId],
    ) -> Result<std::collections::HashMap<UserId, directory::recycle_bin::DeletedUserDetails>, StoreError> {
        bounded(recycle_bin::deleted_user_details(self.c(), ids)).await
    }

    async fn address_holders(&mut self, keys: &[String]) -> Result<Vec<AddressHolder>, StoreError> {
        bounded(recycle_bin::address_holders(self.c(), keys)).await
    }

    async fn roles_of(&mut self, id: UserId) -> Result<RoleSet, StoreError> {
        bounded(roles::roles_of(self.c(), id)).await
    }

    async fn user_with_roles(&mut self, id: UserId) -> Result<Option<(User, RoleSet)>, StoreError> {
        let found = bounded(users::user_with_roles(self.c(), id)).await?;
        Ok(found
            .filter(|(loaded, _)| loaded.deleted_at.is_none())
            .map(|(loaded, roles)| (loaded.user, roles)))
    }

    async fn deleted_user_with_details(
        &mut self,
        id: UserId,
    ) -> Result<Option<(DeletedUser, DeletedUserDetails)>, StoreError> {
        bounded(users::deleted_user_with_details(self.c(), id)).await
    }

    async fn deleted_user_to_restore(&mut self, id: UserId) -> Result<Option<DeletedUserToRestore>, StoreError> {
        bounded(recycle_bin::deleted_user_to_restore(self.c(), id)).await
    }

    async fn role_holders(&mut self, role: AdminRole) -> Result<Vec<UserId>, StoreError> {
        bounded(roles::role_holders(self.c(), role)).await
    }

    async fn group(&mut self, id: GroupId) -> Result<Option<Group>, StoreError> {
        bounded(groups::group(self.c(), id)).await
    }

    async fn groups(&mut self) -> Result<Vec<Group>, StoreError> {
        bounded(groups::groups(self.c())).await
    }

    async fn group_members(&mut self, id: GroupId) -> Result<Vec<UserId>, StoreError> {
        bounded(groups::members(self.c(), id, groups::Link::Member)).await
    }

    async fn group_owners(&mut self, id: GroupId) -> Result<Vec<UserId>, StoreError> {
        bounded(groups::members(self.c(), id, groups::Link::Owner)).await
    }

    async fn groups_of(&mut self, id: UserId) -> Result<Vec<GroupRef>, StoreError> {
        bounded(groups::groups_of(self.c(), id)).await
    }

    async fn skus(&mut self) -> Result<Vec<Sku>, StoreError> {
        bounded(licenses::skus(self.c())).await
    }

    async fn sku(&mut self, id: SkuId) -> Result<Option<Sku>, StoreError> {
        bounded(licenses::sku(self.c(), id)).await
    }

    async fn licenses_of(&mut self, id: UserId) -> Result<Vec<LicenseAssignment>, StoreError> {
        bounded(licenses::licenses_of(self.c(), id)).await
    }

    async fn token_by_hash(&mut self, hash: &str) -> Result<Option<TokenRecord>, StoreError> {
        bounded(records::token_by_hash(self.c(), hash)).await
    }

    async fn sign_in_failures(&mut self, key: &str) -> Result<Option<SignInFailures>, StoreError> {
        bounded(sign_in::sign_in_failures(self.c(), key)).await
    }

    async fn replicas_seen_since(&mut self, since: Timestamp) -> Result<Vec<ReplicaSeen>, StoreError> {
        bounded(replicas::replicas_seen_since(self.c(), since)).await
    }

    async fn app(&mut self, id: AppId) -> Result<Option<AppRegistration>, StoreError> {
        bounded(apps::app(self.c(), id)).await
    }

    async fn app_by_client_id(&mut self, client_id: uuid::Uuid) -> Result<Option<AppRegistration>, StoreError> {
        bounded(apps::app_by_client_id(self.c(), client_id)).await
    }

    async fn apps(&mut self) -> Result<Vec<AppRegistration>, StoreError> {
        bounded(apps::apps(self.c())).await
    }

    async fn app_secrets(&mut self, id: AppId) -> Result<Vec<AppSecretRecord>, StoreError> {
        bounded(apps::app_secrets(self.c(), id)).await
    }

    async fn audit_events(&mut self, query: &AuditQuery) -> Result<Vec<AuditEvent>, StoreError> {
        bounded(records::audit_events(self.c(), query)).await
    }

    async fn mail_settings(&mut self) -> Result<Option<directory::mail::MailSettings>, StoreError> {
        bounded(crate::mail::mail_settings(self.c())).await
    }

    async fn next_mail_due(&mut self) -> Result<Option<Timestamp>, StoreError> {
        bounded(crate::mail::next_mail_due(self.c())).await
    }

    async fn mail_log(
        &mut self,
        query: &directory::mail::MailLogQuery,
    ) -> Result<Vec<directory::mail::OutboxMessage>, StoreError> {
        bounded(crate::mail::mail_log(self.c(), query)).await
    }

    async fn password_link_by_hash(
        &mut self,
        hash: &str,
    ) -> Result<Option<directory::mail::PasswordLinkRecord>, StoreError> {
        bounded(crate::mail::password_link_by_hash(self.c(), hash)).await
    }

    async fn audit_chain_head(&mut self) -> Result<directory::audit_chain::ChainHead, StoreError> {
        bounded(crate::audit_chain::head(self.c())).await
    }

    async fn audit_chain_page(
        &mut self,
        after: i64,
        limit: u32,
    ) -> Result<Vec<directory::audit_chain::ChainedRecord>, StoreError> {
        bounded(crate::audit_chain::page(self.c(), after, limit)).await
    }

    async fn count_unchained_audit_events(&mut self) -> Result<u64, StoreError> {
        bounded(crate::audit_chain::count_unchained(self.c())).await
    }
}

#[async_trait]
impl Tx for SqlTx {
    async fn insert_tenant(&mut self, tenant: &Tenant) -> Result<(), StoreError> {
        bounded(records::insert_tenant(self.c(), tenant)).await
    }

    async fn update_tenant(&mut self, tenant: &Tenant) -> Result<(), StoreError> {
        bounded(records::update_tenant(self.c(), tenant)).await
    }

    async fn insert_user(&mut self, user: &User, password: &PasswordHash) -> Result<(), StoreError> {
        bounded(users::insert_user(self.c(), user, password)).await
    }

    async fn update_user(&mut self, user: &User) -> Result<bool, StoreError> {
        bounded(users::update_user(self.c(), user)).await
    }

    async fn set_password(
        &mut self,
        id: UserId,
        password: &PasswordHash,
        force_change: bool,
    ) -> Result<(), StoreError> {
        bounded(users::set_password(self.c(), id, password, force_change)).await
    }

    async fn soft_delete_user(
        &mut self,
        id: UserId,
        at: Timestamp,
        release_addresses: bool,
    ) -> Result<bool, StoreError> {
        bounded(soft_delete::soft_delete_user(self.c(), id, at, release_addresses)).await
    }

    async fn release_addresses(&mut self, id: UserId) -> Result<u64, StoreError> {
        bounded(recycle_bin::release_addresses(self.c(), id)).await
    }

    async fn mark_restored(&mut self, user: &User) -> Result<bool, StoreError> {
        bounded(recycle_bin::mark_restored(self.c(), user)).await
    }

    async fn mark_read_user_restored(&mut self, read: &DeletedUserToRestore, user: &User) -> Result<bool, StoreError> {
        bounded(recycle_bin::mark_read_user_restored(self.c(), read, user)).await
    }

    async fn mark_restored_all(&mut self, users: &[User]) -> Result<u64, StoreError> {
        bounded(recycle_bin::mark_restored_all(self.c(), users)).await
    }

    async fn purge_user(&mut self, id: UserId, cutoff: Option<Timestamp>) -> Result<bool, StoreError> {
        bounded(recycle_bin::purge_user(self.c(), id, cutoff)).await
    }

    async fn purge_users(&mut self, ids: &[UserId], cutoff: Timestamp) -> Result<Vec<PurgedUser>, StoreError> {
        bounded(recycle_bin::purge_users(self.c(), ids, cutoff)).await
    }

    async fn forget_purged(&mut self, limit: u32) -> Result<u64, StoreError> {
        bounded(bin_order::forget_purged(self.c(), limit)).await
    }

    async fn assign_role(&mut self, id: UserId, role: AdminRole) -> Result<(), StoreError> {
        bounded(roles::assign_role(self.c(), id, role)).await
    }

    async fn unassign_role(&mut self, id: UserId, role: AdminRole) -> Result<bool, StoreError> {
        bounded(roles::unassign_role(self.c(), id, role)).await
    }

    async fn insert_group(&mut self, group: &Group) -> Result<(), StoreError> {
        bounded(groups::insert_group(self.c(), group)).await
    }

    async fn delete_group(&mut self, id: GroupId) -> Result<bool, StoreError> {
        bounded(groups::delete_group(self.c(), id)).await
    }

    async fn add_member(&mut self, group: GroupId, user: UserId) -> Result<(), StoreError> {
        bounded(groups::link(self.c(), group, user, groups::Link::Member)).await
    }

    async fn remove_member(&mut self, group: GroupId, user: UserId) -> Result<bool, StoreError> {
        bounded(groups::unlink(self.c(), group, user, groups::Link::Member)).await
    }

    async fn add_owner(&mut self, group: GroupId, user: UserId) -> Result<(), StoreError> {
        bounded(groups::link(self.c(), group, user, groups::Link::Owner)).await
    }

    async fn remove_owner(&mut self, group: GroupId, user: UserId) -> Result<bool, StoreError> {
        bounded(groups::unlink(self.c(), group, user, groups::Link::Owner)).await
    }

    async fn insert_sku(&mut self, sku: &Sku) -> Result<(), StoreError> {
        bounded(licenses::insert_sku(self.c(), sku)).await
    }

    async fn set_prepaid_units(&mut self, id: SkuId, prepaid_units: i64) -> Result<bool, StoreError> {
        bounded(licenses::set_prepaid_units(self.c(), id, prepaid_units)).await
    }

    async fn take_seat(&mut self, id: SkuId, allow_overage: bool) -> Result<bool, StoreError> {
        bounded(licenses::take_seat(self.c(), id, allow_overage)).await
    }

    async fn release_seat(&mut self, id: SkuId) -> Result<(), StoreError> {
        bounded(licenses::release_seat(self.c(), id)).await
    }

    async fn take_seats(&mut self, id: SkuId, consumed_before: i64, count: i64) -> Result<bool, StoreError> {
        bounded(licenses::take_seats(self.c(), id, consumed_before, count)).await
    }

    async fn add_license(&mut self, user: UserId, license: &LicenseAssignment) -> Result<(), StoreError> {
        bounded(licenses::add_license(self.c(), user, license)).await
    }

    async fn remove_license(&mut self, user: UserId, sku: SkuId) -> Result<bool, StoreError> {
        bounded(licenses::remove_license(self.c(), user, sku)).await
    }

    async fn insert_token(&mut self, token: &TokenRecord) -> Result<(), StoreError> {
        bounded(records::insert_token(self.c(), token)).await
    }

    async fn revoke_token(&mut self, id: TokenId, at: Timestamp) -> Result<bool, StoreError> {
        bounded(records::revoke_token(self.c(), id, at)).await
    }

    async fn extend_token(&mut self, id: TokenId, expires_at: Timestamp) -> Result<(), StoreError> {
        bounded(records::extend_token(self.c(), id, expires_at)).await
    }

    async fn revoke_tokens_of(&mut self, user: UserId, at: Timestamp) -> Result<u64, StoreError> {
        bounded(records::revoke_tokens_of(self.c(), user, at)).await
    }

    async fn insert_app(&mut self, app: &AppRegistration) -> Result<(), StoreError> {
        bounded(apps::insert_app(self.c(), app)).await
    }

    async fn update_app_roles(&mut self, id: AppId, roles: &RoleSet) -> Result<bool, StoreError> {
        bounded(apps::update_app_roles(self.c(), id, roles)).await
    }

    async fn delete_app(&mut self, id: AppId) -> Result<bool, StoreError> {
        bounded(apps::delete_app(self.c(), id)).await
    }

    async fn insert_app_secret(&mut self, secret: &AppSecretRecord) -> Result<(), StoreError> {
        bounded(apps::insert_app_secret(self.c(), secret)).await
    }

    async fn append_audit(&mut self, event: &AuditEvent) -> Result<(), StoreError> {
        self.audit.push(event.clone());
        Ok(())
    }

    async fn lock_sign_in_failures(&mut self, key: &str) -> Result<Option<SignInFailures>, StoreError> {
        bounded(sign_in::lock_sign_in_failures(self.c(), key)).await
    }

    async fn put_sign_in_failures(&mut self, record: &SignInFailures) -> Result<(), StoreError> {
        bounded(sign_in::put_sign_in_failures(self.c(), record)).await
    }

    async fn clear_sign_in_failures(&mut self, key: &str) -> Result<(), StoreError> {
        bounded(sign_in::clear_sign_in_failures(self.c(), key)).await
    }

    async fn forget_stale_sign_in_failures(
        &mut self,
        window_start: Timestamp,
        now: Timestamp,
    ) -> Result<u64, StoreError> {
        bounded(sign_in::forget_stale_sign_in_failures(self.c(), window_start, now)).await
    }

    async fn replica_seen(&mut self, seen: &ReplicaSeen) -> Result<(), StoreError> {
        bounded(replicas::replica_seen(self.c(), seen)).await
    }

    async fn forget_replicas_seen_before(&mut self, before: Timestamp) -> Result<(), StoreError> {
        bounded(replicas::forget_replicas_seen_before(self.c(), before)).await
    }

    async fn save_mail_settings(&mut self, settings: &directory::mail::MailSettings) -> Result<(), StoreError> {
        bounded(crate::mail::save_mail_settings(self.c(), settings)).await
    }

    async fn queue_mail(&mut self, message: &directory::mail::OutboxMessage) -> Result<(), StoreError> {
        bounded(crate::mail::queue_mail(self.c(), message)).await
    }

    async fn claim_mail(
        &mut self,
        now: Timestamp,
        lease_until: Timestamp,
        claim: uuid::Uuid,
    ) -> Result<Option<directory::mail::OutboxMessage>, StoreError> {
        bounded(crate::mail::claim_mail(self.c(), now, lease_until, claim)).await
    }

    async fn finish_mail(
        &mut self,
        message: &directory::mail::OutboxMessage,
        claim: uuid::Uuid,
    ) -> Result<bool, StoreError> {
        bounded(crate::mail::finish_mail(self.c(), message, claim)).await
    }

    async fn insert_password_link(&mut self, link: &directory::mail::PasswordLinkRecord) -> Result<(), StoreError> {
        bounded(crate::mail::insert_password_link(self.c(), link)).await
    }

    async fn use_password_link(&mut self, id: uuid::Uuid, at: Timestamp) -> Result<bool, StoreError> {
        bounded(crate::mail::use_password_link(self.c(), id, at)).await
    }

    async fn remember_purge_reminder(
        &mut self,
        user: UserId,
        deleted_at: Timestamp,
        days: u32,
    ) -> Result<bool, StoreError> {
        bounded(crate::mail::remember_purge_reminder(self.c(), user, deleted_at, days)).await
    }

    async fn savepoint(&mut self) -> Result<(), StoreError> {
        self.audit_at_savepoint = self.audit.len();
        bounded(execute(self.c(), "SAVEPOINT item")).await
    }

    async fn release_savepoint(&mut self) -> Result<(), StoreError> {
        bounded(execute(self.c(), "RELEASE SAVEPOINT item")).await
    }

    async fn rollback_to_savepoint(&mut self) -> Result<(), StoreError> {
        self.audit.truncate(self.audit_at_savepoint);
        bounded(execute(self.c(), "ROLLBACK TO SAVEPOINT item")).await?;
        bounded(execute(self.c(), "RELEASE SAVEPOINT item")).await
    }

    async fn commit(mut self: Box<Self>) -> Result<(), StoreError> {
        let audit = std::mem::take(&mut self.audit);
        bounded(crate::audit_chain::append(self.c(), &audit)).await?;
        bounded(async { self.tx.commit().await.map_err(classify) }).await
    }
}
