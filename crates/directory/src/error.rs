//! The one public table of error codes, and the domain's error type.
//!
//! Every failure a use case can report carries a [`Code`]: a stable, documented name that
//! clients may branch on. Each protocol (Graph, SCIM, the admin center, the CLI) renders a
//! code in its own dialect from its [`Kind`]; none of them matches on [`Error`] variants.

use crate::store::StoreError;
use std::fmt;

/// How a failure is classified, independent of any protocol. Protocols map this to their
/// own status codes (for HTTP: 400, 403, 404, 409, 401, 503, 500).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Invalid,
    NotFound,
    Conflict,
    Forbidden,
    Unauthenticated,
    Unavailable,
    /// Too many attempts from one place: retry after a while (HTTP 429).
    Throttled,
    Internal,
}

macro_rules! codes {
    ($($variant:ident => $name:literal, $kind:ident, $doc:literal;)*) => {
        /// Stable public error codes. The string form never changes once released.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Code {
            $(#[doc = $doc] $variant,)*
        }

        impl Code {
            /// Every code, in table order (for documentation and exhaustive tests).
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $name,)* }
            }

            pub fn kind(self) -> Kind {
                match self { $(Code::$variant => Kind::$kind,)* }
            }

            pub fn description(self) -> &'static str {
                match self { $(Code::$variant => $doc,)* }
            }
        }
    };
}

codes! {
    InvalidValue => "invalid_value", Invalid, "A value does not have the required form.";
    InvalidUserPrincipalName => "invalid_user_principal_name", Invalid,
        "The user principal name breaks the character or length rules.";
    UnverifiedDomain => "unverified_domain", Invalid,
        "The domain is not one of the organisation's verified domains.";
    InvalidProxyAddress => "invalid_proxy_address", Invalid,
        "A proxy address is malformed, or the set has no single SMTP primary.";
    WeakPassword => "weak_password", Invalid,
        "The password does not meet the password policy.";
    UsageLocationRequired => "usage_location_required", Invalid,
        "A licence cannot be assigned to a user without a usage location.";
    NoLicenseSeats => "no_license_seats", Invalid,
        "The subscription has no free seat for another assignment.";
    SyncedObjectReadOnly => "synced_object_read_only", Invalid,
        "The object is mastered by on-premises directory sync and cannot be changed here.";
    UserPrincipalNameConflict => "user_principal_name_conflict", Conflict,
        "Another active user already holds this user principal name.";
    ProxyAddressConflict => "proxy_address_conflict", Conflict,
        "Another object, active or deleted, already holds this e-mail address.";
    AlreadyExists => "already_exists", Conflict,
        "The object or link already exists.";
    NotFound => "not_found", NotFound,
        "The object does not exist, was purged, or is in the other state (active or deleted).";
    Forbidden => "forbidden", Forbidden,
        "The caller's roles do not allow this operation on this target.";
    Unauthenticated => "unauthenticated", Unauthenticated,
        "No valid credentials were presented, or they expired or were revoked.";
    AccountLocked => "account_locked", Unauthenticated,
        "Too many failed sign-ins: sign-in with a password is locked for a while.";
    AddressThrottled => "address_throttled", Throttled,
        "Too many failed sign-ins from this network address: password sign-in from it is paused for a while.";
    NotInitialized => "not_initialized", Unavailable,
        "The directory has no tenant yet; run `roster init` or start `roster serve` once.";
    AlreadyInitialized => "already_initialized", Conflict,
        "The directory already has a tenant.";
    Unavailable => "unavailable", Unavailable,
        "The database is unreachable or busy; retry later.";
    Internal => "internal", Internal,
        "An unexpected failure; the server log has the details.";
    PasswordLinkInvalid => "password_link_invalid", NotFound,
        "The set-password link is unknown, expired or already used.";
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Who holds a contested name, so an error can say *who* (Microsoft's never does).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holder {
    pub object_id: uuid::Uuid,
    pub kind: crate::address::OwnerKind,
    pub deleted: bool,
}

/// A failure of a domain use case. Variants carry what a client needs to fix the problem.
#[derive(Debug, Clone, thiserror::Error)]
pub enum Error {
    #[error("{message}")]
    Invalid {
        code: Code,
        message: String,
        target: Option<&'static str>,
    },
    #[error("user principal name {upn} is held by another active user")]
    UpnTaken { upn: String, holder: Option<Holder> },
    #[error("address {address} is held by another object")]
    AddressTaken { address: String, holder: Option<Holder> },
    #[error("{what} already exists")]
    AlreadyExists { what: String },
    #[error("resource '{id}' does not exist")]
    NotFound { id: String },
    #[error("insufficient privileges to complete the operation")]
    Forbidden { reason: &'static str },
    #[error("not authenticated")]
    Unauthenticated,
    #[error("sign-in is locked until {until}")]
    Locked { until: crate::clock::Timestamp },
    #[error("sign-in from this address is paused until {until}")]
    AddressThrottled { until: crate::clock::Timestamp },
    #[error("the directory is not initialised")]
    NotInitialized,
    #[error("the directory is already initialised")]
    AlreadyInitialized,
    #[error("storage: {0}")]
    Store(#[from] StoreError),
}

impl Error {
    pub fn code(&self) -> Code {
        match self {
            Error::Invalid { code, .. } => *code,
            Error::UpnTaken { .. } => Code::UserPrincipalNameConflict,
            Error::AddressTaken { .. } => Code::ProxyAddressConflict,
            Error::AlreadyExists { .. } => Code::AlreadyExists,
            Error::NotFound { .. } => Code::NotFound,
            Error::Forbidden { .. } => Code::Forbidden,
            Error::Unauthenticated => Code::Unauthenticated,
            Error::Locked { .. } => Code::AccountLocked,
            Error::AddressThrottled { .. } => Code::AddressThrottled,
            Error::NotInitialized => Code::NotInitialized,
            Error::AlreadyInitialized => Code::AlreadyInitialized,
            Error::Store(StoreError::Unavailable(_)) => Code::Unavailable,
            Error::Store(StoreError::Conflict(_)) => Code::AlreadyExists,
            Error::Store(StoreError::Other(_)) => Code::Internal,
        }
    }

    pub fn kind(&self) -> Kind {
        self.code().kind()
    }

    /// The property a validation or conflict error is about, as Graph names it.
    pub fn target(&self) -> Option<&'static str> {
        match self {
            Error::Invalid { target, .. } => *target,
            Error::UpnTaken { .. } => Some("userPrincipalName"),
            Error::AddressTaken { .. } => Some("proxyAddresses"),
            _ => None,
        }
    }

    pub(crate) fn invalid(code: Code, target: &'static str, message: impl Into<String>) -> Self {
        Error::Invalid {
            code,
            message: message.into(),
            target: Some(target),
        }
    }

    pub(crate) fn not_found(id: impl fmt::Display) -> Self {
        Error::NotFound { id: id.to_string() }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn public_code_names_are_unique_snake_case() {
        let names: HashSet<_> = Code::ALL.iter().map(|code| code.as_str()).collect();
        assert_eq!(names.len(), Code::ALL.len());
        for name in names {
            assert!(name.chars().all(|c| c.is_ascii_lowercase() || c == '_'), "{name}");
        }
    }
}
