//! The organisation an instance serves: its name, verified domains, how long deleted users
//! stay restorable, and what happens to licences without a free seat on restore.

use crate::clock::Timestamp;
use crate::error::{Code, Error};
use crate::upn::DomainName;
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
