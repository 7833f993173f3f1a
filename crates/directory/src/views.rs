//! Read models for the admin center's directory pages: what one page shows, read in one
//! transaction (users with their licences, role holders, a group with its people, the
//! choices of the "Add a user" form), plus the page-level bulk delete and "add a user with
//! licences". Each checks the caller like the use cases it builds on.

use crate::caller::{Caller, Permission};
use crate::directory::{Directory, tenant_in};
use crate::error::Error;
use crate::group::Group;
use crate::ids::{GroupId, SkuId, UserId};
use crate::license::{LicenseAssignment, Sku};
use crate::query::{Page, UserQuery};
use crate::role::AdminRole;
use crate::store::ReadTx;
use crate::upn::DomainName;
use crate::user::{NewUser, User};

/// An active user as the "Active users" list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedUser {
    pub user: User,
    /// Part numbers of the subscriptions assigned to it.
    pub licenses: Vec<String>,
}

/// Each built-in role with the active users holding it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleAssignments {
    pub role: AdminRole,
    pub holders: Vec<User>,
}

/// A group with its active members and owners.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupDetails {
    pub group: Group,
    pub members: Vec<User>,
    pub owners: Vec<User>,
}

/// What the "Add a user" form offers: the verified domains and the subscriptions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUserChoices {
    pub domains: Vec<DomainName>,
    pub subscriptions: Vec<Sku>,
}

/// A user added by [`Directory::add_user`]; the user exists even when its licences could
/// not be assigned (then `license_error` says why).
#[derive(Debug, Clone)]
pub struct AddedUser {
    pub user: User,
    pub license_error: Option<Error>,
}

/// The outcome of deleting one user of a bulk delete.
#[derive(Debug, Clone)]
pub struct DeleteOutcome {
    pub id: UserId,
    /// The user principal name, when the user was found.
    pub name: Option<String>,
    pub result: Result<(), Error>,
}

impl Directory {
    /// A page of active users with the part numbers of their licences.
    pub async fn user_listing(&self, caller: &Caller, query: &UserQuery) -> Result<Page<ListedUser>, Error> {
        caller.authorize(Permission::ReadDirectory)?;
        let mut tx = self.store.read().await?;
        let page = crate::user::manage::users_page_in(&mut *tx, query).await?;
        let skus = tx.skus().await?;
        let mut items = Vec::with_capacity(page.items.len());
        for user in page.items {
            let held = tx.licenses_of(user.id).await?;
            items.push(ListedUser {
                licenses: part_numbers(&skus, &held),
                user,
            });
        }
        Ok(Page { items, next: page.next })
    }

    /// The active users with these ids, in the given order; unknown ids are left out.
    pub async fn users_by_ids(&self, caller: &Caller, ids: &[UserId]) -> Result<Vec<User>, Error> {
        caller.authorize(Permission::ReadDirectory)?;
        let mut tx = self.store.read().await?;
        users_in(&mut *tx, ids).await
    }

    /// Every built-in role, in Entra's order, with its active holders by display name.
    pub async fn role_assignments(&self, caller: &Caller) -> Result<Vec<RoleAssignments>, Error> {
        caller.authorize(Permission::ReadDirectory)?;
        let mut tx = self.store.read().await?;
        let mut roles = Vec::with_capacity(AdminRole::ALL.len());
        for role in AdminRole::ALL {
            let ids = tx.role_holders(*role).await?;
            roles.push(RoleAssignments {
                role: *role,
                holders: by_name(users_in(&mut *tx, &ids).await?),
            });
        }
        Ok(roles)
    }

    /// A group with its active members and owners, by display name.
    pub async fn group_details(&self, caller: &Caller, id: GroupId) -> Result<GroupDetails, Error> {
        caller.authorize(Permission::ReadDirectory)?;
        let mut tx = self.store.read().await?;
        let group = tx.group(id).await?.ok_or_else(|| Error::not_found(id))?;
        let members = tx.group_members(id).await?;
        let owners = tx.group_owners(id).await?;
        Ok(GroupDetails {
            group,
            members: by_name(users_in(&mut *tx, &members).await?),
            owners: by_name(users_in(&mut *tx, &owners).await?),
        })
    }

    /// The verified domains and subscriptions, for the "Add a user" form.
    pub async fn new_user_choices(&self, caller: &Caller) -> Result<NewUserChoices, Error> {
        caller.authorize(Permission::CreateUser)?;
        let mut tx = self.store.read().await?;
        let tenant = tenant_in(&mut *tx).await?;
        Ok(NewUserChoices {
            domains: tenant.domains,
            subscriptions: tx.skus().await?,
        })
    }

    /// Creates a user, then assigns it these licences (which needs a usage location and
    /// free seats). A licence failure does not undo the user, as in the admin center.
    pub async fn add_user(&self, caller: &Caller, new: NewUser, licenses: Vec<SkuId>) -> Result<AddedUser, Error> {
        let user = self.create_user(caller, new).await?;
        if licenses.is_empty() {
            return Ok(AddedUser {
                user,
                license_error: None,
            });
        }
        let add = licenses
            .into_iter()
            .map(|sku_id| LicenseAssignment {
                sku_id,
                disabled_plans: Vec::new(),
            })
            .collect();
        let license_error = self.assign_license(caller, user.id, add, Vec::new()).await.err();
        Ok(AddedUser { user, license_error })
    }

    /// Deletes each user in its own transaction (see [`Directory::delete_user`]); one
    /// failure stops nothing.
    pub async fn delete_users(&self, caller: &Caller, ids: &[UserId], release_addresses: bool) -> Vec<DeleteOutcome> {
        let mut outcomes = Vec::with_capacity(ids.len());
        for id in ids {
            let name = match self.store.read().await {
                Ok(mut tx) => tx.user(*id).await.ok().flatten().map(|user| user.upn.to_string()),
                Err(_) => None,
            };
            let result = self.delete_user(caller, *id, release_addresses).await;
            outcomes.push(DeleteOutcome { id: *id, name, result });
        }
        outcomes
    }
}

async fn users_in(tx: &mut dyn ReadTx, ids: &[UserId]) -> Result<Vec<User>, Error> {
    let mut users = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some(user) = tx.user(*id).await? {
            users.push(user);
        }
    }
    Ok(users)
}

fn by_name(mut users: Vec<User>) -> Vec<User> {
    users.sort_by_cached_key(|user| (user.display_name.to_lowercase(), user.id.0));
    users
}

fn part_numbers(skus: &[Sku], held: &[LicenseAssignment]) -> Vec<String> {
    held.iter()
        .map(|license| {
            skus.iter()
                .find(|sku| sku.id == license.sku_id)
                .map_or_else(|| license.sku_id.to_string(), |sku| sku.part_number.clone())
        })
        .collect()
}
