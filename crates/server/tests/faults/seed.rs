//! Seeding fast through the storage port, the way `crates/bench` does: one password hash
//! shared by every user, many users per transaction, deletion times in the past. The
//! use cases create the organisation, groups, subscription and token; users are written
//! as the use cases would write them (addresses reserved, licences kept, former groups
//! remembered). Each seeded user comes with what it must still have after a fault.

use crate::server::DOMAIN;
use directory::address::{EmailAddress, ProxyAddress, ProxyAddresses};
use directory::group::NewGroup;
use directory::ids::{GroupId, SkuId, UserId};
use directory::license::{LicenseAssignment, NewSku};
use directory::password::{self, Password, PasswordHash};
use directory::role::{AdminRole, RoleSet};
use directory::store::{Store, Tx};
use directory::tenant::{Retention, TenantSettings};
use directory::upn::{DomainName, UserPrincipalName};
use directory::user::User;
use directory::{Caller, Directory, SystemClock, Timestamp};
use std::sync::Arc;
use time::Duration;

const GROUPS: usize = 4;
const USERS_PER_TX: usize = 500;

/// A count of users to seed from the environment variable `name`, or none when it is unset.
pub(crate) fn count_from_env(name: &str) -> usize {
    std::env::var(name).map_or(0, |count| {
        count.parse().unwrap_or_else(|_| panic!("{name} is a number of users"))
    })
}

/// A seeded user and what it must keep: its groups, its licence and its addresses.
#[derive(Debug, Clone)]
pub(crate) struct Seeded {
    pub(crate) id: UserId,
    pub(crate) upn: String,
    pub(crate) groups: Vec<GroupId>,
    pub(crate) sku: SkuId,
    pub(crate) address_keys: Vec<String>,
}

/// An initialised organisation with groups and one subscription.
#[derive(Debug, Clone)]
pub(crate) struct Seeder {
    pub(crate) directory: Directory,
    store: Arc<dyn Store>,
    hash: PasswordHash,
    groups: Vec<GroupId>,
    sku: SkuId,
}

impl Seeder {
    pub(crate) async fn new(store: Arc<dyn Store>) -> Seeder {
        let directory = Directory::new(store.clone(), Arc::new(SystemClock));
        let domain = DomainName::parse(DOMAIN).unwrap();
        directory.initialize("Faults", domain).await.expect("initialised");
        let system = Caller::system();
        let mut groups = Vec::new();
        for n in 0..GROUPS {
            let group = NewGroup::new(&format!("Fault group {n}"), &format!("faultgroup{n}"));
            groups.push(directory.create_group(&system, group).await.unwrap().id);
        }
        let sku = NewSku {
            id: None,
            part_number: "ENTERPRISEPACK".into(),
            prepaid_units: 1_000_000,
            service_plans: Vec::new(),
        };
        let sku = directory.add_subscription(&system, sku).await.unwrap().id;
        let hash = password::hash(&Password::generate());
        Seeder {
            directory,
            store,
            hash,
            groups,
            sku,
        }
    }

    /// A Global Administrator bearer token, valid for a day.
    pub(crate) async fn token(&self) -> String {
        let roles = RoleSet::new([AdminRole::GlobalAdministrator]);
        let issued = self
            .directory
            .issue_service_token(&Caller::system(), "faults", roles, Duration::days(1))
            .await
            .unwrap();
        issued.secret.expose().to_owned()
    }

    /// Gives a seeded user an admin role through the storage port; a deleted user keeps it.
    pub(crate) async fn grant(&self, user: &Seeded, role: AdminRole) {
        let mut tx = self.store.begin().await.unwrap();
        tx.assign_role(user.id, role).await.unwrap();
        tx.commit().await.unwrap();
    }

    /// Sets the tenant's retention of deleted users.
    pub(crate) async fn set_retention(&self, retention: Duration) {
        let settings = TenantSettings {
            retention: Some(Retention::new(retention).unwrap()),
            ..TenantSettings::default()
        };
        self.directory.update_tenant(&Caller::system(), settings).await.unwrap();
    }

    /// Active users `<prefix>-NNNNN`.
    pub(crate) async fn live(&self, prefix: &str, count: usize) -> Vec<Seeded> {
        self.write(prefix, count, None, true).await
    }

    /// Users `<prefix>-NNNNN` in the recycle bin, deleted `ago` before now.
    pub(crate) async fn deleted(&self, prefix: &str, count: usize, ago: Duration) -> Vec<Seeded> {
        self.write(prefix, count, Some(self.directory.now() - ago), true).await
    }

    /// A larger population for tests run at size: `count` users, a quarter of them
    /// `<binned>-NNNNN` in the bin (deleted `ago` before now), the rest `<live>-NNNNN`
    /// active. Returns how many of each (active, deleted).
    pub(crate) async fn population(&self, (live, binned): (&str, &str), count: usize, ago: Duration) -> (u64, u64) {
        let deleted = count / 4;
        self.live(live, count - deleted).await;
        self.deleted(binned, deleted, ago).await;
        ((count - deleted) as u64, deleted as u64)
    }

    /// Like [`Seeder::deleted`], but without addresses: only the UPN can be contested.
    pub(crate) async fn deleted_without_addresses(&self, prefix: &str, count: usize) -> Vec<Seeded> {
        let at = self.directory.now() - Duration::minutes(1);
        self.write(prefix, count, Some(at), false).await
    }

    async fn write(&self, prefix: &str, count: usize, deleted_at: Option<Timestamp>, addresses: bool) -> Vec<Seeded> {
        let mut seeded = Vec::with_capacity(count);
        for first in (0..count).step_by(USERS_PER_TX) {
            let mut tx = self.store.begin().await.unwrap();
            for n in first..count.min(first + USERS_PER_TX) {
                let mut user = user(prefix, n, self.directory.now());
                if !addresses {
                    user.proxy_addresses = ProxyAddresses::default();
                }
                seeded.push(self.write_user(&mut *tx, user, n, deleted_at).await);
            }
            tx.commit().await.unwrap();
        }
        seeded
    }

    async fn write_user(&self, tx: &mut dyn Tx, user: User, n: usize, deleted_at: Option<Timestamp>) -> Seeded {
        let groups = vec![self.groups[n % GROUPS], self.groups[(n + 1) % GROUPS]];
        tx.insert_user(&user, &self.hash).await.unwrap();
        for group in &groups {
            tx.add_member(*group, user.id).await.unwrap();
        }
        let license = LicenseAssignment {
            sku_id: self.sku,
            disabled_plans: Vec::new(),
        };
        tx.add_license(user.id, &license).await.unwrap();
        // A deleted user takes its seat first, and the soft delete frees it, as in life.
        assert!(tx.take_seat(self.sku, true).await.unwrap());
        if let Some(at) = deleted_at {
            assert!(tx.soft_delete_user(user.id, at, false).await.unwrap());
        }
        let mut address_keys = user.proxy_addresses.keys();
        address_keys.sort();
        Seeded {
            id: user.id,
            upn: user.upn.to_string(),
            groups: sorted(groups),
            sku: self.sku,
            address_keys,
        }
    }
}

pub(crate) fn sorted(mut groups: Vec<GroupId>) -> Vec<GroupId> {
    groups.sort_by_key(|group| group.as_uuid());
    groups
}

fn user(prefix: &str, n: usize, now: Timestamp) -> User {
    let alias = format!("{prefix}-{n:05}");
    let upn = UserPrincipalName::parse(&format!("{alias}@{DOMAIN}")).unwrap();
    let mut user = User::new(upn, &format!("{prefix} {n:05}"), now);
    user.proxy_addresses = ProxyAddresses::new(vec![
        ProxyAddress::primary(EmailAddress::parse(&format!("{alias}@{DOMAIN}")).unwrap()),
        ProxyAddress::secondary(EmailAddress::parse(&format!("{alias}.alias@{DOMAIN}")).unwrap()),
    ])
    .unwrap();
    user
}
