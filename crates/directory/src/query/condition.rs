//! The condition tree of a user query: checked on construction, evaluated in plain Rust by
//! [`Condition::matches`] (the reference the store tests compare with).

use super::*;
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
