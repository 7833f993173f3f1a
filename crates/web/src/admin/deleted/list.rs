//! The Deleted users page: name, original user name, deleted on, permanent deletion date,
//! days left, licences and admin roles; search by name or user name; paging; selecting users
//! to restore.

use super::names::SkuNames;
use crate::WebState;
use crate::page::date;
use crate::page::{Chrome, Section, domain_error, render};
use crate::session::{Admin, url_encode};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use directory::query::{Condition, Cursor, Field, Sort, SortKey, UserQuery};
use directory::recycle_bin::DeletedUserView;
use directory::{Caller, Directory, Error};
use serde::Deserialize;

/// Rows per page, unless the address asks for another size (`top`, up to [`MAX_PAGE`]).
const PAGE_SIZE: u32 = 50;
const MAX_PAGE: u32 = 200;

#[derive(Debug, Deserialize)]
pub(super) struct ListQuery {
    q: Option<String>,
    after: Option<String>,
    top: Option<u32>,
    sent: Option<u32>,
}

/// How many deleted users the list shows. A search that goes on past this page says
/// "more than" instead of counting: counting its matches would test every deleted user's
/// name, and a search is for finding a few.
pub(super) enum Total {
    Exact(u64),
    MoreThan(u32),
}

/// One row of the table, ready to show.
pub(super) struct Row {
    pub(super) id: String,
    pub(super) name: String,
    pub(super) upn: String,
    pub(super) deleted_on: String,
    pub(super) purge_on: String,
    pub(super) days_left: i64,
    pub(super) licenses: Vec<String>,
    pub(super) roles: Vec<&'static str>,
}

#[derive(Template)]
#[template(path = "admin/deleted/list.html")]
struct ListPage {
    chrome: Chrome,
    rows: Vec<Row>,
    search: String,
    total: Total,
    next: Option<String>,
    paged: bool,
    sent: Option<u32>,
}

pub(super) async fn list(
    State(state): State<WebState>,
    Admin(signed): Admin,
    Query(query): Query<ListQuery>,
) -> Response {
    let caller = &signed.session.caller;
    let search = query.q.as_deref().unwrap_or("").trim().to_owned();
    let top = query.top.unwrap_or(PAGE_SIZE).clamp(1, MAX_PAGE);
    match load(&state.directory, caller, &search, query.after.as_deref(), top).await {
        Ok((rows, total, next)) => render(&ListPage {
            chrome: signed.chrome(Section::DeletedUsers),
            rows,
            next: next.map(|cursor| {
                let (q, after) = (url_encode(&search), url_encode(&cursor.encode()));
                format!("?q={q}&top={top}&after={after}")
            }),
            paged: query.after.is_some(),
            search,
            total,
            sent: query.sent,
        }),
        Err(error) => domain_error(signed.t(), &error),
    }
}

/// What a search box finds: every word starts a word of the display name, or of the user
/// name.
fn search_condition(search: &str) -> Result<Condition, Error> {
    if search.is_empty() {
        return Ok(Condition::everything());
    }
    Ok(Condition::Any(vec![
        Condition::words_start_with(Field::DisplayName, search)?,
        Condition::words_start_with(Field::UserPrincipalName, search)?,
    ]))
}

async fn load(
    directory: &Directory,
    caller: &Caller,
    search: &str,
    after: Option<&str>,
    top: u32,
) -> Result<(Vec<Row>, Total, Option<Cursor>), Error> {
    let condition = search_condition(search)?;
    let query = UserQuery {
        condition,
        sort: Sort::ascending(SortKey::DisplayName),
        after: after.map(Cursor::decode).transpose()?,
        limit: top,
    };
    let page = directory.query_deleted_users_with_details(caller, &query).await?;
    let total = if search.is_empty() {
        Total::Exact(directory.count_deleted_users(caller).await?)
    } else if page.next.is_some() || after.is_some() {
        Total::MoreThan(top)
    } else {
        Total::Exact(page.items.len() as u64)
    };
    let skus = SkuNames::load(directory, caller).await?;
    let rows = page.items.iter().map(|view| row(view, &skus)).collect();
    Ok((rows, total, page.next))
}

pub(super) fn row(view: &DeletedUserView, skus: &SkuNames) -> Row {
    let user = &view.deleted.user;
    Row {
        id: user.id.to_string(),
        name: user.display_name.clone(),
        upn: user.upn.to_string(),
        deleted_on: date(view.deleted.deleted_at),
        purge_on: date(view.purge_at),
        days_left: view.days_left(),
        licenses: skus.names(view.licenses.iter().map(|l| l.sku_id)),
        roles: view.roles.iter().map(|role| role.display_name()).collect(),
    }
}
