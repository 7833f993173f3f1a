//! Seeding a directory fast, through the storage port: every user shares one password
//! hash computed once (hashing 100,000 passwords would take longer than the benchmark),
//! users are written a thousand per transaction, and users in the recycle bin get
//! deletion times in the past. The domain's use cases create the tenant, the token, the
//! groups and the subscriptions; the users themselves are written as the use cases would
//! write them (addresses reserved, seats taken, former groups remembered).

use anyhow::{Context, Result};
use directory::address::{EmailAddress, ProxyAddress, ProxyAddresses};
use directory::group::NewGroup;
use directory::ids::{GroupId, SkuId, UserId};
use directory::license::{LicenseAssignment, NewSku};
use directory::password::{self, Password, PasswordHash};
use directory::role::{AdminRole, RoleSet};
use directory::store::{Store, Tx};
use directory::tenant::{Retention, TenantSettings};
use directory::upn::{DomainName, UserPrincipalName};
use directory::user::{UsageLocation, User};
use directory::{Caller, Directory, SystemClock, Timestamp};
use std::sync::Arc;
use time::Duration;

pub(crate) const DOMAIN: &str = "bench.example.com";
const GROUPS: usize = 20;
const USERS_PER_TX: usize = 1000;
/// Write transactions in flight while seeding (PostgreSQL uses them; SQLite queues them).
const PARALLEL_TXS: usize = 4;
/// How long before now the recycle bin's seeded users were deleted: more than the
/// retention the purge measurement sets, far less than the default 30 days.
pub(crate) const BIN_AGE: Duration = Duration::hours(2);

/// How long before [`BIN_AGE`] ago user `n` of the bin was deleted: distinct for every
/// `n` below [`DELETION_SPREAD_MS`] and spread over that many milliseconds (about 17
/// minutes) in an order unrelated to `n`, as deletion times are unrelated to names in a
/// real bin. (Until 2026-11-26 user `n` was deleted `n` ms before, so a name prefix picked
/// the newest deletions: every match of `startsWith(displayName,'Gone 00')` came after
/// every other entry in the bin's default order, that filter's worst case.)
fn deletion_offset(n: usize) -> Duration {
    let spread = u64::try_from(n).unwrap_or(u64::MAX).wrapping_mul(DELETION_STRIDE) % DELETION_SPREAD_MS;
    Duration::milliseconds(i64::try_from(spread).unwrap_or(i64::MAX))
}

/// A prime: `n × stride mod spread` is a permutation of `0..spread`.
const DELETION_SPREAD_MS: u64 = 1_000_003;
const DELETION_STRIDE: u64 = 7_919;

/// The seeded directory: the store, the shared hash, and what users are linked to.
#[derive(Debug, Clone)]
pub(crate) struct Seeder {
    pub(crate) directory: Directory,
    store: Arc<dyn Store>,
    hash: PasswordHash,
    groups: Vec<GroupId>,
    skus: Vec<SkuId>,
    started: Timestamp,
}

/// Users of one kind, numbered from `first`.
#[derive(Debug, Clone, Copy)]
struct Batch {
    prefix: &'static str,
    first: usize,
    count: usize,
    deleted: bool,
}

impl Seeder {
    /// Initialises the organisation with groups and two subscriptions.
    pub(crate) async fn new(store: Arc<dyn Store>) -> Result<Self> {
        let directory = Directory::new(store.clone(), Arc::new(SystemClock));
        let domain = DomainName::parse(DOMAIN)?;
        directory
            .initialize("Bench", domain)
            .await
            .context("cannot initialise")?;
        let system = Caller::system();
        let mut groups = Vec::new();
        for n in 0..GROUPS {
            let group = NewGroup::new(&format!("Bench group {n:02}"), &format!("group{n:02}"));
            groups.push(directory.create_group(&system, group).await?.id);
        }
        let mut skus = Vec::new();
        for part_number in ["ENTERPRISEPACK", "EMS"] {
            let sku = NewSku {
                id: None,
                part_number: part_number.into(),
                prepaid_units: 10_000_000,
                service_plans: Vec::new(),
            };
            skus.push(directory.add_subscription(&system, sku).await?.id);
        }
        let hash = password::hash(&Password::generate());
        let started = directory.now();
        Ok(Seeder {
            directory,
            store,
            hash,
            groups,
            skus,
            started,
        })
    }

    /// Bearer tokens acting as Global Administrator, one per client worker (the server
    /// throttles per token).
    pub(crate) async fn tokens(&self, count: usize) -> Result<Vec<String>> {
        let roles = RoleSet::new([AdminRole::GlobalAdministrator]);
        let mut tokens = Vec::with_capacity(count);
        for n in 0..count {
            let issued = self
                .directory
                .issue_service_token(
                    &Caller::system(),
                    &format!("bench {n}"),
                    roles.clone(),
                    Duration::days(1),
                )
                .await?;
            tokens.push(issued.secret.expose().to_owned());
        }
        Ok(tokens)
    }

    /// Active users `live-NNNNNN` numbered `first..first + count`.
    pub(crate) async fn live_users(&self, first: usize, count: usize) -> Result<Vec<UserId>> {
        self.write(Batch {
            prefix: "live",
            first,
            count,
            deleted: false,
        })
        .await
    }

    /// Users `gone-NNNNNN` in the recycle bin, deleted [`BIN_AGE`] ago or earlier.
    pub(crate) async fn deleted_users(&self, first: usize, count: usize) -> Result<Vec<UserId>> {
        self.write(Batch {
            prefix: "gone",
            first,
            count,
            deleted: true,
        })
        .await
    }

    /// A Global Administrator `alias` who signs in to the admin center with `password`;
    /// returns its user principal name.
    pub(crate) async fn admin(&self, alias: &str, password: &str) -> Result<String> {
        let upn = UserPrincipalName::parse(&format!("{alias}@{DOMAIN}"))?;
        let new = directory::user::NewUser::new(upn.clone(), "Page Admin", Password::parse(password, None)?);
        let user = self.directory.create_user(&Caller::system(), new).await?;
        self.directory
            .assign_role(&Caller::system(), user.id, AdminRole::GlobalAdministrator)
            .await?;
        Ok(upn.to_string())
    }

    /// Sets the tenant's retention (the purge measurement shortens it).
    pub(crate) async fn set_retention(&self, retention: Duration) -> Result<()> {
        let settings = TenantSettings {
            retention: Some(Retention::new(retention)?),
            ..TenantSettings::default()
        };
        self.directory.update_tenant(&Caller::system(), settings).await?;
        Ok(())
    }

    /// How many rows the bin keeps once every user past `retention` is purged. Read once
    /// before waiting for the purge, so that the wait polls only the bin's size (one row)
    /// rather than looking for expired users, which scans the bin's index on every poll
    /// and takes a core from the server it measures.
    pub(crate) async fn bin_rows_after_purge(&self, retention: Duration) -> Result<u64> {
        let cutoff = self.directory.now() - retention;
        let mut tx = self.store.read().await?;
        Ok(tx.count_deleted_users(cutoff).await?)
    }

    /// How many rows are in the bin, expired or not.
    pub(crate) async fn bin_rows(&self) -> Result<u64> {
        let mut tx = self.store.read().await?;
        Ok(tx.count_deleted_users(Timestamp::UNIX_EPOCH).await?)
    }

    async fn write(&self, batch: Batch) -> Result<Vec<UserId>> {
        let mut ids = Vec::with_capacity(batch.count);
        let mut tasks = tokio::task::JoinSet::new();
        let chunks: Vec<Batch> = (0..batch.count)
            .step_by(USERS_PER_TX)
            .map(|offset| Batch {
                first: batch.first + offset,
                count: USERS_PER_TX.min(batch.count - offset),
                ..batch
            })
            .collect();
        let mut results = Vec::new();
        // Deleting users frees seats: every chunk of deleted users updates the same SKU rows,
        // so such chunks are written one at a time rather than queue on those rows' locks.
        let parallel = if batch.deleted { 1 } else { PARALLEL_TXS };
        for chunk in chunks {
            if tasks.len() >= parallel
                && let Some(done) = tasks.join_next().await
            {
                results.push(done??);
            }
            let seeder = self.clone();
            tasks.spawn(async move { seeder.write_chunk(chunk).await.map(|ids| (chunk.first, ids)) });
        }
        while let Some(done) = tasks.join_next().await {
            results.push(done??);
        }
        results.sort_by_key(|(first, _)| *first);
        for (_, chunk_ids) in results {
            ids.extend(chunk_ids);
        }
        Ok(ids)
    }

    async fn write_chunk(&self, batch: Batch) -> Result<Vec<UserId>> {
        let mut tx = self.store.begin().await?;
        let mut ids = Vec::with_capacity(batch.count);
        for n in batch.first..batch.first + batch.count {
            ids.push(self.write_user(&mut *tx, batch, n).await?);
        }
        // Then every seat the chunk takes, SKU by SKU in one order (chunks written in
        // parallel lock the SKU rows in the same order), and the deletes, which free their
        // users' seats, as in life.
        for (index, sku) in self.skus.iter().enumerate() {
            let users = (batch.first..batch.first + batch.count)
                .filter(|n| n % self.skus.len() == index)
                .count();
            for _ in 0..users {
                tx.take_seat(*sku, true).await?;
            }
        }
        if batch.deleted {
            for (n, id) in (batch.first..).zip(&ids) {
                tx.soft_delete_user(*id, self.started - BIN_AGE - deletion_offset(n), false)
                    .await?;
            }
        }
        tx.commit().await?;
        Ok(ids)
    }

    async fn write_user(&self, tx: &mut dyn Tx, batch: Batch, n: usize) -> Result<UserId> {
        let user = self.user(batch.prefix, n)?;
        let id = user.id;
        tx.insert_user(&user, &self.hash).await?;
        for group in [self.groups[n % GROUPS], self.groups[(n + 7) % GROUPS]] {
            tx.add_member(group, id).await?;
        }
        let sku = self.skus[n % self.skus.len()];
        tx.add_license(
            id,
            &LicenseAssignment {
                sku_id: sku,
                disabled_plans: Vec::new(),
            },
        )
        .await?;
        Ok(id)
    }

    fn user(&self, prefix: &str, n: usize) -> Result<User> {
        let alias = format!("{prefix}-{n:06}");
        let upn = UserPrincipalName::parse(&format!("{alias}@{DOMAIN}"))?;
        let mut title = prefix.to_owned();
        title[..1].make_ascii_uppercase();
        let mut user = User::new(upn, &format!("{title} {n:06}"), self.started);
        user.proxy_addresses = ProxyAddresses::new(vec![
            ProxyAddress::primary(EmailAddress::parse(&format!("{alias}@{DOMAIN}"))?),
            ProxyAddress::secondary(EmailAddress::parse(&format!("{alias}.alias@{DOMAIN}"))?),
        ])?;
        user.usage_location = Some(UsageLocation::parse("NL")?);
        user.job_title = Some("Engineer".into());
        user.department = Some(format!("Department {:02}", n % 10));
        Ok(user)
    }
}
