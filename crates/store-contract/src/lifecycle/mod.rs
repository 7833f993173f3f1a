//! Contract cases that drive the domain's use cases with a manual clock, so every
//! lifecycle rule is proven on each storage backend.

mod apps;
mod audit_chain;
mod bulk;
mod delete;
mod licenses;
mod mail;
mod purge;
mod queries;
mod races;
mod replicas;
mod restore;
mod sign_in;
mod users;
mod views;

pub use apps::*;
pub use audit_chain::*;
pub use bulk::*;
pub use delete::*;
pub use licenses::*;
pub use mail::*;
pub use purge::*;
pub use queries::*;
pub use races::*;
pub use replicas::*;
pub use restore::*;
pub use sign_in::*;
pub use users::*;
pub use views::*;

use crate::TestDb;
use directory::address::EmailAddress;
use directory::caller::Principal;
use directory::password::Password;
use directory::role::{AdminRole, RoleSet};
use directory::upn::{DomainName, UserPrincipalName};
use directory::user::{NewUser, User};
use directory::{Caller, Directory, ManualClock};
use std::sync::Arc;

/// A directory for `contoso.com` (and the verified `fabrikam.com`) on a fresh database,
/// with a manual clock and a Global Administrator caller.
pub(crate) struct Fixture {
    pub(crate) db: TestDb,
    pub(crate) directory: Directory,
    pub(crate) clock: ManualClock,
    pub(crate) admin: Caller,
}

impl Fixture {
    pub(crate) async fn new(db: TestDb) -> Self {
        let clock = ManualClock::at_default_start();
        let directory = Directory::new(db.store().await, Arc::new(clock.clone()));
        let contoso = DomainName::parse("contoso.com").unwrap();
        directory.initialize("Contoso", contoso).await.unwrap();
        let admin = Caller::system();
        let fabrikam = DomainName::parse("fabrikam.com").unwrap();
        directory.add_domain(&admin, fabrikam).await.unwrap();
        Fixture {
            db,
            directory,
            clock,
            admin,
        }
    }

    /// Another directory on the same database with its own connections, as a second
    /// process would have, sharing the clock.
    pub(crate) async fn second_process(&self) -> Directory {
        Directory::new(self.db.store().await, Arc::new(self.clock.clone()))
    }

    pub(crate) async fn create(&self, upn: &str) -> User {
        self.directory.create_user(&self.admin, new_user(upn)).await.unwrap()
    }

    pub(crate) async fn delete(&self, user: &User) {
        self.directory.delete_user(&self.admin, user.id, false).await.unwrap();
    }
}

pub(crate) fn upn(text: &str) -> UserPrincipalName {
    UserPrincipalName::parse(text).unwrap()
}

pub(crate) fn email(text: &str) -> EmailAddress {
    EmailAddress::parse(text).unwrap()
}

pub(crate) fn new_user(upn_text: &str) -> NewUser {
    let password = Password::parse("a long enough passphrase", None).unwrap();
    NewUser::new(upn(upn_text), "Test User", password)
}

/// A caller holding exactly these roles (a service token's caller).
pub(crate) fn caller_with(roles: &[AdminRole]) -> Caller {
    Caller::new(
        Principal::Service {
            name: "contract".into(),
        },
        roles.iter().copied().collect::<RoleSet>(),
    )
}
