//! Audit records: who did what to which object, when, and how it ended. A change and its
//! record are written in the same transaction.

use crate::caller::{Caller, Permission};
use crate::clock::Timestamp;
use crate::directory::Directory;
use crate::error::Error;
use crate::ids::AuditId;

macro_rules! actions {
    ($($variant:ident => $name:literal,)*) => {
        /// An audited activity, named as Entra's audit log names it where it has a twin.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum AuditAction { $($variant,)* }

        impl AuditAction {
            pub const ALL: &'static [AuditAction] = &[$(AuditAction::$variant,)*];

            pub fn as_str(self) -> &'static str {
                match self { $(AuditAction::$variant => $name,)* }
            }

            pub fn parse(text: &str) -> Option<Self> {
                match text { $($name => Some(AuditAction::$variant),)* _ => None }
            }
        }
    };
}

actions! {
    InitializeTenant => "Initialize tenant",
    UpdateTenant => "Update tenant",
    AddDomain => "Add verified domain",
    AddUser => "Add user",
    UpdateUser => "Update user",
    ResetPassword => "Reset user password",
    DeleteUser => "Delete user",
    RestoreUser => "Restore user",
    HardDeleteUser => "Hard delete user",
    ReleaseAliases => "Release user aliases",
    RenameReplacedUser => "Rename user replaced by restore",
    AddGroup => "Add group",
    DeleteGroup => "Delete group",
    AddGroupMember => "Add member to group",
    RemoveGroupMember => "Remove member from group",
    AddGroupOwner => "Add owner to group",
    RemoveGroupOwner => "Remove owner from group",
    AddSubscription => "Add subscription",
    UpdateSubscription => "Update subscription",
    ChangeLicense => "Change user license",
    AddRoleMember => "Add member to role",
    RemoveRoleMember => "Remove member from role",
    IssueToken => "Issue token",
    RevokeToken => "Revoke token",
    AddApplication => "Add application",
    UpdateApplication => "Update application",
    AddApplicationSecret => "Add application secret",
    DeleteApplication => "Delete application",
    SendRestoreReport => "Send restore report",
    IssuePasswordLink => "Issue password link",
    RedeemPasswordLink => "Set password with one-time link",
    SignIn => "Sign-in",
    SignOut => "Sign-out",
    LockSignIn => "Lock sign-in after failed attempts",
    ChangeOwnPassword => "Change password (self-service)",
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditOutcome {
    Success,
    Failure,
}

impl AuditOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            AuditOutcome::Success => "success",
            AuditOutcome::Failure => "failure",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "success" => Some(AuditOutcome::Success),
            "failure" => Some(AuditOutcome::Failure),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEvent {
    pub id: AuditId,
    pub at: Timestamp,
    /// The actor as shown to people: a UPN, `token:<name>` or `system`.
    pub actor: String,
    pub action: AuditAction,
    pub target_id: Option<uuid::Uuid>,
    /// The target as shown to people, such as its UPN at the time.
    pub target: String,
    pub outcome: AuditOutcome,
    /// Facts about the change, as (key, value) pairs in a fixed order.
    pub details: Vec<(String, String)>,
}

impl AuditEvent {
    /// The value of the detail named `key`, if the record has one.
    pub fn detail(&self, key: &str) -> Option<&str> {
        let found = self.details.iter().find(|(name, _)| name == key);
        found.map(|(_, value)| value.as_str())
    }
}

/// Which records to read, newest first.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    pub action: Option<AuditAction>,
    pub target_id: Option<uuid::Uuid>,
    /// The actor exactly as recorded (a UPN, `token:<name>` or `system`).
    pub actor: Option<String>,
    /// Records at or after this time.
    pub since: Option<Timestamp>,
    /// Records before this time.
    pub until: Option<Timestamp>,
    /// The target exactly as recorded (such as a UPN at the time).
    pub target: Option<String>,
    pub limit: u32,
}

impl Directory {
    /// Audit records, newest first; at most `limit` (100 when zero, never more than 1000).
    pub async fn audit_events(&self, caller: &Caller, query: &AuditQuery) -> Result<Vec<AuditEvent>, Error> {
        caller.authorize(Permission::ReadAudit)?;
        let mut query = query.clone();
        query.limit = if query.limit == 0 { 100 } else { query.limit.min(1000) };
        Ok(self.store.read().await?.audit_events(&query).await?)
    }
}
