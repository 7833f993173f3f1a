//! "Active users": search (display name words, user name or e-mail start), a sign-in
//! filter, keyset paging with Next and "first page", and checkboxes that lead to the
//! delete confirmation ([`delete`]). [`new`] is the "Add a user" form.

use crate::WebState;
use crate::page::{Chrome, Section, domain_error, render};
use crate::session::{Admin, url_encode};
use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use directory::Error;
use directory::query::{Comparison, Condition, Cursor, Field, Sort, SortKey, UserQuery, Value};
use directory::views::ListedUser;
use serde::Deserialize;

mod delete;
mod new;

pub(super) fn routes() -> Router<WebState> {
    Router::new()
        .route("/admin/users", get(list))
        .merge(new::routes())
        .merge(delete::routes())
}

/// Rows per page unless `size` says otherwise (1 to [`MAX_SIZE`]).
const DEFAULT_SIZE: u32 = 50;
const MAX_SIZE: u32 = 200;

/// The sign-in filters the list offers: value in the URL, label key.
const FILTERS: [(&str, &str); 3] = [
    ("all", "users-filter-all"),
    ("enabled", "users-filter-enabled"),
    ("disabled", "users-filter-disabled"),
];

#[derive(Debug, Default, Deserialize)]
struct ListParams {
    q: Option<String>,
    filter: Option<String>,
    after: Option<String>,
    size: Option<String>,
}

/// One row of the list, ready to show.
struct UserRow {
    id: String,
    name: String,
    upn: String,
    licenses: Vec<String>,
    enabled: bool,
}

impl From<ListedUser> for UserRow {
    fn from(listed: ListedUser) -> Self {
        UserRow {
            id: listed.user.id.to_string(),
            name: listed.user.display_name,
            upn: listed.user.upn.to_string(),
            licenses: listed.licenses,
            enabled: listed.user.account_enabled,
        }
    }
}

struct FilterOption {
    value: &'static str,
    label: String,
    selected: bool,
}

#[derive(Template)]
#[template(path = "admin/users.html")]
struct UsersPage {
    chrome: Chrome,
    q: String,
    filters: Vec<FilterOption>,
    rows: Vec<UserRow>,
    /// The link to the next page, if there is one.
    next: Option<String>,
    /// The link back to the first page, when this is not the first.
    first: Option<String>,
}

async fn list(State(state): State<WebState>, Admin(signed): Admin, Query(params): Query<ListParams>) -> Response {
    let t = signed.t();
    let q = params.q.as_deref().unwrap_or("").trim().to_owned();
    let filter = FILTERS
        .iter()
        .find(|(value, _)| Some(*value) == params.filter.as_deref())
        .map_or("all", |(value, _)| *value);
    let size = params
        .size
        .as_deref()
        .and_then(|s| s.parse::<u32>().ok())
        .map_or(DEFAULT_SIZE, |s| s.clamp(1, MAX_SIZE));
    let query = match user_query(&q, filter, params.after.as_deref(), size) {
        Ok(query) => query,
        Err(error) => return domain_error(t, &error),
    };
    let page = match state.directory.user_listing(&signed.session.caller, &query).await {
        Ok(page) => page,
        Err(error) => return domain_error(t, &error),
    };
    let link = |after: Option<&str>| {
        let mut href = format!("/admin/users?q={}&filter={filter}", url_encode(&q));
        if size != DEFAULT_SIZE {
            href.push_str(&format!("&size={size}"));
        }
        if let Some(after) = after {
            href.push_str(&format!("&after={}", url_encode(after)));
        }
        href
    };
    let page = UsersPage {
        chrome: signed.chrome(Section::Users),
        filters: FILTERS
            .iter()
            .map(|(value, key)| FilterOption {
                value,
                label: t.get(key),
                selected: *value == filter,
            })
            .collect(),
        next: page.next.as_ref().map(|cursor| link(Some(&cursor.encode()))),
        first: params.after.is_some().then(|| link(None)),
        rows: page.items.into_iter().map(UserRow::from).collect(),
        q,
    };
    render(&page)
}

/// The query for a search text, a filter and a page cursor, by display name.
fn user_query(q: &str, filter: &str, after: Option<&str>, size: u32) -> Result<UserQuery, Error> {
    let mut condition = Condition::everything();
    if !q.is_empty() {
        let mut any = vec![
            Condition::starts_with(Field::UserPrincipalName, q)?,
            Condition::starts_with(Field::Mail, q)?,
        ];
        // Text without words (only separators) cannot be searched by words.
        if let Ok(words) = Condition::words_start_with(Field::DisplayName, q) {
            any.insert(0, words);
        }
        condition = condition.and(Condition::Any(any));
    }
    let enabled = match filter {
        "enabled" => Some(true),
        "disabled" => Some(false),
        _ => None,
    };
    if let Some(enabled) = enabled {
        condition = condition.and(Condition::compare(
            Field::AccountEnabled,
            Comparison::Eq,
            Value::Bool(enabled),
        )?);
    }
    let mut query = UserQuery::new(Sort::ascending(SortKey::DisplayName));
    query.condition = condition;
    query.limit = size;
    query.after = after.map(Cursor::decode).transpose()?;
    Ok(query)
}
