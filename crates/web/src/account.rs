//! "My account" for every signed-in user: the profile, and changing the password (which
//! a user told to change it at next sign-in must do before anything else).

use crate::WebState;
use crate::page::{Chrome, Section, domain_error, explain, render};
use crate::session::{Signed, session_cookie};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use axum_extra::extract::CookieJar;
use directory::user::User;
use serde::Deserialize;

pub(crate) fn routes() -> Router<WebState> {
    Router::new()
        .route("/account", get(account))
        .route("/account/password", get(password_form).post(change_password))
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    chrome: Chrome,
    user: User,
    roles: Vec<&'static str>,
    changed: bool,
}

#[derive(Debug, Deserialize)]
struct Changed {
    changed: Option<String>,
}

async fn account(signed: Signed, Query(changed): Query<Changed>) -> Response {
    let page = AccountPage {
        chrome: signed.chrome(Section::Account),
        roles: signed.session.caller.roles.iter().map(|r| r.display_name()).collect(),
        user: signed.session.user,
        changed: changed.changed.is_some(),
    };
    render(&page)
}

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordPage {
    chrome: Chrome,
    forced: bool,
    error: Option<String>,
}

async fn password_form(signed: Signed) -> Response {
    let page = PasswordPage {
        chrome: signed.chrome(Section::Account),
        forced: signed.session.user.force_change_password,
        error: None,
    };
    render(&page)
}

#[derive(Debug, Deserialize)]
struct PasswordForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    current: String,
    #[serde(default)]
    new: String,
    #[serde(default)]
    confirm: String,
}

async fn change_password(
    State(state): State<WebState>,
    jar: CookieJar,
    signed: Signed,
    Form(form): Form<PasswordForm>,
) -> Response {
    if let Err(rejection) = signed.check_csrf(&form.csrf) {
        return rejection;
    }
    let t = signed.t();
    let again = |error: String| {
        let page = PasswordPage {
            chrome: signed.chrome(Section::Account),
            forced: signed.session.user.force_change_password,
            error: Some(error),
        };
        (StatusCode::BAD_REQUEST, render(&page)).into_response()
    };
    if form.new != form.confirm {
        return again(t.get("password-mismatch"));
    }
    let lifetime = state.config.sessions;
    match state
        .directory
        .change_own_password(&signed.session.caller, &form.current, &form.new, lifetime)
        .await
    {
        Ok(signed_in) => {
            let jar = jar.add(session_cookie(&state, &signed_in.secret));
            (jar, Redirect::to("/account?changed=1")).into_response()
        }
        Err(error) if error.kind() == directory::Kind::Invalid => again(explain(t, &error)),
        Err(error) => domain_error(t, &error),
    }
}
