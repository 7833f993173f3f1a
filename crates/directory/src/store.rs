//! The storage port: what the use cases need from a database, in the domain's words.
//!
//! A [`Store`] hands out units of work. [`ReadTx`] reads a consistent snapshot; [`Tx`]
//! also writes and must be committed, and dropping it uncommitted rolls it back. Adapters
//! never commit on their own, and every uniqueness rule is also enforced by the database
//! itself, reported as [`StoreError::Conflict`], so racing processes cannot break it.

use crate::address::OwnerKind;
use crate::app::{AppRegistration, AppSecretRecord};
use crate::audit::{AuditEvent, AuditQuery};
use crate::clock::Timestamp;
use crate::group::{Group, GroupRef};
use crate::ids::{AppId, GroupId, SkuId, TokenId, UserId};
use crate::license::{LicenseAssignment, Sku};
use crate::password::PasswordHash;
use crate::query::{Condition, UserQuery};
use crate::recycle_bin::{DeletedUser, DeletedUserDetails};
use crate::replica::ReplicaSeen;
use crate::role::{AdminRole, RoleSet};
use crate::tenant::Tenant;
use crate::token::TokenRecord;
use crate::user::User;
use crate::user::sign_in::SignInFailures;
use async_trait::async_trait;

/// A deleted user as a restore reads it ([`ReadTx::deleted_user_to_restore`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeletedUserToRestore {
    pub deleted: DeletedUser,
    pub details: DeletedUserDetails,
    /// The groups it is a member of now: its memberships stay while it is deleted, and
    /// leave with a deleted group.
    pub groups: Vec<GroupRef>,
    /// Whether an active user holds its own UPN now (then a restore reads who).
    pub own_upn_held: bool,
}

/// A database-enforced uniqueness rule that a write broke.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Constraint {
    /// `upn_key` among active users.
    UserPrincipalName,
    /// An address key among reserved addresses of users and groups.
    ProxyAddress,
    /// Any other unique or primary key (a duplicate link, a second tenant, …).
    Other(String),
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum StoreError {
    #[error("unique constraint violated: {0:?}")]
    Conflict(Constraint),
    /// The database is unreachable, busy past its timeout, or out of space: retry later.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    #[error("database error: {0}")]
    Other(String),
}

/// Who holds an address key right now (only reserved addresses are held).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddressHolder {
    pub key: String,
    pub owner_id: uuid::Uuid,
    pub owner_kind: OwnerKind,
    /// True when the holder is a soft-deleted user still reserving the address.
    pub owner_deleted: bool,
}

/// A user a purge deleted, named as its audit record names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PurgedUser {
    pub id: UserId,
    pub upn: crate::upn::UserPrincipalName,
}

/// Where a page of a listing starts: after this key (exclusive), in the listing's order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cursor {
    /// Active users are listed by `upn_key`.
    UpnKey(String),
    /// Deleted users are listed by deletion time, then id.
    Deleted(Timestamp, UserId),
}

#[async_trait]
pub trait Store: Send + Sync + std::fmt::Debug {
    /// A read-only snapshot.
    async fn read(&self) -> Result<Box<dyn ReadTx>, StoreError>;
    /// A write transaction (on SQLite, `BEGIN IMMEDIATE` on the one writer connection).
    async fn begin(&self) -> Result<Box<dyn Tx>, StoreError>;
    /// A write transaction for work that is done again when it is lost (the purge job):
    /// its commit does not wait for the disk, so a power cut or a crash of the database
    /// server may undo it, whole, as if it had not run yet. Every later ordinary commit
    /// makes it durable too: the log is written in order.
    async fn begin_redoable(&self) -> Result<Box<dyn Tx>, StoreError> {
        self.begin().await
    }
    /// Between the batches of a long job (the purge): does now, off the writer, the upkeep
    /// its writes made due, so that the API's next write does not do it instead (SQLite
    /// copies its write-ahead log into the database file). Nothing where the database
    /// server keeps up by itself.
    async fn catch_up(&self) -> Result<(), StoreError> {
        Ok(())
    }
    /// The database server's own clock, when several processes share it (PostgreSQL);
    /// `None` when the database is a file this process opens (SQLite).
    async fn database_time(&self) -> Result<Option<Timestamp>, StoreError> {
        Ok(None)
    }
    /// A token by the hash of its secret, valid or not, read by one statement outside any
    /// transaction (authentication needs nothing else for a service token).
    async fn lookup_token(&self, hash: &str) -> Result<Option<TokenRecord>, StoreError> {
        self.read().await?.token_by_hash(hash).await
    }
}

#[async_trait]
pub trait ReadTx: Send {
    async fn tenant(&mut self) -> Result<Option<Tenant>, StoreError>;

    /// An active user.
    async fn user(&mut self, id: UserId) -> Result<Option<User>, StoreError>;
    /// An active user by `UserPrincipalName::key`.
    async fn user_by_upn_key(&mut self, upn_key: &str) -> Result<Option<User>, StoreError>;
    /// Active users ordered by `upn_key`, starting after the cursor.
    async fn users_page(&mut self, after: Option<&str>, limit: u32) -> Result<Vec<User>, StoreError>;
    async fn count_users(&mut self) -> Result<u64, StoreError>;
    /// Active users satisfying the query's condition, in its order, after its cursor, at
    /// most `query.limit` of them.
    async fn find_users(&mut self, query: &UserQuery) -> Result<Vec<User>, StoreError>;
    /// How many active users satisfy the condition.
    async fn count_found_users(&mut self, condition: &Condition) -> Result<u64, StoreError>;
    async fn password_hash(&mut self, id: UserId) -> Result<Option<PasswordHash>, StoreError>;

    /// A deleted user, whether or not its retention has ended.
    async fn deleted_user(&mut self, id: UserId) -> Result<Option<DeletedUser>, StoreError>;
    /// Deleted users deleted after `not_before` (exclusive: older ones are expired),
    /// ordered by `(deleted_at, id)`, starting after the cursor.
    async fn deleted_users_page(
        &mut self,
        not_before: Timestamp,
        after: Option<(Timestamp, UserId)>,
        limit: u32,
    ) -> Result<Vec<DeletedUser>, StoreError>;
    /// How many deleted users were deleted after `not_before` (the restorable ones).
    async fn count_deleted_users(&mut self, not_before: Timestamp) -> Result<u64, StoreError>;
    /// Deleted users deleted after `not_before` that satisfy the query's condition, in its
    /// order, after its cursor, at most `query.limit` of them, with their addresses.
    async fn find_deleted_users(
        &mut self,
        not_before: Timestamp,
        query: &UserQuery,
    ) -> Result<Vec<DeletedUser>, StoreError>;
    /// How many deleted users deleted after `not_before` satisfy the condition.
    async fn count_found_deleted_users(
        &mut self,
        not_before: Timestamp,
        condition: &Condition,
    ) -> Result<u64, StoreError>;
    /// Ids of deleted users deleted at or before `cutoff`, at most `limit`, in the order the
    /// store purges fastest (the table's own: by id on SQLite, `ctid` on PostgreSQL). A
    /// purge run passes the last id of its previous call as `after`: the store may leave
    /// out what comes before it in that order (SQLite does, as the users a run purged keep
    /// their place in its bin until [`Tx::forget_purged`]; PostgreSQL starts over).
    async fn expired_deleted_users(
        &mut self,
        cutoff: Timestamp,
        after: Option<UserId>,
        limit: u32,
    ) -> Result<Vec<UserId>, StoreError>;
    /// Deleted users among `ids` (in no set order), whether or not their retention has
    /// ended: a bulk restore reads its whole group with this.
    async fn deleted_users(&mut self, ids: &[UserId]) -> Result<Vec<DeletedUser>, StoreError>;
    /// Active users holding any of these UPN keys (in no set order).
    async fn users_by_upn_keys(&mut self, upn_keys: &[String]) -> Result<Vec<User>, StoreError>;
    /// The groups each of these users (active or deleted) is a member of, by user; users in
    /// none are left out.
    async fn groups_of_users(
        &mut self,
        ids: &[UserId],
    ) -> Result<std::collections::HashMap<UserId, Vec<GroupRef>>, StoreError>;
    /// The groups a user belonged to when deleted, with their names then.
    async fn former_groups(&mut self, id: UserId) -> Result<Vec<GroupRef>, StoreError>;
    /// Former groups, licences and roles of many users at once, in one query rather than
    /// three per user (the recycle bin's pages). Users with none are left out.
    async fn deleted_user_details(
        &mut self,
        ids: &[UserId],
    ) -> Result<std::collections::HashMap<UserId, crate::recycle_bin::DeletedUserDetails>, StoreError>;

    /// Who holds each of these address keys (only reserved addresses).
    async fn address_holders(&mut self, keys: &[String]) -> Result<Vec<AddressHolder>, StoreError>;

    /// Roles assigned to a user, active or deleted.
    async fn roles_of(&mut self, id: UserId) -> Result<RoleSet, StoreError>;
    /// An active user and the roles it holds (one statement where the adapter can).
    async fn user_with_roles(&mut self, id: UserId) -> Result<Option<(User, RoleSet)>, StoreError> {
        let Some(user) = self.user(id).await? else {
            return Ok(None);
        };
        Ok(Some((user, self.roles_of(id).await?)))
    }
    /// A deleted user with its former groups, licences and roles (one statement where the
    /// adapter can), as `deleted_user` and `deleted_user_details` give them.
    async fn deleted_user_with_details(
        &mut self,
        id: UserId,
    ) -> Result<Option<(DeletedUser, crate::recycle_bin::DeletedUserDetails)>, StoreError> {
        let Some(deleted) = self.deleted_user(id).await? else {
            return Ok(None);
        };
        let details = self.deleted_user_details(&[id]).await?.remove(&id).unwrap_or_default();
        Ok(Some((deleted, details)))
    }
    /// A deleted user as a restore reads it (one statement where the adapter can): as
    /// [`ReadTx::deleted_user_with_details`] gives it, with the groups it is a member of now
    /// as [`ReadTx::groups_of`] gives them, and whether an active user holds its UPN.
    async fn deleted_user_to_restore(&mut self, id: UserId) -> Result<Option<DeletedUserToRestore>, StoreError> {
        let Some((deleted, details)) = self.deleted_user_with_details(id).await? else {
            return Ok(None);
        };
        let groups = self.groups_of(id).await?;
        let own_upn_held = self.user_by_upn_key(&deleted.user.upn.key()).await?.is_some();
        Ok(Some(DeletedUserToRestore {
            deleted,
            details,
            groups,
            own_upn_held,
        }))
    }
    /// Active users holding a role.
    async fn role_holders(&mut self, role: AdminRole) -> Result<Vec<UserId>, StoreError>;

    async fn group(&mut self, id: GroupId) -> Result<Option<Group>, StoreError>;
    async fn groups(&mut self) -> Result<Vec<Group>, StoreError>;
    /// Active members of a group.
    async fn group_members(&mut self, id: GroupId) -> Result<Vec<UserId>, StoreError>;
    /// Active owners of a group.
    async fn group_owners(&mut self, id: GroupId) -> Result<Vec<UserId>, StoreError>;
    /// Groups a user (active or deleted) is a member of.
    async fn groups_of(&mut self, id: UserId) -> Result<Vec<GroupRef>, StoreError>;

    async fn skus(&mut self) -> Result<Vec<Sku>, StoreError>;
    async fn sku(&mut self, id: SkuId) -> Result<Option<Sku>, StoreError>;
    /// Licence assignments of a user, active or deleted.
    async fn licenses_of(&mut self, id: UserId) -> Result<Vec<LicenseAssignment>, StoreError>;

    async fn token_by_hash(&mut self, hash: &str) -> Result<Option<TokenRecord>, StoreError>;

    /// The failed-sign-in record for a sign-in name key, if there is one.
    async fn sign_in_failures(&mut self, key: &str) -> Result<Option<SignInFailures>, StoreError>;

    /// The replicas that checked in at or after `since`, newest check-in first.
    async fn replicas_seen_since(&mut self, since: Timestamp) -> Result<Vec<ReplicaSeen>, StoreError>;

    async fn app(&mut self, id: AppId) -> Result<Option<AppRegistration>, StoreError>;
    /// An app by the client id it signs in with (Graph's `appId`).
    async fn app_by_client_id(&mut self, client_id: uuid::Uuid) -> Result<Option<AppRegistration>, StoreError>;
    /// Every app, by display name.
    async fn apps(&mut self) -> Result<Vec<AppRegistration>, StoreError>;
    /// An app's client secrets, expired or not.
    async fn app_secrets(&mut self, id: AppId) -> Result<Vec<AppSecretRecord>, StoreError>;

    async fn audit_events(&mut self, query: &AuditQuery) -> Result<Vec<AuditEvent>, StoreError>;

    /// The organisation's mail settings, if they were ever saved.
    async fn mail_settings(&mut self) -> Result<Option<crate::mail::MailSettings>, StoreError>;
    /// When the next queued message, or the lease of one being sent, is due.
    async fn next_mail_due(&mut self) -> Result<Option<Timestamp>, StoreError>;
    /// Outbox messages, newest first, by status.
    async fn mail_log(
        &mut self,
        query: &crate::mail::MailLogQuery,
    ) -> Result<Vec<crate::mail::OutboxMessage>, StoreError>;
    /// A set-password link by the SHA-256 of its secret, used or not.
    async fn password_link_by_hash(
        &mut self,
        hash: &str,
    ) -> Result<Option<crate::mail::PasswordLinkRecord>, StoreError>;

    /// The audit chain's head (`seq` 0 and `GENESIS` while the chain is empty).
    async fn audit_chain_head(&mut self) -> Result<crate::audit_chain::ChainHead, StoreError>;
    /// Chained audit records with `seq > after`, in `seq` order, at most `limit` of them.
    async fn audit_chain_page(
        &mut self,
        after: i64,
        limit: u32,
    ) -> Result<Vec<crate::audit_chain::ChainedRecord>, StoreError>;
    /// How many audit records have no place in the chain (only tampering leaves any).
    async fn count_unchained_audit_events(&mut self) -> Result<u64, StoreError>;
}

#[async_trait]
pub trait Tx: ReadTx {
    async fn insert_tenant(&mut self, tenant: &Tenant) -> Result<(), StoreError>;
    /// Rewrites name, domains, retention and overage policy.
    async fn update_tenant(&mut self, tenant: &Tenant) -> Result<(), StoreError>;

    /// Inserts an active user and reserves its addresses.
    async fn insert_user(&mut self, user: &User, password: &PasswordHash) -> Result<(), StoreError>;
    /// Rewrites an active user's properties and addresses. False if no active user has the id.
    async fn update_user(&mut self, user: &User) -> Result<bool, StoreError>;
    async fn set_password(&mut self, id: UserId, password: &PasswordHash, force_change: bool)
    -> Result<(), StoreError>;

    /// Soft-deletes an active user in as few statements as the adapter can: remembers the
    /// groups it is in now (an active user has none remembered: every restore forgets
    /// them), frees one seat of each subscription it holds a licence of (no counter below
    /// zero; the licences stay), revokes its tokens ([`Tx::revoke_tokens_of`]), releases
    /// its addresses if `release_addresses` ([`Tx::release_addresses`]) and marks it deleted
    /// at `at`; memberships, roles, licences, manager and addresses stay. False, and nothing
    /// changed, if no active user has the id.
    async fn soft_delete_user(
        &mut self,
        id: UserId,
        at: Timestamp,
        release_addresses: bool,
    ) -> Result<bool, StoreError>;
    /// Stops a deleted user's addresses from reserving anything. Returns how many were.
    async fn release_addresses(&mut self, id: UserId) -> Result<u64, StoreError>;
    /// Makes a deleted user active again as `user` (its final UPN and addresses), reserving
    /// those addresses. False if the user is not deleted.
    async fn mark_restored(&mut self, user: &User) -> Result<bool, StoreError>;
    /// [`Tx::mark_restored`] for the user `read` was read as, earlier in this transaction:
    /// the adapter may write only what differs from `read` (address rows that stay the
    /// same are only reserved again; no remembered groups, nothing to forget). While the
    /// user stays deleted as read (same `deleted_at`), what `read` holds cannot change: a
    /// deleted user's addresses and remembered groups are written only when it is deleted.
    /// If it was restored and deleted again since, it is restored as `mark_restored` would.
    async fn mark_read_user_restored(&mut self, read: &DeletedUserToRestore, user: &User) -> Result<bool, StoreError> {
        let _ = read;
        self.mark_restored(user).await
    }
    /// [`Tx::mark_restored`] for many users in a few statements. Returns how many users
    /// were restored (users not deleted are left alone and not counted).
    async fn mark_restored_all(&mut self, users: &[User]) -> Result<u64, StoreError>;
    /// Deletes a deleted user and everything it owns, if it was deleted at or before
    /// `cutoff` (when given). True only for the one transaction that deleted it.
    async fn purge_user(&mut self, id: UserId, cutoff: Option<Timestamp>) -> Result<bool, StoreError>;
    /// Deletes, in one statement, those of `ids` that are deleted users deleted at or
    /// before `cutoff`, with everything they own, and returns them (in no set order). A user
    /// that another transaction purged first is not returned.
    async fn purge_users(&mut self, ids: &[UserId], cutoff: Timestamp) -> Result<Vec<PurgedUser>, StoreError>;
    /// Removes up to `limit` of the traces [`Tx::purge_users`] leaves for later (SQLite:
    /// the purged users' entries in its recycle bin's order, removed at the end of a purge
    /// run in that order, a few pages rather than one per user) and returns how many;
    /// fewer than `limit` means none are left. Stores that leave none return 0.
    async fn forget_purged(&mut self, limit: u32) -> Result<u64, StoreError>;

    async fn assign_role(&mut self, id: UserId, role: AdminRole) -> Result<(), StoreError>;
    async fn unassign_role(&mut self, id: UserId, role: AdminRole) -> Result<bool, StoreError>;

    /// Inserts a group and reserves its address.
    async fn insert_group(&mut self, group: &Group) -> Result<(), StoreError>;
    async fn delete_group(&mut self, id: GroupId) -> Result<bool, StoreError>;
    async fn add_member(&mut self, group: GroupId, user: UserId) -> Result<(), StoreError>;
    async fn remove_member(&mut self, group: GroupId, user: UserId) -> Result<bool, StoreError>;
    async fn add_owner(&mut self, group: GroupId, user: UserId) -> Result<(), StoreError>;
    async fn remove_owner(&mut self, group: GroupId, user: UserId) -> Result<bool, StoreError>;

    async fn insert_sku(&mut self, sku: &Sku) -> Result<(), StoreError>;
    async fn set_prepaid_units(&mut self, id: SkuId, prepaid_units: i64) -> Result<bool, StoreError>;
    /// Takes one seat: increments `consumed_units` if a seat is free or `allow_overage`.
    /// False when no seat was taken.
    async fn take_seat(&mut self, id: SkuId, allow_overage: bool) -> Result<bool, StoreError>;
    async fn release_seat(&mut self, id: SkuId) -> Result<(), StoreError>;
    /// Takes `count` seats at once if `consumed_units` is still `consumed_before` (what
    /// the caller read and counted from). False, and nothing taken, otherwise.
    async fn take_seats(&mut self, id: SkuId, consumed_before: i64, count: i64) -> Result<bool, StoreError>;
    async fn add_license(&mut self, user: UserId, license: &LicenseAssignment) -> Result<(), StoreError>;
    async fn remove_license(&mut self, user: UserId, sku: SkuId) -> Result<bool, StoreError>;

    async fn insert_token(&mut self, token: &TokenRecord) -> Result<(), StoreError>;
    async fn revoke_token(&mut self, id: TokenId, at: Timestamp) -> Result<bool, StoreError>;
    /// Moves a token's expiry later (never earlier, never for a revoked token).
    async fn extend_token(&mut self, id: TokenId, expires_at: Timestamp) -> Result<(), StoreError>;
    /// Revokes every unrevoked token of a user. Returns how many.
    async fn revoke_tokens_of(&mut self, user: UserId, at: Timestamp) -> Result<u64, StoreError>;

    async fn insert_app(&mut self, app: &AppRegistration) -> Result<(), StoreError>;
    async fn update_app_roles(&mut self, id: AppId, roles: &RoleSet) -> Result<bool, StoreError>;
    /// Deletes an app with its secrets and tokens. False if it does not exist.
    async fn delete_app(&mut self, id: AppId) -> Result<bool, StoreError>;
    async fn insert_app_secret(&mut self, secret: &AppSecretRecord) -> Result<(), StoreError>;

    async fn append_audit(&mut self, event: &AuditEvent) -> Result<(), StoreError>;

    /// The failures of a sign-in name, holding that name until the transaction ends, so
    /// that concurrent attempts on one name are counted one after another.
    async fn lock_sign_in_failures(&mut self, key: &str) -> Result<Option<SignInFailures>, StoreError>;
    /// Inserts or replaces the failed-sign-in record for its key.
    async fn put_sign_in_failures(&mut self, record: &SignInFailures) -> Result<(), StoreError>;
    /// Forgets the failed sign-ins of a key (after a successful sign-in).
    async fn clear_sign_in_failures(&mut self, key: &str) -> Result<(), StoreError>;
    /// Forgets every failed-sign-in record whose first failure is before `window_start`
    /// and that is not locked at `now`: such records count no more. Returns how many.
    async fn forget_stale_sign_in_failures(
        &mut self,
        window_start: Timestamp,
        now: Timestamp,
    ) -> Result<u64, StoreError>;

    /// Inserts or replaces a replica's check-in.
    async fn replica_seen(&mut self, seen: &ReplicaSeen) -> Result<(), StoreError>;
    /// Forgets the replicas last seen before `before`.
    async fn forget_replicas_seen_before(&mut self, before: Timestamp) -> Result<(), StoreError>;

    /// Inserts or replaces the organisation's mail settings.
    async fn save_mail_settings(&mut self, settings: &crate::mail::MailSettings) -> Result<(), StoreError>;
    /// Adds a message to the outbox.
    async fn queue_mail(&mut self, message: &crate::mail::OutboxMessage) -> Result<(), StoreError>;
    /// Claims the message due longest (queued and due, or sending with its lease ended),
    /// skipping rows other transactions hold: it becomes `sending` until `lease_until`
    /// under `claim`, with one more attempt counted. None when nothing is due.
    async fn claim_mail(
        &mut self,
        now: Timestamp,
        lease_until: Timestamp,
        claim: uuid::Uuid,
    ) -> Result<Option<crate::mail::OutboxMessage>, StoreError>;
    /// Rewrites a claimed message's status, due time, error, sent time and content, if it
    /// is still `sending` under `claim`. False when the claim was lost.
    async fn finish_mail(
        &mut self,
        message: &crate::mail::OutboxMessage,
        claim: uuid::Uuid,
    ) -> Result<bool, StoreError>;
    async fn insert_password_link(&mut self, link: &crate::mail::PasswordLinkRecord) -> Result<(), StoreError>;
    /// Marks a link used at `at` if it is unused and unexpired then. True only for the one
    /// transaction that used it.
    async fn use_password_link(&mut self, id: uuid::Uuid, at: Timestamp) -> Result<bool, StoreError>;
    /// Remembers a purge reminder for a user's deletion at a threshold (days). True only
    /// for the one transaction that inserted it.
    async fn remember_purge_reminder(
        &mut self,
        user: UserId,
        deleted_at: Timestamp,
        days: u32,
    ) -> Result<bool, StoreError>;

    /// Marks a point to roll back to, so that one item of a bulk operation can fail alone
    /// inside a transaction shared with others. Savepoints do not nest here: release or
    /// roll back one before setting the next.
    async fn savepoint(&mut self) -> Result<(), StoreError>;
    /// Keeps what was done since the savepoint, and forgets the savepoint.
    async fn release_savepoint(&mut self) -> Result<(), StoreError>;
    /// Undoes what was done since the savepoint, and forgets the savepoint.
    async fn rollback_to_savepoint(&mut self) -> Result<(), StoreError>;

    async fn commit(self: Box<Self>) -> Result<(), StoreError>;
}
