//! Sorting and paging: one sort key with the id as tie-breaker, keyset cursors, and pages.

use super::*;
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
