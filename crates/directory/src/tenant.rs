//! The organisation an instance serves: its name, verified domains, how long deleted users
//! stay restorable, and what happens to licences without a free seat on restore.

use crate::address::{EmailAddress, ProxyAddresses};
use crate::audit::AuditAction;
use crate::caller::{Caller, Permission};
use crate::clock::Timestamp;
use crate::directory::{Directory, Target, audit_event, tenant_in};
use crate::error::{Code, Error};
use crate::password::Password;
use crate::role::AdminRole;
use crate::store::StoreError;
use crate::upn::{DomainName, UserPrincipalName};
use crate::user::User;
use time::Duration;

/// How long a deleted user stays in the recycle bin. Default 30 days; any positive
/// duration up to ten years, so an operator can shorten it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention(Duration);

impl Retention {
    pub const DEFAULT: Retention = Retention(Duration::days(30));

    pub fn new(duration: Duration) -> Result<Self, Error> {
        if duration <= Duration::ZERO || duration > Duration::days(3650) {
            return Err(Error::invalid(
                Code::InvalidValue,
                "retention",
                "the retention period must be longer than zero and at most 3650 days",
            ));
        }
        Ok(Retention(duration))
    }

    pub fn duration(self) -> Duration {
        self.0
    }

    /// Parses `30d`, `12h`, `90m`, `45s` or a plain number of days.
    pub fn parse(text: &str) -> Result<Self, Error> {
        let text = text.trim();
        let (number, unit) = match text.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
            Some((at, _)) => text.split_at(at),
            None => (text, "d"),
        };
        let invalid = || {
            Error::invalid(
                Code::InvalidValue,
                "retention",
                format!("'{text}' is not a duration such as 30d, 12h, 90m or 45s"),
            )
        };
        let count: i64 = number.parse().map_err(|_| invalid())?;
        let duration = match unit {
            "d" => Duration::days(count),
            "h" => Duration::hours(count),
            "m" => Duration::minutes(count),
            "s" => Duration::seconds(count),
            _ => return Err(invalid()),
        };
        Retention::new(duration)
    }
}

/// What a restore does with a licence whose SKU has no free seat.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LicenseOverage {
    /// Restore the user without that licence and report it (Roster's default).
    #[default]
    Refuse,
    /// Re-apply it anyway, so consumed units may exceed the seats bought (Entra's behaviour).
    Allow,
}

impl LicenseOverage {
    pub fn as_str(self) -> &'static str {
        match self {
            LicenseOverage::Refuse => "refuse",
            LicenseOverage::Allow => "allow",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "refuse" => Some(LicenseOverage::Refuse),
            "allow" => Some(LicenseOverage::Allow),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tenant {
    pub id: uuid::Uuid,
    pub name: String,
    /// Verified domains; the first is the initial domain given at `roster init`.
    pub domains: Vec<DomainName>,
    pub retention: Retention,
    pub license_overage: LicenseOverage,
    pub created_at: Timestamp,
}

impl Tenant {
    pub fn is_verified(&self, domain: &DomainName) -> bool {
        self.domains.contains(domain)
    }

    pub fn initial_domain(&self) -> &DomainName {
        &self.domains[0]
    }

    /// When a user deleted at `deleted_at` is purged; it is restorable strictly before.
    pub fn purge_at(&self, deleted_at: Timestamp) -> Timestamp {
        deleted_at + self.retention.duration()
    }
}

/// Settings an operator may change after `init`.
#[derive(Debug, Clone, Default)]
pub struct TenantSettings {
    pub name: Option<String>,
    pub retention: Option<Retention>,
    pub license_overage: Option<LicenseOverage>,
}

/// What `roster init` (or the first `roster serve`) creates.
#[derive(Debug)]
pub struct Initialized {
    pub tenant: Tenant,
    /// The first Global Administrator, `admin@<domain>`.
    pub admin: User,
    /// Its generated password, to print once; it must be changed at first sign-in.
    pub admin_password: Password,
}

impl Directory {
    /// Creates the tenant and its first Global Administrator. Fails with
    /// [`Error::AlreadyInitialized`] when a tenant exists, also when another process
    /// initialised the same database a moment earlier.
    pub async fn initialize(&self, name: &str, domain: DomainName) -> Result<Initialized, Error> {
        let caller = self.system_caller();
        let name = crate::user::text_property("name", name, 256)?;
        let admin_password = Password::generate();
        let hash = crate::password::hash_blocking(admin_password.clone()).await?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        if tx.tenant().await?.is_some() {
            return Err(Error::AlreadyInitialized);
        }
        let tenant = Tenant {
            id: uuid::Uuid::now_v7(),
            name,
            domains: vec![domain.clone()],
            retention: Retention::DEFAULT,
            license_overage: LicenseOverage::Refuse,
            created_at: now,
        };
        tx.insert_tenant(&tenant).await.map_err(|error| match error {
            StoreError::Conflict(_) => Error::AlreadyInitialized,
            other => Error::Store(other),
        })?;
        let admin = first_admin(&domain, now)?;
        tx.insert_user(&admin, &hash).await?;
        tx.assign_role(admin.id, AdminRole::GlobalAdministrator).await?;
        let target = Target::new(tenant.id, &tenant.name);
        let mut event = audit_event(&caller, now, AuditAction::InitializeTenant, target);
        event.details.push(("domain".into(), domain.to_string()));
        tx.append_audit(&event).await?;
        let event = audit_event(&caller, now, AuditAction::AddUser, Target::new(admin.id, &admin.upn));
        tx.append_audit(&event).await?;
        tx.commit().await?;
        Ok(Initialized {
            tenant,
            admin,
            admin_password,
        })
    }

    /// The tenant, or [`Error::NotInitialized`]. Any authenticated caller may read it.
    pub async fn tenant(&self) -> Result<Tenant, Error> {
        let mut tx = self.store.read().await?;
        tenant_in(&mut *tx).await
    }

    /// Adds a verified domain.
    pub async fn add_domain(&self, caller: &Caller, domain: DomainName) -> Result<Tenant, Error> {
        caller.authorize(Permission::ManageTenant)?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let mut tenant = tenant_in(&mut *tx).await?;
        if tenant.is_verified(&domain) {
            return Err(Error::AlreadyExists {
                what: format!("domain {domain}"),
            });
        }
        tenant.domains.push(domain.clone());
        tx.update_tenant(&tenant).await?;
        let event = audit_event(caller, now, AuditAction::AddDomain, Target::new(tenant.id, &domain));
        tx.append_audit(&event).await?;
        tx.commit().await?;
        Ok(tenant)
    }

    /// Changes the name, the retention period or the licence-overage policy. A shorter
    /// retention applies at once to users already in the recycle bin.
    pub async fn update_tenant(&self, caller: &Caller, settings: TenantSettings) -> Result<Tenant, Error> {
        caller.authorize(Permission::ManageTenant)?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let mut tenant = tenant_in(&mut *tx).await?;
        let mut event = audit_event(
            caller,
            now,
            AuditAction::UpdateTenant,
            Target::new(tenant.id, &tenant.name),
        );
        if let Some(name) = settings.name {
            tenant.name = crate::user::text_property("name", &name, 256)?;
            event.details.push(("name".into(), tenant.name.clone()));
        }
        if let Some(retention) = settings.retention {
            tenant.retention = retention;
            let seconds = retention.duration().whole_seconds();
            event.details.push(("retentionSeconds".into(), seconds.to_string()));
        }
        if let Some(policy) = settings.license_overage {
            tenant.license_overage = policy;
            event.details.push(("licenseOverage".into(), policy.as_str().into()));
        }
        if event.details.is_empty() {
            // Nothing to change, so nothing is written or audited.
            return Ok(tenant);
        }
        tx.update_tenant(&tenant).await?;
        tx.append_audit(&event).await?;
        tx.commit().await?;
        Ok(tenant)
    }
}

fn first_admin(domain: &DomainName, now: Timestamp) -> Result<User, Error> {
    let upn = UserPrincipalName::from_parts("admin", domain)?;
    let mut admin = User::new(upn, "Administrator", now);
    admin.proxy_addresses = ProxyAddresses::with_primary(EmailAddress::from(&admin.upn));
    admin.force_change_password = true;
    Ok(admin)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retention_parses_units_and_refuses_nonsense() {
        assert_eq!(Retention::parse("30").unwrap(), Retention::DEFAULT);
        assert_eq!(Retention::parse("12h").unwrap().duration(), Duration::hours(12));
        assert!(Retention::parse("0d").is_err());
        assert!(Retention::parse("3651d").is_err());
        assert!(Retention::parse("5w").is_err());
        assert!(Retention::parse("").is_err());
    }
}
