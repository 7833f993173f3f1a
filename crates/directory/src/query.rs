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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
}

/// A test on one text: the whole of it, its start or its end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TextTest {
    Eq(TextKey),
    StartsWith(TextKey),
    EndsWith(TextKey),
}

/// A condition on a user. Build leaves with the checking constructors; `All(vec![])` holds
/// for every user and `Any(vec![])` for none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Condition {
    All(Vec<Condition>),
    Any(Vec<Condition>),
    Not(Box<Condition>),
    /// `field op value`. [`Value::Null`] comes only with `Eq` or `Ne`.
    Compare {
        field: Field,
        op: Comparison,
        value: Value,
    },
    /// A text field starts with a non-empty prefix.
    StartsWith {
        field: Field,
        prefix: TextKey,
    },
    /// A text field ends with a non-empty suffix.
    EndsWith {
        field: Field,
        suffix: TextKey,
    },
    /// `field` equals one of the (non-null) values.
    In {
        field: Field,
        values: Vec<Value>,
    },
    /// Some proxy address (as `prefix:value`, e.g. `smtp:adele@contoso.com`) passes the test.
    AnyAddress(TextTest),
    /// Every word is the start of a word of the text field (`$search`). Words in the text
    /// are separated by [`WORD_SEPARATORS`].
    WordsStartWith {
        field: Field,
        words: Vec<TextKey>,
    },
}

/// What separates the words of a property for [`Condition::WordsStartWith`]:
/// `Adele.Vance@contoso.com` has the words `adele`, `vance`, `contoso` and `com`.
pub const WORD_SEPARATORS: &[char] = &[' ', '.', '@', '_', '-'];

/// The most words one [`Condition::WordsStartWith`] may have (each becomes a few SQL tests).
pub const MAX_WORDS: usize = 16;

fn invalid(message: String) -> Error {
    Error::invalid(Code::InvalidValue, "query", message)
}

fn expect_kind(field: Field, kind: FieldKind) -> Result<(), Error> {
    if field.kind() == kind {
        Ok(())
    } else {
        Err(invalid(format!("'{}' cannot be tested that way", field.name())))
    }
}

impl Condition {
    /// Every user.
    pub fn everything() -> Self {
        Condition::All(Vec::new())
    }

    /// Both conditions, flattening `All`s.
    pub fn and(self, other: Condition) -> Self {
        let mut parts = match self {
            Condition::All(parts) => parts,
            single => vec![single],
        };
        match other {
            Condition::All(more) => parts.extend(more),
            single => parts.push(single),
        }
        if parts.len() == 1 {
            parts.remove(0)
        } else {
            Condition::All(parts)
        }
    }

    pub fn compare(field: Field, op: Comparison, value: Value) -> Result<Self, Error> {
        let null_ok = value == Value::Null && matches!(op, Comparison::Eq | Comparison::Ne);
        if field.kind() == FieldKind::TextCollection || !(null_ok || value.fits(field.kind())) {
            return Err(invalid(format!("'{}' cannot be compared with {value:?}", field.name())));
        }
        if matches!(field.kind(), FieldKind::Bool | FieldKind::Uuid) && !matches!(op, Comparison::Eq | Comparison::Ne) {
            return Err(invalid(format!("'{}' can only be compared for equality", field.name())));
        }
        Ok(Condition::Compare { field, op, value })
    }

    pub fn starts_with(field: Field, prefix: &str) -> Result<Self, Error> {
        expect_kind(field, FieldKind::Text)?;
        Ok(Condition::StartsWith {
            field,
            prefix: non_empty(prefix)?,
        })
    }

    pub fn ends_with(field: Field, suffix: &str) -> Result<Self, Error> {
        expect_kind(field, FieldKind::Text)?;
        Ok(Condition::EndsWith {
            field,
            suffix: non_empty(suffix)?,
        })
    }

    pub fn one_of(field: Field, values: Vec<Value>) -> Result<Self, Error> {
        if values.is_empty() || values.iter().any(|value| !value.fits(field.kind())) {
            return Err(invalid(format!("'{}' cannot be one of {values:?}", field.name())));
        }
        Ok(Condition::In { field, values })
    }

    pub fn any_address(test: TextTest) -> Result<Self, Error> {
        match &test {
            TextTest::StartsWith(key) | TextTest::EndsWith(key) if key.as_str().is_empty() => {
                Err(invalid("an empty address part matches everything".into()))
            }
            _ => Ok(Condition::AnyAddress(test)),
        }
    }

    /// `$search`-style matching: `words` is split at white space and [`WORD_SEPARATORS`].
    pub fn words_start_with(field: Field, words: &str) -> Result<Self, Error> {
        expect_kind(field, FieldKind::Text)?;
        let words: Vec<TextKey> = words
            .split(|c: char| c.is_whitespace() || WORD_SEPARATORS.contains(&c))
            .filter(|word| !word.is_empty())
            .map(TextKey::new)
            .collect();
        if words.is_empty() {
            return Err(invalid("no words to search for".into()));
        }
        if words.len() > MAX_WORDS {
            return Err(invalid(format!(
                "at most {MAX_WORDS} words can be searched for at once"
            )));
        }
        Ok(Condition::WordsStartWith { field, words })
    }

    /// Whether a user (deleted at `deleted_at`, if deleted) satisfies the condition. The
    /// stores evaluate conditions in SQL; this is the reference they are tested against.
    pub fn matches(&self, user: &User, deleted_at: Option<Timestamp>) -> bool {
        match self {
            Condition::All(parts) => parts.iter().all(|part| part.matches(user, deleted_at)),
            Condition::Any(parts) => parts.iter().any(|part| part.matches(user, deleted_at)),
            Condition::Not(inner) => !inner.matches(user, deleted_at),
            Condition::Compare { field, op, value } => {
                let actual = field_value(user, deleted_at, *field);
                match (value, &actual) {
                    (Value::Null, _) => (actual == Value::Null) == (*op == Comparison::Eq),
                    (_, Value::Null) => *op == Comparison::Ne,
                    _ => compare_values(&actual, value).is_some_and(|ordering| holds(*op, ordering)),
                }
            }
            Condition::StartsWith { field, prefix } => {
                text_of(user, deleted_at, *field).is_some_and(|text| text.starts_with(prefix.as_str()))
            }
            Condition::EndsWith { field, suffix } => {
                text_of(user, deleted_at, *field).is_some_and(|text| text.ends_with(suffix.as_str()))
            }
            Condition::In { field, values } => {
                let actual = field_value(user, deleted_at, *field);
                actual != Value::Null && values.contains(&actual)
            }
            Condition::AnyAddress(test) => user.proxy_addresses.iter().any(|address| {
                let key = address.key();
                match test {
                    TextTest::Eq(value) => key == value.as_str(),
                    TextTest::StartsWith(prefix) => key.starts_with(prefix.as_str()),
                    TextTest::EndsWith(suffix) => key.ends_with(suffix.as_str()),
                }
            }),
            Condition::WordsStartWith { field, words } => text_of(user, deleted_at, *field).is_some_and(|text| {
                let own: Vec<&str> = text.split(WORD_SEPARATORS).collect();
                words
                    .iter()
                    .all(|word| own.iter().any(|own| own.starts_with(word.as_str())))
            }),
        }
    }
}

fn non_empty(text: &str) -> Result<TextKey, Error> {
    if text.is_empty() {
        Err(invalid("an empty prefix or suffix matches everything".into()))
    } else {
        Ok(TextKey::new(text))
    }
}

fn holds(op: Comparison, ordering: std::cmp::Ordering) -> bool {
    use std::cmp::Ordering::{Equal, Greater, Less};
    match op {
        Comparison::Eq => ordering == Equal,
        Comparison::Ne => ordering != Equal,
        Comparison::Gt => ordering == Greater,
        Comparison::Ge => ordering != Less,
        Comparison::Lt => ordering == Less,
        Comparison::Le => ordering != Greater,
    }
}

fn compare_values(a: &Value, b: &Value) -> Option<std::cmp::Ordering> {
    match (a, b) {
        // Keys compare byte-wise, as the stores compare them.
        (Value::Text(a), Value::Text(b)) => Some(a.as_str().as_bytes().cmp(b.as_str().as_bytes())),
        (Value::Bool(a), Value::Bool(b)) => Some(a.cmp(b)),
        (Value::Time(a), Value::Time(b)) => Some(a.cmp(b)),
        (Value::Uuid(a), Value::Uuid(b)) => Some(a.cmp(b)),
        _ => None,
    }
}

fn text_of(user: &User, deleted_at: Option<Timestamp>, field: Field) -> Option<String> {
    match field_value(user, deleted_at, field) {
        Value::Text(key) => Some(key.0),
        _ => None,
    }
}

/// The value of a field on a user, text as its key.
fn field_value(user: &User, deleted_at: Option<Timestamp>, field: Field) -> Value {
    let text = |value: Option<&str>| value.map_or(Value::Null, Value::text);
    match field {
        Field::Id => Value::Uuid(user.id.0),
        Field::UserPrincipalName => Value::Text(TextKey(user.upn.key())),
        Field::DisplayName => Value::text(&user.display_name),
        Field::GivenName => text(user.given_name.as_deref()),
        Field::Surname => text(user.surname.as_deref()),
        Field::Mail => text(user.mail().map(ToString::to_string).as_deref()),
        Field::MailNickname => Value::text(&user.mail_nickname),
        Field::JobTitle => text(user.job_title.as_deref()),
        Field::Department => text(user.department.as_deref()),
        Field::UsageLocation => text(user.usage_location.as_ref().map(|l| l.as_str())),
        Field::AccountEnabled => Value::Bool(user.account_enabled),
        Field::CreatedDateTime => Value::Time(user.created_at),
        Field::DeletedDateTime => deleted_at.map_or(Value::Null, Value::Time),
        Field::OnPremisesSyncEnabled => user.on_premises_sync_enabled.map_or(Value::Null, Value::Bool),
        Field::ProxyAddresses => Value::Null,
    }
}

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

/// A property users can be sorted by; none of them is ever null.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SortKey {
    DisplayName,
    UserPrincipalName,
    CreatedDateTime,
    /// Deleted users only.
    DeletedDateTime,
}

impl SortKey {
    pub fn field(self) -> Field {
        match self {
            SortKey::DisplayName => Field::DisplayName,
            SortKey::UserPrincipalName => Field::UserPrincipalName,
            SortKey::CreatedDateTime => Field::CreatedDateTime,
            SortKey::DeletedDateTime => Field::DeletedDateTime,
        }
    }

    fn code(self) -> char {
        match self {
            SortKey::DisplayName => 'n',
            SortKey::UserPrincipalName => 'u',
            SortKey::CreatedDateTime => 'c',
            SortKey::DeletedDateTime => 'd',
        }
    }

    fn from_code(code: char) -> Option<Self> {
        [
            SortKey::DisplayName,
            SortKey::UserPrincipalName,
            SortKey::CreatedDateTime,
            SortKey::DeletedDateTime,
        ]
        .into_iter()
        .find(|key| key.code() == code)
    }

    fn is_time(self) -> bool {
        matches!(self, SortKey::CreatedDateTime | SortKey::DeletedDateTime)
    }
}

/// The order of a listing: one key, then the id, both in the same direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Sort {
    pub key: SortKey,
    pub descending: bool,
}

impl Sort {
    pub fn ascending(key: SortKey) -> Self {
        Sort { key, descending: false }
    }

    pub fn descending(key: SortKey) -> Self {
        Sort { key, descending: true }
    }
}

/// The sort key's value on the last row of a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SortValue {
    /// A text key (see [`text_key`]).
    Text(String),
    Time(Timestamp),
}

/// Where the next page starts: after the row with this sort value and id, in this order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub sort: Sort,
    pub value: SortValue,
    pub id: UserId,
}

impl Cursor {
    /// The cursor after a user (deleted at `deleted_at`, if deleted) in `sort` order.
    pub fn after(sort: Sort, user: &User, deleted_at: Option<Timestamp>) -> Result<Self, Error> {
        let value = match sort.key {
            SortKey::DisplayName => SortValue::Text(text_key(&user.display_name)),
            SortKey::UserPrincipalName => SortValue::Text(user.upn.key()),
            SortKey::CreatedDateTime => SortValue::Time(user.created_at),
            SortKey::DeletedDateTime => SortValue::Time(
                deleted_at.ok_or_else(|| invalid("active users cannot be sorted by deletedDateTime".into()))?,
            ),
        };
        Ok(Cursor {
            sort,
            value,
            id: user.id,
        })
    }

    /// A compact text form, `<key><a|d>:<id>:<value>` (times in unix microseconds); opaque
    /// to clients, which adapters may wrap further.
    pub fn encode(&self) -> String {
        let direction = if self.sort.descending { 'd' } else { 'a' };
        let value = match &self.value {
            SortValue::Text(text) => text.clone(),
            SortValue::Time(at) => (at.unix_timestamp_nanos() / 1000).to_string(),
        };
        format!("{}{direction}:{}:{value}", self.sort.key.code(), self.id)
    }

    /// Parses [`Cursor::encode`]'s form.
    pub fn decode(text: &str) -> Result<Self, Error> {
        let bad = || invalid("the page cursor is not valid".into());
        let (head, rest) = text.split_once(':').ok_or_else(bad)?;
        let (id, value) = rest.split_once(':').ok_or_else(bad)?;
        let mut head = head.chars();
        let (Some(key), Some(direction), None) = (head.next(), head.next(), head.next()) else {
            return Err(bad());
        };
        let key = SortKey::from_code(key).ok_or_else(bad)?;
        let descending = match direction {
            'a' => false,
            'd' => true,
            _ => return Err(bad()),
        };
        let value = if key.is_time() {
            let micros: i128 = value.parse().map_err(|_| bad())?;
            SortValue::Time(Timestamp::from_unix_timestamp_nanos(micros * 1000).map_err(|_| bad())?)
        } else {
            SortValue::Text(value.to_owned())
        };
        Ok(Cursor {
            sort: Sort { key, descending },
            value,
            id: id.parse().map_err(|_| bad())?,
        })
    }
}

/// A listing of users: which, in what order, from where, how many.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserQuery {
    pub condition: Condition,
    pub sort: Sort,
    pub after: Option<Cursor>,
    /// Page size, 1 to [`MAX_PAGE_SIZE`] (clamped).
    pub limit: u32,
}

/// The largest page a query returns.
pub const MAX_PAGE_SIZE: u32 = 999;

impl UserQuery {
    /// Every user in `sort` order, 100 per page.
    pub fn new(sort: Sort) -> Self {
        UserQuery {
            condition: Condition::everything(),
            sort,
            after: None,
            limit: 100,
        }
    }

    /// Refuses a cursor made for another order, or whose value does not fit the key.
    pub(crate) fn check(&self, deleted: bool) -> Result<(), Error> {
        if !deleted && self.sort.key == SortKey::DeletedDateTime {
            return Err(invalid("active users cannot be sorted by deletedDateTime".into()));
        }
        if let Some(cursor) = &self.after {
            let fits = matches!(
                (&cursor.value, cursor.sort.key.is_time()),
                (SortValue::Time(_), true) | (SortValue::Text(_), false)
            );
            if cursor.sort != self.sort || !fits {
                return Err(invalid("the page cursor belongs to another order".into()));
            }
        }
        Ok(())
    }
}

/// One page of a listing, and where the next one starts (`None` on the last page).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<Cursor>,
}

impl<T> Page<T> {
    /// The page from `rows`, fetched with one row more than `limit` to learn whether
    /// another page follows; `cursor` makes the cursor after a row.
    pub(crate) fn from_rows(
        mut rows: Vec<T>,
        limit: u32,
        cursor: impl Fn(&T) -> Result<Cursor, Error>,
    ) -> Result<Self, Error> {
        let limit = limit as usize;
        let next = if rows.len() > limit {
            rows.truncate(limit);
            rows.last().map(cursor).transpose()?
        } else {
            None
        };
        Ok(Page { items: rows, next })
    }
}

/// The cursor after a deleted user.
pub(crate) fn deleted_cursor(sort: Sort, deleted: &DeletedUser) -> Result<Cursor, Error> {
    Cursor::after(sort, &deleted.user, Some(deleted.deleted_at))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::upn::UserPrincipalName;
    use time::macros::datetime;

    fn a_user(name: &str) -> User {
        let mut user = User::new(
            UserPrincipalName::parse("adele@contoso.com").unwrap(),
            name,
            datetime!(2026-01-05 09:00:00.123456 UTC),
        );
        user.given_name = Some("Émile".into());
        user
    }

    #[test]
    fn text_is_keyed_in_lower_case_including_non_ascii() {
        assert_eq!(TextKey::new("ÉMILE Zola").as_str(), "émile zola");
        let user = a_user("Émile Zola");
        let starts = Condition::starts_with(Field::GivenName, "ÉM").unwrap();
        assert!(starts.matches(&user, None));
        assert_eq!(UserKeys::of(&user).display_name, "émile zola");
    }

    #[test]
    fn null_is_two_valued() {
        let user = a_user("Adele");
        let surname_x = Condition::compare(Field::Surname, Comparison::Eq, Value::text("x")).unwrap();
        assert!(!surname_x.matches(&user, None));
        assert!(Condition::Not(Box::new(surname_x)).matches(&user, None));
        let ne = Condition::compare(Field::Surname, Comparison::Ne, Value::text("x")).unwrap();
        assert!(ne.matches(&user, None));
        let null = Condition::compare(Field::Surname, Comparison::Eq, Value::Null).unwrap();
        assert!(null.matches(&user, None));
        let deleted = Condition::compare(Field::DeletedDateTime, Comparison::Eq, Value::Null).unwrap();
        assert!(deleted.matches(&user, None));
        assert!(!deleted.matches(&user, Some(user.created_at)));
    }

    #[test]
    fn leaves_check_their_types() {
        assert!(Condition::compare(Field::AccountEnabled, Comparison::Eq, Value::text("x")).is_err());
        assert!(Condition::compare(Field::AccountEnabled, Comparison::Gt, Value::Bool(true)).is_err());
        assert!(Condition::starts_with(Field::CreatedDateTime, "x").is_err());
        assert!(Condition::starts_with(Field::DisplayName, "").is_err());
        assert!(Condition::one_of(Field::Id, vec![]).is_err());
        assert!(Condition::words_start_with(Field::DisplayName, " . ").is_err());
        assert!(Condition::words_start_with(Field::DisplayName, &"a ".repeat(MAX_WORDS + 1)).is_err());
    }

    #[test]
    fn search_matches_word_starts() {
        let user = a_user("Adele Vance");
        let yes = Condition::words_start_with(Field::DisplayName, "va ad").unwrap();
        let no = Condition::words_start_with(Field::DisplayName, "ance").unwrap();
        let upn = Condition::words_start_with(Field::UserPrincipalName, "contoso").unwrap();
        assert!(yes.matches(&user, None));
        assert!(!no.matches(&user, None));
        assert!(upn.matches(&user, None));
    }

    #[test]
    fn cursors_round_trip_and_must_fit_the_order() {
        let user = a_user("Adele: the first");
        for key in [
            SortKey::DisplayName,
            SortKey::UserPrincipalName,
            SortKey::CreatedDateTime,
        ] {
            let cursor = Cursor::after(Sort::descending(key), &user, None).unwrap();
            assert_eq!(Cursor::decode(&cursor.encode()).unwrap(), cursor);
        }
        assert!(Cursor::decode("xa:nope:1").is_err());
        assert!(Cursor::decode("ca:00000000-0000-0000-0000-000000000000:soon").is_err());
        let mut query = UserQuery::new(Sort::ascending(SortKey::DisplayName));
        query.after = Some(Cursor::after(Sort::descending(SortKey::DisplayName), &user, None).unwrap());
        assert!(query.check(false).is_err());
        query.after = Some(Cursor::after(Sort::ascending(SortKey::DisplayName), &user, None).unwrap());
        assert!(query.check(false).is_ok());
        assert!(
            UserQuery::new(Sort::ascending(SortKey::DeletedDateTime))
                .check(false)
                .is_err()
        );
    }

    #[test]
    fn and_flattens() {
        let a = Condition::starts_with(Field::DisplayName, "a").unwrap();
        let b = Condition::starts_with(Field::Surname, "b").unwrap();
        assert_eq!(Condition::everything().and(a.clone()), a);
        assert_eq!(
            Condition::All(vec![a.clone()]).and(b.clone()),
            Condition::All(vec![a, b])
        );
    }
}
