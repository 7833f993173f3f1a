//! Security groups with members and owners. Groups are hard-deleted, as in Entra: a
//! deleted user's membership in a group deleted meanwhile is reported as skipped on restore.

use crate::address::EmailAddress;
use crate::audit::AuditAction;
use crate::caller::{Caller, Permission};
use crate::clock::Timestamp;
use crate::directory::{Directory, Target, audit_event, conflict_error, tenant_in};
use crate::error::Error;
use crate::ids::{GroupId, UserId};
use crate::store::StoreError;
use crate::user::manage::{check_domain, ensure_addresses_free};
use crate::user::{mail_nickname, text_property};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    pub id: GroupId,
    pub display_name: String,
    pub mail_nickname: String,
    pub description: Option<String>,
    /// A mail-enabled group's address; it is unique across users and groups.
    pub mail: Option<EmailAddress>,
    pub created_at: Timestamp,
}

/// A group as remembered by a deleted user: enough to name it after it is gone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupRef {
    pub id: GroupId,
    pub display_name: String,
}

/// What an admin gives to create a security group.
#[derive(Debug, Clone)]
pub struct NewGroup {
    pub display_name: String,
    pub mail_nickname: String,
    pub description: Option<String>,
    pub mail: Option<EmailAddress>,
}

impl NewGroup {
    /// A security group without description or mail.
    pub fn new(display_name: &str, mail_nickname: &str) -> Self {
        NewGroup {
            display_name: display_name.to_owned(),
            mail_nickname: mail_nickname.to_owned(),
            description: None,
            mail: None,
        }
    }
}

/// Adding or removing a member or an owner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupLink {
    Member,
    Owner,
}

impl Directory {
    pub async fn create_group(&self, caller: &Caller, new: NewGroup) -> Result<Group, Error> {
        caller.authorize(Permission::ManageGroups)?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let tenant = tenant_in(&mut *tx).await?;
        if let Some(mail) = &new.mail {
            check_domain(&tenant, mail.domain(), "mail")?;
            ensure_addresses_free(&mut *tx, &[mail], None).await?;
        }
        let group = Group {
            id: GroupId::generate(),
            display_name: text_property("displayName", &new.display_name, 256)?,
            mail_nickname: mail_nickname(&new.mail_nickname)?,
            description: new
                .description
                .as_deref()
                .map(|d| text_property("description", d, 1024))
                .transpose()?,
            mail: new.mail,
            created_at: now,
        };
        let mail_text = group.mail.as_ref().map(ToString::to_string).unwrap_or_default();
        tx.insert_group(&group)
            .await
            .map_err(|e| conflict_error(e, "", &mail_text))?;
        let event = audit_event(
            caller,
            now,
            AuditAction::AddGroup,
            Target::new(group.id, &group.display_name),
        );
        tx.append_audit(&event).await?;
        tx.commit().await?;
        Ok(group)
    }

    /// Deletes a group for good (security groups are not soft-deleted). Deleted users that
    /// were members will report the membership as skipped when restored.
    pub async fn delete_group(&self, caller: &Caller, id: GroupId) -> Result<(), Error> {
        caller.authorize(Permission::ManageGroups)?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let group = tx.group(id).await?.ok_or_else(|| Error::not_found(id))?;
        tx.delete_group(id).await?;
        let event = audit_event(
            caller,
            now,
            AuditAction::DeleteGroup,
            Target::new(id, &group.display_name),
        );
        tx.append_audit(&event).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn group(&self, caller: &Caller, id: GroupId) -> Result<Group, Error> {
        caller.authorize(Permission::ReadDirectory)?;
        let mut tx = self.store.read().await?;
        tx.group(id).await?.ok_or_else(|| Error::not_found(id))
    }

    pub async fn groups(&self, caller: &Caller) -> Result<Vec<Group>, Error> {
        caller.authorize(Permission::ReadDirectory)?;
        Ok(self.store.read().await?.groups().await?)
    }

    /// Active members or owners of a group.
    pub async fn group_links(&self, caller: &Caller, id: GroupId, link: GroupLink) -> Result<Vec<UserId>, Error> {
        caller.authorize(Permission::ReadDirectory)?;
        let mut tx = self.store.read().await?;
        tx.group(id).await?.ok_or_else(|| Error::not_found(id))?;
        Ok(match link {
            GroupLink::Member => tx.group_members(id).await?,
            GroupLink::Owner => tx.group_owners(id).await?,
        })
    }

    /// Groups an active user is a member of (Graph `memberOf`).
    pub async fn member_of(&self, caller: &Caller, user: UserId) -> Result<Vec<GroupRef>, Error> {
        caller.authorize(Permission::ReadDirectory)?;
        let mut tx = self.store.read().await?;
        tx.user(user).await?.ok_or_else(|| Error::not_found(user))?;
        Ok(tx.groups_of(user).await?)
    }

    /// Adds an active user as a member or owner.
    pub async fn add_to_group(&self, caller: &Caller, id: GroupId, link: GroupLink, user: UserId) -> Result<(), Error> {
        caller.authorize(Permission::ManageGroups)?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let group = tx.group(id).await?.ok_or_else(|| Error::not_found(id))?;
        let member = tx.user(user).await?.ok_or_else(|| Error::not_found(user))?;
        let already = |e: StoreError| match e {
            StoreError::Conflict(_) => Error::AlreadyExists {
                what: format!("{} in group {}", member.upn, group.display_name),
            },
            other => Error::Store(other),
        };
        let action = match link {
            GroupLink::Member => {
                tx.add_member(id, user).await.map_err(already)?;
                AuditAction::AddGroupMember
            }
            GroupLink::Owner => {
                tx.add_owner(id, user).await.map_err(already)?;
                AuditAction::AddGroupOwner
            }
        };
        let mut event = audit_event(caller, now, action, Target::new(id, &group.display_name));
        event.details.push(("user".into(), member.upn.to_string()));
        tx.append_audit(&event).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn remove_from_group(
        &self,
        caller: &Caller,
        id: GroupId,
        link: GroupLink,
        user: UserId,
    ) -> Result<(), Error> {
        caller.authorize(Permission::ManageGroups)?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let group = tx.group(id).await?.ok_or_else(|| Error::not_found(id))?;
        let (removed, action) = match link {
            GroupLink::Member => (tx.remove_member(id, user).await?, AuditAction::RemoveGroupMember),
            GroupLink::Owner => (tx.remove_owner(id, user).await?, AuditAction::RemoveGroupOwner),
        };
        if !removed {
            return Err(Error::not_found(user));
        }
        let mut event = audit_event(caller, now, action, Target::new(id, &group.display_name));
        event.details.push(("user".into(), user.to_string()));
        tx.append_audit(&event).await?;
        tx.commit().await?;
        Ok(())
    }
}
