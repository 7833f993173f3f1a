//! Looking into the recycle bin: listing and reading deleted users with their purge date,
//! time left, former groups, licences and roles; and releasing a deleted user's addresses.

use super::{DeletedUser, DeletedUserDetails, DeletedUserEntry, DeletedUserView};
use crate::audit::AuditAction;
use crate::caller::{Caller, Permission};
use crate::clock::Timestamp;
use crate::directory::{Directory, Target, audit_event, tenant_in};
use crate::error::Error;
use crate::ids::UserId;
use crate::query::{Condition, MAX_PAGE_SIZE, Page, UserQuery, deleted_cursor};
use crate::store::ReadTx;
use crate::tenant::Tenant;
use time::Duration;

impl Directory {
    /// A page of restorable deleted users, oldest deletion first, after the cursor.
    /// Users whose retention has ended are not listed: they count as purged.
    pub async fn deleted_users(
        &self,
        caller: &Caller,
        after: Option<(Timestamp, UserId)>,
        limit: u32,
    ) -> Result<Vec<DeletedUserView>, Error> {
        caller.authorize(Permission::ReadDirectory)?;
        let now = self.now();
        let mut tx = self.store.read().await?;
        let tenant = tenant_in(&mut *tx).await?;
        let not_before = now - tenant.retention.duration();
        let page = tx.deleted_users_page(not_before, after, limit.clamp(1, 999)).await?;
        views(&mut *tx, &tenant, page, now).await
    }

    /// How many users are in the recycle bin (restorable ones only).
    pub async fn count_deleted_users(&self, caller: &Caller) -> Result<u64, Error> {
        caller.authorize(Permission::ReadDirectory)?;
        let now = self.now();
        let mut tx = self.store.read().await?;
        let tenant = tenant_in(&mut *tx).await?;
        Ok(tx.count_deleted_users(now - tenant.retention.duration()).await?)
    }

    /// A page of restorable deleted users that satisfy the query, in its order, after its
    /// cursor, as a listing shows them (Graph's `deletedItems`). Users whose retention has
    /// ended are never found: they count as purged.
    pub async fn query_deleted_users(
        &self,
        caller: &Caller,
        query: &UserQuery,
    ) -> Result<Page<DeletedUserEntry>, Error> {
        let (mut tx, tenant, now) = self.bin_query(caller, query).await?;
        found_page(&mut *tx, &tenant, query, now).await
    }

    /// [`Directory::query_deleted_users`] and how many restorable deleted users satisfy the
    /// query's condition (Graph's `$count=true`), read together.
    pub async fn query_deleted_users_counted(
        &self,
        caller: &Caller,
        query: &UserQuery,
    ) -> Result<(Page<DeletedUserEntry>, u64), Error> {
        let (mut tx, tenant, now) = self.bin_query(caller, query).await?;
        let page = found_page(&mut *tx, &tenant, query, now).await?;
        let count = tx
            .count_found_deleted_users(now - tenant.retention.duration(), &query.condition)
            .await?;
        Ok((page, count))
    }

    /// [`Directory::query_deleted_users`] with each user's former groups, licences and roles
    /// (the admin center's list), read for the whole page in one more query.
    pub async fn query_deleted_users_with_details(
        &self,
        caller: &Caller,
        query: &UserQuery,
    ) -> Result<Page<DeletedUserView>, Error> {
        let (mut tx, tenant, now) = self.bin_query(caller, query).await?;
        let page = found_page(&mut *tx, &tenant, query, now).await?;
        let deleted = page.items.into_iter().map(|entry| entry.deleted).collect();
        Ok(Page {
            items: views(&mut *tx, &tenant, deleted, now).await?,
            next: page.next,
        })
    }

    /// What every query of the bin starts with: the caller may read and the query is valid;
    /// then a read, the organisation and the time of the request.
    async fn bin_query(
        &self,
        caller: &Caller,
        query: &UserQuery,
    ) -> Result<(Box<dyn ReadTx>, Tenant, Timestamp), Error> {
        caller.authorize(Permission::ReadDirectory)?;
        query.check(true)?;
        let now = self.now();
        let mut tx = self.store.read().await?;
        let tenant = tenant_in(&mut *tx).await?;
        Ok((tx, tenant, now))
    }

    /// How many restorable deleted users satisfy the condition.
    pub async fn count_deleted_users_matching(&self, caller: &Caller, condition: &Condition) -> Result<u64, Error> {
        caller.authorize(Permission::ReadDirectory)?;
        let now = self.now();
        let mut tx = self.store.read().await?;
        let tenant = tenant_in(&mut *tx).await?;
        Ok(tx
            .count_found_deleted_users(now - tenant.retention.duration(), condition)
            .await?)
    }

    /// One restorable deleted user.
    pub async fn deleted_user(&self, caller: &Caller, id: UserId) -> Result<DeletedUserView, Error> {
        caller.authorize(Permission::ReadDirectory)?;
        let now = self.now();
        let mut tx = self.store.read().await?;
        let tenant = tenant_in(&mut *tx).await?;
        let (deleted, details) = tx
            .deleted_user_with_details(id)
            .await?
            .filter(|(deleted, _)| now < tenant.purge_at(deleted.deleted_at))
            .ok_or_else(|| Error::not_found(id))?;
        Ok(view(&tenant, deleted, details, now))
    }

    /// Frees a deleted user's e-mail addresses so other objects may take them. A later
    /// restore re-claims those still free and reports the others as conflicts.
    pub async fn release_addresses(&self, caller: &Caller, id: UserId) -> Result<u64, Error> {
        caller.authorize(Permission::DeleteUser)?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let tenant = tenant_in(&mut *tx).await?;
        let deleted = restorable(&mut *tx, &tenant, id, now).await?;
        caller.authorize_on(Permission::DeleteUser, &tx.roles_of(id).await?)?;
        let released = tx.release_addresses(id).await?;
        let mut event = audit_event(
            caller,
            now,
            AuditAction::ReleaseAliases,
            Target::new(id, &deleted.user.upn),
        );
        event.details.push(("addresses".into(), released.to_string()));
        tx.append_audit(&event).await?;
        tx.commit().await?;
        Ok(released)
    }
}

/// A deleted user still inside its retention, or [`Error::NotFound`].
pub(crate) async fn restorable(
    tx: &mut dyn ReadTx,
    tenant: &Tenant,
    id: UserId,
    now: Timestamp,
) -> Result<DeletedUser, Error> {
    tx.deleted_user(id)
        .await?
        .filter(|deleted| now < tenant.purge_at(deleted.deleted_at))
        .ok_or_else(|| Error::not_found(id))
}

/// A page of the restorable deleted users that satisfy the query, read by one
/// [`ReadTx::find_deleted_users`].
async fn found_page(
    tx: &mut dyn ReadTx,
    tenant: &Tenant,
    query: &UserQuery,
    now: Timestamp,
) -> Result<Page<DeletedUserEntry>, Error> {
    let limit = query.limit.clamp(1, MAX_PAGE_SIZE);
    let fetch = UserQuery {
        limit: limit + 1,
        ..query.clone()
    };
    let rows = tx.find_deleted_users(now - tenant.retention.duration(), &fetch).await?;
    let page = Page::from_rows(rows, limit, |deleted| deleted_cursor(query.sort, deleted))?;
    Ok(Page {
        items: page
            .items
            .into_iter()
            .map(|deleted| DeletedUserEntry {
                purge_at: tenant.purge_at(deleted.deleted_at),
                deleted,
            })
            .collect(),
        next: page.next,
    })
}

/// The views of a page of deleted users, with their details read for the whole page in
/// one go (one query per page, never a few per user).
async fn views(
    tx: &mut dyn ReadTx,
    tenant: &Tenant,
    page: Vec<DeletedUser>,
    now: Timestamp,
) -> Result<Vec<DeletedUserView>, Error> {
    let ids: Vec<UserId> = page.iter().map(|deleted| deleted.user.id).collect();
    let mut details = tx.deleted_user_details(&ids).await?;
    Ok(page
        .into_iter()
        .map(|deleted| {
            let details = details.remove(&deleted.user.id).unwrap_or_default();
            view(tenant, deleted, details, now)
        })
        .collect())
}

/// What the bin shows of one deleted user at `now`.
fn view(tenant: &Tenant, deleted: DeletedUser, details: DeletedUserDetails, now: Timestamp) -> DeletedUserView {
    let purge_at = tenant.purge_at(deleted.deleted_at);
    DeletedUserView {
        time_left: (purge_at - now).max(Duration::ZERO),
        purge_at,
        former_groups: details.former_groups,
        licenses: details.licenses,
        roles: details.roles,
        deleted,
    }
}
