//! `/account/set-password/{secret}`: the page a one-time set-password link opens. It
//! works without a session; the link itself is the credential, good once and for a
//! limited time. After it is used, the user signs in with the new password.

use crate::WebState;
use crate::client_ip::RequestOrigin;
use crate::lang::{Tr, negotiate};
use crate::page::{Chrome, domain_error, explain, render};
use crate::session::{PRESESSION_COOKIE, csrf_matches, csrf_rejection, csrf_token};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Form, Router};
use axum_extra::extract::CookieJar;
use directory::mail::PasswordLinkInfo;
use directory::{Code, Error};
use serde::Deserialize;

pub(crate) fn routes() -> Router<WebState> {
    Router::new().route("/account/set-password/{secret}", get(form).post(set))
}

#[derive(Template)]
#[template(path = "set_password.html")]
struct SetPasswordPage {
    chrome: Chrome,
    /// The user the link is for; `None` when the link cannot be used.
    name: Option<String>,
    upn: String,
    error: Option<String>,
    done: bool,
}

impl SetPasswordPage {
    fn new(t: Tr, csrf: String) -> Self {
        SetPasswordPage {
            chrome: Chrome::anonymous(t, csrf, "/signin"),
            name: None,
            upn: String::new(),
            error: None,
            done: false,
        }
    }

    /// Shows whom the link is for.
    fn show(&mut self, link: PasswordLinkInfo) {
        self.name = Some(link.display_name);
        self.upn = link.upn;
    }
}

async fn form(
    State(state): State<WebState>,
    Path(secret): Path<String>,
    jar: CookieJar,
    headers: HeaderMap,
) -> Response {
    let t = Tr(negotiate(&jar, &headers, None));
    let (jar, presession) = crate::sign_in::presession(jar);
    let mut page = SetPasswordPage::new(t, csrf_token(&presession));
    match state.directory.password_link(&secret).await {
        Ok(link) => page.show(link),
        Err(error) if error.code() == Code::PasswordLinkInvalid => {
            page.error = Some(t.get("set-password-invalid"));
            return (StatusCode::GONE, jar, render(&page)).into_response();
        }
        Err(error) => return domain_error(t, &error),
    }
    (jar, render(&page)).into_response()
}

#[derive(Debug, Deserialize)]
struct SetPasswordForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    new: String,
    #[serde(default)]
    confirm: String,
}

async fn set(
    State(state): State<WebState>,
    Path(secret): Path<String>,
    jar: CookieJar,
    headers: HeaderMap,
    RequestOrigin(origin): RequestOrigin,
    Form(form): Form<SetPasswordForm>,
) -> Response {
    let t = Tr(negotiate(&jar, &headers, None));
    let Some(presession) = jar.get(PRESESSION_COOKIE).map(|c| c.value().to_owned()) else {
        return csrf_rejection(t);
    };
    if !csrf_matches(&csrf_token(&presession), &form.csrf) {
        return csrf_rejection(t);
    }
    let mut page = SetPasswordPage::new(t, csrf_token(&presession));
    if form.new != form.confirm {
        return again(page, &state, &secret, t.get("password-mismatch")).await;
    }
    match state.directory.redeem_password_link(&secret, &form.new, &origin).await {
        Ok(link) => {
            page.show(link);
            page.done = true;
            render(&page)
        }
        Err(error) if error.code() == Code::PasswordLinkInvalid => {
            page.error = Some(t.get("set-password-invalid"));
            (StatusCode::GONE, render(&page)).into_response()
        }
        Err(error @ Error::Invalid { .. }) => again(page, &state, &secret, explain(t, &error)).await,
        Err(error) => domain_error(t, &error),
    }
}

/// The form again with an error, for a link that is still usable.
async fn again(mut page: SetPasswordPage, state: &WebState, secret: &str, error: String) -> Response {
    if let Ok(link) = state.directory.password_link(secret).await {
        page.show(link);
    }
    page.error = Some(error);
    (StatusCode::BAD_REQUEST, render(&page)).into_response()
}
