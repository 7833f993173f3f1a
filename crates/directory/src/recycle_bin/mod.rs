//! The recycle bin: deleted users, their restore and their purge.
//!
//! A deleted user keeps its id, memberships, roles, licence assignments, manager link and
//! (unless released) its addresses. It is restorable while `now < deleted_at + retention`;
//! from that instant it is treated as purged, whether or not the purge job has removed it
//! yet. Restore is per user, one transaction each, never all-or-nothing.

mod browse;
mod plan;
mod purge;
mod restore;
mod restore_batch;

pub use plan::{AddressConflict, ConflictResolution, PasswordReset, RestoreOptions, RestorePlan, RestorePreview};
pub use purge::PurgeReport;
pub use restore::{BulkRestore, LicenseOutcome, ReplacedUser, RestoreOutcome, RestoreResult, RestoredUser};

use crate::clock::Timestamp;
use crate::group::GroupRef;
use crate::license::LicenseAssignment;
use crate::role::RoleSet;
use crate::user::User;
use time::Duration;

/// A soft-deleted user as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeletedUser {
    /// The user as it was when deleted, with its original UPN.
    pub user: User,
    pub deleted_at: Timestamp,
    /// Whether an admin released its addresses, so that others may take them.
    pub addresses_released: bool,
}

impl DeletedUser {
    /// The name Graph shows while the user is deleted: `<32-hex id><original UPN>`.
    pub fn tombstone_upn(&self) -> String {
        format!("{}{}", self.user.id.as_uuid().simple(), self.user.upn)
    }
}

/// What the recycle bin shows beside a deleted user, read for a whole page at once.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeletedUserDetails {
    pub former_groups: Vec<GroupRef>,
    pub licenses: Vec<LicenseAssignment>,
    pub roles: RoleSet,
}

/// A deleted user as a listing of the bin shows it: the user and when it goes for good.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeletedUserEntry {
    pub deleted: DeletedUser,
    pub purge_at: Timestamp,
}

/// A deleted user with everything the admin needs to decide about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeletedUserView {
    pub deleted: DeletedUser,
    pub purge_at: Timestamp,
    /// Time until the purge, as of the request (never negative).
    pub time_left: Duration,
    pub former_groups: Vec<GroupRef>,
    pub licenses: Vec<LicenseAssignment>,
    pub roles: RoleSet,
}

impl DeletedUserView {
    /// Whole days left, rounded up: a user purged in 3 hours has "1 day" left.
    pub fn days_left(&self) -> i64 {
        let seconds = self.time_left.whole_seconds();
        (seconds + 86_399) / 86_400
    }
}
