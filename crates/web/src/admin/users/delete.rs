//! Deleting one or several users: the confirmation page lists the users checked on the
//! list and offers to release their e-mail aliases; the result page says which were
//! deleted and which were not, and why.

use crate::WebState;
use crate::page::{Chrome, Section, domain_error, explain, render};
use crate::session::Admin;
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum_extra::extract::Form;
use directory::ids::UserId;
use serde::Deserialize;

pub(super) fn routes() -> Router<WebState> {
    Router::new().route("/admin/users/delete", get(confirm).post(delete))
}

/// The users picked on the list (`id` repeats).
#[derive(Debug, Deserialize)]
struct Picked {
    #[serde(default)]
    id: Vec<String>,
}

/// The ids that parse; anything else is left out (it names no user anyway).
fn user_ids(ids: &[String]) -> Vec<UserId> {
    let mut parsed: Vec<UserId> = ids.iter().filter_map(|id| id.parse().ok()).collect();
    parsed.dedup();
    parsed
}

struct PickedUser {
    id: String,
    name: String,
    upn: String,
}

#[derive(Template)]
#[template(path = "admin/users_delete.html")]
struct ConfirmPage {
    chrome: Chrome,
    users: Vec<PickedUser>,
}

async fn confirm(State(state): State<WebState>, Admin(signed): Admin, Form(picked): Form<Picked>) -> Response {
    let ids = user_ids(&picked.id);
    let users = match state.directory.users_by_ids(&signed.session.caller, &ids).await {
        Ok(users) => users,
        Err(error) => return domain_error(signed.t(), &error),
    };
    let page = ConfirmPage {
        chrome: signed.chrome(Section::Users),
        users: users
            .into_iter()
            .map(|user| PickedUser {
                id: user.id.to_string(),
                name: user.display_name,
                upn: user.upn.to_string(),
            })
            .collect(),
    };
    let status = if page.users.is_empty() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    (status, render(&page)).into_response()
}

#[derive(Debug, Deserialize)]
struct DeleteForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    id: Vec<String>,
    release: Option<String>,
}

/// One user's outcome, ready to show.
struct ResultRow {
    id: String,
    name: String,
    /// Why it was not deleted; `None` when it was.
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "admin/users_deleted.html")]
struct ResultPage {
    chrome: Chrome,
    deleted: Vec<ResultRow>,
    failed: Vec<ResultRow>,
    released: bool,
}

async fn delete(State(state): State<WebState>, Admin(signed): Admin, Form(form): Form<DeleteForm>) -> Response {
    if let Err(rejection) = signed.check_csrf(&form.csrf) {
        return rejection;
    }
    let t = signed.t();
    let released = form.release.is_some();
    let outcomes = state
        .directory
        .delete_users(&signed.session.caller, &user_ids(&form.id), released)
        .await;
    let (deleted, failed): (Vec<ResultRow>, Vec<ResultRow>) = outcomes
        .into_iter()
        .map(|outcome| ResultRow {
            id: outcome.id.to_string(),
            name: outcome.name.unwrap_or_else(|| outcome.id.to_string()),
            error: outcome.result.err().map(|error| explain(t, &error)),
        })
        .partition(|row| row.error.is_none());
    let status = if deleted.is_empty() && !failed.is_empty() {
        StatusCode::CONFLICT
    } else {
        StatusCode::OK
    };
    let page = ResultPage {
        chrome: signed.chrome(Section::Users),
        deleted,
        failed,
        released,
    };
    (status, render(&page)).into_response()
}
