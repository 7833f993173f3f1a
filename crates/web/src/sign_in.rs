//! Signing in and out: `/signin`, `/signout`, and `/`, which sends people where they
//! belong (admins to the admin center, everyone else to "My account").

use crate::WebState;
use crate::client_ip::RequestOrigin;
use crate::lang::{Tr, local_path, negotiate};
use crate::page::{Chrome, domain_error, error_page, render};
use crate::session::{
    PRESESSION_COOKIE, Signed, cleared_session_cookie, csrf_matches, csrf_rejection, csrf_token, session_cookie,
};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use directory::Error;
use directory::token::TokenSecret;
use serde::Deserialize;

pub(crate) fn routes() -> Router<WebState> {
    Router::new()
        .route("/", get(home))
        .route("/signin", get(sign_in_form).post(sign_in))
        .route("/signout", post(sign_out))
}

/// Admins go to the admin center, other users to their account, strangers to sign-in.
async fn home(signed: Result<Signed, Response>) -> Response {
    match signed {
        Ok(signed) if signed.chrome.admin => Redirect::to("/admin").into_response(),
        Ok(_) => Redirect::to("/account").into_response(),
        Err(_) => Redirect::to("/signin").into_response(),
    }
}

#[derive(Template)]
#[template(path = "sign_in.html")]
struct SignInPage {
    chrome: Chrome,
    next: String,
    username: String,
    error: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Next {
    next: Option<String>,
}

/// The pre-session secret of this browser, and the cookie to set if it is new.
pub(crate) fn presession(jar: CookieJar) -> (CookieJar, String) {
    if let Some(cookie) = jar.get(PRESESSION_COOKIE) {
        let value = cookie.value().to_owned();
        return (jar, value);
    }
    let value = TokenSecret::generate().expose().to_owned();
    let cookie = Cookie::build((PRESESSION_COOKIE, value.clone()))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .build();
    (jar.add(cookie), value)
}

async fn sign_in_form(jar: CookieJar, headers: HeaderMap, Query(next): Query<Next>) -> Response {
    let t = Tr(negotiate(&jar, &headers, None));
    let (jar, secret) = presession(jar);
    let page = SignInPage {
        chrome: Chrome::anonymous(t, csrf_token(&secret), "/signin"),
        next: local_path(next.next.as_deref()),
        username: String::new(),
        error: None,
    };
    (jar, render(&page)).into_response()
}

#[derive(Debug, Deserialize)]
struct SignInForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    csrf: String,
    next: Option<String>,
}

async fn sign_in(
    State(state): State<WebState>,
    RequestOrigin(origin): RequestOrigin,
    jar: CookieJar,
    headers: HeaderMap,
    Form(form): Form<SignInForm>,
) -> Response {
    let t = Tr(negotiate(&jar, &headers, None));
    let (jar, secret) = presession(jar);
    if !csrf_matches(&csrf_token(&secret), &form.csrf) {
        return csrf_rejection(t);
    }
    if let Some(seconds) = state.attempts.retry_after(origin.client_ip) {
        return too_many_attempts(t, seconds);
    }
    let next = local_path(form.next.as_deref());
    let lifetime = state.config.sessions;
    let signing_in = state
        .directory
        .sign_in_from(&form.username, &form.password, lifetime, &origin);
    match signing_in.await {
        Ok(signed_in) => {
            let target = if signed_in.user.force_change_password {
                "/account/password".to_owned()
            } else if next == "/signin" {
                "/".to_owned()
            } else {
                next
            };
            let jar = jar.add(session_cookie(&state, &signed_in.secret));
            (jar, Redirect::to(&target)).into_response()
        }
        Err(error @ (Error::Unauthenticated | Error::Locked { .. })) => {
            let key = if matches!(error, Error::Locked { .. }) {
                "sign-in-locked"
            } else {
                "sign-in-wrong"
            };
            let page = SignInPage {
                chrome: Chrome::anonymous(t, csrf_token(&secret), "/signin"),
                next,
                username: form.username,
                error: Some(t.get(key)),
            };
            (StatusCode::UNAUTHORIZED, jar, render(&page)).into_response()
        }
        Err(Error::AddressThrottled { until }) => {
            let seconds = (until - state.directory.now()).whole_seconds().max(1);
            too_many_attempts(t, seconds.unsigned_abs())
        }
        Err(error) => domain_error(t, &error),
    }
}

/// The page for an address that tried too many passwords too fast.
fn too_many_attempts(t: Tr, seconds: u64) -> Response {
    let mut response = error_page(
        t,
        StatusCode::TOO_MANY_REQUESTS,
        &t.get("sign-in-throttled-title"),
        &t.get("sign-in-throttled-body"),
    );
    if let Ok(value) = HeaderValue::from_str(&seconds.to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}

#[derive(Debug, Deserialize)]
pub(crate) struct CsrfOnly {
    #[serde(default)]
    pub(crate) csrf: String,
}

async fn sign_out(
    State(state): State<WebState>,
    jar: CookieJar,
    signed: Signed,
    Form(form): Form<CsrfOnly>,
) -> Response {
    if let Err(rejection) = signed.check_csrf(&form.csrf) {
        return rejection;
    }
    if let Err(error) = state.directory.sign_out(&signed.secret).await {
        return domain_error(signed.t(), &error);
    }
    let jar = jar.add(cleared_session_cookie(&state));
    (jar, Redirect::to("/signin")).into_response()
}
