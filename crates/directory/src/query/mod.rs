//! Queries over users, active or deleted: a typed, backend-neutral condition tree, one sort
//! key with the id as tie-breaker, keyset cursors and pages.
//!
//! Text matching is case-insensitive. Every text value in a query is a [`TextKey`], lower-cased
//! here with [`str::to_lowercase`]; the stores keep the same key of each text property
//! ([`text_key`]) and compare keys with keys, byte-wise, so both backends agree on every
//! character (`"Émile"` included). Column names never come from a client: a store maps each
//! [`Field`] to its column with a fixed `match`.
//!
//! Null follows OData's two-valued logic: a comparison with a property that is null is false
//! (`ne` is true), and `not` flips that, so `not (givenName eq 'x')` includes users without a
//! given name.
//!
//! - `condition`: the condition tree, its checks, and a plain-Rust evaluator that tests
//!   compare the stores with.
//! - `sort`: the sort key, keyset cursors, the query itself and its pages.

mod condition;
mod sort;

pub use condition::{Comparison, Condition, MAX_WORDS, TextTest, WORD_SEPARATORS};
pub(crate) use sort::deleted_cursor;
pub use sort::{Cursor, MAX_PAGE_SIZE, Page, Sort, SortKey, SortValue, UserQuery};

use crate::clock::{Timestamp, normalize};
use crate::error::{Code, Error};
use crate::ids::UserId;
use crate::recycle_bin::DeletedUser;
use crate::user::User;
use std::fmt;
use uuid::Uuid;

/// The case-insensitive key of a text value: its lower-case form. Stores write exactly this
/// for every keyed property, and queries compare against it.
pub fn text_key(text: &str) -> String {
    text.to_lowercase()
}

/// A text value lower-cased by [`text_key`]; the only way text enters a [`Condition`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TextKey(String);

impl TextKey {
    pub fn new(text: &str) -> Self {
        TextKey(text_key(text))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TextKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a property holds, and so which values and tests apply to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    Text,
    Bool,
    Time,
    Uuid,
    /// A collection of text (proxy addresses), tested only through [`Condition::AnyAddress`].
    TextCollection,
}

/// A user property a query may test. Deleted users have every one; active users'
/// `deletedDateTime` is always null.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    Id,
    UserPrincipalName,
    DisplayName,
    GivenName,
    Surname,
    /// The primary SMTP address.
    Mail,
    MailNickname,
    JobTitle,
    Department,
    UsageLocation,
    AccountEnabled,
    CreatedDateTime,
    DeletedDateTime,
    OnPremisesSyncEnabled,
    ProxyAddresses,
}

impl Field {
    pub const ALL: &'static [Field] = &[
        Field::Id,
        Field::UserPrincipalName,
        Field::DisplayName,
        Field::GivenName,
        Field::Surname,
        Field::Mail,
        Field::MailNickname,
        Field::JobTitle,
        Field::Department,
        Field::UsageLocation,
        Field::AccountEnabled,
        Field::CreatedDateTime,
        Field::DeletedDateTime,
        Field::OnPremisesSyncEnabled,
        Field::ProxyAddresses,
    ];

    /// The Graph property name.
    pub fn name(self) -> &'static str {
        match self {
            Field::Id => "id",
            Field::UserPrincipalName => "userPrincipalName",
            Field::DisplayName => "displayName",
            Field::GivenName => "givenName",
            Field::Surname => "surname",
            Field::Mail => "mail",
            Field::MailNickname => "mailNickname",
            Field::JobTitle => "jobTitle",
            Field::Department => "department",
            Field::UsageLocation => "usageLocation",
            Field::AccountEnabled => "accountEnabled",
            Field::CreatedDateTime => "createdDateTime",
            Field::DeletedDateTime => "deletedDateTime",
            Field::OnPremisesSyncEnabled => "onPremisesSyncEnabled",
            Field::ProxyAddresses => "proxyAddresses",
        }
    }

    /// The field with this Graph name (exact spelling).
    pub fn from_name(name: &str) -> Option<Field> {
        Field::ALL.iter().copied().find(|field| field.name() == name)
    }

    pub fn kind(self) -> FieldKind {
        match self {
            Field::Id => FieldKind::Uuid,
            Field::AccountEnabled | Field::OnPremisesSyncEnabled => FieldKind::Bool,
            Field::CreatedDateTime | Field::DeletedDateTime => FieldKind::Time,
            Field::ProxyAddresses => FieldKind::TextCollection,
            _ => FieldKind::Text,
        }
    }

    /// Whether some users have no value for it.
    pub fn nullable(self) -> bool {
        matches!(
            self,
            Field::GivenName
                | Field::Surname
                | Field::Mail
                | Field::JobTitle
                | Field::Department
                | Field::UsageLocation
                | Field::DeletedDateTime
                | Field::OnPremisesSyncEnabled
        )
    }
}

/// A value to compare a field with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Text(TextKey),
    Bool(bool),
    Time(Timestamp),
    Uuid(Uuid),
    Null,
}

impl Value {
    /// A text value, lower-cased.
    pub fn text(text: &str) -> Self {
        Value::Text(TextKey::new(text))
    }

    /// A time, in UTC and truncated to microseconds as stored.
    pub fn time(at: Timestamp) -> Self {
        Value::Time(normalize(at))
    }

    fn fits(&self, kind: FieldKind) -> bool {
        matches!(
            (self, kind),
            (Value::Text(_), FieldKind::Text)
                | (Value::Bool(_), FieldKind::Bool)
                | (Value::Time(_), FieldKind::Time)
                | (Value::Uuid(_), FieldKind::Uuid)
        )
    }
}

/// A comparison operator.
/// The keys a store keeps for a user's text properties, so that it writes exactly what
/// queries compare with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserKeys {
    pub display_name: String,
    pub given_name: Option<String>,
    pub surname: Option<String>,
    pub mail: Option<String>,
    pub mail_nickname: String,
    pub job_title: Option<String>,
    pub department: Option<String>,
    pub usage_location: Option<String>,
}

impl UserKeys {
    pub fn of(user: &User) -> Self {
        let key = |value: Option<&str>| value.map(text_key);
        UserKeys {
            display_name: text_key(&user.display_name),
            given_name: key(user.given_name.as_deref()),
            surname: key(user.surname.as_deref()),
            mail: user.mail().map(|mail| text_key(&mail.to_string())),
            mail_nickname: text_key(&user.mail_nickname),
            job_title: key(user.job_title.as_deref()),
            department: key(user.department.as_deref()),
            usage_location: key(user.usage_location.as_ref().map(|l| l.as_str())),
        }
    }
}

fn invalid(message: String) -> Error {
    Error::invalid(Code::InvalidValue, "query", message)
}

#[cfg(test)]
mod tests;
