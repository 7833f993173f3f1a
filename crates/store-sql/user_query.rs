//! Finding and counting users by a domain [`UserQuery`]: the condition tree becomes a
//! `WHERE` clause, the sort a keyset page over `(key, id)`.
//!
//! Every value is bound with `push_bind`; column names come only from [`column`], a fixed
//! `match` on the domain's [`Field`]. Text columns hold keys (lower-cased in Rust) and are
//! compared byte-wise on both backends (SQLite's BINARY, PostgreSQL's `COLLATE "C"`).
//!
//! Shapes, for a key column `k`:
//! - `eq`/`gt`/… → `(k IS NOT NULL AND k = $v)`; `ne` → `(k IS NULL OR k <> $v)`, so every
//!   leaf is true or false, never SQL NULL, and `NOT` means OData's `not`.
//! - `startsWith` → `k >= $prefix AND k < $successor` (index-friendly);
//!   `endsWith` → `k LIKE $pattern ESCAPE '\'` with `%`, `_` and `\` escaped.
//! - `proxyAddresses/any(p: …)` → `EXISTS (SELECT 1 FROM proxy_addresses p WHERE
//!   p.user_id = u.id AND p.address_key …)`.
//! - `$search` words → `k LIKE 'w%' OR k LIKE '% w%' OR …` for each word separator.
//! - paging → `k >= $v AND (k, u.id) > ($v, $id) AND … ORDER BY k, u.id` (`<=`, `<`, `DESC`
//!   when descending), the cursor first; for deleted users, inside
//!   `u.id IN (SELECT u.id … LIMIT n)`, and for a filtered page of deleted users first over
//!   a window: `u.id IN (SELECT u.id FROM (SELECT <columns> … ORDER BY … LIMIT 2000) u
//!   WHERE <condition> … LIMIT n)`.

use crate::db_time::{self, Stored};
use crate::tx::Conn;
use crate::users::{PACKED_ADDRESSES, PackedUserRow, user_columns};
use crate::{Db, classify, dialect};
use directory::clock::Timestamp;
use directory::query::{
    Comparison, Condition, Field, SortKey, SortValue, TextKey, TextTest, UserQuery, Value, WORD_SEPARATORS,
};
use directory::recycle_bin::DeletedUser;
use directory::store::StoreError;
use directory::user::User;
use sqlx::QueryBuilder;

/// Which users a query looks at.
#[derive(Debug, Clone, Copy)]
enum Scope {
    Active,
    /// Deleted after this instant (the restorable ones).
    Deleted(Timestamp),
}

/// Active users matching the query, one page, with their addresses: one statement.
pub(crate) async fn find_users(c: &mut Conn, query: &UserQuery) -> Result<Vec<User>, StoreError> {
    let rows = page(c, Scope::Active, query, None).await?;
    rows.into_iter().map(|row| Ok(row.decode()?.user)).collect()
}

/// Deleted users (deleted after `not_before`) matching the query, one page, with their
/// addresses. A filtered page in an order an index of the bin gives first looks only at
/// the next [`WINDOW`] entries in that order (one statement, the index scanned in order and
/// stopped there); only when they hold fewer matches than the page needs does a second
/// statement look at every match. The first answers filters that match often (one deleted
/// user in twenty or more) without sorting all their matches; the second, filters that
/// match rarely, whose matches are few to sort.
pub(crate) async fn find_deleted_users(
    c: &mut Conn,
    not_before: Timestamp,
    query: &UserQuery,
) -> Result<Vec<DeletedUser>, StoreError> {
    let scope = Scope::Deleted(not_before);
    if let Some(columns) = window_columns(query) {
        let rows = page(c, scope, query, Some(&columns)).await?;
        if rows.len() >= usize::try_from(query.limit).unwrap_or(usize::MAX) {
            return decode_deleted(rows);
        }
    }
    decode_deleted(page(c, scope, query, None).await?)
}

fn decode_deleted(rows: Vec<PackedUserRow>) -> Result<Vec<DeletedUser>, StoreError> {
    let mut found = Vec::with_capacity(rows.len());
    for row in rows {
        found.extend(crate::recycle_bin::deleted(row.decode()?));
    }
    Ok(found)
}

/// How many active users match.
pub(crate) async fn count_users(c: &mut Conn, condition: &Condition) -> Result<u64, StoreError> {
    count(c, Scope::Active, condition).await
}

/// How many deleted users (deleted after `not_before`) match. Without a condition, the
/// bin's kept size answers ([`crate::bin_order::count_deleted_users`]).
pub(crate) async fn count_deleted_users(
    c: &mut Conn,
    not_before: Timestamp,
    condition: &Condition,
) -> Result<u64, StoreError> {
    if matches!(condition, Condition::All(parts) if parts.is_empty()) {
        return crate::bin_order::count_deleted_users(c, not_before).await;
    }
    count(c, Scope::Deleted(not_before), condition).await
}

/// How many entries of the bin, in a page's order, a filtered page looks at before it
/// looks at every match ([`find_deleted_users`]). Scanning them costs about as much as
/// sorting as many matches; a filter matching one user in twenty fills a page of 100 here.
const WINDOW: u32 = 2000;

/// The columns a windowed page of deleted users reads from the bin's index in order: the
/// id, the sort key and those the condition tests, or `None` when the page has no filter
/// (the plain page already stops at its last row) or its order has no index over the bin.
fn window_columns(query: &UserQuery) -> Option<Vec<&'static str>> {
    if matches!(&query.condition, Condition::All(parts) if parts.is_empty())
        || query.sort.key == SortKey::CreatedDateTime
    {
        return None;
    }
    let mut columns = vec!["u.id", sort_column(query.sort.key, &Source::USERS)];
    tested_columns(&query.condition, &mut columns);
    Some(columns)
}

/// Adds the columns `condition` tests to `columns` (addresses are tested by `u.id`).
fn tested_columns(condition: &Condition, columns: &mut Vec<&'static str>) {
    let field = match condition {
        Condition::All(parts) | Condition::Any(parts) => {
            for part in parts {
                tested_columns(part, columns);
            }
            return;
        }
        Condition::Not(inner) => return tested_columns(inner, columns),
        Condition::AnyAddress(_) => return,
        Condition::Compare { field, .. }
        | Condition::StartsWith { field, .. }
        | Condition::EndsWith { field, .. }
        | Condition::In { field, .. }
        | Condition::WordsStartWith { field, .. } => *field,
    };
    if let Some(column) = column(field)
        && !columns.contains(&column)
    {
        columns.push(column);
    }
}

/// One page of rows: the user columns and the user's addresses, packed. For
/// deleted users the page's ids are picked first, in a subquery that indexes on
/// `(key, id, deleted_at)` can answer alone, so a filter matching many users sorts small
/// index tuples rather than whole rows, and only the page's rows are read. With `window`,
/// that subquery tests the condition on the next [`WINDOW`] entries of the bin only, read
/// in order with these columns.
async fn page(
    c: &mut Conn,
    scope: Scope,
    query: &UserQuery,
    window: Option<&[&str]>,
) -> Result<Vec<PackedUserRow>, StoreError> {
    let mut sql = QueryBuilder::<Db>::new(concat!("SELECT ", user_columns!(), ", "));
    sql.push(PACKED_ADDRESSES).push(" FROM users u WHERE ");
    let ids_first = matches!(scope, Scope::Deleted(_));
    let order = order_by(query, &Source::USERS);
    let source = Source::of(scope, query);
    if ids_first {
        sql.push("u.id IN (SELECT u.id FROM ");
        if let Some(columns) = window {
            sql.push(format_args!(
                "(SELECT {} FROM {} WHERE ",
                columns.join(", "),
                source.from
            ));
            push_cursor_and_scope(&mut sql, scope, query, &source);
            sql.push(format_args!("{} LIMIT ", order_by(query, &source)))
                .push_bind(i64::from(WINDOW));
            sql.push(") u WHERE ");
        } else {
            sql.push(format_args!("{} WHERE ", source.from));
            push_cursor_and_scope(&mut sql, scope, query, &source);
            sql.push(" AND ");
        }
    } else {
        push_cursor_and_scope(&mut sql, scope, query, &source);
        sql.push(" AND ");
    }
    push_condition(&mut sql, &query.condition)?;
    // The plain subquery is ordered in its source's columns; a window's outer part, and a
    // page of active users, in those of `users u`.
    let inner_order = if ids_first && window.is_none() {
        order_by(query, &source)
    } else {
        order_by(query, &Source::USERS)
    };
    sql.push(format_args!("{inner_order} LIMIT "))
        .push_bind(i64::from(query.limit));
    if ids_first {
        sql.push(format_args!("){order}"));
    }
    sql.build_query_as::<PackedUserRow>()
        .fetch_all(&mut *c)
        .await
        .map_err(classify)
}

/// Where the ids of a page are picked from, and its deletion time and id columns there.
struct Source {
    from: &'static str,
    deleted_at: &'static str,
    id: &'static str,
    /// A condition its entries must also meet to be users'.
    live: Option<&'static str>,
}

impl Source {
    const USERS: Source = Source {
        from: "users u",
        deleted_at: "u.deleted_at",
        id: "u.id",
        live: None,
    };
    /// SQLite's bin table alone, named like the users it lists: it holds every column the
    /// query reads (an address test reads `proxy_addresses` by `u.id`).
    const BIN: Source = Source {
        from: "recycle_bin u",
        deleted_at: "u.deleted_at",
        id: "u.id",
        live: Some(crate::bin_order::NOT_LEFT_BEHIND),
    };
    /// SQLite's bin table read in order, each entry's user beside it for the columns the
    /// table lacks (`CROSS JOIN` keeps that order of the loops).
    const BIN_AND_USERS: Source = Source {
        from: "recycle_bin r CROSS JOIN users u ON u.id = r.id",
        deleted_at: "r.deleted_at",
        id: "r.id",
        live: None,
    };

    /// A page of deleted users in deletion order reads SQLite's bin table (migration 0013);
    /// every other page reads `users` and its indexes.
    fn of(scope: Scope, query: &UserQuery) -> Source {
        if !dialect::BIN_TABLE || matches!(scope, Scope::Active) || query.sort.key != SortKey::DeletedDateTime {
            return Source::USERS;
        }
        let mut columns = Vec::new();
        tested_columns(&query.condition, &mut columns);
        if columns.iter().all(|column| BIN_COLUMNS.contains(column)) {
            Source::BIN
        } else {
            Source::BIN_AND_USERS
        }
    }
}

/// The columns of SQLite's bin table, as [`column`] names them.
const BIN_COLUMNS: [&str; 4] = ["u.id", "u.deleted_at", "u.display_name_key", "u.upn_key"];

/// ` ORDER BY key, id` in the query's direction, with `source`'s columns.
fn order_by(query: &UserQuery, source: &Source) -> String {
    let direction = if query.sort.descending { "DESC" } else { "ASC" };
    format!(
        " ORDER BY {} {direction}, {} {direction}",
        sort_column(query.sort.key, source),
        source.id
    )
}

/// The cursor's bound (if any) and the scope, joined by `AND`.
fn push_cursor_and_scope(sql: &mut QueryBuilder<Db>, scope: Scope, query: &UserQuery, source: &Source) {
    if let Some(cursor) = &query.after {
        let key = sort_column(query.sort.key, source);
        let (step, not_past) = if query.sort.descending {
            ("<", "<=")
        } else {
            (">", ">=")
        };
        // The first comparison lets any index on the key serve; the row comparison is exact.
        // It comes before the scope: given two lower bounds on `deleted_at` (the cursor's and
        // the retention's), SQLite seeks with the first one written, and a deep page must
        // not scan every entry from the retention's bound up to its cursor.
        sql.push(format_args!("{key} {not_past} "));
        push_sort_value(sql, &cursor.value);
        sql.push(format_args!(" AND ({key}, {}) {step} (", source.id));
        push_sort_value(sql, &cursor.value);
        sql.push(", ").push_bind(cursor.id.0).push(") AND ");
    }
    push_scope(sql, scope, source);
}

async fn count(c: &mut Conn, scope: Scope, condition: &Condition) -> Result<u64, StoreError> {
    let mut sql = QueryBuilder::<Db>::new("SELECT COUNT(*) FROM users u WHERE ");
    push_scope(&mut sql, scope, &Source::USERS);
    sql.push(" AND ");
    push_condition(&mut sql, condition)?;
    let count: i64 = sql
        .build_query_scalar::<i64>()
        .fetch_one(&mut *c)
        .await
        .map_err(classify)?;
    u64::try_from(count).map_err(|e| StoreError::Other(format!("user count {count}: {e}")))
}

fn push_scope(sql: &mut QueryBuilder<Db>, scope: Scope, source: &Source) {
    let deleted_at = source.deleted_at;
    match scope {
        Scope::Active => {
            sql.push(format_args!("{deleted_at} IS NULL"));
        }
        Scope::Deleted(not_before) => {
            sql.push(format_args!("{deleted_at} IS NOT NULL AND {deleted_at} > "))
                .push_bind(db_time::to_db(not_before));
        }
    }
    if let Some(live) = source.live {
        sql.push(format_args!(" AND {live}"));
    }
}

/// The column holding a field (its key, for text), or `None` for proxy addresses, which
/// live in their own table.
fn column(field: Field) -> Option<&'static str> {
    Some(match field {
        Field::Id => "u.id",
        Field::UserPrincipalName => "u.upn_key",
        Field::DisplayName => "u.display_name_key",
        Field::GivenName => "u.given_name_key",
        Field::Surname => "u.surname_key",
        Field::Mail => "u.mail_key",
        Field::MailNickname => "u.mail_nickname_key",
        Field::JobTitle => "u.job_title_key",
        Field::Department => "u.department_key",
        Field::UsageLocation => "u.usage_location_key",
        Field::AccountEnabled => "u.account_enabled",
        Field::CreatedDateTime => "u.created_at",
        Field::DeletedDateTime => "u.deleted_at",
        Field::OnPremisesSyncEnabled => "u.on_premises_sync_enabled",
        Field::ProxyAddresses => return None,
    })
}

fn sort_column(key: SortKey, source: &Source) -> &'static str {
    match key {
        SortKey::DisplayName => "u.display_name_key",
        SortKey::UserPrincipalName => "u.upn_key",
        SortKey::CreatedDateTime => "u.created_at",
        SortKey::DeletedDateTime => source.deleted_at,
    }
}

fn scalar_column(field: Field) -> Result<&'static str, StoreError> {
    column(field).ok_or_else(|| StoreError::Other(format!("'{}' is not a scalar property", field.name())))
}

fn push_sort_value(sql: &mut QueryBuilder<Db>, value: &SortValue) {
    match value {
        SortValue::Text(text) => sql.push_bind(text.clone()),
        SortValue::Time(at) => sql.push_bind::<Stored>(db_time::to_db(*at)),
    };
}

fn push_value(sql: &mut QueryBuilder<Db>, value: &Value) -> Result<(), StoreError> {
    match value {
        Value::Text(key) => sql.push_bind(key.as_str().to_owned()),
        Value::Bool(flag) => sql.push_bind(*flag),
        Value::Time(at) => sql.push_bind::<Stored>(db_time::to_db(*at)),
        Value::Uuid(id) => sql.push_bind(*id),
        Value::Null => return Err(StoreError::Other("null is not a comparable value".into())),
    };
    Ok(())
}

fn operator(op: Comparison) -> &'static str {
    match op {
        Comparison::Eq => "=",
        Comparison::Ne => "<>",
        Comparison::Gt => ">",
        Comparison::Ge => ">=",
        Comparison::Lt => "<",
        Comparison::Le => "<=",
    }
}

/// Writes `condition` so that it is TRUE or FALSE for every row, never NULL.
fn push_condition(sql: &mut QueryBuilder<Db>, condition: &Condition) -> Result<(), StoreError> {
    match condition {
        Condition::All(parts) => push_junction(sql, parts, " AND ", "1 = 1")?,
        Condition::Any(parts) => push_junction(sql, parts, " OR ", "1 = 0")?,
        Condition::Not(inner) => {
            sql.push("NOT (");
            push_condition(sql, inner)?;
            sql.push(")");
        }
        Condition::Compare { field, op, value } => {
            let column = scalar_column(*field)?;
            match (value, op) {
                (Value::Null, Comparison::Eq) => {
                    sql.push(format_args!("{column} IS NULL"));
                }
                (Value::Null, _) => {
                    sql.push(format_args!("{column} IS NOT NULL"));
                }
                (_, Comparison::Ne) => {
                    sql.push(format_args!("({column} IS NULL OR {column} <> "));
                    push_value(sql, value)?;
                    sql.push(")");
                }
                (_, op) => {
                    sql.push(format_args!("({column} IS NOT NULL AND {column} {} ", operator(*op)));
                    push_value(sql, value)?;
                    sql.push(")");
                }
            }
        }
        Condition::StartsWith { field, prefix } => {
            let column = scalar_column(*field)?;
            sql.push(format_args!("({column} IS NOT NULL AND "));
            push_prefix(sql, column, prefix);
            sql.push(")");
        }
        Condition::EndsWith { field, suffix } => {
            let column = scalar_column(*field)?;
            sql.push(format_args!("({column} IS NOT NULL AND {column} LIKE "))
                .push_bind(format!("%{}", escape_like(suffix.as_str())))
                .push(" ESCAPE '\\')");
        }
        Condition::In { field, values } => {
            let column = scalar_column(*field)?;
            if values.is_empty() {
                sql.push("1 = 0");
                return Ok(());
            }
            sql.push(format_args!("({column} IS NOT NULL AND {column} IN ("));
            for (index, value) in values.iter().enumerate() {
                if index > 0 {
                    sql.push(", ");
                }
                push_value(sql, value)?;
            }
            sql.push("))");
        }
        Condition::AnyAddress(test) => {
            sql.push("EXISTS (SELECT 1 FROM proxy_addresses p WHERE p.user_id = u.id AND ");
            // LIKE for prefixes too: address_key keeps the database's default collation on
            // PostgreSQL, so a byte-wise range would not be one there.
            let (pattern, exact) = match test {
                TextTest::Eq(value) => (value.as_str().to_owned(), true),
                TextTest::StartsWith(prefix) => (format!("{}%", escape_like(prefix.as_str())), false),
                TextTest::EndsWith(suffix) => (format!("%{}", escape_like(suffix.as_str())), false),
            };
            if exact {
                sql.push("p.address_key = ").push_bind(pattern);
            } else {
                sql.push("p.address_key LIKE ").push_bind(pattern).push(" ESCAPE '\\'");
            }
            sql.push(")");
        }
        Condition::WordsStartWith { field, words } => {
            let column = scalar_column(*field)?;
            sql.push(format_args!("({column} IS NOT NULL"));
            for word in words {
                let word = escape_like(word.as_str());
                sql.push(format_args!(" AND ({column} LIKE "))
                    .push_bind(format!("{word}%"))
                    .push(" ESCAPE '\\'");
                for separator in WORD_SEPARATORS {
                    let separator = escape_like(&separator.to_string());
                    sql.push(format_args!(" OR {column} LIKE "))
                        .push_bind(format!("%{separator}{word}%"))
                        .push(" ESCAPE '\\'");
                }
                sql.push(")");
            }
            sql.push(")");
        }
    }
    Ok(())
}

fn push_junction(
    sql: &mut QueryBuilder<Db>,
    parts: &[Condition],
    separator: &str,
    empty: &str,
) -> Result<(), StoreError> {
    if parts.is_empty() {
        sql.push(empty);
        return Ok(());
    }
    sql.push("(");
    for (index, part) in parts.iter().enumerate() {
        if index > 0 {
            sql.push(separator);
        }
        push_condition(sql, part)?;
    }
    sql.push(")");
    Ok(())
}

/// `column >= prefix AND column < successor`: exactly the keys that start with `prefix`,
/// byte-wise (UTF-8 orders as code points do).
fn push_prefix(sql: &mut QueryBuilder<Db>, column: &str, prefix: &TextKey) {
    sql.push(format_args!("{column} >= "))
        .push_bind(prefix.as_str().to_owned());
    if let Some(upper) = successor(prefix.as_str()) {
        sql.push(format_args!(" AND {column} < ")).push_bind(upper);
    }
}

/// The smallest string greater than every string starting with `prefix`, if any.
fn successor(prefix: &str) -> Option<String> {
    let mut chars: Vec<char> = prefix.chars().collect();
    while let Some(last) = chars.pop() {
        let mut next = u32::from(last) + 1;
        if (0xD800..0xE000).contains(&next) {
            next = 0xE000;
        }
        if let Some(next) = char::from_u32(next) {
            chars.push(next);
            return Some(chars.into_iter().collect());
        }
    }
    None
}

/// Escapes LIKE's wildcards and the escape character itself (`ESCAPE '\'`).
fn escape_like(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_successor_bounds_exactly_the_prefixed_keys() {
        assert_eq!(successor("ad").as_deref(), Some("ae"));
        assert_eq!(successor("a\u{D7FF}").as_deref(), Some("a\u{E000}"));
        assert_eq!(successor("a\u{10FFFF}").as_deref(), Some("b"));
        assert_eq!(successor("\u{10FFFF}"), None);
    }

    #[test]
    fn like_wildcards_are_escaped() {
        assert_eq!(escape_like(r"50%_off\"), r"50\%\_off\\");
    }
}
