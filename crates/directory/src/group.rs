//! Security groups with members and owners. Groups are hard-deleted, as in Entra: a
//! deleted user's membership in a group deleted meanwhile is reported as skipped on restore.

use crate::address::EmailAddress;
use crate::clock::Timestamp;
use crate::ids::GroupId;

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
