//! The session cookie and the extractors that require one.
//!
//! A session is a user token (see `directory::user::sign_in`) whose secret lives in an
//! HttpOnly, SameSite=Lax cookie: `__Host-roster-session` with `Secure` behind TLS,
//! `roster-session` on plain HTTP. Every form carries a CSRF token derived from the
//! session secret (or, before sign-in, from a pre-session cookie), so another site can
//! neither read nor forge it; [`same_origin`] also refuses cross-site form posts.

use crate::WebState;
use crate::lang::{Tr, local_path, negotiate};
use crate::page::{Chrome, Section, error_page};
use axum::extract::{FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use base64::Engine;
use directory::Error;
use directory::token::TokenSecret;
use directory::user::sign_in::Session;
use sha2::{Digest, Sha256};

/// The pre-session cookie that protects the sign-in form itself.
pub const PRESESSION_COOKIE: &str = "roster-presession";

/// The session cookie's name under this configuration.
pub fn cookie_name(state: &WebState) -> &'static str {
    if state.config.secure_cookies {
        "__Host-roster-session"
    } else {
        "roster-session"
    }
}

/// The cookie that carries a new session.
pub fn session_cookie(state: &WebState, secret: &TokenSecret) -> Cookie<'static> {
    Cookie::build((cookie_name(state), secret.expose().to_owned()))
        .path("/")
        .http_only(true)
        .secure(state.config.secure_cookies)
        .same_site(SameSite::Lax)
        .max_age(state.config.sessions.lifetime)
        .build()
}

/// A cookie that removes the session cookie.
pub fn cleared_session_cookie(state: &WebState) -> Cookie<'static> {
    let mut cookie = Cookie::build((cookie_name(state), ""))
        .path("/")
        .http_only(true)
        .secure(state.config.secure_cookies)
        .same_site(SameSite::Lax)
        .build();
    cookie.make_removal();
    cookie
}

/// The CSRF token for forms under a secret (a session's or a pre-session's).
pub fn csrf_token(secret: &str) -> String {
    let digest = Sha256::new()
        .chain_update(b"roster-csrf\0")
        .chain_update(secret.as_bytes())
        .finalize();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest)
}

/// Whether a presented CSRF token matches, compared in constant time.
pub fn csrf_matches(expected: &str, presented: &str) -> bool {
    let (a, b) = (expected.as_bytes(), presented.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A signed-in user of any kind, with the page chrome for it.
#[derive(Debug)]
pub struct Signed {
    pub session: Session,
    pub secret: TokenSecret,
    pub chrome: Chrome,
}

impl Signed {
    pub fn t(&self) -> Tr {
        self.chrome.t
    }

    /// Refuses a form whose CSRF token is not this session's. (The error is the page to
    /// answer with; it is built once per refused form, so its size does not matter.)
    #[allow(clippy::result_large_err)]
    pub fn check_csrf(&self, presented: &str) -> Result<(), Response> {
        if csrf_matches(&self.chrome.csrf, presented) {
            Ok(())
        } else {
            Err(csrf_rejection(self.chrome.t))
        }
    }

    /// The chrome with the navigation section marked.
    pub fn chrome(&self, section: Section) -> Chrome {
        Chrome {
            section,
            ..self.chrome.clone()
        }
    }
}

/// The page shown when a form's CSRF token is missing or wrong.
pub fn csrf_rejection(t: Tr) -> Response {
    error_page(
        t,
        StatusCode::FORBIDDEN,
        &t.get("error-csrf-title"),
        &t.get("error-csrf-body"),
    )
}

/// Paths a user who must change its password may still reach.
const ALLOWED_BEFORE_PASSWORD_CHANGE: [&str; 2] = ["/account/password", "/signout"];

impl FromRequestParts<WebState> for Signed {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &WebState) -> Result<Self, Self::Rejection> {
        let jar = CookieJar::from_headers(&parts.headers);
        let path = parts.uri.path().to_owned();
        let back = parts.uri.path_and_query().map_or("/", |p| p.as_str()).to_owned();
        let Some(secret) = jar.get(cookie_name(state)).map(|c| TokenSecret::presented(c.value())) else {
            return Err(to_sign_in(&back));
        };
        let in_use = async {
            let session = state.directory.session(&secret).await?;
            state
                .directory
                .keep_session_alive(&secret, state.config.sessions)
                .await?;
            Ok::<_, Error>(session)
        };
        let mut session = match in_use.await {
            Ok(session) => session,
            Err(Error::Unauthenticated) => {
                return Err((jar.add(cleared_session_cookie(state)), to_sign_in(&back)).into_response());
            }
            Err(error) => {
                let t = Tr(negotiate(&jar, &parts.headers, None));
                return Err(crate::page::domain_error(t, &error));
            }
        };
        session.caller = session.caller.with_origin(crate::client_ip::origin_of(parts, state));
        if session.user.force_change_password && !ALLOWED_BEFORE_PASSWORD_CHANGE.contains(&path.as_str()) {
            return Err(Redirect::to("/account/password").into_response());
        }
        let t = Tr(negotiate(
            &jar,
            &parts.headers,
            session.user.preferred_language.as_deref(),
        ));
        let chrome = Chrome {
            t,
            user_name: Some(session.user.display_name.clone()),
            admin: !session.caller.roles.is_empty(),
            csrf: csrf_token(secret.expose()),
            path: back,
            section: Section::None,
        };
        Ok(Signed {
            session,
            secret,
            chrome,
        })
    }
}

fn to_sign_in(back: &str) -> Response {
    let next: String = url_encode(&local_path(Some(back)));
    Redirect::to(&format!("/signin?next={next}")).into_response()
}

/// Percent-encodes a query value.
pub fn url_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A signed-in user holding at least one admin role.
#[derive(Debug)]
pub struct Admin(pub Signed);

impl FromRequestParts<WebState> for Admin {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &WebState) -> Result<Self, Self::Rejection> {
        let signed = Signed::from_request_parts(parts, state).await?;
        if !signed.chrome.admin {
            let t = signed.t();
            return Err(error_page(
                t,
                StatusCode::FORBIDDEN,
                &t.get("error-not-admin-title"),
                &t.get("error-not-admin-body"),
            ));
        }
        Ok(Admin(signed))
    }
}

/// Refuses state-changing requests that a browser says come from another site, whatever
/// their CSRF token (defence in depth).
pub async fn same_origin(request: Request, next: Next) -> Response {
    if request.method() != Method::GET && request.method() != Method::HEAD && is_cross_site(&request) {
        let jar = CookieJar::from_headers(request.headers());
        let t = Tr(negotiate(&jar, request.headers(), None));
        return csrf_rejection(t);
    }
    next.run(request).await
}

fn is_cross_site(request: &Request) -> bool {
    let headers = request.headers();
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return !matches!(site, "same-origin" | "none");
    }
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    match (headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()), host) {
        (Some(origin), Some(host)) => origin.split_once("://").map(|(_, rest)| rest) != Some(host),
        (Some(_), None) => true,
        (None, _) => false,
    }
}
