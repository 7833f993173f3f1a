//! Built-in admin roles, with Entra's template ids, and the tiers the sensitive-action
//! matrix judges a target by.

use crate::audit::AuditAction;
use crate::caller::{Caller, Permission};
use crate::directory::{Directory, Target, audit_event};
use crate::error::Error;
use crate::ids::UserId;
use crate::store::StoreError;
use crate::user::manage::ensure_not_last_global_admin;
use std::collections::BTreeSet;
use std::fmt;

macro_rules! roles {
    ($($variant:ident => $name:literal, $template:literal;)*) => {
        /// A built-in directory role. The template ids are the same as in every Entra tenant.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum AdminRole { $($variant,)* }

        impl AdminRole {
            pub const ALL: &'static [AdminRole] = &[$(AdminRole::$variant,)*];

            pub fn display_name(self) -> &'static str {
                match self { $(AdminRole::$variant => $name,)* }
            }

            pub fn template_id(self) -> &'static str {
                match self { $(AdminRole::$variant => $template,)* }
            }
        }
    };
}

roles! {
    GlobalAdministrator => "Global Administrator", "62e90394-69f5-4237-9190-012177145e10";
    PrivilegedAuthenticationAdministrator => "Privileged Authentication Administrator",
        "7be44c8a-adaf-4e2a-84d6-ab2649e08a13";
    PrivilegedRoleAdministrator => "Privileged Role Administrator", "e8611ab8-c189-46e8-94e1-60213ab1f814";
    UserAdministrator => "User Administrator", "fe930be7-5e62-47db-91af-98c3a49a38b1";
    AuthenticationAdministrator => "Authentication Administrator", "c4e39bd9-1100-46d3-8c65-fb160da0071f";
    HelpdeskAdministrator => "Helpdesk Administrator", "729827e3-9c14-49f7-bb1b-9608f156bbb8";
    PasswordAdministrator => "Password Administrator", "966707d0-3269-4727-9be2-8c3a10f19b9d";
    GroupsAdministrator => "Groups Administrator", "fdd7a751-b60b-444a-984c-02652fe8fa1c";
    LicenseAdministrator => "License Administrator", "4d6ac14f-3453-41d0-bef9-a3e0c569773a";
    GlobalReader => "Global Reader", "f2ef992c-3afb-46b9-b7cf-a126ee74c451";
}

impl AdminRole {
    /// Finds a role by display name (case-insensitive) or template id.
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        AdminRole::ALL.iter().copied().find(|role| {
            role.display_name().eq_ignore_ascii_case(text) || role.template_id().eq_ignore_ascii_case(text)
        })
    }

    /// How privileged a holder of this role is, as a target of a sensitive action.
    pub(crate) fn tier(self) -> TargetTier {
        match self {
            AdminRole::PasswordAdministrator => TargetTier::Basic,
            AdminRole::HelpdeskAdministrator => TargetTier::Helpdesk,
            AdminRole::GroupsAdministrator | AdminRole::UserAdministrator => TargetTier::UserManager,
            AdminRole::AuthenticationAdministrator => TargetTier::AuthAdmin,
            // The Microsoft table does not list these; they are treated as privileged.
            AdminRole::GlobalAdministrator
            | AdminRole::PrivilegedAuthenticationAdministrator
            | AdminRole::PrivilegedRoleAdministrator
            | AdminRole::LicenseAdministrator
            | AdminRole::GlobalReader => TargetTier::Privileged,
        }
    }
}

impl fmt::Display for AdminRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.display_name())
    }
}

/// A target's place in the sensitive-action matrix, from least to most protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum TargetTier {
    /// No admin role, or only a role that may be managed by every user manager.
    Basic,
    Helpdesk,
    UserManager,
    AuthAdmin,
    Privileged,
}

/// A set of roles held by a user, an app or a token.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RoleSet(BTreeSet<AdminRole>);

impl RoleSet {
    pub fn new(roles: impl IntoIterator<Item = AdminRole>) -> Self {
        RoleSet(roles.into_iter().collect())
    }

    pub fn all() -> Self {
        RoleSet::new(AdminRole::ALL.iter().copied())
    }

    pub fn contains(&self, role: AdminRole) -> bool {
        self.0.contains(&role)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = AdminRole> + '_ {
        self.0.iter().copied()
    }

    pub fn insert(&mut self, role: AdminRole) {
        self.0.insert(role);
    }

    /// The most protected tier among the roles: what a target is judged by.
    pub(crate) fn tier(&self) -> TargetTier {
        self.iter().map(AdminRole::tier).max().unwrap_or(TargetTier::Basic)
    }
}

impl FromIterator<AdminRole> for RoleSet {
    fn from_iter<I: IntoIterator<Item = AdminRole>>(iter: I) -> Self {
        RoleSet::new(iter)
    }
}

impl Directory {
    /// Assigns a built-in role to an active user.
    pub async fn assign_role(&self, caller: &Caller, user: UserId, role: AdminRole) -> Result<(), Error> {
        caller.authorize(Permission::ManageRoles)?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let member = tx.user(user).await?.ok_or_else(|| Error::not_found(user))?;
        tx.assign_role(user, role).await.map_err(|e| match e {
            StoreError::Conflict(_) => Error::AlreadyExists {
                what: format!("{role} assignment of {}", member.upn),
            },
            other => Error::Store(other),
        })?;
        let mut event = audit_event(caller, now, AuditAction::AddRoleMember, Target::new(user, &member.upn));
        event.details.push(("role".into(), role.display_name().into()));
        tx.append_audit(&event).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Removes a role from a user; the last active Global Administrator keeps its role.
    pub async fn unassign_role(&self, caller: &Caller, user: UserId, role: AdminRole) -> Result<(), Error> {
        caller.authorize(Permission::ManageRoles)?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        if role == AdminRole::GlobalAdministrator {
            ensure_not_last_global_admin(&mut *tx, user).await?;
        }
        if !tx.unassign_role(user, role).await? {
            return Err(Error::not_found(user));
        }
        // Named by UPN like the assignment; by id when the user is in the recycle bin.
        let target = match tx.user(user).await? {
            Some(member) => Target::new(user, &member.upn),
            None => Target::new(user, user),
        };
        let mut event = audit_event(caller, now, AuditAction::RemoveRoleMember, target);
        event.details.push(("role".into(), role.display_name().into()));
        tx.append_audit(&event).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Roles of an active user.
    pub async fn roles_of(&self, caller: &Caller, user: UserId) -> Result<RoleSet, Error> {
        caller.authorize(Permission::ReadDirectory)?;
        let mut tx = self.store.read().await?;
        tx.user(user).await?.ok_or_else(|| Error::not_found(user))?;
        Ok(tx.roles_of(user).await?)
    }

    /// Active users holding a role.
    pub async fn role_holders(&self, caller: &Caller, role: AdminRole) -> Result<Vec<UserId>, Error> {
        caller.authorize(Permission::ReadDirectory)?;
        Ok(self.store.read().await?.role_holders(role).await?)
    }
}
