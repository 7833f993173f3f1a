//! Users: the Graph user properties that matter for the lifecycle, and the use cases that
//! create, read, change and delete active users.

pub mod address_limit;
pub(crate) mod manage;
pub mod sign_in;

pub use manage::{NewUser, PasswordChoice, UserUpdate};

use crate::address::{EmailAddress, ProxyAddresses};
use crate::clock::Timestamp;
use crate::error::{Code, Error};
use crate::ids::UserId;
use crate::upn::UserPrincipalName;
use std::fmt;

/// An active user. A deleted user is a [`crate::recycle_bin::DeletedUser`], reached through
/// other methods: there is no "include deleted" flag anywhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    pub upn: UserPrincipalName,
    pub display_name: String,
    pub given_name: Option<String>,
    pub surname: Option<String>,
    pub mail_nickname: String,
    /// `mail` is the primary SMTP address in here.
    pub proxy_addresses: ProxyAddresses,
    pub other_mails: Vec<EmailAddress>,
    pub account_enabled: bool,
    pub usage_location: Option<UsageLocation>,
    pub preferred_language: Option<String>,
    pub job_title: Option<String>,
    pub department: Option<String>,
    pub manager_id: Option<UserId>,
    pub created_at: Timestamp,
    pub on_premises_sync_enabled: Option<bool>,
    pub force_change_password: bool,
}

impl User {
    /// A new, enabled user with no addresses and every optional property empty; the
    /// mail nickname is the UPN's alias.
    pub fn new(upn: UserPrincipalName, display_name: &str, created_at: Timestamp) -> Self {
        User {
            id: UserId::generate(),
            display_name: display_name.to_owned(),
            given_name: None,
            surname: None,
            mail_nickname: upn.local().to_owned(),
            proxy_addresses: ProxyAddresses::default(),
            other_mails: Vec::new(),
            account_enabled: true,
            usage_location: None,
            preferred_language: None,
            job_title: None,
            department: None,
            manager_id: None,
            created_at,
            on_premises_sync_enabled: None,
            force_change_password: false,
            upn,
        }
    }

    pub fn mail(&self) -> Option<&EmailAddress> {
        self.proxy_addresses.mail()
    }

    pub fn is_synced(&self) -> bool {
        self.on_premises_sync_enabled == Some(true)
    }
}

/// An ISO 3166-1 alpha-2 country code, upper case. Needed before any licence is assigned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageLocation(String);

impl UsageLocation {
    pub fn parse(text: &str) -> Result<Self, Error> {
        if text.len() == 2 && text.chars().all(|c| c.is_ascii_alphabetic()) {
            Ok(UsageLocation(text.to_ascii_uppercase()))
        } else {
            Err(Error::invalid(
                Code::InvalidValue,
                "usageLocation",
                format!("'{text}' is not a two-letter country code"),
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for UsageLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A free-text property: trimmed, non-empty, without control characters, bounded.
pub(crate) fn text_property(target: &'static str, value: &str, max: usize) -> Result<String, Error> {
    let value = value.trim();
    if value.is_empty() || value.chars().count() > max || value.chars().any(char::is_control) {
        return Err(Error::invalid(
            Code::InvalidValue,
            target,
            format!("Invalid value specified for property '{target}': it must have 1 to {max} characters."),
        ));
    }
    Ok(value.to_owned())
}

/// A mail nickname: 1 to 64 ASCII characters without spaces or `@ ( ) \ [ ] " ; : < > ,`.
pub(crate) fn mail_nickname(value: &str) -> Result<String, Error> {
    let ok = (1..=64).contains(&value.len())
        && value
            .chars()
            .all(|c| c.is_ascii_graphic() && !"@()\\[]\";:<>,".contains(c));
    if !ok {
        return Err(Error::invalid(
            Code::InvalidValue,
            "mailNickname",
            "Invalid value specified for property 'mailNickname' of resource 'User'.",
        ));
    }
    Ok(value.to_owned())
}
