//! Who is calling, what each role may do, and the sensitive-action matrix.
//!
//! Every use case starts by asking the [`Caller`]: first whether any of its roles grants
//! the [`Permission`], then, for actions on a user that Entra calls sensitive (delete,
//! restore, purge, password reset, sensitive updates), whether those roles outrank the
//! target's roles. A deleted user is judged by the roles it still holds in the recycle bin.

use crate::error::Error;
use crate::ids::{AppId, UserId};
use crate::role::{AdminRole, RoleSet, TargetTier};
use std::fmt;

/// What an operation needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    ReadDirectory,
    ReadAudit,
    CreateUser,
    UpdateUser,
    DeleteUser,
    RestoreUser,
    PurgeUser,
    ResetPassword,
    ManageGroups,
    AssignLicense,
    ManageSubscriptions,
    ManageRoles,
    ManageTenant,
    ManageTokens,
}

impl Permission {
    fn granted_by(self, role: AdminRole) -> bool {
        use AdminRole::*;
        use Permission::*;
        match self {
            ReadDirectory => true,
            ReadAudit => matches!(role, GlobalAdministrator | GlobalReader),
            CreateUser | UpdateUser => matches!(role, GlobalAdministrator | UserAdministrator),
            DeleteUser | RestoreUser | PurgeUser => matches!(
                role,
                GlobalAdministrator
                    | PrivilegedAuthenticationAdministrator
                    | UserAdministrator
                    | AuthenticationAdministrator
            ),
            ResetPassword => matches!(
                role,
                GlobalAdministrator
                    | PrivilegedAuthenticationAdministrator
                    | UserAdministrator
                    | AuthenticationAdministrator
                    | HelpdeskAdministrator
                    | PasswordAdministrator
            ),
            ManageGroups => matches!(role, GlobalAdministrator | UserAdministrator | GroupsAdministrator),
            AssignLicense => matches!(role, GlobalAdministrator | UserAdministrator | LicenseAdministrator),
            ManageSubscriptions | ManageTenant | ManageTokens => role == GlobalAdministrator,
            ManageRoles => matches!(role, GlobalAdministrator | PrivilegedRoleAdministrator),
        }
    }

    /// Whether this is a sensitive action, judged against the target's roles.
    fn is_sensitive(self) -> bool {
        matches!(
            self,
            Permission::UpdateUser
                | Permission::DeleteUser
                | Permission::RestoreUser
                | Permission::PurgeUser
                | Permission::ResetPassword
        )
    }
}

/// The most protected target tier a role may perform sensitive actions on, per Entra's
/// "who can update sensitive attributes" table.
fn reach(role: AdminRole, permission: Permission) -> Option<&'static [TargetTier]> {
    use TargetTier::*;
    const ALL: &[TargetTier] = &[Basic, Helpdesk, UserManager, AuthAdmin, Privileged];
    if !permission.granted_by(role) {
        return None;
    }
    match role {
        AdminRole::GlobalAdministrator | AdminRole::PrivilegedAuthenticationAdministrator => Some(ALL),
        AdminRole::UserAdministrator => Some(&[Basic, Helpdesk, UserManager]),
        AdminRole::AuthenticationAdministrator => Some(&[Basic, AuthAdmin]),
        AdminRole::HelpdeskAdministrator => Some(&[Basic, Helpdesk]),
        AdminRole::PasswordAdministrator => Some(&[Basic]),
        _ => None,
    }
}

/// Who performs an operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    User {
        id: UserId,
        upn: String,
    },
    /// A token issued with `roster token issue`, not bound to a user.
    Service {
        name: String,
    },
    /// An app registration, signed in with the client-credentials grant.
    App {
        id: AppId,
        name: String,
    },
    /// Roster itself: background jobs and first-time initialisation.
    System,
}

impl fmt::Display for Principal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Principal::User { upn, .. } => write!(f, "{upn}"),
            Principal::Service { name } => write!(f, "token:{name}"),
            Principal::App { name, .. } => write!(f, "app:{name}"),
            Principal::System => f.write_str("system"),
        }
    }
}

/// Where a request came from, as the protocol adapter saw it; audit records carry it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Origin {
    /// The client's address (behind trusted proxies, the one they report).
    pub client_ip: Option<std::net::IpAddr>,
    /// The request's id (Graph's `request-id`), which correlates a record with the
    /// request, its answer and the access log.
    pub request_id: Option<String>,
    /// The name of the `roster serve` process that served it (`--replica-name`), which
    /// tells replicas sharing one database apart in the audit log.
    pub replica: Option<String>,
}

impl Origin {
    /// The origin of work a process does by itself (its background jobs).
    pub fn on_replica(replica: Option<String>) -> Self {
        Origin {
            replica,
            ..Origin::default()
        }
    }

    /// The origin as audit details: `clientIpAddress`, `correlationId` and `replica`,
    /// when known.
    pub fn details(&self) -> Vec<(String, String)> {
        let ip = self.client_ip.map(|ip| ("clientIpAddress".to_owned(), ip.to_string()));
        let id = self.request_id.clone().map(|id| ("correlationId".to_owned(), id));
        let replica = self.replica.clone().map(|name| ("replica".to_owned(), name));
        ip.into_iter().chain(id).chain(replica).collect()
    }
}

/// An authenticated principal with its roles resolved, and where its request came from.
#[derive(Debug, Clone)]
pub struct Caller {
    pub principal: Principal,
    pub roles: RoleSet,
    pub origin: Origin,
}

impl Caller {
    pub fn system() -> Self {
        Caller::new(Principal::System, RoleSet::all())
    }

    pub fn new(principal: Principal, roles: RoleSet) -> Self {
        Caller {
            principal,
            roles,
            origin: Origin::default(),
        }
    }

    /// The same caller, its request coming from `origin`.
    pub fn with_origin(mut self, origin: Origin) -> Self {
        self.origin = origin;
        self
    }

    pub fn user_id(&self) -> Option<UserId> {
        match &self.principal {
            Principal::User { id, .. } => Some(*id),
            _ => None,
        }
    }

    /// Fails unless one of the caller's roles grants `permission`.
    pub fn authorize(&self, permission: Permission) -> Result<(), Error> {
        if self.roles.iter().any(|role| permission.granted_by(role)) {
            Ok(())
        } else {
            Err(Error::Forbidden {
                reason: "none of the caller's roles grants this operation",
            })
        }
    }

    /// Like [`Caller::authorize`], and for sensitive actions also checks that one role of
    /// the caller reaches every role the target holds.
    pub fn authorize_on(&self, permission: Permission, target_roles: &RoleSet) -> Result<(), Error> {
        self.authorize(permission)?;
        if !permission.is_sensitive() {
            return Ok(());
        }
        let tier = target_roles.tier();
        let reaches = self
            .roles
            .iter()
            .filter_map(|role| reach(role, permission))
            .any(|tiers| tiers.contains(&tier));
        if reaches {
            Ok(())
        } else {
            Err(Error::Forbidden {
                reason: "the target holds an admin role that outranks the caller's roles",
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use AdminRole::*;

    fn caller(roles: &[AdminRole]) -> Caller {
        Caller::new(
            Principal::Service { name: "test".into() },
            roles.iter().copied().collect(),
        )
    }

    #[track_caller]
    fn check(caller_roles: &[AdminRole], permission: Permission, target: &[AdminRole], allowed: bool) {
        let target: RoleSet = target.iter().copied().collect();
        let got = caller(caller_roles).authorize_on(permission, &target).is_ok();
        assert_eq!(got, allowed, "{caller_roles:?} {permission:?} on {target:?}");
    }

    #[test]
    fn sensitive_action_matrix() {
        use Permission::*;
        for action in [DeleteUser, RestoreUser, PurgeUser, ResetPassword] {
            check(&[UserAdministrator], action, &[], true);
            check(&[UserAdministrator], action, &[PasswordAdministrator], true);
            check(&[UserAdministrator], action, &[HelpdeskAdministrator], true);
            check(&[UserAdministrator], action, &[UserAdministrator], true);
            check(&[UserAdministrator], action, &[AuthenticationAdministrator], false);
            check(&[UserAdministrator], action, &[GlobalAdministrator], false);
            check(
                &[UserAdministrator],
                action,
                &[PrivilegedAuthenticationAdministrator],
                false,
            );
            check(&[UserAdministrator], action, &[LicenseAdministrator], false);
            check(&[AuthenticationAdministrator], action, &[], true);
            check(
                &[AuthenticationAdministrator],
                action,
                &[AuthenticationAdministrator],
                true,
            );
            check(&[AuthenticationAdministrator], action, &[UserAdministrator], false);
            check(
                &[PrivilegedAuthenticationAdministrator],
                action,
                &[GlobalAdministrator],
                true,
            );
            check(
                &[GlobalAdministrator],
                action,
                &[GlobalAdministrator, GlobalReader],
                true,
            );
            check(
                &[UserAdministrator, AuthenticationAdministrator],
                action,
                &[AuthenticationAdministrator],
                true,
            );
            check(&[GlobalReader], action, &[], false);
            check(&[LicenseAdministrator], action, &[], false);
        }
        check(&[HelpdeskAdministrator], DeleteUser, &[], false);
        check(&[HelpdeskAdministrator], ResetPassword, &[], true);
        check(&[HelpdeskAdministrator], ResetPassword, &[HelpdeskAdministrator], true);
        check(&[HelpdeskAdministrator], ResetPassword, &[UserAdministrator], false);
        check(&[PasswordAdministrator], ResetPassword, &[PasswordAdministrator], true);
        check(&[PasswordAdministrator], ResetPassword, &[HelpdeskAdministrator], false);
    }

    #[test]
    fn plain_permissions() {
        assert!(caller(&[GlobalReader]).authorize(Permission::ReadDirectory).is_ok());
        assert!(caller(&[GlobalReader]).authorize(Permission::ReadAudit).is_ok());
        assert!(caller(&[GlobalReader]).authorize(Permission::CreateUser).is_err());
        assert!(
            caller(&[LicenseAdministrator])
                .authorize(Permission::AssignLicense)
                .is_ok()
        );
        assert!(caller(&[UserAdministrator]).authorize(Permission::ManageRoles).is_err());
        assert!(caller(&[]).authorize(Permission::ReadDirectory).is_err());
    }
}
